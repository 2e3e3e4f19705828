/*
 * test_metrics_sketch.c — the percentile sketch (src/metrics/sketch.c)
 * against exact sort-based percentiles on many distributions, including
 * heavy-tailed ones: every reported percentile must be within the
 * documented relative error (TW_SKETCH_ALPHA = 0.5%, and so within 1%).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "metrics/sketch.h"
#include "tw_test.h"

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rng_next(rng *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double rng_unit(rng *r) { /* (0, 1) */
  return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(rng *r) {
  return sqrt(-2.0 * log(rng_unit(r))) * cos(6.283185307179586 * rng_unit(r));
}

typedef enum dist {
  D_UNIFORM,
  D_EXPONENTIAL,
  D_LOGNORMAL,
  D_PARETO,
  D_CAUCHY_ABS,
  D_LOG_UNIFORM,
  D_CONSTANT,
  D_SMALL_INTS,
  D_WITH_ZEROS,
  D_COUNT
} dist;

static double draw(rng *r, dist d) {
  switch (d) {
  case D_UNIFORM:
    return rng_unit(r) * 1000.0;
  case D_EXPONENTIAL:
    return -log(rng_unit(r)) * 50.0;
  case D_LOGNORMAL:
    return exp(3.0 + 2.5 * rng_normal(r));
  case D_PARETO:
    return pow(rng_unit(r), -1.0 / 1.1); /* heavy tail */
  case D_CAUCHY_ABS:
    return fabs(tan(3.141592653589793 * (rng_unit(r) - 0.5)));
  case D_LOG_UNIFORM:
    return pow(10.0, -8.0 + 16.0 * rng_unit(r));
  case D_CONSTANT:
    return 42.5;
  case D_SMALL_INTS:
    return (double)(rng_next(r) % 7);
  case D_WITH_ZEROS:
    return rng_unit(r) < 0.3 ? 0.0 : rng_unit(r) * 10.0;
  default:
    return 0.0;
  }
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Exact: max of the lowest p% of the values (rank ceil(p n / 100)). */
static double exact_pct(const double *sorted, size_t n, double p) {
  if (p <= 0.0)
    return sorted[0];
  double r = ceil(p * (double)n / 100.0 - 1e-9);
  size_t k = r < 1.0 ? 1 : (size_t)r;
  return sorted[k > n ? n - 1 : k - 1];
}

static double sketch_pct(const tw_sketch *s, double p, double min, double max) {
  double v = tw_sketch_value_at_rank(s, p / 100.0 * s->total);
  return v < min ? min : v > max ? max : v;
}

static double rel_err(double got, double want) {
  if (want == 0.0)
    return got == 0.0 ? 0.0 : INFINITY;
  return fabs(got - want) / fabs(want);
}

static const double pcts[] = {0.1, 1,  5,  10, 25,   50,
                              75,  90, 95, 99, 99.9, 99.99};
#define NPCTS (sizeof pcts / sizeof pcts[0])

/* Worst relative error of the sketch over pcts for n draws of d. */
static double worst_error(dist d, size_t n, uint64_t seed) {
  rng r = {seed};
  double *v = malloc(n * sizeof *v);
  tw_sketch s = {0};
  for (size_t i = 0; i < n; i++) {
    v[i] = draw(&r, d);
    TW_CHECK_EQ_INT(tw_sketch_add(&s, v[i], 1.0), 0);
  }
  qsort(v, n, sizeof *v, cmp_double);
  double worst = 0.0;
  for (size_t j = 0; j < NPCTS; j++) {
    double e = rel_err(sketch_pct(&s, pcts[j], v[0], v[n - 1]),
                       exact_pct(v, n, pcts[j]));
    if (e > worst)
      worst = e;
  }
  TW_CHECK(s.total == (double)n);
  tw_sketch_free(&s);
  free(v);
  return worst;
}

TW_TEST(error_bound_on_many_distributions) {
  static const size_t sizes[] = {1, 7, 100, 1000, 50000};
  for (int d = 0; d < D_COUNT; d++) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      for (uint64_t seed = 1; seed <= 3; seed++) {
        double e = worst_error((dist)d, sizes[i], seed * 7919 + (uint64_t)d);
        if (e > TW_SKETCH_ALPHA + 1e-12)
          fprintf(stderr, "dist %d n %zu seed %llu: error %g\n", d, sizes[i],
                  (unsigned long long)seed, e);
        TW_CHECK(e <= TW_SKETCH_ALPHA + 1e-12);
        TW_CHECK(e <= 0.01);
      }
    }
  }
}

TW_TEST(merge_equals_single_sketch) {
  rng r = {99};
  tw_sketch whole = {0}, parts[8] = {{0}}, merged = {0};
  for (int i = 0; i < 40000; i++) {
    double x = draw(&r, (dist)(i % D_COUNT));
    TW_CHECK_EQ_INT(tw_sketch_add(&whole, x, 1.0), 0);
    TW_CHECK_EQ_INT(tw_sketch_add(&parts[i % 8], x, 1.0), 0);
  }
  for (int i = 0; i < 8; i++) {
    TW_CHECK_EQ_INT(tw_sketch_merge(&merged, &parts[i]), 0);
    tw_sketch_free(&parts[i]);
  }
  TW_CHECK(merged.total == whole.total);
  TW_CHECK(merged.zero == whole.zero);
  TW_CHECK_EQ_INT(merged.nbins, whole.nbins);
  for (size_t j = 0; j < NPCTS; j++) {
    double rank = pcts[j] / 100.0 * whole.total;
    TW_CHECK(tw_sketch_value_at_rank(&merged, rank) ==
             tw_sketch_value_at_rank(&whole, rank));
  }
  tw_sketch_free(&whole);
  tw_sketch_free(&merged);
}

TW_TEST(weights_behave_like_repeats) {
  tw_sketch a = {0}, b = {0};
  for (int v = 1; v <= 50; v++) {
    TW_CHECK_EQ_INT(tw_sketch_add(&a, v * 3.0, (double)v), 0);
    for (int k = 0; k < v; k++)
      TW_CHECK_EQ_INT(tw_sketch_add(&b, v * 3.0, 1.0), 0);
  }
  TW_CHECK(a.total == b.total);
  for (size_t j = 0; j < NPCTS; j++) {
    double rank = pcts[j] / 100.0 * a.total;
    TW_CHECK(tw_sketch_value_at_rank(&a, rank) ==
             tw_sketch_value_at_rank(&b, rank));
  }
  tw_sketch_free(&a);
  tw_sketch_free(&b);
}

/* Beyond TW_SKETCH_MAX_BINS the lowest bins fold: the bin count stays
 * bounded and the upper quantiles keep the bound. */
TW_TEST(bins_are_bounded_and_upper_quantiles_stay_accurate) {
  size_t n = 60000;
  double *v = malloc(n * sizeof *v);
  tw_sketch s = {0};
  rng r = {5};
  for (size_t i = 0; i < n; i++) { /* 10% spread very low, 90% in [1, 10) */
    v[i] = rng_unit(&r) < 0.1 ? pow(10.0, -300.0 + 290.0 * rng_unit(&r))
                              : 1.0 + 9.0 * rng_unit(&r);
    TW_CHECK_EQ_INT(tw_sketch_add(&s, v[i], 1.0), 0);
  }
  TW_CHECK(s.nbins <= TW_SKETCH_MAX_BINS);
  qsort(v, n, sizeof *v, cmp_double);
  TW_CHECK(s.nbins == TW_SKETCH_MAX_BINS);
  static const double upper[] = {15, 50, 75, 90, 99, 99.9};
  for (size_t j = 0; j < sizeof upper / sizeof upper[0]; j++)
    TW_CHECK(rel_err(sketch_pct(&s, upper[j], v[0], v[n - 1]),
                     exact_pct(v, n, upper[j])) <= TW_SKETCH_ALPHA + 1e-12);
  tw_sketch_free(&s);
  free(v);
}

TW_TEST(extreme_magnitudes) {
  static const double xs[] = {
      5e-324, 1e-300, 1e-10, 1.0, 1e10, 1e300, 1.7976931348623157e308};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    tw_sketch s = {0};
    TW_CHECK_EQ_INT(tw_sketch_add(&s, xs[i], 1.0), 0);
    double got = sketch_pct(&s, 50, xs[i], xs[i]);
    TW_CHECK(got == xs[i]);
    double raw = tw_sketch_value_at_rank(&s, 0.5);
    if (xs[i] >= 1e-300 && xs[i] <= 1e300)
      TW_CHECK(rel_err(raw, xs[i]) <= TW_SKETCH_ALPHA + 1e-12);
    tw_sketch_free(&s);
  }
}

int main(void) { return tw_test_run(); }
