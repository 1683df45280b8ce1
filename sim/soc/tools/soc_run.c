/* soc_run — run an RV32 ELF on the simulated Systole SoC.
 *
 * Usage: soc_run [--max-cycles N] [--waves out.fst] [--wave-window A:B] [--quiet] prog.elf
 *
 * The firmware's UART output goes to stdout as it is sent (unless --quiet). At the end one
 * line goes to stderr:
 *   soc_run: exit <code> after <cycles> cycles (<sec> s, <rate> cycles/s)
 * or, when the budget ran out, "soc_run: cycle limit <N> reached ...".
 * Exit status: the firmware's exit code clipped to 0..255 (0 stays 0, 1..254 as is, any
 * other value 255, so a nonzero code never reads as success); 124 if the cycle limit was
 * reached; 125 on a usage, load or simulator error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "systole_soc_sim.h"

#define EXIT_LIMIT 124
#define EXIT_ERROR 125

static void usage(FILE *f) {
  fprintf(f,
          "usage: soc_run [--max-cycles N] [--waves out.fst] [--wave-window A:B] [--quiet] prog.elf\n"
          "  --max-cycles N     cycle budget (default 100000000); exit status 124 when reached\n"
          "  --waves out.fst    FST waveform of the whole run (or of the window)\n"
          "  --wave-window A:B  only cycles [A, B) (needs --waves)\n"
          "  --quiet            do not echo the UART to stdout\n"
          "exit status: the firmware's exit code (0..254, larger values 255), 124 cycle limit,\n"
          "125 usage/load/simulator error\n");
}

static int parse_u64(const char *s, unsigned long long *out) {
  char *end;
  if (!s || !*s || *s == '-') return 0;
  errno = 0;
  *out = strtoull(s, &end, 0);
  return errno == 0 && *end == '\0';
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The process status for an exit code: never 0 for a nonzero code. */
static int exit_status(uint32_t code) { return code <= 254u ? (int)code : 255; }

int main(int argc, char **argv) {
  systole_soc_sim_config_t cfg;
  systole_soc_sim_t *sim;
  systole_soc_sim_stop_t why;
  const char *elf = NULL, *waves = NULL;
  unsigned long long max_cycles = 0, win_a = 0, win_b = 0;
  int quiet = 0, window = 0, st, i;
  uint32_t code = 0;
  double t0, secs;
  uint64_t cycles;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--max-cycles") && i + 1 < argc) {
      if (!parse_u64(argv[++i], &max_cycles) || max_cycles == 0) {
        fprintf(stderr, "soc_run: --max-cycles wants a positive number, not '%s'\n", argv[i]);
        return EXIT_ERROR;
      }
    } else if (!strcmp(a, "--waves") && i + 1 < argc) {
      waves = argv[++i];
    } else if (!strcmp(a, "--wave-window") && i + 1 < argc) {
      char buf[64];
      char *colon;
      const char *w = argv[++i];
      if (strlen(w) >= sizeof buf) w = "";
      strcpy(buf, w);
      colon = strchr(buf, ':');
      if (colon) *colon = '\0';
      if (!colon || !parse_u64(buf, &win_a) || !parse_u64(colon + 1, &win_b) || win_a >= win_b) {
        fprintf(stderr, "soc_run: --wave-window wants A:B with A < B, not '%s'\n", argv[i]);
        return EXIT_ERROR;
      }
      window = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "soc_run: unknown option or missing value: %s\n", a);
      usage(stderr);
      return EXIT_ERROR;
    } else if (!elf) {
      elf = a;
    } else {
      fprintf(stderr, "soc_run: more than one program given ('%s', '%s')\n", elf, a);
      return EXIT_ERROR;
    }
  }
  if (!elf) {
    usage(stderr);
    return EXIT_ERROR;
  }
  if (window && !waves) {
    fprintf(stderr, "soc_run: --wave-window needs --waves FILE\n");
    return EXIT_ERROR;
  }

  systole_soc_sim_config_default(&cfg);
  if (max_cycles) cfg.max_cycles = max_cycles;
  cfg.wave_path = waves;
  cfg.uart_echo = !quiet;
  st = systole_soc_sim_create(&cfg, &sim);
  if (st != SYSTOLE_SOC_SIM_OK) {
    fprintf(stderr, "soc_run: cannot create the SoC model: %s\n", systole_soc_sim_strerror(st));
    return EXIT_ERROR;
  }
  st = systole_soc_sim_load_elf(sim, elf);
  if (st != SYSTOLE_SOC_SIM_OK) {
    fprintf(stderr, "soc_run: %s\n", systole_soc_sim_last_error(sim));
    systole_soc_sim_destroy(sim);
    return EXIT_ERROR;
  }
  if (waves) {
    st = window ? systole_soc_sim_wave_window(sim, win_a, win_b)
                : systole_soc_sim_wave_start(sim, NULL);
    if (st != SYSTOLE_SOC_SIM_OK) {
      fprintf(stderr, "soc_run: waves: %s\n", systole_soc_sim_last_error(sim));
      systole_soc_sim_destroy(sim);
      return EXIT_ERROR;
    }
  }

  t0 = now_s();
  st = systole_soc_sim_run(sim, 0, &why);
  secs = now_s() - t0;
  cycles = systole_soc_sim_cycles(sim);
  /* on a terminal, keep the summary on a line of its own */
  if (!quiet && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO)) {
    size_t len;
    const char *text = systole_soc_sim_uart(sim, &len);
    uint64_t sent = systole_soc_sim_uart_bytes(sim);
    if (sent > 0 && (sent != len || text[len - 1] != '\n')) putchar('\n');
  }
  fflush(stdout);
  if (st != SYSTOLE_SOC_SIM_OK) {
    fprintf(stderr, "soc_run: %s after %llu cycles\n", systole_soc_sim_last_error(sim),
            (unsigned long long)cycles);
    systole_soc_sim_destroy(sim);
    return EXIT_ERROR;
  }
  if (why == SYSTOLE_SOC_SIM_STOP_EXIT && systole_soc_sim_exit_code(sim, &code) == SYSTOLE_SOC_SIM_OK) {
    fprintf(stderr, "soc_run: exit %lu after %llu cycles (%.3f s, %.0f cycles/s)\n",
            (unsigned long)code, (unsigned long long)cycles, secs,
            secs > 0 ? (double)cycles / secs : 0.0);
    systole_soc_sim_destroy(sim); /* closes the wave file */
    return exit_status(code);
  }
  fprintf(stderr, "soc_run: cycle limit %llu reached without an exit (%.3f s, %.0f cycles/s)\n",
          (unsigned long long)cycles, secs, secs > 0 ? (double)cycles / secs : 0.0);
  systole_soc_sim_destroy(sim);
  return EXIT_LIMIT;
}
