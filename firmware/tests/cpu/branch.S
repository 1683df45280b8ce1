/* branch.S — every conditional branch taken and not taken, forward and backward, with
 * signed/unsigned operand pairs; jal and jalr: link values, jalr clearing bit 0, negative
 * offsets, rd = rs1, and x0 as the link register. */
#include "test.h"

  TEST_NAME("rv32i branches and jumps")

/* BR_TAKEN(n, op, a, b): `op a, b` must branch, forward (check n) and backward (n + 1) */
#define BR_TAKEN(n, op, a, b)   \
  li    a0, a;                  \
  li    a1, b;                  \
  li    gp, n;                  \
  op    a0, a1, 11f;            \
  j     fail;                   \
11:                             \
  li    gp, n + 1;              \
  j     13f;                    \
12:                             \
  j     14f;                    \
13:                             \
  op    a0, a1, 12b;            \
  j     fail;                   \
14:

/* BR_NOT_TAKEN(n, op, a, b): `op a, b` must fall through, with a forward (check n) and a
 * backward (n + 1) target */
#define BR_NOT_TAKEN(n, op, a, b) \
  li    a0, a;                  \
  li    a1, b;                  \
  li    gp, n;                  \
  op    a0, a1, 15f;            \
  j     16f;                    \
15:                             \
  j     fail;                   \
16:                             \
  li    gp, n + 1;              \
  j     18f;                    \
17:                             \
  j     fail;                   \
18:                             \
  op    a0, a1, 17b;

  .text
  .globl test_main
test_main:
  BR_TAKEN(1, beq, 5, 5)
  BR_TAKEN(3, beq, 0x80000000, 0x80000000)
  BR_NOT_TAKEN(5, beq, 5, 6)
  BR_NOT_TAKEN(7, beq, 0, 0x80000000)
  BR_TAKEN(9, bne, 5, 6)
  BR_TAKEN(11, bne, 1, 0xffffffff)
  BR_NOT_TAKEN(13, bne, -7, -7)
  BR_TAKEN(15, blt, -1, 1)
  BR_TAKEN(17, blt, 0x80000000, 0x7fffffff)
  BR_TAKEN(19, blt, 3, 4)
  BR_NOT_TAKEN(21, blt, 1, -1)
  BR_NOT_TAKEN(23, blt, 4, 4)
  BR_NOT_TAKEN(25, blt, 0x7fffffff, 0x80000000)
  BR_TAKEN(27, bge, 1, -1)
  BR_TAKEN(29, bge, 4, 4)
  BR_TAKEN(31, bge, 0x7fffffff, 0x80000000)
  BR_NOT_TAKEN(33, bge, -1, 1)
  BR_NOT_TAKEN(35, bge, 0x80000000, 0)
  BR_TAKEN(37, bltu, 1, 0xffffffff)
  BR_TAKEN(39, bltu, 0x7fffffff, 0x80000000)
  BR_TAKEN(41, bltu, 0, 1)
  BR_NOT_TAKEN(43, bltu, 0xffffffff, 1)
  BR_NOT_TAKEN(45, bltu, 9, 9)
  BR_NOT_TAKEN(47, bltu, 0x80000000, 0x7fffffff)
  BR_TAKEN(49, bgeu, 0xffffffff, 1)
  BR_TAKEN(51, bgeu, 9, 9)
  BR_TAKEN(53, bgeu, 0x80000000, 0x7fffffff)
  BR_NOT_TAKEN(55, bgeu, 1, 0xffffffff)
  BR_NOT_TAKEN(57, bgeu, 0, 1)

  /* a branch comparing a register with itself, and with x0 */
  li    a0, -3
  li    gp, 59
  bne   a0, a0, fail
  blt   a0, a0, fail
  bltu  a0, a0, fail
  bge   a0, zero, fail
  bgeu  zero, a0, fail

  /* a backward loop: 10 iterations */
  li    a0, 0
  li    a1, 10
1:
  addi  a0, a0, 1
  blt   a0, a1, 1b
  CHECK(60, a0, 10)

  /* ---- jal ---- */
  li    ra, 0
  jal   ra, 2f
3:
  FAIL_AT(61)
2:
  la    a1, 3b
  CHECK_REG(62, ra, a1)             /* link = address after the jal */
  j     5f                          /* jal x0, forward */
4:
  jal   a2, 6f                      /* backward target below */
7:
  FAIL_AT(63)
5:
  j     4b                          /* jal x0, backward */
6:
  la    a1, 7b
  CHECK_REG(64, a2, a1)
  jal   x0, 8f                      /* x0 is not written */
  FAIL_AT(65)
8:
  CHECK(66, x0, 0)

  /* ---- jalr ---- */
  la    a0, 10f
  jalr  ra, 0(a0)
9:
  FAIL_AT(67)
10:
  la    a1, 9b
  CHECK_REG(68, ra, a1)
  la    a0, 12f + 1                 /* bit 0 of the target is cleared */
  jalr  ra, 0(a0)
  FAIL_AT(69)
12:
  la    a0, 13f
  jalr  ra, 1(a0)                   /* odd offset: cleared too */
  FAIL_AT(70)
13:
  la    a0, 14f + 8
  jalr  ra, -8(a0)                  /* negative offset */
  FAIL_AT(71)
14:
  la    a0, 15f + 2047
  jalr  ra, -2047(a0)               /* largest negative offset, target odd before clearing */
  FAIL_AT(72)
15:
  la    a0, 16f - 2047
  jalr  ra, 2047(a0)
  FAIL_AT(73)
16:
  la    a0, 18f
  jalr  a0, 0(a0)                   /* rd = rs1: the target uses the old value */
17:
  FAIL_AT(74)
18:
  la    a1, 17b
  CHECK_REG(75, a0, a1)
  la    a0, 19f
  jalr  x0, 0(a0)                   /* x0 is not written */
  FAIL_AT(76)
19:
  CHECK(77, x0, 0)
  /* call and return through ra */
  li    a0, 0
  call  add_one
  call  add_one
  CHECK(78, a0, 2)

  TEST_PASS

add_one:
  addi  a0, a0, 1
  ret
