/*
 * scan_notify.c — `trailwatch scan --notify`: deliver, after a backtest,
 * the notification of every alarm state change that has actions (the SNS
 * alarm message of metrics-alarms-api.md §8 plus "Events", D23) to the
 * configured targets of each action ARN (src/notify/). A backtest only
 * prints them unless --notify is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"
#include "scan/scan.h"

static int deliver_action(const tw_config *cfg, const char *arn, const char *id,
                          const char *subject, const char *message, int64_t t,
                          tw_scan_notify_stats *st) {
  const tw_target_def *tg = tw_config_target_find(cfg, arn);
  if (!tg) {
    fprintf(stderr, "trailwatch scan: no target for %s; notification %s not delivered\n", arn, id);
    st->failed++;
    return TW_OK;
  }
  tw_notification n = {.id = id, .topic_arn = arn, .subject = subject, .message = message,
                       .timestamp_ms = t};
  for (size_t k = 0; k < tg->ndeliveries; k++) {
    tw_delivery d;
    tw_config_delivery_to_notify(&tg->deliveries[k], &d);
    tw_delivery_result r;
    int rc = tw_deliver(&d, &n, &r);
    if (rc == TW_ENOMEM)
      return rc;
    if (r.ok) {
      st->delivered++;
    } else {
      st->failed++;
      fprintf(stderr, "trailwatch scan: %s delivery to %s failed: %s\n",
              tg->deliveries[k].type_name, arn, r.detail);
    }
  }
  return TW_OK;
}

static int notify_transition(const tw_config *cfg, const tw_scan_result *r, size_t a, size_t i,
                             const char *account, const char *region, tw_scan_notify_stats *st) {
  const tw_bt_transition *t = tw_backtest_transition(r->bt, a, i);
  if (t->nactions == 0)
    return TW_OK;
  tw_alarm_result res = {.state = t->new_state, .prior = t->old_state, .changed = 1,
                         .reason = t->reason, .reason_data = t->reason_data,
                         .time_ms = t->time_ms, .actions = t->actions, .nactions = t->nactions};
  char *message = NULL, *subject = NULL, id[320];
  tw_error err = {0};
  int rc = tw_alarm_sns_message(r->alarms[a], &res, account, region,
                                (const char *const *)t->events, t->nevents, &message, &err);
  if (!rc)
    rc = tw_alarm_sns_subject(r->alarms[a], &res, region, &subject);
  /* stable id: the same backtest notifies with the same ids */
  snprintf(id, sizeof id, "trailwatch-backtest:%s:%lld:%s", tw_alarm_get_name(r->alarms[a]),
           (long long)t->time_ms, tw_alarm_state_name(t->new_state));
  for (size_t k = 0; !rc && k < t->nactions; k++)
    rc = deliver_action(cfg, t->actions[k], id, subject, message, t->time_ms, st);
  free(message);
  free(subject);
  return rc;
}

int tw_scan_notify(const tw_config *cfg, const tw_scan_result *r, const char *account,
                   const char *region, tw_scan_notify_stats *st) {
  memset(st, 0, sizeof *st);
  int rc = tw_notify_global_init();
  for (size_t a = 0; !rc && a < r->nalarms; a++)
    for (size_t i = 0; !rc && i < tw_backtest_transition_count(r->bt, a); i++)
      rc = notify_transition(cfg, r, a, i, account, region, st);
  return rc;
}
