/* fw.c — the firmware runtime: console (picolibc stdio on the UART), exit, timer, traps.
 * See fw.h. */
#include "fw.h"

#include <stdio.h>
#include <unistd.h>

volatile uint32_t fw_irq_ext_count;
volatile uint32_t fw_irq_timer_count;

/* ---- console ------------------------------------------------------------------------- */

void fw_uart_putc(char c) {
  while (fw_mmio_read32(SOC_UART_BASE + SOC_UART_STATUS) & SOC_UART_STATUS_TX_BUSY) {
  }
  fw_mmio_write32(SOC_UART_BASE + SOC_UART_TXDATA, (uint8_t)c);
}

void fw_uart_puts(const char *s) {
  while (*s) fw_uart_putc(*s++);
}

/* picolibc's stdio: one unbuffered stream on the UART for stdin/stdout/stderr. */
static int fw_stdio_put(char c, FILE *f) {
  (void)f;
  fw_uart_putc(c);
  return (unsigned char)c;
}

static FILE fw_stdio = FDEV_SETUP_STREAM(fw_stdio_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &fw_stdio;
FILE *const stdout = &fw_stdio;
FILE *const stderr = &fw_stdio;

/* ---- exit ------------------------------------------------------------------------------ */

void fw_exit(int code) {
  fw_irq_global_disable();
  fw_mmio_write32(SOC_SIMCTRL_BASE + SOC_SIMCTRL_EXIT, (uint32_t)code);
  for (;;) fw_wfi(); /* hardware: nothing to return to */
}

/* picolibc's exit() ends here. */
void _exit(int code) { fw_exit(code); }

/* ---- timer ----------------------------------------------------------------------------- */

int fw_timer_present(void) {
  static int known = -1;
  if (known < 0) {
    /* an I/O read takes several cycles: a running MTIME has moved on by the second */
    uint32_t a = fw_mmio_read32(SOC_TIMER_BASE + SOC_TIMER_MTIME_LO);
    uint32_t b = fw_mmio_read32(SOC_TIMER_BASE + SOC_TIMER_MTIME_LO);
    known = a != b;
  }
  return known;
}

uint64_t fw_timer_now(void) {
  uint32_t hi, lo, hi2;
  do {
    hi = fw_mmio_read32(SOC_TIMER_BASE + SOC_TIMER_MTIME_HI);
    lo = fw_mmio_read32(SOC_TIMER_BASE + SOC_TIMER_MTIME_LO);
    hi2 = fw_mmio_read32(SOC_TIMER_BASE + SOC_TIMER_MTIME_HI);
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

void fw_timer_set_cmp(uint64_t when) {
  /* never a moment where the compare value is below both the old and the new one */
  fw_mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MTIMECMP_HI, 0xffffffffu);
  fw_mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MTIMECMP_LO, (uint32_t)when);
  fw_mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MTIMECMP_HI, (uint32_t)(when >> 32));
}

void fw_timer_disarm(void) {
  fw_mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MTIMECMP_HI, 0xffffffffu);
  fw_mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MTIMECMP_LO, 0xffffffffu);
}

/* ---- start-up -------------------------------------------------------------------------- */

void fw_runtime_init(void);
void fw_runtime_init(void) {
  fw_irq_ext_count = 0;
  fw_irq_timer_count = 0;
  fw_timer_disarm();
  /* sources stay masked in mie until someone waits for them; MIE itself is on */
  FW_CSR_WRITE(mie, 0);
  fw_irq_global_enable();
}

/* ---- traps ----------------------------------------------------------------------------- */

const char *fw_mcause_str(uint32_t mcause) {
  if (mcause & MCAUSE_INTERRUPT) {
    switch (mcause & ~MCAUSE_INTERRUPT) {
      case 3: return "machine software interrupt";
      case MCAUSE_IRQ_TIMER: return "machine timer interrupt";
      case MCAUSE_IRQ_EXTERNAL: return "machine external interrupt";
      default: return "unknown interrupt";
    }
  }
  switch (mcause) {
    case 0: return "instruction address misaligned";
    case 1: return "instruction access fault";
    case 2: return "illegal instruction";
    case 3: return "breakpoint";
    case 4: return "load address misaligned";
    case 5: return "load access fault";
    case 6: return "store address misaligned";
    case 7: return "store access fault";
    case 8: return "environment call from U-mode";
    case 11: return "environment call from M-mode";
    default: return "unknown exception";
  }
}

void fw_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  if (mcause == (MCAUSE_INTERRUPT | MCAUSE_IRQ_EXTERNAL)) {
    /* level-sensitive: mask it until the waiter has cleared the cause and re-enables it */
    FW_CSR_CLEAR(mie, MIE_MEIE);
    fw_irq_ext_count++;
    return;
  }
  if (mcause == (MCAUSE_INTERRUPT | MCAUSE_IRQ_TIMER)) {
    FW_CSR_CLEAR(mie, MIE_MTIE);
    fw_timer_disarm();
    fw_irq_timer_count++;
    return;
  }
  /* unexpected: report and stop (never returns to the faulting instruction) */
  fw_uart_puts("\n");
  printf("TRAP: unexpected %s %s: mcause=0x%08lx mepc=0x%08lx mtval=0x%08lx\n",
         (mcause & MCAUSE_INTERRUPT) ? "interrupt" : "exception", fw_mcause_str(mcause),
         (unsigned long)mcause, (unsigned long)mepc, (unsigned long)mtval);
  fw_exit(FW_EXIT_TRAP + (int)(mcause & 0x3fu));
}
