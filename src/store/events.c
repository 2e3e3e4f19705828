/*
 * events.c — log events in the serve database: insertion with a
 * monotonically increasing sequence number (ingestion order), the scans
 * behind FilterLogEvents / GetLogEvents / metric filter replay, and
 * retention expiry.
 */
#include <string.h>

#include "store/store_internal.h"

int tw_store_next_seq(tw_store *s, int64_t *out) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT coalesce((SELECT seq FROM sqlite_sequence"
         " WHERE name = 'log_events'), 0) + 1");
  if (!st)
    return TW_EIO;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? TW_OK : TW_EIO;
}

int tw_store_event_insert(tw_store *s, int64_t group_id, int64_t stream_id,
                          int64_t ts, int64_t ingest_ms, const char *msg,
                          size_t len, int64_t *seq) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT INTO log_events(group_id, stream_id, ts, ingest_ms, message)"
         " VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, group_id);
  sqlite3_bind_int64(st, 2, stream_id);
  sqlite3_bind_int64(st, 3, ts);
  sqlite3_bind_int64(st, 4, ingest_ms);
  sqlite3_bind_text(st, 5, msg, (int)len, SQLITE_STATIC);
  int rc = tw_store_exec_stmt(s, st);
  if (rc == TW_OK && seq)
    *seq = sqlite3_last_insert_rowid(s->db);
  return rc;
}

/* Rows are (seq, stream_id, ts, ingest_ms, message). */
static int tw_store_event_each(sqlite3_stmt *st, tw_store_event_fn fn,
                               void *ud) {
  int rc, stop = 0;
  tw_store_event e;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    e.seq = sqlite3_column_int64(st, 0);
    e.stream_id = sqlite3_column_int64(st, 1);
    e.ts = sqlite3_column_int64(st, 2);
    e.ingest_ms = sqlite3_column_int64(st, 3);
    e.msg = tw_store_col_text(st, 4);
    e.len = (size_t)sqlite3_column_bytes(st, 4);
    stop = fn(&e, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_event_scan_group(tw_store *s, int64_t group_id, int64_t start,
                              int64_t end, int64_t after_ts,
                              int64_t after_seq, tw_store_event_fn fn,
                              void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT seq, stream_id, ts, ingest_ms, message FROM log_events"
         " WHERE group_id = ?1 AND ts >= ?2 AND ts < ?3"
         " AND (ts > ?4 OR (ts = ?4 AND seq > ?5)) ORDER BY ts, seq");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, group_id);
  sqlite3_bind_int64(st, 2, start);
  sqlite3_bind_int64(st, 3, end);
  sqlite3_bind_int64(st, 4, after_ts);
  sqlite3_bind_int64(st, 5, after_seq);
  return tw_store_event_each(st, fn, ud);
}

int tw_store_event_scan_stream(tw_store *s, int64_t stream_id, int64_t start,
                               int64_t end, int backward, int64_t key_ts,
                               int64_t key_seq, int limit,
                               tw_store_event_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, backward
             ? "SELECT seq, stream_id, ts, ingest_ms, message FROM log_events"
               " WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3"
               " AND (ts < ?4 OR (ts = ?4 AND seq < ?5))"
               " ORDER BY ts DESC, seq DESC LIMIT ?6"
             : "SELECT seq, stream_id, ts, ingest_ms, message FROM log_events"
               " WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3"
               " AND (ts > ?4 OR (ts = ?4 AND seq > ?5))"
               " ORDER BY ts, seq LIMIT ?6");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, stream_id);
  sqlite3_bind_int64(st, 2, start);
  sqlite3_bind_int64(st, 3, end);
  sqlite3_bind_int64(st, 4, key_ts);
  sqlite3_bind_int64(st, 5, key_seq);
  sqlite3_bind_int(st, 6, limit);
  return tw_store_event_each(st, fn, ud);
}

int tw_store_event_scan_seq(tw_store *s, int64_t group_id, int64_t start_seq,
                            int64_t end_seq, int64_t min_ts,
                            tw_store_event_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT seq, stream_id, ts, ingest_ms, message FROM log_events"
         " WHERE seq >= ?2 AND (?3 = 0 OR seq < ?3)"
         " AND (group_id = ?1 OR group_id = -?1)"
         " AND ts >= ?4 ORDER BY seq");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, group_id);
  sqlite3_bind_int64(st, 2, start_seq);
  sqlite3_bind_int64(st, 3, end_seq);
  sqlite3_bind_int64(st, 4, min_ts);
  return tw_store_event_each(st, fn, ud);
}

int tw_store_event_expire(tw_store *s, int64_t group_id, int64_t before_ts,
                          int64_t *deleted) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "DELETE FROM log_events WHERE (group_id = ?1 OR (?1 = 0 AND"
         " group_id < 0)) AND ts < ?2");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, group_id);
  sqlite3_bind_int64(st, 2, before_ts);
  int rc = tw_store_exec_stmt(s, st);
  if (rc == TW_OK && deleted)
    *deleted = sqlite3_changes64(s->db);
  return rc;
}
