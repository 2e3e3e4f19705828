/*
 * outbox.c — the notification outbox table of the serve database: one row
 * per (notification, delivery), added in the transaction of the alarm
 * state change, then delivered, retried and finished by the outbox
 * workers (src/live/outbox.c). Rows survive restarts and kill -9: a
 * pending row is simply due again (at-least-once, same notification id).
 */
#include <string.h>

#include "store/store_internal.h"

const char tw_store_outbox_schema[] =
    "CREATE TABLE IF NOT EXISTS outbox("
    " row_id INTEGER PRIMARY KEY, id TEXT NOT NULL, alarm TEXT NOT NULL,"
    " action TEXT NOT NULL, delivery_index INTEGER NOT NULL,"
    " delivery TEXT NOT NULL, subject TEXT, message TEXT NOT NULL,"
    " timestamp_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_ms INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending', last_error TEXT,"
    " done_ms INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(id, delivery_index));"
    "CREATE INDEX IF NOT EXISTS outbox_due"
    " ON outbox(state, next_attempt_ms, row_id);";

#define TW_OUTBOX_COLUMNS                                                   \
  "row_id, id, alarm, action, delivery_index, delivery, subject, message," \
  " timestamp_ms, created_ms, attempts, next_attempt_ms, state,"           \
  " last_error, done_ms"

static const char *tw_outbox_col_opt(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL
                                                   : tw_store_col_text(st, i);
}

static void tw_outbox_read(sqlite3_stmt *st, tw_store_outbox_row *r) {
  r->row_id = sqlite3_column_int64(st, 0);
  r->id = tw_store_col_text(st, 1);
  r->alarm = tw_store_col_text(st, 2);
  r->action = tw_store_col_text(st, 3);
  r->delivery_index = sqlite3_column_int(st, 4);
  r->delivery = tw_store_col_text(st, 5);
  r->subject = tw_outbox_col_opt(st, 6);
  r->message = tw_store_col_text(st, 7);
  r->timestamp_ms = sqlite3_column_int64(st, 8);
  r->created_ms = sqlite3_column_int64(st, 9);
  r->attempts = sqlite3_column_int(st, 10);
  r->next_attempt_ms = sqlite3_column_int64(st, 11);
  r->state = tw_store_col_text(st, 12);
  r->last_error = tw_outbox_col_opt(st, 13);
  r->done_ms = sqlite3_column_int64(st, 14);
}

int tw_store_outbox_add(tw_store *s, const tw_store_outbox_row *r,
                        int64_t *row_id) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT OR IGNORE INTO outbox(id, alarm, action, delivery_index,"
         " delivery, subject, message, timestamp_ms, created_ms,"
         " next_attempt_ms) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, r->id);
  tw_store_bind_text(st, 2, r->alarm);
  tw_store_bind_text(st, 3, r->action);
  sqlite3_bind_int(st, 4, r->delivery_index);
  tw_store_bind_text(st, 5, r->delivery);
  tw_store_bind_text(st, 6, r->subject);
  tw_store_bind_text(st, 7, r->message);
  sqlite3_bind_int64(st, 8, r->timestamp_ms);
  sqlite3_bind_int64(st, 9, r->created_ms);
  sqlite3_bind_int64(st, 10, r->next_attempt_ms);
  int rc = tw_store_exec_stmt(s, st);
  if (rc == TW_OK && row_id)
    *row_id = sqlite3_changes(s->db) ? sqlite3_last_insert_rowid(s->db) : 0;
  return rc;
}

static int tw_outbox_skipped(int64_t row_id, const int64_t *skip,
                             size_t nskip) {
  for (size_t i = 0; i < nskip; i++)
    if (skip[i] == row_id)
      return 1;
  return 0;
}

int tw_store_outbox_due(tw_store *s, int64_t now_ms, const int64_t *skip,
                        size_t nskip, int limit, tw_store_outbox_fn fn,
                        void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_OUTBOX_COLUMNS " FROM outbox WHERE state = 'pending'"
         " AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, row_id"
         " LIMIT ?2");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, now_ms);
  sqlite3_bind_int64(st, 2, (int64_t)nskip + limit);
  int rc = SQLITE_DONE, stop = 0, given = 0;
  tw_store_outbox_row r;
  while (!stop && given < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    tw_outbox_read(st, &r);
    if (tw_outbox_skipped(r.row_id, skip, nskip))
      continue;
    given++;
    stop = fn(&r, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return given == limit || rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_outbox_next_due(tw_store *s, const int64_t *skip, size_t nskip,
                             int64_t *out_ms, int *found) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT row_id, next_attempt_ms FROM outbox WHERE state = 'pending'"
         " ORDER BY next_attempt_ms, row_id LIMIT ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, (int64_t)nskip + 1);
  int rc = SQLITE_DONE;
  *found = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (!tw_outbox_skipped(sqlite3_column_int64(st, 0), skip, nskip)) {
      *out_ms = sqlite3_column_int64(st, 1);
      *found = 1;
      break;
    }
  sqlite3_reset(st);
  return *found || rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_outbox_due_all(tw_store *s, int64_t now_ms) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "UPDATE outbox SET next_attempt_ms = ?1 WHERE state = 'pending'"
         " AND next_attempt_ms > ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, now_ms);
  return tw_store_exec_stmt(s, st);
}

/* Set the outcome of row_id: state, attempts, next attempt, error, done. */
static int tw_outbox_set(tw_store *s, int64_t row_id, const char *state,
                         int attempts, int64_t next_ms, const char *error,
                         int64_t done_ms) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_ms = ?4,"
         " last_error = ?5, done_ms = ?6 WHERE row_id = ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, row_id);
  tw_store_bind_text(st, 2, state);
  sqlite3_bind_int(st, 3, attempts);
  sqlite3_bind_int64(st, 4, next_ms);
  tw_store_bind_text(st, 5, error);
  sqlite3_bind_int64(st, 6, done_ms);
  int rc = tw_store_exec_stmt(s, st);
  if (rc == TW_OK && sqlite3_changes(s->db) == 0)
    rc = TW_ENOTFOUND;
  return rc;
}

int tw_store_outbox_done(tw_store *s, int64_t row_id, int attempts,
                         int64_t now_ms) {
  return tw_outbox_set(s, row_id, "done", attempts, now_ms, NULL, now_ms);
}

int tw_store_outbox_retry(tw_store *s, int64_t row_id, int attempts,
                          int64_t next_ms, const char *error) {
  return tw_outbox_set(s, row_id, "pending", attempts, next_ms, error, 0);
}

int tw_store_outbox_failed(tw_store *s, int64_t row_id, int attempts,
                           int64_t now_ms, const char *error) {
  return tw_outbox_set(s, row_id, "failed", attempts, now_ms, error, now_ms);
}

int tw_store_outbox_counts(tw_store *s, int64_t *pending, int64_t *failed) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT coalesce(sum(state = 'pending'), 0),"
         " coalesce(sum(state = 'failed'), 0) FROM outbox");
  if (!st)
    return TW_EIO;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *pending = sqlite3_column_int64(st, 0);
    *failed = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? TW_OK : TW_EIO;
}

int tw_store_outbox_list(tw_store *s, const char *id, tw_store_outbox_fn fn,
                         void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_OUTBOX_COLUMNS " FROM outbox"
         " WHERE ?1 IS NULL OR id = ?1 ORDER BY row_id");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, id);
  int rc, stop = 0;
  tw_store_outbox_row r;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    tw_outbox_read(st, &r);
    stop = fn(&r, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_outbox_expire(tw_store *s, int64_t before_ms, int64_t *deleted) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "DELETE FROM outbox WHERE state IN ('done', 'failed')"
         " AND done_ms < ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, before_ms);
  int rc = tw_store_exec_stmt(s, st);
  if (rc == TW_OK && deleted)
    *deleted = sqlite3_changes(s->db);
  return rc;
}
