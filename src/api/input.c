/*
 * input.c — typed access to request members with AWS-shaped failures:
 * a member of the wrong JSON type is a SerializationException (as the
 * Coral deserializer reports it), a missing required member or a value
 * outside its constraints is the service's validation error. Also the
 * opaque pagination tokens and small output helpers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

static const char *tw_json_kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "START_OBJECT";
  case JSON_ARRAY: return "START_ARRAY";
  case JSON_STRING: return "VALUE_STRING";
  case JSON_INTEGER:
  case JSON_REAL: return "VALUE_NUMBER";
  case JSON_TRUE:
  case JSON_FALSE: return "VALUE_BOOLEAN";
  default: return "VALUE_NULL";
  }
}

static int tw_in_type(tw_api_ctx *c, const char *key, const json_t *v,
                      const char *want) {
  return tw_api_fail(c, 400, "SerializationException",
                     "%s can not be converted to %s (member '%s')",
                     tw_json_kind(v), want, key);
}

static int tw_in_missing(tw_api_ctx *c, const char *key) {
  if (c->svc == TW_SVC_CLOUDWATCH)
    return tw_api_fail(c, 400, "MissingParameter",
                       "The parameter %s is required.", key);
  return tw_api_invalid(c,
                        "1 validation error detected: Value null at '%s' "
                        "failed to satisfy constraint: Member must not be "
                        "null",
                        key);
}

/* Returns the member, NULL when absent (JSON null counts as absent). */
static json_t *tw_in_get(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return v && !json_is_null(v) ? v : NULL;
}

static size_t tw_utf8_chars(const char *s, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < n; i++)
    chars += ((unsigned char)s[i] & 0xC0) != 0x80;
  return chars;
}

int tw_in_str(tw_api_ctx *c, json_t *o, const char *key, int required,
              size_t minlen, size_t maxlen, const char **out) {
  json_t *v = tw_in_get(o, key);
  if (!v)
    return required ? tw_in_missing(c, key) : TW_OK;
  if (!json_is_string(v))
    return tw_in_type(c, key, v, "a String");
  const char *s = json_string_value(v);
  size_t n = tw_utf8_chars(s, json_string_length(v));
  if (n < minlen || (maxlen && n > maxlen))
    return tw_api_invalid(
        c,
        "1 validation error detected: Value '%.100s' at '%s' failed to "
        "satisfy constraint: Member must have length %s %zu",
        s, key, n < minlen ? "greater than or equal to" : "less than or equal to",
        n < minlen ? minlen : maxlen);
  if (strlen(s) != json_string_length(v))
    return tw_api_invalid(c, "Value at '%s' must not contain NUL characters",
                          key);
  *out = s;
  return TW_OK;
}

int tw_in_int(tw_api_ctx *c, json_t *o, const char *key, int required,
              int64_t min, int64_t max, int64_t *out, int *present) {
  json_t *v = tw_in_get(o, key);
  if (present)
    *present = v != NULL;
  if (!v)
    return required ? tw_in_missing(c, key) : TW_OK;
  int64_t x;
  if (json_is_integer(v))
    x = json_integer_value(v);
  else if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
           fabs(json_real_value(v)) < 9.2e18)
    x = (int64_t)json_real_value(v);
  else
    return tw_in_type(c, key, v, json_is_real(v) ? "an Integer (not a fraction)"
                                                 : "a Long");
  if (x < min || x > max)
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%lld' at '%s' "
                          "failed to satisfy constraint: Member must have "
                          "value %s %lld",
                          (long long)x, key,
                          x < min ? "greater than or equal to"
                                  : "less than or equal to",
                          (long long)(x < min ? min : max));
  *out = x;
  return TW_OK;
}

int tw_in_num(tw_api_ctx *c, json_t *o, const char *key, int required,
              double *out, int *present) {
  json_t *v = tw_in_get(o, key);
  if (present)
    *present = v != NULL;
  if (!v)
    return required ? tw_in_missing(c, key) : TW_OK;
  if (!json_is_number(v))
    return tw_in_type(c, key, v, "a Double");
  *out = json_number_value(v);
  return TW_OK;
}

int tw_in_bool(tw_api_ctx *c, json_t *o, const char *key, int *out) {
  json_t *v = tw_in_get(o, key);
  if (!v)
    return TW_OK;
  if (!json_is_boolean(v))
    return tw_in_type(c, key, v, "a Boolean");
  *out = json_is_true(v);
  return TW_OK;
}

int tw_in_array(tw_api_ctx *c, json_t *o, const char *key, int required,
                size_t min, size_t max, json_t **out) {
  json_t *v = tw_in_get(o, key);
  if (!v)
    return required ? tw_in_missing(c, key) : TW_OK;
  if (!json_is_array(v))
    return tw_in_type(c, key, v, "a List");
  size_t n = json_array_size(v);
  if (n < min || (max && n > max))
    return tw_api_invalid(c,
                          "1 validation error detected: Value at '%s' failed "
                          "to satisfy constraint: Member must have length %s "
                          "%zu",
                          key,
                          n < min ? "greater than or equal to"
                                  : "less than or equal to",
                          n < min ? min : max);
  *out = v;
  return TW_OK;
}

int tw_in_object(tw_api_ctx *c, json_t *o, const char *key, int required,
                 json_t **out) {
  json_t *v = tw_in_get(o, key);
  if (!v)
    return required ? tw_in_missing(c, key) : TW_OK;
  if (!json_is_object(v))
    return tw_in_type(c, key, v, "a Structure");
  *out = v;
  return TW_OK;
}

int tw_in_time(tw_api_ctx *c, json_t *o, const char *key, int required,
               int64_t *out_ms, int *present) {
  json_t *v = tw_in_get(o, key);
  if (present)
    *present = v != NULL;
  if (!v)
    return required ? tw_in_missing(c, key) : TW_OK;
  if (json_is_number(v)) {
    double s = json_number_value(v);
    if (!isfinite(s) || fabs(s) > 9e12)
      return tw_api_invalid(c, "The parameter %s is not a valid timestamp.",
                            key);
    *out_ms = (int64_t)llround(s * 1000.0);
    return TW_OK;
  }
  if (json_is_string(v) &&
      tw_alarm_parse_time(json_string_value(v), out_ms) == TW_OK)
    return TW_OK;
  if (json_is_string(v))
    return tw_api_invalid(c, "The parameter %s is not a valid timestamp.",
                          key);
  return tw_in_type(c, key, v, "a Timestamp");
}

/* ---- tokens ------------------------------------------------------------ */

static const char tw_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int tw_token_encode(const char *text, char **out) {
  size_t n = strlen(text);
  char *t = malloc(n / 3 * 4 + 8);
  if (!t)
    return TW_ENOMEM;
  size_t j = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned char)text[i] << 16;
    if (i + 1 < n)
      v |= (unsigned char)text[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char)text[i + 2];
    t[j++] = tw_b64[(v >> 18) & 63];
    t[j++] = tw_b64[(v >> 12) & 63];
    if (i + 1 < n)
      t[j++] = tw_b64[(v >> 6) & 63];
    if (i + 2 < n)
      t[j++] = tw_b64[v & 63];
  }
  t[j] = '\0';
  *out = t;
  return TW_OK;
}

static int tw_b64_val(char ch) {
  const char *p = ch ? strchr(tw_b64, ch) : NULL;
  return p ? (int)(p - tw_b64) : -1;
}

char *tw_token_decode(const char *token) {
  size_t n = strlen(token);
  if (n % 4 == 1 || n > 4096)
    return NULL;
  char *t = malloc(n + 1);
  if (!t)
    return NULL;
  size_t j = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = tw_b64_val(token[i]);
    if (v < 0) {
      free(t);
      return NULL;
    }
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      t[j++] = (char)((acc >> bits) & 0xff);
    }
  }
  t[j] = '\0';
  if (strlen(t) != j) {
    free(t);
    return NULL;
  }
  return t;
}

/* ---- output ------------------------------------------------------------ */

int tw_out_set(tw_api_ctx *c, json_t *obj, const char *key, json_t *value) {
  (void)c;
  if (!value)
    return TW_OK;
  return json_object_set_new(obj, key, value) ? TW_ENOMEM : TW_OK;
}

json_t *tw_json_epoch_seconds(int64_t ms) {
  if (ms % 1000 == 0)
    return json_integer(ms / 1000);
  return json_real((double)ms / 1000.0);
}
