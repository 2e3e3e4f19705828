/*
 * notify_proc.c — running a child program for the command and email
 * targets of src/notify/: fork + execve (no shell) in its own process
 * group, the payload on stdin, stdout and stderr captured together (first
 * 4 KiB kept), a time limit enforced with SIGTERM to the group and SIGKILL
 * TW_NOTIFY_KILL_GRACE_MS later, and the child always reaped. Inherited
 * descriptors are closed at exec (O_CLOEXEC pipes, close_range). SIGPIPE
 * is blocked in the calling thread only while writing, so a child that
 * does not read its stdin costs an EPIPE, not the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "notify/notify.h"

extern char **environ;

#define TW_PROC_CHUNK 65536
#define TW_PROC_MAX_FD 65536 /* fallback close loop bound */
#define TW_PROC_MAX_TIMEOUT_MS (7LL * 24 * 3600 * 1000)

/* ---- preparing (before fork: the child may only call async-signal-safe
 * functions, so everything is allocated here) ---- */

typedef struct tw_proc_prep {
  char **argv;
  char **envp;
  int in[2], out[2], err[2];
  int maxfd;
} tw_proc_prep;

static int tw_proc_env_overridden(const char *entry, const tw_notify_proc *p) {
  for (size_t i = 0; i < p->nenv; i++) {
    size_t len = strcspn(p->env[i], "=");
    if (strncmp(entry, p->env[i], len) == 0 && entry[len] == '=')
      return 1;
  }
  return 0;
}

static int tw_proc_envp(const tw_notify_proc *p, char ***out) {
  size_t n = 0, k = 0;
  while (environ && environ[n])
    n++;
  char **envp = calloc(n + p->nenv + 1, sizeof *envp);
  if (!envp)
    return TW_ENOMEM;
  for (size_t i = 0; i < n; i++)
    if (!tw_proc_env_overridden(environ[i], p))
      envp[k++] = environ[i];
  for (size_t i = 0; i < p->nenv; i++)
    envp[k++] = (char *)p->env[i];
  *out = envp;
  return TW_OK;
}

static int tw_proc_argv(const tw_notify_proc *p, char ***out) {
  char **argv = calloc(p->argc + 1, sizeof *argv);
  if (!argv)
    return TW_ENOMEM;
  for (size_t i = 0; i < p->argc; i++)
    argv[i] = (char *)p->argv[i];
  *out = argv;
  return TW_OK;
}

/* A close-on-exec pipe whose ends are >= 3 (so dup2 onto 0..2 in the
 * child never meets an end that already has that number). */
static int tw_proc_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  for (int i = 0; i < 2; i++)
    if (fds[i] < 3) {
      int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
      close(fds[i]);
      fds[i] = moved;
    }
  if (fds[0] < 0 || fds[1] < 0) {
    if (fds[0] >= 0)
      close(fds[0]);
    if (fds[1] >= 0)
      close(fds[1]);
    return -1;
  }
  return 0;
}

static void tw_proc_close(int *fd) {
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

static void tw_proc_unprep(tw_proc_prep *pp) {
  free(pp->argv);
  free(pp->envp);
  for (int i = 0; i < 2; i++) {
    tw_proc_close(&pp->in[i]);
    tw_proc_close(&pp->out[i]);
    tw_proc_close(&pp->err[i]);
  }
}

static int tw_proc_prepare(const tw_notify_proc *p, tw_proc_prep *pp) {
  memset(pp, 0, sizeof *pp);
  for (int i = 0; i < 2; i++)
    pp->in[i] = pp->out[i] = pp->err[i] = -1;
  long maxfd = sysconf(_SC_OPEN_MAX);
  pp->maxfd = maxfd < 0 || maxfd > TW_PROC_MAX_FD ? TW_PROC_MAX_FD : (int)maxfd;
  int rc = tw_proc_argv(p, &pp->argv);
  if (rc == TW_OK)
    rc = tw_proc_envp(p, &pp->envp);
  if (rc == TW_OK && (tw_proc_pipe(pp->in) || tw_proc_pipe(pp->out) ||
                      tw_proc_pipe(pp->err)))
    rc = TW_EIO;
  if (rc == TW_OK && (fcntl(pp->in[1], F_SETFL, O_NONBLOCK) ||
                      fcntl(pp->out[0], F_SETFL, O_NONBLOCK)))
    rc = TW_EIO;
  return rc;
}

/* ---- the child ---- */

/* Mark every descriptor from 3 up close-on-exec (or close it, sparing
 * the exec-error pipe). */
static void tw_proc_close_inherited(int keep, int maxfd) {
#if defined(CLOSE_RANGE_CLOEXEC) && defined(SYS_close_range)
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
#endif
  for (int fd = 3; fd < maxfd; fd++)
    if (fd != keep)
      close(fd);
}

static _Noreturn void tw_proc_child(const tw_notify_proc *p, tw_proc_prep *pp) {
  sigset_t none;
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGPIPE, &dfl, NULL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setpgid(0, 0);
  if (dup2(pp->in[0], 0) < 0 || dup2(pp->out[1], 1) < 0 || dup2(pp->out[1], 2) < 0)
    _exit(127);
  tw_proc_close_inherited(pp->err[1], pp->maxfd);
  execve(p->path, pp->argv, pp->envp);
  int e = errno;
  ssize_t w = write(pp->err[1], &e, sizeof e);
  (void)w;
  _exit(127);
}

/* ---- the parent's loop ---- */

typedef struct tw_proc_io {
  pid_t pid;
  int in_fd, out_fd, pidfd;
  const char *input;
  size_t len, off;
  int64_t deadline, kill_at; /* monotonic ms; kill_at 0: not pending */
  int timed_out, reaped, status;
} tw_proc_io;

static int64_t tw_proc_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tw_proc_write(tw_proc_io *io) {
  size_t left = io->len - io->off;
  ssize_t n = write(io->in_fd, io->input + io->off,
                    left > TW_PROC_CHUNK ? TW_PROC_CHUNK : left);
  if (n > 0)
    io->off += (size_t)n;
  else if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0 || io->off == io->len)
    tw_proc_close(&io->in_fd); /* done, or the child stopped reading */
}

static void tw_proc_read(tw_proc_io *io, tw_delivery_result *out) {
  char buf[4096];
  for (int i = 0; i < 16; i++) {
    ssize_t n = read(io->out_fd, buf, sizeof buf);
    if (n > 0) {
      tw_notify_capture(out, buf, (size_t)n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    tw_proc_close(&io->out_fd);
    return;
  }
}

static void tw_proc_reap(tw_proc_io *io, int options) {
  int status;
  pid_t r;
  do
    r = waitpid(io->pid, &status, options);
  while (r < 0 && errno == EINTR);
  if (r == io->pid) {
    io->reaped = 1;
    io->status = status;
  } else if (r < 0) {
    io->reaped = 1; /* ECHILD: reaped elsewhere (SIGCHLD ignored) */
    io->status = -1;
  }
}

static void tw_proc_deadlines(tw_proc_io *io) {
  int64_t t = tw_proc_now();
  if (!io->timed_out && t >= io->deadline) {
    io->timed_out = 1;
    kill(-io->pid, SIGTERM);
    kill(io->pid, SIGTERM); /* in case setpgid lost a race */
    io->kill_at = t + TW_NOTIFY_KILL_GRACE_MS;
  } else if (io->kill_at && t >= io->kill_at) {
    kill(-io->pid, SIGKILL);
    kill(io->pid, SIGKILL);
    io->kill_at = 0;
  }
}

static int tw_proc_wait_ms(const tw_proc_io *io) {
  int64_t t = tw_proc_now(), w = io->pidfd >= 0 ? 1000 : 20;
  if (!io->timed_out && io->deadline - t < w)
    w = io->deadline - t;
  if (io->kill_at && io->kill_at - t < w)
    w = io->kill_at - t;
  return w < 0 ? 0 : (int)w;
}

static void tw_proc_step(tw_proc_io *io, tw_delivery_result *out) {
  struct pollfd fds[3];
  int nfds = 0, iin = -1, iout = -1;
  if (io->in_fd >= 0) {
    iin = nfds;
    fds[nfds++] = (struct pollfd){io->in_fd, POLLOUT, 0};
  }
  if (io->out_fd >= 0) {
    iout = nfds;
    fds[nfds++] = (struct pollfd){io->out_fd, POLLIN, 0};
  }
  if (io->pidfd >= 0)
    fds[nfds++] = (struct pollfd){io->pidfd, POLLIN, 0};
  if (poll(fds, (nfds_t)nfds, tw_proc_wait_ms(io)) <= 0)
    return;
  if (iin >= 0 && (fds[iin].revents & (POLLERR | POLLHUP | POLLNVAL)))
    tw_proc_close(&io->in_fd);
  else if (iin >= 0 && (fds[iin].revents & POLLOUT))
    tw_proc_write(io);
  if (iout >= 0 && fds[iout].revents)
    tw_proc_read(io, out);
}

static int tw_proc_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    return (int)fd;
  }
#endif
  (void)pid;
  return -1;
}

static void tw_proc_loop(tw_proc_io *io, tw_delivery_result *out) {
  if (io->len == 0)
    tw_proc_close(&io->in_fd);
  while (!io->reaped) {
    tw_proc_step(io, out);
    tw_proc_reap(io, WNOHANG);
    if (!io->reaped)
      tw_proc_deadlines(io);
  }
  if (io->out_fd >= 0)
    tw_proc_read(io, out); /* what is already buffered */
}

/* ---- outcome ---- */

static int64_t tw_proc_timeout(const tw_notify_proc *p) {
  if (p->timeout_ms <= 0)
    return TW_NOTIFY_COMMAND_TIMEOUT_MS;
  return p->timeout_ms > TW_PROC_MAX_TIMEOUT_MS ? TW_PROC_MAX_TIMEOUT_MS : p->timeout_ms;
}

static int tw_proc_outcome(const tw_notify_proc *p, const tw_proc_io *io,
                           tw_delivery_result *out) {
  int st = io->status;
  if (io->status == -1) {
    out->exit_status = -1;
    return tw_notify_fail(out, TW_EIO, 1, "exit status unavailable");
  }
  out->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  int rc;
  if (io->timed_out)
    rc = tw_notify_fail(out, TW_EIO, 1, "timed out after %lld ms (killed)",
                        (long long)tw_proc_timeout(p));
  else if (WIFSIGNALED(st))
    rc = tw_notify_fail(out, TW_EIO, 1, "killed by signal %d", WTERMSIG(st));
  else if (out->exit_status != 0)
    rc = tw_notify_fail(out, TW_EIO, 1, "exit status %d", out->exit_status);
  else
    return tw_notify_done(out, "exit status 0");
  tw_notify_detail_output(out);
  return rc;
}

/* The exec-error pipe: 0 if exec succeeded, else the child's errno. */
static int tw_proc_exec_errno(int fd) {
  int e = 0;
  ssize_t n;
  do
    n = read(fd, &e, sizeof e);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof e ? e : 0;
}

static int tw_proc_spawned(const tw_notify_proc *p, tw_proc_prep *pp, pid_t pid,
                           tw_delivery_result *out) {
  setpgid(pid, pid);
  tw_proc_close(&pp->in[0]);
  tw_proc_close(&pp->out[1]);
  tw_proc_close(&pp->err[1]);
  tw_proc_io io = {.pid = pid, .in_fd = pp->in[1], .out_fd = pp->out[0],
                   .pidfd = -1, .input = p->input, .len = p->input_len,
                   .deadline = tw_proc_now() + tw_proc_timeout(p)};
  pp->in[1] = pp->out[0] = -1;
  int e = tw_proc_exec_errno(pp->err[0]);
  if (e) {
    tw_proc_close(&io.in_fd);
    tw_proc_close(&io.out_fd);
    tw_proc_reap(&io, 0);
    return tw_notify_fail(out, TW_EIO, e == EAGAIN || e == ENOMEM,
                          "cannot execute %s: %s", p->path, strerror(e));
  }
  io.pidfd = tw_proc_pidfd(pid);
  tw_proc_loop(&io, out);
  tw_proc_close(&io.in_fd);
  tw_proc_close(&io.out_fd);
  tw_proc_close(&io.pidfd);
  return tw_proc_outcome(p, &io, out);
}

/* Consume a SIGPIPE our writes raised while it was blocked. */
static void tw_proc_sigpipe_drain(int was_pending) {
  sigset_t pending, only;
  sigemptyset(&only);
  sigaddset(&only, SIGPIPE);
  if (was_pending || sigpending(&pending) != 0 || !sigismember(&pending, SIGPIPE))
    return;
  struct timespec zero = {0, 0};
  while (sigtimedwait(&only, NULL, &zero) < 0 && errno == EINTR)
    ;
}

int tw_notify_run(const tw_notify_proc *p, tw_delivery_result *out) {
  if (!p->path || !p->argc || !p->argv)
    return tw_notify_fail(out, TW_EINVAL, 0, "no program to run");
  tw_proc_prep pp;
  int rc = tw_proc_prepare(p, &pp);
  if (rc != TW_OK) {
    tw_proc_unprep(&pp);
    return tw_notify_fail(out, rc, 1, "cannot prepare to run %s: %s", p->path,
                          strerror(errno));
  }
  sigset_t pipe_set, old, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
  pid_t pid = fork();
  if (pid == 0)
    tw_proc_child(p, &pp);
  if (pid < 0)
    rc = tw_notify_fail(out, TW_EIO, 1, "cannot start %s: %s", p->path,
                        strerror(errno));
  else
    rc = tw_proc_spawned(p, &pp, pid, out);
  tw_proc_sigpipe_drain(was_pending);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  tw_proc_unprep(&pp);
  return rc;
}

/* ---- finding the program ---- */

static int tw_proc_try(const char *dir, size_t dlen, const char *prog,
                       char **out) {
  size_t plen = strlen(prog);
  char *path = malloc(dlen + plen + 2);
  if (!path)
    return TW_ENOMEM;
  if (dlen) {
    memcpy(path, dir, dlen);
    path[dlen] = '/';
    memcpy(path + dlen + 1, prog, plen + 1);
  } else {
    memcpy(path, prog, plen + 1); /* empty PATH element: current directory */
  }
  if (access(path, X_OK) == 0) {
    *out = path;
    return TW_OK;
  }
  free(path);
  return TW_ENOTFOUND;
}

int tw_notify_which(const char *prog, char **out) {
  if (!prog || !*prog)
    return TW_ENOTFOUND;
  if (strchr(prog, '/')) {
    if (access(prog, X_OK) != 0)
      return TW_ENOTFOUND;
    *out = strdup(prog);
    return *out ? TW_OK : TW_ENOMEM;
  }
  const char *path = getenv("PATH");
  if (!path)
    path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path;; p++) {
    size_t len = strcspn(p, ":");
    int rc = tw_proc_try(p, len, prog, out);
    if (rc != TW_ENOTFOUND)
      return rc;
    p += len;
    if (!*p)
      return TW_ENOTFOUND;
  }
}
