/*
 * config_cfn.c — a CloudFormation template as a trailwatch configuration.
 *
 * A document with a top-level Resources or AWSTemplateFormatVersion is a
 * template. Its resources of three kinds become configuration items, with
 * intrinsic functions resolved first (config_cfn_fn.c):
 *
 *   AWS::Logs::MetricFilter  -> a metric filter (FilterName defaults to the
 *       logical id; Dimensions [{Key, Value}]); checked by config_filter.c
 *       with the CloudFormation spelling of the fields;
 *   AWS::CloudWatch::Alarm   -> an alarm (AlarmName defaults to the logical
 *       id; numeric text such as Period: '300' is read as a number, as
 *       CloudFormation does); checked by config_alarm.c;
 *   AWS::SNS::Topic (+ its Subscription list and AWS::SNS::Subscription
 *       resources) -> the target of the topic's ARN: http/https endpoints
 *       become webhooks, email/email-json e-mail deliveries. Other
 *       protocols (lambda, sqs, ...) cannot be delivered: the problem is
 *       kept and reported by tw_config_finish only if an alarm uses the
 *       topic and no `targets:` entry for its ARN is loaded.
 *
 * Every other resource is ignored (templates hold many), except as the
 * target of a Ref or Fn::GetAtt. Errors name the resource and property:
 * "t.yaml:12:9: Resources.RootAlarm.Properties.Period: ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_cfn.h"

static const char *const tw_cfn_top_keys[] = {
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
    "Conditions", "Transform", "Resources", "Outputs", NULL};

static const char *const tw_cfn_param_keys[] = {
    "Type",      "Default",   "AllowedValues", "AllowedPattern", "ConstraintDescription",
    "Description", "MaxLength", "MaxValue",    "MinLength",      "MinValue",
    "NoEcho",    NULL};

static const char *const tw_cfn_res_keys[] = {
    "Type",         "Properties",   "DependsOn",      "Condition", "DeletionPolicy",
    "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "Metadata", NULL};

int tw_cfg_is_template(const json_t *root) {
  return json_object_get(root, "Resources") || json_object_get(root, "AWSTemplateFormatVersion");
}

/* Set the path to Resources.<id>[.Properties]. */
static void tw_cfn_path(tw_cfg_ctx *c, const tw_cfn_res *r, int props) {
  tw_cfg_path_pop(c, 0);
  tw_cfg_path_key(c, "Resources");
  tw_cfg_path_key(c, r->id);
  if (props)
    tw_cfg_path_key(c, "Properties");
}

/* A shallow copy of container *v (positions copied) replacing *v. */
static int tw_cfn_own(tw_cfg_ctx *c, json_t **v) {
  size_t n = json_is_array(*v) ? json_array_size(*v) : json_object_size(*v);
  json_t **kids = calloc(n ? n : 1, sizeof *kids), *copy = NULL;
  if (!kids)
    return tw_cfg_nomem(c);
  size_t i = 0;
  if (json_is_array(*v)) {
    for (; i < n; i++)
      kids[i] = json_incref(json_array_get(*v, i));
  } else {
    const char *key;
    json_t *k;
    json_object_foreach(*v, key, k) kids[i++] = json_incref(k);
  }
  int rc = tw_cfn_rebuild(c, *v, kids, &copy);
  for (i = 0; i < n; i++)
    json_decref(kids[i]);
  free(kids);
  if (rc)
    return rc;
  json_decref(*v);
  *v = copy;
  return TW_OK;
}

/* Member key of obj (owned) replaced by an owned copy when it is a
 * container; NULL when absent or not a container. */
static json_t *tw_cfn_own_member(tw_cfg_ctx *c, json_t *obj, const char *key, int *rc) {
  json_t *v = json_object_get(obj, key);
  if (!json_is_object(v) && !json_is_array(v))
    return NULL;
  json_incref(v);
  if ((*rc = tw_cfn_own(c, &v)))
    return NULL;
  if (json_object_set_new_nocheck(obj, key, v)) {
    *rc = tw_cfg_nomem(c);
    return NULL;
  }
  return v;
}

/* Item i of list (owned) replaced by an owned copy when it is a mapping. */
static json_t *tw_cfn_own_item(tw_cfg_ctx *c, json_t *list, size_t i, int *rc) {
  json_t *v = json_array_get(list, i);
  if (!json_is_object(v))
    return NULL;
  json_incref(v);
  if ((*rc = tw_cfn_own(c, &v)))
    return NULL;
  if (json_array_set_new(list, i, v)) {
    *rc = tw_cfg_nomem(c);
    return NULL;
  }
  return v;
}

/* Only the members keys (NULL-terminated) of p, resolved. */
static int tw_cfn_props_subset(tw_cfn *t, const json_t *p, const char *const *keys,
                               json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  json_t *o = json_object();
  int rc = o ? TW_OK : tw_cfg_nomem(c);
  for (size_t i = 0; !rc && keys[i]; i++) {
    const json_t *v = json_object_get(p, keys[i]);
    json_t *r = NULL;
    if (!v)
      continue;
    size_t old = tw_cfg_path_key(c, keys[i]);
    rc = tw_cfn_resolve(t, v, tw_cfg_pos_of(c, p, keys[i], 0, 0), &r);
    if (!rc && r && tw_cfg_posmap_copy(c->pm, o, keys[i], p, keys[i], 0)) {
      json_decref(r);
      rc = tw_cfg_nomem(c);
    } else if (!rc && r && json_object_set_new(o, keys[i], r)) {
      rc = tw_cfg_nomem(c);
    }
    if (!rc)
      tw_cfg_path_pop(c, old);
  }
  if (rc) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return TW_OK;
}

/* The resolved, owned Properties of r (an empty mapping when absent and
 * optional): all of them, or only keys when not NULL (the others may use
 * functions trailwatch does not resolve). The path is left at
 * Resources.<id>.Properties. */
static int tw_cfn_props(tw_cfn *t, tw_cfn_res *r, int required, const char *const *keys,
                        json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  tw_cfn_path(c, r, 0);
  int rc = tw_cfg_check_keys(c, r->node, tw_cfn_res_keys, 4, "a resource");
  if (rc)
    return rc;
  if (tw_cfg_member(r->node, "Condition")) {
    tw_cfg_path_key(c, "Condition");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, r->node, "Condition", 0, 0),
                       "conditions are not supported: trailwatch cannot tell whether the "
                       "resource would be created");
  }
  const json_t *p = tw_cfg_member(r->node, "Properties");
  if (!p && required)
    return tw_cfg_fail_missing(c, r->pos, "Properties");
  if (p && !json_is_object(p))
    return tw_cfg_fail_type(c, r->node, "Properties", "a mapping", NULL);
  tw_cfg_path_key(c, "Properties");
  if (!p)
    return (*out = json_object()) ? TW_OK : tw_cfg_nomem(c);
  if (keys)
    return tw_cfn_props_subset(t, p, keys, out);
  rc = tw_cfn_resolve(t, p, tw_cfg_pos_of(c, r->node, "Properties", 0, 0), out);
  if (!rc && !json_is_object(*out)) {
    const char *type = *out ? tw_cfg_type_name(*out) : "nothing";
    json_decref(*out);
    *out = NULL;
    return tw_cfg_fail(c, tw_cfg_pos_of(c, r->node, "Properties", 0, 0),
                       "expected a mapping, got %s", type);
  }
  return rc ? rc : tw_cfn_own(c, out);
}

/* Name property key defaults to the logical id. */
static int tw_cfn_default_name(tw_cfg_ctx *c, tw_cfn_res *r, json_t *props, const char *key) {
  if (tw_cfg_member(props, key))
    return TW_OK;
  if (tw_cfg_posmap_add(c->pm, props, key, r->pos, r->pos) ||
      json_object_set_new(props, key, json_string(r->id)))
    return tw_cfg_nomem(c);
  return TW_OK;
}

/* ---- AWS::Logs::MetricFilter ---- */

/* Dimensions [{Key, Value}] -> {Key: Value} for the filter checker. */
static int tw_cfn_dimensions(tw_cfg_ctx *c, json_t *tr) {
  const json_t *list = tw_cfg_member(tr, "Dimensions");
  if (!list)
    return TW_OK;
  if (!json_is_array(list))
    return tw_cfg_fail_type(c, tr, "Dimensions", "a list of {Key, Value}", NULL);
  json_t *m = json_object();
  if (!m)
    return tw_cfg_nomem(c);
  size_t old = tw_cfg_path_key(c, "Dimensions");
  int rc = TW_OK;
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    const json_t *d = json_array_get(list, i);
    const json_t *k = json_object_get(d, "Key"), *v = json_object_get(d, "Value");
    size_t base = tw_cfg_path_index(c, i);
    tw_cfg_pos pos = tw_cfg_pos_of(c, list, NULL, i, 0);
    if (!json_is_object(d) || json_object_size(d) != 2 || !json_is_string(k) ||
        !json_is_string(v))
      rc = tw_cfg_fail(c, pos, "expected {Key: name, Value: token}");
    else if (json_object_get(m, json_string_value(k)))
      rc = tw_cfg_fail(c, pos, "dimension '%.60s' appears twice", json_string_value(k));
    else if (tw_cfg_posmap_add(c->pm, m, json_string_value(k), tw_cfg_pos_of(c, d, "Key", 0, 0),
                               tw_cfg_pos_of(c, d, "Value", 0, 0)) ||
             json_object_set(m, json_string_value(k), (json_t *)v))
      rc = tw_cfg_nomem(c);
    if (!rc)
      tw_cfg_path_pop(c, base);
  }
  if (!rc && json_object_set_new_nocheck(tr, "Dimensions", m))
    return tw_cfg_nomem(c);
  if (rc)
    json_decref(m);
  else
    tw_cfg_path_pop(c, old);
  return rc;
}

static int tw_cfn_transforms(tw_cfg_ctx *c, json_t *props) {
  int rc = TW_OK;
  json_t *list = tw_cfn_own_member(c, props, "MetricTransformations", &rc);
  if (!json_is_array(list))
    return rc;
  size_t old = tw_cfg_path_key(c, "MetricTransformations");
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    json_t *tr = tw_cfn_own_item(c, list, i, &rc);
    if (!tr)
      continue;
    size_t base = tw_cfg_path_index(c, i);
    if (tw_cfg_coerce(tr, "MetricValue", TW_CFG_STRING) ||
        tw_cfg_coerce(tr, "DefaultValue", TW_CFG_NUMBER))
      rc = tw_cfg_nomem(c);
    if (!rc)
      rc = tw_cfn_dimensions(c, tr);
    if (!rc)
      tw_cfg_path_pop(c, base);
  }
  if (!rc)
    tw_cfg_path_pop(c, old);
  return rc;
}

static int tw_cfn_filter(tw_cfn *t, tw_cfn_res *r) {
  tw_cfg_ctx *c = &t->L->c;
  json_t *props = NULL;
  tw_metric_filter_def *d = NULL;
  int rc = tw_cfn_props(t, r, 1, NULL, &props);
  if (!rc)
    rc = tw_cfn_default_name(c, r, props, "FilterName");
  if (!rc)
    rc = tw_cfn_transforms(c, props);
  if (!rc) {
    c->pascal = 1;
    rc = tw_cfg_filter_build(c, props, r->pos, &d);
    c->pascal = 0;
  }
  if (!rc)
    rc = tw_cfg_stage_filter(t->L, d);
  json_decref(props);
  return rc;
}

/* ---- AWS::CloudWatch::Alarm ---- */

/* CloudFormation reads numeric text as numbers; so does trailwatch. */
static int tw_cfn_alarm_coerce(tw_cfg_ctx *c, json_t *props) {
  static const char *const keys[] = {"Period", "EvaluationPeriods", "DatapointsToAlarm",
                                     "Threshold", "ActionsEnabled"};
  static const tw_cfg_kind kinds[] = {TW_CFG_INT, TW_CFG_INT, TW_CFG_INT, TW_CFG_NUMBER,
                                      TW_CFG_BOOL};
  for (size_t k = 0; k < 5; k++)
    if (tw_cfg_coerce(props, keys[k], kinds[k]))
      return tw_cfg_nomem(c);
  int rc = TW_OK;
  json_t *list = tw_cfn_own_member(c, props, "Metrics", &rc);
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    json_t *q = tw_cfn_own_item(c, list, i, &rc);
    json_t *ms = q ? tw_cfn_own_member(c, q, "MetricStat", &rc) : NULL;
    if (!rc && q &&
        (tw_cfg_coerce(q, "Period", TW_CFG_INT) || tw_cfg_coerce(q, "ReturnData", TW_CFG_BOOL) ||
         (ms && tw_cfg_coerce(ms, "Period", TW_CFG_INT))))
      rc = tw_cfg_nomem(c);
  }
  return rc;
}

static int tw_cfn_alarm(tw_cfn *t, tw_cfn_res *r) {
  tw_cfg_ctx *c = &t->L->c;
  json_t *props = NULL;
  tw_cfg_alarm *al = NULL;
  int rc = tw_cfn_props(t, r, 1, NULL, &props);
  if (!rc)
    rc = tw_cfn_default_name(c, r, props, "AlarmName");
  if (!rc)
    rc = tw_cfn_alarm_coerce(c, props);
  if (!rc)
    rc = tw_cfg_alarm_build(c, props, r->pos, &al);
  if (!rc)
    rc = tw_cfg_stage_alarm(t->L, al, tw_cfg_pos_of(c, props, "AlarmName", 0, 0));
  json_decref(props);
  return rc;
}

/* ---- AWS::SNS::Topic and AWS::SNS::Subscription ---- */

/* The delivery object for an http(s)/email subscription s. */
static int tw_cfn_delivery(tw_cfg_ctx *c, const json_t *s, const char *proto, const char *ep,
                           json_t **out) {
  int web = !strcmp(proto, "http") || !strcmp(proto, "https");
  size_t plen = strlen(proto);
  if (web && (strncmp(ep, proto, plen) || strncmp(ep + plen, "://", 3))) {
    tw_cfg_path_key(c, "Endpoint");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, s, "Endpoint", 0, 0),
                       "an %s subscription needs an %s:// URL", proto, proto);
  }
  json_t *d = json_pack("{s:s, s:s}", "type", web ? "webhook" : "email", web ? "url" : "to", ep);
  if (!d || tw_cfg_posmap_copy(c->pm, d, "type", s, "Protocol", 0) ||
      tw_cfg_posmap_copy(c->pm, d, web ? "url" : "to", s, "Endpoint", 0)) {
    json_decref(d);
    return tw_cfg_nomem(c);
  }
  *out = d;
  return TW_OK;
}

/* One subscription {Protocol, Endpoint} (resolved, at spos) of target tg. */
static int tw_cfn_subscribe(tw_cfg_ctx *c, tw_cfg_target *tg, const json_t *s, tw_cfg_pos spos) {
  static const char *const undeliverable[] = {"lambda", "sqs", "sms", "application", "firehose",
                                              NULL};
  const char *proto = NULL, *ep = NULL;
  if (!json_is_object(s))
    return tw_cfg_fail(c, spos, "expected a mapping {Protocol, Endpoint}, got %s",
                       tw_cfg_type_name(s));
  int rc = tw_cfg_get_string(c, s, spos, "Protocol", 1, &proto);
  if (!rc)
    rc = tw_cfg_get_string(c, s, spos, "Endpoint", 1, &ep);
  if (rc)
    return rc;
  for (size_t i = 0; undeliverable[i]; i++) {
    if (strcmp(proto, undeliverable[i]))
      continue;
    if (tg->problem)
      return TW_OK;
    size_t old = tw_cfg_path_key(c, "Protocol");
    tg->problem_where = tw_cfg_where(c, tw_cfg_pos_of(c, s, "Protocol", 0, 0));
    tw_cfg_path_pop(c, old);
    char msg[96];
    snprintf(msg, sizeof msg, "trailwatch cannot deliver to an SNS subscription of protocol %s",
             proto);
    tg->problem = strdup(msg);
    return tg->problem && tg->problem_where ? TW_OK : tw_cfg_nomem(c);
  }
  if (strcmp(proto, "http") && strcmp(proto, "https") && strcmp(proto, "email") &&
      strcmp(proto, "email-json")) {
    tw_cfg_path_key(c, "Protocol");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, s, "Protocol", 0, 0),
                       "'%.40s' is not an SNS protocol (http, https, email, email-json, sqs, "
                       "lambda, sms, application, firehose)",
                       proto);
  }
  json_t *d = NULL;
  rc = tw_cfn_delivery(c, s, proto, ep, &d);
  if (!rc)
    rc = tw_cfg_target_add(c, tg, d, spos);
  json_decref(d);
  return rc;
}

static int tw_cfn_topic(tw_cfn *t, tw_cfn_res *r) {
  tw_cfg_ctx *c = &t->L->c;
  json_t *props = NULL;
  char *arn = NULL;
  tw_cfg_target *tg = NULL;
  static const char *const keys[] = {"Subscription", NULL};
  int rc = tw_cfn_props(t, r, 0, keys, &props);
  if (!rc)
    rc = tw_cfn_ref_resource(t, r, r->pos, &arn);
  if (!rc)
    rc = tw_cfg_target_new(c, arn, r->pos, &tg);
  if (!rc)
    tg->def.from_template = 1;
  const json_t *subs = rc ? NULL : tw_cfg_member(props, "Subscription");
  if (subs && !json_is_array(subs))
    rc = tw_cfg_fail_type(c, props, "Subscription", "a list of {Protocol, Endpoint}", NULL);
  size_t base = c->plen;
  for (size_t i = 0; !rc && i < json_array_size(subs); i++) {
    tw_cfg_path_key(c, "Subscription");
    tw_cfg_path_index(c, i);
    rc = tw_cfn_subscribe(c, tg, json_array_get(subs, i), tw_cfg_pos_of(c, subs, NULL, i, 0));
    if (!rc)
      tw_cfg_path_pop(c, base);
  }
  if (!rc) {
    rc = tw_cfg_stage_target(t->L, tg, r->pos);
    tg = NULL;
  }
  tw_cfg_target_free(tg);
  free(arn);
  json_decref(props);
  return rc;
}

static int tw_cfn_subscription(tw_cfn *t, tw_cfn_res *r) {
  tw_cfg_ctx *c = &t->L->c;
  json_t *props = NULL;
  const char *arn = NULL;
  static const char *const keys[] = {"TopicArn", "Protocol", "Endpoint", NULL};
  int rc = tw_cfn_props(t, r, 1, keys, &props);
  if (!rc)
    rc = tw_cfg_get_string(c, props, r->pos, "TopicArn", 1, &arn);
  tw_cfg_target *tg = rc ? NULL : tw_cfg_set_find_target(t->L->stage, arn);
  int fresh = !rc && !tg;
  if (fresh) {
    rc = tw_cfg_target_new(c, arn, r->pos, &tg);
    if (!rc)
      tg->def.from_template = 1;
  }
  if (!rc)
    rc = tw_cfn_subscribe(c, tg, props, r->pos);
  if (fresh && !rc)
    rc = tw_cfg_stage_target(t->L, tg, r->pos);
  else if (fresh)
    tw_cfg_target_free(tg);
  json_decref(props);
  return rc;
}

/* ---- the template ---- */

static int tw_cfn_parameters(tw_cfn *t, const json_t *root) {
  tw_cfg_ctx *c = &t->L->c;
  t->parameters = tw_cfg_member(root, "Parameters");
  if (!t->parameters)
    return TW_OK;
  if (!json_is_object(t->parameters))
    return tw_cfg_fail_type(c, root, "Parameters", "a mapping", NULL);
  tw_cfg_path_key(c, "Parameters");
  const char *name;
  const json_t *decl;
  json_object_foreach((json_t *)t->parameters, name, decl) {
    size_t old = tw_cfg_path_key(c, name);
    tw_cfg_pos pos = tw_cfg_pos_of(c, t->parameters, name, 0, 0);
    if (!json_is_object(decl))
      return tw_cfg_fail(c, pos, "expected a mapping (Type, Default, ...), got %s",
                         tw_cfg_type_name(decl));
    int rc = tw_cfg_check_keys(c, decl, tw_cfn_param_keys, 4, "a template parameter");
    const char *type = NULL;
    if (!rc)
      rc = tw_cfg_get_string(c, decl, pos, "Type", 1, &type);
    if (rc)
      return rc;
    tw_cfg_path_pop(c, old);
  }
  tw_cfg_path_pop(c, 0);
  return TW_OK;
}

static int tw_cfn_resources(tw_cfn *t, const json_t *root) {
  tw_cfg_ctx *c = &t->L->c;
  t->resources = tw_cfg_member(root, "Resources");
  if (!t->resources)
    return tw_cfg_fail(c, tw_cfg_posmap_root(c->pm), "a CloudFormation template needs Resources");
  if (!json_is_object(t->resources))
    return tw_cfg_fail_type(c, root, "Resources", "a mapping (logical id: resource)", NULL);
  if (!(t->res = calloc(json_object_size(t->resources) + 1, sizeof *t->res)) ||
      !(t->index = json_object()))
    return tw_cfg_nomem(c);
  const char *id;
  const json_t *node;
  json_object_foreach((json_t *)t->resources, id, node) {
    if (json_object_set_new(t->index, id, json_integer((json_int_t)t->nres)))
      return tw_cfg_nomem(c);
    tw_cfn_res *r = &t->res[t->nres++];
    r->id = id;
    r->node = node;
    r->pos = tw_cfg_pos_of(c, t->resources, id, 0, 0);
    tw_cfn_path(c, r, 0);
    if (!json_is_object(node))
      return tw_cfg_fail(c, r->pos, "expected a mapping (a resource with a Type), got %s",
                         tw_cfg_type_name(node));
    int rc = tw_cfg_get_string(c, node, r->pos, "Type", 1, &r->type);
    if (rc)
      return rc;
  }
  tw_cfg_path_pop(c, 0);
  return TW_OK;
}

/* Handle every resource of one type, in template order. */
static int tw_cfn_each(tw_cfn *t, const char *type, int (*fn)(tw_cfn *, tw_cfn_res *)) {
  for (size_t i = 0; i < t->nres; i++) {
    if (strcmp(t->res[i].type, type))
      continue;
    int rc = fn(t, &t->res[i]);
    if (rc)
      return rc;
    tw_cfg_path_pop(&t->L->c, 0);
  }
  return TW_OK;
}

int tw_cfg_template_load(tw_cfg_load *L, const json_t *root) {
  tw_cfn t = {.L = L};
  int rc = tw_cfg_check_keys(&L->c, root, tw_cfn_top_keys, 10, "a CloudFormation template");
  if (!rc)
    rc = tw_cfn_parameters(&t, root);
  if (!rc)
    rc = tw_cfn_resources(&t, root);
  if (!rc)
    rc = tw_cfn_each(&t, "AWS::SNS::Topic", tw_cfn_topic);
  if (!rc)
    rc = tw_cfn_each(&t, "AWS::SNS::Subscription", tw_cfn_subscription);
  if (!rc)
    rc = tw_cfn_each(&t, "AWS::Logs::MetricFilter", tw_cfn_filter);
  if (!rc)
    rc = tw_cfn_each(&t, "AWS::CloudWatch::Alarm", tw_cfn_alarm);
  for (size_t i = 0; i < t.nres; i++)
    free(t.res[i].name);
  free(t.res);
  json_decref(t.index);
  return rc;
}
