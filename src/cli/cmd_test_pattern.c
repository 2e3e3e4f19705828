/*
 * cmd_test_pattern.c — `trailwatch test-pattern`: test a filter pattern
 * against log messages offline, like `aws logs test-metric-filter`.
 *
 * Messages come from the arguments, or one per line from standard input.
 * --json prints exactly the TestMetricFilter response shape (eventNumber is
 * 1-based, D7). Exit status like grep: 0 matched, 1 none, 2 invalid input.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "trailwatch.h"

static const char usage_text[] =
    "usage: trailwatch test-pattern [--json] [--no-aws-limits] PATTERN [MESSAGE...]\n"
    "\n"
    "Test a CloudWatch Logs filter pattern against log event messages, offline,\n"
    "the way `aws logs test-metric-filter` does. Messages are taken from the\n"
    "arguments, or read one per line from standard input when none are given.\n"
    "\n"
    "  --json            print the TestMetricFilter response:\n"
    "                    {\"matches\":[{\"eventNumber\":1,\"eventMessage\":...,\"extractedValues\":{...}}]}\n"
    "                    (eventNumber counts messages from 1)\n"
    "  --no-aws-limits   accept patterns over AWS's quotas (1024 characters,\n"
    "                    2 regular expressions, 3 wildcard selectors)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 when at least one message matched, 1 when none did,\n"
    "2 for an invalid pattern or usage error, 3 on failure.\n";

struct run {
  const tw_pattern *pat;
  tw_match *m;
  int json;
  json_t *matches;
  long number;
  long nmatched;
};

static json_t *extracted_json(const tw_match *m) {
  json_t *obj = json_object();
  for (size_t i = 0; obj && i < tw_match_extracted_count(m); i++) {
    const char *k, *v;
    size_t kl, vl;
    tw_match_extracted(m, i, &k, &kl, &v, &vl);
    json_object_setn_new_nocheck(obj, k, kl, json_stringn_nocheck(v, vl));
  }
  return obj;
}

static void print_text(const struct run *r, const char *msg, size_t len, int matched) {
  printf("%-4ld %-8s %.*s%s\n", r->number, matched ? "MATCH" : "-",
         (int)(len > 120 ? 117 : len), msg, len > 120 ? "..." : "");
  if (!matched)
    return;
  for (size_t i = 0; i < tw_match_extracted_count(r->m); i++) {
    const char *k, *v;
    size_t kl, vl;
    tw_match_extracted(r->m, i, &k, &kl, &v, &vl);
    printf("              %.*s = %.*s\n", (int)kl, k, (int)vl, v);
  }
}

static int test_one(struct run *r, const char *msg, size_t len) {
  int matched;
  r->number++;
  if (tw_pattern_match(r->pat, msg, len, r->m, &matched) != TW_OK) {
    fprintf(stderr, "trailwatch: out of memory\n");
    return TW_EXIT_FAILURE;
  }
  r->nmatched += matched;
  if (!r->json) {
    print_text(r, msg, len, matched);
    return TW_EXIT_OK;
  }
  if (matched) {
    json_t *one = json_object();
    json_object_set_new(one, "eventNumber", json_integer(r->number));
    json_object_set_new(one, "eventMessage", json_stringn_nocheck(msg, len));
    json_object_set_new(one, "extractedValues", extracted_json(r->m));
    json_array_append_new(r->matches, one);
  }
  return TW_EXIT_OK;
}

static int finish(struct run *r) {
  if (r->json) {
    json_t *out = json_pack("{s:O}", "matches", r->matches);
    char *s = out ? json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    if (!s)
      return TW_EXIT_FAILURE;
    puts(s);
    free(s);
    json_decref(out);
  } else {
    printf("%ld of %ld message%s matched\n", r->nmatched, r->number, r->number == 1 ? "" : "s");
  }
  return r->nmatched ? TW_EXIT_OK : TW_EXIT_NOMATCH;
}

int tw_cmd_test_pattern(int argc, char **argv) {
  int json = 0, i = 1;
  unsigned flags = 0;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "--json")) json = 1;
    else if (!strcmp(argv[i], "--no-aws-limits")) flags |= TW_PATTERN_NO_AWS_LIMITS;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { fputs(usage_text, stdout); return 0; }
    else if (!strcmp(argv[i], "--")) { i++; break; }
    else { fprintf(stderr, "trailwatch test-pattern: unknown option '%s'\n\n%s", argv[i], usage_text); return TW_EXIT_USAGE; }
  }
  if (i >= argc) {
    fprintf(stderr, "trailwatch test-pattern: missing PATTERN\n\n%s", usage_text);
    return TW_EXIT_USAGE;
  }
  const char *text = argv[i++];
  tw_pattern *pat;
  tw_error err;
  if (tw_pattern_compile(text, strlen(text), flags, &pat, &err)) {
    tw_cli_pattern_error(stderr, "trailwatch test-pattern", text, &err);
    return TW_EXIT_USAGE;
  }
  struct run r = {.pat = pat, .json = json, .matches = json_array()};
  int rc = tw_match_new(&r.m) ? TW_EXIT_FAILURE : TW_EXIT_OK;
  if (i < argc) {
    for (; !rc && i < argc; i++)
      rc = test_one(&r, argv[i], strlen(argv[i]));
  } else {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!rc && (n = tw_cli_getline(&line, &cap, stdin)) >= 0)
      rc = test_one(&r, line, (size_t)n);
    free(line);
  }
  if (!rc)
    rc = finish(&r);
  json_decref(r.matches);
  tw_match_free(r.m);
  tw_pattern_free(pat);
  return rc;
}
