/*
 * http.c — libmicrohttpd glue for `trailwatch serve`: per-operation body
 * limits enforced before a body is read whole (Content-Length checked on
 * the first callback, streaming bodies cut off at the limit), gzip request
 * bodies (Content-Encoding: gzip), SigV4 when keys are configured, then
 * tw_api_handle under the server lock; the unauthenticated operations
 * endpoints GET /metrics (Prometheus text) and GET /healthz; plus the tick
 * thread (alarm schedule, retention).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>
#include <zlib.h>

#include "api/http.h"
#include "api/metrics_text.h"
#include "util/log.h"

#define TW_GZIP_MAX ((size_t)8 << 20)

struct tw_http {
  struct MHD_Daemon *daemon;
  tw_api *api;
  const tw_sigv4_keys *keys;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t ticker;
  int ticker_started;
  int stopping;
  unsigned short port;
  unsigned long long nerrors; /* request ids of front-end errors */
  int64_t start_ms;           /* trailwatch_start_time_seconds */
};

typedef struct tw_http_req {
  tw_buf body;
  size_t limit;
  int too_large;
  int started;
} tw_http_req;

/* ---- responses ------------------------------------------------------------- */

static enum MHD_Result tw_http_send(struct MHD_Connection *conn,
                                    tw_api_service svc,
                                    const tw_api_response *r) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      r->body.len, r->body.data, MHD_RESPMEM_MUST_COPY);
  if (!resp)
    return MHD_NO;
  MHD_add_response_header(resp, "Content-Type",
                          svc == TW_SVC_CLOUDWATCH
                              ? "application/x-amz-json-1.0"
                              : "application/x-amz-json-1.1");
  MHD_add_response_header(resp, "x-amzn-RequestId", r->request_id);
  if (r->query_error[0])
    MHD_add_response_header(resp, "x-amzn-query-error", r->query_error);
  enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static enum MHD_Result tw_http_error(tw_http *h, struct MHD_Connection *conn,
                                     tw_api_service svc, int status,
                                     const char *code, const char *msg) {
  tw_api_response r;
  memset(&r, 0, sizeof r);
  pthread_mutex_lock(&h->lock);
  snprintf(r.request_id, sizeof r.request_id, "00000000-0000-4000-8000-%012llx",
           ++h->nerrors);
  pthread_mutex_unlock(&h->lock);
  tw_api_error_response(svc, status, code, msg, &r);
  enum MHD_Result ok = tw_http_send(conn, svc, &r);
  tw_api_response_free(&r);
  return ok;
}

static tw_api_service tw_http_service(struct MHD_Connection *conn,
                                      const char **op) {
  const char *target =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
  return tw_api_service_of(target, op);
}

static enum MHD_Result tw_http_too_large(tw_http *h,
                                         struct MHD_Connection *conn,
                                         size_t limit) {
  const char *op = NULL;
  tw_api_service svc = tw_http_service(conn, &op);
  char msg[160];
  snprintf(msg, sizeof msg,
           "Request body exceeds the limit of %zu bytes for %s", limit,
           op && *op ? op : "this operation");
  return tw_http_error(h, conn, svc, 413,
                       svc == TW_SVC_LOGS ? "RequestEntityTooLargeException"
                                          : "RequestEntityTooLarge",
                       msg);
}

/* ---- gzip ------------------------------------------------------------------------ */

/* Inflate in into out (at most TW_GZIP_MAX bytes); TW_ELIMIT / TW_EINVAL. */
static int tw_http_gunzip(const tw_buf *in, tw_buf *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return TW_ENOMEM;
  z.next_in = (Bytef *)in->data;
  z.avail_in = (uInt)in->len;
  int zrc = Z_OK, rc = TW_OK;
  while (rc == TW_OK && zrc != Z_STREAM_END) {
    if ((rc = tw_buf_reserve(out, 65536)) != TW_OK)
      break;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = 65536;
    zrc = inflate(&z, Z_NO_FLUSH);
    out->len += 65536 - z.avail_out;
    if (zrc != Z_OK && zrc != Z_STREAM_END)
      rc = TW_EINVAL;
    else if (out->len > TW_GZIP_MAX)
      rc = TW_ELIMIT;
    else if (zrc == Z_OK && z.avail_in == 0 && z.avail_out != 0)
      rc = TW_EINVAL; /* truncated stream */
  }
  inflateEnd(&z);
  return rc;
}

/* ---- SigV4 ---------------------------------------------------------------------- */

typedef struct tw_http_headers {
  tw_sigv4_header *h;
  size_t n, cap;
  tw_buf query;
} tw_http_headers;

static enum MHD_Result tw_http_collect(void *cls, enum MHD_ValueKind kind,
                                       const char *key, const char *value) {
  tw_http_headers *hs = cls;
  (void)kind;
  if (hs->n == hs->cap) {
    size_t cap = hs->cap ? hs->cap * 2 : 16;
    tw_sigv4_header *p = realloc(hs->h, cap * sizeof *p);
    if (!p)
      return MHD_NO;
    hs->h = p;
    hs->cap = cap;
  }
  hs->h[hs->n].name = key;
  hs->h[hs->n++].value = value ? value : "";
  return MHD_YES;
}

static enum MHD_Result tw_http_collect_arg(void *cls, enum MHD_ValueKind kind,
                                           const char *key,
                                           const char *value) {
  tw_buf *q = cls;
  (void)kind;
  if (q->len)
    tw_buf_append(q, "&", 1);
  tw_buf_append(q, key, strlen(key));
  if (value) {
    tw_buf_append(q, "=", 1);
    tw_buf_append(q, value, strlen(value));
  }
  return MHD_YES;
}

static const char *const tw_auth_codes[][2] = {
    /* indexed by tw_sigv4_fail: Logs code, CloudWatch query code */
    {"", ""},
    {"MissingAuthenticationTokenException", "MissingAuthenticationToken"},
    {"IncompleteSignatureException", "IncompleteSignature"},
    {"UnrecognizedClientException", "InvalidClientTokenId"},
    {"InvalidSignatureException", "SignatureDoesNotMatch"},
    {"InvalidSignatureException", "SignatureDoesNotMatch"},
};

/* 0 when authorized, else the error response was queued. */
static int tw_http_auth(tw_http *h, struct MHD_Connection *conn,
                        const char *method, const char *url,
                        const tw_buf *body, tw_api_service svc,
                        enum MHD_Result *ret) {
  if (!h->keys)
    return 0;
  tw_http_headers hs;
  memset(&hs, 0, sizeof hs);
  MHD_get_connection_values(conn, MHD_HEADER_KIND, tw_http_collect, &hs);
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, tw_http_collect_arg,
                            &hs.query);
  tw_buf_append(&hs.query, "", 1);
  tw_sigv4_request req = {method,    url,       hs.query.data,
                          hs.h,      hs.n,      body->data,
                          body->len, svc == TW_SVC_CLOUDWATCH ? "monitoring"
                                                              : "logs",
                          tw_api_now_ms()};
  tw_sigv4_error e;
  int rc = tw_sigv4_verify(h->keys, &req, &e);
  free(hs.h);
  tw_buf_free(&hs.query);
  if (rc == TW_OK)
    return 0;
  if (rc == TW_ENOMEM)
    e.kind = TW_SIGV4_MISMATCH;
  int cw = svc == TW_SVC_CLOUDWATCH;
  int status = cw && e.kind != TW_SIGV4_INCOMPLETE ? 403 : 400;
  *ret = tw_http_error(h, conn, svc, status, tw_auth_codes[e.kind][cw],
                       e.message);
  return 1;
}

/* ---- GET /metrics and /healthz ----------------------------------------------------- */

static enum MHD_Result tw_http_text(struct MHD_Connection *conn,
                                    unsigned status, const char *type,
                                    const char *text, size_t len) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
  if (!resp)
    return MHD_NO;
  MHD_add_response_header(resp, "Content-Type", type);
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  enum MHD_Result ok = MHD_queue_response(conn, status, resp);
  MHD_destroy_response(resp);
  return ok;
}

/* Built under the API lock, sent without it. */
static enum MHD_Result tw_http_metrics(tw_http *h,
                                       struct MHD_Connection *conn) {
  tw_buf b = {0};
  tw_api_lock(h->api);
  int rc = tw_api_metrics_text(h->api, h->start_ms, &b);
  tw_api_unlock(h->api);
  enum MHD_Result ret;
  if (rc == TW_OK) {
    ret = tw_http_text(conn, 200, TW_METRICS_CONTENT_TYPE, b.data, b.len);
  } else {
    tw_log_kv(tw_api_log(h->api), TW_LOG_ERROR, "metrics.failed", "error",
              tw_strerror(rc), NULL);
    static const char msg[] = "cannot build the metrics\n";
    ret = tw_http_text(conn, 500, "text/plain; charset=utf-8", msg,
                       sizeof msg - 1);
  }
  tw_buf_free(&b);
  return ret;
}

static enum MHD_Result tw_http_healthz(tw_http *h,
                                       struct MHD_Connection *conn) {
  tw_error err;
  memset(&err, 0, sizeof err);
  tw_api_lock(h->api);
  int rc = tw_api_health(h->api, &err);
  tw_api_unlock(h->api);
  if (rc == TW_OK)
    return tw_http_text(conn, 200, "text/plain; charset=utf-8", "ok\n", 3);
  char text[300];
  snprintf(text, sizeof text, "unavailable: %s\n", err.message);
  return tw_http_text(conn, 503, "text/plain; charset=utf-8", text,
                      strlen(text));
}

/* 1 when the request is GET/HEAD /metrics or /healthz (answered in *ret). */
static int tw_http_ops(tw_http *h, struct MHD_Connection *conn,
                       const char *method, const char *url,
                       enum MHD_Result *ret) {
  if (strcmp(method, "GET") && strcmp(method, "HEAD"))
    return 0;
  if (!strcmp(url, "/metrics"))
    *ret = tw_http_metrics(h, conn);
  else if (!strcmp(url, "/healthz"))
    *ret = tw_http_healthz(h, conn);
  else
    return 0;
  return 1;
}

/* ---- the request handler ----------------------------------------------------------- */

static enum MHD_Result tw_http_finish(tw_http *h, struct MHD_Connection *conn,
                                      const char *method, const char *url,
                                      tw_http_req *rq) {
  const char *op = NULL;
  const char *target =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
  tw_api_service svc = tw_api_service_of(target, &op);
  enum MHD_Result ret = MHD_NO;
  if (rq->too_large)
    return tw_http_too_large(h, conn, rq->limit);
  if (tw_http_auth(h, conn, method, url, &rq->body, svc, &ret))
    return ret;
  const char *enc =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Encoding");
  tw_buf plain = {0};
  const tw_buf *body = &rq->body;
  if (enc && !strcasecmp(enc, "gzip")) {
    int rc = tw_http_gunzip(&rq->body, &plain);
    if (rc) {
      tw_buf_free(&plain);
      return rc == TW_ELIMIT ? tw_http_too_large(h, conn, TW_GZIP_MAX)
                             : tw_http_error(h, conn, svc, 400,
                                             "SerializationException",
                                             "The gzip request body could "
                                             "not be decompressed.");
    }
    body = &plain;
  }
  tw_api_response r;
  tw_api_lock(h->api);
  int rc = tw_api_handle(h->api, target, body->data, body->len,
                         tw_api_now_ms(), &r);
  tw_api_unlock(h->api);
  tw_buf_free(&plain);
  ret = rc == TW_OK ? tw_http_send(conn, svc, &r) : MHD_NO;
  tw_api_response_free(&r);
  return ret;
}

/* First call: the operations endpoints, the method check and the
 * Content-Length limit. */
static enum MHD_Result tw_http_begin(tw_http *h, struct MHD_Connection *conn,
                                     const char *method, const char *url,
                                     tw_http_req *rq, int *answered) {
  const char *op = NULL;
  tw_api_service svc = tw_http_service(conn, &op);
  rq->limit = tw_api_body_limit(svc, op);
  *answered = 1;
  enum MHD_Result ret;
  if (tw_http_ops(h, conn, method, url, &ret))
    return ret;
  if (strcmp(method, "POST"))
    return tw_http_error(h, conn, svc, 405, "UnknownOperationException",
                         "Only POST requests are supported.");
  const char *cl =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
  if (cl && strtoull(cl, NULL, 10) > rq->limit)
    return tw_http_too_large(h, conn, rq->limit);
  *answered = 0;
  return MHD_YES;
}

static enum MHD_Result tw_http_handler(void *cls, struct MHD_Connection *conn,
                                       const char *url, const char *method,
                                       const char *version,
                                       const char *upload_data,
                                       size_t *upload_data_size,
                                       void **con_cls) {
  tw_http *h = cls;
  tw_http_req *rq = *con_cls;
  (void)version;
  if (!rq) {
    rq = calloc(1, sizeof *rq);
    if (!rq)
      return MHD_NO;
    *con_cls = rq;
    int answered = 0;
    enum MHD_Result r = tw_http_begin(h, conn, method, url, rq, &answered);
    rq->started = answered;
    return r;
  }
  if (rq->started)
    return MHD_YES; /* an error was queued; discard the rest */
  if (*upload_data_size) {
    if (!rq->too_large && rq->body.len + *upload_data_size <= rq->limit)
      tw_buf_append(&rq->body, upload_data, *upload_data_size);
    else
      rq->too_large = 1;
    *upload_data_size = 0;
    return MHD_YES;
  }
  rq->started = 1;
  return tw_http_finish(h, conn, method, url, rq);
}

static void tw_http_completed(void *cls, struct MHD_Connection *conn,
                              void **con_cls,
                              enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  tw_http_req *rq = *con_cls;
  if (!rq)
    return;
  tw_buf_free(&rq->body);
  free(rq);
  *con_cls = NULL;
}

/* ---- ticker ---------------------------------------------------------------------------- */

static void *tw_http_ticker(void *arg) {
  tw_http *h = arg;
  pthread_mutex_lock(&h->lock);
  while (!h->stopping) {
    /* wake at the next wall-clock second (evaluations start right after
     * the minute boundary), measured on the monotonic clock so that a
     * step of the wall clock cannot stall the ticker */
    struct timespec wall, ts;
    clock_gettime(CLOCK_REALTIME, &wall);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 1000000000L - wall.tv_nsec;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&h->wake, &h->lock, &ts);
    if (h->stopping)
      break;
    pthread_mutex_unlock(&h->lock);
    tw_api_lock(h->api);
    int rc = tw_api_tick(h->api, tw_api_now_ms());
    tw_api_unlock(h->api);
    if (rc)
      tw_log_kv(tw_api_log(h->api), TW_LOG_ERROR, "tick.failed", "error",
                tw_strerror(rc), NULL);
    pthread_mutex_lock(&h->lock);
  }
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

/* ---- start / stop ------------------------------------------------------------------------ */

static int tw_http_addr(const tw_http_config *cfg, struct sockaddr_storage *ss,
                        socklen_t *len, int *v6) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, cfg->address, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(cfg->port);
    *len = sizeof *a4;
    *v6 = 0;
    return TW_OK;
  }
  if (inet_pton(AF_INET6, cfg->address, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(cfg->port);
    *len = sizeof *a6;
    *v6 = 1;
    return TW_OK;
  }
  return TW_EINVAL;
}

int tw_http_start(const tw_http_config *cfg, tw_http **out, tw_error *err) {
  struct sockaddr_storage ss;
  socklen_t slen;
  int v6 = 0;
  if (tw_http_addr(cfg, &ss, &slen, &v6))
    return tw_error_set(err, TW_EINVAL, 0, "invalid listen address: %s",
                        cfg->address);
  tw_http *h = calloc(1, sizeof *h);
  if (!h)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  h->api = cfg->api;
  h->keys = cfg->keys;
  h->start_ms = tw_api_now_ms();
  pthread_mutex_init(&h->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&h->wake, &ca);
  pthread_condattr_destroy(&ca);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                   (v6 ? MHD_USE_IPv6 : 0);
  h->daemon = MHD_start_daemon(
      flags, cfg->port, NULL, NULL, tw_http_handler, h, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, tw_http_completed,
      h, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024, MHD_OPTION_END);
  if (!h->daemon) {
    tw_http_stop(h);
    return tw_error_set(err, TW_EIO, 0, "cannot listen on %s:%u: %s",
                        cfg->address, cfg->port, strerror(errno));
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
  h->port = info ? info->port : cfg->port;
  if (pthread_create(&h->ticker, NULL, tw_http_ticker, h) != 0) {
    tw_http_stop(h); /* no alarm evaluation without the ticker */
    return tw_error_set(err, TW_EIO, 0, "cannot start the alarm ticker");
  }
  h->ticker_started = 1;
  *out = h;
  return TW_OK;
}

unsigned short tw_http_port(const tw_http *h) { return h->port; }

void tw_http_stop(tw_http *h) {
  if (!h)
    return;
  if (h->daemon)
    MHD_stop_daemon(h->daemon);
  pthread_mutex_lock(&h->lock);
  h->stopping = 1;
  pthread_cond_signal(&h->wake);
  pthread_mutex_unlock(&h->lock);
  if (h->ticker_started)
    pthread_join(h->ticker, NULL);
  pthread_cond_destroy(&h->wake);
  pthread_mutex_destroy(&h->lock);
  free(h);
}
