/*
 * test_alarm_parse.c — PutMetricAlarm validation: every line of
 * tests/data/alarm_invalid.jsonl ({"id", "alarm" | "alarm_text", "error",
 * "code"}) must be rejected with exactly that message (naming the field)
 * and CloudWatch error code; plus the accepted shapes (PutMetricAlarm
 * input, describe-alarms entry and output, metric math) and accessors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trailwatch.h"
#include "tw_test.h"

static int check_invalid(json_t *c) {
  const char *id = json_string_value(json_object_get(c, "id"));
  json_t *alarm = json_object_get(c, "alarm");
  char *text = alarm ? json_dumps(alarm, JSON_COMPACT | JSON_ENCODE_ANY)
                     : strdup(json_string_value(json_object_get(c, "alarm_text")));
  const char *want = json_string_value(json_object_get(c, "error"));
  const char *want_code = json_string_value(json_object_get(c, "code"));
  tw_alarm *a = NULL;
  tw_error err = {0};
  const char *code = NULL;
  int rc = tw_alarm_parse_ex(text, strlen(text), &a, &err, &code);
  int ok = rc != TW_OK && a == NULL && !strcmp(err.message, want) && code &&
           !strcmp(code, want_code);
  if (!ok)
    fprintf(stderr, "case %s: rc %d\n   got: [%s] %s\n  want: [%s] %s\n", id, rc,
            code ? code : "-", err.message, want_code, want);
  tw_alarm_free(a);
  free(text);
  return ok;
}

TW_TEST(invalid_alarms_are_rejected_naming_the_field) {
  FILE *f = fopen("tests/data/alarm_invalid.jsonl", "r");
  TW_CHECK(f != NULL);
  if (!f)
    return;
  char *line = NULL;
  size_t cap = 0;
  int n = 0, failed = 0;
  while (getline(&line, &cap, f) > 0) {
    json_t *c = json_loads(line, 0, NULL);
    TW_CHECK(c != NULL);
    if (!c)
      continue;
    n++;
    failed += !check_invalid(c);
    json_decref(c);
  }
  free(line);
  fclose(f);
  TW_CHECK(n >= 50);
  TW_CHECK_EQ_INT(failed, 0);
}

static tw_alarm *parse_ok(const char *json) {
  tw_alarm *a = NULL;
  tw_error err = {0};
  if (tw_alarm_parse(json, strlen(json), &a, &err) != TW_OK)
    fprintf(stderr, "unexpected rejection: %s\n", err.message);
  return a;
}

TW_TEST(put_metric_alarm_input_from_the_cli) {
  /* the exact body the AWS CLI sends (metrics-alarms-api.md §1.1) */
  tw_alarm *a = parse_ok(
      "{\"AlarmName\": \"a1\", \"AlarmActions\": [\"arn:aws:sns:us-east-1:"
      "123456789012:t\"], \"MetricName\": \"Errors\", \"Namespace\": \"App\", "
      "\"Statistic\": \"Sum\", \"Dimensions\": [{\"Name\": \"Svc\", \"Value\": "
      "\"api\"}], \"Period\": 60, \"EvaluationPeriods\": 3, "
      "\"DatapointsToAlarm\": 2, \"Threshold\": 1.0, \"ComparisonOperator\": "
      "\"GreaterThanOrEqualToThreshold\", \"TreatMissingData\": "
      "\"notBreaching\"}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  TW_CHECK_EQ_STR(tw_alarm_get_name(a), "a1");
  TW_CHECK_EQ_INT(tw_alarm_get_period(a), 60);
  TW_CHECK_EQ_INT(tw_alarm_get_evaluation_periods(a), 3);
  TW_CHECK_EQ_INT(tw_alarm_get_datapoints_to_alarm(a), 2);
  TW_CHECK_EQ_INT(tw_alarm_get_evaluation_range(a), 5);
  tw_alarm_state s = TW_ALARM_OK;
  TW_CHECK_EQ_INT(tw_alarm_get_input_state(a, &s), 0);
  tw_alarm_free(a);
}

TW_TEST(evaluation_range_follows_d20) {
  static const int n[] = {1, 2, 3, 5, 6, 8, 9, 12, 24, 100};
  static const int r[] = {3, 4, 5, 7, 8, 10, 12, 16, 32, 133};
  for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
    char json[256];
    snprintf(json, sizeof json,
             "{\"AlarmName\":\"x\",\"MetricName\":\"M\",\"Namespace\":\"N\","
             "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":%d,"
             "\"Threshold\":1,\"ComparisonOperator\":\"LessThanThreshold\"}",
             n[i]);
    tw_alarm *a = parse_ok(json);
    TW_CHECK(a != NULL);
    if (!a)
      continue;
    TW_CHECK_EQ_INT(tw_alarm_get_evaluation_range(a), r[i]);
    TW_CHECK_EQ_INT(tw_alarm_get_datapoints_to_alarm(a), n[i]);
    tw_alarm_free(a);
  }
}

TW_TEST(describe_alarms_output_and_entry) {
  const char *entry =
      "{\"AlarmName\":\"cpu\",\"AlarmArn\":\"arn:aws:cloudwatch:us-west-2:"
      "978708203214:alarm:cpu\",\"AlarmConfigurationUpdatedTimestamp\":"
      "\"2017-05-15T23:55:54.428Z\",\"ActionsEnabled\":true,\"OKActions\":[],"
      "\"AlarmActions\":[],\"InsufficientDataActions\":[],\"StateValue\":"
      "\"ALARM\",\"StateReason\":\"x\",\"StateReasonData\":\"{}\","
      "\"StateUpdatedTimestamp\":1512526070.482,\"StateTransitionedTimestamp\":"
      "\"2017-12-06T02:07:50.482000+00:00\",\"MetricName\":\"CPU\","
      "\"Namespace\":\"AWS/EC2\",\"Statistic\":\"Average\",\"Dimensions\":[],"
      "\"Period\":300,\"EvaluationPeriods\":1,\"Threshold\":80.0,"
      "\"ComparisonOperator\":\"GreaterThanThreshold\"}";
  char wrapped[2048];
  snprintf(wrapped, sizeof wrapped,
           "{\"MetricAlarms\":[%s],\"CompositeAlarms\":[]}", entry);
  const char *inputs[] = {entry, wrapped};
  for (int i = 0; i < 2; i++) {
    tw_alarm *a = parse_ok(inputs[i]);
    TW_CHECK(a != NULL);
    if (!a)
      continue;
    tw_alarm_state s = TW_ALARM_OK;
    TW_CHECK_EQ_INT(tw_alarm_get_input_state(a, &s), 1);
    TW_CHECK_EQ_INT(s, TW_ALARM_ALARM);
    TW_CHECK_EQ_INT(tw_alarm_get_period(a), 300);
    tw_alarm_free(a);
  }
}

TW_TEST(metric_math_alarm) {
  tw_alarm *a = parse_ok(
      "{\"AlarmName\":\"ratio\",\"EvaluationPeriods\":2,\"Threshold\":0.5,"
      "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Metrics\":["
      "{\"Id\":\"e1\",\"Expression\":\"m1/m2\",\"Label\":\"ratio\"},"
      "{\"Id\":\"m1\",\"ReturnData\":false,\"MetricStat\":{\"Metric\":"
      "{\"Namespace\":\"App\",\"MetricName\":\"Errors\",\"Dimensions\":[{"
      "\"Name\":\"Svc\",\"Value\":\"api\"}]},\"Period\":300,\"Stat\":\"Sum\"}},"
      "{\"Id\":\"m2\",\"ReturnData\":false,\"MetricStat\":{\"Metric\":"
      "{\"Namespace\":\"App\",\"MetricName\":\"Requests\"},\"Period\":300,"
      "\"Stat\":\"p99\"}}]}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  TW_CHECK_EQ_INT(tw_alarm_get_period(a), 300);
  double v[] = {0.1, 0.9, 0.7};
  tw_alarm_result r;
  int64_t t = 0;
  TW_CHECK_EQ_INT(tw_alarm_parse_time("2024-01-01T00:10:30Z", &t), TW_OK);
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 3, TW_ALARM_OK, t, &r), TW_OK);
  TW_CHECK_EQ_INT(r.state, TW_ALARM_ALARM);
  /* metric-math alarms have no "statistic" in StateReasonData */
  TW_CHECK_EQ_STR(r.reason_data,
                  "{\"version\":\"1.0\",\"queryDate\":\"2024-01-01T00:10:30.000+0000\","
                  "\"startDate\":\"2024-01-01T00:00:00.000+0000\",\"period\":300,"
                  "\"recentDatapoints\":[0.9,0.7],\"threshold\":0.5,"
                  "\"evaluatedDatapoints\":[{\"timestamp\":\"2024-01-01T00:05:00.000+0000\","
                  "\"value\":0.7},{\"timestamp\":\"2024-01-01T00:00:00.000+0000\","
                  "\"value\":0.9}]}");
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);
}

TW_TEST(extended_statistics_accepted) {
  static const char *const ok[] = {"p99", "p0", "p100", "p99.9", "p99.99",
                                   "tm99", "tc90", "ts50", "wm10", "IQM",
                                   "TM(10%:90%)", "TC(:90%)", "TS(20%:)",
                                   "WM(10%:90%)", "TM(100:2000)", "PR(100:)",
                                   "PR(:500.5)"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    char json[256];
    snprintf(json, sizeof json,
             "{\"AlarmName\":\"x\",\"MetricName\":\"M\",\"Namespace\":\"N\","
             "\"ExtendedStatistic\":\"%s\",\"Period\":60,\"EvaluationPeriods\":1,"
             "\"Threshold\":1,\"ComparisonOperator\":\"LessThanThreshold\"}",
             ok[i]);
    tw_alarm *a = parse_ok(json);
    if (!a)
      fprintf(stderr, "  (statistic %s)\n", ok[i]);
    TW_CHECK(a != NULL);
    tw_alarm_free(a);
  }
}

TW_TEST(state_names) {
  tw_alarm_state s;
  TW_CHECK_EQ_INT(tw_alarm_state_parse("OK", &s), TW_OK);
  TW_CHECK_EQ_INT(s, TW_ALARM_OK);
  TW_CHECK_EQ_INT(tw_alarm_state_parse("INSUFFICIENT_DATA", &s), TW_OK);
  TW_CHECK_EQ_INT(s, TW_ALARM_INSUFFICIENT_DATA);
  TW_CHECK_EQ_INT(tw_alarm_state_parse("ALARM", &s), TW_OK);
  TW_CHECK_EQ_INT(s, TW_ALARM_ALARM);
  TW_CHECK_EQ_INT(tw_alarm_state_parse("alarm", &s), TW_EINVAL);
  TW_CHECK_EQ_STR(tw_alarm_state_name(TW_ALARM_INSUFFICIENT_DATA),
                  "INSUFFICIENT_DATA");
}

int main(void) { return tw_test_run(); }
