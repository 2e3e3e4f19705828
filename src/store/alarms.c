/*
 * alarms.c — alarms (configuration + state record), alarm history and
 * PutMetricData datapoints in the serve database.
 */
#include <string.h>

#include "store/store_internal.h"

int tw_store_alarm_put(tw_store *s, const tw_store_alarm *a) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT OR REPLACE INTO alarms(name, config, config_ms, state,"
         " reason, reason_data, updated_ms, transitioned_ms)"
         " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, a->name);
  tw_store_bind_text(st, 2, a->config);
  sqlite3_bind_int64(st, 3, a->config_ms);
  tw_store_bind_text(st, 4, a->state);
  tw_store_bind_text(st, 5, a->reason);
  tw_store_bind_text(st, 6, a->reason_data);
  sqlite3_bind_int64(st, 7, a->updated_ms);
  sqlite3_bind_int64(st, 8, a->transitioned_ms);
  return tw_store_exec_stmt(s, st);
}

int tw_store_alarm_delete(tw_store *s, const char *name) {
  sqlite3_stmt *st = tw_store_stmt(s, "DELETE FROM alarms WHERE name = ?1");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, name);
  return tw_store_exec_stmt(s, st);
}

int tw_store_alarm_load(tw_store *s, tw_store_alarm_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT name, config, config_ms, state, reason, reason_data,"
         " updated_ms, transitioned_ms FROM alarms ORDER BY name");
  if (!st)
    return TW_EIO;
  int rc, stop = 0;
  tw_store_alarm a;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    a.name = tw_store_col_text(st, 0);
    a.config = tw_store_col_text(st, 1);
    a.config_ms = sqlite3_column_int64(st, 2);
    a.state = tw_store_col_text(st, 3);
    a.reason = tw_store_col_text(st, 4);
    a.reason_data = sqlite3_column_type(st, 5) == SQLITE_NULL
                        ? NULL
                        : tw_store_col_text(st, 5);
    a.updated_ms = sqlite3_column_int64(st, 6);
    a.transitioned_ms = sqlite3_column_int64(st, 7);
    stop = fn(&a, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_history_insert(tw_store *s, const char *name, const char *type,
                            int64_t ts_ms, const char *item_json) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT INTO alarm_history(name, type, ts_ms, item)"
         " VALUES(?1,?2,?3,?4)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, name);
  tw_store_bind_text(st, 2, type);
  sqlite3_bind_int64(st, 3, ts_ms);
  tw_store_bind_text(st, 4, item_json);
  return tw_store_exec_stmt(s, st);
}

int tw_store_history_list(tw_store *s, const tw_store_history_query *q,
                          tw_store_history_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, q->ascending
             ? "SELECT id, item FROM alarm_history WHERE"
               " (?1 IS NULL OR name = ?1) AND (?2 IS NULL OR type = ?2)"
               " AND ts_ms >= ?3 AND ts_ms < ?4 AND (?5 = 0 OR id > ?5)"
               " ORDER BY id LIMIT ?6"
             : "SELECT id, item FROM alarm_history WHERE"
               " (?1 IS NULL OR name = ?1) AND (?2 IS NULL OR type = ?2)"
               " AND ts_ms >= ?3 AND ts_ms < ?4 AND (?5 = 0 OR id < ?5)"
               " ORDER BY id DESC LIMIT ?6");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, q->name);
  tw_store_bind_text(st, 2, q->type);
  sqlite3_bind_int64(st, 3, q->start_ms);
  sqlite3_bind_int64(st, 4, q->end_ms);
  sqlite3_bind_int64(st, 5, q->after_id);
  sqlite3_bind_int(st, 6, q->limit);
  int rc, stop = 0;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
    stop = fn(sqlite3_column_int64(st, 0), tw_store_col_text(st, 1), ud);
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_history_expire(tw_store *s, int64_t before_ms) {
  sqlite3_stmt *st =
      tw_store_stmt(s, "DELETE FROM alarm_history WHERE ts_ms < ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, before_ms);
  return tw_store_exec_stmt(s, st);
}

/* ---- PutMetricData rows ------------------------------------------------ */

int tw_store_metric_insert(tw_store *s, const char *ns, int64_t ts_ms,
                           const char *datum_json) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT INTO metric_data(ns, ts_ms, datum) VALUES(?1,?2,?3)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, ns);
  sqlite3_bind_int64(st, 2, ts_ms);
  tw_store_bind_text(st, 3, datum_json);
  return tw_store_exec_stmt(s, st);
}

int tw_store_metric_scan(tw_store *s, int64_t min_ts, tw_store_metric_fn fn,
                         void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT ns, ts_ms, datum FROM metric_data WHERE ts_ms >= ?1"
         " ORDER BY id");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, min_ts);
  int rc, stop = 0;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
    stop = fn(tw_store_col_text(st, 0), sqlite3_column_int64(st, 1),
              tw_store_col_text(st, 2), ud);
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_metric_expire(tw_store *s, int64_t before_ts) {
  sqlite3_stmt *st =
      tw_store_stmt(s, "DELETE FROM metric_data WHERE ts_ms < ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, before_ts);
  return tw_store_exec_stmt(s, st);
}
