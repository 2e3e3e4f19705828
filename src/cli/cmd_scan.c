/*
 * cmd_scan.c — `trailwatch scan`: evaluate a set of metric filters over
 * NDJSON log events (one event message per line) in one pass, on all cores.
 *
 * The filters come from --config files (PutMetricFilter / describe-metric-
 * filters shape, src/config/). They are compiled into one tw_filter_set;
 * each input file is split at line boundaries into byte ranges that worker
 * threads process with their own scratch, so results are identical for any
 * --threads. Memory is bounded: each worker holds one read buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "ingest/lines.h"
#include "trailwatch.h"

#define MAX_EVENT (1u << 20) /* CloudWatch Logs: 1 MiB per event */
#define RANGE_MIN (8u << 20) /* do not split files into ranges smaller than this */
#define MAX_REPORTED 20      /* input errors printed; all are counted */

static const char usage_text[] =
    "usage: trailwatch scan --config FILE [--config FILE...] [--threads N]\n"
    "                       [--format table|json] INPUT...\n"
    "\n"
    "Evaluate metric filters over log events in one pass. Each INPUT is a file\n"
    "of newline-delimited events (one log event message per line, e.g. one\n"
    "CloudTrail event as JSON), or - for standard input. Every event belongs\n"
    "to every filter's log group.\n"
    "\n"
    "  --config FILE   YAML or JSON with `metricFilters:` in the PutMetricFilter /\n"
    "                  describe-metric-filters shape (repeatable; see docs/config.md)\n"
    "  --threads N     worker threads (default: the number of cores); results are\n"
    "                  identical for every N\n"
    "  --format F      table (default) or json:\n"
    "                  {\"summary\":{\"events\":N,\"bytes\":N,\"seconds\":S},\n"
    "                   \"filters\":[{\"filterName\":...,\"matches\":N}]}\n"
    "  -h, --help      show this help\n"
    "\n"
    "Lines longer than 1 MiB are reported on stderr and counted as errors.\n"
    "Exit status: 0 success, 2 usage or configuration error, 3 input error.\n";

typedef struct job {
  int fd;
  const char *path;
  int64_t begin, end;
} job;

typedef struct shared {
  const tw_filter_set *fs;
  size_t nf;
  job *jobs;
  size_t njobs;
  atomic_size_t next;
  atomic_int reported;
} shared;

typedef struct worker {
  shared *sh;
  pthread_t th;
  uint64_t *counts;
  uint64_t events, bytes, errors;
  int rc;
} worker;

static void report_oversized(shared *sh, const job *j, int64_t offset, size_t len) {
  if (atomic_fetch_add(&sh->reported, 1) < MAX_REPORTED)
    fprintf(stderr, "trailwatch scan: %s: byte %lld: event of %zu bytes is over the %u-byte limit; skipped\n",
            j->path, (long long)offset, len, MAX_EVENT);
}

static int run_job(worker *w, tw_filter_scratch *s, unsigned char *matched, const job *j) {
  tw_line_reader *r;
  if (tw_line_reader_new(j->fd, j->begin, j->end, MAX_EVENT, &r))
    return TW_ENOMEM;
  const char *line;
  size_t len;
  int64_t off;
  int rc, status = TW_OK;
  while ((rc = tw_line_reader_next(r, &line, &len, &off)) != 0) {
    if (rc == TW_ELIMIT) {
      w->errors++;
      report_oversized(w->sh, j, off, len);
      continue;
    }
    if (rc < 0) {
      fprintf(stderr, "trailwatch scan: %s: read error: %s\n", j->path, strerror(errno));
      status = TW_EIO;
      break;
    }
    if (len == 0)
      continue; /* blank line: no event */
    w->events++;
    if ((status = tw_filter_set_eval(w->sh->fs, line, len, s, matched)))
      break;
    for (size_t i = 0; i < w->sh->nf; i++)
      w->counts[i] += matched[i];
  }
  w->bytes += tw_line_reader_bytes(r);
  tw_line_reader_free(r);
  return status;
}

static void *worker_main(void *arg) {
  worker *w = arg;
  shared *sh = w->sh;
  tw_filter_scratch *s = NULL;
  unsigned char *matched = malloc(sh->nf ? sh->nf : 1);
  if (!matched || tw_filter_scratch_new(sh->fs, &s)) {
    w->rc = TW_ENOMEM;
  } else {
    size_t k;
    while (!w->rc && (k = atomic_fetch_add(&sh->next, 1)) < sh->njobs)
      w->rc = run_job(w, s, matched, &sh->jobs[k]);
  }
  tw_filter_scratch_free(s);
  free(matched);
  return NULL;
}

/* Split each input into byte ranges: about 4 per thread for big files. */
static int plan_jobs(char **inputs, size_t ninputs, int threads, job **out, size_t *nout) {
  size_t cap = ninputs * (size_t)threads * 4 + 1, n = 0;
  job *jobs = calloc(cap, sizeof *jobs);
  if (!jobs)
    return TW_ENOMEM;
  for (size_t i = 0; i < ninputs; i++) {
    int fd = strcmp(inputs[i], "-") ? open(inputs[i], O_RDONLY | O_CLOEXEC) : 0;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
      fprintf(stderr, "trailwatch scan: %s: %s\n", inputs[i], strerror(errno));
      for (size_t k = 0; k < n; k++)
        if (jobs[k].fd > 0 && (k == 0 || jobs[k].fd != jobs[k - 1].fd))
          close(jobs[k].fd);
      free(jobs);
      return TW_EIO;
    }
    int64_t size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    size_t parts = 1;
    if (size > 0 && threads > 1) {
      parts = (size_t)(size / RANGE_MIN) + 1;
      if (parts > (size_t)threads * 4)
        parts = (size_t)threads * 4;
    }
    for (size_t p = 0; p < parts; p++) {
      jobs[n].fd = fd;
      jobs[n].path = fd == 0 ? "(stdin)" : inputs[i];
      jobs[n].begin = parts == 1 ? 0 : size * (int64_t)p / (int64_t)parts;
      jobs[n].end = parts == 1 ? -1 : size * (int64_t)(p + 1) / (int64_t)parts;
      n++;
    }
  }
  *out = jobs;
  *nout = n;
  return TW_OK;
}

static void close_jobs(job *jobs, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (jobs[k].fd > 0 && (k == 0 || jobs[k].fd != jobs[k - 1].fd))
      close(jobs[k].fd);
  free(jobs);
}

static void print_table(const tw_config *cfg, const uint64_t *counts, uint64_t events,
                        uint64_t bytes, uint64_t errors, double secs) {
  size_t nf = tw_config_metric_filter_count(cfg), width = 6;
  for (size_t i = 0; i < nf; i++) {
    size_t l = strlen(tw_config_metric_filter(cfg, i)->filter_name);
    width = l > width ? l : width;
  }
  printf("%-*s  %12s\n", (int)width, "filter", "matches");
  for (size_t i = 0; i < nf; i++)
    printf("%-*s  %12llu\n", (int)width, tw_config_metric_filter(cfg, i)->filter_name,
           (unsigned long long)counts[i]);
  double mb = (double)bytes / 1e6;
  printf("\n%llu events, %.1f MB in %.2f s (%.0f MB/s, %.0f events/s)%s\n",
         (unsigned long long)events, mb, secs, secs > 0 ? mb / secs : 0,
         secs > 0 ? (double)events / secs : 0, errors ? "" : "");
  if (errors)
    printf("%llu input errors (see stderr)\n", (unsigned long long)errors);
}

static int print_json(const tw_config *cfg, const uint64_t *counts, uint64_t events,
                      uint64_t bytes, uint64_t errors, double secs) {
  json_t *filters = json_array();
  for (size_t i = 0; i < tw_config_metric_filter_count(cfg); i++)
    json_array_append_new(filters, json_pack("{s:s,s:I}", "filterName",
                                             tw_config_metric_filter(cfg, i)->filter_name,
                                             "matches", (json_int_t)counts[i]));
  json_t *out = json_pack("{s:{s:I,s:I,s:I,s:f},s:o}", "summary", "events", (json_int_t)events,
                          "bytes", (json_int_t)bytes, "errors", (json_int_t)errors, "seconds",
                          secs, "filters", filters);
  char *s = out ? json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
  json_decref(out);
  if (!s)
    return TW_EXIT_FAILURE;
  puts(s);
  free(s);
  return TW_EXIT_OK;
}

struct opts {
  char **configs, **inputs;
  size_t nconfigs, ninputs;
  int threads;
  int json;
};

static int parse_args(int argc, char **argv, struct opts *o) {
  o->configs = calloc((size_t)argc, sizeof *o->configs);
  o->inputs = calloc((size_t)argc, sizeof *o->inputs);
  long nproc = sysconf(_SC_NPROCESSORS_ONLN);
  o->threads = nproc > 0 ? (int)nproc : 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      return -1;
    } else if (!strcmp(a, "--config") && i + 1 < argc) {
      o->configs[o->nconfigs++] = argv[++i];
    } else if (!strcmp(a, "--threads") && i + 1 < argc) {
      char *end;
      long t = strtol(argv[++i], &end, 10);
      if (*end || t < 1 || t > 1024) {
        fprintf(stderr, "trailwatch scan: --threads must be a number from 1 to 1024\n");
        return TW_EXIT_USAGE;
      }
      o->threads = (int)t;
    } else if (!strcmp(a, "--format") && i + 1 < argc) {
      const char *f = argv[++i];
      if (strcmp(f, "json") && strcmp(f, "table")) {
        fprintf(stderr, "trailwatch scan: --format must be table or json\n");
        return TW_EXIT_USAGE;
      }
      o->json = !strcmp(f, "json");
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "trailwatch scan: unknown option or missing value: '%s'\n\n%s", a, usage_text);
      return TW_EXIT_USAGE;
    } else {
      o->inputs[o->ninputs++] = argv[i];
    }
  }
  if (!o->nconfigs || !o->ninputs) {
    fprintf(stderr, "trailwatch scan: %s\n\n%s", !o->nconfigs ? "missing --config" : "missing INPUT",
            usage_text);
    return TW_EXIT_USAGE;
  }
  return 0;
}

static int load_config(const struct opts *o, tw_config **out) {
  tw_config *cfg;
  if (tw_config_new(&cfg))
    return TW_EXIT_FAILURE;
  for (size_t i = 0; i < o->nconfigs; i++) {
    tw_error err;
    if (tw_config_load(cfg, o->configs[i], &err)) {
      fprintf(stderr, "trailwatch scan: %s\n", err.message);
      tw_config_free(cfg);
      return TW_EXIT_USAGE;
    }
  }
  if (tw_config_metric_filter_count(cfg) == 0) {
    fprintf(stderr, "trailwatch scan: the configuration has no metricFilters\n");
    tw_config_free(cfg);
    return TW_EXIT_USAGE;
  }
  *out = cfg;
  return 0;
}

static int run_workers(shared *sh, int threads, worker *w) {
  int started = 0, rc = TW_OK;
  for (int t = 0; t < threads; t++) {
    w[t].sh = sh;
    w[t].counts = calloc(sh->nf ? sh->nf : 1, sizeof *w[t].counts);
    if (!w[t].counts || pthread_create(&w[t].th, NULL, worker_main, &w[t]) != 0) {
      rc = TW_ENOMEM;
      break;
    }
    started++;
  }
  for (int t = 0; t < started; t++) {
    pthread_join(w[t].th, NULL);
    if (w[t].rc && !rc)
      rc = w[t].rc;
  }
  return rc;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tw_cmd_scan(int argc, char **argv) {
  struct opts o = {0};
  tw_config *cfg = NULL;
  int rc = parse_args(argc, argv, &o);
  if (rc == 0)
    rc = load_config(&o, &cfg);
  if (rc) {
    free(o.configs);
    free(o.inputs);
    return rc < 0 ? TW_EXIT_OK : rc;
  }
  size_t nf = tw_config_metric_filter_count(cfg);
  const tw_pattern **pats = calloc(nf, sizeof *pats);
  for (size_t i = 0; pats && i < nf; i++)
    pats[i] = tw_config_metric_filter(cfg, i)->pattern;
  shared sh = {.nf = nf};
  tw_filter_set *fs = NULL;
  tw_error err;
  double t0 = now_seconds();
  if (!pats || tw_filter_set_new(pats, nf, &fs, &err)) {
    fprintf(stderr, "trailwatch scan: %s\n", pats ? err.message : "out of memory");
    rc = TW_EXIT_FAILURE;
  } else if (plan_jobs(o.inputs, o.ninputs, o.threads, &sh.jobs, &sh.njobs)) {
    rc = TW_EXIT_FAILURE;
  } else {
    sh.fs = fs;
    worker *w = calloc((size_t)o.threads, sizeof *w);
    int wrc = w ? run_workers(&sh, o.threads, w) : TW_ENOMEM;
    double secs = now_seconds() - t0;
    uint64_t *counts = calloc(nf ? nf : 1, sizeof *counts), events = 0, bytes = 0, errors = 0;
    for (int t = 0; w && counts && t < o.threads; t++) {
      for (size_t i = 0; w[t].counts && i < nf; i++)
        counts[i] += w[t].counts[i];
      events += w[t].events, bytes += w[t].bytes, errors += w[t].errors;
      free(w[t].counts);
    }
    if (wrc || !counts) {
      rc = wrc == TW_EIO ? TW_EXIT_FAILURE : TW_EXIT_FAILURE;
    } else if (o.json) {
      rc = print_json(cfg, counts, events, bytes, errors, secs);
    } else {
      print_table(cfg, counts, events, bytes, errors, secs);
    }
    free(counts);
    free(w);
    close_jobs(sh.jobs, sh.njobs);
  }
  tw_filter_set_free(fs);
  free(pats);
  tw_config_free(cfg);
  free(o.configs);
  free(o.inputs);
  return rc;
}
