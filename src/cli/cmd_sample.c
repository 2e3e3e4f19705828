/*
 * cmd_sample.c — `trailwatch sample`: write deterministic synthetic
 * CloudTrail events as NDJSON (one compact event per line) for benchmarks
 * and tests. The generator itself is src/sample/; this file only parses the
 * options, opens the output and reports progress on a terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sample/sample.h"

/* Declared in cli.h once the command is in the dispatch table; repeated
 * here so this file compiles warning-free on its own. */
int tw_cmd_sample(int argc, char **argv);

static const char usage_text[] =
    "usage: trailwatch sample --events N [--seed S] [--start TIME] [--days D] [--out FILE]\n"
    "\n"
    "Write N synthetic CloudTrail management events as NDJSON, one compact JSON\n"
    "event per line, with the structure and eventName mix of real trails: mostly\n"
    "read-only Describe/Get/List calls, errors, assumed and service-linked roles,\n"
    "IAM users, console sign-ins, AwsServiceEvents, and rare CIS-relevant changes\n"
    "(every eventName of the CIS monitoring filters appears in 20,000 events).\n"
    "The same options always produce byte-identical output.\n"
    "\n"
    "  --events N    number of events (suffixes k, M, G: x1000); required\n"
    "  --seed S      random seed (default 1)\n"
    "  --start TIME  eventTime of the first event, YYYY-MM-DD or\n"
    "                YYYY-MM-DDTHH:MM:SSZ (default 2024-03-01)\n"
    "  --days D      spread events evenly over D days (default 7)\n"
    "  --out FILE    output file; - for standard output (default -)\n"
    "  -h, --help    show this help\n"
    "\n"
    "Progress is shown on standard error when it is a terminal.\n"
    "Exit status: 0 success, 2 usage error, 3 I/O failure.\n";

struct sample_args {
  tw_sample_opts opts;
  const char *out;
  int have_events;
};

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "trailwatch sample: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n\n%s", usage_text);
  return TW_EXIT_USAGE;
}

/* Decimal integer with an optional k/M/G (x1000) suffix. */
static int parse_count(const char *s, uint64_t *out) {
  char *end;
  if (*s < '0' || *s > '9')
    return TW_EINVAL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  uint64_t mul = 1;
  if (*end == 'k' || *end == 'K')
    mul = 1000, end++;
  else if (*end == 'M')
    mul = 1000000, end++;
  else if (*end == 'G')
    mul = 1000000000, end++;
  if (errno || *end || v > UINT64_MAX / mul)
    return TW_EINVAL;
  *out = v * mul;
  return TW_OK;
}

static int parse_one(struct sample_args *a, const char *opt, const char *val) {
  uint64_t n;
  if (!strcmp(opt, "--events")) {
    if (parse_count(val, &a->opts.events))
      return usage_error("invalid --events '%s'", val);
    a->have_events = 1;
  } else if (!strcmp(opt, "--seed")) {
    if (parse_count(val, &a->opts.seed))
      return usage_error("invalid --seed '%s'", val);
  } else if (!strcmp(opt, "--start")) {
    if (tw_sample_parse_time(val, &a->opts.start))
      return usage_error("invalid --start '%s' (want YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", val);
  } else if (!strcmp(opt, "--days")) {
    if (parse_count(val, &n) || n == 0 || n > 36500)
      return usage_error("invalid --days '%s' (1 to 36500)", val);
    a->opts.span = (int64_t)n * 86400;
  } else if (!strcmp(opt, "--out")) {
    a->out = val;
  } else {
    return usage_error("unknown option '%s'", opt);
  }
  return TW_EXIT_OK;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct sample_args *a) {
  tw_sample_opts_init(&a->opts);
  a->out = "-";
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      fputs(usage_text, stdout);
      return TW_EXIT_OK;
    }
    const char *eq = strchr(arg, '=');
    char opt[32];
    if (arg[0] == '-' && arg[1] == '-' && eq && (size_t)(eq - arg) < sizeof opt) {
      memcpy(opt, arg, (size_t)(eq - arg));
      opt[eq - arg] = 0;
      int rc = parse_one(a, opt, eq + 1);
      if (rc != TW_EXIT_OK)
        return rc;
      continue;
    }
    if (arg[0] != '-' || i + 1 >= argc)
      return usage_error(arg[0] == '-' ? "option '%s' needs a value" : "unexpected argument '%s'",
                         arg);
    int rc = parse_one(a, arg, argv[++i]);
    if (rc != TW_EXIT_OK)
      return rc;
  }
  if (!a->have_events)
    return usage_error("%s", "missing --events N");
  return -1;
}

static void progress(void *ctx, uint64_t events, uint64_t bytes) {
  const struct sample_args *a = ctx;
  fprintf(stderr, "\rtrailwatch sample: %" PRIu64 " / %" PRIu64 " events, %" PRIu64 " MiB",
          events, a->opts.events, bytes >> 20);
  if (events == a->opts.events)
    fputc('\n', stderr);
}

int tw_cmd_sample(int argc, char **argv) {
  struct sample_args a = {0};
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0)
    return rc;
  int to_stdout = !strcmp(a.out, "-");
  FILE *f = to_stdout ? stdout : fopen(a.out, "wb");
  if (!f) {
    fprintf(stderr, "trailwatch sample: cannot open '%s': %s\n", a.out, strerror(errno));
    return TW_EXIT_FAILURE;
  }
  uint64_t bytes = 0;
  rc = tw_sample_write(f, &a.opts, isatty(STDERR_FILENO) ? progress : NULL, &a, &bytes);
  int err = errno;
  if (!to_stdout && fclose(f) && rc == TW_OK)
    rc = TW_EIO, err = errno;
  if (rc) {
    fprintf(stderr, "trailwatch sample: writing '%s' failed: %s\n", a.out,
            rc == TW_EIO ? strerror(err) : tw_strerror(rc));
    return TW_EXIT_FAILURE;
  }
  return TW_EXIT_OK;
}
