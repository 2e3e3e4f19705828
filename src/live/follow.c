/*
 * follow.c — the live sources of `trailwatch serve` (--follow PATH):
 * classifies each path (directory, regular file, "-" for standard input),
 * prepares it (a path that cannot be followed fails the start, nothing
 * started), makes sure the log group exists, then runs one thread per
 * source (follow_dir.c, follow_file.c, follow_stdin.c). tw_follow_stop
 * raises a flag and an eventfd that every wait of the sources polls, so
 * the threads finish their batch in progress and return promptly.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "live/follow_internal.h"

struct tw_follow {
  tw_fsrc **src;
  size_t n;
  int stop_fd;
  atomic_int stopping;
  char *group;
};

int tw_follow_stopping(const tw_fsrc *s) {
  return atomic_load(s->stopping) != 0;
}

int tw_follow_wait(const tw_fsrc *s, int fd, int timeout_ms) {
  struct pollfd p[2] = {{s->stop_fd, POLLIN, 0}, {fd, POLLIN, 0}};
  if (tw_follow_stopping(s))
    return -1;
  int n = poll(p, fd >= 0 ? 2 : 1, timeout_ms);
  if (tw_follow_stopping(s) || (n > 0 && (p[0].revents & POLLIN)))
    return -1;
  return n > 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) ? 1
                                                                       : 0;
}

const char *tw_follow_num(char *buf, size_t cap, int64_t v) {
  snprintf(buf, cap, "%lld", (long long)v);
  return buf;
}

/* ---- sources ------------------------------------------------------------ */

static void tw_fsrc_free(tw_fsrc *s) {
  if (!s)
    return;
  if (s->kind == TW_FOLLOW_DIR)
    tw_fdir_free(s);
  else if (s->kind == TW_FOLLOW_FILE)
    tw_ffile_free(s);
  free(s->path);
  free(s->source);
  free(s);
}

/* Canonical path: the directory itself, or a file's directory + name (a
 * followed file is followed by name, across rotation and symlinks). */
static char *tw_follow_canonical(const char *path, int is_dir) {
  char buf[PATH_MAX];
  if (is_dir)
    return realpath(path, buf) ? strdup(buf) : NULL;
  char *a = strdup(path), *b = strdup(path), *out = NULL;
  if (a && b && realpath(dirname(a), buf)) {
    const char *name = basename(b);
    size_t n = strlen(buf) + strlen(name) + 2;
    if ((out = malloc(n)))
      snprintf(out, n, "%s%s%s", buf, strcmp(buf, "/") ? "/" : "", name);
  }
  free(a);
  free(b);
  return out;
}

static int tw_fsrc_classify(tw_fsrc *s, const char *path, tw_error *err) {
  struct stat sb;
  if (!strcmp(path, "-")) {
    s->kind = TW_FOLLOW_STDIN;
    s->path = strdup("-");
    s->source = strdup("stdin");
    return s->path && s->source ? TW_OK : TW_ENOMEM;
  }
  if (stat(path, &sb) != 0)
    return tw_error_set(err, TW_EINVAL, 0, "--follow %s: %s", path,
                        strerror(errno));
  if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
    return tw_error_set(err, TW_EINVAL, 0,
                        "--follow %s: not a directory, a regular file or -",
                        path);
  s->kind = S_ISDIR(sb.st_mode) ? TW_FOLLOW_DIR : TW_FOLLOW_FILE;
  s->path = tw_follow_canonical(path, s->kind == TW_FOLLOW_DIR);
  if (!s->path)
    return tw_error_set(err, TW_EINVAL, 0, "--follow %s: %s", path,
                        strerror(errno));
  size_t n = strlen(s->path) + 8;
  if (!(s->source = malloc(n)))
    return TW_ENOMEM;
  snprintf(s->source, n, "follow:%s", s->path);
  return TW_OK;
}

static int tw_fsrc_new(tw_follow *f, tw_api *api, const char *path,
                       tw_fsrc **out, tw_error *err) {
  tw_fsrc *s = calloc(1, sizeof *s);
  if (!s)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  s->api = api;
  s->log = tw_api_log(api);
  s->group = f->group;
  s->stop_fd = f->stop_fd;
  s->stopping = &f->stopping;
  int rc = tw_fsrc_classify(s, path, err);
  for (size_t i = 0; rc == TW_OK && i < f->n; i++)
    if (!strcmp(f->src[i]->path, s->path))
      rc = tw_error_set(err, TW_EINVAL, 0, "--follow %s: given twice", path);
  if (rc == TW_OK && s->kind == TW_FOLLOW_DIR)
    rc = tw_fdir_prepare(s, err);
  if (rc == TW_OK && s->kind == TW_FOLLOW_FILE)
    rc = tw_ffile_prepare(s, err);
  if (rc == TW_ENOMEM)
    tw_error_set(err, rc, 0, "out of memory");
  if (rc) {
    tw_fsrc_free(s);
    return rc;
  }
  *out = s;
  return TW_OK;
}

/* ---- start / stop ------------------------------------------------------- */

static int tw_follow_group(tw_api *api, const char *group, tw_error *err) {
  tw_api_lock(api);
  int rc = tw_api_begin(api);
  if (rc == TW_OK && (rc = tw_api_ensure_group(api, group,
                                                tw_api_now_ms())) != TW_OK)
    tw_api_rollback(api);
  else if (rc == TW_OK)
    rc = tw_api_commit(api);
  tw_api_unlock(api);
  if (rc)
    tw_error_set(err, rc, 0, "--log-group %s: cannot create the log group",
                 group);
  return rc;
}

static const char *tw_follow_kind_name(tw_follow_kind k) {
  return k == TW_FOLLOW_DIR ? "dir" : k == TW_FOLLOW_FILE ? "file" : "stdin";
}

static int tw_follow_run(tw_follow *f, tw_error *err) {
  for (size_t i = 0; i < f->n; i++) {
    tw_fsrc *s = f->src[i];
    void *(*fn)(void *) = s->kind == TW_FOLLOW_DIR    ? tw_fdir_main
                          : s->kind == TW_FOLLOW_FILE ? tw_ffile_main
                                                      : tw_fstdin_main;
    tw_log_kv(s->log, TW_LOG_INFO, "follow.start", "source", s->path, "kind",
              tw_follow_kind_name(s->kind), "log_group", s->group, NULL);
    if (pthread_create(&s->thread, NULL, fn, s) != 0)
      return tw_error_set(err, TW_ENOMEM, 0, "cannot start a thread");
    s->started = 1;
  }
  return TW_OK;
}

static int tw_follow_add(tw_follow *f, tw_api *api, const char *path,
                         tw_error *err) {
  tw_fsrc *s = NULL;
  int rc = tw_fsrc_new(f, api, path, &s, err);
  if (rc)
    return rc;
  f->src[f->n++] = s;
  return TW_OK;
}

int tw_follow_start(tw_api *api, const tw_follow_opts *o, tw_follow **out,
                    tw_error *err) {
  const char *group = o->log_group ? o->log_group : TW_CONFIG_DEFAULT_LOG_GROUP;
  *out = NULL;
  if (!tw_api_group_name_ok(group))
    return tw_error_set(err, TW_EINVAL, 0, "--log-group %s: invalid log "
                        "group name", group);
  tw_follow *f = calloc(1, sizeof *f);
  if (!f)
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  atomic_init(&f->stopping, 0);
  f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!(f->group = strdup(group)) ||
      !(f->src = calloc(o->npaths ? o->npaths : 1, sizeof *f->src))) {
    tw_follow_stop(f);
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  }
  int rc = f->stop_fd >= 0 ? TW_OK
                           : tw_error_set(err, TW_EIO, 0, "eventfd: %s",
                                          strerror(errno));
  for (size_t i = 0; rc == TW_OK && i < o->npaths; i++)
    rc = tw_follow_add(f, api, o->paths[i], err);
  if (rc == TW_OK && o->npaths)
    rc = tw_follow_group(api, group, err);
  if (rc == TW_OK)
    rc = tw_follow_run(f, err);
  if (rc) {
    tw_follow_stop(f);
    return rc;
  }
  *out = f;
  return TW_OK;
}

void tw_follow_stop(tw_follow *f) {
  if (!f)
    return;
  atomic_store(&f->stopping, 1);
  if (f->stop_fd >= 0) {
    uint64_t one = 1;
    ssize_t w = write(f->stop_fd, &one, sizeof one);
    (void)w;
  }
  for (size_t i = 0; i < f->n; i++)
    if (f->src[i]->started)
      pthread_join(f->src[i]->thread, NULL);
  for (size_t i = 0; i < f->n; i++)
    tw_fsrc_free(f->src[i]);
  if (f->stop_fd >= 0)
    close(f->stop_fd);
  free(f->src);
  free(f->group);
  free(f);
}
