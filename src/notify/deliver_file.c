/*
 * deliver_file.c — the "file" target: append one NDJSON line per
 * notification (tw_notify_file_line) to a file, created 0644 (less the
 * umask) if missing. The file is opened with O_APPEND and each line goes
 * out in a single write(2), so concurrent writers — threads or processes —
 * never interleave within a line; `fsync` makes each line durable before
 * the delivery counts as done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify/notify.h"

static int tw_file_check(const tw_delivery *d, char *err, size_t cap) {
  if (!d->path || !*d->path)
    return tw_notify_err(err, cap, "file: path is required");
  return TW_OK;
}

/* Errors a retry will not fix. */
static int tw_file_permanent(int e) {
  return e == EACCES || e == EPERM || e == ENOENT || e == ENOTDIR ||
         e == EISDIR || e == EROFS || e == ELOOP || e == ENAMETOOLONG ||
         e == EINVAL;
}

static int tw_file_errno(tw_delivery_result *out, const char *what,
                         const char *path, int e) {
  return tw_notify_fail(out, TW_EIO, !tw_file_permanent(e), "file: %s %s: %s",
                        what, path, strerror(e));
}

/* One write(2) for the whole line when the system allows; a short write
 * (disk full, signal) is completed but reported if it still fails. */
static int tw_file_write(int fd, const char *line, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, line + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return n < 0 ? errno : EIO;
    off += (size_t)n;
  }
  return 0;
}

static int tw_file_deliver(const tw_delivery *d, const tw_notification *n,
                           tw_delivery_result *out) {
  char *line = NULL;
  int rc = tw_notify_file_line(n, &line);
  if (rc != TW_OK)
    return tw_notify_fail(out, rc, 1, "file: cannot build the line");
  int fd = open(d->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    rc = tw_file_errno(out, "cannot open", d->path, errno);
  } else {
    size_t len = strlen(line);
    int e = tw_file_write(fd, line, len);
    if (!e && d->fsync && fsync(fd) != 0)
      e = errno;
    if (close(fd) != 0 && !e && errno != EINTR)
      e = errno;
    rc = e ? tw_file_errno(out, "cannot append to", d->path, e)
           : tw_notify_done(out, "appended %zu bytes", len);
  }
  free(line);
  return rc;
}

const tw_delivery_ops tw_delivery_file_ops = {TW_DELIVERY_FILE, "file",
                                              tw_file_check, tw_file_deliver};
