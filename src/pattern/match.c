/*
 * match.c — evaluation of a compiled filter pattern against one message.
 *
 * Terms are substring tests; a standalone regex is a search over the whole
 * message; JSON patterns resolve every selector in one scan of the event
 * (src/json/) and then evaluate the AND/OR tree with existential semantics
 * over the values found (D10, D11); space-delimited patterns split the
 * message into fields and test each slot (D1). tw_match holds reusable
 * scratch memory so steady-state matching does not allocate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

int tw_match_new(tw_match **out) {
  tw_match *m = calloc(1, sizeof *m);
  if (!m)
    return TW_ENOMEM;
  *out = m;
  return TW_OK;
}

void tw_match_free(tw_match *m) {
  if (!m)
    return;
  free(m->vals);
  free(m->heads);
  free(m->tails);
  free(m->toks);
  free(m->kv);
  tw_buf_free(&m->arena);
  tw_buf_free(&m->scratch);
  tw_buf_free(&m->scratch2);
  free(m);
}

size_t tw_match_extracted_count(const tw_match *m) { return m ? m->nkv : 0; }

int tw_match_extracted(const tw_match *m, size_t i, const char **key, size_t *klen,
                       const char **val, size_t *vlen) {
  if (!m || i >= m->nkv)
    return TW_ENOTFOUND;
  const tw_kv *kv = &m->kv[i];
  *key = m->arena.data + kv->key_off;
  *klen = kv->key_len;
  *val = m->arena.data + kv->val_off;
  *vlen = kv->val_len;
  return TW_OK;
}

int tw_match_add_kv(tw_match *m, const char *key, size_t klen, const char *val, size_t vlen,
                    size_t position) {
  if (m->nkv == m->capkv) {
    size_t cap = m->capkv ? m->capkv * 2 : 16;
    tw_kv *kv = realloc(m->kv, cap * sizeof *kv);
    if (!kv)
      return TW_ENOMEM;
    m->kv = kv;
    m->capkv = cap;
  }
  tw_kv *kv = &m->kv[m->nkv];
  kv->key_off = m->arena.len;
  kv->key_len = klen;
  if (tw_buf_append(&m->arena, key, klen) || tw_buf_append(&m->arena, "", 1))
    return TW_ENOMEM;
  kv->val_off = m->arena.len;
  kv->val_len = vlen;
  if (tw_buf_append(&m->arena, val, vlen) || tw_buf_append(&m->arena, "", 1))
    return TW_ENOMEM;
  kv->position = position;
  m->nkv++;
  return TW_OK;
}

/* ---- JSON ---- */

int tw_match_json_begin(tw_match *m, size_t nids) {
  if (nids > m->capheads) {
    int32_t *h = realloc(m->heads, nids * sizeof *h);
    if (!h)
      return TW_ENOMEM;
    m->heads = h;
    int32_t *t = realloc(m->tails, nids * sizeof *t);
    if (!t)
      return TW_ENOMEM;
    m->tails = t;
    m->capheads = nids;
  }
  for (size_t i = 0; i < nids; i++)
    m->heads[i] = m->tails[i] = -1;
  m->nvals = 0;
  return TW_OK;
}

int tw_match_json_add(tw_match *m, uint32_t id, const tw_json_value *v) {
  if (m->nvals == m->capvals) {
    size_t cap = m->capvals ? m->capvals * 2 : 32;
    tw_jval *vals = realloc(m->vals, cap * sizeof *vals);
    if (!vals)
      return TW_ENOMEM;
    m->vals = vals;
    m->capvals = cap;
  }
  int32_t idx = (int32_t)m->nvals++;
  m->vals[idx].id = id;
  m->vals[idx].next = -1;
  m->vals[idx].v = *v;
  if (m->tails[id] >= 0)
    m->vals[m->tails[id]].next = idx;
  else
    m->heads[id] = idx;
  m->tails[id] = idx;
  return 0;
}

static int collect_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  return tw_match_json_add(ctx, id, v);
}

int tw_match_collect_json(tw_match *m, const tw_json_plan *plan, const char *msg, size_t len) {
  int rc = tw_match_json_begin(m, tw_json_plan_count(plan));
  if (rc)
    return rc;
  tw_json_type root;
  rc = tw_json_scan(plan, msg, len, collect_visit, m, &root);
  if (rc == TW_ENOMEM)
    return rc;
  if (rc != TW_OK || root != TW_JSON_OBJECT)
    return TW_ESYNTAX; /* D14: not a JSON object, never matches */
  return TW_OK;
}

int tw_match_json_text(tw_buf *scratch, const tw_json_value *v, const char **text, size_t *len) {
  if (v->type != TW_JSON_STRING || !v->has_escapes) {
    *text = v->ptr;
    *len = v->len;
    return TW_OK;
  }
  scratch->len = 0;
  if (tw_buf_reserve(scratch, v->len + 1))
    return TW_ENOMEM;
  size_t n;
  int rc = tw_json_string_decode(v, scratch->data, scratch->cap, &n);
  if (rc)
    return rc;
  *text = scratch->data;
  *len = n;
  return TW_OK;
}

static int is_scalar(tw_json_type t) { return t != TW_JSON_OBJECT && t != TW_JSON_ARRAY; }

/* Does one resolved value satisfy a comparison node? (D9, D10) */
static int value_test(tw_match *m, const tw_node *n, const tw_json_value *v) {
  switch (n->kind) {
  case TW_NODE_IS_NULL: return v->type == TW_JSON_NULL;
  case TW_NODE_IS_TRUE: return v->type == TW_JSON_TRUE;
  case TW_NODE_IS_FALSE: return v->type == TW_JSON_FALSE;
  default: break;
  }
  if (!is_scalar(v->type))
    return 0;
  if (n->value.kind == TW_VALUE_ANY)
    return n->op == TW_OP_EQ;
  if (v->type != TW_JSON_STRING && v->type != TW_JSON_NUMBER)
    return 0; /* booleans and null only through IS TRUE/FALSE/NULL */
  const char *text;
  size_t len;
  if (tw_match_json_text(&m->scratch, v, &text, &len))
    return 0;
  double num = 0;
  int is_num = v->type == TW_JSON_NUMBER;
  if (is_num && tw_json_number_parse(v->ptr, v->len, &num))
    return 0;
  return tw_value_compare(&n->value, n->op, text, len, is_num, num);
}

static int eval_node(tw_match *m, const uint32_t *ids, const tw_node *n) {
  switch (n->kind) {
  case TW_NODE_OR: return eval_node(m, ids, n->left) || eval_node(m, ids, n->right);
  case TW_NODE_AND: return eval_node(m, ids, n->left) && eval_node(m, ids, n->right);
  default: break;
  }
  int32_t i = m->heads[ids[n->sel]];
  if (n->kind == TW_NODE_NOT_EXISTS)
    return i < 0;
  for (; i >= 0; i = m->vals[i].next)
    if (value_test(m, n, &m->vals[i].v))
      return 1;
  return 0;
}

/* D8: every non-wildcard selector that resolved to a scalar (last occurrence). */
static int json_extract(tw_match *m, const tw_pattern *p, const uint32_t *ids) {
  for (size_t s = 0; s < p->nsels; s++) {
    if (p->sels[s].wildcard || m->tails[ids[s]] < 0)
      continue;
    const tw_json_value *v = &m->vals[m->tails[ids[s]]].v;
    if (!is_scalar(v->type))
      continue;
    const char *text;
    size_t len;
    int rc = tw_match_json_text(&m->scratch, v, &text, &len);
    if (rc == TW_ENOMEM)
      return rc;
    if (rc == TW_OK && (rc = tw_match_add_kv(m, p->sels[s].text, p->sels[s].text_len, text, len, 0)))
      return rc;
  }
  return TW_OK;
}

static int match_json(const tw_pattern *p, const char *msg, size_t len, tw_match *m,
                      int extract, int *matched) {
  int rc = tw_match_collect_json(m, p->plan, msg, len);
  if (rc == TW_ESYNTAX)
    return TW_OK;
  if (rc)
    return rc;
  return tw_pattern_eval_json(p, m, p->sel_ids, extract, matched);
}

int tw_pattern_eval_json(const tw_pattern *p, tw_match *m, const uint32_t *ids, int extract,
                         int *matched) {
  *matched = eval_node(m, ids, p->root);
  if (*matched && extract) {
    m->nkv = 0;
    m->arena.len = 0;
    return json_extract(m, p, ids);
  }
  return TW_OK;
}

/* ---- space-delimited ---- */

static int push_token(tw_match *m, size_t rs, size_t re, size_t vs, size_t ve) {
  if (m->ntoks == m->captoks) {
    size_t cap = m->captoks ? m->captoks * 2 : 32;
    tw_token *t = realloc(m->toks, cap * sizeof *t);
    if (!t)
      return TW_ENOMEM;
    m->toks = t;
    m->captoks = cap;
  }
  m->toks[m->ntoks++] = (tw_token){rs, re, vs, ve};
  return TW_OK;
}

/* Fields are separated by runs of spaces; "..." and [...] are one field
 * each, without their delimiters (an unterminated one runs to the end). */
int tw_match_tokenize(tw_match *m, const char *msg, size_t len) {
  m->ntoks = 0;
  size_t i = 0;
  while (i < len) {
    while (i < len && msg[i] == ' ')
      i++;
    if (i >= len)
      break;
    size_t start = i;
    char close = msg[i] == '"' ? '"' : msg[i] == '[' ? ']' : 0;
    int rc;
    if (close) {
      const char *end = memchr(msg + i + 1, close, len - i - 1);
      size_t vend = end ? (size_t)(end - msg) : len;
      i = end ? vend + 1 : len;
      rc = push_token(m, start, i, start + 1, vend);
    } else {
      while (i < len && msg[i] != ' ')
        i++;
      rc = push_token(m, start, i, start, i);
    }
    if (rc)
      return rc;
  }
  return TW_OK;
}

static int eval_cond(const tw_cond *c, const char *text, size_t len, int is_num, double num) {
  switch (c->kind) {
  case TW_COND_OR:
    return eval_cond(c->left, text, len, is_num, num) || eval_cond(c->right, text, len, is_num, num);
  case TW_COND_AND:
    return eval_cond(c->left, text, len, is_num, num) && eval_cond(c->right, text, len, is_num, num);
  default:
    return tw_value_compare(&c->value, c->op, text, len, is_num, num);
  }
}

/* Value text of the field that pattern slot f covers: tokens [t0, t1]. */
static void slot_text(const tw_match *m, const char *msg, size_t t0, size_t t1,
                      const char **text, size_t *len) {
  if (t0 == t1) {
    *text = msg + m->toks[t0].val_start;
    *len = m->toks[t0].val_end - m->toks[t0].val_start;
  } else { /* D1: the last field takes the rest of the message, as written */
    *text = msg + m->toks[t0].raw_start;
    *len = m->toks[t1].raw_end - m->toks[t0].raw_start;
  }
}

static int field_test(const tw_field *f, const char *text, size_t len) {
  if (!f->cond)
    return 1;
  double num = 0;
  int is_num = tw_pattern_number(text, len, &num);
  return eval_cond(f->cond, text, len, is_num, num);
}

static int extract_field(tw_match *m, const tw_field *f, size_t position, const char *text,
                         size_t len) {
  char key[32];
  if (f && f->kind == TW_FIELD_NAMED) {
    if (f->name_len + 2 > sizeof key) {
      tw_buf *b = &m->scratch2;
      b->len = 0;
      if (tw_buf_append(b, "$", 1) || tw_buf_append(b, f->name, f->name_len))
        return TW_ENOMEM;
      return tw_match_add_kv(m, b->data, b->len, text, len, position);
    }
    key[0] = '$';
    memcpy(key + 1, f->name, f->name_len);
    return tw_match_add_kv(m, key, f->name_len + 1, text, len, position);
  }
  int n = snprintf(key, sizeof key, "$%zu", position);
  return tw_match_add_kv(m, key, (size_t)n, text, len, position);
}

/* Map each message token to a pattern slot; slot index or -1 (ellipsis). */
static int slot_of(const tw_pattern *p, size_t ntoks, size_t t, size_t *last_tok) {
  size_t k = p->nfields;
  *last_tok = t;
  if (p->ellipsis < 0) {
    if (t + 1 >= k) { /* the last slot */
      *last_tok = ntoks - 1;
      return (int)k - 1;
    }
    return (int)t;
  }
  size_t before = (size_t)p->ellipsis, after = k - before - 1;
  if (t < before)
    return (int)t;
  if (t >= ntoks - after)
    return (int)(before + 1 + (t - (ntoks - after)));
  return -1;
}

static int match_delimited(const tw_pattern *p, const char *msg, size_t len, tw_match *m,
                           int extract, int *matched) {
  int rc = tw_match_tokenize(m, msg, len);
  if (rc)
    return rc;
  size_t k = p->nfields, n = m->ntoks;
  size_t need = p->ellipsis >= 0 ? k - 1 : k;
  if (n < need)
    return TW_OK;
  for (int pass = 0; pass < 2; pass++) { /* pass 0 tests, pass 1 extracts */
    if (pass == 1 && !extract)
      break;
    for (size_t t = 0; t < n; t++) {
      size_t last = t;
      int s = k ? slot_of(p, n, t, &last) : -1;
      const tw_field *f = s >= 0 ? &p->fields[s] : NULL;
      const char *text;
      size_t tlen;
      slot_text(m, msg, t, last, &text, &tlen);
      if (pass == 0 && f && !field_test(f, text, tlen))
        return TW_OK;
      if (pass == 1 && (rc = extract_field(m, f, t + 1, text, tlen)))
        return rc;
      t = last;
    }
  }
  *matched = 1;
  return TW_OK;
}

/* ---- terms ---- */

static int match_terms(const tw_pattern *p, const char *msg, size_t len) {
  if (p->or_mode) {
    for (size_t i = 0; i < p->nterms; i++)
      if (memmem(msg, len, p->terms[i].text, p->terms[i].len))
        return 1;
    return 0;
  }
  for (size_t i = 0; i < p->nterms; i++) {
    const tw_term *t = &p->terms[i];
    if (t->kind == TW_TERM_OR)
      continue; /* D2 */
    int found = memmem(msg, len, t->text, t->len) != NULL;
    if (found != (t->kind == TW_TERM_AND))
      return 0;
  }
  return 1;
}

int tw_pattern_match(const tw_pattern *p, const char *msg, size_t len, tw_match *m,
                     int *matched) {
  *matched = 0;
  if (m)
    m->nkv = 0, m->arena.len = 0;
  switch (p->kind) {
  case TW_PATTERN_ALL: *matched = 1; return TW_OK;
  case TW_PATTERN_TERMS: *matched = match_terms(p, msg, len); return TW_OK;
  case TW_PATTERN_REGEX: *matched = tw_regex_search(p->regex, msg, len); return TW_OK;
  default: break;
  }
  tw_match *tmp = NULL;
  if (!m) {
    if (tw_match_new(&tmp))
      return TW_ENOMEM;
  }
  tw_match *use = m ? m : tmp;
  int rc = p->kind == TW_PATTERN_JSON ? match_json(p, msg, len, use, m != NULL, matched)
                                      : match_delimited(p, msg, len, use, m != NULL, matched);
  tw_match_free(tmp);
  if (rc)
    *matched = 0;
  return rc;
}
