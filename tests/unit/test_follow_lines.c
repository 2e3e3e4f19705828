/*
 * test_follow_lines.c — unit tests of the line splitter of the live
 * sources (src/live/follow_lines.c), called directly: complete lines left
 * in carry because the batch filled up are never taken for an over-long
 * line, whatever their total size; an unterminated line past the limit is
 * dropped up to its newline, once, and the lines after it are read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/follow_internal.h"
#include "tw_test.h"

#define SHORT_LINE "{\"eventTime\":\"2026-01-01T00:00:01Z\",\"eventName\":\"S\"}\n"

#define BIG_EVENTS 20 /* each under src/ingest's 1 MiB event limit */

/* A {"Records":[...]} line of BIG_EVENTS CloudTrail events, exactly len
 * bytes, newline included. */
static char *big_line(size_t len) {
  static const char head[] =
      "{\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventName\":\"Big\",\"pad\":\"";
  static const char tail[] = "\"}";
  char *p = malloc(len);
  if (!p)
    return NULL;
  size_t body = len - strlen("{\"Records\":[") - strlen("]}\n");
  size_t each = body / BIG_EVENTS; /* event + comma, the last one longer */
  size_t at = 0;
  at += (size_t)sprintf(p, "{\"Records\":[");
  for (int i = 0; i < BIG_EVENTS; i++) {
    size_t ev = i == BIG_EVENTS - 1 ? body - each * (BIG_EVENTS - 1) : each - 1;
    memcpy(p + at, head, sizeof head - 1);
    memset(p + at + sizeof head - 1, 'x', ev - (sizeof head - 1) - (sizeof tail - 1));
    memcpy(p + at + ev - (sizeof tail - 1), tail, sizeof tail - 1);
    at += ev;
    if (i < BIG_EVENTS - 1)
      p[at++] = ',';
  }
  memcpy(p + at, "]}\n", 3);
  return p;
}

/* Fill b up to its event limit, so that it is full. */
static void fill_batch(tw_fbatch *b) {
  for (size_t i = 0; i < TW_FOLLOW_BATCH_EVENTS; i++)
    (void)tw_fbatch_add(b, 0, "{}", 2);
}

TW_TEST(full_batch_keeps_complete_long_line) {
  tw_flines l;
  tw_fbatch b;
  memset(&b, 0, sizeof b);
  TW_CHECK_EQ_INT(tw_flines_init(&l), TW_OK);
  size_t big = TW_FOLLOW_MAX_LINE - 1000;
  char *line = big_line(big);
  TW_CHECK(line != NULL);
  if (!line)
    return;
  TW_CHECK_EQ_INT(tw_flines_append(&l, line, big), TW_OK);
  for (int i = 0; i < 100; i++) /* 100 short lines: more than 1000 bytes */
    TW_CHECK_EQ_INT(tw_flines_append(&l, SHORT_LINE, strlen(SHORT_LINE)),
                    TW_OK);
  size_t total = l.carry.len;
  TW_CHECK(total > TW_FOLLOW_MAX_LINE);

  fill_batch(&b); /* full: nothing may be taken, nothing dropped */
  TW_CHECK_EQ_INT(tw_flines_take(&l, &b, 0, 0), TW_OK);
  TW_CHECK_EQ_INT(l.errs.count, 0);
  TW_CHECK_EQ_INT(l.carry.len, total);
  TW_CHECK_EQ_INT(l.pos, 0);
  TW_CHECK_EQ_INT(l.skipping, 0);

  tw_fbatch_clear(&b); /* the long line fills the batch by bytes */
  TW_CHECK_EQ_INT(tw_flines_take(&l, &b, 0, 0), TW_OK);
  TW_CHECK_EQ_INT(b.n, BIG_EVENTS);
  TW_CHECK_EQ_INT(l.pos, big);
  TW_CHECK_EQ_INT(l.errs.count, 0);

  tw_fbatch_clear(&b); /* then the short lines */
  TW_CHECK_EQ_INT(tw_flines_take(&l, &b, 0, 0), TW_OK);
  TW_CHECK_EQ_INT(b.n, 100);
  TW_CHECK_EQ_INT(l.carry.len, 0);
  TW_CHECK_EQ_INT(l.pos, total);
  TW_CHECK_EQ_INT(l.errs.count, 0);
  free(line);
  tw_fbatch_free(&b);
  tw_flines_free(&l);
}

TW_TEST(unterminated_overlong_line_dropped_once) {
  tw_flines l;
  tw_fbatch b;
  memset(&b, 0, sizeof b);
  TW_CHECK_EQ_INT(tw_flines_init(&l), TW_OK);
  size_t n = TW_FOLLOW_MAX_LINE + 1;
  char *junk = malloc(n);
  TW_CHECK(junk != NULL);
  if (!junk)
    return;
  memset(junk, 'x', n);
  TW_CHECK_EQ_INT(tw_flines_append(&l, SHORT_LINE, strlen(SHORT_LINE)), TW_OK);
  TW_CHECK_EQ_INT(tw_flines_append(&l, junk, n), TW_OK);
  TW_CHECK_EQ_INT(tw_flines_take(&l, &b, 0, 0), TW_OK);
  TW_CHECK_EQ_INT(b.n, 1);
  TW_CHECK_EQ_INT(l.errs.count, 1);
  TW_CHECK_EQ_INT(l.carry.len, 0);
  TW_CHECK_EQ_INT(l.skipping, 1);

  /* More of the dropped line: dropped too, no second problem. */
  TW_CHECK_EQ_INT(tw_flines_append(&l, junk, 1000), TW_OK);
  TW_CHECK_EQ_INT(tw_flines_take(&l, &b, 0, 0), TW_OK);
  TW_CHECK_EQ_INT(l.carry.len, 0);
  TW_CHECK_EQ_INT(l.errs.count, 1);

  /* Its end, then a good line: read. */
  TW_CHECK_EQ_INT(tw_flines_append(&l, "xx\n", 3), TW_OK);
  TW_CHECK_EQ_INT(tw_flines_append(&l, SHORT_LINE, strlen(SHORT_LINE)), TW_OK);
  TW_CHECK_EQ_INT(tw_flines_take(&l, &b, 0, 0), TW_OK);
  TW_CHECK_EQ_INT(b.n, 2);
  TW_CHECK_EQ_INT(l.errs.count, 1);
  TW_CHECK_EQ_INT(l.skipping, 0);
  TW_CHECK_EQ_INT(l.pos, 2 * strlen(SHORT_LINE) + n + 1000 + 3);
  free(junk);
  tw_fbatch_free(&b);
  tw_flines_free(&l);
}

int main(void) { return tw_test_run(); }
