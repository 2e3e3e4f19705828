/*
 * scan.c — the backtest pipeline behind `trailwatch scan` (see scan.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/lines.h"
#include "json/json.h"
#include "scan/scan.h"
#include "util/util.h"

#define RANGE_MIN (8u << 20) /* NDJSON files are split into ranges of at least this */
#define SNIFF 65536

typedef struct job {
  const tw_ingest_file *file;
  int ndjson;          /* plain NDJSON: read by ranges here; -1: not known
                          yet (sniffed by the worker, which opens the file) */
  int64_t begin, end;  /* range (ndjson) */
} job;

typedef struct shared {
  const tw_config *cfg;
  const tw_scan_opts *o;
  tw_filter_set *fs;
  const tw_transform **transforms; /* per set filter */
  unsigned char *watched;          /* per set filter: feeds the backtest (an alarm
                                      watches its metric, or it has a default value) */
  tw_backtest *bt;
  size_t nf;
  job *jobs;
  size_t njobs;
  atomic_size_t next;
  atomic_size_t jobs_done;
  atomic_uint_fast64_t bytes_done; /* progress */
  atomic_uint_fast64_t events_done;
  atomic_size_t shown;             /* input errors printed */
  tw_json_plan *line_plan;         /* $.eventTime, $.detail-type, $.Records */
  uint32_t id_time, id_detail, id_records;
  int fused;                       /* ingest collects the filters' values */
  uint32_t shape_ids[TW_INGEST_PLAN_PATHS]; /* in the filter set's plan */
} shared;

typedef struct worker {
  shared *sh;
  pthread_t th;
  tw_filter_scratch *s;
  unsigned char *matched;
  tw_bt_minutes *minutes;
  tw_ingest *in;
  tw_ingest_stats st;
  uint64_t *matches;
  uint64_t *datapoints, *skipped; /* per filter, for filters not watched */
  uint64_t no_time;
  tw_buf timebuf;
  int rc;
} worker;

void tw_scan_opts_init(tw_scan_opts *o) {
  memset(o, 0, sizeof *o);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  o->threads = n > 0 ? (int)n : 1;
  o->from_ms = INT64_MIN;
  o->to_ms = INT64_MAX;
  o->log_group = TW_CONFIG_DEFAULT_LOG_GROUP;
  o->events_per_alarm = 10;
  o->max_errors_shown = 20;
  o->max_event = 1u << 20;
}

/* ---- errors ---- */

static void report_error(void *ctx, const char *source, int64_t offset, const char *reason) {
  shared *sh = ctx;
  size_t k = atomic_fetch_add(&sh->shown, 1);
  if (k == sh->o->max_errors_shown)
    fprintf(stderr, "trailwatch scan: further input errors are counted, not shown\n");
  if (k >= sh->o->max_errors_shown)
    return;
  if (offset < 0)
    fprintf(stderr, "trailwatch scan: %s: %s\n", source, reason);
  else
    fprintf(stderr, "trailwatch scan: %s: byte %lld: %s\n", source, (long long)offset, reason);
}

/* ---- one event ---- */

static int apply_transform(worker *w, size_t f, const tw_ingest_event *ev) {
  shared *sh = w->sh;
  const tw_transform *t = sh->transforms[f];
  tw_match *m = tw_filter_scratch_match(sh->fs, w->s, f, ev->message, ev->len);
  if (!m)
    return TW_ENOMEM;
  double value = 0;
  tw_extract_status st;
  int rc = tw_transform_apply(t, ev->message, ev->len, m, &value, &st);
  if (rc)
    return rc;
  if (!sh->watched[f]) { /* no alarm needs its datapoints: count them only */
    if (st == TW_EXTRACT_OK)
      w->datapoints[f]++;
    else
      w->skipped[f]++;
    return TW_OK;
  }
  tw_metric_dimension dims[3];
  size_t nd = st == TW_EXTRACT_OK ? tw_transform_dimension_count(t) : 0;
  for (size_t i = 0; i < nd; i++) {
    const char *v;
    size_t vl;
    tw_transform_dimension(t, m, i, &dims[i].name, &v, &vl);
    dims[i].value = v; /* NUL-terminated in the match arena */
  }
  return tw_backtest_match(sh->bt, f, ev->time_ms, st, value, dims, nd, ev->message, ev->len);
}

static int on_event(void *ctx, const tw_ingest_event *ev) {
  worker *w = ctx;
  shared *sh = w->sh;
  if (tw_bt_minutes_add(w->minutes, ev->time_ms))
    return TW_ENOMEM;
  int rc = ev->collected
               ? tw_filter_set_eval_collected(sh->fs, ev->message, ev->len, w->s, w->matched)
               : tw_filter_set_eval(sh->fs, ev->message, ev->len, w->s, w->matched);
  for (size_t f = 0; !rc && f < sh->nf; f++) {
    if (!w->matched[f])
      continue;
    w->matches[f]++;
    if (ev->time_ms == INT64_MIN)
      w->no_time++;
    else
      rc = apply_transform(w, f, ev);
  }
  return rc;
}

/* ---- plain NDJSON by ranges ---- */

struct line_vals {
  shared *sh;
  tw_json_value time;
  int has_time, envelope;
};

static int line_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  struct line_vals *lv = ctx;
  if (id == lv->sh->id_time && v->type == TW_JSON_STRING) {
    lv->time = *v;
    lv->has_time = 1;
  } else if (id == lv->sh->id_detail || id == lv->sh->id_records) {
    lv->envelope = 1;
  }
  return 0;
}

static int64_t line_time(worker *w, const tw_json_value *v) {
  const char *text = v->ptr;
  size_t len = v->len;
  int64_t ms;
  if (v->has_escapes) {
    w->timebuf.len = 0;
    if (tw_buf_reserve(&w->timebuf, v->len + 1) ||
        tw_json_string_decode(v, w->timebuf.data, w->timebuf.cap, &len))
      return INT64_MIN;
    text = w->timebuf.data;
  }
  if (tw_ingest_parse_time(text, len, &ms))
    return INT64_MIN;
  return ms;
}

static int in_window(const tw_scan_opts *o, int64_t t) {
  if (o->from_ms == INT64_MIN && o->to_ms == INT64_MAX)
    return 1;
  return t != INT64_MIN && t >= o->from_ms && t < o->to_ms;
}

/* One NDJSON line: validated and timed in one scan; envelopes and Records
 * objects go through the ingest module (same semantics as whole files). */
static int ndjson_line(worker *w, const job *j, const char *line, size_t len, int64_t off) {
  shared *sh = w->sh;
  struct line_vals lv = {.sh = sh};
  tw_json_type root;
  int rc = tw_json_scan(sh->line_plan, line, len, line_visit, &lv, &root);
  if (rc || root != TW_JSON_OBJECT) {
    w->st.events_invalid++;
    w->st.bytes_invalid += len;
    w->st.errors++;
    report_error(sh, j->file->path, off, rc ? "invalid JSON event; skipped" : "not a JSON object; skipped");
    return TW_OK;
  }
  if (lv.envelope)
    return tw_ingest_buffer_events(w->in, j->file->path, line, len, on_event, w, &w->st);
  tw_ingest_event ev = {.message = line, .len = len, .source = j->file->path, .offset = off,
                        .shape = TW_SHAPE_OBJECT};
  ev.time_ms = lv.has_time ? line_time(w, &lv.time) : INT64_MIN;
  if (ev.time_ms == INT64_MIN)
    w->st.events_no_time++;
  if (!in_window(sh->o, ev.time_ms)) {
    w->st.events_outside_window++;
    return TW_OK;
  }
  w->st.events++;
  w->st.events_by_shape[TW_SHAPE_OBJECT]++;
  return on_event(w, &ev);
}

/* The job's range of fd (the worker opened it and closes it). */
static int run_ndjson(worker *w, const job *j, int fd) {
  tw_line_reader *r;
  if (tw_line_reader_new(fd, j->begin, j->end, w->sh->o->max_event, &r))
    return TW_ENOMEM;
  const char *line;
  size_t len;
  int64_t off;
  int rc, status = TW_OK;
  uint64_t seen = 0;
  while (!status && (rc = tw_line_reader_next(r, &line, &len, &off)) != 0) {
    if (rc == TW_ELIMIT) {
      w->st.events_invalid++;
      w->st.bytes_invalid += len;
      w->st.errors++;
      char why[96];
      snprintf(why, sizeof why, "event of %zu bytes is over the %zu-byte limit; skipped", len,
               w->sh->o->max_event);
      report_error(w->sh, j->file->path, off, why);
      continue;
    }
    if (rc < 0) {
      w->st.errors++;
      report_error(w->sh, j->file->path, off, "read error");
      break;
    }
    if (len > 0)
      status = ndjson_line(w, j, line, len, off);
    if ((++seen & 1023) == 0)
      atomic_fetch_add(&w->sh->events_done, 1024);
  }
  uint64_t bytes = tw_line_reader_bytes(r);
  w->st.bytes_read += bytes;
  w->st.bytes_decoded += bytes;
  atomic_fetch_add(&w->sh->bytes_done, bytes);
  tw_line_reader_free(r);
  return status;
}

static int looks_ndjson(int fd);

/* One job: open its file once, sniff it when planning did not, and read
 * it as NDJSON ranges or through the ingest module. */
static int run_job(worker *w, const job *j, int *nd) {
  const tw_ingest_file *f = j->file;
  *nd = 0;
  if (f->flags & TW_INGEST_FILE_STDIN)
    return tw_ingest_file_events(w->in, f, on_event, w, &w->st);
  int fd = open(f->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && j->ndjson == 1) {
    *nd = 1;
    w->st.errors++;
    report_error(w->sh, f->path, 0, strerror(errno));
    return TW_OK;
  }
  *nd = j->ndjson >= 0 ? j->ndjson : fd >= 0 && looks_ndjson(fd);
  int rc = *nd ? run_ndjson(w, j, fd) : tw_ingest_fd_events(w->in, f, fd, on_event, w, &w->st);
  if (fd >= 0)
    close(fd);
  return rc;
}

static void *worker_main(void *arg) {
  worker *w = arg;
  shared *sh = w->sh;
  size_t k;
  while (!w->rc && (k = atomic_fetch_add(&sh->next, 1)) < sh->njobs) {
    const job *j = &sh->jobs[k];
    int nd; /* run_ndjson counts its own bytes */
    w->rc = run_job(w, j, &nd);
    if (!nd && j->file->size > 0)
      atomic_fetch_add(&sh->bytes_done, (uint64_t)j->file->size);
    atomic_fetch_add(&sh->jobs_done, 1);
  }
  return NULL;
}

/* ---- planning ---- */

/* A plain (not gzip) file whose first line is one JSON object and whose
 * next line starts another: NDJSON, read by line ranges. fd is a regular
 * file's (never standard input), peeked at with pread: its offset stays 0. */
static int looks_ndjson(int fd) {
  char buf[SNIFF];
  /* the gzip magic first: a .json.gz object is not read any further */
  ssize_t n = pread(fd, buf, 2, 0);
  if (n == 2 && !((unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b)) {
    ssize_t more = pread(fd, buf + 2, sizeof buf - 2, 2);
    n += more > 0 ? more : 0;
  }
  if (n < 2 || ((unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b))
    return 0;
  size_t i = 0;
  while (i < (size_t)n && strchr(" \t\r", buf[i]))
    i++;
  if (i >= (size_t)n || buf[i] != '{')
    return 0;
  const char *nl = memchr(buf + i, '\n', (size_t)n - i);
  if (!nl)
    return 0; /* one line: a single document, not NDJSON */
  size_t e = (size_t)(nl - buf);
  while (e > i && strchr(" \t\r", buf[e - 1]))
    e--;
  if (e == i || buf[e - 1] != '}' || tw_json_scan(NULL, buf + i, e - i, NULL, NULL, NULL))
    return 0;
  const char *p = nl + 1, *end = buf + n;
  while (p < end && strchr(" \t\r\n", *p))
    p++;
  return p >= end || *p == '{';
}

static int plan_jobs(shared *sh, const tw_ingest_file *files, size_t nfiles, int threads) {
  size_t cap = nfiles + (size_t)threads * 4 * nfiles + 1;
  if (cap > nfiles * 64 + 1024)
    cap = nfiles * 64 + 1024;
  sh->jobs = calloc(cap, sizeof *sh->jobs);
  if (!sh->jobs)
    return TW_ENOMEM;
  for (size_t i = 0; i < nfiles; i++) {
    const tw_ingest_file *f = &files[i];
    size_t parts = 1;
    int nd = -1; /* not known: the worker sniffs it on the descriptor it reads */
    if (threads > 1 && f->size > (int64_t)RANGE_MIN && !(f->flags & TW_INGEST_FILE_STDIN)) {
      int fd = open(f->path, O_RDONLY | O_CLOEXEC); /* NDJSON this big is split */
      nd = fd >= 0 && looks_ndjson(fd);
      if (fd >= 0)
        close(fd);
      if (nd) {
        parts = (size_t)(f->size / RANGE_MIN) + 1;
        if (parts > (size_t)threads * 4)
          parts = (size_t)threads * 4;
      }
    }
    for (size_t p = 0; p < parts && sh->njobs < cap; p++) {
      job *j = &sh->jobs[sh->njobs++];
      j->file = f;
      j->ndjson = nd;
      j->begin = parts == 1 ? 0 : f->size * (int64_t)p / (int64_t)parts;
      j->end = parts == 1 ? -1 : f->size * (int64_t)(p + 1) / (int64_t)parts;
    }
  }
  return TW_OK;
}

/* ---- filters and alarms of the configuration ---- */

/* With JSON filters, the input layer's element scan also collects their
 * values (one scan per event, no prefilter; see tw_ingest_collector). */
static int setup_fusion(shared *sh) {
  tw_json_plan *plan = tw_filter_set_plan(sh->fs);
  if (tw_json_plan_count(plan) == 0)
    return TW_OK;
  int rc = tw_ingest_plan_add(plan, sh->shape_ids);
  sh->fused = rc == TW_OK;
  return rc;
}

static int collect_begin(void *ctx) {
  worker *w = ctx;
  return tw_filter_scratch_begin(w->sh->fs, w->s);
}

static int collect_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  return tw_filter_scratch_visit(((worker *)ctx)->s, id, v);
}

static int set_collector(worker *w) {
  shared *sh = w->sh;
  if (!sh->fused)
    return TW_OK;
  tw_ingest_collector c = {.plan = tw_filter_set_plan(sh->fs), .begin = collect_begin,
                           .visit = collect_visit, .ctx = w};
  memcpy(c.ids, sh->shape_ids, sizeof c.ids);
  return tw_ingest_set_collector(w->in, &c);
}

static int setup_filters(shared *sh, const tw_config *cfg, const tw_scan_opts *o,
                         tw_scan_result *r, tw_error *err) {
  size_t n = tw_config_metric_filter_count(cfg);
  r->filter_index = calloc(n + 1, sizeof *r->filter_index);
  r->btf = calloc(n + 1, sizeof *r->btf);
  const tw_pattern **pats = calloc(n + 1, sizeof *pats);
  sh->transforms = calloc(n + 1, sizeof *sh->transforms);
  if (!r->filter_index || !r->btf || !pats || !sh->transforms) {
    free(pats);
    return TW_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    const tw_metric_filter_def *d = tw_config_metric_filter(cfg, i);
    if (strcmp(d->log_group_name, o->log_group) != 0) {
      fprintf(stderr,
              "trailwatch scan: note: filter %s is for log group %s, not %s; it sees no events "
              "(set --log-group)\n",
              d->filter_name, d->log_group_name, o->log_group);
      continue;
    }
    size_t k = r->nfilters++;
    r->filter_index[k] = i;
    pats[k] = d->pattern;
    sh->transforms[k] = d->transform;
    r->btf[k] = (tw_bt_filter){.filter_name = d->filter_name, .ns = d->metric_namespace,
                               .metric_name = d->metric_name, .unit = d->unit,
                               .transform = d->transform, .has_default = d->has_default,
                               .default_value = d->default_value};
  }
  sh->nf = r->nfilters;
  if (!(sh->watched = calloc(n + 1, 1))) {
    free(pats);
    return TW_ENOMEM;
  }
  for (size_t k = 0; k < r->nfilters; k++) {
    sh->watched[k] = (unsigned char)r->btf[k].has_default;
    for (size_t a = 0; !sh->watched[k] && a < tw_config_alarm_count(cfg); a++) {
      const char *ns, *name, *unit, *stat;
      size_t nd;
      tw_alarm *al = tw_config_alarm_compiled(cfg, a);
      if (al && tw_alarm_get_metric(al, &ns, &name, &unit, &stat, &nd) == TW_OK)
        sh->watched[k] = !strcmp(ns, r->btf[k].ns) && !strcmp(name, r->btf[k].metric_name);
    }
  }
  int rc = tw_filter_set_new(pats, r->nfilters, &sh->fs, err);
  free(pats);
  return rc ? rc : setup_fusion(sh);
}

static int setup_line_plan(shared *sh) {
  tw_json_step t = {.kind = TW_JSON_STEP_KEY, .key = "eventTime", .key_len = 9};
  tw_json_step d = {.kind = TW_JSON_STEP_KEY, .key = "detail-type", .key_len = 11};
  tw_json_step r = {.kind = TW_JSON_STEP_KEY, .key = "Records", .key_len = 7};
  int rc = tw_json_plan_new(&sh->line_plan);
  if (!rc)
    rc = tw_json_plan_add(sh->line_plan, &t, 1, &sh->id_time);
  if (!rc)
    rc = tw_json_plan_add(sh->line_plan, &d, 1, &sh->id_detail);
  if (!rc)
    rc = tw_json_plan_add(sh->line_plan, &r, 1, &sh->id_records);
  return rc;
}

/* ---- progress ---- */

typedef struct progress {
  shared *sh;
  uint64_t total_bytes;
  size_t total_files;
  atomic_int stop;
  pthread_t th;
} progress;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *progress_main(void *arg) {
  progress *p = arg;
  double t0 = now_s();
  while (!atomic_load(&p->stop)) {
    struct timespec ts = {0, 250000000};
    nanosleep(&ts, NULL);
    double el = now_s() - t0;
    uint64_t b = atomic_load(&p->sh->bytes_done), e = atomic_load(&p->sh->events_done);
    double eta = b > 0 && p->total_bytes > b ? el * (double)(p->total_bytes - b) / (double)b : 0;
    fprintf(stderr, "\r\033[Kscan: %zu/%zu files, %.1f/%.1f MB, %.0f events/s, ETA %.0fs",
            atomic_load(&p->sh->jobs_done), p->sh->njobs, (double)b / 1e6,
            (double)p->total_bytes / 1e6, el > 0 ? (double)e / el : 0, eta);
  }
  fprintf(stderr, "\r\033[K");
  return NULL;
}

/* ---- run ---- */

static void sum_stats(tw_ingest_stats *a, const tw_ingest_stats *b) {
  uint64_t *x = (uint64_t *)a;
  const uint64_t *y = (const uint64_t *)b;
  for (size_t i = 0; i < sizeof *a / sizeof(uint64_t); i++)
    x[i] += y[i];
}

static int start_workers(shared *sh, worker *w, int n, tw_ingest_opts *io) {
  for (int t = 0; t < n; t++) {
    w[t].sh = sh;
    w[t].matched = calloc(sh->nf + 1, 1);
    w[t].matches = calloc(sh->nf + 1, sizeof *w[t].matches);
    w[t].datapoints = calloc(sh->nf + 1, sizeof *w[t].datapoints);
    w[t].skipped = calloc(sh->nf + 1, sizeof *w[t].skipped);
    if (!w[t].matched || !w[t].matches || !w[t].datapoints || !w[t].skipped || tw_filter_scratch_new(sh->fs, &w[t].s) ||
        tw_bt_minutes_new(&w[t].minutes) || tw_ingest_new(io, &w[t].in) ||
        set_collector(&w[t]))
      return TW_ENOMEM;
  }
  for (int t = 0; t < n; t++)
    if (pthread_create(&w[t].th, NULL, worker_main, &w[t]) != 0) {
      for (int k = 0; k < t; k++)
        pthread_join(w[k].th, NULL);
      return TW_ENOMEM;
    }
  return TW_OK;
}

static int finish_workers(shared *sh, worker *w, int n, tw_scan_result *r) {
  int rc = TW_OK;
  for (int t = 0; t < n; t++) {
    pthread_join(w[t].th, NULL);
    rc = rc ? rc : w[t].rc;
    sum_stats(&r->in, &w[t].st);
    r->events_no_time += w[t].no_time;
    for (size_t f = 0; f < sh->nf; f++) {
      r->matches[f] += w[t].matches[f];
      r->datapoints[f] += w[t].datapoints[f];
      r->skipped[f] += w[t].skipped[f];
    }
    if (!rc)
      rc = tw_backtest_merge_minutes(sh->bt, w[t].minutes);
  }
  return rc;
}

static void free_workers(worker *w, int n) {
  for (int t = 0; w && t < n; t++) {
    tw_filter_scratch_free(w[t].s);
    tw_bt_minutes_free(w[t].minutes);
    tw_ingest_free(w[t].in);
    tw_buf_free(&w[t].timebuf);
    free(w[t].matched);
    free(w[t].matches);
    free(w[t].datapoints);
    free(w[t].skipped);
  }
  free(w);
}

static int run_pipeline(shared *sh, const tw_scan_opts *o, tw_ingest_file *files, size_t nfiles,
                        tw_ingest_opts *io, tw_scan_result *r) {
  int rc = plan_jobs(sh, files, nfiles, o->threads);
  int nt = o->threads < 1 ? 1 : o->threads;
  worker *w = rc ? NULL : calloc((size_t)nt, sizeof *w);
  if (!rc && !w)
    rc = TW_ENOMEM;
  progress pg = {.sh = sh};
  for (size_t i = 0; i < nfiles; i++)
    pg.total_bytes += files[i].size > 0 ? (uint64_t)files[i].size : 0;
  int prog = !rc && o->progress && pthread_create(&pg.th, NULL, progress_main, &pg) == 0;
  if (!rc && !(rc = start_workers(sh, w, nt, io)))
    rc = finish_workers(sh, w, nt, r);
  if (prog) {
    atomic_store(&pg.stop, 1);
    pthread_join(pg.th, NULL);
  }
  free_workers(w, nt);
  return rc;
}

int tw_scan_run(const tw_config *cfg, const tw_scan_opts *o, tw_scan_result *r, tw_error *err) {
  memset(r, 0, sizeof *r);
  shared sh = {.cfg = cfg, .o = o};
  double t0 = now_s();
  int rc = setup_filters(&sh, cfg, o, r, err);
  if (!rc)
    rc = setup_line_plan(&sh);
  r->matches = calloc(r->nfilters + 1, sizeof *r->matches);
  r->datapoints = calloc(r->nfilters + 1, sizeof *r->datapoints);
  r->skipped = calloc(r->nfilters + 1, sizeof *r->skipped);
  r->nalarms = tw_config_alarm_count(cfg);
  r->alarms = calloc(r->nalarms + 1, sizeof *r->alarms);
  for (size_t a = 0; r->alarms && a < r->nalarms; a++)
    r->alarms[a] = tw_config_alarm_compiled(cfg, a);
  tw_bt_opts bo = {.events_per_transition = o->events_per_alarm};
  if (!rc && (!r->matches || !r->alarms || !r->datapoints || !r->skipped))
    rc = TW_ENOMEM;
  if (!rc)
    rc = tw_backtest_new(r->btf, r->nfilters, r->alarms, r->nalarms, &bo, &r->bt);
  sh.bt = r->bt;
  tw_ingest_opts io;
  tw_ingest_opts_init(&io);
  io.from_ms = o->from_ms;
  io.to_ms = o->to_ms;
  io.on_error = report_error;
  io.error_ctx = &sh;
  io.max_event = o->max_event;
  tw_ingest_file *files = NULL;
  size_t nfiles = 0;
  if (!rc && (rc = tw_ingest_list(o->inputs, o->ninputs, &io, &files, &nfiles, &r->in)))
    tw_error_set(err, rc, 0, "cannot read the inputs");
  if (!rc)
    rc = run_pipeline(&sh, o, files, nfiles, &io, r);
  if (!rc)
    rc = tw_backtest_run(r->bt);
  r->seconds = now_s() - t0;
  tw_ingest_files_free(files, nfiles);
  free(sh.jobs);
  free(sh.transforms);
  free(sh.watched);
  tw_filter_set_free(sh.fs);
  tw_json_plan_free(sh.line_plan);
  if (rc && !err->message[0])
    tw_error_set(err, rc, 0, "%s", tw_strerror(rc));
  return rc;
}

void tw_scan_result_free(tw_scan_result *r) {
  tw_backtest_free(r->bt);
  free(r->filter_index);
  free(r->matches);
  free(r->datapoints);
  free(r->skipped);
  free(r->alarms);
  free(r->btf);
  memset(r, 0, sizeof *r);
}
