/* Block-level and error-path tests of the Systole chip through the simulator's C API.
 *
 * Every test builds raw commands (systole_cmd.h) and checks results against independent C
 * computations (array, DMA) or the golden kernels (output stage). Random tests print the
 * seed and the command that reruns them.
 *
 * Usage: test_chip [--subset]   (SEED=n in the environment picks the random seed)
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chip_harness.h"
#include "systole_ref.h"

#define RUN_BUDGET 2000000ull

static uint64_t g_seed;

#define RERUN_HINT "rerun: SEED=%llu %s (make sim SEED=%llu)"
#define RERUN_ARGS (unsigned long long)g_seed, g_argv0, (unsigned long long)g_seed
static const char *g_argv0 = "test_chip";

/* ---------------------------------------------------------------------------------------
 * Small job helpers
 * ------------------------------------------------------------------------------------- */

static systole_load_t load_desc(unsigned target, unsigned rows, uint64_t src, uint32_t stride,
                                unsigned row_bytes, unsigned dst_line, unsigned dst_stride) {
  systole_load_t l;
  memset(&l, 0, sizeof(l));
  l.target = target;
  l.rows = (uint16_t)rows;
  l.src = (uint32_t)src;
  l.src_stride = stride;
  l.row_bytes = (uint16_t)row_bytes;
  l.dst_line = (uint16_t)dst_line;
  l.dst_stride = (uint16_t)dst_stride;
  return l;
}

static systole_store_t store_desc(int raw, unsigned rows, uint64_t dst, uint32_t stride,
                                  unsigned channels, unsigned src_line) {
  systole_store_t s;
  memset(&s, 0, sizeof(s));
  s.raw = raw;
  s.rows = (uint16_t)rows;
  s.dst = (uint32_t)dst;
  s.dst_stride = stride;
  s.channels = (uint16_t)channels;
  s.src_line = (uint16_t)src_line;
  s.src_stride = 1;
  return s;
}

static void expect_ok(chip_t *c, const char *what) {
  uint32_t st = chip_run(c, RUN_BUDGET);
  ck_assert_msg(!SYSTOLE_STATUS_ERROR_GET(st), "%s: chip error %u (%s) at slot %u", what,
                SYSTOLE_STATUS_ERR_CODE_GET(st), systole_hwerr_str(SYSTOLE_STATUS_ERR_CODE_GET(st)),
                chip_rd(c, SYSTOLE_REG_ERR_CMD));
}

/* One matmul tile: out[m][n] = sum_r a[m][r] * w[r][n] (a: M x rows, w: rows x cols),
 * through LOAD/MATMUL/STORE raw on the chip. acc_init: accumulate onto existing acc. */
static void chip_tile(chip_t *c, unsigned M, const int8_t *a, const int8_t *w, int32_t *out,
                      int accumulate) {
  unsigned R = c->rows, C = c->cols, r, n;
  int8_t *wt = malloc((size_t)R * C);
  uint64_t a_addr, w_addr, o_addr;
  systole_load_t la, lw;
  systole_matmul_t mm;
  systole_store_t s;
  systole_cmd_t cmds[4];
  ck_assert_ptr_nonnull(wt);
  for (n = 0; n < C; n++)
    for (r = 0; r < R; r++) wt[n * R + r] = w[r * C + n];
  a_addr = chip_alloc(c, (uint64_t)M * R, a);
  w_addr = chip_alloc(c, (uint64_t)R * C, wt);
  o_addr = chip_alloc(c, (uint64_t)M * C * 4, NULL);
  la = load_desc(SYSTOLE_TARGET_SPAD, M, a_addr, R, R, 0, 1);
  lw = load_desc(SYSTOLE_TARGET_SPAD, C, w_addr, R, R, c->spad_lines / 2, 1);
  memset(&mm, 0, sizeof(mm));
  mm.accumulate = accumulate;
  mm.load_w = 1;
  mm.rows = (uint16_t)M;
  mm.a_stride = 1;
  mm.acc_stride = 1;
  mm.w_line = (uint16_t)(c->spad_lines / 2);
  s = store_desc(1, M, o_addr, C * 4, C, 0);
  cmds[0] = systole_cmd_load(&la, 0);
  cmds[1] = systole_cmd_load(&lw, SYSTOLE_DEP_SIG_NEXT);
  cmds[2] = systole_cmd_matmul(&mm, SYSTOLE_DEP_WAIT_PREV | SYSTOLE_DEP_SIG_NEXT);
  cmds[3] = systole_cmd_store(&s, SYSTOLE_DEP_WAIT_PREV);
  chip_submit(c, cmds, 4);
  expect_ok(c, "tile");
  chip_read(c, o_addr, out, (uint64_t)M * C * 4);
  free(wt);
}

static void ref_tile(unsigned M, unsigned R, unsigned C, const int8_t *a, const int8_t *w,
                     int32_t *out, int accumulate) {
  unsigned m, n, r;
  for (m = 0; m < M; m++)
    for (n = 0; n < C; n++) {
      int32_t s = accumulate ? out[m * C + n] : 0;
      for (r = 0; r < R; r++) s += (int32_t)a[m * R + r] * w[r * C + n];
      out[m * C + n] = s;
    }
}

/* A chip without CFG_FEATURES.PERF_FULL counts only CYCLES, BUSY_CYCLES, DMA_RD_BYTES,
 * DMA_WR_BYTES and COMMANDS: after a job that loaded, computed and stored, every other
 * counter still reads 0 and those five have counted. */
static void check_perf_counters_gated(chip_t *c, const char *what) {
  static const uint32_t gated[] = {
      SYSTOLE_REG_COMPUTE_CYCLES_LO, SYSTOLE_REG_MACS_LO,          SYSTOLE_REG_STALL_LD_DEP_LO,
      SYSTOLE_REG_STALL_EX_DEP_LO,   SYSTOLE_REG_STALL_ST_DEP_LO,  SYSTOLE_REG_STALL_EX_WLOAD_LO,
      SYSTOLE_REG_STALL_RD_MEM_LO,   SYSTOLE_REG_STALL_WR_MEM_LO,  SYSTOLE_REG_STALL_FETCH_LO,
      SYSTOLE_REG_STALL_QUEUE_FULL_LO};
  static const uint32_t counting[] = {SYSTOLE_REG_CYCLES_LO, SYSTOLE_REG_BUSY_CYCLES_LO,
                                      SYSTOLE_REG_DMA_RD_BYTES_LO, SYSTOLE_REG_DMA_WR_BYTES_LO,
                                      SYSTOLE_REG_COMMANDS_LO};
  unsigned i;
  ck_assert(!c->perf_full);
  for (i = 0; i < sizeof(gated) / sizeof(gated[0]); i++)
    ck_assert_msg(chip_counter(c, gated[i]) == 0,
                  "%s: counter at 0x%03x reads %llu on a chip without PERF_FULL", what, gated[i],
                  (unsigned long long)chip_counter(c, gated[i]));
  for (i = 0; i < sizeof(counting) / sizeof(counting[0]); i++)
    ck_assert_msg(chip_counter(c, counting[i]) > 0,
                  "%s: counter at 0x%03x did not count on a chip without PERF_FULL", what,
                  counting[i]);
}

/* ---------------------------------------------------------------------------------------
 * CSRs
 * ------------------------------------------------------------------------------------- */

START_TEST(test_csr_identity) {
  chip_t c;
  uint32_t v;
  chip_open(&c, NULL, 16);
  ck_assert_uint_eq(chip_rd(&c, SYSTOLE_REG_ID), SYSTOLE_ID_VALUE_VALUE);
  v = chip_rd(&c, SYSTOLE_REG_VERSION);
  ck_assert_uint_eq(SYSTOLE_VERSION_MINOR_GET(v), SYSTOLE_VERSION_MINOR_VALUE);
  /* the CFG registers against the build's parameters (the ones it sets; the optional units
   * and counters default to present) */
  {
    int given;
    long p = test_param("Rows", 0, &given);
    if (given) ck_assert_uint_eq(c.rows, p);
    p = test_param("Cols", 0, &given);
    if (given) ck_assert_uint_eq(c.cols, p);
    p = test_param("SpadBytes", 0, &given);
    if (given) ck_assert_uint_eq(c.spad_lines * c.rows, p);
    p = test_param("AccBytes", 0, &given);
    if (given) ck_assert_uint_eq(c.acc_lines * c.cols * 4, p);
    p = test_param("QParamLines", 0, &given);
    if (given) ck_assert_uint_eq(c.qp_lines, p);
    p = test_param("AxiDataWidth", 0, &given);
    if (given) ck_assert_uint_eq(c.bus_bytes * 8, p);
    ck_assert_uint_eq(c.has_softmax, test_param("HasSoftmax", 1, NULL) != 0 && c.rows == c.cols);
    ck_assert_uint_eq(c.perf_full, test_param("PerfFull", 1, NULL) != 0);
  }
  ck_assert_uint_eq(SYSTOLE_CFG_MISC_CMD_BYTES_GET(chip_rd(&c, SYSTOLE_REG_CFG_MISC)), 32);
  ck_assert_uint_eq(c.bus_bytes, systole_sim_bus_bytes(c.sim));
  ck_assert_uint_gt(c.spad_lines, 2 * c.cols);
  /* read/write registers hold their values; the chip starts idle */
  chip_wr(&c, SYSTOLE_REG_WIN_BASE, 0x12345678u);
  ck_assert_uint_eq(chip_rd(&c, SYSTOLE_REG_WIN_BASE), 0x12345678u);
  ck_assert(SYSTOLE_STATUS_IDLE_GET(chip_rd(&c, SYSTOLE_REG_STATUS)));
  /* unmapped offsets answer with an error response */
  ck_assert_int_eq(systole_sim_csr_read(c.sim, 0xffc, &v), SYSTOLE_SIM_EIO);
  /* the cycle counter runs */
  {
    uint64_t a = chip_counter(&c, SYSTOLE_REG_CYCLES_LO), b;
    systole_sim_step(c.sim, 100);
    b = chip_counter(&c, SYSTOLE_REG_CYCLES_LO);
    ck_assert_uint_ge(b - a, 100);
  }
  chip_close(&c);
}
END_TEST

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  long size;
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fclose(f);
  return size;
}

/* Waves: an explicit start/stop, and a window that opens and closes by itself. */
START_TEST(test_waves) {
  chip_t c;
  systole_sim_config_t cfg;
  char p1[80], p2[80];
  uint64_t now;
  snprintf(p1, sizeof(p1), "/tmp/systole_test_waves_%s_a.fst", test_config_name());
  snprintf(p2, sizeof(p2), "/tmp/systole_test_waves_%s_b.fst", test_config_name());
  remove(p1);
  remove(p2);
  systole_sim_config_default(&cfg);
  cfg.wave_path = p2;
  chip_open(&c, &cfg, 16);
  ck_assert_int_eq(systole_sim_wave_start(c.sim, p1), SYSTOLE_SIM_OK);
  systole_sim_step(c.sim, 20);
  ck_assert_int_eq(systole_sim_wave_stop(c.sim), SYSTOLE_SIM_OK);
  ck_assert_int_gt(file_size(p1), 100);
  now = systole_sim_cycles(c.sim);
  ck_assert_int_eq(systole_sim_wave_window(c.sim, now + 10, now + 60), SYSTOLE_SIM_OK);
  ck_assert_int_lt(file_size(p2), 0); /* nothing before the window opens */
  systole_sim_step(c.sim, 100);
  chip_close(&c);
  ck_assert_int_gt(file_size(p2), 100);
  remove(p1);
  remove(p2);
}
END_TEST

START_TEST(test_two_instances) {
  chip_t c1, c2;
  unsigned R, C, M = 5, i;
  int8_t *a1, *a2, *w;
  int32_t *o1, *o2, *r1, *r2;
  uint64_t s = g_seed;
  chip_open(&c1, NULL, 16);
  chip_open(&c2, NULL, 16);
  R = c1.rows;
  C = c1.cols;
  a1 = malloc(M * R);
  a2 = malloc(M * R);
  w = malloc(R * C);
  o1 = calloc(M * C, 4);
  o2 = calloc(M * C, 4);
  r1 = calloc(M * C, 4);
  r2 = calloc(M * C, 4);
  for (i = 0; i < M * R; i++) {
    a1[i] = test_rand_i8(&s);
    a2[i] = test_rand_i8(&s);
  }
  for (i = 0; i < R * C; i++) w[i] = test_rand_i8(&s);
  /* a register written on one chip does not show on the other */
  chip_wr(&c2, SYSTOLE_REG_WIN_BASE, 0x2000);
  ck_assert_uint_eq(chip_rd(&c1, SYSTOLE_REG_WIN_BASE), c1.win_base);
  ck_assert_uint_eq(chip_rd(&c2, SYSTOLE_REG_WIN_BASE), 0x2000);
  chip_wr(&c2, SYSTOLE_REG_WIN_BASE, c2.win_base);
  chip_tile(&c1, M, a1, w, o1, 0);
  chip_tile(&c2, M, a2, w, o2, 0);
  ref_tile(M, R, C, a1, w, r1, 0);
  ref_tile(M, R, C, a2, w, r2, 0);
  ck_assert_mem_eq(o1, r1, M * C * 4);
  ck_assert_mem_eq(o2, r2, M * C * 4);
  ck_assert_uint_ne(systole_sim_cycles(c1.sim), 0);
  chip_close(&c1);
  chip_close(&c2);
  free(a1); free(a2); free(w); free(o1); free(o2); free(r1); free(r2);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * PE array
 * ------------------------------------------------------------------------------------- */

START_TEST(test_array_handmade) {
  chip_t c;
  unsigned R, C, M = 3, m, r, n;
  int8_t *a, *w;
  int32_t *out, *ref;
  chip_open(&c, NULL, 16);
  R = c.rows;
  C = c.cols;
  a = malloc(M * R);
  w = malloc(R * C);
  out = calloc(M * C, 4);
  ref = calloc(M * C, 4);
  /* a[m][r] = r + 1 - m, w[r][n] = n - r: out[m][n] = sum_r (r+1-m)(n-r) by hand below */
  for (m = 0; m < M; m++)
    for (r = 0; r < R; r++) a[m * R + r] = (int8_t)(r + 1 - m);
  for (r = 0; r < R; r++)
    for (n = 0; n < C; n++) w[r * C + n] = (int8_t)((int)n - (int)r);
  chip_tile(&c, M, a, w, out, 0);
  for (m = 0; m < M; m++)
    for (n = 0; n < C; n++) {
      /* closed form: sum_{r<R} (r+1-m)(n-r) */
      long s = 0, sr = 0, sr2 = 0;
      for (r = 0; r < R; r++) { sr += r; sr2 += (long)r * r; }
      s = (long)(1 - (long)m) * (long)n * R + (long)n * sr - (long)(1 - (long)m) * sr - sr2;
      ref[m * C + n] = (int32_t)s;
    }
  ck_assert_mem_eq(out, ref, M * C * 4);
  /* extremes: -128 * -128 summed over Rows, and -128 * 127 */
  memset(a, 0x80, M * R);
  for (r = 0; r < R; r++)
    for (n = 0; n < C; n++) w[r * C + n] = (int8_t)((n & 1) ? 127 : -128);
  chip_tile(&c, M, a, w, out, 0);
  for (m = 0; m < M; m++)
    for (n = 0; n < C; n++)
      ck_assert_int_eq(out[m * C + n], (int32_t)R * ((n & 1) ? -128 * 127 : 16384));
  chip_close(&c);
  free(a); free(w); free(out); free(ref);
}
END_TEST

START_TEST(test_array_random) {
  chip_t c;
  unsigned it, iters = 25;
  uint64_t s = g_seed * 7919 + 1;
  chip_open(&c, NULL, 16);
  for (it = 0; it < iters; it++) {
    unsigned R = c.rows, C = c.cols, M = 1 + (unsigned)(test_rand(&s) % 70), i;
    int8_t *a = malloc(M * R), *w = malloc(R * C), *w2 = malloc(R * C);
    int32_t *out = calloc(M * C, 4), *ref = calloc(M * C, 4);
    for (i = 0; i < M * R; i++) a[i] = test_rand_i8(&s);
    for (i = 0; i < R * C; i++) { w[i] = test_rand_i8(&s); w2[i] = test_rand_i8(&s); }
    chip_tile(&c, M, a, w, out, 0);
    ref_tile(M, R, C, a, w, ref, 0);
    ck_assert_msg(memcmp(out, ref, M * C * 4) == 0, "random tile M=%u mismatch (%s) " RERUN_HINT,
                  M, test_config_name(), RERUN_ARGS);
    /* accumulate a second product onto the same accumulator lines */
    chip_tile(&c, M, a, w2, out, 1);
    ref_tile(M, R, C, a, w2, ref, 1);
    ck_assert_msg(memcmp(out, ref, M * C * 4) == 0, "accumulate M=%u mismatch (%s) " RERUN_HINT,
                  M, test_config_name(), RERUN_ARGS);
    free(a); free(w); free(w2); free(out); free(ref);
  }
  chip_close(&c);
}
END_TEST

/* Back-to-back weight tiles: data preloaded, then T matmuls with new weights each. The
 * array must stream one row per cycle with no weight-load bubble after the first tile. */
START_TEST(test_array_back_to_back) {
  chip_t c;
  unsigned R, C, T = 4, M = 64, t, i, m, n, r;
  uint64_t s = g_seed * 31 + 5, a_addr, w_addr, o_addr;
  int8_t *a, *w;
  int32_t *out, *ref;
  systole_cmd_t cmds[8];
  systole_load_t l;
  systole_store_t st;
  uint64_t wload0, comp0, wload, comp;
  unsigned w_line;
  chip_open(&c, NULL, 16);
  R = c.rows;
  C = c.cols;
  /* the weight tiles at line 1024, or at the scratchpad's end on a smaller one */
  w_line = c.spad_lines - T * C < 1024 ? c.spad_lines - T * C : 1024;
  ck_assert_uint_ge(w_line, M);
  ck_assert_uint_le(T * M, c.acc_lines);
  a = malloc(M * R);
  w = malloc((size_t)T * C * R); /* T tiles, each C lines of R bytes (already transposed) */
  out = calloc((size_t)M * C * T, 4);
  ref = calloc((size_t)M * C * T, 4);
  for (i = 0; i < M * R; i++) a[i] = test_rand_i8(&s);
  for (i = 0; i < T * C * R; i++) w[i] = test_rand_i8(&s);
  a_addr = chip_alloc(&c, M * R, a);
  w_addr = chip_alloc(&c, (uint64_t)T * C * R, w);
  o_addr = chip_alloc(&c, (uint64_t)M * C * T * 4, NULL);
  l = load_desc(SYSTOLE_TARGET_SPAD, M, a_addr, R, R, 0, 1);
  cmds[0] = systole_cmd_load(&l, 0);
  l = load_desc(SYSTOLE_TARGET_SPAD, T * C, w_addr, R, R, w_line, 1);
  cmds[1] = systole_cmd_load(&l, 0);
  cmds[2] = systole_cmd_simple(SYSTOLE_OP_FENCE);
  chip_submit(&c, cmds, 3);
  expect_ok(&c, "preload");
  wload0 = chip_counter(&c, SYSTOLE_REG_STALL_EX_WLOAD_LO);
  comp0 = chip_counter(&c, SYSTOLE_REG_COMPUTE_CYCLES_LO);
  for (t = 0; t < T; t++) {
    systole_matmul_t mm;
    memset(&mm, 0, sizeof(mm));
    mm.load_w = 1;
    mm.rows = (uint16_t)M;
    mm.a_stride = 1;
    mm.acc_line = (uint16_t)(t * M);
    mm.acc_stride = 1;
    mm.w_line = (uint16_t)(w_line + t * C);
    cmds[t] = systole_cmd_matmul(&mm, 0);
  }
  chip_submit(&c, cmds, T);
  expect_ok(&c, "matmuls");
  wload = chip_counter(&c, SYSTOLE_REG_STALL_EX_WLOAD_LO) - wload0;
  comp = chip_counter(&c, SYSTOLE_REG_COMPUTE_CYCLES_LO) - comp0;
  if (c.perf_full) {
    ck_assert_uint_eq(comp, (uint64_t)T * M);
    /* only the first tile's weight load may stall the array (Cols shifts plus a few cycles) */
    ck_assert_msg(wload <= C + 4, "weight-load stalls %llu > first tile only (%u)",
                  (unsigned long long)wload, C + 4);
  }
  st = store_desc(1, T * M, o_addr, C * 4, C, 0);
  chip_submit1(&c, systole_cmd_store(&st, 0));
  expect_ok(&c, "store");
  if (!c.perf_full) check_perf_counters_gated(&c, "back-to-back tiles");
  chip_read(&c, o_addr, out, (uint64_t)M * C * T * 4);
  for (t = 0; t < T; t++)
    for (m = 0; m < M; m++)
      for (n = 0; n < C; n++) {
        int32_t acc = 0;
        for (r = 0; r < R; r++) acc += a[m * R + r] * w[(t * C + n) * R + r];
        ref[(t * M + m) * C + n] = acc;
      }
  ck_assert_msg(memcmp(out, ref, (size_t)M * C * T * 4) == 0, "back-to-back mismatch " RERUN_HINT,
                RERUN_ARGS);
  chip_close(&c);
  free(a); free(w); free(out); free(ref);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * DMA
 * ------------------------------------------------------------------------------------- */

/* Strided, unaligned, padded 2-D load into the scratchpad, checked line by line. */
START_TEST(test_dma_strided_padding) {
  chip_t c;
  unsigned R, rows = 11, pad_before = 2, pad_after = 3, row_bytes, off, dst_stride = 2;
  unsigned i, b, lines;
  uint32_t stride = 37;
  uint64_t s = g_seed * 13 + 3, src;
  uint8_t *mem, *pattern;
  int8_t *got;
  systole_load_t l;
  chip_open(&c, NULL, 16);
  R = c.rows;
  row_bytes = R - 2;
  off = 1;
  lines = rows * dst_stride;
  mem = malloc(rows * stride + 64);
  pattern = malloc(lines * R);
  got = malloc(lines * R);
  for (i = 0; i < rows * stride + 64; i++) mem[i] = (uint8_t)test_rand(&s);
  for (i = 0; i < lines * R; i++) pattern[i] = (uint8_t)(0xc0 + i);
  /* prefill lines 100.. with a pattern so untouched bytes can be checked */
  src = chip_alloc(&c, lines * R, pattern);
  l = load_desc(SYSTOLE_TARGET_SPAD, lines, src, R, R, 100, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_ok(&c, "prefill");
  src = chip_alloc(&c, rows * stride + 64, mem) + 3; /* unaligned start */
  l = load_desc(SYSTOLE_TARGET_SPAD, rows, src, stride, row_bytes, 100, dst_stride);
  l.dst_off = (uint8_t)off;
  l.pad_byte = 0x5a;
  l.pad_before = (uint16_t)pad_before;
  l.pad_after = (uint16_t)pad_after;
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_ok(&c, "strided load");
  chip_peek_spad(&c, 100, lines, got, 0);
  for (i = 0; i < lines; i++)
    for (b = 0; b < R; b++) {
      uint8_t exp = pattern[i * R + b];
      if (i % dst_stride == 0 && b >= off && b < off + row_bytes) {
        unsigned row = i / dst_stride;
        if (row < pad_before || row >= rows - pad_after)
          exp = 0x5a;
        else
          exp = mem[3 + row * stride + (b - off)];
      }
      ck_assert_msg((uint8_t)got[i * R + b] == exp, "line %u byte %u: got 0x%02x want 0x%02x", i,
                    b, (uint8_t)got[i * R + b], exp);
    }
  chip_close(&c);
  free(mem); free(pattern); free(got);
}
END_TEST

/* Rows that cross a 4 KiB boundary, source stride 0 (broadcast), into the accumulator. */
START_TEST(test_dma_acc_4k_and_broadcast) {
  chip_t c;
  unsigned C, i, n;
  uint64_t base;
  int32_t vals[64], *got;
  uint8_t *buf = malloc(8192);
  systole_load_t l;
  chip_open(&c, NULL, 16);
  C = c.cols;
  got = malloc(8 * C * 4);
  for (i = 0; i < 64; i++) vals[i] = (int32_t)(0x01020304u * (i + 1)) ^ (int32_t)0x80000000u;
  base = chip_alloc(&c, 8192, NULL);
  base = (base + 4095) & ~4095ull; /* a 4 KiB boundary inside the buffer */
  chip_write(&c, base - 10, vals, C * 4);
  /* row crosses the boundary: starts 10 bytes before it */
  l = load_desc(SYSTOLE_TARGET_ACC, 1, base - 10, 0, C * 4, 0, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  /* stride 0: the same row broadcast to lines 1..6 */
  l = load_desc(SYSTOLE_TARGET_ACC, 6, base - 10, 0, C * 4, 1, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_ok(&c, "acc loads");
  chip_peek_acc(&c, 0, 7, got);
  for (i = 0; i < 7; i++)
    for (n = 0; n < C; n++) ck_assert_int_eq(got[i * C + n], vals[n]);
  chip_close(&c);
  free(buf);
  free(got);
}
END_TEST

/* Random 2-D moves compared against a C model of the move. */
START_TEST(test_dma_random) {
  chip_t c;
  unsigned it;
  uint64_t s = g_seed * 101 + 7;
  chip_open(&c, NULL, 16);
  for (it = 0; it < 30; it++) {
    unsigned R = c.rows, rows = 1 + (unsigned)(test_rand(&s) % 40);
    unsigned row_bytes = 1 + (unsigned)(test_rand(&s) % R);
    unsigned off = (unsigned)(test_rand(&s) % (R - row_bytes + 1));
    uint32_t stride = (uint32_t)(test_rand(&s) % 300);
    unsigned pb = (unsigned)(test_rand(&s) % (rows + 1)), pa;
    unsigned dst = 200 + (unsigned)(test_rand(&s) % 100), i, b;
    uint64_t span = (uint64_t)rows * stride + row_bytes + 16, src;
    uint8_t *mem = malloc(span), *model = malloc(rows * R);
    int8_t *got = malloc(rows * R);
    uint8_t pad = (uint8_t)test_rand(&s);
    systole_load_t l;
    pa = (unsigned)(test_rand(&s) % (rows - pb + 1));
    for (i = 0; i < span; i++) mem[i] = (uint8_t)test_rand(&s);
    /* clear the destination lines first */
    memset(model, 0, rows * R);
    src = chip_alloc(&c, rows * R, model);
    l = load_desc(SYSTOLE_TARGET_SPAD, rows, src, R, R, dst, 1);
    chip_submit1(&c, systole_cmd_load(&l, 0));
    src = chip_alloc(&c, span, mem) + (test_rand(&s) % 8);
    l = load_desc(SYSTOLE_TARGET_SPAD, rows, src, stride, row_bytes, dst, 1);
    l.dst_off = (uint8_t)off;
    l.pad_byte = pad;
    l.pad_before = (uint16_t)pb;
    l.pad_after = (uint16_t)pa;
    chip_submit1(&c, systole_cmd_load(&l, 0));
    expect_ok(&c, "random load");
    for (i = 0; i < rows; i++)
      for (b = 0; b < row_bytes; b++) {
        uint8_t v = pad;
        if (i >= pb && i < rows - pa) {
          uint8_t tmp;
          chip_read(&c, src + (uint64_t)i * stride + b, &tmp, 1);
          v = tmp;
        }
        model[i * R + off + b] = v;
      }
    chip_peek_spad(&c, dst, rows, got, 0);
    ck_assert_msg(memcmp(got, model, rows * R) == 0,
                  "random DMA rows=%u row_bytes=%u off=%u stride=%u pad=%u/%u mismatch (%s) " RERUN_HINT,
                  rows, row_bytes, off, stride, pb, pa, test_config_name(), RERUN_ARGS);
    free(mem); free(model); free(got);
  }
  chip_close(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Output stage
 * ------------------------------------------------------------------------------------- */

typedef struct {
  int32_t bias, mult, shift;
} qp_t;

/* Load acc values (n rows x cols), qparams, config, store int8 (or raw) and compare with the
 * golden requantisation. */
static void check_output_stage(chip_t *c, unsigned n, const int32_t *acc, const qp_t *qp,
                               int8_t zp, int8_t mn, int8_t mx, int use_bias, unsigned channels,
                               unsigned dst_misalign) {
  unsigned C = c->cols, i, ch;
  unsigned qp_line = c->qp_lines > 3 ? 3 : c->qp_lines - 1; /* line 3, or the table's last */
  uint8_t *qbuf = calloc(C, 16);
  uint64_t acc_addr, qp_addr, dst;
  int8_t *got = malloc((size_t)n * channels + 64);
  systole_load_t l;
  systole_store_t s;
  systole_cmd_t cmds[4];
  for (ch = 0; ch < C; ch++) {
    memcpy(qbuf + ch * 16, &qp[ch].bias, 4);
    memcpy(qbuf + ch * 16 + 4, &qp[ch].mult, 4);
    memcpy(qbuf + ch * 16 + 8, &qp[ch].shift, 4);
  }
  acc_addr = chip_alloc(c, (uint64_t)n * C * 4, acc);
  qp_addr = chip_alloc(c, C * 16, qbuf);
  dst = chip_alloc(c, (uint64_t)n * channels + 64, NULL) + dst_misalign;
  l = load_desc(SYSTOLE_TARGET_ACC, n, acc_addr, C * 4, C * 4, 10, 1);
  cmds[0] = systole_cmd_load(&l, 0);
  l = load_desc(SYSTOLE_TARGET_QPARAM, 1, qp_addr, 0, C * 16, qp_line, 1);
  cmds[1] = systole_cmd_load(&l, 0);
  cmds[2] = systole_cmd_simple(SYSTOLE_OP_FENCE);
  cmds[3] = systole_cmd_config_output(zp, mn, mx);
  chip_submit(c, cmds, 4);
  s = store_desc(0, n, dst, channels, channels, 10);
  s.bias = use_bias;
  s.qp_line = (uint16_t)qp_line;
  chip_submit1(c, systole_cmd_store(&s, 0));
  expect_ok(c, "output stage");
  chip_read(c, dst, got, (uint64_t)n * channels);
  for (i = 0; i < n; i++)
    for (ch = 0; ch < channels; ch++) {
      int8_t exp = systole_ref_requant(acc[i * C + ch], use_bias ? qp[ch].bias : 0, qp[ch].mult,
                                       qp[ch].shift, zp, mn, mx);
      ck_assert_msg(got[i * channels + ch] == exp,
                    "row %u ch %u acc=%d bias=%d mult=%d shift=%d zp=%d [%d,%d]: got %d want %d",
                    i, ch, acc[i * C + ch], use_bias ? qp[ch].bias : 0, qp[ch].mult, qp[ch].shift,
                    zp, mn, mx, got[i * channels + ch], exp);
    }
  free(qbuf);
  free(got);
}

START_TEST(test_output_edges) {
  static const int32_t accs[] = {INT32_MIN, INT32_MAX, 0, -1, 1, 123456, -123456, 1 << 30,
                                 -(1 << 30), 255, -256, 0x7fff0000, (int32_t)0x80000001};
  static const int32_t mults[] = {INT32_MIN, INT32_MAX, 1 << 30, 1518500250, 1073741823, 1, -1,
                                  1932735283};
  static const int32_t shifts[] = {-31, -30, -17, -8, -1, 0, 1, 3, 10, 30};
  static const int8_t zps[] = {-128, 0, 127, 5};
  chip_t c;
  unsigned C, n = 13, i, k, ch;
  int32_t *acc;
  qp_t *qp;
  chip_open(&c, NULL, 16);
  C = c.cols;
  acc = malloc(n * C * 4);
  qp = malloc(C * sizeof(qp_t));
  for (k = 0; k < 6; k++) {
    for (i = 0; i < n; i++)
      for (ch = 0; ch < C; ch++) acc[i * C + ch] = accs[(i + ch * 3 + k) % 13];
    for (ch = 0; ch < C; ch++) {
      qp[ch].bias = (ch & 1) ? INT32_MAX : -(int32_t)(ch * 1000 + k);
      qp[ch].mult = mults[(ch + k) % 8];
      qp[ch].shift = shifts[(ch * 7 + k) % 10];
    }
    check_output_stage(&c, n, acc, qp, zps[k % 4], -128, 127, k & 1, C, 0);
  }
  /* clamps: ReLU (min = zp), a narrow window, act_min == act_max */
  check_output_stage(&c, n, acc, qp, 3, 3, 127, 1, C, 0);
  check_output_stage(&c, n, acc, qp, -5, -20, 20, 0, C, 0);
  check_output_stage(&c, n, acc, qp, 0, 7, 7, 0, C, 0);
  /* fewer channels than columns, unaligned destination */
  check_output_stage(&c, n, acc, qp, 1, -128, 127, 1, C - 1, 3);
  chip_close(&c);
  free(acc);
  free(qp);
}
END_TEST

START_TEST(test_output_raw_bias) {
  chip_t c;
  unsigned C, n = 5, i, ch;
  int32_t *acc, *got;
  uint8_t *qbuf;
  uint64_t acc_addr, qp_addr, dst;
  systole_load_t l;
  systole_store_t s;
  chip_open(&c, NULL, 16);
  C = c.cols;
  acc = malloc(n * C * 4);
  got = malloc(n * C * 4);
  qbuf = calloc(C, 16);
  for (i = 0; i < n * C; i++) /* wraps on purpose: computed in uint32 */
    acc[i] = (int32_t)(i * 0x10001u - 1000u + (i == 3 ? (uint32_t)INT32_MAX : 0u));
  for (ch = 0; ch < C; ch++) {
    int32_t b = (int32_t)(ch * 7u - 3u + (ch == 0 ? (uint32_t)INT32_MAX : 0u));
    memcpy(qbuf + ch * 16, &b, 4);
  }
  acc_addr = chip_alloc(&c, n * C * 4, acc);
  qp_addr = chip_alloc(&c, C * 16, qbuf);
  dst = chip_alloc(&c, n * C * 4 + 8, NULL) + 2;
  l = load_desc(SYSTOLE_TARGET_ACC, n, acc_addr, C * 4, C * 4, 0, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  l = load_desc(SYSTOLE_TARGET_QPARAM, 1, qp_addr, 0, C * 16, 0, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_FENCE));
  s = store_desc(1, n, dst, C * 4, C, 0);
  s.bias = 1;
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_ok(&c, "raw store");
  chip_read(&c, dst, got, n * C * 4);
  for (i = 0; i < n; i++)
    for (ch = 0; ch < C; ch++) {
      int32_t b;
      memcpy(&b, qbuf + ch * 16, 4);
      /* int32 wrap-around, computed in unsigned arithmetic */
      ck_assert_int_eq(got[i * C + ch], (int32_t)((uint32_t)acc[i * C + ch] + (uint32_t)b));
    }
  chip_close(&c);
  free(acc); free(got); free(qbuf);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Command processor
 * ------------------------------------------------------------------------------------- */

/* A tiled matmul with T row-blocks: LD(block i) -> EX(block i) -> ST(block i), double
 * buffered in the scratchpad and accumulator. With tokens, load/compute/store overlap; with
 * a FENCE after every command they cannot. Same results; fewer busy cycles with overlap. */
static uint64_t run_pipeline(chip_t *c, int overlap, const int8_t *a, const int8_t *wt,
                             unsigned T, unsigned M, int32_t *out, uint64_t stage[3]) {
  unsigned R = c->rows, C = c->cols, t;
  /* the weights at line 4000, or in the last lines of a smaller scratchpad */
  unsigned w_line = c->spad_lines - C < 4000 ? c->spad_lines - C : 4000;
  uint64_t a_addr = chip_alloc(c, (uint64_t)T * M * R, a);
  uint64_t w_addr = chip_alloc(c, (uint64_t)C * R, wt);
  uint64_t o_addr = chip_alloc(c, (uint64_t)T * M * C * 4, NULL);
  uint64_t busy0;
  systole_load_t l;
  stage[0] = stage[1] = stage[2] = 0;
  ck_assert_uint_ge(w_line, 2 * M);
  ck_assert_uint_le(2 * M, c->acc_lines);
  l = load_desc(SYSTOLE_TARGET_SPAD, C, w_addr, R, R, w_line, 1);
  chip_submit1(c, systole_cmd_load(&l, 0));
  chip_submit1(c, systole_cmd_simple(SYSTOLE_OP_FENCE));
  expect_ok(c, "weights");
  busy0 = chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO);
  for (t = 0; t < T; t++) {
    unsigned buf = t & 1;
    systole_matmul_t mm;
    systole_store_t s;
    systole_cmd_t cmds[6];
    unsigned n = 0;
    /* LD waits for EX to free the buffer it overwrites (tokens primed by 2 EX gives) */
    l = load_desc(SYSTOLE_TARGET_SPAD, M, a_addr + (uint64_t)t * M * R, R, R, buf * M, 1);
    cmds[n++] = systole_cmd_load(&l, overlap ? (SYSTOLE_DEP_SIG_NEXT | (t >= 2 ? SYSTOLE_DEP_WAIT_NEXT : 0)) : 0);
    if (!overlap) cmds[n++] = systole_cmd_simple(SYSTOLE_OP_FENCE);
    memset(&mm, 0, sizeof(mm));
    mm.load_w = (t == 0);
    mm.rows = (uint16_t)M;
    mm.a_line = (uint16_t)(buf * M);
    mm.a_stride = 1;
    mm.acc_line = (uint16_t)(buf * M);
    mm.acc_stride = 1;
    mm.w_line = (uint16_t)w_line;
    cmds[n++] = systole_cmd_matmul(
        &mm, overlap ? (SYSTOLE_DEP_WAIT_PREV | SYSTOLE_DEP_SIG_PREV | SYSTOLE_DEP_SIG_NEXT |
                        (t >= 2 ? SYSTOLE_DEP_WAIT_NEXT : 0))
                     : 0);
    if (!overlap) cmds[n++] = systole_cmd_simple(SYSTOLE_OP_FENCE);
    s = store_desc(1, M, o_addr + (uint64_t)t * M * C * 4, C * 4, C, buf * M);
    cmds[n++] = systole_cmd_store(&s, overlap ? (SYSTOLE_DEP_WAIT_PREV | SYSTOLE_DEP_SIG_PREV) : 0);
    if (!overlap) cmds[n++] = systole_cmd_simple(SYSTOLE_OP_FENCE);
    if (overlap) {
      chip_submit(c, cmds, n);
    } else { /* one stage at a time, its busy cycles summed per engine */
      unsigned k;
      for (k = 0; k < 3; k++) {
        uint64_t b = chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO);
        chip_submit(c, cmds + 2 * k, 2);
        expect_ok(c, "serial stage");
        stage[k] += chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO) - b;
      }
    }
  }
  expect_ok(c, overlap ? "pipelined job" : "serial job");
  chip_read(c, o_addr, out, (uint64_t)T * M * C * 4);
  return chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO) - busy0;
}

START_TEST(test_tokens_overlap) {
  chip_t c;
  unsigned R, C, T = 6, M = 48, t, m, n, r, i;
  uint64_t s = g_seed * 17 + 11, ov, ser, slow, stage[3], stage2[3];
  int8_t *a, *wt;
  int32_t *o1, *o2, *ref;
  chip_open(&c, NULL, 64);
  R = c.rows;
  C = c.cols;
  a = malloc((size_t)T * M * R);
  wt = malloc((size_t)C * R);
  o1 = malloc((size_t)T * M * C * 4);
  o2 = malloc((size_t)T * M * C * 4);
  ref = malloc((size_t)T * M * C * 4);
  for (i = 0; i < T * M * R; i++) a[i] = test_rand_i8(&s);
  for (i = 0; i < C * R; i++) wt[i] = test_rand_i8(&s);
  for (t = 0; t < T; t++)
    for (m = 0; m < M; m++)
      for (n = 0; n < C; n++) {
        int32_t acc = 0;
        for (r = 0; r < R; r++) acc += a[(t * M + m) * R + r] * wt[n * R + r];
        ref[(t * M + m) * C + n] = acc;
      }
  ser = run_pipeline(&c, 0, a, wt, T, M, o1, stage);
  ov = run_pipeline(&c, 1, a, wt, T, M, o2, stage2);
  ck_assert_mem_eq(o1, ref, (size_t)T * M * C * 4);
  ck_assert_mem_eq(o2, ref, (size_t)T * M * C * 4);
  /* Overlap hides the engines behind the slowest one: it must save at least half of the
   * serial busy cycles of the other two engines (perfect overlap saves nearly all). On a
   * chip with balanced engines that is also at least a quarter of the total. */
  slow = stage[0] > stage[1] ? stage[0] : stage[1];
  slow = slow > stage[2] ? slow : stage[2];
  if (SYSTOLE_CFG_MISC_QUEUE_DEPTH_GET(chip_rd(&c, SYSTOLE_REG_CFG_MISC)) == 0) {
    /* No command queues (the FPGA chip): a LOAD or STORE occupies the dispatch slot while it
     * runs, so only EX overlaps them; overlap must still never cost cycles. */
    ck_assert_msg(ov <= ser, "overlap slower: pipelined %llu cycles vs serial %llu",
                  (unsigned long long)ov, (unsigned long long)ser);
  } else {
      ck_assert_msg(2 * (ser - ov) >= ser - slow,
                  "no overlap: pipelined %llu cycles vs serial %llu (LD %llu, EX %llu, ST %llu)",
                  (unsigned long long)ov, (unsigned long long)ser, (unsigned long long)stage[0],
                  (unsigned long long)stage[1], (unsigned long long)stage[2]);
    if (4 * slow < 2 * ser)
      ck_assert_msg(ov * 4 < ser * 3, "no overlap: pipelined %llu cycles vs serial %llu",
                    (unsigned long long)ov, (unsigned long long)ser);
  }
  if (c.perf_full)
    ck_assert_uint_eq(chip_counter(&c, SYSTOLE_REG_COMPUTE_CYCLES_LO), 2ull * T * M);
  else
    check_perf_counters_gated(&c, "pipelined jobs");
  chip_close(&c);
  free(a); free(wt); free(o1); free(o2); free(ref);
}
END_TEST

START_TEST(test_ring_wrap_irq) {
  chip_t c;
  unsigned C, i, n = 40;
  int32_t vals[64], got[64];
  uint64_t src, dst;
  chip_open(&c, NULL, 8); /* 8 slots: the 80+ commands below wrap many times */
  C = c.cols;
  for (i = 0; i < C; i++) vals[i] = (int32_t)(i * 1111 - 7);
  src = chip_alloc(&c, C * 4, vals);
  dst = chip_alloc(&c, (uint64_t)n * C * 4, NULL);
  for (i = 0; i < n; i++) {
    systole_load_t l = load_desc(SYSTOLE_TARGET_ACC, 1, src, 0, C * 4, i, 1);
    systole_store_t s = store_desc(1, 1, dst + (uint64_t)i * C * 4, 0, C, i);
    chip_submit1(&c, systole_cmd_load(&l, 0));
    chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
    chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_FENCE));
    chip_submit1(&c, systole_cmd_store(&s, 0));
  }
  chip_wr(&c, SYSTOLE_REG_IRQ_ENABLE, 1u << SYSTOLE_IRQ_ENABLE_CMD_SHIFT);
  ck_assert_int_eq(systole_sim_irq(c.sim), 0);
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_IRQ));
  {
    systole_sim_stop_t why;
    ck_assert_int_eq(systole_sim_run(c.sim, SYSTOLE_SIM_STOP_IRQ, RUN_BUDGET, &why), 0);
    ck_assert_int_eq(why, SYSTOLE_SIM_STOP_IRQ);
  }
  ck_assert(SYSTOLE_IRQ_STATUS_CMD_GET(chip_rd(&c, SYSTOLE_REG_IRQ_STATUS)));
  chip_wr(&c, SYSTOLE_REG_IRQ_STATUS, 1u << SYSTOLE_IRQ_STATUS_CMD_SHIFT);
  systole_sim_step(c.sim, 2);
  ck_assert_int_eq(systole_sim_irq(c.sim), 0);
  expect_ok(&c, "ring wrap");
  for (i = 0; i < n; i++) {
    chip_read(&c, dst + (uint64_t)i * C * 4, got, C * 4);
    ck_assert_mem_eq(got, vals, C * 4);
  }
  ck_assert_uint_eq(chip_counter(&c, SYSTOLE_REG_COMMANDS_LO), 4ull * n + 1);
  chip_close(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Errors and recovery
 * ------------------------------------------------------------------------------------- */

/* Run, expect the error code at ring slot idx (ctx: what to add to a failure message), then
 * soft reset. */
static void expect_error(chip_t *c, unsigned code, unsigned idx, const char *ctx) {
  uint32_t st;
  chip_wr(c, SYSTOLE_REG_IRQ_ENABLE, 1u << SYSTOLE_IRQ_ENABLE_ERROR_SHIFT);
  st = chip_run(c, RUN_BUDGET);
  ck_assert_msg(SYSTOLE_STATUS_ERROR_GET(st), "expected error %u (%s), chip reports none%s", code,
                systole_hwerr_str(code), ctx);
  ck_assert_msg(SYSTOLE_STATUS_ERR_CODE_GET(st) == code, "expected error %u (%s), got %u (%s)%s",
                code, systole_hwerr_str(code), SYSTOLE_STATUS_ERR_CODE_GET(st),
                systole_hwerr_str(SYSTOLE_STATUS_ERR_CODE_GET(st)), ctx);
  ck_assert_msg(chip_rd(c, SYSTOLE_REG_ERR_CMD) == idx, "error %u (%s) at slot %u, expected %u%s",
                code, systole_hwerr_str(code), chip_rd(c, SYSTOLE_REG_ERR_CMD), idx, ctx);
  ck_assert(SYSTOLE_IRQ_STATUS_ERROR_GET(chip_rd(c, SYSTOLE_REG_IRQ_STATUS)));
  ck_assert_int_eq(systole_sim_irq(c->sim), 1);
  chip_wr(c, SYSTOLE_REG_IRQ_STATUS, 0xffffffffu);
  chip_soft_reset(c);
  ck_assert_int_eq(systole_sim_irq(c->sim), 0);
}

/* After expect_error: check that a real tile computes correctly, then soft reset again. */
static void expect_recovered(chip_t *c) {
  /* the recovery tile runs in the full window; the test's window is restored after */
  {
    uint32_t wb = c->win_base, ws = c->win_size;
    c->win_base = 4096;
    c->win_size = (uint32_t)(64ull * 1024 * 1024 - 4096);
    chip_wr(c, SYSTOLE_REG_WIN_BASE, c->win_base);
    chip_wr(c, SYSTOLE_REG_WIN_SIZE, c->win_size);
    unsigned R = c->rows, C = c->cols, M = 9, i;
    int8_t *a = malloc(M * R), *w = malloc(R * C);
    int32_t *out = calloc(M * C, 4), *ref = calloc(M * C, 4);
    uint64_t s = 99;
    for (i = 0; i < M * R; i++) a[i] = test_rand_i8(&s);
    for (i = 0; i < R * C; i++) w[i] = test_rand_i8(&s);
    chip_tile(c, M, a, w, out, 0);
    ref_tile(M, R, C, a, w, ref, 0);
    ck_assert_msg(memcmp(out, ref, M * C * 4) == 0, "wrong result after recovery");
    free(a); free(w); free(out); free(ref);
    c->win_base = wb;
    c->win_size = ws;
  }
  /* a second soft reset puts the ring back at slot 0 for the next case */
  chip_soft_reset(c);
}

/* Run, expect the error code at ring slot idx, then soft reset and check that a real tile
 * computes correctly afterwards. */
static void expect_error_and_recover(chip_t *c, unsigned code, unsigned idx) {
  expect_error(c, code, idx, "");
  expect_recovered(c);
}

START_TEST(test_err_opcode_and_fields) {
  chip_t c;
  systole_cmd_t bad;
  systole_load_t l;
  systole_store_t s;
  chip_open(&c, NULL, 16);
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
  chip_submit1(&c, systole_cmd_simple(0x55));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_OPCODE, 2);
  /* an all-zero (unwritten) slot */
  chip_submit1(&c, systole_cmd_simple(0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_OPCODE, 0);
  /* dependency bits on a FENCE */
  bad = systole_cmd_simple(SYSTOLE_OP_FENCE);
  bad.w[0] |= SYSTOLE_DEP_SIG_NEXT;
  chip_submit1(&c, bad);
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, 0);
  /* LOAD with zero row bytes, target 3, too many bytes */
  l = load_desc(SYSTOLE_TARGET_SPAD, 1, c.win_base, 0, 0, 0, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, 0);
  l = load_desc(3, 1, c.win_base, 0, 1, 0, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, 0);
  l = load_desc(SYSTOLE_TARGET_SPAD, 1, c.win_base, 0, c.rows, 0, 1);
  l.dst_off = 1;
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, 0);
  /* STORE with zero channels; CONFIG with an unknown key */
  s = store_desc(0, 1, c.win_base, 0, 0, 0);
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, 0);
  bad = systole_cmd_config_output(0, -128, 127);
  bad.w[0] = (bad.w[0] & ~0xffff0000ull) | (7ull << 16);
  chip_submit1(&c, bad);
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, 0);
  chip_close(&c);
}
END_TEST

START_TEST(test_err_ranges) {
  chip_t c;
  systole_load_t l;
  systole_store_t s;
  systole_matmul_t mm;
  chip_open(&c, NULL, 16);
  /* LOAD past the scratchpad end: dst line of row 3 = spad_lines */
  l = load_desc(SYSTOLE_TARGET_SPAD, 4, c.win_base, 0, 1, c.spad_lines - 3, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_SPAD_RANGE, 0);
  l = load_desc(SYSTOLE_TARGET_ACC, 1, c.win_base, 0, 4, c.acc_lines, 1);
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ACC_RANGE, 1);
  l = load_desc(SYSTOLE_TARGET_QPARAM, 1, c.win_base, 0, 4, c.qp_lines, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_QPARAM_RANGE, 0);
  /* MATMUL: activation rows past the end; weight tile past the end; acc past the end */
  memset(&mm, 0, sizeof(mm));
  mm.load_w = 1;
  mm.rows = 10;
  mm.a_line = (uint16_t)(c.spad_lines - 5);
  mm.a_stride = 1;
  mm.acc_stride = 1;
  chip_submit1(&c, systole_cmd_matmul(&mm, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_SPAD_RANGE, 0);
  mm.a_line = 0;
  mm.w_line = (uint16_t)(c.spad_lines - 1);
  chip_submit1(&c, systole_cmd_matmul(&mm, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_SPAD_RANGE, 0);
  mm.w_line = 0;
  mm.acc_line = (uint16_t)(c.acc_lines - 2);
  mm.acc_stride = 1;
  chip_submit1(&c, systole_cmd_matmul(&mm, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ACC_RANGE, 0);
  /* STORE from past the accumulator end, from a qparam line past the end */
  s = store_desc(1, 2, c.win_base, 64, c.cols, c.acc_lines - 1);
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_ACC_RANGE, 0);
  s = store_desc(0, 1, c.win_base, 64, c.cols, 0);
  s.qp_line = (uint16_t)c.qp_lines;
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_QPARAM_RANGE, 0);
  chip_close(&c);
}
END_TEST

/* DMA outside the window: loads, stores (nothing written outside), command fetch. */
START_TEST(test_err_window) {
  chip_t c;
  systole_load_t l;
  systole_store_t s;
  uint64_t buf, guard_lo, guard_hi;
  uint8_t pat[256], chk[256];
  unsigned i;
  chip_open(&c, NULL, 16);
  for (i = 0; i < 256; i++) pat[i] = (uint8_t)(i * 7 + 1);
  buf = chip_alloc(&c, 4096, NULL);
  /* shrink the window to [buf+256, buf+256+1024): guards on both sides */
  c.win_base = (uint32_t)buf + 256;
  c.win_size = 1024;
  guard_lo = buf;
  guard_hi = buf + 256 + 1024;
  chip_write(&c, guard_lo, pat, 256);
  chip_write(&c, guard_hi, pat, 256);
  /* the ring itself must be inside the window: move it there */
  c.ring = c.win_base;
  chip_soft_reset(&c);
  /* load reading one byte below the window */
  l = load_desc(SYSTOLE_TARGET_SPAD, 2, c.win_base + 512, (uint32_t)-(512 + 1), 2, 0, 1);
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_DMA_WINDOW, 0);
  /* store whose third row crosses the window end: rows 0, 1 land, nothing beyond */
  s = store_desc(1, 4, c.win_base + 1024 - 2 * c.cols * 4 - 8, c.cols * 4, c.cols, 0);
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_DMA_WINDOW, 0);
  /* store whose address arithmetic overflows 32 bits */
  s = store_desc(1, 2, c.win_base + 512, 0xfffffff0u, c.cols, 0);
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_DMA_WINDOW, 0);
  chip_read(&c, guard_lo, chk, 256);
  ck_assert_mem_eq(chk, pat, 256);
  chip_read(&c, guard_hi, chk, 256);
  ck_assert_mem_eq(chk, pat, 256);
  /* command fetch outside the window: ring at the guard */
  c.ring = guard_hi;
  chip_wr(&c, SYSTOLE_REG_RING_BASE, (uint32_t)c.ring);
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
  c.ring = c.win_base;
  expect_error_and_recover(&c, SYSTOLE_HWERR_DMA_WINDOW, 0);
  chip_close(&c);
}
END_TEST

START_TEST(test_err_axi) {
  chip_t c;
  systole_load_t l;
  systole_store_t s;
  uint64_t buf;
  chip_open(&c, NULL, 16);
  buf = chip_alloc(&c, 4096, NULL);
  ck_assert_int_eq(systole_sim_mem_inject_error(c.sim, buf + 1024, 64, 1, 1), 0);
  l = load_desc(SYSTOLE_TARGET_SPAD, 8, buf + 1024 - 4 * c.rows, c.rows, c.rows, 0, 1);
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
  chip_submit1(&c, systole_cmd_load(&l, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_AXI_RD, 1);
  s = store_desc(1, 4, buf + 1024 - 8, c.cols * 4, c.cols, 0);
  chip_submit1(&c, systole_cmd_store(&s, 0));
  expect_error_and_recover(&c, SYSTOLE_HWERR_AXI_WR, 0);
  ck_assert_int_eq(systole_sim_mem_inject_error(c.sim, 0, 0, 0, 0), 0);
  chip_close(&c);
}
END_TEST

START_TEST(test_err_tokens_ring_deadlock) {
  chip_t c;
  unsigned i;
  systole_load_t l;
  systole_matmul_t mm;
  systole_sim_stop_t why;
  chip_open(&c, NULL, 64);
  /* 256 LD->EX tokens with no consumer: the 256th overflows the counter */
  l = load_desc(SYSTOLE_TARGET_SPAD, 0, c.win_base, 0, 1, 0, 1);
  for (i = 0; i < 256; i++) chip_submit1(&c, systole_cmd_load(&l, SYSTOLE_DEP_SIG_NEXT));
  expect_error_and_recover(&c, SYSTOLE_HWERR_TOKEN_OVERFLOW, 0xffff);
  /* tail beyond the ring size */
  chip_wr(&c, SYSTOLE_REG_RING_TAIL, c.ring_slots + 3);
  expect_error_and_recover(&c, SYSTOLE_HWERR_RING_CONFIG, 0);
  /* a wait for a token that never comes: the chip stays busy, the host times out, and a
   * soft reset recovers it */
  memset(&mm, 0, sizeof(mm));
  mm.load_w = 1;
  mm.rows = 1;
  mm.a_stride = 1;
  chip_submit1(&c, systole_cmd_matmul(&mm, SYSTOLE_DEP_WAIT_PREV));
  ck_assert_int_eq(systole_sim_run(c.sim, SYSTOLE_SIM_STOP_IDLE, 20000, &why), 0);
  ck_assert_int_eq(why, SYSTOLE_SIM_STOP_LIMIT);
  ck_assert(!SYSTOLE_STATUS_IDLE_GET(chip_rd(&c, SYSTOLE_REG_STATUS)));
  chip_soft_reset(&c);
  ck_assert(SYSTOLE_STATUS_IDLE_GET(chip_rd(&c, SYSTOLE_REG_STATUS)));
  chip_close(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Attention support: EX zero points (CONFIG EX_ZP) and the softmax unit (SOFTMAX)
 * ------------------------------------------------------------------------------------- */

/* Run a batch of commands and expect no error. */
static void run_cmds(chip_t *c, const systole_cmd_t *cmds, unsigned n, const char *what) {
  chip_submit(c, cmds, n);
  expect_ok(c, what);
}

/* Load n bytes at host ptr into consecutive lines of a target (row_bytes per line). */
static void load_lines(chip_t *c, unsigned target, unsigned line, unsigned n_lines,
                       unsigned row_bytes, const void *src) {
  uint64_t a = chip_alloc(c, (uint64_t)n_lines * row_bytes, src);
  systole_load_t l = load_desc(target, n_lines, a, row_bytes, row_bytes, line, 1);
  systole_cmd_t cmds[2];
  cmds[0] = systole_cmd_load(&l, 0);
  cmds[1] = systole_cmd_simple(SYSTOLE_OP_FENCE);
  run_cmds(c, cmds, 2, "load lines");
}

static systole_matmul_t mm_desc(int accumulate, int load_w, unsigned rows, unsigned a_line,
                                unsigned acc_line, unsigned w_line) {
  systole_matmul_t m;
  memset(&m, 0, sizeof(m));
  m.accumulate = accumulate;
  m.load_w = load_w;
  m.rows = (uint16_t)rows;
  m.a_line = (uint16_t)a_line;
  m.a_stride = 1;
  m.acc_line = (uint16_t)acc_line;
  m.acc_stride = 1;
  m.w_line = (uint16_t)w_line;
  return m;
}

/* out[m][n] = sum_r (a[m][r] - az) * (w[r][n] - wz); a: M x R, w: R x C */
static void ref_tile_zp(unsigned M, unsigned R, unsigned C, const int8_t *a, const int8_t *w,
                        int az, int wz, int32_t *out) {
  unsigned m, n, r;
  for (m = 0; m < M; m++)
    for (n = 0; n < C; n++) {
      int32_t s = 0;
      for (r = 0; r < R; r++) s += ((int32_t)a[m * R + r] - az) * ((int32_t)w[r * C + n] - wz);
      out[m * C + n] = s;
    }
}

START_TEST(test_ex_zp) {
  chip_t c;
  unsigned R, C, M = 11, i, k;
  uint64_t rng = g_seed * 7919u + 3;
  int zps[5][2] = {{-128, 127}, {127, -128}, {0, 0}, {-128, -128}, {0, 0}};
  int8_t *a, *w, *wt;
  int32_t *out, *ref;
  uint64_t o_addr;
  unsigned w_line;
  chip_open(&c, NULL, 64);
  R = c.rows;
  C = c.cols;
  w_line = c.spad_lines / 2;
  zps[4][0] = test_rand_i8(&rng);
  zps[4][1] = test_rand_i8(&rng);
  a = malloc((size_t)M * R);
  w = malloc((size_t)R * C);
  wt = malloc((size_t)R * C);
  out = malloc((size_t)6 * M * C * 4);
  ref = malloc((size_t)6 * M * C * 4);
  ck_assert(a && w && wt && out && ref);
  for (i = 0; i < M * R; i++) a[i] = test_rand_i8(&rng);
  for (i = 0; i < R * C; i++) w[i] = test_rand_i8(&rng);
  a[0] = -128; a[1] = 127; w[0] = -128; w[1] = 127;
  for (i = 0; i < C; i++)
    for (k = 0; k < R; k++) wt[i * R + k] = w[k * C + i];
  load_lines(&c, SYSTOLE_TARGET_SPAD, 0, M, R, a);
  load_lines(&c, SYSTOLE_TARGET_SPAD, w_line, C, R, wt);
  o_addr = chip_alloc(&c, (uint64_t)6 * M * C * 4, NULL);

  /* one CONFIG per MATMUL, each with its own tile load */
  for (k = 0; k < 5; k++) {
    systole_matmul_t mm = mm_desc(0, 1, M, 0, k * M, w_line);
    systole_cmd_t cmd[2];
    cmd[0] = systole_cmd_config_ex_zp((int8_t)zps[k][0], (int8_t)zps[k][1]);
    cmd[1] = systole_cmd_matmul(&mm, 0);
    chip_submit(&c, cmd, 2);
    ref_tile_zp(M, R, C, a, w, zps[k][0], zps[k][1], ref + k * M * C);
  }
  /* CONFIG between MATMULs in flight: a LOAD_W = 0 MATMUL after a CONFIG keeps the tile's
   * w_zp (the one in force when the tile was loaded) and takes the new a_zp */
  {
    systole_cmd_t cmd[2];
    systole_matmul_t mm = mm_desc(0, 0, M, 0, 5 * M, w_line);
    cmd[0] = systole_cmd_config_ex_zp(5, -7);
    cmd[1] = systole_cmd_matmul(&mm, 0);
    chip_submit(&c, cmd, 2);
    ref_tile_zp(M, R, C, a, w, 5, zps[4][1], ref + 5 * M * C);
  }
  {
    systole_store_t s = store_desc(1, 6 * M, o_addr, C * 4, C, 0);
    systole_cmd_t cmd[2];
    cmd[0] = systole_cmd_simple(SYSTOLE_OP_FENCE);
    cmd[1] = systole_cmd_store(&s, 0);
    run_cmds(&c, cmd, 2, "ex_zp matmuls");
  }
  chip_read(&c, o_addr, out, (uint64_t)6 * M * C * 4);
  for (k = 0; k < 6; k++)
    for (i = 0; i < M * C; i++)
      ck_assert_msg(out[k * M * C + i] == ref[k * M * C + i],
                    "EX_ZP case %u elem %u: chip %d, ref %d; " RERUN_HINT, k, i,
                    out[k * M * C + i], ref[k * M * C + i], RERUN_ARGS);

  /* back to back: CONFIG right between two LOAD_W MATMULs (the second tile prefetches while
   * the first streams) -> only the second sees the new zero points */
  {
    systole_matmul_t m1 = mm_desc(0, 1, M, 0, 0, w_line), m2 = mm_desc(0, 1, M, 0, M, w_line);
    systole_store_t s = store_desc(1, 2 * M, o_addr, C * 4, C, 0);
    systole_cmd_t cmd[6];
    cmd[0] = systole_cmd_config_ex_zp(0, 0);
    cmd[1] = systole_cmd_matmul(&m1, 0);
    cmd[2] = systole_cmd_config_ex_zp(-3, 9);
    cmd[3] = systole_cmd_matmul(&m2, 0);
    cmd[4] = systole_cmd_simple(SYSTOLE_OP_FENCE);
    cmd[5] = systole_cmd_store(&s, 0);
    run_cmds(&c, cmd, 6, "ex_zp back to back");
    ref_tile_zp(M, R, C, a, w, 0, 0, ref);
    ref_tile_zp(M, R, C, a, w, -3, 9, ref + M * C);
    chip_read(&c, o_addr, out, (uint64_t)2 * M * C * 4);
    for (i = 0; i < 2 * M * C; i++)
      ck_assert_msg(out[i] == ref[i], "EX_ZP back-to-back elem %u: chip %d, ref %d; " RERUN_HINT,
                    i, out[i], ref[i], RERUN_ARGS);
  }
  free(a); free(w); free(wt); free(out); free(ref);
  chip_close(&c);
}
END_TEST

/* ---- C model of the SOFTMAX command (docs/architecture.md, written from the spec) ---- */

static const uint32_t k_exp2_lut[256] = {
    65536, 65359, 65182, 65006, 64830, 64655, 64480, 64306, 64132, 63958,
    63785, 63613, 63441, 63269, 63098, 62928, 62757, 62588, 62419, 62250,
    62081, 61914, 61746, 61579, 61413, 61247, 61081, 60916, 60751, 60587,
    60423, 60260, 60097, 59934, 59772, 59611, 59449, 59289, 59128, 58968,
    58809, 58650, 58491, 58333, 58176, 58018, 57861, 57705, 57549, 57393,
    57238, 57083, 56929, 56775, 56622, 56468, 56316, 56163, 56012, 55860,
    55709, 55558, 55408, 55258, 55109, 54960, 54811, 54663, 54515, 54368,
    54221, 54074, 53928, 53782, 53637, 53492, 53347, 53203, 53059, 52916,
    52773, 52630, 52488, 52346, 52204, 52063, 51922, 51782, 51642, 51502,
    51363, 51224, 51085, 50947, 50810, 50672, 50535, 50399, 50262, 50126,
    49991, 49856, 49721, 49586, 49452, 49319, 49185, 49052, 48920, 48787,
    48655, 48524, 48393, 48262, 48131, 48001, 47871, 47742, 47613, 47484,
    47356, 47228, 47100, 46973, 46846, 46719, 46593, 46467, 46341, 46216,
    46091, 45966, 45842, 45718, 45594, 45471, 45348, 45225, 45103, 44981,
    44859, 44738, 44617, 44497, 44376, 44256, 44137, 44017, 43898, 43780,
    43661, 43543, 43425, 43308, 43191, 43074, 42958, 42841, 42726, 42610,
    42495, 42380, 42265, 42151, 42037, 41923, 41810, 41697, 41584, 41472,
    41360, 41248, 41136, 41025, 40914, 40804, 40693, 40583, 40473, 40364,
    40255, 40146, 40037, 39929, 39821, 39714, 39606, 39499, 39392, 39286,
    39180, 39074, 38968, 38863, 38757, 38653, 38548, 38444, 38340, 38236,
    38133, 38030, 37927, 37824, 37722, 37620, 37518, 37417, 37316, 37215,
    37114, 37014, 36914, 36814, 36715, 36615, 36516, 36417, 36319, 36221,
    36123, 36025, 35928, 35831, 35734, 35637, 35541, 35445, 35349, 35253,
    35158, 35063, 34968, 34874, 34779, 34685, 34591, 34498, 34405, 34312,
    34219, 34126, 34034, 33942, 33850, 33759, 33667, 33576, 33486, 33395,
    33305, 33215, 33125, 33035, 32946, 32857
};

static int32_t model_mbqm(int32_t x, int32_t mult, int shift) {
  int left = shift > 0 ? (shift > 31 ? 31 : shift) : 0;
  int right = shift < 0 ? (-shift > 31 ? 31 : -shift) : 0;
  int32_t xs = (int32_t)((uint32_t)x << left), h;
  uint32_t mask, rem, thr;
  if (xs == INT32_MIN && mult == INT32_MIN) {
    h = INT32_MAX;
  } else {
    int64_t ab = (int64_t)xs * mult;
    int64_t nudge = ab >= 0 ? (1ll << 30) : (1 - (1ll << 30));
    h = (int32_t)((ab + nudge) / (1ll << 31));
  }
  mask = (uint32_t)((1ull << right) - 1);
  rem = (uint32_t)h & mask;
  thr = (mask >> 1) + (h < 0 ? 1u : 0u);
  return (int32_t)((uint32_t)(h >> right) + (rem > thr ? 1u : 0u));
}

static uint32_t model_exp(int32_t s, int32_t mx, int32_t mult, int shift) {
  int64_t d = (int64_t)s - mx;
  int32_t y;
  uint32_t ny, ip, fr;
  if (d < INT32_MIN) d = INT32_MIN;
  y = model_mbqm((int32_t)d, mult, shift);
  ny = 0u - (uint32_t)y; /* a positive y (x << left wrapped) gives ip >= 17, e = 0 */
  ip = ny >> 16;
  fr = ny & 0xffffu;
  return ip >= 17 ? 0 : k_exp2_lut[fr >> 8] >> ip;
}

/* One query row: s[0..n-1] -> out[0..n_pad-1] int8 (p - 128; -128 past n). */
static void model_softmax_row(const int32_t *s, unsigned n, int causal, unsigned qpos_m,
                              int32_t mult, int shift, int8_t *out, unsigned n_pad) {
  int32_t mx = INT32_MIN;
  uint64_t sum = 0, r;
  unsigned j;
  for (j = 0; j < n; j++)
    if ((!causal || j <= qpos_m) && s[j] > mx) mx = s[j];
  for (j = 0; j < n; j++)
    if (!causal || j <= qpos_m) sum += model_exp(s[j], mx, mult, shift);
  ck_assert(sum >= 65536);
  r = (1ull << 32) / sum;
  for (j = 0; j < n_pad; j++) {
    uint64_t e = (j < n && (!causal || j <= qpos_m)) ? model_exp(s[j], mx, mult, shift) : 0;
    uint64_t p = (e * 255u * r + (1ull << 31)) >> 32;
    if (p > 255) p = 255;
    out[j] = (int8_t)((int)p - 128);
  }
}

START_TEST(test_softmax_lut) {
  unsigned k;
  for (k = 0; k < 256; k++) {
    uint32_t v = (uint32_t)floor(65536.0 * pow(2.0, -(double)k / 256.0) + 0.5);
    ck_assert_msg(k_exp2_lut[k] == v, "EXP2_LUT[%u] = %u, formula %u", k, k_exp2_lut[k], v);
  }
}
END_TEST

typedef struct {
  unsigned M, N;      /* query rows, keys */
  int causal, to_acc;
  unsigned q_pos;
  int32_t mult;
  int shift;
} sm_case_t;

/* On a chip without the softmax unit (CFG_FEATURES.SOFTMAX = 0): submit SOFTMAX commands
 * cmds[0..n-1], each alone, expect ILLEGAL_FIELD at its ring slot for each, and check that
 * nothing was written: scratchpad lines [spad_line, +spad_n) and accumulator lines
 * [acc_line, +acc_n) keep what they held before (acc_img: the accumulator lines' contents).
 * ctx: the case, for failure messages. Then checks that the chip recovers. */
static void expect_softmax_rejected(chip_t *c, const systole_cmd_t *cmds, unsigned n,
                                    unsigned spad_line, unsigned spad_n, unsigned acc_line,
                                    unsigned acc_n, const int32_t *acc_img, const char *ctx) {
  unsigned C = c->cols, i;
  int8_t *sp0 = malloc((size_t)spad_n * c->rows), *sp1 = malloc((size_t)spad_n * c->rows);
  int32_t *ac0 = malloc((size_t)acc_n * C * 4), *ac1 = malloc((size_t)acc_n * C * 4);
  ck_assert(!c->has_softmax);
  ck_assert(sp0 && sp1 && ac0 && ac1);
  ck_assert(spad_line + spad_n <= c->spad_lines - c->cols && acc_line + acc_n <= c->acc_lines / 2);
  chip_peek_spad(c, spad_line, spad_n, sp0, c->acc_lines / 2);
  chip_peek_acc(c, acc_line, acc_n, ac0);
  ck_assert(memcmp(ac0, acc_img, (size_t)acc_n * C * 4) == 0);
  for (i = 0; i < n; i++) {
    unsigned slot = c->tail;
    chip_submit1(c, cmds[i]);
    expect_error(c, SYSTOLE_HWERR_ILLEGAL_FIELD, slot, ctx);
  }
  chip_peek_spad(c, spad_line, spad_n, sp1, c->acc_lines / 2);
  chip_peek_acc(c, acc_line, acc_n, ac1);
  for (i = 0; i < spad_n * c->rows; i++)
    ck_assert_msg(sp0[i] == sp1[i], "rejected SOFTMAX changed scratchpad line %u byte %u%s",
                  spad_line + i / c->rows, i % c->rows, ctx);
  for (i = 0; i < acc_n * C; i++)
    ck_assert_msg(ac0[i] == ac1[i], "rejected SOFTMAX changed accumulator line %u elem %u%s",
                  acc_line + i / C, i % C, ctx);
  expect_recovered(c);
  free(sp0); free(sp1); free(ac0); free(ac1);
}

/* Run one SOFTMAX on the chip with scores[M][N] and compare the scratchpad (and with TO_ACC
 * the accumulator) with the model. Returns the busy cycles of the SOFTMAX command alone.
 * Without a softmax unit: expect the command rejected (ILLEGAL_FIELD, nothing written);
 * returns 0. */
static uint64_t check_softmax(chip_t *c, const sm_case_t *k, const int32_t *scores,
                              const char *what) {
  unsigned C = c->cols, M = k->M, N = k->N, JT = (N + C - 1) / C, m, t, j;
  unsigned acc_ts = M + 1, spad_ts = M + 2; /* sparse layouts: gaps between key tiles */
  unsigned acc_base = 3, spad_base = 5;
  unsigned acc_lines = JT * acc_ts, spad_lines = (JT - 1) * spad_ts + M;
  uint64_t rng = g_seed * 31 + N * 7 + M;
  int32_t *acc_img = malloc((size_t)acc_lines * C * 4), *acc_out;
  int8_t *ref = malloc((size_t)M * JT * C), *spad = malloc((size_t)spad_lines * C);
  uint64_t busy0, busy;
  systole_softmax_t sm;
  ck_assert(acc_img && ref && spad);
  ck_assert(spad_base + spad_lines + 1 < c->spad_lines - c->cols);
  ck_assert(acc_base + acc_lines < c->acc_lines / 2);
  /* junk everywhere (lanes past N must be ignored), then the scores */
  for (j = 0; j < acc_lines * C; j++) acc_img[j] = (int32_t)test_rand(&rng);
  for (m = 0; m < M; m++)
    for (j = 0; j < N; j++) acc_img[((j / C) * acc_ts + m) * C + j % C] = scores[m * N + j];
  load_lines(c, SYSTOLE_TARGET_ACC, acc_base, acc_lines, C * 4, acc_img);
  for (m = 0; m < M; m++)
    model_softmax_row(scores + m * N, N, k->causal, k->q_pos + m, k->mult, k->shift,
                      ref + m * JT * C, JT * C);

  memset(&sm, 0, sizeof(sm));
  sm.causal = k->causal;
  sm.to_acc = k->to_acc;
  sm.rows = (uint16_t)M;
  sm.acc_line = (uint16_t)acc_base;
  sm.acc_tstride = (uint16_t)acc_ts;
  sm.n_keys = (uint16_t)N;
  sm.spad_line = (uint16_t)spad_base;
  sm.spad_tstride = (uint16_t)spad_ts;
  sm.q_pos = (uint16_t)k->q_pos;
  sm.mult = k->mult;
  sm.shift = (int8_t)k->shift;
  if (!c->has_softmax) {
    char ctx[256];
    systole_cmd_t cmd = systole_cmd_softmax(&sm, 0);
    snprintf(ctx, sizeof(ctx),
             " (%s without a softmax unit: M %u N %u causal %d to_acc %d q_pos %u mult %d shift "
             "%d, config %s); " RERUN_HINT,
             what, M, N, k->causal, k->to_acc, k->q_pos, k->mult, k->shift, test_config_name(),
             RERUN_ARGS);
    expect_softmax_rejected(c, &cmd, 1, spad_base, spad_lines, acc_base, acc_lines, acc_img, ctx);
    free(acc_img); free(ref); free(spad);
    return 0;
  }
  busy0 = chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO);
  chip_submit1(c, systole_cmd_softmax(&sm, 0));
  expect_ok(c, what);
  busy = chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO) - busy0;

  chip_peek_spad(c, spad_base, spad_lines, spad, c->acc_lines / 2);
  for (m = 0; m < M; m++)
    for (t = 0; t < JT; t++)
      for (j = 0; j < C; j++) {
        int8_t got = spad[(t * spad_ts + m) * C + j], exp = ref[m * JT * C + t * C + j];
        ck_assert_msg(got == exp,
                      "%s: row %u key %u: chip %d, model %d (M %u N %u causal %d q_pos %u mult "
                      "%d shift %d); " RERUN_HINT,
                      what, m, t * C + j, got, exp, M, N, k->causal, k->q_pos, k->mult,
                      k->shift, RERUN_ARGS);
      }
  if (k->to_acc) {
    acc_out = malloc((size_t)acc_lines * C * 4);
    ck_assert_ptr_nonnull(acc_out);
    chip_peek_acc(c, acc_base, acc_lines, acc_out);
    for (t = 0; t < JT; t++)
      for (m = 0; m < acc_ts; m++)
        for (j = 0; j < C; j++) {
          int32_t got = acc_out[(t * acc_ts + m) * C + j];
          int32_t exp = m < M ? ref[m * JT * C + t * C + j] : acc_img[(t * acc_ts + m) * C + j];
          ck_assert_msg(got == exp, "%s: TO_ACC line %u elem %u: chip %d, expected %d; " RERUN_HINT,
                        what, t * acc_ts + m, j, got, exp, RERUN_ARGS);
        }
    free(acc_out);
  }
  free(acc_img); free(ref); free(spad);
  return busy;
}

/* random scores around a base with a spread; extreme patterns by kind */
static void make_scores(int32_t *s, unsigned n, unsigned kind, uint64_t *rng) {
  unsigned j;
  for (j = 0; j < n; j++) {
    switch (kind) {
      case 0: s[j] = (int32_t)(test_rand(rng) % 4001) - 2000; break;          /* typical */
      case 1: s[j] = 12345; break;                                           /* all equal */
      case 2: s[j] = (test_rand(rng) & 1) ? INT32_MAX : INT32_MIN; break;    /* huge gaps */
      case 3: s[j] = (int32_t)test_rand(rng); break;                         /* full int32 */
      case 4: s[j] = (j % 3 == 0) ? INT32_MIN : (int32_t)(test_rand(rng) % 64) + 1000000; break;
      default: s[j] = (int32_t)(test_rand(rng) % 200001) - 100000; break;
    }
  }
}

START_TEST(test_softmax_rows) {
  chip_t c;
  unsigned C, i;
  uint64_t rng = g_seed * 104729u + 11;
  int32_t *s;
  chip_open(&c, NULL, 64);
  C = c.cols;
  /* the unit is there on square arrays of builds with HasSoftmax (default 1); without it,
   * every case below checks that its SOFTMAX is rejected with ILLEGAL_FIELD instead */
  ck_assert_uint_eq(SYSTOLE_CFG_FEATURES_SOFTMAX_GET(chip_rd(&c, SYSTOLE_REG_CFG_FEATURES)),
                    c.rows == c.cols && test_param("HasSoftmax", 1, NULL) != 0);
  s = malloc(sizeof(int32_t) * 4 * 3 * 64 + 64);
  ck_assert_ptr_nonnull(s);
  {
    /* fixed edge cases, then random ones */
    const sm_case_t fixed[] = {
        {3, 1, 0, 1, 0, 1518500250, 4},          /* single key */
        {2, 2 * C, 0, 1, 0, 1518500250, 4},      /* all equal (kind 1), whole tiles */
        {3, C + 3, 0, 0, 0, 1073741824, 6},      /* N not a multiple of Cols */
        {4, 2 * C + 1, 1, 1, 0, 1518500250, 5},  /* causal from q_pos 0 */
        {3, 3 * C - 1, 1, 0, C - 2, 2000000000, 3}, /* causal cut inside tiles */
        {2, 2 * C, 0, 1, 0, 2147483647, 0},      /* huge gaps: s - mx saturates */
        {2, C + 1, 0, 0, 0, 1073741824, -2},     /* full int32 range, right shift */
        {2, 2 * C - 1, 0, 1, 0, 1518500250, 20}, /* x << left wraps: y > 0 lanes give 0 */
        {2, C, 0, 0, 0, 1073741824, 12},
    };
    const unsigned kinds[] = {0, 1, 0, 0, 5, 2, 3, 4, 0};
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
      char what[64];
      make_scores(s, fixed[i].M * fixed[i].N, kinds[i], &rng);
      snprintf(what, sizeof(what), "softmax fixed case %u", i);
      (void)check_softmax(&c, &fixed[i], s, what);
    }
  }
  for (i = 0; i < 6; i++) {
    sm_case_t k;
    char what[64];
    k.M = 1 + (unsigned)(test_rand(&rng) % 4);
    k.N = 1 + (unsigned)(test_rand(&rng) % (3 * C));
    k.causal = (int)(test_rand(&rng) & 1);
    k.to_acc = (int)(test_rand(&rng) & 1);
    k.q_pos = (unsigned)(test_rand(&rng) % (k.N + 1));
    k.mult = (int32_t)(0x40000000u + (uint32_t)(test_rand(&rng) % 0x3fffffffu));
    k.shift = (int)(test_rand(&rng) % 17) - 6;
    make_scores(s, k.M * k.N, (unsigned)(test_rand(&rng) % 6), &rng);
    snprintf(what, sizeof(what), "softmax random case %u", i);
    (void)check_softmax(&c, &k, s, what);
  }
  /* cycles per row: difference of 8 and 4 rows of 4*Cols keys (JT = 4) */
  {
    sm_case_t k4 = {4, 4 * C, 0, 0, 0, 1518500250, 4}, k8 = {8, 4 * C, 0, 0, 0, 1518500250, 4};
    uint64_t c4, c8;
    make_scores(s, 8 * 4 * C, 0, &rng);
    c4 = check_softmax(&c, &k4, s, "softmax timing 4 rows");
    c8 = check_softmax(&c, &k8, s, "softmax timing 8 rows");
    if (c.has_softmax) { /* (without the unit both were rejected above) */
      printf("softmax %ux%u: JT = 4: %llu cycles per row (3*JT + 20 = 32 expected)\n", c.rows,
             c.cols, (unsigned long long)((c8 - c4) / 4));
      ck_assert_uint_eq((c8 - c4) / 4, 3 * 4 + 20);
    }
  }
  free(s);
  chip_close(&c);
}
END_TEST

/* ---- chunked rows (SOFTMAX MODE MAX / SUM / PROB) ---- */

typedef struct {
  sm_case_t k;     /* whole-row case (MODE 0 reference; k.q_pos relative to key 0) */
  uint32_t g;      /* global index of key 0 (KEY_BASE of chunk 0; Q_POS is g + q_pos) */
  unsigned kind;   /* make_scores kind */
  unsigned n_ch;   /* chunks */
  unsigned len[8]; /* chunk key counts (sum N) */
} chunk_case_t;

static systole_softmax_t chunk_desc(const chunk_case_t *cc, unsigned mode, int first,
                                    unsigned acc_line, unsigned n, unsigned spad_line,
                                    unsigned stats_line, uint32_t key_base) {
  systole_softmax_t sm;
  uint32_t q = cc->g + cc->k.q_pos;
  memset(&sm, 0, sizeof(sm));
  sm.causal = cc->k.causal;
  sm.to_acc = cc->k.to_acc;
  sm.rows = (uint16_t)cc->k.M;
  sm.acc_line = (uint16_t)acc_line;
  sm.acc_tstride = (uint16_t)(cc->k.M + 1);
  sm.n_keys = (uint16_t)n;
  sm.spad_line = (uint16_t)spad_line;
  sm.spad_tstride = (uint16_t)(cc->k.M + 2);
  sm.q_pos = (uint16_t)q;
  sm.q_pos_hi = (uint16_t)(q >> 16);
  sm.mult = cc->k.mult;
  sm.shift = (int8_t)cc->k.shift;
  sm.mode = mode;
  sm.first = first;
  sm.stats_line = (uint16_t)stats_line;
  sm.key_base = key_base;
  return sm;
}

/* MODE 0 on the whole rows (checked against the model by check_softmax), then the same rows
 * split into chunks: MAX (chunk 0 FIRST, the others in random order), SUM and PROB (random
 * order) in one command stream. Every probability byte of the chunks (padding included) must
 * equal MODE 0's, every MODE 0 byte must be covered, and the statistics lines must hold the
 * model's max and 64-bit sum. */
static void check_chunks(chip_t *c, const chunk_case_t *cc, uint64_t *rng, const char *what) {
  const sm_case_t *k = &cc->k;
  unsigned C = c->cols, M = k->M, N = k->N, JT = (N + C - 1) / C, ts = M + 1, sts = M + 2;
  unsigned full_spad = (JT - 1) * sts + M, i, m, j, t, n_cmd = 0;
  unsigned acc_at[8], spad_at[8], key0[8], order[8], acc_next = 3, spad_next = 5, stats;
  int32_t *s = malloc(sizeof(int32_t) * M * N), *img;
  int8_t *full = malloc((size_t)full_spad * C), *got;
  int8_t *seen = calloc((size_t)M * N, 1);
  systole_cmd_t cmds[24];
  ck_assert(s && full && seen && cc->n_ch <= 8);
  make_scores(s, M * N, cc->kind, rng);
  (void)check_softmax(c, k, s, what);
  if (c->has_softmax) chip_peek_spad(c, 5, full_spad, full, c->acc_lines / 2);

  /* chunk layouts: each chunk's keys from lane 0 of its own lines */
  for (i = 0, j = 0; i < cc->n_ch; i++) {
    unsigned jt = (cc->len[i] + C - 1) / C;
    ck_assert(cc->len[i] >= 1);
    key0[i] = j;
    acc_at[i] = acc_next;
    spad_at[i] = spad_next;
    acc_next += jt * ts;
    spad_next += jt * sts;
    j += cc->len[i];
    order[i] = i;
  }
  ck_assert_uint_eq(j, N);
  stats = acc_next;
  ck_assert(stats + M < c->acc_lines / 2);
  ck_assert(spad_next + 1 < c->spad_lines - C);
  img = malloc((size_t)(acc_next + M) * C * 4);
  ck_assert_ptr_nonnull(img);
  for (j = 0; j < (acc_next + M) * C; j++) img[j] = (int32_t)test_rand(rng); /* junk */
  for (i = 0; i < cc->n_ch; i++)
    for (m = 0; m < M; m++)
      for (j = 0; j < cc->len[i]; j++)
        img[(acc_at[i] + (j / C) * ts + m) * C + j % C] = s[m * N + key0[i] + j];
  load_lines(c, SYSTOLE_TARGET_ACC, 0, acc_next + M, C * 4, img);

#define CHUNK_CMD(mode, first, i)                                                          \
  do {                                                                                     \
    systole_softmax_t sm_ = chunk_desc(cc, mode, first, acc_at[i], cc->len[i], spad_at[i], \
                                       stats, cc->g + key0[i]);                           \
    cmds[n_cmd++] = systole_cmd_softmax(&sm_, 0);                                          \
  } while (0)
  for (i = 1; i < cc->n_ch; i++) { /* shuffle chunks 1.. for MAX */
    unsigned r = 1 + (unsigned)(test_rand(rng) % i), x = order[i];
    order[i] = order[r]; order[r] = x;
  }
  for (i = 0; i < cc->n_ch; i++) CHUNK_CMD(SYSTOLE_SOFTMAX_MAX, i == 0, order[i]);
  for (i = 0; i < cc->n_ch; i++) { /* any order for SUM and PROB */
    unsigned r = (unsigned)(test_rand(rng) % (i + 1)), x = order[i];
    order[i] = order[r]; order[r] = x;
  }
  for (i = 0; i < cc->n_ch; i++) CHUNK_CMD(SYSTOLE_SOFTMAX_SUM, 0, order[i]);
  for (i = 0; i < cc->n_ch; i++) CHUNK_CMD(SYSTOLE_SOFTMAX_PROB, 0, order[(i + 1) % cc->n_ch]);
#undef CHUNK_CMD
  if (!c->has_softmax) {
    /* no softmax unit: MAX (FIRST), SUM and PROB are each ILLEGAL_FIELD, and write neither
     * the statistics (accumulator) nor probabilities (scratchpad) */
    const systole_cmd_t one_of_each[3] = {cmds[0], cmds[cc->n_ch], cmds[2 * cc->n_ch]};
    char ctx[256];
    snprintf(ctx, sizeof(ctx),
             " (%s without a softmax unit: chunked, %u chunks, M %u N %u causal %d q_pos %u+%u, "
             "config %s); " RERUN_HINT,
             what, cc->n_ch, M, N, k->causal, cc->g, k->q_pos, test_config_name(), RERUN_ARGS);
    expect_softmax_rejected(c, one_of_each, 3, 5, spad_next - 5, 0, acc_next + M, img, ctx);
    free(s); free(full); free(seen); free(img);
    return;
  }
  run_cmds(c, cmds, n_cmd, what);

  /* statistics: model max and 64-bit sum of every row */
  ck_assert(C >= 4 && M <= 64);
  {
    int32_t *line = malloc((size_t)M * C * 4);
    ck_assert_ptr_nonnull(line);
    chip_peek_acc(c, stats, M, line);
    for (m = 0; m < M; m++) {
      int32_t mx = INT32_MIN;
      uint64_t sum = 0, got_sum;
      for (j = 0; j < N; j++)
        if ((!k->causal || j <= k->q_pos + m) && s[m * N + j] > mx) mx = s[m * N + j];
      for (j = 0; j < N; j++)
        if (!k->causal || j <= k->q_pos + m) sum += model_exp(s[m * N + j], mx, k->mult, k->shift);
      got_sum = (uint64_t)(uint32_t)line[m * C + 1] | ((uint64_t)(uint32_t)line[m * C + 2] << 32);
      ck_assert_msg(line[m * C] == mx && got_sum == sum,
                    "%s: stats row %u: chip max %d sum %llu, model %d %llu; " RERUN_HINT, what, m,
                    line[m * C], (unsigned long long)got_sum, mx, (unsigned long long)sum,
                    RERUN_ARGS);
      for (j = 3; j < C; j++) ck_assert_int_eq(line[m * C + j], 0);
    }
    free(line);
  }

  /* probabilities: chunk bytes == MODE 0 bytes (padding -128), and all of MODE 0 covered */
  got = malloc((size_t)(spad_next - 5) * C);
  ck_assert_ptr_nonnull(got);
  chip_peek_spad(c, 5, spad_next - 5, got, c->acc_lines / 2);
  for (i = 0; i < cc->n_ch; i++) {
    unsigned jt = (cc->len[i] + C - 1) / C;
    for (m = 0; m < M; m++)
      for (t = 0; t < jt; t++)
        for (j = 0; j < C; j++) {
          unsigned jj = t * C + j, g = key0[i] + jj;
          int8_t chip = got[(spad_at[i] - 5 + t * sts + m) * C + j];
          int8_t ref = jj < cc->len[i] ? full[((g / C) * sts + m) * C + g % C] : (int8_t)-128;
          ck_assert_msg(chip == ref,
                        "%s: chunk %u (keys %u..%u, KEY_BASE %u) row %u key %u: chunked %d, "
                        "MODE 0 %d (M %u N %u causal %d q_pos %u+%u kind %u); " RERUN_HINT,
                        what, i, key0[i], key0[i] + cc->len[i] - 1, cc->g + key0[i], m, g, chip,
                        ref, M, N, k->causal, cc->g, k->q_pos, cc->kind, RERUN_ARGS);
          if (jj < cc->len[i]) seen[m * N + g]++;
        }
  }
  for (m = 0; m < M; m++)
    for (j = 0; j < N; j++) ck_assert_int_eq(seen[m * N + j], 1);
  for (m = 0; m < M; m++) /* MODE 0 padding past N stays -128 */
    for (j = N; j < JT * C; j++) ck_assert_int_eq(full[(((JT - 1) * sts) + m) * C + j % C], -128);
  free(s); free(full); free(seen); free(img); free(got);
}

/* random split of N keys into n chunks (first of len first0 if nonzero) */
static void split_chunks(chunk_case_t *cc, unsigned n, unsigned first0, uint64_t *rng) {
  unsigned N = cc->k.N, i, left;
  if (n > N) n = N;
  if (n > 8) n = 8;
  cc->n_ch = n;
  left = N;
  for (i = 0; i < n; i++) {
    unsigned rest = n - 1 - i, len;
    if (rest == 0) len = left;
    else if (i == 0 && first0) len = first0 <= left - rest ? first0 : 1;
    else len = 1 + (unsigned)(test_rand(rng) % (left - rest));
    cc->len[i] = len;
    left -= len;
  }
}

/* Busy cycles of one chunked SOFTMAX with M rows of n keys (statistics at line 0). */
static uint64_t chunk_cycles(chip_t *c, unsigned mode, int first, unsigned M, unsigned n) {
  chunk_case_t cc;
  systole_softmax_t sm;
  uint64_t b0;
  memset(&cc, 0, sizeof(cc));
  cc.k.M = M;
  cc.k.mult = 1518500250;
  cc.k.shift = 4;
  sm = chunk_desc(&cc, mode, first, 8, n, 1, 0, 0);
  b0 = chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO);
  chip_submit1(c, systole_cmd_softmax(&sm, 0));
  expect_ok(c, "chunk timing");
  return chip_counter(c, SYSTOLE_REG_BUSY_CYCLES_LO) - b0;
}

START_TEST(test_softmax_chunks) {
  chip_t c;
  unsigned C, i;
  uint64_t rng = g_seed * 7919u + 5;
  chip_open(&c, NULL, 64);
  C = c.cols;
  {
    /* edge cases: {M, N, causal, to_acc, q_pos, mult, shift}, G, kind, chunks, first len */
    const struct {
      sm_case_t k;
      uint32_t g;
      unsigned kind, n, first0;
    } fixed[] = {
        {{3, 5 * C + 3, 1, 0, 2, 1518500250, 4}, 0, 0, 4, 1},          /* FIRST of one key */
        {{4, 4 * C + 1, 1, 1, C - 1, 1518500250, 5}, 0, 5, 5, C + 1},  /* masks cross chunks */
        {{2, 3 * C, 0, 0, 0, 2147483647, 0}, 0, 2, 3, 0},              /* huge score gaps */
        {{3, 4 * C - 1, 1, 0, C, 1073741824, -2}, 0xfffe0000u, 3, 5, 1}, /* int32, KEY_BASE hi */
        {{2, 3 * C + 2, 1, 0, 1, 1518500250, 20}, 0x7fffff00u, 4, 6, 0}, /* y > 0 lanes */
        {{1, 2 * C, 0, 0, 0, 1518500250, 4}, 0xffffffffu - 2 * C, 1, 8, 0}, /* all equal */
        {{3, 6 * C, 1, 0, 0, 1518500250, 4}, 65535, 0, 2, 3 * C},       /* Q_POS carries into hi */
    };
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
      chunk_case_t cc;
      char what[64];
      memset(&cc, 0, sizeof(cc));
      cc.k = fixed[i].k;
      cc.g = fixed[i].g;
      cc.kind = fixed[i].kind;
      split_chunks(&cc, fixed[i].n, fixed[i].first0, &rng);
      snprintf(what, sizeof(what), "softmax chunks fixed case %u", i);
      check_chunks(&c, &cc, &rng, what);
    }
  }
  for (i = 0; i < 8; i++) {
    chunk_case_t cc;
    char what[64];
    memset(&cc, 0, sizeof(cc));
    cc.k.M = 1 + (unsigned)(test_rand(&rng) % 4);
    cc.k.N = 1 + (unsigned)(test_rand(&rng) % (6 * C));
    cc.k.causal = (int)(test_rand(&rng) & 1);
    cc.k.to_acc = (int)(test_rand(&rng) & 1);
    cc.k.q_pos = (unsigned)(test_rand(&rng) % (cc.k.N + 1));
    cc.k.mult = (int32_t)(0x40000000u + (uint32_t)(test_rand(&rng) % 0x3fffffffu));
    cc.k.shift = (int)(test_rand(&rng) % 17) - 6;
    cc.kind = (unsigned)(test_rand(&rng) % 6);
    cc.g = (test_rand(&rng) & 1) ? (uint32_t)(test_rand(&rng) % (0xffffffffu - cc.k.N - 64)) : 0;
    split_chunks(&cc, 1 + (unsigned)(test_rand(&rng) % 8), 0, &rng);
    snprintf(what, sizeof(what), "softmax chunks random case %u", i);
    check_chunks(&c, &cc, &rng, what);
  }
  if (!c.has_softmax) { /* every case above was checked to be rejected; no results to time */
    chip_close(&c);
    return;
  }
  /* 64-bit sums: a stored sum above 2^32 gives r = 0 (all -128; a 33-bit truncation would
   * give 65536 -> 255), and SUM carries into the high word */
  {
    int32_t img[3 * 64], line[64];
    int8_t got[64];
    systole_softmax_t sm;
    chunk_case_t cc;
    unsigned j;
    memset(&cc, 0, sizeof(cc));
    cc.k.M = 1;
    cc.k.mult = 1518500250;
    cc.k.shift = 4;
    memset(img, 0, sizeof(img));
    for (j = 0; j < C; j++) img[j] = 777; /* line 0: one tile of equal scores */
    img[C] = 777;                         /* line 1: stats, max 777 ... */
    img[C + 1] = 65536;                   /* ... sum 2^33 + 65536 */
    img[C + 2] = 2;
    load_lines(&c, SYSTOLE_TARGET_ACC, 0, 2, C * 4, img);
    sm = chunk_desc(&cc, SYSTOLE_SOFTMAX_PROB, 0, 0, C, 5, 1, 0);
    chip_submit1(&c, systole_cmd_softmax(&sm, 0));
    expect_ok(&c, "softmax PROB sum > 2^32");
    chip_peek_spad(&c, 5, 1, got, c.acc_lines / 2);
    for (j = 0; j < C; j++) ck_assert_int_eq(got[j], -128);
    img[C + 1] = (int32_t)0xfffffff0u; /* sum 2^32 - 16 + C * 65536 after SUM */
    img[C + 2] = 0;
    load_lines(&c, SYSTOLE_TARGET_ACC, 0, 2, C * 4, img);
    sm = chunk_desc(&cc, SYSTOLE_SOFTMAX_SUM, 0, 0, C, 5, 1, 0);
    chip_submit1(&c, systole_cmd_softmax(&sm, 0));
    expect_ok(&c, "softmax SUM carry");
    chip_peek_acc(&c, 1, 1, line);
    ck_assert_int_eq(line[0], 777);
    ck_assert_uint_eq((uint32_t)line[1], (uint32_t)(C * 65536u - 16u));
    ck_assert_int_eq(line[2], 1);
    img[C + 1] = 0; /* exactly 2^32: r = 1 -> p = 0 */
    img[C + 2] = 1;
    load_lines(&c, SYSTOLE_TARGET_ACC, 0, 2, C * 4, img);
    sm = chunk_desc(&cc, SYSTOLE_SOFTMAX_PROB, 0, 0, C, 5, 1, 0);
    chip_submit1(&c, systole_cmd_softmax(&sm, 0));
    expect_ok(&c, "softmax PROB sum 2^32");
    chip_peek_spad(&c, 5, 1, got, c.acc_lines / 2);
    for (j = 0; j < C; j++) ck_assert_int_eq(got[j], -128);
  }
  /* cycles per row of a chunk: difference of 8 and 4 rows of 4*Cols keys (JT = 4) */
  {
    static const struct { unsigned mode; int first; unsigned extra; const char *name; } t[] = {
        {SYSTOLE_SOFTMAX_MAX, 1, 2, "MAX FIRST"}, {SYSTOLE_SOFTMAX_MAX, 0, 3, "MAX"},
        {SYSTOLE_SOFTMAX_SUM, 0, 3, "SUM"}, {SYSTOLE_SOFTMAX_PROB, 0, 21, "PROB"}};
    int32_t *img = calloc((size_t)(8 + 4 * 9) * C, 4);
    ck_assert_ptr_nonnull(img);
    for (i = 0; i < 8; i++) { img[i * C] = 0; img[i * C + 1] = 65536; } /* stats lines 0..7 */
    load_lines(&c, SYSTOLE_TARGET_ACC, 0, 8 + 4 * 9, C * 4, img);
    free(img);
    for (i = 0; i < 4; i++) {
      uint64_t c4 = chunk_cycles(&c, t[i].mode, t[i].first, 4, 4 * C);
      uint64_t c8 = chunk_cycles(&c, t[i].mode, t[i].first, 8, 4 * C);
      printf("softmax %ux%u: chunk %s, JT = 4: %llu cycles per row (JT + %u expected)\n", c.rows,
             c.cols, t[i].name, (unsigned long long)((c8 - c4) / 4), t[i].extra);
      ck_assert_uint_eq((c8 - c4) / 4, 4 + t[i].extra);
    }
  }
  chip_close(&c);
}
END_TEST

/* The PV half of the attention chain: P (int8, zero point -128) at p_line times V^T tiles
 * at v_line, accumulated over the JT key tiles into acc_o, stored raw to o_addr. */
static void pv_cmds(chip_t *c, systole_cmd_t *cmds, unsigned *nc, int8_t vz, unsigned JT,
                    unsigned Mq, unsigned p_line, unsigned v_line, unsigned acc_o,
                    uint64_t o_addr) {
  unsigned C = c->cols, t;
  systole_store_t s = store_desc(1, Mq, o_addr, C * 4, C, acc_o);
  cmds[(*nc)++] = systole_cmd_config_ex_zp(-128, vz);
  for (t = 0; t < JT; t++) {
    systole_matmul_t mm = mm_desc(t > 0, 1, Mq, p_line + t * Mq, acc_o, v_line + t * C);
    cmds[(*nc)++] = systole_cmd_matmul(&mm, t + 1 == JT ? SYSTOLE_DEP_SIG_NEXT : 0);
  }
  cmds[(*nc)++] = systole_cmd_store(&s, SYSTOLE_DEP_WAIT_PREV);
  cmds[(*nc)++] = systole_cmd_config_ex_zp(0, 0);
}

/* The attention chain of a square chip without the softmax unit (what the driver does on
 * it), with Q, K and V^T already in the scratchpad at q_line, k_line, v_line: QK^T on the
 * chip, its raw scores checked against the model's sc; the model's
 * probabilities p (from those scores) loaded into the scratchpad; PV on the chip into
 * o_addr, for the caller to check. */
static void host_softmax_chain(chip_t *c, const int8_t *p, const int32_t *sc, int8_t qz,
                               int8_t kz, int8_t vz, unsigned Mq, unsigned Nk, unsigned q_line,
                               unsigned k_line, unsigned p_line, unsigned v_line, unsigned acc_s,
                               unsigned acc_o, uint64_t o_addr, const char *ctx) {
  unsigned R = c->rows, C = c->cols, JT = (Nk + C - 1) / C, nc = 0, t, m, j;
  int32_t *got = malloc((size_t)JT * Mq * C * 4);
  int8_t *pl = malloc((size_t)JT * Mq * R);
  uint64_t s_addr = chip_alloc(c, (uint64_t)JT * Mq * C * 4, NULL);
  systole_store_t s = store_desc(1, JT * Mq, s_addr, C * 4, C, acc_s);
  systole_cmd_t cmds[40];
  ck_assert(got && pl && R == C && 2 * JT + 8 <= 40);
  cmds[nc++] = systole_cmd_config_ex_zp(qz, kz);
  for (t = 0; t < JT; t++) {
    systole_matmul_t mm = mm_desc(0, 1, Mq, q_line, acc_s + t * Mq, k_line + t * C);
    cmds[nc++] = systole_cmd_matmul(&mm, 0);
  }
  cmds[nc++] = systole_cmd_simple(SYSTOLE_OP_FENCE);
  cmds[nc++] = systole_cmd_store(&s, 0);
  run_cmds(c, cmds, nc, "attention chain QK^T");
  chip_read(c, s_addr, got, (uint64_t)JT * Mq * C * 4);
  for (m = 0; m < Mq; m++)
    for (j = 0; j < Nk; j++)
      ck_assert_msg(got[((j / C) * Mq + m) * C + j % C] == sc[m * Nk + j],
                    "QK^T score [%u][%u]: chip %d, model %d%s", m, j,
                    got[((j / C) * Mq + m) * C + j % C], sc[m * Nk + j], ctx);
  /* P: query row m's keys t*Rows.. on scratchpad line p_line + t*Mq + m (SOFTMAX's layout) */
  for (t = 0; t < JT; t++)
    for (m = 0; m < Mq; m++) memcpy(pl + (t * Mq + m) * R, p + m * JT * C + t * C, R);
  load_lines(c, SYSTOLE_TARGET_SPAD, p_line, JT * Mq, R, pl);
  nc = 0;
  pv_cmds(c, cmds, &nc, vz, JT, Mq, p_line, v_line, acc_o, o_addr);
  run_cmds(c, cmds, nc, "attention chain PV");
  ck_assert_int_eq(systole_sim_mem_free(c->sim, s_addr), SYSTOLE_SIM_OK);
  free(got);
  free(pl);
}

/* QK^T -> SOFTMAX -> PV in one EX command stream (no fence between the phases), d = Rows. */
START_TEST(test_attention_chain) {
  chip_t c;
  unsigned R, C, Mq = 5, Nk, JT, i, j, t, m, n;
  uint64_t rng = g_seed * 15485863u + 5;
  int causal;
  chip_open(&c, NULL, 128);
  R = c.rows;
  C = c.cols;
  for (causal = 0; causal < 2; causal++) {
    int8_t qz = test_rand_i8(&rng), kz = test_rand_i8(&rng), vz = test_rand_i8(&rng);
    int8_t *q, *kk, *vt, *p;
    int32_t *sc, *ref, *out;
    unsigned q_line = 0, k_line, p_line, v_line, acc_s = 0, acc_o;
    uint64_t o_addr;
    int32_t mult = 1518500250;
    int shift = -3;
    unsigned q_pos = 2;
    systole_cmd_t cmds[64];
    unsigned nc = 0, sm_idx;
    Nk = 2 * C + 3 + (unsigned)causal;
    JT = (Nk + C - 1) / C;
    k_line = Mq;
    p_line = k_line + JT * C;
    v_line = p_line + JT * Mq;
    acc_o = JT * Mq;
    q = malloc((size_t)Mq * R);
    kk = calloc((size_t)JT * C, R);
    vt = calloc((size_t)JT * C, R); /* V^T tiles: line t*C + n holds v[t*R .. t*R+R-1][n] */
    p = malloc((size_t)Mq * JT * C);
    sc = malloc((size_t)Mq * Nk * 4);
    ref = malloc((size_t)Mq * C * 4);
    out = malloc((size_t)Mq * C * 4);
    ck_assert(q && kk && vt && p && sc && ref && out);
    for (i = 0; i < Mq * R; i++) q[i] = test_rand_i8(&rng);
    for (i = 0; i < Nk * R; i++) kk[i] = test_rand_i8(&rng);
    for (t = 0; t < JT; t++)
      for (n = 0; n < C; n++)
        for (i = 0; i < R; i++)
          vt[(t * C + n) * R + i] = (t * R + i < Nk) ? test_rand_i8(&rng) : (int8_t)99;
    /* model */
    for (m = 0; m < Mq; m++)
      for (j = 0; j < Nk; j++) {
        int32_t s = 0;
        for (i = 0; i < R; i++) s += ((int32_t)q[m * R + i] - qz) * ((int32_t)kk[j * R + i] - kz);
        sc[m * Nk + j] = s;
      }
    for (m = 0; m < Mq; m++)
      model_softmax_row(sc + m * Nk, Nk, causal, q_pos + m, mult, shift, p + m * JT * C, JT * C);
    for (m = 0; m < Mq; m++)
      for (n = 0; n < C; n++) {
        int32_t s = 0;
        for (j = 0; j < JT * R; j++)
          s += ((int32_t)p[m * JT * C + j] + 128) * ((int32_t)vt[((j / R) * C + n) * R + j % R] - vz);
        ref[m * C + n] = s;
      }
    /* chip */
    load_lines(&c, SYSTOLE_TARGET_SPAD, q_line, Mq, R, q);
    load_lines(&c, SYSTOLE_TARGET_SPAD, k_line, JT * C, R, kk);
    load_lines(&c, SYSTOLE_TARGET_SPAD, v_line, JT * C, R, vt);
    o_addr = chip_alloc(&c, (uint64_t)Mq * C * 4, NULL);
    cmds[nc++] = systole_cmd_config_ex_zp(qz, kz);
    for (t = 0; t < JT; t++) {
      systole_matmul_t mm = mm_desc(0, 1, Mq, q_line, acc_s + t * Mq, k_line + t * C);
      cmds[nc++] = systole_cmd_matmul(&mm, 0);
    }
    {
      systole_softmax_t sm;
      memset(&sm, 0, sizeof(sm));
      sm.causal = causal;
      sm.rows = (uint16_t)Mq;
      sm.acc_line = (uint16_t)acc_s;
      sm.acc_tstride = (uint16_t)Mq;
      sm.n_keys = (uint16_t)Nk;
      sm.spad_line = (uint16_t)p_line;
      sm.spad_tstride = (uint16_t)Mq;
      sm.q_pos = (uint16_t)q_pos;
      sm.mult = mult;
      sm.shift = (int8_t)shift;
      sm_idx = nc;
      cmds[nc++] = systole_cmd_softmax(&sm, 0);
    }
    pv_cmds(&c, cmds, &nc, vz, JT, Mq, p_line, v_line, acc_o, o_addr);
    if (c.has_softmax) {
      run_cmds(&c, cmds, nc, "attention chain");
    } else {
      /* no softmax unit: the stream stops at the SOFTMAX with ILLEGAL_FIELD (the STORE
       * behind it never writes), then the same chain runs with the softmax on the host */
      char ctx[256];
      unsigned slot0 = c.tail;
      snprintf(ctx, sizeof(ctx),
               " (attention chain without a softmax unit: causal %d, Mq %u Nk %u, config %s); "
               RERUN_HINT, causal, Mq, Nk, test_config_name(), RERUN_ARGS);
      chip_submit(&c, cmds, nc);
      expect_error(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, (slot0 + sm_idx) % c.ring_slots, ctx);
      chip_read(&c, o_addr, out, (uint64_t)Mq * C * 4);
      for (i = 0; i < Mq * C; i++)
        ck_assert_msg(out[i] == 0, "the STORE behind the rejected SOFTMAX wrote out[%u]%s", i,
                      ctx);
      if (R == C)
        host_softmax_chain(&c, p, sc, qz, kz, vz, Mq, Nk, q_line, k_line, p_line, v_line, acc_s,
                           acc_o, o_addr, ctx);
    }
    chip_read(&c, o_addr, out, (uint64_t)Mq * C * 4);
    for (i = 0; i < Mq * C && (c.has_softmax || R == C); i++)
      ck_assert_msg(out[i] == ref[i],
                    "attention chain (causal %d) out[%u][%u]: chip %d, model %d; " RERUN_HINT,
                    causal, i / C, i % C, out[i], ref[i], RERUN_ARGS);
    free(q); free(kk); free(vt); free(p); free(sc); free(ref); free(out);
  }
  chip_close(&c);
}
END_TEST

/* Submit one SOFTMAX at the next ring slot and expect code there (0: it runs fine), then
 * recover. On a chip without the softmax unit every SOFTMAX is ILLEGAL_FIELD instead. */
static void softmax_expect(chip_t *c, const systole_softmax_t *sm, unsigned code,
                           const char *what) {
  unsigned slot = c->tail;
  char ctx[160];
  if (!c->has_softmax) code = SYSTOLE_HWERR_ILLEGAL_FIELD;
  snprintf(ctx, sizeof(ctx), " (%s%s)", what, c->has_softmax ? "" : ", no softmax unit");
  chip_submit1(c, systole_cmd_softmax(sm, 0));
  if (code == 0) {
    expect_ok(c, what);
  } else {
    expect_error(c, code, slot, ctx);
    expect_recovered(c);
  }
}

START_TEST(test_softmax_errors) {
  chip_t c;
  systole_softmax_t sm;
  systole_cmd_t bad;
  unsigned C, slot;
  chip_open(&c, NULL, 16);
  C = c.cols;
  memset(&sm, 0, sizeof(sm));
  sm.rows = 2;
  sm.n_keys = (uint16_t)(2 * C);
  sm.acc_tstride = 2;
  sm.spad_tstride = 2;
  sm.mult = 1 << 30;
  /* N_KEYS 0, N_KEYS 32769, ROWS 0 */
  sm.n_keys = 0;
  chip_submit1(&c, systole_cmd_simple(SYSTOLE_OP_NOP));
  softmax_expect(&c, &sm, SYSTOLE_HWERR_ILLEGAL_FIELD, "N_KEYS 0 after a NOP");
  sm.n_keys = 32769;
  softmax_expect(&c, &sm, SYSTOLE_HWERR_ILLEGAL_FIELD, "N_KEYS 32769");
  sm.n_keys = (uint16_t)(2 * C);
  sm.rows = 0;
  softmax_expect(&c, &sm, SYSTOLE_HWERR_ILLEGAL_FIELD, "ROWS 0");
  /* last accumulator line = ACC_LINE + ROWS - 1 + (JT - 1) * ACC_TSTRIDE: one past the end */
  sm.rows = 2;
  sm.acc_line = (uint16_t)(c.acc_lines - 1 - 1 - 2 + 1);
  softmax_expect(&c, &sm, SYSTOLE_HWERR_ACC_RANGE, "accumulator one past the end");
  sm.acc_line = 0;
  sm.spad_line = (uint16_t)(c.spad_lines - 1 - 1 - 2 + 1);
  softmax_expect(&c, &sm, SYSTOLE_HWERR_SPAD_RANGE, "scratchpad one past the end");
  /* a huge key-tile stride wraps nothing: still out of range */
  sm.spad_line = 0;
  sm.n_keys = 32768;
  sm.acc_tstride = 0xffff;
  softmax_expect(&c, &sm, SYSTOLE_HWERR_ACC_RANGE, "huge ACC_TSTRIDE");
  /* the last legal lines run fine (both ends exactly at the last line) */
  sm.n_keys = (uint16_t)(2 * C);
  sm.acc_tstride = 2;
  sm.acc_line = (uint16_t)(c.acc_lines - 1 - 1 - 2);
  sm.spad_line = (uint16_t)(c.spad_lines - 1 - 1 - 2 - c.cols);
  softmax_expect(&c, &sm, 0, "softmax at the last lines");
  /* CONFIG EX_ZP with dependency bits (slot 1 after the good SOFTMAX in slot 0) */
  bad = systole_cmd_config_ex_zp(1, 2);
  bad.w[0] |= SYSTOLE_DEP_WAIT_PREV;
  slot = c.tail;
  chip_submit1(&c, bad);
  expect_error_and_recover(&c, SYSTOLE_HWERR_ILLEGAL_FIELD, slot);
  /* chunked modes: STATS_LINE + ROWS - 1 checked (not in MODE 0), SPAD_LINE only in PROB */
  memset(&sm, 0, sizeof(sm));
  sm.rows = 2;
  sm.n_keys = (uint16_t)(2 * C);
  sm.acc_tstride = 2;
  sm.spad_tstride = 2;
  sm.mult = 1 << 30;
  sm.mode = SYSTOLE_SOFTMAX_MAX;
  sm.first = 1;
  if (C < 4) {
    softmax_expect(&c, &sm, SYSTOLE_HWERR_ILLEGAL_FIELD, "chunked mode with Cols < 4");
  } else {
    sm.stats_line = (uint16_t)(c.acc_lines - 1);
    softmax_expect(&c, &sm, SYSTOLE_HWERR_ACC_RANGE, "MAX statistics past the end");
    sm.stats_line = (uint16_t)(c.acc_lines - 2);
    sm.spad_line = 0xffff;
    softmax_expect(&c, &sm, 0, "softmax MAX at the last statistics lines, SPAD_LINE unused");
    sm.mode = SYSTOLE_SOFTMAX_PROB;
    softmax_expect(&c, &sm, SYSTOLE_HWERR_SPAD_RANGE, "PROB scratchpad past the end");
    sm.mode = SYSTOLE_SOFTMAX_FULL;
    sm.spad_line = 0;
    sm.stats_line = 0xffff;
    sm.key_base = 0xffffffffu;
    sm.q_pos_hi = 0xffff;
    softmax_expect(&c, &sm, 0, "softmax MODE 0 ignores STATS_LINE, KEY_BASE, Q_POS_HI");
    sm.mode = SYSTOLE_SOFTMAX_SUM;
    softmax_expect(&c, &sm, SYSTOLE_HWERR_ACC_RANGE, "SUM statistics past the end");
  }
  chip_close(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Runner
 * ------------------------------------------------------------------------------------- */

static Suite *chip_suite(int subset) {
  Suite *s = suite_create("chip");
  TCase *tc;
  tc = tcase_create("csr");
  tcase_add_test(tc, test_csr_identity);
  if (!subset) tcase_add_test(tc, test_two_instances);
  if (!subset) tcase_add_test(tc, test_waves);
  suite_add_tcase(s, tc);
  tc = tcase_create("array");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_array_handmade);
  tcase_add_test(tc, test_array_random);
  tcase_add_test(tc, test_array_back_to_back);
  suite_add_tcase(s, tc);
  tc = tcase_create("dma");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_dma_strided_padding);
  tcase_add_test(tc, test_dma_acc_4k_and_broadcast);
  if (!subset) tcase_add_test(tc, test_dma_random);
  suite_add_tcase(s, tc);
  tc = tcase_create("output");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_output_edges);
  tcase_add_test(tc, test_output_raw_bias);
  suite_add_tcase(s, tc);
  tc = tcase_create("cmdproc");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_tokens_overlap);
  if (!subset) tcase_add_test(tc, test_ring_wrap_irq);
  suite_add_tcase(s, tc);
  tc = tcase_create("errors");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_err_opcode_and_fields);
  if (!subset) {
    tcase_add_test(tc, test_err_ranges);
    tcase_add_test(tc, test_err_window);
    tcase_add_test(tc, test_err_axi);
    tcase_add_test(tc, test_err_tokens_ring_deadlock);
  }
  suite_add_tcase(s, tc);
  tc = tcase_create("attention");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_ex_zp);
  tcase_add_test(tc, test_softmax_lut);
  tcase_add_test(tc, test_softmax_rows);
  tcase_add_test(tc, test_attention_chain);
  tcase_add_test(tc, test_softmax_chunks);
  if (!subset) tcase_add_test(tc, test_softmax_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(int argc, char **argv) {
  int subset = (argc > 1 && strcmp(argv[1], "--subset") == 0);
  int failed;
  SRunner *sr;
  g_argv0 = argv[0];
  g_seed = test_seed();
  printf("test_chip: config %s, seed %llu%s\n", test_config_name(), (unsigned long long)g_seed,
         subset ? ", subset" : "");
  sr = srunner_create(chip_suite(subset));
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
