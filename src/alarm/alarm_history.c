/*
 * alarm_history.c — ConfigurationUpdate ("Alarm \"x\" created/updated") and
 * Action ("Successfully executed action arn:...") history items, in the
 * DescribeAlarmHistory shape (metrics-alarms-api.md §7). The HistoryData
 * of a configuration item describes the alarm in camelCase, as CloudWatch
 * records it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"

typedef struct hctx {
  tw_buf *b;
  int first;
  int rc;
} hctx;

static void key(hctx *h, const char *k) {
  if (h->rc == TW_OK)
    h->rc = tw_jw_key(h->b, &h->first, k);
}
static void kstr(hctx *h, const char *k, const char *v) {
  if (!v)
    return;
  key(h, k);
  if (h->rc == TW_OK)
    h->rc = tw_jw_str(h->b, v);
}
static void kraw(hctx *h, const char *k, const char *raw) {
  key(h, k);
  if (h->rc == TW_OK)
    h->rc = tw_jw_raw(h->b, raw);
}
static void kint(hctx *h, const char *k, long long v) {
  key(h, k);
  if (h->rc == TW_OK)
    h->rc = tw_jw_int(h->b, v);
}
static void kdate(hctx *h, const char *k, int64_t ms) {
  char d[40];
  tw_fmt_iso_date(ms, d, sizeof d);
  kstr(h, k, d);
}
static void klist(hctx *h, const char *k, const tw_alarm_strlist *l) {
  key(h, k);
  if (h->rc == TW_OK)
    h->rc = tw_jw_strlist(h->b, l);
}

static void query_json(hctx *h, const tw_alarm_query *q) {
  hctx in = {h->b, 1, h->rc};
  if (in.rc == TW_OK)
    in.rc = tw_jw_raw(h->b, "{");
  kstr(&in, "id", q->id);
  if (q->has_stat) {
    key(&in, "metricStat");
    hctx ms = {h->b, 1, in.rc == TW_OK ? tw_jw_raw(h->b, "{\"metric\":{") : in.rc};
    kstr(&ms, "namespace", q->ns);
    kstr(&ms, "metricName", q->metric_name);
    key(&ms, "dimensions");
    if (ms.rc == TW_OK)
      ms.rc = tw_jw_dims(h->b, q->dims, q->ndims);
    if (ms.rc == TW_OK)
      ms.rc = tw_jw_raw(h->b, "}");
    kint(&ms, "period", q->stat_period);
    kstr(&ms, "stat", q->stat);
    kstr(&ms, "unit", q->unit);
    in.rc = ms.rc == TW_OK ? tw_jw_raw(h->b, "}") : ms.rc;
  }
  kstr(&in, "expression", q->expression);
  kstr(&in, "label", q->label);
  kraw(&in, "returnData", q->return_data ? "true" : "false");
  if (q->period)
    kint(&in, "period", q->period);
  h->rc = in.rc == TW_OK ? tw_jw_raw(h->b, "}") : in.rc;
}

static void metric_fields(hctx *h, const tw_alarm *a) {
  if (a->nqueries) {
    key(h, "metrics");
    if (h->rc == TW_OK)
      h->rc = tw_jw_raw(h->b, "[");
    for (size_t i = 0; i < a->nqueries && h->rc == TW_OK; i++) {
      if (i)
        h->rc = tw_jw_raw(h->b, ",");
      query_json(h, &a->queries[i]);
    }
    if (h->rc == TW_OK)
      h->rc = tw_jw_raw(h->b, "]");
    kint(h, "period", a->period);
    return;
  }
  kstr(h, "namespace", a->ns);
  kstr(h, "metricName", a->metric_name);
  kstr(h, "statistic", a->statistic);
  kstr(h, "extendedStatistic", a->extended_statistic);
  kint(h, "period", a->period);
  kstr(h, "unit", a->unit);
  key(h, "dimensions");
  if (h->rc == TW_OK)
    h->rc = tw_jw_dims(h->b, a->dims, a->ndims);
}

static const char *const op_names[] = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
    "LessThanThreshold", "LessThanOrEqualToThreshold"};
static const char *const tmd_names[] = {"missing", "breaching",
                                        "notBreaching", "ignore"};

/* The alarm as CloudWatch's history records it (camelCase). */
static void alarm_json(hctx *h, const tw_alarm *a, const char *arn,
                       const tw_alarm_record *rec, int64_t config_ms) {
  hctx in = {h->b, 1, h->rc == TW_OK ? tw_jw_raw(h->b, "{") : h->rc};
  kstr(&in, "alarmName", a->name);
  kstr(&in, "alarmDescription", a->description);
  kstr(&in, "alarmArn", arn);
  kdate(&in, "alarmConfigurationUpdatedTimestamp", config_ms);
  metric_fields(&in, a);
  key(&in, "threshold");
  if (in.rc == TW_OK)
    in.rc = tw_jw_double(h->b, a->threshold);
  kstr(&in, "comparisonOperator", op_names[a->op]);
  kint(&in, "evaluationPeriods", (long long)a->n);
  if (a->m_set)
    kint(&in, "datapointsToAlarm", (long long)a->m);
  if (a->tmd_set)
    kstr(&in, "treatMissingData", tmd_names[a->tmd]);
  kstr(&in, "evaluateLowSampleCountPercentile", a->low_sample);
  kstr(&in, "stateValue", tw_alarm_state_name(rec->value));
  kdate(&in, "stateUpdatedTimestamp", rec->updated_ms);
  kraw(&in, "actionsEnabled", a->actions_enabled ? "true" : "false");
  klist(&in, "alarmActions", &a->alarm_actions);
  klist(&in, "insufficientDataActions", &a->insufficient_actions);
  klist(&in, "okactions", &a->ok_actions);
  h->rc = in.rc == TW_OK ? tw_jw_raw(h->b, "}") : in.rc;
}

static int config_data(tw_buf *b, const tw_alarm *a, const tw_alarm *old,
                       const char *arn, const tw_alarm_record *rec,
                       int64_t now_ms) {
  int64_t cfg = a->has_config_time ? a->config_time_ms : now_ms;
  hctx h = {b, 1, tw_jw_raw(b, "{\"version\":\"1.0\"")};
  h.first = 0;
  kstr(&h, "type", old ? "Update" : "Create");
  key(&h, old ? "updatedAlarm" : "createdAlarm");
  alarm_json(&h, a, arn, rec, cfg);
  if (old) {
    key(&h, "originalUpdatedAlarm");
    alarm_json(&h, old, arn, rec,
               old->has_config_time ? old->config_time_ms : cfg);
  }
  if (h.rc == TW_OK)
    h.rc = tw_jw_raw(b, "}");
  return h.rc ? h.rc : tw_buf_append(b, "", 1);
}

int tw_alarm_history_config(const tw_alarm *a, const tw_alarm *old,
                            const tw_alarm_record *rec, const char *region,
                            const char *account, int64_t now_ms, char **out) {
  char *arn = NULL;
  tw_buf data = {0};
  int rc = tw_alarm_arn_build(a, region ? region : "us-east-1",
                              account ? account : "000000000000", &arn);
  if (rc == TW_OK)
    rc = config_data(&data, a, old, arn, rec, now_ms);
  size_t n = strlen(a->name) + 32;
  char *summary = malloc(n);
  if (rc == TW_OK && !summary)
    rc = TW_ENOMEM;
  if (rc == TW_OK) {
    snprintf(summary, n, "Alarm \"%s\" %s", a->name, old ? "updated" : "created");
    rc = tw_alarm_history_item(a, now_ms, "ConfigurationUpdate", summary,
                               data.data, out);
  }
  free(summary);
  free(arn);
  tw_buf_free(&data);
  return rc;
}

/* HistorySummary is at most 255 characters: cut on a UTF-8 boundary. */
static void cut_summary(char *s) {
  size_t chars = 0;
  for (char *p = s; *p; p++) {
    if ((*p & 0xC0) != 0x80 && ++chars > 255) {
      *p = '\0';
      return;
    }
  }
}

int tw_alarm_history_action(const tw_alarm *a, const char *action,
                            const char *failure_reason, int64_t now_ms,
                            char **out) {
  tw_buf data = {0};
  size_t n = strlen(action) + (failure_reason ? strlen(failure_reason) : 0) + 64;
  char *summary = malloc(n);
  if (!summary)
    return TW_ENOMEM;
  if (failure_reason)
    snprintf(summary, n, "Failed to execute action %s Reason: %s", action,
             failure_reason);
  else
    snprintf(summary, n, "Successfully executed action %s", action);
  cut_summary(summary);
  hctx h = {&data, 1, tw_jw_raw(&data, "{")};
  kstr(&h, "actionState", failure_reason ? "Failed" : "Succeeded");
  kint(&h, "stateUpdateTimestamp", now_ms);
  kstr(&h, "notificationResource", action);
  kstr(&h, "error", failure_reason);
  if (h.rc == TW_OK)
    h.rc = tw_jw_raw(&data, "}");
  if (h.rc == TW_OK)
    h.rc = tw_buf_append(&data, "", 1);
  int rc = h.rc;
  if (rc == TW_OK)
    rc = tw_alarm_history_item(a, now_ms, "Action", summary, data.data, out);
  free(summary);
  tw_buf_free(&data);
  return rc;
}
