/* accid.S — the accelerator through the SoC: prints ID and CFG_ARRAY of the Systole CSRs
 * at 0x2000_0000 and exits 0 if ID is "SYST" (0x53595354), else 1. */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
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
  li    a0, 0
  beq   s0, t0, 1f
  li    a0, 1
1:
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .section .rodata
id_msg:
  .asciz "ID "
cfg_msg:
  .asciz " CFG_ARRAY "
