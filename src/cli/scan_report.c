/*
 * scan_report.c — what `trailwatch scan` prints: a readable report (per
 * alarm, each state change with its time and reason, and for each ALARM
 * the events behind it: who did what, from where, when; per filter the
 * matches; a summary that accounts for every file, event and byte), or
 * the same as JSON (--format json).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/scan_report.h"

static void iso_time(int64_t ms, char *buf, size_t cap) { tw_ingest_format_time(ms, buf, cap); }

static const char *jstr(json_t *o, const char *path) {
  /* path like "userIdentity.arn" */
  char key[64];
  const char *p = path;
  while (o && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof key)
      return NULL;
    memcpy(key, p, n);
    key[n] = '\0';
    o = json_object_get(o, key);
    p = dot ? dot + 1 : p + n;
  }
  return json_string_value(o);
}

/* Who did it: the principal's ARN, else its user name, else the service. */
static const char *who(json_t *ev) {
  const char *s = jstr(ev, "userIdentity.arn");
  if (!s)
    s = jstr(ev, "userIdentity.userName");
  if (!s)
    s = jstr(ev, "userIdentity.invokedBy");
  if (!s)
    s = jstr(ev, "userIdentity.type");
  return s ? s : "-";
}

static const char *or_dash(const char *s) { return s ? s : "-"; }

static void print_event(const char *raw) {
  json_t *ev = json_loads(raw, 0, NULL);
  if (!ev) {
    printf("      (event is not valid JSON)\n");
    return;
  }
  printf("      %-20s  %s\n", or_dash(jstr(ev, "eventTime")), who(ev));
  printf("      %-20s  %s %s from %s in %s%s%s  [%s]\n", "", or_dash(jstr(ev, "eventSource")),
         or_dash(jstr(ev, "eventName")), or_dash(jstr(ev, "sourceIPAddress")),
         or_dash(jstr(ev, "awsRegion")), jstr(ev, "errorCode") ? " -> " : "",
         jstr(ev, "errorCode") ? jstr(ev, "errorCode") : "", or_dash(jstr(ev, "eventID")));
  json_decref(ev);
}

static const tw_rule_def *rule_for_alarm(const tw_config *cfg, const char *alarm) {
  for (size_t i = 0; i < tw_config_rule_count(cfg); i++) {
    const tw_rule_def *r = tw_config_rule(cfg, i);
    if (r->alarm_name && !strcmp(r->alarm_name, alarm))
      return r;
  }
  return NULL;
}

static void print_alarms(const tw_config *cfg, const tw_scan_result *r) {
  printf("== Alarms (%zu)\n", r->nalarms);
  for (size_t a = 0; a < r->nalarms; a++) {
    const char *name = tw_alarm_get_name(r->alarms[a]);
    size_t n = tw_backtest_transition_count(r->bt, a), nalarm = 0;
    for (size_t i = 0; i < n; i++)
      nalarm += tw_backtest_transition(r->bt, a, i)->new_state == TW_ALARM_ALARM;
    const tw_rule_def *rule = rule_for_alarm(cfg, name);
    printf("\n%s%s%s%s: %zu time%s in ALARM, now %s\n", name, rule ? " [" : "",
           rule ? rule->severity_name : "", rule ? "]" : "", nalarm, nalarm == 1 ? "" : "s",
           tw_alarm_state_name(tw_backtest_final_state(r->bt, a)));
    for (size_t i = 0; i < n; i++) {
      const tw_bt_transition *t = tw_backtest_transition(r->bt, a, i);
      char when[40];
      iso_time(t->time_ms, when, sizeof when);
      printf("  %s  %s -> %s\n    %s\n", when, tw_alarm_state_name(t->old_state),
             tw_alarm_state_name(t->new_state), t->reason ? t->reason : "(no reason)");
      for (size_t e = 0; e < t->nevents; e++)
        print_event(t->events[e]);
    }
  }
}

static void print_filters(const tw_config *cfg, const tw_scan_result *r) {
  size_t w = 6;
  for (size_t f = 0; f < r->nfilters; f++) {
    size_t l = strlen(tw_config_metric_filter(cfg, r->filter_index[f])->filter_name);
    w = l > w ? l : w;
  }
  printf("\n== Filters (%zu)\n%-*s  %12s  %10s  %8s\n", r->nfilters, (int)w, "filter", "matches",
         "datapoints", "skipped");
  for (size_t f = 0; f < r->nfilters; f++) {
    tw_metric_filter_stats st;
    tw_backtest_filter_stats(r->bt, f, &st);
    printf("%-*s  %12llu  %10llu  %8llu\n", (int)w,
           tw_config_metric_filter(cfg, r->filter_index[f])->filter_name,
           (unsigned long long)r->matches[f],
           (unsigned long long)(st.datapoints + st.defaults + r->datapoints[f]),
           (unsigned long long)(st.skipped_value + st.skipped_dimension + r->skipped[f]));
  }
}

static void print_summary(const tw_scan_result *r) {
  const tw_ingest_stats *s = &r->in;
  double mb = (double)s->bytes_read / 1e6;
  printf("\n== Summary\n");
  printf("files:  %llu read, %llu digest files skipped, %llu outside the time window, %llu other skipped\n",
         (unsigned long long)s->files, (unsigned long long)s->files_skipped_digest,
         (unsigned long long)s->files_skipped_window, (unsigned long long)s->files_skipped_other);
  printf("bytes:  %llu read (%llu decoded; %llu in invalid input, %llu in non-event objects)\n",
         (unsigned long long)s->bytes_read, (unsigned long long)s->bytes_decoded,
         (unsigned long long)s->bytes_invalid, (unsigned long long)s->bytes_non_event);
  printf("events: %llu scanned, %llu outside the time window, %llu invalid, %llu without eventTime\n",
         (unsigned long long)s->events, (unsigned long long)s->events_outside_window,
         (unsigned long long)s->events_invalid, (unsigned long long)s->events_no_time);
  printf("errors: %llu\n", (unsigned long long)s->errors);
  int64_t a, b;
  if (tw_backtest_span(r->bt, &a, &b)) {
    char x[40], y[40];
    iso_time(a, x, sizeof x);
    iso_time(b, y, sizeof y);
    printf("span:   %s .. %s\n", x, y);
  }
  printf("time:   %.2f s (%.0f MB/s, %.0f events/s)\n", r->seconds,
         r->seconds > 0 ? mb / r->seconds : 0, r->seconds > 0 ? (double)s->events / r->seconds : 0);
}

void tw_scan_print_table(const tw_config *cfg, const tw_scan_result *r) {
  print_alarms(cfg, r);
  print_filters(cfg, r);
  print_summary(r);
}

static json_t *transition_json(const tw_bt_transition *t) {
  char when[40];
  iso_time(t->time_ms, when, sizeof when);
  json_t *events = json_array();
  for (size_t e = 0; e < t->nevents; e++) {
    json_t *ev = json_loads(t->events[e], 0, NULL);
    json_array_append_new(events, ev ? ev : json_string(t->events[e]));
  }
  json_t *data = t->reason_data ? json_loads(t->reason_data, 0, NULL) : NULL;
  return json_pack("{s:s,s:s,s:s,s:s?,s:o?,s:o}", "timestamp", when, "oldState",
                   tw_alarm_state_name(t->old_state), "newState",
                   tw_alarm_state_name(t->new_state), "reason", t->reason, "reasonData", data,
                   "events", events);
}

static json_t *summary_json(const tw_scan_result *r) {
  const tw_ingest_stats *s = &r->in;
  return json_pack("{s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "events",
                   (json_int_t)s->events, "bytes", (json_int_t)s->bytes_read, "seconds",
                   r->seconds, "files", (json_int_t)s->files, "filesSkippedDigest",
                   (json_int_t)s->files_skipped_digest, "filesSkippedWindow",
                   (json_int_t)s->files_skipped_window, "filesSkippedOther",
                   (json_int_t)s->files_skipped_other, "bytesDecoded",
                   (json_int_t)s->bytes_decoded, "bytesInvalid", (json_int_t)s->bytes_invalid,
                   "bytesNonEvent", (json_int_t)s->bytes_non_event, "eventsOutsideWindow",
                   (json_int_t)s->events_outside_window, "eventsInvalid",
                   (json_int_t)s->events_invalid, "eventsWithoutTime",
                   (json_int_t)s->events_no_time, "errors", (json_int_t)s->errors);
}

int tw_scan_print_json(const tw_config *cfg, const tw_scan_result *r) {
  json_t *filters = json_array(), *alarms = json_array();
  for (size_t f = 0; f < r->nfilters; f++) {
    tw_metric_filter_stats st;
    tw_backtest_filter_stats(r->bt, f, &st);
    json_array_append_new(
        filters, json_pack("{s:s,s:I,s:I,s:I}", "filterName",
                           tw_config_metric_filter(cfg, r->filter_index[f])->filter_name,
                           "matches", (json_int_t)r->matches[f], "datapoints",
                           (json_int_t)(st.datapoints + st.defaults + r->datapoints[f]),
                           "skipped",
                           (json_int_t)(st.skipped_value + st.skipped_dimension + r->skipped[f])));
  }
  for (size_t a = 0; a < r->nalarms; a++) {
    json_t *tr = json_array();
    for (size_t i = 0; i < tw_backtest_transition_count(r->bt, a); i++)
      json_array_append_new(tr, transition_json(tw_backtest_transition(r->bt, a, i)));
    json_array_append_new(alarms, json_pack("{s:s,s:s,s:o}", "AlarmName",
                                            tw_alarm_get_name(r->alarms[a]), "finalState",
                                            tw_alarm_state_name(tw_backtest_final_state(r->bt, a)),
                                            "transitions", tr));
  }
  json_t *out = json_pack("{s:o,s:o,s:o}", "summary", summary_json(r), "filters", filters,
                          "alarms", alarms);
  char *s = out ? json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
  json_decref(out);
  if (!s)
    return TW_ENOMEM;
  puts(s);
  free(s);
  return TW_OK;
}
