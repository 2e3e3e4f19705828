/*
 * ingest_internal.h — pieces shared by the files of the input layer
 * (src/ingest/), not used elsewhere:
 *   walk.c    the structural JSON walker (value extents, whitespace),
 *             the compactor and the error locator;
 *   zsrc.c    a streaming decoded-byte source (plain or gzip via zlib)
 *             read line by line, for pipes and very large objects;
 *   gunzip.c  whole-object gzip decompression with libdeflate;
 *   shape.c   shape detection and event emission over decoded text;
 *   ingest.c  the tw_ingest handle, per-file reading and mode choice.
 */
#ifndef TW_INGEST_INTERNAL_H
#define TW_INGEST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "json/json.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* walk.c                                                              */
/* ------------------------------------------------------------------ */

/* Result of walking one JSON value by its structure only (brackets,
 * strings, raw control characters); scalars and separators are left to
 * the validating scanner (src/json/). */
typedef struct tw_walk {
  const char *end;    /* TW_OK: just after the value */
  const char *err;    /* TW_ESYNTAX: first byte that breaks the structure */
  const char *reason; /* TW_ESYNTAX: static text */
  int incomplete;     /* TW_ESYNTAX because the input ended inside the value */
  int has_ws;         /* whitespace outside strings inside the value */
} tw_walk;

/* p < end, *p not whitespace. */
int tw_walk_value(const char *p, const char *end, tw_walk *w);

/* p just after an opening quote: the closing quote, or NULL with *err and
 * *reason set (end of input or a raw control character). */
const char *tw_walk_string(const char *p, const char *end, const char **err,
                           const char **reason);

static inline int tw_walk_is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline const char *tw_walk_ws(const char *p, const char *end) {
  while (p < end && tw_walk_is_ws(*p))
    p++;
  return p;
}

/* Append src[0..n) to out without whitespace outside strings. */
int tw_walk_compact(const char *src, size_t n, tw_buf *out);

/* Position of the first error in an invalid JSON text (RFC 8259, same
 * rules as tw_json_scan) and a static reason; returns 0 when no error is
 * found (then *off = 0). */
int tw_json_locate(const char *doc, size_t len, size_t *off, const char **reason);

/* ------------------------------------------------------------------ */
/* zsrc.c                                                              */
/* ------------------------------------------------------------------ */

typedef struct tw_zsrc tw_zsrc;

/* A decoded-byte source. Raw input comes from fd (when mem is NULL) or
 * from mem[0..mem_len); prefix (bytes already read from fd) is consumed
 * first. gzip: inflate (multi-member), else pass through. */
int tw_zsrc_new(int fd, const void *mem, size_t mem_len, const void *prefix,
                size_t prefix_len, int gzip, size_t max_line, tw_zsrc **out);
void tw_zsrc_free(tw_zsrc *z);
/* Next line without "\n" / "\r\n": 1, 0 at the end, TW_ELIMIT for a line
 * longer than max_line (skipped; *len and *off set), TW_ENOMEM. A read or
 * gzip error ends the data: see tw_zsrc_error. */
int tw_zsrc_next_line(tw_zsrc *z, const char **line, size_t *len, int64_t *off);
/* Everything from decoded offset start (inside the last line returned) to
 * the end of the data, appended to out; TW_ELIMIT when that exceeds max
 * bytes (out then holds the first max bytes). */
int tw_zsrc_rest(tw_zsrc *z, int64_t start, size_t max, tw_buf *out);
/* The error that ended the data (NULL if none) and its decoded offset. */
const char *tw_zsrc_error(const tw_zsrc *z, int64_t *off);
uint64_t tw_zsrc_raw_bytes(const tw_zsrc *z);
uint64_t tw_zsrc_decoded_bytes(const tw_zsrc *z);

/* ------------------------------------------------------------------ */
/* gunzip.c                                                            */
/* ------------------------------------------------------------------ */

struct libdeflate_decompressor;

/* Decompress a whole gzip object (one or more members) into out (reset).
 * TW_OK, TW_ELIMIT when it would exceed max_out, TW_ENOMEM, or TW_EINVAL
 * for anything else (truncated, corrupt, trailing bytes): the caller then
 * streams it with zlib for the partial data and the exact diagnosis. */
int tw_gunzip_whole(struct libdeflate_decompressor *d, const unsigned char *in,
                    size_t n, size_t max_out, tw_buf *out);

static inline int tw_is_gzip(const void *p, size_t n) {
  const unsigned char *b = p;
  return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

/* ------------------------------------------------------------------ */
/* shape.c                                                             */
/* ------------------------------------------------------------------ */

/* Plan path ids of the element classification plan. */
enum {
  TW_EL_EVENT_TIME = 0, /* $.eventTime */
  TW_EL_EVENT_VERSION,  /* $.eventVersion */
  TW_EL_EVENT_NAME,     /* $.eventName */
  TW_EL_DETAIL_TYPE,    /* $.detail-type */
  TW_EL_DETAIL,         /* $.detail */
  TW_EL_DETAIL_TIME,    /* $.detail.eventTime */
  TW_EL_TIME,           /* $.time (EventBridge) */
  TW_EL_CT_EVENT,       /* $.CloudTrailEvent (lookup-events) */
  TW_EL_MESSAGE,        /* $.message (CW Logs event) */
  TW_EL_TIMESTAMP,      /* $.timestamp (CW Logs event) */
  TW_EL_DIGEST,         /* $.digestStartTime (digest file) */
  TW_EL_COUNT,
  TW_EL_NONE = 0xFF
};

int tw_shape_plan_new(tw_json_plan **out);

/* State of reading one input. */
typedef struct tw_irun {
  const tw_ingest_opts *o;
  const tw_json_plan *plan;
  const tw_ingest_collector *col; /* fused collection, or NULL */
  const uint8_t *col_el;   /* col->plan id -> TW_EL_* id, TW_EL_NONE if none */
  size_t col_n;            /* ids of col->plan */
  tw_buf *msg, *str;       /* scratch: compacted message, decoded string */
  const char *source;
  tw_ingest_event_fn fn;
  void *ctx;
  tw_ingest_stats *st;
  const char *seg;         /* the text being processed ... */
  int64_t seg_base;        /* ... and the decoded offset of seg[0] */
  int stop;                /* fn's non-zero return */
  int oom;
} tw_irun;

/* Report an error at decoded offset off (-1: none) and count it. */
void tw_irun_error(tw_irun *r, int64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Process seg[0..len) (decoded offset base): a sequence of top-level JSON
 * values. Errors are reported and the rest of the text given up when they
 * cannot be resynchronised. Returns TW_OK, TW_ENOMEM or fn's return. */
int tw_shape_text(tw_irun *r, const char *seg, size_t len, int64_t base);

/* 1 when the first value of seg[0..len) (not blank) ends inside it. */
int tw_shape_first_complete(const char *seg, size_t len);

/* days since 1970-01-01 (itime.c) */
int64_t tw_ingest_days_from_civil(int64_t y, int m, int d);

#endif /* TW_INGEST_INTERNAL_H */
