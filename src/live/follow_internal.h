/*
 * follow_internal.h — what the live sources of `trailwatch serve
 * --follow` share: the source handle (one thread each), event batches
 * (one transaction each), the line splitter of files and standard input,
 * and the per-kind entry points (follow_dir.c, follow_file.c,
 * follow_stdin.c). follow.c starts and stops them.
 */
#ifndef TW_FOLLOW_INTERNAL_H
#define TW_FOLLOW_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "live/live.h"
#include "store/store.h"
#include "util/log.h"
#include "util/util.h"

#define TW_FOLLOW_BATCH_EVENTS 4096      /* events per transaction (soft) */
#define TW_FOLLOW_BATCH_BYTES (8u << 20) /* message bytes per transaction */
#define TW_FOLLOW_BATCH_MS 100           /* oldest pending event waits at most */
#define TW_FOLLOW_MAX_LINE (16u << 20)   /* longer lines are dropped */

typedef enum tw_follow_kind {
  TW_FOLLOW_DIR = 0,
  TW_FOLLOW_FILE = 1,
  TW_FOLLOW_STDIN = 2
} tw_follow_kind;

/* One --follow path: one thread. */
typedef struct tw_fsrc {
  tw_api *api;
  struct tw_log *log;
  const char *group;        /* log group (borrowed from tw_follow) */
  tw_follow_kind kind;
  char *path;               /* canonical absolute path, "-" for stdin */
  char *source;             /* counter name: "follow:PATH" or "stdin" */
  int stop_fd;              /* eventfd, readable once stopping */
  atomic_int *stopping;
  pthread_t thread;
  int started;
  void *state;              /* per kind */
} tw_fsrc;

/* 1 once tw_follow_stop has been called. */
int tw_follow_stopping(const tw_fsrc *s);
/* Wait for fd (-1: none) to be readable, at most timeout_ms (-1: no
 * limit): 1 readable, 0 timed out, -1 stopping. */
int tw_follow_wait(const tw_fsrc *s, int fd, int timeout_ms);
/* Format v in buf (for tw_log_kv values). */
const char *tw_follow_num(char *buf, size_t cap, int64_t v);

/* ---- batches (follow_batch.c) ---- */

/* Events gathered for one transaction; messages are copied. */
typedef struct tw_fbatch {
  tw_buf text;
  int64_t *ts;
  size_t *off, *len;
  size_t n, cap;
  int64_t first_ms;         /* wall clock when the first event came */
} tw_fbatch;

int tw_fbatch_add(tw_fbatch *b, int64_t ts, const char *msg, size_t len);
void tw_fbatch_clear(tw_fbatch *b);
void tw_fbatch_free(tw_fbatch *b);
/* 1 when b should be committed now (size or age). */
int tw_fbatch_full(const tw_fbatch *b, int64_t now_ms);
/* Ingest events [from, to) of b into stream (lock and transaction held). */
int tw_fbatch_ingest(tw_fsrc *s, const tw_fbatch *b, size_t from, size_t to,
                     const char *stream, int64_t now_ms, tw_live_counts *c);

/* Run fn inside a transaction under the API lock; a failure rolls back
 * and is logged. The counts of the batch are logged after the commit. */
typedef int (*tw_ftx_fn)(tw_fsrc *s, void *ud, int64_t now_ms,
                         tw_live_counts *c);
int tw_follow_tx(tw_fsrc *s, tw_ftx_fn fn, void *ud);

/* Collects the problems src/ingest reports (opts.on_error). */
typedef struct tw_ferrs {
  uint64_t count;
  int64_t base;             /* added to reported offsets */
  int64_t first_offset;
  char first[200];
} tw_ferrs;

void tw_ferrs_cb(void *ctx, const char *source, int64_t offset,
                 const char *reason);
void tw_ferrs_reset(tw_ferrs *e);
/* A reader whose errors go to e. */
int tw_follow_ingest_new(tw_ferrs *e, tw_ingest **out);

/* Feeds the events src/ingest finds into a batch, the first skip of them
 * excepted; events without a time get now_ms. */
typedef struct tw_fevents {
  tw_fbatch *b;
  int64_t now_ms;
  uint64_t seen, skip;
} tw_fevents;

int tw_fevents_cb(void *ctx, const tw_ingest_event *ev);

/* ---- lines of files and standard input (follow_lines.c) ---- */

typedef struct tw_flines {
  tw_buf carry;             /* bytes read, not taken yet */
  int64_t pos;              /* input offset of carry.data[0] */
  int skipping;             /* dropping an overlong line */
  unsigned char sig[TW_STORE_TAIL_SIG];
  size_t sig_len;           /* the last bytes before pos */
  tw_ingest *in;
  tw_ferrs errs;            /* since the last tw_flines_report */
} tw_flines;

int tw_flines_init(tw_flines *l);
void tw_flines_free(tw_flines *l);
/* Forget everything read; continue at pos. */
void tw_flines_reset(tw_flines *l, int64_t pos);
int tw_flines_append(tw_flines *l, const void *data, size_t n);
/* Turn the complete lines of carry into events of b (and with final the
 * unterminated rest), until b is full. TW_OK or TW_ENOMEM. */
int tw_flines_take(tw_flines *l, tw_fbatch *b, int64_t now_ms, int final);
/* Log (warn) the bad lines met since the last report. */
void tw_flines_report(tw_fsrc *s, tw_flines *l);

/* ---- the sources ---- */

/* Prepare (in tw_follow_start: fail there when the path cannot be
 * followed), run (the thread), free. */
int tw_fdir_prepare(tw_fsrc *s, tw_error *err);
void *tw_fdir_main(void *arg);
void tw_fdir_free(tw_fsrc *s);

int tw_ffile_prepare(tw_fsrc *s, tw_error *err);
void *tw_ffile_main(void *arg);
void tw_ffile_free(tw_fsrc *s);

void *tw_fstdin_main(void *arg);

#endif /* TW_FOLLOW_INTERNAL_H */
