/*
 * alarm_sns.c — the SNS notification CloudWatch publishes on a state
 * change: the "Message" JSON of metrics-alarms-api.md §8 (upper-case
 * Trigger.Statistic, lower-case Trigger.Dimensions keys, region long name,
 * "+0000" timestamps) plus trailwatch's "Events" member (D23): the raw
 * events behind the breaching datapoints, supplied by the metrics layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alarm/alarm.h"

typedef struct sctx {
  tw_buf *b;
  int first;
  int rc;
} sctx;

static void key(sctx *s, const char *k) {
  if (s->rc == TW_OK)
    s->rc = tw_jw_key(s->b, &s->first, k);
}
static void raw(sctx *s, const char *r) {
  if (s->rc == TW_OK)
    s->rc = tw_jw_raw(s->b, r);
}
static void kstr(sctx *s, const char *k, const char *v) {
  key(s, k);
  if (s->rc == TW_OK)
    s->rc = tw_jw_str_or_null(s->b, v);
}
static void kint(sctx *s, const char *k, long long v) {
  key(s, k);
  if (s->rc == TW_OK)
    s->rc = tw_jw_int(s->b, v);
}
static void kdate(sctx *s, const char *k, int64_t ms) {
  char d[40];
  tw_fmt_iso_date(ms, d, sizeof d);
  kstr(s, k, d);
}
static void klist(sctx *s, const char *k, const tw_alarm_strlist *l) {
  key(s, k);
  if (s->rc == TW_OK)
    s->rc = tw_jw_strlist(s->b, l);
}
static void kdims(sctx *s, const char *k, const tw_alarm_dim *d, size_t n) {
  key(s, k);
  if (s->rc == TW_OK)
    s->rc = tw_jw_dims(s->b, d, n);
}

static const char *upper_statistic(const char *st) {
  static const char *const map[][2] = {{"SampleCount", "SAMPLE_COUNT"},
                                       {"Average", "AVERAGE"},
                                       {"Sum", "SUM"},
                                       {"Minimum", "MINIMUM"},
                                       {"Maximum", "MAXIMUM"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(st, map[i][0]))
      return map[i][1];
  return st;
}

static void trigger_query(sctx *s, const tw_alarm_query *q) {
  sctx in = {s->b, 1, s->rc};
  raw(&in, "{");
  if (q->expression)
    kstr(&in, "Expression", q->expression);
  kstr(&in, "Id", q->id);
  if (q->label)
    kstr(&in, "Label", q->label);
  if (q->has_stat) {
    key(&in, "MetricStat");
    sctx ms = {s->b, 1, in.rc};
    raw(&ms, "{\"Metric\":{");
    kdims(&ms, "Dimensions", q->dims, q->ndims);
    kstr(&ms, "MetricName", q->metric_name);
    kstr(&ms, "Namespace", q->ns);
    raw(&ms, "}");
    kint(&ms, "Period", q->stat_period);
    kstr(&ms, "Stat", q->stat);
    if (q->unit)
      kstr(&ms, "Unit", q->unit);
    raw(&ms, "}");
    in.rc = ms.rc;
  }
  key(&in, "ReturnData");
  raw(&in, q->return_data ? "true" : "false");
  raw(&in, "}");
  s->rc = in.rc;
}

static void trigger_metric(sctx *s, const tw_alarm *a) {
  if (a->nqueries) {
    key(s, "Metrics");
    raw(s, "[");
    for (size_t i = 0; i < a->nqueries; i++) {
      if (i)
        raw(s, ",");
      trigger_query(s, &a->queries[i]);
    }
    raw(s, "]");
    return;
  }
  kstr(s, "MetricName", a->metric_name);
  kstr(s, "Namespace", a->ns);
  if (a->statistic) {
    kstr(s, "StatisticType", "Statistic");
    kstr(s, "Statistic", upper_statistic(a->statistic));
  } else {
    kstr(s, "StatisticType", "ExtendedStatistic");
    kstr(s, "ExtendedStatistic", a->extended_statistic);
  }
  kstr(s, "Unit", a->unit);
  kdims(s, "Dimensions", a->dims, a->ndims);
}

static const char *const op_names[] = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
    "LessThanThreshold", "LessThanOrEqualToThreshold"};
static const char *const tmd_names[] = {"missing", "breaching",
                                        "notBreaching", "ignore"};

static void trigger(sctx *s, const tw_alarm *a) {
  key(s, "Trigger");
  sctx t = {s->b, 1, s->rc};
  raw(&t, "{");
  trigger_metric(&t, a);
  kint(&t, "Period", a->period);
  kint(&t, "EvaluationPeriods", (long long)a->n);
  if (a->m_set)
    kint(&t, "DatapointsToAlarm", (long long)a->m);
  kstr(&t, "ComparisonOperator", op_names[a->op]);
  key(&t, "Threshold");
  if (t.rc == TW_OK)
    t.rc = tw_jw_double(s->b, a->threshold);
  kstr(&t, "TreatMissingData", a->tmd_set ? tmd_names[a->tmd] : "");
  kstr(&t, "EvaluateLowSampleCountPercentile",
       a->low_sample ? a->low_sample : "");
  raw(&t, "}");
  s->rc = t.rc;
}

static int check_events(const char *const *events, size_t n, tw_error *err) {
  for (size_t i = 0; i < n; i++) {
    json_error_t je;
    json_t *j = events[i] ? json_loads(events[i], JSON_DECODE_ANY, &je) : NULL;
    if (!j)
      return tw_error_set(err, TW_EINVAL, 0, "events[%zu]: not valid JSON", i);
    json_decref(j);
  }
  return TW_OK;
}

static void events_member(sctx *s, const char *const *events, size_t n) {
  key(s, "Events");
  raw(s, "[");
  for (size_t i = 0; i < n; i++) {
    if (i)
      raw(s, ",");
    raw(s, events[i]);
  }
  raw(s, "]");
}

static void message_body(sctx *s, const tw_alarm *a, const tw_alarm_result *r,
                         const char *account, const char *region,
                         const char *arn) {
  const char *long_name = tw_region_long_name(region);
  raw(s, "{");
  kstr(s, "AlarmName", a->name);
  kstr(s, "AlarmDescription", a->description);
  kstr(s, "AWSAccountId", account);
  kdate(s, "AlarmConfigurationUpdatedTimestamp",
        a->has_config_time ? a->config_time_ms : r->time_ms);
  kstr(s, "NewStateValue", tw_alarm_state_name(r->state));
  kstr(s, "NewStateReason", r->reason);
  kdate(s, "StateChangeTime", r->time_ms);
  kstr(s, "Region", long_name ? long_name : region);
  kstr(s, "AlarmArn", arn);
  kstr(s, "OldStateValue", tw_alarm_state_name(r->prior));
  klist(s, "OKActions", &a->ok_actions);
  klist(s, "AlarmActions", &a->alarm_actions);
  klist(s, "InsufficientDataActions", &a->insufficient_actions);
  trigger(s, a);
}

int tw_alarm_sns_message(const tw_alarm *a, const tw_alarm_result *res,
                         const char *account, const char *region,
                         const char *const *events, size_t nevents,
                         char **json_out, tw_error *err) {
  if (!a || !res || !account || !region || !json_out || (nevents && !events))
    return tw_error_set(err, TW_EINVAL, 0, "sns: missing argument");
  if (!res->reason)
    return tw_error_set(err, TW_EINVAL, 0,
                        "sns: the result has no state change to announce");
  int rc = check_events(events, nevents, err);
  if (rc)
    return rc;
  char *arn = NULL;
  rc = tw_alarm_arn_build(a, region, account, &arn);
  if (rc)
    return tw_error_set(err, rc, 0, "out of memory");
  tw_buf b = {0};
  sctx s = {&b, 1, TW_OK};
  message_body(&s, a, res, account, region, arn);
  events_member(&s, events, nevents);
  raw(&s, "}");
  free(arn);
  if (s.rc) {
    tw_buf_free(&b);
    return tw_error_set(err, s.rc, 0, "out of memory");
  }
  return tw_jw_finish(&b, json_out);
}

int tw_alarm_sns_subject(const tw_alarm *a, const tw_alarm_result *res,
                         const char *region, char **out) {
  const char *long_name = tw_region_long_name(region);
  if (!long_name)
    long_name = region ? region : "";
  size_t n = strlen(a->name) + strlen(long_name) + 40;
  *out = malloc(n);
  if (!*out)
    return TW_ENOMEM;
  snprintf(*out, n, "%s: \"%s\" in %s", tw_alarm_state_name(res->state),
           a->name, long_name);
  return TW_OK;
}
