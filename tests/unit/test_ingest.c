/*
 * test_ingest.c — unit tests of the input layer (src/ingest/) on small
 * synthetic inputs: time parsing, S3 key parsing and the window skip,
 * path listing, shape detection corner cases, message compaction, and
 * every kind of bad input (truncated / corrupt gzip, invalid JSON inside a
 * Records array, a bad NDJSON line, oversized events, digest files, empty
 * and non-JSON files), each checked for its reported offset and reason
 * and for the summary counters; and the fused collector (values of a
 * caller's plan collected by the element scan). The real-data shape tests are in
 * test_ingest_shapes.c.
 */
#include "test_ingest_util.h"

#include "json/json.h"
#include "tw_test.h"

/* A CloudTrail-like event; minute m of 2023-07-10T12. */
static char *event(int i, int m, size_t pad) {
  char *s = malloc(512 + pad);
  int n = snprintf(s, 512,
                   "{\"eventVersion\":\"1.08\",\"eventTime\":\"2023-07-10T12:%02d:00Z\","
                   "\"eventName\":\"E%d\",\"eventID\":\"id-%d\",\"requestParameters\":{\"p\":\"",
                   m, i, i);
  memset(s + n, 'x', pad);
  strcpy(s + n + pad, "\"}}");
  return s;
}

/* {"Records":[e0,...]} with n events */
static tit_str records(int n, size_t pad) {
  tit_str b = {0};
  tit_puts(&b, "{\"Records\":[");
  for (int i = 0; i < n; i++) {
    char *e = event(i, i % 60, pad);
    if (i)
      tit_puts(&b, ",");
    tit_puts(&b, e);
    free(e);
  }
  tit_puts(&b, "]}");
  return b;
}

static int64_t t_ms(const char *s) {
  int64_t ms = INT64_MIN;
  if (tw_ingest_parse_time(s, strlen(s), &ms) != TW_OK)
    return INT64_MIN;
  return ms;
}

static const char *find_reason(const tit_run *r, const char *needle) {
  for (size_t i = 0; i < r->nerr; i++)
    if (strstr(r->err[i].reason, needle))
      return r->err[i].reason;
  return NULL;
}

/* ---- times ---- */

TW_TEST(time_parse) {
  TW_CHECK_EQ_INT(t_ms("1970-01-01T00:00:00Z"), 0);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T12:11:15Z"), 1688991075000LL);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T12:11:15.123Z"), 1688991075123LL);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T12:11:15.1Z"), 1688991075100LL);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T12:11:15.123999Z"), 1688991075123LL);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T14:11:15+02:00"), 1688991075000LL);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T12:11:15+00:00"), 1688991075000LL);
  TW_CHECK_EQ_INT(t_ms("2023-07-10T07:41:15-0430"), 1688991075000LL);
  TW_CHECK_EQ_INT(t_ms("2024-02-29T00:00:00Z"), 1709164800000LL);
  TW_CHECK_EQ_INT(t_ms("2000-03-01T00:00:00Z"), 951868800000LL);
  TW_CHECK_EQ_INT(t_ms("1969-12-31T23:59:59Z"), -1000);
  const char *bad[] = {"", "2023-07-10", "2023-07-10T12:11Z", "2023-07-10T12:11:15",
                       "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-00-01T00:00:00Z",
                       "2023-07-32T00:00:00Z", "2023-07-10T24:00:00Z", "2023-07-10T12:60:00Z",
                       "2023-07-10T12:11:61Z", "2023-07-10 12:11:15Z", "2023-07-10T12:11:15.Z",
                       "2023-07-10T12:11:15Zx", "23-07-10T12:11:15Z", "2023-7-10T12:11:15Z",
                       "2023-07-10T12:11:15+2:00", "2023-07-10T12:11:15+24:00"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (t_ms(bad[i]) != INT64_MIN) {
      fprintf(stderr, "accepted: %s\n", bad[i]);
      TW_CHECK(0);
    }
}

/* The straight-line path for YYYY-MM-DDTHH:MM:SSZ (itime.c) against the
 * general parser, which the same instant with ".000" or "+00:00" takes:
 * random fields, some out of range, some digits or separators broken. */
TW_TEST(time_parse_fast_form) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  int accepted = 0, rejected = 0;
  for (int n = 0; n < 200000; n++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    char a[40], b[40], c[40];
    snprintf(a, sizeof a, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(x % 10000),
             (unsigned)(x >> 14) % 14, (unsigned)(x >> 18) % 33, (unsigned)(x >> 24) % 26,
             (unsigned)(x >> 30) % 62, (unsigned)(x >> 36) % 63);
    if ((x >> 44) % 4 == 0)
      a[(x >> 48) % 20] = " /:-T0Z9.a"[(x >> 56) % 10];
    memcpy(b, a, 19);
    memcpy(b + 19, ".000Z", 6);
    memcpy(c, a, 19);
    memcpy(c + 19, "+00:00", 7);
    int64_t ta = t_ms(a), tb = a[19] == 'Z' ? t_ms(b) : INT64_MIN;
    int64_t tc = a[19] == 'Z' ? t_ms(c) : INT64_MIN;
    if (ta != tb || ta != tc) {
      fprintf(stderr, "%s: %lld, %s: %lld, %s: %lld\n", a, (long long)ta, b, (long long)tb, c,
              (long long)tc);
      TW_CHECK(0);
      return;
    }
    ta == INT64_MIN ? rejected++ : accepted++;
  }
  TW_CHECK(accepted > 50000 && rejected > 50000); /* both sides exercised */
}

TW_TEST(time_arg_and_format) {
  int64_t ms;
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10", &ms) == TW_OK && ms == 1688947200000LL);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10T12:11", &ms) == TW_OK && ms == 1688991060000LL);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10 12:11:15", &ms) == TW_OK && ms == 1688991075000LL);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10T12:11:15.5+01:00", &ms) == TW_OK &&
           ms == 1688987475500LL);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10T", &ms) == TW_EINVAL);
  TW_CHECK(tw_ingest_parse_time_arg("yesterday", &ms) == TW_EINVAL);
  char buf[32];
  tw_ingest_format_time(1688991075123LL, buf, sizeof buf);
  TW_CHECK_EQ_STR(buf, "2023-07-10T12:11:15.123Z");
  tw_ingest_format_time(-1, buf, sizeof buf);
  TW_CHECK_EQ_STR(buf, "1969-12-31T23:59:59.999Z");
  tw_ingest_format_time(951782400000LL, buf, sizeof buf);
  TW_CHECK_EQ_STR(buf, "2000-02-29T00:00:00.000Z");
}

/* ---- S3 keys ---- */

TW_TEST(key_parse) {
  tw_ingest_key_info k;
  tw_ingest_key_parse("a/AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/"
                      "123456789012_CloudTrail_us-east-1_20230710T1220Z_WMiHxZgr5Hdd6UDc.json.gz",
                      &k);
  TW_CHECK(!k.digest && k.has_time && k.lo_ms == t_ms("2023-07-10T12:20:00Z") &&
           k.hi_ms == k.lo_ms + 60000);
  /* the folder alone: the whole day */
  tw_ingest_key_parse("AWSLogs/o-abc/123456789012/CloudTrail/eu-west-1/2023/07/10/x.json.gz", &k);
  TW_CHECK(k.has_time && k.lo_ms == t_ms("2023-07-10T00:00:00Z") &&
           k.hi_ms == t_ms("2023-07-11T00:00:00Z"));
  /* the name alone (invictus copies) */
  tw_ingest_key_parse("CloudTrail/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgo.json", &k);
  TW_CHECK(k.has_time && k.lo_ms == t_ms("2023-07-10T11:45:00Z"));
  /* Insight files are events too */
  tw_ingest_key_parse("AWSLogs/1/CloudTrail-Insight/us-east-1/2023/07/10/"
                      "1_CloudTrail-Insight_us-east-1_20230710T1145Z_abc.json.gz",
                      &k);
  TW_CHECK(!k.digest && k.has_time);
  /* digests: by folder or by name */
  tw_ingest_key_parse("AWSLogs/1/CloudTrail-Digest/us-east-1/2023/07/10/x.json.gz", &k);
  TW_CHECK(k.digest);
  tw_ingest_key_parse("1_CloudTrail-Digest_us-east-1_t_us-east-1_20230710T120000Z.json.gz", &k);
  TW_CHECK(k.digest && k.has_time && k.hi_ms - k.lo_ms == 1000);
  /* no time */
  const char *none[] = {"events.json", "AWSLogs/1/CloudTrail/us-east-1/2023/13/10/x.gz",
                        "x_CloudTrail_r_20230710T2460Z_y.json", "CloudTrail/2023/07/10",
                        "x_20230710T1220Z_y.json", ""};
  for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
    tw_ingest_key_parse(none[i], &k);
    TW_CHECK(!k.has_time && !k.digest);
  }
}

TW_TEST(key_window) {
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  tw_ingest_key_info k = {0, 1, t_ms("2023-07-10T12:20:00Z"), t_ms("2023-07-10T12:21:00Z")};
  TW_CHECK(!tw_ingest_key_outside(&k, &o));
  o.from_ms = t_ms("2023-07-10T12:36:00Z"); /* 12:21 + 15 min skew = 12:36 */
  TW_CHECK(tw_ingest_key_outside(&k, &o));
  o.from_ms = t_ms("2023-07-10T12:35:59Z");
  TW_CHECK(!tw_ingest_key_outside(&k, &o));
  o.from_ms = INT64_MIN;
  o.to_ms = t_ms("2023-07-09T12:20:00Z"); /* 12:20 - 24 h lag */
  TW_CHECK(tw_ingest_key_outside(&k, &o));
  o.to_ms = t_ms("2023-07-09T12:20:01Z");
  TW_CHECK(!tw_ingest_key_outside(&k, &o));
  k.has_time = 0;
  o.to_ms = 0;
  TW_CHECK(!tw_ingest_key_outside(&k, &o));
}

/* ---- listing ---- */

TW_TEST(list_paths) {
  char dir[] = "/tmp/tw_ingest_list_XXXXXX", p[512];
  TW_CHECK(mkdtemp(dir) != NULL);
  const char *files[] = {"b/2.json", "b/1.json", "a.json", ".hidden", ".git/x.json",
                         "AWSLogs/1/CloudTrail-Digest/r/2023/07/10/d.json.gz",
                         "AWSLogs/1/CloudTrail/r/2020/01/01/old.json.gz"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, files[i]);
    TW_CHECK(tit_write(p, "[]", 2) == 0);
  }
  snprintf(p, sizeof p, "%s/b/loop", dir);
  TW_CHECK(symlink(dir, p) == 0);
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  TW_CHECK(tw_ingest_parse_time_arg("2023-01-01", &o.from_ms) == TW_OK);
  char missing[512];
  snprintf(missing, sizeof missing, "%s/missing.json", dir);
  const char *paths[] = {dir, "-", missing};
  tw_ingest_file *f = NULL;
  size_t n = 0;
  TW_CHECK_EQ_INT(tw_ingest_list(paths, 3, &o, &f, &n, &r.st), TW_OK);
  TW_CHECK_EQ_INT(n, 4);
  if (n == 4) {
    TW_CHECK(strstr(f[0].path, "/a.json") && f[0].flags == TW_INGEST_FILE_FROM_DIR &&
             f[0].size == 2);
    TW_CHECK(strstr(f[1].path, "/b/1.json") && strstr(f[2].path, "/b/2.json"));
    TW_CHECK(!strcmp(f[3].path, "-") && f[3].flags == TW_INGEST_FILE_STDIN);
  }
  TW_CHECK_EQ_INT(r.st.files_skipped_digest, 1);
  TW_CHECK_EQ_INT(r.st.files_skipped_window, 1);
  TW_CHECK_EQ_INT(r.st.files_skipped_other, 2); /* .hidden, and .git (not entered) */
  TW_CHECK_EQ_INT(r.st.bytes_skipped, 6);
  TW_CHECK_EQ_INT(r.st.errors, 2); /* the loop and the missing file */
  TW_CHECK(find_reason(&r, "loop") && find_reason(&r, "No such file"));
  TW_CHECK(r.nerr == 2 && r.err[1].offset == -1 && !strcmp(r.err[1].source, missing));
  tw_ingest_files_free(f, n);
  tit_rm_rf(dir);
}

/* ---- shapes and messages ---- */

TW_TEST(compact_message) {
  tit_run r = {0};
  const char *in = "[\n  {\n    \"eventVersion\" : \"1.08\",\t\"s\": \"a b\\u00e9\\\"c \\\\\",\r\n"
                   "    \"n\": [ 1 , 2 ], \"o\": { }, \"eventTime\": \"2023-07-10T12:00:00Z\" } ]";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, in), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 1);
  if (r.nev == 1) {
    TW_CHECK_EQ_STR(r.ev[0].msg, "{\"eventVersion\":\"1.08\",\"s\":\"a b\\u00e9\\\"c \\\\\","
                                 "\"n\":[1,2],\"o\":{},\"eventTime\":\"2023-07-10T12:00:00Z\"}");
    TW_CHECK_EQ_INT(r.ev[0].offset, 4);
    TW_CHECK_EQ_INT(r.ev[0].time_ms, t_ms("2023-07-10T12:00:00Z"));
    TW_CHECK_EQ_INT(r.ev[0].shape, TW_SHAPE_ARRAY);
  }
  tit_run_free(&r);
}

TW_TEST(single_event_and_concatenated) {
  tit_run r = {0};
  char *e0 = event(0, 1, 3), *e1 = event(1, 2, 3);
  TW_CHECK_EQ_INT(tit_ingest_str(&r, e0), TW_OK);
  TW_CHECK(r.nev == 1 && r.ev[0].shape == TW_SHAPE_OBJECT && !strcmp(r.ev[0].msg, e0));
  tit_run_free(&r);
  /* CloudTrail objects back to back with no separator (as Firehose writes) */
  tit_str b = {0};
  tit_puts(&b, "{\"Records\":[");
  tit_puts(&b, e0);
  tit_puts(&b, "]}{\"Records\":[");
  tit_puts(&b, e1);
  tit_puts(&b, "]} \n");
  TW_CHECK_EQ_INT(tit_ingest_str(&r, b.s), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 2);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK(r.nev == 2 && r.ev[1].offset == (int64_t)(strlen(e0) + 26));
  tit_run_free(&r);
  free(b.s);
  free(e0);
  free(e1);
}

TW_TEST(envelope_time_and_kinds) {
  tit_run r = {0};
  const char *nd =
      "{\"detail\":{\"eventVersion\":\"1.08\",\"eventTime\":\"2023-07-10T12:00:00Z\"},"
      "\"detail-type\":\"AWS API Call via CloudTrail\",\"time\":\"2023-07-10T12:05:00Z\"}\n"
      "{\"detail-type\":\"AWS Console Sign In via CloudTrail\",\"time\":\"2023-07-10T12:06:00Z\","
      "\"detail\":{\"eventVersion\":\"1.08\"}}\n"
      "{\"detail-type\":\"Scheduled Event\",\"detail\":{}}\n"
      "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":\"not an object\"}\n";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, nd), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 2);
  if (r.nev == 2) {
    TW_CHECK_EQ_INT(r.ev[0].time_ms, t_ms("2023-07-10T12:00:00Z"));
    TW_CHECK_EQ_INT(r.ev[1].time_ms, t_ms("2023-07-10T12:06:00Z")); /* envelope time */
    TW_CHECK_EQ_INT(r.ev[0].offset, 10);
    TW_CHECK_EQ_STR(r.ev[1].msg, "{\"eventVersion\":\"1.08\"}");
    TW_CHECK(r.ev[0].envelope && r.ev[1].envelope);
  }
  TW_CHECK_EQ_INT(r.st.objects_non_event, 2);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(cloudwatch_logs_inputs) {
  tit_run r = {0};
  const char *fle =
      "{\"events\":[{\"timestamp\":1688990400000,\"message\":\"plain text line\"},"
      "{\"message\":\"{\\\"eventTime\\\":\\\"2023-07-10T12:01:00Z\\\"}\"},"
      "{\"timestamp\":1.5,\"message\":\"x\"}],\"searchedLogStreams\":[]}";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, fle), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 3);
  if (r.nev == 3) {
    TW_CHECK_EQ_STR(r.ev[0].msg, "plain text line");
    TW_CHECK_EQ_INT(r.ev[0].time_ms, 1688990400000LL);
    TW_CHECK_EQ_STR(r.ev[1].msg, "{\"eventTime\":\"2023-07-10T12:01:00Z\"}");
    TW_CHECK_EQ_INT(r.ev[1].time_ms, t_ms("2023-07-10T12:01:00Z")); /* no timestamp */
    TW_CHECK_EQ_INT(r.ev[2].time_ms, INT64_MIN);
    TW_CHECK_EQ_INT(r.ev[0].shape, TW_SHAPE_LOG_EVENTS);
  }
  TW_CHECK_EQ_INT(r.st.events_no_time, 1);
  tit_run_free(&r);
  /* a control message is skipped whole */
  const char *ctl = "{\"messageType\":\"CONTROL_MESSAGE\",\"logEvents\":[{\"id\":\"\","
                    "\"timestamp\":1,\"message\":\"CWL CONTROL MESSAGE\"}]}";
  size_t zn;
  unsigned char *z = tit_gzip(ctl, strlen(ctl), &zn);
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, z, zn, 0), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 0);
  TW_CHECK_EQ_INT(r.st.control_messages, 1);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK_EQ_INT(r.st.bytes_decoded, strlen(ctl));
  TW_CHECK_EQ_INT(r.st.bytes_read, zn);
  free(z);
  tit_run_free(&r);
}

TW_TEST(lookup_events_item) {
  tit_run r = {0};
  const char *in = "{\"Events\":[{\"EventId\":\"1\",\"CloudTrailEvent\":"
                   "\"{\\\"eventVersion\\\": \\\"1.08\\\", \\\"eventTime\\\":"
                   "\\\"2023-07-10T12:00:00Z\\\"}\"},{\"EventId\":\"2\",\"CloudTrailEvent\":\"[1\"}]}";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, in), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 1);
  if (r.nev == 1) {
    TW_CHECK_EQ_STR(r.ev[0].msg, "{\"eventVersion\":\"1.08\",\"eventTime\":\"2023-07-10T12:00:00Z\"}");
    TW_CHECK_EQ_INT(r.ev[0].shape, TW_SHAPE_LOOKUP);
  }
  TW_CHECK_EQ_INT(r.st.events_invalid, 1);
  TW_CHECK(find_reason(&r, "CloudTrailEvent is not a JSON object") != NULL);
  tit_run_free(&r);
}

TW_TEST(non_events_and_digest_content) {
  tit_run r = {0};
  const char *in = "{\"fileVersion\":\"1.0\",\"configurationItems\":[]}\n"
                   "{\"awsAccountId\":\"1\",\"digestStartTime\":\"2023-07-10T11:00:00Z\"}\n"
                   "{}\n[]\n[{\"a\":1}]\n";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, in), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 0);
  TW_CHECK_EQ_INT(r.st.objects_non_event, 3);
  TW_CHECK_EQ_INT(r.st.objects_digest, 1);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK_EQ_INT(r.st.bytes_non_event, 44 + 62 + 2 + 7);
  tit_run_free(&r);
}

TW_TEST(event_without_time) {
  tit_run r = {0};
  const char *in = "[{\"eventVersion\":\"1.08\",\"eventName\":\"A\"},"
                   "{\"eventName\":\"B\",\"eventTime\":\"2023-02-30T00:00:00Z\"},"
                   "{\"eventName\":\"C\",\"eventTime\":1688990400}]";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, in), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 3);
  TW_CHECK_EQ_INT(r.st.events_no_time, 3);
  TW_CHECK(r.nev == 3 && r.ev[0].time_ms == INT64_MIN && r.ev[2].time_ms == INT64_MIN);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
  /* with a window they cannot be shown to be inside: not emitted */
  tw_ingest_opts o;
  tit_opts(&o, &r);
  o.from_ms = 0;
  tw_ingest *in2;
  TW_CHECK(tw_ingest_new(&o, &in2) == TW_OK);
  TW_CHECK_EQ_INT(tw_ingest_buffer_events(in2, "w", in, strlen(in), tit_on_event, &r, &r.st),
                  TW_OK);
  TW_CHECK_EQ_INT(r.nev, 0);
  TW_CHECK_EQ_INT(r.st.events_outside_window, 3);
  TW_CHECK_EQ_INT(r.st.events_no_time, 3);
  tw_ingest_free(in2);
  tit_run_free(&r);
}

TW_TEST(window_per_event) {
  tit_run r = {0};
  tit_str b = records(60, 10);
  tw_ingest_opts o;
  tit_opts(&o, &r);
  o.from_ms = t_ms("2023-07-10T12:10:00Z");
  o.to_ms = t_ms("2023-07-10T12:20:00Z");
  tw_ingest *in;
  TW_CHECK(tw_ingest_new(&o, &in) == TW_OK);
  TW_CHECK_EQ_INT(tw_ingest_buffer_events(in, "w", b.s, b.len, tit_on_event, &r, &r.st), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 10); /* minutes 10..19; 20 is excluded */
  TW_CHECK_EQ_INT(r.st.events_outside_window, 50);
  TW_CHECK(r.nev == 10 && r.ev[0].time_ms == o.from_ms && r.ev[9].time_ms < o.to_ms);
  tw_ingest_free(in);
  tit_run_free(&r);
  free(b.s);
}

TW_TEST(bom_crlf_blank_lines) {
  tit_run r = {0};
  char *e0 = event(0, 0, 1), *e1 = event(1, 1, 1);
  tit_str b = {0};
  tit_puts(&b, "\xEF\xBB\xBF");
  tit_puts(&b, e0);
  tit_puts(&b, "\r\n\r\n   \n");
  tit_puts(&b, e1);
  TW_CHECK_EQ_INT(tit_ingest_str(&r, b.s), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 2);
  TW_CHECK(r.nev == 2 && r.ev[0].offset == 3 && !strcmp(r.ev[1].msg, e1) &&
           r.ev[1].offset == (int64_t)(3 + strlen(e0) + 8));
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
  /* the same through the zlib streaming path (trailing bytes defeat the
   * whole-object path), as a pretty document read whole */
  const char *doc = "\xEF\xBB\xBF[\n  {\"eventName\": \"A\"}\n]\n";
  size_t zn;
  unsigned char *z = tit_gzip(doc, strlen(doc), &zn);
  z = realloc(z, zn + 2);
  memcpy(z + zn, "xx", 2);
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, z, zn + 2, 0), TW_OK);
  TW_CHECK(r.nev == 1 && !strcmp(r.ev[0].msg, "{\"eventName\":\"A\"}") && r.ev[0].offset == 7);
  TW_CHECK(r.nerr == 1 && strstr(r.err[0].reason, "trailing bytes"));
  tit_run_free(&r);
  free(z);
  free(b.s);
  free(e0);
  free(e1);
}

/* ---- bad input ---- */

TW_TEST(invalid_json_inside_records) {
  tit_run r = {0};
  char *e0 = event(0, 0, 1), *e2 = event(2, 2, 1);
  tit_str b = {0};
  tit_puts(&b, "{\"Records\":[");
  tit_puts(&b, e0);
  tit_puts(&b, ",{\"eventVersion\":\"1.08\",\"x\":tru},");
  tit_puts(&b, e2);
  size_t bad = (size_t)(strstr(b.s, "tru}") - b.s);
  tit_puts(&b, "]}");
  TW_CHECK_EQ_INT(tit_ingest_str(&r, b.s), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 2); /* the damaged event alone is skipped */
  TW_CHECK_EQ_INT(r.st.events_invalid, 1);
  TW_CHECK_EQ_INT(r.st.errors, 1);
  TW_CHECK(r.nerr == 1 && r.err[0].offset == (int64_t)bad &&
           strstr(r.err[0].reason, "invalid literal") && !strcmp(r.err[0].source, "buf"));
  TW_CHECK_EQ_INT(r.st.bytes_invalid, 31);
  tit_run_free(&r);
  free(b.s);
  free(e0);
  free(e2);
}

TW_TEST(broken_structure_inside_records) {
  tit_run r = {0};
  char *e0 = event(0, 0, 1), *e2 = event(2, 2, 1);
  tit_str b = {0};
  tit_puts(&b, "{\"Records\":[");
  tit_puts(&b, e0);
  tit_puts(&b, ",{\"a\":[1}");
  tit_puts(&b, ",");
  tit_puts(&b, e2);
  size_t elem = (size_t)(strstr(b.s, "{\"a\"") - b.s), at = elem + 7;
  tit_puts(&b, "]}");
  TW_CHECK_EQ_INT(tit_ingest_str(&r, b.s), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 1); /* nothing after the break can be trusted */
  TW_CHECK(r.nerr == 1 && r.err[0].offset == (int64_t)at &&
           strstr(r.err[0].reason, "mismatched closing bracket"));
  TW_CHECK_EQ_INT(r.st.events_invalid, 1);
  TW_CHECK_EQ_INT(r.st.bytes_invalid, b.len - elem);
  tit_run_free(&r);
  free(b.s);
  free(e0);
  free(e2);
}

TW_TEST(invalid_ndjson_lines) {
  tit_run r = {0};
  char *e0 = event(0, 0, 1), *e3 = event(3, 3, 1);
  tit_str b = {0};
  tit_puts(&b, e0);
  tit_puts(&b, "\n{\"eventVersion\":\"1.08\",\"eventTime\":\"2023-07\n");
  size_t l1 = strlen(e0) + 1, l1end = b.len - 1;
  tit_puts(&b, "{\"eventVersion\":\"1.08\",\"n\":01}\n");
  tit_puts(&b, "42\n");
  size_t l3 = b.len - 3;
  tit_puts(&b, e3);
  tit_puts(&b, "\n");
  TW_CHECK_EQ_INT(tit_ingest_str(&r, b.s), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 2);
  TW_CHECK_EQ_INT(r.st.errors, 3);
  TW_CHECK(r.nerr == 3 && r.err[0].offset == (int64_t)l1end &&
           strstr(r.err[0].reason, "end of input inside a string"));
  TW_CHECK(r.nerr == 3 && r.err[1].offset == strstr(b.s, "01}") - b.s + 1 &&
           strstr(r.err[1].reason, "leading zero"));
  TW_CHECK(r.nerr == 3 && r.err[2].offset == (int64_t)l3 && strstr(r.err[2].reason, "not JSON"));
  TW_CHECK_EQ_INT(r.st.events_invalid, 2);
  TW_CHECK_EQ_INT(r.st.bytes_invalid, (l1end - l1) + 30 + 2);
  tit_run_free(&r);
  free(b.s);
  free(e0);
  free(e3);
}

TW_TEST(oversized_event) {
  tit_run r = {0};
  char *small = event(0, 0, 10), *big = event(1, 1, 2000);
  tit_str b = {0};
  tit_puts(&b, "[");
  tit_puts(&b, small);
  tit_puts(&b, ",");
  tit_puts(&b, big);
  tit_puts(&b, ",");
  tit_puts(&b, small);
  tit_puts(&b, "]");
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, b.s, b.len, 1000), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 2);
  TW_CHECK_EQ_INT(r.st.events_invalid, 1);
  TW_CHECK(r.nerr == 1 && r.err[0].offset == (int64_t)(strlen(small) + 2) &&
           strstr(r.err[0].reason, "larger than the limit of 1000 bytes"));
  TW_CHECK_EQ_INT(r.st.bytes_invalid, strlen(big));
  tit_run_free(&r);
  free(b.s);
  free(small);
  free(big);
}

TW_TEST(truncated_gzip) {
  tit_run r = {0};
  tit_str b = records(100, 200);
  size_t zn;
  unsigned char *z = tit_gzip(b.s, b.len, &zn);
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, z, zn * 6 / 10, 0), TW_OK);
  TW_CHECK(r.nev > 10 && r.nev < 100); /* the events before the cut */
  const char *gz = find_reason(&r, "truncated gzip");
  TW_CHECK(gz != NULL);
  TW_CHECK_EQ_INT(r.nerr, 2); /* the gzip error and the cut-off event */
  TW_CHECK(r.nerr == 2 && strstr(r.err[0].reason, "unexpected end of input") &&
           (uint64_t)r.err[1].offset == r.st.bytes_decoded &&
           r.err[0].offset == (int64_t)r.st.bytes_decoded);
  TW_CHECK_EQ_INT(r.st.events_invalid, 1);
  TW_CHECK_EQ_INT(r.st.bytes_read, zn * 6 / 10);
  TW_CHECK(r.st.bytes_decoded < b.len && r.st.bytes_invalid > 0);
  tit_run_free(&r);
  /* cut inside the header */
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, z, 5, 0), TW_OK);
  TW_CHECK(r.nev == 0 && r.nerr == 1 && find_reason(&r, "truncated gzip"));
  tit_run_free(&r);
  free(z);
  free(b.s);
}

TW_TEST(corrupt_gzip_trailer) {
  tit_run r = {0};
  tit_str b = records(50, 20);
  size_t zn;
  unsigned char *z = tit_gzip(b.s, b.len, &zn);
  z[zn - 8] ^= 0xff; /* CRC32 */
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, z, zn, 0), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 50);
  TW_CHECK(r.nerr == 1 && strstr(r.err[0].reason, "CRC mismatch") &&
           r.err[0].offset == (int64_t)b.len);
  tit_run_free(&r);
  z[zn - 8] ^= 0xff;
  z[zn - 4] ^= 0x01; /* ISIZE */
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, z, zn, 0), TW_OK);
  TW_CHECK(r.nev == 50 && r.nerr == 1 && strstr(r.err[0].reason, "ISIZE"));
  tit_run_free(&r);
  z[zn - 4] ^= 0x01;
  /* corrupt deflate data in the middle */
  unsigned char *bad = malloc(zn);
  memcpy(bad, z, zn);
  for (size_t i = zn / 2; i < zn / 2 + 16; i++)
    bad[i] = 0xff;
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, bad, zn, 0), TW_OK);
  TW_CHECK(r.nev < 50 && r.st.errors >= 1 && find_reason(&r, "gzip"));
  tit_run_free(&r);
  /* trailing garbage after the gzip member */
  unsigned char *tail = malloc(zn + 4);
  memcpy(tail, z, zn);
  memcpy(tail + zn, "junk", 4);
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, tail, zn + 4, 0), TW_OK);
  TW_CHECK(r.nev == 50 && r.nerr == 1 && strstr(r.err[0].reason, "trailing bytes"));
  tit_run_free(&r);
  free(tail);
  free(bad);
  free(z);
  free(b.s);
}

TW_TEST(multi_member_gzip) {
  tit_run r = {0};
  tit_str a = records(30, 5), b = records(20, 5), cat = {0};
  size_t za, zb;
  unsigned char *ga = tit_gzip(a.s, a.len, &za), *gb = tit_gzip(b.s, b.len, &zb);
  tit_put(&cat, ga, za);
  tit_put(&cat, gb, zb);
  TW_CHECK_EQ_INT(tit_ingest_buf(&r, cat.s, cat.len, 0), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 50);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK_EQ_INT(r.st.bytes_decoded, a.len + b.len);
  tit_run_free(&r);
  free(ga);
  free(gb);
  free(a.s);
  free(b.s);
  free(cat.s);
}

TW_TEST(empty_garbage_and_dir_files) {
  char dir[] = "/tmp/tw_ingest_bad_XXXXXX", p[512];
  TW_CHECK(mkdtemp(dir) != NULL);
  struct {
    const char *name, *data;
  } files[] = {{"empty.json", ""}, {"blank.json", " \n\t\n"}, {"garbage.bin", "\x7f" "ELF\x01"},
               {"notes.txt", "hello world\n"}, {"ok.json", "[]"}};
  for (size_t i = 0; i < 5; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, files[i].name);
    TW_CHECK(tit_write(p, files[i].data, strlen(files[i].data)) == 0);
  }
  /* found in a directory: skipped, counted, not errors */
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, dir), TW_OK);
  TW_CHECK_EQ_INT(r.st.files, 1);
  TW_CHECK_EQ_INT(r.st.files_skipped_other, 4);
  TW_CHECK_EQ_INT(r.st.bytes_skipped, 4 + 5 + 12);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
  /* named on the command line: errors */
  const char *names[] = {"empty.json", "blank.json", "garbage.bin", "notes.txt"};
  const char *why[] = {"empty input", "empty input", "not JSON", "not JSON"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    tit_opts(&o, &r);
    TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, p), TW_OK);
    TW_CHECK(r.nerr == 1 && strstr(r.err[0].reason, why[i]) && !strcmp(r.err[0].source, p) &&
             r.err[0].offset == 0);
    TW_CHECK_EQ_INT(r.st.files, 1);
    TW_CHECK_EQ_INT(r.st.bytes_invalid, i < 2 ? 0 : strlen(files[i].data));
    tit_run_free(&r);
  }
  tit_rm_rf(dir);
}

TW_TEST(broken_pretty_document) {
  tit_run r = {0};
  const char *in = "[\n  {\"eventVersion\": \"1.08\"},\n  {\"eventVersion\": \"1.08\",\n  "
                   "{\"eventVersion\": \"1.08\"}\n]\n";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, in), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 1);
  const char *third = strchr(strchr(strchr(in, '{') + 1, '{') + 1, '{');
  TW_CHECK(r.nerr == 1 && r.err[0].offset == third - in &&
           strstr(r.err[0].reason, "expected a member name"));
  tit_run_free(&r);
  /* a structural break ends the document: one report, not one per line */
  const char *in2 = "[\n {\"eventVersion\": \"1.08\"},\n {\"a\": [1}\n,\n {\"eventVersion\": \"1.08\"}\n]";
  TW_CHECK_EQ_INT(tit_ingest_str(&r, in2), TW_OK);
  TW_CHECK_EQ_INT(r.nev, 1);
  TW_CHECK(r.nerr == 1 && r.err[0].offset == strstr(in2, "1}") - in2 + 1);
  tit_run_free(&r);
  /* trailing comma: reported, the events are kept */
  TW_CHECK_EQ_INT(tit_ingest_str(&r, "{\"Records\":[{\"eventName\":\"A\"},]}"), TW_OK);
  TW_CHECK(r.nev == 1 && r.nerr == 1 && strstr(r.err[0].reason, "trailing comma"));
  tit_run_free(&r);
  /* not objects */
  TW_CHECK_EQ_INT(tit_ingest_str(&r, "[1,{\"eventName\":\"A\"},\"s\",[]]"), TW_OK);
  TW_CHECK(r.nev == 1 && r.nerr == 3 && r.st.events_invalid == 3 && r.err[0].offset == 1 &&
           strstr(r.err[0].reason, "not an object"));
  tit_run_free(&r);
}

TW_TEST(deep_nesting) {
  tit_run r = {0};
  tit_str b = {0};
  tit_puts(&b, "[{\"eventName\":");
  for (int i = 0; i < 600; i++)
    tit_puts(&b, "[");
  for (int i = 0; i < 600; i++)
    tit_puts(&b, "]");
  tit_puts(&b, "}]");
  TW_CHECK_EQ_INT(tit_ingest_str(&r, b.s), TW_OK);
  TW_CHECK(r.nev == 0 && r.nerr == 1 && strstr(r.err[0].reason, "512"));
  tit_run_free(&r);
  free(b.s);
}

/* Streaming paths: a small max_document forces the line reader (plain
 * files) and zlib streaming (gzip objects); lines over it are reported. */
TW_TEST(streaming_paths) {
  char dir[] = "/tmp/tw_ingest_stream_XXXXXX", p[512], pz[512];
  TW_CHECK(mkdtemp(dir) != NULL);
  tit_str nd = {0};
  for (int i = 0; i < 400; i++) {
    char *e = event(i, i % 60, 100);
    tit_puts(&nd, e);
    tit_puts(&nd, i == 200 ? "\r\n" : "\n");
    free(e);
  }
  char *huge = event(999, 0, 20000);
  tit_puts(&nd, huge);
  tit_puts(&nd, "\n{\"eventName\":\"last\"}");
  free(huge);
  snprintf(p, sizeof p, "%s/nd.json", dir);
  snprintf(pz, sizeof pz, "%s/nd.json.gz", dir);
  TW_CHECK(tit_write(p, nd.s, nd.len) == 0 && tit_write_gz(pz, nd.s, nd.len) == 0);
  for (int k = 0; k < 2; k++) {
    tit_run r = {0};
    tw_ingest_opts o;
    tit_opts(&o, &r);
    o.max_document = 16384;
    TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, k ? pz : p), TW_OK);
    TW_CHECK_EQ_INT(r.nev, 401);
    TW_CHECK(r.nerr == 1 && strstr(r.err[0].reason, "longer than the limit"));
    TW_CHECK_EQ_INT(r.st.bytes_decoded, nd.len);
    TW_CHECK(r.nev == 401 && !strcmp(r.ev[400].msg, "{\"eventName\":\"last\"}"));
    tit_run_free(&r);
  }
  /* a pretty document over max_document is reported once */
  char *arr = malloc(40000);
  memset(arr, ' ', 40000);
  memcpy(arr, "[\n", 2);
  memcpy(arr + 39990, "{}]", 3);
  TW_CHECK(tit_write(p, arr, 40000) == 0);
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  o.max_document = 16384;
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, p), TW_OK);
  TW_CHECK(r.nerr == 1 && strstr(r.err[0].reason, "JSON document larger"));
  TW_CHECK_EQ_INT(r.st.bytes_invalid, 40000);
  tit_run_free(&r);
  free(arr);
  free(nd.s);
  tit_rm_rf(dir);
}

/* Identities of the summary over a mixed bag of inputs. */
TW_TEST(summary_identities) {
  tit_run r = {0};
  const char *inputs[] = {
      "[{\"eventName\":\"A\",\"eventTime\":\"2023-07-10T12:00:00Z\"},1,{\"x\":tru}]",
      "{\"Records\":[{\"eventName\":\"B\",\"eventTime\":\"2030-01-01T00:00:00Z\"}]}",
      "{\"eventName\":\"C\"}\n{\"bad\n{\"other\":1}\n"};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  o.to_ms = t_ms("2025-01-01T00:00:00Z");
  tw_ingest *in;
  TW_CHECK(tw_ingest_new(&o, &in) == TW_OK);
  for (size_t i = 0; i < 3; i++)
    TW_CHECK_EQ_INT(tw_ingest_buffer_events(in, "m", inputs[i], strlen(inputs[i]), tit_on_event,
                                            &r, &r.st),
                    TW_OK);
  tw_ingest_free(in);
  TW_CHECK_EQ_INT(r.st.files, 3);
  TW_CHECK_EQ_INT(r.st.events, 1);
  TW_CHECK_EQ_INT(r.st.events_outside_window, 2); /* B (2030) and C (no time) */
  TW_CHECK_EQ_INT(r.st.events_invalid, 3);        /* 1, {"x":tru}, {"bad */
  TW_CHECK_EQ_INT(r.st.events_no_time, 1);
  TW_CHECK_EQ_INT(r.st.objects_non_event, 1);
  TW_CHECK_EQ_INT(r.st.errors, 3);
  TW_CHECK_EQ_INT(r.st.errors, r.nerr);
  size_t total = strlen(inputs[0]) + strlen(inputs[1]) + strlen(inputs[2]);
  TW_CHECK_EQ_INT(r.st.bytes_read, total);
  TW_CHECK_EQ_INT(r.st.bytes_decoded, total);
  tit_run_free(&r);
}

/* The committed fixtures of tests/data/ingest (counts in its README.md). */
TW_TEST(fixture_tree) {
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, "tests/data/ingest/good"), TW_OK);
  TW_CHECK_EQ_INT(r.st.files, 6);
  TW_CHECK_EQ_INT(r.st.files_skipped_digest, 1);
  TW_CHECK_EQ_INT(r.st.events, 14);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK_EQ_INT(r.st.objects_non_event, 1);
  TW_CHECK_EQ_INT(r.st.control_messages, 1);
  static const int by_shape[TW_SHAPE_COUNT] = {5, 2, 3, 2, 2, 0};
  for (int i = 0; i < TW_SHAPE_COUNT; i++)
    TW_CHECK_EQ_INT(r.st.events_by_shape[i], by_shape[i]);
  tit_run_free(&r);
  tit_opts(&o, &r);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-11", &o.from_ms) == TW_OK);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, "tests/data/ingest/good"), TW_OK);
  TW_CHECK_EQ_INT(r.st.files_skipped_window, 1);
  TW_CHECK_EQ_INT(r.st.events, 2);
  tit_run_free(&r);
  static const struct {
    const char *file, *reason;
    int64_t offset;
    int events, errors;
  } bad[] = {{"truncated.json.gz", "truncated gzip data", 1141, 1, 2},
             {"bad-crc.json.gz", "gzip CRC mismatch", 3287, 5, 1},
             {"invalid-in-records.json", "invalid literal", 687, 2, 1},
             {"invalid-line.ndjson", "unexpected end of input inside a string", 678, 2, 1},
             {"garbage.json", "not JSON", 0, 0, 1},
             {"empty.json", "empty input", 0, 0, 1}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char path[256];
    snprintf(path, sizeof path, "tests/data/ingest/bad/%s", bad[i].file);
    tit_opts(&o, &r);
    TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, path), TW_OK);
    TW_CHECK_EQ_INT(r.st.events, bad[i].events);
    TW_CHECK_EQ_INT(r.st.errors, bad[i].errors);
    TW_CHECK(r.nerr >= 1 && strstr(r.err[r.nerr - 1].reason, bad[i].reason) &&
             r.err[r.nerr - 1].offset == bad[i].offset);
    tit_run_free(&r);
  }
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, "tests/data/ingest/bad"), TW_OK);
  TW_CHECK_EQ_INT(r.st.files, 4);
  TW_CHECK_EQ_INT(r.st.files_skipped_other, 2);
  TW_CHECK_EQ_INT(r.st.events, 10);
  TW_CHECK_EQ_INT(r.st.errors, 5);
  tit_run_free(&r);
}

/* ---- fused collection ---- */

typedef struct col_ctx {
  uint32_t name_id;
  int begins, names;
  char name[32];
  int ok; /* every collected event's eventName equals the collected one */
} col_ctx;

static int col_begin(void *ctx) {
  col_ctx *c = ctx;
  c->begins++;
  c->names = 0;
  c->name[0] = 0;
  return 0;
}

static int col_visit(void *ctx, uint32_t id, const tw_json_value *v) {
  col_ctx *c = ctx;
  if (id == c->name_id && v->len < sizeof c->name) {
    memcpy(c->name, v->ptr, v->len);
    c->name[v->len] = 0;
    c->names++;
  }
  return 0;
}

static int col_event(void *ctx, const tw_ingest_event *ev) {
  col_ctx *c = ctx;
  if (ev->collected) {
    char want[48];
    snprintf(want, sizeof want, "\"eventName\":\"%s\"", c->name);
    c->ok &= c->names == 1 && memmem(ev->message, ev->len, want, strlen(want)) != NULL;
  }
  return 0;
}

TW_TEST(fused_collector) {
  const char *in = "{\"Records\":[{\"eventVersion\":\"1\",\"eventName\":\"A\"},\n"
                   " { \"eventName\" : \"B\", \"eventTime\":\"2023-07-10T12:00:00Z\" },"
                   "{\"eventName\":\"C\",\"x\":tru},"
                   "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{\"eventName\":\"D\"}},"
                   "{\"other\":1},{\"eventName\":\"E\"}]}";
  tw_json_plan *plan;
  TW_CHECK_EQ_INT(tw_json_plan_new(&plan), TW_OK);
  tw_json_step step = {TW_JSON_STEP_KEY, "eventName", 9, 0};
  col_ctx c = {.ok = 1};
  tw_ingest_collector col = {.plan = plan, .begin = col_begin, .visit = col_visit, .ctx = &c};
  TW_CHECK_EQ_INT(tw_json_plan_add(plan, &step, 1, &c.name_id), TW_OK);
  TW_CHECK_EQ_INT(tw_ingest_plan_add(plan, col.ids), TW_OK);
  tw_ingest *ing;
  TW_CHECK_EQ_INT(tw_ingest_new(NULL, &ing), TW_OK);
  tw_ingest_stats plain = {0}, fused = {0};
  TW_CHECK_EQ_INT(tw_ingest_buffer_events(ing, "t", in, strlen(in), NULL, NULL, &plain), TW_OK);
  TW_CHECK_EQ_INT(tw_ingest_set_collector(ing, &col), TW_OK);
  TW_CHECK_EQ_INT(tw_ingest_buffer_events(ing, "t", in, strlen(in), col_event, &c, &fused),
                  TW_OK);
  TW_CHECK(memcmp(&plain, &fused, sizeof plain) == 0);
  TW_CHECK_EQ_INT(fused.events, 4);
  TW_CHECK_EQ_INT(fused.events_invalid, 1);
  TW_CHECK(c.begins >= 6);
  TW_CHECK(c.ok);
  tw_ingest_free(ing);
  tw_json_plan_free(plan);
}

int main(void) { return tw_test_run(); }
