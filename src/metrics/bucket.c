/*
 * bucket.c — time buckets (count, sum, min, max, percentile data, sampled
 * events) and the per-period aggregates computed from them at query time.
 * See bucket.h for when percentiles are exact and when they come from the
 * sketch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/bucket.h"

void tw_mbucket_init(tw_mbucket *b, int64_t start_ms) {
  memset(b, 0, sizeof *b);
  b->start_ms = start_ms;
}

static void tw_mbucket_drop_pct(tw_mbucket *b) {
  free(b->raw);
  b->raw = NULL;
  b->nraw = b->rawcap = 0;
  tw_sketch_free(&b->sk);
  b->flags = (b->flags | TW_BUCKET_NOPCT) & ~TW_BUCKET_SKETCH;
}

void tw_mbucket_free(tw_mbucket *b) {
  tw_mbucket_drop_pct(b);
  for (uint32_t i = 0; i < b->nsamples; i++)
    free(b->samples[i].event);
  free(b->samples);
  b->samples = NULL;
  b->nsamples = b->samplecap = 0;
}

static void tw_mbucket_add_basic(tw_mbucket *b, double count, double sum,
                                 double min, double max) {
  if (b->count == 0.0 || min < b->min)
    b->min = min;
  if (b->count == 0.0 || max > b->max)
    b->max = max;
  b->count += count;
  b->sum += sum;
}

/* Move the exact values into the sketch. */
static int tw_mbucket_to_sketch(tw_mbucket *b) {
  for (uint32_t i = 0; i < b->nraw; i++) {
    int rc = tw_sketch_add(&b->sk, b->raw[i].value, b->raw[i].weight);
    if (rc)
      return rc;
  }
  free(b->raw);
  b->raw = NULL;
  b->nraw = b->rawcap = 0;
  b->flags |= TW_BUCKET_SKETCH;
  return TW_OK;
}

static int tw_mbucket_raw_add(tw_mbucket *b, double value, double weight) {
  for (uint32_t i = 0; i < b->nraw; i++) {
    if (b->raw[i].value == value) {
      b->raw[i].weight += weight;
      return TW_OK;
    }
  }
  if (b->nraw == TW_BUCKET_RAW_MAX) {
    int rc = tw_mbucket_to_sketch(b);
    return rc ? rc : tw_sketch_add(&b->sk, value, weight);
  }
  if (b->nraw == b->rawcap) {
    uint32_t cap = b->rawcap ? b->rawcap * 2 : 2;
    tw_wvalue *r = realloc(b->raw, cap * sizeof *r);
    if (!r)
      return TW_ENOMEM;
    b->raw = r;
    b->rawcap = cap;
  }
  b->raw[b->nraw].value = value;
  b->raw[b->nraw++].weight = weight;
  return TW_OK;
}

/* Percentile data for one (value, weight). */
static int tw_mbucket_pct_add(tw_mbucket *b, double value, double weight) {
  if (b->flags & TW_BUCKET_NOPCT)
    return TW_OK;
  if (value < 0.0) {
    tw_mbucket_drop_pct(b);
    return TW_OK;
  }
  if (weight <= 0.0)
    return TW_OK;
  if (b->flags & TW_BUCKET_SKETCH)
    return tw_sketch_add(&b->sk, value, weight);
  return tw_mbucket_raw_add(b, value, weight);
}

int tw_mbucket_add(tw_mbucket *b, double value, double weight) {
  tw_mbucket_add_basic(b, weight, value * weight, value, value);
  return tw_mbucket_pct_add(b, value, weight);
}

int tw_mbucket_add_set(tw_mbucket *b, double count, double sum, double min,
                       double max) {
  tw_mbucket_add_basic(b, count, sum, min, max);
  if (count == 1.0 || min == max)
    return tw_mbucket_pct_add(b, min, count);
  tw_mbucket_drop_pct(b);
  return TW_OK;
}

static int tw_mbucket_sample_push(tw_mbucket *b, tw_msample *s) {
  if (b->nsamples == b->samplecap) {
    uint32_t cap = b->samplecap ? b->samplecap * 2 : 2;
    tw_msample *p = realloc(b->samples, cap * sizeof *p);
    if (!p)
      return TW_ENOMEM;
    b->samples = p;
    b->samplecap = cap;
  }
  b->samples[b->nsamples++] = *s;
  return TW_OK;
}

int tw_mbucket_add_sample(tw_mbucket *b, size_t k, int64_t timestamp_ms,
                          double value, const char *event, size_t len) {
  if (!event || b->nsamples >= k)
    return TW_OK;
  tw_msample s = {timestamp_ms, value, malloc(len + 1), len};
  if (!s.event)
    return TW_ENOMEM;
  memcpy(s.event, event, len);
  s.event[len] = '\0';
  int rc = tw_mbucket_sample_push(b, &s);
  if (rc)
    free(s.event);
  return rc;
}

static int tw_mbucket_merge_pct(tw_mbucket *dst, const tw_mbucket *src) {
  if (src->flags & TW_BUCKET_NOPCT) {
    tw_mbucket_drop_pct(dst);
    return TW_OK;
  }
  if (src->flags & TW_BUCKET_SKETCH) {
    if (dst->flags & TW_BUCKET_NOPCT)
      return TW_OK;
    if (!(dst->flags & TW_BUCKET_SKETCH)) {
      int rc = tw_mbucket_to_sketch(dst);
      if (rc)
        return rc;
    }
    return tw_sketch_merge(&dst->sk, &src->sk);
  }
  for (uint32_t i = 0; i < src->nraw; i++) {
    int rc = tw_mbucket_pct_add(dst, src->raw[i].value, src->raw[i].weight);
    if (rc)
      return rc;
  }
  return TW_OK;
}

int tw_mbucket_merge(tw_mbucket *dst, tw_mbucket *src, size_t k) {
  if (src->count > 0.0)
    tw_mbucket_add_basic(dst, src->count, src->sum, src->min, src->max);
  int rc = tw_mbucket_merge_pct(dst, src);
  for (uint32_t i = 0; i < src->nsamples; i++) {
    if (rc == TW_OK && dst->nsamples < k) {
      rc = tw_mbucket_sample_push(dst, &src->samples[i]);
      if (rc == TW_OK)
        continue;
    }
    free(src->samples[i].event);
  }
  src->nsamples = 0;
  return rc;
}

size_t tw_mbucket_heap_bytes(const tw_mbucket *b) {
  size_t n = b->rawcap * sizeof *b->raw + b->sk.cap * sizeof *b->sk.bins +
             b->samplecap * sizeof *b->samples;
  for (uint32_t i = 0; i < b->nsamples; i++)
    n += b->samples[i].len + 1;
  return n;
}

/* ---- per-period aggregate ------------------------------------------ */

void tw_magg_free(tw_magg *a) {
  free(a->raw);
  tw_sketch_free(&a->sk);
  memset(a, 0, sizeof *a);
}

static void tw_magg_drop_pct(tw_magg *a) {
  free(a->raw);
  a->raw = NULL;
  a->nraw = a->cap = 0;
  tw_sketch_free(&a->sk);
  a->nopct = 1;
}

static int tw_magg_to_sketch(tw_magg *a) {
  for (size_t i = 0; i < a->nraw; i++) {
    int rc = tw_sketch_add(&a->sk, a->raw[i].value, a->raw[i].weight);
    if (rc)
      return rc;
  }
  free(a->raw);
  a->raw = NULL;
  a->nraw = a->cap = 0;
  a->sketch_mode = 1;
  return TW_OK;
}

static int tw_magg_append_raw(tw_magg *a, const tw_wvalue *v, size_t n) {
  if (a->nraw + n > a->cap) {
    size_t cap = a->cap ? a->cap : 16;
    while (cap < a->nraw + n)
      cap *= 2;
    tw_wvalue *r = realloc(a->raw, cap * sizeof *r);
    if (!r)
      return TW_ENOMEM;
    a->raw = r;
    a->cap = cap;
  }
  memcpy(a->raw + a->nraw, v, n * sizeof *v);
  a->nraw += n;
  a->sorted = 0;
  return TW_OK;
}

static int tw_magg_add_pct(tw_magg *a, const tw_mbucket *b) {
  if (b->flags & TW_BUCKET_NOPCT) {
    tw_magg_drop_pct(a);
    return TW_OK;
  }
  int exact = !(b->flags & TW_BUCKET_SKETCH);
  if (!a->sketch_mode && exact && a->nraw + b->nraw <= TW_AGG_EXACT_MAX)
    return tw_magg_append_raw(a, b->raw, b->nraw);
  if (!a->sketch_mode) {
    int rc = tw_magg_to_sketch(a);
    if (rc)
      return rc;
  }
  if (!exact)
    return tw_sketch_merge(&a->sk, &b->sk);
  for (uint32_t i = 0; i < b->nraw; i++) {
    int rc = tw_sketch_add(&a->sk, b->raw[i].value, b->raw[i].weight);
    if (rc)
      return rc;
  }
  return TW_OK;
}

int tw_magg_add_bucket(tw_magg *a, const tw_mbucket *b) {
  if (b->count <= 0.0)
    return TW_OK;
  if (a->count == 0.0 || b->min < a->min)
    a->min = b->min;
  if (a->count == 0.0 || b->max > a->max)
    a->max = b->max;
  a->count += b->count;
  a->sum += b->sum;
  return a->nopct ? TW_OK : tw_magg_add_pct(a, b);
}

static int tw_wvalue_cmp(const void *x, const void *y) {
  double a = ((const tw_wvalue *)x)->value, b = ((const tw_wvalue *)y)->value;
  return (a > b) - (a < b);
}

/* Smallest value whose cumulative weight reaches rank. */
static double tw_magg_exact_rank(tw_magg *a, double rank) {
  if (!a->sorted) {
    qsort(a->raw, a->nraw, sizeof *a->raw, tw_wvalue_cmp);
    a->sorted = 1;
  }
  double total = 0.0, cum = 0.0;
  for (size_t i = 0; i < a->nraw; i++)
    total += a->raw[i].weight;
  for (size_t i = 0; i < a->nraw; i++) {
    cum += a->raw[i].weight;
    if (tw_rank_reached(cum, rank, total))
      return a->raw[i].value;
  }
  return a->nraw ? a->raw[a->nraw - 1].value : NAN;
}

static double tw_magg_percentile(tw_magg *a, double p) {
  if (a->nopct)
    return NAN;
  if (p <= 0.0)
    return a->min;
  if (p >= 100.0)
    return a->max;
  if (!a->sketch_mode) {
    double total = 0.0;
    for (size_t i = 0; i < a->nraw; i++)
      total += a->raw[i].weight;
    return tw_magg_exact_rank(a, p / 100.0 * total);
  }
  double v = tw_sketch_value_at_rank(&a->sk, p / 100.0 * a->sk.total);
  if (v < a->min)
    v = a->min;
  if (v > a->max)
    v = a->max;
  return v;
}

double tw_magg_stat(tw_magg *a, const tw_metric_stat *st) {
  if (a->count <= 0.0)
    return NAN;
  switch (st->kind) {
  case TW_METRIC_STAT_SAMPLE_COUNT:
    return a->count;
  case TW_METRIC_STAT_SUM:
    return a->sum;
  case TW_METRIC_STAT_AVERAGE:
    return a->sum / a->count;
  case TW_METRIC_STAT_MINIMUM:
    return a->min;
  case TW_METRIC_STAT_MAXIMUM:
    return a->max;
  case TW_METRIC_STAT_PERCENTILE:
    return tw_magg_percentile(a, st->percentile);
  }
  return NAN;
}
