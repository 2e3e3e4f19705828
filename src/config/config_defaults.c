/*
 * config_defaults.c — `defaultAlarmActions:`, the alarm actions of alarms
 * that have none, so that rule packs (whose alarms name no actions) can
 * notify.
 *
 * A trailwatch file may give the top-level key once across all the files
 * loaded (a second file giving it is an error naming both places). Its
 * list is validated by the alarm module's own parser, as the AlarmActions
 * of a stand-in alarm, so it accepts exactly what an alarm's AlarmActions
 * accepts (at most 5 ARNs) with the same messages, placed at the key's
 * value or at the list item. At tw_config_finish every alarm without an
 * AlarmActions member (absent or null; an explicit [] is left alone) gets
 * the list: in its PutMetricAlarm JSON, in its compiled tw_alarm (parsed
 * again from that JSON) and in its action references, placed at the
 * defaultAlarmActions item, for the target check. An alarm is defaulted
 * at most once, so finishing again changes nothing; its JSON and alarm
 * from before are kept until the configuration is freed, so pointers
 * handed out earlier stay valid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

#define TW_CFG_DEFAULTS_KEY "defaultAlarmActions"

void tw_cfg_defaults_clear(tw_cfg_defaults *d) {
  json_decref(d->actions);
  free(d->origin);
  for (size_t i = 0; i < d->nrefs; i++) {
    free(d->refs[i].value);
    free(d->refs[i].where);
  }
  free(d->refs);
  memset(d, 0, sizeof *d);
}

/* A PutMetricAlarm request that is valid apart from, possibly, its
 * AlarmActions (list): the alarm parser checks the list as it checks any
 * alarm's. */
static json_t *tw_cfg_defaults_probe(const json_t *list) {
  return json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:f,s:s,s:O}", "AlarmName", TW_CFG_DEFAULTS_KEY,
                   "Namespace", "trailwatch", "MetricName", "defaults", "Statistic", "Sum",
                   "Period", 60, "EvaluationPeriods", 1, "Threshold", 0.0,
                   "ComparisonOperator", "GreaterThanThreshold", "AlarmActions", list);
}

/* The alarm parser's message about AlarmActions, at the value or at the
 * item it names ("entry N ..."). */
static int tw_cfg_defaults_fail(tw_cfg_ctx *c, const json_t *list, tw_cfg_pos vpos,
                                const char *msg) {
  static const char prefix[] = "AlarmActions: ";
  if (!strncmp(msg, prefix, sizeof prefix - 1))
    msg += sizeof prefix - 1;
  unsigned long entry = 0;
  tw_cfg_pos pos = vpos;
  if (sscanf(msg, "entry %lu", &entry) == 1 && entry < json_array_size(list)) {
    tw_cfg_pos ipos = tw_cfg_pos_of(c, list, NULL, entry, 0);
    if (ipos.line)
      pos = ipos;
  }
  return tw_cfg_fail(c, pos, "%s", msg);
}

/* Validate the (substituted) list as AlarmActions. orig is the list as
 * written, which holds the positions. */
static int tw_cfg_defaults_check(tw_cfg_ctx *c, const json_t *list, const json_t *orig,
                                 tw_cfg_pos vpos) {
  json_t *probe = tw_cfg_defaults_probe(list);
  char *text = probe ? json_dumps(probe, JSON_COMPACT) : NULL;
  json_decref(probe);
  if (!text)
    return tw_cfg_nomem(c);
  tw_alarm *alarm = NULL;
  tw_error aerr = {0};
  int rc = tw_alarm_parse_ex(text, strlen(text), &alarm, &aerr, NULL);
  free(text);
  tw_alarm_free(alarm);
  if (rc == TW_ENOMEM)
    return tw_cfg_nomem(c);
  return rc ? tw_cfg_defaults_fail(c, orig, vpos, aerr.message) : TW_OK;
}

/* Each ARN of list with its place "FILE:L:C: defaultAlarmActions[i]". */
static int tw_cfg_defaults_refs(tw_cfg_ctx *c, const json_t *list, const json_t *orig,
                                tw_cfg_defaults *d) {
  size_t n = json_array_size(list);
  if (!n)
    return TW_OK;
  if (!(d->refs = calloc(n, sizeof *d->refs)))
    return tw_cfg_nomem(c);
  for (size_t i = 0; i < n; i++) {
    tw_cfg_ref *r = &d->refs[d->nrefs++];
    size_t old = tw_cfg_path_index(c, i);
    r->where = tw_cfg_where(c, tw_cfg_pos_of(c, orig, NULL, i, 0));
    tw_cfg_path_pop(c, old);
    if (!r->where || tw_cfg_dup(c, json_string_value(json_array_get(list, i)), &r->value))
      return tw_cfg_nomem(c);
  }
  return TW_OK;
}

/* Fill d from the substituted list (the path names the key). */
static int tw_cfg_defaults_build(tw_cfg_ctx *c, json_t *list, const json_t *orig,
                                 tw_cfg_pos kpos, tw_cfg_defaults *d) {
  int rc = tw_cfg_defaults_refs(c, list, orig, d);
  if (!rc && !(d->origin = tw_cfg_origin(c, kpos)))
    rc = tw_cfg_nomem(c);
  if (!rc)
    d->actions = json_incref(list);
  return rc;
}

int tw_cfg_defaults_read(tw_cfg_load *L, const json_t *root) {
  tw_cfg_ctx *c = &L->c;
  const json_t *orig = tw_cfg_member(root, TW_CFG_DEFAULTS_KEY);
  if (!orig)
    return TW_OK;
  tw_cfg_pos kpos = tw_cfg_pos_of(c, root, TW_CFG_DEFAULTS_KEY, 0, 1);
  tw_cfg_pos vpos = tw_cfg_pos_of(c, root, TW_CFG_DEFAULTS_KEY, 0, 0);
  size_t old = tw_cfg_path_key(c, TW_CFG_DEFAULTS_KEY);
  if (L->all->defaults.origin)
    return tw_cfg_fail(c, kpos, "already given at %s (give it in one file only)",
                       L->all->defaults.origin);
  json_t *list = NULL;
  tw_cfg_defaults d = {0};
  int rc = tw_cfg_subst(c, &L->params, orig, vpos, &list);
  if (!rc)
    rc = tw_cfg_defaults_check(c, list, orig, vpos);
  if (!rc)
    rc = tw_cfg_defaults_build(c, list, orig, kpos, &d);
  json_decref(list);
  if (rc) {
    tw_cfg_defaults_clear(&d);
    return rc;
  }
  L->stage->defaults = d;
  tw_cfg_path_pop(c, old);
  return TW_OK;
}

/* Copies of the n references of src. */
static tw_cfg_ref *tw_cfg_refs_dup(const tw_cfg_ref *src, size_t n) {
  tw_cfg_ref *out = calloc(n, sizeof *out);
  for (size_t i = 0; out && i < n; i++) {
    out[i].value = strdup(src[i].value);
    out[i].where = strdup(src[i].where);
    if (out[i].value && out[i].where)
      continue;
    for (size_t k = 0; k <= i; k++) {
      free(out[k].value);
      free(out[k].where);
    }
    free(out);
    return NULL;
  }
  return out;
}

/* Append the default references to a's (nothing changes on failure). */
static int tw_cfg_alarm_add_refs(tw_cfg_alarm *a, const tw_cfg_defaults *d) {
  tw_cfg_ref *add = tw_cfg_refs_dup(d->refs, d->nrefs);
  tw_cfg_ref *grown = add ? realloc(a->actions, (a->nactions + d->nrefs) * sizeof *grown) : NULL;
  if (!grown) {
    for (size_t i = 0; add && i < d->nrefs; i++) {
      free(add[i].value);
      free(add[i].where);
    }
    free(add);
    return TW_ENOMEM;
  }
  memcpy(grown + a->nactions, add, d->nrefs * sizeof *add);
  free(add);
  a->actions = grown;
  a->nactions += d->nrefs;
  return TW_OK;
}

/* a's PutMetricAlarm JSON with AlarmActions set to the defaults, and the
 * alarm parsed from it. */
static int tw_cfg_alarm_with_defaults(const tw_cfg_alarm *a, const tw_cfg_defaults *d,
                                      json_t **raw, tw_alarm **compiled, tw_error *err) {
  json_t *r = json_copy(a->raw);
  if (!r || json_object_set_new(r, "AlarmActions", json_deep_copy(d->actions))) {
    json_decref(r);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  char *text = json_dumps(r, JSON_COMPACT);
  tw_error aerr = {0};
  int rc = text ? tw_alarm_parse_ex(text, strlen(text), compiled, &aerr, NULL) : TW_ENOMEM;
  free(text);
  if (rc == TW_ENOMEM)
    rc = tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  else if (rc)
    rc = tw_error_set(err, rc, 0, "%s: %s (from %s at %s)", a->origin, aerr.message,
                      TW_CFG_DEFAULTS_KEY, d->origin);
  if (rc) {
    json_decref(r);
    return rc;
  }
  *raw = r;
  return TW_OK;
}

/* Give alarm a the default actions when it has no AlarmActions. */
static int tw_cfg_alarm_default(tw_cfg_alarm *a, const tw_cfg_defaults *d, tw_error *err) {
  if (a->raw_loaded || tw_cfg_member(a->raw, "AlarmActions"))
    return TW_OK;
  json_t *raw = NULL;
  tw_alarm *compiled = NULL;
  int rc = tw_cfg_alarm_with_defaults(a, d, &raw, &compiled, err);
  if (rc)
    return rc;
  if (tw_cfg_alarm_add_refs(a, d)) {
    json_decref(raw);
    tw_alarm_free(compiled);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  a->raw_loaded = a->raw;
  a->compiled_loaded = a->compiled;
  a->raw = raw;
  a->compiled = compiled;
  return TW_OK;
}

int tw_cfg_set_apply_defaults(tw_cfg_set *all, tw_error *err) {
  if (!json_array_size(all->defaults.actions))
    return TW_OK;
  for (size_t i = 0; i < all->alarms.n; i++) {
    int rc = tw_cfg_alarm_default(all->alarms.items[i], &all->defaults, err);
    if (rc)
      return rc;
  }
  return TW_OK;
}
