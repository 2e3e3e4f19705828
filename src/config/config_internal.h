/*
 * config_internal.h — pieces of the configuration loader shared inside
 * src/config/ only:
 *
 *   - tw_cfg_posmap (config_pos.c): the source position (line, column) of
 *     every child of every container of a parsed document, kept beside the
 *     jansson tree so semantic errors can name FILE:LINE:COL;
 *   - the YAML reader (config_yaml.c, config_scalar.c): libyaml events ->
 *     jansson values + positions;
 *   - tw_cfg_doc_parse (config_doc.c): format detection, JSON via jansson;
 *   - tw_cfg_ctx (config_check.c): field paths, error formatting and the
 *     small type/length checks used by the validators;
 *   - tw_cfg_filter_build (config_filter.c): one metricFilters entry ->
 *     a validated, compiled tw_metric_filter_def.
 */
#ifndef TW_CONFIG_INTERNAL_H
#define TW_CONFIG_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "config/config.h"
#include "trailwatch.h"

/* Bounds on one document (see docs/config.md). */
#define TW_CFG_MAX_NODES 5000000u /* values, counting every alias expansion */
#define TW_CFG_MAX_DEPTH 256u     /* nesting of mappings and lists */
#define TW_CFG_MAX_FILE (256u << 20)

/* A 1-based source position; line 0 means unknown. */
typedef struct tw_cfg_pos {
  unsigned long line, col;
} tw_cfg_pos;

/* ---- positions (config_pos.c) ---- */

typedef struct tw_cfg_posmap tw_cfg_posmap;

int tw_cfg_posmap_new(tw_cfg_posmap **out);
void tw_cfg_posmap_free(tw_cfg_posmap *pm);
/* Record the next child of container: key (NULL for a list item) with the
 * positions of the key and of the value. Children are recorded in order. */
int tw_cfg_posmap_add(tw_cfg_posmap *pm, const json_t *container, const char *key,
                      tw_cfg_pos key_pos, tw_cfg_pos val_pos);
/* Position of a child: of the member key (key != NULL) or of list item
 * index. want_key selects the key's own position instead of the value's.
 * Unknown (line 0) when pm is NULL or nothing was recorded. */
tw_cfg_pos tw_cfg_posmap_get(const tw_cfg_posmap *pm, const json_t *container, const char *key,
                             size_t index, int want_key);
void tw_cfg_posmap_set_root(tw_cfg_posmap *pm, tw_cfg_pos pos);
tw_cfg_pos tw_cfg_posmap_root(const tw_cfg_posmap *pm);

/* ---- YAML (config_yaml.c, config_scalar.c) ---- */

/* Parse one YAML document into *root (a new reference) and record the
 * positions in pm. Errors are "NAME:L:C: ..." in err; TW_EINVAL/TW_ENOMEM. */
int tw_cfg_yaml_parse(const char *name, const char *data, size_t len, tw_cfg_posmap *pm,
                      json_t **root, tw_error *err);

/* Resolve a scalar: plain says whether it was written unquoted, tag is its
 * explicit tag (NULL or "!" when none). On success *out is a new value. On
 * failure *problem says why (TW_EINVAL) or TW_ENOMEM is returned. */
int tw_cfg_yaml_scalar(const char *text, size_t len, int plain, const char *tag, json_t **out,
                       const char **problem);

/* Strict UTF-8 check (no overlongs, surrogates or code points > U+10FFFF). */
int tw_cfg_utf8_valid(const unsigned char *s, size_t len);

/* ---- documents (config_doc.c) ---- */

/* Parse a whole file: JSON when its first non-blank byte is '{' or '['
 * (jansson, exact JSON; positions from a second, libyaml pass when that
 * pass reads the same tree), YAML otherwise. *pm may be left NULL. */
int tw_cfg_doc_parse(const char *name, const char *data, size_t len, json_t **root,
                     tw_cfg_posmap **pm, tw_error *err);

/* ---- checking context and messages (config_check.c) ---- */

typedef struct tw_cfg_ctx {
  const char *name;        /* file name used in messages */
  const tw_cfg_posmap *pm; /* may be NULL */
  tw_error *err;
  char path[192]; /* field path of the node being checked */
  size_t plen;
} tw_cfg_ctx;

/* Append ".key" / "[i]" to the path; both return the previous length for
 * tw_cfg_path_pop. */
size_t tw_cfg_path_key(tw_cfg_ctx *c, const char *key);
size_t tw_cfg_path_index(tw_cfg_ctx *c, size_t i);
void tw_cfg_path_pop(tw_cfg_ctx *c, size_t len);

/* Set c->err to "NAME:L:C: PATH: message" ("NAME: PATH: ..." when pos is
 * unknown) and return TW_EINVAL. */
int tw_cfg_fail(tw_cfg_ctx *c, tw_cfg_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tw_cfg_nomem(tw_cfg_ctx *c);

/* "FILE:L:C" for pos, or "FILE: PATH" when pos is unknown (malloc'd). */
char *tw_cfg_origin(const tw_cfg_ctx *c, tw_cfg_pos pos);

/* Position of member key / item index of container (value or key). */
tw_cfg_pos tw_cfg_pos_of(const tw_cfg_ctx *c, const json_t *container, const char *key,
                         size_t index, int want_key);

/* "a string", "a number", "a boolean", "null", "a list", "a mapping". */
const char *tw_cfg_type_name(const json_t *v);

/* Characters (UTF-8 code points) of s. */
size_t tw_cfg_utf8_chars(const char *s);

/* Fail on the first member of obj whose key is not in allowed (NULL-
 * terminated; an entry "x-*" accepts any key starting "x-"); the message suggests a close accepted key when there is one,
 * else lists the first nshown accepted keys. what names the object
 * ("a metric filter"). */
int tw_cfg_check_keys(tw_cfg_ctx *c, const json_t *obj, const char *const *allowed,
                      size_t nshown, const char *what);

/* Fail with "expected TYPE, got ..." at member key of obj (path += key). */
int tw_cfg_fail_type(tw_cfg_ctx *c, const json_t *obj, const char *key, const char *expected,
                     const char *hint);

/* Fail with "missing required key 'key'" at the object (at obj_pos). */
int tw_cfg_fail_missing(tw_cfg_ctx *c, tw_cfg_pos obj_pos, const char *key);

/* Member key of obj as a string. Absent: *out = NULL, an error when
 * required (reported at obj_pos). Not a string: a type error. */
int tw_cfg_get_string(tw_cfg_ctx *c, const json_t *obj, tw_cfg_pos obj_pos, const char *key,
                      int required, const char **out);

/* ---- metric filters (config_filter.c) ---- */

/* Validate and compile the metricFilters entry v (item index of list,
 * the context's path names it). On success *out is a new definition. */
int tw_cfg_filter_build(tw_cfg_ctx *c, const json_t *list, size_t index,
                        tw_metric_filter_def **out);
void tw_cfg_filter_free(tw_metric_filter_def *d);

#endif /* TW_CONFIG_INTERNAL_H */
