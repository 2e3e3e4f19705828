/*
 * fuzz_pattern.c — libFuzzer target for the filter-pattern compiler and
 * evaluator. Input: the first line is the pattern, every further line is a
 * message. The first byte's low bit chooses whether AWS limits apply. Each
 * compiled pattern is matched against every message (with and without
 * extraction, which must agree), linted, and given a metric transformation.
 * A filter set of the pattern (its prefilter and value gate, on both the
 * scanning and the fused path) must give the same answer as the pattern.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "trailwatch.h"

/* The set's answer for msg, on the scanning path and, when msg is a JSON
 * object, on the fused path; both must equal want. */
static void check_set(const tw_filter_set *fs, tw_filter_scratch *s, const char *msg,
                      size_t len, int want) {
  unsigned char got = 2;
  if (tw_filter_set_eval(fs, msg, len, s, &got) != TW_OK)
    return; /* out of memory */
  if (got != (unsigned char)want)
    abort();
  tw_json_type root = TW_JSON_NULL;
  if (tw_json_scan(NULL, msg, len, NULL, NULL, &root) != TW_OK || root != TW_JSON_OBJECT)
    return;
  got = 2;
  if (tw_filter_scratch_begin(fs, s) != TW_OK ||
      tw_json_scan(tw_filter_set_plan((tw_filter_set *)fs), msg, len, tw_filter_scratch_visit, s,
                   NULL) != TW_OK ||
      tw_filter_set_eval_collected(fs, msg, len, s, &got) != TW_OK)
    return;
  if (got != (unsigned char)want)
    abort();
}

static void check_transform(const tw_pattern *p, const char *msg, size_t len, tw_match *m) {
  static const char *const values[] = {"1", "$.a", "$.a.b[0]", "$1", "$f", "$2"};
  static const char *const names[] = {"D"};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    tw_transform *t;
    const char *tok[] = {values[i]};
    int nd = values[i][0] == '$';
    if (tw_transform_compile(p, values[i], names, tok, (size_t)nd, 0, &t, NULL) != TW_OK)
      continue;
    double v;
    tw_extract_status st;
    if (tw_transform_apply(t, msg, len, m, &v, &st) == TW_OK && st == TW_EXTRACT_OK && nd) {
      const char *name, *val;
      size_t vl;
      if (tw_transform_dimension(t, m, 0, &name, &val, &vl) != TW_OK)
        abort();
    }
    tw_transform_free(t);
    /* the transformation reuses m's scratch: redo the match before the next one */
    int again;
    tw_pattern_match(p, msg, len, m, &again);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  unsigned flags = (data[0] & 1) ? TW_PATTERN_NO_AWS_LIMITS : 0;
  const char *s = (const char *)data + 1;
  size_t n = size - 1;
  const char *nl = memchr(s, '\n', n);
  size_t plen = nl ? (size_t)(nl - s) : n;
  tw_pattern *p;
  if (tw_pattern_compile(s, plen, flags, &p, NULL) != TW_OK)
    return 0;
  for (size_t i = 0; i < tw_pattern_warning_count(p); i++)
    if (!tw_pattern_warning(p, i, NULL))
      abort();
  tw_match *m;
  if (tw_match_new(&m) != TW_OK) {
    tw_pattern_free(p);
    return 0;
  }
  tw_filter_set *fs = NULL;
  tw_filter_scratch *fsc = NULL;
  const tw_pattern *one[1] = {p};
  if (tw_filter_set_new(one, 1, &fs, NULL) == TW_OK && tw_filter_scratch_new(fs, &fsc) != TW_OK) {
    tw_filter_set_free(fs);
    fs = NULL;
  }
  const char *msg = nl ? nl + 1 : s + n;
  const char *end = s + n;
  while (msg <= end) {
    const char *e = memchr(msg, '\n', (size_t)(end - msg));
    size_t len = e ? (size_t)(e - msg) : (size_t)(end - msg);
    /* copy so ASan sees the exact message bounds */
    char *copy = malloc(len ? len : 1);
    memcpy(copy, msg, len);
    int a = 0, b = 0;
    tw_pattern_match(p, copy, len, NULL, &a);
    tw_pattern_match(p, copy, len, m, &b);
    if (a != b)
      abort();
    if (fs)
      check_set(fs, fsc, copy, len, a);
    if (b)
      check_transform(p, copy, len, m);
    free(copy);
    if (!e)
      break;
    msg = e + 1;
  }
  tw_filter_scratch_free(fsc);
  tw_filter_set_free(fs);
  tw_match_free(m);
  tw_pattern_free(p);
  return 0;
}
