/*
 * test_json.c — unit tests of trailwatch's JSON reader (src/json/).
 *
 * Data-driven suites under tests/data/json/: validity.txt (RFC 8259 rules,
 * one document per line, also compared with jansson), select.txt (selector
 * resolution), decode.txt (string escapes) and numbers.txt (number
 * conversion). Then plan API tests, a differential test against jansson on
 * generated/mutated documents, and a scan of the real CloudTrail files in
 * /work/shared/data/cloudtrail (or $TW_CLOUDTRAIL_DIR) checked value by
 * value against jansson. jansson is only the test oracle here.
 *
 * The scanner has one code path per instruction set (scalar, SSE2, AVX2,
 * AVX-512; json_simd.h). main() runs every test once per path available
 * on this machine, and every scan goes through scan(), which copies the
 * document to an exact-size heap block so that ASan catches any read past
 * either end. The simd_* tests put special bytes, whitespace runs and
 * document ends at every offset around the 8/16/32/64-byte block edges,
 * and compare each path with the scalar one on generated documents.
 *
 * With TW_JSON_BENCH=<file> the program measures throughput instead (see
 * docs/json-reader.md, "Performance").
 */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "json/json.h"
#include "json/json_internal.h"
#include "util/util.h"
#include "tw_test.h"

#define DATA_DIR "tests/data/json/"
#define JANSSON_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  tw_buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (tw_buf_append(&b, chunk, n) != TW_OK)
      break;
  fclose(f);
  if (tw_buf_append(&b, "", 1) != TW_OK) {
    tw_buf_free(&b);
    return NULL;
  }
  *len = b.len - 1;
  return b.data;
}

/* Next line of text[*pos..len) without its '\n'; 0 at the end. */
static int next_line(const char *text, size_t len, size_t *pos,
                     const char **line, size_t *n) {
  if (*pos >= len)
    return 0;
  const char *s = text + *pos, *nl = memchr(s, '\n', len - *pos);
  *line = s;
  *n = nl ? (size_t)(nl - s) : len - *pos;
  *pos += *n + 1;
  return 1;
}

static int skip_line(const char *line, size_t n) {
  return n == 0 || line[0] == '#';
}

/* Split line at its first TAB (rest = after it); 0 when no TAB. */
static int split_tab(const char *line, size_t n, size_t *first,
                     const char **rest, size_t *rn) {
  const char *t = memchr(line, '\t', n);
  if (!t)
    return 0;
  *first = (size_t)(t - line);
  *rest = t + 1;
  *rn = n - *first - 1;
  return 1;
}

/* Expand the <<x HH>> and <<rep N TEXT>> macros of validity.txt. */
static int expand(const char *s, size_t n, tw_buf *out) {
  out->len = 0;
  for (size_t i = 0; i < n;) {
    if (n - i < 4 || s[i] != '<' || s[i + 1] != '<') {
      if (tw_buf_append(out, s + i, 1) != TW_OK)
        return -1;
      i++;
      continue;
    }
    const char *m = s + i + 2, *close = NULL;
    for (const char *q = m; q + 1 < s + n; q++)
      if (q[0] == '>' && q[1] == '>') {
        close = q;
        break;
      }
    if (!close)
      return -1;
    if (strncmp(m, "x ", 2) == 0) {
      char byte = (char)strtol(m + 2, NULL, 16);
      if (tw_buf_append(out, &byte, 1) != TW_OK)
        return -1;
    } else if (strncmp(m, "rep ", 4) == 0) {
      char *sp;
      long count = strtol(m + 4, &sp, 10);
      sp++;
      for (long k = 0; k < count; k++)
        if (tw_buf_append(out, sp, (size_t)(close - sp)) != TW_OK)
          return -1;
    } else {
      return -1;
    }
    i = (size_t)(close + 2 - s);
  }
  return 0;
}

static int bufprintf(tw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bufprintf(tw_buf *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  return tw_buf_append(b, tmp, (size_t)n);
}

/* Parse a path written $ .name .* [N] [*] ['name'] into steps. */
static int parse_path(const char *s, size_t n, tw_json_step *steps,
                      size_t max, size_t *nsteps) {
  size_t i = 1, k = 0;
  if (n == 0 || s[0] != '$')
    return -1;
  while (i < n && k < max) {
    tw_json_step *st = &steps[k++];
    memset(st, 0, sizeof *st);
    if (s[i] == '.' && i + 1 < n && s[i + 1] == '*') {
      st->kind = TW_JSON_STEP_ANY_KEY;
      i += 2;
    } else if (s[i] == '.') {
      size_t j = ++i;
      while (j < n && s[j] != '.' && s[j] != '[')
        j++;
      *st = (tw_json_step){TW_JSON_STEP_KEY, s + i, j - i, 0};
      i = j;
    } else if (s[i] == '[' && i + 2 < n && s[i + 1] == '*') {
      st->kind = TW_JSON_STEP_ANY_INDEX;
      i += 3;
    } else if (s[i] == '[' && i + 1 < n && s[i + 1] == '\'') {
      const char *q = memchr(s + i + 2, '\'', n - i - 2);
      if (!q)
        return -1;
      *st = (tw_json_step){TW_JSON_STEP_KEY, s + i + 2,
                           (size_t)(q - (s + i + 2)), 0};
      i = (size_t)(q - s) + 2;
    } else if (s[i] == '[') {
      st->kind = TW_JSON_STEP_INDEX;
      st->index = (uint32_t)strtoul(s + i + 1, NULL, 10);
      const char *q = memchr(s + i, ']', n - i);
      if (!q)
        return -1;
      i = (size_t)(q - s) + 1;
    } else {
      return -1;
    }
  }
  *nsteps = k;
  return i == n ? 0 : -1;
}

static int add_path(tw_json_plan *plan, const char *path, uint32_t *id) {
  tw_json_step steps[64];
  size_t n;
  if (parse_path(path, strlen(path), steps, 64, &n) != 0)
    return -1;
  return tw_json_plan_add(plan, steps, n, id);
}

#ifndef TW_JSON_BENCH_BASELINE /* the tests; see "Throughput" below */

/* ------------------------------------------------------------------ */
/* The code path under test                                            */
/* ------------------------------------------------------------------ */

/* Set by main() before each round of tests. */
static tw_json_simd test_path = TW_JSON_SIMD_SCALAR;

typedef struct scan_shim {
  tw_json_visit_fn visit;
  void *ctx;
  const char *copy, *orig;
} scan_shim;

/* Forwards a visit with the value moved back from the copy to the
 * caller's document. */
static int shim_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  scan_shim *s = ctx;
  tw_json_value w = *v;
  w.ptr = s->orig + (v->ptr - s->copy);
  return s->visit(s->ctx, id, &w);
}

/* tw_json_scan on path `path`, run on an exact-size heap copy of doc. */
static int scan_on(tw_json_simd path, const tw_json_plan *plan, const char *doc,
                   size_t len, tw_json_visit_fn visit, void *ctx,
                   tw_json_type *root_type) {
  if (!doc)
    return tw_json_scan_simd(path, plan, doc, len, visit, ctx, root_type);
  char *copy = malloc(len ? len : 1);
  if (!copy)
    return TW_ENOMEM;
  if (len)
    memcpy(copy, doc, len);
  scan_shim s = {visit, ctx, copy, doc};
  int rc = tw_json_scan_simd(path, plan, copy, len, visit ? shim_visit : NULL,
                             &s, root_type);
  free(copy);
  return rc;
}

static int scan(const tw_json_plan *plan, const char *doc, size_t len,
                tw_json_visit_fn visit, void *ctx, tw_json_type *root_type) {
  return scan_on(test_path, plan, doc, len, visit, ctx, root_type);
}

static int type_agrees(const tw_json_value *v) {
  char c = v->type == TW_JSON_STRING ? '"' : v->ptr[0];
  switch (v->type) {
  case TW_JSON_NULL: return c == 'n' && v->len == 4;
  case TW_JSON_TRUE: return c == 't' && v->len == 4;
  case TW_JSON_FALSE: return c == 'f' && v->len == 5;
  case TW_JSON_NUMBER: return c == '-' || (c >= '0' && c <= '9');
  case TW_JSON_STRING: return v->ptr[-1] == '"' && v->ptr[v->len] == '"';
  case TW_JSON_OBJECT: return c == '{' && v->ptr[v->len - 1] == '}';
  case TW_JSON_ARRAY: return c == '[' && v->ptr[v->len - 1] == ']';
  }
  return 0;
}

/* Visitor that renders the reports as "<id> <text> | ..." and checks
 * that each value lies inside the document and agrees with its type. */
typedef struct collect {
  tw_buf out;
  const char *doc;
  size_t len;
  size_t count;
  int bad;      /* values outside the document: always a bug */
  int mistyped; /* values not looking like their type: a bug in a valid doc */
} collect;

static int collect_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  collect *c = ctx;
  const char *lo = c->doc, *hi = c->doc + c->len;
  if (v->ptr < lo || v->len > (size_t)(hi - v->ptr) ||
      (v->type == TW_JSON_STRING && (v->ptr == lo || v->len == (size_t)(hi - v->ptr))))
    c->bad++;
  else if (!type_agrees(v))
    c->mistyped++;
  if (c->count++)
    tw_buf_append(&c->out, " | ", 3);
  bufprintf(&c->out, "%u ", (unsigned)id);
  if (v->type == TW_JSON_STRING)
    tw_buf_append(&c->out, "\"", 1);
  tw_buf_append(&c->out, v->ptr, v->len);
  if (v->type == TW_JSON_STRING)
    tw_buf_append(&c->out, "\"", 1);
  return 0;
}

static int scan_collect(const tw_json_plan *plan, const char *doc, size_t len,
                        collect *c) {
  c->out.len = 0;
  c->doc = doc;
  c->len = len;
  c->count = 0;
  c->bad = 0;
  c->mistyped = 0;
  int rc = scan(plan, doc, len, collect_visit, c, NULL);
  tw_buf_append(&c->out, "", 1);
  /* visits before a syntax error may show garbage, but inside the doc */
  if (rc == TW_OK)
    c->bad += c->mistyped;
  return rc;
}

static int jansson_valid(const char *doc, size_t len, json_error_t *err) {
  json_t *j = json_loadb(doc, len, JANSSON_FLAGS, err);
  json_decref(j);
  return j != NULL;
}

/* ------------------------------------------------------------------ */
/* validity.txt                                                        */
/* ------------------------------------------------------------------ */

/* Plans that keep the scanner on its reporting path at every depth, so
 * both the reporting loop and the skipping loop get validated. */
static tw_json_plan *wide_plan(void) {
  static const char *paths[] = {"$", "$.*", "$[*]", "$.*.*", "$[*][*]",
                                "$.a", "$[0]", "$.a.b", "$[0][1]"};
  tw_json_plan *plan = NULL;
  uint32_t id;
  tw_json_plan_new(&plan);
  for (size_t i = 0; plan && i < sizeof paths / sizeof *paths; i++)
    add_path(plan, paths[i], &id);
  return plan;
}

static tw_json_plan *deep_plan(void) {
  tw_json_plan *plan = NULL;
  tw_json_step steps[600];
  uint32_t id;
  tw_json_plan_new(&plan);
  for (int kind = 0; kind < 3 && plan; kind++) {
    for (size_t i = 0; i < 600; i++) {
      memset(&steps[i], 0, sizeof steps[i]);
      steps[i].kind = kind == 0   ? TW_JSON_STEP_ANY_INDEX
                      : kind == 1 ? TW_JSON_STEP_ANY_KEY
                      : (i & 1)   ? TW_JSON_STEP_ANY_INDEX
                                  : TW_JSON_STEP_ANY_KEY;
    }
    tw_json_plan_add(plan, steps, 600, &id);
  }
  return plan;
}

TW_TEST(validity_suite) {
  size_t flen, pos = 0, n, cases = 0, valid = 0, lineno = 0;
  char *text = slurp(DATA_DIR "validity.txt", &flen);
  TW_CHECK(text != NULL);
  if (!text)
    return;
  tw_json_plan *wide = wide_plan(), *deep = deep_plan();
  TW_CHECK(wide && deep);
  tw_buf doc = {0};
  collect c = {0};
  const char *line;
  while (next_line(text, flen, &pos, &line, &n)) {
    lineno++;
    if (skip_line(line, n))
      continue;
    const char *sp = memchr(line, ' ', n);
    TW_CHECK(sp && (line[0] == 'V' || line[0] == 'I'));
    if (!sp || expand(sp + 1, n - (size_t)(sp + 1 - line), &doc) != 0) {
      fprintf(stderr, "validity.txt:%zu: bad line\n", lineno);
      TW_CHECK(0);
      continue;
    }
    int want = line[0] == 'V', jdiffers = sp - line == 2 && line[1] == 'j';
    const char *d = doc.data ? doc.data : "";
    int r0 = scan(NULL, d, doc.len, NULL, NULL, NULL);
    int r1 = scan_collect(wide, d, doc.len, &c);
    int bad1 = c.bad;
    int r2 = scan_collect(deep, d, doc.len, &c);
    int want_rc = want ? TW_OK : TW_ESYNTAX;
    json_error_t jerr;
    int jv = jansson_valid(d, doc.len, &jerr);
    if (r0 != want_rc || r1 != want_rc || r2 != want_rc || bad1 || c.bad ||
        (jv == want) == jdiffers) {
      fprintf(stderr,
              "validity.txt:%zu: want %d got %d/%d/%d bad %d/%d jansson %d (%s)\n",
              lineno, want_rc, r0, r1, r2, bad1, c.bad, jv, jerr.text);
      TW_CHECK(0);
    }
    cases++;
    valid += (size_t)want;
  }
  printf("validity: %zu documents (%zu valid, %zu invalid)\n", cases, valid,
         cases - valid);
  TW_CHECK(cases >= 150);
  tw_buf_free(&doc);
  tw_buf_free(&c.out);
  tw_json_plan_free(wide);
  tw_json_plan_free(deep);
  free(text);
}

/* ------------------------------------------------------------------ */
/* select.txt                                                          */
/* ------------------------------------------------------------------ */

static int run_select_case(const char *doc, size_t dlen, const char *paths,
                           size_t plen, const char *want, size_t wlen,
                           collect *c) {
  tw_json_plan *plan = NULL;
  if (tw_json_plan_new(&plan) != TW_OK)
    return 0;
  size_t i = 0;
  int ok = 1;
  while (ok && i < plen) {
    const char *sep = strstr(paths + i, " ; ");
    size_t end = sep && (size_t)(sep - paths) < plen ? (size_t)(sep - paths) : plen;
    tw_json_step steps[64];
    size_t ns;
    uint32_t id;
    ok = parse_path(paths + i, end - i, steps, 64, &ns) == 0 &&
         tw_json_plan_add(plan, steps, ns, &id) == TW_OK;
    i = end + 3;
  }
  int rc = ok ? scan_collect(plan, doc, dlen, c) : TW_EINVAL;
  tw_json_plan_free(plan);
  const char *got = rc == TW_ESYNTAX ? "ERR" : c->count ? c->out.data : "-";
  if (rc != TW_OK && rc != TW_ESYNTAX)
    got = "(error)";
  if (c->bad || strlen(got) != wlen || memcmp(got, want, wlen) != 0) {
    fprintf(stderr, "select: %.*s: got %s, want %.*s\n", (int)dlen, doc, got,
            (int)wlen, want);
    return 0;
  }
  return 1;
}

TW_TEST(select_suite) {
  size_t flen, pos = 0, n, cases = 0;
  char *text = slurp(DATA_DIR "select.txt", &flen);
  TW_CHECK(text != NULL);
  if (!text)
    return;
  collect c = {0};
  const char *line;
  while (next_line(text, flen, &pos, &line, &n)) {
    if (skip_line(line, n))
      continue;
    size_t dlen, plen, rn, rn2;
    const char *rest, *want;
    int ok = split_tab(line, n, &dlen, &rest, &rn) &&
             split_tab(rest, rn, &plen, &want, &rn2);
    TW_CHECK(ok);
    if (ok)
      TW_CHECK(run_select_case(line, dlen, rest, plen, want, rn2, &c));
    cases++;
  }
  printf("select: %zu cases\n", cases);
  TW_CHECK(cases >= 40);
  tw_buf_free(&c.out);
  free(text);
}

/* ------------------------------------------------------------------ */
/* decode.txt                                                          */
/* ------------------------------------------------------------------ */

static void hex_of(const char *s, size_t n, tw_buf *out) {
  out->len = 0;
  for (size_t i = 0; i < n; i++)
    bufprintf(out, i ? " %02x" : "%02x", (unsigned char)s[i]);
  if (n == 0)
    tw_buf_append(out, "-", 1);
  tw_buf_append(out, "", 1);
}

/* Decoding into every smaller capacity writes exactly the prefix. */
static int check_partial_decode(const tw_json_value *v, const char *full,
                                size_t flen) {
  char buf[128];
  for (size_t cap = 0; cap <= flen && cap + 1 < sizeof buf; cap++) {
    size_t n = 0;
    memset(buf, 0x5A, sizeof buf);
    if (tw_json_string_decode(v, buf, cap, &n) != TW_OK || n != flen ||
        memcmp(buf, full, cap) != 0 || buf[cap] != 0x5A)
      return 0;
  }
  return 1;
}

/* The body wrapped in quotes is a valid document iff it decodes. */
static int check_decode_scan(const char *body, size_t n, int valid) {
  tw_buf doc = {0};
  tw_buf_append(&doc, "\"", 1);
  tw_buf_append(&doc, body, n);
  tw_buf_append(&doc, "\"", 1);
  int rc = scan(NULL, doc.data, doc.len, NULL, NULL, NULL);
  tw_buf_free(&doc);
  return (rc == TW_OK) == valid;
}

TW_TEST(decode_suite) {
  size_t flen, pos = 0, n, cases = 0;
  char *text = slurp(DATA_DIR "decode.txt", &flen);
  TW_CHECK(text != NULL);
  if (!text)
    return;
  tw_buf hex = {0};
  const char *line;
  while (next_line(text, flen, &pos, &line, &n)) {
    if (n && line[0] == '#')
      continue;
    if (n == 0)
      continue;
    size_t blen = 0, wlen = 0;
    const char *want = NULL;
    if (!split_tab(line, n, &blen, &want, &wlen)) {
      TW_CHECK(0);
      continue;
    }
    tw_json_value v = {TW_JSON_STRING, memchr(line, '\\', blen) != NULL, line,
                       blen};
    char out[256];
    size_t olen = 0;
    int rc = tw_json_string_decode(&v, out, sizeof out, &olen);
    int want_err = wlen == 3 && memcmp(want, "ERR", 3) == 0;
    if (rc == TW_OK)
      hex_of(out, olen, &hex);
    const char *got = rc == TW_OK ? hex.data : rc == TW_ESYNTAX ? "ERR" : "?";
    if (strlen(got) != wlen || memcmp(got, want, wlen) != 0) {
      fprintf(stderr, "decode: %.*s: got %s want %.*s\n", (int)blen, line, got,
              (int)wlen, want);
      TW_CHECK(0);
    }
    if (rc == TW_OK) {
      TW_CHECK(olen <= blen);
      TW_CHECK(check_partial_decode(&v, out, olen));
    }
    TW_CHECK(check_decode_scan(line, blen, !want_err));
    cases++;
  }
  printf("decode: %zu cases\n", cases);
  TW_CHECK(cases >= 30);
  tw_buf_free(&hex);
  free(text);
}

TW_TEST(decode_args) {
  tw_json_value v = {TW_JSON_STRING, 0, "abc", 3};
  size_t n = 99;
  TW_CHECK_EQ_INT(tw_json_string_decode(&v, NULL, 0, &n), TW_OK);
  TW_CHECK_EQ_INT(n, 3);
  TW_CHECK_EQ_INT(tw_json_string_decode(NULL, NULL, 0, &n), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_string_decode(&v, NULL, 0, NULL), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_string_decode(&v, NULL, 5, &n), TW_EINVAL);
}

/* ------------------------------------------------------------------ */
/* numbers.txt                                                         */
/* ------------------------------------------------------------------ */

TW_TEST(number_suite) {
  size_t flen, pos = 0, n, cases = 0;
  char *text = slurp(DATA_DIR "numbers.txt", &flen);
  TW_CHECK(text != NULL);
  if (!text)
    return;
  const char *line;
  while (next_line(text, flen, &pos, &line, &n)) {
    if (skip_line(line, n))
      continue;
    size_t tlen = 0, wlen = 0;
    const char *want = NULL;
    if (!split_tab(line, n, &tlen, &want, &wlen)) {
      TW_CHECK(0);
      continue;
    }
    char wbuf[128];
    snprintf(wbuf, sizeof wbuf, "%.*s", (int)wlen, want);
    double got = 12345.0;
    int rc = tw_json_number_parse(line, tlen, &got);
    int scan_rc = scan(NULL, line, tlen, NULL, NULL, NULL);
    int padded = tlen && (line[0] == ' ' || line[tlen - 1] == ' ');
    if (strcmp(wbuf, "ERR") == 0) {
      TW_CHECK_EQ_INT(rc, TW_ESYNTAX);
      TW_CHECK_EQ_INT(scan_rc, padded ? TW_OK : TW_ESYNTAX);
      TW_CHECK(got == 12345.0);
    } else {
      double w = strtod(wbuf, NULL);
      TW_CHECK_EQ_INT(scan_rc, TW_OK);
      if (rc != TW_OK || got != w || signbit(got) != signbit(w)) {
        fprintf(stderr, "number: %.*s: got %a (rc %d) want %a\n", (int)tlen,
                line, got, rc, w);
        TW_CHECK(0);
      }
    }
    cases++;
  }
  printf("numbers: %zu cases\n", cases);
  TW_CHECK(cases >= 40);
  free(text);
}

TW_TEST(number_long_text) {
  /* longer than the parser's stack buffer */
  tw_buf b = {0}, f = {0};
  tw_buf_append(&b, "-1025", 5);
  tw_buf_append(&f, "0.", 2);
  for (int i = 0; i < 500; i++)
    tw_buf_append(&b, "0", 1);
  for (int i = 0; i < 499; i++)
    tw_buf_append(&f, "0", 1);
  tw_buf_append(&b, "e-502", 5);
  tw_buf_append(&f, "1025e502", 8);
  double d = 0;
  TW_CHECK_EQ_INT(tw_json_number_parse(b.data, b.len, &d), TW_OK);
  TW_CHECK(d == -10.25);
  TW_CHECK_EQ_INT(tw_json_number_parse(f.data, f.len, &d), TW_OK);
  TW_CHECK(d == 102.5);
  tw_buf_free(&f);
  TW_CHECK_EQ_INT(tw_json_number_parse(NULL, 0, &d), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_number_parse("1", 1, NULL), TW_EINVAL);
  tw_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Plan API and scan behaviour                                         */
/* ------------------------------------------------------------------ */

TW_TEST(plan_ids) {
  tw_json_plan *plan = NULL;
  uint32_t id = 99;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  TW_CHECK_EQ_INT(tw_json_plan_count(plan), 0);
  TW_CHECK_EQ_INT(add_path(plan, "$.a.b", &id), TW_OK);
  TW_CHECK_EQ_INT(id, 0);
  TW_CHECK_EQ_INT(add_path(plan, "$", &id), TW_OK);
  TW_CHECK_EQ_INT(id, 1);
  TW_CHECK_EQ_INT(add_path(plan, "$.a", &id), TW_OK); /* prefix of $.a.b */
  TW_CHECK_EQ_INT(id, 2);
  TW_CHECK_EQ_INT(add_path(plan, "$.a.b", &id), TW_OK);
  TW_CHECK_EQ_INT(id, 0);
  TW_CHECK_EQ_INT(add_path(plan, "$[*]", &id), TW_OK);
  TW_CHECK_EQ_INT(id, 3);
  TW_CHECK_EQ_INT(add_path(plan, "$[*]", &id), TW_OK);
  TW_CHECK_EQ_INT(id, 3);
  TW_CHECK_EQ_INT(tw_json_plan_count(plan), 4);
  TW_CHECK_EQ_INT(tw_json_plan_count(NULL), 0);
  tw_json_plan_free(plan);
  tw_json_plan_free(NULL);
}

TW_TEST(plan_bad_args) {
  tw_json_plan *plan = NULL;
  uint32_t id = 7;
  TW_CHECK_EQ_INT(tw_json_plan_new(NULL), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  tw_json_step bad_key = {TW_JSON_STEP_KEY, NULL, 3, 0};
  tw_json_step bad_kind = {(tw_json_step_kind)99, NULL, 0, 0};
  tw_json_step ok[2] = {{TW_JSON_STEP_KEY, "x", 1, 0}, {TW_JSON_STEP_ANY_KEY, NULL, 0, 0}};
  TW_CHECK_EQ_INT(tw_json_plan_add(NULL, ok, 1, &id), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, NULL, 1, &id), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, ok, 1, NULL), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, &bad_key, 1, &id), TW_EINVAL);
  tw_json_step mixed[2] = {ok[0], bad_kind};
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, mixed, 2, &id), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_json_plan_count(plan), 0);
  TW_CHECK_EQ_INT(id, 7);
  /* a KEY step with an empty key and NULL pointer is the "" member */
  tw_json_step empty = {TW_JSON_STEP_KEY, NULL, 0, 0};
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, &empty, 1, &id), TW_OK);
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, ok, 2, &id), TW_OK);
  TW_CHECK_EQ_INT(id, 1);
  collect c = {0};
  const char *doc = "{\"\":1,\"x\":{\"y\":2}}";
  TW_CHECK_EQ_INT(scan_collect(plan, doc, strlen(doc), &c), TW_OK);
  TW_CHECK_EQ_STR(c.out.data, "0 1 | 1 2");
  tw_buf_free(&c.out);
  tw_json_plan_free(plan);
}

TW_TEST(plan_copies_keys) {
  tw_json_plan *plan = NULL;
  char key[8] = "abc";
  tw_json_step st = {TW_JSON_STEP_KEY, key, 3, 0};
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, &st, 1, &id), TW_OK);
  memcpy(key, "xyz", 3);
  collect c = {0};
  const char *doc = "{\"xyz\":1,\"abc\":2}";
  TW_CHECK_EQ_INT(scan_collect(plan, doc, strlen(doc), &c), TW_OK);
  TW_CHECK_EQ_STR(c.out.data, "0 2");
  tw_buf_free(&c.out);
  tw_json_plan_free(plan);
}

/* Many keys and indexes in one state: hash table and binary search. */
TW_TEST(plan_many_paths) {
  tw_json_plan *plan = NULL;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  tw_buf doc = {0}, want = {0};
  tw_buf_append(&doc, "{", 1);
  for (unsigned i = 0; i < 1000; i++) {
    char key[32];
    int kn = snprintf(key, sizeof key, "k%u", i * 7919u % 1000u);
    tw_json_step st = {TW_JSON_STEP_KEY, key, (size_t)kn, 0};
    uint32_t id;
    TW_CHECK_EQ_INT(tw_json_plan_add(plan, &st, 1, &id), TW_OK);
    TW_CHECK_EQ_INT(id, i);
  }
  for (unsigned i = 0; i < 1000; i++) {
    bufprintf(&doc, "%s\"k%u\":%u", i ? "," : "", i, i);
    /* key k<i> was added as path number j with j*7919 % 1000 == i */
    unsigned j = 0;
    while (j * 7919u % 1000u != i)
      j++;
    bufprintf(&want, "%s%u %u", i ? " | " : "", j, i);
  }
  tw_buf_append(&doc, ",\"k1000\":0}", 11);
  tw_buf_append(&want, "", 1);
  collect c = {0};
  TW_CHECK_EQ_INT(scan_collect(plan, doc.data, doc.len, &c), TW_OK);
  TW_CHECK_EQ_STR(c.out.data, want.data);
  tw_buf_free(&doc);
  tw_buf_free(&want);
  tw_buf_free(&c.out);
  tw_json_plan_free(plan);
}

TW_TEST(plan_many_indexes) {
  tw_json_plan *plan = NULL;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  tw_buf doc = {0}, want = {0};
  uint32_t id;
  for (uint32_t i = 0; i < 300; i += 3) {
    tw_json_step st = {TW_JSON_STEP_INDEX, NULL, 0, 299 - i};
    TW_CHECK_EQ_INT(tw_json_plan_add(plan, &st, 1, &id), TW_OK);
  }
  tw_json_step big = {TW_JSON_STEP_INDEX, NULL, 0, UINT32_MAX};
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, &big, 1, &id), TW_OK);
  tw_buf_append(&doc, "[", 1);
  for (uint32_t i = 0; i < 400; i++)
    bufprintf(&doc, "%s%u", i ? "," : "", i);
  tw_buf_append(&doc, "]", 1);
  for (uint32_t i = 2; i < 300; i += 3)
    bufprintf(&want, "%s%u %u", i > 2 ? " | " : "", (299 - i) / 3, i);
  tw_buf_append(&want, "", 1);
  collect c = {0};
  TW_CHECK_EQ_INT(scan_collect(plan, doc.data, doc.len, &c), TW_OK);
  TW_CHECK_EQ_STR(c.out.data, want.data);
  tw_buf_free(&doc);
  tw_buf_free(&want);
  tw_buf_free(&c.out);
  tw_json_plan_free(plan);
}

/* Wildcard combinations whose automaton would exceed the state limit are
 * refused with TW_ELIMIT and leave the plan as it was. */
TW_TEST(plan_state_limit) {
  tw_json_plan *plan = NULL;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  enum { LEN = 24 };
  tw_json_step steps[LEN];
  int limited = 0;
  size_t added = 0;
  for (int i = 0; i < LEN && !limited; i++) {
    for (int k = 0; k < LEN; k++)
      steps[k] = (tw_json_step){k == i ? TW_JSON_STEP_KEY : TW_JSON_STEP_ANY_KEY,
                                "a", 1, 0};
    uint32_t id = 12345;
    int rc = tw_json_plan_add(plan, steps, LEN, &id);
    if (rc == TW_ELIMIT) {
      limited = 1;
      TW_CHECK_EQ_INT(id, 12345);
    } else {
      TW_CHECK_EQ_INT(rc, TW_OK);
      TW_CHECK_EQ_INT(id, added);
      added++;
    }
  }
  TW_CHECK(limited);
  TW_CHECK_EQ_INT(tw_json_plan_count(plan), added);
  /* the plan still works: {"a":{"a":...}} 24 deep reports every path */
  tw_buf doc = {0};
  for (int k = 0; k < LEN; k++)
    tw_buf_append(&doc, "{\"a\":", 5);
  tw_buf_append(&doc, "1", 1);
  for (int k = 0; k < LEN; k++)
    tw_buf_append(&doc, "}", 1);
  collect c = {0};
  TW_CHECK_EQ_INT(scan_collect(plan, doc.data, doc.len, &c), TW_OK);
  TW_CHECK_EQ_INT(c.count, added);
  tw_buf_free(&doc);
  tw_buf_free(&c.out);
  tw_json_plan_free(plan);
}

static int stop_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  (void)id;
  (void)v;
  int *n = ctx;
  return ++*n == 2 ? 42 : 0;
}

TW_TEST(scan_visitor_stop) {
  tw_json_plan *plan = NULL;
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  TW_CHECK_EQ_INT(add_path(plan, "$[*]", &id), TW_OK);
  int n = 0;
  const char *doc = "[1,2,3,";  /* stops before the syntax error */
  TW_CHECK_EQ_INT(scan(plan, doc, strlen(doc), stop_visit, &n, NULL), 42);
  TW_CHECK_EQ_INT(n, 2);
  tw_json_plan_free(plan);
}

TW_TEST(scan_root_type) {
  static const struct { const char *doc; tw_json_type type; } cases[] = {
      {" {} ", TW_JSON_OBJECT}, {"[]", TW_JSON_ARRAY}, {"\"s\"", TW_JSON_STRING},
      {"-1", TW_JSON_NUMBER},   {"true", TW_JSON_TRUE}, {"false", TW_JSON_FALSE},
      {"null", TW_JSON_NULL}};
  tw_json_plan *plan = wide_plan();
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tw_json_type t = (tw_json_type)99;
    const char *d = cases[i].doc;
    TW_CHECK_EQ_INT(scan(NULL, d, strlen(d), NULL, NULL, &t), TW_OK);
    TW_CHECK_EQ_INT(t, cases[i].type);
    t = (tw_json_type)99;
    collect c = {.doc = d, .len = strlen(d)};
    TW_CHECK_EQ_INT(scan(plan, d, strlen(d), collect_visit, &c, &t), TW_OK);
    TW_CHECK_EQ_INT(t, cases[i].type);
    TW_CHECK_EQ_INT(c.bad + c.mistyped, 0);
    TW_CHECK(c.count >= 1);
    tw_buf_free(&c.out);
  }
  tw_json_type t = (tw_json_type)99;
  TW_CHECK_EQ_INT(scan(NULL, "[1,]", 4, NULL, NULL, &t), TW_ESYNTAX);
  TW_CHECK_EQ_INT(t, 99);
  tw_json_plan_free(plan);
}

TW_TEST(scan_bounds_and_args) {
  /* only doc[0..len) is read */
  const char *doc = "[1,2]xyz";
  TW_CHECK_EQ_INT(scan(NULL, doc, 5, NULL, NULL, NULL), TW_OK);
  TW_CHECK_EQ_INT(scan(NULL, doc, 8, NULL, NULL, NULL), TW_ESYNTAX);
  TW_CHECK_EQ_INT(scan(NULL, "\"abc\"", 4, NULL, NULL, NULL), TW_ESYNTAX);
  TW_CHECK_EQ_INT(scan(NULL, "true", 3, NULL, NULL, NULL), TW_ESYNTAX);
  TW_CHECK_EQ_INT(scan(NULL, NULL, 0, NULL, NULL, NULL), TW_ESYNTAX);
  TW_CHECK_EQ_INT(scan(NULL, NULL, 3, NULL, NULL, NULL), TW_EINVAL);
  /* a plan without a visitor only validates */
  tw_json_plan *plan = wide_plan();
  TW_CHECK_EQ_INT(scan(plan, doc, 5, NULL, NULL, NULL), TW_OK);
  TW_CHECK_EQ_INT(scan(plan, "[1,]", 4, NULL, NULL, NULL), TW_ESYNTAX);
  tw_json_plan_free(plan);
}

/* A container reported before its contents whose end is never found. */
TW_TEST(scan_unclosed_reported_container) {
  tw_json_plan *plan = NULL;
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  TW_CHECK_EQ_INT(add_path(plan, "$.a", &id), TW_OK);
  TW_CHECK_EQ_INT(add_path(plan, "$.a.b", &id), TW_OK);
  static const char *docs[] = {"{\"a\":{\"b\":1", "{\"a\":{\"b\":\"}",
                               "{\"a\":{\"b\":\"\\", "{\"a\":["};
  for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
    collect c = {0};
    TW_CHECK_EQ_INT(scan_collect(plan, docs[i], strlen(docs[i]), &c), TW_ESYNTAX);
    TW_CHECK_EQ_INT(c.bad, 0);
    tw_buf_free(&c.out);
  }
  tw_json_plan_free(plan);
}

/* ------------------------------------------------------------------ */
/* Differential test against jansson                                   */
/* ------------------------------------------------------------------ */

typedef struct rng {
  uint64_t s;
  int long_runs; /* also generate long strings and whitespace runs */
} rng;

static uint64_t rng_next(rng *r) {
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 2685821657736338717ull;
}

static unsigned rng_below(rng *r, unsigned n) {
  return (unsigned)(rng_next(r) >> 33) % n;
}

static void put_pick(rng *r, tw_buf *b, const char *const *list, unsigned n) {
  const char *s = list[rng_below(r, n)];
  tw_buf_append(b, s, strlen(s));
}

#define PICK(r, b, list) put_pick(r, b, list, sizeof list / sizeof *list)

/* n bytes cycling through the characters of set (nset of them). */
static void put_run(tw_buf *b, const char *set, size_t nset, size_t n,
                    size_t phase) {
  for (size_t i = 0; i < n; i++)
    tw_buf_append(b, set + (i + phase) % nset, 1);
}

static void gen_ws(rng *r, tw_buf *b) {
  static const char *const ws[] = {" ", "\t", "\n", "\r", "  "};
  if (rng_below(r, 5) == 0)
    PICK(r, b, ws);
  if (r->long_runs && rng_below(r, 8) == 0)
    put_run(b, " \n  \t\r", 6, rng_below(r, 100), rng_below(r, 6));
}

static void gen_string(rng *r, tw_buf *b) {
  static const char *const plain[] = {"a", "b", "Z", " ", "0", "_", "/", "~", "'"};
  static const char *const esc[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f",
                                    "\\n", "\\r", "\\t", "\\u0041", "\\u00e9",
                                    "\\u20AC", "\\uFFFF", "\\u0000", "\\u001f"};
  static const char *const pairs[] = {"\\ud83d\\ude00", "\\uD800\\uDC00",
                                      "\\uDBFF\\uDFFF", "\\ud800", "\\udc00",
                                      "\\udc00\\ud800", "\\ud800\\u0041"};
  static const char *const utf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                     "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\x7f"};
  static const char *const bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xff", "\x80",
                                    "\x01", "\xf4\x90\x80\x80", "\\x", "\\u12",
                                    "\xe2\x82", "\t"};
  tw_buf_append(b, "\"", 1);
  for (unsigned n = rng_below(r, 6); n > 0; n--) {
    if (r->long_runs && rng_below(r, 3) == 0)
      put_run(b, "abcdefghijklmnopqrstuvwxyz0123456789-_/:", 40,
              rng_below(r, 150), rng_below(r, 40));
    unsigned k = rng_below(r, 40);
    if (k < 24)
      PICK(r, b, plain);
    else if (k < 30)
      PICK(r, b, esc);
    else if (k < 33)
      PICK(r, b, pairs);
    else if (k < 38)
      PICK(r, b, utf8);
    else
      PICK(r, b, bad);
  }
  tw_buf_append(b, "\"", 1);
}

static void gen_digits(rng *r, tw_buf *b, unsigned min) {
  for (unsigned n = min + rng_below(r, 4); n > 0; n--) {
    char d = (char)('0' + rng_below(r, 10));
    tw_buf_append(b, &d, 1);
  }
}

static void gen_number(rng *r, tw_buf *b) {
  static const char *const odd[] = {"1e400", "-1e400", "1e-400",
                                    "123456789012345678901234567890",
                                    "01", "1.", ".5", "+1", "1e", "-", "00"};
  if (rng_below(r, 12) == 0) {
    PICK(r, b, odd);
    return;
  }
  if (rng_below(r, 3) == 0)
    tw_buf_append(b, "-", 1);
  if (rng_below(r, 3) == 0) {
    tw_buf_append(b, "0", 1);
  } else {
    char d = (char)('1' + rng_below(r, 9));
    tw_buf_append(b, &d, 1);
    gen_digits(r, b, 0);
  }
  if (rng_below(r, 3) == 0) {
    tw_buf_append(b, ".", 1);
    gen_digits(r, b, 1);
  }
  if (rng_below(r, 4) == 0) {
    static const char *const e[] = {"e", "E", "e+", "e-", "E+", "E-"};
    PICK(r, b, e);
    gen_digits(r, b, 1);
  }
}

static void gen_value(rng *r, tw_buf *b, int depth) {
  static const char *const lits[] = {"true", "false", "null"};
  unsigned k = rng_below(r, depth > 5 ? 6 : 10);
  gen_ws(r, b);
  if (k < 2) {
    gen_string(r, b);
  } else if (k < 4) {
    gen_number(r, b);
  } else if (k < 6) {
    PICK(r, b, lits);
  } else {
    int obj = k < 8;
    unsigned n = rng_below(r, 5);
    tw_buf_append(b, obj ? "{" : "[", 1);
    for (unsigned i = 0; i < n; i++) {
      if (i)
        tw_buf_append(b, ",", 1);
      if (obj) {
        gen_ws(r, b);
        gen_string(r, b);
        gen_ws(r, b);
        tw_buf_append(b, ":", 1);
      }
      gen_value(r, b, depth + 1);
    }
    gen_ws(r, b);
    tw_buf_append(b, obj ? "}" : "]", 1);
  }
  gen_ws(r, b);
}

static void mutate(rng *r, tw_buf *b) {
  static const char bytes[] = "{}[],:\"\\ 019eE.+-tfnulr\x7f\t\n\x80\xc0\xed\xf4\xff";
  for (unsigned n = 1 + rng_below(r, 3); n > 0 && b->len > 0; n--) {
    size_t at = rng_below(r, (unsigned)b->len);
    char c = bytes[rng_below(r, sizeof bytes)]; /* includes the final NUL */
    switch (rng_below(r, 4)) {
    case 0: b->data[at] = c; break;
    case 1:
      memmove(b->data + at, b->data + at + 1, b->len - at - 1);
      b->len--;
      break;
    case 2:
      if (tw_buf_append(b, "", 1) == TW_OK) {
        memmove(b->data + at + 1, b->data + at, b->len - at - 1);
        b->data[at] = c;
      }
      break;
    default: b->len = at; break;
    }
  }
}

/* Elements of a valid top-level array, reported by $[*], against jansson. */
typedef struct elems {
  json_t *array;
  size_t count;
  int bad;
} elems;

static int value_matches(const tw_json_value *v, json_t *j) {
  switch (v->type) {
  case TW_JSON_NULL: return json_is_null(j);
  case TW_JSON_TRUE: return json_is_true(j);
  case TW_JSON_FALSE: return json_is_false(j);
  case TW_JSON_NUMBER: {
    double d;
    return json_is_number(j) && tw_json_number_parse(v->ptr, v->len, &d) == TW_OK &&
           d == json_number_value(j);
  }
  case TW_JSON_STRING: {
    size_t n = 0;
    char *buf = malloc(v->len + 1);
    int eq = buf && json_is_string(j) &&
             tw_json_string_decode(v, buf, v->len, &n) == TW_OK &&
             n == json_string_length(j) &&
             memcmp(buf, json_string_value(j), n) == 0;
    free(buf);
    return eq;
  }
  default: {
    json_t *sub = json_loadb(v->ptr, v->len, JANSSON_FLAGS, NULL);
    int eq = sub && json_equal(sub, j);
    json_decref(sub);
    return eq;
  }
  }
}

static int elems_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  elems *e = ctx;
  (void)id;
  json_t *j = json_array_get(e->array, e->count++);
  if (!j || !value_matches(v, j))
    e->bad++;
  return 0;
}

typedef struct diff_stats {
  size_t docs, valid, overflow, nul_key, nul_byte, mismatches;
} diff_stats;

/* jansson's quirk: its lexer silently skips a raw NUL byte that follows a
 * number or a literal (true/false/null) outside strings, e.g. "[1\0]"
 * loads. True when doc is valid for us once such NUL bytes are dropped. */
static int nul_quirk(const char *doc, size_t len) {
  tw_buf b = {0};
  for (size_t i = 0; i < len; i++) {
    char prev = i ? doc[i - 1] : ' ';
    if (doc[i] == '\0' && ((prev >= '0' && prev <= '9') || prev == 'e' ||
                           prev == 'l'))
      continue;
    tw_buf_append(&b, doc + i, 1);
  }
  int ok = b.len < len &&
           scan(NULL, b.data ? b.data : "", b.len, NULL, NULL, NULL) == TW_OK;
  tw_buf_free(&b);
  return ok;
}

static void diff_one(const tw_json_plan *wide, const tw_json_plan *elem_plan,
                     const char *doc, size_t len, diff_stats *st) {
  json_error_t jerr;
  json_t *j = json_loadb(doc, len, JANSSON_FLAGS, &jerr);
  int r0 = scan(NULL, doc, len, NULL, NULL, NULL);
  collect c = {0};
  int r1 = scan_collect(wide, doc, len, &c);
  int ok = r0 == r1 && c.bad == 0;
  st->docs++;
  if (r0 == TW_OK && !j && json_error_code(&jerr) == json_error_numeric_overflow)
    st->overflow++; /* known: jansson refuses numbers out of range */
  else if (r0 == TW_OK && !j && json_error_code(&jerr) == json_error_null_byte_in_key)
    st->nul_key++;  /* known: jansson refuses "\u0000" in member names */
  else if (r0 != TW_OK && j && nul_quirk(doc, len))
    st->nul_byte++; /* known: jansson skips a raw NUL after a number/literal */
  else if ((r0 == TW_OK) != (j != NULL))
    ok = 0;
  if (j && r0 == TW_OK && json_is_array(j)) {
    elems e = {j, 0, 0};
    scan(elem_plan, doc, len, elems_visit, &e, NULL);
    ok = ok && e.bad == 0 && e.count == json_array_size(j);
  }
  st->valid += r0 == TW_OK;
  if (!ok && st->mismatches++ < 10)
    fprintf(stderr, "differential: tw %d/%d jansson %s (%s): %.*s\n", r0, r1,
            j ? "valid" : "invalid", j ? "" : jerr.text, (int)len, doc);
  json_decref(j);
  tw_buf_free(&c.out);
}

/*
 * Known disagreements with jansson 2.14 (JSON_DECODE_ANY | JSON_ALLOW_NUL),
 * both deliberate on our side:
 *  - numbers out of range (an integer beyond int64 or a real overflowing
 *    double, e.g. 1e400): jansson fails with json_error_numeric_overflow,
 *    RFC 8259 allows them and tw_json_scan accepts them;
 *  - nesting deeper than TW_JSON_MAX_DEPTH (512) up to jansson's 2048:
 *    we reject (the generator stays far below either);
 *  - "\u0000" inside an object key: jansson refuses NUL in keys even with
 *    JSON_ALLOW_NUL (json_error_null_byte_in_key); we accept;
 *  - a raw NUL byte right after a number or literal outside strings
 *    ("1\0", "[true\0]"): jansson's lexer skips it, we reject (RFC 8259
 *    has no such whitespace); see nul_quirk.
 * validity.txt marks these cases with "j".
 */
TW_TEST(differential_jansson) {
  tw_json_plan *wide = wide_plan(), *elem_plan = NULL;
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&elem_plan), TW_OK);
  TW_CHECK_EQ_INT(add_path(elem_plan, "$[*]", &id), TW_OK);
  rng r = {0x9E3779B97F4A7C15ull, 0};
  tw_buf b = {0};
  diff_stats st = {0};
  for (int i = 0; i < 6000; i++) {
    b.len = 0;
    gen_value(&r, &b, 0);
    if (rng_below(&r, 2))
      mutate(&r, &b);
    diff_one(wide, elem_plan, b.data ? b.data : "", b.len, &st);
  }
  printf("differential: %zu documents, %zu valid; known disagreements: %zu "
         "numeric overflow, %zu NUL in key, %zu raw NUL; %zu mismatches\n",
         st.docs, st.valid, st.overflow, st.nul_key, st.nul_byte, st.mismatches);
  TW_CHECK_EQ_INT(st.mismatches, 0);
  TW_CHECK(st.valid > 1000 && st.docs - st.valid > 1000);
  tw_buf_free(&b);
  tw_json_plan_free(wide);
  tw_json_plan_free(elem_plan);
}

/* ------------------------------------------------------------------ */
/* Code paths: block edges, buffer ends, agreement                     */
/* ------------------------------------------------------------------ */

TW_TEST(simd_api) {
  tw_json_simd s = TW_JSON_SIMD_COUNT;
  TW_CHECK(tw_json_simd_available(TW_JSON_SIMD_SCALAR));
  TW_CHECK(!tw_json_simd_available(TW_JSON_SIMD_COUNT));
  for (int i = 0; i < TW_JSON_SIMD_COUNT; i++) {
    const char *name = tw_json_simd_name((tw_json_simd)i);
    TW_CHECK(name != NULL && tw_json_simd_parse(name, &s) && s == (tw_json_simd)i);
    tw_json_simd c = tw_json_simd_clamp((tw_json_simd)i);
    TW_CHECK(c <= (tw_json_simd)i && tw_json_simd_available(c));
    if (tw_json_simd_available((tw_json_simd)i))
      TW_CHECK_EQ_INT(c, i);
  }
  TW_CHECK(tw_json_simd_name(TW_JSON_SIMD_COUNT) == NULL);
  TW_CHECK(!tw_json_simd_parse("AVX2", &s) && !tw_json_simd_parse(NULL, &s));
  TW_CHECK(!tw_json_simd_parse("", &s) && !tw_json_simd_parse("avx", &s));
#if defined(__x86_64__)
  TW_CHECK(tw_json_simd_available(TW_JSON_SIMD_SSE2));
#endif
  /* tw_json_scan runs the path named by TW_SIMD, else the best one */
  tw_json_simd want = tw_json_simd_clamp(TW_JSON_SIMD_COUNT);
  const char *env = getenv("TW_SIMD");
  if (env && tw_json_simd_parse(env, &s))
    want = tw_json_simd_clamp(s);
  TW_CHECK_EQ_INT(tw_json_simd_active(), want);
  TW_CHECK_EQ_INT(tw_json_scan(NULL, "[1]", 3, NULL, NULL, NULL), TW_OK);
}

/* One visit, for comparing paths. */
typedef struct visit_rec {
  uint32_t id;
  tw_json_type type;
  int esc;
  size_t off, len;
} visit_rec;

typedef struct visits {
  const char *doc;
  visit_rec v[64];
  size_t n;
} visits;

static int record_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  visits *r = ctx;
  if (r->n < sizeof r->v / sizeof *r->v)
    r->v[r->n] = (visit_rec){id, v->type, v->has_escapes,
                             (size_t)(v->ptr - r->doc), v->len};
  r->n++;
  return 0;
}

static int scan_record(tw_json_simd path, const tw_json_plan *plan,
                       const char *doc, size_t len, visits *r) {
  r->doc = doc;
  r->n = 0;
  return scan_on(path, plan, doc, len, record_visit, r, NULL);
}

static int same_visits(const visits *a, const visits *b) {
  if (a->n != b->n)
    return 0;
  size_t n = a->n < 64 ? a->n : 64;
  for (size_t i = 0; i < n; i++)
    if (a->v[i].id != b->v[i].id || a->v[i].type != b->v[i].type ||
        a->v[i].esc != b->v[i].esc || a->v[i].off != b->v[i].off ||
        a->v[i].len != b->v[i].len)
      return 0;
  return 1;
}

/* A piece put inside a string, with whether the string stays valid. */
typedef struct str_piece {
  const char *s;
  size_t n;
  int valid, esc;
} str_piece;

static const str_piece pieces[] = {
    {"a", 1, 1, 0},          {"\\\"", 2, 1, 1},          {"\\\\", 2, 1, 1},
    {"\\n", 2, 1, 1},        {"\\u00e9", 6, 1, 1},       {"\\ud83d\\ude00", 12, 1, 1},
    {"\\ud83d", 6, 0, 1},    {"\\x", 2, 0, 1},           {"\xc3\xa9", 2, 1, 0},
    {"\xe2\x82\xac", 3, 1, 0}, {"\xf0\x9f\x98\x80", 4, 1, 0}, {"\xc3", 1, 0, 0},
    {"\xc0\xaf", 2, 0, 0},   {"\xed\xa0\x80", 3, 0, 0},  {"\xff", 1, 0, 0},
    {"\x01", 1, 0, 0},       {"\x1f", 1, 0, 0},          {"\x7f", 1, 1, 0},
    {"\t", 1, 0, 0},         {"\"", 1, 0, 0},            {"\0", 1, 0, 0},
    {"\\", 1, 0, 1}};

/* Lengths of the plain run after the piece: around every vector edge. */
static const size_t tails[] = {0, 1, 2, 3, 6, 7, 8, 9, 14, 15, 16, 17, 30,
                               31, 32, 33, 46, 47, 48, 62, 63, 64, 65, 70};

/* Build  prefix + '"' + j plain bytes + piece + k plain bytes + '"' +
 * suffix. */
static void string_doc(tw_buf *b, const char *prefix, size_t j,
                       const str_piece *pc, size_t k, const char *suffix) {
  b->len = 0;
  tw_buf_append(b, prefix, strlen(prefix));
  tw_buf_append(b, "\"", 1);
  put_run(b, "abcdefgh", 8, j, 0);
  tw_buf_append(b, pc->s, pc->n);
  put_run(b, "ABCDEFGH", 8, k, 0);
  tw_buf_append(b, "\"", 1);
  tw_buf_append(b, suffix, strlen(suffix));
}

/* Special bytes at every offset 0..135 of a string and of the document,
 * followed by 0..70 more bytes, in a value (reported and skipped) and in
 * a member name; the document ends right after the string. */
TW_TEST(simd_string_boundaries) {
  tw_json_plan *plan = NULL, *names = NULL;
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  TW_CHECK_EQ_INT(add_path(plan, "$[0]", &id), TW_OK);
  TW_CHECK_EQ_INT(tw_json_plan_new(&names), TW_OK);
  TW_CHECK_EQ_INT(add_path(names, "$.*", &id), TW_OK);
  tw_buf b = {0};
  visits r;
  size_t docs = 0, bad = 0;
  for (size_t pi = 0; pi < sizeof pieces / sizeof *pieces; pi++) {
    const str_piece *pc = &pieces[pi];
    for (size_t j = 0; j <= 135; j++) {
      for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
        size_t k = tails[t];
        int want = pc->valid ? TW_OK : TW_ESYNTAX;
        /* the string as the root value, validated only */
        string_doc(&b, "", j, pc, k, "");
        int r0 = scan(NULL, b.data, b.len, NULL, NULL, NULL);
        /* in an array, reported by $[0] */
        string_doc(&b, "[", j, pc, k, "]");
        int r1 = scan_record(test_path, plan, b.data, b.len, &r);
        int ok = r0 == want && r1 == want;
        if (r1 == TW_OK)
          ok = ok && r.n == 1 && r.v[0].type == TW_JSON_STRING &&
               r.v[0].off == 2 && r.v[0].len == j + pc->n + k &&
               r.v[0].esc == pc->esc;
        /* as a member name (the value is reported by $.*) */
        string_doc(&b, "{", j, pc, k, ":0}");
        int r2 = scan_record(test_path, names, b.data, b.len, &r);
        ok = ok && r2 == want && (r2 != TW_OK || r.n == 1);
        /* in a subtree no path reaches */
        string_doc(&b, "{\"x\":[", j, pc, k, "]}");
        int r3 = scan_record(test_path, names, b.data, b.len, &r);
        ok = ok && r3 == want;
        if (!ok && bad++ < 5)
          fprintf(stderr, "simd_string_boundaries[%s]: piece %zu j %zu k %zu: "
                  "%d %d %d %d, want %d\n", tw_json_simd_name(test_path), pi,
                  j, k, r0, r1, r2, r3, want);
        docs += 4;
      }
    }
  }
  TW_CHECK_EQ_INT(bad, 0);
  TW_CHECK(docs > 10000);
  tw_buf_free(&b);
  tw_json_plan_free(plan);
  tw_json_plan_free(names);
}

/* Whitespace runs of every length 0..140 between every kind of token,
 * and a non-whitespace byte at the end or in the middle of a run. */
TW_TEST(simd_whitespace_runs) {
  static const char *const bad_bytes[] = {"\f", "\v", "\xa0", "\0", "\x85", "x"};
  tw_json_plan *plan = wide_plan();
  tw_buf b = {0};
  visits r;
  size_t bad = 0;
  for (size_t n = 0; n <= 140; n++) {
    for (int variant = -1; variant < 6 * 3; variant++) {
      b.len = 0;
      /* run, token, run, token, ... run: {"a":[1,"s"]} */
      size_t runs[8] = {n, n % 67, n % 13, n, (n * 7) % 71, n % 3, n % 33, n};
      const char *tok[8] = {"{", "\"a\"", ":", "[1", ",", "\"s\"]", "}", ""};
      size_t mark = 0;
      for (int i = 0; i < 8; i++) {
        if (variant >= 0 && i == (variant % 3) * 3 + 1 && runs[i] > 0) {
          /* put the bad byte in the middle or at the end of the run */
          size_t at = (variant / 3) % 2 ? runs[i] - 1 : runs[i] / 2;
          put_run(&b, " \t\n\r", 4, at, i);
          mark = b.len;
          const char *x = bad_bytes[(size_t)variant / 3];
          tw_buf_append(&b, x, 1);
          put_run(&b, " \t\n\r", 4, runs[i] - at - 1, i);
        } else {
          put_run(&b, " \t\n\r", 4, runs[i], i);
        }
        tw_buf_append(&b, tok[i], strlen(tok[i]));
      }
      int want = variant < 0 || !mark ? TW_OK : TW_ESYNTAX;
      int r0 = scan(NULL, b.data, b.len, NULL, NULL, NULL);
      int r1 = scan_record(test_path, plan, b.data, b.len, &r);
      if ((r0 != want || r1 != want) && bad++ < 5)
        fprintf(stderr, "simd_whitespace_runs[%s]: n %zu variant %d: %d %d\n",
                tw_json_simd_name(test_path), n, variant, r0, r1);
    }
  }
  TW_CHECK_EQ_INT(bad, 0);
  tw_buf_free(&b);
  tw_json_plan_free(plan);
}

/* Every proper prefix of valid documents is invalid, read from a heap
 * block of exactly that size (ASan: no read past the end). */
TW_TEST(simd_truncated_documents) {
  static const char *const part[] = {
      "{\"Records\":[{\"eventName\":\"", "\",\"a\\u00e9\\n\":[\"\xc3\xa9\xe2\x82\xac",
      "\\\"\"],", "\"n\":-12.5e3,\"t\":true,\"z\":null}]}"};
  tw_buf doc = {0};
  tw_buf_append(&doc, part[0], strlen(part[0]));
  put_run(&doc, "GetObjectAclPutBucketPolicy", 27, 150, 0);
  tw_buf_append(&doc, part[1], strlen(part[1]));
  put_run(&doc, "xyz", 3, 70, 0);
  tw_buf_append(&doc, part[2], strlen(part[2]));
  put_run(&doc, " \n\t\r", 4, 90, 0);
  tw_buf_append(&doc, part[3], strlen(part[3]));
  tw_json_plan *plan = NULL;
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  TW_CHECK_EQ_INT(add_path(plan, "$.Records[*]", &id), TW_OK);
  TW_CHECK_EQ_INT(add_path(plan, "$.Records[*].eventName", &id), TW_OK);
  visits r;
  TW_CHECK_EQ_INT(scan(NULL, doc.data, doc.len, NULL, NULL, NULL), TW_OK);
  TW_CHECK_EQ_INT(scan_record(test_path, plan, doc.data, doc.len, &r), TW_OK);
  TW_CHECK_EQ_INT(r.n, 2);
  size_t bad = 0;
  for (size_t n = 0; n < doc.len; n++) {
    int r0 = scan(NULL, doc.data, n, NULL, NULL, NULL);
    int r1 = scan_record(test_path, plan, doc.data, n, &r);
    if ((r0 != TW_ESYNTAX || r1 != TW_ESYNTAX) && bad++ < 5)
      fprintf(stderr, "simd_truncated_documents[%s]: prefix %zu: %d %d\n",
              tw_json_simd_name(test_path), n, r0, r1);
  }
  TW_CHECK_EQ_INT(bad, 0);
  TW_CHECK(doc.len > 300);
  tw_buf_free(&doc);
  tw_json_plan_free(plan);
}

/* The path under test agrees with the scalar one on generated documents
 * with long strings and whitespace runs: same result, same visits. */
TW_TEST(simd_paths_agree) {
  tw_json_plan *wide = wide_plan(), *ct = NULL;
  uint32_t id;
  TW_CHECK_EQ_INT(tw_json_plan_new(&ct), TW_OK);
  static const char *const paths[] = {"$[*].eventName", "$[*]", "$.a.b",
                                      "$[*].*", "$[1][*]"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
    TW_CHECK_EQ_INT(add_path(ct, paths[i], &id), TW_OK);
  rng g = {0xD1B54A32D192ED03ull, 1};
  tw_buf b = {0};
  visits va, vb;
  size_t docs = 0, valid = 0, bad = 0;
  for (int i = 0; i < 4000; i++) {
    b.len = 0;
    gen_value(&g, &b, 0);
    if (rng_below(&g, 2))
      mutate(&g, &b);
    const char *d = b.data ? b.data : "";
    int a0 = scan_on(TW_JSON_SIMD_SCALAR, NULL, d, b.len, NULL, NULL, NULL);
    int b0 = scan(NULL, d, b.len, NULL, NULL, NULL);
    int ok = a0 == b0;
    const tw_json_plan *plans[2] = {wide, ct};
    for (int k = 0; k < 2; k++) {
      int a1 = scan_record(TW_JSON_SIMD_SCALAR, plans[k], d, b.len, &va);
      int b1 = scan_record(test_path, plans[k], d, b.len, &vb);
      ok = ok && a1 == b1 && same_visits(&va, &vb);
    }
    if (!ok && bad++ < 5)
      fprintf(stderr, "simd_paths_agree[%s]: differs from scalar on %.*s\n",
              tw_json_simd_name(test_path), (int)b.len, d);
    docs++;
    valid += a0 == TW_OK;
  }
  TW_CHECK_EQ_INT(bad, 0);
  TW_CHECK(valid > 500 && docs - valid > 500);
  tw_buf_free(&b);
  tw_json_plan_free(wide);
  tw_json_plan_free(ct);
}

/* ------------------------------------------------------------------ */
/* Real CloudTrail data                                                */
/* ------------------------------------------------------------------ */

/* Per-id results of a whole-file scan with wildcard paths. */
typedef struct ct_scan {
  json_t *records;
  size_t names, spans, types;
  int bad;
} ct_scan;

enum { CT_NAME = 0, CT_RECORD = 1, CT_TYPE = 2 };

static int ct_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  ct_scan *s = ctx;
  if (id == CT_NAME) {
    json_t *rec = json_array_get(s->records, s->names++);
    if (!rec || !value_matches(v, json_object_get(rec, "eventName")))
      s->bad++;
  } else if (id == CT_RECORD) {
    json_t *rec = json_array_get(s->records, s->spans++);
    if (!rec || v->type != TW_JSON_OBJECT || !value_matches(v, rec))
      s->bad++;
  } else {
    s->types++;
  }
  return 0;
}

/* Leaf-by-leaf check of one record: every scalar and empty container is
 * a concrete path of its own; each must be reported once, equal to
 * jansson's value. */
typedef struct ct_leaves {
  tw_json_plan *plan;
  json_t **want;   /* by id */
  size_t nwant, cap;
  unsigned *seen;
  int bad;
} ct_leaves;

static int ct_leaf_add(ct_leaves *l, const tw_json_step *steps, size_t n,
                       json_t *j) {
  uint32_t id;
  if (tw_json_plan_add(l->plan, steps, n, &id) != TW_OK)
    return -1;
  if (id != l->nwant)
    return -1; /* CloudTrail has no duplicate keys: paths are distinct */
  if (l->nwant == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    json_t **w = realloc(l->want, cap * sizeof *w);
    if (!w)
      return -1;
    l->want = w;
    l->cap = cap;
  }
  l->want[l->nwant++] = j;
  return 0;
}

static int ct_collect_leaves(ct_leaves *l, tw_json_step *steps, size_t n,
                             json_t *j) {
  if (n >= 60)
    return -1;
  if (json_is_object(j) && json_object_size(j)) {
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
      steps[n] = (tw_json_step){TW_JSON_STEP_KEY, k, strlen(k), 0};
      if (ct_collect_leaves(l, steps, n + 1, v) != 0)
        return -1;
    }
    return 0;
  }
  if (json_is_array(j) && json_array_size(j)) {
    for (size_t i = 0; i < json_array_size(j); i++) {
      steps[n] = (tw_json_step){TW_JSON_STEP_INDEX, NULL, 0, (uint32_t)i};
      if (ct_collect_leaves(l, steps, n + 1, json_array_get(j, i)) != 0)
        return -1;
    }
    return 0;
  }
  return ct_leaf_add(l, steps, n, j);
}

static int ct_leaf_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  ct_leaves *l = ctx;
  if (id >= l->nwant || !value_matches(v, l->want[id]))
    l->bad++;
  else
    l->seen[id]++;
  return 0;
}

/* Building a plan per record dominates this check, so each plan is built
 * once, in the first round (scalar), and scanned on every path there. */
static int ct_check_record(const char *doc, size_t len, int wrapped, size_t i,
                           json_t *rec) {
  tw_json_step steps[64];
  size_t n = 0;
  if (wrapped)
    steps[n++] = (tw_json_step){TW_JSON_STEP_KEY, "Records", 7, 0};
  steps[n++] = (tw_json_step){TW_JSON_STEP_INDEX, NULL, 0, (uint32_t)i};
  ct_leaves l = {0};
  int ok = tw_json_plan_new(&l.plan) == TW_OK &&
           ct_collect_leaves(&l, steps, n, rec) == 0;
  l.seen = ok ? calloc(l.nwant + 1, sizeof *l.seen) : NULL;
  ok = ok && l.seen;
  for (int s = 0; ok && s < TW_JSON_SIMD_COUNT; s++) {
    if (!tw_json_simd_available((tw_json_simd)s))
      continue;
    memset(l.seen, 0, (l.nwant + 1) * sizeof *l.seen);
    ok = scan_on((tw_json_simd)s, l.plan, doc, len, ct_leaf_visit, &l, NULL) ==
             TW_OK &&
         l.bad == 0;
    for (size_t k = 0; ok && k < l.nwant; k++)
      ok = l.seen[k] == 1;
  }
  free(l.seen);
  free(l.want);
  tw_json_plan_free(l.plan);
  return ok;
}

static size_t ct_count_types(json_t *records) {
  size_t n = 0;
  for (size_t i = 0; i < json_array_size(records); i++)
    n += json_object_get(json_object_get(json_array_get(records, i),
                                         "userIdentity"), "type") != NULL;
  return n;
}

/* Check one CloudTrail file; adds its event count to *events. */
static int ct_check_file(const char *path, size_t *events) {
  size_t len;
  char *doc = slurp(path, &len);
  json_t *root = doc ? json_loadb(doc, len, 0, NULL) : NULL;
  int wrapped = json_is_object(root);
  json_t *records = wrapped ? json_object_get(root, "Records") : root;
  int ok = json_is_array(records);
  tw_json_type t = (tw_json_type)99;
  ok = ok && scan(NULL, doc, len, NULL, NULL, &t) == TW_OK &&
       t == (wrapped ? TW_JSON_OBJECT : TW_JSON_ARRAY);
  tw_json_plan *plan = NULL;
  uint32_t id;
  const char *pre = wrapped ? "$.Records[*]" : "$[*]";
  char p[64];
  ok = ok && tw_json_plan_new(&plan) == TW_OK;
  snprintf(p, sizeof p, "%s.eventName", pre);
  ok = ok && add_path(plan, p, &id) == TW_OK && id == CT_NAME;
  ok = ok && add_path(plan, pre, &id) == TW_OK && id == CT_RECORD;
  snprintf(p, sizeof p, "%s.userIdentity.type", pre);
  ok = ok && add_path(plan, p, &id) == TW_OK && id == CT_TYPE;
  ct_scan s = {records, 0, 0, 0, 0};
  ok = ok && scan(plan, doc, len, ct_visit, &s, NULL) == TW_OK &&
       s.bad == 0 && s.names == json_array_size(records) &&
       s.spans == s.names && s.types == ct_count_types(records);
  for (size_t i = 0; ok && test_path == TW_JSON_SIMD_SCALAR &&
                     i < json_array_size(records); i++)
    ok = ct_check_record(doc, len, wrapped, i, json_array_get(records, i));
  if (ok)
    *events += json_array_size(records);
  else
    fprintf(stderr, "cloudtrail: mismatch in %s\n", path);
  tw_json_plan_free(plan);
  json_decref(root);
  free(doc);
  return ok;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Check every *.json file under dir (recursively). */
static int ct_check_dir(const char *dir, size_t *files, size_t *events) {
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  int ok = 1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &sb) != 0)
      continue;
    if (S_ISDIR(sb.st_mode)) {
      ok &= ct_check_dir(path, files, events);
    } else if (ends_with(e->d_name, ".json")) {
      ok &= ct_check_file(path, events);
      (*files)++;
    }
  }
  closedir(d);
  return ok;
}

TW_TEST(cloudtrail_sample) {
  size_t events = 0;
  TW_CHECK(ct_check_file(DATA_DIR "cloudtrail-sample.json", &events));
  TW_CHECK_EQ_INT(events, 3);
}

TW_TEST(cloudtrail_real_data) {
  const char *dir = getenv("TW_CLOUDTRAIL_DIR");
  if (!dir)
    dir = "/work/shared/data/cloudtrail";
  struct stat sb;
  if (stat(dir, &sb) != 0) {
    printf("cloudtrail: %s not found, real-data test skipped\n", dir);
    return;
  }
  size_t files = 0, events = 0;
  TW_CHECK(ct_check_dir(dir, &files, &events));
  printf("cloudtrail: %zu files, %zu events checked against jansson\n", files,
         events);
  TW_CHECK(files > 0 && events > 0);
}

#endif /* TW_JSON_BENCH_BASELINE */

/* ------------------------------------------------------------------ */
/* Throughput (TW_JSON_BENCH)                                          */
/* ------------------------------------------------------------------ */

/*
 * TW_JSON_BENCH=<file> [TW_JSON_BENCH_REPEAT=n] test_json: for each code
 * path, CPU time of one pass over the documents of the file, validating
 * only and with a 4-path plan; best of n interleaved rounds. Compiled with
 * -DTW_JSON_BENCH_BASELINE against an older reader (one without code
 * paths, see docs/json-reader.md) it measures tw_json_scan the same way.
 */
#ifdef TW_JSON_BENCH_BASELINE
#define BENCH_PATHS 1
static int bench_available(int s) { return s == 0; }
static const char *bench_name(int s) { return s ? NULL : "before"; }
static int bench_scan(int s, const tw_json_plan *plan, const char *doc,
                      size_t len, tw_json_visit_fn visit, void *ctx) {
  (void)s;
  return tw_json_scan(plan, doc, len, visit, ctx, NULL);
}
#else
#define BENCH_PATHS TW_JSON_SIMD_COUNT
static int bench_available(int s) {
  return tw_json_simd_available((tw_json_simd)s);
}
static const char *bench_name(int s) { return tw_json_simd_name((tw_json_simd)s); }
static int bench_scan(int s, const tw_json_plan *plan, const char *doc,
                      size_t len, tw_json_visit_fn visit, void *ctx) {
  return tw_json_scan_simd((tw_json_simd)s, plan, doc, len, visit, ctx, NULL);
}
#endif

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bench_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  (void)id;
  *(size_t *)ctx += v->len;
  return 0;
}

/* The documents of the file: the texts of a JSON text sequence (RFC 7464,
 * each one after a 0x1E byte, e.g. from jq --seq), else the whole file
 * when it is one JSON text, else each non-empty line (NDJSON). */
typedef struct bench_docs {
  char *text;
  size_t len, n, cap;
  size_t *off; /* n + 1 entries: doc i is [off[i], off[i + 1] - 1) */
  int whole;
  char sep;
} bench_docs;

static int bench_load(const char *file, bench_docs *d) {
  memset(d, 0, sizeof *d);
  d->text = slurp(file, &d->len);
  if (!d->text)
    return -1;
  d->sep = memchr(d->text, 0x1E, d->len) ? 0x1E : '\n';
  d->whole = d->sep == '\n' &&
             tw_json_scan(NULL, d->text, d->len, NULL, NULL, NULL) == TW_OK;
  size_t pos = 0;
  while (pos <= d->len) {
    const char *nl = d->whole ? NULL : memchr(d->text + pos, d->sep, d->len - pos);
    size_t e = nl ? (size_t)(nl - d->text) : d->len;
    if (d->n + 2 > d->cap) {
      d->cap = d->cap ? d->cap * 2 : 1024;
      size_t *off = realloc(d->off, d->cap * sizeof *off);
      if (!off)
        return -1;
      d->off = off;
    }
    if (e > pos)
      d->off[d->n++] = pos;
    d->off[d->n] = e + 1;
    pos = e + 1;
  }
  return 0;
}

/* CPU seconds for one pass over every document on path s. */
static double bench_pass(const bench_docs *d, int s, const tw_json_plan *plan,
                         size_t *acc, size_t *bad) {
  double t = cpu_seconds();
  for (size_t i = 0; i < d->n; i++) {
    const char *doc = d->text + d->off[i];
    size_t len = d->off[i + 1] - 1 - d->off[i];
    if (bench_scan(s, plan, doc, len, plan ? bench_visit : NULL, acc) != TW_OK)
      (*bad)++;
  }
  return cpu_seconds() - t;
}

static int run_bench(const char *file) {
  bench_docs d;
  if (bench_load(file, &d) != 0) {
    fprintf(stderr, "bench: cannot read %s\n", file);
    free(d.text);
    free(d.off);
    return 2;
  }
  if (d.n == 0) {
    fprintf(stderr, "bench: no documents in %s\n", file);
    free(d.text);
    free(d.off);
    return 2;
  }
  const char *rep = getenv("TW_JSON_BENCH_REPEAT");
  int reps = rep && atoi(rep) > 0 ? atoi(rep) : 5;
  /* NDJSON lines are events; a whole file is {"Records":[...]} or [...] */
  const char *pre = !d.whole ? "$"
                    : d.n && d.text[d.off[0]] == '{' ? "$.Records[*]"
                                                     : "$[*]";
  static const char *const leaves[] = {".eventName", ".userIdentity.type",
                                       ".sourceIPAddress", ".errorCode"};
  tw_json_plan *plan = NULL;
  uint32_t id;
  tw_json_plan_new(&plan);
  for (size_t i = 0; plan && i < sizeof leaves / sizeof *leaves; i++) {
    char p[64];
    snprintf(p, sizeof p, "%s%s", pre, leaves[i]);
    add_path(plan, p, &id);
  }
  double best[BENCH_PATHS][2];
  size_t acc = 0, bad = 0;
  for (int r = 0; r < reps; r++)
    for (int s = 0; s < BENCH_PATHS; s++)
      for (int m = 0; m < 2 && bench_available(s); m++) {
        double t = bench_pass(&d, s, m ? plan : NULL, &acc, &bad);
        if (r == 0 || t < best[s][m])
          best[s][m] = t;
      }
  printf("%s: %zu %s, %.1f MB; best of %d rounds, CPU time\n", file, d.n,
         d.whole ? "document" : d.sep == '\n' ? "NDJSON lines" : "sequence texts",
         (double)d.len / 1e6, reps);
  printf("%-8s %14s %18s\n", "path", "validate MB/s", "4-path plan MB/s");
  for (int s = 0; s < BENCH_PATHS; s++)
    if (bench_available(s))
      printf("%-8s %14.0f %18.0f\n", bench_name(s),
             (double)d.len / best[s][0] / 1e6, (double)d.len / best[s][1] / 1e6);
  if (bad)
    printf("(%zu scans failed: not every document is valid JSON)\n", bad);
  tw_json_plan_free(plan);
  free(d.off);
  free(d.text);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Driver: every test once per code path                               */
/* ------------------------------------------------------------------ */

int main(void) {
  const char *bench = getenv("TW_JSON_BENCH");
  if (bench && *bench)
    return run_bench(bench);
#ifdef TW_JSON_BENCH_BASELINE
  fprintf(stderr, "benchmark build: set TW_JSON_BENCH=<file>\n");
  return 2;
#else
  int passed = 0, failed = 0;
  for (int s = 0; s < TW_JSON_SIMD_COUNT; s++) {
    const char *name = tw_json_simd_name((tw_json_simd)s);
    if (!tw_json_simd_available((tw_json_simd)s)) {
      printf("== path %s: not available here, skipped\n", name);
      continue;
    }
    printf("== path %s\n", name);
    test_path = (tw_json_simd)s;
    for (int i = 0; i < tw_ntests_; i++) {
      tw_test_failed_ = 0;
      tw_tests_[i].fn();
      if (tw_test_failed_) {
        fprintf(stderr, "FAIL %s [%s]\n", tw_tests_[i].name, name);
        failed++;
      } else {
        passed++;
      }
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
#endif
}
