/*
 * outbox.c — the delivery workers of the durable notification outbox
 * (rows in src/store/outbox.c, added by the engine in the transaction of
 * each alarm state change). N threads claim due rows under the api lock,
 * deliver them through src/notify/ without the lock (a hanging receiver
 * never blocks evaluation or requests), then record done / retry with
 * exponential backoff / failed, the Action history item and the /metrics
 * counters. See live.h for the policy and docs/notify.md for users.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_internal.h"
#include "config/config.h"
#include "live/live.h"
#include "notify/notify.h"
#include "util/log.h"

#define TW_OB_MAX_WORKERS 64
#define TW_OB_IDLE_MS 60000  /* longest sleep without a wake-up */
#define TW_OB_ERROR_MS 1000  /* pause after a database error */
#define TW_OB_MAX_DELAY_MS 86400000LL /* bound of the retry settings: a day */

struct tw_outbox {
  tw_api *api;
  tw_outbox_opts o;
  pthread_mutex_t mu;  /* gen, stopping */
  pthread_cond_t cv;
  uint64_t gen;        /* bumped by every wake-up */
  int stopping;
  int64_t inflight[TW_OB_MAX_WORKERS]; /* row ids being delivered (api lock) */
  size_t ninflight;
  pthread_t threads[TW_OB_MAX_WORKERS];
  unsigned seeds[TW_OB_MAX_WORKERS];   /* jitter, one per worker */
  int nthreads;
};

/* A claimed row, owned by the worker during its attempt. */
typedef struct tw_ob_job {
  int64_t row_id;
  char *id, *alarm, *action, *delivery, *subject, *message;
  int64_t timestamp_ms;
  int attempts;
} tw_ob_job;

typedef struct tw_ob_worker {
  tw_outbox *ob;
  unsigned *seed;
} tw_ob_worker;

/* ---- options ------------------------------------------------------------- */

/* A positive integer from the environment, at most max; else dflt. */
static long long tw_ob_env(const char *name, long long dflt, long long max) {
  const char *v = getenv(name);
  char *end = NULL;
  errno = 0;
  long long n = v ? strtoll(v, &end, 10) : 0;
  if (!v || !*v || !end || *end || errno || n <= 0)
    return dflt;
  return n < max ? n : max;
}

static void tw_ob_options(const tw_outbox_opts *o, tw_outbox_opts *out) {
  tw_outbox_opts z = {0, 0, 0, 0};
  if (!o)
    o = &z;
  out->workers = o->workers > 0 ? o->workers : 4;
  if (out->workers > TW_OB_MAX_WORKERS)
    out->workers = TW_OB_MAX_WORKERS;
  out->max_attempts =
      o->max_attempts > 0
          ? o->max_attempts
          : (int)tw_ob_env("TW_OUTBOX_MAX_ATTEMPTS", 20, 100000);
  out->backoff_ms = o->backoff_ms > 0
                        ? o->backoff_ms
                        : tw_ob_env("TW_OUTBOX_BACKOFF_MS", 1000, TW_OB_MAX_DELAY_MS);
  out->backoff_max_ms = o->backoff_max_ms > 0
                            ? o->backoff_max_ms
                            : tw_ob_env("TW_OUTBOX_BACKOFF_MAX_MS", 300000, TW_OB_MAX_DELAY_MS);
  if (out->backoff_ms > TW_OB_MAX_DELAY_MS)
    out->backoff_ms = TW_OB_MAX_DELAY_MS;
  if (out->backoff_max_ms > TW_OB_MAX_DELAY_MS)
    out->backoff_max_ms = TW_OB_MAX_DELAY_MS;
  if (out->backoff_max_ms < out->backoff_ms)
    out->backoff_max_ms = out->backoff_ms;
}

/* Delay before the attempt after `attempts` failed ones: backoff_ms
 * doubled per failed attempt, capped at backoff_max_ms, plus up to 10%
 * jitter (added after the cap, so that rows failing together during an
 * outage do not retry in lockstep at the cap). */
static int64_t tw_ob_backoff(const tw_outbox_opts *o, int attempts,
                             unsigned *seed) {
  int64_t d = o->backoff_ms;
  for (int i = 1; i < attempts && d < o->backoff_max_ms; i++)
    d *= 2; /* both bounded by a day: no overflow */
  if (d > o->backoff_max_ms)
    d = o->backoff_max_ms;
  return d + (int64_t)((uint64_t)rand_r(seed) % (uint64_t)(d / 10 + 1));
}

/* ---- waking and sleeping ----------------------------------------------------- */

static void tw_ob_wake(void *ud) {
  tw_outbox *ob = ud;
  pthread_mutex_lock(&ob->mu);
  ob->gen++;
  pthread_cond_broadcast(&ob->cv);
  pthread_mutex_unlock(&ob->mu);
}

/* 1 when stopping; else the current wake-up generation in *gen. */
static int tw_ob_stopping(tw_outbox *ob, uint64_t *gen) {
  pthread_mutex_lock(&ob->mu);
  int stop = ob->stopping;
  *gen = ob->gen;
  pthread_mutex_unlock(&ob->mu);
  return stop;
}

/* Sleep until until_ms (epoch), a wake-up after gen, or stop. */
static void tw_ob_sleep(tw_outbox *ob, uint64_t gen, int64_t until_ms) {
  /* the deadline on the monotonic clock: a step of the wall clock cannot
   * stretch one wait beyond TW_OB_IDLE_MS */
  int64_t wait = until_ms - tw_api_now_ms();
  if (wait > TW_OB_IDLE_MS)
    wait = TW_OB_IDLE_MS;
  if (wait < 0)
    wait = 0;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += (time_t)(wait / 1000);
  ts.tv_nsec += (long)(wait % 1000) * 1000000L;
  ts.tv_sec += ts.tv_nsec / 1000000000L;
  ts.tv_nsec %= 1000000000L;
  pthread_mutex_lock(&ob->mu);
  while (!ob->stopping && ob->gen == gen && tw_api_now_ms() < until_ms)
    if (pthread_cond_timedwait(&ob->cv, &ob->mu, &ts) == ETIMEDOUT)
      break;
  pthread_mutex_unlock(&ob->mu);
}

/* ---- claiming ------------------------------------------------------------------ */

static void tw_ob_job_free(tw_ob_job *j) {
  free(j->id);
  free(j->alarm);
  free(j->action);
  free(j->delivery);
  free(j->subject);
  free(j->message);
  memset(j, 0, sizeof *j);
}

static int tw_ob_copy(const tw_store_outbox_row *r, void *ud) {
  tw_ob_job *j = ud;
  j->row_id = r->row_id;
  j->timestamp_ms = r->timestamp_ms;
  j->attempts = r->attempts;
  j->id = strdup(r->id);
  j->alarm = strdup(r->alarm);
  j->action = strdup(r->action);
  j->delivery = strdup(r->delivery);
  j->subject = r->subject ? strdup(r->subject) : NULL;
  j->message = strdup(r->message);
  if (!j->id || !j->alarm || !j->action || !j->delivery || !j->message ||
      (r->subject && !j->subject)) {
    tw_ob_job_free(j);
    return TW_ENOMEM;
  }
  return 1;
}

/* Lock held: forget row_id as in flight. */
static void tw_ob_release(tw_outbox *ob, int64_t row_id) {
  for (size_t i = 0; i < ob->ninflight; i++)
    if (ob->inflight[i] == row_id) {
      ob->inflight[i] = ob->inflight[--ob->ninflight];
      return;
    }
}

/* Claim one due row into *j: 1 claimed, 0 none (*next_ms = when the next
 * one is due, or 0 when none is pending), < 0 an error. */
static int tw_ob_claim(tw_outbox *ob, tw_ob_job *j, int64_t *next_ms) {
  tw_api *api = ob->api;
  int found = 0;
  *next_ms = 0;
  tw_api_lock(api);
  int rc = tw_store_outbox_due(api->store, tw_api_now_ms(), ob->inflight,
                               ob->ninflight, 1, tw_ob_copy, j);
  if (rc == 1)
    ob->inflight[ob->ninflight++] = j->row_id;
  else if (rc == TW_OK)
    rc = tw_store_outbox_next_due(api->store, ob->inflight, ob->ninflight,
                                  next_ms, &found);
  if (rc < 0)
    tw_log_kv(tw_api_log(api), TW_LOG_ERROR, "outbox.error", "error",
              tw_strerror(rc), "detail", tw_store_errmsg(api->store), NULL);
  tw_api_unlock(api);
  if (rc == TW_OK && !found)
    *next_ms = 0;
  return rc;
}

/* ---- one attempt ------------------------------------------------------------------ */

/* Build the delivery of j and deliver it once; r is always filled. */
static void tw_ob_deliver(const tw_ob_job *j, tw_delivery_result *r,
                          char *type, size_t cap) {
  tw_delivery_def def;
  tw_error err;
  char name[48];
  memset(&def, 0, sizeof def);
  memset(&err, 0, sizeof err);
  memset(r, 0, sizeof *r);
  snprintf(type, cap, "?");
  snprintf(name, sizeof name, "outbox row %lld", (long long)j->row_id);
  json_t *dj = json_loads(j->delivery, 0, NULL);
  int rc = dj ? tw_config_delivery_parse(dj, name, &def, &err)
              : tw_error_set(&err, TW_EINVAL, 0, "%s: not JSON", name);
  if (rc == TW_OK) {
    tw_delivery d;
    tw_notification n = {j->id, j->action, j->subject, j->message,
                         j->timestamp_ms};
    snprintf(type, cap, "%s", def.type_name);
    tw_config_delivery_to_notify(&def, &d);
    tw_deliver(&d, &n, r);
  } else {
    r->retryable = rc == TW_ENOMEM;
    snprintf(r->detail, sizeof r->detail, "%s", err.message);
  }
  tw_config_delivery_clear(&def);
  json_decref(dj);
}

typedef struct tw_ob_outcome {
  int attempts;
  int final;     /* done or failed: no more attempts */
  int64_t delay; /* retry: in how many ms */
} tw_ob_outcome;

/* Lock held: store the outcome of j's attempt (one transaction). */
static int tw_ob_store(tw_api *api, const tw_ob_job *j,
                       const tw_delivery_result *r, const tw_ob_outcome *oc,
                       int64_t now) {
  tw_store *s = api->store;
  int rc = tw_store_begin(s);
  if (rc)
    return rc;
  if (r->ok)
    rc = tw_store_outbox_done(s, j->row_id, oc->attempts, now);
  else if (!oc->final)
    rc = tw_store_outbox_retry(s, j->row_id, oc->attempts, now + oc->delay,
                               r->detail);
  else
    rc = tw_store_outbox_failed(s, j->row_id, oc->attempts, now, r->detail);
  if (rc == TW_OK && oc->final)
    rc = tw_engine_outbox_history(api, j->alarm, j->action,
                                  r->ok ? NULL : r->detail, now);
  if (rc) {
    tw_store_rollback(s);
    return rc;
  }
  return tw_store_commit(s);
}

static void tw_ob_log(tw_api *api, const tw_ob_job *j,
                      const tw_delivery_result *r, const tw_ob_outcome *oc,
                      const char *type) {
  char attempt[16], delay[24];
  snprintf(attempt, sizeof attempt, "%d", oc->attempts);
  snprintf(delay, sizeof delay, "%lld", (long long)oc->delay);
  if (r->ok)
    tw_log_kv(tw_api_log(api), TW_LOG_INFO, "delivery.ok", "alarm", j->alarm,
              "id", j->id, "action", j->action, "target", type, "attempt",
              attempt, NULL);
  else
    tw_log_kv(tw_api_log(api), TW_LOG_WARN, "delivery.failed", "alarm",
              j->alarm, "id", j->id, "action", j->action, "target", type,
              "attempt", attempt, "retry_in_ms", oc->final ? NULL : delay,
              "gave_up", oc->final ? "true" : NULL, "detail", r->detail,
              NULL);
}

/* Deliver a claimed row once and record the outcome; TW_OK or the store's
 * error (the row then stays pending as it was). */
static int tw_ob_attempt(tw_outbox *ob, unsigned *seed, const tw_ob_job *j) {
  tw_delivery_result res;
  tw_delivery_result *r = &res;
  char type[16];
  tw_ob_deliver(j, r, type, sizeof type);
  tw_ob_outcome oc = {j->attempts + 1, 0, 0};
  oc.final = r->ok || !r->retryable || oc.attempts >= ob->o.max_attempts;
  if (!oc.final)
    oc.delay = tw_ob_backoff(&ob->o, oc.attempts, seed);
  tw_api *api = ob->api;
  tw_api_lock(api);
  tw_ob_release(ob, j->row_id);
  int rc = tw_ob_store(api, j, r, &oc, tw_api_now_ms());
  if (rc == TW_OK)
    tw_api_note_delivery(api, r->ok, !r->ok && oc.final);
  else
    tw_log_kv(tw_api_log(api), TW_LOG_ERROR, "outbox.error", "id", j->id,
              "error", tw_strerror(rc), "detail",
              tw_store_errmsg(api->store), NULL);
  tw_api_unlock(api);
  tw_ob_log(api, j, r, &oc, type);
  return rc;
}

/* ---- threads ------------------------------------------------------------------------ */

static void *tw_ob_main(void *arg) {
  tw_ob_worker w = *(tw_ob_worker *)arg;
  free(arg);
  tw_outbox *ob = w.ob;
  uint64_t gen;
  while (!tw_ob_stopping(ob, &gen)) {
    tw_ob_job j;
    int64_t next = 0;
    memset(&j, 0, sizeof j);
    int rc = tw_ob_claim(ob, &j, &next);
    if (rc == 1) {
      rc = tw_ob_attempt(ob, w.seed, &j);
      tw_ob_job_free(&j);
      if (rc == TW_OK)
        continue;
    }
    int64_t now = tw_api_now_ms();
    int64_t until = rc < 0   ? now + TW_OB_ERROR_MS
                    : next   ? next
                             : now + TW_OB_IDLE_MS;
    if (until > now + TW_OB_IDLE_MS)
      until = now + TW_OB_IDLE_MS;
    tw_ob_sleep(ob, gen, until);
  }
  return NULL;
}

static int tw_ob_spawn(tw_outbox *ob, int i) {
  tw_ob_worker *w = malloc(sizeof *w);
  if (!w)
    return TW_ENOMEM;
  ob->seeds[i] = (unsigned)tw_api_now_ms() ^ (unsigned)(i * 2654435761u);
  w->ob = ob;
  w->seed = &ob->seeds[i];
  if (pthread_create(&ob->threads[i], NULL, tw_ob_main, w)) {
    free(w);
    return TW_EIO;
  }
  return TW_OK;
}

/* Register the wake-up and make every pending row due (lock taken). */
static int tw_ob_attach(tw_outbox *ob) {
  tw_api_lock(ob->api);
  int rc = tw_store_outbox_due_all(ob->api->store, tw_api_now_ms());
  if (rc == TW_OK)
    tw_api_set_outbox_wake(ob->api, tw_ob_wake, ob);
  tw_api_unlock(ob->api);
  return rc;
}

int tw_outbox_start(tw_api *api, const tw_outbox_opts *o, tw_outbox **out,
                    tw_error *err) {
  tw_outbox *ob = calloc(1, sizeof *ob);
  if (!ob)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  ob->api = api;
  tw_ob_options(o, &ob->o);
  pthread_mutex_init(&ob->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&ob->cv, &ca);
  pthread_condattr_destroy(&ca);
  int rc = tw_ob_attach(ob);
  if (rc) {
    tw_error_set(err, rc, 0, "outbox: %s", tw_store_errmsg(api->store));
    tw_outbox_stop(ob);
    return rc;
  }
  for (int i = 0; rc == TW_OK && i < ob->o.workers; i++)
    if ((rc = tw_ob_spawn(ob, i)) == TW_OK)
      ob->nthreads++;
  if (rc) {
    tw_error_set(err, rc, 0, "outbox: cannot start the delivery workers");
    tw_outbox_stop(ob);
    return rc;
  }
  *out = ob;
  return TW_OK;
}

void tw_outbox_stop(tw_outbox *ob) {
  if (!ob)
    return;
  tw_api_lock(ob->api);
  if (ob->api->outbox_wake_ud == ob)
    tw_api_set_outbox_wake(ob->api, NULL, NULL);
  tw_api_unlock(ob->api);
  pthread_mutex_lock(&ob->mu);
  ob->stopping = 1;
  pthread_cond_broadcast(&ob->cv);
  pthread_mutex_unlock(&ob->mu);
  for (int i = 0; i < ob->nthreads; i++)
    pthread_join(ob->threads[i], NULL);
  pthread_cond_destroy(&ob->cv);
  pthread_mutex_destroy(&ob->mu);
  free(ob);
}
