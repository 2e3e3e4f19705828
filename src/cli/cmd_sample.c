/*
 * cmd_sample.c — `trailwatch sample`: write deterministic synthetic
 * CloudTrail events, either as NDJSON (one compact event per line, for
 * benchmarks and tests) or, with --archive, as a demo archive in
 * CloudTrail's S3 layout with scripted incidents (docs/sample.md). The
 * generators are in src/sample/; this file only parses the options, opens
 * the output and reports progress or a summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sample/sample.h"

/* Declared in cli.h once the command is in the dispatch table; repeated
 * here so this file compiles warning-free on its own. */
int tw_cmd_sample(int argc, char **argv);

static const char usage_text[] =
    "usage: trailwatch sample --events N [--seed S] [--start TIME] [--days D] [--out FILE]\n"
    "       trailwatch sample --archive DIR [--days D] [--seed S] [--start TIME]\n"
    "                         [--events-per-day N]\n"
    "\n"
    "Write N synthetic CloudTrail management events as NDJSON, one compact JSON\n"
    "event per line, with the structure and eventName mix of real trails: mostly\n"
    "read-only Describe/Get/List calls, errors, assumed and service-linked roles,\n"
    "IAM users, console sign-ins, AwsServiceEvents, and rare CIS-relevant changes\n"
    "(every eventName of the CIS monitoring filters appears in 20,000 events).\n"
    "\n"
    "With --archive, write a demo archive instead: gzipped CloudTrail log objects\n"
    "in the S3 layout CloudTrail delivers, one per region and 5-minute window\n"
    "(DIR/AWSLogs/111122223333/CloudTrail/REGION/YYYY/MM/DD/*.json.gz; us-east-1,\n"
    "eu-west-1, us-west-2, ap-southeast-2), hourly digest files under\n"
    "CloudTrail-Digest/, quiet background traffic on a day/night curve, and five\n"
    "scripted incidents that rules/seed.yaml and rules/cis.yaml catch: alice\n"
    "assuming TemporaryAdminRole, a service-linked role denied on S3, a console\n"
    "sign-in without MFA and a SwitchRole, StopLogging on the trail, and SSH\n"
    "opened to 0.0.0.0/0 in eu-west-1 (docs/sample.md lists every event).\n"
    "\n"
    "The same options always produce byte-identical output.\n"
    "\n"
    "  --events N          number of events (suffixes k, M, G: x1000)\n"
    "  --archive DIR       write the demo archive under DIR (must not hold an\n"
    "                      AWSLogs/ folder yet)\n"
    "  --seed S            random seed (default 1)\n"
    "  --start TIME        NDJSON: eventTime of the first event; archive: start of\n"
    "                      day 1; YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (default\n"
    "                      2024-03-01, archive 2026-11-02)\n"
    "  --days D            NDJSON: spread events evenly over D days (default 7);\n"
    "                      archive: days of traffic, 1 to 366 (default 2)\n"
    "  --events-per-day N  archive: background events per day (default 20000,\n"
    "                      at most 10M)\n"
    "  --out FILE          NDJSON output file; - for standard output (default -)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Progress is shown on standard error when it is a terminal; --archive prints\n"
    "a one-line summary.\n"
    "Exit status: 0 success, 2 usage error, 3 I/O failure.\n";

struct sample_args {
  tw_sample_opts opts;          /* NDJSON */
  tw_sample_archive_opts arch;  /* --archive */
  const char *out, *archive;
  const char *days_text;        /* --days as given, or NULL */
  uint64_t days;
  int64_t start;
  int have_events, have_start, have_out, have_per_day;
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
  if (!strcmp(opt, "--events")) {
    if (parse_count(val, &a->opts.events))
      return usage_error("invalid --events '%s'", val);
    a->have_events = 1;
  } else if (!strcmp(opt, "--seed")) {
    if (parse_count(val, &a->opts.seed))
      return usage_error("invalid --seed '%s'", val);
    a->arch.seed = a->opts.seed;
  } else if (!strcmp(opt, "--start")) {
    if (tw_sample_parse_time(val, &a->start))
      return usage_error("invalid --start '%s' (want YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", val);
    a->have_start = 1;
  } else if (!strcmp(opt, "--days")) {
    if (parse_count(val, &a->days) || a->days == 0 || a->days > 36500)
      return usage_error("invalid --days '%s' (1 to 36500)", val);
    a->days_text = val;
  } else if (!strcmp(opt, "--out")) {
    a->out = val;
    a->have_out = 1;
  } else if (!strcmp(opt, "--archive")) {
    if (!*val)
      return usage_error("%s", "--archive needs a directory");
    a->archive = val;
  } else if (!strcmp(opt, "--events-per-day")) {
    if (parse_count(val, &a->arch.events_per_day) ||
        a->arch.events_per_day > TW_SAMPLE_ARCHIVE_MAX_PER_DAY)
      return usage_error("invalid --events-per-day '%s' (0 to 10M)", val);
    a->have_per_day = 1;
  } else {
    return usage_error("unknown option '%s'", opt);
  }
  return TW_EXIT_OK;
}

/* Check the combination of options and fill the chosen mode's options. */
static int finish_args(struct sample_args *a) {
  if (a->archive) {
    if (a->have_events)
      return usage_error("%s", "--events and --archive are alternatives");
    if (a->have_out)
      return usage_error("%s", "--out goes with --events (--archive writes under its DIR)");
    if (a->days_text && a->days > TW_SAMPLE_ARCHIVE_MAX_DAYS)
      return usage_error("invalid --days '%s' (1 to 366 with --archive)", a->days_text);
    if (a->days_text)
      a->arch.days = (uint32_t)a->days;
    if (a->have_start)
      a->arch.start = a->start;
    return -1;
  }
  if (!a->have_events)
    return usage_error("%s", "missing --events N (or --archive DIR)");
  if (a->have_per_day)
    return usage_error("%s", "--events-per-day goes with --archive");
  if (a->days_text)
    a->opts.span = (int64_t)a->days * 86400;
  if (a->have_start)
    a->opts.start = a->start;
  return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct sample_args *a) {
  tw_sample_opts_init(&a->opts);
  tw_sample_archive_opts_init(&a->arch);
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
  return finish_args(a);
}

static void progress(void *ctx, uint64_t events, uint64_t bytes) {
  const struct sample_args *a = ctx;
  fprintf(stderr, "\rtrailwatch sample: %" PRIu64 " / %" PRIu64 " events, %" PRIu64 " MiB",
          events, a->opts.events, bytes >> 20);
  if (events == a->opts.events)
    fputc('\n', stderr);
}

/* "5.2 MB" style size. */
static void print_size(uint64_t bytes) {
  if (bytes >= 1000000)
    printf("%" PRIu64 ".%" PRIu64 " MB", bytes / 1000000, bytes / 100000 % 10);
  else
    printf("%" PRIu64 " kB", (bytes + 999) / 1000);
}

static int write_archive(const struct sample_args *a) {
  char probe[4096];
  struct stat sb;
  snprintf(probe, sizeof probe, "%s/AWSLogs", a->archive);
  if (stat(probe, &sb) == 0) {
    fprintf(stderr, "trailwatch sample: '%s' already exists; choose a new directory or "
                    "remove it first\n", probe);
    return TW_EXIT_USAGE;
  }
  tw_sample_archive_stats st;
  int rc = tw_sample_archive_write(a->archive, &a->arch, &st);
  if (rc == TW_EIO) {
    fprintf(stderr, "trailwatch sample: writing '%s' failed: %s\n", st.path, strerror(errno));
    return TW_EXIT_FAILURE;
  }
  if (rc) {
    fprintf(stderr, "trailwatch sample: writing the archive failed: %s\n", tw_strerror(rc));
    return rc == TW_EINVAL ? TW_EXIT_USAGE : TW_EXIT_FAILURE;
  }
  printf("trailwatch sample: wrote %" PRIu64 " events (%" PRIu64 " from incidents; %" PRIu64
         " not logged while the trail was stopped) in %" PRIu64 " log files and %" PRIu64
         " digest files, ",
         st.events, st.incident_events, st.unlogged, st.log_files, st.digest_files);
  print_size(st.bytes);
  printf(", under %s/AWSLogs/\n", a->archive);
  return TW_EXIT_OK;
}

int tw_cmd_sample(int argc, char **argv) {
  struct sample_args a = {0};
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0)
    return rc;
  if (a.archive)
    return write_archive(&a);
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
