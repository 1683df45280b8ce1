/* csr.S — the Zicsr instructions and the core's CSRs: csrrw/csrrs/csrrc and their
 * immediate forms (old value returned, rd = x0 and rs1 = x0 / uimm = 0 semantics), the
 * WARL fields of mstatus, mie, mtvec, mepc, mcause, read-only values (misa, IDs, mip),
 * mcycle/minstret counting and writes, the cycle/instret/time aliases, and illegal CSR
 * accesses (unknown CSRs, writes to read-only CSRs) trapping with mtval = the instruction.
 *
 * Built twice (firmware/tests/cpu.mk): as csr.elf for the RV32IM core with the time CSRs
 * (systole_rv32 defaults), and with -DCPU_RV32I as csr_rv32i.elf for the board's core
 * (HasM = 0, TimeCsr = 0): misa without M, and time/timeh illegal (checks 55-57 and 59
 * become illegal-access checks). */
#include "test.h"

#ifdef CPU_RV32I
#define MISA_VALUE 0x40000100   /* MXL = 32, I */
#else
#define MISA_VALUE 0x40001100   /* MXL = 32, I, M */
#endif

  TEST_NAME("Zicsr and machine CSRs")

/* ILLEGAL(n, insn...): the instruction must trap as illegal (checks n..n+3) */
#define ILLEGAL(n, insn...)     \
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
  CHECK_REG(n + 3, s10, t5)

/* LEGAL(n, insn...): the instruction must not trap */
#define LEGAL(n, insn...)       \
  li    gp, n;                  \
  insn

  .text
  .globl test_main
test_main:
  /* ---- csrrw / csrrs / csrrc on mscratch: old value in rd ---- */
  li    a1, 0x12345678
  csrw  mscratch, a1
  li    a2, 0x0000ffff
  csrrw a0, mscratch, a2
  CHECK(1, a0, 0x12345678)
  csrr  a0, mscratch
  CHECK(2, a0, 0x0000ffff)
  li    a2, 0xff000000
  csrrs a0, mscratch, a2
  CHECK(3, a0, 0x0000ffff)
  csrr  a0, mscratch
  CHECK(4, a0, 0xff00ffff)
  li    a2, 0x0f0000f0
  csrrc a0, mscratch, a2
  CHECK(5, a0, 0xff00ffff)
  csrr  a0, mscratch
  CHECK(6, a0, 0xf000ff0f)
  /* immediate forms: uimm is zero-extended (0..31) */
  csrrwi a0, mscratch, 31
  CHECK(7, a0, 0xf000ff0f)
  csrr  a0, mscratch
  CHECK(8, a0, 31)
  csrrci a0, mscratch, 0x15
  CHECK(9, a0, 31)
  csrr  a0, mscratch
  CHECK(10, a0, 0x0a)
  csrrsi a0, mscratch, 0x11
  CHECK(11, a0, 0x0a)
  csrr  a0, mscratch
  CHECK(12, a0, 0x1b)
  /* rs1 = x0 / uimm = 0: no write */
  csrrs a0, mscratch, x0
  CHECK(13, a0, 0x1b)
  csrrc a0, mscratch, x0
  csrrsi a0, mscratch, 0
  csrrci a0, mscratch, 0
  csrr  a0, mscratch
  CHECK(14, a0, 0x1b)
  /* csrrw with a zero rs1 value still writes */
  csrrw a0, mscratch, x0
  CHECK(15, a0, 0x1b)
  csrr  a0, mscratch
  CHECK(16, a0, 0)
  /* rd = x0 (csrw): x0 stays 0, the write happens */
  li    a1, 0x55aa55aa
  csrrw x0, mscratch, a1
  CHECK(17, x0, 0)
  csrr  a0, mscratch
  CHECK(18, a0, 0x55aa55aa)
  /* rd = rs1: the old value goes to rd, the write uses the old rs1 */
  li    a0, 0x11111111
  csrrw a0, mscratch, a0
  CHECK(19, a0, 0x55aa55aa)
  csrr  a0, mscratch
  CHECK(20, a0, 0x11111111)

  /* ---- read-only values ---- */
  csrr  a0, misa
  CHECK(21, a0, MISA_VALUE)
  csrr  a0, mvendorid
  CHECK(22, a0, 0)
  csrr  a0, marchid
  CHECK(23, a0, 0)
  csrr  a0, mimpid
  CHECK(24, a0, 0)
  csrr  a0, mhartid
  CHECK(25, a0, 0)
  /* misa is WARL with no writable bits; writing it is legal and changes nothing */
  csrw  misa, zero
  csrr  a0, misa
  CHECK(26, a0, MISA_VALUE)
  /* nothing pending: the timer compare is all ones, the accelerator raises no interrupt */
  csrr  a0, mip
  CHECK(27, a0, 0)
  csrwi mip, 0x1f                   /* mip bits are read-only: ignored */
  li    a1, -1
  csrw  mip, a1
  csrr  a0, mip
  CHECK(28, a0, 0)

  /* ---- WARL fields ---- */
  csrr  a0, mstatus
  CHECK(29, a0, 0x1800)             /* MPP = M, MIE = MPIE = 0 after reset */
  li    a1, -1
  csrw  mie, zero
  csrw  mstatus, a1
  csrr  a0, mstatus
  CHECK(30, a0, 0x1888)             /* only MIE, MPIE writable; MPP reads 11 */
  csrci mstatus, 8
  csrr  a0, mstatus
  CHECK(31, a0, 0x1880)
  csrw  mstatus, zero
  csrr  a0, mstatus
  CHECK(32, a0, 0x1800)
  csrw  mie, a1
  csrr  a0, mie
  CHECK(33, a0, 0x880)              /* MEIE, MTIE */
  csrw  mie, zero
  csrr  a0, mie
  CHECK(34, a0, 0)
  csrr  s0, mtvec
  la    a0, trap_record
  CHECK_REG(35, s0, a0)
  li    a1, 0x00001003
  csrw  mtvec, a1
  csrr  a0, mtvec
  CHECK(36, a0, 0x00001000)         /* direct mode only, 4-byte aligned */
  csrw  mtvec, s0
  li    a1, 0xfffffffe
  csrw  mepc, a1
  csrr  a0, mepc
  CHECK(37, a0, 0xfffffffc)         /* IALIGN = 32 */
  li    a1, 0x8000000b
  csrw  mcause, a1
  csrr  a0, mcause
  CHECK(38, a0, 0x8000000b)
  li    a1, 0x00000007
  csrw  mcause, a1
  csrr  a0, mcause
  CHECK(39, a0, 0x00000007)
  li    a1, 0xdeadbeef
  csrw  mtval, a1
  csrr  a0, mtval
  CHECK(40, a0, 0xdeadbeef)

  /* ---- counters ---- */
  csrr  a0, minstret
  nop
  nop
  nop
  csrr  a1, minstret
  sub   a2, a1, a0
  CHECK(41, a2, 4)                  /* a csrr reads the count before its own retirement */
  csrr  a0, instret
  addi  zero, zero, 0
  csrr  a1, instret
  sub   a2, a1, a0
  CHECK(42, a2, 2)
  csrw  minstret, zero              /* a write replaces the increment */
  csrr  a0, minstret
  CHECK(43, a0, 0)
  li    a1, 0xfffffffd
  csrw  minstret, a1
  li    a2, 7                       /* minstret = 0xfffffffe */
  csrw  minstreth, a2               /* a write to the high half: no increment either */
  csrr  a0, minstreth               /* 7; minstret becomes 0xffffffff */
  csrr  a1, minstret                /* 0xffffffff; it wraps into the high half */
  csrr  a3, minstreth
  CHECK(44, a0, 7)
  CHECK(45, a1, 0xffffffff)
  CHECK(46, a3, 8)
  csrr  a0, instreth
  CHECK(47, a0, 8)
  csrw  minstreth, zero
  /* a loop of a known length: 3 instructions per iteration */
  li    a3, 100
  csrr  a0, minstret
1:
  addi  a3, a3, -1
  nop
  bnez  a3, 1b
  csrr  a1, minstret
  sub   a2, a1, a0
  CHECK(48, a2, 301)
  /* mcycle counts every cycle: more cycles than instructions, and cycle is an alias */
  csrr  a0, mcycle
  csrr  a1, cycle
  sub   a2, a1, a0
  li    gp, 49
  blez  a2, fail
  li    t0, 20
  bgt   a2, t0, fail
  csrr  a0, mcycle
  li    a3, 100
1:
  addi  a3, a3, -1
  bnez  a3, 1b
  csrr  a1, mcycle
  sub   a2, a1, a0
  li    gp, 50
  li    t0, 200                     /* 200 instructions, at least one cycle each */
  blt   a2, t0, fail
  li    a1, 0xfffffff0
  csrw  mcycle, a1
  csrw  mcycleh, zero
  csrr  a0, mcycle
  bgeu  a0, a1, 3f
  csrr  a0, mcycleh                 /* wrapped already: the high half counted it */
  CHECK(51, a0, 1)
3:
  csrr  a0, mcycleh
  li    gp, 52
  li    t0, 1
  bgtu  a0, t0, fail
  li    a3, 30
1:
  addi  a3, a3, -1
  bnez  a3, 1b
  csrr  a0, mcycleh
  CHECK(53, a0, 1)                  /* wrapped into the high half */
  csrr  a1, cycleh
  CHECK_REG(54, a0, a1)
#ifndef CPU_RV32I
  /* time follows the SoC timer's MTIME */
  li    t0, TIMER_BASE
  lw    a1, TIMER_MTIME(t0)
  csrr  a0, time
  sub   a2, a0, a1
  li    gp, 55
  blez  a2, fail
  li    t1, 20
  bgt   a2, t1, fail
  lw    a1, TIMER_MTIMEH(t0)
  csrr  a0, timeh
  CHECK_REG(56, a0, a1)
  li    a1, 0x00012345              /* a write to MTIME shows in time */
  sw    zero, TIMER_MTIME(t0)
  sw    a1, TIMER_MTIMEH(t0)
  csrr  a0, timeh
  CHECK(57, a0, 0x00012345)
  sw    zero, TIMER_MTIMEH(t0)
#else
  /* TimeCsr = 0: time and timeh are unknown CSRs (firmware reads MTIME over the bus) */
  ILLEGAL(132, csrr a0, time)
  ILLEGAL(136, csrr a0, timeh)
  ILLEGAL(140, csrrc a0, time, x0)
#endif

  /* ---- legal read-only accesses: csrrs/csrrc with rs1 = x0, csrrsi/csrrci with 0 ---- */
  LEGAL(58, csrrs a0, cycle, x0)
#ifndef CPU_RV32I
  LEGAL(59, csrrc a0, time, x0)
#endif
  LEGAL(60, csrrsi a0, instret, 0)
  LEGAL(61, csrrci a0, mhartid, 0)
  LEGAL(62, csrrs x0, mvendorid, x0)

  /* ---- illegal: writes to read-only CSRs ---- */
  ILLEGAL(63, csrw cycle, a0)
  ILLEGAL(67, csrrw x0, time, x0)
  ILLEGAL(71, csrrs a0, instret, a1)
  ILLEGAL(75, csrrsi a0, cycleh, 1)
  ILLEGAL(79, csrrci a0, mhartid, 4)
  ILLEGAL(83, csrrwi x0, mvendorid, 0)
  ILLEGAL(87, csrw marchid, zero)
  /* ---- illegal: CSRs the core does not have ---- */
  ILLEGAL(91, csrr a0, 0x310)        /* mstatush */
  ILLEGAL(95, csrr a0, 0x320)        /* mcountinhibit */
  ILLEGAL(99, csrr a0, 0x3a0)        /* pmpcfg0 */
  ILLEGAL(103, csrw 0x7c0, a0)       /* custom */
  ILLEGAL(107, csrr a0, 0x100)       /* sstatus: no S mode */
  ILLEGAL(111, csrr a0, 0xb03)       /* mhpmcounter3 */
  ILLEGAL(115, csrr a0, 0xc03)       /* hpmcounter3 */
  ILLEGAL(119, csrr a0, 0xf15)       /* mconfigptr */
  ILLEGAL(123, csrr a0, 0x7b0)       /* dcsr */
  ILLEGAL(127, csrrs x0, 0x302, x0)  /* medeleg: no S mode */
  /* an illegal CSR instruction writes no register */
  li    a0, 0x77
  EXPECT_TRAP(4f)
  csrrw a0, 0x7c1, a0
4:
  CHECK(131, a0, 0x77)

  TEST_PASS
