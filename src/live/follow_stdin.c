/*
 * follow_stdin.c — `--follow -`: NDJSON on standard input into the
 * stream "stdin" of the log group. Lines are taken as they arrive and
 * committed when the input pauses or a batch is full; end of input ends
 * the source (the server keeps running). Nothing is remembered across
 * restarts: what was read before a restart is not read again because it
 * cannot be (the input is consumed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/follow_internal.h"

#define TW_FSTDIN_CHUNK 65536

typedef struct tw_fstdin {
  tw_flines lines;
  tw_fbatch batch;
  char chunk[TW_FSTDIN_CHUNK];
} tw_fstdin;

static int tw_fstdin_tx(tw_fsrc *s, void *ud, int64_t now_ms,
                        tw_live_counts *c) {
  tw_fstdin *in = ud;
  return tw_fbatch_ingest(s, &in->batch, 0, in->batch.n, "stdin", now_ms, c);
}

static void tw_fstdin_flush(tw_fsrc *s, tw_fstdin *in) {
  tw_flines_report(s, &in->lines);
  if (in->batch.n)
    (void)tw_follow_tx(s, tw_fstdin_tx, in);
  tw_fbatch_clear(&in->batch);
}

/* Take what is buffered, committing whenever a batch fills up. */
static int tw_fstdin_take(tw_fsrc *s, tw_fstdin *in, int final) {
  for (;;) {
    int rc = tw_flines_take(&in->lines, &in->batch, tw_api_now_ms(), final);
    if (rc)
      return rc;
    if (!tw_fbatch_full(&in->batch, tw_api_now_ms()))
      return TW_OK;
    tw_fstdin_flush(s, in);
  }
}

/* One read: 1 data, 0 end of input, -1 error. */
static int tw_fstdin_read(tw_fstdin *in) {
  ssize_t n;
  do
    n = read(STDIN_FILENO, in->chunk, sizeof in->chunk);
  while (n < 0 && errno == EINTR);
  if (n > 0 && tw_flines_append(&in->lines, in->chunk, (size_t)n))
    return -1;
  return n > 0 ? 1 : n == 0 ? 0 : -1;
}

static void tw_fstdin_run(tw_fsrc *s, tw_fstdin *in) {
  int timeout = -1;
  for (;;) {
    int w = tw_follow_wait(s, STDIN_FILENO, timeout);
    if (w < 0)
      break;
    if (w == 0) { /* input paused: commit what is pending */
      tw_fstdin_flush(s, in);
      timeout = -1;
      continue;
    }
    int r = tw_fstdin_read(in);
    if (r < 0) {
      tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", "stdin",
                "error", strerror(errno), NULL);
      break;
    }
    if (tw_fstdin_take(s, in, r == 0))
      break;
    if (r == 0) {
      tw_log_kv(s->log, TW_LOG_INFO, "follow.end", "source", "stdin", NULL);
      break;
    }
    timeout = 0; /* commit as soon as nothing more is ready */
  }
  tw_fstdin_flush(s, in);
}

void *tw_fstdin_main(void *arg) {
  tw_fsrc *s = arg;
  tw_fstdin *in = calloc(1, sizeof *in);
  if (!in || tw_flines_init(&in->lines)) {
    tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", "stdin",
              "error", "out of memory", NULL);
    if (in)
      tw_flines_free(&in->lines);
    free(in);
    return NULL;
  }
  tw_fstdin_run(s, in);
  tw_flines_free(&in->lines);
  tw_fbatch_free(&in->batch);
  free(in);
  return NULL;
}
