/* irq.S — interrupts and wfi: mip.MTIP/MEIP follow the timer and the accelerator, no
 * interrupt without mstatus.MIE or the mie bit, a timer interrupt in a loop (mcause,
 * mepc, mtval, mstatus across the handler), wfi with MIE set (the interrupt is taken
 * after the wfi) and clear (wfi only waits), wfi with an interrupt already pending, the
 * accelerator's interrupt (an IRQ command fetched from the ring in main memory) as the
 * machine external interrupt, and external before timer when both are pending. */
#include "test.h"

  TEST_NAME("interrupts and wfi")

#define ACC_RING_BASE   0x030
#define ACC_RING_SIZE   0x034
#define ACC_RING_TAIL   0x03c
#define ACC_IRQ_ENABLE  0x040
#define ACC_IRQ_STATUS  0x044
#define ACC_WIN_BASE    0x048
#define ACC_WIN_SIZE    0x04c
#define RING            (MAIN_BASE + 0x1000)
#define IRQ_CMD_BIT     4               /* IRQ_STATUS.CMD / IRQ_ENABLE.CMD */
#define MIP_MTIP        0x80
#define MIP_MEIP        0x800
#define CAUSE_TIMER     0x80000007
#define CAUSE_EXT       0x8000000b

/* timer compare = MTIME + delta (t0, t1, t2 clobbered) */
#define TIMER_IN(delta)                 \
  li    t0, TIMER_BASE;                 \
  li    t1, -1;                         \
  sw    t1, TIMER_CMPH(t0);             \
  lw    t1, TIMER_MTIME(t0);            \
  addi  t1, t1, delta;                  \
  sw    t1, TIMER_CMP(t0);              \
  lw    t2, TIMER_MTIMEH(t0);           \
  sw    t2, TIMER_CMPH(t0)
/* timer compare = all ones: no timer interrupt (t0, t1 clobbered) */
#define TIMER_OFF                       \
  li    t0, TIMER_BASE;                 \
  li    t1, -1;                         \
  sw    t1, TIMER_CMPH(t0);             \
  sw    t1, TIMER_CMP(t0)
/* clear the trap recorder's count and the causes log */
#define CLEAR_LOG  li s7, 0; la t0, causes; sw zero, 0(t0); sw zero, 4(t0)

  .bss
  .balign 4
causes: .space 16                       /* mcause of each interrupt, in order */

  .text
  .globl test_main
test_main:
  la    t0, irq_handler
  csrw  mtvec, t0
  li    s7, 0

  /* ---- mip.MTIP follows MTIME >= MTIMECMP, with or without enables ---- */
  csrr  a0, mip
  CHECK(1, a0, 0)
  li    t0, TIMER_BASE
  sw    zero, TIMER_CMP(t0)
  sw    zero, TIMER_CMPH(t0)            /* compare 0: pending */
  nop
  csrr  a0, mip
  CHECK(2, a0, MIP_MTIP)
  /* pending, but MIE = 0: nothing taken; MIE = 1 but mie.MTIE = 0: nothing taken */
  li    a1, MIP_MTIP
  csrw  mie, a1
  nop
  nop
  csrw  mie, zero
  csrsi mstatus, 8
  nop
  nop
  csrci mstatus, 8
  CHECK(3, s7, 0)
  TIMER_OFF
  nop
  csrr  a0, mip
  CHECK(4, a0, 0)

  /* ---- a timer interrupt in a loop ---- */
  CLEAR_LOG
  TIMER_IN(200)
  li    a1, MIP_MTIP
  csrw  mie, a1
  csrsi mstatus, 8
  li    a0, 0
  li    a2, 100000
1:
  addi  a0, a0, 1
  bnez  s7, 2f
  blt   a0, a2, 1b
  FAIL_AT(5)                            /* no interrupt */
2:
  CHECK(6, s7, 1)
  CHECK(7, s8, CAUSE_TIMER)
  CHECK(8, s10, 0)                      /* mtval = 0 for interrupts */
  la    t0, 1b                          /* mepc: an instruction of the loop */
  li    gp, 9
  bltu  s9, t0, fail
  la    t0, 2b
  bgeu  s9, t0, fail
  csrr  a0, mstatus
  CHECK(10, a0, 0x1888)                 /* MIE back on after mret, MPIE = 1 */
  csrr  a0, mip
  CHECK(11, a0, 0)                      /* the handler cleared it */

  /* ---- wfi with MIE = 1: the interrupt is taken after the wfi, which retired ---- */
  CLEAR_LOG
  TIMER_IN(300)
  wfi
3:
  CHECK(12, s7, 1)
  CHECK(13, s8, CAUSE_TIMER)
  la    t0, 3b
  CHECK_REG(14, s9, t0)                 /* mepc = the instruction after the wfi */

  /* ---- wfi with MIE = 0: wakes up on the pending interrupt, no trap ---- */
  csrci mstatus, 8
  CLEAR_LOG
  TIMER_IN(300)
  mv    s0, t1                          /* compare value (low half) */
  wfi
  li    t0, TIMER_BASE
  lw    a0, TIMER_MTIME(t0)
  CHECK(15, s7, 0)
  sub   a0, a0, s0                      /* MTIME - compare >= 0: woke because of the timer */
  li    gp, 16
  bltz  a0, fail
  csrr  a0, mip
  CHECK(17, a0, MIP_MTIP)
  /* wfi with the interrupt already pending returns at once */
  wfi
  wfi
  CHECK(18, s7, 0)
  TIMER_OFF

  /* ---- the accelerator's interrupt: an IRQ command from the ring in main memory ---- */
  li    s1, ACC_BASE
  li    a1, MAIN_BASE
  sw    a1, ACC_WIN_BASE(s1)
  li    a1, 0x10000
  sw    a1, ACC_WIN_SIZE(s1)
  li    s2, RING
  sw    s2, ACC_RING_BASE(s1)
  li    a1, 4
  sw    a1, ACC_RING_SIZE(s1)
  li    a1, IRQ_CMD_BIT
  sw    a1, ACC_IRQ_ENABLE(s1)
  lw    a0, ACC_RING_BASE(s1)           /* CSR reads through the bridge */
  CHECK_REG(19, a0, s2)
  /* slot 0: IRQ (opcode 6); slot 1: IRQ */
  li    a1, 6
  sw    a1, 0(s2)
  sw    a1, 32(s2)
  .irp off, 4, 8, 12, 16, 20, 24, 28
  sw    zero, \off(s2)
  sw    zero, 32 + \off(s2)
  .endr
  CLEAR_LOG
  li    a1, MIP_MEIP
  csrw  mie, a1
  csrsi mstatus, 8
  li    a1, 1
  sw    a1, ACC_RING_TAIL(s1)           /* go */
  wfi
4:
  CHECK(20, s7, 1)
  CHECK(21, s8, CAUSE_EXT)
  la    t0, 4b
  CHECK_REG(22, s9, t0)
  lw    a0, ACC_IRQ_STATUS(s1)
  andi  a0, a0, IRQ_CMD_BIT
  CHECK(23, a0, 0)                      /* cleared by the handler */
  csrr  a0, mip
  CHECK(24, a0, 0)

  /* ---- both pending: external first, then timer ---- */
  csrci mstatus, 8
  CLEAR_LOG
  li    t0, TIMER_BASE
  sw    zero, TIMER_CMP(t0)
  sw    zero, TIMER_CMPH(t0)
  li    a1, 2
  sw    a1, ACC_RING_TAIL(s1)           /* the second IRQ command */
  li    a2, 100000
5:
  csrr  a0, mip
  li    t0, MIP_MEIP
  and   a0, a0, t0
  bnez  a0, 6f
  addi  a2, a2, -1
  bnez  a2, 5b
  FAIL_AT(25)                           /* no MEIP */
6:
  csrr  a0, mip
  CHECK(26, a0, MIP_MEIP | MIP_MTIP)
  CHECK(27, s7, 0)
  li    a1, MIP_MEIP | MIP_MTIP
  csrw  mie, a1
  csrsi mstatus, 8                      /* both taken, one after the other */
  nop
  nop
  nop
  CHECK(28, s7, 2)
  la    t0, causes
  lw    a0, 0(t0)
  CHECK(29, a0, CAUSE_EXT)
  lw    a0, 4(t0)
  CHECK(30, a0, CAUSE_TIMER)
  csrci mstatus, 8
  csrw  mie, zero
  la    t0, trap_record
  csrw  mtvec, t0

  TEST_PASS

/* Interrupt handler: logs mcause in causes[s7] and s8 (mepc in s9, mtval in s10), counts
 * in s7, and clears the source: the timer compare to all ones, the accelerator's
 * IRQ_STATUS.CMD. A synchronous trap here fails with check 250. */
  .balign 4
irq_handler:
  addi  sp, sp, -16
  sw    t0, 0(sp)
  sw    t1, 4(sp)
  csrr  s8, mcause
  csrr  s9, mepc
  csrr  s10, mtval
  la    t0, causes
  slli  t1, s7, 2
  add   t0, t0, t1
  sw    s8, 0(t0)
  addi  s7, s7, 1
  bgez  s8, 3f                          /* not an interrupt */
  andi  t0, s8, 0x1f
  li    t1, 7
  beq   t0, t1, 1f
  li    t1, 11
  beq   t0, t1, 2f
3:
  li    gp, 250
  j     fail
1:
  li    t0, TIMER_BASE
  li    t1, -1
  sw    t1, TIMER_CMPH(t0)
  sw    t1, TIMER_CMP(t0)
  j     4f
2:
  li    t0, ACC_BASE
  li    t1, IRQ_CMD_BIT
  sw    t1, ACC_IRQ_STATUS(t0)          /* write 1 to clear */
4:
  lw    t0, 0(sp)
  lw    t1, 4(sp)
  addi  sp, sp, 16
  mret
