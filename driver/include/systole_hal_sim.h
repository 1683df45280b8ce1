/* systole_hal_sim.h — the simulator backend of the Systole HAL.
 *
 * Wraps a systole_sim_t (sim/include/systole_sim.h): CSR access through the simulated
 * AXI4-Lite port, device memory through the simulator's allocator and backdoor copies,
 * waits by clocking the model until IDLE/IRQ (the simulated interrupt line) or the
 * budget. Host scratch memory comes from malloc (this backend is host-only).
 */
#ifndef SYSTOLE_HAL_SIM_H
#define SYSTOLE_HAL_SIM_H

#include "systole.h"
#include "systole_hal.h"
#include "systole_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  systole_sim_t *sim;   /* the chip */
  int owns_sim;         /* created by systole_hal_sim_open */
  uint64_t mem_bytes;   /* main memory size */
  int last_sim_status;  /* last failing systole_sim_* status (for messages) */
  systole_hal_t hal;    /* pass &hs->hal to systole_dev_open */
} systole_hal_sim_t;

/* Create a simulated chip (cfg NULL: the reference memory model) and its HAL. */
SYSTOLE_MUST_CHECK systole_status_t systole_hal_sim_open(systole_hal_sim_t *hs,
                                                         const systole_sim_config_t *cfg);
/* Wrap an existing chip whose main memory is mem_bytes large (not destroyed on close). */
SYSTOLE_MUST_CHECK systole_status_t systole_hal_sim_wrap(systole_hal_sim_t *hs, systole_sim_t *sim,
                                                         uint64_t mem_bytes);
/* Destroy the chip if this HAL created it. */
SYSTOLE_MUST_CHECK systole_status_t systole_hal_sim_close(systole_hal_sim_t *hs);

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_HAL_SIM_H */
