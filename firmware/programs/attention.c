/* attention — a transformer attention block issued by the firmware: Q/K/V projections,
 * multi-head causal attention (QK^T, softmax on the chip or, without the unit, on the core, PV) and the output projection,
 * all on the chip, each checked bit for bit against the golden kernels computed on the core
 * (shape: fw_jobs.h, FWJ_ATT_*).
 *
 * Prints one report row per driver call, a BENCH line (end-to-end cycles of the five calls),
 * the interrupt counts and PASS/FAIL. Exit status 0 iff every step matches. */
#include <stdio.h>

#include "prog.h"
#include "systole_regs.h"

static hal_mmio_t g_hm;
static systole_dev_t g_dev;

int main(void) {
  fwj_result_t r;
  systole_status_t st;
  uint32_t irq0;
  if (prog_open("attention", &g_hm, &g_dev, NULL)) return 2;
  /* A chip without the softmax unit (the FPGA-sized one) runs QK^T and PV on the chip and
   * the softmax on this core, inside the driver (docs/driver.md). */
  printf("softmax: %s\n", SYSTOLE_CFG_FEATURES_SOFTMAX_GET(g_dev.caps.features)
                               ? "on the chip" : "on the core (the chip has no softmax unit)");
  fwj_report_header();
  irq0 = fw_irq_ext_count;
  st = fwj_attention_block(&g_dev, &r);
  if (st != SYSTOLE_OK) r.pass = 0;
  printf("attention block: %lu driver calls, %lu accelerator interrupts\n",
         (unsigned long)r.calls, (unsigned long)(fw_irq_ext_count - irq0));
  fwj_print_bench(&g_dev, "attention", &r);
  return prog_finish("attention", &g_hm, &g_dev, r.pass && prog_irq_seen(irq0));
}
