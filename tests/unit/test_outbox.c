/*
 * test_outbox.c — the durable notification outbox: the store functions
 * (add, due, retry schedule, done, failed, counts, retention, reopen of
 * the database file), the stable notification id, the engine queueing one
 * row per delivery in the state change's transaction, and the delivery
 * workers with file and command targets (retried until done, given up at
 * once when not retryable, given up after max_attempts, rows pending at
 * start delivered again with the same id, Action history items).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api/api.h"
#include "api/api_internal.h"
#include "live/live.h"
#include "store/store.h"
#include "tw_test.h"

#define ARN "arn:aws:sns:us-east-1:123456789012:alerts"
#define DEADLINE_MS 60000 /* generous: only a bound on waiting */

/* ---- helpers ------------------------------------------------------------- */

static void tmp_path(char *buf, size_t cap, const char *what) {
  static int seq;
  snprintf(buf, cap, "/tmp/tw_outbox_%d_%d_%s", (int)getpid(), seq++, what);
  unlink(buf);
}

static void rm_db(const char *path) {
  char b[600];
  unlink(path);
  snprintf(b, sizeof b, "%s-wal", path);
  unlink(b);
  snprintf(b, sizeof b, "%s-shm", path);
  unlink(b);
}

/* A copy of the interesting columns of one row. */
typedef struct row_copy {
  int64_t row_id;
  char id[64], alarm[64], action[128], state[16], delivery[512];
  char subject[256], error[256];
  char *message;
  int delivery_index, attempts, has_subject, has_error;
  int64_t next_ms, done_ms;
} row_copy;

typedef struct rows {
  row_copy r[32];
  size_t n;
} rows;

static int collect(const tw_store_outbox_row *r, void *ud) {
  rows *rs = ud;
  if (rs->n == 32)
    return 1;
  row_copy *c = &rs->r[rs->n++];
  memset(c, 0, sizeof *c);
  c->row_id = r->row_id;
  snprintf(c->id, sizeof c->id, "%s", r->id);
  snprintf(c->alarm, sizeof c->alarm, "%s", r->alarm);
  snprintf(c->action, sizeof c->action, "%s", r->action);
  snprintf(c->state, sizeof c->state, "%s", r->state);
  snprintf(c->delivery, sizeof c->delivery, "%s", r->delivery);
  c->has_subject = r->subject != NULL;
  snprintf(c->subject, sizeof c->subject, "%s", r->subject ? r->subject : "");
  c->has_error = r->last_error != NULL;
  snprintf(c->error, sizeof c->error, "%s",
           r->last_error ? r->last_error : "");
  c->message = strdup(r->message);
  c->delivery_index = r->delivery_index;
  c->attempts = r->attempts;
  c->next_ms = r->next_attempt_ms;
  c->done_ms = r->done_ms;
  return 0;
}

static void rows_free(rows *rs) {
  for (size_t i = 0; i < rs->n; i++)
    free(rs->r[i].message);
  rs->n = 0;
}

static tw_store_outbox_row sample_row(const char *id, int index,
                                      int64_t next) {
  tw_store_outbox_row r = {.id = id,
                           .alarm = "a1",
                           .action = ARN,
                           .delivery_index = index,
                           .delivery = "{\"type\":\"stdout\"}",
                           .subject = "ALARM: \"a1\" in US East (N. Virginia)",
                           .message = "{\"AlarmName\":\"a1\"}",
                           .timestamp_ms = 1000,
                           .created_ms = 1000,
                           .next_attempt_ms = next};
  return r;
}

static tw_store *open_store(const char *path) {
  tw_store *s = NULL;
  tw_error err;
  if (tw_store_open(path, &s, &err) != TW_OK) {
    fprintf(stderr, "tw_store_open: %s\n", err.message);
    return NULL;
  }
  return s;
}

/* ---- store --------------------------------------------------------------- */

TW_TEST(store_add_due_retry_done_failed) {
  char path[256];
  tmp_path(path, sizeof path, "store.db");
  tw_store *s = open_store(path);
  TW_CHECK(s != NULL);
  if (!s)
    return;
  int64_t r1 = 0, r2 = 0, r3 = -1;
  tw_store_outbox_row a = sample_row("id-1", 0, 1000);
  tw_store_outbox_row b = sample_row("id-1", 1, 1000);
  b.subject = NULL;
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &a, &r1), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &b, &r2), TW_OK);
  TW_CHECK(r1 > 0 && r2 > r1);
  /* the same (id, delivery) again is ignored */
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &a, &r3), TW_OK);
  TW_CHECK_EQ_INT(r3, 0);

  rows rs = {0};
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 999, NULL, 0, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 0);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 1000, NULL, 0, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 2);
  TW_CHECK_EQ_STR(rs.r[0].id, "id-1");
  TW_CHECK_EQ_STR(rs.r[0].state, "pending");
  TW_CHECK_EQ_INT(rs.r[0].delivery_index, 0);
  TW_CHECK_EQ_INT(rs.r[0].has_subject, 1);
  TW_CHECK_EQ_INT(rs.r[1].has_subject, 0);
  TW_CHECK_EQ_STR(rs.r[1].delivery, "{\"type\":\"stdout\"}");
  TW_CHECK_EQ_STR(rs.r[1].message, "{\"AlarmName\":\"a1\"}");
  rows_free(&rs);
  /* in flight rows are left out; limit */
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 5000, &r1, 1, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 1);
  TW_CHECK_EQ_INT(rs.r[0].row_id, r2);
  rows_free(&rs);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 5000, NULL, 0, 1, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 1);
  TW_CHECK_EQ_INT(rs.r[0].row_id, r1);
  rows_free(&rs);

  /* a retry is due at its time, not before; earliest next due */
  TW_CHECK_EQ_INT(tw_store_outbox_retry(s, r1, 1, 3000, "HTTP 500"), TW_OK);
  int64_t next = 0;
  int found = 0;
  TW_CHECK_EQ_INT(tw_store_outbox_next_due(s, NULL, 0, &next, &found), TW_OK);
  TW_CHECK_EQ_INT(found, 1);
  TW_CHECK_EQ_INT(next, 1000); /* r2 */
  TW_CHECK_EQ_INT(tw_store_outbox_next_due(s, &r2, 1, &next, &found), TW_OK);
  TW_CHECK_EQ_INT(next, 3000);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 2999, &r2, 1, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 0);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 3000, &r2, 1, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 1);
  TW_CHECK_EQ_INT(rs.r[0].attempts, 1);
  TW_CHECK_EQ_STR(rs.r[0].error, "HTTP 500");
  rows_free(&rs);

  int64_t pending = -1, failed = -1;
  TW_CHECK_EQ_INT(tw_store_outbox_counts(s, &pending, &failed), TW_OK);
  TW_CHECK_EQ_INT(pending, 2);
  TW_CHECK_EQ_INT(failed, 0);

  /* outcomes */
  TW_CHECK_EQ_INT(tw_store_outbox_done(s, r2, 1, 4000), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_failed(s, r1, 2, 5000, "gave up"), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_done(s, 999999, 1, 4000), TW_ENOTFOUND);
  TW_CHECK_EQ_INT(tw_store_outbox_counts(s, &pending, &failed), TW_OK);
  TW_CHECK_EQ_INT(pending, 0);
  TW_CHECK_EQ_INT(failed, 1);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 99999, NULL, 0, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 0);
  TW_CHECK_EQ_INT(tw_store_outbox_next_due(s, NULL, 0, &next, &found), TW_OK);
  TW_CHECK_EQ_INT(found, 0);
  TW_CHECK_EQ_INT(tw_store_outbox_list(s, "id-1", collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 2);
  TW_CHECK_EQ_STR(rs.r[0].state, "failed");
  TW_CHECK_EQ_INT(rs.r[0].attempts, 2);
  TW_CHECK_EQ_INT(rs.r[0].done_ms, 5000);
  TW_CHECK_EQ_STR(rs.r[1].state, "done");
  TW_CHECK_EQ_INT(rs.r[1].has_error, 0);
  TW_CHECK_EQ_INT(rs.r[1].done_ms, 4000);
  rows_free(&rs);

  /* retention: finished rows before the cut go, pending rows stay */
  tw_store_outbox_row c = sample_row("id-2", 0, 100);
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &c, NULL), TW_OK);
  int64_t deleted = -1;
  TW_CHECK_EQ_INT(tw_store_outbox_expire(s, 4500, &deleted), TW_OK);
  TW_CHECK_EQ_INT(deleted, 1); /* the done row (4000) */
  TW_CHECK_EQ_INT(tw_store_outbox_expire(s, 1000000, &deleted), TW_OK);
  TW_CHECK_EQ_INT(deleted, 1); /* the failed row */
  TW_CHECK_EQ_INT(tw_store_outbox_list(s, NULL, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 1);
  TW_CHECK_EQ_STR(rs.r[0].id, "id-2");
  rows_free(&rs);
  tw_store_close(s);
  rm_db(path);
}

TW_TEST(store_rows_survive_reopen) {
  char path[256];
  tmp_path(path, sizeof path, "reopen.db");
  tw_store *s = open_store(path);
  TW_CHECK(s != NULL);
  if (!s)
    return;
  tw_store_outbox_row a = sample_row("id-r", 0, 1000);
  tw_store_outbox_row b = sample_row("id-r", 1, 1000);
  int64_t r1 = 0, r2 = 0;
  TW_CHECK_EQ_INT(tw_store_begin(s), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &a, &r1), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &b, &r2), TW_OK);
  TW_CHECK_EQ_INT(tw_store_commit(s), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_retry(s, r2, 3, 900000, "refused"), TW_OK);
  /* a rolled back transaction leaves no row */
  tw_store_outbox_row c = sample_row("id-gone", 0, 1000);
  TW_CHECK_EQ_INT(tw_store_begin(s), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_add(s, &c, NULL), TW_OK);
  tw_store_rollback(s);
  tw_store_close(s);

  s = open_store(path);
  TW_CHECK(s != NULL);
  if (!s)
    return;
  rows rs = {0};
  TW_CHECK_EQ_INT(tw_store_outbox_list(s, NULL, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 2);
  rows_free(&rs);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 2000, NULL, 0, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 1);
  TW_CHECK_EQ_INT(rs.r[0].row_id, r1);
  rows_free(&rs);
  /* a restart makes every pending row due at once */
  TW_CHECK_EQ_INT(tw_store_outbox_due_all(s, 2000), TW_OK);
  TW_CHECK_EQ_INT(tw_store_outbox_due(s, 2000, NULL, 0, 10, collect, &rs), TW_OK);
  TW_CHECK_EQ_INT(rs.n, 2);
  TW_CHECK_EQ_STR(rs.r[1].id, "id-r");
  TW_CHECK_EQ_INT(rs.r[1].attempts, 3);
  TW_CHECK_EQ_INT(rs.r[1].next_ms, 2000);
  rows_free(&rs);
  tw_store_close(s);
  rm_db(path);
}

/* ---- ids ------------------------------------------------------------------- */

static int uuid_shaped(const char *s) {
  if (strlen(s) != 36)
    return 0;
  for (size_t i = 0; i < 36; i++) {
    int dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-'))
      return 0;
    if (!dash && !strchr("0123456789abcdef", s[i]))
      return 0;
  }
  return s[14] == '5' && strchr("89ab", s[19]) != NULL;
}

TW_TEST(notification_id_stable) {
  char a[37], b[37], c[37], d[37], e[37], f[37];
  tw_engine_notification_id("alarm", 1700000000000, "ALARM", ARN, a);
  tw_engine_notification_id("alarm", 1700000000000, "ALARM", ARN, b);
  tw_engine_notification_id("alarm", 1700000000001, "ALARM", ARN, c);
  tw_engine_notification_id("alarm", 1700000000000, "OK", ARN, d);
  tw_engine_notification_id("alarm", 1700000000000, "ALARM", ARN "2", e);
  tw_engine_notification_id("alarm2", 1700000000000, "ALARM", ARN, f);
  TW_CHECK(uuid_shaped(a));
  TW_CHECK_EQ_STR(a, b);
  TW_CHECK(strcmp(a, c) != 0);
  TW_CHECK(strcmp(a, d) != 0);
  TW_CHECK(strcmp(a, e) != 0);
  TW_CHECK(strcmp(a, f) != 0);
  /* fixed values (also computed with Python's hashlib): ids must not
   * change between versions, or a restart after an upgrade would deliver
   * pending notifications under ids receivers have not seen */
  tw_engine_notification_id("x", 0, "ALARM", "arn:aws:sns:us-east-1:1:t", a);
  TW_CHECK_EQ_STR(a, "a42e1637-48ca-54e5-bc95-1f57b71a6443");
  tw_engine_notification_id("root-account-usage", 1709296800000, "ALARM",
                            "arn:aws:sns:eu-west-1:111122223333:security-alerts", a);
  TW_CHECK_EQ_STR(a, "d454da7d-ba0e-5cd4-ba0f-ea34250016c4");
}

/* ---- the engine and the workers --------------------------------------------- */

static tw_api *open_api(const char *path, const char *targets_json) {
  tw_api_config cfg = {path, NULL, NULL, 0, 60000};
  tw_api *api = NULL;
  tw_error err;
  if (tw_api_new(&cfg, &api, &err) != TW_OK) {
    fprintf(stderr, "tw_api_new: %s\n", err.message);
    return NULL;
  }
  if (targets_json)
    api->targets = json_loads(targets_json, 0, NULL);
  return api;
}

static int call_status(tw_api *api, const char *op, const char *body) {
  char target[128];
  tw_api_response r;
  snprintf(target, sizeof target, "GraniteServiceVersion20100801.%s", op);
  memset(&r, 0, sizeof r);
  tw_api_lock(api);
  int rc = tw_api_handle(api, target, body, strlen(body), tw_api_now_ms(), &r);
  tw_api_unlock(api);
  int status = rc == TW_OK ? r.status : -1;
  if (status != 200)
    fprintf(stderr, "%s: %d %.*s\n", op, status, (int)r.body.len,
            r.body.data ? r.body.data : "");
  tw_api_response_free(&r);
  return status;
}

static int put_alarm(tw_api *api, const char *name, const char *action) {
  char body[1024];
  snprintf(body, sizeof body,
           "{\"AlarmName\":\"%s\",\"MetricName\":\"M\",\"Namespace\":\"N\","
           "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,"
           "\"Threshold\":1,\"ComparisonOperator\":"
           "\"GreaterThanOrEqualToThreshold\",\"AlarmActions\":[\"%s\"]}",
           name, action);
  return call_status(api, "PutMetricAlarm", body);
}

static int set_alarm(tw_api *api, const char *name) {
  char body[512];
  snprintf(body, sizeof body,
           "{\"AlarmName\":\"%s\",\"StateValue\":\"ALARM\","
           "\"StateReason\":\"test\"}",
           name);
  return call_status(api, "SetAlarmState", body);
}

static void list_rows(tw_api *api, rows *rs) {
  rows_free(rs);
  tw_api_lock(api);
  tw_store_outbox_list(api->store, NULL, collect, rs);
  tw_api_unlock(api);
}

/* Wait until every row is finished (done or failed); 1 when they are. */
static int wait_finished(tw_api *api, size_t want_rows, rows *rs) {
  for (int64_t end = tw_api_now_ms() + DEADLINE_MS; tw_api_now_ms() < end;) {
    list_rows(api, rs);
    size_t fin = 0;
    for (size_t i = 0; i < rs->n; i++)
      fin += strcmp(rs->r[i].state, "pending") != 0;
    if (rs->n == want_rows && fin == want_rows)
      return 1;
    usleep(20000);
  }
  return 0;
}

typedef struct hist {
  char items[8][512];
  size_t n;
} hist;

static int collect_hist(int64_t id, const char *item, void *ud) {
  (void)id;
  hist *h = ud;
  json_t *j = json_loads(item, 0, NULL);
  const char *s = json_string_value(json_object_get(j, "HistorySummary"));
  if (h->n < 8)
    snprintf(h->items[h->n++], sizeof h->items[0], "%s", s ? s : "?");
  json_decref(j);
  return 0;
}

static void action_history(tw_api *api, const char *alarm, hist *h) {
  tw_store_history_query q = {alarm, "Action", 0, INT64_MAX, 1, 0, 100};
  h->n = 0;
  tw_api_lock(api);
  tw_store_history_list(api->store, &q, collect_hist, h);
  tw_api_unlock(api);
}

static size_t count_lines(const char *path) {
  FILE *f = fopen(path, "r");
  size_t n = 0;
  int ch;
  while (f && (ch = fgetc(f)) != EOF)
    n += ch == '\n';
  if (f)
    fclose(f);
  return n;
}

TW_TEST(engine_queues_one_row_per_delivery) {
  char path[256], targets[512];
  tmp_path(path, sizeof path, "engine.db");
  snprintf(targets, sizeof targets,
           "{\"%s\":[{\"type\":\"file\",\"path\":\"/tmp/x\"},"
           "{\"type\":\"stdout\"}]}",
           ARN);
  tw_api *api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  TW_CHECK_EQ_INT(put_alarm(api, "a1", ARN), 200);
  TW_CHECK_EQ_INT(put_alarm(api, "a2", "arn:aws:sns:us-east-1:123456789012:none"), 200);
  rows rs = {0};
  list_rows(api, &rs);
  TW_CHECK_EQ_INT(rs.n, 0); /* INSUFFICIENT_DATA: no transition */
  TW_CHECK_EQ_INT(set_alarm(api, "a1"), 200);
  TW_CHECK_EQ_INT(set_alarm(api, "a2"), 200);
  list_rows(api, &rs);
  TW_CHECK_EQ_INT(rs.n, 3);
  if (rs.n == 3) {
    tw_api_alarm *al = tw_engine_alarm_find(api, "a1");
    char want[37];
    tw_engine_notification_id("a1", al->rec.transitioned_ms, "ALARM", ARN, want);
    TW_CHECK_EQ_STR(rs.r[0].id, want);
    TW_CHECK_EQ_STR(rs.r[1].id, want);
    TW_CHECK_EQ_STR(rs.r[0].alarm, "a1");
    TW_CHECK_EQ_STR(rs.r[0].action, ARN);
    TW_CHECK_EQ_INT(rs.r[0].delivery_index, 0);
    TW_CHECK_EQ_INT(rs.r[1].delivery_index, 1);
    TW_CHECK_EQ_STR(rs.r[0].delivery, "{\"type\":\"file\",\"path\":\"/tmp/x\"}");
    TW_CHECK_EQ_STR(rs.r[1].delivery, "{\"type\":\"stdout\"}");
    TW_CHECK_EQ_STR(rs.r[0].subject, "ALARM: \"a1\" in US East (N. Virginia)");
    json_t *m = json_loads(rs.r[0].message, 0, NULL);
    TW_CHECK_EQ_STR(json_string_value(json_object_get(m, "AlarmName")), "a1");
    TW_CHECK_EQ_STR(json_string_value(json_object_get(m, "NewStateValue")), "ALARM");
    json_decref(m);
    TW_CHECK_EQ_STR(rs.r[0].state, "pending");
    /* no target in the configuration: one stdout delivery */
    TW_CHECK_EQ_STR(rs.r[2].alarm, "a2");
    TW_CHECK_EQ_STR(rs.r[2].delivery, "{\"type\":\"stdout\"}");
    TW_CHECK(strcmp(rs.r[2].id, want) != 0);
  }
  /* nothing is delivered (no workers): no Action history yet */
  hist h;
  action_history(api, "a1", &h);
  TW_CHECK_EQ_INT(h.n, 0);
  rows_free(&rs);
  tw_api_free(api);
  rm_db(path);
}

TW_TEST(worker_delivers_to_a_file) {
  char path[256], out[256], targets[512];
  tmp_path(path, sizeof path, "file.db");
  tmp_path(out, sizeof out, "file.ndjson");
  snprintf(targets, sizeof targets,
           "{\"%s\":[{\"type\":\"file\",\"path\":\"%s\"}]}", ARN, out);
  tw_api *api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  tw_outbox *ob = NULL;
  tw_error err;
  tw_outbox_opts o = {2, 5, 10, 100};
  TW_CHECK_EQ_INT(tw_outbox_start(api, &o, &ob, &err), TW_OK);
  TW_CHECK_EQ_INT(put_alarm(api, "f1", ARN), 200);
  TW_CHECK_EQ_INT(set_alarm(api, "f1"), 200);
  rows rs = {0};
  TW_CHECK(wait_finished(api, 1, &rs));
  TW_CHECK_EQ_STR(rs.r[0].state, "done");
  TW_CHECK_EQ_INT(rs.r[0].attempts, 1);
  TW_CHECK_EQ_INT(count_lines(out), 1);
  FILE *f = fopen(out, "r");
  char line[8192] = "";
  if (f) {
    if (!fgets(line, sizeof line, f))
      line[0] = '\0';
    fclose(f);
  }
  json_t *j = json_loads(line, 0, NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "id")), rs.r[0].id);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "topicArn")), ARN);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "message"),
                                                    "AlarmName")),
                  "f1");
  json_decref(j);
  hist h;
  action_history(api, "f1", &h);
  TW_CHECK_EQ_INT(h.n, 1);
  TW_CHECK_EQ_STR(h.items[0], "Successfully executed action " ARN);
  tw_api_lock(api);
  TW_CHECK_EQ_INT(api->counters.deliveries_ok, 1);
  TW_CHECK_EQ_INT(api->counters.delivery_failures, 0);
  tw_api_unlock(api);
  tw_outbox_stop(ob);
  rows_free(&rs);
  tw_api_free(api);
  rm_db(path);
  unlink(out);
}

TW_TEST(worker_retries_a_failing_command_until_done) {
  char path[256], count[256], targets[1024];
  tmp_path(path, sizeof path, "cmd.db");
  tmp_path(count, sizeof count, "count");
  /* fails twice (exit 1, retryable), then succeeds */
  snprintf(targets, sizeof targets,
           "{\"%s\":[{\"type\":\"command\",\"argv\":[\"sh\",\"-c\","
           "\"n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s; "
           "test $n -ge 3\"]}]}",
           ARN, count, count);
  tw_api *api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  tw_outbox *ob = NULL;
  tw_error err;
  tw_outbox_opts o = {3, 10, 20, 200};
  TW_CHECK_EQ_INT(tw_outbox_start(api, &o, &ob, &err), TW_OK);
  TW_CHECK_EQ_INT(put_alarm(api, "c1", ARN), 200);
  TW_CHECK_EQ_INT(set_alarm(api, "c1"), 200);
  rows rs = {0};
  TW_CHECK(wait_finished(api, 1, &rs));
  TW_CHECK_EQ_STR(rs.r[0].state, "done");
  TW_CHECK_EQ_INT(rs.r[0].attempts, 3);
  FILE *f = fopen(count, "r");
  int n = 0;
  if (f) {
    if (fscanf(f, "%d", &n) != 1)
      n = -1;
    fclose(f);
  }
  TW_CHECK_EQ_INT(n, 3);
  hist h;
  action_history(api, "c1", &h);
  TW_CHECK_EQ_INT(h.n, 1); /* written once, when the outcome is known */
  TW_CHECK_EQ_STR(h.items[0], "Successfully executed action " ARN);
  tw_api_lock(api);
  TW_CHECK_EQ_INT(api->counters.deliveries_ok, 1);
  TW_CHECK_EQ_INT(api->counters.delivery_failures, 2);
  TW_CHECK_EQ_INT(api->counters.deliveries_given_up, 0);
  int64_t pending = -1, failed = -1;
  tw_store_outbox_counts(api->store, &pending, &failed);
  tw_api_unlock(api);
  TW_CHECK_EQ_INT(pending, 0);
  TW_CHECK_EQ_INT(failed, 0);
  tw_outbox_stop(ob);
  rows_free(&rs);
  tw_api_free(api);
  rm_db(path);
  unlink(count);
}

TW_TEST(worker_gives_up_at_once_when_not_retryable) {
  char path[256], targets[512];
  tmp_path(path, sizeof path, "noretry.db");
  snprintf(targets, sizeof targets,
           "{\"%s\":[{\"type\":\"command\","
           "\"argv\":[\"/nonexistent/trailwatch-handler\"]}]}",
           ARN);
  tw_api *api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  tw_outbox *ob = NULL;
  tw_error err;
  tw_outbox_opts o = {1, 10, 10, 100};
  TW_CHECK_EQ_INT(tw_outbox_start(api, &o, &ob, &err), TW_OK);
  TW_CHECK_EQ_INT(put_alarm(api, "n1", ARN), 200);
  TW_CHECK_EQ_INT(set_alarm(api, "n1"), 200);
  rows rs = {0};
  TW_CHECK(wait_finished(api, 1, &rs));
  TW_CHECK_EQ_STR(rs.r[0].state, "failed");
  TW_CHECK_EQ_INT(rs.r[0].attempts, 1);
  TW_CHECK(rs.r[0].has_error && rs.r[0].error[0]);
  hist h;
  action_history(api, "n1", &h);
  TW_CHECK_EQ_INT(h.n, 1);
  TW_CHECK(!strncmp(h.items[0], "Failed to execute action " ARN " Reason: ",
                    strlen("Failed to execute action " ARN " Reason: ")));
  tw_api_lock(api);
  TW_CHECK_EQ_INT(api->counters.deliveries_given_up, 1);
  int64_t pending = -1, failed = -1;
  tw_store_outbox_counts(api->store, &pending, &failed);
  tw_api_unlock(api);
  TW_CHECK_EQ_INT(failed, 1);
  tw_outbox_stop(ob);
  rows_free(&rs);
  tw_api_free(api);
  rm_db(path);
}

TW_TEST(worker_gives_up_after_max_attempts) {
  char path[256], targets[512];
  tmp_path(path, sizeof path, "max.db");
  snprintf(targets, sizeof targets,
           "{\"%s\":[{\"type\":\"command\",\"argv\":[\"false\"]}]}", ARN);
  tw_api *api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  tw_outbox *ob = NULL;
  tw_error err;
  tw_outbox_opts o = {2, 3, 10, 40};
  TW_CHECK_EQ_INT(tw_outbox_start(api, &o, &ob, &err), TW_OK);
  TW_CHECK_EQ_INT(put_alarm(api, "m1", ARN), 200);
  TW_CHECK_EQ_INT(set_alarm(api, "m1"), 200);
  rows rs = {0};
  TW_CHECK(wait_finished(api, 1, &rs));
  TW_CHECK_EQ_STR(rs.r[0].state, "failed");
  TW_CHECK_EQ_INT(rs.r[0].attempts, 3);
  hist h;
  action_history(api, "m1", &h);
  TW_CHECK_EQ_INT(h.n, 1);
  tw_api_lock(api);
  TW_CHECK_EQ_INT(api->counters.delivery_failures, 3);
  TW_CHECK_EQ_INT(api->counters.deliveries_given_up, 1);
  tw_api_unlock(api);
  tw_outbox_stop(ob);
  rows_free(&rs);
  tw_api_free(api);
  rm_db(path);
}

/* Rows left pending by a previous run (here: never started workers, and a
 * retry scheduled far ahead) are delivered at start with their ids; a row
 * whose delivery is not valid fails without retries. */
TW_TEST(worker_delivers_rows_pending_at_start) {
  char path[256], out[256], targets[512];
  tmp_path(path, sizeof path, "restart.db");
  tmp_path(out, sizeof out, "restart.ndjson");
  snprintf(targets, sizeof targets,
           "{\"%s\":[{\"type\":\"file\",\"path\":\"%s\"}]}", ARN, out);
  tw_api *api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  TW_CHECK_EQ_INT(put_alarm(api, "r1", ARN), 200);
  TW_CHECK_EQ_INT(set_alarm(api, "r1"), 200);
  rows rs = {0};
  list_rows(api, &rs);
  TW_CHECK_EQ_INT(rs.n, 1);
  char id[64];
  snprintf(id, sizeof id, "%s", rs.n ? rs.r[0].id : "?");
  if (rs.n)
    tw_store_outbox_retry(api->store, rs.r[0].row_id, 4,
                          tw_api_now_ms() + 3600000, "connection refused");
  tw_store_outbox_row bad = sample_row("bad-row", 0, 0);
  bad.alarm = "deleted-alarm";
  bad.delivery = "{\"type\":\"webhook\",\"url\":\"ftp://x\"}";
  TW_CHECK_EQ_INT(tw_store_outbox_add(api->store, &bad, NULL), TW_OK);
  tw_api_free(api);

  api = open_api(path, targets);
  TW_CHECK(api != NULL);
  if (!api)
    return;
  tw_outbox *ob = NULL;
  tw_error err;
  TW_CHECK_EQ_INT(tw_outbox_start(api, NULL, &ob, &err), TW_OK);
  TW_CHECK(wait_finished(api, 2, &rs));
  TW_CHECK_EQ_STR(rs.r[0].state, "done");
  TW_CHECK_EQ_INT(rs.r[0].attempts, 5);
  TW_CHECK_EQ_STR(rs.r[1].state, "failed");
  TW_CHECK_EQ_INT(rs.r[1].attempts, 1);
  TW_CHECK(strstr(rs.r[1].error, "url") != NULL);
  FILE *f = fopen(out, "r");
  char line[8192] = "";
  if (f) {
    if (!fgets(line, sizeof line, f))
      line[0] = '\0';
    fclose(f);
  }
  json_t *j = json_loads(line, 0, NULL);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(j, "id")), id);
  json_decref(j);
  /* the history of an alarm that no longer exists is still written */
  hist h;
  action_history(api, "deleted-alarm", &h);
  TW_CHECK_EQ_INT(h.n, 1);
  tw_outbox_stop(ob);
  rows_free(&rs);
  tw_api_free(api);
  rm_db(path);
  unlink(out);
}

int main(void) { return tw_test_run(); }
