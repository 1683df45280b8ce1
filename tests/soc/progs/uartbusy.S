/* uartbusy.S — UART STATUS: with DIV = 20, STATUS.busy is set right after a TXDATA write
 * and clears after about 10 bits = 200 cycles. Prints "BUSY <cycles>", exits 0, or 1 if
 * busy was not set after the write. */
#include "soc.h"
  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
  li    t0, UART_BASE
1:
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  bnez  t1, 1b
  li    t1, 20
  sw    t1, UART_DIV(t0)
  li    t1, 'U'
  sw    t1, UART_TXDATA(t0)
  rdcycle t2
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  li    a0, 1
  beqz  t1, 3f
2:
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  bnez  t1, 2b
  rdcycle t3
  sub   s0, t3, t2
  li    a0, '\n'
  call  putc
  la    a0, busy_msg
  call  puts
  mv    a0, s0
  call  puthex
  li    a0, '\n'
  call  putc
  li    a0, 0
3:
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .section .rodata
busy_msg:
  .asciz "BUSY "
