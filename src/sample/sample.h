/*
 * sample.h — deterministic synthetic CloudTrail events (`trailwatch sample`).
 *
 * The generator produces management events shaped like real trails (mostly
 * read-only Describe/Get/List calls, assumed and service-linked roles,
 * errors, console logins, AwsServiceEvents, and rare CIS-relevant changes),
 * one compact JSON object per event, for benchmarks and tests. The same
 * options (seed included) always give byte-identical output.
 *
 * Two levels: tw_sample_write streams a whole NDJSON file; the generator
 * object hands out one event at a time with its time. The archive writer
 * (tw_sample_archive_write, sample_archive.c) runs the generator in its
 * "background" profile, interleaves scripted incident events in time order
 * and cuts the stream into gzipped objects in CloudTrail's S3 layout.
 */
#ifndef TW_SAMPLE_H
#define TW_SAMPLE_H

#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

#define TW_SAMPLE_DEFAULT_START 1709251200LL /* 2024-03-01T00:00:00Z */
#define TW_SAMPLE_DEFAULT_SPAN (7LL * 86400) /* one week */
/* Upper bound of one event's size in bytes (the generator checks it). */
#define TW_SAMPLE_MAX_EVENT 16384

/* What kind of traffic the generator makes. */
enum tw_sample_profile {
  /* Every kind of event (CIS-relevant and seed-rule calls included), four
   * accounts, twelve regions, events spread evenly over the span. */
  TW_SAMPLE_MIXED = 0,
  /* Quiet background for the demo archive: one account
   * (TW_SAMPLE_ARCHIVE_ACCOUNT), four regions, a day/night rate curve (span
   * must be whole days), and no event that matches a filter of
   * rules/seed.yaml or rules/cis.yaml (no denied calls, no root use, no
   * sign-in without MFA, no changes the CIS filters watch). */
  TW_SAMPLE_BACKGROUND = 1
};

typedef struct tw_sample_opts {
  uint64_t events; /* how many events */
  uint64_t seed;   /* PRNG seed */
  int64_t start;   /* eventTime of the first event, epoch seconds */
  int64_t span;    /* events are spread over this many seconds */
  int profile;     /* enum tw_sample_profile */
} tw_sample_opts;

/* Defaults: 0 events, seed 1, TW_SAMPLE_DEFAULT_START / _SPAN, mixed. */
void tw_sample_opts_init(tw_sample_opts *o);

typedef struct tw_sample_gen tw_sample_gen;

int tw_sample_gen_new(const tw_sample_opts *o, tw_sample_gen **out);
/* Append the next event (JSON object, no newline) to b and set *event_time
 * (epoch seconds). Returns TW_ENOTFOUND once o->events events were made. */
int tw_sample_gen_next(tw_sample_gen *g, tw_buf *b, int64_t *event_time);
void tw_sample_gen_free(tw_sample_gen *g);

/* Called about every 64 MiB and once at the end. */
typedef void (*tw_sample_progress_fn)(void *ctx, uint64_t events, uint64_t bytes);

/* Write o->events events as NDJSON to f. On an I/O error returns TW_EIO
 * (errno is kept from the failing call). *bytes_out (if not NULL) gets the
 * number of bytes written. */
int tw_sample_write(FILE *f, const tw_sample_opts *o, tw_sample_progress_fn progress,
                    void *ctx, uint64_t *bytes_out);

/* ---- the demo archive ------------------------------------------------ */

#define TW_SAMPLE_ARCHIVE_ACCOUNT "111122223333"
#define TW_SAMPLE_ARCHIVE_START 1793577600LL /* 2026-11-02T00:00:00Z (a Monday) */
#define TW_SAMPLE_ARCHIVE_DAYS 2
#define TW_SAMPLE_ARCHIVE_PER_DAY 20000
#define TW_SAMPLE_ARCHIVE_MAX_PER_DAY 10000000u
#define TW_SAMPLE_ARCHIVE_MAX_DAYS 366u

typedef struct tw_sample_archive_opts {
  uint64_t seed;           /* PRNG seed (background and random identifiers) */
  int64_t start;           /* first second of day 1, epoch seconds */
  uint32_t days;           /* 1 .. TW_SAMPLE_ARCHIVE_MAX_DAYS */
  uint64_t events_per_day; /* background events per day, 0 .. _MAX_PER_DAY */
} tw_sample_archive_opts;

/* Defaults: seed 1, TW_SAMPLE_ARCHIVE_START, _DAYS, _PER_DAY. */
void tw_sample_archive_opts_init(tw_sample_archive_opts *o);

typedef struct tw_sample_archive_stats {
  uint64_t events;          /* events written (background + incidents) */
  uint64_t incident_events; /* of which scripted incident events */
  uint64_t unlogged;        /* background events dropped while logging was stopped */
  uint64_t log_files;       /* CloudTrail log objects written */
  uint64_t digest_files;    /* digest objects written */
  uint64_t bytes;           /* compressed bytes written */
  char path[1024];          /* on TW_EIO: the file or directory that failed */
} tw_sample_archive_stats;

/* Write the demo archive under dir (created if missing): CloudTrail log
 * objects DIR/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<name>.json.gz,
 * hourly digest objects under CloudTrail-Digest/, background traffic plus
 * the scripted incidents of docs/sample.md. Same options, same bytes.
 * Returns TW_EINVAL for out-of-range options, TW_EIO (errno kept, st->path
 * set) on a file system error. */
int tw_sample_archive_write(const char *dir, const tw_sample_archive_opts *o,
                            tw_sample_archive_stats *st);

/* Parse "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC) into epoch seconds. */
int tw_sample_parse_time(const char *s, int64_t *out);

#endif /* TW_SAMPLE_H */
