/*
 * test_api_rollback.c — a transaction of the server that fails must not
 * leave changes in memory that the database never got. The failure is
 * real: a second SQLite connection installs a trigger that makes every
 * outbox insert fail ("disk full"), so the alarm's state change, its
 * history and its notification rows are rolled back together. Then the
 * alarm in memory must be back to the committed state, and once the
 * database works again the change is made again and notified exactly
 * once — through a request (SetAlarmState) and through the ticker.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_internal.h"
#include "tw_test.h"

static int call(tw_api *api, const char *op, const char *body, int64_t now) {
  tw_api_response r;
  char t[128];
  snprintf(t, sizeof t, "GraniteServiceVersion20100801.%s", op);
  tw_api_handle(api, t, body, strlen(body), now, &r);
  int st = r.status;
  if (getenv("TW_DEBUG")) fprintf(stderr, "%s -> %d %.*s\n", op, st, (int)r.body.len, r.body.data);
  tw_api_response_free(&r);
  return st;
}

static int count_row(const tw_store_outbox_row *r, void *ud) {
  (void)r;
  (*(int *)ud)++;
  return 0;
}

static int outbox_rows(tw_api *api) {
  int n = 0;
  tw_store_outbox_list(tw_api_store(api), NULL, count_row, &n);
  return n;
}

static const char *state_of(tw_api *api, const char *name) {
  tw_api_alarm *al = tw_engine_alarm_find(api, name);
  return al ? tw_alarm_state_name(al->rec.value) : "(none)";
}

static void rm_db(const char *p) {
  char b[256];
  unlink(p);
  snprintf(b, sizeof b, "%s-wal", p);
  unlink(b);
  snprintf(b, sizeof b, "%s-shm", p);
  unlink(b);
}

#define ALARM                                                                  \
  "{\"AlarmName\":\"a\",\"Namespace\":\"n\",\"MetricName\":\"m\","           \
  "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,"             \
  "\"Threshold\":1,\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\"," \
  "\"TreatMissingData\":\"notBreaching\","                                        \
  "\"AlarmActions\":[\"arn:aws:sns:us-east-1:123456789012:t\"]}"

static const char *const fail_sql =
    "CREATE TRIGGER fail BEFORE INSERT ON outbox "
    "BEGIN SELECT RAISE(ABORT, 'disk full'); END;";

TW_TEST(rolled_back_changes_are_made_again) {
  const char *db = "/tmp/tw_test_api_rollback_1.db";
  rm_db(db);
  tw_api *api = NULL;
  tw_error err;
  tw_api_config cfg = {db, NULL, NULL, 0, 0};
  TW_CHECK_EQ_INT(tw_api_new(&cfg, &api, &err), TW_OK);
  int64_t now = tw_api_now_ms();
  TW_CHECK_EQ_INT(call(api, "PutMetricAlarm", ALARM, now), 200);
  TW_CHECK_EQ_STR(state_of(api, "a"), "OK"); /* evaluated at creation */
  sqlite3 *o = NULL;
  TW_CHECK_EQ_INT(sqlite3_open(db, &o), SQLITE_OK);
  TW_CHECK_EQ_INT(sqlite3_exec(o, fail_sql, 0, 0, 0), SQLITE_OK);
  /* a request: OK -> ALARM needs an outbox row, which fails */
  TW_CHECK_EQ_INT(call(api, "SetAlarmState",
                       "{\"AlarmName\":\"a\",\"StateValue\":\"ALARM\","
                       "\"StateReason\":\"x\"}",
                       now),
                  500);
  TW_CHECK_EQ_STR(state_of(api, "a"), "OK");
  /* the ticker: a breaching datapoint, the evaluation fails the same way */
  char body[256];
  snprintf(body, sizeof body,
           "{\"Namespace\":\"n\",\"MetricData\":[{\"MetricName\":\"m\","
           "\"Value\":5,\"Timestamp\":%lld}]}",
           (long long)(now / 1000 - 60));
  TW_CHECK_EQ_INT(call(api, "PutMetricData", body, now), 200);
  TW_CHECK(tw_api_evaluate_all(api, now) != TW_OK);
  TW_CHECK_EQ_STR(state_of(api, "a"), "OK");
  TW_CHECK_EQ_INT(outbox_rows(api), 0);
  /* the database works again: the next tick makes the change, once */
  TW_CHECK_EQ_INT(sqlite3_exec(o, "DROP TRIGGER fail;", 0, 0, 0), SQLITE_OK);
  TW_CHECK_EQ_INT(tw_api_tick(api, now), TW_OK);
  TW_CHECK_EQ_STR(state_of(api, "a"), "ALARM");
  TW_CHECK_EQ_INT(outbox_rows(api), 1);
  TW_CHECK_EQ_INT(tw_api_tick(api, now + 60000), TW_OK);
  TW_CHECK_EQ_INT(outbox_rows(api), 1);
  sqlite3_close(o);
  tw_api_free(api);
  rm_db(db);
}

int main(void) { return tw_test_run(); }
