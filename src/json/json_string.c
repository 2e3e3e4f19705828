/*
 * json_string.c — turning reported JSON values into C values: escape
 * decoding of strings (tw_json_string_decode) and number conversion
 * (tw_json_number_parse). Used by the pattern evaluator after tw_json_scan
 * (json.c) reported a value; the escape rules are shared with the scanner
 * through json_internal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"

/* Copy src[0..n) to buf at offset at, clipped to cap. */
static void tw_json_put(char *buf, size_t cap, size_t at, const void *src,
                        size_t n) {
  if (at < cap && n)
    memcpy(buf + at, src, n < cap - at ? n : cap - at);
}

int tw_json_string_decode(const tw_json_value *v, char *buf, size_t cap,
                          size_t *out_len) {
  if (!v || !out_len || (!buf && cap) || (!v->ptr && v->len))
    return TW_EINVAL;
  if (!v->has_escapes || v->len == 0) {
    tw_json_put(buf, cap, 0, v->ptr, v->len);
    *out_len = v->len;
    return TW_OK;
  }
  const unsigned char *p = (const unsigned char *)v->ptr, *end = p + v->len;
  size_t n = 0;
  while (p < end) {
    const unsigned char *bs = memchr(p, '\\', (size_t)(end - p));
    size_t run = (size_t)((bs ? bs : end) - p);
    tw_json_put(buf, cap, n, p, run);
    n += run;
    p += run;
    if (p == end)
      break;
    uint32_t cp;
    size_t used = tw_json_escape(p, end, &cp);
    if (!used)
      return TW_ESYNTAX;
    unsigned char u[4];
    size_t m = tw_json_utf8_put(cp, u);
    tw_json_put(buf, cap, n, u, m);
    n += m;
    p += used;
  }
  *out_len = n;
  return TW_OK;
}

/* Parse the decimal exponent digits s[0..n) saturating at +-1e15. */
static long long tw_json_exponent(const char *s, size_t n) {
  int neg = 0;
  if (n && (*s == '+' || *s == '-')) {
    neg = *s == '-';
    s++;
    n--;
  }
  long long e = 0;
  for (size_t i = 0; i < n; i++)
    if (e < 1000000000000000ll)
      e = e * 10 + (s[i] - '0');
  return neg ? -e : e;
}

/*
 * The number is rewritten as "[-]DIGITSe<exp>" (the fraction's digits
 * moved into the mantissa, the exponent adjusted) before strtod. Such text
 * holds no decimal point, so the result does not depend on LC_NUMERIC;
 * glibc's strtod rounds correctly. Out-of-range magnitudes give +-HUGE_VAL
 * (infinity) or a (sub)normal/zero, still TW_OK: that is the IEEE
 * round-to-nearest of the value.
 */
int tw_json_number_parse(const char *text, size_t len, double *out) {
  if (!out || !text)
    return TW_EINVAL;
  if (len == 0 || tw_json_number_span(text, len) != len)
    return TW_ESYNTAX;
  char local[128];
  size_t cap = len + 32;
  char *buf = cap <= sizeof local ? local : malloc(cap);
  if (!buf)
    return TW_ENOMEM;
  size_t n = 0, i = 0, frac = 0;
  if (text[i] == '-')
    buf[n++] = text[i++];
  for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
    buf[n++] = text[i];
  if (i < len && text[i] == '.')
    for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++, frac++)
      buf[n++] = text[i];
  long long e = 0;
  if (i < len) /* 'e' or 'E' */
    e = tw_json_exponent(text + i + 1, len - i - 1);
  snprintf(buf + n, cap - n, "e%lld", e - (long long)frac);
  *out = strtod(buf, NULL);
  if (buf != local)
    free(buf);
  return TW_OK;
}
