/*
 * test_notify_webhook.c — the webhook target against a tiny HTTP receiver
 * written here (a thread on 127.0.0.1, ephemeral port, every wait
 * bounded): the exact SNS envelope and headers, the HMAC signature, user
 * headers, the Slack body, status classification (2xx, 3xx not followed,
 * 4xx, 429, 5xx), a refused connection and a receiver that never answers
 * (the time limit holds, the result is retryable).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notify/notify.h"
#include "tw_test.h"

/* ---- the receiver ---- */

#define RX_MAX (1 << 20)

typedef struct rx {
  int lfd, port;
  int status;  /* reply status */
  int hang;    /* read the request, then never answer (until stopped) */
  int stop[2]; /* written by the test to end a hang early */
  char req[RX_MAX + 1];
  size_t len;
  int nreq;
  pthread_t th;
} rx;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Where the body starts (after the blank line), or NULL. */
static char *rx_body(rx *r) {
  char *p = strstr(r->req, "\r\n\r\n");
  return p ? p + 4 : NULL;
}

/* A request header's value (first match, case-insensitive), or NULL. */
static char *rx_header(rx *r, const char *name, char *buf, size_t cap) {
  size_t nlen = strlen(name);
  char *end = rx_body(r);
  for (char *p = strstr(r->req, "\r\n"); p && end && p < end - 4;
       p = strstr(p + 2, "\r\n")) {
    if (strncasecmp(p + 2, name, nlen) == 0 && p[2 + nlen] == ':') {
      char *v = p + 3 + nlen;
      while (*v == ' ')
        v++;
      size_t vlen = strcspn(v, "\r\n");
      snprintf(buf, cap, "%.*s", (int)vlen, v);
      return buf;
    }
  }
  return NULL;
}

static int rx_count_header(rx *r, const char *name) {
  int n = 0;
  size_t nlen = strlen(name);
  char *end = rx_body(r);
  for (char *p = strstr(r->req, "\r\n"); p && end && p < end - 4;
       p = strstr(p + 2, "\r\n"))
    n += strncasecmp(p + 2, name, nlen) == 0 && p[2 + nlen] == ':';
  return n;
}

/* Read one request: headers, then Content-Length bytes (2 s bound). */
static void rx_read(rx *r, int fd) {
  r->len = 0;
  int64_t until = now_ms() + 2000;
  while (r->len < RX_MAX && now_ms() < until) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0)
      continue;
    ssize_t n = read(fd, r->req + r->len, RX_MAX - r->len);
    if (n <= 0)
      break;
    r->len += (size_t)n;
    r->req[r->len] = 0;
    char *body = rx_body(r);
    char cl[32];
    if (body && rx_header(r, "Content-Length", cl, sizeof cl) &&
        (size_t)(r->req + r->len - body) >= (size_t)atol(cl))
      break;
  }
  r->req[r->len] = 0;
}

static void rx_reply(rx *r, int fd) {
  char resp[256];
  const char *body = r->status >= 400 ? "receiver says no\nsecond line" : "ok";
  int n = snprintf(resp, sizeof resp,
                   "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n%s",
                   r->status, strlen(body),
                   r->status == 302 ? "Location: http://127.0.0.1:1/elsewhere\r\n" : "",
                   body);
  ssize_t w = write(fd, resp, (size_t)n);
  (void)w;
}

static void *rx_main(void *arg) {
  rx *r = arg;
  struct pollfd p = {r->lfd, POLLIN, 0};
  if (poll(&p, 1, 5000) <= 0)
    return NULL;
  int fd = accept(r->lfd, NULL, NULL);
  if (fd < 0)
    return NULL;
  rx_read(r, fd);
  r->nreq++;
  if (r->hang) {
    struct pollfd s = {r->stop[0], POLLIN, 0};
    poll(&s, 1, 10000);
  } else {
    rx_reply(r, fd);
  }
  close(fd);
  return NULL;
}

static rx *rx_start(int status, int hang) {
  rx *r = calloc(1, sizeof *r);
  r->status = status;
  r->hang = hang;
  if (pipe(r->stop) != 0)
    abort();
  r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&a, sizeof a) ||
      listen(r->lfd, 4) || getsockname(r->lfd, (struct sockaddr *)&a, &alen))
    abort();
  r->port = ntohs(a.sin_port);
  pthread_create(&r->th, NULL, rx_main, r);
  return r;
}

/* Ends the receiver (joins its thread); the captured request stays
 * readable until free(r). */
static void rx_stop(rx *r) {
  ssize_t w = write(r->stop[1], "x", 1);
  (void)w;
  pthread_join(r->th, NULL);
  close(r->lfd);
  close(r->stop[0]);
  close(r->stop[1]);
}

static void rx_url(const rx *r, char *buf, size_t cap) {
  snprintf(buf, cap, "http://127.0.0.1:%d/hook?x=1", r->port);
}

/* ---- fixtures ---- */

static const char *const msg =
    "{\"AlarmName\":\"root-use\",\"NewStateValue\":\"ALARM\",\"OldStateValue\":"
    "\"OK\",\"Region\":\"US East (N. Virginia)\",\"NewStateReason\":\"r\","
    "\"Events\":[{\"eventTime\":\"2024-03-01T12:34:56Z\",\"userIdentity\":{"
    "\"arn\":\"arn:aws:iam::123456789012:root\"},\"eventSource\":"
    "\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\","
    "\"sourceIPAddress\":\"203.0.113.9\",\"awsRegion\":\"us-east-1\","
    "\"eventID\":\"e-1\"}]}";

static tw_notification note(void) {
  tw_notification n = {"7d3f-0001", "arn:aws:sns:us-east-1:123456789012:alerts",
                       "ALARM: \"root-use\" in US East (N. Virginia)", msg,
                       1664131837868LL};
  return n;
}

static void no_proxy(void) {
  const char *vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                        "all_proxy", "ALL_PROXY"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    unsetenv(vars[i]);
}

/* ---- tests ---- */

TW_TEST(sns_envelope_headers_and_signature) {
  no_proxy();
  rx *r = rx_start(200, 0);
  char url[128], h[512];
  rx_url(r, url, sizeof url);
  const char *extra[] = {"Authorization: Bearer abc", "X-Team: sec"};
  tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = url, .secret = "s3cret",
                   .headers = extra, .nheaders = 2, .timeout_ms = 5000};
  tw_notification n = note();
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_OK);
  rx_stop(r); /* joins: the request is complete */
  TW_CHECK(res.ok && !res.retryable);
  TW_CHECK_EQ_INT(res.http_status, 200);
  TW_CHECK_EQ_STR(res.output, "ok");
  TW_CHECK(strncmp(r->req, "POST /hook?x=1 HTTP/1.1\r\n", 25) == 0);
  TW_CHECK_EQ_STR(rx_header(r, "Content-Type", h, sizeof h), "text/plain; charset=UTF-8");
  TW_CHECK_EQ_STR(rx_header(r, "x-amz-sns-message-type", h, sizeof h), "Notification");
  TW_CHECK_EQ_STR(rx_header(r, "x-amz-sns-message-id", h, sizeof h), "7d3f-0001");
  TW_CHECK_EQ_STR(rx_header(r, "x-amz-sns-topic-arn", h, sizeof h), n.topic_arn);
  TW_CHECK_EQ_STR(rx_header(r, "x-amz-sns-subscription-arn", h, sizeof h),
                  "arn:aws:sns:us-east-1:123456789012:alerts:trailwatch");
  TW_CHECK_EQ_STR(rx_header(r, "Authorization", h, sizeof h), "Bearer abc");
  TW_CHECK_EQ_STR(rx_header(r, "X-Team", h, sizeof h), "sec");
  TW_CHECK(rx_header(r, "Expect", h, sizeof h) == NULL);
  char *body = rx_body(r);
  TW_CHECK(body != NULL);
  if (!body) {
    free(r);
    return;
  }
  /* the signature, computed here independently */
  unsigned char mac[32];
  unsigned int mlen = 0;
  HMAC(EVP_sha256(), "s3cret", 6, (const unsigned char *)body, strlen(body), mac, &mlen);
  char want[80] = "sha256=";
  for (unsigned i = 0; i < mlen; i++)
    snprintf(want + 7 + 2 * i, 3, "%02x", mac[i]);
  TW_CHECK_EQ_STR(rx_header(r, "X-Trailwatch-Signature", h, sizeof h), want);
  json_error_t je;
  json_t *j = json_loads(body, 0, &je);
  TW_CHECK(j != NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Type")), "Notification");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "MessageId")), "7d3f-0001");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "TopicArn")), n.topic_arn);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Subject")), n.subject);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Message")), msg);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Timestamp")), "2022-09-25T18:50:37.868Z");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "SignatureVersion")), "1");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Signature")), "");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "SigningCertURL")), "");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "UnsubscribeURL")), "");
  TW_CHECK(json_is_object(json_object_get(j, "MessageAttributes")));
  json_decref(j);
  char *env = NULL;
  TW_CHECK_EQ_INT(tw_notify_envelope(&n, &env), TW_OK);
  TW_CHECK_EQ_STR(body, env); /* byte for byte */
  free(env);
  free(r);
}

TW_TEST(no_secret_no_signature_and_user_content_type_wins) {
  rx *r = rx_start(204, 0);
  char url[128], h[256];
  rx_url(r, url, sizeof url);
  const char *extra[] = {"content-type: application/json"};
  tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = url, .headers = extra,
                   .nheaders = 1, .timeout_ms = 5000};
  tw_notification n = note();
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_OK);
  rx_stop(r);
  TW_CHECK(res.ok);
  TW_CHECK_EQ_INT(res.http_status, 204);
  TW_CHECK(rx_header(r, "X-Trailwatch-Signature", h, sizeof h) == NULL);
  TW_CHECK_EQ_INT(rx_count_header(r, "Content-Type"), 1);
  TW_CHECK_EQ_STR(rx_header(r, "Content-Type", h, sizeof h), "application/json");
  free(r);
}

TW_TEST(slack_format) {
  rx *r = rx_start(200, 0);
  char url[128], h[256];
  rx_url(r, url, sizeof url);
  tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = url, .format_slack = 1,
                   .secret = "k", .timeout_ms = 5000};
  tw_notification n = note();
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_OK);
  rx_stop(r);
  TW_CHECK_EQ_STR(rx_header(r, "Content-Type", h, sizeof h), "application/json");
  TW_CHECK(rx_header(r, "x-amz-sns-message-type", h, sizeof h) == NULL);
  TW_CHECK(rx_header(r, "X-Trailwatch-Signature", h, sizeof h) != NULL);
  json_error_t je;
  json_t *j = rx_body(r) ? json_loads(rx_body(r), 0, &je) : NULL;
  const char *t = json_string_value(json_object_get(j, "text"));
  TW_CHECK(t != NULL);
  if (t) {
    TW_CHECK(strstr(t, "arn:aws:iam::123456789012:root") != NULL);       /* who */
    TW_CHECK(strstr(t, "signin.amazonaws.com ConsoleLogin") != NULL);    /* what */
    TW_CHECK(strstr(t, "from 203.0.113.9  in us-east-1") != NULL);       /* where */
    TW_CHECK(strstr(t, "2024-03-01T12:34:56Z") != NULL);                 /* when */
    TW_CHECK(strstr(t, "root-use") != NULL);
  }
  json_decref(j);
  free(r);
}

struct status_case {
  int status, ok, retryable;
};

TW_TEST(status_classes) {
  const struct status_case cases[] = {{200, 1, 0}, {201, 1, 0}, {302, 0, 0},
                                      {400, 0, 0}, {403, 0, 0}, {404, 0, 0},
                                      {408, 0, 1}, {429, 0, 1}, {500, 0, 1},
                                      {503, 0, 1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rx *r = rx_start(cases[i].status, 0);
    char url[128];
    rx_url(r, url, sizeof url);
    tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = url, .timeout_ms = 5000};
    tw_notification n = note();
    tw_delivery_result res;
    int rc = tw_deliver(&d, &n, &res);
    rx_stop(r);
    free(r);
    TW_CHECK_EQ_INT(rc, cases[i].ok ? TW_OK : TW_EIO);
    TW_CHECK_EQ_INT(res.ok, cases[i].ok);
    TW_CHECK_EQ_INT(res.retryable, cases[i].retryable);
    TW_CHECK_EQ_INT(res.http_status, cases[i].status);
    if (cases[i].status >= 400) { /* the reply's first line, for logs */
      char want[64];
      snprintf(want, sizeof want, "HTTP %d: receiver says no", cases[i].status);
      TW_CHECK_EQ_STR(res.detail, want);
    }
    if (cases[i].status == 302)
      TW_CHECK(strstr(res.detail, "redirects are not followed") != NULL);
  }
}

TW_TEST(refused_connection_is_retryable) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  TW_CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  TW_CHECK(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
  close(fd); /* nobody listens there now */
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(a.sin_port));
  tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = url, .timeout_ms = 3000};
  tw_notification n = note();
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EIO);
  TW_CHECK(!res.ok && res.retryable);
  TW_CHECK_EQ_INT(res.http_status, 0);
  TW_CHECK(strncmp(res.detail, "webhook: ", 9) == 0);
}

TW_TEST(hanging_receiver_times_out) {
  rx *r = rx_start(200, 1);
  char url[128];
  rx_url(r, url, sizeof url);
  tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = url, .timeout_ms = 400};
  tw_notification n = note();
  tw_delivery_result res;
  int64_t t0 = now_ms();
  int rc = tw_deliver(&d, &n, &res);
  int64_t took = now_ms() - t0;
  rx_stop(r);
  TW_CHECK_EQ_INT(rc, TW_EIO);
  TW_CHECK(!res.ok && res.retryable);
  TW_CHECK(took >= 350 && took < 15000); /* cut at the timeout, not left hanging */
  TW_CHECK(strstr(res.detail, "timed out after 400 ms") != NULL);
  TW_CHECK_EQ_INT(r->nreq, 1);
  free(r);
}

TW_TEST(bad_urls_are_not_retryable) {
  const char *urls[] = {"ftp://127.0.0.1/", "http://[::1/"};
  for (size_t i = 0; i < 2; i++) {
    tw_delivery d = {.type = TW_DELIVERY_WEBHOOK, .url = urls[i], .timeout_ms = 1000};
    tw_notification n = note();
    tw_delivery_result res;
    TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EINVAL);
    TW_CHECK(!res.ok && !res.retryable);
  }
}

int main(void) { return tw_test_run(); }
