/* systole.h — public API of the Systole driver (C99).
 *
 * Style (OpenTitan DIF): every public name starts with systole_, functions are
 * systole_<object>_<verb>, every function returns a systole_status_t (marked
 * warn_unused_result) and passes results through out-parameters. Arguments are checked
 * before any register or ring write: a function that returns SYSTOLE_BAD_ARG has not
 * touched the device.
 *
 * The driver discovers the hardware (array size, memory sizes, bus width) from the
 * ID/CFG registers in systole_dev_open(); nothing here hard-codes a build parameter.
 * All register and memory access goes through a systole_hal_t (systole_hal.h).
 *
 * Numbers follow docs/layouts.md; the golden kernels (sw/ref, systole_ref.h) are the
 * specification: every job's result equals the matching systole_ref_* kernel bit for bit.
 * See docs/driver.md for the tiling scheme and what runs on the host.
 */
#ifndef SYSTOLE_H
#define SYSTOLE_H

#include <stddef.h>
#include <stdint.h>

#include "systole_hal.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SYSTOLE_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SYSTOLE_MUST_CHECK
#endif

/* ------------------------------------------------------------------------------------ */
/* Status                                                                               */
/* ------------------------------------------------------------------------------------ */

typedef enum {
  SYSTOLE_OK = 0,
  SYSTOLE_BAD_ARG = 1,     /* invalid argument; the device was not touched */
  SYSTOLE_NO_MEM = 2,      /* device memory (or host scratch) exhausted */
  SYSTOLE_TIMEOUT = 3,     /* the chip made no progress within the cycle budget */
  SYSTOLE_HW_ERROR = 4,    /* the chip stopped on an error: see systole_dev_last_error */
  SYSTOLE_UNSUPPORTED = 5, /* valid request this hardware/driver cannot run */
  SYSTOLE_HAL_ERROR = 6,   /* a HAL function failed */
  SYSTOLE_BAD_DEVICE = 7,  /* the ID register does not name a Systole chip */
  SYSTOLE_OVERFLOW = 8     /* a byte count or address does not fit (size_t / 32-bit) */
} systole_status_t;

/* Human-readable name of a status. Never NULL. */
const char *systole_status_str(systole_status_t status);

/* ------------------------------------------------------------------------------------ */
/* Device                                                                               */
/* ------------------------------------------------------------------------------------ */

/* What the hardware reported (CFG_* registers). */
typedef struct {
  uint32_t id, version;
  uint32_t rows, cols;          /* PE array */
  uint32_t spad_bytes, spad_lines; /* scratchpad: lines of `rows` bytes */
  uint32_t acc_bytes, acc_lines;   /* accumulator: lines of `cols` int32 */
  uint32_t qparam_lines;        /* qparam table: lines of `cols` 16-byte records */
  uint32_t bus_bytes, addr_bits;
  uint32_t queue_depth, cmd_bytes;
  uint32_t features;            /* CFG_FEATURES */
} systole_caps_t;

/* Device options; zero-initialise for the defaults. */
typedef struct {
  uint32_t ring_slots;      /* command ring slots, 0: 256 (range 8..65535) */
  uint32_t win_base;        /* DMA window; win_size 0: the HAL's memory region */
  uint32_t win_size;
  uint64_t timeout_cycles;  /* no-progress budget of a wait, 0: 20 000 000 cycles */
  uint32_t m_block;         /* tiler: preferred rows per block, 0: automatic */
  uint32_t k_chunk;         /* tiler: preferred k-tiles per chunk, 0: automatic */
} systole_dev_config_t;

/* The last error of a device. */
typedef struct {
  systole_status_t status;  /* what the failing call returned */
  uint32_t hw_code;         /* chip error code (systole_hwerr_t), 0 if not a chip error */
  uint32_t slot;            /* ring slot of the faulting command */
  uint32_t opcode;          /* its opcode (SYSTOLE_OP_*), 0 if unknown */
  uint64_t cmd[4];          /* the faulting command as read back from the ring */
  char msg[192];            /* readable message */
} systole_error_info_t;

/* Performance of one job, from the chip's own counters (deltas over the job). */
typedef struct {
  uint64_t cycles;          /* BUSY_CYCLES: first fetch to last write */
  uint64_t wall_cycles;     /* CYCLES: including host-side gaps */
  uint64_t workload_macs;   /* M*N*K of the job (conv: out pixels * out_c * taps * in_c/groups) */
  uint64_t array_macs;      /* MACS counter: rows*cols per activation row streamed */
  uint64_t compute_cycles;  /* cycles an activation row entered the array */
  double utilisation;       /* workload_macs / (rows * cols * cycles) */
  uint64_t dma_rd_bytes, dma_wr_bytes; /* incl. command fetch */
  uint64_t stall_ld_dep, stall_ex_dep, stall_st_dep, stall_ex_wload;
  uint64_t stall_rd_mem, stall_wr_mem, stall_fetch, stall_queue_full;
  uint64_t commands;        /* commands dispatched */
  /* HAL clock cycles of host-side work inside the call (attention with the host softmax:
   * reading scores, softmax, writing probabilities); 0 if none. The simulator HAL's clock is
   * the chip's, which stands still while the host computes, so there it reads 0. */
  uint64_t host_cycles;
} systole_stats_t;

/* Command ring staging (host side): commands written to the ring in runs. */
#define SYSTOLE_STAGE_CMDS 32u
#define SYSTOLE_HOST_STAGE_BYTES 2048u

/* A device. Caller-provided storage; fields are private to the driver except `caps`. */
typedef struct systole_dev {
  const systole_hal_t *hal;
  systole_caps_t caps;
  systole_dev_config_t cfg;
  int open;
  /* ring */
  uint32_t ring_addr, ring_slots, head, tail;
  uint32_t stage_n;
  uint64_t stage[SYSTOLE_STAGE_CMDS][4];
  uint64_t pushed;          /* commands pushed in the current job */
  /* tiler */
  uint32_t spad_half, acc_half;
  /* host staging for packing */
  uint8_t hbuf[SYSTOLE_HOST_STAGE_BYTES];
  /* errors */
  systole_error_info_t last_error;
  /* command-stream observation hook for tests and tracing (NULL: off) */
  void (*trace)(void *ctx, const uint64_t cmd[4]);
  void *trace_ctx;
} systole_dev_t;

/* Open a device: soft reset, check ID, read the CFG registers into dev->caps, allocate
 * the command ring, program the window and the ring, enable the CMD/ERROR interrupts.
 * cfg may be NULL (defaults). */
SYSTOLE_MUST_CHECK systole_status_t systole_dev_open(systole_dev_t *dev, const systole_hal_t *hal,
                                                     const systole_dev_config_t *cfg);
/* Free the ring and forget the device (buffers must have been freed by the caller). */
SYSTOLE_MUST_CHECK systole_status_t systole_dev_close(systole_dev_t *dev);
/* Capabilities (copy of dev->caps). */
SYSTOLE_MUST_CHECK systole_status_t systole_dev_caps(const systole_dev_t *dev,
                                                     systole_caps_t *caps);
/* The last error recorded by a failing call on this device (status SYSTOLE_OK if none). */
SYSTOLE_MUST_CHECK systole_status_t systole_dev_last_error(const systole_dev_t *dev,
                                                           systole_error_info_t *info);
/* Soft-reset the chip and re-program the ring (also done automatically after a chip
 * error or a timeout). */
SYSTOLE_MUST_CHECK systole_status_t systole_dev_reset(systole_dev_t *dev);
/* Install a callback that sees every command the driver writes to the ring (tests,
 * tracing). fn NULL removes it. */
SYSTOLE_MUST_CHECK systole_status_t systole_dev_set_trace(systole_dev_t *dev,
                                                          void (*fn)(void *ctx,
                                                                     const uint64_t cmd[4]),
                                                          void *ctx);

/* ------------------------------------------------------------------------------------ */
/* Buffers (device memory)                                                              */
/* ------------------------------------------------------------------------------------ */

typedef struct {
  uint32_t addr;  /* device address */
  uint32_t bytes; /* size */
  uint32_t owned; /* 1: allocated by systole_buf_alloc (freeable); 0: a view */
} systole_buf_t;

/* Allocate bytes (> 0) of device memory inside the DMA window, 64-byte aligned. */
SYSTOLE_MUST_CHECK systole_status_t systole_buf_alloc(systole_dev_t *dev, size_t bytes,
                                                      systole_buf_t *buf);
SYSTOLE_MUST_CHECK systole_status_t systole_buf_free(systole_dev_t *dev, systole_buf_t *buf);
/* A view of [offset, offset+bytes) of buf (not freeable). */
SYSTOLE_MUST_CHECK systole_status_t systole_buf_view(const systole_buf_t *buf, size_t offset,
                                                     size_t bytes, systole_buf_t *view);
/* Copy host <-> device at a byte offset of the buffer (range checked). */
SYSTOLE_MUST_CHECK systole_status_t systole_buf_write(systole_dev_t *dev, const systole_buf_t *buf,
                                                      size_t offset, const void *src,
                                                      size_t bytes);
SYSTOLE_MUST_CHECK systole_status_t systole_buf_read(systole_dev_t *dev, const systole_buf_t *buf,
                                                     size_t offset, void *dst, size_t bytes);

/* ------------------------------------------------------------------------------------ */
/* Packed weights (pack once, run many)                                                 */
/* ------------------------------------------------------------------------------------ */

typedef enum {
  SYSTOLE_PACK_MATMUL = 1,
  SYSTOLE_PACK_CONV = 2,      /* dense or grouped: one GEMM per group */
  SYSTOLE_PACK_DEPTHWISE = 3  /* groups == in_c == out_c: diagonal tiles */
} systole_pack_kind_t;

/* Flags of systole_matmul_weights_pack. */
#define SYSTOLE_PACK_B_TRANSPOSED 1u /* B is N x K row-major (B[k][n] at B[n*K + k]) */

/* Convolution geometry: the same fields as systole_ref_conv2d_params_t (NHWC input,
 * OHWI weights [out_c][k_h][k_w][in_c/groups]). */
typedef struct {
  int batch, in_h, in_w, in_c;
  int out_c, k_h, k_w;
  int stride_h, stride_w, dil_h, dil_w;
  int pad_top, pad_bottom, pad_left, pad_right;
  int groups;
  int32_t in_zp, out_zp, act_min, act_max;
} systole_conv2d_params_t;

typedef enum {
  SYSTOLE_PADDING_VALID = 1,
  SYSTOLE_PADDING_SAME = 2 /* TensorFlow SAME: extra pixel after */
} systole_padding_t;

/* Weights in the chip's layout plus per-channel qparam records, on the device. */
typedef struct {
  systole_pack_kind_t kind;
  uint32_t rows, cols;      /* array the tiles were packed for */
  uint32_t K, N;            /* per GEMM group: reduction and output channels */
  uint32_t KT, NT;          /* per GEMM group: k-tiles and n-tiles */
  uint32_t ggroups;         /* GEMM groups (conv groups, depthwise channel tiles) */
  uint32_t taps, ct;        /* conv: k_h*k_w taps, channel tiles per tap */
  int32_t a_zp;             /* activation zero point folded into the bias */
  int has_qparams;          /* mult/shift given: int8 output allowed */
  systole_conv2d_params_t conv; /* conv geometry the weights belong to */
  systole_buf_t w;          /* weight tiles */
  systole_buf_t q;          /* qparam lines (ggroups * NT lines of cols records) */
} systole_packed_t;

/* Pack B (K x N row-major, or N x K with SYSTOLE_PACK_B_TRANSPOSED) for
 * C = (A - a_zp) x B. bias may be NULL (0); mult/shift (N each) may both be NULL (only
 * raw int32 output is then possible). Allocates packed->w and packed->q. */
SYSTOLE_MUST_CHECK systole_status_t systole_matmul_weights_pack(
    systole_dev_t *dev, uint32_t K, uint32_t N, const int8_t *B, unsigned flags,
    const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t a_zp,
    systole_packed_t *packed);

/* Pack OHWI conv weights for params (in_zp is folded into the bias). Depthwise
 * (groups == in_c == out_c) uses diagonal tiles; other groupings one GEMM per group. */
SYSTOLE_MUST_CHECK systole_status_t systole_conv2d_weights_pack(
    systole_dev_t *dev, const systole_conv2d_params_t *params, const int8_t *w,
    const int32_t *bias, const int32_t *mult, const int32_t *shift, systole_packed_t *packed);

/* Free the device buffers of packed weights. */
SYSTOLE_MUST_CHECK systole_status_t systole_packed_free(systole_dev_t *dev,
                                                        systole_packed_t *packed);

/* ------------------------------------------------------------------------------------ */
/* Jobs                                                                                 */
/* ------------------------------------------------------------------------------------ */

typedef struct {
  uint32_t M;                 /* rows of A and C */
  const systole_buf_t *a;     /* A: M x K int8, row-major, leading dimension lda */
  uint32_t lda;               /* elements, >= K */
  int32_t a_zp;               /* must equal the packed a_zp */
  const systole_packed_t *b;  /* packed B (K x N) */
  const systole_buf_t *c;     /* C: M x N, row-major, leading dimension ldc */
  uint32_t ldc;               /* elements, >= N */
  int raw_output;             /* 1: int32 C = A x B + bias (no requant); 0: int8 */
  int32_t out_zp, act_min, act_max; /* int8 output stage */
} systole_matmul_job_t;

/* C = requant((A - a_zp) x B + bias) (or raw int32) on the chip. stats may be NULL. */
SYSTOLE_MUST_CHECK systole_status_t systole_matmul(systole_dev_t *dev,
                                                   const systole_matmul_job_t *job,
                                                   systole_stats_t *stats);

/* Output size of a convolution (BAD_ARG if the geometry is invalid or empty). */
SYSTOLE_MUST_CHECK systole_status_t systole_conv2d_out_size(const systole_conv2d_params_t *p,
                                                            int *out_h, int *out_w);
/* Set the four pads of p for a padding mode (k, stride, dilation, input size from p). */
SYSTOLE_MUST_CHECK systole_status_t systole_conv2d_set_padding(systole_conv2d_params_t *p,
                                                               systole_padding_t mode);

/* out (NHWC, batch x out_h x out_w x out_c, int8 or int32 when raw_output) =
 * conv2d(in (NHWC int8), packed weights). The params must equal the packed ones.
 * Implicit im2col through DMA address patterns; padding filled with in_zp. */
SYSTOLE_MUST_CHECK systole_status_t systole_conv2d(systole_dev_t *dev,
                                                   const systole_conv2d_params_t *params,
                                                   const systole_buf_t *in,
                                                   const systole_packed_t *w,
                                                   const systole_buf_t *out, int raw_output,
                                                   systole_stats_t *stats);

/* Pooling and residual add run on the host with the golden semantics (the chip has no
 * unit for them): data is read from the device buffers, computed by the sw/ref kernels
 * and written back. Needs the HAL's host_alloc. */
typedef struct {
  int batch, in_h, in_w, channels;
  int k_h, k_w, stride_h, stride_w;
  int pad_top, pad_bottom, pad_left, pad_right;
  int32_t act_min, act_max;
} systole_pool_params_t;

SYSTOLE_MUST_CHECK systole_status_t systole_pool_out_size(const systole_pool_params_t *p,
                                                          int *out_h, int *out_w);
SYSTOLE_MUST_CHECK systole_status_t systole_maxpool2d(systole_dev_t *dev,
                                                      const systole_pool_params_t *p,
                                                      const systole_buf_t *in,
                                                      const systole_buf_t *out);
SYSTOLE_MUST_CHECK systole_status_t systole_avgpool2d(systole_dev_t *dev,
                                                      const systole_pool_params_t *p,
                                                      const systole_buf_t *in,
                                                      const systole_buf_t *out);

/* TFLite int8 ADD parameters (same fields as systole_ref_add_params_t). */
typedef struct {
  int32_t in1_zp, in2_zp, out_zp;
  int left_shift;
  int32_t in1_mult; int in1_shift;
  int32_t in2_mult; int in2_shift;
  int32_t out_mult; int out_shift;
  int32_t act_min, act_max;
} systole_add_params_t;

/* out[i] = add(in1[i], in2[i]) for n elements (buffers may be the same). */
SYSTOLE_MUST_CHECK systole_status_t systole_add(systole_dev_t *dev, const systole_add_params_t *p,
                                                size_t n, const systole_buf_t *in1,
                                                const systole_buf_t *in2,
                                                const systole_buf_t *out);

/* ------------------------------------------------------------------------------------ */
/* Attention (docs/driver.md, "Attention")                                              */
/* ------------------------------------------------------------------------------------ */

/* Profiling modes of systole_attention (the output is NOT written): stop after QK^T, or
 * after QK^T and the softmax. The bench runs a job three times to split its cycles. */
#define SYSTOLE_ATTN_PROFILE_QK 1u
#define SYSTOLE_ATTN_PROFILE_QK_SOFTMAX 2u

/* Flags of systole_attention_job_t.flags. */
#define SYSTOLE_ATTN_HOST_SOFTMAX 1u /* softmax on the host even if the chip has the unit */

/* Multi-head attention, int8 in and out, exactly systole_ref_attention_i8 (the fields
 * are those of systole_ref_attention_params_t; sm_* and out_* from
 * systole_ref_attention_params_from_scales, softmax scale 0 = 1/sqrt(d)).
 * Q and out are seq_q x (heads*d), K and V seq_k x (heads*d), row-major, row pitch heads*d
 * bytes, head h in columns h*d ... h*d+d-1. */
typedef struct {
  uint32_t heads, seq_q, seq_k, d; /* heads >= 1, 1 <= seq_k <= 32768, any d >= 1 */
  int causal;                      /* query i sees keys j <= i + seq_k - seq_q (seq_q <= seq_k) */
  const systole_buf_t *q, *k, *v, *out;
  int32_t q_zp, k_zp, v_zp;        /* int8 */
  int32_t sm_mult, sm_shift;       /* score -> log2 domain (Q16); shift in [-31, 31] */
  int32_t out_mult, out_shift;     /* PV accumulator -> output; shift in [-31, 31] */
  int32_t out_zp, act_min, act_max; /* int8 output stage */
  uint32_t profile;                /* 0, or SYSTOLE_ATTN_PROFILE_* (output not written) */
  uint32_t flags;                  /* 0, or SYSTOLE_ATTN_HOST_SOFTMAX */
  /* Host softmax only: device scratch for the raw scores of one block of query rows, bytes
   * (0: min(64 KiB, DMA window / 16)); at least one row, 4*Cols*ceil(seq_k/Cols) bytes, is
   * used whatever the value. */
  uint32_t scratch_bytes;
} systole_attention_job_t;

/* out = attention(Q, K, V) on the chip: QK^T as MATMULs with K rows as weight tiles,
 * the SOFTMAX unit writes int8 probabilities into the scratchpad, PV as MATMULs against
 * V^T tiles built by byte-wide LOADs, requantised by the STORE output stage.
 * Without CFG_FEATURES.SOFTMAX (the FPGA build, non-square arrays), or with
 * SYSTOLE_ATTN_HOST_SOFTMAX, the softmax runs on the host (integer-only, bit for bit the
 * unit): QK^T stores raw int32 scores per block of query rows into a device scratch buffer,
 * the host writes the probabilities over them, PV loads them; one chip job per block. Needs
 * the HAL's host_alloc (else SYSTOLE_UNSUPPORTED). SYSTOLE_UNSUPPORTED (with a message in
 * systole_dev_last_error) when one query row does not fit the chip's memories. stats may be
 * NULL; workload_macs counts 2*seq_q*seq_k*d*heads (causal: the full square); with the host
 * softmax, cycles and the other counters are summed over the chip jobs (chip time only),
 * wall_cycles spans the whole call and host_cycles is the host's share. */
SYSTOLE_MUST_CHECK systole_status_t systole_attention(systole_dev_t *dev,
                                                      const systole_attention_job_t *job,
                                                      systole_stats_t *stats);

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_H */
