/*
 * backtest.h — replaying metric filters and alarms over historical events
 * (internal; used by `trailwatch scan`).
 *
 * Worker threads report, per event, its time (tw_backtest_event) and each
 * metric filter it matched with the extracted value (tw_backtest_match).
 * Matches go into the metrics store through one metric-filter accumulator
 * per filter (D16–D19), under a mutex (matches are rare; events are only
 * counted per minute, lock-free, in per-thread minute sets). tw_backtest_run
 * then closes every minute (default values, D17) and evaluates every alarm
 * on the live schedule replayed in event time (D22): every 60 s (10 s for
 * 10/20/30-s periods) from the first event's minute until the alarms have
 * seen a full evaluation range past the last event. Each state change is
 * recorded with its reason and, for ALARM, the events behind it (D23).
 */
#ifndef TW_BACKTEST_H
#define TW_BACKTEST_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"

typedef struct tw_bt_filter {
  const char *filter_name;
  const char *ns, *metric_name, *unit; /* unit NULL = None */
  const tw_transform *transform;
  int has_default;
  double default_value;
} tw_bt_filter;

typedef struct tw_bt_transition {
  int64_t time_ms;
  tw_alarm_state old_state, new_state;
  char *reason;
  char *reason_data;
  char **events; /* raw event JSON (ALARM transitions), copies */
  size_t nevents;
  const char *const *actions; /* actions of this transition (point into the alarm) */
  size_t nactions;
} tw_bt_transition;

typedef struct tw_bt_opts {
  size_t events_per_transition; /* D23 limit, default 10 */
} tw_bt_opts;

typedef struct tw_backtest tw_backtest;
typedef struct tw_bt_minutes tw_bt_minutes; /* per-thread minute set */

int tw_backtest_new(const tw_bt_filter *filters, size_t nfilters, tw_alarm *const *alarms,
                    size_t nalarms, const tw_bt_opts *opts, tw_backtest **out);
void tw_backtest_free(tw_backtest *bt);

/* Per-thread: note one event at time_ms (INT64_MIN = unknown time). */
int tw_bt_minutes_new(tw_bt_minutes **out);
void tw_bt_minutes_free(tw_bt_minutes *m);
int tw_bt_minutes_add(tw_bt_minutes *m, int64_t time_ms);
/* Merge a thread's minute set into the backtest (call after the thread). */
int tw_backtest_merge_minutes(tw_backtest *bt, const tw_bt_minutes *m);

/* Thread-safe: filter f matched an event at time_ms. status/value come from
 * tw_transform_apply; dims are the dimension values (ndims of them). */
int tw_backtest_match(tw_backtest *bt, size_t f, int64_t time_ms, tw_extract_status status,
                      double value, const tw_metric_dimension *dims, size_t ndims,
                      const char *event, size_t len);

/* Close the minutes and evaluate the alarms. */
int tw_backtest_run(tw_backtest *bt);

void tw_backtest_filter_stats(const tw_backtest *bt, size_t f, tw_metric_filter_stats *out);
size_t tw_backtest_transition_count(const tw_backtest *bt, size_t alarm);
const tw_bt_transition *tw_backtest_transition(const tw_backtest *bt, size_t alarm, size_t i);
/* Span of event time seen: [first_ms, last_ms]; 0 when no timed event. */
int tw_backtest_span(const tw_backtest *bt, int64_t *first_ms, int64_t *last_ms);
/* The alarm's final state after the replay. */
tw_alarm_state tw_backtest_final_state(const tw_backtest *bt, size_t alarm);

#endif /* TW_BACKTEST_H */
