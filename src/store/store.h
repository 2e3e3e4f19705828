/*
 * store.h — durable state of `trailwatch serve` in one SQLite database
 * (WAL mode): log groups, streams, log events, metric filter versions,
 * PutMetricData datapoints, alarms and their history, and the
 * notification outbox of the live server.
 *
 * The API layer (src/api/) calls these functions with the server lock held
 * and wraps each mutating request in tw_store_begin / tw_store_commit, so
 * a request is acknowledged only after its transaction is durable. The
 * in-memory metric store is rebuilt at start from this database (metric
 * data rows and a replay of log events through the metric filter versions
 * that saw them), see src/api/engine.c. Functions return TW_OK, TW_EIO
 * (SQLite failure), TW_ENOMEM or TW_ENOTFOUND. Row views handed to
 * callbacks are valid only during the callback.
 */
#ifndef TW_STORE_H
#define TW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"

typedef struct tw_store tw_store;

/* Open (creating if needed) the database at path (":memory:" works). */
int tw_store_open(const char *path, tw_store **out, tw_error *err);
void tw_store_close(tw_store *s);
const char *tw_store_errmsg(const tw_store *s);

int tw_store_begin(tw_store *s);
int tw_store_commit(tw_store *s);
void tw_store_rollback(tw_store *s);

/* ---- log groups ------------------------------------------------------ */

typedef struct tw_store_group {
  int64_t id;
  char name[516];
  int64_t creation_ms;
  int retention_days; /* 0 = never expire */
  char cls[32];       /* STANDARD | INFREQUENT_ACCESS | DELIVERY */
  int deletion_protection;
  int64_t stored_bytes;
  int64_t filter_count; /* current metric filters */
} tw_store_group;

/* *created = 0 when a group of that name already exists. */
int tw_store_group_create(tw_store *s, tw_store_group *g, int *created);
int tw_store_group_get(tw_store *s, const char *name, tw_store_group *out);
/* Deletes the group and its streams, and ends its filters at next_seq.
 * Its events are deleted, or kept under -id for the metric filter replay
 * when the group ever had filters. */
int tw_store_group_delete(tw_store *s, int64_t id, int64_t next_seq);
int tw_store_group_set_retention(tw_store *s, int64_t id, int days);

typedef int (*tw_store_group_fn)(const tw_store_group *g, void *ud);
/* Groups in name order with name > after (after may be NULL), name
 * starting with prefix (may be NULL) and containing substr (may be NULL);
 * at most limit rows. */
int tw_store_group_list(tw_store *s, const char *prefix, const char *substr,
                        const char *after, int limit, tw_store_group_fn fn,
                        void *ud);
/* Every group with a retention policy. */
int tw_store_group_list_retained(tw_store *s, tw_store_group_fn fn, void *ud);

/* ---- log streams ----------------------------------------------------- */

typedef struct tw_store_stream {
  int64_t id, group_id;
  char name[516];
  int64_t creation_ms;
  int has_events;
  int64_t first_ts, last_ts, last_ingest_ms, stored_bytes;
} tw_store_stream;

int tw_store_stream_create(tw_store *s, tw_store_stream *st, int *created);
int tw_store_stream_get(tw_store *s, int64_t group_id, const char *name,
                        tw_store_stream *out);
int tw_store_stream_delete(tw_store *s, int64_t id);
/* After a PutLogEvents: widen first/last timestamps, set the ingestion
 * time, add bytes. */
int tw_store_stream_touch(tw_store *s, int64_t id, int64_t first_ts,
                          int64_t last_ts, int64_t ingest_ms, int64_t bytes);

typedef int (*tw_store_stream_fn)(const tw_store_stream *st, void *ud);
/* by_time 0: name order (name > after_name, name starting with prefix);
 * by_time 1: last event time order, skipping offset rows. descending
 * reverses the order. */
typedef struct tw_store_stream_query {
  int64_t group_id;
  const char *prefix;
  const char *after_name;
  int by_time;
  int descending;
  int64_t offset;
  int limit;
} tw_store_stream_query;
int tw_store_stream_list(tw_store *s, const tw_store_stream_query *q,
                         tw_store_stream_fn fn, void *ud);

/* ---- log events ------------------------------------------------------ */

/* The sequence number the next inserted event will get. */
int tw_store_next_seq(tw_store *s, int64_t *out);
int tw_store_event_insert(tw_store *s, int64_t group_id, int64_t stream_id,
                          int64_t ts, int64_t ingest_ms, const char *msg,
                          size_t len, int64_t *seq);

typedef struct tw_store_event {
  int64_t seq, stream_id, ts, ingest_ms;
  const char *msg;
  size_t len;
} tw_store_event;
typedef int (*tw_store_event_fn)(const tw_store_event *e, void *ud);

/* Events of a group in (ts, seq) order with start <= ts < end and
 * (ts, seq) > (after_ts, after_seq). fn returns non-zero to stop (that
 * value is returned). */
int tw_store_event_scan_group(tw_store *s, int64_t group_id, int64_t start,
                              int64_t end, int64_t after_ts,
                              int64_t after_seq, tw_store_event_fn fn,
                              void *ud);
/* Events of a stream in [start, end): forward from (after_ts, after_seq)
 * ascending, or backward (descending) before (before_ts, before_seq). */
int tw_store_event_scan_stream(tw_store *s, int64_t stream_id, int64_t start,
                               int64_t end, int backward, int64_t key_ts,
                               int64_t key_seq, int limit,
                               tw_store_event_fn fn, void *ud);
/* Events of a group with start_seq <= seq < end_seq (end_seq 0 = no end)
 * and ts >= min_ts, in seq order (metric filter replay). */
int tw_store_event_scan_seq(tw_store *s, int64_t group_id, int64_t start_seq,
                            int64_t end_seq, int64_t min_ts,
                            tw_store_event_fn fn, void *ud);
/* Delete a group's events with ts < before_ts (retention); group_id 0
 * means the kept events of deleted groups and streams. */
int tw_store_event_expire(tw_store *s, int64_t group_id, int64_t before_ts,
                          int64_t *deleted);

/* ---- metric filters (versions) --------------------------------------- */

typedef struct tw_store_filter {
  int64_t id, group_id;
  const char *group_name;
  const char *name;
  const char *pattern;
  const char *transforms; /* metricTransformations JSON array */
  int64_t creation_ms;
  int64_t start_seq, end_seq; /* end_seq 0 = current */
} tw_store_filter;
typedef int (*tw_store_filter_fn)(const tw_store_filter *f, void *ud);

/* Create or replace (the current version of the same name ends at
 * f->start_seq). f->id receives the new version's id. */
int tw_store_filter_put(tw_store *s, tw_store_filter *f);
/* End the current version named name; TW_ENOTFOUND when none. */
int tw_store_filter_delete(tw_store *s, int64_t group_id, const char *name,
                           int64_t end_seq, int64_t *ended_id);
/* Current filters, ordered by (group name, filter name); each argument
 * may be NULL. after = "group\nfilter" of the last row returned. */
typedef struct tw_store_filter_query {
  const char *group_name;
  const char *name_prefix;
  const char *metric_name;
  const char *metric_ns;
  const char *after_group;
  const char *after_name;
  int limit;
} tw_store_filter_query;
int tw_store_filter_list(tw_store *s, const tw_store_filter_query *q,
                         tw_store_filter_fn fn, void *ud);
/* Every version, current or not, in id order. */
int tw_store_filter_list_versions(tw_store *s, tw_store_filter_fn fn,
                                  void *ud);

/* ---- PutMetricData datapoints ---------------------------------------- */

int tw_store_metric_insert(tw_store *s, const char *ns, int64_t ts_ms,
                           const char *datum_json);
typedef int (*tw_store_metric_fn)(const char *ns, int64_t ts_ms,
                                  const char *datum_json, void *ud);
int tw_store_metric_scan(tw_store *s, int64_t min_ts, tw_store_metric_fn fn,
                         void *ud);
int tw_store_metric_expire(tw_store *s, int64_t before_ts);

/* ---- alarms ---------------------------------------------------------- */

typedef struct tw_store_alarm {
  const char *name;
  const char *config;  /* PutMetricAlarm input JSON */
  int64_t config_ms;
  const char *state;
  const char *reason;
  const char *reason_data; /* NULL when none */
  int64_t updated_ms, transitioned_ms;
} tw_store_alarm;
typedef int (*tw_store_alarm_fn)(const tw_store_alarm *a, void *ud);

int tw_store_alarm_put(tw_store *s, const tw_store_alarm *a);
int tw_store_alarm_delete(tw_store *s, const char *name);
int tw_store_alarm_load(tw_store *s, tw_store_alarm_fn fn, void *ud);

int tw_store_history_insert(tw_store *s, const char *name, const char *type,
                            int64_t ts_ms, const char *item_json);
typedef struct tw_store_history_query {
  const char *name;      /* NULL = all */
  const char *type;      /* NULL = all */
  int64_t start_ms, end_ms;
  int ascending;
  int64_t after_id;      /* 0 = from the start of the order */
  int limit;
} tw_store_history_query;
typedef int (*tw_store_history_fn)(int64_t id, const char *item_json,
                                   void *ud);
int tw_store_history_list(tw_store *s, const tw_store_history_query *q,
                          tw_store_history_fn fn, void *ud);
int tw_store_history_expire(tw_store *s, int64_t before_ms);

/* ---- notification outbox (outbox.c) ---------------------------------- */

/* One row per (notification, delivery): the engine adds the rows of an
 * alarm state change in the transaction that stores the new state; the
 * outbox workers (src/live/outbox.c) deliver them and record the outcome.
 * state: "pending" (due at next_attempt_ms), "done" or "failed". */
typedef struct tw_store_outbox_row {
  int64_t row_id;          /* set by the store */
  const char *id;          /* notification id (SNS MessageId), stable */
  const char *alarm;       /* alarm name */
  const char *action;      /* action ARN (SNS TopicArn) */
  int delivery_index;      /* index in the action's target list */
  const char *delivery;    /* the delivery object JSON, as in targets: */
  const char *subject;     /* SNS Subject, NULL when none */
  const char *message;     /* SNS Message JSON */
  int64_t timestamp_ms;    /* SNS Timestamp (the state change) */
  int64_t created_ms;
  int attempts;            /* attempts made so far */
  int64_t next_attempt_ms;
  const char *state;
  const char *last_error;  /* NULL when none */
  int64_t done_ms;         /* when done or failed, else 0 */
} tw_store_outbox_row;
typedef int (*tw_store_outbox_fn)(const tw_store_outbox_row *r, void *ud);

/* Add a pending row due at r->next_attempt_ms (attempts, state, error and
 * done_ms are ignored). A row with the same (id, delivery_index) already
 * there is kept and *row_id is 0 (may be NULL). */
int tw_store_outbox_add(tw_store *s, const tw_store_outbox_row *r,
                        int64_t *row_id);
/* Pending rows with next_attempt_ms <= now_ms, earliest first, leaving out
 * the row ids in skip[0..nskip) (attempts in flight); at most limit rows.
 * fn returns non-zero to stop (that value is returned). */
int tw_store_outbox_due(tw_store *s, int64_t now_ms, const int64_t *skip,
                        size_t nskip, int limit, tw_store_outbox_fn fn,
                        void *ud);
/* The earliest next_attempt_ms of the pending rows not in skip; *found = 0
 * when there is none. */
int tw_store_outbox_next_due(tw_store *s, const int64_t *skip, size_t nskip,
                             int64_t *out_ms, int *found);
/* Every pending row due no later than now_ms (a restart retries at once). */
int tw_store_outbox_due_all(tw_store *s, int64_t now_ms);
/* Outcomes: attempts is the total so far, error a one-line reason. */
int tw_store_outbox_done(tw_store *s, int64_t row_id, int attempts,
                         int64_t now_ms);
int tw_store_outbox_retry(tw_store *s, int64_t row_id, int attempts,
                          int64_t next_ms, const char *error);
int tw_store_outbox_failed(tw_store *s, int64_t row_id, int attempts,
                           int64_t now_ms, const char *error);
/* Rows pending and failed (for /metrics). */
int tw_store_outbox_counts(tw_store *s, int64_t *pending, int64_t *failed);
/* Every row (row id order; id may be NULL = all, else that notification's
 * rows). */
int tw_store_outbox_list(tw_store *s, const char *id, tw_store_outbox_fn fn,
                         void *ud);
/* Retention: delete done and failed rows finished before before_ms. */
int tw_store_outbox_expire(tw_store *s, int64_t before_ms, int64_t *deleted);

/* ---- live source progress (progress.c) -------------------------------- */

/* An object of a followed directory (--follow DIR), written in the same
 * transaction as its events: it is never read twice unless it changes.
 * errors = TW_STORE_OBJECT_PARTIAL: only the first `events` events of
 * the content (sha256, size) are committed yet (a large object is
 * committed in several transactions); the rest is still to be read. */
#define TW_STORE_OBJECT_PARTIAL (-1)
typedef struct tw_store_object {
  const char *source;       /* the followed directory (absolute) */
  const char *path;         /* the object, relative to source */
  int64_t size, mtime_ns;   /* as read */
  int64_t events;           /* events its content yields */
  int64_t errors;           /* problems reported reading it */
  const unsigned char *sha256; /* 32 bytes: hash of the bytes read */
  int64_t done_ms;
} tw_store_object;
typedef int (*tw_store_object_fn)(const tw_store_object *o, void *ud);

/* Insert or replace the row of (o->source, o->path). */
int tw_store_object_put(tw_store *s, const tw_store_object *o);
/* Every object row of source, in path order. */
int tw_store_object_list(tw_store *s, const char *source,
                         tw_store_object_fn fn, void *ud);
/* Delete the row of (source, path) (none: TW_OK). */
int tw_store_object_delete(tw_store *s, const char *source,
                           const char *path);
/* Delete up to limit (-1: all) rows of source whose mtime_ns is before
 * before_ns; deleted (may be NULL) gets their number. */
int tw_store_object_expire(tw_store *s, const char *source,
                           int64_t before_ns, int64_t limit,
                           int64_t *deleted);

/* A followed file (--follow FILE): which file (dev, ino) the name was
 * read in and up to where; sig holds the bytes just before pos (up to
 * TW_STORE_TAIL_SIG), to recognise the same content after a restart. */
#define TW_STORE_TAIL_SIG 64
typedef struct tw_store_tail {
  int64_t dev, ino, pos;
  unsigned char sig[TW_STORE_TAIL_SIG];
  size_t sig_len;
  int64_t updated_ms;
} tw_store_tail;

int tw_store_tail_get(tw_store *s, const char *path, tw_store_tail *out);
int tw_store_tail_put(tw_store *s, const char *path, const tw_store_tail *t);

#endif /* TW_STORE_H */
