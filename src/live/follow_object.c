/*
 * follow_object.c — the objects of a followed directory: each is read
 * whole (any shape src/ingest accepts, gzip or not) into the batch, and
 * recorded (relative path, size, mtime, events, problems, SHA-256) in the
 * transaction of its events, so it is ingested exactly once across
 * restarts. An object recorded before is read again only when its size or
 * mtime changes; then, when its old bytes are a prefix of the new ones
 * (a truncated copy completed, a touch, s3 sync setting the mtime after
 * the rename), the events the old bytes gave are skipped and only the
 * rest is ingested; other content is ingested in full. A large object is
 * committed over several transactions with a partial row (see the commit
 * section). The map of objects done is in follow_done.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sched.h>
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

static int tw_fdir_add_pending(tw_fdir *d, const tw_fobj *rec, size_t from,
                               uint64_t skip) {
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
  p->skip = skip;
  d->npend++;
  return TW_OK;
}

/* Too large to read whole: reported and recorded with one problem. */
static int tw_fdir_too_large(tw_fsrc *s, tw_fdir *d, tw_fobj *rec) {
  tw_log_kv(s->log, TW_LOG_WARN, "follow.object_error", "source", s->path,
            "object", rec->path, "error", "larger than 512 MiB: skipped",
            NULL);
  rec->errors = 1;
  return tw_fdir_add_pending(d, rec, d->batch.n, 0);
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
    return tw_fdir_add_pending(d, rec, d->batch.n, 0);
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
  return rc ? rc : tw_fdir_add_pending(d, rec, from, skip);
}

int tw_fdir_object(tw_fsrc *s, tw_fdir *d, const tw_fqitem *it) {
  int64_t now = tw_api_now_ms();
  if (!tw_fdir_wanted(it->rel, now) || tw_fdir_pending(d, it->rel))
    return TW_OK;
  if (d->stale && tw_fdir_reload(s, d) != TW_OK)
    return tw_fdir_defer(d, it->rel); /* unknown whether done: later */
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
    if (tw_fobj_done(old, rec.size, rec.mtime_ns) ||
        tw_fdir_expired(it->rel, rec.mtime_ns, now))
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

/* The pending objects are committed in transactions of about a batch of
 * events each (TW_FOLLOW_BATCH_EVENTS, TW_FOLLOW_BATCH_BYTES): whole
 * objects while they fit, and an object that does not fit in an empty
 * transaction (a large object) split over several, so that the API lock
 * is never held for long. Every transaction carries the rows of the
 * objects it ends; one that ends inside an object carries that object's
 * partial row (events = how many of its events are committed, errors =
 * TW_STORE_OBJECT_PARTIAL, the SHA-256 and size of the whole content).
 * A partial row never counts as done, so after a crash or a failed
 * commit the object is read again, and since its bytes hash the same,
 * its committed events are skipped (tw_fdir_skip): nothing twice, nothing
 * lost. */

/* A transaction's share: from event e0 of object i0 (events relative to
 * the object's first event in the batch) to event e1 of object i1;
 * objects i0 .. i1-1 end in it, object i1 is partial when e1 > 0. */
typedef struct tw_fspan {
  tw_fdir *d;
  size_t i0, e0, i1, e1;
} tw_fspan;

static size_t tw_fspan_bytes(const tw_fbatch *b, size_t from, size_t to) {
  return to > from ? b->off[to - 1] + b->len[to - 1] - b->off[from] : 0;
}

/* How many events of object p from its event e fill one transaction (at
 * least one). */
static size_t tw_fspan_fit(const tw_fbatch *b, const tw_fpend *p, size_t e) {
  size_t k = 0, bytes = 0;
  while (p->from + e + k < p->to && k < TW_FOLLOW_BATCH_EVENTS &&
         (k == 0 || bytes + b->len[p->from + e + k] <= TW_FOLLOW_BATCH_BYTES))
    bytes += b->len[p->from + e + k++];
  return k;
}

/* Where the transaction starting at (sp->i0, sp->e0) ends: whole objects
 * while they fit; an object that does not fit in the empty transaction is
 * split. */
static void tw_fspan_end(tw_fspan *sp) {
  const tw_fdir *d = sp->d;
  size_t n = 0, bytes = 0, i = sp->i0, e = sp->e0;
  while (i < d->npend) {
    const tw_fpend *p = &d->pend[i];
    size_t left = p->to - p->from - e;
    size_t lb = tw_fspan_bytes(&d->batch, p->from + e, p->to);
    if (n + left <= TW_FOLLOW_BATCH_EVENTS &&
        bytes + lb <= TW_FOLLOW_BATCH_BYTES) {
      n += left;
      bytes += lb;
      i++;
      e = 0;
      continue;
    }
    if (n == 0)
      e += tw_fspan_fit(&d->batch, p, e);
    break;
  }
  sp->i1 = i;
  sp->e1 = e;
}

/* The row of p, or its partial row when only its first done events are
 * committed. */
static tw_fobj tw_fspan_row(const tw_fpend *p, int partial, size_t done) {
  tw_fobj r = p->rec;
  if (partial) {
    r.events = (int64_t)(p->skip + done);
    r.errors = TW_STORE_OBJECT_PARTIAL;
  }
  return r;
}

static int tw_fspan_put(tw_fsrc *s, const tw_fobj *r, int64_t now_ms) {
  tw_store_object o = {s->path, r->path, r->size, r->mtime_ns, r->events,
                       r->errors, r->sha, now_ms};
  return tw_store_object_put(tw_api_store(s->api), &o);
}

static int tw_fdir_tx(tw_fsrc *s, void *ud, int64_t now_ms,
                      tw_live_counts *c) {
  tw_fspan *sp = ud;
  tw_fdir *d = sp->d;
  int rc = TW_OK;
  size_t last = sp->e1 ? sp->i1 : sp->i1 - 1;
  for (size_t i = sp->i0; rc == TW_OK && i <= last; i++) {
    const tw_fpend *p = &d->pend[i];
    size_t from = p->from + (i == sp->i0 ? sp->e0 : 0);
    size_t to = i < sp->i1 ? p->to : p->from + sp->e1;
    if (to > from)
      rc = tw_fbatch_ingest(s, &d->batch, from, to, p->stream, now_ms, c);
    tw_fobj r = tw_fspan_row(p, i == sp->i1, sp->e1);
    if (rc == TW_OK)
      rc = tw_fspan_put(s, &r, now_ms);
  }
  return rc;
}

/* Record in the map what the transaction sp committed. A failed
 * insertion leaves the map stale: it is reloaded from the store before
 * any object is read again, so no committed object is taken for new. */
static void tw_fspan_record(tw_fdir *d, const tw_fspan *sp) {
  size_t last = sp->e1 ? sp->i1 : sp->i1 - 1;
  for (size_t i = sp->i0; i <= last; i++) {
    tw_fobj r = tw_fspan_row(&d->pend[i], i == sp->i1, sp->e1);
    if (tw_fmap_put(&d->done, &r))
      d->stale = 1;
  }
}

int tw_fdir_flush(tw_fsrc *s, tw_fdir *d) {
  tw_fspan sp = {d, 0, 0, 0, 0};
  int rc = TW_OK;
  for (size_t ntx = 0; rc == TW_OK && sp.i0 < d->npend; ntx++) {
    if (ntx && tw_follow_stopping(s))
      break; /* what is left is read again after the restart */
    if (ntx) /* the API lock is not fair: let its waiters take it first */
      sched_yield();
    tw_fspan_end(&sp);
    if ((rc = tw_follow_tx(s, tw_fdir_tx, &sp)) == TW_OK)
      tw_fspan_record(d, &sp);
    sp.i0 = sp.i1;
    sp.e0 = sp.e1;
  }
  for (size_t i = 0; i < d->npend; i++)
    free(d->pend[i].rec.path);
  d->npend = 0;
  tw_fbatch_clear(&d->batch);
  if (d->stale)
    (void)tw_fdir_reload(s, d);
  if (rc) /* not recorded: the next walk finds them again */
    d->next_scan_ms = tw_api_now_ms() + 5000;
  return rc;
}
