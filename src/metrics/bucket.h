/*
 * bucket.h — one time bucket of one metric, and the per-period aggregate
 * built from buckets at query time (internal to src/metrics/).
 *
 * A bucket keeps count/sum/min/max, the data for percentiles and the first
 * K sampled events. Percentile data is exact while the bucket holds at most
 * TW_BUCKET_RAW_MAX distinct values (repeated values share one entry), and
 * a sketch (sketch.h) after that. A period aggregate stays exact while all
 * its buckets are exact and together hold at most TW_AGG_EXACT_MAX
 * entries. Negative values, or statistic sets whose values are spread,
 * make percentiles unavailable for the bucket (AWS rule).
 */
#ifndef TW_METRICS_BUCKET_H
#define TW_METRICS_BUCKET_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/sketch.h"
#include "trailwatch.h"

#define TW_BUCKET_RAW_MAX 64
#define TW_AGG_EXACT_MAX 100000

enum {
  TW_BUCKET_NOPCT = 1u, /* percentiles unavailable */
  TW_BUCKET_SKETCH = 2u /* percentile data is in sk, not raw */
};

typedef struct tw_wvalue {
  double value, weight;
} tw_wvalue;

typedef struct tw_msample {
  int64_t timestamp_ms;
  double value;
  char *event;
  size_t len;
} tw_msample;

typedef struct tw_mbucket {
  int64_t start_ms;
  double count, sum, min, max;
  unsigned flags;
  tw_wvalue *raw;
  uint32_t nraw, rawcap;
  tw_sketch sk;
  tw_msample *samples;
  uint32_t nsamples, samplecap;
} tw_mbucket;

void tw_mbucket_init(tw_mbucket *b, int64_t start_ms);
void tw_mbucket_free(tw_mbucket *b);

/* One value with a weight (1 for a plain value, Counts[i] otherwise). */
int tw_mbucket_add(tw_mbucket *b, double value, double weight);

/* A statistic set (already validated by the caller). */
int tw_mbucket_add_set(tw_mbucket *b, double count, double sum, double min,
                       double max);

/* Keep a copy of event if fewer than k samples are held. */
int tw_mbucket_add_sample(tw_mbucket *b, size_t k, int64_t timestamp_ms,
                          double value, const char *event, size_t len);

/* dst += src (src is left empty but must still be freed). */
int tw_mbucket_merge(tw_mbucket *dst, tw_mbucket *src, size_t k);

/* Heap bytes held by the bucket's arrays (approximate memory use). */
size_t tw_mbucket_heap_bytes(const tw_mbucket *b);

typedef struct tw_magg {
  double count, sum, min, max;
  int nopct, sketch_mode, sorted;
  tw_wvalue *raw;
  size_t nraw, cap;
  tw_sketch sk;
} tw_magg;

/* Zero-initialise; free with tw_magg_free. */
void tw_magg_free(tw_magg *a);
int tw_magg_add_bucket(tw_magg *a, const tw_mbucket *b);

/* Value of st for the aggregate; NaN when empty or unavailable. May sort
 * the aggregate's exact values in place. */
double tw_magg_stat(tw_magg *a, const tw_metric_stat *st);

#endif /* TW_METRICS_BUCKET_H */
