/*
 * engine_metrics.c — PutMetricData datums into the in-memory metric store
 * (shared by the operation and by the replay of stored datums at start),
 * and the unit last seen per metric (GetMetricStatistics reports it).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

#define TW_METRIC_WINDOW_MS (INT64_C(15) * 86400000)

int tw_engine_dims(json_t *arr, tw_metric_dimension *dims, size_t cap,
                   size_t *n) {
  *n = 0;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    json_t *d = json_array_get(arr, i);
    const char *name = json_string_value(json_object_get(d, "Name"));
    const char *value = json_string_value(json_object_get(d, "Value"));
    if (!name || !value || *n == cap)
      return TW_EINVAL;
    dims[*n].name = name;
    dims[(*n)++].value = value;
  }
  return TW_OK;
}

static int tw_dim_cmp(const void *a, const void *b) {
  return strcmp(((const tw_metric_dimension *)a)->name,
                ((const tw_metric_dimension *)b)->name);
}

/* "ns\x1fname\x1fd1=v1\x1f..." with dimensions sorted by name. */
static char *tw_metric_id(const tw_metric_key *k) {
  tw_metric_dimension d[32];
  size_t n = k->ndims < 32 ? k->ndims : 32;
  memcpy(d, k->dims, n * sizeof *d);
  qsort(d, n, sizeof *d, tw_dim_cmp);
  tw_buf b = {0};
  int rc = tw_buf_append(&b, k->ns, strlen(k->ns));
  rc |= tw_buf_append(&b, "\x1f", 1);
  rc |= tw_buf_append(&b, k->name, strlen(k->name));
  for (size_t i = 0; i < n; i++) {
    rc |= tw_buf_append(&b, "\x1f", 1);
    rc |= tw_buf_append(&b, d[i].name, strlen(d[i].name));
    rc |= tw_buf_append(&b, "=", 1);
    rc |= tw_buf_append(&b, d[i].value, strlen(d[i].value));
  }
  rc |= tw_buf_append(&b, "", 1);
  if (rc) {
    tw_buf_free(&b);
    return NULL;
  }
  return b.data;
}

const char *tw_engine_metric_unit(tw_api *api, const tw_metric_key *k) {
  char *id = tw_metric_id(k);
  const char *u = id ? json_string_value(json_object_get(api->units, id)) : NULL;
  free(id);
  return u;
}

int tw_engine_metric_note_unit(tw_api *api, const tw_metric_key *k,
                               const char *unit) {
  char *id = tw_metric_id(k);
  if (!id)
    return TW_ENOMEM;
  int rc = json_object_set_new(api->units, id, json_string(unit ? unit : "None"))
               ? TW_ENOMEM
               : TW_OK;
  free(id);
  return rc;
}

static int tw_apply_values(tw_api *api, const tw_metric_key *k, json_t *values,
                           json_t *counts, int64_t ts, int res) {
  size_t n = json_array_size(values);
  double *v = calloc(n ? n : 1, sizeof *v);
  double *c = counts ? calloc(n ? n : 1, sizeof *c) : NULL;
  int rc = v && (!counts || c) ? TW_OK : TW_ENOMEM;
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    v[i] = json_number_value(json_array_get(values, i));
    if (c)
      c[i] = json_number_value(json_array_get(counts, i));
  }
  if (rc == TW_OK)
    rc = tw_metric_store_put_values(api->metrics, k, ts, v, c, n, res);
  free(v);
  free(c);
  return rc;
}

int tw_engine_metric_apply(tw_api *api, const char *ns, json_t *datum,
                           int64_t ts_ms) {
  tw_metric_dimension dims[30];
  tw_metric_key k;
  memset(&k, 0, sizeof k);
  k.ns = ns;
  k.name = json_string_value(json_object_get(datum, "MetricName"));
  k.unit = json_string_value(json_object_get(datum, "Unit"));
  if (k.unit && !strcmp(k.unit, "None"))
    k.unit = NULL;
  if (!k.name ||
      tw_engine_dims(json_object_get(datum, "Dimensions"), dims, 30, &k.ndims))
    return TW_EINVAL;
  k.dims = dims;
  json_t *res_j = json_object_get(datum, "StorageResolution");
  int res = json_is_integer(res_j) && json_integer_value(res_j) == 1 ? 1 : 60;
  json_t *value = json_object_get(datum, "Value");
  json_t *values = json_object_get(datum, "Values");
  json_t *sv = json_object_get(datum, "StatisticValues");
  int rc = TW_EINVAL;
  if (json_is_number(value))
    rc = tw_metric_store_put(api->metrics, &k, ts_ms, json_number_value(value),
                             res, NULL, 0);
  else if (json_is_array(values))
    rc = tw_apply_values(api, &k, values, json_object_get(datum, "Counts"),
                         ts_ms, res);
  else if (json_is_object(sv)) {
    tw_metric_statistic_set set = {
        json_number_value(json_object_get(sv, "SampleCount")),
        json_number_value(json_object_get(sv, "Sum")),
        json_number_value(json_object_get(sv, "Minimum")),
        json_number_value(json_object_get(sv, "Maximum"))};
    rc = tw_metric_store_put_statistic_set(api->metrics, &k, ts_ms, &set, res);
  }
  if (rc == TW_OK || rc == TW_ELIMIT)
    rc = tw_engine_metric_note_unit(api, &k, k.unit);
  return rc;
}

typedef struct tw_em_replay {
  tw_api *api;
} tw_em_replay;

static int tw_em_replay_row(const char *ns, int64_t ts_ms,
                            const char *datum_json, void *ud) {
  tw_em_replay *r = ud;
  json_t *d = json_loads(datum_json, 0, NULL);
  if (!d)
    return 0;
  int rc = tw_engine_metric_apply(r->api, ns, d, ts_ms);
  json_decref(d);
  return rc == TW_ENOMEM ? rc : 0;
}

int tw_engine_metrics_load(tw_api *api, int64_t now_ms) {
  tw_em_replay r = {api};
  return tw_store_metric_scan(api->store, now_ms - TW_METRIC_WINDOW_MS,
                              tw_em_replay_row, &r);
}
