/* timer.S — the TIMER: MTIME counts clock cycles (compared with the cycle CSR) and a timer
 * interrupt wakes wfi. Prints "DT <mtime delta> DC <cycle delta>" and
 * "IRQ <mcause>", exits 0, or 1 if MTIME did not advance, 2 if no timer interrupt came. */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
  sw    s1, 4(sp)
  li    t0, TIMER_BASE
  rdcycle t2
  lw    t1, TIMER_MTIME(t0)
  li    t3, 100
1:
  addi  t3, t3, -1
  bnez  t3, 1b
  rdcycle t4
  lw    t5, TIMER_MTIME(t0)
  sub   s0, t5, t1          /* MTIME delta */
  sub   s1, t4, t2          /* cycle CSR delta */
  la    a0, dt_msg
  call  puts
  mv    a0, s0
  call  puthex
  la    a0, dc_msg
  call  puts
  mv    a0, s1
  call  puthex
  li    a0, '\n'
  call  putc
  li    a0, 1
  beqz  s0, done

  /* timer interrupt 300 cycles from now; MTIMECMP hi first so no early match */
  la    t0, trap
  csrw  mtvec, t0
  li    s10, 0
  li    t0, TIMER_BASE
  li    t1, -1
  sw    t1, TIMER_CMPH(t0)
  lw    t2, TIMER_MTIME(t0)
  lw    t3, TIMER_MTIMEH(t0)
  addi  t4, t2, 300
  sltu  t5, t4, t2
  add   t3, t3, t5
  sw    t4, TIMER_CMP(t0)
  sw    t3, TIMER_CMPH(t0)
  li    t0, 0x80
  csrs  mie, t0
  csrsi mstatus, 8
  wfi
  j     .                   /* the handler resumes at woke */
woke:
  la    a0, irq_msg
  call  puts
  mv    a0, s10
  call  puthex
  li    a0, '\n'
  call  putc
  li    t0, 0x80000007
  li    a0, 2
  bne   s10, t0, done
  li    a0, 0
done:
  lw    s1, 4(sp)
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .balign 4
trap:
  csrr  s10, mcause
  li    t0, TIMER_BASE      /* no more timer interrupts */
  li    t1, -1
  sw    t1, TIMER_CMPH(t0)
  li    t0, 0x80
  csrc  mie, t0
  la    t0, woke
  csrw  mepc, t0
  li    t0, 0x1800          /* stay in M-mode, interrupts off after mret */
  csrs  mstatus, t0
  li    t0, 0x80
  csrc  mstatus, t0
  mret

  .section .rodata
dt_msg:
  .asciz "DT "
dc_msg:
  .asciz " DC "
irq_msg:
  .asciz "IRQ "
