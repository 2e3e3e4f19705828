/*
 * groups.c — log groups and log streams in the serve database.
 */
#include <string.h>

#include "store/store_internal.h"

#define TW_GROUP_COLS                                                      \
  "g.id, g.name, g.creation_ms, g.retention_days, g.class,"                \
  " g.deletion_protection, g.stored_bytes,"                                \
  " (SELECT COUNT(*) FROM metric_filters f WHERE f.group_id = g.id"        \
  " AND f.end_seq = 0)"

static void tw_store_group_row(sqlite3_stmt *st, tw_store_group *g) {
  memset(g, 0, sizeof *g);
  g->id = sqlite3_column_int64(st, 0);
  tw_store_col_copy(st, 1, g->name, sizeof g->name);
  g->creation_ms = sqlite3_column_int64(st, 2);
  g->retention_days = sqlite3_column_int(st, 3);
  tw_store_col_copy(st, 4, g->cls, sizeof g->cls);
  g->deletion_protection = sqlite3_column_int(st, 5);
  g->stored_bytes = sqlite3_column_int64(st, 6);
  g->filter_count = sqlite3_column_int64(st, 7);
}

int tw_store_group_get(tw_store *s, const char *name, tw_store_group *out) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_GROUP_COLS " FROM log_groups g WHERE g.name = ?1");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, name);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    tw_store_group_row(st, out);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? TW_OK : rc == SQLITE_DONE ? TW_ENOTFOUND : TW_EIO;
}

int tw_store_group_create(tw_store *s, tw_store_group *g, int *created) {
  tw_store_group old;
  int rc = tw_store_group_get(s, g->name, &old);
  *created = 0;
  if (rc == TW_OK)
    return TW_OK;
  if (rc != TW_ENOTFOUND)
    return rc;
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT INTO log_groups(name, creation_ms, class,"
         " deletion_protection) VALUES(?1, ?2, ?3, ?4)");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, g->name);
  sqlite3_bind_int64(st, 2, g->creation_ms);
  tw_store_bind_text(st, 3, g->cls);
  sqlite3_bind_int(st, 4, g->deletion_protection);
  if ((rc = tw_store_exec_stmt(s, st)) != TW_OK)
    return rc;
  g->id = sqlite3_last_insert_rowid(s->db);
  *created = 1;
  return TW_OK;
}

int tw_store_group_delete(tw_store *s, int64_t id, int64_t next_seq) {
  /* Events that metric filters saw stay, under -group_id, until they leave
   * the metric window: the server replays them at start. */
  static const char *const sqls[] = {
      ("DELETE FROM log_events WHERE group_id = ?1 AND NOT EXISTS"
       " (SELECT 1 FROM metric_filters WHERE group_id = ?1)"),
      "UPDATE log_events SET group_id = -?1 WHERE group_id = ?1",
      "DELETE FROM log_streams WHERE group_id = ?1",
      "DELETE FROM log_groups WHERE id = ?1",
  };
  for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
    sqlite3_stmt *st = tw_store_stmt(s, sqls[i]);
    if (!st)
      return TW_EIO;
    sqlite3_bind_int64(st, 1, id);
    if (tw_store_exec_stmt(s, st) != TW_OK)
      return TW_EIO;
  }
  sqlite3_stmt *st = tw_store_stmt(
      s, "UPDATE metric_filters SET end_seq = ?2 WHERE group_id = ?1"
         " AND end_seq = 0");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, next_seq);
  return tw_store_exec_stmt(s, st);
}

int tw_store_group_set_retention(tw_store *s, int64_t id, int days) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "UPDATE log_groups SET retention_days = ?2 WHERE id = ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, days);
  return tw_store_exec_stmt(s, st);
}

static int tw_store_group_each(sqlite3_stmt *st, tw_store_group_fn fn,
                               void *ud) {
  int rc, stop = 0;
  tw_store_group g;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    tw_store_group_row(st, &g);
    stop = fn(&g, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_group_list(tw_store *s, const char *prefix, const char *substr,
                        const char *after, int limit, tw_store_group_fn fn,
                        void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_GROUP_COLS " FROM log_groups g"
         " WHERE (?1 IS NULL OR substr(g.name, 1, length(?1)) = ?1)"
         " AND (?2 IS NULL OR instr(g.name, ?2) > 0)"
         " AND (?3 IS NULL OR g.name > ?3)"
         " ORDER BY g.name LIMIT ?4");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, prefix);
  tw_store_bind_text(st, 2, substr);
  tw_store_bind_text(st, 3, after);
  sqlite3_bind_int(st, 4, limit);
  return tw_store_group_each(st, fn, ud);
}

int tw_store_group_list_retained(tw_store *s, tw_store_group_fn fn,
                                 void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_GROUP_COLS " FROM log_groups g"
         " WHERE g.retention_days > 0 ORDER BY g.id");
  return st ? tw_store_group_each(st, fn, ud) : TW_EIO;
}

/* ---- streams ---------------------------------------------------------- */

#define TW_STREAM_COLS                                                     \
  "id, group_id, name, creation_ms, first_ts, last_ts, last_ingest,"       \
  " stored_bytes"

static void tw_store_stream_row(sqlite3_stmt *st, tw_store_stream *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  r->group_id = sqlite3_column_int64(st, 1);
  tw_store_col_copy(st, 2, r->name, sizeof r->name);
  r->creation_ms = sqlite3_column_int64(st, 3);
  r->has_events = sqlite3_column_type(st, 4) != SQLITE_NULL;
  r->first_ts = sqlite3_column_int64(st, 4);
  r->last_ts = sqlite3_column_int64(st, 5);
  r->last_ingest_ms = sqlite3_column_int64(st, 6);
  r->stored_bytes = sqlite3_column_int64(st, 7);
}

int tw_store_stream_get(tw_store *s, int64_t group_id, const char *name,
                        tw_store_stream *out) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_STREAM_COLS
         " FROM log_streams WHERE group_id = ?1 AND name = ?2");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, group_id);
  tw_store_bind_text(st, 2, name);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    tw_store_stream_row(st, out);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? TW_OK : rc == SQLITE_DONE ? TW_ENOTFOUND : TW_EIO;
}

int tw_store_stream_create(tw_store *s, tw_store_stream *r, int *created) {
  tw_store_stream old;
  int rc = tw_store_stream_get(s, r->group_id, r->name, &old);
  *created = 0;
  if (rc != TW_ENOTFOUND)
    return rc;
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT INTO log_streams(group_id, name, creation_ms)"
         " VALUES(?1, ?2, ?3)");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, r->group_id);
  tw_store_bind_text(st, 2, r->name);
  sqlite3_bind_int64(st, 3, r->creation_ms);
  if ((rc = tw_store_exec_stmt(s, st)) != TW_OK)
    return rc;
  r->id = sqlite3_last_insert_rowid(s->db);
  *created = 1;
  return TW_OK;
}

int tw_store_stream_delete(tw_store *s, int64_t id) {
  static const char *const sqls[] = {
      ("DELETE FROM log_events WHERE stream_id = ?1 AND NOT EXISTS"
       " (SELECT 1 FROM metric_filters f, log_streams s WHERE s.id = ?1"
       " AND f.group_id = s.group_id)"),
      "UPDATE log_events SET group_id = -group_id WHERE stream_id = ?1",
      "DELETE FROM log_streams WHERE id = ?1",
  };
  for (size_t i = 0; i < 3; i++) {
    sqlite3_stmt *st = tw_store_stmt(s, sqls[i]);
    if (!st)
      return TW_EIO;
    sqlite3_bind_int64(st, 1, id);
    if (tw_store_exec_stmt(s, st) != TW_OK)
      return TW_EIO;
  }
  return TW_OK;
}

int tw_store_stream_touch(tw_store *s, int64_t id, int64_t first_ts,
                          int64_t last_ts, int64_t ingest_ms, int64_t bytes) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "UPDATE log_streams SET"
         " first_ts = min(coalesce(first_ts, ?2), ?2),"
         " last_ts = max(coalesce(last_ts, ?3), ?3),"
         " last_ingest = ?4, stored_bytes = stored_bytes + ?5 WHERE id = ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, first_ts);
  sqlite3_bind_int64(st, 3, last_ts);
  sqlite3_bind_int64(st, 4, ingest_ms);
  sqlite3_bind_int64(st, 5, bytes);
  int rc = tw_store_exec_stmt(s, st);
  if (rc)
    return rc;
  st = tw_store_stmt(s, "UPDATE log_groups SET stored_bytes = stored_bytes"
                        " + ?2 WHERE id = (SELECT group_id FROM log_streams"
                        " WHERE id = ?1)");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, bytes);
  return tw_store_exec_stmt(s, st);
}

static const char *tw_store_stream_sql(const tw_store_stream_query *q) {
  if (!q->by_time)
    return q->descending
               ? "SELECT " TW_STREAM_COLS " FROM log_streams"
                 " WHERE group_id = ?1 AND (?2 IS NULL OR"
                 " substr(name, 1, length(?2)) = ?2)"
                 " AND (?3 IS NULL OR name < ?3)"
                 " ORDER BY name DESC LIMIT ?4 OFFSET ?5"
               : "SELECT " TW_STREAM_COLS " FROM log_streams"
                 " WHERE group_id = ?1 AND (?2 IS NULL OR"
                 " substr(name, 1, length(?2)) = ?2)"
                 " AND (?3 IS NULL OR name > ?3)"
                 " ORDER BY name LIMIT ?4 OFFSET ?5";
  return q->descending
             ? "SELECT " TW_STREAM_COLS " FROM log_streams"
               " WHERE group_id = ?1 AND (?2 IS NULL OR ?3 IS NULL OR 1)"
               " ORDER BY coalesce(last_ts, -1) DESC, id DESC"
               " LIMIT ?4 OFFSET ?5"
             : "SELECT " TW_STREAM_COLS " FROM log_streams"
               " WHERE group_id = ?1 AND (?2 IS NULL OR ?3 IS NULL OR 1)"
               " ORDER BY coalesce(last_ts, -1), id LIMIT ?4 OFFSET ?5";
}

int tw_store_stream_list(tw_store *s, const tw_store_stream_query *q,
                         tw_store_stream_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(s, tw_store_stream_sql(q));
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, q->group_id);
  tw_store_bind_text(st, 2, q->prefix);
  tw_store_bind_text(st, 3, q->after_name);
  sqlite3_bind_int(st, 4, q->limit);
  sqlite3_bind_int64(st, 5, q->offset);
  int rc, stop = 0;
  tw_store_stream r;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    tw_store_stream_row(st, &r);
    stop = fn(&r, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}
