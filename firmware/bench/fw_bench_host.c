/* fw_bench_host — the host side of the firmware benchmark: the same jobs as the firmware
 * programs conv2d and attention (firmware/jobs/fw_jobs.c, same shapes, data and driver
 * calls), issued by the host driver through the simulator HAL on the bare chip model.
 *
 * Usage: fw_bench_host conv2d|attention
 * Prints the job's report rows, the "BENCH ..." line firmware/bench/fw_bench.sh parses and
 * "total: <n> cycles" (the chip model's clock at the end). Exit status 0 iff the job ran
 * and matched the golden kernels. */
#include <stdio.h>
#include <string.h>

#include "fw_jobs.h"
#include "systole.h"
#include "systole_hal_sim.h"

int main(int argc, char **argv) {
  systole_hal_sim_t hs;
  systole_dev_t dev;
  systole_status_t st;
  fwj_result_t r;
  const char *job = argc > 1 ? argv[1] : "";
  if (strcmp(job, "conv2d") != 0 && strcmp(job, "attention") != 0) {
    fprintf(stderr, "usage: %s conv2d|attention\n", argv[0]);
    return 2;
  }
  if (systole_hal_sim_open(&hs, NULL) != SYSTOLE_OK) return 2;
  st = systole_dev_open(&dev, &hs.hal, NULL);
  if (st != SYSTOLE_OK) {
    fwj_print_error(&dev, "dev_open", st);
    return 2;
  }
  printf("=== host driver on the bare %ux%u chip model: %s\n", dev.caps.rows, dev.caps.cols, job);
  fwj_report_header();
  st = strcmp(job, "conv2d") == 0 ? fwj_conv2d(&dev, &r) : fwj_attention_block(&dev, &r);
  if (st != SYSTOLE_OK) r.pass = 0;
  fwj_print_bench(&dev, job, &r);
  printf("total: %llu cycles\n", (unsigned long long)hs.hal.cycles(hs.hal.ctx));
  if (systole_dev_close(&dev) != SYSTOLE_OK || systole_hal_sim_close(&hs) != SYSTOLE_OK) return 2;
  printf("%s: %s\n", job, r.pass ? "PASS" : "FAIL");
  return r.pass ? 0 : 1;
}
