/*
 * test_config.c — tests of the configuration loader (src/config/).
 *
 * Most cases are data: tests/data/config/cases.txt lists fixture files with
 * the expected outcome (counts, or the exact error text with FILE:LINE:COL,
 * from a load or from tw_config_finish). The tests here add what a table
 * cannot say: YAML and JSON forms give the same definitions (trailwatch
 * files and CloudFormation templates), raw describe outputs keep every
 * field, parameters, rules, targets and compiled alarms through the API,
 * the bundled rule packs, scalar resolution, length boundaries,
 * anchors/merges, bounds on hostile input and speed on a 1,000-filter
 * file. Run from the repository root.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "tw_test.h"
#include "util/util.h"

#define DATA "tests/data/config/"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  tw_buf b = {0};
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    tw_buf_append(&b, chunk, n);
  fclose(f);
  tw_buf_append(&b, "", 1);
  *len = b.len - 1;
  return b.data;
}

/* Load fixture name (under its own name, as the case file expects). */
static int load_fixture(tw_config *cfg, const char *name, tw_error *err) {
  char path[256];
  size_t len = 0;
  snprintf(path, sizeof path, DATA "%s", name);
  char *data = read_file(path, &len);
  if (!data) {
    fprintf(stderr, "cannot read %s\n", path);
    return TW_EIO;
  }
  int rc = tw_config_load_buffer(cfg, name, data, len, err);
  free(data);
  return rc;
}

static int load_text(tw_config *cfg, const char *name, const char *text, tw_error *err) {
  return tw_config_load_buffer(cfg, name, text, strlen(text), err);
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ------------------------------------------------------------------ */
/* The case file                                                       */
/* ------------------------------------------------------------------ */

typedef struct counts {
  size_t filters, alarms, targets, rules;
} counts;

static counts config_counts(const tw_config *cfg) {
  counts c = {tw_config_metric_filter_count(cfg), tw_config_alarm_count(cfg),
              tw_config_target_count(cfg), tw_config_rule_count(cfg)};
  return c;
}

/* Run one case line; returns 1 when it passes (prints why not). */
static int run_case(int lineno, char *files, const char *result, const char *detail) {
  char *names[8];
  size_t nnames = 0;
  for (char *p = files; p && nnames < 8; nnames++) {
    names[nnames] = p;
    p = strchr(p, '+');
    if (p)
      *p++ = '\0';
  }
  tw_config *cfg = NULL;
  if (tw_config_new(&cfg))
    return 0;
  int ok = 1, rc = TW_OK;
  tw_error err = {0};
  for (size_t i = 0; i < nnames; i++) {
    const char *name = names[i];
    int must_fail = name[0] == '!';
    name += must_fail;
    counts before = config_counts(cfg);
    memset(&err, 0, sizeof err);
    rc = load_fixture(cfg, name, &err);
    counts after = config_counts(cfg);
    if (rc && memcmp(&before, &after, sizeof before)) {
      fprintf(stderr, "cases.txt:%d: failed load of %s changed the configuration\n", lineno,
              name);
      ok = 0;
    }
    if (i + 1 < nnames && (must_fail ? rc != TW_EINVAL : rc != TW_OK)) {
      fprintf(stderr, "cases.txt:%d: %s: unexpected status %d: %s\n", lineno, name, rc,
              err.message);
      ok = 0;
    }
  }
  if (rc == TW_OK) {
    memset(&err, 0, sizeof err);
    rc = tw_config_finish(cfg, &err);
  }
  if (!strcmp(result, "ok")) {
    char got[128];
    counts c = config_counts(cfg);
    snprintf(got, sizeof got, "filters=%zu alarms=%zu targets=%zu", c.filters, c.alarms,
             c.targets);
    if (c.rules)
      snprintf(got + strlen(got), sizeof got - strlen(got), " rules=%zu", c.rules);
    if (rc != TW_OK || strcmp(got, detail)) {
      fprintf(stderr, "cases.txt:%d: expected ok %s, got status %d (%s) %s\n", lineno, detail,
              rc, err.message, got);
      ok = 0;
    }
  } else if (strcmp(result, "error") || rc != TW_EINVAL || !strstr(err.message, detail)) {
    fprintf(stderr, "cases.txt:%d: expected %s containing\n  %s\ngot status %d:\n  %s\n",
            lineno, result, detail, rc, err.message);
    ok = 0;
  }
  tw_config_free(cfg);
  return ok;
}

TW_TEST(case_file) {
  size_t len;
  char *text = read_file(DATA "cases.txt", &len);
  TW_CHECK(text != NULL);
  if (!text)
    return;
  int lineno = 0, ncases = 0;
  for (char *line = text, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    lineno++;
    if (line[0] == '#' || line[0] == '\0')
      continue;
    char files[512], result[16];
    int used = 0;
    if (sscanf(line, "%511s %15s %n", files, result, &used) != 2) {
      fprintf(stderr, "cases.txt: bad line: %s\n", line);
      TW_CHECK(0);
      continue;
    }
    ncases++;
    TW_CHECK(run_case(lineno, files, result, line + used));
  }
  TW_CHECK(ncases >= 150);
  free(text);
}

/* ------------------------------------------------------------------ */
/* Same configuration in YAML and JSON                                 */
/* ------------------------------------------------------------------ */

static int same_str(const char *a, const char *b) {
  return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_def(const tw_metric_filter_def *a, const tw_metric_filter_def *b) {
  int same = same_str(a->filter_name, b->filter_name) &&
             same_str(a->filter_pattern, b->filter_pattern) &&
             same_str(a->log_group_name, b->log_group_name) &&
             same_str(a->metric_name, b->metric_name) &&
             same_str(a->metric_namespace, b->metric_namespace) &&
             same_str(a->metric_value, b->metric_value) && a->has_default == b->has_default &&
             a->default_value == b->default_value && a->ndims == b->ndims &&
             same_str(a->unit, b->unit) && a->pattern && b->pattern && a->transform &&
             b->transform;
  for (size_t i = 0; same && i < a->ndims; i++)
    same = same_str(a->dim_names[i], b->dim_names[i]) &&
           same_str(a->dim_tokens[i], b->dim_tokens[i]);
  return same;
}

TW_TEST(yaml_and_json_forms_are_identical) {
  tw_config *y = NULL, *j = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&y), TW_OK);
  TW_CHECK_EQ_INT(tw_config_new(&j), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(y, "seeds.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(j, "seeds.json", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(y), 2);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(j), 2);
  for (size_t i = 0; i < 2; i++)
    TW_CHECK(same_def(tw_config_metric_filter(y, i), tw_config_metric_filter(j, i)));
  TW_CHECK_EQ_INT(tw_config_alarm_count(y), 1);
  TW_CHECK(json_equal((json_t *)tw_config_alarm(y, 0, NULL), (json_t *)tw_config_alarm(j, 0, NULL)));
  TW_CHECK(json_equal((json_t *)tw_config_targets(y), (json_t *)tw_config_targets(j)));
  const char *oy = NULL, *oj = NULL;
  tw_config_alarm(y, 0, &oy);
  tw_config_alarm(j, 0, &oj);
  TW_CHECK_EQ_STR(oy, "seeds.yaml:24:5");
  TW_CHECK_EQ_STR(oj, "seeds.json:32:5");
  TW_CHECK_EQ_STR(tw_config_metric_filter(y, 1)->origin, "seeds.yaml:11:5");
  TW_CHECK_EQ_STR(tw_config_metric_filter(j, 1)->origin, "seeds.json:16:5");
  tw_config_free(y);
  tw_config_free(j);
}

/* The seed definitions are usable: patterns and transforms are compiled. */
TW_TEST(seed_definitions_are_compiled) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "seeds.yaml", &err), TW_OK);
  const tw_metric_filter_def *sw = tw_config_metric_filter(cfg, 0);
  const tw_metric_filter_def *sl = tw_config_metric_filter(cfg, 1);
  TW_CHECK_EQ_STR(sw->filter_name, "PrivilegedRoleSwitch");
  TW_CHECK_EQ_STR(sw->filter_pattern, "{ $.eventName = \"SwitchRole\" }");
  TW_CHECK_EQ_STR(sw->metric_value, "1");
  TW_CHECK(sw->has_default && sw->default_value == 0.0);
  TW_CHECK(sw->unit == NULL);
  TW_CHECK_EQ_STR(sl->filter_pattern,
                  "{ $.eventName = Get* && $.errorCode = AccessDenied && "
                  "$.userIdentity.sessionContext.sessionIssuer.arn = "
                  "\"arn:aws:iam::*:role/aws-service-role/*\" }");
  TW_CHECK_EQ_STR(sl->unit, "Count");
  TW_CHECK_EQ_INT(sl->ndims, 1);
  TW_CHECK_EQ_STR(sl->dim_names[0], "EventSource");
  TW_CHECK_EQ_STR(sl->dim_tokens[0], "$.eventSource");
  TW_CHECK_EQ_INT(tw_pattern_get_kind(sw->pattern), TW_PATTERN_JSON);
  const char *ev = "{\"eventName\":\"SwitchRole\",\"eventSource\":\"signin.amazonaws.com\"}";
  int matched = 0;
  TW_CHECK_EQ_INT(tw_pattern_match(sw->pattern, ev, strlen(ev), NULL, &matched), TW_OK);
  TW_CHECK_EQ_INT(matched, 1);
  TW_CHECK_EQ_INT(tw_transform_dimension_count(sl->transform), 1);
  tw_config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* Raw describe outputs                                                */
/* ------------------------------------------------------------------ */

TW_TEST(describe_metric_filters_output_loads) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "describe_metric_filters.json", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 4);
  const tw_metric_filter_def *root = tw_config_metric_filter(cfg, 1);
  TW_CHECK_EQ_STR(root->filter_name, "CIS-RootAccountUsage");
  TW_CHECK_EQ_STR(root->log_group_name, "aws-cloudtrail-logs-111122223333-3f8e2b1c");
  TW_CHECK(root->has_default && root->default_value == 0.0);
  const tw_metric_filter_def *dims = tw_config_metric_filter(cfg, 3);
  TW_CHECK_EQ_STR(dims->log_group_name, "org-trail/management-events");
  TW_CHECK_EQ_INT(dims->ndims, 2);
  TW_CHECK_EQ_STR(dims->dim_names[1], "Region");
  TW_CHECK_EQ_STR(dims->dim_tokens[1], "$.awsRegion");
  TW_CHECK_EQ_STR(dims->unit, "Count");
  TW_CHECK_EQ_STR(dims->origin, "describe_metric_filters.json:47:9");
  TW_CHECK(!tw_config_metric_filter(cfg, 0)->has_default);
  TW_CHECK(tw_config_metric_filter(cfg, 4) == NULL);
  TW_CHECK(tw_config_targets(cfg) == NULL);
  TW_CHECK_EQ_INT(tw_config_alarm_count(cfg), 0);
  TW_CHECK(tw_config_alarm(cfg, 0, NULL) == NULL);
  tw_config_free(cfg);
}

TW_TEST(describe_alarms_entries_are_kept_raw) {
  size_t len;
  char *text = read_file(DATA "describe_alarms.json", &len);
  TW_CHECK(text != NULL);
  if (!text)
    return;
  json_t *ref = json_loadb(text, len, 0, NULL);
  json_t *list = json_object_get(ref, "MetricAlarms");
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "seeds.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load_buffer(cfg, "alarms.json", text, len, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_alarm_count(cfg), 3);
  for (size_t i = 0; i < 2; i++) {
    const char *origin = NULL;
    const json_t *a = tw_config_alarm(cfg, i + 1, &origin);
    TW_CHECK(json_equal((json_t *)a, json_array_get(list, i)));
    TW_CHECK(origin && !strncmp(origin, "alarms.json:", 12));
  }
  const char *origin = NULL;
  tw_config_alarm(cfg, 2, &origin);
  TW_CHECK_EQ_STR(origin, "alarms.json:30:9");
  /* every field survives, including the ones trailwatch does not read */
  const json_t *a = tw_config_alarm(cfg, 1, NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(a, "StateReasonData")),
                  json_string_value(json_object_get(json_array_get(list, 0), "StateReasonData")));
  TW_CHECK(json_is_real(json_object_get(a, "Threshold")));
  TW_CHECK(json_is_integer(json_object_get(a, "Period")));
  json_decref(ref);
  free(text);
  tw_config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* YAML scalars                                                        */
/* ------------------------------------------------------------------ */

static const struct {
  const char *text;
  int plain;
  const char *tag;
  const char *json; /* expected value as compact JSON; NULL = error */
} scalar_cases[] = {
    {"", 1, NULL, "null"},
    {"~", 1, NULL, "null"},
    {"null", 1, NULL, "null"},
    {"Null", 1, NULL, "null"},
    {"NULL", 1, NULL, "null"},
    {"nULL", 1, NULL, "\"nULL\""},
    {"true", 1, NULL, "true"},
    {"True", 1, NULL, "true"},
    {"TRUE", 1, NULL, "true"},
    {"false", 1, NULL, "false"},
    {"FALSE", 1, NULL, "false"},
    {"yes", 1, NULL, "\"yes\""},
    {"no", 1, NULL, "\"no\""},
    {"on", 1, NULL, "\"on\""},
    {"off", 1, NULL, "\"off\""},
    {"y", 1, NULL, "\"y\""},
    {"NO", 1, NULL, "\"NO\""},
    {"0", 1, NULL, "0"},
    {"42", 1, NULL, "42"},
    {"-7", 1, NULL, "-7"},
    {"+7", 1, NULL, "7"},
    {"012", 1, NULL, "\"012\""},
    {"012345678901", 1, NULL, "\"012345678901\""},
    {"0x1F", 1, NULL, "\"0x1F\""},
    {"0o17", 1, NULL, "\"0o17\""},
    {"1_000", 1, NULL, "\"1_000\""},
    {"1:30", 1, NULL, "\"1:30\""},
    {"9223372036854775807", 1, NULL, "9223372036854775807"},
    {"9223372036854775808", 1, NULL, NULL},
    {"1.5", 1, NULL, "1.5"},
    {"-0.25", 1, NULL, "-0.25"},
    {".5", 1, NULL, "0.5"},
    {"1.", 1, NULL, "1.0"},
    {"1e3", 1, NULL, "1000.0"},
    {"2.5E-1", 1, NULL, "0.25"},
    {"1e999", 1, NULL, NULL},
    {".", 1, NULL, "\".\""},
    {"-", 1, NULL, "\"-\""},
    {"1e", 1, NULL, "\"1e\""},
    {".inf", 1, NULL, "\".inf\""},
    {".nan", 1, NULL, "\".nan\""},
    {"1.2.3", 1, NULL, "\"1.2.3\""},
    {"SwitchRole", 1, NULL, "\"SwitchRole\""},
    {"$.eventName", 1, NULL, "\"$.eventName\""},
    {"true", 0, NULL, "\"true\""},
    {"1", 0, NULL, "\"1\""},
    {"", 0, NULL, "\"\""},
    {"null", 0, NULL, "\"null\""},
    {"12", 1, "!", "\"12\""},
    {"12", 1, "tag:yaml.org,2002:str", "\"12\""},
    {"12", 1, "tag:yaml.org,2002:int", "12"},
    {"12", 1, "tag:yaml.org,2002:float", "12.0"},
    {"1.5", 1, "tag:yaml.org,2002:int", NULL},
    {"true", 1, "tag:yaml.org,2002:bool", "true"},
    {"yes", 1, "tag:yaml.org,2002:bool", NULL},
    {"~", 1, "tag:yaml.org,2002:null", "null"},
    {"x", 1, "tag:yaml.org,2002:binary", NULL},
    {"x", 1, "!custom", NULL},
};

TW_TEST(yaml_scalar_resolution) {
  for (size_t i = 0; i < sizeof scalar_cases / sizeof scalar_cases[0]; i++) {
    json_t *v = NULL;
    const char *problem = NULL;
    int rc = tw_cfg_yaml_scalar(scalar_cases[i].text, strlen(scalar_cases[i].text),
                                scalar_cases[i].plain, scalar_cases[i].tag, &v, &problem);
    if (!scalar_cases[i].json) {
      if (rc != TW_EINVAL || !problem)
        fprintf(stderr, "scalar '%s': expected an error\n", scalar_cases[i].text);
      TW_CHECK_EQ_INT(rc, TW_EINVAL);
      json_decref(v);
      continue;
    }
    TW_CHECK_EQ_INT(rc, TW_OK);
    char *got = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (!got || strcmp(got, scalar_cases[i].json))
      fprintf(stderr, "scalar '%s' (plain %d): got %s\n", scalar_cases[i].text,
              scalar_cases[i].plain, got ? got : "(null)");
    TW_CHECK_EQ_STR(got, scalar_cases[i].json);
    free(got);
    json_decref(v);
  }
}

/* The YAML reader alone: the tree and nothing else. */
static json_t *yaml_tree(const char *text, tw_error *err) {
  tw_cfg_posmap *pm = NULL;
  json_t *root = NULL;
  if (tw_cfg_posmap_new(&pm))
    return NULL;
  int rc = tw_cfg_yaml_parse("doc.yaml", text, strlen(text), pm, &root, err);
  tw_cfg_posmap_free(pm);
  return rc ? NULL : root;
}

/* Whole-document YAML behaviour seen through the tree. */
TW_TEST(yaml_document_values) {
  static const char text[] = "MetricAlarms:\n"
                             "  - AlarmName: 'it''s'\n"
                             "    ActionsEnabled: yes\n"
                             "    Enabled: True\n"
                             "    Threshold: 2.50\n"
                             "    Account: 012345678901\n"
                             "    Desc: |\n"
                             "      line one\n"
                             "      line two\n"
                             "    Folded: >-\n"
                             "      a\n"
                             "      b\n"
                             "    Empty:\n"
                             "    Quoted: \"\\u00e9\\t\"\n"
                             "    Flow: {a: [1, \"2\", ~]}\n";
  tw_error err = {0};
  json_t *root = yaml_tree(text, &err);
  TW_CHECK(root != NULL);
  json_t *want = json_loads("{\"AlarmName\":\"it's\",\"ActionsEnabled\":\"yes\",\"Enabled\":true,"
                            "\"Threshold\":2.5,\"Account\":\"012345678901\","
                            "\"Desc\":\"line one\\nline two\\n\",\"Folded\":\"a b\","
                            "\"Empty\":null,\"Quoted\":\"\\u00e9\\t\","
                            "\"Flow\":{\"a\":[1,\"2\",null]}}",
                            0, NULL);
  TW_CHECK(want != NULL);
  TW_CHECK(json_equal(want, json_array_get(json_object_get(root, "MetricAlarms"), 0)));
  json_decref(want);
  json_decref(root);
}

/* CloudFormation short-form tags become the long form. */
TW_TEST(yaml_cloudformation_tags) {
  static const char text[] = "a: !Ref Topic\n"
                             "b: !Sub 'x-${AWS::Region}'\n"
                             "c: !Sub ['${A}', {A: !GetAtt T.TopicName}]\n"
                             "d: !GetAtt [T, TopicArn]\n"
                             "e: !Join ['-', [a, !Ref P]]\n"
                             "f: !If [C, 1, 2]\n"
                             "g: !Ref 12\n"
                             "h: &anchor !Select [0, [x]]\n"
                             "i: *anchor\n";
  tw_error err = {0};
  json_t *root = yaml_tree(text, &err);
  TW_CHECK(root != NULL);
  json_t *want = json_loads(
      "{\"a\":{\"Ref\":\"Topic\"},\"b\":{\"Fn::Sub\":\"x-${AWS::Region}\"},"
      "\"c\":{\"Fn::Sub\":[\"${A}\",{\"A\":{\"Fn::GetAtt\":\"T.TopicName\"}}]},"
      "\"d\":{\"Fn::GetAtt\":[\"T\",\"TopicArn\"]},"
      "\"e\":{\"Fn::Join\":[\"-\",[\"a\",{\"Ref\":\"P\"}]]},"
      "\"f\":{\"Fn::If\":[\"C\",1,2]},\"g\":{\"Ref\":\"12\"},"
      "\"h\":{\"Fn::Select\":[0,[\"x\"]]},\"i\":{\"Fn::Select\":[0,[\"x\"]]}}",
      0, NULL);
  TW_CHECK(want != NULL);
  TW_CHECK(json_equal(want, root));
  json_decref(want);
  json_decref(root);
  /* a tag that is neither standard nor CloudFormation is still an error */
  TW_CHECK(yaml_tree("a: !Custom x\n", &err) == NULL);
  TW_CHECK(strstr(err.message, "doc.yaml:1:4: unsupported tag") != NULL);
}

/* ------------------------------------------------------------------ */
/* Anchors, aliases, merge keys                                        */
/* ------------------------------------------------------------------ */

TW_TEST(anchors_and_merge_keys) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "anchors_merge.yaml", &err), TW_OK);
  const tw_metric_filter_def *a = tw_config_metric_filter(cfg, 0);
  const tw_metric_filter_def *b = tw_config_metric_filter(cfg, 1);
  TW_CHECK_EQ_STR(a->metric_namespace, "Security/CloudTrail");
  TW_CHECK_EQ_STR(a->metric_name, "RootLogin");
  TW_CHECK(a->has_default && a->default_value == 0.0);
  TW_CHECK_EQ_STR(b->metric_value, "1");
  TW_CHECK(b->has_default && b->default_value == 5.0); /* explicit key wins */
  TW_CHECK_EQ_STR(b->log_group_name, "CloudTrail/DefaultLogGroup");
  tw_config_free(cfg);
}

TW_TEST(merge_key_list_precedence_and_positions) {
  static const char text[] =
      "x-a: &a {metricName: FromA, metricNamespace: A, metricValue: '1'}\n"
      "x-b: &b {metricName: FromB, metricNamespace: B, metricValue: '2', unit: Secs}\n"
      "metricFilters:\n"
      "  - filterName: F\n"
      "    filterPattern: ERROR\n"
      "    metricTransformations:\n"
      "      - <<: [*a, *b]\n"
      "        metricNamespace: Mine\n";
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  /* unit comes from *b only, and its error points into the anchor's text */
  TW_CHECK_EQ_INT(load_text(cfg, "m.yaml", text, &err), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "m.yaml:2:73: metricFilters[0].metricTransformations[0].unit: "
                               "'Secs' is not a CloudWatch unit (Seconds, Milliseconds, Bytes, "
                               "Count, Percent, Count/Second, None, ...)");
  char fixed[sizeof text];
  memcpy(fixed, text, sizeof text);
  memcpy(strstr(fixed, "Secs"), "None", 4);
  TW_CHECK_EQ_INT(load_text(cfg, "m.yaml", fixed, &err), TW_OK);
  const tw_metric_filter_def *d = tw_config_metric_filter(cfg, 0);
  TW_CHECK_EQ_STR(d->metric_name, "FromA");     /* earlier source wins */
  TW_CHECK_EQ_STR(d->metric_value, "1");
  TW_CHECK_EQ_STR(d->metric_namespace, "Mine"); /* explicit key wins */
  TW_CHECK_EQ_STR(d->unit, "None");
  tw_config_free(cfg);
}

TW_TEST(hostile_yaml_is_rejected_quickly) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  TW_CHECK_EQ_INT(load_fixture(cfg, "err_yaml_billion_laughs.yaml", &err), TW_EINVAL);
  TW_CHECK(strstr(err.message, "alias expansion bound") != NULL);
  /* a mapping bomb through merge keys and a deep alias chain */
  tw_buf b = {0};
  const char *head = "x-0: &a0 {k: v}\n";
  tw_buf_append(&b, head, strlen(head));
  for (int i = 1; i < 40; i++) {
    char line[96];
    snprintf(line, sizeof line, "x-%d: &a%d [*a%d, *a%d, *a%d]\n", i, i, i - 1, i - 1, i - 1);
    tw_buf_append(&b, line, strlen(line));
  }
  tw_buf_append(&b, "", 1);
  TW_CHECK_EQ_INT(load_text(cfg, "bomb.yaml", b.data, &err), TW_EINVAL);
  TW_CHECK(strstr(err.message, "alias expansion bound") != NULL);
  tw_buf_free(&b);
  /* speed is a benchmark matter, not an assertion (DEVELOPERS.md): the
   * bound above is what keeps this fast; the time is printed for the log */
  printf("hostile YAML rejected in %.3f s\n", seconds_since(&t0));
  TW_CHECK_EQ_INT(tw_config_alarm_count(cfg), 0);
  tw_config_free(cfg);
}

/* An alias to a big but allowed value works, and its use is counted. */
TW_TEST(aliases_share_values) {
  static const char text[] = "x-dims: &dims {Source: $.eventSource, Region: $.awsRegion}\n"
                             "metricFilters:\n"
                             "  - filterName: A\n"
                             "    filterPattern: '{ $.errorCode = * }'\n"
                             "    metricTransformations:\n"
                             "      - {metricName: A, metricNamespace: N, metricValue: '1', "
                             "dimensions: *dims}\n"
                             "  - filterName: B\n"
                             "    filterPattern: '{ $.errorCode = * }'\n"
                             "    metricTransformations:\n"
                             "      - {metricName: B, metricNamespace: N, metricValue: '1', "
                             "dimensions: *dims}\n";
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "alias.yaml", text, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 2);
  TW_CHECK_EQ_INT(tw_config_metric_filter(cfg, 1)->ndims, 2);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 1)->dim_tokens[1], "$.awsRegion");
  tw_config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* Length limits at their boundaries                                   */
/* ------------------------------------------------------------------ */

static char *repeat(char c, size_t n) {
  char *s = malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

/* One filter with field = value (others fixed), as JSON text. */
static int load_one(const char *field, const char *value, tw_error *err) {
  const char *name = "F", *pattern = "{ $.a = * }", *group = "G", *metric = "M",
             *ns = "N", *val = "1", *dim_name = "D";
  if (!strcmp(field, "filterName")) name = value;
  if (!strcmp(field, "filterPattern")) pattern = value;
  if (!strcmp(field, "logGroupName")) group = value;
  if (!strcmp(field, "metricName")) metric = value;
  if (!strcmp(field, "metricNamespace")) ns = value;
  if (!strcmp(field, "metricValue")) val = value;
  if (!strcmp(field, "dimension")) dim_name = value;
  json_t *doc = json_pack("{s:[{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}]}",
                          "metricFilters", "filterName", name, "filterPattern", pattern,
                          "logGroupName", group, "metricTransformations", "metricName", metric,
                          "metricNamespace", ns, "metricValue", val, "dimensions", dim_name,
                          "$.a");
  char *text = json_dumps(doc, 0);
  tw_config *cfg = NULL;
  tw_config_new(&cfg);
  int rc = load_text(cfg, "b.json", text, err);
  tw_config_free(cfg);
  free(text);
  json_decref(doc);
  return rc;
}

TW_TEST(length_boundaries) {
  static const struct {
    const char *field;
    char fill;
    size_t ok_len;
  } cases[] = {
      {"filterName", 'f', 512}, {"logGroupName", 'g', 512}, {"metricName", 'm', 255},
      {"metricNamespace", 'n', 255}, {"metricValue", '1', 100}, {"dimension", 'd', 255},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tw_error err = {0};
    char *ok = repeat(cases[i].fill, cases[i].ok_len);
    char *bad = repeat(cases[i].fill, cases[i].ok_len + 1);
    int rc_ok = load_one(cases[i].field, ok, &err);
    if (rc_ok)
      fprintf(stderr, "%s at %zu: %s\n", cases[i].field, cases[i].ok_len, err.message);
    TW_CHECK_EQ_INT(rc_ok, TW_OK);
    TW_CHECK_EQ_INT(load_one(cases[i].field, bad, &err), TW_EINVAL);
    TW_CHECK(strstr(err.message, cases[i].field) != NULL);
    free(ok);
    free(bad);
  }
  /* filterPattern: 1024 characters are allowed, 1025 are not */
  tw_error err = {0};
  for (size_t n = 1024; n <= 1025; n++) {
    char *pat = repeat('x', n);
    memcpy(pat, "{ $.a = \"", 9);
    memcpy(pat + n - 3, "\" }", 3);
    TW_CHECK_EQ_INT(load_one("filterPattern", pat, &err), n == 1024 ? TW_OK : TW_EINVAL);
    if (n == 1025)
      TW_CHECK(strstr(err.message, "filterPattern: must be at most 1024 characters, got 1025"));
    free(pat);
  }
  /* characters, not bytes: 512 two-byte characters are a valid name */
  tw_buf b = {0};
  for (int i = 0; i < 512; i++)
    tw_buf_append(&b, "\xc3\xa9", 2);
  tw_buf_append(&b, "", 1);
  TW_CHECK_EQ_INT(load_one("filterName", b.data, &err), TW_OK);
  tw_buf_free(&b);
  /* every StandardUnit is accepted */
  static const char *const units[] = {
      "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
      "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
      "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
      "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
      "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    char text[400];
    snprintf(text, sizeof text,
             "metricFilters: [{filterName: U, filterPattern: x, metricTransformations: "
             "[{metricName: M, metricNamespace: N, metricValue: '1', unit: %s}]}]\n",
             units[i]);
    tw_config *cfg = NULL;
    tw_config_new(&cfg);
    TW_CHECK_EQ_INT(load_text(cfg, "u.yaml", text, &err), TW_OK);
    TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->unit, units[i]);
    tw_config_free(cfg);
  }
}

/* ------------------------------------------------------------------ */
/* Files, stdin, speed                                                 */
/* ------------------------------------------------------------------ */

TW_TEST(load_from_path) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, DATA "seeds.yaml", &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->origin, DATA "seeds.yaml:3:5");
  TW_CHECK_EQ_INT(tw_config_load(cfg, DATA "no-such-file.yaml", &err), TW_EIO);
  TW_CHECK(!strncmp(err.message, DATA "no-such-file.yaml: cannot open: ", 50));
  TW_CHECK_EQ_INT(tw_config_load(cfg, DATA "err_unit.yaml", &err), TW_EINVAL);
  TW_CHECK(!strncmp(err.message, DATA "err_unit.yaml:8:15: ", 37));
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 2);
  tw_config_free(cfg);
}

TW_TEST(load_from_stdin) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK(freopen(DATA "seeds.json", "rb", stdin) != NULL);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "-", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 2);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->origin, "<stdin>:3:5");
  tw_config_free(cfg);
}

/* A JSON file libyaml cannot read: errors and origins name field paths. */
TW_TEST(json_without_positions) {
  static const char text[] = "{\"metricFilters\": [{\"filterName\"\n : \"X\", \"filterPattern\": "
                             "\"\", \"metricTransformations\": [{\"metricName\": \"M\", "
                             "\"metricNamespace\": \"N\", \"metricValue\": \"1\"}]}]}";
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "p.json", text, &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->origin, "p.json: metricFilters[0]");
  TW_CHECK_EQ_INT(load_text(cfg, "q.json", text, &err), TW_EINVAL);
  TW_CHECK_EQ_STR(err.message, "q.json: metricFilters[0]: duplicate filterName 'X' in log group "
                               "'CloudTrail/DefaultLogGroup' (first defined at p.json: "
                               "metricFilters[0])");
  tw_config_free(cfg);
}

static char *thousand_filters_yaml(void) {
  tw_buf b = {0};
  const char *head = "metricFilters:\n";
  tw_buf_append(&b, head, strlen(head));
  for (int i = 0; i < 1000; i++) {
    char item[512];
    int n = snprintf(item, sizeof item,
                     "  - filterName: Filter%04d\n"
                     "    logGroupName: group/%d\n"
                     "    filterPattern: '{ ($.eventName = \"Op%d\") && ($.errorCode = "
                     "\"AccessDenied*\") }'\n"
                     "    metricTransformations:\n"
                     "      - metricName: Metric%d\n"
                     "        metricNamespace: Bulk\n"
                     "        metricValue: \"1\"\n"
                     "        dimensions: {Source: $.eventSource}\n",
                     i, i % 10, i, i);
    tw_buf_append(&b, item, (size_t)n);
  }
  tw_buf_append(&b, "", 1);
  return b.data;
}

TW_TEST(thousand_filters_load_fast) {
  char *text = thousand_filters_yaml();
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  TW_CHECK_EQ_INT(load_text(cfg, "bulk.yaml", text, &err), TW_OK);
  double s = seconds_since(&t0);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 1000);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 999)->filter_name, "Filter0999");
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 999)->origin, "bulk.yaml:7994:5");
  printf("1,000 filters (YAML) loaded in %.3f s\n", s);
  /* the same as JSON */
  json_t *doc = json_object();
  json_t *list = json_array();
  for (size_t i = 0; i < 1000; i++) {
    const tw_metric_filter_def *d = tw_config_metric_filter(cfg, i);
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}", "filterName",
                        d->filter_name, "logGroupName", d->log_group_name, "filterPattern",
                        d->filter_pattern, "metricTransformations", "metricName",
                        d->metric_name, "metricNamespace", d->metric_namespace, "metricValue",
                        d->metric_value, "dimensions", d->dim_names[0], d->dim_tokens[0]));
  }
  json_object_set_new(doc, "metricFilters", list);
  char *js = json_dumps(doc, JSON_INDENT(2));
  tw_config *cj = NULL;
  TW_CHECK_EQ_INT(tw_config_new(&cj), TW_OK);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  TW_CHECK_EQ_INT(load_text(cj, "bulk.json", js, &err), TW_OK);
  printf("1,000 filters (JSON) loaded in %.3f s\n", seconds_since(&t0));
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cj), 1000);
  for (size_t i = 0; i < 1000; i++)
    TW_CHECK(same_def(tw_config_metric_filter(cfg, i), tw_config_metric_filter(cj, i)));
  free(js);
  json_decref(doc);
  tw_config_free(cj);
  tw_config_free(cfg);
  free(text);
}

/* Big mappings (targets, template resources) load in linear time. */
TW_TEST(big_mappings_load_fast) {
  tw_buf b = {0};
  tw_buf_append(&b, "targets:\n", 9);
  for (int i = 0; i < 5000; i++) {
    char line[128];
    int n = snprintf(line, sizeof line, "  arn:aws:sns:us-east-1:111122223333:t%d: [{type: stdout}]\n", i);
    tw_buf_append(&b, line, (size_t)n);
  }
  tw_buf_append(&b, "", 1);
  tw_buf t = {0};
  const char *head = "Parameters:\n  G: {Type: String, Default: grp}\nResources:\n";
  tw_buf_append(&t, head, strlen(head));
  for (int i = 0; i < 1000; i++) {
    char item[640];
    int n = snprintf(item, sizeof item,
                     "  T%d:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub 't${G}%d', "
                     "Subscription: [{Protocol: email, Endpoint: a@example.com}]}\n"
                     "  F%d:\n    Type: AWS::Logs::MetricFilter\n    Properties: {LogGroupName: "
                     "!Ref G, FilterPattern: ERROR, MetricTransformations: [{MetricName: M%d, "
                     "MetricNamespace: N, MetricValue: '1'}]}\n"
                     "  A%d:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {MetricName: M%d, "
                     "Namespace: N, Statistic: Sum, Period: 60, EvaluationPeriods: 1, Threshold: 1, "
                     "ComparisonOperator: GreaterThanThreshold, AlarmActions: [!Ref T%d]}\n",
                     i, i, i, i, i, i, i);
    tw_buf_append(&t, item, (size_t)n);
  }
  tw_buf_append(&t, "", 1);
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  clock_t c0 = clock(); /* processor time: the check is about complexity, not load */
  TW_CHECK_EQ_INT(load_text(cfg, "targets.yaml", b.data, &err), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "template.yaml", t.data, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
  TW_CHECK_EQ_INT(tw_config_target_count(cfg), 6000);
  TW_CHECK_EQ_INT(tw_config_alarm_count(cfg), 1000);
  TW_CHECK_EQ_STR(tw_config_target(cfg, 5999)->arn, "arn:aws:sns:us-east-1:123456789012:tgrp999");
  printf("big mappings loaded in %.3f s of processor time\n", secs);
  tw_config_free(cfg);
  tw_buf_free(&b);
  tw_buf_free(&t);
}

/* Several files accumulate; targets merge; a failed file changes nothing. */
TW_TEST(files_accumulate) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK(tw_config_targets(cfg) == NULL);
  TW_CHECK_EQ_INT(load_fixture(cfg, "seeds.yaml", &err), TW_OK);
  const tw_metric_filter_def *first = tw_config_metric_filter(cfg, 0);
  TW_CHECK_EQ_INT(load_fixture(cfg, "dup_b.yaml", &err), TW_EINVAL);
  TW_CHECK_EQ_INT(load_fixture(cfg, "other_group.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "describe_metric_filters.json", &err), TW_OK);
  TW_CHECK(tw_config_metric_filter(cfg, 0) == first); /* pointers stay valid */
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 7);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 2)->log_group_name, "other/group");
  const json_t *t = tw_config_targets(cfg);
  TW_CHECK_EQ_INT(json_object_size(t), 2);
  TW_CHECK(json_is_array(json_object_get(t, "arn:aws:sns:eu-west-1:111122223333:other-topic")));
  tw_config_free(cfg);
  tw_config_free(NULL);
}

/* ------------------------------------------------------------------ */
/* Parameters                                                          */
/* ------------------------------------------------------------------ */

TW_TEST(parameters_substitute_and_override) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "params.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  const tw_metric_filter_def *f = tw_config_metric_filter(cfg, 0);
  TW_CHECK_EQ_STR(f->filter_name, "AssumeRole-BreakGlass");
  TW_CHECK_EQ_STR(f->filter_pattern,
                  "{ $.eventName = \"AssumeRole\" && $.requestParameters.roleArn = "
                  "\"*:role/BreakGlass\" && $.x != \"${literal}\" }");
  TW_CHECK_EQ_STR(f->metric_namespace, "Security/CloudTrail");
  TW_CHECK_EQ_STR(f->metric_value, "$.count");
  TW_CHECK(f->has_default && f->default_value == 3.0); /* "${Threshold}" -> 3 */
  const json_t *a = tw_config_alarm(cfg, 0, NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(a, "AlarmName")), "assume-BreakGlass");
  TW_CHECK(json_is_integer(json_object_get(a, "Period")));
  TW_CHECK_EQ_INT(json_integer_value(json_object_get(a, "Period")), 300);
  TW_CHECK(json_is_number(json_object_get(a, "Threshold")));
  TW_CHECK(json_is_false(json_object_get(a, "ActionsEnabled")));
  TW_CHECK_EQ_STR(json_string_value(json_object_get(a, "AlarmDescription")),
                  "costs $5 (3 or more)");
  TW_CHECK_EQ_INT(tw_alarm_get_period(tw_config_alarm_compiled(cfg, 0)), 300);
  const tw_target_def *t = tw_config_target(cfg, 0);
  TW_CHECK_EQ_STR(t->arn, "arn:aws:sns:eu-west-1:111122223333:sec");
  TW_CHECK_EQ_STR(t->deliveries[0].argv[2], "BreakGlass");
  TW_CHECK(tw_config_targets(cfg) &&
           json_object_get(tw_config_targets(cfg), "arn:aws:sns:eu-west-1:111122223333:sec"));
  TW_CHECK_EQ_STR(tw_config_rule(cfg, 0)->description, "The BreakGlass role was assumed.");
  tw_config_free(cfg);

  /* --parameter values win over the file's defaults */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "RoleName", "Admin"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Region", "us-west-2"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Region", "ap-south-1"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Threshold", "2.5"), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "params.yaml", &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->filter_name, "AssumeRole-Admin");
  TW_CHECK(tw_config_metric_filter(cfg, 0)->default_value == 2.5);
  TW_CHECK_EQ_STR(tw_config_target(cfg, 0)->arn, "arn:aws:sns:ap-south-1:111122223333:sec");
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  tw_config_free(cfg);

  /* a required parameter given on the command line */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Account", "444455556666"), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "err_param_required.yaml", &err), TW_EINVAL);
  TW_CHECK(strstr(err.message, "MetricAlarms[0].MetricName: required") != NULL);
  tw_config_free(cfg);
}

TW_TEST(parameter_names) {
  tw_config *cfg = NULL;
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "AWS::Region", "eu-west-1"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "a.b-c_d", ""), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "", "x"), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "has space", "x"), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "x}", "x"), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "x", NULL), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "x", "\xff"), TW_EINVAL);
  tw_config_free(cfg);
}

/* $ without { is never touched; $${ is a literal ${. */
TW_TEST(dollar_handling) {
  static const char text[] =
      "parameters: {P: v}\n"
      "metricFilters:\n"
      "  - filterName: F\n"
      "    filterPattern: '[ip, user=$${P}*, x, ...]'\n"
      "    metricTransformations:\n"
      "      - {metricName: M, metricNamespace: N, metricValue: $x, dimensions: {D: $ip}}\n"
      "  - filterName: G\n"
      "    filterPattern: '{ $.a = \"$$\" && $.b = \"${P}$\" && $.c = \"$${P}${P}\" }'\n"
      "    metricTransformations:\n"
      "      - {metricName: M, metricNamespace: N, metricValue: $.a}\n";
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "d.yaml", text, &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->filter_pattern, "[ip, user=${P}*, x, ...]");
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->metric_value, "$x");
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->dim_tokens[0], "$ip");
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 1)->filter_pattern,
                  "{ $.a = \"$$\" && $.b = \"v$\" && $.c = \"${P}v\" }");
  tw_config_free(cfg);
}

/* An anchor shared by many entries is substituted once, the same way. */
TW_TEST(parameters_through_aliases) {
  tw_buf b = {0};
  const char *head = "parameters: {NS: Shared}\n"
                     "x-t: &t [{metricName: M, metricNamespace: '${NS}', metricValue: '1'}]\n"
                     "metricFilters:\n";
  tw_buf_append(&b, head, strlen(head));
  for (int i = 0; i < 200; i++) {
    char item[160];
    int n = snprintf(item, sizeof item,
                     "  - {filterName: F%d, filterPattern: '\"x $${no}\"', metricTransformations: *t}\n",
                     i);
    tw_buf_append(&b, item, (size_t)n);
  }
  tw_buf_append(&b, "", 1);
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_text(cfg, "alias.yaml", b.data, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 200);
  for (size_t i = 0; i < 200; i++) {
    TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, i)->metric_namespace, "Shared");
    TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, i)->filter_pattern, "\"x ${no}\"");
  }
  tw_config_free(cfg);
  tw_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Rules, targets and alarms through the API                           */
/* ------------------------------------------------------------------ */

TW_TEST(rules_api) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "rules_ok.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_rule_count(cfg), 2);
  const tw_rule_def *r = tw_config_rule(cfg, 0);
  TW_CHECK_EQ_STR(r->name, "root-login");
  TW_CHECK_EQ_STR(r->description, "The root user signed in.");
  TW_CHECK_EQ_INT(r->severity, TW_SEVERITY_CRITICAL);
  TW_CHECK_EQ_STR(r->severity_name, "critical");
  TW_CHECK_EQ_STR(r->filter_name, "RootLogin");
  TW_CHECK_EQ_STR(r->alarm_name, "root-login");
  TW_CHECK_EQ_STR(r->origin, "rules_ok.yaml:2:5");
  r = tw_config_rule(cfg, 1);
  TW_CHECK_EQ_INT(r->severity, TW_SEVERITY_INFO);
  TW_CHECK(r->alarm_name == NULL);
  TW_CHECK(tw_config_rule(cfg, 2) == NULL);
  tw_config_free(cfg);
}

TW_TEST(targets_api) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "targets_all.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_target_count(cfg), 3);
  const tw_target_def *t = tw_config_target_find(cfg, "arn:aws:sns:us-east-1:111122223333:security");
  TW_CHECK(t != NULL);
  if (!t)
    return;
  TW_CHECK_EQ_INT(t->ndeliveries, 5);
  TW_CHECK(!t->from_template);
  TW_CHECK_EQ_STR(t->origin, "targets_all.yaml:2:3");
  const tw_delivery_def *d = &t->deliveries[0];
  TW_CHECK_EQ_INT(d->type, TW_TARGET_WEBHOOK);
  TW_CHECK_EQ_STR(d->type_name, "webhook");
  TW_CHECK_EQ_STR(d->url, "http://127.0.0.1:9000/hook");
  TW_CHECK_EQ_STR(d->secret, "s3cr3t");
  TW_CHECK_EQ_INT(d->timeout_ms, 2500);
  TW_CHECK_EQ_INT(d->format, TW_WEBHOOK_JSON);
  TW_CHECK_EQ_INT(d->nheaders, 2);
  TW_CHECK_EQ_STR(d->headers[1].name, "X-Team");
  TW_CHECK_EQ_STR(d->headers[0].value, "Bearer abc");
  TW_CHECK_EQ_STR(d->header_lines[0], "Authorization: Bearer abc");
  TW_CHECK(d->header_lines[2] == NULL);
  TW_CHECK_EQ_STR(d->origin, "targets_all.yaml:3:7");
  TW_CHECK_EQ_INT(d->insecure, 1);
  d = &t->deliveries[1];
  TW_CHECK_EQ_INT(d->type, TW_TARGET_COMMAND);
  TW_CHECK_EQ_INT(d->argc, 3);
  TW_CHECK_EQ_STR(d->argv[0], "/usr/local/bin/page");
  TW_CHECK(d->argv[3] == NULL);
  TW_CHECK_EQ_INT(d->timeout_ms, 10000);
  TW_CHECK_EQ_INT(t->deliveries[2].type, TW_TARGET_FILE);
  TW_CHECK_EQ_STR(t->deliveries[2].path, "alerts.ndjson");
  TW_CHECK_EQ_INT(t->deliveries[2].fsync, 1);
  TW_CHECK_EQ_INT(t->deliveries[1].insecure, 0);
  TW_CHECK_EQ_INT(t->deliveries[3].type, TW_TARGET_STDOUT);
  d = &t->deliveries[4];
  TW_CHECK_EQ_INT(d->type, TW_TARGET_EMAIL);
  TW_CHECK_EQ_INT(d->nto, 2);
  TW_CHECK_EQ_STR(d->to[1], "oncall@example.com");
  TW_CHECK(d->to[2] == NULL);
  TW_CHECK_EQ_STR(d->from, "trailwatch@example.com");
  TW_CHECK_EQ_STR(d->subject_prefix, "[trailwatch]");
  TW_CHECK_EQ_STR(d->sendmail, "/usr/lib/sendmail");
  TW_CHECK_EQ_INT(d->timeout_ms, 5000);
  t = tw_config_target_find(cfg, "arn:aws:sns:us-east-1:111122223333:ops");
  TW_CHECK(t && t->ndeliveries == 1 && t->deliveries[0].nto == 1 &&
           !strcmp(t->deliveries[0].to[0], "ops@example.com"));
  t = tw_config_target_find(cfg, "arn:aws:automate:us-east-1:ec2:stop");
  TW_CHECK(t && t->ndeliveries == 0);
  TW_CHECK(tw_config_target_find(cfg, "arn:aws:sns:us-east-1:111122223333:nope") == NULL);
  const json_t *raw = json_object_get(tw_config_targets(cfg),
                                      "arn:aws:sns:us-east-1:111122223333:security");
  TW_CHECK_EQ_INT(json_array_size(raw), 5);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(raw, 3), "type")), "stdout");
  tw_config_free(cfg);
}

TW_TEST(alarms_are_compiled) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "describe_alarms.json", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_EINVAL);
  TW_CHECK_EQ_INT(load_fixture(cfg, "security_targets.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  tw_alarm *a = tw_config_alarm_compiled(cfg, 1);
  TW_CHECK(a != NULL);
  TW_CHECK_EQ_STR(tw_alarm_get_name(a), "AccessDeniedSpike");
  TW_CHECK_EQ_INT(tw_alarm_get_period(a), 60);
  TW_CHECK_EQ_INT(tw_alarm_get_evaluation_periods(a), 5);
  TW_CHECK_EQ_INT(tw_alarm_get_datapoints_to_alarm(a), 3);
  tw_alarm_state st;
  TW_CHECK(tw_alarm_get_input_state(a, &st) && st == TW_ALARM_INSUFFICIENT_DATA);
  TW_CHECK(tw_config_alarm_compiled(cfg, 2) == NULL);
  const tw_target_def *t = tw_config_target(cfg, 0);
  TW_CHECK_EQ_INT(t->deliveries[0].format, TW_WEBHOOK_SLACK);
  tw_config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* CloudFormation                                                      */
/* ------------------------------------------------------------------ */

TW_TEST(cloudformation_yaml_and_json_agree) {
  tw_config *y = NULL, *j = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&y), TW_OK);
  TW_CHECK_EQ_INT(tw_config_new(&j), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(y, "cfn_cis.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(j, "cfn_cis.json", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(y, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(y), 2);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(j), 2);
  for (size_t i = 0; i < 2; i++)
    TW_CHECK(same_def(tw_config_metric_filter(y, i), tw_config_metric_filter(j, i)));
  const tw_metric_filter_def *f = tw_config_metric_filter(y, 0);
  TW_CHECK_EQ_STR(f->filter_name, "RootAccountUsageFilter");
  TW_CHECK_EQ_STR(f->log_group_name, "aws-cloudtrail-logs-111122223333");
  TW_CHECK_EQ_STR(f->metric_namespace, "CIS/prod");
  TW_CHECK_EQ_STR(f->metric_value, "1");
  TW_CHECK_EQ_STR(f->origin, "cfn_cis.yaml:34:5");
  f = tw_config_metric_filter(y, 1);
  TW_CHECK_EQ_STR(f->filter_name, "access-denied");
  TW_CHECK_EQ_STR(f->dim_names[0], "EventSource");
  TW_CHECK_EQ_STR(f->dim_tokens[0], "$.eventSource");
  TW_CHECK_EQ_STR(f->unit, "Count");
  const json_t *ay = tw_config_alarm(y, 0, NULL), *aj = tw_config_alarm(j, 0, NULL);
  TW_CHECK(json_equal((json_t *)ay, (json_t *)aj));
  TW_CHECK_EQ_STR(json_string_value(json_object_get(ay, "AlarmName")), "trailwatch-root-usage");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(ay, "AlarmDescription")),
                  "Root usage in 123456789012 (topic cis-alarms-prod, ${NotAVariable})");
  TW_CHECK_EQ_INT(json_integer_value(json_object_get(ay, "Period")), 300);
  TW_CHECK(json_is_number(json_object_get(ay, "Threshold")));
  TW_CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(ay, "AlarmActions"), 0)),
                  "arn:aws:sns:us-east-1:123456789012:cis-alarms-prod");
  TW_CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(ay, "OKActions"), 0)),
                  "arn:aws:sns:us-east-1:123456789012:cis-alarms-prod");
  TW_CHECK(json_equal((json_t *)tw_config_targets(y), (json_t *)tw_config_targets(j)));
  const tw_target_def *t = tw_config_target(y, 0);
  TW_CHECK(t->from_template);
  TW_CHECK_EQ_STR(t->arn, "arn:aws:sns:us-east-1:123456789012:cis-alarms-prod");
  TW_CHECK_EQ_INT(t->ndeliveries, 2);
  TW_CHECK_EQ_INT(t->deliveries[0].type, TW_TARGET_WEBHOOK);
  TW_CHECK_EQ_STR(t->deliveries[0].url, "https://hooks.example.com/cis");
  TW_CHECK_EQ_INT(t->deliveries[1].type, TW_TARGET_EMAIL);
  TW_CHECK_EQ_STR(t->deliveries[1].to[0], "security@example.com");
  tw_config_free(y);
  tw_config_free(j);
}

TW_TEST(cloudformation_parameters) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Env", "dev"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Threshold", "5"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "AWS::Region", "cn-north-1"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "AWS::AccountId", "444455556666"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "AWS::StackName", "baseline"), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "cfn_cis.yaml", &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->metric_namespace, "CIS/dev");
  const json_t *a = tw_config_alarm(cfg, 0, NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(a, "AlarmName")), "baseline-root-usage");
  TW_CHECK(json_number_value(json_object_get(a, "Threshold")) == 5.0);
  TW_CHECK_EQ_STR(tw_config_target(cfg, 0)->arn,
                  "arn:aws-cn:sns:cn-north-1:444455556666:cis-alarms-dev");
  tw_config_free(cfg);

  /* a parameter without Default, given on the command line */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "LogGroup", "my/trail"), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "err_cfn_no_default.yaml", &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->log_group_name, "my/trail");
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->filter_name, "Filter");
  tw_config_free(cfg);

  /* AllowedValues are checked against the given value too */
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "Env", "prod"), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "err_cfn_allowed.yaml", &err), TW_OK);
  TW_CHECK_EQ_STR(tw_config_metric_filter(cfg, 0)->log_group_name, "trail-prod");
  tw_config_free(cfg);
}

/* A targets: entry replaces a template topic's target, in either order. */
TW_TEST(cloudformation_target_override) {
  for (int order = 0; order < 2; order++) {
    tw_config *cfg = NULL;
    tw_error err = {0};
    TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
    const char *first = order ? "cfn_lambda_targets.yaml" : "cfn_lambda.yaml";
    const char *second = order ? "cfn_lambda.yaml" : "cfn_lambda_targets.yaml";
    TW_CHECK_EQ_INT(load_fixture(cfg, first, &err), TW_OK);
    TW_CHECK_EQ_INT(load_fixture(cfg, second, &err), TW_OK);
    TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
    TW_CHECK_EQ_INT(tw_config_target_count(cfg), 1);
    const tw_target_def *t = tw_config_target(cfg, 0);
    TW_CHECK(!t->from_template);
    TW_CHECK_EQ_INT(t->deliveries[0].type, TW_TARGET_COMMAND);
    const json_t *raw = json_object_get(tw_config_targets(cfg),
                                        "arn:aws:sns:us-east-1:123456789012:sec");
    TW_CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(raw, 0), "type")),
                    "command");
    tw_config_free(cfg);
  }
}

TW_TEST(cloudformation_subscription_resources) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "AWS::Region", "eu-central-1"), TW_OK);
  TW_CHECK_EQ_INT(load_fixture(cfg, "cfn_subscriptions.json", &err), TW_OK);
  const tw_target_def *t = tw_config_target_find(cfg, "arn:aws:sns:eu-central-1:123456789012:Topic");
  TW_CHECK(t && t->ndeliveries == 2);
  if (t) {
    TW_CHECK_EQ_STR(t->deliveries[0].url, "https://hooks.example.com/a");
    TW_CHECK_EQ_STR(t->deliveries[1].to[0], "soc@example.com");
  }
  t = tw_config_target_find(cfg, "arn:aws:sns:eu-central-1:999999999999:shared");
  TW_CHECK(t && t->ndeliveries == 1 && !strcmp(t->deliveries[0].url, "http://10.0.0.1/hook"));
  tw_config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* The bundled rule packs                                              */
/* ------------------------------------------------------------------ */

TW_TEST(rule_pack_seed) {
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 2);
  TW_CHECK_EQ_INT(tw_config_alarm_count(cfg), 2);
  TW_CHECK_EQ_INT(tw_config_rule_count(cfg), 2);
  TW_CHECK(strstr(tw_config_metric_filter(cfg, 0)->filter_pattern,
                  "\"*:role/TemporaryAdminRole\"") != NULL);
  TW_CHECK_EQ_INT(tw_config_rule(cfg, 0)->severity, TW_SEVERITY_HIGH);
  for (size_t i = 0; i < 2; i++)
    TW_CHECK(tw_config_alarm_compiled(cfg, i) != NULL);
  tw_config_free(cfg);
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_set_parameter(cfg, "TemporaryAdminRoleName", "BreakGlass"), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/seed.yaml", &err), TW_OK);
  TW_CHECK(strstr(tw_config_metric_filter(cfg, 0)->filter_pattern, "\"*:role/BreakGlass\"") !=
           NULL);
  tw_config_free(cfg);
}

/* The 15 CIS patterns are byte-identical to the specification's. */
TW_TEST(rule_pack_cis) {
  size_t len;
  char *want = read_file(DATA "cis_patterns.txt", &len);
  TW_CHECK(want != NULL);
  if (!want)
    return;
  tw_config *cfg = NULL;
  tw_error err = {0};
  TW_CHECK_EQ_INT(tw_config_new(&cfg), TW_OK);
  TW_CHECK_EQ_INT(tw_config_load(cfg, "rules/cis.yaml", &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_finish(cfg, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_config_metric_filter_count(cfg), 15);
  TW_CHECK_EQ_INT(tw_config_alarm_count(cfg), 15);
  TW_CHECK_EQ_INT(tw_config_rule_count(cfg), 15);
  size_t n = 0;
  for (char *line = want, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    if (line[0] == '#')
      continue;
    const tw_metric_filter_def *f = tw_config_metric_filter(cfg, n++);
    TW_CHECK(f != NULL);
    if (f && strcmp(f->filter_pattern, line))
      fprintf(stderr, "CIS pattern %zu differs:\n  %s\n  %s\n", n, f->filter_pattern, line);
    TW_CHECK(f && !strcmp(f->filter_pattern, line));
    TW_CHECK(f && tw_pattern_get_kind(f->pattern) == TW_PATTERN_JSON);
  }
  TW_CHECK_EQ_INT(n, 15);
  for (size_t i = 0; i < 15; i++) {
    const tw_rule_def *r = tw_config_rule(cfg, i);
    TW_CHECK_EQ_STR(r->filter_name, tw_config_metric_filter(cfg, i)->filter_name);
    TW_CHECK_EQ_STR(r->alarm_name, tw_alarm_get_name(tw_config_alarm_compiled(cfg, i)));
  }
  tw_config_free(cfg);
  free(want);
}

/* The fixture above is the specification's text, when the spec is at hand. */
TW_TEST(cis_fixture_matches_spec) {
  size_t slen = 0, flen = 0;
  char *spec = read_file("/work/shared/spec/cis-filters.md", &slen);
  char *fix = read_file(DATA "cis_patterns.txt", &flen);
  TW_CHECK(fix != NULL);
  if (spec && fix) {
    tw_buf unescaped = {0};
    for (size_t i = 0; i < slen; i++)
      if (!(spec[i] == '\\' && spec[i + 1] == '|'))
        tw_buf_append(&unescaped, spec + i, 1);
    tw_buf_append(&unescaped, "", 1);
    for (char *line = fix, *next; line && *line; line = next) {
      next = strchr(line, '\n');
      if (next)
        *next++ = '\0';
      if (line[0] == '#')
        continue;
      char quoted[2048];
      snprintf(quoted, sizeof quoted, "`%s`", line);
      TW_CHECK(strstr(unescaped.data, quoted) != NULL);
    }
    tw_buf_free(&unescaped);
  }
  free(spec);
  free(fix);
}

int main(void) { return tw_test_run(); }
