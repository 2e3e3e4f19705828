/*
 * config_cfn_fn.c — CloudFormation intrinsic functions, resolved offline.
 *
 * Supported: Ref (template parameters, pseudo parameters, resources),
 * Fn::Sub (string and [string, {name: value}] forms, ${!Literal}),
 * Fn::GetAtt ([resource, attribute] and "resource.attribute") and Fn::Join.
 * Any other function is an error naming the resource and the property.
 * Template parameters take their value from tw_config_set_parameter, else
 * their Default (AllowedValues and Number are checked; list types give a
 * list). Pseudo parameters have fixed defaults (AWS::Region us-east-1,
 * AWS::AccountId 123456789012, AWS::StackName trailwatch; AWS::Partition
 * and AWS::URLSuffix follow the region) and can be set the same way.
 * A resource's Ref / GetAtt values come from a table of the types alarms
 * and filters usually point at; the physical name is the name property
 * when the template sets it, else the logical id. Names are resolved once;
 * a name that depends on itself is a circular reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_cfn.h"
#include "util/util.h"

#define TW_CFN_MAX_CHAIN 64 /* resources whose names depend on each other */

typedef struct tw_cfn_attr {
  const char *name, *fmt;
} tw_cfn_attr;

/* {P} partition, {R} region, {A} account, {U} URL suffix, {N} name. */
typedef struct tw_cfn_kind {
  const char *type, *name_prop, *ref_fmt;
  tw_cfn_attr attrs[3];
} tw_cfn_kind;

static const tw_cfn_kind tw_cfn_kinds[] = {
    {"AWS::SNS::Topic",
     "TopicName",
     "arn:{P}:sns:{R}:{A}:{N}",
     {{"TopicArn", "arn:{P}:sns:{R}:{A}:{N}"}, {"TopicName", "{N}"}}},
    {"AWS::CloudWatch::Alarm", "AlarmName", "{N}", {{"Arn", "arn:{P}:cloudwatch:{R}:{A}:alarm:{N}"}}},
    {"AWS::Logs::LogGroup", "LogGroupName", "{N}", {{"Arn", "arn:{P}:logs:{R}:{A}:log-group:{N}:*"}}},
    {"AWS::Logs::MetricFilter", "FilterName", "{N}", {{NULL, NULL}}},
    {"AWS::Lambda::Function", "FunctionName", "{N}", {{"Arn", "arn:{P}:lambda:{R}:{A}:function:{N}"}}},
    {"AWS::SQS::Queue",
     "QueueName",
     "https://sqs.{R}.{U}/{A}/{N}",
     {{"Arn", "arn:{P}:sqs:{R}:{A}:{N}"},
      {"QueueName", "{N}"},
      {"QueueUrl", "https://sqs.{R}.{U}/{A}/{N}"}}},
    {"AWS::IAM::Role", "RoleName", "{N}", {{"Arn", "arn:{P}:iam::{A}:role/{N}"}}},
    {"AWS::IAM::User", "UserName", "{N}", {{"Arn", "arn:{P}:iam::{A}:user/{N}"}}},
    {"AWS::S3::Bucket", "BucketName", "{N}", {{"Arn", "arn:{P}:s3:::{N}"}}},
    {"AWS::CloudTrail::Trail", "TrailName", "{N}", {{"Arn", "arn:{P}:cloudtrail:{R}:{A}:trail/{N}"}}},
};

static const tw_cfn_kind *tw_cfn_kind_of(const char *type) {
  for (size_t i = 0; i < sizeof tw_cfn_kinds / sizeof tw_cfn_kinds[0]; i++)
    if (!strcmp(tw_cfn_kinds[i].type, type))
      return &tw_cfn_kinds[i];
  return NULL;
}

tw_cfn_res *tw_cfn_find(const tw_cfn *t, const char *id) {
  const json_t *i = json_object_get(t->index, id);
  return i ? &t->res[json_integer_value(i)] : NULL;
}

/* ---- pseudo parameters ---- */

static const char *tw_cfn_set(const tw_cfn *t, const char *name) {
  return json_string_value(json_object_get(t->L->params.set, name));
}

static const char *tw_cfn_region(const tw_cfn *t) {
  const char *r = tw_cfn_set(t, "AWS::Region");
  return r ? r : "us-east-1";
}

static const char *tw_cfn_partition(const tw_cfn *t) {
  const char *p = tw_cfn_set(t, "AWS::Partition"), *r = tw_cfn_region(t);
  if (p)
    return p;
  return !strncmp(r, "cn-", 3) ? "aws-cn" : !strncmp(r, "us-gov-", 7) ? "aws-us-gov" : "aws";
}

static const char *tw_cfn_account(const tw_cfn *t) {
  const char *a = tw_cfn_set(t, "AWS::AccountId");
  return a ? a : "123456789012";
}

static const char *tw_cfn_url_suffix(const tw_cfn *t) {
  const char *u = tw_cfn_set(t, "AWS::URLSuffix");
  return u ? u : !strncmp(tw_cfn_region(t), "cn-", 3) ? "amazonaws.com.cn" : "amazonaws.com";
}

static const char *tw_cfn_stack(const tw_cfn *t) {
  const char *s = tw_cfn_set(t, "AWS::StackName");
  return s ? s : "trailwatch";
}

/* Expand a {P}{R}{A}{U}{N} format. */
static char *tw_cfn_expand(const tw_cfn *t, const char *fmt, const char *name) {
  tw_buf b = {0};
  int bad = 0;
  for (const char *p = fmt; *p && !bad; p++) {
    const char *piece = NULL;
    if (p[0] == '{' && p[1] && p[2] == '}') {
      piece = p[1] == 'P' ? tw_cfn_partition(t) : p[1] == 'R' ? tw_cfn_region(t)
              : p[1] == 'A' ? tw_cfn_account(t) : p[1] == 'U' ? tw_cfn_url_suffix(t) : name;
      p += 2;
    }
    bad = piece ? tw_buf_append(&b, piece, strlen(piece)) : tw_buf_append(&b, p, 1);
  }
  if (bad || tw_buf_append(&b, "", 1)) {
    tw_buf_free(&b);
    return NULL;
  }
  return b.data;
}

int tw_cfn_pseudo(const tw_cfn *t, const char *name, json_t **out) {
  static const char *const names[] = {"AWS::Region", "AWS::AccountId", "AWS::Partition",
                                      "AWS::StackName", "AWS::URLSuffix", "AWS::StackId",
                                      "AWS::NoValue", "AWS::NotificationARNs", NULL};
  size_t i = 0;
  while (names[i] && strcmp(names[i], name))
    i++;
  if (!names[i])
    return 0;
  const char *v = tw_cfn_set(t, name);
  *out = NULL;
  if (i == 6)
    return 1;
  if (i == 7 && !v) {
    *out = json_array();
    return 1;
  }
  if (!v) {
    const char *fixed[] = {tw_cfn_region(t), tw_cfn_account(t), tw_cfn_partition(t),
                           tw_cfn_stack(t), tw_cfn_url_suffix(t)};
    if (i < 5) {
      *out = json_string(fixed[i]);
      return 1;
    }
    char *id = tw_cfn_expand(t, "arn:{P}:cloudformation:{R}:{A}:stack/{N}/"
                                "00000000-0000-0000-0000-000000000000", tw_cfn_stack(t));
    *out = id ? json_string(id) : NULL;
    free(id);
    return 1;
  }
  *out = json_string(v);
  return 1;
}

/* ---- template parameters ---- */

/* The text of a scalar (string, number, boolean), malloc'd; NULL else. */
static char *tw_cfn_text(const json_t *v) {
  if (json_is_string(v))
    return strdup(json_string_value(v));
  if (json_is_integer(v)) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
    return strdup(tmp);
  }
  if (json_is_real(v))
    return json_dumps(v, JSON_ENCODE_ANY);
  if (json_is_boolean(v))
    return strdup(json_is_true(v) ? "true" : "false");
  return NULL;
}

static int tw_cfn_allowed(const json_t *allowed, const char *value) {
  if (!json_is_array(allowed))
    return 1;
  for (size_t i = 0; i < json_array_size(allowed); i++) {
    char *a = tw_cfn_text(json_array_get(allowed, i));
    int same = a && !strcmp(a, value);
    free(a);
    if (same)
      return 1;
  }
  return 0;
}

/* "a, b ,c" -> ["a", "b", "c"] (items trimmed). */
static json_t *tw_cfn_split(const char *s) {
  json_t *list = json_array();
  while (list && *s) {
    size_t n = strcspn(s, ",");
    size_t a = 0, z = n;
    while (a < z && s[a] == ' ')
      a++;
    while (z > a && s[z - 1] == ' ')
      z--;
    if (json_array_append_new(list, json_stringn(s + a, z - a))) {
      json_decref(list);
      return NULL;
    }
    s += n + (s[n] == ',');
  }
  return list;
}

static int tw_cfn_param(tw_cfn *t, const char *name, const json_t *decl, tw_cfg_pos pos,
                        json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  const char *set = tw_cfn_set(t, name);
  char *value = set ? strdup(set) : tw_cfn_text(tw_cfg_member(decl, "Default"));
  if (!value && set)
    return tw_cfg_nomem(c);
  if (!value && !tw_cfg_member(decl, "Default"))
    return tw_cfg_fail(c, pos, "template parameter '%s' has no Default: set it with --parameter "
                               "%s=VALUE", name, name);
  if (!value)
    return tw_cfg_fail(c, pos, "template parameter '%s': Default must be a string", name);
  const char *type = json_string_value(json_object_get(decl, "Type"));
  int rc = TW_OK;
  double num;
  char end;
  if (!tw_cfn_allowed(tw_cfg_member(decl, "AllowedValues"), value))
    rc = tw_cfg_fail(c, pos, "template parameter '%s': '%.60s' is not one of its AllowedValues",
                     name, value);
  else if (type && !strcmp(type, "Number") && sscanf(value, "%lf%c", &num, &end) != 1)
    rc = tw_cfg_fail(c, pos, "template parameter '%s' is a Number, got '%.60s'", name, value);
  else if (type && (!strcmp(type, "CommaDelimitedList") || !strncmp(type, "List<", 5)))
    rc = (*out = tw_cfn_split(value)) ? TW_OK : tw_cfg_nomem(c);
  else
    rc = (*out = json_string(value)) ? TW_OK : tw_cfg_nomem(c);
  free(value);
  return rc;
}

/* ---- resources: physical names, Ref, GetAtt ---- */

/* The physical name of r: its name property resolved, else the logical id. */
static int tw_cfn_name(tw_cfn *t, tw_cfn_res *r, tw_cfg_pos pos, const char **out) {
  tw_cfg_ctx *c = &t->L->c;
  if (r->state == 1)
    return tw_cfg_fail(c, pos, "circular reference: the name of resource '%s' depends on itself",
                       r->id);
  if (r->state == 0) {
    const tw_cfn_kind *k = tw_cfn_kind_of(r->type);
    const json_t *props = tw_cfg_member(r->node, "Properties");
    const json_t *v = k && json_is_object(props) ? tw_cfg_member(props, k->name_prop) : NULL;
    json_t *name = NULL;
    int rc = TW_OK;
    if (v && t->depth >= TW_CFN_MAX_CHAIN)
      return tw_cfg_fail(c, pos, "the names of more than %d resources depend on each other",
                         TW_CFN_MAX_CHAIN);
    if (v) {
      char saved[sizeof c->path];
      size_t plen = c->plen;
      memcpy(saved, c->path, sizeof saved);
      tw_cfg_path_pop(c, 0);
      tw_cfg_path_key(c, "Resources");
      tw_cfg_path_key(c, r->id);
      tw_cfg_path_key(c, "Properties");
      tw_cfg_path_key(c, k->name_prop);
      r->state = 1;
      t->depth++;
      rc = tw_cfn_resolve(t, v, tw_cfg_pos_of(c, props, k->name_prop, 0, 0), &name);
      t->depth--;
      if (!rc && !json_is_string(name))
        rc = tw_cfg_fail(c, tw_cfg_pos_of(c, props, k->name_prop, 0, 0),
                         "expected a string, got %s", name ? tw_cfg_type_name(name) : "nothing");
      if (rc) {
        json_decref(name);
        return rc;
      }
      memcpy(c->path, saved, sizeof saved);
      c->plen = plen;
    }
    r->name = strdup(name ? json_string_value(name) : r->id);
    json_decref(name);
    if (!r->name)
      return tw_cfg_nomem(c);
    r->state = 2;
  }
  *out = r->name;
  return TW_OK;
}

int tw_cfn_ref_resource(tw_cfn *t, tw_cfn_res *r, tw_cfg_pos pos, char **out) {
  const tw_cfn_kind *k = tw_cfn_kind_of(r->type);
  if (!k)
    return tw_cfg_fail(&t->L->c, pos,
                       "Ref to resource '%s': trailwatch cannot tell what Ref gives for %s", r->id,
                       r->type);
  const char *name = NULL;
  int rc = tw_cfn_name(t, r, pos, &name);
  if (rc)
    return rc;
  return (*out = tw_cfn_expand(t, k->ref_fmt, name)) ? TW_OK : tw_cfg_nomem(&t->L->c);
}

static int tw_cfn_getatt_of(tw_cfn *t, const char *id, const char *attr, tw_cfg_pos pos,
                            char **out) {
  tw_cfg_ctx *c = &t->L->c;
  tw_cfn_res *r = tw_cfn_find(t, id);
  if (!r)
    return tw_cfg_fail(c, pos, "Fn::GetAtt: no resource named '%s' in the template", id);
  const tw_cfn_kind *k = tw_cfn_kind_of(r->type);
  for (size_t i = 0; k && i < 3 && k->attrs[i].name; i++)
    if (!strcmp(k->attrs[i].name, attr)) {
      const char *name = NULL;
      int rc = tw_cfn_name(t, r, pos, &name);
      if (rc)
        return rc;
      return (*out = tw_cfn_expand(t, k->attrs[i].fmt, name)) ? TW_OK : tw_cfg_nomem(c);
    }
  return tw_cfg_fail(c, pos, "Fn::GetAtt %s.%s: trailwatch cannot tell what this attribute of %s "
                             "is", id, attr, r->type);
}

/* ---- the functions ---- */

static int tw_cfn_ref(tw_cfn *t, const char *name, tw_cfg_pos pos, json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  if (tw_cfn_pseudo(t, name, out))
    return *out || !strcmp(name, "AWS::NoValue") ? TW_OK : tw_cfg_nomem(c);
  const json_t *decl = tw_cfg_member(t->parameters, name);
  if (decl)
    return tw_cfn_param(t, name, decl, pos, out);
  tw_cfn_res *r = tw_cfn_find(t, name);
  if (!r)
    return tw_cfg_fail(c, pos, "Ref to '%s': the template has no parameter or resource of that "
                               "name", name);
  char *s = NULL;
  int rc = tw_cfn_ref_resource(t, r, pos, &s);
  if (!rc && !(*out = json_string(s)))
    rc = tw_cfg_nomem(c);
  free(s);
  return rc;
}

static int tw_cfn_getatt(tw_cfn *t, const json_t *arg, tw_cfg_pos pos, json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  char id[256], attr[256];
  const char *s = json_string_value(arg), *dot = s ? strchr(s, '.') : NULL;
  if (dot && (size_t)(dot - s) < sizeof id && strlen(dot + 1) < sizeof attr) {
    snprintf(id, sizeof id, "%.*s", (int)(dot - s), s);
    snprintf(attr, sizeof attr, "%s", dot + 1);
  } else if (json_is_array(arg) && json_array_size(arg) == 2 &&
             json_is_string(json_array_get(arg, 0)) && json_is_string(json_array_get(arg, 1)) &&
             json_string_length(json_array_get(arg, 0)) < sizeof id &&
             json_string_length(json_array_get(arg, 1)) < sizeof attr) {
    snprintf(id, sizeof id, "%s", json_string_value(json_array_get(arg, 0)));
    snprintf(attr, sizeof attr, "%s", json_string_value(json_array_get(arg, 1)));
  } else {
    return tw_cfg_fail(c, pos, "Fn::GetAtt takes [resource, attribute] or \"resource.attribute\"");
  }
  char *v = NULL;
  int rc = tw_cfn_getatt_of(t, id, attr, pos, &v);
  if (!rc && !(*out = json_string(v)))
    rc = tw_cfg_nomem(c);
  free(v);
  return rc;
}

/* Append the value of ${name} of a Fn::Sub to b. */
static int tw_cfn_sub_var(tw_cfn *t, const json_t *vars, const char *name, tw_cfg_pos pos,
                          tw_buf *b) {
  tw_cfg_ctx *c = &t->L->c;
  json_t *v = NULL;
  char *text = NULL;
  int rc = TW_OK;
  const json_t *given = json_object_get(vars, name);
  const char *dot = strchr(name, '.');
  if (given)
    v = json_incref((json_t *)given);
  else if (dot && strncmp(name, "AWS::", 5)) {
    char id[256];
    snprintf(id, sizeof id, "%.*s", (int)(dot - name < 255 ? dot - name : 255), name);
    rc = tw_cfn_getatt_of(t, id, dot + 1, pos, &text);
  } else {
    rc = tw_cfn_ref(t, name, pos, &v);
  }
  if (!rc && !text && !(text = tw_cfn_text(v)))
    rc = tw_cfg_fail(c, pos, "Fn::Sub: ${%s} is %s, not a string", name,
                     v ? tw_cfg_type_name(v) : "AWS::NoValue");
  if (!rc && tw_buf_append(b, text, strlen(text)))
    rc = tw_cfg_nomem(c);
  free(text);
  json_decref(v);
  return rc;
}

static int tw_cfn_sub_expand(tw_cfn *t, const char *s, const json_t *vars, tw_cfg_pos pos,
                             tw_buf *b) {
  tw_cfg_ctx *c = &t->L->c;
  while (*s) {
    const char *d = strstr(s, "${");
    size_t run = d ? (size_t)(d - s) : strlen(s);
    if (tw_buf_append(b, s, run))
      return tw_cfg_nomem(c);
    if (!d)
      break;
    if (d[2] == '!') { /* ${!Literal} -> ${Literal} */
      if (tw_buf_append(b, "${", 2))
        return tw_cfg_nomem(c);
      s = d + 3;
      continue;
    }
    const char *close = strchr(d + 2, '}');
    size_t n = close ? (size_t)(close - d - 2) : 0;
    if (!close || n == 0 || n > 255)
      return tw_cfg_fail(c, pos, "Fn::Sub: '${' without a variable name and a closing '}' "
                                 "(write ${!Literal} for a literal ${)");
    char name[256];
    memcpy(name, d + 2, n);
    name[n] = '\0';
    int rc = tw_cfn_sub_var(t, vars, name, pos, b);
    if (rc)
      return rc;
    if (b->len > TW_CFN_MAX_STRING)
      return tw_cfg_fail(c, pos, "Fn::Sub: the value is longer than %u bytes", TW_CFN_MAX_STRING);
    s = close + 1;
  }
  return TW_OK;
}

static int tw_cfn_sub(tw_cfn *t, const json_t *arg, tw_cfg_pos pos, json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  const json_t *tmpl = arg, *vars_in = NULL;
  if (json_is_array(arg) && json_array_size(arg) == 2) {
    tmpl = json_array_get(arg, 0);
    vars_in = json_array_get(arg, 1);
  }
  if (!json_is_string(tmpl) || (vars_in && !json_is_object(vars_in)))
    return tw_cfg_fail(c, pos, "Fn::Sub takes a string or [string, {name: value}]");
  json_t *vars = NULL;
  t->in_fn++;
  int rc = vars_in ? tw_cfn_resolve(t, vars_in, pos, &vars) : TW_OK;
  t->in_fn--;
  tw_buf b = {0};
  if (!rc)
    rc = tw_cfn_sub_expand(t, json_string_value(tmpl), vars, pos, &b);
  if (!rc && !(*out = json_stringn(b.data ? b.data : "", b.len)))
    rc = tw_cfg_nomem(c);
  tw_buf_free(&b);
  json_decref(vars);
  return rc;
}

static int tw_cfn_join(tw_cfn *t, const json_t *arg, tw_cfg_pos pos, json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  const json_t *delim = json_array_get(arg, 0);
  if (!json_is_array(arg) || json_array_size(arg) != 2 || !json_is_string(delim))
    return tw_cfg_fail(c, pos, "Fn::Join takes [delimiter, [values]]");
  json_t *list = NULL;
  t->in_fn++;
  int rc = tw_cfn_resolve(t, json_array_get(arg, 1), pos, &list);
  t->in_fn--;
  if (!rc && !json_is_array(list))
    rc = tw_cfg_fail(c, pos, "Fn::Join: the values must be a list");
  tw_buf b = {0};
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    char *text = tw_cfn_text(json_array_get(list, i));
    if (!text)
      rc = tw_cfg_fail(c, pos, "Fn::Join: value %zu is %s, not a string", i,
                       tw_cfg_type_name(json_array_get(list, i)));
    else if ((i && tw_buf_append(&b, json_string_value(delim), json_string_length(delim))) ||
             tw_buf_append(&b, text, strlen(text)))
      rc = tw_cfg_nomem(c);
    else if (b.len > TW_CFN_MAX_STRING)
      rc = tw_cfg_fail(c, pos, "Fn::Join: the value is longer than %u bytes", TW_CFN_MAX_STRING);
    free(text);
  }
  if (!rc && !(*out = json_stringn(b.data ? b.data : "", b.len)))
    rc = tw_cfg_nomem(c);
  tw_buf_free(&b);
  json_decref(list);
  return rc;
}

static int tw_cfn_call(tw_cfn *t, const char *fn, const json_t *arg, tw_cfg_pos pos,
                       json_t **out) {
  tw_cfg_ctx *c = &t->L->c;
  if (!strcmp(fn, "Ref")) {
    if (!json_is_string(arg))
      return tw_cfg_fail(c, pos, "Ref takes the name of a parameter or resource");
    return tw_cfn_ref(t, json_string_value(arg), pos, out);
  }
  if (!strcmp(fn, "Fn::Sub"))
    return tw_cfn_sub(t, arg, pos, out);
  if (!strcmp(fn, "Fn::GetAtt"))
    return tw_cfn_getatt(t, arg, pos, out);
  if (!strcmp(fn, "Fn::Join"))
    return tw_cfn_join(t, arg, pos, out);
  return tw_cfg_fail(c, pos,
                     "%.40s is not supported: trailwatch resolves Ref, Fn::Sub, Fn::GetAtt and "
                     "Fn::Join",
                     fn);
}

/* ---- walking values ---- */

int tw_cfn_rebuild(tw_cfg_ctx *c, const json_t *v, json_t **kids, json_t **out) {
  json_t *n = json_is_array(v) ? json_array() : json_object();
  int bad = !n;
  size_t i = 0;
  if (!bad && json_is_array(v)) {
    for (; i < json_array_size(v) && !bad; i++)
      if (kids[i])
        bad = tw_cfg_posmap_copy(c->pm, n, NULL, v, NULL, i) || json_array_append(n, kids[i]);
  } else if (!bad) {
    const char *key;
    const json_t *k;
    json_object_foreach((json_t *)v, key, k) {
      if (!bad && kids[i])
        bad = tw_cfg_posmap_copy(c->pm, n, key, v, key, 0) ||
              json_object_set_nocheck(n, key, kids[i]);
      i++;
    }
  }
  if (bad) {
    json_decref(n);
    return tw_cfg_nomem(c);
  }
  *out = n;
  return TW_OK;
}

/* Resolve the children of container v into kids; *changed if any differs. */
static int tw_cfn_resolve_kids(tw_cfn *t, const json_t *v, json_t **kids, int *changed) {
  tw_cfg_ctx *c = &t->L->c;
  size_t i = 0;
  if (json_is_array(v)) {
    for (; i < json_array_size(v); i++) {
      size_t old = t->in_fn ? c->plen : tw_cfg_path_index(c, i);
      int rc = tw_cfn_resolve(t, json_array_get(v, i), tw_cfg_pos_of(c, v, NULL, i, 0), &kids[i]);
      if (rc)
        return rc;
      tw_cfg_path_pop(c, old);
      *changed |= kids[i] != json_array_get(v, i);
    }
    return TW_OK;
  }
  const char *key;
  const json_t *k;
  json_object_foreach((json_t *)v, key, k) {
    size_t old = t->in_fn ? c->plen : tw_cfg_path_key(c, key);
    int rc = tw_cfn_resolve(t, k, tw_cfg_pos_of(c, v, key, 0, 0), &kids[i]);
    if (rc)
      return rc;
    tw_cfg_path_pop(c, old);
    *changed |= kids[i++] != k;
  }
  return TW_OK;
}

int tw_cfn_resolve(tw_cfn *t, const json_t *v, tw_cfg_pos pos, json_t **out) {
  *out = NULL;
  if (json_is_object(v) && json_object_size(v) == 1) {
    void *it = json_object_iter((json_t *)v);
    const char *fn = json_object_iter_key(it);
    if (!strcmp(fn, "Ref") || !strncmp(fn, "Fn::", 4)) {
      tw_cfg_pos fpos = tw_cfg_pos_of(&t->L->c, v, fn, 0, 1);
      return tw_cfn_call(t, fn, json_object_iter_value(it), fpos.line ? fpos : pos, out);
    }
  }
  if (!json_is_object(v) && !json_is_array(v)) {
    *out = json_incref((json_t *)v);
    return TW_OK;
  }
  size_t n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
  json_t **kids = calloc(n ? n : 1, sizeof *kids);
  if (!kids)
    return tw_cfg_nomem(&t->L->c);
  int changed = 0;
  int rc = tw_cfn_resolve_kids(t, v, kids, &changed);
  if (!rc && changed)
    rc = tw_cfn_rebuild(&t->L->c, v, kids, out);
  else if (!rc)
    *out = json_incref((json_t *)v);
  for (size_t i = 0; i < n; i++)
    json_decref(kids[i]);
  free(kids);
  return rc;
}
