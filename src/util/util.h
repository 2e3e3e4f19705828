/*
 * util.h — small internal helpers shared by every module: error reporting
 * and a growable byte buffer.
 */
#ifndef TW_UTIL_H
#define TW_UTIL_H

#include <stddef.h>

#include "trailwatch.h"

/* Fill *err (if not NULL) and return code. */
int tw_error_set(tw_error *err, int code, size_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A growable byte buffer. Zero-initialise; free with tw_buf_free. */
typedef struct tw_buf {
  char *data;
  size_t len;
  size_t cap;
} tw_buf;

int tw_buf_reserve(tw_buf *b, size_t extra);
int tw_buf_append(tw_buf *b, const void *p, size_t n);
void tw_buf_free(tw_buf *b);

#endif /* TW_UTIL_H */
