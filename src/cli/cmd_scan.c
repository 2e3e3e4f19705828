/*
 * cmd_scan.c — `trailwatch scan`: backtest metric filters and alarms over
 * CloudTrail archives and log files, on all cores. Options and output
 * here; the pipeline is src/scan/ (ingest -> match -> metrics -> alarms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/scan_report.h"
#include "scan/scan.h"
#include "util/util.h"

#ifndef TW_RULES_DIR
#define TW_RULES_DIR "rules"
#endif

static const char usage_text[] =
    "usage: trailwatch scan [--config FILE]... [--rules NAME[,NAME]] [--parameter K=V]...\n"
    "                       [--from TIME] [--to TIME] [--log-group NAME] [--threads N]\n"
    "                       [--format table|json] [--strict] [--events-per-alarm N]\n"
    "                       [--notify [--account ID] [--region CODE]] INPUT...\n"
    "\n"
    "Backtest metric filters and CloudWatch alarms over CloudTrail events: every\n"
    "time each alarm would have fired, and exactly which events fired it.\n"
    "\n"
    "INPUT is a file, a directory (read recursively, e.g. an S3 bucket synced to\n"
    "disk with its AWSLogs/... layout) or - for standard input. Content decides the\n"
    "format: CloudTrail objects {\"Records\":[...]} (plain or .gz), JSON arrays of\n"
    "events, NDJSON, `aws logs filter-log-events` output, CloudWatch Logs\n"
    "subscription payloads, EventBridge envelopes (see docs/inputs.md).\n"
    "\n"
    "  --config FILE        YAML/JSON with metricFilters (PutMetricFilter shape),\n"
    "                       MetricAlarms (PutMetricAlarm shape), targets; or a\n"
    "                       CloudFormation template (docs/config.md); repeatable\n"
    "  --rules NAME[,NAME]  bundled rule packs: seed, cis (docs/rules.md)\n"
    "  --parameter K=V      value for ${K} in rule packs / template parameters\n"
    "  --from/--to TIME     only events in [from, to): 2026-11-02, 2026-11-02T10:00Z, ...\n"
    "  --log-group NAME     the events' log group (default CloudTrail/DefaultLogGroup);\n"
    "                       only filters of that group apply\n"
    "  --threads N          worker threads (default: the number of cores); results are\n"
    "                       identical for every N\n"
    "  --format F           table (default) or json\n"
    "  --events-per-alarm N events kept per ALARM (default 10)\n"
    "  --strict             exit 3 when any input error occurred\n"
    "  --notify             deliver each state change's notification (the SNS alarm\n"
    "                       message plus the events, docs/notify.md) to the targets of\n"
    "                       its actions; without it a backtest only reports them\n"
    "  --account ID         account id in notifications (default 123456789012)\n"
    "  --region CODE        region in notifications (default us-east-1)\n"
    "  --no-progress        no progress line (it is shown only on a terminal anyway)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Bad input never stops a scan: it is reported on stderr (file, byte offset,\n"
    "reason), counted in the summary, and the rest is processed.\n"
    "Exit status: 0 success, 2 usage or configuration error, 3 input errors with\n"
    "--strict, or a failure.\n";

struct opts {
  tw_scan_opts scan;
  char **configs, **rules, **params, **inputs;
  size_t nconfigs, nrules, nparams, ninputs;
  int json, strict, no_progress, notify;
  const char *account, *region;
};

static int need_value(int i, int argc, const char *a) {
  if (i + 1 < argc)
    return 0;
  fprintf(stderr, "trailwatch scan: %s needs a value\n", a);
  return 1;
}

static int parse_number(const char *opt, const char *s, long lo, long hi, long *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end || v < lo || v > hi) {
    fprintf(stderr, "trailwatch scan: %s must be a number from %ld to %ld\n", opt, lo, hi);
    return 1;
  }
  *out = v;
  return 0;
}

static int parse_time(const char *opt, const char *s, int64_t *out) {
  if (tw_ingest_parse_time_arg(s, out) == TW_OK)
    return 0;
  fprintf(stderr, "trailwatch scan: %s: cannot read time '%s' (try 2026-11-02 or 2026-11-02T10:00:00Z)\n", opt, s);
  return 1;
}

static int parse_option(struct opts *o, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  long v;
  if (!strcmp(a, "--format")) {
    if (need_value(*i, argc, a)) return 1;
    const char *f = argv[++*i];
    if (strcmp(f, "json") && strcmp(f, "table")) {
      fprintf(stderr, "trailwatch scan: --format must be table or json\n");
      return 1;
    }
    o->json = !strcmp(f, "json");
  } else if (!strcmp(a, "--strict")) {
    o->strict = 1;
  } else if (!strcmp(a, "--no-progress")) {
    o->no_progress = 1;
  } else if (!strcmp(a, "--notify")) {
    o->notify = 1;
  } else if (!strcmp(a, "--account") || !strcmp(a, "--region")) {
    if (need_value(*i, argc, a)) return 1;
    if (a[2] == 'a')
      o->account = argv[++*i];
    else
      o->region = argv[++*i];
  } else if (!strcmp(a, "--threads")) {
    if (need_value(*i, argc, a) || parse_number(a, argv[++*i], 1, 1024, &v)) return 1;
    o->scan.threads = (int)v;
  } else if (!strcmp(a, "--events-per-alarm")) {
    if (need_value(*i, argc, a) || parse_number(a, argv[++*i], 1, 1000, &v)) return 1;
    o->scan.events_per_alarm = (size_t)v;
  } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
    if (need_value(*i, argc, a)) return 1;
    if (parse_time(a, argv[++*i], a[2] == 'f' ? &o->scan.from_ms : &o->scan.to_ms)) return 1;
  } else if (!strcmp(a, "--log-group")) {
    if (need_value(*i, argc, a)) return 1;
    o->scan.log_group = argv[++*i];
  } else if (!strcmp(a, "--config") || !strcmp(a, "--rules") || !strcmp(a, "--parameter")) {
    if (need_value(*i, argc, a)) return 1;
    char **list = a[2] == 'c' ? o->configs : a[2] == 'r' ? o->rules : o->params;
    size_t *n = a[2] == 'c' ? &o->nconfigs : a[2] == 'r' ? &o->nrules : &o->nparams;
    list[(*n)++] = argv[++*i];
  } else {
    fprintf(stderr, "trailwatch scan: unknown option '%s'\n\n%s", a, usage_text);
    return 1;
  }
  return 0;
}

static int parse_args(int argc, char **argv, struct opts *o) {
  tw_scan_opts_init(&o->scan);
  size_t n = (size_t)argc + 1;
  o->configs = calloc(n, sizeof *o->configs);
  o->rules = calloc(n, sizeof *o->rules);
  o->params = calloc(n, sizeof *o->params);
  o->inputs = calloc(n, sizeof *o->inputs);
  if (!o->configs || !o->rules || !o->params || !o->inputs)
    return TW_EXIT_FAILURE;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      return -1;
    }
    if (a[0] == '-' && a[1]) {
      if (parse_option(o, argc, argv, &i))
        return TW_EXIT_USAGE;
    } else {
      o->inputs[o->ninputs++] = argv[i];
    }
  }
  if (o->scan.from_ms != INT64_MIN && o->scan.to_ms != INT64_MAX && o->scan.from_ms >= o->scan.to_ms) {
    fprintf(stderr, "trailwatch scan: --from must be before --to\n");
    return TW_EXIT_USAGE;
  }
  if (!o->nconfigs && !o->nrules) {
    fprintf(stderr, "trailwatch scan: give --config FILE or --rules NAME\n\n%s", usage_text);
    return TW_EXIT_USAGE;
  }
  if (!o->ninputs) {
    fprintf(stderr, "trailwatch scan: missing INPUT\n\n%s", usage_text);
    return TW_EXIT_USAGE;
  }
  o->scan.inputs = (const char *const *)o->inputs;
  o->scan.ninputs = o->ninputs;
  o->scan.progress = !o->no_progress && isatty(2);
  return 0;
}

static int load_config(const struct opts *o, tw_config **out) {
  tw_error err = {0};
  tw_config_sources src = {(const char *const *)o->params, o->nparams,
                           (const char *const *)o->rules,  o->nrules,
                           (const char *const *)o->configs, o->nconfigs,
                           TW_RULES_DIR};
  int rc = tw_config_load_sources(&src, out, &err);
  if (rc) {
    fprintf(stderr, "trailwatch scan: %s\n", err.message);
    return rc == TW_ENOMEM ? TW_EXIT_FAILURE : TW_EXIT_USAGE;
  }
  return 0;
}

static void free_opts(struct opts *o) {
  free(o->configs);
  free(o->rules);
  free(o->params);
  free(o->inputs);
}

int tw_cmd_scan(int argc, char **argv) {
  struct opts o = {0};
  tw_config *cfg = NULL;
  int rc = parse_args(argc, argv, &o);
  if (!rc)
    rc = load_config(&o, &cfg);
  if (rc) {
    free_opts(&o);
    return rc < 0 ? TW_EXIT_OK : rc;
  }
  tw_scan_result res;
  tw_error err = {0};
  int src = tw_scan_run(cfg, &o.scan, &res, &err);
  if (src) {
    fprintf(stderr, "trailwatch scan: %s\n", err.message[0] ? err.message : tw_strerror(src));
    rc = TW_EXIT_FAILURE;
  } else if (o.json) {
    rc = tw_scan_print_json(cfg, &res) ? TW_EXIT_FAILURE : TW_EXIT_OK;
  } else {
    tw_scan_print_table(cfg, &res);
  }
  if (!src && o.notify) {
    tw_scan_notify_stats ns;
    if (tw_scan_notify(cfg, &res, o.account ? o.account : "123456789012",
                       o.region ? o.region : "us-east-1", &ns)) {
      fprintf(stderr, "trailwatch scan: out of memory while notifying\n");
      rc = TW_EXIT_FAILURE;
    }
    fprintf(stderr, "trailwatch scan: %zu notification deliveries, %zu failed\n", ns.delivered,
            ns.failed);
    if (ns.failed && !rc)
      rc = TW_EXIT_FAILURE;
  }
  if (!rc && o.strict && res.in.errors)
    rc = TW_EXIT_FAILURE;
  tw_scan_result_free(&res);
  tw_config_free(cfg);
  free_opts(&o);
  return rc;
}
