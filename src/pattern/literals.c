/*
 * literals.c — exact prefiltering support: from a JSON pattern's boolean
 * formula, derive literals that any event the pattern can match must
 * contain, as a conjunction of clauses (CNF): every clause must have at
 * least one of its literals in the event's raw bytes — provided no escape
 * sequence of the event could spell a literal byte (the engine checks).
 *
 *   a = "x*yz*abc"  -> [yz] AND [abc]   (wildcard-free runs of >= 3 bytes)
 *   A && B          -> clauses(A) + clauses(B)
 *   A || B          -> pairwise unions of the clauses (bounded), else the
 *                      union of each side's best clause
 * '!=', NOT EXISTS, IS ..., numbers (400 may be written 4e2), regexes and
 * '*' give no requirement. The engine (src/engine/) searches all filters'
 * literals at once and skips the JSON work for events that cannot match.
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

#define MIN_LITERAL 3
#define MAX_CLAUSES 8

/* Append clause (borrowed strings) to cnf. */
static int cnf_add_clause(tw_lit_cnf *cnf, const char **s, const size_t *len, size_t n) {
  if (cnf->n == MAX_CLAUSES * 4)
    return TW_OK; /* dropping a clause only weakens the requirement */
  tw_lit_clause *c = realloc(cnf->c, (cnf->n + 1) * sizeof *c);
  if (!c)
    return TW_ENOMEM;
  cnf->c = c;
  c += cnf->n;
  c->s = malloc(n * sizeof *c->s);
  c->len = malloc(n * sizeof *c->len);
  if (!c->s || !c->len) {
    free(c->s);
    free(c->len);
    return TW_ENOMEM;
  }
  memcpy(c->s, s, n * sizeof *s);
  memcpy(c->len, len, n * sizeof *len);
  c->n = n;
  cnf->n++;
  return TW_OK;
}

void tw_lit_cnf_free(tw_lit_cnf *cnf) {
  for (size_t i = 0; i < cnf->n; i++) {
    free(cnf->c[i].s);
    free(cnf->c[i].len);
  }
  free(cnf->c);
  cnf->c = NULL;
  cnf->n = 0;
}

static size_t clause_min(const tw_lit_clause *c) {
  size_t m = (size_t)-1;
  for (size_t i = 0; i < c->n; i++)
    m = c->len[i] < m ? c->len[i] : m;
  return m;
}

/* The most selective clause: longest shortest literal, then fewest. */
static size_t best_clause(const tw_lit_cnf *cnf) {
  size_t best = 0;
  for (size_t i = 1; i < cnf->n; i++) {
    size_t a = clause_min(&cnf->c[i]), b = clause_min(&cnf->c[best]);
    if (a > b || (a == b && cnf->c[i].n < cnf->c[best].n))
      best = i;
  }
  return best;
}

/* Keep at most MAX_CLAUSES, the most selective ones. */
static void cnf_trim(tw_lit_cnf *cnf) {
  while (cnf->n > MAX_CLAUSES) {
    size_t worst = 0;
    for (size_t i = 1; i < cnf->n; i++)
      if (clause_min(&cnf->c[i]) < clause_min(&cnf->c[worst]))
        worst = i;
    free(cnf->c[worst].s);
    free(cnf->c[worst].len);
    cnf->c[worst] = cnf->c[--cnf->n];
  }
}

/* A literal must appear verbatim in JSON text: no quote, backslash or
 * control characters (JSON always escapes those). */
static int raw_safe(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\' || c < 0x20)
      return 0;
  }
  return 1;
}

static int req_cmp(const tw_node *n, tw_lit_cnf *out) {
  if (n->kind != TW_NODE_CMP || n->op != TW_OP_EQ || n->value.kind != TW_VALUE_STRING)
    return TW_OK; /* no requirement */
  const tw_glob *g = &n->value.glob;
  for (size_t i = 0; i < g->nseg; i++)
    if (g->seglen[i] >= MIN_LITERAL && raw_safe(g->seg[i], g->seglen[i])) {
      const char *s = g->seg[i];
      int rc = cnf_add_clause(out, &s, &g->seglen[i], 1);
      if (rc)
        return rc;
    }
  return TW_OK;
}

/* Clause union a ∪ b appended to out. */
static int add_union(tw_lit_cnf *out, const tw_lit_clause *a, const tw_lit_clause *b) {
  size_t n = a->n + b->n;
  const char **s = malloc(n * sizeof *s);
  size_t *len = malloc(n * sizeof *len);
  int rc = s && len ? TW_OK : TW_ENOMEM;
  if (!rc) {
    memcpy(s, a->s, a->n * sizeof *s);
    memcpy(s + a->n, b->s, b->n * sizeof *s);
    memcpy(len, a->len, a->n * sizeof *len);
    memcpy(len + a->n, b->len, b->n * sizeof *len);
    rc = cnf_add_clause(out, s, len, n);
  }
  free(s);
  free(len);
  return rc;
}

static int req_or(tw_lit_cnf *a, tw_lit_cnf *b, tw_lit_cnf *out) {
  if (a->n == 0 || b->n == 0)
    return TW_OK; /* one side needs nothing: neither does the OR */
  if (a->n * b->n <= MAX_CLAUSES) {
    for (size_t i = 0; i < a->n; i++)
      for (size_t j = 0; j < b->n; j++) {
        int rc = add_union(out, &a->c[i], &b->c[j]);
        if (rc)
          return rc;
      }
    return TW_OK;
  }
  return add_union(out, &a->c[best_clause(a)], &b->c[best_clause(b)]);
}

static int req(const tw_node *n, tw_lit_cnf *out) {
  memset(out, 0, sizeof *out);
  if (n->kind != TW_NODE_AND && n->kind != TW_NODE_OR)
    return req_cmp(n, out);
  tw_lit_cnf a, b;
  int rc = req(n->left, &a);
  if (rc) {
    tw_lit_cnf_free(&a);
    return rc;
  }
  if ((rc = req(n->right, &b))) {
    tw_lit_cnf_free(&a);
    tw_lit_cnf_free(&b);
    return rc;
  }
  if (n->kind == TW_NODE_AND) {
    for (size_t i = 0; !rc && i < b.n; i++)
      rc = cnf_add_clause(&a, b.c[i].s, b.c[i].len, b.c[i].n);
    tw_lit_cnf_free(&b);
    cnf_trim(&a);
    *out = a;
    return rc;
  }
  rc = req_or(&a, &b, out);
  tw_lit_cnf_free(&a);
  tw_lit_cnf_free(&b);
  return rc;
}

int tw_pattern_literal_cnf(const tw_pattern *p, tw_lit_cnf *out) {
  memset(out, 0, sizeof *out);
  if (p->kind != TW_PATTERN_JSON)
    return TW_OK;
  int rc = req(p->root, out);
  if (rc)
    tw_lit_cnf_free(out);
  return rc;
}
