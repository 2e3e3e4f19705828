/*
 * db.c — opens the serve database (WAL, schema creation), transactions and
 * the prepared-statement cache used by the other src/store/ files.
 *
 * Durability: WAL with synchronous=NORMAL survives a killed process (kill
 * -9) after every commit; only an operating-system crash could lose the
 * last transactions, which TW_STORE_SYNC=full in the environment closes.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/util.h"

static const char *const tw_store_schema =
    "CREATE TABLE IF NOT EXISTS log_groups("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
    " creation_ms INTEGER NOT NULL, retention_days INTEGER NOT NULL DEFAULT 0,"
    " class TEXT NOT NULL, kms_key TEXT,"
    " deletion_protection INTEGER NOT NULL DEFAULT 0,"
    " stored_bytes INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS log_streams("
    " id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL,"
    " creation_ms INTEGER NOT NULL, first_ts INTEGER, last_ts INTEGER,"
    " last_ingest INTEGER, stored_bytes INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(group_id, name));"
    "CREATE TABLE IF NOT EXISTS log_events("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL,"
    " stream_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " ingest_ms INTEGER NOT NULL, message TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS log_events_group_ts"
    " ON log_events(group_id, ts, seq);"
    "CREATE INDEX IF NOT EXISTS log_events_stream_ts"
    " ON log_events(stream_id, ts, seq);"
    "CREATE TABLE IF NOT EXISTS metric_filters("
    " id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL,"
    " group_name TEXT NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL,"
    " transforms TEXT NOT NULL, creation_ms INTEGER NOT NULL,"
    " start_seq INTEGER NOT NULL, end_seq INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS metric_filters_current"
    " ON metric_filters(group_name, name, end_seq);"
    "CREATE TABLE IF NOT EXISTS metric_data("
    " id INTEGER PRIMARY KEY, ns TEXT NOT NULL, ts_ms INTEGER NOT NULL,"
    " datum TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS metric_data_ts ON metric_data(ts_ms);"
    "CREATE TABLE IF NOT EXISTS alarms("
    " name TEXT PRIMARY KEY, config TEXT NOT NULL, config_ms INTEGER NOT NULL,"
    " state TEXT NOT NULL, reason TEXT NOT NULL, reason_data TEXT,"
    " updated_ms INTEGER NOT NULL, transitioned_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS alarm_history("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,"
    " ts_ms INTEGER NOT NULL, item TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS alarm_history_ts ON alarm_history(ts_ms);";

static int tw_store_pragmas(tw_store *s, tw_error *err) {
  const char *sync = getenv("TW_STORE_SYNC");
  const char *sql = (sync && !strcmp(sync, "full"))
                        ? "PRAGMA synchronous=FULL;"
                        : "PRAGMA synchronous=NORMAL;";
  char *msg = NULL;
  if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL;", NULL, NULL, &msg) ||
      sqlite3_exec(s->db, sql, NULL, NULL, &msg) ||
      sqlite3_exec(s->db, "PRAGMA busy_timeout=5000;", NULL, NULL, &msg) ||
      sqlite3_exec(s->db, tw_store_schema, NULL, NULL, &msg) ||
      sqlite3_exec(s->db, tw_store_outbox_schema, NULL, NULL, &msg) ||
      sqlite3_exec(s->db, tw_store_progress_schema, NULL, NULL, &msg)) {
    tw_error_set(err, TW_EIO, 0, "database: %s",
                 msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return TW_EIO;
  }
  return TW_OK;
}

int tw_store_open(const char *path, tw_store **out, tw_error *err) {
  tw_store *s = calloc(1, sizeof *s);
  if (!s)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
              SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
    tw_error_set(err, TW_EIO, 0, "cannot open database %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
    tw_store_close(s);
    return TW_EIO;
  }
  int rc = tw_store_pragmas(s, err);
  if (rc) {
    tw_store_close(s);
    return rc;
  }
  *out = s;
  return TW_OK;
}

void tw_store_close(tw_store *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->nstmt; i++)
    sqlite3_finalize(s->stmt[i]);
  sqlite3_close(s->db);
  free(s);
}

const char *tw_store_errmsg(const tw_store *s) {
  return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

static int tw_store_exec(tw_store *s, const char *sql) {
  sqlite3_stmt *st = tw_store_stmt(s, sql);
  return st ? tw_store_exec_stmt(s, st) : TW_EIO;
}

int tw_store_begin(tw_store *s) {
  int rc = tw_store_exec(s, "BEGIN IMMEDIATE");
  if (rc == TW_OK)
    s->in_tx = 1;
  return rc;
}

int tw_store_commit(tw_store *s) {
  int rc = tw_store_exec(s, "COMMIT");
  if (rc == TW_OK)
    s->in_tx = 0;
  else
    tw_store_rollback(s);
  return rc;
}

void tw_store_rollback(tw_store *s) {
  if (s->in_tx)
    (void)tw_store_exec(s, "ROLLBACK");
  s->in_tx = 0;
}

sqlite3_stmt *tw_store_stmt(tw_store *s, const char *sql) {
  for (size_t i = 0; i < s->nstmt; i++)
    if (s->sql[i] == sql) {
      sqlite3_reset(s->stmt[i]);
      sqlite3_clear_bindings(s->stmt[i]);
      return s->stmt[i];
    }
  if (s->nstmt == TW_STORE_MAX_STMTS)
    return NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                         NULL) != SQLITE_OK)
    return NULL;
  s->sql[s->nstmt] = sql;
  s->stmt[s->nstmt++] = st;
  return st;
}

int tw_store_exec_stmt(tw_store *s, sqlite3_stmt *st) {
  (void)s;
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? TW_OK : TW_EIO;
}

int tw_store_bind_text(sqlite3_stmt *st, int i, const char *v) {
  if (!v)
    return sqlite3_bind_null(st, i);
  return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

const char *tw_store_col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

void tw_store_col_copy(sqlite3_stmt *st, int i, char *buf, size_t cap) {
  const char *t = tw_store_col_text(st, i);
  size_t n = strlen(t);
  if (n >= cap)
    n = cap - 1;
  memcpy(buf, t, n);
  buf[n] = '\0';
}
