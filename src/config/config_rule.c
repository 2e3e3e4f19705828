/*
 * config_rule.c — one entry of a rule pack's `rules:` list: the metadata
 * that turns a metric filter (and optionally its alarm) into a named,
 * described rule with a severity:
 *
 *   {name, description, severity: info|low|medium|high|critical,
 *    filterName, AlarmName (optional)}
 *
 * Unknown keys are errors. Whether filterName and AlarmName name a loaded
 * filter and alarm is checked by tw_config_finish (config_set.c), since the
 * pack may be split over several files; the places of both values are kept
 * for that message.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

static const char *const tw_rule_keys[] = {"name",       "description", "severity",
                                           "filterName", "AlarmName",   NULL};

static const char *const tw_severities[] = {"info", "low", "medium", "high", "critical", NULL};

void tw_cfg_rule_free(tw_cfg_rule *r) {
  if (!r)
    return;
  free(r->def.name);
  free(r->def.description);
  free(r->def.filter_name);
  free(r->def.alarm_name);
  free(r->def.origin);
  free(r->filter_where);
  free(r->alarm_where);
  free(r);
}

/* A string member of 1..max characters without control characters. */
static int tw_cfg_rule_text(tw_cfg_ctx *c, const json_t *r, tw_cfg_pos rpos, const char *key,
                            int required, size_t max, char **out) {
  const char *s = NULL;
  if (!tw_cfg_member(r, key) && !required)
    return TW_OK;
  int rc = tw_cfg_get_string(c, r, rpos, key, 1, &s);
  if (rc)
    return rc;
  size_t n = tw_cfg_utf8_chars(s);
  const char *why = n == 0 ? "must not be empty" : n > max ? "is too long" : NULL;
  for (const unsigned char *p = (const unsigned char *)s; !why && *p; p++)
    if (*p < 0x20 && *p != '\n' && *p != '\t')
      why = "must not contain control characters";
  if (why) {
    tw_cfg_path_key(c, key);
    return tw_cfg_fail(c, tw_cfg_pos_of(c, r, key, 0, 0), "%s (at most %zu characters)", why,
                       max);
  }
  return tw_cfg_dup(c, s, out);
}

static int tw_cfg_rule_severity(tw_cfg_ctx *c, const json_t *r, tw_cfg_pos rpos,
                                tw_rule_def *d) {
  const char *s = NULL;
  int rc = tw_cfg_get_string(c, r, rpos, "severity", 1, &s);
  if (rc)
    return rc;
  for (size_t i = 0; tw_severities[i]; i++)
    if (!strcmp(s, tw_severities[i])) {
      d->severity = (tw_rule_severity)i;
      d->severity_name = tw_severities[i];
      return TW_OK;
    }
  tw_cfg_path_key(c, "severity");
  return tw_cfg_fail(c, tw_cfg_pos_of(c, r, "severity", 0, 0),
                     "'%.40s' is not a severity (info, low, medium, high or critical)", s);
}

/* "FILE:L:C: PATH.key" for a later message about member key. */
static int tw_cfg_rule_where(tw_cfg_ctx *c, const json_t *r, const char *key, char **out) {
  size_t old = tw_cfg_path_key(c, key);
  *out = tw_cfg_where(c, tw_cfg_pos_of(c, r, key, 0, 0));
  tw_cfg_path_pop(c, old);
  return *out ? TW_OK : tw_cfg_nomem(c);
}

int tw_cfg_rule_build(tw_cfg_ctx *c, const json_t *r, tw_cfg_pos rpos, tw_cfg_rule **out) {
  if (!json_is_object(r))
    return tw_cfg_fail(c, rpos, "expected a mapping (a rule), got %s", tw_cfg_type_name(r));
  int rc = tw_cfg_check_keys(c, r, tw_rule_keys, 5, "a rule");
  if (rc)
    return rc;
  tw_cfg_rule *ru = calloc(1, sizeof *ru);
  if (!ru)
    return tw_cfg_nomem(c);
  tw_rule_def *d = &ru->def;
  rc = tw_cfg_rule_text(c, r, rpos, "name", 1, 255, &d->name);
  if (!rc)
    rc = tw_cfg_rule_text(c, r, rpos, "description", 1, 4096, &d->description);
  if (!rc)
    rc = tw_cfg_rule_severity(c, r, rpos, d);
  if (!rc)
    rc = tw_cfg_rule_text(c, r, rpos, "filterName", 1, 512, &d->filter_name);
  if (!rc)
    rc = tw_cfg_rule_text(c, r, rpos, "AlarmName", 0, 255, &d->alarm_name);
  if (!rc)
    rc = tw_cfg_rule_where(c, r, "filterName", &ru->filter_where);
  if (!rc && d->alarm_name)
    rc = tw_cfg_rule_where(c, r, "AlarmName", &ru->alarm_where);
  if (!rc && !(d->origin = tw_cfg_origin(c, rpos)))
    rc = tw_cfg_nomem(c);
  if (rc) {
    tw_cfg_rule_free(ru);
    return rc;
  }
  *out = ru;
  return TW_OK;
}
