/*
 * api_internal.h — what the operation files of src/api/ share: the server
 * handle, the per-request context, input validation helpers that produce
 * AWS-shaped errors, and the engine (metric filters, metrics, alarms).
 *
 * Operation files: logs_groups.c (groups, streams, retention),
 * logs_events.c (Put/Get/FilterLogEvents), logs_filters.c (metric
 * filters, TestMetricFilter), cw_alarms.c, cw_metrics.c. Engine files:
 * engine_filters.c (live filters, replay), engine_alarms.c (alarm state,
 * evaluation, history), engine_metrics.c (PutMetricData datums).
 */
#ifndef TW_API_INTERNAL_H
#define TW_API_INTERNAL_H

#include <jansson.h>
#include <pthread.h>

#include "api/api.h"
#include "store/store.h"

/* ---- engine state ------------------------------------------------------ */

typedef struct tw_api_filter {
  int64_t id;              /* store version id */
  char *name;
  tw_pattern *pattern;
  tw_transform *transform;
  tw_metric_filter_acc *acc;
  int fed; /* has seen an event: its clock may be advanced */
} tw_api_filter;

typedef struct tw_api_group_rt {
  int64_t group_id;
  tw_api_filter **filters;
  size_t n;
  tw_filter_set *set;        /* over the filters' patterns */
  tw_filter_scratch *scratch;
  unsigned char *matched;
} tw_api_group_rt;

typedef struct tw_api_alarm {
  char *name;
  tw_alarm *alarm;
  json_t *config;            /* PutMetricAlarm input (normalized) */
  int64_t config_ms;
  tw_alarm_record rec;
  int64_t last_eval_ms;
} tw_api_alarm;

/* Operational counters for /metrics (stats.c); updated with the lock held. */
typedef struct tw_api_counters {
  json_t *ingested;             /* source name -> events ingested */
  uint64_t deliveries_ok;       /* delivery attempts that succeeded */
  uint64_t delivery_failures;   /* delivery attempts that failed */
  uint64_t deliveries_given_up; /* rows marked failed for good */
  uint64_t evaluations;         /* alarm evaluations run */
  int64_t eval_lag_ms;          /* last tick: how late past its due time */
} tw_api_counters;

struct tw_api {
  pthread_mutex_t lock;      /* tw_api_lock: held around every use */
  struct tw_log *log;        /* borrowed, may be NULL */
  tw_store *store;
  tw_metric_store *metrics;
  json_t *units;             /* metric id -> last unit seen */
  char region[32];
  char account[16];
  int eval_interval_s;
  int64_t lateness_ms;
  int64_t last_tick_ms;
  int64_t last_retention_ms;
  tw_api_group_rt **groups;  /* groups with live metric filters */
  size_t ngroups;
  tw_api_alarm **alarms;     /* sorted by name */
  size_t nalarms;
  json_t *targets;           /* action ARN -> target (from --config) */
  uint64_t request_seq;
  tw_api_counters counters;
  /* outbox workers (src/live/outbox.c): called, lock held, when outbox
   * rows were added (tw_api_set_outbox_wake) */
  void (*outbox_wake)(void *ud);
  void *outbox_wake_ud;
};

/* Count n events ingested from source ("PutLogEvents", "follow:PATH",
 * "stdin"); lock held. */
void tw_api_note_ingested(tw_api *api, const char *source, uint64_t n);
/* Insert b into stream stream_id of group group_id at now_ms, feed the
 * group's live metric filters and count the events for source: what
 * PutLogEvents and the live sources (ingest_live.c) share. *last_seq (may
 * be NULL) receives the last sequence number inserted, 0 when none. Lock
 * and transaction held. */
int tw_api_events_store(tw_api *api, int64_t group_id, int64_t stream_id,
                        const tw_live_batch *b, int64_t now_ms,
                        const char *source, int64_t *last_seq);
/* Count one delivery attempt's outcome; lock held. */
void tw_api_note_delivery(tw_api *api, int ok, int gave_up);

/* ---- request context --------------------------------------------------- */

typedef struct tw_api_ctx {
  tw_api *api;
  tw_api_service svc;
  const char *op;
  json_t *in;
  json_t *out;
  int64_t now_ms;
  /* the error, when an operation fails */
  int status;
  char code[64];
  char message[1024];
} tw_api_ctx;

typedef int (*tw_api_op_fn)(tw_api_ctx *c);

/* Record an error (status, code, printf message); returns TW_EINVAL. For
 * CloudWatch, code is the query code. */
int tw_api_fail(tw_api_ctx *c, int status, const char *code, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
/* The service's generic validation error (Logs: InvalidParameterException,
 * CloudWatch: InvalidParameterValue). */
int tw_api_invalid(tw_api_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 500 for store/memory failures. */
int tw_api_internal(tw_api_ctx *c, int rc);

/* Input getters. They return TW_OK with *out set (NULL / unchanged when
 * absent and not required), or fail c with the right AWS error: wrong
 * JSON type -> SerializationException; missing required -> Logs
 * InvalidParameterException / CloudWatch MissingParameter; length/range
 * -> the service's validation error. */
int tw_in_str(tw_api_ctx *c, json_t *o, const char *key, int required,
              size_t minlen, size_t maxlen, const char **out);
int tw_in_int(tw_api_ctx *c, json_t *o, const char *key, int required,
              int64_t min, int64_t max, int64_t *out, int *present);
int tw_in_num(tw_api_ctx *c, json_t *o, const char *key, int required,
              double *out, int *present);
int tw_in_bool(tw_api_ctx *c, json_t *o, const char *key, int *out);
int tw_in_array(tw_api_ctx *c, json_t *o, const char *key, int required,
                size_t min, size_t max, json_t **out);
int tw_in_object(tw_api_ctx *c, json_t *o, const char *key, int required,
                 json_t **out);
/* CloudWatch timestamp (epoch seconds number or ISO-8601 string) in ms. */
int tw_in_time(tw_api_ctx *c, json_t *o, const char *key, int required,
               int64_t *out_ms, int *present);
/* Reject keys outside allowed (NULL-terminated) with SerializationException?
 * No: AWS ignores unknown members; kept for symmetry, not used. */

/* Pagination tokens: opaque base64url of text. */
int tw_token_encode(const char *text, char **out);
/* Decode; returns NULL for a malformed token. */
char *tw_token_decode(const char *token);

/* Set out[key] (steals value); NULL value is ignored. */
int tw_out_set(tw_api_ctx *c, json_t *obj, const char *key, json_t *value);
/* Epoch ms as an awsJson timestamp (epoch seconds, fractional). */
json_t *tw_json_epoch_seconds(int64_t ms);

/* ---- operations ---------------------------------------------------------- */

int tw_op_create_log_group(tw_api_ctx *c);
int tw_op_delete_log_group(tw_api_ctx *c);
int tw_op_describe_log_groups(tw_api_ctx *c);
int tw_op_create_log_stream(tw_api_ctx *c);
int tw_op_delete_log_stream(tw_api_ctx *c);
int tw_op_describe_log_streams(tw_api_ctx *c);
int tw_op_put_retention_policy(tw_api_ctx *c);
int tw_op_delete_retention_policy(tw_api_ctx *c);
int tw_op_put_log_events(tw_api_ctx *c);
int tw_op_get_log_events(tw_api_ctx *c);
int tw_op_filter_log_events(tw_api_ctx *c);
int tw_op_put_metric_filter(tw_api_ctx *c);
int tw_op_describe_metric_filters(tw_api_ctx *c);
int tw_op_delete_metric_filter(tw_api_ctx *c);
int tw_op_test_metric_filter(tw_api_ctx *c);

int tw_op_put_metric_alarm(tw_api_ctx *c);
int tw_op_describe_alarms(tw_api_ctx *c);
int tw_op_describe_alarms_for_metric(tw_api_ctx *c);
int tw_op_describe_alarm_history(tw_api_ctx *c);
int tw_op_delete_alarms(tw_api_ctx *c);
int tw_op_set_alarm_state(tw_api_ctx *c);
int tw_op_enable_alarm_actions(tw_api_ctx *c);
int tw_op_disable_alarm_actions(tw_api_ctx *c);
int tw_op_put_metric_data(tw_api_ctx *c);
int tw_op_get_metric_statistics(tw_api_ctx *c);
int tw_op_get_metric_data(tw_api_ctx *c);
int tw_op_list_metrics(tw_api_ctx *c);

/* Log group lookup by logGroupName / logGroupIdentifier (name or ARN);
 * ResourceNotFoundException when absent. */
int tw_logs_find_group(tw_api_ctx *c, int required_name,
                       tw_store_group *out);

/* ---- engine -------------------------------------------------------------- */

/* Metric filters (engine_filters.c). */
int tw_engine_filters_load(tw_api *api, int64_t now_ms, tw_error *err);
void tw_engine_filters_free(tw_api *api);
/* Compile a filter version and make it live for its group, replacing the
 * live filter of the same name (flushed). */
int tw_engine_filter_add(tw_api *api, const tw_store_filter *f,
                         tw_error *err);
/* Compile-only check of a PutMetricFilter (pattern + transformation). */
int tw_engine_filter_check(const char *pattern, json_t *transforms,
                           tw_error *err);
/* Drop the live filter (name NULL = every filter of the group). */
void tw_engine_filter_remove(tw_api *api, int64_t group_id, const char *name);
/* Feed one ingested event of a group to its live filters. */
int tw_engine_filters_event(tw_api *api, int64_t group_id, int64_t ts,
                            const char *msg, size_t len);
/* Advance every live filter's clock to now_ms. */
int tw_engine_filters_advance(tw_api *api, int64_t now_ms);

/* PutMetricData datums (engine_metrics.c). */
int tw_engine_metric_apply(tw_api *api, const char *ns, json_t *datum,
                           int64_t ts_ms);
int tw_engine_metrics_load(tw_api *api, int64_t now_ms);
/* Unit last stored for a metric, NULL when unknown. */
const char *tw_engine_metric_unit(tw_api *api, const tw_metric_key *k);
int tw_engine_metric_note_unit(tw_api *api, const tw_metric_key *k,
                               const char *unit);
/* Parse a Dimensions array ([{Name, Value}]) into dims (borrowed
 * strings); at most cap. */
int tw_engine_dims(json_t *arr, tw_metric_dimension *dims, size_t cap,
                   size_t *n);

/* Alarms (engine_alarms.c). */
int tw_engine_alarms_load(tw_api *api, tw_error *err);
void tw_engine_alarms_free(tw_api *api);
/* Rebuild the alarms from the database after a rollback. */
int tw_engine_alarms_reload(tw_api *api);
tw_api_alarm *tw_engine_alarm_find(tw_api *api, const char *name);
/* PutMetricAlarm: insert or replace (keeps state), history, evaluate. */
int tw_engine_alarm_put(tw_api_ctx *c, const char *json, size_t len);
int tw_engine_alarm_delete(tw_api *api, const char *name);
int tw_engine_alarm_set_actions(tw_api *api, tw_api_alarm *al, int enabled);
int tw_engine_alarm_set_state(tw_api_ctx *c, tw_api_alarm *al,
                              const char *state, const char *reason,
                              const char *reason_data);
int tw_engine_alarm_evaluate(tw_api *api, tw_api_alarm *al, int64_t now_ms);
/* MetricAlarm output object of DescribeAlarms. */
json_t *tw_engine_alarm_describe(tw_api *api, const tw_api_alarm *al);

/* Notification outbox (engine_outbox.c). */
/* The stable notification id of one action of a state change: SHA-256 of
 * (alarm, transition time, new state, action ARN) shaped as a UUID
 * (8-4-4-4-12 lower-case hex, version 5 and RFC 4122 variant bits). */
void tw_engine_notification_id(const char *alarm, int64_t time_ms,
                               const char *state, const char *action,
                               char out[37]);
/* Add the outbox rows of one action of a state change (inside the state
 * change's transaction): one per delivery of the action's target in
 * --config, or one stdout delivery when it has none; then wake the
 * workers. subject may be NULL. */
int tw_engine_outbox_add(tw_api *api, const char *alarm, const char *state,
                         const char *action, const char *subject,
                         const char *message, int64_t time_ms);
/* The "Action" history item of a delivery whose outcome is known
 * (failure NULL = succeeded), also for an alarm deleted meanwhile. */
int tw_engine_outbox_history(tw_api *api, const char *alarm,
                             const char *action, const char *failure,
                             int64_t now_ms);

#endif /* TW_API_INTERNAL_H */
