/*
 * config_filter.c — one entry of a configuration's metricFilters list ->
 * a validated, compiled tw_metric_filter_def.
 *
 * The entry has the PutMetricFilter request shape (= an item of
 * `aws logs describe-metric-filters` output). Fields are checked with
 * PutMetricFilter's rules (metrics-alarms-api.md §10.1, filter-patterns.md
 * §7.1), then the pattern is compiled with tw_pattern_compile and the
 * transformation with tw_transform_compile; every failure names the field
 * path and the position of the offending value. Duplicate names across
 * entries are checked by config_set.c. The same code checks the Properties
 * of an AWS::Logs::MetricFilter resource (config_cfn.c): there the fields
 * are spelled with a capital letter (FilterName) and LogGroupName is
 * required.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

static const char *const tw_filter_keys[] = {
    "filterName",   "filterPattern",          "logGroupName",           "metricTransformations",
    "creationTime", "applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFieldDimensions",
    NULL};

static const char *const tw_transform_keys[] = {"metricName", "metricNamespace", "metricValue",
                                                "defaultValue", "dimensions", "unit", NULL};

static const char *const tw_filter_keys_cfn[] = {
    "FilterName",   "FilterPattern",          "LogGroupName",           "MetricTransformations",
    "ApplyOnTransformedLogs", "FieldSelectionCriteria", "EmitSystemFieldDimensions", NULL};

static const char *const tw_transform_keys_cfn[] = {"MetricName",   "MetricNamespace",
                                                    "MetricValue",  "DefaultValue",
                                                    "Dimensions",   "Unit",
                                                    NULL};

/* The spelling of field camel in this context: CloudFormation properties
 * capitalise the first letter. */
static const char *K(const tw_cfg_ctx *c, const char *camel) {
  static const char *const pairs[][2] = {
      {"filterName", "FilterName"},
      {"filterPattern", "FilterPattern"},
      {"logGroupName", "LogGroupName"},
      {"metricTransformations", "MetricTransformations"},
      {"metricName", "MetricName"},
      {"metricNamespace", "MetricNamespace"},
      {"metricValue", "MetricValue"},
      {"defaultValue", "DefaultValue"},
      {"dimensions", "Dimensions"},
      {"unit", "Unit"}};
  if (!c->pascal)
    return camel;
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (!strcmp(pairs[i][0], camel))
      return pairs[i][1];
  return camel;
}

static const char *const tw_units[] = {
    "Seconds",          "Microseconds",     "Milliseconds",     "Bytes",
    "Kilobytes",        "Megabytes",        "Gigabytes",        "Terabytes",
    "Bits",             "Kilobits",         "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",            "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second",      "Kilobits/Second",  "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None",             NULL};

void tw_cfg_filter_free(tw_metric_filter_def *d) {
  if (!d)
    return;
  free(d->filter_name);
  free(d->filter_pattern);
  free(d->log_group_name);
  free(d->metric_name);
  free(d->metric_namespace);
  free(d->metric_value);
  for (size_t i = 0; i < 3; i++) {
    free(d->dim_names[i]);
    free(d->dim_tokens[i]);
  }
  free(d->unit);
  free(d->origin);
  tw_pattern_free(d->pattern);
  tw_transform_free(d->transform);
  free(d);
}

/* Length (in characters) and forbidden characters of obj.key = s. */
static int tw_cfg_check_text(tw_cfg_ctx *c, const json_t *obj, const char *key, const char *s,
                             size_t min, size_t max, const char *forbid) {
  size_t n = tw_cfg_utf8_chars(s);
  tw_cfg_pos pos = tw_cfg_pos_of(c, obj, key, 0, 0);
  if (n < min || n > max) {
    tw_cfg_path_key(c, key);
    if (n == 0)
      return tw_cfg_fail(c, pos, "must not be empty");
    return tw_cfg_fail(c, pos, "must be at most %zu characters, got %zu", max, n);
  }
  const char *bad = forbid ? strpbrk(s, forbid) : NULL;
  if (bad) {
    tw_cfg_path_key(c, key);
    return tw_cfg_fail(c, pos, "must not contain '%c'", *bad);
  }
  return TW_OK;
}

/* A required string member checked with tw_cfg_check_text, copied. */
static int tw_cfg_text_field(tw_cfg_ctx *c, const json_t *obj, tw_cfg_pos obj_pos,
                             const char *key, size_t min, size_t max, const char *forbid,
                             const char *hint, char **out) {
  const json_t *v = json_object_get(obj, key);
  if (!v)
    return tw_cfg_fail_missing(c, obj_pos, key);
  if (!json_is_string(v))
    return tw_cfg_fail_type(c, obj, key, "a string", json_is_number(v) ? hint : NULL);
  int rc = tw_cfg_check_text(c, obj, key, json_string_value(v), min, max, forbid);
  if (rc)
    return rc;
  *out = strdup(json_string_value(v));
  return *out ? TW_OK : tw_cfg_nomem(c);
}

static int tw_cfg_log_group(tw_cfg_ctx *c, const json_t *f, tw_cfg_pos fpos,
                            tw_metric_filter_def *d) {
  const json_t *v = tw_cfg_member(f, K(c, "logGroupName"));
  const char *name = TW_CONFIG_DEFAULT_LOG_GROUP;
  if (!v && c->pascal)
    return tw_cfg_fail_missing(c, fpos, "LogGroupName");
  if (v) {
    if (!json_is_string(v))
      return tw_cfg_fail_type(c, f, K(c, "logGroupName"), "a string", NULL);
    name = json_string_value(v);
    int rc = tw_cfg_check_text(c, f, K(c, "logGroupName"), name, 1, 512, NULL);
    if (rc)
      return rc;
    size_t ok = strspn(name, ".-_/#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    if (name[ok]) {
      tw_cfg_path_key(c, K(c, "logGroupName"));
      return tw_cfg_fail(c, tw_cfg_pos_of(c, f, K(c, "logGroupName"), 0, 0),
                         "character %zu is not allowed: log group names use only "
                         "A-Z a-z 0-9 . - _ / #",
                         tw_cfg_utf8_chars(name) - tw_cfg_utf8_chars(name + ok) + 1);
    }
  }
  d->log_group_name = strdup(name);
  return d->log_group_name ? TW_OK : tw_cfg_nomem(c);
}

/* filterName, filterPattern, logGroupName. */
static int tw_cfg_filter_names(tw_cfg_ctx *c, const json_t *f, tw_cfg_pos fpos,
                               tw_metric_filter_def *d) {
  int rc = tw_cfg_text_field(c, f, fpos, K(c, "filterName"), 1, 512, ":*", NULL, &d->filter_name);
  if (rc)
    return rc;
  const json_t *p = json_object_get(f, K(c, "filterPattern"));
  if (json_is_null(p))
    return tw_cfg_fail_type(c, f, K(c, "filterPattern"), "a string",
                            " (write \"\" for the pattern that matches every event)");
  rc = tw_cfg_text_field(c, f, fpos, K(c, "filterPattern"), 0, 1024, NULL, NULL, &d->filter_pattern);
  return rc ? rc : tw_cfg_log_group(c, f, fpos, d);
}

static int tw_cfg_unit(tw_cfg_ctx *c, const json_t *t, tw_metric_filter_def *d) {
  const json_t *v = tw_cfg_member(t, K(c, "unit"));
  if (!v)
    return TW_OK;
  if (!json_is_string(v))
    return tw_cfg_fail_type(c, t, K(c, "unit"), "a string", NULL);
  const char *u = json_string_value(v);
  for (size_t i = 0; tw_units[i]; i++)
    if (!strcmp(u, tw_units[i]))
      return (d->unit = strdup(u)) ? TW_OK : tw_cfg_nomem(c);
  tw_cfg_path_key(c, K(c, "unit"));
  return tw_cfg_fail(c, tw_cfg_pos_of(c, t, K(c, "unit"), 0, 0),
                     "'%s' is not a CloudWatch unit (Seconds, Milliseconds, Bytes, Count, "
                     "Percent, Count/Second, None, ...)",
                     u);
}

static int tw_cfg_default_value(tw_cfg_ctx *c, const json_t *t, tw_metric_filter_def *d) {
  const json_t *v = tw_cfg_member(t, K(c, "defaultValue"));
  if (!v)
    return TW_OK;
  if (!json_is_number(v))
    return tw_cfg_fail_type(c, t, K(c, "defaultValue"), "a number", NULL);
  d->has_default = 1;
  d->default_value = json_number_value(v);
  return TW_OK;
}

/* One dimension name -> token of the mapping dims. */
static int tw_cfg_dimension(tw_cfg_ctx *c, const json_t *dims, const char *name,
                            const json_t *tok, tw_metric_filter_def *d) {
  size_t n = tw_cfg_utf8_chars(name);
  if (n == 0 || n > 255) {
    tw_cfg_path_key(c, name);
    return tw_cfg_fail(c, tw_cfg_pos_of(c, dims, name, 0, 1),
                       "dimension names must be 1 to 255 characters, got %zu", n);
  }
  if (!json_is_string(tok))
    return tw_cfg_fail_type(c, dims, name, "a string (a $.selector or $field)", NULL);
  int rc = tw_cfg_check_text(c, dims, name, json_string_value(tok), 1, 255, NULL);
  if (rc)
    return rc;
  d->dim_names[d->ndims] = strdup(name);
  d->dim_tokens[d->ndims] = strdup(json_string_value(tok));
  d->ndims++;
  return d->dim_names[d->ndims - 1] && d->dim_tokens[d->ndims - 1] ? TW_OK : tw_cfg_nomem(c);
}

static int tw_cfg_dimensions(tw_cfg_ctx *c, const json_t *t, tw_metric_filter_def *d) {
  const json_t *dims = tw_cfg_member(t, K(c, "dimensions"));
  if (!dims)
    return TW_OK;
  if (!json_is_object(dims))
    return tw_cfg_fail_type(c, t, K(c, "dimensions"), "a mapping (name: token)", NULL);
  size_t n = json_object_size(dims);
  size_t old = tw_cfg_path_key(c, K(c, "dimensions"));
  if (n > 3)
    return tw_cfg_fail(c, tw_cfg_pos_of(c, t, K(c, "dimensions"), 0, 0),
                       "at most 3 dimensions are allowed, got %zu", n);
  const char *name;
  const json_t *tok;
  json_object_foreach((json_t *)dims, name, tok) {
    int rc = tw_cfg_dimension(c, dims, name, tok, d);
    if (rc)
      return rc;
  }
  tw_cfg_path_pop(c, old);
  return TW_OK;
}

/* The fields of metricTransformations[0] (path already names it). */
static int tw_cfg_transform_fields(tw_cfg_ctx *c, const json_t *t, tw_cfg_pos tpos,
                                   tw_metric_filter_def *d) {
  int rc = tw_cfg_check_keys(c, t, c->pascal ? tw_transform_keys_cfn : tw_transform_keys, 6,
                             "a metric transformation");
  if (!rc)
    rc = tw_cfg_text_field(c, t, tpos, K(c, "metricName"), 1, 255, ":*$", NULL, &d->metric_name);
  if (!rc)
    rc = tw_cfg_text_field(c, t, tpos, K(c, "metricNamespace"), 1, 255, ":*$", NULL,
                           &d->metric_namespace);
  if (!rc)
    rc = tw_cfg_text_field(c, t, tpos, K(c, "metricValue"), 1, 100, NULL,
                           " (metricValue is a string: quote the number, e.g. \"1\")",
                           &d->metric_value);
  if (!rc)
    rc = tw_cfg_default_value(c, t, d);
  if (!rc)
    rc = tw_cfg_dimensions(c, t, d);
  if (!rc)
    rc = tw_cfg_unit(c, t, d);
  return rc;
}

/* metricTransformations: a list of exactly one mapping. *t_out is it. */
static int tw_cfg_transformation(tw_cfg_ctx *c, const json_t *f, tw_cfg_pos fpos,
                                 tw_metric_filter_def *d, const json_t **t_out,
                                 tw_cfg_pos *tpos_out) {
  const json_t *list = json_object_get(f, K(c, "metricTransformations"));
  if (!list)
    return tw_cfg_fail_missing(c, fpos, K(c, "metricTransformations"));
  if (!json_is_array(list))
    return tw_cfg_fail_type(c, f, K(c, "metricTransformations"), "a list", NULL);
  tw_cfg_pos lpos = tw_cfg_pos_of(c, f, K(c, "metricTransformations"), 0, 0);
  tw_cfg_path_key(c, K(c, "metricTransformations"));
  if (json_array_size(list) != 1)
    return tw_cfg_fail(c, lpos, "must hold exactly 1 transformation, got %zu",
                       json_array_size(list));
  const json_t *t = json_array_get(list, 0);
  tw_cfg_pos tpos = tw_cfg_pos_of(c, list, NULL, 0, 0);
  tw_cfg_path_index(c, 0);
  if (!json_is_object(t))
    return tw_cfg_fail(c, tpos, "expected a mapping, got %s", tw_cfg_type_name(t));
  *t_out = t;
  *tpos_out = tpos.line ? tpos : lpos;
  return tw_cfg_transform_fields(c, t, *tpos_out, d);
}

static int tw_cfg_compile_pattern(tw_cfg_ctx *c, const json_t *f, tw_metric_filter_def *d,
                                  size_t base) {
  tw_error perr = {0};
  int rc = tw_pattern_compile(d->filter_pattern, strlen(d->filter_pattern), 0, &d->pattern,
                              &perr);
  if (rc == TW_ENOMEM)
    return tw_cfg_nomem(c);
  if (!rc)
    return TW_OK;
  tw_cfg_path_pop(c, base);
  tw_cfg_path_key(c, K(c, "filterPattern"));
  tw_cfg_pos pos = tw_cfg_pos_of(c, f, K(c, "filterPattern"), 0, 0);
  if (perr.column)
    return tw_cfg_fail(c, pos, "column %zu: %s", perr.column, perr.message);
  return tw_cfg_fail(c, pos, "%s", perr.message);
}

/* Report a transformation error at the field that causes it: the value
 * alone, then each dimension alone, is compiled to find it. */
static int tw_cfg_transform_error(tw_cfg_ctx *c, const json_t *t, tw_cfg_pos tpos,
                                  tw_metric_filter_def *d, const tw_error *terr) {
  tw_error e = {0};
  tw_transform *x = NULL;
  const char *key = NULL, *strip = NULL, *msg = terr->message;
  if (tw_transform_compile(d->pattern, d->metric_value, NULL, NULL, 0, 0, &x, &e)) {
    key = K(c, "metricValue");
    strip = "metricValue ";
    msg = e.message;
  }
  tw_transform_free(x);
  const json_t *dims = json_object_get(t, K(c, "dimensions"));
  for (size_t i = 0; !key && i < d->ndims; i++) {
    x = NULL;
    const char *n[1] = {d->dim_names[i]}, *k[1] = {d->dim_tokens[i]};
    int bad = tw_transform_compile(d->pattern, "1", n, k, 1, 0, &x, &e);
    tw_transform_free(x);
    if (bad) {
      tw_cfg_path_key(c, K(c, "dimensions"));
      tw_cfg_path_key(c, d->dim_names[i]);
      msg = e.message;
      strip = "dimension ";
      tw_cfg_pos pos = tw_cfg_pos_of(c, dims, d->dim_names[i], 0, 0);
      if (!strncmp(msg, strip, strlen(strip)))
        msg += strlen(strip);
      return tw_cfg_fail(c, pos, "%s", msg);
    }
  }
  if (key) {
    tw_cfg_path_key(c, key);
    if (!strncmp(msg, strip, strlen(strip)))
      msg += strlen(strip);
  }
  return tw_cfg_fail(c, key ? tw_cfg_pos_of(c, t, key, 0, 0) : tpos, "%s", msg);
}

/* Rules that join fields, then the transformation compile. */
static int tw_cfg_compile_transform(tw_cfg_ctx *c, const json_t *t, tw_cfg_pos tpos,
                                    tw_metric_filter_def *d) {
  if (d->has_default && d->ndims) {
    tw_cfg_path_key(c, K(c, "defaultValue"));
    return tw_cfg_fail(c, tw_cfg_pos_of(c, t, K(c, "defaultValue"), 0, 0),
                       "cannot be set for a metric filter with dimensions");
  }
  tw_pattern_kind kind = tw_pattern_get_kind(d->pattern);
  if (d->ndims && kind != TW_PATTERN_JSON && kind != TW_PATTERN_DELIMITED) {
    tw_cfg_path_key(c, K(c, "dimensions"));
    return tw_cfg_fail(c, tw_cfg_pos_of(c, t, K(c, "dimensions"), 0, 0),
                       "dimensions need a JSON or space-delimited filter pattern");
  }
  tw_error terr = {0};
  int rc = tw_transform_compile(d->pattern, d->metric_value,
                                (const char *const *)d->dim_names,
                                (const char *const *)d->dim_tokens, d->ndims, d->has_default,
                                &d->transform, &terr);
  if (rc == TW_ENOMEM)
    return tw_cfg_nomem(c);
  return rc ? tw_cfg_transform_error(c, t, tpos, d, &terr) : TW_OK;
}

int tw_cfg_filter_build(tw_cfg_ctx *c, const json_t *f, tw_cfg_pos fpos,
                        tw_metric_filter_def **out) {
  if (!json_is_object(f))
    return tw_cfg_fail(c, fpos, "expected a mapping (a metric filter), got %s",
                       tw_cfg_type_name(f));
  int rc = tw_cfg_check_keys(c, f, c->pascal ? tw_filter_keys_cfn : tw_filter_keys, 4,
                             "a metric filter");
  if (rc)
    return rc;
  tw_metric_filter_def *d = calloc(1, sizeof *d);
  if (!d)
    return tw_cfg_nomem(c);
  size_t base = c->plen;
  const json_t *t = NULL;
  tw_cfg_pos tpos = fpos;
  rc = tw_cfg_filter_names(c, f, fpos, d);
  if (!rc)
    rc = tw_cfg_compile_pattern(c, f, d, base);
  if (!rc)
    rc = tw_cfg_transformation(c, f, fpos, d, &t, &tpos);
  if (!rc)
    rc = tw_cfg_compile_transform(c, t, tpos, d);
  if (!rc) {
    tw_cfg_path_pop(c, base);
    d->origin = tw_cfg_origin(c, fpos);
    if (!d->origin)
      rc = tw_cfg_nomem(c);
  }
  if (rc) {
    tw_cfg_filter_free(d);
    return rc;
  }
  *out = d;
  return TW_OK;
}
