/*
 * test_ingest_bench.c — throughput of the input layer (gunzip + shape
 * detection + validation + time parsing + emission) on a synthetic
 * CloudTrail S3 archive, compared with `zcat` and `cat` of the same files.
 * Off by default (a ctest run only prints a note); enable with
 *   TW_INGEST_BENCH=<MB of gzip to generate> ./test_ingest_bench
 * The archive is built from the real events of /work/shared/data/cloudtrail
 * (or $TW_CLOUDTRAIL_DIR) — their Records arrays repeated into objects of
 * about 1,000 events, gzipped — in $TW_INGEST_BENCH_DIR (kept, reused) or
 * a temporary directory (removed). Also times the same events as one
 * plain NDJSON file.
 */
#include "test_ingest_util.h"

#include <dirent.h>
#include <time.h>

#include "tw_test.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The Records elements of every invictus object, as one string "e,e,...". */
static tit_str invictus_elements(const char *data) {
  tit_str all = {0};
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/invictus-aws-dataset/CloudTrail", data);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[2048];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    char *raw = tit_read(path, &len);
    char *open = raw ? strchr(raw, '[') : NULL, *close = raw ? strrchr(raw, ']') : NULL;
    if (open && close > open + 1) {
      if (all.len)
        tit_puts(&all, ",");
      tit_put(&all, open + 1, (size_t)(close - open - 1));
    }
    free(raw);
  }
  if (d)
    closedir(d);
  return all;
}

static int count_events(void *ctx, const tw_ingest_event *e) {
  uint64_t *n = ctx;
  *n += e->len > 0;
  return 0;
}

/* Build ~mb MB of .json.gz objects under dir; returns the object count. */
static size_t build_archive(const char *dir, const tit_str *elems, size_t mb) {
  tit_str obj = {0};
  tit_puts(&obj, "{\"Records\":[");
  tit_put(&obj, elems->s, elems->len);
  tit_puts(&obj, "]}");
  size_t zn = 0, done = 0, i = 0;
  unsigned char *z = tit_gzip(obj.s, obj.len, &zn);
  for (; done < mb << 20; i++) {
    char path[2048];
    snprintf(path, sizeof path,
             "%s/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/%02zu/"
             "218007301253_CloudTrail_us-east-1_202307%02zuT%02zu%02zuZ_obj%06zu.json.gz",
             dir, 1 + i / 1440 % 28, 1 + i / 1440 % 28, i / 60 % 24, i % 60, i);
    if (tit_write(path, z, zn))
      break;
    done += zn;
  }
  free(z);
  free(obj.s);
  return i;
}

static int append_event(void *ctx, const tw_ingest_event *e) {
  tit_put(ctx, e->message, e->len);
  tit_puts(ctx, "\n");
  return 0;
}

/* The invictus events as NDJSON (the reader's own messages), times copies. */
static void build_ndjson(const char *data, const char *path, int copies) {
  char dir[1024];
  const char *p = dir;
  snprintf(dir, sizeof dir, "%s/invictus-aws-dataset/CloudTrail", data);
  tit_str one = {0};
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  tw_ingest_stats st;
  memset(&st, 0, sizeof st);
  tw_ingest_file *files;
  size_t n;
  tw_ingest *in;
  if (tw_ingest_list(&p, 1, &o, &files, &n, &st) || tw_ingest_new(&o, &in))
    return;
  for (size_t i = 0; i < n; i++)
    tw_ingest_file_events(in, &files[i], append_event, &one, &st);
  tw_ingest_free(in);
  tw_ingest_files_free(files, n);
  FILE *f = fopen(path, "wb");
  for (int i = 0; f && i < copies; i++)
    fwrite(one.s, 1, one.len, f);
  if (f)
    fclose(f);
  free(one.s);
}

static double run_cmd(const char *cmd) {
  double t0 = now_s();
  if (system(cmd) != 0)
    fprintf(stderr, "bench: command failed: %s\n", cmd);
  return now_s() - t0;
}

static void bench_ingest(const char *label, const char *path, double zcat_s, double cat_s) {
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  tw_ingest_stats st;
  memset(&st, 0, sizeof st);
  tw_ingest_file *files;
  size_t n;
  uint64_t events = 0;
  double t0 = now_s();
  TW_CHECK(tw_ingest_list(&path, 1, &o, &files, &n, &st) == TW_OK);
  tw_ingest *in;
  TW_CHECK(tw_ingest_new(&o, &in) == TW_OK);
  for (size_t i = 0; i < n; i++)
    tw_ingest_file_events(in, &files[i], count_events, &events, &st);
  double dt = now_s() - t0;
  tw_ingest_free(in);
  tw_ingest_files_free(files, n);
  TW_CHECK_EQ_INT(st.errors, 0);
  TW_CHECK_EQ_INT(st.events, events);
  printf("%s: %zu files, %.1f MB stored, %.1f MB decoded, %llu events in %.2f s: "
         "%.0f MB/s stored, %.0f MB/s decoded, %.2f M events/s\n",
         label, n, (double)st.bytes_read / 1e6, (double)st.bytes_decoded / 1e6,
         (unsigned long long)events, dt, (double)st.bytes_read / 1e6 / dt,
         (double)st.bytes_decoded / 1e6 / dt, (double)events / 1e6 / dt);
  if (zcat_s > 0)
    printf("  zcat > /dev/null: %.2f s (%.0f MB/s decoded)\n", zcat_s,
           (double)st.bytes_decoded / 1e6 / zcat_s);
  if (cat_s > 0)
    printf("  cat > /dev/null: %.2f s\n", cat_s);
}

TW_TEST(bench_gzip_archive) {
  const char *mb_env = getenv("TW_INGEST_BENCH");
  if (!mb_env) {
    printf("note: set TW_INGEST_BENCH=<MB> to run the ingest benchmark\n");
    return;
  }
  const char *data = getenv("TW_CLOUDTRAIL_DIR");
  data = data ? data : "/work/shared/data/cloudtrail";
  tit_str elems = invictus_elements(data);
  if (!elems.len) {
    printf("note: %s absent, benchmark skipped\n", data);
    return;
  }
  char tmp[] = "/tmp/tw_ingest_bench_XXXXXX", cmd[4096], nd[2100];
  const char *dir = getenv("TW_INGEST_BENCH_DIR");
  int keep = dir != NULL;
  if (!dir)
    dir = mkdtemp(tmp);
  char marker[2100];
  snprintf(marker, sizeof marker, "%s/.built", dir);
  snprintf(nd, sizeof nd, "%s/events.ndjson", dir);
  if (access(marker, F_OK) != 0) {
    size_t n = build_archive(dir, &elems, (size_t)atol(mb_env));
    build_ndjson(data, nd, 100);
    tit_write(marker, "", 0);
    printf("bench: built %zu objects in %s\n", n, dir);
  }
  char aws[2100];
  snprintf(aws, sizeof aws, "%s/AWSLogs", dir);
  snprintf(cmd, sizeof cmd, "find %s -name '*.gz' -print0 | xargs -0 cat > /dev/null", aws);
  run_cmd(cmd); /* warm the page cache */
  double cat_s = run_cmd(cmd);
  snprintf(cmd, sizeof cmd, "find %s -name '*.gz' -print0 | xargs -0 zcat > /dev/null", aws);
  double zcat_s = run_cmd(cmd);
  bench_ingest("gzip S3 archive", aws, zcat_s, cat_s);
  snprintf(cmd, sizeof cmd, "cat %s > /dev/null", nd);
  run_cmd(cmd);
  bench_ingest("plain NDJSON", nd, 0, run_cmd(cmd));
  if (!keep)
    tit_rm_rf(dir);
  free(elems.s);
}

int main(void) { return tw_test_run(); }
