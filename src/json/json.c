/*
 * json.c — tw_json_scan, the one-pass validating scanner of the JSON
 * reader (contract in json.h, design notes in docs/json-reader.md).
 *
 * The scanner is an explicit state machine over the bytes: one frame per
 * open container (no recursion), each frame holding the plan automaton
 * state of that container (see json_plan.c). Values whose state carries
 * path ids are reported to the visitor; subtrees whose state is dead (no
 * plan path continues below) go through a tighter loop that only
 * validates. Nothing is allocated: the frame stack lives in a struct on
 * the caller's stack.
 *
 * The scanner itself is the template json_scan.h, compiled here once per
 * code path (portable scalar; on x86-64 also SSE2, AVX2 and AVX-512BW,
 * with the byte-class kernels of json_simd.h). This file holds the parts
 * that do not depend on the instruction set and the run-time choice of
 * the path: the best one the CPU supports, or the one named by the
 * environment variable TW_SIMD, resolved once with pthread_once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"
#include "json/json_simd.h"

typedef struct tw_json_frame {
  uint32_t state;    /* automaton state of this container */
  uint32_t is_array;
  uint64_t index;    /* index of the current element (arrays) */
} tw_json_frame;

/* The string-scanning state of one scan: the special-byte mask of one
 * 64-byte block of the document (see json_scan.h). */
typedef struct tw_json_cursor {
  size_t base;   /* offset of the block from the start of the document */
  uint64_t bits; /* bit i: byte base + i is '"', '\\', < 0x20 or >= 0x80 */
  int ws;        /* whitespace was skipped (tw_json_ws) */
} tw_json_cursor;

/* No block yet: any offset i gives i - base >= 64. */
#define TW_JSON_CURSOR_INIT {(size_t)0 - 64, 0, 0}

typedef struct tw_json_scanner {
  const tw_json_dfa *dfa;
  const char *keys;  /* plan key bytes, referenced by the key tables */
  tw_json_visit_fn visit;
  void *ctx;
  tw_json_ptr lo, end; /* the document */
  tw_json_cursor cur;
  size_t depth;      /* open containers in stack[] */
  tw_json_frame stack[TW_JSON_MAX_DEPTH];
} tw_json_scanner;

/* ------------------------------------------------------------------ */
/* Lexical pieces                                                      */
/* ------------------------------------------------------------------ */

static inline int tw_json_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

static size_t tw_json_digits(const unsigned char *p, const unsigned char *e) {
  const unsigned char *s = p;
  while (p < e && tw_json_digit(*p))
    p++;
  return (size_t)(p - s);
}

size_t tw_json_number_span(const char *text, size_t len) {
  const unsigned char *p = (const unsigned char *)text, *e = p + len;
  if (p < e && *p == '-')
    p++;
  if (p == e)
    return 0;
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    p += tw_json_digits(p, e);
  else
    return 0;
  if (p < e && *p == '.') {
    size_t n = tw_json_digits(p + 1, e);
    if (!n)
      return 0;
    p += 1 + n;
  }
  if (p < e && (*p | 0x20) == 'e') {
    p++;
    if (p < e && (*p == '+' || *p == '-'))
      p++;
    size_t n = tw_json_digits(p, e);
    if (!n)
      return 0;
    p += n;
  }
  return (size_t)(p - (const unsigned char *)text);
}

static tw_json_ptr tw_json_literal(tw_json_ptr p, tw_json_ptr end,
                                   const char *word, size_t n) {
  if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
    return NULL;
  return p + n;
}

/* Scan the number or literal at p (not whitespace, not a string); fills
 * *v and returns the position after it, or NULL when it is not valid. */
static tw_json_ptr tw_json_bare_scalar(tw_json_ptr p, tw_json_ptr end,
                                       tw_json_value *v) {
  tw_json_ptr q;
  v->ptr = (const char *)p;
  v->has_escapes = 0;
  switch (*p) {
  case 't':
    v->type = TW_JSON_TRUE;
    q = tw_json_literal(p, end, "true", 4);
    break;
  case 'f':
    v->type = TW_JSON_FALSE;
    q = tw_json_literal(p, end, "false", 5);
    break;
  case 'n':
    v->type = TW_JSON_NULL;
    q = tw_json_literal(p, end, "null", 4);
    break;
  default: {
    size_t n = tw_json_number_span((const char *)p, (size_t)(end - p));
    v->type = TW_JSON_NUMBER;
    q = n ? p + n : NULL;
  }
  }
  if (q)
    v->len = (size_t)(q - p);
  return q;
}

/* ------------------------------------------------------------------ */
/* Plan transitions                                                    */
/* ------------------------------------------------------------------ */

/* Next decoded byte of a validated member name; returns 0 at the end.
 * pend[] holds the rest of a multi-byte escape. */
typedef struct tw_json_name_iter {
  tw_json_ptr p, end;
  unsigned char pend[4];
  size_t npend, ipend;
} tw_json_name_iter;

static int tw_json_name_next(tw_json_name_iter *it, unsigned char *out) {
  if (it->ipend < it->npend) {
    *out = it->pend[it->ipend++];
    return 1;
  }
  if (it->p == it->end)
    return 0;
  if (*it->p != '\\') {
    *out = *it->p++;
    return 1;
  }
  uint32_t cp = 0;
  size_t n = tw_json_escape(it->p, it->end, &cp);
  it->p += n ? n : 1; /* the name was validated: n > 0 */
  it->npend = tw_json_utf8_put(cp, it->pend);
  it->ipend = 1;
  *out = it->pend[0];
  return 1;
}

/* tw_json_key_hash of the decoded name: its first 8 and last 8 bytes
 * are collected on the way (the last ones in a ring). */
static uint32_t tw_json_name_hash(tw_json_ptr k, size_t klen, int esc) {
  if (!esc)
    return tw_json_key_hash(k, klen);
  unsigned char first[8], ring[16];
  size_t n = 0;
  tw_json_name_iter it = {k, k + klen, {0}, 0, 0};
  unsigned char c;
  while (tw_json_name_next(&it, &c)) {
    if (n < 8)
      first[n] = c;
    ring[n & 7] = ring[(n & 7) + 8] = c;
    n++;
  }
  if (n < 8)
    return tw_json_key_hash(first, n);
  /* the last 8 bytes, oldest first, start at ring[n & 7] */
  return tw_json_key_mix(tw_json_le(first, 8), tw_json_le(ring + (n & 7), 8), n);
}

static int tw_json_name_equal(tw_json_ptr k, size_t klen, int esc,
                              const char *key, size_t key_len) {
  if (!esc)
    return klen == key_len && (klen == 0 || memcmp(k, key, klen) == 0);
  if (key_len > klen)
    return 0; /* decoding never lengthens */
  tw_json_name_iter it = {k, k + klen, {0}, 0, 0};
  unsigned char c;
  size_t i = 0;
  while (tw_json_name_next(&it, &c))
    if (i == key_len || (unsigned char)key[i++] != c)
      return 0;
  return i == key_len;
}

/* Names with an escape or longer than 24 bytes: decode while hashing and
 * comparing. Out of line, so the common path below stays small. */
static __attribute__((noinline)) uint32_t
tw_json_key_next_slow(const tw_json_scanner *sc, const tw_json_dstate *st,
                      tw_json_ptr k, size_t klen, int esc) {
  const tw_json_dkey *table = sc->dfa->keys + st->key_off;
  uint32_t mask = st->key_cap - 1, h = tw_json_name_hash(k, klen, esc);
  for (uint32_t j = h & mask; table[j].next; j = (j + 1) & mask)
    if (table[j].hash == h &&
        tw_json_name_equal(k, klen, esc, sc->keys + table[j].key_off,
                           table[j].key_len))
      return table[j].next;
  return st->key_default;
}

static inline __attribute__((always_inline)) uint32_t
tw_json_key_next(const tw_json_scanner *sc, uint32_t state, tw_json_ptr k, size_t klen,
                 int esc) {
  const tw_json_dstate *st = &sc->dfa->states[state];
  /* no key of that length (escapes only shorten a name) */
  if (!esc && !(st->key_lens & tw_json_len_bit(klen)))
    return st->key_default;
  if (!st->key_cap)
    return st->key_default;
  if (esc || klen > 24)
    return tw_json_key_next_slow(sc, st, k, klen, esc);
  /* up to 24 bytes, three words are the whole name */
  const tw_json_dkey *table = sc->dfa->keys + st->key_off;
  uint32_t mask = st->key_cap - 1;
  uint64_t a, b, m = tw_json_key_mid(k, klen);
  tw_json_key_words(k, klen, &a, &b);
  uint32_t h = tw_json_key_mix(a, b, klen);
  for (uint32_t j = h & mask; table[j].next; j = (j + 1) & mask)
    if (table[j].hash == h && table[j].key_len == klen && table[j].w0 == a &&
        table[j].w1 == b && table[j].w2 == m)
      return table[j].next;
  return st->key_default;
}

static uint32_t tw_json_index_next(const tw_json_scanner *sc, uint32_t state,
                                   uint64_t index) {
  const tw_json_dstate *st = &sc->dfa->states[state];
  if (!st->idx_n)
    return st->idx_default;
  const tw_json_didx *v = sc->dfa->idx + st->idx_off;
  size_t lo = 0, hi = st->idx_n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid].index == index)
      return v[mid].next;
    if (v[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return st->idx_default;
}

/* Report v under every path id of state; returns the visitor's status. */
static int tw_json_report(const tw_json_scanner *sc, uint32_t state,
                          const tw_json_value *v) {
  const tw_json_dstate *st = &sc->dfa->states[state];
  for (uint32_t i = 0; i < st->ids_n; i++) {
    int rc = sc->visit(sc->ctx, sc->dfa->ids[st->ids_off + i], v);
    if (rc)
      return rc;
  }
  return TW_OK;
}

static int tw_json_has_ids(const tw_json_scanner *sc, uint32_t state) {
  return state != TW_JSON_DEAD && sc->dfa->states[state].ids_n != 0;
}

static tw_json_type tw_json_type_at(unsigned char c) {
  switch (c) {
  case '{': return TW_JSON_OBJECT;
  case '[': return TW_JSON_ARRAY;
  case '"': return TW_JSON_STRING;
  case 't': return TW_JSON_TRUE;
  case 'f': return TW_JSON_FALSE;
  case 'n': return TW_JSON_NULL;
  default: return TW_JSON_NUMBER;
  }
}

static void tw_json_scanner_init(tw_json_scanner *sc, const tw_json_plan *plan,
                                 tw_json_ptr lo, tw_json_ptr end,
                                 tw_json_visit_fn visit, void *ctx) {
  static const char none[1] = "";
  sc->dfa = &plan->dfa;
  sc->keys = plan->keys.data ? plan->keys.data : none;
  sc->visit = visit;
  sc->ctx = ctx;
  sc->lo = lo;
  sc->end = end;
  sc->cur = (tw_json_cursor)TW_JSON_CURSOR_INIT;
  sc->depth = 0;
}

/* ------------------------------------------------------------------ */
/* The scanner, once per code path                                     */
/* ------------------------------------------------------------------ */

#define TW_SFX _scalar
#define TW_FN
#define TW_STR_RUN tw_json_str_run_scalar
#define TW_WS_RUN tw_json_ws_run_scalar
#include "json/json_scan.h"
#undef TW_SFX
#undef TW_FN
#undef TW_STR_BLOCK
#undef TW_STR_TAIL
#undef TW_WS_RUN
#undef TW_STR_RUN

#if TW_JSON_X86
#define TW_SFX _sse2
#define TW_FN
#define TW_STR_BLOCK tw_json_str_block_sse2
#define TW_STR_TAIL tw_json_str_tail_sse2
#define TW_WS_RUN tw_json_ws_run_sse2
#include "json/json_scan.h"
#undef TW_SFX
#undef TW_FN
#undef TW_STR_BLOCK
#undef TW_STR_TAIL
#undef TW_WS_RUN

#define TW_SFX _avx2
#define TW_FN TW_JSON_AVX2
#define TW_STR_BLOCK tw_json_str_block_avx2
#define TW_STR_TAIL tw_json_str_tail_avx2
#define TW_WS_RUN tw_json_ws_run_avx2
#include "json/json_scan.h"
#undef TW_SFX
#undef TW_FN
#undef TW_STR_BLOCK
#undef TW_STR_TAIL
#undef TW_WS_RUN

#define TW_SFX _avx512
#define TW_FN TW_JSON_AVX512
#define TW_STR_BLOCK tw_json_str_block_avx512
#define TW_STR_TAIL tw_json_str_tail_avx512
#define TW_WS_RUN tw_json_ws_run_avx512
#include "json/json_scan.h"
#undef TW_SFX
#undef TW_FN
#undef TW_STR_BLOCK
#undef TW_STR_TAIL
#undef TW_WS_RUN
#endif /* TW_JSON_X86 */

/* ------------------------------------------------------------------ */
/* Choosing the path                                                   */
/* ------------------------------------------------------------------ */

static const char *const tw_json_simd_names[TW_JSON_SIMD_COUNT] = {
    "scalar", "sse2", "avx2", "avx512"};

const char *tw_json_simd_name(tw_json_simd s) {
  return (unsigned)s < TW_JSON_SIMD_COUNT ? tw_json_simd_names[s] : NULL;
}

int tw_json_simd_parse(const char *name, tw_json_simd *out) {
  for (unsigned i = 0; name && i < TW_JSON_SIMD_COUNT; i++)
    if (strcmp(name, tw_json_simd_names[i]) == 0) {
      *out = (tw_json_simd)i;
      return 1;
    }
  return 0;
}

int tw_json_simd_available(tw_json_simd s) {
  switch (s) {
  case TW_JSON_SIMD_SCALAR:
    return 1;
#if TW_JSON_X86
  case TW_JSON_SIMD_SSE2:
    return 1;
  case TW_JSON_SIMD_AVX2:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  case TW_JSON_SIMD_AVX512:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw");
#endif
  default:
    return 0;
  }
}

/* Resolved once (pthread_once), read-only afterwards: index = requested
 * path, value = the path that runs. */
static tw_json_simd tw_json_simd_table[TW_JSON_SIMD_COUNT];
static tw_json_simd tw_json_simd_env;
static pthread_once_t tw_json_simd_once = PTHREAD_ONCE_INIT;

static void tw_json_simd_resolve(void) {
  tw_json_simd best = TW_JSON_SIMD_SCALAR;
  for (unsigned i = 0; i < TW_JSON_SIMD_COUNT; i++) {
    if (tw_json_simd_available((tw_json_simd)i))
      best = (tw_json_simd)i;
    tw_json_simd_table[i] = best;
  }
  tw_json_simd want = TW_JSON_SIMD_COUNT - 1;
  tw_json_simd_parse(getenv("TW_SIMD"), &want);
  tw_json_simd_env = tw_json_simd_table[want];
}

tw_json_simd tw_json_simd_clamp(tw_json_simd s) {
  pthread_once(&tw_json_simd_once, tw_json_simd_resolve);
  if ((unsigned)s >= TW_JSON_SIMD_COUNT)
    s = TW_JSON_SIMD_COUNT - 1;
  return tw_json_simd_table[s];
}

tw_json_simd tw_json_simd_active(void) {
  pthread_once(&tw_json_simd_once, tw_json_simd_resolve);
  return tw_json_simd_env;
}

int tw_json_scan_simd(tw_json_simd s, const tw_json_plan *plan, const char *doc,
                      size_t len, tw_json_visit_fn visit, void *ctx,
                      tw_json_type *root_type) {
  if (!doc && len)
    return TW_EINVAL;
  static const char empty[1] = "";
  tw_json_ptr lo = (tw_json_ptr)(doc ? doc : empty), end = lo + len;
  switch (tw_json_simd_clamp(s)) {
#if TW_JSON_X86
  case TW_JSON_SIMD_AVX512:
    return tw_json_run_avx512(plan, lo, end, visit, ctx, root_type);
  case TW_JSON_SIMD_AVX2:
    return tw_json_run_avx2(plan, lo, end, visit, ctx, root_type);
  case TW_JSON_SIMD_SSE2:
    return tw_json_run_sse2(plan, lo, end, visit, ctx, root_type);
#endif
  default:
    return tw_json_run_scalar(plan, lo, end, visit, ctx, root_type);
  }
}

int tw_json_scan_value(const tw_json_plan *plan, const char *doc, size_t len,
                       tw_json_visit_fn visit, void *ctx, size_t *used,
                       int *has_ws) {
  if (!plan || !visit || !doc || len == 0 || tw_json_is_ws(*doc))
    return TW_EINVAL;
  tw_json_ptr lo = (tw_json_ptr)doc, end = lo + len;
  switch (tw_json_simd_active()) {
#if TW_JSON_X86
  case TW_JSON_SIMD_AVX512:
    return tw_json_run_value_avx512(plan, lo, end, visit, ctx, used, has_ws);
  case TW_JSON_SIMD_AVX2:
    return tw_json_run_value_avx2(plan, lo, end, visit, ctx, used, has_ws);
  case TW_JSON_SIMD_SSE2:
    return tw_json_run_value_sse2(plan, lo, end, visit, ctx, used, has_ws);
#endif
  default:
    return tw_json_run_value_scalar(plan, lo, end, visit, ctx, used, has_ws);
  }
}

int tw_json_scan(const tw_json_plan *plan, const char *doc, size_t len,
                 tw_json_visit_fn visit, void *ctx, tw_json_type *root_type) {
  return tw_json_scan_simd(tw_json_simd_active(), plan, doc, len, visit, ctx,
                           root_type);
}
