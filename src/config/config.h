/*
 * config.h — the configuration loader (internal API, src/config/).
 *
 * A configuration file holds metric filters in the exact PutMetricFilter /
 * `aws logs describe-metric-filters` shape, CloudWatch metric alarms in the
 * PutMetricAlarm / `aws cloudwatch describe-alarms` shape, notification
 * targets (action ARN -> deliveries), rule-pack metadata (`rules:`),
 * parameter defaults (`parameters:`, used as ${Name} in string values) and
 * the actions of alarms that name none (`defaultAlarmActions:`). A
 * CloudFormation template holding AWS::Logs::MetricFilter,
 * AWS::CloudWatch::Alarm and AWS::SNS::Topic / Subscription resources is
 * accepted too (Ref, Fn::Sub, Fn::GetAtt and Fn::Join are resolved). Files
 * are YAML or JSON, detected from their content; several files may be
 * loaded into one tw_config, then tw_config_finish checks the references
 * between them. Filters are compiled (pattern + transformation) and alarms
 * parsed (tw_alarm_parse_ex) at load time; every error names FILE:LINE:COL
 * and the field path. The format is documented in docs/config.md.
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

/* One way of delivering an alarm notification (docs/config.md, targets).
 * Same order as tw_delivery_type of src/notify/notify.h. */
typedef enum tw_target_type {
  TW_TARGET_WEBHOOK = 0, /* HTTP(S) POST of the message */
  TW_TARGET_COMMAND = 1, /* run argv, message JSON on stdin (like a Lambda) */
  TW_TARGET_FILE = 2,    /* append one NDJSON line to path */
  TW_TARGET_STDOUT = 3,  /* print one NDJSON line */
  TW_TARGET_EMAIL = 4    /* mail to the addresses in to[] */
} tw_target_type;

typedef enum tw_webhook_format {
  TW_WEBHOOK_JSON = 0, /* the SNS message JSON as the body */
  TW_WEBHOOK_SLACK = 1 /* a Slack incoming-webhook payload */
} tw_webhook_format;

typedef struct tw_delivery_header {
  char *name, *value;
} tw_delivery_header;

/* Fields not used by a type are NULL / 0. */
typedef struct tw_delivery_def {
  tw_target_type type;
  const char *type_name;      /* "webhook", "command", "file", "stdout", "email" */
  char *url, *secret;         /* webhook: url (http/https), secret (may be NULL) */
  tw_webhook_format format;   /* webhook */
  tw_delivery_header *headers; /* webhook, in file order */
  char **header_lines;        /* the same as "Name: value", nheaders + NULL */
  size_t nheaders;
  int insecure;               /* webhook: skip TLS certificate checks */
  long timeout_ms;            /* webhook, command, email: 0 = not set (notifier default) */
  char **argv;                /* command: argc strings + NULL */
  size_t argc;
  char *path;                 /* file */
  int fsync;                  /* file: fsync after each line */
  char **to;                  /* email: nto addresses + NULL */
  size_t nto;
  char *from, *subject_prefix; /* email, may be NULL */
  char *sendmail;             /* email: the sendmail program, may be NULL */
  char *origin;               /* "FILE:LINE:COL" of the delivery */
} tw_delivery_def;

/* The deliveries for one action ARN. */
typedef struct tw_target_def {
  char *arn;
  tw_delivery_def *deliveries;
  size_t ndeliveries;
  char *origin;       /* "FILE:LINE:COL" of the targets: key or of the topic */
  int from_template;  /* 1 when built from an AWS::SNS::Topic's subscriptions */
} tw_target_def;

typedef enum tw_rule_severity {
  TW_SEVERITY_INFO = 0,
  TW_SEVERITY_LOW = 1,
  TW_SEVERITY_MEDIUM = 2,
  TW_SEVERITY_HIGH = 3,
  TW_SEVERITY_CRITICAL = 4
} tw_rule_severity;

/* One entry of a rule pack's `rules:` list. */
typedef struct tw_rule_def {
  char *name, *description;
  tw_rule_severity severity;
  const char *severity_name; /* "info" ... "critical" */
  char *filter_name;         /* a loaded metric filter's filterName */
  char *alarm_name;          /* a loaded alarm's AlarmName, or NULL */
  char *origin;              /* "FILE:LINE:COL" of the entry */
} tw_rule_def;

int tw_config_new(tw_config **out);
void tw_config_free(tw_config *cfg);

/* Set a parameter before loading (from --parameter NAME=VALUE): it
 * overrides the defaults of `parameters:` in trailwatch files and of a
 * template's Parameters, and sets pseudo parameters such as AWS::Region.
 * name: 1-255 characters from A-Z a-z 0-9 _ . - : ; setting a name again
 * replaces its value. TW_EINVAL for a bad name or a NULL value. */
int tw_config_set_parameter(tw_config *cfg, const char *name, const char *value);

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

/* Complete and check what only the whole configuration can say, after the
 * last load. First every alarm without an AlarmActions member (absent or
 * null; an explicit [] is kept) gets the defaultAlarmActions of the one
 * file that gives them, in its JSON (tw_config_alarm), its compiled alarm
 * (tw_config_alarm_compiled) and its action references; the JSON and
 * alarm it had before stay valid (unchanged) until tw_config_free. Then:
 * every action ARN of every alarm has a target (and a target built from a
 * template topic can deliver), every rule's filterName and AlarmName exist.
 * TW_EINVAL with the first problem in load order, e.g.
 * "a.yaml:9:9: MetricAlarms[0].AlarmActions[0]: no target for arn:...
 * (add it under targets:)", or for a default action
 * "t.yaml:1:23: defaultAlarmActions[0]: no target for arn:...". May be
 * called again after more loads: an alarm is given the defaults once. */
int tw_config_finish(tw_config *cfg, tw_error *err);

/* What a command line names (config_sources.c): --parameter K=V values,
 * --rules values (comma-separated pack names, NAME.yaml in the rules
 * directory: $TRAILWATCH_RULES, else rules_dir, else ./rules) and --config
 * files. tw_config_load_sources loads them in that order into a new
 * config and finishes it; on error nothing is returned and err says why
 * (TW_EINVAL for bad input, TW_ENOMEM). */
typedef struct tw_config_sources {
  const char *const *params;
  size_t nparams;
  const char *const *rules;
  size_t nrules;
  const char *const *configs;
  size_t nconfigs;
  const char *rules_dir;
} tw_config_sources;

int tw_config_load_sources(const tw_config_sources *s, tw_config **out, tw_error *err);
/* "rules:seed,a.yaml" for logs; TW_ELIMIT when cut to cap. */
int tw_config_sources_describe(const tw_config_sources *s, char *buf, size_t cap);

/* Metric filters in load order (files in load order, entries in file
 * order). Pointers stay valid until tw_config_free. */
size_t tw_config_metric_filter_count(const tw_config *cfg);
const tw_metric_filter_def *tw_config_metric_filter(const tw_config *cfg, size_t i);

/* Alarms in load order: the PutMetricAlarm JSON object (after parameter
 * substitution; for a template, built from the resource's Properties) with
 * its origin ("FILE:LINE:COL"), and the alarm parsed from it (owned by the
 * config). */
size_t tw_config_alarm_count(const tw_config *cfg);
const json_t *tw_config_alarm(const tw_config *cfg, size_t i, const char **origin);
tw_alarm *tw_config_alarm_compiled(const tw_config *cfg, size_t i);

/* Targets in load order (a template topic's target is replaced by a
 * `targets:` entry for the same ARN from any file). */
size_t tw_config_target_count(const tw_config *cfg);
const tw_target_def *tw_config_target(const tw_config *cfg, size_t i);
/* The target of an action ARN, or NULL. */
const tw_target_def *tw_config_target_find(const tw_config *cfg, const char *arn);

/* The same targets as JSON (action ARN -> list of delivery objects as
 * written in `targets:`), or NULL when there are none. */
const json_t *tw_config_targets(const tw_config *cfg);

/* One delivery object as written in `targets:` (a JSON object), validated
 * exactly as a configuration load does; name starts the messages ("outbox
 * row 12: url: ..."). On success *out owns its strings (free them with
 * tw_config_delivery_clear); on failure *out is empty and err says why
 * (TW_EINVAL, TW_ENOMEM). */
int tw_config_delivery_parse(const json_t *d, const char *name, tw_delivery_def *out,
                             tw_error *err);
void tw_config_delivery_clear(tw_delivery_def *d);

/* The src/notify/ form of a delivery (struct tw_delivery of notify.h):
 * plain pointers into d, which must outlive *out. */
struct tw_delivery;
void tw_config_delivery_to_notify(const tw_delivery_def *d, struct tw_delivery *out);

/* Rule-pack entries in load order. */
size_t tw_config_rule_count(const tw_config *cfg);
const tw_rule_def *tw_config_rule(const tw_config *cfg, size_t i);

#endif /* TW_CONFIG_H */
