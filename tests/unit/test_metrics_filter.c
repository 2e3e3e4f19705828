/*
 * test_metrics_filter.c — the metric-filter accumulator
 * (src/metrics/filter_acc.c): the spec's worked example (§2, minutes
 * 10:00/10:01/10:02 with and without defaultValue), D17 default per minute,
 * D18/D19 skipped counts, out-of-order events within and beyond the
 * lateness bound, advance/flush, samples and expiry. Scenarios are data.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trailwatch.h"
#include "tw_test.h"

#define MIN_MS INT64_C(60000)
#define T10 INT64_C(1704103200000) /* 2024-01-01T10:00:00Z */
#define NMIN 4

typedef struct ev {
  int off_s; /* seconds after 10:00 */
  int matched;
  tw_extract_status st;
  double value;
} ev;

typedef struct scenario {
  const char *name;
  int has_default;
  double dflt;
  int lateness_s;
  ev evs[8];
  size_t nev;
  double sum[NMIN], count[NMIN]; /* per minute from 10:00; NaN = none */
  tw_metric_filter_stats want;
} scenario;

#define NONE NAN
#define OK_ TW_EXTRACT_OK
#define SKV TW_EXTRACT_SKIP_VALUE
#define SKD TW_EXTRACT_SKIP_DIMENSION

static const scenario SCENARIOS[] = {
    {.name = "worked example, defaultValue 0",
     .has_default = 1,
     .dflt = 0,
     .evs =
         {{5, 1, OK_, 1}, {40, 1, OK_, 1}, {70, 0, OK_, 0}, {110, 0, OK_, 0}},
     .nev = 4,
     .sum = {2, 0, NONE, NONE},
     .count = {2, 1, NONE, NONE},
     .want = {.events = 4, .matched = 2, .datapoints = 2, .defaults = 1}},
    {.name = "worked example, no defaultValue",
     .evs =
         {{5, 1, OK_, 1}, {40, 1, OK_, 1}, {70, 0, OK_, 0}, {110, 0, OK_, 0}},
     .nev = 4,
     .sum = {2, NONE, NONE, NONE},
     .count = {2, NONE, NONE, NONE},
     .want = {.events = 4, .matched = 2, .datapoints = 2}},
    {.name = "a minute without events gets nothing, even with a default",
     .has_default = 1,
     .dflt = 0,
     .evs = {{70, 0, OK_, 0}, {190, 0, OK_, 0}},
     .nev = 2,
     .sum = {NONE, 0, NONE, 0},
     .count = {NONE, 1, NONE, 1},
     .want = {.events = 2, .defaults = 2}},
    {.name = "default value is per minute, not per event",
     .has_default = 1,
     .dflt = 5,
     .evs = {{1, 0, OK_, 0}, {2, 0, OK_, 0}, {3, 0, OK_, 0}},
     .nev = 3,
     .sum = {5, NONE, NONE, NONE},
     .count = {1, NONE, NONE, NONE},
     .want = {.events = 3, .defaults = 1}},
    {.name = "D18 non-numeric value: skipped, minute falls back to default",
     .has_default = 1,
     .dflt = 7,
     .evs =
         {{10, 1, SKV, 0}, {20, 0, OK_, 0}, {70, 1, OK_, 3}, {80, 1, SKV, 0}},
     .nev = 4,
     .sum = {7, 3, NONE, NONE},
     .count = {1, 1, NONE, NONE},
     .want = {.events = 4,
              .matched = 3,
              .datapoints = 1,
              .defaults = 1,
              .skipped_value = 2}},
    {.name = "D18 non-finite value counts as non-numeric",
     .evs = {{10, 1, OK_, INFINITY}, {11, 1, OK_, NAN}, {12, 1, OK_, 2.5}},
     .nev = 3,
     .sum = {2.5, NONE, NONE, NONE},
     .count = {1, NONE, NONE, NONE},
     .want = {.events = 3, .matched = 3, .datapoints = 1, .skipped_value = 2}},
    {.name = "D19 missing dimension: skipped",
     .evs = {{10, 1, SKD, 0}, {70, 1, OK_, 4}},
     .nev = 2,
     .sum = {NONE, 4, NONE, NONE},
     .count = {NONE, 1, NONE, NONE},
     .want =
         {.events = 2, .matched = 2, .datapoints = 1, .skipped_dimension = 1}},
    {.name = "out of order within lateness is exact",
     .has_default = 1,
     .dflt = 0,
     .lateness_s = 120,
     .evs = {{90, 0, OK_, 0},
             {10, 1, OK_, 1},
             {130, 0, OK_, 0},
             {50, 0, OK_, 0},
             {20, 1, OK_, 2}},
     .nev = 5,
     .sum = {3, 0, 0, NONE},
     .count = {2, 1, 1, NONE},
     .want = {.events = 5, .matched = 2, .datapoints = 2, .defaults = 2}},
    {.name = "beyond lateness: value kept, default decision final",
     .has_default = 1,
     .dflt = 0,
     .lateness_s = 0,
     .evs =
         {{10, 0, OK_, 0}, {90, 0, OK_, 0}, {20, 1, OK_, 6}, {30, 0, OK_, 0}},
     .nev = 4,
     .sum = {6, 0, NONE, NONE},
     .count = {2, 1, NONE, NONE},
     .want = {.events = 4,
              .matched = 1,
              .datapoints = 1,
              .defaults = 2,
              .late = 2}},
    {.name = "late event for a minute never seen gets no default",
     .has_default = 1,
     .dflt = 0,
     .lateness_s = 30,
     .evs = {{150, 1, OK_, 1}, {10, 0, OK_, 0}},
     .nev = 2,
     .sum = {NONE, NONE, 1, NONE},
     .count = {NONE, NONE, 1, NONE},
     .want = {.events = 2, .matched = 1, .datapoints = 1, .late = 1}},
};

static tw_metric_store *new_store(int64_t retention_s, size_t samples) {
  tw_metric_store_config c;
  tw_metric_store_config_init(&c);
  if (retention_s)
    c.retention_s = retention_s;
  c.samples_per_bucket = samples;
  tw_metric_store *s = NULL;
  TW_CHECK_EQ_INT(tw_metric_store_new(&c, &s), TW_OK);
  return s;
}

static tw_metric_filter_acc *new_acc(tw_metric_store *s, int has_default,
                                     double dflt, int64_t lateness_ms) {
  tw_metric_filter_config c = {"CloudTrailMetrics", "Events", NULL,
                               has_default,         dflt,     lateness_ms};
  tw_metric_filter_acc *a = NULL;
  TW_CHECK_EQ_INT(tw_metric_filter_acc_new(s, &c, &a), TW_OK);
  return a;
}

static const tw_metric_key KEY = {"CloudTrailMetrics", "Events", NULL, 0, NULL};

static int same(double got, double want) {
  return isnan(want) ? isnan(got) : got == want;
}

static int stats_equal(const tw_metric_filter_stats *a,
                       const tw_metric_filter_stats *b) {
  return a->events == b->events && a->matched == b->matched &&
         a->datapoints == b->datapoints && a->defaults == b->defaults &&
         a->skipped_value == b->skipped_value &&
         a->skipped_dimension == b->skipped_dimension && a->late == b->late &&
         a->expired == b->expired;
}

static void run_scenario(const scenario *sc) {
  tw_metric_store *s = new_store(0, 10);
  tw_metric_filter_acc *a =
      new_acc(s, sc->has_default, sc->dflt, sc->lateness_s * INT64_C(1000));
  for (size_t i = 0; i < sc->nev; i++) {
    const ev *e = &sc->evs[i];
    TW_CHECK_EQ_INT(tw_metric_filter_acc_event(a, T10 + e->off_s * 1000,
                                               e->matched, e->st, e->value,
                                               NULL, 0, NULL, 0),
                    TW_OK);
  }
  TW_CHECK_EQ_INT(tw_metric_filter_acc_flush(a), TW_OK);
  tw_metric_stat st[2] = {{TW_METRIC_STAT_SUM, 0},
                          {TW_METRIC_STAT_SAMPLE_COUNT, 0}};
  double v[NMIN * 2];
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T10, T10 + NMIN * MIN_MS, 60,
                                        st, 2, NULL, v, NMIN),
                  TW_OK);
  int bad = 0;
  for (int k = 0; k < NMIN; k++)
    bad += !same(v[k * 2], sc->sum[k]) + !same(v[k * 2 + 1], sc->count[k]);
  tw_metric_filter_stats got;
  tw_metric_filter_acc_stats(a, &got);
  bad += !stats_equal(&got, &sc->want);
  if (bad)
    fprintf(stderr, "scenario \"%s\" failed\n", sc->name);
  TW_CHECK_EQ_INT(bad, 0);
  tw_metric_filter_acc_free(a);
  tw_metric_store_free(s);
}

TW_TEST(scenarios) {
  for (size_t i = 0; i < sizeof SCENARIOS / sizeof SCENARIOS[0]; i++)
    run_scenario(&SCENARIOS[i]);
}

/* ---- out-of-order feeds ------------------------------------------------ */

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rng_next(rng *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

typedef struct rev {
  int64_t ts, arrival;
  int matched, svc;
  double value;
} rev;

static int by_ts(const void *x, const void *y) {
  const rev *a = x, *b = y;
  return (a->ts > b->ts) - (a->ts < b->ts);
}

static int by_arrival(const void *x, const void *y) {
  const rev *a = x, *b = y;
  return (a->arrival > b->arrival) - (a->arrival < b->arrival);
}

static void feed(tw_metric_filter_acc *a, const rev *e, size_t n, int dims) {
  static const char *const svcs[] = {"api", "web", "db"};
  for (size_t i = 0; i < n; i++) {
    tw_metric_dimension d = {"Svc", svcs[e[i].svc]};
    char json[48];
    int len = snprintf(json, sizeof json, "{\"t\":%lld}", (long long)e[i].ts);
    TW_CHECK_EQ_INT(tw_metric_filter_acc_event(
                        a, e[i].ts, e[i].matched, TW_EXTRACT_OK, e[i].value,
                        dims ? &d : NULL, dims ? 1 : 0, json, (size_t)len),
                    TW_OK);
  }
  TW_CHECK_EQ_INT(tw_metric_filter_acc_flush(a), TW_OK);
}

static void compare_stores(tw_metric_store *x, tw_metric_store *y,
                           const tw_metric_key *k, int minutes) {
  tw_metric_stat st[4] = {{TW_METRIC_STAT_SUM, 0},
                          {TW_METRIC_STAT_SAMPLE_COUNT, 0},
                          {TW_METRIC_STAT_MAXIMUM, 0},
                          {TW_METRIC_STAT_PERCENTILE, 50}};
  size_t n = (size_t)minutes * 4;
  double *vx = malloc(n * sizeof *vx), *vy = malloc(n * sizeof *vy);
  TW_CHECK_EQ_INT(tw_metric_store_query(x, k, T10, T10 + minutes * MIN_MS, 60,
                                        st, 4, NULL, vx, (size_t)minutes),
                  0);
  TW_CHECK_EQ_INT(tw_metric_store_query(y, k, T10, T10 + minutes * MIN_MS, 60,
                                        st, 4, NULL, vy, (size_t)minutes),
                  0);
  int bad = 0, data = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isnan(vx[i]))
      data++;
    if (!(isnan(vx[i]) ? isnan(vy[i])
                       : fabs(vx[i] - vy[i]) <= 1e-9 * fabs(vx[i])))
      bad++;
  }
  TW_CHECK_EQ_INT(bad, 0);
  TW_CHECK(data > 0);
  free(vx);
  free(vy);
}

/* A time-ordered feed and a feed delayed by up to the lateness bound must
 * give the same datapoints and counters. */
TW_TEST(reordering_within_lateness_is_exact) {
  const int64_t lateness = 5 * MIN_MS;
  for (int dims = 0; dims < 2; dims++) {
    rng r = {42 + (uint64_t)dims};
    size_t n = 4000;
    rev *e = malloc(n * sizeof *e);
    for (size_t i = 0; i < n; i++) {
      /* bursts: about a third of the minutes are silent */
      int64_t minute = (int64_t)(rng_next(&r) % 120);
      if (minute % 3 == 1)
        minute--;
      e[i].ts = T10 + minute * MIN_MS + (int64_t)(rng_next(&r) % 60000);
      e[i].arrival =
          e[i].ts + (int64_t)(rng_next(&r) % (uint64_t)(lateness + 1));
      e[i].matched = rng_next(&r) % 7 == 0;
      e[i].svc = (int)(rng_next(&r) % 3);
      e[i].value = (double)(rng_next(&r) % 100);
    }
    tw_metric_store *s1 = new_store(0, 10), *s2 = new_store(0, 10);
    tw_metric_filter_acc *a1 = new_acc(s1, !dims, 0.0, lateness);
    tw_metric_filter_acc *a2 = new_acc(s2, !dims, 0.0, lateness);
    qsort(e, n, sizeof *e, by_ts);
    feed(a1, e, n, dims);
    qsort(e, n, sizeof *e, by_arrival);
    feed(a2, e, n, dims);
    tw_metric_filter_stats st1, st2;
    tw_metric_filter_acc_stats(a1, &st1);
    tw_metric_filter_acc_stats(a2, &st2);
    TW_CHECK(stats_equal(&st1, &st2));
    TW_CHECK(st1.late == 0 && st1.events == n);
    TW_CHECK(dims ? st1.defaults == 0 : st1.defaults > 0);
    if (dims) {
      static const char *const svcs[] = {"api", "web", "db"};
      for (int i = 0; i < 3; i++) {
        tw_metric_dimension d = {"Svc", svcs[i]};
        tw_metric_key k = {"CloudTrailMetrics", "Events", &d, 1, NULL};
        compare_stores(s1, s2, &k, 121);
      }
    } else {
      compare_stores(s1, s2, &KEY, 121);
    }
    tw_metric_filter_acc_free(a1);
    tw_metric_filter_acc_free(a2);
    tw_metric_store_free(s1);
    tw_metric_store_free(s2);
    free(e);
  }
}

/* ---- advance, samples, expiry, arguments ----------------------------------
 */

TW_TEST(advance_closes_minutes_without_new_events) {
  tw_metric_store *s = new_store(0, 10);
  tw_metric_filter_acc *a = new_acc(s, 1, 0.0, 30000);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_event(a, T10 + 10000, 0, TW_EXTRACT_OK,
                                             0, NULL, 0, NULL, 0),
                  0);
  tw_metric_filter_stats st;
  TW_CHECK_EQ_INT(tw_metric_filter_acc_advance(a, T10 + 89999), 0);
  tw_metric_filter_acc_stats(a, &st);
  TW_CHECK_EQ_INT(st.defaults, 0); /* 10:01:29.999 - 30 s is still 10:00 */
  TW_CHECK_EQ_INT(tw_metric_filter_acc_advance(a, T10 + 90000), 0);
  tw_metric_filter_acc_stats(a, &st);
  TW_CHECK_EQ_INT(st.defaults, 1);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_advance(a, T10), 0); /* no going back */
  TW_CHECK_EQ_INT(tw_metric_filter_acc_flush(a), 0);
  tw_metric_filter_acc_stats(a, &st);
  TW_CHECK_EQ_INT(st.defaults, 1);
  tw_metric_filter_acc_free(a);
  tw_metric_store_free(s);
}

TW_TEST(matching_events_are_sampled) {
  tw_metric_store *s = new_store(0, 2);
  tw_metric_filter_acc *a = new_acc(s, 1, 0.0, 0);
  static const char *const evs[] = {
      "{\"eventName\":\"A\"}", "{\"eventName\":\"B\"}", "{\"eventName\":\"C\"}",
      "{\"eventName\":\"D\"}"};
  static const int match[] = {1, 0, 1, 1};
  for (int i = 0; i < 4; i++)
    TW_CHECK_EQ_INT(tw_metric_filter_acc_event(a, T10 + i * 1000, match[i],
                                               TW_EXTRACT_OK, 1, NULL, 0,
                                               evs[i], strlen(evs[i])),
                    0);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_event(a, T10 + MIN_MS, 0, TW_EXTRACT_OK,
                                             0, NULL, 0, "{}", 2),
                  0);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_flush(a), 0);
  tw_metric_event out[8];
  size_t n = 0;
  TW_CHECK_EQ_INT(
      tw_metric_store_events(s, &KEY, T10, T10 + 2 * MIN_MS, out, 8, &n), 0);
  TW_CHECK_EQ_INT(n, 2); /* A and C; not the non-matching B, nor the default */
  TW_CHECK_EQ_STR(out[0].event, evs[0]);
  TW_CHECK_EQ_STR(out[1].event, evs[2]);
  tw_metric_filter_acc_free(a);
  tw_metric_store_free(s);
}

TW_TEST(values_older_than_retention_are_counted_expired) {
  tw_metric_store *s = new_store(3600, 10);
  tw_metric_filter_acc *a = new_acc(s, 0, 0.0, 0);
  static const struct {
    int64_t off_ms;
    int matched;
  } evs[] = {{0, 1}, {2 * 3600000, 1}, {1000, 1}, {1000, 0}};
  for (size_t i = 0; i < 4; i++)
    TW_CHECK_EQ_INT(tw_metric_filter_acc_event(a, T10 + evs[i].off_ms,
                                               evs[i].matched, TW_EXTRACT_OK, 1,
                                               NULL, 0, NULL, 0),
                    0);
  tw_metric_filter_stats st;
  tw_metric_filter_acc_stats(a, &st);
  TW_CHECK_EQ_INT(st.datapoints, 2);
  TW_CHECK_EQ_INT(st.expired, 1);
  TW_CHECK_EQ_INT(st.late, 2);
  tw_metric_filter_acc_free(a);
  tw_metric_store_free(s);
}

TW_TEST(bad_arguments) {
  tw_metric_store *s = new_store(0, 10);
  tw_metric_filter_acc *a = NULL;
  const tw_metric_filter_config bad[] = {
      {NULL, "M", NULL, 0, 0, 0}, {"N", "", NULL, 0, 0, 0},
      {"N", "M", "", 0, 0, 0},    {"N", "M", NULL, 1, NAN, 0},
      {"N", "M", NULL, 0, 0, -1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    TW_CHECK_EQ_INT(tw_metric_filter_acc_new(s, &bad[i], &a), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_new(NULL, &bad[0], &a), TW_EINVAL);
  a = new_acc(s, 1, 0.0, 0);
  tw_metric_dimension d = {"Svc", "api"};
  /* defaultValue with dimensions is not allowed (D17) */
  TW_CHECK_EQ_INT(
      tw_metric_filter_acc_event(a, T10, 1, TW_EXTRACT_OK, 1, &d, 1, NULL, 0),
      TW_EINVAL);
  TW_CHECK_EQ_INT(
      tw_metric_filter_acc_event(a, T10, 1, TW_EXTRACT_OK, 1, NULL, 1, NULL, 0),
      TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_event(a, INT64_MIN, 0, TW_EXTRACT_OK, 0,
                                             NULL, 0, NULL, 0),
                  TW_EINVAL);
  tw_metric_filter_stats st;
  tw_metric_filter_acc_stats(a, &st);
  TW_CHECK_EQ_INT(st.events, 0);
  TW_CHECK_EQ_INT(tw_metric_filter_acc_flush(a), TW_OK); /* nothing seen */
  tw_metric_filter_acc_free(a);
  tw_metric_filter_acc_free(NULL);
  tw_metric_store_free(s);
}

int main(void) { return tw_test_run(); }
