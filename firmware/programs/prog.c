/* prog.c — banner, device open and the closing report of the firmware programs. */
#include "prog.h"

#include <stdio.h>

int prog_open(const char *name, hal_mmio_t *hm, systole_dev_t *dev,
              const systole_dev_config_t *cfg) {
  return prog_open_range(name, hm, dev, cfg, fw_socinfo(SOC_SOCINFO_MAIN_BASE),
                         fw_socinfo(SOC_SOCINFO_MAIN_BYTES));
}

int prog_open_range(const char *name, hal_mmio_t *hm, systole_dev_t *dev,
                    const systole_dev_config_t *cfg, uint32_t mem_base, uint32_t mem_bytes) {
  systole_status_t st;
  printf("=== Systole firmware: %s\n", name);
  printf("SoC: %lu Hz, RAM %lu KiB, main memory %lu KiB at 0x%08lx\n",
         (unsigned long)fw_socinfo(SOC_SOCINFO_CLK_HZ),
         (unsigned long)fw_socinfo(SOC_SOCINFO_RAM_BYTES) / 1024u,
         (unsigned long)fw_socinfo(SOC_SOCINFO_MAIN_BYTES) / 1024u,
         (unsigned long)fw_socinfo(SOC_SOCINFO_MAIN_BASE));
  st = hal_mmio_init(hm, SOC_SYSTOLE_CSR_BASE, mem_base, mem_bytes);
  if (st != SYSTOLE_OK) {
    printf("ERROR hal_mmio_init: %s\n", systole_status_str(st));
    return 1;
  }
  st = systole_dev_open(dev, &hm->hal, cfg);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, "dev_open", st);
    return 1;
  }
  printf("chip: %lux%lu array, scratchpad %lu KiB, accumulator %lu KiB, %lu-bit bus, "
         "version 0x%08lx\n",
         (unsigned long)dev->caps.rows, (unsigned long)dev->caps.cols,
         (unsigned long)dev->caps.spad_bytes / 1024u, (unsigned long)dev->caps.acc_bytes / 1024u,
         (unsigned long)dev->caps.bus_bytes * 8u, (unsigned long)dev->caps.version);
  return 0;
}

int prog_irq_seen(uint32_t irq0) { return fw_irq_ext_count > irq0 || !fw_timer_present(); }

int prog_finish(const char *name, hal_mmio_t *hm, systole_dev_t *dev, int pass) {
  char a[FWJ_U64_CHARS], b[FWJ_U64_CHARS];
  systole_status_t st = systole_dev_close(dev);
  if (st != SYSTOLE_OK) {
    printf("ERROR dev_close: %s\n", systole_status_str(st));
    pass = 0;
  }
  if (hm->n_blocks != 0) {
    printf("ERROR %lu device allocations leaked\n", (unsigned long)hm->n_blocks);
    pass = 0;
  }
  /* 64-bit counters through fwj_u64: no %llu in picolibc's integer-only printf */
  printf("interrupts: accelerator %lu, timer %lu; waits %lu, wfi sleeps %lu (%s cycles "
         "asleep), budget expired %lu\n",
         (unsigned long)fw_irq_ext_count, (unsigned long)fw_irq_timer_count,
         (unsigned long)hm->waits, (unsigned long)hm->wfi_sleeps, fwj_u64(a, hm->wfi_cycles),
         (unsigned long)hm->budget_expired);
  printf("main memory: peak %lu bytes allocated\n", (unsigned long)hm->peak_bytes);
  printf("total: %s cycles, %s instructions\n", fwj_u64(a, fw_rdcycle()),
         fwj_u64(b, fw_rdinstret()));
  printf("%s: %s\n", name, pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
