/*
 * key.h — metric identity (internal to src/metrics/): validation of a
 * tw_metric_key, its canonical byte encoding (namespace, name, dimensions
 * sorted by name; unit excluded) used as the hash-map key, and the
 * canonical ordering used by ListMetrics.
 */
#ifndef TW_METRICS_KEY_H
#define TW_METRICS_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"
#include "util/util.h"

#define TW_METRIC_MAX_DIMS 30

/* TW_OK or TW_EINVAL (empty namespace/name, bad dimension, duplicates). */
int tw_mkey_validate(const tw_metric_key *k);

/* Fill order[0..ndims) with dimension indexes sorted by name. */
void tw_mkey_sort_dims(const tw_metric_key *k, size_t *order);

/* Canonical encoding of a validated key into out (reset first). */
int tw_mkey_canonical(const tw_metric_key *k, tw_buf *out);

uint64_t tw_mkey_hash(const char *p, size_t n);

/* Canonical order: namespace, name, then dimension pairs in sorted order
 * (both keys must have sorted dimensions). */
int tw_mkey_compare(const tw_metric_key *a, const tw_metric_key *b);

#endif /* TW_METRICS_KEY_H */
