/* Simulation-speed benchmark: the chip running back-to-back matmul tiles, waves off.
 *
 * Preloads activations and weight tiles, then streams MATMUL commands (a new weight tile
 * each, ROWS activation rows each) through the command ring and measures simulated cycles
 * per host second (median of several runs). Appends one row to the CSV file given with -o.
 *
 * Usage: bench_sim [-o build/bench.csv] [-c config-name] [-n tiles] [-r repeats]
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systole_cmd.h"
#include "systole_regs.h"
#include "systole_sim.h"

#define CHECK(expr)                                                              \
  do {                                                                           \
    int rc_ = (expr);                                                            \
    if (rc_ != SYSTOLE_SIM_OK) {                                                 \
      fprintf(stderr, "bench_sim: %s: %s\n", #expr, systole_sim_strerror(rc_)); \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

typedef struct {
  systole_sim_t *sim;
  uint64_t ring;
  unsigned slots, tail;
} ring_t;

static uint32_t rd(systole_sim_t *s, uint32_t off) {
  uint32_t v = 0;
  CHECK(systole_sim_csr_read(s, off, &v));
  return v;
}

static uint64_t counter(systole_sim_t *s, uint32_t lo) {
  uint32_t l = rd(s, lo);
  return ((uint64_t)rd(s, lo + 4) << 32) | l;
}

/* Append a command, publishing the tail and letting the chip run while the ring is full. */
static void push(ring_t *r, systole_cmd_t cmd) {
  uint8_t bytes[SYSTOLE_CMD_BYTES];
  unsigned next = (r->tail + 1) % r->slots;
  if (next == rd(r->sim, SYSTOLE_REG_RING_HEAD)) {
    CHECK(systole_sim_csr_write(r->sim, SYSTOLE_REG_RING_TAIL, r->tail));
    while (next == rd(r->sim, SYSTOLE_REG_RING_HEAD)) systole_sim_step(r->sim, 256);
  }
  systole_cmd_to_bytes(&cmd, bytes);
  CHECK(systole_sim_mem_write(r->sim, r->ring + (uint64_t)r->tail * SYSTOLE_CMD_BYTES, bytes,
                              sizeof(bytes)));
  r->tail = next;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct {
  uint64_t cycles, macs, rd_bytes, wr_bytes;
  double rate;
} result_t;

static result_t run_once(unsigned tiles, unsigned rows_per_tile) {
  systole_sim_config_t cfg;
  systole_sim_t *s;
  ring_t r;
  unsigned R, C, i, wtiles = 16;
  uint64_t a, w, o, busy0, macs0, rd0, wr0, cyc0;
  uint8_t *buf;
  systole_load_t l;
  systole_matmul_t m;
  systole_store_t st;
  systole_sim_stop_t why;
  result_t res;
  double t0, t1;

  systole_sim_config_default(&cfg);
  CHECK(systole_sim_create(&cfg, &s));
  R = SYSTOLE_CFG_ARRAY_ROWS_GET(rd(s, SYSTOLE_REG_CFG_ARRAY));
  C = SYSTOLE_CFG_ARRAY_COLS_GET(rd(s, SYSTOLE_REG_CFG_ARRAY));
  r.sim = s;
  r.slots = 1024;
  r.tail = 0;
  CHECK(systole_sim_mem_alloc(s, (uint64_t)r.slots * SYSTOLE_CMD_BYTES, 32, &r.ring));
  CHECK(systole_sim_mem_alloc(s, (uint64_t)rows_per_tile * R, 64, &a));
  CHECK(systole_sim_mem_alloc(s, (uint64_t)wtiles * C * R, 64, &w));
  CHECK(systole_sim_mem_alloc(s, (uint64_t)rows_per_tile * C * 4, 64, &o));
  buf = malloc((size_t)wtiles * C * R + (size_t)rows_per_tile * R);
  if (!buf) exit(1);
  for (i = 0; i < wtiles * C * R + rows_per_tile * R; i++) buf[i] = (uint8_t)(i * 37 + 11);
  CHECK(systole_sim_mem_write(s, a, buf, (uint64_t)rows_per_tile * R));
  CHECK(systole_sim_mem_write(s, w, buf + rows_per_tile * R, (uint64_t)wtiles * C * R));
  free(buf);
  CHECK(systole_sim_csr_write(s, SYSTOLE_REG_WIN_BASE, 4096));
  CHECK(systole_sim_csr_write(s, SYSTOLE_REG_WIN_SIZE, (uint32_t)(cfg.mem_bytes - 4096)));
  CHECK(systole_sim_csr_write(s, SYSTOLE_REG_RING_BASE, (uint32_t)r.ring));
  CHECK(systole_sim_csr_write(s, SYSTOLE_REG_RING_SIZE, r.slots));

  memset(&l, 0, sizeof(l));
  l.target = SYSTOLE_TARGET_SPAD;
  l.rows = (uint16_t)rows_per_tile;
  l.src = (uint32_t)a;
  l.src_stride = R;
  l.row_bytes = (uint16_t)R;
  l.dst_stride = 1;
  push(&r, systole_cmd_load(&l, 0));
  l.rows = (uint16_t)(wtiles * C);
  l.src = (uint32_t)w;
  l.dst_line = (uint16_t)rows_per_tile;
  push(&r, systole_cmd_load(&l, 0));
  push(&r, systole_cmd_simple(SYSTOLE_OP_FENCE));
  CHECK(systole_sim_csr_write(s, SYSTOLE_REG_RING_TAIL, r.tail));
  CHECK(systole_sim_run(s, SYSTOLE_SIM_STOP_IDLE, 10000000, &why));

  busy0 = counter(s, SYSTOLE_REG_BUSY_CYCLES_LO);
  macs0 = counter(s, SYSTOLE_REG_MACS_LO);
  rd0 = counter(s, SYSTOLE_REG_DMA_RD_BYTES_LO);
  wr0 = counter(s, SYSTOLE_REG_DMA_WR_BYTES_LO);
  cyc0 = systole_sim_cycles(s);
  t0 = now_s();
  memset(&m, 0, sizeof(m));
  m.load_w = 1;
  m.rows = (uint16_t)rows_per_tile;
  m.a_stride = 1;
  m.acc_stride = 1;
  for (i = 0; i < tiles; i++) {
    m.accumulate = (i != 0);
    m.w_line = (uint16_t)(rows_per_tile + (i % wtiles) * C);
    push(&r, systole_cmd_matmul(&m, 0));
  }
  memset(&st, 0, sizeof(st));
  st.raw = 1;
  st.rows = (uint16_t)rows_per_tile;
  st.dst = (uint32_t)o;
  st.dst_stride = C * 4;
  st.channels = (uint16_t)C;
  st.src_stride = 1;
  push(&r, systole_cmd_simple(SYSTOLE_OP_FENCE));
  push(&r, systole_cmd_store(&st, 0));
  CHECK(systole_sim_csr_write(s, SYSTOLE_REG_RING_TAIL, r.tail));
  CHECK(systole_sim_run(s, SYSTOLE_SIM_STOP_IDLE, 1000000000ull, &why));
  t1 = now_s();
  if (why != SYSTOLE_SIM_STOP_IDLE || SYSTOLE_STATUS_ERROR_GET(rd(s, SYSTOLE_REG_STATUS))) {
    fprintf(stderr, "bench_sim: the job did not finish cleanly (STATUS=0x%x)\n",
            rd(s, SYSTOLE_REG_STATUS));
    exit(1);
  }
  res.cycles = counter(s, SYSTOLE_REG_BUSY_CYCLES_LO) - busy0;
  res.macs = counter(s, SYSTOLE_REG_MACS_LO) - macs0;
  res.rd_bytes = counter(s, SYSTOLE_REG_DMA_RD_BYTES_LO) - rd0;
  res.wr_bytes = counter(s, SYSTOLE_REG_DMA_WR_BYTES_LO) - wr0;
  res.rate = (double)(systole_sim_cycles(s) - cyc0) / (t1 - t0);
  systole_sim_destroy(s);
  return res;
}

int main(int argc, char **argv) {
  const char *csv = NULL, *config = "8x8";
  unsigned tiles = 4096, rows = 256, repeats = 5, i;
  double rates[16];
  result_t res = {0, 0, 0, 0, 0};
  unsigned R = 0, C = 0;
  FILE *f;
  for (i = 1; i + 1 < (unsigned)argc; i += 2) {
    if (!strcmp(argv[i], "-o")) csv = argv[i + 1];
    else if (!strcmp(argv[i], "-c")) config = argv[i + 1];
    else if (!strcmp(argv[i], "-n")) tiles = (unsigned)strtoul(argv[i + 1], NULL, 0);
    else if (!strcmp(argv[i], "-r")) repeats = (unsigned)strtoul(argv[i + 1], NULL, 0);
    else {
      fprintf(stderr, "usage: bench_sim [-o csv] [-c config] [-n tiles] [-r repeats]\n");
      return 2;
    }
  }
  if (repeats < 1 || repeats > 16 || tiles < 1) {
    fprintf(stderr, "bench_sim: repeats must be 1..16 and tiles >= 1\n");
    return 2;
  }
  if (sscanf(config, "%ux%u", &R, &C) != 2) R = C = 0;
  for (i = 0; i < repeats; i++) {
    res = run_once(tiles, rows);
    rates[i] = res.rate;
  }
  qsort(rates, repeats, sizeof(double), cmp_double);
  res.rate = rates[repeats / 2];
  printf("%-8s %-6s %-22s %10llu cycles %11llu MACs  util %5.1f%%  %.2f M simulated cycles/s (median of %u)\n",
         config, "sim", "matmul_tiles_b2b", (unsigned long long)res.cycles,
         (unsigned long long)res.macs,
         R && C ? 100.0 * (double)res.macs / ((double)R * C * (double)res.cycles) : 0.0,
         res.rate / 1e6, repeats);
  if (csv) {
    f = fopen(csv, "a");
    if (!f) {
      perror(csv);
      return 1;
    }
    fprintf(f, "%s,sim,matmul_tiles_b2b,%llu,%llu,%.4f,%llu,%llu,%.0f\n", config,
            (unsigned long long)res.cycles, (unsigned long long)res.macs,
            R && C ? (double)res.macs / ((double)R * C * (double)res.cycles) : 0.0,
            (unsigned long long)res.rd_bytes, (unsigned long long)res.wr_bytes, res.rate);
    fclose(f);
  }
  return 0;
}
