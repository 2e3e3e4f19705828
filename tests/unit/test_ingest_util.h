/*
 * test_ingest_util.h — helpers shared by the input-layer tests
 * (tests/unit/test_ingest*.c): temporary directories, writing plain and
 * gzip files (zlib), collecting events and error reports, and running
 * tw_ingest over paths or buffers with one call.
 */
#ifndef TW_TEST_INGEST_UTIL_H
#define TW_TEST_INGEST_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/ingest.h"

/* ---- files ---- */

static inline int tit_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f) {
  (void)sb;
  (void)flag;
  (void)f;
  return remove(p);
}

static inline void tit_rm_rf(const char *dir) {
  nftw(dir, tit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p of the directory part of path. */
static inline void tit_mkdirs(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(tmp, 0755);
      *p = '/';
    }
}

static inline int tit_write(const char *path, const void *data, size_t len) {
  tit_mkdirs(path);
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t n = fwrite(data, 1, len, f);
  return fclose(f) == 0 && n == len ? 0 : -1;
}

/* gzip data into a malloc'ed buffer (one member). */
static inline unsigned char *tit_gzip(const void *data, size_t len, size_t *out_len) {
  *out_len = 0;
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  size_t cap = deflateBound(&z, (uLong)len) + 64;
  unsigned char *out = malloc(cap);
  z.next_in = (unsigned char *)data;
  z.avail_in = (uInt)len;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *out_len = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

static inline int tit_write_gz(const char *path, const void *data, size_t len) {
  size_t n;
  unsigned char *gz = tit_gzip(data, len, &n);
  if (!gz)
    return -1;
  int rc = tit_write(path, gz, n);
  free(gz);
  return rc;
}

static inline char *tit_read(const char *path, size_t *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  *len = fread(buf, 1, (size_t)n, f);
  buf[*len] = 0;
  fclose(f);
  return buf;
}

/* ---- a growable string ---- */

typedef struct tit_str {
  char *s;
  size_t len, cap;
} tit_str;

static inline void tit_put(tit_str *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = 0;
}

static inline void tit_puts(tit_str *b, const char *s) { tit_put(b, s, strlen(s)); }

/* ---- collecting events and errors ---- */

typedef struct tit_ev {
  char *msg;
  size_t len;
  int64_t time_ms;
  int64_t offset;
  tw_ingest_shape shape;
  int envelope;
  char source[256];
} tit_ev;

typedef struct tit_err {
  char source[256];
  int64_t offset;
  char reason[320];
} tit_err;

typedef struct tit_run {
  tit_ev *ev;
  size_t nev, capev;
  tit_err err[64];
  size_t nerr;
  int stop_after; /* > 0: return 7 from the callback at that event */
  tw_ingest_stats st;
} tit_run;

static inline int tit_on_event(void *ctx, const tw_ingest_event *e) {
  tit_run *r = ctx;
  if (r->nev == r->capev) {
    r->capev = r->capev ? r->capev * 2 : 256;
    r->ev = realloc(r->ev, r->capev * sizeof *r->ev);
  }
  tit_ev *v = &r->ev[r->nev++];
  v->msg = malloc(e->len + 1);
  memcpy(v->msg, e->message, e->len);
  v->msg[e->len] = 0;
  v->len = e->len;
  v->time_ms = e->time_ms;
  v->offset = e->offset;
  v->shape = e->shape;
  v->envelope = e->envelope;
  snprintf(v->source, sizeof v->source, "%s", e->source);
  return r->stop_after > 0 && r->nev == (size_t)r->stop_after ? 7 : 0;
}

static inline void tit_on_error(void *ctx, const char *source, int64_t off, const char *reason) {
  tit_run *r = ctx;
  if (getenv("TIT_VERBOSE"))
    fprintf(stderr, "  report: %s:%lld: %s\n", source, (long long)off, reason);
  if (r->nerr < sizeof r->err / sizeof *r->err) {
    tit_err *e = &r->err[r->nerr++];
    snprintf(e->source, sizeof e->source, "%s", source);
    e->offset = off;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
  }
}

static inline void tit_run_free(tit_run *r) {
  for (size_t i = 0; i < r->nev; i++)
    free(r->ev[i].msg);
  free(r->ev);
  memset(r, 0, sizeof *r);
}

/* Default options with errors going to r. */
static inline void tit_opts(tw_ingest_opts *o, tit_run *r) {
  tw_ingest_opts_init(o);
  o->on_error = tit_on_error;
  o->error_ctx = r;
}

/* List and read paths; returns the last status. */
static inline int tit_ingest_paths(tit_run *r, const tw_ingest_opts *o, const char *const *paths,
                                   size_t n) {
  tw_ingest_file *files = NULL;
  size_t nfiles = 0;
  int rc = tw_ingest_list(paths, n, o, &files, &nfiles, &r->st);
  if (rc)
    return rc;
  tw_ingest *in = NULL;
  rc = tw_ingest_new(o, &in);
  for (size_t i = 0; rc == TW_OK && i < nfiles; i++)
    rc = tw_ingest_file_events(in, &files[i], tit_on_event, r, &r->st);
  tw_ingest_free(in);
  tw_ingest_files_free(files, nfiles);
  return rc;
}

static inline int tit_ingest_path(tit_run *r, const tw_ingest_opts *o, const char *path) {
  return tit_ingest_paths(r, o, &path, 1);
}

/* Read an in-memory input with default options (plus max_event). */
static inline int tit_ingest_buf(tit_run *r, const void *data, size_t len, size_t max_event) {
  tw_ingest_opts o;
  tit_opts(&o, r);
  if (max_event)
    o.max_event = max_event;
  tw_ingest *in = NULL;
  int rc = tw_ingest_new(&o, &in);
  if (rc == TW_OK)
    rc = tw_ingest_buffer_events(in, "buf", data, len, tit_on_event, r, &r->st);
  tw_ingest_free(in);
  return rc;
}

static inline int tit_ingest_str(tit_run *r, const char *text) {
  return tit_ingest_buf(r, text, strlen(text), 0);
}

/* No whitespace outside strings. */
static inline int tit_compact(const char *s, size_t n) {
  int in_str = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      return 0;
    }
  }
  return 1;
}

#endif /* TW_TEST_INGEST_UTIL_H */
