/*
 * stats.c — the server's operational counters (tw_api_counters), updated
 * by the ingest paths and the outbox workers with the API lock held, read
 * by /metrics; the database check of /healthz and the outbox depth.
 */
#include "api/api_internal.h"
#include "api/metrics_text.h"

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

/* ---- /healthz and the outbox gauges (metrics_text.h) ---------------------- */

int tw_api_health(tw_api *api, tw_error *err) {
  int64_t seq = 0;
  int rc = tw_store_next_seq(api->store, &seq);
  if (rc)
    return tw_error_set(err, rc, 0, "database: %s",
                        tw_store_errmsg(api->store));
  return TW_OK;
}

int tw_api_outbox_depth(tw_api *api, int64_t *pending, int64_t *failed) {
  *pending = *failed = 0;
  return tw_store_outbox_counts(api->store, pending, failed);
}
