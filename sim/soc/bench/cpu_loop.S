/* cpu_loop.S — the CPU-only workload of the SoC simulation-speed benchmark (bench_soc).
 *
 * ITER iterations of integer arithmetic (an LCG with mul, shifts, xor, add), a store and
 * a load to a 1 KiB RAM buffer, every 16th iteration a store and a load to main memory, and
 * every 64th a remu (the iterative divider). The accelerator stays idle. Prints
 * "CPU_LOOP <checksum>" and exits 0. Built with tests/soc/progs/crt.S and link.ld. */
#include "soc.h"

#ifndef ITER
#define ITER 50000
#endif

  .text
  .globl main
main:
  addi  sp, sp, -16
  sw    ra, 12(sp)
  li    s0, ITER
  li    s1, 12345           /* LCG state */
  li    s2, 0               /* checksum */
  la    s3, buf
  li    s4, MAIN_BASE + 0x1000
  li    s5, 1103515245
  li    s7, 12345
  li    s6, 0               /* i */
loop:
  mul   s1, s1, s5
  add   s1, s1, s7
  srli  t0, s1, 16
  xor   s2, s2, t0
  andi  t1, s6, 255
  slli  t1, t1, 2
  add   t2, s3, t1
  sw    s1, 0(t2)
  xori  t1, t1, 0x3fc       /* read the mirrored word */
  add   t3, s3, t1
  lw    t3, 0(t3)
  add   s2, s2, t3
  andi  t4, s6, 15
  bnez  t4, 1f
  add   t5, s4, t1
  sw    s2, 0(t5)
  lw    t6, 0(t5)
  xor   s2, s2, t6
  andi  t4, s6, 63
  bnez  t4, 1f
  remu  t0, s2, s7
  add   s2, s2, t0
1:
  addi  s6, s6, 1
  blt   s6, s0, loop

  la    a0, msg
  call  puts
  mv    a0, s2
  call  puthex
  li    a0, '\n'
  call  putc
  li    a0, 0
  lw    ra, 12(sp)
  addi  sp, sp, 16
  ret

  .section .rodata
msg:
  .asciz "CPU_LOOP "

  .bss
  .balign 4
buf:
  .space 1024
