/*
 * config_check.c — the checking context shared by the configuration
 * validators: the field path being checked ("metricFilters[2].unit"),
 * error messages in the one format of the loader
 *   FILE:LINE:COL: PATH: message        (position known)
 *   FILE: PATH: message                 (position unknown)
 * and the small type, length and key-spelling checks; also the growable
 * pointer lists the loader keeps its items in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

static size_t tw_cfg_path_append(tw_cfg_ctx *c, const char *text) {
  size_t old = c->plen;
  int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "%s", text);
  if (n > 0)
    c->plen += (size_t)n < sizeof c->path - c->plen ? (size_t)n : sizeof c->path - 1 - c->plen;
  return old;
}

size_t tw_cfg_path_key(tw_cfg_ctx *c, const char *key) {
  size_t old = c->plen;
  if (c->plen)
    tw_cfg_path_append(c, ".");
  tw_cfg_path_append(c, key);
  return old;
}

size_t tw_cfg_path_index(tw_cfg_ctx *c, size_t i) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "[%zu]", i);
  return tw_cfg_path_append(c, tmp);
}

void tw_cfg_path_pop(tw_cfg_ctx *c, size_t len) {
  c->plen = len;
  c->path[len] = '\0';
}

int tw_cfg_fail(tw_cfg_ctx *c, tw_cfg_pos pos, const char *fmt, ...) {
  char msg[256], where[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (pos.line)
    snprintf(where, sizeof where, "%s:%lu:%lu", c->name, pos.line, pos.col);
  else
    snprintf(where, sizeof where, "%s", c->name);
  return tw_error_set(c->err, TW_EINVAL, 0, "%s: %s%s%s", where, c->path, c->plen ? ": " : "",
                      msg);
}

int tw_cfg_nomem(tw_cfg_ctx *c) {
  return tw_error_set(c->err, TW_ENOMEM, 0, "%s: out of memory", c->name);
}

char *tw_cfg_origin(const tw_cfg_ctx *c, tw_cfg_pos pos) {
  char tmp[400];
  if (pos.line)
    snprintf(tmp, sizeof tmp, "%s:%lu:%lu", c->name, pos.line, pos.col);
  else
    snprintf(tmp, sizeof tmp, "%s: %s", c->name, c->path);
  return strdup(tmp);
}

char *tw_cfg_where(const tw_cfg_ctx *c, tw_cfg_pos pos) {
  char tmp[512];
  if (pos.line)
    snprintf(tmp, sizeof tmp, "%s:%lu:%lu: %s", c->name, pos.line, pos.col, c->path);
  else
    snprintf(tmp, sizeof tmp, "%s: %s", c->name, c->path);
  return strdup(tmp);
}

tw_cfg_pos tw_cfg_pos_of(const tw_cfg_ctx *c, const json_t *container, const char *key,
                         size_t index, int want_key) {
  return tw_cfg_posmap_get(c->pm, container, key, index, want_key);
}

const char *tw_cfg_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "a mapping";
  case JSON_ARRAY: return "a list";
  case JSON_STRING: return "a string";
  case JSON_INTEGER:
  case JSON_REAL: return "a number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  default: return "null";
  }
}

size_t tw_cfg_utf8_chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* Edit distance of two short keys (insert, delete, substitute, case-blind),
 * capped: long keys count as far apart. */
static size_t tw_cfg_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63)
    return (size_t)-1;
  size_t row[64];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      int same = (a[i - 1] | 0x20) == (b[j - 1] | 0x20);
      size_t best = diag + !same;
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static const char *tw_cfg_suggest(const char *key, const char *const *allowed) {
  const char *best = NULL;
  size_t bestd = 3;
  for (size_t i = 0; allowed[i]; i++) {
    if (strchr(allowed[i], '*'))
      continue;
    size_t d = tw_cfg_distance(key, allowed[i]);
    if (d < bestd) {
      bestd = d;
      best = allowed[i];
    }
  }
  return best;
}

/* An allowed entry ending in '*' accepts every key with that prefix. */
static int tw_cfg_is_allowed(const char *key, const char *const *allowed) {
  for (size_t i = 0; allowed[i]; i++) {
    size_t n = strlen(allowed[i]);
    if (n && allowed[i][n - 1] == '*' ? !strncmp(key, allowed[i], n - 1)
                                      : !strcmp(key, allowed[i]))
      return 1;
  }
  return 0;
}

int tw_cfg_check_keys(tw_cfg_ctx *c, const json_t *obj, const char *const *allowed,
                      size_t nshown, const char *what) {
  const char *key;
  const json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    if (tw_cfg_is_allowed(key, allowed))
      continue;
    tw_cfg_pos pos = tw_cfg_pos_of(c, obj, key, 0, 1);
    const char *near = tw_cfg_suggest(key, allowed);
    if (near)
      return tw_cfg_fail(c, pos, "unknown key '%s' in %s (did you mean '%s'?)", key, what, near);
    char list[200] = "";
    size_t used = 0;
    for (size_t i = 0; allowed[i] && i < nshown && used < sizeof list; i++)
      used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
    return tw_cfg_fail(c, pos, "unknown key '%s' in %s (accepted: %s)", key, what, list);
  }
  return TW_OK;
}

int tw_cfg_fail_type(tw_cfg_ctx *c, const json_t *obj, const char *key, const char *expected,
                     const char *hint) {
  const json_t *v = json_object_get(obj, key);
  tw_cfg_pos pos = tw_cfg_pos_of(c, obj, key, 0, 0);
  tw_cfg_path_key(c, key);
  return tw_cfg_fail(c, pos, "expected %s, got %s%s", expected, tw_cfg_type_name(v),
                     hint ? hint : "");
}

int tw_cfg_fail_missing(tw_cfg_ctx *c, tw_cfg_pos obj_pos, const char *key) {
  return tw_cfg_fail(c, obj_pos, "missing required key '%s'", key);
}

int tw_cfg_get_string(tw_cfg_ctx *c, const json_t *obj, tw_cfg_pos obj_pos, const char *key,
                      int required, const char **out) {
  const json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (!v)
    return required ? tw_cfg_fail_missing(c, obj_pos, key) : TW_OK;
  if (!json_is_string(v))
    return tw_cfg_fail_type(c, obj, key, "a string", NULL);
  *out = json_string_value(v);
  return TW_OK;
}

const json_t *tw_cfg_member(const json_t *obj, const char *key) {
  const json_t *v = json_object_get(obj, key);
  return json_is_null(v) ? NULL : v;
}

int tw_cfg_dup(tw_cfg_ctx *c, const char *s, char **out) {
  *out = NULL;
  if (!s)
    return TW_OK;
  *out = strdup(s);
  return *out ? TW_OK : tw_cfg_nomem(c);
}

int tw_cfg_vec_reserve(tw_cfg_vec *v, size_t extra) {
  if (v->n + extra <= v->cap)
    return TW_OK;
  size_t ncap = v->cap ? v->cap : 16;
  while (ncap < v->n + extra)
    ncap *= 2;
  void **ni = realloc(v->items, ncap * sizeof *ni);
  if (!ni)
    return TW_ENOMEM;
  v->items = ni;
  v->cap = ncap;
  return TW_OK;
}

int tw_cfg_vec_push(tw_cfg_vec *v, void *item) {
  if (tw_cfg_vec_reserve(v, 1))
    return TW_ENOMEM;
  v->items[v->n++] = item;
  return TW_OK;
}
