/* mem.S — loads and stores of every width at every byte lane, sign and zero extension,
 * negative and positive offsets, loads into x0, in RAM and in main memory (both 32-bit
 * lanes of a 64-bit line). */
#include "test.h"

  TEST_NAME("rv32i loads and stores")

  .data
  .balign 8
pat:    .word 0xff007f81, 0x12348765
buf:    .word 0, 0, 0, 0

/* LOADS(n, base): checks n..n+19 of every load at every lane of the two pattern words at
 * base (0xff007f81: bytes 81 7f 00 ff; 0x12348765: bytes 65 87 34 12) */
#define LOADS(n, base)                                                   \
  lb    a0, 0(base);  CHECK(n + 0, a0, 0xffffff81);                      \
  lb    a0, 1(base);  CHECK(n + 1, a0, 0x0000007f);                      \
  lb    a0, 2(base);  CHECK(n + 2, a0, 0x00000000);                      \
  lb    a0, 3(base);  CHECK(n + 3, a0, 0xffffffff);                      \
  lbu   a0, 0(base);  CHECK(n + 4, a0, 0x00000081);                      \
  lbu   a0, 1(base);  CHECK(n + 5, a0, 0x0000007f);                      \
  lbu   a0, 3(base);  CHECK(n + 6, a0, 0x000000ff);                      \
  lh    a0, 0(base);  CHECK(n + 7, a0, 0x00007f81);                      \
  lh    a0, 2(base);  CHECK(n + 8, a0, 0xffffff00);                      \
  lhu   a0, 2(base);  CHECK(n + 9, a0, 0x0000ff00);                      \
  lw    a0, 0(base);  CHECK(n + 10, a0, 0xff007f81);                     \
  lh    a0, 4(base);  CHECK(n + 11, a0, 0xffff8765);                     \
  lhu   a0, 4(base);  CHECK(n + 12, a0, 0x00008765);                     \
  lh    a0, 6(base);  CHECK(n + 13, a0, 0x00001234);                     \
  lb    a0, 5(base);  CHECK(n + 14, a0, 0xffffff87);                     \
  lbu   a0, 5(base);  CHECK(n + 15, a0, 0x00000087);                     \
  lbu   a0, 7(base);  CHECK(n + 16, a0, 0x00000012);                     \
  lw    a0, 4(base);  CHECK(n + 17, a0, 0x12348765);                     \
  addi  a2, base, 8;                                                     \
  lw    a0, -4(a2);   CHECK(n + 18, a0, 0x12348765);                     \
  lbu   a0, -8(a2);   CHECK(n + 19, a0, 0x00000081)

/* STORES(n, base): checks n..n+13 of every store width and lane into zeroed words at base
 * (base+0 and base+4 must be 0 on entry) */
#define STORES(n, base)                                                  \
  li    a1, 0xa5a5a5a5;                                                  \
  sb    a1, 0(base);  lw a0, 0(base); CHECK(n + 0, a0, 0x000000a5);      \
  li    a1, 0x11;                                                        \
  sb    a1, 1(base);  lw a0, 0(base); CHECK(n + 1, a0, 0x000011a5);      \
  li    a1, 0x122;                                                       \
  sb    a1, 2(base);  lw a0, 0(base); CHECK(n + 2, a0, 0x002211a5);      \
  li    a1, 0xff;                                                        \
  sb    a1, 3(base);  lw a0, 0(base); CHECK(n + 3, a0, 0xff2211a5);      \
  lw    a0, 4(base);  CHECK(n + 4, a0, 0);                               \
  li    a1, 0x12345678;                                                  \
  sh    a1, 4(base);  lw a0, 4(base); CHECK(n + 5, a0, 0x00005678);      \
  li    a1, 0xffff9abc;                                                  \
  sh    a1, 6(base);  lw a0, 4(base); CHECK(n + 6, a0, 0x9abc5678);      \
  lw    a0, 0(base);  CHECK(n + 7, a0, 0xff2211a5);                      \
  li    a1, 0x0badcafe;                                                  \
  sw    a1, 0(base);  lw a0, 0(base); CHECK(n + 8, a0, 0x0badcafe);      \
  lw    a0, 4(base);  CHECK(n + 9, a0, 0x9abc5678);                      \
  addi  a2, base, 8;                                                     \
  li    a1, 0x7e;                                                        \
  sb    a1, -6(a2);   lw a0, 0(base); CHECK(n + 10, a0, 0x0b7ecafe);     \
  sh    zero, -2(a2); lw a0, 4(base); CHECK(n + 11, a0, 0x00005678);     \
  sw    zero, -8(a2); lw a0, 0(base); CHECK(n + 12, a0, 0);              \
  lh    a0, 4(base);  CHECK(n + 13, a0, 0x00005678)

  .text
  .globl test_main
test_main:
  /* ---- RAM ---- */
  la    s0, pat
  LOADS(1, s0)
  la    s1, buf
  STORES(21, s1)
  /* loads into x0 are performed but not written */
  lw    x0, 0(s0)
  CHECK(35, x0, 0)
  lb    x0, 3(s0)
  CHECK(36, x0, 0)
  lhu   x0, 2(s0)
  CHECK(37, x0, 0)
  /* a load right after a store to the same word, and rd = rs1 */
  li    a1, 0x13579bdf
  sw    a1, 8(s1)
  lw    a0, 8(s1)
  CHECK(38, a0, 0x13579bdf)
  addi  a0, s1, 8
  lw    a0, 0(a0)
  CHECK(39, a0, 0x13579bdf)
  /* a store of rs2 = rs1 (the address as data) */
  addi  a3, s1, 12
  sw    a3, 0(a3)
  lw    a0, 12(s1)
  CHECK_REG(40, a0, a3)

  /* ---- main memory: write the pattern, then the same loads and stores ---- */
  li    s2, MAIN_BASE + 0x100
  li    a1, 0xff007f81
  sw    a1, 0(s2)
  li    a1, 0x12348765
  sw    a1, 4(s2)
  LOADS(41, s2)
  li    s3, MAIN_BASE + 0x200
  sw    zero, 0(s3)
  sw    zero, 4(s3)
  STORES(61, s3)
  /* the second lane of a line, then the first again: no lane mix-up */
  li    a1, 0x11111111
  li    a2, 0x22222222
  sw    a1, 8(s3)
  sw    a2, 12(s3)
  lw    a0, 8(s3)
  CHECK(75, a0, 0x11111111)
  lw    a0, 12(s3)
  CHECK(76, a0, 0x22222222)
  sb    a2, 9(s3)
  lw    a0, 8(s3)
  CHECK(77, a0, 0x11112211)
  lw    a0, 12(s3)
  CHECK(78, a0, 0x22222222)
  /* the last word of main memory (SOCINFO MAIN_BYTES) */
  li    t0, SOCINFO_BASE
  lw    a4, 12(t0)                  /* MAIN_BYTES */
  li    a5, MAIN_BASE - 4
  add   a5, a5, a4
  li    a1, 0x600dbeef
  sw    a1, 0(a5)
  lw    a0, 0(a5)
  CHECK(79, a0, 0x600dbeef)
  lw    a0, 8(t0)                   /* MAIN_BASE */
  CHECK(80, a0, MAIN_BASE)

  /* ---- device registers: the UART DIV register reads back, an unused offset reads 0 ---- */
  li    t0, UART_BASE
  lw    a6, 8(t0)
  li    a1, 0x1234
  sw    a1, 8(t0)
  lw    a0, 8(t0)
  CHECK(81, a0, 0x1234)
  sw    a6, 8(t0)
  lw    a0, 8(t0)
  CHECK_REG(82, a0, a6)
  lw    a0, 0x100(t0)
  CHECK(83, a0, 0)

  TEST_PASS
