/* soc.h — the Systole SoC memory map (docs/soc.md) for bare-metal firmware.
 *
 * Addresses and register offsets only; access helpers live in fw.h. Sizes that depend
 * on the SoC build (RAM, main memory, clock) are read from SOCINFO at run time.
 */
#ifndef SYSTOLE_SOC_H
#define SYSTOLE_SOC_H

#include <stdint.h>

/* RAM: code, data, stack (initialised from the image). Its size is SOCINFO RAM_BYTES;
 * the link script takes it from the symbol __ram_size (firmware.mk: FW_RAM_BYTES). */
#define SOC_RAM_BASE 0x00000000u

/* UART: TXDATA (W: one byte), STATUS (bit 0: TX busy), DIV (clock cycles per bit). */
#define SOC_UART_BASE 0x10000000u
#define SOC_UART_TXDATA 0x0u
#define SOC_UART_STATUS 0x4u
#define SOC_UART_DIV 0x8u
#define SOC_UART_STATUS_TX_BUSY 0x1u

/* TIMER: MTIME (counts clock cycles, R/W) and MTIMECMP (reset all ones), 64-bit each as
 * lo/hi words. Timer interrupt (mip.MTIP) = MTIME >= MTIMECMP. */
#define SOC_TIMER_BASE 0x10001000u
#define SOC_TIMER_MTIME_LO 0x0u
#define SOC_TIMER_MTIME_HI 0x4u
#define SOC_TIMER_MTIMECMP_LO 0x8u
#define SOC_TIMER_MTIMECMP_HI 0xcu

/* SIMCTRL: EXIT (W: the value is the exit code; simulators stop). */
#define SOC_SIMCTRL_BASE 0x10002000u
#define SOC_SIMCTRL_EXIT 0x0u

/* SOCINFO (R): clock frequency, RAM size, main memory base and size. */
#define SOC_SOCINFO_BASE 0x10003000u
#define SOC_SOCINFO_CLK_HZ 0x0u
#define SOC_SOCINFO_RAM_BYTES 0x4u
#define SOC_SOCINFO_MAIN_BASE 0x8u
#define SOC_SOCINFO_MAIN_BYTES 0xcu

/* The accelerator's CSRs (word access only), offsets as in systole_regs.h. */
#define SOC_SYSTOLE_CSR_BASE 0x20000000u
#define SOC_SYSTOLE_CSR_BYTES 0x1000u

/* Main memory, shared by the core and the accelerator's DMA (same addresses for both). */
#define SOC_MAIN_BASE_DEFAULT 0x80000000u

/* Machine-mode CSR bits used by the firmware. */
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_MPIE (1u << 7)
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)
#define MIP_MTIP (1u << 7)
#define MIP_MEIP (1u << 11)
#define MCAUSE_INTERRUPT 0x80000000u
#define MCAUSE_IRQ_TIMER 7u
#define MCAUSE_IRQ_EXTERNAL 11u

#endif /* SYSTOLE_SOC_H */
