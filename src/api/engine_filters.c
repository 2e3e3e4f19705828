/*
 * engine_filters.c — live metric filters of the server. Each log group
 * with filters has one tw_filter_set over their patterns; every ingested
 * event goes through the set once, and each filter's transformation and
 * metric-filter accumulator (D16-D19) turn the outcome into datapoints in
 * the in-memory metric store.
 *
 * Durability by replay: at start, every stored filter version is compiled
 * and fed, in ingestion order, the stored events it saw (sequence range
 * [start_seq, end_seq)), with its clock advanced to each event's ingestion
 * time as it was live; ended versions are flushed, current ones stay
 * live. This rebuilds exactly the datapoints that were acknowledged.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

#define TW_METRIC_WINDOW_MS (INT64_C(15) * 86400000)

/* ---- compilation ------------------------------------------------------- */

typedef struct tw_ef_spec {
  const char *value;
  const char *dim_names[3];
  const char *dim_tokens[3];
  size_t ndims;
  tw_metric_filter_config cfg;
} tw_ef_spec;

static int tw_ef_spec_read(json_t *transforms, tw_ef_spec *s, tw_error *err) {
  memset(s, 0, sizeof *s);
  json_t *t = json_array_get(transforms, 0);
  s->value = json_string_value(json_object_get(t, "metricValue"));
  s->cfg.ns = json_string_value(json_object_get(t, "metricNamespace"));
  s->cfg.name = json_string_value(json_object_get(t, "metricName"));
  s->cfg.unit = json_string_value(json_object_get(t, "unit"));
  json_t *def = json_object_get(t, "defaultValue");
  s->cfg.has_default = json_is_number(def);
  s->cfg.default_value = json_number_value(def);
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(t, "dimensions"), k, v) {
    if (s->ndims == 3)
      break;
    s->dim_names[s->ndims] = k;
    s->dim_tokens[s->ndims++] = json_string_value(v);
  }
  if (!s->value || !s->cfg.ns || !s->cfg.name)
    return tw_error_set(err, TW_EINVAL, 0, "incomplete metric transformation");
  return TW_OK;
}

static int tw_ef_compile(const char *pattern, json_t *transforms,
                         tw_pattern **p, tw_transform **t, tw_ef_spec *spec,
                         tw_error *err) {
  int rc = tw_ef_spec_read(transforms, spec, err);
  if (rc)
    return rc;
  rc = tw_pattern_compile(pattern, strlen(pattern), 0, p, err);
  if (rc)
    return rc;
  rc = tw_transform_compile(*p, spec->value, spec->dim_names,
                            spec->dim_tokens, spec->ndims,
                            spec->cfg.has_default, t, err);
  if (rc) {
    tw_pattern_free(*p);
    *p = NULL;
  }
  return rc;
}

int tw_engine_filter_check(const char *pattern, json_t *transforms,
                           tw_error *err) {
  tw_pattern *p = NULL;
  tw_transform *t = NULL;
  tw_ef_spec spec;
  int rc = tw_ef_compile(pattern, transforms, &p, &t, &spec, err);
  tw_transform_free(t);
  tw_pattern_free(p);
  return rc;
}

static void tw_ef_free(tw_api_filter *f) {
  if (!f)
    return;
  tw_metric_filter_acc_free(f->acc);
  tw_transform_free(f->transform);
  tw_pattern_free(f->pattern);
  free(f->name);
  free(f);
}

static int tw_ef_new(tw_api *api, const tw_store_filter *sf,
                     tw_api_filter **out, tw_error *err) {
  json_t *tj = json_loads(sf->transforms, 0, NULL);
  tw_api_filter *f = calloc(1, sizeof *f);
  tw_ef_spec spec;
  int rc = tj && f ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK && !(f->name = strdup(sf->name)))
    rc = TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_ef_compile(sf->pattern, tj, &f->pattern, &f->transform, &spec,
                       err);
  if (rc == TW_OK) {
    spec.cfg.lateness_ms = api->lateness_ms;
    rc = tw_metric_filter_acc_new(api->metrics, &spec.cfg, &f->acc);
  }
  json_decref(tj);
  if (rc) {
    tw_ef_free(f);
    return rc;
  }
  f->id = sf->id;
  *out = f;
  return TW_OK;
}

/* ---- feeding ------------------------------------------------------------ */

/* Move a filter's clock (closing its minutes). Before its first event an
 * accumulator has nothing to close, and is left alone. */
static int tw_ef_advance(tw_api_filter *f, int64_t t) {
  return f->fed ? tw_metric_filter_acc_advance(f->acc, t) : TW_OK;
}

/* One event's outcome for one filter (m holds the match when matched). */
static int tw_ef_feed(tw_api_filter *f, tw_match *m, int matched, int64_t ts,
                      const char *msg, size_t len) {
  double value = 0;
  tw_extract_status status = TW_EXTRACT_OK;
  tw_metric_dimension dims[3];
  char *copies[3] = {NULL, NULL, NULL};
  size_t nd = 0;
  int rc = TW_OK;
  if (matched)
    rc = tw_transform_apply(f->transform, msg, len, m, &value, &status);
  if (rc == TW_OK && matched && status == TW_EXTRACT_OK) {
    nd = tw_transform_dimension_count(f->transform);
    for (size_t i = 0; i < nd && i < 3; i++) {
      const char *name, *val;
      size_t vl = 0;
      if (tw_transform_dimension(f->transform, m, i, &name, &val, &vl) ||
          vl == 0 || vl > 1024) {
        status = TW_EXTRACT_SKIP_DIMENSION;
        break;
      }
      copies[i] = strndup(val, vl);
      if (!copies[i]) {
        rc = TW_ENOMEM;
        break;
      }
      dims[i].name = name;
      dims[i].value = copies[i];
    }
  }
  if (status != TW_EXTRACT_OK)
    nd = 0;
  f->fed = 1;
  if (rc == TW_OK)
    rc = tw_metric_filter_acc_event(f->acc, ts, matched, status, value,
                                    nd ? dims : NULL, nd, msg, len);
  for (size_t i = 0; i < 3; i++)
    free(copies[i]);
  return rc == TW_ENOMEM ? rc : TW_OK;
}

static tw_api_group_rt *tw_ef_group(tw_api *api, int64_t group_id) {
  for (size_t i = 0; i < api->ngroups; i++)
    if (api->groups[i]->group_id == group_id)
      return api->groups[i];
  return NULL;
}

int tw_engine_filters_event(tw_api *api, int64_t group_id, int64_t ts,
                            const char *msg, size_t len) {
  tw_api_group_rt *g = tw_ef_group(api, group_id);
  if (!g || !g->n)
    return TW_OK;
  int rc = tw_filter_set_eval(g->set, msg, len, g->scratch, g->matched);
  for (size_t i = 0; rc == TW_OK && i < g->n; i++) {
    tw_match *m = NULL;
    if (g->matched[i] &&
        !(m = tw_filter_scratch_match(g->set, g->scratch, i, msg, len)))
      return TW_ENOMEM;
    rc = tw_ef_feed(g->filters[i], m, g->matched[i], ts, msg, len);
  }
  return rc;
}

int tw_engine_filters_advance(tw_api *api, int64_t now_ms) {
  for (size_t i = 0; i < api->ngroups; i++)
    for (size_t j = 0; j < api->groups[i]->n; j++)
      if (tw_ef_advance(api->groups[i]->filters[j], now_ms) == TW_ENOMEM)
        return TW_ENOMEM;
  return TW_OK;
}

/* ---- live set maintenance ------------------------------------------------ */

static int tw_ef_rebuild(tw_api_group_rt *g) {
  tw_filter_scratch_free(g->scratch);
  tw_filter_set_free(g->set);
  free(g->matched);
  g->scratch = NULL;
  g->set = NULL;
  g->matched = NULL;
  if (!g->n)
    return TW_OK;
  const tw_pattern **ps = calloc(g->n, sizeof *ps);
  g->matched = calloc(g->n, 1);
  if (!ps || !g->matched) {
    free(ps);
    return TW_ENOMEM;
  }
  for (size_t i = 0; i < g->n; i++)
    ps[i] = g->filters[i]->pattern;
  tw_error err;
  int rc = tw_filter_set_new(ps, g->n, &g->set, &err);
  if (rc == TW_OK)
    rc = tw_filter_scratch_new(g->set, &g->scratch);
  free(ps);
  return rc;
}

static void tw_ef_group_free(tw_api_group_rt *g) {
  for (size_t i = 0; i < g->n; i++)
    tw_ef_free(g->filters[i]);
  free(g->filters);
  tw_filter_scratch_free(g->scratch);
  tw_filter_set_free(g->set);
  free(g->matched);
  free(g);
}

static tw_api_group_rt *tw_ef_group_get(tw_api *api, int64_t group_id) {
  tw_api_group_rt *g = tw_ef_group(api, group_id);
  if (g)
    return g;
  tw_api_group_rt **arr =
      realloc(api->groups, (api->ngroups + 1) * sizeof *arr);
  if (!arr)
    return NULL;
  api->groups = arr;
  g = calloc(1, sizeof *g);
  if (!g)
    return NULL;
  g->group_id = group_id;
  api->groups[api->ngroups++] = g;
  return g;
}

/* Take f out of the group (flushing its pending minutes); f is freed. */
static void tw_ef_drop(tw_api_group_rt *g, size_t i) {
  tw_metric_filter_acc_flush(g->filters[i]->acc);
  tw_ef_free(g->filters[i]);
  memmove(g->filters + i, g->filters + i + 1,
          (g->n - i - 1) * sizeof *g->filters);
  g->n--;
}

/* Make f live in its group, replacing a filter of the same name. */
static int tw_ef_install(tw_api *api, int64_t group_id, tw_api_filter *f) {
  tw_api_group_rt *g = tw_ef_group_get(api, group_id);
  if (!g)
    return TW_ENOMEM;
  for (size_t i = 0; i < g->n; i++)
    if (!strcmp(g->filters[i]->name, f->name)) {
      tw_ef_drop(g, i);
      break;
    }
  tw_api_filter **arr = realloc(g->filters, (g->n + 1) * sizeof *arr);
  if (!arr)
    return TW_ENOMEM;
  g->filters = arr;
  g->filters[g->n++] = f;
  return tw_ef_rebuild(g);
}

int tw_engine_filter_add(tw_api *api, const tw_store_filter *sf,
                         tw_error *err) {
  tw_api_filter *f = NULL;
  int rc = tw_ef_new(api, sf, &f, err);
  if (rc)
    return rc;
  rc = tw_ef_install(api, sf->group_id, f);
  if (rc == TW_ENOMEM)
    return rc;
  return rc;
}

void tw_engine_filter_remove(tw_api *api, int64_t group_id, const char *name) {
  tw_api_group_rt *g = tw_ef_group(api, group_id);
  if (!g)
    return;
  for (size_t i = g->n; i-- > 0;)
    if (!name || !strcmp(g->filters[i]->name, name))
      tw_ef_drop(g, i);
  (void)tw_ef_rebuild(g);
}

void tw_engine_filters_free(tw_api *api) {
  for (size_t i = 0; i < api->ngroups; i++)
    tw_ef_group_free(api->groups[i]);
  free(api->groups);
  api->groups = NULL;
  api->ngroups = 0;
}

/* ---- replay at start ------------------------------------------------------ */

typedef struct tw_ef_replay {
  tw_api *api;
  tw_api_filter *f;
  tw_match *m;
  int64_t last_ingest;
  int64_t now_ms;
  int rc;
  size_t versions, events, skipped;
} tw_ef_replay;

static int tw_ef_replay_event(const tw_store_event *e, void *ud) {
  tw_ef_replay *r = ud;
  if (e->ingest_ms != r->last_ingest) {
    r->last_ingest = e->ingest_ms;
    tw_ef_advance(r->f, e->ingest_ms);
  }
  int matched = 0;
  if (tw_pattern_match(r->f->pattern, e->msg, e->len, r->m, &matched))
    return TW_ENOMEM;
  r->events++;
  return tw_ef_feed(r->f, r->m, matched, e->ts, e->msg, e->len);
}

static int tw_ef_replay_version(const tw_store_filter *sf, void *ud) {
  tw_ef_replay *r = ud;
  tw_error err;
  r->f = NULL;
  r->last_ingest = INT64_MIN;
  if (tw_ef_new(r->api, sf, &r->f, &err) != TW_OK) {
    r->skipped++;
    return 0;
  }
  r->versions++;
  int rc = tw_store_event_scan_seq(r->api->store, sf->group_id, sf->start_seq,
                                   sf->end_seq, r->now_ms - TW_METRIC_WINDOW_MS,
                                   tw_ef_replay_event, r);
  if (rc == TW_OK && sf->end_seq) {
    tw_metric_filter_acc_flush(r->f->acc);
    tw_ef_free(r->f);
  } else if (rc == TW_OK) {
    tw_ef_advance(r->f, r->now_ms);
    rc = tw_ef_install(r->api, sf->group_id, r->f);
  } else {
    tw_ef_free(r->f);
  }
  r->f = NULL;
  return rc;
}

int tw_engine_filters_load(tw_api *api, int64_t now_ms, tw_error *err) {
  tw_ef_replay r;
  memset(&r, 0, sizeof r);
  r.api = api;
  r.now_ms = now_ms;
  if (tw_match_new(&r.m) != TW_OK)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  int rc = tw_store_filter_list_versions(api->store, tw_ef_replay_version, &r);
  tw_match_free(r.m);
  if (rc)
    return tw_error_set(err, rc, 0, "metric filter replay failed: %s",
                        tw_store_errmsg(api->store));
  return TW_OK;
}
