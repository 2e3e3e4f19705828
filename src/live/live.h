/*
 * live.h — the live parts of `trailwatch serve` around the API handle
 * (src/api/): the durable notification outbox and its delivery workers
 * (outbox.c), and the live sources that feed events into a log group
 * (follow.c: --follow DIR, --follow FILE, --follow - for standard input).
 *
 * Each part runs its own threads and reaches the shared state only through
 * the tw_api handle, holding tw_api_lock around every call. Data flows one
 * way: sources -> api (store + metric filters) -> alarm evaluation (ticker)
 * -> outbox rows (same transaction as the state change) -> workers ->
 * src/notify deliveries.
 */
#ifndef TW_LIVE_H
#define TW_LIVE_H

#include <stddef.h>

#include "api/api.h"

/* ---- outbox delivery workers (outbox.c) ---- */

/*
 * Each worker: under tw_api_lock, claim one due pending row (kept in
 * memory as in flight so no other worker takes it), unlock; build the
 * delivery from the row's JSON (tw_config_delivery_parse) and call
 * tw_deliver WITHOUT the lock; then lock and record, in one transaction:
 * done, a retry at now + backoff (backoff_ms * 2^(attempts-1), at most
 * backoff_max_ms, plus up to 10% jitter) when the failure is retryable and
 * attempts < max_attempts, else failed; the "Action" alarm history item is
 * written when the row is done or failed. Idle workers sleep until the
 * earliest next attempt or until the engine adds rows
 * (tw_api_set_outbox_wake). At start every pending row is made due: rows
 * in flight at a kill -9 are delivered again with the same id
 * (at-least-once).
 */

typedef struct tw_outbox tw_outbox;

/* Fields <= 0 take the defaults; the environment variables
 * TW_OUTBOX_BACKOFF_MS, TW_OUTBOX_BACKOFF_MAX_MS and TW_OUTBOX_MAX_ATTEMPTS
 * (positive integers) replace the defaults (tests, tuning). */
typedef struct tw_outbox_opts {
  int workers;             /* concurrent deliveries (default 4, at most 64) */
  int max_attempts;        /* then the row is marked failed (default 20) */
  long long backoff_ms;    /* first retry delay, doubled per attempt (1000) */
  long long backoff_max_ms;/* cap of the delay (300000) */
} tw_outbox_opts;

/* Start the workers; they deliver due outbox rows of api's store until
 * tw_outbox_stop. o may be NULL (defaults). Call without the api lock. */
int tw_outbox_start(tw_api *api, const tw_outbox_opts *o, tw_outbox **out,
                    tw_error *err);
/* Stop taking rows, let attempts in flight end (bounded by their
 * timeouts), join the threads, free ob (NULL is fine). Call without the
 * api lock; api must still be alive. */
void tw_outbox_stop(tw_outbox *ob);

/* ---- live sources (follow.c) ---- */

typedef struct tw_follow tw_follow;

typedef struct tw_follow_opts {
  const char *const *paths; /* directories, files, "-" = standard input */
  size_t npaths;
  const char *log_group;    /* default TW_CONFIG_DEFAULT_LOG_GROUP */
} tw_follow_opts;

/* Start one thread per path. Fails (nothing started) when a path does not
 * exist or cannot be watched. */
int tw_follow_start(tw_api *api, const tw_follow_opts *o, tw_follow **out,
                    tw_error *err);
/* Finish the batch in progress (committed or not started, never half),
 * join the threads. */
void tw_follow_stop(tw_follow *f);

#endif /* TW_LIVE_H */
