/*
 * config_alarm.c — one alarm of a configuration (a MetricAlarms entry, or
 * the Properties of an AWS::CloudWatch::Alarm resource) validated with the
 * alarm module's own parser, tw_alarm_parse_ex, so a configuration accepts
 * exactly what PutMetricAlarm accepts.
 *
 * The alarm module names the field in its message ("Period: must be 10,
 * 20, 30 or a multiple of 60 (got 7)"; "Metrics[1].MetricStat.Period:
 * ..."); that field path is followed through the entry to find the
 * position of the value ("entry N" of a list points at item N), and the
 * message is re-issued as FILE:LINE:COL: ENTRY.FIELD: text. Missing fields
 * are reported at the entry. The action ARNs of the alarm are recorded
 * with their places for the target check of tw_config_finish.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

void tw_cfg_alarm_free(tw_cfg_alarm *a) {
  if (!a)
    return;
  json_decref(a->raw);
  tw_alarm_free(a->compiled);
  json_decref(a->raw_loaded);
  tw_alarm_free(a->compiled_loaded);
  free(a->name);
  free(a->origin);
  for (size_t i = 0; i < a->nactions; i++) {
    free(a->actions[i].value);
    free(a->actions[i].where);
  }
  free(a->actions);
  free(a);
}

/* Length of the field path that starts msg ("Metrics[0].Id: ..."), 0 when
 * the message does not start with one. */
static size_t tw_cfg_alarm_field_len(const char *msg) {
  size_t i = 0;
  while (msg[i] && (isalnum((unsigned char)msg[i]) || strchr("._[]", msg[i])))
    i++;
  if (i == 0 || msg[i] != ':' || msg[i + 1] != ' ' || !isalpha((unsigned char)msg[0]))
    return 0;
  return i;
}

/* Follow field path f[0..len) from the entry a (at apos) as far as it
 * exists; the position of the deepest value found. */
static tw_cfg_pos tw_cfg_alarm_locate(const tw_cfg_ctx *c, const json_t *a, tw_cfg_pos apos,
                                      const char *f, size_t len, const char *rest) {
  const json_t *cur = a;
  tw_cfg_pos pos = apos;
  size_t i = 0;
  while (i < len) {
    if (f[i] == '.') {
      i++;
      continue;
    }
    if (f[i] == '[') {
      size_t idx = (size_t)strtoul(f + i + 1, NULL, 10);
      if (!json_is_array(cur) || idx >= json_array_size(cur))
        return pos;
      pos = tw_cfg_pos_of(c, cur, NULL, idx, 0);
      cur = json_array_get(cur, idx);
      while (i < len && f[i] != ']')
        i++;
      i++;
      continue;
    }
    size_t n = strcspn(f + i, ".[");
    if (i + n > len)
      n = len - i;
    char key[128];
    if (n >= sizeof key || !json_is_object(cur))
      return pos;
    memcpy(key, f + i, n);
    key[n] = '\0';
    const json_t *next = json_object_get(cur, key);
    if (!next)
      return pos;
    int last = i + n >= len;
    pos = tw_cfg_pos_of(c, cur, key, 0, last && !strncmp(rest, "unknown field", 13));
    cur = next;
    i += n;
  }
  unsigned long entry = 0;
  if (json_is_array(cur) && sscanf(rest, "entry %lu", &entry) == 1 &&
      entry < json_array_size(cur))
    pos = tw_cfg_pos_of(c, cur, NULL, entry, 0);
  return pos;
}

/* Re-issue the alarm module's message at the field's position. */
static int tw_cfg_alarm_error(tw_cfg_ctx *c, const json_t *a, tw_cfg_pos apos,
                              const tw_error *aerr) {
  const char *msg = aerr->message;
  if (!strncmp(msg, "alarm: ", 7))
    return tw_cfg_fail(c, apos, "%s", msg + 7);
  size_t len = tw_cfg_alarm_field_len(msg);
  if (!len)
    return tw_cfg_fail(c, apos, "%s", msg);
  tw_cfg_pos pos = tw_cfg_alarm_locate(c, a, apos, msg, len, msg + len + 2);
  char field[128];
  snprintf(field, sizeof field, "%.*s", (int)len, msg);
  tw_cfg_path_key(c, field);
  return tw_cfg_fail(c, pos.line ? pos : apos, "%s", msg + len + 2);
}

/* Record every ARN of the three action lists with its place. */
static int tw_cfg_alarm_actions(tw_cfg_ctx *c, const json_t *a, tw_cfg_alarm *out) {
  static const char *const keys[] = {"AlarmActions", "OKActions", "InsufficientDataActions"};
  size_t total = 0;
  for (size_t k = 0; k < 3; k++)
    total += json_array_size(json_object_get(a, keys[k]));
  if (!total)
    return TW_OK;
  if (!(out->actions = calloc(total, sizeof *out->actions)))
    return tw_cfg_nomem(c);
  for (size_t k = 0; k < 3; k++) {
    const json_t *list = json_object_get(a, keys[k]);
    for (size_t i = 0; i < json_array_size(list); i++) {
      size_t old = tw_cfg_path_key(c, keys[k]);
      tw_cfg_path_index(c, i);
      tw_cfg_ref *r = &out->actions[out->nactions++];
      r->where = tw_cfg_where(c, tw_cfg_pos_of(c, list, NULL, i, 0));
      tw_cfg_path_pop(c, old);
      if (!r->where || tw_cfg_dup(c, json_string_value(json_array_get(list, i)), &r->value))
        return tw_cfg_nomem(c);
    }
  }
  return TW_OK;
}

int tw_cfg_alarm_build(tw_cfg_ctx *c, json_t *a, tw_cfg_pos apos, tw_cfg_alarm **out) {
  if (!json_is_object(a))
    return tw_cfg_fail(c, apos, "expected a mapping (a metric alarm), got %s",
                       tw_cfg_type_name(a));
  char *text = json_dumps(a, JSON_COMPACT);
  if (!text)
    return tw_cfg_nomem(c);
  tw_error aerr = {0};
  tw_alarm *alarm = NULL;
  const char *code = NULL;
  int rc = tw_alarm_parse_ex(text, strlen(text), &alarm, &aerr, &code);
  free(text);
  if (rc == TW_ENOMEM)
    return tw_cfg_nomem(c);
  size_t base = c->plen;
  if (rc) {
    rc = tw_cfg_alarm_error(c, a, apos, &aerr);
    tw_cfg_path_pop(c, base);
    return rc;
  }
  tw_cfg_alarm *al = calloc(1, sizeof *al);
  if (!al) {
    tw_alarm_free(alarm);
    return tw_cfg_nomem(c);
  }
  al->compiled = alarm;
  al->raw = json_incref(a);
  rc = tw_cfg_dup(c, tw_alarm_get_name(alarm), &al->name);
  if (!rc && !(al->origin = tw_cfg_origin(c, apos)))
    rc = tw_cfg_nomem(c);
  if (!rc)
    rc = tw_cfg_alarm_actions(c, a, al);
  tw_cfg_path_pop(c, base);
  if (rc) {
    tw_cfg_alarm_free(al);
    return rc;
  }
  *out = al;
  return TW_OK;
}
