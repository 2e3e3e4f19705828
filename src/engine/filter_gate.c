/*
 * filter_gate.c — decide cheaply which JSON filters of a set cannot match
 * an event, from the values its scan collected, before evaluating any.
 *
 * Each JSON filter gets, when it has one, a gate: a set of atoms of which
 * at least one holds for every event the filter matches. An atom is either
 * "selector S has the exact text T" (from a comparison $.S = "T" without
 * wildcards: under D9 that is true only when some value of S is a string
 * or number whose text is T) or "selector S has a value" (any other
 * comparison: eval_node in match.c is false for a selector with no value,
 * except NOT EXISTS, which has no gate). An OR has a gate when both sides
 * do (the union); an AND takes the more selective gate of its two sides.
 *
 * The exact atoms of all filters go into one hash table keyed by (plan
 * id, text); per event, each collected value of a gated selector is looked
 * up once, opening the filters listed under it. A filter whose gate opens
 * is then evaluated in full; the others are known not to match. So the
 * CIS pack's filters, each a disjunction of eventName values, cost one
 * lookup per event instead of one comparison per name and filter.
 */
#include "engine/filter_gate.h"

#include <stdlib.h>
#include <string.h>

typedef struct atom {
  uint32_t sel;   /* plan id */
  int exact;      /* 1: text below; 0: "has a value" */
  const char *s;  /* exact: points into the pattern while building */
  size_t len;
} atom;

typedef struct atoms {
  atom *a;
  size_t n;
  int ok; /* 0: no gate */
} atoms;

typedef struct gkey {
  uint64_t h;
  uint32_t sel, len, off; /* text at g->text + off */
  uint32_t first, count;  /* filters g->flist[first .. first+count); count 0: empty slot */
} gkey;

#define TW_GATE_BLOOM 1024 /* bits: a probe of the table only when set */

/* The filter's bit of a text: from its length and three of its bytes, so
 * that most values are turned away without being hashed. */
static size_t bloom_bit(uint32_t sel, const char *s, size_t len) {
  if (len == 0)
    return sel % TW_GATE_BLOOM;
  size_t x = (size_t)sel * 131 + len * 977 + (unsigned char)s[0] * 31 +
             (unsigned char)s[len / 2] * 7 + (unsigned char)s[len - 1];
  return x % TW_GATE_BLOOM;
}

struct tw_gate {
  size_t n, ngated;
  uint64_t bloom[TW_GATE_BLOOM / 64]; /* bloom_bit of every key */
  unsigned char *base; /* per filter: 1 no gate, 0 gated */
  gkey *slots;
  size_t mask;
  char *text;
  uint32_t *flist;
  uint32_t *exact_sels; /* plan ids with exact atoms, unique */
  size_t nexact_sels;
  uint32_t *exists_sels, *exists_first; /* filters of exists_sels[k]: flist[first[k]..first[k+1]) */
  size_t nexists_sels;
};

static uint64_t load64(const char *p) {
  uint64_t x;
  memcpy(&x, p, 8);
  return x;
}

/* A word at a time (values are short: event names, sources, codes); equal
 * texts hash equally on every byte order, which is all the table needs. */
static uint64_t hash_text(uint32_t sel, const char *s, size_t len) {
  uint64_t h = ((uint64_t)sel + 1) * 0x9E3779B97F4A7C15ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    h = (h ^ load64(s + i)) * 0xBF58476D1CE4E5B9ull;
  if (i < len) {
    uint64_t t = 0;
    if (len >= 8) {
      t = load64(s + len - 8); /* the last 8 bytes, overlapping */
    } else {
      for (size_t k = i; k < len; k++)
        t = t << 8 | (unsigned char)s[k];
    }
    h = (h ^ t) * 0x94D049BB133111EBull;
  }
  return h ^ (h >> 31);
}

/* ---- deriving a filter's gate ---- */

static void atoms_free(atoms *a) {
  free(a->a);
  memset(a, 0, sizeof *a);
}

static unsigned long cost(const atoms *a) {
  unsigned long c = 0;
  for (size_t i = 0; i < a->n; i++)
    c += a->a[i].exact ? 1 : 64; /* "has a value" says little */
  return c;
}

static int leaf(const tw_node *n, const uint32_t *ids, atoms *out) {
  if (n->kind == TW_NODE_NOT_EXISTS)
    return TW_OK; /* no gate */
  if (!(out->a = malloc(sizeof *out->a)))
    return TW_ENOMEM;
  atom *a = &out->a[0];
  a->sel = ids[n->sel];
  a->exact = n->kind == TW_NODE_CMP && n->op == TW_OP_EQ && n->value.kind == TW_VALUE_STRING &&
             !n->value.glob.has_star && n->value.glob.nseg == 1;
  a->s = a->exact ? n->value.glob.seg[0] : NULL;
  a->len = a->exact ? n->value.glob.seglen[0] : 0;
  out->n = 1;
  out->ok = 1;
  return TW_OK;
}

static int derive(const tw_node *n, const uint32_t *ids, atoms *out) {
  memset(out, 0, sizeof *out);
  if (n->kind != TW_NODE_AND && n->kind != TW_NODE_OR)
    return leaf(n, ids, out);
  atoms l, r;
  int rc = derive(n->left, ids, &l);
  if (!rc)
    rc = derive(n->right, ids, &r);
  else
    memset(&r, 0, sizeof r);
  if (rc) {
    atoms_free(&l);
    atoms_free(&r);
    return rc;
  }
  if (n->kind == TW_NODE_AND) { /* either side's gate is necessary */
    int take_left = l.ok && (!r.ok || cost(&l) <= cost(&r));
    *out = take_left ? l : r;
    atoms_free(take_left ? &r : &l);
    return TW_OK;
  }
  if (!l.ok || !r.ok) { /* OR: both sides must be gated */
    atoms_free(&l);
    atoms_free(&r);
    return TW_OK;
  }
  atom *a = realloc(l.a, (l.n + r.n) * sizeof *a);
  if (!a) {
    atoms_free(&l);
    atoms_free(&r);
    return TW_ENOMEM;
  }
  memcpy(a + l.n, r.a, r.n * sizeof *a);
  out->a = a;
  out->n = l.n + r.n;
  out->ok = 1;
  free(r.a);
  return TW_OK;
}

/* ---- the index ---- */

typedef struct pair {
  atom a;
  uint32_t f;
} pair;

static int pair_cmp(const void *x, const void *y) {
  const atom *a = &((const pair *)x)->a, *b = &((const pair *)y)->a;
  if (a->exact != b->exact)
    return a->exact ? -1 : 1;
  if (a->sel != b->sel)
    return a->sel < b->sel ? -1 : 1;
  if (a->len != b->len)
    return a->len < b->len ? -1 : 1;
  return a->len ? memcmp(a->s, b->s, a->len) : 0;
}

static int same_key(const atom *a, const atom *b) {
  return a->exact == b->exact && a->sel == b->sel && a->len == b->len &&
         (!a->len || !memcmp(a->s, b->s, a->len));
}

/* Every (atom, filter) pair, sorted so equal keys are adjacent. */
static int collect_pairs(tw_gate *g, const tw_pattern *const *p, const uint32_t *const *ids,
                         pair **out, size_t *npairs) {
  pair *pairs = NULL;
  size_t np = 0;
  for (size_t f = 0; f < g->n; f++) {
    g->base[f] = 1;
    if (!ids[f] || p[f]->kind != TW_PATTERN_JSON || !p[f]->root)
      continue;
    atoms a;
    int rc = derive(p[f]->root, ids[f], &a);
    pair *np2 = rc || !a.ok ? NULL : realloc(pairs, (np + a.n) * sizeof *pairs);
    if (rc || (a.ok && !np2)) {
      atoms_free(&a);
      free(pairs);
      return rc ? rc : TW_ENOMEM;
    }
    if (a.ok) {
      pairs = np2;
      for (size_t i = 0; i < a.n; i++)
        pairs[np++] = (pair){a.a[i], (uint32_t)f};
      g->base[f] = 0;
      g->ngated++;
    }
    atoms_free(&a);
  }
  if (np)
    qsort(pairs, np, sizeof *pairs, pair_cmp);
  *out = pairs;
  *npairs = np;
  return TW_OK;
}

static void insert_key(tw_gate *g, const atom *a, uint32_t off, uint32_t first, uint32_t count) {
  uint64_t h = hash_text(a->sel, a->s, a->len);
  size_t i = (size_t)h & g->mask;
  while (g->slots[i].count)
    i = (i + 1) & g->mask;
  g->slots[i] = (gkey){h, a->sel, (uint32_t)a->len, off, first, count};
  size_t bit = bloom_bit(a->sel, a->s, a->len);
  g->bloom[bit / 64] |= 1ull << (bit % 64);
}

static int build_index(tw_gate *g, const pair *pairs, size_t np) {
  size_t nexact = 0, text = 0, nexists = 0;
  for (size_t i = 0; i < np; i++) {
    int first = i == 0 || !same_key(&pairs[i].a, &pairs[i - 1].a);
    nexact += first && pairs[i].a.exact;
    text += first ? pairs[i].a.len : 0;
    nexists += first && !pairs[i].a.exact;
  }
  size_t cap = 8;
  while (cap < 2 * nexact)
    cap *= 2;
  g->mask = cap - 1;
  if (!(g->slots = calloc(cap, sizeof *g->slots)) || !(g->text = malloc(text + 1)) ||
      !(g->flist = malloc((np + 1) * sizeof *g->flist)) ||
      !(g->exact_sels = malloc((nexact + 1) * sizeof *g->exact_sels)) ||
      !(g->exists_sels = malloc((nexists + 1) * sizeof *g->exists_sels)) ||
      !(g->exists_first = malloc((nexists + 1) * sizeof *g->exists_first)))
    return TW_ENOMEM;
  size_t toff = 0;
  for (size_t i = 0, j; i < np; i = j) {
    for (j = i; j < np && same_key(&pairs[j].a, &pairs[i].a); j++)
      g->flist[j] = pairs[j].f;
    const atom *a = &pairs[i].a;
    if (a->exact) {
      memcpy(g->text + toff, a->s, a->len);
      insert_key(g, a, (uint32_t)toff, (uint32_t)i, (uint32_t)(j - i));
      toff += a->len;
      if (!g->nexact_sels || g->exact_sels[g->nexact_sels - 1] != a->sel)
        g->exact_sels[g->nexact_sels++] = a->sel;
    } else {
      g->exists_sels[g->nexists_sels] = a->sel;
      g->exists_first[g->nexists_sels++] = (uint32_t)i;
    }
  }
  g->exists_first[g->nexists_sels] = (uint32_t)np;
  return TW_OK;
}

int tw_gate_new(const tw_pattern *const *patterns, const uint32_t *const *ids, size_t n,
                tw_gate **out) {
  tw_gate *g = calloc(1, sizeof *g);
  if (!g || !(g->base = malloc(n ? n : 1))) {
    free(g);
    return TW_ENOMEM;
  }
  g->n = n;
  pair *pairs = NULL;
  size_t np = 0;
  int rc = collect_pairs(g, patterns, ids, &pairs, &np);
  if (!rc)
    rc = build_index(g, pairs, np);
  free(pairs);
  if (rc) {
    tw_gate_free(g);
    return rc;
  }
  *out = g;
  return TW_OK;
}

void tw_gate_free(tw_gate *g) {
  if (!g)
    return;
  free(g->base);
  free(g->slots);
  free(g->text);
  free(g->flist);
  free(g->exact_sels);
  free(g->exists_sels);
  free(g->exists_first);
  free(g);
}

size_t tw_gate_count(const tw_gate *g) { return g->ngated; }

/* ---- per event ---- */

static void open_exact(const tw_gate *g, uint32_t sel, const char *s, size_t len,
                       unsigned char *open) {
  size_t bit = bloom_bit(sel, s, len);
  if (!(g->bloom[bit / 64] >> (bit % 64) & 1))
    return; /* most values: no key, and neither hashed nor looked up */
  uint64_t h = hash_text(sel, s, len);
  for (size_t i = (size_t)h & g->mask; g->slots[i].count; i = (i + 1) & g->mask) {
    const gkey *k = &g->slots[i];
    if (k->h == h && k->sel == sel && k->len == len && !memcmp(g->text + k->off, s, len)) {
      for (uint32_t j = 0; j < k->count; j++)
        open[g->flist[k->first + j]] = 1;
      return;
    }
  }
}

int tw_gate_open(const tw_gate *g, tw_match *m, unsigned char *open) {
  memcpy(open, g->base, g->n);
  for (size_t k = 0; k < g->nexact_sels; k++) {
    uint32_t sel = g->exact_sels[k];
    for (int32_t i = m->heads[sel]; i >= 0; i = m->vals[i].next) {
      const tw_json_value *v = &m->vals[i].v;
      if (v->type != TW_JSON_STRING && v->type != TW_JSON_NUMBER)
        continue; /* value_test compares only strings and numbers as text */
      if (v->type == TW_JSON_NUMBER || !v->has_escapes) {
        open_exact(g, sel, v->ptr, v->len, open); /* the text as written */
        continue;
      }
      const char *text;
      size_t len;
      int rc = tw_match_json_text(&m->scratch, v, &text, &len);
      if (rc == TW_ENOMEM)
        return rc;
      if (rc == TW_OK)
        open_exact(g, sel, text, len, open);
    }
  }
  for (size_t k = 0; k < g->nexists_sels; k++)
    if (m->heads[g->exists_sels[k]] >= 0)
      for (uint32_t j = g->exists_first[k]; j < g->exists_first[k + 1]; j++)
        open[g->flist[j]] = 1;
  return TW_OK;
}
