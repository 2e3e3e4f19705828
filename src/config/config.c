/*
 * config.c — tw_config: the loaded configuration (config.h).
 *
 * Each file is parsed (config_doc.c), then read as a trailwatch document
 * (config_file.c) or a CloudFormation template (config_cfn.c) into a
 * staging set; only when the whole file is valid is the stage merged into
 * the configuration (config_set.c), so a failing file leaves no trace.
 * Parameters set with tw_config_set_parameter apply to every later load;
 * tw_config_finish gives alarms without actions the defaultAlarmActions
 * (config_defaults.c), then checks the references between files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

struct tw_config {
  tw_cfg_set all;
  json_t *params; /* tw_config_set_parameter: name -> value */
};

int tw_config_new(tw_config **out) {
  tw_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg)
    return TW_ENOMEM;
  if (tw_cfg_set_init(&cfg->all) || !(cfg->params = json_object())) {
    tw_config_free(cfg);
    return TW_ENOMEM;
  }
  *out = cfg;
  return TW_OK;
}

void tw_config_free(tw_config *cfg) {
  if (!cfg)
    return;
  tw_cfg_set_clear(&cfg->all);
  json_decref(cfg->params);
  free(cfg);
}

int tw_config_set_parameter(tw_config *cfg, const char *name, const char *value) {
  if (!name || !value || !tw_cfg_param_name_ok(name, strlen(name)))
    return TW_EINVAL;
  if (!tw_cfg_utf8_valid((const unsigned char *)value, strlen(value)))
    return TW_EINVAL;
  json_t *v = json_string(value);
  if (!v || json_object_set_new(cfg->params, name, v))
    return TW_ENOMEM;
  return TW_OK;
}

/* Check one parsed document into the stage. */
static int tw_cfg_check_doc(tw_cfg_load *L, const json_t *root) {
  if (!json_is_object(root))
    return tw_cfg_fail(&L->c, tw_cfg_posmap_root(L->c.pm),
                       "the top level must be a mapping (metricFilters, MetricAlarms, "
                       "targets), got %s",
                       tw_cfg_type_name(root));
  if (tw_cfg_is_template(root))
    return tw_cfg_template_load(L, root);
  return tw_cfg_file_load(L, root);
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
  tw_cfg_set stage;
  tw_cfg_load L = {.c = {.name = name, .pm = pm, .err = err}, .all = &cfg->all, .stage = &stage};
  L.params.set = cfg->params;
  rc = tw_cfg_set_init(&stage);
  if (!rc && !pm && tw_cfg_posmap_new(&pm))
    rc = TW_ENOMEM;
  L.c.pm = pm;
  if (rc)
    rc = tw_cfg_nomem(&L.c);
  if (!rc)
    rc = tw_cfg_check_doc(&L, root);
  if (!rc && tw_cfg_set_merge(&cfg->all, &stage))
    rc = tw_cfg_nomem(&L.c);
  tw_cfg_params_clear(&L.params);
  tw_cfg_set_clear(&stage);
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

int tw_config_finish(tw_config *cfg, tw_error *err) {
  int rc = tw_cfg_set_apply_defaults(&cfg->all, err);
  return rc ? rc : tw_cfg_set_check(&cfg->all, err);
}

size_t tw_config_metric_filter_count(const tw_config *cfg) { return cfg->all.filters.n; }

const tw_metric_filter_def *tw_config_metric_filter(const tw_config *cfg, size_t i) {
  return i < cfg->all.filters.n ? cfg->all.filters.items[i] : NULL;
}

size_t tw_config_alarm_count(const tw_config *cfg) { return cfg->all.alarms.n; }

const json_t *tw_config_alarm(const tw_config *cfg, size_t i, const char **origin) {
  if (i >= cfg->all.alarms.n)
    return NULL;
  const tw_cfg_alarm *a = cfg->all.alarms.items[i];
  if (origin)
    *origin = a->origin;
  return a->raw;
}

tw_alarm *tw_config_alarm_compiled(const tw_config *cfg, size_t i) {
  return i < cfg->all.alarms.n ? ((tw_cfg_alarm *)cfg->all.alarms.items[i])->compiled : NULL;
}

size_t tw_config_target_count(const tw_config *cfg) { return cfg->all.targets.n; }

const tw_target_def *tw_config_target(const tw_config *cfg, size_t i) {
  return i < cfg->all.targets.n ? &((tw_cfg_target *)cfg->all.targets.items[i])->def : NULL;
}

const tw_target_def *tw_config_target_find(const tw_config *cfg, const char *arn) {
  const tw_cfg_target *t = tw_cfg_set_find_target(&cfg->all, arn);
  return t ? &t->def : NULL;
}

const json_t *tw_config_targets(const tw_config *cfg) {
  return json_object_size(cfg->all.targets_json) ? cfg->all.targets_json : NULL;
}

size_t tw_config_rule_count(const tw_config *cfg) { return cfg->all.rules.n; }

const tw_rule_def *tw_config_rule(const tw_config *cfg, size_t i) {
  return i < cfg->all.rules.n ? &((tw_cfg_rule *)cfg->all.rules.items[i])->def : NULL;
}
