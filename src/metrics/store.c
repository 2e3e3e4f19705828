/*
 * store.c — tw_metric_store: configuration, the metric hash map, puts
 * (single values, Values+Counts, statistic sets) and retention (dropping
 * expired buckets and folding old one-second buckets into minutes).
 * Reads are in query.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/key.h"
#include "metrics/store.h"

#define TW_DEFAULT_RETENTION_S (15 * 86400)
#define TW_DEFAULT_HIGH_RES_S (3 * 3600)
#define TW_DEFAULT_SAMPLES 10
#define TW_MAX_RETENTION_S (INT64_C(100) * 366 * 86400)

void tw_metric_store_config_init(tw_metric_store_config *cfg) {
  cfg->retention_s = TW_DEFAULT_RETENTION_S;
  cfg->high_res_retention_s = TW_DEFAULT_HIGH_RES_S;
  cfg->samples_per_bucket = TW_DEFAULT_SAMPLES;
}

int64_t tw_metric_floor_to(int64_t t, int64_t width) {
  int64_t q = t / width;
  if (t % width != 0 && t < 0)
    q--;
  return q * width;
}

int64_t tw_mstore_min_start(const tw_metric_store *s, int64_t width) {
  if (!s->have_horizon)
    return INT64_MIN;
  return s->horizon_ms - s->cfg.retention_s * 1000 - width + 1;
}

/* One-second buckets starting before this are folded into minutes. */
static int64_t tw_mstore_fold_before(const tw_metric_store *s) {
  if (!s->have_horizon)
    return INT64_MIN;
  return s->horizon_ms - s->cfg.high_res_retention_s * 1000 - TW_SECOND_MS + 1;
}

int tw_mstore_effective(const tw_metric_store *s, int is_seconds,
                        const tw_mbucket *b, int64_t *start, int64_t *width) {
  *start = b->start_ms;
  *width = is_seconds ? TW_SECOND_MS : TW_MINUTE_MS;
  if (is_seconds && b->start_ms < tw_mstore_fold_before(s)) {
    *start = tw_metric_floor_to(b->start_ms, TW_MINUTE_MS);
    *width = TW_MINUTE_MS;
  }
  return *start >= tw_mstore_min_start(s, *width);
}

int tw_metric_store_new(const tw_metric_store_config *cfg,
                        tw_metric_store **out) {
  tw_metric_store_config c;
  tw_metric_store_config_init(&c);
  if (cfg)
    c = *cfg;
  if (c.retention_s <= 0 || c.retention_s > TW_MAX_RETENTION_S ||
      c.high_res_retention_s <= 0)
    return TW_EINVAL;
  if (c.high_res_retention_s > c.retention_s)
    c.high_res_retention_s = c.retention_s;
  tw_metric_store *s = calloc(1, sizeof *s);
  if (!s)
    return TW_ENOMEM;
  s->cfg = c;
  s->nslots = 64;
  s->slots = calloc(s->nslots, sizeof *s->slots);
  if (!s->slots) {
    free(s);
    return TW_ENOMEM;
  }
  *out = s;
  return TW_OK;
}

static void tw_mstream_free(tw_mstream *st) {
  free(st->unit);
  tw_mseries_free(&st->minutes);
  tw_mseries_free(&st->seconds);
}

static void tw_metric_free(tw_metric *m) {
  if (!m)
    return;
  for (size_t i = 0; i < m->nstreams; i++)
    tw_mstream_free(&m->streams[i]);
  free(m->streams);
  for (size_t i = 0; i < m->key.ndims; i++) {
    free((char *)m->key.dims[i].name);
    free((char *)m->key.dims[i].value);
  }
  free((void *)m->key.dims);
  free((char *)m->key.ns);
  free((char *)m->key.name);
  free(m->canon);
  free(m);
}

void tw_metric_store_free(tw_metric_store *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->nslots; i++) {
    tw_metric *m = s->slots[i];
    while (m) {
      tw_metric *next = m->next;
      tw_metric_free(m);
      m = next;
    }
  }
  free(s->slots);
  tw_buf_free(&s->scratch);
  free(s);
}

/* ---- the map ------------------------------------------------------ */

static tw_metric *tw_mstore_find(const tw_metric_store *s, const char *canon,
                                 size_t len, uint64_t hash) {
  for (tw_metric *m = s->slots[hash & (s->nslots - 1)]; m; m = m->next)
    if (m->hash == hash && m->canon_len == len &&
        memcmp(m->canon, canon, len) == 0)
      return m;
  return NULL;
}

tw_metric *tw_mstore_lookup(const tw_metric_store *s,
                            const tw_metric_key *key) {
  tw_buf b = {0};
  tw_metric *m = NULL;
  if (tw_mkey_canonical(key, &b) == TW_OK)
    m = tw_mstore_find(s, b.data, b.len, tw_mkey_hash(b.data, b.len));
  tw_buf_free(&b);
  return m;
}

static int tw_mstore_grow(tw_metric_store *s) {
  size_t n = s->nslots * 2;
  tw_metric **slots = calloc(n, sizeof *slots);
  if (!slots)
    return TW_ENOMEM;
  for (size_t i = 0; i < s->nslots; i++) {
    tw_metric *m = s->slots[i];
    while (m) {
      tw_metric *next = m->next;
      m->next = slots[m->hash & (n - 1)];
      slots[m->hash & (n - 1)] = m;
      m = next;
    }
  }
  free(s->slots);
  s->slots = slots;
  s->nslots = n;
  return TW_OK;
}

static char *tw_strdup_n(const char *p, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, p, n);
    d[n] = '\0';
  }
  return d;
}

static int tw_metric_copy_key(tw_metric *m, const tw_metric_key *k) {
  size_t order[TW_METRIC_MAX_DIMS];
  tw_mkey_sort_dims(k, order);
  m->key.ns = tw_strdup_n(k->ns, strlen(k->ns));
  m->key.name = tw_strdup_n(k->name, strlen(k->name));
  if (!m->key.ns || !m->key.name)
    return TW_ENOMEM;
  if (k->ndims == 0)
    return TW_OK;
  tw_metric_dimension *d = calloc(k->ndims, sizeof *d);
  if (!d)
    return TW_ENOMEM;
  m->key.dims = d;
  m->key.ndims = k->ndims;
  for (size_t i = 0; i < k->ndims; i++) {
    const tw_metric_dimension *src = &k->dims[order[i]];
    d[i].name = tw_strdup_n(src->name, strlen(src->name));
    d[i].value = tw_strdup_n(src->value, strlen(src->value));
    if (!d[i].name || !d[i].value)
      return TW_ENOMEM;
  }
  return TW_OK;
}

static int tw_mstore_insert(tw_metric_store *s, const tw_metric_key *k,
                            uint64_t hash, tw_metric **out) {
  if (s->count >= s->nslots && tw_mstore_grow(s) != TW_OK)
    return TW_ENOMEM;
  tw_metric *m = calloc(1, sizeof *m);
  if (!m)
    return TW_ENOMEM;
  m->hash = hash;
  m->canon_len = s->scratch.len;
  m->canon = tw_strdup_n(s->scratch.data, s->scratch.len);
  if (!m->canon || tw_metric_copy_key(m, k) != TW_OK) {
    tw_metric_free(m);
    return TW_ENOMEM;
  }
  m->next = s->slots[hash & (s->nslots - 1)];
  s->slots[hash & (s->nslots - 1)] = m;
  s->count++;
  *out = m;
  return TW_OK;
}

static int tw_metric_stream(tw_metric *m, const char *unit, tw_mstream **out) {
  for (size_t i = 0; i < m->nstreams; i++) {
    if (strcmp(m->streams[i].unit, unit) == 0) {
      *out = &m->streams[i];
      return TW_OK;
    }
  }
  tw_mstream *st = realloc(m->streams, (m->nstreams + 1) * sizeof *st);
  if (!st)
    return TW_ENOMEM;
  m->streams = st;
  st = &m->streams[m->nstreams];
  memset(st, 0, sizeof *st);
  st->unit = tw_strdup_n(unit, strlen(unit));
  if (!st->unit)
    return TW_ENOMEM;
  m->nstreams++;
  *out = st;
  return TW_OK;
}

/* ---- retention ---------------------------------------------------- */

/* Fold one-second buckets that left the high-resolution window into
 * their minute bucket. */
static int tw_mstream_fold(tw_metric_store *s, tw_mstream *st) {
  int64_t before = tw_mstore_fold_before(s);
  while (tw_mseries_count(&st->seconds) > 0 &&
         st->seconds.b[st->seconds.head].start_ms < before) {
    tw_mbucket sec, *min;
    tw_mseries_pop_front(&st->seconds, &sec);
    int rc = tw_mseries_get(
        &st->minutes, tw_metric_floor_to(sec.start_ms, TW_MINUTE_MS), &min);
    if (rc == TW_OK)
      rc = tw_mbucket_merge(min, &sec, s->cfg.samples_per_bucket);
    tw_mbucket_free(&sec);
    if (rc)
      return rc;
  }
  return TW_OK;
}

/* Retention for one metric; drops empty streams. */
static int tw_metric_sweep(tw_metric_store *s, tw_metric *m) {
  size_t kept = 0;
  int rc = TW_OK;
  for (size_t i = 0; i < m->nstreams; i++) {
    tw_mstream *st = &m->streams[i];
    if (rc == TW_OK)
      rc = tw_mstream_fold(s, st);
    tw_mseries_drop_before(&st->minutes, tw_mstore_min_start(s, TW_MINUTE_MS));
    tw_mseries_drop_before(&st->seconds, tw_mstore_min_start(s, TW_SECOND_MS));
    if (tw_mseries_count(&st->minutes) + tw_mseries_count(&st->seconds) == 0)
      tw_mstream_free(st);
    else
      m->streams[kept++] = *st;
  }
  m->nstreams = kept;
  return rc;
}

static int tw_mstore_sweep(tw_metric_store *s) {
  int rc = TW_OK;
  for (size_t i = 0; i < s->nslots; i++) {
    tw_metric **link = &s->slots[i];
    while (*link) {
      tw_metric *m = *link;
      int r = tw_metric_sweep(s, m);
      if (r && rc == TW_OK)
        rc = r;
      if (m->nstreams == 0) {
        *link = m->next;
        tw_metric_free(m);
        s->count--;
      } else {
        link = &m->next;
      }
    }
  }
  int64_t window = s->cfg.high_res_retention_s * 1000 / 64;
  s->next_sweep_ms =
      s->horizon_ms + (window > TW_SECOND_MS ? window : TW_SECOND_MS);
  return rc;
}

/* Move the clock to t if it is newer; sweep when due (or when forced). */
static int tw_mstore_clock(tw_metric_store *s, int64_t t, int force) {
  if (!s->have_horizon || t > s->horizon_ms) {
    s->horizon_ms = t;
    if (!s->have_horizon)
      s->next_sweep_ms = t;
    s->have_horizon = 1;
  }
  if (force || s->horizon_ms >= s->next_sweep_ms)
    return tw_mstore_sweep(s);
  return TW_OK;
}

int tw_metric_store_advance(tw_metric_store *s, int64_t now_ms) {
  if (!s || now_ms < -TW_METRIC_MAX_ABS_MS || now_ms > TW_METRIC_MAX_ABS_MS)
    return TW_EINVAL;
  return tw_mstore_clock(s, now_ms, 1);
}

/* ---- puts ---------------------------------------------------------- */

static int tw_mstore_check_put(const tw_metric_store *s, const tw_metric_key *k,
                               int64_t ts, int res) {
  if (!s || tw_mkey_validate(k) != TW_OK)
    return TW_EINVAL;
  if (res != 0 && res != 1 && res != 60)
    return TW_EINVAL;
  if (ts < -TW_METRIC_MAX_ABS_MS || ts > TW_METRIC_MAX_ABS_MS)
    return TW_EINVAL;
  if (s->have_horizon && ts < s->horizon_ms - s->cfg.retention_s * 1000)
    return TW_ELIMIT;
  return TW_OK;
}

/* The bucket for a validated put at ts (clock moved, sweep done first so
 * the returned pointer stays valid). */
static int tw_mstore_bucket(tw_metric_store *s, const tw_metric_key *k,
                            int64_t ts, int res, tw_mbucket **out) {
  int rc = tw_mstore_clock(s, ts, 0);
  if (!rc)
    rc = tw_mkey_canonical(k, &s->scratch);
  if (rc)
    return rc;
  uint64_t h = tw_mkey_hash(s->scratch.data, s->scratch.len);
  tw_metric *m = tw_mstore_find(s, s->scratch.data, s->scratch.len, h);
  if (!m && (rc = tw_mstore_insert(s, k, h, &m)) != TW_OK)
    return rc;
  tw_mstream *st;
  if ((rc = tw_metric_stream(m, k->unit ? k->unit : "None", &st)) != TW_OK)
    return rc;
  int64_t sec = tw_metric_floor_to(ts, TW_SECOND_MS);
  if (res == 1 && sec >= tw_mstore_fold_before(s))
    return tw_mseries_get(&st->seconds, sec, out);
  return tw_mseries_get(&st->minutes, tw_metric_floor_to(ts, TW_MINUTE_MS),
                        out);
}

int tw_metric_store_put(tw_metric_store *s, const tw_metric_key *key,
                        int64_t timestamp_ms, double value,
                        int storage_resolution, const char *event,
                        size_t event_len) {
  int rc = tw_mstore_check_put(s, key, timestamp_ms, storage_resolution);
  if (rc)
    return rc;
  if (!isfinite(value))
    return TW_EINVAL;
  tw_mbucket *b;
  if ((rc = tw_mstore_bucket(s, key, timestamp_ms, storage_resolution, &b)))
    return rc;
  if ((rc = tw_mbucket_add(b, value, 1.0)))
    return rc;
  return tw_mbucket_add_sample(b, s->cfg.samples_per_bucket, timestamp_ms,
                               value, event, event_len);
}

int tw_metric_store_put_values(tw_metric_store *s, const tw_metric_key *key,
                               int64_t timestamp_ms, const double *values,
                               const double *counts, size_t n,
                               int storage_resolution) {
  int rc = tw_mstore_check_put(s, key, timestamp_ms, storage_resolution);
  if (rc)
    return rc;
  if (n == 0 || !values)
    return TW_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(values[i]) ||
        (counts && (!isfinite(counts[i]) || counts[i] < 0.0)))
      return TW_EINVAL;
  tw_mbucket *b;
  if ((rc = tw_mstore_bucket(s, key, timestamp_ms, storage_resolution, &b)))
    return rc;
  for (size_t i = 0; i < n && rc == TW_OK; i++) {
    double w = counts ? counts[i] : 1.0;
    if (w > 0.0)
      rc = tw_mbucket_add(b, values[i], w);
  }
  return rc;
}

static int tw_stat_set_ok(const tw_metric_statistic_set *v) {
  return v && isfinite(v->sample_count) && isfinite(v->sum) &&
         isfinite(v->minimum) && isfinite(v->maximum) &&
         v->sample_count > 0.0 && v->minimum <= v->maximum;
}

int tw_metric_store_put_statistic_set(tw_metric_store *s,
                                      const tw_metric_key *key,
                                      int64_t timestamp_ms,
                                      const tw_metric_statistic_set *set,
                                      int storage_resolution) {
  int rc = tw_mstore_check_put(s, key, timestamp_ms, storage_resolution);
  if (rc)
    return rc;
  if (!tw_stat_set_ok(set))
    return TW_EINVAL;
  tw_mbucket *b;
  if ((rc = tw_mstore_bucket(s, key, timestamp_ms, storage_resolution, &b)))
    return rc;
  return tw_mbucket_add_set(b, set->sample_count, set->sum, set->minimum,
                            set->maximum);
}
