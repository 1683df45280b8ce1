/* socinfo.S — prints the four SOCINFO registers, one "NAME value" line each. */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
  sw    s1, 4(sp)
  la    s0, names
  li    s1, 0
1:
  mv    a0, s0
  call  puts
  li    t0, SOCINFO_BASE
  add   t0, t0, s1
  lw    a0, 0(t0)
  call  puthex
  li    a0, '\n'
  call  putc
  addi  s0, s0, 16
  addi  s1, s1, 4
  li    t0, 16
  blt   s1, t0, 1b
  li    a0, 0
  lw    s1, 4(sp)
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .section .rodata
  .balign 16
names:                      /* 16 bytes per name */
  .asciz "CLK_HZ "
  .balign 16
  .asciz "RAM_BYTES "
  .balign 16
  .asciz "MAIN_BASE "
  .balign 16
  .asciz "MAIN_BYTES "
  .balign 16
