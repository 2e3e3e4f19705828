/*
 * store.h — durable state of `trailwatch serve` in one SQLite database
 * (WAL mode): log groups, streams, log events, metric filter versions,
 * PutMetricData datapoints, alarms and their history.
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

#endif /* TW_STORE_H */
