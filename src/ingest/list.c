/*
 * list.c — expanding command-line paths into the list of input files
 * (tw_ingest_list), and what an S3 key says about its object
 * (tw_ingest_key_parse): CloudTrail digest files, and the delivery time
 * from the AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ folders and
 * the <account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<id>.json.gz name. The
 * time lets a scan with --from/--to skip whole files without opening them.
 */
#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/ingest_internal.h"

#define TW_LIST_MAX_DEPTH 64

/* ------------------------------------------------------------------ */
/* S3 keys                                                             */
/* ------------------------------------------------------------------ */

static int tw_key_digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static int tw_key_day(int y, int m, int d, int64_t *ms) {
  static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return 0;
  *ms = tw_ingest_days_from_civil(y, m, d) * 86400000LL;
  return 1;
}

/* Component [s, s+n) equals word. */
static int tw_key_comp(const char *s, size_t n, const char *word) {
  return n == strlen(word) && memcmp(s, word, n) == 0;
}

typedef struct tw_key_comps {
  const char *s[TW_LIST_MAX_DEPTH * 2];
  size_t n[TW_LIST_MAX_DEPTH * 2];
  size_t count;
} tw_key_comps;

static void tw_key_split(const char *path, tw_key_comps *c) {
  c->count = 0;
  const char *p = path;
  while (*p && c->count < sizeof c->s / sizeof *c->s) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n) {
      c->s[c->count] = p;
      c->n[c->count++] = n;
    }
    if (!slash)
      break;
    p = slash + 1;
  }
}

/* .../CloudTrail[-Insight|-Digest]/<region>/YYYY/MM/DD/<file> */
static int tw_key_folder_day(const tw_key_comps *c, int64_t *ms) {
  for (size_t i = 0; i + 5 < c->count; i++) {
    if (!tw_key_comp(c->s[i], c->n[i], "CloudTrail") &&
        !tw_key_comp(c->s[i], c->n[i], "CloudTrail-Insight") &&
        !tw_key_comp(c->s[i], c->n[i], "CloudTrail-Digest"))
      continue;
    int y, m, d;
    if (c->n[i + 2] == 4 && c->n[i + 3] == 2 && c->n[i + 4] == 2 &&
        tw_key_digits(c->s[i + 2], 4, &y) && tw_key_digits(c->s[i + 3], 2, &m) &&
        tw_key_digits(c->s[i + 4], 2, &d) && tw_key_day(y, m, d, ms))
      return 1;
  }
  return 0;
}

/* _YYYYMMDDTHHMM[SS]Z after "_CloudTrail" in the name; *span = 60 s or 1 s. */
static int tw_key_name_time(const char *name, size_t n, int64_t *ms, int64_t *span) {
  const char *ct = memmem(name, n, "_CloudTrail", 11);
  if (!ct)
    return 0;
  for (const char *p = ct + 11; p + 15 <= name + n; p++) {
    int y, mo, d, h, mi, s = 0;
    if (p[0] != '_' || p[9] != 'T' || !tw_key_digits(p + 1, 4, &y) ||
        !tw_key_digits(p + 5, 2, &mo) || !tw_key_digits(p + 7, 2, &d) ||
        !tw_key_digits(p + 10, 2, &h) || !tw_key_digits(p + 12, 2, &mi))
      continue;
    int secs = p + 17 <= name + n && p[16] == 'Z' && tw_key_digits(p + 14, 2, &s);
    if (!secs && p[14] != 'Z')
      continue;
    if (!tw_key_day(y, mo, d, ms) || h > 23 || mi > 59 || s > 59)
      continue;
    *ms += (int64_t)h * 3600000 + (int64_t)mi * 60000 + (int64_t)s * 1000;
    *span = secs ? 1000 : 60000;
    return 1;
  }
  return 0;
}

void tw_ingest_key_parse(const char *path, tw_ingest_key_info *out) {
  tw_key_comps c;
  memset(out, 0, sizeof *out);
  tw_key_split(path, &c);
  if (c.count == 0)
    return;
  const char *name = c.s[c.count - 1];
  size_t nlen = c.n[c.count - 1];
  for (size_t i = 0; i + 1 < c.count; i++)
    out->digest |= tw_key_comp(c.s[i], c.n[i], "CloudTrail-Digest");
  out->digest |= memmem(name, nlen, "_CloudTrail-Digest_", 19) != NULL;
  int64_t t, span;
  if (tw_key_name_time(name, nlen, &t, &span)) {
    out->has_time = 1;
    out->lo_ms = t;
    out->hi_ms = t + span;
  } else if (tw_key_folder_day(&c, &t)) {
    out->has_time = 1;
    out->lo_ms = t;
    out->hi_ms = t + 86400000LL;
  }
}

int tw_ingest_key_outside(const tw_ingest_key_info *k, const tw_ingest_opts *o) {
  if (!k->has_time)
    return 0;
  if (o->from_ms != INT64_MIN && k->hi_ms + o->s3_skew_ms <= o->from_ms)
    return 1; /* delivered before the window began */
  return o->to_ms != INT64_MAX && k->lo_ms - o->s3_lag_ms >= o->to_ms;
}

/* ------------------------------------------------------------------ */
/* Path expansion                                                      */
/* ------------------------------------------------------------------ */

typedef struct tw_lister {
  const tw_ingest_opts *o;
  tw_ingest_stats *st;
  tw_ingest_file *v;
  size_t n, cap;
  dev_t dev[TW_LIST_MAX_DEPTH]; /* directories being walked (loop check) */
  ino_t ino[TW_LIST_MAX_DEPTH];
  size_t depth;
} tw_lister;

static void tw_list_error(tw_lister *l, const char *path, const char *what, int err) {
  char reason[256];
  snprintf(reason, sizeof reason, "%s%s%s", what, err ? ": " : "", err ? strerror(err) : "");
  l->st->errors++;
  if (l->o->on_error)
    l->o->on_error(l->o->error_ctx, path, -1, reason);
}

static int tw_list_add(tw_lister *l, const char *path, int64_t size, unsigned flags) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    tw_ingest_file *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return TW_ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  char *copy = strdup(path);
  if (!copy)
    return TW_ENOMEM;
  l->v[l->n++] = (tw_ingest_file){copy, size, flags};
  return TW_OK;
}

/* A regular file: skipped by its key, or listed. */
static int tw_list_file(tw_lister *l, const char *path, int64_t size, unsigned flags) {
  tw_ingest_key_info k;
  tw_ingest_key_parse(path, &k);
  if (k.digest) {
    l->st->files_skipped_digest++;
    l->st->bytes_skipped += (uint64_t)size;
    return TW_OK;
  }
  if (tw_ingest_key_outside(&k, l->o)) {
    l->st->files_skipped_window++;
    l->st->bytes_skipped += (uint64_t)size;
    return TW_OK;
  }
  return tw_list_add(l, path, size, flags);
}

static int tw_list_path(tw_lister *l, const char *path, int in_dir);

static int tw_list_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entry names of dir (without . and ..). */
static int tw_list_names(tw_lister *l, const char *path, char ***names, size_t *n) {
  DIR *d = opendir(path);
  *names = NULL;
  *n = 0;
  if (!d) {
    tw_list_error(l, path, "cannot read directory", errno);
    return TW_OK;
  }
  size_t cap = 0;
  int rc = TW_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 32;
      char **v = realloc(*names, cap * sizeof *v);
      if (!v) {
        rc = TW_ENOMEM;
        break;
      }
      *names = v;
    }
    if (!((*names)[*n] = strdup(e->d_name))) {
      rc = TW_ENOMEM;
      break;
    }
    (*n)++;
  }
  closedir(d);
  if (*n > 1)
    qsort(*names, *n, sizeof **names, tw_list_cmp);
  return rc;
}

static int tw_list_dir(tw_lister *l, const char *path, const struct stat *sb) {
  for (size_t i = 0; i < l->depth; i++)
    if (l->dev[i] == sb->st_dev && l->ino[i] == sb->st_ino) {
      tw_list_error(l, path, "directory loop (symbolic link), not followed", 0);
      return TW_OK;
    }
  if (l->depth == TW_LIST_MAX_DEPTH) {
    tw_list_error(l, path, "directories nested too deeply, not followed", 0);
    return TW_OK;
  }
  char **names;
  size_t n;
  int rc = tw_list_names(l, path, &names, &n);
  l->dev[l->depth] = sb->st_dev;
  l->ino[l->depth++] = sb->st_ino;
  size_t plen = strlen(path);
  int slash = plen > 0 && path[plen - 1] == '/';
  for (size_t i = 0; i < n && rc == TW_OK; i++) {
    size_t need = plen + strlen(names[i]) + 2;
    char *child = malloc(need);
    if (!child) {
      rc = TW_ENOMEM;
      break;
    }
    snprintf(child, need, "%s%s%s", path, slash ? "" : "/", names[i]);
    rc = tw_list_path(l, child, 1);
    free(child);
  }
  l->depth--;
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc;
}

static int tw_list_path(tw_lister *l, const char *path, int in_dir) {
  struct stat sb;
  if (!in_dir && !strcmp(path, "-"))
    return tw_list_add(l, "-", -1, TW_INGEST_FILE_STDIN);
  if (stat(path, &sb) != 0) {
    tw_list_error(l, path, "cannot read", errno);
    return TW_OK;
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (S_ISDIR(sb.st_mode) && in_dir && base[0] == '.') {
    l->st->files_skipped_other++; /* .git and the like: not entered, counted once */
    return TW_OK;
  }
  if (S_ISDIR(sb.st_mode))
    return tw_list_dir(l, path, &sb);
  if (in_dir && (base[0] == '.' || !S_ISREG(sb.st_mode))) {
    l->st->files_skipped_other++;
    l->st->bytes_skipped += S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    return TW_OK;
  }
  int64_t size = S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : -1;
  if (!S_ISREG(sb.st_mode))
    return tw_list_add(l, path, size, 0);
  return tw_list_file(l, path, size, in_dir ? TW_INGEST_FILE_FROM_DIR : 0);
}

int tw_ingest_list(const char *const *paths, size_t n, const tw_ingest_opts *o,
                   tw_ingest_file **files, size_t *nfiles, tw_ingest_stats *st) {
  tw_lister l;
  memset(&l, 0, sizeof l);
  l.o = o;
  l.st = st;
  int rc = TW_OK;
  for (size_t i = 0; i < n && rc == TW_OK; i++)
    rc = tw_list_path(&l, paths[i], 0);
  if (rc) {
    tw_ingest_files_free(l.v, l.n);
    return rc;
  }
  *files = l.v;
  *nfiles = l.n;
  return TW_OK;
}

void tw_ingest_files_free(tw_ingest_file *files, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(files[i].path);
  free(files);
}
