/*
 * itime.c — ISO 8601 UTC times for the input layer: eventTime parsing
 * (tw_ingest_parse_time), the lenient command-line form for --from/--to
 * (tw_ingest_parse_time_arg) and formatting. Calendar arithmetic is done
 * by hand (proleptic Gregorian, days from 1970-01-01) so that nothing
 * depends on the C library's time zone state.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/ingest_internal.h"

#define MS_PER_DAY 86400000LL

static int tw_itime_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int tw_itime_mdays(int64_t y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && tw_itime_leap(y) ? 29 : days[m - 1];
}

int64_t tw_ingest_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void tw_itime_civil(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* n decimal digits at s[*i]; advances *i. */
static int tw_itime_num(const char *s, size_t len, size_t *i, int n, int *out) {
  if (len - *i < (size_t)n)
    return 0;
  int v = 0;
  for (int k = 0; k < n; k++) {
    char c = s[*i + (size_t)k];
    if (c < '0' || c > '9')
      return 0;
    v = v * 10 + (c - '0');
  }
  *i += (size_t)n;
  *out = v;
  return 1;
}

static int tw_itime_char(const char *s, size_t len, size_t *i, char c) {
  if (*i < len && s[*i] == c) {
    (*i)++;
    return 1;
  }
  return 0;
}

/* Zone at s[*i]: Z, +HH:MM, +HHMM (or nothing when optional). */
static int tw_itime_zone(const char *s, size_t len, size_t *i, int optional,
                         int64_t *off_ms) {
  *off_ms = 0;
  if (*i == len)
    return optional;
  if (s[*i] == 'Z' || s[*i] == 'z') {
    (*i)++;
    return 1;
  }
  if (s[*i] != '+' && s[*i] != '-')
    return 0;
  int sign = s[*i] == '-' ? -1 : 1, hh, mm;
  (*i)++;
  if (!tw_itime_num(s, len, i, 2, &hh))
    return 0;
  tw_itime_char(s, len, i, ':');
  if (!tw_itime_num(s, len, i, 2, &mm) || hh > 23 || mm > 59)
    return 0;
  *off_ms = sign * ((int64_t)hh * 3600000 + (int64_t)mm * 60000);
  return 1;
}

/* Fractional seconds after '.': milliseconds, extra digits truncated. */
static int tw_itime_frac(const char *s, size_t len, size_t *i, int *ms) {
  int digits = 0;
  *ms = 0;
  while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
    if (digits < 3)
      *ms = *ms * 10 + (s[*i] - '0');
    digits++;
    (*i)++;
  }
  for (int k = digits; k < 3; k++)
    *ms *= 10;
  return digits > 0;
}

typedef struct tw_itime_parts {
  int y, mo, d, h, mi, s, ms;
} tw_itime_parts;

static int tw_itime_date(const char *s, size_t len, size_t *i, tw_itime_parts *p) {
  return tw_itime_num(s, len, i, 4, &p->y) && tw_itime_char(s, len, i, '-') &&
         tw_itime_num(s, len, i, 2, &p->mo) && tw_itime_char(s, len, i, '-') &&
         tw_itime_num(s, len, i, 2, &p->d) && p->mo >= 1 && p->mo <= 12 &&
         p->d >= 1 && p->d <= tw_itime_mdays(p->y, p->mo);
}

static int64_t tw_itime_ms(const tw_itime_parts *p, int64_t zone_ms) {
  int64_t days = tw_ingest_days_from_civil(p->y, p->mo, p->d);
  return days * MS_PER_DAY + (int64_t)p->h * 3600000 + (int64_t)p->mi * 60000 +
         (int64_t)p->s * 1000 + p->ms - zone_ms;
}

/* The clock part after the date separator: HH:MM[:SS[.fff]]. */
static int tw_itime_clock(const char *s, size_t len, size_t *i, int need_sec,
                          tw_itime_parts *p) {
  if (!tw_itime_num(s, len, i, 2, &p->h) || !tw_itime_char(s, len, i, ':') ||
      !tw_itime_num(s, len, i, 2, &p->mi) || p->h > 23 || p->mi > 59)
    return 0;
  if (!tw_itime_char(s, len, i, ':'))
    return !need_sec;
  if (!tw_itime_num(s, len, i, 2, &p->s) || p->s > 60)
    return 0;
  if (tw_itime_char(s, len, i, '.') && !tw_itime_frac(s, len, i, &p->ms))
    return 0;
  return 1;
}

/* Two digits at s; -1 when either is not a digit. */
static inline int tw_itime_d2(const char *s) {
  unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
  return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

/* YYYY-MM-DDTHH:MM:SSZ, the form CloudTrail writes in every eventTime: one
 * straight-line check, the same result as the general parser below (a
 * test in test_ingest compares them). 0 when s is not exactly that form
 * (or not a valid time), and the general parser decides. */
static int tw_itime_fast(const char *s, size_t len, int64_t *ms) {
  if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return 0;
  int c = tw_itime_d2(s), y = tw_itime_d2(s + 2);
  tw_itime_parts p = {c * 100 + y, tw_itime_d2(s + 5), tw_itime_d2(s + 8), tw_itime_d2(s + 11),
                      tw_itime_d2(s + 14), tw_itime_d2(s + 17), 0};
  if ((c | y | p.mo | p.d | p.h | p.mi | p.s) < 0 || p.mo < 1 || p.mo > 12 || p.d < 1 ||
      p.d > tw_itime_mdays(p.y, p.mo) || p.h > 23 || p.mi > 59 || p.s > 60)
    return 0;
  *ms = tw_itime_ms(&p, 0);
  return 1;
}

int tw_ingest_parse_time(const char *s, size_t len, int64_t *ms) {
  if (tw_itime_fast(s, len, ms))
    return TW_OK;
  tw_itime_parts p = {0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  int64_t zone;
  if (!tw_itime_date(s, len, &i, &p) || i == len || (s[i] != 'T' && s[i] != 't'))
    return TW_EINVAL;
  i++;
  if (!tw_itime_clock(s, len, &i, 1, &p) || !tw_itime_zone(s, len, &i, 0, &zone) ||
      i != len)
    return TW_EINVAL;
  *ms = tw_itime_ms(&p, zone);
  return TW_OK;
}

int tw_ingest_parse_time_arg(const char *s, int64_t *ms) {
  tw_itime_parts p = {0, 0, 0, 0, 0, 0, 0};
  size_t i = 0, len = strlen(s);
  int64_t zone = 0;
  if (!tw_itime_date(s, len, &i, &p))
    return TW_EINVAL;
  if (i < len) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
      return TW_EINVAL;
    i++;
    if (!tw_itime_clock(s, len, &i, 0, &p) || !tw_itime_zone(s, len, &i, 1, &zone) ||
        i != len)
      return TW_EINVAL;
  }
  *ms = tw_itime_ms(&p, zone);
  return TW_OK;
}

void tw_ingest_format_time(int64_t ms, char *buf, size_t cap) {
  int64_t days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
  int64_t rem = ms - days * MS_PER_DAY, y;
  int m, d;
  tw_itime_civil(days, &y, &m, &d);
  snprintf(buf, cap, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
           (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
           (int)(rem % 1000));
}
