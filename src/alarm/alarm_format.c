/*
 * alarm_format.c — the exact text formats CloudWatch uses in alarm output:
 * numbers as Java's Double.toString ("6.0", "99.50160229693434", "1.0E7"),
 * reason dates "dd/MM/yy HH:mm:ss", ISO dates "2019-10-02T17:04:40.985+0000",
 * plus a minimal JSON writer so StateReasonData, history items and SNS
 * messages keep those number spellings (jansson would print 0.1 as
 * 0.10000000000000001). Used by alarm_reason.c, alarm_state.c, alarm_sns.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"

/* Shortest decimal digits that read back as v (v finite, > 0): digits in
 * dig (no dot), *exp10 = exponent of the first digit. Like Java, when one
 * digit would do, the closest two-digit decimal is taken (4.9E-324). */
static void shortest_digits(double v, char *dig, size_t cap, int *exp10) {
  char tmp[40];
  for (int prec = 2; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    if (strtod(tmp, NULL) == v || prec == 17)
      break;
  }
  /* tmp is "d.ddde±XX" or "de±XX" */
  size_t k = 0;
  const char *p = tmp;
  for (; *p && *p != 'e'; p++)
    if (*p != '.' && k + 1 < cap)
      dig[k++] = *p;
  while (k > 1 && dig[k - 1] == '0')
    k--;
  dig[k] = '\0';
  *exp10 = atoi(p + 1);
}

static void java_plain(const char *dig, int e, char *out, size_t cap) {
  size_t nd = strlen(dig), o = 0;
  char tmp[400];
  if (e < 0) {
    tmp[o++] = '0';
    tmp[o++] = '.';
    for (int i = -1; i > e; i--)
      tmp[o++] = '0';
    memcpy(tmp + o, dig, nd);
    o += nd;
  } else {
    for (int i = 0; i <= e; i++)
      tmp[o++] = (size_t)i < nd ? dig[i] : '0';
    tmp[o++] = '.';
    if ((size_t)e + 1 < nd) {
      memcpy(tmp + o, dig + e + 1, nd - (size_t)e - 1);
      o += nd - (size_t)e - 1;
    } else {
      tmp[o++] = '0';
    }
  }
  if (cap == 0)
    return;
  size_t n = o < cap ? o : cap - 1; /* bounded copy (truncates like snprintf) */
  memcpy(out, tmp, n);
  out[n] = '\0';
}

static void java_sci(const char *dig, int e, char *out, size_t cap) {
  size_t nd = strlen(dig);
  snprintf(out, cap, "%c.%sE%d", dig[0], nd > 1 ? dig + 1 : "0", e);
}

void tw_fmt_java_double(double v, char *buf, size_t cap) {
  if (isnan(v)) {
    snprintf(buf, cap, "NaN");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, cap, v > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (v == 0) {
    snprintf(buf, cap, signbit(v) ? "-0.0" : "0.0");
    return;
  }
  char dig[40], body[64];
  int e;
  double a = fabs(v);
  shortest_digits(a, dig, sizeof dig, &e);
  if (a >= 1e-3 && a < 1e7)
    java_plain(dig, e, body, sizeof body);
  else
    java_sci(dig, e, body, sizeof body);
  snprintf(buf, cap, "%s%s", v < 0 ? "-" : "", body);
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (*m <= 2));
}

typedef struct tw_civil {
  int year, month, day, hour, min, sec, ms;
} tw_civil;

static tw_civil civil_from_ms(int64_t ms) {
  tw_civil c;
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  c.ms = (int)(ms - secs * 1000);
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  civil_from_days(days, &c.year, &c.month, &c.day);
  c.hour = (int)(rem / 3600);
  c.min = (int)(rem % 3600 / 60);
  c.sec = (int)(rem % 60);
  return c;
}

void tw_fmt_reason_date(int64_t ms, char *buf, size_t cap) {
  tw_civil c = civil_from_ms(ms);
  int yy = ((c.year % 100) + 100) % 100;
  snprintf(buf, cap, "%02d/%02d/%02d %02d:%02d:%02d", c.day, c.month, yy,
           c.hour, c.min, c.sec);
}

void tw_fmt_iso_date(int64_t ms, char *buf, size_t cap) {
  tw_civil c = civil_from_ms(ms);
  snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", c.year,
           c.month, c.day, c.hour, c.min, c.sec, c.ms);
}

void tw_fmt_epoch_seconds(int64_t ms, char *buf, size_t cap) {
  const char *sign = ms < 0 ? "-" : "";
  uint64_t u = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
  if (u % 1000 == 0)
    snprintf(buf, cap, "%s%llu", sign, (unsigned long long)(u / 1000));
  else
    snprintf(buf, cap, "%s%llu.%03u", sign, (unsigned long long)(u / 1000),
             (unsigned)(u % 1000));
}

/* ---- JSON writer ------------------------------------------------------ */

int tw_jw_raw(tw_buf *b, const char *s) { return tw_buf_append(b, s, strlen(s)); }

static int jw_escape_char(tw_buf *b, unsigned char c) {
  char esc[8];
  switch (c) {
  case '"': return tw_jw_raw(b, "\\\"");
  case '\\': return tw_jw_raw(b, "\\\\");
  case '\n': return tw_jw_raw(b, "\\n");
  case '\r': return tw_jw_raw(b, "\\r");
  case '\t': return tw_jw_raw(b, "\\t");
  case '\b': return tw_jw_raw(b, "\\b");
  case '\f': return tw_jw_raw(b, "\\f");
  default:
    snprintf(esc, sizeof esc, "\\u%04x", c);
    return tw_jw_raw(b, esc);
  }
}

int tw_jw_str(tw_buf *b, const char *s) {
  int rc = tw_buf_append(b, "\"", 1);
  const char *run = s;
  for (const char *p = s; rc == TW_OK && *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    rc = tw_buf_append(b, run, (size_t)(p - run));
    if (rc == TW_OK)
      rc = jw_escape_char(b, c);
    run = p + 1;
  }
  if (rc == TW_OK)
    rc = tw_buf_append(b, run, strlen(run));
  return rc ? rc : tw_buf_append(b, "\"", 1);
}

int tw_jw_str_or_null(tw_buf *b, const char *s) {
  return s ? tw_jw_str(b, s) : tw_jw_raw(b, "null");
}

int tw_jw_key(tw_buf *b, int *first, const char *key) {
  int rc = *first ? TW_OK : tw_buf_append(b, ",", 1);
  *first = 0;
  if (rc == TW_OK)
    rc = tw_jw_str(b, key);
  return rc ? rc : tw_buf_append(b, ":", 1);
}

int tw_jw_double(tw_buf *b, double v) {
  char tmp[48];
  tw_fmt_java_double(v, tmp, sizeof tmp);
  return tw_jw_raw(b, tmp);
}

int tw_jw_int(tw_buf *b, long long v) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "%lld", v);
  return tw_jw_raw(b, tmp);
}

int tw_jw_strlist(tw_buf *b, const tw_alarm_strlist *l) {
  int rc = tw_jw_raw(b, "[");
  for (size_t i = 0; rc == TW_OK && i < l->n; i++) {
    if (i)
      rc = tw_jw_raw(b, ",");
    if (rc == TW_OK)
      rc = tw_jw_str(b, l->items[i]);
  }
  return rc ? rc : tw_jw_raw(b, "]");
}

int tw_jw_dims(tw_buf *b, const tw_alarm_dim *d, size_t n) {
  int rc = tw_jw_raw(b, "[");
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    rc = tw_jw_raw(b, i ? ",{\"value\":" : "{\"value\":");
    if (rc == TW_OK)
      rc = tw_jw_str(b, d[i].value);
    if (rc == TW_OK)
      rc = tw_jw_raw(b, ",\"name\":");
    if (rc == TW_OK)
      rc = tw_jw_str(b, d[i].name);
    if (rc == TW_OK)
      rc = tw_jw_raw(b, "}");
  }
  return rc ? rc : tw_jw_raw(b, "]");
}

int tw_jw_finish(tw_buf *b, char **out) {
  int rc = tw_buf_append(b, "", 1);
  if (rc) {
    tw_buf_free(b);
    return rc;
  }
  *out = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return TW_OK;
}
