/*
 * cmd_lint.c — `trailwatch lint`: check filter patterns. Errors show a caret
 * under the column; warnings flag constructs whose AWS behaviour is
 * uncertain (DECISIONS.md) and common mistakes (the CIS 1.4 '||' erratum).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "trailwatch.h"

static const char usage_text[] =
    "usage: trailwatch lint [--no-aws-limits] [--werror] [--quiet] PATTERN...\n"
    "       trailwatch lint [options] -        (one pattern per line on stdin)\n"
    "\n"
    "Check CloudWatch Logs filter patterns. Invalid patterns are reported with\n"
    "the column and what was expected; warnings name constructs whose AWS\n"
    "behaviour is uncertain and how trailwatch decides them.\n"
    "\n"
    "  --no-aws-limits   do not enforce AWS's quotas (1024 characters,\n"
    "                    2 regular expressions, 3 wildcard selectors)\n"
    "  --werror          exit 1 when any pattern has warnings\n"
    "  --quiet           print nothing for patterns that are fine\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 all valid, 1 warnings with --werror, 2 an invalid pattern\n"
    "or usage error.\n";

struct opts {
  unsigned flags;
  int werror, quiet;
  int invalid, warned;
};

static void lint_one(struct opts *o, const char *text) {
  tw_pattern *p;
  tw_error err;
  if (tw_pattern_compile(text, strlen(text), o->flags, &p, &err)) {
    tw_cli_pattern_error(stdout, "error", text, &err);
    o->invalid++;
    return;
  }
  size_t nw = tw_pattern_warning_count(p);
  if (nw == 0 && !o->quiet)
    printf("ok: %s\n", text);
  for (size_t i = 0; i < nw; i++) {
    size_t col;
    const char *w = tw_pattern_warning(p, i, &col);
    printf("warning, column %zu: %s\n", col, w);
    if (col && !strchr(text, '\n'))
      tw_cli_caret(stdout, text, col);
  }
  o->warned += nw > 0;
  tw_pattern_free(p);
}

int tw_cmd_lint(int argc, char **argv) {
  struct opts o = {0};
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "--no-aws-limits")) o.flags |= TW_PATTERN_NO_AWS_LIMITS;
    else if (!strcmp(argv[i], "--werror")) o.werror = 1;
    else if (!strcmp(argv[i], "--quiet")) o.quiet = 1;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { fputs(usage_text, stdout); return 0; }
    else if (!strcmp(argv[i], "--")) { i++; break; }
    else { fprintf(stderr, "trailwatch lint: unknown option '%s'\n\n%s", argv[i], usage_text); return TW_EXIT_USAGE; }
  }
  if (i >= argc) {
    fprintf(stderr, "trailwatch lint: missing PATTERN\n\n%s", usage_text);
    return TW_EXIT_USAGE;
  }
  for (; i < argc; i++) {
    if (strcmp(argv[i], "-") != 0) {
      lint_one(&o, argv[i]);
      continue;
    }
    char *line = NULL;
    size_t cap = 0;
    while (tw_cli_getline(&line, &cap, stdin) >= 0)
      lint_one(&o, line);
    free(line);
  }
  if (o.invalid)
    return TW_EXIT_USAGE;
  return o.werror && o.warned ? TW_EXIT_NOMATCH : TW_EXIT_OK;
}
