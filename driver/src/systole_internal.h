/* systole_internal.h — private interfaces between the driver's source files. */
#ifndef SYSTOLE_INTERNAL_H
#define SYSTOLE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* The core needs only memcpy/memset/memcmp/strlen from the C library. A bare-metal build
 * without a libc (rv32im, firmware) provides those four itself. */
#if defined(__has_include)
#if __has_include(<string.h>)
#include <string.h>
#define DRV_HAVE_STRING_H 1
#endif
#else
#include <string.h>
#define DRV_HAVE_STRING_H 1
#endif
#ifndef DRV_HAVE_STRING_H
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif

#include "systole.h"
#include "systole_cmd.h"

#define SYSTOLE_ID_MAGIC 0x53595354u
#define DRV_DEFAULT_RING_SLOTS 256u
#define DRV_DEFAULT_TIMEOUT 20000000ull
#define DRV_POLL_CYCLES 256u

/* A function kept out of line (a rare path that would cost its caller registers). */
#if defined(__GNUC__)
#define DRV_NOINLINE __attribute__((noinline))
#else
#define DRV_NOINLINE
#endif

#define DRV_CHECK(expr)                        \
  do {                                         \
    systole_status_t st_ = (expr);             \
    if (st_ != SYSTOLE_OK) return st_;         \
  } while (0)

/* ---- device layer (systole_dev.c) ---- */

/* Record an error message on the device (printf-like, no allocation). */
void drv_set_error(systole_dev_t *dev, systole_status_t st, const char *fmt, ...);

/* A small vsnprintf (no libc needed): %% %s %c %d %i %u %x %X with an optional '0' flag,
 * a width, and the length modifiers l, ll, z. Always NUL-terminates (size > 0). */
void drv_vfmt(char *out, size_t size, const char *fmt, va_list ap);
void drv_fmt(char *out, size_t size, const char *fmt, ...);

/* HAL wrappers: map a non-zero HAL return to SYSTOLE_HAL_ERROR (and record it). */
systole_status_t drv_reg_read(systole_dev_t *dev, uint32_t off, uint32_t *v);
systole_status_t drv_reg_write(systole_dev_t *dev, uint32_t off, uint32_t v);
systole_status_t drv_mem_write(systole_dev_t *dev, uint32_t addr, const void *src, size_t n);
systole_status_t drv_mem_read(systole_dev_t *dev, uint32_t addr, void *dst, size_t n);

/* A buffer is valid and lies in the device window. */
int drv_buf_ok(const systole_dev_t *dev, const systole_buf_t *b);

/* Counter snapshot of a job. */
typedef struct {
  uint64_t v[15];
} drv_counters_t;

/* Job framing: begin (snapshot counters, reset the ring bookkeeping), push commands
 * (staged, streamed into the ring as it drains), end (IRQ command, wait, stats). On a chip
 * error or timeout the device is soft-reset and the error recorded. */
systole_status_t drv_job_begin(systole_dev_t *dev, drv_counters_t *snap);
systole_status_t drv_job_end(systole_dev_t *dev, const drv_counters_t *snap,
                             uint64_t workload_macs, systole_stats_t *stats);
/* Write the staged commands to the ring (waiting for space as needed). */
systole_status_t drv_ring_flush(systole_dev_t *dev);

/* Stage one command (inline: it is on the path of every command; a little-endian stage
 * slot is the ring slot's bytes, see drv_ring_flush; dev->pushed counts the commands as they
 * are flushed). */
static inline systole_status_t drv_push(systole_dev_t *dev, const systole_cmd_t *cmd) {
  uint64_t *slot;
  if (dev->stage_n == SYSTOLE_STAGE_CMDS) {
    systole_status_t st = drv_ring_flush(dev);
    if (st != SYSTOLE_OK) return st;
  }
  slot = dev->stage[dev->stage_n++];
  slot[0] = cmd->w[0];
  slot[1] = cmd->w[1];
  slot[2] = cmd->w[2];
  slot[3] = cmd->w[3];
  if (dev->trace) dev->trace(dev->trace_ctx, slot);
  return SYSTOLE_OK;
}

/* Stage n commands (a run of LOADs built ahead). */
systole_status_t drv_push_n(systole_dev_t *dev, const systole_cmd_t *cmd, uint32_t n);

/* ---- GEMM tiler (systole_gemm.c) ---- */

typedef struct drv_gemm drv_gemm_t;

/* The walk over the A LOADs of one k-tile, rows [m, m_end) of the block: a_begin sets it up
 * (the divisions that locate the first row happen there, once per k-tile), a_fill builds
 * LOADs in batches and advances it incrementally (no division, and in the common case no
 * 64-bit arithmetic, per LOAD). The fields after dst belong to the A source (conv: the output
 * position of row m, its input row, the k-tile's constants). */
typedef struct {
  uint32_t m, m_end; /* next row, end of the rows */
  uint32_t dst;      /* scratchpad line of row m */
  uint32_t kt;       /* k-tile (matmul) */
  /* conv: row m is output pixel (b, oy, ox) and reads input row iy */
  uint32_t b, oy, ox;
  uint32_t c0, cw;   /* first input channel and channel count of the k-tile */
  uint32_t lo;       /* first ox with ix >= 0, clamped to OW */
  int32_t hi;        /* last ox with ix < in_w, clamped to [-1, OW] */
  int none;          /* no ox reads inside the row (hi < lo before clamping) */
  int fast;          /* no LOAD of the walk reaches 2^32: 32-bit addresses throughout */
  int row_ok;        /* 0 <= iy < in_h */
  int row_fast;      /* (not fast) row_ok, and no LOAD of the row reaches 2^32 */
  uint32_t row_base; /* low 32 bits of the address of ox = 0 (ix = off, maybe < 0) */
  uint32_t off_c;    /* low 32 bits of off * in_c */
  int64_t iy0;       /* iy of oy = 0 */
  int64_t iy;
  int64_t off;       /* ix = ox * stride_w + off */
  uint64_t row_src;  /* (not fast) address of (b, iy, ix = 0, c0), modulo 2^64 (exact when
                      * row_ok) */
  uint64_t span;     /* ix_max * in_c + cw: a row's LOADs end before row_src + span */
} drv_a_walk_t;

/* Start the A LOADs of k-tile kt of GEMM group g, rows [m_begin, m_end) (non-empty), row
 * m_begin to scratchpad line dst_line. */
typedef void (*drv_a_begin_fn)(const drv_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                               uint32_t m_end, uint32_t dst_line, drv_a_walk_t *w);
/* Builds the next LOADs of the walk into out[0 ... max-1] (max >= 1), without dependency
 * bits, advancing w->m (and w->dst) past the rows they cover; returns how many (fewer than
 * max only when the walk is done, w->m == w->m_end; at least one while it is not). */
typedef uint32_t (*drv_a_fill_fn)(const drv_gemm_t *gm, drv_a_walk_t *w, systole_cmd_t *out,
                                  uint32_t max);
/* Builds one LOAD of weight tiles kt0 + *cursor ... (< kt0 + kc) of n-tile j of group g
 * (tile kt0+i to lines dst_line + i*Cols), without dependency bits. Advances *cursor by the
 * tiles covered. */
typedef void (*drv_w_next_fn)(const drv_gemm_t *gm, uint32_t g, uint32_t j, uint32_t kt0,
                              uint32_t kc, uint32_t *cursor, uint32_t dst_line,
                              systole_cmd_t *out);

struct drv_gemm {
  /* problem */
  uint32_t M;        /* rows */
  uint32_t ggroups;  /* independent GEMMs sharing M (conv groups, depthwise tiles) */
  uint32_t KT, NT;   /* k-tiles and n-tiles per group */
  uint32_t N;        /* channels per group (the last group may have fewer: n_total) */
  uint32_t n_total;  /* channels of all groups */
  drv_a_begin_fn a_begin;
  drv_a_fill_fn a_fill;
  drv_w_next_fn w_next;
  const void *ctx;   /* job data for the callbacks */
  /* output: row m, channel c (all groups) at out_addr + m*out_row_stride + c*esz */
  uint32_t out_addr, out_row_stride, esz;
  int raw;
  int8_t out_zp, act_min, act_max;
  /* qparam lines: group g, n-tile j at q_addr + (g*NT + j) * cols*16 */
  uint32_t q_addr;
  /* plan (drv_gemm_plan) */
  uint32_t m_blk, nt, kc;
};

/* Choose m_blk, nt, kc from the device sizes. UNSUPPORTED if nothing fits. */
systole_status_t drv_gemm_plan(const systole_dev_t *dev, drv_gemm_t *gm);
/* Stream the whole GEMM (after drv_job_begin, before drv_job_end). */
systole_status_t drv_gemm_emit(systole_dev_t *dev, const drv_gemm_t *gm);

/* Overflow-checked arithmetic helpers. */
int drv_mul_ok(uint64_t a, uint64_t b, uint64_t *r);
int drv_fits_u32(uint64_t v);

#endif /* SYSTOLE_INTERNAL_H */
