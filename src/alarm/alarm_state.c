/*
 * alarm_state.c — the per-alarm state record (StateValue, StateReason,
 * StateReasonData, timestamps): creation, applying evaluation results,
 * SetAlarmState, and the StateUpdate history item a transition produces.
 * The serve/backtest layers own the records; this file only transforms
 * them. Configuration and action history items are in alarm_history.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alarm/alarm.h"
#include "alarm/alarm_json.h"

static const char initial_reason[] = "Unchecked: Initial alarm creation";

int tw_alarm_record_init(tw_alarm_record *rec, int64_t now_ms) {
  memset(rec, 0, sizeof *rec);
  rec->value = TW_ALARM_INSUFFICIENT_DATA;
  rec->reason = tw_alarm_strdup(initial_reason);
  rec->updated_ms = rec->transitioned_ms = now_ms;
  return rec->reason ? TW_OK : TW_ENOMEM;
}

void tw_alarm_record_clear(tw_alarm_record *rec) {
  if (!rec)
    return;
  free(rec->reason);
  free(rec->reason_data);
  memset(rec, 0, sizeof *rec);
}

/* Replace the record's reason texts with copies. */
static int set_texts(tw_alarm_record *rec, const char *reason,
                     const char *data) {
  char *r = tw_alarm_strdup(reason ? reason : "");
  char *d = data ? tw_alarm_strdup(data) : NULL;
  if (!r || (data && !d)) {
    free(r);
    free(d);
    return TW_ENOMEM;
  }
  free(rec->reason);
  free(rec->reason_data);
  rec->reason = r;
  rec->reason_data = d;
  return TW_OK;
}

/* A shallow snapshot of the record (borrowed strings) for history. */
static tw_alarm_record snapshot(const tw_alarm_record *rec) { return *rec; }

static int transition(tw_alarm_record *rec, const tw_alarm *a,
                      tw_alarm_state state, const char *reason,
                      const char *data, int64_t t, char **history) {
  tw_alarm_record old = snapshot(rec);
  old.reason = tw_alarm_strdup(rec->reason ? rec->reason : "");
  old.reason_data = rec->reason_data ? tw_alarm_strdup(rec->reason_data) : NULL;
  int rc = old.reason && (!rec->reason_data || old.reason_data) ? TW_OK
                                                                : TW_ENOMEM;
  if (rc == TW_OK)
    rc = set_texts(rec, reason, data);
  if (rc == TW_OK) {
    rec->value = state;
    rec->updated_ms = rec->transitioned_ms = t;
    if (history)
      rc = tw_alarm_history_state(a, &old, rec, history);
  }
  tw_alarm_record_clear(&old);
  return rc;
}

int tw_alarm_record_apply(tw_alarm_record *rec, const tw_alarm *a,
                          const tw_alarm_result *res, char **history) {
  if (history)
    *history = NULL;
  if (res->retained || res->state == rec->value)
    return TW_OK;
  return transition(rec, a, res->state, res->reason, res->reason_data,
                    res->time_ms, history);
}

static int check_set_state(const char *state_value, const char *reason,
                           const char *data, tw_alarm_state *st,
                           tw_jctx *c) {
  if (!state_value)
    return tw_jfail(c, TW_AWS_MISSING, "StateValue", "required");
  if (tw_alarm_state_parse(state_value, st) != TW_OK)
    return tw_jfail(c, TW_AWS_VALIDATION, "StateValue",
                    "must be one of INSUFFICIENT_DATA, ALARM, OK (got %.40s)",
                    state_value);
  if (!reason)
    return tw_jfail(c, TW_AWS_MISSING, "StateReason", "required");
  if (tw_alarm_utf8_len(reason) > 1023)
    return tw_jfail(c, TW_AWS_VALIDATION, "StateReason",
                    "must be at most 1023 characters long");
  if (!data)
    return TW_OK;
  if (tw_alarm_utf8_len(data) > 4000)
    return tw_jfail(c, TW_AWS_VALIDATION, "StateReasonData",
                    "must be at most 4000 characters long");
  json_t *j = json_loads(data, JSON_DECODE_ANY, NULL);
  if (!j)
    return tw_jfail(c, TW_AWS_INVALID_FORMAT, "StateReasonData",
                    "Data was not syntactically valid JSON");
  json_decref(j);
  return TW_OK;
}

static int fill_set_result(const tw_alarm *a, tw_alarm_state prior,
                           tw_alarm_state st, const char *reason,
                           const char *data, int64_t now_ms,
                           tw_alarm_result *out) {
  tw_alarm_result r = {.state = st, .prior = prior, .time_ms = now_ms};
  r.reason = tw_alarm_strdup(reason);
  r.reason_data = data ? tw_alarm_strdup(data) : NULL;
  if (!r.reason || (data && !r.reason_data)) {
    tw_alarm_result_clear(&r);
    return TW_ENOMEM;
  }
  tw_alarm_result_transition(a, &r);
  *out = r;
  return TW_OK;
}

int tw_alarm_set_state(tw_alarm_record *rec, const tw_alarm *a,
                       const char *state_value, const char *reason,
                       const char *reason_data, int64_t now_ms,
                       tw_alarm_result *out, char **history, tw_error *err,
                       const char **aws_code) {
  tw_jctx c = {.err = err, .aws_code = TW_AWS_INVALID_VALUE};
  tw_alarm_state st;
  if (history)
    *history = NULL;
  int rc = check_set_state(state_value, reason, reason_data, &st, &c);
  if (rc) {
    if (aws_code)
      *aws_code = c.aws_code;
    return rc;
  }
  tw_alarm_result r;
  rc = fill_set_result(a, rec->value, st, reason, reason_data, now_ms, &r);
  if (rc)
    return rc;
  if (r.changed) {
    rc = transition(rec, a, st, reason, reason_data, now_ms, history);
  } else {
    /* same state: the reason is replaced, no transition, no actions */
    rc = set_texts(rec, reason, reason_data);
    if (rc == TW_OK)
      rec->updated_ms = now_ms;
  }
  if (rc) {
    tw_alarm_result_clear(&r);
    return rc;
  }
  if (out)
    *out = r;
  else
    tw_alarm_result_clear(&r);
  return TW_OK;
}

/* {"stateValue":..,"stateReason":..,"stateReasonData":{..}} */
static int state_object(tw_buf *b, const tw_alarm_record *rec) {
  int first = 1;
  int rc = tw_jw_raw(b, "{");
  if (rc == TW_OK)
    rc = tw_jw_key(b, &first, "stateValue");
  if (rc == TW_OK)
    rc = tw_jw_str(b, tw_alarm_state_name(rec->value));
  if (rc == TW_OK)
    rc = tw_jw_key(b, &first, "stateReason");
  if (rc == TW_OK)
    rc = tw_jw_str(b, rec->reason ? rec->reason : "");
  if (rc == TW_OK && rec->reason_data) {
    rc = tw_jw_key(b, &first, "stateReasonData");
    if (rc == TW_OK)
      rc = tw_jw_raw(b, rec->reason_data);
  }
  return rc ? rc : tw_jw_raw(b, "}");
}

/* Shared item envelope: data is the HistoryData text. */
int tw_alarm_history_item(const tw_alarm *a, int64_t t, const char *type,
                          const char *summary, const char *data, char **out) {
  tw_buf b = {0};
  char ts[40];
  int first = 1;
  tw_fmt_epoch_seconds(t, ts, sizeof ts);
  int rc = tw_jw_raw(&b, "{");
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "AlarmName");
  if (rc == TW_OK)
    rc = tw_jw_str(&b, a->name);
  if (rc == TW_OK)
    rc = tw_jw_raw(&b, ",\"AlarmType\":\"MetricAlarm\",\"Timestamp\":");
  if (rc == TW_OK)
    rc = tw_jw_raw(&b, ts);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "HistoryItemType");
  if (rc == TW_OK)
    rc = tw_jw_str(&b, type);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "HistorySummary");
  if (rc == TW_OK)
    rc = tw_jw_str(&b, summary);
  if (rc == TW_OK)
    rc = tw_jw_key(&b, &first, "HistoryData");
  if (rc == TW_OK)
    rc = tw_jw_str(&b, data);
  if (rc == TW_OK)
    rc = tw_jw_raw(&b, "}");
  if (rc) {
    tw_buf_free(&b);
    return rc;
  }
  return tw_jw_finish(&b, out);
}

int tw_alarm_history_state(const tw_alarm *a, const tw_alarm_record *old_rec,
                           const tw_alarm_record *new_rec, char **out) {
  tw_buf data = {0};
  char summary[96];
  int rc = tw_jw_raw(&data, "{\"version\":\"1.0\",\"oldState\":");
  if (rc == TW_OK)
    rc = state_object(&data, old_rec);
  if (rc == TW_OK)
    rc = tw_jw_raw(&data, ",\"newState\":");
  if (rc == TW_OK)
    rc = state_object(&data, new_rec);
  if (rc == TW_OK)
    rc = tw_jw_raw(&data, "}");
  if (rc == TW_OK)
    rc = tw_buf_append(&data, "", 1);
  snprintf(summary, sizeof summary, "Alarm updated from %s to %s",
           tw_alarm_state_name(old_rec->value),
           tw_alarm_state_name(new_rec->value));
  if (rc == TW_OK)
    rc = tw_alarm_history_item(a, new_rec->updated_ms, "StateUpdate", summary,
                               data.data, out);
  tw_buf_free(&data);
  return rc;
}
