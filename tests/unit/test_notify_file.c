/*
 * test_notify_file.c — the file and stdout targets: NDJSON lines appended
 * by many threads at once stay intact (one write(2) per line, O_APPEND),
 * the file is created 0644, fsync works, permanent and retryable errors
 * are told apart, and the stdout block is the readable summary.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "notify/notify.h"
#include "tw_test.h"

#define THREADS 8
#define PER_THREAD 150

typedef struct job {
  const char *path;
  int t;
  int failures;
  char *message; /* large enough that lines exceed a pipe buffer */
} job;

static void *appender(void *arg) {
  job *j = arg;
  tw_delivery d = {.type = TW_DELIVERY_FILE, .path = j->path};
  for (int i = 0; i < PER_THREAD; i++) {
    char id[32];
    snprintf(id, sizeof id, "t%d-%d", j->t, i);
    tw_notification n = {id, "arn:aws:sns:us-east-1:123456789012:t", "ALARM: x",
                         j->message, 1700000000000LL + i};
    tw_delivery_result r;
    if (tw_deliver(&d, &n, &r) != TW_OK || !r.ok)
      j->failures++;
  }
  return NULL;
}

static char *make_message(int t) {
  size_t pad = 8000 + 997 * (size_t)t;
  char *m = malloc(pad + 128);
  int n = snprintf(m, 128, "{\"AlarmName\":\"a%d\",\"pad\":\"", t);
  memset(m + n, 'a' + t, pad);
  strcpy(m + n + pad, "\",\"Events\":[]}");
  return m;
}

static void tmpdir(char *buf, size_t cap) {
  snprintf(buf, cap, "/tmp/tw_notify_file_XXXXXX");
  if (!mkdtemp(buf))
    abort();
}

TW_TEST(concurrent_appends_stay_intact) {
  char dir[64], path[128];
  tmpdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/out.ndjson", dir);
  pthread_t th[THREADS];
  job jobs[THREADS];
  for (int t = 0; t < THREADS; t++) {
    jobs[t] = (job){path, t, 0, make_message(t)};
    pthread_create(&th[t], NULL, appender, &jobs[t]);
  }
  for (int t = 0; t < THREADS; t++) {
    pthread_join(th[t], NULL);
    TW_CHECK_EQ_INT(jobs[t].failures, 0);
  }
  struct stat st;
  TW_CHECK(stat(path, &st) == 0);
  TW_CHECK((st.st_mode & 0777 & ~0644u) == 0); /* never more than 0644 */
  FILE *f = fopen(path, "r");
  TW_CHECK(f != NULL);
  int seen[THREADS][PER_THREAD] = {{0}};
  int lines = 0, bad = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  while (f && (len = getline(&line, &cap, f)) > 0) {
    lines++;
    json_error_t je;
    json_t *j = json_loads(line, 0, &je);
    const char *id = json_string_value(json_object_get(j, "id"));
    json_t *m = json_object_get(j, "message");
    int t = -1, i = -1;
    if (!id || sscanf(id, "t%d-%d", &t, &i) != 2 || t < 0 || t >= THREADS ||
        i < 0 || i >= PER_THREAD || !json_is_object(m) ||
        strlen(json_string_value(json_object_get(m, "pad"))) != 8000 + 997 * (size_t)t) {
      bad++;
    } else {
      seen[t][i]++;
    }
    json_decref(j);
  }
  free(line);
  if (f)
    fclose(f);
  TW_CHECK_EQ_INT(bad, 0);
  TW_CHECK_EQ_INT(lines, THREADS * PER_THREAD);
  int dup = 0;
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < PER_THREAD; i++)
      dup += seen[t][i] != 1;
  TW_CHECK_EQ_INT(dup, 0);
  for (int t = 0; t < THREADS; t++)
    free(jobs[t].message);
  unlink(path);
  rmdir(dir);
}

TW_TEST(created_0644_with_fsync_and_exact_line) {
  char dir[64], path[128];
  tmpdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/one.ndjson", dir);
  mode_t old = umask(022);
  tw_delivery d = {.type = TW_DELIVERY_FILE, .path = path, .fsync = 1};
  tw_notification n = {"id-1", "arn:aws:sns:us-east-1:1:t", NULL,
                       "{\"AlarmName\":\"x\"}", 1664131837868LL};
  tw_delivery_result r;
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_OK);
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_OK); /* appends */
  umask(old);
  struct stat st;
  TW_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
  FILE *f = fopen(path, "r");
  char buf[512] = {0};
  size_t got = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f)
    fclose(f);
  const char *want = "{\"id\":\"id-1\",\"topicArn\":\"arn:aws:sns:us-east-1:1:t\",\"subject\":null,"
                     "\"timestamp\":\"2022-09-25T18:50:37.868Z\",\"message\":{\"AlarmName\":\"x\"}}\n";
  TW_CHECK_EQ_INT(got, 2 * strlen(want));
  TW_CHECK(strncmp(buf, want, strlen(want)) == 0);
  TW_CHECK(strcmp(buf + strlen(want), want) == 0);
  unlink(path);
  rmdir(dir);
}

TW_TEST(file_errors) {
  tw_notification n = {"id-1", "arn:t", "s", "{}", 0};
  tw_delivery_result r;
  tw_delivery d = {.type = TW_DELIVERY_FILE, .path = "/nonexistent-dir/x/out.ndjson"};
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_EIO);
  TW_CHECK(!r.ok && !r.retryable && strstr(r.detail, "cannot open"));
  d.path = "/tmp"; /* a directory */
  TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_EIO);
  TW_CHECK(!r.ok && !r.retryable);
  d.path = "/dev/full"; /* ENOSPC: may pass later */
  if (access("/dev/full", W_OK) == 0) {
    TW_CHECK_EQ_INT(tw_deliver(&d, &n, &r), TW_EIO);
    TW_CHECK(!r.ok && r.retryable);
  }
}

TW_TEST(stdout_block) {
  char dir[64], path[128];
  tmpdir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/stdout.txt", dir);
  fflush(stdout);
  int saved = dup(1);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 1);
  close(fd);
  tw_notification n = {"n-9", "arn:aws:sns:us-east-1:1:alerts", "ALARM: \"x\" in EU (Ireland)",
                       "{\"AlarmName\":\"x\",\"NewStateValue\":\"ALARM\",\"Events\":[{"
                       "\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventName\":\"DeleteTrail\","
                       "\"eventSource\":\"cloudtrail.amazonaws.com\",\"userIdentity\":"
                       "{\"userName\":\"bob\"},\"awsRegion\":\"eu-west-1\"}]}",
                       0};
  tw_delivery d = {.type = TW_DELIVERY_STDOUT};
  tw_delivery_result r;
  int rc = tw_deliver(&d, &n, &r);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  TW_CHECK_EQ_INT(rc, TW_OK);
  TW_CHECK(r.ok);
  FILE *f = fopen(path, "r");
  char buf[2048] = {0};
  if (f) {
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = 0;
    fclose(f);
  }
  TW_CHECK(strncmp(buf, "--- notification n-9 to arn:aws:sns:us-east-1:1:alerts\n"
                        "ALARM: \"x\" in EU (Ireland)\n\nAlarm:       x\n", 93) == 0);
  TW_CHECK(strstr(buf, "  1. 2024-01-01T00:00:00Z  bob\n     cloudtrail.amazonaws.com DeleteTrail  in eu-west-1\n") != NULL);
  TW_CHECK(buf[strlen(buf) - 1] == '\n' && buf[strlen(buf) - 2] == '\n');
  unlink(path);
  rmdir(dir);
}

int main(void) { return tw_test_run(); }
