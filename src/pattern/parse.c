/*
 * parse.c — entry point of the filter-pattern compiler.
 *
 * Decides the pattern kind from its first non-blank character ('{' JSON,
 * '[' space-delimited, a whole-pattern %regex%, otherwise terms), parses
 * term patterns itself, and holds the helpers the JSON and delimited parsers
 * share: error/warning reporting, quoted strings, values. Errors carry the
 * 1-based column of the offending character (DECISIONS.md D15).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

int tw_parse_fail(tw_parser *ps, size_t pos, int code, const char *fmt, ...) {
  if (ps->err) {
    va_list ap;
    ps->err->code = code;
    ps->err->column = pos + 1;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

int tw_parse_warn(tw_parser *ps, size_t pos, const char *fmt, ...) {
  tw_pattern *p = ps->pat;
  tw_warning *w = realloc(p->warnings, (p->nwarnings + 1) * sizeof *w);
  if (!w)
    return TW_ENOMEM;
  p->warnings = w;
  char buf[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  w[p->nwarnings].text = strdup(buf);
  if (!w[p->nwarnings].text)
    return TW_ENOMEM;
  w[p->nwarnings++].column = pos + 1;
  return TW_OK;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void tw_parse_skip_ws(tw_parser *ps) {
  while (ps->pos < ps->len && is_ws(ps->src[ps->pos]))
    ps->pos++;
}

int tw_parse_quoted(tw_parser *ps, char **out, size_t *out_len, unsigned char **lit_star) {
  size_t open = ps->pos++;
  char *buf = malloc(ps->len - open + 1);
  unsigned char *stars = lit_star ? calloc(ps->len - open + 1, 1) : NULL;
  if (!buf || (lit_star && !stars)) {
    free(buf);
    free(stars);
    return TW_ENOMEM;
  }
  size_t n = 0;
  while (ps->pos < ps->len && ps->src[ps->pos] != '"') {
    char c = ps->src[ps->pos];
    if (c == '\\' && ps->pos + 1 < ps->len) {
      char e = ps->src[ps->pos + 1];
      if (e == '"' || e == '\\') { /* D5 */
        buf[n++] = e;
        ps->pos += 2;
        continue;
      }
      if (e == '*' && stars) { /* \* : a literal star (D6) */
        stars[n] = 1;
        buf[n++] = '*';
        ps->pos += 2;
        continue;
      }
    }
    buf[n++] = c;
    ps->pos++;
  }
  if (ps->pos >= ps->len) {
    free(buf);
    free(stars);
    return tw_parse_fail(ps, open, TW_ESYNTAX, "unterminated quoted string");
  }
  ps->pos++; /* closing quote */
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  if (lit_star)
    *lit_star = stars;
  return TW_OK;
}

int tw_parse_regex_value(tw_parser *ps, tw_value *v) {
  memset(v, 0, sizeof *v);
  v->kind = TW_VALUE_REGEX;
  size_t open = ps->pos++;
  size_t start = ps->pos;
  while (ps->pos < ps->len && ps->src[ps->pos] != '%')
    ps->pos++;
  if (ps->pos >= ps->len)
    return tw_parse_fail(ps, open, TW_ESYNTAX, "unterminated regular expression: expected a closing '%%'");
  size_t body_len = ps->pos - start;
  ps->pos++;
  if (++ps->pat->nregex > TW_PATTERN_MAX_REGEX && !(ps->flags & TW_PATTERN_NO_AWS_LIMITS))
    return tw_parse_fail(ps, open, TW_ELIMIT,
                         "too many regular expressions: at most %d per filter pattern",
                         TW_PATTERN_MAX_REGEX);
  tw_error rerr = {0};
  int rc = tw_regex_compile(ps->src + start, body_len, &v->re, &rerr);
  if (rc) {
    size_t col = rerr.column ? start + rerr.column - 1 : open;
    return tw_parse_fail(ps, col, rc, "%s", rerr.message);
  }
  for (size_t i = 0; i < body_len; i++)
    if (ps->src[start + i] == ' ') {
      tw_parse_warn(ps, start + i,
                    "AWS behaviour uncertain: a space inside a regular expression is not in "
                    "AWS's list of allowed characters (trailwatch accepts it; consider \\x20)");
      break;
    }
  return TW_OK;
}

int tw_value_from_text(tw_parser *ps, size_t pos, tw_value *v, char *text, size_t len,
                       unsigned char *lit_star, int quoted) {
  memset(v, 0, sizeof *v);
  v->text = text;
  v->text_len = len;
  int lit_any = 0;
  for (size_t i = 0; lit_star && i < len; i++)
    lit_any |= lit_star[i];
  if (len == 1 && text[0] == '*' && !lit_any) {
    v->kind = TW_VALUE_ANY;
  } else if (!quoted && !lit_any && tw_pattern_number(text, len, &v->num)) {
    v->kind = TW_VALUE_NUMBER;
  } else {
    v->kind = TW_VALUE_STRING;
    int rc = tw_glob_compile(&v->glob, text, len, lit_star);
    if (rc)
      return rc;
    for (size_t i = 1; i + 1 < len; i++)
      if (text[i] == '*' && !(lit_star && lit_star[i])) {
        tw_parse_warn(ps, pos,
                      "AWS behaviour uncertain: '*' in the middle of a value is a wildcard in "
                      "trailwatch (D6); older AWS documentation treated it as a literal");
        break;
      }
  }
  return TW_OK;
}

/* A bare value: runs to whitespace or one of stop; '\*' is a literal star.
 * The value is built with tw_value_from_text. */
int tw_parse_bare_value(tw_parser *ps, const char *stop, tw_value *v) {
  size_t start = ps->pos;
  char *buf = malloc(ps->len - start + 1);
  unsigned char *stars = calloc(ps->len - start + 1, 1);
  if (!buf || !stars) {
    free(buf);
    free(stars);
    return TW_ENOMEM;
  }
  size_t n = 0;
  while (ps->pos < ps->len && !is_ws(ps->src[ps->pos]) && !strchr(stop, ps->src[ps->pos])) {
    if (ps->src[ps->pos] == '\\' && ps->pos + 1 < ps->len && ps->src[ps->pos + 1] == '*') {
      stars[n] = 1;
      ps->pos++;
    }
    buf[n++] = ps->src[ps->pos++];
  }
  if (n == 0) {
    free(buf);
    free(stars);
    return tw_parse_fail(ps, start, TW_ESYNTAX, "expected a value");
  }
  buf[n] = '\0';
  int rc = tw_value_from_text(ps, start, v, buf, n, stars, 0);
  free(stars);
  if (rc && !v->text)
    free(buf);
  return rc;
}

/* ---- term patterns ---- */

static int term_char_forbidden(char c) {
  return strchr("{}[]()=!<>&|,", c) != NULL;
}

static int add_term(tw_pattern *p, tw_term_kind kind, char *text, size_t len) {
  tw_term *t = realloc(p->terms, (p->nterms + 1) * sizeof *t);
  if (!t) {
    free(text);
    return TW_ENOMEM;
  }
  p->terms = t;
  t[p->nterms].kind = kind;
  t[p->nterms].text = text;
  t[p->nterms++].len = len;
  return TW_OK;
}

static int parse_bare_term(tw_parser *ps, char **out, size_t *out_len) {
  size_t start = ps->pos;
  while (ps->pos < ps->len && !is_ws(ps->src[ps->pos]) && ps->src[ps->pos] != '"') {
    char c = ps->src[ps->pos];
    if (term_char_forbidden(c))
      return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                           "unexpected '%c' in a term: put terms containing punctuation "
                           "inside double quotes",
                           c);
    ps->pos++;
  }
  size_t n = ps->pos - start;
  if (n >= 2 && ps->src[start] == '%' && ps->src[start + n - 1] == '%')
    return tw_parse_fail(ps, start, TW_ESYNTAX,
                         "a regular expression must be the whole filter pattern; it cannot "
                         "be combined with terms");
  char *s = malloc(n + 1);
  if (!s)
    return TW_ENOMEM;
  memcpy(s, ps->src + start, n);
  s[n] = '\0';
  *out = s;
  *out_len = n;
  return TW_OK;
}

static int parse_terms(tw_parser *ps) {
  tw_pattern *p = ps->pat;
  int n_or = 0, n_other = 0;
  size_t first_or = 0;
  for (tw_parse_skip_ws(ps); ps->pos < ps->len; tw_parse_skip_ws(ps)) {
    tw_term_kind kind = TW_TERM_AND;
    size_t tpos = ps->pos;
    char c = ps->src[ps->pos];
    if (c == '?' || c == '-') {
      kind = c == '?' ? TW_TERM_OR : TW_TERM_NOT;
      ps->pos++;
      if (ps->pos < ps->len && is_ws(ps->src[ps->pos])) {
        tw_parse_skip_ws(ps);
        if (ps->pos >= ps->len)
          return tw_parse_fail(ps, tpos, TW_ESYNTAX, "expected a term after '%c'", c);
        tw_parse_warn(ps, tpos,
                      "AWS behaviour uncertain: space between '%c' and its term; write "
                      "%c\"term\" without a space",
                      c, c);
      } else if (ps->pos >= ps->len) {
        return tw_parse_fail(ps, tpos, TW_ESYNTAX, "expected a term after '%c'", c);
      }
    }
    char *text;
    size_t len;
    int rc = ps->src[ps->pos] == '"' ? tw_parse_quoted(ps, &text, &len, NULL)
                                     : parse_bare_term(ps, &text, &len);
    if (rc)
      return rc;
    if (kind == TW_TERM_OR) {
      if (!n_or++)
        first_or = tpos;
    } else {
      n_other++;
    }
    if ((rc = add_term(p, kind, text, len)))
      return rc;
  }
  p->or_mode = n_or > 0 && n_other == 0;
  if (n_or && n_other)
    tw_parse_warn(ps, first_or,
                  "'?' terms mixed with other terms are ignored (D2, as AWS documents); use "
                  "a JSON pattern with || or a %%regex%% for OR logic");
  return TW_OK;
}

/* ---- dispatch ---- */

static int is_match_all(const char *s, size_t len) {
  return len == 0 || (len == 2 && s[0] == '"' && s[1] == '"') ||
         (len == 3 && s[0] == '"' && s[1] == ' ' && s[2] == '"');
}

static int parse_standalone_regex(tw_parser *ps) {
  tw_value v;
  int rc = tw_parse_regex_value(ps, &v);
  ps->pat->regex = v.re;
  if (rc)
    return rc;
  tw_parse_skip_ws(ps);
  if (ps->pos < ps->len)
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                         "a regular expression must be the whole filter pattern; it cannot "
                         "be combined with terms");
  return TW_OK;
}

static int parse_pattern(tw_parser *ps) {
  tw_parse_skip_ws(ps);
  size_t end = ps->len;
  while (end > ps->pos && is_ws(ps->src[end - 1]))
    end--;
  ps->len = end; /* D13: whitespace around the pattern is ignored */
  const char *s = ps->src + ps->pos;
  size_t n = end - ps->pos;
  tw_pattern *p = ps->pat;
  if (is_match_all(s, n)) {
    p->kind = TW_PATTERN_ALL;
    if (n == 3)
      tw_parse_warn(ps, ps->pos,
                    "AWS behaviour uncertain: \" \" is documented as matching every event; "
                    "trailwatch matches every event (D3). The empty pattern is unambiguous");
    return TW_OK;
  }
  switch (s[0]) {
  case '{':
    p->kind = TW_PATTERN_JSON;
    return tw_parse_json(ps);
  case '[':
    p->kind = TW_PATTERN_DELIMITED;
    return tw_parse_delimited(ps);
  case '%':
    p->kind = TW_PATTERN_REGEX;
    return parse_standalone_regex(ps);
  default:
    p->kind = TW_PATTERN_TERMS;
    return parse_terms(ps);
  }
}

int tw_pattern_compile(const char *text, size_t len, unsigned flags, tw_pattern **out,
                       tw_error *err) {
  if (!text && len)
    return tw_error_set(err, TW_EINVAL, 0, "no pattern text");
  if (len > TW_PATTERN_MAX_LEN && !(flags & TW_PATTERN_NO_AWS_LIMITS))
    return tw_error_set(err, TW_ELIMIT, TW_PATTERN_MAX_LEN + 1,
                        "filter pattern is %zu characters long; AWS allows at most %d", len,
                        TW_PATTERN_MAX_LEN);
  tw_pattern *p = calloc(1, sizeof *p);
  if (!p)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  p->ellipsis = -1;
  p->src = malloc(len + 1);
  if (!p->src) {
    free(p);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  if (len)
    memcpy(p->src, text, len);
  p->src[len] = '\0';
  p->src_len = len;
  tw_parser ps = {.src = p->src, .len = len, .flags = flags, .pat = p, .err = err};
  int rc = parse_pattern(&ps);
  if (rc) {
    if (rc == TW_ENOMEM)
      tw_error_set(err, TW_ENOMEM, 0, "out of memory");
    tw_pattern_free(p);
    return rc;
  }
  *out = p;
  return TW_OK;
}

void tw_pattern_free(tw_pattern *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->nterms; i++)
    free(p->terms[i].text);
  free(p->terms);
  tw_regex_free(p->regex);
  tw_node_free(p->root);
  for (size_t i = 0; i < p->nsels; i++) {
    free(p->sels[i].text);
    free(p->sels[i].steps);
  }
  free(p->sels);
  free(p->sel_ids);
  free(p->src);
  tw_json_plan_free(p->plan);
  for (size_t i = 0; i < p->nfields; i++) {
    free(p->fields[i].name);
    tw_cond_free(p->fields[i].cond);
  }
  free(p->fields);
  for (size_t i = 0; i < p->nwarnings; i++)
    free(p->warnings[i].text);
  free(p->warnings);
  free(p);
}

tw_pattern_kind tw_pattern_get_kind(const tw_pattern *p) { return p->kind; }

size_t tw_pattern_warning_count(const tw_pattern *p) { return p->nwarnings; }

const char *tw_pattern_warning(const tw_pattern *p, size_t i, size_t *column) {
  if (i >= p->nwarnings)
    return NULL;
  if (column)
    *column = p->warnings[i].column;
  return p->warnings[i].text;
}
