/*
 * sample_s3.c — the S3 side of the demo archive (`trailwatch sample
 * --archive`): object keys exactly as CloudTrail delivers them, gzip with
 * zlib (fixed header: mtime 0, OS Unix, so output is reproducible), files
 * and directories, SHA-256, and the hourly digest objects with their
 * logFiles list and hash chain (CloudTrail log file integrity validation).
 *
 *   AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/
 *       <acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 alnum>.json.gz
 *   AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 *       <acct>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz
 *
 * Log object hashes are over the uncompressed content; a digest's
 * previousDigestHashValue is the SHA-256 of the previous digest's JSON.
 * The signatures (stored by AWS in S3 object metadata, not in files) are
 * random hex: nothing here can be verified with a real key.
 */
#define ZLIB_CONST
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sample/sample_archive.h"

#define ACCOUNT TW_SAMPLE_ARCHIVE_ACCOUNT

const char *const tw_archive_regions[TW_ARCHIVE_NREGIONS] = {
  "us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2",
};

static const char hex[] = "0123456789abcdef";
static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int tw_archive_region_index(const char *name) {
  for (int i = 0; i < TW_ARCHIVE_NREGIONS; i++)
    if (!strcmp(name, tw_archive_regions[i]))
      return i;
  return -1;
}

/* ---- names ------------------------------------------------------------ */

/* "YYYY-MM-DDTHH:MM:SSZ" */
static void iso_time(int64_t t, char out[21]) {
  tw_sw w = {out, out + 20, 0};
  tw_sample_time(NULL, &w, t);
  out[20] = 0;
}

/* "AWSLogs/<acct>/<kind>/<region>/YYYY/MM/DD/" */
static void key_prefix(tw_sw *w, const char *kind, const char *region, const char *iso) {
  TW_SW_LIT(w, "AWSLogs/" ACCOUNT "/");
  tw_sw_str(w, kind);
  tw_sw_ch(w, '/');
  tw_sw_str(w, region);
  tw_sw_ch(w, '/');
  tw_sw_put(w, iso, 4);
  tw_sw_ch(w, '/');
  tw_sw_put(w, iso + 5, 2);
  tw_sw_ch(w, '/');
  tw_sw_put(w, iso + 8, 2);
  tw_sw_ch(w, '/');
}

/* "YYYYMMDDTHHMM[SS]Z" */
static void key_stamp(tw_sw *w, const char *iso, int seconds) {
  tw_sw_put(w, iso, 4);
  tw_sw_put(w, iso + 5, 2);
  tw_sw_put(w, iso + 8, 2);
  tw_sw_ch(w, 'T');
  tw_sw_put(w, iso + 11, 2);
  tw_sw_put(w, iso + 14, 2);
  if (seconds)
    tw_sw_put(w, iso + 17, 2);
  tw_sw_ch(w, 'Z');
}

static int finish_key(tw_sw *w, char *key) {
  if (w->overflow || w->p >= key + TW_ARCHIVE_KEY_MAX)
    return TW_ELIMIT;
  *w->p = 0;
  return TW_OK;
}

static int log_key(tw_archive *a, const tw_log_object *o, char key[TW_ARCHIVE_KEY_MAX]) {
  const char *region = tw_archive_regions[o->region];
  char iso[21];
  iso_time(o->delivered, iso);
  tw_sw w = {key, key + TW_ARCHIVE_KEY_MAX - 1, 0};
  key_prefix(&w, "CloudTrail", region, iso);
  TW_SW_LIT(&w, ACCOUNT "_CloudTrail_");
  tw_sw_str(&w, region);
  tw_sw_ch(&w, '_');
  key_stamp(&w, iso, 0);
  tw_sw_ch(&w, '_');
  for (int i = 0; i < 16; i++)
    tw_sw_ch(&w, alnum[tw_rng_below(&a->rng, 62)]);
  TW_SW_LIT(&w, ".json.gz");
  return finish_key(&w, key);
}

static int digest_key(int region, int64_t end, char key[TW_ARCHIVE_KEY_MAX]) {
  const char *name = tw_archive_regions[region];
  char iso[21];
  iso_time(end, iso);
  tw_sw w = {key, key + TW_ARCHIVE_KEY_MAX - 1, 0};
  key_prefix(&w, "CloudTrail-Digest", name, iso);
  TW_SW_LIT(&w, ACCOUNT "_CloudTrail-Digest_");
  tw_sw_str(&w, name);
  TW_SW_LIT(&w, "_" TW_ARCHIVE_TRAIL "_" TW_ARCHIVE_HOME_REGION "_");
  key_stamp(&w, iso, 1);
  TW_SW_LIT(&w, ".json.gz");
  return finish_key(&w, key);
}

/* ---- bytes: SHA-256, gzip, files ---------------------------------------- */

static int sha256_hex(const void *data, size_t len, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
    return TW_ENOMEM;
  for (unsigned i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = 0;
  return TW_OK;
}

/* gzip data into a->gz. */
static int gzip(tw_archive *a, const char *data, size_t len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (len > UINT32_MAX / 2 || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
    return TW_ENOMEM;
  gz_header h;
  memset(&h, 0, sizeof h); /* mtime 0, no name: reproducible */
  h.os = 3;                /* Unix, whatever the build platform */
  int rc = deflateSetHeader(&z, &h) == Z_OK ? TW_OK : TW_ENOMEM;
  size_t bound = deflateBound(&z, (uLong)len) + 64;
  a->gz.len = 0;
  if (!rc)
    rc = tw_buf_reserve(&a->gz, bound);
  if (!rc) {
    z.next_in = (const Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)a->gz.data;
    z.avail_out = (uInt)bound;
    rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? TW_OK : TW_ENOMEM;
    a->gz.len = bound - z.avail_out;
  }
  deflateEnd(&z);
  return rc;
}

static int io_error(tw_archive *a, const char *path) {
  int err = errno;
  snprintf(a->st->path, sizeof a->st->path, "%s", path);
  errno = err;
  return TW_EIO;
}

/* mkdir -p of the first n bytes of the NUL-terminated path p (modified in
 * place and restored). */
static int mkdirs_prefix(tw_archive *a, char *p, size_t n) {
  for (size_t i = 1; i <= n; i++) {
    if (i < n && p[i] != '/')
      continue;
    char saved = p[i];
    p[i] = 0;
    int bad = mkdir(p, 0777) && errno != EEXIST;
    if (bad) {
      int rc = io_error(a, p);
      p[i] = saved;
      return rc;
    }
    p[i] = saved;
  }
  return TW_OK;
}

int tw_archive_mkdirs(tw_archive *a, const char *dir) {
  size_t n = strlen(dir);
  a->path.len = 0;
  int rc = tw_buf_append(&a->path, dir, n + 1);
  return rc ? rc : mkdirs_prefix(a, a->path.data, n);
}

static int write_file(tw_archive *a, const char *key) {
  size_t dl = strlen(a->dir), kl = strlen(key);
  a->path.len = 0;
  int rc = tw_buf_reserve(&a->path, dl + kl + 2);
  if (rc)
    return rc;
  char *p = a->path.data;
  memcpy(p, a->dir, dl);
  p[dl] = '/';
  memcpy(p + dl + 1, key, kl + 1);
  FILE *f = fopen(p, "wb");
  if (!f && errno == ENOENT) {
    rc = mkdirs_prefix(a, p, (size_t)(strrchr(p, '/') - p));
    if (rc)
      return rc;
    f = fopen(p, "wb");
  }
  if (!f)
    return io_error(a, p);
  size_t put = fwrite(a->gz.data, 1, a->gz.len, f);
  if (put != a->gz.len) {
    rc = io_error(a, p);
    fclose(f);
    return rc;
  }
  if (fclose(f))
    return io_error(a, p);
  a->st->bytes += a->gz.len;
  return TW_OK;
}

static int put_object(tw_archive *a, const char *key, const char *data, size_t len) {
  int rc = gzip(a, data, len);
  return rc ? rc : write_file(a, key);
}

/* ---- digests ---------------------------------------------------------- */

static void put_iso(tw_sw *w, int64_t t) {
  tw_sw_ch(w, '"');
  tw_sample_time(NULL, w, t);
  tw_sw_ch(w, '"');
}

static void put_str_or_null(tw_sw *w, const char *s) {
  if (!*s) {
    TW_SW_LIT(w, "null");
    return;
  }
  tw_sw_ch(w, '"');
  tw_sw_str(w, s);
  tw_sw_ch(w, '"');
}

static void digest_times(tw_sw *w, const tw_digest *d) {
  TW_SW_LIT(w, ",\"newestEventTime\":");
  if (d->have_files)
    put_iso(w, d->newest);
  else
    TW_SW_LIT(w, "null");
  TW_SW_LIT(w, ",\"oldestEventTime\":");
  if (d->have_files)
    put_iso(w, d->oldest);
  else
    TW_SW_LIT(w, "null");
}

static void digest_previous(tw_archive *a, tw_sw *w, const tw_digest *d) {
  int first = !d->prev_key[0];
  TW_SW_LIT(w, ",\"previousDigestS3Bucket\":");
  put_str_or_null(w, first ? "" : TW_ARCHIVE_BUCKET);
  TW_SW_LIT(w, ",\"previousDigestS3Object\":");
  put_str_or_null(w, d->prev_key);
  TW_SW_LIT(w, ",\"previousDigestHashValue\":");
  put_str_or_null(w, d->prev_hash);
  TW_SW_LIT(w, ",\"previousDigestHashAlgorithm\":");
  put_str_or_null(w, first ? "" : "SHA-256");
  TW_SW_LIT(w, ",\"previousDigestSignature\":");
  if (first) {
    TW_SW_LIT(w, "null");
    return;
  }
  tw_sw_ch(w, '"'); /* a 2048-bit RSA signature's size */
  tw_sw_chars(w, tw_rng_next(&a->rng), 512, hex, 16);
  tw_sw_ch(w, '"');
}

static void digest_json(tw_archive *a, int region, const char *key, tw_sw *w) {
  const tw_digest *d = &a->digest[region];
  TW_SW_LIT(w, "{\"awsAccountId\":\"" ACCOUNT "\",\"digestStartTime\":");
  put_iso(w, d->start);
  TW_SW_LIT(w, ",\"digestEndTime\":");
  put_iso(w, d->start + TW_ARCHIVE_DIGEST);
  TW_SW_LIT(w, ",\"digestS3Bucket\":\"" TW_ARCHIVE_BUCKET "\",\"digestS3Object\":\"");
  tw_sw_str(w, key);
  TW_SW_LIT(w, "\",\"digestPublicKeyFingerprint\":\"");
  tw_sw_chars(w, tw_rng_hash(0xD16E57u + (uint64_t)region), 32, hex, 16);
  TW_SW_LIT(w, "\",\"digestSignatureAlgorithm\":\"SHA256withRSA\"");
  digest_times(w, d);
  digest_previous(a, w, d);
  TW_SW_LIT(w, ",\"logFiles\":[");
  if (d->files.len) /* an hour without deliveries has no buffer yet */
    tw_sw_put(w, d->files.data, d->files.len);
  TW_SW_LIT(w, "]}");
}

static int emit_digest(tw_archive *a, int region) {
  tw_digest *d = &a->digest[region];
  char key[TW_ARCHIVE_KEY_MAX];
  int rc = digest_key(region, d->start + TW_ARCHIVE_DIGEST, key);
  size_t cap = 4096 + d->files.len;
  a->json.len = 0;
  if (!rc)
    rc = tw_buf_reserve(&a->json, cap);
  if (rc)
    return rc;
  tw_sw w = {a->json.data, a->json.data + cap, 0};
  digest_json(a, region, key, &w);
  if (w.overflow)
    return TW_ELIMIT;
  a->json.len = (size_t)(w.p - a->json.data);
  rc = sha256_hex(a->json.data, a->json.len, d->prev_hash);
  if (!rc)
    rc = put_object(a, key, a->json.data, a->json.len);
  if (rc)
    return rc;
  memcpy(d->prev_key, key, sizeof key);
  d->start += TW_ARCHIVE_DIGEST;
  d->files.len = 0;
  d->have_files = 0;
  a->st->digest_files++;
  return TW_OK;
}

/* Append a "logFiles" entry for the object just written. */
static int digest_add(tw_digest *d, const char *key, const char *hash,
                      const tw_log_object *o) {
  size_t need = 512 + strlen(key);
  int rc = tw_buf_reserve(&d->files, need);
  if (rc)
    return rc;
  tw_sw w = {d->files.data + d->files.len, d->files.data + d->files.len + need, 0};
  if (d->files.len)
    tw_sw_ch(&w, ',');
  TW_SW_LIT(&w, "{\"s3Bucket\":\"" TW_ARCHIVE_BUCKET "\",\"s3Object\":\"");
  tw_sw_str(&w, key);
  TW_SW_LIT(&w, "\",\"hashValue\":\"");
  tw_sw_str(&w, hash);
  TW_SW_LIT(&w, "\",\"hashAlgorithm\":\"SHA-256\",\"newestEventTime\":");
  put_iso(&w, o->newest);
  TW_SW_LIT(&w, ",\"oldestEventTime\":");
  put_iso(&w, o->oldest);
  tw_sw_ch(&w, '}');
  if (w.overflow)
    return TW_ELIMIT;
  d->files.len = (size_t)(w.p - d->files.data);
  if (!d->have_files || o->oldest < d->oldest)
    d->oldest = o->oldest;
  if (!d->have_files || o->newest > d->newest)
    d->newest = o->newest;
  d->have_files = 1;
  return TW_OK;
}

int tw_archive_finish_digests(tw_archive *a, int region, int64_t until) {
  int rc = TW_OK;
  while (!rc && a->digest[region].start <= until)
    rc = emit_digest(a, region);
  return rc;
}

int tw_archive_put_log(tw_archive *a, const tw_log_object *o) {
  tw_digest *d = &a->digest[o->region];
  int rc = tw_archive_finish_digests(a, o->region, o->delivered - TW_ARCHIVE_DIGEST);
  char key[TW_ARCHIVE_KEY_MAX], hash[65];
  if (!rc)
    rc = log_key(a, o, key);
  if (!rc)
    rc = sha256_hex(o->records, o->len, hash);
  if (!rc)
    rc = put_object(a, key, o->records, o->len);
  if (!rc)
    rc = digest_add(d, key, hash, o);
  if (!rc)
    a->st->log_files++;
  return rc;
}
