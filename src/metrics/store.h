/*
 * store.h — internal layout of tw_metric_store (src/metrics/ only).
 *
 * The store is a chained hash map from the canonical metric key (key.h) to
 * a tw_metric; each metric holds one stream per unit; each stream holds a
 * minute series and a one-second series (series.h). store.c implements
 * puts, retention and the map; query.c implements reads.
 */
#ifndef TW_METRICS_STORE_H
#define TW_METRICS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/series.h"
#include "trailwatch.h"
#include "util/util.h"

#define TW_MINUTE_MS 60000
#define TW_SECOND_MS 1000
/* Timestamps outside +-2^53 ms are rejected (keeps arithmetic exact). */
#define TW_METRIC_MAX_ABS_MS (INT64_C(1) << 53)

typedef struct tw_mstream {
  char *unit;
  tw_mseries minutes;
  tw_mseries seconds;
} tw_mstream;

typedef struct tw_metric {
  struct tw_metric *next;
  uint64_t hash;
  char *canon;
  size_t canon_len;
  tw_metric_key key; /* owned copies, dims sorted by name, unit NULL */
  tw_mstream *streams;
  size_t nstreams;
} tw_metric;

struct tw_metric_store {
  tw_metric_store_config cfg;
  tw_metric **slots;
  size_t nslots, count;
  int have_horizon;
  int64_t horizon_ms;    /* newest timestamp seen (or advanced to) */
  int64_t next_sweep_ms; /* horizon at which expired data is next freed */
  tw_buf scratch;        /* canonical key of the current put */
};

int64_t tw_metric_floor_to(int64_t t, int64_t width);

/* Oldest start a bucket of width w may have and still be inside the
 * retention window; INT64_MIN before any data. */
int64_t tw_mstore_min_start(const tw_metric_store *s, int64_t width);

/* Where a bucket counts at query time: one-second buckets old enough to
 * be folded into their minute count as that minute (whether or not the
 * sweep has folded them yet), so results never depend on sweep timing.
 * Returns 0 when the bucket is outside the retention window. */
int tw_mstore_effective(const tw_metric_store *s, int is_seconds,
                        const tw_mbucket *b, int64_t *start, int64_t *width);

/* The metric named by key (unit ignored), or NULL. */
tw_metric *tw_mstore_lookup(const tw_metric_store *s, const tw_metric_key *key);

#endif /* TW_METRICS_STORE_H */
