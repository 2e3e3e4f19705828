/*
 * value.c — comparison values of JSON and space-delimited patterns, and how
 * they compare with the text of an event field.
 *
 * A value is a string (with '*' wildcards anywhere, D6), a number, a
 * %regex%, or a lone '*' ("exists"). Comparison rules follow DECISIONS.md D9:
 * ordering operators are numeric only; '=' / '!=' with a numeric literal
 * compare numerically against numbers and textually against text; string
 * values compare with the text (JSON numbers: as written in the event).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int tw_pattern_number(const char *s, size_t len, double *out) {
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    i++;
  size_t d0 = i;
  while (i < len && is_digit(s[i]))
    i++;
  if (i == d0)
    return 0;
  if (i < len && s[i] == '.') {
    size_t f0 = ++i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i == f0)
      return 0;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
      i++;
    size_t e0 = i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i == e0)
      return 0;
  }
  if (i != len || len > 400)
    return 0;
  if (out) {
    char buf[402];
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
  }
  return 1;
}

void tw_glob_free(tw_glob *g) {
  for (size_t i = 0; i < g->nseg; i++)
    free(g->seg[i]);
  free(g->seg);
  free(g->seglen);
  memset(g, 0, sizeof *g);
}

/* Split s on the stars that are wildcards (literal_star[i] marks a star
 * written as \*, which stays literal). */
int tw_glob_compile(tw_glob *g, const char *s, size_t len, const unsigned char *literal_star) {
  memset(g, 0, sizeof *g);
  size_t nstars = 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '*' && !(literal_star && literal_star[i]))
      nstars++;
  g->seg = calloc(nstars + 1, sizeof *g->seg);
  g->seglen = calloc(nstars + 1, sizeof *g->seglen);
  if (!g->seg || !g->seglen) {
    tw_glob_free(g);
    return TW_ENOMEM;
  }
  g->has_star = nstars > 0;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    int is_star = i < len && s[i] == '*' && !(literal_star && literal_star[i]);
    if (i < len && !is_star)
      continue;
    size_t n = i - start;
    if (i == 0 && is_star)
      g->lead_star = 1;
    if (i == len && len > 0 && s[len - 1] == '*' && !(literal_star && literal_star[len - 1]))
      g->trail_star = 1;
    /* keep empty segments out, except the single segment of "" */
    if (n > 0 || (nstars == 0)) {
      char *seg = malloc(n + 1);
      if (!seg) {
        tw_glob_free(g);
        return TW_ENOMEM;
      }
      memcpy(seg, s + start, n);
      seg[n] = '\0';
      g->seg[g->nseg] = seg;
      g->seglen[g->nseg++] = n;
    }
    start = i + 1;
  }
  return TW_OK;
}

/* Match the whole of s against the glob. Greedy-leftmost placement of the
 * middle segments is exact for '*'-only globs. */
int tw_glob_match(const tw_glob *g, const char *s, size_t len) {
  if (!g->has_star)
    return g->seglen[0] == len && memcmp(g->seg[0], s, len) == 0;
  size_t first = 0, last = g->nseg; /* segments [first, last) still to place */
  size_t lo = 0, hi = len;          /* unmatched window of s */
  if (!g->lead_star) {
    if (g->seglen[0] > len || memcmp(s, g->seg[0], g->seglen[0]) != 0)
      return 0;
    lo = g->seglen[0];
    first = 1;
  }
  if (!g->trail_star && last > first) {
    size_t n = g->seglen[last - 1];
    if (n > hi - lo || memcmp(s + hi - n, g->seg[last - 1], n) != 0)
      return 0;
    hi -= n;
    last--;
  }
  for (size_t i = first; i < last; i++) {
    size_t n = g->seglen[i];
    if (n > hi - lo)
      return 0;
    const char *p = memmem(s + lo, hi - lo, g->seg[i], n);
    if (!p)
      return 0;
    lo = (size_t)(p - s) + n;
  }
  return 1;
}

void tw_value_free(tw_value *v) {
  tw_glob_free(&v->glob);
  free(v->text);
  tw_regex_free(v->re);
  memset(v, 0, sizeof *v);
}

static int num_cmp(tw_op op, double a, double b) {
  switch (op) {
  case TW_OP_EQ: return a == b;
  case TW_OP_NE: return a != b;
  case TW_OP_LT: return a < b;
  case TW_OP_GT: return a > b;
  case TW_OP_LE: return a <= b;
  case TW_OP_GE: return a >= b;
  }
  return 0;
}

int tw_value_compare(const tw_value *v, tw_op op, const char *text, size_t len,
                     int text_is_number, double num) {
  int eq;
  switch (v->kind) {
  case TW_VALUE_ANY:
    return op == TW_OP_EQ;
  case TW_VALUE_NUMBER:
    if (text_is_number)
      return num_cmp(op, num, v->num);
    if (op != TW_OP_EQ && op != TW_OP_NE)
      return 0;
    eq = v->text_len == len && memcmp(v->text, text, len) == 0;
    break;
  case TW_VALUE_REGEX:
    eq = tw_regex_search(v->re, text, len);
    break;
  case TW_VALUE_STRING:
  default:
    eq = tw_glob_match(&v->glob, text, len);
    break;
  }
  return op == TW_OP_EQ ? eq : op == TW_OP_NE ? !eq : 0;
}
