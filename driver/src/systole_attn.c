/* systole_attn.c — multi-head attention on the chip (docs/driver.md, "Attention").
 *
 * Per head h and block b of M query rows (blocks are numbered globally, head-major):
 *
 *   EX:  CONFIG EX_ZP(q_zp, k_zp)
 *        QK^T: for key tile jt (Cols keys), d-tile dt: MATMUL a = Q lines (m, dt),
 *              w = K rows jt*Cols..+Cols-1, bytes dt*Rows..+Rows-1 -> acc slot jt
 *        SOFTMAX: acc slots 0..JTb-1 -> probability lines P (m, key group g)
 *        CONFIG EX_ZP(-128, v_zp)
 *        PV:   for key group g, d-tile dt: MATMUL a = P lines (m, g), w = V^T tile (g, dt)
 *              -> acc output slot (W - DT + dt)
 *   LD:  V^T of the head (one byte-wide LOAD per key: line (g, c) byte j mod Rows),
 *        resident for all blocks of the head (two heads' worth when it fits, so the next
 *        head's V^T loads under this head's compute); Q lines of the block; K rows in
 *        chunks of kc key tiles through two chunk slots.
 *        When V^T of a head does not fit, it is streamed instead: per block, NDC d-chunks
 *        of DC d-tiles (the block's visible keys), through nv chunk buffers; the PV MATMULs
 *        run chunk by chunk (key group outer, d-tile inner) and each chunk's STOREs follow
 *        its last PV MATMUL.
 *   ST:  one requantising STORE per d-tile.
 *
 * Chunked rows (a row of scores does not fit the accumulator, or forced by the test hook
 * systole_attn_test_k_keys): per block, three passes over key chunks with SOFTMAX MAX,
 * SUM and PROB (statistics in one accumulator line per query row), QK^T recomputed in each
 * pass, PV per chunk accumulating into the block's output lines; see cblk_t. The same
 * token machinery orders the three queues (gen_ld_c / gen_ex_c / gen_st_c).
 *
 * Accumulator: W = max(JT, DT) slots of M lines, line(m, slot) = slot*M + m; scores of key
 * tile jt in slot jt, outputs of d-tile dt in slot W-DT+dt. The outputs of block b are
 * stored while block b+1 computes its first W-DT key tiles; only MATMULs writing the
 * output slots wait for the STOREs.
 *
 * Dependencies are computed, not hand-placed: three generators (LD, EX, ST) yield their
 * commands in queue order together with what each needs from another queue ("EX op e has
 * finished reading", "LD command l has written"...). A consumer waits for a token only
 * when it needs an event later than the last one it already waited for; the producer
 * gives a token exactly at the events some consumer waits for (found by running a second
 * copy of the consumer's generator ahead). The merge writes the three streams into one
 * ring, every give before its take, LOADs interleaved with the MATMULs in proportion.
 */
#include "systole_internal.h"
#include "systole_regs.h"
#include "systole_softmax_host.h"

#define ATTN_NONE (-1)
#define ATTN_MAX_KEYS 65535u      /* keys per row (chunked rows) */
#define ATTN_MAX_ROW_KEYS 32768u  /* keys of one SOFTMAX (a whole row on the fast path) */

static int dev_ready(const systole_dev_t *dev) { return dev && dev->open && dev->hal; }
static int is_i8(int32_t v) { return v >= -128 && v <= 127; }
static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
static uint32_t umin(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t umax(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint64_t umin64(uint64_t a, uint64_t b) { return a < b ? a : b; }

#define REJECT(dev, st, ...)                 \
  do {                                       \
    drv_set_error((dev), (st), __VA_ARGS__); \
    return (st);                             \
  } while (0)

/* ---- plan ----------------------------------------------------------------------------- */

/* One part of a chip job of the host-softmax path: the PV of one block or its QK^T. */
typedef struct {
  int on;
  int vload;   /* PV with resident V^T: this block loads V^T of its head (its first block) */
  uint32_t h, q0, mb, nkeys;
  uint32_t n;  /* PV: key groups (Rows keys); QK^T: key tiles (Cols keys) */
  uint32_t nu; /* PV: units of gc key groups; QK^T: K chunks of kc key tiles */
} hpart_t;

typedef struct {
  uint32_t R, C;
  uint32_t heads, sq, sk, d, pitch;
  int causal;
  uint32_t q_addr, k_addr, v_addr, o_addr;
  int32_t q_zp, k_zp, v_zp, sm_mult, sm_shift;
  int has_sm, has_pv;
  /* plan */
  uint32_t DT, JT, W, M, BPH, nblocks, nv, kc, tailpad;
  /* V^T: resident per head (vchunked 0: DC = DT, NDC = 1, nv = V buffers of one head) or
   * streamed per block in NDC d-chunks of DC d-tiles (vchunked 1: nv chunk buffers) */
  int vchunked;
  uint32_t DC, NDC;
  uint32_t qbase[2], pbase, vbase[2], kbase[2];
  /* chunked rows (a row of scores does not fit the accumulator): KC keys per chunk, JF key
   * tiles per full chunk; accumulator: outputs (dt) at dt*M, statistics at DT*M, scores of
   * key tile jt of the chunk at (DT+1+jt)*M */
  int chunked;
  uint32_t KC, JF, UK;
  /* host softmax (no SOFTMAX unit, or SYSTOLE_ATTN_HOST_SOFTMAX): see "host softmax" below */
  int host;
  uint32_t DK, DO, G, tailq; /* QK^T d-tiles (Rows), PV output tiles (Cols), key groups */
  uint32_t NS, gc, nob;      /* score slots, key groups per PV unit, PV output buffers */
  uint32_t sbase, pvbase, ulines, spitch, s_addr;
  int vres;                  /* V^T of a head resident (loaded by its first block's PV) */
  uint32_t vrbase;
  hpart_t hpv, hqk;          /* the parts of the current chip job */
} attn_plan_t;

/* Test hook (not in the public header): d-tiles per V^T chunk, forcing the streamed-V^T
 * mode; 0: automatic. */
extern uint32_t systole_attn_test_v_tiles;
uint32_t systole_attn_test_v_tiles = 0;
/* Test hook: keys per chunk, forcing the chunked-row path (MAX / SUM / PROB passes);
 * 0: automatic (chunked only when a row of scores does not fit). */
extern uint32_t systole_attn_test_k_keys;
uint32_t systole_attn_test_k_keys = 0;

/* Scratchpad lines needed besides V^T and K: Q (two blocks) and the probabilities. */
static uint64_t fixed_lines(const attn_plan_t *p, uint32_t M) {
  return 2ull * M * p->DT + (uint64_t)M * p->JT;
}

/* Choose M (query rows per block), the V^T buffers and the K chunk from the device sizes.
 * Fast path: V^T of a whole head resident (two heads' worth when they fit, prefetched
 * across heads) with at least min(M0, 16) rows per block. Otherwise V^T is streamed per
 * block in d-chunks of DC d-tiles (two chunk buffers when they fit), the largest DC that
 * fits with the largest M. */
static systole_status_t attn_plan(systole_dev_t *dev, attn_plan_t *p) {
  uint32_t S = dev->caps.spad_lines, A = dev->caps.acc_lines, C = p->C;
  uint64_t vl = 0, fixed = 0, kchunk;
  uint32_t M, M0, nv = 0, nck, DC = 0;
  int found = 0;
  p->DT = cdiv(p->d, p->R);
  p->JT = cdiv(p->sk, C);
  p->W = umax(p->JT, p->DT);
  p->tailpad = (p->d % p->R) != 0;
  if (p->W > A) {
    drv_set_error(dev, SYSTOLE_UNSUPPORTED,
                  "attention: one query row needs %u accumulator lines (seq_k %u, d %u), the "
                  "chip has %u: seq_k > %u is not supported on this array",
                  (unsigned)p->W, (unsigned)p->sk, (unsigned)p->d, (unsigned)A,
                  (unsigned)(A * C));
    return SYSTOLE_UNSUPPORTED;
  }
  M0 = umin(umin(p->sq, A / p->W), 1024u);
  if (dev->cfg.m_block) M0 = umin(M0, dev->cfg.m_block);
  kchunk = (uint64_t)p->DT * C; /* K lines of one key tile */
  if (!p->has_pv) { /* profiling runs: no V^T */
    for (M = M0;; M /= 2) {
      fixed = fixed_lines(p, M);
      if (fixed + 2 * kchunk <= S || M == 1) break;
    }
    nv = 1;
    DC = p->DT;
    found = fixed + 2 * kchunk <= S;
  } else if (!systole_attn_test_v_tiles) { /* fast path */
    uint32_t Mmin = umin(M0, 16u), n;
    vl = (uint64_t)p->JT * p->DT * C; /* V^T lines of one head */
    DC = p->DT;
    for (M = M0; M >= Mmin; M /= 2) {
      fixed = fixed_lines(p, M);
      for (n = p->heads > 1 ? 2u : 1u; n >= 1 && !found; n--)
        if (fixed + n * vl + 2 * kchunk <= S) {
          nv = n;
          found = 1;
        }
      if (found || M == 1) break;
    }
  }
  if (p->has_pv && !found) { /* V^T streamed per block in d-chunks */
    uint32_t dcmax = systole_attn_test_v_tiles ? umin(systole_attn_test_v_tiles, p->DT) : p->DT;
    uint32_t n, dc;
    p->vchunked = 1;
    for (M = M0;; M /= 2) {
      fixed = fixed_lines(p, M);
      for (dc = dcmax; dc >= 1 && !found; dc--)
        for (n = 2; n >= 1 && !found; n--)
          if (fixed + n * (uint64_t)p->JT * dc * C + 2 * kchunk <= S) {
            nv = n;
            DC = dc;
            found = 1;
          }
      if (found || M == 1) break;
    }
  }
  if (!found) {
    drv_set_error(dev, SYSTOLE_UNSUPPORTED,
                  "attention: one query row, one d-tile of V^T (%llu lines for seq_k %u) and "
                  "two K tiles do not fit the %u-line scratchpad",
                  (unsigned long long)p->JT * C, (unsigned)p->sk, (unsigned)S);
    return SYSTOLE_UNSUPPORTED;
  }
  vl = p->has_pv ? (uint64_t)p->JT * DC * C : 0;
  p->M = M;
  p->nv = nv;
  p->DC = DC;
  p->NDC = cdiv(p->DT, DC);
  if (p->vchunked) { /* balance the chunks */
    p->DC = cdiv(p->DT, p->NDC);
    vl = (uint64_t)p->JT * p->DC * C;
  }
  p->kc = (uint32_t)umin(p->JT, (uint32_t)((S - fixed - nv * vl) / (2 * kchunk)));
  if (dev->cfg.k_chunk) p->kc = umin(p->kc, dev->cfg.k_chunk);
  if (p->kc == 0) p->kc = 1;
  nck = cdiv(p->JT, p->kc);
  p->kc = cdiv(p->JT, nck);
  p->BPH = cdiv(p->sq, M);
  p->nblocks = p->BPH * p->heads;
  p->qbase[0] = 0;
  p->qbase[1] = M * p->DT;
  p->pbase = 2 * M * p->DT;
  p->vbase[0] = p->pbase + M * p->JT;
  p->vbase[1] = p->vbase[0] + (uint32_t)vl;
  p->kbase[0] = p->vbase[0] + nv * (uint32_t)vl;
  p->kbase[1] = p->kbase[0] + p->kc * (uint32_t)kchunk;
  return SYSTOLE_OK;
}

/* Chunked rows: M query rows per block, chunks of KC keys (JF key tiles), V^T of a chunk in
 * NDC d-chunks of DC d-tiles through nv buffers. Accumulator: M * (DT + 1 + JF) lines;
 * scratchpad: Q 2*DT*M, P JF*M, V^T nv*JF*DC*C, K 2*JF*DT*C lines. Prefers the largest M
 * that still gets min(JT, 8) key tiles per chunk. */
static systole_status_t attn_plan_chunked(systole_dev_t *dev, attn_plan_t *p) {
  uint32_t S = dev->caps.spad_lines, A = dev->caps.acc_lines, C = p->C;
  uint32_t JT, M, M0, dcmax, forced = systole_attn_test_k_keys, want;
  uint32_t bM = 0, bJF = 0, bDC = 0, bnv = 0;
  p->chunked = 1;
  p->vchunked = 0;
  p->DT = cdiv(p->d, p->R);
  p->tailpad = (p->d % p->R) != 0;
  p->UK = p->DT + p->tailpad;
  JT = cdiv(p->sk, C);
  if (C < 4)
    REJECT(dev, SYSTOLE_UNSUPPORTED,
           "attention: seq_k %u needs chunked rows (a row of scores does not fit the %u-line "
           "accumulator), which need Cols >= 4 (this array has %u)",
           (unsigned)p->sk, (unsigned)A, (unsigned)C);
  if (!p->has_pv)
    REJECT(dev, SYSTOLE_UNSUPPORTED,
           "attention: profiling modes need a row of scores in the accumulator (seq_k %u)",
           (unsigned)p->sk);
  if (forced) forced = umin(umin(forced, ATTN_MAX_ROW_KEYS), p->sk);
  dcmax = systole_attn_test_v_tiles ? umin(systole_attn_test_v_tiles, p->DT) : p->DT;
  want = umin(JT, 8u);
  M0 = umin(p->sq, 1024u);
  if (dev->cfg.m_block) M0 = umin(M0, dev->cfg.m_block);
  for (M = M0; M >= 1; M /= 2) {
    uint64_t jacc = A / M, fixedl = 2ull * p->DT * M;
    uint32_t jmax, dc, n;
    int ok = 0;
    if (jacc <= (uint64_t)p->DT + 1) continue;
    jmax = (uint32_t)umin((uint32_t)umin64(jacc - p->DT - 1, 0xffffffffu), JT);
    jmax = umin(jmax, ATTN_MAX_ROW_KEYS / C);
    if (dev->cfg.k_chunk && !forced) jmax = umin(jmax, dev->cfg.k_chunk);
    if (forced) {
      if (cdiv(forced, C) > jmax) continue;
      jmax = cdiv(forced, C);
    }
    for (dc = dcmax; dc >= 1 && !ok; dc--)
      for (n = 2; n >= 1 && !ok; n--) {
        uint64_t per = (uint64_t)M + (uint64_t)n * dc * C + 2ull * p->DT * C, jf;
        if (fixedl >= S) break;
        jf = (S - fixedl) / per;
        if (jf > jmax) jf = jmax;
        if (forced && jf < jmax) continue;
        if (jf >= 1 && jf > bJF) {
          bM = M; bJF = (uint32_t)jf; bDC = dc; bnv = n;
        }
        if (jf >= 1 && (jf >= want || forced)) {
          bM = M; bJF = (uint32_t)jf; bDC = dc; bnv = n;
          ok = 1;
        }
      }
    if (ok) break;
  }
  if (!bJF)
    REJECT(dev, SYSTOLE_UNSUPPORTED,
           "attention: chunked rows: one query row with d %u needs more than the %u-line "
           "accumulator / %u-line scratchpad",
           (unsigned)p->d, (unsigned)A, (unsigned)S);
  p->M = bM;
  p->JF = bJF;
  p->KC = forced ? forced : bJF * C;
  p->nv = bnv;
  p->NDC = cdiv(p->DT, bDC);
  p->DC = cdiv(p->DT, p->NDC);
  p->JT = JT;
  p->W = p->DT + 1 + p->JF;
  p->BPH = cdiv(p->sq, p->M);
  p->nblocks = p->BPH * p->heads;
  p->kc = p->JF;
  p->qbase[0] = 0;
  p->qbase[1] = p->M * p->DT;
  p->pbase = 2 * p->M * p->DT;
  p->vbase[0] = p->pbase + p->M * p->JF;
  p->vbase[1] = p->vbase[0] + p->JF * p->DC * C;
  p->kbase[0] = p->vbase[0] + p->nv * p->JF * p->DC * C;
  p->kbase[1] = p->kbase[0] + p->JF * p->DT * C;
  return SYSTOLE_OK;
}

/* ---- blocks ------------------------------------------------------------------------------ */

typedef struct {
  uint32_t b, h, qb, q0, mb, nkeys, jtb, nck;
  int64_t ex_base, ld_base;     /* global index of the block's first EX op / LD command */
  uint64_t chunk_base;          /* global index of the block's first K chunk */
  int64_t chunk_end_prev[2];    /* EX op that last reads the previous chunk / the one before */
  int64_t qk_end_prev[2];       /* last QK op of block b-1 / b-2 */
  int64_t v_ld_end[2];          /* last LD command of the V^T load into V buffer 0/1 */
  int64_t vc_end_prev[2];       /* streamed V^T: EX op that last reads the previous V chunk
                                 * / the one before (their buffers) */
  int vpre, vpost;              /* V^T loads before (head h) / after (head h+1) the units */
  uint32_t nkv;                 /* streamed V^T: keys loaded per chunk (the visible ones) */
} blk_t;

static uint32_t blk_n_ex(const attn_plan_t *p, const blk_t *k) {
  return 1 + k->jtb * p->DT + (p->has_sm ? 1 : 0) + (p->has_pv ? 1 + k->jtb * p->DT : 0);
}
static uint32_t unit_n_ld(const attn_plan_t *p, uint32_t ci) {
  return (ci == 0 ? p->DT : 0) + p->DT + p->tailpad;
}
static uint32_t blk_n_units_ld(const attn_plan_t *p, const blk_t *k) {
  return k->nck * (p->DT + p->tailpad) + p->DT;
}
static uint32_t blk_n_ld(const attn_plan_t *p, const blk_t *k) {
  return (k->vpre + k->vpost) * p->sk + blk_n_units_ld(p, k) +
         (p->vchunked ? p->NDC * k->nkv : 0);
}
/* d-tiles of V^T chunk dc. */
static uint32_t chunk_w(const attn_plan_t *p, uint32_t dc) {
  return umin(p->DC, p->DT - dc * p->DC);
}
/* EX op (global) that last reads V^T chunk dc of block k (its last PV MATMUL). */
static int64_t pv_chunk_end(const attn_plan_t *p, const blk_t *k, uint32_t dc) {
  return k->ex_base + 3 + (int64_t)k->jtb * p->DT +
         (int64_t)k->jtb * umin(p->DT, (dc + 1) * p->DC) - 1;
}
/* EX op after which the V buffer of chunk dc of block k is free (chunk n - nv read). */
static int64_t vbuf_free(const attn_plan_t *p, const blk_t *k, uint32_t dc) {
  if (dc >= p->nv) return pv_chunk_end(p, k, dc - p->nv);
  return k->vc_end_prev[p->nv - dc - 1];
}
/* EX op (global) that last reads chunk ci of block k (its last QK MATMUL). */
static int64_t chunk_end(const attn_plan_t *p, const blk_t *k, uint32_t ci) {
  return k->ex_base + (int64_t)umin(k->jtb, (ci + 1) * p->kc) * p->DT;
}

static void blk_fill(const attn_plan_t *p, blk_t *k) {
  uint32_t off = p->sk - p->sq;
  k->h = k->b / p->BPH;
  k->qb = k->b % p->BPH;
  k->q0 = k->qb * p->M;
  k->mb = umin(p->M, p->sq - k->q0);
  k->nkeys = p->causal ? umin(p->sk, k->q0 + k->mb + off) : p->sk;
  k->jtb = cdiv(k->nkeys, p->C);
  k->nck = cdiv(k->jtb, p->kc);
  k->vpre = !p->vchunked && p->has_pv && k->qb == 0 && (k->h == 0 || p->nv == 1);
  k->vpost = !p->vchunked && p->has_pv && k->qb == 0 && p->nv == 2 && k->h + 1 < p->heads;
  k->nkv = p->vchunked ? k->nkeys : 0;
}

static void blk_first(const attn_plan_t *p, blk_t *k) {
  memset(k, 0, sizeof(*k));
  k->chunk_end_prev[0] = k->chunk_end_prev[1] = ATTN_NONE;
  k->qk_end_prev[0] = k->qk_end_prev[1] = ATTN_NONE;
  k->v_ld_end[0] = k->v_ld_end[1] = ATTN_NONE;
  k->vc_end_prev[0] = k->vc_end_prev[1] = ATTN_NONE;
  blk_fill(p, k);
  if (k->vpre) k->v_ld_end[k->h % p->nv] = k->ld_base + p->sk - 1;
}

/* Advance to the next block; 0 at the end. */
static int blk_next(const attn_plan_t *p, blk_t *k) {
  int64_t last = chunk_end(p, k, k->nck - 1);
  int64_t prev = k->nck >= 2 ? chunk_end(p, k, k->nck - 2) : k->chunk_end_prev[0];
  if (k->vpost) k->v_ld_end[(k->h + 1) % p->nv] = k->ld_base + blk_n_ld(p, k) - 1;
  if (p->vchunked) {
    k->vc_end_prev[1] = p->NDC >= 2 ? pv_chunk_end(p, k, p->NDC - 2) : k->vc_end_prev[0];
    k->vc_end_prev[0] = pv_chunk_end(p, k, p->NDC - 1);
  }
  k->chunk_end_prev[0] = last;
  k->chunk_end_prev[1] = prev;
  k->qk_end_prev[1] = k->qk_end_prev[0];
  k->qk_end_prev[0] = last;
  k->chunk_base += k->nck;
  k->ex_base += blk_n_ex(p, k);
  k->ld_base += blk_n_ld(p, k);
  k->b++;
  if (k->b >= p->nblocks) return 0;
  blk_fill(p, k);
  if (k->vpre) k->v_ld_end[k->h % p->nv] = k->ld_base + p->sk - 1;
  return 1;
}

/* ---- chunked rows: blocks ---------------------------------------------------------------- */

/* Per block (head h, M query rows), key chunks c = 0..nch-1 of KC keys (the block's visible
 * keys only), three passes over the chunks:
 *   EX:  CONFIG EX_ZP(q_zp, k_zp)
 *        pass 0 (MAX), per chunk: QK^T MATMULs (key tile jt, d-tile dt) -> score slot jt;
 *                                 SOFTMAX MAX (FIRST on chunk 0)
 *        pass 1 (SUM), per chunk: QK^T MATMULs (recomputed); SOFTMAX SUM
 *        pass 2 (PROB), per chunk: CONFIG EX_ZP(q_zp, k_zp); QK^T MATMULs; SOFTMAX PROB ->
 *              probability lines P; CONFIG EX_ZP(-128, v_zp); PV MATMULs (d-chunk dc, key
 *              group g, d-tile dt) into the output slots, accumulating after (c 0, g 0)
 *   LD:  Q lines (two block buffers); per pass and chunk a K unit (DT + tailpad LOADs,
 *        two unit buffers); in pass 2 after each K unit the chunk's V^T in NDC d-chunks
 *        (one byte-wide LOAD per key, nv buffers)
 *   ST:  one requantising STORE per d-tile after the block's last PV MATMUL. */
typedef struct {
  uint32_t b, h, qb, q0, mb, nkeys, nch, jtb;
  int64_t ex_base, ld_base;
  uint64_t unit_base, vunit_base; /* global index of the block's first K unit / V^T unit */
  int64_t uend_prev[2];           /* EX op last reading the last / second-to-last K unit */
  int64_t vend_prev[2];           /* ... the last / second-to-last V^T unit */
  int64_t qend_prev[2];           /* last QK op of block b-1 / b-2 (Q buffers) */
} cblk_t;

static uint32_t c_keys(const attn_plan_t *p, const cblk_t *k, uint32_t c) {
  return umin(p->KC, k->nkeys - c * p->KC);
}
static uint32_t c_tiles(const attn_plan_t *p, const cblk_t *k, uint32_t c) {
  return cdiv(c_keys(p, k, c), p->C);
}
/* EX ops of pass 0 or 1. */
static uint32_t c_pass_len(const attn_plan_t *p, const cblk_t *k) {
  return k->jtb * p->DT + k->nch;
}
static uint32_t c_n_ex(const attn_plan_t *p, const cblk_t *k) {
  return 1 + 2 * c_pass_len(p, k) + 3 * k->nch + 2 * k->jtb * p->DT;
}
static uint32_t c_n_ld(const attn_plan_t *p, const cblk_t *k) {
  return p->DT + 3 * k->nch * p->UK + p->NDC * k->nkeys;
}
/* First EX op of unit (pass, c) (block-relative): pass 0/1 its first QK MATMUL, pass 2 its
 * CONFIG. */
static uint32_t c_unit_ex(const attn_plan_t *p, const cblk_t *k, uint32_t pass, uint32_t c) {
  if (pass < 2) return 1 + pass * c_pass_len(p, k) + c * (p->JF * p->DT + 1);
  return 1 + 2 * c_pass_len(p, k) + c * (3 + 2 * p->JF * p->DT);
}
/* EX op (global) of the last QK MATMUL of unit ui = pass*nch + c. */
static int64_t c_unit_end(const attn_plan_t *p, const cblk_t *k, uint32_t ui) {
  uint32_t pass = ui / k->nch, c = ui % k->nch;
  return k->ex_base + c_unit_ex(p, k, pass, c) + c_tiles(p, k, c) * p->DT - (pass < 2 ? 1 : 0);
}
/* EX op (global) of the last PV MATMUL of V^T unit vi = c*NDC + dc. */
static int64_t c_pv_end(const attn_plan_t *p, const cblk_t *k, uint32_t vi) {
  uint32_t c = vi / p->NDC, dc = vi % p->NDC, jt = c_tiles(p, k, c);
  return k->ex_base + c_unit_ex(p, k, 2, c) + 3 + jt * p->DT +
         (int64_t)jt * umin(p->DT, (dc + 1) * p->DC) - 1;
}
/* First LOAD (block-relative) of the K unit (pass, c). */
static uint32_t c_unit_ld(const attn_plan_t *p, const cblk_t *k, uint32_t pass, uint32_t c) {
  if (pass < 2) return p->DT + (pass * k->nch + c) * p->UK;
  return p->DT + (2 * k->nch + c) * p->UK + c * p->KC * p->NDC;
}

static void cblk_fill(const attn_plan_t *p, cblk_t *k) {
  uint32_t off = p->sk - p->sq, last;
  k->h = k->b / p->BPH;
  k->qb = k->b % p->BPH;
  k->q0 = k->qb * p->M;
  k->mb = umin(p->M, p->sq - k->q0);
  k->nkeys = p->causal ? umin(p->sk, k->q0 + k->mb + off) : p->sk;
  k->nch = cdiv(k->nkeys, p->KC);
  last = k->nkeys - (k->nch - 1) * p->KC;
  k->jtb = (k->nch - 1) * p->JF + cdiv(last, p->C);
}

static void cblk_first(const attn_plan_t *p, cblk_t *k) {
  memset(k, 0, sizeof(*k));
  k->uend_prev[0] = k->uend_prev[1] = ATTN_NONE;
  k->vend_prev[0] = k->vend_prev[1] = ATTN_NONE;
  k->qend_prev[0] = k->qend_prev[1] = ATTN_NONE;
  cblk_fill(p, k);
}

static int cblk_next(const attn_plan_t *p, cblk_t *k) {
  uint32_t nu = 3 * k->nch, nvu = k->nch * p->NDC;
  k->uend_prev[1] = c_unit_end(p, k, nu - 2);
  k->uend_prev[0] = c_unit_end(p, k, nu - 1);
  k->qend_prev[1] = k->qend_prev[0];
  k->qend_prev[0] = k->uend_prev[0];
  k->vend_prev[1] = nvu >= 2 ? c_pv_end(p, k, nvu - 2) : k->vend_prev[0];
  k->vend_prev[0] = c_pv_end(p, k, nvu - 1);
  k->unit_base += nu;
  k->vunit_base += nvu;
  k->ex_base += c_n_ex(p, k);
  k->ld_base += c_n_ld(p, k);
  k->b++;
  if (k->b >= p->nblocks) return 0;
  cblk_fill(p, k);
  return 1;
}

/* ---- generators ----------------------------------------------------------------------- */

/* A generated command and what it needs: LD needs EX op req_a finished (reading); EX needs
 * LD command req_a written and ST command req_b done; ST needs EX op req_a written. */
typedef struct {
  systole_cmd_t cmd;
  int64_t req_a, req_b;
  int tokens_ok; /* 0 for CONFIG / SOFTMAX: no dependency bits allowed */
} gen_cmd_t;

typedef struct {
  const attn_plan_t *p;
  blk_t k;
  cblk_t c; /* chunked rows */
  int done;
  uint32_t phase, i, ci; /* position inside the block */
  int64_t idx;           /* global index of the next command */
} gen_t;

static void gen_init(gen_t *g, const attn_plan_t *p) {
  memset(g, 0, sizeof(*g));
  g->p = p;
  if (p->host) return; /* one chip job of the host-softmax path: g->i counts its commands */
  if (p->chunked)
    cblk_first(p, &g->c);
  else
    blk_first(p, &g->k);
}

static void gen_next_block(gen_t *g) {
  g->phase = 0;
  g->i = 0;
  g->ci = 0;
  if (!(g->p->chunked ? cblk_next(g->p, &g->c) : blk_next(g->p, &g->k))) g->done = 1;
}

/* Byte j mod Rows of the V^T lines (g = j div Rows, c) of d-chunk dc, for all its columns. */
static void load_v(const attn_plan_t *p, uint32_t h, uint32_t j, uint32_t vb, uint32_t dc,
                   systole_load_t *l) {
  uint32_t c0 = dc * p->DC * p->C;
  memset(l, 0, sizeof(*l));
  l->target = SYSTOLE_TARGET_SPAD;
  l->rows = (uint16_t)umin(chunk_w(p, dc) * p->C, p->d - c0);
  l->src = p->v_addr + j * p->pitch + h * p->d + c0;
  l->src_stride = 1;
  l->row_bytes = 1;
  l->dst_line = (uint16_t)(p->vbase[vb] + (j / p->R) * chunk_w(p, dc) * p->C);
  l->dst_stride = 1;
  l->dst_off = (uint8_t)(j % p->R);
}

/* LD: [V^T(h)] units (Q + K chunk 0, K chunk 1, ...) [V^T(h+1)] per block. */
static int gen_ld_c(gen_t *g, gen_cmd_t *o);
static int gen_ex_c(gen_t *g, gen_cmd_t *o);
static int gen_st_c(gen_t *g, gen_cmd_t *o);
static int gen_ld_h(gen_t *g, gen_cmd_t *o);
static int gen_ex_h(gen_t *g, gen_cmd_t *o);
static int gen_st_h(gen_t *g, gen_cmd_t *o);

/* Start an EX command: no token requests yet, tokens allowed, and a weight-loading MATMUL
 * of `rows` rows with unit strides for the caller to complete. */
static void ex_begin(gen_cmd_t *o, systole_matmul_t *m, uint32_t rows) {
  o->req_a = o->req_b = ATTN_NONE;
  o->tokens_ok = 1;
  memset(m, 0, sizeof(*m));
  m->load_w = 1;
  m->rows = (uint16_t)rows;
  m->a_stride = 1;
  m->acc_stride = 1;
}

static int gen_ld(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  if (p->host) return gen_ld_h(g, o);
  if (p->chunked) return gen_ld_c(g, o);
  for (;;) {
    blk_t *k = &g->k;
    systole_load_t l;
    if (g->done) return 0;
    o->req_a = o->req_b = ATTN_NONE;
    o->tokens_ok = 1;
    if (g->phase == 0) { /* V^T of head h */
      if (!k->vpre || g->i >= p->sk) {
        g->phase = 1;
        g->i = 0;
        g->ci = 0;
        continue;
      }
      load_v(p, k->h, g->i, k->h % p->nv, 0, &l);
      if (g->i == 0 && k->h >= p->nv) o->req_a = k->ex_base - 1; /* head h-1 done */
      g->i++;
    } else if (g->phase == 1) { /* units: Q lines + K chunk 0, K chunk 1, ... */
      uint32_t i = g->i;
      if (g->ci >= k->nck) {
        g->phase = 2;
        g->i = 0;
        continue;
      }
      if (i >= unit_n_ld(p, g->ci)) {
        g->ci++;
        g->i = 0;
        continue;
      }
      if (i == 0) { /* free slots: K slot of chunk c-2, Q slot of block b-2 */
        int64_t r = g->ci >= 2 ? chunk_end(p, k, g->ci - 2) : k->chunk_end_prev[1 - g->ci];
        if (g->ci == 0 && k->qk_end_prev[1] > r) r = k->qk_end_prev[1];
        o->req_a = r;
      }
      memset(&l, 0, sizeof(l));
      l.target = SYSTOLE_TARGET_SPAD;
      l.dst_stride = 1;
      if (g->ci == 0 && i < p->DT) { /* Q lines (m, dt) of the block */
        l.rows = (uint16_t)k->mb;
        l.src = p->q_addr + k->q0 * p->pitch + k->h * p->d + i * p->R;
        l.src_stride = p->pitch;
        l.row_bytes = (uint16_t)umin(p->R, p->d - i * p->R);
        l.dst_line = (uint16_t)(p->qbase[k->b % 2] + i * p->M);
      } else { /* K rows of the chunk for d-tile dt; a d tail is first padded with k_zp */
        uint32_t t = i - (g->ci == 0 ? p->DT : 0), dt, jt0 = g->ci * p->kc, nkey;
        uint32_t slot = (uint32_t)((k->chunk_base + g->ci) % 2);
        int pad = p->tailpad && t == 0;
        dt = p->tailpad ? (t == 0 ? p->DT - 1 : t - 1) : t;
        nkey = umin(umin(k->jtb, jt0 + p->kc) * p->C, p->sk) - jt0 * p->C;
        l.rows = (uint16_t)nkey;
        l.src = p->k_addr + jt0 * p->C * p->pitch + k->h * p->d + dt * p->R;
        l.src_stride = p->pitch;
        l.row_bytes = (uint16_t)umin(p->R, p->d - dt * p->R);
        l.dst_line = (uint16_t)(p->kbase[slot] + dt * p->kc * p->C);
        if (pad) { /* whole lines of k_zp: padded d elements contribute 0 */
          l.row_bytes = (uint16_t)p->R;
          l.pad_byte = (uint8_t)(int8_t)p->k_zp;
          l.pad_before = l.rows;
        }
      }
      g->i++;
    } else if (p->vchunked) { /* V^T chunks of this block: keys 0..nkv-1 per chunk */
      uint32_t dc = g->i / umax(k->nkv, 1), j = g->i % umax(k->nkv, 1);
      if (g->i >= p->NDC * k->nkv) {
        gen_next_block(g);
        continue;
      }
      load_v(p, k->h, j, (uint32_t)(((uint64_t)k->b * p->NDC + dc) % p->nv), dc, &l);
      if (j == 0) o->req_a = vbuf_free(p, k, dc);
      g->i++;
    } else { /* V^T of head h+1 (prefetch into the other V buffer) */
      if (!k->vpost || g->i >= p->sk) {
        gen_next_block(g);
        continue;
      }
      load_v(p, k->h + 1, g->i, (k->h + 1) % p->nv, 0, &l);
      if (g->i == 0 && k->h + 1 >= p->nv) o->req_a = k->ex_base - 1; /* head h-1 done */
      g->i++;
    }
    o->cmd = systole_cmd_load(&l, 0);
    g->idx++;
    return 1;
  }
}

/* EX: CONFIG, QK MATMULs, SOFTMAX, CONFIG, PV MATMULs per block. */
static int gen_ex(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  if (p->host) return gen_ex_h(g, o);
  if (p->chunked) return gen_ex_c(g, o);
  for (;;) {
    blk_t *k = &g->k;
    uint32_t nqk = k->jtb * p->DT, i = g->i, n = blk_n_ex(p, k);
    systole_matmul_t m;
    int64_t st_prev = k->b >= 1 && p->has_pv ? (int64_t)k->b * p->DT - 1 : ATTN_NONE;
    if (g->done) return 0;
    if (i >= n) {
      gen_next_block(g);
      continue;
    }
    ex_begin(o, &m, k->mb);
    if (i == 0) {
      o->cmd = systole_cmd_config_ex_zp((int8_t)p->q_zp, (int8_t)p->k_zp);
      o->tokens_ok = 0;
    } else if (i <= nqk) { /* QK^T: key tile jt, d-tile dt */
      uint32_t q = i - 1, jt = q / p->DT, dt = q % p->DT, ci = jt / p->kc;
      uint32_t slot = (uint32_t)((k->chunk_base + ci) % 2);
      m.accumulate = dt != 0;
      m.a_line = (uint16_t)(p->qbase[k->b % 2] + dt * p->M);
      m.acc_line = (uint16_t)(jt * p->M);
      m.w_line = (uint16_t)(p->kbase[slot] + dt * p->kc * p->C + (jt - ci * p->kc) * p->C);
      if (jt % p->kc == 0 && dt == 0) { /* first op of chunk ci: its unit is loaded */
        uint32_t u;
        int64_t l = k->ld_base + (k->vpre ? p->sk : 0);
        for (u = 0; u <= ci; u++) l += unit_n_ld(p, u);
        o->req_a = l - 1;
      }
      if (jt >= p->W - p->DT) o->req_b = st_prev; /* output slots: previous STOREs done */
      o->cmd = systole_cmd_matmul(&m, 0);
    } else if (i == nqk + 1 && p->has_sm) {
      systole_softmax_t s;
      memset(&s, 0, sizeof(s));
      s.causal = p->causal;
      s.rows = (uint16_t)k->mb;
      s.acc_line = 0;
      s.acc_tstride = (uint16_t)p->M;
      s.n_keys = (uint16_t)k->nkeys;
      s.spad_line = (uint16_t)p->pbase;
      s.spad_tstride = (uint16_t)p->M;
      s.q_pos = (uint16_t)(p->causal ? k->q0 + p->sk - p->sq : 0);
      s.mult = p->sm_mult;
      s.shift = (int8_t)p->sm_shift;
      o->cmd = systole_cmd_softmax(&s, 0);
      o->tokens_ok = 0;
    } else if (i == nqk + 2) {
      o->cmd = systole_cmd_config_ex_zp(-128, (int8_t)p->v_zp);
      o->tokens_ok = 0;
    } else { /* PV: key group g, d-tile dt */
      uint32_t q = i - nqk - 3, dc = q / (k->jtb * p->DC), r = q - dc * k->jtb * p->DC;
      uint32_t cw = chunk_w(p, dc), gi = r / cw, dt = dc * p->DC + r % cw, vb;
      if (p->vchunked) {
        vb = (uint32_t)(((uint64_t)k->b * p->NDC + dc) % p->nv);
        o->req_a = k->ld_base + blk_n_units_ld(p, k) + (int64_t)(dc + 1) * k->nkv - 1;
      } else {
        vb = k->h % p->nv;
        o->req_a = k->v_ld_end[vb];
      }
      m.accumulate = gi != 0;
      m.a_line = (uint16_t)(p->pbase + gi * p->M);
      m.acc_line = (uint16_t)((p->W - p->DT + dt) * p->M);
      m.w_line = (uint16_t)(p->vbase[vb] + (gi * cw + dt - dc * p->DC) * p->C);
      o->req_b = st_prev;
      o->cmd = systole_cmd_matmul(&m, 0);
    }
    g->i++;
    g->idx++;
    return 1;
  }
}

/* ST: one requantising STORE per d-tile of each block. */
static int gen_st(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  if (p->host) return gen_st_h(g, o);
  if (p->chunked) return gen_st_c(g, o);
  for (;;) {
    blk_t *k = &g->k;
    systole_store_t s;
    if (g->done || !p->has_pv) return 0;
    if (g->i >= p->DT) {
      gen_next_block(g);
      continue;
    }
    o->req_a = pv_chunk_end(p, k, g->i / p->DC); /* its V^T chunk's PV MATMULs */
    o->req_b = ATTN_NONE;
    o->tokens_ok = 1;
    memset(&s, 0, sizeof(s));
    s.rows = (uint16_t)k->mb;
    s.dst = p->o_addr + k->q0 * p->pitch + k->h * p->d + g->i * p->C;
    s.dst_stride = p->pitch;
    s.channels = (uint16_t)umin(p->C, p->d - g->i * p->C);
    s.src_line = (uint16_t)((p->W - p->DT + g->i) * p->M);
    s.src_stride = 1;
    s.qp_line = 0;
    o->cmd = systole_cmd_store(&s, 0);
    g->i++;
    g->idx++;
    return 1;
  }
}

/* ---- chunked rows: generators ------------------------------------------------------------ */

/* LD: Q, K units of passes 0 and 1, then per chunk the K unit and the chunk's V^T. */
static int gen_ld_c(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  for (;;) {
    cblk_t *k = &g->c;
    systole_load_t l;
    uint32_t i = g->i, n = c_n_ld(p, k);
    if (g->done) return 0;
    if (i >= n) {
      gen_next_block(g);
      continue;
    }
    o->req_a = o->req_b = ATTN_NONE;
    o->tokens_ok = 1;
    memset(&l, 0, sizeof(l));
    l.target = SYSTOLE_TARGET_SPAD;
    l.dst_stride = 1;
    if (i < p->DT) { /* Q lines (m, dt) of the block; buffer of block b-2 free */
      if (i == 0) o->req_a = k->qend_prev[1];
      l.rows = (uint16_t)k->mb;
      l.src = p->q_addr + k->q0 * p->pitch + k->h * p->d + i * p->R;
      l.src_stride = p->pitch;
      l.row_bytes = (uint16_t)umin(p->R, p->d - i * p->R);
      l.dst_line = (uint16_t)(p->qbase[k->b % 2] + i * p->M);
    } else {
      uint32_t pass, c, u0, t;
      if (i < c_unit_ld(p, k, 2, 0)) {
        uint32_t ui = (i - p->DT) / p->UK;
        pass = ui / k->nch;
        c = ui % k->nch;
      } else { /* pass 2: units of UK + NDC * keys(c) LOADs */
        uint32_t r = i - c_unit_ld(p, k, 2, 0), step = p->UK + p->KC * p->NDC;
        pass = 2;
        c = r / step;
      }
      u0 = c_unit_ld(p, k, pass, c);
      t = i - u0;
      if (t < p->UK) { /* K rows of the chunk for d-tile dt; a d tail first padded with k_zp */
        uint32_t ui = pass * k->nch + c, dt;
        uint32_t slot = (uint32_t)((k->unit_base + ui) % 2);
        int pad = p->tailpad && t == 0;
        if (t == 0) o->req_a = ui >= 2 ? c_unit_end(p, k, ui - 2) : k->uend_prev[1 - ui];
        dt = p->tailpad ? (t == 0 ? p->DT - 1 : t - 1) : t;
        l.rows = (uint16_t)c_keys(p, k, c);
        l.src = p->k_addr + c * p->KC * p->pitch + k->h * p->d + dt * p->R;
        l.src_stride = p->pitch;
        l.row_bytes = (uint16_t)umin(p->R, p->d - dt * p->R);
        l.dst_line = (uint16_t)(p->kbase[slot] + dt * p->JF * p->C);
        if (pad) {
          l.row_bytes = (uint16_t)p->R;
          l.pad_byte = (uint8_t)(int8_t)p->k_zp;
          l.pad_before = l.rows;
        }
      } else { /* V^T of the chunk, d-chunk dc: byte j mod Rows of lines (g, col) */
        uint32_t nk = c_keys(p, k, c), r = t - p->UK, dc = r / nk, j = r % nk;
        uint32_t vi = c * p->NDC + dc, vb = (uint32_t)((k->vunit_base + vi) % p->nv);
        uint32_t c0 = dc * p->DC * p->C, cw = chunk_w(p, dc);
        if (j == 0) o->req_a = vi >= p->nv ? c_pv_end(p, k, vi - p->nv)
                                           : k->vend_prev[p->nv - vi - 1];
        l.rows = (uint16_t)umin(cw * p->C, p->d - c0);
        l.src = p->v_addr + (c * p->KC + j) * p->pitch + k->h * p->d + c0;
        l.src_stride = 1;
        l.row_bytes = 1;
        l.dst_line = (uint16_t)(p->vbase[vb] + (j / p->R) * cw * p->C);
        l.dst_off = (uint8_t)(j % p->R);
      }
    }
    o->cmd = systole_cmd_load(&l, 0);
    g->i++;
    g->idx++;
    return 1;
  }
}

/* EX: see cblk_t. */
static int gen_ex_c(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  for (;;) {
    cblk_t *k = &g->c;
    uint32_t i = g->i, n = c_n_ex(p, k), pass, c, t, jt, nqk, p2 = c_unit_ex(p, k, 2, 0);
    systole_matmul_t m;
    if (g->done) return 0;
    if (i >= n) {
      gen_next_block(g);
      continue;
    }
    ex_begin(o, &m, k->mb);
    if (i == 0) {
      o->cmd = systole_cmd_config_ex_zp((int8_t)p->q_zp, (int8_t)p->k_zp);
      o->tokens_ok = 0;
      goto out;
    }
    if (i < p2) { /* passes 0 and 1 */
      uint32_t r = i - 1, pl = c_pass_len(p, k);
      pass = r / pl;
      r -= pass * pl;
      c = r / (p->JF * p->DT + 1);
      t = r - c * (p->JF * p->DT + 1); /* 0..nqk-1 QK, nqk SOFTMAX */
    } else {
      uint32_t r = i - p2;
      pass = 2;
      c = r / (3 + 2 * p->JF * p->DT);
      t = r - c * (3 + 2 * p->JF * p->DT);
      if (t == 0) {
        o->cmd = systole_cmd_config_ex_zp((int8_t)p->q_zp, (int8_t)p->k_zp);
        o->tokens_ok = 0;
        goto out;
      }
      t--; /* 0..nqk-1 QK, nqk SOFTMAX, nqk+1 CONFIG, nqk+2.. PV */
    }
    jt = c_tiles(p, k, c);
    nqk = jt * p->DT;
    if (t < nqk) { /* QK^T: key tile q / DT of the chunk, d-tile q % DT */
      uint32_t ui = pass * k->nch + c, slot = (uint32_t)((k->unit_base + ui) % 2);
      uint32_t kt = t / p->DT, dt = t % p->DT;
      m.accumulate = dt != 0;
      m.a_line = (uint16_t)(p->qbase[k->b % 2] + dt * p->M);
      m.acc_line = (uint16_t)((p->DT + 1 + kt) * p->M);
      m.w_line = (uint16_t)(p->kbase[slot] + dt * p->JF * p->C + kt * p->C);
      if (t == 0) o->req_a = k->ld_base + c_unit_ld(p, k, pass, c) + p->UK - 1;
      o->cmd = systole_cmd_matmul(&m, 0);
    } else if (t == nqk) {
      systole_softmax_t s;
      uint32_t qpos = p->causal ? k->q0 + p->sk - p->sq : 0;
      memset(&s, 0, sizeof(s));
      s.causal = p->causal;
      s.rows = (uint16_t)k->mb;
      s.acc_line = (uint16_t)((p->DT + 1) * p->M);
      s.acc_tstride = (uint16_t)p->M;
      s.n_keys = (uint16_t)c_keys(p, k, c);
      s.spad_line = (uint16_t)p->pbase;
      s.spad_tstride = (uint16_t)p->M;
      s.q_pos = (uint16_t)(qpos & 0xffffu);
      s.q_pos_hi = (uint16_t)(qpos >> 16);
      s.mult = p->sm_mult;
      s.shift = (int8_t)p->sm_shift;
      s.mode = pass == 0 ? SYSTOLE_SOFTMAX_MAX : pass == 1 ? SYSTOLE_SOFTMAX_SUM
                                                           : SYSTOLE_SOFTMAX_PROB;
      s.first = pass == 0 && c == 0;
      s.stats_line = (uint16_t)(p->DT * p->M);
      s.key_base = c * p->KC;
      o->cmd = systole_cmd_softmax(&s, 0);
      o->tokens_ok = 0;
    } else if (t == nqk + 1) {
      o->cmd = systole_cmd_config_ex_zp(-128, (int8_t)p->v_zp);
      o->tokens_ok = 0;
    } else { /* PV: d-chunk dc, key group gi of the chunk, d-tile dt */
      uint32_t q = t - nqk - 2, dc = q / (jt * p->DC), r = q - dc * jt * p->DC;
      uint32_t cw = chunk_w(p, dc), gi = r / cw, dt = dc * p->DC + r % cw;
      uint32_t vi = c * p->NDC + dc, vb = (uint32_t)((k->vunit_base + vi) % p->nv);
      if (r == 0) o->req_a = k->ld_base + c_unit_ld(p, k, 2, c) + p->UK +
                             (dc + 1) * c_keys(p, k, c) - 1;
      if (q == 0 && c == 0 && k->b >= 1) o->req_b = (int64_t)k->b * p->DT - 1;
      m.accumulate = c != 0 || gi != 0;
      m.a_line = (uint16_t)(p->pbase + gi * p->M);
      m.acc_line = (uint16_t)(dt * p->M);
      m.w_line = (uint16_t)(p->vbase[vb] + (gi * cw + dt - dc * p->DC) * p->C);
      o->cmd = systole_cmd_matmul(&m, 0);
    }
  out:
    g->i++;
    g->idx++;
    return 1;
  }
}

/* ST: one requantising STORE per d-tile after the block's last PV MATMUL. */
static int gen_st_c(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  for (;;) {
    cblk_t *k = &g->c;
    systole_store_t s;
    if (g->done) return 0;
    if (g->i >= p->DT) {
      gen_next_block(g);
      continue;
    }
    o->req_a = k->ex_base + c_n_ex(p, k) - 1;
    o->req_b = ATTN_NONE;
    o->tokens_ok = 1;
    memset(&s, 0, sizeof(s));
    s.rows = (uint16_t)k->mb;
    s.dst = p->o_addr + k->q0 * p->pitch + k->h * p->d + g->i * p->C;
    s.dst_stride = p->pitch;
    s.channels = (uint16_t)umin(p->C, p->d - g->i * p->C);
    s.src_line = (uint16_t)(g->i * p->M);
    s.src_stride = 1;
    s.qp_line = 0;
    o->cmd = systole_cmd_store(&s, 0);
    g->i++;
    g->idx++;
    return 1;
  }
}

/* ---- host softmax: plan, parts, generators ------------------------------------------------ */

/* Without a SOFTMAX unit (CFG_FEATURES.SOFTMAX = 0: the FPGA build, non-square arrays) or
 * with SYSTOLE_ATTN_HOST_SOFTMAX, the softmax runs on the host. Blocks of M query rows of one
 * head are numbered globally (head-major) as on the chip path; chip job k runs the PV of
 * block k-1 and the QK^T of block k, then the host turns block k's scores into
 * probabilities:
 *
 *   job k, PV of block k-1 (if k >= 1), probabilities in the scratch buffer S:
 *     EX: CONFIG EX_ZP(-128, v_zp); per d-chunk dc (DC output tiles of Cols columns), per
 *         unit c (gc key groups of Rows keys), per key group g, per output tile ot: MATMUL
 *         a = P lines (m, g), w = V^T tile (g, ot) -> output slot ot (accumulating over g)
 *     LD: per unit: the P lines (one LOAD per key group, or per query row when fewer) from
 *         S, then V^T of the unit's keys for the d-chunk's columns (one byte-wide LOAD per
 *         key, as on the chip path); two unit buffers. When V^T of a whole head fits next
 *         to the rest (no d-chunks), it stays resident instead: the PV of a head's first
 *         block loads it (all seq_k keys) before its first unit, later blocks reuse it (the
 *         scratchpad keeps its contents between jobs) and the units hold only P lines
 *     ST: one requantising STORE per output tile after its d-chunk's last MATMUL
 *   job k, QK^T of block k (if k < nblocks):
 *     EX: CONFIG EX_ZP(q_zp, k_zp); per key tile jt, d-tile dt: MATMUL a = Q lines (m, dt),
 *         w = Cols rows of K -> score slot jt mod NS
 *     LD: Q lines (the d tail first padded with q_zp: (q_zp - q_zp) * k = 0 whatever the K
 *         tail holds), then K rows in chunks of kc key tiles through two chunk buffers
 *     ST: one raw int32 STORE per key tile into S (row m at m * spitch), channels < N_KEYS
 *   then EX_ZP(0, 0); IRQ; the host reads each row's valid scores from S and writes its
 *   probability bytes (zero point -128; -128 for masked and padding keys up to the key group)
 *   over them (drv_sm_row: bit for bit the SOFTMAX unit).
 *
 * S holds one block (M rows of spitch >= 4 * Cols * ceil(seq_k / Cols) bytes); job k's QK^T
 * STOREs overwrite it only after every PV MATMUL of block k-1 has started (EX order), i.e.
 * after every LOAD of its probabilities. The PV part and the QK^T part use disjoint
 * scratchpad and accumulator regions, so QK^T of block k overlaps the end of PV of block
 * k-1. Scratchpad: Q DK*M | K 2*kc*DK*Cols | 2 units of gc*(M + DC*Cols) (P, V^T), or with
 * resident V^T 2 units of gc*M (P) | V^T G*DO*Cols.
 * Accumulator: nob*DC*M outputs | NS*M scores. */

static uint32_t hp_dcw(const attn_plan_t *p, uint32_t dc) { /* output tiles of d-chunk dc */
  return umin(p->DC, p->DO - dc * p->DC);
}
static uint32_t hp_gcu(const attn_plan_t *p, uint32_t c) { /* key groups of PV unit c */
  return umin(p->gc, p->hpv.n - c * p->gc);
}
static uint32_t hp_nku(const attn_plan_t *p, uint32_t c) { /* V^T LOADs of PV unit c */
  return p->vres ? 0 : umin(p->gc * p->R, p->hpv.nkeys - c * p->gc * p->R);
}
static uint32_t hp_nvl(const attn_plan_t *p) { /* resident V^T LOADs before the units */
  return p->vres && p->hpv.vload ? p->sk : 0;
}
static uint32_t hp_np(const attn_plan_t *p, uint32_t c) { /* P LOADs of PV unit c */
  return umin(hp_gcu(p, c), p->hpv.mb);
}
static uint32_t hp_nld(const attn_plan_t *p, uint32_t c) {
  return hp_np(p, c) + hp_nku(p, c);
}
/* LOADs of one d-chunk (every unit; all but the last unit are full). */
static uint32_t hp_ld_dc(const attn_plan_t *p) {
  return (p->hpv.nu - 1) * hp_nld(p, 0) + hp_nld(p, p->hpv.nu - 1);
}
static uint32_t hp_n_ld_pv(const attn_plan_t *p) {
  return p->hpv.on ? hp_nvl(p) + p->NDC * hp_ld_dc(p) : 0;
}
static uint32_t hp_n_ex_pv(const attn_plan_t *p) { return p->hpv.on ? 1 + p->hpv.n * p->DO : 0; }
static uint32_t hp_n_st_pv(const attn_plan_t *p) { return p->hpv.on ? p->DO : 0; }
static uint32_t hp_n_ld_qk(const attn_plan_t *p) {
  return p->hqk.on ? p->tailq + p->DK + p->hqk.nu * p->DK : 0;
}
static uint32_t hp_n_ex_qk(const attn_plan_t *p) { return p->hqk.on ? 1 + p->hqk.n * p->DK : 0; }
static uint32_t hp_n_st_qk(const attn_plan_t *p) { return p->hqk.on ? p->hqk.n : 0; }
/* PV unit u = dc * nu + c: first / last LD command, first / last EX op (job-relative). */
static int64_t hp_ld_unit(const attn_plan_t *p, uint32_t u, int last) {
  uint32_t dc = u / p->hpv.nu, c = u % p->hpv.nu;
  int64_t first = hp_nvl(p) + (int64_t)dc * hp_ld_dc(p) + (int64_t)c * hp_nld(p, 0);
  return last ? first + hp_nld(p, c) - 1 : first;
}
static int64_t hp_ex_unit(const attn_plan_t *p, uint32_t u, int last) {
  uint32_t dc = u / p->hpv.nu, c = u % p->hpv.nu, w = hp_dcw(p, dc);
  int64_t first = 1 + (int64_t)p->hpv.n * umin(p->DO, dc * p->DC) + (int64_t)c * p->gc * w;
  return last ? first + (int64_t)hp_gcu(p, c) * w - 1 : first;
}
/* QK^T: EX op of MATMUL (jt, dt); last LD command of K chunk ci. */
static int64_t hp_ex_qk(const attn_plan_t *p, uint32_t jt, uint32_t dt) {
  return hp_n_ex_pv(p) + 1 + (int64_t)jt * p->DK + dt;
}
static int64_t hp_ld_qk_chunk_last(const attn_plan_t *p, uint32_t ci) {
  return hp_n_ld_pv(p) + p->tailq + p->DK + (int64_t)(ci + 1) * p->DK - 1;
}

/* The block of global index b as a job part. */
static void hp_part(const attn_plan_t *p, uint32_t b, int pv, hpart_t *t) {
  uint32_t qb = b % p->BPH;
  memset(t, 0, sizeof(*t));
  t->on = 1;
  t->vload = pv && qb == 0;
  t->h = b / p->BPH;
  t->q0 = qb * p->M;
  t->mb = umin(p->M, p->sq - t->q0);
  t->nkeys = p->causal ? umin(p->sk, t->q0 + t->mb + (p->sk - p->sq)) : p->sk;
  t->n = pv ? cdiv(t->nkeys, p->R) : cdiv(t->nkeys, p->C);
  t->nu = cdiv(t->n, pv ? p->gc : p->kc);
}

/* Plan of the host-softmax path. budget: bytes of the scratch buffer S (at least one query
 * row is planned whatever the budget). Prefers no d-chunks with at least min(M0, 16) rows and two score slots; otherwise
 * the largest M that fits one query row's tiles, with d-chunks. */
static systole_status_t attn_plan_host(systole_dev_t *dev, attn_plan_t *p, uint64_t budget) {
  uint32_t S = dev->caps.spad_lines, A = dev->caps.acc_lines, R = p->R, C = p->C;
  uint32_t M = 0, M0, Mmin, dcmax, nck, nug, mcap;
  uint64_t qk1, rem, vl, ul;
  p->host = 1;
  p->chunked = p->vchunked = 0;
  p->DK = cdiv(p->d, R);
  p->DO = cdiv(p->d, C);
  p->JT = cdiv(p->sk, C);
  p->G = cdiv(p->sk, R);
  p->DT = p->DO;
  p->tailq = (p->d % R) != 0;
  p->spitch = umax(4u * C * p->JT, (R * p->G + 3u) & ~3u);
  mcap = (uint32_t)umin64(budget / p->spitch, 0xffffffffu);
  M0 = umin(umin(p->sq, 1024u), umax(mcap, 1u));
  if (dev->cfg.m_block) M0 = umin(M0, dev->cfg.m_block);
  dcmax = systole_attn_test_v_tiles ? umin(systole_attn_test_v_tiles, p->DO) : p->DO;
  Mmin = umin(M0, 16u);
  /* whole head dimension in the accumulator, two score slots */
  for (M = M0; M >= Mmin; M /= 2) {
    qk1 = (uint64_t)p->DK * M + 2ull * p->DK * C;
    if (dcmax == p->DO && (uint64_t)(p->DO + 2) * M <= A &&
        qk1 + 2ull * (M + (uint64_t)p->DO * C) <= S)
      break;
    if (M == 1) { M = 0; break; }
  }
  if (M < Mmin) { /* any M that holds one output tile and one score slot: d-chunks */
    for (M = M0;; M /= 2) {
      qk1 = (uint64_t)p->DK * M + 2ull * p->DK * C;
      if (2ull * M <= A && qk1 + 2ull * (M + C) <= S) break;
      if (M == 1)
        REJECT(dev, SYSTOLE_UNSUPPORTED,
               "attention (host softmax): one query row with d %u needs %llu scratchpad lines "
               "(this chip has %u)",
               (unsigned)p->d, (unsigned long long)(qk1 + 2ull * (1 + C)), (unsigned)S);
    }
  }
  qk1 = (uint64_t)p->DK * M + 2ull * p->DK * C;
  p->M = M;
  p->DC = (uint32_t)umin64(umin64(dcmax, A / M - 1), (S - qk1 - 2ull * M) / (2ull * C));
  p->NDC = cdiv(p->DO, p->DC);
  p->DC = cdiv(p->DO, p->NDC);
  p->nob = p->NDC > 1 && (uint64_t)(2 * p->DC + 1) * M <= A ? 2 : 1;
  /* score slots: EX may run NS key tiles ahead of the raw STOREs, each of which waits for its
   * own ex2st token; at most 64 keeps the chip's 8-bit token counters far from overflow */
  p->NS = umin(umin(p->JT, A / M - p->nob * p->DC), 64u);
  /* V^T of a head resident when it fits without d-chunks (units then hold P lines only) */
  vl = (uint64_t)p->G * p->DO * C;
  p->vres = p->NDC == 1 && qk1 + 2ull * M + vl <= S;
  ul = p->vres ? M : M + (uint64_t)p->DC * C; /* unit lines per key group */
  rem = S - qk1 - 2ull * ul - (p->vres ? vl : 0);
  /* K chunks (up to 16 key tiles) from half of the rest, PV units (up to 32 groups) */
  p->kc = (uint32_t)umin64(umin64(p->JT, 16u), 1 + (rem / 2) / (2ull * p->DK * C));
  if (systole_attn_test_k_keys) p->kc = umin(p->kc, cdiv(systole_attn_test_k_keys, C));
  if (dev->cfg.k_chunk) p->kc = umin(p->kc, dev->cfg.k_chunk);
  rem -= 2ull * (p->kc - 1) * p->DK * C;
  p->gc = (uint32_t)umin64(umin64(p->G, 32u), 1 + rem / (2ull * ul));
  if (systole_attn_test_k_keys) p->gc = umin(p->gc, cdiv(systole_attn_test_k_keys, R));
  nck = cdiv(p->JT, p->kc);
  p->kc = cdiv(p->JT, nck);
  nug = cdiv(p->G, p->gc);
  p->gc = cdiv(p->G, nug);
  p->BPH = cdiv(p->sq, M);
  p->nblocks = p->BPH * p->heads;
  /* scratchpad: Q | K chunks | PV units; accumulator: outputs | scores */
  p->qbase[0] = 0;
  p->kbase[0] = p->DK * M;
  p->kbase[1] = p->kbase[0] + p->kc * p->DK * C;
  p->pvbase = p->kbase[1] + p->kc * p->DK * C;
  p->ulines = p->gc * (uint32_t)ul;
  p->vrbase = p->pvbase + 2 * p->ulines;
  p->sbase = p->nob * p->DC * M;
  return SYSTOLE_OK;
}

static int gen_ld_h(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  systole_load_t l;
  uint32_t i = g->i, npv = hp_n_ld_pv(p);
  if (i >= npv + hp_n_ld_qk(p)) return 0;
  o->req_a = o->req_b = ATTN_NONE;
  o->tokens_ok = 1;
  memset(&l, 0, sizeof(l));
  l.target = SYSTOLE_TARGET_SPAD;
  l.dst_stride = 1;
  if (i < hp_nvl(p)) { /* resident V^T of the head: byte j mod Rows of lines (g, column) */
    l.rows = (uint16_t)p->d;
    l.src = p->v_addr + i * p->pitch + p->hpv.h * p->d;
    l.src_stride = 1;
    l.row_bytes = 1;
    l.dst_line = (uint16_t)(p->vrbase + (i / p->R) * p->DO * p->C);
    l.dst_off = (uint8_t)(i % p->R);
  } else if (i < npv) { /* PV unit u = (dc, c): P lines, then V^T of its keys */
    const hpart_t *b = &p->hpv;
    uint32_t L = hp_ld_dc(p), i2 = i - hp_nvl(p), dc = i2 / L, r = i2 % L;
    uint32_t c = umin(r / hp_nld(p, 0), b->nu - 1);
    uint32_t k = r - c * hp_nld(p, 0), u = dc * b->nu + c, ub = u % 2;
    uint32_t base = p->pvbase + ub * p->ulines;
    if (k == 0 && u >= 2) o->req_a = hp_ex_unit(p, u - 2, 1); /* its buffer was read */
    if (k < hp_np(p, c)) {
      if (hp_gcu(p, c) <= b->mb) { /* key group c*gc + k: rows m */
        l.rows = (uint16_t)b->mb;
        l.src = p->s_addr + (c * p->gc + k) * p->R;
        l.src_stride = p->spitch;
        l.dst_line = (uint16_t)(base + k * p->M);
      } else { /* query row k: the unit's key groups */
        l.rows = (uint16_t)hp_gcu(p, c);
        l.src = p->s_addr + k * p->spitch + c * p->gc * p->R;
        l.src_stride = p->R;
        l.dst_line = (uint16_t)(base + k);
        l.dst_stride = (uint16_t)p->M;
      }
      l.row_bytes = (uint16_t)p->R;
    } else { /* V^T: byte j mod Rows of lines (group, column) for the d-chunk's columns */
      uint32_t kk = k - hp_np(p, c), j = c * p->gc * p->R + kk, c0 = dc * p->DC * p->C;
      l.rows = (uint16_t)umin(hp_dcw(p, dc) * p->C, p->d - c0);
      l.src = p->v_addr + j * p->pitch + b->h * p->d + c0;
      l.src_stride = 1;
      l.row_bytes = 1;
      l.dst_line = (uint16_t)(base + p->gc * p->M + (kk / p->R) * hp_dcw(p, dc) * p->C);
      l.dst_off = (uint8_t)(j % p->R);
    }
  } else { /* QK^T: [Q tail pad], Q lines, K chunks */
    const hpart_t *b = &p->hqk;
    uint32_t t = i - npv;
    if (t < p->tailq) { /* whole tail lines of q_zp, nothing read */
      l.rows = (uint16_t)b->mb;
      l.src = p->q_addr;
      l.row_bytes = (uint16_t)p->R;
      l.pad_byte = (uint8_t)(int8_t)p->q_zp;
      l.pad_before = l.rows;
      l.dst_line = (uint16_t)(p->qbase[0] + (p->DK - 1) * p->M);
    } else if (t < p->tailq + p->DK) {
      uint32_t dt = t - p->tailq;
      l.rows = (uint16_t)b->mb;
      l.src = p->q_addr + b->q0 * p->pitch + b->h * p->d + dt * p->R;
      l.src_stride = p->pitch;
      l.row_bytes = (uint16_t)umin(p->R, p->d - dt * p->R);
      l.dst_line = (uint16_t)(p->qbase[0] + dt * p->M);
    } else {
      uint32_t r = t - p->tailq - p->DK, ci = r / p->DK, dt = r % p->DK, jt0 = ci * p->kc;
      if (dt == 0 && ci >= 2)
        o->req_a = hp_ex_qk(p, umin(b->n, (ci - 1) * p->kc) - 1, p->DK - 1);
      l.rows = (uint16_t)umin(p->kc * p->C, b->nkeys - jt0 * p->C);
      l.src = p->k_addr + jt0 * p->C * p->pitch + b->h * p->d + dt * p->R;
      l.src_stride = p->pitch;
      l.row_bytes = (uint16_t)umin(p->R, p->d - dt * p->R);
      l.dst_line = (uint16_t)(p->kbase[ci % 2] + dt * p->kc * p->C);
    }
  }
  o->cmd = systole_cmd_load(&l, 0);
  g->i++;
  g->idx++;
  return 1;
}

static int gen_ex_h(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  systole_matmul_t m;
  uint32_t i = g->i, npv = hp_n_ex_pv(p);
  if (i >= npv + hp_n_ex_qk(p)) return 0;
  ex_begin(o, &m, 0);
  if (i < npv) {
    const hpart_t *b = &p->hpv;
    uint32_t r, dc, w, c, q, gl, otl, u, ub, base;
    if (i == 0) {
      o->cmd = systole_cmd_config_ex_zp(-128, (int8_t)p->v_zp);
      o->tokens_ok = 0;
      goto out;
    }
    r = i - 1;
    dc = umin(r / (b->n * p->DC), p->NDC - 1);
    r -= dc * b->n * p->DC;
    w = hp_dcw(p, dc);
    c = r / (p->gc * w);
    q = r - c * p->gc * w;
    gl = q / w;
    otl = q % w;
    u = dc * b->nu + c;
    ub = u % 2;
    base = p->pvbase + ub * p->ulines;
    if (q == 0) {
      o->req_a = hp_ld_unit(p, u, 1);
      if (c == 0 && dc >= p->nob) /* the STOREs of d-chunk dc - nob (same output slots) */
        o->req_b = (int64_t)umin(p->DO, (dc - p->nob + 1) * p->DC) - 1;
    }
    m.rows = (uint16_t)b->mb;
    m.accumulate = c != 0 || gl != 0;
    m.a_line = (uint16_t)(base + gl * p->M);
    m.w_line = (uint16_t)(p->vres ? p->vrbase + ((c * p->gc + gl) * p->DO + otl) * p->C
                                  : base + p->gc * p->M + (gl * w + otl) * p->C);
    m.acc_line = (uint16_t)(((dc % p->nob) * p->DC + otl) * p->M);
  } else {
    const hpart_t *b = &p->hqk;
    uint32_t r, jt, dt, ci, so = hp_n_st_pv(p);
    if (i == npv) {
      o->cmd = systole_cmd_config_ex_zp((int8_t)p->q_zp, (int8_t)p->k_zp);
      o->tokens_ok = 0;
      goto out;
    }
    r = i - npv - 1;
    jt = r / p->DK;
    dt = r % p->DK;
    ci = jt / p->kc;
    if (dt == 0 && jt % p->kc == 0) o->req_a = hp_ld_qk_chunk_last(p, ci);
    if (dt == 0 && jt >= p->NS) o->req_b = (int64_t)so + jt - p->NS; /* slot stored */
    m.rows = (uint16_t)b->mb;
    m.accumulate = dt != 0;
    m.a_line = (uint16_t)(p->qbase[0] + dt * p->M);
    m.w_line = (uint16_t)(p->kbase[ci % 2] + dt * p->kc * p->C + (jt - ci * p->kc) * p->C);
    m.acc_line = (uint16_t)(p->sbase + (jt % p->NS) * p->M);
  }
  o->cmd = systole_cmd_matmul(&m, 0);
out:
  g->i++;
  g->idx++;
  return 1;
}

static int gen_st_h(gen_t *g, gen_cmd_t *o) {
  const attn_plan_t *p = g->p;
  systole_store_t s;
  uint32_t i = g->i, npv = hp_n_st_pv(p);
  if (i >= npv + hp_n_st_qk(p)) return 0;
  o->req_b = ATTN_NONE;
  o->tokens_ok = 1;
  memset(&s, 0, sizeof(s));
  if (i < npv) { /* output tile ot, requantised */
    const hpart_t *b = &p->hpv;
    uint32_t ot = i, dc = ot / p->DC;
    o->req_a = (int64_t)b->n * umin(p->DO, (dc + 1) * p->DC); /* d-chunk's last MATMUL */
    s.rows = (uint16_t)b->mb;
    s.dst = p->o_addr + b->q0 * p->pitch + b->h * p->d + ot * p->C;
    s.dst_stride = p->pitch;
    s.channels = (uint16_t)umin(p->C, p->d - ot * p->C);
    s.src_line = (uint16_t)(((dc % p->nob) * p->DC + ot - dc * p->DC) * p->M);
  } else { /* key tile jt, raw int32 scores into S */
    const hpart_t *b = &p->hqk;
    uint32_t jt = i - npv;
    o->req_a = hp_ex_qk(p, jt, p->DK - 1);
    s.raw = 1;
    s.rows = (uint16_t)b->mb;
    s.dst = p->s_addr + jt * p->C * 4u;
    s.dst_stride = p->spitch;
    s.channels = (uint16_t)umin(p->C, b->nkeys - jt * p->C);
    s.src_line = (uint16_t)(p->sbase + (jt % p->NS) * p->M);
  }
  s.src_stride = 1;
  o->cmd = systole_cmd_store(&s, 0);
  g->i++;
  g->idx++;
  return 1;
}

typedef int (*gen_fn)(gen_t *g, gen_cmd_t *o);

/* ---- token placement ------------------------------------------------------------------- */

/* Which producer events a consumer waits for: a consumer waits only for an event later
 * than the last one it waited for. `which` selects req_a (0) or req_b (1). A copy of the
 * consumer's generator runs ahead to find the next waited event. */
typedef struct {
  gen_t g;
  gen_fn fn;
  int which;
  int64_t synced, next;
} waits_t;

static void waits_advance(waits_t *w) {
  gen_cmd_t c;
  while (w->fn(&w->g, &c)) {
    int64_t r = w->which ? c.req_b : c.req_a;
    if (r > w->synced) {
      w->synced = r;
      w->next = r;
      return;
    }
  }
  w->next = INT64_MAX;
}

static void waits_init(waits_t *w, const attn_plan_t *p, gen_fn fn, int which) {
  gen_init(&w->g, p);
  w->fn = fn;
  w->which = which;
  w->synced = ATTN_NONE;
  waits_advance(w);
}

/* One queue of the merge: its generator, the next command (peeked), what it has waited for. */
typedef struct {
  gen_t g;
  gen_fn fn;
  gen_cmd_t cur;
  int have;
  int64_t emitted;
  int64_t synced_a, synced_b;
} queue_t;

static void queue_init(queue_t *q, const attn_plan_t *p, gen_fn fn) {
  memset(q, 0, sizeof(*q));
  gen_init(&q->g, p);
  q->fn = fn;
  q->synced_a = q->synced_b = ATTN_NONE;
  q->have = fn(&q->g, &q->cur);
}

/* Estimated engine cycles of a command (for the interleaving of LOADs with EX work: the
 * ring is dispatched in order into short queues, so each stretch of the ring should hold
 * as much LD work as EX work). */
static uint64_t cmd_cost(const attn_plan_t *p, const systole_cmd_t *c) {
  uint64_t rows = (c->w[0] >> 16) & 0xffffu;
  switch ((unsigned)(c->w[0] & 0xffu)) {
    case SYSTOLE_OP_LOAD: return rows + 4;
    case SYSTOLE_OP_MATMUL: return rows > 2u * p->C ? rows : 2u * p->C;
    case SYSTOLE_OP_SOFTMAX: return rows * cdiv((uint32_t)(c->w[1] & 0xffffu), p->C) * 2u + 8u;
    default: return 1;
  }
}

static void total_cost(const attn_plan_t *p, gen_fn fn, uint64_t *cost) {
  gen_t g;
  gen_cmd_t c;
  gen_init(&g, p);
  *cost = 0;
  while (fn(&g, &c)) *cost += cmd_cost(p, &c.cmd);
}

static systole_status_t attn_emit(systole_dev_t *dev, const attn_plan_t *p) {
  queue_t ld, ex, st;
  waits_t w_ld2ex, w_ex2ld, w_ex2st, w_st2ex;
  uint64_t tot_ld, tot_ex, ld_cost = 0, ex_cost = 0, lead;
  total_cost(p, gen_ld, &tot_ld);
  total_cost(p, gen_ex, &tot_ex);
  if (tot_ex == 0) tot_ex = 1;
  lead = 16384u * p->C; /* LD may run this many EX-cycles ahead: in practice as far as
                           * its buffer waits allow (measured best on 8x8) */
  queue_init(&ld, p, gen_ld);
  queue_init(&ex, p, gen_ex);
  queue_init(&st, p, gen_st);
  waits_init(&w_ld2ex, p, gen_ex, 0); /* LD commands EX waits for */
  waits_init(&w_ex2ld, p, gen_ld, 0); /* EX ops LD waits for */
  waits_init(&w_ex2st, p, gen_st, 0); /* EX ops ST waits for */
  waits_init(&w_st2ex, p, gen_ex, 1); /* ST commands EX waits for */
  while (ld.have || ex.have || st.have) {
    int progress = 0;
    /* STOREs as soon as their MATMULs are in the ring */
    while (st.have) {
      unsigned deps = 0;
      systole_cmd_t c = st.cur.cmd;
      if (st.cur.req_a > st.synced_a) {
        if (st.cur.req_a >= ex.emitted) break;
        deps |= SYSTOLE_DEP_WAIT_PREV;
        st.synced_a = st.cur.req_a;
      }
      if (st.emitted == w_st2ex.next) {
        deps |= SYSTOLE_DEP_SIG_PREV;
        waits_advance(&w_st2ex);
      }
      c.w[0] |= deps;
      DRV_CHECK(drv_push(dev, &c));
      st.emitted++;
      st.have = st.fn(&st.g, &st.cur);
      progress = 1;
    }
    /* LOADs: keep LD's progress ahead of EX's in proportion, plus a lead */
    while (ld.have && (!ex.have || ld_cost * tot_ex <=
                                       (ex_cost + lead) * tot_ld)) {
      unsigned deps = 0;
      systole_cmd_t c = ld.cur.cmd;
      if (ld.cur.req_a > ld.synced_a) {
        if (ld.cur.req_a >= ex.emitted) break;
        deps |= SYSTOLE_DEP_WAIT_NEXT;
        ld.synced_a = ld.cur.req_a;
      }
      if (ld.emitted == w_ld2ex.next) {
        deps |= SYSTOLE_DEP_SIG_NEXT;
        waits_advance(&w_ld2ex);
      }
      c.w[0] |= deps;
      DRV_CHECK(drv_push(dev, &c));
      ld_cost += cmd_cost(p, &c);
      ld.emitted++;
      ld.have = ld.fn(&ld.g, &ld.cur);
      progress = 1;
    }
    /* one EX op, if what it needs is in the ring; otherwise force LOADs out */
    if (ex.have) {
      unsigned deps = 0;
      int ok = 1;
      systole_cmd_t c = ex.cur.cmd;
      if (ex.cur.req_a > ex.synced_a && ex.cur.req_a >= ld.emitted) ok = 0;
      if (ex.cur.req_b > ex.synced_b && ex.cur.req_b >= st.emitted) ok = 0;
      if (ok) {
        if (ex.cur.req_a > ex.synced_a) {
          deps |= SYSTOLE_DEP_WAIT_PREV;
          ex.synced_a = ex.cur.req_a;
        }
        if (ex.cur.req_b > ex.synced_b) {
          deps |= SYSTOLE_DEP_WAIT_NEXT;
          ex.synced_b = ex.cur.req_b;
        }
        if (ex.emitted == w_ex2ld.next) {
          deps |= SYSTOLE_DEP_SIG_PREV;
          waits_advance(&w_ex2ld);
        }
        if (ex.emitted == w_ex2st.next) {
          deps |= SYSTOLE_DEP_SIG_NEXT;
          waits_advance(&w_ex2st);
        }
        if (deps && !ex.cur.tokens_ok) {
          drv_set_error(dev, SYSTOLE_UNSUPPORTED, "attention: internal error (tokens on a "
                                                  "CONFIG/SOFTMAX)");
          return SYSTOLE_UNSUPPORTED;
        }
        c.w[0] |= deps;
        DRV_CHECK(drv_push(dev, &c));
        ex_cost += cmd_cost(p, &c);
        ex.emitted++;
        ex.have = ex.fn(&ex.g, &ex.cur);
        progress = 1;
      } else if (ld.have && ex.cur.req_a >= ld.emitted) {
        /* EX needs LOADs the ratio held back: emit one (it cannot wait on this EX op) */
        unsigned d2 = 0;
        systole_cmd_t c2 = ld.cur.cmd;
        if (ld.cur.req_a > ld.synced_a) {
          if (ld.cur.req_a >= ex.emitted) goto stuck;
          d2 |= SYSTOLE_DEP_WAIT_NEXT;
          ld.synced_a = ld.cur.req_a;
        }
        if (ld.emitted == w_ld2ex.next) {
          d2 |= SYSTOLE_DEP_SIG_NEXT;
          waits_advance(&w_ld2ex);
        }
        c2.w[0] |= d2;
        DRV_CHECK(drv_push(dev, &c2));
        ld_cost += cmd_cost(p, &c2);
        ld.emitted++;
        ld.have = ld.fn(&ld.g, &ld.cur);
        progress = 1;
      }
    }
    if (!progress) goto stuck;
  }
  if (w_ld2ex.next != INT64_MAX || w_ex2ld.next != INT64_MAX || w_ex2st.next != INT64_MAX ||
      w_st2ex.next != INT64_MAX)
    goto stuck;
  return SYSTOLE_OK;
stuck:
  drv_set_error(dev, SYSTOLE_UNSUPPORTED,
                "attention: internal error: command streams cannot be ordered (ld %lld ex %lld "
                "st %lld)",
                (long long)ld.emitted, (long long)ex.emitted, (long long)st.emitted);
  return SYSTOLE_UNSUPPORTED;
}

/* ---- host softmax: the host side ------------------------------------------------------------ */

/* Host row buffer: at most this many int32 (a longer row is processed in three streamed
 * passes over device memory). */
#define ATTN_HOST_ROW_CAP 1024u
/* Default device scratch budget for the raw scores of one block. */
#define ATTN_HOST_SCRATCH_MAX (64u * 1024u)

/* The chip writes int32 little-endian; make them host int32 in place. */
static void le_to_host(int32_t *v, uint32_t n) {
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  (void)v;
  (void)n;
#else
  uint8_t *b = (uint8_t *)v;
  uint32_t i;
  for (i = 0; i < n; i++) {
    uint32_t u = (uint32_t)b[4 * i] | ((uint32_t)b[4 * i + 1] << 8) |
                 ((uint32_t)b[4 * i + 2] << 16) | ((uint32_t)b[4 * i + 3] << 24);
    v[i] = u <= 0x7fffffffu ? (int32_t)u : -(int32_t)(~u) - 1;
  }
#endif
}

/* Softmax of one query row in device memory: nv valid int32 scores at addr (little-endian),
 * replaced by nout probability bytes (the valid ones, then -128). hb holds hn int32. */
static systole_status_t host_row(systole_dev_t *dev, const attn_plan_t *p, uint32_t addr,
                                 uint32_t nv, uint32_t nout, int32_t *hb, uint32_t hn) {
  uint32_t j0, n, j, sum = 0, r;
  int32_t mx = INT32_MIN;
  if (nv <= hn && nout <= 4u * hn) { /* the whole row in host memory */
    DRV_CHECK(drv_mem_read(dev, addr, hb, 4u * (size_t)nv));
    le_to_host(hb, nv);
    drv_sm_row(hb, nv, nout, p->sm_mult, (int)p->sm_shift, (int8_t *)hb);
    return drv_mem_write(dev, addr, hb, nout);
  }
  /* three passes over the row in pieces of hn scores: max, sum, probabilities */
  for (j0 = 0; j0 < nv; j0 += n) {
    n = umin(hn, nv - j0);
    DRV_CHECK(drv_mem_read(dev, addr + 4u * j0, hb, 4u * (size_t)n));
    le_to_host(hb, n);
    for (j = 0; j < n; j++)
      if (hb[j] > mx) mx = hb[j];
  }
  for (j0 = 0; j0 < nv; j0 += n) {
    n = umin(hn, nv - j0);
    DRV_CHECK(drv_mem_read(dev, addr + 4u * j0, hb, 4u * (size_t)n));
    le_to_host(hb, n);
    for (j = 0; j < n; j++) sum += drv_sm_exp(hb[j], mx, p->sm_mult, (int)p->sm_shift);
  }
  r = drv_sm_recip(sum);
  for (j0 = 0; j0 < nv; j0 += n) { /* bytes [j0, j0+n) cover scores already read */
    int8_t *pb = (int8_t *)hb;
    n = umin(hn, nv - j0);
    DRV_CHECK(drv_mem_read(dev, addr + 4u * j0, hb, 4u * (size_t)n));
    le_to_host(hb, n);
    for (j = 0; j < n; j++) {
      uint32_t e = drv_sm_exp(hb[j], mx, p->sm_mult, (int)p->sm_shift);
      pb[j] = drv_sm_prob(e, r);
    }
    DRV_CHECK(drv_mem_write(dev, addr + j0, hb, n));
  }
  memset(hb, 0x80, 4u * (size_t)hn); /* masked and padding keys */
  for (j0 = nv; j0 < nout; j0 += n) {
    n = umin(4u * hn, nout - j0);
    DRV_CHECK(drv_mem_write(dev, addr + j0, hb, n));
  }
  return SYSTOLE_OK;
}

/* The probabilities of block b (the QK^T part just run) in place in S. */
static systole_status_t host_block(systole_dev_t *dev, const attn_plan_t *p, const hpart_t *b,
                                   int32_t *hb, uint32_t hn) {
  uint32_t m, nout = cdiv(b->nkeys, p->R) * p->R;
  for (m = 0; m < b->mb; m++) {
    uint32_t nv = p->causal ? b->q0 + m + (p->sk - p->sq) + 1 : b->nkeys;
    DRV_CHECK(host_row(dev, p, p->s_addr + m * p->spitch, nv, nout, hb, hn));
  }
  return SYSTOLE_OK;
}

static systole_status_t read_cycles(systole_dev_t *dev, uint64_t *v) {
  uint32_t lo, hi;
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CYCLES_LO, &lo));
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CYCLES_HI, &hi));
  *v = ((uint64_t)hi << 32) | lo;
  return SYSTOLE_OK;
}

static void stats_add(systole_stats_t *t, const systole_stats_t *s) {
  t->cycles += s->cycles;
  t->array_macs += s->array_macs;
  t->compute_cycles += s->compute_cycles;
  t->dma_rd_bytes += s->dma_rd_bytes;
  t->dma_wr_bytes += s->dma_wr_bytes;
  t->stall_ld_dep += s->stall_ld_dep;
  t->stall_ex_dep += s->stall_ex_dep;
  t->stall_st_dep += s->stall_st_dep;
  t->stall_ex_wload += s->stall_ex_wload;
  t->stall_rd_mem += s->stall_rd_mem;
  t->stall_wr_mem += s->stall_wr_mem;
  t->stall_fetch += s->stall_fetch;
  t->stall_queue_full += s->stall_queue_full;
  t->commands += s->commands;
}

/* One chip job of the host path: the parts in p->hpv / p->hqk. */
static systole_status_t host_job(systole_dev_t *dev, attn_plan_t *p, const systole_buf_t *qp,
                                 const systole_attention_job_t *job, systole_stats_t *sum) {
  drv_counters_t snap;
  systole_stats_t js;
  DRV_CHECK(drv_job_begin(dev, &snap));
  if (p->hpv.on) { /* output stage of the PV STOREs: one qparam line */
    systole_cmd_t c = systole_cmd_config_output((int8_t)job->out_zp, (int8_t)job->act_min,
                                                (int8_t)job->act_max);
    systole_load_t l;
    memset(&l, 0, sizeof(l));
    l.target = SYSTOLE_TARGET_QPARAM;
    l.rows = 1;
    l.src = qp->addr;
    l.row_bytes = (uint16_t)(p->C * 16u);
    l.dst_stride = 1;
    DRV_CHECK(drv_push(dev, &c));
    c = systole_cmd_load(&l, 0);
    DRV_CHECK(drv_push(dev, &c));
  }
  DRV_CHECK(attn_emit(dev, p));
  {
    systole_cmd_t c = systole_cmd_config_ex_zp(0, 0);
    DRV_CHECK(drv_push(dev, &c));
  }
  DRV_CHECK(drv_job_end(dev, &snap, 0, &js));
  stats_add(sum, &js);
  return SYSTOLE_OK;
}

/* Scratch budget (bytes) of a job: the job's own, else min(64 KiB, window / 16). */
static uint64_t host_budget(const systole_dev_t *dev, const systole_attention_job_t *job) {
  uint64_t w = dev->cfg.win_size ? dev->cfg.win_size : dev->hal->mem_size;
  if (job->scratch_bytes) return job->scratch_bytes;
  w /= 16u;
  return w < ATTN_HOST_SCRATCH_MAX ? w : ATTN_HOST_SCRATCH_MAX;
}

/* The whole host-softmax job: plan (done by the caller), scratch, chip jobs and host rows. */
static systole_status_t attn_run_host(systole_dev_t *dev, attn_plan_t *p,
                                      const systole_attention_job_t *job, uint64_t macs,
                                      systole_stats_t *stats) {
  systole_buf_t sbuf, qp;
  systole_stats_t sum;
  systole_status_t st = SYSTOLE_OK, st2;
  const systole_hal_t *hal = dev->hal;
  int32_t *hb;
  uint32_t hn = umin(ATTN_HOST_ROW_CAP, p->spitch / 4u), k;
  uint64_t c0 = 0, c1 = 0, host_cycles = 0;
  int has_sm = job->profile != SYSTOLE_ATTN_PROFILE_QK, has_pv = job->profile == 0;
  memset(&sum, 0, sizeof(sum));
  /* the scratch buffer; on NO_MEM, fewer rows per block (down to one) */
  for (;;) {
    uint64_t bytes = (uint64_t)p->M * p->spitch;
    if (!drv_fits_u32(bytes))
      REJECT(dev, SYSTOLE_OVERFLOW, "attention (host softmax): scratch of %llu bytes",
             (unsigned long long)bytes);
    st = systole_buf_alloc(dev, (size_t)bytes, &sbuf);
    if (st == SYSTOLE_OK) break;
    if (st != SYSTOLE_NO_MEM || p->M == 1) {
      drv_set_error(dev, st, "attention (host softmax): no device memory for the scores of one "
                             "query row (%u bytes)", (unsigned)p->spitch);
      return st;
    }
    DRV_CHECK(attn_plan_host(dev, p, (uint64_t)(p->M / 2) * p->spitch));
  }
  p->s_addr = sbuf.addr;
  hb = (int32_t *)hal->host_alloc(hal->ctx, 4u * (size_t)hn);
  if (!hb) {
    st = systole_buf_free(dev, &sbuf); /* the NO_MEM below says enough */
    REJECT(dev, SYSTOLE_NO_MEM, "attention (host softmax): host_alloc of %u bytes failed",
           (unsigned)(4u * hn));
  }
  st = systole_buf_alloc(dev, (size_t)p->C * SYSTOLE_QPARAM_RECORD_BYTES, &qp);
  if (st == SYSTOLE_OK) {
    uint32_t n, i;
    uint8_t *b = dev->hbuf;
    int32_t rec[4];
    rec[0] = 0;
    rec[1] = job->out_mult;
    rec[2] = job->out_shift;
    rec[3] = 0;
    for (n = 0; n < p->C; n++)
      for (i = 0; i < 16; i++) b[n * 16 + i] = (uint8_t)((uint32_t)rec[i / 4] >> (8 * (i % 4)));
    st = drv_mem_write(dev, qp.addr, b, (size_t)p->C * 16u);
    if (st == SYSTOLE_OK) st = read_cycles(dev, &c0);
    /* job k: PV of block k-1, QK^T of block k; then the host softmax of block k */
    for (k = 0; st == SYSTOLE_OK && k <= p->nblocks; k++) {
      p->hpv.on = p->hqk.on = 0;
      if (k >= 1 && has_pv) hp_part(p, k - 1, 1, &p->hpv);
      if (k < p->nblocks) hp_part(p, k, 0, &p->hqk);
      if (!p->hpv.on && !p->hqk.on) continue;
      st = host_job(dev, p, &qp, job, &sum);
      if (st == SYSTOLE_OK && p->hqk.on && has_sm) {
        uint64_t t0 = hal->cycles(hal->ctx);
        st = host_block(dev, p, &p->hqk, hb, hn);
        host_cycles += hal->cycles(hal->ctx) - t0;
      }
    }
    if (st == SYSTOLE_OK) st = read_cycles(dev, &c1);
    st2 = systole_buf_free(dev, &qp);
    if (st == SYSTOLE_OK) st = st2;
  }
  hal->host_free(hal->ctx, hb);
  st2 = systole_buf_free(dev, &sbuf);
  if (st == SYSTOLE_OK) st = st2;
  if (st == SYSTOLE_OK && stats) {
    *stats = sum;
    stats->wall_cycles = c1 - c0;
    stats->workload_macs = macs;
    stats->host_cycles = host_cycles;
    stats->utilisation =
        stats->cycles ? (double)macs / ((double)p->R * (double)p->C * (double)stats->cycles) : 0.0;
  }
  return st;
}

/* ---- the job ---------------------------------------------------------------------------- */

static int buf_holds(const systole_buf_t *b, uint64_t rows, uint64_t pitch, uint64_t *need) {
  if (!drv_mul_ok(rows, pitch, need)) return 0;
  return *need <= b->bytes;
}

systole_status_t systole_attention(systole_dev_t *dev, const systole_attention_job_t *job,
                                   systole_stats_t *stats) {
  attn_plan_t p;
  drv_counters_t snap;
  uint64_t pitch, need, macs;
  systole_buf_t qp;
  systole_status_t st, st2;
  uint32_t C;
  int host;
  if (!dev_ready(dev)) return SYSTOLE_BAD_ARG;
  if (!job || !job->q || !job->k || !job->v || !job->out)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: NULL job, Q, K, V or out");
  if (job->heads == 0 || job->seq_q == 0 || job->seq_k == 0 || job->d == 0)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: heads %u, seq_q %u, seq_k %u, d %u: all must be >= 1",
           (unsigned)job->heads, (unsigned)job->seq_q, (unsigned)job->seq_k, (unsigned)job->d);
  if (job->seq_k > ATTN_MAX_KEYS)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: seq_k %u > %u (the key limit)",
           (unsigned)job->seq_k, (unsigned)ATTN_MAX_KEYS);
  if (job->causal && job->seq_q > job->seq_k)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: causal needs seq_q %u <= seq_k %u",
           (unsigned)job->seq_q, (unsigned)job->seq_k);
  if (!is_i8(job->q_zp) || !is_i8(job->k_zp) || !is_i8(job->v_zp))
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: zero points q %d k %d v %d not int8",
           (int)job->q_zp, (int)job->k_zp, (int)job->v_zp);
  if (!is_i8(job->out_zp) || !is_i8(job->act_min) || !is_i8(job->act_max) ||
      job->act_min > job->act_max)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: out_zp %d / clamp [%d, %d] not int8 or empty",
           (int)job->out_zp, (int)job->act_min, (int)job->act_max);
  if (job->sm_shift < -31 || job->sm_shift > 31 || job->out_shift < -31 || job->out_shift > 31)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: sm_shift %d / out_shift %d outside [-31, 31]",
           (int)job->sm_shift, (int)job->out_shift);
  if (job->profile > SYSTOLE_ATTN_PROFILE_QK_SOFTMAX)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: unknown profile mode %u", (unsigned)job->profile);
  if (job->flags & ~(uint32_t)SYSTOLE_ATTN_HOST_SOFTMAX)
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: unknown flags 0x%x", (unsigned)job->flags);
  if (!drv_buf_ok(dev, job->q) || !drv_buf_ok(dev, job->k) || !drv_buf_ok(dev, job->v) ||
      !drv_buf_ok(dev, job->out))
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: a buffer is empty or outside the DMA window");
  if (!drv_mul_ok(job->heads, job->d, &pitch) || pitch > 0xffffffffull)
    REJECT(dev, SYSTOLE_OVERFLOW, "attention: heads*d overflows");
  if (!buf_holds(job->q, job->seq_q, pitch, &need))
    REJECT(dev, need ? SYSTOLE_BAD_ARG : SYSTOLE_OVERFLOW,
           "attention: Q buffer holds %u bytes, needs %llu (seq_q x heads*d)",
           (unsigned)job->q->bytes, (unsigned long long)need);
  if (!buf_holds(job->out, job->seq_q, pitch, &need))
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: out buffer holds %u bytes, needs %llu",
           (unsigned)job->out->bytes, (unsigned long long)need);
  if (!buf_holds(job->k, job->seq_k, pitch, &need))
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: K buffer holds %u bytes, needs %llu (seq_k x heads*d)",
           (unsigned)job->k->bytes, (unsigned long long)need);
  if (!buf_holds(job->v, job->seq_k, pitch, &need))
    REJECT(dev, SYSTOLE_BAD_ARG, "attention: V buffer holds %u bytes, needs %llu (seq_k x heads*d)",
           (unsigned)job->v->bytes, (unsigned long long)need);
  if (!drv_mul_ok(2ull * job->seq_q * job->seq_k, pitch, &macs))
    REJECT(dev, SYSTOLE_OVERFLOW, "attention: MAC count overflows");
  /* the hardware: without a softmax unit (or when asked) the softmax runs on the host */
  host = !SYSTOLE_CFG_FEATURES_SOFTMAX_GET(dev->caps.features) ||
         (job->flags & SYSTOLE_ATTN_HOST_SOFTMAX) != 0;
  if (host && (!dev->hal->host_alloc || !dev->hal->host_free))
    REJECT(dev, SYSTOLE_UNSUPPORTED,
           "attention: %s, and the host softmax needs the HAL's host_alloc/host_free (NULL)",
           SYSTOLE_CFG_FEATURES_SOFTMAX_GET(dev->caps.features)
               ? "host softmax requested"
               : "this chip has no softmax unit (CFG_FEATURES.SOFTMAX = 0)");
  if (!host && dev->caps.rows != dev->caps.cols)
    REJECT(dev, SYSTOLE_UNSUPPORTED, "attention: needs a square array (%ux%u)",
           (unsigned)dev->caps.rows, (unsigned)dev->caps.cols);
  C = dev->caps.cols;
  if ((uint64_t)C * SYSTOLE_QPARAM_RECORD_BYTES > SYSTOLE_HOST_STAGE_BYTES)
    REJECT(dev, SYSTOLE_UNSUPPORTED, "attention: arrays wider than %u columns are not supported",
           (unsigned)(SYSTOLE_HOST_STAGE_BYTES / SYSTOLE_QPARAM_RECORD_BYTES));
  memset(&p, 0, sizeof(p));
  p.R = dev->caps.rows;
  p.C = C;
  p.heads = job->heads;
  p.sq = job->seq_q;
  p.sk = job->seq_k;
  p.d = job->d;
  p.pitch = (uint32_t)pitch;
  p.causal = job->causal != 0;
  p.q_addr = job->q->addr;
  p.k_addr = job->k->addr;
  p.v_addr = job->v->addr;
  p.o_addr = job->out->addr;
  p.q_zp = job->q_zp;
  p.k_zp = job->k_zp;
  p.v_zp = job->v_zp;
  p.sm_mult = job->sm_mult;
  p.sm_shift = job->sm_shift;
  p.has_sm = job->profile != SYSTOLE_ATTN_PROFILE_QK;
  p.has_pv = job->profile == 0;
  if (p.d > 65535u)
    REJECT(dev, SYSTOLE_UNSUPPORTED, "attention: d %u > 65535", (unsigned)p.d);
  if (host) {
    DRV_CHECK(attn_plan_host(dev, &p, host_budget(dev, job)));
    return attn_run_host(dev, &p, job, macs, stats);
  }
  /* a whole row of scores in the accumulator (fast path), else chunked rows */
  {
    attn_plan_t p0 = p;
    if (systole_attn_test_k_keys || p.sk > ATTN_MAX_ROW_KEYS ||
        (uint64_t)cdiv(p.sk, C) > dev->caps.acc_lines || attn_plan(dev, &p) != SYSTOLE_OK) {
      p = p0;
      DRV_CHECK(attn_plan_chunked(dev, &p));
    }
  }
  /* one qparam line: {bias 0, out_mult, out_shift, 0} for every channel */
  DRV_CHECK(systole_buf_alloc(dev, (size_t)C * SYSTOLE_QPARAM_RECORD_BYTES, &qp));
  {
    uint32_t n, i;
    uint8_t *b = dev->hbuf;
    int32_t rec[4];
    rec[0] = 0;
    rec[1] = job->out_mult;
    rec[2] = job->out_shift;
    rec[3] = 0;
    for (n = 0; n < C; n++)
      for (i = 0; i < 16; i++) b[n * 16 + i] = (uint8_t)((uint32_t)rec[i / 4] >> (8 * (i % 4)));
    st = drv_mem_write(dev, qp.addr, b, (size_t)C * 16u);
  }
  if (st == SYSTOLE_OK) st = drv_job_begin(dev, &snap);
  if (st == SYSTOLE_OK) {
    systole_cmd_t c = systole_cmd_config_output((int8_t)job->out_zp, (int8_t)job->act_min,
                                                (int8_t)job->act_max);
    systole_load_t l;
    memset(&l, 0, sizeof(l));
    l.target = SYSTOLE_TARGET_QPARAM;
    l.rows = 1;
    l.src = qp.addr;
    l.row_bytes = (uint16_t)(C * 16u);
    l.dst_stride = 1;
    st = drv_push(dev, &c);
    if (st == SYSTOLE_OK) {
      c = systole_cmd_load(&l, 0);
      st = drv_push(dev, &c);
    }
  }
  if (st == SYSTOLE_OK) st = attn_emit(dev, &p);
  if (st == SYSTOLE_OK) { /* matmul and conv jobs rely on the reset zero points (0, 0) */
    systole_cmd_t c = systole_cmd_config_ex_zp(0, 0);
    st = drv_push(dev, &c);
  }
  if (st == SYSTOLE_OK) st = drv_job_end(dev, &snap, macs, stats);
  st2 = systole_buf_free(dev, &qp);
  return st != SYSTOLE_OK ? st : st2;
}
