/*
 * parse_delim.c — parser for space-delimited filter patterns:
 * [ip, user, ..., status_code = 4* && status_code != 403, bytes > 1000].
 *
 * Produces the list of field slots (named, unnamed, or the '...' ellipsis)
 * with an optional condition tree per slot ('&&' binds tighter than '||';
 * every comparison inside a slot names the slot's own field).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

static char peek(const tw_parser *ps) { return ps->pos < ps->len ? ps->src[ps->pos] : '\0'; }

static int is_name_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-'; }

void tw_cond_free(tw_cond *c) {
  if (!c)
    return;
  tw_cond_free(c->left);
  tw_cond_free(c->right);
  if (c->kind == TW_COND_CMP)
    tw_value_free(&c->value);
  free(c);
}

static int parse_op(tw_parser *ps, tw_op *op) {
  char c = peek(ps), d = ps->pos + 1 < ps->len ? ps->src[ps->pos + 1] : '\0';
  if (c == '=' && d == '=')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "'==' is not an operator: use '='");
  if (c == '!' && d == '=') { *op = TW_OP_NE; ps->pos += 2; }
  else if (c == '<' && d == '=') { *op = TW_OP_LE; ps->pos += 2; }
  else if (c == '>' && d == '=') { *op = TW_OP_GE; ps->pos += 2; }
  else if (c == '=') { *op = TW_OP_EQ; ps->pos++; }
  else if (c == '<') { *op = TW_OP_LT; ps->pos++; }
  else if (c == '>') { *op = TW_OP_GT; ps->pos++; }
  else
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                         "expected an operator (=, !=, <, >, <=, >=) after the field name");
  return TW_OK;
}

static int parse_value(tw_parser *ps, tw_op op, tw_value *v) {
  size_t at = ps->pos;
  int rc;
  char c = peek(ps);
  if (c == '%') {
    rc = tw_parse_regex_value(ps, v);
  } else if (c == '"') {
    char *text;
    size_t len;
    unsigned char *stars;
    if ((rc = tw_parse_quoted(ps, &text, &len, &stars)))
      return rc;
    rc = tw_value_from_text(ps, at, v, text, len, stars, 1);
    free(stars);
  } else if (c == '(' || c == ')') {
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                         "parentheses are not supported in space-delimited patterns");
  } else {
    rc = tw_parse_bare_value(ps, ",]&|()", v);
  }
  if (rc)
    return rc;
  if (op != TW_OP_EQ && op != TW_OP_NE && v->kind != TW_VALUE_NUMBER)
    return tw_parse_fail(ps, at, TW_ESYNTAX,
                         "<, >, <= and >= compare numbers: expected a numeric value");
  return TW_OK;
}

/* name op value, where the name must be the slot's own (already known). */
static int parse_cmp(tw_parser *ps, const tw_field *f, int name_done, tw_cond **out) {
  tw_parse_skip_ws(ps);
  if (!name_done) {
    size_t n0 = ps->pos;
    while (is_name_char(peek(ps)))
      ps->pos++;
    size_t n = ps->pos - n0;
    if (n == 0)
      return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "expected the field name '%s'", f->name);
    if (n != f->name_len || memcmp(ps->src + n0, f->name, n) != 0)
      return tw_parse_fail(ps, n0, TW_ESYNTAX,
                           "a condition in field '%s' must compare '%s' itself", f->name,
                           f->name);
    tw_parse_skip_ws(ps);
  }
  tw_cond *c = calloc(1, sizeof *c);
  if (!c)
    return TW_ENOMEM;
  c->kind = TW_COND_CMP;
  int rc = parse_op(ps, &c->op);
  if (!rc) {
    tw_parse_skip_ws(ps);
    rc = parse_value(ps, c->op, &c->value);
  }
  if (rc) {
    tw_cond_free(c);
    return rc;
  }
  *out = c;
  return TW_OK;
}

static int at_op(tw_parser *ps, char ch) {
  tw_parse_skip_ws(ps);
  return ps->pos + 1 < ps->len && ps->src[ps->pos] == ch && ps->src[ps->pos + 1] == ch;
}

/* and := cmp ('&&' cmp)* ; or := and ('||' and)* */
static int parse_cond(tw_parser *ps, const tw_field *f, int name_done, tw_cond_kind kind,
                      tw_cond **out) {
  char ch = kind == TW_COND_OR ? '|' : '&';
  tw_cond *left;
  int rc = kind == TW_COND_OR ? parse_cond(ps, f, name_done, TW_COND_AND, &left)
                              : parse_cmp(ps, f, name_done, &left);
  if (rc)
    return rc;
  while (at_op(ps, ch)) {
    ps->pos += 2;
    tw_cond *right, *both = NULL;
    rc = kind == TW_COND_OR ? parse_cond(ps, f, 0, TW_COND_AND, &right)
                            : parse_cmp(ps, f, 0, &right);
    if (!rc && !(both = calloc(1, sizeof *both))) {
      tw_cond_free(right);
      rc = TW_ENOMEM;
    }
    if (rc) {
      tw_cond_free(left);
      return rc;
    }
    both->kind = kind;
    both->left = left;
    both->right = right;
    left = both;
  }
  *out = left;
  return TW_OK;
}

static int add_field(tw_pattern *p, tw_field **out) {
  tw_field *f = realloc(p->fields, (p->nfields + 1) * sizeof *f);
  if (!f)
    return TW_ENOMEM;
  p->fields = f;
  *out = &f[p->nfields++];
  memset(*out, 0, sizeof **out);
  return TW_OK;
}

static int parse_named(tw_parser *ps, tw_field *f) {
  size_t n0 = ps->pos;
  while (is_name_char(peek(ps)))
    ps->pos++;
  size_t n = ps->pos - n0;
  if (n == 0)
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                         "unexpected '%c': expected a field name, '...' or ','", peek(ps));
  tw_pattern *p = ps->pat;
  for (size_t i = 0; i + 1 < p->nfields; i++)
    if (p->fields[i].kind == TW_FIELD_NAMED && p->fields[i].name_len == n &&
        !memcmp(p->fields[i].name, ps->src + n0, n))
      return tw_parse_fail(ps, n0, TW_ESYNTAX, "duplicate field name '%.*s'", (int)n,
                           ps->src + n0);
  f->kind = TW_FIELD_NAMED;
  f->name = strndup(ps->src + n0, n);
  if (!f->name)
    return TW_ENOMEM;
  f->name_len = n;
  tw_parse_skip_ws(ps);
  char c = peek(ps);
  if (c == ',' || c == ']' || c == '\0')
    return TW_OK;
  return parse_cond(ps, f, 1, TW_COND_OR, &f->cond);
}

static int parse_field(tw_parser *ps) {
  tw_pattern *p = ps->pat;
  tw_field *f;
  if (add_field(p, &f))
    return TW_ENOMEM;
  tw_parse_skip_ws(ps);
  char c = peek(ps);
  if (c == ',' || c == ']') {
    f->kind = TW_FIELD_UNNAMED;
    return TW_OK;
  }
  if (c == '.' && ps->pos + 2 < ps->len && !strncmp(ps->src + ps->pos, "...", 3)) {
    if (p->ellipsis >= 0)
      return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "only one '...' is allowed in a pattern");
    p->ellipsis = (int)(p->nfields - 1);
    f->kind = TW_FIELD_ELLIPSIS;
    ps->pos += 3;
    return TW_OK;
  }
  return parse_named(ps, f);
}

int tw_parse_delimited(tw_parser *ps) {
  size_t open = ps->pos++;
  tw_parse_skip_ws(ps);
  if (peek(ps) != ']') {
    for (;;) {
      int rc = parse_field(ps);
      if (rc)
        return rc;
      tw_parse_skip_ws(ps);
      if (peek(ps) == ',') {
        ps->pos++;
        /* a trailing comma makes one more, unnamed, field */
        continue;
      }
      break;
    }
  }
  tw_parse_skip_ws(ps);
  if (ps->pos >= ps->len)
    return tw_parse_fail(ps, open, TW_ESYNTAX, "expected ']' to close the '[' at column %zu",
                         open + 1);
  if (peek(ps) != ']')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "unexpected '%c': expected ',' or ']'",
                         peek(ps));
  ps->pos++;
  tw_parse_skip_ws(ps);
  if (ps->pos < ps->len)
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "unexpected text after the closing ']'");
  if (ps->pat->ellipsis < 0 && ps->pat->nfields > 0)
    tw_parse_warn(ps, open,
                  "AWS behaviour uncertain: without '...', a message with more fields than "
                  "the pattern matches and its last field takes the rest of the message (D1)");
  return TW_OK;
}
