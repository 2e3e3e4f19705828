/*
 * follow_done.c — the objects a followed directory is done with: the map
 * of their progress rows (relative path -> size, mtime, events, SHA-256),
 * loaded from the store at start, and the forgetting of objects too old
 * to matter. An object whose S3 key time or mtime is more than 15 days
 * old (the 14-day window of PutLogEvents plus a day) is neither read nor
 * remembered: its row is deleted from the store and the map at start and
 * then at most hourly (with a walk), and the walks skip the
 * .../CloudTrail/<region>/YYYY/MM/DD directories of such days entirely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live/follow_dir.h"

#define TW_DAY_MS INT64_C(86400000)
#define TW_FDONE_KEEP_MS (15 * TW_DAY_MS) /* older objects are forgotten */
#define TW_FDONE_PRUNE_MS INT64_C(3600000) /* prune at most this often */
#define TW_FDONE_DELETE_TX 1000 /* rows deleted per transaction */

/* ---- the map ------------------------------------------------------------------- */

static size_t tw_fmap_hash(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return (size_t)h;
}

static tw_fobj *tw_fmap_slot(const tw_fmap *m, const char *path) {
  size_t i = tw_fmap_hash(path) & (m->cap - 1);
  while (m->slot[i].path && strcmp(m->slot[i].path, path))
    i = (i + 1) & (m->cap - 1);
  return &m->slot[i];
}

tw_fobj *tw_fmap_get(const tw_fmap *m, const char *path) {
  if (!m->cap)
    return NULL;
  tw_fobj *o = tw_fmap_slot(m, path);
  return o->path ? o : NULL;
}

/* Move the entries of m into a new table of cap slots (a power of two
 * above twice their number). */
static int tw_fmap_rehash(tw_fmap *m, size_t cap) {
  tw_fmap bigger = {calloc(cap, sizeof(tw_fobj)), cap, m->n};
  if (!bigger.slot)
    return TW_ENOMEM;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slot[i].path)
      *tw_fmap_slot(&bigger, m->slot[i].path) = m->slot[i];
  free(m->slot);
  *m = bigger;
  return TW_OK;
}

int tw_fmap_put(tw_fmap *m, const tw_fobj *o) {
  if ((m->n + 1) * 2 > m->cap &&
      tw_fmap_rehash(m, m->cap ? m->cap * 2 : 1024))
    return TW_ENOMEM;
  tw_fobj *slot = tw_fmap_slot(m, o->path);
  char *path = slot->path;
  if (!path && !(path = strdup(o->path)))
    return TW_ENOMEM;
  if (!slot->path)
    m->n++;
  *slot = *o;
  slot->path = path;
  return TW_OK;
}

void tw_fmap_free(tw_fmap *m) {
  for (size_t i = 0; i < m->cap; i++)
    free(m->slot[i].path);
  free(m->slot);
  memset(m, 0, sizeof *m);
}

int tw_fmap_remove_if(tw_fmap *m, int (*gone)(const tw_fobj *o, void *ud),
                      void *ud, char ***paths, size_t *n) {
  size_t count = 0;
  *paths = NULL;
  *n = 0;
  for (size_t i = 0; i < m->cap; i++)
    count += m->slot[i].path && gone(&m->slot[i], ud);
  if (!count)
    return TW_OK;
  size_t cap = 1024;
  while ((m->n - count + 1) * 2 > cap)
    cap *= 2;
  tw_fmap keep = {calloc(cap, sizeof(tw_fobj)), cap, m->n - count};
  char **out = malloc(count * sizeof *out);
  if (!keep.slot || !out) {
    free(keep.slot);
    free(out);
    return TW_ENOMEM;
  }
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->slot[i].path)
      continue;
    if (gone(&m->slot[i], ud))
      out[(*n)++] = m->slot[i].path;
    else
      *tw_fmap_slot(&keep, m->slot[i].path) = m->slot[i];
  }
  free(m->slot);
  *m = keep;
  *paths = out;
  return TW_OK;
}

int tw_fobj_done(const tw_fobj *o, int64_t size, int64_t mtime_ns) {
  return o && o->errors != TW_STORE_OBJECT_PARTIAL && o->size == size &&
         o->mtime_ns == mtime_ns;
}

/* ---- what is too old ------------------------------------------------------------- */

/* Every event of an object happened before the object was written:
 * CloudTrail delivers a file minutes after its events, S3 keys carry the
 * delivery time (YYYY/MM/DD folders, _YYYYMMDDTHHMMZ_ names), and a file's
 * mtime is when it was written or, with aws s3 sync, its S3 LastModified
 * time. So when the key time or the mtime is more than 15 days old, every
 * event of the object is more than 14 days old, and tw_api_ingest_live
 * skips each of them as too old: reading the object again could only
 * ingest events inside the 14-day window, and it has none. Forgetting its
 * row thus can neither duplicate nor lose an event, and not reading it
 * saves the work. (A file whose mtime was set back by hand while it holds
 * recent events is not read: touch it to have it read.) */
int tw_fdir_expired(const char *rel, int64_t mtime_ns, int64_t now_ms) {
  int64_t cutoff = now_ms - TW_FDONE_KEEP_MS;
  if (mtime_ns / 1000000 < cutoff)
    return 1;
  tw_ingest_key_info k;
  tw_ingest_key_parse(rel, &k);
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  o.from_ms = cutoff;
  o.to_ms = INT64_MAX;
  return tw_ingest_key_outside(&k, &o);
}

/* The last (up to) 5 components of rel into c/n[5 - k .. 5); k. */
static size_t tw_fdone_tail(const char *rel, const char *c[5], size_t n[5]) {
  size_t k = 0;
  const char *end = rel + strlen(rel);
  while (k < 5 && end > rel) {
    const char *p = end;
    while (p > rel && p[-1] != '/')
      p--;
    if (end > p) {
      k++;
      c[5 - k] = p;
      n[5 - k] = (size_t)(end - p);
    }
    end = p > rel ? p - 1 : rel;
  }
  return k;
}

static int tw_fdone_num(const char *p, size_t n, size_t want, int *out) {
  if (n != want)
    return 0;
  *out = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9')
      return 0;
    *out = *out * 10 + (p[i] - '0');
  }
  return 1;
}

/* The end (ms) of the period of the date components after a CloudTrail
 * folder: YYYY (depth 1), YYYY/MM (2), YYYY/MM/DD (3); -1 when invalid. */
static int64_t tw_fdone_period_end(const char *const *c, const size_t *n,
                                   size_t depth) {
  int y, m = 1, d = 1;
  if (!tw_fdone_num(c[0], n[0], 4, &y) || y < 1970 ||
      (depth > 1 && (!tw_fdone_num(c[1], n[1], 2, &m) || m < 1 || m > 12)) ||
      (depth > 2 && (!tw_fdone_num(c[2], n[2], 2, &d) || d < 1 || d > 31)))
    return -1;
  struct tm tm = {0};
  tm.tm_year = y - 1900 + (depth == 1);
  tm.tm_mon = m - 1 + (depth == 2);
  tm.tm_mday = d + (depth == 3); /* timegm normalises the overflow */
  return (int64_t)timegm(&tm) * 1000;
}

int tw_fdir_dir_expired(const char *rel, int64_t now_ms) {
  const char *c[5];
  size_t n[5];
  size_t k = tw_fdone_tail(rel, c, n);
  for (size_t depth = 1; depth <= 3 && depth + 2 <= k; depth++) {
    size_t ct = 5 - depth - 2; /* CloudTrail, region, date parts */
    if (!((n[ct] == 10 && !memcmp(c[ct], "CloudTrail", 10)) ||
          (n[ct] == 18 && !memcmp(c[ct], "CloudTrail-Insight", 18))))
      continue;
    int64_t end = tw_fdone_period_end(c + ct + 2, n + ct + 2, depth);
    return end >= 0 && end <= now_ms - TW_FDONE_KEEP_MS;
  }
  return 0;
}

/* ---- loading and forgetting -------------------------------------------------------- */

static int tw_fdone_load_row(const tw_store_object *o, void *ud) {
  tw_fmap *m = ud;
  tw_fobj r = {(char *)o->path, o->size, o->mtime_ns, o->events, o->errors,
               {0}};
  memcpy(r.sha, o->sha256, 32);
  return tw_fmap_put(m, &r);
}

static int tw_fdone_load_map(tw_fsrc *s, tw_fmap *m) {
  tw_api_lock(s->api);
  int rc = tw_store_object_list(tw_api_store(s->api), s->path,
                                tw_fdone_load_row, m);
  tw_api_unlock(s->api);
  return rc;
}

/* Delete the rows of the objects older than cutoff_ns by mtime, before
 * loading, so that they never take memory: TW_FDONE_DELETE_TX rows per
 * transaction, so that the API lock is never held long. */
static int tw_fdone_expire_rows(tw_fsrc *s, int64_t cutoff_ns,
                                int64_t *deleted) {
  int64_t n = TW_FDONE_DELETE_TX;
  int rc = TW_OK;
  *deleted = 0;
  while (rc == TW_OK && n == TW_FDONE_DELETE_TX) {
    tw_api_lock(s->api);
    rc = tw_api_begin(s->api);
    if (rc == TW_OK &&
        (rc = tw_store_object_expire(tw_api_store(s->api), s->path, cutoff_ns,
                                     TW_FDONE_DELETE_TX, &n)) != TW_OK)
      tw_api_rollback(s->api);
    else if (rc == TW_OK)
      rc = tw_api_commit(s->api);
    tw_api_unlock(s->api);
    *deleted += rc == TW_OK ? n : 0;
  }
  return rc;
}

/* Delete the rows of paths[0 .. n) in one transaction. */
static int tw_fdone_delete_tx(tw_fsrc *s, char **paths, size_t n) {
  tw_api_lock(s->api);
  int rc = tw_api_begin(s->api);
  for (size_t i = 0; rc == TW_OK && i < n; i++)
    rc = tw_store_object_delete(tw_api_store(s->api), s->path, paths[i]);
  if (rc == TW_OK)
    rc = tw_api_commit(s->api);
  else
    tw_api_rollback(s->api);
  tw_api_unlock(s->api);
  return rc;
}

static int tw_fdone_delete_rows(tw_fsrc *s, char **paths, size_t n) {
  int rc = TW_OK;
  for (size_t at = 0; rc == TW_OK && at < n; at += TW_FDONE_DELETE_TX) {
    size_t k = n - at < TW_FDONE_DELETE_TX ? n - at : TW_FDONE_DELETE_TX;
    rc = tw_fdone_delete_tx(s, paths + at, k);
  }
  return rc;
}

static void tw_fdone_log(tw_fsrc *s, int64_t n, int rc) {
  char a[24];
  if (rc)
    tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", s->path,
              "error", tw_strerror(rc), "state",
              "old object rows not deleted (tried again later)", NULL);
  else if (n)
    tw_log_kv(s->log, TW_LOG_INFO, "follow.pruned", "source", s->path,
              "objects", tw_follow_num(a, sizeof a, n), NULL);
}

static int tw_fdone_gone(const tw_fobj *o, void *ud) {
  return tw_fdir_expired(o->path, o->mtime_ns, *(const int64_t *)ud);
}

int tw_fdir_prune(tw_fsrc *s, tw_fdir *d, int64_t now_ms) {
  char **paths;
  size_t n;
  d->next_prune_ms = now_ms + TW_FDONE_PRUNE_MS;
  int rc = tw_fmap_remove_if(&d->done, tw_fdone_gone, &now_ms, &paths, &n);
  if (rc == TW_OK && n)
    rc = tw_fdone_delete_rows(s, paths, n);
  tw_fdone_log(s, (int64_t)n, rc);
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  return rc;
}

int tw_fdir_load(tw_fsrc *s, tw_fdir *d) {
  int64_t now = tw_api_now_ms(), deleted = 0;
  int rc = tw_fdone_expire_rows(s, (now - TW_FDONE_KEEP_MS) * 1000000,
                                &deleted);
  tw_fdone_log(s, deleted, rc);
  rc = tw_fdone_load_map(s, &d->done);
  if (rc == TW_OK)
    (void)tw_fdir_prune(s, d, now); /* the rows expired by key time */
  return rc;
}

int tw_fdir_reload(tw_fsrc *s, tw_fdir *d) {
  tw_fmap fresh = {NULL, 0, 0};
  int rc = tw_fdone_load_map(s, &fresh);
  if (rc) {
    tw_fmap_free(&fresh);
    return rc;
  }
  tw_fmap_free(&d->done);
  d->done = fresh;
  d->stale = 0;
  return TW_OK;
}
