/* systole_softmax_host.h — the SOFTMAX unit's integer algorithm on the host CPU (private).
 *
 * docs/architecture.md (0x08 SOFTMAX) and docs/softmax.md define the numbers; these
 * functions reproduce them bit for bit with 32/64-bit integer arithmetic only (no
 * floating point, no division other than one 32-bit divide per row), so that attention on
 * a chip without a softmax unit (CFG_FEATURES.SOFTMAX = 0, e.g. the FPGA build) still equals
 * systole_ref_attention_i8. They are the driver's own code: the golden kernels in sw/ref
 * stay an independent check.
 */
#ifndef SYSTOLE_SOFTMAX_HOST_H
#define SYSTOLE_SOFTMAX_HOST_H

#include <stdint.h>

/* EXP2_LUT[k] = round(2^16 * 2^(-k/256)), k = 0..255 (65536 ... 32857); 0 for k > 255. */
uint32_t drv_sm_lut(unsigned k);

/* TFLite MultiplyByQuantizedMultiplier: left = clamp(shift, 0, 31), right = clamp(-shift, 0,
 * 31), RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left (wraps), mult), right). */
int32_t drv_sm_mbqm(int32_t x, int32_t mult, int shift);

/* Step 2 for one valid key: y = mbqm(max(s - mx, -2^31), mult, shift); -y modulo 2^32 read as
 * unsigned; ip = -y >> 16; e = ip >= 17 ? 0 : EXP2_LUT[(-y >> 8) & 255] >> ip. */
uint32_t drv_sm_exp(int32_t s, int32_t mx, int32_t mult, int shift);

/* Step 3: r = floor(2^32 / sum) for 2 <= sum < 2^32 (a row always has sum >= 65536: its
 * maximum contributes 2^16); 0 for sum 0, 0xffffffff for sum 1. One 32-bit divide. */
uint32_t drv_sm_recip(uint32_t sum);

/* Step 4: p = min(255, (e * 255 * r + 2^31) >> 32), returned as the byte p - 128. */
int8_t drv_sm_prob(uint32_t e, uint32_t r);

/* One row held in host memory: scores[0 .. n_valid) (n_valid >= 1) are the valid keys; writes
 * probs[0 .. n_out) (n_out >= n_valid): the probabilities, then -128 for masked and padding
 * keys. probs may alias scores (the probability bytes are written over the scores already
 * used). scores is used as scratch (the exponentials overwrite it). */
void drv_sm_row(int32_t *scores, uint32_t n_valid, uint32_t n_out, int32_t mult, int shift,
                int8_t *probs);

#endif /* SYSTOLE_SOFTMAX_HOST_H */
