/* systole_gemm.c — the tiler: turns a GEMM (or a list of independent GEMMs sharing M)
 * into a pipelined LD/EX/ST command stream. See docs/driver.md, "Tiling".
 *
 *   block  = m_blk rows x nt n-tiles, accumulated in one half of the accumulator
 *            (block b uses half b%2, so the STOREs of block b overlap block b+1);
 *   chunk  = kc k-tiles of a block: the A lines (m_blk per k-tile) and the nt*kc weight
 *            tiles, in one half of the scratchpad (chunk c uses half c%2, so the LOADs of
 *            chunk c+1 overlap the MATMULs of chunk c).
 *
 * Tokens per segment (a run of blocks sharing one qparam table load):
 *   LD last of chunk c  --ld2ex-->  EX first of chunk c
 *   EX last of chunk c  --ex2ld-->  LD first of chunk c+2   (only if c+2 exists)
 *   EX last of block b  --ex2st-->  ST first of block b
 *   ST last of block b  --st2ex-->  EX first of block b+2   (only if b+2 exists)
 * Every wait refers to a command earlier in the ring, so in-order dispatch into bounded
 * queues cannot deadlock; the LOADs of chunk c+1 are interleaved with the MATMULs of chunk
 * c so that neither queue starves behind the other.
 */
#include "systole_internal.h"

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

systole_status_t drv_gemm_plan(const systole_dev_t *dev, drv_gemm_t *gm) {
  uint32_t R = dev->caps.rows, C = dev->caps.cols;
  uint32_t SH = dev->spad_half, AH = dev->acc_half, QPL = dev->caps.qparam_lines;
  uint32_t m_pref, kc_pref, kc_fit, nchunks;
  if (gm->M == 0 || gm->KT == 0 || gm->NT == 0 || AH == 0 || SH == 0) return SYSTOLE_UNSUPPORTED;
  m_pref = dev->cfg.m_block ? dev->cfg.m_block : 64u;
  if (!dev->cfg.m_block && m_pref < R + 2 * C) m_pref = R + 2 * C;
  gm->m_blk = min_u32(min_u32(gm->M, m_pref), min_u32(AH, 65535u));
  gm->nt = min_u32(min_u32(gm->NT, AH / gm->m_blk), QPL);
  if (gm->nt == 0) gm->nt = 1;
  /* the chunk must fit in half the scratchpad: kc*(m_blk + nt*C) lines */
  while ((uint64_t)gm->m_blk + (uint64_t)gm->nt * C > SH) {
    if (gm->nt > 1)
      gm->nt--;
    else if (gm->m_blk > 1)
      gm->m_blk /= 2;
    else
      return SYSTOLE_UNSUPPORTED;
  }
  kc_fit = SH / (gm->m_blk + gm->nt * C);
  kc_pref = dev->cfg.k_chunk ? dev->cfg.k_chunk : 8u;
  gm->kc = min_u32(min_u32(gm->KT, kc_fit), kc_pref);
  if (gm->kc == 0) gm->kc = 1;
  nchunks = ceil_div(gm->KT, gm->kc);
  gm->kc = ceil_div(gm->KT, nchunks); /* balance the chunks */
  return SYSTOLE_OK;
}

typedef struct {
  uint32_t g, j0, ntb, m0, mr, kt0, kcc, b;
  int first_in_block, last_in_block;
} chunk_t;

typedef struct {
  uint32_t NB, MB, KCN; /* n-blocks per group, m-blocks, chunks per block */
} shape_t;

static void chunk_at(const drv_gemm_t *gm, const shape_t *s, uint32_t u0, uint32_t c,
                     chunk_t *k) {
  uint32_t b = c / s->KCN, ci = c % s->KCN;
  uint32_t u = u0 + b / s->MB, mb = b % s->MB, nb = u % s->NB;
  k->g = u / s->NB;
  k->j0 = nb * gm->nt;
  k->ntb = min_u32(gm->nt, gm->NT - k->j0);
  k->m0 = mb * gm->m_blk;
  k->mr = min_u32(gm->m_blk, gm->M - k->m0);
  k->kt0 = ci * gm->kc;
  k->kcc = min_u32(gm->kc, gm->KT - k->kt0);
  k->b = b;
  k->first_in_block = (ci == 0);
  k->last_in_block = (ci + 1 == s->KCN);
}

/* LOAD generator of one chunk: A lines of every k-tile, then the weight tiles. */
typedef struct {
  int phase;
  int walking; /* phase 0: w is set up for k-tile kt */
  uint32_t kt, cursor, j;
  drv_a_walk_t w;
} ld_it_t;

static void ld_init(ld_it_t *it) {
  it->phase = 0;
  it->walking = 0;
  it->kt = 0;
  it->cursor = 0;
  it->j = 0;
}

/* Builds the chunk's next LOADs (without dependency bits) into out[0 ... max-1]; returns
 * how many, fewer than max only at the end of the chunk. */
static uint32_t ld_gen(const drv_gemm_t *gm, uint32_t cols, const chunk_t *k, uint32_t base,
                       ld_it_t *it, systole_cmd_t *out, uint32_t max) {
  uint32_t n = 0;
  while (n < max) {
    if (it->phase == 0) {
      if (it->kt < k->kcc) {
        if (!it->walking) {
          gm->a_begin(gm, k->g, k->kt0 + it->kt, k->m0, k->m0 + k->mr,
                      base + it->kt * gm->m_blk, &it->w);
          it->walking = 1;
        }
        if (it->w.m < it->w.m_end) {
          uint32_t got = gm->a_fill(gm, &it->w, out + n, max - n);
          if (got == 0) it->w.m = it->w.m_end; /* defensive */
          n += got;
          continue;
        }
        it->kt++;
        it->walking = 0;
        continue;
      }
      it->phase = 1;
      it->j = 0;
      it->cursor = 0;
    }
    if (it->phase == 1) {
      if (it->j < k->ntb) {
        if (it->cursor < k->kcc) {
          uint32_t before = it->cursor;
          gm->w_next(gm, k->g, k->j0 + it->j, k->kt0, k->kcc, &it->cursor,
                     base + gm->kc * gm->m_blk + it->j * gm->kc * cols, out + n);
          n++;
          if (it->cursor <= before) it->cursor = k->kcc;
          continue;
        }
        it->j++;
        it->cursor = 0;
        continue;
      }
      it->phase = 2;
    }
    break;
  }
  return n;
}

/* The LOADs of one chunk, each computed once, in batches: the first GEMM_LD_BUF are built
 * when the chunk is queued (the tiler needs the chunk's LOAD count before it emits the
 * first), a longer chunk counts the rest on a copy of the generator and builds them again,
 * a batch at a time, as they are emitted. */
#define GEMM_LD_BUF 64u

typedef struct {
  const chunk_t *k;
  uint32_t base;
  uint32_t n;          /* LOADs of the chunk */
  uint32_t nbuf, next; /* built into buf, next one to emit */
  ld_it_t it;          /* positioned after the built ones */
  systole_cmd_t buf[GEMM_LD_BUF];
} ld_queue_t;

static void ldq_fill(const drv_gemm_t *gm, uint32_t cols, const chunk_t *k, uint32_t base,
                     ld_queue_t *q) {
  q->k = k;
  q->base = base;
  q->next = 0;
  ld_init(&q->it);
  q->n = q->nbuf = ld_gen(gm, cols, k, base, &q->it, q->buf, GEMM_LD_BUF);
  if (q->nbuf == GEMM_LD_BUF) {
    ld_it_t it = q->it;
    systole_cmd_t scratch[8];
    uint32_t got;
    while ((got = ld_gen(gm, cols, k, base, &it, scratch, 8)) != 0) q->n += got;
  }
}

/* Emits the chunk's LOADs up to (not including) number upto, from number *li on: the first
 * with first_deps, the last (number n-1) with SIG_NEXT. */
static systole_status_t ldq_emit(systole_dev_t *dev, const drv_gemm_t *gm, ld_queue_t *q,
                                 uint32_t *li, uint32_t upto, unsigned first_deps) {
  while (*li < upto) {
    uint32_t k;
    systole_cmd_t *run;
    if (q->next == q->nbuf) { /* the next batch (chunks longer than the buffer) */
      q->nbuf = ld_gen(gm, dev->caps.cols, q->k, q->base, &q->it, q->buf, GEMM_LD_BUF);
      q->next = 0;
      if (q->nbuf == 0) break;
    }
    run = &q->buf[q->next];
    k = q->nbuf - q->next;
    if (k > upto - *li) k = upto - *li;
    if (*li == 0) run[0].w[0] |= first_deps;
    if (*li + k == q->n) run[k - 1].w[0] |= SYSTOLE_DEP_SIG_NEXT;
    DRV_CHECK(drv_push_n(dev, run, k));
    q->next += k;
    *li += k;
  }
  return SYSTOLE_OK;
}

static systole_status_t emit_segment(systole_dev_t *dev, const drv_gemm_t *gm, const shape_t *s,
                                     uint32_t u0, uint32_t u1, ld_queue_t *q) {
  uint32_t C = dev->caps.cols, SH = dev->spad_half, AH = dev->acc_half;
  uint32_t nblocks = (u1 - u0) * s->MB, nchunks = nblocks * s->KCN, c;
  uint32_t q0, q1;
  chunk_t cur, nxt;
  /* qparam lines of the segment: [line(u0), line(u1-1) + ntb) */
  {
    chunk_t a, z;
    systole_load_t l;
    systole_cmd_t cmd;
    chunk_at(gm, s, u0, 0, &a);
    chunk_at(gm, s, u0, nchunks - 1, &z);
    q0 = a.g * gm->NT + a.j0;
    q1 = z.g * gm->NT + z.j0 + z.ntb;
    memset(&l, 0, sizeof(l));
    l.target = SYSTOLE_TARGET_QPARAM;
    l.rows = (uint16_t)(q1 - q0);
    l.src = gm->q_addr + q0 * C * 16u;
    l.src_stride = C * 16u;
    l.row_bytes = (uint16_t)(C * 16u);
    l.dst_line = 0;
    l.dst_stride = 1;
    cmd = systole_cmd_load(&l, 0);
    DRV_CHECK(drv_push(dev, &cmd));
  }
  chunk_at(gm, s, u0, 0, &cur);
  ldq_fill(gm, C, &cur, 0, q);
  {
    uint32_t li = 0;
    DRV_CHECK(ldq_emit(dev, gm, q, &li, q->n, 0)); /* all LOADs of chunk 0 */
  }
  for (c = 0; c < nchunks; c++) {
    uint32_t base = (c % 2) * SH, nbase = ((c + 1) % 2) * SH;
    uint32_t acc_base = (cur.b % 2) * AH;
    uint32_t L = 0, E = cur.ntb * cur.kcc, e, li = 0, j = 0, kt = 0;
    uint32_t Lq, Lr, tq = 0, tr = 0; /* LOAD target of MATMUL e: floor((e+1) * L / E) */
    unsigned first_deps = c + 1 >= 2 ? SYSTOLE_DEP_WAIT_NEXT : 0; /* of the next chunk's LOADs */
    systole_cmd_t cmd;
    int has_next = (c + 1 < nchunks);
    if (has_next) {
      chunk_at(gm, s, u0, c + 1, &nxt);
      ldq_fill(gm, C, &nxt, nbase, q);
      L = q->n;
    }
    Lq = L / E;
    Lr = L % E;
    for (e = 0; e < E; e++) {
      systole_matmul_t m;
      unsigned deps = 0;
      tq += Lq;
      tr += Lr;
      if (tr >= E) {
        tr -= E;
        tq++;
      }
      DRV_CHECK(ldq_emit(dev, gm, q, &li, tq, first_deps));
      m.accumulate = (cur.kt0 + kt) != 0;
      m.load_w = 1;
      m.rows = (uint16_t)cur.mr;
      m.a_line = (uint16_t)(base + kt * gm->m_blk);
      m.a_stride = 1;
      m.acc_line = (uint16_t)(acc_base + j * gm->m_blk);
      m.acc_stride = 1;
      m.w_line = (uint16_t)(base + gm->kc * gm->m_blk + (j * gm->kc + kt) * C);
      if (e == 0) {
        deps |= SYSTOLE_DEP_WAIT_PREV;
        if (cur.first_in_block && cur.b >= 2) deps |= SYSTOLE_DEP_WAIT_NEXT;
      }
      if (e + 1 == E) {
        if (c + 2 < nchunks) deps |= SYSTOLE_DEP_SIG_PREV;
        if (cur.last_in_block) deps |= SYSTOLE_DEP_SIG_NEXT;
      }
      cmd = systole_cmd_matmul(&m, deps);
      DRV_CHECK(drv_push(dev, &cmd));
      if (++kt == cur.kcc) {
        kt = 0;
        j++;
      }
    }
    /* LOADs left over (none unless L > E rounding) */
    DRV_CHECK(ldq_emit(dev, gm, q, &li, L, first_deps));
    if (cur.last_in_block) {
      uint32_t jj;
      for (jj = 0; jj < cur.ntb; jj++) {
        systole_store_t st;
        unsigned deps = 0;
        uint32_t ch0 = cur.g * gm->N + (cur.j0 + jj) * C; /* channel over all groups */
        uint32_t gN = min_u32(gm->N, gm->n_total - cur.g * gm->N);
        st.raw = gm->raw;
        st.bias = 1;
        st.rows = (uint16_t)cur.mr;
        st.dst = gm->out_addr + cur.m0 * gm->out_row_stride + ch0 * gm->esz;
        st.dst_stride = gm->out_row_stride;
        st.channels = (uint16_t)min_u32(C, gN - (cur.j0 + jj) * C);
        st.src_line = (uint16_t)(acc_base + jj * gm->m_blk);
        st.src_stride = 1;
        st.qp_line = (uint16_t)(cur.g * gm->NT + cur.j0 + jj - q0);
        if (jj == 0) deps |= SYSTOLE_DEP_WAIT_PREV;
        if (jj + 1 == cur.ntb && cur.b + 2 < nblocks) deps |= SYSTOLE_DEP_SIG_PREV;
        cmd = systole_cmd_store(&st, deps);
        DRV_CHECK(drv_push(dev, &cmd));
      }
    }
    if (has_next) cur = nxt;
  }
  return SYSTOLE_OK;
}

systole_status_t drv_gemm_emit(systole_dev_t *dev, const drv_gemm_t *gm) {
  shape_t s;
  ld_queue_t q;
  uint32_t U, u0, QPL = dev->caps.qparam_lines;
  systole_cmd_t cfg = systole_cmd_config_output(gm->out_zp, gm->act_min, gm->act_max);
  s.NB = ceil_div(gm->NT, gm->nt);
  s.MB = ceil_div(gm->M, gm->m_blk);
  s.KCN = ceil_div(gm->KT, gm->kc);
  U = gm->ggroups * s.NB;
  DRV_CHECK(drv_push(dev, &cfg));
  u0 = 0;
  while (u0 < U) {
    /* extend the segment while its qparam lines fit in the table */
    uint32_t u1 = u0 + 1;
    uint32_t first = (u0 / s.NB) * gm->NT + (u0 % s.NB) * gm->nt;
    while (u1 < U) {
      uint32_t g = u1 / s.NB, j0 = (u1 % s.NB) * gm->nt;
      uint32_t end = g * gm->NT + j0 + min_u32(gm->nt, gm->NT - j0);
      if (end - first > QPL) break;
      u1++;
    }
    if (u0 != 0) {
      systole_cmd_t f = systole_cmd_simple(SYSTOLE_OP_FENCE);
      DRV_CHECK(drv_push(dev, &f));
    }
    DRV_CHECK(emit_segment(dev, gm, &s, u0, u1, &q));
    u0 = u1;
  }
  return SYSTOLE_OK;
}
