/* test.h — shared definitions of the CPU test programs (assembly and C).
 *
 * Conventions of the assembly tests: test_main runs the checks and ends with TEST_PASS; a
 * failing check jumps to `fail` with its number (1..250) in gp, and start.S reports it
 * (UART line, SIMCTRL EXIT = the number). gp and t6 belong to the check macros (t5 to
 * CHECK_TRAP); s6-s11 to the trap recorder (start.S). */
#ifndef CPU_TEST_H
#define CPU_TEST_H

#define UART_BASE      0x10000000
#define UART_TXDATA    0x0
#define UART_STATUS    0x4
#define TIMER_BASE     0x10001000
#define TIMER_MTIME    0x0
#define TIMER_MTIMEH   0x4
#define TIMER_CMP      0x8
#define TIMER_CMPH     0xc
#define SIMCTRL_BASE   0x10002000
#define SIMCTRL_EXIT   0x0
#define SOCINFO_BASE   0x10003000
#define ACC_BASE       0x20000000
#define MAIN_BASE      0x80000000
#define UNMAPPED_ADDR  0x30000000   /* no device: bus error */

#ifdef __ASSEMBLER__

/* The test's name, printed in the result line. */
#define TEST_NAME(s)      .section .rodata; .globl test_name; test_name: .asciz s; .text

/* Check n: register reg must equal the 32-bit constant val. */
#define CHECK(n, reg, val) li gp, n; li t6, val; bne reg, t6, fail
/* Check n: registers a and b must be equal. */
#define CHECK_REG(n, a, b) li gp, n; bne a, b, fail
/* The end of an assembly test_main: all checks passed. */
#define TEST_PASS          j pass
/* Check n failed unconditionally (for paths that must not be reached). */
#define FAIL_AT(n)         li gp, n; j fail

/* Arm the trap recorder: the next trap resumes at label (mepc := label). */
#define EXPECT_TRAP(label) la s11, label; li s7, 0
/* Check n..n+3 after a recorded trap: one trap, mcause, mepc = label, mtval. */
#define CHECK_TRAP(n, cause, epc_label, tval) \
  CHECK(n, s7, 1); CHECK(n + 1, s8, cause); la t5, epc_label; CHECK_REG(n + 2, s9, t5); \
  CHECK(n + 3, s10, tval)

#endif /* __ASSEMBLER__ */
#endif /* CPU_TEST_H */
