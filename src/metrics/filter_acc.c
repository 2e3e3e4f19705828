/*
 * filter_acc.c — the metric-filter accumulator: turns "the log group got
 * an event at t; the filter matched or not; value / skip reason;
 * dimensions" into datapoints in a tw_metric_store.
 *
 *  - D16: a matching event's value is stored at the event's own time (the
 *    store truncates to the minute) together with the event as a sample.
 *  - D17: a minute that received >= 1 event and no usable match gets one
 *    datapoint of defaultValue (if set) at the minute's start, emitted when
 *    the minute closes.
 *  - D18/D19: matches whose value or a dimension could not be extracted
 *    are counted as skipped and treated as non-matching for D17.
 *
 * A minute closes once an event (or advance) at least lateness_ms past the
 * minute's end has been seen: events up to lateness_ms out of order are
 * handled exactly; later ones still store their value but no longer take
 * part in the default-value decision (counted as late). It knows nothing
 * of patterns; the caller runs the pattern and the transformation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/store.h"

typedef struct tw_mf_minute {
  int64_t start_ms;
  uint64_t events, matches;
} tw_mf_minute;

struct tw_metric_filter_acc {
  tw_metric_store *store;
  char *ns, *name, *unit;
  int has_default;
  double default_value;
  int64_t lateness_ms;
  int have_clock;
  int64_t newest_ms;
  int64_t closed_before_ms; /* minutes starting earlier are closed */
  tw_mf_minute *open;       /* sorted by start */
  size_t nopen, cap;
  tw_metric_filter_stats stats;
};

static char *tw_mf_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

void tw_metric_filter_acc_free(tw_metric_filter_acc *a) {
  if (!a)
    return;
  free(a->ns);
  free(a->name);
  free(a->unit);
  free(a->open);
  free(a);
}

static int tw_mf_config_ok(const tw_metric_store *store,
                           const tw_metric_filter_config *c) {
  return store && c && c->ns && *c->ns && c->name && *c->name &&
         (!c->unit || *c->unit) && c->lateness_ms >= 0 &&
         c->lateness_ms <= TW_METRIC_MAX_ABS_MS &&
         (!c->has_default || isfinite(c->default_value));
}

int tw_metric_filter_acc_new(tw_metric_store *store,
                             const tw_metric_filter_config *cfg,
                             tw_metric_filter_acc **out) {
  if (!out || !tw_mf_config_ok(store, cfg))
    return TW_EINVAL;
  tw_metric_filter_acc *a = calloc(1, sizeof *a);
  if (!a)
    return TW_ENOMEM;
  a->store = store;
  a->ns = tw_mf_strdup(cfg->ns);
  a->name = tw_mf_strdup(cfg->name);
  a->unit = cfg->unit ? tw_mf_strdup(cfg->unit) : NULL;
  if (!a->ns || !a->name || (cfg->unit && !a->unit)) {
    tw_metric_filter_acc_free(a);
    return TW_ENOMEM;
  }
  a->has_default = cfg->has_default;
  a->default_value = cfg->default_value;
  a->lateness_ms = cfg->lateness_ms;
  a->closed_before_ms = INT64_MIN;
  *out = a;
  return TW_OK;
}

static tw_metric_key tw_mf_key(const tw_metric_filter_acc *a,
                               const tw_metric_dimension *dims, size_t n) {
  tw_metric_key k = {a->ns, a->name, dims, n, a->unit};
  return k;
}

/* Store one value; a value too old for the store counts as expired. */
static int tw_mf_store(tw_metric_filter_acc *a, const tw_metric_key *k,
                       int64_t t, double v, const char *ev, size_t len,
                       uint64_t *counter) {
  int rc = tw_metric_store_put(a->store, k, t, v, 60, ev, len);
  if (rc == TW_ELIMIT) {
    a->stats.expired++;
    return TW_OK;
  }
  if (rc == TW_OK)
    (*counter)++;
  return rc;
}

static int tw_mf_note_minute(tw_metric_filter_acc *a, int64_t minute,
                             int match) {
  size_t i = a->nopen;
  while (i > 0 && a->open[i - 1].start_ms > minute)
    i--;
  if (i == 0 || a->open[i - 1].start_ms != minute) {
    if (a->nopen == a->cap) {
      size_t cap = a->cap ? a->cap * 2 : 4;
      tw_mf_minute *p = realloc(a->open, cap * sizeof *p);
      if (!p)
        return TW_ENOMEM;
      a->open = p;
      a->cap = cap;
    }
    memmove(a->open + i + 1, a->open + i, (a->nopen - i) * sizeof *a->open);
    a->open[i].start_ms = minute;
    a->open[i].events = a->open[i].matches = 0;
    a->nopen++;
    i++;
  }
  a->open[i - 1].events++;
  a->open[i - 1].matches += match ? 1u : 0u;
  return TW_OK;
}

/* Close the minutes starting before t, emitting defaults. */
static int tw_mf_close_before(tw_metric_filter_acc *a, int64_t t) {
  if (t <= a->closed_before_ms)
    return TW_OK;
  a->closed_before_ms = t;
  size_t done = 0;
  int rc = TW_OK;
  tw_metric_key k = tw_mf_key(a, NULL, 0);
  for (; done < a->nopen && a->open[done].start_ms < t; done++) {
    const tw_mf_minute *m = &a->open[done];
    if (rc == TW_OK && a->has_default && m->events > 0 && m->matches == 0)
      rc = tw_mf_store(a, &k, m->start_ms, a->default_value, NULL, 0,
                       &a->stats.defaults);
  }
  if (done > 0) /* a->open may still be NULL before the first event */
    memmove(a->open, a->open + done, (a->nopen - done) * sizeof *a->open);
  a->nopen -= done;
  return rc;
}

static int tw_mf_clock(tw_metric_filter_acc *a, int64_t t) {
  if (a->have_clock && t <= a->newest_ms)
    return TW_OK;
  a->have_clock = 1;
  a->newest_ms = t;
  return tw_mf_close_before(
      a, tw_metric_floor_to(t - a->lateness_ms, TW_MINUTE_MS));
}

/* A matching event: store its value, or count why it was skipped.
 * *usable says whether it counts as a match for D17. */
static int tw_mf_matched(tw_metric_filter_acc *a, int64_t t,
                         tw_extract_status status, double value,
                         const tw_metric_dimension *dims, size_t ndims,
                         const char *ev, size_t len, int *usable) {
  *usable = 0;
  a->stats.matched++;
  if (status == TW_EXTRACT_SKIP_DIMENSION) {
    a->stats.skipped_dimension++;
    return TW_OK;
  }
  if (status != TW_EXTRACT_OK || !isfinite(value)) {
    a->stats.skipped_value++;
    return TW_OK;
  }
  *usable = 1;
  tw_metric_key k = tw_mf_key(a, dims, ndims);
  return tw_mf_store(a, &k, t, value, ev, len, &a->stats.datapoints);
}

int tw_metric_filter_acc_event(tw_metric_filter_acc *a, int64_t timestamp_ms,
                               int matched, tw_extract_status status,
                               double value, const tw_metric_dimension *dims,
                               size_t ndims, const char *event,
                               size_t event_len) {
  if (!a || timestamp_ms < -TW_METRIC_MAX_ABS_MS ||
      timestamp_ms > TW_METRIC_MAX_ABS_MS || (ndims && !dims) ||
      (ndims && a->has_default))
    return TW_EINVAL;
  int usable = 0, rc = TW_OK;
  a->stats.events++;
  if (matched)
    rc = tw_mf_matched(a, timestamp_ms, status, value, dims, ndims, event,
                       event_len, &usable);
  if (rc)
    return rc;
  int64_t minute = tw_metric_floor_to(timestamp_ms, TW_MINUTE_MS);
  if (minute < a->closed_before_ms)
    a->stats.late++;
  else if ((rc = tw_mf_note_minute(a, minute, usable)) != TW_OK)
    return rc;
  return tw_mf_clock(a, timestamp_ms);
}

int tw_metric_filter_acc_advance(tw_metric_filter_acc *a, int64_t now_ms) {
  if (!a || now_ms < -TW_METRIC_MAX_ABS_MS || now_ms > TW_METRIC_MAX_ABS_MS)
    return TW_EINVAL;
  return tw_mf_clock(a, now_ms);
}

int tw_metric_filter_acc_flush(tw_metric_filter_acc *a) {
  if (!a)
    return TW_EINVAL;
  if (!a->have_clock)
    return TW_OK;
  return tw_mf_close_before(a, tw_metric_floor_to(a->newest_ms, TW_MINUTE_MS) +
                                   TW_MINUTE_MS);
}

void tw_metric_filter_acc_stats(const tw_metric_filter_acc *a,
                                tw_metric_filter_stats *out) {
  if (a && out)
    *out = a->stats;
}
