/*
 * alarm_result.c — the public face of evaluation: tw_alarm_evaluate runs
 * the algorithm (alarm_eval.c), words the outcome (alarm_reason.c) and
 * picks the actions for the transition; plus state names, accessors and
 * the alarm ARN.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"

const char *tw_alarm_state_name(tw_alarm_state s) {
  switch (s) {
  case TW_ALARM_OK: return "OK";
  case TW_ALARM_ALARM: return "ALARM";
  case TW_ALARM_INSUFFICIENT_DATA: return "INSUFFICIENT_DATA";
  }
  return "INSUFFICIENT_DATA";
}

int tw_alarm_state_parse(const char *text, tw_alarm_state *out) {
  static const tw_alarm_state all[] = {TW_ALARM_OK, TW_ALARM_ALARM,
                                       TW_ALARM_INSUFFICIENT_DATA};
  for (size_t i = 0; i < 3; i++)
    if (text && !strcmp(text, tw_alarm_state_name(all[i]))) {
      *out = all[i];
      return TW_OK;
    }
  return TW_EINVAL;
}

const char *tw_alarm_get_name(const tw_alarm *a) { return a->name; }
int tw_alarm_get_period(const tw_alarm *a) { return a->period; }
size_t tw_alarm_get_evaluation_periods(const tw_alarm *a) { return a->n; }
size_t tw_alarm_get_datapoints_to_alarm(const tw_alarm *a) { return a->m; }

int tw_alarm_get_input_state(const tw_alarm *a, tw_alarm_state *out) {
  if (!a->has_state)
    return 0;
  *out = a->state_value;
  return 1;
}

void tw_alarm_set_config_time(tw_alarm *a, int64_t ms) {
  a->config_time_ms = ms;
  a->has_config_time = 1;
}

const tw_alarm_strlist *tw_alarm_actions_list(const tw_alarm *a,
                                              tw_alarm_state s) {
  switch (s) {
  case TW_ALARM_OK: return &a->ok_actions;
  case TW_ALARM_ALARM: return &a->alarm_actions;
  case TW_ALARM_INSUFFICIENT_DATA: return &a->insufficient_actions;
  }
  return &a->insufficient_actions;
}

int tw_alarm_arn_build(const tw_alarm *a, const char *region,
                       const char *account, char **out) {
  if (a->arn) {
    *out = tw_alarm_strdup(a->arn);
    return *out ? TW_OK : TW_ENOMEM;
  }
  size_t n = strlen(region) + strlen(account) + strlen(a->name) + 40;
  *out = malloc(n);
  if (!*out)
    return TW_ENOMEM;
  snprintf(*out, n, "arn:aws:cloudwatch:%s:%s:alarm:%s", region, account,
           a->name);
  return TW_OK;
}

void tw_alarm_result_clear(tw_alarm_result *r) {
  if (!r)
    return;
  free(r->reason);
  free(r->reason_data);
  memset(r, 0, sizeof *r);
}

void tw_alarm_result_transition(const tw_alarm *a, tw_alarm_result *r) {
  r->changed = r->state != r->prior;
  r->actions = NULL;
  r->nactions = 0;
  if (!r->changed || !a->actions_enabled)
    return;
  const tw_alarm_strlist *l = tw_alarm_actions_list(a, r->state);
  r->actions = (const char *const *)l->items;
  r->nactions = l->n;
}

int tw_alarm_evaluate_ex(const tw_alarm *a, const double *values,
                         const double *sample_counts, size_t n,
                         tw_alarm_state prior, int64_t eval_time_ms,
                         tw_alarm_result *out) {
  if (!a || (n && !values) || !out)
    return TW_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (isinf(values[i])) /* CloudWatch stores only finite values */
      return TW_EINVAL;
  tw_alarm_decision d;
  int rc = tw_alarm_decide(a, values, sample_counts, n, prior, &d);
  if (rc)
    return rc;
  tw_alarm_result r = {.state = d.state, .prior = prior,
                       .retained = d.kind == TW_REASON_RETAINED,
                       .time_ms = eval_time_ms};
  if (r.retained)
    r.note = d.low_sample
                 ? "a datapoint has too few samples for the percentile "
                   "(EvaluateLowSampleCountPercentile is ignore)"
                 : "TreatMissingData is ignore (always so for AWS/DynamoDB "
                   "metrics) and the datapoints do not decide the state";
  rc = tw_alarm_reason_text(a, &d, eval_time_ms, &r.reason);
  if (rc == TW_OK)
    rc = tw_alarm_reason_data(a, &d, eval_time_ms, &r.reason_data);
  tw_alarm_decision_free(&d);
  if (rc) {
    tw_alarm_result_clear(&r);
    return rc;
  }
  tw_alarm_result_transition(a, &r);
  *out = r;
  return TW_OK;
}

int tw_alarm_evaluate(const tw_alarm *a, const double *values, size_t n,
                      tw_alarm_state prior, int64_t eval_time_ms,
                      tw_alarm_result *out) {
  return tw_alarm_evaluate_ex(a, values, NULL, n, prior, eval_time_ms, out);
}
