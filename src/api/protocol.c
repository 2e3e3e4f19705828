/*
 * protocol.c — the awsJson wire protocol of both services: target routing,
 * request parsing, the operation table, error encoding (`__type`,
 * `message`, `x-amzn-query-error` for CloudWatch) and the per-request
 * transaction that makes every acknowledged change durable.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_internal.h"

typedef struct tw_api_op {
  tw_api_service svc;
  const char *name;
  tw_api_op_fn fn;
  int writes; /* needs a write transaction */
} tw_api_op;

static const tw_api_op tw_api_ops[] = {
    {TW_SVC_LOGS, "CreateLogGroup", tw_op_create_log_group, 1},
    {TW_SVC_LOGS, "DeleteLogGroup", tw_op_delete_log_group, 1},
    {TW_SVC_LOGS, "DescribeLogGroups", tw_op_describe_log_groups, 0},
    {TW_SVC_LOGS, "CreateLogStream", tw_op_create_log_stream, 1},
    {TW_SVC_LOGS, "DeleteLogStream", tw_op_delete_log_stream, 1},
    {TW_SVC_LOGS, "DescribeLogStreams", tw_op_describe_log_streams, 0},
    {TW_SVC_LOGS, "PutRetentionPolicy", tw_op_put_retention_policy, 1},
    {TW_SVC_LOGS, "DeleteRetentionPolicy", tw_op_delete_retention_policy, 1},
    {TW_SVC_LOGS, "PutLogEvents", tw_op_put_log_events, 1},
    {TW_SVC_LOGS, "GetLogEvents", tw_op_get_log_events, 0},
    {TW_SVC_LOGS, "FilterLogEvents", tw_op_filter_log_events, 0},
    {TW_SVC_LOGS, "PutMetricFilter", tw_op_put_metric_filter, 1},
    {TW_SVC_LOGS, "DescribeMetricFilters", tw_op_describe_metric_filters, 0},
    {TW_SVC_LOGS, "DeleteMetricFilter", tw_op_delete_metric_filter, 1},
    {TW_SVC_LOGS, "TestMetricFilter", tw_op_test_metric_filter, 0},
    {TW_SVC_CLOUDWATCH, "PutMetricAlarm", tw_op_put_metric_alarm, 1},
    {TW_SVC_CLOUDWATCH, "DescribeAlarms", tw_op_describe_alarms, 0},
    {TW_SVC_CLOUDWATCH, "DescribeAlarmsForMetric",
     tw_op_describe_alarms_for_metric, 0},
    {TW_SVC_CLOUDWATCH, "DescribeAlarmHistory", tw_op_describe_alarm_history,
     0},
    {TW_SVC_CLOUDWATCH, "DeleteAlarms", tw_op_delete_alarms, 1},
    {TW_SVC_CLOUDWATCH, "SetAlarmState", tw_op_set_alarm_state, 1},
    {TW_SVC_CLOUDWATCH, "EnableAlarmActions", tw_op_enable_alarm_actions, 1},
    {TW_SVC_CLOUDWATCH, "DisableAlarmActions", tw_op_disable_alarm_actions, 1},
    {TW_SVC_CLOUDWATCH, "PutMetricData", tw_op_put_metric_data, 1},
    {TW_SVC_CLOUDWATCH, "GetMetricStatistics", tw_op_get_metric_statistics, 0},
    {TW_SVC_CLOUDWATCH, "GetMetricData", tw_op_get_metric_data, 0},
    {TW_SVC_CLOUDWATCH, "ListMetrics", tw_op_list_metrics, 0},
};

static const char tw_logs_prefix[] = "Logs_20140328.";
static const char tw_cw_prefix[] = "GraniteServiceVersion20100801.";

tw_api_service tw_api_service_of(const char *target, const char **op) {
  *op = "";
  if (!target)
    return TW_SVC_UNKNOWN;
  if (!strncmp(target, tw_logs_prefix, sizeof tw_logs_prefix - 1)) {
    *op = target + sizeof tw_logs_prefix - 1;
    return TW_SVC_LOGS;
  }
  if (!strncmp(target, tw_cw_prefix, sizeof tw_cw_prefix - 1)) {
    *op = target + sizeof tw_cw_prefix - 1;
    return TW_SVC_CLOUDWATCH;
  }
  return TW_SVC_UNKNOWN;
}

size_t tw_api_body_limit(tw_api_service svc, const char *op) {
  if (svc == TW_SVC_LOGS && op && !strcmp(op, "PutLogEvents"))
    return (size_t)8 << 20; /* 1 MiB of messages, JSON-escaped */
  if (svc == TW_SVC_CLOUDWATCH && op && !strcmp(op, "PutMetricAlarm"))
    return (size_t)120 * 1024;
  return (size_t)1 << 20;
}

int64_t tw_api_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tw_api_response_free(tw_api_response *r) {
  if (r)
    tw_buf_free(&r->body);
}

static void tw_api_request_id(uint64_t seq, char *out, size_t cap) {
  uint64_t t = (uint64_t)tw_api_now_ms();
  snprintf(out, cap, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
           (unsigned long long)(t >> 16) & 0xffffffffULL,
           (unsigned long long)t & 0xffff,
           (unsigned long long)(seq >> 48) & 0xfff,
           (unsigned long long)(seq >> 36) & 0xfff,
           (unsigned long long)seq & 0xffffffffffffULL);
}

int tw_api_error_response(tw_api_service svc, int status, const char *code,
                          const char *message, tw_api_response *r) {
  tw_buf_free(&r->body);
  r->status = status;
  r->query_error[0] = '\0';
  json_t *o = json_pack("{s:s,s:s}", "__type", code, "message",
                        message ? message : "");
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  int rc = text ? tw_buf_append(&r->body, text, strlen(text)) : TW_ENOMEM;
  free(text);
  if (svc == TW_SVC_CLOUDWATCH)
    snprintf(r->query_error, sizeof r->query_error, "%s;%s", code,
             status >= 500 ? "Receiver" : "Sender");
  return rc;
}

int tw_api_fail(tw_api_ctx *c, int status, const char *code, const char *fmt,
                ...) {
  va_list ap;
  c->status = status;
  snprintf(c->code, sizeof c->code, "%s", code);
  va_start(ap, fmt);
  vsnprintf(c->message, sizeof c->message, fmt, ap);
  va_end(ap);
  return TW_EINVAL;
}

int tw_api_invalid(tw_api_ctx *c, const char *fmt, ...) {
  va_list ap;
  c->status = 400;
  snprintf(c->code, sizeof c->code, "%s",
           c->svc == TW_SVC_LOGS ? "InvalidParameterException"
                                 : "InvalidParameterValue");
  va_start(ap, fmt);
  vsnprintf(c->message, sizeof c->message, fmt, ap);
  va_end(ap);
  return TW_EINVAL;
}

int tw_api_internal(tw_api_ctx *c, int rc) {
  if (c->status)
    return rc;
  const char *code = c->svc == TW_SVC_LOGS ? "ServiceUnavailableException"
                                           : "InternalServiceError";
  tw_api_fail(c, 500, code, "Internal failure: %s (%s)", tw_strerror(rc),
              tw_store_errmsg(c->api->store));
  return rc ? rc : TW_EIO;
}

static const tw_api_op *tw_api_find_op(tw_api_service svc, const char *op) {
  for (size_t i = 0; i < sizeof tw_api_ops / sizeof tw_api_ops[0]; i++)
    if (tw_api_ops[i].svc == svc && !strcmp(tw_api_ops[i].name, op))
      return &tw_api_ops[i];
  return NULL;
}

static int tw_api_parse_body(tw_api_ctx *c, const char *body, size_t len) {
  json_error_t jerr;
  if (len == 0) {
    c->in = json_object();
    return c->in ? TW_OK : TW_ENOMEM;
  }
  c->in = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!c->in)
    return tw_api_fail(c, 400, "SerializationException",
                       "Malformed JSON request body at line %d, column %d: %s",
                       jerr.line, jerr.column, jerr.text);
  if (!json_is_object(c->in))
    return tw_api_fail(c, 400, "SerializationException",
                       "The request body must be a JSON object");
  return TW_OK;
}

/* Run the operation inside a transaction when it writes. */
static int tw_api_run(tw_api_ctx *c, const tw_api_op *op) {
  int rc = TW_OK;
  if (op->writes && (rc = tw_store_begin(c->api->store)) != TW_OK)
    return tw_api_internal(c, rc);
  rc = op->fn(c);
  if (!op->writes)
    return rc;
  if (rc == TW_OK && (rc = tw_store_commit(c->api->store)) == TW_OK)
    return TW_OK;
  /* memory may hold what the database did not get: rebuild the alarms
   * (CloudWatch writes change them; Logs writes never do) */
  tw_store_rollback(c->api->store);
  if (c->svc == TW_SVC_CLOUDWATCH)
    tw_engine_alarms_reload(c->api);
  return c->status ? rc : tw_api_internal(c, rc);
}

static int tw_api_success(tw_api_ctx *c, tw_api_response *r) {
  char *text = json_dumps(c->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text)
    return TW_ENOMEM;
  r->status = 200;
  int rc = tw_buf_append(&r->body, text, strlen(text));
  free(text);
  return rc;
}

static int tw_api_dispatch(tw_api_ctx *c, const char *target,
                           const char *body, size_t len) {
  c->svc = tw_api_service_of(target, &c->op);
  if (c->svc == TW_SVC_UNKNOWN)
    return tw_api_fail(c, 400, "UnknownOperationException",
                       "Unknown target: %.200s",
                       target && *target ? target : "(no X-Amz-Target)");
  const tw_api_op *op = tw_api_find_op(c->svc, c->op);
  if (!op)
    return tw_api_fail(c, 400, "UnknownOperationException",
                       "Unsupported operation: %.200s", c->op);
  int rc = tw_api_parse_body(c, body, len);
  if (rc)
    return rc;
  c->out = json_object();
  if (!c->out)
    return TW_ENOMEM;
  return tw_api_run(c, op);
}

int tw_api_handle(tw_api *api, const char *target, const char *body,
                  size_t len, int64_t now_ms, tw_api_response *r) {
  tw_api_ctx c;
  memset(&c, 0, sizeof c);
  c.api = api;
  c.now_ms = now_ms;
  memset(r, 0, sizeof *r);
  tw_api_request_id(++api->request_seq, r->request_id, sizeof r->request_id);
  int rc = tw_api_dispatch(&c, target, body, len);
  if (rc == TW_OK)
    rc = tw_api_success(&c, r);
  if (rc != TW_OK) {
    if (!c.status)
      tw_api_internal(&c, rc);
    rc = tw_api_error_response(c.svc, c.status, c.code, c.message, r);
  }
  json_decref(c.in);
  json_decref(c.out);
  return rc;
}
