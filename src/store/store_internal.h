/*
 * store_internal.h — shared plumbing of src/store/: the handle and a cache
 * of prepared statements keyed by their (static) SQL text.
 */
#ifndef TW_STORE_INTERNAL_H
#define TW_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

#define TW_STORE_MAX_STMTS 192

struct tw_store {
  sqlite3 *db;
  const char *sql[TW_STORE_MAX_STMTS];
  sqlite3_stmt *stmt[TW_STORE_MAX_STMTS];
  size_t nstmt;
  int in_tx;
};

/* Schemas of the live parts, run after the core schema at open:
 * outbox.c (notification outbox), progress.c (live source progress). */
extern const char tw_store_outbox_schema[];
extern const char tw_store_progress_schema[];

/* The prepared statement for sql (a string literal), reset and unbound;
 * NULL on failure. */
sqlite3_stmt *tw_store_stmt(tw_store *s, const char *sql);
/* Step a statement that returns no rows, then reset it. */
int tw_store_exec_stmt(tw_store *s, sqlite3_stmt *st);
/* Bind helpers: NULL text binds SQL NULL. */
int tw_store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Column text, "" for NULL. */
const char *tw_store_col_text(sqlite3_stmt *st, int i);
/* Copy column text into a fixed buffer (truncating). */
void tw_store_col_copy(sqlite3_stmt *st, int i, char *buf, size_t cap);

#endif /* TW_STORE_INTERNAL_H */
