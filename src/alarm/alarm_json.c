/*
 * alarm_json.c — typed, validating readers for PutMetricAlarm members
 * (see alarm_json.h) and the ISO-8601 time parser shared by the parser and
 * the alarm-eval command.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm_json.h"

int tw_jfail(tw_jctx *c, const char *aws_code, const char *key,
             const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->aws_code = aws_code;
  if (key[0])
    return tw_error_set(c->err, TW_EINVAL, 0, "%s%s: %s", c->prefix, key, msg);
  size_t plen = strlen(c->prefix);
  if (plen == 0)
    return tw_error_set(c->err, TW_EINVAL, 0, "alarm: %s", msg);
  return tw_error_set(c->err, TW_EINVAL, 0, "%.*s: %s", (int)(plen - 1),
                      c->prefix, msg);
}

int tw_jhas_control(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return 1;
  return 0;
}

char *tw_alarm_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* A member, with JSON null treated as absent. */
static json_t *member(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_null(v) ? NULL : v;
}

int tw_jget_string(tw_jctx *c, json_t *o, const char *key, size_t minlen,
                   size_t maxlen, int required, char **out) {
  json_t *v = member(o, key);
  if (!v)
    return required ? tw_jfail(c, TW_AWS_MISSING, key, "required") : TW_OK;
  if (!json_is_string(v))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key, "must be a string");
  const char *s = json_string_value(v);
  if (strlen(s) != json_string_length(v))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key, "must not contain NUL");
  size_t n = tw_alarm_utf8_len(s);
  if (n < minlen || n > maxlen)
    return tw_jfail(c, TW_AWS_VALIDATION, key,
                    "must be %zu to %zu characters long (got %zu)", minlen,
                    maxlen, n);
  if (!out)
    return TW_OK;
  *out = tw_alarm_strdup(s);
  return *out ? TW_OK : TW_ENOMEM;
}

int tw_jget_bool(tw_jctx *c, json_t *o, const char *key, int *out) {
  json_t *v = member(o, key);
  if (!v)
    return TW_OK;
  if (!json_is_boolean(v))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key, "must be true or false");
  *out = json_is_true(v);
  return TW_OK;
}

int tw_jget_int(tw_jctx *c, json_t *o, const char *key, int required,
                long long *out, int *present) {
  json_t *v = member(o, key);
  if (present)
    *present = v != NULL;
  if (!v)
    return required ? tw_jfail(c, TW_AWS_MISSING, key, "required") : TW_OK;
  double d = json_number_value(v);
  if (!json_is_number(v) || d != floor(d))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key, "must be an integer");
  if (d < -2147483648.0 || d > 2147483647.0)
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                    "must fit in a 32-bit integer");
  *out = (long long)d;
  return TW_OK;
}

int tw_jget_number(tw_jctx *c, json_t *o, const char *key, int required,
                   double *out, int *present) {
  json_t *v = member(o, key);
  if (present)
    *present = v != NULL;
  if (!v)
    return required ? tw_jfail(c, TW_AWS_MISSING, key, "required") : TW_OK;
  if (!json_is_number(v) || !isfinite(json_number_value(v)))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key, "must be a number");
  *out = json_number_value(v);
  return TW_OK;
}

int tw_jget_enum(tw_jctx *c, json_t *o, const char *key,
                 const char *const *names, int required, int *idx,
                 int *present) {
  json_t *v = member(o, key);
  *present = v != NULL;
  if (!v)
    return required ? tw_jfail(c, TW_AWS_MISSING, key, "required") : TW_OK;
  if (json_is_string(v))
    for (int i = 0; names[i]; i++)
      if (!strcmp(json_string_value(v), names[i])) {
        *idx = i;
        return TW_OK;
      }
  char list[160] = "";
  for (int i = 0; names[i]; i++) {
    size_t l = strlen(list);
    snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
  }
  return tw_jfail(c, TW_AWS_VALIDATION, key, "must be one of %s (got %.30s)",
                  list, json_is_string(v) ? json_string_value(v) : "a non-string");
}

int tw_jget_period(tw_jctx *c, json_t *o, const char *key, int required,
                   int *out) {
  long long p = 0;
  int present = 0;
  int rc = tw_jget_int(c, o, key, required, &p, &present);
  if (rc || !present)
    return rc;
  if (p <= 0 || !(p == 10 || p == 20 || p == 30 || p % 60 == 0))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                    "must be 10, 20, 30 or a multiple of 60 (got %lld)", p);
  *out = (int)p;
  return TW_OK;
}

/* arn:partition:service:region:account:resource */
static int arn_like(const char *s) {
  if (strncmp(s, "arn:", 4))
    return 0;
  int colons = 0;
  for (const char *p = s; *p; p++)
    colons += *p == ':';
  return colons >= 5;
}

int tw_jget_actions(tw_jctx *c, json_t *o, const char *key,
                    tw_alarm_strlist *out) {
  json_t *v = member(o, key);
  if (!v)
    return TW_OK;
  if (!json_is_array(v))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                    "must be an array of ARNs");
  if (json_array_size(v) > 5)
    return tw_jfail(c, TW_AWS_VALIDATION, key,
                    "at most 5 actions (got %zu)", json_array_size(v));
  out->items = calloc(json_array_size(v) + 1, sizeof *out->items);
  if (!out->items)
    return TW_ENOMEM;
  size_t i;
  json_t *item;
  json_array_foreach(v, i, item) {
    const char *s = json_string_value(item);
    if (!s || strlen(s) < 1 || strlen(s) > 1024 || !arn_like(s))
      return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                      "entry %zu is not an ARN (arn:aws:service:region:"
                      "account:resource)",
                      i);
    out->items[i] = tw_alarm_strdup(s);
    if (!out->items[i])
      return TW_ENOMEM;
    out->n = i + 1;
  }
  return TW_OK;
}

static int read_dim(tw_jctx *c, const char *key, size_t i, json_t *d,
                    tw_alarm_dim *out) {
  json_t *name = json_object_get(d, "Name"), *val = json_object_get(d, "Value");
  if (!json_is_object(d) || !json_is_string(name) || !json_is_string(val))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                    "entry %zu must be {\"Name\": ..., \"Value\": ...}", i);
  size_t nl = tw_alarm_utf8_len(json_string_value(name));
  size_t vl = tw_alarm_utf8_len(json_string_value(val));
  if (nl < 1 || nl > 255 || vl < 1 || vl > 1024)
    return tw_jfail(c, TW_AWS_VALIDATION, key,
                    "entry %zu: Name must be 1-255 and Value 1-1024 "
                    "characters",
                    i);
  out->name = tw_alarm_strdup(json_string_value(name));
  out->value = tw_alarm_strdup(json_string_value(val));
  return out->name && out->value ? TW_OK : TW_ENOMEM;
}

int tw_jget_dims(tw_jctx *c, json_t *o, const char *key, size_t max,
                 tw_alarm_dim **out, size_t *n) {
  json_t *v = member(o, key);
  if (!v)
    return TW_OK;
  if (!json_is_array(v))
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                    "must be an array of {Name, Value}");
  if (json_array_size(v) > max)
    return tw_jfail(c, TW_AWS_VALIDATION, key,
                    "at most %zu dimensions (got %zu)", max,
                    json_array_size(v));
  *out = calloc(json_array_size(v) + 1, sizeof **out);
  if (!*out)
    return TW_ENOMEM;
  size_t i;
  json_t *d;
  json_array_foreach(v, i, d) {
    int rc = read_dim(c, key, i, d, &(*out)[i]);
    *n = i + 1;
    if (rc)
      return rc;
    for (size_t j = 0; j < i; j++)
      if (!strcmp((*out)[j].name, (*out)[i].name))
        return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                        "dimension name \"%.40s\" appears twice",
                        (*out)[i].name);
  }
  return TW_OK;
}

int tw_jget_time(tw_jctx *c, json_t *o, const char *key, int64_t *out_ms,
                 int *present) {
  json_t *v = member(o, key);
  if (present)
    *present = 0;
  if (!v)
    return TW_OK;
  if (json_is_number(v) && isfinite(json_number_value(v)) &&
      fabs(json_number_value(v)) < 1e13) {
    *out_ms = (int64_t)llround(json_number_value(v) * 1000.0);
  } else if (!json_is_string(v) ||
             tw_alarm_parse_time(json_string_value(v), out_ms) != TW_OK) {
    return tw_jfail(c, TW_AWS_INVALID_VALUE, key,
                    "must be epoch seconds or an ISO-8601 time");
  }
  if (present)
    *present = 1;
  return TW_OK;
}

/* ---- ISO-8601 --------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Read exactly n digits. */
static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return 0;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 1;
}

static int parse_fraction(const char **p, int *ms) {
  *ms = 0;
  if (**p != '.' && **p != ',')
    return 1;
  (*p)++;
  int n = 0, scale = 100;
  while (isdigit((unsigned char)**p)) {
    if (n < 3)
      *ms += (**p - '0') * scale;
    scale /= 10;
    n++;
    (*p)++;
  }
  return n > 0;
}

static int parse_zone(const char *p, int *offset_min) {
  int hh, mm;
  *offset_min = 0;
  if (*p == '\0' || (p[0] == 'Z' && p[1] == '\0'))
    return 1;
  if (*p != '+' && *p != '-')
    return 0;
  int sign = *p == '-' ? -1 : 1;
  p++;
  if (!digits(&p, 2, &hh))
    return 0;
  if (*p == ':')
    p++;
  if (!digits(&p, 2, &mm) || *p || hh > 23 || mm > 59)
    return 0;
  *offset_min = sign * (hh * 60 + mm);
  return 1;
}

static int days_in_month(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 ? 28 + leap : dm[m - 1];
}

int tw_alarm_parse_time(const char *text, int64_t *out_ms) {
  const char *p = text;
  int y, mo, d, h, mi, s, ms, off;
  if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
      *p++ != '-' || !digits(&p, 2, &d) || (*p != 'T' && *p != ' '))
    return TW_EINVAL;
  p++;
  if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) ||
      *p++ != ':' || !digits(&p, 2, &s) || !parse_fraction(&p, &ms) ||
      !parse_zone(p, &off))
    return TW_EINVAL;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
      mi > 59 || s > 59)
    return TW_EINVAL;
  int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  *out_ms = (secs - (int64_t)off * 60) * 1000 + ms;
  return TW_OK;
}
