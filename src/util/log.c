/*
 * log.c — structured logfmt lines on stderr (see log.h). Each line is
 * formatted into a local buffer and written with one fwrite under the
 * logger's lock, then flushed, so lines of concurrent threads never mix.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

struct tw_log {
  FILE *f;
  tw_log_level level;
  pthread_mutex_t lock;
};

static const char *const tw_log_names[] = {"debug", "info", "warn", "error", "off"};

int tw_log_new(FILE *f, tw_log_level level, tw_log **out) {
  tw_log *l = calloc(1, sizeof *l);
  if (!l)
    return TW_ENOMEM;
  l->f = f;
  l->level = level;
  pthread_mutex_init(&l->lock, NULL);
  *out = l;
  return TW_OK;
}

void tw_log_free(tw_log *l) {
  if (!l)
    return;
  pthread_mutex_destroy(&l->lock);
  free(l);
}

void tw_log_set_level(tw_log *l, tw_log_level level) {
  pthread_mutex_lock(&l->lock);
  l->level = level;
  pthread_mutex_unlock(&l->lock);
}

int tw_log_enabled(const tw_log *l, tw_log_level level) {
  return l && level != TW_LOG_OFF && level >= l->level;
}

int tw_log_level_parse(const char *name, tw_log_level *out) {
  for (int i = 0; i <= TW_LOG_OFF; i++)
    if (name && !strcmp(name, tw_log_names[i])) {
      *out = (tw_log_level)i;
      return 0;
    }
  return -1;
}

const char *tw_log_level_name(tw_log_level level) {
  return (unsigned)level <= TW_LOG_OFF ? tw_log_names[level] : "?";
}

static int tw_log_needs_quotes(const char *v) {
  if (!*v)
    return 1;
  for (const unsigned char *p = (const unsigned char *)v; *p; p++)
    if (*p <= ' ' || *p == '=' || *p == '"' || *p == 0x7f)
      return 1;
  return 0;
}

static void tw_log_value(tw_buf *b, const char *v) {
  if (!tw_log_needs_quotes(v)) {
    tw_buf_append(b, v, strlen(v));
    return;
  }
  tw_buf_append(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    char esc[8];
    if (*p == '"' || *p == '\\') {
      esc[0] = '\\';
      esc[1] = (char)*p;
      tw_buf_append(b, esc, 2);
    } else if (*p == '\n') {
      tw_buf_append(b, "\\n", 2);
    } else if (*p < ' ' || *p == 0x7f) {
      snprintf(esc, sizeof esc, "\\x%02x", *p);
      tw_buf_append(b, esc, 4);
    } else {
      tw_buf_append(b, p, 1);
    }
  }
  tw_buf_append(b, "\"", 1);
}

static void tw_log_time(tw_buf *b) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char t[48];
  size_t n = strftime(t, sizeof t, "time=%Y-%m-%dT%H:%M:%S", &tm);
  n += (size_t)snprintf(t + n, sizeof t - n, ".%03ldZ", ts.tv_nsec / 1000000);
  tw_buf_append(b, t, n);
}

void tw_log_kv(tw_log *l, tw_log_level level, const char *event, ...) {
  if (!tw_log_enabled(l, level))
    return;
  tw_buf b = {0};
  tw_log_time(&b);
  tw_buf_append(&b, " level=", 7);
  tw_buf_append(&b, tw_log_names[level], strlen(tw_log_names[level]));
  tw_buf_append(&b, " event=", 7);
  tw_log_value(&b, event);
  va_list ap;
  va_start(ap, event);
  for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
    const char *v = va_arg(ap, const char *);
    if (!v)
      continue;
    tw_buf_append(&b, " ", 1);
    tw_buf_append(&b, k, strlen(k));
    tw_buf_append(&b, "=", 1);
    tw_log_value(&b, v);
  }
  va_end(ap);
  tw_buf_append(&b, "\n", 1);
  pthread_mutex_lock(&l->lock);
  if (b.data)
    fwrite(b.data, 1, b.len, l->f);
  fflush(l->f);
  pthread_mutex_unlock(&l->lock);
  tw_buf_free(&b);
}
