/* systole_hal.h — the one hardware abstraction layer of the Systole driver.
 *
 * The driver never touches a register or device memory directly: every access goes
 * through a systole_hal_t, a table of function pointers plus an opaque context. Backends:
 * the simulator (systole_hal_sim.h), firmware MMIO on the on-chip RV32IM core
 * (firmware/hal_mmio.h), TLM-2.0 transactions in SystemC (sim/systemc/include/systole_hal_tlm.h).
 * Job code does not know which backend runs.
 *
 * Every function returns 0 on success and a non-zero backend-specific code on failure
 * (the driver reports SYSTOLE_HAL_ERROR). Device addresses are 32-bit (the chip's DMA
 * address width); sizes are size_t.
 */
#ifndef SYSTOLE_HAL_H
#define SYSTOLE_HAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Conditions for systole_hal_t.wait (a mask). */
typedef enum {
  SYSTOLE_HAL_WAIT_IDLE = 1u, /* the chip is idle (STATUS.IDLE) */
  SYSTOLE_HAL_WAIT_IRQ = 2u   /* the interrupt line is high (IRQ_STATUS & IRQ_ENABLE) */
} systole_hal_wait_t;

typedef struct systole_hal {
  void *ctx; /* passed to every function */

  /* 32-bit CSR access at a byte offset (4-byte aligned, < 4096). */
  int (*reg_read)(void *ctx, uint32_t offset, uint32_t *value);
  int (*reg_write)(void *ctx, uint32_t offset, uint32_t value);

  /* Device (DMA-visible) memory: allocate bytes aligned to align (a power of two) and
   * return its device address; free it; copy host <-> device. */
  int (*mem_alloc)(void *ctx, size_t bytes, size_t align, uint32_t *dev_addr);
  int (*mem_free)(void *ctx, uint32_t dev_addr);
  int (*mem_write)(void *ctx, uint32_t dev_addr, const void *src, size_t bytes);
  int (*mem_read)(void *ctx, uint32_t dev_addr, void *dst, size_t bytes);

  /* Wait until a condition of the mask `what` (systole_hal_wait_t) holds or about
   * budget_cycles chip cycles elapsed. *reached = the condition seen (0 if the budget ran
   * out). A condition already true returns at once. Interrupt-driven where the backend
   * has an interrupt, polling otherwise. */
  int (*wait)(void *ctx, unsigned what, uint64_t budget_cycles, unsigned *reached);

  /* A free-running clock in chip cycles (for reports only). */
  uint64_t (*cycles)(void *ctx);

  /* Optional host scratch memory for work done on the host (pooling, add). NULL: those
   * jobs return SYSTOLE_UNSUPPORTED. */
  void *(*host_alloc)(void *ctx, size_t bytes);
  void (*host_free)(void *ctx, void *ptr);

  /* The device memory the DMA may reach: default DMA window of a device. */
  uint32_t mem_base;
  uint32_t mem_size;
} systole_hal_t;

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_HAL_H */
