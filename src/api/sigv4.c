/*
 * sigv4.c — AWS Signature Version 4 verification (see sigv4.h): parse the
 * Authorization header, rebuild the canonical request from the received
 * headers and body, derive the signing key with HMAC-SHA256 and compare
 * signatures in constant time. Failures carry the wording AWS uses.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api/sigv4.h"
#include "util/util.h"

struct tw_sigv4_keys {
  char **ids;
  char **secrets;
  size_t n;
};

int tw_sigv4_keys_new(tw_sigv4_keys **out) {
  *out = calloc(1, sizeof **out);
  return *out ? TW_OK : TW_ENOMEM;
}

void tw_sigv4_keys_free(tw_sigv4_keys *k) {
  if (!k)
    return;
  for (size_t i = 0; i < k->n; i++) {
    free(k->ids[i]);
    OPENSSL_cleanse(k->secrets[i], strlen(k->secrets[i]));
    free(k->secrets[i]);
  }
  free(k->ids);
  free(k->secrets);
  free(k);
}

size_t tw_sigv4_keys_count(const tw_sigv4_keys *k) { return k ? k->n : 0; }

int tw_sigv4_keys_add(tw_sigv4_keys *k, const char *id, const char *secret) {
  char **ids = realloc(k->ids, (k->n + 1) * sizeof *ids);
  if (!ids)
    return TW_ENOMEM;
  k->ids = ids;
  char **secrets = realloc(k->secrets, (k->n + 1) * sizeof *secrets);
  if (!secrets)
    return TW_ENOMEM;
  k->secrets = secrets;
  ids[k->n] = strdup(id);
  secrets[k->n] = strdup(secret);
  if (!ids[k->n] || !secrets[k->n]) {
    free(ids[k->n]);
    free(secrets[k->n]);
    return TW_ENOMEM;
  }
  k->n++;
  return TW_OK;
}

/* One "ID SECRET" line into k; 0 when the line is blank or a comment. */
static int tw_sigv4_key_line(tw_sigv4_keys *k, char *line, size_t lineno,
                             const char *path, tw_error *err) {
  char *p = line + strspn(line, " \t\r\n");
  if (!*p || *p == '#')
    return TW_OK;
  char *id = strtok(p, " \t\r\n:,");
  char *secret = strtok(NULL, " \t\r\n:,");
  if (!id || !secret || strtok(NULL, " \t\r\n"))
    return tw_error_set(err, TW_EINVAL, 0,
                        "%s:%zu: expected ACCESS_KEY_ID SECRET", path, lineno);
  int rc = tw_sigv4_keys_add(k, id, secret);
  return rc ? tw_error_set(err, rc, 0, "out of memory") : TW_OK;
}

int tw_sigv4_keys_load(const char *path, tw_sigv4_keys **out, tw_error *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return tw_error_set(err, TW_EIO, 0, "cannot read %s", path);
  tw_sigv4_keys *k = NULL;
  int rc = tw_sigv4_keys_new(&k);
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  while (rc == TW_OK && getline(&line, &cap, f) >= 0)
    rc = tw_sigv4_key_line(k, line, ++lineno, path, err);
  free(line);
  fclose(f);
  if (rc == TW_OK && k->n == 0)
    rc = tw_error_set(err, TW_EINVAL, 0, "%s: no access key pairs", path);
  if (rc) {
    tw_sigv4_keys_free(k);
    return rc;
  }
  *out = k;
  return TW_OK;
}

/* ---- crypto ---------------------------------------------------------------- */

static void tw_hex(const unsigned char *d, size_t n, char *out) {
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hx[d[i] >> 4];
    out[2 * i + 1] = hx[d[i] & 15];
  }
  out[2 * n] = '\0';
}

static int tw_sha256_hex(const void *data, size_t n, char *out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL))
    return TW_ENOMEM;
  tw_hex(md, len, out);
  return TW_OK;
}

static int tw_hmac(const void *key, size_t klen, const char *msg,
                   unsigned char *out) {
  unsigned len = 0;
  return HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
              strlen(msg), out, &len)
             ? TW_OK
             : TW_ENOMEM;
}

/* ---- canonical request --------------------------------------------------------- */

static int tw_unreserved(unsigned char ch) {
  return isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

static int tw_uri_encode(tw_buf *b, const char *s, size_t n, int keep_slash) {
  int rc = TW_OK;
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (tw_unreserved(ch) || (keep_slash && ch == '/')) {
      rc = tw_buf_append(b, s + i, 1);
    } else {
      char e[4];
      snprintf(e, sizeof e, "%%%02X", ch);
      rc = tw_buf_append(b, e, 3);
    }
  }
  return rc;
}

static int tw_hexval(char c) {
  return isdigit((unsigned char)c) ? c - '0'
         : (c >= 'a' && c <= 'f')  ? c - 'a' + 10
         : (c >= 'A' && c <= 'F')  ? c - 'A' + 10
                                   : -1;
}

/* Decode %XX (and '+' as is) in place; returns the new length. */
static size_t tw_uri_decode(char *s) {
  size_t j = 0;
  for (size_t i = 0; s[i]; i++) {
    if (s[i] == '%' && tw_hexval(s[i + 1]) >= 0 && tw_hexval(s[i + 2]) >= 0) {
      s[j++] = (char)(tw_hexval(s[i + 1]) * 16 + tw_hexval(s[i + 2]));
      i += 2;
    } else {
      s[j++] = s[i];
    }
  }
  s[j] = '\0';
  return j;
}

static int tw_strptr_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Query parameters: decoded, re-encoded, sorted, joined with '&'. */
static int tw_canon_query(tw_buf *b, const char *query) {
  if (!query || !*query)
    return TW_OK;
  char *copy = strdup(query);
  size_t n = 1;
  for (const char *p = query; *p; p++)
    n += *p == '&';
  char **parts = calloc(n, sizeof *parts);
  tw_buf tmp = {0};
  int rc = copy && parts ? TW_OK : TW_ENOMEM;
  size_t k = 0;
  for (char *save = NULL, *t = rc ? NULL : strtok_r(copy, "&", &save); t;
       t = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(t, '=');
    tmp.len = 0;
    if (eq)
      *eq = '\0';
    rc |= tw_uri_encode(&tmp, t, tw_uri_decode(t), 0);
    rc |= tw_buf_append(&tmp, "=", 1);
    if (eq)
      rc |= tw_uri_encode(&tmp, eq + 1, tw_uri_decode(eq + 1), 0);
    rc |= tw_buf_append(&tmp, "", 1);
    if (rc || !(parts[k++] = strdup(tmp.data)))
      rc = TW_ENOMEM;
  }
  qsort(parts, k, sizeof *parts, tw_strptr_cmp);
  for (size_t i = 0; rc == TW_OK && i < k; i++) {
    if (i)
      rc = tw_buf_append(b, "&", 1);
    if (rc == TW_OK)
      rc = tw_buf_append(b, parts[i], strlen(parts[i]));
  }
  for (size_t i = 0; parts && i < k; i++)
    free(parts[i]);
  free(parts);
  free(copy);
  tw_buf_free(&tmp);
  return rc;
}

/* Value trimmed, inner runs of spaces collapsed. */
static int tw_canon_value(tw_buf *b, const char *v) {
  while (*v == ' ' || *v == '\t')
    v++;
  size_t n = strlen(v);
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
    n--;
  int rc = TW_OK, space = 0;
  for (size_t i = 0; rc == TW_OK && i < n; i++) {
    int sp = v[i] == ' ' || v[i] == '\t';
    if (!sp || !space)
      rc = tw_buf_append(b, sp ? " " : v + i, 1);
    space = sp;
  }
  return rc;
}

/* "name:v1,v2\n" for one signed header name (all occurrences). */
static int tw_canon_header(tw_buf *b, const tw_sigv4_request *r,
                           const char *name, size_t nlen) {
  int rc = tw_buf_append(b, name, nlen);
  rc |= tw_buf_append(b, ":", 1);
  int first = 1;
  for (size_t i = 0; rc == TW_OK && i < r->nheaders; i++) {
    if (strlen(r->headers[i].name) != nlen ||
        strncasecmp(r->headers[i].name, name, nlen))
      continue;
    if (!first)
      rc = tw_buf_append(b, ",", 1);
    first = 0;
    if (rc == TW_OK)
      rc = tw_canon_value(b, r->headers[i].value);
  }
  return rc ? rc : tw_buf_append(b, "\n", 1);
}

static int tw_canon_request(tw_buf *b, const tw_sigv4_request *r,
                            const char *signed_headers) {
  char hash[65];
  const char *path = r->path && *r->path ? r->path : "/";
  int rc = tw_buf_append(b, r->method, strlen(r->method));
  rc |= tw_buf_append(b, "\n", 1);
  rc |= tw_uri_encode(b, path, strlen(path), 1);
  rc |= tw_buf_append(b, "\n", 1);
  rc |= tw_canon_query(b, r->query);
  rc |= tw_buf_append(b, "\n", 1);
  for (const char *p = signed_headers; rc == TW_OK && *p;) {
    size_t n = strcspn(p, ";");
    rc = tw_canon_header(b, r, p, n);
    p += n + (p[n] == ';');
  }
  rc |= tw_buf_append(b, "\n", 1);
  rc |= tw_buf_append(b, signed_headers, strlen(signed_headers));
  rc |= tw_buf_append(b, "\n", 1);
  rc |= tw_sha256_hex(r->body ? r->body : "", r->body_len, hash);
  rc |= tw_buf_append(b, hash, 64);
  return rc ? TW_ENOMEM : tw_buf_append(b, "", 1);
}

int tw_sigv4_sign(const tw_sigv4_request *req, const char *secret,
                  const char *amz_date, const char *region,
                  const char *signed_headers, char *out) {
  tw_buf canon = {0};
  char chash[65], date[9], scope[256], sts[512];
  unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
  snprintf(date, sizeof date, "%.8s", amz_date);
  snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date, region,
           req->service);
  int rc = tw_canon_request(&canon, req, signed_headers);
  if (rc == TW_OK)
    rc = tw_sha256_hex(canon.data, canon.len - 1, chash);
  tw_buf_free(&canon);
  if (rc)
    return rc;
  snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope,
           chash);
  size_t kn = strlen(secret) + 5;
  char *kstart = malloc(kn);
  if (!kstart)
    return TW_ENOMEM;
  snprintf(kstart, kn, "AWS4%s", secret);
  rc = tw_hmac(kstart, kn - 1, date, k1);
  rc |= tw_hmac(k1, 32, region, k2);
  rc |= tw_hmac(k2, 32, req->service, k3);
  rc |= tw_hmac(k3, 32, "aws4_request", k4);
  rc |= tw_hmac(k4, 32, sts, sig);
  OPENSSL_cleanse(kstart, kn);
  free(kstart);
  if (rc)
    return TW_ENOMEM;
  tw_hex(sig, 32, out);
  return TW_OK;
}

/* ---- verification ----------------------------------------------------------------- */

typedef struct tw_sigv4_auth {
  char id[129], date[9], region[64], service[64];
  char signed_headers[1024];
  char signature[129];
} tw_sigv4_auth;

static const char *tw_header(const tw_sigv4_request *r, const char *name) {
  for (size_t i = 0; i < r->nheaders; i++)
    if (!strcasecmp(r->headers[i].name, name))
      return r->headers[i].value;
  return NULL;
}

static int tw_sigv4_fail_set(tw_sigv4_error *e, tw_sigv4_fail kind,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int tw_sigv4_fail_set(tw_sigv4_error *e, tw_sigv4_fail kind,
                             const char *fmt, ...) {
  va_list ap;
  e->kind = kind;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
  return TW_EINVAL;
}

/* Copy the value of "key=" (up to ',' or end) from the header. */
static int tw_auth_param(const char *h, const char *key, char *out,
                         size_t cap) {
  size_t kn = strlen(key);
  for (const char *p = h; (p = strstr(p, key)) != NULL; p += kn) {
    if (p != h && p[-1] != ' ' && p[-1] != ',')
      continue;
    if (p[kn] != '=')
      continue;
    const char *v = p + kn + 1;
    size_t n = strcspn(v, ", ");
    if (n == 0 || n >= cap)
      return 0;
    memcpy(out, v, n);
    out[n] = '\0';
    return 1;
  }
  return 0;
}

static int tw_auth_parse(const char *h, tw_sigv4_auth *a, tw_sigv4_error *e) {
  static const char algo[] = "AWS4-HMAC-SHA256 ";
  char cred[512];
  if (strncmp(h, algo, sizeof algo - 1))
    return tw_sigv4_fail_set(e, TW_SIGV4_INCOMPLETE,
                             "Authorization header requires the "
                             "AWS4-HMAC-SHA256 algorithm.");
  h += sizeof algo - 1;
  if (!tw_auth_param(h, "Credential", cred, sizeof cred))
    return tw_sigv4_fail_set(e, TW_SIGV4_INCOMPLETE,
                             "Authorization header requires 'Credential' "
                             "parameter. Authorization=%.200s",
                             h);
  if (!tw_auth_param(h, "SignedHeaders", a->signed_headers,
                     sizeof a->signed_headers))
    return tw_sigv4_fail_set(e, TW_SIGV4_INCOMPLETE,
                             "Authorization header requires 'SignedHeaders' "
                             "parameter. Authorization=%.200s",
                             h);
  if (!tw_auth_param(h, "Signature", a->signature, sizeof a->signature))
    return tw_sigv4_fail_set(e, TW_SIGV4_INCOMPLETE,
                             "Authorization header requires 'Signature' "
                             "parameter. Authorization=%.200s",
                             h);
  char term[32];
  if (sscanf(cred, "%128[^/]/%8[^/]/%63[^/]/%63[^/]/%31s", a->id, a->date,
             a->region, a->service, term) != 5 ||
      strcmp(term, "aws4_request"))
    return tw_sigv4_fail_set(e, TW_SIGV4_INCOMPLETE,
                             "Credential should be scoped to a valid region, "
                             "service and aws4_request terminator. "
                             "Credential=%.200s",
                             cred);
  return TW_OK;
}

/* Epoch ms of "YYYYMMDDTHHMMSSZ", or -1. */
static int64_t tw_amz_date_ms(const char *s) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  int used = 0;
  if (!s || strlen(s) != 16 ||
      sscanf(s, "%4d%2d%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
             &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 ||
      used != 16)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (int64_t)timegm(&tm) * 1000;
}

static void tw_fmt_amz(int64_t ms, char *out, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y%m%dT%H%M%SZ", &tm);
}

static int tw_check_date(const tw_sigv4_request *r, const char *date,
                         const tw_sigv4_auth *a, tw_sigv4_error *e) {
  int64_t t = tw_amz_date_ms(date);
  if (t < 0)
    return tw_sigv4_fail_set(e, TW_SIGV4_INCOMPLETE,
                             "Authorization header requires existence of "
                             "either a 'X-Amz-Date' or a 'Date' header.");
  if (strncmp(date, a->date, 8))
    return tw_sigv4_fail_set(e, TW_SIGV4_MISMATCH,
                             "Date in Credential scope does not match "
                             "YYYYMMDD from ISO-8601 version of date from "
                             "HTTP: '%s' != '%.8s', from '%s'.",
                             a->date, date, date);
  char now[20], bound[20];
  const int64_t skew = 15 * 60 * 1000;
  tw_fmt_amz(r->now_ms, now, sizeof now);
  if (t < r->now_ms - skew) {
    tw_fmt_amz(r->now_ms - skew, bound, sizeof bound);
    return tw_sigv4_fail_set(e, TW_SIGV4_EXPIRED,
                             "Signature expired: %s is now earlier than %s "
                             "(%s - 15 min.)",
                             date, bound, now);
  }
  if (t > r->now_ms + skew) {
    tw_fmt_amz(r->now_ms + skew, bound, sizeof bound);
    return tw_sigv4_fail_set(e, TW_SIGV4_EXPIRED,
                             "Signature not yet current: %s is still later "
                             "than %s (%s + 15 min.)",
                             date, bound, now);
  }
  return TW_OK;
}

static const char *tw_secret_of(const tw_sigv4_keys *k, const char *id) {
  for (size_t i = 0; i < k->n; i++)
    if (!strcmp(k->ids[i], id))
      return k->secrets[i];
  return NULL;
}

int tw_sigv4_verify(const tw_sigv4_keys *keys, const tw_sigv4_request *req,
                    tw_sigv4_error *e) {
  const char *h = tw_header(req, "Authorization");
  tw_sigv4_auth a;
  memset(&a, 0, sizeof a);
  if (!h)
    return tw_sigv4_fail_set(e, TW_SIGV4_MISSING, "Missing Authentication "
                                                  "Token");
  int rc = tw_auth_parse(h, &a, e);
  if (rc)
    return rc;
  const char *secret = tw_secret_of(keys, a.id);
  if (!secret)
    return tw_sigv4_fail_set(e, TW_SIGV4_UNKNOWN_KEY,
                             "The security token included in the request is "
                             "invalid.");
  if (strcmp(a.service, req->service))
    return tw_sigv4_fail_set(e, TW_SIGV4_MISMATCH,
                             "Credential should be scoped to correct service: "
                             "'%s'. ",
                             req->service);
  const char *date = tw_header(req, "X-Amz-Date");
  if ((rc = tw_check_date(req, date, &a, e)) != TW_OK)
    return rc;
  char want[65];
  if (tw_sigv4_sign(req, secret, date, a.region, a.signed_headers, want))
    return TW_ENOMEM;
  if (strlen(a.signature) != 64 || CRYPTO_memcmp(want, a.signature, 64))
    return tw_sigv4_fail_set(e, TW_SIGV4_MISMATCH,
                             "The request signature we calculated does not "
                             "match the signature you provided. Check your "
                             "AWS Secret Access Key and signing method. "
                             "Consult the service documentation for "
                             "details.");
  return TW_OK;
}
