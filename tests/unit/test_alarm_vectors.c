/*
 * test_alarm_vectors.c — runs the alarm-evaluation data files through
 * tw_alarm_parse + tw_alarm_evaluate_ex:
 *   tests/data/alarm_vectors.jsonl  (copy of the shared conformance vectors)
 *   tests/data/alarm_cases.jsonl    (trailwatch's own cases, same shape)
 * One case per line: {"id", "config": {period, evaluationPeriods,
 * datapointsToAlarm (null = omitted), threshold, comparisonOperator,
 * treatMissingData, statistic, evaluationRange?, unit?, extendedStatistic?,
 * namespace?, evaluateLowSampleCountPercentile?, band?}, "datapoints",
 * "expect_state", "prior_state"?} plus optional trailwatch keys: "time"
 * (ISO-8601 evaluation time), "sample_counts", "expect_reason",
 * "expect_reason_data", "expect_changed", "expect_retained".
 * Anomaly-band cases (config.band) must be rejected with a clear message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trailwatch.h"
#include "tw_test.h"

#define DEFAULT_TIME "2024-03-16T12:16:45.770Z"

static void copy_if(json_t *dst, const char *dkey, json_t *cfg, const char *skey) {
  json_t *v = json_object_get(cfg, skey);
  if (v && !json_is_null(v))
    json_object_set(dst, dkey, v);
}

/* config (camelCase, vector shape) -> PutMetricAlarm JSON text. */
static char *alarm_json(const char *id, json_t *cfg) {
  json_t *a = json_object();
  json_object_set_new(a, "AlarmName", json_string(id));
  json_t *ns = json_object_get(cfg, "namespace");
  json_object_set_new(a, "MetricName", json_string("Metric"));
  json_object_set_new(a, "Namespace", ns ? json_copy(ns) : json_string("Trailwatch/Test"));
  if (json_object_get(cfg, "extendedStatistic"))
    copy_if(a, "ExtendedStatistic", cfg, "extendedStatistic");
  else
    copy_if(a, "Statistic", cfg, "statistic");
  copy_if(a, "Period", cfg, "period");
  copy_if(a, "EvaluationPeriods", cfg, "evaluationPeriods");
  copy_if(a, "DatapointsToAlarm", cfg, "datapointsToAlarm");
  copy_if(a, "Threshold", cfg, "threshold");
  copy_if(a, "ComparisonOperator", cfg, "comparisonOperator");
  copy_if(a, "TreatMissingData", cfg, "treatMissingData");
  copy_if(a, "Unit", cfg, "unit");
  copy_if(a, "ThresholdMetricId", cfg, "thresholdMetricId");
  copy_if(a, "EvaluateLowSampleCountPercentile", cfg,
          "evaluateLowSampleCountPercentile");
  char *text = json_dumps(a, JSON_COMPACT);
  json_decref(a);
  return text;
}

/* datapoints -> doubles (NaN for null), keeping only the last
 * evaluationRange entries when the config gives one. */
static double *load_series(json_t *arr, json_t *cfg, size_t *n) {
  size_t total = json_array_size(arr), skip = 0;
  json_t *range = json_object_get(cfg, "evaluationRange");
  if (json_is_integer(range) && (size_t)json_integer_value(range) < total)
    skip = total - (size_t)json_integer_value(range);
  *n = total - skip;
  double *v = calloc(*n + 1, sizeof *v);
  for (size_t i = 0; i < *n; i++) {
    json_t *e = json_array_get(arr, skip + i);
    v[i] = json_is_number(e) ? json_number_value(e) : NAN;
  }
  return v;
}

static int failures;

static void report(const char *id, const char *what, const char *got,
                   const char *want) {
  fprintf(stderr, "case %s: %s\n   got: %s\n  want: %s\n", id, what,
          got ? got : "(null)", want ? want : "(null)");
  failures++;
}

static void check_anomaly_rejected(const char *id, const char *text) {
  tw_alarm *a = NULL;
  tw_error err = {0};
  int rc = tw_alarm_parse(text, strlen(text), &a, &err);
  if (rc == TW_OK || !strstr(err.message, "anomaly"))
    report(id, "anomaly alarm must be rejected naming anomaly detection",
           rc == TW_OK ? "accepted" : err.message, "...anomaly...");
  tw_alarm_free(a);
}

static void check_result(const char *id, json_t *c, const tw_alarm_result *r) {
  const char *want_state = json_string_value(json_object_get(c, "expect_state"));
  if (strcmp(tw_alarm_state_name(r->state), want_state))
    report(id, "state", tw_alarm_state_name(r->state), want_state);
  json_t *reason = json_object_get(c, "expect_reason");
  if (json_is_string(reason) &&
      (!r->reason || strcmp(r->reason, json_string_value(reason))))
    report(id, "StateReason", r->reason, json_string_value(reason));
  if (json_is_null(reason) && r->reason)
    report(id, "StateReason", r->reason, "(null)");
  json_t *data = json_object_get(c, "expect_reason_data");
  if (json_is_string(data) &&
      (!r->reason_data || strcmp(r->reason_data, json_string_value(data))))
    report(id, "StateReasonData", r->reason_data, json_string_value(data));
  json_t *changed = json_object_get(c, "expect_changed");
  if (json_is_boolean(changed) && json_is_true(changed) != (r->changed != 0))
    report(id, "changed", r->changed ? "true" : "false",
           json_is_true(changed) ? "true" : "false");
  json_t *retained = json_object_get(c, "expect_retained");
  if (json_is_boolean(retained) && json_is_true(retained) != (r->retained != 0))
    report(id, "retained", r->retained ? "true" : "false",
           json_is_true(retained) ? "true" : "false");
}

static void run_case(json_t *c) {
  const char *id = json_string_value(json_object_get(c, "id"));
  json_t *cfg = json_object_get(c, "config");
  char *text = alarm_json(id, cfg);
  if (json_object_get(cfg, "band")) {
    check_anomaly_rejected(id, text);
    free(text);
    return;
  }
  tw_alarm *a = NULL;
  tw_error err = {0};
  if (tw_alarm_parse(text, strlen(text), &a, &err) != TW_OK) {
    report(id, "alarm rejected", err.message, text);
    free(text);
    return;
  }
  size_t n = 0;
  double *v = load_series(json_object_get(c, "datapoints"), cfg, &n);
  double *samples = NULL;
  json_t *sc = json_object_get(c, "sample_counts");
  if (sc)
    samples = load_series(sc, cfg, &n);
  tw_alarm_state prior = TW_ALARM_INSUFFICIENT_DATA;
  json_t *ps = json_object_get(c, "prior_state");
  if (ps)
    tw_alarm_state_parse(json_string_value(ps), &prior);
  int64_t t = 0;
  json_t *tt = json_object_get(c, "time");
  tw_alarm_parse_time(tt ? json_string_value(tt) : DEFAULT_TIME, &t);
  tw_alarm_result r;
  if (tw_alarm_evaluate_ex(a, v, samples, n, prior, t, &r) != TW_OK) {
    report(id, "evaluate failed", "", "");
  } else {
    check_result(id, c, &r);
    tw_alarm_result_clear(&r);
  }
  free(v);
  free(samples);
  free(text);
  tw_alarm_free(a);
}

static size_t run_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    failures++;
    return 0;
  }
  char *line = NULL;
  size_t cap = 0, count = 0;
  while (getline(&line, &cap, f) > 0) {
    if (line[0] == '\n' || line[0] == '#')
      continue;
    json_error_t je;
    json_t *c = json_loads(line, 0, &je);
    if (!c) {
      fprintf(stderr, "%s: bad line: %s\n", path, je.text);
      failures++;
      continue;
    }
    run_case(c);
    json_decref(c);
    count++;
  }
  free(line);
  fclose(f);
  return count;
}

TW_TEST(conformance_vectors) {
  failures = 0;
  size_t n = run_file("tests/data/alarm_vectors.jsonl");
  TW_CHECK(n >= 56);
  TW_CHECK_EQ_INT(failures, 0);
}

TW_TEST(own_cases) {
  failures = 0;
  size_t n = run_file("tests/data/alarm_cases.jsonl");
  TW_CHECK(n >= 150);
  TW_CHECK_EQ_INT(failures, 0);
}

int main(void) { return tw_test_run(); }
