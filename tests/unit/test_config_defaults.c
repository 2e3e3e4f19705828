/*
 * test_config_defaults.c — tests of `defaultAlarmActions:` (src/config/
 * config_defaults.c): the actions tw_config_finish gives every alarm that
 * has no AlarmActions, so rule-pack alarms can notify.
 *
 * Checked: only alarms without an AlarmActions member get the defaults
 * (an explicit [] and an explicit list are left alone, null counts as
 * absent), in their PutMetricAlarm JSON and in their compiled alarm (an
 * OK -> ALARM evaluation returns the default ARNs); finishing again
 * changes nothing and earlier pointers stay valid; the defaults may come
 * from a file loaded before or after the alarms; a default without a
 * target is reported at the defaultAlarmActions item; ARNs are validated
 * like AlarmActions (same messages, at the item); a second file giving
 * the key is an error naming both places; parameters are substituted;
 * template alarms get them too. Run from the repository root.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "tw_test.h"

#define PAGER "arn:aws:sns:us-east-1:111122223333:pager"
#define OWN "arn:aws:sns:us-east-1:111122223333:own"

/* Defaults and the targets they need, as a user's --config file. */
static const char defaults_yaml[] =
    "defaultAlarmActions:\n"
    "  - " PAGER "\n"
    "targets:\n"
    "  " PAGER ": [{type: stdout}]\n"
    "  " OWN ": [{type: stdout}]\n";

/* Alarms with every shape of AlarmActions, as a user's own file. */
#define ALARM(name, extra)                                                                  \
  "  - {AlarmName: " name ", Namespace: N, MetricName: M, Statistic: Sum, Period: 60,\n"   \
  "     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold" \
  extra "}\n"
static const char alarms_yaml[] = "MetricAlarms:\n"
                                  ALARM("explicit", ", AlarmActions: [" OWN "]")
                                  ALARM("empty", ", AlarmActions: []")
                                  ALARM("nulled", ", AlarmActions: null")
                                  ALARM("ok-only", ", OKActions: [" OWN "]");

static int load_text(tw_config *cfg, const char *name, const char *text, tw_error *err) {
  return tw_config_load_buffer(cfg, name, text, strlen(text), err);
}

/* The index of alarm name, or (size_t)-1. */
static size_t alarm_index(const tw_config *cfg, const char *name) {
  for (size_t i = 0; i < tw_config_alarm_count(cfg); i++) {
    const json_t *a = tw_config_alarm(cfg, i, NULL);
    if (!strcmp(json_string_value(json_object_get(a, "AlarmName")), name))
      return i;
  }
  return (size_t)-1;
}

/* AlarmActions of alarm name's JSON as "a,b" ("-" when absent). */
static const char *raw_actions(const tw_config *cfg, const char *name, char *buf, size_t cap) {
  const json_t *list = json_object_get(tw_config_alarm(cfg, alarm_index(cfg, name), NULL),
                                       "AlarmActions");
  if (!json_is_array(list))
    return json_is_null(list) ? "null" : "-";
  buf[0] = '\0';
  for (size_t i = 0, n = 0; i < json_array_size(list); i++)
    n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "",
                          json_string_value(json_array_get(list, i)));
  return buf;
}

/* The actions the compiled alarm runs on OK -> ALARM, as "a,b". */
static const char *compiled_actions(tw_alarm *a, char *buf, size_t cap) {
  double v[1] = {5.0};
  tw_alarm_result r;
  buf[0] = '\0';
  if (!a || tw_alarm_evaluate(a, v, 1, TW_ALARM_OK, 1793613600000, &r) != TW_OK)
    return "(error)";
  for (size_t i = 0, n = 0; i < r.nactions; i++)
    n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", r.actions[i]);
  tw_alarm_result_clear(&r);
  return buf;
}

static const char *compiled_of(const tw_config *cfg, const char *name, char *buf, size_t cap) {
  return compiled_actions(tw_config_alarm_compiled(cfg, alarm_index(cfg, name)), buf, cap);
}

/* Finished: the seed pack, the user's alarms, then the defaults. */
static tw_config *seed_with_defaults(int defaults_first) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  if (defaults_first)
    TW_CHECK_EQ_INT(load_text(cfg, "defaults.yaml", defaults_yaml, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "alarms.yaml", alarms_yaml, &err), TW_OK);
  if (!defaults_first)
    TW_CHECK_EQ_INT(load_text(cfg, "defaults.yaml", defaults_yaml, &err), TW_OK);
  int rc = tw_config_finish(cfg, &err);
  if (rc)
    fprintf(stderr, "finish: %s\n", err.message);
  TW_CHECK_EQ_INT(rc, TW_OK);
  return cfg;
}

/* Only alarms without AlarmActions get them, in the JSON and compiled. */
TW_TEST(defaults_go_to_alarms_without_actions) {
  for (int first = 0; first < 2; first++) {
    tw_config *cfg = seed_with_defaults(first);
    char b[512];
    const char *seed[] = {"trailwatch-seed-privileged-role-assumption",
                          "trailwatch-seed-service-linked-role-denied"};
    for (size_t i = 0; i < 2; i++) {
      TW_CHECK_EQ_STR(raw_actions(cfg, seed[i], b, sizeof b), PAGER);
      TW_CHECK_EQ_STR(compiled_of(cfg, seed[i], b, sizeof b), PAGER);
    }
    TW_CHECK_EQ_STR(raw_actions(cfg, "explicit", b, sizeof b), OWN);
    TW_CHECK_EQ_STR(compiled_of(cfg, "explicit", b, sizeof b), OWN);
    TW_CHECK_EQ_STR(raw_actions(cfg, "empty", b, sizeof b), "");
    TW_CHECK_EQ_STR(compiled_of(cfg, "empty", b, sizeof b), "");
    TW_CHECK_EQ_STR(raw_actions(cfg, "nulled", b, sizeof b), PAGER);
    TW_CHECK_EQ_STR(compiled_of(cfg, "nulled", b, sizeof b), PAGER);
    TW_CHECK_EQ_STR(raw_actions(cfg, "ok-only", b, sizeof b), PAGER);
    TW_CHECK_EQ_STR(compiled_of(cfg, "ok-only", b, sizeof b), PAGER);
    const json_t *ok = tw_config_alarm(cfg, alarm_index(cfg, "ok-only"), NULL);
    TW_CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(ok, "OKActions"), 0)), OWN);
    /* the rest of the JSON is the alarm as loaded */
    const char *origin = NULL;
    const json_t *a = tw_config_alarm(cfg, alarm_index(cfg, seed[0]), &origin);
    TW_CHECK_EQ_STR(json_string_value(json_object_get(a, "TreatMissingData")), "notBreaching");
    TW_CHECK_EQ_INT(json_object_size(a), 11);
    TW_CHECK_EQ_STR(origin, "rules/seed.yaml:47:5");
    TW_CHECK_EQ_INT(tw_alarm_get_period(tw_config_alarm_compiled(cfg, 0)), 300);
    tw_config_free(cfg);
  }
}

/* tw_config_finish again changes nothing; pointers from before it stay
 * valid. */
TW_TEST(finish_is_idempotent) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  char b[512];
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK); /* no defaults yet: nothing to do */
  const json_t *before = tw_config_alarm(cfg, 0, NULL);
  tw_alarm *compiled_before = tw_config_alarm_compiled(cfg, 0);
  TW_CHECK_EQ_STR(raw_actions(cfg, "trailwatch-seed-privileged-role-assumption", b, sizeof b),
                  "-");
  TW_CHECK_EQ_INT(load_text(cfg, "defaults.yaml", defaults_yaml, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  const json_t *after = tw_config_alarm(cfg, 0, NULL);
  tw_alarm *compiled_after = tw_config_alarm_compiled(cfg, 0);
  TW_CHECK_EQ_STR(raw_actions(cfg, "trailwatch-seed-privileged-role-assumption", b, sizeof b),
                  PAGER);
  /* the alarm as loaded is still readable */
  TW_CHECK(json_object_get(before, "AlarmActions") == NULL);
  TW_CHECK_EQ_STR(tw_alarm_get_name(compiled_before), "trailwatch-seed-privileged-role-assumption");
  TW_CHECK_EQ_STR(compiled_actions(compiled_before, b, sizeof b), "");
  for (int k = 0; k < 3; k++)
    TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK(tw_config_alarm(cfg, 0, NULL) == after);
  TW_CHECK(tw_config_alarm_compiled(cfg, 0) == compiled_after);
  TW_CHECK_EQ_STR(raw_actions(cfg, "trailwatch-seed-privileged-role-assumption", b, sizeof b),
                  PAGER);
  TW_CHECK_EQ_STR(compiled_actions(compiled_after, b, sizeof b), PAGER);
  /* an alarm loaded after a finish gets them at the next finish */
  TW_CHECK_EQ_INT(load_text(cfg, "alarms.yaml", alarms_yaml, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_STR(raw_actions(cfg, "nulled", b, sizeof b), PAGER);
  TW_CHECK_EQ_STR(raw_actions(cfg, "empty", b, sizeof b), "");
  TW_CHECK(tw_config_alarm(cfg, 0, NULL) == after);
  tw_config_free(cfg);
}

/* A default ARN without a target is reported where the key gives it. */
TW_TEST(default_without_target) {
  static const char text[] = "defaultAlarmActions: [" OWN ", " PAGER "]\n"
                             "targets:\n"
                             "  " OWN ": []\n";
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "d.yaml", text, &err), TW_OK);
  /* no alarm takes them yet: nothing refers to the ARNs */
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "d.yaml:1:63: defaultAlarmActions[1]: no target for " PAGER
                               " (add it under targets:)");
  /* the same error on every finish, until a target is loaded */
  memset(&err, 0, sizeof err);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_EINVAL);
  TW_CHECK(strstr(err.message, "defaultAlarmActions[1]: no target for " PAGER) != NULL);
  TW_CHECK_EQ_INT(load_text(cfg, "t.yaml", "targets: {" PAGER ": [{type: stdout}]}\n", &err),
                  TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  tw_config_free(cfg);
}

/* Load text as a whole file; returns the status, message in err. */
static int load_alone(const char *text, tw_error *err) {
  tw_config *cfg = NULL;
  memset(err, 0, sizeof *err);
  if (tw_config_new(&cfg))
    return TW_ENOMEM;
  int rc = load_text(cfg, "d.yaml", text, err);
  tw_config_free(cfg);
  return rc;
}

/* The message after "FILE:L:C: PATH: " of an error. */
static const char *after_path(const char *msg, const char *path) {
  const char *p = strstr(msg, path);
  return p ? p + strlen(path) + 2 : "";
}

/* ARNs are validated as AlarmActions are: same message, at the item. */
TW_TEST(bad_arns_are_errors_like_alarm_actions) {
  static const struct {
    const char *list, *as_alarm, *want; /* as_alarm: the list in an alarm (NULL: list) */
  } cases[] = {
      {"[" PAGER ", not-an-arn]", NULL,
       "d.yaml:1:65: defaultAlarmActions: entry 1 is not an ARN "
       "(arn:aws:service:region:account:resource)"},
      {"\n  - " PAGER "\n  - 42\n", "[" PAGER ", 42]",
       "d.yaml:3:5: defaultAlarmActions: entry 1 is not an ARN "
       "(arn:aws:service:region:account:resource)"},
      {"[arn:aws:sns:us-east-1]", NULL,
       "d.yaml:1:23: defaultAlarmActions: entry 0 is not an ARN "
       "(arn:aws:service:region:account:resource)"},
      {PAGER, NULL, "d.yaml:1:22: defaultAlarmActions: must be an array of ARNs"},
      {"{a: b}", NULL, "d.yaml:1:22: defaultAlarmActions: must be an array of ARNs"},
      {"[" PAGER ", " PAGER ", " PAGER ", " PAGER ", " PAGER ", " PAGER "]", NULL,
       "d.yaml:1:22: defaultAlarmActions: at most 5 actions (got 6)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char text[1024], alarm[1024];
    tw_error err, aerr;
    snprintf(text, sizeof text, "defaultAlarmActions: %s\n", cases[i].list);
    TW_CHECK_EQ_INT(load_alone(text, &err), TW_EINVAL);
    if (strcmp(err.message, cases[i].want))
      fprintf(stderr, "case %zu:\n  got  %s\n  want %s\n", i, err.message, cases[i].want);
    TW_CHECK_EQ_STR(err.message, cases[i].want);
    /* the same list as an alarm's AlarmActions gives the same message */
    snprintf(alarm, sizeof alarm,
             "MetricAlarms:\n"
             "  - AlarmName: a\n    Namespace: N\n    MetricName: M\n    Statistic: Sum\n"
             "    Period: 60\n    EvaluationPeriods: 1\n    Threshold: 1\n"
             "    ComparisonOperator: GreaterThanThreshold\n"
             "    AlarmActions: %s\n",
             cases[i].as_alarm ? cases[i].as_alarm : cases[i].list);
    TW_CHECK_EQ_INT(load_alone(alarm, &aerr), TW_EINVAL);
    TW_CHECK_EQ_STR(after_path(err.message, "defaultAlarmActions"),
                    after_path(aerr.message, "MetricAlarms[0].AlarmActions"));
  }
  tw_error err;
  /* five is the most, and an empty list is allowed */
  TW_CHECK_EQ_INT(load_alone("defaultAlarmActions: [" PAGER ", " PAGER ", " PAGER ", " PAGER
                             ", " PAGER "]\n",
                             &err),
                  TW_OK);
  TW_CHECK_EQ_INT(load_alone("defaultAlarmActions: []\n", &err), TW_OK);
  /* only trailwatch files have it, not CloudFormation templates */
  TW_CHECK_EQ_INT(load_alone("Resources: {}\ndefaultAlarmActions: [" PAGER "]\n", &err),
                  TW_EINVAL);
  TW_CHECK(strstr(err.message, "d.yaml:2:1: unknown key 'defaultAlarmActions'") != NULL);
  /* a typo is caught */
  TW_CHECK_EQ_INT(load_alone("defaultAlarmAction: [" PAGER "]\n", &err), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "d.yaml:1:1: unknown key 'defaultAlarmAction' in the top-level "
                               "mapping (did you mean 'defaultAlarmActions'?)");
}

/* A second file giving the key is an error naming both; nothing of that
 * file is kept. */
TW_TEST(two_files_giving_defaults) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  char b[512];
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "a.yaml", defaults_yaml, &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "b.yaml",
                            "targets: {" OWN "x: []}\n"
                            "defaultAlarmActions: [" OWN "]\n",
                            &err),
                  TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "b.yaml:2:1: defaultAlarmActions: already given at a.yaml:1:1 "
                               "(give it in one file only)");
  TW_CHECK(tw_config_target_find(cfg, OWN "x") == NULL);
  tw_config_free(cfg);

  /* the defaults of a file that fails later are not kept */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "bad.yaml",
                            "defaultAlarmActions: [" OWN "]\n"
                            "targets: {" OWN ": [{type: fax}]}\n",
                            &err),
                  TW_EINVAL);
  TW_CHECK(strstr(err.message, "bad.yaml:2:") && strstr(err.message, "fax"));
  TW_CHECK_EQ_INT(load_text(cfg, "a.yaml", defaults_yaml, &err), TW_OK);
  tw_config_free(cfg);

  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "a.yaml", defaults_yaml, &err), TW_OK);
  /* an empty list counts as given too */
  TW_CHECK_EQ_INT(load_text(cfg, "c.yaml", "defaultAlarmActions: []\n", &err), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "c.yaml:1:1: defaultAlarmActions: already given at a.yaml:1:1 "
                               "(give it in one file only)");
  /* null is not giving it */
  TW_CHECK_EQ_INT(load_text(cfg, "n.yaml", "defaultAlarmActions:\n", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_STR(raw_actions(cfg, "trailwatch-seed-service-linked-role-denied", b, sizeof b),
                  PAGER);
  tw_config_free(cfg);

  /* a null key leaves room for a later file */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "n.yaml", "defaultAlarmActions: ~\n", &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "a.yaml", defaults_yaml, &err), TW_OK);
  tw_config_free(cfg);
}

/* An empty list gives nothing; ${Name} works in the ARNs. */
TW_TEST(empty_defaults_and_parameters) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  char b[512];
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "e.yaml", "defaultAlarmActions: []\n", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_STR(raw_actions(cfg, "trailwatch-seed-privileged-role-assumption", b, sizeof b),
                  "-");
  tw_config_free(cfg);

  static const char text[] = "parameters: {Account: '000011112222', Topic: pager}\n"
                             "defaultAlarmActions: ['arn:aws:sns:us-east-1:${Account}:${Topic}']\n"
                             "targets:\n"
                             "  'arn:aws:sns:us-east-1:${Account}:${Topic}': [{type: stdout}]\n";
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Account", "444455556666"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "p.yaml", text, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_STR(raw_actions(cfg, "trailwatch-seed-privileged-role-assumption", b, sizeof b),
                  "arn:aws:sns:us-east-1:444455556666:pager");
  TW_CHECK_EQ_STR(compiled_of(cfg, "trailwatch-seed-privileged-role-assumption", b, sizeof b),
                  "arn:aws:sns:us-east-1:444455556666:pager");
  tw_config_free(cfg);

  /* an unknown parameter is an error at the item */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "u.yaml", "defaultAlarmActions: ['arn:aws:sns:x:${Nope}:t']\n",
                            &err),
                  TW_EINVAL);
  TW_CHECK(strstr(err.message, "u.yaml:1:23: defaultAlarmActions[0]: unknown parameter 'Nope'") !=
           NULL);
  tw_config_free(cfg);
}

/* Alarms of CloudFormation templates get them too. */
TW_TEST(template_alarms_get_defaults) {
  static const char tmpl[] =
      "Resources:\n"
      "  Quiet:\n"
      "    Type: AWS::CloudWatch::Alarm\n"
      "    Properties: {Namespace: N, MetricName: M, Statistic: Sum, Period: 60,\n"
      "      EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanThreshold}\n";
  tw_config *cfg = NULL;
  tw_error err = {0};
  char b[512];
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "t.yaml", tmpl, &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "defaults.yaml", defaults_yaml, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_STR(raw_actions(cfg, "Quiet", b, sizeof b), PAGER);
  TW_CHECK_EQ_STR(compiled_of(cfg, "Quiet", b, sizeof b), PAGER);
  tw_config_free(cfg);
}

int main(void) { return tw_test_run(); }
