/* rv32i.S — the core without the M extension (systole_rv32 HasM = 0, the board's core):
 * every M instruction (OP with funct7 = 0000001) traps as illegal with mepc = its address
 * and mtval = the instruction, and writes no register; the OP instructions around it
 * (funct7 0000000 and 0100000: add, sub, sll, sra, ...) and the shifts still work. Runs
 * only on a HasM = 0 build (firmware/tests/cpu.mk); on an RV32IM core check 1 fails. */
#include "test.h"

  TEST_NAME("RV32I: M instructions illegal")

/* NOM(n, insn): insn (writing a0) must trap as illegal, mtval = the instruction, a0 kept
 * (checks n..n+4) */
#define NOM(n, insn...)         \
  li    a0, 0x5a5a5a5a;         \
  EXPECT_TRAP(91f);             \
90:                             \
  insn;                         \
  FAIL_AT(n);                   \
91:                             \
  CHECK(n + 1, s7, 1);          \
  CHECK(n + 2, s8, 2);          \
  la    t5, 90b;                \
  CHECK_REG(n + 3, s9, t5);     \
  lw    t5, 0(t5);              \
  CHECK_REG(n + 3, s10, t5);    \
  CHECK(n + 4, a0, 0x5a5a5a5a)

  .text
  .globl test_main
test_main:
  li    a1, 7
  li    a2, -3
  NOM(1, mul a0, a1, a2)
  NOM(6, mulh a0, a1, a2)
  NOM(11, mulhsu a0, a1, a2)
  NOM(16, mulhu a0, a1, a2)
  NOM(21, div a0, a1, a2)
  NOM(26, divu a0, a1, a2)
  NOM(31, rem a0, a1, a2)
  NOM(36, remu a0, a1, a2)
  /* rd = x0 and rd = rs1 */
  NOM(41, mul x0, a1, a2)
  li    a1, 100
  EXPECT_TRAP(1f)
  div   a1, a1, a2
  FAIL_AT(46)
1:
  CHECK(47, a1, 100)

  /* the OP neighbours with funct7 0000000 / 0100000 stay legal */
  li    a1, 0x80000010
  li    a2, 4
  add   a0, a1, a2
  CHECK(50, a0, 0x80000014)
  sub   a0, a1, a2
  CHECK(51, a0, 0x8000000c)
  sll   a0, a1, a2
  CHECK(52, a0, 0x00000100)
  srl   a0, a1, a2
  CHECK(53, a0, 0x08000001)
  sra   a0, a1, a2
  CHECK(54, a0, 0xf8000001)
  slt   a0, a1, a2
  CHECK(55, a0, 1)
  sltu  a0, a1, a2
  CHECK(56, a0, 0)
  xor   a0, a1, a2
  CHECK(57, a0, 0x80000014)
  or    a0, a1, a2
  CHECK(58, a0, 0x80000014)
  and   a0, a1, a2
  CHECK(59, a0, 0)
  /* shifts by 0, 1, 31 (the iterative shifter's ends) */
  srai  a0, a1, 31
  CHECK(60, a0, 0xffffffff)
  srli  a0, a1, 31
  CHECK(61, a0, 1)
  slli  a0, a1, 31
  CHECK(62, a0, 0)
  slli  a0, a1, 0
  CHECK(63, a0, 0x80000010)
  srai  a0, a1, 1
  CHECK(64, a0, 0xc0000008)
  li    a2, 35                      /* only rs2[4:0] counts: 3 */
  srl   a0, a1, a2
  CHECK(65, a0, 0x10000002)
  /* an illegal shift encoding (slli a0, a1, 5 with imm[11:5] = 0100000) starts the
   * shifter and traps; the next shift restarts it */
  NOM(70, .word 0x40559513)
  li    a2, 5
  sll   a0, a1, a2
  CHECK(75, a0, 0x00000200)
  EXPECT_TRAP(1f)
  divu  a0, a1, a2
1:
  srli  a0, a1, 2
  CHECK(76, a0, 0x20000004)

  TEST_PASS
