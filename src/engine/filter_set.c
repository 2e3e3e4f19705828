/*
 * filter_set.c — many filter patterns evaluated in one pass over each event.
 *
 * All JSON patterns of a set share one tw_json_plan (the union of their
 * selectors, a trie of paths), so each event is scanned once and every
 * JSON filter is decided from the values collected in that pass. Before
 * that, an exact prefilter searches the raw event for every filter's
 * required literals at once (Vectorscan, a Debian package); a JSON filter
 * whose literals are all absent cannot match and is skipped, and when no
 * JSON filter remains the JSON scan is skipped too. An event is never
 * rejected on raw bytes when one of its escape sequences decodes to a byte
 * that occurs in some literal (the escape could spell it). Term, regex and space-delimited patterns are evaluated on
 * their own. Results are identical to tw_pattern_match of each pattern.
 *
 * Fused collection: a reader that already scans every event (the input
 * layer classifying CloudTrail records) may add its own paths to the
 * shared plan and feed the values of its scan to a scratch
 * (tw_filter_scratch_begin / tw_filter_scratch_visit); the JSON filters
 * are then decided from those values with no prefilter and no second scan
 * (tw_filter_set_eval_collected).
 *
 * Either way, once the values are collected, the value gates of
 * filter_gate.c open the JSON filters that can match (one hash lookup per
 * gated value); only those are evaluated in full.
 */
#include <hs.h>
#include <stdlib.h>
#include <string.h>

#include "engine/filter_gate.h"
#include "pattern/pattern_internal.h"

typedef struct tw_fentry {
  const tw_pattern *p;
  uint32_t *ids;  /* JSON: p->sels[i] -> id in the shared plan */
  int always;     /* JSON without a literal requirement: always evaluated */
} tw_fentry;

struct tw_filter_set {
  tw_fentry *f;
  size_t n;
  tw_json_plan *plan; /* shared by the JSON filters */
  size_t njson;
  hs_database_t *db;  /* unique literals of the JSON filters, or NULL */
  size_t nlits;
  unsigned char lit_bytes[256]; /* bytes occurring in some literal */
  int lit_high;                 /* some literal has a non-ASCII byte */
  /* CNF per filter: filter f's clauses are [fclause[f], fclause[f+1]);
   * clause k's literal ids are clause_lits[clause[k] .. clause[k+1]) */
  uint32_t *fclause, *clause, *clause_lits;
  tw_gate *gate; /* value gates of the JSON filters (filter_gate.c) */
};

struct tw_filter_scratch {
  tw_match *m;       /* collection scratch for the shared scan */
  tw_match *x;       /* extraction scratch (tw_filter_scratch_match) */
  hs_scratch_t *hs;
  unsigned char *cand;
  unsigned char *open; /* per filter: its value gate holds */
  unsigned char *hit;  /* per literal: seen in this event */
  uint32_t *touched;   /* literal ids set in hit */
  size_t ntouched;
  int json_state;      /* last event: 1 JSON object, 0 not one, -1 not scanned */
};

size_t tw_filter_set_count(const tw_filter_set *fs) { return fs->n; }

void tw_filter_set_free(tw_filter_set *fs) {
  if (!fs)
    return;
  for (size_t i = 0; i < fs->n; i++)
    free(fs->f[i].ids);
  free(fs->f);
  tw_json_plan_free(fs->plan);
  hs_free_database(fs->db);
  free(fs->fclause);
  free(fs->clause);
  free(fs->clause_lits);
  tw_gate_free(fs->gate);
  free(fs);
}

static int add_to_plan(tw_filter_set *fs, tw_fentry *e) {
  const tw_pattern *p = e->p;
  e->ids = malloc((p->nsels ? p->nsels : 1) * sizeof *e->ids);
  if (!e->ids)
    return TW_ENOMEM;
  for (size_t i = 0; i < p->nsels; i++) {
    int rc = tw_json_plan_add(fs->plan, p->sels[i].steps, p->sels[i].nsteps, &e->ids[i]);
    if (rc)
      return rc;
  }
  return TW_OK;
}

/* Unique literals and the clause tables under construction. */
typedef struct lits {
  const char **s;
  size_t *len;
  size_t n;
  uint32_t *clause, *clause_lits; /* as in tw_filter_set */
  size_t nclauses, nclause_lits;
} lits;

static int grow(void *pp, size_t n, size_t size) {
  void *p = realloc(*(void **)pp, (n + 1) * size);
  if (!p)
    return TW_ENOMEM;
  *(void **)pp = p;
  return TW_OK;
}

static int intern(lits *l, const char *s, size_t len, uint32_t *id) {
  for (size_t i = 0; i < l->n; i++)
    if (l->len[i] == len && !memcmp(l->s[i], s, len)) {
      *id = (uint32_t)i;
      return TW_OK;
    }
  if (grow(&l->s, l->n, sizeof *l->s) || grow(&l->len, l->n, sizeof *l->len))
    return TW_ENOMEM;
  l->s[l->n] = s;
  l->len[l->n] = len;
  *id = (uint32_t)l->n++;
  return TW_OK;
}

static int add_clause(lits *l, const tw_lit_clause *c) {
  for (size_t i = 0; i < c->n; i++) {
    uint32_t id;
    if (intern(l, c->s[i], c->len[i], &id) ||
        grow(&l->clause_lits, l->nclause_lits, sizeof *l->clause_lits))
      return TW_ENOMEM;
    l->clause_lits[l->nclause_lits++] = id;
  }
  if (grow(&l->clause, l->nclauses + 1, sizeof *l->clause))
    return TW_ENOMEM;
  l->clause[++l->nclauses] = (uint32_t)l->nclause_lits;
  return TW_OK;
}

static int collect_literals(tw_filter_set *fs, lits *l) {
  if (!(fs->fclause = calloc(fs->n + 1, sizeof *fs->fclause)) || grow(&l->clause, 0, sizeof *l->clause))
    return TW_ENOMEM;
  l->clause[0] = 0;
  for (size_t i = 0; i < fs->n; i++) {
    tw_fentry *e = &fs->f[i];
    fs->fclause[i] = (uint32_t)l->nclauses;
    if (e->p->kind != TW_PATTERN_JSON)
      continue;
    tw_lit_cnf cnf;
    int rc = tw_pattern_literal_cnf(e->p, &cnf);
    e->always = cnf.n == 0;
    for (size_t k = 0; !rc && k < cnf.n; k++)
      rc = add_clause(l, &cnf.c[k]);
    tw_lit_cnf_free(&cnf);
    if (rc)
      return rc;
  }
  fs->fclause[fs->n] = (uint32_t)l->nclauses;
  return TW_OK;
}

/* One Vectorscan database over the unique literals; literal k has id k. */
static int build_database(tw_filter_set *fs, lits *l, tw_error *err) {
  fs->nlits = l->n;
  fs->clause = l->clause;
  fs->clause_lits = l->clause_lits;
  l->clause = l->clause_lits = NULL;
  if (l->n == 0)
    return TW_OK;
  unsigned *flags = malloc(l->n * sizeof *flags);
  unsigned *ids = malloc(l->n * sizeof *ids);
  int rc = flags && ids ? TW_OK : TW_ENOMEM;
  for (size_t k = 0; !rc && k < l->n; k++) {
    for (size_t b = 0; b < l->len[k]; b++) {
      fs->lit_bytes[(unsigned char)l->s[k][b]] = 1;
      fs->lit_high |= (unsigned char)l->s[k][b] >= 0x80;
    }
    flags[k] = HS_FLAG_SINGLEMATCH;
    ids[k] = (unsigned)k;
  }
  hs_compile_error_t *cerr = NULL;
  if (!rc && hs_compile_lit_multi(l->s, flags, ids, l->len, (unsigned)l->n, HS_MODE_BLOCK, NULL,
                                  &fs->db, &cerr) != HS_SUCCESS) {
    rc = tw_error_set(err, TW_EINVAL, 0, "prefilter: %s", cerr ? cerr->message : "failed");
    hs_free_compile_error(cerr);
  }
  free(flags);
  free(ids);
  return rc;
}

static int build_gate(tw_filter_set *fs) {
  const uint32_t **ids = malloc((fs->n ? fs->n : 1) * sizeof *ids);
  if (!ids)
    return TW_ENOMEM;
  for (size_t i = 0; i < fs->n; i++)
    ids[i] = fs->f[i].p->kind == TW_PATTERN_JSON ? fs->f[i].ids : NULL;
  const tw_pattern **p = malloc((fs->n ? fs->n : 1) * sizeof *p);
  int rc = p ? TW_OK : TW_ENOMEM;
  for (size_t i = 0; !rc && i < fs->n; i++)
    p[i] = fs->f[i].p;
  if (!rc)
    rc = tw_gate_new(p, ids, fs->n, &fs->gate);
  free(p);
  free(ids);
  return rc;
}

int tw_filter_set_new(const tw_pattern *const *patterns, size_t n, tw_filter_set **out,
                      tw_error *err) {
  tw_filter_set *fs = calloc(1, sizeof *fs);
  if (!fs || !(fs->f = calloc(n ? n : 1, sizeof *fs->f)) || tw_json_plan_new(&fs->plan)) {
    tw_filter_set_free(fs);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  int rc = TW_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    fs->f[i].p = patterns[i];
    fs->n = i + 1;
    if (patterns[i]->kind == TW_PATTERN_JSON) {
      fs->njson++;
      rc = add_to_plan(fs, &fs->f[i]);
    }
  }
  lits l = {0};
  if (!rc)
    rc = collect_literals(fs, &l);
  if (!rc)
    rc = build_database(fs, &l, err);
  if (!rc)
    rc = build_gate(fs);
  free(l.s);
  free(l.len);
  free(l.clause);
  free(l.clause_lits);
  if (rc) {
    if (rc == TW_ENOMEM)
      tw_error_set(err, rc, 0, "out of memory");
    tw_filter_set_free(fs);
    return rc;
  }
  *out = fs;
  return TW_OK;
}

int tw_filter_scratch_new(const tw_filter_set *fs, tw_filter_scratch **out) {
  tw_filter_scratch *s = calloc(1, sizeof *s);
  int rc = s ? TW_OK : TW_ENOMEM;
  if (!rc && (tw_match_new(&s->m) || tw_match_new(&s->x) ||
              !(s->cand = calloc(fs->n ? fs->n : 1, 1)) ||
              !(s->open = calloc(fs->n ? fs->n : 1, 1)) ||
              !(s->hit = calloc(fs->nlits + 1, 1)) ||
              !(s->touched = calloc(fs->nlits + 1, sizeof *s->touched))))
    rc = TW_ENOMEM;
  if (!rc && fs->db && hs_alloc_scratch(fs->db, &s->hs) != HS_SUCCESS)
    rc = TW_ENOMEM;
  if (rc) {
    tw_filter_scratch_free(s);
    return rc;
  }
  *out = s;
  return TW_OK;
}

void tw_filter_scratch_free(tw_filter_scratch *s) {
  if (!s)
    return;
  tw_match_free(s->m);
  tw_match_free(s->x);
  hs_free_scratch(s->hs);
  free(s->cand);
  free(s->open);
  free(s->hit);
  free(s->touched);
  free(s);
}

static int on_literal(unsigned int id, unsigned long long from, unsigned long long to,
                      unsigned int flags, void *vctx) {
  tw_filter_scratch *s = vctx;
  if (!s->hit[id]) {
    s->hit[id] = 1;
    s->touched[s->ntouched++] = id;
  }
  (void)from, (void)to, (void)flags;
  return 0;
}

/* Does the event satisfy every clause of filter f? */
static int clauses_hold(const tw_filter_set *fs, const tw_filter_scratch *s, size_t f) {
  for (uint32_t k = fs->fclause[f]; k < fs->fclause[f + 1]; k++) {
    int any = 0;
    for (uint32_t j = fs->clause[k]; j < fs->clause[k + 1] && !any; j++)
      any = s->hit[fs->clause_lits[j]];
    if (!any)
      return 0;
  }
  return 1;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
    if (d > 15)
      return 0;
    v = v * 16 + d;
  }
  *out = v;
  return 1;
}

/* Could an escape sequence in msg spell a byte of some literal? Then the
 * raw bytes cannot prove a literal absent. Escapes decoding to '"', '\',
 * control characters or (when no literal has non-ASCII bytes) non-ASCII
 * characters never can: literals contain none of those. */
static int escapes_may_hide(const tw_filter_set *fs, const char *p, const char *end) {
  int high = fs->lit_high;
  while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
    if (end - p < 2)
      return 1;
    char e = p[1];
    unsigned cp;
    if (e == '/') {
      if (fs->lit_bytes['/'])
        return 1;
    } else if (e == 'u') {
      if (end - p < 6 || !hex4(p + 2, &cp))
        return 1;
      if (cp >= 0x80 ? high : fs->lit_bytes[cp])
        return 1;
      p += 4;
    } else if (!strchr("\"\\bfnrt", e)) {
      return 1; /* not valid JSON anyway: let the full evaluation decide */
    }
    p += 2;
  }
  return 0;
}

/* Mark JSON filters that may match; returns how many are candidates. */
static size_t prefilter(const tw_filter_set *fs, tw_filter_scratch *s, const char *msg,
                        size_t len) {
  size_t gated = 0, ncand = 0;
  const char *bs = memchr(msg, '\\', len);
  int escaped = bs && escapes_may_hide(fs, bs, msg + len);
  for (size_t i = 0; i < fs->n; i++) {
    const tw_fentry *e = &fs->f[i];
    int json = e->p->kind == TW_PATTERN_JSON;
    s->cand[i] = json && (e->always || escaped);
    gated += json && !s->cand[i];
    ncand += s->cand[i];
  }
  if (gated == 0 || !fs->db)
    return ncand;
  for (size_t i = 0; i < s->ntouched; i++)
    s->hit[s->touched[i]] = 0;
  s->ntouched = 0;
  hs_scan(fs->db, msg, (unsigned)(len > 0xFFFFFFFFu ? 0xFFFFFFFFu : len), 0, s->hs, on_literal, s);
  for (size_t i = 0; i < fs->n; i++)
    if (fs->f[i].p->kind == TW_PATTERN_JSON && !s->cand[i] && clauses_hold(fs, s, i)) {
      s->cand[i] = 1;
      ncand++;
    }
  return ncand;
}

static int eval_json(const tw_filter_set *fs, tw_filter_scratch *s, const char *msg, size_t len,
                     unsigned char *matched) {
  if (prefilter(fs, s, msg, len) == 0)
    return TW_OK;
  int rc = tw_match_collect_json(s->m, fs->plan, msg, len);
  s->json_state = rc == TW_OK;
  if (rc == TW_ESYNTAX)
    return TW_OK; /* not a JSON object: no JSON filter matches (D14) */
  if (rc || (rc = tw_gate_open(fs->gate, s->m, s->open)))
    return rc;
  for (size_t i = 0; i < fs->n; i++) {
    if (!s->cand[i] || !s->open[i])
      continue;
    int hit = 0;
    if ((rc = tw_pattern_eval_json(fs->f[i].p, s->m, fs->f[i].ids, 0, &hit)))
      return rc;
    matched[i] = (unsigned char)hit;
  }
  return TW_OK;
}

int tw_filter_set_eval(const tw_filter_set *fs, const char *msg, size_t len,
                       tw_filter_scratch *s, unsigned char *matched) {
  memset(matched, 0, fs->n);
  s->json_state = -1;
  for (size_t i = 0; i < fs->n; i++) {
    if (fs->f[i].p->kind == TW_PATTERN_JSON)
      continue;
    int hit = 0;
    int rc = tw_pattern_match(fs->f[i].p, msg, len, s->m, &hit);
    if (rc)
      return rc;
    matched[i] = (unsigned char)hit;
  }
  return fs->njson ? eval_json(fs, s, msg, len, matched) : TW_OK;
}

int tw_filter_scratch_json_state(const tw_filter_scratch *s) { return s->json_state; }

tw_match *tw_filter_scratch_match(const tw_filter_set *fs, tw_filter_scratch *s, size_t i,
                                  const char *msg, size_t len) {
  int hit = 0;
  if (i >= fs->n || tw_pattern_match(fs->f[i].p, msg, len, s->x, &hit) != TW_OK)
    return NULL;
  return s->x;
}

/* ------------------------------------------------------------------ */
/* Fused collection                                                    */
/* ------------------------------------------------------------------ */

tw_json_plan *tw_filter_set_plan(tw_filter_set *fs) { return fs->plan; }

int tw_filter_scratch_begin(const tw_filter_set *fs, tw_filter_scratch *s) {
  return tw_match_json_begin(s->m, tw_json_plan_count(fs->plan));
}

int tw_filter_scratch_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  return tw_match_json_add(((tw_filter_scratch *)ctx)->m, id, v);
}

int tw_filter_set_eval_collected(const tw_filter_set *fs, const char *msg, size_t len,
                                 tw_filter_scratch *s, unsigned char *matched) {
  memset(matched, 0, fs->n);
  s->json_state = fs->njson ? 1 : -1;
  int rc = fs->njson ? tw_gate_open(fs->gate, s->m, s->open) : TW_OK;
  if (rc)
    return rc;
  for (size_t i = 0; i < fs->n; i++) {
    int hit = 0;
    if (fs->f[i].p->kind == TW_PATTERN_JSON)
      rc = s->open[i] ? tw_pattern_eval_json(fs->f[i].p, s->m, fs->f[i].ids, 0, &hit) : TW_OK;
    else
      rc = tw_pattern_match(fs->f[i].p, msg, len, s->m, &hit);
    if (rc)
      return rc;
    matched[i] = (unsigned char)hit;
  }
  return TW_OK;
}
