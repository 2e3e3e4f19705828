/*
 * test_follow_dir.c — unit tests of a followed directory (src/live/
 * follow_dir.c, follow_object.c, follow_done.c), driven directly (load,
 * one walk and its commits) on a temporary tree and an in-memory store:
 * progress rows of objects too old to matter are deleted and those
 * objects not read again; old CloudTrail date directories are not walked;
 * a large object is committed over several transactions with a partial
 * row, and a stop in the middle resumes exactly; a map that missed
 * committed rows is reloaded before anything is read as new.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "live/follow_dir.h"
#include "store/store_internal.h"
#include "tw_test.h"

#define DAY INT64_C(86400000)

typedef struct fx {
  tw_api *api;
  tw_fsrc s;
  atomic_int stopping;
  char dir[PATH_MAX];
  char source[PATH_MAX + 16];
} fx;

static int fx_open(fx *f) {
  memset(f, 0, sizeof *f);
  tw_api_config cfg = {":memory:", NULL, NULL, 0, 60000};
  tw_error err;
  char tmpl[] = "/tmp/tw_follow_dir_XXXXXX";
  if (tw_api_new(&cfg, &f->api, &err) != TW_OK || !mkdtemp(tmpl) ||
      !realpath(tmpl, f->dir))
    return -1;
  snprintf(f->source, sizeof f->source, "follow:%s", f->dir);
  atomic_init(&f->stopping, 0);
  f->s.api = f->api;
  f->s.log = tw_api_log(f->api);
  f->s.group = "Test/Group";
  f->s.kind = TW_FOLLOW_DIR;
  f->s.path = f->dir;
  f->s.source = f->source;
  f->s.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  f->s.stopping = &f->stopping;
  return tw_fdir_prepare(&f->s, &err);
}

static void fx_close(fx *f) {
  char cmd[PATH_MAX + 16];
  tw_fdir_free(&f->s);
  if (f->s.stop_fd >= 0)
    close(f->s.stop_fd);
  tw_api_free(f->api);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", f->dir);
}

static tw_fdir *fx_dir(fx *f) { return f->s.state; }

static void iso(int64_t ms, char *buf, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* {"Records":[...]} of n events at time ms. */
static char *records(size_t n, int64_t ms, size_t *len) {
  char t[32];
  iso(ms, t, sizeof t);
  size_t cap = 32 + n * 128;
  char *p = malloc(cap);
  size_t at = (size_t)snprintf(p, cap, "{\"Records\":[");
  for (size_t i = 0; i < n; i++)
    at += (size_t)snprintf(p + at, cap - at,
                           "%s{\"eventTime\":\"%s\",\"eventName\":\"E%zu\"}",
                           i ? "," : "", t, i);
  at += (size_t)snprintf(p + at, cap - at, "]}");
  *len = at;
  return p;
}

/* Write rel under the tree (directories made), mtime ms. */
static int put_file(fx *f, const char *rel, const char *data, size_t len,
                    int64_t mtime_ms) {
  char path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s/%s", f->dir, rel);
  for (char *p = path + strlen(f->dir) + 1; (p = strchr(p, '/')); p++) {
    *p = '\0';
    (void)mkdir(path, 0755);
    *p = '/';
  }
  FILE *fp = fopen(path, "wb");
  if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
    return -1;
  struct timespec ts[2] = {{(time_t)(mtime_ms / 1000), 0},
                           {(time_t)(mtime_ms / 1000), 0}};
  return utimensat(AT_FDCWD, path, ts, 0);
}

static int64_t mtime_ns(int64_t ms) { return (ms / 1000) * 1000000000; }

static void sha(const char *p, size_t n, unsigned char out[32]) {
  unsigned int len = 32;
  EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

static int put_row(fx *f, const char *rel, int64_t size, int64_t mt_ns,
                   int64_t events, int64_t errors, const unsigned char *h) {
  static const unsigned char zero[32];
  tw_store_object o = {f->dir, rel, size, mt_ns, events, errors,
                       h ? h : zero, 0};
  tw_api_lock(f->api);
  int rc = tw_store_object_put(tw_api_store(f->api), &o);
  tw_api_unlock(f->api);
  return rc;
}

typedef struct row_find {
  const char *path;
  int found;
  int64_t events, errors;
  size_t rows;
} row_find;

static int row_cb(const tw_store_object *o, void *ud) {
  row_find *r = ud;
  r->rows++;
  if (r->path && !strcmp(o->path, r->path)) {
    r->found = 1;
    r->events = o->events;
    r->errors = o->errors;
  }
  return 0;
}

static row_find get_row(fx *f, const char *rel) {
  row_find r = {rel, 0, 0, 0, 0};
  tw_api_lock(f->api);
  (void)tw_store_object_list(tw_api_store(f->api), f->dir, row_cb, &r);
  tw_api_unlock(f->api);
  return r;
}

static int64_t count_events(fx *f) {
  sqlite3_stmt *st = NULL;
  int64_t n = -1;
  tw_api_lock(f->api);
  if (sqlite3_prepare_v2(tw_api_store(f->api)->db,
                         "SELECT count(*) FROM log_events", -1, &st,
                         NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  tw_api_unlock(f->api);
  return n;
}

static void day_path(int64_t ms, const char *fmt, char *buf, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, fmt, &tm);
}

TW_TEST(old_object_rows_pruned_and_not_read_again) {
  fx f;
  TW_CHECK_EQ_INT(fx_open(&f), TW_OK);
  int64_t now = tw_api_now_ms();
  size_t len;
  char *recent = records(1, now - 3600 * 1000, &len);
  char key[256];
  day_path(now - 20 * DAY,
           "AWSLogs/111122223333/CloudTrail/us-east-1/%Y/%m/%d/"
           "111122223333_CloudTrail_us-east-1_%Y%m%dT%H%MZ_x.json",
           key, sizeof key);
  /* An object done 20 days ago (by mtime), one whose S3 key is 20 days
   * old, one recent whose file is gone, and a new object. */
  TW_CHECK_EQ_INT(put_file(&f, "old.json", recent, len, now - 20 * DAY), 0);
  TW_CHECK_EQ_INT(put_file(&f, key, recent, len, now - 3600 * 1000), 0);
  TW_CHECK_EQ_INT(put_file(&f, "new.json", recent, len, now - 3600 * 1000), 0);
  TW_CHECK_EQ_INT(put_row(&f, "old.json", (int64_t)len,
                          mtime_ns(now - 20 * DAY), 1, 0, NULL), TW_OK);
  TW_CHECK_EQ_INT(put_row(&f, key, (int64_t)len, mtime_ns(now - 3600 * 1000),
                          1, 0, NULL), TW_OK);
  TW_CHECK_EQ_INT(put_row(&f, "gone.json", 10, mtime_ns(now - 2 * DAY), 1, 0,
                          NULL), TW_OK);

  TW_CHECK_EQ_INT(tw_fdir_load(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK(!get_row(&f, "old.json").found);
  TW_CHECK(!get_row(&f, key).found);
  TW_CHECK(get_row(&f, "gone.json").found);
  TW_CHECK(tw_fmap_get(&fx_dir(&f)->done, "old.json") == NULL);
  TW_CHECK(tw_fmap_get(&fx_dir(&f)->done, key) == NULL);
  TW_CHECK(tw_fmap_get(&fx_dir(&f)->done, "gone.json") != NULL);

  /* A walk reads only the new object; the old ones stay unrecorded. */
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), 1);
  TW_CHECK(get_row(&f, "new.json").found);
  TW_CHECK(!get_row(&f, "old.json").found);
  TW_CHECK(!get_row(&f, key).found);
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), 1);

  /* Periodic: a row that aged past the window goes, map and store. */
  tw_fobj aged = {"aged.json", 10, mtime_ns(now - 16 * DAY), 1, 0, {0}};
  TW_CHECK_EQ_INT(tw_fmap_put(&fx_dir(&f)->done, &aged), TW_OK);
  TW_CHECK_EQ_INT(put_row(&f, "aged.json", 10, aged.mtime_ns, 1, 0, NULL),
                  TW_OK);
  TW_CHECK_EQ_INT(tw_fdir_prune(&f.s, fx_dir(&f), now), TW_OK);
  TW_CHECK(!get_row(&f, "aged.json").found);
  TW_CHECK(tw_fmap_get(&fx_dir(&f)->done, "aged.json") == NULL);
  TW_CHECK(tw_fmap_get(&fx_dir(&f)->done, "new.json") != NULL);
  TW_CHECK_EQ_INT(get_row(&f, NULL).rows, 2); /* gone.json, new.json */
  free(recent);
  fx_close(&f);
}

TW_TEST(old_date_directories_not_walked) {
  int64_t now = tw_api_now_ms();
  char p[256];
  const char *base = "AWSLogs/111122223333/CloudTrail/us-east-1/";
  TW_CHECK(tw_fdir_dir_expired("AWSLogs/1/CloudTrail/us-east-1/2020", now));
  TW_CHECK(tw_fdir_dir_expired("AWSLogs/1/CloudTrail/us-east-1/2020/12", now));
  TW_CHECK(tw_fdir_dir_expired("o/AWSLogs/1/CloudTrail/eu-west-3/2020/02/29",
                               now));
  TW_CHECK(tw_fdir_dir_expired("CloudTrail-Insight/us-east-1/2020/02/29",
                               now));
  snprintf(p, sizeof p, "%s", base);
  day_path(now - 20 * DAY, "%Y/%m/%d", p + strlen(p), sizeof p - strlen(p));
  TW_CHECK(tw_fdir_dir_expired(p, now));
  snprintf(p, sizeof p, "%s", base);
  day_path(now - 13 * DAY, "%Y/%m/%d", p + strlen(p), sizeof p - strlen(p));
  TW_CHECK(!tw_fdir_dir_expired(p, now));
  snprintf(p, sizeof p, "%s", base);
  day_path(now, "%Y/%m", p + strlen(p), sizeof p - strlen(p));
  TW_CHECK(!tw_fdir_dir_expired(p, now));
  snprintf(p, sizeof p, "%s", base);
  day_path(now, "%Y", p + strlen(p), sizeof p - strlen(p));
  TW_CHECK(!tw_fdir_dir_expired(p, now));
  TW_CHECK(!tw_fdir_dir_expired("AWSLogs/1/CloudTrail/us-east-1", now));
  TW_CHECK(!tw_fdir_dir_expired("backup/2020/01/02", now));
  TW_CHECK(!tw_fdir_dir_expired("AWSLogs/1/CloudTrail/us-east-1/2020/13",
                                now));
  TW_CHECK(!tw_fdir_dir_expired("AWSLogs/1/CloudTrail/us-east-1/20x0", now));
  TW_CHECK(!tw_fdir_dir_expired("2020", now));
}

TW_TEST(large_object_split_and_resumed) {
  fx f;
  TW_CHECK_EQ_INT(fx_open(&f), TW_OK);
  int64_t now = tw_api_now_ms();
  size_t n = TW_FOLLOW_BATCH_EVENTS * 2 + 1000, len;
  char *big = records(n, now - 3600 * 1000, &len);
  TW_CHECK_EQ_INT(put_file(&f, "big.json", big, len, now - 3600 * 1000), 0);
  TW_CHECK_EQ_INT(tw_fdir_load(&f.s, fx_dir(&f)), TW_OK);

  /* Read it, then stop: only the first transaction commits, with a
   * partial row. */
  tw_fqitem it = {"big.json", 1};
  TW_CHECK_EQ_INT(tw_fdir_object(&f.s, fx_dir(&f), &it), TW_OK);
  TW_CHECK_EQ_INT(fx_dir(&f)->batch.n, n);
  atomic_store(&f.stopping, 1);
  TW_CHECK_EQ_INT(tw_fdir_flush(&f.s, fx_dir(&f)), TW_OK);
  atomic_store(&f.stopping, 0);
  TW_CHECK_EQ_INT(count_events(&f), TW_FOLLOW_BATCH_EVENTS);
  row_find r = get_row(&f, "big.json");
  TW_CHECK(r.found);
  TW_CHECK_EQ_INT(r.events, TW_FOLLOW_BATCH_EVENTS);
  TW_CHECK_EQ_INT(r.errors, TW_STORE_OBJECT_PARTIAL);

  /* As after a restart: the rest, exactly, in transactions again. */
  tw_fdir_free(&f.s);
  tw_error err;
  TW_CHECK_EQ_INT(tw_fdir_prepare(&f.s, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_fdir_load(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), n);
  r = get_row(&f, "big.json");
  TW_CHECK_EQ_INT(r.events, n);
  TW_CHECK_EQ_INT(r.errors, 0);
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), n);

  /* A partial row written by an earlier run: only the rest is read. */
  unsigned char h[32];
  char *other = records(5000, now - 1800 * 1000, &len);
  sha(other, len, h);
  TW_CHECK_EQ_INT(put_file(&f, "part.json", other, len, now - 1800 * 1000), 0);
  TW_CHECK_EQ_INT(put_row(&f, "part.json", (int64_t)len,
                          mtime_ns(now - 1800 * 1000), 3000,
                          TW_STORE_OBJECT_PARTIAL, h), TW_OK);
  tw_fdir_free(&f.s);
  TW_CHECK_EQ_INT(tw_fdir_prepare(&f.s, &err), TW_OK);
  TW_CHECK_EQ_INT(tw_fdir_load(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), n + 2000);
  r = get_row(&f, "part.json");
  TW_CHECK_EQ_INT(r.events, 5000);
  TW_CHECK_EQ_INT(r.errors, 0);
  free(big);
  free(other);
  fx_close(&f);
}

static int drop_all(const tw_fobj *o, void *ud) {
  (void)o;
  (void)ud;
  return 1;
}

TW_TEST(stale_map_reloaded_before_reading) {
  fx f;
  TW_CHECK_EQ_INT(fx_open(&f), TW_OK);
  int64_t now = tw_api_now_ms();
  size_t len;
  char *data = records(3, now - 3600 * 1000, &len);
  TW_CHECK_EQ_INT(put_file(&f, "a.json", data, len, now - 3600 * 1000), 0);
  TW_CHECK_EQ_INT(tw_fdir_load(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), 3);

  /* As when recording a committed object in the map failed. */
  char **paths;
  size_t n;
  TW_CHECK_EQ_INT(tw_fmap_remove_if(&fx_dir(&f)->done, drop_all, NULL, &paths,
                                    &n), TW_OK);
  TW_CHECK_EQ_INT(n, 1);
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  fx_dir(&f)->stale = 1;
  TW_CHECK_EQ_INT(tw_fdir_scan(&f.s, fx_dir(&f)), TW_OK);
  TW_CHECK_EQ_INT(count_events(&f), 3);
  TW_CHECK_EQ_INT(fx_dir(&f)->stale, 0);
  TW_CHECK(tw_fmap_get(&fx_dir(&f)->done, "a.json") != NULL);
  free(data);
  fx_close(&f);
}

int main(void) { return tw_test_run(); }
