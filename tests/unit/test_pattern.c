/*
 * test_pattern.c — unit tests of the pattern API beyond the conformance
 * data: kind detection, lint warnings for each uncertain construct, error
 * codes, transformations, and that one compiled pattern gives identical
 * results from many threads at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trailwatch.h"
#include "tw_test.h"

static tw_pattern *compile(const char *s) {
  tw_pattern *p = NULL;
  tw_error err;
  if (tw_pattern_compile(s, strlen(s), 0, &p, &err) != TW_OK)
    fprintf(stderr, "compile failed: %s: %s\n", s, err.message);
  return p;
}


TW_TEST(kinds) {
  static const struct { const char *pat; tw_pattern_kind kind; } cases[] = {
      {"", TW_PATTERN_ALL},         {"\"\"", TW_PATTERN_ALL},
      {"\" \"", TW_PATTERN_ALL},    {"  ", TW_PATTERN_ALL},
      {"ERROR", TW_PATTERN_TERMS},  {"\"[ERROR]\"", TW_PATTERN_TERMS},
      {"%ab+c%", TW_PATTERN_REGEX}, {" { $.a = 1 } ", TW_PATTERN_JSON},
      {"[a, b]", TW_PATTERN_DELIMITED},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tw_pattern *p = compile(cases[i].pat);
    TW_CHECK(p != NULL);
    if (p)
      TW_CHECK_EQ_INT(tw_pattern_get_kind(p), cases[i].kind);
    tw_pattern_free(p);
  }
}

/* Each uncertain construct is flagged by a warning naming its decision. */
TW_TEST(warnings) {
  static const struct { const char *pat; const char *needle; } cases[] = {
      {"?ERROR WARN", "D2"},
      {"\" \"", "D3"},
      {"{ $.a = ab*cd }", "D6"},
      {"{ $.a[*] != 1 }", "D11"},
      {"{ $.a is null }", "D13"},
      {"[a, b]", "D1"},
      {"%a b%", "space inside a regular expression"},
      {"- \"x\"", "space between '-'"},
      {"{ $.a != * }", "never matches"},
      {"{ $.e = \"AccessDenied*\" || $.n != \"HeadBucket\" }", "CIS 1.4 erratum"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tw_pattern *p = compile(cases[i].pat);
    TW_CHECK(p != NULL);
    if (!p)
      continue;
    int found = 0;
    for (size_t w = 0; w < tw_pattern_warning_count(p); w++)
      found |= strstr(tw_pattern_warning(p, w, NULL), cases[i].needle) != NULL;
    if (!found)
      fprintf(stderr, "no warning containing '%s' for %s\n", cases[i].needle, cases[i].pat);
    TW_CHECK(found);
    tw_pattern_free(p);
  }
  /* plain, certain patterns carry no warnings */
  static const char *const clean[] = {"ERROR", "{ $.eventName = \"SwitchRole\" }",
                                      "[..., status=404, size]", "%a+b%"};
  for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
    tw_pattern *p = compile(clean[i]);
    TW_CHECK(p && tw_pattern_warning_count(p) == 0);
    tw_pattern_free(p);
  }
}

TW_TEST(error_codes) {
  tw_pattern *p = NULL;
  tw_error err;
  const char *s = "{ $.a = 1";
  TW_CHECK_EQ_INT(tw_pattern_compile(s, strlen(s), 0, &p, &err), TW_ESYNTAX);
  TW_CHECK(p == NULL);
  TW_CHECK(strstr(err.message, "expected '}'") != NULL);
  s = "{ $.a = %x% || $.b = %y% || $.c = %z% }";
  TW_CHECK_EQ_INT(tw_pattern_compile(s, strlen(s), 0, &p, &err), TW_ELIMIT);
  TW_CHECK_EQ_INT(err.column, 35); /* the third %regex% */
  TW_CHECK_EQ_INT(tw_pattern_compile(s, strlen(s), TW_PATTERN_NO_AWS_LIMITS, &p, &err), TW_OK);
  tw_pattern_free(p);
  s = "{ $.a[*].b[*] = 1 }";
  TW_CHECK_EQ_INT(tw_pattern_compile(s, strlen(s), 0, &p, &err), TW_ELIMIT);
  /* a NULL error pointer is allowed */
  TW_CHECK_EQ_INT(tw_pattern_compile("{", 1, 0, &p, NULL), TW_ESYNTAX);
  /* patterns need not be NUL-terminated */
  TW_CHECK_EQ_INT(tw_pattern_compile("ERRORxyz", 5, 0, &p, &err), TW_OK);
  int m = 0;
  tw_pattern_match(p, "an ERROR", 8, NULL, &m);
  TW_CHECK_EQ_INT(m, 1);
  tw_pattern_match(p, "ERRO xyz", 8, NULL, &m);
  TW_CHECK_EQ_INT(m, 0);
  tw_pattern_free(p);
}

TW_TEST(messages_need_not_be_terminated) {
  tw_pattern *p = compile("{ $.a = \"x\" }");
  char buf[] = "{\"a\":\"x\"}garbage";
  int m = 0;
  TW_CHECK(p != NULL);
  tw_pattern_match(p, buf, 9, NULL, &m);
  TW_CHECK_EQ_INT(m, 1);
  tw_pattern_match(p, buf, sizeof buf - 1, NULL, &m);
  TW_CHECK_EQ_INT(m, 0); /* trailing text: not a JSON object (D14) */
  tw_pattern_free(p);
}

TW_TEST(transform_dimensions) {
  tw_pattern *p = compile("{ $.latency = * }");
  const char *names[] = {"Type", "Host"};
  const char *toks[] = {"$.requestType", "$.host.name"};
  tw_transform *t = NULL;
  tw_error err;
  TW_CHECK_EQ_INT(tw_transform_compile(p, "$.latency", names, toks, 2, 0, &t, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_transform_dimension_count(t), 2);
  tw_match *m;
  tw_match_new(&m);
  const char *msgs[] = {"{\"latency\":50,\"requestType\":\"GET\",\"host\":{\"name\":\"h1\"}}",
                        "{\"latency\":\"7.5\",\"requestType\":\"P\\u0055T\",\"host\":{\"name\":2}}",
                        "{\"latency\":50,\"requestType\":\"GET\"}",
                        "{\"latency\":true,\"requestType\":\"GET\",\"host\":{\"name\":\"h\"}}"};
  const double want_v[] = {50, 7.5};
  const char *want_d[][2] = {{"GET", "h1"}, {"PUT", "2"}};
  const tw_extract_status want_s[] = {TW_EXTRACT_OK, TW_EXTRACT_OK, TW_EXTRACT_SKIP_DIMENSION,
                                      TW_EXTRACT_SKIP_VALUE};
  for (size_t i = 0; i < 4; i++) {
    int matched = 0;
    double v = -1;
    tw_extract_status st;
    tw_pattern_match(p, msgs[i], strlen(msgs[i]), m, &matched);
    TW_CHECK_EQ_INT(matched, 1);
    TW_CHECK_EQ_INT(tw_transform_apply(t, msgs[i], strlen(msgs[i]), m, &v, &st), TW_OK);
    TW_CHECK_EQ_INT(st, want_s[i]);
    if (st != TW_EXTRACT_OK)
      continue;
    TW_CHECK(v == want_v[i]);
    for (size_t d = 0; d < 2; d++) {
      const char *name, *val;
      size_t vl;
      TW_CHECK_EQ_INT(tw_transform_dimension(t, m, d, &name, &val, &vl), TW_OK);
      TW_CHECK_EQ_STR(name, names[d]);
      TW_CHECK(vl == strlen(want_d[i][d]) && !memcmp(val, want_d[i][d], vl));
    }
  }
  tw_match_free(m);
  tw_transform_free(t);
  /* validation */
  TW_CHECK_EQ_INT(tw_transform_compile(p, "$.latency", names, toks, 2, 1, &t, &err), TW_EINVAL);
  TW_CHECK(strstr(err.message, "defaultValue") != NULL);
  TW_CHECK_EQ_INT(tw_transform_compile(p, "$size", NULL, NULL, 0, 0, &t, &err), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_transform_compile(p, "$.a[*]", NULL, NULL, 0, 0, &t, &err), TW_EINVAL);
  TW_CHECK_EQ_INT(tw_transform_compile(p, "abc", NULL, NULL, 0, 0, &t, &err), TW_EINVAL);
  tw_pattern_free(p);
}

TW_TEST(transform_delimited_positions) {
  tw_pattern *p = compile("[ip, id, user, timestamp, request, status_code, size]");
  const char *msg = "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /x HTTP/1.0\" 200 1534";
  const char *tokens[] = {"$size", "$7", "$6"};
  const double want[] = {1534, 1534, 200};
  tw_match *m;
  tw_match_new(&m);
  for (size_t i = 0; i < 3; i++) {
    tw_transform *t = NULL;
    int matched = 0;
    double v = 0;
    tw_extract_status st;
    TW_CHECK_EQ_INT(tw_transform_compile(p, tokens[i], NULL, NULL, 0, 0, &t, NULL), TW_OK);
    tw_pattern_match(p, msg, strlen(msg), m, &matched);
    TW_CHECK_EQ_INT(tw_transform_apply(t, msg, strlen(msg), m, &v, &st), TW_OK);
    TW_CHECK_EQ_INT(st, TW_EXTRACT_OK);
    TW_CHECK(v == want[i]);
    tw_transform_free(t);
  }
  tw_transform *t = NULL;
  TW_CHECK_EQ_INT(tw_transform_compile(p, "$bytes", NULL, NULL, 0, 0, &t, NULL), TW_EINVAL);
  tw_match_free(m);
  tw_pattern_free(p);
}

/* Found by fuzzing: a ['quoted key'] holding a NUL byte, written twice. */
TW_TEST(selector_key_with_nul_byte) {
  static const char pat[] = "{ $.['a\0b'] = 1 || $.['a\0b'] = 2 }";
  static const char msg[] = "{\"a\\u0000b\":2}";
  tw_pattern *p = NULL;
  TW_CHECK_EQ_INT(tw_pattern_compile(pat, sizeof pat - 1, 0, &p, NULL), TW_OK);
  int m = 0;
  if (p)
    tw_pattern_match(p, msg, sizeof msg - 1, NULL, &m);
  TW_CHECK_EQ_INT(m, 1);
  tw_pattern_free(p);
}

/* ---- many threads, one compiled pattern ---- */

#define NPAT 6
#define NMSG 400
static const char *const thread_patterns[NPAT] = {
    "{ $.eventName = Get* && $.errorCode = AccessDenied && "
    "$.userIdentity.sessionContext.sessionIssuer.arn = \"arn:aws:iam::*:role/aws-service-role/*\" }",
    "{($.errorCode=\"*UnauthorizedOperation\") || ($.errorCode=\"AccessDenied*\")}",
    "{ $.n > 100 && $.tags[*] = %^t[0-9]+$% }",
    "[a, b=x*, ..., last]",
    "?GetObject ?Denied",
    "%Access[A-Z][a-z]+%",
};
static char *thread_msgs[NMSG];
static tw_pattern *thread_compiled[NPAT];

static void make_messages(void) {
  static const char *const names[] = {"GetObject", "PutObject", "GetBucketPolicy", "ListBuckets"};
  static const char *const errs[] = {"AccessDenied", "Client.UnauthorizedOperation", "", "Throttling"};
  static const char *const arns[] = {"arn:aws:iam::1:role/aws-service-role/s3/x",
                                     "arn:aws:iam::1:role/deploy"};
  unsigned s = 12345;
  for (int i = 0; i < NMSG; i++) {
    char buf[512];
    s = s * 1103515245u + 12345u;
    if (i % 7 == 3) {
      snprintf(buf, sizeof buf, "x%d xylo y z w%u", i, s % 10);
    } else {
      snprintf(buf, sizeof buf,
               "{\"eventName\":\"%s\",\"errorCode\":\"%s\",\"n\":%u,\"tags\":[\"t%u\",\"u\"],"
               "\"userIdentity\":{\"sessionContext\":{\"sessionIssuer\":{\"arn\":\"%s\"}}}}",
               names[s % 4], errs[(s >> 4) % 4], (s >> 8) % 200, (s >> 12) % 9,
               arns[(s >> 16) % 2]);
    }
    thread_msgs[i] = strdup(buf);
  }
}

static void count_all(tw_match *m, long *counts) {
  for (int p = 0; p < NPAT; p++)
    for (int i = 0; i < NMSG; i++) {
      int hit = 0;
      tw_pattern_match(thread_compiled[p], thread_msgs[i], strlen(thread_msgs[i]), m, &hit);
      counts[p] += hit;
    }
}

static void *thread_main(void *arg) {
  tw_match *m;
  tw_match_new(&m);
  for (int r = 0; r < 5; r++)
    count_all(m, (long *)arg);
  tw_match_free(m);
  return NULL;
}

TW_TEST(threads_share_compiled_patterns) {
  make_messages();
  for (int p = 0; p < NPAT; p++) {
    thread_compiled[p] = compile(thread_patterns[p]);
    TW_CHECK(thread_compiled[p] != NULL);
    if (!thread_compiled[p])
      return;
  }
  long single[NPAT] = {0};
  tw_match *m;
  tw_match_new(&m);
  count_all(m, single);
  tw_match_free(m);
  for (int p = 0; p < NPAT; p++)
    TW_CHECK(single[p] > 0 && single[p] < NMSG); /* each pattern discriminates */
  enum { NT = 4 };
  pthread_t th[NT];
  long counts[NT][NPAT];
  memset(counts, 0, sizeof counts);
  for (int t = 0; t < NT; t++)
    pthread_create(&th[t], NULL, thread_main, counts[t]);
  for (int t = 0; t < NT; t++)
    pthread_join(th[t], NULL);
  for (int t = 0; t < NT; t++)
    for (int p = 0; p < NPAT; p++)
      TW_CHECK_EQ_INT(counts[t][p], 5 * single[p]);
  for (int p = 0; p < NPAT; p++)
    tw_pattern_free(thread_compiled[p]);
  for (int i = 0; i < NMSG; i++)
    free(thread_msgs[i]);
}

int main(void) { return tw_test_run(); }
