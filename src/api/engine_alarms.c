/*
 * engine_alarms.c — the server's alarms: each keeps its PutMetricAlarm
 * configuration (JSON, re-parsed with tw_alarm_parse), its parsed
 * tw_alarm and its state record. Evaluation reads the evaluation range
 * from the metric store with the alarm's statistic, runs the alarm
 * engine (tw_alarm_evaluate_ex), and persists state changes, history
 * items. Notifications (SNS Message JSON, D23 events) of the actions of a
 * state change are queued in the outbox in the same transaction
 * (engine_outbox.c) and delivered by the outbox workers (src/live/).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "util/log.h"

/* ---- lifecycle ------------------------------------------------------------ */

static void tw_ea_free(tw_api_alarm *al) {
  if (!al)
    return;
  free(al->name);
  tw_alarm_free(al->alarm);
  json_decref(al->config);
  tw_alarm_record_clear(&al->rec);
  free(al);
}

void tw_engine_alarms_free(tw_api *api) {
  for (size_t i = 0; i < api->nalarms; i++)
    tw_ea_free(api->alarms[i]);
  free(api->alarms);
  api->alarms = NULL;
  api->nalarms = 0;
}

/* After a rolled-back transaction: the alarms in memory (state records,
 * configurations, the set itself) may hold changes the database never
 * got, e.g. a state change whose outbox rows were rolled back with it.
 * Rebuild them from the database, the committed truth, so the change is
 * made again (and notified) at the next evaluation instead of being lost.
 * Every alarm becomes due at once (last_eval_ms = 0). */
int tw_engine_alarms_reload(tw_api *api) {
  tw_engine_alarms_free(api);
  tw_error err;
  int rc = tw_engine_alarms_load(api, &err);
  if (rc)
    tw_log_kv(api->log, TW_LOG_ERROR, "alarm.reload_failed", "error",
              err.message, NULL);
  return rc;
}

static size_t tw_ea_index(const tw_api *api, const char *name, int *found) {
  size_t lo = 0, hi = api->nalarms;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(api->alarms[mid]->name, name);
    if (c == 0) {
      *found = 1;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = 0;
  return lo;
}

tw_api_alarm *tw_engine_alarm_find(tw_api *api, const char *name) {
  int found;
  size_t i = tw_ea_index(api, name, &found);
  return found ? api->alarms[i] : NULL;
}

static int tw_ea_insert(tw_api *api, tw_api_alarm *al) {
  int found;
  size_t i = tw_ea_index(api, al->name, &found);
  tw_api_alarm **arr = realloc(api->alarms, (api->nalarms + 1) * sizeof *arr);
  if (!arr)
    return TW_ENOMEM;
  api->alarms = arr;
  memmove(arr + i + 1, arr + i, (api->nalarms - i) * sizeof *arr);
  arr[i] = al;
  api->nalarms++;
  return TW_OK;
}

/* Parse config into a tw_alarm with its configuration time. */
static int tw_ea_parse(json_t *config, int64_t config_ms, tw_alarm **out,
                       tw_error *err, const char **aws_code) {
  char *text = json_dumps(config, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text)
    return TW_ENOMEM;
  int rc = tw_alarm_parse_ex(text, strlen(text), out, err, aws_code);
  free(text);
  if (rc == TW_OK)
    tw_alarm_set_config_time(*out, config_ms);
  return rc;
}

static int tw_ea_persist(tw_api *api, const tw_api_alarm *al) {
  char *cfg = json_dumps(al->config, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!cfg)
    return TW_ENOMEM;
  tw_store_alarm row = {al->name,
                        cfg,
                        al->config_ms,
                        tw_alarm_state_name(al->rec.value),
                        al->rec.reason ? al->rec.reason : "",
                        al->rec.reason_data,
                        al->rec.updated_ms,
                        al->rec.transitioned_ms};
  int rc = tw_store_alarm_put(api->store, &row);
  free(cfg);
  return rc;
}

typedef struct tw_ea_load {
  tw_api *api;
  size_t skipped;
} tw_ea_load;

static int tw_ea_load_row(const tw_store_alarm *row, void *ud) {
  tw_ea_load *l = ud;
  tw_api_alarm *al = calloc(1, sizeof *al);
  tw_error err;
  if (!al)
    return TW_ENOMEM;
  al->name = strdup(row->name);
  al->config = json_loads(row->config, 0, NULL);
  al->config_ms = row->config_ms;
  int rc = al->name && al->config ? TW_OK : TW_EINVAL;
  if (rc == TW_OK)
    rc = tw_ea_parse(al->config, al->config_ms, &al->alarm, &err, NULL);
  if (rc == TW_OK) {
    tw_alarm_state st = TW_ALARM_INSUFFICIENT_DATA;
    tw_alarm_state_parse(row->state, &st);
    al->rec.value = st;
    al->rec.reason = strdup(row->reason);
    al->rec.reason_data = row->reason_data ? strdup(row->reason_data) : NULL;
    al->rec.updated_ms = row->updated_ms;
    al->rec.transitioned_ms = row->transitioned_ms;
    rc = tw_ea_insert(l->api, al);
  }
  if (rc) {
    tw_ea_free(al);
    l->skipped++;
    return rc == TW_ENOMEM ? rc : 0;
  }
  return 0;
}

int tw_engine_alarms_load(tw_api *api, tw_error *err) {
  tw_ea_load l = {api, 0};
  int rc = tw_store_alarm_load(api->store, tw_ea_load_row, &l);
  if (rc)
    return tw_error_set(err, rc, 0, "loading alarms: %s",
                        tw_store_errmsg(api->store));
  return TW_OK;
}

/* ---- the alarm's metric ----------------------------------------------------- */

typedef struct tw_ea_metric {
  tw_metric_key key;
  tw_metric_dimension dims[30];
  tw_metric_stat stat;
  int period;
  int ok;
} tw_ea_metric;

/* Single-metric alarms, or the MetricStat query that returns data. */
static void tw_ea_metric_of(const tw_api_alarm *al, tw_ea_metric *m) {
  memset(m, 0, sizeof *m);
  json_t *src = al->config;
  const char *stat = json_string_value(json_object_get(src, "Statistic"));
  if (!stat)
    stat = json_string_value(json_object_get(src, "ExtendedStatistic"));
  m->period = tw_alarm_get_period(al->alarm);
  json_t *metrics = json_object_get(src, "Metrics");
  for (size_t i = 0; json_is_array(metrics) && i < json_array_size(metrics);
       i++) {
    json_t *q = json_array_get(metrics, i);
    json_t *rd = json_object_get(q, "ReturnData");
    json_t *ms = json_object_get(q, "MetricStat");
    if ((rd && !json_is_true(rd)) || !ms)
      continue;
    src = json_object_get(ms, "Metric");
    stat = json_string_value(json_object_get(ms, "Stat"));
    json_t *p = json_object_get(ms, "Period");
    if (json_is_integer(p))
      m->period = (int)json_integer_value(p);
  }
  m->key.ns = json_string_value(json_object_get(src, "Namespace"));
  m->key.name = json_string_value(json_object_get(src, "MetricName"));
  m->key.unit = json_string_value(json_object_get(al->config, "Unit"));
  if (!m->key.ns || !m->key.name || !stat ||
      tw_metric_stat_parse(stat, &m->stat) != TW_OK ||
      tw_engine_dims(json_object_get(src, "Dimensions"), m->dims, 30,
                     &m->key.ndims) != TW_OK)
    return;
  m->key.dims = m->dims;
  m->ok = m->period > 0;
}

/* values/samples[0..r) oldest first for the evaluation at now. */
static int tw_ea_values(tw_api *api, const tw_api_alarm *al, int64_t now,
                        double *values, double *samples, size_t r) {
  tw_ea_metric m;
  tw_ea_metric_of(al, &m);
  for (size_t i = 0; i < r; i++)
    values[i] = samples[i] = NAN;
  if (!m.ok)
    return TW_OK;
  for (size_t i = 0; i < r; i++) {
    size_t age = r - i;
    int64_t start = tw_alarm_period_start(al->alarm, now, age);
    tw_metric_datapoint pt;
    double v = NAN;
    int rc = tw_metric_store_query(api->metrics, &m.key, start,
                                   start + (int64_t)m.period * 1000, m.period,
                                   &m.stat, 1, &pt, &v, 1);
    if (rc == TW_ENOMEM)
      return rc;
    if (rc == TW_OK && pt.sample_count > 0) {
      values[i] = v;
      samples[i] = pt.sample_count;
    }
  }
  return TW_OK;
}

/* ---- actions ----------------------------------------------------------------- */

static int tw_ea_history(tw_api *api, const tw_api_alarm *al,
                         const char *type, int64_t t, const char *item) {
  (void)al;
  return item ? tw_store_history_insert(api->store, al->name, type, t, item)
              : TW_OK;
}

/* Copies of the sampled events behind the evaluated range (D23). */
static size_t tw_ea_events(tw_api *api, const tw_api_alarm *al, int64_t now,
                           char **out, size_t cap) {
  tw_ea_metric m;
  tw_ea_metric_of(al, &m);
  if (!m.ok)
    return 0;
  size_t r = tw_alarm_get_evaluation_range(al->alarm);
  int64_t start = tw_alarm_period_start(al->alarm, now, r);
  int64_t end = tw_alarm_period_start(al->alarm, now, 1) +
                (int64_t)m.period * 1000;
  tw_metric_event ev[10];
  size_t n = 0, k = 0;
  if (tw_metric_store_events(api->metrics, &m.key, start, end, ev,
                             cap < 10 ? cap : 10, &n) != TW_OK)
    return 0;
  for (size_t i = 0; i < n; i++) {
    json_t *j = json_loadb(ev[i].event, ev[i].event_len, 0, NULL);
    if (j && json_is_object(j) && (out[k] = strndup(ev[i].event,
                                                    ev[i].event_len)))
      k++;
    json_decref(j);
  }
  return k;
}

/* The SNS message (D23 events included) and subject of a state change. */
static int tw_ea_message(tw_api *api, const tw_api_alarm *al,
                         const tw_alarm_result *res, char **msg,
                         char **subject, tw_error *err) {
  char *copies[10] = {NULL};
  size_t n = tw_ea_events(api, al, res->time_ms, copies, 10);
  int rc = tw_alarm_sns_message(al->alarm, res, api->account, api->region,
                                (const char *const *)copies, n, msg, err);
  if (rc == TW_OK)
    rc = tw_alarm_sns_subject(al->alarm, res, api->region, subject);
  for (size_t i = 0; i < n; i++)
    free(copies[i]);
  return rc;
}

/* Queue every action's notification in the outbox, in this transaction
 * (engine_outbox.c); the workers deliver them and write the Action history
 * items. A message that cannot be built fails its actions at once. */
static int tw_ea_run_actions(tw_api *api, const tw_api_alarm *al,
                             const tw_alarm_result *res) {
  if (!res->nactions)
    return TW_OK;
  char *msg = NULL, *subject = NULL;
  tw_error err;
  memset(&err, 0, sizeof err);
  int rc = tw_ea_message(api, al, res, &msg, &subject, &err);
  int built = rc == TW_OK;
  if (rc != TW_ENOMEM)
    rc = TW_OK;
  const char *state = tw_alarm_state_name(res->state);
  for (size_t i = 0; rc == TW_OK && i < res->nactions; i++)
    rc = built ? tw_engine_outbox_add(api, al->name, state, res->actions[i],
                                      subject, msg, res->time_ms)
               : tw_engine_outbox_history(api, al->name, res->actions[i],
                                          "cannot build the notification",
                                          res->time_ms);
  free(msg);
  free(subject);
  return rc;
}

/* ---- evaluation ---------------------------------------------------------------- */

static int tw_ea_apply(tw_api *api, tw_api_alarm *al,
                       const tw_alarm_result *res) {
  char *hist = NULL;
  int rc = tw_alarm_record_apply(&al->rec, al->alarm, res, &hist);
  if (rc == TW_OK && hist) {
    rc = tw_ea_history(api, al, "StateUpdate", res->time_ms, hist);
    if (rc == TW_OK)
      rc = tw_ea_persist(api, al);
    if (rc == TW_OK)
      rc = tw_ea_run_actions(api, al, res);
  }
  if (rc == TW_OK && hist && res->changed) {
    char why[104];
    snprintf(why, sizeof why, "%.100s%s", res->reason ? res->reason : "",
             res->reason && strlen(res->reason) > 100 ? "..." : "");
    tw_log_kv(api->log, TW_LOG_INFO, "alarm.transition", "alarm", al->name,
              "from", tw_alarm_state_name(res->prior), "to",
              tw_alarm_state_name(res->state), "reason", why, NULL);
  }
  free(hist);
  return rc;
}

int tw_engine_alarm_evaluate(tw_api *api, tw_api_alarm *al, int64_t now_ms) {
  size_t r = tw_alarm_get_evaluation_range(al->alarm);
  double *values = calloc(r ? r : 1, sizeof *values);
  double *samples = calloc(r ? r : 1, sizeof *samples);
  tw_alarm_result res;
  int rc = values && samples ? TW_OK : TW_ENOMEM;
  al->last_eval_ms = now_ms;
  if (rc == TW_OK)
    rc = tw_ea_values(api, al, now_ms, values, samples, r);
  if (rc == TW_OK)
    rc = tw_alarm_evaluate_ex(al->alarm, values, samples, r, al->rec.value,
                              now_ms, &res);
  if (rc == TW_OK) {
    rc = tw_ea_apply(api, al, &res);
    tw_alarm_result_clear(&res);
  }
  free(values);
  free(samples);
  return rc;
}

/* ---- operations' helpers --------------------------------------------------------- */

/* The stored configuration: the request minus Tags. */
static json_t *tw_ea_config(json_t *in) {
  json_t *cfg = json_deep_copy(in);
  if (cfg)
    json_object_del(cfg, "Tags");
  return cfg;
}

static int tw_ea_config_history(tw_api_ctx *c, tw_api_alarm *al,
                                const tw_alarm *old) {
  char *item = NULL;
  int rc = tw_alarm_history_config(al->alarm, old, &al->rec, c->api->region,
                                   c->api->account, c->now_ms, &item);
  if (rc == TW_OK)
    rc = tw_ea_history(c->api, al, "ConfigurationUpdate", c->now_ms, item);
  free(item);
  return rc;
}

/* Replace an existing alarm's configuration, keeping its state. */
static int tw_ea_update(tw_api_ctx *c, tw_api_alarm *al, json_t *cfg,
                        tw_alarm *a) {
  tw_alarm *old = al->alarm;
  json_decref(al->config);
  al->alarm = a;
  al->config = cfg;
  al->config_ms = c->now_ms;
  int rc = tw_ea_config_history(c, al, old);
  tw_alarm_free(old);
  return rc;
}

static int tw_ea_create(tw_api_ctx *c, json_t *cfg, tw_alarm *a,
                        tw_api_alarm **out) {
  tw_api_alarm *al = calloc(1, sizeof *al);
  int rc = al ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK && !(al->name = strdup(tw_alarm_get_name(a))))
    rc = TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_alarm_record_init(&al->rec, c->now_ms);
  if (rc == TW_OK) {
    al->alarm = a;
    al->config = cfg;
    al->config_ms = c->now_ms;
    rc = tw_ea_insert(c->api, al);
  }
  if (rc) {
    if (al)
      al->alarm = NULL, al->config = NULL;
    tw_ea_free(al);
    return rc;
  }
  *out = al;
  return tw_ea_config_history(c, al, NULL);
}

int tw_engine_alarm_put(tw_api_ctx *c, const char *json, size_t len) {
  (void)json;
  (void)len;
  json_t *cfg = tw_ea_config(c->in);
  tw_alarm *a = NULL;
  tw_error err;
  const char *code = NULL;
  memset(&err, 0, sizeof err);
  if (!cfg)
    return TW_ENOMEM;
  int rc = tw_ea_parse(cfg, c->now_ms, &a, &err, &code);
  if (rc) {
    json_decref(cfg);
    if (rc == TW_ENOMEM)
      return rc;
    return tw_api_fail(c, 400, code ? code : "InvalidParameterValue", "%s",
                       err.message);
  }
  tw_api_alarm *al = tw_engine_alarm_find(c->api, tw_alarm_get_name(a));
  if (al)
    rc = tw_ea_update(c, al, cfg, a);
  else
    rc = tw_ea_create(c, cfg, a, &al);
  if (rc == TW_OK)
    rc = tw_ea_persist(c->api, al);
  if (rc == TW_OK)
    rc = tw_engine_alarm_evaluate(c->api, al, c->now_ms);
  return rc;
}

int tw_engine_alarm_delete(tw_api *api, const char *name) {
  int found;
  size_t i = tw_ea_index(api, name, &found);
  if (!found)
    return TW_ENOTFOUND;
  int rc = tw_store_alarm_delete(api->store, name);
  if (rc)
    return rc;
  tw_ea_free(api->alarms[i]);
  memmove(api->alarms + i, api->alarms + i + 1,
          (api->nalarms - i - 1) * sizeof *api->alarms);
  api->nalarms--;
  return TW_OK;
}

int tw_engine_alarm_set_actions(tw_api *api, tw_api_alarm *al, int enabled) {
  json_t *cfg = json_deep_copy(al->config);
  tw_alarm *a = NULL;
  tw_error err;
  if (!cfg || json_object_set_new(cfg, "ActionsEnabled", json_boolean(enabled))) {
    json_decref(cfg);
    return TW_ENOMEM;
  }
  int rc = tw_ea_parse(cfg, al->config_ms, &a, &err, NULL);
  if (rc) {
    json_decref(cfg);
    return rc;
  }
  tw_alarm_free(al->alarm);
  json_decref(al->config);
  al->alarm = a;
  al->config = cfg;
  return tw_ea_persist(api, al);
}

int tw_engine_alarm_set_state(tw_api_ctx *c, tw_api_alarm *al,
                              const char *state, const char *reason,
                              const char *reason_data) {
  tw_alarm_result res;
  char *hist = NULL;
  tw_error err;
  const char *code = NULL;
  memset(&err, 0, sizeof err);
  int rc = tw_alarm_set_state(&al->rec, al->alarm, state, reason, reason_data,
                              c->now_ms, &res, &hist, &err, &code);
  if (rc == TW_ENOMEM)
    return rc;
  if (rc)
    return tw_api_fail(c, 400, code ? code : "InvalidParameterValue", "%s",
                       err.message);
  rc = tw_ea_history(c->api, al, "StateUpdate", c->now_ms, hist);
  if (rc == TW_OK)
    rc = tw_ea_persist(c->api, al);
  if (rc == TW_OK && res.changed)
    rc = tw_ea_run_actions(c->api, al, &res);
  free(hist);
  tw_alarm_result_clear(&res);
  return rc;
}

/* ---- DescribeAlarms shape ------------------------------------------------------- */

static void tw_ea_copy(json_t *out, json_t *cfg, const char *key) {
  json_t *v = json_object_get(cfg, key);
  if (v && !json_is_null(v))
    json_object_set(out, key, v);
}

static void tw_ea_copy_list(json_t *out, json_t *cfg, const char *key) {
  json_t *v = json_object_get(cfg, key);
  json_object_set_new(out, key, json_is_array(v) ? json_incref(v)
                                                 : json_array());
}

static void tw_ea_describe_metric(json_t *o, json_t *cfg) {
  static const char *const keys[] = {"MetricName", "Namespace", "Statistic",
                                     "ExtendedStatistic"};
  for (size_t i = 0; i < 4; i++)
    tw_ea_copy(o, cfg, keys[i]);
  if (!json_object_get(cfg, "Metrics"))
    tw_ea_copy_list(o, cfg, "Dimensions");
  tw_ea_copy(o, cfg, "Period");
  tw_ea_copy(o, cfg, "Unit");
  tw_ea_copy(o, cfg, "EvaluationPeriods");
  tw_ea_copy(o, cfg, "DatapointsToAlarm");
  json_t *th = json_object_get(cfg, "Threshold");
  if (json_is_number(th))
    json_object_set_new(o, "Threshold", json_real(json_number_value(th)));
  static const char *const tail[] = {"ComparisonOperator", "TreatMissingData",
                                     "EvaluateLowSampleCountPercentile",
                                     "Metrics", "ThresholdMetricId"};
  for (size_t i = 0; i < 5; i++)
    tw_ea_copy(o, cfg, tail[i]);
}

json_t *tw_engine_alarm_describe(tw_api *api, const tw_api_alarm *al) {
  json_t *o = json_object(), *cfg = al->config;
  if (!o)
    return NULL;
  char arn[600];
  snprintf(arn, sizeof arn, "arn:aws:cloudwatch:%s:%s:alarm:%s", api->region,
           api->account, al->name);
  json_object_set_new(o, "AlarmName", json_string(al->name));
  json_object_set_new(o, "AlarmArn", json_string(arn));
  tw_ea_copy(o, cfg, "AlarmDescription");
  json_object_set_new(o, "AlarmConfigurationUpdatedTimestamp",
                      tw_json_epoch_seconds(al->config_ms));
  json_t *ae = json_object_get(cfg, "ActionsEnabled");
  json_object_set_new(o, "ActionsEnabled", json_boolean(!json_is_false(ae)));
  tw_ea_copy_list(o, cfg, "OKActions");
  tw_ea_copy_list(o, cfg, "AlarmActions");
  tw_ea_copy_list(o, cfg, "InsufficientDataActions");
  json_object_set_new(o, "StateValue",
                      json_string(tw_alarm_state_name(al->rec.value)));
  json_object_set_new(o, "StateReason",
                      json_string(al->rec.reason ? al->rec.reason : ""));
  if (al->rec.reason_data)
    json_object_set_new(o, "StateReasonData", json_string(al->rec.reason_data));
  json_object_set_new(o, "StateUpdatedTimestamp",
                      tw_json_epoch_seconds(al->rec.updated_ms));
  tw_ea_describe_metric(o, cfg);
  json_object_set_new(o, "StateTransitionedTimestamp",
                      tw_json_epoch_seconds(al->rec.transitioned_ms));
  return o;
}
