/*
 * metrics_text.h — the operations endpoints of `trailwatch serve` as seen
 * by http.c: the Prometheus text of GET /metrics (metrics_text.c) and the
 * database check of GET /healthz (stats.c). Every function here is called
 * with the API lock held (tw_api_lock).
 */
#ifndef TW_METRICS_TEXT_H
#define TW_METRICS_TEXT_H

#include <stdint.h>

#include "api/api.h"

/* Version shown by trailwatch_build_info and the start log line. */
#define TW_SERVE_VERSION "0.1.0"

/* Content-Type of the text exposition format. */
#define TW_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Append the Prometheus text exposition (format 0.0.4) of the server's
 * metrics to out; start_ms is the server's start time. TW_ENOMEM, or
 * TW_EIO when the store cannot list the metric filters. */
int tw_api_metrics_text(tw_api *api, int64_t start_ms, tw_buf *out);

/* TW_OK when the database answers a trivial query; else err says why. */
int tw_api_health(tw_api *api, tw_error *err);

/* Outbox rows waiting for delivery (pending) and given up (failed);
 * when the store cannot count them, /metrics leaves the series out. */
int tw_api_outbox_depth(tw_api *api, int64_t *pending, int64_t *failed);

#endif /* TW_METRICS_TEXT_H */
