/*
 * follow_lines.c — the line splitter of followed files and standard
 * input: bytes are appended as they are read, and only complete lines
 * (ending in '\n'; '\r\n' works) are taken, each read on its own by
 * src/ingest, so any shape it accepts works per line (a CloudTrail event,
 * a {"Records":[...]} object, a CloudWatch Logs event, an EventBridge
 * envelope). A bad line costs only itself. The last bytes taken are kept
 * (sig) so that a followed file can tell when its content was replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/follow_internal.h"

int tw_flines_init(tw_flines *l) {
  memset(l, 0, sizeof *l);
  return tw_follow_ingest_new(&l->errs, &l->in);
}

void tw_flines_free(tw_flines *l) {
  tw_buf_free(&l->carry);
  tw_ingest_free(l->in);
  l->in = NULL;
}

void tw_flines_reset(tw_flines *l, int64_t pos) {
  l->carry.len = 0;
  l->pos = pos;
  l->skipping = 0;
  l->sig_len = 0;
}

int tw_flines_append(tw_flines *l, const void *data, size_t n) {
  return tw_buf_append(&l->carry, data, n);
}

/* Keep the last TW_STORE_TAIL_SIG bytes of what is consumed. */
static void tw_flines_sig(tw_flines *l, const char *p, size_t n) {
  if (n >= TW_STORE_TAIL_SIG) {
    memcpy(l->sig, p + n - TW_STORE_TAIL_SIG, TW_STORE_TAIL_SIG);
    l->sig_len = TW_STORE_TAIL_SIG;
    return;
  }
  size_t keep = l->sig_len < TW_STORE_TAIL_SIG - n ? l->sig_len
                                                   : TW_STORE_TAIL_SIG - n;
  memmove(l->sig, l->sig + l->sig_len - keep, keep);
  memcpy(l->sig + keep, p, n);
  l->sig_len = keep + n;
}

static void tw_flines_consume(tw_flines *l, size_t n) {
  if (!n)
    return;
  tw_flines_sig(l, l->carry.data, n);
  memmove(l->carry.data, l->carry.data + n, l->carry.len - n);
  l->carry.len -= n;
  l->pos += (int64_t)n;
}

static int tw_flines_blank(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
      return 0;
  return 1;
}

static int tw_flines_line(tw_flines *l, tw_fbatch *b, const char *line,
                          size_t len, int64_t off, int64_t now_ms) {
  if (len && line[len - 1] == '\r')
    len--;
  if (tw_flines_blank(line, len))
    return TW_OK;
  tw_fevents ev = {b, now_ms, 0, 0};
  tw_ingest_stats st;
  memset(&st, 0, sizeof st);
  l->errs.base = off;
  int rc = tw_ingest_buffer_events(l->in, "line", line, len, tw_fevents_cb,
                                   &ev, &st);
  return rc == TW_ENOMEM ? TW_ENOMEM : TW_OK;
}

/* An unterminated line grew past the limit: drop it up to its newline. */
static void tw_flines_overlong(tw_flines *l) {
  tw_ferrs_cb(&l->errs, NULL, -1, "line longer than 16 MiB dropped");
  l->errs.first_offset = l->errs.count == 1 ? l->pos : l->errs.first_offset;
  tw_flines_consume(l, l->carry.len);
  l->skipping = 1;
}

/* carry holds no newline (only the start of a line): drop it when it is
 * the rest of a line being dropped, or when it is already too long. Only
 * this case may drop anything: when a take stops because the batch is
 * full, carry may hold complete lines of any total size, all valid. */
static void tw_flines_unterminated(tw_flines *l) {
  if (l->skipping)
    tw_flines_consume(l, l->carry.len);
  else if (l->carry.len > TW_FOLLOW_MAX_LINE)
    tw_flines_overlong(l);
}

int tw_flines_take(tw_flines *l, tw_fbatch *b, int64_t now_ms, int final) {
  size_t i = 0;
  int rc = TW_OK, no_newline = 0;
  while (rc == TW_OK && i < l->carry.len && !tw_fbatch_full(b, now_ms)) {
    const char *nl = memchr(l->carry.data + i, '\n', l->carry.len - i);
    if (!nl) {
      no_newline = 1;
      break;
    }
    size_t end = (size_t)(nl - l->carry.data);
    if (!l->skipping)
      rc = tw_flines_line(l, b, l->carry.data + i, end - i,
                          l->pos + (int64_t)i, now_ms);
    l->skipping = 0;
    i = end + 1;
  }
  if (rc == TW_OK && final && i < l->carry.len && !tw_fbatch_full(b, now_ms)) {
    if (!l->skipping)
      rc = tw_flines_line(l, b, l->carry.data + i, l->carry.len - i,
                          l->pos + (int64_t)i, now_ms);
    i = l->carry.len;
    no_newline = 0;
  }
  if (rc)
    return rc;
  tw_flines_consume(l, i);
  if (no_newline)
    tw_flines_unterminated(l);
  return TW_OK;
}

void tw_flines_report(tw_fsrc *s, tw_flines *l) {
  char n[24], off[24];
  if (!l->errs.count)
    return;
  tw_log_kv(s->log, TW_LOG_WARN, "follow.bad_input", "source", s->path,
            "problems", tw_follow_num(n, sizeof n, (int64_t)l->errs.count),
            "offset", tw_follow_num(off, sizeof off, l->errs.first_offset),
            "error", l->errs.first, NULL);
  tw_ferrs_reset(&l->errs);
}
