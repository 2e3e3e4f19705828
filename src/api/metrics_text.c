/*
 * metrics_text.c — GET /metrics of `trailwatch serve`: the server's state
 * and counters in the Prometheus text exposition format 0.0.4 (# HELP and
 * # TYPE lines, one family's samples together, label values escaped).
 * Built with the API lock held from tw_api_counters (stats.c), the live
 * metric filters' accumulator statistics and the alarms' states.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/metrics_text.h"

/* ---- the exposition format ------------------------------------------------ */

/* A writer that remembers the first failure. */
typedef struct tw_prom {
  tw_buf *b;
  int rc;
} tw_prom;

static void tw_prom_put(tw_prom *p, const char *s, size_t n) {
  if (p->rc == TW_OK && n)
    p->rc = tw_buf_append(p->b, s, n);
}

static void tw_prom_str(tw_prom *p, const char *s) {
  tw_prom_put(p, s, strlen(s));
}

/* Escape backslash and newline (HELP text), and '"' too (label values). */
static void tw_prom_escaped(tw_prom *p, const char *s, int quote) {
  for (const char *c = s; *c; c++) {
    if (*c == '\\')
      tw_prom_put(p, "\\\\", 2);
    else if (*c == '\n')
      tw_prom_put(p, "\\n", 2);
    else if (*c == '"' && quote)
      tw_prom_put(p, "\\\"", 2);
    else
      tw_prom_put(p, c, 1);
  }
}

static void tw_prom_family(tw_prom *p, const char *name, const char *type,
                           const char *help) {
  tw_prom_str(p, "# HELP ");
  tw_prom_str(p, name);
  tw_prom_str(p, " ");
  tw_prom_escaped(p, help, 0);
  tw_prom_str(p, "\n# TYPE ");
  tw_prom_str(p, name);
  tw_prom_str(p, " ");
  tw_prom_str(p, type);
  tw_prom_str(p, "\n");
}

/* name{k1="v1",...} value: labels is NULL or NULL-terminated pairs. */
static void tw_prom_sample(tw_prom *p, const char *name,
                           const char *const *labels, const char *value) {
  tw_prom_str(p, name);
  for (size_t i = 0; labels && labels[i]; i += 2) {
    tw_prom_str(p, i ? "," : "{");
    tw_prom_str(p, labels[i]);
    tw_prom_str(p, "=\"");
    tw_prom_escaped(p, labels[i + 1], 1);
    tw_prom_str(p, "\"");
  }
  if (labels && labels[0])
    tw_prom_str(p, "}");
  tw_prom_str(p, " ");
  tw_prom_str(p, value);
  tw_prom_str(p, "\n");
}

static void tw_prom_u64(tw_prom *p, const char *name,
                        const char *const *labels, uint64_t v) {
  char t[32];
  snprintf(t, sizeof t, "%" PRIu64, v);
  tw_prom_sample(p, name, labels, t);
}

/* Milliseconds as seconds. */
static void tw_prom_ms(tw_prom *p, const char *name,
                       const char *const *labels, int64_t ms) {
  char t[40];
  snprintf(t, sizeof t, "%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
  tw_prom_sample(p, name, labels, t);
}

/* ---- the families ----------------------------------------------------------- */

static void tw_metrics_process(tw_prom *p, int64_t start_ms) {
  tw_prom_family(p, "trailwatch_up", "gauge",
                 "1 while the trailwatch server answers.");
  tw_prom_sample(p, "trailwatch_up", NULL, "1");
  tw_prom_family(p, "trailwatch_build_info", "gauge",
                 "Version of the running server (always 1).");
  const char *const ver[] = {"version", TW_SERVE_VERSION, NULL};
  tw_prom_sample(p, "trailwatch_build_info", ver, "1");
  tw_prom_family(p, "trailwatch_start_time_seconds", "gauge",
                 "Start time of the server, seconds since the Unix epoch.");
  tw_prom_ms(p, "trailwatch_start_time_seconds", NULL,
             start_ms > 0 ? start_ms : 0);
}

static void tw_metrics_ingested(tw_prom *p, const tw_api_counters *c) {
  tw_prom_family(p, "trailwatch_events_ingested_total", "counter",
                 "Log events ingested since start, by source (PutLogEvents "
                 "or a live source).");
  const char *source;
  json_t *v;
  json_object_foreach(c->ingested, source, v) {
    const char *const lab[] = {"source", source, NULL};
    tw_prom_u64(p, "trailwatch_events_ingested_total", lab,
                (uint64_t)json_integer_value(v));
  }
}

/* The filters' samples go to two buffers, one per family. */
typedef struct tw_metrics_rows {
  tw_api *api;
  tw_prom matches, events;
} tw_metrics_rows;

static tw_api_filter *tw_metrics_live_filter(tw_api *api,
                                             const tw_store_filter *sf) {
  for (size_t i = 0; i < api->ngroups; i++) {
    tw_api_group_rt *g = api->groups[i];
    for (size_t j = 0; g->group_id == sf->group_id && j < g->n; j++)
      if (g->filters[j]->id == sf->id)
        return g->filters[j];
  }
  return NULL;
}

static int tw_metrics_filter_row(const tw_store_filter *sf, void *ud) {
  tw_metrics_rows *m = ud;
  tw_api_filter *f = tw_metrics_live_filter(m->api, sf);
  if (!f)
    return 0;
  tw_metric_filter_stats st;
  tw_metric_filter_acc_stats(f->acc, &st);
  const char *const lab[] = {"log_group", sf->group_name, "filter", sf->name,
                             NULL};
  tw_prom_u64(&m->matches, "trailwatch_metric_filter_matches_total", lab,
              st.matched);
  tw_prom_u64(&m->events, "trailwatch_metric_filter_events_total", lab,
              st.events);
  return m->matches.rc || m->events.rc;
}

static int tw_metrics_filters(tw_prom *p, tw_api *api) {
  tw_buf mb = {0}, eb = {0};
  tw_metrics_rows m = {api, {&mb, TW_OK}, {&eb, TW_OK}};
  tw_store_filter_query q = {NULL, NULL, NULL, NULL, NULL, NULL, INT_MAX};
  int rc = tw_store_filter_list(api->store, &q, tw_metrics_filter_row, &m);
  if (rc == TW_OK)
    rc = m.matches.rc ? m.matches.rc : m.events.rc;
  tw_prom_family(p, "trailwatch_metric_filter_matches_total", "counter",
                 "Events matched by each metric filter (its current "
                 "version; rebuilt by replay at start).");
  tw_prom_put(p, mb.data, mb.len);
  tw_prom_family(p, "trailwatch_metric_filter_events_total", "counter",
                 "Events of its log group seen by each metric filter (its "
                 "current version; rebuilt by replay at start).");
  tw_prom_put(p, eb.data, eb.len);
  tw_buf_free(&mb);
  tw_buf_free(&eb);
  return rc;
}

static void tw_metrics_alarms(tw_prom *p, const tw_api *api) {
  static const tw_alarm_state states[] = {TW_ALARM_OK, TW_ALARM_ALARM,
                                          TW_ALARM_INSUFFICIENT_DATA};
  tw_prom_family(p, "trailwatch_alarm_state", "gauge",
                 "State of each alarm: 1 for its current state, 0 for the "
                 "others.");
  for (size_t i = 0; i < api->nalarms; i++)
    for (size_t s = 0; s < 3; s++) {
      const char *const lab[] = {"alarm", api->alarms[i]->name, "state",
                                 tw_alarm_state_name(states[s]), NULL};
      tw_prom_u64(p, "trailwatch_alarm_state", lab,
                  api->alarms[i]->rec.value == states[s]);
    }
  tw_prom_family(p, "trailwatch_alarm_evaluations_total", "counter",
                 "Scheduled alarm evaluations run since start.");
  tw_prom_u64(p, "trailwatch_alarm_evaluations_total", NULL,
              api->counters.evaluations);
  tw_prom_family(p, "trailwatch_alarm_evaluation_lag_seconds", "gauge",
                 "How late the last evaluations ran after the boundary "
                 "they were due at.");
  tw_prom_ms(p, "trailwatch_alarm_evaluation_lag_seconds", NULL,
             api->counters.eval_lag_ms);
}

static void tw_metrics_deliveries(tw_prom *p, tw_api *api) {
  const tw_api_counters *c = &api->counters;
  tw_prom_family(p, "trailwatch_delivery_attempts_total", "counter",
                 "Notification delivery attempts since start, by result.");
  const char *const ok[] = {"result", "ok", NULL};
  const char *const failed[] = {"result", "failed", NULL};
  tw_prom_u64(p, "trailwatch_delivery_attempts_total", ok, c->deliveries_ok);
  tw_prom_u64(p, "trailwatch_delivery_attempts_total", failed,
              c->delivery_failures);
  tw_prom_family(p, "trailwatch_deliveries_given_up_total", "counter",
                 "Notifications given up after their last attempt.");
  tw_prom_u64(p, "trailwatch_deliveries_given_up_total", NULL,
              c->deliveries_given_up);
  int64_t pending = 0, gave_up = 0;
  if (tw_api_outbox_depth(api, &pending, &gave_up) != TW_OK)
    return;
  tw_prom_family(p, "trailwatch_outbox_depth", "gauge",
                 "Outbox rows waiting for delivery (pending) or given up "
                 "(failed).");
  const char *const pl[] = {"state", "pending", NULL};
  const char *const fl[] = {"state", "failed", NULL};
  tw_prom_u64(p, "trailwatch_outbox_depth", pl, (uint64_t)pending);
  tw_prom_u64(p, "trailwatch_outbox_depth", fl, (uint64_t)gave_up);
}

int tw_api_metrics_text(tw_api *api, int64_t start_ms, tw_buf *out) {
  tw_prom p = {out, TW_OK};
  tw_metrics_process(&p, start_ms);
  tw_metrics_ingested(&p, &api->counters);
  int rc = tw_metrics_filters(&p, api);
  tw_metrics_alarms(&p, api);
  tw_metrics_deliveries(&p, api);
  return rc ? rc : p.rc;
}
