/* muldiv_rand.c — the RV32M instructions on random operands (a fixed xorshift sequence,
 * biased toward edge values: 0, +-1, INT_MIN, INT_MAX, small and single-bit values),
 * checked against the software reference in muldiv_ref.c. Check n (1..8) is the failing
 * instruction in funct3 order + 1; the operands and both results are printed. */
#include <stdint.h>

#include "muldiv_ref.h"

#define PAIRS 200

void puts(const char *s);
void puthex(uint32_t v);
void putc(int c);

static const char *const names[8] = {"mul", "mulh", "mulhsu", "mulhu",
                                     "div", "divu", "rem", "remu"};
static const uint32_t edges[8] = {0u, 1u, 0xffffffffu, 0x80000000u,
                                  0x7fffffffu, 2u, 0xfffffffeu, 0x80000001u};
static uint32_t rng = 0x2545f491u;

static uint32_t xorshift32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static uint32_t operand(void) {
  uint32_t r = xorshift32(), v = xorshift32();
  switch (r & 7u) {
    case 0: return edges[(r >> 3) & 7u];
    case 1: return v & 0xffu;                     /* small */
    case 2: return 0u - (v & 0xffu);              /* small negative */
    case 3: return 1u << ((r >> 3) & 31u);        /* single bit */
    default: return v;
  }
}

#define HW(op, a, b)                                                     \
  ({                                                                     \
    uint32_t r_;                                                         \
    __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b));      \
    r_;                                                                  \
  })

int test_main(void) {
  for (int i = 0; i < PAIRS; i++) {
    uint32_t a = operand(), b = operand(), ref[8], hw[8];
    ref_muldiv(a, b, ref);
    hw[0] = HW("mul", a, b);
    hw[1] = HW("mulh", a, b);
    hw[2] = HW("mulhsu", a, b);
    hw[3] = HW("mulhu", a, b);
    hw[4] = HW("div", a, b);
    hw[5] = HW("divu", a, b);
    hw[6] = HW("rem", a, b);
    hw[7] = HW("remu", a, b);
    for (int k = 0; k < 8; k++) {
      if (hw[k] != ref[k]) {
        puts(names[k]);
        putc(' ');
        puthex(a);
        putc(' ');
        puthex(b);
        puts(": got ");
        puthex(hw[k]);
        puts(", expected ");
        puthex(ref[k]);
        putc('\n');
        return k + 1;
      }
    }
  }
  return 0;
}

const char test_name[] = "rv32m random operands";
