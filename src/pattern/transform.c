/*
 * transform.c — metric transformations: the metricValue and dimensions of
 * a metric filter, extracted from an event the filter pattern matched.
 *
 * A token is a number literal ("1"), a JSON selector ("$.latency", JSON
 * patterns only) or a space-delimited field ("$size" / "$7", delimited
 * patterns only). Values that are missing or not numeric skip the event
 * (D18); missing dimension fields skip it too (D19). Validation follows
 * PutMetricFilter: at most 3 dimensions, none with a defaultValue, and
 * dimensions only for JSON and space-delimited patterns.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_internal.h"

#define TW_MAX_DIMENSIONS 3

typedef enum tw_ref_kind { TW_REF_LITERAL, TW_REF_JSON, TW_REF_FIELD } tw_ref_kind;

typedef struct tw_ref {
  tw_ref_kind kind;
  double literal;
  uint32_t plan_id; /* JSON */
  char *key;        /* FIELD: "$name" or "$N" */
  size_t key_len;
  size_t position;  /* FIELD "$N": N, else 0 */
} tw_ref;

struct tw_transform {
  tw_pattern_kind kind;
  tw_json_plan *plan; /* JSON selectors of the value and dimensions */
  tw_ref value;
  tw_ref dims[TW_MAX_DIMENSIONS];
  char *dim_names[TW_MAX_DIMENSIONS];
  size_t ndims;
};

void tw_transform_free(tw_transform *t) {
  if (!t)
    return;
  tw_json_plan_free(t->plan);
  free(t->value.key);
  for (size_t i = 0; i < t->ndims; i++) {
    free(t->dims[i].key);
    free(t->dim_names[i]);
  }
  free(t);
}

static int compile_json_ref(tw_transform *t, const char *tok, tw_ref *r, const char *what,
                            tw_error *err) {
  tw_pattern tmp = {0};
  tmp.plan = t->plan;
  tw_error perr = {0};
  tw_parser ps = {.src = tok, .len = strlen(tok), .flags = TW_PATTERN_NO_AWS_LIMITS,
                  .pat = &tmp, .err = &perr};
  uint32_t sel;
  int rc = tw_parse_selector(&ps, &sel);
  if (!rc && ps.pos != ps.len)
    rc = tw_error_set(&perr, TW_ESYNTAX, ps.pos + 1, "unexpected text after the selector");
  if (!rc && tmp.sels[sel].wildcard)
    rc = tw_error_set(&perr, TW_EINVAL, 0, "wildcard selectors cannot be used");
  if (!rc)
    r->plan_id = tmp.sels[sel].plan_id;
  for (size_t i = 0; i < tmp.nsels; i++) {
    free(tmp.sels[i].text);
    free(tmp.sels[i].steps);
  }
  free(tmp.sels);
  for (size_t i = 0; i < tmp.nwarnings; i++)
    free(tmp.warnings[i].text);
  free(tmp.warnings);
  if (rc)
    return tw_error_set(err, rc == TW_ENOMEM ? TW_ENOMEM : TW_EINVAL, 0, "%s '%s': %s", what,
                        tok, perr.message);
  r->kind = TW_REF_JSON;
  return TW_OK;
}

static int has_field(const tw_pattern *p, const char *name, size_t len) {
  for (size_t i = 0; i < p->nfields; i++)
    if (p->fields[i].kind == TW_FIELD_NAMED && p->fields[i].name_len == len &&
        !memcmp(p->fields[i].name, name, len))
      return 1;
  return 0;
}

static int compile_field_ref(const tw_pattern *p, const char *tok, tw_ref *r, const char *what,
                             tw_error *err) {
  const char *name = tok + 1;
  size_t len = strlen(name), digits = 0;
  while (digits < len && isdigit((unsigned char)name[digits]))
    digits++;
  if (len == 0)
    return tw_error_set(err, TW_EINVAL, 0, "%s '%s': expected a field name after '$'", what, tok);
  if (digits == len && !has_field(p, name, len)) {
    r->position = (size_t)strtoul(name, NULL, 10);
    if (r->position == 0)
      return tw_error_set(err, TW_EINVAL, 0, "%s '%s': field positions start at $1", what, tok);
  } else if (!has_field(p, name, len)) {
    return tw_error_set(err, TW_EINVAL, 0,
                        "%s '%s': the filter pattern has no field named '%s'", what, tok, name);
  }
  r->kind = TW_REF_FIELD;
  r->key = strdup(tok);
  r->key_len = len + 1;
  return r->key ? TW_OK : TW_ENOMEM;
}

static int compile_ref(tw_transform *t, const tw_pattern *p, const char *tok, int allow_literal,
                       tw_ref *r, const char *what, tw_error *err) {
  if (allow_literal && tw_pattern_number(tok, strlen(tok), &r->literal)) {
    r->kind = TW_REF_LITERAL;
    return TW_OK;
  }
  if (!strncmp(tok, "$.", 2) || !strncmp(tok, "$[", 2)) {
    if (p->kind != TW_PATTERN_JSON)
      return tw_error_set(err, TW_EINVAL, 0, "%s '%s': $.selectors need a JSON filter pattern",
                          what, tok);
    return compile_json_ref(t, tok, r, what, err);
  }
  if (tok[0] == '$') {
    if (p->kind != TW_PATTERN_DELIMITED)
      return tw_error_set(err, TW_EINVAL, 0,
                          "%s '%s': $field tokens need a space-delimited filter pattern", what, tok);
    return compile_field_ref(p, tok, r, what, err);
  }
  return tw_error_set(err, TW_EINVAL, 0,
                      "%s '%s': expected %s$.selector (JSON patterns) or $field "
                      "(space-delimited patterns)",
                      what, tok, allow_literal ? "a number, " : "");
}

static int check_dimensions(const tw_pattern *p, const char *const *names, size_t ndims,
                            int has_default, tw_error *err) {
  if (ndims > TW_MAX_DIMENSIONS)
    return tw_error_set(err, TW_EINVAL, 0, "dimensions: at most %d are allowed, got %zu",
                        TW_MAX_DIMENSIONS, ndims);
  if (ndims && has_default)
    return tw_error_set(err, TW_EINVAL, 0,
                        "defaultValue cannot be set for a metric filter with dimensions");
  if (ndims && p->kind != TW_PATTERN_JSON && p->kind != TW_PATTERN_DELIMITED)
    return tw_error_set(err, TW_EINVAL, 0,
                        "dimensions are only available for JSON and space-delimited patterns");
  for (size_t i = 0; i < ndims; i++) {
    size_t n = strlen(names[i]);
    if (n == 0 || n > 255)
      return tw_error_set(err, TW_EINVAL, 0, "dimensions: names must be 1 to 255 characters");
    for (size_t j = 0; j < i; j++)
      if (!strcmp(names[i], names[j]))
        return tw_error_set(err, TW_EINVAL, 0, "dimensions: duplicate name '%s'", names[i]);
  }
  return TW_OK;
}

int tw_transform_compile(const tw_pattern *p, const char *metric_value,
                         const char *const *dim_names, const char *const *dim_tokens,
                         size_t ndims, int has_default, tw_transform **out, tw_error *err) {
  if (!metric_value || !*metric_value || strlen(metric_value) > 100)
    return tw_error_set(err, TW_EINVAL, 0, "metricValue must be 1 to 100 characters");
  int rc = check_dimensions(p, dim_names, ndims, has_default, err);
  if (rc)
    return rc;
  tw_transform *t = calloc(1, sizeof *t);
  if (!t || tw_json_plan_new(&t->plan)) {
    tw_transform_free(t);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  t->kind = p->kind;
  rc = compile_ref(t, p, metric_value, 1, &t->value, "metricValue", err);
  for (size_t i = 0; !rc && i < ndims; i++) {
    t->ndims = i + 1;
    t->dim_names[i] = strdup(dim_names[i]);
    rc = t->dim_names[i] ? compile_ref(t, p, dim_tokens[i], 0, &t->dims[i], "dimension", err)
                         : TW_ENOMEM;
  }
  if (rc) {
    tw_transform_free(t);
    return rc;
  }
  *out = t;
  return TW_OK;
}

size_t tw_transform_dimension_count(const tw_transform *t) { return t->ndims; }

/* Text of a reference in the current event; 0 when absent. */
static int ref_text(const tw_transform *t, tw_match *m, const tw_ref *r, const char **text,
                    size_t *len, int *is_json_number) {
  *is_json_number = 0;
  if (r->kind == TW_REF_JSON) {
    int32_t i = m->tails[r->plan_id];
    if (i < 0)
      return 0;
    const tw_json_value *v = &m->vals[i].v;
    if (v->type == TW_JSON_OBJECT || v->type == TW_JSON_ARRAY)
      return 0;
    *is_json_number = v->type == TW_JSON_NUMBER;
    return tw_match_json_text(&m->scratch, v, text, len) == TW_OK;
  }
  for (size_t i = 0; i < m->nkv; i++) {
    const tw_kv *kv = &m->kv[i];
    int hit = r->position ? kv->position == r->position
                          : (kv->key_len == r->key_len &&
                             !memcmp(m->arena.data + kv->key_off, r->key, r->key_len));
    if (hit) {
      *text = m->arena.data + kv->val_off;
      *len = kv->val_len;
      return 1;
    }
  }
  (void)t;
  return 0;
}

static int apply_value(const tw_transform *t, tw_match *m, double *value) {
  if (t->value.kind == TW_REF_LITERAL) {
    *value = t->value.literal;
    return 1;
  }
  const char *text;
  size_t len;
  int is_num;
  if (!ref_text(t, m, &t->value, &text, &len, &is_num))
    return 0;
  if (is_num)
    return tw_json_number_parse(text, len, value) == TW_OK;
  return tw_pattern_number(text, len, value); /* numeric text, e.g. "1534" or "50" */
}

int tw_transform_apply(const tw_transform *t, const char *msg, size_t len, tw_match *m,
                       double *value, tw_extract_status *status) {
  if (t->kind == TW_PATTERN_JSON && tw_json_plan_count(t->plan) > 0) {
    int rc = tw_match_collect_json(m, t->plan, msg, len);
    if (rc == TW_ENOMEM)
      return rc;
    if (rc) {
      *status = TW_EXTRACT_SKIP_VALUE;
      return TW_OK;
    }
  }
  if (!apply_value(t, m, value)) {
    *status = TW_EXTRACT_SKIP_VALUE;
    return TW_OK;
  }
  for (size_t i = 0; i < t->ndims; i++) {
    const char *text;
    size_t tlen;
    int is_num;
    if (!ref_text(t, m, &t->dims[i], &text, &tlen, &is_num)) {
      *status = TW_EXTRACT_SKIP_DIMENSION;
      return TW_OK;
    }
    m->dim_off[i] = m->arena.len;
    m->dim_len[i] = tlen;
    /* text may point into arena itself: reserve first, then copy */
    size_t off = m->arena.data && text >= m->arena.data && text < m->arena.data + m->arena.len
                     ? (size_t)(text - m->arena.data) : (size_t)-1;
    if (tw_buf_reserve(&m->arena, tlen + 1))
      return TW_ENOMEM;
    if (off != (size_t)-1)
      text = m->arena.data + off;
    tw_buf_append(&m->arena, text, tlen);
    tw_buf_append(&m->arena, "", 1);
  }
  *status = TW_EXTRACT_OK;
  return TW_OK;
}

int tw_transform_dimension(const tw_transform *t, const tw_match *m, size_t i,
                           const char **name, const char **val, size_t *vlen) {
  if (i >= t->ndims)
    return TW_ENOTFOUND;
  *name = t->dim_names[i];
  *val = m->arena.data + m->dim_off[i];
  *vlen = m->dim_len[i];
  return TW_OK;
}
