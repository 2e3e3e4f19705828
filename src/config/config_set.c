/*
 * config_set.c — what a configuration holds (tw_cfg_set): metric filters,
 * alarms, targets and rules, with name indexes for the checks that span
 * files.
 *
 * A file is loaded into a stage (a set of its own); every item is checked
 * against the loaded set and the stage as it is added (filterName unique
 * per log group, AlarmName and rule names unique, one `targets:` entry per
 * ARN, one template topic per ARN). tw_cfg_set_merge moves a valid stage
 * into the configuration all at once or not at all; a `targets:` entry
 * replaces the target a template built from a topic's subscriptions, in
 * whichever order the two files come; the one defaultAlarmActions moves in
 * with its file. tw_cfg_set_check does the checks that need every file
 * (tw_config_finish): action ARNs have targets that can deliver, rules name
 * loaded filters and alarms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

int tw_cfg_set_init(tw_cfg_set *s) {
  memset(s, 0, sizeof *s);
  s->filter_names = json_object();
  s->alarm_names = json_object();
  s->rule_names = json_object();
  s->targets_json = json_object();
  s->target_index = json_object();
  if (!s->filter_names || !s->alarm_names || !s->rule_names || !s->targets_json ||
      !s->target_index) {
    tw_cfg_set_clear(s);
    return TW_ENOMEM;
  }
  return TW_OK;
}

void tw_cfg_set_clear(tw_cfg_set *s) {
  for (size_t i = 0; i < s->filters.n; i++)
    tw_cfg_filter_free(s->filters.items[i]);
  for (size_t i = 0; i < s->alarms.n; i++)
    tw_cfg_alarm_free(s->alarms.items[i]);
  for (size_t i = 0; i < s->targets.n; i++)
    tw_cfg_target_free(s->targets.items[i]);
  for (size_t i = 0; i < s->rules.n; i++)
    tw_cfg_rule_free(s->rules.items[i]);
  free(s->filters.items);
  free(s->alarms.items);
  free(s->targets.items);
  free(s->rules.items);
  json_decref(s->filter_names);
  json_decref(s->alarm_names);
  json_decref(s->rule_names);
  json_decref(s->targets_json);
  json_decref(s->target_index);
  tw_cfg_defaults_clear(&s->defaults);
  memset(s, 0, sizeof *s);
}

/* The origin recorded under key in the loaded set or the stage. */
static const char *tw_cfg_first(const json_t *all_index, const json_t *stage_index,
                                const char *key) {
  const json_t *v = json_object_get(all_index, key);
  if (!v)
    v = json_object_get(stage_index, key);
  return json_string_value(v);
}

int tw_cfg_stage_filter(tw_cfg_load *L, tw_metric_filter_def *d) {
  size_t klen = strlen(d->log_group_name) + strlen(d->filter_name) + 2;
  char *key = malloc(klen);
  int rc = TW_OK;
  if (key)
    snprintf(key, klen, "%s:%s", d->log_group_name, d->filter_name);
  else
    rc = tw_cfg_nomem(&L->c);
  const char *first = rc ? NULL : tw_cfg_first(L->all->filter_names, L->stage->filter_names, key);
  if (first)
    rc = tw_error_set(L->c.err, TW_EINVAL, 0,
                      "%s: duplicate filterName '%s' in log group '%s' (first defined at %s)",
                      d->origin, d->filter_name, d->log_group_name, first);
  else if (!rc && json_object_set_new(L->stage->filter_names, key, json_string(d->origin)))
    rc = tw_cfg_nomem(&L->c);
  if (!rc && tw_cfg_vec_push(&L->stage->filters, d))
    rc = tw_cfg_nomem(&L->c);
  free(key);
  if (rc)
    tw_cfg_filter_free(d);
  return rc;
}

int tw_cfg_stage_alarm(tw_cfg_load *L, tw_cfg_alarm *a, tw_cfg_pos pos) {
  const char *first = tw_cfg_first(L->all->alarm_names, L->stage->alarm_names, a->name);
  int rc = TW_OK;
  if (first) {
    size_t old = tw_cfg_path_key(&L->c, "AlarmName");
    rc = tw_cfg_fail(&L->c, pos, "duplicate AlarmName '%s' (first defined at %s)", a->name,
                     first);
    tw_cfg_path_pop(&L->c, old);
  } else if (json_object_set_new(L->stage->alarm_names, a->name, json_string(a->origin)) ||
             tw_cfg_vec_push(&L->stage->alarms, a)) {
    rc = tw_cfg_nomem(&L->c);
  }
  if (rc)
    tw_cfg_alarm_free(a);
  return rc;
}

tw_cfg_target *tw_cfg_set_find_target(const tw_cfg_set *s, const char *arn) {
  const json_t *i = json_object_get(s->target_index, arn);
  return i ? s->targets.items[json_integer_value(i)] : NULL;
}

int tw_cfg_stage_target(tw_cfg_load *L, tw_cfg_target *t, tw_cfg_pos pos) {
  const tw_cfg_target *prev[2] = {tw_cfg_set_find_target(L->all, t->def.arn),
                                  tw_cfg_set_find_target(L->stage, t->def.arn)};
  int rc = TW_OK;
  for (size_t i = 0; i < 2 && !rc; i++)
    if (prev[i] && prev[i]->def.from_template == t->def.from_template)
      rc = t->def.from_template
               ? tw_cfg_fail(&L->c, pos, "the topic %s is already defined at %s", t->def.arn,
                             prev[i]->def.origin)
               : tw_cfg_fail(&L->c, pos, "target already defined at %s", prev[i]->def.origin);
  json_t *idx = rc ? NULL : json_integer((json_int_t)L->stage->targets.n);
  if (!rc && (!idx || json_object_set_new(L->stage->target_index, t->def.arn, idx) ||
              tw_cfg_vec_push(&L->stage->targets, t)))
    rc = tw_cfg_nomem(&L->c);
  if (rc)
    tw_cfg_target_free(t);
  return rc;
}

int tw_cfg_stage_rule(tw_cfg_load *L, tw_cfg_rule *r, tw_cfg_pos pos) {
  const char *first = tw_cfg_first(L->all->rule_names, L->stage->rule_names, r->def.name);
  int rc = TW_OK;
  if (first) {
    size_t old = tw_cfg_path_key(&L->c, "name");
    rc = tw_cfg_fail(&L->c, pos, "duplicate rule name '%s' (first defined at %s)", r->def.name,
                     first);
    tw_cfg_path_pop(&L->c, old);
  } else if (json_object_set_new(L->stage->rule_names, r->def.name,
                                 json_string(r->def.origin)) ||
             tw_cfg_vec_push(&L->stage->rules, r)) {
    rc = tw_cfg_nomem(&L->c);
  }
  if (rc)
    tw_cfg_rule_free(r);
  return rc;
}

/* copy(a) updated with b, or NULL. */
static json_t *tw_cfg_union(const json_t *a, const json_t *b) {
  json_t *u = json_copy((json_t *)a);
  if (u && json_object_update(u, (json_t *)b)) {
    json_decref(u);
    return NULL;
  }
  return u;
}

/* The targets JSON after the merge: a `targets:` entry always wins. */
static json_t *tw_cfg_union_targets(const json_t *all, const tw_cfg_set *stage) {
  json_t *u = json_copy((json_t *)all);
  for (size_t i = 0; u && i < stage->targets.n; i++) {
    const tw_cfg_target *t = stage->targets.items[i];
    if (t->def.from_template && json_object_get(u, t->def.arn))
      continue;
    if (json_object_set(u, t->def.arn, t->raw)) {
      json_decref(u);
      return NULL;
    }
  }
  return u;
}

static void tw_cfg_swap(json_t **slot, json_t *v) {
  json_decref(*slot);
  *slot = v;
}

/* The target index after the merge: new ARNs are appended in stage order. */
static json_t *tw_cfg_union_index(const tw_cfg_set *all, const tw_cfg_set *stage) {
  json_t *u = json_copy(all->target_index);
  size_t n = all->targets.n;
  for (size_t i = 0; u && i < stage->targets.n; i++) {
    const tw_cfg_target *t = stage->targets.items[i];
    if (json_object_get(u, t->def.arn))
      continue;
    if (json_object_set_new(u, t->def.arn, json_integer((json_int_t)n++))) {
      json_decref(u);
      return NULL;
    }
  }
  return u;
}

/* Move the stage's targets in (all->target_index is still the old one),
 * applying the override rule. */
static void tw_cfg_move_targets(tw_cfg_set *all, tw_cfg_set *stage) {
  for (size_t i = 0; i < stage->targets.n; i++) {
    tw_cfg_target *t = stage->targets.items[i];
    const json_t *j = json_object_get(all->target_index, t->def.arn);
    if (!j) {
      all->targets.items[all->targets.n++] = t;
    } else if (t->def.from_template) {
      tw_cfg_target_free(t); /* a targets: entry is already loaded */
    } else {
      tw_cfg_target_free(all->targets.items[json_integer_value(j)]);
      all->targets.items[json_integer_value(j)] = t;
    }
  }
  stage->targets.n = 0;
}

static void tw_cfg_move(tw_cfg_vec *to, tw_cfg_vec *from) {
  if (from->n)
    memcpy(to->items + to->n, from->items, from->n * sizeof *from->items);
  to->n += from->n;
  from->n = 0;
}

int tw_cfg_set_merge(tw_cfg_set *all, tw_cfg_set *stage) {
  if (tw_cfg_vec_reserve(&all->filters, stage->filters.n) ||
      tw_cfg_vec_reserve(&all->alarms, stage->alarms.n) ||
      tw_cfg_vec_reserve(&all->targets, stage->targets.n) ||
      tw_cfg_vec_reserve(&all->rules, stage->rules.n))
    return TW_ENOMEM;
  json_t *fn = tw_cfg_union(all->filter_names, stage->filter_names);
  json_t *an = tw_cfg_union(all->alarm_names, stage->alarm_names);
  json_t *rn = tw_cfg_union(all->rule_names, stage->rule_names);
  json_t *tj = tw_cfg_union_targets(all->targets_json, stage);
  json_t *ti = tw_cfg_union_index(all, stage);
  if (!fn || !an || !rn || !tj || !ti) {
    json_decref(fn);
    json_decref(an);
    json_decref(rn);
    json_decref(tj);
    json_decref(ti);
    return TW_ENOMEM;
  }
  tw_cfg_swap(&all->filter_names, fn);
  tw_cfg_swap(&all->alarm_names, an);
  tw_cfg_swap(&all->rule_names, rn);
  tw_cfg_swap(&all->targets_json, tj);
  tw_cfg_move(&all->filters, &stage->filters);
  tw_cfg_move(&all->alarms, &stage->alarms);
  tw_cfg_move(&all->rules, &stage->rules);
  tw_cfg_move_targets(all, stage);
  tw_cfg_swap(&all->target_index, ti);
  if (stage->defaults.origin) { /* tw_cfg_defaults_read: all has none */
    all->defaults = stage->defaults;
    memset(&stage->defaults, 0, sizeof stage->defaults);
  }
  return TW_OK;
}

/* Whether action arn (referenced at where) has a target that can deliver. */
static int tw_cfg_check_action(const tw_cfg_set *all, const tw_cfg_ref *ref, tw_error *err) {
  const tw_cfg_target *t = tw_cfg_set_find_target(all, ref->value);
  if (!t)
    return tw_error_set(err, TW_EINVAL, 0, "%s: no target for %s (add it under targets:)",
                        ref->where, ref->value);
  if (!t->def.from_template)
    return TW_OK;
  if (t->problem) {
    const char *sep = strstr(ref->where, ": ");
    int n = sep ? (int)(sep - ref->where) : (int)strlen(ref->where);
    return tw_error_set(err, TW_EINVAL, 0,
                        "%s: %s: give %s a targets: entry (it is an alarm action at %.*s)",
                        t->problem_where, t->problem, ref->value, n, ref->where);
  }
  if (!t->def.ndeliveries)
    return tw_error_set(err, TW_EINVAL, 0,
                        "%s: no target for %s: the topic at %s has no subscriptions (add it "
                        "under targets:)",
                        ref->where, ref->value, t->def.origin);
  return TW_OK;
}

/* Every rule names a loaded filter and, when it has one, a loaded alarm. */
static int tw_cfg_check_rules(const tw_cfg_set *all, const json_t *filters, tw_error *err) {
  for (size_t i = 0; i < all->rules.n; i++) {
    const tw_cfg_rule *r = all->rules.items[i];
    if (!json_object_get(filters, r->def.filter_name))
      return tw_error_set(err, TW_EINVAL, 0, "%s: no metric filter named '%s' is loaded",
                          r->filter_where, r->def.filter_name);
    if (r->def.alarm_name && !json_object_get(all->alarm_names, r->def.alarm_name))
      return tw_error_set(err, TW_EINVAL, 0, "%s: no alarm named '%s' is loaded",
                          r->alarm_where, r->def.alarm_name);
  }
  return TW_OK;
}

int tw_cfg_set_check(const tw_cfg_set *all, tw_error *err) {
  for (size_t i = 0; i < all->alarms.n; i++) {
    const tw_cfg_alarm *a = all->alarms.items[i];
    for (size_t k = 0; k < a->nactions; k++) {
      int rc = tw_cfg_check_action(all, &a->actions[k], err);
      if (rc)
        return rc;
    }
  }
  json_t *filters = json_object();
  int rc = filters ? TW_OK : tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  for (size_t i = 0; !rc && i < all->filters.n; i++)
    if (json_object_set_new(filters,
                            ((const tw_metric_filter_def *)all->filters.items[i])->filter_name,
                            json_true()))
      rc = tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  if (!rc)
    rc = tw_cfg_check_rules(all, filters, err);
  json_decref(filters);
  return rc;
}
