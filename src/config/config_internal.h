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
 *     a validated, compiled tw_metric_filter_def;
 *   - parameters and ${Name} substitution (config_param.c);
 *   - alarms validated with tw_alarm_parse_ex (config_alarm.c), targets and
 *     their deliveries (config_target.c), rule-pack entries (config_rule.c);
 *   - the staging area of one file and the committed sets (config_set.c);
 *   - defaultAlarmActions, applied at tw_config_finish (config_defaults.c);
 *   - CloudFormation templates (config_cfn.c) and their intrinsic
 *     functions (config_cfn_fn.c).
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
/* Record child (to_key, or the next list item when NULL) of the new
 * container `to` with the positions of member from_key / item from_index
 * of `from`. */
int tw_cfg_posmap_copy(tw_cfg_posmap *pm, const json_t *to, const char *to_key,
                       const json_t *from, const char *from_key, size_t from_index);
/* The first CloudFormation short-form tag of the document (line 0: none). */
void tw_cfg_posmap_note_tag(tw_cfg_posmap *pm, tw_cfg_pos pos, const char *tag);
tw_cfg_pos tw_cfg_posmap_tag(const tw_cfg_posmap *pm, const char **tag);

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
  const char *name;  /* file name used in messages */
  tw_cfg_posmap *pm; /* never NULL during a load (may know no positions) */
  tw_error *err;
  char path[256]; /* field path of the node being checked */
  size_t plen;
  int pascal; /* CloudFormation spelling of filter fields: FilterName, ... */
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
/* "FILE:L:C: PATH" (or "FILE: PATH"): the start of a later message about
 * the node at pos (malloc'd). */
char *tw_cfg_where(const tw_cfg_ctx *c, tw_cfg_pos pos);

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
/* Member key of obj; a member set to null counts as absent. */
const json_t *tw_cfg_member(const json_t *obj, const char *key);
/* Set *out to a copy of s (NULL stays NULL); tw_cfg_nomem on failure. */
int tw_cfg_dup(tw_cfg_ctx *c, const char *s, char **out);

/* ---- growable lists of pointers (config_check.c) ---- */

typedef struct tw_cfg_vec {
  void **items;
  size_t n, cap;
} tw_cfg_vec;

/* Room for extra more items (so that later pushes cannot fail). */
int tw_cfg_vec_reserve(tw_cfg_vec *v, size_t extra);
int tw_cfg_vec_push(tw_cfg_vec *v, void *item);

/* ---- metric filters (config_filter.c) ---- */

/* Validate and compile the metric filter object f written at fpos (the
 * context's path names it; c->pascal selects CloudFormation spelling). On
 * success *out is a new definition. */
int tw_cfg_filter_build(tw_cfg_ctx *c, const json_t *f, tw_cfg_pos fpos,
                        tw_metric_filter_def **out);
void tw_cfg_filter_free(tw_metric_filter_def *d);

/* ---- parameters (config_param.c) ---- */

typedef struct tw_cfg_memo tw_cfg_memo;

typedef struct tw_cfg_params {
  const json_t *set; /* tw_config_set_parameter: name -> string */
  json_t *defaults;  /* the file's parameters: name -> string, or null (required) */
  tw_cfg_memo *memo; /* container -> its substituted copy */
} tw_cfg_params;

/* 1-255 characters from A-Z a-z 0-9 _ . - : */
int tw_cfg_param_name_ok(const char *name, size_t len);
/* Read the top-level `parameters:` mapping of root into p->defaults. */
int tw_cfg_params_read(tw_cfg_ctx *c, const json_t *root, tw_cfg_params *p);
void tw_cfg_params_clear(tw_cfg_params *p);
/* A copy of v (written at pos; c->path names it) with ${Name} replaced in
 * every string, $${ giving a literal ${. Unchanged parts are shared with v
 * (*out is a new reference). */
int tw_cfg_subst(tw_cfg_ctx *c, tw_cfg_params *p, const json_t *v, tw_cfg_pos pos, json_t **out);
/* The same for one string s (a mapping key); *out malloc'd. */
int tw_cfg_subst_text(tw_cfg_ctx *c, tw_cfg_params *p, const char *s, tw_cfg_pos pos, char **out);

/* Kinds of scalar field for tw_cfg_coerce. */
typedef enum tw_cfg_kind { TW_CFG_INT, TW_CFG_NUMBER, TW_CFG_BOOL, TW_CFG_STRING } tw_cfg_kind;
/* Member key of obj (a container this load owns): when it is a string that
 * reads as kind ("300", "2.5", "true"), or a number/boolean and kind is
 * TW_CFG_STRING, replace it by the value of that kind. Other values are
 * left for the validators to report. */
int tw_cfg_coerce(json_t *obj, const char *key, tw_cfg_kind kind);
/* The same, but only when the member was written as exactly "${Name}" in
 * orig (the object before substitution). */
int tw_cfg_coerce_param(const json_t *orig, json_t *obj, const char *key, tw_cfg_kind kind);

/* Pointer memo: container -> value (both referenced). */
int tw_cfg_memo_new(tw_cfg_memo **out);
void tw_cfg_memo_free(tw_cfg_memo *m);
json_t *tw_cfg_memo_get(const tw_cfg_memo *m, const json_t *key);
int tw_cfg_memo_put(tw_cfg_memo *m, const json_t *key, json_t *value);

/* ---- alarms, targets, rules (config_alarm.c, config_target.c, config_rule.c) ---- */

/* A "FILE:L:C: PATH" place and the value found there. */
typedef struct tw_cfg_ref {
  char *value, *where;
} tw_cfg_ref;

typedef struct tw_cfg_alarm {
  json_t *raw;           /* the PutMetricAlarm object */
  tw_alarm *compiled;
  char *name;            /* AlarmName */
  char *origin;
  tw_cfg_ref *actions;   /* every ARN of AlarmActions, OKActions, InsufficientDataActions */
  size_t nactions;
  json_t *raw_loaded;    /* once defaultAlarmActions are applied: raw and compiled */
  tw_alarm *compiled_loaded; /* as loaded (kept so pointers stay valid), else NULL */
} tw_cfg_alarm;

/* Validate alarm object a (written at apos; the path names it) with
 * tw_alarm_parse_ex; errors are moved to the field's position. */
int tw_cfg_alarm_build(tw_cfg_ctx *c, json_t *a, tw_cfg_pos apos, tw_cfg_alarm **out);
void tw_cfg_alarm_free(tw_cfg_alarm *a);

typedef struct tw_cfg_target {
  tw_target_def def;
  json_t *raw;           /* list of delivery objects */
  char *problem;         /* template topics: why a subscription cannot be delivered */
  char *problem_where;   /* "FILE:L:C: PATH" of that subscription */
} tw_cfg_target;

/* A `targets:` entry: arn -> list (written at pos; the path names it). */
int tw_cfg_target_build(tw_cfg_ctx *c, const char *arn, const json_t *list, tw_cfg_pos pos,
                        tw_cfg_target **out);
/* An empty target for a template topic. */
int tw_cfg_target_new(tw_cfg_ctx *c, const char *arn, tw_cfg_pos pos, tw_cfg_target **out);
/* Validate delivery object d (written at dpos; the path names it) and add
 * it to t. */
int tw_cfg_target_add(tw_cfg_ctx *c, tw_cfg_target *t, const json_t *d, tw_cfg_pos dpos);
void tw_cfg_target_free(tw_cfg_target *t);

typedef struct tw_cfg_rule {
  tw_rule_def def;
  char *filter_where, *alarm_where; /* places of filterName and AlarmName */
} tw_cfg_rule;

int tw_cfg_rule_build(tw_cfg_ctx *c, const json_t *r, tw_cfg_pos rpos, tw_cfg_rule **out);
void tw_cfg_rule_free(tw_cfg_rule *r);

/* ---- defaultAlarmActions (config_defaults.c) ---- */

/* The top-level defaultAlarmActions of the one file that gives it. */
typedef struct tw_cfg_defaults {
  json_t *actions;  /* the list of ARNs (parameters substituted); NULL: not given */
  char *origin;     /* "FILE:L:C" of the key */
  tw_cfg_ref *refs; /* each ARN with its place "FILE:L:C: defaultAlarmActions[i]" */
  size_t nrefs;
} tw_cfg_defaults;

void tw_cfg_defaults_clear(tw_cfg_defaults *d);

/* ---- what a configuration holds (config_set.c) ---- */

typedef struct tw_cfg_set {
  tw_cfg_vec filters;   /* tw_metric_filter_def * */
  tw_cfg_vec alarms;    /* tw_cfg_alarm * */
  tw_cfg_vec targets;   /* tw_cfg_target * */
  tw_cfg_vec rules;     /* tw_cfg_rule * */
  json_t *filter_names; /* "logGroup:filterName" -> origin */
  json_t *alarm_names;  /* AlarmName -> origin */
  json_t *rule_names;   /* rule name -> origin */
  json_t *targets_json; /* action ARN -> list of delivery objects */
  json_t *target_index; /* action ARN -> index into targets */
  tw_cfg_defaults defaults; /* defaultAlarmActions, from at most one file */
} tw_cfg_set;

int tw_cfg_set_init(tw_cfg_set *s);
void tw_cfg_set_clear(tw_cfg_set *s);

/* One file being loaded: its context, its stage, what is already loaded. */
typedef struct tw_cfg_load {
  tw_cfg_ctx c;
  const tw_cfg_set *all; /* loaded before this file */
  tw_cfg_set *stage;     /* this file */
  tw_cfg_params params;
} tw_cfg_load;

/* Add to the stage, checking names unique across files. Each takes
 * ownership of the item (freed on failure). pos = where the item is. */
int tw_cfg_stage_filter(tw_cfg_load *L, tw_metric_filter_def *d);
int tw_cfg_stage_alarm(tw_cfg_load *L, tw_cfg_alarm *a, tw_cfg_pos pos);
int tw_cfg_stage_target(tw_cfg_load *L, tw_cfg_target *t, tw_cfg_pos pos);
int tw_cfg_stage_rule(tw_cfg_load *L, tw_cfg_rule *r, tw_cfg_pos pos);
/* A target of the stage or of the loaded set, or NULL. */
tw_cfg_target *tw_cfg_set_find_target(const tw_cfg_set *s, const char *arn);
/* Move everything of the stage into all, or nothing (TW_ENOMEM). A
 * `targets:` entry replaces a template topic's target of the same ARN,
 * whichever is loaded first. The stage is left empty. */
int tw_cfg_set_merge(tw_cfg_set *all, tw_cfg_set *stage);
/* Cross-file references (tw_config_finish). */
int tw_cfg_set_check(const tw_cfg_set *all, tw_error *err);

/* The top-level defaultAlarmActions of a trailwatch file into the stage:
 * validated as AlarmActions, an error when a loaded file gave it already
 * (config_defaults.c). */
int tw_cfg_defaults_read(tw_cfg_load *L, const json_t *root);
/* tw_config_finish, before the checks: every alarm without AlarmActions
 * (absent or null) gets the defaults in its JSON, its compiled alarm and
 * its action references. Idempotent. */
int tw_cfg_set_apply_defaults(tw_cfg_set *all, tw_error *err);

/* ---- trailwatch files and CloudFormation templates ---- */

/* A trailwatch configuration document (config_file.c). */
int tw_cfg_file_load(tw_cfg_load *L, const json_t *root);

/* Whether root is a CloudFormation template: a top-level Resources
 * mapping or AWSTemplateFormatVersion (config_cfn.c). */
int tw_cfg_is_template(const json_t *root);
int tw_cfg_template_load(tw_cfg_load *L, const json_t *root);

#endif /* TW_CONFIG_INTERNAL_H */
