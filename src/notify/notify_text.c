/*
 * notify_text.c — the text writer the payload builders of src/notify/
 * share: a growable buffer with a sticky error, JSON string quoting that
 * always yields valid JSON (invalid UTF-8 becomes U+FFFD), and printf.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

void tw_nw_raw(tw_nw *w, const void *p, size_t n) {
  if (w->rc == TW_OK)
    w->rc = tw_buf_append(&w->b, p, n);
}

void tw_nw_str(tw_nw *w, const char *s) {
  if (s)
    tw_nw_raw(w, s, strlen(s));
}

void tw_nw_printf(tw_nw *w, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    w->rc = TW_EINVAL;
    return;
  }
  if ((size_t)n < sizeof small) {
    tw_nw_raw(w, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    w->rc = TW_ENOMEM;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  tw_nw_raw(w, big, (size_t)n);
  free(big);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t tw_utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned min;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  unsigned cp = c & (0x7f >> len);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

static const char *tw_nw_escape(unsigned char c) {
  switch (c) {
  case '"': return "\\\"";
  case '\\': return "\\\\";
  case '\b': return "\\b";
  case '\f': return "\\f";
  case '\n': return "\\n";
  case '\r': return "\\r";
  case '\t': return "\\t";
  default: return NULL;
  }
}

void tw_nw_jstr_n(tw_nw *w, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, run = 0; /* bytes p[run..i) are copied verbatim */
  tw_nw_raw(w, "\"", 1);
  while (i < n) {
    unsigned char c = p[i];
    size_t len = c >= 0x20 && c != '"' && c != '\\' ? tw_utf8_len(p + i, n - i) : 0;
    if (len) {
      i += len;
      continue;
    }
    tw_nw_raw(w, p + run, i - run);
    const char *e = tw_nw_escape(c);
    if (e)
      tw_nw_str(w, e);
    else if (c < 0x20)
      tw_nw_printf(w, "\\u%04x", c);
    else
      tw_nw_str(w, "\\ufffd");
    run = ++i;
  }
  tw_nw_raw(w, p + run, n - run);
  tw_nw_raw(w, "\"", 1);
}

void tw_nw_jstr(tw_nw *w, const char *s) {
  if (!s)
    tw_nw_str(w, "null");
  else
    tw_nw_jstr_n(w, s, strlen(s));
}

int tw_nw_finish(tw_nw *w, char **out) {
  tw_nw_raw(w, "", 1);
  if (w->rc != TW_OK) {
    tw_buf_free(&w->b);
    return w->rc;
  }
  *out = w->b.data;
  w->b.data = NULL;
  w->b.len = w->b.cap = 0;
  return TW_OK;
}
