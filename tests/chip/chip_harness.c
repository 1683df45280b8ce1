#include "chip_harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_OK(expr)                                                                   \
  do {                                                                                 \
    int rc_ = (expr);                                                                  \
    ck_assert_msg(rc_ == SYSTOLE_SIM_OK, "%s failed: %s", #expr, systole_sim_strerror(rc_)); \
  } while (0)

uint32_t chip_rd(chip_t *c, uint32_t off) {
  uint32_t v = 0;
  SIM_OK(systole_sim_csr_read(c->sim, off, &v));
  return v;
}

void chip_wr(chip_t *c, uint32_t off, uint32_t v) { SIM_OK(systole_sim_csr_write(c->sim, off, v)); }

uint64_t chip_counter(chip_t *c, uint32_t off_lo) {
  uint32_t lo = chip_rd(c, off_lo);
  uint32_t hi = chip_rd(c, off_lo + 4);
  return ((uint64_t)hi << 32) | lo;
}

static void ring_init(chip_t *c) {
  chip_wr(c, SYSTOLE_REG_WIN_BASE, c->win_base);
  chip_wr(c, SYSTOLE_REG_WIN_SIZE, c->win_size);
  chip_wr(c, SYSTOLE_REG_RING_BASE, (uint32_t)c->ring);
  chip_wr(c, SYSTOLE_REG_RING_SIZE, c->ring_slots);
  c->tail = chip_rd(c, SYSTOLE_REG_RING_TAIL);
  ck_assert_uint_eq(c->tail, 0);
}

void chip_open(chip_t *c, const systole_sim_config_t *cfg, unsigned ring_slots) {
  systole_sim_config_t def;
  uint32_t v;
  memset(c, 0, sizeof(*c));
  if (!cfg) {
    systole_sim_config_default(&def);
    cfg = &def;
  }
  SIM_OK(systole_sim_create(cfg, &c->sim));
  v = chip_rd(c, SYSTOLE_REG_CFG_ARRAY);
  c->rows = SYSTOLE_CFG_ARRAY_ROWS_GET(v);
  c->cols = SYSTOLE_CFG_ARRAY_COLS_GET(v);
  c->spad_lines = chip_rd(c, SYSTOLE_REG_CFG_SPAD) / c->rows;
  c->acc_lines = chip_rd(c, SYSTOLE_REG_CFG_ACC) / (4 * c->cols);
  c->qp_lines = SYSTOLE_CFG_MISC_QPARAM_LINES_GET(chip_rd(c, SYSTOLE_REG_CFG_MISC));
  c->bus_bytes = SYSTOLE_CFG_BUS_DATA_BITS_GET(chip_rd(c, SYSTOLE_REG_CFG_BUS)) / 8;
  v = chip_rd(c, SYSTOLE_REG_CFG_FEATURES);
  c->has_softmax = SYSTOLE_CFG_FEATURES_SOFTMAX_GET(v);
  c->perf_full = SYSTOLE_CFG_FEATURES_PERF_FULL_GET(v);
  c->ring_slots = ring_slots;
  SIM_OK(systole_sim_mem_alloc(c->sim, (uint64_t)ring_slots * SYSTOLE_CMD_BYTES, 32, &c->ring));
  c->win_base = 4096;
  c->win_size = (uint32_t)(cfg->mem_bytes - 4096);
  ring_init(c);
}

void chip_close(chip_t *c) {
  systole_sim_destroy(c->sim);
  c->sim = NULL;
}

static unsigned ring_head(chip_t *c) { return chip_rd(c, SYSTOLE_REG_RING_HEAD); }

void chip_submit(chip_t *c, const systole_cmd_t *cmds, unsigned n) {
  unsigned i;
  for (i = 0; i < n; i++) {
    uint8_t bytes[SYSTOLE_CMD_BYTES];
    unsigned next = (c->tail + 1) % c->ring_slots;
    uint64_t waited = 0;
    if (next == ring_head(c)) {
      /* ring full: publish what we have and let the chip drain some */
      chip_wr(c, SYSTOLE_REG_RING_TAIL, c->tail);
      while (next == ring_head(c)) {
        systole_sim_step(c->sim, 16);
        waited += 16;
        ck_assert_msg(waited < 10000000, "ring never drained (STATUS=0x%x)",
                      chip_rd(c, SYSTOLE_REG_STATUS));
      }
    }
    systole_cmd_to_bytes(&cmds[i], bytes);
    chip_write(c, c->ring + (uint64_t)c->tail * SYSTOLE_CMD_BYTES, bytes, sizeof(bytes));
    c->tail = next;
  }
  chip_wr(c, SYSTOLE_REG_RING_TAIL, c->tail);
}

void chip_submit1(chip_t *c, systole_cmd_t cmd) { chip_submit(c, &cmd, 1); }

uint32_t chip_run(chip_t *c, uint64_t max_cycles) {
  systole_sim_stop_t why;
  SIM_OK(systole_sim_run(c->sim, SYSTOLE_SIM_STOP_IDLE, max_cycles, &why));
  ck_assert_msg(why == SYSTOLE_SIM_STOP_IDLE, "chip not idle after %llu cycles (STATUS=0x%x)",
                (unsigned long long)max_cycles, chip_rd(c, SYSTOLE_REG_STATUS));
  return chip_rd(c, SYSTOLE_REG_STATUS);
}

void chip_soft_reset(chip_t *c) {
  unsigned i;
  uint32_t st = 0;
  chip_wr(c, SYSTOLE_REG_CTRL, 1u << SYSTOLE_CTRL_SOFT_RESET_SHIFT);
  for (i = 0; i < 100000; i++) {
    st = chip_rd(c, SYSTOLE_REG_STATUS);
    if (!SYSTOLE_STATUS_RESETTING_GET(st)) break;
  }
  ck_assert_msg(!SYSTOLE_STATUS_RESETTING_GET(st), "soft reset did not finish");
  ck_assert_msg(!SYSTOLE_STATUS_ERROR_GET(st), "error still set after soft reset");
  ck_assert_uint_eq(chip_rd(c, SYSTOLE_REG_RING_HEAD), 0);
  ring_init(c);
}

uint64_t chip_alloc(chip_t *c, uint64_t bytes, const void *src) {
  uint64_t addr = 0;
  SIM_OK(systole_sim_mem_alloc(c->sim, bytes, 64, &addr));
  if (src) {
    chip_write(c, addr, src, bytes);
  } else {
    void *z = calloc(1, (size_t)bytes);
    ck_assert_ptr_nonnull(z);
    chip_write(c, addr, z, bytes);
    free(z);
  }
  return addr;
}

void chip_read(chip_t *c, uint64_t addr, void *dst, uint64_t bytes) {
  SIM_OK(systole_sim_mem_read(c->sim, addr, dst, bytes));
}

void chip_write(chip_t *c, uint64_t addr, const void *src, uint64_t bytes) {
  SIM_OK(systole_sim_mem_write(c->sim, addr, src, bytes));
}

void chip_peek_acc(chip_t *c, unsigned line, unsigned n, int32_t *out) {
  uint64_t buf = chip_alloc(c, (uint64_t)n * c->cols * 4, NULL);
  systole_store_t s;
  uint32_t st;
  memset(&s, 0, sizeof(s));
  s.raw = 1;
  s.rows = (uint16_t)n;
  s.dst = (uint32_t)buf;
  s.dst_stride = c->cols * 4;
  s.channels = (uint16_t)c->cols;
  s.src_line = (uint16_t)line;
  s.src_stride = 1;
  chip_submit1(c, systole_cmd_store(&s, 0));
  st = chip_run(c, 1000000);
  ck_assert_msg(!SYSTOLE_STATUS_ERROR_GET(st), "peek_acc store failed: err %u",
                SYSTOLE_STATUS_ERR_CODE_GET(st));
  chip_read(c, buf, out, (uint64_t)n * c->cols * 4);
  SIM_OK(systole_sim_mem_free(c->sim, buf));
}

void chip_peek_spad(chip_t *c, unsigned line, unsigned n, int8_t *out, unsigned acc_scratch) {
  unsigned r, k, wl = c->spad_lines - c->cols;
  int8_t *ident = calloc((size_t)c->cols * c->rows, 1);
  int32_t *acc = malloc((size_t)n * c->cols * 4);
  systole_load_t l;
  systole_matmul_t m;
  uint64_t waddr;
  uint32_t st;
  ck_assert_uint_eq(c->rows, c->cols);
  ck_assert_ptr_nonnull(ident);
  ck_assert_ptr_nonnull(acc);
  for (r = 0; r < c->cols; r++) ident[r * c->rows + r] = 1;
  waddr = chip_alloc(c, (uint64_t)c->cols * c->rows, ident);
  memset(&l, 0, sizeof(l));
  l.target = SYSTOLE_TARGET_SPAD;
  l.rows = (uint16_t)c->cols;
  l.src = (uint32_t)waddr;
  l.src_stride = c->rows;
  l.row_bytes = (uint16_t)c->rows;
  l.dst_line = (uint16_t)wl;
  l.dst_stride = 1;
  memset(&m, 0, sizeof(m));
  m.load_w = 1;
  m.rows = (uint16_t)n;
  m.a_line = (uint16_t)line;
  m.a_stride = 1;
  m.acc_line = (uint16_t)acc_scratch;
  m.acc_stride = 1;
  m.w_line = (uint16_t)wl;
  {
    systole_cmd_t cmds[2];
    cmds[0] = systole_cmd_load(&l, SYSTOLE_DEP_SIG_NEXT);
    cmds[1] = systole_cmd_matmul(&m, SYSTOLE_DEP_WAIT_PREV);
    chip_submit(c, cmds, 2);
  }
  st = chip_run(c, 1000000);
  ck_assert_msg(!SYSTOLE_STATUS_ERROR_GET(st), "peek_spad failed: err %u",
                SYSTOLE_STATUS_ERR_CODE_GET(st));
  chip_peek_acc(c, acc_scratch, n, acc);
  for (r = 0; r < n; r++)
    for (k = 0; k < c->rows; k++) out[r * c->rows + k] = (int8_t)acc[r * c->cols + k];
  SIM_OK(systole_sim_mem_free(c->sim, waddr));
  free(ident);
  free(acc);
}

uint64_t test_rand(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

int8_t test_rand_i8(uint64_t *s) { return (int8_t)(test_rand(s) >> 56); }

uint64_t test_seed(void) {
  const char *e = getenv("SEED");
  uint64_t v = (e && *e) ? strtoull(e, NULL, 0) : 1;
  return v ? v : 1;
}

const char *test_config_name(void) {
#ifdef SYSTOLE_TEST_CONFIG
  return SYSTOLE_TEST_CONFIG;
#else
  return "?";
#endif
}

long test_param(const char *name, long def, int *given) {
#ifdef SYSTOLE_TEST_PARAMS
  const char *p = SYSTOLE_TEST_PARAMS;
  size_t n = strlen(name);
  long v = def;
  int found = 0;
  /* the last -G<name>= wins, as on the Verilator command line */
  for (; (p = strstr(p, "-G")) != NULL; p += 2)
    if (strncmp(p + 2, name, n) == 0 && p[2 + n] == '=') {
      v = strtol(p + 3 + n, NULL, 0);
      found = 1;
    }
  if (given) *given = found;
  return v;
#else
  (void)name;
  if (given) *given = 0;
  return def;
#endif
}
