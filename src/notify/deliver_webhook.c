/*
 * deliver_webhook.c — the "webhook" target: one HTTP(S) POST through
 * libcurl. By default the body is the SNS HTTP notification envelope with
 * SNS's headers, so an endpoint written for an SNS HTTP subscription works
 * unchanged; with format_slack it is {"text": summary} for Slack-style
 * incoming webhooks. An optional secret adds X-Trailwatch-Signature (HMAC-
 * SHA256 of the body). TLS is verified unless `insecure` is set; redirects
 * are not followed. 2xx delivers; 408, 429, 5xx and network errors are
 * retryable; anything else is not.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "notify/notify.h"

/* ---- checks ---- */

static int tw_wh_token_char(unsigned char c) {
  return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* "Name: value" with a token name and no control characters. */
static int tw_wh_header_ok(const char *h) {
  size_t i = 0;
  while (tw_wh_token_char((unsigned char)h[i]))
    i++;
  return i > 0 && h[i] == ':' && !tw_notify_has_ctl(h);
}

static int tw_wh_check(const tw_delivery *d, char *err, size_t cap) {
  if (!d->url || !*d->url)
    return tw_notify_err(err, cap, "webhook: url is required");
  if (strncasecmp(d->url, "http://", 7) && strncasecmp(d->url, "https://", 8))
    return tw_notify_err(err, cap, "webhook: url must start with http:// or https://");
  if (tw_notify_has_ctl(d->url) || strchr(d->url, ' '))
    return tw_notify_err(err, cap, "webhook: url contains spaces or control characters");
  if (d->nheaders && !d->headers)
    return tw_notify_err(err, cap, "webhook: headers missing");
  for (size_t i = 0; i < d->nheaders; i++)
    if (!d->headers[i] || !tw_wh_header_ok(d->headers[i]))
      return tw_notify_err(err, cap, "webhook: header %zu is not \"Name: value\"", i + 1);
  if (d->secret && !*d->secret)
    return tw_notify_err(err, cap, "webhook: secret is empty");
  return TW_OK;
}

/* ---- request ---- */

typedef struct tw_wh_req {
  struct curl_slist *headers;
  int rc;
} tw_wh_req;

/* Does the user configure a header with this name? */
static int tw_wh_user_has(const tw_delivery *d, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < d->nheaders; i++)
    if (strncasecmp(d->headers[i], name, len) == 0 && d->headers[i][len] == ':')
      return 1;
  return 0;
}

static void tw_wh_add(tw_wh_req *r, const char *line) {
  if (r->rc != TW_OK)
    return;
  struct curl_slist *l = curl_slist_append(r->headers, line);
  if (!l)
    r->rc = TW_ENOMEM;
  else
    r->headers = l;
}

/* A default header "name: value", unless the user configured that name. */
static void tw_wh_default(tw_wh_req *r, const tw_delivery *d, const char *name,
                          const char *value) {
  if (tw_wh_user_has(d, name))
    return;
  tw_nw w = {0};
  char *line = NULL;
  tw_nw_printf(&w, "%s: %s", name, value);
  if (r->rc == TW_OK)
    r->rc = tw_nw_finish(&w, &line);
  else
    tw_buf_free(&w.b);
  tw_wh_add(r, line);
  free(line);
}

/* SNS names the subscription too; ours is "<topic ARN>:trailwatch", the
 * same as EventSubscriptionArn in the command target's Lambda event. */
static void tw_wh_subscription(tw_wh_req *r, const tw_delivery *d,
                               const tw_notification *n) {
  size_t len = strlen(n->topic_arn) + sizeof ":trailwatch";
  char *arn = malloc(len);
  if (!arn) {
    r->rc = TW_ENOMEM;
    return;
  }
  snprintf(arn, len, "%s:trailwatch", n->topic_arn);
  tw_wh_default(r, d, "x-amz-sns-subscription-arn", arn);
  free(arn);
}

static void tw_wh_headers(tw_wh_req *r, const tw_delivery *d,
                          const tw_notification *n, const char *body) {
  if (d->format_slack) {
    tw_wh_default(r, d, "Content-Type", "application/json");
  } else {
    tw_wh_default(r, d, "Content-Type", "text/plain; charset=UTF-8");
    tw_wh_default(r, d, "x-amz-sns-message-type", "Notification");
    tw_wh_default(r, d, "x-amz-sns-message-id", n->id);
    tw_wh_default(r, d, "x-amz-sns-topic-arn", n->topic_arn);
    tw_wh_subscription(r, d, n);
  }
  tw_wh_default(r, d, "User-Agent", "trailwatch (SNS-compatible notifier)");
  tw_wh_add(r, "Expect:"); /* no 100-continue round trip */
  if (d->secret) {
    char hex[65], line[96];
    if (tw_notify_hmac_hex(d->secret, body, strlen(body), hex) != TW_OK) {
      r->rc = TW_EINVAL;
      return;
    }
    snprintf(line, sizeof line, "X-Trailwatch-Signature: sha256=%s", hex);
    tw_wh_add(r, line);
  }
  for (size_t i = 0; i < d->nheaders; i++)
    tw_wh_add(r, d->headers[i]);
}

static size_t tw_wh_write(char *p, size_t size, size_t nmemb, void *ud) {
  tw_notify_capture(ud, p, size * nmemb);
  return size * nmemb;
}

static int64_t tw_wh_timeout(const tw_delivery *d) {
  return d->timeout_ms > 0 ? d->timeout_ms : TW_NOTIFY_WEBHOOK_TIMEOUT_MS;
}

static CURLcode tw_wh_setup(CURL *c, const tw_delivery *d, const char *body,
                            struct curl_slist *headers,
                            tw_delivery_result *out, char *errbuf) {
  long tmo = (long)(tw_wh_timeout(d) > 0x7fffffff ? 0x7fffffff : tw_wh_timeout(d));
  CURLcode e = curl_easy_setopt(c, CURLOPT_URL, d->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, tmo);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, tmo);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, d->insecure ? 0L : 1L);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, d->insecure ? 0L : 2L);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tw_wh_write);
  if (!e)
    e = curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  return e;
}

/* ---- outcome ---- */

static int tw_wh_curl_failed(const tw_delivery *d, CURLcode e,
                             const char *errbuf, tw_delivery_result *out) {
  const char *why = errbuf[0] ? errbuf : curl_easy_strerror(e);
  switch (e) {
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
  case CURLE_NOT_BUILT_IN:
  case CURLE_BAD_FUNCTION_ARGUMENT:
    return tw_notify_fail(out, TW_EINVAL, 0, "webhook: %s", why);
  case CURLE_OUT_OF_MEMORY:
    return tw_notify_fail(out, TW_ENOMEM, 1, "webhook: out of memory");
  case CURLE_OPERATION_TIMEDOUT:
    return tw_notify_fail(out, TW_EIO, 1, "webhook: timed out after %lld ms: %s",
                          (long long)tw_wh_timeout(d), why);
  default:
    return tw_notify_fail(out, TW_EIO, 1, "webhook: %s", why);
  }
}

static int tw_wh_status(long status, tw_delivery_result *out) {
  out->http_status = (int)status;
  if (status >= 200 && status < 300)
    return tw_notify_done(out, "HTTP %ld", status);
  int retry = status >= 500 || status == 429 || status == 408;
  int rc = tw_notify_fail(out, TW_EIO, retry, "HTTP %ld%s", status,
                          status >= 300 && status < 400
                              ? " (redirects are not followed)"
                              : "");
  tw_notify_detail_output(out);
  return rc;
}

static int tw_wh_body(const tw_delivery *d, const tw_notification *n,
                      char **body) {
  return d->format_slack ? tw_notify_slack_body(n, body)
                         : tw_notify_envelope(n, body);
}

static int tw_wh_deliver(const tw_delivery *d, const tw_notification *n,
                         tw_delivery_result *out) {
  if (tw_notify_global_init() != TW_OK)
    return tw_notify_fail(out, TW_EIO, 1, "webhook: libcurl initialisation failed");
  char *body = NULL;
  int rc = tw_wh_body(d, n, &body);
  if (rc != TW_OK)
    return tw_notify_fail(out, rc, 1, "webhook: cannot build the body");
  tw_wh_req r = {NULL, TW_OK};
  tw_wh_headers(&r, d, n, body);
  CURL *c = r.rc == TW_OK ? curl_easy_init() : NULL;
  char errbuf[CURL_ERROR_SIZE] = {0};
  if (!c) {
    rc = tw_notify_fail(out, r.rc ? r.rc : TW_ENOMEM, 1,
                        "webhook: cannot prepare the request");
  } else {
    CURLcode e = tw_wh_setup(c, d, body, r.headers, out, errbuf);
    if (!e)
      e = curl_easy_perform(c);
    long status = 0;
    if (!e)
      e = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    rc = e ? tw_wh_curl_failed(d, e, errbuf, out) : tw_wh_status(status, out);
    curl_easy_cleanup(c);
  }
  curl_slist_free_all(r.headers);
  free(body);
  return rc;
}

const tw_delivery_ops tw_delivery_webhook_ops = {
    TW_DELIVERY_WEBHOOK, "webhook", tw_wh_check, tw_wh_deliver};
