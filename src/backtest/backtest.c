/*
 * backtest.c — replay of metric filters and alarms over historical events
 * (see backtest.h for the design).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/backtest.h"
#include "util/util.h"

#define MINUTE_MS 60000
#define MAX_RANGE 64 /* evaluation range R; N <= ... keeps R small */
#define RETENTION_S (100LL * 366 * 86400) /* a backtest keeps its whole span */
#define LATENESS_MS (100LL * 366 * 86400 * 1000)

struct tw_bt_minutes {
  int64_t *v;
  size_t n, cap;
  int64_t first, last;
};

typedef struct alarm_run {
  tw_alarm *alarm;
  tw_bt_transition *tr;
  size_t ntr, captr;
  tw_alarm_state final_state;
} alarm_run;

struct tw_backtest {
  const tw_bt_filter *filters;
  size_t nfilters;
  tw_metric_store *store;
  tw_metric_filter_acc **acc;
  pthread_mutex_t lock;
  tw_bt_minutes minutes; /* merged */
  alarm_run *alarms;
  size_t nalarms;
  tw_bt_opts opts;
};

/* ---- minute sets ---- */

int tw_bt_minutes_new(tw_bt_minutes **out) {
  tw_bt_minutes *m = calloc(1, sizeof *m);
  if (!m)
    return TW_ENOMEM;
  m->first = INT64_MAX;
  m->last = INT64_MIN;
  *out = m;
  return TW_OK;
}

void tw_bt_minutes_free(tw_bt_minutes *m) {
  if (!m)
    return;
  free(m->v);
  free(m);
}

static int minutes_push(tw_bt_minutes *m, int64_t minute) {
  if (m->n && m->v[m->n - 1] == minute)
    return TW_OK;
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    int64_t *v = realloc(m->v, cap * sizeof *v);
    if (!v)
      return TW_ENOMEM;
    m->v = v;
    m->cap = cap;
  }
  m->v[m->n++] = minute;
  return TW_OK;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }

int tw_bt_minutes_add(tw_bt_minutes *m, int64_t time_ms) {
  if (time_ms == INT64_MIN)
    return TW_OK;
  if (time_ms < m->first)
    m->first = time_ms;
  if (time_ms > m->last)
    m->last = time_ms;
  return minutes_push(m, floor_div(time_ms, MINUTE_MS));
}

int tw_backtest_merge_minutes(tw_backtest *bt, const tw_bt_minutes *m) {
  for (size_t i = 0; i < m->n; i++)
    if (minutes_push(&bt->minutes, m->v[i]))
      return TW_ENOMEM;
  if (m->first < bt->minutes.first)
    bt->minutes.first = m->first;
  if (m->last > bt->minutes.last)
    bt->minutes.last = m->last;
  return TW_OK;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void minutes_sort_unique(tw_bt_minutes *m) {
  if (m->n > 1)
    qsort(m->v, m->n, sizeof *m->v, cmp_i64);
  size_t k = 0;
  for (size_t i = 0; i < m->n; i++)
    if (k == 0 || m->v[k - 1] != m->v[i])
      m->v[k++] = m->v[i];
  m->n = k;
}

/* ---- setup ---- */

void tw_backtest_free(tw_backtest *bt) {
  if (!bt)
    return;
  for (size_t f = 0; bt->acc && f < bt->nfilters; f++)
    tw_metric_filter_acc_free(bt->acc[f]);
  free(bt->acc);
  tw_metric_store_free(bt->store);
  for (size_t a = 0; a < bt->nalarms; a++) {
    for (size_t i = 0; i < bt->alarms[a].ntr; i++) {
      tw_bt_transition *t = &bt->alarms[a].tr[i];
      free(t->reason);
      free(t->reason_data);
      for (size_t e = 0; e < t->nevents; e++)
        free(t->events[e]);
      free(t->events);
    }
    free(bt->alarms[a].tr);
  }
  free(bt->alarms);
  free(bt->minutes.v);
  pthread_mutex_destroy(&bt->lock);
  free(bt);
}

static int make_store(tw_backtest *bt) {
  tw_metric_store_config cfg;
  tw_metric_store_config_init(&cfg);
  cfg.retention_s = RETENTION_S;
  cfg.samples_per_bucket = bt->opts.events_per_transition;
  return tw_metric_store_new(&cfg, &bt->store);
}

static int make_accumulators(tw_backtest *bt) {
  bt->acc = calloc(bt->nfilters ? bt->nfilters : 1, sizeof *bt->acc);
  if (!bt->acc)
    return TW_ENOMEM;
  for (size_t f = 0; f < bt->nfilters; f++) {
    const tw_bt_filter *d = &bt->filters[f];
    tw_metric_filter_config c = {.ns = d->ns, .name = d->metric_name, .unit = d->unit,
                                 .has_default = d->has_default,
                                 .default_value = d->default_value, .lateness_ms = LATENESS_MS};
    int rc = tw_metric_filter_acc_new(bt->store, &c, &bt->acc[f]);
    if (rc)
      return rc;
  }
  return TW_OK;
}

int tw_backtest_new(const tw_bt_filter *filters, size_t nfilters, tw_alarm *const *alarms,
                    size_t nalarms, const tw_bt_opts *opts, tw_backtest **out) {
  tw_backtest *bt = calloc(1, sizeof *bt);
  if (!bt)
    return TW_ENOMEM;
  pthread_mutex_init(&bt->lock, NULL);
  bt->filters = filters;
  bt->nfilters = nfilters;
  bt->opts.events_per_transition = opts && opts->events_per_transition ? opts->events_per_transition : 10;
  bt->minutes.first = INT64_MAX;
  bt->minutes.last = INT64_MIN;
  bt->alarms = calloc(nalarms ? nalarms : 1, sizeof *bt->alarms);
  int rc = bt->alarms ? TW_OK : TW_ENOMEM;
  bt->nalarms = nalarms;
  for (size_t a = 0; !rc && a < nalarms; a++)
    bt->alarms[a].alarm = alarms[a];
  if (!rc)
    rc = make_store(bt);
  if (!rc)
    rc = make_accumulators(bt);
  if (rc) {
    tw_backtest_free(bt);
    return rc;
  }
  *out = bt;
  return TW_OK;
}

int tw_backtest_match(tw_backtest *bt, size_t f, int64_t time_ms, tw_extract_status status,
                      double value, const tw_metric_dimension *dims, size_t ndims,
                      const char *event, size_t len) {
  if (f >= bt->nfilters || time_ms == INT64_MIN)
    return TW_EINVAL;
  pthread_mutex_lock(&bt->lock);
  int rc = tw_metric_filter_acc_event(bt->acc[f], time_ms, 1, status, value, dims, ndims, event,
                                      len);
  pthread_mutex_unlock(&bt->lock);
  return rc;
}

/* ---- run ---- */

/* D17: every minute with events reaches each filter with a default value. */
static int close_minutes(tw_backtest *bt) {
  minutes_sort_unique(&bt->minutes);
  for (size_t f = 0; f < bt->nfilters; f++) {
    if (bt->filters[f].has_default)
      for (size_t i = 0; i < bt->minutes.n; i++) {
        int rc = tw_metric_filter_acc_event(bt->acc[f], bt->minutes.v[i] * MINUTE_MS, 0,
                                            TW_EXTRACT_OK, 0, NULL, 0, NULL, 0);
        if (rc)
          return rc;
      }
    int rc = tw_metric_filter_acc_flush(bt->acc[f]);
    if (rc)
      return rc;
  }
  return TW_OK;
}

typedef struct alarm_ctx {
  tw_metric_key key;
  tw_metric_dimension dims[30];
  tw_metric_stat stat;
  int period;
  size_t range;
} alarm_ctx;

static int alarm_setup(const tw_alarm *a, alarm_ctx *c) {
  const char *stat;
  memset(c, 0, sizeof *c);
  int rc = tw_alarm_get_metric(a, &c->key.ns, &c->key.name, &c->key.unit, &stat, &c->key.ndims);
  if (rc)
    return rc;
  if (c->key.ndims > 30)
    return TW_EINVAL;
  for (size_t i = 0; i < c->key.ndims; i++)
    tw_alarm_get_dimension(a, i, &c->dims[i].name, &c->dims[i].value);
  c->key.dims = c->dims;
  if ((rc = tw_metric_stat_parse(stat, &c->stat)))
    return rc;
  c->period = tw_alarm_get_period(a);
  c->range = tw_alarm_get_evaluation_range(a);
  return c->range > MAX_RANGE ? TW_ELIMIT : TW_OK;
}

static int push_transition(tw_backtest *bt, alarm_run *r, const alarm_ctx *c,
                           const tw_alarm_result *res, int64_t start, int64_t end) {
  if (r->ntr == r->captr) {
    size_t cap = r->captr ? r->captr * 2 : 8;
    tw_bt_transition *t = realloc(r->tr, cap * sizeof *t);
    if (!t)
      return TW_ENOMEM;
    r->tr = t;
    r->captr = cap;
  }
  tw_bt_transition *t = &r->tr[r->ntr++];
  memset(t, 0, sizeof *t);
  t->time_ms = res->time_ms;
  t->old_state = res->prior;
  t->new_state = res->state;
  t->reason = res->reason ? strdup(res->reason) : NULL;
  t->reason_data = res->reason_data ? strdup(res->reason_data) : NULL;
  t->actions = res->actions;
  t->nactions = res->nactions;
  if (res->state != TW_ALARM_ALARM)
    return TW_OK;
  size_t cap = bt->opts.events_per_transition, n = 0;
  tw_metric_event *ev = calloc(cap, sizeof *ev);
  if (!ev || !(t->events = calloc(cap, sizeof *t->events))) {
    free(ev);
    return TW_ENOMEM;
  }
  int rc = tw_metric_store_events(bt->store, &c->key, start, end, ev, cap, &n);
  for (size_t i = 0; !rc && i < n; i++) {
    t->events[t->nevents] = strndup(ev[i].event, ev[i].event_len);
    if (!t->events[t->nevents++])
      rc = TW_ENOMEM;
  }
  free(ev);
  return rc;
}

/* Replay one alarm on the D22 schedule over the span of the data. */
static int replay_alarm(tw_backtest *bt, alarm_run *r) {
  alarm_ctx c;
  int rc = alarm_setup(r->alarm, &c);
  r->final_state = TW_ALARM_INSUFFICIENT_DATA;
  if (rc || bt->minutes.n == 0)
    return rc == TW_ENOTFOUND ? TW_OK : rc; /* metric-math alarms are not replayed */
  int64_t step = c.period < 60 ? 10000 : MINUTE_MS;
  int64_t period_ms = (int64_t)c.period * 1000;
  int64_t t0 = bt->minutes.v[0] * MINUTE_MS + step;
  int64_t t1 = bt->minutes.v[bt->minutes.n - 1] * MINUTE_MS + (int64_t)c.range * period_ms + 2 * step;
  double values[MAX_RANGE], counts[MAX_RANGE];
  tw_metric_datapoint points[MAX_RANGE];
  tw_alarm_state state = TW_ALARM_INSUFFICIENT_DATA;
  int prev_empty = 0;
  for (int64_t t = t0; !rc && t <= t1; t += step) {
    int64_t start = tw_alarm_period_start(r->alarm, t, c.range);
    int64_t end = start + (int64_t)c.range * period_ms;
    if ((rc = tw_metric_store_query(bt->store, &c.key, start, end, c.period, &c.stat, 1, points,
                                    values, c.range)))
      break;
    int empty = 1;
    for (size_t k = 0; k < c.range; k++) {
      counts[k] = points[k].sample_count;
      empty &= isnan(values[k]);
    }
    if (empty && prev_empty)
      continue; /* same inputs as the last evaluation: no change possible */
    prev_empty = empty;
    tw_alarm_result res;
    memset(&res, 0, sizeof res);
    if ((rc = tw_alarm_evaluate_ex(r->alarm, values, counts, c.range, state, t, &res)))
      break;
    if (res.changed)
      rc = push_transition(bt, r, &c, &res, start, end);
    state = res.state;
    tw_alarm_result_clear(&res);
  }
  r->final_state = state;
  return rc;
}

int tw_backtest_run(tw_backtest *bt) {
  int rc = close_minutes(bt);
  for (size_t a = 0; !rc && a < bt->nalarms; a++)
    rc = replay_alarm(bt, &bt->alarms[a]);
  return rc;
}

void tw_backtest_filter_stats(const tw_backtest *bt, size_t f, tw_metric_filter_stats *out) {
  tw_metric_filter_acc_stats(bt->acc[f], out);
}

size_t tw_backtest_transition_count(const tw_backtest *bt, size_t alarm) {
  return alarm < bt->nalarms ? bt->alarms[alarm].ntr : 0;
}

const tw_bt_transition *tw_backtest_transition(const tw_backtest *bt, size_t alarm, size_t i) {
  return alarm < bt->nalarms && i < bt->alarms[alarm].ntr ? &bt->alarms[alarm].tr[i] : NULL;
}

int tw_backtest_span(const tw_backtest *bt, int64_t *first_ms, int64_t *last_ms) {
  if (bt->minutes.first == INT64_MAX)
    return 0;
  *first_ms = bt->minutes.first;
  *last_ms = bt->minutes.last;
  return 1;
}

tw_alarm_state tw_backtest_final_state(const tw_backtest *bt, size_t alarm) {
  return alarm < bt->nalarms ? bt->alarms[alarm].final_state : TW_ALARM_INSUFFICIENT_DATA;
}
