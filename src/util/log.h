/*
 * log.h — structured logs on stderr for the long-running server: one line
 * per event worth telling (start, config loaded, transitions, delivery
 * failures), in logfmt:
 *
 *   time=2026-11-23T12:00:00.123Z level=info event=alarm.transition alarm="x" to=ALARM
 *
 * A tw_log handle carries the threshold level and a lock so that lines
 * from several threads never interleave. Values are quoted when they hold
 * a space, '=', '"' or a control character; those are escaped.
 */
#ifndef TW_LOG_H
#define TW_LOG_H

#include <stdio.h>

typedef enum tw_log_level {
  TW_LOG_DEBUG = 0,
  TW_LOG_INFO = 1,
  TW_LOG_WARN = 2,
  TW_LOG_ERROR = 3,
  TW_LOG_OFF = 4
} tw_log_level;

typedef struct tw_log tw_log;

/* A logger writing to f (borrowed) at level and above. */
int tw_log_new(FILE *f, tw_log_level level, tw_log **out);
void tw_log_free(tw_log *l);
void tw_log_set_level(tw_log *l, tw_log_level level);
/* 1 when a line at level would be written (l may be NULL: never). */
int tw_log_enabled(const tw_log *l, tw_log_level level);

/* "debug", "info", "warn", "error", "off" -> level: 0, or -1 if unknown. */
int tw_log_level_parse(const char *name, tw_log_level *out);
const char *tw_log_level_name(tw_log_level level);

/* Write one line: event, then key/value string pairs, NULL-terminated:
 *   tw_log_kv(l, TW_LOG_INFO, "alarm.transition", "alarm", name,
 *             "to", "ALARM", NULL);
 * A pair whose value is NULL is skipped.
 * l may be NULL (nothing is written). */
void tw_log_kv(tw_log *l, tw_log_level level, const char *event, ...)
    __attribute__((sentinel));

#endif /* TW_LOG_H */
