/*
 * config.h — the configuration loader (internal API, src/config/).
 *
 * A configuration file holds metric filters in the exact PutMetricFilter /
 * `aws logs describe-metric-filters` shape, CloudWatch metric alarms in the
 * PutMetricAlarm / `aws cloudwatch describe-alarms` shape (kept raw for the
 * alarm layer) and notification targets (kept raw). Files are YAML or JSON,
 * detected from their content; several files may be loaded into one
 * tw_config. Metric filters are validated with PutMetricFilter's rules and
 * compiled (pattern + transformation) at load time; every error names
 * FILE:LINE:COL and the field path. The format is documented in
 * docs/config.md.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "trailwatch.h"

typedef struct tw_config tw_config;

typedef struct tw_metric_filter_def {
  char *filter_name, *filter_pattern, *log_group_name;
  char *metric_name, *metric_namespace, *metric_value;
  int has_default;
  double default_value;
  size_t ndims;
  char *dim_names[3], *dim_tokens[3];
  char *unit;              /* NULL when not set (= "None") */
  char *origin;            /* "FILE:LINE:COL" of the filter's entry, for messages */
  tw_pattern *pattern;     /* compiled, owned by the config */
  tw_transform *transform; /* compiled, owned by the config */
} tw_metric_filter_def;

/* The log group a metric filter belongs to when logGroupName is omitted. */
#define TW_CONFIG_DEFAULT_LOG_GROUP "CloudTrail/DefaultLogGroup"

int tw_config_new(tw_config **out);
void tw_config_free(tw_config *cfg);

/* Load one file (YAML or JSON, detected from content, not the name; "-" =
 * stdin, named "<stdin>" in messages) and add its contents; may be called
 * for several files. On error err->message is the full message, e.g.
 * "rules.yaml:12:7: metricFilters[2].filterPattern: column 9: '==' is not an
 * operator: use '='" or "rules.json:3:15: invalid JSON: ...", and TW_EINVAL
 * is returned (TW_EIO when the file cannot be read, TW_ENOMEM); nothing from
 * a file that fails is kept. */
int tw_config_load(tw_config *cfg, const char *path, tw_error *err);

/* Same from memory; name is used in messages. */
int tw_config_load_buffer(tw_config *cfg, const char *name, const char *data, size_t len,
                          tw_error *err);

/* Metric filters in load order (files in load order, entries in file
 * order). Pointers stay valid until tw_config_free. */
size_t tw_config_metric_filter_count(const tw_config *cfg);
const tw_metric_filter_def *tw_config_metric_filter(const tw_config *cfg, size_t i);

/* The raw top-level "MetricAlarms" entries (PutMetricAlarm shape, each a
 * JSON object), concatenated over files, each with its origin
 * ("FILE:LINE:COL"), for the alarm layer to validate. */
size_t tw_config_alarm_count(const tw_config *cfg);
const json_t *tw_config_alarm(const tw_config *cfg, size_t i, const char **origin);

/* The raw top-level "targets" object merged over files (action ARN -> list
 * of deliveries), or NULL when no file had one. */
const json_t *tw_config_targets(const tw_config *cfg);

#endif /* TW_CONFIG_H */
