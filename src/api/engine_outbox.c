/*
 * engine_outbox.c — the engine's side of the notification outbox: when an
 * alarm changes state, every action's notification becomes outbox rows
 * (one per delivery of the action's target), written in the transaction
 * that stores the new state, with a stable id; the delivery workers
 * (src/live/outbox.c) are woken and later write the "Action" history item
 * of each delivery once its outcome is known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/api_internal.h"

void tw_api_set_outbox_wake(tw_api *api, void (*fn)(void *ud), void *ud) {
  api->outbox_wake = fn;
  api->outbox_wake_ud = fn ? ud : NULL;
}

/* ---- ids ------------------------------------------------------------------- */

static void tw_eo_hash_str(EVP_MD_CTX *md, const char *s) {
  EVP_DigestUpdate(md, s, strlen(s) + 1); /* the NUL separates the parts */
}

void tw_engine_notification_id(const char *alarm, int64_t time_ms,
                               const char *state, const char *action,
                               char out[37]) {
  unsigned char h[EVP_MAX_MD_SIZE];
  unsigned int hlen = 0;
  char ms[32];
  snprintf(ms, sizeof ms, "%lld", (long long)time_ms);
  memset(h, 0, sizeof h);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
    tw_eo_hash_str(md, "trailwatch-notification");
    tw_eo_hash_str(md, alarm);
    tw_eo_hash_str(md, ms);
    tw_eo_hash_str(md, state);
    tw_eo_hash_str(md, action);
    EVP_DigestFinal_ex(md, h, &hlen);
  }
  EVP_MD_CTX_free(md);
  h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* version 5 (name-based) */
  h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  static const char hex[] = "0123456789abcdef";
  size_t k = 0;
  for (size_t i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[k++] = '-';
    out[k++] = hex[h[i] >> 4];
    out[k++] = hex[h[i] & 15];
  }
  out[k] = '\0';
}

/* ---- rows ------------------------------------------------------------------ */

static int tw_eo_add_row(tw_api *api, tw_store_outbox_row *row,
                         const json_t *delivery, int index) {
  char *text = json_dumps(delivery, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text)
    return TW_ENOMEM;
  row->delivery_index = index;
  row->delivery = text;
  int rc = tw_store_outbox_add(api->store, row, NULL);
  free(text);
  return rc;
}

int tw_engine_outbox_add(tw_api *api, const char *alarm, const char *state,
                         const char *action, const char *subject,
                         const char *message, int64_t time_ms) {
  char id[37];
  tw_engine_notification_id(alarm, time_ms, state, action, id);
  int64_t now = tw_api_now_ms();
  tw_store_outbox_row row = {.id = id,
                             .alarm = alarm,
                             .action = action,
                             .subject = subject,
                             .message = message,
                             .timestamp_ms = time_ms,
                             .created_ms = now,
                             .next_attempt_ms = now};
  json_t *list = json_object_get(api->targets, action);
  int rc = TW_OK;
  if (!json_is_array(list) || !json_array_size(list)) {
    json_t *out = json_pack("{s:s}", "type", "stdout");
    rc = out ? tw_eo_add_row(api, &row, out, 0) : TW_ENOMEM;
    json_decref(out);
  }
  for (size_t i = 0; rc == TW_OK && i < json_array_size(list); i++)
    rc = tw_eo_add_row(api, &row, json_array_get(list, i), (int)i);
  if (rc == TW_OK && api->outbox_wake)
    api->outbox_wake(api->outbox_wake_ud);
  return rc;
}

/* ---- history ------------------------------------------------------------------- */

/* A stand-in for an alarm deleted since its notification was queued: the
 * history item needs only its name (history survives DeleteAlarms). */
static int tw_eo_stub_alarm(const char *name, tw_alarm **out) {
  json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:f,s:s}", "AlarmName",
                        name, "Namespace", "trailwatch", "MetricName",
                        "deleted", "Statistic", "Sum", "Period", 60,
                        "EvaluationPeriods", 1, "Threshold", 0.0,
                        "ComparisonOperator", "GreaterThanThreshold");
  char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (!text)
    return TW_ENOMEM;
  tw_error err;
  int rc = tw_alarm_parse_ex(text, strlen(text), out, &err, NULL);
  free(text);
  return rc;
}

int tw_engine_outbox_history(tw_api *api, const char *alarm,
                             const char *action, const char *failure,
                             int64_t now_ms) {
  tw_api_alarm *al = tw_engine_alarm_find(api, alarm);
  tw_alarm *stub = NULL;
  int rc = al ? TW_OK : tw_eo_stub_alarm(alarm, &stub);
  char *item = NULL;
  if (rc == TW_OK)
    rc = tw_alarm_history_action(al ? al->alarm : stub, action, failure,
                                 now_ms, &item);
  if (rc == TW_OK)
    rc = tw_store_history_insert(api->store, alarm, "Action", now_ms, item);
  free(item);
  tw_alarm_free(stub);
  return rc;
}
