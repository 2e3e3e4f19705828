/*
 * notify.c — the dispatcher of src/notify/: maps a tw_delivery to the
 * vtable of its type (one file per type, see notify.h), validates the
 * target and the notification, and hosts the small helpers every delivery
 * shares (result recording, SNS timestamps, HMAC, libcurl's one-time
 * process initialisation).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notify/notify.h"

/* The registry: adding a target type is one file plus one line here. */
static const tw_delivery_ops *const tw_notify_types[TW_DELIVERY_NTYPES] = {
    [TW_DELIVERY_WEBHOOK] = &tw_delivery_webhook_ops,
    [TW_DELIVERY_COMMAND] = &tw_delivery_command_ops,
    [TW_DELIVERY_FILE] = &tw_delivery_file_ops,
    [TW_DELIVERY_STDOUT] = &tw_delivery_stdout_ops,
    [TW_DELIVERY_EMAIL] = &tw_delivery_email_ops,
};

static const tw_delivery_ops *tw_notify_ops(tw_delivery_type t) {
  if ((int)t < 0 || (int)t >= TW_DELIVERY_NTYPES)
    return NULL;
  return tw_notify_types[t];
}

const char *tw_delivery_type_name(tw_delivery_type t) {
  const tw_delivery_ops *ops = tw_notify_ops(t);
  return ops ? ops->name : NULL;
}

int tw_delivery_type_parse(const char *name, tw_delivery_type *out) {
  for (int i = 0; name && i < TW_DELIVERY_NTYPES; i++)
    if (strcmp(tw_notify_types[i]->name, name) == 0) {
      *out = tw_notify_types[i]->type;
      return TW_OK;
    }
  return TW_ENOTFOUND;
}

int tw_delivery_check(const tw_delivery *d, char *err, size_t cap) {
  if (!d)
    return tw_notify_err(err, cap, "no delivery target");
  const tw_delivery_ops *ops = tw_notify_ops(d->type);
  if (!ops)
    return tw_notify_err(err, cap, "unknown delivery type %d", (int)d->type);
  return ops->check(d, err, cap);
}

static int tw_notify_check_message(const tw_notification *n, char *err,
                                   size_t cap) {
  if (!n)
    return tw_notify_err(err, cap, "no notification");
  if (!n->id || !*n->id || tw_notify_has_ctl(n->id))
    return tw_notify_err(err, cap, "notification without a usable id");
  if (!n->topic_arn || !*n->topic_arn || tw_notify_has_ctl(n->topic_arn))
    return tw_notify_err(err, cap, "notification without a usable topic ARN");
  if (!n->message)
    return tw_notify_err(err, cap, "notification without message");
  return TW_OK;
}

static void tw_notify_reset(tw_delivery_result *out) {
  memset(out, 0, sizeof *out);
  out->exit_status = -1;
}

int tw_deliver(const tw_delivery *d, const tw_notification *n,
               tw_delivery_result *out) {
  if (!out)
    return TW_EINVAL;
  tw_notify_reset(out);
  char err[200];
  if (tw_delivery_check(d, err, sizeof err) != TW_OK ||
      tw_notify_check_message(n, err, sizeof err) != TW_OK)
    return tw_notify_fail(out, TW_EINVAL, 0, "%s", err);
  return tw_notify_ops(d->type)->deliver(d, n, out);
}

/* ---- results ---- */

static void tw_notify_vdetail(tw_delivery_result *out, const char *fmt,
                              va_list ap) {
  vsnprintf(out->detail, sizeof out->detail, fmt, ap);
  for (char *p = out->detail; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = ' ';
}

int tw_notify_fail(tw_delivery_result *out, int code, int retryable,
                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tw_notify_vdetail(out, fmt, ap);
  va_end(ap);
  out->ok = 0;
  out->retryable = code == TW_EINVAL ? 0 : (retryable != 0);
  return code == TW_EINVAL || code == TW_ENOMEM ? code : TW_EIO;
}

int tw_notify_done(tw_delivery_result *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tw_notify_vdetail(out, fmt, ap);
  va_end(ap);
  out->ok = 1;
  out->retryable = 0;
  return TW_OK;
}

void tw_notify_capture(tw_delivery_result *out, const void *p, size_t n) {
  size_t room = TW_NOTIFY_OUTPUT_MAX - out->output_len;
  if (n > room)
    n = room;
  memcpy(out->output + out->output_len, p, n);
  out->output_len += n;
  out->output[out->output_len] = 0;
}

void tw_notify_detail_output(tw_delivery_result *out) {
  size_t len = strlen(out->detail), i = 0;
  const char *o = out->output;
  while (i < out->output_len && (o[i] == '\n' || o[i] == '\r' || o[i] == ' '))
    i++;
  if (i >= out->output_len || len + 4 >= sizeof out->detail)
    return;
  memcpy(out->detail + len, ": ", 2);
  len += 2;
  for (; i < out->output_len && o[i] != '\n' && len + 1 < sizeof out->detail;
       i++) {
    unsigned char c = (unsigned char)o[i];
    out->detail[len++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
  }
  out->detail[len] = 0;
}

int tw_notify_err(char *err, size_t cap, const char *fmt, ...) {
  if (err && cap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
  }
  return TW_EINVAL;
}

int tw_notify_has_ctl(const char *s) {
  for (; s && *s; s++)
    if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
      return 1;
  return 0;
}

/* ---- formats ---- */

void tw_notify_iso_ms(int64_t ms, char *buf, size_t cap) {
  int64_t sec = ms / 1000, rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    sec -= 1;
  }
  time_t t = (time_t)sec;
  struct tm tm;
  if (!gmtime_r(&t, &tm)) {
    snprintf(buf, cap, "1970-01-01T00:00:00.000Z");
    return;
  }
  snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           (int)rem);
}

int tw_notify_hmac_hex(const char *secret, const void *body, size_t len,
                       char hex[65]) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mlen = 0;
  size_t klen = strlen(secret);
  if (klen > INT32_MAX ||
      !HMAC(EVP_sha256(), secret, (int)klen, body, len, mac, &mlen) ||
      mlen != 32)
    return TW_EINVAL;
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < mlen; i++) {
    hex[2 * i] = digits[mac[i] >> 4];
    hex[2 * i + 1] = digits[mac[i] & 15];
  }
  hex[64] = 0;
  return TW_OK;
}

/* ---- libcurl, once per process ---- */

static pthread_once_t tw_notify_once = PTHREAD_ONCE_INIT;
static CURLcode tw_notify_curl_rc = CURLE_FAILED_INIT; /* written once */

static void tw_notify_curl_init(void) {
  tw_notify_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int tw_notify_global_init(void) {
  pthread_once(&tw_notify_once, tw_notify_curl_init);
  return tw_notify_curl_rc == CURLE_OK ? TW_OK : TW_EIO;
}
