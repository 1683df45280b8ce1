/* fw.h — bare-metal runtime of the Systole SoC's RV32IM core.
 *
 * What crt0.S and fw.c give a firmware program:
 *   - start-up: stack, .data/.bss, thread pointer (picolibc's errno is TLS), trap vector;
 *   - printf & co. on the UART (picolibc's stdio, stdout/stderr hooked to TXDATA);
 *   - exit(code) / return from main: the code is written to SIMCTRL EXIT;
 *   - machine timer (MTIME/MTIMECMP), cycle and instret counters;
 *   - a C trap handler: machine external interrupts (the accelerator) and timer interrupts
 *     are counted and masked (the lines are level-sensitive: whoever waits re-enables
 *     them); any other trap prints mcause/mepc/mtval and exits with FW_EXIT_TRAP + cause.
 * Memory map: soc.h (docs/soc.md).
 */
#ifndef SYSTOLE_FW_H
#define SYSTOLE_FW_H

#include <stdint.h>

#include "soc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes of the runtime itself (programs use 0 for success, small numbers else). */
#define FW_EXIT_TRAP 0x80 /* + mcause: an unexpected exception or interrupt */

/* ---- MMIO ------------------------------------------------------------------------------ */

static inline uint32_t fw_mmio_read32(uint32_t addr) {
  return *(volatile const uint32_t *)(uintptr_t)addr;
}

static inline void fw_mmio_write32(uint32_t addr, uint32_t v) {
  *(volatile uint32_t *)(uintptr_t)addr = v;
}

/* ---- CSRs (machine mode) ------------------------------------------------------------- */

#define FW_CSR_READ(csr)                                        \
  __extension__({                                               \
    uint32_t v_;                                                \
    __asm__ volatile("csrr %0, " #csr : "=r"(v_) : : "memory"); \
    v_;                                                         \
  })
#define FW_CSR_WRITE(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint32_t)(v)) : "memory")
#define FW_CSR_SET(csr, v) __asm__ volatile("csrs " #csr ", %0" : : "r"((uint32_t)(v)) : "memory")
#define FW_CSR_CLEAR(csr, v) __asm__ volatile("csrc " #csr ", %0" : : "r"((uint32_t)(v)) : "memory")

/* Global interrupt enable (mstatus.MIE). Individual sources: mie. */
static inline void fw_irq_global_enable(void) { FW_CSR_SET(mstatus, MSTATUS_MIE); }
static inline void fw_irq_global_disable(void) { FW_CSR_CLEAR(mstatus, MSTATUS_MIE); }

/* Sleep until an enabled (mie) interrupt is pending; returns without taking it when
 * mstatus.MIE is clear (the caller enables MIE to take it). */
static inline void fw_wfi(void) { __asm__ volatile("wfi" : : : "memory"); }

/* ---- counters -------------------------------------------------------------------------- */

/* 64-bit cycle counter (mcycle; the cycle CSR alias), read hi-lo-hi so it never tears. */
static inline uint64_t fw_rdcycle(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("rdcycleh %0" : "=r"(hi));
    __asm__ volatile("rdcycle %0" : "=r"(lo));
    __asm__ volatile("rdcycleh %0" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

/* 64-bit retired-instruction counter (minstret). */
static inline uint64_t fw_rdinstret(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("rdinstreth %0" : "=r"(hi));
    __asm__ volatile("rdinstret %0" : "=r"(lo));
    __asm__ volatile("rdinstreth %0" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

/* ---- timer ----------------------------------------------------------------------------- */

/* 1 if the SoC has the machine timer, 0 if not (a SoC built with HasTimer = 0, the board:
 * the TIMER page then reads 0, ignores writes and never interrupts). Found at the first
 * call, at no hardware cost: MTIME counts clock cycles, so two reads a few cycles apart
 * differ exactly when the timer is there. Waits without it poll (hal_mmio.c). */
int fw_timer_present(void);
/* MTIME (clock cycles; 0 without the timer). */
uint64_t fw_timer_now(void);
/* Program MTIMECMP (written glitch-free: hi = all ones, lo, hi). */
void fw_timer_set_cmp(uint64_t when);
/* MTIMECMP = all ones: the timer interrupt never fires. */
void fw_timer_disarm(void);

/* ---- SOCINFO --------------------------------------------------------------------------- */

static inline uint32_t fw_socinfo(uint32_t off) { return fw_mmio_read32(SOC_SOCINFO_BASE + off); }

/* ---- console ----------------------------------------------------------------------------- */

/* One byte to the UART (waits while the transmitter is busy). printf/puts/putchar work
 * too: picolibc's stdout and stderr are this UART. */
void fw_uart_putc(char c);
void fw_uart_puts(const char *s);

/* ---- exit -------------------------------------------------------------------------------- */

/* Write code to SIMCTRL EXIT (a simulator stops there); on hardware, sleep forever.
 * exit() and a return from main end up here. */
__attribute__((noreturn)) void fw_exit(int code);

/* ---- interrupts and traps ---------------------------------------------------------------- */

/* Interrupts taken since reset (incremented by the trap handler). */
extern volatile uint32_t fw_irq_ext_count;   /* machine external: the accelerator */
extern volatile uint32_t fw_irq_timer_count; /* machine timer */

/* The C trap handler, called by the trap vector (crt0.S) with interrupts off. */
void fw_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval);

/* Human-readable name of an mcause value. */
const char *fw_mcause_str(uint32_t mcause);

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_FW_H */
