/*
 * gunzip.c — whole-object gzip decompression with libdeflate, the fast
 * path for CloudTrail S3 objects (.json.gz, typically well under 50 MB
 * decoded). The output is sized from the ISIZE trailer, so a single-member
 * object decompresses in one call with no copy. Anything unusual (ISIZE
 * wrapped past 4 GiB, several members, damage) either grows the buffer or
 * gives up with TW_EINVAL; the caller then streams the object through zlib
 * (zsrc.c), which also recovers the data before the damage.
 */
#include <libdeflate.h>

#include "ingest/ingest_internal.h"

static size_t tw_gunzip_isize(const unsigned char *in, size_t n) {
  return (size_t)in[n - 4] | (size_t)in[n - 3] << 8 | (size_t)in[n - 2] << 16 |
         (size_t)in[n - 1] << 24;
}

/* Decompress the member at in[0..n) after out->len, growing out up to
 * max_out; *used receives the input bytes of the member. */
static int tw_gunzip_member(struct libdeflate_decompressor *d, const unsigned char *in,
                            size_t n, size_t guess, size_t max_out, tw_buf *out,
                            size_t *used) {
  size_t want = guess ? guess : 1024;
  for (;;) {
    size_t room = max_out - out->len;
    if (want > room)
      want = room;
    if (tw_buf_reserve(out, want))
      return TW_ENOMEM;
    size_t avail = out->cap - out->len, got = 0;
    if (avail > room)
      avail = room;
    enum libdeflate_result r =
        libdeflate_gzip_decompress_ex(d, in, n, out->data + out->len, avail, used, &got);
    if (r == LIBDEFLATE_SUCCESS) {
      out->len += got;
      return TW_OK;
    }
    if (r != LIBDEFLATE_INSUFFICIENT_SPACE)
      return TW_EINVAL;
    if (avail >= room)
      return TW_ELIMIT;
    want = avail * 2 + 1024;
  }
}

int tw_gunzip_whole(struct libdeflate_decompressor *d, const unsigned char *in,
                    size_t n, size_t max_out, tw_buf *out) {
  out->len = 0;
  if (n < 18 || !tw_is_gzip(in, n))
    return TW_EINVAL;
  size_t isize = tw_gunzip_isize(in, n), pos = 0;
  while (pos < n) {
    if (n - pos < 18 || !tw_is_gzip(in + pos, n - pos))
      return TW_EINVAL; /* trailing bytes: let zlib describe them */
    /* the trailer's ISIZE is exact for a single member; later members of
     * a multi-member object get a guess from the compressed size */
    size_t guess = pos == 0 ? isize : 4 * (n - pos);
    if (guess / 1032 > n - pos) /* deflate expands at most ~1032:1: a damaged */
      guess = 1032 * (n - pos); /* trailer must not allocate gigabytes */
    size_t used = 0;
    int rc = tw_gunzip_member(d, in + pos, n - pos, guess, max_out, out, &used);
    if (rc)
      return rc;
    pos += used;
  }
  return TW_OK;
}
