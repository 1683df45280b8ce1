/* End-to-end tests of the Systole driver on the Verilated chip: every job is compared bit
 * for bit with the golden kernels (sw/ref).
 *
 * Usage: test_driver_e2e [--subset] [--soak N]
 *   SEED=n      base seed of the random cases (default 1)
 *   --subset    fewer cases (4x4 / 16x16 / sanitizer runs)
 *   --soak N    N extra random cases (make soak)
 * A failing case prints the seed, the config, the shape and the command that reruns it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systole.h"
#include "systole_regs.h"
#include "systole_cmd.h"
#include "systole_hal_sim.h"
#include "systole_ref.h"
#include "test_util.h"

#ifndef SYSTOLE_TEST_CONFIG
#define SYSTOLE_TEST_CONFIG "?"
#endif

static uint64_t g_seed = 1;
static int g_subset = 0;
static int g_soak = 0;
static const char *g_argv0 = "test_driver_e2e";


/* ---- helpers ---------------------------------------------------------------------------- */


typedef struct {
  systole_hal_sim_t hs;
  systole_dev_t dev;
} tdev_t;

static void tdev_open(tdev_t *t) {
  OK(systole_hal_sim_open(&t->hs, NULL));
  OK(systole_dev_open(&t->dev, &t->hs.hal, NULL));
}

static void tdev_close(tdev_t *t) {
  OK(systole_dev_close(&t->dev));
  OK(systole_hal_sim_close(&t->hs));
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ck_assert_ptr_nonnull(p);
  return p;
}

static void fill_i8(int8_t *p, size_t n, uint64_t *s) {
  size_t i;
  for (i = 0; i < n; i++) p[i] = rnd_i8(s);
}

/* Per-channel quantisation: realistic multipliers from real scales, or extremes. */
static void make_qparams(uint32_t n, uint64_t *s, int32_t *bias, int32_t *mult, int32_t *shift,
                         double scale, int extreme) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    if (extreme) {
      static const int32_t mults[] = {INT32_MAX, 1 << 30, 1, 1518500250, 2147483000};
      static const int32_t shifts[] = {-31, -20, -1, 0, 1, 5, 31};
      static const int32_t biases[] = {INT32_MAX, INT32_MIN, 0, -1, 123456789};
      mult[i] = mults[rnd(s) % 5];
      shift[i] = shifts[rnd(s) % 7];
      bias[i] = biases[rnd(s) % 5];
    } else {
      double real = scale * (0.5 + (double)(rnd(s) % 1000) / 1000.0);
      int sh = 0;
      ck_assert_int_eq(systole_ref_quantize_multiplier(real, &mult[i], &sh), 0);
      shift[i] = sh;
      bias[i] = (int32_t)(rnd(s) % 20001) - 10000;
    }
  }
}

#define FAIL_CTX_FMT "seed %llu, config %s: %s\n  rerun: SEED=%llu %s%s   (or: make sim SEED=%llu)"
#define FAIL_CTX_ARGS(shape)                                                              \
  (unsigned long long)g_seed, SYSTOLE_TEST_CONFIG, shape, (unsigned long long)g_seed, g_argv0, \
      g_subset ? " --subset" : "", (unsigned long long)g_seed

/* ---- matmul ------------------------------------------------------------------------------ */

typedef struct {
  uint32_t M, N, K;
  int32_t a_zp, out_zp, act_min, act_max;
  int raw, trans, extreme, no_bias;
  uint32_t lda_pad, ldc_pad;
  double scale;
} mm_case_t;

static void mm_shape(const mm_case_t *c, char *buf, size_t n) {
  snprintf(buf, n,
           "matmul M=%u N=%u K=%u a_zp=%d out_zp=%d act=[%d,%d] raw=%d trans=%d extreme=%d "
           "lda+%u ldc+%u",
           c->M, c->N, c->K, c->a_zp, c->out_zp, c->act_min, c->act_max, c->raw, c->trans,
           c->extreme, c->lda_pad, c->ldc_pad);
}

static void run_matmul(tdev_t *t, const mm_case_t *c, uint64_t seed, systole_stats_t *stats_out) {
  uint64_t s = seed;
  uint32_t lda = c->K + c->lda_pad, ldc = c->N + c->ldc_pad, esz = c->raw ? 4 : 1;
  size_t an = (size_t)c->M * lda, bn = (size_t)c->K * c->N, cn = (size_t)c->M * ldc * esz;
  int8_t *A = xmalloc(an), *B = xmalloc(bn);
  uint8_t *got = xmalloc(cn), *want = xmalloc(cn);
  int32_t *bias = xmalloc(c->N * 4), *mult = xmalloc(c->N * 4), *shift = xmalloc(c->N * 4);
  systole_buf_t abuf, cbuf;
  systole_packed_t pk;
  systole_matmul_job_t job;
  systole_stats_t stats;
  char shape[256];
  size_t i;
  mm_shape(c, shape, sizeof(shape));
  fill_i8(A, an, &s);
  fill_i8(B, bn, &s);
  make_qparams(c->N, &s, bias, mult, shift, c->scale > 0 ? c->scale : 1.0 / (64.0 * c->K),
               c->extreme);
  for (i = 0; i < cn; i++) got[i] = want[i] = (uint8_t)(0xA5 ^ i);
  OK(systole_matmul_weights_pack(&t->dev, c->K, c->N, B, c->trans ? SYSTOLE_PACK_B_TRANSPOSED : 0,
                                 c->no_bias ? NULL : bias, mult, shift, c->a_zp, &pk));
  OK(systole_buf_alloc(&t->dev, an, &abuf));
  OK(systole_buf_alloc(&t->dev, cn, &cbuf));
  OK(systole_buf_write(&t->dev, &abuf, 0, A, an));
  OK(systole_buf_write(&t->dev, &cbuf, 0, got, cn));
  memset(&job, 0, sizeof(job));
  job.M = c->M;
  job.a = &abuf;
  job.lda = lda;
  job.a_zp = c->a_zp;
  job.b = &pk;
  job.c = &cbuf;
  job.ldc = ldc;
  job.raw_output = c->raw;
  job.out_zp = c->out_zp;
  job.act_min = c->act_min;
  job.act_max = c->act_max;
  {
    systole_status_t st = systole_matmul(&t->dev, &job, &stats);
    systole_error_info_t info;
    ck_assert_int_eq(systole_dev_last_error(&t->dev, &info), SYSTOLE_OK);
    ck_assert_msg(st == SYSTOLE_OK, "matmul failed: %s (%s)\n" FAIL_CTX_FMT,
                  systole_status_str(st), info.msg, FAIL_CTX_ARGS(shape));
  }
  OK(systole_buf_read(&t->dev, &cbuf, 0, got, cn));
  if (c->raw) {
    ck_assert_int_eq(systole_ref_matmul_i32(c->M, c->N, c->K, A, lda, 0, B, c->trans ? c->K : c->N,
                                            c->trans, c->a_zp, (int32_t *)(void *)want, ldc),
                     0);
    /* bias is added by the chip's output stage; the golden i32 matmul has none */
    {
      uint32_t m, n;
      for (m = 0; m < c->M; m++)
        for (n = 0; n < c->N; n++) {
          int32_t *w = (int32_t *)(void *)want + (size_t)m * ldc + n;
          *w = (int32_t)((uint32_t)*w + (uint32_t)(c->no_bias ? 0 : bias[n]));
        }
    }
  } else {
    ck_assert_int_eq(systole_ref_matmul_i8(c->M, c->N, c->K, A, lda, 0, B, c->trans ? c->K : c->N,
                                           c->trans, c->a_zp, c->no_bias ? NULL : bias, mult,
                                           shift, c->out_zp, c->act_min, c->act_max,
                                           (int8_t *)want, ldc),
                     0);
  }
  for (i = 0; i < cn; i++) {
    if (got[i] != want[i]) {
      size_t e = i / esz;
      ck_abort_msg("mismatch at C[%zu][%zu] byte %zu: got 0x%02x want 0x%02x\n" FAIL_CTX_FMT,
                   e / ldc, e % ldc, i % esz, got[i], want[i], FAIL_CTX_ARGS(shape));
    }
  }
  if (stats_out) *stats_out = stats;
  ck_assert_uint_eq(stats.workload_macs, (uint64_t)c->M * c->N * c->K);
  ck_assert_uint_gt(stats.cycles, 0);
  OK(systole_packed_free(&t->dev, &pk));
  OK(systole_buf_free(&t->dev, &abuf));
  OK(systole_buf_free(&t->dev, &cbuf));
  free(A); free(B); free(got); free(want); free(bias); free(mult); free(shift);
}

static mm_case_t mm_basic(uint32_t M, uint32_t N, uint32_t K) {
  mm_case_t c;
  memset(&c, 0, sizeof(c));
  c.M = M;
  c.N = N;
  c.K = K;
  c.a_zp = 3;
  c.out_zp = -2;
  c.act_min = -128;
  c.act_max = 127;
  return c;
}

START_TEST(test_matmul_fixed) {
  tdev_t t;
  mm_case_t c;
  tdev_open(&t);
  run_matmul(&t, (c = mm_basic(1, 1, 1), &c), 11, NULL);
  run_matmul(&t, (c = mm_basic(8, 8, 8), &c), 12, NULL);
  run_matmul(&t, (c = mm_basic(13, 21, 37), &c), 13, NULL);
  run_matmul(&t, (c = mm_basic(70, 9, 1), &c), 14, NULL);  /* K = 1 */
  c = mm_basic(33, 40, 100);
  c.trans = 1;
  c.lda_pad = 5;
  c.ldc_pad = 3;
  run_matmul(&t, &c, 15, NULL);
  c = mm_basic(17, 19, 29);
  c.raw = 1;
  c.a_zp = -128;
  run_matmul(&t, &c, 16, NULL);
  c = mm_basic(5, 7, 3);
  c.no_bias = 1;
  c.a_zp = 127;
  run_matmul(&t, &c, 17, NULL);
  tdev_close(&t);
}
END_TEST

START_TEST(test_matmul_requant_edges) {
  tdev_t t;
  mm_case_t c;
  tdev_open(&t);
  /* extreme multipliers/shifts/biases */
  c = mm_basic(19, 23, 45);
  c.extreme = 1;
  run_matmul(&t, &c, 21, NULL);
  c.out_zp = 127;
  c.a_zp = -128;
  run_matmul(&t, &c, 22, NULL);
  c.out_zp = -128;
  c.a_zp = 127;
  run_matmul(&t, &c, 23, NULL);
  /* ReLU (act_min = out_zp), ReLU6-like window */
  c = mm_basic(20, 10, 30);
  c.out_zp = -10;
  c.act_min = -10;
  run_matmul(&t, &c, 24, NULL);
  c.act_max = 40;
  run_matmul(&t, &c, 25, NULL);
  c.act_min = c.act_max = 7;
  run_matmul(&t, &c, 26, NULL);
  /* int32 extremes through a big K: sums wrap */
  c = mm_basic(4, 3, g_subset ? 3000 : 40000);
  c.raw = 1;
  c.a_zp = -128;
  run_matmul(&t, &c, 27, NULL);
  c.raw = 0;
  c.extreme = 1;
  run_matmul(&t, &c, 28, NULL);
  tdev_close(&t);
}
END_TEST

/* More n-tiles than qparam table lines: the job is split into FENCE-separated segments. */
START_TEST(test_matmul_qparam_segments) {
  tdev_t t;
  mm_case_t c;
  systole_caps_t caps;
  tdev_open(&t);
  OK(systole_dev_caps(&t.dev, &caps));
  c = mm_basic(9, caps.qparam_lines * caps.cols + 5, 10);
  run_matmul(&t, &c, 29, NULL);
  tdev_close(&t);
}
END_TEST

/* ---- conv2d ----------------------------------------------------------------------------- */

typedef struct {
  systole_conv2d_params_t p;
  int raw, extreme, no_bias;
} conv_case_t;

static void conv_shape(const conv_case_t *c, char *buf, size_t n) {
  const systole_conv2d_params_t *p = &c->p;
  snprintf(buf, n,
           "conv2d N=%d H=%d W=%d C=%d -> O=%d k=%dx%d s=%d,%d d=%d,%d pads t%d b%d l%d r%d "
           "groups=%d in_zp=%d out_zp=%d act=[%d,%d] raw=%d extreme=%d",
           p->batch, p->in_h, p->in_w, p->in_c, p->out_c, p->k_h, p->k_w, p->stride_h,
           p->stride_w, p->dil_h, p->dil_w, p->pad_top, p->pad_bottom, p->pad_left,
           p->pad_right, p->groups, p->in_zp, p->out_zp, p->act_min, p->act_max, c->raw,
           c->extreme);
}

static void to_ref(const systole_conv2d_params_t *p, systole_ref_conv2d_params_t *r) {
  r->batch = p->batch; r->in_h = p->in_h; r->in_w = p->in_w; r->in_c = p->in_c;
  r->out_c = p->out_c; r->k_h = p->k_h; r->k_w = p->k_w;
  r->stride_h = p->stride_h; r->stride_w = p->stride_w; r->dil_h = p->dil_h; r->dil_w = p->dil_w;
  r->pad_top = p->pad_top; r->pad_bottom = p->pad_bottom; r->pad_left = p->pad_left;
  r->pad_right = p->pad_right; r->groups = p->groups; r->in_zp = p->in_zp;
  r->out_zp = p->out_zp; r->act_min = p->act_min; r->act_max = p->act_max;
}

static void run_conv(tdev_t *t, const conv_case_t *c, uint64_t seed, systole_stats_t *stats_out) {
  const systole_conv2d_params_t *p = &c->p;
  systole_ref_conv2d_params_t rp;
  uint64_t s = seed;
  int oh, ow;
  size_t in_n, w_n, out_n, esz = c->raw ? 4 : 1, i;
  int8_t *in, *w;
  uint8_t *got, *want;
  int32_t *bias, *mult, *shift;
  systole_buf_t ibuf, obuf;
  systole_packed_t pk;
  systole_stats_t stats;
  char shape[320];
  conv_shape(c, shape, sizeof(shape));
  OK(systole_conv2d_out_size(p, &oh, &ow));
  in_n = (size_t)p->batch * p->in_h * p->in_w * p->in_c;
  w_n = (size_t)p->out_c * p->k_h * p->k_w * (p->in_c / p->groups);
  out_n = (size_t)p->batch * oh * ow * p->out_c * esz;
  in = xmalloc(in_n);
  w = xmalloc(w_n);
  got = xmalloc(out_n);
  want = xmalloc(out_n);
  bias = xmalloc((size_t)p->out_c * 4);
  mult = xmalloc((size_t)p->out_c * 4);
  shift = xmalloc((size_t)p->out_c * 4);
  fill_i8(in, in_n, &s);
  fill_i8(w, w_n, &s);
  make_qparams((uint32_t)p->out_c, &s, bias, mult, shift,
               1.0 / (64.0 * p->k_h * p->k_w * (p->in_c / p->groups)), c->extreme);
  OK(systole_conv2d_weights_pack(&t->dev, p, w, c->no_bias ? NULL : bias, mult, shift, &pk));
  OK(systole_buf_alloc(&t->dev, in_n, &ibuf));
  OK(systole_buf_alloc(&t->dev, out_n, &obuf));
  OK(systole_buf_write(&t->dev, &ibuf, 0, in, in_n));
  memset(got, 0x5a, out_n);
  OK(systole_buf_write(&t->dev, &obuf, 0, got, out_n));
  {
    systole_status_t st = systole_conv2d(&t->dev, p, &ibuf, &pk, &obuf, c->raw, &stats);
    systole_error_info_t info;
    ck_assert_int_eq(systole_dev_last_error(&t->dev, &info), SYSTOLE_OK);
    ck_assert_msg(st == SYSTOLE_OK, "conv2d failed: %s (%s)\n" FAIL_CTX_FMT,
                  systole_status_str(st), info.msg, FAIL_CTX_ARGS(shape));
  }
  OK(systole_buf_read(&t->dev, &obuf, 0, got, out_n));
  to_ref(p, &rp);
  if (c->raw)
    ck_assert_int_eq(systole_ref_conv2d_i32(&rp, in, w, c->no_bias ? NULL : bias,
                                            (int32_t *)(void *)want), 0);
  else
    ck_assert_int_eq(systole_ref_conv2d_i8(&rp, in, w, c->no_bias ? NULL : bias, mult, shift,
                                           (int8_t *)want), 0);
  for (i = 0; i < out_n; i++) {
    if (got[i] != want[i]) {
      size_t e = i / esz, oc = e % (size_t)p->out_c, pix = e / (size_t)p->out_c;
      ck_abort_msg("mismatch at out pixel %zu (n=%zu y=%zu x=%zu) ch %zu: got 0x%02x want "
                   "0x%02x\n" FAIL_CTX_FMT,
                   pix, pix / ((size_t)oh * ow), pix / ow % oh, pix % ow, oc, got[i], want[i],
                   FAIL_CTX_ARGS(shape));
    }
  }
  if (stats_out) *stats_out = stats;
  OK(systole_packed_free(&t->dev, &pk));
  OK(systole_buf_free(&t->dev, &ibuf));
  OK(systole_buf_free(&t->dev, &obuf));
  free(in); free(w); free(got); free(want); free(bias); free(mult); free(shift);
}

static conv_case_t conv_basic(int n, int h, int w, int cin, int cout, int k, int s, int pad) {
  conv_case_t c;
  memset(&c, 0, sizeof(c));
  c.p.batch = n; c.p.in_h = h; c.p.in_w = w; c.p.in_c = cin; c.p.out_c = cout;
  c.p.k_h = c.p.k_w = k; c.p.stride_h = c.p.stride_w = s; c.p.dil_h = c.p.dil_w = 1;
  c.p.pad_top = c.p.pad_bottom = c.p.pad_left = c.p.pad_right = pad;
  c.p.groups = 1; c.p.in_zp = -7; c.p.out_zp = 4; c.p.act_min = -128; c.p.act_max = 127;
  return c;
}

START_TEST(test_conv_fixed) {
  tdev_t t;
  conv_case_t c;
  tdev_open(&t);
  run_conv(&t, (c = conv_basic(1, 1, 1, 1, 1, 1, 1, 0), &c), 31, NULL);       /* 1x1 */
  run_conv(&t, (c = conv_basic(1, 7, 9, 5, 11, 3, 1, 1), &c), 32, NULL);      /* odd sizes */
  run_conv(&t, (c = conv_basic(1, 9, 11, 12, 10, 3, 2, 1), &c), 33, NULL);    /* stride 2 */
  c = conv_basic(1, 10, 10, 9, 7, 3, 1, 2);                                     /* dilation 2 */
  c.p.dil_h = c.p.dil_w = 2;
  run_conv(&t, &c, 34, NULL);
  c = conv_basic(1, 8, 7, 6, 5, 3, 1, 0);                                       /* asym pads */
  c.p.pad_top = 2; c.p.pad_bottom = 0; c.p.pad_left = 0; c.p.pad_right = 3;
  run_conv(&t, &c, 35, NULL);
  run_conv(&t, (c = conv_basic(2, 5, 6, 20, 19, 1, 1, 0), &c), 36, NULL);     /* pointwise, batch 2 */
  c = conv_basic(1, 9, 8, 24, 24, 3, 1, 1);                                     /* depthwise */
  c.p.groups = 24;
  run_conv(&t, &c, 37, NULL);
  c = conv_basic(1, 7, 7, 12, 18, 3, 2, 1);                                     /* grouped */
  c.p.groups = 3;
  run_conv(&t, &c, 38, NULL);
  c = conv_basic(2, 6, 5, 4, 8, 3, 1, 1);                                       /* dw multiplier 2 */
  c.p.groups = 4;
  run_conv(&t, &c, 39, NULL);
  c = conv_basic(1, 6, 6, 8, 16, 3, 1, 1);                                      /* raw int32 */
  c.raw = 1;
  run_conv(&t, &c, 40, NULL);
  c = conv_basic(1, 5, 5, 3, 4, 5, 1, 0);
  c.p.k_w = 2;  /* non-square kernel, VALID */
  OK(systole_conv2d_set_padding(&c.p, SYSTOLE_PADDING_SAME));
  run_conv(&t, &c, 41, NULL);
  c = conv_basic(1, 12, 12, 16, 8, 3, 1, 1);                                    /* ReLU6 clamp */
  c.p.out_zp = -128; c.p.act_min = -128; c.p.act_max = -60; c.extreme = 0;
  run_conv(&t, &c, 42, NULL);
  tdev_close(&t);
}
END_TEST

/* ---- random ------------------------------------------------------------------------------ */

static void random_conv_case(uint64_t *s, conv_case_t *c, int small) {
  int maxhw = small ? 10 : 18, maxc = small ? 20 : 40, kind = rnd_range(s, 0, 9);
  memset(c, 0, sizeof(*c));
  c->p.batch = rnd_range(s, 1, 2);
  c->p.in_h = rnd_range(s, 1, maxhw);
  c->p.in_w = rnd_range(s, 1, maxhw);
  c->p.k_h = rnd_range(s, 1, 5);
  c->p.k_w = rnd_range(s, 1, 5);
  c->p.stride_h = rnd_range(s, 1, 3);
  c->p.stride_w = rnd_range(s, 1, 3);
  c->p.dil_h = rnd_range(s, 1, 2);
  c->p.dil_w = rnd_range(s, 1, 2);
  c->p.pad_top = rnd_range(s, 0, 3);
  c->p.pad_bottom = rnd_range(s, 0, 3);
  c->p.pad_left = rnd_range(s, 0, 3);
  c->p.pad_right = rnd_range(s, 0, 3);
  if (kind == 0) { /* depthwise */
    c->p.in_c = c->p.out_c = c->p.groups = rnd_range(s, 2, maxc);
  } else if (kind == 1) { /* grouped */
    c->p.groups = rnd_range(s, 2, 4);
    c->p.in_c = c->p.groups * rnd_range(s, 1, 8);
    c->p.out_c = c->p.groups * rnd_range(s, 1, 8);
  } else {
    c->p.groups = 1;
    c->p.in_c = rnd_range(s, 1, maxc);
    c->p.out_c = rnd_range(s, 1, maxc);
  }
  c->p.in_zp = rnd_range(s, -128, 127);
  c->p.out_zp = rnd_range(s, -128, 127);
  c->p.act_min = rnd_range(s, -128, 0);
  c->p.act_max = rnd_range(s, c->p.act_min, 127);
  c->raw = rnd_range(s, 0, 7) == 0;
  c->extreme = rnd_range(s, 0, 7) == 0;
  /* grow the input until the output is not empty */
  while ((int64_t)c->p.in_h + c->p.pad_top + c->p.pad_bottom < (int64_t)c->p.dil_h * (c->p.k_h - 1) + 1)
    c->p.in_h++;
  while ((int64_t)c->p.in_w + c->p.pad_left + c->p.pad_right < (int64_t)c->p.dil_w * (c->p.k_w - 1) + 1)
    c->p.in_w++;
}

static void random_mm_case(uint64_t *s, mm_case_t *c, int small) {
  int maxd = small ? 60 : 150;
  memset(c, 0, sizeof(*c));
  c->M = (uint32_t)rnd_range(s, 1, maxd);
  c->N = (uint32_t)rnd_range(s, 1, maxd);
  c->K = (uint32_t)rnd_range(s, 1, maxd * 2);
  c->a_zp = rnd_range(s, -128, 127);
  c->out_zp = rnd_range(s, -128, 127);
  c->act_min = rnd_range(s, -128, 0);
  c->act_max = rnd_range(s, c->act_min, 127);
  c->raw = rnd_range(s, 0, 5) == 0;
  c->trans = rnd_range(s, 0, 1);
  c->extreme = rnd_range(s, 0, 7) == 0;
  c->lda_pad = (uint32_t)rnd_range(s, 0, 3) * (uint32_t)rnd_range(s, 0, 1);
  c->ldc_pad = (uint32_t)rnd_range(s, 0, 3) * (uint32_t)rnd_range(s, 0, 1);
}

static void run_random(int count, uint64_t base) {
  tdev_t t;
  int i;
  tdev_open(&t);
  for (i = 0; i < count; i++) {
    uint64_t s = base * 0x9E3779B97F4A7C15ull + (uint64_t)i + 1, data = rnd(&s);
    /* vary the tiler (block rows, k-tiles per chunk) and the ring so that multi-block,
     * multi-chunk pipelines and ring wrap-around are exercised on small shapes too */
    if (rnd_range(&s, 0, 1)) {
      systole_dev_config_t cfg;
      static const uint32_t rings[] = {0, 8, 13, 64};
      memset(&cfg, 0, sizeof(cfg));
      cfg.m_block = (uint32_t)rnd_range(&s, 1, 40);
      cfg.k_chunk = (uint32_t)rnd_range(&s, 1, 3);
      cfg.ring_slots = rings[rnd(&s) % 4];
      /* a fresh chip per configuration (re-opening is tested by test_dev_reopen) */
      tdev_close(&t);
      OK(systole_hal_sim_open(&t.hs, NULL));
      OK(systole_dev_open(&t.dev, &t.hs.hal, &cfg));
    } else if (t.dev.cfg.m_block) {
      tdev_close(&t);
      tdev_open(&t);
    }
    if (i % 3 == 0) {
      mm_case_t c;
      random_mm_case(&s, &c, g_subset);
      run_matmul(&t, &c, data, NULL);
    } else {
      conv_case_t c;
      random_conv_case(&s, &c, g_subset);
      run_conv(&t, &c, data, NULL);
    }
  }
  tdev_close(&t);
}

START_TEST(test_random) { run_random(g_subset ? 8 : 30, g_seed); }
END_TEST

START_TEST(test_soak) { run_random(g_soak, g_seed + 1000003u); }
END_TEST

/* ---- errors and recovery ------------------------------------------------------------------ */

/* A job whose DMA hits an injected AXI error: HW_ERROR with code, opcode and message.
 * kind 0: read error on the activations; 1: write error on the output. */
static void hw_error_job(tdev_t *t, int kind) {
  systole_buf_t a, cb;
  systole_packed_t pk;
  systole_matmul_job_t job;
  systole_error_info_t info;
  int8_t B[24 * 16];
  systole_status_t st;
  memset(B, 1, sizeof(B));
  OK(systole_matmul_weights_pack(&t->dev, 24, 16, B, 0, NULL, NULL, NULL, 0, &pk));
  OK(systole_buf_alloc(&t->dev, 20 * 24, &a));
  OK(systole_buf_alloc(&t->dev, 20 * 16 * 4, &cb));
  memset(&job, 0, sizeof(job));
  job.M = 20; job.a = &a; job.lda = 24; job.b = &pk; job.c = &cb; job.ldc = 16;
  job.raw_output = 1;
  if (kind == 0)
    ck_assert_int_eq(systole_sim_mem_inject_error(t->hs.sim, a.addr, 16, 1, 0), 0);
  else
    ck_assert_int_eq(systole_sim_mem_inject_error(t->hs.sim, cb.addr + 64, 4, 0, 1), 0);
  st = systole_matmul(&t->dev, &job, NULL);
  OK(systole_dev_last_error(&t->dev, &info));
  ck_assert_msg(st == SYSTOLE_HW_ERROR, "got %s (%s)", systole_status_str(st), info.msg);
  ck_assert_int_eq(info.status, SYSTOLE_HW_ERROR);
  ck_assert_uint_eq(info.hw_code, kind == 0 ? SYSTOLE_HWERR_AXI_RD : SYSTOLE_HWERR_AXI_WR);
  ck_assert_uint_eq(info.opcode, kind == 0 ? SYSTOLE_OP_LOAD : SYSTOLE_OP_STORE);
  ck_assert_ptr_nonnull(strstr(info.msg, kind == 0 ? "AXI read" : "AXI write"));
  ck_assert_int_eq(systole_sim_mem_inject_error(t->hs.sim, 0, 0, 0, 0), 0);
  OK(systole_packed_free(&t->dev, &pk));
  OK(systole_buf_free(&t->dev, &a));
  OK(systole_buf_free(&t->dev, &cb));
}

static void tdev_open_short_timeout(tdev_t *t) {
  systole_dev_config_t cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.timeout_cycles = 1000000; /* keep a hung chip from stalling the suite */
  OK(systole_hal_sim_open(&t->hs, NULL));
  OK(systole_dev_open(&t->dev, &t->hs.hal, &cfg));
}

/* Close and re-open a device on the same chip (open soft-resets it), and run a job each
 * time. */
START_TEST(test_dev_reopen) {
  tdev_t t;
  mm_case_t c = mm_basic(40, 20, 30);
  int i;
  tdev_open_short_timeout(&t);
  run_matmul(&t, &c, 81, NULL);
  for (i = 0; i < 2; i++) {
    systole_dev_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.timeout_cycles = 1000000;
    OK(systole_dev_close(&t.dev));
    OK(systole_dev_open(&t.dev, &t.hs.hal, &cfg));
    run_matmul(&t, &c, 82 + (uint64_t)i, NULL);
  }
  tdev_close(&t);
}
END_TEST

START_TEST(test_hw_error_read) {
  tdev_t t;
  tdev_open_short_timeout(&t);
  hw_error_job(&t, 0);
  tdev_close(&t);
}
END_TEST

START_TEST(test_hw_error_write) {
  tdev_t t;
  tdev_open_short_timeout(&t);
  hw_error_job(&t, 1);
  tdev_close(&t);
}
END_TEST

/* After a chip error the device works again (soft reset by the driver; see also
 * tests/driver/repro_softreset_inflight.c). */
START_TEST(test_hw_error_recovery) {
  tdev_t t;
  mm_case_t c = mm_basic(20, 16, 24);
  tdev_open_short_timeout(&t);
  hw_error_job(&t, 0);
  run_matmul(&t, &c, 51, NULL);
  hw_error_job(&t, 1);
  run_matmul(&t, &c, 52, NULL);
  tdev_close(&t);
}
END_TEST

START_TEST(test_ring_streaming_small_ring) {
  /* a ring of 8 slots must stream a job of thousands of commands */
  tdev_t t;
  systole_dev_config_t cfg;
  mm_case_t c = mm_basic(100, 50, 300);
  memset(&cfg, 0, sizeof(cfg));
  cfg.ring_slots = 8;
  cfg.m_block = 16;
  cfg.k_chunk = 1;
  OK(systole_hal_sim_open(&t.hs, NULL));
  OK(systole_dev_open(&t.dev, &t.hs.hal, &cfg));
  run_matmul(&t, &c, 61, NULL);
  tdev_close(&t);
}
END_TEST

START_TEST(test_ring_too_large) {
  /* a chip built with fewer ring index bits (RingBits: the iCEBreaker's chip keeps 12) reads
   * back only those of RING_SIZE; the driver refuses a ring that does not fit them, and a
   * ring that fits still runs */
  tdev_t t;
  systole_dev_config_t cfg;
  uint32_t keep;
  mm_case_t c = mm_basic(20, 10, 30);
  OK(systole_hal_sim_open(&t.hs, NULL));
  ck_assert_int_eq(systole_sim_csr_write(t.hs.sim, SYSTOLE_REG_RING_SIZE, 0xffffu), 0);
  ck_assert_int_eq(systole_sim_csr_read(t.hs.sim, SYSTOLE_REG_RING_SIZE, &keep), 0);
  ck_assert_msg(keep >= 0xfffu && (keep & (keep + 1u)) == 0u, "RING_SIZE keeps 0x%x", keep);
  memset(&cfg, 0, sizeof(cfg));
  if (keep < 0xffffu) {
    cfg.ring_slots = keep + 1u;
    ck_assert_int_eq(systole_dev_open(&t.dev, &t.hs.hal, &cfg), SYSTOLE_UNSUPPORTED);
  }
  cfg.ring_slots = keep < 0xffffu ? keep : 4096u;
  OK(systole_dev_open(&t.dev, &t.hs.hal, &cfg));
  run_matmul(&t, &c, 71, NULL);
  tdev_close(&t);
}
END_TEST

/* Other memory models: long latency, narrow bandwidth, AXI ready jitter. */
START_TEST(test_memory_models) {
  static const uint32_t lat[] = {1, 200, 17};
  static const uint32_t bw[] = {64, 3, 8};
  int k;
  for (k = 0; k < (g_subset ? 1 : 3); k++) {
    tdev_t t;
    systole_sim_config_t sc;
    mm_case_t c = mm_basic(70, 35, 90);
    conv_case_t cc = conv_basic(2, 9, 10, 11, 13, 3, 2, 1);
    systole_sim_config_default(&sc);
    sc.read_latency = lat[k];
    sc.bytes_per_cycle = bw[k];
    sc.write_latency = lat[k] / 2 + 1;
    sc.ready_jitter_seed = (uint32_t)(k * 7 + 3);
    OK(systole_hal_sim_open(&t.hs, &sc));
    OK(systole_dev_open(&t.dev, &t.hs.hal, NULL));
    run_matmul(&t, &c, 91 + (uint64_t)k, NULL);
    run_conv(&t, &cc, 95 + (uint64_t)k, NULL);
    tdev_close(&t);
  }
}
END_TEST

START_TEST(test_pool_add_host) {
  tdev_t t;
  systole_pool_params_t p;
  systole_ref_pool_params_t rp;
  systole_add_params_t ap;
  systole_ref_add_params_t rap;
  int8_t in[2 * 7 * 6 * 3], out[2 * 7 * 6 * 3], want[2 * 7 * 6 * 3], in2[2 * 7 * 6 * 3];
  systole_buf_t ib, ob, ib2;
  int oh, ow;
  uint64_t s = 77;
  tdev_open(&t);
  fill_i8(in, sizeof(in), &s);
  fill_i8(in2, sizeof(in2), &s);
  memset(&p, 0, sizeof(p));
  p.batch = 2; p.in_h = 7; p.in_w = 6; p.channels = 3; p.k_h = 3; p.k_w = 2;
  p.stride_h = 2; p.stride_w = 2; p.pad_top = 1; p.pad_bottom = 1; p.pad_left = 0;
  p.pad_right = 1; p.act_min = -100; p.act_max = 100;
  OK(systole_pool_out_size(&p, &oh, &ow));
  OK(systole_buf_alloc(&t.dev, sizeof(in), &ib));
  OK(systole_buf_alloc(&t.dev, sizeof(in), &ib2));
  OK(systole_buf_alloc(&t.dev, sizeof(out), &ob));
  OK(systole_buf_write(&t.dev, &ib, 0, in, sizeof(in)));
  OK(systole_buf_write(&t.dev, &ib2, 0, in2, sizeof(in2)));
  memcpy(&rp, &p, sizeof(rp));
  OK(systole_maxpool2d(&t.dev, &p, &ib, &ob));
  OK(systole_buf_read(&t.dev, &ob, 0, out, (size_t)2 * oh * ow * 3));
  ck_assert_int_eq(systole_ref_maxpool_i8(&rp, in, want), 0);
  ck_assert_mem_eq(out, want, (size_t)2 * oh * ow * 3);
  OK(systole_avgpool2d(&t.dev, &p, &ib, &ob));
  OK(systole_buf_read(&t.dev, &ob, 0, out, (size_t)2 * oh * ow * 3));
  ck_assert_int_eq(systole_ref_avgpool_i8(&rp, in, want), 0);
  ck_assert_mem_eq(out, want, (size_t)2 * oh * ow * 3);
  ck_assert_int_eq(systole_ref_add_params_from_scales(0.05f, 3, 0.07f, -5, 0.1f, 2, -128, 127, &rap), 0);
  memcpy(&ap, &rap, sizeof(ap));
  OK(systole_add(&t.dev, &ap, sizeof(in), &ib, &ib2, &ob));
  OK(systole_buf_read(&t.dev, &ob, 0, out, sizeof(in)));
  ck_assert_int_eq(systole_ref_add_i8(&rap, sizeof(in), in, in2, want), 0);
  ck_assert_mem_eq(out, want, sizeof(in));
  OK(systole_buf_free(&t.dev, &ib));
  OK(systole_buf_free(&t.dev, &ib2));
  OK(systole_buf_free(&t.dev, &ob));
  tdev_close(&t);
}
END_TEST

/* Utilisation report (informative; `make bench` owns the targets). */
START_TEST(test_perf_report) {
  tdev_t t;
  mm_case_t c;
  conv_case_t cc;
  systole_stats_t st;
  tdev_open(&t);
  c = mm_basic(128, 128, 128);
  run_matmul(&t, &c, 71, &st);
  printf("perf %s GEMM 128^3: %llu cycles, utilisation %.1f%% (rd %llu B, wr %llu B, "
         "ld_dep %llu ex_dep %llu st_dep %llu wload %llu rd_mem %llu fetch %llu qfull %llu)\n",
         SYSTOLE_TEST_CONFIG, (unsigned long long)st.cycles, 100.0 * st.utilisation,
         (unsigned long long)st.dma_rd_bytes, (unsigned long long)st.dma_wr_bytes,
         (unsigned long long)st.stall_ld_dep, (unsigned long long)st.stall_ex_dep,
         (unsigned long long)st.stall_st_dep, (unsigned long long)st.stall_ex_wload,
         (unsigned long long)st.stall_rd_mem, (unsigned long long)st.stall_fetch,
         (unsigned long long)st.stall_queue_full);
  /* MACS counts only on chips with every performance counter (CFG_FEATURES.PERF_FULL) */
  if (SYSTOLE_CFG_FEATURES_PERF_FULL_GET(t.dev.caps.features))
    ck_assert_uint_gt(st.array_macs, 0);
  else
    ck_assert_uint_eq(st.array_macs, 0);
  ck_assert_uint_gt(st.dma_rd_bytes, 0);
  if (!g_subset) {
    c = mm_basic(256, 256, 256);
    run_matmul(&t, &c, 72, &st);
    printf("perf %s GEMM 256^3: %llu cycles, utilisation %.1f%%\n", SYSTOLE_TEST_CONFIG,
           (unsigned long long)st.cycles, 100.0 * st.utilisation);
    cc = conv_basic(1, 28, 28, 128, 128, 3, 1, 1); /* ResNet-18 layer2 3x3 */
    run_conv(&t, &cc, 73, &st);
    printf("perf %s conv 28x28x128->128 3x3: %llu cycles, utilisation %.1f%% (ld_dep %llu "
           "ex_dep %llu st_dep %llu wload %llu rd_mem %llu fetch %llu qfull %llu)\n",
           SYSTOLE_TEST_CONFIG, (unsigned long long)st.cycles, 100.0 * st.utilisation,
           (unsigned long long)st.stall_ld_dep, (unsigned long long)st.stall_ex_dep,
           (unsigned long long)st.stall_st_dep, (unsigned long long)st.stall_ex_wload,
           (unsigned long long)st.stall_rd_mem, (unsigned long long)st.stall_fetch,
           (unsigned long long)st.stall_queue_full);
  }
  tdev_close(&t);
}
END_TEST

static Suite *e2e_suite(void) {
  Suite *s = suite_create("driver_e2e");
  TCase *tc = tcase_create("matmul");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_matmul_fixed);
  tcase_add_test(tc, test_matmul_requant_edges);
  tcase_add_test(tc, test_matmul_qparam_segments);
  suite_add_tcase(s, tc);
  tc = tcase_create("conv2d");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_conv_fixed);
  suite_add_tcase(s, tc);
  tc = tcase_create("random");
  tcase_set_timeout(tc, 1200);
  tcase_add_test(tc, test_random);
  if (g_soak > 0) tcase_add_test(tc, test_soak);
  suite_add_tcase(s, tc);
  tc = tcase_create("device");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_hw_error_read);
  tcase_add_test(tc, test_hw_error_write);
  tcase_add_test(tc, test_hw_error_recovery);
  tcase_add_test(tc, test_dev_reopen);
  tcase_add_test(tc, test_ring_streaming_small_ring);
  tcase_add_test(tc, test_ring_too_large);
  tcase_add_test(tc, test_pool_add_host);
  tcase_add_test(tc, test_memory_models);
  tcase_add_test(tc, test_perf_report);
  suite_add_tcase(s, tc);
  return s;
}

int main(int argc, char **argv) {
  int i, failed;
  SRunner *sr;
  const char *e = getenv("SEED");
  g_argv0 = argv[0];
  if (e && *e) g_seed = strtoull(e, NULL, 0);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--subset") == 0)
      g_subset = 1;
    else if (strcmp(argv[i], "--soak") == 0 && i + 1 < argc)
      g_soak = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [--subset] [--soak N]\n", argv[0]);
      return 2;
    }
  }
  printf("test_driver_e2e: config %s, seed %llu%s%s\n", SYSTOLE_TEST_CONFIG,
         (unsigned long long)g_seed, g_subset ? ", subset" : "", g_soak ? ", soak" : "");
  sr = srunner_create(e2e_suite());
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
