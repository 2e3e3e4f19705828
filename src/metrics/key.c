/*
 * key.c — metric identity: validation, canonical encoding and ordering of
 * tw_metric_key (see key.h). Two keys naming the same dimensions in a
 * different order encode to the same bytes, so they are the same metric.
 */
#include <stdio.h>
#include <string.h>

#include "metrics/key.h"

static int tw_mkey_str_ok(const char *s, size_t max) {
  if (!s)
    return 0;
  size_t n = strlen(s);
  return n >= 1 && n <= max;
}

void tw_mkey_sort_dims(const tw_metric_key *k, size_t *order) {
  for (size_t i = 0; i < k->ndims; i++) {
    size_t j = i;
    while (j > 0 && strcmp(k->dims[order[j - 1]].name, k->dims[i].name) > 0) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
}

int tw_mkey_validate(const tw_metric_key *k) {
  if (!k || !tw_mkey_str_ok(k->ns, 255) || !tw_mkey_str_ok(k->name, 255))
    return TW_EINVAL;
  if (k->ndims > TW_METRIC_MAX_DIMS || (k->ndims && !k->dims))
    return TW_EINVAL;
  if (k->unit && !tw_mkey_str_ok(k->unit, 255))
    return TW_EINVAL;
  for (size_t i = 0; i < k->ndims; i++)
    if (!tw_mkey_str_ok(k->dims[i].name, 255) ||
        !tw_mkey_str_ok(k->dims[i].value, 1024))
      return TW_EINVAL;
  size_t order[TW_METRIC_MAX_DIMS];
  tw_mkey_sort_dims(k, order);
  for (size_t i = 1; i < k->ndims; i++)
    if (strcmp(k->dims[order[i - 1]].name, k->dims[order[i]].name) == 0)
      return TW_EINVAL;
  return TW_OK;
}

/* Length-prefixed field, so no separator can be confused with content. */
static int tw_mkey_put_field(tw_buf *out, const char *s) {
  char len[24];
  size_t n = strlen(s);
  int w = snprintf(len, sizeof len, "%zu:", n);
  int rc = tw_buf_append(out, len, (size_t)w);
  return rc ? rc : tw_buf_append(out, s, n);
}

int tw_mkey_canonical(const tw_metric_key *k, tw_buf *out) {
  size_t order[TW_METRIC_MAX_DIMS];
  out->len = 0;
  tw_mkey_sort_dims(k, order);
  int rc = tw_mkey_put_field(out, k->ns);
  if (!rc)
    rc = tw_mkey_put_field(out, k->name);
  for (size_t i = 0; !rc && i < k->ndims; i++) {
    rc = tw_mkey_put_field(out, k->dims[order[i]].name);
    if (!rc)
      rc = tw_mkey_put_field(out, k->dims[order[i]].value);
  }
  return rc;
}

uint64_t tw_mkey_hash(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 1099511628211ull;
  }
  return h;
}

int tw_mkey_compare(const tw_metric_key *a, const tw_metric_key *b) {
  int c = strcmp(a->ns, b->ns);
  if (!c)
    c = strcmp(a->name, b->name);
  for (size_t i = 0; !c && i < a->ndims && i < b->ndims; i++) {
    c = strcmp(a->dims[i].name, b->dims[i].name);
    if (!c)
      c = strcmp(a->dims[i].value, b->dims[i].value);
  }
  if (!c)
    c = (a->ndims > b->ndims) - (a->ndims < b->ndims);
  return c;
}
