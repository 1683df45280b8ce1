/* fw_div64.c — fast paths for the 64-bit division helpers of libgcc on RV32IM.
 *
 * The driver does its size arithmetic in 64 bits (int64_t/uint64_t), so gcc calls
 * __divdi3, __moddi3, __udivdi3 and __umoddi3 for every such division; libgcc's generic
 * versions take ~300 cycles on the SoC's core even when both operands fit in 32 bits,
 * which they almost always do. The firmware is linked with
 *   -Wl,--wrap=__divdi3 -Wl,--wrap=__moddi3 -Wl,--wrap=__udivdi3 -Wl,--wrap=__umoddi3
 * so every call lands here first: one 32-bit div/rem instruction when the operands fit,
 * libgcc's own routine (__real_*) otherwise. Results are identical (the test
 * firmware/hosttest/test_fw_rt.c compares them with the compiler's 64-bit division).
 */
#include <stdint.h>

int64_t __real___divdi3(int64_t a, int64_t b);
int64_t __real___moddi3(int64_t a, int64_t b);
uint64_t __real___udivdi3(uint64_t a, uint64_t b);
uint64_t __real___umoddi3(uint64_t a, uint64_t b);
int64_t __wrap___divdi3(int64_t a, int64_t b);
int64_t __wrap___moddi3(int64_t a, int64_t b);
uint64_t __wrap___udivdi3(uint64_t a, uint64_t b);
uint64_t __wrap___umoddi3(uint64_t a, uint64_t b);

/* both fit in int32 and the 32-bit quotient cannot overflow (INT32_MIN / -1) */
static int fits_s32(int64_t a, int64_t b) {
  return a >= INT32_MIN && a <= INT32_MAX && b >= INT32_MIN && b <= INT32_MAX && b != 0 &&
         !(a == INT32_MIN && b == -1);
}

static int fits_u32(uint64_t a, uint64_t b) { return (a >> 32) == 0 && (b >> 32) == 0 && b != 0; }

int64_t __wrap___divdi3(int64_t a, int64_t b) {
  if (fits_s32(a, b)) return (int32_t)a / (int32_t)b;
  return __real___divdi3(a, b);
}

int64_t __wrap___moddi3(int64_t a, int64_t b) {
  if (fits_s32(a, b)) return (int32_t)a % (int32_t)b;
  return __real___moddi3(a, b);
}

uint64_t __wrap___udivdi3(uint64_t a, uint64_t b) {
  if (fits_u32(a, b)) return (uint32_t)a / (uint32_t)b;
  return __real___udivdi3(a, b);
}

uint64_t __wrap___umoddi3(uint64_t a, uint64_t b) {
  if (fits_u32(a, b)) return (uint32_t)a % (uint32_t)b;
  return __real___umoddi3(a, b);
}
