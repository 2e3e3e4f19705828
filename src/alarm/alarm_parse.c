/*
 * alarm_parse.c — builds a tw_alarm from PutMetricAlarm JSON (or one
 * DescribeAlarms MetricAlarms entry) and enforces CloudWatch's validation
 * rules (metrics-alarms-api.md §4). Every error names the field and says
 * which CloudWatch error code a server should answer with. Field readers
 * live in alarm_json.c; value tables in alarm_fields.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alarm/alarm.h"
#include "alarm/alarm_json.h"

/* Every member a PutMetricAlarm input or a DescribeAlarms MetricAlarm may
 * carry; anything else is rejected so typos do not go unnoticed. */
static const char *const known_keys[] = {
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions",
    "AlarmActions", "InsufficientDataActions", "MetricName", "Namespace",
    "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
    "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
    "ComparisonOperator", "TreatMissingData",
    "EvaluateLowSampleCountPercentile", "Metrics", "Tags",
    "ThresholdMetricId", "EvaluationCriteria", "EvaluationInterval",
    /* DescribeAlarms output only */
    "AlarmArn", "AlarmConfigurationUpdatedTimestamp", "StateValue",
    "StateReason", "StateReasonData", "StateUpdatedTimestamp",
    "StateTransitionedTimestamp", "EvaluationState", NULL};

static int check_known_keys(tw_jctx *c, json_t *obj) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    size_t i = 0;
    while (known_keys[i] && strcmp(known_keys[i], key))
      i++;
    if (!known_keys[i])
      return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                      "unknown field (not a PutMetricAlarm member)");
  }
  return TW_OK;
}

static int parse_identity(tw_jctx *c, json_t *o, tw_alarm *a) {
  int rc = tw_jget_string(c, o, "AlarmName", 1, 255, 1, &a->name);
  if (rc == TW_OK && a->name && tw_jhas_control(a->name))
    rc = tw_jfail(c, TW_AWS_INVALID_VALUE, "AlarmName",
                  "must not contain control characters");
  if (rc == TW_OK)
    rc = tw_jget_string(c, o, "AlarmDescription", 0, 1024, 0,
                        &a->description);
  if (rc == TW_OK)
    rc = tw_jget_string(c, o, "AlarmArn", 1, 1600, 0, &a->arn);
  a->actions_enabled = 1;
  if (rc == TW_OK)
    rc = tw_jget_bool(c, o, "ActionsEnabled", &a->actions_enabled);
  if (rc == TW_OK)
    rc = tw_jget_actions(c, o, "OKActions", &a->ok_actions);
  if (rc == TW_OK)
    rc = tw_jget_actions(c, o, "AlarmActions", &a->alarm_actions);
  if (rc == TW_OK)
    rc = tw_jget_actions(c, o, "InsufficientDataActions",
                         &a->insufficient_actions);
  return rc;
}

static const char *const anomaly_ops[] = {
    "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold",
    "GreaterThanUpperThreshold", NULL};

static int reject_unsupported(tw_jctx *c, json_t *o) {
  json_t *op = json_object_get(o, "ComparisonOperator");
  if (json_is_string(op))
    for (size_t i = 0; anomaly_ops[i]; i++)
      if (!strcmp(json_string_value(op), anomaly_ops[i]))
        return tw_jfail(c, TW_AWS_INVALID_VALUE, "ComparisonOperator",
                        "%s needs an anomaly detection band, which "
                        "trailwatch does not support yet",
                        anomaly_ops[i]);
  if (json_object_get(o, "ThresholdMetricId"))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "ThresholdMetricId",
                    "anomaly detection alarms are not supported yet");
  if (json_object_get(o, "EvaluationCriteria"))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "EvaluationCriteria",
                    "PromQL alarms are not supported");
  if (json_object_get(o, "EvaluationInterval"))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "EvaluationInterval",
                    "only used by PromQL alarms, which are not supported");
  return TW_OK;
}

/* Statistic xor ExtendedStatistic. */
static int parse_statistic(tw_jctx *c, json_t *o, tw_alarm *a) {
  int has_s = json_object_get(o, "Statistic") != NULL;
  int has_x = json_object_get(o, "ExtendedStatistic") != NULL;
  if (has_s && has_x)
    return tw_jfail(c, TW_AWS_COMBINATION, "ExtendedStatistic",
                    "cannot be used together with Statistic");
  if (!has_s && !has_x)
    return tw_jfail(c, TW_AWS_MISSING, "Statistic",
                    "required (or ExtendedStatistic)");
  if (has_s) {
    int rc = tw_jget_string(c, o, "Statistic", 1, 64, 1, &a->statistic);
    if (rc == TW_OK && !tw_alarm_statistic_valid(a->statistic))
      rc = tw_jfail(c, TW_AWS_VALIDATION, "Statistic",
                    "must be SampleCount, Average, Sum, Minimum or "
                    "Maximum (got \"%.40s\")",
                    a->statistic);
    return rc;
  }
  double pct;
  int rc = tw_jget_string(c, o, "ExtendedStatistic", 1, 64, 1,
                          &a->extended_statistic);
  if (rc == TW_OK &&
      !tw_alarm_extended_statistic_valid(a->extended_statistic, &pct))
    rc = tw_jfail(c, TW_AWS_INVALID_VALUE, "ExtendedStatistic",
                  "\"%.40s\" is not a valid extended statistic (pNN, "
                  "pNN.NN, tmNN, tcNN, tsNN, wmNN, IQM, TM(a:b), PR(a:b)...)",
                  a->extended_statistic);
  return rc;
}

static int parse_single_metric(tw_jctx *c, json_t *o, tw_alarm *a) {
  int rc = tw_jget_string(c, o, "MetricName", 1, 255, 1, &a->metric_name);
  if (rc == TW_OK)
    rc = tw_jget_string(c, o, "Namespace", 1, 255, 1, &a->ns);
  if (rc == TW_OK && a->ns[0] == ':')
    rc = tw_jfail(c, TW_AWS_VALIDATION, "Namespace",
                  "must not start with ':'");
  if (rc == TW_OK)
    rc = tw_jget_dims(c, o, "Dimensions", 30, &a->dims, &a->ndims);
  if (rc == TW_OK)
    rc = parse_statistic(c, o, a);
  if (rc == TW_OK)
    rc = tw_jget_period(c, o, "Period", 1, &a->period);
  if (rc == TW_OK)
    rc = tw_jget_string(c, o, "Unit", 1, 64, 0, &a->unit);
  if (rc == TW_OK && a->unit && !tw_alarm_unit_valid(a->unit))
    rc = tw_jfail(c, TW_AWS_VALIDATION, "Unit",
                  "\"%.40s\" is not a CloudWatch StandardUnit", a->unit);
  return rc;
}

static const char *const single_metric_keys[] = {
    "MetricName", "Namespace", "Dimensions", "Statistic",
    "ExtendedStatistic", "Period", "Unit", NULL};

static int parse_metric(tw_jctx *c, json_t *o, tw_alarm *a) {
  json_t *metrics = json_object_get(o, "Metrics");
  if (metrics) {
    for (size_t i = 0; single_metric_keys[i]; i++)
      if (json_object_get(o, single_metric_keys[i]))
        return tw_jfail(c, TW_AWS_COMBINATION, single_metric_keys[i],
                        "cannot be used together with Metrics");
    return tw_alarm_parse_queries(c, metrics, a);
  }
  if (!json_object_get(o, "MetricName"))
    return tw_jfail(c, TW_AWS_MISSING, "MetricName",
                    "required (or Metrics, for a metric-math alarm)");
  return parse_single_metric(c, o, a);
}

static int check_total_period(tw_jctx *c, const tw_alarm *a) {
  double total = (double)a->period * (double)a->n;
  if (total > 604800)
    return tw_jfail(c, TW_AWS_COMBINATION, "EvaluationPeriods",
                    "EvaluationPeriods x Period = %.0f s exceeds the limit "
                    "of 604800 (7 days)",
                    total);
  if (a->period < 3600 && total > 86400)
    return tw_jfail(c, TW_AWS_COMBINATION, "EvaluationPeriods",
                    "EvaluationPeriods x Period = %.0f s exceeds the limit "
                    "of 86400 (1 day) for periods under 3600",
                    total);
  return TW_OK;
}

static int parse_counts(tw_jctx *c, json_t *o, tw_alarm *a) {
  long long n = 0, m = 0;
  int has_m = 0;
  int rc = tw_jget_int(c, o, "EvaluationPeriods", 1, &n, NULL);
  if (rc == TW_OK && n < 1)
    rc = tw_jfail(c, TW_AWS_VALIDATION, "EvaluationPeriods",
                  "must be at least 1 (got %lld)", n);
  if (rc == TW_OK)
    rc = tw_jget_int(c, o, "DatapointsToAlarm", 0, &m, &has_m);
  if (rc == TW_OK && has_m && (m < 1 || m > n))
    rc = tw_jfail(c, TW_AWS_INVALID_VALUE, "DatapointsToAlarm",
                  "must be between 1 and EvaluationPeriods (%lld) (got %lld)",
                  n, m);
  if (rc)
    return rc;
  a->n = (size_t)n;
  a->m_set = has_m;
  a->m = has_m ? (size_t)m : (size_t)n;
  return check_total_period(c, a);
}

static const char *const op_names[] = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
    "LessThanThreshold", "LessThanOrEqualToThreshold", NULL};
static const char *const tmd_names[] = {"missing", "breaching",
                                        "notBreaching", "ignore", NULL};

static int parse_comparison(tw_jctx *c, json_t *o, tw_alarm *a) {
  int present = 0, idx = 0;
  int rc = tw_jget_number(c, o, "Threshold", 1, &a->threshold, NULL);
  if (rc == TW_OK)
    rc = tw_jget_enum(c, o, "ComparisonOperator", op_names, 1, &idx,
                      &present);
  if (rc)
    return rc;
  a->op = (tw_alarm_op)idx;
  rc = tw_jget_enum(c, o, "TreatMissingData", tmd_names, 0, &idx, &present);
  if (rc)
    return rc;
  a->tmd_set = present;
  a->tmd = present ? (tw_alarm_tmd)idx : TW_TMD_MISSING;
  a->tmd_eff = a->tmd;
  if (a->ns && !strcmp(a->ns, "AWS/DynamoDB"))
    a->tmd_eff = TW_TMD_IGNORE;
  return TW_OK;
}

/* EvaluateLowSampleCountPercentile and the minimum sample count it
 * implies for pNN statistics (10/(1-p) for p >= 0.5, 10/p below). */
static int parse_low_sample(tw_jctx *c, json_t *o, tw_alarm *a) {
  static const char *const names[] = {"evaluate", "ignore", NULL};
  int idx = 0, present = 0;
  int rc = tw_jget_enum(c, o, "EvaluateLowSampleCountPercentile", names, 0,
                        &idx, &present);
  if (rc || !present)
    return rc;
  a->low_sample = tw_alarm_strdup(names[idx]);
  if (!a->low_sample)
    return TW_ENOMEM;
  double pct = -1;
  if (idx == 1 && a->extended_statistic &&
      tw_alarm_extended_statistic_valid(a->extended_statistic, &pct) &&
      pct > 0 && pct < 100) {
    double p = pct / 100;
    a->low_sample_min = p >= 0.5 ? 10 / (1 - p) : 10 / p;
  }
  return TW_OK;
}

static int parse_tags(tw_jctx *c, json_t *o) {
  json_t *tags = json_object_get(o, "Tags");
  if (!tags)
    return TW_OK;
  if (!json_is_array(tags) || json_array_size(tags) > 50)
    return tw_jfail(c, TW_AWS_VALIDATION, "Tags",
                    "must be an array of at most 50 {Key, Value} objects");
  size_t i;
  json_t *t;
  json_array_foreach(tags, i, t) {
    json_t *k = json_object_get(t, "Key"), *v = json_object_get(t, "Value");
    if (!json_is_object(t) || !json_is_string(k) || !json_is_string(v) ||
        json_string_length(k) < 1 || tw_alarm_utf8_len(json_string_value(k)) > 128 ||
        tw_alarm_utf8_len(json_string_value(v)) > 256)
      return tw_jfail(c, TW_AWS_VALIDATION, "Tags",
                      "entry %zu must be {\"Key\": 1-128 chars, \"Value\": "
                      "0-256 chars}",
                      i);
  }
  return TW_OK;
}

/* Members only DescribeAlarms prints: kept when useful, else type-checked. */
static int parse_describe_fields(tw_jctx *c, json_t *o, tw_alarm *a) {
  static const char *const states[] = {"INSUFFICIENT_DATA", "OK", "ALARM",
                                       NULL};
  int idx = 0, present = 0;
  int rc = tw_jget_enum(c, o, "StateValue", states, 0, &idx, &present);
  if (rc)
    return rc;
  if (present) {
    a->has_state = 1;
    a->state_value = idx == 0 ? TW_ALARM_INSUFFICIENT_DATA
                              : idx == 1 ? TW_ALARM_OK : TW_ALARM_ALARM;
  }
  rc = tw_jget_time(c, o, "AlarmConfigurationUpdatedTimestamp",
                    &a->config_time_ms, &a->has_config_time);
  static const char *const strs[] = {"StateReason", "StateReasonData",
                                     "EvaluationState", NULL};
  for (size_t i = 0; rc == TW_OK && strs[i]; i++)
    rc = tw_jget_string(c, o, strs[i], 0, 1 << 20, 0, NULL);
  int64_t ignored;
  if (rc == TW_OK)
    rc = tw_jget_time(c, o, "StateUpdatedTimestamp", &ignored, NULL);
  if (rc == TW_OK)
    rc = tw_jget_time(c, o, "StateTransitionedTimestamp", &ignored, NULL);
  return rc;
}

static int parse_alarm_object(tw_jctx *c, json_t *o, tw_alarm *a) {
  if (!json_is_object(o))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, "",
                    "must be a JSON object");
  int rc = check_known_keys(c, o);
  if (rc == TW_OK)
    rc = parse_identity(c, o, a);
  if (rc == TW_OK)
    rc = reject_unsupported(c, o);
  if (rc == TW_OK)
    rc = parse_metric(c, o, a);
  if (rc == TW_OK)
    rc = parse_counts(c, o, a);
  if (rc == TW_OK)
    rc = parse_comparison(c, o, a);
  if (rc == TW_OK)
    rc = parse_low_sample(c, o, a);
  if (rc == TW_OK)
    rc = parse_tags(c, o);
  if (rc == TW_OK)
    rc = parse_describe_fields(c, o, a);
  return rc;
}

/* A DescribeAlarms output wraps the alarm: {"MetricAlarms": [ {...} ]}. */
static json_t *unwrap(tw_jctx *c, json_t *root, int *rc) {
  json_t *list = json_object_get(root, "MetricAlarms");
  *rc = TW_OK;
  if (!json_is_object(root) || !list || json_object_get(root, "AlarmName"))
    return root;
  if (!json_is_array(list) || json_array_size(list) != 1) {
    *rc = tw_jfail(c, TW_AWS_INVALID_VALUE, "MetricAlarms",
                   "must hold exactly one alarm (got %zu)",
                   json_is_array(list) ? json_array_size(list) : (size_t)0);
    return NULL;
  }
  snprintf(c->prefix, sizeof c->prefix, "MetricAlarms[0].");
  return json_array_get(list, 0);
}

int tw_alarm_parse_ex(const char *json, size_t len, tw_alarm **out,
                      tw_error *err, const char **aws_code) {
  tw_jctx c = {.err = err, .aws_code = TW_AWS_INVALID_VALUE};
  json_error_t jerr;
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    if (aws_code)
      *aws_code = TW_AWS_INVALID_VALUE;
    return tw_error_set(err, TW_ESYNTAX, (size_t)jerr.column,
                        "alarm: invalid JSON at line %d, column %d: %s",
                        jerr.line, jerr.column, jerr.text);
  }
  tw_alarm *a = calloc(1, sizeof *a);
  int rc = a ? TW_OK : TW_ENOMEM;
  json_t *obj = a ? unwrap(&c, root, &rc) : NULL;
  if (rc == TW_OK)
    rc = parse_alarm_object(&c, obj, a);
  json_decref(root);
  if (rc) {
    tw_alarm_free(a);
    if (rc == TW_ENOMEM)
      tw_error_set(err, rc, 0, "out of memory");
    if (aws_code)
      *aws_code = c.aws_code;
    return rc;
  }
  *out = a;
  return TW_OK;
}

int tw_alarm_parse(const char *json, size_t len, tw_alarm **out,
                   tw_error *err) {
  return tw_alarm_parse_ex(json, len, out, err, NULL);
}

static void free_dims(tw_alarm_dim *d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(d[i].name);
    free(d[i].value);
  }
  free(d);
}

static void free_list(tw_alarm_strlist *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->items[i]);
  free(l->items);
}

static void free_query(tw_alarm_query *q) {
  free(q->id);
  free(q->expression);
  free(q->label);
  free(q->metric_name);
  free(q->ns);
  free_dims(q->dims, q->ndims);
  free(q->stat);
  free(q->unit);
}

void tw_alarm_free(tw_alarm *a) {
  if (!a)
    return;
  free(a->name);
  free(a->arn);
  free(a->description);
  free_list(&a->ok_actions);
  free_list(&a->alarm_actions);
  free_list(&a->insufficient_actions);
  free(a->metric_name);
  free(a->ns);
  free_dims(a->dims, a->ndims);
  free(a->statistic);
  free(a->extended_statistic);
  free(a->unit);
  for (size_t i = 0; i < a->nqueries; i++)
    free_query(&a->queries[i]);
  free(a->queries);
  free(a->low_sample);
  free(a);
}
