/*
 * statistic.c — parsing of CloudWatch statistic names (Statistic and the
 * pNN / pNN.NN ExtendedStatistic forms) into tw_metric_stat, for the API
 * layer and alarm configuration.
 */
#include <string.h>

#include "trailwatch.h"

static const struct {
  const char *name;
  tw_metric_stat_kind kind;
} tw_stat_names[] = {
    {"SampleCount", TW_METRIC_STAT_SAMPLE_COUNT},
    {"Sum", TW_METRIC_STAT_SUM},
    {"Average", TW_METRIC_STAT_AVERAGE},
    {"Minimum", TW_METRIC_STAT_MINIMUM},
    {"Maximum", TW_METRIC_STAT_MAXIMUM},
};

/* Digits starting at t[*i] (at most max+1 read); value and count out.
 * Locale-independent on purpose (no strtod). */
static size_t tw_stat_digits(const char *t, size_t *i, size_t max,
                             double *value, double *scale) {
  size_t n = 0;
  while (t[*i] >= '0' && t[*i] <= '9' && n <= max) {
    *value = *value * 10.0 + (t[*i] - '0');
    *scale *= 10.0;
    (*i)++, n++;
  }
  return n;
}

/* "p" + 1-3 digits + optional "." and 1-10 digits, value 0..100. */
static int tw_stat_parse_percentile(const char *t, double *out) {
  if (t[0] != 'p')
    return TW_EINVAL;
  size_t i = 1;
  double ip = 0.0, fp = 0.0, iscale = 1.0, fscale = 1.0;
  size_t intd = tw_stat_digits(t, &i, 3, &ip, &iscale);
  if (intd == 0 || intd > 3)
    return TW_EINVAL;
  if (t[i] == '.') {
    i++;
    size_t fracd = tw_stat_digits(t, &i, 10, &fp, &fscale);
    if (fracd == 0 || fracd > 10)
      return TW_EINVAL;
  }
  double p = ip + fp / fscale;
  if (t[i] != '\0' || !(p >= 0.0 && p <= 100.0))
    return TW_EINVAL;
  *out = p;
  return TW_OK;
}

int tw_metric_stat_parse(const char *text, tw_metric_stat *out) {
  if (!text || !out)
    return TW_EINVAL;
  for (size_t i = 0; i < sizeof tw_stat_names / sizeof tw_stat_names[0]; i++) {
    if (strcmp(text, tw_stat_names[i].name) == 0) {
      out->kind = tw_stat_names[i].kind;
      out->percentile = 0.0;
      return TW_OK;
    }
  }
  double p;
  if (tw_stat_parse_percentile(text, &p) != TW_OK)
    return TW_EINVAL;
  out->kind = TW_METRIC_STAT_PERCENTILE;
  out->percentile = p;
  return TW_OK;
}
