/* hal_mmio.h — MMIO backend of the Systole driver's HAL for the SoC's RV32IM core.
 *
 * The sibling of the simulator backend (driver/src/hal_sim.c), for firmware:
 *   reg_read/reg_write   32-bit loads/stores to the accelerator's CSR block (0x2000_0000)
 *   mem_alloc/mem_free   first-fit allocator over main memory (SOCINFO MAIN_BASE/
 *                        MAIN_BYTES), any power-of-two alignment, with free
 *   mem_write/mem_read   memcpy (the core reaches main memory at the DMA's addresses)
 *   wait                 interrupt-driven: sleeps in wfi with mie.MEIE (the accelerator's
 *                        line) and a TIMER deadline for the budget (mie.MTIE); polls STATUS
 *                        for IDLE-only waits, and for every wait on a SoC without the
 *                        machine timer (fw_timer_present(), the board) against a
 *                        cycle-count deadline
 *   cycles               mcycle
 *   host_alloc/free      picolibc's malloc/free (the heap in RAM)
 * One instance per accelerator (the SoC has one).
 */
#ifndef SYSTOLE_HAL_MMIO_H
#define SYSTOLE_HAL_MMIO_H

#include <stddef.h>
#include <stdint.h>

#include "systole.h"
#include "systole_hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocations tracked at once (one table entry each). */
#define HAL_MMIO_MAX_ALLOCS 128u

/* HAL return codes (the driver reports SYSTOLE_HAL_ERROR with the code in its message). */
enum {
  HAL_MMIO_OK = 0,
  HAL_MMIO_EARG = 1,   /* bad argument (unaligned CSR offset, zero/odd alignment, ...) */
  HAL_MMIO_ENOMEM = 2, /* no free range (or the allocation table is full) */
  HAL_MMIO_ERANGE = 3, /* an address or copy outside main memory */
  HAL_MMIO_EFREE = 4   /* free of an address that is not the start of an allocation */
};

typedef struct {
  uint32_t addr, bytes;
} hal_mmio_block_t;

typedef struct {
  systole_hal_t hal;         /* pass &hm.hal to systole_dev_open */
  uint32_t csr_base;         /* accelerator CSRs */
  uint32_t mem_base;         /* main memory [mem_base, mem_end) managed by the allocator */
  uint64_t mem_end;
  /* allocator: allocated blocks sorted by address */
  hal_mmio_block_t blocks[HAL_MMIO_MAX_ALLOCS];
  uint32_t n_blocks;
  uint32_t bytes_in_use, peak_bytes;
  /* wait statistics */
  uint32_t waits;            /* wait calls */
  uint32_t wfi_sleeps;       /* times the core slept in wfi */
  uint64_t wfi_cycles;       /* cycles spent asleep */
  uint32_t budget_expired;   /* waits that ran out of budget */
} hal_mmio_t;

/* Set up the backend for the SoC's accelerator and main memory (read from SOCINFO).
 * Sets up nothing on the chip itself: systole_dev_open does. */
systole_status_t hal_mmio_open(hal_mmio_t *hm);

/* The same with an explicit CSR base and main-memory range (tests, other SoCs). */
systole_status_t hal_mmio_init(hal_mmio_t *hm, uint32_t csr_base, uint32_t mem_base,
                               uint32_t mem_bytes);

/* Bytes of main memory in the largest free range (for reports). */
uint32_t hal_mmio_largest_free(const hal_mmio_t *hm);

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_HAL_MMIO_H */
