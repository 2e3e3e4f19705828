/*
 * cw_metrics.c — CloudWatch metric operations over the in-memory metric
 * store: PutMetricData (validated, persisted, applied), GetMetricStatistics
 * (buckets from StartTime, EndTime exclusive, <= 1,440 datapoints),
 * GetMetricData (MetricStat queries) and ListMetrics (filters, pages of
 * 500).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "api/api_internal.h"

#define TW_DAY_MS INT64_C(86400000)

/* ---- PutMetricData ---------------------------------------------------------- */

static int tw_pmd_dims(tw_api_ctx *c, json_t *d, size_t i) {
  json_t *dims = NULL;
  int rc = tw_in_array(c, d, "Dimensions", 0, 0, 30, &dims);
  for (size_t j = 0; rc == TW_OK && dims && j < json_array_size(dims); j++) {
    json_t *x = json_array_get(dims, j);
    const char *n = NULL, *v = NULL;
    if (!json_is_object(x))
      return tw_api_fail(c, 400, "SerializationException",
                         "MetricData[%zu].Dimensions[%zu] must be an object",
                         i, j);
    rc = tw_in_str(c, x, "Name", 1, 1, 255, &n);
    if (!rc)
      rc = tw_in_str(c, x, "Value", 1, 1, 1024, &v);
  }
  return rc;
}

static int tw_pmd_number(tw_api_ctx *c, double v, size_t i,
                         const char *what) {
  if (!isfinite(v) || fabs(v) > 0x1p360)
    return tw_api_invalid(c, "The value %g for parameter MetricData.member.%zu."
                             "%s is invalid.",
                          v, i + 1, what);
  return TW_OK;
}

static int tw_pmd_values(tw_api_ctx *c, json_t *d, size_t i, json_t *values) {
  json_t *counts = NULL;
  int rc = tw_in_array(c, d, "Counts", 0, 0, 150, &counts);
  if (rc)
    return rc;
  if (json_array_size(values) > 150)
    return tw_api_invalid(c, "The parameter MetricData.member.%zu.Values "
                             "must have at most 150 values.",
                          i + 1);
  if (counts && json_array_size(counts) != json_array_size(values))
    return tw_api_fail(c, 400, "InvalidParameterCombination",
                       "The parameters MetricData.member.%zu.Values and "
                       "MetricData.member.%zu.Counts must be of the same size.",
                       i + 1, i + 1);
  for (size_t j = 0; j < json_array_size(values); j++) {
    json_t *v = json_array_get(values, j), *n = json_array_get(counts, j);
    if (!json_is_number(v) || (counts && !json_is_number(n)))
      return tw_api_fail(c, 400, "SerializationException",
                         "MetricData[%zu] Values and Counts must be numbers",
                         i);
    if ((rc = tw_pmd_number(c, json_number_value(v), i, "Values")))
      return rc;
    if (counts && (json_number_value(n) < 0 ||
                   (rc = tw_pmd_number(c, json_number_value(n), i, "Counts"))))
      return rc ? rc
                : tw_api_invalid(c, "MetricData.member.%zu.Counts must not "
                                    "be negative.",
                                 i + 1);
  }
  return TW_OK;
}

static int tw_pmd_statset(tw_api_ctx *c, json_t *sv, size_t i) {
  static const char *const keys[] = {"SampleCount", "Sum", "Minimum",
                                     "Maximum"};
  double v[4];
  for (size_t k = 0; k < 4; k++) {
    int rc = tw_in_num(c, sv, keys[k], 1, &v[k], NULL);
    if (!rc)
      rc = tw_pmd_number(c, v[k], i, keys[k]);
    if (rc)
      return rc;
  }
  if (v[0] <= 0 || v[2] > v[3])
    return tw_api_invalid(c, "The parameter MetricData.member.%zu."
                             "StatisticValues is invalid (SampleCount must "
                             "be positive and Minimum <= Maximum).",
                          i + 1);
  return TW_OK;
}

/* Exactly one of Value / Values / StatisticValues. */
static int tw_pmd_value(tw_api_ctx *c, json_t *d, size_t i) {
  json_t *values = NULL, *sv = NULL;
  double v = 0;
  int has_v = 0;
  int rc = tw_in_num(c, d, "Value", 0, &v, &has_v);
  if (!rc)
    rc = tw_in_array(c, d, "Values", 0, 0, 0, &values);
  if (!rc)
    rc = tw_in_object(c, d, "StatisticValues", 0, &sv);
  if (rc)
    return rc;
  if (has_v + (values != NULL) + (sv != NULL) > 1)
    return tw_api_fail(c, 400, "InvalidParameterCombination",
                       "The parameters MetricData.member.%zu.Value, "
                       "MetricData.member.%zu.Values and MetricData.member."
                       "%zu.StatisticValues are mutually exclusive and you "
                       "have specified more than one.",
                       i + 1, i + 1, i + 1);
  if (has_v)
    return tw_pmd_number(c, v, i, "Value");
  if (values)
    return tw_pmd_values(c, d, i, values);
  if (sv)
    return tw_pmd_statset(c, sv, i);
  return tw_api_fail(c, 400, "MissingParameter",
                     "The parameter MetricData.member.%zu.Value is required.",
                     i + 1);
}

static int tw_pmd_datum(tw_api_ctx *c, json_t *d, size_t i, int64_t *ts) {
  const char *name = NULL, *unit = NULL;
  int64_t res = 60;
  int has_ts = 0;
  if (!json_is_object(d))
    return tw_api_fail(c, 400, "SerializationException",
                       "MetricData[%zu] must be an object", i);
  int rc = tw_in_str(c, d, "MetricName", 1, 1, 255, &name);
  if (!rc)
    rc = tw_pmd_dims(c, d, i);
  if (!rc)
    rc = tw_in_time(c, d, "Timestamp", 0, ts, &has_ts);
  if (!rc)
    rc = tw_in_str(c, d, "Unit", 0, 0, 0, &unit);
  if (!rc)
    rc = tw_in_int(c, d, "StorageResolution", 0, 1, 60, &res, NULL);
  if (!rc)
    rc = tw_pmd_value(c, d, i);
  if (rc)
    return rc;
  if (unit && !tw_alarm_unit_valid(unit))
    return tw_api_invalid(c, "The value %.64s for parameter MetricData.member."
                             "%zu.Unit is not valid.",
                          unit, i + 1);
  if (res != 1 && res != 60)
    return tw_api_invalid(c, "The value %lld for parameter MetricData.member."
                             "%zu.StorageResolution is not valid (1 or 60).",
                          (long long)res, i + 1);
  if (!has_ts)
    *ts = c->now_ms;
  if (*ts < c->now_ms - 14 * TW_DAY_MS || *ts > c->now_ms + 2 * 3600000)
    return tw_api_invalid(c, "The parameter MetricData.member.%zu.Timestamp "
                             "must specify a time no more than two weeks in "
                             "the past and no more than two hours in the "
                             "future.",
                          i + 1);
  return TW_OK;
}

static int tw_pmd_store(tw_api_ctx *c, const char *ns, json_t *d, int64_t ts) {
  char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text)
    return TW_ENOMEM;
  int rc = tw_store_metric_insert(c->api->store, ns, ts, text);
  free(text);
  if (rc == TW_OK) {
    rc = tw_engine_metric_apply(c->api, ns, d, ts);
    if (rc == TW_ELIMIT || rc == TW_EINVAL)
      rc = TW_OK;
  }
  return rc;
}

int tw_op_put_metric_data(tw_api_ctx *c) {
  const char *ns = NULL;
  json_t *data = NULL;
  int rc = tw_in_str(c, c->in, "Namespace", 1, 1, 255, &ns);
  if (!rc)
    rc = tw_in_array(c, c->in, "MetricData", 1, 1, 1000, &data);
  if (rc)
    return rc;
  if (ns[0] == ':' || !strncmp(ns, "AWS/", 4))
    return tw_api_invalid(c, "The value %.64s for parameter Namespace is "
                             "invalid.",
                          ns);
  size_t n = json_array_size(data);
  int64_t *ts = calloc(n, sizeof *ts);
  if (!ts)
    return tw_api_internal(c, TW_ENOMEM);
  for (size_t i = 0; rc == TW_OK && i < n; i++)
    rc = tw_pmd_datum(c, json_array_get(data, i), i, &ts[i]);
  for (size_t i = 0; rc == TW_OK && i < n; i++)
    rc = tw_pmd_store(c, ns, json_array_get(data, i), ts[i]);
  free(ts);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}

/* ---- shared query helpers ------------------------------------------------------ */

static int tw_period_ok(int64_t p) {
  return p == 1 || p == 5 || p == 10 || p == 20 || p == 30 ||
         (p > 0 && p % 60 == 0);
}

static int tw_key_dims(tw_api_ctx *c, json_t *o, tw_metric_dimension *dims,
                       size_t *n) {
  json_t *arr = NULL;
  int rc = tw_in_array(c, o, "Dimensions", 0, 0, 30, &arr);
  if (rc)
    return rc;
  if (tw_engine_dims(arr, dims, 30, n) != TW_OK)
    return tw_api_invalid(c, "Each dimension needs a Name and a Value.");
  return TW_OK;
}

/* ---- GetMetricStatistics ---------------------------------------------------------- */

static const char *const tw_basic_stats[] = {"SampleCount", "Average", "Sum",
                                             "Minimum", "Maximum"};

typedef struct tw_gms {
  tw_metric_key key;
  tw_metric_dimension dims[30];
  int64_t start, end, period;
  json_t *stats, *ext;
  tw_metric_stat st[15];
  const char *names[15];
  size_t nstats, nbasic;
} tw_gms;

static int tw_gms_stats(tw_api_ctx *c, tw_gms *g) {
  int rc = tw_in_array(c, c->in, "Statistics", 0, 1, 5, &g->stats);
  if (!rc)
    rc = tw_in_array(c, c->in, "ExtendedStatistics", 0, 1, 10, &g->ext);
  if (rc)
    return rc;
  if (!g->stats && !g->ext)
    return tw_api_fail(c, 400, "InvalidParameterCombination",
                       "Must specify either Statistics or "
                       "ExtendedStatistics");
  for (size_t i = 0; i < json_array_size(g->stats); i++) {
    const char *s = json_string_value(json_array_get(g->stats, i));
    int ok = 0;
    for (size_t k = 0; s && k < 5; k++)
      ok |= !strcmp(s, tw_basic_stats[k]);
    if (!ok || tw_metric_stat_parse(s, &g->st[g->nstats]) != TW_OK)
      return tw_api_invalid(c, "The value %.64s for parameter Statistics is "
                               "not supported.",
                            s ? s : "(non-string)");
    g->names[g->nstats++] = s;
  }
  g->nbasic = g->nstats;
  for (size_t i = 0; i < json_array_size(g->ext); i++) {
    const char *s = json_string_value(json_array_get(g->ext, i));
    if (!s || s[0] != 'p' ||
        tw_metric_stat_parse(s, &g->st[g->nstats]) != TW_OK)
      return tw_api_invalid(c, "The value %.64s for parameter "
                               "ExtendedStatistics is not supported.",
                            s ? s : "(non-string)");
    g->names[g->nstats++] = s;
  }
  return TW_OK;
}

static int tw_gms_args(tw_api_ctx *c, tw_gms *g) {
  int rc = tw_in_str(c, c->in, "Namespace", 1, 1, 255, &g->key.ns);
  if (!rc)
    rc = tw_in_str(c, c->in, "MetricName", 1, 1, 255, &g->key.name);
  if (!rc)
    rc = tw_in_time(c, c->in, "StartTime", 1, &g->start, NULL);
  if (!rc)
    rc = tw_in_time(c, c->in, "EndTime", 1, &g->end, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "Period", 1, 1, INT32_MAX, &g->period, NULL);
  if (!rc)
    rc = tw_in_str(c, c->in, "Unit", 0, 0, 0, &g->key.unit);
  if (!rc)
    rc = tw_key_dims(c, c->in, g->dims, &g->key.ndims);
  if (!rc)
    rc = tw_gms_stats(c, g);
  if (rc)
    return rc;
  g->key.dims = g->dims;
  if (!tw_period_ok(g->period))
    return tw_api_invalid(c, "The parameter Period must be a multiple of 60 "
                             "or one of 1, 5, 10, 20, 30.");
  if (g->start >= g->end)
    return tw_api_invalid(c, "The parameter StartTime must be less than the "
                             "parameter EndTime.");
  if (g->start < c->now_ms - 15 * TW_DAY_MS)
    g->start -= ((g->start % 60000) + 60000) % 60000;
  int64_t n = (g->end - g->start + g->period * 1000 - 1) / (g->period * 1000);
  if (n > 1440)
    return tw_api_fail(c, 400, "InvalidParameterCombination",
                       "You have requested up to %lld datapoints, which "
                       "exceeds the limit of 1,440. You may reduce the "
                       "datapoints requested by increasing Period, or "
                       "decreasing the time range.",
                       (long long)n);
  return TW_OK;
}

static json_t *tw_gms_point(const tw_gms *g, const tw_metric_datapoint *pt,
                            const double *v, const char *unit) {
  json_t *o = json_object(), *ext = NULL;
  if (!o)
    return NULL;
  json_object_set_new(o, "Timestamp", tw_json_epoch_seconds(pt->timestamp_ms));
  for (size_t j = 0; j < g->nstats; j++) {
    if (isnan(v[j]))
      continue;
    if (j < g->nbasic) {
      json_object_set_new(o, g->names[j], json_real(v[j]));
      continue;
    }
    if (!ext)
      ext = json_object();
    json_object_set_new(ext, g->names[j], json_real(v[j]));
  }
  json_object_set_new(o, "Unit", json_string(unit));
  if (ext)
    json_object_set_new(o, "ExtendedStatistics", ext);
  return o;
}

int tw_op_get_metric_statistics(tw_api_ctx *c) {
  tw_gms g;
  memset(&g, 0, sizeof g);
  int rc = tw_gms_args(c, &g);
  if (rc)
    return rc;
  size_t n = (size_t)((g.end - g.start + g.period * 1000 - 1) /
                      (g.period * 1000));
  tw_metric_datapoint *pts = calloc(n, sizeof *pts);
  double *vals = calloc(n * (g.nstats ? g.nstats : 1), sizeof *vals);
  json_t *list = json_array();
  json_object_set_new(c->out, "Label", json_string(g.key.name));
  json_object_set_new(c->out, "Datapoints", list);
  rc = pts && vals && list ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_metric_store_query(c->api->metrics, &g.key, g.start, g.end,
                               (int)g.period, g.st, g.nstats, pts, vals, n);
  const char *unit = g.key.unit ? g.key.unit
                                : tw_engine_metric_unit(c->api, &g.key);
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    if (pts[i].sample_count <= 0)
      continue;
    json_t *o = tw_gms_point(&g, &pts[i], vals + i * g.nstats,
                             unit ? unit : "None");
    if (!o || json_array_append_new(list, o))
      rc = TW_ENOMEM;
  }
  free(pts);
  free(vals);
  return rc ? tw_api_internal(c, rc) : TW_OK;
}

/* ---- GetMetricData ---------------------------------------------------------------- */

typedef struct tw_gmd_query {
  const char *id, *label, *stat;
  tw_metric_key key;
  tw_metric_dimension dims[30];
  int64_t period;
  int return_data;
} tw_gmd_query;

static int tw_gmd_id_ok(const char *id) {
  if (!(*id >= 'a' && *id <= 'z'))
    return 0;
  for (const char *p = id; *p; p++)
    if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9')))
      return 0;
  return 1;
}

static int tw_gmd_stat(tw_api_ctx *c, json_t *ms, tw_gmd_query *q) {
  json_t *metric = NULL;
  int rc = tw_in_object(c, ms, "Metric", 1, &metric);
  if (!rc)
    rc = tw_in_str(c, metric, "Namespace", 1, 1, 255, &q->key.ns);
  if (!rc)
    rc = tw_in_str(c, metric, "MetricName", 1, 1, 255, &q->key.name);
  if (!rc)
    rc = tw_key_dims(c, metric, q->dims, &q->key.ndims);
  if (!rc)
    rc = tw_in_int(c, ms, "Period", 1, 1, INT32_MAX, &q->period, NULL);
  if (!rc)
    rc = tw_in_str(c, ms, "Stat", 1, 1, 0, &q->stat);
  if (!rc)
    rc = tw_in_str(c, ms, "Unit", 0, 0, 0, &q->key.unit);
  if (rc)
    return rc;
  q->key.dims = q->dims;
  tw_metric_stat st;
  if (!tw_period_ok(q->period))
    return tw_api_invalid(c, "The parameter MetricStat.Period must be a "
                             "multiple of 60 or one of 1, 5, 10, 20, 30.");
  if (tw_metric_stat_parse(q->stat, &st) != TW_OK)
    return tw_api_invalid(c, "The value %.64s for parameter MetricStat.Stat "
                             "is not supported.",
                          q->stat);
  return TW_OK;
}

static int tw_gmd_query_get(tw_api_ctx *c, json_t *o, tw_gmd_query *q) {
  json_t *ms = NULL;
  const char *expr = NULL;
  q->return_data = 1;
  if (!json_is_object(o))
    return tw_api_fail(c, 400, "SerializationException",
                       "MetricDataQueries entries must be objects");
  int rc = tw_in_str(c, o, "Id", 1, 1, 255, &q->id);
  if (!rc)
    rc = tw_in_str(c, o, "Label", 0, 0, 0, &q->label);
  if (!rc)
    rc = tw_in_bool(c, o, "ReturnData", &q->return_data);
  if (!rc)
    rc = tw_in_str(c, o, "Expression", 0, 1, 2048, &expr);
  if (!rc)
    rc = tw_in_object(c, o, "MetricStat", 0, &ms);
  if (rc)
    return rc;
  if (!tw_gmd_id_ok(q->id))
    return tw_api_invalid(c, "The value %.64s for parameter "
                             "MetricDataQueries.member.Id is not valid: it "
                             "must start with a lowercase letter and hold "
                             "only letters, digits and underscores.",
                          q->id);
  if (expr && ms)
    return tw_api_fail(c, 400, "InvalidParameterCombination",
                       "Query %s: MetricStat and Expression are mutually "
                       "exclusive.",
                       q->id);
  if (expr)
    return tw_api_invalid(c, "Query %s: metric math expressions are not "
                             "supported by trailwatch.",
                          q->id);
  if (!ms)
    return tw_api_fail(c, 400, "MissingParameter",
                       "Query %s: one of MetricStat or Expression is "
                       "required.",
                       q->id);
  return tw_gmd_stat(c, ms, q);
}

static int tw_gmd_result(tw_api_ctx *c, const tw_gmd_query *q, int64_t start,
                         int64_t end, int descending, int64_t *budget,
                         json_t **out) {
  size_t n = (size_t)((end - start + q->period * 1000 - 1) / (q->period * 1000));
  tw_metric_stat st;
  tw_metric_stat_parse(q->stat, &st);
  tw_metric_datapoint *pts = calloc(n, sizeof *pts);
  double *vals = calloc(n, sizeof *vals);
  json_t *ts = json_array(), *vs = json_array();
  int rc = pts && vals && ts && vs ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_metric_store_query(c->api->metrics, &q->key, start, end,
                               (int)q->period, &st, 1, pts, vals, n);
  int partial = 0;
  for (size_t k = 0; rc == TW_OK && k < n; k++) {
    size_t i = descending ? n - 1 - k : k;
    if (pts[i].sample_count <= 0 || isnan(vals[i]))
      continue;
    if (*budget <= 0) {
      partial = 1;
      break;
    }
    (*budget)--;
    json_array_append_new(ts, tw_json_epoch_seconds(pts[i].timestamp_ms));
    json_array_append_new(vs, json_real(vals[i]));
  }
  free(pts);
  free(vals);
  *out = rc ? NULL
            : json_pack("{s:s,s:s,s:o,s:o,s:s}", "Id", q->id, "Label",
                        q->label ? q->label : q->key.name, "Timestamps", ts,
                        "Values", vs, "StatusCode",
                        partial ? "PartialData" : "Complete");
  if (rc) {
    json_decref(ts);
    json_decref(vs);
  }
  return *out ? TW_OK : TW_ENOMEM;
}

static int tw_gmd_run(tw_api_ctx *c, json_t *queries, int64_t start,
                      int64_t end, int descending, int64_t budget,
                      json_t *results) {
  size_t n = json_array_size(queries);
  tw_gmd_query *qs = calloc(n, sizeof *qs);
  int rc = qs ? TW_OK : TW_ENOMEM;
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    rc = tw_gmd_query_get(c, json_array_get(queries, i), &qs[i]);
    for (size_t j = 0; rc == TW_OK && j < i; j++)
      if (!strcmp(qs[i].id, qs[j].id))
        rc = tw_api_invalid(c, "The Id %.64s is used more than once.",
                            qs[i].id);
    if (rc == TW_OK && (end - start) / (qs[i].period * 1000) > 100800)
      rc = tw_api_fail(c, 400, "InvalidParameterCombination",
                       "Query %s requests more than 100,800 datapoints.",
                       qs[i].id);
  }
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    json_t *r = NULL;
    if (!qs[i].return_data)
      continue;
    rc = tw_gmd_result(c, &qs[i], start, end, descending, &budget, &r);
    if (rc == TW_OK && json_array_append_new(results, r))
      rc = TW_ENOMEM;
  }
  free(qs);
  return rc;
}

int tw_op_get_metric_data(tw_api_ctx *c) {
  json_t *queries = NULL;
  int64_t start = 0, end = 0, max = 100800;
  const char *scan = NULL, *token = NULL;
  int rc = tw_in_array(c, c->in, "MetricDataQueries", 1, 1, 500, &queries);
  if (!rc)
    rc = tw_in_time(c, c->in, "StartTime", 1, &start, NULL);
  if (!rc)
    rc = tw_in_time(c, c->in, "EndTime", 1, &end, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "MaxDatapoints", 0, 1, INT32_MAX, &max, NULL);
  if (!rc)
    rc = tw_in_str(c, c->in, "ScanBy", 0, 0, 0, &scan);
  if (!rc)
    rc = tw_in_str(c, c->in, "NextToken", 0, 0, 0, &token);
  if (rc)
    return rc;
  if (token)
    return tw_api_fail(c, 400, "InvalidNextToken", "Invalid NextToken: %.64s",
                       token);
  if (start >= end)
    return tw_api_invalid(c, "The parameter StartTime must be less than the "
                             "parameter EndTime.");
  if (scan && strcmp(scan, "TimestampDescending") &&
      strcmp(scan, "TimestampAscending"))
    return tw_api_invalid(c, "The value %.64s for parameter ScanBy is not "
                             "valid.",
                          scan);
  json_t *results = json_array();
  json_object_set_new(c->out, "MetricDataResults", results);
  json_object_set_new(c->out, "Messages", json_array());
  if (!results)
    return tw_api_internal(c, TW_ENOMEM);
  int desc = !scan || !strcmp(scan, "TimestampDescending");
  rc = tw_gmd_run(c, queries, start, end, desc, max, results);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}

/* ---- ListMetrics ---------------------------------------------------------------- */

typedef struct tw_lm {
  tw_api_ctx *c;
  const char *ns, *name;
  json_t *filters;
  json_t *list;
  int64_t skip, seen, count;
  int more;
} tw_lm;

static int tw_lm_dims_match(const tw_lm *l, const tw_metric_key *k) {
  for (size_t i = 0; i < json_array_size(l->filters); i++) {
    json_t *f = json_array_get(l->filters, i);
    const char *n = json_string_value(json_object_get(f, "Name"));
    const char *v = json_string_value(json_object_get(f, "Value"));
    int found = 0;
    for (size_t j = 0; n && !found && j < k->ndims; j++)
      found = !strcmp(k->dims[j].name, n) && (!v || !strcmp(k->dims[j].value, v));
    if (!found)
      return 0;
  }
  return 1;
}

static int tw_lm_row(const tw_metric_key *k, void *ud) {
  tw_lm *l = ud;
  if ((l->ns && strcmp(k->ns, l->ns)) || (l->name && strcmp(k->name, l->name)) ||
      !tw_lm_dims_match(l, k))
    return 0;
  if (l->seen++ < l->skip)
    return 0;
  if (l->count == 500) {
    l->more = 1;
    return 1;
  }
  json_t *dims = json_array();
  for (size_t j = 0; dims && j < k->ndims; j++)
    json_array_append_new(dims, json_pack("{s:s,s:s}", "Name", k->dims[j].name,
                                          "Value", k->dims[j].value));
  json_t *o = json_pack("{s:s,s:s,s:o}", "Namespace", k->ns, "MetricName",
                        k->name, "Dimensions", dims ? dims : json_array());
  if (!o || json_array_append_new(l->list, o))
    return TW_ENOMEM;
  l->count++;
  return 0;
}

int tw_op_list_metrics(tw_api_ctx *c) {
  tw_lm l;
  const char *token = NULL, *recent = NULL;
  memset(&l, 0, sizeof l);
  l.c = c;
  int rc = tw_in_str(c, c->in, "Namespace", 0, 1, 255, &l.ns);
  if (!rc)
    rc = tw_in_str(c, c->in, "MetricName", 0, 1, 255, &l.name);
  if (!rc)
    rc = tw_in_array(c, c->in, "Dimensions", 0, 0, 10, &l.filters);
  if (!rc)
    rc = tw_in_str(c, c->in, "NextToken", 0, 0, 0, &token);
  if (!rc)
    rc = tw_in_str(c, c->in, "RecentlyActive", 0, 0, 0, &recent);
  if (rc)
    return rc;
  if (recent && strcmp(recent, "PT3H"))
    return tw_api_invalid(c, "The value %.32s for parameter RecentlyActive is "
                             "not valid (PT3H).",
                          recent);
  if (token) {
    char *t = tw_token_decode(token), *end = NULL;
    l.skip = t && !strncmp(t, "l:", 2) ? strtoll(t + 2, &end, 10) : 0;
    int ok = end && !*end && l.skip > 0;
    free(t);
    if (!ok)
      return tw_api_invalid(c, "Invalid NextToken: %.64s", token);
  }
  l.list = json_array();
  json_object_set_new(c->out, "Metrics", l.list);
  rc = l.list ? tw_metric_store_foreach(c->api->metrics, tw_lm_row, &l)
              : TW_ENOMEM;
  if (rc == 1)
    rc = TW_OK;
  if (rc == TW_OK && l.more) {
    char buf[40], *tok = NULL;
    snprintf(buf, sizeof buf, "l:%lld", (long long)(l.skip + l.count));
    rc = tw_token_encode(buf, &tok);
    if (rc == TW_OK)
      json_object_set_new(c->out, "NextToken", json_string(tok));
    free(tok);
  }
  return rc ? tw_api_internal(c, rc) : TW_OK;
}
