/*
 * lines.c — the bounded-memory NDJSON line reader (see lines.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/lines.h"

#define CHUNK (4u << 20)

struct tw_line_reader {
  int fd;
  int use_pread;
  int64_t pos;     /* input offset of buf[0] */
  int64_t end;     /* < 0: EOF */
  size_t max_line;
  char *buf;
  size_t cap, len, off; /* buf[off..len) is unconsumed */
  int eof;
  int started;
  uint64_t consumed;
};

int tw_line_reader_new(int fd, int64_t begin, int64_t end, size_t max_line,
                       tw_line_reader **out) {
  tw_line_reader *r = calloc(1, sizeof *r);
  if (!r)
    return TW_ENOMEM;
  r->fd = fd;
  r->use_pread = begin > 0 || end >= 0;
  r->pos = begin;
  r->end = end;
  r->max_line = max_line;
  r->cap = CHUNK;
  r->buf = malloc(r->cap);
  if (!r->buf) {
    free(r);
    return TW_ENOMEM;
  }
  *out = r;
  return TW_OK;
}

void tw_line_reader_free(tw_line_reader *r) {
  if (!r)
    return;
  free(r->buf);
  free(r);
}

uint64_t tw_line_reader_bytes(const tw_line_reader *r) { return r->consumed; }

/* Read more input after buf[len); returns bytes read, 0 at EOF, -1 error. */
static ssize_t fill(tw_line_reader *r) {
  if (r->off > 0) { /* keep the unconsumed tail at the front */
    memmove(r->buf, r->buf + r->off, r->len - r->off);
    r->pos += (int64_t)r->off;
    r->len -= r->off;
    r->off = 0;
  }
  if (r->len == r->cap) {
    size_t cap = r->cap * 2;
    char *b = realloc(r->buf, cap);
    if (!b)
      return -1;
    r->buf = b;
    r->cap = cap;
  }
  for (;;) {
    ssize_t n = r->use_pread ? pread(r->fd, r->buf + r->len, r->cap - r->len, r->pos + (int64_t)r->len)
                             : read(r->fd, r->buf + r->len, r->cap - r->len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n > 0)
      r->len += (size_t)n;
    return n;
  }
}

/* Skip the partial line a range starting mid-line begins with. */
static int skip_partial(tw_line_reader *r) {
  r->started = 1;
  if (r->pos == 0)
    return TW_OK;
  char c;
  ssize_t n;
  while ((n = pread(r->fd, &c, 1, r->pos - 1)) < 0 && errno == EINTR)
    ;
  if (n < 0)
    return TW_EIO;
  if (n == 0 || c == '\n')
    return TW_OK;
  for (;;) {
    char *nl = memchr(r->buf + r->off, '\n', r->len - r->off);
    if (nl) {
      size_t k = (size_t)(nl - (r->buf + r->off)) + 1;
      r->off += k;
      return TW_OK;
    }
    r->off = r->len; /* drop what we have and read on */
    ssize_t got = fill(r);
    if (got < 0)
      return TW_EIO;
    if (got == 0)
      return TW_OK;
  }
}

int tw_line_reader_next(tw_line_reader *r, const char **line, size_t *len, int64_t *offset) {
  if (!r->started) {
    int rc = skip_partial(r);
    if (rc)
      return rc;
  }
  for (;;) {
    int64_t at = r->pos + (int64_t)r->off;
    if (r->end >= 0 && at >= r->end)
      return 0;
    char *start = r->buf + r->off;
    char *nl = memchr(start, '\n', r->len - r->off);
    size_t avail = r->len - r->off;
    if (nl || (r->eof && avail > 0)) {
      size_t n = nl ? (size_t)(nl - start) : avail;
      r->off += n + (nl != NULL);
      r->consumed += n + (nl != NULL);
      *offset = at;
      if (n > r->max_line) {
        *len = n;
        *line = NULL;
        return TW_ELIMIT;
      }
      if (n > 0 && start[n - 1] == '\r')
        n--;
      *line = start;
      *len = n;
      return 1;
    }
    if (r->eof)
      return 0;
    if (avail > r->max_line) { /* oversized: consume up to the next newline */
      r->off = r->len;
      r->consumed += avail;
      *offset = at;
      ssize_t got;
      size_t total = avail;
      while ((got = fill(r)) > 0) {
        char *e = memchr(r->buf, '\n', r->len);
        if (e) {
          size_t k = (size_t)(e - r->buf) + 1;
          r->off = k;
          r->consumed += k;
          total += k - 1;
          break;
        }
        total += r->len;
        r->consumed += r->len;
        r->off = r->len;
      }
      if (got < 0)
        return TW_EIO;
      if (got == 0)
        r->eof = 1;
      *len = total;
      *line = NULL;
      return TW_ELIMIT;
    }
    ssize_t got = fill(r);
    if (got < 0)
      return TW_EIO;
    if (got == 0)
      r->eof = 1;
  }
}
