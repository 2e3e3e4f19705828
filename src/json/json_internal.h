/*
 * json_internal.h — private pieces shared by the files of the JSON reader
 * (src/json/): the compiled plan (a trie of selector paths turned into a
 * deterministic automaton, see json_plan.c), the member-name hash shared
 * by the plan and the scanner, small inline helpers for UTF-8 validation
 * and escape decoding used by both the scanner (json.c) and the string
 * decoder (json_string.c), and the choice of the scanner's code path
 * (scalar/SSE2/AVX2/AVX-512, json.c). Outside src/json/ only the reader's
 * unit test and fuzz target include it (to run every code path).
 */
#ifndef TW_JSON_INTERNAL_H
#define TW_JSON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json/json.h"
#include "util/util.h"

/* Upper bound on automaton states; plan_add fails with TW_ELIMIT beyond. */
#define TW_JSON_PLAN_MAX_STATES 65536u

/* DFA state 0 is "dead" (no path of the plan can match below), state 1 is
 * the start state (the root value). */
#define TW_JSON_DEAD 0u
#define TW_JSON_START 1u

/* One slot of a state's open-addressing key table; next == 0 = empty. */
typedef struct tw_json_dkey {
  uint32_t key_off; /* offset of the key bytes in plan->keys */
  uint32_t key_len;
  uint32_t hash;    /* tw_json_key_hash of the key bytes */
  uint32_t next;    /* state after this member name */
  uint64_t w0, w1;  /* tw_json_key_words: for keys of up to 24 bytes, these */
  uint64_t w2;      /* and bytes 8..15 identify the key (no memcmp in the scanner) */
} tw_json_dkey;

/* One explicit array index transition, sorted by index within a state. */
typedef struct tw_json_didx {
  uint32_t index;
  uint32_t next;
} tw_json_didx;

/* One automaton state = a set of trie nodes reached by the same prefix. */
typedef struct tw_json_dstate {
  uint32_t ids_off, ids_n;   /* path ids ending here: plan->dfa.ids[] */
  uint32_t key_off, key_cap; /* hash table plan->dfa.keys[off..off+cap) */
  uint32_t key_default;      /* state for member names not in the table */
  uint32_t idx_off, idx_n;   /* sorted plan->dfa.idx[off..off+n) */
  uint32_t idx_default;      /* state for indexes not listed */
  uint32_t live;             /* 1 when some transition is not dead */
  uint64_t key_lens;         /* tw_json_len_bit of every key in the table */
} tw_json_dstate;

/* The automaton, rebuilt by every successful tw_json_plan_add. */
typedef struct tw_json_dfa {
  tw_json_dstate *states;
  size_t nstates;
  uint32_t *ids;
  tw_json_dkey *keys;
  tw_json_didx *idx;
} tw_json_dfa;

/* Trie node of the paths as added (the "NFA"). Child links are kept in
 * the edge arrays of the plan. */
typedef struct tw_json_node {
  int64_t id;          /* path id ending at this node, or -1 */
  uint32_t any_key;    /* child for .* (0 = none; node 0 is the root) */
  uint32_t any_index;  /* child for [*] */
} tw_json_node;

typedef struct tw_json_kedge {
  uint32_t parent, child;
  uint32_t key_off, key_len;
} tw_json_kedge;

typedef struct tw_json_iedge {
  uint32_t parent, child;
  uint32_t index;
} tw_json_iedge;

struct tw_json_plan {
  tw_buf nodes;   /* tw_json_node[] */
  tw_buf kedges;  /* tw_json_kedge[] */
  tw_buf iedges;  /* tw_json_iedge[] */
  tw_buf keys;    /* key bytes of every KEY step, back to back */
  size_t npaths;
  tw_json_dfa dfa;
};

/* FNV-1a offset basis, used to hash sets of trie nodes (json_plan.c). */
#define TW_JSON_HASH_INIT 2166136261u

/* The n <= 8 bytes at p as a little-endian word (byte i in bits 8i..). */
static inline uint64_t tw_json_le(const unsigned char *p, size_t n) {
  if (n == 8) {
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
  }
  if (n >= 4) { /* two overlapping 4-byte reads */
    uint32_t a, b;
    memcpy(&a, p, 4);
    memcpy(&b, p + n - 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    a = __builtin_bswap32(a);
    b = __builtin_bswap32(b);
#endif
    return (uint64_t)a | (uint64_t)b << (8 * (n - 4));
  }
  uint64_t x = 0;
  for (size_t i = 0; i < n; i++)
    x |= (uint64_t)p[i] << (8 * i);
  return x;
}

/* Hash of a member name (decoded bytes) from its length n, its first 8
 * bytes (a) and its last 8 bytes (b; 0 when n < 8, then a holds all of
 * it). Constant time per name: the scanner hashes every member name of a
 * live object, and a full compare follows a hash match anyway. Plan keys
 * (json_plan.c) and document names (json.c) are hashed alike. */
static inline uint32_t tw_json_key_mix(uint64_t a, uint64_t b, size_t n) {
  uint64_t h = (a ^ ((uint64_t)n * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 31) ^ b) * 0x94D049BB133111EBull;
  return (uint32_t)(h ^ (h >> 32));
}

/* The first 8 bytes (*a; all of them when n < 8) and the last 8 (*b; 0
 * when n < 8) of a name, as hashed by tw_json_key_hash. */
static inline void tw_json_key_words(const unsigned char *k, size_t n, uint64_t *a,
                                     uint64_t *b) {
  *a = tw_json_le(k, n < 8 ? n : 8);
  *b = n >= 8 ? tw_json_le(k + n - 8, 8) : 0;
}

/* Bytes 8..15 of a name of more than 16 bytes (with the first and last 8,
 * all of a name of up to 24 bytes); 0 for shorter names. */
static inline uint64_t tw_json_key_mid(const unsigned char *k, size_t n) {
  return n > 16 ? tw_json_le(k + 8, 8) : 0;
}

static inline uint32_t tw_json_key_hash(const unsigned char *k, size_t n) {
  if (n >= 8)
    return tw_json_key_mix(tw_json_le(k, 8), tw_json_le(k + n - 8, 8), n);
  return tw_json_key_mix(tw_json_le(k, n), 0, n);
}

/* Bit of a name length in tw_json_dstate.key_lens. */
static inline uint64_t tw_json_len_bit(size_t n) {
  return 1ull << (n < 63 ? n : 63);
}

/* Length (2..4) of the well-formed UTF-8 sequence at p (p[0] >= 0x80),
 * or 0 when it is malformed: overlong, a UTF-16 surrogate, above
 * U+10FFFF, or truncated by end. */
static inline size_t tw_json_utf8_len(const unsigned char *p,
                                      const unsigned char *end) {
  unsigned char c = p[0];
  size_t avail = (size_t)(end - p);
  if (c >= 0xC2 && c <= 0xDF)
    return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3 || (p[2] & 0xC0) != 0x80)
      return 0;
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    return (p[1] >= lo && p[1] <= hi) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    return (p[1] >= lo && p[1] <= hi) ? 4 : 0;
  }
  return 0;
}

static inline int tw_json_hex4(const unsigned char *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char c = p[i];
    uint32_t d;
    if (c >= '0' && c <= '9')
      d = (uint32_t)(c - '0');
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (uint32_t)((c | 0x20) - 'a' + 10);
    else
      return 0;
    v = (v << 4) | d;
  }
  *out = v;
  return 1;
}

/* Decode the escape sequence at p (p[0] == '\\'): sets *cp to the code
 * point (a \uD8xx\uDCxx pair combined) and returns the number of bytes
 * consumed (2, 6 or 12), or 0 when the escape is invalid or a surrogate
 * is unpaired. */
static inline size_t tw_json_escape(const unsigned char *p,
                                    const unsigned char *end, uint32_t *cp) {
  if (end - p < 2)
    return 0;
  switch (p[1]) {
  case '"': *cp = '"'; return 2;
  case '\\': *cp = '\\'; return 2;
  case '/': *cp = '/'; return 2;
  case 'b': *cp = '\b'; return 2;
  case 'f': *cp = '\f'; return 2;
  case 'n': *cp = '\n'; return 2;
  case 'r': *cp = '\r'; return 2;
  case 't': *cp = '\t'; return 2;
  case 'u': break;
  default: return 0;
  }
  uint32_t hi, lo;
  if (end - p < 6 || !tw_json_hex4(p + 2, &hi))
    return 0;
  if (hi < 0xD800 || hi > 0xDFFF) {
    *cp = hi;
    return 6;
  }
  if (hi > 0xDBFF || end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
      !tw_json_hex4(p + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
    return 0;
  *cp = 0x10000u + ((hi - 0xD800u) << 10) + (lo - 0xDC00u);
  return 12;
}

/* Encode code point cp (<= 0x10FFFF) as UTF-8 into out; returns 1..4. */
static inline size_t tw_json_utf8_put(uint32_t cp, unsigned char out[4]) {
  if (cp < 0x80) {
    out[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (unsigned char)(0xC0 | (cp >> 6));
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xE0 | (cp >> 12));
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (cp >> 18));
  out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Length of the RFC 8259 number at the start of p[0..len), or 0 when p
 * does not start with one. The caller checks what follows. */
size_t tw_json_number_span(const char *p, size_t len);

/* Code paths of the scanner (json.c): the same scanner compiled once per
 * instruction set, differing only in the byte-class kernels of
 * json_simd.h. All give identical results. */
typedef enum tw_json_simd {
  TW_JSON_SIMD_SCALAR = 0, /* portable C, 8 bytes at a time */
  TW_JSON_SIMD_SSE2,       /* x86-64 baseline, 16 bytes */
  TW_JSON_SIMD_AVX2,       /* 32 bytes */
  TW_JSON_SIMD_AVX512,     /* AVX-512BW, 64 bytes */
  TW_JSON_SIMD_COUNT
} tw_json_simd;

/* "scalar", "sse2", "avx2", "avx512"; NULL for other values. */
const char *tw_json_simd_name(tw_json_simd s);

/* Parse a name as above (the value of TW_SIMD); 0 when unknown. */
int tw_json_simd_parse(const char *name, tw_json_simd *out);

/* 1 when path s is compiled in and this CPU (and OS) supports it. */
int tw_json_simd_available(tw_json_simd s);

/* The best available path that is not above s (scalar at worst). */
tw_json_simd tw_json_simd_clamp(tw_json_simd s);

/* The path tw_json_scan uses: the best available one, or the one named by
 * the environment variable TW_SIMD (clamped to what is available).
 * Resolved once per process, thread-safely. */
tw_json_simd tw_json_simd_active(void);

/* tw_json_scan on path s (clamped to what is available). For tests,
 * benchmarks and the fuzz target. */
int tw_json_scan_simd(tw_json_simd s, const tw_json_plan *plan, const char *doc,
                      size_t len, tw_json_visit_fn visit, void *ctx,
                      tw_json_type *root_type);

#endif /* TW_JSON_INTERNAL_H */
