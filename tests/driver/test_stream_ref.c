/* Command streams of the driver, byte for byte, against a slow reference.
 *
 * The reference is the straightforward generator the driver had before its command
 * generation was made cheap for the SoC's RV32IM core: the division-based implicit-im2col
 * address of every LOAD, each chunk's LOADs computed twice (once to count them), the 64-bit
 * shift-and-or command builders and the byte-wise serialiser. It is kept here verbatim
 * (ref_*), independent of the driver's internals, and the driver must produce exactly its
 * streams (every byte of every command, in order) for random matmul and conv2d jobs
 * (grouped, depthwise, strided, dilated, padded, batched, near the top of the 32-bit
 * address space, small rings, tiny memories, many segments) through a mock HAL that records
 * what lands in the ring. The command builders are compared with the reference builders on
 * random fields, and for attention jobs (whose generator is not duplicated here) the ring
 * bytes are checked against the reference serialisation of the traced commands.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systole.h"
#include "systole_cmd.h"
#include "systole_regs.h"

/* check's ck_assert_* report the location of every passing assertion through a pipe (a
 * system call each): the loops below, millions of checks, fail through ck_abort_msg only. */
#define REQUIRE(cond, ...)                  \
  do {                                      \
    if (!(cond)) ck_abort_msg(__VA_ARGS__); \
  } while (0)

/* ---- random numbers --------------------------------------------------------------------- */

static uint64_t g_rng = 0x5eed5eed12345ull;

static uint32_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return (uint32_t)(g_rng >> 16);
}
static uint32_t rnd_in(uint32_t lo, uint32_t hi) { return lo + rnd() % (hi - lo + 1); } /* [lo, hi] */
static uint64_t rnd64(void) { return ((uint64_t)rnd() << 32) ^ rnd() ^ ((uint64_t)rnd() << 17); }

/* ---- the reference (the pre-optimisation generator, verbatim apart from the ref_ names) --- */

static systole_cmd_t ref_cmd_load(const systole_load_t *l, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = (uint64_t)SYSTOLE_OP_LOAD | deps | ((uint64_t)(l->target & 3u) << 12) |
           ((uint64_t)l->rows << 16) | ((uint64_t)l->src << 32);
  c.w[1] = (uint64_t)l->src_stride | ((uint64_t)l->row_bytes << 32) |
           ((uint64_t)l->dst_line << 48);
  c.w[2] = (uint64_t)l->dst_stride | ((uint64_t)l->dst_off << 16) |
           ((uint64_t)l->pad_byte << 24) | ((uint64_t)l->pad_before << 32) |
           ((uint64_t)l->pad_after << 48);
  c.w[3] = 0;
  return c;
}

static systole_cmd_t ref_cmd_store(const systole_store_t *s, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = (uint64_t)SYSTOLE_OP_STORE | deps | ((uint64_t)(s->raw ? 1u : 0u) << 12) |
           ((uint64_t)(s->bias ? 1u : 0u) << 13) | ((uint64_t)s->rows << 16) |
           ((uint64_t)s->dst << 32);
  c.w[1] = (uint64_t)s->dst_stride | ((uint64_t)s->channels << 32) |
           ((uint64_t)s->src_line << 48);
  c.w[2] = (uint64_t)s->src_stride | ((uint64_t)s->qp_line << 16);
  c.w[3] = 0;
  return c;
}

static systole_cmd_t ref_cmd_matmul(const systole_matmul_t *m, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = (uint64_t)SYSTOLE_OP_MATMUL | deps | ((uint64_t)(m->accumulate ? 1u : 0u) << 12) |
           ((uint64_t)(m->load_w ? 1u : 0u) << 13) | ((uint64_t)m->rows << 16) |
           ((uint64_t)m->a_line << 32) | ((uint64_t)m->a_stride << 48);
  c.w[1] = (uint64_t)m->acc_line | ((uint64_t)m->acc_stride << 16) |
           ((uint64_t)m->w_line << 32);
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

static systole_cmd_t ref_cmd_config_output(int8_t out_zp, int8_t act_min, int8_t act_max) {
  systole_cmd_t c;
  c.w[0] = (uint64_t)SYSTOLE_OP_CONFIG | ((uint64_t)SYSTOLE_CONFIG_ST_OUTPUT << 16);
  c.w[1] = (uint64_t)(uint8_t)out_zp | ((uint64_t)(uint8_t)act_min << 8) |
           ((uint64_t)(uint8_t)act_max << 16);
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

static systole_cmd_t ref_cmd_config_ex_zp(int8_t a_zp, int8_t w_zp) {
  systole_cmd_t c;
  c.w[0] = (uint64_t)SYSTOLE_OP_CONFIG | ((uint64_t)SYSTOLE_CONFIG_EX_ZP << 16);
  c.w[1] = (uint64_t)(uint8_t)a_zp | ((uint64_t)(uint8_t)w_zp << 8);
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

static systole_cmd_t ref_cmd_softmax(const systole_softmax_t *s, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = (uint64_t)SYSTOLE_OP_SOFTMAX | deps | ((uint64_t)(s->causal ? 1u : 0u) << 12) |
           ((uint64_t)(s->to_acc ? 1u : 0u) << 13) | ((uint64_t)s->rows << 16) |
           ((uint64_t)s->acc_line << 32) | ((uint64_t)s->acc_tstride << 48);
  c.w[1] = (uint64_t)s->n_keys | ((uint64_t)s->spad_line << 16) |
           ((uint64_t)s->spad_tstride << 32) | ((uint64_t)s->q_pos << 48);
  c.w[2] = (uint64_t)(uint32_t)s->mult | ((uint64_t)(uint8_t)s->shift << 32) |
           ((uint64_t)(s->mode & 3u) << 40) | ((uint64_t)(s->first ? 1u : 0u) << 42) |
           ((uint64_t)s->stats_line << 48);
  c.w[3] = (uint64_t)s->key_base | ((uint64_t)s->q_pos_hi << 32);
  return c;
}

static systole_cmd_t ref_cmd_simple(unsigned opcode) {
  systole_cmd_t c;
  c.w[0] = opcode & 0xffu;
  c.w[1] = 0;
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

static void ref_cmd_to_bytes(const systole_cmd_t *c, uint8_t out[32]) {
  unsigned i, b;
  for (i = 0; i < 4; i++)
    for (b = 0; b < 8; b++) out[i * 8 + b] = (uint8_t)(c->w[i] >> (8 * b));
}

/* the reference stream */
typedef struct {
  systole_cmd_t *c;
  size_t n, cap;
} ref_stream_t;

static void ref_push(ref_stream_t *s, const systole_cmd_t *c) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->c = realloc(s->c, s->cap * sizeof(*s->c));
    ck_assert_ptr_nonnull(s->c);
  }
  s->c[s->n++] = *c;
}

typedef struct ref_gemm ref_gemm_t;
typedef void (*ref_a_next_fn)(const ref_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                              uint32_t m_end, uint32_t *cursor, uint32_t dst_line,
                              systole_load_t *out);
typedef void (*ref_w_next_fn)(const ref_gemm_t *gm, uint32_t g, uint32_t j, uint32_t kt0,
                              uint32_t kc, uint32_t *cursor, uint32_t dst_line,
                              systole_load_t *out);

struct ref_gemm {
  uint32_t M, ggroups, KT, NT, N, n_total;
  ref_a_next_fn a_next;
  ref_w_next_fn w_next;
  const void *ctx;
  uint32_t out_addr, out_row_stride, esz;
  int raw;
  int8_t out_zp, act_min, act_max;
  uint32_t q_addr;
  uint32_t m_blk, nt, kc;
};

/* the device as the tiler sees it */
typedef struct {
  uint32_t rows, cols, spad_half, acc_half, qparam_lines, m_block, k_chunk;
} ref_dev_t;

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static int ref_gemm_plan(const ref_dev_t *dev, ref_gemm_t *gm) {
  uint32_t R = dev->rows, C = dev->cols;
  uint32_t SH = dev->spad_half, AH = dev->acc_half, QPL = dev->qparam_lines;
  uint32_t m_pref, kc_pref, kc_fit, nchunks;
  if (gm->M == 0 || gm->KT == 0 || gm->NT == 0 || AH == 0 || SH == 0) return 0;
  m_pref = dev->m_block ? dev->m_block : 64u;
  if (!dev->m_block && m_pref < R + 2 * C) m_pref = R + 2 * C;
  gm->m_blk = min_u32(min_u32(gm->M, m_pref), min_u32(AH, 65535u));
  gm->nt = min_u32(min_u32(gm->NT, AH / gm->m_blk), QPL);
  if (gm->nt == 0) gm->nt = 1;
  while ((uint64_t)gm->m_blk + (uint64_t)gm->nt * C > SH) {
    if (gm->nt > 1)
      gm->nt--;
    else if (gm->m_blk > 1)
      gm->m_blk /= 2;
    else
      return 0;
  }
  kc_fit = SH / (gm->m_blk + gm->nt * C);
  kc_pref = dev->k_chunk ? dev->k_chunk : 8u;
  gm->kc = min_u32(min_u32(gm->KT, kc_fit), kc_pref);
  if (gm->kc == 0) gm->kc = 1;
  nchunks = ceil_div(gm->KT, gm->kc);
  gm->kc = ceil_div(gm->KT, nchunks);
  return 1;
}

typedef struct {
  uint32_t g, j0, ntb, m0, mr, kt0, kcc, b;
  int first_in_block, last_in_block;
} ref_chunk_t;

typedef struct {
  uint32_t NB, MB, KCN;
} ref_shape_t;

static void ref_chunk_at(const ref_gemm_t *gm, const ref_shape_t *s, uint32_t u0, uint32_t c,
                         ref_chunk_t *k) {
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

typedef struct {
  int phase;
  uint32_t kt, cursor, j;
} ref_ld_it_t;

static int ref_ld_next(const ref_gemm_t *gm, uint32_t cols, const ref_chunk_t *k, uint32_t base,
                       ref_ld_it_t *it, systole_load_t *l) {
  for (;;) {
    if (it->phase == 0) {
      if (it->kt < k->kcc) {
        if (it->cursor < k->m0 + k->mr) {
          uint32_t before = it->cursor;
          gm->a_next(gm, k->g, k->kt0 + it->kt, k->m0, k->m0 + k->mr, &it->cursor,
                     base + it->kt * gm->m_blk, l);
          if (it->cursor <= before) it->cursor = k->m0 + k->mr;
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

static void ref_ld_init(ref_ld_it_t *it, const ref_chunk_t *k) {
  memset(it, 0, sizeof(*it));
  it->cursor = k->m0;
}

static uint32_t ref_ld_count(const ref_gemm_t *gm, uint32_t cols, const ref_chunk_t *k,
                             uint32_t base) {
  ref_ld_it_t it;
  systole_load_t l;
  uint32_t n = 0;
  ref_ld_init(&it, k);
  while (ref_ld_next(gm, cols, k, base, &it, &l)) n++;
  return n;
}

static void ref_push_load(ref_stream_t *out, const systole_load_t *l, unsigned deps) {
  systole_cmd_t c = ref_cmd_load(l, deps);
  ref_push(out, &c);
}

static void ref_emit_ld_all(ref_stream_t *out, const ref_dev_t *dev, const ref_gemm_t *gm,
                            const ref_chunk_t *k, uint32_t c, uint32_t base) {
  uint32_t n = ref_ld_count(gm, dev->cols, k, base), i = 0;
  ref_ld_it_t it;
  systole_load_t l;
  ref_ld_init(&it, k);
  while (ref_ld_next(gm, dev->cols, k, base, &it, &l)) {
    unsigned deps = 0;
    if (i == 0 && c >= 2) deps |= SYSTOLE_DEP_WAIT_NEXT;
    if (i + 1 == n) deps |= SYSTOLE_DEP_SIG_NEXT;
    ref_push_load(out, &l, deps);
    i++;
  }
}

static void ref_emit_segment(ref_stream_t *out, const ref_dev_t *dev, const ref_gemm_t *gm,
                             const ref_shape_t *s, uint32_t u0, uint32_t u1) {
  uint32_t C = dev->cols, SH = dev->spad_half, AH = dev->acc_half;
  uint32_t nblocks = (u1 - u0) * s->MB, nchunks = nblocks * s->KCN, c;
  uint32_t q0, q1;
  ref_chunk_t cur, nxt;
  {
    ref_chunk_t a, z;
    systole_load_t l;
    ref_chunk_at(gm, s, u0, 0, &a);
    ref_chunk_at(gm, s, u0, nchunks - 1, &z);
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
    ref_push_load(out, &l, 0);
  }
  ref_chunk_at(gm, s, u0, 0, &cur);
  ref_emit_ld_all(out, dev, gm, &cur, 0, 0);
  for (c = 0; c < nchunks; c++) {
    uint32_t base = (c % 2) * SH, nbase = ((c + 1) % 2) * SH;
    uint32_t acc_base = (cur.b % 2) * AH;
    uint32_t L = 0, E = cur.ntb * cur.kcc, e, li = 0;
    ref_ld_it_t it;
    systole_load_t l;
    int has_next = (c + 1 < nchunks);
    memset(&nxt, 0, sizeof(nxt));
    memset(&it, 0, sizeof(it));
    if (has_next) {
      ref_chunk_at(gm, s, u0, c + 1, &nxt);
      L = ref_ld_count(gm, C, &nxt, nbase);
      ref_ld_init(&it, &nxt);
    }
    for (e = 0; e < E; e++) {
      uint32_t j = e / cur.kcc, kt = e % cur.kcc;
      uint64_t target = (uint64_t)(e + 1) * L / E;
      systole_matmul_t m;
      systole_cmd_t cmd;
      unsigned deps = 0;
      while (li < target && ref_ld_next(gm, C, &nxt, nbase, &it, &l)) {
        unsigned d = 0;
        if (li == 0 && c + 1 >= 2) d |= SYSTOLE_DEP_WAIT_NEXT;
        if (li + 1 == L) d |= SYSTOLE_DEP_SIG_NEXT;
        ref_push_load(out, &l, d);
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
      cmd = ref_cmd_matmul(&m, deps);
      ref_push(out, &cmd);
    }
    while (li < L && ref_ld_next(gm, C, &nxt, nbase, &it, &l)) {
      unsigned d = 0;
      if (li == 0 && c + 1 >= 2) d |= SYSTOLE_DEP_WAIT_NEXT;
      if (li + 1 == L) d |= SYSTOLE_DEP_SIG_NEXT;
      ref_push_load(out, &l, d);
      li++;
    }
    if (cur.last_in_block) {
      uint32_t j;
      for (j = 0; j < cur.ntb; j++) {
        systole_store_t st;
        systole_cmd_t cmd;
        unsigned deps = 0;
        uint32_t ch0 = cur.g * gm->N + (cur.j0 + j) * C;
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
        cmd = ref_cmd_store(&st, deps);
        ref_push(out, &cmd);
      }
    }
    if (has_next) cur = nxt;
  }
}

/* The whole job: CONFIG, the segments (FENCE between), the closing IRQ. */
static void ref_gemm_job(ref_stream_t *out, const ref_dev_t *dev, const ref_gemm_t *gm) {
  ref_shape_t s;
  uint32_t U, u0, QPL = dev->qparam_lines;
  systole_cmd_t cfg = ref_cmd_config_output(gm->out_zp, gm->act_min, gm->act_max), irq;
  s.NB = ceil_div(gm->NT, gm->nt);
  s.MB = ceil_div(gm->M, gm->m_blk);
  s.KCN = ceil_div(gm->KT, gm->kc);
  U = gm->ggroups * s.NB;
  ref_push(out, &cfg);
  u0 = 0;
  while (u0 < U) {
    uint32_t u1 = u0 + 1;
    uint32_t first = (u0 / s.NB) * gm->NT + (u0 % s.NB) * gm->nt;
    while (u1 < U) {
      uint32_t g = u1 / s.NB, j0 = (u1 % s.NB) * gm->nt;
      uint32_t end = g * gm->NT + j0 + min_u32(gm->nt, gm->NT - j0);
      if (end - first > QPL) break;
      u1++;
    }
    if (u0 != 0) {
      systole_cmd_t f = ref_cmd_simple(SYSTOLE_OP_FENCE);
      ref_push(out, &f);
    }
    ref_emit_segment(out, dev, gm, &s, u0, u1);
    u0 = u1;
  }
  irq = ref_cmd_simple(SYSTOLE_OP_IRQ);
  ref_push(out, &irq);
}

/* A and W sources */
typedef struct {
  const systole_packed_t *pk;
  uint32_t a_addr, lda, K, R;
} ref_mm_ctx_t;

static void ref_mm_a_next(const ref_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                          uint32_t m_end, uint32_t *cursor, uint32_t dst_line, systole_load_t *l) {
  const ref_mm_ctx_t *c = (const ref_mm_ctx_t *)gm->ctx;
  uint32_t m = *cursor;
  (void)g;
  memset(l, 0, sizeof(*l));
  l->target = SYSTOLE_TARGET_SPAD;
  l->rows = (uint16_t)(m_end - m);
  l->src = c->a_addr + m * c->lda + kt * c->R;
  l->src_stride = c->lda;
  l->row_bytes = (uint16_t)min_u32(c->R, c->K - kt * c->R);
  l->dst_line = (uint16_t)(dst_line + (m - m_begin));
  l->dst_stride = 1;
  *cursor = m_end;
}

static void ref_packed_w_next(const ref_gemm_t *gm, uint32_t g, uint32_t j, uint32_t kt0,
                              uint32_t kc, uint32_t *cursor, uint32_t dst_line,
                              systole_load_t *l) {
  const systole_packed_t *pk = *(const systole_packed_t *const *)gm->ctx;
  uint32_t R = pk->rows, C = pk->cols, i = *cursor;
  memset(l, 0, sizeof(*l));
  l->target = SYSTOLE_TARGET_SPAD;
  l->rows = (uint16_t)((kc - i) * C);
  l->src = pk->w.addr + (((g * pk->NT + j) * pk->KT + kt0 + i) * C) * R;
  l->src_stride = R;
  l->row_bytes = (uint16_t)R;
  l->dst_line = (uint16_t)(dst_line + i * C);
  l->dst_stride = 1;
  *cursor = kc;
}

typedef struct {
  const systole_packed_t *pk;
  const systole_conv2d_params_t *p;
  uint32_t in_addr, OH, OW, cin_g, CT, D, R;
  int dw;
} ref_conv_ctx_t;

static void ref_pad_load(systole_load_t *l, uint32_t rows, uint32_t src, uint32_t cw,
                         uint32_t dst, int32_t zp) {
  memset(l, 0, sizeof(*l));
  l->target = SYSTOLE_TARGET_SPAD;
  l->rows = (uint16_t)rows;
  l->src = src;
  l->src_stride = 0;
  l->row_bytes = (uint16_t)cw;
  l->dst_line = (uint16_t)dst;
  l->dst_stride = 1;
  l->pad_byte = (uint8_t)zp;
  l->pad_before = (uint16_t)rows;
}

static int64_t ref_floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void ref_conv_a_next(const ref_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                            uint32_t m_end, uint32_t *cursor, uint32_t dst_line,
                            systole_load_t *l) {
  const ref_conv_ctx_t *c = (const ref_conv_ctx_t *)gm->ctx;
  const systole_conv2d_params_t *p = c->p;
  uint32_t t, c0, cw, ky, kx, m = *cursor, b, rem, oy, ox, seg, dst;
  int64_t iy, off, lo, hi;
  if (c->dw) {
    t = kt;
    c0 = g * c->D;
    cw = min_u32(c->D, (uint32_t)p->in_c - c0);
  } else {
    t = kt / c->CT;
    c0 = g * c->cin_g + (kt % c->CT) * c->R;
    cw = min_u32(c->R, c->cin_g - (kt % c->CT) * c->R);
  }
  ky = t / (uint32_t)p->k_w;
  kx = t % (uint32_t)p->k_w;
  b = m / (c->OH * c->OW);
  rem = m % (c->OH * c->OW);
  oy = rem / c->OW;
  ox = rem % c->OW;
  seg = min_u32(m_end - m, c->OW - ox);
  dst = dst_line + (m - m_begin);
  iy = (int64_t)oy * p->stride_h - p->pad_top + (int64_t)ky * p->dil_h;
  if (iy < 0 || iy >= p->in_h) {
    ref_pad_load(l, seg, c->in_addr, cw, dst, p->in_zp);
    *cursor = m + seg;
    return;
  }
  off = (int64_t)kx * p->dil_w - p->pad_left;
  lo = off >= 0 ? 0 : -ref_floor_div(off, p->stride_w);
  hi = ref_floor_div((int64_t)p->in_w - 1 - off, p->stride_w);
  if ((int64_t)ox < lo) {
    uint32_t n = (uint32_t)(lo - (int64_t)ox);
    if (n > seg || hi < lo) n = seg;
    ref_pad_load(l, n, c->in_addr, cw, dst, p->in_zp);
    *cursor = m + n;
    return;
  }
  if ((int64_t)ox > hi) {
    ref_pad_load(l, seg, c->in_addr, cw, dst, p->in_zp);
    *cursor = m + seg;
    return;
  }
  {
    int64_t last = (int64_t)ox + seg - 1;
    uint32_t nvalid = (uint32_t)((last < hi ? last : hi) - (int64_t)ox + 1);
    uint32_t trailing = seg - nvalid;
    uint64_t ix = (uint64_t)((int64_t)ox * p->stride_w + off);
    uint64_t src = c->in_addr + ((((uint64_t)b * (uint32_t)p->in_h + (uint64_t)iy) *
                                      (uint32_t)p->in_w + ix) *
                                     (uint32_t)p->in_c + c0);
    uint64_t stride = (uint64_t)p->stride_w * (uint32_t)p->in_c;
    uint32_t rows = seg;
    if (src + (uint64_t)(seg - 1) * stride + cw > 0x100000000ull) {
      rows = nvalid;
      trailing = 0;
    }
    memset(l, 0, sizeof(*l));
    l->target = SYSTOLE_TARGET_SPAD;
    l->rows = (uint16_t)rows;
    l->src = (uint32_t)src;
    l->src_stride = (uint32_t)stride;
    l->row_bytes = (uint16_t)cw;
    l->dst_line = (uint16_t)dst;
    l->dst_stride = 1;
    l->pad_byte = (uint8_t)p->in_zp;
    l->pad_after = (uint16_t)trailing;
    *cursor = m + rows;
  }
}

static ref_dev_t ref_dev_of(const systole_caps_t *caps, const systole_dev_config_t *cfg) {
  ref_dev_t d;
  d.rows = caps->rows;
  d.cols = caps->cols;
  d.spad_half = caps->spad_lines / 2;
  d.acc_half = caps->acc_lines / 2;
  d.qparam_lines = caps->qparam_lines;
  d.m_block = cfg->m_block;
  d.k_chunk = cfg->k_chunk;
  return d;
}

/* Reference stream of systole_matmul; 0 if the plan does not fit (UNSUPPORTED). */
static int ref_matmul_stream(ref_stream_t *out, const ref_dev_t *dev,
                             const systole_matmul_job_t *job) {
  const systole_packed_t *pk = job->b;
  ref_mm_ctx_t ctx;
  ref_gemm_t gm;
  uint32_t esz = job->raw_output ? 4 : 1;
  memset(&ctx, 0, sizeof(ctx));
  ctx.pk = pk;
  ctx.a_addr = job->a->addr;
  ctx.lda = job->lda;
  ctx.K = pk->K;
  ctx.R = dev->rows;
  memset(&gm, 0, sizeof(gm));
  gm.M = job->M;
  gm.ggroups = 1;
  gm.KT = pk->KT;
  gm.NT = pk->NT;
  gm.N = pk->N;
  gm.n_total = pk->N;
  gm.a_next = ref_mm_a_next;
  gm.w_next = ref_packed_w_next;
  gm.ctx = &ctx;
  gm.out_addr = job->c->addr;
  gm.out_row_stride = job->ldc * esz;
  gm.esz = esz;
  gm.raw = job->raw_output;
  gm.out_zp = (int8_t)(job->raw_output ? 0 : job->out_zp);
  gm.act_min = (int8_t)(job->raw_output ? -128 : job->act_min);
  gm.act_max = (int8_t)(job->raw_output ? 127 : job->act_max);
  gm.q_addr = pk->q.addr;
  if (!ref_gemm_plan(dev, &gm)) return 0;
  ref_gemm_job(out, dev, &gm);
  return 1;
}

static int ref_conv_stream(ref_stream_t *out, const ref_dev_t *dev,
                           const systole_conv2d_params_t *p, uint32_t in_addr,
                           const systole_packed_t *pk, uint32_t out_addr, int raw) {
  ref_conv_ctx_t ctx;
  ref_gemm_t gm;
  int oh, ow;
  uint32_t esz = raw ? 4 : 1;
  ck_assert_int_eq(systole_conv2d_out_size(p, &oh, &ow), SYSTOLE_OK);
  memset(&ctx, 0, sizeof(ctx));
  ctx.pk = pk;
  ctx.p = p;
  ctx.in_addr = in_addr;
  ctx.OH = (uint32_t)oh;
  ctx.OW = (uint32_t)ow;
  ctx.cin_g = (uint32_t)(p->in_c / p->groups);
  ctx.CT = pk->ct;
  ctx.R = dev->rows;
  ctx.D = min_u32(dev->rows, dev->cols);
  ctx.dw = pk->kind == SYSTOLE_PACK_DEPTHWISE;
  memset(&gm, 0, sizeof(gm));
  gm.M = (uint32_t)((uint64_t)p->batch * (uint32_t)oh * (uint32_t)ow);
  gm.ggroups = pk->ggroups;
  gm.KT = pk->KT;
  gm.NT = pk->NT;
  gm.N = pk->N;
  gm.n_total = (uint32_t)p->out_c;
  gm.a_next = ref_conv_a_next;
  gm.w_next = ref_packed_w_next;
  gm.ctx = &ctx;
  gm.out_addr = out_addr;
  gm.out_row_stride = (uint32_t)p->out_c * esz;
  gm.esz = esz;
  gm.raw = raw;
  gm.out_zp = (int8_t)(raw ? 0 : p->out_zp);
  gm.act_min = (int8_t)(raw ? -128 : p->act_min);
  gm.act_max = (int8_t)(raw ? 127 : p->act_max);
  gm.q_addr = pk->q.addr;
  if (!ref_gemm_plan(dev, &gm)) return 0;
  ref_gemm_job(out, dev, &gm);
  return 1;
}

/* ---- the mock: a chip that consumes each command when RING_TAIL moves, keeping its bytes -- */

typedef struct {
  uint32_t regs[1024];
  uint8_t *mem;
  uint32_t base, bytes, brk;
  int top_alloc; /* the next allocation ends exactly at the end of memory */
  int irq_pending;
  uint32_t head;
  uint8_t (*ring)[32]; /* every command consumed, as the chip read it */
  size_t nring, capring;
  systole_cmd_t *trace; /* every command the trace hook saw */
  size_t ntrace, captrace;
  unsigned rows, cols, spad_bytes, acc_bytes, qp_lines;
  systole_hal_t hal;
} mock_t;

static int m_reg_read(void *ctx, uint32_t off, uint32_t *v) {
  mock_t *m = (mock_t *)ctx;
  if (off >= 4096 || (off & 3)) return -1;
  switch (off) {
    case SYSTOLE_REG_ID: *v = 0x53595354u; break;
    case SYSTOLE_REG_CFG_ARRAY: *v = (m->cols << 16) | m->rows; break;
    case SYSTOLE_REG_CFG_SPAD: *v = m->spad_bytes; break;
    case SYSTOLE_REG_CFG_ACC: *v = m->acc_bytes; break;
    case SYSTOLE_REG_CFG_BUS: *v = (32u << 16) | 64u; break;
    case SYSTOLE_REG_CFG_MISC: *v = (32u << 24) | (8u << 16) | m->qp_lines; break;
    case SYSTOLE_REG_STATUS: *v = 1u; break;
    case SYSTOLE_REG_RING_HEAD: *v = m->head; break;
    case SYSTOLE_REG_IRQ_STATUS:
      *v = m->irq_pending ? (1u << SYSTOLE_IRQ_STATUS_CMD_SHIFT) : 0u;
      break;
    default: *v = m->regs[off / 4]; break;
  }
  return 0;
}

static int m_reg_write(void *ctx, uint32_t off, uint32_t v) {
  mock_t *m = (mock_t *)ctx;
  if (off >= 4096 || (off & 3)) return -1;
  m->regs[off / 4] = v;
  if (off == SYSTOLE_REG_IRQ_STATUS && (v & 4u)) m->irq_pending = 0;
  if (off == SYSTOLE_REG_CTRL && (v & 1u)) {
    m->head = 0;
    m->regs[SYSTOLE_REG_RING_TAIL / 4] = 0;
  }
  if (off == SYSTOLE_REG_RING_TAIL) {
    uint32_t slots = m->regs[SYSTOLE_REG_RING_SIZE / 4], rb = m->regs[SYSTOLE_REG_RING_BASE / 4];
    REQUIRE(v < slots, "RING_TAIL %u outside the ring (%u slots)", (unsigned)v, (unsigned)slots);
    while (m->head != v) {
      const uint8_t *p = m->mem + (rb - m->base) + m->head * 32u;
      if (m->nring == m->capring) {
        m->capring = m->capring ? 2 * m->capring : 4096;
        m->ring = realloc(m->ring, m->capring * sizeof(*m->ring));
        ck_assert_ptr_nonnull(m->ring);
      }
      memcpy(m->ring[m->nring++], p, 32);
      if (p[0] == SYSTOLE_OP_IRQ) m->irq_pending = 1;
      m->head = (m->head + 1) % slots;
    }
  }
  return 0;
}

static int m_alloc(void *ctx, size_t bytes, size_t align, uint32_t *a) {
  mock_t *m = (mock_t *)ctx;
  uint64_t end = (uint64_t)m->base + m->bytes;
  uint64_t p = ((uint64_t)m->brk + align - 1) & ~((uint64_t)align - 1);
  if (m->top_alloc) {
    m->top_alloc = 0;
    if (bytes > end - m->brk) return -1;
    p = end - bytes; /* deliberately unaligned if need be: the tensor ends at 2^32 */
  }
  if (p + bytes > end) return -1;
  *a = (uint32_t)p;
  m->brk = (uint32_t)(p + bytes);
  return 0;
}

static int m_free(void *ctx, uint32_t a) {
  (void)ctx;
  (void)a;
  return 0;
}

static int m_write(void *ctx, uint32_t a, const void *src, size_t n) {
  mock_t *m = (mock_t *)ctx;
  if (a < m->base || (uint64_t)a + n > (uint64_t)m->base + m->bytes) return -1;
  memcpy(m->mem + (a - m->base), src, n);
  return 0;
}

static int m_read(void *ctx, uint32_t a, void *dst, size_t n) {
  mock_t *m = (mock_t *)ctx;
  if (a < m->base || (uint64_t)a + n > (uint64_t)m->base + m->bytes) return -1;
  memcpy(dst, m->mem + (a - m->base), n);
  return 0;
}

static int m_wait(void *ctx, unsigned what, uint64_t budget, unsigned *reached) {
  mock_t *m = (mock_t *)ctx;
  (void)budget;
  *reached = what & (SYSTOLE_HAL_WAIT_IDLE | (m->irq_pending ? SYSTOLE_HAL_WAIT_IRQ : 0u));
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

static void m_trace(void *ctx, const uint64_t cmd[4]) {
  mock_t *m = (mock_t *)ctx;
  if (m->ntrace == m->captrace) {
    m->captrace = m->captrace ? 2 * m->captrace : 4096;
    m->trace = realloc(m->trace, m->captrace * sizeof(*m->trace));
    ck_assert_ptr_nonnull(m->trace);
  }
  memcpy(m->trace[m->ntrace++].w, cmd, sizeof(m->trace[0].w));
}

/* bytes of memory at base (base + bytes <= 2^32) */
static mock_t *mock_new(unsigned rows, unsigned cols, uint32_t base, uint32_t bytes) {
  mock_t *m = calloc(1, sizeof(*m));
  ck_assert_ptr_nonnull(m);
  m->mem = calloc(1, bytes);
  ck_assert_ptr_nonnull(m->mem);
  m->base = m->brk = base;
  m->bytes = bytes;
  m->rows = rows;
  m->cols = cols;
  m->spad_bytes = 65536;
  m->acc_bytes = 16384;
  m->qp_lines = 64;
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
  m->hal.mem_base = base;
  m->hal.mem_size = bytes;
  return m;
}

static void mock_free(mock_t *m) {
  free(m->mem);
  free(m->ring);
  free(m->trace);
  free(m);
}

#define OK(expr)                                                                          \
  do {                                                                                    \
    systole_status_t st_ = (expr);                                                        \
    ck_assert_msg(st_ == SYSTOLE_OK, "%s: %s", #expr, systole_status_str(st_));           \
  } while (0)

/* The job's ring bytes and traced words (from ring0 / trace0 on) equal the reference's. */
static void check_against(const mock_t *m, size_t ring0, size_t trace0, const ref_stream_t *r,
                          const char *what) {
  size_t i;
  REQUIRE(m->nring - ring0 == r->n, "%s: %zu commands in the ring, reference %zu", what,
                m->nring - ring0, r->n);
  REQUIRE(m->ntrace - trace0 == r->n, "%s: %zu commands traced, reference %zu", what,
                m->ntrace - trace0, r->n);
  for (i = 0; i < r->n; i++) {
    uint8_t want[32];
    const systole_cmd_t *t = &m->trace[trace0 + i];
    ref_cmd_to_bytes(&r->c[i], want);
    REQUIRE(memcmp(m->ring[ring0 + i], want, 32) == 0 && t->w[0] == r->c[i].w[0] &&
                t->w[1] == r->c[i].w[1] && t->w[2] == r->c[i].w[2] && t->w[3] == r->c[i].w[3],
            "%s: command %zu of %zu differs: reference %016llx %016llx %016llx %016llx, "
            "traced %016llx %016llx %016llx %016llx",
            what, i, r->n, (unsigned long long)r->c[i].w[0], (unsigned long long)r->c[i].w[1],
            (unsigned long long)r->c[i].w[2], (unsigned long long)r->c[i].w[3],
            (unsigned long long)t->w[0], (unsigned long long)t->w[1],
            (unsigned long long)t->w[2], (unsigned long long)t->w[3]);
  }
}

/* Every ring command from ring0 on is the reference serialisation of the traced one. */
static void check_ring_is_trace(const mock_t *m, size_t ring0, size_t trace0, const char *what) {
  size_t i, n = m->nring - ring0;
  REQUIRE(n == m->ntrace - trace0, "%s: %zu commands in the ring, %zu traced", what, n,
          m->ntrace - trace0);
  for (i = 0; i < n; i++) {
    uint8_t want[32];
    ref_cmd_to_bytes(&m->trace[trace0 + i], want);
    REQUIRE(memcmp(m->ring[ring0 + i], want, 32) == 0, "%s: ring command %zu differs", what,
                  i);
  }
}

/* A device with random memories, ring and tiling preferences. */
typedef struct {
  unsigned R, C;
  systole_dev_config_t cfg;
  unsigned spad_bytes, acc_bytes, qp_lines;
  int high; /* memory ending at 2^32 */
} dev_shape_t;

static dev_shape_t random_dev(void) {
  static const unsigned arr[][2] = {{8, 8}, {4, 4}, {16, 16}, {8, 4}, {4, 8}, {3, 5}, {2, 7}};
  dev_shape_t d;
  unsigned a = rnd() % (sizeof(arr) / sizeof(arr[0]));
  memset(&d, 0, sizeof(d));
  d.R = arr[a][0];
  d.C = arr[a][1];
  d.cfg.ring_slots = (rnd() % 3 == 0) ? 0 : rnd_in(8, 300);
  d.cfg.m_block = (rnd() % 2) ? 0 : rnd_in(1, 150);
  d.cfg.k_chunk = (rnd() % 2) ? 0 : rnd_in(1, 12);
  switch (rnd() % 3) { /* lines of the memories: plenty, small, tiny */
    case 0: d.spad_bytes = 65536; d.acc_bytes = 16384; break;
    case 1: d.spad_bytes = d.R * rnd_in(64, 1024); d.acc_bytes = 4u * d.C * rnd_in(16, 256); break;
    default: d.spad_bytes = d.R * rnd_in(8, 64); d.acc_bytes = 4u * d.C * rnd_in(2, 16); break;
  }
  d.qp_lines = (rnd() % 2) ? 64 : rnd_in(1, 8);
  d.high = rnd() % 4 == 0;
  return d;
}

static mock_t *open_dev(const dev_shape_t *d, systole_dev_t *dev, uint32_t mem_bytes) {
  mock_t *m = mock_new(d->R, d->C, d->high ? (uint32_t)(0x100000000ull - mem_bytes) : 0x10000u,
                       mem_bytes);
  m->spad_bytes = d->spad_bytes;
  m->acc_bytes = d->acc_bytes;
  m->qp_lines = d->qp_lines;
  OK(systole_dev_open(dev, &m->hal, &d->cfg));
  OK(systole_dev_set_trace(dev, m_trace, m));
  return m;
}

static void random_i8(int8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) p[i] = (int8_t)rnd();
}

static void random_qparams(int32_t *bias, int32_t *mult, int32_t *shift, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    bias[i] = (int32_t)(rnd() % 20001) - 10000;
    mult[i] = (int32_t)(0x40000000u + rnd() % 0x3fffffffu);
    shift[i] = (int32_t)(rnd() % 12) - 10;
  }
}

static void random_outstage(int32_t *zp, int32_t *mn, int32_t *mx) {
  int32_t a = (int32_t)(rnd() % 256) - 128, b = (int32_t)(rnd() % 256) - 128;
  *zp = (int32_t)(rnd() % 256) - 128;
  *mn = a < b ? a : b;
  *mx = a < b ? b : a;
}

/* ---- the cases ---------------------------------------------------------------------------- */

static unsigned g_unsupported; /* plans that did not fit (driver and reference agreed) */

static void matmul_case(const dev_shape_t *d, uint32_t M, uint32_t K, uint32_t N) {
  systole_dev_t dev;
  mock_t *m = open_dev(d, &dev, 1u << 20);
  systole_caps_t caps;
  systole_packed_t pk;
  systole_buf_t a, c;
  systole_matmul_job_t job;
  ref_stream_t r = {NULL, 0, 0};
  ref_dev_t rd;
  int8_t *B = malloc((size_t)K * N);
  int32_t *bias = malloc(N * 4u), *mult = malloc(N * 4u), *shift = malloc(N * 4u);
  int32_t a_zp = (int32_t)(rnd() % 256) - 128;
  size_t ring0, trace0;
  systole_status_t st;
  char what[160];
  ck_assert(B && bias && mult && shift);
  random_i8(B, (size_t)K * N);
  random_qparams(bias, mult, shift, N);
  OK(systole_dev_caps(&dev, &caps));
  OK(systole_matmul_weights_pack(&dev, K, N, B, (rnd() & 1) ? SYSTOLE_PACK_B_TRANSPOSED : 0,
                                 bias, mult, shift, a_zp, &pk));
  memset(&job, 0, sizeof(job));
  job.M = M;
  job.lda = K + rnd() % 4;
  job.ldc = N + rnd() % 4;
  job.a_zp = a_zp;
  job.b = &pk;
  job.raw_output = rnd() % 3 == 0;
  random_outstage(&job.out_zp, &job.act_min, &job.act_max);
  OK(systole_buf_alloc(&dev, (size_t)job.ldc * M * (job.raw_output ? 4 : 1), &c));
  m->top_alloc = d->high;
  OK(systole_buf_alloc(&dev, (size_t)job.lda * (M - 1) + K, &a));
  job.a = &a;
  job.c = &c;
  snprintf(what, sizeof(what), "matmul %ux%u M %u K %u N %u lda %u ldc %u raw %d ring %u "
           "m_block %u k_chunk %u spad %u acc %u qpl %u high %d", d->R, d->C, M, K, N, job.lda,
           job.ldc, job.raw_output, d->cfg.ring_slots, d->cfg.m_block, d->cfg.k_chunk,
           d->spad_bytes, d->acc_bytes, d->qp_lines, d->high);
  rd = ref_dev_of(&caps, &d->cfg);
  ring0 = m->nring;
  trace0 = m->ntrace;
  st = systole_matmul(&dev, &job, NULL);
  if (!ref_matmul_stream(&r, &rd, &job)) {
    ck_assert_msg(st == SYSTOLE_UNSUPPORTED, "%s: reference plan unsupported, driver %s", what,
                  systole_status_str(st));
    g_unsupported++;
  } else {
    ck_assert_msg(st == SYSTOLE_OK, "%s: %s", what, systole_status_str(st));
    check_against(m, ring0, trace0, &r, what);
  }
  OK(systole_packed_free(&dev, &pk));
  OK(systole_dev_close(&dev));
  free(r.c);
  free(B);
  free(bias);
  free(mult);
  free(shift);
  mock_free(m);
}

static void conv_case(const dev_shape_t *d, const systole_conv2d_params_t *p0) {
  systole_conv2d_params_t p = *p0;
  systole_dev_t dev;
  mock_t *m = open_dev(d, &dev, 1u << 20);
  systole_caps_t caps;
  systole_packed_t pk;
  systole_buf_t in, out;
  ref_stream_t r = {NULL, 0, 0};
  ref_dev_t rd;
  int oh, ow, raw = rnd() % 3 == 0;
  size_t nw = (size_t)p.out_c * p.k_h * p.k_w * (p.in_c / p.groups), ring0, trace0;
  int8_t *w = malloc(nw);
  int32_t *bias = malloc((size_t)p.out_c * 4), *mult = malloc((size_t)p.out_c * 4),
          *shift = malloc((size_t)p.out_c * 4);
  systole_status_t st;
  char what[300];
  ck_assert(w && bias && mult && shift);
  ck_assert_int_eq(systole_conv2d_out_size(&p, &oh, &ow), SYSTOLE_OK);
  random_i8(w, nw);
  random_qparams(bias, mult, shift, (size_t)p.out_c);
  OK(systole_dev_caps(&dev, &caps));
  OK(systole_conv2d_weights_pack(&dev, &p, w, bias, mult, shift, &pk));
  OK(systole_buf_alloc(&dev, (size_t)p.batch * oh * ow * p.out_c * (raw ? 4 : 1), &out));
  m->top_alloc = d->high;
  OK(systole_buf_alloc(&dev, (size_t)p.batch * p.in_h * p.in_w * p.in_c, &in));
  snprintf(what, sizeof(what),
           "conv %ux%u b%d %dx%dx%d -> %d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d g%d raw %d "
           "ring %u m_block %u k_chunk %u spad %u acc %u qpl %u high %d",
           d->R, d->C, p.batch, p.in_h, p.in_w, p.in_c, p.out_c, p.k_h, p.k_w, p.stride_h,
           p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_bottom, p.pad_left, p.pad_right,
           p.groups, raw, d->cfg.ring_slots, d->cfg.m_block, d->cfg.k_chunk, d->spad_bytes,
           d->acc_bytes, d->qp_lines, d->high);
  rd = ref_dev_of(&caps, &d->cfg);
  ring0 = m->nring;
  trace0 = m->ntrace;
  st = systole_conv2d(&dev, &p, &in, &pk, &out, raw, NULL);
  if (!ref_conv_stream(&r, &rd, &p, in.addr, &pk, out.addr, raw)) {
    ck_assert_msg(st == SYSTOLE_UNSUPPORTED, "%s: reference plan unsupported, driver %s", what,
                  systole_status_str(st));
    g_unsupported++;
  } else {
    ck_assert_msg(st == SYSTOLE_OK, "%s: %s", what, systole_status_str(st));
    check_against(m, ring0, trace0, &r, what);
  }
  OK(systole_packed_free(&dev, &pk));
  OK(systole_dev_close(&dev));
  free(r.c);
  free(w);
  free(bias);
  free(mult);
  free(shift);
  mock_free(m);
}

static systole_conv2d_params_t random_conv(void) {
  systole_conv2d_params_t p;
  int oh, ow;
  do {
    memset(&p, 0, sizeof(p));
    p.batch = (int)rnd_in(1, 3);
    p.in_h = (int)rnd_in(1, 14);
    p.in_w = (int)rnd_in(1, 14);
    p.k_h = (int)rnd_in(1, 5);
    p.k_w = (int)rnd_in(1, 5);
    p.stride_h = (int)rnd_in(1, 3);
    p.stride_w = (int)rnd_in(1, 3);
    p.dil_h = (int)rnd_in(1, 3);
    p.dil_w = (int)rnd_in(1, 3);
    p.pad_top = (int)rnd_in(0, 4);
    p.pad_bottom = (int)rnd_in(0, 4);
    p.pad_left = (int)rnd_in(0, 5);
    p.pad_right = (int)rnd_in(0, 5);
    switch (rnd() % 4) {
      case 0: /* depthwise */
        p.in_c = p.out_c = (int)rnd_in(1, 40);
        p.groups = p.in_c;
        break;
      case 1: /* grouped */
        p.groups = (int)rnd_in(2, 4);
        p.in_c = p.groups * (int)rnd_in(1, 12);
        p.out_c = p.groups * (int)rnd_in(1, 12);
        break;
      default:
        p.groups = 1;
        p.in_c = (int)rnd_in(1, 40);
        p.out_c = (int)rnd_in(1, 40);
        break;
    }
    p.in_zp = (int32_t)(rnd() % 256) - 128;
    random_outstage(&p.out_zp, &p.act_min, &p.act_max);
  } while (systole_conv2d_out_size(&p, &oh, &ow) != SYSTOLE_OK);
  return p;
}

START_TEST(test_builders) {
  unsigned i;
  for (i = 0; i < 200000; i++) {
    systole_cmd_t a, b;
    uint8_t ba[32], bb[32];
    unsigned deps = rnd() & 0xf00u, k;
    if (i % 7 == 0) deps = rnd(); /* whatever the caller passes */
    switch (i % 7) {
      case 0: {
        systole_load_t l;
        l.target = rnd();
        l.rows = (uint16_t)rnd();
        l.src = rnd() ^ (rnd() << 16);
        l.src_stride = rnd() ^ (rnd() << 16);
        l.row_bytes = (uint16_t)rnd();
        l.dst_line = (uint16_t)rnd();
        l.dst_stride = (uint16_t)rnd();
        l.dst_off = (uint8_t)rnd();
        l.pad_byte = (uint8_t)rnd();
        l.pad_before = (uint16_t)rnd();
        l.pad_after = (uint16_t)rnd();
        a = systole_cmd_load(&l, deps);
        b = ref_cmd_load(&l, deps);
        break;
      }
      case 1: {
        systole_store_t s;
        s.raw = (int)(rnd() % 3) - 1;
        s.bias = (int)(rnd() % 3) - 1;
        s.rows = (uint16_t)rnd();
        s.dst = rnd() ^ (rnd() << 16);
        s.dst_stride = rnd() ^ (rnd() << 16);
        s.channels = (uint16_t)rnd();
        s.src_line = (uint16_t)rnd();
        s.src_stride = (uint16_t)rnd();
        s.qp_line = (uint16_t)rnd();
        a = systole_cmd_store(&s, deps);
        b = ref_cmd_store(&s, deps);
        break;
      }
      case 2: {
        systole_matmul_t mm;
        mm.accumulate = (int)(rnd() % 3) - 1;
        mm.load_w = (int)(rnd() % 3) - 1;
        mm.rows = (uint16_t)rnd();
        mm.a_line = (uint16_t)rnd();
        mm.a_stride = (uint16_t)rnd();
        mm.acc_line = (uint16_t)rnd();
        mm.acc_stride = (uint16_t)rnd();
        mm.w_line = (uint16_t)rnd();
        a = systole_cmd_matmul(&mm, deps);
        b = ref_cmd_matmul(&mm, deps);
        break;
      }
      case 3: {
        int8_t x = (int8_t)rnd(), y = (int8_t)rnd(), z = (int8_t)rnd();
        a = systole_cmd_config_output(x, y, z);
        b = ref_cmd_config_output(x, y, z);
        break;
      }
      case 4: {
        int8_t x = (int8_t)rnd(), y = (int8_t)rnd();
        a = systole_cmd_config_ex_zp(x, y);
        b = ref_cmd_config_ex_zp(x, y);
        break;
      }
      case 5: {
        systole_softmax_t s;
        s.causal = (int)(rnd() % 3) - 1;
        s.to_acc = (int)(rnd() % 3) - 1;
        s.rows = (uint16_t)rnd();
        s.acc_line = (uint16_t)rnd();
        s.acc_tstride = (uint16_t)rnd();
        s.n_keys = (uint16_t)rnd();
        s.spad_line = (uint16_t)rnd();
        s.spad_tstride = (uint16_t)rnd();
        s.q_pos = (uint16_t)rnd();
        s.mult = (int32_t)(rnd() ^ (rnd() << 16));
        s.shift = (int8_t)rnd();
        s.mode = rnd();
        s.first = (int)(rnd() % 3) - 1;
        s.stats_line = (uint16_t)rnd();
        s.key_base = rnd() ^ (rnd() << 16);
        s.q_pos_hi = (uint16_t)rnd();
        a = systole_cmd_softmax(&s, deps);
        b = ref_cmd_softmax(&s, deps);
        break;
      }
      default: {
        unsigned op = rnd();
        a = systole_cmd_simple(op);
        b = ref_cmd_simple(op);
        break;
      }
    }
    for (k = 0; k < 4; k++)
      REQUIRE(a.w[k] == b.w[k], "builder %u word %u: %016llx, reference %016llx", i % 7, k,
                    (unsigned long long)a.w[k], (unsigned long long)b.w[k]);
    /* the serialiser, on the command and on random words */
    systole_cmd_to_bytes(&a, ba);
    ref_cmd_to_bytes(&b, bb);
    REQUIRE(memcmp(ba, bb, 32) == 0, "serialiser differs on builder %u's command", i % 7);
    for (k = 0; k < 4; k++) a.w[k] = rnd64();
    systole_cmd_to_bytes(&a, ba);
    ref_cmd_to_bytes(&a, bb);
    REQUIRE(memcmp(ba, bb, 32) == 0, "serialiser differs on random words");
    REQUIRE(!SYSTOLE_CMD_NATIVE_LE || memcmp(a.w, bb, 32) == 0,
            "SYSTOLE_CMD_NATIVE_LE, but the memory image is not the ring layout");
  }
}
END_TEST

START_TEST(test_stream_matmul_random) {
  unsigned i;
  static const uint32_t fixed[][3] = {{1, 1, 1}, {64, 64, 64}, {300, 70, 33}, {17, 200, 9},
                                      {1000, 8, 8}, {5, 1, 100}};
  dev_shape_t d;
  for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
    d = random_dev();
    matmul_case(&d, fixed[i][0], fixed[i][1], fixed[i][2]);
  }
  for (i = 0; i < 1000; i++) {
    d = random_dev();
    matmul_case(&d, rnd_in(1, 260), rnd_in(1, 90), rnd_in(1, 70));
  }
}
END_TEST

START_TEST(test_stream_conv_random) {
  unsigned i;
  dev_shape_t d;
  systole_conv2d_params_t p;
  /* the firmware benchmark's layer (8x8x8 -> 16, 3x3 SAME) on the default device */
  memset(&d, 0, sizeof(d));
  d.R = d.C = 8;
  d.spad_bytes = 65536;
  d.acc_bytes = 16384;
  d.qp_lines = 64;
  memset(&p, 0, sizeof(p));
  p.batch = 1; p.in_h = p.in_w = 8; p.in_c = 8; p.out_c = 16; p.k_h = p.k_w = 3;
  p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.groups = 1; p.in_zp = -5; p.act_min = 0; p.act_max = 127;
  conv_case(&d, &p);
  d.high = 1; /* the same at the top of the address space */
  conv_case(&d, &p);
  for (i = 0; i < 4000; i++) {
    d = random_dev();
    p = random_conv();
    conv_case(&d, &p);
  }
}
END_TEST

/* Long chunks: more LOADs than the driver buffers per chunk (wide images, few channels). */
START_TEST(test_stream_conv_long_chunks) {
  unsigned i;
  for (i = 0; i < 150; i++) {
    dev_shape_t d = random_dev();
    systole_conv2d_params_t p;
    int oh, ow;
    d.cfg.m_block = rnd_in(100, 400);
    d.cfg.k_chunk = rnd_in(4, 16);
    d.spad_bytes = 65536;
    d.acc_bytes = 65536;
    do {
      p = random_conv();
      p.in_w = (int)rnd_in(1, 5); /* short output rows: many LOADs per k-tile */
      p.in_h = (int)rnd_in(20, 60);
      p.pad_left = (int)rnd_in(1, 3);
      p.pad_right = (int)rnd_in(1, 3);
    } while (systole_conv2d_out_size(&p, &oh, &ow) != SYSTOLE_OK);
    conv_case(&d, &p);
  }
}
END_TEST

/* Attention (its generator is not duplicated here): the ring holds exactly the traced
 * commands, serialised as the reference does. */
START_TEST(test_stream_attention_ring) {
  unsigned i;
  for (i = 0; i < 80; i++) {
    dev_shape_t d;
    systole_dev_t dev;
    mock_t *m;
    systole_buf_t q, k, v, o;
    systole_attention_job_t job;
    uint32_t heads = rnd_in(1, 3), d_head = rnd_in(1, 24), sk = rnd_in(1, 40);
    uint32_t sq = rnd_in(1, sk), pitch = heads * d_head;
    size_t ring0, trace0;
    systole_status_t st;
    memset(&d, 0, sizeof(d));
    d.R = d.C = (rnd() & 1) ? 8 : 4;
    d.cfg.ring_slots = (rnd() % 2) ? 0 : rnd_in(8, 100);
    d.spad_bytes = 65536;
    d.acc_bytes = 16384;
    d.qp_lines = 64;
    d.high = rnd() % 4 == 0;
    m = open_dev(&d, &dev, 1u << 20);
    m->regs[SYSTOLE_REG_CFG_FEATURES / 4] = (rnd() % 3) ? 1u : 0u; /* softmax unit or host */
    OK(systole_buf_alloc(&dev, (size_t)sq * pitch, &q));
    OK(systole_buf_alloc(&dev, (size_t)sk * pitch, &k));
    OK(systole_buf_alloc(&dev, (size_t)sk * pitch, &v));
    OK(systole_buf_alloc(&dev, (size_t)sq * pitch, &o));
    memset(&job, 0, sizeof(job));
    job.heads = heads;
    job.seq_q = sq;
    job.seq_k = sk;
    job.d = d_head;
    job.causal = (int)(rnd() & 1);
    job.q = &q;
    job.k = &k;
    job.v = &v;
    job.out = &o;
    job.q_zp = (int32_t)(rnd() % 256) - 128;
    job.k_zp = (int32_t)(rnd() % 256) - 128;
    job.v_zp = (int32_t)(rnd() % 256) - 128;
    job.sm_mult = 1 << 30;
    job.out_mult = 1 << 30;
    job.out_shift = -(int32_t)rnd_in(0, 8);
    job.act_min = -128;
    job.act_max = 127;
    ring0 = m->nring;
    trace0 = m->ntrace;
    st = systole_attention(&dev, &job, NULL);
    if (st == SYSTOLE_OK) check_ring_is_trace(m, ring0, trace0, "attention");
    else ck_assert_int_eq(st, SYSTOLE_UNSUPPORTED);
    OK(systole_dev_close(&dev));
    mock_free(m);
  }
}
END_TEST

static Suite *stream_ref_suite(void) {
  Suite *s = suite_create("driver_stream_ref");
  TCase *tc = tcase_create("stream_ref");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_builders);
  tcase_add_test(tc, test_stream_matmul_random);
  tcase_add_test(tc, test_stream_conv_random);
  tcase_add_test(tc, test_stream_conv_long_chunks);
  tcase_add_test(tc, test_stream_attention_ring);
  suite_add_tcase(s, tc);
  return s;
}

int main(int argc, char **argv) {
  int failed;
  SRunner *sr;
  uint64_t seed;
  if (argc > 1) g_rng = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull | 1u; /* another seed */
  seed = argc > 1 ? strtoull(argv[1], NULL, 0) : g_rng;
  sr = srunner_create(stream_ref_suite());
  srunner_set_fork_status(sr, CK_NOFORK);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  printf("stream_ref: seed 0x%llx, %u plans did not fit the device (driver agreed)\n",
         (unsigned long long)seed, g_unsupported);
  return failed ? 1 : 0;
}
