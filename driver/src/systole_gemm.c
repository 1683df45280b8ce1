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

/* LOAD iterator of one chunk: A lines of every k-tile, then the weight tiles. */
typedef struct {
  int phase;
  uint32_t kt, cursor, j;
} ld_it_t;

static int ld_next(const drv_gemm_t *gm, uint32_t cols, const chunk_t *k, uint32_t base,
                   ld_it_t *it, systole_load_t *l) {
  for (;;) {
    if (it->phase == 0) {
      if (it->kt < k->kcc) {
        if (it->cursor < k->m0 + k->mr) {
          uint32_t before = it->cursor;
          gm->a_next(gm, k->g, k->kt0 + it->kt, k->m0, k->m0 + k->mr, &it->cursor,
                     base + it->kt * gm->m_blk, l);
          if (it->cursor <= before) it->cursor = k->m0 + k->mr; /* defensive */
          return 1;
        }
        it->kt++;
        it->cursor = k->m0;
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
                     base + gm->kc * gm->m_blk + it->j * gm->kc * cols, l);
          if (it->cursor <= before) it->cursor = k->kcc;
          return 1;
        }
        it->j++;
        it->cursor = 0;
        continue;
      }
      it->phase = 2;
    }
    return 0;
  }
}

static void ld_init(ld_it_t *it, const chunk_t *k) {
  memset(it, 0, sizeof(*it));
  it->cursor = k->m0;
}

static uint32_t ld_count(const drv_gemm_t *gm, uint32_t cols, const chunk_t *k, uint32_t base) {
  ld_it_t it;
  systole_load_t l;
  uint32_t n = 0;
  ld_init(&it, k);
  while (ld_next(gm, cols, k, base, &it, &l)) n++;
  return n;
}

static systole_status_t push_load(systole_dev_t *dev, const systole_load_t *l, unsigned deps) {
  systole_cmd_t c = systole_cmd_load(l, deps);
  return drv_push(dev, &c);
}

/* All LOADs of chunk c (used for the first chunk of a segment). */
static systole_status_t emit_ld_all(systole_dev_t *dev, const drv_gemm_t *gm, const chunk_t *k,
                                    uint32_t c, uint32_t base) {
  uint32_t n = ld_count(gm, dev->caps.cols, k, base), i = 0;
  ld_it_t it;
  systole_load_t l;
  ld_init(&it, k);
  while (ld_next(gm, dev->caps.cols, k, base, &it, &l)) {
    unsigned deps = 0;
    if (i == 0 && c >= 2) deps |= SYSTOLE_DEP_WAIT_NEXT;
    if (i + 1 == n) deps |= SYSTOLE_DEP_SIG_NEXT;
    DRV_CHECK(push_load(dev, &l, deps));
    i++;
  }
  return SYSTOLE_OK;
}

static systole_status_t emit_segment(systole_dev_t *dev, const drv_gemm_t *gm, const shape_t *s,
                                     uint32_t u0, uint32_t u1) {
  uint32_t C = dev->caps.cols, SH = dev->spad_half, AH = dev->acc_half;
  uint32_t nblocks = (u1 - u0) * s->MB, nchunks = nblocks * s->KCN, c;
  uint32_t q0, q1;
  chunk_t cur, nxt;
  /* qparam lines of the segment: [line(u0), line(u1-1) + ntb) */
  {
    chunk_t a, z;
    systole_load_t l;
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
    DRV_CHECK(push_load(dev, &l, 0));
  }
  chunk_at(gm, s, u0, 0, &cur);
  DRV_CHECK(emit_ld_all(dev, gm, &cur, 0, 0));
  for (c = 0; c < nchunks; c++) {
    uint32_t base = (c % 2) * SH, nbase = ((c + 1) % 2) * SH;
    uint32_t acc_base = (cur.b % 2) * AH;
    uint32_t L = 0, E = cur.ntb * cur.kcc, e, li = 0;
    ld_it_t it;
    systole_load_t l;
    int has_next = (c + 1 < nchunks);
    memset(&nxt, 0, sizeof(nxt));
    memset(&it, 0, sizeof(it));
    if (has_next) {
      chunk_at(gm, s, u0, c + 1, &nxt);
      L = ld_count(gm, C, &nxt, nbase);
      ld_init(&it, &nxt);
    }
    for (e = 0; e < E; e++) {
      uint32_t j = e / cur.kcc, kt = e % cur.kcc;
      uint64_t target = (uint64_t)(e + 1) * L / E;
      systole_matmul_t m;
      systole_cmd_t cmd;
      unsigned deps = 0;
      while (li < target && ld_next(gm, C, &nxt, nbase, &it, &l)) {
        unsigned d = 0;
        if (li == 0 && c + 1 >= 2) d |= SYSTOLE_DEP_WAIT_NEXT;
        if (li + 1 == L) d |= SYSTOLE_DEP_SIG_NEXT;
        DRV_CHECK(push_load(dev, &l, d));
        li++;
      }
      memset(&m, 0, sizeof(m));
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
    }
    /* LOADs left over (none unless L > E rounding) */
    while (li < L && ld_next(gm, C, &nxt, nbase, &it, &l)) {
      unsigned d = 0;
      if (li == 0 && c + 1 >= 2) d |= SYSTOLE_DEP_WAIT_NEXT;
      if (li + 1 == L) d |= SYSTOLE_DEP_SIG_NEXT;
      DRV_CHECK(push_load(dev, &l, d));
      li++;
    }
    if (cur.last_in_block) {
      uint32_t j;
      for (j = 0; j < cur.ntb; j++) {
        systole_store_t st;
        systole_cmd_t cmd;
        unsigned deps = 0;
        uint32_t ch0 = cur.g * gm->N + (cur.j0 + j) * C; /* channel over all groups */
        uint32_t gN = min_u32(gm->N, gm->n_total - cur.g * gm->N);
        memset(&st, 0, sizeof(st));
        st.raw = gm->raw;
        st.bias = 1;
        st.rows = (uint16_t)cur.mr;
        st.dst = gm->out_addr + cur.m0 * gm->out_row_stride + ch0 * gm->esz;
        st.dst_stride = gm->out_row_stride;
        st.channels = (uint16_t)min_u32(C, gN - (cur.j0 + j) * C);
        st.src_line = (uint16_t)(acc_base + j * gm->m_blk);
        st.src_stride = 1;
        st.qp_line = (uint16_t)(cur.g * gm->NT + cur.j0 + j - q0);
        if (j == 0) deps |= SYSTOLE_DEP_WAIT_PREV;
        if (j + 1 == cur.ntb && cur.b + 2 < nblocks) deps |= SYSTOLE_DEP_SIG_PREV;
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
    DRV_CHECK(emit_segment(dev, gm, &s, u0, u1));
    u0 = u1;
  }
  return SYSTOLE_OK;
}
