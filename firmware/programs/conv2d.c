/* conv2d — one tiled conv2d layer issued by the firmware, checked bit for bit against the
 * golden kernel computed on the core (shape: fw_jobs.h, FWJ_CONV_*).
 *
 * Prints the layer's report row, a BENCH line (end-to-end cycles around the driver call;
 * firmware/bench compares it with the host driver on the bare chip), the interrupt counts
 * and PASS/FAIL. Exit status 0 iff the output equals the golden kernel's. */
#include <stdio.h>

#include "prog.h"

static hal_mmio_t g_hm;
static systole_dev_t g_dev;

int main(void) {
  fwj_result_t r;
  systole_status_t st;
  uint32_t irq0;
  if (prog_open("conv2d", &g_hm, &g_dev, NULL)) return 2;
  fwj_report_header();
  irq0 = fw_irq_ext_count;
  st = fwj_conv2d(&g_dev, &r);
  if (st != SYSTOLE_OK) r.pass = 0;
  printf("conv2d job: %lu accelerator interrupts\n", (unsigned long)(fw_irq_ext_count - irq0));
  fwj_print_bench(&g_dev, "conv2d", &r);
  return prog_finish("conv2d", &g_hm, &g_dev, r.pass && prog_irq_seen(irq0));
}
