/*
 * follow_dir.h — the state of a followed directory shared by
 * follow_dir.c (inotify watches, walks, the loop) and follow_object.c
 * (the map of objects done, reading one object, committing a batch).
 */
#ifndef TW_FOLLOW_DIR_H
#define TW_FOLLOW_DIR_H

#include "live/follow_internal.h"

/* An object done: what its progress row says. */
typedef struct tw_fobj {
  char *path;               /* relative; NULL = empty slot */
  int64_t size, mtime_ns, events, errors;
  unsigned char sha[32];
} tw_fobj;

/* Objects done, by relative path (open addressing). */
typedef struct tw_fmap {
  tw_fobj *slot;
  size_t cap, n;
} tw_fmap;

tw_fobj *tw_fmap_get(const tw_fmap *m, const char *path);
/* Insert or update (the path is copied when new). */
int tw_fmap_put(tw_fmap *m, const tw_fobj *o);
void tw_fmap_free(tw_fmap *m);
/* Remove the objects gone(o, ud) says are gone; their paths move to
 * *paths (*n of them; free each and the array). TW_OK or TW_ENOMEM (then
 * m is unchanged). */
int tw_fmap_remove_if(tw_fmap *m, int (*gone)(const tw_fobj *o, void *ud),
                      void *ud, char ***paths, size_t *n);

/* 1 when o records the object (size, mtime_ns) as done: all of its
 * events committed (not a partial row). */
int tw_fobj_done(const tw_fobj *o, int64_t size, int64_t mtime_ns);

/* An object read into the batch, not committed yet. */
typedef struct tw_fpend {
  tw_fobj rec;              /* rec.path owned */
  char stream[513];
  size_t from, to;          /* its events in the batch */
  uint64_t skip;            /* its events before those (committed before) */
} tw_fpend;

/* Objects to look at. */
typedef struct tw_fqitem {
  char *rel;
  int from_event;           /* complete (close/rename seen): no quiet wait */
} tw_fqitem;

typedef struct tw_fqueue {
  tw_fqitem *v;
  size_t n, cap;
} tw_fqueue;

int tw_fqueue_push(tw_fqueue *q, const char *rel, int from_event);
void tw_fqueue_clear(tw_fqueue *q);

typedef struct tw_fdir {
  int ifd;                  /* inotify */
  char **wd;                /* watch descriptor -> relative dir ("" root) */
  size_t nwd;
  int watch_warned;
  tw_fmap done;
  int stale;                /* done misses committed rows: reload it */
  int64_t next_prune_ms;
  tw_fqueue queue, deferred;
  int64_t retry_ms, next_scan_ms;
  int scan_needed;
  tw_fbatch batch;
  tw_fpend *pend;
  size_t npend, cappend;
  tw_ingest *in;
  tw_ferrs errs;
  tw_buf raw;               /* the object being read */
  char fallback_stream[513];
} tw_fdir;

/* 1 when the object at rel (relative path) is to be read at all: not
 * hidden, temporary or a digest, and its S3 key does not show it too old
 * for CloudWatch Logs. */
int tw_fdir_wanted(const char *rel, int64_t now_ms);
/* Look at one object: read it into the batch when new or changed, defer
 * it when it may still be being written. */
int tw_fdir_object(tw_fsrc *s, tw_fdir *d, const tw_fqitem *it);
/* Commit the batch: events and object rows in one transaction. */
int tw_fdir_flush(tw_fsrc *s, tw_fdir *d);
/* Load the objects done from the store, forgetting the expired ones. */
int tw_fdir_load(tw_fsrc *s, tw_fdir *d);
/* Replace the map by the store's rows (after a failed insertion). */
int tw_fdir_reload(tw_fsrc *s, tw_fdir *d);
/* Forget (map and store) the objects expired at now_ms. */
int tw_fdir_prune(tw_fsrc *s, tw_fdir *d, int64_t now_ms);
/* 1 when an object (relative path rel, mtime mtime_ns) is too old to hold
 * any event still accepted: it is neither read nor remembered. */
int tw_fdir_expired(const char *rel, int64_t mtime_ns, int64_t now_ms);
/* 1 when rel is a .../CloudTrail/<region>/YYYY[/MM[/DD]] directory whose
 * whole period is expired: it is not walked (nor watched). */
int tw_fdir_dir_expired(const char *rel, int64_t now_ms);
/* One walk of the whole tree, then read what it found (commits included). */
int tw_fdir_scan(tw_fsrc *s, tw_fdir *d);

#endif /* TW_FOLLOW_DIR_H */
