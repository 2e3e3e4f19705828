/*
 * filter_set.c — many filter patterns evaluated in one pass over each event.
 *
 * All JSON patterns of a set share one tw_json_plan (the union of their
 * selectors, a trie of paths), so each event is scanned once and every
 * JSON filter is decided from the values collected in that pass. Before
 * that, an exact prefilter searches the raw event for every filter's
 * required literals at once (Vectorscan, a Debian package); a JSON filter
 * whose literals are all absent cannot match and is skipped, and when no
 * JSON filter remains the JSON scan is skipped too. Events containing a
 * backslash are never rejected on raw bytes (an escape can spell any
 * character). Term, regex and space-delimited patterns are evaluated on
 * their own. Results are identical to tw_pattern_match of each pattern.
 */
#include <hs.h>
#include <stdlib.h>
#include <string.h>

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
  hs_database_t *db;  /* literals of the JSON filters, or NULL */
  uint32_t *lit_first, *lit_filters; /* CSR: literal -> filters needing it */
  size_t nlits;
};

struct tw_filter_scratch {
  tw_match *m;       /* collection scratch for the shared scan */
  tw_match *x;       /* extraction scratch (tw_filter_scratch_match) */
  hs_scratch_t *hs;
  unsigned char *cand;
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
  free(fs->lit_first);
  free(fs->lit_filters);
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

/* Literal table under construction. */
typedef struct lits {
  const char **s;
  size_t *len;
  uint32_t *filter;
  size_t n;
} lits;

static int lits_push(lits *l, const char *s, size_t len, uint32_t filter) {
  const char **ns = realloc(l->s, (l->n + 1) * sizeof *ns);
  size_t *nl = ns ? realloc(l->len, (l->n + 1) * sizeof *nl) : NULL;
  uint32_t *nf = nl ? realloc(l->filter, (l->n + 1) * sizeof *nf) : NULL;
  if (ns) l->s = ns;
  if (nl) l->len = nl;
  if (nf) l->filter = nf;
  if (!ns || !nl || !nf)
    return TW_ENOMEM;
  l->s[l->n] = s;
  l->len[l->n] = len;
  l->filter[l->n++] = filter;
  return TW_OK;
}

static int collect_literals(tw_filter_set *fs, lits *l) {
  for (size_t i = 0; i < fs->n; i++) {
    tw_fentry *e = &fs->f[i];
    if (e->p->kind != TW_PATTERN_JSON)
      continue;
    const char **s;
    size_t *len, n;
    int rc = tw_pattern_required_literals(e->p, &s, &len, &n);
    if (rc)
      return rc;
    e->always = n == 0;
    for (size_t k = 0; k < n && !rc; k++)
      rc = lits_push(l, s[k], len[k], (uint32_t)i);
    free(s);
    free(len);
    if (rc)
      return rc;
  }
  return TW_OK;
}

/* One Vectorscan database over all literals; literal k has id k. */
static int build_database(tw_filter_set *fs, const lits *l, tw_error *err) {
  fs->nlits = l->n;
  fs->lit_first = calloc(l->n + 1, sizeof *fs->lit_first);
  fs->lit_filters = malloc((l->n ? l->n : 1) * sizeof *fs->lit_filters);
  unsigned *flags = malloc((l->n ? l->n : 1) * sizeof *flags);
  unsigned *ids = malloc((l->n ? l->n : 1) * sizeof *ids);
  int rc = fs->lit_first && fs->lit_filters && flags && ids ? TW_OK : TW_ENOMEM;
  for (size_t k = 0; !rc && k < l->n; k++) {
    fs->lit_first[k + 1] = (uint32_t)(k + 1); /* one filter per literal entry */
    fs->lit_filters[k] = l->filter[k];
    flags[k] = HS_FLAG_SINGLEMATCH;
    ids[k] = (unsigned)k;
  }
  if (!rc && l->n) {
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_lit_multi(l->s, flags, ids, l->len, (unsigned)l->n, HS_MODE_BLOCK, NULL,
                             &fs->db, &cerr) != HS_SUCCESS) {
      rc = tw_error_set(err, TW_EINVAL, 0, "prefilter: %s", cerr ? cerr->message : "failed");
      hs_free_compile_error(cerr);
    }
  }
  free(flags);
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
  free(l.s);
  free(l.len);
  free(l.filter);
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
              !(s->cand = calloc(fs->n ? fs->n : 1, 1))))
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
  free(s);
}

struct hs_ctx {
  const tw_filter_set *fs;
  unsigned char *cand;
  size_t pending; /* literal-gated JSON filters not yet marked */
};

static int on_literal(unsigned int id, unsigned long long from, unsigned long long to,
                      unsigned int flags, void *vctx) {
  struct hs_ctx *c = vctx;
  const tw_filter_set *fs = c->fs;
  for (uint32_t k = fs->lit_first[id]; k < fs->lit_first[id + 1]; k++) {
    uint32_t f = fs->lit_filters[k];
    if (!c->cand[f]) {
      c->cand[f] = 1;
      c->pending--;
    }
  }
  (void)from, (void)to, (void)flags;
  return c->pending == 0; /* stop once every gated filter is a candidate */
}

/* Mark JSON filters that may match; returns how many are candidates. */
static size_t prefilter(const tw_filter_set *fs, tw_filter_scratch *s, const char *msg,
                        size_t len) {
  size_t gated = 0, ncand = 0;
  int escaped = memchr(msg, '\\', len) != NULL;
  for (size_t i = 0; i < fs->n; i++) {
    const tw_fentry *e = &fs->f[i];
    int json = e->p->kind == TW_PATTERN_JSON;
    s->cand[i] = json && (e->always || escaped);
    gated += json && !s->cand[i];
    ncand += s->cand[i];
  }
  if (gated == 0 || !fs->db)
    return ncand;
  struct hs_ctx c = {fs, s->cand, gated};
  hs_scan(fs->db, msg, (unsigned)(len > 0xFFFFFFFFu ? 0xFFFFFFFFu : len), 0, s->hs, on_literal, &c);
  return ncand + (gated - c.pending);
}

static int eval_json(const tw_filter_set *fs, tw_filter_scratch *s, const char *msg, size_t len,
                     unsigned char *matched) {
  if (prefilter(fs, s, msg, len) == 0)
    return TW_OK;
  int rc = tw_match_collect_json(s->m, fs->plan, msg, len);
  if (rc == TW_ESYNTAX)
    return TW_OK; /* not a JSON object: no JSON filter matches (D14) */
  if (rc)
    return rc;
  for (size_t i = 0; i < fs->n; i++) {
    if (!s->cand[i])
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

tw_match *tw_filter_scratch_match(const tw_filter_set *fs, tw_filter_scratch *s, size_t i,
                                  const char *msg, size_t len) {
  int hit = 0;
  if (i >= fs->n || tw_pattern_match(fs->f[i].p, msg, len, s->x, &hit) != TW_OK)
    return NULL;
  return s->x;
}
