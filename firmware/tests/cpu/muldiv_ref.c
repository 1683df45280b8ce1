/* muldiv_ref.c — software reference of the RV32M instructions for muldiv_rand.c.
 *
 * Built with -march=rv32i (see cpu.mk) and written with additions, shifts and comparisons
 * only, so the reference never runs the multiplier or divider it checks. */
#include "muldiv_ref.h"

/* 32 x 32 -> 64-bit unsigned product, shift-add */
static void umul64(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo) {
  uint32_t h = 0, l = 0, ah = 0, al = a;
  while (b != 0) {
    if (b & 1u) {
      uint32_t nl = l + al;
      h = h + ah + (nl < l ? 1u : 0u);
      l = nl;
    }
    ah = (ah << 1) | (al >> 31);
    al <<= 1;
    b >>= 1;
  }
  *hi = h;
  *lo = l;
}

/* unsigned division, restoring, 1 bit per step; b != 0 */
static void udivmod(uint32_t a, uint32_t b, uint32_t *q, uint32_t *r) {
  uint32_t qq = 0, rr = 0;
  for (int i = 31; i >= 0; i--) {
    uint32_t carry = rr >> 31;
    rr = (rr << 1) | ((a >> i) & 1u);
    qq <<= 1;
    if (carry || rr >= b) {
      rr -= b;
      qq |= 1u;
    }
  }
  *q = qq;
  *r = rr;
}

void ref_muldiv(uint32_t a, uint32_t b, uint32_t out[8]) {
  uint32_t hi, lo, q, r;
  int a_neg = (a >> 31) != 0, b_neg = (b >> 31) != 0;

  umul64(a, b, &hi, &lo);
  out[REF_MUL]    = lo;
  out[REF_MULHU]  = hi;
  /* signed high parts from the unsigned one: subtract b * 2^32 for a negative a, etc. */
  out[REF_MULHSU] = hi - (a_neg ? b : 0u);
  out[REF_MULH]   = hi - (a_neg ? b : 0u) - (b_neg ? a : 0u);

  if (b == 0) {
    out[REF_DIV] = out[REF_DIVU] = 0xffffffffu;
    out[REF_REM] = out[REF_REMU] = a;
    return;
  }
  udivmod(a, b, &q, &r);
  out[REF_DIVU] = q;
  out[REF_REMU] = r;
  if (a == 0x80000000u && b == 0xffffffffu) {  /* INT_MIN / -1 */
    out[REF_DIV] = 0x80000000u;
    out[REF_REM] = 0;
    return;
  }
  udivmod(a_neg ? 0u - a : a, b_neg ? 0u - b : b, &q, &r);
  out[REF_DIV] = (a_neg != b_neg) ? 0u - q : q;
  out[REF_REM] = a_neg ? 0u - r : r;
}
