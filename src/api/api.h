/*
 * api.h — the AWS-compatible API behind `trailwatch serve`.
 *
 * Two layers:
 *  - tw_api (engine + operations): a transport-free handle that owns the
 *    SQLite store (src/store/), the in-memory metric store, the live metric
 *    filters and alarms. tw_api_handle answers one request (X-Amz-Target +
 *    decoded JSON body) with an HTTP status, a JSON body and the
 *    x-amzn-query-error header value, exactly as CloudWatch Logs
 *    (Logs_20140328, awsJson 1.1) and CloudWatch (GraniteServiceVersion
 *    20100801, awsJson 1.0 with query compatibility) answer. tw_api_tick
 *    runs the alarm schedule (D22) and retention.
 *  - tw_http (http.c): the libmicrohttpd server: body limits, gzip,
 *    SigV4 (sigv4.c), then tw_api_handle under the handle's lock.
 * Everything is reachable from the handles: no global mutable state.
 */
#ifndef TW_API_H
#define TW_API_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"
#include "util/util.h"

typedef struct tw_api tw_api;

typedef struct tw_api_config {
  const char *db_path;      /* SQLite file, ":memory:" for tests */
  const char *region;       /* "us-east-1" when NULL */
  const char *account;      /* "123456789012" when NULL */
  int eval_interval_s;      /* 0 = D22 schedule (60 s, 10 s high-res) */
  int64_t lateness_ms;      /* metric filter minute closing delay */
} tw_api_config;

int tw_api_new(const tw_api_config *cfg, tw_api **out, tw_error *err);
void tw_api_free(tw_api *api);

/* Services, from the X-Amz-Target prefix. */
typedef enum tw_api_service {
  TW_SVC_UNKNOWN = 0,
  TW_SVC_LOGS = 1,
  TW_SVC_CLOUDWATCH = 2
} tw_api_service;

/* Service of a target ("Logs_20140328.PutLogEvents"); *op points at the
 * operation name inside target. */
tw_api_service tw_api_service_of(const char *target, const char **op);

typedef struct tw_api_response {
  int status;
  tw_buf body;              /* JSON text, not NUL-terminated */
  char query_error[128];    /* x-amzn-query-error value, "" = none */
  char request_id[40];
} tw_api_response;

void tw_api_response_free(tw_api_response *r);

/* Fill r with an error for service svc (also used by the HTTP layer for
 * authentication and size failures). */
int tw_api_error_response(tw_api_service svc, int status, const char *code,
                          const char *message, tw_api_response *r);

/* Answer one request at wall-clock time now_ms. body need not be
 * NUL-terminated. Always fills r (an error response on failure) and
 * returns TW_OK unless memory ran out. */
int tw_api_handle(tw_api *api, const char *target, const char *body,
                  size_t len, int64_t now_ms, tw_api_response *r);

/* Run due alarm evaluations and retention at now_ms. */
int tw_api_tick(tw_api *api, int64_t now_ms);
/* Evaluate every alarm now (tests). */
int tw_api_evaluate_all(tw_api *api, int64_t now_ms);

/* Preload the configuration a command line names (--config, --rules,
 * --parameter; src/config/config.h): loaded and checked whole, then
 * applied through the API operations. tw_api_preload and tw_api_reload
 * take the API lock themselves, for the apply step only: call them
 * without it. */
struct tw_config_sources;
int tw_api_preload(tw_api *api, const struct tw_config_sources *src,
                   int64_t now_ms, tw_error *err);

/* SIGHUP: load the configuration again and check all of it (a dry run of
 * every operation on a scratch handle) before applying anything; a file
 * that fails a check changes nothing and err says why. A database failure
 * while applying can leave part of it applied (docs/live.md). */
int tw_api_reload(tw_api *api, const struct tw_config_sources *src,
                  int64_t now_ms, tw_error *err);

/* Body size limit (bytes, before decompression) of an operation. */
size_t tw_api_body_limit(tw_api_service svc, const char *op);

/* The handle is not thread-safe: every thread (HTTP, ticker, outbox
 * workers, live sources) holds this lock around calls that take api. */
void tw_api_lock(tw_api *api);
void tw_api_unlock(tw_api *api);

/* Structured logs (borrowed; NULL = none). */
struct tw_log;
void tw_api_set_log(tw_api *api, struct tw_log *log);
struct tw_log *tw_api_log(tw_api *api);

/* The notification outbox workers (src/live/) register fn to be called
 * with ud, under the lock, whenever the engine adds outbox rows (they are
 * committed when the lock is released). fn NULL unregisters. Lock held. */
void tw_api_set_outbox_wake(tw_api *api, void (*fn)(void *ud), void *ud);

/* Wall clock in epoch milliseconds. */
int64_t tw_api_now_ms(void);

/* ---- live ingestion (ingest_live.c), for the sources of src/live/ ---- */

/* Events to ingest: n (timestamp ms, message) pairs, any time order. */
typedef struct tw_live_batch {
  const int64_t *ts;
  const char *const *msg;
  const size_t *len;
  size_t n;
} tw_live_batch;

/* Where they go: log group and stream (both created when missing) and
 * the source name of the ingestion counters ("follow:PATH", "stdin"). */
typedef struct tw_live_target {
  const char *group;
  const char *stream;
  const char *source;
} tw_live_target;

/* What happened to a batch; counters only grow (one struct can sum). */
typedef struct tw_live_counts {
  uint64_t ingested;
  uint64_t too_old;   /* older than 14 days */
  uint64_t expired;   /* older than the group's retention */
  uint64_t too_new;   /* more than 2 hours in the future */
} tw_live_counts;

/* Ingest b into t like PutLogEvents does (store, live metric filters,
 * counters), with its time rules applied per event: events outside the
 * window are skipped and counted in out, not errors. The caller holds
 * tw_api_lock and a transaction (tw_api_begin). Returns TW_OK, TW_EINVAL
 * (invalid group or stream name), TW_EIO or TW_ENOMEM. */
int tw_api_ingest_live(tw_api *api, const tw_live_target *t,
                       const tw_live_batch *b, int64_t now_ms,
                       tw_live_counts *out);

/* Create the log group when missing (lock and transaction held). */
int tw_api_ensure_group(tw_api *api, const char *group, int64_t now_ms);

/* 1 when name is a valid log group name (not starting with aws/). */
int tw_api_group_name_ok(const char *name);

/* Transactions of the live sources (lock held): a source's events and its
 * progress rows commit together or not at all. */
int tw_api_begin(tw_api *api);
int tw_api_commit(tw_api *api);
void tw_api_rollback(tw_api *api);

/* The store, for the live sources' progress rows (lock held). */
struct tw_store;
struct tw_store *tw_api_store(tw_api *api);

#endif /* TW_API_H */
