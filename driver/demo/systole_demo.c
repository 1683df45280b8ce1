/* systole_demo — a small CNN, layer by layer on the simulated chip, each layer checked
 * against the golden kernels, with a per-layer report (shape, cycles, MACs, utilisation,
 * DRAM traffic, PASS/FAIL).
 *
 *   conv 3x3/1 3->16 ReLU, conv 3x3/2 16->32 ReLU, maxpool 2x2/2 (host), depthwise 3x3 32
 *   ReLU, conv 1x1 32->64 ReLU, global avgpool (host), fully connected 64->10 (matmul);
 * then a transformer attention block on 16 tokens of width 32: Q/K/V projections
 * (matmuls with packed weights), 2-head causal attention on the chip (QK^T, the on-chip
 * softmax, PV), output projection (matmul), residual add (on the host: the chip has no
 * add unit).
 *
 * Usage: systole_demo      Exit status 0 iff every layer matches the golden kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systole.h"
#include "systole_hal_sim.h"
#include "systole_regs.h"
#include "systole_ref.h"

#ifndef SYSTOLE_TEST_CONFIG
#define SYSTOLE_TEST_CONFIG "?"
#endif

static uint64_t g_rng = 0x5eed;
static int8_t rnd_i8(void) {
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return (int8_t)((g_rng * 0x2545F4914F6CDD1DULL) >> 56);
}

static int g_fail = 0;

#define CHECK(expr)                                                                     \
  do {                                                                                  \
    systole_status_t st_ = (expr);                                                      \
    if (st_ != SYSTOLE_OK) {                                                            \
      systole_error_info_t e_;                                                          \
      memset(&e_, 0, sizeof(e_));                                                       \
      if (systole_dev_last_error(dev, &e_) != SYSTOLE_OK) e_.msg[0] = 0;                \
      fprintf(stderr, "%s: %s %s\n", #expr, systole_status_str(st_), e_.msg);           \
      exit(2);                                                                          \
    }                                                                                   \
  } while (0)

static void report(const char *name, const char *shape, const systole_stats_t *st, int pass) {
  if (st)
    printf("%-10s %-28s %10llu %12llu %6.1f%% %10llu %9llu  %s\n", name, shape,
           (unsigned long long)st->cycles, (unsigned long long)st->workload_macs,
           100.0 * st->utilisation, (unsigned long long)st->dma_rd_bytes,
           (unsigned long long)st->dma_wr_bytes, pass ? "PASS" : "FAIL");
  else
    printf("%-10s %-28s %10s %12s %7s %10s %9s  %s\n", name, shape, "host", "-", "-", "-", "-",
           pass ? "PASS" : "FAIL");
  if (!pass) g_fail = 1;
}

/* One conv layer: in (device, NHWC) -> out (device), checked against systole_ref_conv2d_i8
 * on the host copy of the input. Returns the host copy of the output (malloc). */
static int8_t *conv_layer(systole_dev_t *dev, const char *name, systole_conv2d_params_t *p,
                          const systole_buf_t *in, const int8_t *in_host, systole_buf_t *out,
                          int *oh, int *ow) {
  size_t wn = (size_t)p->out_c * p->k_h * p->k_w * (p->in_c / p->groups), on, i;
  int8_t *w = malloc(wn), *got, *want;
  int32_t *bias = malloc((size_t)p->out_c * 4), *mult = malloc((size_t)p->out_c * 4);
  int32_t *shift = malloc((size_t)p->out_c * 4);
  systole_ref_conv2d_params_t rp;
  systole_packed_t pk;
  systole_stats_t st;
  char shape[64];
  int sh;
  double real = 1.0 / (8.0 * (double)(p->k_h * p->k_w * (p->in_c / p->groups)));
  CHECK(systole_conv2d_set_padding(p, SYSTOLE_PADDING_SAME));
  CHECK(systole_conv2d_out_size(p, oh, ow));
  on = (size_t)p->batch * *oh * *ow * p->out_c;
  got = malloc(on);
  want = malloc(on);
  if (!w || !bias || !mult || !shift || !got || !want) exit(3);
  for (i = 0; i < wn; i++) w[i] = rnd_i8();
  for (i = 0; i < (size_t)p->out_c; i++) {
    bias[i] = (int32_t)(i * 37) - 500;
    if (systole_ref_quantize_multiplier(real * (1.0 + (double)i / 64.0), &mult[i], &sh)) exit(3);
    shift[i] = sh;
  }
  CHECK(systole_conv2d_weights_pack(dev, p, w, bias, mult, shift, &pk));
  CHECK(systole_buf_alloc(dev, on, out));
  CHECK(systole_conv2d(dev, p, in, &pk, out, 0, &st));
  CHECK(systole_buf_read(dev, out, 0, got, on));
  memcpy(&rp, p, sizeof(rp));
  if (systole_ref_conv2d_i8(&rp, in_host, w, bias, mult, shift, want) != SYSTOLE_REF_OK) exit(3);
  snprintf(shape, sizeof(shape), "%dx%dx%d->%dx%dx%d k%d s%d%s", p->in_h, p->in_w, p->in_c, *oh,
           *ow, p->out_c, p->k_h, p->stride_h, p->groups > 1 ? " dw" : "");
  report(name, shape, &st, memcmp(got, want, on) == 0);
  CHECK(systole_packed_free(dev, &pk));
  free(w); free(bias); free(mult); free(shift); free(want);
  return got;
}

static systole_conv2d_params_t conv(int h, int w, int cin, int cout, int k, int s, int groups,
                                    int32_t in_zp) {
  systole_conv2d_params_t p;
  memset(&p, 0, sizeof(p));
  p.batch = 1; p.in_h = h; p.in_w = w; p.in_c = cin; p.out_c = cout; p.k_h = p.k_w = k;
  p.stride_h = p.stride_w = s; p.dil_h = p.dil_w = 1; p.groups = groups;
  p.in_zp = in_zp; p.out_zp = -128; p.act_min = -128; p.act_max = 127; /* ReLU */
  return p;
}

/* One projection: out (T x N) = requant(in (T x K) x W + bias) on the chip, checked against
 * systole_ref_matmul_i8. Returns the host copy of the output (malloc). */
static int8_t *proj_layer(systole_dev_t *dev, const char *name, const systole_buf_t *in,
                          const int8_t *in_host, uint32_t T, uint32_t K, uint32_t N, int32_t in_zp,
                          int32_t out_zp, systole_buf_t *out) {
  int8_t *W = malloc((size_t)K * N), *got = malloc((size_t)T * N), *want = malloc((size_t)T * N);
  int32_t *bias = malloc(N * 4), *mult = malloc(N * 4), *shift = malloc(N * 4);
  systole_packed_t pk;
  systole_matmul_job_t job;
  systole_stats_t st;
  char shape[64];
  uint32_t i;
  int sh;
  if (!W || !got || !want || !bias || !mult || !shift) exit(3);
  for (i = 0; i < K * N; i++) W[i] = rnd_i8();
  for (i = 0; i < N; i++) {
    bias[i] = (int32_t)(i * 11) - 100;
    if (systole_ref_quantize_multiplier(1.0 / (16.0 * (double)K), &mult[i], &sh)) exit(3);
    shift[i] = sh;
  }
  CHECK(systole_matmul_weights_pack(dev, K, N, W, 0, bias, mult, shift, in_zp, &pk));
  CHECK(systole_buf_alloc(dev, (size_t)T * N, out));
  memset(&job, 0, sizeof(job));
  job.M = T; job.a = in; job.lda = K; job.a_zp = in_zp; job.b = &pk; job.c = out; job.ldc = N;
  job.out_zp = out_zp; job.act_min = -128; job.act_max = 127;
  CHECK(systole_matmul(dev, &job, &st));
  CHECK(systole_buf_read(dev, out, 0, got, (size_t)T * N));
  if (systole_ref_matmul_i8(T, N, K, in_host, K, 0, W, N, 0, in_zp, bias, mult, shift, out_zp,
                            -128, 127, want, N) != SYSTOLE_REF_OK)
    exit(3);
  snprintf(shape, sizeof(shape), "%ux%u x %ux%u", T, K, K, N);
  report(name, shape, &st, memcmp(got, want, (size_t)T * N) == 0);
  CHECK(systole_packed_free(dev, &pk));
  free(W); free(want); free(bias); free(mult); free(shift);
  return got;
}

/* Transformer attention block: x (T x D) -> x + Wo . attention(Wq x, Wk x, Wv x). */
static void transformer_block(systole_dev_t *dev) {
  enum { T = 16, D = 32, H = 2, DH = 16 };
  int8_t x[T * D], *q, *k, *v, *a, *y, z[T * D], want[T * D];
  systole_buf_t xb, qb, kb, vb, ab, yb, zb;
  systole_ref_attention_params_t rp;
  systole_ref_add_params_t rap;
  systole_attention_job_t job;
  systole_add_params_t ap;
  systole_stats_t st;
  char shape[64];
  int i;
  if (!SYSTOLE_CFG_FEATURES_SOFTMAX_GET(dev->caps.features) || dev->caps.rows != dev->caps.cols) {
    printf("%-10s %-28s (no softmax unit on this chip: skipped)\n", "attention", "");
    return;
  }
  for (i = 0; i < T * D; i++) x[i] = rnd_i8();
  CHECK(systole_buf_alloc(dev, sizeof(x), &xb));
  CHECK(systole_buf_write(dev, &xb, 0, x, sizeof(x)));
  q = proj_layer(dev, "q_proj", &xb, x, T, D, D, 0, 1, &qb);
  k = proj_layer(dev, "k_proj", &xb, x, T, D, D, 0, -2, &kb);
  v = proj_layer(dev, "v_proj", &xb, x, T, D, D, 0, 3, &vb);
  /* 2-head causal attention on the chip */
  memset(&rp, 0, sizeof(rp));
  rp.seq_q = T; rp.seq_k = T; rp.d = DH; rp.heads = H; rp.causal = 1;
  rp.q_zp = 1; rp.k_zp = -2; rp.v_zp = 3; rp.out_zp = 0; rp.act_min = -128; rp.act_max = 127;
  if (systole_ref_attention_params_from_scales(0.06, 0.06, 0.05, 0.03, 0.0, &rp) != SYSTOLE_REF_OK)
    exit(3);
  a = malloc(T * D);
  if (!a) exit(3);
  CHECK(systole_buf_alloc(dev, T * D, &ab));
  memset(&job, 0, sizeof(job));
  job.heads = H; job.seq_q = T; job.seq_k = T; job.d = DH; job.causal = 1;
  job.q = &qb; job.k = &kb; job.v = &vb; job.out = &ab;
  job.q_zp = rp.q_zp; job.k_zp = rp.k_zp; job.v_zp = rp.v_zp;
  job.sm_mult = rp.sm_mult; job.sm_shift = rp.sm_shift;
  job.out_mult = rp.out_mult; job.out_shift = rp.out_shift;
  job.out_zp = rp.out_zp; job.act_min = rp.act_min; job.act_max = rp.act_max;
  CHECK(systole_attention(dev, &job, &st));
  CHECK(systole_buf_read(dev, &ab, 0, a, T * D));
  if (systole_ref_attention_i8(&rp, q, k, v, want) != SYSTOLE_REF_OK) exit(3);
  snprintf(shape, sizeof(shape), "%d tok, %d heads x %d, causal", T, H, DH);
  report("attention", shape, &st, memcmp(a, want, T * D) == 0);
  /* output projection, then the residual add on the host (the chip has no add unit) */
  y = proj_layer(dev, "o_proj", &ab, a, T, D, D, 0, 0, &yb);
  if (systole_ref_add_params_from_scales(0.05f, 0, 0.05f, 0, 0.08f, 0, -128, 127, &rap) !=
      SYSTOLE_REF_OK)
    exit(3);
  memcpy(&ap, &rap, sizeof(ap));
  CHECK(systole_buf_alloc(dev, T * D, &zb));
  CHECK(systole_add(dev, &ap, T * D, &xb, &yb, &zb));
  CHECK(systole_buf_read(dev, &zb, 0, z, T * D));
  if (systole_ref_add_i8(&rap, T * D, x, y, want) != SYSTOLE_REF_OK) exit(3);
  report("residual", "x + o_proj (host)", NULL, memcmp(z, want, T * D) == 0);
  CHECK(systole_buf_free(dev, &xb)); CHECK(systole_buf_free(dev, &qb));
  CHECK(systole_buf_free(dev, &kb)); CHECK(systole_buf_free(dev, &vb));
  CHECK(systole_buf_free(dev, &ab)); CHECK(systole_buf_free(dev, &yb));
  CHECK(systole_buf_free(dev, &zb));
  free(q); free(k); free(v); free(a); free(y);
}

int main(void) {
  systole_hal_sim_t hs;
  systole_dev_t devs, *dev = &devs;
  systole_buf_t b0, b1, b2, b3, b4, b5, b6, b7;
  int8_t *x0, *x1, *x2, *x3, *x4, *x5, *x6, *x7, *want;
  systole_conv2d_params_t p;
  systole_pool_params_t pp;
  systole_ref_pool_params_t rpp;
  int h, w, i;
  size_t n;
  if (systole_hal_sim_open(&hs, NULL) != SYSTOLE_OK) return 2;
  CHECK(systole_dev_open(dev, &hs.hal, NULL));
  printf("Systole demo: %ux%u array (%s), scratchpad %u KiB, accumulator %u KiB, %u-bit bus\n",
         dev->caps.rows, dev->caps.cols, SYSTOLE_TEST_CONFIG, dev->caps.spad_bytes / 1024,
         dev->caps.acc_bytes / 1024, dev->caps.bus_bytes * 8);
  printf("%-10s %-28s %10s %12s %7s %10s %9s  %s\n", "layer", "shape", "cycles", "MACs",
         "util", "DRAM rd", "DRAM wr", "check");
  /* input 32x32x3 */
  n = 32 * 32 * 3;
  x0 = malloc(n);
  if (!x0) return 3;
  for (i = 0; i < (int)n; i++) x0[i] = rnd_i8();
  CHECK(systole_buf_alloc(dev, n, &b0));
  CHECK(systole_buf_write(dev, &b0, 0, x0, n));

  p = conv(32, 32, 3, 16, 3, 1, 1, 0);
  x1 = conv_layer(dev, "conv1", &p, &b0, x0, &b1, &h, &w);
  p = conv(h, w, 16, 32, 3, 2, 1, -128);
  x2 = conv_layer(dev, "conv2", &p, &b1, x1, &b2, &h, &w);
  /* maxpool 2x2/2 on the host */
  memset(&pp, 0, sizeof(pp));
  pp.batch = 1; pp.in_h = h; pp.in_w = w; pp.channels = 32; pp.k_h = pp.k_w = 2;
  pp.stride_h = pp.stride_w = 2; pp.act_min = -128; pp.act_max = 127;
  {
    int oh, ow;
    CHECK(systole_pool_out_size(&pp, &oh, &ow));
    n = (size_t)oh * ow * 32;
    x3 = malloc(n);
    want = malloc(n);
    if (!x3 || !want) return 3;
    CHECK(systole_buf_alloc(dev, n, &b3));
    CHECK(systole_maxpool2d(dev, &pp, &b2, &b3));
    CHECK(systole_buf_read(dev, &b3, 0, x3, n));
    memcpy(&rpp, &pp, sizeof(rpp));
    if (systole_ref_maxpool_i8(&rpp, x2, want) != SYSTOLE_REF_OK) return 3;
    report("maxpool", "2x2/2 (host)", NULL, memcmp(x3, want, n) == 0);
    free(want);
    h = oh;
    w = ow;
  }
  p = conv(h, w, 32, 32, 3, 1, 32, -128);
  x4 = conv_layer(dev, "dwconv", &p, &b3, x3, &b4, &h, &w);
  p = conv(h, w, 32, 64, 1, 1, 1, -128);
  x5 = conv_layer(dev, "pwconv", &p, &b4, x4, &b5, &h, &w);
  /* global average pool on the host */
  memset(&pp, 0, sizeof(pp));
  pp.batch = 1; pp.in_h = h; pp.in_w = w; pp.channels = 64; pp.k_h = h; pp.k_w = w;
  pp.stride_h = pp.stride_w = 1; pp.act_min = -128; pp.act_max = 127;
  x6 = malloc(64);
  want = malloc(64);
  if (!x6 || !want) return 3;
  CHECK(systole_buf_alloc(dev, 64, &b6));
  CHECK(systole_avgpool2d(dev, &pp, &b5, &b6));
  CHECK(systole_buf_read(dev, &b6, 0, x6, 64));
  memcpy(&rpp, &pp, sizeof(rpp));
  if (systole_ref_avgpool_i8(&rpp, x5, want) != SYSTOLE_REF_OK) return 3;
  report("avgpool", "global (host)", NULL, memcmp(x6, want, 64) == 0);
  free(want);
  /* fully connected 64 -> 10 */
  {
    int8_t W[64 * 10], got[10], ref[10];
    int32_t bias[10], mult[10], shift[10];
    systole_packed_t pk;
    systole_matmul_job_t job;
    systole_stats_t st;
    int sh;
    for (i = 0; i < 640; i++) W[i] = rnd_i8();
    for (i = 0; i < 10; i++) {
      bias[i] = 10 * i;
      if (systole_ref_quantize_multiplier(1.0 / 256.0, &mult[i], &sh)) return 3;
      shift[i] = sh;
    }
    CHECK(systole_matmul_weights_pack(dev, 64, 10, W, 0, bias, mult, shift, -128, &pk));
    CHECK(systole_buf_alloc(dev, 10, &b7));
    memset(&job, 0, sizeof(job));
    job.M = 1; job.a = &b6; job.lda = 64; job.a_zp = -128; job.b = &pk; job.c = &b7;
    job.ldc = 10; job.out_zp = 0; job.act_min = -128; job.act_max = 127;
    CHECK(systole_matmul(dev, &job, &st));
    CHECK(systole_buf_read(dev, &b7, 0, got, 10));
    if (systole_ref_matmul_i8(1, 10, 64, x6, 64, 0, W, 10, 0, -128, bias, mult, shift, 0, -128,
                              127, ref, 10) != SYSTOLE_REF_OK)
      return 3;
    report("fc", "64->10", &st, memcmp(got, ref, 10) == 0);
    x7 = NULL;
    CHECK(systole_packed_free(dev, &pk));
  }
  transformer_block(dev);
  printf("%s\n", g_fail ? "FAIL" : "PASS: every layer equals the golden kernels");
  CHECK(systole_buf_free(dev, &b0)); CHECK(systole_buf_free(dev, &b1));
  CHECK(systole_buf_free(dev, &b2)); CHECK(systole_buf_free(dev, &b3));
  CHECK(systole_buf_free(dev, &b4)); CHECK(systole_buf_free(dev, &b5));
  CHECK(systole_buf_free(dev, &b6)); CHECK(systole_buf_free(dev, &b7));
  CHECK(systole_dev_close(dev));
  if (systole_hal_sim_close(&hs) != SYSTOLE_OK) return 2;
  free(x0); free(x1); free(x2); free(x3); free(x4); free(x5); free(x6); free(x7);
  return g_fail;
}
