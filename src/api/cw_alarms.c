/*
 * cw_alarms.c — CloudWatch alarm operations: PutMetricAlarm,
 * DescribeAlarms (names, prefix, state, action prefix, alarm types,
 * pagination), DescribeAlarmsForMetric, DescribeAlarmHistory, DeleteAlarms,
 * SetAlarmState, Enable/DisableAlarmActions. Validation and alarm
 * semantics come from src/alarm/ through engine_alarms.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

int tw_op_put_metric_alarm(tw_api_ctx *c) {
  const char *name = NULL;
  int rc = tw_in_str(c, c->in, "AlarmName", 1, 1, 255, &name);
  if (rc)
    return rc;
  rc = tw_engine_alarm_put(c, NULL, 0);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}

/* AlarmNames: a list of 0..100 strings; *out NULL when absent. */
static int tw_alarm_names(tw_api_ctx *c, int required, json_t **out) {
  int rc = tw_in_array(c, c->in, "AlarmNames", required, 0, 100, out);
  for (size_t i = 0; rc == TW_OK && *out && i < json_array_size(*out); i++)
    if (!json_is_string(json_array_get(*out, i)))
      rc = tw_api_fail(c, 400, "SerializationException",
                       "AlarmNames[%zu] must be a string", i);
  return rc;
}

static int tw_in_list(json_t *arr, const char *s) {
  for (size_t i = 0; i < json_array_size(arr); i++)
    if (!strcmp(json_string_value(json_array_get(arr, i)), s))
      return 1;
  return 0;
}

/* AlarmTypes: includes MetricAlarm / CompositeAlarm? */
static int tw_alarm_types(tw_api_ctx *c, int *metric, int *composite) {
  json_t *types = NULL;
  int rc = tw_in_array(c, c->in, "AlarmTypes", 0, 0, 2, &types);
  *metric = 1;
  *composite = 0;
  if (rc || !types)
    return rc;
  *metric = *composite = 0;
  for (size_t i = 0; i < json_array_size(types); i++) {
    const char *t = json_string_value(json_array_get(types, i));
    if (t && !strcmp(t, "MetricAlarm"))
      *metric = 1;
    else if (t && !strcmp(t, "CompositeAlarm"))
      *composite = 1;
    else
      return tw_api_invalid(c, "The value %.64s for parameter AlarmTypes is "
                               "not valid. Valid values: MetricAlarm, "
                               "CompositeAlarm.",
                            t ? t : "(non-string)");
  }
  return TW_OK;
}

static int tw_state_value_ok(tw_api_ctx *c, const char *v) {
  tw_alarm_state st;
  if (v && tw_alarm_state_parse(v, &st) != TW_OK)
    return tw_api_fail(c, 400, "ValidationError",
                       "1 validation error detected: Value '%.64s' at "
                       "'stateValue' failed to satisfy constraint: Member "
                       "must satisfy enum value set: [INSUFFICIENT_DATA, "
                       "ALARM, OK]",
                       v);
  return TW_OK;
}

static int tw_has_action_prefix(const tw_api_alarm *al, const char *prefix) {
  static const char *const lists[] = {"OKActions", "AlarmActions",
                                      "InsufficientDataActions"};
  size_t n = strlen(prefix);
  for (size_t l = 0; l < 3; l++) {
    json_t *arr = json_object_get(al->config, lists[l]);
    for (size_t i = 0; i < json_array_size(arr); i++) {
      const char *a = json_string_value(json_array_get(arr, i));
      if (a && !strncmp(a, prefix, n))
        return 1;
    }
  }
  return 0;
}

typedef struct tw_da_args {
  json_t *names;
  const char *prefix, *state, *action_prefix, *token, *children, *parents;
  int64_t max;
  int metric, composite;
} tw_da_args;

static int tw_da_args_get(tw_api_ctx *c, tw_da_args *a) {
  a->max = 50;
  int rc = tw_alarm_names(c, 0, &a->names);
  if (!rc)
    rc = tw_in_str(c, c->in, "AlarmNamePrefix", 0, 1, 255, &a->prefix);
  if (!rc)
    rc = tw_in_str(c, c->in, "StateValue", 0, 0, 0, &a->state);
  if (!rc)
    rc = tw_in_str(c, c->in, "ActionPrefix", 0, 1, 1024, &a->action_prefix);
  if (!rc)
    rc = tw_in_str(c, c->in, "NextToken", 0, 0, 0, &a->token);
  if (!rc)
    rc = tw_in_str(c, c->in, "ChildrenOfAlarmName", 0, 1, 255, &a->children);
  if (!rc)
    rc = tw_in_str(c, c->in, "ParentsOfAlarmName", 0, 1, 255, &a->parents);
  if (!rc)
    rc = tw_in_int(c, c->in, "MaxRecords", 0, 1, 100, &a->max, NULL);
  if (!rc)
    rc = tw_alarm_types(c, &a->metric, &a->composite);
  if (!rc)
    rc = tw_state_value_ok(c, a->state);
  if (rc)
    return rc;
  if (a->names && a->prefix)
    return tw_api_fail(c, 400, "InvalidParameterCombination",
                       "AlarmNames and AlarmNamePrefix are mutually "
                       "exclusive.");
  return TW_OK;
}

static int tw_da_match(const tw_da_args *a, const tw_api_alarm *al) {
  if (a->names && !tw_in_list(a->names, al->name))
    return 0;
  if (a->prefix && strncmp(al->name, a->prefix, strlen(a->prefix)))
    return 0;
  if (a->state && strcmp(tw_alarm_state_name(al->rec.value), a->state))
    return 0;
  if (a->action_prefix && !tw_has_action_prefix(al, a->action_prefix))
    return 0;
  return !a->children && !a->parents;
}

/* "a:<name>" tokens; *after receives the name (owned buffer). */
static int tw_name_after(tw_api_ctx *c, const char *token, char **buf,
                         const char **after) {
  *buf = NULL;
  *after = NULL;
  if (!token)
    return TW_OK;
  *buf = tw_token_decode(token);
  if (!*buf || strncmp(*buf, "a:", 2)) {
    free(*buf);
    *buf = NULL;
    return tw_api_fail(c, 400, "InvalidNextToken", "Invalid NextToken: %.64s",
                       token);
  }
  *after = *buf + 2;
  return TW_OK;
}

static int tw_set_next(tw_api_ctx *c, const char *kind, const char *last) {
  size_t n = strlen(last) + 4;
  char *buf = malloc(n), *tok = NULL;
  if (!buf)
    return TW_ENOMEM;
  snprintf(buf, n, "%s:%s", kind, last);
  int rc = tw_token_encode(buf, &tok);
  free(buf);
  if (rc == TW_OK)
    json_object_set_new(c->out, "NextToken", json_string(tok));
  free(tok);
  return rc;
}

int tw_op_describe_alarms(tw_api_ctx *c) {
  tw_da_args a;
  memset(&a, 0, sizeof a);
  int rc = tw_da_args_get(c, &a);
  char *buf = NULL;
  const char *after = NULL;
  if (!rc)
    rc = tw_name_after(c, a.token, &buf, &after);
  if (rc)
    return rc;
  json_t *list = json_array();
  json_object_set_new(c->out, "MetricAlarms", list);
  json_object_set_new(c->out, "CompositeAlarms", json_array());
  const char *last = NULL;
  int64_t count = 0;
  for (size_t i = 0; a.metric && list && i < c->api->nalarms; i++) {
    const tw_api_alarm *al = c->api->alarms[i];
    if ((after && strcmp(al->name, after) <= 0) || !tw_da_match(&a, al))
      continue;
    if (count == a.max) {
      rc = tw_set_next(c, "a", last);
      break;
    }
    json_t *o = tw_engine_alarm_describe(c->api, al);
    if (!o || json_array_append_new(list, o)) {
      rc = TW_ENOMEM;
      break;
    }
    last = al->name;
    count++;
  }
  free(buf);
  return rc || !list ? tw_api_internal(c, list ? rc : TW_ENOMEM) : TW_OK;
}

/* Same dimension set (order-insensitive)? */
static int tw_same_dims(json_t *x, json_t *y) {
  if (json_array_size(x) != json_array_size(y))
    return 0;
  for (size_t i = 0; i < json_array_size(x); i++) {
    json_t *d = json_array_get(x, i);
    int found = 0;
    for (size_t j = 0; !found && j < json_array_size(y); j++)
      found = json_equal(d, json_array_get(y, j));
    if (!found)
      return 0;
  }
  return 1;
}

static int tw_cfg_str_eq(json_t *cfg, const char *key, const char *want) {
  if (!want)
    return 1;
  const char *v = json_string_value(json_object_get(cfg, key));
  return v && !strcmp(v, want);
}

int tw_op_describe_alarms_for_metric(tw_api_ctx *c) {
  const char *name = NULL, *ns = NULL, *stat = NULL, *ext = NULL,
             *unit = NULL;
  json_t *dims = NULL;
  int64_t period = 0;
  int has_period = 0;
  int rc = tw_in_str(c, c->in, "MetricName", 1, 1, 255, &name);
  if (!rc)
    rc = tw_in_str(c, c->in, "Namespace", 1, 1, 255, &ns);
  if (!rc)
    rc = tw_in_str(c, c->in, "Statistic", 0, 0, 0, &stat);
  if (!rc)
    rc = tw_in_str(c, c->in, "ExtendedStatistic", 0, 0, 0, &ext);
  if (!rc)
    rc = tw_in_str(c, c->in, "Unit", 0, 0, 0, &unit);
  if (!rc)
    rc = tw_in_array(c, c->in, "Dimensions", 0, 0, 30, &dims);
  if (!rc)
    rc = tw_in_int(c, c->in, "Period", 0, 1, INT32_MAX, &period, &has_period);
  if (rc)
    return rc;
  json_t *list = json_array();
  json_object_set_new(c->out, "MetricAlarms", list);
  for (size_t i = 0; list && i < c->api->nalarms; i++) {
    const tw_api_alarm *al = c->api->alarms[i];
    json_t *cfg = al->config;
    json_t *p = json_object_get(cfg, "Period");
    if (!tw_cfg_str_eq(cfg, "MetricName", name) ||
        !tw_cfg_str_eq(cfg, "Namespace", ns) ||
        !tw_cfg_str_eq(cfg, "Statistic", stat) ||
        !tw_cfg_str_eq(cfg, "ExtendedStatistic", ext) ||
        !tw_cfg_str_eq(cfg, "Unit", unit) ||
        (has_period && json_integer_value(p) != period) ||
        (dims && !tw_same_dims(dims, json_object_get(cfg, "Dimensions"))))
      continue;
    json_t *o = tw_engine_alarm_describe(c->api, al);
    if (!o || json_array_append_new(list, o))
      return tw_api_internal(c, TW_ENOMEM);
  }
  return list ? TW_OK : tw_api_internal(c, TW_ENOMEM);
}

/* ---- history ------------------------------------------------------------- */

typedef struct tw_hist_page {
  json_t *items;
  int64_t count, max, last_id;
  int more;
} tw_hist_page;

static int tw_hist_row(int64_t id, const char *item, void *ud) {
  tw_hist_page *p = ud;
  if (p->count == p->max) {
    p->more = 1;
    return 1;
  }
  json_t *o = json_loads(item, 0, NULL);
  if (o && json_array_append_new(p->items, o))
    return TW_ENOMEM;
  p->count++;
  p->last_id = id;
  return 0;
}

static int tw_history_type_ok(tw_api_ctx *c, const char *t) {
  static const char *const types[] = {
      "ConfigurationUpdate", "StateUpdate", "Action",
      "AlarmContributorStateUpdate", "AlarmContributorAction"};
  for (size_t i = 0; t && i < 5; i++)
    if (!strcmp(t, types[i]))
      return TW_OK;
  return t ? tw_api_fail(c, 400, "ValidationError",
                         "1 validation error detected: Value '%.64s' at "
                         "'historyItemType' failed to satisfy constraint: "
                         "Member must satisfy enum value set: "
                         "[ConfigurationUpdate, StateUpdate, Action, "
                         "AlarmContributorStateUpdate, "
                         "AlarmContributorAction]",
                         t)
           : TW_OK;
}

typedef struct tw_hist_args {
  const char *name, *type, *token, *scan;
  int64_t start, end, max;
  int metric, composite;
} tw_hist_args;

static int tw_hist_args_get(tw_api_ctx *c, tw_hist_args *a) {
  a->start = INT64_MIN;
  a->end = INT64_MAX;
  a->max = 100;
  int rc = tw_in_str(c, c->in, "AlarmName", 0, 1, 255, &a->name);
  if (!rc)
    rc = tw_in_str(c, c->in, "HistoryItemType", 0, 0, 0, &a->type);
  if (!rc)
    rc = tw_in_time(c, c->in, "StartDate", 0, &a->start, NULL);
  if (!rc)
    rc = tw_in_time(c, c->in, "EndDate", 0, &a->end, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "MaxRecords", 0, 1, 100, &a->max, NULL);
  if (!rc)
    rc = tw_in_str(c, c->in, "NextToken", 0, 0, 0, &a->token);
  if (!rc)
    rc = tw_in_str(c, c->in, "ScanBy", 0, 0, 0, &a->scan);
  if (!rc)
    rc = tw_alarm_types(c, &a->metric, &a->composite);
  if (!rc)
    rc = tw_history_type_ok(c, a->type);
  if (rc)
    return rc;
  if (a->scan && strcmp(a->scan, "TimestampDescending") &&
      strcmp(a->scan, "TimestampAscending"))
    return tw_api_invalid(c, "The value %.64s for parameter ScanBy is not "
                             "valid.",
                          a->scan);
  return TW_OK;
}

int tw_op_describe_alarm_history(tw_api_ctx *c) {
  tw_hist_args a;
  memset(&a, 0, sizeof a);
  int rc = tw_hist_args_get(c, &a);
  if (rc)
    return rc;
  tw_store_history_query q = {a.name, a.type, a.start, a.end, 0, 0,
                              (int)a.max + 1};
  q.ascending = a.scan && !strcmp(a.scan, "TimestampAscending");
  if (a.token) {
    char *t = tw_token_decode(a.token), *end = NULL;
    q.after_id = t && !strncmp(t, "h:", 2) ? strtoll(t + 2, &end, 10) : 0;
    int ok = end && !*end && q.after_id > 0;
    free(t);
    if (!ok)
      return tw_api_fail(c, 400, "InvalidNextToken",
                         "Invalid NextToken: %.64s", a.token);
  }
  tw_hist_page p = {json_array(), 0, a.max, 0, 0};
  json_object_set_new(c->out, "AlarmHistoryItems", p.items);
  if (!p.items)
    return tw_api_internal(c, TW_ENOMEM);
  if (!a.metric)
    return TW_OK;
  rc = tw_store_history_list(c->api->store, &q, tw_hist_row, &p);
  if (rc == 1)
    rc = TW_OK;
  if (rc)
    return tw_api_internal(c, rc);
  if (!p.more)
    return TW_OK;
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)p.last_id);
  rc = tw_set_next(c, "h", buf);
  return rc ? tw_api_internal(c, rc) : TW_OK;
}

/* ---- changes -------------------------------------------------------------- */

int tw_op_delete_alarms(tw_api_ctx *c) {
  json_t *names = NULL;
  int rc = tw_alarm_names(c, 1, &names);
  if (rc)
    return rc;
  for (size_t i = 0; i < json_array_size(names); i++) {
    rc = tw_engine_alarm_delete(c->api,
                                json_string_value(json_array_get(names, i)));
    if (rc && rc != TW_ENOTFOUND)
      return tw_api_internal(c, rc);
  }
  return TW_OK;
}

static tw_api_alarm *tw_alarm_or_404(tw_api_ctx *c, const char *name) {
  tw_api_alarm *al = tw_engine_alarm_find(c->api, name);
  if (!al)
    tw_api_fail(c, 404, "ResourceNotFound", "Alarm %s not found", name);
  return al;
}

int tw_op_set_alarm_state(tw_api_ctx *c) {
  const char *name = NULL, *state = NULL, *reason = NULL, *data = NULL;
  int rc = tw_in_str(c, c->in, "AlarmName", 1, 1, 255, &name);
  if (!rc)
    rc = tw_in_str(c, c->in, "StateValue", 1, 0, 0, &state);
  if (!rc)
    rc = tw_in_str(c, c->in, "StateReason", 1, 0, 1023, &reason);
  if (!rc)
    rc = tw_in_str(c, c->in, "StateReasonData", 0, 0, 4000, &data);
  if (!rc)
    rc = tw_state_value_ok(c, state);
  if (rc)
    return rc;
  tw_api_alarm *al = tw_alarm_or_404(c, name);
  if (!al)
    return TW_EINVAL;
  rc = tw_engine_alarm_set_state(c, al, state, reason, data);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}

static int tw_set_actions(tw_api_ctx *c, int enabled) {
  json_t *names = NULL;
  int rc = tw_alarm_names(c, 1, &names);
  if (rc)
    return rc;
  for (size_t i = 0; i < json_array_size(names); i++) {
    tw_api_alarm *al = tw_engine_alarm_find(
        c->api, json_string_value(json_array_get(names, i)));
    if (al && (rc = tw_engine_alarm_set_actions(c->api, al, enabled)))
      return tw_api_internal(c, rc);
  }
  return TW_OK;
}

int tw_op_enable_alarm_actions(tw_api_ctx *c) { return tw_set_actions(c, 1); }
int tw_op_disable_alarm_actions(tw_api_ctx *c) { return tw_set_actions(c, 0); }
