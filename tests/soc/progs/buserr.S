/* buserr.S — bus errors become access faults. For each access prints
 * "<tag> <mcause> <mtval>" (mcause ffffffff: no trap) and exits 0:
 *   L load from an unmapped address (0x4000_0000)   S store to it   F fetch from it
 *   R load just past the end of RAM                 M load just past the end of main memory
 *   P load from the hole after SOCINFO (0x1000_4000) */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  la    t0, trap
  csrw  mtvec, t0

  li    s10, -1
  li    t0, UNMAPPED
  lw    t1, 0(t0)
  li    a0, 'L'
  call  report

  li    s10, -1
  li    t0, UNMAPPED
  sw    t0, 0(t0)
  li    a0, 'S'
  call  report

  li    s10, -1
  li    t0, UNMAPPED
  jalr  ra, t0, 0           /* the handler returns to ra */
  li    a0, 'F'
  call  report

  li    s10, -1
  li    t0, SOCINFO_BASE
  lw    t0, SOCINFO_RAM_BYTES(t0)
  lw    t1, 0(t0)
  li    a0, 'R'
  call  report

  li    s10, -1
  li    t0, SOCINFO_BASE
  lw    t1, SOCINFO_MAIN_BASE(t0)
  lw    t2, SOCINFO_MAIN_BYTES(t0)
  add   t0, t1, t2
  lw    t1, 0(t0)
  li    a0, 'M'
  call  report

  li    s10, -1
  li    t0, SOCINFO_BASE + 0x1000
  lw    t1, 0(t0)
  li    a0, 'P'
  call  report

  li    a0, 0
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

/* report(a0 = tag): "<tag> <s10> <s11>\n" */
report:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  call  putc
  li    a0, ' '
  call  putc
  mv    a0, s10
  call  puthex
  li    a0, ' '
  call  putc
  mv    a0, s11
  call  puthex
  li    a0, '\n'
  call  putc
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

/* Record mcause/mtval; resume after the faulting load/store, or at ra after a fetch fault. */
  .balign 4
trap:
  csrr  s10, mcause
  csrr  s11, mtval
  li    t0, 1
  bne   s10, t0, 1f
  csrw  mepc, ra
  mret
1:
  csrr  t0, mepc
  addi  t0, t0, 4
  csrw  mepc, t0
  mret
