/* Driver tests against a mocked HAL: argument validation of every public function (a bad
 * argument must not touch the device) and the generated command streams (tokens balance,
 * loads stay inside their tensors, every MAC and every output element exactly once).
 *
 * The mock is a chip that consumes every command the moment RING_TAIL is written, records
 * it, reports configurable CFG registers, and keeps device memory in a host array.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systole.h"
#include "systole_cmd.h"
#include "systole_regs.h"
#include "systole_ref.h"
#include "test_util.h"

/* the driver's libc-free formatter (driver/src/systole_internal.h) */
void drv_fmt(char *out, size_t size, const char *fmt, ...);

/* ---- the mock -------------------------------------------------------------------------- */

#define MOCK_MEM_BASE 0x10000u
#define MOCK_MEM_BYTES (8u << 20)
#define MOCK_MAX_CMDS 400000u

typedef struct {
  uint32_t regs[1024];
  uint8_t *mem;
  uint32_t brk;
  unsigned reg_writes, reg_reads, mem_writes, allocs;
  int irq_pending;
  /* decoded ring log */
  uint64_t (*log)[4];
  unsigned nlog;
  uint32_t head;
  systole_hal_t hal;
  /* config */
  unsigned rows, cols, spad_bytes, acc_bytes, qp_lines;
  /* device allocations, in order (addr, bytes) */
  uint32_t alog[256][2];
  unsigned nalog;
  /* fault injection: stop with error `fail_code` at the first command with opcode
   * `fail_op` (0: never); `stall`: consume nothing (a hung chip) */
  unsigned fail_op, fail_code, error, err_slot, stall;
} mock_t;

static int m_reg_read(void *ctx, uint32_t off, uint32_t *v) {
  mock_t *m = (mock_t *)ctx;
  m->reg_reads++;
  if (off >= 4096 || (off & 3)) return -1;
  switch (off) {
    case SYSTOLE_REG_ID: *v = 0x53595354u; break;
    case SYSTOLE_REG_CFG_ARRAY: *v = (m->cols << 16) | m->rows; break;
    case SYSTOLE_REG_CFG_SPAD: *v = m->spad_bytes; break;
    case SYSTOLE_REG_CFG_ACC: *v = m->acc_bytes; break;
    case SYSTOLE_REG_CFG_BUS: *v = (32u << 16) | 64u; break;
    case SYSTOLE_REG_CFG_MISC: *v = (32u << 24) | (8u << 16) | m->qp_lines; break;
    case SYSTOLE_REG_STATUS:
      *v = m->error ? (2u | (m->fail_code << 8)) : m->stall ? 0u : 1u;
      break;
    case SYSTOLE_REG_ERR_CMD: *v = m->err_slot; break;
    case SYSTOLE_REG_RING_HEAD: *v = m->head; break;
    case SYSTOLE_REG_IRQ_STATUS:
      *v = (m->irq_pending ? (1u << SYSTOLE_IRQ_STATUS_CMD_SHIFT) : 0) |
           (m->error ? (1u << SYSTOLE_IRQ_STATUS_ERROR_SHIFT) : 0);
      break;
    default: *v = m->regs[off / 4]; break;
  }
  return 0;
}

static int m_reg_write(void *ctx, uint32_t off, uint32_t v) {
  mock_t *m = (mock_t *)ctx;
  m->reg_writes++;
  if (off >= 4096 || (off & 3)) return -1;
  m->regs[off / 4] = v;
  if (off == SYSTOLE_REG_IRQ_STATUS && (v & 4u)) m->irq_pending = 0;
  if (off == SYSTOLE_REG_CTRL && (v & 1u)) {
    m->error = 0;
    m->head = 0;
    m->regs[SYSTOLE_REG_RING_TAIL / 4] = 0;
  }
  if (off == SYSTOLE_REG_RING_TAIL) {
    uint32_t slots = m->regs[SYSTOLE_REG_RING_SIZE / 4], base = m->regs[SYSTOLE_REG_RING_BASE / 4];
    while (m->head != v && !m->error && !m->stall) {
      const uint8_t *p = m->mem + (base - MOCK_MEM_BASE) + m->head * 32u;
      unsigned i, b;
      ck_assert_uint_lt(m->nlog, MOCK_MAX_CMDS);
      for (i = 0; i < 4; i++) {
        m->log[m->nlog][i] = 0;
        for (b = 0; b < 8; b++) m->log[m->nlog][i] |= (uint64_t)p[i * 8 + b] << (8 * b);
      }
      if (m->fail_op && (m->log[m->nlog][0] & 0xff) == m->fail_op) {
        m->error = 1;
        m->err_slot = m->head;
        m->fail_op = 0;
        break;
      }
      if ((m->log[m->nlog][0] & 0xff) == SYSTOLE_OP_IRQ) m->irq_pending = 1;
      m->nlog++;
      m->head = (m->head + 1) % slots;
    }
  }
  return 0;
}

static int m_alloc(void *ctx, size_t bytes, size_t align, uint32_t *a) {
  mock_t *m = (mock_t *)ctx;
  uint32_t p = (m->brk + (uint32_t)align - 1) & ~((uint32_t)align - 1);
  m->allocs++;
  if ((uint64_t)p + bytes > MOCK_MEM_BASE + (uint64_t)MOCK_MEM_BYTES) return -1;
  *a = p;
  m->brk = p + (uint32_t)bytes;
  if (m->nalog < 256) {
    m->alog[m->nalog][0] = p;
    m->alog[m->nalog][1] = (uint32_t)bytes;
    m->nalog++;
  }
  return 0;
}

static int m_free(void *ctx, uint32_t a) {
  (void)ctx;
  (void)a;
  return 0;
}

static int m_write(void *ctx, uint32_t a, const void *src, size_t n) {
  mock_t *m = (mock_t *)ctx;
  m->mem_writes++;
  if (a < MOCK_MEM_BASE || (uint64_t)a + n > MOCK_MEM_BASE + (uint64_t)MOCK_MEM_BYTES) return -1;
  memcpy(m->mem + (a - MOCK_MEM_BASE), src, n);
  return 0;
}

static int m_read(void *ctx, uint32_t a, void *dst, size_t n) {
  mock_t *m = (mock_t *)ctx;
  if (a < MOCK_MEM_BASE || (uint64_t)a + n > MOCK_MEM_BASE + (uint64_t)MOCK_MEM_BYTES) return -1;
  memcpy(dst, m->mem + (a - MOCK_MEM_BASE), n);
  return 0;
}

static int m_wait(void *ctx, unsigned what, uint64_t budget, unsigned *reached) {
  mock_t *m = (mock_t *)ctx;
  (void)budget;
  *reached = what & ((m->stall ? 0u : SYSTOLE_HAL_WAIT_IDLE) |
                     (m->irq_pending || m->error ? SYSTOLE_HAL_WAIT_IRQ : 0u));
  return 0;
}

static uint64_t m_cycles(void *ctx) {
  (void)ctx;
  return 0;
}

static void *m_halloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n ? n : 1);
}
static void m_hfree(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static mock_t *mock_new(unsigned rows, unsigned cols, unsigned qp_lines) {
  mock_t *m = calloc(1, sizeof(*m));
  ck_assert_ptr_nonnull(m);
  m->mem = calloc(1, MOCK_MEM_BYTES);
  m->log = calloc(MOCK_MAX_CMDS, sizeof(*m->log));
  ck_assert_ptr_nonnull(m->mem);
  ck_assert_ptr_nonnull(m->log);
  m->brk = MOCK_MEM_BASE;
  m->rows = rows;
  m->cols = cols;
  m->spad_bytes = 65536;
  m->acc_bytes = 16384;
  m->qp_lines = qp_lines;
  m->hal.ctx = m;
  m->hal.reg_read = m_reg_read;
  m->hal.reg_write = m_reg_write;
  m->hal.mem_alloc = m_alloc;
  m->hal.mem_free = m_free;
  m->hal.mem_write = m_write;
  m->hal.mem_read = m_read;
  m->hal.wait = m_wait;
  m->hal.cycles = m_cycles;
  m->hal.host_alloc = m_halloc;
  m->hal.host_free = m_hfree;
  m->hal.mem_base = MOCK_MEM_BASE;
  m->hal.mem_size = MOCK_MEM_BYTES;
  return m;
}

static void mock_free(mock_t *m) {
  free(m->mem);
  free(m->log);
  free(m);
}

/* Device touches so far (register writes, memory writes, allocations, ring commands). */
static unsigned touches(const mock_t *m) {
  return m->reg_writes + m->mem_writes + m->allocs + m->nlog;
}


/* A bad call: BAD_ARG (or OVERFLOW) and no device touch. */
#define BAD(m, expr)                                                                      \
  do {                                                                                    \
    unsigned t0_ = touches(m);                                                            \
    systole_status_t st_ = (expr);                                                        \
    ck_assert_msg(st_ == SYSTOLE_BAD_ARG || st_ == SYSTOLE_OVERFLOW,                      \
                  "%s returned %s, want BAD_ARG", #expr, systole_status_str(st_));        \
    ck_assert_msg(touches(m) == t0_, "%s touched the device", #expr);                     \
  } while (0)

static void open_dev(mock_t *m, systole_dev_t *dev) { OK(systole_dev_open(dev, &m->hal, NULL)); }

/* ---- validation ---------------------------------------------------------------------------- */

START_TEST(test_formatter) {
  char b[64];
  drv_fmt(b, sizeof(b), "%d %u %x %08x %s %c %%", -42, 7u, 255u, 0xbeefu, "ok", 'z');
  ck_assert_str_eq(b, "-42 7 ff 0000beef ok z %");
  drv_fmt(b, sizeof(b), "%016llx %llu %zu %ld %5d|%-", 0x1234ull, 18446744073709551615ull,
          (size_t)99, -5L, -3);
  ck_assert_str_eq(b, "0000000000001234 18446744073709551615 99 -5    -3|%-");
  drv_fmt(b, 6, "abcdefgh %d", 1);
  ck_assert_str_eq(b, "abcde");
  drv_fmt(b, sizeof(b), "%d %s", -2147483647 - 1, (const char *)NULL);
  ck_assert_str_eq(b, "-2147483648 (null)");
}
END_TEST

START_TEST(test_status_strings) {
  int s;
  for (s = 0; s <= 9; s++) ck_assert_ptr_nonnull(systole_status_str((systole_status_t)s));
  ck_assert_str_eq(systole_status_str((systole_status_t)1234), "unknown status");
  ck_assert_str_eq(systole_status_str(SYSTOLE_OK), "ok");
}
END_TEST

START_TEST(test_dev_validation) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_hal_t bad;
  systole_dev_config_t cfg;
  systole_caps_t caps;
  systole_error_info_t info;
  BAD(m, systole_dev_open(NULL, &m->hal, NULL));
  BAD(m, systole_dev_open(&dev, NULL, NULL));
  bad = m->hal;
  bad.wait = NULL;
  BAD(m, systole_dev_open(&dev, &bad, NULL));
  bad = m->hal;
  bad.reg_write = NULL;
  BAD(m, systole_dev_open(&dev, &bad, NULL));
  memset(&cfg, 0, sizeof(cfg));
  cfg.ring_slots = 3;
  BAD(m, systole_dev_open(&dev, &m->hal, &cfg));
  cfg.ring_slots = 70000;
  BAD(m, systole_dev_open(&dev, &m->hal, &cfg));
  cfg.ring_slots = 0;
  cfg.win_base = 0xfffff000u;
  cfg.win_size = 0x2000u;
  BAD(m, systole_dev_open(&dev, &m->hal, &cfg));
  memset(&dev, 0, sizeof(dev));
  BAD(m, systole_dev_close(&dev)); /* never opened */
  BAD(m, systole_dev_close(NULL));
  BAD(m, systole_dev_caps(NULL, &caps));
  BAD(m, systole_dev_last_error(NULL, &info));
  BAD(m, systole_dev_reset(NULL));
  BAD(m, systole_dev_set_trace(NULL, NULL, NULL));
  open_dev(m, &dev);
  BAD(m, systole_dev_caps(&dev, NULL));
  BAD(m, systole_dev_last_error(&dev, NULL));
  OK(systole_dev_caps(&dev, &caps));
  ck_assert_uint_eq(caps.rows, 8);
  ck_assert_uint_eq(caps.spad_lines, 65536 / 8);
  ck_assert_uint_eq(caps.acc_lines, 16384 / 32);
  ck_assert_uint_eq(caps.qparam_lines, 64);
  ck_assert_uint_eq(caps.bus_bytes, 8);
  OK(systole_dev_close(&dev));
  /* a configuration the driver cannot use */
  {
    mock_t *m2 = mock_new(8, 8, 64);
    systole_hal_t h = m2->hal;
    systole_status_t st;
    h.reg_read = m_reg_read;
    m2->rows = 0; /* unsupported config */
    st = systole_dev_open(&dev, &h, NULL);
    ck_assert_int_eq(st, SYSTOLE_UNSUPPORTED);
    mock_free(m2);
  }
  mock_free(m);
}
END_TEST

START_TEST(test_buf_validation) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_buf_t b, v, outside;
  uint8_t data[64];
  open_dev(m, &dev);
  BAD(m, systole_buf_alloc(NULL, 16, &b));
  BAD(m, systole_buf_alloc(&dev, 0, &b));
  BAD(m, systole_buf_alloc(&dev, 16, NULL));
#if SIZE_MAX > 0xffffffffu
  BAD(m, systole_buf_alloc(&dev, (size_t)1 << 33, &b));
#endif
  OK(systole_buf_alloc(&dev, 64, &b));
  BAD(m, systole_buf_write(&dev, &b, 0, NULL, 8));
  BAD(m, systole_buf_write(&dev, &b, 60, data, 8));
  BAD(m, systole_buf_write(&dev, &b, (size_t)-1, data, 8));
  BAD(m, systole_buf_write(&dev, &b, 0, data, 0));
  BAD(m, systole_buf_write(NULL, &b, 0, data, 8));
  BAD(m, systole_buf_write(&dev, NULL, 0, data, 8));
  BAD(m, systole_buf_read(&dev, &b, 0, NULL, 8));
  BAD(m, systole_buf_read(&dev, &b, 1, data, 64));
  BAD(m, systole_buf_view(&b, 60, 8, &v));
  BAD(m, systole_buf_view(&b, 0, 0, &v));
  BAD(m, systole_buf_view(NULL, 0, 8, &v));
  OK(systole_buf_view(&b, 8, 8, &v));
  BAD(m, systole_buf_free(&dev, &v)); /* a view is not freeable */
  outside.addr = 0x100u;
  outside.bytes = 64;
  outside.owned = 1;
  BAD(m, systole_buf_write(&dev, &outside, 0, data, 8)); /* outside the window */
  memset(data, 7, sizeof(data));
  OK(systole_buf_write(&dev, &v, 0, data, 8));
  OK(systole_buf_read(&dev, &b, 8, data + 32, 8));
  ck_assert_mem_eq(data, data + 32, 8);
  OK(systole_buf_free(&dev, &b));
  BAD(m, systole_buf_free(&dev, &b)); /* twice */
  BAD(m, systole_buf_free(NULL, &b));
  OK(systole_dev_close(&dev));
  mock_free(m);
}
END_TEST

static systole_conv2d_params_t conv_params(void) {
  systole_conv2d_params_t p;
  memset(&p, 0, sizeof(p));
  p.batch = 1; p.in_h = 6; p.in_w = 5; p.in_c = 4; p.out_c = 6; p.k_h = 3; p.k_w = 3;
  p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.groups = 1; p.in_zp = 0; p.out_zp = 0; p.act_min = -128; p.act_max = 127;
  return p;
}

START_TEST(test_pack_validation) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_packed_t pk;
  int8_t w[6 * 9 * 4];
  int32_t bias[6] = {0}, mult[6] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30},
          shift[6] = {0};
  systole_conv2d_params_t p;
  memset(w, 1, sizeof(w));
  open_dev(m, &dev);
  BAD(m, systole_matmul_weights_pack(NULL, 4, 4, w, 0, bias, mult, shift, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 0, 4, w, 0, bias, mult, shift, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 0, w, 0, bias, mult, shift, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, NULL, 0, bias, mult, shift, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, w, 0, bias, mult, NULL, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, w, 0, bias, NULL, shift, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, w, 0, bias, mult, shift, 128, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, w, 0, bias, mult, shift, -129, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, w, 0x10, bias, mult, shift, 0, &pk));
  BAD(m, systole_matmul_weights_pack(&dev, 4, 4, w, 0, bias, mult, shift, 0, NULL));
  BAD(m, systole_matmul_weights_pack(&dev, 0xffffffffu, 0xffffffffu, w, 0, NULL, NULL, NULL,
                                     0, &pk));
  p = conv_params();
  BAD(m, systole_conv2d_weights_pack(NULL, &p, w, bias, mult, shift, &pk));
  BAD(m, systole_conv2d_weights_pack(&dev, NULL, w, bias, mult, shift, &pk));
  BAD(m, systole_conv2d_weights_pack(&dev, &p, NULL, bias, mult, shift, &pk));
  BAD(m, systole_conv2d_weights_pack(&dev, &p, w, bias, NULL, shift, &pk));
  BAD(m, systole_conv2d_weights_pack(&dev, &p, w, bias, mult, shift, NULL));
#define BADP(field, val)                                                     \
  do {                                                                       \
    p = conv_params();                                                       \
    p.field = val;                                                           \
    BAD(m, systole_conv2d_weights_pack(&dev, &p, w, bias, mult, shift, &pk)); \
  } while (0)
  BADP(batch, 0); BADP(in_h, 0); BADP(in_w, -1); BADP(in_c, 0); BADP(out_c, 0);
  BADP(k_h, 0); BADP(k_w, 0); BADP(stride_h, 0); BADP(stride_w, -2); BADP(dil_h, 0);
  BADP(dil_w, 0); BADP(pad_top, -1); BADP(pad_right, -1); BADP(groups, 0); BADP(groups, 3);
  BADP(in_zp, 300); BADP(k_h, 9); /* output would be empty */
  p = conv_params();
  p.groups = 2;
  p.out_c = 5; /* out_c not divisible by groups */
  BAD(m, systole_conv2d_weights_pack(&dev, &p, w, bias, mult, shift, &pk));
  BAD(m, systole_packed_free(&dev, NULL));
  memset(&pk, 0, sizeof(pk));
  BAD(m, systole_packed_free(&dev, &pk));
  OK(systole_dev_close(&dev));
  mock_free(m);
}
END_TEST

START_TEST(test_job_validation) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_packed_t pk, cpk;
  systole_buf_t a, c, in, out, small;
  systole_matmul_job_t job, j;
  systole_conv2d_params_t p, q;
  int8_t w[16 * 20];
  int32_t mult[20], shift[20];
  int oh, ow, i;
  for (i = 0; i < 20; i++) {
    mult[i] = 1 << 30;
    shift[i] = -3;
  }
  memset(w, 1, sizeof(w));
  open_dev(m, &dev);
  OK(systole_matmul_weights_pack(&dev, 16, 20, w, 0, NULL, mult, shift, 5, &pk));
  OK(systole_buf_alloc(&dev, 10 * 16, &a));
  OK(systole_buf_alloc(&dev, 10 * 20 * 2, &c));
  OK(systole_buf_alloc(&dev, 8, &small));
  memset(&job, 0, sizeof(job));
  job.M = 10; job.a = &a; job.lda = 16; job.a_zp = 5; job.b = &pk; job.c = &c; job.ldc = 20;
  job.out_zp = 0; job.act_min = -128; job.act_max = 127;
  BAD(m, systole_matmul(NULL, &job, NULL));
  BAD(m, systole_matmul(&dev, NULL, NULL));
#define BADJ(stmt)                                   \
  do {                                               \
    j = job;                                         \
    stmt;                                            \
    BAD(m, systole_matmul(&dev, &j, NULL));          \
  } while (0)
  BADJ(j.lda = 15);
  {
    systole_error_info_t info;
    OK(systole_dev_last_error(&dev, &info));
    ck_assert_int_eq(info.status, SYSTOLE_BAD_ARG);
    ck_assert_str_eq(info.msg, "matmul: lda 15 < K 16");
  }
  BADJ(j.M = 0);
  BADJ(j.a = NULL);
  BADJ(j.b = NULL);
  BADJ(j.c = NULL);
  BADJ(j.lda = 15);
  BADJ(j.ldc = 19);
  BADJ(j.a_zp = 4); /* differs from the packed zero point */
  BADJ(j.out_zp = 128);
  BADJ(j.act_min = 10; j.act_max = 9);
  BADJ(j.act_max = 200);
  BADJ(j.a = &small);  /* too small */
  BADJ(j.M = 11);      /* A and C too small */
  BADJ(j.lda = 0xffffffffu);
  BADJ(j.raw_output = 1); /* C holds 400 bytes: 10x20 int32 does not fit */
  OK(systole_matmul(&dev, &job, NULL));
  /* conv */
  p = conv_params();
  p.in_zp = -3;
  OK(systole_conv2d_out_size(&p, &oh, &ow));
  ck_assert_int_eq(oh, 6);
  ck_assert_int_eq(ow, 5);
  OK(systole_conv2d_weights_pack(&dev, &p, w, NULL, mult, shift, &cpk));
  OK(systole_buf_alloc(&dev, 6 * 5 * 4, &in));
  OK(systole_buf_alloc(&dev, 6 * 5 * 6, &out));
  BAD(m, systole_conv2d(NULL, &p, &in, &cpk, &out, 0, NULL));
  BAD(m, systole_conv2d(&dev, NULL, &in, &cpk, &out, 0, NULL));
  BAD(m, systole_conv2d(&dev, &p, NULL, &cpk, &out, 0, NULL));
  BAD(m, systole_conv2d(&dev, &p, &in, NULL, &out, 0, NULL));
  BAD(m, systole_conv2d(&dev, &p, &in, &cpk, NULL, 0, NULL));
  BAD(m, systole_conv2d(&dev, &p, &small, &cpk, &out, 0, NULL)); /* input too small */
  BAD(m, systole_conv2d(&dev, &p, &in, &cpk, &small, 0, NULL));  /* output too small */
  BAD(m, systole_conv2d(&dev, &p, &in, &cpk, &out, 1, NULL));    /* int32 output too small */
  BAD(m, systole_conv2d(&dev, &p, &in, &pk, &out, 0, NULL));     /* matmul weights */
  q = p; q.in_zp = 0; BAD(m, systole_conv2d(&dev, &q, &in, &cpk, &out, 0, NULL)); /* not packed for */
  q = p; q.pad_left = 0; BAD(m, systole_conv2d(&dev, &q, &in, &cpk, &out, 0, NULL));
  q = p; q.stride_h = 0; BAD(m, systole_conv2d(&dev, &q, &in, &cpk, &out, 0, NULL));
  q = p; q.dil_w = 0; BAD(m, systole_conv2d(&dev, &q, &in, &cpk, &out, 0, NULL));
  q = p; q.act_min = 5; q.act_max = 4; BAD(m, systole_conv2d(&dev, &q, &in, &cpk, &out, 0, NULL));
  q = p; q.out_zp = -129; BAD(m, systole_conv2d(&dev, &q, &in, &cpk, &out, 0, NULL));
  BAD(m, systole_conv2d_out_size(NULL, &oh, &ow));
  BAD(m, systole_conv2d_out_size(&p, NULL, &ow));
  q = p; q.k_w = 20; BAD(m, systole_conv2d_out_size(&q, &oh, &ow));
  q = p;
  BAD(m, systole_conv2d_set_padding(&q, (systole_padding_t)7));
  BAD(m, systole_conv2d_set_padding(NULL, SYSTOLE_PADDING_SAME));
  q.stride_w = 0;
  BAD(m, systole_conv2d_set_padding(&q, SYSTOLE_PADDING_SAME));
  q = p;
  q.in_h = 7; q.k_h = 4; q.stride_h = 2; q.in_w = 10; q.k_w = 1; q.stride_w = 3;
  OK(systole_conv2d_set_padding(&q, SYSTOLE_PADDING_SAME));
  ck_assert_int_eq(q.pad_top, 1); /* out 4: total (3*2+4-7)=3 -> 1 before, 2 after */
  ck_assert_int_eq(q.pad_bottom, 2);
  ck_assert_int_eq(q.pad_left, 0);
  ck_assert_int_eq(q.pad_right, 0);
  OK(systole_conv2d_set_padding(&q, SYSTOLE_PADDING_VALID));
  ck_assert_int_eq(q.pad_top + q.pad_bottom + q.pad_left + q.pad_right, 0);
  OK(systole_conv2d(&dev, &p, &in, &cpk, &out, 0, NULL));
  /* raw-only weights cannot produce int8 */
  {
    systole_packed_t rawpk;
    OK(systole_matmul_weights_pack(&dev, 16, 20, w, 0, NULL, NULL, NULL, 5, &rawpk));
    j = job;
    j.b = &rawpk;
    BAD(m, systole_matmul(&dev, &j, NULL));
    j.raw_output = 1;
    j.M = 3;
    OK(systole_matmul(&dev, &j, NULL));
    OK(systole_packed_free(&dev, &rawpk));
  }
  /* pooling and add */
  {
    systole_pool_params_t pp;
    systole_add_params_t ap;
    memset(&pp, 0, sizeof(pp));
    pp.batch = 1; pp.in_h = 4; pp.in_w = 4; pp.channels = 2; pp.k_h = pp.k_w = 2;
    pp.stride_h = pp.stride_w = 2; pp.act_min = -128; pp.act_max = 127;
    OK(systole_pool_out_size(&pp, &oh, &ow));
    ck_assert_int_eq(oh, 2);
    BAD(m, systole_maxpool2d(&dev, NULL, &in, &out));
    BAD(m, systole_maxpool2d(NULL, &pp, &in, &out));
    BAD(m, systole_avgpool2d(&dev, &pp, &small, &out)); /* input too small */
    pp.pad_top = 2;                                      /* pad >= window */
    BAD(m, systole_avgpool2d(&dev, &pp, &in, &out));
    pp.pad_top = 0; pp.stride_w = 0;
    BAD(m, systole_maxpool2d(&dev, &pp, &in, &out));
    pp.stride_w = 2; pp.act_min = 100; pp.act_max = 99;
    BAD(m, systole_pool_out_size(&pp, &oh, &ow));
    memset(&ap, 0, sizeof(ap));
    ap.left_shift = 20; ap.act_min = -128; ap.act_max = 127;
    BAD(m, systole_add(&dev, &ap, 0, &in, &in, &out));
    BAD(m, systole_add(&dev, NULL, 8, &in, &in, &out));
    BAD(m, systole_add(&dev, &ap, 9, &small, &in, &out));
    ap.in1_zp = 128;
    BAD(m, systole_add(&dev, &ap, 8, &in, &in, &out));
    ap.in1_zp = 0; ap.left_shift = 24;
    BAD(m, systole_add(&dev, &ap, 8, &in, &in, &out));
  }
  OK(systole_packed_free(&dev, &pk));
  OK(systole_packed_free(&dev, &cpk));
  OK(systole_dev_close(&dev));
  mock_free(m);
}
END_TEST

/* ---- command streams ----------------------------------------------------------------------- */

typedef struct {
  uint32_t lo, hi; /* allowed source byte range */
} range_t;

typedef struct {
  unsigned loads, matmuls, stores, fences, irqs, configs, softmaxes;
  uint64_t mm_rows;      /* sum of MATMUL rows */
  unsigned sm_modes[4];  /* SOFTMAXes per MODE (FULL, MAX, SUM, PROB) */
  uint64_t st_elems;     /* sum of STORE rows*channels */
} stream_stats_t;

/* Decode and check the ring log [from, to) (one job, ending with its IRQ): token balance (and
 * that every take has an earlier give: no deadlock under in-order dispatch), opcode counts,
 * LOAD/STORE ranges (every LOAD inside one of srcs, every STORE inside one of dsts), on-chip
 * line ranges. */
static void check_stream_ex(const mock_t *m, unsigned from, unsigned to,
                            const systole_caps_t *caps, const range_t *srcs, unsigned nsrc,
                            const range_t *dsts, unsigned ndst, stream_stats_t *ss) {
  long tok[4] = {0, 0, 0, 0}; /* ld2ex ex2ld ex2st st2ex */
  unsigned i, k;
  memset(ss, 0, sizeof(*ss));
  for (i = from; i < to; i++) {
    const uint64_t *w = m->log[i];
    unsigned op = (unsigned)(w[0] & 0xff), dep = (unsigned)(w[0] >> 8) & 0xf;
    int wp = dep & 1, wn = (dep >> 1) & 1, sp = (dep >> 2) & 1, sn = (dep >> 3) & 1;
    switch (op) {
      case SYSTOLE_OP_LOAD: {
        unsigned target = (unsigned)(w[0] >> 12) & 3, rows = (unsigned)(w[0] >> 16) & 0xffff;
        uint32_t src = (uint32_t)(w[0] >> 32), stride = (uint32_t)w[1];
        unsigned rb = (unsigned)(w[1] >> 32) & 0xffff, dl = (unsigned)(w[1] >> 48);
        unsigned ds = (unsigned)w[2] & 0xffff, off = (unsigned)(w[2] >> 16) & 0xff;
        unsigned pb = (unsigned)(w[2] >> 32) & 0xffff, pa = (unsigned)(w[2] >> 48);
        unsigned line_bytes = target == 0 ? caps->rows : target == 1 ? 4 * caps->cols : 16 * caps->cols;
        unsigned lines = target == 0 ? caps->spad_lines : target == 1 ? caps->acc_lines : caps->qparam_lines;
        ck_assert_msg(!wp && !sp, "LOAD %u with WAIT_PREV/SIG_PREV", i);
        ck_assert_uint_lt(target, 3);
        ck_assert_uint_ge(rb, 1);
        ck_assert_uint_le(off + rb, line_bytes);
        ck_assert_uint_le(pb + pa, rows);
        if (rows) ck_assert_uint_le(dl + (uint64_t)(rows - 1) * ds, lines - 1);
        if (rows > pb + pa) { /* rows actually read must be inside one source tensor */
          uint64_t first = (uint64_t)src + (uint64_t)pb * stride;
          uint64_t last = (uint64_t)src + (uint64_t)(rows - pa - 1) * stride + rb;
          int inside = 0;
          for (k = 0; k < nsrc; k++)
            if (first >= srcs[k].lo && last <= srcs[k].hi) inside = 1;
          ck_assert_msg(inside, "LOAD %u reads [0x%llx, 0x%llx) outside every source tensor", i,
                        (unsigned long long)first, (unsigned long long)last);
          ck_assert_msg((uint64_t)src + (uint64_t)(rows - 1) * stride < 0x100000000ull,
                        "LOAD %u: 32-bit address overflow", i);
        }
        if (wn) { ck_assert_msg(tok[1] > 0, "LOAD %u waits ex2ld with none given", i); tok[1]--; }
        if (sn) tok[0]++;
        ss->loads++;
        break;
      }
      case SYSTOLE_OP_MATMUL: {
        unsigned rows = (unsigned)(w[0] >> 16) & 0xffff, al = (unsigned)(w[0] >> 32) & 0xffff;
        unsigned as = (unsigned)(w[0] >> 48), accl = (unsigned)w[1] & 0xffff;
        unsigned accs = (unsigned)(w[1] >> 16) & 0xffff, wl = (unsigned)(w[1] >> 32) & 0xffff;
        ck_assert_uint_ge(rows, 1);
        ck_assert_uint_le(al + (uint64_t)(rows - 1) * as, caps->spad_lines - 1);
        ck_assert_uint_le(accl + (uint64_t)(rows - 1) * accs, caps->acc_lines - 1);
        ck_assert_uint_le(wl + caps->cols, caps->spad_lines);
        if (wp) { ck_assert_msg(tok[0] > 0, "MATMUL %u waits ld2ex with none given", i); tok[0]--; }
        if (wn) { ck_assert_msg(tok[3] > 0, "MATMUL %u waits st2ex with none given", i); tok[3]--; }
        if (sp) tok[1]++;
        if (sn) tok[2]++;
        ss->matmuls++;
        ss->mm_rows += rows;
        break;
      }
      case SYSTOLE_OP_STORE: {
        unsigned raw = (unsigned)(w[0] >> 12) & 1, rows = (unsigned)(w[0] >> 16) & 0xffff;
        uint32_t d = (uint32_t)(w[0] >> 32), stride = (uint32_t)w[1];
        unsigned ch = (unsigned)(w[1] >> 32) & 0xffff, sl = (unsigned)(w[1] >> 48);
        unsigned ss_ = (unsigned)w[2] & 0xffff, qp = (unsigned)(w[2] >> 16) & 0xffff;
        uint64_t last = (uint64_t)d + (uint64_t)(rows - 1) * stride + (uint64_t)ch * (raw ? 4 : 1);
        ck_assert_msg(!wn && !sn, "STORE %u with WAIT_NEXT/SIG_NEXT", i);
        ck_assert_uint_ge(ch, 1);
        ck_assert_uint_le(ch, caps->cols);
        ck_assert_uint_lt(qp, caps->qparam_lines);
        ck_assert_uint_le(sl + (uint64_t)(rows - 1) * ss_, caps->acc_lines - 1);
        {
          int inside = 0;
          for (k = 0; k < ndst; k++)
            if (d >= dsts[k].lo && last <= dsts[k].hi) inside = 1;
          ck_assert_msg(inside, "STORE %u writes outside the output", i);
        }
        if (wp) { ck_assert_msg(tok[2] > 0, "STORE %u waits ex2st with none given", i); tok[2]--; }
        if (sp) tok[3]++;
        ss->stores++;
        ss->st_elems += (uint64_t)rows * ch;
        break;
      }
      case SYSTOLE_OP_SOFTMAX: { /* EX queue */
        unsigned rows = (unsigned)(w[0] >> 16) & 0xffff, al = (unsigned)(w[0] >> 32) & 0xffff;
        unsigned ats = (unsigned)(w[0] >> 48), nk = (unsigned)w[1] & 0xffff;
        unsigned sl = (unsigned)(w[1] >> 16) & 0xffff, sts = (unsigned)(w[1] >> 32) & 0xffff;
        unsigned jt = (nk + caps->cols - 1) / caps->cols;
        ck_assert_uint_ge(rows, 1);
        ck_assert_uint_ge(nk, 1);
        ck_assert_uint_le(nk, 32768);
        ck_assert_uint_le(al + (uint64_t)(rows - 1) + (uint64_t)(jt - 1) * ats, caps->acc_lines - 1);
        ck_assert_uint_le(sl + (uint64_t)(rows - 1) + (uint64_t)(jt - 1) * sts, caps->spad_lines - 1);
        if ((w[2] >> 40) & 3u) { /* chunked rows: statistics lines in range */
          unsigned stl = (unsigned)(w[2] >> 48);
          ck_assert_uint_le(stl + (uint64_t)(rows - 1), caps->acc_lines - 1);
          ck_assert_uint_ge(caps->cols, 4);
          ss->sm_modes[(w[2] >> 40) & 3u]++;
        } else {
          ck_assert_msg(((w[2] >> 42) & 1u) == 0 && w[3] == 0, "SOFTMAX %u: chunk fields in FULL", i);
          ss->sm_modes[0]++;
        }
        if (wp) { ck_assert_msg(tok[0] > 0, "SOFTMAX %u waits ld2ex with none given", i); tok[0]--; }
        if (wn) { ck_assert_msg(tok[3] > 0, "SOFTMAX %u waits st2ex with none given", i); tok[3]--; }
        if (sp) tok[1]++;
        if (sn) tok[2]++;
        ss->softmaxes++;
        break;
      }
      case SYSTOLE_OP_FENCE:
        ck_assert_int_eq(dep, 0);
        for (k = 0; k < 4; k++) ck_assert_msg(tok[k] == 0, "tokens left over at a FENCE");
        ss->fences++;
        break;
      case SYSTOLE_OP_IRQ:
        ck_assert_int_eq(dep, 0);
        ck_assert_uint_eq(i, to - 1); /* the job ends with its IRQ */
        ss->irqs++;
        break;
      case SYSTOLE_OP_CONFIG:
        ck_assert_int_eq(dep, 0);
        ss->configs++;
        break;
      default:
        ck_abort_msg("command %u: unexpected opcode 0x%x", i, op);
    }
  }
  for (k = 0; k < 4; k++) ck_assert_msg(tok[k] == 0, "token counter %u unbalanced: %ld", k, tok[k]);
  ck_assert_uint_eq(ss->irqs, 1);
}

/* The rest of the ring log from `from` as one job. */
static void check_stream(const mock_t *m, unsigned from, const systole_caps_t *caps,
                         const range_t *srcs, unsigned nsrc, range_t dst, stream_stats_t *ss) {
  check_stream_ex(m, from, m->nlog, caps, srcs, nsrc, &dst, 1, ss);
}

static void mm_stream_case(unsigned R, unsigned C, unsigned qpl, uint32_t M, uint32_t N,
                           uint32_t K, unsigned ring) {
  mock_t *m = mock_new(R, C, qpl);
  systole_dev_t dev;
  systole_dev_config_t cfg;
  systole_packed_t pk;
  systole_buf_t a, c;
  systole_matmul_job_t job;
  systole_caps_t caps;
  stream_stats_t ss;
  range_t srcs[3], dst;
  int8_t *B = calloc((size_t)K * N, 1);
  int32_t *mult = calloc(N, 4), *shift = calloc(N, 4);
  unsigned from;
  memset(&cfg, 0, sizeof(cfg));
  cfg.ring_slots = ring;
  OK(systole_dev_open(&dev, &m->hal, &cfg));
  OK(systole_dev_caps(&dev, &caps));
  OK(systole_matmul_weights_pack(&dev, K, N, B, 0, NULL, mult, shift, 0, &pk));
  OK(systole_buf_alloc(&dev, (size_t)M * K, &a));
  OK(systole_buf_alloc(&dev, (size_t)M * N, &c));
  memset(&job, 0, sizeof(job));
  job.M = M; job.a = &a; job.lda = K; job.b = &pk; job.c = &c; job.ldc = N;
  job.act_min = -128; job.act_max = 127;
  from = m->nlog;
  OK(systole_matmul(&dev, &job, NULL));
  srcs[0].lo = a.addr; srcs[0].hi = a.addr + a.bytes;
  srcs[1].lo = pk.w.addr; srcs[1].hi = pk.w.addr + pk.w.bytes;
  srcs[2].lo = pk.q.addr; srcs[2].hi = pk.q.addr + pk.q.bytes;
  dst.lo = c.addr; dst.hi = c.addr + c.bytes;
  check_stream(m, from, &caps, srcs, 3, dst, &ss);
  /* every (row, k-tile, n-tile) streamed once; every output element stored once */
  ck_assert_uint_eq(ss.mm_rows, (uint64_t)M * ((K + R - 1) / R) * ((N + C - 1) / C));
  ck_assert_uint_eq(ss.st_elems, (uint64_t)M * N);
  ck_assert_uint_eq(ss.configs, 1);
  if ((N + C - 1) / C > qpl) ck_assert_uint_gt(ss.fences, 0);
  OK(systole_dev_close(&dev));
  free(B); free(mult); free(shift);
  mock_free(m);
}

START_TEST(test_stream_matmul) {
  mm_stream_case(8, 8, 64, 1, 1, 1, 0);
  mm_stream_case(8, 8, 64, 200, 100, 300, 0);
  mm_stream_case(8, 8, 64, 129, 257, 65, 16);   /* ring of 16 slots */
  mm_stream_case(4, 4, 2, 70, 40, 33, 0);       /* qparam table of 2 lines: FENCE segments */
  mm_stream_case(16, 16, 64, 300, 50, 1000, 0); /* many k-chunks */
  mm_stream_case(16, 8, 64, 33, 17, 45, 0);     /* non-square array */
  mm_stream_case(8, 16, 64, 33, 17, 45, 0);
}
END_TEST

static void conv_stream_case(unsigned R, unsigned C, systole_conv2d_params_t p) {
  mock_t *m = mock_new(R, C, 64);
  systole_dev_t dev;
  systole_packed_t pk;
  systole_buf_t in, out;
  systole_caps_t caps;
  stream_stats_t ss;
  range_t srcs[3], dst;
  int oh, ow;
  size_t wn = (size_t)p.out_c * p.k_h * p.k_w * (p.in_c / p.groups);
  int8_t *w = calloc(wn, 1);
  int32_t *mult = calloc((size_t)p.out_c, 4), *shift = calloc((size_t)p.out_c, 4);
  unsigned from;
  uint64_t M;
  open_dev(m, &dev);
  OK(systole_dev_caps(&dev, &caps));
  OK(systole_conv2d_out_size(&p, &oh, &ow));
  OK(systole_conv2d_weights_pack(&dev, &p, w, NULL, mult, shift, &pk));
  OK(systole_buf_alloc(&dev, (size_t)p.batch * p.in_h * p.in_w * p.in_c, &in));
  OK(systole_buf_alloc(&dev, (size_t)p.batch * oh * ow * p.out_c, &out));
  from = m->nlog;
  OK(systole_conv2d(&dev, &p, &in, &pk, &out, 0, NULL));
  srcs[0].lo = in.addr; srcs[0].hi = in.addr + in.bytes;
  srcs[1].lo = pk.w.addr; srcs[1].hi = pk.w.addr + pk.w.bytes;
  srcs[2].lo = pk.q.addr; srcs[2].hi = pk.q.addr + pk.q.bytes;
  dst.lo = out.addr; dst.hi = out.addr + out.bytes;
  check_stream(m, from, &caps, srcs, 3, dst, &ss);
  M = (uint64_t)p.batch * oh * ow;
  ck_assert_uint_eq(ss.st_elems, M * p.out_c);
  ck_assert_uint_eq(ss.mm_rows, M * pk.KT * pk.NT * pk.ggroups);
  if (pk.kind == SYSTOLE_PACK_DEPTHWISE) {
    unsigned D = R < C ? R : C;
    ck_assert_uint_eq(pk.ggroups, (p.in_c + D - 1) / D); /* D channels per tile */
    ck_assert_uint_eq(pk.KT, (unsigned)(p.k_h * p.k_w));
  }
  OK(systole_dev_close(&dev));
  free(w); free(mult); free(shift);
  mock_free(m);
}

START_TEST(test_stream_conv) {
  systole_conv2d_params_t p = conv_params();
  conv_stream_case(8, 8, p);
  p.in_h = 30; p.in_w = 31; p.in_c = 19; p.out_c = 21; p.stride_h = 2; p.dil_w = 2;
  p.pad_left = 3; p.pad_right = 0; p.pad_top = 0; p.pad_bottom = 2; p.batch = 2;
  conv_stream_case(8, 8, p);
  conv_stream_case(4, 4, p);
  conv_stream_case(16, 8, p);
  p = conv_params();
  p.in_c = p.out_c = p.groups = 40; p.in_h = 14; p.in_w = 14; /* depthwise */
  conv_stream_case(8, 8, p);
  conv_stream_case(16, 8, p);
  p = conv_params();
  p.in_c = 12; p.out_c = 30; p.groups = 3; /* grouped */
  conv_stream_case(8, 8, p);
  p = conv_params();
  p.in_h = 1; p.in_w = 1; p.k_h = 7; p.k_w = 7; p.pad_top = p.pad_bottom = 3;
  p.pad_left = p.pad_right = 3; /* almost everything padding */
  conv_stream_case(8, 8, p);
}
END_TEST

/* A chip error: HW_ERROR with code, slot, opcode and message; the device is reset and the
 * next job runs. A hung chip: TIMEOUT, and the device is usable afterwards. */
START_TEST(test_error_paths) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_dev_config_t cfg;
  systole_packed_t pk;
  systole_buf_t a, c;
  systole_matmul_job_t job;
  systole_error_info_t info;
  int8_t B[16 * 16];
  memset(B, 0, sizeof(B));
  memset(&cfg, 0, sizeof(cfg));
  cfg.timeout_cycles = 10000;
  OK(systole_dev_open(&dev, &m->hal, &cfg));
  OK(systole_matmul_weights_pack(&dev, 16, 16, B, 0, NULL, NULL, NULL, 0, &pk));
  OK(systole_buf_alloc(&dev, 40 * 16, &a));
  OK(systole_buf_alloc(&dev, 40 * 16 * 4, &c));
  memset(&job, 0, sizeof(job));
  job.M = 40; job.a = &a; job.lda = 16; job.b = &pk; job.c = &c; job.ldc = 16;
  job.raw_output = 1;
  m->fail_op = SYSTOLE_OP_MATMUL;
  m->fail_code = SYSTOLE_HWERR_SPAD_RANGE;
  ck_assert_int_eq(systole_matmul(&dev, &job, NULL), SYSTOLE_HW_ERROR);
  OK(systole_dev_last_error(&dev, &info));
  ck_assert_int_eq(info.status, SYSTOLE_HW_ERROR);
  ck_assert_uint_eq(info.hw_code, SYSTOLE_HWERR_SPAD_RANGE);
  ck_assert_uint_eq(info.opcode, SYSTOLE_OP_MATMUL);
  ck_assert_ptr_nonnull(strstr(info.msg, "scratchpad"));
  ck_assert_ptr_nonnull(strstr(info.msg, "MATMUL"));
  ck_assert_int_eq(m->error, 0); /* soft-reset by the driver */
  OK(systole_matmul(&dev, &job, NULL));
  OK(systole_dev_last_error(&dev, &info));
  ck_assert_int_eq(info.status, SYSTOLE_OK);
  m->stall = 1;
  ck_assert_int_eq(systole_matmul(&dev, &job, NULL), SYSTOLE_TIMEOUT);
  OK(systole_dev_last_error(&dev, &info));
  ck_assert_int_eq(info.status, SYSTOLE_TIMEOUT);
  ck_assert_ptr_nonnull(strstr(info.msg, "no progress"));
  m->stall = 0;
  OK(systole_matmul(&dev, &job, NULL));
  OK(systole_dev_close(&dev));
  mock_free(m);
}
END_TEST

START_TEST(test_trace_and_reset) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  open_dev(m, &dev);
  OK(systole_dev_set_trace(&dev, NULL, NULL));
  OK(systole_dev_reset(&dev));
  OK(systole_dev_close(&dev));
  mock_free(m);
}
END_TEST

/* ---- attention ------------------------------------------------------------------------------ */

static void set_softmax_feature(mock_t *m, int on) {
  m->regs[SYSTOLE_REG_CFG_FEATURES / 4] = on ? 1u : 0u;
}

START_TEST(test_attention_validation) {
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_buf_t b, small, outside;
  systole_attention_job_t job, j;
  systole_error_info_t info;
  set_softmax_feature(m, 1);
  open_dev(m, &dev);
  OK(systole_buf_alloc(&dev, 64 * 64, &b));
  OK(systole_buf_alloc(&dev, 16, &small));
  outside.addr = 0x100u; outside.bytes = 64 * 64; outside.owned = 1;
  memset(&job, 0, sizeof(job));
  job.heads = 2; job.seq_q = 64; job.seq_k = 64; job.d = 32;
  job.q = job.k = job.v = job.out = &b;
  job.sm_mult = 1 << 30; job.out_mult = 1 << 30; job.act_min = -128; job.act_max = 127;
  BAD(m, systole_attention(NULL, &job, NULL));
  BAD(m, systole_attention(&dev, NULL, NULL));
#define BADA(stmt)                                   \
  do {                                               \
    j = job;                                         \
    stmt;                                            \
    BAD(m, systole_attention(&dev, &j, NULL));       \
  } while (0)
  BADA(j.seq_q = 0);
  OK(systole_dev_last_error(&dev, &info));
  ck_assert_str_eq(info.msg, "attention: heads 2, seq_q 0, seq_k 64, d 32: all must be >= 1");
  BADA(j.seq_k = 0);
  BADA(j.d = 0);
  BADA(j.heads = 0);
  BADA(j.q = NULL);
  BADA(j.k = NULL);
  BADA(j.v = NULL);
  BADA(j.out = NULL);
  BADA(j.seq_q = 65);              /* Q and out too small */
  BADA(j.seq_k = 65);              /* K and V too small */
  BADA(j.d = 33);                  /* pitch 66: every tensor too small */
  BADA(j.heads = 3);
  BADA(j.k = &small);
  BADA(j.v = &small);
  BADA(j.out = &small);
  BADA(j.q = &outside);            /* outside the DMA window */
  BADA(j.causal = 1; j.seq_k = 32); /* causal needs seq_q <= seq_k */
  BADA(j.seq_k = 65536);           /* over the key limit */
  BADA(j.q_zp = 128);
  BADA(j.k_zp = -129);
  BADA(j.v_zp = 300);
  BADA(j.out_zp = 128);
  BADA(j.act_min = 10; j.act_max = 9);
  BADA(j.act_max = 128);
  BADA(j.sm_shift = 32);
  BADA(j.out_shift = -32);
  BADA(j.profile = 3);
  BADA(j.heads = 0xffffffffu; j.d = 0xffffffffu); /* heads*d overflows */
  BADA(j.heads = 0x10000u; j.d = 0x8000u; j.seq_q = 0x10000u); /* byte count overflows */
  BADA(j.flags = 2);               /* unknown flag */
  BADA(j.flags = 0x80000001u);
  /* valid on this mock, also with the host softmax forced */
  OK(systole_attention(&dev, &job, NULL));
  j = job;
  j.flags = SYSTOLE_ATTN_HOST_SOFTMAX;
  OK(systole_attention(&dev, &j, NULL));
  OK(systole_dev_close(&dev));
  /* without a softmax unit: the host softmax; without host_alloc as well: UNSUPPORTED before
   * any device access */
  set_softmax_feature(m, 0);
  open_dev(m, &dev);
  OK(systole_attention(&dev, &job, NULL));
  BADA(j.flags = 4);
  OK(systole_dev_close(&dev));
  {
    systole_hal_t nohost = m->hal;
    unsigned t0;
    nohost.host_alloc = NULL;
    OK(systole_dev_open(&dev, &nohost, NULL));
    t0 = touches(m);
    ck_assert_int_eq(systole_attention(&dev, &job, NULL), SYSTOLE_UNSUPPORTED);
    ck_assert_uint_eq(touches(m), t0);
    OK(systole_dev_last_error(&dev, &info));
    ck_assert_ptr_nonnull(strstr(info.msg, "no softmax unit"));
    ck_assert_ptr_nonnull(strstr(info.msg, "host_alloc"));
    OK(systole_dev_close(&dev));
    set_softmax_feature(m, 1); /* forced host softmax, no host_alloc */
    OK(systole_dev_open(&dev, &nohost, NULL));
    j = job;
    j.flags = SYSTOLE_ATTN_HOST_SOFTMAX;
    t0 = touches(m);
    ck_assert_int_eq(systole_attention(&dev, &j, NULL), SYSTOLE_UNSUPPORTED);
    ck_assert_uint_eq(touches(m), t0);
    OK(systole_dev_last_error(&dev, &info));
    ck_assert_ptr_nonnull(strstr(info.msg, "host_alloc"));
    OK(systole_attention(&dev, &job, NULL)); /* the chip path needs no host scratch */
    OK(systole_dev_close(&dev));
  }
  mock_free(m);
}
END_TEST

/* Test hooks of systole_attn.c: d-tiles per streamed V^T chunk, keys per chunk of a
 * chunked row (forces chunked rows) (0: automatic). */
extern uint32_t systole_attn_test_v_tiles;
extern uint32_t systole_attn_test_k_keys;

/* V^T LOADs (byte-wide, SRC_STRIDE 1) of the stream from `from`: each reads inside V and
 * inside one head's d columns of one key row; together they read every byte of V. */
static void check_v_loads(const mock_t *m, unsigned from, const systole_buf_t *v,
                          uint64_t pitch, uint32_t d, unsigned *nloads) {
  uint8_t *seen = calloc(v->bytes, 1);
  unsigned i;
  uint64_t b;
  ck_assert_ptr_nonnull(seen);
  *nloads = 0;
  for (i = from; i < m->nlog; i++) {
    const uint64_t *w = m->log[i];
    unsigned op = (unsigned)(w[0] & 0xff), rows = (unsigned)(w[0] >> 16) & 0xffff;
    uint32_t src = (uint32_t)(w[0] >> 32), stride = (uint32_t)w[1];
    unsigned rb = (unsigned)(w[1] >> 32) & 0xffff;
    uint64_t off, col;
    if (op != SYSTOLE_OP_LOAD || src < v->addr || src >= v->addr + v->bytes) continue;
    ck_assert_msg(rb == 1 && stride == 1, "LOAD %u from V is not a byte-wide V^T load", i);
    off = src - v->addr;
    col = off % pitch;
    ck_assert_msg(off + rows <= v->bytes, "V^T LOAD %u reads past V", i);
    ck_assert_msg(col / d == (col + rows - 1) / d, "V^T LOAD %u crosses a head", i);
    for (b = off; b < off + rows; b++) seen[b] = 1;
    (*nloads)++;
  }
  for (b = 0; b < v->bytes; b++) ck_assert_msg(seen[b], "V byte %llu never loaded",
                                               (unsigned long long)b);
  free(seen);
}

/* A stream of one attention job: tokens balance (every take after its give), every LOAD
 * inside Q, K, V or the qparam line, V^T LOADs inside V, every output element stored once,
 * one SOFTMAX per block, every MATMUL row of QK^T and PV exactly once. Returns the number
 * of V^T LOADs. */
static unsigned attn_stream_case(unsigned R, unsigned C, uint32_t heads, uint32_t sq,
                                 uint32_t sk, uint32_t d, int causal, uint32_t m_block,
                                 uint32_t k_chunk, unsigned ring, unsigned acc_bytes) {
  mock_t *m = mock_new(R, C, 64);
  systole_dev_t dev;
  systole_dev_config_t cfg;
  systole_buf_t q, k, v, o;
  systole_attention_job_t job;
  systole_caps_t caps;
  stream_stats_t ss;
  range_t srcs[4], dst;
  unsigned from, nv;
  uint64_t pitch = (uint64_t)heads * d, rows = 0, DT = (d + R - 1) / R, i;
  set_softmax_feature(m, 1);
  if (acc_bytes) m->acc_bytes = acc_bytes;
  memset(&cfg, 0, sizeof(cfg));
  cfg.ring_slots = ring;
  cfg.m_block = m_block;
  cfg.k_chunk = k_chunk;
  OK(systole_dev_open(&dev, &m->hal, &cfg));
  OK(systole_dev_caps(&dev, &caps));
  OK(systole_buf_alloc(&dev, (size_t)(sq * pitch), &q));
  OK(systole_buf_alloc(&dev, (size_t)(sk * pitch), &k));
  OK(systole_buf_alloc(&dev, (size_t)(sk * pitch), &v));
  OK(systole_buf_alloc(&dev, (size_t)(sq * pitch), &o));
  memset(&job, 0, sizeof(job));
  job.heads = heads; job.seq_q = sq; job.seq_k = sk; job.d = d; job.causal = causal;
  job.q = &q; job.k = &k; job.v = &v; job.out = &o;
  job.sm_mult = 1 << 30; job.out_mult = 1 << 30; job.act_min = -128; job.act_max = 127;
  from = m->nlog;
  {
    systole_status_t r = systole_attention(&dev, &job, NULL);
    systole_error_info_t info;
    OK(systole_dev_last_error(&dev, &info));
    ck_assert_msg(r == SYSTOLE_OK, "attention %ux%u heads %u sq %u sk %u d %u causal %d: %s",
                  R, C, heads, sq, sk, d, causal, info.msg);
  }
  srcs[0].lo = q.addr; srcs[0].hi = q.addr + q.bytes;
  srcs[1].lo = k.addr; srcs[1].hi = k.addr + k.bytes;
  srcs[2].lo = v.addr; srcs[2].hi = v.addr + v.bytes;
  srcs[3].lo = MOCK_MEM_BASE; srcs[3].hi = MOCK_MEM_BASE + MOCK_MEM_BYTES; /* qparam line */
  dst.lo = o.addr; dst.hi = o.addr + o.bytes;
  check_stream(m, from, &caps, srcs, 4, dst, &ss);
  check_v_loads(m, from, &v, pitch, d, &nv);
  ck_assert_uint_eq(ss.st_elems, (uint64_t)sq * pitch);
  for (i = 0; i < sq; i++) { /* QK^T and PV rows: key tiles visible to the row's block */
    uint64_t keys = sk;
    (void)keys;
  }
  if (ss.sm_modes[0] == 0) { /* chunked rows: MAX, SUM, PROB per chunk, QK^T three times */
    uint64_t kc = systole_attn_test_k_keys, nch_min = 0;
    ck_assert_uint_ge(ss.sm_modes[1], heads);
    ck_assert_uint_eq(ss.sm_modes[1], ss.sm_modes[2]);
    ck_assert_uint_eq(ss.sm_modes[1], ss.sm_modes[3]);
    if (kc) nch_min = (uint64_t)heads * ((sk + kc - 1) / kc);
    if (!causal) ck_assert_uint_ge(ss.sm_modes[1], nch_min);
    if (!causal && kc && kc % C == 0) {
      rows = 4ull * heads * sq * ((sk + C - 1) / C) * DT;
      ck_assert_uint_eq(ss.mm_rows, rows);
    }
    /* EX_ZP at the block start, twice per chunk of the PROB pass, ST_OUTPUT, EX_ZP(0, 0) */
    ck_assert_uint_ge(ss.configs, 2u * ss.sm_modes[3] + 3u);
  } else {
    ck_assert_uint_eq(ss.sm_modes[1] + ss.sm_modes[2] + ss.sm_modes[3], 0);
    if (!causal) {
      rows = 2ull * heads * sq * ((sk + C - 1) / C) * DT;
      ck_assert_uint_eq(ss.mm_rows, rows);
    } else {
      ck_assert_uint_le(ss.mm_rows, 2ull * heads * sq * ((sk + C - 1) / C) * DT);
    }
    ck_assert_uint_ge(ss.softmaxes, heads);
    /* EX_ZP x2 per block, ST_OUTPUT, and EX_ZP(0, 0) restored last for matmul/conv jobs */
    ck_assert_uint_eq(ss.configs, 2u * ss.softmaxes + 2u);
  }
  ck_assert_uint_eq(m->log[m->nlog - 2][0], SYSTOLE_OP_CONFIG | (2u << 16));
  ck_assert_uint_eq(m->log[m->nlog - 2][1], 0);
  OK(systole_dev_close(&dev));
  mock_free(m);
  return nv;
}

START_TEST(test_stream_attention) {
  attn_stream_case(8, 8, 1, 1, 1, 16, 0, 0, 0, 0, 0);
  /* V^T resident per head, prefetched across heads: one LOAD per key and head */
  ck_assert_uint_eq(attn_stream_case(8, 8, 8, 128, 128, 64, 0, 0, 0, 0, 0), 8u * 128u);
  ck_assert_uint_eq(attn_stream_case(8, 8, 8, 128, 128, 64, 1, 0, 0, 0, 0), 8u * 128u);
  attn_stream_case(8, 8, 2, 512, 512, 64, 0, 0, 0, 0, 0);  /* K streamed in chunks */
  attn_stream_case(8, 8, 3, 37, 45, 20, 1, 4, 1, 16, 0);   /* d tail, tiny blocks, ring 16 */
  attn_stream_case(8, 8, 3, 37, 45, 20, 0, 1, 2, 0, 0);
  attn_stream_case(4, 4, 2, 70, 257, 33, 1, 0, 0, 0, 0);
  attn_stream_case(16, 16, 5, 100, 257, 128, 0, 0, 0, 0, 0);
  attn_stream_case(8, 8, 2, 7, 7, 128, 0, 0, 0, 0, 0);     /* JT < DT: outputs over scores */
  attn_stream_case(8, 8, 1, 3, 1000, 8, 0, 0, 0, 0, 0);
  /* V^T of a head does not fit the 64 KiB scratchpad: streamed per block in d-chunks */
  ck_assert_uint_gt(attn_stream_case(8, 8, 2, 64, 512, 128, 0, 0, 0, 0, 0), 2u * 512u);
  ck_assert_uint_gt(attn_stream_case(8, 8, 2, 64, 512, 128, 1, 0, 0, 0, 0), 2u * 512u);
  attn_stream_case(8, 8, 1, 64, 512, 256, 0, 0, 0, 0, 0);
  attn_stream_case(8, 8, 1, 2, 4096, 64, 1, 0, 0, 0, 0); /* one d-tile per chunk, 1 buffer */
  attn_stream_case(4, 4, 2, 100, 512, 128, 1, 0, 0, 0, 0);
  attn_stream_case(16, 16, 1, 40, 1024, 256, 0, 0, 0, 0, 0);
  /* forced small chunks: d tails, causal, tiny blocks and K chunks, a small ring */
  systole_attn_test_v_tiles = 1;
  ck_assert_uint_gt(attn_stream_case(8, 8, 3, 37, 45, 20, 1, 4, 1, 16, 0), 3u * 45u);
  attn_stream_case(8, 8, 3, 37, 45, 20, 0, 1, 2, 0, 0);
  attn_stream_case(4, 4, 2, 70, 257, 33, 1, 0, 0, 0, 0);
  systole_attn_test_v_tiles = 2;
  attn_stream_case(8, 8, 2, 64, 64, 40, 0, 16, 0, 0, 0);
  attn_stream_case(16, 16, 2, 30, 100, 72, 1, 0, 0, 0, 0);
  systole_attn_test_v_tiles = 0;
}
END_TEST

/* Chunked rows (MAX / SUM / PROB passes over key chunks): forced small chunks, then real
 * rows longer than the accumulator holds. */
START_TEST(test_stream_attention_chunked) {
  unsigned nv;
  systole_attn_test_k_keys = 16; /* a multiple of Cols */
  attn_stream_case(8, 8, 1, 1, 1, 16, 0, 0, 0, 0, 0);
  attn_stream_case(8, 8, 2, 64, 100, 32, 0, 0, 0, 0, 0);
  attn_stream_case(8, 8, 2, 64, 100, 32, 1, 0, 0, 0, 0);
  attn_stream_case(8, 8, 3, 37, 45, 20, 1, 4, 1, 16, 0); /* d tail, tiny blocks, ring 16 */
  systole_attn_test_k_keys = 13; /* not a multiple of Cols */
  attn_stream_case(8, 8, 3, 37, 45, 20, 0, 1, 2, 0, 0);
  attn_stream_case(8, 8, 3, 37, 45, 20, 1, 0, 0, 0, 0);
  attn_stream_case(4, 4, 2, 70, 257, 33, 1, 0, 0, 0, 0);
  attn_stream_case(16, 16, 2, 30, 100, 72, 1, 0, 0, 0, 0);
  systole_attn_test_v_tiles = 1; /* V^T of a chunk in d-chunks */
  nv = attn_stream_case(8, 8, 2, 20, 45, 40, 0, 0, 0, 0, 0);
  ck_assert_uint_ge(nv, 2u * 5u * 45u);
  attn_stream_case(8, 8, 2, 20, 45, 40, 1, 3, 0, 16, 0);
  systole_attn_test_v_tiles = 2;
  attn_stream_case(16, 16, 2, 30, 100, 72, 0, 0, 0, 0, 0);
  systole_attn_test_v_tiles = 0;
  systole_attn_test_k_keys = 0;
  /* automatic: rows longer than the accumulator (4096 keys on 8x8 / 64 KiB) */
  attn_stream_case(8, 8, 1, 4, 5000, 16, 0, 0, 0, 0, 0);
  attn_stream_case(8, 8, 1, 3, 9000, 8, 1, 0, 0, 0, 0);
  attn_stream_case(8, 8, 2, 9, 4100, 64, 1, 0, 0, 0, 0);
  attn_stream_case(4, 4, 1, 2, 3000, 16, 0, 0, 0, 0, 0);
  attn_stream_case(8, 8, 1, 2, 65535, 8, 1, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_attention_unsupported) {
  /* a row of scores larger than the accumulator */
  mock_t *m = mock_new(8, 8, 64);
  systole_dev_t dev;
  systole_buf_t b;
  systole_attention_job_t job;
  systole_error_info_t info;
  set_softmax_feature(m, 1);
  open_dev(m, &dev);
  OK(systole_buf_alloc(&dev, 32768 * 2, &b));
  memset(&job, 0, sizeof(job));
  job.heads = 1; job.seq_q = 1; job.seq_k = 32768; job.d = 2;
  job.q = job.k = job.v = job.out = &b;
  job.act_min = -128; job.act_max = 127;
  /* a row of scores larger than the accumulator: chunked rows, but not when profiling */
  OK(systole_attention(&dev, &job, NULL));
  job.profile = SYSTOLE_ATTN_PROFILE_QK;
  ck_assert_int_eq(systole_attention(&dev, &job, NULL), SYSTOLE_UNSUPPORTED);
  OK(systole_dev_last_error(&dev, &info));
  ck_assert_ptr_nonnull(strstr(info.msg, "a row of scores"));
  job.profile = 0;
  /* chunked rows need Cols >= 4 */
  OK(systole_dev_close(&dev));
  mock_free(m);
  m = mock_new(2, 2, 64);
  set_softmax_feature(m, 1);
  m->acc_bytes = 256; /* 32 lines of 2 columns: 64 keys */
  open_dev(m, &dev);
  OK(systole_buf_alloc(&dev, 32768 * 2, &b));
  job.seq_k = 100;
  ck_assert_int_eq(systole_attention(&dev, &job, NULL), SYSTOLE_UNSUPPORTED);
  OK(systole_dev_last_error(&dev, &info));
  ck_assert_ptr_nonnull(strstr(info.msg, "Cols >= 4"));
  job.seq_k = 64;
  OK(systole_attention(&dev, &job, NULL));
  job.seq_k = 32768;
  /* a non-square array has no softmax unit */
  OK(systole_dev_close(&dev));
  mock_free(m);
  m = mock_new(16, 8, 64);
  set_softmax_feature(m, 1);
  open_dev(m, &dev);
  OK(systole_buf_alloc(&dev, 64, &b));
  job.seq_k = 4; job.seq_q = 4;
  ck_assert_int_eq(systole_attention(&dev, &job, NULL), SYSTOLE_UNSUPPORTED);
  OK(systole_dev_close(&dev));
  /* ... and reports none: the host softmax runs it */
  set_softmax_feature(m, 0);
  open_dev(m, &dev);
  OK(systole_buf_alloc(&dev, 64, &b));
  OK(systole_attention(&dev, &job, NULL));
  OK(systole_dev_close(&dev));
  mock_free(m);
  /* host softmax: one query row must fit (d = 65535 needs 16384 Q lines plus K tiles on 4x4) */
  m = mock_new(4, 4, 64);
  open_dev(m, &dev);
  OK(systole_buf_alloc(&dev, 65535u * 2u, &b));
  job.seq_q = 1; job.seq_k = 2; job.d = 65535;
  {
    unsigned t0 = touches(m);
    ck_assert_int_eq(systole_attention(&dev, &job, NULL), SYSTOLE_UNSUPPORTED);
    ck_assert_uint_eq(touches(m), t0);
    OK(systole_dev_last_error(&dev, &info));
    ck_assert_ptr_nonnull(strstr(info.msg, "host softmax"));
  }
  job.d = 5000; /* fits */
  OK(systole_attention(&dev, &job, NULL));
  OK(systole_dev_close(&dev));
  mock_free(m);
}
END_TEST

/* ---- attention with the host softmax ------------------------------------------------------- */

/* the driver's host implementation of the SOFTMAX unit (driver/src/systole_softmax_host.h) */
uint32_t drv_sm_lut(unsigned k);
int32_t drv_sm_mbqm(int32_t x, int32_t mult, int shift);
uint32_t drv_sm_recip(uint32_t sum);
void drv_sm_row(int32_t *scores, uint32_t n_valid, uint32_t n_out, int32_t mult, int shift,
                int8_t *probs);


/* The host softmax against the golden kernels: the table, mbqm, the reciprocal, and whole
 * rows (random and edge: full int32 range, huge gaps, MULT <= 0, wrapping SHIFT, one key,
 * masked tails), probabilities written over the scores as the driver does. */
START_TEST(test_host_softmax_rows) {
  static const int32_t k_special[] = {INT32_MIN, INT32_MIN + 1, -65536, -1, 0, 1, 65535,
                                      INT32_MAX - 1, INT32_MAX};
  static const int k_shifts[] = {-31, -20, -5, 0, 1, 4, 8, 16, 31};
  uint64_t s = 0x5eed;
  int32_t *sc = malloc(4 * 3000), *cp = malloc(4 * 3000);
  int8_t *want = malloc(3000);
  unsigned k, i, it;
  ck_assert_ptr_nonnull(sc);
  ck_assert_ptr_nonnull(cp);
  ck_assert_ptr_nonnull(want);
  for (k = 0; k < 256; k++) ck_assert_uint_eq(drv_sm_lut(k), (uint32_t)systole_ref_exp2_lut((int)k));
  ck_assert_uint_eq(drv_sm_lut(256), 0);
  for (it = 0; it < 200000; it++) {
    int32_t x = (int32_t)(uint32_t)rnd(&s), mult = (int32_t)(uint32_t)rnd(&s);
    int shift = (int)(rnd(&s) % 75) - 37;
    if (it % 4 == 0) x = k_special[rnd(&s) % 9];
    if (it % 5 == 0) mult = k_special[rnd(&s) % 9];
    ck_assert_int_eq(drv_sm_mbqm(x, mult, shift), systole_ref_mbqm(x, mult, shift));
  }
  for (it = 0; it < 100000; it++) {
    uint32_t sum = it < 1000 ? 65536u + it : (uint32_t)rnd(&s) | 0x10000u;
    if (it == 1000) sum = 0xffffffffu;
    if (it == 1001) sum = 0x80000000u;
    ck_assert_uint_eq(drv_sm_recip(sum), (uint32_t)((1ull << 32) / sum));
  }
  for (it = 0; it < 3000; it++) {
    uint32_t n = 1 + (uint32_t)(rnd(&s) % (it % 10 == 0 ? 3000 : 70));
    uint32_t nv = 1 + (uint32_t)(rnd(&s) % n), nout = n;
    int32_t mult = (int32_t)(rnd(&s) >> 33);
    int shift = k_shifts[rnd(&s) % 9], mode = (int)(rnd(&s) % 4);
    if (it % 7 == 0) mult = -mult;
    if (it % 11 == 0) mult = 0;
    if (it % 2 == 0) nv = n; /* no mask */
    for (i = 0; i < n; i++) {
      uint64_t r = rnd(&s);
      sc[i] = mode == 0 ? (int32_t)(uint32_t)r
              : mode == 1 ? (int32_t)(r % 4001) - 2000
              : mode == 2 ? k_special[r % 9]
                          : (int32_t)(r % 200000) * 1000;
    }
    memcpy(cp, sc, 4 * n);
    ck_assert_int_eq(systole_ref_softmax_i8(cp, (int)n, (int)nv, mult, shift, want), 0);
    drv_sm_row(sc, nv, nout, mult, shift, (int8_t *)sc); /* in place, as the driver */
    for (i = 0; i < n; i++)
      ck_assert_msg(((int8_t *)sc)[i] == want[i],
                    "row %u (n %u valid %u mult %d shift %d mode %d): key %u host %d ref %d", it,
                    n, nv, mult, shift, mode, i, ((int8_t *)sc)[i], want[i]);
  }
  free(sc);
  free(cp);
  free(want);
}
END_TEST

/* Mark the bytes STOREs write inside [o, o + n) (each exactly once) and count raw elements. */
static void mark_stores(const mock_t *m, unsigned from, unsigned to, uint32_t o, uint32_t n,
                        uint8_t *seen, uint64_t *raw_elems) {
  unsigned i, r, c;
  for (i = from; i < to; i++) {
    const uint64_t *w = m->log[i];
    unsigned raw = (unsigned)(w[0] >> 12) & 1, rows = (unsigned)(w[0] >> 16) & 0xffff;
    uint32_t d = (uint32_t)(w[0] >> 32), stride = (uint32_t)w[1];
    unsigned ch = (unsigned)(w[1] >> 32) & 0xffff;
    if ((w[0] & 0xff) != SYSTOLE_OP_STORE) continue;
    if (raw) {
      *raw_elems += (uint64_t)rows * ch;
      continue;
    }
    for (r = 0; r < rows; r++)
      for (c = 0; c < ch; c++) {
        uint64_t a = (uint64_t)d + (uint64_t)r * stride + c;
        ck_assert_msg(a >= o && a < (uint64_t)o + n, "STORE %u writes outside the output", i);
        ck_assert_msg(seen[a - o] == 0, "output byte %llu stored twice",
                      (unsigned long long)(a - o));
        seen[a - o] = 1;
      }
  }
}

/* One attention call on the host-softmax path (forced when `feature`, else because the mock
 * reports no softmax unit): split at the IRQs into chip jobs, each checked on its own (tokens
 * balance, every LOAD inside Q, K, V or a buffer the driver allocated during the call, every
 * STORE inside the output or such a buffer, ends with EX_ZP(0, 0) and its IRQ, no SOFTMAX);
 * over the call: every output byte stored once, all of V read through byte-wide V^T LOADs,
 * QK^T and PV rows (M x key tiles x d-tiles) and raw score elements exactly once per query
 * row when not causal. Returns the number of chip jobs. */
static unsigned attn_host_stream_case(unsigned R, unsigned C, uint32_t heads, uint32_t sq,
                                      uint32_t sk, uint32_t d, int causal, uint32_t m_block,
                                      uint32_t k_chunk, unsigned ring, unsigned acc_bytes,
                                      uint32_t scratch, int feature) {
  mock_t *m = mock_new(R, C, 64);
  systole_dev_t dev;
  systole_dev_config_t cfg;
  systole_buf_t q, k, v, o;
  systole_attention_job_t job;
  systole_caps_t caps;
  stream_stats_t ss;
  range_t srcs[16], dsts[16];
  unsigned from, a0, ns = 0, nd = 0, i, njobs = 0, nv;
  uint64_t pitch = (uint64_t)heads * d, mm_rows = 0, raw_elems = 0, b;
  uint64_t DK = (d + R - 1) / R, DO = (d + C - 1) / C, JT = (sk + C - 1) / C, G = (sk + R - 1) / R;
  uint8_t *seen;
  set_softmax_feature(m, feature);
  if (acc_bytes) m->acc_bytes = acc_bytes;
  memset(&cfg, 0, sizeof(cfg));
  cfg.ring_slots = ring;
  cfg.m_block = m_block;
  cfg.k_chunk = k_chunk;
  OK(systole_dev_open(&dev, &m->hal, &cfg));
  OK(systole_dev_caps(&dev, &caps));
  OK(systole_buf_alloc(&dev, (size_t)(sq * pitch), &q));
  OK(systole_buf_alloc(&dev, (size_t)(sk * pitch), &k));
  OK(systole_buf_alloc(&dev, (size_t)(sk * pitch), &v));
  OK(systole_buf_alloc(&dev, (size_t)(sq * pitch), &o));
  memset(&job, 0, sizeof(job));
  job.heads = heads; job.seq_q = sq; job.seq_k = sk; job.d = d; job.causal = causal;
  job.q = &q; job.k = &k; job.v = &v; job.out = &o;
  job.sm_mult = 1 << 30; job.out_mult = 1 << 30; job.act_min = -128; job.act_max = 127;
  job.flags = feature ? SYSTOLE_ATTN_HOST_SOFTMAX : 0;
  job.scratch_bytes = scratch;
  from = m->nlog;
  a0 = m->nalog;
  {
    systole_status_t r = systole_attention(&dev, &job, NULL);
    systole_error_info_t info;
    OK(systole_dev_last_error(&dev, &info));
    ck_assert_msg(r == SYSTOLE_OK, "host attention %ux%u heads %u sq %u sk %u d %u causal %d: %s",
                  R, C, heads, sq, sk, d, causal, info.msg);
  }
  srcs[ns].lo = q.addr; srcs[ns].hi = q.addr + q.bytes; ns++;
  srcs[ns].lo = k.addr; srcs[ns].hi = k.addr + k.bytes; ns++;
  srcs[ns].lo = v.addr; srcs[ns].hi = v.addr + v.bytes; ns++;
  dsts[nd].lo = o.addr; dsts[nd].hi = o.addr + o.bytes; nd++;
  ck_assert_uint_ge(m->nalog - a0, 2); /* the scratch buffer and the qparam line */
  for (i = a0; i < m->nalog && ns < 16; i++) {
    srcs[ns].lo = m->alog[i][0]; srcs[ns].hi = m->alog[i][0] + m->alog[i][1]; ns++;
    dsts[nd].lo = m->alog[i][0]; dsts[nd].hi = m->alog[i][0] + m->alog[i][1]; nd++;
  }
  seen = calloc(o.bytes, 1);
  ck_assert_ptr_nonnull(seen);
  for (i = from; i < m->nlog;) {
    unsigned e = i;
    while (e < m->nlog && (m->log[e][0] & 0xff) != SYSTOLE_OP_IRQ) e++;
    ck_assert_uint_lt(e, m->nlog);
    check_stream_ex(m, i, e + 1, &caps, srcs, ns, dsts, nd, &ss);
    ck_assert_uint_eq(ss.softmaxes, 0);
    ck_assert_uint_eq(m->log[e - 1][0], SYSTOLE_OP_CONFIG | (2u << 16)); /* EX_ZP(0, 0) */
    ck_assert_uint_eq(m->log[e - 1][1], 0);
    mark_stores(m, i, e + 1, o.addr, o.bytes, seen, &raw_elems);
    mm_rows += ss.mm_rows;
    njobs++;
    i = e + 1;
  }
  for (b = 0; b < o.bytes; b++)
    ck_assert_msg(seen[b], "output byte %llu never stored", (unsigned long long)b);
  free(seen);
  check_v_loads(m, from, &v, pitch, d, &nv);
  ck_assert_uint_ge(njobs, heads + 1);
  if (!causal) {
    ck_assert_uint_eq(mm_rows, (uint64_t)heads * sq * (JT * DK + G * DO));
    ck_assert_uint_eq(raw_elems, (uint64_t)heads * sq * sk);
  } else {
    ck_assert_uint_le(mm_rows, (uint64_t)heads * sq * (JT * DK + G * DO));
    ck_assert_uint_le(raw_elems, (uint64_t)heads * sq * sk);
  }
  OK(systole_dev_close(&dev));
  mock_free(m);
  return njobs;
}

START_TEST(test_stream_attention_host) {
  /* the lite chip (4x4, no softmax unit) */
  attn_host_stream_case(4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 1, 1, 300, 5, 0, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 2, 64, 64, 32, 0, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 2, 64, 64, 32, 1, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 8, 128, 128, 64, 1, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 3, 37, 45, 20, 1, 4, 1, 16, 0, 0, 0); /* tiny blocks, ring 16 */
  attn_host_stream_case(4, 4, 2, 70, 257, 33, 1, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 1, 64, 512, 128, 0, 0, 0, 0, 0, 0, 0);
  /* one query row per block: 2 * 30 + 1 jobs */
  ck_assert_uint_eq(attn_host_stream_case(4, 4, 2, 30, 70, 33, 1, 0, 0, 0, 0, 1, 0), 61);
  /* a 64-line accumulator: outputs in d-chunks of one tile, one score slot */
  attn_host_stream_case(4, 4, 2, 40, 50, 128, 0, 0, 0, 0, 1024, 0, 0);
  attn_host_stream_case(4, 4, 1, 33, 90, 72, 1, 0, 0, 8, 1024, 0, 0);
  /* rows longer than the 4x4 accumulator and the host row buffer */
  attn_host_stream_case(4, 4, 1, 2, 5000, 16, 0, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(4, 4, 1, 3, 20000, 8, 1, 0, 0, 0, 0, 0, 0);
  /* forced d-chunks and small K chunks / PV units (test hooks) */
  systole_attn_test_v_tiles = 1;
  attn_host_stream_case(4, 4, 3, 37, 45, 20, 1, 0, 0, 0, 0, 0, 0);
  systole_attn_test_v_tiles = 3;
  systole_attn_test_k_keys = 5;
  attn_host_stream_case(4, 4, 2, 19, 64, 40, 0, 7, 0, 0, 0, 0, 0);
  systole_attn_test_v_tiles = 0;
  systole_attn_test_k_keys = 0;
  /* non-square arrays have no softmax unit: the host path */
  attn_host_stream_case(16, 8, 2, 33, 45, 20, 1, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(8, 16, 3, 17, 100, 40, 0, 0, 0, 0, 0, 0, 0);
  attn_host_stream_case(2, 8, 1, 9, 30, 7, 1, 0, 0, 0, 0, 0, 0);
  /* forced on a chip with the unit */
  attn_host_stream_case(8, 8, 8, 128, 128, 64, 0, 0, 0, 0, 0, 0, 1);
  attn_host_stream_case(8, 8, 2, 512, 512, 128, 1, 0, 0, 0, 0, 0, 1);
  attn_host_stream_case(16, 16, 5, 100, 257, 128, 0, 0, 0, 0, 0, 5000, 1);
}
END_TEST

static Suite *mock_suite(void) {
  Suite *s = suite_create("driver_mock");
  TCase *tc = tcase_create("validation");
  tcase_add_test(tc, test_status_strings);
  tcase_add_test(tc, test_formatter);
  tcase_add_test(tc, test_dev_validation);
  tcase_add_test(tc, test_buf_validation);
  tcase_add_test(tc, test_pack_validation);
  tcase_add_test(tc, test_job_validation);
  tcase_add_test(tc, test_attention_validation);
  tcase_add_test(tc, test_attention_unsupported);
  suite_add_tcase(s, tc);
  tc = tcase_create("stream");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_stream_matmul);
  tcase_add_test(tc, test_stream_conv);
  tcase_add_test(tc, test_stream_attention);
  tcase_add_test(tc, test_stream_attention_chunked);
  tcase_add_test(tc, test_stream_attention_host);
  tcase_add_test(tc, test_host_softmax_rows);
  tcase_add_test(tc, test_trace_and_reset);
  tcase_add_test(tc, test_error_paths);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  int failed;
  SRunner *sr = srunner_create(mock_suite());
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
