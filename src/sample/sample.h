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
 * object hands out one event at a time with its time, so a later archive
 * writer can interleave injected incident events in time order and cut the
 * stream into S3-layout objects without changing this code.
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

typedef struct tw_sample_opts {
  uint64_t events; /* how many events */
  uint64_t seed;   /* PRNG seed */
  int64_t start;   /* eventTime of the first event, epoch seconds */
  int64_t span;    /* events are spread evenly over this many seconds */
} tw_sample_opts;

/* Defaults: 0 events, seed 1, TW_SAMPLE_DEFAULT_START / _SPAN. */
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

/* Parse "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC) into epoch seconds. */
int tw_sample_parse_time(const char *s, int64_t *out);

#endif /* TW_SAMPLE_H */
