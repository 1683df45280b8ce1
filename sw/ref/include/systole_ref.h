/*
 * systole_ref.h - Systole golden reference kernels (C99, no dependencies).
 *
 * These kernels are the specification of Systole's numbers: every result the
 * accelerator produces must equal the result of the matching function here,
 * bit for bit. The arithmetic follows the TensorFlow Lite int8 quantisation
 * reference (see docs/layouts.md for layouts and the exact rounding rules).
 *
 * Conventions
 *  - Every public name starts with systole_ref_.
 *  - Kernels return an int status: SYSTOLE_REF_OK (0) or a negative error.
 *    Arguments are fully checked before any output is written, so a kernel
 *    that returns an error has not touched its output buffer.
 *  - Kernels never allocate memory; callers provide every buffer.
 *  - Integer accumulation wraps modulo 2^32 (done in uint32_t, so no C
 *    undefined behaviour); this is the chip's defined behaviour.
 *  - Zero points and act_min/act_max of int8 tensors must lie in [-128, 127],
 *    and act_min <= act_max.
 */
#ifndef SYSTOLE_REF_H
#define SYSTOLE_REF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SYSTOLE_REF_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SYSTOLE_REF_MUST_CHECK
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

#define SYSTOLE_REF_OK 0
/* Invalid argument: NULL pointer, zero or negative dimension, zero stride,
 * channels not divisible by groups, zero point or clamp out of int8 range,
 * leading dimension too small, empty output, ... */
#define SYSTOLE_REF_EINVAL (-1)
/* A size product (elements or buffer extent) does not fit in size_t. */
#define SYSTOLE_REF_EOVERFLOW (-2)

/* Human-readable name of a status code (never NULL). */
const char *systole_ref_status_str(int status);

/* ------------------------------------------------------------------------ */
/* Requantisation primitives (TFLite int8 reference arithmetic)             */
/* ------------------------------------------------------------------------ */

/* SaturatingRoundingDoublingHighMul: round(a*b / 2^31) with ties away from
 * zero (nudge +2^30 / 1-2^30, then division truncating toward zero).
 * The only saturating case is a == b == INT32_MIN, which gives INT32_MAX. */
int32_t systole_ref_srdhm(int32_t a, int32_t b);

/* RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from
 * zero. exponent is clamped to [0, 31]. */
int32_t systole_ref_rdbp(int32_t x, int exponent);

/* MultiplyByQuantizedMultiplier:
 *   left  = clamp(shift, 0, 31), right = clamp(-shift, 0, 31)
 *   rdbp(srdhm(x << left, mult), right)
 * where x << left wraps in 32 bits. */
int32_t systole_ref_mbqm(int32_t x, int32_t mult, int shift);

/* Output stage of one value:
 *   x = acc + bias                     (32-bit wrap-around)
 *   y = mbqm(x, mult, shift) + out_zp  (exact, in 64 bits: no wrap)
 *   y = min(max(y, act_min), act_max)
 * and returns the low 8 bits of y (== y when act_min/act_max are in
 * [-128, 127], which every kernel requires). */
int8_t systole_ref_requant(int32_t acc, int32_t bias, int32_t mult, int shift,
                           int32_t out_zp, int32_t act_min, int32_t act_max);

/* TFLite QuantizeMultiplier: real = mult * 2^(shift - 31) with mult in
 * [2^30, 2^31) for positive real (frexp, round half away from zero, a
 * rounded-up 2^31 becomes 2^30 with shift+1; shift < -31 flushes to 0,0).
 * real == 0 gives 0,0. Returns SYSTOLE_REF_EINVAL (and writes 0,0 when the
 * pointers are valid) for a NULL pointer, a non-finite real, or a real so
 * large that shift would exceed 31 (|real| >= about 2^31). The returned
 * value is a status, not part of the TFLite interface; callers that pass a
 * finite |real| < 2^30 may ignore it. */
int systole_ref_quantize_multiplier(double real, int32_t *mult, int *shift);

/* TFLite Quantize of one value (float arithmetic):
 *   q = round_half_away(real / scale) + zp, clamped to [-128, 127].
 * A NaN quotient counts as 0. scale must be > 0 for a meaningful result. */
int8_t systole_ref_quantize(float real, float scale, int32_t zp);

/* TFLite Dequantize of one value: scale * (q - zp), computed in double and
 * rounded once to float. */
float systole_ref_dequantize(int8_t q, float scale, int32_t zp);

/* ------------------------------------------------------------------------ */
/* Matrix multiply                                                           */
/* ------------------------------------------------------------------------ */

/* C[m][n] = sum_k (A[m][k] - a_zp) * B[k][n], int32 with wrap-around.
 * Row-major with leading dimensions (in elements):
 *   transA == 0: A is M x K, A[m][k] at A[m*lda + k], lda >= K
 *   transA != 0: A is K x M, A[m][k] at A[k*lda + m], lda >= M
 *   transB == 0: B is K x N, B[k][n] at B[k*ldb + n], ldb >= N
 *   transB != 0: B is N x K, B[k][n] at B[n*ldb + k], ldb >= K
 *   C is M x N, C[m][n] at C[m*ldc + n], ldc >= N
 * B is symmetric int8 (zero point 0). a_zp in [-128, 127]. M, N, K > 0.
 * Elements of C outside the M x N block are not written. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_matmul_i32(size_t M, size_t N, size_t K,
                           const int8_t *A, size_t lda, int transA,
                           const int8_t *B, size_t ldb, int transB,
                           int32_t a_zp, int32_t *C, size_t ldc);

/* As systole_ref_matmul_i32, then per output column n:
 *   C[m][n] = systole_ref_requant(acc, bias ? bias[n] : 0, mult[n],
 *                                 shift[n], out_zp, act_min, act_max).
 * bias may be NULL; mult and shift have N entries. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_matmul_i8(size_t M, size_t N, size_t K,
                          const int8_t *A, size_t lda, int transA,
                          const int8_t *B, size_t ldb, int transB,
                          int32_t a_zp, const int32_t *bias,
                          const int32_t *mult, const int32_t *shift,
                          int32_t out_zp, int32_t act_min, int32_t act_max,
                          int8_t *C, size_t ldc);

/* ------------------------------------------------------------------------ */
/* Padding helpers                                                           */
/* ------------------------------------------------------------------------ */

typedef enum {
    SYSTOLE_REF_PAD_EXPLICIT = 0, /* caller gives the pads */
    SYSTOLE_REF_PAD_VALID = 1,    /* no padding */
    SYSTOLE_REF_PAD_SAME = 2      /* TensorFlow SAME */
} systole_ref_padding_t;

/* TensorFlow SAME padding along one spatial axis:
 *   out   = ceil(in / stride)
 *   total = max((out - 1) * stride + (k - 1) * dil + 1 - in, 0)
 *   before = total / 2, after = total - before
 * in, k, stride, dil must be > 0. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_conv2d_same_pads(int in, int k, int stride, int dil,
                                 int *pad_before, int *pad_after);

/* Pads for a padding mode: SAME as above, VALID gives 0,0. EXPLICIT has no
 * rule and returns SYSTOLE_REF_EINVAL. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_compute_pads(systole_ref_padding_t mode, int in, int k,
                             int stride, int dil,
                             int *pad_before, int *pad_after);

/* ------------------------------------------------------------------------ */
/* 2-D convolution, NHWC activations, OHWI weights                           */
/* ------------------------------------------------------------------------ */

typedef struct {
    int batch, in_h, in_w, in_c;       /* input NHWC */
    int out_c, k_h, k_w;               /* weights OHWI: [out_c][k_h][k_w][in_c/groups] */
    int stride_h, stride_w, dil_h, dil_w;
    int pad_top, pad_bottom, pad_left, pad_right; /* explicit pads, >= 0 */
    int groups;                        /* 1 = dense; groups == in_c = depthwise */
    int32_t in_zp, out_zp, act_min, act_max;
} systole_ref_conv2d_params_t;

/* out_h = (in_h + pad_top + pad_bottom - dil_h*(k_h-1) - 1) / stride_h + 1,
 * likewise out_w. Returns SYSTOLE_REF_EINVAL if the geometry is invalid
 * (any dimension, stride, dilation or groups <= 0, negative pad, channels
 * not divisible by groups) or the output would be empty. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_conv2d_out_size(const systole_ref_conv2d_params_t *p,
                                int *out_h, int *out_w);

/* Raw accumulators, output NHWC [batch][out_h][out_w][out_c]:
 *   out = bias[oc] + sum over in-bounds taps and group channels of
 *         (in - in_zp) * w                     (int32 wrap-around)
 * Output channel oc belongs to group g = oc / (out_c/groups) and reads input
 * channels [g*in_c/groups, (g+1)*in_c/groups). Padded taps contribute
 * (in_zp - in_zp) * w = 0. bias may be NULL. out_zp/act_* are ignored. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_conv2d_i32(const systole_ref_conv2d_params_t *p,
                           const int8_t *in, const int8_t *w,
                           const int32_t *bias, int32_t *out);

/* As systole_ref_conv2d_i32 then the output stage per output channel:
 *   out = systole_ref_requant(acc, bias[oc], mult[oc], shift[oc], out_zp,
 *                             act_min, act_max). */
SYSTOLE_REF_MUST_CHECK
int systole_ref_conv2d_i8(const systole_ref_conv2d_params_t *p,
                          const int8_t *in, const int8_t *w,
                          const int32_t *bias, const int32_t *mult,
                          const int32_t *shift, int8_t *out);

/* ------------------------------------------------------------------------ */
/* Pooling, int8 NHWC                                                        */
/* ------------------------------------------------------------------------ */

typedef struct {
    int batch, in_h, in_w, channels;
    int k_h, k_w, stride_h, stride_w;
    int pad_top, pad_bottom, pad_left, pad_right; /* each in [0, k-1] */
    int32_t act_min, act_max;
} systole_ref_pool_params_t;

/* out_h = (in_h + pad_top + pad_bottom - k_h) / stride_h + 1, likewise
 * out_w. Pads must be < the window size so no window is empty. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_pool_out_size(const systole_ref_pool_params_t *p,
                              int *out_h, int *out_w);

/* Max over the in-bounds taps of each window, then clamp. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_maxpool_i8(const systole_ref_pool_params_t *p,
                           const int8_t *in, int8_t *out);

/* sum and count over the in-bounds taps only, then
 *   avg = sum > 0 ? (sum + count/2) / count : (sum - count/2) / count
 * (C division, so ties round away from zero), then clamp. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_avgpool_i8(const systole_ref_pool_params_t *p,
                           const int8_t *in, int8_t *out);

/* ------------------------------------------------------------------------ */
/* Element-wise add of two int8 tensors (TFLite int8 ADD)                    */
/* ------------------------------------------------------------------------ */

typedef struct {
    int32_t in1_zp, in2_zp, out_zp;    /* zero points, in [-128, 127] */
    int left_shift;                    /* 20 in TFLite; must be in [0, 23] */
    int32_t in1_mult; int in1_shift;   /* TFLite-style signed shifts */
    int32_t in2_mult; int in2_shift;
    int32_t out_mult; int out_shift;
    int32_t act_min, act_max;
} systole_ref_add_params_t;

/* Derives the parameters exactly like TFLite's Prepare for int8 Add
 * (left_shift = 20, float scales widened to double):
 *   twice_max = 2 * max(s1, s2)
 *   real_in1 = s1 / twice_max, real_in2 = s2 / twice_max
 *   real_out = twice_max / (2^20 * s_out)
 * each quantised with QuantizeMultiplierSmallerThanOneExp. Returns
 * SYSTOLE_REF_EINVAL if a scale is not finite and > 0, a zero point or the
 * clamp range is invalid, or a real multiplier is not in (0, 1) (TFLite
 * rejects those too). */
SYSTOLE_REF_MUST_CHECK
int systole_ref_add_params_from_scales(float in1_scale, int32_t in1_zp,
                                       float in2_scale, int32_t in2_zp,
                                       float out_scale, int32_t out_zp,
                                       int32_t act_min, int32_t act_max,
                                       systole_ref_add_params_t *p);

/* For each of the n elements:
 *   s1  = mbqm((in1 - in1_zp) << left_shift, in1_mult, in1_shift)
 *   s2  = mbqm((in2 - in2_zp) << left_shift, in2_mult, in2_shift)
 *   sum = s1 + s2                                   (32-bit wrap-around)
 *   out = clamp(mbqm(sum, out_mult, out_shift) + out_zp, act_min, act_max)
 * (mbqm equals TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp for
 * shifts <= 0 and extends it to positive shifts.) in1, in2 and out may
 * alias each other exactly. n must be > 0. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_add_i8(const systole_ref_add_params_t *p, size_t n,
                       const int8_t *in1, const int8_t *in2, int8_t *out);

/* ------------------------------------------------------------------------ */
/* Integer softmax and attention (docs/attention.md)                         */
/* ------------------------------------------------------------------------ */

/* EXP2_LUT[k] = round(2^16 * 2^(-k/256)) for k in [0, 255] (65536 ... 32857);
 * SYSTOLE_REF_EINVAL for any other k. */
int32_t systole_ref_exp2_lut(int k);

/* Integer softmax of one row of n_keys int32 scores, exactly the chip's
 * SOFTMAX command (docs/architecture.md). Keys j >= n_valid are masked.
 *   mx  = max(scores[j]) over j < n_valid
 *   y   = mbqm(max(scores[j] - mx, -2^31), mult, shift)   (log2, Q16, <= 0)
 *   ip  = (-y) >> 16, fr = (-y) & 0xffff   (-y modulo 2^32, unsigned)
 *   e   = ip >= 17 ? 0 : EXP2_LUT[fr >> 8] >> ip;  masked: e = 0
 *   sum = sum of e (>= 65536), r = floor(2^32 / sum)
 *   p   = min(255, (e * 255 * r + 2^31) >> 32)
 *   probs[j] = p - 128   (int8, zero point -128, scale 1/255)
 * 1 <= n_valid <= n_keys; any n_keys (the sum is kept in 64 bits). */
SYSTOLE_REF_MUST_CHECK
int systole_ref_softmax_i8(const int32_t *scores, int n_keys, int n_valid,
                           int32_t mult, int shift, int8_t *probs);

typedef struct {
    int seq_q, seq_k, d, heads;        /* d = head size */
    int causal;                        /* nonzero: causal mask */
    int32_t q_zp, k_zp, v_zp, out_zp;  /* per-tensor zero points, int8 */
    int32_t act_min, act_max;          /* output clamp, int8 */
    int32_t sm_mult; int sm_shift;     /* score -> log2 domain (Q16) */
    int32_t out_mult; int out_shift;   /* PV accumulator -> output */
} systole_ref_attention_params_t;

/* Multi-head attention, int8 in and out. Q and out are seq_q x (heads*d),
 * K and V seq_k x (heads*d), row-major, head h in columns h*d ... h*d+d-1.
 * Per head h and query row i:
 *   s_j   = sum_c (Q[i][c] - q_zp) * (K[j][c] - k_zp)     (int32, wraps)
 *   valid = j < n_valid, n_valid = causal ? i + seq_k - seq_q + 1 : seq_k
 *   p8_j  = systole_ref_softmax_i8(s, seq_k, n_valid, sm_mult, sm_shift)
 *   acc   = sum_j (p8_j + 128) * (V[j][c] - v_zp)          (int32, wraps)
 *   out   = clamp(mbqm(acc, out_mult, out_shift) + out_zp, act_min, act_max)
 * Causal requires seq_q <= seq_k (the queries are the last seq_q positions).
 * SYSTOLE_REF_EINVAL for NULL pointers, a dimension <= 0, a zero point or
 * clamp out of int8 range, causal with seq_q > seq_k; SYSTOLE_REF_EOVERFLOW
 * if a tensor's element count does not fit in size_t. Allocates nothing. */
SYSTOLE_REF_MUST_CHECK
int systole_ref_attention_i8(const systole_ref_attention_params_t *p,
                             const int8_t *Q, const int8_t *K,
                             const int8_t *V, int8_t *out);

/* Fills p->sm_mult/sm_shift and p->out_mult/out_shift (nothing else) with
 * systole_ref_quantize_multiplier of
 *   q_scale * k_scale * softmax_scale * log2(e) * 2^16   and
 *   v_scale / (255 * out_scale).
 * softmax_scale 0 means 1 / sqrt(p->d) (p->d must then be > 0). Returns
 * SYSTOLE_REF_EINVAL (p unchanged) if p is NULL, a scale is not finite and
 * > 0 (softmax_scale: >= 0), or a multiplier is not representable (too
 * large for shift <= 31, or so small it flushes to 0). */
SYSTOLE_REF_MUST_CHECK
int systole_ref_attention_params_from_scales(double q_scale, double k_scale,
                                             double v_scale, double out_scale,
                                             double softmax_scale,
                                             systole_ref_attention_params_t *p);

#ifdef __cplusplus
}
#endif

#endif /* SYSTOLE_REF_H */
