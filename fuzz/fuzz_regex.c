/*
 * fuzz_regex.c — libFuzzer target for the regex subset (src/pattern/regex.c).
 *
 * Input: regex body, a NUL byte, then the subject (without a NUL the whole
 * input is used as both). Compiles the body and, if it compiles, searches
 * the subject. Besides "never crash / leak", it checks two invariants:
 * an error column lies within the body (1..len, or 0), and searching is
 * repeatable (the compiled object is not mutated by a search).
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE
 *        -Iinclude -Isrc fuzz/fuzz_regex.c src/pattern/regex.c plus every
 *        .c file in src/util/.
 * Seeds: fuzz/corpus/regex/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, 0, size);
  size_t blen = nul ? (size_t)(nul - data) : size;
  const char *subj = nul ? (const char *)nul + 1 : (const char *)data;
  size_t slen = nul ? size - blen - 1 : size;
  tw_regex *re = NULL;
  tw_error err;
  memset(&err, 0, sizeof err);
  int rc = tw_regex_compile((const char *)data, blen, &re, &err);
  if (rc != TW_OK) {
    if (re != NULL || err.code != rc || err.column > blen + 1 || err.message[0] == '\0')
      abort();
    return 0;
  }
  int first = tw_regex_search(re, subj, slen);
  int second = tw_regex_search(re, subj, slen);
  if ((first != 0 && first != 1) || first != second)
    abort();
  tw_regex_free(re);
  return 0;
}
