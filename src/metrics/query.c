/*
 * query.c — reads from tw_metric_store: per-period statistics
 * (GetMetricStatistics / alarm evaluation), sampled events of a time range
 * (the alarm notification's "Events"), ListMetrics iteration and memory
 * accounting. Results depend only on the data and the store's clock, never
 * on when the lazy sweep last ran (see tw_mstore_effective).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/key.h"
#include "metrics/store.h"

static int tw_period_ok(int period_s) {
  return period_s == 1 || period_s == 5 || period_s == 10 || period_s == 20 ||
         period_s == 30 || (period_s > 0 && period_s % 60 == 0);
}

static int tw_stream_selected(const tw_mstream *st, const tw_metric_key *key) {
  return key->unit == NULL || strcmp(st->unit, key->unit) == 0;
}

/* Visit the buckets of one series whose effective start lies in
 * [start_ms, end_ms); fn gets the bucket and its effective start. */
typedef int (*tw_bucket_fn)(const tw_mbucket *b, int64_t start, void *ud);

static int tw_mseries_visit(const tw_metric_store *s, const tw_mseries *se,
                            int is_seconds, int64_t start_ms, int64_t end_ms,
                            tw_bucket_fn fn, void *ud) {
  /* folded one-second buckets may count up to a minute earlier */
  int64_t from =
      start_ms > INT64_MIN + TW_MINUTE_MS ? start_ms - TW_MINUTE_MS : start_ms;
  for (size_t i = tw_mseries_lower(se, from); i < se->len; i++) {
    int64_t eff, width;
    if (!tw_mstore_effective(s, is_seconds, &se->b[i], &eff, &width) ||
        eff < start_ms)
      continue;
    if (eff >= end_ms)
      break;
    int rc = fn(&se->b[i], eff, ud);
    if (rc)
      return rc;
  }
  return TW_OK;
}

static int tw_metric_visit(const tw_metric_store *s, const tw_metric *m,
                           const tw_metric_key *key, int64_t start_ms,
                           int64_t end_ms, tw_bucket_fn fn, void *ud) {
  for (size_t i = 0; i < m->nstreams; i++) {
    const tw_mstream *st = &m->streams[i];
    if (!tw_stream_selected(st, key))
      continue;
    int rc = tw_mseries_visit(s, &st->minutes, 0, start_ms, end_ms, fn, ud);
    if (!rc)
      rc = tw_mseries_visit(s, &st->seconds, 1, start_ms, end_ms, fn, ud);
    if (rc)
      return rc;
  }
  return TW_OK;
}

/* ---- statistics ----------------------------------------------------- */

typedef struct tw_query_ctx {
  tw_magg *aggs;
  size_t nperiods;
  int64_t start_ms, period_ms;
} tw_query_ctx;

static int tw_query_add(const tw_mbucket *b, int64_t start, void *ud) {
  tw_query_ctx *q = ud;
  int64_t k = (start - q->start_ms) / q->period_ms;
  if ((uint64_t)k >= q->nperiods)
    return TW_OK;
  return tw_magg_add_bucket(&q->aggs[k], b);
}

/* Periods from q->nperiods to total lie past end_ms and stay empty. */
static void tw_query_output(tw_query_ctx *q, size_t total,
                            const tw_metric_stat *stats, size_t nstats,
                            tw_metric_datapoint *points, double *values) {
  tw_magg empty = {0};
  for (size_t k = 0; k < total; k++) {
    tw_magg *a = k < q->nperiods ? &q->aggs[k] : &empty;
    if (points) {
      points[k].timestamp_ms = q->start_ms + (int64_t)k * q->period_ms;
      points[k].sample_count = a->count;
      points[k].sum = a->count > 0.0 ? a->sum : 0.0;
      points[k].minimum = a->count > 0.0 ? a->min : NAN;
      points[k].maximum = a->count > 0.0 ? a->max : NAN;
    }
    for (size_t j = 0; values && j < nstats; j++)
      values[k * nstats + j] = tw_magg_stat(a, &stats[j]);
  }
}

static int tw_query_args_ok(const tw_metric_key *key, int64_t start_ms,
                            int64_t end_ms, int period_s,
                            const tw_metric_stat *stats, size_t nstats) {
  if (!key || tw_mkey_validate(key) != TW_OK || !tw_period_ok(period_s))
    return 0;
  if (start_ms < -TW_METRIC_MAX_ABS_MS || end_ms > TW_METRIC_MAX_ABS_MS ||
      end_ms < start_ms || (nstats && !stats))
    return 0;
  for (size_t j = 0; j < nstats; j++)
    if (stats[j].kind == TW_METRIC_STAT_PERCENTILE &&
        !(stats[j].percentile >= 0.0 && stats[j].percentile <= 100.0))
      return 0;
  return 1;
}

int tw_metric_store_query(const tw_metric_store *s, const tw_metric_key *key,
                          int64_t start_ms, int64_t end_ms, int period_s,
                          const tw_metric_stat *stats, size_t nstats,
                          tw_metric_datapoint *points, double *values,
                          size_t nperiods) {
  if (!s || !tw_query_args_ok(key, start_ms, end_ms, period_s, stats, nstats))
    return TW_EINVAL;
  int64_t period_ms = (int64_t)period_s * 1000;
  uint64_t needed = (uint64_t)((end_ms - start_ms + period_ms - 1) / period_ms);
  tw_query_ctx q = {NULL, nperiods < needed ? nperiods : (size_t)needed,
                    start_ms, period_ms};
  if (q.nperiods && !(q.aggs = calloc(q.nperiods, sizeof(tw_magg))))
    return TW_ENOMEM;
  const tw_metric *m = tw_mstore_lookup(s, key);
  int rc = m ? tw_metric_visit(s, m, key, start_ms, end_ms, tw_query_add, &q)
             : TW_OK;
  if (rc == TW_OK)
    tw_query_output(&q, nperiods, stats, nstats, points, values);
  for (size_t k = 0; k < q.nperiods; k++)
    tw_magg_free(&q.aggs[k]);
  free(q.aggs);
  return rc;
}

/* ---- sampled events ------------------------------------------------- */

typedef struct tw_event_ref {
  tw_metric_event ev;
  size_t seq; /* collection order, to keep the sort stable */
} tw_event_ref;

typedef struct tw_events_ctx {
  tw_event_ref *refs;
  size_t n, cap;
} tw_events_ctx;

static int tw_events_add(const tw_mbucket *b, int64_t start, void *ud) {
  tw_events_ctx *c = ud;
  (void)start;
  if (c->n + b->nsamples > c->cap) {
    size_t cap = c->cap ? c->cap : 16;
    while (cap < c->n + b->nsamples)
      cap *= 2;
    tw_event_ref *r = realloc(c->refs, cap * sizeof *r);
    if (!r)
      return TW_ENOMEM;
    c->refs = r;
    c->cap = cap;
  }
  for (uint32_t i = 0; i < b->nsamples; i++) {
    const tw_msample *sm = &b->samples[i];
    tw_event_ref *r = &c->refs[c->n];
    r->ev.timestamp_ms = sm->timestamp_ms;
    r->ev.value = sm->value;
    r->ev.event = sm->event;
    r->ev.event_len = sm->len;
    r->seq = c->n++;
  }
  return TW_OK;
}

static int tw_event_ref_cmp(const void *x, const void *y) {
  const tw_event_ref *a = x, *b = y;
  if (a->ev.timestamp_ms != b->ev.timestamp_ms)
    return a->ev.timestamp_ms < b->ev.timestamp_ms ? -1 : 1;
  return (a->seq > b->seq) - (a->seq < b->seq);
}

int tw_metric_store_events(const tw_metric_store *s, const tw_metric_key *key,
                           int64_t start_ms, int64_t end_ms,
                           tw_metric_event *out, size_t cap, size_t *n) {
  if (!s || !n || (cap && !out) || tw_mkey_validate(key) != TW_OK)
    return TW_EINVAL;
  *n = 0;
  const tw_metric *m = tw_mstore_lookup(s, key);
  if (!m)
    return TW_OK;
  tw_events_ctx c = {0};
  int rc = tw_metric_visit(s, m, key, start_ms, end_ms, tw_events_add, &c);
  if (rc == TW_OK) {
    if (c.n > 1)
      qsort(c.refs, c.n, sizeof *c.refs, tw_event_ref_cmp);
    for (size_t i = 0; i < c.n && i < cap; i++)
      out[(*n)++] = c.refs[i].ev;
  }
  free(c.refs);
  return rc;
}

/* ---- ListMetrics and usage ----------------------------------------- */

static int tw_mseries_live(const tw_metric_store *s, const tw_mseries *se,
                           int is_seconds) {
  int64_t eff, width;
  return tw_mseries_count(se) > 0 &&
         tw_mstore_effective(s, is_seconds, &se->b[se->len - 1], &eff, &width);
}

static int tw_metric_live(const tw_metric_store *s, const tw_metric *m) {
  for (size_t i = 0; i < m->nstreams; i++)
    if (tw_mseries_live(s, &m->streams[i].minutes, 0) ||
        tw_mseries_live(s, &m->streams[i].seconds, 1))
      return 1;
  return 0;
}

static int tw_metric_ptr_cmp(const void *x, const void *y) {
  const tw_metric *a = *(const tw_metric *const *)x;
  const tw_metric *b = *(const tw_metric *const *)y;
  return tw_mkey_compare(&a->key, &b->key);
}

int tw_metric_store_foreach(const tw_metric_store *s, tw_metric_key_fn fn,
                            void *ud) {
  if (!s || !fn)
    return TW_EINVAL;
  const tw_metric **list = malloc((s->count ? s->count : 1) * sizeof *list);
  if (!list)
    return TW_ENOMEM;
  size_t n = 0;
  for (size_t i = 0; i < s->nslots; i++)
    for (const tw_metric *m = s->slots[i]; m; m = m->next)
      if (tw_metric_live(s, m))
        list[n++] = m;
  qsort(list, n, sizeof *list, tw_metric_ptr_cmp);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = fn(&list[i]->key, ud);
  free(list);
  return rc;
}

void tw_metric_store_usage(const tw_metric_store *s, size_t *metrics,
                           size_t *buckets) {
  size_t nb = 0;
  for (size_t i = 0; s && i < s->nslots; i++)
    for (const tw_metric *m = s->slots[i]; m; m = m->next)
      for (size_t j = 0; j < m->nstreams; j++)
        nb += tw_mseries_count(&m->streams[j].minutes) +
              tw_mseries_count(&m->streams[j].seconds);
  if (metrics)
    *metrics = s ? s->count : 0;
  if (buckets)
    *buckets = nb;
}
