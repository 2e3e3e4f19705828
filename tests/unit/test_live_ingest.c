/*
 * test_live_ingest.c — unit tests of the ingestion entry of the live
 * sources (src/api/ingest_live.c): group and stream created on demand,
 * PutLogEvents' time rules per event (too old, expired, too new: counted,
 * not errors), events visible through GetLogEvents, the ingestion
 * counters; and the progress rows of src/store/progress.c.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "api/api_internal.h"
#include "store/store.h"
#include "tw_test.h"

#define DAY INT64_C(86400000)

static tw_api *open_api(void) {
  tw_api_config cfg = {":memory:", NULL, NULL, 0, 60000};
  tw_api *api = NULL;
  tw_error err;
  return tw_api_new(&cfg, &api, &err) == TW_OK ? api : NULL;
}

static json_t *call(tw_api *api, const char *target, const char *body,
                    int64_t now) {
  tw_api_response r;
  memset(&r, 0, sizeof r);
  json_t *j = NULL;
  if (tw_api_handle(api, target, body, strlen(body), now, &r) == TW_OK &&
      r.status == 200)
    j = json_loadb(r.body.data, r.body.len, 0, NULL);
  tw_api_response_free(&r);
  return j;
}

/* Ingest n events in one transaction, as a live source does. */
static int ingest(tw_api *api, const char *group, const char *stream,
                  const int64_t *ts, const char *const *msg, size_t n,
                  int64_t now, tw_live_counts *c) {
  size_t len[8];
  for (size_t i = 0; i < n; i++)
    len[i] = strlen(msg[i]);
  tw_live_batch b = {ts, msg, len, n};
  tw_live_target t = {group, stream, "follow:/test"};
  tw_api_lock(api);
  int rc = tw_api_begin(api);
  if (rc == TW_OK && (rc = tw_api_ingest_live(api, &t, &b, now, c)) != TW_OK)
    tw_api_rollback(api);
  else if (rc == TW_OK)
    rc = tw_api_commit(api);
  tw_api_unlock(api);
  return rc;
}

TW_TEST(ingest_creates_and_applies_time_rules) {
  tw_api *api = open_api();
  TW_CHECK(api != NULL);
  if (!api)
    return;
  int64_t now = tw_api_now_ms();
  int64_t ts[] = {now - 1000, now - 15 * DAY, now + 3 * 3600 * 1000,
                  now - 5000};
  const char *msg[] = {"{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"};
  tw_live_counts c;
  memset(&c, 0, sizeof c);
  TW_CHECK_EQ_INT(ingest(api, "Live/G", "acct_CloudTrail_r", ts, msg, 4, now,
                         &c), TW_OK);
  TW_CHECK_EQ_INT(c.ingested, 2);
  TW_CHECK_EQ_INT(c.too_old, 1);
  TW_CHECK_EQ_INT(c.too_new, 1);
  TW_CHECK_EQ_INT(c.expired, 0);
  json_t *j = call(api, "Logs_20140328.GetLogEvents",
                   "{\"logGroupName\":\"Live/G\",\"logStreamName\":"
                   "\"acct_CloudTrail_r\",\"startFromHead\":true}", now);
  json_t *ev = json_object_get(j, "events");
  TW_CHECK_EQ_INT(json_array_size(ev), 2);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(ev, 0),
                                                    "message")), "{\"n\":4}");
  json_decref(j);
  j = call(api, "Logs_20140328.DescribeLogStreams",
           "{\"logGroupName\":\"Live/G\"}", now);
  json_t *st = json_array_get(json_object_get(j, "logStreams"), 0);
  TW_CHECK_EQ_INT(json_integer_value(json_object_get(st, "firstEventTimestamp")),
                  now - 5000);
  TW_CHECK_EQ_INT(json_integer_value(json_object_get(st, "lastEventTimestamp")),
                  now - 1000);
  json_decref(j);
  TW_CHECK_EQ_INT(json_integer_value(json_object_get(api->counters.ingested,
                                                     "follow:/test")), 2);
  tw_api_free(api);
}

TW_TEST(ingest_retention_and_names) {
  tw_api *api = open_api();
  TW_CHECK(api != NULL);
  if (!api)
    return;
  int64_t now = tw_api_now_ms();
  json_decref(call(api, "Logs_20140328.CreateLogGroup",
                   "{\"logGroupName\":\"Live/R\"}", now));
  json_decref(call(api, "Logs_20140328.PutRetentionPolicy",
                   "{\"logGroupName\":\"Live/R\",\"retentionInDays\":1}", now));
  int64_t ts[] = {now - 2 * DAY, now};
  const char *msg[] = {"old", "new"};
  tw_live_counts c;
  memset(&c, 0, sizeof c);
  TW_CHECK_EQ_INT(ingest(api, "Live/R", "s", ts, msg, 2, now, &c), TW_OK);
  TW_CHECK_EQ_INT(c.ingested, 1);
  TW_CHECK_EQ_INT(c.expired, 1);
  TW_CHECK_EQ_INT(ingest(api, "Live/R", "a:b", ts, msg, 2, now, &c),
                  TW_EINVAL);
  TW_CHECK_EQ_INT(ingest(api, "a b", "s", ts, msg, 2, now, &c), TW_EINVAL);
  TW_CHECK(tw_api_group_name_ok("CloudTrail/DefaultLogGroup"));
  TW_CHECK(!tw_api_group_name_ok("aws/x"));
  TW_CHECK(!tw_api_group_name_ok(""));
  TW_CHECK(!tw_api_group_name_ok("a*b"));
  tw_api_free(api);
}

typedef struct seen_objects {
  int n;
  char last[64];
  int64_t events;
  unsigned char sha0;
} seen_objects;

static int on_object(const tw_store_object *o, void *ud) {
  seen_objects *s = ud;
  s->n++;
  snprintf(s->last, sizeof s->last, "%s", o->path);
  s->events = o->events;
  s->sha0 = o->sha256[0];
  return 0;
}

TW_TEST(progress_rows) {
  tw_store *s = NULL;
  tw_error err;
  TW_CHECK_EQ_INT(tw_store_open(":memory:", &s, &err), TW_OK);
  if (!s)
    return;
  unsigned char sha[32];
  memset(sha, 7, sizeof sha);
  tw_store_object o = {"/a", "x/1.json.gz", 10, 20, 3, 0, sha, 99};
  TW_CHECK_EQ_INT(tw_store_object_put(s, &o), TW_OK);
  o.events = 5; /* same key: replaced */
  TW_CHECK_EQ_INT(tw_store_object_put(s, &o), TW_OK);
  o.source = "/b";
  TW_CHECK_EQ_INT(tw_store_object_put(s, &o), TW_OK);
  seen_objects seen = {0, "", 0, 0};
  TW_CHECK_EQ_INT(tw_store_object_list(s, "/a", on_object, &seen), TW_OK);
  TW_CHECK_EQ_INT(seen.n, 1);
  TW_CHECK_EQ_STR(seen.last, "x/1.json.gz");
  TW_CHECK_EQ_INT(seen.events, 5);
  TW_CHECK_EQ_INT(seen.sha0, 7);

  tw_store_tail t, back;
  memset(&t, 0, sizeof t);
  TW_CHECK_EQ_INT(tw_store_tail_get(s, "/f", &back), TW_ENOTFOUND);
  t.dev = 1;
  t.ino = 2;
  t.pos = 300;
  memcpy(t.sig, "tail\n", 5);
  t.sig_len = 5;
  TW_CHECK_EQ_INT(tw_store_tail_put(s, "/f", &t), TW_OK);
  TW_CHECK_EQ_INT(tw_store_tail_get(s, "/f", &back), TW_OK);
  TW_CHECK_EQ_INT(back.ino, 2);
  TW_CHECK_EQ_INT(back.pos, 300);
  TW_CHECK_EQ_INT(back.sig_len, 5);
  TW_CHECK(!memcmp(back.sig, "tail\n", 5));
  t.sig_len = 0; /* an empty signature (start of a file) */
  t.pos = 0;
  TW_CHECK_EQ_INT(tw_store_tail_put(s, "/f", &t), TW_OK);
  TW_CHECK_EQ_INT(tw_store_tail_get(s, "/f", &back), TW_OK);
  TW_CHECK_EQ_INT(back.sig_len, 0);
  tw_store_close(s);
}

int main(void) { return tw_test_run(); }
