/*
 * ingest.c — the tw_ingest handle and the reading of one input (see
 * ingest.h): opening, gzip detection, the choice of a decoded-byte source
 * and of the reading mode, and the per-file summary.
 *
 * Sources of decoded text, all read line by line:
 *   MEM     the whole text in memory: small plain files, gzip objects
 *           decompressed whole by libdeflate, in-memory buffers;
 *   LINES   large plain regular files, through the bounded line reader
 *           (lines.h);
 *   STREAM  pipes / standard input, and gzip objects that are too large
 *           for memory or damaged (zsrc.c, zlib).
 * Mode: when the first non-blank line holds a complete JSON value, the
 * input is read line by line (NDJSON; a one-line CloudTrail object is the
 * same thing), an error costing at most the rest of its line. Otherwise
 * (pretty-printed JSON) the text from that line on is one document, read
 * whole (bounded by max_document).
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"
#include "ingest/lines.h"

#define TW_INGEST_SMALL_FILE (64u << 20) /* plain files up to this are read whole */
#define TW_INGEST_KEEP_BUF (64u << 20)   /* scratch kept between files */

struct tw_ingest {
  tw_ingest_opts o;
  tw_json_plan *plan;
  struct libdeflate_decompressor *dec;
  tw_buf raw;  /* a file's stored bytes */
  tw_buf text; /* decompressed object, or a document read whole */
  tw_buf msg;  /* compacted event */
  tw_buf str;  /* decoded string */
  tw_ingest_collector col; /* fused collection (col_el != NULL) */
  uint8_t *col_el;         /* col.plan id -> TW_EL_* id */
  size_t col_n;
};

void tw_ingest_opts_init(tw_ingest_opts *o) {
  memset(o, 0, sizeof *o);
  o->from_ms = INT64_MIN;
  o->to_ms = INT64_MAX;
  o->max_event = 1u << 20;
  o->max_document = 1u << 30;
  o->s3_lag_ms = 24LL * 3600 * 1000;
  o->s3_skew_ms = 15LL * 60 * 1000;
}

int tw_ingest_new(const tw_ingest_opts *o, tw_ingest **out) {
  tw_ingest *in = calloc(1, sizeof *in);
  if (!in)
    return TW_ENOMEM;
  if (o)
    in->o = *o;
  else
    tw_ingest_opts_init(&in->o);
  if (!in->o.max_event)
    in->o.max_event = 1u << 20;
  if (!in->o.max_document)
    in->o.max_document = 1u << 30;
  int rc = tw_shape_plan_new(&in->plan);
  if (rc == TW_OK && !(in->dec = libdeflate_alloc_decompressor()))
    rc = TW_ENOMEM;
  if (rc) {
    tw_ingest_free(in);
    return rc;
  }
  *out = in;
  return TW_OK;
}

void tw_ingest_free(tw_ingest *in) {
  if (!in)
    return;
  tw_json_plan_free(in->plan);
  free(in->col_el);
  if (in->dec)
    libdeflate_free_decompressor(in->dec);
  tw_buf_free(&in->raw);
  tw_buf_free(&in->text);
  tw_buf_free(&in->msg);
  tw_buf_free(&in->str);
  free(in);
}

int tw_ingest_set_collector(tw_ingest *in, const tw_ingest_collector *c) {
  free(in->col_el);
  in->col_el = NULL;
  in->col_n = 0;
  if (!c)
    return TW_OK;
  size_t n = tw_json_plan_count(c->plan);
  for (size_t i = 0; i < TW_EL_COUNT; i++)
    if (c->ids[i] >= n)
      return TW_EINVAL;
  if (!(in->col_el = malloc(n ? n : 1)))
    return TW_ENOMEM;
  memset(in->col_el, TW_EL_NONE, n ? n : 1);
  for (size_t i = 0; i < TW_EL_COUNT; i++)
    in->col_el[c->ids[i]] = (uint8_t)i;
  in->col = *c;
  in->col_n = n;
  return TW_OK;
}

void tw_ingest_stats_add(tw_ingest_stats *a, const tw_ingest_stats *b) {
  uint64_t *x = (uint64_t *)a;
  const uint64_t *y = (const uint64_t *)b;
  for (size_t i = 0; i < sizeof *a / sizeof(uint64_t); i++)
    x[i] += y[i];
}

/* ------------------------------------------------------------------ */
/* Sources                                                             */
/* ------------------------------------------------------------------ */

enum { TW_ISRC_MEM, TW_ISRC_LINES, TW_ISRC_STREAM };

typedef struct tw_isrc {
  int kind;
  const char *mem; /* MEM */
  size_t mem_len, mem_pos;
  tw_line_reader *lr; /* LINES */
  int fd;
  int64_t fsize;
  uint64_t doc_end;   /* LINES read whole from some offset: where it ended */
  tw_zsrc *zs;        /* STREAM */
} tw_isrc;

static int tw_isrc_next(tw_isrc *s, const char **line, size_t *len, int64_t *off) {
  if (s->kind == TW_ISRC_LINES)
    return tw_line_reader_next(s->lr, line, len, off);
  if (s->kind == TW_ISRC_STREAM)
    return tw_zsrc_next_line(s->zs, line, len, off);
  if (s->mem_pos >= s->mem_len)
    return 0;
  const char *p = s->mem + s->mem_pos;
  size_t avail = s->mem_len - s->mem_pos;
  const char *nl = memchr(p, '\n', avail);
  size_t n = nl ? (size_t)(nl - p) : avail;
  *off = (int64_t)s->mem_pos;
  s->mem_pos += n + (nl != NULL);
  if (n > 0 && p[n - 1] == '\r')
    n--;
  *line = p;
  *len = n;
  return 1;
}

/* 1 when nothing but whitespace can follow the line just read. */
static int tw_isrc_last(const tw_isrc *s, int64_t off, size_t len) {
  if (s->kind == TW_ISRC_MEM)
    return tw_walk_ws(s->mem + s->mem_pos, s->mem + s->mem_len) == s->mem + s->mem_len;
  if (s->kind == TW_ISRC_LINES)
    return s->fsize - (off + (int64_t)len) <= 2;
  return 0;
}

/* pread fd from `from` to its end into acc. */
static int tw_isrc_pread_rest(tw_isrc *s, int64_t from, size_t max, tw_buf *acc) {
  acc->len = 0;
  for (;;) {
    if (acc->len >= max)
      return TW_ELIMIT;
    size_t want = 4u << 20;
    if (want > max - acc->len)
      want = max - acc->len;
    if (tw_buf_reserve(acc, want))
      return TW_ENOMEM;
    ssize_t n = pread(s->fd, acc->data + acc->len, want, from + (int64_t)acc->len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return TW_EIO;
    if (n == 0)
      return TW_OK;
    acc->len += (size_t)n;
  }
}

/* The text from offset `from` (the first line) to the end. */
static int tw_isrc_rest(tw_isrc *s, int64_t from, size_t max, tw_buf *acc,
                        const char **data, size_t *len) {
  int rc = TW_OK;
  if (s->kind == TW_ISRC_MEM) {
    *data = s->mem + from;
    *len = s->mem_len - (size_t)from;
    s->mem_pos = s->mem_len;
    return TW_OK;
  }
  if (s->kind == TW_ISRC_LINES) {
    rc = tw_isrc_pread_rest(s, from, max, acc);
    s->doc_end = (uint64_t)from + acc->len;
  } else {
    acc->len = 0;
    rc = tw_zsrc_rest(s->zs, from, max, acc);
  }
  *data = acc->data;
  *len = acc->len;
  return rc;
}

/* Skip to the end (after giving up), so that the decoded size is known. */
static void tw_isrc_drain(tw_isrc *s) {
  const char *line;
  size_t len;
  int64_t off;
  int rc;
  if (s->kind == TW_ISRC_MEM)
    s->mem_pos = s->mem_len;
  else if (s->kind == TW_ISRC_LINES)
    s->doc_end = s->fsize > 0 ? (uint64_t)s->fsize : 0;
  else
    while ((rc = tw_zsrc_next_line(s->zs, &line, &len, &off)) > 0 || rc == TW_ELIMIT)
      ;
}

static uint64_t tw_isrc_decoded(const tw_isrc *s) {
  if (s->kind == TW_ISRC_MEM)
    return s->mem_len;
  if (s->kind == TW_ISRC_STREAM)
    return tw_zsrc_decoded_bytes(s->zs);
  uint64_t n = tw_line_reader_bytes(s->lr);
  return n > s->doc_end ? n : s->doc_end;
}

/* ------------------------------------------------------------------ */
/* Reading one source                                                  */
/* ------------------------------------------------------------------ */

typedef struct tw_iread {
  tw_irun run;
  tw_ingest *in;
  int from_dir;
  int skipped;        /* not JSON, found in a directory */
  int started;        /* a non-blank line was seen */
  int64_t gave_up_at; /* -1, or where the rest of the input was given up */
} tw_iread;

/* The first non-blank line decides: JSON or not, line or document mode. */
static int tw_iread_first(tw_iread *rd, tw_isrc *s, const char *line, size_t len,
                          int64_t off, int *done) {
  const char *p = tw_walk_ws(line, line + len);
  rd->started = 1;
  if (*p != '{' && *p != '[') {
    *done = 1;
    if (rd->from_dir) {
      rd->skipped = 1;
      return TW_OK;
    }
    tw_irun_error(&rd->run, off + (p - line), "not JSON: expected '{' or '['");
    rd->gave_up_at = off + (p - line);
    return TW_OK;
  }
  if (tw_isrc_last(s, off, len) || tw_shape_first_complete(line, len))
    return tw_shape_text(&rd->run, line, len, off);
  *done = 1; /* document mode */
  const char *data;
  size_t dlen;
  int rc = tw_isrc_rest(s, off, rd->in->o.max_document, &rd->in->text, &data, &dlen);
  if (rc == TW_ELIMIT) {
    tw_irun_error(&rd->run, off, "JSON document larger than the limit of %zu bytes",
                  rd->in->o.max_document);
    rd->gave_up_at = off;
    return TW_OK;
  }
  if (rc == TW_EIO) {
    tw_irun_error(&rd->run, off, "read error: %s", strerror(errno));
    rd->gave_up_at = off;
    return TW_OK;
  }
  if (rc)
    return rc;
  return tw_shape_text(&rd->run, data, dlen, off);
}

static int tw_iread_line(tw_iread *rd, tw_isrc *s, const char *line, size_t len,
                         int64_t off, int *done) {
  if (off == 0 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
    line += 3; /* a UTF-8 byte-order mark at the very start is ignored */
    len -= 3;
    off += 3;
  }
  if (tw_walk_ws(line, line + len) == line + len)
    return TW_OK;
  if (!rd->started)
    return tw_iread_first(rd, s, line, len, off, done);
  return tw_shape_text(&rd->run, line, len, off);
}

static int tw_iread_source(tw_iread *rd, tw_isrc *s) {
  const char *line;
  size_t len;
  int64_t off;
  int rc, done = 0;
  while (!done && (rc = tw_isrc_next(s, &line, &len, &off)) != 0) {
    if (rc == TW_ELIMIT) {
      tw_irun_error(&rd->run, off, "line of %zu bytes is longer than the limit of %zu bytes",
                    len, rd->in->o.max_document);
      rd->run.st->bytes_invalid += len;
      rd->started = 1;
      continue;
    }
    if (rc == TW_EIO) { /* lines.h: the offset is not set */
      tw_irun_error(&rd->run, (int64_t)tw_isrc_decoded(s), "read error: %s", strerror(errno));
      break;
    }
    if (rc < 0)
      return rc;
    if ((rc = tw_iread_line(rd, s, line, len, off, &done)) != TW_OK)
      return rc;
  }
  if (rd->gave_up_at >= 0)
    tw_isrc_drain(s);
  int64_t zoff;
  const char *zerr = s->kind == TW_ISRC_STREAM ? tw_zsrc_error(s->zs, &zoff) : NULL;
  if (zerr)
    tw_irun_error(&rd->run, zoff, "%s", zerr);
  else if (!rd->started && rd->from_dir)
    rd->skipped = 1;
  else if (!rd->started)
    tw_irun_error(&rd->run, 0, "empty input");
  uint64_t dec = tw_isrc_decoded(s);
  if (rd->gave_up_at >= 0 && dec > (uint64_t)rd->gave_up_at)
    rd->run.st->bytes_invalid += dec - (uint64_t)rd->gave_up_at;
  rd->run.st->bytes_decoded += dec;
  return TW_OK;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

static void tw_iread_init(tw_iread *rd, tw_ingest *in, const char *source,
                          tw_ingest_event_fn fn, void *ctx, tw_ingest_stats *local) {
  memset(rd, 0, sizeof *rd);
  memset(local, 0, sizeof *local);
  rd->in = in;
  rd->gave_up_at = -1;
  rd->run.o = &in->o;
  rd->run.plan = in->plan;
  rd->run.col = in->col_el ? &in->col : NULL;
  rd->run.col_el = in->col_el;
  rd->run.col_n = in->col_n;
  rd->run.msg = &in->msg;
  rd->run.str = &in->str;
  rd->run.source = source;
  rd->run.fn = fn;
  rd->run.ctx = ctx;
  rd->run.st = local;
}

static void tw_ingest_trim(tw_ingest *in) {
  tw_buf *bufs[] = {&in->raw, &in->text, &in->msg, &in->str};
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
    if (bufs[i]->cap > TW_INGEST_KEEP_BUF)
      tw_buf_free(bufs[i]);
}

/* Merge the per-file counters into st. */
static void tw_iread_finish(tw_iread *rd, uint64_t raw_bytes, tw_ingest_stats *local,
                            tw_ingest_stats *st) {
  if (rd->skipped) {
    st->files_skipped_other++;
    st->bytes_skipped += raw_bytes;
    st->errors += local->errors;
  } else {
    local->files++;
    local->bytes_read += raw_bytes;
    tw_ingest_stats_add(st, local);
  }
  tw_ingest_trim(rd->in);
}

/* A gzip object held in memory: libdeflate, else zlib streaming. */
static int tw_iread_gzip_mem(tw_iread *rd, const unsigned char *raw, size_t n) {
  tw_ingest *in = rd->in;
  tw_isrc s = {0};
  int rc = tw_gunzip_whole(in->dec, raw, n, in->o.max_document, &in->text);
  if (rc == TW_ENOMEM)
    return rc;
  if (rc == TW_OK) { /* MEM sources never use in->text as scratch */
    s.kind = TW_ISRC_MEM;
    s.mem = in->text.data;
    s.mem_len = in->text.len;
    return tw_iread_source(rd, &s);
  }
  s.kind = TW_ISRC_STREAM;
  if ((rc = tw_zsrc_new(-1, raw, n, NULL, 0, 1, in->o.max_document, &s.zs)))
    return rc;
  rc = tw_iread_source(rd, &s);
  tw_zsrc_free(s.zs);
  return rc;
}

/* Read all of fd (size bytes expected) into in->raw. */
static int tw_iread_whole(tw_ingest *in, int fd, int64_t size) {
  in->raw.len = 0;
  if (tw_buf_reserve(&in->raw, (size_t)size + 1))
    return TW_ENOMEM;
  while (in->raw.len < (size_t)size) {
    ssize_t n = pread(fd, in->raw.data + in->raw.len, (size_t)size - in->raw.len,
                      (off_t)in->raw.len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return TW_EIO;
    if (n == 0)
      break;
    in->raw.len += (size_t)n;
  }
  return TW_OK;
}

static int tw_iread_regular(tw_iread *rd, int fd, int64_t size, uint64_t *raw_bytes) {
  tw_ingest *in = rd->in;
  unsigned char magic[2] = {0, 0};
  ssize_t m = pread(fd, magic, 2, 0);
  int gzip = m == 2 && tw_is_gzip(magic, 2);
  tw_isrc s = {0};
  int rc;
  *raw_bytes = (uint64_t)size;
  if (size <= (int64_t)in->o.max_document && (gzip || size <= TW_INGEST_SMALL_FILE)) {
    if ((rc = tw_iread_whole(in, fd, size)) == TW_EIO) {
      tw_irun_error(&rd->run, -1, "read error: %s", strerror(errno));
      return TW_OK;
    }
    if (rc)
      return rc;
    *raw_bytes = in->raw.len;
    if (gzip)
      return tw_iread_gzip_mem(rd, (const unsigned char *)in->raw.data, in->raw.len);
    s.kind = TW_ISRC_MEM;
    s.mem = in->raw.data;
    s.mem_len = in->raw.len;
    return tw_iread_source(rd, &s);
  }
  s.fd = fd;
  s.fsize = size;
  if (gzip) {
    s.kind = TW_ISRC_STREAM;
    rc = tw_zsrc_new(fd, NULL, 0, NULL, 0, 1, in->o.max_document, &s.zs);
  } else {
    s.kind = TW_ISRC_LINES;
    rc = tw_line_reader_new(fd, 0, -1, in->o.max_document, &s.lr);
  }
  if (rc == TW_OK)
    rc = tw_iread_source(rd, &s);
  tw_zsrc_free(s.zs);
  tw_line_reader_free(s.lr);
  return rc;
}

/* A pipe or standard input: sniff two bytes, then stream. */
static int tw_iread_stream(tw_iread *rd, int fd, uint64_t *raw_bytes) {
  unsigned char magic[2];
  size_t got = 0;
  while (got < 2) {
    ssize_t n = read(fd, magic + got, 2 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  tw_isrc s = {0};
  s.kind = TW_ISRC_STREAM;
  int rc = tw_zsrc_new(fd, NULL, 0, magic, got, tw_is_gzip(magic, got),
                       rd->in->o.max_document, &s.zs);
  if (rc)
    return rc;
  rc = tw_iread_source(rd, &s);
  *raw_bytes = tw_zsrc_raw_bytes(s.zs);
  tw_zsrc_free(s.zs);
  return rc;
}

/* Read f from fd (standard input when f is "-"); the caller opens and
 * closes it. fd < 0: it could not be opened (errno says why). */
static int tw_iread_fd(tw_ingest *in, const tw_ingest_file *f, int fd, tw_ingest_event_fn fn,
                       void *ctx, tw_ingest_stats *st) {
  tw_iread rd;
  tw_ingest_stats local;
  int is_stdin = (f->flags & TW_INGEST_FILE_STDIN) != 0;
  tw_iread_init(&rd, in, f->path, fn, ctx, &local);
  rd.from_dir = (f->flags & TW_INGEST_FILE_FROM_DIR) != 0;
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0) {
    tw_irun_error(&rd.run, -1, "cannot read: %s", strerror(errno));
    st->errors += local.errors;
    return TW_OK;
  }
  uint64_t raw_bytes = 0;
  int rc = !is_stdin && S_ISREG(sb.st_mode) ? tw_iread_regular(&rd, fd, sb.st_size, &raw_bytes)
                                            : tw_iread_stream(&rd, fd, &raw_bytes);
  tw_iread_finish(&rd, raw_bytes, &local, st);
  return rd.run.stop ? rd.run.stop : rc;
}

int tw_ingest_file_events(tw_ingest *in, const tw_ingest_file *f, tw_ingest_event_fn fn,
                          void *ctx, tw_ingest_stats *st) {
  int is_stdin = (f->flags & TW_INGEST_FILE_STDIN) != 0;
  int fd = is_stdin ? 0 : open(f->path, O_RDONLY | O_CLOEXEC);
  int rc = tw_iread_fd(in, f, fd, fn, ctx, st);
  if (fd >= 0 && !is_stdin)
    close(fd);
  return rc;
}

int tw_ingest_fd_events(tw_ingest *in, const tw_ingest_file *f, int fd, tw_ingest_event_fn fn,
                        void *ctx, tw_ingest_stats *st) {
  if (f->flags & TW_INGEST_FILE_STDIN)
    return tw_ingest_file_events(in, f, fn, ctx, st);
  return tw_iread_fd(in, f, fd, fn, ctx, st);
}

int tw_ingest_buffer_events(tw_ingest *in, const char *source, const void *data,
                            size_t len, tw_ingest_event_fn fn, void *ctx,
                            tw_ingest_stats *st) {
  tw_iread rd;
  tw_ingest_stats local;
  tw_iread_init(&rd, in, source, fn, ctx, &local);
  int rc;
  if (tw_is_gzip(data, len)) {
    rc = tw_iread_gzip_mem(&rd, data, len);
  } else {
    tw_isrc s = {0};
    s.kind = TW_ISRC_MEM;
    s.mem = data;
    s.mem_len = len;
    rc = tw_iread_source(&rd, &s);
  }
  tw_iread_finish(&rd, len, &local, st);
  return rd.run.stop ? rd.run.stop : rc;
}
