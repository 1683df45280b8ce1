/* sc_jobs.c — conv2d and attention jobs through the driver on any HAL, checked bit for bit
 * against the golden kernels (see sc_jobs.h). */
#define _POSIX_C_SOURCE 199309L
#include "sc_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systole_cmd.h"
#include "systole_ref.h"

/* Jobs. The conv2d has more commands than the 256-slot ring, so the driver refills the
 * ring while the chip runs (host timing matters for the counters). */
#define CONV_H 24
#define CONV_W 24
#define CONV_CIN 16
#define CONV_COUT 32
#define CONV_K 3
#define ATT_HEADS 2
#define ATT_SEQ 96
#define ATT_D 40
#define MAX_REPS 64

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static uint64_t rnd(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static void fill(int8_t *p, size_t n, uint64_t *s) {
  size_t i;
  for (i = 0; i < n; i++) p[i] = (int8_t)(rnd(s) >> 56);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *t, unsigned n) {
  qsort(t, n, sizeof(*t), cmp_double);
  return t[n / 2];
}

static void fail(sc_job_result_t *r, systole_dev_t *dev, const char *what, systole_status_t st) {
  systole_error_info_t e;
  r->pass = 0;
  r->status = st;
  if (r->msg[0]) return;
  if (dev && systole_dev_last_error(dev, &e) == SYSTOLE_OK && e.msg[0])
    snprintf(r->msg, sizeof(r->msg), "%s: %s (%s)", what, systole_status_str(st), e.msg);
  else
    snprintf(r->msg, sizeof(r->msg), "%s: %s", what, systole_status_str(st));
}

#define TRY(r, dev, expr)                      \
  do {                                         \
    systole_status_t st_ = (expr);             \
    if (st_ != SYSTOLE_OK) {                   \
      fail((r), (dev), #expr, st_);            \
      goto out;                                \
    }                                          \
  } while (0)

static void run_conv2d(systole_dev_t *dev, const systole_hal_t *hal, unsigned reps,
                       sc_job_result_t *r) {
  systole_conv2d_params_t p;
  systole_ref_conv2d_params_t rp;
  static int8_t in[CONV_H * CONV_W * CONV_CIN], w[CONV_COUT * CONV_K * CONV_K * CONV_CIN];
  static int8_t out[CONV_H * CONV_W * CONV_COUT], ref[CONV_H * CONV_W * CONV_COUT];
  int32_t bias[CONV_COUT], mult[CONV_COUT], shift[CONV_COUT];
  double times[MAX_REPS], cpu[MAX_REPS];
  systole_packed_t packed;
  systole_buf_t ib, ob;
  int have_packed = 0, have_ib = 0, have_ob = 0, oh = 0, ow = 0;
  uint64_t seed = 0x5eed5eed12345ull;
  unsigned i;
  r->name = "conv2d_24x24x16_3x3_32";
  memset(&p, 0, sizeof(p));
  p.batch = 1; p.in_h = CONV_H; p.in_w = CONV_W; p.in_c = CONV_CIN; p.out_c = CONV_COUT;
  p.k_h = CONV_K; p.k_w = CONV_K; p.stride_h = 1; p.stride_w = 1; p.dil_h = 1; p.dil_w = 1;
  p.groups = 1; p.in_zp = -3; p.out_zp = 5; p.act_min = -128; p.act_max = 127;
  fill(in, sizeof(in), &seed);
  fill(w, sizeof(w), &seed);
  for (i = 0; i < CONV_COUT; i++) {
    int s = 0;
    bias[i] = (int32_t)(rnd(&seed) % 4001u) - 2000;
    if (systole_ref_quantize_multiplier(1.0 / (64.0 * 144.0) * (1.0 + 0.02 * i), &mult[i], &s)) {
      snprintf(r->msg, sizeof(r->msg), "quantize_multiplier failed");
      r->pass = 0;
      return;
    }
    shift[i] = s;
  }
  TRY(r, dev, systole_conv2d_set_padding(&p, SYSTOLE_PADDING_SAME));
  TRY(r, dev, systole_conv2d_out_size(&p, &oh, &ow));
  r->macs = (uint64_t)oh * ow * CONV_COUT * CONV_K * CONV_K * CONV_CIN;
  TRY(r, dev, systole_conv2d_weights_pack(dev, &p, w, bias, mult, shift, &packed));
  have_packed = 1;
  TRY(r, dev, systole_buf_alloc(dev, sizeof(in), &ib));
  have_ib = 1;
  TRY(r, dev, systole_buf_alloc(dev, sizeof(out), &ob));
  have_ob = 1;
  TRY(r, dev, systole_buf_write(dev, &ib, 0, in, sizeof(in)));
  memset(&rp, 0, sizeof(rp));
  rp.batch = p.batch; rp.in_h = p.in_h; rp.in_w = p.in_w; rp.in_c = p.in_c; rp.out_c = p.out_c;
  rp.k_h = p.k_h; rp.k_w = p.k_w; rp.stride_h = p.stride_h; rp.stride_w = p.stride_w;
  rp.dil_h = p.dil_h; rp.dil_w = p.dil_w; rp.pad_top = p.pad_top; rp.pad_bottom = p.pad_bottom;
  rp.pad_left = p.pad_left; rp.pad_right = p.pad_right; rp.groups = p.groups;
  rp.in_zp = p.in_zp; rp.out_zp = p.out_zp; rp.act_min = p.act_min; rp.act_max = p.act_max;
  if (systole_ref_conv2d_i8(&rp, in, w, bias, mult, shift, ref) != SYSTOLE_REF_OK) {
    snprintf(r->msg, sizeof(r->msg), "golden conv2d failed");
    r->pass = 0;
    goto out;
  }
  for (i = 0; i < reps; i++) {
    uint64_t c0;
    double t0, u0;
    memset(out, 0x55, sizeof(out));
    TRY(r, dev, systole_buf_write(dev, &ob, 0, out, sizeof(out)));
    c0 = hal->cycles(hal->ctx);
    t0 = now_s();
    u0 = cpu_s();
    r->status = systole_conv2d(dev, &p, &ib, &packed, &ob, 0, &r->stats);
    times[i] = now_s() - t0;
    cpu[i] = cpu_s() - u0;
    r->hal_cycles = hal->cycles(hal->ctx) - c0;
    TRY(r, dev, r->status);
    TRY(r, dev, systole_buf_read(dev, &ob, 0, out, sizeof(out)));
    if (memcmp(out, ref, sizeof(out)) != 0) {
      size_t k = 0;
      while (out[k] == ref[k]) k++;
      snprintf(r->msg, sizeof(r->msg), "run %u: output differs from the golden conv2d at %zu: %d != %d",
               i, k, out[k], ref[k]);
      r->pass = 0;
      goto out;
    }
  }
  r->host_seconds = median(times, reps);
  r->cpu_seconds = median(cpu, reps);
out:
  if (have_ob && systole_buf_free(dev, &ob) != SYSTOLE_OK) r->pass = 0;
  if (have_ib && systole_buf_free(dev, &ib) != SYSTOLE_OK) r->pass = 0;
  if (have_packed && systole_packed_free(dev, &packed) != SYSTOLE_OK) r->pass = 0;
}

static void run_attention(systole_dev_t *dev, const systole_hal_t *hal, unsigned reps,
                          sc_job_result_t *r) {
  enum { N = ATT_SEQ * ATT_HEADS * ATT_D };
  static int8_t Q[N], K[N], V[N], got[N], want[N];
  double times[MAX_REPS], cpu[MAX_REPS];
  systole_ref_attention_params_t rp;
  systole_attention_job_t job;
  systole_buf_t qb, kb, vb, ob;
  int have_q = 0, have_k = 0, have_v = 0, have_o = 0;
  uint64_t seed = 0xa77e5710ull;
  unsigned i;
  r->name = "attention_h2_seq96_d40_causal";
  r->macs = 2ull * ATT_SEQ * ATT_SEQ * ATT_HEADS * ATT_D;
  fill(Q, N, &seed);
  fill(K, N, &seed);
  fill(V, N, &seed);
  memset(&rp, 0, sizeof(rp));
  rp.seq_q = ATT_SEQ; rp.seq_k = ATT_SEQ; rp.d = ATT_D; rp.heads = ATT_HEADS; rp.causal = 1;
  rp.q_zp = 3; rp.k_zp = -5; rp.v_zp = 7; rp.out_zp = -2; rp.act_min = -128; rp.act_max = 127;
  if (systole_ref_attention_params_from_scales(0.05, 0.04, 0.03, 0.02, 0.0, &rp) != 0 ||
      systole_ref_attention_i8(&rp, Q, K, V, want) != 0) {
    snprintf(r->msg, sizeof(r->msg), "golden attention failed");
    r->pass = 0;
    return;
  }
  TRY(r, dev, systole_buf_alloc(dev, N, &qb));
  have_q = 1;
  TRY(r, dev, systole_buf_alloc(dev, N, &kb));
  have_k = 1;
  TRY(r, dev, systole_buf_alloc(dev, N, &vb));
  have_v = 1;
  TRY(r, dev, systole_buf_alloc(dev, N, &ob));
  have_o = 1;
  TRY(r, dev, systole_buf_write(dev, &qb, 0, Q, N));
  TRY(r, dev, systole_buf_write(dev, &kb, 0, K, N));
  TRY(r, dev, systole_buf_write(dev, &vb, 0, V, N));
  memset(&job, 0, sizeof(job));
  job.heads = ATT_HEADS; job.seq_q = ATT_SEQ; job.seq_k = ATT_SEQ; job.d = ATT_D; job.causal = 1;
  job.q = &qb; job.k = &kb; job.v = &vb; job.out = &ob;
  job.q_zp = rp.q_zp; job.k_zp = rp.k_zp; job.v_zp = rp.v_zp;
  job.sm_mult = rp.sm_mult; job.sm_shift = rp.sm_shift;
  job.out_mult = rp.out_mult; job.out_shift = rp.out_shift;
  job.out_zp = rp.out_zp; job.act_min = rp.act_min; job.act_max = rp.act_max;
  for (i = 0; i < reps; i++) {
    uint64_t c0;
    double t0, u0;
    memset(got, 0x5a, sizeof(got));
    TRY(r, dev, systole_buf_write(dev, &ob, 0, got, N));
    c0 = hal->cycles(hal->ctx);
    t0 = now_s();
    u0 = cpu_s();
    r->status = systole_attention(dev, &job, &r->stats);
    times[i] = now_s() - t0;
    cpu[i] = cpu_s() - u0;
    r->hal_cycles = hal->cycles(hal->ctx) - c0;
    TRY(r, dev, r->status);
    TRY(r, dev, systole_buf_read(dev, &ob, 0, got, N));
    if (memcmp(got, want, N) != 0) {
      size_t k = 0;
      while (got[k] == want[k]) k++;
      snprintf(r->msg, sizeof(r->msg), "run %u: output differs from the golden attention at %zu: %d != %d",
               i, k, got[k], want[k]);
      r->pass = 0;
      goto out;
    }
  }
  r->host_seconds = median(times, reps);
  r->cpu_seconds = median(cpu, reps);
out:
  if (have_o && systole_buf_free(dev, &ob) != SYSTOLE_OK) r->pass = 0;
  if (have_v && systole_buf_free(dev, &vb) != SYSTOLE_OK) r->pass = 0;
  if (have_k && systole_buf_free(dev, &kb) != SYSTOLE_OK) r->pass = 0;
  if (have_q && systole_buf_free(dev, &qb) != SYSTOLE_OK) r->pass = 0;
}

int sc_jobs_run(const systole_hal_t *hal, unsigned mask, unsigned reps,
                sc_job_result_t res[SC_JOB_COUNT]) {
  systole_dev_t dev;
  systole_status_t st;
  int i, ok = 1;
  if (reps < 1) reps = 1;
  if (reps > MAX_REPS) reps = MAX_REPS;
  for (i = 0; i < SC_JOB_COUNT; i++) {
    memset(&res[i], 0, sizeof(res[i]));
    res[i].name = i == SC_JOB_CONV2D ? "conv2d" : "attention";
  }
  st = systole_dev_open(&dev, hal, NULL);
  if (st != SYSTOLE_OK) {
    for (i = 0; i < SC_JOB_COUNT; i++)
      if (mask & (1u << i)) {
        res[i].ran = 1;
        fail(&res[i], NULL, "systole_dev_open", st);
      }
    return 1;
  }
  for (i = 0; i < SC_JOB_COUNT; i++) {
    if (!(mask & (1u << i))) continue;
    res[i].ran = 1;
    res[i].pass = 1;
    if (i == SC_JOB_CONV2D)
      run_conv2d(&dev, hal, reps, &res[i]);
    else
      run_attention(&dev, hal, reps, &res[i]);
    if (!res[i].pass) ok = 0;
  }
  if (systole_dev_close(&dev) != SYSTOLE_OK) ok = 0;
  return ok ? 0 : 1;
}

int sc_jobs_dma_error(const systole_hal_t *hal, uint32_t bad_addr, char *msg, size_t n) {
  enum { D = 16 };
  int8_t a[D * D], b[D * D], c[D * D], ref[D * D];
  int32_t bias[D], mult[D], shift[D];
  systole_dev_config_t cfg;
  systole_dev_t dev;
  systole_packed_t pk;
  systole_buf_t ab, cb, bad;
  systole_matmul_job_t job;
  systole_error_info_t e;
  systole_status_t st;
  uint64_t seed = 77;
  int i, rc = 1;
  fill(a, sizeof(a), &seed);
  fill(b, sizeof(b), &seed);
  for (i = 0; i < D; i++) {
    int s = 0;
    bias[i] = 10 * i - 80;
    if (systole_ref_quantize_multiplier(0.003, &mult[i], &s)) return 1;
    shift[i] = s;
  }
  if (systole_ref_matmul_i8(D, D, D, a, D, 0, b, D, 0, 1, bias, mult, shift, -4, -128, 127, ref, D) != 0) {
    snprintf(msg, n, "golden matmul failed");
    return 1;
  }
  memset(&cfg, 0, sizeof(cfg));
  cfg.win_base = 0;
  cfg.win_size = 0x80000000u;
  st = systole_dev_open(&dev, hal, &cfg);
  if (st != SYSTOLE_OK) {
    snprintf(msg, n, "systole_dev_open: %s", systole_status_str(st));
    return 1;
  }
  if (systole_matmul_weights_pack(&dev, D, D, b, 0, bias, mult, shift, 1, &pk) != SYSTOLE_OK ||
      systole_buf_alloc(&dev, sizeof(a), &ab) != SYSTOLE_OK ||
      systole_buf_alloc(&dev, sizeof(c), &cb) != SYSTOLE_OK ||
      systole_buf_write(&dev, &ab, 0, a, sizeof(a)) != SYSTOLE_OK) {
    snprintf(msg, n, "setup failed");
    goto close;
  }
  bad.addr = bad_addr;
  bad.bytes = sizeof(a);
  bad.owned = 0;
  memset(&job, 0, sizeof(job));
  job.M = D; job.a = &bad; job.lda = D; job.a_zp = 1; job.b = &pk; job.c = &cb; job.ldc = D;
  job.out_zp = -4; job.act_min = -128; job.act_max = 127;
  st = systole_matmul(&dev, &job, NULL);
  if (st != SYSTOLE_HW_ERROR || systole_dev_last_error(&dev, &e) != SYSTOLE_OK ||
      e.hw_code != SYSTOLE_HWERR_AXI_RD) {
    snprintf(msg, n, "matmul from 0x%08x: %s, chip code %u (want HW_ERROR, AXI_RD)",
             (unsigned)bad_addr, systole_status_str(st),
             systole_dev_last_error(&dev, &e) == SYSTOLE_OK ? (unsigned)e.hw_code : 0u);
    goto close;
  }
  job.a = &ab;
  st = systole_matmul(&dev, &job, NULL);
  if (st != SYSTOLE_OK || systole_buf_read(&dev, &cb, 0, c, sizeof(c)) != SYSTOLE_OK ||
      memcmp(c, ref, sizeof(c)) != 0) {
    snprintf(msg, n, "matmul after the error: %s, %s", systole_status_str(st),
             st == SYSTOLE_OK ? "output differs from the golden matmul" : "failed");
    goto close;
  }
  rc = 0;
close:
  if (systole_dev_close(&dev) != SYSTOLE_OK) rc = 1;
  return rc;
}
