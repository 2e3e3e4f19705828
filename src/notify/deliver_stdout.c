/*
 * deliver_stdout.c — the "stdout" target: print the readable summary
 * (notify_summary.c) as one block on standard output, preceded by a line
 * naming the notification and its topic, and flush. The block is written
 * under the stdio lock so concurrent deliveries do not interleave.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

static int tw_stdout_check(const tw_delivery *d, char *err, size_t cap) {
  (void)d;
  (void)err;
  (void)cap;
  return TW_OK;
}

static int tw_stdout_block(const tw_notification *n, char **out) {
  char *sum = NULL;
  int rc = tw_notify_summary(n, &sum);
  if (rc != TW_OK)
    return rc;
  tw_nw w = {0};
  tw_nw_printf(&w, "--- notification %s to %s\n", n->id, n->topic_arn);
  tw_nw_str(&w, sum);
  tw_nw_str(&w, "\n");
  free(sum);
  return tw_nw_finish(&w, out);
}

static int tw_stdout_deliver(const tw_delivery *d, const tw_notification *n,
                             tw_delivery_result *out) {
  (void)d;
  char *block = NULL;
  int rc = tw_stdout_block(n, &block);
  if (rc != TW_OK)
    return tw_notify_fail(out, rc, 1, "stdout: cannot build the text");
  size_t len = strlen(block);
  flockfile(stdout);
  size_t put = fwrite(block, 1, len, stdout);
  int bad = fflush(stdout) != 0 || put != len;
  funlockfile(stdout);
  free(block);
  if (bad)
    return tw_notify_fail(out, TW_EIO, 0, "stdout: write failed");
  return tw_notify_done(out, "printed %zu bytes", len);
}

const tw_delivery_ops tw_delivery_stdout_ops = {
    TW_DELIVERY_STDOUT, "stdout", tw_stdout_check, tw_stdout_deliver};
