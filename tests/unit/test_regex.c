/*
 * test_regex.c — unit tests for the CloudWatch Logs regex subset
 * (src/pattern/regex.c).
 *
 * 1. tests/data/regex_cases.txt: one case per line (match, no match, or
 *    compile error with column and message substring).
 * 2. API edge cases and limits (NULLs, 1000 repetitions, 4096 positions,
 *    long subjects in linear time).
 * 3. With PCRE2 (TW_HAVE_PCRE2): differential tests. Random regexes from
 *    the subset grammar and random byte strings that our compiler accepts
 *    are translated to equivalent PCRE2 patterns and both engines must
 *    agree on random subjects.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pattern/regex.h"
#include "tw_test.h"

#ifdef TW_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

#define CASES_FILE "tests/data/regex_cases.txt"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static int compile_ok(const char *body, size_t len, tw_regex **re) {
  tw_error err;
  memset(&err, 0, sizeof err);
  int rc = tw_regex_compile(body, len, re, &err);
  if (rc != 0)
    fprintf(stderr, "unexpected compile error for '%.*s': %s (col %zu)\n", (int)len, body,
            err.message, err.column);
  return rc == 0;
}

/* 1/0 match, or -1 if the regex does not compile. */
static int match_str(const char *body, const char *subject) {
  tw_regex *re = NULL;
  if (!compile_ok(body, strlen(body), &re))
    return -1;
  int r = tw_regex_search(re, subject, strlen(subject));
  tw_regex_free(re);
  return r;
}

/* Decode "{0xHH}" escapes of the case file in place; returns new length. */
static size_t decode_field(char *s) {
  size_t r = 0, w = 0;
  while (s[r]) {
    unsigned v;
    if (strncmp(s + r, "{0x", 3) == 0 && s[r + 3] && s[r + 4] && s[r + 5] == '}' &&
        sscanf(s + r + 3, "%2x", &v) == 1) {
      s[w++] = (char)v;
      r += 6;
    } else {
      s[w++] = s[r++];
    }
  }
  s[w] = '\0';
  return w;
}

/* Split line at tabs into at most max fields. */
static int split_tabs(char *line, char **f, int max) {
  int n = 0;
  f[n++] = line;
  for (char *p = line; *p && n < max; p++) {
    if (*p == '\t') {
      *p = '\0';
      f[n++] = p + 1;
    }
  }
  return n;
}

/* ------------------------------------------------------------------ */
/* Data-driven cases                                                    */
/* ------------------------------------------------------------------ */

static int run_match_case(int lineno, char kind, char *rx, char *subj) {
  size_t rlen = decode_field(rx), slen = decode_field(subj);
  tw_regex *re = NULL;
  tw_error err;
  memset(&err, 0, sizeof err);
  if (tw_regex_compile(rx, rlen, &re, &err) != 0) {
    fprintf(stderr, "line %d: '%s' failed to compile: %s\n", lineno, rx, err.message);
    return 0;
  }
  int want = kind == 'M', got = tw_regex_search(re, subj, slen);
  int again = tw_regex_search(re, subj, slen);
  tw_regex_free(re);
  if (got != want || again != got) {
    fprintf(stderr, "line %d: '%s' vs '%s': got %d, want %d\n", lineno, rx, subj, got, want);
    return 0;
  }
  return 1;
}

static int run_error_case(int lineno, char *rx, const char *col, const char *msg) {
  size_t rlen = decode_field(rx);
  tw_regex *re = NULL;
  tw_error err;
  memset(&err, 0, sizeof err);
  int rc = tw_regex_compile(rx, rlen, &re, &err);
  if (rc == 0) {
    tw_regex_free(re);
    fprintf(stderr, "line %d: '%s' compiled, expected error '%s'\n", lineno, rx, msg);
    return 0;
  }
  if (rc >= 0 || err.code != rc || re != NULL) {
    fprintf(stderr, "line %d: bad status %d / code %d\n", lineno, rc, err.code);
    return 0;
  }
  if (err.column != (size_t)strtoul(col, NULL, 10) || !strstr(err.message, msg)) {
    fprintf(stderr, "line %d: '%s': got col %zu '%s', want col %s '%s'\n", lineno, rx,
            err.column, err.message, col, msg);
    return 0;
  }
  return 1;
}

static int run_case_line(int lineno, char *line, int *counts) {
  char *f[5];
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  if (n == 0 || line[0] == '#')
    return 1;
  int nf = split_tabs(line, f, 5);
  char kind = f[0][0];
  if ((kind == 'M' || kind == 'N') && nf == 3 && f[0][1] == '\0') {
    counts[0]++;
    return run_match_case(lineno, kind, f[1], f[2]);
  }
  if (kind == 'E' && nf == 4 && f[0][1] == '\0') {
    counts[1]++;
    return run_error_case(lineno, f[1], f[2], f[3]);
  }
  fprintf(stderr, "line %d: malformed case line\n", lineno);
  return 0;
}

TW_TEST(data_driven_cases) {
  FILE *fp = fopen(CASES_FILE, "r");
  TW_CHECK(fp != NULL);
  if (!fp)
    return;
  char line[8192];
  int lineno = 0, counts[2] = {0, 0};
  while (fgets(line, sizeof line, fp)) {
    lineno++;
    TW_CHECK(run_case_line(lineno, line, counts));
  }
  fclose(fp);
  printf("regex case file: %d match cases, %d error cases\n", counts[0], counts[1]);
  TW_CHECK(counts[0] >= 150);
  TW_CHECK(counts[1] >= 60);
}

/* ------------------------------------------------------------------ */
/* API edge cases and limits                                            */
/* ------------------------------------------------------------------ */

TW_TEST(api_arguments) {
  tw_regex *re = NULL;
  tw_error err;
  TW_CHECK_EQ_INT(tw_regex_compile("a", 1, NULL, &err), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_regex_compile(NULL, 3, &re, &err), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_regex_compile(NULL, 0, &re, &err), TW_ESYNTAX);
  TW_CHECK_EQ_INT(tw_regex_compile("a(", 2, &re, NULL), TW_ESYNTAX);
  TW_CHECK(re == NULL);
  TW_CHECK_EQ_INT(tw_regex_search(NULL, "a", 1), 0);
  tw_regex_free(NULL);
  /* body need not be NUL-terminated: only len bytes are read */
  TW_CHECK_EQ_INT(tw_regex_compile("ab(", 2, &re, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_regex_search(re, "xaby", 4), 1);
  TW_CHECK_EQ_INT(tw_regex_search(re, "xab", 2), 0);
  TW_CHECK_EQ_INT(tw_regex_search(re, NULL, 0), 0);
  tw_regex_free(re);
}

TW_TEST(error_codes) {
  tw_regex *re = NULL;
  tw_error err;
  TW_CHECK_EQ_INT(tw_regex_compile("a{1001}", 7, &re, &err), TW_ELIMIT);
  TW_CHECK_EQ_INT(err.code, TW_ELIMIT);
  TW_CHECK_EQ_INT(tw_regex_compile("a{2", 3, &re, &err), TW_ESYNTAX);
  TW_CHECK_EQ_INT(err.column, 2);
  TW_CHECK_EQ_STR(err.message,
                  "invalid repetition: expected {m}, {m,}, {,n} or {m,n}; use \\{ for a literal '{'");
  TW_CHECK_EQ_INT(tw_regex_compile("ab(", 3, &re, &err), TW_ESYNTAX);
  TW_CHECK_EQ_STR(err.message, "unsupported character '(' in regex; use \\x28");
  TW_CHECK_EQ_INT(err.column, 3);
}

TW_TEST(repetition_limits) {
  tw_regex *re = NULL;
  TW_CHECK(compile_ok("a{1000}", 7, &re));
  char *s = malloc(1001);
  memset(s, 'a', 1001);
  TW_CHECK_EQ_INT(tw_regex_search(re, s, 999), 0);
  TW_CHECK_EQ_INT(tw_regex_search(re, s, 1000), 1);
  TW_CHECK_EQ_INT(tw_regex_search(re, s, 1001), 1);
  tw_regex_free(re);
  TW_CHECK(compile_ok("^a{0,1000}$", 11, &re));
  TW_CHECK_EQ_INT(tw_regex_search(re, s, 1000), 1);
  TW_CHECK_EQ_INT(tw_regex_search(re, s, 1001), 0);
  TW_CHECK_EQ_INT(tw_regex_search(re, s, 0), 1);
  tw_regex_free(re);
  free(s);
}

TW_TEST(position_limit) {
  const char *ok = "a{1000}b{1000}c{1000}d{1000}e{95}f";
  const char *big = "a{1000}b{1000}c{1000}d{1000}e{96}f";
  tw_regex *re = NULL;
  tw_error err;
  TW_CHECK(compile_ok(ok, strlen(ok), &re));
  tw_regex_free(re);
  re = NULL;
  TW_CHECK_EQ_INT(tw_regex_compile(big, strlen(big), &re, &err), TW_ELIMIT);
  TW_CHECK(strstr(err.message, "regex too large") != NULL);
  TW_CHECK_EQ_INT(err.column, 34);
  TW_CHECK(re == NULL);
  /* a maximal regex still matches correctly at the far end */
  TW_CHECK(compile_ok(ok, strlen(ok), &re));
  size_t n = 4096 + 2;
  char *s = malloc(n);
  size_t k = 0;
  s[k++] = 'x';
  for (char c = 'a'; c <= 'd'; c++)
    for (int j = 0; j < 1000; j++)
      s[k++] = c;
  for (int j = 0; j < 95; j++)
    s[k++] = 'e';
  s[k++] = 'f';
  TW_CHECK_EQ_INT(tw_regex_search(re, s, k), 1);
  s[k - 1] = 'g';
  TW_CHECK_EQ_INT(tw_regex_search(re, s, k), 0);
  tw_regex_free(re);
  free(s);
}

/* Patterns that make backtracking engines explode run in linear time. */
TW_TEST(linear_time) {
  static const char *const pats[] = {"a*a*a*a*a*a*a*a*b", "(?:)", "a{0,50}a{50}b",
                                     "[^x]*[^y]*[^z]*q$", ".*.*.*=", "\\w+\\s+\\w+\\s+X"};
  size_t n = 1u << 20;
  char *s = malloc(n);
  memset(s, 'a', n);
  clock_t t0 = clock();
  for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
    tw_regex *re = NULL;
    tw_error err;
    if (tw_regex_compile(pats[k], strlen(pats[k]), &re, &err) != 0)
      continue; /* "(?:)" is rejected: groups are not supported */
    TW_CHECK_EQ_INT(tw_regex_search(re, s, n), 0);
    tw_regex_free(re);
  }
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  printf("linear_time: 5 x 1 MiB searches in %.2fs\n", secs);
  /* a backtracking engine would not finish: no time assertion (benchmarks measure speed) */
  free(s);
}

TW_TEST(documented_examples) {
  TW_CHECK_EQ_INT(match_str("[Ee]rror|[Ff]ail", "Connection failed"), 1);
  TW_CHECK_EQ_INT(match_str("[Ee]rror|[Ff]ail", "ERROR"), 0);
  TW_CHECK_EQ_INT(match_str("^starting|^initializing|^shutting down",
                            "skipping initializing database"), 0);
  TW_CHECK_EQ_INT(match_str("^starting|^initializing|^shutting down", "shutting down now"), 1);
  TW_CHECK_EQ_INT(match_str("AUTHORIZED", "UNAUTHORIZED"), 1);
  TW_CHECK_EQ_INT(match_str("10.10.0.1", "10010,051"), 1);
  TW_CHECK_EQ_INT(match_str("10\\.10\\.0\\.1", "10010,051"), 0);
}

/* ------------------------------------------------------------------ */
/* Differential tests against PCRE2                                     */
/* ------------------------------------------------------------------ */

#ifdef TW_HAVE_PCRE2

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rng_next(rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static unsigned rng_below(rng *r, unsigned n) { return (unsigned)(rng_next(r) % n); }

/* Two growing strings: our regex and its PCRE2 translation. */
typedef struct pair {
  char ours[512], pcre[4096];
  size_t no, np;
} pair;

static void put(pair *p, const char *ours, const char *pcre) {
  size_t a = strlen(ours), b = strlen(pcre);
  if (p->no + a < sizeof p->ours && p->np + b < sizeof p->pcre) {
    memcpy(p->ours + p->no, ours, a + 1);
    memcpy(p->pcre + p->np, pcre, b + 1);
    p->no += a;
    p->np += b;
  }
}

static const char LIT_CHARS[] = "abc01 :_-#=@/;,";
static const char OPERATORS[] = "^$?[]{}|\\*+.";
static const char SUBJ_CHARS[] = "abc01 :_-.\n\t[]\\^$*";

static unsigned pick_literal(rng *r) {
  if (rng_below(r, 8) == 0)
    return 'A' + rng_below(r, 26);
  return (unsigned char)LIT_CHARS[rng_below(r, sizeof LIT_CHARS - 1)];
}

/* A literal byte: plain, escaped operator, \xhh or \t \n \r. */
static void gen_literal(rng *r, pair *p, int in_class) {
  char o[8], q[16];
  unsigned kind = rng_below(r, 10), c;
  if (kind < 6) {
    c = pick_literal(r); /* inside a class '-' is escaped: no accidental ranges */
    snprintf(o, sizeof o, in_class && c == '-' ? "\\%c" : "%c", (int)c);
  } else if (kind < 8) {
    c = (unsigned char)OPERATORS[rng_below(r, sizeof OPERATORS - 1)];
    snprintf(o, sizeof o, "\\%c", (int)c);
  } else if (kind < 9) {
    c = rng_below(r, 3) ? pick_literal(r) : rng_below(r, 256);
    snprintf(o, sizeof o, rng_below(r, 2) ? "\\x%02X" : "\\x%02x", c);
  } else {
    static const char esc[] = "tnr", val[] = "\t\n\r";
    unsigned k = rng_below(r, 3);
    c = (unsigned char)val[k];
    snprintf(o, sizeof o, "\\%c", esc[k]);
  }
  snprintf(q, sizeof q, "\\x{%02x}", c);
  put(p, o, q);
}

static void gen_class_escape(rng *r, pair *p) {
  static const char cls[] = "dDsSwW";
  char o[4] = {'\\', cls[rng_below(r, 6)], 0, 0};
  put(p, o, o);
}

static void gen_range(rng *r, pair *p) {
  static const char lo_hi[][3] = {"az", "AZ", "09", "ac", "0b", "#/", "_z", " 0"};
  const char *rg = lo_hi[rng_below(r, 8)];
  char o[8], q[32];
  snprintf(o, sizeof o, "%c-%c", rg[0], rg[1]);
  snprintf(q, sizeof q, "\\x{%02x}-\\x{%02x}", (unsigned)rg[0], (unsigned)rg[1]);
  put(p, o, q);
}

static void gen_class(rng *r, pair *p) {
  int neg = rng_below(r, 3) == 0;
  put(p, neg ? "[^" : "[", neg ? "[^" : "[");
  unsigned n = 1 + rng_below(r, 3);
  for (unsigned k = 0; k < n; k++) {
    unsigned kind = rng_below(r, 4);
    if (kind == 0)
      gen_class_escape(r, p);
    else if (kind == 1)
      gen_range(r, p);
    else
      gen_literal(r, p, 1);
  }
  put(p, "]", "]");
}

static void gen_atom(rng *r, pair *p) {
  unsigned kind = rng_below(r, 10);
  if (kind < 5)
    gen_literal(r, p, 0);
  else if (kind < 6)
    put(p, ".", ".");
  else if (kind < 7)
    gen_class_escape(r, p);
  else
    gen_class(r, p);
}

static void gen_quant(rng *r, pair *p) {
  char o[32], q[32];
  unsigned kind = rng_below(r, 16), m = rng_below(r, 4), n = m + rng_below(r, 4);
  if (rng_below(r, 12) == 0) { /* occasionally cross the 64-position word size */
    m = rng_below(r, 70);
    n = m + rng_below(r, 70);
  }
  if (kind < 7)
    return;
  if (kind < 12) {
    o[0] = "?*+??*+"[kind - 7 + rng_below(r, 2)];
    o[1] = 0;
    put(p, o, o);
    return;
  }
  if (kind == 12)
    snprintf(o, sizeof o, "{%u}", m), snprintf(q, sizeof q, "{%u}", m);
  else if (kind == 13)
    snprintf(o, sizeof o, "{%u,}", m), snprintf(q, sizeof q, "{%u,}", m);
  else if (kind == 14)
    snprintf(o, sizeof o, "{,%u}", n), snprintf(q, sizeof q, "{0,%u}", n);
  else
    snprintf(o, sizeof o, "{%u,%u}", m, n), snprintf(q, sizeof q, "{%u,%u}", m, n);
  put(p, o, q);
}

static void gen_anchor(rng *r, pair *p) {
  if (rng_below(r, 2))
    put(p, "^", "\\A");
  else
    put(p, "$", "\\z");
}

static void gen_alternative(rng *r, pair *p) {
  unsigned n = 1 + rng_below(r, 5);
  if (rng_below(r, 4) == 0)
    put(p, "^", "\\A");
  for (unsigned k = 0; k < n; k++) {
    if (rng_below(r, 14) == 0)
      gen_anchor(r, p);
    gen_atom(r, p);
    gen_quant(r, p);
  }
  if (rng_below(r, 4) == 0)
    put(p, "$", "\\z");
}

static void gen_regex(rng *r, pair *p) {
  memset(p, 0, sizeof *p);
  unsigned n = 1 + (rng_below(r, 3) == 0 ? rng_below(r, 3) : 0);
  for (unsigned k = 0; k < n; k++) {
    if (k)
      put(p, "|", "|");
    gen_alternative(r, p);
  }
}

static size_t gen_subject(rng *r, unsigned char *s, size_t max) {
  size_t n = rng_below(r, (unsigned)max);
  for (size_t k = 0; k < n; k++) {
    unsigned kind = rng_below(r, 10);
    if (kind < 8)
      s[k] = (unsigned char)SUBJ_CHARS[rng_below(r, sizeof SUBJ_CHARS - 1)];
    else if (kind < 9)
      s[k] = (unsigned char)('A' + rng_below(r, 26));
    else
      s[k] = (unsigned char)rng_below(r, 256);
  }
  return n;
}

/* Subjects built from the regex's own bytes match more often. */
static size_t gen_subject_from(rng *r, const char *rx, unsigned char *s, size_t max) {
  size_t n = gen_subject(r, s, max), rl = strlen(rx);
  for (size_t k = 0; k < n && rl; k++)
    if (rng_below(r, 2))
      s[k] = (unsigned char)rx[rng_below(r, (unsigned)rl)];
  if (n && rng_below(r, 4) == 0)
    for (size_t k = 0; k < n; k++)
      s[k] = 'a';
  return n;
}

typedef struct diff_stats {
  long compared, matched, skipped, mismatches;
} diff_stats;

static pcre2_code *pcre_compile_or_report(const char *pat) {
  int ec;
  PCRE2_SIZE off;
  pcre2_code *code =
      pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_DOTALL, &ec, &off, NULL);
  if (!code)
    fprintf(stderr, "PCRE2 rejected translation '%s' (error %d at %zu)\n", pat, ec, (size_t)off);
  return code;
}

/* Compare both engines on one subject. */
static void compare_one(const tw_regex *re, pcre2_code *code, pcre2_match_data *md,
                        const char *ours, const unsigned char *s, size_t n, diff_stats *st) {
  int rc = pcre2_match(code, s, n, 0, 0, md, NULL);
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
    st->skipped++;
    return;
  }
  int want = rc >= 0, got = tw_regex_search(re, (const char *)s, n);
  st->compared++;
  st->matched += want;
  if (got != want) {
    if (st->mismatches++ < 10) {
      fprintf(stderr, "MISMATCH regex '%s' subject '", ours);
      for (size_t k = 0; k < n; k++)
        fprintf(stderr, s[k] >= 32 && s[k] < 127 ? "%c" : "{0x%02X}", s[k]);
      fprintf(stderr, "': ours %d, pcre2 %d\n", got, want);
    }
  }
}

static void compare_regex(const char *ours, const char *pat, rng *r, int nsubj, diff_stats *st) {
  tw_regex *re = NULL;
  if (!compile_ok(ours, strlen(ours), &re)) {
    st->mismatches++;
    return;
  }
  pcre2_code *code = pcre_compile_or_report(pat);
  if (!code) {
    st->mismatches++;
    tw_regex_free(re);
    return;
  }
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
  unsigned char s[200];
  for (int k = 0; k < nsubj; k++) {
    size_t n = k & 1 ? gen_subject(r, s, 40) : gen_subject_from(r, ours, s, k % 3 ? 40 : 200);
    compare_one(re, code, md, ours, s, n, st);
  }
  pcre2_match_data_free(md);
  pcre2_code_free(code);
  tw_regex_free(re);
}

TW_TEST(differential_pcre2_grammar) {
  rng r = {20240611u};
  diff_stats st = {0, 0, 0, 0};
  pair p;
  int nregex = 4000;
  for (int k = 0; k < nregex; k++) {
    gen_regex(&r, &p);
    compare_regex(p.ours, p.pcre, &r, 12, &st);
  }
  printf("differential (grammar): %d regexes, %ld comparisons (%ld matches), %ld skipped, "
         "%ld mismatches\n",
         nregex, st.compared, st.matched, st.skipped, st.mismatches);
  TW_CHECK_EQ_INT(st.mismatches, 0);
  TW_CHECK(st.matched > st.compared / 10);
  TW_CHECK(st.compared - st.matched > st.compared / 10);
}

/* Translate a body our compiler accepted into PCRE2 syntax: ^ -> \A and
 * $ -> \z outside classes, {,n} -> {0,n}; everything else is the same. */
static void translate_raw(const char *s, char *out, size_t cap) {
  size_t o = 0;
  int in_class = 0;
  for (size_t i = 0; s[i] && o + 8 < cap; i++) {
    char c = s[i];
    if (c == '\\') {
      out[o++] = c;
      out[o++] = s[++i];
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      if (in_class && !isalnum((unsigned char)c) && c != ' ' && c != '-')
        out[o++] = '\\'; /* PCRE2 reads "[." "[:" "[=" as POSIX syntax */
      out[o++] = c;
    } else if (c == '^' || c == '$') {
      out[o++] = '\\';
      out[o++] = c == '^' ? 'A' : 'z';
    } else {
      in_class = c == '[';
      out[o++] = c;
      if (c == '[' && s[i + 1] == '^')
        out[o++] = s[++i];
      if (c == '{' && s[i + 1] == ',')
        out[o++] = '0';
    }
  }
  out[o] = '\0';
}

TW_TEST(differential_pcre2_raw) {
  static const char alphabet[] = "ab0 :-^$?[]{}|\\*+.,2dswDxA3";
  rng r = {7u};
  diff_stats st = {0, 0, 0, 0};
  long tried = 0, accepted = 0;
  char body[16], pat[64];
  for (tried = 0; tried < 60000; tried++) {
    size_t n = 1 + rng_below(&r, 10);
    for (size_t k = 0; k < n; k++)
      body[k] = alphabet[rng_below(&r, sizeof alphabet - 1)];
    body[n] = '\0';
    tw_regex *re = NULL;
    tw_error err;
    if (tw_regex_compile(body, n, &re, &err) != 0)
      continue;
    tw_regex_free(re);
    accepted++;
    translate_raw(body, pat, sizeof pat);
    compare_regex(body, pat, &r, 8, &st);
  }
  printf("differential (raw): %ld random bodies, %ld accepted, %ld comparisons (%ld matches), "
         "%ld skipped, %ld mismatches\n",
         tried, accepted, st.compared, st.matched, st.skipped, st.mismatches);
  TW_CHECK_EQ_INT(st.mismatches, 0);
  TW_CHECK(accepted > 1000);
}

#endif /* TW_HAVE_PCRE2 */

int main(void) { return tw_test_run(); }
