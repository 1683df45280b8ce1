/* fw_jobs.h — job definitions shared by the firmware programs and the host benchmark.
 *
 * Everything here talks to the chip only through the driver (systole.h) and checks every
 * result bit for bit against the golden kernels (systole_ref.h), computed on whatever CPU
 * runs the code: the SoC's RV32IM core in firmware, the host in firmware/bench. The same
 * source, compiled twice, is what makes the firmware-versus-host comparison fair: same
 * shapes, same data, same driver calls.
 *
 * Cycles: `cycles` is dev->hal->cycles() around the driver call(s) — mcycle on the SoC
 * (the core building and streaming the commands, the chip running them, the interrupt),
 * the chip model's clock on the host (which only advances while the driver waits).
 */
#ifndef FW_JOBS_H
#define FW_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "systole.h"
#include "systole_ref.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- benchmarked jobs: shapes ------------------------------------------------------------ */

/* conv2d: FWJ_CONV_HW x FWJ_CONV_HW x FWJ_CONV_CIN -> FWJ_CONV_COUT, 3x3, SAME, ReLU */
#ifndef FWJ_CONV_HW
#define FWJ_CONV_HW 8
#endif
#ifndef FWJ_CONV_CIN
#define FWJ_CONV_CIN 8
#endif
#ifndef FWJ_CONV_COUT
#define FWJ_CONV_COUT 16
#endif

/* attention block: FWJ_ATT_T tokens of width FWJ_ATT_D, FWJ_ATT_HEADS causal heads of
 * FWJ_ATT_D / FWJ_ATT_HEADS; Q/K/V projections, attention, output projection on the chip */
#ifndef FWJ_ATT_T
#define FWJ_ATT_T 16
#endif
#ifndef FWJ_ATT_D
#define FWJ_ATT_D 32
#endif
#ifndef FWJ_ATT_HEADS
#define FWJ_ATT_HEADS 2
#endif

/* ---- results ----------------------------------------------------------------------------- */

typedef struct {
  uint64_t cycles;        /* hal->cycles() around the driver job call(s): end to end */
  uint64_t chip_cycles;   /* sum of BUSY_CYCLES of the calls (chip first fetch..last write) */
  uint64_t wall_cycles;   /* sum of the chip's CYCLES counter over the calls */
  uint64_t macs;          /* workload MACs */
  uint64_t rd_bytes, wr_bytes; /* DMA traffic (incl. command fetch) */
  uint64_t commands;      /* commands the chip dispatched */
  uint32_t calls;         /* driver job calls */
  int pass;               /* every output equal to the golden kernel */
} fwj_result_t;

/* Add one driver call's statistics (and its end-to-end cycles) to r. */
void fwj_result_add(fwj_result_t *r, const systole_stats_t *st, uint64_t cycles);

/* ---- the benchmarked jobs ------------------------------------------------------------------ */

/* One conv2d layer (shapes above): pack, write, run (timed), read, check against
 * systole_ref_conv2d_i8. Prints its report row. Returns SYSTOLE_OK if every driver call
 * succeeded (r->pass tells whether the output matched). */
systole_status_t fwj_conv2d(systole_dev_t *dev, fwj_result_t *r);

/* One transformer attention block (shapes above): Q/K/V projections (matmuls),
 * FWJ_ATT_HEADS-head causal attention, output projection, each checked against the golden
 * kernels; the five driver calls are timed together. Prints one row per call. The
 * attention's requantisation comes from systole_ref_attention_params_from_scales (double). */
systole_status_t fwj_attention_block(systole_dev_t *dev, fwj_result_t *r);

/* The same jobs with other shapes (the board firmware's; the functions above call these):
 * conv2d hw x hw x cin -> cout, 3x3 SAME, ReLU; the attention block on t tokens of width d,
 * `heads` causal heads of d / heads, with the attention's requantisation taken from qp
 * (its sm_mult, sm_shift, out_mult, out_shift; everything else is set here). */
systole_status_t fwj_conv2d_shape(systole_dev_t *dev, int hw, int cin, int cout,
                                  fwj_result_t *r);
systole_status_t fwj_attention_block_shape(systole_dev_t *dev, uint32_t t, uint32_t d,
                                           uint32_t heads,
                                           const systole_ref_attention_params_t *qp,
                                           fwj_result_t *r);

/* "BENCH name=<name> pes=<rows*cols> cycles=... chip_cycles=... wall_cycles=... macs=...
 * rd=... wr=... commands=... calls=... pass=..." — the line firmware/bench/fw_bench.sh
 * parses. */
void fwj_print_bench(const systole_dev_t *dev, const char *name, const fwj_result_t *r);

/* ---- building blocks for programs ---------------------------------------------------------- */

/* Deterministic int8 data (xorshift32), the same on every CPU. */
void fwj_seed(uint32_t seed);
int8_t fwj_rnd_i8(void);
void fwj_fill_i8(int8_t *p, size_t n);

/* Print "<what>: <status> <driver message>" for a failed driver call. */
void fwj_print_error(const systole_dev_t *dev, const char *what, systole_status_t st);

/* Report table: header and one row (st NULL: a host-side step). */
void fwj_report_header(void);
void fwj_report_row(const char *name, const char *shape, const systole_stats_t *st,
                    uint64_t cycles, int pass);
/* A row with the sums of r (end-to-end cycles, chip busy cycles, MACs; the utilisation of
 * the sums on dev's array) and r->pass. */
void fwj_report_total(const systole_dev_t *dev, const char *name, const char *shape,
                      const fwj_result_t *r);

/* ---- integer-only helpers -------------------------------------------------------------------
 * What the reports and the quantisation need without floating point at run time: the board
 * firmware links picolibc's integer-only printf (no %llu, no %f) and no soft-float beyond
 * the driver's own statistics. */

/* v in decimal, written into buf (FWJ_U64_CHARS bytes); returns the digits (a pointer into
 * buf). For printf's %s. */
#define FWJ_U64_CHARS 21
const char *fwj_u64(char *buf, uint64_t v);

/* round(1000 * u), half up, for u >= 0 (a driver utilisation), from the IEEE-754 bits of u
 * with integer operations only (exact: (unsigned)(u * 1000.0 + 0.5) can be one more next to
 * a tie); 0 for negative or NaN, UINT32_MAX if it does not fit. */
uint32_t fwj_permille(double u);

/* systole_ref_quantize_multiplier(num / den) in integer arithmetic: *mult and *shift are the
 * same bit for bit as the double version's for any num / den a double holds exactly or
 * that is not within 2^-52 of a rounding tie (every ratio these jobs use). 0 < den < 2^62,
 * num < 2^62. Returns 0, or -1 (bad arguments, or a multiplier that needs shift > 31). */
int fwj_quant_mult(uint64_t num, uint64_t den, int32_t *mult, int *shift);

/* The attention's requantisation (sm_mult/sm_shift, out_mult/out_shift) as
 * systole_ref_attention_params_from_scales(q, k, v, out, 0) would set it, with the scales
 * in units of 1e-4 (0 < each <= 10000), in integer arithmetic: out_* from the exact ratio
 * v / (255 out) (fwj_quant_mult); sm_* with log2(e) and sqrt(p->d) in 2^30 and 2^24 fixed
 * point, so the softmax multiplier is within ~2e-8 (relative) of the double version's. p->d must be set
 * (1..65535). Returns 0 or -1 (bad arguments, a multiplier out of range). */
int fwj_attention_qparams(systole_ref_attention_params_t *p, uint32_t q, uint32_t k, uint32_t v,
                          uint32_t out);

/* "(CPU: weight packing N cycles, golden kernel M cycles)" under a row, when nonzero. */
void fwj_report_cpu_cycles(const char *name, uint64_t pack, uint64_t golden);

/* A conv layer with generated weights (OHWI), bias and per-channel requantisation:
 * p (pads set from SAME), in (device) / in_host -> *out (allocated here) / *out_host
 * (malloc'd here). Checked against systole_ref_conv2d_i8; adds to r. */
systole_status_t fwj_conv_layer(systole_dev_t *dev, const char *name,
                                systole_conv2d_params_t *p, const systole_buf_t *in,
                                const int8_t *in_host, systole_buf_t *out, int8_t **out_host,
                                fwj_result_t *r);

/* Geometry of a ReLU conv layer (out_zp -128, batch 1, dilation 1). */
systole_conv2d_params_t fwj_conv_params(int h, int w, int cin, int cout, int k, int stride,
                                        int groups, int32_t in_zp);

/* Packed weights of a projection out = requant((in - in_zp) x W + bias): K x N. */
typedef struct {
  uint32_t K, N;
  int32_t in_zp, out_zp;
  int8_t *w;
  int32_t *bias, *mult, *shift;
  systole_packed_t packed;
} fwj_proj_t;

/* Generate and pack a projection's weights. */
systole_status_t fwj_proj_make(systole_dev_t *dev, fwj_proj_t *pj, uint32_t K, uint32_t N,
                               int32_t in_zp, int32_t out_zp);
void fwj_proj_release(systole_dev_t *dev, fwj_proj_t *pj);
/* Run it on M rows (timed into r when r is not NULL); out is allocated here. */
systole_status_t fwj_proj_run(systole_dev_t *dev, const fwj_proj_t *pj, uint32_t M,
                              const systole_buf_t *in, systole_buf_t *out, fwj_result_t *r,
                              systole_stats_t *st);
/* Its golden result on the CPU (malloc'd; NULL on failure). */
int8_t *fwj_proj_golden(const fwj_proj_t *pj, uint32_t M, const int8_t *in_host);

/* Read n bytes of a device buffer into a malloc'd host copy (NULL on failure). */
int8_t *fwj_read_back(systole_dev_t *dev, const systole_buf_t *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* FW_JOBS_H */
