/*
 * notify.h — delivering one alarm notification to one target (src/notify/).
 *
 * Used by `trailwatch scan --notify` (backtests) and by the live server's
 * durable outbox, which owns retries and persistence and calls tw_deliver
 * once per attempt. Each target type lives in its own file and is reached
 * through a small vtable (tw_delivery_ops): webhook (deliver_webhook.c,
 * libcurl), command (deliver_command.c), file (deliver_file.c), stdout
 * (deliver_stdout.c) and email (deliver_email.c). Shared pieces: the SNS
 * envelopes (notify_envelope.c), the readable summary (notify_summary.c),
 * the child-process runner (notify_proc.c) and the dispatcher (notify.c).
 * The exact payloads are described for users in docs/notify.md.
 */
#ifndef TW_NOTIFY_H
#define TW_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"
#include "util/util.h"

/* ---- the public part: data in, one call, a result out ---- */

typedef enum {
  TW_DELIVERY_WEBHOOK,
  TW_DELIVERY_COMMAND,
  TW_DELIVERY_FILE,
  TW_DELIVERY_STDOUT,
  TW_DELIVERY_EMAIL
} tw_delivery_type;

#define TW_DELIVERY_NTYPES 5

/* Default time limits (timeout_ms <= 0 selects them). */
#define TW_NOTIFY_WEBHOOK_TIMEOUT_MS 10000
#define TW_NOTIFY_COMMAND_TIMEOUT_MS 30000
#define TW_NOTIFY_EMAIL_TIMEOUT_MS 30000
#define TW_NOTIFY_KILL_GRACE_MS 2000 /* SIGTERM -> SIGKILL */
#define TW_NOTIFY_DEFAULT_SENDMAIL "/usr/sbin/sendmail"

/* One target. Plain data: the config layer fills it, nothing is owned. */
typedef struct tw_delivery {
  tw_delivery_type type;
  /* webhook */
  const char *url;            /* http:// or https:// */
  const char *secret;         /* optional: X-Trailwatch-Signature HMAC key */
  int format_slack;           /* POST {"text": summary} instead of SNS */
  int64_t timeout_ms;         /* webhook, command and email; <= 0: default */
  const char *const *headers; /* extra "Name: value" request headers */
  size_t nheaders;
  int insecure;               /* webhook: skip TLS verification (explicit) */
  /* command */
  const char *const *argv;    /* argv[0] is the program (PATH searched) */
  size_t argc;
  /* file */
  const char *path;
  int fsync;                  /* fsync(2) after each appended line */
  /* email */
  const char *const *to;
  size_t nto;
  const char *from;           /* default trailwatch@<hostname> */
  const char *subject_prefix; /* e.g. "[trailwatch]" */
  const char *sendmail;       /* default /usr/sbin/sendmail */
} tw_delivery;

/* One message to deliver. */
typedef struct tw_notification {
  const char *id;        /* stable id (receivers drop duplicates) */
  const char *topic_arn; /* the action ARN */
  const char *subject;   /* SNS Subject; may be NULL (omitted) */
  const char *message;   /* the SNS Message JSON text (alarm + "Events") */
  int64_t timestamp_ms;  /* SNS Timestamp, ms since the epoch (UTC) */
} tw_notification;

#define TW_NOTIFY_OUTPUT_MAX 4096

typedef struct tw_delivery_result {
  int ok;          /* delivered */
  int retryable;   /* not delivered, and trying again may help */
  int http_status; /* webhook: final HTTP status (0: none) */
  int exit_status; /* command/email: exit code, 128+signal if killed, -1 */
  char detail[256];/* one line for logs and alarm history */
  /* command/email: the first 4 KiB of stdout+stderr; webhook: of the
   * response body. NUL-terminated; output_len excludes the NUL. */
  char output[TW_NOTIFY_OUTPUT_MAX + 1];
  size_t output_len;
} tw_delivery_result;

/*
 * Deliver n to d once. *out is always filled (unlike most tw_ functions,
 * also on failure). Returns TW_OK when delivered (out->ok == 1), TW_EIO
 * when the attempt failed (see out->retryable), TW_EINVAL when d or n is
 * unusable (never retryable), TW_ENOMEM. Thread-safe: concurrent calls may
 * share d and n. The first webhook delivery initialises libcurl once for
 * the process (pthread_once); see tw_notify_global_init.
 */
int tw_deliver(const tw_delivery *d, const tw_notification *n,
               tw_delivery_result *out);

/* Check a target without delivering (for config loading): TW_OK, or
 * TW_EINVAL with a reason in err (cap bytes). */
int tw_delivery_check(const tw_delivery *d, char *err, size_t cap);

/* "webhook", "command", "file", "stdout", "email"; NULL if unknown. */
const char *tw_delivery_type_name(tw_delivery_type t);
/* The reverse: TW_OK or TW_ENOTFOUND. */
int tw_delivery_type_parse(const char *name, tw_delivery_type *out);

/* Initialise libcurl for the process, once (thread-safe through
 * pthread_once). tw_deliver calls it by itself; a program that starts
 * threads which use libcurl on their own may call it early. TW_OK or
 * TW_EIO. libcurl is never cleaned up (process lifetime). */
int tw_notify_global_init(void);

/* The payloads, exposed for tests, `--dry-run` style output and docs.
 * Each returns TW_OK with a malloc'ed NUL-terminated string in *out. */
int tw_notify_envelope(const tw_notification *n, char **out);     /* HTTP */
int tw_notify_lambda_event(const tw_notification *n, char **out); /* command */
int tw_notify_file_line(const tw_notification *n, char **out);    /* file, with '\n' */
int tw_notify_summary(const tw_notification *n, char **out);      /* readable */
int tw_notify_slack_body(const tw_notification *n, char **out);   /* {"text":…} */
int tw_notify_email_text(const tw_delivery *d, const tw_notification *n,
                         int64_t now_ms, char **out);             /* RFC 5322 */

/* ---- for the delivery implementations (one file per type) ---- */

typedef struct tw_delivery_ops {
  tw_delivery_type type;
  const char *name; /* as written in configurations */
  /* Validate d (n may be NULL): TW_OK or TW_EINVAL with err filled. */
  int (*check)(const tw_delivery *d, char *err, size_t cap);
  /* Deliver; d and n are already checked. Same contract as tw_deliver. */
  int (*deliver)(const tw_delivery *d, const tw_notification *n,
                 tw_delivery_result *out);
} tw_delivery_ops;

extern const tw_delivery_ops tw_delivery_webhook_ops;
extern const tw_delivery_ops tw_delivery_command_ops;
extern const tw_delivery_ops tw_delivery_file_ops;
extern const tw_delivery_ops tw_delivery_stdout_ops;
extern const tw_delivery_ops tw_delivery_email_ops;

/* Record a failure in out (ok = 0) and return the matching status:
 * TW_EIO, or TW_EINVAL when code is TW_EINVAL (retryable forced to 0). */
int tw_notify_fail(tw_delivery_result *out, int code, int retryable,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Record success (ok = 1, detail = fmt) and return TW_OK. */
int tw_notify_done(tw_delivery_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copy bytes into out->output (first TW_NOTIFY_OUTPUT_MAX bytes kept). */
void tw_notify_capture(tw_delivery_result *out, const void *p, size_t n);
/* Append the first line of out->output (printable, shortened) to detail. */
void tw_notify_detail_output(tw_delivery_result *out);
/* Write an error message into err (cap bytes); returns TW_EINVAL. */
int tw_notify_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "2022-09-25T18:50:37.868Z" (SNS Timestamp); cap >= 32. */
void tw_notify_iso_ms(int64_t ms, char *buf, size_t cap);
/* Lower-case hex HMAC-SHA256(secret, body): 64 chars + NUL in hex[65]. */
int tw_notify_hmac_hex(const char *secret, const void *body, size_t len,
                       char hex[65]);
/* 1 if s contains a control character (CR, LF, DEL, ...) other than TAB. */
int tw_notify_has_ctl(const char *s);

/* Run a program with input on stdin and a time limit (notify_proc.c).
 * path is the resolved executable; env entries ("NAME=value") are added to
 * (and override) the inherited environment. Output goes to out->output,
 * out->exit_status is set; returns TW_OK when it ran to completion with
 * exit status 0; TW_EIO otherwise (out filled, retryable per the rules in
 * docs/notify.md). */
typedef struct tw_notify_proc {
  const char *path;
  const char *const *argv; /* argv[0..argc-1]; copied with a NULL end */
  size_t argc;
  const char *const *env;
  size_t nenv;
  const void *input;
  size_t input_len;
  int64_t timeout_ms;
} tw_notify_proc;

int tw_notify_run(const tw_notify_proc *p, tw_delivery_result *out);
/* Find prog like execvp would (a name with '/' is taken as is): TW_OK with
 * a malloc'ed path, TW_ENOTFOUND, or TW_ENOMEM. */
int tw_notify_which(const char *prog, char **out);

/* A text writer with a sticky status (notify_text.c). Zero-initialise. */
typedef struct tw_nw {
  tw_buf b;
  int rc;
} tw_nw;

void tw_nw_raw(tw_nw *w, const void *p, size_t n);
void tw_nw_str(tw_nw *w, const char *s); /* NULL writes nothing */
void tw_nw_printf(tw_nw *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A quoted JSON string; invalid UTF-8 becomes \ufffd; NULL gives null. */
void tw_nw_jstr(tw_nw *w, const char *s);
void tw_nw_jstr_n(tw_nw *w, const char *s, size_t n);
/* NUL-terminate and hand over the text (TW_OK), or free and return the
 * first error. */
int tw_nw_finish(tw_nw *w, char **out);
/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if
 * invalid. */
size_t tw_utf8_len(const unsigned char *s, size_t n);

#endif /* TW_NOTIFY_H */
