/* hello.S — UART text: a greeting, then DIV (reset value), then DIV after writing 7. */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  la    a0, hello
  call  puts
  la    a0, div_msg
  call  puts
  li    t0, UART_BASE
  lw    a0, UART_DIV(t0)
  call  puthex
  li    a0, '\n'
  call  putc
  li    t0, UART_BASE       /* wait until idle, then change the divider */
1:
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  bnez  t1, 1b
  li    t1, 7
  sw    t1, UART_DIV(t0)
  la    a0, div_msg
  call  puts
  li    t0, UART_BASE
  lw    a0, UART_DIV(t0)
  call  puthex
  li    a0, '\n'
  call  putc
  li    a0, 0
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .section .rodata
hello:
  .asciz "Hello from the Systole SoC\n"
div_msg:
  .asciz "DIV "
