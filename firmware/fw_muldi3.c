/* fw_muldi3.c — a faster 64-bit multiply helper for firmware built without the M extension.
 *
 * In rv32i builds (the board firmware) gcc compiles every 64-bit multiply into a call to
 * libgcc's __muldi3, whose 32x32->64 part loops over every bit of the low word of its
 * second operand: 32 iterations for a negative one (the driver and the golden kernels do
 * their size and accumulator arithmetic in int64_t; most operands are small, half of them
 * negative). This one takes the common case of two sign-extended 32-bit operands as a
 * signed 32x32->64 product of the magnitudes, looping over the smaller one, and otherwise
 * the low 64 bits of the product as lo(a)*lo(b) + ((hi(a)*lo(b) + lo(a)*hi(b)) << 32),
 * the 32x32->64 part again looping over the smaller word, the 32-bit products by
 * __mulsi3 (fw_mul.S). It has no 64-bit multiply of its own (that would call itself).
 *
 * With the M extension gcc inlines 64-bit multiplies (mul/mulhu) and never calls
 * __muldi3: --gc-sections drops it. As an object of the link it takes precedence over
 * libgcc's archive member. firmware/hosttest/test_fw_rt.c compares it (compiled as
 * fw_muldi3) with the host's 64-bit multiply on edge and random operands.
 */
#include <stdint.h>

uint64_t __muldi3(uint64_t a, uint64_t b);

/* x * y as 64 bits, looping over the smaller operand's significant bits */
static uint64_t mul_32x32(uint32_t x, uint32_t y) {
  uint64_t r = 0, m;
  uint32_t t;
  if (x < y) {
    t = x;
    x = y;
    y = t;
  }
  m = x;
  while (y != 0) {
    if (y & 1u) r += m;
    m <<= 1;
    y >>= 1;
  }
  return r;
}

uint64_t __muldi3(uint64_t a, uint64_t b) {
  uint32_t alo = (uint32_t)a, blo = (uint32_t)b, ahi = (uint32_t)(a >> 32),
           bhi = (uint32_t)(b >> 32);
  uint32_t asx = (uint32_t)((int32_t)alo >> 31), bsx = (uint32_t)((int32_t)blo >> 31);
  if (ahi == asx && bhi == bsx) { /* both sign-extended 32-bit values */
    uint64_t p = mul_32x32((alo ^ asx) - asx, (blo ^ bsx) - bsx);
    /* (a branch: gcc turns a sign mask widened to 64 bits into a multiply, i.e. a call) */
    return asx != bsx ? 0u - p : p;
  }
  return mul_32x32(alo, blo) + ((uint64_t)(ahi * blo + alo * bhi) << 32);
}
