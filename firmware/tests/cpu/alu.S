/* alu.S — RV32I register-register and register-immediate ALU instructions, lui, auipc:
 * edge values, shifts by 0/31 and shift-amount masking, slt/sltu edge cases, rd = rs
 * forms, and writes to x0 being ignored. */
#include "test.h"

  TEST_NAME("rv32i ALU")

  .text
  .globl test_main
test_main:
  /* ---- lui, auipc ---- */
  lui   a0, 0x12345
  CHECK(1, a0, 0x12345000)
  lui   a0, 0xfffff
  CHECK(2, a0, 0xfffff000)
  lui   a0, 0x80000
  CHECK(3, a0, 0x80000000)
1:
  auipc a0, 0
  la    a1, 1b
  CHECK_REG(4, a0, a1)
2:
  auipc a0, 1
  la    a1, 2b
  li    t0, 0x1000
  add   a1, a1, t0
  CHECK_REG(5, a0, a1)
3:
  auipc a0, 0xfffff                 /* pc - 0x1000 */
  la    a1, 3b
  li    t0, 0x1000
  sub   a1, a1, t0
  CHECK_REG(6, a0, a1)

  /* ---- add, addi, sub ---- */
  li    a1, 0x7fffffff
  addi  a0, a1, 1                   /* wraps */
  CHECK(7, a0, 0x80000000)
  addi  a0, zero, -2048
  CHECK(8, a0, 0xfffff800)
  addi  a0, zero, 2047
  CHECK(9, a0, 0x000007ff)
  li    a1, 5
  addi  a0, a1, -6
  CHECK(10, a0, 0xffffffff)
  li    a1, 0x12345678
  li    a2, 0x87654321
  add   a0, a1, a2
  CHECK(11, a0, 0x99999999)
  li    a1, 0xffffffff
  li    a2, 1
  add   a0, a1, a2
  CHECK(12, a0, 0)
  sub   a0, zero, a2                /* 0 - 1 */
  CHECK(13, a0, 0xffffffff)
  li    a1, 0x80000000
  sub   a0, a1, a2
  CHECK(14, a0, 0x7fffffff)
  li    a1, 0x12345678
  li    a2, 0x87654321
  sub   a0, a1, a2
  CHECK(15, a0, 0x8acf1357)
  li    a0, 21
  add   a0, a0, a0                  /* rd = rs1 = rs2 */
  CHECK(16, a0, 42)
  sub   a0, a0, a0
  CHECK(17, a0, 0)

  /* ---- slt, sltu, slti, sltiu ---- */
  li    a1, -1
  li    a2, 1
  slt   a0, a1, a2                  /* -1 < 1 */
  CHECK(18, a0, 1)
  sltu  a0, a1, a2                  /* 0xffffffff < 1: no */
  CHECK(19, a0, 0)
  slt   a0, a2, a1
  CHECK(20, a0, 0)
  sltu  a0, a2, a1
  CHECK(21, a0, 1)
  li    a1, 0x80000000
  li    a2, 0x7fffffff
  slt   a0, a1, a2                  /* INT_MIN < INT_MAX */
  CHECK(22, a0, 1)
  sltu  a0, a1, a2
  CHECK(23, a0, 0)
  slt   a0, a2, a2                  /* equal */
  CHECK(24, a0, 0)
  sltu  a0, a1, a1
  CHECK(25, a0, 0)
  slt   a0, zero, a1                /* 0 < INT_MIN: no */
  CHECK(26, a0, 0)
  sltu  a0, zero, a1
  CHECK(27, a0, 1)
  slti  a0, a1, -2048               /* INT_MIN < -2048 */
  CHECK(28, a0, 1)
  slti  a0, zero, -1
  CHECK(29, a0, 0)
  slti  a0, a2, 2047
  CHECK(30, a0, 0)
  li    a3, -2049
  slti  a0, a3, -2048
  CHECK(31, a0, 1)
  sltiu a0, zero, 1                 /* seqz */
  CHECK(32, a0, 1)
  sltiu a0, a2, 1
  CHECK(33, a0, 0)
  sltiu a0, a2, -1                  /* immediate sign-extended to 0xffffffff */
  CHECK(34, a0, 1)
  li    a3, 0xffffffff
  sltiu a0, a3, -1
  CHECK(35, a0, 0)
  li    a3, 0xfffff800
  sltiu a0, a3, -2048               /* equal */
  CHECK(36, a0, 0)
  li    a3, 0xfffff7ff
  sltiu a0, a3, -2048
  CHECK(37, a0, 1)

  /* ---- and, or, xor and their immediate forms ---- */
  li    a1, 0xff00ff0f
  li    a2, 0x0ff0f0f1
  and   a0, a1, a2
  CHECK(38, a0, 0x0f00f001)
  or    a0, a1, a2
  CHECK(39, a0, 0xfff0ffff)
  xor   a0, a1, a2
  CHECK(40, a0, 0xf0f00ffe)
  andi  a0, a1, -1
  CHECK(41, a0, 0xff00ff0f)
  andi  a0, a1, 0x7f0
  CHECK(42, a0, 0x00000700)
  andi  a0, a1, -2048               /* 0xfffff800 */
  CHECK(43, a0, 0xff00f800)
  ori   a0, a2, -2048
  CHECK(44, a0, 0xfffff8f1)
  ori   a0, zero, 0x555
  CHECK(45, a0, 0x00000555)
  xori  a0, a1, -1                  /* not */
  CHECK(46, a0, 0x00ff00f0)
  xori  a0, a1, 0x0f0
  CHECK(47, a0, 0xff00ffff)
  xor   a0, a1, a1
  CHECK(48, a0, 0)

  /* ---- shifts ---- */
  li    a1, 0x80000001
  slli  a0, a1, 0
  CHECK(49, a0, 0x80000001)
  slli  a0, a1, 1
  CHECK(50, a0, 0x00000002)
  slli  a0, a1, 31
  CHECK(51, a0, 0x80000000)
  srli  a0, a1, 0
  CHECK(52, a0, 0x80000001)
  srli  a0, a1, 1
  CHECK(53, a0, 0x40000000)
  srli  a0, a1, 31
  CHECK(54, a0, 1)
  srai  a0, a1, 0
  CHECK(55, a0, 0x80000001)
  srai  a0, a1, 1
  CHECK(56, a0, 0xc0000000)
  srai  a0, a1, 31
  CHECK(57, a0, 0xffffffff)
  li    a3, 0x7ffffff0
  srai  a0, a3, 4                   /* positive: zeros shift in */
  CHECK(58, a0, 0x07ffffff)
  srai  a0, a3, 31
  CHECK(59, a0, 0)
  li    a1, 0x12345678
  li    a2, 4
  sll   a0, a1, a2
  CHECK(60, a0, 0x23456780)
  srl   a0, a1, a2
  CHECK(61, a0, 0x01234567)
  li    a3, 0xf2345678
  sra   a0, a3, a2
  CHECK(62, a0, 0xff234567)
  li    a2, 0
  sll   a0, a1, a2
  CHECK(63, a0, 0x12345678)
  sra   a0, a3, a2
  CHECK(64, a0, 0xf2345678)
  li    a2, 31
  sll   a0, a1, a2
  CHECK(65, a0, 0)
  srl   a0, a3, a2
  CHECK(66, a0, 1)
  sra   a0, a3, a2
  CHECK(67, a0, 0xffffffff)
  li    a2, 32                      /* only rs2[4:0] counts: shift by 0 */
  sll   a0, a1, a2
  CHECK(68, a0, 0x12345678)
  srl   a0, a1, a2
  CHECK(69, a0, 0x12345678)
  sra   a0, a3, a2
  CHECK(70, a0, 0xf2345678)
  li    a2, 0xffffffe4              /* shift by 4 */
  sll   a0, a1, a2
  CHECK(71, a0, 0x23456780)
  srl   a0, a3, a2
  CHECK(72, a0, 0x0f234567)
  sra   a0, a3, a2
  CHECK(73, a0, 0xff234567)
  li    a2, 33                      /* shift by 1 */
  sll   a0, a1, a2
  CHECK(74, a0, 0x2468acf0)
  li    a0, 3
  sll   a0, a0, a0                  /* rd = rs1 = rs2: 3 << 3 */
  CHECK(75, a0, 24)
  li    a0, 0x80000000
  srai  a0, a0, 3
  CHECK(76, a0, 0xf0000000)

  /* ---- writes to x0 are ignored ---- */
  li    a1, 0x5555
  addi  x0, a1, 1
  CHECK(77, x0, 0)
  lui   x0, 0x12345
  CHECK(78, x0, 0)
  auipc x0, 1
  CHECK(79, x0, 0)
  add   x0, a1, a1
  CHECK(80, x0, 0)
  sub   x0, zero, a1
  CHECK(81, x0, 0)
  slli  x0, a1, 4
  CHECK(82, x0, 0)
  sltiu x0, zero, 1
  CHECK(83, x0, 0)
  ori   x0, zero, -1
  CHECK(84, x0, 0)
  mv    a0, x0                      /* x0 as a source after the writes */
  CHECK(85, a0, 0)
  add   a0, x0, x0
  CHECK(86, a0, 0)

  /* nop, fence and fence.i are no-ops */
  li    a0, 7
  nop
  fence
  fence rw, rw
  fence.i
  CHECK(87, a0, 7)

  TEST_PASS
