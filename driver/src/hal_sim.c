/* hal_sim.c — simulator backend of the Systole HAL (see systole_hal_sim.h). */
#include "systole_hal_sim.h"

#include <stdlib.h>
#include <string.h>

static int sim_note(systole_hal_sim_t *hs, int rc) {
  if (rc != SYSTOLE_SIM_OK) hs->last_sim_status = rc;
  return rc;
}

static int hs_reg_read(void *ctx, uint32_t off, uint32_t *v) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  return sim_note(hs, systole_sim_csr_read(hs->sim, off, v));
}

static int hs_reg_write(void *ctx, uint32_t off, uint32_t v) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  return sim_note(hs, systole_sim_csr_write(hs->sim, off, v));
}

static int hs_mem_alloc(void *ctx, size_t bytes, size_t align, uint32_t *dev_addr) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  uint64_t a = 0;
  int rc = sim_note(hs, systole_sim_mem_alloc(hs->sim, bytes, align, &a));
  if (rc != SYSTOLE_SIM_OK) return rc;
  if (a > 0xffffffffull || a + bytes > 0x100000000ull) {
    if (systole_sim_mem_free(hs->sim, a) != SYSTOLE_SIM_OK) return SYSTOLE_SIM_ERANGE;
    return SYSTOLE_SIM_ERANGE;
  }
  *dev_addr = (uint32_t)a;
  return 0;
}

static int hs_mem_free(void *ctx, uint32_t dev_addr) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  return sim_note(hs, systole_sim_mem_free(hs->sim, dev_addr));
}

static int hs_mem_write(void *ctx, uint32_t a, const void *src, size_t n) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  return sim_note(hs, systole_sim_mem_write(hs->sim, a, src, n));
}

static int hs_mem_read(void *ctx, uint32_t a, void *dst, size_t n) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  return sim_note(hs, systole_sim_mem_read(hs->sim, a, dst, n));
}

static int hs_wait(void *ctx, unsigned what, uint64_t budget, unsigned *reached) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  systole_sim_stop_t why = SYSTOLE_SIM_STOP_LIMIT;
  unsigned mask = 0;
  int rc;
  if (what & SYSTOLE_HAL_WAIT_IDLE) mask |= SYSTOLE_SIM_STOP_IDLE;
  if (what & SYSTOLE_HAL_WAIT_IRQ) mask |= SYSTOLE_SIM_STOP_IRQ;
  rc = sim_note(hs, systole_sim_run(hs->sim, mask, budget, &why));
  if (rc != SYSTOLE_SIM_OK) return rc;
  /* IDLE wins in the simulator's report: tell the caller everything that holds now */
  *reached = 0;
  if ((what & SYSTOLE_HAL_WAIT_IDLE) && systole_sim_idle(hs->sim)) *reached |= SYSTOLE_HAL_WAIT_IDLE;
  if ((what & SYSTOLE_HAL_WAIT_IRQ) && systole_sim_irq(hs->sim)) *reached |= SYSTOLE_HAL_WAIT_IRQ;
  return 0;
}

static uint64_t hs_cycles(void *ctx) {
  systole_hal_sim_t *hs = (systole_hal_sim_t *)ctx;
  return systole_sim_cycles(hs->sim);
}

static void *hs_host_alloc(void *ctx, size_t bytes) {
  (void)ctx;
  return malloc(bytes ? bytes : 1);
}

static void hs_host_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

systole_status_t systole_hal_sim_wrap(systole_hal_sim_t *hs, systole_sim_t *sim,
                                      uint64_t mem_bytes) {
  if (!hs || !sim || mem_bytes <= 4096) return SYSTOLE_BAD_ARG;
  memset(hs, 0, sizeof(*hs));
  hs->sim = sim;
  hs->mem_bytes = mem_bytes;
  hs->hal.ctx = hs;
  hs->hal.reg_read = hs_reg_read;
  hs->hal.reg_write = hs_reg_write;
  hs->hal.mem_alloc = hs_mem_alloc;
  hs->hal.mem_free = hs_mem_free;
  hs->hal.mem_write = hs_mem_write;
  hs->hal.mem_read = hs_mem_read;
  hs->hal.wait = hs_wait;
  hs->hal.cycles = hs_cycles;
  hs->hal.host_alloc = hs_host_alloc;
  hs->hal.host_free = hs_host_free;
  /* the simulator's allocator starts at 4 KiB; addresses are 32-bit */
  hs->hal.mem_base = 4096;
  hs->hal.mem_size = (uint32_t)((mem_bytes > 0x100000000ull ? 0x100000000ull : mem_bytes) - 4096);
  return SYSTOLE_OK;
}

systole_status_t systole_hal_sim_open(systole_hal_sim_t *hs, const systole_sim_config_t *cfg) {
  systole_sim_config_t def;
  systole_sim_t *sim = NULL;
  systole_status_t st;
  if (!hs) return SYSTOLE_BAD_ARG;
  if (!cfg) {
    systole_sim_config_default(&def);
    cfg = &def;
  }
  if (systole_sim_create(cfg, &sim) != SYSTOLE_SIM_OK || !sim) return SYSTOLE_HAL_ERROR;
  st = systole_hal_sim_wrap(hs, sim, cfg->mem_bytes);
  if (st != SYSTOLE_OK) {
    systole_sim_destroy(sim);
    return st;
  }
  hs->owns_sim = 1;
  return SYSTOLE_OK;
}

systole_status_t systole_hal_sim_close(systole_hal_sim_t *hs) {
  if (!hs) return SYSTOLE_BAD_ARG;
  if (hs->owns_sim && hs->sim) systole_sim_destroy(hs->sim);
  hs->sim = NULL;
  hs->owns_sim = 0;
  return SYSTOLE_OK;
}
