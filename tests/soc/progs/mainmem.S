/* mainmem.S — main memory (0x8000_0000) through the core, and the ELF loader's segments.
 * Exits 0, or the number of the first failing check:
 *   1  initialised data of the ELF's main-memory segment (.main)
 *   2  zero-filled bss in main memory (.mainbss)       3  zero-filled bss in RAM (.bss)
 *   4  64 words written and read back                  5  the last word of main memory
 *   6  sb/sh merge into a word                         7  lb/lbu/lh/lhu sign/zero extension */
#include "soc.h"
  .text
  .globl main
main:
  /* 1: .main data as loaded from the ELF */
  la    t0, main_data
  lw    t1, 0(t0)
  li    t2, 0xcafef00d
  li    a0, 1
  bne   t1, t2, fail
  lw    t1, 4(t0)
  li    t2, 0x01234567
  bne   t1, t2, fail
  lbu   t1, 8(t0)
  li    t2, 0x5a
  bne   t1, t2, fail

  /* 2, 3: bss regions are zero (the test fills them with junk before loading) */
  li    a0, 2
  la    t0, __mainbss_start
  la    t1, __mainbss_end
  beq   t0, t1, fail        /* must not be empty */
1:
  lw    t2, 0(t0)
  bnez  t2, fail
  addi  t0, t0, 4
  bltu  t0, t1, 1b
  li    a0, 3
  la    t0, __bss_start
  la    t1, __bss_end
  beq   t0, t1, fail
1:
  lw    t2, 0(t0)
  bnez  t2, fail
  addi  t0, t0, 4
  bltu  t0, t1, 1b

  /* 4: 64 words at MAIN_BASE + 0x1000 */
  li    a0, 4
  li    t0, MAIN_BASE + 0x1000
  li    t3, 0x9e3779b9
  li    t4, 0
  li    t5, 64
  li    t2, 0             /* word i = i * 0x9e3779b9, summed (no M: the board core is RV32I) */
1:
  slli  t1, t4, 2
  add   t1, t1, t0
  sw    t2, 0(t1)
  add   t2, t2, t3
  addi  t4, t4, 1
  blt   t4, t5, 1b
  li    t4, 0
  li    t2, 0
1:
  slli  t1, t4, 2
  add   t1, t1, t0
  lw    t6, 0(t1)
  bne   t6, t2, fail
  add   t2, t2, t3
  addi  t4, t4, 1
  blt   t4, t5, 1b

  /* 5: the last word of main memory (MAIN_BASE + MAIN_BYTES - 4, sizes from SOCINFO) */
  li    a0, 5
  li    t0, SOCINFO_BASE
  lw    t1, SOCINFO_MAIN_BASE(t0)
  lw    t2, SOCINFO_MAIN_BYTES(t0)
  add   t1, t1, t2
  addi  t1, t1, -4
  li    t2, 0xa5a55a5a
  sw    t2, 0(t1)
  sw    zero, -4(t1)
  lw    t3, 0(t1)
  bne   t3, t2, fail

  /* 6: byte and halfword stores merge into the word */
  li    a0, 6
  li    t0, MAIN_BASE + 0x2000
  li    t1, 0x11223344
  sw    t1, 0(t0)
  li    t1, 0xaa
  sb    t1, 1(t0)
  li    t1, 0xbbcc
  sh    t1, 2(t0)
  lw    t2, 0(t0)
  li    t1, 0xbbccaa44
  bne   t2, t1, fail

  /* 7: narrow loads */
  li    a0, 7
  lb    t2, 1(t0)
  li    t1, 0xffffffaa
  bne   t2, t1, fail
  lbu   t2, 1(t0)
  li    t1, 0xaa
  bne   t2, t1, fail
  lh    t2, 2(t0)
  li    t1, 0xffffbbcc
  bne   t2, t1, fail
  lhu   t2, 2(t0)
  li    t1, 0xbbcc
  bne   t2, t1, fail
  lbu   t2, 0(t0)
  li    t1, 0x44
  bne   t2, t1, fail

  li    a0, 0
fail:
  j     exit

  .section .main, "aw"
main_data:
  .word 0xcafef00d, 0x01234567
  .byte 0x5a

  .section .mainbss, "aw", @nobits
  .space 4096

  .bss
  .space 1024
