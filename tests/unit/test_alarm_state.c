/*
 * test_alarm_state.c — what happens around an evaluation: the state record
 * (creation, transitions, timestamps), actions chosen per transition and
 * ActionsEnabled, SetAlarmState validation, DescribeAlarmHistory items,
 * the SNS notification (byte for byte against a real one) and a backtest
 * that replays an alarm minute by minute over a series.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trailwatch.h"
#include "tw_test.h"

/* The alarm of the real notification in metrics-alarms-api.md §8. */
static const char lambda_alarm[] =
    "{\"AlarmName\":\"Test alarm\",\"AlarmConfigurationUpdatedTimestamp\":"
    "\"2022-09-25T18:48:56.505Z\",\"MetricName\":\"ConcurrentExecutions\","
    "\"Namespace\":\"AWS/Lambda\",\"Statistic\":\"Sum\",\"Dimensions\":[],"
    "\"Period\":60,\"EvaluationPeriods\":1,\"DatapointsToAlarm\":1,"
    "\"Threshold\":5.0,\"ComparisonOperator\":\"GreaterThanThreshold\","
    "\"TreatMissingData\":\"missing\",\"AlarmActions\":[\"arn:aws:sns:"
    "ca-central-1:017790921725:test-sre-bot\"],\"OKActions\":[\"arn:aws:sns:"
    "ca-central-1:017790921725:ok\"],\"InsufficientDataActions\":[\"arn:aws:"
    "sns:ca-central-1:017790921725:nodata\"]}";

static const char real_message[] =
    "{\"AlarmName\":\"Test alarm\",\"AlarmDescription\":null,\"AWSAccountId\":"
    "\"017790921725\",\"AlarmConfigurationUpdatedTimestamp\":"
    "\"2022-09-25T18:48:56.505+0000\",\"NewStateValue\":\"ALARM\","
    "\"NewStateReason\":\"Threshold Crossed: 1 out of the last 1 datapoints "
    "[6.0 (25/09/22 18:49:00)] was greater than the threshold (5.0) (minimum 1 "
    "datapoint for OK -> ALARM transition).\",\"StateChangeTime\":"
    "\"2022-09-25T18:50:37.811+0000\",\"Region\":\"Canada (Central)\","
    "\"AlarmArn\":\"arn:aws:cloudwatch:ca-central-1:017790921725:alarm:Test "
    "alarm\",\"OldStateValue\":\"INSUFFICIENT_DATA\",\"OKActions\":[\"arn:aws:"
    "sns:ca-central-1:017790921725:ok\"],\"AlarmActions\":[\"arn:aws:sns:"
    "ca-central-1:017790921725:test-sre-bot\"],\"InsufficientDataActions\":["
    "\"arn:aws:sns:ca-central-1:017790921725:nodata\"],\"Trigger\":{"
    "\"MetricName\":\"ConcurrentExecutions\",\"Namespace\":\"AWS/Lambda\","
    "\"StatisticType\":\"Statistic\",\"Statistic\":\"SUM\",\"Unit\":null,"
    "\"Dimensions\":[],\"Period\":60,\"EvaluationPeriods\":1,"
    "\"DatapointsToAlarm\":1,\"ComparisonOperator\":\"GreaterThanThreshold\","
    "\"Threshold\":5.0,\"TreatMissingData\":\"missing\","
    "\"EvaluateLowSampleCountPercentile\":\"\"}";

static tw_alarm *parse(const char *json) {
  tw_alarm *a = NULL;
  tw_error err = {0};
  if (tw_alarm_parse(json, strlen(json), &a, &err) != TW_OK)
    fprintf(stderr, "parse: %s\n", err.message);
  return a;
}

static int64_t at(const char *iso) {
  int64_t ms = 0;
  tw_alarm_parse_time(iso, &ms);
  return ms;
}

TW_TEST(sns_message_matches_a_real_notification) {
  tw_alarm *a = parse(lambda_alarm);
  TW_CHECK(a != NULL);
  if (!a)
    return;
  double v[] = {6.0};
  tw_alarm_result r;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 1, TW_ALARM_INSUFFICIENT_DATA,
                                    at("2022-09-25T18:50:37.811Z"), &r),
                  TW_OK);
  char *msg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "017790921725", "ca-central-1",
                                       NULL, 0, &msg, &err),
                  TW_OK);
  char want[4096];
  snprintf(want, sizeof want, "%s,\"Events\":[]}", real_message);
  TW_CHECK_EQ_STR(msg, want);
  free(msg);

  const char *events[] = {"{\"eventName\":\"ConsoleLogin\",\"n\":1.50}", " [1, 2] "};
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "017790921725", "ca-central-1",
                                       events, 2, &msg, &err),
                  TW_OK);
  snprintf(want, sizeof want,
           "%s,\"Events\":[{\"eventName\":\"ConsoleLogin\",\"n\":1.50}, [1, 2] ]}",
           real_message);
  TW_CHECK_EQ_STR(msg, want);
  free(msg);
  json_t *j = json_loads(want, 0, NULL); /* still one valid JSON text */
  TW_CHECK(j != NULL);
  json_decref(j);

  const char *bad[] = {"{}", "{\"a\":"};
  msg = NULL;
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "017790921725", "ca-central-1",
                                       bad, 2, &msg, &err),
                  TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "events[1]: not valid JSON");
  TW_CHECK(msg == NULL);

  char *subject = NULL;
  TW_CHECK_EQ_INT(tw_alarm_sns_subject(a, &r, "ca-central-1", &subject), TW_OK);
  TW_CHECK_EQ_STR(subject, "ALARM: \"Test alarm\" in Canada (Central)");
  free(subject);
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);
}

TW_TEST(sns_trigger_variants) {
  tw_alarm *a = parse(
      "{\"AlarmName\":\"p\",\"AlarmDescription\":\"slow \\\"api\\\"\","
      "\"AlarmArn\":\"arn:aws:cloudwatch:us-east-1:111122223333:alarm:p\","
      "\"MetricName\":\"Latency\",\"Namespace\":\"App\",\"ExtendedStatistic\":"
      "\"p99\",\"Unit\":\"Milliseconds\",\"Dimensions\":[{\"Name\":\"Svc\","
      "\"Value\":\"api\"}],\"Period\":300,\"EvaluationPeriods\":2,"
      "\"Threshold\":250,\"ComparisonOperator\":"
      "\"GreaterThanOrEqualToThreshold\",\"EvaluateLowSampleCountPercentile\":"
      "\"evaluate\"}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  double v[] = {300, 400};
  tw_alarm_result r;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 2, TW_ALARM_OK,
                                    at("2024-05-01T10:00:10Z"), &r), TW_OK);
  char *msg = NULL;
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "111122223333", "us-east-1",
                                       NULL, 0, &msg, NULL), TW_OK);
  TW_CHECK_EQ_STR(
      msg,
      "{\"AlarmName\":\"p\",\"AlarmDescription\":\"slow \\\"api\\\"\","
      "\"AWSAccountId\":\"111122223333\",\"AlarmConfigurationUpdatedTimestamp\":"
      "\"2024-05-01T10:00:10.000+0000\",\"NewStateValue\":\"ALARM\","
      "\"NewStateReason\":\"Threshold Crossed: 2 datapoints [400.0 (01/05/24 "
      "09:55:00), 300.0 (01/05/24 09:50:00)] were greater than or equal to the "
      "threshold (250.0).\",\"StateChangeTime\":\"2024-05-01T10:00:10.000+0000\","
      "\"Region\":\"US East (N. Virginia)\",\"AlarmArn\":\"arn:aws:cloudwatch:"
      "us-east-1:111122223333:alarm:p\",\"OldStateValue\":\"OK\",\"OKActions\":[],"
      "\"AlarmActions\":[],\"InsufficientDataActions\":[],\"Trigger\":{"
      "\"MetricName\":\"Latency\",\"Namespace\":\"App\",\"StatisticType\":"
      "\"ExtendedStatistic\",\"ExtendedStatistic\":\"p99\",\"Unit\":"
      "\"Milliseconds\",\"Dimensions\":[{\"value\":\"api\",\"name\":\"Svc\"}],"
      "\"Period\":300,\"EvaluationPeriods\":2,\"ComparisonOperator\":"
      "\"GreaterThanOrEqualToThreshold\",\"Threshold\":250.0,"
      "\"TreatMissingData\":\"\",\"EvaluateLowSampleCountPercentile\":"
      "\"evaluate\"},\"Events\":[]}");
  free(msg);
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);

  a = parse("{\"AlarmName\":\"c\",\"MetricName\":\"M\",\"Namespace\":\"N\","
            "\"Statistic\":\"SampleCount\",\"Period\":60,\"EvaluationPeriods\":1,"
            "\"Threshold\":1,\"ComparisonOperator\":\"LessThanThreshold\"}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 1, TW_ALARM_ALARM, 0, &r), TW_OK);
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "1", "xx-unknown-1", NULL, 0,
                                       &msg, NULL), TW_OK);
  TW_CHECK(strstr(msg, "\"Statistic\":\"SAMPLE_COUNT\"") != NULL);
  TW_CHECK(strstr(msg, "\"Region\":\"xx-unknown-1\"") != NULL);
  TW_CHECK(strstr(msg, "\"OldStateValue\":\"ALARM\"") != NULL);
  free(msg);
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);
}

TW_TEST(sns_metric_math_trigger) {
  tw_alarm *a = parse(
      "{\"AlarmName\":\"m\",\"EvaluationPeriods\":1,\"Threshold\":1,"
      "\"ComparisonOperator\":\"GreaterThanThreshold\",\"Metrics\":["
      "{\"Id\":\"e1\",\"Expression\":\"m1*2\",\"Label\":\"double\"},"
      "{\"Id\":\"m1\",\"ReturnData\":false,\"MetricStat\":{\"Metric\":"
      "{\"Namespace\":\"A\",\"MetricName\":\"B\",\"Dimensions\":[{\"Name\":"
      "\"k\",\"Value\":\"v\"}]},\"Period\":60,\"Stat\":\"Sum\"}}]}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  double v[] = {5};
  tw_alarm_result r;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 1, TW_ALARM_OK, 0, &r), TW_OK);
  char *msg = NULL;
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "1", "eu-west-1", NULL, 0, &msg,
                                       NULL), TW_OK);
  TW_CHECK(strstr(msg,
                  "\"Trigger\":{\"Metrics\":[{\"Expression\":\"m1*2\",\"Id\":"
                  "\"e1\",\"Label\":\"double\",\"ReturnData\":true},{\"Id\":"
                  "\"m1\",\"MetricStat\":{\"Metric\":{\"Dimensions\":[{\"value\":"
                  "\"v\",\"name\":\"k\"}],\"MetricName\":\"B\",\"Namespace\":"
                  "\"A\"},\"Period\":60,\"Stat\":\"Sum\"},\"ReturnData\":false}],"
                  "\"Period\":60,") != NULL);
  TW_CHECK(strstr(msg, "\"Region\":\"EU (Ireland)\"") != NULL);
  free(msg);
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);
}

/* Evaluate, apply to the record, and return the history item (or NULL). */
static char *step(tw_alarm_record *rec, const tw_alarm *a, double *v, size_t n,
                  int64_t t, tw_alarm_result *r) {
  char *hist = NULL;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, n, rec->value, t, r), TW_OK);
  TW_CHECK_EQ_INT(tw_alarm_record_apply(rec, a, r, &hist), TW_OK);
  return hist;
}

TW_TEST(record_transitions_actions_and_history) {
  tw_alarm *a = parse(lambda_alarm);
  TW_CHECK(a != NULL);
  if (!a)
    return;
  tw_alarm_record rec;
  int64_t t0 = at("2022-09-25T18:48:56.505Z");
  TW_CHECK_EQ_INT(tw_alarm_record_init(&rec, t0), TW_OK);
  TW_CHECK_EQ_INT(rec.value, TW_ALARM_INSUFFICIENT_DATA);
  TW_CHECK_EQ_STR(rec.reason, "Unchecked: Initial alarm creation");
  TW_CHECK(rec.reason_data == NULL);

  tw_alarm_result r;
  double v[] = {6.0};
  int64_t t1 = at("2022-09-25T18:50:37.811Z");
  char *hist = step(&rec, a, v, 1, t1, &r);
  TW_CHECK(r.changed);
  TW_CHECK_EQ_INT(r.nactions, 1);
  TW_CHECK_EQ_STR(r.actions[0], "arn:aws:sns:ca-central-1:017790921725:test-sre-bot");
  TW_CHECK_EQ_INT(rec.value, TW_ALARM_ALARM);
  TW_CHECK(rec.updated_ms == t1 && rec.transitioned_ms == t1);
  TW_CHECK_EQ_STR(
      hist,
      "{\"AlarmName\":\"Test alarm\",\"AlarmType\":\"MetricAlarm\",\"Timestamp\":"
      "1664131837.811,\"HistoryItemType\":\"StateUpdate\",\"HistorySummary\":"
      "\"Alarm updated from INSUFFICIENT_DATA to ALARM\",\"HistoryData\":"
      "\"{\\\"version\\\":\\\"1.0\\\",\\\"oldState\\\":{\\\"stateValue\\\":"
      "\\\"INSUFFICIENT_DATA\\\",\\\"stateReason\\\":\\\"Unchecked: Initial alarm "
      "creation\\\"},\\\"newState\\\":{\\\"stateValue\\\":\\\"ALARM\\\","
      "\\\"stateReason\\\":\\\"Threshold Crossed: 1 out of the last 1 datapoints "
      "[6.0 (25/09/22 18:49:00)] was greater than the threshold (5.0) (minimum 1 "
      "datapoint for OK -> ALARM transition).\\\",\\\"stateReasonData\\\":{"
      "\\\"version\\\":\\\"1.0\\\",\\\"queryDate\\\":\\\"2022-09-25T18:50:37.811"
      "+0000\\\",\\\"startDate\\\":\\\"2022-09-25T18:49:00.000+0000\\\","
      "\\\"statistic\\\":\\\"Sum\\\",\\\"period\\\":60,\\\"recentDatapoints\\\":"
      "[6.0],\\\"threshold\\\":5.0,\\\"evaluatedDatapoints\\\":[{\\\"timestamp\\\":"
      "\\\"2022-09-25T18:49:00.000+0000\\\",\\\"value\\\":6.0}]}}}\"}");
  free(hist);
  tw_alarm_result_clear(&r);

  /* still breaching a minute later: no transition, no actions, no history,
   * the record keeps the transition's reason and time */
  double v2[] = {6.0, 7.0};
  hist = step(&rec, a, v2, 2, t1 + 60000, &r);
  TW_CHECK(!r.changed && r.nactions == 0 && hist == NULL);
  TW_CHECK(rec.transitioned_ms == t1);
  TW_CHECK(strstr(rec.reason, "[6.0 (25/09/22 18:49:00)]") != NULL);
  tw_alarm_result_clear(&r);

  double v3[] = {1.0};
  hist = step(&rec, a, v3, 1, t1 + 120000, &r);
  TW_CHECK(r.changed && r.nactions == 1);
  TW_CHECK_EQ_STR(r.actions[0], "arn:aws:sns:ca-central-1:017790921725:ok");
  TW_CHECK(hist && strstr(hist, "Alarm updated from ALARM to OK"));
  free(hist);
  tw_alarm_result_clear(&r);

  double v4[] = {NAN};
  hist = step(&rec, a, v4, 1, t1 + 180000, &r);
  TW_CHECK_EQ_INT(rec.value, TW_ALARM_INSUFFICIENT_DATA);
  TW_CHECK(r.nactions == 1 && !strcmp(r.actions[0], "arn:aws:sns:ca-central-1:017790921725:nodata"));
  TW_CHECK_EQ_STR(rec.reason, "Insufficient Data: 1 datapoint was unknown.");
  free(hist);
  tw_alarm_result_clear(&r);
  tw_alarm_record_clear(&rec);
  tw_alarm_free(a);
}

TW_TEST(actions_disabled) {
  char json[2048];
  snprintf(json, sizeof json, "%.*s,\"ActionsEnabled\":false}",
           (int)strlen(lambda_alarm) - 1, lambda_alarm);
  tw_alarm *a = parse(json);
  TW_CHECK(a != NULL);
  if (!a)
    return;
  double v[] = {6.0};
  tw_alarm_result r;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 1, TW_ALARM_OK, 0, &r), TW_OK);
  TW_CHECK(r.changed && r.nactions == 0 && r.actions == NULL);
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);
}

TW_TEST(infinite_values_rejected_and_low_samples_retain) {
  tw_alarm *a = parse(lambda_alarm);
  TW_CHECK(a != NULL);
  if (!a)
    return;
  double v[] = {1.0, INFINITY};
  tw_alarm_result r;
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 2, TW_ALARM_OK, 0, &r), TW_EINVAL);
  tw_alarm_free(a);

  a = parse("{\"AlarmName\":\"p\",\"MetricName\":\"L\",\"Namespace\":\"N\","
            "\"ExtendedStatistic\":\"p99\",\"Period\":60,\"EvaluationPeriods\":1,"
            "\"Threshold\":1,\"ComparisonOperator\":\"GreaterThanThreshold\","
            "\"EvaluateLowSampleCountPercentile\":\"ignore\"}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  double w[] = {5.0}, few[] = {10.0};
  TW_CHECK_EQ_INT(tw_alarm_evaluate_ex(a, w, few, 1, TW_ALARM_OK, 0, &r), TW_OK);
  TW_CHECK(r.retained && !r.changed && r.state == TW_ALARM_OK && r.reason == NULL);
  TW_CHECK(r.note && strstr(r.note, "EvaluateLowSampleCountPercentile") != NULL);
  tw_alarm_result_clear(&r);
  /* without sample counts the datapoint is evaluated */
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, w, 1, TW_ALARM_OK, 0, &r), TW_OK);
  TW_CHECK(!r.retained && r.state == TW_ALARM_ALARM);
  tw_alarm_result_clear(&r);
  tw_alarm_free(a);
}

TW_TEST(set_alarm_state) {
  tw_alarm *a = parse(lambda_alarm);
  TW_CHECK(a != NULL);
  if (!a)
    return;
  tw_alarm_record rec;
  TW_CHECK_EQ_INT(tw_alarm_record_init(&rec, 1000), TW_OK);
  tw_alarm_result r;
  tw_error err = {0};
  const char *code = NULL;
  char *hist = NULL;

  TW_CHECK_EQ_INT(tw_alarm_set_state(&rec, a, "FIRING", "x", NULL, 2000, &r,
                                     &hist, &err, &code), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "StateValue: must be one of INSUFFICIENT_DATA, "
                               "ALARM, OK (got FIRING)");
  TW_CHECK_EQ_STR(code, "ValidationError");
  TW_CHECK_EQ_INT(tw_alarm_set_state(&rec, a, "ALARM", "x", "{not json", 2000,
                                     &r, &hist, &err, &code), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "StateReasonData: Data was not syntactically valid JSON");
  TW_CHECK_EQ_STR(code, "InvalidFormat");
  TW_CHECK_EQ_INT(tw_alarm_set_state(&rec, a, "ALARM", NULL, NULL, 2000, &r,
                                     &hist, &err, &code), TW_EINVAL);
  TW_CHECK_EQ_STR(code, "MissingParameter");
  char long_reason[1100];
  memset(long_reason, 'r', 1024);
  long_reason[1024] = '\0';
  TW_CHECK_EQ_INT(tw_alarm_set_state(&rec, a, "ALARM", long_reason, NULL, 2000,
                                     &r, &hist, &err, &code), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "StateReason: must be at most 1023 characters long");
  TW_CHECK_EQ_INT(rec.value, TW_ALARM_INSUFFICIENT_DATA); /* untouched */

  TW_CHECK_EQ_INT(tw_alarm_set_state(&rec, a, "ALARM", "test", "{\"k\": [1]}",
                                     3000, &r, &hist, &err, &code), TW_OK);
  TW_CHECK(r.changed && r.nactions == 1 && r.prior == TW_ALARM_INSUFFICIENT_DATA);
  TW_CHECK_EQ_STR(rec.reason, "test");
  TW_CHECK_EQ_STR(rec.reason_data, "{\"k\": [1]}");
  TW_CHECK(rec.transitioned_ms == 3000 && rec.updated_ms == 3000);
  TW_CHECK(hist != NULL);
  json_t *h = hist ? json_loads(hist, 0, NULL) : NULL;
  json_t *data = h ? json_loads(json_string_value(json_object_get(h, "HistoryData")), 0, NULL) : NULL;
  TW_CHECK(data != NULL);
  TW_CHECK(json_is_array(json_object_get(
      json_object_get(json_object_get(data, "newState"), "stateReasonData"), "k")));
  json_decref(data);
  json_decref(h);
  free(hist);

  /* the SNS message of a SetAlarmState change carries the caller's reason */
  char *msg = NULL;
  TW_CHECK_EQ_INT(tw_alarm_sns_message(a, &r, "1", "us-east-1", NULL, 0, &msg, NULL), TW_OK);
  TW_CHECK(strstr(msg, "\"NewStateReason\":\"test\"") != NULL);
  free(msg);
  tw_alarm_result_clear(&r);

  /* same state again: reason replaced, no transition, no actions */
  TW_CHECK_EQ_INT(tw_alarm_set_state(&rec, a, "ALARM", "again", NULL, 4000, &r,
                                     &hist, &err, &code), TW_OK);
  TW_CHECK(!r.changed && r.nactions == 0 && hist == NULL);
  TW_CHECK_EQ_STR(rec.reason, "again");
  TW_CHECK(rec.reason_data == NULL);
  TW_CHECK(rec.transitioned_ms == 3000 && rec.updated_ms == 4000);
  tw_alarm_result_clear(&r);

  /* the next evaluation recomputes the real state */
  double v[] = {1.0};
  TW_CHECK_EQ_INT(tw_alarm_evaluate(a, v, 1, rec.value, 5000, &r), TW_OK);
  TW_CHECK(r.changed && r.state == TW_ALARM_OK);
  tw_alarm_result_clear(&r);
  tw_alarm_record_clear(&rec);
  tw_alarm_free(a);
}

TW_TEST(configuration_and_action_history) {
  tw_alarm *a = parse(
      "{\"AlarmName\":\"API_Writes\",\"AlarmDescription\":\"API Alarm\","
      "\"AlarmConfigurationUpdatedTimestamp\":\"2022-11-02T15:55:30.959Z\","
      "\"Namespace\":\"AWS/DynamoDB\",\"MetricName\":\"WriteThrottleEvents\","
      "\"Statistic\":\"Sum\",\"Period\":60,\"Dimensions\":[{\"Name\":"
      "\"Operation\",\"Value\":\"PutItem\"},{\"Name\":\"TableName\",\"Value\":"
      "\"T\"}],\"Threshold\":1,\"ComparisonOperator\":"
      "\"GreaterThanOrEqualToThreshold\",\"EvaluationPeriods\":1,"
      "\"AlarmActions\":[\"arn:aws:sns:us-east-1:851171679665:W\"]}");
  TW_CHECK(a != NULL);
  if (!a)
    return;
  tw_alarm_record rec;
  int64_t t = at("2022-11-02T15:55:30.959Z");
  TW_CHECK_EQ_INT(tw_alarm_record_init(&rec, t), TW_OK);
  char *out = NULL;
  TW_CHECK_EQ_INT(tw_alarm_history_config(a, NULL, &rec, "us-east-1",
                                          "851171679665", t + 1, &out), TW_OK);
  TW_CHECK_EQ_STR(
      out,
      "{\"AlarmName\":\"API_Writes\",\"AlarmType\":\"MetricAlarm\",\"Timestamp\":"
      "1667404530.960,\"HistoryItemType\":\"ConfigurationUpdate\","
      "\"HistorySummary\":\"Alarm \\\"API_Writes\\\" created\",\"HistoryData\":"
      "\"{\\\"version\\\":\\\"1.0\\\",\\\"type\\\":\\\"Create\\\",\\\"createdAlarm\\\":"
      "{\\\"alarmName\\\":\\\"API_Writes\\\",\\\"alarmDescription\\\":\\\"API Alarm\\\","
      "\\\"alarmArn\\\":\\\"arn:aws:cloudwatch:us-east-1:851171679665:alarm:API_Writes\\\","
      "\\\"alarmConfigurationUpdatedTimestamp\\\":\\\"2022-11-02T15:55:30.959+0000\\\","
      "\\\"namespace\\\":\\\"AWS/DynamoDB\\\",\\\"metricName\\\":\\\"WriteThrottleEvents\\\","
      "\\\"statistic\\\":\\\"Sum\\\",\\\"period\\\":60,\\\"dimensions\\\":[{\\\"value\\\":"
      "\\\"PutItem\\\",\\\"name\\\":\\\"Operation\\\"},{\\\"value\\\":\\\"T\\\",\\\"name\\\":"
      "\\\"TableName\\\"}],\\\"threshold\\\":1.0,\\\"comparisonOperator\\\":"
      "\\\"GreaterThanOrEqualToThreshold\\\",\\\"evaluationPeriods\\\":1,"
      "\\\"stateValue\\\":\\\"INSUFFICIENT_DATA\\\",\\\"stateUpdatedTimestamp\\\":"
      "\\\"2022-11-02T15:55:30.959+0000\\\",\\\"actionsEnabled\\\":true,"
      "\\\"alarmActions\\\":[\\\"arn:aws:sns:us-east-1:851171679665:W\\\"],"
      "\\\"insufficientDataActions\\\":[],\\\"okactions\\\":[]}}\"}");
  free(out);

  TW_CHECK_EQ_INT(tw_alarm_history_config(a, a, &rec, "us-east-1", "1", t, &out), TW_OK);
  TW_CHECK(strstr(out, "\\\"type\\\":\\\"Update\\\",\\\"updatedAlarm\\\":") != NULL);
  TW_CHECK(strstr(out, "\\\"originalUpdatedAlarm\\\":") != NULL);
  TW_CHECK(strstr(out, "\"HistorySummary\":\"Alarm \\\"API_Writes\\\" updated\"") != NULL);
  free(out);

  TW_CHECK_EQ_INT(tw_alarm_history_action(a, "arn:aws:sns:us-east-1:1:W", NULL,
                                          1667404590000, &out), TW_OK);
  TW_CHECK_EQ_STR(out,
                  "{\"AlarmName\":\"API_Writes\",\"AlarmType\":\"MetricAlarm\","
                  "\"Timestamp\":1667404590,\"HistoryItemType\":\"Action\","
                  "\"HistorySummary\":\"Successfully executed action "
                  "arn:aws:sns:us-east-1:1:W\",\"HistoryData\":\"{\\\"actionState\\\":"
                  "\\\"Succeeded\\\",\\\"stateUpdateTimestamp\\\":1667404590000,"
                  "\\\"notificationResource\\\":\\\"arn:aws:sns:us-east-1:1:W\\\"}\"}");
  free(out);
  TW_CHECK_EQ_INT(tw_alarm_history_action(a, "arn:aws:sns:us-east-1:1:W",
                                          "connection refused", 0, &out), TW_OK);
  TW_CHECK(strstr(out, "\"HistorySummary\":\"Failed to execute action "
                       "arn:aws:sns:us-east-1:1:W Reason: connection refused\"") != NULL);
  TW_CHECK(strstr(out, "\\\"actionState\\\":\\\"Failed\\\"") != NULL);
  free(out);
  tw_alarm_record_clear(&rec);
  tw_alarm_free(a);
}

/* Replay: every minute, evaluate on the values known so far (D22) and keep
 * the record; the transitions must be the ones expected. */
struct replay {
  const char *alarm_tail; /* EvaluationPeriods/DatapointsToAlarm/TMD */
  const char *series;     /* one char per minute: X breach, 0 ok, - none */
  const char *states;     /* expected state after each minute */
};

static const struct replay replays[] = {
    /* the last real points stay in the range after the metric stops */
    {"\"EvaluationPeriods\":3,\"DatapointsToAlarm\":2", "00X0X--000",
     "OOOOAAAOOO"},
    /* "missing": a lone breach goes to ALARM only once it is M periods old */
    {"\"EvaluationPeriods\":3,\"DatapointsToAlarm\":3", "X-----",
     "IIAAAI"},
    /* "ignore" keeps the state through the gap; a real 0 decides */
    {"\"EvaluationPeriods\":2,\"TreatMissingData\":\"ignore\"", "XX------00",
     "IAAAAAAAOO"},
    /* "breaching": one real 0 in the range keeps it OK until it leaves */
    {"\"EvaluationPeriods\":2,\"TreatMissingData\":\"breaching\"", "00----00",
     "OOOOOAOO"},
    {"\"EvaluationPeriods\":2,\"TreatMissingData\":\"notBreaching\"", "XX----XX",
     "OAAAOOOA"},
};

static tw_alarm_state letter_state(char c) {
  return c == 'A' ? TW_ALARM_ALARM : c == 'O' ? TW_ALARM_OK : TW_ALARM_INSUFFICIENT_DATA;
}

TW_TEST(backtest_replay) {
  for (size_t k = 0; k < sizeof replays / sizeof replays[0]; k++) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"AlarmName\":\"r\",\"MetricName\":\"M\",\"Namespace\":\"N\","
             "\"Statistic\":\"Sum\",\"Period\":60,\"Threshold\":1,"
             "\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\",%s}",
             replays[k].alarm_tail);
    tw_alarm *a = parse(json);
    TW_CHECK(a != NULL);
    if (!a)
      continue;
    tw_alarm_record rec;
    int64_t t0 = at("2024-01-01T00:00:00Z");
    tw_alarm_record_init(&rec, t0);
    size_t n = strlen(replays[k].series);
    double v[64];
    for (size_t i = 0; i < n; i++) {
      char c = replays[k].series[i];
      v[i] = c == '-' ? NAN : c == 'X' ? 5.0 : 0.0;
      tw_alarm_result r;
      /* at the end of minute i, values[0..i] are the finished periods */
      char *hist = step(&rec, a, v, i + 1, t0 + (int64_t)(i + 1) * 60000 + 5000, &r);
      if (rec.value != letter_state(replays[k].states[i]))
        fprintf(stderr, "replay %zu minute %zu: %s, want %c\n", k, i,
                tw_alarm_state_name(rec.value), replays[k].states[i]);
      TW_CHECK(rec.value == letter_state(replays[k].states[i]));
      TW_CHECK((hist != NULL) == (r.changed && !r.retained));
      free(hist);
      tw_alarm_result_clear(&r);
    }
    tw_alarm_record_clear(&rec);
    tw_alarm_free(a);
  }
}

int main(void) { return tw_test_run(); }
