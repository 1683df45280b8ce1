/* SoC simulation-speed benchmark: SoC cycles per host second while the RV32 core runs a
 * CPU-only program (sim/soc/bench/cpu_loop.S), the median of several runs (a fresh
 * instance each, only the run timed, waves off, UART not echoed). Appends one row to the
 * CSV given with -o: config,soc,<program>,<cycles>,0,0,0,0,<cycles/s>.
 *
 * Usage: bench_soc [-o build/bench.csv] [-c config-name] [-r repeats] prog.elf
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systole_soc_sim.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One run: returns the cycles, stores the rate. Exits on any failure. */
static uint64_t run_once(const char *elf, double *rate) {
  systole_soc_sim_config_t cfg;
  systole_soc_sim_t *s;
  systole_soc_sim_stop_t why;
  uint32_t code = 1;
  uint64_t cycles;
  double t0, t1;
  int st;
  systole_soc_sim_config_default(&cfg);
  cfg.max_cycles = 1000000000ull;
  st = systole_soc_sim_create(&cfg, &s);
  if (st != SYSTOLE_SOC_SIM_OK) {
    fprintf(stderr, "bench_soc: create: %s\n", systole_soc_sim_strerror(st));
    exit(1);
  }
  if (systole_soc_sim_load_elf(s, elf) != SYSTOLE_SOC_SIM_OK) {
    fprintf(stderr, "bench_soc: %s\n", systole_soc_sim_last_error(s));
    exit(1);
  }
  t0 = now_s();
  st = systole_soc_sim_run(s, 0, &why);
  t1 = now_s();
  cycles = systole_soc_sim_cycles(s);
  if (st != SYSTOLE_SOC_SIM_OK || why != SYSTOLE_SOC_SIM_STOP_EXIT ||
      systole_soc_sim_exit_code(s, &code) != SYSTOLE_SOC_SIM_OK || code != 0) {
    fprintf(stderr, "bench_soc: %s did not exit cleanly (status %s, exit code %u, %llu cycles): %s\n",
            elf, systole_soc_sim_strerror(st), code, (unsigned long long)cycles,
            systole_soc_sim_last_error(s));
    exit(1);
  }
  *rate = (double)cycles / (t1 - t0);
  systole_soc_sim_destroy(s);
  return cycles;
}

int main(int argc, char **argv) {
  const char *csv = NULL, *config = NULL, *elf = NULL, *base;
  char name[64];
  unsigned repeats = 5, i;
  double rates[16];
  uint64_t cycles = 0, c;
  systole_soc_sim_info_t info;
  FILE *f;
  for (i = 1; i < (unsigned)argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < (unsigned)argc) csv = argv[++i];
    else if (!strcmp(argv[i], "-c") && i + 1 < (unsigned)argc) config = argv[++i];
    else if (!strcmp(argv[i], "-r") && i + 1 < (unsigned)argc) repeats = (unsigned)strtoul(argv[++i], NULL, 0);
    else if (argv[i][0] != '-' && !elf) elf = argv[i];
    else {
      fprintf(stderr, "usage: bench_soc [-o csv] [-c config] [-r repeats] prog.elf\n");
      return 2;
    }
  }
  if (!elf || repeats < 1 || repeats > 16) {
    fprintf(stderr, "usage: bench_soc [-o csv] [-c config] [-r repeats 1..16] prog.elf\n");
    return 2;
  }
  systole_soc_sim_info(&info);
  if (!config) config = info.config;
  /* row name: the program's file name without directory and .elf */
  base = strrchr(elf, '/');
  base = base ? base + 1 : elf;
  snprintf(name, sizeof name, "%s", base);
  if (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".elf")) name[strlen(name) - 4] = '\0';

  for (i = 0; i < repeats; i++) {
    c = run_once(elf, &rates[i]);
    if (i && c != cycles) {
      fprintf(stderr, "bench_soc: run %u took %llu cycles, run 0 %llu: not deterministic\n", i,
              (unsigned long long)c, (unsigned long long)cycles);
      return 1;
    }
    cycles = c;
  }
  qsort(rates, repeats, sizeof(double), cmp_double);
  printf("%-8s %-6s %-22s %10llu cycles  %.3f M simulated SoC cycles/s (median of %u)\n", config,
         "soc", name, (unsigned long long)cycles, rates[repeats / 2] / 1e6, repeats);
  if (csv) {
    f = fopen(csv, "a");
    if (!f) {
      perror(csv);
      return 1;
    }
    fprintf(f, "%s,soc,%s,%llu,0,0.0000,0,0,%.0f\n", config, name, (unsigned long long)cycles,
            rates[repeats / 2]);
    fclose(f);
  }
  return 0;
}
