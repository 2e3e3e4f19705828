/*
 * ingest_live.c — the API-level entry of the live sources (src/live/):
 * a batch of events (timestamp, message) goes into a log stream of a log
 * group, both created when missing, through the same path as PutLogEvents
 * (tw_api_events_store: store insert, live metric filters, ingestion
 * counters). PutLogEvents' time rules (14 days old, the group's retention,
 * 2 hours ahead) apply per event: such events are skipped and counted,
 * never an error. Also the transaction and store accessors the sources use
 * to commit their progress rows together with their events.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

#define TW_DAY_MS INT64_C(86400000)
#define TW_FUTURE_MS INT64_C(7200000)

int tw_api_events_store(tw_api *api, int64_t group_id, int64_t stream_id,
                        const tw_live_batch *b, int64_t now_ms,
                        const char *source, int64_t *last_seq) {
  int64_t bytes = 0, seq = 0, lo = INT64_MAX, hi = INT64_MIN;
  int rc = tw_engine_filters_advance(api, now_ms);
  for (size_t i = 0; rc == TW_OK && i < b->n; i++) {
    rc = tw_store_event_insert(api->store, group_id, stream_id, b->ts[i],
                               now_ms, b->msg[i], b->len[i], &seq);
    if (rc == TW_OK)
      rc = tw_engine_filters_event(api, group_id, b->ts[i], b->msg[i],
                                   b->len[i]);
    bytes += (int64_t)b->len[i];
    lo = b->ts[i] < lo ? b->ts[i] : lo;
    hi = b->ts[i] > hi ? b->ts[i] : hi;
  }
  if (rc == TW_OK && b->n)
    tw_api_note_ingested(api, source, (uint64_t)b->n);
  if (rc == TW_OK && b->n)
    rc = tw_store_stream_touch(api->store, stream_id, lo, hi, now_ms, bytes);
  if (last_seq)
    *last_seq = seq;
  return rc;
}

int tw_api_group_name_ok(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > 512 || !strncmp(name, "aws/", 4))
    return 0;
  for (const char *s = name; *s; s++)
    if (!strchr("._-/#", *s) && !((*s >= 'a' && *s <= 'z') ||
                                   (*s >= 'A' && *s <= 'Z') ||
                                   (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

static int tw_live_stream_name_ok(const char *name) {
  size_t n = strlen(name);
  return n > 0 && n <= 512 && !strpbrk(name, ":*");
}

static int tw_live_group(tw_api *api, const char *name, int64_t now_ms,
                         tw_store_group *g) {
  int rc = tw_store_group_get(api->store, name, g);
  if (rc != TW_ENOTFOUND)
    return rc;
  if (!tw_api_group_name_ok(name))
    return TW_EINVAL;
  memset(g, 0, sizeof *g);
  snprintf(g->name, sizeof g->name, "%s", name);
  snprintf(g->cls, sizeof g->cls, "STANDARD");
  g->creation_ms = now_ms;
  int created = 0;
  return tw_store_group_create(api->store, g, &created);
}

int tw_api_ensure_group(tw_api *api, const char *group, int64_t now_ms) {
  tw_store_group g;
  return tw_live_group(api, group, now_ms, &g);
}

static int tw_live_stream(tw_api *api, int64_t group_id, const char *name,
                          int64_t now_ms, tw_store_stream *st) {
  int rc = tw_store_stream_get(api->store, group_id, name, st);
  if (rc != TW_ENOTFOUND)
    return rc;
  if (!tw_live_stream_name_ok(name))
    return TW_EINVAL;
  memset(st, 0, sizeof *st);
  st->group_id = group_id;
  snprintf(st->name, sizeof st->name, "%s", name);
  st->creation_ms = now_ms;
  int created = 0;
  return tw_store_stream_create(api->store, st, &created);
}

/* Which window rule rejects ts (counted in c), 0 when accepted. */
static int tw_live_rejected(int64_t ts, int64_t now, int retention,
                            tw_live_counts *c) {
  if (ts < now - 14 * TW_DAY_MS) {
    c->too_old++;
    return 1;
  }
  if (retention > 0 && ts < now - retention * TW_DAY_MS) {
    c->expired++;
    return 1;
  }
  if (ts > now + TW_FUTURE_MS) {
    c->too_new++;
    return 1;
  }
  return 0;
}

/* The accepted events of b, in order, into parallel arrays. */
typedef struct tw_live_kept {
  int64_t *ts;
  const char **msg;
  size_t *len;
  size_t n;
} tw_live_kept;

static void tw_live_kept_free(tw_live_kept *k) {
  free(k->ts);
  free(k->msg);
  free(k->len);
}

static int tw_live_filter(const tw_live_batch *b, int64_t now, int retention,
                          tw_live_kept *k, tw_live_counts *c) {
  size_t cap = b->n ? b->n : 1;
  k->ts = malloc(cap * sizeof *k->ts);
  k->msg = malloc(cap * sizeof *k->msg);
  k->len = malloc(cap * sizeof *k->len);
  k->n = 0;
  if (!k->ts || !k->msg || !k->len)
    return TW_ENOMEM;
  for (size_t i = 0; i < b->n; i++) {
    if (tw_live_rejected(b->ts[i], now, retention, c))
      continue;
    k->ts[k->n] = b->ts[i];
    k->msg[k->n] = b->msg[i];
    k->len[k->n++] = b->len[i];
  }
  return TW_OK;
}

int tw_api_ingest_live(tw_api *api, const tw_live_target *t,
                       const tw_live_batch *b, int64_t now_ms,
                       tw_live_counts *out) {
  tw_store_group g;
  tw_store_stream st;
  int rc = tw_live_group(api, t->group, now_ms, &g);
  if (rc == TW_OK)
    rc = tw_live_stream(api, g.id, t->stream, now_ms, &st);
  if (rc)
    return rc;
  tw_live_kept k = {NULL, NULL, NULL, 0};
  rc = tw_live_filter(b, now_ms, g.retention_days, &k, out);
  if (rc == TW_OK && k.n) {
    tw_live_batch kb = {k.ts, k.msg, k.len, k.n};
    rc = tw_api_events_store(api, g.id, st.id, &kb, now_ms, t->source, NULL);
  }
  if (rc == TW_OK)
    out->ingested += k.n;
  tw_live_kept_free(&k);
  return rc;
}

int tw_api_begin(tw_api *api) { return tw_store_begin(api->store); }
int tw_api_commit(tw_api *api) { return tw_store_commit(api->store); }
void tw_api_rollback(tw_api *api) { tw_store_rollback(api->store); }
struct tw_store *tw_api_store(tw_api *api) { return api->store; }
