/*
 * alarm_queries.c — the Metrics member of PutMetricAlarm (metric-math
 * alarms): MetricDataQuery entries with MetricStat or Expression. The
 * values the alarm evaluates are the result of the one query with
 * ReturnData true; trailwatch takes them as given, so this file only
 * validates the structure and derives the alarm's Period.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm_json.h"

static int id_valid(const char *s) {
  if (!islower((unsigned char)s[0]))
    return 0;
  for (const char *p = s + 1; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '_')
      return 0;
  return 1;
}

/* Push "Metrics[i].sub" onto the error path; returns the old length. */
static size_t push_path(tw_jctx *c, const char *fmt, size_t i) {
  size_t len = strlen(c->prefix);
  snprintf(c->prefix + len, sizeof c->prefix - len, fmt, i);
  return len;
}

static int parse_metric_stat(tw_jctx *c, json_t *ms, tw_alarm_query *q) {
  json_t *metric = json_object_get(ms, "Metric");
  if (!json_is_object(ms))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "", "must be an object");
  if (!json_is_object(metric))
    return tw_jfail(c, TW_AWS_MISSING, "Metric",
                    "required: {Namespace, MetricName, Dimensions}");
  size_t old = push_path(c, "Metric.", 0);
  int rc = tw_jget_string(c, metric, "Namespace", 1, 255, 1, &q->ns);
  if (rc == TW_OK)
    rc = tw_jget_string(c, metric, "MetricName", 1, 255, 1, &q->metric_name);
  if (rc == TW_OK)
    rc = tw_jget_dims(c, metric, "Dimensions", 30, &q->dims, &q->ndims);
  c->prefix[old] = '\0';
  if (rc == TW_OK)
    rc = tw_jget_period(c, ms, "Period", 1, &q->stat_period);
  if (rc == TW_OK)
    rc = tw_jget_string(c, ms, "Stat", 1, 64, 1, &q->stat);
  double pct;
  if (rc == TW_OK && !tw_alarm_statistic_valid(q->stat) &&
      !tw_alarm_extended_statistic_valid(q->stat, &pct))
    rc = tw_jfail(c, TW_AWS_INVALID_VALUE, "Stat",
                  "\"%.40s\" is not a statistic", q->stat);
  if (rc == TW_OK)
    rc = tw_jget_string(c, ms, "Unit", 1, 64, 0, &q->unit);
  if (rc == TW_OK && q->unit && !tw_alarm_unit_valid(q->unit))
    rc = tw_jfail(c, TW_AWS_VALIDATION, "Unit",
                  "\"%.40s\" is not a CloudWatch StandardUnit", q->unit);
  return rc;
}

static int parse_query(tw_jctx *c, json_t *e, tw_alarm_query *q) {
  if (!json_is_object(e))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "", "must be an object");
  int rc = tw_jget_string(c, e, "Id", 1, 255, 1, &q->id);
  if (rc == TW_OK && !id_valid(q->id))
    rc = tw_jfail(c, TW_AWS_VALIDATION, "Id",
                  "must start with a lower-case letter and contain only "
                  "letters, digits and _ (got \"%.40s\")",
                  q->id);
  json_t *ms = json_object_get(e, "MetricStat");
  int has_expr = json_object_get(e, "Expression") != NULL;
  if (rc == TW_OK && (ms != NULL) == has_expr)
    rc = tw_jfail(c, TW_AWS_COMBINATION, "",
                  "needs exactly one of MetricStat and Expression");
  if (rc == TW_OK)
    rc = tw_jget_string(c, e, "Expression", 1, 2048, 0, &q->expression);
  if (rc == TW_OK)
    rc = tw_jget_string(c, e, "Label", 0, 1024, 0, &q->label);
  if (rc == TW_OK)
    rc = tw_jget_string(c, e, "AccountId", 1, 255, 0, NULL);
  q->return_data = 1;
  if (rc == TW_OK)
    rc = tw_jget_bool(c, e, "ReturnData", &q->return_data);
  if (rc == TW_OK)
    rc = tw_jget_period(c, e, "Period", 0, &q->period);
  if (rc == TW_OK && ms) {
    size_t old = push_path(c, "MetricStat.", 0);
    rc = parse_metric_stat(c, ms, q);
    c->prefix[old] = '\0';
    q->has_stat = 1;
  }
  return rc;
}

/* All metrics must share one period; it becomes the alarm's Period. */
static int derive_period(tw_jctx *c, tw_alarm *a) {
  for (size_t i = 0; i < a->nqueries; i++) {
    const tw_alarm_query *q = &a->queries[i];
    int p = q->has_stat ? q->stat_period : q->period;
    if (!p)
      continue;
    if (a->period && p != a->period) {
      size_t old = push_path(c, "Metrics[%zu].", i);
      int rc = tw_jfail(c, TW_AWS_INVALID_VALUE, "Period",
                        "all metrics of an alarm must use the same period "
                        "(%d vs %d)",
                        p, a->period);
      c->prefix[old] = '\0';
      return rc;
    }
    a->period = p;
  }
  if (!a->period)
    return tw_jfail(c, TW_AWS_MISSING, "Metrics",
                    "no entry gives a Period (MetricStat.Period or Period)");
  return TW_OK;
}

static int check_counts(tw_jctx *c, const tw_alarm *a) {
  size_t stats = 0, returned = 0;
  for (size_t i = 0; i < a->nqueries; i++) {
    stats += a->queries[i].has_stat;
    returned += a->queries[i].return_data != 0;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(a->queries[i].id, a->queries[j].id))
        return tw_jfail(c, TW_AWS_INVALID_VALUE, "Metrics",
                        "Id \"%.40s\" is used twice", a->queries[i].id);
  }
  if (stats > 10)
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "Metrics",
                    "at most 10 entries may use MetricStat (got %zu)", stats);
  if (returned != 1)
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "Metrics",
                    "exactly one entry must have ReturnData true (got %zu)",
                    returned);
  return TW_OK;
}

int tw_alarm_parse_queries(tw_jctx *c, json_t *metrics, tw_alarm *a) {
  if (!json_is_array(metrics) || json_array_size(metrics) < 1 ||
      json_array_size(metrics) > 20)
    return tw_jfail(c, TW_AWS_VALIDATION, "Metrics",
                    "must be an array of 1 to 20 MetricDataQuery objects");
  a->queries = calloc(json_array_size(metrics), sizeof *a->queries);
  if (!a->queries)
    return TW_ENOMEM;
  size_t i;
  json_t *e;
  json_array_foreach(metrics, i, e) {
    size_t old = push_path(c, "Metrics[%zu].", i);
    a->nqueries = i + 1;
    int rc = parse_query(c, e, &a->queries[i]);
    c->prefix[old] = '\0';
    if (rc)
      return rc;
  }
  int rc = check_counts(c, a);
  return rc ? rc : derive_period(c, a);
}
