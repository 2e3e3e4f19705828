/*
 * test_ingest_shapes.c — the input layer on real CloudTrail events
 * (/work/shared/data/cloudtrail, or $TW_CLOUDTRAIL_DIR: 2,900 invictus
 * events in {"Records":[...]} objects + 310 stratus events in bare
 * arrays). The events are loaded with jansson, then written back at test
 * time in every shape the reader accepts: as-is, gzipped in an
 * AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/ tree (with a digest file
 * and a README), NDJSON (plain LF and gzip CRLF), one pretty-printed
 * array, EventBridge envelopes (NDJSON and a pretty array), paged
 * filter-log-events output, gzip multi-member subscription payloads (with
 * a CONTROL_MESSAGE), lookup-events pages, a FIFO and standard input.
 * Every shape must give the same 3,210 events: the same eventID multiset,
 * each message compact and equal (jansson) to the original event, each
 * time equal to eventTime (checked with strptime/timegm). Also: the
 * --from/--to window with file skipping by S3 key. Skipped, with a note,
 * when the data directory is absent.
 */
#include "test_ingest_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/wait.h>
#include <time.h>

#include "tw_test.h"

typedef struct ref {
  const char *id;
  json_t *ev;
  int64_t ms;
} ref;

typedef struct corpus {
  json_t *inv;  /* [[file name, raw text], ...] */
  json_t *str;  /* [[technique, events], ...] */
  json_t *all;  /* every event, file order */
  ref *refs;    /* sorted by eventID */
  size_t n;
  char dir[1024];
  char tmp[64];
} corpus;

static corpus *g_corpus; /* loaded once by corpus_get, freed by main */
static int g_skipped;

static int64_t ref_ms(const char *s) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
    return INT64_MIN;
  return (int64_t)timegm(&tm) * 1000;
}

static int ref_cmp(const void *a, const void *b) {
  return strcmp(((const ref *)a)->id, ((const ref *)b)->id);
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.json names of dir. */
static size_t list_json(const char *dir, char ***out) {
  DIR *d = opendir(dir);
  size_t n = 0;
  *out = NULL;
  if (!d)
    return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > 5 && !strcmp(e->d_name + l - 5, ".json")) {
      *out = realloc(*out, (n + 1) * sizeof **out);
      (*out)[n++] = strdup(e->d_name);
    }
  }
  closedir(d);
  qsort(*out, n, sizeof **out, name_cmp);
  return n;
}

static void corpus_add_events(corpus *c, json_t *events) {
  size_t i;
  json_t *ev;
  json_array_foreach(events, i, ev) json_array_append(c->all, ev);
}

static void corpus_load_invictus(corpus *c) {
  char dir[1200], path[2400];
  char **names;
  snprintf(dir, sizeof dir, "%s/invictus-aws-dataset/CloudTrail", c->dir);
  size_t n = list_json(dir, &names);
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    size_t len;
    char *raw = tit_read(path, &len);
    json_t *doc = json_loadb(raw, len, 0, NULL);
    corpus_add_events(c, json_object_get(doc, "Records"));
    json_array_append_new(c->inv, json_pack("[s,s%]", names[i], raw, len));
    json_decref(doc);
    free(raw);
    free(names[i]);
  }
  free(names);
}

static void corpus_load_stratus(corpus *c) {
  char dir[1200], path[2400];
  char **names;
  snprintf(dir, sizeof dir, "%s/stratus-red-team-detonation-logs", c->dir);
  size_t n = list_json(dir, &names);
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    json_t *doc = json_load_file(path, 0, NULL);
    corpus_add_events(c, doc);
    names[i][strlen(names[i]) - 5] = 0;
    json_array_append_new(c->str, json_pack("[s,o]", names[i], doc));
    free(names[i]);
  }
  free(names);
}

static corpus *corpus_get(void) {
  if (g_corpus || g_skipped)
    return g_corpus;
  const char *dir = getenv("TW_CLOUDTRAIL_DIR");
  if (!dir)
    dir = "/work/shared/data/cloudtrail";
  struct stat sb;
  if (stat(dir, &sb) != 0) {
    printf("note: %s absent, real-data ingest tests skipped\n", dir);
    g_skipped = 1;
    return NULL;
  }
  corpus *c = calloc(1, sizeof *c);
  snprintf(c->dir, sizeof c->dir, "%s", dir);
  c->inv = json_array();
  c->str = json_array();
  c->all = json_array();
  corpus_load_invictus(c);
  corpus_load_stratus(c);
  c->n = json_array_size(c->all);
  c->refs = calloc(c->n, sizeof *c->refs);
  for (size_t i = 0; i < c->n; i++) {
    json_t *ev = json_array_get(c->all, i);
    c->refs[i].ev = ev;
    c->refs[i].id = json_string_value(json_object_get(ev, "eventID"));
    c->refs[i].ms = ref_ms(json_string_value(json_object_get(ev, "eventTime")));
  }
  qsort(c->refs, c->n, sizeof *c->refs, ref_cmp);
  snprintf(c->tmp, sizeof c->tmp, "/tmp/tw_ingest_XXXXXX");
  if (!mkdtemp(c->tmp))
    abort();
  g_corpus = c;
  return c;
}

static void corpus_free(void) {
  corpus *c = g_corpus;
  if (!c)
    return;
  if (getenv("TIT_KEEP"))
    printf("fixtures kept in %s\n", c->tmp);
  else
    tit_rm_rf(c->tmp);
  json_decref(c->inv);
  json_decref(c->str);
  json_decref(c->all);
  free(c->refs);
  free(c);
}

static const ref *ref_find(const corpus *c, const char *id) {
  ref key = {id, NULL, 0};
  return id ? bsearch(&key, c->refs, c->n, sizeof *c->refs, ref_cmp) : NULL;
}

static int window_has(int64_t ms, int64_t from, int64_t to) { return ms >= from && ms < to; }

/* The events of r are exactly the corpus events with time in [from, to),
 * once each, messages equal and compact, times right. */
static void check_events_window(const corpus *c, const tit_run *r, const char *what,
                                int64_t from, int64_t to) {
  size_t *seen = calloc(c->n, sizeof *seen), want = 0;
  size_t bad_json = 0, unknown = 0, differ = 0, bad_time = 0, loose = 0;
  for (size_t i = 0; i < r->nev; i++) {
    const tit_ev *e = &r->ev[i];
    json_t *j = json_loadb(e->msg, e->len, 0, NULL);
    if (!j) {
      bad_json++;
      continue;
    }
    const ref *f = ref_find(c, json_string_value(json_object_get(j, "eventID")));
    if (!f)
      unknown++;
    else {
      seen[f - c->refs]++;
      differ += !json_equal(j, f->ev);
      bad_time += e->time_ms != f->ms;
    }
    loose += !tit_compact(e->msg, e->len);
    json_decref(j);
  }
  size_t missing = 0, dup = 0;
  for (size_t i = 0; i < c->n; i++) {
    int in = window_has(c->refs[i].ms, from, to);
    want += in;
    missing += in && seen[i] == 0;
    dup += seen[i] > 1 || (!in && seen[i]);
  }
  if (r->nev != want || bad_json || unknown || differ || bad_time || loose || missing || dup)
    fprintf(stderr,
            "%s: %zu events (want %zu): bad json %zu, unknown %zu, differ %zu, bad time %zu, "
            "not compact %zu, missing %zu, duplicate/outside %zu\n",
            what, r->nev, want, bad_json, unknown, differ, bad_time, loose, missing, dup);
  TW_CHECK_EQ_INT(r->nev, want);
  TW_CHECK(bad_json + unknown + differ + bad_time + loose + missing + dup == 0);
  TW_CHECK_EQ_INT(r->st.events, r->nev);
  free(seen);
}

static void check_events(const corpus *c, const tit_run *r, const char *what) {
  check_events_window(c, r, what, INT64_MIN, INT64_MAX);
  TW_CHECK_EQ_INT(r->nev, 3210);
  TW_CHECK_EQ_INT(r->st.events_outside_window + r->st.events_invalid, 0);
  TW_CHECK_EQ_INT(r->st.events_no_time, 0);
}

/* ---- fixture writers ---- */

static char *dump(json_t *j, size_t flags) {
  return json_dumps(j, flags | JSON_PRESERVE_ORDER);
}

static void path_in(const corpus *c, char *out, size_t cap, const char *rel) {
  snprintf(out, cap, "%s/%s", c->tmp, rel);
}

/* "YYYYMMDDTHHMMZ" of ms */
static void key_time(int64_t ms, char *buf, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, "%Y%m%dT%H%MZ", &tm);
}

static void s3_put(const corpus *c, const char *acct, const char *region, const char *stamp,
                   const char *name, const char *text, size_t len) {
  char rel[1024], path[2048];
  snprintf(rel, sizeof rel, "s3/AWSLogs/%s/CloudTrail/%s/%.4s/%.2s/%.2s/%s.gz", acct, region,
           stamp, stamp + 4, stamp + 6, name);
  path_in(c, path, sizeof path, rel);
  TW_CHECK(tit_write_gz(path, text, len) == 0);
}

static void build_s3(const corpus *c) {
  size_t i;
  json_t *it;
  json_array_foreach(c->inv, i, it) {
    const char *name = json_string_value(json_array_get(it, 0));
    const char *stamp = strstr(name, "_CloudTrail_us-east-1_") + 22;
    s3_put(c, "218007301253", "us-east-1", stamp, name,
           json_string_value(json_array_get(it, 1)), json_string_length(json_array_get(it, 1)));
  }
  json_array_foreach(c->str, i, it) {
    json_t *events = json_array_get(it, 1), *ev;
    int64_t last = 0;
    size_t k;
    json_array_foreach(events, k, ev) {
      int64_t ms = ref_ms(json_string_value(json_object_get(ev, "eventTime")));
      last = ms > last ? ms : last;
    }
    char stamp[32], name[512];
    key_time(last + 5 * 60000, stamp, sizeof stamp);
    snprintf(name, sizeof name, "751353041310_CloudTrail_us-east-1_%s_%s.json", stamp,
             json_string_value(json_array_get(it, 0)));
    json_t *doc = json_pack("{s:O}", "Records", events);
    char *text = dump(doc, JSON_COMPACT);
    s3_put(c, "751353041310", "us-east-1", stamp, name, text, strlen(text));
    free(text);
    json_decref(doc);
  }
  char path[2048];
  const char *digest = "{\"awsAccountId\":\"218007301253\",\"digestStartTime\":\"2023-07-10T11:00:00Z\","
                       "\"digestEndTime\":\"2023-07-10T12:00:00Z\",\"logFiles\":[]}";
  path_in(c, path, sizeof path,
          "s3/AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/"
          "218007301253_CloudTrail-Digest_us-east-1_trail_us-east-1_20230710T120000Z.json.gz");
  TW_CHECK(tit_write_gz(path, digest, strlen(digest)) == 0);
  path_in(c, path, sizeof path, "s3/README.txt");
  TW_CHECK(tit_write(path, "not data\n", 9) == 0);
}

/* Every event, compact, joined by sep. */
static tit_str ndjson(const corpus *c, const char *sep) {
  tit_str s = {0};
  size_t i;
  json_t *ev;
  json_array_foreach(c->all, i, ev) {
    char *t = dump(ev, JSON_COMPACT);
    tit_puts(&s, t);
    tit_puts(&s, sep);
    free(t);
  }
  return s;
}

static const char *detail_type(json_t *ev) {
  const char *t = json_string_value(json_object_get(ev, "eventType"));
  if (t && !strcmp(t, "AwsConsoleSignIn"))
    return "AWS Console Sign In via CloudTrail";
  if (t && !strcmp(t, "AwsServiceEvent"))
    return "AWS Service Event via CloudTrail";
  return "AWS API Call via CloudTrail";
}

static json_t *envelope(json_t *ev, size_t i) {
  char id[64];
  snprintf(id, sizeof id, "e%08zu-0000-0000-0000-000000000000", i);
  return json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:s,s:[],s:O}", "version", "0", "id", id,
                   "detail-type", detail_type(ev), "source", "aws.cloudtrail", "account",
                   "218007301253", "time", json_object_get(ev, "eventTime"), "region",
                   "us-east-1", "resources", "detail", ev);
}

static void build_eventbridge(const corpus *c) {
  tit_str nd = {0};
  json_t *arr = json_array();
  size_t ninv = json_array_size(c->all) - 310;
  for (size_t i = 0; i < json_array_size(c->all); i++) {
    json_t *env = envelope(json_array_get(c->all, i), i);
    if (i < ninv) {
      char *t = dump(env, JSON_COMPACT);
      tit_puts(&nd, t);
      tit_puts(&nd, "\n");
      free(t);
      json_decref(env);
    } else {
      json_array_append_new(arr, env);
    }
  }
  json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "detail-type",
                                       "EC2 Instance State-change Notification", "source",
                                       "aws.ec2", "time", "2024-08-01T00:00:00Z", "detail",
                                       "instance-id", "i-1", "state", "running"));
  char path[2048], *t = dump(arr, JSON_INDENT(3));
  path_in(c, path, sizeof path, "eb/invictus.ndjson");
  TW_CHECK(tit_write(path, nd.s, nd.len) == 0);
  path_in(c, path, sizeof path, "eb/stratus.json");
  TW_CHECK(tit_write(path, t, strlen(t)) == 0);
  free(t);
  free(nd.s);
  json_decref(arr);
}

/* Pages of `per` CloudWatch Logs events, built by make_page. */
typedef json_t *(*page_fn)(json_t *items, size_t page);

static json_t *log_event(json_t *ev, size_t i, int fle) {
  char *msg = dump(ev, JSON_COMPACT), id[32];
  int64_t ms = ref_ms(json_string_value(json_object_get(ev, "eventTime")));
  snprintf(id, sizeof id, "%zu", 37000000000 + i);
  json_t *le = fle ? json_pack("{s:s,s:I,s:s,s:I,s:s}", "logStreamName", "218007301253_CloudTrail_us-east-1",
                               "timestamp", (json_int_t)ms, "message", msg, "ingestionTime",
                               (json_int_t)ms + 4000, "eventId", id)
                   : json_pack("{s:s,s:I,s:s}", "id", id, "timestamp", (json_int_t)ms, "message", msg);
  free(msg);
  return le;
}

static json_t *lookup_item(json_t *ev) {
  char *msg = dump(ev, JSON_COMPACT);
  json_t *it = json_pack("{s:O,s:O,s:s,s:O,s:[],s:s}", "EventId", json_object_get(ev, "eventID"),
                         "EventName", json_object_get(ev, "eventName"), "ReadOnly", "true",
                         "EventSource", json_object_get(ev, "eventSource"), "Resources",
                         "CloudTrailEvent", msg);
  free(msg);
  return it;
}

static void build_pages(const corpus *c, const char *dir, size_t per, int kind) {
  size_t n = json_array_size(c->all);
  for (size_t p = 0; p * per < n; p++) {
    json_t *items = json_array();
    for (size_t i = p * per; i < n && i < (p + 1) * per; i++) {
      json_t *ev = json_array_get(c->all, i);
      json_array_append_new(items, kind == 2 ? lookup_item(ev) : log_event(ev, i, 1));
    }
    json_t *page = kind == 2 ? json_pack("{s:o,s:s}", "Events", items, "NextToken", "tok")
                             : json_pack("{s:o,s:[{s:s,s:b}],s:s}", "events", items,
                                         "searchedLogStreams", "logStreamName", "s",
                                         "searchedCompletely", 1, "nextToken", "tok");
    char rel[256], path[2048], *t = dump(page, JSON_INDENT(4));
    snprintf(rel, sizeof rel, "%s/page-%03zu.json", dir, p);
    path_in(c, path, sizeof path, rel);
    TW_CHECK(tit_write(path, t, strlen(t)) == 0);
    free(t);
    json_decref(page);
  }
}

/* Subscription payloads, each its own gzip member, back to back. */
static void build_subscription(const corpus *c) {
  tit_str gz = {0};
  const char *ctl = "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","
                    "\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\","
                    "\"timestamp\":1689000000000,\"message\":\"CWL CONTROL MESSAGE: Checking "
                    "health of destination Firehose.\"}]}";
  size_t n = json_array_size(c->all), zn;
  unsigned char *z = tit_gzip(ctl, strlen(ctl), &zn);
  tit_put(&gz, z, zn);
  free(z);
  for (size_t p = 0; p * 250 < n; p++) {
    json_t *items = json_array();
    for (size_t i = p * 250; i < n && i < (p + 1) * 250; i++)
      json_array_append_new(items, log_event(json_array_get(c->all, i), i, 0));
    json_t *pl = json_pack("{s:s,s:s,s:s,s:s,s:[s],s:o}", "messageType", "DATA_MESSAGE", "owner",
                           "218007301253", "logGroup", "aws-cloudtrail-logs", "logStream",
                           "218007301253_CloudTrail_us-east-1", "subscriptionFilters", "all",
                           "logEvents", items);
    char *t = dump(pl, JSON_COMPACT);
    z = tit_gzip(t, strlen(t), &zn);
    tit_put(&gz, z, zn);
    free(z);
    free(t);
    json_decref(pl);
  }
  char path[2048];
  path_in(c, path, sizeof path, "sub/firehose-object");
  TW_CHECK(tit_write(path, gz.s, gz.len) == 0);
  free(gz.s);
}

static void build_all(const corpus *c) {
  char path[2048];
  build_s3(c);
  tit_str nd = ndjson(c, "\n"), crlf = ndjson(c, "\r\n");
  path_in(c, path, sizeof path, "ndjson/events.ndjson");
  TW_CHECK(tit_write(path, nd.s, nd.len) == 0);
  path_in(c, path, sizeof path, "ndjson-gz/events.ndjson.gz");
  TW_CHECK(tit_write_gz(path, crlf.s, crlf.len) == 0);
  free(nd.s);
  free(crlf.s);
  char *arr = dump(c->all, JSON_INDENT(2));
  path_in(c, path, sizeof path, "array/all.json");
  TW_CHECK(tit_write(path, arr, strlen(arr)) == 0);
  free(arr);
  build_eventbridge(c);
  build_pages(c, "fle", 500, 1);
  build_pages(c, "lookup", 50, 2);
  build_subscription(c);
}

static const corpus *fixtures(void) {
  static int built;
  corpus *c = corpus_get();
  if (c && !built) {
    built = 1;
    build_all(c);
  }
  return c;
}

static void run_dir(const corpus *c, tit_run *r, const char *rel) {
  char path[2048];
  tw_ingest_opts o;
  path_in(c, path, sizeof path, rel);
  tit_opts(&o, r);
  TW_CHECK_EQ_INT(tit_ingest_path(r, &o, path), TW_OK);
}

/* ---- the shapes ---- */

TW_TEST(real_as_is) {
  corpus *c = corpus_get();
  if (!c)
    return;
  TW_CHECK_EQ_INT(c->n, 3210);
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, c->dir), TW_OK);
  check_events(c, &r, "as-is");
  TW_CHECK_EQ_INT(r.st.files, 90);
  TW_CHECK_EQ_INT(r.st.files_skipped_other, 5); /* README, LICENSE, NOTICE ... */
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_RECORDS], 2900);
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_ARRAY], 310);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK_EQ_INT(r.nerr, 0);
  TW_CHECK_EQ_INT(r.st.bytes_decoded, r.st.bytes_read);
  TW_CHECK_EQ_INT(r.st.bytes_invalid, 0);
  /* invictus objects are compact: their messages are the input bytes */
  size_t len;
  char path[2048];
  const tit_ev *e = &r.ev[0];
  char *raw = tit_read(e->source, &len);
  TW_CHECK(raw && e->offset > 0 && (size_t)e->offset + e->len <= len &&
           memcmp(raw + e->offset, e->msg, e->len) == 0);
  free(raw);
  (void)path;
  tit_run_free(&r);
}

TW_TEST(real_s3_gzip_layout) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "s3");
  check_events(c, &r, "s3 gzip");
  TW_CHECK_EQ_INT(r.st.files, 90);
  TW_CHECK_EQ_INT(r.st.files_skipped_digest, 1);
  TW_CHECK_EQ_INT(r.st.files_skipped_other, 1);
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_RECORDS], 3210);
  TW_CHECK(r.st.bytes_decoded > 3 * r.st.bytes_read);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(real_ndjson) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "ndjson");
  check_events(c, &r, "ndjson");
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_OBJECT], 3210);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
  run_dir(c, &r, "ndjson-gz");
  check_events(c, &r, "ndjson gzip crlf");
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(real_pretty_array) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "array");
  check_events(c, &r, "pretty array");
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_ARRAY], 3210);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(real_eventbridge) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "eb");
  check_events(c, &r, "eventbridge");
  TW_CHECK_EQ_INT(r.st.events_envelope, 3210);
  TW_CHECK_EQ_INT(r.st.objects_non_event, 1); /* the EC2 state-change event */
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_OBJECT], 2900);
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_ARRAY], 310);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(real_filter_log_events) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "fle");
  check_events(c, &r, "filter-log-events");
  TW_CHECK_EQ_INT(r.st.files, 7);
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_LOG_EVENTS], 3210);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(real_subscription_gzip) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "sub");
  check_events(c, &r, "subscription");
  TW_CHECK_EQ_INT(r.st.control_messages, 1);
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_SUBSCRIPTION], 3210);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

TW_TEST(real_lookup_events) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  run_dir(c, &r, "lookup");
  check_events(c, &r, "lookup-events");
  TW_CHECK_EQ_INT(r.st.events_by_shape[TW_SHAPE_LOOKUP], 3210);
  TW_CHECK_EQ_INT(r.st.errors, 0);
  tit_run_free(&r);
}

/* A child process writes `rel` into fd, then exits. */
static pid_t feed(const corpus *c, const char *rel, const char *fifo, int fd) {
  char path[2048];
  path_in(c, path, sizeof path, rel);
  pid_t pid = fork();
  if (pid == 0) {
    size_t len;
    char *data = tit_read(path, &len);
    int out = fifo ? open(fifo, O_WRONLY) : fd;
    size_t off = 0;
    while (data && out >= 0 && off < len) {
      ssize_t n = write(out, data + off, len - off);
      if (n <= 0)
        break;
      off += (size_t)n;
    }
    free(data);
    _exit(0);
  }
  return pid;
}

TW_TEST(real_fifo_gzip) {
  const corpus *c = fixtures();
  if (!c)
    return;
  char fifo[2048];
  path_in(c, fifo, sizeof fifo, "events.pipe");
  TW_CHECK(mkfifo(fifo, 0600) == 0);
  pid_t pid = feed(c, "ndjson-gz/events.ndjson.gz", fifo, -1);
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, fifo), TW_OK);
  waitpid(pid, NULL, 0);
  check_events(c, &r, "fifo gzip");
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK(r.st.bytes_decoded > r.st.bytes_read);
  tit_run_free(&r);
  unlink(fifo);
}

TW_TEST(real_stdin_pretty) {
  const corpus *c = fixtures();
  if (!c)
    return;
  int p[2], saved = dup(0);
  TW_CHECK(pipe(p) == 0);
  pid_t pid = feed(c, "array/all.json", NULL, p[1]);
  close(p[1]);
  dup2(p[0], 0);
  close(p[0]);
  tit_run r = {0};
  tw_ingest_opts o;
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, "-"), TW_OK);
  dup2(saved, 0);
  close(saved);
  waitpid(pid, NULL, 0);
  check_events(c, &r, "stdin pretty array");
  TW_CHECK_EQ_INT(r.st.errors, 0);
  TW_CHECK(r.nev > 0 && !strcmp(r.ev[0].source, "-"));
  tit_run_free(&r);
}

/* --from/--to: per-event filtering and whole-file skipping by S3 key. */
TW_TEST(real_window_s3_skip) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0}, all = {0};
  tw_ingest_opts o;
  char path[2048];
  path_in(c, path, sizeof path, "s3");
  tit_opts(&o, &r);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10T12:00Z", &o.from_ms) == TW_OK);
  TW_CHECK(tw_ingest_parse_time_arg("2023-07-10T12:10:00Z", &o.to_ms) == TW_OK);
  o.s3_lag_ms = 15 * 60000; /* the invictus objects hold events < 10 min old */
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, path), TW_OK);
  check_events_window(c, &r, "window", o.from_ms, o.to_ms);
  /* 35 stratus objects (2024) and the invictus objects named before
   * 11:45 or after 12:25 are skipped unopened */
  TW_CHECK(r.st.files_skipped_window >= 35 + 10);
  TW_CHECK_EQ_INT(r.st.files + r.st.files_skipped_window, 90);
  TW_CHECK_EQ_INT(r.st.files_skipped_digest, 1);
  /* every event of the files read is accounted for */
  tw_ingest_opts o2;
  tit_opts(&o2, &all);
  TW_CHECK_EQ_INT(tit_ingest_path(&all, &o2, path), TW_OK);
  TW_CHECK(r.st.events + r.st.events_outside_window < all.st.events);
  TW_CHECK(r.st.bytes_read + r.st.bytes_skipped == all.st.bytes_read + all.st.bytes_skipped);
  tit_run_free(&r);
  tit_run_free(&all);
  /* the default lag (24 h) skips only the 2024 objects */
  tit_opts(&o, &r);
  tw_ingest_parse_time_arg("2023-07-10T12:00Z", &o.from_ms);
  tw_ingest_parse_time_arg("2023-07-10T12:10Z", &o.to_ms);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, path), TW_OK);
  check_events_window(c, &r, "window default lag", o.from_ms, o.to_ms);
  TW_CHECK_EQ_INT(r.st.files_skipped_window, 35);
  TW_CHECK_EQ_INT(r.st.events + r.st.events_outside_window, 2900);
  tit_run_free(&r);
}

/* The callback's non-zero return stops the read and is returned. */
TW_TEST(real_stop) {
  const corpus *c = fixtures();
  if (!c)
    return;
  tit_run r = {0};
  r.stop_after = 10;
  tw_ingest_opts o;
  char path[2048];
  path_in(c, path, sizeof path, "array");
  tit_opts(&o, &r);
  TW_CHECK_EQ_INT(tit_ingest_path(&r, &o, path), 7);
  TW_CHECK_EQ_INT(r.nev, 10);
  tit_run_free(&r);
}

int main(void) {
  int rc = tw_test_run();
  corpus_free();
  return rc;
}
