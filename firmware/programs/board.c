/* board — the iCEBreaker demo: the firmware the board's bitstream runs at power-up
 * (docs/fpga.md). One conv2d job and one transformer attention block (Q/K/V projections,
 * multi-head causal attention, output projection) on the accelerator through the driver,
 * every result checked bit for bit against the golden kernels computed on the core
 * (firmware/jobs/fw_jobs.c, the same job code as the conv2d and attention programs).
 *
 * Prints a report row per driver call and per job (shape, end-to-end cycles, chip busy
 * cycles, MACs, utilisation, PASS/FAIL) and ends with "board: PASS" (exit 0) or
 * "board: FAIL" (exit 1). No accelerator interrupt is required: on the SoC the chip usually
 * finishes before the core waits for it.
 *
 * Sized for the board: 64 KiB of RAM and 64 KiB of main memory, the small chip (4x4, 2 KiB
 * scratchpad, no softmax unit: the driver runs the softmax on this core) and the board's
 * core (iterative multiplier: the golden kernels take ~200 cycles a MAC), the whole run
 * about 15 M cycles with the image load and the UART at 115200 baud (~2600 cycles a
 * character at 30 MHz: the output is kept short). The code of the driver's job builders
 * runs from the bottom of main memory (firmware.mk: board.ld); the HAL's allocator gets
 * the main memory above it. Integer arithmetic and picolibc's integer printf only. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "prog.h"
#include "systole_regs.h"

/* shapes (overridable with -D): conv2d HW x HW x CIN -> COUT, 3x3 SAME, ReLU; attention on
 * T tokens of width D, HEADS causal heads */
#ifndef BOARD_CONV_HW
#define BOARD_CONV_HW 8
#endif
#ifndef BOARD_CONV_CIN
#define BOARD_CONV_CIN 4
#endif
#ifndef BOARD_CONV_COUT
#define BOARD_CONV_COUT 8
#endif
#ifndef BOARD_ATT_T
#define BOARD_ATT_T 16
#endif
#ifndef BOARD_ATT_D
#define BOARD_ATT_D 16
#endif
#ifndef BOARD_ATT_HEADS
#define BOARD_ATT_HEADS 2
#endif
/* command ring slots (32 bytes each) in main memory */
#ifndef BOARD_RING_SLOTS
#define BOARD_RING_SLOTS 64
#endif

/* the code in main memory (board.ld) and the heap in the RAM (link.ld) */
extern const char __xip_start[], __xip_end[], __heap_start[], __heap_end[];

static hal_mmio_t g_hm;
static systole_dev_t g_dev;

/* "<name> job: N cycles in all" — the job's whole time on the core: data, weight packing,
 * driver calls, read-back, golden kernels and its report lines */
static void job_total(const char *name, uint64_t t0) {
  char c[FWJ_U64_CHARS];
  printf("%s job: %s cycles in all\n", name, fwj_u64(c, fw_rdcycle() - t0));
}

int main(void) {
  const uint32_t main_base = fw_socinfo(SOC_SOCINFO_MAIN_BASE);
  const uint32_t main_end = main_base + fw_socinfo(SOC_SOCINFO_MAIN_BYTES);
  const uint32_t code_end = (uint32_t)(uintptr_t)__xip_end;
  systole_dev_config_t cfg;
  systole_ref_attention_params_t aq;
  fwj_result_t rc, ra;
  systole_status_t st;
  char shape[48];
  uint64_t t0;
  int pass = 1;

  if ((uint32_t)(uintptr_t)__xip_start != main_base || code_end > main_end) {
    printf("board: FAIL: the code is linked for main memory at 0x%08lx, the SoC's is at "
           "0x%08lx (%lu bytes)\n",
           (unsigned long)(uintptr_t)__xip_start, (unsigned long)main_base,
           (unsigned long)(main_end - main_base));
    return 2;
  }
  memset(&cfg, 0, sizeof(cfg));
  cfg.ring_slots = BOARD_RING_SLOTS;
  if (prog_open_range("board", &g_hm, &g_dev, &cfg, code_end, main_end - code_end)) return 2;
  printf("main memory: driver code %lu bytes, %lu bytes for its buffers; softmax on the %s\n",
         (unsigned long)(code_end - main_base), (unsigned long)(main_end - code_end),
         SYSTOLE_CFG_FEATURES_SOFTMAX_GET(g_dev.caps.features) ? "chip" : "core");
  fwj_report_header();

  /* job 1: a conv2d layer */
  t0 = fw_rdcycle();
  st = fwj_conv2d_shape(&g_dev, BOARD_CONV_HW, BOARD_CONV_CIN, BOARD_CONV_COUT, &rc);
  if (st != SYSTOLE_OK || !rc.pass) pass = 0;
  job_total("conv2d", t0);

  /* job 2: an attention block; the attention's requantisation from the scales q = k = 0.06,
   * v = 0.05, out = 0.03, softmax scale 1/sqrt(d), in integer arithmetic */
  t0 = fw_rdcycle();
  memset(&aq, 0, sizeof(aq));
  aq.d = BOARD_ATT_D / BOARD_ATT_HEADS;
  if (fwj_attention_qparams(&aq, 600u, 600u, 500u, 300u) != 0) {
    printf("ERROR attention: qparams\n");
    st = SYSTOLE_BAD_ARG;
    memset(&ra, 0, sizeof(ra));
  } else {
    st = fwj_attention_block_shape(&g_dev, BOARD_ATT_T, BOARD_ATT_D, BOARD_ATT_HEADS, &aq, &ra);
  }
  if (st != SYSTOLE_OK) ra.pass = 0;
  if (!ra.pass) pass = 0;
  snprintf(shape, sizeof(shape), "%u tok x %u, %u heads, %lu calls", (unsigned)BOARD_ATT_T,
           (unsigned)BOARD_ATT_D, (unsigned)BOARD_ATT_HEADS, (unsigned long)ra.calls);
  fwj_report_total(&g_dev, "att block", shape, &ra);
  job_total("attention", t0);

  /* the arena picolibc's malloc has taken from the heap (it does not shrink): the peak */
  printf("RAM: heap %lu of %lu bytes used\n", (unsigned long)mallinfo().arena,
         (unsigned long)(__heap_end - __heap_start));
  return prog_finish("board", &g_hm, &g_dev, pass);
}
