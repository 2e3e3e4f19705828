/*
 * alarm_reason.c — words a tw_alarm_decision the way CloudWatch does:
 * StateReason ("Threshold Crossed: 1 out of the last 1 datapoints [6.0
 * (25/09/22 18:49:00)] was greater than the threshold (5.0) (minimum 1
 * datapoint for OK -> ALARM transition).") and the StateReasonData JSON
 * (metrics-alarms-api.md §6). Formatting primitives are in alarm_format.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"

int64_t tw_alarm_period_start(const tw_alarm *a, int64_t eval_time_ms,
                              size_t age) {
  int64_t step = a->period < 60 ? 10000 : 60000;
  int64_t end = eval_time_ms >= 0 ? eval_time_ms / step * step
                                  : -((-eval_time_ms + step - 1) / step) * step;
  return end - (int64_t)age * a->period * 1000;
}

static const char *op_words(tw_alarm_op op) {
  switch (op) {
  case TW_OP_GE: return "greater than or equal to";
  case TW_OP_GT: return "greater than";
  case TW_OP_LT: return "less than";
  case TW_OP_LE: return "less than or equal to";
  }
  return "";
}

static const char *s_if(size_t n) { return n == 1 ? "" : "s"; }
static const char *was_were(size_t n) { return n == 1 ? "was" : "were"; }

static int appendf(tw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int appendf(tw_buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp)
    return TW_ENOMEM;
  return tw_buf_append(b, tmp, (size_t)n);
}

/* Is slot i one of the points the reason lists (real, used, and meeting
 * the stated condition)? */
static int listed(const tw_alarm_decision *d, size_t i) {
  if (d->role[i] != TW_SLOT_REAL)
    return 0;
  return d->state == TW_ALARM_ALARM ? d->breach[i] : !d->breach[i];
}

/* "[v (date), v (date)]", newest first; *count receives the number. */
static int append_list(tw_buf *b, const tw_alarm *a,
                       const tw_alarm_decision *d, int64_t t, size_t *count) {
  int rc = tw_buf_append(b, "[", 1);
  *count = 0;
  for (size_t i = 0; rc == TW_OK && i < d->range; i++) {
    if (!listed(d, i))
      continue;
    char num[48], date[32];
    tw_fmt_java_double(d->value[i], num, sizeof num);
    tw_fmt_reason_date(tw_alarm_period_start(a, t, i + 1), date, sizeof date);
    rc = appendf(b, "%s%s (%s)", *count ? ", " : "", num, date);
    (*count)++;
  }
  return rc ? rc : tw_buf_append(b, "]", 1);
}

static const char *fill_word(const tw_alarm_decision *d) {
  return d->fill_breaching ? "Breaching" : "NonBreaching";
}

static int append_fill(tw_buf *b, const tw_alarm_decision *d) {
  if (!d->fill_treated || d->nfilled == 0)
    return TW_OK;
  return appendf(b, " and %zu missing datapoint%s %s treated as [%s]",
                 d->nfilled, s_if(d->nfilled), was_were(d->nfilled),
                 fill_word(d));
}

static int threshold_text(tw_buf *b, const tw_alarm *a,
                          const tw_alarm_decision *d, int64_t t) {
  tw_buf list = {0};
  size_t c = 0;
  char thr[48];
  int alarm = d->state == TW_ALARM_ALARM;
  int rc = append_list(&list, a, d, t, &c);
  tw_fmt_java_double(a->threshold, thr, sizeof thr);
  if (rc == TW_OK && a->m_set)
    rc = appendf(b, "Threshold Crossed: %zu out of the last %zu datapoints ",
                 c, a->n);
  else if (rc == TW_OK)
    rc = appendf(b, "Threshold Crossed: %zu datapoint%s ", c, s_if(c));
  if (rc == TW_OK)
    rc = tw_buf_append(b, list.data, list.len);
  if (rc == TW_OK)
    rc = appendf(b, " %s %s%s the threshold (%s)", was_were(c),
                 alarm ? "" : "not ", op_words(a->op), thr);
  if (rc == TW_OK)
    rc = append_fill(b, d);
  size_t k = alarm ? a->m : a->n - a->m + 1;
  if (rc == TW_OK && a->m_set)
    rc = appendf(b, " (minimum %zu datapoint%s for %s transition)", k,
                 s_if(k), alarm ? "OK -> ALARM" : "ALARM -> OK");
  if (rc == TW_OK)
    rc = tw_buf_append(b, ".", 1);
  tw_buf_free(&list);
  return rc;
}

int tw_alarm_reason_text(const tw_alarm *a, const tw_alarm_decision *d,
                         int64_t t, char **out) {
  tw_buf b = {0};
  int rc = TW_OK;
  switch (d->kind) {
  case TW_REASON_THRESHOLD:
    rc = threshold_text(&b, a, d, t);
    break;
  case TW_REASON_RECEIVED:
    rc = appendf(&b,
                 "Threshold Crossed: %zu datapoint%s %s received for %zu "
                 "period%s and %zu missing datapoint%s %s treated as [%s].",
                 d->real, s_if(d->real), was_were(d->real), a->n, s_if(a->n),
                 d->nfilled, s_if(d->nfilled), was_were(d->nfilled),
                 fill_word(d));
    break;
  case TW_REASON_NONE_RECEIVED:
    rc = appendf(&b,
                 "Threshold Crossed: no datapoints were received for %zu "
                 "period%s and %zu missing datapoint%s %s treated as [%s].",
                 a->n, s_if(a->n), d->nfilled, s_if(d->nfilled),
                 was_were(d->nfilled), fill_word(d));
    break;
  case TW_REASON_UNKNOWN:
    rc = appendf(&b, "Insufficient Data: %zu datapoint%s %s unknown.",
                 d->unknown, s_if(d->unknown), was_were(d->unknown));
    break;
  case TW_REASON_RETAINED:
    *out = NULL;
    return TW_OK;
  }
  if (rc) {
    tw_buf_free(&b);
    return rc;
  }
  return tw_jw_finish(&b, out);
}

/* ---- StateReasonData -------------------------------------------------- */

static int iso_field(tw_buf *b, int *first, const char *key, int64_t ms) {
  char date[40];
  tw_fmt_iso_date(ms, date, sizeof date);
  int rc = tw_jw_key(b, first, key);
  return rc ? rc : tw_jw_str(b, date);
}

/* recentDatapoints: the real points used, oldest first. */
static int recent_points(tw_buf *b, const tw_alarm_decision *d) {
  int rc = tw_jw_raw(b, "[");
  int first = 1;
  for (size_t i = d->range; rc == TW_OK && i-- > 0;) {
    if (d->role[i] != TW_SLOT_REAL)
      continue;
    if (!first)
      rc = tw_jw_raw(b, ",");
    first = 0;
    if (rc == TW_OK)
      rc = tw_jw_double(b, d->value[i]);
  }
  return rc ? rc : tw_jw_raw(b, "]");
}

static int evaluated_point(tw_buf *b, const tw_alarm *a,
                           const tw_alarm_decision *d, size_t i, int64_t t) {
  int first = 1;
  int rc = tw_jw_raw(b, "{");
  if (rc == TW_OK)
    rc = iso_field(b, &first, "timestamp", tw_alarm_period_start(a, t, i + 1));
  if (rc == TW_OK && d->role[i] == TW_SLOT_REAL && d->samples &&
      d->samples[i] == d->samples[i]) {
    rc = tw_jw_key(b, &first, "sampleCount");
    if (rc == TW_OK)
      rc = tw_jw_double(b, d->samples[i]);
  }
  if (rc == TW_OK && d->role[i] == TW_SLOT_REAL) {
    rc = tw_jw_key(b, &first, "value");
    if (rc == TW_OK)
      rc = tw_jw_double(b, d->value[i]);
  }
  return rc ? rc : tw_jw_raw(b, "}");
}

/* evaluatedDatapoints: every slot that counted, newest first. */
static int evaluated_points(tw_buf *b, const tw_alarm *a,
                            const tw_alarm_decision *d, int64_t t) {
  int rc = tw_jw_raw(b, "[");
  int first = 1;
  for (size_t i = 0; rc == TW_OK && i < d->range; i++) {
    if (d->role[i] == TW_SLOT_UNUSED)
      continue;
    if (!first)
      rc = tw_jw_raw(b, ",");
    first = 0;
    if (rc == TW_OK)
      rc = evaluated_point(b, a, d, i, t);
  }
  return rc ? rc : tw_jw_raw(b, "]");
}

/* Period start of the oldest real point used, or -1 when there is none. */
static long long oldest_real(const tw_alarm_decision *d) {
  for (size_t i = d->range; i-- > 0;)
    if (d->role[i] == TW_SLOT_REAL)
      return (long long)i;
  return -1;
}

static int reason_data_head(tw_buf *b, const tw_alarm *a,
                            const tw_alarm_decision *d, int64_t t,
                            int *first) {
  int rc = tw_jw_raw(b, "{\"version\":\"1.0\"");
  *first = 0;
  if (rc == TW_OK)
    rc = iso_field(b, first, "queryDate", t);
  long long old = oldest_real(d);
  if (rc == TW_OK && old >= 0)
    rc = iso_field(b, first, "startDate",
                   tw_alarm_period_start(a, t, (size_t)old + 1));
  if (rc == TW_OK && a->unit) {
    rc = tw_jw_key(b, first, "unit");
    if (rc == TW_OK)
      rc = tw_jw_str(b, a->unit);
  }
  const char *stat = a->statistic ? a->statistic : a->extended_statistic;
  if (rc == TW_OK && stat) {
    rc = tw_jw_key(b, first, "statistic");
    if (rc == TW_OK)
      rc = tw_jw_str(b, stat);
  }
  return rc;
}

int tw_alarm_reason_data(const tw_alarm *a, const tw_alarm_decision *d,
                         int64_t t, char **out) {
  if (d->kind == TW_REASON_RETAINED) {
    *out = NULL;
    return TW_OK;
  }
  tw_buf b = {0};
  int first;
  int rc = reason_data_head(&b, a, d, t, &first);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "period");
  if (rc == TW_OK)
    rc = tw_jw_int(&b, a->period);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "recentDatapoints");
  if (rc == TW_OK)
    rc = recent_points(&b, d);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "threshold");
  if (rc == TW_OK)
    rc = tw_jw_double(&b, a->threshold);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "evaluatedDatapoints");
  if (rc == TW_OK)
    rc = evaluated_points(&b, a, d, t);
  if (rc == TW_OK)
    rc = tw_jw_raw(&b, "}");
  if (rc) {
    tw_buf_free(&b);
    return rc;
  }
  return tw_jw_finish(&b, out);
}
