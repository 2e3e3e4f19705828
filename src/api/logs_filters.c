/*
 * logs_filters.c — metric filters over the API: PutMetricFilter
 * (validation of the pattern and the single metricTransformation, limit of
 * 100 per group, create-or-replace as a new version), DescribeMetricFilters
 * (filters, pagination), DeleteMetricFilter and TestMetricFilter
 * (1-based eventNumber, extractedValues as strings; D7/D8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "api/api_internal.h"

static int tw_metric_name_ok(tw_api_ctx *c, const char *key, const char *v) {
  if (strpbrk(v, ":*$"))
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%.100s' at "
                          "'%s' failed to satisfy constraint: Member must "
                          "satisfy regular expression pattern: [^:*$]*",
                          v, key);
  return TW_OK;
}

static int tw_dims_normalize(tw_api_ctx *c, json_t *dims, json_t *out) {
  if (json_object_size(dims) > 3)
    return tw_api_invalid(c, "A metric transformation can have at most 3 "
                             "dimensions.");
  const char *k;
  json_t *v;
  json_object_foreach(dims, k, v) {
    const char *s = NULL;
    int rc = tw_in_str(c, dims, k, 1, 1, 255, &s);
    if (rc)
      return rc;
    if (strlen(k) < 1 || strlen(k) > 255)
      return tw_api_invalid(c, "Dimension names must be 1 to 255 characters.");
    json_object_set_new(out, k, json_string(s));
  }
  return TW_OK;
}

/* One metricTransformation, validated, in the order AWS prints it. */
static int tw_transform_normalize(tw_api_ctx *c, json_t *t, json_t **out) {
  const char *name = NULL, *ns = NULL, *value = NULL, *unit = NULL;
  double def = 0;
  int has_def = 0;
  json_t *dims = NULL;
  if (!json_is_object(t))
    return tw_api_fail(c, 400, "SerializationException",
                       "metricTransformations[0] must be an object");
  int rc = tw_in_str(c, t, "metricName", 1, 1, 255, &name);
  if (!rc)
    rc = tw_in_str(c, t, "metricNamespace", 1, 1, 255, &ns);
  if (!rc)
    rc = tw_in_str(c, t, "metricValue", 1, 1, 100, &value);
  if (!rc)
    rc = tw_in_num(c, t, "defaultValue", 0, &def, &has_def);
  if (!rc)
    rc = tw_in_object(c, t, "dimensions", 0, &dims);
  if (!rc)
    rc = tw_in_str(c, t, "unit", 0, 1, 0, &unit);
  if (!rc)
    rc = tw_metric_name_ok(c, "metricName", name);
  if (!rc)
    rc = tw_metric_name_ok(c, "metricNamespace", ns);
  if (rc)
    return rc;
  if (unit && !tw_alarm_unit_valid(unit))
    return tw_api_invalid(c, "Invalid unit: %.64s", unit);
  if (has_def && dims && json_object_size(dims))
    return tw_api_invalid(c, "A metric transformation cannot have both a "
                             "defaultValue and dimensions.");
  json_t *o = json_pack("{s:s,s:s,s:s}", "metricName", name, "metricNamespace",
                        ns, "metricValue", value);
  if (!o)
    return TW_ENOMEM;
  if (has_def)
    json_object_set_new(o, "defaultValue", json_real(def));
  if (dims && json_object_size(dims)) {
    json_t *d = json_object();
    json_object_set_new(o, "dimensions", d);
    if ((rc = tw_dims_normalize(c, dims, d)) != TW_OK) {
      json_decref(o);
      return rc;
    }
  }
  if (unit)
    json_object_set_new(o, "unit", json_string(unit));
  *out = o;
  return TW_OK;
}

typedef struct tw_put_filter_args {
  const char *name, *pattern;
  json_t *transforms; /* normalized array of one */
} tw_put_filter_args;

static int tw_put_filter_read(tw_api_ctx *c, tw_put_filter_args *a) {
  json_t *arr = NULL, *t = NULL;
  int rc = tw_in_str(c, c->in, "filterName", 1, 1, 512, &a->name);
  if (!rc)
    rc = tw_in_str(c, c->in, "filterPattern", 1, 0, 1024, &a->pattern);
  if (!rc)
    rc = tw_in_array(c, c->in, "metricTransformations", 1, 1, 1, &arr);
  if (rc)
    return rc;
  if (strpbrk(a->name, ":*"))
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%.100s' at "
                          "'filterName' failed to satisfy constraint: Member "
                          "must satisfy regular expression pattern: [^:*]*",
                          a->name);
  if ((rc = tw_transform_normalize(c, json_array_get(arr, 0), &t)) != TW_OK)
    return rc;
  a->transforms = json_array();
  if (!a->transforms || json_array_append_new(a->transforms, t))
    return TW_ENOMEM;
  tw_error err;
  memset(&err, 0, sizeof err);
  if (tw_engine_filter_check(a->pattern, a->transforms, &err) != TW_OK)
    return err.code == TW_ENOMEM
               ? TW_ENOMEM
               : tw_api_invalid(c, "Invalid metric filter: %s", err.message);
  return TW_OK;
}

static int tw_put_filter_store(tw_api_ctx *c, const tw_store_group *g,
                               const tw_put_filter_args *a) {
  char *tj = json_dumps(a->transforms, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!tj)
    return TW_ENOMEM;
  tw_store_filter f;
  memset(&f, 0, sizeof f);
  f.group_id = g->id;
  f.group_name = g->name;
  f.name = a->name;
  f.pattern = a->pattern;
  f.transforms = tj;
  f.creation_ms = c->now_ms;
  int rc = tw_store_next_seq(c->api->store, &f.start_seq);
  if (rc == TW_OK)
    rc = tw_store_filter_put(c->api->store, &f);
  tw_error err;
  if (rc == TW_OK)
    rc = tw_engine_filter_add(c->api, &f, &err);
  free(tj);
  return rc;
}

typedef struct tw_exists_ctx {
  int found;
} tw_exists_ctx;

static int tw_filter_exists(const tw_store_filter *f, void *ud) {
  (void)f;
  ((tw_exists_ctx *)ud)->found = 1;
  return 1;
}

int tw_op_put_metric_filter(tw_api_ctx *c) {
  tw_put_filter_args a;
  tw_store_group g;
  memset(&a, 0, sizeof a);
  int rc = tw_put_filter_read(c, &a);
  if (!rc)
    rc = tw_logs_find_group(c, 1, &g);
  if (rc == TW_OK && g.filter_count >= 100) {
    tw_exists_ctx e = {0};
    tw_store_filter_query q = {g.name, a.name, NULL, NULL, NULL, NULL, 1000};
    rc = tw_store_filter_list(c->api->store, &q, tw_filter_exists, &e);
    if (rc == 1)
      rc = TW_OK;
    if (rc == TW_OK && !e.found)
      rc = tw_api_fail(c, 400, "LimitExceededException",
                       "Resource limit exceeded.");
  }
  if (rc == TW_OK)
    rc = tw_put_filter_store(c, &g, &a);
  json_decref(a.transforms);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}

int tw_op_delete_metric_filter(tw_api_ctx *c) {
  const char *name = NULL;
  tw_store_group g;
  int rc = tw_in_str(c, c->in, "filterName", 1, 1, 512, &name);
  if (!rc)
    rc = tw_logs_find_group(c, 1, &g);
  if (rc)
    return rc;
  int64_t next = 0;
  rc = tw_store_next_seq(c->api->store, &next);
  if (rc == TW_OK)
    rc = tw_store_filter_delete(c->api->store, g.id, name, next, NULL);
  if (rc == TW_ENOTFOUND)
    return tw_api_fail(c, 400, "ResourceNotFoundException",
                       "The specified metric filter does not exist.");
  if (rc)
    return tw_api_internal(c, rc);
  tw_engine_filter_remove(c->api, g.id, name);
  return TW_OK;
}

typedef struct tw_mf_page {
  json_t *list;
  int limit, count, more;
  char last_group[516], last_name[516];
} tw_mf_page;

static int tw_mf_row(const tw_store_filter *f, void *ud) {
  tw_mf_page *p = ud;
  if (p->count == p->limit) {
    p->more = 1;
    return 1;
  }
  json_t *t = json_loads(f->transforms, JSON_DECODE_ANY, NULL);
  json_t *o = json_pack("{s:s,s:s,s:o,s:I,s:s,s:b}", "filterName", f->name,
                        "filterPattern", f->pattern, "metricTransformations",
                        t ? t : json_array(), "creationTime",
                        (json_int_t)f->creation_ms, "logGroupName",
                        f->group_name, "applyOnTransformedLogs", 0);
  if (!o || json_array_append_new(p->list, o))
    return TW_ENOMEM;
  p->count++;
  snprintf(p->last_group, sizeof p->last_group, "%s", f->group_name);
  snprintf(p->last_name, sizeof p->last_name, "%s", f->name);
  return 0;
}

typedef struct tw_mf_args {
  const char *prefix, *mname, *mns, *token;
  int64_t limit;
} tw_mf_args;

static int tw_mf_args_get(tw_api_ctx *c, tw_mf_args *a) {
  a->limit = 50;
  int rc = tw_in_str(c, c->in, "filterNamePrefix", 0, 1, 512, &a->prefix);
  if (!rc)
    rc = tw_in_str(c, c->in, "metricName", 0, 0, 255, &a->mname);
  if (!rc)
    rc = tw_in_str(c, c->in, "metricNamespace", 0, 0, 255, &a->mns);
  if (!rc)
    rc = tw_in_str(c, c->in, "nextToken", 0, 1, 0, &a->token);
  if (!rc)
    rc = tw_in_int(c, c->in, "limit", 0, 1, 50, &a->limit, NULL);
  if (rc)
    return rc;
  if (!a->mname != !a->mns)
    return tw_api_invalid(c, "metricName and metricNamespace must be "
                             "specified together.");
  return TW_OK;
}

/* "m:<group>\n<name>" */
static int tw_mf_token(tw_api_ctx *c, const char *token, char **buf,
                       tw_store_filter_query *q) {
  *buf = NULL;
  if (!token)
    return TW_OK;
  char *t = tw_token_decode(token);
  char *nl = t ? strchr(t, '\n') : NULL;
  if (!t || strncmp(t, "m:", 2) || !nl) {
    free(t);
    return tw_api_invalid(c, "The specified nextToken is invalid.");
  }
  *nl = '\0';
  q->after_group = t + 2;
  q->after_name = nl + 1;
  *buf = t;
  return TW_OK;
}

int tw_op_describe_metric_filters(tw_api_ctx *c) {
  tw_mf_args a;
  memset(&a, 0, sizeof a);
  int rc = tw_mf_args_get(c, &a);
  if (rc)
    return rc;
  tw_store_group g;
  const char *gname = NULL;
  if (json_object_get(c->in, "logGroupName")) {
    if ((rc = tw_logs_find_group(c, 1, &g)) != TW_OK)
      return rc;
    gname = g.name;
  } else if (a.prefix) {
    return tw_api_invalid(c, "filterNamePrefix requires logGroupName.");
  }
  tw_store_filter_query q = {gname, a.prefix, a.mname, a.mns,
                             NULL,  NULL,     (int)a.limit + 1};
  char *tok = NULL;
  if ((rc = tw_mf_token(c, a.token, &tok, &q)) != TW_OK)
    return rc;
  tw_mf_page p = {json_array(), (int)a.limit, 0, 0, "", ""};
  json_object_set_new(c->out, "metricFilters", p.list);
  rc = p.list ? tw_store_filter_list(c->api->store, &q, tw_mf_row, &p)
              : TW_ENOMEM;
  free(tok);
  if (rc == 1)
    rc = TW_OK;
  if (rc)
    return tw_api_internal(c, rc);
  if (!p.more)
    return TW_OK;
  size_t n = strlen(p.last_group) + strlen(p.last_name) + 8;
  char *buf = malloc(n), *out = NULL;
  if (!buf)
    return tw_api_internal(c, TW_ENOMEM);
  snprintf(buf, n, "m:%s\n%s", p.last_group, p.last_name);
  rc = tw_token_encode(buf, &out);
  free(buf);
  if (rc)
    return tw_api_internal(c, rc);
  json_object_set_new(c->out, "nextToken", json_string(out));
  free(out);
  return TW_OK;
}

/* ---- TestMetricFilter ------------------------------------------------------ */

static json_t *tw_extracted(const tw_match *m) {
  json_t *o = json_object();
  size_t n = tw_match_extracted_count(m);
  for (size_t i = 0; o && i < n; i++) {
    const char *k, *v;
    size_t kl, vl;
    if (tw_match_extracted(m, i, &k, &kl, &v, &vl) != TW_OK)
      continue;
    char *key = strndup(k, kl);
    if (key)
      json_object_set_new(o, key, json_stringn(v, vl));
    free(key);
  }
  return o;
}

static int tw_test_messages(tw_api_ctx *c, const tw_pattern *p, json_t *msgs,
                            tw_match *m, json_t *matches) {
  for (size_t i = 0; i < json_array_size(msgs); i++) {
    json_t *v = json_array_get(msgs, i);
    if (!json_is_string(v))
      return tw_api_fail(c, 400, "SerializationException",
                         "logEventMessages[%zu] must be a string", i);
    int matched = 0;
    if (tw_pattern_match(p, json_string_value(v), json_string_length(v), m,
                         &matched))
      return TW_ENOMEM;
    if (!matched)
      continue;
    json_t *o = json_pack("{s:I,s:O,s:o}", "eventNumber", (json_int_t)(i + 1),
                          "eventMessage", v, "extractedValues",
                          tw_extracted(m));
    if (!o || json_array_append_new(matches, o))
      return TW_ENOMEM;
  }
  return TW_OK;
}

int tw_op_test_metric_filter(tw_api_ctx *c) {
  const char *pattern = NULL;
  json_t *msgs = NULL;
  int rc = tw_in_str(c, c->in, "filterPattern", 1, 0, 1024, &pattern);
  if (!rc)
    rc = tw_in_array(c, c->in, "logEventMessages", 1, 1, 50, &msgs);
  if (rc)
    return rc;
  tw_pattern *p = NULL;
  tw_match *m = NULL;
  tw_error err;
  if (tw_pattern_compile(pattern, strlen(pattern), 0, &p, &err) != TW_OK)
    return err.code == TW_ENOMEM
               ? tw_api_internal(c, TW_ENOMEM)
               : tw_api_invalid(c, "Invalid metric filter pattern, column "
                                   "%zu: %s",
                                err.column, err.message);
  json_t *matches = json_array();
  json_object_set_new(c->out, "matches", matches);
  rc = matches && tw_match_new(&m) == TW_OK ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK)
    rc = tw_test_messages(c, p, msgs, m, matches);
  tw_match_free(m);
  tw_pattern_free(p);
  return rc && !c->status ? tw_api_internal(c, rc) : rc;
}
