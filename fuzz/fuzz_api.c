/*
 * fuzz_api.c — libFuzzer target for the serve API's request parsing.
 *
 * Input: line 1 = X-Amz-Target, line 2 = Authorization header (may be
 * empty), rest = JSON body. Each input runs against a fresh in-memory
 * server (SQLite ":memory:") preloaded with a log group, a stream, a
 * metric filter and an alarm, so that operations reach their deep paths;
 * then every alarm is evaluated. The Authorization line goes through the
 * SigV4 verifier. Any crash, sanitizer report or leak is a bug; error
 * responses are expected.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const setup[][2] = {
    {"Logs_20140328.CreateLogGroup", "{\"logGroupName\":\"g\"}"},
    {"Logs_20140328.CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}"},
    {"Logs_20140328.PutMetricFilter",
     "{\"logGroupName\":\"g\",\"filterName\":\"f\",\"filterPattern\":\"{ $.n > 1 }\","
     "\"metricTransformations\":[{\"metricName\":\"N\",\"metricNamespace\":\"A\","
     "\"metricValue\":\"$.n\",\"dimensions\":{\"K\":\"$.k\"}}]}"},
    {"GraniteServiceVersion20100801.PutMetricAlarm",
     "{\"AlarmName\":\"a\",\"MetricName\":\"N\",\"Namespace\":\"A\",\"Statistic\":\"Sum\","
     "\"Dimensions\":[{\"Name\":\"K\",\"Value\":\"v\"}],\"Period\":60,"
     "\"EvaluationPeriods\":2,\"Threshold\":1.0,"
     "\"ComparisonOperator\":\"GreaterThanThreshold\",\"AlarmActions\":[\"x\"]}"},
};

static void fuzz_sigv4(const char *auth, const char *body, size_t len,
                       int64_t now) {
  tw_sigv4_keys *k = NULL;
  if (tw_sigv4_keys_new(&k) || tw_sigv4_keys_add(k, "AKID", "secret")) {
    tw_sigv4_keys_free(k);
    return;
  }
  tw_sigv4_header h[] = {{"Host", "127.0.0.1"},
                         {"X-Amz-Date", "20240501T120000Z"},
                         {"Authorization", auth}};
  tw_sigv4_request req = {"POST", "/", "a=1&b", h, 3, body, len, "logs", now};
  tw_sigv4_error e;
  (void)tw_sigv4_verify(k, &req, &e);
  tw_sigv4_keys_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *copy = malloc(size + 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  char *target = copy;
  char *auth = memchr(copy, '\n', size);
  char *body = NULL;
  if (auth) {
    *auth++ = '\0';
    body = memchr(auth, '\n', size - (size_t)(auth - copy));
    if (body)
      *body++ = '\0';
  }
  size_t blen = body ? size - (size_t)(body - copy) : 0;
  int64_t now = INT64_C(1714564800000);
  if (auth && *auth)
    fuzz_sigv4(auth, body ? body : "", blen, now);
  tw_api_config cfg = {":memory:", NULL, NULL, 60, 60000};
  tw_api *api = NULL;
  tw_error err;
  if (tw_api_new(&cfg, &api, &err) == TW_OK) {
    tw_api_response r;
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
      tw_api_handle(api, setup[i][0], setup[i][1], strlen(setup[i][1]), now, &r);
      tw_api_response_free(&r);
    }
    tw_api_handle(api, target, body ? body : "", blen, now, &r);
    tw_api_response_free(&r);
    tw_api_evaluate_all(api, now + 60000);
    tw_api_free(api);
  }
  free(copy);
  return 0;
}
