/* Job benchmark: GEMMs, the ResNet-18 convolution layers, a MobileNetV1 depthwise layer and
 * multi-head attention (seq 128/256/512, d 64, 8 heads, causal and not)
 * on the simulated chip with the default memory model (64-bit AXI, one beat per cycle,
 * 50-cycle read latency). Every result is checked against the golden kernels; cycles,
 * MACs and DRAM traffic come from the chip's own counters. Appends rows to a CSV file:
 *   config,workload,name,cycles,macs,utilization,dram_read_bytes,dram_write_bytes,sim_cycles_per_s
 * and prints a table, with the stall counters of every job (where the cycles go).
 *
 * Attention rows count 2*seq_q*seq_k*d*heads MACs (QK^T and PV; causal: the full square)
 * against every cycle of the job, softmax included; each job runs three times (stopping
 * after QK^T, after the softmax, complete: SYSTOLE_ATTN_PROFILE_*) to split its cycles.
 *
 * Usage: bench_jobs [-o build/bench.csv] [-c config-name] [-q] [-a]
 *   -q: GEMM 64/128 only; -a: attention rows only
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systole.h"
#include "systole_hal_sim.h"
#include "systole_ref.h"

static systole_dev_t g_dev;
static systole_hal_sim_t g_hs;
static FILE *g_csv;
static const char *g_config = "8x8";
static int g_failures;

#define DRV(expr)                                                                       \
  do {                                                                                  \
    systole_status_t st_ = (expr);                                                      \
    if (st_ != SYSTOLE_OK) {                                                            \
      systole_error_info_t ei_;                                                         \
      fprintf(stderr, "bench_jobs: %s: %s\n", #expr, systole_status_str(st_));          \
      if (systole_dev_last_error(&g_dev, &ei_) == SYSTOLE_OK) fprintf(stderr, "  %s\n", ei_.msg); \
      exit(1);                                                                          \
    }                                                                                   \
  } while (0)

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static int8_t rnd8(void) {
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return (int8_t)((g_rng * 0x2545F4914F6CDD1Dull) >> 56);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench_jobs: out of host memory\n");
    exit(1);
  }
  return p;
}

/* Per-channel requantisation with a realistic scale for a K-long dot product. */
static void make_qparams(unsigned n, unsigned K, int32_t *bias, int32_t *mult, int32_t *shift) {
  unsigned i;
  for (i = 0; i < n; i++) {
    int s = 0;
    double real = 1.0 / (64.0 * (double)K) * (1.0 + 0.01 * (double)(i % 17));
    if (systole_ref_quantize_multiplier(real, &mult[i], &s) != SYSTOLE_REF_OK) exit(1);
    shift[i] = s;
    bias[i] = (int32_t)((i * 7919u) % 2001u) - 1000;
  }
}

static void report(const char *workload, const char *name, const systole_stats_t *s,
                   double host_s, int pass, double target) {
  double rate = host_s > 0 ? (double)s->cycles / host_s : 0.0;
  /* the utilisation targets are set for the 8x8 array only */
  int missed = g_dev.caps.rows == 8 && g_dev.caps.cols == 8 && target > 0 && s->utilisation < target;
  printf("%-7s %-9s %-28s %11llu %13llu %6.1f%% %11llu %10llu %5.2fM %s%s\n", g_config, workload,
         name, (unsigned long long)s->cycles, (unsigned long long)s->workload_macs,
         100.0 * s->utilisation, (unsigned long long)s->dma_rd_bytes,
         (unsigned long long)s->dma_wr_bytes, rate / 1e6, pass ? "PASS" : "FAIL",
         missed ? "  (below target)" : "");
  printf("        stalls: ld_dep %llu ex_dep %llu st_dep %llu ex_wload %llu rd_mem %llu wr_mem %llu"
         " fetch %llu queue %llu; compute %llu of %llu cycles\n",
         (unsigned long long)s->stall_ld_dep, (unsigned long long)s->stall_ex_dep,
         (unsigned long long)s->stall_st_dep, (unsigned long long)s->stall_ex_wload,
         (unsigned long long)s->stall_rd_mem, (unsigned long long)s->stall_wr_mem,
         (unsigned long long)s->stall_fetch, (unsigned long long)s->stall_queue_full,
         (unsigned long long)s->compute_cycles, (unsigned long long)s->cycles);
  if (!pass) g_failures++;
  if (g_csv)
    fprintf(g_csv, "%s,%s,%s,%llu,%llu,%.4f,%llu,%llu,%.0f\n", g_config, workload, name,
            (unsigned long long)s->cycles, (unsigned long long)s->workload_macs, s->utilisation,
            (unsigned long long)s->dma_rd_bytes, (unsigned long long)s->dma_wr_bytes, rate);
  fflush(stdout);
}

static void bench_gemm(unsigned n) {
  unsigned M = n, N = n, K = n, i;
  int8_t *a = xmalloc((size_t)M * K), *b = xmalloc((size_t)K * N);
  int8_t *c = xmalloc((size_t)M * N), *ref = xmalloc((size_t)M * N);
  int32_t *bias = xmalloc(N * 4), *mult = xmalloc(N * 4), *shift = xmalloc(N * 4);
  systole_buf_t ab, cb;
  systole_packed_t pk;
  systole_matmul_job_t job;
  systole_stats_t st;
  char name[64];
  double t0, t1;
  int32_t a_zp = 3;
  for (i = 0; i < M * K; i++) a[i] = rnd8();
  for (i = 0; i < K * N; i++) b[i] = rnd8();
  make_qparams(N, K, bias, mult, shift);
  DRV(systole_buf_alloc(&g_dev, (size_t)M * K, &ab));
  DRV(systole_buf_alloc(&g_dev, (size_t)M * N, &cb));
  DRV(systole_buf_write(&g_dev, &ab, 0, a, (size_t)M * K));
  DRV(systole_matmul_weights_pack(&g_dev, K, N, b, 0, bias, mult, shift, a_zp, &pk));
  memset(&job, 0, sizeof(job));
  job.M = M;
  job.a = &ab;
  job.lda = K;
  job.a_zp = a_zp;
  job.b = &pk;
  job.c = &cb;
  job.ldc = N;
  job.out_zp = -2;
  job.act_min = -128;
  job.act_max = 127;
  t0 = now_s();
  DRV(systole_matmul(&g_dev, &job, &st));
  t1 = now_s();
  DRV(systole_buf_read(&g_dev, &cb, 0, c, (size_t)M * N));
  if (systole_ref_matmul_i8(M, N, K, a, K, 0, b, N, 0, a_zp, bias, mult, shift, job.out_zp,
                            job.act_min, job.act_max, ref, N) != SYSTOLE_REF_OK)
    exit(1);
  snprintf(name, sizeof(name), "M%u_N%u_K%u", M, N, K);
  report("gemm", name, &st, t1 - t0, memcmp(c, ref, (size_t)M * N) == 0, n >= 128 ? 0.90 : 0.0);
  DRV(systole_packed_free(&g_dev, &pk));
  DRV(systole_buf_free(&g_dev, &ab));
  DRV(systole_buf_free(&g_dev, &cb));
  free(a); free(b); free(c); free(ref); free(bias); free(mult); free(shift);
}

typedef struct {
  const char *name;
  int h, w, cin, cout, k, stride, pad, depthwise;
  double target; /* utilisation target on 8x8 (0: none) */
} conv_layer_t;

static void bench_conv(const conv_layer_t *L) {
  systole_conv2d_params_t p;
  systole_ref_conv2d_params_t rp;
  int oh, ow;
  size_t in_n, w_n, out_n, i;
  int8_t *in, *w, *out, *ref;
  int32_t *bias, *mult, *shift;
  systole_buf_t ib, ob;
  systole_packed_t pk;
  systole_stats_t st;
  double t0, t1;
  memset(&p, 0, sizeof(p));
  p.batch = 1;
  p.in_h = L->h;
  p.in_w = L->w;
  p.in_c = L->cin;
  p.out_c = L->cout;
  p.k_h = p.k_w = L->k;
  p.stride_h = p.stride_w = L->stride;
  p.dil_h = p.dil_w = 1;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = L->pad;
  p.groups = L->depthwise ? L->cin : 1;
  p.in_zp = -7;
  p.out_zp = -128; /* ReLU: clamp at the zero point */
  p.act_min = -128;
  p.act_max = 127;
  DRV(systole_conv2d_out_size(&p, &oh, &ow));
  in_n = (size_t)L->h * L->w * L->cin;
  w_n = (size_t)L->cout * L->k * L->k * (L->cin / p.groups);
  out_n = (size_t)oh * ow * L->cout;
  in = xmalloc(in_n);
  w = xmalloc(w_n);
  out = xmalloc(out_n);
  ref = xmalloc(out_n);
  bias = xmalloc((size_t)L->cout * 4);
  mult = xmalloc((size_t)L->cout * 4);
  shift = xmalloc((size_t)L->cout * 4);
  for (i = 0; i < in_n; i++) in[i] = rnd8();
  for (i = 0; i < w_n; i++) w[i] = rnd8();
  make_qparams((unsigned)L->cout, (unsigned)(L->k * L->k * (L->cin / p.groups)), bias, mult, shift);
  DRV(systole_buf_alloc(&g_dev, in_n, &ib));
  DRV(systole_buf_alloc(&g_dev, out_n, &ob));
  DRV(systole_buf_write(&g_dev, &ib, 0, in, in_n));
  DRV(systole_conv2d_weights_pack(&g_dev, &p, w, bias, mult, shift, &pk));
  t0 = now_s();
  DRV(systole_conv2d(&g_dev, &p, &ib, &pk, &ob, 0, &st));
  t1 = now_s();
  DRV(systole_buf_read(&g_dev, &ob, 0, out, out_n));
  rp.batch = p.batch; rp.in_h = p.in_h; rp.in_w = p.in_w; rp.in_c = p.in_c;
  rp.out_c = p.out_c; rp.k_h = p.k_h; rp.k_w = p.k_w;
  rp.stride_h = p.stride_h; rp.stride_w = p.stride_w; rp.dil_h = p.dil_h; rp.dil_w = p.dil_w;
  rp.pad_top = p.pad_top; rp.pad_bottom = p.pad_bottom; rp.pad_left = p.pad_left;
  rp.pad_right = p.pad_right; rp.groups = p.groups;
  rp.in_zp = p.in_zp; rp.out_zp = p.out_zp; rp.act_min = p.act_min; rp.act_max = p.act_max;
  if (systole_ref_conv2d_i8(&rp, in, w, bias, mult, shift, ref) != SYSTOLE_REF_OK) exit(1);
  report("conv", L->name, &st, t1 - t0, memcmp(out, ref, out_n) == 0, L->target);
  DRV(systole_packed_free(&g_dev, &pk));
  DRV(systole_buf_free(&g_dev, &ib));
  DRV(systole_buf_free(&g_dev, &ob));
  free(in); free(w); free(out); free(ref); free(bias); free(mult); free(shift);
}

static void bench_attention(unsigned seq, unsigned d, unsigned heads, int causal, double target) {
  systole_ref_attention_params_t rp;
  systole_attention_job_t job;
  size_t n = (size_t)seq * d * heads, i;
  int8_t *q = xmalloc(n), *k = xmalloc(n), *v = xmalloc(n), *out = xmalloc(n), *ref = xmalloc(n);
  systole_buf_t qb, kb, vb, ob;
  systole_stats_t st, st_qk, st_sm;
  char name[64];
  double t0, t1;
  for (i = 0; i < n; i++) {
    q[i] = rnd8();
    k[i] = rnd8();
    v[i] = rnd8();
  }
  memset(&rp, 0, sizeof(rp));
  rp.seq_q = rp.seq_k = (int)seq; rp.d = (int)d; rp.heads = (int)heads; rp.causal = causal;
  rp.q_zp = 2; rp.k_zp = -3; rp.v_zp = 1; rp.out_zp = 0; rp.act_min = -128; rp.act_max = 127;
  if (systole_ref_attention_params_from_scales(0.05, 0.05, 0.04, 0.02, 0.0, &rp) != SYSTOLE_REF_OK)
    exit(1);
  DRV(systole_buf_alloc(&g_dev, n, &qb));
  DRV(systole_buf_alloc(&g_dev, n, &kb));
  DRV(systole_buf_alloc(&g_dev, n, &vb));
  DRV(systole_buf_alloc(&g_dev, n, &ob));
  DRV(systole_buf_write(&g_dev, &qb, 0, q, n));
  DRV(systole_buf_write(&g_dev, &kb, 0, k, n));
  DRV(systole_buf_write(&g_dev, &vb, 0, v, n));
  memset(&job, 0, sizeof(job));
  job.heads = heads; job.seq_q = seq; job.seq_k = seq; job.d = d; job.causal = causal;
  job.q = &qb; job.k = &kb; job.v = &vb; job.out = &ob;
  job.q_zp = rp.q_zp; job.k_zp = rp.k_zp; job.v_zp = rp.v_zp;
  job.sm_mult = rp.sm_mult; job.sm_shift = rp.sm_shift;
  job.out_mult = rp.out_mult; job.out_shift = rp.out_shift;
  job.out_zp = rp.out_zp; job.act_min = rp.act_min; job.act_max = rp.act_max;
  job.profile = SYSTOLE_ATTN_PROFILE_QK;
  DRV(systole_attention(&g_dev, &job, &st_qk));
  job.profile = SYSTOLE_ATTN_PROFILE_QK_SOFTMAX;
  DRV(systole_attention(&g_dev, &job, &st_sm));
  job.profile = 0;
  t0 = now_s();
  DRV(systole_attention(&g_dev, &job, &st));
  t1 = now_s();
  DRV(systole_buf_read(&g_dev, &ob, 0, out, n));
  if (systole_ref_attention_i8(&rp, q, k, v, ref) != SYSTOLE_REF_OK) exit(1);
  snprintf(name, sizeof(name), "seq%u_d%u_h%u%s", seq, d, heads, causal ? "_causal" : "");
  report("attention", name, &st, t1 - t0, memcmp(out, ref, n) == 0, target);
  printf("        cycles: QK^T %llu, softmax %llu, PV+store %llu (phase runs: QK^T alone, "
         "+softmax, full); DMA stalls rd_mem %llu fetch %llu, ex waiting for tokens %llu\n",
         (unsigned long long)st_qk.cycles,
         (unsigned long long)(st_sm.cycles > st_qk.cycles ? st_sm.cycles - st_qk.cycles : 0),
         (unsigned long long)(st.cycles > st_sm.cycles ? st.cycles - st_sm.cycles : 0),
         (unsigned long long)st.stall_rd_mem, (unsigned long long)st.stall_fetch,
         (unsigned long long)st.stall_ex_dep);
  DRV(systole_buf_free(&g_dev, &qb));
  DRV(systole_buf_free(&g_dev, &kb));
  DRV(systole_buf_free(&g_dev, &vb));
  DRV(systole_buf_free(&g_dev, &ob));
  free(q); free(k); free(v); free(out); free(ref);
}

int main(int argc, char **argv) {
  static const conv_layer_t layers[] = {
      {"resnet18_conv1", 224, 224, 3, 64, 7, 2, 3, 0, 0.0},
      {"resnet18_layer1_conv", 56, 56, 64, 64, 3, 1, 1, 0, 0.80},
      {"resnet18_layer2_conv1", 56, 56, 64, 128, 3, 2, 1, 0, 0.80},
      {"resnet18_layer2_conv2", 28, 28, 128, 128, 3, 1, 1, 0, 0.80},
      {"resnet18_layer2_down", 56, 56, 64, 128, 1, 2, 0, 0, 0.0},
      {"resnet18_layer3_conv1", 28, 28, 128, 256, 3, 2, 1, 0, 0.80},
      {"resnet18_layer3_conv2", 14, 14, 256, 256, 3, 1, 1, 0, 0.80},
      {"resnet18_layer3_down", 28, 28, 128, 256, 1, 2, 0, 0, 0.0},
      {"resnet18_layer4_conv1", 14, 14, 256, 512, 3, 2, 1, 0, 0.80},
      {"resnet18_layer4_conv2", 7, 7, 512, 512, 3, 1, 1, 0, 0.80},
      {"resnet18_layer4_down", 14, 14, 256, 512, 1, 2, 0, 0, 0.0},
      {"mobilenetv1_dw_56x56x128", 56, 56, 128, 128, 3, 1, 1, 1, 0.0},
  };
  static const unsigned gemms[] = {64, 128, 256, 512};
  systole_sim_config_t cfg;
  const char *csv = NULL;
  int quick = 0, attn_only = 0, i;
  unsigned g;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc) csv = argv[++i];
    else if (!strcmp(argv[i], "-c") && i + 1 < argc) g_config = argv[++i];
    else if (!strcmp(argv[i], "-q")) quick = 1;
    else if (!strcmp(argv[i], "-a")) attn_only = 1;
    else {
      fprintf(stderr, "usage: bench_jobs [-o csv] [-c config] [-q] [-a]\n");
      return 2;
    }
  }
  if (csv && !(g_csv = fopen(csv, "a"))) {
    perror(csv);
    return 1;
  }
  systole_sim_config_default(&cfg);
  cfg.mem_bytes = 256ull << 20;
  DRV(systole_hal_sim_open(&g_hs, &cfg));
  DRV(systole_dev_open(&g_dev, &g_hs.hal, NULL));
  printf("%-7s %-9s %-28s %11s %13s %7s %11s %10s %6s\n", "config", "workload", "name",
         "cycles", "MACs", "util", "DRAM rd B", "DRAM wr B", "sim/s");
  for (g = 0; g < sizeof(gemms) / sizeof(gemms[0]); g++)
    if (!attn_only && (!quick || gemms[g] <= 128)) bench_gemm(gemms[g]);
  if (!quick && !attn_only)
    for (g = 0; g < sizeof(layers) / sizeof(layers[0]); g++) bench_conv(&layers[g]);
  if (!quick && g_dev.caps.rows == g_dev.caps.cols) {
    static const unsigned seqs[] = {128, 256, 512};
    for (g = 0; g < 3; g++) {
      int causal;
      for (causal = 0; causal <= 1; causal++)
        bench_attention(seqs[g], 64, 8, causal,
                        seqs[g] == 128 && !strcmp(g_config, "8x8") ? 0.60 : 0.0);
    }
  }
  DRV(systole_dev_close(&g_dev));
  DRV(systole_hal_sim_close(&g_hs));
  if (g_csv) fclose(g_csv);
  if (g_failures) fprintf(stderr, "bench_jobs: %d job(s) differ from the golden kernels\n", g_failures);
  return g_failures ? 1 : 0;
}
