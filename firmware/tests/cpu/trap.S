/* trap.S — synchronous traps and mret: ecall, ebreak, illegal instructions (all-zero,
 * all-ones, compressed, reserved funct3/funct7/opcode encodings, unsupported SYSTEM
 * instructions), misaligned loads and stores (trap, no access, rd unchanged), taken
 * branches and jumps to a target not a multiple of 4 (trap, link register unchanged),
 * access faults of loads, stores and fetches on unmapped addresses, the values of
 * mepc/mcause/mtval, mstatus MIE/MPIE on trap entry and mret, and trapping instructions
 * not counting in minstret. */
#include "test.h"

  TEST_NAME("traps")

/* TRAPS(n, cause, tval, insn...): insn traps with mcause = cause, mepc = its address and
 * mtval = tval (checks n..n+3) */
#define TRAPS(n, cause, tval, insn...)  \
  EXPECT_TRAP(91f);                     \
90:                                     \
  insn;                                 \
  FAIL_AT(n);                           \
91:                                     \
  CHECK_TRAP(n, cause, 90b, tval)

/* TRAPS_AT(n, cause, treg, insn...): the same, mtval = register treg */
#define TRAPS_AT(n, cause, treg, insn...) \
  EXPECT_TRAP(91f);                     \
90:                                     \
  insn;                                 \
  FAIL_AT(n);                           \
91:                                     \
  CHECK(n, s7, 1);                      \
  CHECK(n + 1, s8, cause);              \
  la    t5, 90b;                        \
  CHECK_REG(n + 2, s9, t5);             \
  CHECK_REG(n + 3, s10, treg)

/* ILLEGAL(n, bits): the instruction word bits traps as illegal with mtval = bits */
#define ILLEGAL(n, bits)  TRAPS(n, 2, bits, .word bits)

  .data
  .balign 8
buf:    .word 0x01234567, 0x89abcdef

  .text
  .globl test_main
test_main:
  /* ---- ecall, ebreak ---- */
  TRAPS(1, 11, 0, ecall)
  EXPECT_TRAP(2f)
1:
  ebreak
  FAIL_AT(5)
2:
  CHECK(6, s7, 1)
  CHECK(7, s8, 3)
  la    t5, 1b
  CHECK_REG(8, s9, t5)
  CHECK_REG(9, s10, t5)             /* mtval = the ebreak's address */

  /* ---- illegal instructions ---- */
  ILLEGAL(10, 0x00000000)           /* all zero */
  ILLEGAL(14, 0xffffffff)           /* all ones */
  ILLEGAL(18, 0x00000001)           /* compressed (c.nop): no C extension */
  ILLEGAL(22, 0x4000c033)           /* xor with funct7 0x20 */
  ILLEGAL(26, 0x02009013)           /* slli with shamt[5] set */
  ILLEGAL(30, 0xc000d013)           /* srai with funct7 0x60 */
  ILLEGAL(34, 0x04000033)           /* OP with funct7 2 */
  ILLEGAL(38, 0x0000b003)           /* ld */
  ILLEGAL(42, 0x0000e003)           /* lwu */
  ILLEGAL(46, 0x0000b023)           /* sd */
  ILLEGAL(50, 0x0000a063)           /* branch funct3 2 */
  ILLEGAL(54, 0x00009067)           /* jalr funct3 1 */
  ILLEGAL(58, 0x0000200f)           /* MISC-MEM funct3 2 */
  ILLEGAL(62, 0x00004073)           /* SYSTEM funct3 4 */
  ILLEGAL(66, 0x10200073)           /* sret: no S mode */
  ILLEGAL(70, 0x00200073)           /* uret */
  ILLEGAL(74, 0x7b200073)           /* dret: no debug mode */
  ILLEGAL(78, 0x302000f3)           /* mret with rd = x1 */
  ILLEGAL(82, 0x00008073)           /* ecall with rs1 = x1 */
  ILLEGAL(86, 0x0000202f)           /* AMO (no A extension) */
  ILLEGAL(90, 0x0000003b)           /* OP-32 (RV64 only) */
  ILLEGAL(94, 0x00002007)           /* FP load (no F extension) */
  ILLEGAL(98, 0x0000000b)           /* custom-0 */
  ILLEGAL(102, 0x12000073)          /* sfence.vma */

  /* ---- misaligned loads: trap, rd unchanged ---- */
  la    s0, buf
  li    a0, 0x5a5a
  addi  a1, s0, 1
  TRAPS_AT(106, 4, a1, lw a0, 1(s0))
  addi  a1, s0, 2
  TRAPS_AT(110, 4, a1, lw a0, 2(s0))
  addi  a1, s0, 7
  TRAPS_AT(114, 4, a1, lw a0, 7(s0))
  addi  a1, s0, 1
  TRAPS_AT(118, 4, a1, lh a0, 1(s0))
  addi  a1, s0, 3
  TRAPS_AT(122, 4, a1, lhu a0, 3(s0))
  CHECK(126, a0, 0x5a5a)
  lb    a0, 3(s0)                   /* byte loads never trap; halfwords at even addresses */
  CHECK(127, a0, 0x01)
  lhu   a0, 2(s0)
  CHECK(128, a0, 0x0123)
  /* ---- misaligned stores: trap, memory unchanged ---- */
  li    a2, -1
  addi  a1, s0, 1
  TRAPS_AT(129, 6, a1, sw a2, 1(s0))
  addi  a1, s0, 6
  TRAPS_AT(133, 6, a1, sw a2, 6(s0))
  addi  a1, s0, 3
  TRAPS_AT(137, 6, a1, sh a2, 3(s0))
  lw    a0, 0(s0)
  CHECK(141, a0, 0x01234567)
  lw    a0, 4(s0)
  CHECK(142, a0, 0x89abcdef)

  /* ---- taken branches and jumps to misaligned targets: trap, no link written ---- */
  li    ra, 0x1111
  EXPECT_TRAP(2f)
1:
  jal   ra, 1b + 6
  FAIL_AT(143)
2:
  CHECK(144, s7, 1)
  CHECK(145, s8, 0)
  la    t5, 1b
  CHECK_REG(146, s9, t5)
  addi  t5, t5, 6
  CHECK_REG(147, s10, t5)           /* mtval = the target */
  CHECK(148, ra, 0x1111)
  la    a1, 3f
  addi  a2, a1, 2
  TRAPS_AT(149, 0, a2, jalr ra, 2(a1))
  TRAPS_AT(153, 0, a2, jalr ra, 3(a1))   /* bit 0 cleared first: target + 2 */
  CHECK(157, ra, 0x1111)
  EXPECT_TRAP(2f)
1:
  beq   zero, zero, 1b + 10
  FAIL_AT(158)
2:
  CHECK(159, s8, 0)
  la    t5, 1b
  CHECK_REG(160, s9, t5)
  addi  t5, t5, 10
  CHECK_REG(161, s10, t5)
  li    s7, 0
  bne   zero, zero, 3f + 2          /* not taken: no trap */
  jalr  x0, 1(a1)                   /* aligned after clearing bit 0 */
  FAIL_AT(162)
3:
  CHECK(163, s7, 0)
  li    s11, 0                      /* disarm */

  /* ---- access faults ---- */
  li    s1, UNMAPPED_ADDR
  li    a0, 0x77
  TRAPS_AT(164, 5, s1, lw a0, 0(s1))
  addi  a1, s1, 3
  TRAPS_AT(168, 5, a1, lb a0, 3(s1))
  CHECK(172, a0, 0x77)
  TRAPS_AT(173, 7, s1, sw a0, 0(s1))
  addi  a1, s1, 2
  TRAPS_AT(177, 7, a1, sh a0, 2(s1))
  li    a1, 0xfffffffc
  TRAPS_AT(181, 5, a1, lw a0, 0(a1))
  li    a1, 0x0ffffffc              /* above the RAM, below the devices */
  TRAPS_AT(185, 7, a1, sw a0, 0(a1))
  li    t0, SOCINFO_BASE
  lw    a1, 12(t0)                  /* just past the end of main memory */
  li    t0, MAIN_BASE
  add   a1, a1, t0
  TRAPS_AT(189, 5, a1, lw a0, 0(a1))
  /* a fetch from an unmapped address: mepc = mtval = the address; the jump completed */
  EXPECT_TRAP(2f)
1:
  jalr  ra, 0(s1)
  FAIL_AT(193)
2:
  CHECK(194, s7, 1)
  CHECK(195, s8, 1)
  CHECK_REG(196, s9, s1)
  CHECK_REG(197, s10, s1)
  la    t5, 1b + 4
  CHECK_REG(198, ra, t5)

  /* ---- mret, and mstatus on trap entry ---- */
  la    a1, 4f
  csrw  mepc, a1
  li    a1, 0x80                    /* MPIE = 1, MIE = 0 (mie = 0: no interrupt can fire) */
  csrw  mstatus, a1
  mret
  FAIL_AT(199)
4:
  csrr  a0, mstatus
  CHECK(200, a0, 0x1888)            /* MIE = MPIE (1), MPIE = 1 */
  la    a1, 5f
  csrw  mepc, a1
  li    a1, 0x08                    /* MPIE = 0, MIE = 1 */
  csrw  mstatus, a1
  mret
  FAIL_AT(201)
5:
  csrr  a0, mstatus
  CHECK(202, a0, 0x1880)            /* MIE = 0, MPIE = 1 */
  csrsi mstatus, 8                  /* MIE = 1 */
  EXPECT_TRAP(6f)
  ecall
6:
  CHECK(203, s6, 0x1880)            /* in the handler: MIE = 0, MPIE = old MIE = 1 */
  csrr  a0, mstatus
  CHECK(204, a0, 0x1888)            /* restored by mret */
  csrw  mstatus, zero
  EXPECT_TRAP(7f)
  ebreak
7:
  CHECK(205, s6, 0x1800)
  csrr  a0, mstatus
  CHECK(206, a0, 0x1880)

  /* ---- a trapping instruction does not retire ---- */
  EXPECT_TRAP(8f)
  csrr  a0, minstret
  ecall
8:
  csrr  a1, minstret
  sub   a2, a1, a0
  CHECK(207, a2, 10)                /* the csrr and trap_record's 9 instructions, no ecall */

  TEST_PASS
