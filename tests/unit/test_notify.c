/*
 * test_notify.c — the payloads of src/notify/ without any delivery: the
 * SNS HTTP envelope, the Lambda SNS event, the NDJSON file line, the
 * readable summary (who/what/where/when), the Slack body, the email text
 * (headers, injection safety, encoded subjects, quoted-printable), HMAC,
 * timestamps, type names and target validation. The deliveries themselves
 * are covered by test_notify_webhook.c, test_notify_command.c and
 * test_notify_file.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "notify/notify.h"
#include "tw_test.h"

#define EV1                                                                    \
  "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","         \
  "\"arn\":\"arn:aws:iam::123456789012:user/alice\",\"userName\":\"alice\"},"  \
  "\"eventTime\":\"2024-03-01T12:34:56Z\",\"eventSource\":"                    \
  "\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":"     \
  "\"us-east-1\",\"sourceIPAddress\":\"203.0.113.9\",\"errorCode\":"           \
  "\"AccessDenied\",\"errorMessage\":\"Failed authentication\",\"eventID\":"   \
  "\"0b5f3c1e-1111-2222-3333-444455556666\",\"ratio\":0.1}"
#define EV2                                                                    \
  "{\"userIdentity\":{\"type\":\"Root\",\"principalId\":\"123456789012\"},"    \
  "\"eventTime\":\"2024-03-01T12:35:00Z\",\"eventSource\":"                    \
  "\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"awsRegion\":"          \
  "\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\",\"eventID\":\"ev-2\"}"

static const char *const msg_json =
    "{\"AlarmName\":\"console-failures\",\"AlarmDescription\":null,"
    "\"AWSAccountId\":\"123456789012\",\"NewStateValue\":\"ALARM\","
    "\"NewStateReason\":\"Threshold Crossed: 1 out of the last 1 datapoints "
    "[3.0 (01/03/24 12:34:00)] was greater than the threshold (2.0).\","
    "\"StateChangeTime\":\"2024-03-01T12:36:00.000+0000\",\"Region\":"
    "\"US East (N. Virginia)\",\"OldStateValue\":\"OK\",\"Trigger\":{"
    "\"MetricName\":\"ConsoleSigninFailureCount\",\"Namespace\":"
    "\"CISBenchmark\",\"Statistic\":\"SUM\"},\"Events\":[" EV1 "," EV2 "]}";

static tw_notification sample(void) {
  tw_notification n = {"n-0001", "arn:aws:sns:us-east-1:123456789012:sec",
                       "ALARM: \"console-failures\" in US East (N. Virginia)",
                       msg_json, 1664131837868LL};
  return n;
}

TW_TEST(iso_timestamps) {
  char b[40];
  tw_notify_iso_ms(1664131837868LL, b, sizeof b);
  TW_CHECK_EQ_STR(b, "2022-09-25T18:50:37.868Z");
  tw_notify_iso_ms(0, b, sizeof b);
  TW_CHECK_EQ_STR(b, "1970-01-01T00:00:00.000Z");
  tw_notify_iso_ms(-1, b, sizeof b);
  TW_CHECK_EQ_STR(b, "1969-12-31T23:59:59.999Z");
}

TW_TEST(hmac_known_vector) {
  char hex[65];
  const char *body = "The quick brown fox jumps over the lazy dog";
  TW_CHECK_EQ_INT(tw_notify_hmac_hex("key", body, strlen(body), hex), TW_OK);
  TW_CHECK_EQ_STR(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TW_TEST(envelope_is_sns_http_body) {
  tw_notification n = sample();
  char *env = NULL;
  TW_CHECK_EQ_INT(tw_notify_envelope(&n, &env), TW_OK);
  json_error_t je;
  json_t *j = json_loads(env, 0, &je);
  TW_CHECK(j != NULL);
  const char *keys[] = {"Type", "MessageId", "TopicArn", "Subject", "Message",
                        "Timestamp", "SignatureVersion", "Signature",
                        "SigningCertURL", "UnsubscribeURL", "MessageAttributes"};
  size_t i = 0;
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    TW_CHECK(i < 11 && strcmp(k, keys[i]) == 0); /* SNS's order */
    i++;
  }
  TW_CHECK_EQ_INT(i, 11);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Type")), "Notification");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "MessageId")), "n-0001");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "TopicArn")), n.topic_arn);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Subject")), n.subject);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Message")), msg_json);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Timestamp")),
                  "2022-09-25T18:50:37.868Z");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "SignatureVersion")), "1");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Signature")), "");
  TW_CHECK(json_is_object(json_object_get(j, "MessageAttributes")));
  TW_CHECK_EQ_INT(json_object_size(json_object_get(j, "MessageAttributes")), 0);
  TW_CHECK(strncmp(env, "{\n  \"Type\" : \"Notification\",\n", 29) == 0);
  json_decref(j);
  free(env);
  /* no subject: the member is left out, as SNS does */
  n.subject = NULL;
  TW_CHECK_EQ_INT(tw_notify_envelope(&n, &env), TW_OK);
  j = json_loads(env, 0, &je);
  TW_CHECK(j && !json_object_get(j, "Subject"));
  json_decref(j);
  free(env);
}

TW_TEST(envelope_escapes_and_repairs_text) {
  tw_notification n = sample();
  n.message = "line1\nline2 \"q\" \\ \x01 caf\xc3\xa9 bad\xff end";
  char *env = NULL;
  TW_CHECK_EQ_INT(tw_notify_envelope(&n, &env), TW_OK);
  json_error_t je;
  json_t *j = json_loads(env, 0, &je);
  TW_CHECK(j != NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "Message")),
                  "line1\nline2 \"q\" \\ \x01 caf\xc3\xa9 bad\xef\xbf\xbd end");
  json_decref(j);
  free(env);
}

TW_TEST(lambda_event_shape) {
  tw_notification n = sample();
  char *ev = NULL;
  TW_CHECK_EQ_INT(tw_notify_lambda_event(&n, &ev), TW_OK);
  TW_CHECK(ev[strlen(ev) - 1] == '\n');
  TW_CHECK(strchr(ev, '\n') == ev + strlen(ev) - 1); /* one line */
  json_error_t je;
  json_t *j = json_loads(ev, 0, &je);
  json_t *r = json_array_get(json_object_get(j, "Records"), 0);
  TW_CHECK_EQ_INT(json_array_size(json_object_get(j, "Records")), 1);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(r, "EventSource")), "aws:sns");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(r, "EventVersion")), "1.0");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(r, "EventSubscriptionArn")),
                  "arn:aws:sns:us-east-1:123456789012:sec:trailwatch");
  json_t *s = json_object_get(r, "Sns");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(s, "Type")), "Notification");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(s, "MessageId")), "n-0001");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(s, "Message")), msg_json);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(s, "Subject")), n.subject);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(s, "Timestamp")),
                  "2022-09-25T18:50:37.868Z");
  TW_CHECK(json_object_get(s, "SigningCertUrl") && json_object_get(s, "UnsubscribeUrl"));
  json_decref(j);
  free(ev);
  n.subject = NULL;
  TW_CHECK_EQ_INT(tw_notify_lambda_event(&n, &ev), TW_OK);
  j = json_loads(ev, 0, &je);
  r = json_array_get(json_object_get(j, "Records"), 0);
  TW_CHECK(json_is_null(json_object_get(json_object_get(r, "Sns"), "Subject")));
  json_decref(j);
  free(ev);
}

TW_TEST(file_line_embeds_message) {
  tw_notification n = sample();
  n.message = "{\n  \"AlarmName\": \"x\",\n  \"ratio\": 0.1, \"big\": 123456789012345678901234567890\n}\n";
  char *line = NULL;
  TW_CHECK_EQ_INT(tw_notify_file_line(&n, &line), TW_OK);
  size_t len = strlen(line);
  TW_CHECK(len > 0 && line[len - 1] == '\n' && !memchr(line, '\n', len - 1));
  /* raw JSON text kept: numbers are not re-spelled */
  TW_CHECK(strstr(line, "\"ratio\": 0.1,") != NULL);
  TW_CHECK(strstr(line, "123456789012345678901234567890") != NULL);
  TW_CHECK(strncmp(line, "{\"id\":\"n-0001\",\"topicArn\":\"arn:aws:sns:us-east-1:123456789012:sec\","
                         "\"subject\":", 72) == 0);
  json_error_t je;
  json_t *j = json_loads(line, JSON_DECODE_INT_AS_REAL, &je);
  TW_CHECK(j != NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "message"), "AlarmName")), "x");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "timestamp")), "2022-09-25T18:50:37.868Z");
  json_decref(j);
  free(line);
  /* not JSON: carried as a string */
  n.message = "plain text\nmessage";
  TW_CHECK_EQ_INT(tw_notify_file_line(&n, &line), TW_OK);
  j = json_loads(line, 0, &je);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "message")), "plain text\nmessage");
  json_decref(j);
  free(line);
}

TW_TEST(summary_has_who_what_where_when) {
  tw_notification n = sample();
  char *s = NULL;
  TW_CHECK_EQ_INT(tw_notify_summary(&n, &s), TW_OK);
  const char *want[] = {
      "ALARM: \"console-failures\" in US East (N. Virginia)\n",
      "Alarm:       console-failures\n",
      "State:       OK -> ALARM\n",
      "Reason:      Threshold Crossed: 1 out of the last 1 datapoints",
      "Region:      US East (N. Virginia)\n",
      "Account:     123456789012\n",
      "Metric:      CISBenchmark/ConsoleSigninFailureCount\n",
      "Events (2):\n",
      "  1. 2024-03-01T12:34:56Z  arn:aws:iam::123456789012:user/alice\n",
      "     signin.amazonaws.com ConsoleLogin  from 203.0.113.9  in us-east-1\n",
      "     error: AccessDenied - Failed authentication\n",
      "     eventID: 0b5f3c1e-1111-2222-3333-444455556666\n",
      "  2. 2024-03-01T12:35:00Z  123456789012\n",
      "     iam.amazonaws.com CreateUser  from 198.51.100.7  in us-east-1\n"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    if (!strstr(s, want[i]))
      fprintf(stderr, "  missing: %s\n--- summary:\n%s", want[i], s);
    TW_CHECK(strstr(s, want[i]) != NULL);
  }
  TW_CHECK(!strstr(s, "Description"));
  free(s);
}

TW_TEST(summary_of_odd_messages) {
  tw_notification n = sample();
  char *s = NULL;
  n.message = "not json at all";
  n.subject = NULL;
  TW_CHECK_EQ_INT(tw_notify_summary(&n, &s), TW_OK);
  TW_CHECK_EQ_STR(s, "not json at all\n");
  free(s);
  n.message = "{\"AlarmName\":\"a\",\"Events\":[\"a log line\\nwith newline\",{\"x\":1},"
              "{\"eventName\":\"GetObject\",\"userIdentity\":{\"type\":\"AWSService\","
              "\"invokedBy\":\"s3.amazonaws.com\"}}]}";
  TW_CHECK_EQ_INT(tw_notify_summary(&n, &s), TW_OK);
  TW_CHECK(strstr(s, "  1. a log line with newline\n") != NULL);
  TW_CHECK(strstr(s, "  2. {\"x\":1}\n") != NULL);
  TW_CHECK(strstr(s, "  3. (no eventTime)  s3.amazonaws.com\n     ? GetObject\n") != NULL);
  free(s);
  n.message = "{\"AlarmName\":\"a\",\"Events\":[]}";
  TW_CHECK_EQ_INT(tw_notify_summary(&n, &s), TW_OK);
  TW_CHECK(strstr(s, "Events: none included") != NULL);
  free(s);
}

TW_TEST(slack_body) {
  tw_notification n = sample();
  char *b = NULL;
  TW_CHECK_EQ_INT(tw_notify_slack_body(&n, &b), TW_OK);
  json_error_t je;
  json_t *j = json_loads(b, 0, &je);
  TW_CHECK(j && json_object_size(j) == 1);
  const char *t = json_string_value(json_object_get(j, "text"));
  TW_CHECK(t && strstr(t, "arn:aws:iam::123456789012:user/alice"));
  TW_CHECK(t && strstr(t, "signin.amazonaws.com ConsoleLogin"));
  TW_CHECK(t && strstr(t, "2024-03-01T12:34:56Z"));
  TW_CHECK(t && strstr(t, "OK -&gt; ALARM")); /* Slack markup escaped */
  json_decref(j);
  free(b);
}

/* Quoted-printable decoding (soft breaks and =XX) in place. */
static void qp_decode(char *s) {
  char *o = s;
  while (*s) {
    if (s[0] == '=' && s[1] == '\n') {
      s += 2;
    } else if (s[0] == '=' && s[1] && s[2]) {
      char hex[3] = {s[1], s[2], 0};
      *o++ = (char)strtol(hex, NULL, 16);
      s += 3;
    } else {
      *o++ = *s++;
    }
  }
  *o = 0;
}

static int max_line(const char *s) {
  int best = 0, cur = 0;
  for (; *s; s++) {
    cur = *s == '\n' ? 0 : cur + 1;
    best = cur > best ? cur : best;
  }
  return best;
}

TW_TEST(email_text_headers_and_body) {
  tw_notification n = sample();
  const char *to[] = {"ops@example.com", "sec@example.com\r\nBcc: evil@example.net"};
  tw_delivery d = {.type = TW_DELIVERY_EMAIL, .to = to, .nto = 2,
                   .from = "Trailwatch <tw@example.com>\nX-Evil: 1",
                   .subject_prefix = "[tw]"};
  n.subject = "ALARM: x\r\nBcc: evil@example.net";
  char *m = NULL;
  TW_CHECK_EQ_INT(tw_notify_email_text(&d, &n, 1664131837868LL, &m), TW_OK);
  char *body = strstr(m, "\n\n");
  TW_CHECK(body != NULL);
  if (!body)
    return;
  *body = 0; /* m: headers only */
  TW_CHECK(strstr(m, "From: Trailwatch <tw@example.com> X-Evil: 1\n") == m);
  TW_CHECK(strstr(m, "\nTo: ops@example.com,\n sec@example.com  Bcc: evil@example.net\n"));
  TW_CHECK(strstr(m, "\nSubject: [tw] ALARM: x  Bcc: evil@example.net\n"));
  TW_CHECK(strstr(m, "\nDate: Sun, 25 Sep 2022 18:50:37 +0000\n"));
  TW_CHECK(strstr(m, "\nMessage-ID: <n-0001@trailwatch>\n"));
  TW_CHECK(strstr(m, "\nContent-Type: text/plain; charset=UTF-8\n"));
  TW_CHECK(strstr(m, "\nContent-Transfer-Encoding: 8bit"));
  TW_CHECK(strstr(m, "\nMIME-Version: 1.0\n"));
  TW_CHECK(!strstr(m, "\nBcc:") && !strstr(m, "\nX-Evil:"));
  body += 2;
  TW_CHECK(strstr(body, "Alarm:       console-failures\n") != NULL);
  TW_CHECK(strstr(body, "\n-- \nSNS message (JSON):\n") != NULL);
  /* the raw message re-indented, numbers as written */
  TW_CHECK(strstr(body, "\n{\n  \"AlarmName\": \"console-failures\",\n  \"AlarmDescription\": null,\n") != NULL);
  TW_CHECK(strstr(body, "\n  \"Events\": [\n    {\n      \"eventVersion\": \"1.08\",\n") != NULL);
  TW_CHECK(strstr(body, "\"ratio\": 0.1\n    },\n    {\n") != NULL);
  TW_CHECK(strstr(body, "\"eventID\": \"ev-2\"\n    }\n  ]\n}\n") != NULL);
  free(m);
}

TW_TEST(email_text_encodes_when_needed) {
  tw_notification n = sample();
  const char *to[] = {"ops@example.com"};
  tw_delivery d = {.type = TW_DELIVERY_EMAIL, .to = to, .nto = 1};
  n.subject = "ALARM: \"\xc3\xa9t\xc3\xa9-\xe2\x82\xac-alarm-with-a-rather-long-name-"
              "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
              "\xe2\x82\xac\xe2\x82\xac\" in EU (Ireland)";
  char long_msg[3000];
  snprintf(long_msg, sizeof long_msg, "{\"AlarmName\":\"%02000d\",\"x\":\"a=b\"}", 7);
  n.message = long_msg;
  char *m = NULL;
  TW_CHECK_EQ_INT(tw_notify_email_text(&d, &n, 0, &m), TW_OK);
  TW_CHECK(strstr(m, "From: trailwatch@") == m);
  TW_CHECK(strstr(m, "\nSubject: =?UTF-8?B?") != NULL);
  TW_CHECK(strstr(m, "?=\n =?UTF-8?B?") != NULL); /* folded words */
  TW_CHECK(strstr(m, "Content-Transfer-Encoding: quoted-printable\n") != NULL);
  char *body = strstr(m, "\n\n");
  TW_CHECK(body && max_line(body) <= 76);
  if (body) {
    qp_decode(body);
    TW_CHECK(strstr(body, "\"x\": \"a=b\"\n}\n") != NULL);
    TW_CHECK(strstr(body, "Alarm:       00000") != NULL);
  }
  free(m);
}

TW_TEST(type_names) {
  const char *names[] = {"webhook", "command", "file", "stdout", "email"};
  for (int i = 0; i < TW_DELIVERY_NTYPES; i++) {
    tw_delivery_type t;
    TW_CHECK_EQ_STR(tw_delivery_type_name((tw_delivery_type)i), names[i]);
    TW_CHECK_EQ_INT(tw_delivery_type_parse(names[i], &t), TW_OK);
    TW_CHECK_EQ_INT(t, i);
  }
  tw_delivery_type t;
  TW_CHECK_EQ_INT(tw_delivery_type_parse("sns", &t), TW_ENOTFOUND);
  TW_CHECK(tw_delivery_type_name((tw_delivery_type)99) == NULL);
}

TW_TEST(target_checks) {
  char err[200];
  const char *bad_hdr[] = {"X-Ok: 1", "Bad\r\nInjected: 1"};
  const char *no_colon[] = {"NoColon"};
  const char *argv0[] = {""};
  tw_delivery cases[] = {
      {.type = TW_DELIVERY_WEBHOOK},
      {.type = TW_DELIVERY_WEBHOOK, .url = "ftp://example.com/x"},
      {.type = TW_DELIVERY_WEBHOOK, .url = "file:///etc/passwd"},
      {.type = TW_DELIVERY_WEBHOOK, .url = "http://x/\r\nHost: y"},
      {.type = TW_DELIVERY_WEBHOOK, .url = "http://x/", .headers = bad_hdr, .nheaders = 2},
      {.type = TW_DELIVERY_WEBHOOK, .url = "http://x/", .headers = no_colon, .nheaders = 1},
      {.type = TW_DELIVERY_WEBHOOK, .url = "http://x/", .secret = ""},
      {.type = TW_DELIVERY_COMMAND},
      {.type = TW_DELIVERY_COMMAND, .argv = argv0, .argc = 1},
      {.type = TW_DELIVERY_FILE},
      {.type = TW_DELIVERY_EMAIL},
      {.type = TW_DELIVERY_EMAIL, .to = argv0, .nto = 1},
      {.type = (tw_delivery_type)42},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    err[0] = 0;
    int rc = tw_delivery_check(&cases[i], err, sizeof err);
    if (rc != TW_EINVAL)
      fprintf(stderr, "  case %zu accepted\n", i);
    TW_CHECK_EQ_INT(rc, TW_EINVAL);
    TW_CHECK(err[0] != 0);
    /* tw_deliver refuses the same targets, never retryable */
    tw_notification n = sample();
    tw_delivery_result r;
    TW_CHECK_EQ_INT(tw_deliver(&cases[i], &n, &r), TW_EINVAL);
    TW_CHECK(!r.ok && !r.retryable && r.detail[0]);
  }
  tw_delivery good = {.type = TW_DELIVERY_WEBHOOK, .url = "HTTPS://example.com/hook"};
  TW_CHECK_EQ_INT(tw_delivery_check(&good, err, sizeof err), TW_OK);
  tw_delivery out = {.type = TW_DELIVERY_STDOUT};
  TW_CHECK_EQ_INT(tw_delivery_check(&out, err, sizeof err), TW_OK);
}

TW_TEST(notification_checks) {
  tw_delivery d = {.type = TW_DELIVERY_STDOUT};
  tw_delivery_result r;
  tw_notification n = sample();
  n.id = NULL;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_EINVAL);
  n = sample();
  n.topic_arn = "arn:x\nEvil: 1";
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_EINVAL);
  n = sample();
  n.message = NULL;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_EINVAL);
  TW_CHECK(!r.ok && !r.retryable);
  TW_CHECK_EQ_INT(tw_deliver(&d, NULL, &r), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_deliver(NULL, &n, &r), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, NULL), TW_EINVAL);
}

int main(void) { return tw_test_run(); }
