/*
 * test_metrics_store.c — tw_metric_store (src/metrics/): statistics per
 * period checked against an exact sort-based computation on random data
 * (standard and high-resolution, several periods, aligned and unaligned
 * starts, in-order and shuffled puts), dimension canonicalisation, units,
 * retention and the memory bound, high-resolution folding, the event
 * sample reservoir, statistic sets, Values+Counts and argument checks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/sketch.h"
#include "trailwatch.h"
#include "tw_test.h"

#define MIN_MS INT64_C(60000)
/* a minute boundary: 2023-11-14T22:13:00Z */
#define T0 (INT64_C(28333333) * MIN_MS)

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rng_next(rng *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double rng_unit(rng *r) {
  return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static tw_metric_store *new_store(int64_t retention_s, int64_t high_res_s,
                                  size_t samples) {
  tw_metric_store_config c;
  tw_metric_store_config_init(&c);
  if (retention_s)
    c.retention_s = retention_s;
  if (high_res_s)
    c.high_res_retention_s = high_res_s;
  c.samples_per_bucket = samples;
  tw_metric_store *s = NULL;
  TW_CHECK_EQ_INT(tw_metric_store_new(&c, &s), TW_OK);
  return s;
}

static const tw_metric_key KEY = {"App", "Latency", NULL, 0, NULL};

/* ---- exact reference ------------------------------------------------ */

typedef struct obs {
  int64_t ts;
  double value;
} obs;

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static int64_t floor_to(int64_t t, int64_t w) {
  return (t / w - (t % w != 0 && t < 0)) * w;
}

static const char *const STAT_NAMES[] = {
    "SampleCount", "Sum", "Average", "Minimum", "Maximum", "p0",
    "p10",         "p50", "p90",     "p99",     "p99.9",   "p100"};
#define NSTATS (sizeof STAT_NAMES / sizeof STAT_NAMES[0])

static void parse_stats(tw_metric_stat *st) {
  for (size_t j = 0; j < NSTATS; j++)
    TW_CHECK_EQ_INT(tw_metric_stat_parse(STAT_NAMES[j], &st[j]), TW_OK);
}

/* Exact statistic of n sorted values (NaN if n == 0). */
static double exact_stat(const double *v, size_t n, const tw_metric_stat *st) {
  if (n == 0)
    return NAN;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += v[i];
  switch (st->kind) {
  case TW_METRIC_STAT_SAMPLE_COUNT:
    return (double)n;
  case TW_METRIC_STAT_SUM:
    return sum;
  case TW_METRIC_STAT_AVERAGE:
    return sum / (double)n;
  case TW_METRIC_STAT_MINIMUM:
    return v[0];
  case TW_METRIC_STAT_MAXIMUM:
    return v[n - 1];
  case TW_METRIC_STAT_PERCENTILE:
    break;
  }
  if (st->percentile <= 0.0)
    return v[0];
  double r = ceil(st->percentile * (double)n / 100.0 - 1e-9);
  size_t k = r < 1.0 ? 1 : (size_t)r;
  return v[(k > n ? n : k) - 1];
}

/* Expected values[nperiods * NSTATS] for observations bucketed at
 * bucket_ms (60000, or 1000 for high resolution). */
static void exact_query(const obs *o, size_t n, int64_t bucket_ms,
                        int64_t start, int64_t end, int period_s,
                        size_t nperiods, const tw_metric_stat *st,
                        double *want) {
  double *vals = malloc((n ? n : 1) * sizeof *vals);
  for (size_t k = 0; k < nperiods; k++) {
    int64_t lo = start + (int64_t)k * period_s * 1000;
    int64_t hi = lo + (int64_t)period_s * 1000;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      int64_t b = floor_to(o[i].ts, bucket_ms);
      if (b >= lo && b < hi && b < end)
        vals[m++] = o[i].value;
    }
    qsort(vals, m, sizeof *vals, cmp_double);
    for (size_t j = 0; j < NSTATS; j++)
      want[k * NSTATS + j] = exact_stat(vals, m, &st[j]);
  }
  free(vals);
}

/* got vs want: NaN must match NaN; sums within 1e-9 relative; others
 * exact, or within the sketch bound when tol > 0. */
static int close_enough(double got, double want, const tw_metric_stat *st,
                        double tol) {
  if (isnan(want) || isnan(got))
    return isnan(want) && isnan(got);
  double err = want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);
  if (st->kind == TW_METRIC_STAT_SUM || st->kind == TW_METRIC_STAT_AVERAGE)
    return err <= 1e-9;
  if (st->kind == TW_METRIC_STAT_PERCENTILE && st->percentile > 0.0 &&
      st->percentile < 100.0)
    return err <= tol;
  return got == want;
}

static int check_against_exact(tw_metric_store *s, const obs *o, size_t n,
                               int64_t bucket_ms, int64_t start, int64_t end,
                               int period_s, double tol) {
  tw_metric_stat st[NSTATS];
  parse_stats(st);
  size_t np = (size_t)((end - start + period_s * 1000 - 1) / (period_s * 1000));
  double *got = malloc(np * NSTATS * sizeof *got);
  double *want = malloc(np * NSTATS * sizeof *want);
  tw_metric_datapoint *pts = malloc(np * sizeof *pts);
  int bad = 0;
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, start, end, period_s, st,
                                        NSTATS, pts, got, np),
                  TW_OK);
  exact_query(o, n, bucket_ms, start, end, period_s, np, st, want);
  for (size_t k = 0; k < np; k++) {
    if (pts[k].timestamp_ms != start + (int64_t)k * period_s * 1000)
      bad++;
    if (!close_enough(pts[k].sample_count,
                      isnan(want[k * NSTATS]) ? 0.0 : want[k * NSTATS], &st[0],
                      0))
      bad++;
    for (size_t j = 0; j < NSTATS; j++) {
      if (!close_enough(got[k * NSTATS + j], want[k * NSTATS + j], &st[j],
                        tol)) {
        if (bad < 5)
          fprintf(stderr, "period %d k %zu %s: got %.17g want %.17g\n",
                  period_s, k, STAT_NAMES[j], got[k * NSTATS + j],
                  want[k * NSTATS + j]);
        bad++;
      }
    }
  }
  free(got);
  free(want);
  free(pts);
  return bad;
}

typedef double (*value_fn)(rng *r);

static double small_ints(rng *r) { return (double)(rng_next(r) % 40); }
static double heavy_tail(rng *r) { return pow(rng_unit(r), -1.0 / 1.2); }
static double wide_range(rng *r) { return pow(10.0, -4.0 + 8.0 * rng_unit(r)); }

static obs *random_obs(size_t n, int64_t span_ms, value_fn f, uint64_t seed) {
  rng r = {seed};
  obs *o = malloc(n * sizeof *o);
  for (size_t i = 0; i < n; i++) {
    o[i].ts = T0 + (int64_t)(rng_next(&r) % (uint64_t)span_ms);
    o[i].value = f(&r);
  }
  return o;
}

static void put_all(tw_metric_store *s, const obs *o, size_t n, int res) {
  for (size_t i = 0; i < n; i++)
    TW_CHECK_EQ_INT(
        tw_metric_store_put(s, &KEY, o[i].ts, o[i].value, res, NULL, 0), TW_OK);
}

static void shuffle(obs *o, size_t n, uint64_t seed) {
  rng r = {seed};
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)(rng_next(&r) % i);
    obs t = o[i - 1];
    o[i - 1] = o[j];
    o[j] = t;
  }
}

/* Data-driven: value distribution x period x start offset; tol 0 means
 * percentiles must be exact (few distinct values per minute). */
static const struct {
  value_fn f;
  size_t n;
  double tol;
} RANDOM_CASES[] = {
    {small_ints, 3000, 0.0},
    {small_ints, 40000, 0.0},
    {heavy_tail, 500, 0.0}, /* ~3 values per minute: stays exact */
    {heavy_tail, 40000, TW_SKETCH_ALPHA + 1e-12},
    {wide_range, 40000, TW_SKETCH_ALPHA + 1e-12},
};

static const struct {
  int period_s;
  int64_t offset_ms;
} PERIODS[] = {{60, 0},       {300, 0}, {3600, 0}, {60, 30000},
               {300, 125000}, {120, 0}, {86400, 0}};

TW_TEST(random_standard_resolution_matches_exact) {
  int64_t span = 3 * 3600 * 1000;
  for (size_t c = 0; c < sizeof RANDOM_CASES / sizeof RANDOM_CASES[0]; c++) {
    obs *o = random_obs(RANDOM_CASES[c].n, span, RANDOM_CASES[c].f, 11 + c);
    for (int pass = 0; pass < 2; pass++) { /* in order, then shuffled */
      tw_metric_store *s = new_store(0, 0, 0);
      if (pass)
        shuffle(o, RANDOM_CASES[c].n, 77 + c);
      put_all(s, o, RANDOM_CASES[c].n, 60);
      for (size_t p = 0; p < sizeof PERIODS / sizeof PERIODS[0]; p++) {
        int64_t start = T0 - 120000 + PERIODS[p].offset_ms;
        int bad = check_against_exact(s, o, RANDOM_CASES[c].n, MIN_MS, start,
                                      start + span + 240000,
                                      PERIODS[p].period_s, RANDOM_CASES[c].tol);
        if (bad)
          fprintf(stderr, "case %zu pass %d period %d: %d mismatches\n", c,
                  pass, PERIODS[p].period_s, bad);
        TW_CHECK_EQ_INT(bad, 0);
      }
      tw_metric_store_free(s);
    }
    free(o);
  }
}

TW_TEST(random_high_resolution_matches_exact) {
  static const int periods[] = {1, 5, 10, 20, 30, 60, 300};
  int64_t span = 10 * MIN_MS;
  obs *o = random_obs(6000, span, small_ints, 5);
  tw_metric_store *s = new_store(0, 0, 0);
  put_all(s, o, 6000, 1);
  for (size_t p = 0; p < sizeof periods / sizeof periods[0]; p++)
    TW_CHECK_EQ_INT(
        check_against_exact(s, o, 6000, 1000, T0, T0 + span, periods[p], 0.0),
        0);
  tw_metric_store_free(s);
  free(o);
}

TW_TEST(unknown_metric_gives_no_data) {
  tw_metric_store *s = new_store(0, 0, 0);
  tw_metric_stat st = {TW_METRIC_STAT_SUM, 0};
  double v[3] = {1, 2, 3};
  tw_metric_datapoint pts[3];
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + 3 * MIN_MS, 60, &st,
                                        1, pts, v, 3),
                  TW_OK);
  for (int k = 0; k < 3; k++) {
    TW_CHECK(isnan(v[k]));
    TW_CHECK(pts[k].sample_count == 0.0);
    TW_CHECK_EQ_INT(pts[k].timestamp_ms, T0 + k * MIN_MS);
  }
  tw_metric_store_free(s);
}

/* Standard data seen through a sub-minute period: the minute counts in
 * the period holding its start. */
TW_TEST(minute_data_in_sub_minute_periods) {
  tw_metric_store *s = new_store(0, 0, 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + 45000, 7, 60, NULL, 0), 0);
  tw_metric_stat st = {TW_METRIC_STAT_SUM, 0};
  double v[6];
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 + MIN_MS, 10, &st, 1, NULL, v, 6),
      TW_OK);
  TW_CHECK(v[0] == 7.0);
  for (int k = 1; k < 6; k++)
    TW_CHECK(isnan(v[k]));
  tw_metric_store_free(s);
}

TW_TEST(end_time_cuts_the_last_period) {
  tw_metric_store *s = new_store(0, 0, 0);
  for (int m = 0; m < 4; m++)
    TW_CHECK_EQ_INT(
        tw_metric_store_put(s, &KEY, T0 + m * MIN_MS, m + 1, 60, NULL, 0), 0);
  tw_metric_stat st = {TW_METRIC_STAT_SUM, 0};
  double v[3];
  /* [T0, T0+150s) with 120-s periods: period 1 holds only minute 2 */
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 + 150000, 120, &st, 1, NULL, v, 3),
      TW_OK);
  TW_CHECK(v[0] == 3.0);
  TW_CHECK(v[1] == 3.0);
  TW_CHECK(isnan(v[2]));
  tw_metric_store_free(s);
}

/* ---- keys, units, listing -------------------------------------------- */

static double sum_of(tw_metric_store *s, const tw_metric_key *k) {
  tw_metric_stat st = {TW_METRIC_STAT_SUM, 0};
  double v = NAN;
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, k, T0, T0 + MIN_MS, 60, &st, 1, NULL, &v, 1),
      TW_OK);
  return v;
}

TW_TEST(dimensions_are_canonicalised) {
  tw_metric_store *s = new_store(0, 0, 0);
  tw_metric_dimension ab[] = {{"B", "2"}, {"A", "1"}, {"C", "3"}};
  tw_metric_dimension ba[] = {{"C", "3"}, {"A", "1"}, {"B", "2"}};
  tw_metric_dimension a_only[] = {{"A", "1"}};
  tw_metric_dimension other[] = {{"A", "1"}, {"B", "x"}, {"C", "3"}};
  tw_metric_key k1 = {"NS", "M", ab, 3, NULL}, k2 = {"NS", "M", ba, 3, NULL};
  tw_metric_key k3 = {"NS", "M", a_only, 1, NULL};
  tw_metric_key k4 = {"NS", "M", other, 3, NULL};
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &k1, T0, 1, 60, NULL, 0), 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &k2, T0, 2, 60, NULL, 0), 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &k4, T0, 10, 60, NULL, 0), 0);
  TW_CHECK(sum_of(s, &k1) == 3.0);
  TW_CHECK(sum_of(s, &k2) == 3.0);
  TW_CHECK(isnan(sum_of(s, &k3)));
  TW_CHECK(sum_of(s, &k4) == 10.0);
  size_t metrics, buckets;
  tw_metric_store_usage(s, &metrics, &buckets);
  TW_CHECK_EQ_INT(metrics, 2);
  tw_metric_store_free(s);
}

TW_TEST(invalid_keys_are_rejected) {
  tw_metric_store *s = new_store(0, 0, 0);
  tw_metric_dimension dup[] = {{"A", "1"}, {"A", "2"}};
  tw_metric_dimension empty_val[] = {{"A", ""}};
  tw_metric_dimension null_name[] = {{NULL, "x"}};
  tw_metric_dimension many[31];
  char names[31][16];
  for (int i = 0; i < 31; i++) {
    snprintf(names[i], sizeof names[i], "d%d", i);
    many[i].name = names[i];
    many[i].value = "v";
  }
  const tw_metric_key bad[] = {
      {"", "M", NULL, 0, NULL},       {NULL, "M", NULL, 0, NULL},
      {"N", "", NULL, 0, NULL},       {"N", "M", dup, 2, NULL},
      {"N", "M", empty_val, 1, NULL}, {"N", "M", null_name, 1, NULL},
      {"N", "M", many, 31, NULL},     {"N", "M", NULL, 1, NULL},
      {"N", "M", NULL, 0, ""},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &bad[i], T0, 1, 60, NULL, 0),
                    TW_EINVAL);
  tw_metric_key ok30 = {"N", "M", many, 30, NULL};
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &ok30, T0, 1, 60, NULL, 0), TW_OK);
  tw_metric_store_free(s);
}

TW_TEST(units_are_kept_apart) {
  tw_metric_store *s = new_store(0, 0, 0);
  static const struct {
    const char *unit;
    double value;
  } puts_[] = {{NULL, 1}, {"Count", 10}, {"Seconds", 100}, {"Count", 1000}};
  for (size_t i = 0; i < 4; i++) {
    tw_metric_key k = {"App", "Latency", NULL, 0, puts_[i].unit};
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &k, T0, puts_[i].value, 60, NULL, 0),
                    0);
  }
  static const struct {
    const char *unit;
    double sum;
  } want[] = {{NULL, 1111},
              {"None", 1},
              {"Count", 1010},
              {"Seconds", 100},
              {"Bytes", NAN}};
  for (size_t i = 0; i < 5; i++) {
    tw_metric_key k = {"App", "Latency", NULL, 0, want[i].unit};
    double got = sum_of(s, &k);
    TW_CHECK(isnan(want[i].sum) ? isnan(got) : got == want[i].sum);
  }
  tw_metric_store_free(s);
}

typedef struct listed {
  char text[16][64];
  size_t n;
} listed;

static int collect_key(const tw_metric_key *k, void *ud) {
  listed *l = ud;
  if (l->n == 16)
    return 1;
  char *p = l->text[l->n++];
  int w = snprintf(p, 64, "%s/%s", k->ns, k->name);
  for (size_t i = 0; i < k->ndims && w > 0 && w < 64; i++)
    w += snprintf(p + w, 64 - (size_t)w, " %s=%s", k->dims[i].name,
                  k->dims[i].value);
  return k->unit == NULL ? 0 : 2;
}

TW_TEST(foreach_lists_in_canonical_order) {
  tw_metric_store *s = new_store(0, 0, 0);
  tw_metric_dimension d1[] = {{"Svc", "b"}, {"Env", "prod"}};
  tw_metric_dimension d2[] = {{"Svc", "a"}};
  const tw_metric_key keys[] = {
      {"Zeta", "A", NULL, 0, NULL},        {"App", "Errors", d1, 2, "Count"},
      {"App", "Errors", d2, 1, NULL},      {"App", "Errors", NULL, 0, NULL},
      {"App", "Errors", NULL, 0, "Count"}, {"App", "Calls", NULL, 0, NULL}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &keys[i], T0, 1, 60, NULL, 0), 0);
  listed l = {.n = 0};
  TW_CHECK_EQ_INT(tw_metric_store_foreach(s, collect_key, &l), 0);
  static const char *const want[] = {"App/Calls", "App/Errors",
                                     "App/Errors Env=prod Svc=b",
                                     "App/Errors Svc=a", "Zeta/A"};
  TW_CHECK_EQ_INT(l.n, 5);
  for (size_t i = 0; i < 5 && i < l.n; i++)
    TW_CHECK_EQ_STR(l.text[i], want[i]);
  tw_metric_store_free(s);
}

/* ---- retention --------------------------------------------------------- */

TW_TEST(retention_drops_old_buckets_and_metrics) {
  tw_metric_store *s = new_store(3600, 0, 2);
  tw_metric_key b = {"App", "Short", NULL, 0, NULL};
  for (int m = 0; m < 180; m++) {
    TW_CHECK_EQ_INT(
        tw_metric_store_put(s, &KEY, T0 + m * MIN_MS, 1, 60, "e", 1), 0);
    if (m < 10)
      TW_CHECK_EQ_INT(
          tw_metric_store_put(s, &b, T0 + m * MIN_MS, 1, 60, NULL, 0), 0);
  }
  int64_t horizon = T0 + 179 * MIN_MS;
  TW_CHECK_EQ_INT(tw_metric_store_advance(s, horizon), TW_OK);
  size_t metrics, buckets;
  tw_metric_store_usage(s, &metrics, &buckets);
  TW_CHECK_EQ_INT(metrics, 1);
  TW_CHECK_EQ_INT(buckets, 61); /* minutes 119..179 overlap the last hour */
  tw_metric_stat st = {TW_METRIC_STAT_SAMPLE_COUNT, 0};
  double v[3];
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + 3 * 3600000, 3600,
                                        &st, 1, NULL, v, 3),
                  0);
  TW_CHECK(isnan(v[0]));
  TW_CHECK(v[1] == 1.0); /* minute 119 */
  TW_CHECK(v[2] == 60.0);
  size_t n = 99;
  tw_metric_event ev[4];
  TW_CHECK_EQ_INT(
      tw_metric_store_events(s, &KEY, T0, T0 + 60 * MIN_MS, ev, 4, &n), 0);
  TW_CHECK_EQ_INT(n, 0);
  TW_CHECK_EQ_INT(
      tw_metric_store_put(s, &KEY, horizon - 3600000 - 1, 1, 60, NULL, 0),
      TW_ELIMIT);
  TW_CHECK_EQ_INT(
      tw_metric_store_put(s, &KEY, horizon - 3600000, 1, 60, NULL, 0), TW_OK);
  listed l = {.n = 0};
  TW_CHECK_EQ_INT(tw_metric_store_foreach(s, collect_key, &l), 0);
  TW_CHECK_EQ_INT(l.n, 1);
  TW_CHECK_EQ_STR(l.text[0], "App/Latency");
  tw_metric_store_free(s);
}

/* A month of events at one per 10 s: memory never exceeds the window. */
TW_TEST(memory_is_bounded_by_retention) {
  tw_metric_store *s = new_store(3600, 0, 10);
  size_t worst = 0, metrics, buckets;
  for (int64_t t = T0; t < T0 + INT64_C(30) * 86400000; t += 10000) {
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, t, 1, 60, "{}", 2), 0);
    tw_metric_store_usage(s, &metrics, &buckets);
    if (buckets > worst)
      worst = buckets;
  }
  TW_CHECK(worst <= 63); /* 61 minutes + one lazy sweep interval */
  TW_CHECK(worst >= 61);
  tw_metric_store_free(s);
}

TW_TEST(query_ignores_expired_data_before_sweep) {
  tw_metric_store *s = new_store(600, 0, 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, 5, 60, NULL, 0), 0);
  /* newer put moves the clock; whether or not a sweep ran, the old
   * minute is outside the window */
  TW_CHECK_EQ_INT(
      tw_metric_store_put(s, &KEY, T0 + 11 * MIN_MS, 1, 60, NULL, 0), 0);
  TW_CHECK(isnan(sum_of(s, &KEY)));
  tw_metric_store_free(s);
}

/* One-second buckets older than the high-resolution window fold into
 * their minute: 60-s statistics are unchanged, 10-s periods then see the
 * whole minute at the minute's start. */
TW_TEST(high_resolution_folds_into_minutes) {
  tw_metric_store *s = new_store(86400, 600, 0);
  for (int i = 0; i < 120; i++)
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + i * 1000, i, 1, NULL, 0),
                    0);
  tw_metric_stat st[2] = {{TW_METRIC_STAT_SAMPLE_COUNT, 0},
                          {TW_METRIC_STAT_PERCENTILE, 50}};
  double v[12 * 2], m_before[2 * 2], m_after[2 * 2];
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 + 120000, 10, st, 2, NULL, v, 12),
      0);
  for (int k = 0; k < 12; k++)
    TW_CHECK(v[k * 2] == 10.0);
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + 120000, 60, st, 2,
                                        NULL, m_before, 2),
                  0);
  size_t metrics, buckets;
  tw_metric_store_usage(s, &metrics, &buckets);
  TW_CHECK_EQ_INT(buckets, 120);
  TW_CHECK_EQ_INT(tw_metric_store_advance(s, T0 + 2000 * 1000), 0);
  tw_metric_store_usage(s, &metrics, &buckets);
  TW_CHECK_EQ_INT(buckets, 2);
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 + 120000, 10, st, 2, NULL, v, 12),
      0);
  for (int k = 0; k < 12; k++)
    TW_CHECK(k % 6 == 0 ? v[k * 2] == 60.0 : isnan(v[k * 2]));
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + 120000, 60, st, 2,
                                        NULL, m_after, 2),
                  0);
  TW_CHECK(memcmp(m_before, m_after, sizeof m_before) == 0);
  TW_CHECK(m_after[1] == 29.0 && m_after[3] == 89.0);
  /* a late high-resolution put beyond the window goes to the minute */
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + 5000, 1000, 1, NULL, 0), 0);
  tw_metric_store_usage(s, &metrics, &buckets);
  TW_CHECK_EQ_INT(buckets, 2);
  tw_metric_store_free(s);
}

/* The fold happens exactly when a one-second bucket's end leaves the
 * high-resolution window (horizon - high_res_retention). */
TW_TEST(high_resolution_fold_boundary) {
  static const struct {
    int64_t advance_ms;
    int folded;
  } cases[] = {{15000 + 1000 + 600000 - 1, 0}, {15000 + 1000 + 600000, 1}};
  for (size_t i = 0; i < 2; i++) {
    tw_metric_store *s = new_store(86400, 600, 0);
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + 15500, 3, 1, NULL, 0), 0);
    TW_CHECK_EQ_INT(tw_metric_store_advance(s, T0 + cases[i].advance_ms), 0);
    tw_metric_stat st = {TW_METRIC_STAT_SUM, 0};
    double v[2];
    TW_CHECK_EQ_INT(
        tw_metric_store_query(s, &KEY, T0, T0 + 20000, 10, &st, 1, NULL, v, 2),
        0);
    TW_CHECK(cases[i].folded ? v[0] == 3.0 && isnan(v[1])
                             : isnan(v[0]) && v[1] == 3.0);
    tw_metric_store_free(s);
  }
}

/* ---- samples ------------------------------------------------------------ */

TW_TEST(event_samples_are_bounded_copies) {
  tw_metric_store *s = new_store(0, 0, 3);
  char buf[32];
  /* minute 0: five events, received newest first; minute 1: two */
  for (int i = 4; i >= 0; i--) {
    int n = snprintf(buf, sizeof buf, "{\"n\":%d}", i);
    TW_CHECK_EQ_INT(
        tw_metric_store_put(s, &KEY, T0 + i * 1000, i, 60, buf, (size_t)n), 0);
    memset(buf, 'x', sizeof buf); /* the store must hold its own copy */
  }
  for (int i = 0; i < 2; i++) {
    int n = snprintf(buf, sizeof buf, "{\"m\":%d}", i);
    TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + MIN_MS + i, 10 + i, 60,
                                        buf, (size_t)n),
                    0);
  }
  double vals[] = {1, 2};
  TW_CHECK_EQ_INT(
      tw_metric_store_put_values(s, &KEY, T0 + MIN_MS, vals, NULL, 2, 60), 0);
  tw_metric_event ev[10];
  size_t n = 0;
  TW_CHECK_EQ_INT(tw_metric_store_events(s, &KEY, T0, T0 + MIN_MS, ev, 10, &n),
                  0);
  TW_CHECK_EQ_INT(n, 3); /* first 3 received: n=4,3,2, listed oldest first */
  static const char *const want0[] = {"{\"n\":2}", "{\"n\":3}", "{\"n\":4}"};
  for (size_t i = 0; i < n && i < 3; i++) {
    TW_CHECK_EQ_STR(ev[i].event, want0[i]);
    TW_CHECK_EQ_INT(ev[i].event_len, strlen(want0[i]));
    TW_CHECK_EQ_INT(ev[i].timestamp_ms, T0 + (int64_t)(2 + i) * 1000);
    TW_CHECK(ev[i].value == (double)(2 + i));
  }
  TW_CHECK_EQ_INT(
      tw_metric_store_events(s, &KEY, T0, T0 + 2 * MIN_MS, ev, 10, &n), 0);
  TW_CHECK_EQ_INT(n, 5);
  TW_CHECK_EQ_STR(ev[4].event, "{\"m\":1}");
  TW_CHECK_EQ_INT(
      tw_metric_store_events(s, &KEY, T0, T0 + 2 * MIN_MS, ev, 2, &n), 0);
  TW_CHECK_EQ_INT(n, 2);
  TW_CHECK_EQ_STR(ev[1].event, "{\"n\":3}");
  tw_metric_store_free(s);

  s = new_store(0, 0, 0); /* sampling off */
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, 1, 60, "{}", 2), 0);
  TW_CHECK_EQ_INT(tw_metric_store_events(s, &KEY, T0, T0 + MIN_MS, ev, 10, &n),
                  0);
  TW_CHECK_EQ_INT(n, 0);
  tw_metric_store_free(s);
}

/* ---- PutMetricData shapes ----------------------------------------------- */

typedef struct set_case {
  tw_metric_statistic_set set[2];
  size_t nsets;
  double want[7]; /* count, sum, avg, min, max, p50, p100 */
} set_case;

TW_TEST(statistic_sets) {
  static const set_case cases[] = {
      {{{4, 10, 1, 4}}, 1, {4, 10, 2.5, 1, 4, NAN, NAN}},
      {{{3, 6, 2, 2}}, 1, {3, 6, 2, 2, 2, 2, 2}},
      {{{1, 9, 9, 9}, {2, 4, 2, 2}}, 2, {3, 13, 13.0 / 3, 2, 9, 2, 9}},
      {{{1, 9, 9, 9}, {2, 5, 1, 4}}, 2, {3, 14, 14.0 / 3, 1, 9, NAN, NAN}},
  };
  static const char *const names[] = {
      "SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p100"};
  tw_metric_stat st[7];
  for (int j = 0; j < 7; j++)
    TW_CHECK_EQ_INT(tw_metric_stat_parse(names[j], &st[j]), 0);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    tw_metric_store *s = new_store(0, 0, 0);
    for (size_t i = 0; i < cases[c].nsets; i++)
      TW_CHECK_EQ_INT(tw_metric_store_put_statistic_set(
                          s, &KEY, T0 + (int64_t)i, &cases[c].set[i], 60),
                      0);
    double v[7];
    TW_CHECK_EQ_INT(
        tw_metric_store_query(s, &KEY, T0, T0 + MIN_MS, 60, st, 7, NULL, v, 1),
        0);
    for (int j = 0; j < 7; j++)
      TW_CHECK(isnan(cases[c].want[j]) ? isnan(v[j])
                                       : fabs(v[j] - cases[c].want[j]) < 1e-12);
    tw_metric_store_free(s);
  }
}

TW_TEST(values_and_counts_match_expansion) {
  rng r = {3};
  tw_metric_stat st[NSTATS];
  parse_stats(st);
  for (int round = 0; round < 20; round++) {
    double values[150], counts[150];
    obs expanded[150 * 5];
    size_t n = 1 + rng_next(&r) % 150, ne = 0;
    for (size_t i = 0; i < n; i++) {
      values[i] = (double)(rng_next(&r) % 1000) / 8.0;
      counts[i] = (double)(rng_next(&r) % 5);
      for (int k = 0; k < (int)counts[i]; k++)
        expanded[ne++] = (obs){T0, values[i]};
    }
    tw_metric_store *s = new_store(0, 0, 0);
    TW_CHECK_EQ_INT(
        tw_metric_store_put_values(s, &KEY, T0, values, counts, n, 60), 0);
    /* at most 64 distinct values per bucket stay exact */
    double tol = n <= 64 ? 0.0 : TW_SKETCH_ALPHA + 1e-12;
    TW_CHECK_EQ_INT(
        check_against_exact(s, expanded, ne, MIN_MS, T0, T0 + MIN_MS, 60, tol),
        0);
    tw_metric_store_free(s);
  }
}

TW_TEST(negative_values_disable_percentiles_only) {
  tw_metric_store *s = new_store(0, 0, 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, -1, 60, NULL, 0), 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + 1, 5, 60, NULL, 0), 0);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0 + MIN_MS, 5, 60, NULL, 0), 0);
  tw_metric_stat st[4] = {{TW_METRIC_STAT_SUM, 0},
                          {TW_METRIC_STAT_MINIMUM, 0},
                          {TW_METRIC_STAT_PERCENTILE, 50},
                          {TW_METRIC_STAT_PERCENTILE, 0}};
  double v[8];
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + 2 * MIN_MS, 60, st, 4,
                                        NULL, v, 2),
                  0);
  TW_CHECK(v[0] == 4.0 && v[1] == -1.0 && isnan(v[2]) && isnan(v[3]));
  TW_CHECK(v[4] == 5.0 && v[5] == 5.0 && v[6] == 5.0 && v[7] == 5.0);
  double v2[4];
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + 2 * MIN_MS, 120, st,
                                        4, NULL, v2, 1),
                  0);
  TW_CHECK(v2[0] == 9.0 && isnan(v2[2]));
  tw_metric_store_free(s);
}

/* ---- arguments ------------------------------------------------------------
 */

TW_TEST(bad_arguments) {
  tw_metric_store *s = new_store(0, 0, 0);
  tw_metric_stat sum = {TW_METRIC_STAT_SUM, 0};
  tw_metric_stat p101 = {TW_METRIC_STAT_PERCENTILE, 101};
  double v[4];
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, NAN, 60, NULL, 0),
                  TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, INFINITY, 60, NULL, 0),
                  TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, 1, 5, NULL, 0), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, INT64_MAX, 1, 60, NULL, 0),
                  TW_EINVAL);
  static const int bad_periods[] = {0, -60, 7, 45, 90, 61};
  for (size_t i = 0; i < sizeof bad_periods / sizeof bad_periods[0]; i++)
    TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, T0, T0 + MIN_MS,
                                          bad_periods[i], &sum, 1, NULL, v, 1),
                    TW_EINVAL);
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 - 1, 60, &sum, 1, NULL, v, 1),
      TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_store_query(s, &KEY, INT64_MIN, INT64_MAX, 60, &sum,
                                        1, NULL, v, 1),
                  TW_EINVAL);
  /* more periods than [start, end) holds: the extra ones are empty */
  tw_metric_datapoint pts[4];
  TW_CHECK_EQ_INT(tw_metric_store_put(s, &KEY, T0, 2, 60, NULL, 0), TW_OK);
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 + MIN_MS, 60, &sum, 1, pts, v, 4),
      TW_OK);
  TW_CHECK(v[0] == 2.0 && isnan(v[1]) && isnan(v[2]) && isnan(v[3]));
  TW_CHECK(pts[3].sample_count == 0.0 &&
           pts[3].timestamp_ms == T0 + 3 * MIN_MS);
  TW_CHECK_EQ_INT(
      tw_metric_store_query(s, &KEY, T0, T0 + MIN_MS, 60, &p101, 1, NULL, v, 1),
      TW_EINVAL);
  tw_metric_statistic_set bad_sets[] = {
      {0, 0, 0, 0}, {2, 1, 3, 1}, {1, NAN, 1, 1}, {-1, 1, 1, 1}};
  for (size_t i = 0; i < 4; i++)
    TW_CHECK_EQ_INT(
        tw_metric_store_put_statistic_set(s, &KEY, T0, &bad_sets[i], 60),
        TW_EINVAL);
  double vals[2] = {1, 2}, neg[2] = {1, -1}, nan_[2] = {NAN, 1};
  TW_CHECK_EQ_INT(tw_metric_store_put_values(s, &KEY, T0, vals, neg, 2, 60),
                  TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_store_put_values(s, &KEY, T0, nan_, NULL, 2, 60),
                  TW_EINVAL);
  TW_CHECK_EQ_INT(tw_metric_store_put_values(s, &KEY, T0, vals, NULL, 0, 60),
                  TW_EINVAL);
  tw_metric_store_config c;
  tw_metric_store_config_init(&c);
  c.retention_s = 0;
  tw_metric_store *s2 = NULL;
  TW_CHECK_EQ_INT(tw_metric_store_new(&c, &s2), TW_EINVAL);
  size_t metrics = 9, buckets = 9;
  tw_metric_store_usage(s, &metrics, &buckets);
  TW_CHECK_EQ_INT(metrics, 1); /* only the one valid put was stored */
  TW_CHECK_EQ_INT(buckets, 1);
  tw_metric_store_free(s);
  tw_metric_store_free(NULL);
}

TW_TEST(statistic_names) {
  static const struct {
    const char *text;
    int rc;
    tw_metric_stat_kind kind;
    double pct;
  } cases[] = {
      {"SampleCount", TW_OK, TW_METRIC_STAT_SAMPLE_COUNT, 0},
      {"Sum", TW_OK, TW_METRIC_STAT_SUM, 0},
      {"Average", TW_OK, TW_METRIC_STAT_AVERAGE, 0},
      {"Minimum", TW_OK, TW_METRIC_STAT_MINIMUM, 0},
      {"Maximum", TW_OK, TW_METRIC_STAT_MAXIMUM, 0},
      {"p99", TW_OK, TW_METRIC_STAT_PERCENTILE, 99},
      {"p99.9", TW_OK, TW_METRIC_STAT_PERCENTILE, 99.9},
      {"p0", TW_OK, TW_METRIC_STAT_PERCENTILE, 0},
      {"p0.0", TW_OK, TW_METRIC_STAT_PERCENTILE, 0},
      {"p100", TW_OK, TW_METRIC_STAT_PERCENTILE, 100},
      {"p50.25", TW_OK, TW_METRIC_STAT_PERCENTILE, 50.25},
      {"p07", TW_OK, TW_METRIC_STAT_PERCENTILE, 7},
      {"p99.9999999999", TW_OK, TW_METRIC_STAT_PERCENTILE, 99.9999999999},
      {"sum", TW_EINVAL, 0, 0},
      {"Sum ", TW_EINVAL, 0, 0},
      {"", TW_EINVAL, 0, 0},
      {"p", TW_EINVAL, 0, 0},
      {"p101", TW_EINVAL, 0, 0},
      {"p1000", TW_EINVAL, 0, 0},
      {"p99.", TW_EINVAL, 0, 0},
      {"P99", TW_EINVAL, 0, 0},
      {"p-1", TW_EINVAL, 0, 0},
      {"p 99", TW_EINVAL, 0, 0},
      {"tm99", TW_EINVAL, 0, 0},
      {"p100.1", TW_EINVAL, 0, 0},
      {"p99.99999999999", TW_EINVAL, 0, 0},
      {"p.5", TW_EINVAL, 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tw_metric_stat st = {TW_METRIC_STAT_SUM, -1};
    int rc = tw_metric_stat_parse(cases[i].text, &st);
    if (rc != cases[i].rc)
      fprintf(stderr, "case \"%s\"\n", cases[i].text);
    TW_CHECK_EQ_INT(rc, cases[i].rc);
    if (rc == TW_OK) {
      TW_CHECK_EQ_INT(st.kind, cases[i].kind);
      TW_CHECK(fabs(st.percentile - cases[i].pct) < 1e-9);
    }
  }
  TW_CHECK_EQ_INT(tw_metric_stat_parse(NULL, NULL), TW_EINVAL);
}

int main(void) { return tw_test_run(); }
