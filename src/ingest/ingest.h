/*
 * ingest.h — the input layer of `trailwatch scan` (internal).
 *
 * Turns files, directories and standard input into a stream of log events,
 * one per CloudTrail event, whatever shape the events come in: CloudTrail S3
 * delivery objects ({"Records":[...]}, plain or gzip), bare JSON arrays,
 * NDJSON, `aws logs filter-log-events` output, CloudWatch Logs subscription
 * payloads, EventBridge envelopes and `aws cloudtrail lookup-events` output.
 * The shape is detected from the content, never from the file name; gzip is
 * detected by its magic bytes. docs/inputs.md is the user-facing description.
 *
 * Usage: tw_ingest_list expands the command-line paths into the files to
 * read (skipping digest files and, with a time window, files whose S3 key
 * lies outside it); a tw_ingest handle (one per thread) then reads each file
 * with tw_ingest_file_events, calling back once per event. Bad input never
 * stops the scan: every problem is reported through opts.on_error (source,
 * byte offset, reason) and counted in tw_ingest_stats, which accounts for
 * every file, event and byte.
 */
#ifndef TW_INGEST_H
#define TW_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"

/* Where an event came from (the container it was found in). */
typedef enum tw_ingest_shape {
  TW_SHAPE_RECORDS = 0,   /* CloudTrail delivery object {"Records":[...]} */
  TW_SHAPE_ARRAY,         /* bare JSON array of events */
  TW_SHAPE_OBJECT,        /* a top-level object: single-event file or NDJSON line */
  TW_SHAPE_LOG_EVENTS,    /* CloudWatch Logs events {timestamp, message} outside a
                             subscription payload: filter-log-events output
                             {"events":[...]}, or found anywhere else */
  TW_SHAPE_SUBSCRIPTION,  /* CloudWatch Logs subscription payload {"logEvents":[...]} */
  TW_SHAPE_LOOKUP,        /* lookup-events output {"Events":[{CloudTrailEvent}]} */
  TW_SHAPE_COUNT
} tw_ingest_shape;

/* One log event. message is the event's JSON as CloudTrail writes it to
 * CloudWatch Logs (compact: the input bytes with insignificant whitespace
 * removed, strings byte-exact, key order kept), or for CloudWatch Logs
 * inputs the log event's message as is. Pointers are valid until the
 * callback returns. */
typedef struct tw_ingest_event {
  const char *message;
  size_t len;
  int64_t time_ms;        /* eventTime (or the CW Logs timestamp); INT64_MIN if unknown */
  const char *source;     /* file path, "-" for standard input */
  int64_t offset;         /* byte offset of the event in the decoded input */
  tw_ingest_shape shape;
  int envelope;           /* 1 when taken from an EventBridge envelope's detail */
  int collected;          /* 1 when the collector (tw_ingest_set_collector) was
                             given exactly this event's values: its scan of the
                             event, with strings and numbers byte-identical to
                             message's, was the last one before this callback */
} tw_ingest_event;

/* The summary (every field a uint64_t: tw_ingest_stats_add relies on it).
 * Counters only ever grow, so one struct can sum many calls.
 * Identities (see docs/inputs.md):
 *   events seen = events + events_outside_window + events_invalid
 *   files named = files + files_skipped_digest + files_skipped_window
 *                 + files_skipped_other   (+ paths reported as errors) */
typedef struct tw_ingest_stats {
  uint64_t files;                 /* files read */
  uint64_t files_skipped_digest;  /* CloudTrail digest files, by S3 key or name */
  uint64_t files_skipped_window;  /* S3 key time outside the window */
  uint64_t files_skipped_other;   /* found in a directory: hidden (a hidden
                                     directory counts once), not a regular file,
                                     empty, or not JSON/gzip */
  uint64_t bytes_read;            /* as stored, of the files read */
  uint64_t bytes_skipped;         /* as stored, of the files skipped */
  uint64_t bytes_decoded;         /* after gunzip, of the files read */
  uint64_t bytes_invalid;         /* decoded bytes given up because of an error */
  uint64_t bytes_non_event;       /* decoded bytes of skipped non-event objects */
  uint64_t events;                /* emitted to the callback */
  uint64_t events_outside_window; /* not emitted: time outside [from, to) */
  uint64_t events_invalid;        /* not emitted: invalid JSON, oversized, not an object */
  uint64_t events_no_time;        /* of events + events_outside_window: no valid time */
  uint64_t events_envelope;       /* of events: taken from EventBridge envelopes */
  uint64_t events_by_shape[TW_SHAPE_COUNT]; /* of events */
  uint64_t objects_non_event;     /* objects that are not events (config snapshots,
                                     non-CloudTrail EventBridge events, ...) */
  uint64_t objects_digest;        /* digest objects recognised by content */
  uint64_t control_messages;      /* CW Logs subscription CONTROL_MESSAGE payloads */
  uint64_t errors;                /* problems reported through on_error */
} tw_ingest_stats;

/* offset is the byte offset in the decoded input, -1 when none applies. */
typedef void (*tw_ingest_error_fn)(void *ctx, const char *source, int64_t offset,
                                   const char *reason);
/* Return 0 to go on; a non-zero value stops and is returned by the caller. */
typedef int (*tw_ingest_event_fn)(void *ctx, const tw_ingest_event *ev);

typedef struct tw_ingest_opts {
  int64_t from_ms, to_ms;   /* window [from, to); INT64_MIN / INT64_MAX = none */
  size_t max_event;         /* largest event message (default 1 MiB) */
  size_t max_document;      /* largest JSON document / line / whole-gunzipped
                               object held in memory (default 1 GiB) */
  int64_t s3_lag_ms;        /* how long before its S3 delivery time an event
                               may have happened (default 24 h) */
  int64_t s3_skew_ms;       /* how long after it (clock skew, default 15 min) */
  tw_ingest_error_fn on_error;
  void *error_ctx;
} tw_ingest_opts;

/* Fill o with the defaults (no window, no error callback). */
void tw_ingest_opts_init(tw_ingest_opts *o);

/* An input file. */
#define TW_INGEST_FILE_STDIN 0x1u    /* "-": standard input */
#define TW_INGEST_FILE_FROM_DIR 0x2u /* found by walking a directory */

typedef struct tw_ingest_file {
  char *path;       /* "-" for standard input */
  int64_t size;     /* as stored, -1 when unknown */
  unsigned flags;
} tw_ingest_file;

/* Expand paths (files; directories, recursively, entries in byte order;
 * "-" for standard input) into the files to read. Skipped, with a count:
 * CloudTrail digest files (a CloudTrail-Digest path component or
 * _CloudTrail-Digest_ in the name), files whose S3 key time (the
 * AWSLogs/.../CloudTrail/<region>/YYYY/MM/DD/ folders, the name's
 * _YYYYMMDDTHHMMZ_) shows they cannot hold events inside the window, and
 * in directories hidden entries and non-regular files. Paths that cannot be
 * read are reported through on_error and counted. Returns TW_OK (even when
 * some paths failed) or TW_ENOMEM; free the list with tw_ingest_files_free. */
int tw_ingest_list(const char *const *paths, size_t n, const tw_ingest_opts *o,
                   tw_ingest_file **files, size_t *nfiles, tw_ingest_stats *st);
void tw_ingest_files_free(tw_ingest_file *files, size_t n);

/* What an S3 key (or any path) says about its object. */
typedef struct tw_ingest_key_info {
  int digest;              /* a CloudTrail digest file */
  int has_time;            /* lo/hi are set */
  int64_t lo_ms, hi_ms;    /* the delivery time lies in [lo, hi) */
} tw_ingest_key_info;

void tw_ingest_key_parse(const char *path, tw_ingest_key_info *out);
/* 1 when the key time shows no event of the object lies in the window. */
int tw_ingest_key_outside(const tw_ingest_key_info *k, const tw_ingest_opts *o);

/* A reader: options, the compiled classification plan and scratch buffers.
 * Not thread-safe; use one per thread. o is copied. */
typedef struct tw_ingest tw_ingest;

int tw_ingest_new(const tw_ingest_opts *o, tw_ingest **out);
void tw_ingest_free(tw_ingest *in);

/* Fused collection: the scan that validates and classifies each element
 * of an input also reports the values of a caller's plan, so the caller
 * (the filter set of `scan`) need not scan the event again. plan must hold
 * the classification paths, added with tw_ingest_plan_add. Before each
 * element scan begin(ctx) is called, then visit(ctx, ...) for every value
 * of the plan; events taken whole from such a scan are marked collected.
 * in keeps a pointer to plan; ctx is per reader (per thread). */
#define TW_INGEST_PLAN_PATHS 11
struct tw_json_plan;
struct tw_json_value;
typedef struct tw_ingest_collector {
  const struct tw_json_plan *plan;
  uint32_t ids[TW_INGEST_PLAN_PATHS]; /* the classification paths' ids in plan */
  int (*begin)(void *ctx);
  int (*visit)(void *ctx, uint32_t id, const struct tw_json_value *v);
  void *ctx;
} tw_ingest_collector;

/* Add the classification paths to plan; their ids go to ids. TW_OK,
 * TW_ENOMEM. */
int tw_ingest_plan_add(struct tw_json_plan *plan, uint32_t ids[TW_INGEST_PLAN_PATHS]);

/* Use c (copied) for the next reads; c = NULL turns it off. TW_OK,
 * TW_ENOMEM, TW_EINVAL when an id is out of the plan's range. */
int tw_ingest_set_collector(tw_ingest *in, const tw_ingest_collector *c);

/* Read one file (gzip detected by its magic bytes 1f 8b), detect its shape
 * from the content and call fn for each event inside the window. Returns
 * TW_OK when the file was read (data errors are reported and counted, not
 * returned), TW_ENOMEM, or fn's non-zero return. */
int tw_ingest_file_events(tw_ingest *in, const tw_ingest_file *f, tw_ingest_event_fn fn,
                          void *ctx, tw_ingest_stats *st);

/* The same for a file the caller has opened (fd at offset 0: peek at it
 * with pread only) and closes afterwards; for standard input ("-") fd is
 * ignored. Saves opening each file twice when the caller sniffs it. */
int tw_ingest_fd_events(tw_ingest *in, const tw_ingest_file *f, int fd, tw_ingest_event_fn fn,
                        void *ctx, tw_ingest_stats *st);

/* The same for input already in memory (plain or gzip); source names it in
 * events and error reports. Counts the buffer as one file read. */
int tw_ingest_buffer_events(tw_ingest *in, const char *source, const void *data,
                            size_t len, tw_ingest_event_fn fn, void *ctx,
                            tw_ingest_stats *st);

/* Parse an ISO 8601 UTC time as CloudTrail writes it: YYYY-MM-DDTHH:MM:SSZ,
 * with optional fractional seconds (truncated to ms) and a Z, +HH:MM or
 * +HHMM zone. Returns TW_OK or TW_EINVAL. */
int tw_ingest_parse_time(const char *s, size_t len, int64_t *ms);

/* Lenient form for command-line --from/--to: also YYYY-MM-DD,
 * YYYY-MM-DDTHH:MM, a space instead of T, and no zone (= UTC). */
int tw_ingest_parse_time_arg(const char *s, int64_t *ms);

/* Format ms as YYYY-MM-DDTHH:MM:SS.mmmZ into buf (at least 25 bytes). */
void tw_ingest_format_time(int64_t ms, char *buf, size_t cap);

/* Add b's counters to a. */
void tw_ingest_stats_add(tw_ingest_stats *a, const tw_ingest_stats *b);

#endif /* TW_INGEST_H */
