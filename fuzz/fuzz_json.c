/*
 * fuzz_json.c — libFuzzer target for the JSON reader (src/json/).
 *
 * Builds a small fixed plan once (CloudTrail-like paths and wildcards),
 * scans each input with it and checks invariants: every reported value
 * lies inside the input and looks like its type; strings decode (decoded
 * length <= raw length, partial decodes give the same prefix); numbers
 * parse; validity does not depend on the plan; a valid document reports
 * the same values twice and each reported value is itself a valid
 * document. Also feeds the raw input to the decoder and number parser.
 *
 * Every input is scanned on every code path this CPU has (scalar, SSE2,
 * AVX2, AVX-512; see json_simd.h): the checks above run on the best path,
 * and each other path must give the same results, with and without the
 * plan, and the same visits (ids, types, spans, escape flags), whether
 * the input is valid or not. libFuzzer hands over an exact-size heap
 * copy, so ASan sees a read past the end on any path (clang's ASan also
 * checks each lane of the AVX-512 masked loads).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude -Isrc fuzz/fuzz_json.c src/json/(all .c) src/util/(all .c)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "json/json_internal.h"

#define FUZZ_MAX_REPORTS 4096

typedef struct fuzz_report {
  uint32_t id;
  tw_json_type type;
  int esc;
  size_t off, len;
} fuzz_report;

typedef struct fuzz_run {
  const char *doc;
  size_t len;
  fuzz_report *reports;
  size_t n;       /* recorded (at most FUZZ_MAX_REPORTS) */
  size_t total;   /* reported */
  char *scratch;  /* len + 1 bytes */
} fuzz_run;

static void fuzz_check(int cond) {
  if (!cond)
    __builtin_trap();
}

static const tw_json_plan *fuzz_plan(void) {
  static tw_json_plan *plan; /* built on the first input, kept for all */
  if (plan)
    return plan;
  static const tw_json_step p_root[1];
  static const tw_json_step p_name[] = {{TW_JSON_STEP_KEY, "Records", 7, 0},
                                        {TW_JSON_STEP_ANY_INDEX, NULL, 0, 0},
                                        {TW_JSON_STEP_KEY, "eventName", 9, 0}};
  static const tw_json_step p_bare[] = {{TW_JSON_STEP_ANY_INDEX, NULL, 0, 0},
                                        {TW_JSON_STEP_KEY, "eventName", 9, 0}};
  static const tw_json_step p_type[] = {{TW_JSON_STEP_KEY, "userIdentity", 12, 0},
                                        {TW_JSON_STEP_KEY, "type", 4, 0}};
  static const tw_json_step p_any2[] = {{TW_JSON_STEP_ANY_KEY, NULL, 0, 0},
                                        {TW_JSON_STEP_ANY_KEY, NULL, 0, 0}};
  static const tw_json_step p_idx[] = {{TW_JSON_STEP_INDEX, NULL, 0, 0},
                                       {TW_JSON_STEP_INDEX, NULL, 0, 1}};
  static const tw_json_step p_mix[] = {{TW_JSON_STEP_ANY_INDEX, NULL, 0, 0},
                                       {TW_JSON_STEP_ANY_KEY, NULL, 0, 0},
                                       {TW_JSON_STEP_KEY, "a", 1, 0}};
  static const tw_json_step p_esc[] = {{TW_JSON_STEP_KEY, "\xc3\xa9\"", 3, 0}};
  static const struct { const tw_json_step *s; size_t n; } paths[] = {
      {p_root, 0}, {p_name, 3}, {p_bare, 2}, {p_type, 2}, {p_any2, 1},
      {p_any2, 2}, {p_idx, 2},  {p_idx, 1},  {p_mix, 3},  {p_esc, 1}};
  tw_json_plan *p = NULL;
  uint32_t id;
  fuzz_check(tw_json_plan_new(&p) == TW_OK);
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
    fuzz_check(tw_json_plan_add(p, paths[i].s, paths[i].n, &id) == TW_OK &&
               id == i);
  plan = p;
  return plan;
}

static void fuzz_check_string(fuzz_run *r, const tw_json_value *v) {
  const char *lo = r->doc, *hi = r->doc + r->len;
  fuzz_check(v->ptr > lo && v->len < (size_t)(hi - v->ptr));
  fuzz_check(v->ptr[-1] == '"' && v->ptr[v->len] == '"');
  fuzz_check(v->has_escapes == (memchr(v->ptr, '\\', v->len) != NULL));
  size_t n = 0, m = 0;
  fuzz_check(tw_json_string_decode(v, r->scratch, v->len, &n) == TW_OK);
  fuzz_check(n <= v->len);
  size_t half = n / 2;
  char *again = malloc(half + 1);
  fuzz_check(again != NULL);
  fuzz_check(tw_json_string_decode(v, again, half, &m) == TW_OK && m == n);
  fuzz_check(memcmp(again, r->scratch, half) == 0);
  free(again);
  /* the string with its quotes is a valid document on its own */
  fuzz_check(tw_json_scan(NULL, v->ptr - 1, v->len + 2, NULL, NULL, NULL) == TW_OK);
}

static void fuzz_check_scalar(const tw_json_value *v) {
  static const char *const lit[] = {"null", "false", "true"};
  double d;
  switch (v->type) {
  case TW_JSON_NULL:
  case TW_JSON_FALSE:
  case TW_JSON_TRUE:
    fuzz_check(v->len == strlen(lit[v->type]) &&
               memcmp(v->ptr, lit[v->type], v->len) == 0);
    break;
  case TW_JSON_NUMBER:
    fuzz_check(tw_json_number_parse(v->ptr, v->len, &d) == TW_OK);
    fuzz_check(tw_json_scan(NULL, v->ptr, v->len, NULL, NULL, NULL) == TW_OK);
    break;
  default:
    fuzz_check(v->len >= 2 &&
               v->ptr[0] == (v->type == TW_JSON_OBJECT ? '{' : '['));
    break;
  }
}

static int fuzz_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  fuzz_run *r = ctx;
  const char *lo = r->doc, *hi = r->doc + r->len;
  fuzz_check(id < tw_json_plan_count(fuzz_plan()));
  fuzz_check(v->ptr >= lo && v->len <= (size_t)(hi - v->ptr));
  if (v->type == TW_JSON_STRING)
    fuzz_check_string(r, v);
  else
    fuzz_check_scalar(v);
  if (r->n < FUZZ_MAX_REPORTS)
    r->reports[r->n++] =
        (fuzz_report){id, v->type, v->has_escapes, (size_t)(v->ptr - lo), v->len};
  r->total++;
  return 0;
}

/* Visitor for the other paths: records only. */
static int fuzz_record(void *ctx, uint32_t id, const tw_json_value *v) {
  fuzz_run *r = ctx;
  if (r->n < FUZZ_MAX_REPORTS)
    r->reports[r->n++] = (fuzz_report){id, v->type, v->has_escapes,
                                       (size_t)(v->ptr - r->doc), v->len};
  r->total++;
  return 0;
}

static int fuzz_same_reports(const fuzz_run *a, const fuzz_run *b) {
  if (a->total != b->total || a->n != b->n)
    return 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->reports[i].id != b->reports[i].id ||
        a->reports[i].type != b->reports[i].type ||
        a->reports[i].esc != b->reports[i].esc ||
        a->reports[i].off != b->reports[i].off ||
        a->reports[i].len != b->reports[i].len)
      return 0;
  return 1;
}

/* The code paths this CPU has, best first. */
typedef struct fuzz_paths {
  tw_json_simd path[TW_JSON_SIMD_COUNT];
  size_t n;
} fuzz_paths;

static const fuzz_paths *fuzz_get_paths(void) {
  static fuzz_paths paths; /* filled on the first input, then read-only */
  if (paths.n)
    return &paths;
  for (int s = TW_JSON_SIMD_COUNT - 1; s >= 0; s--)
    if (tw_json_simd_available((tw_json_simd)s))
      paths.path[paths.n++] = (tw_json_simd)s;
  fuzz_check(paths.n >= 1 && paths.path[paths.n - 1] == TW_JSON_SIMD_SCALAR);
  return &paths;
}

/* Every other path agrees with the best one (rc, rc0 and reports of a). */
static void fuzz_cross_paths(const tw_json_plan *plan, const char *doc,
                             size_t size, int rc, int rc0, const fuzz_run *a) {
  const fuzz_paths *paths = fuzz_get_paths();
  fuzz_run o = *a;
  o.reports = malloc(FUZZ_MAX_REPORTS * sizeof *o.reports);
  fuzz_check(o.reports != NULL);
  for (size_t i = 1; i < paths->n; i++) {
    tw_json_simd s = paths->path[i];
    o.n = o.total = 0;
    fuzz_check(tw_json_scan_simd(s, plan, doc, size, fuzz_record, &o, NULL) == rc);
    fuzz_check(fuzz_same_reports(a, &o));
    fuzz_check(tw_json_scan_simd(s, NULL, doc, size, NULL, NULL, NULL) == rc0);
    fuzz_check(tw_json_scan_simd(s, plan, doc, size, NULL, NULL, NULL) == rc0);
  }
  free(o.reports);
}

/* After a successful scan: containers reported are valid documents. */
static void fuzz_check_valid_run(const fuzz_run *r) {
  for (size_t i = 0; i < r->n; i++) {
    const fuzz_report *p = &r->reports[i];
    if (p->type != TW_JSON_OBJECT && p->type != TW_JSON_ARRAY)
      continue;
    fuzz_check(r->doc[p->off + p->len - 1] == (p->type == TW_JSON_OBJECT ? '}' : ']'));
    tw_json_type t;
    fuzz_check(tw_json_scan(NULL, r->doc + p->off, p->len, NULL, NULL, &t) == TW_OK &&
               t == p->type);
  }
}

/* Decoder and number parser on the raw bytes. */
static void fuzz_raw(const char *data, size_t size, char *scratch) {
  tw_json_value raw = {TW_JSON_STRING, 1, data, size};
  size_t n = 0;
  if (tw_json_string_decode(&raw, scratch, size, &n) == TW_OK)
    fuzz_check(n <= size);
  double d;
  int num = tw_json_number_parse(data, size, &d) == TW_OK;
  if (num)
    fuzz_check(tw_json_scan(NULL, data, size, NULL, NULL, NULL) == TW_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_nop_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  (void)ctx;
  (void)id;
  (void)v;
  return 0;
}

static int fuzz_is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* 1 when text[0..n) (valid JSON) has whitespace outside strings. */
static int fuzz_has_ws(const char *t, size_t n) {
  int in_str = 0;
  for (size_t i = 0; i < n; i++) {
    if (in_str) {
      if (t[i] == '\\')
        i++;
      else if (t[i] == '"')
        in_str = 0;
    } else if (t[i] == '"') {
      in_str = 1;
    } else if (fuzz_is_ws(t[i])) {
      return 1;
    }
  }
  return 0;
}

/* tw_json_scan_value: the first value of doc, then stop. It agrees with
 * tw_json_scan on that prefix and on the whole document when only
 * whitespace follows, and reports whitespace exactly. */
static void fuzz_scan_value(const tw_json_plan *plan, const char *doc, size_t size, int rc0) {
  if (size == 0 || fuzz_is_ws(doc[0]))
    return;
  size_t used = 0;
  int ws = -1;
  int rv = tw_json_scan_value(plan, doc, size, fuzz_nop_visit, NULL, &used, &ws);
  fuzz_check(rv == TW_OK || rv == TW_ESYNTAX);
  if (rv != TW_OK) {
    fuzz_check(rc0 != TW_OK);
    return;
  }
  fuzz_check(used >= 1 && used <= size);
  fuzz_check(tw_json_scan(NULL, doc, used, NULL, NULL, NULL) == TW_OK);
  fuzz_check(ws == fuzz_has_ws(doc, used));
  size_t k = used;
  while (k < size && fuzz_is_ws(doc[k]))
    k++;
  fuzz_check((k == size) == (rc0 == TW_OK));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const tw_json_plan *plan = fuzz_plan();
  const char *doc = (const char *)data;
  fuzz_run a = {doc, size, NULL, 0, 0, NULL}, b;
  a.reports = malloc(FUZZ_MAX_REPORTS * sizeof *a.reports);
  a.scratch = malloc(size + 1);
  fuzz_check(a.reports && a.scratch);
  b = a;
  b.reports = malloc(FUZZ_MAX_REPORTS * sizeof *b.reports);
  fuzz_check(b.reports != NULL);

  tw_json_simd best = fuzz_get_paths()->path[0];
  int rc = tw_json_scan_simd(best, plan, doc, size, fuzz_visit, &a, NULL);
  int rc0 = tw_json_scan_simd(best, NULL, doc, size, NULL, NULL, NULL);
  fuzz_check(rc == TW_OK || rc == TW_ESYNTAX);
  fuzz_check(rc == rc0);
  fuzz_check(tw_json_scan_simd(best, plan, doc, size, NULL, NULL, NULL) == rc0);
  fuzz_cross_paths(plan, doc, size, rc, rc0, &a);
  fuzz_scan_value(plan, doc, size, rc0);
  if (rc == TW_OK) {
    fuzz_check(tw_json_scan_simd(best, plan, doc, size, fuzz_visit, &b, NULL) == TW_OK);
    fuzz_check(fuzz_same_reports(&a, &b));
    fuzz_check(a.total >= 1); /* the root path is in the plan */
    fuzz_check_valid_run(&a);
  }
  fuzz_raw(doc, size, a.scratch);
  free(a.reports);
  free(b.reports);
  free(a.scratch);
  return 0;
}
