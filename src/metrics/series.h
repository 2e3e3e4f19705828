/*
 * series.h — a time-ordered run of buckets of one width (60 s or 1 s) for
 * one metric and unit (internal to src/metrics/). Buckets live in
 * b[head..len) sorted by start; expired buckets are released from the
 * front, so appending in time order and dropping by retention are O(1)
 * amortised, and late inserts cost a binary search and a move.
 */
#ifndef TW_METRICS_SERIES_H
#define TW_METRICS_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/bucket.h"

typedef struct tw_mseries {
  tw_mbucket *b;
  size_t head, len, cap;
} tw_mseries;

/* Zero-initialise; free with tw_mseries_free. */
void tw_mseries_free(tw_mseries *s);

static inline size_t tw_mseries_count(const tw_mseries *s) {
  return s->len - s->head;
}

/* The bucket starting at start_ms, created if needed. The pointer is valid
 * until the next change to the series. */
int tw_mseries_get(tw_mseries *s, int64_t start_ms, tw_mbucket **out);

/* Index (>= head) of the first bucket with start >= t. */
size_t tw_mseries_lower(const tw_mseries *s, int64_t t);

/* Free buckets with start < t from the front; returns how many. */
size_t tw_mseries_drop_before(tw_mseries *s, int64_t t);

/* Remove the front bucket into *out (caller frees it). s must not be
 * empty. */
void tw_mseries_pop_front(tw_mseries *s, tw_mbucket *out);

#endif /* TW_METRICS_SERIES_H */
