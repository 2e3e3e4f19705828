/*
 * api.c — the tw_api handle: opening the store, rebuilding the in-memory
 * state at start (alarms, PutMetricData datums, metric filter replay), the
 * periodic tick (alarm schedule of D22 or --eval-interval, retention) and
 * --config preloading through src/config/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "config/config.h"

#define TW_DAY_MS INT64_C(86400000)

void tw_api_free(tw_api *api) {
  if (!api)
    return;
  tw_engine_filters_free(api);
  tw_engine_alarms_free(api);
  tw_metric_store_free(api->metrics);
  tw_store_close(api->store);
  json_decref(api->units);
  json_decref(api->targets);
  json_decref(api->counters.ingested);
  pthread_mutex_destroy(&api->lock);
  free(api);
}

void tw_api_lock(tw_api *api) { pthread_mutex_lock(&api->lock); }
void tw_api_unlock(tw_api *api) { pthread_mutex_unlock(&api->lock); }
void tw_api_set_log(tw_api *api, struct tw_log *log) { api->log = log; }
struct tw_log *tw_api_log(tw_api *api) { return api->log; }

static int tw_api_load(tw_api *api, int64_t now, tw_error *err) {
  int rc = tw_engine_alarms_load(api, err);
  if (rc == TW_OK && (rc = tw_engine_metrics_load(api, now)) != TW_OK)
    tw_error_set(err, rc, 0, "loading metric data: %s",
                 tw_store_errmsg(api->store));
  if (rc == TW_OK)
    rc = tw_engine_filters_load(api, now, err);
  return rc;
}

int tw_api_new(const tw_api_config *cfg, tw_api **out, tw_error *err) {
  tw_api *api = calloc(1, sizeof *api);
  if (!api)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  snprintf(api->region, sizeof api->region, "%s",
           cfg->region ? cfg->region : "us-east-1");
  snprintf(api->account, sizeof api->account, "%s",
           cfg->account ? cfg->account : "123456789012");
  pthread_mutex_init(&api->lock, NULL);
  api->eval_interval_s = cfg->eval_interval_s;
  api->lateness_ms = cfg->lateness_ms > 0 ? cfg->lateness_ms : 60000;
  api->units = json_object();
  int rc = api->units ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_store_open(cfg->db_path ? cfg->db_path : "trailwatch.db",
                       &api->store, err);
  if (rc == TW_OK && (rc = tw_metric_store_new(NULL, &api->metrics)))
    tw_error_set(err, rc, 0, "out of memory");
  if (rc == TW_OK)
    rc = tw_api_load(api, tw_api_now_ms(), err);
  if (rc) {
    tw_api_free(api);
    return rc;
  }
  *out = api;
  return TW_OK;
}

/* ---- schedule ------------------------------------------------------------- */

static int tw_api_due(const tw_api *api, const tw_api_alarm *al, int64_t now) {
  if (api->eval_interval_s > 0)
    return now - al->last_eval_ms >= (int64_t)api->eval_interval_s * 1000;
  if (tw_alarm_get_period(al->alarm) < 60)
    return now / 10000 != al->last_eval_ms / 10000;
  return now / 60000 != al->last_eval_ms / 60000;
}

static int tw_api_evaluate(tw_api *api, int64_t now, int all) {
  int rc = tw_engine_filters_advance(api, now);
  if (rc == TW_OK)
    rc = tw_metric_store_advance(api->metrics, now);
  for (size_t i = 0; rc == TW_OK && i < api->nalarms; i++)
    if (all || tw_api_due(api, api->alarms[i], now))
      rc = tw_engine_alarm_evaluate(api, api->alarms[i], now);
  return rc;
}

typedef struct tw_ret_ctx {
  tw_api *api;
  int64_t now;
} tw_ret_ctx;

static int tw_api_retain_group(const tw_store_group *g, void *ud) {
  tw_ret_ctx *r = ud;
  return tw_store_event_expire(r->api->store, g->id,
                               r->now - g->retention_days * TW_DAY_MS, NULL);
}

static int tw_api_retention(tw_api *api, int64_t now) {
  tw_ret_ctx r = {api, now};
  int rc = tw_store_group_list_retained(api->store, tw_api_retain_group, &r);
  if (rc == TW_OK)
    rc = tw_store_event_expire(api->store, 0, now - 15 * TW_DAY_MS, NULL);
  if (rc == TW_OK)
    rc = tw_store_metric_expire(api->store, now - 15 * TW_DAY_MS);
  if (rc == TW_OK)
    rc = tw_store_history_expire(api->store, now - 14 * TW_DAY_MS);
  return rc;
}

static int tw_api_in_tx(tw_api *api, int64_t now, int all) {
  int rc = tw_store_begin(api->store);
  if (rc)
    return rc;
  rc = tw_api_evaluate(api, now, all);
  if (rc == TW_OK && now - api->last_retention_ms >= 600000) {
    api->last_retention_ms = now;
    rc = tw_api_retention(api, now);
  }
  if (rc) {
    tw_store_rollback(api->store);
    return rc;
  }
  return tw_store_commit(api->store);
}

int tw_api_tick(tw_api *api, int64_t now_ms) {
  api->last_tick_ms = now_ms;
  return tw_api_in_tx(api, now_ms, 0);
}

int tw_api_evaluate_all(tw_api *api, int64_t now_ms) {
  return tw_api_in_tx(api, now_ms, 1);
}

/* ---- --config ----------------------------------------------------------------- */

static json_t *tw_preload_transforms(const tw_metric_filter_def *d) {
  json_t *t = json_pack("{s:s,s:s,s:s}", "metricName", d->metric_name,
                        "metricNamespace", d->metric_namespace, "metricValue",
                        d->metric_value);
  if (!t)
    return NULL;
  if (d->has_default)
    json_object_set_new(t, "defaultValue", json_real(d->default_value));
  if (d->ndims) {
    json_t *dims = json_object();
    for (size_t i = 0; dims && i < d->ndims; i++)
      json_object_set_new(dims, d->dim_names[i], json_string(d->dim_tokens[i]));
    json_object_set_new(t, "dimensions", dims);
  }
  if (d->unit)
    json_object_set_new(t, "unit", json_string(d->unit));
  return json_pack("[o]", t);
}

/* Run one operation as if a client had sent body. */
static int tw_preload_call(tw_api *api, const char *target, json_t *body,
                           int64_t now, tw_error *err, const char *what) {
  char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
  tw_api_response r;
  if (!text)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  int rc = tw_api_handle(api, target, text, strlen(text), now, &r);
  free(text);
  if (rc == TW_OK && r.status != 200 && r.status != 0) {
    json_t *e = json_loadb(r.body.data, r.body.len, 0, NULL);
    const char *m = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "__type"));
    if (!code || strcmp(code, "ResourceAlreadyExistsException"))
      rc = tw_error_set(err, TW_EINVAL, 0, "%s: %s", what, m ? m : "failed");
    json_decref(e);
  }
  tw_api_response_free(&r);
  return rc;
}

typedef struct tw_same_filter {
  const char *pattern;
  char *transforms;
  int same;
} tw_same_filter;

static int tw_preload_same(const tw_store_filter *f, void *ud) {
  tw_same_filter *s = ud;
  s->same = !strcmp(f->pattern, s->pattern) &&
            !strcmp(f->transforms, s->transforms);
  return 1;
}

static int tw_preload_filter(tw_api *api, const tw_metric_filter_def *d,
                             int64_t now, tw_error *err) {
  const char *group = d->log_group_name ? d->log_group_name
                                        : TW_CONFIG_DEFAULT_LOG_GROUP;
  json_t *tr = tw_preload_transforms(d);
  json_t *g = json_pack("{s:s}", "logGroupName", group);
  tw_same_filter same = {d->filter_pattern,
                         tr ? json_dumps(tr, JSON_COMPACT | JSON_PRESERVE_ORDER)
                            : NULL,
                         0};
  tw_store_filter_query q = {group, d->filter_name, NULL, NULL, NULL, NULL, 1};
  int rc = tr && g && same.transforms ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_preload_call(api, "Logs_20140328.CreateLogGroup", g, now, err,
                         group);
  if (rc == TW_OK &&
      tw_store_filter_list(api->store, &q, tw_preload_same, &same) >= 0 &&
      !same.same) {
    json_t *body = json_pack("{s:s,s:s,s:s,s:O}", "logGroupName", group,
                             "filterName", d->filter_name, "filterPattern",
                             d->filter_pattern, "metricTransformations", tr);
    rc = body ? tw_preload_call(api, "Logs_20140328.PutMetricFilter", body,
                                now, err, d->origin)
              : TW_ENOMEM;
    json_decref(body);
  }
  free(same.transforms);
  json_decref(tr);
  json_decref(g);
  return rc;
}

static int tw_preload_alarm(tw_api *api, const json_t *raw, const char *origin,
                            int64_t now, tw_error *err) {
  json_t *body = json_deep_copy(raw);
  if (!body)
    return TW_ENOMEM;
  static const char *const out_only[] = {
      "AlarmArn", "AlarmConfigurationUpdatedTimestamp", "StateValue",
      "StateReason", "StateReasonData", "StateUpdatedTimestamp",
      "StateTransitionedTimestamp", "EvaluationState"};
  for (size_t i = 0; i < sizeof out_only / sizeof out_only[0]; i++)
    json_object_del(body, out_only[i]);
  const char *name = json_string_value(json_object_get(body, "AlarmName"));
  tw_api_alarm *al = name ? tw_engine_alarm_find(api, name) : NULL;
  int rc = TW_OK;
  if (!al || !json_equal(al->config, body))
    rc = tw_preload_call(api, "GraniteServiceVersion20100801.PutMetricAlarm",
                         body, now, err, origin);
  json_decref(body);
  return rc;
}

int tw_api_preload(tw_api *api, const char *path, int64_t now_ms,
                   tw_error *err) {
  tw_config *cfg = NULL;
  int rc = tw_config_new(&cfg);
  if (rc)
    return tw_error_set(err, rc, 0, "out of memory");
  rc = tw_config_load(cfg, path, err);
  for (size_t i = 0; rc == TW_OK && i < tw_config_metric_filter_count(cfg); i++)
    rc = tw_preload_filter(api, tw_config_metric_filter(cfg, i), now_ms, err);
  for (size_t i = 0; rc == TW_OK && i < tw_config_alarm_count(cfg); i++) {
    const char *origin = NULL;
    const json_t *a = tw_config_alarm(cfg, i, &origin);
    rc = tw_preload_alarm(api, a, origin ? origin : path, now_ms, err);
  }
  const json_t *targets = tw_config_targets(cfg);
  if (rc == TW_OK && targets) {
    json_decref(api->targets);
    api->targets = json_deep_copy(targets);
  }
  tw_config_free(cfg);
  return rc;
}

/* PLACEHOLDER until reload validates before applying: apply directly. */
int tw_api_reload(tw_api *api, const char *path, int64_t now_ms,
                  tw_error *err) {
  return tw_api_preload(api, path, now_ms, err);
}
