/*
 * sketch.h — mergeable quantile sketch for non-negative values (internal to
 * src/metrics/).
 *
 * Log-bucketed, in the style of DDSketch: a positive value x goes to bin
 * i = ceil(log(x) / log(g)) with g = (1 + A) / (1 - A), A = TW_SKETCH_ALPHA;
 * a bin is reported as 2 g^i / (g + 1), which is within A (relative) of
 * every value in it. Zeros are counted apart. Bins are a sparse sorted
 * array of (index, weight); when more than TW_SKETCH_MAX_BINS are in use
 * the two lowest bins are merged (only the lowest quantiles then lose the
 * bound; 4096 bins span max/min ~ 6e17 before that happens).
 * Weights are doubles so PutMetricData Counts can be fractional.
 */
#ifndef TW_METRICS_SKETCH_H
#define TW_METRICS_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define TW_SKETCH_ALPHA 0.005
#define TW_SKETCH_MAX_BINS 4096

typedef struct tw_sketch_bin {
  int32_t index;
  double weight;
} tw_sketch_bin;

/* Zero-initialise; free with tw_sketch_free. */
typedef struct tw_sketch {
  tw_sketch_bin *bins;
  size_t nbins, cap;
  double zero;  /* weight of values == 0 */
  double total; /* zero + all bin weights */
} tw_sketch;

void tw_sketch_free(tw_sketch *s);

/* Add value (finite, >= 0) with weight (> 0). */
int tw_sketch_add(tw_sketch *s, double value, double weight);

/* dst += src. */
int tw_sketch_merge(tw_sketch *dst, const tw_sketch *src);

/* Value of the given rank, 0 < rank <= total (weight units): the bin where
 * the cumulative weight first reaches rank. Caller clamps to [min, max]. */
double tw_sketch_value_at_rank(const tw_sketch *s, double rank);

/* True when cumulative weight cum reaches rank (tolerates rounding in
 * rank = p/100 * total). Shared with the exact path. */
int tw_rank_reached(double cum, double rank, double total);

#endif /* TW_METRICS_SKETCH_H */
