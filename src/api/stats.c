/*
 * stats.c — the server's operational counters (tw_api_counters), updated
 * by the ingest paths and the outbox workers with the API lock held, read
 * by /metrics.
 */
#include "api/api_internal.h"

void tw_api_note_ingested(tw_api *api, const char *source, uint64_t n) {
  tw_api_counters *c = &api->counters;
  if (!c->ingested && !(c->ingested = json_object()))
    return;
  json_t *v = json_object_get(c->ingested, source);
  json_int_t now = v ? json_integer_value(v) : 0;
  json_object_set_new(c->ingested, source, json_integer(now + (json_int_t)n));
}

void tw_api_note_delivery(tw_api *api, int ok, int gave_up) {
  if (ok)
    api->counters.deliveries_ok++;
  else
    api->counters.delivery_failures++;
  if (gave_up)
    api->counters.deliveries_given_up++;
}
