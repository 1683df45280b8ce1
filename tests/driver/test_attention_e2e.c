/* End-to-end tests of systole_attention on the Verilated chip: every job is compared bit for
 * bit with systole_ref_attention_i8 (sw/ref).
 *
 * On a chip without a softmax unit (the `lite` config, CFG_FEATURES.SOFTMAX = 0) every job
 * runs the host-softmax path; on a chip with one, the host_* tests force it with
 * SYSTOLE_ATTN_HOST_SOFTMAX and also compare it with the chip's own softmax path.
 *
 * Usage: test_attention_e2e [--subset]
 *   SEED=n      base seed of the random cases (default 1)
 *   --subset    fewer cases (4x4 / 16x16 / sanitizer runs)
 * A failing case prints the seed, the config, the shape and the command that reruns it.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systole.h"
#include "systole_hal_sim.h"
#include "systole_ref.h"
#include "test_util.h"

#ifndef SYSTOLE_TEST_CONFIG
#define SYSTOLE_TEST_CONFIG "?"
#endif

static uint64_t g_seed = 1;
static int g_subset = 0;
static const char *g_argv0 = "test_attention_e2e";



static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ck_assert_ptr_nonnull(p);
  return p;
}

typedef struct {
  systole_hal_sim_t hs;
  systole_dev_t dev;
} tdev_t;

static void tdev_open_cfg(tdev_t *t, const systole_dev_config_t *cfg) {
  OK(systole_hal_sim_open(&t->hs, NULL));
  OK(systole_dev_open(&t->dev, &t->hs.hal, cfg));
}

static void tdev_close(tdev_t *t) {
  OK(systole_dev_close(&t->dev));
  OK(systole_hal_sim_close(&t->hs));
}

/* ---- one case --------------------------------------------------------------------------- */

typedef struct {
  int seq_q, seq_k, d, heads, causal;
  int32_t q_zp, k_zp, v_zp, out_zp, act_min, act_max;
  double q_scale, k_scale, v_scale, out_scale, sm_scale; /* sm_scale 0: 1/sqrt(d) */
  int spread;   /* value range of the int8 inputs: 0 full, else +-spread around the zp */
  uint32_t m_block, k_chunk; /* tiler overrides (fresh device), 0: automatic */
  uint32_t v_tiles; /* d-tiles per streamed V^T chunk (forces streaming), 0: automatic */
  uint32_t k_keys;  /* keys per chunk of a chunked row (forces chunked rows), 0: automatic;
                     * host softmax: caps the K chunks / PV units to about k_keys keys */
  int host;         /* 1: SYSTOLE_ATTN_HOST_SOFTMAX (and, if the chip has a softmax unit, the
                     * same job on its softmax path must give the same bytes) */
  uint32_t scratch; /* host softmax: scratch_bytes of the job (0: automatic) */
} attn_case_t;

/* Test hook of systole_attn.c: d-tiles per streamed V^T chunk (0: automatic). */
extern uint32_t systole_attn_test_v_tiles;
/* Test hook of systole_attn.c: keys per chunk of a chunked row (0: automatic). */
extern uint32_t systole_attn_test_k_keys;

static attn_case_t attn_basic(int sq, int sk, int d, int heads, int causal) {
  attn_case_t c;
  memset(&c, 0, sizeof(c));
  c.seq_q = sq; c.seq_k = sk; c.d = d; c.heads = heads; c.causal = causal;
  c.q_zp = 3; c.k_zp = -5; c.v_zp = 7; c.out_zp = -2; c.act_min = -128; c.act_max = 127;
  c.q_scale = 0.05; c.k_scale = 0.04; c.v_scale = 0.03; c.out_scale = 0.02;
  return c;
}

static void attn_shape(const attn_case_t *c, char *buf, size_t n) {
  snprintf(buf, n,
           "attention seq_q=%d seq_k=%d d=%d heads=%d causal=%d zp q/k/v/out=%d/%d/%d/%d "
           "act=[%d,%d] scales q/k/v/out/sm=%g/%g/%g/%g/%g spread=%d m_block=%u k_chunk=%u "
           "v_tiles=%u k_keys=%u host=%d scratch=%u",
           c->seq_q, c->seq_k, c->d, c->heads, c->causal, c->q_zp, c->k_zp, c->v_zp, c->out_zp,
           c->act_min, c->act_max, c->q_scale, c->k_scale, c->v_scale, c->out_scale, c->sm_scale,
           c->spread, c->m_block, c->k_chunk, c->v_tiles, c->k_keys, c->host, c->scratch);
}

#define FAIL_CTX_FMT "seed %llu, config %s: %s\n  rerun: SEED=%llu %s%s"
#define FAIL_CTX_ARGS(shape)                                                              \
  (unsigned long long)g_seed, SYSTOLE_TEST_CONFIG, shape, (unsigned long long)g_seed, g_argv0, \
      g_subset ? " --subset" : ""

static int has_softmax(const tdev_t *t) { return (int)(t->dev.caps.features & 1u); }

static void fill(int8_t *p, size_t n, int32_t zp, int spread, uint64_t *s) {
  size_t i;
  for (i = 0; i < n; i++) {
    int v = spread ? zp + rnd_range(s, -spread, spread) : (int)(int8_t)(rnd(s) >> 56);
    p[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}

/* Run one case on t (or on a fresh device when the case overrides the tiler). */
static void run_attn(tdev_t *t0, const attn_case_t *c, uint64_t seed, systole_stats_t *out_st) {
  uint64_t s = seed;
  size_t pitch = (size_t)c->heads * c->d, qn = (size_t)c->seq_q * pitch,
         kn = (size_t)c->seq_k * pitch;
  int8_t *Q = xmalloc(qn), *K = xmalloc(kn), *V = xmalloc(kn), *got = xmalloc(qn),
         *want = xmalloc(qn);
  systole_ref_attention_params_t rp;
  systole_attention_job_t job;
  systole_buf_t qb, kb, vb, ob;
  systole_stats_t st;
  tdev_t fresh, *t = t0;
  char shape[512];
  size_t i;
  attn_shape(c, shape, sizeof(shape));
  if (c->m_block || c->k_chunk) {
    systole_dev_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.m_block = c->m_block;
    cfg.k_chunk = c->k_chunk;
    tdev_open_cfg(&fresh, &cfg);
    t = &fresh;
  }
  fill(Q, qn, c->q_zp, c->spread, &s);
  fill(K, kn, c->k_zp, c->spread, &s);
  fill(V, kn, c->v_zp, c->spread, &s);
  memset(&rp, 0, sizeof(rp));
  rp.seq_q = c->seq_q; rp.seq_k = c->seq_k; rp.d = c->d; rp.heads = c->heads;
  rp.causal = c->causal; rp.q_zp = c->q_zp; rp.k_zp = c->k_zp; rp.v_zp = c->v_zp;
  rp.out_zp = c->out_zp; rp.act_min = c->act_min; rp.act_max = c->act_max;
  ck_assert_msg(systole_ref_attention_params_from_scales(c->q_scale, c->k_scale, c->v_scale,
                                                         c->out_scale, c->sm_scale, &rp) == 0,
                "params_from_scales failed: %s", shape);
  for (i = 0; i < qn; i++) got[i] = (int8_t)(0x5A ^ i);
  OK(systole_buf_alloc(&t->dev, qn, &qb));
  OK(systole_buf_alloc(&t->dev, kn, &kb));
  OK(systole_buf_alloc(&t->dev, kn, &vb));
  OK(systole_buf_alloc(&t->dev, qn, &ob));
  OK(systole_buf_write(&t->dev, &qb, 0, Q, qn));
  OK(systole_buf_write(&t->dev, &kb, 0, K, kn));
  OK(systole_buf_write(&t->dev, &vb, 0, V, kn));
  OK(systole_buf_write(&t->dev, &ob, 0, got, qn));
  memset(&job, 0, sizeof(job));
  job.heads = (uint32_t)c->heads; job.seq_q = (uint32_t)c->seq_q; job.seq_k = (uint32_t)c->seq_k;
  job.d = (uint32_t)c->d; job.causal = c->causal;
  job.q = &qb; job.k = &kb; job.v = &vb; job.out = &ob;
  job.q_zp = c->q_zp; job.k_zp = c->k_zp; job.v_zp = c->v_zp;
  job.sm_mult = rp.sm_mult; job.sm_shift = rp.sm_shift;
  job.out_mult = rp.out_mult; job.out_shift = rp.out_shift;
  job.out_zp = c->out_zp; job.act_min = c->act_min; job.act_max = c->act_max;
  job.flags = c->host ? SYSTOLE_ATTN_HOST_SOFTMAX : 0;
  job.scratch_bytes = c->scratch;
  {
    systole_status_t r;
    systole_error_info_t info;
    systole_attn_test_v_tiles = c->v_tiles;
    systole_attn_test_k_keys = c->k_keys;
    r = systole_attention(&t->dev, &job, &st);
    systole_attn_test_v_tiles = 0;
    systole_attn_test_k_keys = 0;
    ck_assert_int_eq(systole_dev_last_error(&t->dev, &info), SYSTOLE_OK);
    ck_assert_msg(r == SYSTOLE_OK, "attention failed: %s (%s)\n" FAIL_CTX_FMT,
                  systole_status_str(r), info.msg, FAIL_CTX_ARGS(shape));
  }
  OK(systole_buf_read(&t->dev, &ob, 0, got, qn));
  ck_assert_int_eq(systole_ref_attention_i8(&rp, Q, K, V, want), 0);
  for (i = 0; i < qn; i++)
    if (got[i] != want[i])
      ck_abort_msg("mismatch at out[%zu][head %zu][%zu]: got %d want %d%s\n" FAIL_CTX_FMT,
                   i / pitch, (i % pitch) / (size_t)c->d, i % (size_t)c->d, got[i], want[i],
                   c->host || !has_softmax(t) ? " (host softmax)" : "", FAIL_CTX_ARGS(shape));
  if (c->host && has_softmax(t)) { /* the chip's own softmax path gives the same bytes */
    systole_stats_t cst;
    for (i = 0; i < qn; i++) want[i] = (int8_t)(0x3C ^ i);
    OK(systole_buf_write(&t->dev, &ob, 0, want, qn));
    job.flags = 0;
    OK(systole_attention(&t->dev, &job, &cst));
    OK(systole_buf_read(&t->dev, &ob, 0, want, qn));
    for (i = 0; i < qn; i++)
      if (got[i] != want[i])
        ck_abort_msg("host softmax differs from the chip's softmax path at out[%zu][head %zu]"
                     "[%zu]: host %d chip %d\n" FAIL_CTX_FMT,
                     i / pitch, (i % pitch) / (size_t)c->d, i % (size_t)c->d, got[i], want[i],
                     FAIL_CTX_ARGS(shape));
  }
  ck_assert_uint_eq(st.workload_macs,
                    2ull * (uint64_t)c->seq_q * (uint64_t)c->seq_k * (uint64_t)pitch);
  ck_assert_uint_gt(st.cycles, 0);
  if (out_st) *out_st = st;
  OK(systole_buf_free(&t->dev, &qb));
  OK(systole_buf_free(&t->dev, &kb));
  OK(systole_buf_free(&t->dev, &vb));
  OK(systole_buf_free(&t->dev, &ob));
  if (t != t0) tdev_close(t);
  free(Q); free(K); free(V); free(got); free(want);
}

/* ---- fixed matrix ----------------------------------------------------------------------- */

typedef struct {
  int sq, sk, d, heads, causal, subset;
} fixed_t;

/* Every required value of each dimension (seq 1, 7, 64, 128, 257, 512; d 16, 32, 64, 128;
 * heads 1..8; causal and not) at least once, crossed where it matters. */
static const fixed_t k_fixed[] = {
    {1, 1, 16, 1, 0, 1},     {1, 1, 32, 1, 1, 1},      {7, 7, 16, 3, 1, 1},
    {7, 7, 64, 2, 0, 1},     {64, 64, 64, 4, 1, 1},    {64, 64, 128, 1, 0, 0},
    {128, 128, 64, 8, 0, 0}, {128, 128, 32, 5, 1, 0},  {128, 128, 16, 6, 0, 1},
    {257, 257, 16, 2, 1, 0}, {257, 257, 128, 1, 0, 0}, {512, 512, 64, 1, 1, 0},
    {512, 512, 16, 2, 0, 0}, {1, 257, 128, 2, 1, 0},   {1, 512, 64, 1, 1, 1},
    {7, 512, 32, 7, 0, 0},   {64, 257, 32, 7, 1, 0},   {1, 7, 16, 8, 1, 1},
    {7, 64, 128, 1, 1, 1},   {64, 128, 16, 3, 1, 0},
    /* V^T of one head (64 KiB) does not fit the 8x8 scratchpad: streamed in d-chunks */
    {512, 512, 128, 2, 0, 0}, {512, 512, 128, 2, 1, 0},
};

START_TEST(test_fixed) {
  tdev_t t;
  unsigned i;
  tdev_open_cfg(&t, NULL);
  for (i = 0; i < sizeof(k_fixed) / sizeof(k_fixed[0]); i++) {
    const fixed_t *f = &k_fixed[i];
    attn_case_t c;
    if (g_subset && !f->subset) continue;
    c = attn_basic(f->sq, f->sk, f->d, f->heads, f->causal);
    run_attn(&t, &c, g_seed * 1000 + i, NULL);
  }
  tdev_close(&t);
}
END_TEST

/* Zero points, clamps and scales at their extremes; odd d (tails padded on chip). */
START_TEST(test_edges) {
  tdev_t t;
  attn_case_t c;
  tdev_open_cfg(&t, NULL);
  c = attn_basic(9, 13, 5, 2, 0); /* d not a multiple of the array */
  c.q_zp = -128; c.k_zp = 127; c.v_zp = -128; c.out_zp = 127;
  run_attn(&t, &c, 11, NULL);
  c = attn_basic(17, 17, 19, 3, 1);
  c.act_min = -20; c.act_max = 30; c.spread = 3; /* peaked scores, narrow clamp */
  run_attn(&t, &c, 12, NULL);
  c = attn_basic(20, 33, 8, 1, 0);
  c.q_scale = 0.5; c.k_scale = 0.5; c.sm_scale = 1.0; /* very sharp softmax */
  run_attn(&t, &c, 13, NULL);
  c = attn_basic(20, 33, 24, 1, 1);
  c.q_scale = 0.001; c.k_scale = 0.001; /* nearly uniform */
  run_attn(&t, &c, 14, NULL);
  c = attn_basic(3, 40, 1, 2, 1); /* d = 1 */
  run_attn(&t, &c, 15, NULL);
  { /* a matmul after attention: the job must leave the EX zero points at (0, 0) */
    int8_t A[4 * 8], B[8 * 8];
    int32_t got[4 * 8], want[4 * 8];
    systole_packed_t pk;
    systole_buf_t ab, cb;
    systole_matmul_job_t mj;
    uint64_t s = 99;
    fill(A, sizeof(A), 0, 0, &s);
    fill(B, sizeof(B), 0, 0, &s);
    OK(systole_matmul_weights_pack(&t.dev, 8, 8, B, 0, NULL, NULL, NULL, 0, &pk));
    OK(systole_buf_alloc(&t.dev, sizeof(A), &ab));
    OK(systole_buf_alloc(&t.dev, sizeof(got), &cb));
    OK(systole_buf_write(&t.dev, &ab, 0, A, sizeof(A)));
    memset(&mj, 0, sizeof(mj));
    mj.M = 4; mj.a = &ab; mj.lda = 8; mj.b = &pk; mj.c = &cb; mj.ldc = 8; mj.raw_output = 1;
    OK(systole_matmul(&t.dev, &mj, NULL));
    OK(systole_buf_read(&t.dev, &cb, 0, got, sizeof(got)));
    ck_assert_int_eq(systole_ref_matmul_i32(4, 8, 8, A, 8, 0, B, 8, 0, 0, want, 8), 0);
    ck_assert_mem_eq(got, want, sizeof(got));
    OK(systole_packed_free(&t.dev, &pk));
    OK(systole_buf_free(&t.dev, &ab));
    OK(systole_buf_free(&t.dev, &cb));
  }
  tdev_close(&t);
}
END_TEST

/* Small blocks and chunks force many blocks, K chunks and V buffers switching heads. */
START_TEST(test_tiler_overrides) {
  tdev_t t;
  attn_case_t c;
  tdev_open_cfg(&t, NULL);
  c = attn_basic(37, 45, 20, 3, 1);
  c.m_block = 4; c.k_chunk = 1;
  run_attn(&t, &c, 21, NULL);
  c = attn_basic(37, 45, 20, 3, 0);
  c.m_block = 1; c.k_chunk = 2;
  run_attn(&t, &c, 22, NULL);
  c = attn_basic(30, 100, 33, 2, 1);
  c.m_block = 7; c.k_chunk = 3;
  run_attn(&t, &c, 23, NULL);
  tdev_close(&t);
}
END_TEST

/* V^T streamed per block in d-chunks (forced small chunks, so every array size runs the
 * chunked PV on small shapes): d tails, causal, one chunk buffer or two, many blocks. */
START_TEST(test_v_chunks) {
  tdev_t t;
  attn_case_t c;
  tdev_open_cfg(&t, NULL);
  c = attn_basic(37, 45, 20, 3, 1);
  c.v_tiles = 1;
  run_attn(&t, &c, 31, NULL);
  c = attn_basic(19, 64, 40, 2, 0);
  c.v_tiles = 2;
  run_attn(&t, &c, 32, NULL);
  c = attn_basic(30, 100, 33, 2, 1);
  c.v_tiles = 1; c.m_block = 7; c.k_chunk = 3;
  run_attn(&t, &c, 33, NULL);
  c = attn_basic(8, 9, 7, 2, 0); /* d < one tile */
  c.v_tiles = 1; c.q_zp = -128; c.v_zp = 127;
  run_attn(&t, &c, 34, NULL);
  if (!g_subset) {
    c = attn_basic(64, 300, 128, 3, 1);
    c.v_tiles = 3;
    run_attn(&t, &c, 35, NULL);
    c = attn_basic(128, 128, 64, 2, 0);
    c.v_tiles = 5;
    run_attn(&t, &c, 36, NULL);
  }
  tdev_close(&t);
}
END_TEST

/* Chunked rows (SOFTMAX MAX / SUM / PROB over key chunks, QK^T recomputed per pass, PV
 * accumulated over chunks), forced with small key chunks; bit-exact vs the golden kernel,
 * which computes whole rows. */
START_TEST(test_chunked_rows) {
  tdev_t t;
  attn_case_t c;
  tdev_open_cfg(&t, NULL);
  c = attn_basic(20, 45, 16, 1, 0); /* chunk a multiple of Cols */
  c.k_keys = 16;
  run_attn(&t, &c, 41, NULL);
  c = attn_basic(37, 45, 20, 2, 1); /* causal, chunk not a multiple of Cols, d tail */
  c.k_keys = 13;
  run_attn(&t, &c, 42, NULL);
  if (!g_subset) {
    c = attn_basic(64, 100, 32, 3, 0);
    c.k_keys = 7;
    run_attn(&t, &c, 43, NULL);
    c = attn_basic(64, 130, 32, 3, 1);
    c.k_keys = 24;
    run_attn(&t, &c, 44, NULL);
    c = attn_basic(30, 77, 40, 2, 1); /* V^T of each chunk in d-chunks */
    c.k_keys = 19; c.v_tiles = 1;
    run_attn(&t, &c, 45, NULL);
    c = attn_basic(30, 70, 72, 2, 0);
    c.k_keys = 30; c.v_tiles = 2; c.m_block = 7; c.k_chunk = 1;
    run_attn(&t, &c, 46, NULL);
    c = attn_basic(1, 1, 16, 1, 1); /* one key */
    c.k_keys = 5;
    run_attn(&t, &c, 47, NULL);
    c = attn_basic(16, 64, 64, 2, 0); /* sharp softmax: the max moves between chunks */
    c.k_keys = 9; c.sm_scale = 1.0; c.spread = 40;
    run_attn(&t, &c, 48, NULL);
  }
  tdev_close(&t);
}
END_TEST

/* A real row longer than the accumulator holds (seq_k 4096 on 8x8): automatic chunked
 * rows. */
START_TEST(test_long_rows) {
  tdev_t t;
  attn_case_t c;
  if (g_subset || strcmp(SYSTOLE_TEST_CONFIG, "8x8") != 0) return;
  tdev_open_cfg(&t, NULL);
  c = attn_basic(4, 5000, 16, 1, 0);
  run_attn(&t, &c, 51, NULL);
  c = attn_basic(3, 4200, 16, 1, 1);
  run_attn(&t, &c, 52, NULL);
  c = attn_basic(8, 9000, 32, 2, 1); /* several chunks per row, past the 32768-key SOFTMAX */
  run_attn(&t, &c, 53, NULL);
  c = attn_basic(2, 40000, 8, 1, 0);
  run_attn(&t, &c, 54, NULL);
  tdev_close(&t);
}
END_TEST

/* Constrained-random shapes from SEED. */
START_TEST(test_random) {
  tdev_t t;
  uint64_t s = g_seed * 0x9E3779B97F4A7C15ull + 5;
  int i, n = g_subset ? 4 : 16;
  tdev_open_cfg(&t, NULL);
  for (i = 0; i < n; i++) {
    attn_case_t c;
    int sk = rnd_range(&s, 1, g_subset ? 80 : 200);
    int causal = (int)(rnd(&s) & 1);
    int sq = causal ? rnd_range(&s, 1, sk) : rnd_range(&s, 1, g_subset ? 60 : 150);
    c = attn_basic(sq, sk, rnd_range(&s, 1, 72), rnd_range(&s, 1, 4), causal);
    c.q_zp = rnd_range(&s, -128, 127);
    c.k_zp = rnd_range(&s, -128, 127);
    c.v_zp = rnd_range(&s, -128, 127);
    c.out_zp = rnd_range(&s, -128, 127);
    c.q_scale = 0.005 * rnd_range(&s, 1, 40);
    c.k_scale = 0.005 * rnd_range(&s, 1, 40);
    c.v_scale = 0.005 * rnd_range(&s, 1, 40);
    c.out_scale = 0.002 * rnd_range(&s, 1, 40);
    if (rnd(&s) % 3 == 0) c.spread = rnd_range(&s, 1, 40);
    if (rnd(&s) % 3 == 0) {
      c.m_block = (uint32_t)rnd_range(&s, 1, 40);
      c.k_chunk = (uint32_t)rnd_range(&s, 1, 6);
    }
    if (i % 4 == 3) c.v_tiles = (uint32_t)rnd_range(&s, 1, 4);
    run_attn(&t, &c, rnd(&s), NULL);
  }
  tdev_close(&t);
}
END_TEST

/* ---- host softmax ------------------------------------------------------------------------ */

/* Fixed host-softmax cases: heads, causal (seq_q < seq_k too), d tails, extreme zero points,
 * one query row per block (tiny scratch), K chunks and PV units of a few keys, d-chunks of
 * the outputs, rows longer than the host row buffer (three streamed passes) and than the
 * accumulator. On a chip with a softmax unit each is also compared with the chip path. */
START_TEST(test_host_fixed) {
  static const fixed_t k_host[] = {
      {1, 1, 16, 1, 0, 1},    {1, 1, 1, 1, 1, 1},      {7, 7, 64, 2, 0, 1},
      {64, 64, 64, 4, 1, 1},  {128, 128, 64, 2, 0, 0}, {37, 45, 20, 3, 1, 1},
      {1, 257, 128, 2, 1, 0}, {257, 257, 16, 2, 1, 0}, {64, 128, 16, 3, 1, 1},
      {7, 512, 32, 3, 0, 0},  {3, 40, 1, 2, 1, 1},     {20, 33, 72, 1, 0, 0},
  };
  tdev_t t;
  attn_case_t c;
  unsigned i;
  tdev_open_cfg(&t, NULL);
  for (i = 0; i < sizeof(k_host) / sizeof(k_host[0]); i++) {
    const fixed_t *f = &k_host[i];
    if (g_subset && !f->subset) continue;
    c = attn_basic(f->sq, f->sk, f->d, f->heads, f->causal);
    c.host = 1;
    run_attn(&t, &c, g_seed * 2000 + i, NULL);
  }
  c = attn_basic(9, 13, 5, 2, 0); /* extreme zero points, d tail */
  c.host = 1; c.q_zp = -128; c.k_zp = 127; c.v_zp = -128; c.out_zp = 127;
  run_attn(&t, &c, 101, NULL);
  c = attn_basic(17, 17, 19, 3, 1); /* peaked scores, narrow clamp */
  c.host = 1; c.act_min = -20; c.act_max = 30; c.spread = 3;
  run_attn(&t, &c, 102, NULL);
  c = attn_basic(20, 33, 8, 1, 0); /* very sharp softmax */
  c.host = 1; c.q_scale = 0.5; c.k_scale = 0.5; c.sm_scale = 1.0;
  run_attn(&t, &c, 103, NULL);
  c = attn_basic(20, 33, 24, 1, 1); /* nearly uniform */
  c.host = 1; c.q_scale = 0.001; c.k_scale = 0.001;
  run_attn(&t, &c, 104, NULL);
  c = attn_basic(30, 70, 33, 2, 1); /* one query row per block: 30 * 2 + 1 chip jobs */
  c.host = 1; c.scratch = 1;
  run_attn(&t, &c, 105, NULL);
  c = attn_basic(37, 45, 20, 3, 1); /* K chunks of one key tile, PV units of one group */
  c.host = 1; c.k_keys = 1; c.m_block = 5;
  run_attn(&t, &c, 106, NULL);
  c = attn_basic(19, 64, 40, 2, 0); /* outputs in d-chunks (two output buffers) */
  c.host = 1; c.v_tiles = 2; c.k_keys = 13;
  run_attn(&t, &c, 107, NULL);
  c = attn_basic(30, 100, 33, 2, 1); /* d-chunks of one tile, tiny blocks */
  c.host = 1; c.v_tiles = 1; c.m_block = 7; c.k_chunk = 3;
  run_attn(&t, &c, 108, NULL);
  c = attn_basic(5, 1500, 16, 2, 1); /* rows longer than the host row buffer: 3 passes */
  c.host = 1;
  run_attn(&t, &c, 109, NULL);
  if (!g_subset) {
    c = attn_basic(16, 64, 64, 2, 0); /* sharp softmax, the max anywhere */
    c.host = 1; c.sm_scale = 1.0; c.spread = 40; c.k_keys = 9;
    run_attn(&t, &c, 110, NULL);
    c = attn_basic(3, 5000, 16, 1, 1); /* a row longer than the 4x4 accumulator */
    c.host = 1;
    run_attn(&t, &c, 111, NULL);
    c = attn_basic(4, 2100, 8, 2, 0); /* long rows, one row per block */
    c.host = 1; c.scratch = 64;
    run_attn(&t, &c, 112, NULL);
    c = attn_basic(512, 512, 128, 1, 1);
    c.host = 1;
    run_attn(&t, &c, 113, NULL);
  }
  tdev_close(&t);
}
END_TEST

/* Constrained-random host-softmax cases from SEED: shapes, zero points, scales, scratch
 * budgets (down to one query row per block), tiler overrides, d-chunks, small K chunks. */
START_TEST(test_host_random) {
  tdev_t t;
  uint64_t s = g_seed * 0xD1B54A32D192ED03ull + 17;
  int i, n = g_subset ? 6 : 24;
  tdev_open_cfg(&t, NULL);
  for (i = 0; i < n; i++) {
    attn_case_t c;
    int sk = rnd_range(&s, 1, g_subset ? 90 : 300);
    int causal = (int)(rnd(&s) & 1);
    int sq = causal ? rnd_range(&s, 1, sk) : rnd_range(&s, 1, g_subset ? 60 : 160);
    c = attn_basic(sq, sk, rnd_range(&s, 1, 80), rnd_range(&s, 1, 4), causal);
    c.host = 1;
    c.q_zp = rnd_range(&s, -128, 127);
    c.k_zp = rnd_range(&s, -128, 127);
    c.v_zp = rnd_range(&s, -128, 127);
    c.out_zp = rnd_range(&s, -128, 127);
    c.q_scale = 0.005 * rnd_range(&s, 1, 40);
    c.k_scale = 0.005 * rnd_range(&s, 1, 40);
    c.v_scale = 0.005 * rnd_range(&s, 1, 40);
    c.out_scale = 0.002 * rnd_range(&s, 1, 40);
    if (rnd(&s) % 3 == 0) c.spread = rnd_range(&s, 1, 40);
    if (rnd(&s) % 3 == 0) c.scratch = (uint32_t)rnd_range(&s, 1, 20000);
    if (rnd(&s) % 4 == 0) {
      c.m_block = (uint32_t)rnd_range(&s, 1, 40);
      c.k_chunk = (uint32_t)rnd_range(&s, 1, 6);
    }
    if (rnd(&s) % 4 == 0) c.v_tiles = (uint32_t)rnd_range(&s, 1, 4);
    if (rnd(&s) % 4 == 0) c.k_keys = (uint32_t)rnd_range(&s, 1, 40);
    run_attn(&t, &c, rnd(&s), NULL);
  }
  tdev_close(&t);
}
END_TEST

/* Host softmax: profiling modes, argument checks, and a HAL without host_alloc. */
START_TEST(test_host_validation) {
  tdev_t t;
  systole_hal_t nohost;
  systole_dev_t dev2;
  systole_buf_t b, o;
  systole_attention_job_t job;
  systole_error_info_t info;
  uint8_t before[64 * 64], after[64 * 64];
  unsigned i;
  tdev_open_cfg(&t, NULL);
  OK(systole_buf_alloc(&t.dev, sizeof(before), &b));
  OK(systole_buf_alloc(&t.dev, sizeof(before), &o));
  for (i = 0; i < sizeof(before); i++) before[i] = (uint8_t)(i * 7);
  OK(systole_buf_write(&t.dev, &b, 0, before, sizeof(before)));
  OK(systole_buf_write(&t.dev, &o, 0, before, sizeof(before)));
  memset(&job, 0, sizeof(job));
  job.heads = 2; job.seq_q = 64; job.seq_k = 64; job.d = 32; job.causal = 1;
  job.q = job.k = job.v = &b; job.out = &o;
  job.sm_mult = 1 << 30; job.out_mult = 1 << 30; job.act_min = -128; job.act_max = 127;
  job.flags = SYSTOLE_ATTN_HOST_SOFTMAX;
  /* profiling modes run and leave the output alone */
  job.profile = SYSTOLE_ATTN_PROFILE_QK;
  OK(systole_attention(&t.dev, &job, NULL));
  job.profile = SYSTOLE_ATTN_PROFILE_QK_SOFTMAX;
  OK(systole_attention(&t.dev, &job, NULL));
  OK(systole_buf_read(&t.dev, &o, 0, after, sizeof(after)));
  ck_assert_mem_eq(before, after, sizeof(before));
  job.profile = 0;
  job.flags = 6;
  ck_assert_int_eq(systole_attention(&t.dev, &job, NULL), SYSTOLE_BAD_ARG);
  OK(systole_dev_last_error(&t.dev, &info));
  ck_assert_ptr_nonnull(strstr(info.msg, "flags"));
  job.flags = SYSTOLE_ATTN_HOST_SOFTMAX;
  OK(systole_buf_free(&t.dev, &b));
  OK(systole_buf_free(&t.dev, &o));
  /* a HAL without host scratch: UNSUPPORTED with a message, nothing sent */
  nohost = t.hs.hal;
  nohost.host_alloc = NULL;
  nohost.host_free = NULL;
  OK(systole_dev_open(&dev2, &nohost, NULL));
  OK(systole_buf_alloc(&dev2, sizeof(before), &b));
  job.q = job.k = job.v = job.out = &b;
  ck_assert_int_eq(systole_attention(&dev2, &job, NULL), SYSTOLE_UNSUPPORTED);
  OK(systole_dev_last_error(&dev2, &info));
  ck_assert_msg(strstr(info.msg, "host_alloc") != NULL, "message: %s", info.msg);
  if (!has_softmax(&t)) ck_assert_ptr_nonnull(strstr(info.msg, "no softmax unit"));
  job.flags = 0; /* the chip path needs no host scratch */
  ck_assert_int_eq(systole_attention(&dev2, &job, NULL),
                   has_softmax(&t) ? SYSTOLE_OK : SYSTOLE_UNSUPPORTED);
  OK(systole_buf_free(&dev2, &b));
  OK(systole_dev_close(&dev2));
  tdev_close(&t);
}
END_TEST

/* Bad arguments: clear errors, nothing sent to the chip; too long seq_k: UNSUPPORTED. */
START_TEST(test_validation) {
  tdev_t t;
  systole_buf_t b, small;
  systole_attention_job_t job, j;
  systole_error_info_t info;
  tdev_open_cfg(&t, NULL);
  OK(systole_buf_alloc(&t.dev, 64 * 64, &b)); /* exactly 64 rows of 2 heads x 32 */
  OK(systole_buf_alloc(&t.dev, 16, &small));
  memset(&job, 0, sizeof(job));
  job.heads = 2; job.seq_q = 64; job.seq_k = 64; job.d = 32;
  job.q = job.k = job.v = job.out = &b;
  job.sm_mult = 1 << 30; job.out_mult = 1 << 30; job.act_min = -128; job.act_max = 127;
#define BADJ(stmt, want, text)                                                          \
  do {                                                                                  \
    j = job;                                                                            \
    stmt;                                                                               \
    ck_assert_int_eq(systole_attention(&t.dev, &j, NULL), want);                        \
    OK(systole_dev_last_error(&t.dev, &info));                                          \
    ck_assert_msg(strstr(info.msg, text) != NULL, "message '%s' lacks '%s'", info.msg, text); \
  } while (0)
  BADJ(j.seq_q = 0, SYSTOLE_BAD_ARG, "must be >= 1");
  BADJ(j.seq_k = 0, SYSTOLE_BAD_ARG, "must be >= 1");
  BADJ(j.d = 0, SYSTOLE_BAD_ARG, "must be >= 1");
  BADJ(j.heads = 0, SYSTOLE_BAD_ARG, "must be >= 1");
  BADJ(j.q = NULL, SYSTOLE_BAD_ARG, "NULL");
  BADJ(j.seq_q = 65, SYSTOLE_BAD_ARG, "Q buffer");
  BADJ(j.seq_k = 65, SYSTOLE_BAD_ARG, "K buffer");
  BADJ(j.v = &small, SYSTOLE_BAD_ARG, "V buffer");
  BADJ(j.out = &small, SYSTOLE_BAD_ARG, "out buffer");
  BADJ(j.causal = 1; j.seq_q = 64; j.seq_k = 32, SYSTOLE_BAD_ARG, "causal");
  BADJ(j.q_zp = 128, SYSTOLE_BAD_ARG, "zero points");
  BADJ(j.act_min = 5; j.act_max = 4, SYSTOLE_BAD_ARG, "clamp");
  BADJ(j.out_shift = 40, SYSTOLE_BAD_ARG, "shift");
  BADJ(j.heads = 0x10000u; j.d = 0x8000u, SYSTOLE_BAD_ARG, "Q buffer");
  BADJ(j.heads = 0x10000u; j.d = 0x10000u, SYSTOLE_OVERFLOW, "overflows");
  BADJ(j.seq_k = 65536, SYSTOLE_BAD_ARG, "65535");
  BADJ(j.profile = 9, SYSTOLE_BAD_ARG, "profile");
  BADJ(j.flags = 0x80, SYSTOLE_BAD_ARG, "flags");
  /* one row of scores does not fit the accumulator: chunked rows, but the profiling modes
   * need whole rows: a clear UNSUPPORTED */
  {
    systole_buf_t big;
    OK(systole_buf_alloc(&t.dev, 32768u * 2u, &big));
    j = job;
    j.heads = 1; j.d = 2; j.seq_q = 1; j.seq_k = 32768;
    j.q = j.out = &b; j.k = j.v = &big;
    j.profile = SYSTOLE_ATTN_PROFILE_QK_SOFTMAX;
    if (has_softmax(&t)) {
      ck_assert_int_eq(systole_attention(&t.dev, &j, NULL), SYSTOLE_UNSUPPORTED);
      OK(systole_dev_last_error(&t.dev, &info));
      ck_assert_ptr_nonnull(strstr(info.msg, "a row of scores"));
    } else { /* the host softmax profiles any row */
      OK(systole_attention(&t.dev, &j, NULL));
    }
    OK(systole_buf_free(&t.dev, &big));
  }
  OK(systole_buf_free(&t.dev, &b));
  OK(systole_buf_free(&t.dev, &small));
  tdev_close(&t);
}
END_TEST

/* Utilisation report (informative; `make bench` owns the numbers). */
START_TEST(test_perf_report) {
  tdev_t t;
  attn_case_t c;
  systole_stats_t st;
  int host;
  tdev_open_cfg(&t, NULL);
  for (host = 0; host <= has_softmax(&t); host++) {
    c = attn_basic(128, 128, 64, g_subset ? 1 : 2, 0);
    c.host = host;
    run_attn(&t, &c, 71, &st);
    printf("perf %s attention%s seq 128 d 64 heads %d: %llu cycles, utilisation %.1f%% "
           "(wall %llu, commands %llu, ld_dep %llu ex_dep %llu st_dep %llu wload %llu rd_mem %llu "
           "fetch %llu qfull %llu)\n",
           SYSTOLE_TEST_CONFIG, host || !has_softmax(&t) ? " (host softmax)" : "", c.heads,
           (unsigned long long)st.cycles, 100.0 * st.utilisation,
           (unsigned long long)st.wall_cycles, (unsigned long long)st.commands,
           (unsigned long long)st.stall_ld_dep, (unsigned long long)st.stall_ex_dep,
           (unsigned long long)st.stall_st_dep, (unsigned long long)st.stall_ex_wload,
           (unsigned long long)st.stall_rd_mem, (unsigned long long)st.stall_fetch,
           (unsigned long long)st.stall_queue_full);
  }
  tdev_close(&t);
}
END_TEST

static Suite *attn_suite(void) {
  Suite *s = suite_create("attention_e2e");
  TCase *tc = tcase_create("attention");
  tcase_set_timeout(tc, 1200);
  tcase_add_test(tc, test_validation);
  tcase_add_test(tc, test_fixed);
  tcase_add_test(tc, test_edges);
  tcase_add_test(tc, test_tiler_overrides);
  tcase_add_test(tc, test_v_chunks);
  tcase_add_test(tc, test_chunked_rows);
  tcase_add_test(tc, test_long_rows);
  tcase_add_test(tc, test_random);
  tcase_add_test(tc, test_perf_report);
  suite_add_tcase(s, tc);
  /* the host-softmax path (forced on a chip with a softmax unit): CK_RUN_CASE=host runs only
   * these */
  tc = tcase_create("host");
  tcase_set_timeout(tc, 1200);
  tcase_add_test(tc, test_host_validation);
  tcase_add_test(tc, test_host_fixed);
  tcase_add_test(tc, test_host_random);
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
    else {
      fprintf(stderr, "usage: %s [--subset]\n", argv[0]);
      return 2;
    }
  }
  printf("test_attention_e2e: config %s, seed %llu%s\n", SYSTOLE_TEST_CONFIG,
         (unsigned long long)g_seed, g_subset ? ", subset" : "");
  sr = srunner_create(attn_suite());
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
