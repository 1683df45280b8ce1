/* systole_softmax_host.c — the SOFTMAX unit's integer algorithm on the host CPU.
 *
 * Used by systole_attention when the chip has no softmax unit (CFG_FEATURES.SOFTMAX = 0) or
 * the job asks for SYSTOLE_ATTN_HOST_SOFTMAX. Integer-only C99 (the driver's host may be the
 * SoC's RV32IM core): per key one 32x32->64 multiply (mbqm), one table look-up and one
 * 32x32->64 multiply (the probability); per row one 32-bit divide. Bit for bit the steps of
 * docs/architecture.md, "0x08 SOFTMAX" (see systole_softmax_host.h).
 */
#include "systole_softmax_host.h"

/* EXP2_LUT[k] = round(2^16 * 2^(-k/256)), computed with 60-digit decimal arithmetic
 * (Python decimal, round half up; no entry is within 10^-3 of a tie). Last entry
 * round(32856.843...) = 32857, as the RTL and docs/softmax.md. */
static const uint32_t k_exp2_lut[256] = {
    65536, 65359, 65182, 65006, 64830, 64655, 64480, 64306,
    64132, 63958, 63785, 63613, 63441, 63269, 63098, 62928,
    62757, 62588, 62419, 62250, 62081, 61914, 61746, 61579,
    61413, 61247, 61081, 60916, 60751, 60587, 60423, 60260,
    60097, 59934, 59772, 59611, 59449, 59289, 59128, 58968,
    58809, 58650, 58491, 58333, 58176, 58018, 57861, 57705,
    57549, 57393, 57238, 57083, 56929, 56775, 56622, 56468,
    56316, 56163, 56012, 55860, 55709, 55558, 55408, 55258,
    55109, 54960, 54811, 54663, 54515, 54368, 54221, 54074,
    53928, 53782, 53637, 53492, 53347, 53203, 53059, 52916,
    52773, 52630, 52488, 52346, 52204, 52063, 51922, 51782,
    51642, 51502, 51363, 51224, 51085, 50947, 50810, 50672,
    50535, 50399, 50262, 50126, 49991, 49856, 49721, 49586,
    49452, 49319, 49185, 49052, 48920, 48787, 48655, 48524,
    48393, 48262, 48131, 48001, 47871, 47742, 47613, 47484,
    47356, 47228, 47100, 46973, 46846, 46719, 46593, 46467,
    46341, 46216, 46091, 45966, 45842, 45718, 45594, 45471,
    45348, 45225, 45103, 44981, 44859, 44738, 44617, 44497,
    44376, 44256, 44137, 44017, 43898, 43780, 43661, 43543,
    43425, 43308, 43191, 43074, 42958, 42841, 42726, 42610,
    42495, 42380, 42265, 42151, 42037, 41923, 41810, 41697,
    41584, 41472, 41360, 41248, 41136, 41025, 40914, 40804,
    40693, 40583, 40473, 40364, 40255, 40146, 40037, 39929,
    39821, 39714, 39606, 39499, 39392, 39286, 39180, 39074,
    38968, 38863, 38757, 38653, 38548, 38444, 38340, 38236,
    38133, 38030, 37927, 37824, 37722, 37620, 37518, 37417,
    37316, 37215, 37114, 37014, 36914, 36814, 36715, 36615,
    36516, 36417, 36319, 36221, 36123, 36025, 35928, 35831,
    35734, 35637, 35541, 35445, 35349, 35253, 35158, 35063,
    34968, 34874, 34779, 34685, 34591, 34498, 34405, 34312,
    34219, 34126, 34034, 33942, 33850, 33759, 33667, 33576,
    33486, 33395, 33305, 33215, 33125, 33035, 32946, 32857,
};

uint32_t drv_sm_lut(unsigned k) { return k < 256u ? k_exp2_lut[k] : 0u; }

/* uint32 -> int32 modulo 2^32 without implementation-defined conversions. */
static int32_t wrap_i32(uint32_t v) {
  return v <= 0x7fffffffu ? (int32_t)v : -(int32_t)(~v) - 1;
}

/* x >> n, arithmetic, for 0 <= n <= 31 (portable for negative x). */
static int32_t asr32(int32_t x, unsigned n) { return x >= 0 ? x >> n : ~(~x >> n); }

/* mbqm with the shift split into left = clamp(shift, 0, 31), right = clamp(-shift, 0, 31). */
static int32_t mbqm_lr(int32_t x, int32_t mult, unsigned left, unsigned right) {
  int32_t xs = wrap_i32((uint32_t)x << left), hm;
  /* SaturatingRoundingDoublingHighMul: (xs * mult + nudge) / 2^31, truncating toward 0 */
  if (xs == INT32_MIN && mult == INT32_MIN) {
    hm = INT32_MAX;
  } else {
    int64_t t = (int64_t)xs * (int64_t)mult;
    t += t >= 0 ? (int64_t)1 << 30 : 1 - ((int64_t)1 << 30);
    hm = (int32_t)(t >= 0 ? t >> 31 : -((-t) >> 31));
  }
  /* RoundingDivideByPOT: round half away from zero */
  if (right) {
    uint32_t mask = (1u << right) - 1u, rem = (uint32_t)hm & mask;
    uint32_t threshold = (mask >> 1) + (hm < 0 ? 1u : 0u);
    hm = asr32(hm, right) + (rem > threshold ? 1 : 0);
  }
  return hm;
}

static unsigned shift_left(int shift) { return shift > 0 ? (shift > 31 ? 31u : (unsigned)shift) : 0u; }
static unsigned shift_right(int shift) {
  return shift < 0 ? (shift < -31 ? 31u : (unsigned)-shift) : 0u;
}

int32_t drv_sm_mbqm(int32_t x, int32_t mult, int shift) {
  return mbqm_lr(x, mult, shift_left(shift), shift_right(shift));
}

/* e for the clamped difference x = max(s - mx, -2^31). */
static uint32_t exp_of(int32_t x, int32_t mult, unsigned left, unsigned right) {
  uint32_t neg = 0u - (uint32_t)mbqm_lr(x, mult, left, right), ip = neg >> 16;
  if (ip >= 17u) return 0u;
  return k_exp2_lut[(neg >> 8) & 0xffu] >> ip;
}

uint32_t drv_sm_exp(int32_t s, int32_t mx, int32_t mult, int shift) {
  int64_t diff = (int64_t)s - (int64_t)mx;
  if (diff < (int64_t)INT32_MIN) diff = INT32_MIN;
  return exp_of((int32_t)diff, mult, shift_left(shift), shift_right(shift));
}

uint32_t drv_sm_recip(uint32_t sum) {
  uint32_t q, rem;
  if (sum <= 1u) return sum ? 0xffffffffu : 0u;
  /* 2^32 = q*sum + rem + 1 with q, rem of (2^32 - 1) / sum */
  q = 0xffffffffu / sum;
  rem = 0xffffffffu - q * sum;
  return rem + 1u == sum ? q + 1u : q;
}

int8_t drv_sm_prob(uint32_t e, uint32_t r) {
  uint64_t p = ((uint64_t)(e * 255u) * r + 0x80000000u) >> 32;
  if (p > 255u) p = 255u;
  return (int8_t)((int)p - 128);
}

void drv_sm_row(int32_t *scores, uint32_t n_valid, uint32_t n_out, int32_t mult, int shift,
                int8_t *probs) {
  uint32_t *e = (uint32_t *)scores, j, sum = 0, r;
  unsigned left = shift_left(shift), right = shift_right(shift);
  int32_t mx = scores[0];
  for (j = 1; j < n_valid; j++)
    if (scores[j] > mx) mx = scores[j];
  /* the exponentials replace the scores; sum < 2^32 for n_valid <= 65535. s <= mx, so the
   * gap mx - s is exact in 32 unsigned bits and max(s - mx, -2^31) = -min(gap, 2^31). */
  for (j = 0; j < n_valid; j++) {
    uint32_t gap = (uint32_t)mx - (uint32_t)scores[j];
    int32_t x = gap >= 0x80000000u ? INT32_MIN : -(int32_t)gap;
    e[j] = exp_of(x, mult, left, right);
    sum += e[j];
  }
  r = drv_sm_recip(sum);
  /* byte j overwrites part of element j / 4 <= j, already read */
  for (j = 0; j < n_valid; j++) {
    uint32_t ej = e[j];
    probs[j] = ej ? drv_sm_prob(ej, r) : (int8_t)-128;
  }
  for (; j < n_out; j++) probs[j] = (int8_t)-128;
}
