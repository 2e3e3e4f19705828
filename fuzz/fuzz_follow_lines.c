/*
 * fuzz_follow_lines.c — libFuzzer target for the line splitter of
 * `serve --follow FILE` and `--follow -` (src/live/follow_lines.c).
 *
 * The input is a followed file's bytes; its first byte seeds the sizes of
 * the chunks in which they "arrive". Check: feeding the bytes chunk by
 * chunk (taking the complete lines after each chunk, the rest at the end)
 * gives exactly the events of feeding them all at once — same count, same
 * messages, same times, in order — and the consumed offset ends at the
 * input's end. Every message is one src/ingest event (never empty). And a
 * take into a full batch (before each chunked take) changes nothing:
 * complete lines waiting in carry are never dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live/follow_internal.h"

static void fuzz_check(int cond) {
  if (!cond)
    __builtin_trap();
}

/* A take into a full batch takes nothing and drops nothing. */
static void fuzz_full_take(tw_flines *l) {
  static tw_fbatch full;
  while (full.n < TW_FOLLOW_BATCH_EVENTS)
    fuzz_check(tw_fbatch_add(&full, 0, "{}", 2) == TW_OK);
  size_t len = l->carry.len;
  int64_t pos = l->pos;
  uint64_t errs = l->errs.count;
  fuzz_check(tw_flines_take(l, &full, 0, 0) == TW_OK);
  fuzz_check(full.n == TW_FOLLOW_BATCH_EVENTS && l->carry.len == len &&
             l->pos == pos && l->errs.count == errs);
}

/* Feed data in chunks (sizes from seed; seed 0: one chunk) into b. */
static void fuzz_feed(const uint8_t *data, size_t n, unsigned seed, tw_fbatch *b) {
  tw_flines l;
  fuzz_check(tw_flines_init(&l) == TW_OK);
  size_t i = 0;
  while (i < n) {
    size_t k = seed ? 1 + (seed = seed * 1103515245u + 12345u) % 97 : n - i;
    if (k > n - i)
      k = n - i;
    fuzz_check(tw_flines_append(&l, data + i, k) == TW_OK);
    if (seed)
      fuzz_full_take(&l);
    fuzz_check(tw_flines_take(&l, b, 0, 0) == TW_OK);
    i += k;
  }
  fuzz_check(tw_flines_take(&l, b, 0, 1) == TW_OK);
  fuzz_check(l.carry.len == 0 && l.pos == (int64_t)n);
  tw_flines_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 65536)
    return 0;
  unsigned seed = data[0] | 1u;
  tw_fbatch whole, chunked;
  memset(&whole, 0, sizeof whole);
  memset(&chunked, 0, sizeof chunked);
  fuzz_feed(data + 1, size - 1, 0, &whole);
  fuzz_feed(data + 1, size - 1, seed, &chunked);
  fuzz_check(whole.n == chunked.n);
  for (size_t i = 0; i < whole.n; i++) {
    fuzz_check(whole.len[i] > 0 && whole.len[i] == chunked.len[i]);
    fuzz_check(whole.ts[i] == chunked.ts[i]);
    fuzz_check(!memcmp(whole.text.data + whole.off[i], chunked.text.data + chunked.off[i],
                       whole.len[i]));
  }
  tw_fbatch_free(&whole);
  tw_fbatch_free(&chunked);
  return 0;
}
