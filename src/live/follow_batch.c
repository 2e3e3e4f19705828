/*
 * follow_batch.c — batches of the live sources: events gathered from
 * src/ingest (messages copied, events without a time stamped with the
 * wall clock), committed in one transaction under the API lock together
 * with the source's progress rows; plus the collector of the problems
 * src/ingest reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/follow_internal.h"

/* ---- batch ---------------------------------------------------------------- */

static int tw_fbatch_grow(tw_fbatch *b) {
  size_t cap = b->cap ? b->cap * 2 : 256;
  int64_t *ts = realloc(b->ts, cap * sizeof *ts);
  if (ts)
    b->ts = ts;
  size_t *off = realloc(b->off, cap * sizeof *off);
  if (off)
    b->off = off;
  size_t *len = realloc(b->len, cap * sizeof *len);
  if (len)
    b->len = len;
  if (!ts || !off || !len)
    return TW_ENOMEM;
  b->cap = cap;
  return TW_OK;
}

int tw_fbatch_add(tw_fbatch *b, int64_t ts, const char *msg, size_t len) {
  if (b->n == b->cap && tw_fbatch_grow(b))
    return TW_ENOMEM;
  size_t off = b->text.len;
  if (tw_buf_append(&b->text, msg, len))
    return TW_ENOMEM;
  if (b->n == 0)
    b->first_ms = tw_api_now_ms();
  b->ts[b->n] = ts;
  b->off[b->n] = off;
  b->len[b->n++] = len;
  return TW_OK;
}

void tw_fbatch_clear(tw_fbatch *b) {
  b->n = 0;
  b->text.len = 0;
  b->first_ms = 0;
}

void tw_fbatch_free(tw_fbatch *b) {
  tw_buf_free(&b->text);
  free(b->ts);
  free(b->off);
  free(b->len);
  memset(b, 0, sizeof *b);
}

int tw_fbatch_full(const tw_fbatch *b, int64_t now_ms) {
  return b->n >= TW_FOLLOW_BATCH_EVENTS ||
         b->text.len >= TW_FOLLOW_BATCH_BYTES ||
         (b->n && now_ms - b->first_ms >= TW_FOLLOW_BATCH_MS);
}

int tw_fbatch_ingest(tw_fsrc *s, const tw_fbatch *b, size_t from, size_t to,
                     const char *stream, int64_t now_ms, tw_live_counts *c) {
  size_t n = to - from;
  const char **msg = malloc((n ? n : 1) * sizeof *msg);
  if (!msg)
    return TW_ENOMEM;
  for (size_t i = 0; i < n; i++)
    msg[i] = b->text.data + b->off[from + i];
  tw_live_batch lb = {b->ts + from, msg, b->len + from, n};
  tw_live_target t = {s->group, stream, s->source};
  int rc = tw_api_ingest_live(s->api, &t, &lb, now_ms, c);
  free(msg);
  return rc;
}

/* ---- transactions ------------------------------------------------------------ */

static void tw_follow_log_counts(tw_fsrc *s, const tw_live_counts *c) {
  char a[24], b[24], d[24], e[24];
  if (c->too_old || c->too_new || c->expired)
    tw_log_kv(s->log, TW_LOG_INFO, "follow.skipped", "source", s->path,
              "too_old", tw_follow_num(a, sizeof a, (int64_t)c->too_old),
              "expired", tw_follow_num(b, sizeof b, (int64_t)c->expired),
              "too_new", tw_follow_num(d, sizeof d, (int64_t)c->too_new),
              NULL);
  if (tw_log_enabled(s->log, TW_LOG_DEBUG))
    tw_log_kv(s->log, TW_LOG_DEBUG, "follow.batch", "source", s->path,
              "ingested", tw_follow_num(e, sizeof e, (int64_t)c->ingested),
              NULL);
}

int tw_follow_tx(tw_fsrc *s, tw_ftx_fn fn, void *ud) {
  tw_live_counts c;
  memset(&c, 0, sizeof c);
  tw_api_lock(s->api);
  int64_t now = tw_api_now_ms();
  int rc = tw_api_begin(s->api);
  if (rc == TW_OK && (rc = fn(s, ud, now, &c)) != TW_OK)
    tw_api_rollback(s->api);
  else if (rc == TW_OK)
    rc = tw_api_commit(s->api);
  tw_api_unlock(s->api);
  if (rc)
    tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", s->path,
              "error", rc == TW_EINVAL ? "invalid log stream name"
                                       : tw_strerror(rc),
              NULL);
  else
    tw_follow_log_counts(s, &c);
  return rc;
}

/* ---- problems and events from src/ingest ---------------------------------------- */

void tw_ferrs_cb(void *ctx, const char *source, int64_t offset,
                 const char *reason) {
  tw_ferrs *e = ctx;
  (void)source;
  if (e->count++ == 0) {
    e->first_offset = offset < 0 ? -1 : e->base + offset;
    snprintf(e->first, sizeof e->first, "%s", reason);
  }
}

void tw_ferrs_reset(tw_ferrs *e) {
  e->count = 0;
  e->base = 0;
  e->first_offset = -1;
  e->first[0] = '\0';
}

int tw_follow_ingest_new(tw_ferrs *e, tw_ingest **out) {
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  o.on_error = tw_ferrs_cb;
  o.error_ctx = e;
  tw_ferrs_reset(e);
  return tw_ingest_new(&o, out);
}

int tw_fevents_cb(void *ctx, const tw_ingest_event *ev) {
  tw_fevents *e = ctx;
  if (e->seen++ < e->skip)
    return 0;
  int64_t ts = ev->time_ms == INT64_MIN ? e->now_ms : ev->time_ms;
  return tw_fbatch_add(e->b, ts, ev->message, ev->len);
}
