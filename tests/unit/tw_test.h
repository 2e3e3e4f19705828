/*
 * tw_test.h — the tiny unit-test harness shared by tests/unit/test_*.c.
 *
 * Usage:  TW_TEST(name) { TW_CHECK(cond); TW_CHECK_EQ_INT(a, b); ... }
 *         int main(void) { return tw_test_run(); }
 * Each TW_TEST registers itself; tw_test_run runs them all and prints the
 * closing line "N passed, N failed" that CI reads. A test passes when none
 * of its checks failed.
 */
#ifndef TW_TEST_H
#define TW_TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*tw_test_fn)(void);
struct tw_test_entry { const char *name; tw_test_fn fn; };

static struct tw_test_entry tw_tests_[1024];
static int tw_ntests_;
static int tw_test_failed_;   /* checks failed in the current test */

#define TW_TEST(tname)                                                    \
  static void tw_test_##tname(void);                                      \
  __attribute__((constructor)) static void tw_register_##tname(void) {    \
    tw_tests_[tw_ntests_].name = #tname;                                  \
    tw_tests_[tw_ntests_++].fn = tw_test_##tname;                         \
  }                                                                       \
  static void tw_test_##tname(void)

#define TW_CHECK(cond)                                                    \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
              #cond);                                                     \
      tw_test_failed_++;                                                  \
    }                                                                     \
  } while (0)

#define TW_CHECK_EQ_INT(a, b)                                             \
  do {                                                                    \
    long long tw_a_ = (long long)(a), tw_b_ = (long long)(b);             \
    if (tw_a_ != tw_b_) {                                                 \
      fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, \
              __LINE__, #a, #b, tw_a_, tw_b_);                            \
      tw_test_failed_++;                                                  \
    }                                                                     \
  } while (0)

#define TW_CHECK_EQ_STR(a, b)                                             \
  do {                                                                    \
    const char *tw_a_ = (a), *tw_b_ = (b);                                \
    if (!tw_a_ || !tw_b_ || strcmp(tw_a_, tw_b_) != 0) {                  \
      fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",       \
              __FILE__, __LINE__, #a, #b, tw_a_ ? tw_a_ : "(null)",       \
              tw_b_ ? tw_b_ : "(null)");                                  \
      tw_test_failed_++;                                                  \
    }                                                                     \
  } while (0)

static inline int tw_test_run(void) {
  int passed = 0, failed = 0;
  for (int i = 0; i < tw_ntests_; i++) {
    tw_test_failed_ = 0;
    tw_tests_[i].fn();
    if (tw_test_failed_) {
      fprintf(stderr, "FAIL %s\n", tw_tests_[i].name);
      failed++;
    } else {
      passed++;
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

#endif /* TW_TEST_H */
