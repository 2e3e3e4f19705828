/*
 * config.c — tw_config: the loaded configuration (config.h).
 *
 * Each file is parsed (config_doc.c), its top level checked, every metric
 * filter validated and compiled (config_filter.c), alarms and targets
 * collected, all into a staging area; only when the whole file is valid is
 * the stage merged into the configuration, so a failing file leaves no
 * trace. Names that must be unique across files (filterName per log group,
 * target ARNs) are indexed with the origin of their first definition.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

struct tw_config {
  tw_metric_filter_def **filters;
  size_t nfilters, capfilters;
  json_t *names;          /* "logGroup:filterName" -> origin */
  json_t *alarms;         /* list of alarm objects */
  char **alarm_origins;   /* one per alarm */
  json_t *targets;        /* ARN -> deliveries, NULL until a file has targets */
  json_t *target_origins; /* ARN -> origin */
};

/* What one file adds, merged only when the file is valid. */
typedef struct tw_cfg_stage {
  tw_metric_filter_def **filters;
  size_t nfilters, capfilters;
  json_t *names, *alarms, *targets, *target_origins;
  char **alarm_origins;
  size_t nalarm_origins;
} tw_cfg_stage;

static const char *const tw_top_keys[] = {"metricFilters", "MetricAlarms", "CompositeAlarms",
                                          "targets",       "NextToken",    "nextToken",
                                          "x-*",           NULL};

int tw_config_new(tw_config **out) {
  tw_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg)
    return TW_ENOMEM;
  cfg->names = json_object();
  cfg->alarms = json_array();
  cfg->target_origins = json_object();
  if (!cfg->names || !cfg->alarms || !cfg->target_origins) {
    tw_config_free(cfg);
    return TW_ENOMEM;
  }
  *out = cfg;
  return TW_OK;
}

void tw_config_free(tw_config *cfg) {
  if (!cfg)
    return;
  for (size_t i = 0; i < cfg->nfilters; i++)
    tw_cfg_filter_free(cfg->filters[i]);
  free(cfg->filters);
  for (size_t i = 0; i < json_array_size(cfg->alarms); i++)
    free(cfg->alarm_origins[i]);
  free(cfg->alarm_origins);
  json_decref(cfg->names);
  json_decref(cfg->alarms);
  json_decref(cfg->targets);
  json_decref(cfg->target_origins);
  free(cfg);
}

static void tw_cfg_stage_free(tw_cfg_stage *s) {
  for (size_t i = 0; i < s->nfilters; i++)
    tw_cfg_filter_free(s->filters[i]);
  free(s->filters);
  for (size_t i = 0; i < s->nalarm_origins; i++)
    free(s->alarm_origins[i]);
  free(s->alarm_origins);
  json_decref(s->names);
  json_decref(s->alarms);
  json_decref(s->targets);
  json_decref(s->target_origins);
}

/* A top-level member; null counts as absent. */
static const json_t *tw_cfg_top(const json_t *root, const char *key) {
  const json_t *v = json_object_get(root, key);
  return json_is_null(v) ? NULL : v;
}

static int tw_cfg_stage_filter(tw_cfg_ctx *c, tw_cfg_stage *s, tw_metric_filter_def *d) {
  if (s->nfilters == s->capfilters) {
    size_t ncap = s->capfilters ? s->capfilters * 2 : 16;
    tw_metric_filter_def **nf = realloc(s->filters, ncap * sizeof *nf);
    if (!nf)
      return tw_cfg_nomem(c);
    s->filters = nf;
    s->capfilters = ncap;
  }
  s->filters[s->nfilters++] = d;
  return TW_OK;
}

/* Reject a second filter of the same name in the same log group. */
static int tw_cfg_unique_filter(tw_cfg_ctx *c, const tw_config *cfg, tw_cfg_stage *s,
                                const tw_metric_filter_def *d) {
  size_t klen = strlen(d->log_group_name) + 1 + strlen(d->filter_name) + 1;
  char *key = malloc(klen);
  if (!key)
    return tw_cfg_nomem(c);
  snprintf(key, klen, "%s:%s", d->log_group_name, d->filter_name);
  const json_t *first = json_object_get(cfg->names, key);
  if (!first)
    first = json_object_get(s->names, key);
  int rc = TW_OK;
  if (first)
    rc = tw_error_set(c->err, TW_EINVAL, 0,
                      "%s: duplicate filterName '%s' in log group '%s' (first defined at %s)",
                      d->origin, d->filter_name, d->log_group_name, json_string_value(first));
  else if (json_object_set_new(s->names, key, json_string(d->origin))) {
    rc = tw_cfg_nomem(c);
  }
  free(key);
  return rc;
}

static int tw_cfg_filters(tw_cfg_ctx *c, const tw_config *cfg, const json_t *root,
                          tw_cfg_stage *s) {
  const json_t *list = tw_cfg_top(root, "metricFilters");
  if (!list)
    return TW_OK;
  if (!json_is_array(list))
    return tw_cfg_fail_type(c, root, "metricFilters", "a list", NULL);
  for (size_t i = 0; i < json_array_size(list); i++) {
    tw_cfg_path_key(c, "metricFilters");
    tw_cfg_path_index(c, i);
    tw_metric_filter_def *d = NULL;
    int rc = tw_cfg_filter_build(c, list, i, &d);
    if (rc)
      return rc;
    rc = tw_cfg_unique_filter(c, cfg, s, d);
    if (!rc)
      rc = tw_cfg_stage_filter(c, s, d);
    if (rc) {
      tw_cfg_filter_free(d);
      return rc;
    }
    tw_cfg_path_pop(c, 0);
  }
  return TW_OK;
}

static int tw_cfg_alarms(tw_cfg_ctx *c, const json_t *root, tw_cfg_stage *s) {
  const json_t *list = tw_cfg_top(root, "MetricAlarms");
  if (!list)
    return TW_OK;
  if (!json_is_array(list))
    return tw_cfg_fail_type(c, root, "MetricAlarms", "a list", NULL);
  size_t n = json_array_size(list);
  if (n && !(s->alarm_origins = calloc(n, sizeof *s->alarm_origins)))
    return tw_cfg_nomem(c);
  for (size_t i = 0; i < n; i++) {
    const json_t *a = json_array_get(list, i);
    tw_cfg_pos pos = tw_cfg_pos_of(c, list, NULL, i, 0);
    tw_cfg_path_key(c, "MetricAlarms");
    tw_cfg_path_index(c, i);
    if (!json_is_object(a))
      return tw_cfg_fail(c, pos, "expected a mapping (a metric alarm), got %s",
                         tw_cfg_type_name(a));
    if (!(s->alarm_origins[i] = tw_cfg_origin(c, pos)))
      return tw_cfg_nomem(c);
    s->nalarm_origins = i + 1;
    if (json_array_append(s->alarms, (json_t *)a))
      return tw_cfg_nomem(c);
    tw_cfg_path_pop(c, 0);
  }
  return TW_OK;
}

static int tw_cfg_targets(tw_cfg_ctx *c, const tw_config *cfg, const json_t *root,
                          tw_cfg_stage *s) {
  const json_t *t = tw_cfg_top(root, "targets");
  if (!t)
    return TW_OK;
  if (!json_is_object(t))
    return tw_cfg_fail_type(c, root, "targets", "a mapping (action ARN: list of deliveries)",
                            NULL);
  s->targets = json_object();
  if (!s->targets)
    return tw_cfg_nomem(c);
  tw_cfg_path_key(c, "targets");
  const char *arn;
  const json_t *v;
  json_object_foreach((json_t *)t, arn, v) {
    if (!json_is_array(v))
      return tw_cfg_fail_type(c, t, arn, "a list of deliveries", NULL);
    tw_cfg_pos pos = tw_cfg_pos_of(c, t, arn, 0, 1);
    const json_t *first = json_object_get(cfg->target_origins, arn);
    if (first) {
      tw_cfg_path_key(c, arn);
      return tw_cfg_fail(c, pos, "target already defined at %s", json_string_value(first));
    }
    size_t old = tw_cfg_path_key(c, arn);
    char *origin = tw_cfg_origin(c, pos);
    tw_cfg_path_pop(c, old);
    if (!origin || json_object_set_new(s->target_origins, arn, json_string(origin)) ||
        json_object_set(s->targets, arn, (json_t *)v)) {
      free(origin);
      return tw_cfg_nomem(c);
    }
    free(origin);
  }
  tw_cfg_path_pop(c, 0);
  return TW_OK;
}

/* Check one parsed document into the stage. */
static int tw_cfg_check_doc(tw_cfg_ctx *c, const tw_config *cfg, const json_t *root,
                            tw_cfg_stage *s) {
  if (!json_is_object(root))
    return tw_cfg_fail(c, tw_cfg_posmap_root(c->pm),
                       "the top level must be a mapping (metricFilters, MetricAlarms, "
                       "targets), got %s",
                       tw_cfg_type_name(root));
  int rc = tw_cfg_check_keys(c, root, tw_top_keys, 4, "the top-level mapping");
  if (!rc)
    rc = tw_cfg_filters(c, cfg, root, s);
  if (!rc)
    rc = tw_cfg_alarms(c, root, s);
  if (!rc)
    rc = tw_cfg_targets(c, cfg, root, s);
  return rc;
}

/* Merge the stage into cfg: everything is prepared before anything moves. */
static int tw_cfg_commit(tw_config *cfg, tw_cfg_stage *s) {
  size_t nalarms = json_array_size(cfg->alarms) + json_array_size(s->alarms);
  if (cfg->nfilters + s->nfilters > cfg->capfilters) {
    size_t ncap = cfg->nfilters + s->nfilters + 16;
    tw_metric_filter_def **nf = realloc(cfg->filters, ncap * sizeof *nf);
    if (!nf)
      return TW_ENOMEM;
    cfg->filters = nf;
    cfg->capfilters = ncap;
  }
  char **no = realloc(cfg->alarm_origins, (nalarms ? nalarms : 1) * sizeof *no);
  if (!no)
    return TW_ENOMEM;
  cfg->alarm_origins = no;
  json_t *names = json_copy(cfg->names), *alarms = json_copy(cfg->alarms);
  json_t *targets = cfg->targets ? json_copy(cfg->targets) : json_object();
  json_t *torig = json_copy(cfg->target_origins);
  int bad = !names || !alarms || !targets || !torig || json_object_update(names, s->names) ||
            json_array_extend(alarms, s->alarms) ||
            (s->targets && json_object_update(targets, s->targets)) ||
            json_object_update(torig, s->target_origins);
  if (bad) {
    json_decref(names);
    json_decref(alarms);
    json_decref(targets);
    json_decref(torig);
    return TW_ENOMEM;
  }
  if (s->nfilters)
    memcpy(cfg->filters + cfg->nfilters, s->filters, s->nfilters * sizeof *s->filters);
  cfg->nfilters += s->nfilters;
  s->nfilters = 0;
  if (s->nalarm_origins)
    memcpy(cfg->alarm_origins + json_array_size(cfg->alarms), s->alarm_origins,
           s->nalarm_origins * sizeof *s->alarm_origins);
  s->nalarm_origins = 0;
  json_decref(cfg->names);
  json_decref(cfg->alarms);
  json_decref(cfg->target_origins);
  cfg->names = names;
  cfg->alarms = alarms;
  cfg->target_origins = torig;
  if (cfg->targets || s->targets) {
    json_decref(cfg->targets);
    cfg->targets = targets;
  } else {
    json_decref(targets);
  }
  return TW_OK;
}

int tw_config_load_buffer(tw_config *cfg, const char *name, const char *data, size_t len,
                          tw_error *err) {
  json_t *root = NULL;
  tw_cfg_posmap *pm = NULL;
  if (!name)
    name = "<buffer>";
  if (!data) {
    if (len)
      return tw_error_set(err, TW_EINVAL, 0, "%s: no data", name);
    data = "";
  }
  int rc = tw_cfg_doc_parse(name, data, len, &root, &pm, err);
  if (rc)
    return rc;
  tw_cfg_ctx c = {.name = name, .pm = pm, .err = err};
  tw_cfg_stage s = {0};
  s.names = json_object();
  s.alarms = json_array();
  s.target_origins = json_object();
  if (!s.names || !s.alarms || !s.target_origins)
    rc = tw_cfg_nomem(&c);
  if (!rc)
    rc = tw_cfg_check_doc(&c, cfg, root, &s);
  if (!rc && tw_cfg_commit(cfg, &s))
    rc = tw_cfg_nomem(&c);
  tw_cfg_stage_free(&s);
  tw_cfg_posmap_free(pm);
  json_decref(root);
  return rc;
}

/* Read all of f into b (bounded by TW_CFG_MAX_FILE). */
static int tw_cfg_read_stream(FILE *f, tw_buf *b) {
  for (;;) {
    if (tw_buf_reserve(b, 65536))
      return TW_ENOMEM;
    size_t n = fread(b->data + b->len, 1, 65536, f);
    b->len += n;
    if (b->len > TW_CFG_MAX_FILE)
      return TW_ELIMIT;
    if (n < 65536)
      return ferror(f) ? TW_EIO : TW_OK;
  }
}

int tw_config_load(tw_config *cfg, const char *path, tw_error *err) {
  int is_stdin = !strcmp(path, "-");
  const char *name = is_stdin ? "<stdin>" : path;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f)
    return tw_error_set(err, TW_EIO, 0, "%s: cannot open: %s", name, strerror(errno));
  tw_buf b = {0};
  int rc = tw_cfg_read_stream(f, &b);
  int saved = errno;
  if (!is_stdin)
    fclose(f);
  if (rc == TW_EIO)
    rc = tw_error_set(err, rc, 0, "%s: read error: %s", name, strerror(saved));
  else if (rc == TW_ELIMIT)
    rc = tw_error_set(err, rc, 0, "%s: larger than %u MiB", name, TW_CFG_MAX_FILE >> 20);
  else if (rc)
    rc = tw_error_set(err, rc, 0, "%s: out of memory", name);
  else
    rc = tw_config_load_buffer(cfg, name, b.data ? b.data : "", b.len, err);
  tw_buf_free(&b);
  return rc;
}

size_t tw_config_metric_filter_count(const tw_config *cfg) { return cfg->nfilters; }

const tw_metric_filter_def *tw_config_metric_filter(const tw_config *cfg, size_t i) {
  return i < cfg->nfilters ? cfg->filters[i] : NULL;
}

size_t tw_config_alarm_count(const tw_config *cfg) { return json_array_size(cfg->alarms); }

const json_t *tw_config_alarm(const tw_config *cfg, size_t i, const char **origin) {
  if (i >= json_array_size(cfg->alarms))
    return NULL;
  if (origin)
    *origin = cfg->alarm_origins[i];
  return json_array_get(cfg->alarms, i);
}

const json_t *tw_config_targets(const tw_config *cfg) { return cfg->targets; }
