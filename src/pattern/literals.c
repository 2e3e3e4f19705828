/*
 * literals.c — exact prefiltering support: from a JSON pattern's boolean
 * formula, derive a set of literals such that any event the pattern can
 * match contains at least one of them in its raw bytes — provided the event
 * has no escape sequences (a JSON escape can spell any character, so the
 * caller must not reject an event containing a backslash on raw bytes).
 *
 *   a = "x*yz"   -> {"yz"} (the longest wildcard-free run; at least 3 bytes)
 *   A && B       -> the better of req(A), req(B)
 *   A || B       -> req(A) ∪ req(B), only when both have one
 * '!=', NOT EXISTS, IS ..., numbers (400 may be written 4e2), regexes and
 * '*' give no requirement. The engine (src/engine/) searches all filters'
 * literals at once and skips the JSON work for events that cannot match.
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

#define MIN_LITERAL 3

typedef struct litset {
  int ok;            /* 1: the set is a valid requirement */
  const char **s;    /* borrowed from the pattern's values */
  size_t *len;
  size_t n;
} litset;

static void litset_free(litset *l) {
  free(l->s);
  free(l->len);
  memset(l, 0, sizeof *l);
}

static int litset_add(litset *l, const char *s, size_t len) {
  const char **ns = realloc(l->s, (l->n + 1) * sizeof *ns);
  if (!ns)
    return TW_ENOMEM;
  l->s = ns;
  size_t *nl = realloc(l->len, (l->n + 1) * sizeof *nl);
  if (!nl)
    return TW_ENOMEM;
  l->len = nl;
  l->s[l->n] = s;
  l->len[l->n++] = len;
  return TW_OK;
}

static size_t litset_min(const litset *l) {
  size_t m = (size_t)-1;
  for (size_t i = 0; i < l->n; i++)
    if (l->len[i] < m)
      m = l->len[i];
  return m;
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

static int req_cmp(const tw_node *n, litset *out) {
  if (n->kind != TW_NODE_CMP || n->op != TW_OP_EQ || n->value.kind != TW_VALUE_STRING)
    return TW_OK; /* no requirement */
  const tw_glob *g = &n->value.glob;
  size_t best = (size_t)-1;
  for (size_t i = 0; i < g->nseg; i++)
    if (g->seglen[i] >= MIN_LITERAL && raw_safe(g->seg[i], g->seglen[i]) &&
        (best == (size_t)-1 || g->seglen[i] > g->seglen[best]))
      best = i;
  if (best == (size_t)-1)
    return TW_OK;
  out->ok = 1;
  return litset_add(out, g->seg[best], g->seglen[best]);
}

static int req(const tw_node *n, litset *out) {
  memset(out, 0, sizeof *out);
  if (n->kind != TW_NODE_AND && n->kind != TW_NODE_OR)
    return req_cmp(n, out);
  litset a, b;
  int rc = req(n->left, &a);
  if (!rc)
    rc = req(n->right, &b);
  else
    memset(&b, 0, sizeof b);
  if (rc) {
    litset_free(&a);
    litset_free(&b);
    return rc;
  }
  if (n->kind == TW_NODE_AND) {
    /* keep the side whose shortest literal is longest (rarer) */
    int take_a = a.ok && (!b.ok || litset_min(&a) >= litset_min(&b));
    *out = take_a ? a : b;
    litset_free(take_a ? &b : &a);
    return TW_OK;
  }
  if (!a.ok || !b.ok) {
    litset_free(&a);
    litset_free(&b);
    return TW_OK;
  }
  for (size_t i = 0; i < b.n && !rc; i++)
    rc = litset_add(&a, b.s[i], b.len[i]);
  litset_free(&b);
  *out = a;
  return rc;
}

int tw_pattern_required_literals(const tw_pattern *p, const char ***lits, size_t **lens,
                                 size_t *n) {
  *lits = NULL;
  *lens = NULL;
  *n = 0;
  if (p->kind != TW_PATTERN_JSON)
    return TW_OK;
  litset l;
  int rc = req(p->root, &l);
  if (rc || !l.ok) {
    litset_free(&l);
    return rc;
  }
  *lits = l.s;
  *lens = l.len;
  *n = l.n;
  return TW_OK;
}
