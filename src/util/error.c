/*
 * error.c — status codes and the tw_error helper shared by every module.
 */
#include <stdarg.h>
#include <stdio.h>

#include "util/util.h"

const char *tw_strerror(int code) {
  switch (code) {
  case TW_OK: return "success";
  case TW_ENOMEM: return "out of memory";
  case TW_EINVAL: return "invalid argument";
  case TW_ESYNTAX: return "syntax error";
  case TW_ELIMIT: return "limit exceeded";
  case TW_EIO: return "I/O error";
  case TW_ENOTFOUND: return "not found";
  default: return "unknown error";
  }
}

int tw_error_set(tw_error *err, int code, size_t column, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    err->column = column;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}
