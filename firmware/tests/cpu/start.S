/* start.S — start-up, result reporting and the trap recorder of the CPU test programs.
 *
 * _start clears .bss, sets the stack and mtvec = trap_record, calls test_main (assembly
 * or C) and reports its a0: 0 = pass, else the number of the failing check. Assembly tests
 * end with TEST_PASS (a jump to `pass`, so they may use ra freely). The result is
 * one UART line, "cpu <test_name>: PASS" or "cpu <test_name>: FAIL check 0x<n>", and the
 * code goes to SIMCTRL EXIT.
 *
 * trap_record: a test arms it with EXPECT_TRAP(label) (s11 = resume address, s7 = 0); the
 * next trap stores mcause/mepc/mtval in s8/s9/s10, mstatus (as seen in the handler) in s6,
 * counts in s7 and resumes at the label (one shot). A trap while it is not armed is unexpected: it prints
 * "cpu <test_name>: unexpected trap mcause=.. mepc=.. mtval=.." and fails with the check
 * number in gp (255 if none). */
#include "test.h"

  .section .text.start, "ax"
  .globl _start
_start:
  la    sp, __stack_top
  la    t0, trap_record
  csrw  mtvec, t0
  la    t0, __bss_start
  la    t1, __bss_end
1:
  bgeu  t0, t1, 2f
  sw    zero, 0(t0)
  addi  t0, t0, 4
  j     1b
2:
  li    gp, 0
  li    s11, 0
  call  test_main
  j     report

  .text
  .globl pass
pass:
  li    a0, 0
  j     report

  /* a check failed: its number is in gp */
  .globl fail
fail:
  mv    a0, gp
  bnez  a0, report
  li    a0, 255
report:
  mv    s0, a0
  call  print_head
  bnez  s0, 1f
  la    a0, msg_pass
  call  puts
  j     2f
1:
  la    a0, msg_fail
  call  puts
  mv    a0, s0
  call  puthex
2:
  li    a0, '\n'
  call  putc
  call  uart_drain
  li    t0, SIMCTRL_BASE
  sw    s0, SIMCTRL_EXIT(t0)
3:
  j     3b

/* wait until the UART has sent the last byte (clobbers t0, t1) */
uart_drain:
  li    t0, UART_BASE
1:
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  bnez  t1, 1b
  ret

  .globl trap_record
  .balign 4
trap_record:
  beqz  s11, unexpected_trap
  csrr  s8, mcause
  csrr  s9, mepc
  csrr  s10, mtval
  csrr  s6, mstatus
  addi  s7, s7, 1
  csrw  mepc, s11
  li    s11, 0
  mret

unexpected_trap:
  csrr  s8, mcause
  csrr  s9, mepc
  csrr  s10, mtval
  call  print_head
  la    a0, msg_trap
  call  puts
  mv    a0, s8
  call  puthex
  la    a0, msg_epc
  call  puts
  mv    a0, s9
  call  puthex
  la    a0, msg_tval
  call  puts
  mv    a0, s10
  call  puthex
  li    a0, '\n'
  call  putc
  call  uart_drain
  mv    s0, gp
  bnez  s0, 1f
  li    s0, 255
1:
  li    t0, SIMCTRL_BASE
  sw    s0, SIMCTRL_EXIT(t0)
2:
  j     2b

/* "cpu <test_name>: " (clobbers t0-t2, a0, a1; keeps ra through s1) */
print_head:
  mv    s1, ra
  la    a0, msg_cpu
  call  puts
  la    a0, test_name
  call  puts
  la    a0, msg_colon
  call  puts
  mv    ra, s1
  ret

/* putc(a0): one byte to the UART, after waiting while it is busy (clobbers t0, t1) */
  .globl putc
putc:
  li    t0, UART_BASE
1:
  lw    t1, UART_STATUS(t0)
  andi  t1, t1, 1
  bnez  t1, 1b
  sb    a0, UART_TXDATA(t0)
  ret

/* puts(a0): a NUL-terminated string (clobbers t0-t2, a0, a1) */
  .globl puts
puts:
  mv    t2, ra
  mv    a1, a0
1:
  lbu   a0, 0(a1)
  beqz  a0, 2f
  call  putc
  addi  a1, a1, 1
  j     1b
2:
  mv    ra, t2
  ret

/* puthex(a0): "0x" and 8 hex digits (clobbers t0-t2, a0, a1, a2) */
  .globl puthex
puthex:
  mv    t2, ra
  mv    a1, a0
  li    a0, '0'
  call  putc
  li    a0, 'x'
  call  putc
  li    a2, 28
1:
  srl   a0, a1, a2
  andi  a0, a0, 15
  addi  a0, a0, '0'
  li    t0, '9'
  ble   a0, t0, 2f
  addi  a0, a0, 'a' - '0' - 10
2:
  call  putc
  addi  a2, a2, -4
  bgez  a2, 1b
  mv    ra, t2
  ret

  .section .rodata
msg_cpu:   .asciz "cpu "
msg_colon: .asciz ": "
msg_pass:  .asciz "PASS"
msg_fail:  .asciz "FAIL check "
msg_trap:  .asciz "unexpected trap mcause="
msg_epc:   .asciz " mepc="
msg_tval:  .asciz " mtval="
