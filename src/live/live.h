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

typedef struct tw_outbox tw_outbox;

typedef struct tw_outbox_opts {
  int workers;             /* concurrent deliveries (default 4) */
  int max_attempts;        /* then the row is marked failed (default 20) */
  long long backoff_ms;    /* first retry delay, doubled per attempt (1000) */
  long long backoff_max_ms;/* cap of the delay (300000) */
} tw_outbox_opts;

/* Start the workers; they deliver due outbox rows of api's store until
 * tw_outbox_stop. o may be NULL (defaults). */
int tw_outbox_start(tw_api *api, const tw_outbox_opts *o, tw_outbox **out,
                    tw_error *err);
/* Stop taking rows, let attempts in flight end, join the threads. */
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
