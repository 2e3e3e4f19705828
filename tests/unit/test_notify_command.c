/*
 * test_notify_command.c — the command and email targets (child processes,
 * notify_proc.c): the Lambda SNS event on stdin and the TW_* environment,
 * captured output, non-zero exits, the time limit (SIGTERM, then SIGKILL
 * for a child that ignores it), a child that never reads a large stdin
 * (no SIGPIPE death), inherited descriptors closed, no zombies, and email
 * through a fake sendmail script written to a temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "notify/notify.h"
#include "tw_test.h"

static const char *const msg =
    "{\"AlarmName\":\"root-use\",\"NewStateValue\":\"ALARM\",\"OldStateValue\":"
    "\"OK\",\"Region\":\"US East (N. Virginia)\",\"Events\":[{\"eventTime\":"
    "\"2024-03-01T12:34:56Z\",\"userIdentity\":{\"arn\":"
    "\"arn:aws:iam::123456789012:root\"},\"eventSource\":\"signin.amazonaws.com\","
    "\"eventName\":\"ConsoleLogin\",\"eventID\":\"e-1\"}]}";

static tw_notification note(void) {
  tw_notification n = {"n-42", "arn:aws:sns:us-east-1:123456789012:alerts",
                       "ALARM: \"root-use\" in US East (N. Virginia)", msg,
                       1664131837868LL};
  return n;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = calloc(1, 1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}

static void tmpdir(char *buf, size_t cap) {
  snprintf(buf, cap, "/tmp/tw_notify_cmd_XXXXXX");
  if (!mkdtemp(buf))
    abort();
}

/* Run `sh -c script` with extra arguments through the command target. */
static int run_sh(const char *script, const char *arg, int64_t timeout_ms,
                  tw_delivery_result *res) {
  const char *argv[] = {"sh", "-c", script, "sh", arg};
  tw_delivery d = {.type = TW_DELIVERY_COMMAND, .argv = argv,
                   .argc = arg ? 5 : 4, .timeout_ms = timeout_ms};
  tw_notification n = note();
  return tw_deliver(&d, &n, res);
}

static int no_children(void) {
  int st;
  return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

TW_TEST(stdin_event_and_environment) {
  char dir[64], file[128];
  tmpdir(dir, sizeof dir);
  snprintf(file, sizeof file, "%s/stdin.json", dir);
  setenv("TW_SUBJECT", "inherited value must be replaced", 1);
  setenv("TW_TEST_KEEP", "kept", 1);
  tw_delivery_result res;
  int rc = run_sh("cat > \"$1\"; printf '%s|%s|%s|%s' \"$TW_NOTIFICATION_ID\" "
                  "\"$TW_TOPIC_ARN\" \"$TW_SUBJECT\" \"$TW_TEST_KEEP\"",
                  file, 5000, &res);
  unsetenv("TW_SUBJECT");
  unsetenv("TW_TEST_KEEP");
  TW_CHECK_EQ_INT(rc, TW_OK);
  TW_CHECK(res.ok && !res.retryable);
  TW_CHECK_EQ_INT(res.exit_status, 0);
  TW_CHECK_EQ_STR(res.output, "n-42|arn:aws:sns:us-east-1:123456789012:alerts|"
                              "ALARM: \"root-use\" in US East (N. Virginia)|kept");
  char *in = slurp(file);
  TW_CHECK(in != NULL);
  tw_notification n = note();
  char *want = NULL;
  TW_CHECK_EQ_INT(tw_notify_lambda_event(&n, &want), TW_OK);
  TW_CHECK_EQ_STR(in, want);
  json_error_t je;
  json_t *j = in ? json_loads(in, 0, &je) : NULL;
  json_t *sns = json_object_get(json_array_get(json_object_get(j, "Records"), 0), "Sns");
  TW_CHECK_EQ_STR(json_string_value(json_object_get(sns, "Message")), msg);
  TW_CHECK_EQ_STR(json_string_value(json_object_get(sns, "MessageId")), "n-42");
  json_decref(j);
  free(want);
  free(in);
  unlink(file);
  rmdir(dir);
  TW_CHECK(no_children());
}

TW_TEST(nonzero_exit_is_retryable_with_output) {
  tw_delivery_result res;
  TW_CHECK_EQ_INT(run_sh("echo oops >&2; echo more; exit 3", NULL, 5000, &res), TW_EIO);
  TW_CHECK(!res.ok && res.retryable);
  TW_CHECK_EQ_INT(res.exit_status, 3);
  TW_CHECK_EQ_STR(res.detail, "exit status 3: oops");
  TW_CHECK_EQ_STR(res.output, "oops\nmore\n");
  TW_CHECK(no_children());
}

TW_TEST(killed_by_signal) {
  tw_delivery_result res;
  TW_CHECK_EQ_INT(run_sh("kill -USR1 $$", NULL, 5000, &res), TW_EIO);
  TW_CHECK(!res.ok && res.retryable);
  TW_CHECK_EQ_INT(res.exit_status, 128 + SIGUSR1);
}

TW_TEST(output_keeps_first_4k) {
  tw_delivery_result res;
  TW_CHECK_EQ_INT(run_sh("i=0; while [ $i -lt 300 ]; do echo 0123456789012345678901234567890123456789; "
                         "i=$((i+1)); done",
                         NULL, 10000, &res),
                  TW_OK);
  TW_CHECK_EQ_INT(res.output_len, TW_NOTIFY_OUTPUT_MAX);
  TW_CHECK_EQ_INT(strlen(res.output), TW_NOTIFY_OUTPUT_MAX);
}

TW_TEST(time_limit_kills_the_group) {
  tw_delivery_result res;
  int64_t t0 = now_ms();
  /* the shell and its sleep child are both killed (process group) */
  int rc = run_sh("echo started; sleep 30; echo never", NULL, 300, &res);
  int64_t took = now_ms() - t0;
  TW_CHECK_EQ_INT(rc, TW_EIO);
  TW_CHECK(!res.ok && res.retryable);
  TW_CHECK(took >= 280 && took < 15000); /* killed, not run to its 30 s end */
  TW_CHECK(strstr(res.detail, "timed out after 300 ms") != NULL);
  TW_CHECK_EQ_STR(res.output, "started\n");
  TW_CHECK_EQ_INT(res.exit_status, 128 + SIGTERM);
  TW_CHECK(no_children());
}

TW_TEST(time_limit_escalates_to_sigkill) {
  tw_delivery_result res;
  int64_t t0 = now_ms();
  int rc = run_sh("trap '' TERM; sleep 30", NULL, 200, &res);
  int64_t took = now_ms() - t0;
  TW_CHECK_EQ_INT(rc, TW_EIO);
  TW_CHECK(res.retryable);
  TW_CHECK_EQ_INT(res.exit_status, 128 + SIGKILL);
  TW_CHECK(took >= 200 + TW_NOTIFY_KILL_GRACE_MS - 50 && took < 200 + TW_NOTIFY_KILL_GRACE_MS + 13000);
  TW_CHECK(no_children());
}

TW_TEST(child_not_reading_a_big_stdin) {
  size_t big = 4u << 20;
  char *m = malloc(big + 32);
  memcpy(m, "{\"AlarmName\":\"", 14);
  memset(m + 14, 'x', big);
  memcpy(m + 14 + big, "\"}", 3);
  const char *argv[] = {"sh", "-c", "exit 0"};
  tw_delivery d = {.type = TW_DELIVERY_COMMAND, .argv = argv, .argc = 3, .timeout_ms = 5000};
  tw_notification n = note();
  n.message = m;
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_OK); /* still alive: no SIGPIPE */
  TW_CHECK(res.ok);
  sigset_t pending;
  sigpending(&pending);
  TW_CHECK(!sigismember(&pending, SIGPIPE));
  /* and one that reads only a little, then fails */
  argv[2] = "head -c 10 >/dev/null; exit 4";
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EIO);
  TW_CHECK_EQ_INT(res.exit_status, 4);
  free(m);
  TW_CHECK(no_children());
}

TW_TEST(inherited_descriptors_are_closed) {
  int leak = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
  TW_CHECK(leak >= 3);
  char arg[16];
  snprintf(arg, sizeof arg, "%d", leak);
  tw_delivery_result res;
  TW_CHECK_EQ_INT(run_sh("if [ -e /proc/self/fd/$1 ]; then echo open; else echo closed; fi; "
                         "ls /proc/$$/fd | sort -n | tr '\\n' ' '",
                         arg, 5000, &res),
                  TW_OK);
  TW_CHECK(strncmp(res.output, "closed\n", 7) == 0);
  if (strncmp(res.output, "closed\n", 7))
    fprintf(stderr, "  child saw: %s\n", res.output);
  close(leak);
}

TW_TEST(missing_program_is_not_retryable) {
  const char *argv[] = {"/nonexistent/trailwatch-hook"};
  tw_delivery d = {.type = TW_DELIVERY_COMMAND, .argv = argv, .argc = 1};
  tw_notification n = note();
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EIO);
  TW_CHECK(!res.ok && !res.retryable);
  argv[0] = "no-such-program-anywhere-in-path";
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EIO);
  TW_CHECK(!res.ok && !res.retryable);
  TW_CHECK(strstr(res.detail, "not found") != NULL);
}

TW_TEST(path_search) {
  char *p = NULL;
  TW_CHECK_EQ_INT(tw_notify_which("sh", &p), TW_OK);
  TW_CHECK(p && p[0] == '/' && access(p, X_OK) == 0);
  free(p);
  TW_CHECK_EQ_INT(tw_notify_which("", &p), TW_ENOTFOUND);
}

/* Children started at the same time from several threads must each see
 * end-of-file on stdin: no sibling may hold their pipe open. */
static void *parallel_worker(void *arg) {
  int *failures = arg;
  for (int i = 0; i < 8; i++) {
    tw_delivery_result res;
    if (run_sh("cat >/dev/null; echo done", NULL, 5000, &res) != TW_OK ||
        strcmp(res.output, "done\n") != 0)
      (*failures)++;
  }
  return NULL;
}

TW_TEST(parallel_commands_get_eof) {
  pthread_t th[4];
  int failures[4] = {0};
  int64_t t0 = now_ms();
  for (int i = 0; i < 4; i++)
    pthread_create(&th[i], NULL, parallel_worker, &failures[i]);
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    TW_CHECK_EQ_INT(failures[i], 0);
  }
  TW_CHECK(now_ms() - t0 < 20000); /* loose: loaded or valgrind runs */
  TW_CHECK(no_children());
}

/* ---- email through a fake sendmail ---- */

static void write_script(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f)
    abort();
  fputs(text, f);
  fclose(f);
  chmod(path, 0755);
}

TW_TEST(email_through_fake_sendmail) {
  char dir[64], sm[128], script[512], args[128], mail[128];
  tmpdir(dir, sizeof dir);
  snprintf(sm, sizeof sm, "%s/sendmail", dir);
  snprintf(args, sizeof args, "%s/args", dir);
  snprintf(mail, sizeof mail, "%s/mail", dir);
  snprintf(script, sizeof script,
           "#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s'\ncat > '%s'\necho queued\n", args, mail);
  write_script(sm, script);
  const char *to[] = {"ops@example.com", "oncall@example.com"};
  tw_delivery d = {.type = TW_DELIVERY_EMAIL, .to = to, .nto = 2,
                   .from = "trailwatch@example.com", .subject_prefix = "[tw]",
                   .sendmail = sm, .timeout_ms = 5000};
  tw_notification n = note();
  n.subject = "ALARM: \"root-use\"\r\nBcc: attacker@example.net";
  tw_delivery_result res;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_OK);
  TW_CHECK(res.ok);
  TW_CHECK_EQ_STR(res.output, "queued\n");
  char *a = slurp(args), *m = slurp(mail);
  TW_CHECK(a && m);
  if (a && m) {
    TW_CHECK_EQ_STR(a, "-t\n-oi\n");
    TW_CHECK(strncmp(m, "From: trailwatch@example.com\nTo: ops@example.com,\n oncall@example.com\n", 69) == 0);
    TW_CHECK(strstr(m, "\nSubject: [tw] ALARM: \"root-use\"  Bcc: attacker@example.net\n") != NULL);
    TW_CHECK(!strstr(m, "\nBcc:"));
    TW_CHECK(strstr(m, "\nDate: ") != NULL);
    TW_CHECK(strstr(m, "\nMessage-ID: <n-42@trailwatch>\n") != NULL);
    TW_CHECK(strstr(m, "\nContent-Type: text/plain; charset=UTF-8\n") != NULL);
    TW_CHECK(strstr(m, "\n\nALARM: \"root-use\"  Bcc: attacker@example.net\n\nAlarm:       root-use\n") != NULL);
    TW_CHECK(strstr(m, "  1. 2024-03-01T12:34:56Z  arn:aws:iam::123456789012:root\n") != NULL);
    TW_CHECK(strstr(m, "\"eventName\": \"ConsoleLogin\"") != NULL);
  }
  free(a);
  free(m);
  /* sendmail refusing (EX_TEMPFAIL) */
  write_script(sm, "#!/bin/sh\ncat >/dev/null\necho 'mail queue full' >&2\nexit 75\n");
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EIO);
  TW_CHECK(!res.ok && res.retryable);
  TW_CHECK_EQ_INT(res.exit_status, 75);
  TW_CHECK_EQ_STR(res.detail, "exit status 75: mail queue full");
  /* sendmail missing */
  unlink(sm);
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &res), TW_EIO);
  TW_CHECK(!res.ok && !res.retryable);
  unlink(args);
  unlink(mail);
  rmdir(dir);
  TW_CHECK(no_children());
}

int main(void) { return tw_test_run(); }
