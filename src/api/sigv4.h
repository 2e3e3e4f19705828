/*
 * sigv4.h — AWS Signature Version 4 verification for `trailwatch serve
 * --auth FILE` (HMAC-SHA256 from OpenSSL libcrypto). Transport-free: the
 * HTTP layer hands over method, path, query, headers and the raw body as
 * received (compressed bodies are signed compressed).
 */
#ifndef TW_SIGV4_H
#define TW_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"

typedef struct tw_sigv4_keys tw_sigv4_keys;

/* Key file: one "ACCESS_KEY_ID SECRET" pair per line (whitespace, ':' or
 * ',' between them); blank lines and lines starting with '#' are skipped. */
int tw_sigv4_keys_load(const char *path, tw_sigv4_keys **out, tw_error *err);
int tw_sigv4_keys_new(tw_sigv4_keys **out);
int tw_sigv4_keys_add(tw_sigv4_keys *k, const char *id, const char *secret);
size_t tw_sigv4_keys_count(const tw_sigv4_keys *k);
void tw_sigv4_keys_free(tw_sigv4_keys *k);

typedef struct tw_sigv4_header {
  const char *name;
  const char *value;
} tw_sigv4_header;

typedef struct tw_sigv4_request {
  const char *method;
  const char *path;        /* "/" */
  const char *query;       /* raw query string without '?', or NULL */
  const tw_sigv4_header *headers;
  size_t nheaders;
  const void *body;
  size_t body_len;
  const char *service;     /* expected credential scope service */
  int64_t now_ms;
} tw_sigv4_request;

typedef enum tw_sigv4_fail {
  TW_SIGV4_MISSING = 1,    /* no Authorization */
  TW_SIGV4_INCOMPLETE,     /* malformed Authorization */
  TW_SIGV4_UNKNOWN_KEY,    /* access key not in the file */
  TW_SIGV4_MISMATCH,       /* wrong signature, scope or date */
  TW_SIGV4_EXPIRED         /* X-Amz-Date outside +-15 minutes */
} tw_sigv4_fail;

typedef struct tw_sigv4_error {
  tw_sigv4_fail kind;
  char message[512];
} tw_sigv4_error;

/* TW_OK when the request carries a valid signature made with one of the
 * keys; TW_EINVAL with *e filled otherwise. */
int tw_sigv4_verify(const tw_sigv4_keys *keys, const tw_sigv4_request *req,
                    tw_sigv4_error *e);

/* Hex signature of the request with the given credentials, date
 * ("YYYYMMDDTHHMMSSZ"), region and signed header list ("host;x-amz-date").
 * Used by tests and by the verifier. out must hold 65 bytes. */
int tw_sigv4_sign(const tw_sigv4_request *req, const char *secret,
                  const char *amz_date, const char *region,
                  const char *signed_headers, char *out);

#endif /* TW_SIGV4_H */
