/*
 * series.c — the sorted bucket run of one metric/unit/width (series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "metrics/series.h"

void tw_mseries_free(tw_mseries *s) {
  for (size_t i = s->head; i < s->len; i++)
    tw_mbucket_free(&s->b[i]);
  free(s->b);
  memset(s, 0, sizeof *s);
}

size_t tw_mseries_lower(const tw_mseries *s, int64_t t) {
  size_t lo = s->head, hi = s->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->b[mid].start_ms < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Make room for one more bucket at the end (compacting the front). */
static int tw_mseries_room(tw_mseries *s) {
  if (s->head > 0 && s->head >= s->len / 2) {
    memmove(s->b, s->b + s->head, (s->len - s->head) * sizeof *s->b);
    s->len -= s->head;
    s->head = 0;
  }
  if (s->len < s->cap)
    return TW_OK;
  size_t cap = s->cap ? s->cap * 2 : 8;
  tw_mbucket *b = realloc(s->b, cap * sizeof *b);
  if (!b)
    return TW_ENOMEM;
  s->b = b;
  s->cap = cap;
  return TW_OK;
}

int tw_mseries_get(tw_mseries *s, int64_t start_ms, tw_mbucket **out) {
  size_t n = s->len;
  if (n > s->head && s->b[n - 1].start_ms == start_ms) {
    *out = &s->b[n - 1];
    return TW_OK;
  }
  size_t pos = tw_mseries_lower(s, start_ms);
  if (pos < s->len && s->b[pos].start_ms == start_ms) {
    *out = &s->b[pos];
    return TW_OK;
  }
  if (pos == s->head && s->head > 0) { /* earlier than everything held */
    s->head--;
    tw_mbucket_init(&s->b[s->head], start_ms);
    *out = &s->b[s->head];
    return TW_OK;
  }
  size_t off = pos - s->head;
  int rc = tw_mseries_room(s);
  if (rc)
    return rc;
  pos = s->head + off;
  memmove(s->b + pos + 1, s->b + pos, (s->len - pos) * sizeof *s->b);
  s->len++;
  tw_mbucket_init(&s->b[pos], start_ms);
  *out = &s->b[pos];
  return TW_OK;
}

size_t tw_mseries_drop_before(tw_mseries *s, int64_t t) {
  size_t n = 0;
  while (s->head < s->len && s->b[s->head].start_ms < t) {
    tw_mbucket_free(&s->b[s->head++]);
    n++;
  }
  if (s->head == s->len)
    s->head = s->len = 0;
  return n;
}

void tw_mseries_pop_front(tw_mseries *s, tw_mbucket *out) {
  *out = s->b[s->head++];
  if (s->head == s->len)
    s->head = s->len = 0;
}
