/*
 * sketch.c — the log-bucketed quantile sketch behind percentile statistics
 * (see sketch.h for the error bound). Used by bucket.c once a time bucket
 * holds too many values to keep them all.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/sketch.h"
#include "trailwatch.h"

static double tw_sketch_gamma(void) {
  return (1.0 + TW_SKETCH_ALPHA) / (1.0 - TW_SKETCH_ALPHA);
}

static int32_t tw_sketch_index(double value) {
  return (int32_t)ceil(log(value) / log(tw_sketch_gamma()));
}

static double tw_sketch_bin_value(int32_t index) {
  double g = tw_sketch_gamma();
  return exp((double)index * log(g) + log(2.0 / (g + 1.0)));
}

int tw_rank_reached(double cum, double rank, double total) {
  double slack = 1e-9 * (total > 1.0 ? total : 1.0);
  return cum >= rank - slack;
}

void tw_sketch_free(tw_sketch *s) {
  free(s->bins);
  memset(s, 0, sizeof *s);
}

static int tw_sketch_reserve(tw_sketch *s, size_t need) {
  if (s->cap >= need)
    return TW_OK;
  size_t cap = s->cap ? s->cap : 4;
  while (cap < need)
    cap *= 2;
  tw_sketch_bin *b = realloc(s->bins, cap * sizeof *b);
  if (!b)
    return TW_ENOMEM;
  s->bins = b;
  s->cap = cap;
  return TW_OK;
}

/* Fold the lowest bins together until at most TW_SKETCH_MAX_BINS remain. */
static void tw_sketch_collapse(tw_sketch *s) {
  if (s->nbins <= TW_SKETCH_MAX_BINS)
    return;
  size_t k = s->nbins - TW_SKETCH_MAX_BINS;
  for (size_t i = 0; i < k; i++)
    s->bins[k].weight += s->bins[i].weight;
  memmove(s->bins, s->bins + k, (s->nbins - k) * sizeof *s->bins);
  s->nbins -= k;
}

/* First position whose index is >= idx. */
static size_t tw_sketch_find(const tw_sketch *s, int32_t idx) {
  size_t lo = 0, hi = s->nbins;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->bins[mid].index < idx)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int tw_sketch_add(tw_sketch *s, double value, double weight) {
  if (value == 0.0) {
    s->zero += weight;
    s->total += weight;
    return TW_OK;
  }
  int32_t idx = tw_sketch_index(value);
  size_t pos = tw_sketch_find(s, idx);
  if (pos < s->nbins && s->bins[pos].index == idx) {
    s->bins[pos].weight += weight;
  } else {
    int rc = tw_sketch_reserve(s, s->nbins + 1);
    if (rc)
      return rc;
    memmove(s->bins + pos + 1, s->bins + pos,
            (s->nbins - pos) * sizeof *s->bins);
    s->bins[pos].index = idx;
    s->bins[pos].weight = weight;
    s->nbins++;
  }
  s->total += weight;
  tw_sketch_collapse(s);
  return TW_OK;
}

int tw_sketch_merge(tw_sketch *dst, const tw_sketch *src) {
  if (src->nbins == 0) {
    dst->zero += src->zero;
    dst->total += src->zero;
    return TW_OK;
  }
  size_t cap = dst->nbins + src->nbins;
  tw_sketch_bin *out = malloc(cap * sizeof *out);
  if (!out)
    return TW_ENOMEM;
  size_t i = 0, j = 0, n = 0;
  while (i < dst->nbins || j < src->nbins) {
    if (j == src->nbins ||
        (i < dst->nbins && dst->bins[i].index < src->bins[j].index)) {
      out[n++] = dst->bins[i++];
    } else if (i == dst->nbins || src->bins[j].index < dst->bins[i].index) {
      out[n++] = src->bins[j++];
    } else {
      out[n] = dst->bins[i++];
      out[n++].weight += src->bins[j++].weight;
    }
  }
  free(dst->bins);
  dst->bins = out;
  dst->nbins = n;
  dst->cap = cap;
  dst->zero += src->zero;
  dst->total += src->total;
  tw_sketch_collapse(dst);
  return TW_OK;
}

double tw_sketch_value_at_rank(const tw_sketch *s, double rank) {
  double cum = s->zero;
  if (cum > 0.0 && tw_rank_reached(cum, rank, s->total))
    return 0.0;
  for (size_t i = 0; i < s->nbins; i++) {
    cum += s->bins[i].weight;
    if (tw_rank_reached(cum, rank, s->total))
      return tw_sketch_bin_value(s->bins[i].index);
  }
  return s->nbins ? tw_sketch_bin_value(s->bins[s->nbins - 1].index) : 0.0;
}
