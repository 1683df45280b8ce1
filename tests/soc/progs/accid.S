/* accid.S — the accelerator through the SoC: prints ID and CFG_ARRAY of the Systole CSRs
 * at 0x2000_0000 and exits 0 if ID is "SYST" (0x53595354), else 1. Then the DMA address
 * registers: WIN_BASE written with all ones reads back the bits it implements (printed as
 * WIN_BASE; all of them unless the SoC sets DmaAddrMask, the board keeps fewer): a pattern
 * must read back as pattern & those bits (else exit 2), and they must cover the main memory
 * SOCINFO reports (else exit 3). WIN_BASE is left 0. */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
  sw    s1, 4(sp)
  li    t0, ACC_BASE
  lw    s0, 0(t0)           /* ID */
  la    a0, id_msg
  call  puts
  mv    a0, s0
  call  puthex
  la    a0, cfg_msg
  call  puts
  li    t0, ACC_BASE
  lw    a0, 8(t0)           /* CFG_ARRAY: ROWS [15:0], COLS [31:16] */
  call  puthex
  li    a0, '\n'
  call  putc
  li    t0, 0x53595354
  li    a0, 1
  bne   s0, t0, 9f
  /* WIN_BASE (0x048): the implemented bits */
  li    t0, ACC_BASE
  li    t1, -1
  sw    t1, 0x48(t0)
  lw    s1, 0x48(t0)
  la    a0, win_msg
  call  puts
  mv    a0, s1
  call  puthex
  li    a0, '\n'
  call  putc
  li    t0, ACC_BASE
  li    t1, 0x5a5a5a5a
  sw    t1, 0x48(t0)
  lw    t2, 0x48(t0)
  sw    zero, 0x48(t0)
  and   t1, t1, s1
  li    a0, 2
  bne   t1, t2, 9f
  /* MAIN_BASE | (MAIN_BYTES - 1) must be implemented */
  li    t0, SOCINFO_BASE
  lw    t1, SOCINFO_MAIN_BASE(t0)
  lw    t2, SOCINFO_MAIN_BYTES(t0)
  addi  t2, t2, -1
  or    t1, t1, t2
  and   t2, t1, s1
  li    a0, 3
  bne   t1, t2, 9f
  li    a0, 0
9:
  lw    s1, 4(sp)
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .section .rodata
id_msg:
  .asciz "ID "
cfg_msg:
  .asciz " CFG_ARRAY "
win_msg:
  .asciz "WIN_BASE "
