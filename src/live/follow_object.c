/*
 * follow_object.c — the objects of a followed directory: each is read
 * whole (any shape src/ingest accepts, gzip or not) into the batch, and
 * recorded (relative path, size, mtime, events, problems, SHA-256) in the
 * transaction of its events, so it is ingested exactly once across
 * restarts. An object recorded before is read again only when its size or
 * mtime changes; then, when its old bytes are a prefix of the new ones
 * (a truncated copy completed, a touch, s3 sync setting the mtime after
 * the rename), the events the old bytes gave are skipped and only the
 * rest is ingested; other content is ingested in full.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "live/follow_dir.h"

#define TW_FOBJ_MAX_SIZE (INT64_C(512) << 20) /* larger: reported, skipped */
#define TW_FOBJ_QUIET_NS INT64_C(1000000000)  /* found by a walk: mtime age */
#define TW_DAY_MS INT64_C(86400000)

/* ---- map of objects done ------------------------------------------------------- */

static size_t tw_fmap_hash(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return (size_t)h;
}

static tw_fobj *tw_fmap_slot(const tw_fmap *m, const char *path) {
  size_t i = tw_fmap_hash(path) & (m->cap - 1);
  while (m->slot[i].path && strcmp(m->slot[i].path, path))
    i = (i + 1) & (m->cap - 1);
  return &m->slot[i];
}

tw_fobj *tw_fmap_get(const tw_fmap *m, const char *path) {
  if (!m->cap)
    return NULL;
  tw_fobj *o = tw_fmap_slot(m, path);
  return o->path ? o : NULL;
}

static int tw_fmap_grow(tw_fmap *m) {
  tw_fmap bigger = {calloc(m->cap ? m->cap * 2 : 1024, sizeof(tw_fobj)),
                    m->cap ? m->cap * 2 : 1024, m->n};
  if (!bigger.slot)
    return TW_ENOMEM;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slot[i].path)
      *tw_fmap_slot(&bigger, m->slot[i].path) = m->slot[i];
  free(m->slot);
  *m = bigger;
  return TW_OK;
}

int tw_fmap_put(tw_fmap *m, const tw_fobj *o) {
  if ((m->n + 1) * 2 > m->cap && tw_fmap_grow(m))
    return TW_ENOMEM;
  tw_fobj *slot = tw_fmap_slot(m, o->path);
  char *path = slot->path;
  if (!path && !(path = strdup(o->path)))
    return TW_ENOMEM;
  if (!slot->path)
    m->n++;
  *slot = *o;
  slot->path = path;
  return TW_OK;
}

void tw_fmap_free(tw_fmap *m) {
  for (size_t i = 0; i < m->cap; i++)
    free(m->slot[i].path);
  free(m->slot);
  memset(m, 0, sizeof *m);
}

static int tw_fdir_load_row(const tw_store_object *o, void *ud) {
  tw_fdir *d = ud;
  tw_fobj r = {(char *)o->path, o->size, o->mtime_ns, o->events, o->errors,
               {0}};
  memcpy(r.sha, o->sha256, 32);
  return tw_fmap_put(&d->done, &r);
}

int tw_fdir_load(tw_fsrc *s, tw_fdir *d) {
  tw_api_lock(s->api);
  int rc = tw_store_object_list(tw_api_store(s->api), s->path,
                                tw_fdir_load_row, d);
  tw_api_unlock(s->api);
  return rc;
}

/* ---- which objects ------------------------------------------------------------------ */

static int tw_fdir_suffix(const char *name, const char *suffix) {
  size_t n = strlen(name), m = strlen(suffix);
  return n > m && !strcmp(name + n - m, suffix);
}

/* Names download tools give files they are still writing: aws s3
 * (NAME.<8 hex>), rclone/curl/browsers (.partial, .part, ...), rsync and
 * editors (hidden, ~). */
static int tw_fdir_temp_name(const char *name) {
  static const char *const suffixes[] = {".tmp", ".temp", ".part",
                                         ".partial", ".crdownload",
                                         ".swp", "~", ".gstmp"};
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
    if (tw_fdir_suffix(name, suffixes[i]))
      return 1;
  const char *dot = strrchr(name, '.');
  if (!dot || dot == name || strlen(dot + 1) != 8 ||
      !memchr(name, '.', (size_t)(dot - name)))
    return 0;
  for (const char *p = dot + 1; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
          (*p >= 'A' && *p <= 'F')))
      return 0;
  return 1;
}

int tw_fdir_wanted(const char *rel, int64_t now_ms) {
  const char *name = strrchr(rel, '/');
  name = name ? name + 1 : rel;
  if (name[0] == '.' || strstr(rel, "/.") || tw_fdir_temp_name(name))
    return 0;
  tw_ingest_key_info k;
  tw_ingest_key_parse(rel, &k);
  if (k.digest)
    return 0;
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  o.from_ms = now_ms - 14 * TW_DAY_MS;
  o.to_ms = now_ms + 2 * 3600 * 1000;
  return !tw_ingest_key_outside(&k, &o);
}

/* ---- streams ------------------------------------------------------------------------ */

/* <account>_CloudTrail_<region>, as CloudTrail names its CloudWatch Logs
 * streams: from AWSLogs/[org/]<account>/CloudTrail/<region>/..., or from
 * an object name <account>_CloudTrail_<region>_... */
static int tw_fdir_key_stream(const char *rel, char *out, size_t cap) {
  for (const char *p = strstr(rel, "/CloudTrail/"); p;
       p = strstr(p + 1, "/CloudTrail/")) {
    const char *a = p, *r = p + strlen("/CloudTrail/");
    const char *re = strchr(r, '/');
    while (a > rel && a[-1] != '/')
      a--;
    if (a < p && re && re > r) {
      snprintf(out, cap, "%.*s_CloudTrail_%.*s", (int)(p - a), a,
               (int)(re - r), r);
      return 1;
    }
  }
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  const char *u = strchr(base, '_');
  if (!u || u == base || strncmp(u, "_CloudTrail_", 12))
    return 0;
  const char *r = u + 12, *re = strchr(r, '_');
  if (!re || re == r)
    return 0;
  snprintf(out, cap, "%.*s", (int)(re - base), base);
  return 1;
}

static void tw_fdir_stream(const tw_fdir *d, const char *rel, char *out,
                           size_t cap) {
  if (!tw_fdir_key_stream(rel, out, cap))
    snprintf(out, cap, "%s", d->fallback_stream);
  for (char *p = out; *p; p++)
    if (*p == ':' || *p == '*')
      *p = '_';
}

/* ---- reading one object -------------------------------------------------------------- */

static int64_t tw_fdir_mtime_ns(const struct stat *sb) {
  return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

static int64_t tw_fdir_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int tw_fdir_pending(const tw_fdir *d, const char *rel) {
  for (size_t i = 0; i < d->npend; i++)
    if (!strcmp(d->pend[i].rec.path, rel))
      return 1;
  return 0;
}

/* Read all of fd into d->raw; 1 when exactly size bytes were read. */
static int tw_fdir_read_all(tw_fdir *d, int fd, int64_t size) {
  d->raw.len = 0;
  if (tw_buf_reserve(&d->raw, (size_t)size + 1))
    return -1;
  while (d->raw.len <= (size_t)size) {
    ssize_t n = pread(fd, d->raw.data + d->raw.len,
                      (size_t)size + 1 - d->raw.len, (off_t)d->raw.len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    d->raw.len += (size_t)n;
  }
  return d->raw.len == (size_t)size;
}

static void tw_fdir_sha(const void *p, size_t n, unsigned char out[32]) {
  unsigned int len = 32;
  if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL))
    memset(out, 0, 32);
}

/* Events of the old content to skip: all it gave when its bytes are a
 * prefix of the new ones, else none (new content). */
static uint64_t tw_fdir_skip(tw_fsrc *s, const tw_fdir *d, const tw_fobj *old,
                             const char *rel) {
  unsigned char h[32];
  if (!old)
    return 0;
  if ((size_t)old->size <= d->raw.len) {
    tw_fdir_sha(d->raw.data, (size_t)old->size, h);
    if (!memcmp(h, old->sha, 32))
      return (uint64_t)old->events;
  }
  tw_log_kv(s->log, TW_LOG_INFO, "follow.object_replaced", "source", s->path,
            "object", rel, NULL);
  return 0;
}

/* Gzip, or JSON text (after an optional BOM) starting with { or [. */
static int tw_fdir_looks_json(const char *p, size_t n) {
  if (n >= 2 && (unsigned char)p[0] == 0x1f && (unsigned char)p[1] == 0x8b)
    return 1;
  size_t i = n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3) ? 3 : 0;
  while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
    i++;
  return i < n && (p[i] == '{' || p[i] == '[');
}

static void tw_fdir_report(tw_fsrc *s, const tw_fdir *d, const char *rel) {
  char n[24], off[24];
  tw_log_kv(s->log, TW_LOG_WARN, "follow.object_error", "source", s->path,
            "object", rel, "problems",
            tw_follow_num(n, sizeof n, (int64_t)d->errs.count), "offset",
            tw_follow_num(off, sizeof off, d->errs.first_offset), "error",
            d->errs.first, NULL);
}

/* Decode d->raw into the batch; rec gets the object's event and problem
 * counts. */
static int tw_fdir_decode(tw_fsrc *s, tw_fdir *d, const char *rel,
                          uint64_t skip, tw_fobj *rec) {
  tw_fevents ev = {&d->batch, tw_api_now_ms(), 0, skip};
  tw_ingest_stats st;
  memset(&st, 0, sizeof st);
  tw_ferrs_reset(&d->errs);
  size_t from = d->batch.n;
  int rc = tw_fdir_looks_json(d->raw.data, d->raw.len)
               ? tw_ingest_buffer_events(d->in, rel, d->raw.data, d->raw.len,
                                         tw_fevents_cb, &ev, &st)
               : TW_OK;
  if (rc) { /* out of memory: nothing of this object stays in the batch */
    d->batch.text.len = from < d->batch.n ? d->batch.off[from] : d->batch.text.len;
    d->batch.n = from;
    return TW_ENOMEM;
  }
  rec->events = (int64_t)ev.seen;
  rec->errors = (int64_t)d->errs.count;
  if (d->errs.count)
    tw_fdir_report(s, d, rel);
  return TW_OK;
}

static int tw_fdir_add_pending(tw_fdir *d, const tw_fobj *rec, size_t from) {
  if (d->npend == d->cappend) {
    size_t cap = d->cappend ? d->cappend * 2 : 64;
    tw_fpend *p = realloc(d->pend, cap * sizeof *p);
    if (!p)
      return TW_ENOMEM;
    d->pend = p;
    d->cappend = cap;
  }
  tw_fpend *p = &d->pend[d->npend];
  p->rec = *rec;
  if (!(p->rec.path = strdup(rec->path)))
    return TW_ENOMEM;
  tw_fdir_stream(d, rec->path, p->stream, sizeof p->stream);
  p->from = from;
  p->to = d->batch.n;
  d->npend++;
  return TW_OK;
}

/* Too large to read whole: reported and recorded with one problem. */
static int tw_fdir_too_large(tw_fsrc *s, tw_fdir *d, tw_fobj *rec) {
  tw_log_kv(s->log, TW_LOG_WARN, "follow.object_error", "source", s->path,
            "object", rec->path, "error", "larger than 512 MiB: skipped",
            NULL);
  rec->errors = 1;
  return tw_fdir_add_pending(d, rec, d->batch.n);
}

static int tw_fdir_defer(tw_fdir *d, const char *rel) {
  if (!d->deferred.n)
    d->retry_ms = tw_api_now_ms() + 1000;
  return tw_fqueue_push(&d->deferred, rel, 0);
}

/* 1 when the first bytes of fd cannot start an event file (a README, a
 * database): such a file is recorded without being read whole. */
static int tw_fdir_not_events(int fd) {
  char head[512];
  ssize_t n = pread(fd, head, sizeof head, 0);
  return n <= 0 || !tw_fdir_looks_json(head, (size_t)n);
}

/* Read the open object fd (stat sb) into the batch. */
static int tw_fdir_read(tw_fsrc *s, tw_fdir *d, int fd, const struct stat *sb,
                        tw_fobj *rec, const tw_fobj *old) {
  if (tw_fdir_not_events(fd))
    return tw_fdir_add_pending(d, rec, d->batch.n);
  if (sb->st_size > TW_FOBJ_MAX_SIZE)
    return tw_fdir_too_large(s, d, rec);
  int ok = tw_fdir_read_all(d, fd, sb->st_size);
  struct stat again;
  if (ok < 0)
    return TW_ENOMEM;
  if (!ok || fstat(fd, &again) != 0 || again.st_size != sb->st_size ||
      tw_fdir_mtime_ns(&again) != rec->mtime_ns)
    return tw_fdir_defer(d, rec->path); /* being written */
  tw_fdir_sha(d->raw.data, d->raw.len, rec->sha);
  uint64_t skip = tw_fdir_skip(s, d, old, rec->path);
  size_t from = d->batch.n;
  int rc = tw_fdir_decode(s, d, rec->path, skip, rec);
  return rc ? rc : tw_fdir_add_pending(d, rec, from);
}

int tw_fdir_object(tw_fsrc *s, tw_fdir *d, const tw_fqitem *it) {
  if (!tw_fdir_wanted(it->rel, tw_api_now_ms()) || tw_fdir_pending(d, it->rel))
    return TW_OK;
  size_t n = strlen(s->path) + strlen(it->rel) + 2;
  char *full = malloc(n);
  if (!full)
    return TW_ENOMEM;
  snprintf(full, n, "%s/%s", s->path, it->rel);
  int fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  free(full);
  struct stat sb;
  if (fd < 0)
    return TW_OK;
  int rc = TW_OK;
  tw_fobj rec = {it->rel, 0, 0, 0, 0, {0}};
  const tw_fobj *old = tw_fmap_get(&d->done, it->rel);
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
    rec.size = sb.st_size;
    rec.mtime_ns = tw_fdir_mtime_ns(&sb);
    int64_t age = tw_fdir_now_ns() - rec.mtime_ns;
    if (old && old->size == rec.size && old->mtime_ns == rec.mtime_ns)
      rc = TW_OK;
    else if (!it->from_event && age < TW_FOBJ_QUIET_NS && age > -TW_FOBJ_QUIET_NS)
      rc = tw_fdir_defer(d, it->rel);
    else
      rc = tw_fdir_read(s, d, fd, &sb, &rec, old);
  }
  close(fd);
  return rc;
}

/* ---- commit ----------------------------------------------------------------------------- */

static int tw_fdir_tx(tw_fsrc *s, void *ud, int64_t now_ms,
                      tw_live_counts *c) {
  tw_fdir *d = ud;
  int rc = TW_OK;
  for (size_t i = 0; rc == TW_OK && i < d->npend; i++) {
    const tw_fpend *p = &d->pend[i];
    if (p->to > p->from)
      rc = tw_fbatch_ingest(s, &d->batch, p->from, p->to, p->stream, now_ms,
                            c);
    tw_store_object o = {s->path, p->rec.path, p->rec.size, p->rec.mtime_ns,
                         p->rec.events, p->rec.errors, p->rec.sha, now_ms};
    if (rc == TW_OK)
      rc = tw_store_object_put(tw_api_store(s->api), &o);
  }
  return rc;
}

int tw_fdir_flush(tw_fsrc *s, tw_fdir *d) {
  if (!d->npend)
    return TW_OK;
  int rc = tw_follow_tx(s, tw_fdir_tx, d);
  for (size_t i = 0; i < d->npend; i++) {
    if (rc == TW_OK && tw_fmap_put(&d->done, &d->pend[i].rec))
      rc = TW_ENOMEM;
    free(d->pend[i].rec.path);
  }
  d->npend = 0;
  tw_fbatch_clear(&d->batch);
  if (rc) /* not recorded: the next walk finds them again */
    d->next_scan_ms = tw_api_now_ms() + 5000;
  return rc;
}
