/*
 * deliver_email.c — the "email" target: pipe the message built by
 * notify_mail.c to `sendmail -t -oi` (recipients from the To header, a
 * lone "." is not the end), path configurable, under the same time limit
 * and process rules as commands (notify_proc.c). Exit status 0 delivers
 * (sendmail has accepted the message); anything else is retryable.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify/notify.h"

static int tw_mail_check(const tw_delivery *d, char *err, size_t cap) {
  if (!d->to || d->nto == 0)
    return tw_notify_err(err, cap, "email: at least one recipient (to) is required");
  for (size_t i = 0; i < d->nto; i++)
    if (!d->to[i] || !strchr(d->to[i], '@'))
      return tw_notify_err(err, cap, "email: recipient %zu is not an address", i + 1);
  if (d->sendmail && !*d->sendmail)
    return tw_notify_err(err, cap, "email: sendmail path is empty");
  return TW_OK;
}

static int64_t tw_mail_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tw_mail_send(const tw_delivery *d, const char *path,
                        const char *text, tw_delivery_result *out) {
  const char *argv[] = {path, "-t", "-oi"};
  tw_notify_proc p = {
      .path = path, .argv = argv, .argc = 3, .input = text,
      .input_len = strlen(text),
      .timeout_ms = d->timeout_ms > 0 ? d->timeout_ms : TW_NOTIFY_EMAIL_TIMEOUT_MS};
  int rc = tw_notify_run(&p, out);
  if (rc == TW_OK)
    return tw_notify_done(out, "sendmail accepted the message for %zu recipient%s",
                          d->nto, d->nto == 1 ? "" : "s");
  return rc;
}

static int tw_mail_deliver(const tw_delivery *d, const tw_notification *n,
                           tw_delivery_result *out) {
  const char *prog = d->sendmail ? d->sendmail : TW_NOTIFY_DEFAULT_SENDMAIL;
  char *path = NULL, *text = NULL;
  int rc = tw_notify_which(prog, &path);
  if (rc == TW_ENOTFOUND)
    return tw_notify_fail(out, TW_EIO, 0, "email: %s: not found or not executable", prog);
  if (rc == TW_OK)
    rc = tw_notify_email_text(d, n, tw_mail_now_ms(), &text);
  if (rc != TW_OK)
    rc = tw_notify_fail(out, rc, 1, "email: out of memory");
  else
    rc = tw_mail_send(d, path, text, out);
  free(path);
  free(text);
  return rc;
}

const tw_delivery_ops tw_delivery_email_ops = {TW_DELIVERY_EMAIL, "email",
                                               tw_mail_check, tw_mail_deliver};
