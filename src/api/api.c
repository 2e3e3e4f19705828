/*
 * api.c — the tw_api handle: opening the store, rebuilding the in-memory
 * state at start (alarms, PutMetricData datums, metric filter replay), the
 * periodic tick (alarm schedule of D22 or --eval-interval, retention, the
 * evaluation counters of /metrics) and --config: loaded at start and
 * reloaded on SIGHUP, validated whole before anything is applied.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "config/config.h"
#include "util/log.h"

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

/* How late an evaluation at now runs after the boundary it was due at:
 * the start of the minute (10 s for high-resolution alarms) on the D22
 * schedule, the previous evaluation plus the interval with
 * --eval-interval (0 for an alarm never evaluated since start). */
static int64_t tw_api_lag(const tw_api *api, const tw_api_alarm *al,
                          int64_t now) {
  int64_t due;
  if (api->eval_interval_s > 0) {
    if (al->last_eval_ms <= 0)
      return 0;
    due = al->last_eval_ms + (int64_t)api->eval_interval_s * 1000;
  } else {
    int64_t step = tw_alarm_get_period(al->alarm) < 60 ? 10000 : 60000;
    due = now / step * step;
  }
  return now > due ? now - due : 0;
}

static void tw_api_log_eval_failure(tw_api *api, const tw_api_alarm *al,
                                    int rc) {
  tw_log_kv(api->log, TW_LOG_ERROR, "alarm.evaluation_failed", "alarm",
            al->name, "error", tw_strerror(rc), "detail",
            rc == TW_EIO ? tw_store_errmsg(api->store) : NULL, NULL);
}

static int tw_api_evaluate(tw_api *api, int64_t now, int all) {
  int rc = tw_engine_filters_advance(api, now);
  if (rc == TW_OK)
    rc = tw_metric_store_advance(api->metrics, now);
  int64_t lag = -1;
  for (size_t i = 0; rc == TW_OK && i < api->nalarms; i++) {
    tw_api_alarm *al = api->alarms[i];
    if (!all && !tw_api_due(api, al, now))
      continue;
    int64_t l = all ? 0 : tw_api_lag(api, al, now);
    lag = l > lag ? l : lag;
    api->counters.evaluations++;
    if ((rc = tw_engine_alarm_evaluate(api, al, now)) != TW_OK)
      tw_api_log_eval_failure(api, al, rc);
  }
  if (lag >= 0)
    api->counters.eval_lag_ms = lag;
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
  if (rc == TW_OK) /* delivered or given-up notifications (outbox) */
    rc = tw_store_outbox_expire(api->store, now - 14 * TW_DAY_MS, NULL);
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
  if (rc == TW_OK && (rc = tw_store_commit(api->store)) == TW_OK)
    return TW_OK;
  tw_store_rollback(api->store);
  tw_engine_alarms_reload(api);
  return rc;
}

int tw_api_tick(tw_api *api, int64_t now_ms) {
  api->last_tick_ms = now_ms;
  return tw_api_in_tx(api, now_ms, 0);
}

int tw_api_evaluate_all(tw_api *api, int64_t now_ms) {
  return tw_api_in_tx(api, now_ms, 1);
}

/* ---- --config and SIGHUP -------------------------------------------------------
 *
 * A configuration file is applied in three steps, at start and on SIGHUP
 * alike:
 *  1. read: tw_config_load then tw_config_finish (syntax, patterns,
 *     alarms, alarm actions without a target);
 *  2. check: the whole file goes through the real operations
 *     (CreateLogGroup, PutMetricFilter, PutMetricAlarm with its actions
 *     disabled) on a scratch handle over an in-memory database, so every
 *     check the API makes is made; then the limit of 100 metric filters per
 *     log group is checked against the live store;
 *  3. apply: the targets are replaced by the file's, then the same
 *     operations run on the live handle, skipping filters and alarms that
 *     are unchanged (an unchanged filter keeps its version and counts).
 * An error in steps 1-2 changes nothing. Filters and alarms absent from the
 * new file are kept: they may have been created through the API, which
 * the file knows nothing about (DeleteMetricFilter / DeleteAlarms remove
 * them). Targets exist only in files, so the file replaces them whole.
 */

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

static const char *tw_preload_group(const tw_metric_filter_def *d) {
  return d->log_group_name ? d->log_group_name : TW_CONFIG_DEFAULT_LOG_GROUP;
}

/* The current version of the filter named exactly name in a group (the
 * store's query matches a name prefix); same: its pattern and
 * transformations equal the wanted ones (when given). */
typedef struct tw_current_filter {
  const char *name;
  const char *pattern, *transforms;
  int found, same;
} tw_current_filter;

static int tw_current_row(const tw_store_filter *f, void *ud) {
  tw_current_filter *c = ud;
  if (strcmp(f->name, c->name))
    return 0;
  c->found = 1;
  c->same = c->pattern && c->transforms && !strcmp(f->pattern, c->pattern) &&
            !strcmp(f->transforms, c->transforms);
  return 1;
}

static int tw_current_find(tw_api *api, const char *group,
                           tw_current_filter *c, tw_error *err) {
  tw_store_filter_query q = {group, c->name, NULL, NULL, NULL, NULL, INT_MAX};
  int rc = tw_store_filter_list(api->store, &q, tw_current_row, c);
  if (rc == 1 || rc == TW_OK)
    return TW_OK;
  return tw_error_set(err, rc, 0, "%s: %s", group, tw_store_errmsg(api->store));
}

static int tw_preload_filter(tw_api *api, const tw_metric_filter_def *d,
                             int64_t now, tw_error *err) {
  const char *group = tw_preload_group(d);
  json_t *tr = tw_preload_transforms(d);
  json_t *g = json_pack("{s:s}", "logGroupName", group);
  char *tj = tr ? json_dumps(tr, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  tw_current_filter cur = {d->filter_name, d->filter_pattern, tj, 0, 0};
  int rc = tr && g && tj ? TW_OK
                         : tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  if (rc == TW_OK)
    rc = tw_preload_call(api, "Logs_20140328.CreateLogGroup", g, now, err,
                         d->origin);
  if (rc == TW_OK)
    rc = tw_current_find(api, group, &cur, err);
  if (rc == TW_OK && !cur.same) {
    json_t *body = json_pack("{s:s,s:s,s:s,s:O}", "logGroupName", group,
                             "filterName", d->filter_name, "filterPattern",
                             d->filter_pattern, "metricTransformations", tr);
    rc = body ? tw_preload_call(api, "Logs_20140328.PutMetricFilter", body,
                                now, err, d->origin)
              : tw_error_set(err, TW_ENOMEM, 0, "out of memory");
    json_decref(body);
  }
  free(tj);
  json_decref(tr);
  json_decref(g);
  return rc;
}

/* The PutMetricAlarm body of a configured alarm: without the output-only
 * members of a DescribeAlarms entry, nor Tags (not stored). */
static json_t *tw_preload_alarm_body(const json_t *raw) {
  static const char *const drop[] = {
      "AlarmArn",   "AlarmConfigurationUpdatedTimestamp",
      "StateValue", "StateReason",
      "StateReasonData", "StateUpdatedTimestamp",
      "StateTransitionedTimestamp", "EvaluationState", "Tags"};
  json_t *body = json_deep_copy(raw);
  for (size_t i = 0; body && i < sizeof drop / sizeof drop[0]; i++)
    json_object_del(body, drop[i]);
  return body;
}

/* dry: the scratch handle of the check step, where no action may run. */
static int tw_preload_alarm(tw_api *api, const json_t *raw, const char *origin,
                            int64_t now, int dry, tw_error *err) {
  json_t *body = tw_preload_alarm_body(raw);
  if (!body || (dry && json_object_set_new(body, "ActionsEnabled",
                                           json_false()))) {
    json_decref(body);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  const char *name = json_string_value(json_object_get(body, "AlarmName"));
  tw_api_alarm *al = name ? tw_engine_alarm_find(api, name) : NULL;
  int rc = TW_OK;
  if (!al || !json_equal(al->config, body))
    rc = tw_preload_call(api, "GraniteServiceVersion20100801.PutMetricAlarm",
                         body, now, err, origin);
  json_decref(body);
  return rc;
}

/* The filters, then the alarms, through the API operations. */
static int tw_config_ops(tw_api *api, const tw_config *cfg, const char *path,
                         int64_t now, int dry, tw_error *err) {
  int rc = TW_OK;
  for (size_t i = 0; rc == TW_OK && i < tw_config_metric_filter_count(cfg); i++)
    rc = tw_preload_filter(api, tw_config_metric_filter(cfg, i), now, err);
  for (size_t i = 0; rc == TW_OK && i < tw_config_alarm_count(cfg); i++) {
    const char *origin = NULL;
    const json_t *a = tw_config_alarm(cfg, i, &origin);
    rc = tw_preload_alarm(api, a, origin ? origin : path, now, dry, err);
  }
  return rc;
}

/* Step 2a: every operation on a scratch handle. */
static int tw_config_dry_run(tw_api *api, const tw_config *cfg,
                             const char *path, int64_t now, tw_error *err) {
  tw_api_config sc = {":memory:", api->region, api->account,
                      api->eval_interval_s, api->lateness_ms};
  tw_api *scratch = NULL;
  int rc = tw_api_new(&sc, &scratch, err);
  if (rc == TW_OK)
    rc = tw_config_ops(scratch, cfg, path, now, 1, err);
  tw_api_free(scratch);
  return rc;
}

/* Step 2b: new filter names must fit in their group's 100 with the
 * filters already there. added: group -> names new to the store. */
static int tw_config_limit_one(tw_api *api, const tw_metric_filter_def *d,
                               json_t *added, tw_error *err) {
  const char *group = tw_preload_group(d);
  tw_current_filter cur = {d->filter_name, NULL, NULL, 0, 0};
  int rc = tw_current_find(api, group, &cur, err);
  json_t *names = json_object_get(added, group);
  if (rc || cur.found || json_object_get(names, d->filter_name))
    return rc;
  if (!names && json_object_set_new(added, group, names = json_object()))
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  if (json_object_set_new(names, d->filter_name, json_true()))
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  tw_store_group g;
  int64_t have = tw_store_group_get(api->store, group, &g) == TW_OK
                     ? g.filter_count
                     : 0;
  if (have + (int64_t)json_object_size(names) > 100)
    return tw_error_set(err, TW_ELIMIT, 0,
                        "%s: log group %s would have more than 100 metric "
                        "filters",
                        d->origin, group);
  return TW_OK;
}

static int tw_config_limits(tw_api *api, const tw_config *cfg,
                            tw_error *err) {
  json_t *added = json_object();
  int rc = added ? TW_OK : tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  for (size_t i = 0; rc == TW_OK && i < tw_config_metric_filter_count(cfg); i++)
    rc = tw_config_limit_one(api, tw_config_metric_filter(cfg, i), added, err);
  json_decref(added);
  return rc;
}

/* Step 3: targets first (alarms put now may notify), then the operations;
 * the old targets come back if an operation fails. */
static int tw_config_apply(tw_api *api, const tw_config *cfg, const char *path,
                           int64_t now, tw_error *err) {
  const json_t *targets = tw_config_targets(cfg);
  json_t *old = api->targets;
  api->targets = targets ? json_deep_copy(targets) : NULL;
  int rc = !targets || api->targets
               ? tw_config_ops(api, cfg, path, now, 0, err)
               : tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  json_t *drop = rc ? api->targets : old;
  if (rc)
    api->targets = old;
  json_decref(drop);
  return rc;
}

static void tw_config_log(tw_api *api, const tw_config *cfg, const char *path,
                          const char *trigger) {
  char nf[24], na[24], nt[24];
  snprintf(nf, sizeof nf, "%zu", tw_config_metric_filter_count(cfg));
  snprintf(na, sizeof na, "%zu", tw_config_alarm_count(cfg));
  snprintf(nt, sizeof nt, "%zu", tw_config_target_count(cfg));
  tw_log_kv(api->log, TW_LOG_INFO, "config.loaded", "file", path, "trigger",
            trigger, "filters", nf, "alarms", na, "targets", nt, NULL);
}

/* Step 1 (the files, loaded and checked as a whole), then 2 and 3. */
static int tw_config_sync(tw_api *api, const tw_config_sources *src,
                          int64_t now, const char *trigger, tw_error *err) {
  char path[1024];
  tw_config_sources_describe(src, path, sizeof path);
  tw_config *cfg = NULL;
  int rc = tw_config_load_sources(src, &cfg, err);
  if (rc)
    return rc;
  /* reading and the dry run touch only the scratch handle and settings
   * fixed at start: the live server keeps serving meanwhile */
  rc = tw_config_dry_run(api, cfg, path, now, err);
  if (rc == TW_OK) {
    tw_api_lock(api);
    rc = tw_config_limits(api, cfg, err);
    if (rc == TW_OK)
      rc = tw_config_apply(api, cfg, path, now, err);
    if (rc == TW_OK)
      tw_config_log(api, cfg, path, trigger);
    tw_api_unlock(api);
  }
  tw_config_free(cfg);
  return rc;
}

int tw_api_preload(tw_api *api, const tw_config_sources *src, int64_t now_ms,
                   tw_error *err) {
  return tw_config_sync(api, src, now_ms, "start", err);
}

int tw_api_reload(tw_api *api, const tw_config_sources *src, int64_t now_ms,
                  tw_error *err) {
  return tw_config_sync(api, src, now_ms, "reload", err);
}
