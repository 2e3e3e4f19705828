/*
 * test_api_serve.c — unit tests of the serve API without HTTP: routing and
 * error encoding, Logs -> metric filter -> metrics -> alarm through
 * tw_api_handle, durability across a reopen of the SQLite file (metric
 * filter versions replayed, alarm state kept), pagination tokens, and
 * SigV4 verification against a signature made by botocore.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api/api.h"
#include "api/api_internal.h"
#include "api/sigv4.h"
#include "tw_test.h"

/* Ten minutes ago, on a minute boundary: the server replays only the
 * metric window behind the wall clock. */
static int64_t t0(void) { return tw_api_now_ms() / 60000 * 60000 - 600000; }
#define T0 t0()

/* Call target with body; returns the parsed response (caller decrefs). */
static json_t *call(tw_api *api, const char *target, const char *body,
                    int64_t now, tw_api_response *r) {
  memset(r, 0, sizeof *r);
  if (tw_api_handle(api, target, body, strlen(body), now, r) != TW_OK)
    return NULL;
  return json_loadb(r->body.data, r->body.len, 0, NULL);
}

static int status_of(tw_api *api, const char *target, const char *body,
                     int64_t now) {
  tw_api_response r;
  json_t *j = call(api, target, body, now, &r);
  json_decref(j);
  int s = r.status;
  tw_api_response_free(&r);
  return s;
}

static tw_api *open_api(const char *path) {
  tw_api_config cfg = {path, NULL, NULL, 0, 60000};
  tw_api *api = NULL;
  tw_error err;
  if (tw_api_new(&cfg, &api, &err) != TW_OK) {
    fprintf(stderr, "tw_api_new: %s\n", err.message);
    return NULL;
  }
  return api;
}

TW_TEST(service_routing) {
  const char *op = NULL;
  TW_CHECK_EQ_INT(tw_api_service_of("Logs_20140328.PutLogEvents", &op), TW_SVC_LOGS);
  TW_CHECK_EQ_STR(op, "PutLogEvents");
  TW_CHECK_EQ_INT(tw_api_service_of("GraniteServiceVersion20100801.PutMetricAlarm", &op),
                  TW_SVC_CLOUDWATCH);
  TW_CHECK_EQ_STR(op, "PutMetricAlarm");
  TW_CHECK_EQ_INT(tw_api_service_of("Logs_20140328", &op), TW_SVC_UNKNOWN);
  TW_CHECK_EQ_INT(tw_api_service_of(NULL, &op), TW_SVC_UNKNOWN);
  TW_CHECK(tw_api_body_limit(TW_SVC_LOGS, "PutLogEvents") > tw_api_body_limit(TW_SVC_LOGS, "X"));
}

TW_TEST(error_encoding) {
  tw_api *api = open_api(":memory:");
  TW_CHECK(api != NULL);
  if (!api)
    return;
  tw_api_response r;
  json_t *j = call(api, "Nope.X", "{}", T0, &r);
  TW_CHECK_EQ_INT(r.status, 400);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "__type")), "UnknownOperationException");
  json_decref(j);
  tw_api_response_free(&r);

  j = call(api, "Logs_20140328.CreateLogGroup", "{\"logGroupName\": ", T0, &r);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "__type")), "SerializationException");
  TW_CHECK_EQ_STR(r.query_error, "");
  json_decref(j);
  tw_api_response_free(&r);

  j = call(api, "GraniteServiceVersion20100801.GetMetricStatistics",
           "{\"Namespace\":\"A\",\"MetricName\":\"B\",\"StartTime\":0,\"EndTime\":60,"
           "\"Period\":7,\"Statistics\":[\"Sum\"]}",
           T0, &r);
  TW_CHECK_EQ_INT(r.status, 400);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "__type")), "InvalidParameterValue");
  TW_CHECK_EQ_STR(r.query_error, "InvalidParameterValue;Sender");
  TW_CHECK(strlen(r.request_id) == 36);
  json_decref(j);
  tw_api_response_free(&r);

  j = call(api, "GraniteServiceVersion20100801.SetAlarmState",
           "{\"AlarmName\":\"x\",\"StateValue\":\"OK\",\"StateReason\":\"r\"}", T0, &r);
  TW_CHECK_EQ_INT(r.status, 404);
  TW_CHECK_EQ_STR(r.query_error, "ResourceNotFound;Sender");
  json_decref(j);
  tw_api_response_free(&r);

  TW_CHECK_EQ_INT(status_of(api, "GraniteServiceVersion20100801.PutMetricData",
                            "{\"Namespace\":\"N\",\"MetricData\":[{\"MetricName\":\"M\"}]}", T0),
                  400);
  TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.DescribeLogGroups", "", T0), 200);
  tw_api_free(api);
}

static void put_events(tw_api *api, const char *msgs[], size_t n, int64_t ts,
                       int64_t now) {
  json_t *evs = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(evs, json_pack("{s:I,s:s}", "timestamp", (json_int_t)ts,
                                         "message", msgs[i]));
  json_t *body = json_pack("{s:s,s:s,s:o}", "logGroupName", "g", "logStreamName", "s",
                           "logEvents", evs);
  char *text = json_dumps(body, JSON_COMPACT);
  TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.PutLogEvents", text, now), 200);
  free(text);
  json_decref(body);
}

static double metric_sum(tw_api *api, const char *name, int64_t minute_ms,
                         int64_t now) {
  char body[512];
  snprintf(body, sizeof body,
           "{\"Namespace\":\"App\",\"MetricName\":\"%s\",\"StartTime\":%lld,"
           "\"EndTime\":%lld,\"Period\":60,\"Statistics\":[\"Sum\"]}",
           name, (long long)(minute_ms / 1000), (long long)(minute_ms / 1000 + 60));
  tw_api_response r;
  json_t *j = call(api, "GraniteServiceVersion20100801.GetMetricStatistics", body, now, &r);
  json_t *dp = json_array_get(json_object_get(j, "Datapoints"), 0);
  double v = dp ? json_number_value(json_object_get(dp, "Sum")) : NAN;
  json_decref(j);
  tw_api_response_free(&r);
  return v;
}

static const char *alarm_state(tw_api *api, int64_t now, char *buf, size_t cap) {
  tw_api_response r;
  json_t *j = call(api, "GraniteServiceVersion20100801.DescribeAlarms",
                   "{\"AlarmNames\":[\"errs\"]}", now, &r);
  json_t *a = json_array_get(json_object_get(j, "MetricAlarms"), 0);
  snprintf(buf, cap, "%s", a ? json_string_value(json_object_get(a, "StateValue")) : "none");
  json_decref(j);
  tw_api_response_free(&r);
  return buf;
}

TW_TEST(end_to_end_and_reopen) {
  char path[] = "/tmp/tw_api_test_XXXXXX";
  int fd = mkstemp(path);
  TW_CHECK(fd >= 0);
  if (fd < 0)
    return;
  close(fd);
  tw_api *api = open_api(path);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  int64_t minute = T0, now = minute + 30000;
  TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.CreateLogGroup", "{\"logGroupName\":\"g\"}", now), 200);
  TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.CreateLogStream",
                            "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}", now), 200);
  const char *pf = "{\"logGroupName\":\"g\",\"filterName\":\"f\",\"filterPattern\":\"ERROR\","
                   "\"metricTransformations\":[{\"metricName\":\"Errs\",\"metricNamespace\":\"App\","
                   "\"metricValue\":\"1\"}]}";
  TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.PutMetricFilter", pf, now), 200);
  const char *m1[] = {"ERROR a", "INFO b", "ERROR c", "WARN d"};
  put_events(api, m1, 4, minute, now);
  /* replace the filter: WARN now counts, ERROR no longer */
  const char *pf2 = "{\"logGroupName\":\"g\",\"filterName\":\"f\",\"filterPattern\":\"WARN\","
                    "\"metricTransformations\":[{\"metricName\":\"Errs\",\"metricNamespace\":\"App\","
                    "\"metricValue\":\"1\"}]}";
  TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.PutMetricFilter", pf2, now), 200);
  put_events(api, m1, 4, minute, now);
  TW_CHECK(metric_sum(api, "Errs", minute, now) == 3.0);
  const char *alarm = "{\"AlarmName\":\"errs\",\"MetricName\":\"Errs\",\"Namespace\":\"App\","
                      "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,"
                      "\"Threshold\":3.0,\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\"}";
  TW_CHECK_EQ_INT(status_of(api, "GraniteServiceVersion20100801.PutMetricAlarm", alarm, now), 200);
  TW_CHECK_EQ_INT(tw_api_evaluate_all(api, minute + 60000 + 5000), TW_OK);
  char st[32];
  TW_CHECK_EQ_STR(alarm_state(api, now, st, sizeof st), "ALARM");
  tw_api_free(api);

  api = open_api(path); /* replay: two filter versions, alarm state */
  TW_CHECK(api != NULL);
  if (api) {
    TW_CHECK(metric_sum(api, "Errs", minute, now) == 3.0);
    TW_CHECK_EQ_STR(alarm_state(api, now, st, sizeof st), "ALARM");
    TW_CHECK_EQ_INT(status_of(api, "Logs_20140328.DeleteMetricFilter",
                              "{\"logGroupName\":\"g\",\"filterName\":\"f\"}", now), 200);
    put_events(api, m1, 4, minute, now);
    TW_CHECK(metric_sum(api, "Errs", minute, now) == 3.0);
    tw_api_free(api);
  }
  api = open_api(path);
  if (api) {
    TW_CHECK(metric_sum(api, "Errs", minute, now) == 3.0);
    tw_api_free(api);
  }
  char side[64];
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  unlink(path);
}

TW_TEST(tokens) {
  char *t = NULL;
  TW_CHECK_EQ_INT(tw_token_encode("n:group/name\nx", &t), TW_OK);
  char *d = tw_token_decode(t);
  TW_CHECK_EQ_STR(d, "n:group/name\nx");
  free(d);
  free(t);
  TW_CHECK(tw_token_decode("!!") == NULL);
  TW_CHECK(tw_token_decode("A") == NULL);
}

static const char *const vec_auth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/logs/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=cb8e6451c01fe98bb088f8f64ac745acf8db72d947b4b9adefc26ceae07ed38b";

static int verify(const char *secret, const char *auth, int64_t now, const char *service,
                  tw_sigv4_error *e) {
  tw_sigv4_keys *k = NULL;
  tw_sigv4_keys_new(&k);
  tw_sigv4_keys_add(k, "AKIDEXAMPLE", secret);
  const char *body = "{\"logGroupNamePrefix\": \"app\"}";
  tw_sigv4_header h[] = {{"Host", "127.0.0.1:4588"},
                         {"X-Amz-Target", "Logs_20140328.DescribeLogGroups"},
                         {"Content-Type", "application/x-amz-json-1.1"},
                         {"X-Amz-Date", "20240501T120000Z"},
                         {"Authorization", auth}};
  tw_sigv4_request req = {"POST", "/", NULL, h, auth ? 5 : 4, body, strlen(body), service, now};
  int rc = tw_sigv4_verify(k, &req, e);
  tw_sigv4_keys_free(k);
  return rc;
}

TW_TEST(sigv4_botocore_vector) {
  const int64_t t = INT64_C(1714564800000); /* 2024-05-01T12:00:00Z */
  const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  tw_sigv4_error e;
  TW_CHECK_EQ_INT(verify(secret, vec_auth, t, "logs", &e), TW_OK);
  TW_CHECK_EQ_INT(verify(secret, vec_auth, t + 60000, "logs", &e), TW_OK);
  TW_CHECK_EQ_INT(verify("wrong", vec_auth, t, "logs", &e), TW_EINVAL);
  TW_CHECK_EQ_INT(e.kind, TW_SIGV4_MISMATCH);
  TW_CHECK_EQ_INT(verify(secret, vec_auth, t + 16 * 60000, "logs", &e), TW_EINVAL);
  TW_CHECK_EQ_INT(e.kind, TW_SIGV4_EXPIRED);
  TW_CHECK(strstr(e.message, "Signature expired: 20240501T120000Z is now earlier than") != NULL);
  TW_CHECK_EQ_INT(verify(secret, vec_auth, t - 16 * 60000, "logs", &e), TW_EINVAL);
  TW_CHECK(strstr(e.message, "Signature not yet current") != NULL);
  TW_CHECK_EQ_INT(verify(secret, vec_auth, t, "monitoring", &e), TW_EINVAL);
  TW_CHECK_EQ_INT(e.kind, TW_SIGV4_MISMATCH);
  TW_CHECK_EQ_INT(verify(secret, NULL, t, "logs", &e), TW_EINVAL);
  TW_CHECK_EQ_INT(e.kind, TW_SIGV4_MISSING);
  TW_CHECK_EQ_INT(verify(secret, "AWS4-HMAC-SHA256 Credential=x", t, "logs", &e), TW_EINVAL);
  TW_CHECK_EQ_INT(e.kind, TW_SIGV4_INCOMPLETE);
  TW_CHECK_EQ_INT(verify(secret, "Basic abc", t, "logs", &e), TW_EINVAL);
  TW_CHECK_EQ_INT(e.kind, TW_SIGV4_INCOMPLETE);
}

TW_TEST(sigv4_key_file) {
  char path[] = "/tmp/tw_keys_XXXXXX";
  int fd = mkstemp(path);
  TW_CHECK(fd >= 0);
  if (fd < 0)
    return;
  const char *text = "# comment\n\nAKID1 s1\nAKID2:s2\nAKID3,s3\n";
  TW_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  tw_sigv4_keys *k = NULL;
  tw_error err;
  TW_CHECK_EQ_INT(tw_sigv4_keys_load(path, &k, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_sigv4_keys_count(k), 3);
  tw_sigv4_keys_free(k);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs("only-one-field\n", f);
    fclose(f);
  }
  TW_CHECK_EQ_INT(tw_sigv4_keys_load(path, &k, &err), TW_EINVAL);
  TW_CHECK(strstr(err.message, ":1: expected ACCESS_KEY_ID SECRET") != NULL);
  unlink(path);
}

int main(void) { return tw_test_run(); }
