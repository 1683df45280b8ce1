/* crt.S — start-up and helpers shared by the SoC test programs.
 *
 * _start sets the stack and a default trap handler, calls main and exits with main's a0
 * (SIMCTRL EXIT). Helpers (ilp32 calling convention, clobber only t0-t6 and a0-a2):
 *   exit(a0)      write the exit code, then spin
 *   putc(a0)      one byte to the UART, waiting while it is busy
 *   puts(a0)      a NUL-terminated string
 *   puthex(a0)    8 hex digits
 * An unexpected trap prints "TRAP <mcause> <mepc> <mtval>" and exits with 0x100 + mcause. */
#include "soc.h"

  .section .text.start, "ax"
  .globl _start
_start:
  la    sp, __stack_top
  la    t0, default_trap
  csrw  mtvec, t0
  call  main
  j     exit

  .text
  .globl exit
exit:
  li    t0, SIMCTRL_BASE
  sw    a0, SIMCTRL_EXIT(t0)
1:
  j     1b

  .globl putc
putc:
  li    t0, UART_BASE
1:
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  bnez  t1, 1b
  sw    a0, UART_TXDATA(t0)
  ret

  .globl puts
puts:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
  mv    s0, a0
1:
  lbu   a0, 0(s0)
  beqz  a0, 2f
  call  putc
  addi  s0, s0, 1
  j     1b
2:
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .globl puthex
puthex:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  sw    s0, 8(sp)
  sw    s1, 4(sp)
  mv    s0, a0
  li    s1, 28
1:
  srl   a0, s0, s1
  andi  a0, a0, 15
  addi  a0, a0, '0'
  li    t2, '9'
  ble   a0, t2, 2f
  addi  a0, a0, 'a' - '0' - 10
2:
  call  putc
  addi  s1, s1, -4
  bgez  s1, 1b
  lw    s1, 4(sp)
  lw    s0, 8(sp)
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

/* Unexpected trap: report and exit with 0x100 + mcause. */
  .balign 4
default_trap:
  la    a0, trap_msg
  call  puts
  csrr  a0, mcause
  call  puthex
  li    a0, ' '
  call  putc
  csrr  a0, mepc
  call  puthex
  li    a0, ' '
  call  putc
  csrr  a0, mtval
  call  puthex
  li    a0, '\n'
  call  putc
  csrr  a0, mcause
  addi  a0, a0, 0x100
  j     exit

  .section .rodata
trap_msg:
  .asciz "TRAP "
