/*
 * json_simd.h — the byte-class kernels of the JSON scanner, one set per
 * instruction set (scalar, SSE2, AVX2, AVX-512BW). Included only by json.c,
 * which instantiates the scanner template (json_scan.h) once per set and
 * picks one at run time (see tw_json_simd_active in json.c).
 *
 * Kernels of set X:
 *  - tw_json_str_block_X(p): a 64-bit mask of the 64 bytes at p, bit i set
 *    when p[i] needs a closer look inside a string: '"', '\\', a control
 *    byte (< 0x20) or a non-ASCII byte (>= 0x80). The scanner keeps the
 *    mask of the current block and finds the end of most strings with a
 *    shift and a count of trailing zeros.
 *  - tw_json_str_tail_X(p, n, lo): the same for the last n (< 64) bytes
 *    of the document (bits n..63 clear); lo is the start of the document.
 *  - tw_json_str_run_scalar(p, end, lo): the portable path has no block
 *    kernels; this finds the first special byte at or after p, 8 bytes at
 *    a time (SWAR).
 *  - tw_json_ws_run_X(p, end, lo): the first byte in [p, end) that is not
 *    JSON whitespace (space, tab, CR, LF); end when there is none.
 * All kernels are exact, so every set gives the same results.
 *
 * No kernel reads outside [lo, end). A tail shorter than a vector is done
 * by loading the final full vector/block of the document, [end - W, end),
 * and shifting away the bytes before p; a document shorter than that is
 * copied to a local buffer first. AVX-512 uses masked loads instead (the
 * masked-off bytes are not accessed).
 */
#ifndef TW_JSON_SIMD_H
#define TW_JSON_SIMD_H

#include <stdint.h>
#include <string.h>

#include "json/json_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TW_JSON_X86 1
#include <immintrin.h>
#else
#define TW_JSON_X86 0
#endif

typedef const unsigned char *tw_json_ptr;

/* ------------------------------------------------------------------ */
/* Scalar (every architecture)                                         */
/* ------------------------------------------------------------------ */

/* Bit 7 of byte i of the result set when byte i of x is special (SWAR).
 * Every test works on the low 7 bits of each byte, where sums cannot carry
 * into the next byte, so the answer is exact per byte. */
static inline uint64_t tw_json_special8(uint64_t x) {
  const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full, ones = 0x0101010101010101ull;
  uint64_t l = x & low7;
  uint64_t lt = ~(l + ones * 0x60);         /* bit 7 set: l < 0x20 */
  uint64_t q = (l ^ (ones * '"')) + low7;   /* bit 7 clear: l == '"' */
  uint64_t b = (l ^ (ones * '\\')) + low7;  /* bit 7 clear: l == '\\' */
  return (x | lt | ~(q & b)) & (ones * 0x80);
}

/* Copy the last n (< len) bytes of the document to buf, padded with a
 * plain byte, for a kernel that reads len bytes. */
static inline void tw_json_pad_copy(unsigned char *buf, size_t len,
                                    tw_json_ptr p, size_t n) {
  memset(buf, 'a', len);
  if (n)
    memcpy(buf, p, n);
}

/* The first special byte at or after p, 8 bytes at a time, exact. */
static inline tw_json_ptr tw_json_str_run_scalar(tw_json_ptr p, tw_json_ptr end,
                                                 tw_json_ptr lo) {
  while (end - p >= 8) {
    uint64_t m = tw_json_special8(tw_json_le(p, 8));
    if (m)
      return p + (__builtin_ctzll(m) >> 3);
    p += 8;
  }
  if (p == end)
    return p;
  size_t n = (size_t)(end - p);
  uint64_t m;
  if (end - lo >= 8) { /* the final 8 bytes of the document */
    m = tw_json_special8(tw_json_le(end - 8, 8)) >> (8 * (8 - n));
  } else {
    unsigned char buf[8];
    tw_json_pad_copy(buf, sizeof buf, p, n);
    m = tw_json_special8(tw_json_le(buf, 8));
  }
  return m ? p + (__builtin_ctzll(m) >> 3) : end;
}

static inline int tw_json_is_ws(unsigned char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline tw_json_ptr tw_json_ws_run_scalar(tw_json_ptr p, tw_json_ptr end,
                                                tw_json_ptr lo) {
  (void)lo;
  while (p < end && tw_json_is_ws(*p))
    p++;
  return p;
}

#if TW_JSON_X86

/* ------------------------------------------------------------------ */
/* SSE2 (the x86-64 baseline)                                          */
/* ------------------------------------------------------------------ */

#define TW_JSON_INLINE static inline __attribute__((always_inline))

/* Bit i set when byte i of x is special. Signed compare:
 * bytes >= 0x80 are negative, so "< 0x20" catches them too. */
TW_JSON_INLINE uint32_t tw_json_str_mask16(__m128i x) {
  __m128i q = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
  __m128i b = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
  __m128i c = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
  return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c));
}

/* Bit i set when byte i of x is not whitespace. */
TW_JSON_INLINE uint32_t tw_json_ws_mask16(__m128i x) {
  __m128i s = _mm_cmpeq_epi8(x, _mm_set1_epi8(' '));
  __m128i n = _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'));
  __m128i r = _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'));
  __m128i t = _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'));
  __m128i ws = _mm_or_si128(_mm_or_si128(s, n), _mm_or_si128(r, t));
  return (uint32_t)_mm_movemask_epi8(ws) ^ 0xFFFFu;
}

TW_JSON_INLINE __m128i tw_json_load16(tw_json_ptr p) {
  return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* The ws kernels: loop over whole vectors, then the back-loaded final
 * vector, then the narrower kernel. */
#define TW_JSON_RUN16(maskfn, narrow)                                       \
  while (end - p >= 16) {                                                   \
    uint32_t bits = maskfn(tw_json_load16(p));                              \
    if (bits)                                                               \
      return p + __builtin_ctz(bits);                                       \
    p += 16;                                                                \
  }                                                                         \
  if (p == end)                                                             \
    return p;                                                               \
  if (end - lo >= 16) {                                                     \
    tw_json_ptr q = end - 16;                                               \
    uint32_t bits = maskfn(tw_json_load16(q)) >> (p - q);                   \
    return bits ? p + __builtin_ctz(bits) : end;                            \
  }                                                                         \
  return narrow(p, end, lo)

TW_JSON_INLINE uint64_t tw_json_str_block_sse2(tw_json_ptr p) {
  return (uint64_t)tw_json_str_mask16(tw_json_load16(p)) |
         (uint64_t)tw_json_str_mask16(tw_json_load16(p + 16)) << 16 |
         (uint64_t)tw_json_str_mask16(tw_json_load16(p + 32)) << 32 |
         (uint64_t)tw_json_str_mask16(tw_json_load16(p + 48)) << 48;
}

/* The tail by the final block of the document when there is one, else
 * (a document shorter than 64 bytes) by a padded copy, out of line. */
#define TW_JSON_TAIL64(block, copyfn)                                       \
  if ((size_t)(p - lo) + n >= 64)                                           \
    return block(p + n - 64) >> (64 - n);                                   \
  return copyfn(p, n)

#define TW_JSON_TAIL_COPY(block)                                            \
  unsigned char buf[64];                                                    \
  tw_json_pad_copy(buf, sizeof buf, p, n);                                  \
  return block(buf) & ((1ull << n) - 1)

static __attribute__((noinline)) uint64_t
tw_json_str_tail_copy_sse2(tw_json_ptr p, size_t n) {
  TW_JSON_TAIL_COPY(tw_json_str_block_sse2);
}

TW_JSON_INLINE uint64_t tw_json_str_tail_sse2(tw_json_ptr p, size_t n,
                                             tw_json_ptr lo) {
  TW_JSON_TAIL64(tw_json_str_block_sse2, tw_json_str_tail_copy_sse2);
}

TW_JSON_INLINE tw_json_ptr tw_json_ws_run_sse2(tw_json_ptr p, tw_json_ptr end,
                                               tw_json_ptr lo) {
  TW_JSON_RUN16(tw_json_ws_mask16, tw_json_ws_run_scalar);
}

/* ------------------------------------------------------------------ */
/* AVX2                                                                */
/* ------------------------------------------------------------------ */

#define TW_JSON_AVX2 __attribute__((target("avx2")))

TW_JSON_INLINE TW_JSON_AVX2 __m256i tw_json_load32(tw_json_ptr p) {
  return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

TW_JSON_INLINE TW_JSON_AVX2 uint32_t tw_json_str_mask32(__m256i x) {
  __m256i q = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('"'));
  __m256i b = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('\\'));
  __m256i c = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), x);
  return (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(q, b), c));
}

/* Whitespace by table lookup: the low nibble of a whitespace byte indexes
 * the entry equal to the byte itself (0x20 at 0, 0x09, 0x0A, 0x0D at 9,
 * 10, 13); every other entry can never equal a byte with that low nibble
 * (0x01 at index != 1, 0x00 at index 1), and bytes >= 0x80 look up 0. */
TW_JSON_INLINE TW_JSON_AVX2 uint32_t tw_json_ws_mask32(__m256i x) {
  const __m256i table = _mm256_setr_epi8(
      0x20, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x09, 0x0A, 0x01,
      0x01, 0x0D, 0x01, 0x01, 0x20, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
      0x01, 0x09, 0x0A, 0x01, 0x01, 0x0D, 0x01, 0x01);
  __m256i ws = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, x), x);
  return ~(uint32_t)_mm256_movemask_epi8(ws);
}

#define TW_JSON_RUN32(maskfn, narrow)                                       \
  while (end - p >= 32) {                                                   \
    uint32_t bits = maskfn(tw_json_load32(p));                              \
    if (bits)                                                               \
      return p + __builtin_ctz(bits);                                       \
    p += 32;                                                                \
  }                                                                         \
  if (p == end)                                                             \
    return p;                                                               \
  if (end - lo >= 32) {                                                     \
    tw_json_ptr q = end - 32;                                               \
    uint32_t bits = maskfn(tw_json_load32(q)) >> (p - q);                   \
    return bits ? p + __builtin_ctz(bits) : end;                            \
  }                                                                         \
  return narrow(p, end, lo)

TW_JSON_INLINE TW_JSON_AVX2 uint64_t tw_json_str_block_avx2(tw_json_ptr p) {
  return (uint64_t)tw_json_str_mask32(tw_json_load32(p)) |
         (uint64_t)tw_json_str_mask32(tw_json_load32(p + 32)) << 32;
}

static __attribute__((noinline)) TW_JSON_AVX2 uint64_t
tw_json_str_tail_copy_avx2(tw_json_ptr p, size_t n) {
  TW_JSON_TAIL_COPY(tw_json_str_block_avx2);
}

TW_JSON_INLINE TW_JSON_AVX2 uint64_t tw_json_str_tail_avx2(tw_json_ptr p,
                                                           size_t n,
                                                           tw_json_ptr lo) {
  TW_JSON_TAIL64(tw_json_str_block_avx2, tw_json_str_tail_copy_avx2);
}

TW_JSON_INLINE TW_JSON_AVX2 tw_json_ptr
tw_json_ws_run_avx2(tw_json_ptr p, tw_json_ptr end, tw_json_ptr lo) {
  TW_JSON_RUN32(tw_json_ws_mask32, tw_json_ws_run_sse2);
}

/* ------------------------------------------------------------------ */
/* AVX-512BW                                                           */
/* ------------------------------------------------------------------ */

#define TW_JSON_AVX512 __attribute__((target("avx2,avx512f,avx512bw")))

TW_JSON_INLINE TW_JSON_AVX512 uint64_t tw_json_str_mask64(__m512i x) {
  return _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('"')) |
         _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\\')) |
         _mm512_cmplt_epi8_mask(x, _mm512_set1_epi8(0x20));
}

TW_JSON_INLINE TW_JSON_AVX512 uint64_t tw_json_ws_mask64(__m512i x) {
  const __m512i table = _mm512_broadcast_i32x4(_mm_setr_epi8(
      0x20, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x09, 0x0A, 0x01,
      0x01, 0x0D, 0x01, 0x01));
  return _mm512_cmpneq_epi8_mask(_mm512_shuffle_epi8(table, x), x);
}

/* Whole 64-byte vectors, then one masked load of the rest: the masked-off
 * bytes are not read (no fault, no over-read). */
#define TW_JSON_RUN64(maskfn)                                               \
  while (end - p >= 64) {                                                   \
    uint64_t bits = maskfn(_mm512_loadu_si512((const void *)p));            \
    if (bits)                                                               \
      return p + __builtin_ctzll(bits);                                     \
    p += 64;                                                                \
  }                                                                         \
  if (p == end)                                                             \
    return p;                                                               \
  {                                                                         \
    __mmask64 k = (__mmask64)(~0ull >> (64 - (end - p)));                   \
    uint64_t bits = maskfn(_mm512_maskz_loadu_epi8(k, p)) & k;              \
    return bits ? p + __builtin_ctzll(bits) : end;                          \
  }

TW_JSON_INLINE TW_JSON_AVX512 uint64_t tw_json_str_block_avx512(tw_json_ptr p) {
  return tw_json_str_mask64(_mm512_loadu_si512((const void *)p));
}

TW_JSON_INLINE TW_JSON_AVX512 uint64_t tw_json_str_tail_avx512(tw_json_ptr p,
                                                               size_t n,
                                                               tw_json_ptr lo) {
  (void)lo;
  __mmask64 k = (__mmask64)((1ull << n) - 1);
  return tw_json_str_mask64(_mm512_maskz_loadu_epi8(k, p)) & k;
}

TW_JSON_INLINE TW_JSON_AVX512 tw_json_ptr
tw_json_ws_run_avx512(tw_json_ptr p, tw_json_ptr end, tw_json_ptr lo) {
  (void)lo;
  TW_JSON_RUN64(tw_json_ws_mask64);
}

#endif /* TW_JSON_X86 */

#endif /* TW_JSON_SIMD_H */
