/*
 * test_filter_set.c — differential tests of the one-pass filter set
 * (src/engine/): for sets of patterns drawn from the conformance files,
 * the set's result for every message must equal tw_pattern_match of each
 * pattern alone — over the conformance messages, escape-heavy variants of
 * them (literals spelled with \u escapes, which the prefilter must not
 * reject), the bundled examples and, when present beside the checkout, the
 * real CloudTrail events of ../shared/data/cloudtrail. The fused path
 * (values collected by the caller's scan of the shared plan, extended with
 * a path of its own, then tw_filter_set_eval_collected) must agree too.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/filter_gate.h"
#include "json/json.h"
#include "trailwatch.h"
#include "tw_test.h"

typedef struct strs {
  char **v;
  size_t *len;
  size_t n, cap;
} strs;

static void strs_push(strs *s, const char *p, size_t len) {
  for (size_t i = 0; i < s->n; i++) /* keep unique */
    if (s->len[i] == len && !memcmp(s->v[i], p, len))
      return;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 256;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    s->len = realloc(s->len, s->cap * sizeof *s->len);
  }
  s->v[s->n] = malloc(len + 1);
  memcpy(s->v[s->n], p, len);
  s->v[s->n][len] = '\0';
  s->len[s->n++] = len;
}

static void strs_free(strs *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  free(s->len);
}

/* Rewrite every lower-case ASCII letter inside JSON strings as \u00XX with
 * probability 1/3: same decoded event, different raw bytes. */
static void push_escaped(strs *msgs, const char *m, size_t len, unsigned *seed) {
  if (len == 0 || m[0] != '{')
    return;
  char *out = malloc(len * 6 + 1);
  size_t o = 0;
  int in_str = 0;
  for (size_t i = 0; i < len; i++) {
    char c = m[i];
    if (in_str && c == '\\') {
      out[o++] = c;
      if (i + 1 < len)
        out[o++] = m[++i];
      continue;
    }
    if (c == '"')
      in_str = !in_str;
    *seed = *seed * 1103515245u + 12345u;
    if (in_str && c >= 'a' && c <= 'z' && (*seed >> 16) % 3 == 0)
      o += (size_t)sprintf(out + o, "\\u%04x", (unsigned)c);
    else
      out[o++] = c;
  }
  strs_push(msgs, out, o);
  /* second variant: escapes that never spell a literal byte (\u00e9 for
   * spaces) or sometimes do (\/ for '/'), so the prefilter's escape
   * analysis is exercised both ways */
  o = 0;
  in_str = 0;
  for (size_t i = 0; i < len; i++) {
    char c = m[i];
    if (in_str && c == '\\') {
      out[o++] = c;
      if (i + 1 < len)
        out[o++] = m[++i];
      continue;
    }
    if (c == '"')
      in_str = !in_str;
    if (in_str && c == ' ')
      o += (size_t)sprintf(out + o, "\\u00e9");
    else if (in_str && c == '/')
      o += (size_t)sprintf(out + o, "\\/");
    else
      out[o++] = c;
  }
  strs_push(msgs, out, o);
  free(out);
}

static void load_conformance(strs *pats, strs *msgs) {
  DIR *d = opendir("tests/conformance");
  struct dirent *e;
  unsigned seed = 7;
  while (d && (e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 7 || strcmp(e->d_name + l - 6, ".jsonl"))
      continue;
    char path[600];
    snprintf(path, sizeof path, "tests/conformance/%s", e->d_name);
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (f && (n = getline(&line, &cap, f)) > 0) {
      json_t *c = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, NULL);
      json_t *p = json_object_get(c, "pattern"), *m = json_object_get(c, "message");
      if (json_is_string(p) && !json_is_true(json_object_get(c, "invalid_pattern")))
        strs_push(pats, json_string_value(p), json_string_length(p));
      if (json_is_string(m)) {
        strs_push(msgs, json_string_value(m), json_string_length(m));
        push_escaped(msgs, json_string_value(m), json_string_length(m), &seed);
      }
      json_decref(c);
    }
    free(line);
    if (f)
      fclose(f);
  }
  if (d)
    closedir(d);
}

static void load_events_file(strs *msgs, const char *path) {
  json_t *doc = json_load_file(path, 0, NULL);
  json_t *arr = json_is_array(doc) ? doc : json_object_get(doc, "Records");
  size_t i;
  json_t *ev;
  json_array_foreach(arr, i, ev) {
    char *s = json_dumps(ev, JSON_COMPACT);
    if (s)
      strs_push(msgs, s, strlen(s));
    free(s);
  }
  json_decref(doc);
}

static void load_ndjson(strs *msgs, const char *path) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while (f && (n = getline(&line, &cap, f)) > 0)
    strs_push(msgs, line, (size_t)(line[n - 1] == '\n' ? n - 1 : n));
  free(line);
  if (f)
    fclose(f);
}

static void load_real_data(strs *msgs, const char *dir, int depth) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && depth < 8 && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[2048];
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
      continue; /* path too long: not part of the data set */
    size_t l = strlen(e->d_name);
    if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
      load_events_file(msgs, path);
    else if (e->d_type == DT_DIR)
      load_real_data(msgs, path, depth + 1);
  }
  if (d)
    closedir(d);
}

/* The fused path for one JSON object message: 1 when it agrees with want. */
static int collected_agrees(tw_filter_set *fs, tw_filter_scratch *s, const char *msg,
                            size_t len, const unsigned char *want, size_t np) {
  tw_json_type root = TW_JSON_NULL;
  if (tw_json_scan(NULL, msg, len, NULL, NULL, &root) != TW_OK || root != TW_JSON_OBJECT)
    return 1;
  unsigned char *got = malloc(np + 1);
  int ok = got && tw_filter_scratch_begin(fs, s) == TW_OK &&
           tw_json_scan(tw_filter_set_plan(fs), msg, len, tw_filter_scratch_visit, s, NULL) ==
               TW_OK &&
           tw_filter_set_eval_collected(fs, msg, len, s, got) == TW_OK &&
           memcmp(got, want, np) == 0 && tw_filter_scratch_json_state(s) != 0;
  free(got);
  return ok;
}

/* Compare set evaluation with single-pattern evaluation; returns mismatches. */
static long differential(tw_pattern **p, size_t np, const strs *msgs, long *matches) {
  tw_filter_set *fs;
  tw_error err;
  if (tw_filter_set_new((const tw_pattern *const *)p, np, &fs, &err) != TW_OK) {
    fprintf(stderr, "filter set: %s\n", err.message);
    return 1;
  }
  tw_json_step extra = {TW_JSON_STEP_KEY, "eventTime", 9, 0};
  uint32_t extra_id;
  if (tw_json_plan_add(tw_filter_set_plan(fs), &extra, 1, &extra_id) != TW_OK)
    return 1;
  tw_filter_scratch *s;
  tw_filter_scratch_new(fs, &s);
  unsigned char *got = malloc(np);
  long bad = 0;
  for (size_t i = 0; i < msgs->n; i++) {
    tw_filter_set_eval(fs, msgs->v[i], msgs->len[i], s, got);
    if (!collected_agrees(fs, s, msgs->v[i], msgs->len[i], got, np) && bad++ < 10)
      fprintf(stderr, "mismatch: fused path, message #%zu\n", i);
    for (size_t k = 0; k < np; k++) {
      int want = 0;
      tw_pattern_match(p[k], msgs->v[i], msgs->len[i], NULL, &want);
      *matches += want;
      if (want != got[k] && bad++ < 10)
        fprintf(stderr, "mismatch: pattern #%zu, message #%zu: set %d, alone %d\n", k, i,
                got[k], want);
    }
  }
  free(got);
  tw_filter_scratch_free(s);
  tw_filter_set_free(fs);
  return bad;
}

TW_TEST(set_equals_single_patterns) {
  strs pats = {0}, msgs = {0};
  load_conformance(&pats, &msgs);
  load_ndjson(&msgs, "examples/events.ndjson");
  load_real_data(&msgs, "../shared/data/cloudtrail", 0);
  TW_CHECK(pats.n > 400);
  TW_CHECK(msgs.n > 100);
  printf("%zu patterns, %zu messages\n", pats.n, msgs.n);
  tw_pattern **p = calloc(pats.n, sizeof *p);
  size_t np = 0;
  for (size_t i = 0; i < pats.n; i++)
    if (tw_pattern_compile(pats.v[i], pats.len[i], 0, &p[np], NULL) == TW_OK)
      np++;
  /* the whole set at once, then random subsets of 15 */
  long matches = 0, bad = differential(p, np, &msgs, &matches);
  TW_CHECK_EQ_INT(bad, 0);
  TW_CHECK(matches > 0);
  unsigned seed = 99;
  for (int round = 0; round < 20; round++) {
    tw_pattern *sub[15];
    for (int k = 0; k < 15; k++) {
      seed = seed * 1103515245u + 12345u;
      sub[k] = p[(seed >> 8) % np];
    }
    long m2 = 0;
    TW_CHECK_EQ_INT(differential(sub, 15, &msgs, &m2), 0);
  }
  for (size_t i = 0; i < np; i++)
    tw_pattern_free(p[i]);
  free(p);
  strs_free(&pats);
  strs_free(&msgs);
}

/* A literal the prefilter looks for, present only through an escape. */
TW_TEST(escaped_literals_are_not_rejected) {
  const char *pats[] = {"{ $.eventName = \"StopLogging\" }", "{ $.e = \"*Denied\" }"};
  const char *msg1 = "{\"eventName\":\"Stop\\u004cogging\"}";
  const char *msg2 = "{\"e\":\"Access\\u0044enied\"}";
  tw_pattern *p[2];
  for (int i = 0; i < 2; i++)
    TW_CHECK_EQ_INT(tw_pattern_compile(pats[i], strlen(pats[i]), 0, &p[i], NULL), TW_OK);
  tw_filter_set *fs;
  TW_CHECK_EQ_INT(tw_filter_set_new((const tw_pattern *const *)p, 2, &fs, NULL), TW_OK);
  tw_filter_scratch *s;
  tw_filter_scratch_new(fs, &s);
  unsigned char got[2];
  tw_filter_set_eval(fs, msg1, strlen(msg1), s, got);
  TW_CHECK(got[0] == 1 && got[1] == 0);
  tw_filter_set_eval(fs, msg2, strlen(msg2), s, got);
  TW_CHECK(got[0] == 0 && got[1] == 1);
  /* extraction for a matched pattern */
  tw_match *m = tw_filter_scratch_match(fs, s, 1, msg2, strlen(msg2));
  TW_CHECK(m && tw_match_extracted_count(m) == 1);
  tw_filter_scratch_free(s);
  tw_filter_set_free(fs);
  for (int i = 0; i < 2; i++)
    tw_pattern_free(p[i]);
}

/* Which filters get a value gate (filter_gate.c): a wrong "gated" is caught
 * by the differential test above; this one checks that gates exist where
 * they should, since without them the set is only slower. */
TW_TEST(value_gates_where_expected) {
  static const struct {
    const char *pat;
    int gated;
  } cases[] = {
      {"{ $.eventName = \"StopLogging\" }", 1},
      {"{ ($.eventName = A) || ($.eventName = B) || ($.eventSource = C) }", 1},
      {"{ $.errorCode = \"*Unauthorized*\" || $.errorCode = \"AccessDenied*\" }", 1},
      {"{ $.a NOT EXISTS }", 0},
      {"{ $.a = x || $.b NOT EXISTS }", 0},
      {"{ $.a NOT EXISTS && $.b = 1 }", 1},
      {"{ $.a != x }", 1},
      {"{ $.a IS NULL || $.b > 3 }", 1},
      {"ERROR", 0},
  };
  size_t n = sizeof cases / sizeof cases[0];
  tw_pattern *p[sizeof cases / sizeof cases[0]];
  const uint32_t *ids[sizeof cases / sizeof cases[0]];
  uint32_t *own[sizeof cases / sizeof cases[0]];
  tw_json_plan *plan;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  for (size_t i = 0; i < n; i++) {
    TW_CHECK_EQ_INT(tw_pattern_compile(cases[i].pat, strlen(cases[i].pat), 0, &p[i], NULL), TW_OK);
    own[i] = calloc(p[i]->nsels + 1, sizeof *own[i]);
    for (size_t k = 0; k < p[i]->nsels; k++)
      tw_json_plan_add(plan, p[i]->sels[k].steps, p[i]->sels[k].nsteps, &own[i][k]);
    ids[i] = p[i]->kind == TW_PATTERN_JSON ? own[i] : NULL;
  }
  tw_gate *g;
  TW_CHECK_EQ_INT(tw_gate_new((const tw_pattern *const *)p, ids, n, &g), TW_OK);
  size_t want = 0;
  for (size_t i = 0; i < n; i++)
    want += (size_t)cases[i].gated;
  TW_CHECK_EQ_INT(tw_gate_count(g), want);
  /* an event with none of the values: only the ungated filters stay open */
  tw_match *m;
  tw_match_new(&m);
  const char *ev = "{\"x\":1}";
  TW_CHECK_EQ_INT(tw_match_collect_json(m, plan, ev, strlen(ev)), TW_OK);
  unsigned char open[sizeof cases / sizeof cases[0]];
  TW_CHECK_EQ_INT(tw_gate_open(g, m, open), TW_OK);
  for (size_t i = 0; i < n; i++)
    TW_CHECK_EQ_INT(open[i], !cases[i].gated);
  /* eventSource C opens the second filter through the hash table */
  const char *ev2 = "{\"eventSource\":\"C\",\"eventName\":\"Stop\\u004cogging\"}";
  TW_CHECK_EQ_INT(tw_match_collect_json(m, plan, ev2, strlen(ev2)), TW_OK);
  TW_CHECK_EQ_INT(tw_gate_open(g, m, open), TW_OK);
  TW_CHECK(open[0] && open[1] && !open[2] && !open[6]);
  tw_match_free(m);
  tw_gate_free(g);
  tw_json_plan_free(plan);
  for (size_t i = 0; i < n; i++) {
    free(own[i]);
    tw_pattern_free(p[i]);
  }
}

int main(void) { return tw_test_run(); }
