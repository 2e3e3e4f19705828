/*
 * logs_events.c — CloudWatch Logs events: PutLogEvents (limits, order and
 * span checks, rejectedLogEventsInfo, durable insert, metric filters fed
 * as events are ingested), GetLogEvents (forward/backward tokens) and
 * FilterLogEvents (filter patterns, stream selection, pagination).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

#define TW_DAY_MS INT64_C(86400000)
#define TW_BATCH_LIMIT 1048576
#define TW_EVENT_OVERHEAD 26

typedef struct tw_put_batch {
  size_t n;
  int64_t *ts;
  const char **msg;
  size_t *len;
} tw_put_batch;

static void tw_put_batch_free(tw_put_batch *b) {
  free(b->ts);
  free(b->msg);
  free(b->len);
}

/* Validate logEvents into b (types, order, size, span). */
static int tw_put_read(tw_api_ctx *c, json_t *arr, tw_put_batch *b) {
  b->n = json_array_size(arr);
  b->ts = calloc(b->n, sizeof *b->ts);
  b->msg = calloc(b->n, sizeof *b->msg);
  b->len = calloc(b->n, sizeof *b->len);
  if (!b->ts || !b->msg || !b->len)
    return TW_ENOMEM;
  size_t total = 0;
  for (size_t i = 0; i < b->n; i++) {
    json_t *e = json_array_get(arr, i);
    int rc;
    if (!json_is_object(e))
      return tw_api_fail(c, 400, "SerializationException",
                         "logEvents[%zu] must be an object", i);
    if ((rc = tw_in_int(c, e, "timestamp", 1, 0, INT64_MAX, &b->ts[i], NULL)) ||
        (rc = tw_in_str(c, e, "message", 1, 1, 0, &b->msg[i])))
      return rc;
    b->len[i] = strlen(b->msg[i]);
    total += b->len[i] + TW_EVENT_OVERHEAD;
    if (i > 0 && b->ts[i] < b->ts[i - 1])
      return tw_api_invalid(c, "Log events in a single PutLogEvents request "
                               "must be in chronological order.");
  }
  if (total > TW_BATCH_LIMIT)
    return tw_api_invalid(c, "Upload too large: %zu bytes exceeds limit of %d",
                          total, TW_BATCH_LIMIT);
  if (b->ts[b->n - 1] - b->ts[0] > TW_DAY_MS)
    return tw_api_invalid(c, "The batch of log events in a single "
                             "PutLogEvents request cannot span more than 24 "
                             "hours.");
  return TW_OK;
}

/* Accepted range [lo, hi) after the too-old / expired / too-new rules. */
static void tw_put_window(const tw_put_batch *b, int64_t now, int retention,
                          json_t *info, size_t *lo, size_t *hi) {
  size_t old_end = 0, exp_end = 0, new_start = b->n;
  while (old_end < b->n && b->ts[old_end] < now - 14 * TW_DAY_MS)
    old_end++;
  if (retention > 0)
    while (exp_end < b->n && b->ts[exp_end] < now - retention * TW_DAY_MS)
      exp_end++;
  while (new_start > 0 && b->ts[new_start - 1] > now + 2 * 3600 * 1000)
    new_start--;
  if (new_start < b->n)
    json_object_set_new(info, "tooNewLogEventStartIndex",
                        json_integer((json_int_t)new_start));
  if (old_end > 0)
    json_object_set_new(info, "tooOldLogEventEndIndex",
                        json_integer((json_int_t)old_end));
  if (exp_end > 0)
    json_object_set_new(info, "expiredLogEventEndIndex",
                        json_integer((json_int_t)exp_end));
  *lo = old_end > exp_end ? old_end : exp_end;
  *hi = new_start > *lo ? new_start : *lo;
}

static int tw_put_store(tw_api_ctx *c, const tw_store_group *g,
                        const tw_store_stream *st, const tw_put_batch *b,
                        size_t lo, size_t hi) {
  int64_t seq = 0;
  tw_live_batch lb = {b->ts + lo, b->msg + lo, b->len + lo, hi - lo};
  int rc = tw_api_events_store(c->api, g->id, st->id, &lb, c->now_ms,
                               "PutLogEvents", &seq);
  if (rc)
    return tw_api_internal(c, rc);
  char tok[64];
  snprintf(tok, sizeof tok, "%056lld", (long long)(seq + 1));
  json_object_set_new(c->out, "nextSequenceToken", json_string(tok));
  return TW_OK;
}

int tw_op_put_log_events(tw_api_ctx *c) {
  const char *sname = NULL;
  json_t *arr = NULL;
  tw_store_group g;
  tw_store_stream st;
  int rc = tw_in_str(c, c->in, "logStreamName", 1, 1, 512, &sname);
  if (!rc)
    rc = tw_in_array(c, c->in, "logEvents", 1, 1, 10000, &arr);
  if (!rc)
    rc = tw_logs_find_group(c, 0, &g);
  if (rc)
    return rc;
  rc = tw_store_stream_get(c->api->store, g.id, sname, &st);
  if (rc == TW_ENOTFOUND)
    return tw_api_fail(c, 400, "ResourceNotFoundException",
                       "The specified log stream does not exist.");
  if (rc)
    return tw_api_internal(c, rc);
  tw_put_batch b = {0, NULL, NULL, NULL};
  rc = tw_put_read(c, arr, &b);
  if (rc == TW_OK) {
    json_t *info = json_object();
    size_t lo = 0, hi = 0;
    tw_put_window(&b, c->now_ms, g.retention_days, info, &lo, &hi);
    rc = tw_put_store(c, &g, &st, &b, lo, hi);
    if (json_object_size(info))
      json_object_set(c->out, "rejectedLogEventsInfo", info);
    json_decref(info);
  }
  tw_put_batch_free(&b);
  return rc == TW_ENOMEM ? tw_api_internal(c, rc) : rc;
}

/* ---- GetLogEvents ---------------------------------------------------------- */

typedef struct tw_get_page {
  json_t *events;
  int64_t first_ts, first_seq, last_ts, last_seq;
  int count;
} tw_get_page;

static int tw_get_row(const tw_store_event *e, void *ud) {
  tw_get_page *p = ud;
  json_t *o = json_pack("{s:I,s:s%,s:I}", "timestamp", (json_int_t)e->ts,
                        "message", e->msg, e->len, "ingestionTime",
                        (json_int_t)e->ingest_ms);
  if (!o || json_array_append_new(p->events, o))
    return TW_ENOMEM;
  if (p->count++ == 0) {
    p->first_ts = e->ts;
    p->first_seq = e->seq;
  }
  p->last_ts = e->ts;
  p->last_seq = e->seq;
  return 0;
}

static int tw_get_parse_token(const char *tok, char *dir, int64_t *ts,
                              int64_t *seq) {
  long long a, b;
  char d;
  int used = 0;
  if (sscanf(tok, "%c/%lld/%lld%n", &d, &a, &b, &used) != 3 ||
      tok[used] != '\0' || (d != 'f' && d != 'b'))
    return 0;
  *dir = d;
  *ts = a;
  *seq = b;
  return 1;
}

static void tw_get_tokens(tw_api_ctx *c, const tw_get_page *p, int64_t kts,
                          int64_t kseq) {
  char f[80], b[80];
  if (p->count) {
    snprintf(f, sizeof f, "f/%lld/%lld", (long long)p->last_ts,
             (long long)p->last_seq);
    snprintf(b, sizeof b, "b/%lld/%lld", (long long)p->first_ts,
             (long long)p->first_seq);
  } else {
    snprintf(f, sizeof f, "f/%lld/%lld", (long long)kts, (long long)kseq);
    snprintf(b, sizeof b, "b/%lld/%lld", (long long)kts, (long long)kseq);
  }
  json_object_set_new(c->out, "nextForwardToken", json_string(f));
  json_object_set_new(c->out, "nextBackwardToken", json_string(b));
}

/* Reverse a page fetched backward so that events are oldest first. */
static void tw_get_reverse(tw_get_page *p) {
  size_t n = json_array_size(p->events);
  for (size_t i = 0; i < n / 2; i++) {
    json_t *a = json_incref(json_array_get(p->events, i));
    json_t *z = json_incref(json_array_get(p->events, n - 1 - i));
    json_array_set_new(p->events, i, z);
    json_array_set_new(p->events, n - 1 - i, a);
  }
  int64_t t = p->first_ts, s = p->first_seq;
  p->first_ts = p->last_ts;
  p->first_seq = p->last_seq;
  p->last_ts = t;
  p->last_seq = s;
}

int tw_op_get_log_events(tw_api_ctx *c) {
  const char *sname = NULL, *token = NULL;
  int64_t start = INT64_MIN, end = INT64_MAX, limit = 10000;
  int head = 0;
  tw_store_group g;
  tw_store_stream st;
  int rc = tw_in_str(c, c->in, "logStreamName", 1, 1, 512, &sname);
  if (!rc)
    rc = tw_in_int(c, c->in, "startTime", 0, 0, INT64_MAX, &start, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "endTime", 0, 0, INT64_MAX, &end, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "limit", 0, 1, 10000, &limit, NULL);
  if (!rc)
    rc = tw_in_str(c, c->in, "nextToken", 0, 1, 0, &token);
  if (!rc)
    rc = tw_in_bool(c, c->in, "startFromHead", &head);
  if (!rc)
    rc = tw_logs_find_group(c, 0, &g);
  if (rc)
    return rc;
  rc = tw_store_stream_get(c->api->store, g.id, sname, &st);
  if (rc == TW_ENOTFOUND)
    return tw_api_fail(c, 400, "ResourceNotFoundException",
                       "The specified log stream does not exist.");
  if (rc)
    return tw_api_internal(c, rc);
  char dir = head ? 'f' : 'b';
  int64_t kts = head ? INT64_MIN : INT64_MAX, kseq = 0;
  if (token && !tw_get_parse_token(token, &dir, &kts, &kseq))
    return tw_api_invalid(c, "The specified nextToken is invalid.");
  tw_get_page p = {json_array(), 0, 0, 0, 0, 0};
  if (!p.events)
    return tw_api_internal(c, TW_ENOMEM);
  json_object_set_new(c->out, "events", p.events);
  rc = tw_store_event_scan_stream(c->api->store, st.id, start, end,
                                  dir == 'b', kts, kseq, (int)limit,
                                  tw_get_row, &p);
  if (rc)
    return tw_api_internal(c, rc);
  if (dir == 'b')
    tw_get_reverse(&p);
  tw_get_tokens(c, &p, kts == INT64_MIN || kts == INT64_MAX ? 0 : kts, kseq);
  return TW_OK;
}

/* ---- FilterLogEvents -------------------------------------------------------- */

typedef struct tw_stream_name {
  int64_t id;
  char *name;
  int selected;
} tw_stream_name;

typedef struct tw_filter_page {
  tw_api_ctx *c;
  tw_stream_name *streams;
  size_t nstreams;
  int all_streams;
  tw_pattern *pattern;
  tw_match *match;
  json_t *events;
  int64_t limit, count, scanned, bytes;
  int64_t last_ts, last_seq;
  int more;
} tw_filter_page;

static int tw_stream_cmp(const void *a, const void *b) {
  const tw_stream_name *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int tw_collect_stream(const tw_store_stream *s, void *ud) {
  tw_filter_page *p = ud;
  tw_stream_name *n = realloc(p->streams, (p->nstreams + 1) * sizeof *n);
  if (!n)
    return TW_ENOMEM;
  p->streams = n;
  n[p->nstreams].id = s->id;
  n[p->nstreams].name = strdup(s->name);
  n[p->nstreams].selected = p->all_streams;
  if (!n[p->nstreams].name)
    return TW_ENOMEM;
  p->nstreams++;
  return 0;
}

static void tw_filter_page_free(tw_filter_page *p) {
  for (size_t i = 0; i < p->nstreams; i++)
    free(p->streams[i].name);
  free(p->streams);
  tw_pattern_free(p->pattern);
  tw_match_free(p->match);
}

/* Mark the streams named in logStreamNames / by logStreamNamePrefix. */
static int tw_filter_select(tw_api_ctx *c, tw_filter_page *p, json_t *names,
                            const char *prefix) {
  for (size_t i = 0; i < p->nstreams; i++) {
    tw_stream_name *s = &p->streams[i];
    if (prefix && !strncmp(s->name, prefix, strlen(prefix)))
      s->selected = 1;
    for (size_t j = 0; names && j < json_array_size(names); j++) {
      json_t *v = json_array_get(names, j);
      if (!json_is_string(v))
        return tw_api_fail(c, 400, "SerializationException",
                           "logStreamNames[%zu] must be a string", j);
      if (!strcmp(json_string_value(v), s->name))
        s->selected = 1;
    }
  }
  qsort(p->streams, p->nstreams, sizeof *p->streams, tw_stream_cmp);
  return TW_OK;
}

static const tw_stream_name *tw_filter_stream(const tw_filter_page *p,
                                              int64_t id) {
  tw_stream_name key = {id, NULL, 0};
  return bsearch(&key, p->streams, p->nstreams, sizeof key, tw_stream_cmp);
}

#define TW_FILTER_SCAN_CAP 200000
#define TW_FILTER_PAGE_BYTES 1048576

static int tw_filter_row(const tw_store_event *e, void *ud) {
  tw_filter_page *p = ud;
  if (p->count == p->limit || p->scanned == TW_FILTER_SCAN_CAP ||
      p->bytes >= TW_FILTER_PAGE_BYTES) {
    p->more = 1;
    return 1;
  }
  p->scanned++;
  p->last_ts = e->ts;
  p->last_seq = e->seq;
  const tw_stream_name *s = tw_filter_stream(p, e->stream_id);
  int matched = 0;
  if (!s || !s->selected)
    return 0;
  if (tw_pattern_match(p->pattern, e->msg, e->len, NULL, &matched))
    return TW_ENOMEM;
  if (!matched)
    return 0;
  char id[64];
  snprintf(id, sizeof id, "%056lld", (long long)e->seq);
  json_t *o = json_pack("{s:s,s:I,s:s%,s:I,s:s}", "logStreamName", s->name,
                        "timestamp", (json_int_t)e->ts, "message", e->msg,
                        e->len, "ingestionTime", (json_int_t)e->ingest_ms,
                        "eventId", id);
  if (!o || json_array_append_new(p->events, o))
    return TW_ENOMEM;
  p->count++;
  p->bytes += (int64_t)e->len + TW_EVENT_OVERHEAD;
  return 0;
}

typedef struct tw_filter_args {
  json_t *names;
  const char *prefix, *pattern, *token;
  int64_t start, end, limit;
} tw_filter_args;

static int tw_filter_args_get(tw_api_ctx *c, tw_filter_args *a) {
  a->start = 0;
  a->end = INT64_MAX - 1;
  a->limit = 10000;
  int rc = tw_in_array(c, c->in, "logStreamNames", 0, 1, 100, &a->names);
  if (!rc)
    rc = tw_in_str(c, c->in, "logStreamNamePrefix", 0, 1, 512, &a->prefix);
  if (!rc)
    rc = tw_in_str(c, c->in, "filterPattern", 0, 0, 1024, &a->pattern);
  if (!rc)
    rc = tw_in_str(c, c->in, "nextToken", 0, 1, 0, &a->token);
  if (!rc)
    rc = tw_in_int(c, c->in, "startTime", 0, 0, INT64_MAX - 1, &a->start, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "endTime", 0, 0, INT64_MAX - 1, &a->end, NULL);
  if (!rc)
    rc = tw_in_int(c, c->in, "limit", 0, 1, 10000, &a->limit, NULL);
  if (rc)
    return rc;
  if (a->names && a->prefix)
    return tw_api_invalid(c, "You cannot specify both logStreamNames and "
                             "logStreamNamePrefix.");
  return TW_OK;
}

static int tw_filter_prepare(tw_api_ctx *c, const tw_filter_args *a,
                             const tw_store_group *g, tw_filter_page *p) {
  tw_error err;
  const char *pat = a->pattern ? a->pattern : "";
  if (tw_pattern_compile(pat, strlen(pat), 0, &p->pattern, &err) != TW_OK)
    return tw_api_invalid(c, "Invalid filter pattern, column %zu: %s",
                          err.column, err.message);
  p->all_streams = !a->names && !a->prefix;
  tw_store_stream_query q = {g->id, NULL, NULL, 0, 0, 0, 1 << 30};
  int rc = tw_store_stream_list(c->api->store, &q, tw_collect_stream, p);
  if (rc)
    return tw_api_internal(c, rc);
  return tw_filter_select(c, p, a->names, a->prefix);
}

int tw_op_filter_log_events(tw_api_ctx *c) {
  tw_filter_args a;
  tw_store_group g;
  memset(&a, 0, sizeof a);
  int rc = tw_filter_args_get(c, &a);
  if (!rc)
    rc = tw_logs_find_group(c, 0, &g);
  if (rc)
    return rc;
  long long kts = INT64_MIN, kseq = 0;
  if (a.token) {
    char *t = tw_token_decode(a.token);
    int used = 0;
    int ok = t && sscanf(t, "e:%lld/%lld%n", &kts, &kseq, &used) == 2 &&
             t[used] == '\0';
    free(t);
    if (!ok)
      return tw_api_invalid(c, "The specified nextToken is invalid.");
  }
  tw_filter_page p;
  memset(&p, 0, sizeof p);
  p.c = c;
  p.limit = a.limit;
  p.events = json_array();
  json_object_set_new(c->out, "events", p.events);
  json_object_set_new(c->out, "searchedLogStreams", json_array());
  rc = p.events ? tw_filter_prepare(c, &a, &g, &p) : TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_store_event_scan_group(c->api->store, g.id, a.start, a.end + 1,
                                   kts, kseq, tw_filter_row, &p);
  if (rc == 1)
    rc = TW_OK;
  if (rc == TW_OK && p.more) {
    char buf[80], *tok = NULL;
    snprintf(buf, sizeof buf, "e:%lld/%lld", (long long)p.last_ts,
             (long long)p.last_seq);
    rc = tw_token_encode(buf, &tok);
    if (rc == TW_OK)
      json_object_set_new(c->out, "nextToken", json_string(tok));
    free(tok);
  }
  tw_filter_page_free(&p);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}
