/*
 * notify_summary.c — the readable form of a notification, shared by the
 * stdout and email targets and by Slack-style webhooks: the alarm (name,
 * state change, reason, region, metric) and, for each event in the D23
 * "Events" member, when, who, what, from where and any error. Values are
 * flattened to one line and shortened so the text stays readable.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "notify/notify.h"

#define TW_SUM_MAX_EVENTS 20
#define TW_SUM_MAX_VALUE 400

/* Bytes of s worth keeping: at most max, cut on a UTF-8 boundary. */
static size_t tw_sum_cut(const char *s, size_t len, size_t max) {
  if (len <= max)
    return len;
  size_t i = max;
  while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
    i--;
  return i;
}

/* One value on one line: control characters become spaces. */
static void tw_sum_val(tw_nw *w, const char *s) {
  size_t len = strlen(s), keep = tw_sum_cut(s, len, TW_SUM_MAX_VALUE);
  for (size_t i = 0; i < keep; i++) {
    char c = s[i];
    unsigned char u = (unsigned char)c;
    tw_nw_raw(w, (u < 0x20 || u == 0x7f) ? " " : &c, 1);
  }
  if (keep < len)
    tw_nw_str(w, "...");
}

static const char *tw_sum_str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s && *s ? s : NULL;
}

static void tw_sum_line(tw_nw *w, const char *label, const char *v) {
  if (!v)
    return;
  tw_nw_printf(w, "%-12s ", label);
  tw_sum_val(w, v);
  tw_nw_str(w, "\n");
}

static void tw_sum_alarm(tw_nw *w, const json_t *m) {
  const char *olds = tw_sum_str(m, "OldStateValue");
  const char *news = tw_sum_str(m, "NewStateValue");
  tw_sum_line(w, "Alarm:", tw_sum_str(m, "AlarmName"));
  if (news) {
    tw_nw_printf(w, "%-12s ", "State:");
    if (olds) {
      tw_sum_val(w, olds);
      tw_nw_str(w, " -> ");
    }
    tw_sum_val(w, news);
    tw_nw_str(w, "\n");
  }
  tw_sum_line(w, "Changed at:", tw_sum_str(m, "StateChangeTime"));
  tw_sum_line(w, "Reason:", tw_sum_str(m, "NewStateReason"));
  tw_sum_line(w, "Region:", tw_sum_str(m, "Region"));
  tw_sum_line(w, "Account:", tw_sum_str(m, "AWSAccountId"));
  const json_t *trig = json_object_get(m, "Trigger");
  const char *ns = tw_sum_str(trig, "Namespace");
  const char *metric = tw_sum_str(trig, "MetricName");
  if (ns && metric) {
    tw_nw_printf(w, "%-12s ", "Metric:");
    tw_sum_val(w, ns);
    tw_nw_str(w, "/");
    tw_sum_val(w, metric);
    tw_nw_str(w, "\n");
  }
  tw_sum_line(w, "Description:", tw_sum_str(m, "AlarmDescription"));
}

/* Who made the call: ARN, else user name, principal, service, type. */
static const char *tw_sum_who(const json_t *ev) {
  const json_t *u = json_object_get(ev, "userIdentity");
  const char *s = tw_sum_str(u, "arn");
  if (!s)
    s = tw_sum_str(u, "userName");
  if (!s)
    s = tw_sum_str(u, "invokedBy");
  if (!s)
    s = tw_sum_str(u, "principalId");
  if (!s)
    s = tw_sum_str(u, "type");
  return s ? s : "unknown identity";
}

static void tw_sum_piece(tw_nw *w, const char *before, const char *v) {
  if (!v)
    return;
  tw_nw_str(w, before);
  tw_sum_val(w, v);
}

static void tw_sum_cloudtrail(tw_nw *w, const json_t *ev) {
  tw_sum_val(w, tw_sum_str(ev, "eventTime") ? tw_sum_str(ev, "eventTime")
                                            : "(no eventTime)");
  tw_nw_str(w, "  ");
  tw_sum_val(w, tw_sum_who(ev));
  tw_nw_str(w, "\n     ");
  tw_sum_val(w, tw_sum_str(ev, "eventSource") ? tw_sum_str(ev, "eventSource")
                                              : "?");
  tw_nw_str(w, " ");
  tw_sum_val(w, tw_sum_str(ev, "eventName") ? tw_sum_str(ev, "eventName")
                                            : "?");
  tw_sum_piece(w, "  from ", tw_sum_str(ev, "sourceIPAddress"));
  tw_sum_piece(w, "  in ", tw_sum_str(ev, "awsRegion"));
  tw_nw_str(w, "\n");
  const char *code = tw_sum_str(ev, "errorCode");
  if (code) {
    tw_sum_piece(w, "     error: ", code);
    tw_sum_piece(w, " - ", tw_sum_str(ev, "errorMessage"));
    tw_nw_str(w, "\n");
  }
  tw_sum_piece(w, "     eventID: ", tw_sum_str(ev, "eventID"));
  if (tw_sum_str(ev, "eventID"))
    tw_nw_str(w, "\n");
}

static void tw_sum_other(tw_nw *w, const json_t *ev) {
  const char *s = json_string_value(ev);
  char *dump = s ? NULL : json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY);
  tw_sum_val(w, s ? s : dump ? dump : "(event)");
  tw_nw_str(w, "\n");
  free(dump);
}

static void tw_sum_events(tw_nw *w, const json_t *evs) {
  if (!json_is_array(evs))
    return;
  size_t n = json_array_size(evs);
  if (!n) {
    tw_nw_str(w, "\nEvents: none included\n");
    return;
  }
  tw_nw_printf(w, "\nEvents (%zu):\n", n);
  for (size_t i = 0; i < n && i < TW_SUM_MAX_EVENTS; i++) {
    const json_t *ev = json_array_get(evs, i);
    tw_nw_printf(w, "%3zu. ", i + 1);
    if (json_is_object(ev) &&
        (json_object_get(ev, "eventName") || json_object_get(ev, "eventSource")))
      tw_sum_cloudtrail(w, ev);
    else
      tw_sum_other(w, ev);
  }
  if (n > TW_SUM_MAX_EVENTS)
    tw_nw_printf(w, "     ... and %zu more\n", n - TW_SUM_MAX_EVENTS);
}

/* Integers beyond 64 bits are read as reals rather than refused. */
static json_t *tw_sum_load(const char *text) {
  json_error_t je;
  json_t *j = json_loads(text, 0, &je);
  return j ? j : json_loads(text, JSON_DECODE_INT_AS_REAL, &je);
}

int tw_notify_summary(const tw_notification *n, char **out) {
  tw_nw w = {0};
  if (n->subject) {
    tw_sum_val(&w, n->subject);
    tw_nw_str(&w, "\n\n");
  }
  json_t *m = tw_sum_load(n->message);
  if (json_is_object(m)) {
    tw_sum_alarm(&w, m);
    tw_sum_events(&w, json_object_get(m, "Events"));
  } else {
    tw_nw_str(&w, n->message);
    tw_nw_str(&w, "\n");
  }
  json_decref(m);
  return tw_nw_finish(&w, out);
}

/* Slack's "text" treats &, < and > as markup; escape them. */
int tw_notify_slack_body(const tw_notification *n, char **out) {
  char *sum = NULL;
  int rc = tw_notify_summary(n, &sum);
  if (rc != TW_OK)
    return rc;
  tw_nw esc = {0};
  for (const char *p = sum; *p; p++) {
    if (*p == '&')
      tw_nw_str(&esc, "&amp;");
    else if (*p == '<')
      tw_nw_str(&esc, "&lt;");
    else if (*p == '>')
      tw_nw_str(&esc, "&gt;");
    else
      tw_nw_raw(&esc, p, 1);
  }
  free(sum);
  char *text = NULL;
  rc = tw_nw_finish(&esc, &text);
  if (rc != TW_OK)
    return rc;
  tw_nw w = {0};
  tw_nw_str(&w, "{\"text\":");
  tw_nw_jstr(&w, text);
  tw_nw_str(&w, "}");
  free(text);
  return tw_nw_finish(&w, out);
}
