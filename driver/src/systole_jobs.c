/* systole_jobs.c — weight packing and the matmul / conv2d jobs (on the chip), pooling and
 * residual add (on the host, golden semantics). */
#include "systole_internal.h"
#include "systole_ref.h"

static int dev_ready(const systole_dev_t *dev) { return dev && dev->open && dev->hal; }

/* Reject an argument: record why on the device (host memory only) and return st. */
#define REJECT(dev, st, ...)                  \
  do {                                        \
    drv_set_error((dev), (st), __VA_ARGS__);  \
    return (st);                              \
  } while (0)
static int is_i8(int32_t v) { return v >= -128 && v <= 127; }
static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* ---- host -> device byte stream through dev->hbuf -------------------------------------- */

typedef struct {
  systole_dev_t *dev;
  uint32_t addr;
  uint32_t fill;
} wstream_t;

static systole_status_t ws_flush(wstream_t *s) {
  if (s->fill) {
    DRV_CHECK(drv_mem_write(s->dev, s->addr, s->dev->hbuf, s->fill));
    s->addr += s->fill;
    s->fill = 0;
  }
  return SYSTOLE_OK;
}

static systole_status_t ws_put(wstream_t *s, const void *p, uint32_t n) {
  const uint8_t *b = (const uint8_t *)p;
  while (n) {
    uint32_t k = min_u32(n, SYSTOLE_HOST_STAGE_BYTES - s->fill);
    memcpy(s->dev->hbuf + s->fill, b, k);
    s->fill += k;
    b += k;
    n -= k;
    if (s->fill == SYSTOLE_HOST_STAGE_BYTES) DRV_CHECK(ws_flush(s));
  }
  return SYSTOLE_OK;
}

/* ---- generic packer ------------------------------------------------------------------- */

/* Weight of GEMM group g at padded reduction index (kt, r) and group channel n; 0 outside. */
typedef int8_t (*getw_fn)(const void *ctx, uint32_t g, uint32_t kt, uint32_t r, uint32_t n,
                          int *valid);

typedef struct {
  systole_pack_kind_t kind;
  uint32_t ggroups, KT, NT, N, n_total, K;
  getw_fn getw;
  const void *ctx;
  const int32_t *bias, *mult, *shift;
  int32_t a_zp;
} pack_req_t;

static systole_status_t pack_common(systole_dev_t *dev, const pack_req_t *q,
                                    systole_packed_t *out) {
  uint32_t R = dev->caps.rows, C = dev->caps.cols, g, j, kt, n, r;
  uint64_t wbytes, qbytes;
  systole_packed_t p;
  wstream_t ws;
  systole_status_t st;
  if (!drv_mul_ok((uint64_t)q->ggroups * q->NT, (uint64_t)q->KT * C * R, &wbytes) ||
      !drv_mul_ok((uint64_t)q->ggroups * q->NT, (uint64_t)C * 16u, &qbytes) ||
      wbytes > 0xffffffffull || qbytes > 0xffffffffull || (uint64_t)q->KT * R > 0xffffffffull)
    return SYSTOLE_OVERFLOW;
  memset(&p, 0, sizeof(p));
  p.kind = q->kind;
  p.rows = R;
  p.cols = C;
  p.K = q->K;
  p.N = q->N;
  p.KT = q->KT;
  p.NT = q->NT;
  p.ggroups = q->ggroups;
  p.a_zp = q->a_zp;
  p.has_qparams = q->mult != NULL;
  DRV_CHECK(systole_buf_alloc(dev, (size_t)wbytes, &p.w));
  st = systole_buf_alloc(dev, (size_t)qbytes, &p.q);
  if (st != SYSTOLE_OK) {
    if (systole_buf_free(dev, &p.w) != SYSTOLE_OK) return SYSTOLE_HAL_ERROR;
    return st;
  }
  /* weight tiles: group g, n-tile j, k-tile kt: Cols lines of Rows bytes */
  ws.dev = dev;
  ws.addr = p.w.addr;
  ws.fill = 0;
  for (g = 0; g < q->ggroups && st == SYSTOLE_OK; g++)
    for (j = 0; j < q->NT && st == SYSTOLE_OK; j++)
      for (kt = 0; kt < q->KT && st == SYSTOLE_OK; kt++)
        for (n = 0; n < C && st == SYSTOLE_OK; n++)
          for (r = 0; r < R && st == SYSTOLE_OK; r++) {
            int valid = 0;
            int8_t v = (j * C + n < q->N) ? q->getw(q->ctx, g, kt, r, j * C + n, &valid) : 0;
            st = ws_put(&ws, &v, 1);
          }
  if (st == SYSTOLE_OK) st = ws_flush(&ws);
  /* qparam records {bias - a_zp * sum_k w, mult, shift, 0} */
  ws.addr = p.q.addr;
  for (g = 0; g < q->ggroups && st == SYSTOLE_OK; g++) {
    uint32_t gN = min_u32(q->N, q->n_total - g * q->N);
    for (j = 0; j < q->NT && st == SYSTOLE_OK; j++)
      for (n = 0; n < C && st == SYSTOLE_OK; n++) {
        uint32_t ch = j * C + n;
        int32_t rec[4] = {0, 0, 0, 0};
        if (ch < gN) {
          uint32_t oc = g * q->N + ch, sum = 0;
          for (kt = 0; kt < q->KT; kt++)
            for (r = 0; r < R; r++) {
              int valid = 0;
              int8_t v = q->getw(q->ctx, g, kt, r, ch, &valid);
              sum += (uint32_t)(int32_t)v;
            }
          rec[0] = (int32_t)((q->bias ? (uint32_t)q->bias[oc] : 0u) - (uint32_t)q->a_zp * sum);
          rec[1] = q->mult ? q->mult[oc] : 0;
          rec[2] = q->shift ? q->shift[oc] : 0;
        }
        {
          uint8_t b[16];
          unsigned i;
          for (i = 0; i < 16; i++) b[i] = (uint8_t)((uint32_t)rec[i / 4] >> (8 * (i % 4)));
          st = ws_put(&ws, b, 16);
        }
      }
  }
  if (st == SYSTOLE_OK) st = ws_flush(&ws);
  if (st != SYSTOLE_OK) {
    systole_status_t a = systole_buf_free(dev, &p.w), b = systole_buf_free(dev, &p.q);
    (void)a;
    (void)b;
    return st;
  }
  *out = p;
  return SYSTOLE_OK;
}

/* ---- matmul weights -------------------------------------------------------------------- */

typedef struct {
  const int8_t *B;
  uint32_t K, N, R;
  int trans;
} mm_w_ctx_t;

static int8_t mm_getw(const void *ctx, uint32_t g, uint32_t kt, uint32_t r, uint32_t n,
                      int *valid) {
  const mm_w_ctx_t *c = (const mm_w_ctx_t *)ctx;
  uint64_t k = (uint64_t)kt * c->R + r;
  (void)g;
  if (k >= c->K || n >= c->N) return 0;
  *valid = 1;
  return c->trans ? c->B[(size_t)n * c->K + k] : c->B[(size_t)k * c->N + n];
}

systole_status_t systole_matmul_weights_pack(systole_dev_t *dev, uint32_t K, uint32_t N,
                                             const int8_t *B, unsigned flags,
                                             const int32_t *bias, const int32_t *mult,
                                             const int32_t *shift, int32_t a_zp,
                                             systole_packed_t *packed) {
  mm_w_ctx_t ctx;
  pack_req_t q;
  uint64_t kn;
  if (!dev_ready(dev)) return SYSTOLE_BAD_ARG;
  if (!B || !packed) REJECT(dev, SYSTOLE_BAD_ARG, "matmul pack: NULL B or packed");
  if (K == 0 || N == 0) REJECT(dev, SYSTOLE_BAD_ARG, "matmul pack: K or N is 0");
  if ((mult == NULL) != (shift == NULL))
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul pack: mult and shift must both be given or both NULL");
  if (!is_i8(a_zp)) REJECT(dev, SYSTOLE_BAD_ARG, "matmul pack: a_zp %d not int8", (int)a_zp);
  if (flags & ~SYSTOLE_PACK_B_TRANSPOSED)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul pack: unknown flags 0x%x", flags);
  if (!drv_mul_ok(K, N, &kn) || kn > (uint64_t)SIZE_MAX)
    REJECT(dev, SYSTOLE_OVERFLOW, "matmul pack: K*N overflows");
  ctx.B = B;
  ctx.K = K;
  ctx.N = N;
  ctx.R = dev->caps.rows;
  ctx.trans = (flags & SYSTOLE_PACK_B_TRANSPOSED) != 0;
  memset(&q, 0, sizeof(q));
  q.kind = SYSTOLE_PACK_MATMUL;
  q.ggroups = 1;
  q.KT = ceil_div(K, dev->caps.rows);
  q.NT = ceil_div(N, dev->caps.cols);
  q.N = N;
  q.n_total = N;
  q.K = K;
  q.getw = mm_getw;
  q.ctx = &ctx;
  q.bias = bias;
  q.mult = mult;
  q.shift = shift;
  q.a_zp = a_zp;
  return pack_common(dev, &q, packed);
}

systole_status_t systole_packed_free(systole_dev_t *dev, systole_packed_t *packed) {
  systole_status_t a, b;
  if (!dev_ready(dev) || !packed || !packed->w.owned || !packed->q.owned) return SYSTOLE_BAD_ARG;
  a = systole_buf_free(dev, &packed->w);
  b = systole_buf_free(dev, &packed->q);
  memset(packed, 0, sizeof(*packed));
  return a != SYSTOLE_OK ? a : b;
}

/* ---- conv geometry --------------------------------------------------------------------- */

static int conv_geom_ok(const systole_conv2d_params_t *p) {
  return p && p->batch > 0 && p->in_h > 0 && p->in_w > 0 && p->in_c > 0 && p->out_c > 0 &&
         p->k_h > 0 && p->k_w > 0 && p->stride_h > 0 && p->stride_w > 0 && p->dil_h > 0 &&
         p->dil_w > 0 && p->pad_top >= 0 && p->pad_bottom >= 0 && p->pad_left >= 0 &&
         p->pad_right >= 0 && p->groups > 0 && p->in_c % p->groups == 0 &&
         p->out_c % p->groups == 0;
}

static int conv_out_dim(int in, int pa, int pb, int k, int s, int d, int *out) {
  int64_t num = (int64_t)in + pa + pb - (int64_t)d * (k - 1) - 1;
  if (num < 0) return 0;
  *out = (int)(num / s + 1);
  return *out > 0;
}

systole_status_t systole_conv2d_out_size(const systole_conv2d_params_t *p, int *out_h,
                                         int *out_w) {
  int oh, ow;
  if (!conv_geom_ok(p) || !out_h || !out_w) return SYSTOLE_BAD_ARG;
  if (!conv_out_dim(p->in_h, p->pad_top, p->pad_bottom, p->k_h, p->stride_h, p->dil_h, &oh) ||
      !conv_out_dim(p->in_w, p->pad_left, p->pad_right, p->k_w, p->stride_w, p->dil_w, &ow))
    return SYSTOLE_BAD_ARG;
  *out_h = oh;
  *out_w = ow;
  return SYSTOLE_OK;
}

static void same_pads(int in, int k, int s, int d, int *a, int *b) {
  int64_t out = ((int64_t)in + s - 1) / s;
  int64_t total = (out - 1) * s + (int64_t)(k - 1) * d + 1 - in;
  if (total < 0) total = 0;
  *a = (int)(total / 2);
  *b = (int)(total - total / 2);
}

systole_status_t systole_conv2d_set_padding(systole_conv2d_params_t *p, systole_padding_t mode) {
  int t, b, l, r;
  if (!p || p->in_h <= 0 || p->in_w <= 0 || p->k_h <= 0 || p->k_w <= 0 || p->stride_h <= 0 ||
      p->stride_w <= 0 || p->dil_h <= 0 || p->dil_w <= 0)
    return SYSTOLE_BAD_ARG;
  switch (mode) {
    case SYSTOLE_PADDING_VALID:
      t = b = l = r = 0;
      break;
    case SYSTOLE_PADDING_SAME:
      same_pads(p->in_h, p->k_h, p->stride_h, p->dil_h, &t, &b);
      same_pads(p->in_w, p->k_w, p->stride_w, p->dil_w, &l, &r);
      break;
    default:
      return SYSTOLE_BAD_ARG;
  }
  p->pad_top = t;
  p->pad_bottom = b;
  p->pad_left = l;
  p->pad_right = r;
  return SYSTOLE_OK;
}

static int conv_is_depthwise(const systole_conv2d_params_t *p) {
  return p->groups > 1 && p->groups == p->in_c && p->out_c == p->in_c;
}

/* ---- conv weights ---------------------------------------------------------------------- */

typedef struct {
  const int8_t *w;
  uint32_t taps, cin_g, cout_g, CT, R, D, C;
  int dw;
} conv_w_ctx_t;

static int8_t conv_getw(const void *ctx, uint32_t g, uint32_t kt, uint32_t r, uint32_t n,
                        int *valid) {
  const conv_w_ctx_t *c = (const conv_w_ctx_t *)ctx;
  if (c->dw) {
    uint32_t ch = g * c->D + n;
    if (r != n || n >= c->D || ch >= c->C) return 0;
    *valid = 1;
    return c->w[(size_t)ch * c->taps + kt];
  } else {
    uint32_t t = kt / c->CT, i = (kt % c->CT) * c->R + r;
    uint32_t oc = g * c->cout_g + n;
    if (i >= c->cin_g || n >= c->cout_g) return 0;
    *valid = 1;
    return c->w[((size_t)oc * c->taps + t) * c->cin_g + i];
  }
}

systole_status_t systole_conv2d_weights_pack(systole_dev_t *dev,
                                             const systole_conv2d_params_t *params,
                                             const int8_t *w, const int32_t *bias,
                                             const int32_t *mult, const int32_t *shift,
                                             systole_packed_t *packed) {
  conv_w_ctx_t ctx;
  pack_req_t q;
  int oh, ow;
  uint64_t wn;
  systole_status_t st;
  if (!dev_ready(dev)) return SYSTOLE_BAD_ARG;
  if (!params || !w || !packed) REJECT(dev, SYSTOLE_BAD_ARG, "conv2d pack: NULL argument");
  if ((mult == NULL) != (shift == NULL))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d pack: mult and shift must both be given or both NULL");
  if (systole_conv2d_out_size(params, &oh, &ow) != SYSTOLE_OK)
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d pack: invalid geometry (dimension, stride, dilation, "
                                 "pad or groups) or empty output");
  if (!is_i8(params->in_zp))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d pack: in_zp %d not int8", (int)params->in_zp);
  if (!drv_mul_ok((uint64_t)params->out_c * params->k_h, (uint64_t)params->k_w *
                                                             (params->in_c / params->groups),
                  &wn) ||
      wn > 0xffffffffull)
    return SYSTOLE_OVERFLOW;
  memset(&ctx, 0, sizeof(ctx));
  ctx.w = w;
  ctx.taps = (uint32_t)params->k_h * (uint32_t)params->k_w;
  ctx.cin_g = (uint32_t)(params->in_c / params->groups);
  ctx.cout_g = (uint32_t)(params->out_c / params->groups);
  ctx.R = dev->caps.rows;
  ctx.C = (uint32_t)params->in_c;
  ctx.dw = conv_is_depthwise(params);
  ctx.D = min_u32(dev->caps.rows, dev->caps.cols);
  ctx.CT = ceil_div(ctx.cin_g, ctx.R);
  memset(&q, 0, sizeof(q));
  if (ctx.dw) {
    q.kind = SYSTOLE_PACK_DEPTHWISE;
    q.ggroups = ceil_div((uint32_t)params->in_c, ctx.D);
    q.KT = ctx.taps;
    q.NT = 1;
    q.N = ctx.D;
    q.K = ctx.taps;
  } else {
    if ((uint64_t)ctx.taps * ctx.CT > 0xffffffffull) return SYSTOLE_OVERFLOW;
    q.kind = SYSTOLE_PACK_CONV;
    q.ggroups = (uint32_t)params->groups;
    q.KT = ctx.taps * ctx.CT;
    q.NT = ceil_div(ctx.cout_g, dev->caps.cols);
    q.N = ctx.cout_g;
    q.K = ctx.taps * ctx.cin_g;
  }
  q.n_total = (uint32_t)params->out_c;
  q.getw = conv_getw;
  q.ctx = &ctx;
  q.bias = bias;
  q.mult = mult;
  q.shift = shift;
  q.a_zp = params->in_zp;
  st = pack_common(dev, &q, packed);
  if (st == SYSTOLE_OK) {
    packed->conv = *params;
    packed->taps = ctx.taps;
    packed->ct = ctx.dw ? 1 : ctx.CT;
  }
  return st;
}

/* ---- A and W sources ------------------------------------------------------------------ */

typedef struct {
  const systole_packed_t *pk; /* first: packed_w_next reads it */
  uint32_t a_addr, lda, K, R;
} mm_job_ctx_t;

static void mm_a_begin(const drv_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                       uint32_t m_end, uint32_t dst_line, drv_a_walk_t *w) {
  (void)gm;
  (void)g;
  w->m = m_begin;
  w->m_end = m_end;
  w->dst = dst_line;
  w->kt = kt;
}

/* One LOAD for all rows of the k-tile. */
static uint32_t mm_a_fill(const drv_gemm_t *gm, drv_a_walk_t *w, systole_cmd_t *out,
                          uint32_t max) {
  const mm_job_ctx_t *c = (const mm_job_ctx_t *)gm->ctx;
  uint32_t m = w->m, kt = w->kt;
  systole_load_t l;
  (void)max;
  if (m >= w->m_end) return 0;
  l.target = SYSTOLE_TARGET_SPAD;
  l.rows = (uint16_t)(w->m_end - m);
  l.src = c->a_addr + m * c->lda + kt * c->R;
  l.src_stride = c->lda;
  l.row_bytes = (uint16_t)min_u32(c->R, c->K - kt * c->R);
  l.dst_line = (uint16_t)w->dst;
  l.dst_stride = 1;
  l.dst_off = 0;
  l.pad_byte = 0;
  l.pad_before = 0;
  l.pad_after = 0;
  *out = systole_cmd_load(&l, 0);
  w->dst += w->m_end - m;
  w->m = w->m_end;
  return 1;
}

/* Packed weight tiles are contiguous per (group, n-tile): one LOAD for all of a chunk. */
static void packed_w_next(const drv_gemm_t *gm, uint32_t g, uint32_t j, uint32_t kt0,
                          uint32_t kc, uint32_t *cursor, uint32_t dst_line, systole_cmd_t *out) {
  const systole_packed_t *pk = *(const systole_packed_t *const *)gm->ctx;
  uint32_t R = pk->rows, C = pk->cols, i = *cursor;
  systole_load_t l;
  l.target = SYSTOLE_TARGET_SPAD;
  l.rows = (uint16_t)((kc - i) * C);
  l.src = pk->w.addr + (((g * pk->NT + j) * pk->KT + kt0 + i) * C) * R;
  l.src_stride = R;
  l.row_bytes = (uint16_t)R;
  l.dst_line = (uint16_t)(dst_line + i * C);
  l.dst_stride = 1;
  l.dst_off = 0;
  l.pad_byte = 0;
  l.pad_before = 0;
  l.pad_after = 0;
  *out = systole_cmd_load(&l, 0);
  *cursor = kc;
}

static int range_fits(uint64_t bytes_needed, const systole_buf_t *b) {
  return bytes_needed <= b->bytes;
}

/* ---- matmul job ------------------------------------------------------------------------ */

static int job_outstage_ok(int raw, int32_t zp, int32_t mn, int32_t mx) {
  return raw || (is_i8(zp) && is_i8(mn) && is_i8(mx) && mn <= mx);
}

systole_status_t systole_matmul(systole_dev_t *dev, const systole_matmul_job_t *job,
                                systole_stats_t *stats) {
  mm_job_ctx_t ctx;
  const systole_packed_t *pk;
  drv_gemm_t gm;
  drv_counters_t snap;
  uint64_t a_need, c_need, esz, t;
  systole_status_t st;
  if (!dev_ready(dev)) return SYSTOLE_BAD_ARG;
  if (!job || !job->a || !job->b || !job->c)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: NULL job, A, B or C");
  pk = job->b;
  if (pk->kind != SYSTOLE_PACK_MATMUL || pk->K == 0 || pk->N == 0 || !pk->w.owned)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: B is not packed matmul weights");
  if (pk->rows != dev->caps.rows || pk->cols != dev->caps.cols)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: B packed for a %ux%u array, device is %ux%u",
           (unsigned)pk->rows, (unsigned)pk->cols, (unsigned)dev->caps.rows,
           (unsigned)dev->caps.cols);
  if (job->M == 0) REJECT(dev, SYSTOLE_BAD_ARG, "matmul: M is 0");
  if (job->lda < pk->K)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: lda %u < K %u", (unsigned)job->lda, (unsigned)pk->K);
  if (job->ldc < pk->N)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: ldc %u < N %u", (unsigned)job->ldc, (unsigned)pk->N);
  if (job->a_zp != pk->a_zp)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: a_zp %d differs from the packed a_zp %d",
           (int)job->a_zp, (int)pk->a_zp);
  if (!job_outstage_ok(job->raw_output, job->out_zp, job->act_min, job->act_max))
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: out_zp %d / clamp [%d, %d] not int8 or empty",
           (int)job->out_zp, (int)job->act_min, (int)job->act_max);
  if (!job->raw_output && !pk->has_qparams)
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: int8 output needs weights packed with mult/shift");
  if (!drv_buf_ok(dev, job->a) || !drv_buf_ok(dev, job->c) || !drv_buf_ok(dev, &pk->w) ||
      !drv_buf_ok(dev, &pk->q))
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: a buffer is empty or outside the DMA window");
  esz = job->raw_output ? 4 : 1;
  if (!drv_mul_ok((uint64_t)job->M - 1, job->lda, &a_need) ||
      !drv_mul_ok((uint64_t)job->M - 1, job->ldc, &c_need) ||
      !drv_mul_ok(job->ldc, esz, &t) || t > 0xffffffffull)
    REJECT(dev, SYSTOLE_OVERFLOW, "matmul: byte counts overflow");
  a_need += pk->K;
  c_need = (c_need + pk->N) * esz;
  if (!range_fits(a_need, job->a))
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: A buffer holds %u bytes, needs %llu",
           (unsigned)job->a->bytes, (unsigned long long)a_need);
  if (!range_fits(c_need, job->c))
    REJECT(dev, SYSTOLE_BAD_ARG, "matmul: C buffer holds %u bytes, needs %llu",
           (unsigned)job->c->bytes, (unsigned long long)c_need);

  memset(&ctx, 0, sizeof(ctx));
  ctx.pk = pk;
  ctx.a_addr = job->a->addr;
  ctx.lda = job->lda;
  ctx.K = pk->K;
  ctx.R = dev->caps.rows;
  memset(&gm, 0, sizeof(gm));
  gm.M = job->M;
  gm.ggroups = 1;
  gm.KT = pk->KT;
  gm.NT = pk->NT;
  gm.N = pk->N;
  gm.n_total = pk->N;
  gm.a_begin = mm_a_begin;
  gm.a_fill = mm_a_fill;
  gm.w_next = packed_w_next;
  gm.ctx = &ctx;
  gm.out_addr = job->c->addr;
  gm.out_row_stride = (uint32_t)t;
  gm.esz = (uint32_t)esz;
  gm.raw = job->raw_output;
  gm.out_zp = (int8_t)(job->raw_output ? 0 : job->out_zp);
  gm.act_min = (int8_t)(job->raw_output ? -128 : job->act_min);
  gm.act_max = (int8_t)(job->raw_output ? 127 : job->act_max);
  gm.q_addr = pk->q.addr;
  st = drv_gemm_plan(dev, &gm);
  if (st != SYSTOLE_OK) return st;
  DRV_CHECK(drv_job_begin(dev, &snap));
  DRV_CHECK(drv_gemm_emit(dev, &gm));
  return drv_job_end(dev, &snap, (uint64_t)job->M * pk->N * pk->K, stats);
}

/* ---- conv2d job ----------------------------------------------------------------------- */

typedef struct {
  const systole_packed_t *pk; /* first: packed_w_next reads it */
  const systole_conv2d_params_t *p;
  uint32_t in_addr, OH, OW, cin_g, CT, D, R;
  int dw;
  uint64_t in_row;   /* in_w * in_c: bytes of an input row */
  uint64_t last_row; /* address of the last input row (batch*in_h - 1) */
  uint64_t row_step; /* stride_h * in_row: from one output row's input row to the next's */
  uint64_t a_stride; /* stride_w * in_c: bytes between the input pixels of adjacent ox */
} conv_job_ctx_t;

static int64_t floor_div(int64_t a, int64_t b) { /* b > 0 */
  if (a >= -0x7fffffffll - 1 && a <= 0x7fffffffll && b <= 0x7fffffffll) {
    /* the same in 32 bits (a 64-bit division is a library call on a 32-bit core) */
    uint32_t ub = (uint32_t)b;
    return a >= 0 ? (int64_t)((uint32_t)a / ub) : -(int64_t)(((uint32_t)-a + ub - 1) / ub);
  }
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Implicit im2col. GEMM row m is output pixel (b, oy, ox) = (m / (OH*OW), m / OW % OH,
 * m % OW); k-tile kt is kernel tap t = (ky, kx) and input channels [c0, c0 + cw). Row m of
 * the tile reads input pixel (b, iy, ix) = (b, oy*stride_h - pad_top + ky*dil_h,
 * ox*stride_w - pad_left + kx*dil_w), or pad bytes outside the input. One LOAD covers a run
 * of rows within one output row: a run of padding, or the pixels from the first ox with
 * ix >= 0 on (stride stride_w * in_c) with the trailing padding as pad_after rows; the chip
 * computes SRC + i*stride for every row, padded or not, so a run whose last row would reach
 * 2^32 stops at its last valid pixel (its padding follows as its own LOAD).
 *
 * conv_a_begin locates row m_begin (the divisions, once per k-tile); conv_a_fill steps
 * through the rows with additions only. When no LOAD of the k-tile can reach 2^32 (any
 * input not at the very top of the address space) every address is computed in 32 bits;
 * otherwise conv_a_fill_exact tracks each input row's 64-bit address and uses the 32-bit
 * form only in rows that stay below 2^32. */

/* Flags and 32-bit base of the walk's current input row (iy, row_src set). */
static void conv_row_flags(const conv_job_ctx_t *c, drv_a_walk_t *w) {
  w->row_ok = w->iy >= 0 && w->iy < c->p->in_h;
  /* row_src is exact when row_ok; every LOAD of the row ends before row_src + span */
  w->row_fast = w->row_ok && w->span <= 0x100000000ull &&
                w->row_src <= 0x100000000ull - w->span;
  w->row_base = (uint32_t)w->row_src + w->off_c;
}

/* Input row of output row (b, oy) for the walk's kernel row (by multiplication). */
static DRV_NOINLINE void conv_row_at(const conv_job_ctx_t *c, drv_a_walk_t *w) {
  w->iy = (int64_t)w->oy * c->p->stride_h + w->iy0;
  w->row_src = (uint64_t)c->in_addr + w->c0 +
               ((uint64_t)w->b * (uint32_t)c->p->in_h + (uint64_t)w->iy) * c->in_row;
  conv_row_flags(c, w);
}

static void conv_a_begin(const drv_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                         uint32_t m_end, uint32_t dst_line, drv_a_walk_t *w) {
  const conv_job_ctx_t *c = (const conv_job_ctx_t *)gm->ctx;
  const systole_conv2d_params_t *p = c->p;
  uint32_t t, ci, ky, kx, rem, ohw = c->OH * c->OW;
  int64_t off, lo, hi, ix_max;
  if (c->dw) {
    t = kt;
    w->c0 = g * c->D;
    w->cw = min_u32(c->D, (uint32_t)p->in_c - w->c0);
  } else {
    /* remainders as a - q*b: one division each */
    t = c->CT == 1 ? kt : kt / c->CT;
    ci = kt - t * c->CT;
    w->c0 = g * c->cin_g + ci * c->R;
    w->cw = min_u32(c->R, c->cin_g - ci * c->R);
  }
  ky = t / (uint32_t)p->k_w;
  kx = t - ky * (uint32_t)p->k_w;
  w->m = m_begin;
  w->m_end = m_end;
  w->dst = dst_line;
  w->b = m_begin / ohw;
  rem = m_begin - w->b * ohw;
  w->oy = rem / c->OW;
  w->ox = rem - w->oy * c->OW;
  w->iy0 = (int64_t)ky * p->dil_h - p->pad_top;
  off = (int64_t)kx * p->dil_w - p->pad_left;
  lo = off >= 0 ? 0 : -floor_div(off, p->stride_w);        /* first ox with ix >= 0 */
  hi = floor_div((int64_t)p->in_w - 1 - off, p->stride_w); /* last ox with ix < W */
  /* ox < OW: clamping lo to OW and hi to [-1, OW] keeps every comparison with ox (and
   * lo - ox, min(last, hi) - ox below) exact in 32 bits */
  w->none = hi < lo;
  w->lo = lo > (int64_t)c->OW ? c->OW : (uint32_t)lo;
  w->hi = hi < -1 ? -1 : hi > (int64_t)c->OW ? (int32_t)c->OW : (int32_t)hi;
  w->off = off;
  w->off_c = (uint32_t)((uint64_t)off * (uint32_t)p->in_c);
  /* the last pixel any LOAD of a row can reach (ox = OW - 1; then ix < in_w + pad_right) */
  ix_max = (int64_t)(c->OW - 1) * p->stride_w + off;
  w->span = ix_max >= 0 ? (uint64_t)ix_max * (uint32_t)p->in_c + w->cw : 0;
  /* valid rows start at most at last_row + c0 */
  w->fast = w->span <= 0x100000000ull && c->last_row + w->c0 <= 0x100000000ull - w->span;
  conv_row_at(c, w);
}

/* One LOAD of rows rows from dst on: all padding (pad_before = rows), or pixels from src on
 * followed by trailing pad rows. */
static void conv_put(systole_cmd_t *out, uint32_t rows, uint32_t src, uint32_t src_stride,
                     uint32_t cw, uint32_t dst, uint8_t zp, uint32_t pad_before,
                     uint32_t trailing) {
  systole_load_t l;
  l.target = SYSTOLE_TARGET_SPAD;
  l.rows = (uint16_t)rows;
  l.src = src;
  l.src_stride = src_stride;
  l.row_bytes = (uint16_t)cw;
  l.dst_line = (uint16_t)dst;
  l.dst_stride = 1;
  l.dst_off = 0;
  l.pad_byte = zp;
  l.pad_before = (uint16_t)pad_before;
  l.pad_after = (uint16_t)trailing;
  *out = systole_cmd_load(&l, 0);
}

/* A run of valid pixels in a row that may reach 2^32: the exact 64-bit address and test.
 * Returns the address; *rows and *trailing shrink to the valid pixels if the run would
 * reach 2^32. */
static uint32_t conv_src_exact(const conv_job_ctx_t *c, const drv_a_walk_t *w, uint32_t ox,
                               uint32_t seg, uint32_t nvalid, uint32_t *rows,
                               uint32_t *trailing) {
  uint64_t ix = (uint64_t)((int64_t)ox * c->p->stride_w + w->off);
  uint64_t src = w->row_src + ix * (uint32_t)c->p->in_c;
  if (src + (uint64_t)(seg - 1) * c->a_stride + w->cw > 0x100000000ull) {
    *rows = nvalid;
    *trailing = 0;
  }
  return (uint32_t)src;
}

/* conv_a_fill for a walk that may reach 2^32 (an input near the top of the address space):
 * 64-bit row addresses, 32-bit arithmetic only in rows that stay below 2^32. */
static DRV_NOINLINE uint32_t conv_a_fill_exact(const conv_job_ctx_t *c, drv_a_walk_t *w,
                                               systole_cmd_t *out, uint32_t max) {
  const uint32_t OW = c->OW, a_stride = (uint32_t)c->a_stride;
  uint32_t n = 0;
  while (n < max && w->m < w->m_end) {
    uint32_t ox = w->ox, seg = min_u32(w->m_end - w->m, OW - ox), rows = seg, src = c->in_addr;
    uint32_t pad = 0, trailing = 0;
    if (!w->row_ok) {
      pad = rows;
    } else if (ox < w->lo) {
      rows = w->lo - ox;
      if (rows > seg || w->none) rows = seg;
      pad = rows;
    } else if ((int32_t)ox > w->hi) {
      pad = rows;
    } else {
      uint32_t last = ox + seg - 1, h = (uint32_t)w->hi;
      uint32_t nvalid = (last < h ? last : h) - ox + 1;
      trailing = seg - nvalid;
      if (w->row_fast)
        src = w->row_base + ox * a_stride;
      else
        src = conv_src_exact(c, w, ox, seg, nvalid, &rows, &trailing);
    }
    conv_put(&out[n++], rows, src, pad ? 0 : a_stride, w->cw, w->dst, (uint8_t)c->p->in_zp, pad,
             trailing);
    w->m += rows;
    w->dst += rows;
    w->ox = ox + rows; /* <= OW */
    if (w->ox == OW && w->m < w->m_end) { /* next output row */
      w->ox = 0;
      if (++w->oy == c->OH) {
        w->oy = 0;
        w->b++;
        conv_row_at(c, w);
      } else {
        w->iy += c->p->stride_h;
        w->row_src += c->row_step;
        conv_row_flags(c, w);
      }
    }
  }
  return n;
}

static uint32_t conv_a_fill(const drv_gemm_t *gm, drv_a_walk_t *w, systole_cmd_t *out,
                            uint32_t max) {
  const conv_job_ctx_t *c = (const conv_job_ctx_t *)gm->ctx;
  const uint32_t OW = c->OW, OH = c->OH, m_end = w->m_end, lo = w->lo, cw = w->cw;
  const uint32_t a_stride = (uint32_t)c->a_stride, in_addr = c->in_addr;
  const uint32_t row_step = (uint32_t)c->row_step;
  const int32_t hi = w->hi;
  const int64_t in_h = c->p->in_h, stride_h = c->p->stride_h;
  const int none = w->none;
  const uint8_t zp = (uint8_t)c->p->in_zp;
  uint32_t m = w->m, dst = w->dst, ox = w->ox, oy = w->oy, row_base = w->row_base, n = 0;
  int row_ok = w->row_ok;
  int64_t iy = w->iy;
  if (!w->fast) return conv_a_fill_exact(c, w, out, max);
  while (n < max && m < m_end) {
    uint32_t seg = min_u32(m_end - m, OW - ox), rows = seg, src = in_addr, pad = 0, trailing = 0;
    if (!row_ok) {
      pad = rows; /* all padding: reads nothing */
    } else if (ox < lo) {
      rows = lo - ox;
      if (rows > seg || none) rows = seg;
      pad = rows;
    } else if ((int32_t)ox > hi) {
      pad = rows;
    } else { /* valid pixels from ox on, then the row's padding */
      uint32_t last = ox + seg - 1, h = (uint32_t)hi;
      uint32_t nvalid = (last < h ? last : h) - ox + 1;
      trailing = seg - nvalid;
      src = row_base + ox * a_stride;
    }
    conv_put(&out[n++], rows, src, pad ? 0 : a_stride, cw, dst, zp, pad, trailing);
    m += rows;
    dst += rows;
    ox += rows; /* <= OW */
    if (ox == OW && m < m_end) { /* next output row */
      ox = 0;
      if (++oy == OH) { /* next image: by multiplication */
        w->oy = 0;
        w->b++;
        conv_row_at(c, w);
        oy = 0;
        iy = w->iy;
        row_ok = w->row_ok;
        row_base = w->row_base;
      } else {
        iy += stride_h;
        row_ok = iy >= 0 && iy < in_h;
        row_base += row_step;
      }
    }
  }
  w->m = m;
  w->dst = dst;
  w->ox = ox;
  w->oy = oy;
  w->iy = iy;
  w->row_ok = row_ok;
  w->row_base = row_base;
  return n;
}

static int conv_same_geometry(const systole_conv2d_params_t *a, const systole_conv2d_params_t *b) {
  return a->batch == b->batch && a->in_h == b->in_h && a->in_w == b->in_w &&
         a->in_c == b->in_c && a->out_c == b->out_c && a->k_h == b->k_h && a->k_w == b->k_w &&
         a->stride_h == b->stride_h && a->stride_w == b->stride_w && a->dil_h == b->dil_h &&
         a->dil_w == b->dil_w && a->pad_top == b->pad_top && a->pad_bottom == b->pad_bottom &&
         a->pad_left == b->pad_left && a->pad_right == b->pad_right &&
         a->groups == b->groups && a->in_zp == b->in_zp;
}

systole_status_t systole_conv2d(systole_dev_t *dev, const systole_conv2d_params_t *p,
                                const systole_buf_t *in, const systole_packed_t *pk,
                                const systole_buf_t *out, int raw_output,
                                systole_stats_t *stats) {
  conv_job_ctx_t ctx;
  drv_gemm_t gm;
  drv_counters_t snap;
  int oh, ow;
  uint64_t in_need, out_need, M, esz, macs, t;
  systole_status_t st;
  if (!dev_ready(dev)) return SYSTOLE_BAD_ARG;
  if (!p || !in || !pk || !out) REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: NULL argument");
  if (systole_conv2d_out_size(p, &oh, &ow) != SYSTOLE_OK)
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: invalid geometry (dimension, stride, dilation, "
                                 "pad or groups) or empty output");
  if (!is_i8(p->in_zp) || !job_outstage_ok(raw_output, p->out_zp, p->act_min, p->act_max))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: zero point or clamp not int8 (or act_min > act_max)");
  if ((pk->kind != SYSTOLE_PACK_CONV && pk->kind != SYSTOLE_PACK_DEPTHWISE) || !pk->w.owned)
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: weights are not packed conv weights");
  if (!conv_same_geometry(p, &pk->conv))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: params differ from the ones the weights were "
                                 "packed for (geometry, groups or in_zp)");
  if (pk->rows != dev->caps.rows || pk->cols != dev->caps.cols)
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: weights packed for another array size");
  if (!raw_output && !pk->has_qparams)
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: int8 output needs weights packed with mult/shift");
  if (!drv_buf_ok(dev, in) || !drv_buf_ok(dev, out) || !drv_buf_ok(dev, &pk->w) ||
      !drv_buf_ok(dev, &pk->q))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: a buffer is empty or outside the DMA window");
  esz = raw_output ? 4 : 1;
  if (!drv_mul_ok((uint64_t)p->batch * (uint32_t)p->in_h, (uint64_t)(uint32_t)p->in_w *
                                                              (uint32_t)p->in_c,
                  &in_need) ||
      !drv_mul_ok((uint64_t)p->batch * (uint32_t)oh, (uint64_t)(uint32_t)ow, &M) ||
      !drv_mul_ok(M, (uint64_t)(uint32_t)p->out_c * esz, &out_need) || M > 0xffffffffull ||
      !drv_mul_ok((uint64_t)(uint32_t)p->out_c, esz, &t) || t > 0xffffffffull)
    REJECT(dev, SYSTOLE_OVERFLOW, "conv2d: byte counts overflow");
  if (!range_fits(in_need, in))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: input buffer holds %u bytes, needs %llu",
           (unsigned)in->bytes, (unsigned long long)in_need);
  if (!range_fits(out_need, out))
    REJECT(dev, SYSTOLE_BAD_ARG, "conv2d: output buffer holds %u bytes, needs %llu",
           (unsigned)out->bytes, (unsigned long long)out_need);
  macs = M * (uint64_t)p->out_c * (uint64_t)p->k_h * (uint64_t)p->k_w *
         (uint64_t)(p->in_c / p->groups);

  memset(&ctx, 0, sizeof(ctx));
  ctx.pk = pk;
  ctx.p = p;
  ctx.in_addr = in->addr;
  ctx.OH = (uint32_t)oh;
  ctx.OW = (uint32_t)ow;
  ctx.cin_g = (uint32_t)(p->in_c / p->groups);
  ctx.CT = pk->ct;
  ctx.R = dev->caps.rows;
  ctx.D = min_u32(dev->caps.rows, dev->caps.cols);
  ctx.dw = pk->kind == SYSTOLE_PACK_DEPTHWISE;
  ctx.in_row = (uint64_t)(uint32_t)p->in_w * (uint32_t)p->in_c;
  ctx.row_step = (uint64_t)(uint32_t)p->stride_h * ctx.in_row;
  ctx.last_row = in->addr + ((uint64_t)(uint32_t)p->batch * (uint32_t)p->in_h - 1) * ctx.in_row;
  ctx.a_stride = (uint64_t)p->stride_w * (uint32_t)p->in_c;
  memset(&gm, 0, sizeof(gm));
  gm.M = (uint32_t)M;
  gm.ggroups = pk->ggroups;
  gm.KT = pk->KT;
  gm.NT = pk->NT;
  gm.N = pk->N;
  gm.n_total = (uint32_t)p->out_c;
  gm.a_begin = conv_a_begin;
  gm.a_fill = conv_a_fill;
  gm.w_next = packed_w_next;
  gm.ctx = &ctx;
  gm.out_addr = out->addr;
  gm.out_row_stride = (uint32_t)t;
  gm.esz = (uint32_t)esz;
  gm.raw = raw_output;
  gm.out_zp = (int8_t)(raw_output ? 0 : p->out_zp);
  gm.act_min = (int8_t)(raw_output ? -128 : p->act_min);
  gm.act_max = (int8_t)(raw_output ? 127 : p->act_max);
  gm.q_addr = pk->q.addr;
  st = drv_gemm_plan(dev, &gm);
  if (st != SYSTOLE_OK) return st;
  DRV_CHECK(drv_job_begin(dev, &snap));
  DRV_CHECK(drv_gemm_emit(dev, &gm));
  return drv_job_end(dev, &snap, macs, stats);
}

/* ---- pooling and add on the host ------------------------------------------------------- */

static void to_ref_pool(const systole_pool_params_t *p, systole_ref_pool_params_t *r) {
  r->batch = p->batch;
  r->in_h = p->in_h;
  r->in_w = p->in_w;
  r->channels = p->channels;
  r->k_h = p->k_h;
  r->k_w = p->k_w;
  r->stride_h = p->stride_h;
  r->stride_w = p->stride_w;
  r->pad_top = p->pad_top;
  r->pad_bottom = p->pad_bottom;
  r->pad_left = p->pad_left;
  r->pad_right = p->pad_right;
  r->act_min = p->act_min;
  r->act_max = p->act_max;
}

static int pool_geom_ok(const systole_pool_params_t *p) {
  return p && p->batch > 0 && p->in_h > 0 && p->in_w > 0 && p->channels > 0 && p->k_h > 0 &&
         p->k_w > 0 && p->stride_h > 0 && p->stride_w > 0 && p->pad_top >= 0 &&
         p->pad_bottom >= 0 && p->pad_left >= 0 && p->pad_right >= 0 && p->pad_top < p->k_h &&
         p->pad_bottom < p->k_h && p->pad_left < p->k_w && p->pad_right < p->k_w &&
         is_i8(p->act_min) && is_i8(p->act_max) && p->act_min <= p->act_max;
}

systole_status_t systole_pool_out_size(const systole_pool_params_t *p, int *out_h, int *out_w) {
  int64_t nh, nw;
  if (!pool_geom_ok(p) || !out_h || !out_w) return SYSTOLE_BAD_ARG;
  nh = (int64_t)p->in_h + p->pad_top + p->pad_bottom - p->k_h;
  nw = (int64_t)p->in_w + p->pad_left + p->pad_right - p->k_w;
  if (nh < 0 || nw < 0) return SYSTOLE_BAD_ARG;
  *out_h = (int)(nh / p->stride_h + 1);
  *out_w = (int)(nw / p->stride_w + 1);
  return SYSTOLE_OK;
}

static systole_status_t pool_host(systole_dev_t *dev, const systole_pool_params_t *p,
                                  const systole_buf_t *in, const systole_buf_t *out, int is_max) {
  systole_ref_pool_params_t rp;
  int oh, ow, rc;
  uint64_t in_n, out_n;
  int8_t *hin, *hout;
  systole_status_t st;
  if (!dev_ready(dev) || !p || !in || !out) return SYSTOLE_BAD_ARG;
  if (systole_pool_out_size(p, &oh, &ow) != SYSTOLE_OK) return SYSTOLE_BAD_ARG;
  if (!drv_buf_ok(dev, in) || !drv_buf_ok(dev, out)) return SYSTOLE_BAD_ARG;
  if (!drv_mul_ok((uint64_t)p->batch * (uint32_t)p->in_h,
                  (uint64_t)(uint32_t)p->in_w * (uint32_t)p->channels, &in_n) ||
      !drv_mul_ok((uint64_t)p->batch * (uint32_t)oh, (uint64_t)(uint32_t)ow * (uint32_t)p->channels,
                  &out_n) ||
      in_n > SIZE_MAX || out_n > SIZE_MAX)
    return SYSTOLE_OVERFLOW;
  if (in_n > in->bytes || out_n > out->bytes) return SYSTOLE_BAD_ARG;
  if (!dev->hal->host_alloc || !dev->hal->host_free) return SYSTOLE_UNSUPPORTED;
  hin = (int8_t *)dev->hal->host_alloc(dev->hal->ctx, (size_t)in_n);
  hout = (int8_t *)dev->hal->host_alloc(dev->hal->ctx, (size_t)out_n);
  st = (hin && hout) ? SYSTOLE_OK : SYSTOLE_NO_MEM;
  if (st == SYSTOLE_OK) st = drv_mem_read(dev, in->addr, hin, (size_t)in_n);
  if (st == SYSTOLE_OK) {
    to_ref_pool(p, &rp);
    rc = is_max ? systole_ref_maxpool_i8(&rp, hin, hout) : systole_ref_avgpool_i8(&rp, hin, hout);
    if (rc != SYSTOLE_REF_OK) st = rc == SYSTOLE_REF_EOVERFLOW ? SYSTOLE_OVERFLOW : SYSTOLE_BAD_ARG;
  }
  if (st == SYSTOLE_OK) st = drv_mem_write(dev, out->addr, hout, (size_t)out_n);
  if (hin) dev->hal->host_free(dev->hal->ctx, hin);
  if (hout) dev->hal->host_free(dev->hal->ctx, hout);
  return st;
}

systole_status_t systole_maxpool2d(systole_dev_t *dev, const systole_pool_params_t *p,
                                   const systole_buf_t *in, const systole_buf_t *out) {
  return pool_host(dev, p, in, out, 1);
}

systole_status_t systole_avgpool2d(systole_dev_t *dev, const systole_pool_params_t *p,
                                   const systole_buf_t *in, const systole_buf_t *out) {
  return pool_host(dev, p, in, out, 0);
}

systole_status_t systole_add(systole_dev_t *dev, const systole_add_params_t *p, size_t n,
                             const systole_buf_t *in1, const systole_buf_t *in2,
                             const systole_buf_t *out) {
  systole_ref_add_params_t rp;
  int8_t *a, *b;
  systole_status_t st;
  int rc;
  if (!dev_ready(dev) || !p || !in1 || !in2 || !out || n == 0) return SYSTOLE_BAD_ARG;
  if (!drv_buf_ok(dev, in1) || !drv_buf_ok(dev, in2) || !drv_buf_ok(dev, out)) return SYSTOLE_BAD_ARG;
  if (n > in1->bytes || n > in2->bytes || n > out->bytes) return SYSTOLE_BAD_ARG;
  if (!is_i8(p->in1_zp) || !is_i8(p->in2_zp) || !is_i8(p->out_zp) || !is_i8(p->act_min) ||
      !is_i8(p->act_max) || p->act_min > p->act_max || p->left_shift < 0 || p->left_shift > 23)
    return SYSTOLE_BAD_ARG;
  if (!dev->hal->host_alloc || !dev->hal->host_free) return SYSTOLE_UNSUPPORTED;
  rp.in1_zp = p->in1_zp;
  rp.in2_zp = p->in2_zp;
  rp.out_zp = p->out_zp;
  rp.left_shift = p->left_shift;
  rp.in1_mult = p->in1_mult;
  rp.in1_shift = p->in1_shift;
  rp.in2_mult = p->in2_mult;
  rp.in2_shift = p->in2_shift;
  rp.out_mult = p->out_mult;
  rp.out_shift = p->out_shift;
  rp.act_min = p->act_min;
  rp.act_max = p->act_max;
  a = (int8_t *)dev->hal->host_alloc(dev->hal->ctx, n);
  b = (int8_t *)dev->hal->host_alloc(dev->hal->ctx, n);
  st = (a && b) ? SYSTOLE_OK : SYSTOLE_NO_MEM;
  if (st == SYSTOLE_OK) st = drv_mem_read(dev, in1->addr, a, n);
  if (st == SYSTOLE_OK) st = drv_mem_read(dev, in2->addr, b, n);
  if (st == SYSTOLE_OK) {
    rc = systole_ref_add_i8(&rp, n, a, b, a);
    if (rc != SYSTOLE_REF_OK) st = SYSTOLE_BAD_ARG;
  }
  if (st == SYSTOLE_OK) st = drv_mem_write(dev, out->addr, a, n);
  if (a) dev->hal->host_free(dev->hal->ctx, a);
  if (b) dev->hal->host_free(dev->hal->ctx, b);
  return st;
}
