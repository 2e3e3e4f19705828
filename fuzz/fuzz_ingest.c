/*
 * fuzz_ingest.c — libFuzzer target for the input layer (src/ingest/).
 *
 * The first byte of the input selects options, the rest is a file's
 * content, fed through tw_ingest_buffer_events:
 *   bit 0  gzip the content first (valid stream: the libdeflate path);
 *   bit 1  ... then cut the gzip stream short by byte 2 (zlib fallback);
 *   bit 2  a time window (2023-07-10T12:00Z .. 13:00Z);
 *   bit 3  small limits (max_event 256, max_document 4096: the streaming
 *          and oversized paths).
 * Raw content that starts with 1f 8b exercises corrupt gzip as well.
 * Checks: every event fits the limits, lies inside the window, has a sane
 * offset; a CloudTrail event's message is a valid, compact JSON object;
 * the callback count matches stats.events, the error reports match
 * stats.errors; reading twice gives the same result.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude -Isrc fuzz/fuzz_ingest.c src/ingest/(all .c) src/json/(all .c) \
 *     src/util/(all .c) -ldeflate -lz
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ingest/ingest.h"
#include "json/json.h"

typedef struct fuzz_ctx {
  const tw_ingest_opts *o;
  uint64_t events, errors, hash;
} fuzz_ctx;

static void fuzz_check(int cond) {
  if (!cond)
    __builtin_trap();
}

static int fuzz_compact(const char *s, size_t n) {
  int in_str = 0;
  for (size_t i = 0; i < n; i++) {
    if (in_str) {
      if (s[i] == '\\')
        i++;
      else if (s[i] == '"')
        in_str = 0;
    } else if (s[i] == '"') {
      in_str = 1;
    } else if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
      return 0;
    }
  }
  return 1;
}

static int fuzz_event(void *vctx, const tw_ingest_event *e) {
  fuzz_ctx *c = vctx;
  fuzz_check(e->len <= c->o->max_event && e->offset >= 0);
  fuzz_check(e->shape < TW_SHAPE_COUNT && e->source && e->message);
  if (e->time_ms == INT64_MIN)
    fuzz_check(c->o->from_ms == INT64_MIN && c->o->to_ms == INT64_MAX);
  else
    fuzz_check(e->time_ms >= c->o->from_ms && e->time_ms < c->o->to_ms);
  if (e->shape != TW_SHAPE_LOG_EVENTS && e->shape != TW_SHAPE_SUBSCRIPTION) {
    tw_json_type t;
    fuzz_check(tw_json_scan(NULL, e->message, e->len, NULL, NULL, &t) == TW_OK);
    fuzz_check(t == TW_JSON_OBJECT && fuzz_compact(e->message, e->len));
  }
  for (size_t i = 0; i < e->len; i++)
    c->hash = (c->hash ^ (unsigned char)e->message[i]) * 1099511628211ull;
  c->hash ^= (uint64_t)e->time_ms + (uint64_t)e->offset;
  c->events++;
  return 0;
}

static void fuzz_error(void *vctx, const char *source, int64_t off, const char *reason) {
  fuzz_ctx *c = vctx;
  fuzz_check(source && reason && reason[0] && off >= -1);
  c->errors++;
}

/* gzip src into a malloc'ed buffer. */
static unsigned char *fuzz_gzip(const uint8_t *src, size_t n, size_t *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  fuzz_check(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  size_t cap = deflateBound(&z, (uLong)n) + 32;
  unsigned char *buf = malloc(cap);
  fuzz_check(buf != NULL);
  z.next_in = (unsigned char *)src;
  z.avail_in = (uInt)n;
  z.next_out = buf;
  z.avail_out = (uInt)cap;
  fuzz_check(deflate(&z, Z_FINISH) == Z_STREAM_END);
  *out = z.total_out;
  deflateEnd(&z);
  return buf;
}

static void fuzz_run(const tw_ingest_opts *o, const void *data, size_t n, fuzz_ctx *c,
                     tw_ingest_stats *st) {
  tw_ingest_opts oo = *o;
  oo.on_error = fuzz_error;
  oo.error_ctx = c;
  c->o = o;
  tw_ingest *in = NULL;
  fuzz_check(tw_ingest_new(&oo, &in) == TW_OK);
  memset(st, 0, sizeof *st);
  fuzz_check(tw_ingest_buffer_events(in, "fuzz", data, n, fuzz_event, c, st) == TW_OK);
  tw_ingest_free(in);
  fuzz_check(c->events == st->events && c->errors == st->errors);
  fuzz_check(st->files + st->files_skipped_other == 1);
  fuzz_check(st->events_no_time <= st->events + st->events_outside_window);
  fuzz_check(st->bytes_read == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  unsigned mode = data[0];
  const uint8_t *body = data + 1;
  size_t n = size - 1;
  tw_ingest_opts o;
  tw_ingest_opts_init(&o);
  if (mode & 4) {
    fuzz_check(tw_ingest_parse_time_arg("2023-07-10T12:00Z", &o.from_ms) == TW_OK);
    fuzz_check(tw_ingest_parse_time_arg("2023-07-10T13:00Z", &o.to_ms) == TW_OK);
  }
  if (mode & 8) {
    o.max_event = 256;
    o.max_document = 4096;
  }
  unsigned char *gz = NULL;
  const void *input = body;
  if (mode & 1) {
    gz = fuzz_gzip(body, n, &n);
    if (mode & 2) {
      size_t cut = (size > 1 ? body[0] : 7u) % n + 1;
      n = cut > n ? 0 : n - cut;
    }
    input = gz;
  }
  fuzz_ctx a = {NULL, 0, 0, 1469598103934665603ull}, b = a;
  tw_ingest_stats sa, sb;
  fuzz_run(&o, input, n, &a, &sa);
  fuzz_run(&o, input, n, &b, &sb);
  fuzz_check(a.hash == b.hash && memcmp(&sa, &sb, sizeof sa) == 0);
  free(gz);
  return 0;
}
