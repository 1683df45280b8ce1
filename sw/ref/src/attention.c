/*
 * attention.c - integer softmax and multi-head attention (golden kernels).
 *
 * The softmax is the chip's own integer algorithm, specified bit for bit in
 * docs/architecture.md (command 0x08 SOFTMAX) and explained, with its error
 * against float64 attention, in docs/attention.md. The chip's softmax unit,
 * the driver's attention job and these kernels must agree exactly.
 *
 * No allocation: attention recomputes score rows instead of storing them
 * (three passes over the keys: max, sum, probabilities), so any sequence
 * length and head size works with a small fixed stack buffer.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "ref_internal.h"
#include "systole_ref.h"

/* EXP2_LUT[k] = round(2^16 * 2^(-k/256)), k = 0..255, generated with 60-digit
 * decimal arithmetic. The fractional part nearest to .5 is at k = 214
 * (36714.50427...), 4.3e-3 away, so no entry depends on how a tie or a
 * last-bit error would round. tests/sw/test_attention.c re-derives every
 * entry from exp2l(). Note EXP2_LUT[255] = round(32856.843...) = 32857. */
static const uint32_t ref_exp2_lut[256] = {
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

int32_t systole_ref_exp2_lut(int k)
{
    if (k < 0 || k > 255)
        return SYSTOLE_REF_EINVAL;
    return (int32_t)ref_exp2_lut[k];
}

/* Step 2 for one valid key: e = 2^16 * 2^(y / 2^16) approximated, where
 * y = mbqm(max(s - mx, -2^31), mult, shift). -y is formed modulo 2^32 and
 * read as unsigned, so y = -2^31 gives ip = 32768 and any y > 0 (only
 * possible with mult < 0, or a positive shift whose left shift wraps)
 * gives ip >= 32768; both give e = 0 (see docs/attention.md). */
static uint32_t ref_sm_exp(int32_t s, int32_t mx, int32_t mult, int shift)
{
    int64_t diff = (int64_t)s - (int64_t)mx;
    int32_t y;
    uint32_t neg, ip, fr;

    if (diff < (int64_t)INT32_MIN)
        diff = INT32_MIN;
    y = systole_ref_mbqm((int32_t)diff, mult, shift);
    neg = 0u - (uint32_t)y;
    ip = neg >> 16;
    fr = neg & 0xffffu;
    if (ip >= 17u)
        return 0u;
    return ref_exp2_lut[fr >> 8] >> ip;
}

/* Step 3: r = floor(2^32 / sum). sum >= 65536 whenever a valid key exists
 * (the maximum has s - mx = 0, y = 0, e = 65536), so r <= 65536. */
static uint64_t ref_sm_recip(uint64_t sum)
{
    return sum == 0u ? 0u : ((uint64_t)1 << 32) / sum;
}

/* Step 4: p = min(255, (e * 255 * r + 2^31) >> 32), returned as p - 128.
 * e <= 65536 and r <= 65536, so the product is below 2^40. */
static int8_t ref_sm_prob(uint32_t e, uint64_t r)
{
    uint64_t p = ((uint64_t)e * 255u * r + ((uint64_t)1 << 31)) >> 32;

    if (p > 255u)
        p = 255u;
    return (int8_t)((int)p - 128);
}

int systole_ref_softmax_i8(const int32_t *scores, int n_keys, int n_valid,
                           int32_t mult, int shift, int8_t *probs)
{
    int32_t mx;
    uint64_t sum = 0, r;
    int j;

    if (scores == NULL || probs == NULL || n_keys <= 0 || n_valid <= 0 ||
        n_valid > n_keys)
        return SYSTOLE_REF_EINVAL;

    /* 1. maximum over the valid keys */
    mx = scores[0];
    for (j = 1; j < n_valid; j++)
        if (scores[j] > mx)
            mx = scores[j];
    /* 2.-3. exponentials and their sum (uint64: no limit on n_keys) */
    for (j = 0; j < n_valid; j++)
        sum += ref_sm_exp(scores[j], mx, mult, shift);
    r = ref_sm_recip(sum);
    /* 4. probabilities; masked keys have e = 0, i.e. p = 0, byte -128.
     * The exponentials are recomputed rather than stored (no buffer). */
    for (j = 0; j < n_valid; j++)
        probs[j] = ref_sm_prob(ref_sm_exp(scores[j], mx, mult, shift), r);
    for (; j < n_keys; j++)
        probs[j] = INT8_MIN;
    return SYSTOLE_REF_OK;
}

/* ------------------------------------------------------------------------ */
/* Attention                                                                 */
/* ------------------------------------------------------------------------ */

/* Output columns accumulated per pass over the keys (a stack buffer of
 * REF_ATT_DC int32); a head with d > REF_ATT_DC takes several passes. */
#define REF_ATT_DC 128

/* s = sum_c (q[c] - q_zp) * (k[c] - k_zp), int32 wrapping modulo 2^32 (never
 * reached for d <= 33025: each term is at most 255 * 255). */
static int32_t ref_att_score(const int8_t *q, const int8_t *k, int d,
                             int32_t q_zp, int32_t k_zp)
{
    uint32_t acc = 0;
    int c;

    for (c = 0; c < d; c++) {
        int32_t t = ((int32_t)q[c] - q_zp) * ((int32_t)k[c] - k_zp);
        acc += (uint32_t)t;
    }
    return ref_wrap_i32(acc);
}

int systole_ref_attention_i8(const systole_ref_attention_params_t *p,
                             const int8_t *Q, const int8_t *K,
                             const int8_t *V, int8_t *out)
{
    size_t ld, nq, nk;
    int h, i, j, c0, c;

    if (p == NULL || Q == NULL || K == NULL || V == NULL || out == NULL)
        return SYSTOLE_REF_EINVAL;
    if (p->seq_q <= 0 || p->seq_k <= 0 || p->d <= 0 || p->heads <= 0)
        return SYSTOLE_REF_EINVAL;
    if (!ref_is_i8(p->q_zp) || !ref_is_i8(p->k_zp) || !ref_is_i8(p->v_zp) ||
        !ref_is_i8(p->out_zp) || !ref_act_ok(p->act_min, p->act_max))
        return SYSTOLE_REF_EINVAL;
    /* Causal: query i sees keys j <= i + (seq_k - seq_q); row 0 needs one. */
    if (p->causal && p->seq_q > p->seq_k)
        return SYSTOLE_REF_EINVAL;
    {
        const int dims_q[3] = { p->seq_q, p->heads, p->d };
        const int dims_k[3] = { p->seq_k, p->heads, p->d };
        if (ref_mul_size((size_t)p->heads, (size_t)p->d, &ld) != 0 ||
            ref_count(&nq, dims_q, 3) != 0 || ref_count(&nk, dims_k, 3) != 0)
            return SYSTOLE_REF_EOVERFLOW;
    }

    for (h = 0; h < p->heads; h++) {
        const size_t col = (size_t)h * (size_t)p->d;

        for (i = 0; i < p->seq_q; i++) {
            const int8_t *q = Q + (size_t)i * ld + col;
            int n_valid = p->seq_k;
            int32_t mx;
            uint64_t sum = 0, r;

            if (p->causal) {
                /* i + seq_k - seq_q + 1 is in [1, seq_k] (seq_q <= seq_k) */
                n_valid = p->seq_k - (p->seq_q - 1 - i);
            }
            /* 1. maximum of the valid scores */
            mx = ref_att_score(q, K + col, p->d, p->q_zp, p->k_zp);
            for (j = 1; j < n_valid; j++) {
                int32_t s = ref_att_score(q, K + (size_t)j * ld + col, p->d,
                                          p->q_zp, p->k_zp);
                if (s > mx)
                    mx = s;
            }
            /* 2.-3. sum of the exponentials, reciprocal */
            for (j = 0; j < n_valid; j++) {
                int32_t s = ref_att_score(q, K + (size_t)j * ld + col, p->d,
                                          p->q_zp, p->k_zp);
                sum += ref_sm_exp(s, mx, p->sm_mult, p->sm_shift);
            }
            r = ref_sm_recip(sum);

            /* 4. probabilities, then PV: acc = sum_j (p8_j + 128) *
             * (V[j][c] - v_zp) over the valid keys (masked keys have
             * p8 = -128 and add 0), requantised. */
            for (c0 = 0; c0 < p->d; c0 += REF_ATT_DC) {
                uint32_t acc[REF_ATT_DC];
                const int nc = p->d - c0 < REF_ATT_DC ? p->d - c0 : REF_ATT_DC;
                int8_t *o = out + (size_t)i * ld + col + (size_t)c0;

                for (c = 0; c < nc; c++)
                    acc[c] = 0u;
                for (j = 0; j < n_valid; j++) {
                    const int8_t *v = V + (size_t)j * ld + col + (size_t)c0;
                    int32_t s = ref_att_score(q, K + (size_t)j * ld + col,
                                              p->d, p->q_zp, p->k_zp);
                    int32_t pj = (int32_t)ref_sm_prob(
                                     ref_sm_exp(s, mx, p->sm_mult,
                                                p->sm_shift), r) + 128;
                    if (pj == 0)
                        continue;
                    for (c = 0; c < nc; c++)
                        acc[c] += (uint32_t)(pj * ((int32_t)v[c] - p->v_zp));
                }
                for (c = 0; c < nc; c++)
                    o[c] = systole_ref_requant(ref_wrap_i32(acc[c]), 0,
                                               p->out_mult, p->out_shift,
                                               p->out_zp, p->act_min,
                                               p->act_max);
            }
        }
    }
    return SYSTOLE_REF_OK;
}

/* log2(e), spelled out (M_LOG2E is not C99). */
#define REF_LOG2E 1.44269504088896340735992468100189214

static int ref_pos_finite(double x)
{
    return isfinite(x) && x > 0.0;
}

int systole_ref_attention_params_from_scales(double q_scale, double k_scale,
                                             double v_scale, double out_scale,
                                             double softmax_scale,
                                             systole_ref_attention_params_t *p)
{
    double sm, real_sm, real_out;
    int32_t sm_mult, out_mult;
    int sm_shift, out_shift;

    if (p == NULL)
        return SYSTOLE_REF_EINVAL;
    if (!ref_pos_finite(q_scale) || !ref_pos_finite(k_scale) ||
        !ref_pos_finite(v_scale) || !ref_pos_finite(out_scale))
        return SYSTOLE_REF_EINVAL;
    if (!isfinite(softmax_scale) || softmax_scale < 0.0)
        return SYSTOLE_REF_EINVAL;
    if (softmax_scale == 0.0) {
        if (p->d <= 0)
            return SYSTOLE_REF_EINVAL;
        sm = 1.0 / sqrt((double)p->d);
    } else {
        sm = softmax_scale;
    }
    real_sm = q_scale * k_scale * sm * REF_LOG2E * 65536.0;
    real_out = v_scale / (255.0 * out_scale);
    if (systole_ref_quantize_multiplier(real_sm, &sm_mult, &sm_shift) !=
            SYSTOLE_REF_OK ||
        systole_ref_quantize_multiplier(real_out, &out_mult, &out_shift) !=
            SYSTOLE_REF_OK)
        return SYSTOLE_REF_EINVAL;
    /* A multiplier flushed to zero (real below 2^-32) is not representable. */
    if (sm_mult == 0 || out_mult == 0)
        return SYSTOLE_REF_EINVAL;
    p->sm_mult = sm_mult;
    p->sm_shift = sm_shift;
    p->out_mult = out_mult;
    p->out_shift = out_shift;
    return SYSTOLE_REF_OK;
}
