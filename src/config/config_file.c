/*
 * config_file.c — a trailwatch configuration document: the top-level
 * mapping with metricFilters, MetricAlarms, targets, rules, parameters and
 * defaultAlarmActions (config_defaults.c); CompositeAlarms, NextToken and
 * x-... keys accepted and ignored.
 *
 * The file's parameters are read first; each entry of the other sections
 * then has ${Name} substituted (config_param.c) before it is validated and
 * staged: filters compiled (config_filter.c), alarms parsed
 * (config_alarm.c), targets and rules checked (config_target.c,
 * config_rule.c). A whole-value "${Name}" in a field that takes a number or
 * a boolean (Period, Threshold, defaultValue, ActionsEnabled, ...) becomes
 * one when the parameter's text reads as one.
 */
#include <string.h>

#include "config/config_internal.h"

static const char *const tw_top_keys[] = {"metricFilters",   "MetricAlarms", "targets",
                                          "rules",           "parameters",
                                          "defaultAlarmActions",
                                          "CompositeAlarms", "NextToken",    "nextToken",
                                          "x-*",             NULL};

/* A top-level member that must be a list (NULL when absent). */
static int tw_cfg_section(tw_cfg_ctx *c, const json_t *root, const char *key, int want_list,
                          const json_t **out) {
  *out = tw_cfg_member(root, key);
  if (*out && want_list && !json_is_array(*out))
    return tw_cfg_fail_type(c, root, key, "a list", NULL);
  return TW_OK;
}

/* Typed fields of a metric transformation fed by a parameter. */
static int tw_cfg_filter_coerce(const json_t *orig, json_t *copy) {
  const json_t *ol = json_object_get(orig, "metricTransformations");
  json_t *nl = json_object_get(copy, "metricTransformations");
  json_t *ot = json_array_get(ol, 0), *nt = json_array_get(nl, 0);
  if (!json_is_object(ot) || !json_is_object(nt) || ot == nt)
    return TW_OK;
  return tw_cfg_coerce_param(ot, nt, "defaultValue", TW_CFG_NUMBER);
}

static int tw_cfg_file_filters(tw_cfg_load *L, const json_t *root) {
  tw_cfg_ctx *c = &L->c;
  const json_t *list = NULL;
  int rc = tw_cfg_section(c, root, "metricFilters", 1, &list);
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    const json_t *f = json_array_get(list, i);
    tw_cfg_pos pos = tw_cfg_pos_of(c, list, NULL, i, 0);
    tw_cfg_path_key(c, "metricFilters");
    tw_cfg_path_index(c, i);
    json_t *fs = NULL;
    tw_metric_filter_def *d = NULL;
    rc = tw_cfg_subst(c, &L->params, f, pos, &fs);
    if (!rc && fs != f && json_is_object(fs) && tw_cfg_filter_coerce(f, fs))
      rc = tw_cfg_nomem(c);
    if (!rc)
      rc = tw_cfg_filter_build(c, fs, pos, &d);
    if (!rc)
      rc = tw_cfg_stage_filter(L, d);
    json_decref(fs);
    if (!rc)
      tw_cfg_path_pop(c, 0);
  }
  return rc;
}

/* Fields of PutMetricAlarm that take a number or a boolean. */
static int tw_cfg_alarm_coerce(const json_t *orig, json_t *copy) {
  static const char *const keys[] = {"Period", "EvaluationPeriods", "DatapointsToAlarm",
                                     "Threshold", "ActionsEnabled"};
  static const tw_cfg_kind kinds[] = {TW_CFG_INT, TW_CFG_INT, TW_CFG_INT, TW_CFG_NUMBER,
                                      TW_CFG_BOOL};
  for (size_t k = 0; k < 5; k++)
    if (tw_cfg_coerce_param(orig, copy, keys[k], kinds[k]))
      return TW_ENOMEM;
  return TW_OK;
}

/* Where a duplicate AlarmName is reported: its value, else the entry. */
static tw_cfg_pos tw_cfg_alarm_name_pos(const tw_cfg_ctx *c, const json_t *a, tw_cfg_pos apos) {
  tw_cfg_pos p = tw_cfg_pos_of(c, a, "AlarmName", 0, 0);
  return p.line ? p : apos;
}

static int tw_cfg_file_alarms(tw_cfg_load *L, const json_t *root) {
  tw_cfg_ctx *c = &L->c;
  const json_t *list = NULL;
  int rc = tw_cfg_section(c, root, "MetricAlarms", 1, &list);
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    const json_t *a = json_array_get(list, i);
    tw_cfg_pos pos = tw_cfg_pos_of(c, list, NULL, i, 0);
    tw_cfg_path_key(c, "MetricAlarms");
    tw_cfg_path_index(c, i);
    json_t *as = NULL;
    tw_cfg_alarm *al = NULL;
    rc = tw_cfg_subst(c, &L->params, a, pos, &as);
    if (!rc && as != a && json_is_object(as) && tw_cfg_alarm_coerce(a, as))
      rc = tw_cfg_nomem(c);
    if (!rc)
      rc = tw_cfg_alarm_build(c, as, pos, &al);
    if (!rc)
      rc = tw_cfg_stage_alarm(L, al, tw_cfg_alarm_name_pos(c, as, pos));
    json_decref(as);
    if (!rc)
      tw_cfg_path_pop(c, 0);
  }
  return rc;
}

/* One `targets:` member: arn (as written) -> v. */
static int tw_cfg_file_target(tw_cfg_load *L, const json_t *t, const char *arn,
                              const json_t *v) {
  tw_cfg_ctx *c = &L->c;
  if (!json_is_array(v))
    return tw_cfg_fail_type(c, t, arn, "a list of deliveries", NULL);
  tw_cfg_pos kpos = tw_cfg_pos_of(c, t, arn, 0, 1);
  size_t old = tw_cfg_path_key(c, arn);
  char *sarn = NULL;
  json_t *sv = NULL;
  tw_cfg_target *tg = NULL;
  int rc = tw_cfg_subst_text(c, &L->params, arn, kpos, &sarn);
  if (!rc)
    rc = tw_cfg_subst(c, &L->params, v, tw_cfg_pos_of(c, t, arn, 0, 0), &sv);
  if (!rc)
    rc = tw_cfg_target_build(c, sarn, sv, kpos, &tg);
  if (!rc)
    rc = tw_cfg_stage_target(L, tg, kpos);
  free(sarn);
  json_decref(sv);
  if (!rc)
    tw_cfg_path_pop(c, old);
  return rc;
}

static int tw_cfg_file_targets(tw_cfg_load *L, const json_t *root) {
  tw_cfg_ctx *c = &L->c;
  const json_t *t = tw_cfg_member(root, "targets");
  if (!t)
    return TW_OK;
  if (!json_is_object(t))
    return tw_cfg_fail_type(c, root, "targets", "a mapping (action ARN: list of deliveries)",
                            NULL);
  size_t old = tw_cfg_path_key(c, "targets");
  const char *arn;
  const json_t *v;
  json_object_foreach((json_t *)t, arn, v) {
    int rc = tw_cfg_file_target(L, t, arn, v);
    if (rc)
      return rc;
  }
  tw_cfg_path_pop(c, old);
  return TW_OK;
}

static int tw_cfg_file_rules(tw_cfg_load *L, const json_t *root) {
  tw_cfg_ctx *c = &L->c;
  const json_t *list = NULL;
  int rc = tw_cfg_section(c, root, "rules", 1, &list);
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    const json_t *r = json_array_get(list, i);
    tw_cfg_pos pos = tw_cfg_pos_of(c, list, NULL, i, 0);
    tw_cfg_path_key(c, "rules");
    tw_cfg_path_index(c, i);
    json_t *rs = NULL;
    tw_cfg_rule *ru = NULL;
    rc = tw_cfg_subst(c, &L->params, r, pos, &rs);
    if (!rc)
      rc = tw_cfg_rule_build(c, rs, pos, &ru);
    tw_cfg_pos npos = rc ? pos : tw_cfg_pos_of(c, rs, "name", 0, 0);
    if (!rc)
      rc = tw_cfg_stage_rule(L, ru, npos.line ? npos : pos);
    json_decref(rs);
    if (!rc)
      tw_cfg_path_pop(c, 0);
  }
  return rc;
}

int tw_cfg_file_load(tw_cfg_load *L, const json_t *root) {
  tw_cfg_ctx *c = &L->c;
  const char *tag = NULL;
  tw_cfg_pos tpos = tw_cfg_posmap_tag(c->pm, &tag);
  if (tpos.line)
    return tw_cfg_fail(c, tpos,
                       "%s is a CloudFormation tag, but this file is not a CloudFormation "
                       "template (it has no Resources)",
                       tag);
  int rc = tw_cfg_check_keys(c, root, tw_top_keys, 7, "the top-level mapping");
  if (!rc)
    rc = tw_cfg_params_read(c, root, &L->params);
  if (!rc)
    rc = tw_cfg_file_filters(L, root);
  if (!rc)
    rc = tw_cfg_file_alarms(L, root);
  if (!rc)
    rc = tw_cfg_defaults_read(L, root);
  if (!rc)
    rc = tw_cfg_file_targets(L, root);
  if (!rc)
    rc = tw_cfg_file_rules(L, root);
  return rc;
}
