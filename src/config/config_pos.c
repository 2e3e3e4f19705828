/*
 * config_pos.c — tw_cfg_posmap: where each value of a parsed configuration
 * document was written.
 *
 * jansson values carry no source position, and true/false/null are shared
 * singletons, so positions are recorded per container: a hash table keyed
 * by the container's address gives the list of its children in insertion
 * order (key, key position, value position). The YAML reader fills it; the
 * validators ask it for the position of "member K of object O" or "item I
 * of list L" when they report an error. Containers built later (parameter
 * substitution, CloudFormation resolution) are registered with the
 * positions of the values they were made from. The map holds a reference
 * to every container it knows, so an address is never reused while the
 * map lives. It also remembers the first CloudFormation short-form tag
 * (!Ref, ...) of the document.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

typedef struct tw_cfg_slot {
  char *key; /* NULL for list items */
  tw_cfg_pos key_pos, val_pos;
} tw_cfg_slot;

typedef struct tw_cfg_kids {
  const json_t *node;
  tw_cfg_slot *slots;
  size_t n, cap;
  size_t hint; /* where the next keyed lookup starts: validators walk in order */
} tw_cfg_kids;

struct tw_cfg_posmap {
  tw_cfg_kids *kids;
  size_t nkids, capkids;
  size_t *table; /* kids index + 1, 0 = empty; open addressing */
  size_t tcap;   /* power of two */
  tw_cfg_pos root;
  tw_cfg_pos tag_pos; /* first CloudFormation tag, line 0 when none */
  char tag[24];
};

int tw_cfg_posmap_new(tw_cfg_posmap **out) {
  tw_cfg_posmap *pm = calloc(1, sizeof *pm);
  if (!pm)
    return TW_ENOMEM;
  *out = pm;
  return TW_OK;
}

void tw_cfg_posmap_free(tw_cfg_posmap *pm) {
  if (!pm)
    return;
  for (size_t i = 0; i < pm->nkids; i++) {
    for (size_t j = 0; j < pm->kids[i].n; j++)
      free(pm->kids[i].slots[j].key);
    free(pm->kids[i].slots);
    json_decref((json_t *)pm->kids[i].node);
  }
  free(pm->kids);
  free(pm->table);
  free(pm);
}

static size_t tw_cfg_hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  return (size_t)x;
}

/* Index into pm->table of node's entry or of the empty slot for it. */
static size_t tw_cfg_probe(const tw_cfg_posmap *pm, const json_t *node) {
  size_t mask = pm->tcap - 1, i = tw_cfg_hash_ptr(node) & mask;
  while (pm->table[i] && pm->kids[pm->table[i] - 1].node != node)
    i = (i + 1) & mask;
  return i;
}

static int tw_cfg_rehash(tw_cfg_posmap *pm) {
  size_t ncap = pm->tcap ? pm->tcap * 2 : 64;
  size_t *nt = calloc(ncap, sizeof *nt);
  if (!nt)
    return TW_ENOMEM;
  free(pm->table);
  pm->table = nt;
  pm->tcap = ncap;
  for (size_t k = 0; k < pm->nkids; k++)
    pm->table[tw_cfg_probe(pm, pm->kids[k].node)] = k + 1;
  return TW_OK;
}

static tw_cfg_kids *tw_cfg_find(const tw_cfg_posmap *pm, const json_t *node) {
  if (!pm || !pm->tcap)
    return NULL;
  size_t i = pm->table[tw_cfg_probe(pm, node)];
  return i ? &pm->kids[i - 1] : NULL;
}

static tw_cfg_kids *tw_cfg_find_or_add(tw_cfg_posmap *pm, const json_t *node) {
  tw_cfg_kids *k = tw_cfg_find(pm, node);
  if (k)
    return k;
  if ((pm->nkids + 1) * 2 > pm->tcap && tw_cfg_rehash(pm))
    return NULL;
  if (pm->nkids == pm->capkids) {
    size_t ncap = pm->capkids ? pm->capkids * 2 : 32;
    tw_cfg_kids *nk = realloc(pm->kids, ncap * sizeof *nk);
    if (!nk)
      return NULL;
    pm->kids = nk;
    pm->capkids = ncap;
  }
  k = &pm->kids[pm->nkids++];
  memset(k, 0, sizeof *k);
  k->node = json_incref((json_t *)node);
  pm->table[tw_cfg_probe(pm, node)] = pm->nkids;
  return k;
}

int tw_cfg_posmap_add(tw_cfg_posmap *pm, const json_t *container, const char *key,
                      tw_cfg_pos key_pos, tw_cfg_pos val_pos) {
  tw_cfg_kids *k = tw_cfg_find_or_add(pm, container);
  if (!k)
    return TW_ENOMEM;
  if (k->n == k->cap) {
    size_t ncap = k->cap ? k->cap * 2 : 4;
    tw_cfg_slot *ns = realloc(k->slots, ncap * sizeof *ns);
    if (!ns)
      return TW_ENOMEM;
    k->slots = ns;
    k->cap = ncap;
  }
  tw_cfg_slot *s = &k->slots[k->n];
  s->key = NULL;
  if (key && !(s->key = strdup(key)))
    return TW_ENOMEM;
  s->key_pos = key_pos;
  s->val_pos = val_pos;
  k->n++;
  return TW_OK;
}

tw_cfg_pos tw_cfg_posmap_get(const tw_cfg_posmap *pm, const json_t *container, const char *key,
                             size_t index, int want_key) {
  tw_cfg_pos none = {0, 0};
  tw_cfg_kids *k = tw_cfg_find(pm, container);
  if (!k)
    return none;
  const tw_cfg_slot *s = NULL;
  if (!key) {
    if (index < k->n)
      s = &k->slots[index];
  } else {
    for (size_t j = 0; j < k->n && !s; j++) {
      size_t i = (k->hint + j) % k->n;
      if (k->slots[i].key && !strcmp(k->slots[i].key, key)) {
        s = &k->slots[i];
        k->hint = i;
      }
    }
  }
  if (!s)
    return none;
  return want_key ? s->key_pos : s->val_pos;
}

void tw_cfg_posmap_set_root(tw_cfg_posmap *pm, tw_cfg_pos pos) { pm->root = pos; }

tw_cfg_pos tw_cfg_posmap_root(const tw_cfg_posmap *pm) {
  tw_cfg_pos none = {0, 0};
  return pm ? pm->root : none;
}

void tw_cfg_posmap_note_tag(tw_cfg_posmap *pm, tw_cfg_pos pos, const char *tag) {
  if (pm->tag_pos.line)
    return;
  pm->tag_pos = pos;
  snprintf(pm->tag, sizeof pm->tag, "%s", tag);
}

tw_cfg_pos tw_cfg_posmap_tag(const tw_cfg_posmap *pm, const char **tag) {
  tw_cfg_pos none = {0, 0};
  if (!pm || !pm->tag_pos.line)
    return none;
  *tag = pm->tag;
  return pm->tag_pos;
}

int tw_cfg_posmap_copy(tw_cfg_posmap *pm, const json_t *to, const char *to_key,
                       const json_t *from, const char *from_key, size_t from_index) {
  tw_cfg_pos kp = tw_cfg_posmap_get(pm, from, from_key, from_index, 1);
  tw_cfg_pos vp = tw_cfg_posmap_get(pm, from, from_key, from_index, 0);
  return tw_cfg_posmap_add(pm, to, to_key, kp, vp);
}
