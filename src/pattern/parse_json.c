/*
 * parse_json.c — parser for JSON filter patterns: { $.a.b = "x" && ... }.
 *
 * Builds a tree of AND/OR/comparison nodes ('&&' binds tighter than '||',
 * parentheses group) and registers every selector path in a tw_json_plan so
 * the evaluator can resolve all of them in one scan of the event. Enforces
 * AWS's wildcard quotas and reports uncertain constructs as lint warnings.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pattern/pattern_internal.h"

#define MAX_STEPS 64
#define MAX_NESTING 256

static int parse_or(tw_parser *ps, tw_node **out, int depth);

static int is_name_char(char c) {
  return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '@';
}

static char peek(const tw_parser *ps) { return ps->pos < ps->len ? ps->src[ps->pos] : '\0'; }

static int new_node(tw_node_kind kind, tw_node **out) {
  tw_node *n = calloc(1, sizeof *n);
  if (!n)
    return TW_ENOMEM;
  n->kind = kind;
  *out = n;
  return TW_OK;
}

void tw_node_free(tw_node *n) {
  if (!n)
    return;
  tw_node_free(n->left);
  tw_node_free(n->right);
  if (n->kind == TW_NODE_CMP)
    tw_value_free(&n->value);
  free(n);
}

/* One step after '[': *, a number or 'quoted key'. */
static int parse_bracket(tw_parser *ps, tw_json_step *st) {
  size_t open = ps->pos++;
  char c = peek(ps);
  if (c == '*') {
    st->kind = TW_JSON_STEP_ANY_INDEX;
    ps->pos++;
  } else if (isdigit((unsigned char)c)) {
    unsigned long v = 0;
    while (isdigit((unsigned char)peek(ps))) {
      v = v * 10 + (unsigned long)(peek(ps) - '0');
      if (v > 0xFFFFFFFFul)
        return tw_parse_fail(ps, open, TW_ESYNTAX, "array index too large");
      ps->pos++;
    }
    st->kind = TW_JSON_STEP_INDEX;
    st->index = (uint32_t)v;
  } else if (c == '\'') {
    size_t k0 = ++ps->pos;
    while (ps->pos < ps->len && ps->src[ps->pos] != '\'')
      ps->pos++;
    if (ps->pos >= ps->len)
      return tw_parse_fail(ps, k0 - 1, TW_ESYNTAX, "unterminated quoted property name");
    st->kind = TW_JSON_STEP_KEY;
    st->key = ps->src + k0;
    st->key_len = ps->pos - k0;
    ps->pos++;
  } else {
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                         "expected an array index, '*' or a 'quoted name' after '['");
  }
  if (peek(ps) != ']')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "expected ']'");
  ps->pos++;
  return TW_OK;
}

/* One step after '.': *, [ ... ] or a name. */
static int parse_dot(tw_parser *ps, tw_json_step *st) {
  ps->pos++;
  char c = peek(ps);
  if (c == '*') {
    st->kind = TW_JSON_STEP_ANY_KEY;
    ps->pos++;
    return TW_OK;
  }
  if (c == '[') {
    size_t at = ps->pos;
    int rc = parse_bracket(ps, st);
    if (!rc && st->kind != TW_JSON_STEP_KEY)
      return tw_parse_fail(ps, at, TW_ESYNTAX, "expected ['name'] after '.'");
    return rc;
  }
  size_t k0 = ps->pos;
  while (is_name_char(peek(ps)))
    ps->pos++;
  if (ps->pos == k0)
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "expected a property name after '.'");
  st->kind = TW_JSON_STEP_KEY;
  st->key = ps->src + k0;
  st->key_len = ps->pos - k0;
  return TW_OK;
}

static int register_selector(tw_parser *ps, size_t start, const tw_json_step *steps,
                             size_t n, int wild, uint32_t *out) {
  tw_pattern *p = ps->pat;
  const char *text = ps->src + start;
  size_t len = ps->pos - start;
  for (size_t i = 0; i < p->nsels; i++)
    if (p->sels[i].text_len == len && !memcmp(p->sels[i].text, text, len)) {
      *out = (uint32_t)i;
      return TW_OK;
    }
  tw_selector *s = realloc(p->sels, (p->nsels + 1) * sizeof *s);
  if (!s)
    return TW_ENOMEM;
  p->sels = s;
  s += p->nsels;
  memset(s, 0, sizeof *s);
  s->text = malloc(len + 1); /* not strndup: a ['key'] may hold a NUL byte */
  if (!s->text)
    return TW_ENOMEM;
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->text_len = len;
  s->wildcard = wild;
  s->steps = malloc(n * sizeof *steps);
  int rc = s->steps ? tw_json_plan_add(p->plan, steps, n, &s->plan_id) : TW_ENOMEM;
  if (rc) {
    free(s->text);
    free(s->steps);
    return rc;
  }
  memcpy(s->steps, steps, n * sizeof *steps);
  s->nsteps = n;
  *out = (uint32_t)p->nsels++;
  return TW_OK;
}

int tw_parse_selector(tw_parser *ps, uint32_t *out) {
  size_t start = ps->pos;
  if (peek(ps) != '$')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "expected a property selector starting with '$'");
  ps->pos++;
  tw_json_step steps[MAX_STEPS];
  size_t n = 0;
  int wild = 0;
  while (peek(ps) == '.' || peek(ps) == '[') {
    if (n == MAX_STEPS)
      return tw_parse_fail(ps, ps->pos, TW_ELIMIT, "selector has more than %d steps", MAX_STEPS);
    size_t at = ps->pos;
    memset(&steps[n], 0, sizeof steps[n]);
    int rc = peek(ps) == '.' ? parse_dot(ps, &steps[n]) : parse_bracket(ps, &steps[n]);
    if (rc)
      return rc;
    if (steps[n].kind == TW_JSON_STEP_ANY_KEY || steps[n].kind == TW_JSON_STEP_ANY_INDEX) {
      int limits = !(ps->flags & TW_PATTERN_NO_AWS_LIMITS);
      if (++wild > 1 && limits)
        return tw_parse_fail(ps, at, TW_ELIMIT,
                             "at most one wildcard selector ([*] or .*) per property selector");
      if (++ps->nwild > TW_PATTERN_MAX_SEL_WILDCARDS && limits)
        return tw_parse_fail(ps, at, TW_ELIMIT,
                             "at most %d wildcard selectors per filter pattern",
                             TW_PATTERN_MAX_SEL_WILDCARDS);
    }
    n++;
  }
  if (n == 0)
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "expected '.' or '[' after '$'");
  if (is_name_char(peek(ps)) || peek(ps) == '$')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "unexpected '%c' in property selector", peek(ps));
  return register_selector(ps, start, steps, n, wild, out);
}

static size_t read_word(tw_parser *ps) {
  size_t start = ps->pos;
  while (isalpha((unsigned char)peek(ps)))
    ps->pos++;
  return ps->pos - start;
}

static int word_is(const tw_parser *ps, size_t start, size_t n, const char *kw) {
  return n == strlen(kw) && strncasecmp(ps->src + start, kw, n) == 0;
}

static void warn_keyword_case(tw_parser *ps, size_t start, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (islower((unsigned char)ps->src[start + i])) {
      tw_parse_warn(ps, start,
                    "AWS behaviour uncertain: AWS documents keywords in upper case; "
                    "trailwatch accepts any case (D13)");
      return;
    }
}

/* selector IS NULL|TRUE|FALSE  /  selector NOT EXISTS */
static int parse_postfix(tw_parser *ps, tw_node *node) {
  size_t w0 = ps->pos, n = read_word(ps);
  if (word_is(ps, w0, n, "IS")) {
    warn_keyword_case(ps, w0, n);
    tw_parse_skip_ws(ps);
    size_t v0 = ps->pos, m = read_word(ps);
    warn_keyword_case(ps, v0, m);
    if (word_is(ps, v0, m, "NULL"))
      node->kind = TW_NODE_IS_NULL;
    else if (word_is(ps, v0, m, "TRUE"))
      node->kind = TW_NODE_IS_TRUE;
    else if (word_is(ps, v0, m, "FALSE"))
      node->kind = TW_NODE_IS_FALSE;
    else if (word_is(ps, v0, m, "NOT"))
      return tw_parse_fail(ps, v0, TW_ESYNTAX,
                           "IS NOT is not supported: use != for values or NOT EXISTS for absence");
    else
      return tw_parse_fail(ps, v0, TW_ESYNTAX, "expected NULL, TRUE or FALSE after IS");
    return TW_OK;
  }
  if (word_is(ps, w0, n, "NOT")) {
    warn_keyword_case(ps, w0, n);
    tw_parse_skip_ws(ps);
    size_t v0 = ps->pos, m = read_word(ps);
    if (!word_is(ps, v0, m, "EXISTS"))
      return tw_parse_fail(ps, v0, TW_ESYNTAX, "expected EXISTS after NOT");
    warn_keyword_case(ps, v0, m);
    node->kind = TW_NODE_NOT_EXISTS;
    return TW_OK;
  }
  if (word_is(ps, w0, n, "EXISTS"))
    return tw_parse_fail(ps, w0, TW_ESYNTAX,
                         "EXISTS is not supported: use '= *' to test that a field exists");
  return tw_parse_fail(ps, w0, TW_ESYNTAX,
                       "expected an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS");
}

static int parse_op(tw_parser *ps, tw_op *op) {
  size_t at = ps->pos;
  char c = peek(ps);
  char d = ps->pos + 1 < ps->len ? ps->src[ps->pos + 1] : '\0';
  if (c == '=' && d == '=')
    return tw_parse_fail(ps, at, TW_ESYNTAX, "'==' is not an operator: use '='");
  if (c == '<' && d == '>')
    return tw_parse_fail(ps, at, TW_ESYNTAX, "'<>' is not an operator: use '!='");
  if (c == '!' && d == '=') { *op = TW_OP_NE; ps->pos += 2; }
  else if (c == '<' && d == '=') { *op = TW_OP_LE; ps->pos += 2; }
  else if (c == '>' && d == '=') { *op = TW_OP_GE; ps->pos += 2; }
  else if (c == '=') { *op = TW_OP_EQ; ps->pos++; }
  else if (c == '<') { *op = TW_OP_LT; ps->pos++; }
  else if (c == '>') { *op = TW_OP_GT; ps->pos++; }
  else return 1; /* not an operator */
  return TW_OK;
}

static int parse_value(tw_parser *ps, tw_op op, tw_value *v) {
  size_t at = ps->pos;
  char c = peek(ps);
  int rc;
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
    if (rc && !v->text)
      free(text);
  } else {
    rc = tw_parse_bare_value(ps, "()&|}", v);
  }
  if (rc)
    return rc;
  if (op != TW_OP_EQ && op != TW_OP_NE && v->kind != TW_VALUE_NUMBER)
    return tw_parse_fail(ps, at, TW_ESYNTAX,
                         "<, >, <= and >= compare numbers: expected a numeric value");
  return TW_OK;
}

static int parse_test(tw_parser *ps, tw_node **out) {
  tw_node *node;
  if (new_node(TW_NODE_CMP, &node))
    return TW_ENOMEM;
  size_t sel_at = ps->pos;
  int rc = tw_parse_selector(ps, &node->sel);
  if (!rc) {
    tw_parse_skip_ws(ps);
    rc = parse_op(ps, &node->op);
    if (rc == 1) {
      rc = parse_postfix(ps, node);
    } else if (!rc) {
      tw_parse_skip_ws(ps);
      rc = parse_value(ps, node->op, &node->value);
    }
  }
  if (rc) {
    tw_node_free(node);
    return rc;
  }
  if (node->kind == TW_NODE_CMP && node->op == TW_OP_NE) {
    if (ps->pat->sels[node->sel].wildcard)
      tw_parse_warn(ps, sel_at,
                    "AWS behaviour uncertain: '!=' on a wildcard selector is true when any "
                    "element differs (D11)");
    if (node->value.kind == TW_VALUE_ANY)
      tw_parse_warn(ps, sel_at, "'!= *' never matches: every scalar value matches '*'");
  }
  *out = node;
  return TW_OK;
}

static int parse_unary(tw_parser *ps, tw_node **out, int depth) {
  tw_parse_skip_ws(ps);
  if (peek(ps) != '(')
    return parse_test(ps, out);
  if (depth > MAX_NESTING)
    return tw_parse_fail(ps, ps->pos, TW_ELIMIT, "parentheses nested too deeply");
  size_t open = ps->pos++;
  int rc = parse_or(ps, out, depth + 1);
  if (rc)
    return rc;
  tw_parse_skip_ws(ps);
  if (peek(ps) != ')') {
    tw_node_free(*out);
    *out = NULL;
    return tw_parse_fail(ps, ps->pos < ps->len ? ps->pos : open, TW_ESYNTAX,
                         "expected ')' to close the '(' at column %zu", open + 1);
  }
  ps->pos++;
  return TW_OK;
}

static int at_op(tw_parser *ps, char c) {
  tw_parse_skip_ws(ps);
  return ps->pos + 1 < ps->len && ps->src[ps->pos] == c && ps->src[ps->pos + 1] == c;
}

static int parse_chain(tw_parser *ps, tw_node **out, int depth, tw_node_kind kind) {
  char opc = kind == TW_NODE_OR ? '|' : '&';
  tw_node *left;
  int rc = kind == TW_NODE_OR ? parse_chain(ps, &left, depth, TW_NODE_AND)
                              : parse_unary(ps, &left, depth);
  if (rc)
    return rc;
  while (at_op(ps, opc)) {
    ps->pos += 2;
    tw_node *right, *both;
    rc = kind == TW_NODE_OR ? parse_chain(ps, &right, depth, TW_NODE_AND)
                            : parse_unary(ps, &right, depth);
    if (!rc && (rc = new_node(kind, &both)))
      tw_node_free(right);
    if (rc) {
      tw_node_free(left);
      return rc;
    }
    both->left = left;
    both->right = right;
    left = both;
  }
  *out = left;
  return TW_OK;
}

static int parse_or(tw_parser *ps, tw_node **out, int depth) {
  return parse_chain(ps, out, depth, TW_NODE_OR);
}

/* CIS 1.4 erratum: `A || $.x != "y"` matches nearly every event. */
static void lint_or_ne(tw_parser *ps, const tw_node *n) {
  if (!n)
    return;
  if (n->kind == TW_NODE_OR) {
    const tw_node *kids[2] = {n->left, n->right};
    for (int i = 0; i < 2; i++)
      if (kids[i]->kind == TW_NODE_CMP && kids[i]->op == TW_OP_NE) {
        const tw_selector *s = &ps->pat->sels[kids[i]->sel];
        tw_parse_warn(ps, 0,
                      "'%s != ...' is an operand of '||': the pattern matches every event "
                      "where %s differs (the CIS 1.4 erratum); did you mean '&&'?",
                      s->text, s->text);
      }
  }
  if (n->kind == TW_NODE_OR || n->kind == TW_NODE_AND) {
    lint_or_ne(ps, n->left);
    lint_or_ne(ps, n->right);
  }
}

int tw_parse_json(tw_parser *ps) {
  int rc = tw_json_plan_new(&ps->pat->plan);
  if (rc)
    return rc;
  ps->pos++; /* '{' */
  tw_parse_skip_ws(ps);
  if (peek(ps) == '}')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "empty JSON pattern: expected a property selector");
  if ((rc = parse_or(ps, &ps->pat->root, 0)))
    return rc;
  tw_parse_skip_ws(ps);
  if (ps->pos >= ps->len)
    return tw_parse_fail(ps, ps->len, TW_ESYNTAX, "expected '}' at the end of the JSON pattern");
  if (peek(ps) != '}')
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX,
                         "unexpected '%c': expected '&&', '||', ')' or '}'", peek(ps));
  ps->pos++;
  tw_parse_skip_ws(ps);
  if (ps->pos < ps->len)
    return tw_parse_fail(ps, ps->pos, TW_ESYNTAX, "unexpected text after the closing '}'");
  lint_or_ne(ps, ps->pat->root);
  tw_pattern *p = ps->pat;
  if (!(p->sel_ids = malloc((p->nsels ? p->nsels : 1) * sizeof *p->sel_ids)))
    return TW_ENOMEM;
  for (size_t i = 0; i < p->nsels; i++)
    p->sel_ids[i] = p->sels[i].plan_id;
  return TW_OK;
}
