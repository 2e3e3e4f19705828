/*
 * json_plan.c — the selector plan of the JSON reader.
 *
 * Paths are added to a trie (nodes + key/index edges, wildcard children on
 * the node). Because wildcards make several trie nodes apply to the same
 * value ($.a[0] and $.a[*]), every successful tw_json_plan_add rebuilds a
 * deterministic automaton by subset construction: each state is a set of
 * trie nodes, with a hash table of member-name transitions, a sorted list
 * of index transitions, a default transition for other names/indexes and
 * the path ids ending there. The scanner (json.c) then keeps exactly one
 * uint32 state per open container and never allocates. The plan is not
 * modified by scans, so one plan may be shared by threads.
 */
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"

#define TW_AT(buf, type) ((type *)(buf).data)
#define TW_COUNT(buf, type) ((buf).len / sizeof(type))

/* ------------------------------------------------------------------ */
/* Trie                                                                */
/* ------------------------------------------------------------------ */

static int tw_json_node_new(tw_json_plan *plan, uint32_t *out) {
  size_t n = TW_COUNT(plan->nodes, tw_json_node);
  if (n >= UINT32_MAX)
    return TW_ELIMIT;
  tw_json_node node = {.id = -1, .any_key = 0, .any_index = 0};
  int rc = tw_buf_append(&plan->nodes, &node, sizeof node);
  if (rc == TW_OK)
    *out = (uint32_t)n;
  return rc;
}

static int tw_json_key_child(tw_json_plan *plan, uint32_t parent,
                             const char *key, size_t key_len, uint32_t *out) {
  size_t ne = TW_COUNT(plan->kedges, tw_json_kedge);
  for (size_t i = 0; i < ne; i++) {
    const tw_json_kedge *e = &TW_AT(plan->kedges, tw_json_kedge)[i];
    if (e->parent == parent && e->key_len == key_len &&
        (key_len == 0 ||
         memcmp(plan->keys.data + e->key_off, key, key_len) == 0)) {
      *out = e->child;
      return TW_OK;
    }
  }
  if (key_len > UINT32_MAX || plan->keys.len > UINT32_MAX - key_len)
    return TW_ELIMIT;
  tw_json_kedge e = {.parent = parent, .key_off = (uint32_t)plan->keys.len,
                     .key_len = (uint32_t)key_len};
  int rc = tw_json_node_new(plan, &e.child);
  if (rc == TW_OK && key_len)
    rc = tw_buf_append(&plan->keys, key, key_len);
  if (rc == TW_OK)
    rc = tw_buf_append(&plan->kedges, &e, sizeof e);
  if (rc == TW_OK)
    *out = e.child;
  return rc;
}

static int tw_json_index_child(tw_json_plan *plan, uint32_t parent,
                               uint32_t index, uint32_t *out) {
  size_t ne = TW_COUNT(plan->iedges, tw_json_iedge);
  for (size_t i = 0; i < ne; i++) {
    const tw_json_iedge *e = &TW_AT(plan->iedges, tw_json_iedge)[i];
    if (e->parent == parent && e->index == index) {
      *out = e->child;
      return TW_OK;
    }
  }
  tw_json_iedge e = {.parent = parent, .index = index};
  int rc = tw_json_node_new(plan, &e.child);
  if (rc == TW_OK)
    rc = tw_buf_append(&plan->iedges, &e, sizeof e);
  if (rc == TW_OK)
    *out = e.child;
  return rc;
}

/* The .* or [*] child of parent, created when missing. */
static int tw_json_any_child(tw_json_plan *plan, uint32_t parent, int is_key,
                             uint32_t *out) {
  tw_json_node *node = &TW_AT(plan->nodes, tw_json_node)[parent];
  uint32_t child = is_key ? node->any_key : node->any_index;
  if (child) {
    *out = child;
    return TW_OK;
  }
  int rc = tw_json_node_new(plan, &child);
  if (rc != TW_OK)
    return rc;
  node = &TW_AT(plan->nodes, tw_json_node)[parent]; /* may have moved */
  if (is_key)
    node->any_key = child;
  else
    node->any_index = child;
  *out = child;
  return TW_OK;
}

static int tw_json_step_child(tw_json_plan *plan, uint32_t parent,
                              const tw_json_step *s, uint32_t *out) {
  switch (s->kind) {
  case TW_JSON_STEP_KEY:
    if (!s->key && s->key_len)
      return TW_EINVAL;
    return tw_json_key_child(plan, parent, s->key, s->key_len, out);
  case TW_JSON_STEP_INDEX:
    return tw_json_index_child(plan, parent, s->index, out);
  case TW_JSON_STEP_ANY_KEY:
    return tw_json_any_child(plan, parent, 1, out);
  case TW_JSON_STEP_ANY_INDEX:
    return tw_json_any_child(plan, parent, 0, out);
  }
  return TW_EINVAL;
}

/* Undo the trie growth of a failed add: drop appended nodes/edges/keys
 * and the wildcard links that point at dropped nodes. */
static void tw_json_trie_truncate(tw_json_plan *plan, size_t nnodes,
                                  size_t nk, size_t ni, size_t keys_len) {
  tw_json_node *nodes = TW_AT(plan->nodes, tw_json_node);
  for (size_t i = 0; i < nnodes; i++) {
    if (nodes[i].any_key >= nnodes)
      nodes[i].any_key = 0;
    if (nodes[i].any_index >= nnodes)
      nodes[i].any_index = 0;
  }
  plan->nodes.len = nnodes * sizeof(tw_json_node);
  plan->kedges.len = nk * sizeof(tw_json_kedge);
  plan->iedges.len = ni * sizeof(tw_json_iedge);
  plan->keys.len = keys_len;
}

/* ------------------------------------------------------------------ */
/* Automaton (subset construction)                                     */
/* ------------------------------------------------------------------ */

typedef struct tw_json_setref {
  uint32_t off, n; /* into builder setpool */
} tw_json_setref;

/* A key edge gathered while expanding one state. */
typedef struct tw_json_kitem {
  const char *p;
  uint32_t off, len, child;
} tw_json_kitem;

typedef struct tw_json_builder {
  const tw_json_plan *plan;
  const tw_json_node *nodes;
  size_t nnodes;
  uint32_t *kfirst, *korder; /* key edges grouped by parent (CSR) */
  uint32_t *ifirst, *iorder; /* index edges grouped by parent */
  tw_buf setpool;            /* uint32 node numbers of every state's set */
  tw_buf sets;               /* tw_json_setref per state */
  uint32_t *htab;            /* set -> state + 1; 0 = empty slot */
  size_t hcap;
  tw_buf tmp;                /* uint32 scratch for building one set */
  tw_buf cur;                /* uint32 copy of the state being expanded */
  tw_buf kitems;             /* tw_json_kitem scratch */
  tw_buf states, ids, keys, idx; /* the automaton being built */
} tw_json_builder;

static int tw_json_cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static int tw_json_cmp_kitem(const void *a, const void *b) {
  const tw_json_kitem *x = a, *y = b;
  if (x->len != y->len)
    return (x->len > y->len) - (x->len < y->len);
  return x->len ? memcmp(x->p, y->p, x->len) : 0;
}

static int tw_json_cmp_didx(const void *a, const void *b) {
  const tw_json_didx *x = a, *y = b;
  return (x->index > y->index) - (x->index < y->index);
}

static uint32_t tw_json_set_hash(const uint32_t *v, size_t n) {
  uint32_t h = TW_JSON_HASH_INIT;
  for (size_t i = 0; i < n; i++)
    h = (h ^ v[i]) * 16777619u;
  return h;
}

/* CSR adjacency: edges of parent p are order[first[p]..first[p+1]).
 * parent is the first member of both edge structs. */
static uint32_t tw_json_edge_parent(const void *edges, size_t stride, size_t i) {
  uint32_t parent;
  memcpy(&parent, (const char *)edges + i * stride, sizeof parent);
  return parent;
}

static int tw_json_csr(size_t nnodes, const void *edges, size_t nedges,
                       size_t stride, uint32_t **first_out,
                       uint32_t **order_out) {
  uint32_t *first = calloc(nnodes + 1, sizeof *first);
  uint32_t *pos = malloc(nnodes * sizeof *pos);
  uint32_t *order = malloc((nedges ? nedges : 1) * sizeof *order);
  if (!first || !pos || !order) {
    free(first);
    free(pos);
    free(order);
    return TW_ENOMEM;
  }
  for (size_t i = 0; i < nedges; i++)
    first[tw_json_edge_parent(edges, stride, i) + 1]++;
  for (size_t p = 0; p < nnodes; p++) {
    first[p + 1] += first[p];
    pos[p] = first[p];
  }
  for (size_t i = 0; i < nedges; i++)
    order[pos[tw_json_edge_parent(edges, stride, i)]++] = (uint32_t)i;
  free(pos);
  *first_out = first;
  *order_out = order;
  return TW_OK;
}

static int tw_json_htab_grow(tw_json_builder *b) {
  size_t ncap = b->hcap ? b->hcap * 2 : 64;
  uint32_t *nt = calloc(ncap, sizeof *nt);
  if (!nt)
    return TW_ENOMEM;
  const tw_json_setref *sets = TW_AT(b->sets, tw_json_setref);
  const uint32_t *pool = TW_AT(b->setpool, uint32_t);
  for (size_t i = 0; i < b->hcap; i++) {
    if (!b->htab[i])
      continue;
    const tw_json_setref *s = &sets[b->htab[i] - 1];
    size_t j = tw_json_set_hash(pool + s->off, s->n) & (ncap - 1);
    while (nt[j])
      j = (j + 1) & (ncap - 1);
    nt[j] = b->htab[i];
  }
  free(b->htab);
  b->htab = nt;
  b->hcap = ncap;
  return TW_OK;
}

/* Intern the set in b->tmp (unsorted, maybe duplicated) as a state. */
static int tw_json_intern(tw_json_builder *b, uint32_t *state) {
  uint32_t *v = TW_AT(b->tmp, uint32_t);
  size_t n = TW_COUNT(b->tmp, uint32_t), m = 0;
  if (n == 0) {
    *state = TW_JSON_DEAD;
    return TW_OK;
  }
  qsort(v, n, sizeof *v, tw_json_cmp_u32);
  for (size_t i = 0; i < n; i++)
    if (m == 0 || v[m - 1] != v[i])
      v[m++] = v[i];
  size_t nsets = TW_COUNT(b->sets, tw_json_setref);
  if ((nsets + 1) * 2 > b->hcap && tw_json_htab_grow(b) != TW_OK)
    return TW_ENOMEM;
  const tw_json_setref *sets = TW_AT(b->sets, tw_json_setref);
  const uint32_t *pool = TW_AT(b->setpool, uint32_t);
  size_t j = tw_json_set_hash(v, m) & (b->hcap - 1);
  for (; b->htab[j]; j = (j + 1) & (b->hcap - 1)) {
    const tw_json_setref *s = &sets[b->htab[j] - 1];
    if (s->n == m && memcmp(pool + s->off, v, m * sizeof *v) == 0) {
      *state = b->htab[j] - 1;
      return TW_OK;
    }
  }
  if (nsets >= TW_JSON_PLAN_MAX_STATES)
    return TW_ELIMIT;
  tw_json_setref ref = {(uint32_t)TW_COUNT(b->setpool, uint32_t), (uint32_t)m};
  int rc = tw_buf_append(&b->setpool, v, m * sizeof *v);
  if (rc == TW_OK)
    rc = tw_buf_append(&b->sets, &ref, sizeof ref);
  if (rc != TW_OK)
    return rc;
  b->htab[j] = (uint32_t)nsets + 1;
  *state = (uint32_t)nsets;
  return TW_OK;
}

static int tw_json_push_u32(tw_buf *buf, uint32_t v) {
  return tw_buf_append(buf, &v, sizeof v);
}

/* b->tmp = the wildcard children (.* when is_key, else [*]) of cur. */
static int tw_json_gather_any(tw_json_builder *b, int is_key) {
  const uint32_t *cur = TW_AT(b->cur, uint32_t);
  size_t n = TW_COUNT(b->cur, uint32_t);
  b->tmp.len = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = is_key ? b->nodes[cur[i]].any_key : b->nodes[cur[i]].any_index;
    if (c && tw_json_push_u32(&b->tmp, c) != TW_OK)
      return TW_ENOMEM;
  }
  return TW_OK;
}

/* The path ids of the nodes of cur, sorted, appended to b->ids. */
static int tw_json_state_ids(tw_json_builder *b, tw_json_dstate *st) {
  const uint32_t *cur = TW_AT(b->cur, uint32_t);
  size_t n = TW_COUNT(b->cur, uint32_t);
  st->ids_off = (uint32_t)TW_COUNT(b->ids, uint32_t);
  for (size_t i = 0; i < n; i++) {
    int64_t id = b->nodes[cur[i]].id;
    if (id >= 0 && tw_json_push_u32(&b->ids, (uint32_t)id) != TW_OK)
      return TW_ENOMEM;
  }
  st->ids_n = (uint32_t)(TW_COUNT(b->ids, uint32_t) - st->ids_off);
  if (st->ids_n > 1)
    qsort(TW_AT(b->ids, uint32_t) + st->ids_off, st->ids_n, sizeof(uint32_t),
          tw_json_cmp_u32);
  return TW_OK;
}

/* b->tmp = default set (already in *dflt_set, count nd) + extra children. */
static int tw_json_tmp_with_default(tw_json_builder *b, const uint32_t *dflt,
                                    size_t nd) {
  b->tmp.len = 0;
  return nd ? tw_buf_append(&b->tmp, dflt, nd * sizeof *dflt) : TW_OK;
}

/* Insert (key, next) into the state's open-addressing table. */
static void tw_json_key_insert(tw_json_dkey *table, uint32_t cap,
                               const tw_json_kitem *k, uint32_t next) {
  uint32_t h = tw_json_key_hash((const unsigned char *)k->p, k->len);
  uint32_t j = h & (cap - 1);
  while (table[j].next)
    j = (j + 1) & (cap - 1);
  table[j] = (tw_json_dkey){k->off, k->len, h, next, 0, 0, 0};
  tw_json_key_words((const unsigned char *)k->p, k->len, &table[j].w0, &table[j].w1);
  table[j].w2 = tw_json_key_mid((const unsigned char *)k->p, k->len);
}

/* Key transitions of the state being expanded. dflt/nd: the .* set. */
static int tw_json_state_keys(tw_json_builder *b, tw_json_dstate *st,
                              const uint32_t *dflt, size_t nd) {
  const uint32_t *cur = TW_AT(b->cur, uint32_t);
  size_t n = TW_COUNT(b->cur, uint32_t);
  const tw_json_kedge *edges = TW_AT(b->plan->kedges, tw_json_kedge);
  b->kitems.len = 0;
  for (size_t i = 0; i < n; i++) {
    for (uint32_t e = b->kfirst[cur[i]]; e < b->kfirst[cur[i] + 1]; e++) {
      const tw_json_kedge *ke = &edges[b->korder[e]];
      tw_json_kitem it = {ke->key_len ? b->plan->keys.data + ke->key_off : "", ke->key_off,
                          ke->key_len, ke->child};
      if (tw_buf_append(&b->kitems, &it, sizeof it) != TW_OK)
        return TW_ENOMEM;
    }
  }
  size_t nk = TW_COUNT(b->kitems, tw_json_kitem);
  if (nk > 1)
    qsort(b->kitems.data, nk, sizeof(tw_json_kitem), tw_json_cmp_kitem);
  size_t groups = 0;
  for (size_t i = 0; i < nk; i++)
    if (i == 0 || tw_json_cmp_kitem(&TW_AT(b->kitems, tw_json_kitem)[i - 1],
                                    &TW_AT(b->kitems, tw_json_kitem)[i]) != 0)
      groups++;
  uint32_t cap = 0;
  if (groups) {
    cap = 2;
    while (cap < groups * 2)
      cap *= 2;
  }
  st->key_off = (uint32_t)TW_COUNT(b->keys, tw_json_dkey);
  st->key_cap = cap;
  if (cap) {
    if (tw_buf_reserve(&b->keys, cap * sizeof(tw_json_dkey)) != TW_OK)
      return TW_ENOMEM;
    memset(b->keys.data + b->keys.len, 0, cap * sizeof(tw_json_dkey));
    b->keys.len += cap * sizeof(tw_json_dkey);
  }
  for (size_t i = 0; i < nk;) {
    size_t j = i;
    int rc = tw_json_tmp_with_default(b, dflt, nd);
    const tw_json_kitem *items = TW_AT(b->kitems, tw_json_kitem);
    for (; rc == TW_OK && j < nk && tw_json_cmp_kitem(&items[i], &items[j]) == 0; j++)
      rc = tw_json_push_u32(&b->tmp, items[j].child);
    uint32_t next = 0;
    if (rc == TW_OK)
      rc = tw_json_intern(b, &next);
    if (rc != TW_OK)
      return rc;
    tw_json_key_insert(TW_AT(b->keys, tw_json_dkey) + st->key_off, cap,
                       &TW_AT(b->kitems, tw_json_kitem)[i], next);
    st->key_lens |= tw_json_len_bit(TW_AT(b->kitems, tw_json_kitem)[i].len);
    i = j;
  }
  return TW_OK;
}

/* Index transitions of the state being expanded. dflt/nd: the [*] set. */
static int tw_json_state_indexes(tw_json_builder *b, tw_json_dstate *st,
                                 const uint32_t *dflt, size_t nd) {
  const uint32_t *cur = TW_AT(b->cur, uint32_t);
  size_t n = TW_COUNT(b->cur, uint32_t);
  const tw_json_iedge *edges = TW_AT(b->plan->iedges, tw_json_iedge);
  tw_buf items = {0}; /* tw_json_didx: index + child, sorted */
  int rc = TW_OK;
  for (size_t i = 0; rc == TW_OK && i < n; i++)
    for (uint32_t e = b->ifirst[cur[i]]; rc == TW_OK && e < b->ifirst[cur[i] + 1]; e++) {
      tw_json_didx it = {edges[b->iorder[e]].index, edges[b->iorder[e]].child};
      rc = tw_buf_append(&items, &it, sizeof it);
    }
  size_t ni = TW_COUNT(items, tw_json_didx);
  if (rc == TW_OK && ni)
    qsort(items.data, ni, sizeof(tw_json_didx), tw_json_cmp_didx);
  st->idx_off = (uint32_t)TW_COUNT(b->idx, tw_json_didx);
  for (size_t i = 0; rc == TW_OK && i < ni;) {
    const tw_json_didx *it = TW_AT(items, tw_json_didx);
    size_t j = i;
    rc = tw_json_tmp_with_default(b, dflt, nd);
    for (; rc == TW_OK && j < ni && it[j].index == it[i].index; j++)
      rc = tw_json_push_u32(&b->tmp, it[j].next);
    tw_json_didx out = {it[i].index, 0};
    if (rc == TW_OK)
      rc = tw_json_intern(b, &out.next);
    if (rc == TW_OK)
      rc = tw_buf_append(&b->idx, &out, sizeof out);
    i = j;
  }
  st->idx_n = (uint32_t)(TW_COUNT(b->idx, tw_json_didx) - st->idx_off);
  tw_buf_free(&items);
  return rc;
}

/* Default (wildcard) transition for keys or indexes; the wildcard set is
 * left in dflt (caller frees). */
static int tw_json_state_default(tw_json_builder *b, int is_key, tw_buf *dflt,
                                 uint32_t *next) {
  int rc = tw_json_gather_any(b, is_key);
  if (rc == TW_OK)
    rc = tw_buf_append(dflt, b->tmp.data, b->tmp.len);
  if (rc == TW_OK)
    rc = tw_json_intern(b, next);
  return rc;
}

/* Expand state s: compute its ids and transitions, interning new sets. */
static int tw_json_expand(tw_json_builder *b, uint32_t s) {
  const tw_json_setref ref = TW_AT(b->sets, tw_json_setref)[s];
  tw_json_dstate st = {0};
  tw_buf kd = {0}, id = {0};
  b->cur.len = 0;
  int rc = tw_buf_append(&b->cur, TW_AT(b->setpool, uint32_t) + ref.off,
                         ref.n * sizeof(uint32_t));
  if (rc == TW_OK)
    rc = tw_json_state_ids(b, &st);
  if (rc == TW_OK)
    rc = tw_json_state_default(b, 1, &kd, &st.key_default);
  if (rc == TW_OK)
    rc = tw_json_state_keys(b, &st, TW_AT(kd, uint32_t), TW_COUNT(kd, uint32_t));
  if (rc == TW_OK)
    rc = tw_json_state_default(b, 0, &id, &st.idx_default);
  if (rc == TW_OK)
    rc = tw_json_state_indexes(b, &st, TW_AT(id, uint32_t), TW_COUNT(id, uint32_t));
  tw_buf_free(&kd);
  tw_buf_free(&id);
  st.live = st.key_default || st.idx_default || st.key_cap || st.idx_n;
  if (rc == TW_OK)
    rc = tw_buf_append(&b->states, &st, sizeof st);
  return rc;
}

static void tw_json_builder_free(tw_json_builder *b) {
  free(b->kfirst);
  free(b->korder);
  free(b->ifirst);
  free(b->iorder);
  free(b->htab);
  tw_buf_free(&b->setpool);
  tw_buf_free(&b->sets);
  tw_buf_free(&b->tmp);
  tw_buf_free(&b->cur);
  tw_buf_free(&b->kitems);
  tw_buf_free(&b->states);
  tw_buf_free(&b->ids);
  tw_buf_free(&b->keys);
  tw_buf_free(&b->idx);
}

static int tw_json_builder_init(tw_json_builder *b, const tw_json_plan *plan) {
  memset(b, 0, sizeof *b);
  b->plan = plan;
  b->nodes = TW_AT(plan->nodes, tw_json_node);
  b->nnodes = TW_COUNT(plan->nodes, tw_json_node);
  int rc = tw_json_csr(b->nnodes, plan->kedges.data,
                       TW_COUNT(plan->kedges, tw_json_kedge),
                       sizeof(tw_json_kedge), &b->kfirst, &b->korder);
  if (rc == TW_OK)
    rc = tw_json_csr(b->nnodes, plan->iedges.data,
                     TW_COUNT(plan->iedges, tw_json_iedge),
                     sizeof(tw_json_iedge), &b->ifirst, &b->iorder);
  /* state 0: the empty set (dead); state 1: {root} */
  tw_json_setref dead = {0, 0};
  if (rc == TW_OK)
    rc = tw_buf_append(&b->sets, &dead, sizeof dead);
  uint32_t start = 0;
  if (rc == TW_OK)
    rc = tw_json_push_u32(&b->tmp, 0);
  if (rc == TW_OK)
    rc = tw_json_intern(b, &start);
  tw_json_dstate dstate = {0};
  if (rc == TW_OK)
    rc = tw_buf_append(&b->states, &dstate, sizeof dstate);
  return rc;
}

static void tw_json_dfa_free(tw_json_dfa *d) {
  free(d->states);
  free(d->ids);
  free(d->keys);
  free(d->idx);
  memset(d, 0, sizeof *d);
}

/* Rebuild plan->dfa from the trie; on failure the old automaton stays. */
static int tw_json_dfa_build(tw_json_plan *plan) {
  tw_json_builder b;
  int rc = tw_json_builder_init(&b, plan);
  for (uint32_t s = 1; rc == TW_OK && s < TW_COUNT(b.sets, tw_json_setref); s++)
    rc = tw_json_expand(&b, s);
  if (rc == TW_OK) {
    tw_json_dfa_free(&plan->dfa);
    plan->dfa.states = TW_AT(b.states, tw_json_dstate);
    plan->dfa.nstates = TW_COUNT(b.states, tw_json_dstate);
    plan->dfa.ids = TW_AT(b.ids, uint32_t);
    plan->dfa.keys = TW_AT(b.keys, tw_json_dkey);
    plan->dfa.idx = TW_AT(b.idx, tw_json_didx);
    memset(&b.states, 0, sizeof b.states);
    memset(&b.ids, 0, sizeof b.ids);
    memset(&b.keys, 0, sizeof b.keys);
    memset(&b.idx, 0, sizeof b.idx);
  }
  tw_json_builder_free(&b);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

int tw_json_plan_new(tw_json_plan **out) {
  if (!out)
    return TW_EINVAL;
  tw_json_plan *plan = calloc(1, sizeof *plan);
  if (!plan)
    return TW_ENOMEM;
  uint32_t root;
  int rc = tw_json_node_new(plan, &root);
  if (rc == TW_OK)
    rc = tw_json_dfa_build(plan);
  if (rc != TW_OK) {
    tw_json_plan_free(plan);
    return rc;
  }
  *out = plan;
  return TW_OK;
}

void tw_json_plan_free(tw_json_plan *plan) {
  if (!plan)
    return;
  tw_buf_free(&plan->nodes);
  tw_buf_free(&plan->kedges);
  tw_buf_free(&plan->iedges);
  tw_buf_free(&plan->keys);
  tw_json_dfa_free(&plan->dfa);
  free(plan);
}

size_t tw_json_plan_count(const tw_json_plan *plan) {
  return plan ? plan->npaths : 0;
}

int tw_json_plan_add(tw_json_plan *plan, const tw_json_step *steps, size_t n,
                     uint32_t *out_id) {
  if (!plan || !out_id || (n && !steps))
    return TW_EINVAL;
  if (plan->npaths >= UINT32_MAX)
    return TW_ELIMIT;
  size_t nnodes = TW_COUNT(plan->nodes, tw_json_node);
  size_t nk = TW_COUNT(plan->kedges, tw_json_kedge);
  size_t ni = TW_COUNT(plan->iedges, tw_json_iedge);
  size_t keys_len = plan->keys.len;
  uint32_t node = 0;
  int rc = TW_OK;
  for (size_t i = 0; rc == TW_OK && i < n; i++)
    rc = tw_json_step_child(plan, node, &steps[i], &node);
  if (rc == TW_OK && TW_AT(plan->nodes, tw_json_node)[node].id >= 0) {
    *out_id = (uint32_t)TW_AT(plan->nodes, tw_json_node)[node].id;
    return TW_OK; /* identical path already present; nothing was added */
  }
  if (rc == TW_OK) {
    TW_AT(plan->nodes, tw_json_node)[node].id = (int64_t)plan->npaths;
    rc = tw_json_dfa_build(plan);
    if (rc != TW_OK)
      TW_AT(plan->nodes, tw_json_node)[node].id = -1;
  }
  if (rc != TW_OK) {
    tw_json_trie_truncate(plan, nnodes, nk, ni, keys_len);
    return rc;
  }
  *out_id = (uint32_t)plan->npaths++;
  return TW_OK;
}
