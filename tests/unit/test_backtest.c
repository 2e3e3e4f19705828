/*
 * test_backtest.c — the backtest replays alarms on the live schedule in
 * event time. Timelines below are worked out by hand from
 * metrics-alarms-api.md §5 (R = N + 2 for N = 1: a 5-minute alarm looks at
 * the last 15 minutes and, with at least N real datapoints, uses the most
 * recent real one) and D17 (default values per minute with events).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/backtest.h"
#include "trailwatch.h"
#include "tw_test.h"

#define BASE 1767225600000LL /* 2026-01-01T00:00:00Z */
#define MIN(m) (BASE + (int64_t)(m)*60000)

static tw_alarm *alarm(const char *name, const char *metric, const char *tmd) {
  char buf[512];
  snprintf(buf, sizeof buf,
           "{\"AlarmName\":\"%s\",\"Namespace\":\"T\",\"MetricName\":\"%s\",\"Statistic\":\"Sum\","
           "\"Period\":300,\"EvaluationPeriods\":1,\"Threshold\":1,"
           "\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\",\"TreatMissingData\":\"%s\"}",
           name, metric, tmd);
  tw_alarm *a = NULL;
  tw_error err;
  if (tw_alarm_parse(buf, strlen(buf), &a, &err))
    fprintf(stderr, "alarm: %s\n", err.message);
  return a;
}

/* 31 minutes of events (one per minute at :30), one match at minute 10. */
static tw_backtest *run(const tw_bt_filter *f, size_t nf, tw_alarm **a, size_t na) {
  tw_backtest *bt = NULL;
  tw_bt_minutes *m = NULL;
  if (tw_backtest_new(f, nf, a, na, NULL, &bt) || tw_bt_minutes_new(&m))
    return NULL;
  for (int i = 0; i <= 30; i++)
    tw_bt_minutes_add(m, MIN(i) + 30000);
  const char *ev = "{\"eventName\":\"SwitchRole\",\"eventID\":\"e-10\"}";
  for (size_t k = 0; k < nf; k++)
    tw_backtest_match(bt, k, MIN(10) + 30000, TW_EXTRACT_OK, 1, NULL, 0, ev, strlen(ev));
  tw_backtest_merge_minutes(bt, m);
  tw_bt_minutes_free(m);
  if (tw_backtest_run(bt)) {
    tw_backtest_free(bt);
    return NULL;
  }
  return bt;
}

static void expect(const tw_backtest *bt, size_t a, size_t i, int64_t t, tw_alarm_state from,
                   tw_alarm_state to, size_t nevents) {
  const tw_bt_transition *tr = tw_backtest_transition(bt, a, i);
  TW_CHECK(tr != NULL);
  if (!tr)
    return;
  TW_CHECK_EQ_INT(tr->time_ms, t);
  TW_CHECK_EQ_INT(tr->old_state, from);
  TW_CHECK_EQ_INT(tr->new_state, to);
  TW_CHECK_EQ_INT(tr->nevents, nevents);
  TW_CHECK(tr->reason != NULL);
}

TW_TEST(spotty_metric_stays_in_alarm_for_the_evaluation_range) {
  tw_bt_filter f = {.filter_name = "f", .ns = "T", .metric_name = "M"};
  tw_alarm *a = alarm("a", "M", "notBreaching");
  tw_backtest *bt = run(&f, 1, &a, 1);
  TW_CHECK(bt != NULL);
  if (!bt)
    return;
  TW_CHECK_EQ_INT(tw_backtest_transition_count(bt, 0), 3);
  expect(bt, 0, 0, MIN(1), TW_ALARM_INSUFFICIENT_DATA, TW_ALARM_OK, 0);
  expect(bt, 0, 1, MIN(11), TW_ALARM_OK, TW_ALARM_ALARM, 1);
  expect(bt, 0, 2, MIN(26), TW_ALARM_ALARM, TW_ALARM_OK, 0);
  const tw_bt_transition *tr = tw_backtest_transition(bt, 0, 1);
  if (tr && tr->nevents)
    TW_CHECK(strstr(tr->events[0], "e-10") != NULL);
  if (tr && tr->reason)
    TW_CHECK(strcmp(tr->reason, "Threshold Crossed: 1 datapoint [1.0 (01/01/26 00:06:00)] was greater than or equal to the threshold (1.0).") == 0); /* legacy wording: M unset */
  TW_CHECK_EQ_INT(tw_backtest_final_state(bt, 0), TW_ALARM_OK);
  tw_metric_filter_stats st;
  tw_backtest_filter_stats(bt, 0, &st);
  TW_CHECK_EQ_INT(st.datapoints, 1);
  TW_CHECK_EQ_INT(st.defaults, 0);
  tw_backtest_free(bt);
  tw_alarm_free(a);
}

TW_TEST(default_value_closes_the_alarm_one_period_later) {
  tw_bt_filter f = {.filter_name = "f", .ns = "T", .metric_name = "D", .has_default = 1,
                    .default_value = 0};
  tw_alarm *a = alarm("d", "D", "missing");
  tw_backtest *bt = run(&f, 1, &a, 1);
  TW_CHECK(bt != NULL);
  if (!bt)
    return;
  TW_CHECK_EQ_INT(tw_backtest_transition_count(bt, 0), 4);
  expect(bt, 0, 0, MIN(1), TW_ALARM_INSUFFICIENT_DATA, TW_ALARM_OK, 0);
  expect(bt, 0, 1, MIN(11), TW_ALARM_OK, TW_ALARM_ALARM, 1);
  /* at 00:16 the newest period [00:11, 00:16) holds only default zeros */
  expect(bt, 0, 2, MIN(16), TW_ALARM_ALARM, TW_ALARM_OK, 0);
  /* after the data ends (last minute 00:30), all 3 periods go missing */
  expect(bt, 0, 3, MIN(46), TW_ALARM_OK, TW_ALARM_INSUFFICIENT_DATA, 0);
  tw_metric_filter_stats st;
  tw_backtest_filter_stats(bt, 0, &st);
  TW_CHECK_EQ_INT(st.defaults, 30); /* 31 minutes with events, one matched */
  tw_backtest_free(bt);
  tw_alarm_free(a);
}

TW_TEST(no_events_no_transitions) {
  tw_bt_filter f = {.filter_name = "f", .ns = "T", .metric_name = "M"};
  tw_alarm *a = alarm("a", "M", "notBreaching");
  tw_backtest *bt = NULL;
  TW_CHECK_EQ_INT(tw_backtest_new(&f, 1, &a, 1, NULL, &bt), TW_OK);
  TW_CHECK_EQ_INT(tw_backtest_run(bt), TW_OK);
  TW_CHECK_EQ_INT(tw_backtest_transition_count(bt, 0), 0);
  int64_t x, y;
  TW_CHECK_EQ_INT(tw_backtest_span(bt, &x, &y), 0);
  tw_backtest_free(bt);
  tw_alarm_free(a);
}

int main(void) { return tw_test_run(); }
