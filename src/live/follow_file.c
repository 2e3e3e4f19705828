/*
 * follow_file.c — `--follow FILE`: tail an NDJSON file by name into the
 * stream named after the file. Complete lines only; each batch commits
 * with the file's progress row (dev, inode, offset of the next line, the
 * bytes before it), so a restart resumes exactly where the last commit
 * ended. Rotation:
 *  - rename + create: the name points at another file. The old one is
 *    drained to its end, and the switch happens once the new file has
 *    data or the old one has been quiet for a second; the old file's
 *    unterminated last line, if any, is taken as final. The switch is
 *    committed with the old file's last events. After a restart, a file
 *    rotated away while the server was stopped is found again by inode in
 *    the same directory and drained first.
 *  - copytruncate: the file is shorter than the offset, or the bytes
 *    before the offset changed: read again from the start.
 * Wake-ups come from inotify on the file's directory, with a 250 ms poll
 * as a safety net (100 ms when inotify is not available).
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

#include "live/follow_internal.h"

#define TW_FFILE_CHUNK 65536
#define TW_FFILE_QUIET_MS 1000  /* old file quiet this long: switch */
#define TW_FFILE_COALESCE_MS 10 /* after data, wait this long for more */
#define TW_FFILE_MASK                                                      \
  (IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |  \
   IN_DELETE | IN_ATTRIB)

typedef struct tw_ffile {
  char *dir;                /* canonical parent directory */
  const char *name;         /* base name, inside tw_fsrc.path */
  char stream[513];
  int ifd;                  /* inotify on dir, -1: poll */
  int fd;                   /* file being read, -1: none yet */
  int64_t dev, ino;
  int64_t seen_size, seen_mtime; /* last fstat, -1: check again */
  int64_t grew_ms;          /* when the file being read last grew */
  int at_eof;               /* the last read reached its end */
  int rotated;              /* the name points at another file or none */
  tw_flines lines;
  tw_fbatch batch;
  int64_t base_pos;         /* last commit in this file (rewind point) */
  unsigned char base_sig[TW_STORE_TAIL_SIG];
  size_t base_sig_len;
  int64_t next_dev, next_ino; /* progress row of the file switched to */
  int switching;
  int warned_kind;          /* follow.not_regular logged */
  int failed;               /* a commit failed: pause before the next pass */
  char chunk[TW_FFILE_CHUNK];
} tw_ffile;

/* ---- prepare / free --------------------------------------------------------- */

static void tw_ffile_stream(tw_ffile *f) {
  snprintf(f->stream, sizeof f->stream, "%s", f->name);
  for (char *p = f->stream; *p; p++)
    if (*p == ':' || *p == '*')
      *p = '_';
}

int tw_ffile_prepare(tw_fsrc *s, tw_error *err) {
  tw_ffile *f = calloc(1, sizeof *f);
  if (!f)
    return TW_ENOMEM;
  s->state = f;
  f->fd = f->ifd = -1;
  char *slash = strrchr(s->path, '/');
  f->name = slash + 1;
  size_t n = (size_t)(slash - s->path);
  if (!(f->dir = strndup(s->path, n ? n : 1)) || tw_flines_init(&f->lines))
    return TW_ENOMEM;
  tw_ffile_stream(f);
  f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (f->ifd >= 0 && inotify_add_watch(f->ifd, f->dir, TW_FFILE_MASK) < 0) {
    close(f->ifd);
    f->ifd = -1;
  }
  (void)err;
  return TW_OK;
}

void tw_ffile_free(tw_fsrc *s) {
  tw_ffile *f = s->state;
  if (!f)
    return;
  if (f->fd >= 0)
    close(f->fd);
  if (f->ifd >= 0)
    close(f->ifd);
  tw_flines_free(&f->lines);
  tw_fbatch_free(&f->batch);
  free(f->dir);
  free(f);
  s->state = NULL;
}

/* ---- commits ------------------------------------------------------------------- */

static int tw_ffile_tx(tw_fsrc *s, void *ud, int64_t now_ms,
                       tw_live_counts *c) {
  tw_ffile *f = ud;
  int rc = TW_OK;
  if (f->batch.n)
    rc = tw_fbatch_ingest(s, &f->batch, 0, f->batch.n, f->stream, now_ms, c);
  tw_store_tail t;
  memset(&t, 0, sizeof t);
  t.dev = f->switching ? f->next_dev : f->dev;
  t.ino = f->switching ? f->next_ino : f->ino;
  t.pos = f->switching ? 0 : f->lines.pos;
  if (!f->switching) {
    memcpy(t.sig, f->lines.sig, f->lines.sig_len);
    t.sig_len = f->lines.sig_len;
  }
  t.updated_ms = now_ms;
  if (rc == TW_OK)
    rc = tw_store_tail_put(tw_api_store(s->api), s->path, &t);
  return rc;
}

static void tw_ffile_rewind(tw_ffile *f) {
  tw_flines_reset(&f->lines, f->base_pos);
  memcpy(f->lines.sig, f->base_sig, f->base_sig_len);
  f->lines.sig_len = f->base_sig_len;
  f->at_eof = 0;
}

static void tw_ffile_set_base(tw_ffile *f) {
  f->base_pos = f->lines.pos;
  memcpy(f->base_sig, f->lines.sig, f->lines.sig_len);
  f->base_sig_len = f->lines.sig_len;
}

/* Commit the batch and the position; on failure, read again from the last
 * commit. */
static int tw_ffile_flush(tw_fsrc *s, tw_ffile *f) {
  tw_flines_report(s, &f->lines);
  int rc = tw_follow_tx(s, tw_ffile_tx, f);
  tw_fbatch_clear(&f->batch);
  if (rc == TW_OK)
    tw_ffile_set_base(f);
  else
    tw_ffile_rewind(f);
  return rc;
}

/* ---- opening ----------------------------------------------------------------------- */

static void tw_ffile_adopt(tw_ffile *f, int fd, const struct stat *sb,
                           int64_t pos) {
  if (f->fd >= 0)
    close(f->fd);
  f->fd = fd;
  f->dev = (int64_t)sb->st_dev;
  f->ino = (int64_t)sb->st_ino;
  f->seen_size = f->seen_mtime = -1;
  f->grew_ms = tw_api_now_ms();
  f->at_eof = 0;
  f->rotated = 0;
  tw_flines_reset(&f->lines, pos);
  tw_ffile_set_base(f);
}

/* Something other than a regular file is at the name (a FIFO, a device,
 * a directory): not read, warned once until a regular file is back. */
static void tw_ffile_not_regular(tw_fsrc *s, tw_ffile *f, const char *path) {
  if (f->warned_kind)
    return;
  f->warned_kind = 1;
  tw_log_kv(s->log, TW_LOG_WARN, "follow.not_regular", "source", s->path,
            "file", path, "reason", "not a regular file (a FIFO, a device "
            "or a directory): not read; waiting for a regular file", NULL);
}

/* Open path; 1 when a regular file was opened, 0 when there is none (yet)
 * or something else is there. The open never blocks: O_NONBLOCK (cleared
 * once the file is known to be regular), since opening a FIFO for reading
 * would wait for a writer forever, and stopping with it. */
static int tw_ffile_open(tw_fsrc *s, tw_ffile *f, const char *path, int *fd,
                         struct stat *sb) {
  *fd = -1;
  if (stat(path, sb) != 0)
    return 0;
  if (!S_ISREG(sb->st_mode)) { /* not even opened (a device may react) */
    tw_ffile_not_regular(s, f, path);
    return 0;
  }
  *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (*fd < 0)
    return 0;
  int fl = fcntl(*fd, F_GETFL), ok = fstat(*fd, sb) == 0;
  if (ok && !S_ISREG(sb->st_mode)) { /* replaced after the stat */
    tw_ffile_not_regular(s, f, path);
    ok = 0;
  }
  if (!ok || fl < 0 || fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    close(*fd);
    *fd = -1;
    return 0;
  }
  f->warned_kind = 0;
  return 1;
}

/* The file of dir with that (dev, inode): where a rotated file went. */
static char *tw_ffile_find_inode(const char *dir, int64_t dev, int64_t ino) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char *found = NULL;
  while (d && !found && (e = readdir(d))) {
    struct stat sb;
    if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(sb.st_mode) && (int64_t)sb.st_dev == dev &&
        (int64_t)sb.st_ino == ino) {
      size_t n = strlen(dir) + strlen(e->d_name) + 2;
      if ((found = malloc(n)))
        snprintf(found, n, "%s/%s", dir, e->d_name);
    }
  }
  if (d)
    closedir(d);
  return found;
}

static void tw_ffile_resume_at(tw_fsrc *s, tw_ffile *f, const char *path,
                               const tw_store_tail *t) {
  int fd;
  struct stat sb;
  if (!tw_ffile_open(s, f, path, &fd, &sb))
    return;
  tw_ffile_adopt(f, fd, &sb, t->pos);
  memcpy(f->lines.sig, t->sig, t->sig_len);
  f->lines.sig_len = t->sig_len;
  tw_ffile_set_base(f);
  f->rotated = strcmp(path, s->path) != 0;
  if (f->rotated)
    tw_log_kv(s->log, TW_LOG_INFO, "follow.resume_rotated", "source",
              s->path, "file", path, NULL);
}

/* Where the last run stopped: the same file, the file it was rotated to,
 * or (gone) the file now at the name from its start. */
static int tw_ffile_resume(tw_fsrc *s, tw_ffile *f) {
  tw_store_tail t;
  tw_api_lock(s->api);
  int rc = tw_store_tail_get(tw_api_store(s->api), s->path, &t);
  tw_api_unlock(s->api);
  if (rc == TW_ENOTFOUND)
    return TW_OK;
  if (rc)
    return rc;
  struct stat sb;
  if (stat(s->path, &sb) == 0 && (int64_t)sb.st_dev == t.dev &&
      (int64_t)sb.st_ino == t.ino) {
    tw_ffile_resume_at(s, f, s->path, &t);
    return TW_OK;
  }
  char *old = tw_ffile_find_inode(f->dir, t.dev, t.ino);
  if (old)
    tw_ffile_resume_at(s, f, old, &t);
  else if (t.pos > 0)
    tw_log_kv(s->log, TW_LOG_WARN, "follow.lost", "source", s->path,
              "reason", "the file read before is gone; reading the file now "
                        "at that name from its start", NULL);
  free(old);
  return TW_OK;
}

/* ---- reading ------------------------------------------------------------------------- */

/* Copytruncate (or any rewrite): shorter than what was read, or other
 * bytes before the offset. */
static int tw_ffile_replaced(tw_ffile *f, int64_t size) {
  int64_t read_pos = f->lines.pos + (int64_t)f->lines.carry.len;
  if (size < read_pos)
    return 1;
  if (!f->lines.sig_len)
    return 0;
  unsigned char cur[TW_STORE_TAIL_SIG];
  ssize_t n = pread(f->fd, cur, f->lines.sig_len,
                    (off_t)(f->lines.pos - (int64_t)f->lines.sig_len));
  return n != (ssize_t)f->lines.sig_len ||
         memcmp(cur, f->lines.sig, f->lines.sig_len) != 0;
}

static void tw_ffile_check(tw_fsrc *s, tw_ffile *f) {
  struct stat sb;
  if (fstat(f->fd, &sb) != 0)
    return;
  int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
  if (sb.st_size == f->seen_size && mtime == f->seen_mtime)
    return;
  if (sb.st_size > f->seen_size)
    f->grew_ms = tw_api_now_ms();
  f->seen_size = sb.st_size;
  f->seen_mtime = mtime;
  f->at_eof = 0;
  if (!tw_ffile_replaced(f, sb.st_size))
    return;
  char a[24], b[24];
  tw_log_kv(s->log, TW_LOG_INFO, "follow.truncated", "source", s->path,
            "size", tw_follow_num(a, sizeof a, sb.st_size), "offset",
            tw_follow_num(b, sizeof b, f->lines.pos), NULL);
  tw_flines_reset(&f->lines, 0);
  f->base_pos = 0;
  f->base_sig_len = 0;
}

/* Take buffered lines, committing when a batch fills up. */
static int tw_ffile_take(tw_fsrc *s, tw_ffile *f, int final) {
  for (;;) {
    int rc = tw_flines_take(&f->lines, &f->batch, tw_api_now_ms(), final);
    if (rc)
      return rc;
    if (!tw_fbatch_full(&f->batch, tw_api_now_ms()))
      return TW_OK;
    if ((rc = tw_ffile_flush(s, f)) != TW_OK)
      return rc;
  }
}

/* Read to the end of the file (or until stopping); 1 when data came. */
static int tw_ffile_read(tw_fsrc *s, tw_ffile *f) {
  int got = 0;
  while (!f->at_eof && !tw_follow_stopping(s)) {
    int64_t at = f->lines.pos + (int64_t)f->lines.carry.len;
    ssize_t n = pread(f->fd, f->chunk, sizeof f->chunk, (off_t)at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      f->at_eof = 1;
      break;
    }
    got = 1;
    if (tw_flines_append(&f->lines, f->chunk, (size_t)n))
      return -1;
    int rc = tw_ffile_take(s, f, 0);
    if (rc == TW_ENOMEM)
      return -1;
    if (rc) { /* not committed, rewound: try again after a pause */
      f->failed = 1;
      return 0;
    }
  }
  return got;
}

/* ---- rotation ------------------------------------------------------------------------- */

static int tw_ffile_switch(tw_fsrc *s, tw_ffile *f, int fd,
                           const struct stat *sb) {
  int rc = tw_ffile_take(s, f, 1);
  f->next_dev = (int64_t)sb->st_dev;
  f->next_ino = (int64_t)sb->st_ino;
  f->switching = 1;
  if (rc == TW_OK)
    rc = tw_ffile_flush(s, f);
  f->switching = 0;
  if (rc) {
    close(fd);
    f->failed = 1;
    return rc;
  }
  tw_log_kv(s->log, TW_LOG_INFO, "follow.rotated", "source", s->path, NULL);
  tw_ffile_adopt(f, fd, sb, 0);
  return TW_OK;
}

/* After draining: does the name point at another file, and is it time to
 * switch to it? 1 when switched. */
static int tw_ffile_rotation(tw_fsrc *s, tw_ffile *f) {
  struct stat sb;
  if (stat(s->path, &sb) != 0) {
    f->rotated = 1;
    return 0;
  }
  if ((int64_t)sb.st_dev == f->dev && (int64_t)sb.st_ino == f->ino) {
    f->rotated = 0;
    return 0;
  }
  f->rotated = 1;
  if (sb.st_size == 0 && tw_api_now_ms() - f->grew_ms < TW_FFILE_QUIET_MS)
    return 0;
  int fd;
  return tw_ffile_open(s, f, s->path, &fd, &sb) &&
         tw_ffile_switch(s, f, fd, &sb) == TW_OK;
}

/* One pass: open, notice truncation, read to the end, commit, rotation. */
static int tw_ffile_pass(tw_fsrc *s, tw_ffile *f) {
  if (f->fd < 0) {
    int fd;
    struct stat sb;
    if (!tw_ffile_open(s, f, s->path, &fd, &sb))
      return 0;
    tw_ffile_adopt(f, fd, &sb, 0);
  }
  tw_ffile_check(s, f);
  int got = tw_ffile_read(s, f);
  if (got < 0)
    return -1;
  if (!f->failed && (f->batch.n || f->lines.pos != f->base_pos) &&
      tw_ffile_flush(s, f) != TW_OK)
    f->failed = 1;
  if (!f->failed && f->at_eof && !tw_follow_stopping(s) &&
      tw_ffile_rotation(s, f))
    got = 1;
  return got;
}

static void tw_ffile_drain_events(tw_ffile *f) {
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  while (f->ifd >= 0 && read(f->ifd, buf, sizeof buf) > 0)
    ;
}

/* Wait before the next pass: shortly after data or a failure, else until
 * inotify or the poll says something happened. -1 when stopping. */
static int tw_ffile_wait(tw_fsrc *s, tw_ffile *f, int got) {
  if (f->failed) { /* the store failed: pause, then read again */
    f->failed = 0;
    return tw_follow_wait(s, -1, 1000) < 0 ? -1 : 0;
  }
  if (got > 0) /* more may be coming: look again shortly */
    return tw_follow_wait(s, -1, TW_FFILE_COALESCE_MS) < 0 ? -1 : 0;
  int poll_ms = f->rotated ? 100 : f->ifd >= 0 ? 250 : 100;
  int w = tw_follow_wait(s, f->ifd, poll_ms);
  if (w > 0)
    tw_ffile_drain_events(f);
  return w < 0 ? -1 : 0;
}

void *tw_ffile_main(void *arg) {
  tw_fsrc *s = arg;
  tw_ffile *f = s->state;
  if (tw_ffile_resume(s, f)) {
    tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", s->path,
              "error", "cannot read the progress", NULL);
    return NULL;
  }
  for (;;) {
    int got = tw_ffile_pass(s, f);
    if (got < 0) {
      tw_log_kv(s->log, TW_LOG_ERROR, "follow.error", "source", s->path,
                "error", "out of memory", NULL);
      break;
    }
    if (tw_ffile_wait(s, f, got) < 0)
      break;
  }
  if (f->batch.n)
    (void)tw_ffile_flush(s, f);
  return NULL;
}
