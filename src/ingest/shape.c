/*
 * shape.c — shape detection and event emission over decoded JSON text.
 *
 * A text (a whole document, or one NDJSON line) is a sequence of top-level
 * values. A top-level object is walked member by member: a "Records",
 * "events", "logEvents" or "Events" array makes it a container (CloudTrail
 * delivery, filter-log-events output, subscription payload, lookup-events
 * output) whose elements are processed as they are reached, so a truncated
 * object still yields the events before the damage. Any other object, and
 * each element of a bare top-level array or of a container, is classified
 * by one tw_json_scan with a small plan (which also validates it): a
 * CloudWatch Logs event {timestamp, message}, an EventBridge envelope of a
 * CloudTrail event (its detail), a lookup-events item (its CloudTrailEvent
 * string), a CloudTrail event (eventVersion / eventTime / eventName), a
 * digest object, or another object (skipped, counted).
 *
 * Errors: a value whose structure breaks (tw_walk_value) ends the text,
 * since nothing after it can be trusted; an element whose structure is
 * intact but whose content is invalid is reported and skipped alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define TW_HAS(e, id) (((e)->seen >> (id)) & 1u)

/* ------------------------------------------------------------------ */
/* Plan and per-element facts                                          */
/* ------------------------------------------------------------------ */

_Static_assert(TW_EL_COUNT == TW_INGEST_PLAN_PATHS, "classification paths");

int tw_ingest_plan_add(tw_json_plan *plan, uint32_t ids[TW_INGEST_PLAN_PATHS]) {
  static const char *const keys[TW_EL_COUNT][2] = {
      {"eventTime", NULL},   {"eventVersion", NULL},    {"eventName", NULL},
      {"detail-type", NULL}, {"detail", NULL},          {"detail", "eventTime"},
      {"time", NULL},        {"CloudTrailEvent", NULL}, {"message", NULL},
      {"timestamp", NULL},   {"digestStartTime", NULL}};
  int rc = TW_OK;
  for (uint32_t i = 0; rc == TW_OK && i < TW_EL_COUNT; i++) {
    tw_json_step steps[2];
    size_t n = 0;
    for (; n < 2 && keys[i][n]; n++)
      steps[n] = (tw_json_step){TW_JSON_STEP_KEY, keys[i][n], strlen(keys[i][n]), 0};
    rc = tw_json_plan_add(plan, steps, n, &ids[i]);
  }
  return rc;
}

int tw_shape_plan_new(tw_json_plan **out) {
  tw_json_plan *plan = NULL;
  uint32_t ids[TW_EL_COUNT];
  int rc = tw_json_plan_new(&plan);
  if (rc == TW_OK)
    rc = tw_ingest_plan_add(plan, ids);
  for (uint32_t i = 0; rc == TW_OK && i < TW_EL_COUNT; i++)
    if (ids[i] != i)
      rc = TW_EINVAL;
  if (rc) {
    tw_json_plan_free(plan);
    return rc;
  }
  *out = plan;
  return TW_OK;
}

typedef struct tw_elinfo {
  unsigned seen;
  tw_json_value v[TW_EL_COUNT];
} tw_elinfo;

static int tw_el_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  tw_elinfo *e = ctx;
  if (id < TW_EL_COUNT && !TW_HAS(e, id)) {
    e->seen |= 1u << id;
    e->v[id] = *v;
  }
  return 0;
}

static int64_t tw_el_time_string(const tw_elinfo *e, int id) {
  if (!TW_HAS(e, id) || e->v[id].type != TW_JSON_STRING)
    return INT64_MIN;
  const tw_json_value *v = &e->v[id];
  char tmp[64];
  const char *s = v->ptr;
  size_t n = v->len;
  if (v->has_escapes) {
    if (tw_json_string_decode(v, tmp, sizeof tmp, &n) || n > sizeof tmp)
      return INT64_MIN;
    s = tmp;
  }
  int64_t ms;
  return tw_ingest_parse_time(s, n, &ms) == TW_OK ? ms : INT64_MIN;
}

static int64_t tw_el_time_number(const tw_elinfo *e, int id) {
  double d;
  if (!TW_HAS(e, id) || e->v[id].type != TW_JSON_NUMBER ||
      tw_json_number_parse(e->v[id].ptr, e->v[id].len, &d) || !(d > -9e15 && d < 9e15))
    return INT64_MIN;
  int64_t ms = (int64_t)d;
  return (double)ms == d ? ms : INT64_MIN;
}

/* ------------------------------------------------------------------ */
/* Reporting and emission                                              */
/* ------------------------------------------------------------------ */

static int64_t tw_irun_off(const tw_irun *r, const char *at) {
  return r->seg_base + (int64_t)(at - r->seg);
}

void tw_irun_error(tw_irun *r, int64_t off, const char *fmt, ...) {
  char reason[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  r->st->errors++;
  if (r->o->on_error)
    r->o->on_error(r->o->error_ctx, r->source, off, reason);
}

/* Invalid JSON in text[0..n) (tw_json_scan said so): report where. */
static void tw_shape_invalid(tw_irun *r, const char *text, size_t n, int64_t at,
                             const char *what) {
  size_t k;
  const char *why;
  if (!tw_json_locate(text, n, &k, &why))
    why = "rejected by the JSON reader";
  tw_irun_error(r, at + (int64_t)k, "%s: invalid JSON: %s", what, why);
}

static int tw_shape_windowed(const tw_ingest_opts *o) {
  return o->from_ms != INT64_MIN || o->to_ms != INT64_MAX;
}

typedef struct tw_emit {
  const char *msg;
  size_t len;
  int64_t time_ms;
  int64_t off;
  size_t raw_len;     /* input bytes the event came from */
  tw_ingest_shape shape;
  int envelope;
  int collected;      /* the collector saw exactly msg's values */
} tw_emit;

static int tw_shape_emit(tw_irun *r, const tw_emit *e) {
  tw_ingest_stats *st = r->st;
  if (e->len > r->o->max_event) {
    tw_irun_error(r, e->off, "event of %zu bytes is larger than the limit of %zu bytes",
                  e->len, r->o->max_event);
    st->events_invalid++;
    st->bytes_invalid += e->raw_len;
    return TW_OK;
  }
  if (e->time_ms == INT64_MIN) {
    st->events_no_time++;
    if (tw_shape_windowed(r->o)) {
      st->events_outside_window++;
      return TW_OK;
    }
  } else if (e->time_ms < r->o->from_ms || e->time_ms >= r->o->to_ms) {
    st->events_outside_window++;
    return TW_OK;
  }
  st->events++;
  st->events_by_shape[e->shape]++;
  st->events_envelope += e->envelope != 0;
  tw_ingest_event ev = {e->msg,   e->len,      e->time_ms, r->source,
                        e->off,   e->shape,    e->envelope, e->collected};
  int rc = r->fn ? r->fn(r->ctx, &ev) : 0;
  if (rc)
    r->stop = rc;
  return rc;
}

/* An event object text[0..n): compact it when it holds whitespace. */
static int tw_shape_event(tw_irun *r, const char *text, size_t n, int has_ws,
                          tw_emit *e) {
  if (has_ws) {
    r->msg->len = 0;
    if (tw_walk_compact(text, n, r->msg))
      return TW_ENOMEM;
    text = r->msg->data;
    n = r->msg->len;
  }
  e->msg = text;
  e->len = n;
  return tw_shape_emit(r, e);
}

/* Decode string value v into r->str. TW_ESYNTAX (cannot happen after a
 * successful scan, but accounted for) is reported as an invalid event. */
static int tw_shape_decode(tw_irun *r, const tw_json_value *v, const tw_emit *em) {
  r->str->len = 0;
  if (tw_buf_reserve(r->str, v->len + 1))
    return TW_ENOMEM;
  size_t n = v->len;
  if (!v->has_escapes) {
    memcpy(r->str->data, v->ptr, n);
  } else if (tw_json_string_decode(v, r->str->data, v->len, &n)) {
    tw_irun_error(r, em->off, "invalid string escape");
    r->st->events_invalid++;
    r->st->bytes_invalid += em->raw_len;
    return TW_ESYNTAX;
  }
  r->str->len = n;
  return TW_OK;
}

/* {timestamp, message}: the message as is, the time from timestamp (else
 * the message's own eventTime when it is a JSON event). */
static int tw_shape_log_event(tw_irun *r, const tw_elinfo *e, tw_emit *em) {
  int rc = tw_shape_decode(r, &e->v[TW_EL_MESSAGE], em);
  if (rc)
    return rc == TW_ESYNTAX ? TW_OK : rc;
  em->time_ms = tw_el_time_number(e, TW_EL_TIMESTAMP);
  if (em->time_ms == INT64_MIN && r->str->len && r->str->data[0] == '{') {
    tw_elinfo inner = {0};
    if (tw_json_scan(r->plan, r->str->data, r->str->len, tw_el_visit, &inner, NULL) == TW_OK)
      em->time_ms = tw_el_time_string(&inner, TW_EL_EVENT_TIME);
  }
  em->msg = r->str->data;
  em->len = r->str->len;
  if (em->shape != TW_SHAPE_SUBSCRIPTION)
    em->shape = TW_SHAPE_LOG_EVENTS; /* also a bare one: the message is not JSON */
  return tw_shape_emit(r, em);
}

/* lookup-events item: the CloudTrailEvent string holds the event JSON. */
static int tw_shape_lookup_item(tw_irun *r, const tw_elinfo *e, tw_emit *em) {
  int rc = tw_shape_decode(r, &e->v[TW_EL_CT_EVENT], em);
  if (rc)
    return rc == TW_ESYNTAX ? TW_OK : rc;
  const char *t = r->str->data;
  size_t n = r->str->len;
  tw_elinfo inner = {0};
  tw_json_type type = TW_JSON_NULL;
  rc = tw_json_scan(r->plan, t, n, tw_el_visit, &inner, &type);
  if (rc == TW_OK && type != TW_JSON_OBJECT)
    rc = TW_ESYNTAX;
  if (rc) {
    if (rc != TW_ESYNTAX)
      return rc;
    tw_irun_error(r, em->off, "CloudTrailEvent is not a JSON object");
    r->st->events_invalid++;
    r->st->bytes_invalid += em->raw_len;
    return TW_OK;
  }
  em->time_ms = tw_el_time_string(&inner, TW_EL_EVENT_TIME);
  const char *s = tw_walk_ws(t, t + n);
  size_t m = (size_t)(t + n - s);
  while (m > 0 && tw_walk_is_ws(s[m - 1]))
    m--;
  return tw_shape_event(r, s, m, 1, em);
}

static int tw_shape_envelope(tw_irun *r, const tw_elinfo *e, int has_ws, tw_emit *em,
                             const char *elem) {
  const tw_json_value *dt = &e->v[TW_EL_DETAIL_TYPE], *d = &e->v[TW_EL_DETAIL];
  if (!memmem(dt->ptr, dt->len, "via CloudTrail", 14)) {
    r->st->objects_non_event++;
    r->st->bytes_non_event += em->raw_len;
    return TW_OK;
  }
  em->time_ms = tw_el_time_string(e, TW_EL_DETAIL_TIME);
  if (em->time_ms == INT64_MIN)
    em->time_ms = tw_el_time_string(e, TW_EL_TIME);
  em->off += d->ptr - elem;
  em->envelope = 1;
  return tw_shape_event(r, d->ptr, d->len, has_ws, em);
}

/* The fused scan: classification values into the tw_elinfo, every value
 * to the collector. */
typedef struct tw_elfuse {
  tw_elinfo *e;
  const tw_irun *r;
} tw_elfuse;

static int tw_el_fused_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  const tw_elfuse *f = ctx;
  if (id < f->r->col_n && f->r->col_el[id] != TW_EL_NONE)
    tw_el_visit(f->e, f->r->col_el[id], v);
  return f->r->col->visit(f->r->col->ctx, id, v);
}

/* Validate and classify elem[0..n) (an object), with the collector's plan
 * when there is one. */
static int tw_shape_scan(tw_irun *r, const char *elem, size_t n, tw_elinfo *e) {
  if (!r->col)
    return tw_json_scan(r->plan, elem, n, tw_el_visit, e, NULL);
  int rc = r->col->begin(r->col->ctx);
  if (rc)
    return rc;
  tw_elfuse f = {e, r};
  return tw_json_scan(r->col->plan, elem, n, tw_el_fused_visit, &f, NULL);
}

/* A valid object elem[0..n) whose classification values are in e. */
static int tw_shape_classify(tw_irun *r, const char *elem, size_t n, int has_ws,
                             const tw_elinfo *e, tw_emit *em) {
  tw_ingest_stats *st = r->st;
  if (TW_HAS(e, TW_EL_MESSAGE) && e->v[TW_EL_MESSAGE].type == TW_JSON_STRING)
    return tw_shape_log_event(r, e, em);
  if (TW_HAS(e, TW_EL_DETAIL_TYPE) && TW_HAS(e, TW_EL_DETAIL) &&
      e->v[TW_EL_DETAIL_TYPE].type == TW_JSON_STRING && e->v[TW_EL_DETAIL].type == TW_JSON_OBJECT)
    return tw_shape_envelope(r, e, has_ws, em, elem);
  if (TW_HAS(e, TW_EL_CT_EVENT) && e->v[TW_EL_CT_EVENT].type == TW_JSON_STRING)
    return tw_shape_lookup_item(r, e, em);
  if (TW_HAS(e, TW_EL_EVENT_VERSION) || TW_HAS(e, TW_EL_EVENT_TIME) ||
      TW_HAS(e, TW_EL_EVENT_NAME)) {
    em->time_ms = tw_el_time_string(e, TW_EL_EVENT_TIME);
    em->collected = r->col != NULL;
    return tw_shape_event(r, elem, n, has_ws, em);
  }
  if (TW_HAS(e, TW_EL_DIGEST))
    st->objects_digest++;
  else
    st->objects_non_event++;
  st->bytes_non_event += n;
  return TW_OK;
}

/* One object (array element or top-level object) elem[0..n). */
static int tw_shape_element(tw_irun *r, const char *elem, size_t n, int has_ws,
                            tw_ingest_shape shape) {
  tw_ingest_stats *st = r->st;
  tw_emit em = {NULL, 0, INT64_MIN, tw_irun_off(r, elem), n, shape, 0, 0};
  if (*elem != '{') {
    tw_irun_error(r, em.off, "array element is not an object");
    st->events_invalid++;
    st->bytes_invalid += n;
    return TW_OK;
  }
  tw_elinfo e;
  e.seen = 0;
  int rc = tw_shape_scan(r, elem, n, &e);
  if (rc == TW_ESYNTAX) {
    tw_shape_invalid(r, elem, n, em.off, "event");
    st->events_invalid++;
    st->bytes_invalid += n;
    return TW_OK;
  }
  if (rc)
    return rc;
  return tw_shape_classify(r, elem, n, has_ws, &e, &em);
}

/* The element at p (an array element of shape) in one validating scan
 * that also finds its end: *next = just after it. TW_ESYNTAX (nothing
 * emitted or counted) when the scan fails: the caller then takes the
 * walker's path, which reports the failure exactly. */
static int tw_shape_element_fast(tw_irun *r, const char *p, const char *end,
                                 tw_ingest_shape shape, const char **next) {
  tw_elinfo e;
  e.seen = 0;
  size_t n = 0;
  int has_ws = 0, rc;
  if (r->col) {
    if ((rc = r->col->begin(r->col->ctx)))
      return rc;
    tw_elfuse f = {&e, r};
    rc = tw_json_scan_value(r->col->plan, p, (size_t)(end - p), tw_el_fused_visit, &f, &n,
                            &has_ws);
  } else {
    rc = tw_json_scan_value(r->plan, p, (size_t)(end - p), tw_el_visit, &e, &n, &has_ws);
  }
  if (rc)
    return rc;
  *next = p + n;
  tw_emit em = {NULL, 0, INT64_MIN, tw_irun_off(r, p), n, shape, 0, 0};
  return tw_shape_classify(r, p, n, has_ws, &e, &em);
}

/* ------------------------------------------------------------------ */
/* Containers                                                          */
/* ------------------------------------------------------------------ */

/* The structure broke at `at` while reading the unit starting at unit:
 * report, count the rest of the text as invalid, stop this text. */
static int tw_shape_give_up(tw_irun *r, const char *unit, const char *end, const char *at,
                            const char *why, int lost_event, const char **next) {
  tw_irun_error(r, tw_irun_off(r, at), "%s", why);
  r->st->bytes_invalid += (uint64_t)(end - unit);
  r->st->events_invalid += lost_event != 0;
  *next = NULL;
  return TW_OK;
}

static const char *const tw_truncated = "unexpected end of input (truncated?)";

/* tw_walk_value failed on the value at unit: the validating locator may
 * know of an earlier error (the walker only sees the structure). */
static int tw_shape_walk_fail(tw_irun *r, const char *unit, const char *end,
                              const tw_walk *w, int lost_event, const char **next) {
  size_t k;
  const char *why;
  if (tw_json_locate(unit, (size_t)(w->err - unit), &k, &why) && unit + k < w->err)
    return tw_shape_give_up(r, unit, end, unit + k, why, lost_event, next);
  return tw_shape_give_up(r, unit, end, w->err, w->reason, lost_event, next);
}

/* The array at arr (its '['); elements are classified with shape. */
static int tw_shape_array(tw_irun *r, const char *arr, const char *end,
                          tw_ingest_shape shape, const char **next) {
  const char *p = tw_walk_ws(arr + 1, end);
  if (p < end && *p == ']') {
    *next = p + 1;
    return TW_OK;
  }
  for (;;) {
    if (p == end)
      return tw_shape_give_up(r, p, end, end, tw_truncated, 0, next);
    const char *after = NULL;
    int rc = *p == '{' ? tw_shape_element_fast(r, p, end, shape, &after) : TW_ESYNTAX;
    if (rc == TW_ESYNTAX) {
      tw_walk w;
      if (tw_walk_value(p, end, &w))
        return tw_shape_walk_fail(r, p, end, &w, 1, next);
      after = w.end;
      rc = tw_shape_element(r, p, (size_t)(w.end - p), w.has_ws, shape);
    }
    if (rc)
      return rc;
    p = tw_walk_ws(after, end);
    if (p == end)
      return tw_shape_give_up(r, p, end, end, tw_truncated, 0, next);
    if (*p == ']') {
      *next = p + 1;
      return TW_OK;
    }
    if (*p != ',')
      return tw_shape_give_up(r, p, end, p, "expected ',' or ']' after an array element", 0,
                              next);
    p = tw_walk_ws(p + 1, end);
    if (p < end && *p == ']') {
      tw_irun_error(r, tw_irun_off(r, p), "trailing comma in an array");
      *next = p + 1;
      return TW_OK;
    }
  }
}

static int tw_key_is(const char *k, size_t n, const char *word) {
  return n == strlen(word) && memcmp(k, word, n) == 0;
}

/* Container shape of a top-level member name, or -1. */
static int tw_shape_container(const char *k, size_t n) {
  if (tw_key_is(k, n, "Records"))
    return TW_SHAPE_RECORDS;
  if (tw_key_is(k, n, "logEvents"))
    return TW_SHAPE_SUBSCRIPTION;
  if (tw_key_is(k, n, "events"))
    return TW_SHAPE_LOG_EVENTS;
  if (tw_key_is(k, n, "Events"))
    return TW_SHAPE_LOOKUP;
  return -1;
}

#define TW_SHAPE_MAX_OTHERS 16

/* Walking state of one top-level object. */
typedef struct tw_objwalk {
  const char *obj, *end;
  int has_ws;
  int container;    /* shape, or -1 */
  int control;      /* messageType CONTROL_MESSAGE */
  int event_key;    /* an eventVersion/eventTime member was seen */
  const char *others[TW_SHAPE_MAX_OTHERS][2]; /* other member values */
  size_t nothers;
} tw_objwalk;

static const char *tw_obj_ws(tw_objwalk *ow, const char *p) {
  const char *q = tw_walk_ws(p, ow->end);
  ow->has_ws |= q != p;
  return q;
}

/* Validate a member value of a container object (deferred: for plain
 * objects the element scan validates everything at once). */
static void tw_obj_check(tw_irun *r, const char *v, size_t n) {
  if (tw_json_scan(NULL, v, n, NULL, NULL, NULL) == TW_ESYNTAX)
    tw_shape_invalid(r, v, n, tw_irun_off(r, v), "member value");
}

/* The value of member key[0..klen) at p: a container array, or skipped. */
static int tw_obj_member(tw_irun *r, tw_objwalk *ow, const char *key, size_t klen,
                         const char **pp) {
  const char *p = *pp;
  int kind = tw_shape_container(key, klen);
  if (kind >= 0 && ow->container < 0 && !ow->event_key && *p == '[') {
    ow->container = kind;
    if (kind != TW_SHAPE_SUBSCRIPTION || !ow->control)
      return tw_shape_array(r, p, ow->end, (tw_ingest_shape)kind, pp);
  }
  if (tw_key_is(key, klen, "eventVersion") || tw_key_is(key, klen, "eventTime"))
    ow->event_key = 1;
  if (tw_key_is(key, klen, "messageType"))
    ow->control = (size_t)(ow->end - p) >= 17 && memcmp(p, "\"CONTROL_MESSAGE\"", 17) == 0;
  tw_walk w;
  if (tw_walk_value(p, ow->end, &w))
    return tw_shape_walk_fail(r, ow->container < 0 ? ow->obj : p, ow->end, &w,
                              ow->container < 0, pp);
  ow->has_ws |= w.has_ws;
  if (ow->container == TW_SHAPE_SUBSCRIPTION && ow->control && kind == TW_SHAPE_SUBSCRIPTION) {
    r->st->bytes_non_event += (uint64_t)(w.end - p);
  } else if (ow->nothers < TW_SHAPE_MAX_OTHERS) {
    ow->others[ow->nothers][0] = p;
    ow->others[ow->nothers++][1] = w.end;
  } else {
    tw_obj_check(r, p, (size_t)(w.end - p));
  }
  *pp = w.end;
  return TW_OK;
}

/* Members of the object at ow->obj; *next = after it, NULL if given up. */
static int tw_obj_members(tw_irun *r, tw_objwalk *ow, const char **next) {
  const char *p = tw_obj_ws(ow, ow->obj + 1), *end = ow->end, *err, *why;
  int lost = 1;
  if (p < end && *p == '}') {
    *next = p + 1;
    return TW_OK;
  }
  for (;;) {
    lost = ow->container < 0;
    const char *unit = ow->container < 0 ? ow->obj : p;
    if (p == end)
      return tw_shape_give_up(r, unit, end, end, tw_truncated, lost, next);
    if (*p != '"')
      return tw_shape_give_up(r, unit, end, p, "expected a member name", lost, next);
    const char *key = p + 1, *q = tw_walk_string(key, end, &err, &why);
    if (!q)
      return tw_shape_give_up(r, unit, end, err, why, lost, next);
    p = tw_obj_ws(ow, q + 1);
    if (p == end || *p != ':')
      return tw_shape_give_up(r, unit, end, p, p == end ? tw_truncated : "expected ':'", lost,
                              next);
    p = tw_obj_ws(ow, p + 1);
    if (p == end)
      return tw_shape_give_up(r, unit, end, end, tw_truncated, lost, next);
    int rc = tw_obj_member(r, ow, key, (size_t)(q - key), &p);
    if (rc || !p) {
      *next = NULL;
      return rc;
    }
    p = tw_obj_ws(ow, p);
    if (p < end && *p == '}') {
      *next = p + 1;
      return TW_OK;
    }
    if (p == end || *p != ',')
      return tw_shape_give_up(r, ow->container < 0 ? ow->obj : p, end, p,
                              p == end ? tw_truncated : "expected ',' or '}'",
                              ow->container < 0, next);
    p = tw_obj_ws(ow, p + 1);
  }
}

/* 1 when the object at obj starts with an eventVersion or eventTime
 * member: an event, which cannot be a container (tw_obj_member). */
static int tw_shape_starts_as_event(const char *obj, const char *end) {
  const char *p = tw_walk_ws(obj + 1, end);
  size_t n = (size_t)(end - p);
  return (n >= 14 && memcmp(p, "\"eventVersion\"", 14) == 0) ||
         (n >= 11 && memcmp(p, "\"eventTime\"", 11) == 0);
}

static int tw_shape_object(tw_irun *r, const char *obj, const char *end, const char **next) {
  if (tw_shape_starts_as_event(obj, end)) { /* NDJSON fast path: one walk */
    tw_walk w;
    if (tw_walk_value(obj, end, &w))
      return tw_shape_walk_fail(r, obj, end, &w, 1, next);
    *next = w.end;
    return tw_shape_element(r, obj, (size_t)(w.end - obj), w.has_ws, TW_SHAPE_OBJECT);
  }
  tw_objwalk ow;
  ow.obj = obj;
  ow.end = end;
  ow.has_ws = ow.control = ow.event_key = 0;
  ow.container = -1;
  ow.nothers = 0;
  int rc = tw_obj_members(r, &ow, next);
  if (rc || !*next)
    return rc;
  if (ow.container < 0)
    return tw_shape_element(r, obj, (size_t)(*next - obj), ow.has_ws, TW_SHAPE_OBJECT);
  for (size_t i = 0; i < ow.nothers; i++)
    tw_obj_check(r, ow.others[i][0], (size_t)(ow.others[i][1] - ow.others[i][0]));
  if (ow.container == TW_SHAPE_SUBSCRIPTION && ow.control)
    r->st->control_messages++;
  return TW_OK;
}

int tw_shape_text(tw_irun *r, const char *seg, size_t len, int64_t base) {
  const char *p = seg, *end = seg + len;
  r->seg = seg;
  r->seg_base = base;
  for (;;) {
    p = tw_walk_ws(p, end);
    if (p == end)
      return TW_OK;
    const char *next = NULL;
    int rc;
    if (*p == '{') {
      rc = tw_shape_object(r, p, end, &next);
    } else if (*p == '[') {
      rc = tw_shape_array(r, p, end, TW_SHAPE_ARRAY, &next);
    } else {
      tw_irun_error(r, tw_irun_off(r, p), "not JSON: expected '{' or '['");
      r->st->bytes_invalid += (uint64_t)(end - p);
      return TW_OK;
    }
    if (rc || !next)
      return rc;
    p = next;
  }
}

int tw_shape_first_complete(const char *seg, size_t len) {
  const char *p = tw_walk_ws(seg, seg + len);
  tw_walk w;
  if (p == seg + len)
    return 1;
  return tw_walk_value(p, seg + len, &w) == TW_OK || !w.incomplete;
}
