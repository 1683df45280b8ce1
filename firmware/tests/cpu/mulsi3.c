/* mulsi3.c — the firmware runtime's __mulsi3 (firmware/fw_mul.S, the multiply helper of
 * the rv32i board firmware) against the mul instruction, on edge operands (every pair)
 * and random ones of every magnitude and sign. Each call is made with sentinel values in
 * a4-a7 and t0-t6, which must survive: libgcc's __muldi3 relies on __mulsi3 clobbering
 * only a0-a3. Check 1: a wrong product; check 2: a clobbered register (operands printed).
 * Built for rv32im and run on the SoC models with the M extension. */
#include <stdint.h>

#define RANDOM_PAIRS 3000

void puts(const char *s);
void puthex(uint32_t v);
void putc(int c);

static const uint32_t edges[] = {0u,          1u,          0xffffffffu, 2u,
                                 0xfffffffeu, 3u,          7u,          0xfffffff9u,
                                 0x7fffffffu, 0x80000000u, 0x80000001u, 0x0000ffffu,
                                 0x00010000u, 0xffff0000u, 0x55555555u, 0xaaaaaaaau};
static uint32_t rng = 0x9e3779b9u;

static uint32_t xorshift32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

/* random magnitude (1..32 bits), negated half of the time */
static uint32_t operand(void) {
  uint32_t bits = 1u + xorshift32() % 32u, v = xorshift32();
  if (bits < 32u) v &= (1u << bits) - 1u;
  return (xorshift32() & 1u) ? 0u - v : v;
}

#define S(n) (0x5a5a0000u + (n))

/* __mulsi3(a, b); *clobbered := a register other than a0-a3 changed */
static uint32_t call_mulsi3(uint32_t a, uint32_t b, int *clobbered) {
  register uint32_t x0 __asm__("a0") = a;
  register uint32_t x1 __asm__("a1") = b;
  register uint32_t r4 __asm__("a4") = S(4);
  register uint32_t r5 __asm__("a5") = S(5);
  register uint32_t r6 __asm__("a6") = S(6);
  register uint32_t r7 __asm__("a7") = S(7);
  register uint32_t t0 __asm__("t0") = S(10);
  register uint32_t t1 __asm__("t1") = S(11);
  register uint32_t t2 __asm__("t2") = S(12);
  register uint32_t t3 __asm__("t3") = S(13);
  register uint32_t t4 __asm__("t4") = S(14);
  register uint32_t t5 __asm__("t5") = S(15);
  register uint32_t t6 __asm__("t6") = S(16);
  __asm__ volatile("call __mulsi3"
                   : "+r"(x0), "+r"(x1), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(t0),
                     "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5), "+r"(t6)
                   :
                   : "a2", "a3", "ra", "memory");
  *clobbered = r4 != S(4) || r5 != S(5) || r6 != S(6) || r7 != S(7) || t0 != S(10) ||
               t1 != S(11) || t2 != S(12) || t3 != S(13) || t4 != S(14) || t5 != S(15) ||
               t6 != S(16);
  return x0;
}

static int check(uint32_t a, uint32_t b) {
  int clobbered;
  uint32_t got = call_mulsi3(a, b, &clobbered), want = a * b; /* mul */
  if (got == want && !clobbered) return 0;
  puts(clobbered ? "__mulsi3 clobbers a register: " : "__mulsi3 ");
  puthex(a);
  putc(' ');
  puthex(b);
  puts(": got ");
  puthex(got);
  puts(", expected ");
  puthex(want);
  putc('\n');
  return clobbered ? 2 : 1;
}

int test_main(void) {
  const unsigned n = sizeof(edges) / sizeof(edges[0]);
  int r;
  for (unsigned i = 0; i < n; i++)
    for (unsigned j = 0; j < n; j++)
      if ((r = check(edges[i], edges[j])) != 0) return r;
  for (int i = 0; i < RANDOM_PAIRS; i++) {
    uint32_t a = operand(), b = operand();
    if ((r = check(a, b)) != 0) return r;
  }
  return 0;
}

const char test_name[] = "firmware __mulsi3 (rv32i multiply helper)";
