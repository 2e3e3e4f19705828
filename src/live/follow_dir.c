/*
 * follow_dir.c — `--follow DIR`: a CloudTrail archive (the
 * AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ layout, or any files)
 * that a sync keeps adding objects to. Every directory is watched with
 * inotify (a file closed after writing or renamed into place is read at
 * once; a new directory is watched and walked), and the whole tree is
 * walked at start, every 30 seconds and after an inotify overflow, as a
 * safety net. A file found by a walk is read once its mtime is a second
 * old (it may still be being written). Objects go through
 * follow_object.c; a batch of them commits in one transaction (a large
 * object in several). Objects and date directories too old to hold an
 * accepted event are skipped, and their progress rows forgotten at start
 * and at most hourly (follow_done.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live/follow_dir.h"

#define TW_FDIR_RESCAN_MS 30000
#define TW_FDIR_BATCH_OBJECTS 256 /* objects per transaction, at most */
#define TW_FDIR_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)

/* ---- queue ------------------------------------------------------------------------ */

int tw_fqueue_push(tw_fqueue *q, const char *rel, int from_event) {
  if (q->n == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 64;
    tw_fqitem *v = realloc(q->v, cap * sizeof *v);
    if (!v)
      return TW_ENOMEM;
    q->v = v;
    q->cap = cap;
  }
  if (!(q->v[q->n].rel = strdup(rel)))
    return TW_ENOMEM;
  q->v[q->n++].from_event = from_event;
  return TW_OK;
}

void tw_fqueue_clear(tw_fqueue *q) {
  for (size_t i = 0; i < q->n; i++)
    free(q->v[i].rel);
  q->n = 0;
}

static void tw_fqueue_free(tw_fqueue *q) {
  tw_fqueue_clear(q);
  free(q->v);
  q->v = NULL;
  q->cap = 0;
}

/* ---- prepare / free ------------------------------------------------------------------ */

int tw_fdir_prepare(tw_fsrc *s, tw_error *err) {
  tw_fdir *d = calloc(1, sizeof *d);
  if (!d)
    return TW_ENOMEM;
  s->state = d;
  const char *base = strrchr(s->path, '/');
  snprintf(d->fallback_stream, sizeof d->fallback_stream, "%s",
           base && base[1] ? base + 1 : "archive");
  if (tw_follow_ingest_new(&d->errs, &d->in))
    return TW_ENOMEM;
  d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (d->ifd < 0 || inotify_add_watch(d->ifd, s->path, TW_FDIR_MASK) < 0)
    return tw_error_set(err, TW_EIO, 0, "--follow %s: cannot watch: %s",
                        s->path, strerror(errno));
  return TW_OK;
}

void tw_fdir_free(tw_fsrc *s) {
  tw_fdir *d = s->state;
  if (!d)
    return;
  if (d->ifd >= 0)
    close(d->ifd);
  for (size_t i = 0; i < d->nwd; i++)
    free(d->wd[i]);
  free(d->wd);
  tw_fmap_free(&d->done);
  tw_fqueue_free(&d->queue);
  tw_fqueue_free(&d->deferred);
  tw_fbatch_free(&d->batch);
  for (size_t i = 0; i < d->npend; i++)
    free(d->pend[i].rec.path);
  free(d->pend);
  tw_ingest_free(d->in);
  tw_buf_free(&d->raw);
  free(d);
  s->state = NULL;
}

/* ---- watches ---------------------------------------------------------------------------- */

static int tw_fdir_set_wd(tw_fdir *d, int wd, const char *rel) {
  if ((size_t)wd >= d->nwd) {
    size_t n = (size_t)wd * 2 + 16;
    char **v = realloc(d->wd, n * sizeof *v);
    if (!v)
      return TW_ENOMEM;
    memset(v + d->nwd, 0, (n - d->nwd) * sizeof *v);
    d->wd = v;
    d->nwd = n;
  }
  char *copy = strdup(rel);
  if (!copy)
    return TW_ENOMEM;
  free(d->wd[wd]);
  d->wd[wd] = copy;
  return TW_OK;
}

static int tw_fdir_watch(tw_fsrc *s, tw_fdir *d, const char *full,
                         const char *rel) {
  int wd = inotify_add_watch(d->ifd, full, TW_FDIR_MASK);
  if (wd >= 0)
    return tw_fdir_set_wd(d, wd, rel);
  if (!d->watch_warned) {
    d->watch_warned = 1;
    tw_log_kv(s->log, TW_LOG_WARN, "follow.watch_failed", "source", s->path,
              "dir", full, "error", strerror(errno), "fallback",
              "periodic walks", NULL);
  }
  return TW_OK;
}

/* A directory no longer walked: its watch goes too (the IN_IGNORED that
 * follows finds no slot). */
static void tw_fdir_unwatch(tw_fdir *d, const char *rel) {
  for (size_t i = 0; i < d->nwd; i++)
    if (d->wd[i] && !strcmp(d->wd[i], rel)) {
      (void)inotify_rm_watch(d->ifd, (int)i);
      free(d->wd[i]);
      d->wd[i] = NULL;
    }
}

/* ---- walks ------------------------------------------------------------------------------ */

static char *tw_fdir_join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *out = malloc(n);
  if (out)
    snprintf(out, n, "%s%s%s", a, *a ? "/" : "", b);
  return out;
}

static int tw_fdir_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of dir, in byte order. */
static int tw_fdir_names(DIR *dir, char ***out, size_t *n) {
  struct dirent *e;
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  while ((e = readdir(dir))) {
    if (e->d_name[0] == '.')
      continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 32;
      char **v = realloc(*out, cap * sizeof *v);
      if (!v)
        return TW_ENOMEM;
      *out = v;
    }
    if (!((*out)[*n] = strdup(e->d_name)))
      return TW_ENOMEM;
    (*n)++;
  }
  if (*n)
    qsort(*out, *n, sizeof **out, tw_fdir_cmp);
  return TW_OK;
}

static int tw_fdir_walk(tw_fsrc *s, tw_fdir *d, const char *rel);

/* One entry of a walk: a directory is walked, a file new or changed since
 * it was done is queued. */
static int tw_fdir_entry(tw_fsrc *s, tw_fdir *d, int dfd, const char *name,
                         const char *rel) {
  struct stat sb;
  if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
    return TW_OK;
  if (S_ISLNK(sb.st_mode) &&
      (fstatat(dfd, name, &sb, 0) != 0 || !S_ISREG(sb.st_mode)))
    return TW_OK; /* links to files are read, links to directories not */
  if (S_ISDIR(sb.st_mode))
    return strcmp(name, "CloudTrail-Digest") ? tw_fdir_walk(s, d, rel)
                                             : TW_OK;
  int64_t now = tw_api_now_ms();
  int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
  if (!S_ISREG(sb.st_mode) || !tw_fdir_wanted(rel, now) ||
      tw_fdir_expired(rel, mtime, now))
    return TW_OK;
  if (tw_fobj_done(tw_fmap_get(&d->done, rel), sb.st_size, mtime))
    return TW_OK;
  return tw_fqueue_push(&d->queue, rel, 0);
}

static int tw_fdir_walk(tw_fsrc *s, tw_fdir *d, const char *rel) {
  if (*rel && tw_fdir_dir_expired(rel, tw_api_now_ms())) {
    tw_fdir_unwatch(d, rel); /* a day (month, year) of old objects only */
    return TW_OK;
  }
  char *full = *rel ? tw_fdir_join(s->path, rel) : strdup(s->path);
  if (!full)
    return TW_ENOMEM;
  int rc = tw_fdir_watch(s, d, full, rel);
  DIR *dir = rc == TW_OK ? opendir(full) : NULL;
  char **names = NULL;
  size_t n = 0;
  if (dir)
    rc = tw_fdir_names(dir, &names, &n);
  for (size_t i = 0; rc == TW_OK && i < n && !tw_follow_stopping(s); i++) {
    char *child = tw_fdir_join(rel, names[i]);
    rc = child ? tw_fdir_entry(s, d, dirfd(dir), names[i], child) : TW_ENOMEM;
    free(child);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  if (dir)
    closedir(dir);
  free(full);
  return rc;
}

/* ---- inotify events ---------------------------------------------------------------------- */

static int tw_fdir_event(tw_fsrc *s, tw_fdir *d, const struct inotify_event *e) {
  if (e->mask & IN_Q_OVERFLOW) {
    d->scan_needed = 1;
    return TW_OK;
  }
  if (e->wd < 0 || (size_t)e->wd >= d->nwd || !d->wd[e->wd])
    return TW_OK;
  if (e->mask & IN_IGNORED) {
    free(d->wd[e->wd]);
    d->wd[e->wd] = NULL;
    return TW_OK;
  }
  if (!e->len || e->name[0] == '.')
    return TW_OK;
  char *rel = tw_fdir_join(d->wd[e->wd], e->name);
  int rc = rel ? TW_OK : TW_ENOMEM;
  if (rc == TW_OK && (e->mask & IN_ISDIR) &&
      (e->mask & (IN_CREATE | IN_MOVED_TO)) &&
      strcmp(e->name, "CloudTrail-Digest"))
    rc = tw_fdir_walk(s, d, rel);
  else if (rc == TW_OK && !(e->mask & IN_ISDIR) &&
           (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
    rc = tw_fqueue_push(&d->queue, rel, 1);
  free(rel);
  return rc;
}

static int tw_fdir_events(tw_fsrc *s, tw_fdir *d) {
  char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
  int rc = TW_OK;
  ssize_t n;
  while (rc == TW_OK && (n = read(d->ifd, buf, sizeof buf)) > 0) {
    for (char *p = buf; rc == TW_OK && p < buf + n;) {
      const struct inotify_event *e = (const struct inotify_event *)p;
      rc = tw_fdir_event(s, d, e);
      p += sizeof *e + e->len;
    }
  }
  return rc;
}

/* ---- the loop ------------------------------------------------------------------------------ */

/* Read the queued objects, committing whenever a batch fills up. */
static int tw_fdir_drain(tw_fsrc *s, tw_fdir *d) {
  int rc = TW_OK;
  for (size_t i = 0; rc == TW_OK && i < d->queue.n; i++) {
    if (tw_follow_stopping(s))
      break;
    rc = tw_fdir_object(s, d, &d->queue.v[i]);
    if (rc == TW_OK && (d->npend >= TW_FDIR_BATCH_OBJECTS ||
                        tw_fbatch_full(&d->batch, tw_api_now_ms())))
      (void)tw_fdir_flush(s, d);
  }
  tw_fqueue_clear(&d->queue);
  (void)tw_fdir_flush(s, d);
  return rc;
}

int tw_fdir_scan(tw_fsrc *s, tw_fdir *d) {
  int rc = tw_fdir_walk(s, d, "");
  return rc ? rc : tw_fdir_drain(s, d);
}

/* Walks due (start, period, overflow) and deferred objects due. */
static int tw_fdir_due(tw_fsrc *s, tw_fdir *d, int64_t now) {
  int rc = TW_OK;
  if (d->scan_needed || now >= d->next_scan_ms) {
    d->scan_needed = 0;
    d->next_scan_ms = now + TW_FDIR_RESCAN_MS;
    if (now >= d->next_prune_ms)
      (void)tw_fdir_prune(s, d, now); /* failures: logged, tried later */
    rc = tw_fdir_walk(s, d, "");
  }
  if (rc == TW_OK && d->deferred.n && now >= d->retry_ms) {
    for (size_t i = 0; rc == TW_OK && i < d->deferred.n; i++)
      rc = tw_fqueue_push(&d->queue, d->deferred.v[i].rel, 0);
    tw_fqueue_clear(&d->deferred);
  }
  return rc;
}

static int tw_fdir_timeout(const tw_fdir *d, int64_t now) {
  int64_t next = d->next_scan_ms;
  if (d->deferred.n && d->retry_ms < next)
    next = d->retry_ms;
  int64_t t = next - now;
  return t < 0 ? 0 : t > TW_FDIR_RESCAN_MS ? TW_FDIR_RESCAN_MS : (int)t;
}

static int tw_fdir_run(tw_fsrc *s, tw_fdir *d) {
  int rc = tw_fdir_load(s, d);
  d->scan_needed = 1;
  while (rc == TW_OK && !tw_follow_stopping(s)) {
    rc = tw_fdir_due(s, d, tw_api_now_ms());
    if (rc == TW_OK)
      rc = tw_fdir_drain(s, d);
    if (rc)
      break;
    int w = tw_follow_wait(s, d->ifd, tw_fdir_timeout(d, tw_api_now_ms()));
    if (w < 0)
      break;
    if (w > 0)
      rc = tw_fdir_events(s, d);
  }
  return rc;
}

void *tw_fdir_main(void *arg) {
  tw_fsrc *s = arg;
  tw_fdir *d = s->state;
  int rc = tw_fdir_run(s, d);
  if (rc)
    tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", s->path,
              "error", tw_strerror(rc), "state", "source stopped", NULL);
  (void)tw_fdir_flush(s, d);
  return NULL;
}
