/* fw_jobs.c — job definitions shared by the firmware programs and the host benchmark
 * (fw_jobs.h). Plain C99 on the driver's public API and the golden kernels. */
#include "fw_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- data ---------------------------------------------------------------------------------- */

static uint32_t g_rng = 0x5eed1234u;

void fwj_seed(uint32_t seed) { g_rng = seed ? seed : 0x5eed1234u; }

int8_t fwj_rnd_i8(void) {
  uint32_t x = g_rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  g_rng = x;
  return (int8_t)(uint8_t)(x >> 24);
}

void fwj_fill_i8(int8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) p[i] = fwj_rnd_i8();
}

/* ---- reporting ------------------------------------------------------------------------------ */

void fwj_result_add(fwj_result_t *r, const systole_stats_t *st, uint64_t cycles) {
  if (!r) return;
  r->cycles += cycles;
  r->calls++;
  if (!st) return;
  r->chip_cycles += st->cycles;
  r->wall_cycles += st->wall_cycles;
  r->macs += st->workload_macs;
  r->rd_bytes += st->dma_rd_bytes;
  r->wr_bytes += st->dma_wr_bytes;
  r->commands += st->commands;
}

void fwj_print_error(const systole_dev_t *dev, const char *what, systole_status_t st) {
  systole_error_info_t e;
  memset(&e, 0, sizeof(e));
  if (!dev || systole_dev_last_error(dev, &e) != SYSTOLE_OK) e.msg[0] = 0;
  printf("ERROR %s: %s%s%s\n", what, systole_status_str(st), e.msg[0] ? ": " : "", e.msg);
}

void fwj_report_header(void) {
  printf("%-10s %-30s %11s %11s %10s %7s  %s\n", "step", "shape", "cycles", "chip busy",
         "MACs", "util", "check");
}

/* One row; pm: utilisation in permille; busy NULL: a host-side step (no chip figures). */
static void report_line(const char *name, const char *shape, uint64_t cycles,
                        const uint64_t *busy, uint64_t macs, uint32_t pm, int pass) {
  char c[FWJ_U64_CHARS], b[FWJ_U64_CHARS], m[FWJ_U64_CHARS];
  if (busy)
    printf("%-10s %-30s %11s %11s %10s %3lu.%lu%%  %s\n", name, shape, fwj_u64(c, cycles),
           fwj_u64(b, *busy), fwj_u64(m, macs), (unsigned long)(pm / 10u),
           (unsigned long)(pm % 10u), pass ? "PASS" : "FAIL");
  else
    printf("%-10s %-30s %11s %11s %10s %7s  %s\n", name, shape, fwj_u64(c, cycles), "host", "-",
           "-", pass ? "PASS" : "FAIL");
}

void fwj_report_row(const char *name, const char *shape, const systole_stats_t *st,
                    uint64_t cycles, int pass) {
  /* the driver's utilisation (workload MACs / (rows * cols * busy cycles)), in tenths of
   * a percent: integer formatting only */
  if (st)
    report_line(name, shape, cycles, &st->cycles, st->workload_macs,
                fwj_permille(st->utilisation), pass);
  else
    report_line(name, shape, cycles, NULL, 0, 0, pass);
}

void fwj_report_total(const systole_dev_t *dev, const char *name, const char *shape,
                      const fwj_result_t *r) {
  uint64_t pe_cycles = (uint64_t)dev->caps.rows * dev->caps.cols * r->chip_cycles;
  uint64_t pm = pe_cycles ? (r->macs * 1000u + pe_cycles / 2u) / pe_cycles : 0;
  report_line(name, shape, r->cycles, &r->chip_cycles, r->macs,
              pm > 9999u ? 9999u : (uint32_t)pm, r->pass);
}

void fwj_report_cpu_cycles(const char *name, uint64_t pack, uint64_t golden) {
  char p[FWJ_U64_CHARS], g[FWJ_U64_CHARS];
  /* the host's clock is the chip model's, which stands still while the CPU works */
  if (pack || golden)
    printf("%-10s   (CPU: weight packing %s cycles, golden kernel %s cycles)\n", name,
           fwj_u64(p, pack), fwj_u64(g, golden));
}

void fwj_print_bench(const systole_dev_t *dev, const char *name, const fwj_result_t *r) {
  char c[FWJ_U64_CHARS], cc[FWJ_U64_CHARS], wc[FWJ_U64_CHARS], m[FWJ_U64_CHARS];
  char rd[FWJ_U64_CHARS], wr[FWJ_U64_CHARS], cm[FWJ_U64_CHARS];
  printf("BENCH name=%s pes=%lu cycles=%s chip_cycles=%s wall_cycles=%s macs=%s "
         "rd=%s wr=%s commands=%s calls=%u pass=%d\n",
         name, (unsigned long)(dev->caps.rows * dev->caps.cols), fwj_u64(c, r->cycles),
         fwj_u64(cc, r->chip_cycles), fwj_u64(wc, r->wall_cycles), fwj_u64(m, r->macs),
         fwj_u64(rd, r->rd_bytes), fwj_u64(wr, r->wr_bytes), fwj_u64(cm, r->commands),
         (unsigned)r->calls, r->pass);
}

/* ---- integer-only helpers -------------------------------------------------------------------- */

const char *fwj_u64(char *buf, uint64_t v) {
  char *p = buf + FWJ_U64_CHARS - 1;
  uint32_t lo;
  *p = 0;
  while (v > 0xffffffffu) { /* 64-bit division only while it does not fit 32 bits */
    *--p = (char)('0' + (int)(v % 10u));
    v /= 10u;
  }
  lo = (uint32_t)v;
  do {
    *--p = (char)('0' + (int)(lo % 10u));
    lo /= 10u;
  } while (lo);
  return p;
}

/* IEEE-754 binary64 (every target this runs on) */
typedef char fwj_double_is_64_bits[sizeof(double) == sizeof(uint64_t) ? 1 : -1];

uint32_t fwj_permille(double u) {
  const uint64_t frac_mask = ((uint64_t)1 << 52) - 1u;
  uint64_t b, x;
  int e, sh;
  memcpy(&b, &u, sizeof(b));
  e = (int)((b >> 52) & 0x7ffu);
  if (e == 0x7ff) return ((b & frac_mask) || (b >> 63)) ? 0 : UINT32_MAX; /* NaN, -inf; inf */
  if ((b >> 63) || e == 0) return 0; /* negative; zero or below 2^-1022 */
  /* u = m * 2^(e - 1075), m = 1.frac in 53 bits; x = 1000 * m < 2^63 */
  x = ((b & frac_mask) | ((uint64_t)1 << 52)) * 1000u;
  sh = 1075 - e;
  if (sh <= 0) return UINT32_MAX; /* u >= 2^52 */
  if (sh > 63) return 0;          /* 1000 * u < 1/2 */
  x = (x + ((uint64_t)1 << (sh - 1))) >> sh; /* round half up; no overflow below 2^64 */
  return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

int fwj_quant_mult(uint64_t num, uint64_t den, int32_t *mult, int *shift) {
  const uint64_t lim = (uint64_t)1 << 62;
  uint64_t q = 0, r;
  int e = 0, i;
  if (!mult || !shift) return -1;
  *mult = 0;
  *shift = 0;
  if (den == 0 || den >= lim || num >= lim) return -1;
  if (num == 0) return 0;
  /* num / den = (num' / den') * 2^e with 1 <= num' / den' < 2 (all below 2^63) */
  while (num >= 2u * den) {
    den <<= 1;
    e++;
  }
  while (num < den) {
    num <<= 1;
    e--;
  }
  /* frexp: num / den = frac * 2^(e + 1), frac = num' / (2 den') in [0.5, 1); the
   * multiplier is round(frac * 2^31) = round(num' * 2^30 / den'), half away from zero:
   * 31 quotient bits by long division, then the remainder decides */
  r = num;
  for (i = 0; i < 31; i++) {
    q <<= 1;
    if (r >= den) {
      r -= den;
      q |= 1u;
    }
    r <<= 1;
  }
  if (r >= den) q++;
  e++;
  if (q == ((uint64_t)1 << 31)) {
    q >>= 1;
    e++;
  }
  if (e < -31) return 0; /* flushed to zero, as the double version */
  if (e > 31) return -1;
  *mult = (int32_t)q;
  *shift = e;
  return 0;
}

/* floor(sqrt(x)) */
static uint64_t isqrt_u64(uint64_t x) {
  uint64_t r = 0, bit = (uint64_t)1 << 62;
  while (bit > x) bit >>= 2;
  while (bit) {
    if (x >= r + bit) {
      x -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return r;
}

int fwj_attention_qparams(systole_ref_attention_params_t *p, uint32_t q, uint32_t k, uint32_t v,
                          uint32_t out) {
  /* round(log2(e) * 2^30) */
  const uint64_t log2e_q30 = 1549082005u;
  uint64_t d48, sqrt_d_q24;
  int32_t sm_mult, out_mult;
  int sm_shift, out_shift;
  if (!p || p->d <= 0 || p->d > 65535 || q == 0 || k == 0 || v == 0 || out == 0 ||
      q > 10000u || k > 10000u || v > 10000u || out > 10000u)
    return -1;
  /* sqrt(d) * 2^24, rounded */
  d48 = (uint64_t)p->d << 48;
  sqrt_d_q24 = isqrt_u64(d48);
  if (d48 - sqrt_d_q24 * sqrt_d_q24 > sqrt_d_q24) sqrt_d_q24++;
  /* q k / 10^8 * log2(e) * 2^16 / sqrt(d) = q k log2e_q30 / (10^8 sqrt_d_q24) * 2^10:
   * the power of two goes into the shift (both below 2^62: q, k <= 10^4, d < 2^16) */
  if (fwj_quant_mult((uint64_t)q * k * log2e_q30, (uint64_t)100000000u * sqrt_d_q24, &sm_mult,
                     &sm_shift) != 0 ||
      fwj_quant_mult(v, (uint64_t)255u * out, &out_mult, &out_shift) != 0 || sm_mult == 0 ||
      out_mult == 0 || sm_shift + 10 > 31)
    return -1;
  p->sm_mult = sm_mult;
  p->sm_shift = sm_shift + 10;
  p->out_mult = out_mult;
  p->out_shift = out_shift;
  return 0;
}

int8_t *fwj_read_back(systole_dev_t *dev, const systole_buf_t *b, size_t n) {
  int8_t *h = malloc(n ? n : 1);
  systole_status_t s;
  if (!h) return NULL;
  s = systole_buf_read(dev, b, 0, h, n);
  if (s != SYSTOLE_OK) {
    fwj_print_error(dev, "buf_read", s);
    free(h);
    return NULL;
  }
  return h;
}

/* ---- conv layers ------------------------------------------------------------------------------ */

systole_conv2d_params_t fwj_conv_params(int h, int w, int cin, int cout, int k, int stride,
                                        int groups, int32_t in_zp) {
  systole_conv2d_params_t p;
  memset(&p, 0, sizeof(p));
  p.batch = 1;
  p.in_h = h;
  p.in_w = w;
  p.in_c = cin;
  p.out_c = cout;
  p.k_h = p.k_w = k;
  p.stride_h = p.stride_w = stride;
  p.dil_h = p.dil_w = 1;
  p.groups = groups;
  p.in_zp = in_zp;
  p.out_zp = -128; /* ReLU: act_min = out_zp */
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

static systole_ref_conv2d_params_t to_ref(const systole_conv2d_params_t *p) {
  systole_ref_conv2d_params_t r;
  memset(&r, 0, sizeof(r));
  r.batch = p->batch;
  r.in_h = p->in_h;
  r.in_w = p->in_w;
  r.in_c = p->in_c;
  r.out_c = p->out_c;
  r.k_h = p->k_h;
  r.k_w = p->k_w;
  r.stride_h = p->stride_h;
  r.stride_w = p->stride_w;
  r.dil_h = p->dil_h;
  r.dil_w = p->dil_w;
  r.pad_top = p->pad_top;
  r.pad_bottom = p->pad_bottom;
  r.pad_left = p->pad_left;
  r.pad_right = p->pad_right;
  r.groups = p->groups;
  r.in_zp = p->in_zp;
  r.out_zp = p->out_zp;
  r.act_min = p->act_min;
  r.act_max = p->act_max;
  return r;
}

#define TRY(what, expr)                       \
  do {                                        \
    st = (expr);                              \
    if (st != SYSTOLE_OK) {                   \
      fwj_print_error(dev, what, st);         \
      goto done;                              \
    }                                         \
  } while (0)

systole_status_t fwj_conv_layer(systole_dev_t *dev, const char *name,
                                systole_conv2d_params_t *p, const systole_buf_t *in,
                                const int8_t *in_host, systole_buf_t *out, int8_t **out_host,
                                fwj_result_t *r) {
  systole_status_t st = SYSTOLE_NO_MEM;
  systole_ref_conv2d_params_t rp;
  systole_packed_t pk;
  systole_stats_t cs;
  int oh = 0, ow = 0, packed = 0, allocated = 0, pass, sh;
  size_t wn, on, i;
  int8_t *w = NULL, *got = NULL, *want = NULL;
  int32_t *bias = NULL, *mult = NULL, *shift = NULL;
  uint64_t t0, t1, t2, t3, tp0, tp1;
  char shape[48];
  uint32_t taps;
  *out_host = NULL;
  TRY("conv2d_set_padding", systole_conv2d_set_padding(p, SYSTOLE_PADDING_SAME));
  TRY("conv2d_out_size", systole_conv2d_out_size(p, &oh, &ow));
  wn = (size_t)p->out_c * (size_t)(p->k_h * p->k_w) * (size_t)(p->in_c / p->groups);
  on = (size_t)p->batch * (size_t)oh * (size_t)ow * (size_t)p->out_c;
  w = malloc(wn);
  want = malloc(on);
  bias = malloc((size_t)p->out_c * sizeof(int32_t));
  mult = malloc((size_t)p->out_c * sizeof(int32_t));
  shift = malloc((size_t)p->out_c * sizeof(int32_t));
  st = SYSTOLE_NO_MEM;
  if (!w || !want || !bias || !mult || !shift) {
    printf("ERROR %s: out of host memory\n", name);
    goto done;
  }
  fwj_fill_i8(w, wn);
  /* requantisation 1 / (8 * taps) * (1 + i / 64) for output channel i */
  taps = (uint32_t)(p->k_h * p->k_w * (p->in_c / p->groups));
  for (i = 0; i < (size_t)p->out_c; i++) {
    bias[i] = (int32_t)(i * 37u) - 500;
    if (fwj_quant_mult(64u + i, (uint64_t)512u * taps, &mult[i], &sh) != 0) {
      printf("ERROR %s: quantize_multiplier\n", name);
      goto done;
    }
    shift[i] = sh;
  }
  tp0 = dev->hal->cycles(dev->hal->ctx);
  TRY("conv2d_weights_pack", systole_conv2d_weights_pack(dev, p, w, bias, mult, shift, &pk));
  tp1 = dev->hal->cycles(dev->hal->ctx);
  packed = 1;
  TRY("buf_alloc", systole_buf_alloc(dev, on, out));
  allocated = 1;
  t0 = dev->hal->cycles(dev->hal->ctx);
  TRY("conv2d", systole_conv2d(dev, p, in, &pk, out, 0, &cs));
  t1 = dev->hal->cycles(dev->hal->ctx);
  got = fwj_read_back(dev, out, on);
  st = SYSTOLE_HAL_ERROR;
  if (!got) goto done;
  rp = to_ref(p);
  t2 = dev->hal->cycles(dev->hal->ctx);
  if (systole_ref_conv2d_i8(&rp, in_host, w, bias, mult, shift, want) != SYSTOLE_REF_OK) {
    printf("ERROR %s: golden conv2d rejected the shape\n", name);
    goto done;
  }
  t3 = dev->hal->cycles(dev->hal->ctx);
  pass = memcmp(got, want, on) == 0;
  snprintf(shape, sizeof(shape), "%dx%dx%d->%dx%dx%d k%d s%d%s", p->in_h, p->in_w, p->in_c, oh,
           ow, p->out_c, p->k_h, p->stride_h, p->groups > 1 ? " dw" : "");
  fwj_report_row(name, shape, &cs, t1 - t0, pass);
  fwj_report_cpu_cycles(name, tp1 - tp0, t3 - t2);
  if (r) {
    fwj_result_add(r, &cs, t1 - t0);
    if (!pass) r->pass = 0;
  }
  *out_host = got;
  got = NULL;
  allocated = 0; /* the caller owns out now */
  st = SYSTOLE_OK;
done:
  if (allocated && systole_buf_free(dev, out) != SYSTOLE_OK && st == SYSTOLE_OK)
    st = SYSTOLE_HAL_ERROR;
  if (packed && systole_packed_free(dev, &pk) != SYSTOLE_OK && st == SYSTOLE_OK)
    st = SYSTOLE_HAL_ERROR;
  free(w);
  free(want);
  free(got);
  free(bias);
  free(mult);
  free(shift);
  return st;
}

/* ---- projections ------------------------------------------------------------------------------- */

systole_status_t fwj_proj_make(systole_dev_t *dev, fwj_proj_t *pj, uint32_t K, uint32_t N,
                               int32_t in_zp, int32_t out_zp) {
  systole_status_t st;
  uint32_t i;
  int32_t mult;
  int sh;
  memset(pj, 0, sizeof(*pj));
  pj->K = K;
  pj->N = N;
  pj->in_zp = in_zp;
  pj->out_zp = out_zp;
  pj->w = malloc((size_t)K * N);
  pj->bias = malloc(N * sizeof(int32_t));
  pj->mult = malloc(N * sizeof(int32_t));
  pj->shift = malloc(N * sizeof(int32_t));
  if (!pj->w || !pj->bias || !pj->mult || !pj->shift) {
    printf("ERROR projection: out of host memory\n");
    fwj_proj_release(NULL, pj);
    return SYSTOLE_NO_MEM;
  }
  fwj_fill_i8(pj->w, (size_t)K * N);
  /* the same requantisation 1 / (16 K) for every column */
  if (fwj_quant_mult(1u, (uint64_t)16u * K, &mult, &sh) != 0) {
    fwj_proj_release(NULL, pj);
    return SYSTOLE_BAD_ARG;
  }
  for (i = 0; i < N; i++) {
    pj->bias[i] = (int32_t)(i * 11u) - 100;
    pj->mult[i] = mult;
    pj->shift[i] = sh;
  }
  st = systole_matmul_weights_pack(dev, K, N, pj->w, 0, pj->bias, pj->mult, pj->shift, in_zp,
                                   &pj->packed);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, "matmul_weights_pack", st);
    fwj_proj_release(NULL, pj);
    return st;
  }
  return SYSTOLE_OK;
}

void fwj_proj_release(systole_dev_t *dev, fwj_proj_t *pj) {
  if (dev && pj->packed.w.bytes) {
    systole_status_t st = systole_packed_free(dev, &pj->packed);
    if (st != SYSTOLE_OK) fwj_print_error(dev, "packed_free", st);
  }
  free(pj->w);
  free(pj->bias);
  free(pj->mult);
  free(pj->shift);
  memset(pj, 0, sizeof(*pj));
}

systole_status_t fwj_proj_run(systole_dev_t *dev, const fwj_proj_t *pj, uint32_t M,
                              const systole_buf_t *in, systole_buf_t *out, fwj_result_t *r,
                              systole_stats_t *st_out) {
  systole_matmul_job_t job;
  systole_stats_t cs;
  systole_status_t st;
  uint64_t t0, t1;
  st = systole_buf_alloc(dev, (size_t)M * pj->N, out);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, "buf_alloc", st);
    return st;
  }
  memset(&job, 0, sizeof(job));
  job.M = M;
  job.a = in;
  job.lda = pj->K;
  job.a_zp = pj->in_zp;
  job.b = &pj->packed;
  job.c = out;
  job.ldc = pj->N;
  job.out_zp = pj->out_zp;
  job.act_min = -128;
  job.act_max = 127;
  t0 = dev->hal->cycles(dev->hal->ctx);
  st = systole_matmul(dev, &job, &cs);
  t1 = dev->hal->cycles(dev->hal->ctx);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, "matmul", st);
    if (systole_buf_free(dev, out) != SYSTOLE_OK) printf("ERROR buf_free after a failed job\n");
    return st;
  }
  fwj_result_add(r, &cs, t1 - t0);
  if (st_out) {
    *st_out = cs;
    st_out->wall_cycles = t1 - t0; /* callers print it as the end-to-end figure */
  }
  return SYSTOLE_OK;
}

int8_t *fwj_proj_golden(const fwj_proj_t *pj, uint32_t M, const int8_t *in_host) {
  int8_t *want = malloc((size_t)M * pj->N);
  if (!want) return NULL;
  if (systole_ref_matmul_i8(M, pj->N, pj->K, in_host, pj->K, 0, pj->w, pj->N, 0, pj->in_zp,
                            pj->bias, pj->mult, pj->shift, pj->out_zp, -128, 127, want,
                            pj->N) != SYSTOLE_REF_OK) {
    free(want);
    return NULL;
  }
  return want;
}

/* ---- the benchmarked jobs ------------------------------------------------------------------------ */

systole_status_t fwj_conv2d(systole_dev_t *dev, fwj_result_t *r) {
  return fwj_conv2d_shape(dev, FWJ_CONV_HW, FWJ_CONV_CIN, FWJ_CONV_COUT, r);
}

systole_status_t fwj_conv2d_shape(systole_dev_t *dev, int hw, int cin, int cout,
                                  fwj_result_t *r) {
  systole_conv2d_params_t p = fwj_conv_params(hw, hw, cin, cout, 3, 1, 1, -5);
  size_t n = (size_t)hw * (size_t)hw * (size_t)cin;
  systole_buf_t in, out;
  systole_status_t st;
  int8_t *x = malloc(n), *y = NULL;
  memset(r, 0, sizeof(*r));
  r->pass = 1;
  if (!x) return SYSTOLE_NO_MEM;
  fwj_seed(0xc0471u);
  fwj_fill_i8(x, n);
  st = systole_buf_alloc(dev, n, &in);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, "buf_alloc", st);
    free(x);
    return st;
  }
  st = systole_buf_write(dev, &in, 0, x, n);
  if (st == SYSTOLE_OK) st = fwj_conv_layer(dev, "conv2d", &p, &in, x, &out, &y, r);
  else fwj_print_error(dev, "buf_write", st);
  if (st == SYSTOLE_OK && systole_buf_free(dev, &out) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (systole_buf_free(dev, &in) != SYSTOLE_OK && st == SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (st != SYSTOLE_OK) r->pass = 0;
  free(x);
  free(y);
  return st;
}

systole_status_t fwj_attention_block(systole_dev_t *dev, fwj_result_t *r) {
  systole_ref_attention_params_t q;
  memset(&q, 0, sizeof(q));
  q.d = FWJ_ATT_D / FWJ_ATT_HEADS;
  if (systole_ref_attention_params_from_scales(0.06, 0.06, 0.05, 0.03, 0.0, &q) !=
      SYSTOLE_REF_OK) {
    printf("ERROR attention: params_from_scales\n");
    memset(r, 0, sizeof(*r));
    return SYSTOLE_BAD_ARG;
  }
  return fwj_attention_block_shape(dev, FWJ_ATT_T, FWJ_ATT_D, FWJ_ATT_HEADS, &q, r);
}

systole_status_t fwj_attention_block_shape(systole_dev_t *dev, uint32_t t, uint32_t d,
                                           uint32_t heads,
                                           const systole_ref_attention_params_t *qp,
                                           fwj_result_t *r) {
  const uint32_t T = t, D = d, H = heads, DH = heads ? d / heads : 0;
  systole_buf_t xb, qb, kb, vb, ab, yb;
  systole_ref_attention_params_t rp;
  systole_attention_job_t job;
  systole_stats_t sq, sk, sv, sa, so;
  fwj_proj_t wq, wk, wv, wo;
  systole_status_t st = SYSTOLE_NO_MEM;
  int8_t *x = malloc((size_t)T * D), *q = NULL, *k = NULL, *v = NULL, *a = NULL, *y = NULL;
  int8_t *want = NULL;
  int have = 0; /* how many of x, q, k, v, a, y device buffers exist */
  uint64_t t0, t1;
  char shape[48];
  memset(r, 0, sizeof(*r));
  memset(&wq, 0, sizeof(wq));
  memset(&wk, 0, sizeof(wk));
  memset(&wv, 0, sizeof(wv));
  memset(&wo, 0, sizeof(wo));
  r->pass = 1;
  if (!x) goto done;
  st = SYSTOLE_BAD_ARG;
  if (DH == 0 || DH * H != D) {
    printf("ERROR attention: width %lu is not a multiple of %lu heads\n", (unsigned long)D,
           (unsigned long)H);
    goto done;
  }
  fwj_seed(0xa77e7u);
  fwj_fill_i8(x, (size_t)T * D);
  /* weights first (packing is not part of the timed block) */
  TRY("q weights", fwj_proj_make(dev, &wq, D, D, 0, 1));
  TRY("k weights", fwj_proj_make(dev, &wk, D, D, 0, -2));
  TRY("v weights", fwj_proj_make(dev, &wv, D, D, 0, 3));
  TRY("o weights", fwj_proj_make(dev, &wo, D, D, 0, 0));
  TRY("buf_alloc", systole_buf_alloc(dev, (size_t)T * D, &xb));
  have = 1;
  TRY("buf_write", systole_buf_write(dev, &xb, 0, x, (size_t)T * D));
  memset(&rp, 0, sizeof(rp));
  rp.seq_q = T;
  rp.seq_k = T;
  rp.d = DH;
  rp.heads = H;
  rp.causal = 1;
  rp.q_zp = 1;
  rp.k_zp = -2;
  rp.v_zp = 3;
  rp.out_zp = 0;
  rp.act_min = -128;
  rp.act_max = 127;
  rp.sm_mult = qp->sm_mult;
  rp.sm_shift = qp->sm_shift;
  rp.out_mult = qp->out_mult;
  rp.out_shift = qp->out_shift;
  /* the timed block: five driver calls, results checked afterwards */
  TRY("q_proj", fwj_proj_run(dev, &wq, T, &xb, &qb, r, &sq));
  have = 2;
  TRY("k_proj", fwj_proj_run(dev, &wk, T, &xb, &kb, r, &sk));
  have = 3;
  TRY("v_proj", fwj_proj_run(dev, &wv, T, &xb, &vb, r, &sv));
  have = 4;
  TRY("buf_alloc", systole_buf_alloc(dev, (size_t)T * D, &ab));
  have = 5;
  memset(&job, 0, sizeof(job));
  job.heads = H;
  job.seq_q = T;
  job.seq_k = T;
  job.d = DH;
  job.causal = 1;
  job.q = &qb;
  job.k = &kb;
  job.v = &vb;
  job.out = &ab;
  job.q_zp = rp.q_zp;
  job.k_zp = rp.k_zp;
  job.v_zp = rp.v_zp;
  job.sm_mult = rp.sm_mult;
  job.sm_shift = rp.sm_shift;
  job.out_mult = rp.out_mult;
  job.out_shift = rp.out_shift;
  job.out_zp = rp.out_zp;
  job.act_min = rp.act_min;
  job.act_max = rp.act_max;
  t0 = dev->hal->cycles(dev->hal->ctx);
  TRY("attention", systole_attention(dev, &job, &sa));
  t1 = dev->hal->cycles(dev->hal->ctx);
  fwj_result_add(r, &sa, t1 - t0);
  sa.wall_cycles = t1 - t0;
  TRY("o_proj", fwj_proj_run(dev, &wo, T, &ab, &yb, r, &so));
  have = 6;
  /* read everything back, then the golden chain on the CPU, step by step */
  st = SYSTOLE_HAL_ERROR;
  if (!(q = fwj_read_back(dev, &qb, (size_t)T * D)) || !(k = fwj_read_back(dev, &kb, (size_t)T * D)) ||
      !(v = fwj_read_back(dev, &vb, (size_t)T * D)) || !(a = fwj_read_back(dev, &ab, (size_t)T * D)) ||
      !(y = fwj_read_back(dev, &yb, (size_t)T * D)))
    goto done;
  st = SYSTOLE_NO_MEM;
#define CHECK_PROJ(name, pj, in_host, got, stats)                                         \
  do {                                                                                    \
    int ok_;                                                                              \
    want = fwj_proj_golden(&(pj), T, (in_host));                                          \
    if (!want) goto done;                                                                 \
    ok_ = memcmp((got), want, (size_t)T * D) == 0;                                        \
    snprintf(shape, sizeof(shape), "%ux%u x %ux%u", (unsigned)T, (unsigned)D, (unsigned)D, \
             (unsigned)D);                                                                \
    fwj_report_row(name, shape, &(stats), (stats).wall_cycles, ok_);                      \
    if (!ok_) r->pass = 0;                                                                \
    free(want);                                                                           \
    want = NULL;                                                                          \
  } while (0)
  CHECK_PROJ("q_proj", wq, x, q, sq);
  CHECK_PROJ("k_proj", wk, x, k, sk);
  CHECK_PROJ("v_proj", wv, x, v, sv);
  want = malloc((size_t)T * D);
  if (!want) goto done;
  if (systole_ref_attention_i8(&rp, q, k, v, want) != SYSTOLE_REF_OK) {
    printf("ERROR attention: golden rejected the shape\n");
    st = SYSTOLE_BAD_ARG;
    goto done;
  }
  {
    int ok = memcmp(a, want, (size_t)T * D) == 0;
    snprintf(shape, sizeof(shape), "%u tok, %u heads x %u, causal", (unsigned)T, (unsigned)H,
             (unsigned)DH);
    fwj_report_row("attention", shape, &sa, sa.wall_cycles, ok);
    if (!ok) r->pass = 0;
  }
  free(want);
  want = NULL;
  CHECK_PROJ("o_proj", wo, a, y, so);
#undef CHECK_PROJ
  st = SYSTOLE_OK;
done:
  if (st != SYSTOLE_OK) r->pass = 0;
  if (have >= 6 && systole_buf_free(dev, &yb) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (have >= 5 && systole_buf_free(dev, &ab) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (have >= 4 && systole_buf_free(dev, &vb) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (have >= 3 && systole_buf_free(dev, &kb) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (have >= 2 && systole_buf_free(dev, &qb) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  if (have >= 1 && systole_buf_free(dev, &xb) != SYSTOLE_OK) st = SYSTOLE_HAL_ERROR;
  fwj_proj_release(dev, &wq);
  fwj_proj_release(dev, &wk);
  fwj_proj_release(dev, &wv);
  fwj_proj_release(dev, &wo);
  free(x);
  free(q);
  free(k);
  free(v);
  free(a);
  free(y);
  free(want);
  return st;
}
