/*
 * config_param.c — parameters of a trailwatch configuration and their
 * substitution into string values.
 *
 * A file may declare defaults in a top-level `parameters:` mapping (name ->
 * scalar, or null for "must be given"); tw_config_set_parameter values
 * (--parameter NAME=VALUE) override them. In the metricFilters,
 * MetricAlarms, targets and rules sections every "${Name}" inside a string
 * is replaced by the parameter's value; "$${" is a literal "${", and a "$"
 * not followed by "{" is left alone (so $.eventName and $field tokens of
 * filter patterns are untouched). Substitution copies only what changes,
 * and remembers each container's copy so that YAML aliases shared many
 * times are processed once. Copies are registered in the position map
 * with the positions of the originals. Also here: scalar coercion for
 * fields that take numbers or booleans ("300" -> 300) where a parameter or
 * a CloudFormation template supplies text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

/* ---- pointer memo ---- */

typedef struct tw_cfg_memo_slot {
  json_t *key, *value;
} tw_cfg_memo_slot;

struct tw_cfg_memo {
  tw_cfg_memo_slot *slots;
  size_t n, cap; /* cap: power of two */
};

int tw_cfg_memo_new(tw_cfg_memo **out) {
  *out = calloc(1, sizeof **out);
  return *out ? TW_OK : TW_ENOMEM;
}

void tw_cfg_memo_free(tw_cfg_memo *m) {
  if (!m)
    return;
  for (size_t i = 0; i < m->cap; i++) {
    json_decref(m->slots[i].key);
    json_decref(m->slots[i].value);
  }
  free(m->slots);
  free(m);
}

static size_t tw_cfg_memo_hash(const json_t *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 31;
  x *= UINT64_C(0x9e3779b97f4a7c15);
  x ^= x >> 29;
  return (size_t)x;
}

static size_t tw_cfg_memo_probe(const tw_cfg_memo *m, const json_t *key) {
  size_t mask = m->cap - 1, i = tw_cfg_memo_hash(key) & mask;
  while (m->slots[i].key && m->slots[i].key != key)
    i = (i + 1) & mask;
  return i;
}

json_t *tw_cfg_memo_get(const tw_cfg_memo *m, const json_t *key) {
  if (!m || !m->cap)
    return NULL;
  return m->slots[tw_cfg_memo_probe(m, key)].value;
}

static int tw_cfg_memo_grow(tw_cfg_memo *m) {
  tw_cfg_memo old = *m;
  size_t ncap = m->cap ? m->cap * 2 : 64;
  m->slots = calloc(ncap, sizeof *m->slots);
  if (!m->slots) {
    *m = old;
    return TW_ENOMEM;
  }
  m->cap = ncap;
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].key)
      m->slots[tw_cfg_memo_probe(m, old.slots[i].key)] = old.slots[i];
  free(old.slots);
  return TW_OK;
}

int tw_cfg_memo_put(tw_cfg_memo *m, const json_t *key, json_t *value) {
  if ((m->n + 1) * 2 > m->cap && tw_cfg_memo_grow(m))
    return TW_ENOMEM;
  tw_cfg_memo_slot *s = &m->slots[tw_cfg_memo_probe(m, key)];
  if (s->key) {
    json_decref(s->value);
  } else {
    s->key = json_incref((json_t *)key);
    m->n++;
  }
  s->value = json_incref(value);
  return TW_OK;
}

/* ---- parameters ---- */

int tw_cfg_param_name_ok(const char *name, size_t len) {
  if (len == 0 || len > 255)
    return 0;
  for (size_t i = 0; i < len; i++) {
    char ch = name[i];
    int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             ch == '_' || ch == '.' || ch == '-' || ch == ':';
    if (!ok)
      return 0;
  }
  return 1;
}

void tw_cfg_params_clear(tw_cfg_params *p) {
  json_decref(p->defaults);
  tw_cfg_memo_free(p->memo);
  p->defaults = NULL;
  p->memo = NULL;
}

/* The text of a scalar parameter value; NULL for other types. */
static json_t *tw_cfg_param_text(const json_t *v) {
  if (json_is_string(v))
    return json_incref((json_t *)v);
  if (json_is_true(v) || json_is_false(v))
    return json_string(json_is_true(v) ? "true" : "false");
  if (json_is_integer(v)) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
    return json_string(tmp);
  }
  if (json_is_real(v)) {
    char *s = json_dumps(v, JSON_ENCODE_ANY);
    json_t *t = s ? json_string(s) : NULL;
    free(s);
    return t;
  }
  return NULL;
}

int tw_cfg_params_read(tw_cfg_ctx *c, const json_t *root, tw_cfg_params *p) {
  const json_t *m = tw_cfg_member(root, "parameters");
  if (!(p->defaults = json_object()))
    return tw_cfg_nomem(c);
  if (!m)
    return TW_OK;
  if (!json_is_object(m))
    return tw_cfg_fail_type(c, root, "parameters", "a mapping (name: default value)", NULL);
  size_t old = tw_cfg_path_key(c, "parameters");
  const char *name;
  const json_t *v;
  json_object_foreach((json_t *)m, name, v) {
    if (!tw_cfg_param_name_ok(name, strlen(name))) {
      tw_cfg_path_key(c, name);
      return tw_cfg_fail(c, tw_cfg_pos_of(c, m, name, 0, 1),
                         "parameter names are 1 to 255 characters from A-Z a-z 0-9 _ . - :");
    }
    json_t *text = json_is_null(v) ? json_null() : tw_cfg_param_text(v);
    if (!text && (json_is_object(v) || json_is_array(v)))
      return tw_cfg_fail_type(c, m, name, "a string, a number or a boolean",
                              " (or nothing: a parameter without default)");
    if (!text || json_object_set_new(p->defaults, name, text))
      return tw_cfg_nomem(c);
  }
  tw_cfg_path_pop(c, old);
  return TW_OK;
}

/* Append the value of parameter name[0..len) to b. */
static int tw_cfg_param_value(tw_cfg_ctx *c, const tw_cfg_params *p, const char *name, size_t len,
                              tw_cfg_pos pos, tw_buf *b) {
  char key[256];
  memcpy(key, name, len);
  key[len] = '\0';
  const json_t *v = json_object_get(p->set, key);
  if (!v)
    v = json_object_get(p->defaults, key);
  if (!v)
    return tw_cfg_fail(c, pos,
                       "unknown parameter '%s' (declare it under parameters: or set it with "
                       "--parameter %s=VALUE)",
                       key, key);
  if (!json_is_string(v))
    return tw_cfg_fail(c, pos, "parameter '%s' has no default: set it with --parameter %s=VALUE",
                       key, key);
  return tw_buf_append(b, json_string_value(v), json_string_length(v)) ? tw_cfg_nomem(c) : TW_OK;
}

/* Substitute into s (which contains "${"); *out is a new buffer text. */
static int tw_cfg_subst_buf(tw_cfg_ctx *c, const tw_cfg_params *p, const char *s, tw_cfg_pos pos,
                            tw_buf *b) {
  size_t i = 0;
  while (s[i]) {
    const char *next = strchr(s + i, '$');
    size_t run = next ? (size_t)(next - (s + i)) : strlen(s + i);
    if (run && tw_buf_append(b, s + i, run))
      return tw_cfg_nomem(c);
    i += run;
    if (!s[i])
      break;
    if (s[i + 1] == '$' && s[i + 2] == '{') { /* $${ -> ${ */
      if (tw_buf_append(b, "${", 2))
        return tw_cfg_nomem(c);
      i += 3;
      continue;
    }
    if (s[i + 1] != '{') {
      if (tw_buf_append(b, "$", 1))
        return tw_cfg_nomem(c);
      i++;
      continue;
    }
    const char *close = strchr(s + i + 2, '}');
    if (!close)
      return tw_cfg_fail(c, pos, "'${' without a closing '}' (write $${ for a literal ${)");
    size_t len = (size_t)(close - (s + i + 2));
    if (!tw_cfg_param_name_ok(s + i + 2, len))
      return tw_cfg_fail(c, pos,
                         "'${%.*s}' is not a parameter reference: names are 1 to 255 characters "
                         "from A-Z a-z 0-9 _ . - : (write $${ for a literal ${)",
                         (int)(len > 40 ? 40 : len), s + i + 2);
    int rc = tw_cfg_param_value(c, p, s + i + 2, len, pos, b);
    if (rc)
      return rc;
    i += len + 3;
  }
  return TW_OK;
}

int tw_cfg_subst_text(tw_cfg_ctx *c, tw_cfg_params *p, const char *s, tw_cfg_pos pos, char **out) {
  if (!strstr(s, "${"))
    return tw_cfg_dup(c, s, out);
  tw_buf b = {0};
  int rc = tw_cfg_subst_buf(c, p, s, pos, &b);
  if (!rc && tw_buf_append(&b, "", 1))
    rc = tw_cfg_nomem(c);
  if (rc) {
    tw_buf_free(&b);
    return rc;
  }
  *out = b.data;
  return TW_OK;
}

static int tw_cfg_subst_string(tw_cfg_ctx *c, tw_cfg_params *p, const json_t *v, tw_cfg_pos pos,
                               json_t **out) {
  const char *s = json_string_value(v);
  if (!strstr(s, "${")) {
    *out = json_incref((json_t *)v);
    return TW_OK;
  }
  tw_buf b = {0};
  int rc = tw_cfg_subst_buf(c, p, s, pos, &b);
  if (!rc && !(*out = json_stringn(b.data ? b.data : "", b.len)))
    rc = tw_cfg_nomem(c);
  tw_buf_free(&b);
  return rc;
}

/* Substituted children of container v, in order; *changed when any
 * differs. kids receives new references. */
static int tw_cfg_subst_kids(tw_cfg_ctx *c, tw_cfg_params *p, const json_t *v, json_t **kids,
                             int *changed) {
  size_t i = 0;
  if (json_is_array(v)) {
    for (; i < json_array_size(v); i++) {
      const json_t *k = json_array_get(v, i);
      size_t old = tw_cfg_path_index(c, i);
      int rc = tw_cfg_subst(c, p, k, tw_cfg_pos_of(c, v, NULL, i, 0), &kids[i]);
      if (rc)
        return rc;
      tw_cfg_path_pop(c, old);
      *changed |= kids[i] != k;
    }
    return TW_OK;
  }
  const char *key;
  const json_t *k;
  json_object_foreach((json_t *)v, key, k) {
    size_t old = tw_cfg_path_key(c, key);
    int rc = tw_cfg_subst(c, p, k, tw_cfg_pos_of(c, v, key, 0, 0), &kids[i]);
    if (rc)
      return rc;
    tw_cfg_path_pop(c, old);
    *changed |= kids[i++] != k;
  }
  return TW_OK;
}

/* A new container like v with children kids (references taken). */
static int tw_cfg_rebuild(tw_cfg_ctx *c, const json_t *v, json_t **kids, json_t **out) {
  json_t *n = json_is_array(v) ? json_array() : json_object();
  int bad = !n;
  size_t i = 0;
  if (!bad && json_is_array(v)) {
    for (; i < json_array_size(v); i++) {
      bad = bad || tw_cfg_posmap_copy(c->pm, n, NULL, v, NULL, i) ||
            json_array_append(n, kids[i]);
    }
  } else if (!bad) {
    const char *key;
    const json_t *k;
    json_object_foreach((json_t *)v, key, k) {
      bad = bad || tw_cfg_posmap_copy(c->pm, n, key, v, key, 0) ||
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

int tw_cfg_subst(tw_cfg_ctx *c, tw_cfg_params *p, const json_t *v, tw_cfg_pos pos, json_t **out) {
  if (json_is_string(v))
    return tw_cfg_subst_string(c, p, v, pos, out);
  if (!json_is_array(v) && !json_is_object(v)) {
    *out = json_incref((json_t *)v);
    return TW_OK;
  }
  json_t *done = tw_cfg_memo_get(p->memo, v);
  if (done) {
    *out = json_incref(done);
    return TW_OK;
  }
  size_t n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
  json_t **kids = calloc(n ? n : 1, sizeof *kids);
  if (!kids)
    return tw_cfg_nomem(c);
  int changed = 0;
  int rc = tw_cfg_subst_kids(c, p, v, kids, &changed);
  json_t *res = NULL;
  if (!rc && changed)
    rc = tw_cfg_rebuild(c, v, kids, &res);
  else if (!rc)
    res = json_incref((json_t *)v);
  for (size_t i = 0; i < n; i++)
    json_decref(kids[i]);
  free(kids);
  if (!rc && (!p->memo && tw_cfg_memo_new(&p->memo)))
    rc = tw_cfg_nomem(c);
  if (!rc && tw_cfg_memo_put(p->memo, v, res))
    rc = tw_cfg_nomem(c);
  if (rc) {
    json_decref(res);
    return rc;
  }
  *out = res;
  return TW_OK;
}

/* ---- scalar coercion ---- */

int tw_cfg_coerce(json_t *obj, const char *key, tw_cfg_kind kind) {
  json_t *v = json_object_get(obj, key), *n = NULL;
  if (!v)
    return TW_OK;
  if (kind == TW_CFG_STRING) {
    if (json_is_number(v) || json_is_boolean(v))
      n = tw_cfg_param_text(v);
    else
      return TW_OK;
  } else if (json_is_string(v)) {
    const char *problem = NULL;
    if (tw_cfg_yaml_scalar(json_string_value(v), json_string_length(v), 1, NULL, &n, &problem) ==
        TW_ENOMEM)
      return TW_ENOMEM;
    int ok = n && ((kind == TW_CFG_INT && json_is_integer(n)) ||
                   (kind == TW_CFG_NUMBER && json_is_number(n)) ||
                   (kind == TW_CFG_BOOL && json_is_boolean(n)));
    if (!ok) {
      json_decref(n);
      return TW_OK;
    }
  } else {
    return TW_OK;
  }
  if (!n)
    return TW_ENOMEM;
  return json_object_set_new_nocheck(obj, key, n) ? TW_ENOMEM : TW_OK;
}

int tw_cfg_coerce_param(const json_t *orig, json_t *obj, const char *key, tw_cfg_kind kind) {
  const char *s = json_string_value(json_object_get(orig, key));
  size_t len = s ? strlen(s) : 0;
  if (len < 4 || s[0] != '$' || s[1] != '{' || s[len - 1] != '}' || strchr(s + 2, '}') != s + len - 1)
    return TW_OK;
  return tw_cfg_coerce(obj, key, kind);
}
