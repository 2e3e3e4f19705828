/*
 * buf.c — tw_buf, the growable byte buffer used for scratch space.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int tw_buf_reserve(tw_buf *b, size_t extra) {
  if (b->cap - b->len >= extra)
    return TW_OK;
  size_t need = b->len + extra;
  if (need < b->len)
    return TW_ENOMEM;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) {
    if (cap > ((size_t)-1) / 2)
      return TW_ENOMEM;
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (!p)
    return TW_ENOMEM;
  b->data = p;
  b->cap = cap;
  return TW_OK;
}

int tw_buf_append(tw_buf *b, const void *p, size_t n) {
  int rc = tw_buf_reserve(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  return TW_OK;
}

void tw_buf_free(tw_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
