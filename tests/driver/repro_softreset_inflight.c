/* Soft-reset regression (found by the driver work): after CTRL.SOFT_RESET the chip must
 * run the next command. With the RTL of the first chip drop it did not: it fetched one slot
 * (RING_HEAD moved past RING_TAIL) and stayed busy forever, and a second soft reset never
 * finished (STATUS.RESETTING stayed 1) — after an error stop (injected AXI read error,
 * reset as soon as the ERROR interrupt rises) and also without any error (`noerror`: a
 * LOAD that completed, idle chip, soft reset). The driver soft-resets on open and after
 * every chip error, so device re-open and error recovery depend on it (test_dev_reopen,
 * test_hw_error_recovery). Fixed in rtl/ (cmdproc/top) since; kept as a regression.
 *
 * Build: make build/8x8/repro_softreset_inflight (driver/driver.mk), or by hand:
 *   gcc -std=c99 -Idriver/include -Isim/include tests/driver/repro_softreset_inflight.c \
 *       build/8x8/libsystole_sim.a -lstdc++ -lm -lz -lpthread -o /tmp/repro && /tmp/repro
 * Exit status 0: chip recovered; 1: the bug.
 */
#include <stdio.h>
#include <string.h>

#include "systole_cmd.h"
#include "systole_regs.h"
#include "systole_sim.h"

#define CK(x) do { if ((x) != SYSTOLE_SIM_OK) { printf("sim call failed: %s\n", #x); return 2; } } while (0)

static int submit(systole_sim_t *sim, uint64_t ring, unsigned *tail, systole_cmd_t c) {
  uint8_t b[32];
  systole_cmd_to_bytes(&c, b);
  if (systole_sim_mem_write(sim, ring + *tail * 32u, b, 32)) return 1;
  *tail = (*tail + 1) % 64;
  return systole_sim_csr_write(sim, SYSTOLE_REG_RING_TAIL, *tail);
}

int main(int argc, char **argv) {
  int noerror = argc > 1 && strcmp(argv[1], "noerror") == 0;
  systole_sim_t *sim;
  systole_sim_config_t cfg;
  uint64_t ring, buf;
  uint32_t v, rows;
  unsigned tail = 0, i;
  systole_load_t l;
  systole_sim_stop_t why;
  systole_sim_config_default(&cfg);
  CK(systole_sim_create(&cfg, &sim));
  CK(systole_sim_csr_read(sim, SYSTOLE_REG_CFG_ARRAY, &v));
  rows = SYSTOLE_CFG_ARRAY_ROWS_GET(v);
  CK(systole_sim_mem_alloc(sim, 64 * 32, 32, &ring));
  CK(systole_sim_mem_alloc(sim, 65536, 64, &buf));
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_WIN_BASE, 4096));
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_WIN_SIZE, (uint32_t)(cfg.mem_bytes - 4096)));
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_RING_BASE, (uint32_t)ring));
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_RING_SIZE, 64));
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_IRQ_ENABLE, 1u << SYSTOLE_IRQ_ENABLE_ERROR_SHIFT));
  /* row 0 of a 64-row LOAD answers SLVERR; rows 1.. are in flight when the error is seen */
  if (!noerror) CK(systole_sim_mem_inject_error(sim, buf, 16, 1, 0));
  memset(&l, 0, sizeof(l));
  l.target = SYSTOLE_TARGET_SPAD;
  l.rows = 64;
  l.src = (uint32_t)buf;
  l.src_stride = 24;
  l.row_bytes = (uint16_t)rows;
  l.dst_stride = 1;
  if (submit(sim, ring, &tail, systole_cmd_load(&l, 0))) return 2;
  CK(systole_sim_run(sim, noerror ? SYSTOLE_SIM_STOP_IDLE : SYSTOLE_SIM_STOP_IRQ, 100000, &why));
  CK(systole_sim_csr_read(sim, SYSTOLE_REG_STATUS, &v));
  printf("%s: STATUS=0x%08x (error %u)\n", noerror ? "first LOAD done" : "after error IRQ", v, SYSTOLE_STATUS_ERR_CODE_GET(v));
  /* soft reset right away (the driver does this on the error interrupt) */
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_IRQ_STATUS, 7));
  CK(systole_sim_csr_write(sim, SYSTOLE_REG_CTRL, 1));
  for (i = 0; i < 10000; i++) {
    CK(systole_sim_csr_read(sim, SYSTOLE_REG_STATUS, &v));
    if (!SYSTOLE_STATUS_RESETTING_GET(v)) break;
  }
  printf("after soft reset: STATUS=0x%08x\n", v);
  CK(systole_sim_mem_inject_error(sim, 0, 0, 0, 0));
  /* a harmless LOAD: must complete */
  tail = 0;
  l.rows = 4;
  if (submit(sim, ring, &tail, systole_cmd_load(&l, 0))) return 2;
  CK(systole_sim_run(sim, SYSTOLE_SIM_STOP_IDLE, 100000, &why));
  CK(systole_sim_csr_read(sim, SYSTOLE_REG_STATUS, &v));
  {
    uint32_t head;
    CK(systole_sim_csr_read(sim, SYSTOLE_REG_RING_HEAD, &head));
    printf("next job: %s, STATUS=0x%08x RING_HEAD=%u\n",
           why == SYSTOLE_SIM_STOP_IDLE ? "idle" : "NOT idle after 100000 cycles", v, head);
  }
  systole_sim_destroy(sim);
  return why == SYSTOLE_SIM_STOP_IDLE && !SYSTOLE_STATUS_ERROR_GET(v) ? 0 : 1;
}
