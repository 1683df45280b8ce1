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
systole_status_t drv_push(systole_dev_t *dev, const systole_cmd_t *cmd);
systole_status_t drv_job_end(systole_dev_t *dev, const drv_counters_t *snap,
                             uint64_t workload_macs, systole_stats_t *stats);

/* ---- GEMM tiler (systole_gemm.c) ---- */

typedef struct drv_gemm drv_gemm_t;

/* Emits one LOAD of rows [*cursor, ...) (< m_end) of k-tile kt of GEMM group g into the
 * scratchpad lines dst_line + (row - m_begin); advances *cursor past the rows it covers. */
typedef void (*drv_a_next_fn)(const drv_gemm_t *gm, uint32_t g, uint32_t kt, uint32_t m_begin,
                              uint32_t m_end, uint32_t *cursor, uint32_t dst_line,
                              systole_load_t *out);
/* Emits one LOAD of weight tiles kt0 + *cursor ... (< kt0 + kc) of n-tile j of group g;
 * tile kt0+i goes to lines dst_line + i*Cols. Advances *cursor by the tiles covered. */
typedef void (*drv_w_next_fn)(const drv_gemm_t *gm, uint32_t g, uint32_t j, uint32_t kt0,
                              uint32_t kc, uint32_t *cursor, uint32_t dst_line,
                              systole_load_t *out);

struct drv_gemm {
  /* problem */
  uint32_t M;        /* rows */
  uint32_t ggroups;  /* independent GEMMs sharing M (conv groups, depthwise tiles) */
  uint32_t KT, NT;   /* k-tiles and n-tiles per group */
  uint32_t N;        /* channels per group (the last group may have fewer: n_total) */
  uint32_t n_total;  /* channels of all groups */
  drv_a_next_fn a_next;
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
