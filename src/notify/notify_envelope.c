/*
 * notify_envelope.c — the machine-readable payloads of src/notify/: the
 * SNS HTTP notification envelope (webhook, laid out like SNS's own POST
 * body, metrics-alarms-api.md §8), the Lambda SNS event (command stdin)
 * and the NDJSON line (file). The Message is the alarm JSON of D23,
 * carried as a string exactly as SNS does. docs/notify.md shows each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "notify/notify.h"

/* SNS's HTTP body: pretty-printed with " : " separators. */
static void tw_env_field(tw_nw *w, const char *key, const char *val,
                         int last) {
  tw_nw_str(w, "  ");
  tw_nw_jstr(w, key);
  tw_nw_str(w, " : ");
  tw_nw_jstr(w, val);
  tw_nw_str(w, last ? "\n" : ",\n");
}

int tw_notify_envelope(const tw_notification *n, char **out) {
  char ts[40];
  tw_notify_iso_ms(n->timestamp_ms, ts, sizeof ts);
  tw_nw w = {0};
  tw_nw_str(&w, "{\n");
  tw_env_field(&w, "Type", "Notification", 0);
  tw_env_field(&w, "MessageId", n->id, 0);
  tw_env_field(&w, "TopicArn", n->topic_arn, 0);
  if (n->subject)
    tw_env_field(&w, "Subject", n->subject, 0);
  tw_env_field(&w, "Message", n->message, 0);
  tw_env_field(&w, "Timestamp", ts, 0);
  tw_env_field(&w, "SignatureVersion", "1", 0);
  tw_env_field(&w, "Signature", "", 0);
  tw_env_field(&w, "SigningCertURL", "", 0);
  tw_env_field(&w, "UnsubscribeURL", "", 0);
  tw_nw_str(&w, "  \"MessageAttributes\" : {}\n}");
  return tw_nw_finish(&w, out);
}

static void tw_env_kv(tw_nw *w, const char *key, const char *val) {
  tw_nw_jstr(w, key);
  tw_nw_str(w, ":");
  tw_nw_jstr(w, val);
}

/* Lambda's event for an SNS trigger; note the Url (not URL) spellings. */
int tw_notify_lambda_event(const tw_notification *n, char **out) {
  char ts[40];
  tw_notify_iso_ms(n->timestamp_ms, ts, sizeof ts);
  tw_nw w = {0};
  tw_nw_str(&w, "{\"Records\":[{");
  tw_env_kv(&w, "EventSource", "aws:sns");
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "EventVersion", "1.0");
  size_t alen = strlen(n->topic_arn) + sizeof ":trailwatch";
  char *sub = malloc(alen);
  if (!sub)
    w.rc = TW_ENOMEM;
  else
    snprintf(sub, alen, "%s:trailwatch", n->topic_arn);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "EventSubscriptionArn", sub ? sub : "");
  free(sub);
  tw_nw_str(&w, ",\"Sns\":{");
  tw_env_kv(&w, "Type", "Notification");
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "MessageId", n->id);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "TopicArn", n->topic_arn);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "Subject", n->subject);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "Message", n->message);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "Timestamp", ts);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "SignatureVersion", "1");
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "Signature", "");
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "SigningCertUrl", "");
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "UnsubscribeUrl", "");
  tw_nw_str(&w, ",\"MessageAttributes\":{}}}]}\n");
  return tw_nw_finish(&w, out);
}

/* The message embedded as JSON when it parses (line breaks, which in valid
 * JSON can only be whitespace, become spaces), else as a string. */
static void tw_env_embed(tw_nw *w, const char *msg) {
  json_error_t je;
  json_t *j = json_loads(msg, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
  if (!j) {
    tw_nw_jstr(w, msg);
    return;
  }
  json_decref(j);
  const char *p = msg;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  size_t len = strlen(p);
  while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
                 p[len - 1] == '\n' || p[len - 1] == '\r'))
    len--;
  for (size_t i = 0; i < len;) {
    size_t run = strcspn(p + i, "\r\n");
    if (run > len - i)
      run = len - i;
    tw_nw_raw(w, p + i, run);
    i += run;
    if (i < len) {
      tw_nw_raw(w, " ", 1);
      i++;
    }
  }
}

int tw_notify_file_line(const tw_notification *n, char **out) {
  char ts[40];
  tw_notify_iso_ms(n->timestamp_ms, ts, sizeof ts);
  tw_nw w = {0};
  tw_nw_str(&w, "{");
  tw_env_kv(&w, "id", n->id);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "topicArn", n->topic_arn);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "subject", n->subject);
  tw_nw_str(&w, ",");
  tw_env_kv(&w, "timestamp", ts);
  tw_nw_str(&w, ",\"message\":");
  tw_env_embed(&w, n->message);
  tw_nw_str(&w, "}\n");
  return tw_nw_finish(&w, out);
}
