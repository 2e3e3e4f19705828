/*
 * http.h — the HTTP/1.1 front end of `trailwatch serve` (libmicrohttpd):
 * one internal polling thread answers requests one at a time under the
 * API lock (tw_api_lock); a second thread runs tw_api_tick every second.
 */
#ifndef TW_HTTP_H
#define TW_HTTP_H

#include "api/api.h"
#include "api/sigv4.h"

typedef struct tw_http tw_http;

typedef struct tw_http_config {
  const char *address;       /* IPv4 or IPv6 literal */
  unsigned short port;       /* 0 = pick a free port */
  tw_api *api;               /* borrowed */
  const tw_sigv4_keys *keys; /* NULL: any signature is accepted */
} tw_http_config;

int tw_http_start(const tw_http_config *cfg, tw_http **out, tw_error *err);
/* The bound port (useful with port 0). */
unsigned short tw_http_port(const tw_http *h);
void tw_http_stop(tw_http *h);

#endif /* TW_HTTP_H */
