/*
 * walk.c — structural helpers of the input layer over raw JSON text:
 *
 *  - tw_walk_value finds where a value ends by its structure alone
 *    (brackets, strings, raw control characters), notes whether it holds
 *    insignificant whitespace, and says why and where the structure breaks
 *    (truncated input, a newline inside a string, a mismatched bracket).
 *    It is the fast first pass over every event; full validation is left to
 *    tw_json_scan (src/json/) on the extent found here.
 *  - tw_walk_compact removes insignificant whitespace (CloudWatch Logs
 *    messages from CloudTrail are compact JSON).
 *  - tw_json_locate is the slow diagnostic path: when tw_json_scan rejects
 *    a text, it finds the offset and reason of the first error.
 */
#include <string.h>

#include "ingest/ingest_internal.h"

/* High bit set in each byte of x that is '"', '\\' or below 0x20. Bits
 * above the lowest set one may be false positives; the lowest is exact. */
static inline uint64_t tw_walk_special8(uint64_t x) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
  uint64_t lt = (x - ones * 0x20) & ~x;
  uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
  return (lt | zq | zb) & highs;
}

static inline const char *tw_walk_plain(const char *p, const char *end) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (end - p >= 8) {
    uint64_t x;
    memcpy(&x, p, sizeof x);
    uint64_t m = tw_walk_special8(x);
    if (m)
      return p + (__builtin_ctzll(m) >> 3);
    p += 8;
  }
#endif
  while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
    p++;
  return p;
}

const char *tw_walk_string(const char *p, const char *end, const char **err,
                           const char **reason) {
  for (;;) {
    p = tw_walk_plain(p, end);
    if (p == end)
      break;
    if (*p == '"')
      return p;
    if (*p == '\\') {
      if (end - p < 2)
        break;
      if ((unsigned char)p[1] < 0x20) {
        *err = p + 1;
        *reason = "raw control character in a string";
        return NULL;
      }
      p += 2;
      continue;
    }
    *err = p;
    *reason = *p == '\n' ? "raw newline in a string (truncated line?)"
                         : "raw control character in a string";
    return NULL;
  }
  *err = end;
  *reason = "unexpected end of input inside a string";
  return NULL;
}

static int tw_walk_fail(tw_walk *w, const char *at, const char *reason, int incomplete) {
  w->err = at;
  w->reason = reason;
  w->incomplete = incomplete;
  return TW_ESYNTAX;
}

/* A scalar outside strings at depth 0: up to the next delimiter. */
static const char *tw_walk_scalar(const char *p, const char *end) {
  while (p < end) {
    char c = *p;
    if (tw_walk_is_ws(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' ||
        c == '"' || c == ':' || (unsigned char)c < 0x20)
      break;
    p++;
  }
  return p;
}

int tw_walk_value(const char *p, const char *end, tw_walk *w) {
  uint64_t arrays[TW_JSON_MAX_DEPTH / 64 + 1];
  size_t depth = 0;
  w->has_ws = 0;
  w->incomplete = 0;
  for (;;) {
    if (p == end)
      return tw_walk_fail(w, end, "unexpected end of input (truncated?)", 1);
    unsigned char c = (unsigned char)*p;
    if (c == '"') {
      const char *err = NULL, *reason = NULL;
      const char *q = tw_walk_string(p + 1, end, &err, &reason);
      if (!q)
        return tw_walk_fail(w, err, reason, err == end);
      p = q + 1;
      if (depth == 0)
        break;
    } else if (c == '{' || c == '[') {
      if (depth == TW_JSON_MAX_DEPTH)
        return tw_walk_fail(w, p, "nesting deeper than 512 levels", 0);
      uint64_t bit = 1ull << (depth & 63);
      arrays[depth >> 6] = c == '[' ? arrays[depth >> 6] | bit : arrays[depth >> 6] & ~bit;
      depth++;
      p++;
    } else if (c == '}' || c == ']') {
      if (depth == 0)
        return tw_walk_fail(w, p, "unexpected closing bracket", 0);
      int is_array = (int)((arrays[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1);
      if (is_array != (c == ']'))
        return tw_walk_fail(w, p, "mismatched closing bracket", 0);
      depth--;
      p++;
      if (depth == 0)
        break;
    } else if (tw_walk_is_ws((char)c)) {
      w->has_ws = 1;
      p++;
    } else if (c < 0x20) {
      return tw_walk_fail(w, p, "control character outside a string", 0);
    } else if (depth == 0) {
      p = tw_walk_scalar(p, end);
      break;
    } else {
      p++;
    }
  }
  w->end = p;
  return TW_OK;
}

int tw_walk_compact(const char *src, size_t n, tw_buf *out) {
  int rc = tw_buf_reserve(out, n);
  if (rc)
    return rc;
  char *o = out->data + out->len;
  const char *p = src, *end = src + n;
  while (p < end) {
    char c = *p;
    if (c == '"') {
      const char *err, *why;
      const char *q = tw_walk_string(p + 1, end, &err, &why);
      q = q ? q + 1 : end;
      memcpy(o, p, (size_t)(q - p));
      o += q - p;
      p = q;
    } else {
      if (!tw_walk_is_ws(c))
        *o++ = c;
      p++;
    }
  }
  out->len = (size_t)(o - out->data);
  return TW_OK;
}

/* ------------------------------------------------------------------ */
/* Error locator: a small recursive-descent validator that stops at the */
/* first error. Only used once tw_json_scan has rejected a text.        */
/* ------------------------------------------------------------------ */

typedef struct tw_loc {
  const unsigned char *p, *e;
  const unsigned char *at; /* error position */
  const char *why;
  int depth;
} tw_loc;

static int tw_loc_fail(tw_loc *L, const unsigned char *at, const char *why) {
  L->at = at;
  L->why = why;
  return 0;
}

static void tw_loc_ws(tw_loc *L) {
  while (L->p < L->e && tw_walk_is_ws((char)*L->p))
    L->p++;
}

static int tw_loc_cont(const unsigned char *p, const unsigned char *e, size_t i,
                       unsigned lo, unsigned hi) {
  return p + i < e && p[i] >= lo && p[i] <= hi;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t tw_loc_utf8(const unsigned char *p, const unsigned char *e) {
  unsigned c = *p;
  if (c >= 0xC2 && c <= 0xDF)
    return tw_loc_cont(p, e, 1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return tw_loc_cont(p, e, 1, lo, hi) && tw_loc_cont(p, e, 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return tw_loc_cont(p, e, 1, lo, hi) && tw_loc_cont(p, e, 2, 0x80, 0xBF) &&
                   tw_loc_cont(p, e, 3, 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

static int tw_loc_hex4(const unsigned char *p, const unsigned char *e, unsigned *v) {
  *v = 0;
  if (e - p < 4)
    return 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = p[i], d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else
      return 0;
    *v = *v * 16 + d;
  }
  return 1;
}

/* L->p at a backslash inside a string. */
static int tw_loc_escape(tw_loc *L) {
  const unsigned char *s = L->p;
  if (L->e - s < 2)
    return tw_loc_fail(L, L->e, "unexpected end of input inside a string");
  if (!strchr("\"\\/bfnrtu", s[1]) || s[1] == 0)
    return tw_loc_fail(L, s, "invalid escape sequence");
  if (s[1] != 'u') {
    L->p = s + 2;
    return 1;
  }
  unsigned v, w;
  if (!tw_loc_hex4(s + 2, L->e, &v))
    return tw_loc_fail(L, s, "invalid \\u escape");
  if (v >= 0xDC00 && v <= 0xDFFF)
    return tw_loc_fail(L, s, "lone low surrogate escape");
  if (v >= 0xD800 && v <= 0xDBFF) {
    if (L->e - s < 12 || s[6] != '\\' || s[7] != 'u' || !tw_loc_hex4(s + 8, L->e, &w) ||
        w < 0xDC00 || w > 0xDFFF)
      return tw_loc_fail(L, s, "high surrogate escape not followed by a low one");
    L->p = s + 12;
    return 1;
  }
  L->p = s + 6;
  return 1;
}

static int tw_loc_string(tw_loc *L) {
  L->p++; /* the opening quote */
  for (;;) {
    if (L->p == L->e)
      return tw_loc_fail(L, L->e, "unexpected end of input inside a string");
    unsigned c = *L->p;
    if (c == '"') {
      L->p++;
      return 1;
    }
    if (c == '\\') {
      if (!tw_loc_escape(L))
        return 0;
    } else if (c < 0x20) {
      return tw_loc_fail(L, L->p, "raw control character in a string");
    } else if (c >= 0x80) {
      size_t n = tw_loc_utf8(L->p, L->e);
      if (!n)
        return tw_loc_fail(L, L->p, "invalid UTF-8");
      L->p += n;
    } else {
      L->p++;
    }
  }
}

static size_t tw_loc_digits(tw_loc *L) {
  const unsigned char *s = L->p;
  while (L->p < L->e && *L->p >= '0' && *L->p <= '9')
    L->p++;
  return (size_t)(L->p - s);
}

static int tw_loc_number(tw_loc *L) {
  if (*L->p == '-')
    L->p++;
  if (L->p == L->e || *L->p < '0' || *L->p > '9')
    return tw_loc_fail(L, L->p, "invalid number");
  if (*L->p == '0') {
    L->p++;
    if (L->p < L->e && *L->p >= '0' && *L->p <= '9')
      return tw_loc_fail(L, L->p, "leading zero in a number");
  } else {
    tw_loc_digits(L);
  }
  if (L->p < L->e && *L->p == '.') {
    L->p++;
    if (!tw_loc_digits(L))
      return tw_loc_fail(L, L->p, "invalid number: digit expected after '.'");
  }
  if (L->p < L->e && (*L->p | 0x20) == 'e') {
    L->p++;
    if (L->p < L->e && (*L->p == '+' || *L->p == '-'))
      L->p++;
    if (!tw_loc_digits(L))
      return tw_loc_fail(L, L->p, "invalid number: digit expected in the exponent");
  }
  return 1;
}

static int tw_loc_literal(tw_loc *L, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(L->e - L->p) < n || memcmp(L->p, word, n) != 0)
    return tw_loc_fail(L, L->p, "invalid literal");
  L->p += n;
  return 1;
}

static int tw_loc_value(tw_loc *L);

/* L->p at '{' or '['. */
static int tw_loc_container(tw_loc *L) {
  int obj = *L->p == '{';
  char close = obj ? '}' : ']';
  if (++L->depth > TW_JSON_MAX_DEPTH)
    return tw_loc_fail(L, L->p, "nesting deeper than 512 levels");
  L->p++;
  tw_loc_ws(L);
  if (L->p < L->e && *L->p == close) {
    L->p++;
    L->depth--;
    return 1;
  }
  for (;;) {
    if (obj) {
      tw_loc_ws(L);
      if (L->p == L->e)
        return tw_loc_fail(L, L->e, "unexpected end of input");
      if (*L->p != '"')
        return tw_loc_fail(L, L->p, "expected a member name");
      if (!tw_loc_string(L))
        return 0;
      tw_loc_ws(L);
      if (L->p == L->e || *L->p != ':')
        return tw_loc_fail(L, L->p, "expected ':'");
      L->p++;
    }
    if (!tw_loc_value(L))
      return 0;
    tw_loc_ws(L);
    if (L->p == L->e)
      return tw_loc_fail(L, L->e, "unexpected end of input");
    if (*L->p == close) {
      L->p++;
      L->depth--;
      return 1;
    }
    if (*L->p != ',')
      return tw_loc_fail(L, L->p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    L->p++;
  }
}

static int tw_loc_value(tw_loc *L) {
  tw_loc_ws(L);
  if (L->p == L->e)
    return tw_loc_fail(L, L->e, "unexpected end of input");
  switch (*L->p) {
  case '{':
  case '[':
    return tw_loc_container(L);
  case '"':
    return tw_loc_string(L);
  case 't':
    return tw_loc_literal(L, "true");
  case 'f':
    return tw_loc_literal(L, "false");
  case 'n':
    return tw_loc_literal(L, "null");
  default:
    if (*L->p == '-' || (*L->p >= '0' && *L->p <= '9'))
      return tw_loc_number(L);
    return tw_loc_fail(L, L->p, "unexpected character");
  }
}

int tw_json_locate(const char *doc, size_t len, size_t *off, const char **reason) {
  const unsigned char *s = (const unsigned char *)doc;
  tw_loc L = {s, s + len, NULL, NULL, 0};
  *off = 0;
  *reason = NULL;
  if (tw_loc_value(&L)) {
    tw_loc_ws(&L);
    if (L.p == L.e)
      return 0;
    tw_loc_fail(&L, L.p, "unexpected data after the JSON value");
  }
  *off = (size_t)(L.at - s);
  *reason = L.why;
  return 1;
}
