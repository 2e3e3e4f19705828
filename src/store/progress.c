/*
 * progress.c — progress of the live sources of `trailwatch serve` (see
 * src/live/): the objects of followed directories already ingested
 * (follow_objects) and the read position of followed files (follow_tail).
 * The sources write these rows in the transaction of the events they
 * describe, so a crash never loses or repeats an event. Object rows are
 * deleted once their object is too old to be read again (see
 * src/live/follow_object.c), so the table does not grow forever.
 */
#include <string.h>

#include "store/store_internal.h"

const char tw_store_progress_schema[] =
    "CREATE TABLE IF NOT EXISTS follow_objects("
    " source TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,"
    " mtime_ns INTEGER NOT NULL, events INTEGER NOT NULL,"
    " errors INTEGER NOT NULL, sha256 BLOB NOT NULL,"
    " done_ms INTEGER NOT NULL, PRIMARY KEY(source, path)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS follow_tail("
    " path TEXT PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
    " pos INTEGER NOT NULL, sig BLOB NOT NULL,"
    " updated_ms INTEGER NOT NULL);";

int tw_store_object_put(tw_store *s, const tw_store_object *o) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT OR REPLACE INTO follow_objects(source, path, size,"
         " mtime_ns, events, errors, sha256, done_ms)"
         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, o->source);
  tw_store_bind_text(st, 2, o->path);
  sqlite3_bind_int64(st, 3, o->size);
  sqlite3_bind_int64(st, 4, o->mtime_ns);
  sqlite3_bind_int64(st, 5, o->events);
  sqlite3_bind_int64(st, 6, o->errors);
  sqlite3_bind_blob(st, 7, o->sha256, 32, SQLITE_STATIC);
  sqlite3_bind_int64(st, 8, o->done_ms);
  return tw_store_exec_stmt(s, st);
}

static void tw_store_object_row(sqlite3_stmt *st, tw_store_object *o,
                                unsigned char *hash) {
  memset(hash, 0, 32);
  const void *h = sqlite3_column_blob(st, 6);
  if (h && sqlite3_column_bytes(st, 6) == 32)
    memcpy(hash, h, 32);
  o->source = tw_store_col_text(st, 0);
  o->path = tw_store_col_text(st, 1);
  o->size = sqlite3_column_int64(st, 2);
  o->mtime_ns = sqlite3_column_int64(st, 3);
  o->events = sqlite3_column_int64(st, 4);
  o->errors = sqlite3_column_int64(st, 5);
  o->sha256 = hash;
  o->done_ms = sqlite3_column_int64(st, 7);
}

int tw_store_object_list(tw_store *s, const char *source,
                         tw_store_object_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT source, path, size, mtime_ns, events, errors, sha256,"
         " done_ms FROM follow_objects WHERE source = ?1 ORDER BY path");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, source);
  int rc, stop = 0;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    tw_store_object o;
    unsigned char hash[32];
    tw_store_object_row(st, &o, hash);
    stop = fn(&o, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_object_delete(tw_store *s, const char *source,
                           const char *path) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "DELETE FROM follow_objects WHERE source = ?1 AND path = ?2");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, source);
  tw_store_bind_text(st, 2, path);
  return tw_store_exec_stmt(s, st);
}

int tw_store_object_expire(tw_store *s, const char *source,
                           int64_t before_ns, int64_t limit,
                           int64_t *deleted) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "DELETE FROM follow_objects WHERE source = ?1 AND path IN"
         " (SELECT path FROM follow_objects WHERE source = ?1"
         " AND mtime_ns < ?2 LIMIT ?3)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, source);
  sqlite3_bind_int64(st, 2, before_ns);
  sqlite3_bind_int64(st, 3, limit);
  int rc = tw_store_exec_stmt(s, st);
  if (rc == TW_OK && deleted)
    *deleted = sqlite3_changes(s->db);
  return rc;
}

int tw_store_tail_get(tw_store *s, const char *path, tw_store_tail *out) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT dev, ino, pos, sig, updated_ms FROM follow_tail"
         " WHERE path = ?1");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, path);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    out->dev = sqlite3_column_int64(st, 0);
    out->ino = sqlite3_column_int64(st, 1);
    out->pos = sqlite3_column_int64(st, 2);
    const void *sig = sqlite3_column_blob(st, 3);
    int n = sqlite3_column_bytes(st, 3);
    if (sig && n > 0 && n <= TW_STORE_TAIL_SIG) {
      memcpy(out->sig, sig, (size_t)n);
      out->sig_len = (size_t)n;
    }
    out->updated_ms = sqlite3_column_int64(st, 4);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? TW_OK : rc == SQLITE_DONE ? TW_ENOTFOUND : TW_EIO;
}

int tw_store_tail_put(tw_store *s, const char *path, const tw_store_tail *t) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT OR REPLACE INTO follow_tail(path, dev, ino, pos, sig,"
         " updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, path);
  sqlite3_bind_int64(st, 2, t->dev);
  sqlite3_bind_int64(st, 3, t->ino);
  sqlite3_bind_int64(st, 4, t->pos);
  sqlite3_bind_blob(st, 5, t->sig, (int)t->sig_len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, t->updated_ms);
  return tw_store_exec_stmt(s, st);
}
