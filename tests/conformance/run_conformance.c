/*
 * run_conformance.c — the data-driven conformance runner.
 *
 * Reads every *.jsonl file in the directory given as argv[1]; each line is
 * one case (see tests/conformance/README.md):
 *   match case:      {"id","pattern","message","match", "extracted"?}
 *   invalid pattern: {"id","pattern","invalid_pattern":true, "error_column"?}
 *   transformation:  {"id","pattern","message","metricValue","dimensions"?,
 *                     "defaultValue"?,"expect","value"?,"dimension_values"?}
 * deviations.tsv (id TAB reason) lists deliberate deviations from a
 * vector's expectation (docs/compatibility.md): for those the runner
 * expects the opposite match result, so a silent change is still caught.
 * Prints failures and the closing line "N passed, N failed".
 */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trailwatch.h"

struct stats {
  int passed, failed;
};

static char **deviations;
static size_t ndeviations;

static void load_deviations(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/deviations.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n')
      continue;
    line[strcspn(line, "\t\n")] = '\0';
    deviations = realloc(deviations, (ndeviations + 1) * sizeof *deviations);
    deviations[ndeviations++] = strdup(line);
  }
  fclose(f);
}

static int is_deviation(const char *id) {
  for (size_t i = 0; i < ndeviations; i++)
    if (!strcmp(deviations[i], id))
      return 1;
  return 0;
}

static void fail(struct stats *st, const char *file, const char *id, const char *fmt,
                 const char *a, const char *b) {
  fprintf(stderr, "FAIL %s %s: ", file, id);
  fprintf(stderr, fmt, a ? a : "", b ? b : "");
  fputc('\n', stderr);
  st->failed++;
}

static json_t *extracted_of(const tw_match *m) {
  json_t *obj = json_object();
  for (size_t i = 0; i < tw_match_extracted_count(m); i++) {
    const char *k, *v;
    size_t kl, vl;
    tw_match_extracted(m, i, &k, &kl, &v, &vl);
    json_object_setn_new_nocheck(obj, k, kl, json_stringn_nocheck(v, vl));
  }
  return obj;
}

static void run_invalid(struct stats *st, const char *file, const char *id, json_t *c,
                        const char *pattern) {
  tw_pattern *p;
  tw_error err = {0};
  if (tw_pattern_compile(pattern, strlen(pattern), 0, &p, &err) == TW_OK) {
    tw_pattern_free(p);
    fail(st, file, id, "pattern %s was accepted; expected it to be rejected%s", pattern, NULL);
    return;
  }
  json_t *col = json_object_get(c, "error_column");
  if (json_is_integer(col) && (size_t)json_integer_value(col) != err.column) {
    char want[64], got[320];
    snprintf(want, sizeof want, "%lld", (long long)json_integer_value(col));
    snprintf(got, sizeof got, "%zu (%s)", err.column, err.message);
    fail(st, file, id, "error column: want %s, got %s", want, got);
    return;
  }
  st->passed++;
}

static void run_match(struct stats *st, const char *file, const char *id, json_t *c,
                      const char *pattern) {
  const char *msg = json_string_value(json_object_get(c, "message"));
  size_t msg_len = json_string_length(json_object_get(c, "message"));
  int want = json_is_true(json_object_get(c, "match"));
  if (!msg) {
    fail(st, file, id, "case has no message%s%s", NULL, NULL);
    return;
  }
  if (is_deviation(id))
    want = !want;
  tw_pattern *p;
  tw_error err = {0};
  if (tw_pattern_compile(pattern, strlen(pattern), 0, &p, &err) != TW_OK) {
    fail(st, file, id, "pattern rejected: %s (%s)", pattern, err.message);
    return;
  }
  tw_match *m;
  int got = 0;
  tw_match_new(&m);
  tw_pattern_match(p, msg, msg_len, m, &got);
  json_t *ext = json_object_get(c, "extracted");
  if (got != want) {
    fail(st, file, id, "match: want %s, got the opposite (pattern %s)", want ? "true" : "false",
         pattern);
  } else if (got && ext && !is_deviation(id)) {
    json_t *have = extracted_of(m);
    if (!json_equal(have, ext)) {
      char *a = json_dumps(ext, JSON_COMPACT | JSON_SORT_KEYS);
      char *b = json_dumps(have, JSON_COMPACT | JSON_SORT_KEYS);
      fail(st, file, id, "extracted: want %s, got %s", a, b);
      free(a);
      free(b);
    } else {
      st->passed++;
    }
    json_decref(have);
  } else {
    st->passed++;
  }
  tw_match_free(m);
  tw_pattern_free(p);
}

static const char *status_name(tw_extract_status s) {
  return s == TW_EXTRACT_OK ? "ok" : s == TW_EXTRACT_SKIP_VALUE ? "skip_value" : "skip_dimension";
}

/* Compare a transformation's outcome with the case's expectations. */
static void check_transform(struct stats *st, const char *file, const char *id, json_t *c,
                            const tw_transform *t, tw_match *m, const char *msg, size_t len) {
  const char *expect = json_string_value(json_object_get(c, "expect"));
  double value = 0;
  tw_extract_status s;
  tw_transform_apply(t, msg, len, m, &value, &s);
  if (strcmp(expect, status_name(s)) != 0) {
    fail(st, file, id, "transform: want %s, got %s", expect, status_name(s));
    return;
  }
  if (s == TW_EXTRACT_OK && json_is_number(json_object_get(c, "value")) &&
      fabs(json_number_value(json_object_get(c, "value")) - value) > 1e-9) {
    char got[64];
    snprintf(got, sizeof got, "%.17g", value);
    fail(st, file, id, "value: got %s%s", got, NULL);
    return;
  }
  json_t *dv = json_object_get(c, "dimension_values");
  if (s == TW_EXTRACT_OK && dv) {
    json_t *have = json_object();
    for (size_t i = 0; i < tw_transform_dimension_count(t); i++) {
      const char *name, *v;
      size_t vl;
      tw_transform_dimension(t, m, i, &name, &v, &vl);
      json_object_set_new(have, name, json_stringn_nocheck(v, vl));
    }
    int same = json_equal(have, dv);
    char *b = json_dumps(have, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(have);
    if (!same) {
      fail(st, file, id, "dimension values: got %s%s", b, NULL);
      free(b);
      return;
    }
    free(b);
  }
  st->passed++;
}

static void run_transform(struct stats *st, const char *file, const char *id, json_t *c,
                          const char *pattern) {
  const char *mv = json_string_value(json_object_get(c, "metricValue"));
  const char *expect = json_string_value(json_object_get(c, "expect"));
  const char *msg = json_string_value(json_object_get(c, "message"));
  size_t len = json_string_length(json_object_get(c, "message"));
  if (!mv || !expect) {
    fail(st, file, id, "transform case needs metricValue and expect%s%s", NULL, NULL);
    return;
  }
  const char *names[8], *tokens[8];
  size_t nd = 0;
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(c, "dimensions"), k, v) {
    if (nd < 8) {
      names[nd] = k;
      tokens[nd++] = json_string_value(v);
    }
  }
  int has_default = json_object_get(c, "defaultValue") != NULL;
  tw_pattern *p;
  tw_transform *t = NULL;
  tw_error err = {0};
  int rc = tw_pattern_compile(pattern, strlen(pattern), 0, &p, &err);
  if (rc) {
    fail(st, file, id, "pattern rejected: %s (%s)", pattern, err.message);
    return;
  }
  rc = tw_transform_compile(p, mv, names, tokens, nd, has_default, &t, &err);
  if (!strcmp(expect, "invalid")) {
    if (rc == TW_OK)
      fail(st, file, id, "transformation %s accepted; expected invalid%s", mv, NULL);
    else
      st->passed++;
  } else if (rc) {
    fail(st, file, id, "transformation rejected: %s%s", err.message, NULL);
  } else {
    tw_match *m;
    int matched = 0;
    tw_match_new(&m);
    tw_pattern_match(p, msg ? msg : "", msg ? len : 0, m, &matched);
    if (!matched)
      fail(st, file, id, "message does not match pattern %s%s", pattern, NULL);
    else
      check_transform(st, file, id, c, t, m, msg, len);
    tw_match_free(m);
  }
  tw_transform_free(t);
  tw_pattern_free(p);
}

static void run_case(struct stats *st, const char *file, json_t *c) {
  const char *id = json_string_value(json_object_get(c, "id"));
  const char *pattern = json_string_value(json_object_get(c, "pattern"));
  if (!id || !pattern) {
    fail(st, file, id ? id : "?", "case needs id and pattern%s%s", NULL, NULL);
    return;
  }
  if (json_object_get(c, "metricValue"))
    run_transform(st, file, id, c, pattern);
  else if (json_is_true(json_object_get(c, "invalid_pattern")))
    run_invalid(st, file, id, c, pattern);
  else
    run_match(st, file, id, c, pattern);
}

static void run_file(struct stats *st, const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    fail(st, name, "-", "cannot open %s%s", path, NULL);
    return;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int lineno = 0, before = st->passed + st->failed;
  while ((n = getline(&line, &cap, f)) > 0) {
    lineno++;
    json_error_t jerr;
    json_t *c = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(c)) {
      char where[64];
      snprintf(where, sizeof where, "line %d", lineno);
      fail(st, name, where, "not a JSON object: %s%s", jerr.text, NULL);
    } else {
      run_case(st, name, c);
    }
    json_decref(c);
  }
  free(line);
  fclose(f);
  printf("%-24s %d cases\n", name, st->passed + st->failed - before);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "tests/conformance";
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "run_conformance: cannot open %s\n", dir);
    return 2;
  }
  load_deviations(dir);
  char *names[256];
  size_t nn = 0;
  struct dirent *e;
  while ((e = readdir(d)) && nn < 256) {
    size_t l = strlen(e->d_name);
    if (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl"))
      names[nn++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, nn, sizeof *names, cmp_names);
  struct stats st = {0};
  for (size_t i = 0; i < nn; i++) {
    run_file(&st, dir, names[i]);
    free(names[i]);
  }
  for (size_t i = 0; i < ndeviations; i++)
    free(deviations[i]);
  free(deviations);
  printf("%d passed, %d failed\n", st.passed, st.failed);
  return st.failed || st.passed == 0 ? 1 : 0;
}
