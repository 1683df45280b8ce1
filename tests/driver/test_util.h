/* test_util.h — helpers shared by the driver test suites (Check based). */
#ifndef SYSTOLE_TEST_UTIL_H
#define SYSTOLE_TEST_UTIL_H

#include <check.h>
#include <stdint.h>

#include "systole.h"

/* The call must return SYSTOLE_OK; otherwise the test fails with the call and the status. */
#define OK(expr)                                                                          \
  do {                                                                                    \
    systole_status_t st_ = (expr);                                                        \
    ck_assert_msg(st_ == SYSTOLE_OK, "%s: %s", #expr, systole_status_str(st_));           \
  } while (0)

/* xorshift64* — the tests' one pseudo-random generator (state must be non-zero). */
static inline uint64_t rnd(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}
static inline int8_t rnd_i8(uint64_t *s) { return (int8_t)(rnd(s) >> 56); }
static inline int rnd_range(uint64_t *s, int lo, int hi) { /* inclusive */
  return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1));
}

#endif /* SYSTOLE_TEST_UTIL_H */
