/*
 * zsrc.c — a streaming source of decoded bytes, read line by line, for
 * inputs that cannot be taken whole: standard input and other pipes, gzip
 * objects too large to decompress into memory, and gzip objects that
 * libdeflate rejected (truncated, corrupt CRC, trailing bytes), where zlib
 * gives both the data decoded before the damage and the exact diagnosis.
 *
 * Raw bytes come from a file descriptor (after an optional prefix already
 * read by the caller for sniffing) or from memory. gzip streams may hold
 * several members back to back. Memory is one line buffer bounded by
 * max_line (longer lines are skipped and reported, like lines.h) plus a
 * raw input chunk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/ingest_internal.h"

#define TW_ZSRC_RAW (256u << 10)
#define TW_ZSRC_CHUNK (1u << 20)

struct tw_zsrc {
  int fd;
  const unsigned char *mem;   /* raw input in memory, or NULL */
  size_t mem_len;
  unsigned char *raw;         /* raw chunk read from fd */
  size_t raw_len, raw_pos;
  int raw_eof;
  uint64_t raw_bytes;
  int gzip;
  z_stream z;
  int z_init;
  int member_open;            /* inside a gzip member */
  uint64_t members;           /* gzip members completed */
  char *buf;                  /* decoded window: buf[0] is at offset pos */
  size_t cap, len, off, mark, scan;
  int64_t pos;
  size_t max_line;
  uint64_t decoded;
  int eof;
  char error[160];
};

int tw_zsrc_new(int fd, const void *mem, size_t mem_len, const void *prefix,
                size_t prefix_len, int gzip, size_t max_line, tw_zsrc **out) {
  tw_zsrc *z = calloc(1, sizeof *z);
  if (!z)
    return TW_ENOMEM;
  z->fd = fd;
  z->mem = mem;
  z->mem_len = mem_len;
  z->gzip = gzip;
  z->max_line = max_line;
  z->cap = TW_ZSRC_CHUNK;
  z->buf = malloc(z->cap);
  z->raw = mem ? NULL : malloc(TW_ZSRC_RAW > prefix_len ? TW_ZSRC_RAW : prefix_len);
  if (!z->buf || (!mem && !z->raw)) {
    tw_zsrc_free(z);
    return TW_ENOMEM;
  }
  if (!mem && prefix_len) {
    memcpy(z->raw, prefix, prefix_len);
    z->raw_len = prefix_len;
    z->raw_bytes = prefix_len;
  }
  if (mem)
    z->raw_bytes = mem_len;
  if (gzip) {
    if (inflateInit2(&z->z, 16 + MAX_WBITS) != Z_OK) {
      tw_zsrc_free(z);
      return TW_ENOMEM;
    }
    z->z_init = 1;
  }
  *out = z;
  return TW_OK;
}

void tw_zsrc_free(tw_zsrc *z) {
  if (!z)
    return;
  if (z->z_init)
    inflateEnd(&z->z);
  free(z->buf);
  free(z->raw);
  free(z);
}

const char *tw_zsrc_error(const tw_zsrc *z, int64_t *off) {
  *off = (int64_t)z->decoded; /* an error always ends the data */
  return z->error[0] ? z->error : NULL;
}

uint64_t tw_zsrc_raw_bytes(const tw_zsrc *z) { return z->raw_bytes; }
uint64_t tw_zsrc_decoded_bytes(const tw_zsrc *z) { return z->decoded; }

static void tw_zsrc_fail(tw_zsrc *z, const char *what) {
  if (!z->error[0])
    snprintf(z->error, sizeof z->error, "%s", what);
  z->eof = 1;
}

/* Make raw input available at *p (*n bytes). Returns 0 at the end of the input. */
static int tw_zsrc_raw(tw_zsrc *z, const unsigned char **p, size_t *n) {
  if (z->mem) {
    *p = z->mem + z->raw_pos;
    *n = z->mem_len - z->raw_pos;
    return *n > 0;
  }
  if (z->raw_pos == z->raw_len) {
    z->raw_pos = z->raw_len = 0;
    if (z->raw_eof)
      return 0;
    ssize_t got;
    do
      got = read(z->fd, z->raw, TW_ZSRC_RAW);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
      char msg[120];
      snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
      tw_zsrc_fail(z, msg);
      return 0;
    }
    if (got == 0) {
      z->raw_eof = 1;
      return 0;
    }
    z->raw_len = (size_t)got;
    z->raw_bytes += (uint64_t)got;
  }
  *p = z->raw + z->raw_pos;
  *n = z->raw_len - z->raw_pos;
  return 1;
}

static void tw_zsrc_consume(tw_zsrc *z, size_t n) { z->raw_pos += n; }

/* The next gzip member or the end, after a member ended. 1: go on. */
static int tw_zsrc_next_member(tw_zsrc *z) {
  const unsigned char *p;
  size_t n;
  if (!tw_zsrc_raw(z, &p, &n))
    return 0; /* clean end (or a read error, already recorded) */
  if (p[0] != 0x1f || (n >= 2 && p[1] != 0x8b)) {
    tw_zsrc_fail(z, "trailing bytes after the gzip data");
    return 0;
  }
  inflateReset(&z->z);
  return 1;
}

static const char *tw_zsrc_zmsg(const z_stream *s) {
  const char *m = s->msg ? s->msg : "corrupt data";
  if (strstr(m, "data check"))
    return "gzip CRC mismatch (corrupt data)";
  if (strstr(m, "length check"))
    return "gzip size (ISIZE) mismatch";
  return NULL;
}

/* One inflate call on the raw input at hand (none at the end of the raw
 * input: then only output still pending inside zlib can come out). */
static void tw_zsrc_inflate_step(tw_zsrc *z) {
  const unsigned char *p = NULL;
  size_t n = 0;
  int have = tw_zsrc_raw(z, &p, &n);
  if (z->eof)
    return; /* a read error */
  z->z.next_in = (unsigned char *)p;
  z->z.avail_in = (uInt)(n > (1u << 30) ? (1u << 30) : n);
  uInt in0 = z->z.avail_in, out0 = z->z.avail_out;
  int ret = inflate(&z->z, Z_NO_FLUSH);
  tw_zsrc_consume(z, in0 - z->z.avail_in);
  if (ret == Z_STREAM_END) {
    z->member_open = 0;
    z->members++;
  } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
    const char *known = tw_zsrc_zmsg(&z->z);
    char msg[160];
    if (!known)
      snprintf(msg, sizeof msg, "corrupt gzip data: %s", z->z.msg ? z->z.msg : "error");
    tw_zsrc_fail(z, known ? known : msg);
  } else if (ret == Z_MEM_ERROR) {
    tw_zsrc_fail(z, "out of memory in zlib");
  } else if (!have && z->z.avail_out == out0) {
    tw_zsrc_fail(z, "truncated gzip data (unexpected end of file)");
  }
}

/* Inflate into dst[0..cap): bytes produced, 0 at the end or on error. */
static size_t tw_zsrc_inflate(tw_zsrc *z, char *dst, size_t cap) {
  z->z.next_out = (unsigned char *)dst;
  z->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
  uInt avail0 = z->z.avail_out;
  while (z->z.avail_out == avail0 && !z->eof) {
    if (!z->member_open) {
      if (z->members > 0 && !tw_zsrc_next_member(z))
        break;
      z->member_open = 1;
    }
    tw_zsrc_inflate_step(z);
  }
  return avail0 - z->z.avail_out;
}

/* More decoded bytes after buf[len). Returns bytes added (0: end). */
static size_t tw_zsrc_decode(tw_zsrc *z, char *dst, size_t cap) {
  if (z->eof)
    return 0;
  size_t got;
  if (z->gzip) {
    got = tw_zsrc_inflate(z, dst, cap);
  } else {
    const unsigned char *p;
    size_t n;
    got = 0;
    if (tw_zsrc_raw(z, &p, &n)) {
      got = n < cap ? n : cap;
      memcpy(dst, p, got);
      tw_zsrc_consume(z, got);
    }
  }
  if (got == 0)
    z->eof = 1;
  z->decoded += got;
  return got;
}

/* Refill the window, keeping buf[keep..len). 1 when bytes were added. */
static int tw_zsrc_fill(tw_zsrc *z, size_t keep) {
  if (keep > 0) {
    memmove(z->buf, z->buf + keep, z->len - keep);
    z->pos += (int64_t)keep;
    z->len -= keep;
    z->off -= keep;
    z->scan -= keep;
    z->mark = z->mark >= keep ? z->mark - keep : 0;
  }
  if (z->len == z->cap) {
    size_t cap = z->cap * 2;
    char *b = realloc(z->buf, cap);
    if (!b)
      return -1;
    z->buf = b;
    z->cap = cap;
  }
  size_t got = tw_zsrc_decode(z, z->buf + z->len, z->cap - z->len);
  z->len += got;
  return got > 0;
}

/* Skip the rest of an oversized line; *total grows by the bytes dropped. */
static int tw_zsrc_skip_line(tw_zsrc *z, size_t *total) {
  for (;;) {
    char *nl = memchr(z->buf + z->off, '\n', z->len - z->off);
    if (nl) {
      *total += (size_t)(nl - (z->buf + z->off));
      z->off = (size_t)(nl - z->buf) + 1;
      z->scan = z->off;
      return TW_OK;
    }
    *total += z->len - z->off;
    z->off = z->len;
    z->scan = z->len;
    int f = tw_zsrc_fill(z, z->off);
    if (f < 0)
      return TW_ENOMEM;
    if (f == 0)
      return TW_OK;
  }
}

static int tw_zsrc_emit(tw_zsrc *z, size_t n, int has_nl, const char **line,
                        size_t *len, int64_t *off) {
  const char *start = z->buf + z->off;
  *off = z->pos + (int64_t)z->off;
  z->mark = z->off;
  z->off += n + (has_nl != 0);
  z->scan = z->off;
  if (n > 0 && start[n - 1] == '\r')
    n--;
  *line = start;
  *len = n;
  return 1;
}

int tw_zsrc_next_line(tw_zsrc *z, const char **line, size_t *len, int64_t *off) {
  for (;;) {
    size_t avail = z->len - z->off;
    char *nl = memchr(z->buf + z->scan, '\n', z->len - z->scan);
    if (nl && (size_t)(nl - (z->buf + z->off)) > z->max_line) {
      *off = z->pos + (int64_t)z->off;
      *len = (size_t)(nl - (z->buf + z->off));
      *line = NULL;
      z->off = z->scan = (size_t)(nl - z->buf) + 1;
      return TW_ELIMIT;
    }
    if (nl)
      return tw_zsrc_emit(z, (size_t)(nl - (z->buf + z->off)), 1, line, len, off);
    z->scan = z->len;
    if (avail > z->max_line) {
      *off = z->pos + (int64_t)z->off;
      size_t total = 0;
      if (tw_zsrc_skip_line(z, &total))
        return TW_ENOMEM;
      *len = total;
      *line = NULL;
      return TW_ELIMIT;
    }
    int f = tw_zsrc_fill(z, z->off);
    if (f < 0)
      return TW_ENOMEM;
    if (f == 0) {
      if (z->len > z->off)
        return tw_zsrc_emit(z, z->len - z->off, 0, line, len, off);
      return 0;
    }
  }
}

int tw_zsrc_rest(tw_zsrc *z, int64_t start, size_t max, tw_buf *out) {
  size_t from = z->mark;
  int64_t skip = start - (z->pos + (int64_t)z->mark);
  if (skip > 0 && (size_t)skip <= z->len - z->mark)
    from += (size_t)skip;
  for (;;) {
    size_t n = z->len - from;
    if (out->len + n > max) {
      size_t room = max > out->len ? max - out->len : 0;
      if (tw_buf_append(out, z->buf + from, room))
        return TW_ENOMEM;
      return TW_ELIMIT;
    }
    if (tw_buf_append(out, z->buf + from, n))
      return TW_ENOMEM;
    z->off = z->scan = z->mark = z->len;
    from = z->len;
    int f = tw_zsrc_fill(z, z->len);
    if (f < 0)
      return TW_ENOMEM;
    if (f == 0)
      return TW_OK;
    from = 0;
  }
}
