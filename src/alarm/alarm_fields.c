/*
 * alarm_fields.c — value tables and small validators for PutMetricAlarm
 * fields: Statistic, ExtendedStatistic, Unit (StandardUnit), plus the
 * region long-name table used by SNS notifications. Used by
 * alarm_parse.c and alarm_sns.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"

static int in_list(const char *s, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (!strcmp(s, list[i]))
      return 1;
  return 0;
}

int tw_alarm_statistic_valid(const char *s) {
  static const char *const stats[] = {"SampleCount", "Average", "Sum",
                                      "Minimum", "Maximum", NULL};
  return in_list(s, stats);
}

int tw_alarm_unit_valid(const char *s) {
  static const char *const units[] = {
      "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
      "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits",
      "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
      "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
      "Terabytes/Second", "Bits/Second", "Kilobits/Second",
      "Megabits/Second", "Gigabits/Second", "Terabits/Second",
      "Count/Second", "None", NULL};
  return in_list(s, units);
}

/* A decimal number "NN" or "NN.NN" (at most max_frac decimals) at s,
 * ending at end; returns 1 and *v on success. */
static int parse_decimal(const char *s, const char *end, int max_frac,
                         int allow_sign, double *v) {
  const char *p = s;
  if (allow_sign && p < end && *p == '-')
    p++;
  const char *digits = p;
  while (p < end && isdigit((unsigned char)*p))
    p++;
  if (p == digits)
    return 0;
  if (p < end && *p == '.') {
    const char *frac = ++p;
    while (p < end && isdigit((unsigned char)*p))
      p++;
    if (p == frac || p - frac > max_frac)
      return 0;
  }
  if (p != end)
    return 0;
  char tmp[64];
  size_t len = (size_t)(end - s);
  if (len >= sizeof tmp)
    return 0;
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  *v = strtod(tmp, NULL);
  return 1;
}

/* One bound of "(a:b)": empty, "NN%" (10..90) or an absolute number. */
static int parse_bound(const char *s, const char *end, int allow_pct,
                       int *is_pct) {
  double v;
  *is_pct = 0;
  if (s == end)
    return 1;
  if (end[-1] == '%') {
    if (!allow_pct || !parse_decimal(s, end - 1, 2, 0, &v))
      return 0;
    *is_pct = 1;
    return v >= 10 && v <= 90;
  }
  return parse_decimal(s, end, 6, 1, &v);
}

/* "TM(a:b)" family and "PR(a:b)". */
static int upper_form_valid(const char *s) {
  static const char *const fams[] = {"TM", "TC", "TS", "WM", "PR", NULL};
  char fam[3] = {s[0], s[0] ? s[1] : 0, 0};
  if (!in_list(fam, fams) || s[2] != '(')
    return 0;
  size_t len = strlen(s);
  if (s[len - 1] != ')')
    return 0;
  const char *open = s + 3, *close = s + len - 1;
  const char *colon = memchr(open, ':', (size_t)(close - open));
  if (!colon || (colon == open && colon + 1 == close))
    return 0;
  int allow_pct = strcmp(fam, "PR") != 0, p1 = 0, p2 = 0;
  if (!parse_bound(open, colon, allow_pct, &p1) ||
      !parse_bound(colon + 1, close, allow_pct, &p2))
    return 0;
  /* both bounds in the same style when both are present */
  if (colon != open && colon + 1 != close && p1 != p2)
    return 0;
  return 1;
}

int tw_alarm_extended_statistic_valid(const char *s, double *pct) {
  double v;
  size_t len = strlen(s);
  *pct = -1;
  if (!strcmp(s, "IQM"))
    return 1;
  if (len >= 2 && s[0] == 'p' && parse_decimal(s + 1, s + len, 2, 0, &v)) {
    if (v < 0 || v > 100)
      return 0;
    *pct = v;
    return 1;
  }
  if (len >= 3 && (!strncmp(s, "tm", 2) || !strncmp(s, "tc", 2) ||
                   !strncmp(s, "ts", 2) || !strncmp(s, "wm", 2)))
    return parse_decimal(s + 2, s + len, 2, 0, &v) && v > 0 && v <= 100;
  if (len >= 6)
    return upper_form_valid(s);
  return 0;
}

size_t tw_alarm_utf8_len(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80)
      n++;
  return n;
}

struct region_name {
  const char *code;
  const char *name;
};

/* Commercial regions, named as CloudWatch notifications print them (the
 * older "EU (...)" spelling, not "Europe (...)"). */
static const struct region_name regions[] = {
    {"us-east-1", "US East (N. Virginia)"},
    {"us-east-2", "US East (Ohio)"},
    {"us-west-1", "US West (N. California)"},
    {"us-west-2", "US West (Oregon)"},
    {"af-south-1", "Africa (Cape Town)"},
    {"ap-east-1", "Asia Pacific (Hong Kong)"},
    {"ap-east-2", "Asia Pacific (Taipei)"},
    {"ap-south-1", "Asia Pacific (Mumbai)"},
    {"ap-south-2", "Asia Pacific (Hyderabad)"},
    {"ap-southeast-1", "Asia Pacific (Singapore)"},
    {"ap-southeast-2", "Asia Pacific (Sydney)"},
    {"ap-southeast-3", "Asia Pacific (Jakarta)"},
    {"ap-southeast-4", "Asia Pacific (Melbourne)"},
    {"ap-southeast-5", "Asia Pacific (Malaysia)"},
    {"ap-southeast-6", "Asia Pacific (New Zealand)"},
    {"ap-southeast-7", "Asia Pacific (Thailand)"},
    {"ap-northeast-1", "Asia Pacific (Tokyo)"},
    {"ap-northeast-2", "Asia Pacific (Seoul)"},
    {"ap-northeast-3", "Asia Pacific (Osaka)"},
    {"ca-central-1", "Canada (Central)"},
    {"ca-west-1", "Canada West (Calgary)"},
    {"eu-central-1", "EU (Frankfurt)"},
    {"eu-central-2", "EU (Zurich)"},
    {"eu-west-1", "EU (Ireland)"},
    {"eu-west-2", "EU (London)"},
    {"eu-west-3", "EU (Paris)"},
    {"eu-south-1", "EU (Milan)"},
    {"eu-south-2", "EU (Spain)"},
    {"eu-north-1", "EU (Stockholm)"},
    {"il-central-1", "Israel (Tel Aviv)"},
    {"me-south-1", "Middle East (Bahrain)"},
    {"me-central-1", "Middle East (UAE)"},
    {"mx-central-1", "Mexico (Central)"},
    {"sa-east-1", "South America (Sao Paulo)"},
    {NULL, NULL}};

const char *tw_region_long_name(const char *code) {
  if (!code)
    return NULL;
  for (size_t i = 0; regions[i].code; i++)
    if (!strcmp(code, regions[i].code))
      return regions[i].name;
  return NULL;
}
