/*
 * filters.c — metric filter versions in the serve database. Every
 * PutMetricFilter adds a version that applies to the log events whose
 * sequence number is in [start_seq, end_seq); replacing or deleting a
 * filter ends the current version. Keeping ended versions lets the server
 * rebuild the exact datapoints at start by replaying events through the
 * versions that saw them (filters are not retroactive).
 */
#include <string.h>

#include "store/store_internal.h"

#define TW_FILTER_COLS                                                     \
  "id, group_id, group_name, name, pattern, transforms, creation_ms,"      \
  " start_seq, end_seq"

static int tw_store_filter_each(sqlite3_stmt *st, tw_store_filter_fn fn,
                                void *ud) {
  int rc, stop = 0;
  tw_store_filter f;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    f.id = sqlite3_column_int64(st, 0);
    f.group_id = sqlite3_column_int64(st, 1);
    f.group_name = tw_store_col_text(st, 2);
    f.name = tw_store_col_text(st, 3);
    f.pattern = tw_store_col_text(st, 4);
    f.transforms = tw_store_col_text(st, 5);
    f.creation_ms = sqlite3_column_int64(st, 6);
    f.start_seq = sqlite3_column_int64(st, 7);
    f.end_seq = sqlite3_column_int64(st, 8);
    stop = fn(&f, ud);
  }
  sqlite3_reset(st);
  if (stop)
    return stop;
  return rc == SQLITE_DONE ? TW_OK : TW_EIO;
}

int tw_store_filter_delete(tw_store *s, int64_t group_id, const char *name,
                           int64_t end_seq, int64_t *ended_id) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT id FROM metric_filters WHERE group_id = ?1 AND name = ?2"
         " AND end_seq = 0");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, group_id);
  tw_store_bind_text(st, 2, name);
  int rc = sqlite3_step(st);
  int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return TW_ENOTFOUND;
  if (rc != SQLITE_ROW)
    return TW_EIO;
  st = tw_store_stmt(s, "UPDATE metric_filters SET end_seq = ?2"
                        " WHERE id = ?1");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, end_seq);
  if (ended_id)
    *ended_id = id;
  return tw_store_exec_stmt(s, st);
}

int tw_store_filter_put(tw_store *s, tw_store_filter *f) {
  int rc = tw_store_filter_delete(s, f->group_id, f->name, f->start_seq, NULL);
  if (rc != TW_OK && rc != TW_ENOTFOUND)
    return rc;
  sqlite3_stmt *st = tw_store_stmt(
      s, "INSERT INTO metric_filters(group_id, group_name, name, pattern,"
         " transforms, creation_ms, start_seq) VALUES(?1,?2,?3,?4,?5,?6,?7)");
  if (!st)
    return TW_EIO;
  sqlite3_bind_int64(st, 1, f->group_id);
  tw_store_bind_text(st, 2, f->group_name);
  tw_store_bind_text(st, 3, f->name);
  tw_store_bind_text(st, 4, f->pattern);
  tw_store_bind_text(st, 5, f->transforms);
  sqlite3_bind_int64(st, 6, f->creation_ms);
  sqlite3_bind_int64(st, 7, f->start_seq);
  if ((rc = tw_store_exec_stmt(s, st)) != TW_OK)
    return rc;
  f->id = sqlite3_last_insert_rowid(s->db);
  return TW_OK;
}

int tw_store_filter_list(tw_store *s, const tw_store_filter_query *q,
                         tw_store_filter_fn fn, void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_FILTER_COLS " FROM metric_filters WHERE end_seq = 0"
         " AND (?1 IS NULL OR group_name = ?1)"
         " AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)"
         " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(transforms) t"
         "  WHERE json_extract(t.value, '$.metricName') = ?3"
         "  AND json_extract(t.value, '$.metricNamespace') = ?4))"
         " AND (?5 IS NULL OR group_name > ?5 OR"
         "  (group_name = ?5 AND name > ?6))"
         " ORDER BY group_name, name LIMIT ?7");
  if (!st)
    return TW_EIO;
  tw_store_bind_text(st, 1, q->group_name);
  tw_store_bind_text(st, 2, q->name_prefix);
  tw_store_bind_text(st, 3, q->metric_name);
  tw_store_bind_text(st, 4, q->metric_ns);
  tw_store_bind_text(st, 5, q->after_group);
  tw_store_bind_text(st, 6, q->after_name);
  sqlite3_bind_int(st, 7, q->limit);
  return tw_store_filter_each(st, fn, ud);
}

int tw_store_filter_list_versions(tw_store *s, tw_store_filter_fn fn,
                                  void *ud) {
  sqlite3_stmt *st = tw_store_stmt(
      s, "SELECT " TW_FILTER_COLS " FROM metric_filters ORDER BY id");
  return st ? tw_store_filter_each(st, fn, ud) : TW_EIO;
}
