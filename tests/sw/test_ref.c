/*
 * test_ref.c - Check suite for the Systole golden reference kernels.
 *
 * Hand-computed cases carry their derivation in comments; the random
 * cross-checks compare conv2d against an independent im2col + matmul path
 * and print their seed. Reproduce a random failure with
 *   SYSTOLE_TEST_SEED=<seed> ./test_ref
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systole_ref.h"

#define Q_HALF ((int32_t)1 << 30) /* 0.5 as a Q31 multiplier */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t g_seed;

/* ------------------------------------------------------------------------ */
/* Small deterministic PRNG (splitmix64), independent of libc rand().        */
/* ------------------------------------------------------------------------ */

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static int rng_range(rng_t *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static int8_t rng_i8(rng_t *r)
{
    return (int8_t)rng_range(r, -128, 127);
}

static int32_t rng_i32(rng_t *r)
{
    uint32_t u = (uint32_t)rng_next(r);
    return u <= (uint32_t)INT32_MAX ? (int32_t)u
                                    : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* ======================================================================== */
/* Requantisation primitives                                                 */
/* ======================================================================== */

START_TEST(test_srdhm_edges)
{
    /* The one saturating case: (-1) * (-1) in Q31 would be +1. */
    ck_assert_int_eq(systole_ref_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
    /* (2^31-1)^2 = 2^62 - 2^32 + 1; + 2^30, / 2^31 = 2^31 - 2 + 0.5000000005
     * truncated -> 2^31 - 2. */
    ck_assert_int_eq(systole_ref_srdhm(INT32_MAX, INT32_MAX), 2147483646);
    /* -2^31 * (2^31-1) = -2^62 + 2^31; + (1 - 2^30) = -2^62 + 2^31 - 2^30 + 1;
     * / 2^31 = -2^31 + 1 - 0.49999... truncated toward zero -> -2^31 + 1. */
    ck_assert_int_eq(systole_ref_srdhm(INT32_MIN, INT32_MAX), -2147483647);
    ck_assert_int_eq(systole_ref_srdhm(INT32_MAX, INT32_MIN), -2147483647);
    /* x * 0.5: ties. 1*2^30 + 2^30 = 2^31 -> 1 (0.5 -> 1). */
    ck_assert_int_eq(systole_ref_srdhm(1, Q_HALF), 1);
    /* 3 * 0.5 = 1.5: 3*2^30 + 2^30 = 2^32 -> 2. */
    ck_assert_int_eq(systole_ref_srdhm(3, Q_HALF), 2);
    /* Negative ties go toward +inf: -0.5 -> -2^30 + 1 - 2^30 = 1 - 2^31,
     * / 2^31 = -0.9999... truncated -> 0. */
    ck_assert_int_eq(systole_ref_srdhm(-1, Q_HALF), 0);
    /* -1.5: -3*2^30 + 1 - 2^30 = 1 - 2^32, / 2^31 = -1.9999... -> -1. */
    ck_assert_int_eq(systole_ref_srdhm(-3, Q_HALF), -1);
    /* -5 * 0.25 = -1.25: -5*2^29 + 1 - 2^30 = -7*2^29 + 1 -> -1.74.. -> -1. */
    ck_assert_int_eq(systole_ref_srdhm(-5, Q_HALF / 2), -1);
    /* -7 * 0.25 = -1.75: -7*2^29 + 1 - 2^30 = -9*2^29 + 1 -> -2.24.. -> -2. */
    ck_assert_int_eq(systole_ref_srdhm(-7, Q_HALF / 2), -2);
    /* Zero and identity-ish: 0 * anything = 0; x * (2^31-1) ~ x. */
    ck_assert_int_eq(systole_ref_srdhm(0, INT32_MIN), 0);
    /* 1000 * (2^31-1) / 2^31 = 1000 - 1000/2^31 -> rounds to 1000. */
    ck_assert_int_eq(systole_ref_srdhm(1000, INT32_MAX), 1000);
    /* -1000 * (2^31-1): -1000*2^31 + 1000 + 1 - 2^30 -> -1000.4999 -> -1000 */
    ck_assert_int_eq(systole_ref_srdhm(-1000, INT32_MAX), -1000);
}
END_TEST

START_TEST(test_rdbp_edges)
{
    /* exponent 0 is the identity, also at the extremes. */
    ck_assert_int_eq(systole_ref_rdbp(INT32_MIN, 0), INT32_MIN);
    ck_assert_int_eq(systole_ref_rdbp(INT32_MAX, 0), INT32_MAX);
    ck_assert_int_eq(systole_ref_rdbp(-7, 0), -7);
    /* Ties round away from zero: 1.5 -> 2, -1.5 -> -2, -0.5 -> -1. */
    ck_assert_int_eq(systole_ref_rdbp(3, 1), 2);
    ck_assert_int_eq(systole_ref_rdbp(-3, 1), -2);
    ck_assert_int_eq(systole_ref_rdbp(1, 1), 1);
    ck_assert_int_eq(systole_ref_rdbp(-1, 1), -1);
    /* 6/4 = 1.5 -> 2; -6/4 = -1.5 -> -2; -5/4 = -1.25 -> -1; -7/4 -> -2. */
    ck_assert_int_eq(systole_ref_rdbp(6, 2), 2);
    ck_assert_int_eq(systole_ref_rdbp(-6, 2), -2);
    ck_assert_int_eq(systole_ref_rdbp(-5, 2), -1);
    ck_assert_int_eq(systole_ref_rdbp(-7, 2), -2);
    ck_assert_int_eq(systole_ref_rdbp(5, 2), 1);
    /* exponent 31: -2^31 / 2^31 = -1 exactly; (2^31-1)/2^31 ~ 1 -> 1. */
    ck_assert_int_eq(systole_ref_rdbp(INT32_MIN, 31), -1);
    ck_assert_int_eq(systole_ref_rdbp(INT32_MAX, 31), 1);
    /* 2^30 / 2^31 = 0.5 -> 1; -2^30 / 2^31 = -0.5 -> -1;
     * (1 - 2^30) / 2^31 = -0.4999... -> 0; (2^30 - 1)/2^31 -> 0. */
    ck_assert_int_eq(systole_ref_rdbp(1 << 30, 31), 1);
    ck_assert_int_eq(systole_ref_rdbp(-(1 << 30), 31), -1);
    ck_assert_int_eq(systole_ref_rdbp(1 - (1 << 30), 31), 0);
    ck_assert_int_eq(systole_ref_rdbp((1 << 30) - 1, 31), 0);
    /* Out-of-range exponents clamp to [0, 31]. */
    ck_assert_int_eq(systole_ref_rdbp(-7, -3), -7);
    ck_assert_int_eq(systole_ref_rdbp(INT32_MIN, 40), -1);
}
END_TEST

/* Property checks against independent formulations:
 *  - rdbp(x, e) == round-half-away(x / 2^e), exact in double;
 *  - srdhm(a, b) == floor((a*b + 2^30) / 2^31) (round half toward +inf),
 *    except the saturating case. */
static int64_t floor_div_pow2_31(int64_t v)
{
    int64_t d = (int64_t)1 << 31;
    int64_t q = v / d;
    if (v % d != 0 && v < 0)
        q -= 1;
    return q;
}

START_TEST(test_primitives_random)
{
    rng_t r = { g_seed ^ 0x1111u };
    int i, e;

    for (i = 0; i < 20000; i++) {
        int32_t x = rng_i32(&r);
        int32_t b = rng_i32(&r);
        int64_t ab = (int64_t)x * b;

        for (e = 0; e <= 31; e++) {
            double want = round((double)x / ldexp(1.0, e));
            ck_assert_msg(systole_ref_rdbp(x, e) == (int32_t)want,
                          "rdbp(%d, %d) seed=%llu", (int)x, e,
                          (unsigned long long)g_seed);
        }
        if (!(x == INT32_MIN && b == INT32_MIN)) {
            int64_t want = floor_div_pow2_31(ab + ((int64_t)1 << 30));
            ck_assert_msg(systole_ref_srdhm(x, b) == (int32_t)want,
                          "srdhm(%d, %d) seed=%llu", (int)x, (int)b,
                          (unsigned long long)g_seed);
        }
    }
}
END_TEST

START_TEST(test_mbqm)
{
    /* shift 0: 7 * 0.5 = 3.5 -> 4. */
    ck_assert_int_eq(systole_ref_mbqm(7, Q_HALF, 0), 4);
    /* shift +2: (3 << 2) * 0.5 = 6. */
    ck_assert_int_eq(systole_ref_mbqm(3, Q_HALF, 2), 6);
    /* shift -3: 100 * 0.5 = 50; 50 / 8 = 6.25 -> 6. */
    ck_assert_int_eq(systole_ref_mbqm(100, Q_HALF, -3), 6);
    /* -100 * 0.5 = -50; -50 / 8 = -6.25 -> -6. */
    ck_assert_int_eq(systole_ref_mbqm(-100, Q_HALF, -3), -6);
    /* -20 * 0.5 = -10; -10 / 4 = -2.5 -> -3 (RDBP tie away from zero). */
    ck_assert_int_eq(systole_ref_mbqm(-20, Q_HALF, -2), -3);
    /* Double rounding: -3 * 0.5 = -1.5 -> -1 (SRDHM), then -1/2 = -0.5
     * -> -1 (RDBP). */
    ck_assert_int_eq(systole_ref_mbqm(-3, Q_HALF, -1), -1);
    /* Left-shift wrap: 2^30 << 1 = 2^31 wraps to INT32_MIN;
     * srdhm(INT32_MIN, INT32_MAX) = -2^31 + 1 (see test_srdhm_edges). */
    ck_assert_int_eq(systole_ref_mbqm(1 << 30, INT32_MAX, 1), -2147483647);
    /* 3 << 31 keeps only bit 31 -> INT32_MIN; * 0.5 = -2^30 exactly. */
    ck_assert_int_eq(systole_ref_mbqm(3, Q_HALF, 31), -(1 << 30));
    /* Shift clamps at 31: 1 << 31 (from shift 40) = INT32_MIN;
     * -2^31 * 2^30 = -2^61; + 1 - 2^30, / 2^31 = -2^30 - 0.4999.. -> -2^30 */
    ck_assert_int_eq(systole_ref_mbqm(1, Q_HALF, 40), -(1 << 30));
    /* Right shift clamps at 31: srdhm(MAX, MAX) = 2^31 - 2, / 2^31 -> 1. */
    ck_assert_int_eq(systole_ref_mbqm(INT32_MAX, INT32_MAX, -40), 1);
    ck_assert_int_eq(systole_ref_mbqm(INT32_MIN, INT32_MIN, 0), INT32_MAX);
    /* Multiplier 0 gives 0 for any input and shift. */
    ck_assert_int_eq(systole_ref_mbqm(INT32_MIN, 0, 5), 0);
}
END_TEST

START_TEST(test_requant)
{
    /* (100 + 28) * 0.5 = 64; + (-10) = 54. */
    ck_assert_int_eq(systole_ref_requant(100, 28, Q_HALF, 0, -10, -128, 127),
                     54);
    /* 1000 * 0.5 = 500 -> clamp 127; -1000 -> -500 -> clamp -128. */
    ck_assert_int_eq(systole_ref_requant(1000, 0, Q_HALF, 0, 0, -128, 127),
                     127);
    ck_assert_int_eq(systole_ref_requant(-1000, 0, Q_HALF, 0, 0, -128, 127),
                     -128);
    /* Narrow activation range: -100 * 0.5 = -50 -> act_min -20;
     * 100 -> 50 -> act_max 6. */
    ck_assert_int_eq(systole_ref_requant(-100, 0, Q_HALF, 0, 0, -20, 6), -20);
    ck_assert_int_eq(systole_ref_requant(100, 0, Q_HALF, 0, 0, -20, 6), 6);
    /* ReLU with out_zp = -128: -10 * 0.5 = -5, -5 - 128 = -133 -> -128;
     * 10 -> 5 - 128 = -123. */
    ck_assert_int_eq(systole_ref_requant(-10, 0, Q_HALF, 0, -128, -128, 127),
                     -128);
    ck_assert_int_eq(systole_ref_requant(10, 0, Q_HALF, 0, -128, -128, 127),
                     -123);
    /* Zero points at the extremes: 0 + 127 = 127; 2*0.5 + 127 = 128 -> 127;
     * -2*0.5 - 128 = -129 -> -128; 0 - 128 = -128. */
    ck_assert_int_eq(systole_ref_requant(0, 0, Q_HALF, 0, 127, -128, 127), 127);
    ck_assert_int_eq(systole_ref_requant(2, 0, Q_HALF, 0, 127, -128, 127), 127);
    ck_assert_int_eq(systole_ref_requant(-2, 0, Q_HALF, 0, -128, -128, 127),
                     -128);
    ck_assert_int_eq(systole_ref_requant(0, 0, Q_HALF, 0, -128, -128, 127),
                     -128);
    /* acc + bias wraps: INT32_MAX + 1 = INT32_MIN; * 0.5 = -2^30 -> -128
     * (a saturating add would have given +127). */
    ck_assert_int_eq(systole_ref_requant(INT32_MAX, 1, Q_HALF, 0, 0, -128, 127),
                     -128);
    /* out_zp added without wrap: srdhm(MAX, MAX) = 2^31 - 2, + 127 would
     * wrap negative in 32 bits; exact sum clamps to 127. */
    ck_assert_int_eq(systole_ref_requant(INT32_MAX, 0, INT32_MAX, 0, 127,
                                         -128, 127), 127);
    /* Negative tie through the whole stage: (-3) * 0.5 -> -1, /2 -> -1,
     * + 5 = 4. */
    ck_assert_int_eq(systole_ref_requant(-3, 0, Q_HALF, -1, 5, -128, 127), 4);
}
END_TEST

START_TEST(test_quantize_multiplier)
{
    int32_t m = -1;
    int s = -1;

    /* 0.5 = 0.5 * 2^0 -> (2^30, 0). */
    ck_assert_int_eq(systole_ref_quantize_multiplier(0.5, &m, &s), 0);
    ck_assert_int_eq(m, 1 << 30);
    ck_assert_int_eq(s, 0);
    /* 1.0 = 0.5 * 2^1 -> (2^30, 1). */
    ck_assert_int_eq(systole_ref_quantize_multiplier(1.0, &m, &s), 0);
    ck_assert_int_eq(m, 1 << 30);
    ck_assert_int_eq(s, 1);
    /* 0.75 -> 0.75 * 2^31 = 1610612736, shift 0. */
    ck_assert_int_eq(systole_ref_quantize_multiplier(0.75, &m, &s), 0);
    ck_assert_int_eq(m, 1610612736);
    ck_assert_int_eq(s, 0);
    /* 0.1 = 0.8 * 2^-3; 0.8 * 2^31 = 1717986918.4 -> 1717986918. */
    ck_assert_int_eq(systole_ref_quantize_multiplier(0.1, &m, &s), 0);
    ck_assert_int_eq(m, 1717986918);
    ck_assert_int_eq(s, -3);
    /* 1 - 2^-40: frac * 2^31 = 2^31 - 2^-9 rounds to 2^31 -> (2^30, 1). */
    ck_assert_int_eq(systole_ref_quantize_multiplier(1.0 - ldexp(1.0, -40),
                                                     &m, &s), 0);
    ck_assert_int_eq(m, 1 << 30);
    ck_assert_int_eq(s, 1);
    /* -0.5 -> (-2^30, 0). */
    ck_assert_int_eq(systole_ref_quantize_multiplier(-0.5, &m, &s), 0);
    ck_assert_int_eq(m, -(1 << 30));
    ck_assert_int_eq(s, 0);
    /* 2^-32 = 0.5 * 2^-31 -> kept (2^30, -31); 2^-40 -> shift -39 < -31
     * -> flushed to (0, 0). */
    ck_assert_int_eq(systole_ref_quantize_multiplier(ldexp(1.0, -32), &m, &s),
                     0);
    ck_assert_int_eq(m, 1 << 30);
    ck_assert_int_eq(s, -31);
    ck_assert_int_eq(systole_ref_quantize_multiplier(ldexp(1.0, -40), &m, &s),
                     0);
    ck_assert_int_eq(m, 0);
    ck_assert_int_eq(s, 0);
    /* 0 -> (0, 0). */
    m = 5;
    s = 5;
    ck_assert_int_eq(systole_ref_quantize_multiplier(0.0, &m, &s), 0);
    ck_assert_int_eq(m, 0);
    ck_assert_int_eq(s, 0);
    /* 2^30 = 0.5 * 2^31 -> (2^30, 31) is the largest representable. */
    ck_assert_int_eq(systole_ref_quantize_multiplier(ldexp(1.0, 30), &m, &s),
                     0);
    ck_assert_int_eq(m, 1 << 30);
    ck_assert_int_eq(s, 31);
    /* Errors. */
    ck_assert_int_eq(systole_ref_quantize_multiplier(ldexp(1.0, 31), &m, &s),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_quantize_multiplier(NAN, &m, &s),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_quantize_multiplier(INFINITY, &m, &s),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_quantize_multiplier(0.5, NULL, &s),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_quantize_multiplier(0.5, &m, NULL),
                     SYSTOLE_REF_EINVAL);
}
END_TEST

START_TEST(test_quantize_dequantize)
{
    /* Half away from zero: 0.5 -> 1, -0.5 -> -1, -2.5 -> -3 (+3 = 0). */
    ck_assert_int_eq(systole_ref_quantize(0.5f, 1.0f, 0), 1);
    ck_assert_int_eq(systole_ref_quantize(-0.5f, 1.0f, 0), -1);
    ck_assert_int_eq(systole_ref_quantize(-2.5f, 1.0f, 3), 0);
    /* 1.25 / 0.5 = 2.5 -> 3; 3 - 5 = -2. */
    ck_assert_int_eq(systole_ref_quantize(1.25f, 0.5f, -5), -2);
    /* Clamps; NaN maps to the zero point; infinities clamp. */
    ck_assert_int_eq(systole_ref_quantize(1000.0f, 1.0f, 0), 127);
    ck_assert_int_eq(systole_ref_quantize(-1000.0f, 1.0f, 0), -128);
    ck_assert_int_eq(systole_ref_quantize(NAN, 1.0f, 7), 7);
    ck_assert_int_eq(systole_ref_quantize(INFINITY, 1.0f, 0), 127);
    ck_assert_int_eq(systole_ref_quantize(-INFINITY, 1.0f, 0), -128);
    /* 0.5 * (-2 - (-5)) = 1.5; 0.25 * (-128 - 127) = -63.75. */
    ck_assert(systole_ref_dequantize(-2, 0.5f, -5) == 1.5f);
    ck_assert(systole_ref_dequantize(-128, 0.25f, 127) == -63.75f);
}
END_TEST

START_TEST(test_status_str)
{
    ck_assert_str_eq(systole_ref_status_str(SYSTOLE_REF_OK), "ok");
    ck_assert_str_eq(systole_ref_status_str(SYSTOLE_REF_EINVAL),
                     "invalid argument");
    ck_assert_ptr_nonnull(systole_ref_status_str(-1234));
}
END_TEST

/* ======================================================================== */
/* Matmul                                                                    */
/* ======================================================================== */

/* A = [[1,2],[3,4]], a_zp = 1 -> A - zp = [[0,1],[2,3]]; B = [[5,6],[7,8]].
 * C = [[0*5+1*7, 0*6+1*8], [2*5+3*7, 2*6+3*8]] = [[7, 8], [31, 36]]. */
START_TEST(test_matmul_2x2x2)
{
    const int8_t A[] = { 1, 2, 3, 4 };
    const int8_t B[] = { 5, 6, 7, 8 };
    /* A stored K x M with lda 3 (one pad column), B stored N x K. */
    const int8_t At[] = { 1, 3, 99, 2, 4, 99 };
    const int8_t Bt[] = { 5, 7, 6, 8 };
    const int32_t want[] = { 7, 8, 31, 36 };
    int32_t C[6];
    int i, ta, tb;

    for (ta = 0; ta < 2; ta++) {
        for (tb = 0; tb < 2; tb++) {
            /* ldc 3: the third column must stay untouched. */
            for (i = 0; i < 6; i++)
                C[i] = -777;
            ck_assert_int_eq(systole_ref_matmul_i32(2, 2, 2,
                                                    ta ? At : A, ta ? 3 : 2, ta,
                                                    tb ? Bt : B, 2, tb,
                                                    1, C, 3), SYSTOLE_REF_OK);
            ck_assert_int_eq(C[0], want[0]);
            ck_assert_int_eq(C[1], want[1]);
            ck_assert_int_eq(C[3], want[2]);
            ck_assert_int_eq(C[4], want[3]);
            ck_assert_int_eq(C[2], -777);
            ck_assert_int_eq(C[5], -777);
        }
    }
}
END_TEST

/* Same product through the output stage, per column:
 * bias = [1, -8], mult = [0.5, 0.5], shift = [0, 1], out_zp = 3,
 * act = [-128, 20]:
 *   C00 = (7+1)*0.5 + 3 = 7      C01 = (8-8)*0.5 + 3 = 3
 *   C10 = (31+1)*0.5 + 3 = 19    C11 = ((36-8)<<1)*0.5 + 3 = 31 -> 20 */
START_TEST(test_matmul_i8)
{
    const int8_t A[] = { 1, 2, 3, 4 };
    const int8_t B[] = { 5, 6, 7, 8 };
    const int32_t bias[] = { 1, -8 };
    const int32_t mult[] = { Q_HALF, Q_HALF };
    const int32_t shift[] = { 0, 1 };
    int8_t C[4];

    ck_assert_int_eq(systole_ref_matmul_i8(2, 2, 2, A, 2, 0, B, 2, 0, 1, bias,
                                           mult, shift, 3, -128, 20, C, 2),
                     SYSTOLE_REF_OK);
    ck_assert_int_eq(C[0], 7);
    ck_assert_int_eq(C[1], 3);
    ck_assert_int_eq(C[2], 19);
    ck_assert_int_eq(C[3], 20);
    /* No bias: C00 = (7*0.5 = 3.5 -> 4) + 3 = 7; C01 = (8<<1)*0.5 + 3 = 11;
     * C10 = (31*0.5 = 15.5 -> 16) + 3 = 19; C11 = (36<<1)*0.5 + 3 = 39 -> 20 */
    ck_assert_int_eq(systole_ref_matmul_i8(2, 2, 2, A, 2, 0, B, 2, 0, 1, NULL,
                                           mult, shift, 3, -128, 20, C, 2),
                     SYSTOLE_REF_OK);
    ck_assert_int_eq(C[0], 7);
    ck_assert_int_eq(C[1], 11);
    ck_assert_int_eq(C[2], 19);
    ck_assert_int_eq(C[3], 20);
}
END_TEST

/* K = 65800 products of (-128 - 127) * (-128) = 32640:
 * 65800 * 32640 = 2147712000 > 2^31 - 1, wraps to
 * 2147712000 - 4294967296 = -2147255296. */
START_TEST(test_matmul_wrap)
{
    enum { K = 65800 };
    static int8_t A[K], B[K];
    int32_t C = 0;

    memset(A, -128, sizeof A);
    memset(B, -128, sizeof B);
    ck_assert_int_eq(systole_ref_matmul_i32(1, 1, K, A, K, 0, B, 1, 0, 127,
                                            &C, 1), SYSTOLE_REF_OK);
    ck_assert_int_eq(C, -2147255296);
}
END_TEST

START_TEST(test_matmul_errors)
{
    const int8_t A[4] = { 0 }, B[4] = { 0 };
    const int32_t mult[2] = { Q_HALF, Q_HALF }, shift[2] = { 0, 0 };
    int32_t C[4];
    int8_t C8[4];

    ck_assert_int_eq(systole_ref_matmul_i32(0, 2, 2, A, 2, 0, B, 2, 0, 0, C, 2),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_matmul_i32(2, 2, 2, NULL, 2, 0, B, 2, 0, 0, C,
                                            2), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_matmul_i32(2, 2, 2, A, 1, 0, B, 2, 0, 0, C, 2),
                     SYSTOLE_REF_EINVAL); /* lda < K */
    ck_assert_int_eq(systole_ref_matmul_i32(2, 2, 2, A, 2, 0, B, 1, 1, 0, C, 2),
                     SYSTOLE_REF_EINVAL); /* ldb < K for transB */
    ck_assert_int_eq(systole_ref_matmul_i32(2, 2, 2, A, 2, 0, B, 2, 0, 0, C, 1),
                     SYSTOLE_REF_EINVAL); /* ldc < N */
    ck_assert_int_eq(systole_ref_matmul_i32(2, 2, 2, A, 2, 0, B, 2, 0, 128, C,
                                            2), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_matmul_i32(SIZE_MAX / 2, 2, 2, A, 4, 0, B, 2,
                                            0, 0, C, 2), SYSTOLE_REF_EOVERFLOW);
    ck_assert_int_eq(systole_ref_matmul_i8(2, 2, 2, A, 2, 0, B, 2, 0, 0, NULL,
                                           NULL, shift, 0, -128, 127, C8, 2),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_matmul_i8(2, 2, 2, A, 2, 0, B, 2, 0, 0, NULL,
                                           mult, shift, 0, 5, 4, C8, 2),
                     SYSTOLE_REF_EINVAL); /* act_min > act_max */
    ck_assert_int_eq(systole_ref_matmul_i8(2, 2, 2, A, 2, 0, B, 2, 0, 0, NULL,
                                           mult, shift, 0, -129, 127, C8, 2),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_matmul_i8(2, 2, 2, A, 2, 0, B, 2, 0, 0, NULL,
                                           mult, shift, 200, -128, 127, C8, 2),
                     SYSTOLE_REF_EINVAL);
}
END_TEST

/* Random matmul against a plain int64 triple loop (no wrap at these sizes). */
START_TEST(test_matmul_random)
{
    rng_t r = { g_seed ^ 0x2222u };
    int iter;

    for (iter = 0; iter < 200; iter++) {
        size_t M = (size_t)rng_range(&r, 1, 9), N = (size_t)rng_range(&r, 1, 9);
        size_t K = (size_t)rng_range(&r, 1, 40);
        int ta = rng_range(&r, 0, 1), tb = rng_range(&r, 0, 1);
        size_t lda = (ta ? M : K) + (size_t)rng_range(&r, 0, 2);
        size_t ldb = (tb ? K : N) + (size_t)rng_range(&r, 0, 2);
        size_t ldc = N + (size_t)rng_range(&r, 0, 2);
        int32_t zp = rng_range(&r, -128, 127);
        int8_t A[50 * 50], B[50 * 50];
        int32_t C[12 * 12];
        size_t m, n, k, i;

        for (i = 0; i < ARRAY_LEN(A); i++) {
            A[i] = rng_i8(&r);
            B[i] = rng_i8(&r);
        }
        ck_assert_int_eq(systole_ref_matmul_i32(M, N, K, A, lda, ta, B, ldb,
                                                tb, zp, C, ldc),
                         SYSTOLE_REF_OK);
        for (m = 0; m < M; m++) {
            for (n = 0; n < N; n++) {
                int64_t s = 0;
                for (k = 0; k < K; k++) {
                    int64_t a = ta ? A[k * lda + m] : A[m * lda + k];
                    int64_t b = tb ? B[n * ldb + k] : B[k * ldb + n];
                    s += (a - zp) * b;
                }
                ck_assert_msg(C[m * ldc + n] == s,
                              "matmul seed=%llu iter=%d M=%zu N=%zu K=%zu "
                              "ta=%d tb=%d", (unsigned long long)g_seed, iter,
                              M, N, K, ta, tb);
            }
        }
    }
}
END_TEST

/* ======================================================================== */
/* conv2d                                                                    */
/* ======================================================================== */

static systole_ref_conv2d_params_t conv_params(int h, int w, int c, int oc,
                                               int kh, int kw)
{
    systole_ref_conv2d_params_t p;

    memset(&p, 0, sizeof p);
    p.batch = 1;
    p.in_h = h;
    p.in_w = w;
    p.in_c = c;
    p.out_c = oc;
    p.k_h = kh;
    p.k_w = kw;
    p.stride_h = p.stride_w = 1;
    p.dil_h = p.dil_w = 1;
    p.groups = 1;
    p.act_min = -128;
    p.act_max = 127;
    return p;
}

/* Input 3x3x1 [[1,2,3],[4,5,6],[7,8,9]], in_zp = 2, so in - zp =
 *   d = [[-1,0,1],[2,3,4],[5,6,7]].
 * 3x3 all-ones kernel, pad 1 on every side, stride 1 -> 3x3 output = sum of
 * d over the in-bounds part of each window (padding adds (2-2)*1 = 0):
 *   [0][0] = -1+0+2+3 = 4        [0][1] = -1+0+1+2+3+4 = 9   [0][2] = 0+1+3+4 = 8
 *   [1][0] = -1+0+2+3+5+6 = 15   [1][1] = 27                 [1][2] = 0+1+3+4+6+7 = 21
 *   [2][0] = 2+3+5+6 = 16        [2][1] = 2+3+4+5+6+7 = 27   [2][2] = 3+4+6+7 = 20
 * (Had the padding counted as raw 0, the corner would be 4 + 5*2 = 14.) */
START_TEST(test_conv_pad_zp)
{
    const int8_t in[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const int8_t w[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    const int32_t want[9] = { 4, 9, 8, 15, 27, 21, 16, 27, 20 };
    const int32_t mult[1] = { Q_HALF }, shift[1] = { 0 };
    /* i8 with mult 0.5, out_zp -3: round-half-away(v/2) - 3:
     *   4->2-3=-1  9->5-3=2  8->4-3=1  15->8-3=5  27->14-3=11  21->11-3=8
     *   16->8-3=5  27->11    20->10-3=7 */
    const int8_t want8[9] = { -1, 2, 1, 5, 11, 8, 5, 11, 7 };
    systole_ref_conv2d_params_t p = conv_params(3, 3, 1, 1, 3, 3);
    int32_t out[9];
    int8_t out8[9];
    int oh = 0, ow = 0, i;

    p.in_zp = 2;
    p.out_zp = -3;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, &oh, &ow), 0);
    ck_assert_int_eq(oh, 3);
    ck_assert_int_eq(ow, 3);
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    for (i = 0; i < 9; i++)
        ck_assert_int_eq(out[i], want[i]);
    ck_assert_int_eq(systole_ref_conv2d_i8(&p, in, w, NULL, mult, shift, out8),
                     0);
    for (i = 0; i < 9; i++)
        ck_assert_int_eq(out8[i], want8[i]);
}
END_TEST

/* Same input and pads, asymmetric kernel w[0][0] = 1, w[2][2] = 2, rest 0,
 * bias 10: out[y][x] = 10 + d[y-1][x-1] + 2*d[y+1][x+1] (0 out of bounds):
 *   [0][0] = 10 + 0 + 2*3 = 16   [0][1] = 10 + 0 + 2*4 = 18  [0][2] = 10
 *   [1][0] = 10 + 0 + 2*6 = 22   [1][1] = 10 - 1 + 14 = 23   [1][2] = 10 + 0 = 10
 *   [2][0] = 10                  [2][1] = 10 + 2 = 12        [2][2] = 10 + 3 = 13 */
START_TEST(test_conv_orientation_bias)
{
    const int8_t in[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const int8_t w[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 2 };
    const int32_t bias[1] = { 10 };
    const int32_t want[9] = { 16, 18, 10, 22, 23, 10, 10, 12, 13 };
    systole_ref_conv2d_params_t p = conv_params(3, 3, 1, 1, 3, 3);
    int32_t out[9];
    int i;

    p.in_zp = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, bias, out), 0);
    for (i = 0; i < 9; i++)
        ck_assert_int_eq(out[i], want[i]);
}
END_TEST

/* Input 4x4x1 with v = 4*y + x (0..15), 2x2 ones, stride 2, no pad:
 * out = (4 - 1 - 1)/2 + 1 = 2 per axis; block sums
 *   0+1+4+5 = 10, 2+3+6+7 = 18, 8+9+12+13 = 42, 10+11+14+15 = 50. */
START_TEST(test_conv_stride2)
{
    int8_t in[16];
    const int8_t w[4] = { 1, 1, 1, 1 };
    const int32_t want[4] = { 10, 18, 42, 50 };
    systole_ref_conv2d_params_t p = conv_params(4, 4, 1, 1, 2, 2);
    int32_t out[4];
    int i;

    for (i = 0; i < 16; i++)
        in[i] = (int8_t)i;
    p.stride_h = p.stride_w = 2;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want[i]);
}
END_TEST

/* Input 5x5x1 with v = 5*y + x, 2x2 ones, dilation 2 -> taps at offsets
 * (0,0),(0,2),(2,0),(2,2): out = v + (v+2) + (v+10) + (v+12) = 4v + 24,
 * out size (5 - 2*1 - 1)/1 + 1 = 3:
 *   24 28 32 / 44 48 52 / 64 68 72.
 * With stride 2 as well: out size (5-3)/2 + 1 = 2: 24 32 / 64 72. */
START_TEST(test_conv_dilation2)
{
    int8_t in[25];
    const int8_t w[4] = { 1, 1, 1, 1 };
    const int32_t want[9] = { 24, 28, 32, 44, 48, 52, 64, 68, 72 };
    const int32_t want_s2[4] = { 24, 32, 64, 72 };
    systole_ref_conv2d_params_t p = conv_params(5, 5, 1, 1, 2, 2);
    int32_t out[9];
    int oh, ow, i;

    for (i = 0; i < 25; i++)
        in[i] = (int8_t)i;
    p.dil_h = p.dil_w = 2;
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, &oh, &ow), 0);
    ck_assert_int_eq(oh, 3);
    ck_assert_int_eq(ow, 3);
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    for (i = 0; i < 9; i++)
        ck_assert_int_eq(out[i], want[i]);
    p.stride_h = p.stride_w = 2;
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, &oh, &ow), 0);
    ck_assert_int_eq(oh, 2);
    ck_assert_int_eq(ow, 2);
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want_s2[i]);
}
END_TEST

/* Depthwise, channel multiplier 2: input 2x2x2 NHWC, channel 0 =
 * [[1,2],[3,4]], channel 1 = [[10,20],[30,40]], in_zp = 1, so
 *   c0 - zp = [0,1,2,3], c1 - zp = [9,19,29,39] (taps in kh,kw order).
 * groups = 2, out_c = 4, 2x2 kernel, VALID -> 1x1x4. OHWI with I = 1:
 *   oc0 (group 0) [1,1,1,1]  -> 0+1+2+3 = 6
 *   oc1 (group 0) [1,0,0,-1] -> 0 - 3 = -3
 *   oc2 (group 1) [1,1,1,1]  -> 9+19+29+39 = 96
 *   oc3 (group 1) [0,1,0,0]  -> 19 */
START_TEST(test_conv_depthwise)
{
    const int8_t in[8] = { 1, 10, 2, 20, 3, 30, 4, 40 };
    const int8_t w[16] = { 1, 1, 1, 1, 1, 0, 0, -1, 1, 1, 1, 1, 0, 1, 0, 0 };
    const int32_t want[4] = { 6, -3, 96, 19 };
    systole_ref_conv2d_params_t p = conv_params(2, 2, 2, 4, 2, 2);
    int32_t out[4];
    int i;

    p.groups = 2;
    p.in_zp = 1;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want[i]);
}
END_TEST

/* Grouped 1x1: input 1x1x4 = [1,2,3,4], groups = 2, out_c = 2, so each
 * output channel sees 2 input channels. OHWI [2][1][1][2]:
 *   oc0 = [1, 10]   over ch 0,1 -> 1*1 + 2*10 = 21
 *   oc1 = [100, -1] over ch 2,3 -> 3*100 - 4 = 296 */
START_TEST(test_conv_grouped)
{
    const int8_t in[4] = { 1, 2, 3, 4 };
    const int8_t w[4] = { 1, 10, 100, -1 };
    systole_ref_conv2d_params_t p = conv_params(1, 1, 4, 2, 1, 1);
    int32_t out[2];

    p.groups = 2;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    ck_assert_int_eq(out[0], 21);
    ck_assert_int_eq(out[1], 296);
}
END_TEST

START_TEST(test_conv_errors)
{
    const int8_t in[16] = { 0 }, w[16] = { 0 };
    const int32_t mult[4] = { 0 }, shift[4] = { 0 };
    int32_t out[16];
    int8_t out8[16];
    int oh, ow;
    systole_ref_conv2d_params_t base = conv_params(2, 2, 2, 2, 1, 1), p;

    p = base;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    ck_assert_int_eq(systole_ref_conv2d_i32(NULL, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, NULL, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, NULL, NULL, out),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, NULL),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, NULL, &ow),
                     SYSTOLE_REF_EINVAL);
    p = base;
    p.stride_w = 0;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base;
    p.dil_h = 0;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base;
    p.batch = 0;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base;
    p.groups = 0;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base; /* in_c 3 not divisible by 2 groups */
    p.in_c = 3;
    p.groups = 2;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base; /* out_c 3 not divisible by 2 groups */
    p.out_c = 3;
    p.groups = 2;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base;
    p.pad_left = -1;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base; /* 3x3 kernel on 2x2 input without padding: empty output */
    p.k_h = p.k_w = 3;
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, &oh, &ow),
                     SYSTOLE_REF_EINVAL);
    p.pad_top = 1; /* (2 + 1 - 2 - 1)/1 + 1 = 1 row, width still empty */
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, &oh, &ow),
                     SYSTOLE_REF_EINVAL);
    p.pad_left = 1;
    ck_assert_int_eq(systole_ref_conv2d_out_size(&p, &oh, &ow), 0);
    ck_assert_int_eq(oh, 1);
    ck_assert_int_eq(ow, 1);
    p = base;
    p.in_zp = 128;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p = base; /* i8 only: output stage checks */
    p.out_zp = -129;
    ck_assert_int_eq(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
    ck_assert_int_eq(systole_ref_conv2d_i8(&p, in, w, NULL, mult, shift, out8),
                     SYSTOLE_REF_EINVAL);
    p = base;
    p.act_min = 10;
    p.act_max = 9;
    ck_assert_int_eq(systole_ref_conv2d_i8(&p, in, w, NULL, mult, shift, out8),
                     SYSTOLE_REF_EINVAL);
    p = base;
    ck_assert_int_eq(systole_ref_conv2d_i8(&p, in, w, NULL, NULL, shift, out8),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_i8(&p, in, w, NULL, mult, NULL, out8),
                     SYSTOLE_REF_EINVAL);
    p = base; /* element counts overflow size_t on 32-bit, or exceed int */
    p.batch = p.in_h = p.in_w = p.in_c = p.out_c = 0x7fffffff;
    p.groups = 1;
    ck_assert_int_ne(systole_ref_conv2d_i32(&p, in, w, NULL, out), 0);
}
END_TEST

/* TF SAME: out = ceil(in/s), total = max((out-1)*s + (k-1)*d + 1 - in, 0).
 *   in 5 k 3 s 1 d 1: out 5, total 4+3-5 = 2 -> (1,1)
 *   in 5 k 3 s 2 d 1: out 3, total 4+3-5 = 2 -> (1,1)
 *   in 4 k 3 s 2 d 1: out 2, total 2+3-4 = 1 -> (0,1)
 *   in 6 k 4 s 1 d 1: out 6, total 5+4-6 = 3 -> (1,2)
 *   in 7 k 3 s 1 d 2: out 7, total 6+5-7 = 4 -> (2,2)
 *   in 2 k 1 s 3 d 1: out 1, total 0+1-2 = -1 -> (0,0) */
START_TEST(test_same_pads)
{
    static const int cases[][6] = {
        /* in, k, s, d, before, after */
        { 5, 3, 1, 1, 1, 1 }, { 5, 3, 2, 1, 1, 1 }, { 4, 3, 2, 1, 0, 1 },
        { 6, 4, 1, 1, 1, 2 }, { 7, 3, 1, 2, 2, 2 }, { 2, 1, 3, 1, 0, 0 },
    };
    size_t i;
    int b, a;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        b = a = -1;
        ck_assert_int_eq(systole_ref_conv2d_same_pads(cases[i][0], cases[i][1],
                                                      cases[i][2], cases[i][3],
                                                      &b, &a), 0);
        ck_assert_int_eq(b, cases[i][4]);
        ck_assert_int_eq(a, cases[i][5]);
        b = a = -1;
        ck_assert_int_eq(systole_ref_compute_pads(SYSTOLE_REF_PAD_SAME,
                                                  cases[i][0], cases[i][1],
                                                  cases[i][2], cases[i][3],
                                                  &b, &a), 0);
        ck_assert_int_eq(b, cases[i][4]);
        ck_assert_int_eq(a, cases[i][5]);
    }
    ck_assert_int_eq(systole_ref_compute_pads(SYSTOLE_REF_PAD_VALID, 5, 3, 2, 1,
                                              &b, &a), 0);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(a, 0);
    ck_assert_int_eq(systole_ref_compute_pads(SYSTOLE_REF_PAD_EXPLICIT, 5, 3, 1,
                                              1, &b, &a), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_compute_pads((systole_ref_padding_t)42, 5, 3,
                                              1, 1, &b, &a), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_same_pads(5, 3, 0, 1, &b, &a),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_same_pads(5, 3, 1, 0, &b, &a),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_same_pads(0, 3, 1, 1, &b, &a),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_conv2d_same_pads(5, 3, 1, 1, NULL, &a),
                     SYSTOLE_REF_EINVAL);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* conv2d vs an explicit im2col + matmul (independent path)                  */
/* ------------------------------------------------------------------------ */

/* For group g, builds the im2col matrix: row (b, oy, ox), column
 * (ky, kx, ic) holds the input tap, or in_zp where the tap is padding.
 * transA == 0 stores it M x K (ld = K), otherwise K x M (ld = M). */
static void im2col(const systole_ref_conv2d_params_t *p, const int8_t *in,
                   int oh, int ow, int g, int transA, int8_t *col)
{
    int icg = p->in_c / p->groups;
    size_t M = (size_t)p->batch * oh * ow;
    size_t K = (size_t)p->k_h * p->k_w * icg;
    int b, oy, ox, ky, kx, ic;

    for (b = 0; b < p->batch; b++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++) {
                size_t m = ((size_t)b * oh + oy) * ow + ox;
                for (ky = 0; ky < p->k_h; ky++)
                    for (kx = 0; kx < p->k_w; kx++)
                        for (ic = 0; ic < icg; ic++) {
                            size_t k = ((size_t)ky * p->k_w + kx) * icg + ic;
                            int iy = oy * p->stride_h - p->pad_top +
                                     ky * p->dil_h;
                            int ix = ox * p->stride_w - p->pad_left +
                                     kx * p->dil_w;
                            int8_t v = (int8_t)p->in_zp;
                            if (iy >= 0 && iy < p->in_h && ix >= 0 &&
                                ix < p->in_w)
                                v = in[(((size_t)b * p->in_h + iy) * p->in_w +
                                        ix) * p->in_c + (size_t)g * icg + ic];
                            if (transA)
                                col[k * M + m] = v;
                            else
                                col[m * K + k] = v;
                        }
            }
}

START_TEST(test_conv_vs_im2col_random)
{
    rng_t r = { g_seed ^ 0x3333u };
    int iter;

    for (iter = 0; iter < 150; iter++) {
        systole_ref_conv2d_params_t p;
        int oh, ow, g, st, transA;
        int ocg, icg;
        size_t in_n, w_n, out_n, M, K, i;
        int8_t *in, *w, *col, *out8, *ref8;
        int32_t *bias, *mult, *shift, *out32, *ref32;
        char shape[256];

        memset(&p, 0, sizeof p);
        p.batch = rng_range(&r, 1, 2);
        p.in_h = rng_range(&r, 1, 9);
        p.in_w = rng_range(&r, 1, 9);
        p.groups = rng_range(&r, 1, 3);
        p.in_c = p.groups * rng_range(&r, 1, 4);
        /* Some cases are depthwise with a channel multiplier. */
        if (rng_range(&r, 0, 3) == 0)
            p.groups = p.in_c;
        p.out_c = p.groups * rng_range(&r, 1, 3);
        p.k_h = rng_range(&r, 1, 4);
        p.k_w = rng_range(&r, 1, 4);
        p.stride_h = rng_range(&r, 1, 3);
        p.stride_w = rng_range(&r, 1, 3);
        p.dil_h = rng_range(&r, 1, 3);
        p.dil_w = rng_range(&r, 1, 3);
        if (rng_range(&r, 0, 1)) {
            ck_assert_int_eq(systole_ref_conv2d_same_pads(p.in_h, p.k_h,
                             p.stride_h, p.dil_h, &p.pad_top, &p.pad_bottom), 0);
            ck_assert_int_eq(systole_ref_conv2d_same_pads(p.in_w, p.k_w,
                             p.stride_w, p.dil_w, &p.pad_left, &p.pad_right), 0);
        } else {
            p.pad_top = rng_range(&r, 0, 3);
            p.pad_bottom = rng_range(&r, 0, 3);
            p.pad_left = rng_range(&r, 0, 3);
            p.pad_right = rng_range(&r, 0, 3);
        }
        p.in_zp = rng_range(&r, -128, 127);
        p.out_zp = rng_range(&r, -128, 127);
        p.act_min = rng_range(&r, -128, 0);
        p.act_max = rng_range(&r, p.act_min, 127);
        transA = rng_range(&r, 0, 1);
        snprintf(shape, sizeof shape,
                 "seed=%llu iter=%d N=%d H=%d W=%d C=%d OC=%d G=%d k=%dx%d "
                 "s=%dx%d d=%dx%d pad=t%d b%d l%d r%d zp=%d transA=%d",
                 (unsigned long long)g_seed, iter, p.batch, p.in_h, p.in_w,
                 p.in_c, p.out_c, p.groups, p.k_h, p.k_w, p.stride_h,
                 p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_bottom,
                 p.pad_left, p.pad_right, (int)p.in_zp, transA);

        st = systole_ref_conv2d_out_size(&p, &oh, &ow);
        if (st != 0) {
            /* Only an empty output is a legitimate rejection here. */
            ck_assert_msg(st == SYSTOLE_REF_EINVAL, "%s", shape);
            continue;
        }
        icg = p.in_c / p.groups;
        ocg = p.out_c / p.groups;
        in_n = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
        w_n = (size_t)p.out_c * p.k_h * p.k_w * icg;
        out_n = (size_t)p.batch * oh * ow * p.out_c;
        M = (size_t)p.batch * oh * ow;
        K = (size_t)p.k_h * p.k_w * icg;
        in = malloc(in_n);
        w = malloc(w_n);
        col = malloc(M * K);
        out8 = malloc(out_n);
        ref8 = malloc(out_n);
        bias = malloc(sizeof *bias * (size_t)p.out_c);
        mult = malloc(sizeof *mult * (size_t)p.out_c);
        shift = malloc(sizeof *shift * (size_t)p.out_c);
        out32 = malloc(sizeof *out32 * out_n);
        ref32 = malloc(sizeof *ref32 * out_n);
        ck_assert(in && w && col && out8 && ref8 && bias && mult && shift &&
                  out32 && ref32);
        for (i = 0; i < in_n; i++)
            in[i] = rng_i8(&r);
        for (i = 0; i < w_n; i++)
            w[i] = rng_i8(&r);
        for (i = 0; i < (size_t)p.out_c; i++) {
            bias[i] = rng_range(&r, -100000, 100000);
            mult[i] = rng_range(&r, 1 << 30, INT32_MAX);
            shift[i] = rng_range(&r, -14, 1);
        }

        /* Reference path: per group, im2col (M x K) times the group's
         * weights. OHWI rows are exactly [ky][kx][ic], so the weights of
         * group g are an ocg x K matrix = B stored N x K (transB). */
        for (g = 0; g < p.groups; g++) {
            const int8_t *wg = w + (size_t)g * ocg * K;
            im2col(&p, in, oh, ow, g, transA, col);
            ck_assert_msg(systole_ref_matmul_i32(M, (size_t)ocg, K, col,
                                                 transA ? M : K, transA, wg, K,
                                                 1, p.in_zp,
                                                 ref32 + (size_t)g * ocg,
                                                 (size_t)p.out_c) == 0,
                          "%s", shape);
            ck_assert_msg(systole_ref_matmul_i8(M, (size_t)ocg, K, col,
                                                transA ? M : K, transA, wg, K,
                                                1, p.in_zp,
                                                bias + (size_t)g * ocg,
                                                mult + (size_t)g * ocg,
                                                shift + (size_t)g * ocg,
                                                p.out_zp, p.act_min, p.act_max,
                                                ref8 + (size_t)g * ocg,
                                                (size_t)p.out_c) == 0,
                          "%s", shape);
        }
        for (i = 0; i < out_n; i++)
            ref32[i] = (int32_t)((uint32_t)ref32[i] +
                                 (uint32_t)bias[i % (size_t)p.out_c]);

        ck_assert_msg(systole_ref_conv2d_i32(&p, in, w, bias, out32) == 0,
                      "%s", shape);
        ck_assert_msg(systole_ref_conv2d_i8(&p, in, w, bias, mult, shift,
                                            out8) == 0, "%s", shape);
        for (i = 0; i < out_n; i++) {
            ck_assert_msg(out32[i] == ref32[i],
                          "i32 mismatch at %zu: %d != %d; %s", i,
                          (int)out32[i], (int)ref32[i], shape);
            ck_assert_msg(out8[i] == ref8[i],
                          "i8 mismatch at %zu: %d != %d; %s", i, (int)out8[i],
                          (int)ref8[i], shape);
        }
        free(in);
        free(w);
        free(col);
        free(out8);
        free(ref8);
        free(bias);
        free(mult);
        free(shift);
        free(out32);
        free(ref32);
    }
}
END_TEST

/* ======================================================================== */
/* Pooling                                                                   */
/* ======================================================================== */

static systole_ref_pool_params_t pool_params(int h, int w, int c, int k, int s)
{
    systole_ref_pool_params_t p;

    memset(&p, 0, sizeof p);
    p.batch = 1;
    p.in_h = h;
    p.in_w = w;
    p.channels = c;
    p.k_h = p.k_w = k;
    p.stride_h = p.stride_w = s;
    p.act_min = -128;
    p.act_max = 127;
    return p;
}

/* Input 3x3x1 [[1,2,3],[4,5,6],[7,8,9]], 2x2 window, stride 2, SAME pads
 * (in 3 k 2 s 2: out 2, total 2+2-3 = 1 -> before 0, after 1). Windows:
 *   [0][0] {1,2,4,5}  max 5, avg (12+2)/4 = 3
 *   [0][1] {3,6}      max 6, avg 9/2 = 4.5 -> (9+1)/2 = 5
 *   [1][0] {7,8}      max 8, avg 15/2 = 7.5 -> (15+1)/2 = 8
 *   [1][1] {9}        max 9, avg 9 */
START_TEST(test_pool_basic)
{
    const int8_t in[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const int8_t want_max[4] = { 5, 6, 8, 9 }, want_avg[4] = { 3, 5, 8, 9 };
    /* act [-128, 6]: max -> 5 6 6 6; act [4, 8]: avg -> 4 5 8 8 */
    const int8_t want_max_c[4] = { 5, 6, 6, 6 }, want_avg_c[4] = { 4, 5, 8, 8 };
    systole_ref_pool_params_t p = pool_params(3, 3, 1, 2, 2);
    int8_t out[4];
    int oh, ow, i;

    ck_assert_int_eq(systole_ref_conv2d_same_pads(3, 2, 2, 1, &p.pad_top,
                                                  &p.pad_bottom), 0);
    ck_assert_int_eq(systole_ref_conv2d_same_pads(3, 2, 2, 1, &p.pad_left,
                                                  &p.pad_right), 0);
    ck_assert_int_eq(p.pad_top, 0);
    ck_assert_int_eq(p.pad_bottom, 1);
    ck_assert_int_eq(systole_ref_pool_out_size(&p, &oh, &ow), 0);
    ck_assert_int_eq(oh, 2);
    ck_assert_int_eq(ow, 2);
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, in, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want_max[i]);
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want_avg[i]);
    p.act_max = 6;
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, in, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want_max_c[i]);
    p.act_min = 4;
    p.act_max = 8;
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, out), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(out[i], want_avg_c[i]);
}
END_TEST

/* Two channels, 1x3 input, 1x2 window, stride 1, pad_left 1:
 *   channel 0 = [-3, -4, -128], channel 1 = [1, 0, -1]
 * windows (in-bounds taps): {x0}, {x0,x1}, {x1,x2}
 *   ch0 max: -3, -3, -4          ch1 max: 1, 1, 0
 *   ch0 avg: -3; (-7-1)/2 = -4 (-3.5 -> -4); (-132-1)/2 = -66 (-66)
 *   ch1 avg: 1; (1+1)/2 = 1 (0.5 -> 1); (-1-1)/2 = -1 (-0.5 -> -1) */
START_TEST(test_pool_negative_ties)
{
    const int8_t in[6] = { -3, 1, -4, 0, -128, -1 };
    const int8_t want_max[6] = { -3, 1, -3, 1, -4, 0 };
    const int8_t want_avg[6] = { -3, 1, -4, 1, -66, -1 };
    systole_ref_pool_params_t p = pool_params(1, 3, 2, 1, 1);
    int8_t out[6];
    int i;

    p.k_w = 2;
    p.pad_left = 1;
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, in, out), 0);
    for (i = 0; i < 6; i++)
        ck_assert_int_eq(out[i], want_max[i]);
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, out), 0);
    for (i = 0; i < 6; i++)
        ck_assert_int_eq(out[i], want_avg[i]);
}
END_TEST

START_TEST(test_pool_errors)
{
    const int8_t in[9] = { 0 };
    int8_t out[9];
    systole_ref_pool_params_t base = pool_params(3, 3, 1, 2, 1), p;

    p = base;
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, in, out), 0);
    ck_assert_int_eq(systole_ref_maxpool_i8(NULL, in, out), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, NULL, out), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, NULL), SYSTOLE_REF_EINVAL);
    p.pad_top = 2; /* pad >= k would allow an empty window */
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, out), SYSTOLE_REF_EINVAL);
    p = base;
    p.stride_h = 0;
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, out), SYSTOLE_REF_EINVAL);
    p = base;
    p.k_w = 4; /* window wider than the (unpadded) input */
    ck_assert_int_eq(systole_ref_avgpool_i8(&p, in, out), SYSTOLE_REF_EINVAL);
    p = base;
    p.act_min = 1;
    p.act_max = 0;
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, in, out), SYSTOLE_REF_EINVAL);
    p = base;
    p.channels = 0;
    ck_assert_int_eq(systole_ref_maxpool_i8(&p, in, out), SYSTOLE_REF_EINVAL);
}
END_TEST

/* ======================================================================== */
/* Add                                                                       */
/* ======================================================================== */

/* s1 = 0.5, s2 = 0.25, s_out = 1: twice_max = 1,
 *   real_in1 = 0.5  -> (2^30, 0)
 *   real_in2 = 0.25 -> 0.5 * 2^-1  -> (2^30, -1)
 *   real_out = 1 / 2^20 = 0.5 * 2^-19 -> (2^30, -19) */
START_TEST(test_add_params)
{
    systole_ref_add_params_t p;

    ck_assert_int_eq(systole_ref_add_params_from_scales(0.5f, 1, 0.25f, -2,
                                                        1.0f, 10, -128, 127,
                                                        &p), 0);
    ck_assert_int_eq(p.left_shift, 20);
    ck_assert_int_eq(p.in1_mult, 1 << 30);
    ck_assert_int_eq(p.in1_shift, 0);
    ck_assert_int_eq(p.in2_mult, 1 << 30);
    ck_assert_int_eq(p.in2_shift, -1);
    ck_assert_int_eq(p.out_mult, 1 << 30);
    ck_assert_int_eq(p.out_shift, -19);
    ck_assert_int_eq(p.in1_zp, 1);
    ck_assert_int_eq(p.in2_zp, -2);
    ck_assert_int_eq(p.out_zp, 10);
    /* Symmetric: s1 = s2 = 0.1 -> real_in = 0.5 each -> (2^30, 0). */
    ck_assert_int_eq(systole_ref_add_params_from_scales(0.1f, 0, 0.1f, 0, 0.2f,
                                                        0, -128, 127, &p), 0);
    ck_assert_int_eq(p.in1_mult, 1 << 30);
    ck_assert_int_eq(p.in1_shift, 0);
    ck_assert_int_eq(p.in2_mult, 1 << 30);
    ck_assert_int_eq(p.in2_shift, 0);
    /* real_out = 2 / (2^20 * 2^-30) = 2^11 >= 1: TFLite rejects it. */
    ck_assert_int_eq(systole_ref_add_params_from_scales(1.0f, 0, 1.0f, 0,
                                                        ldexpf(1.0f, -30), 0,
                                                        -128, 127, &p),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_add_params_from_scales(0.0f, 0, 1.0f, 0, 1.0f,
                                                        0, -128, 127, &p),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_add_params_from_scales(NAN, 0, 1.0f, 0, 1.0f,
                                                        0, -128, 127, &p),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_add_params_from_scales(1.0f, 128, 1.0f, 0,
                                                        1.0f, 0, -128, 127, &p),
                     SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_add_params_from_scales(1.0f, 0, 1.0f, 0, 1.0f,
                                                        0, -128, 127, NULL),
                     SYSTOLE_REF_EINVAL);
}
END_TEST

/* With the parameters of test_add_params (0.5 * q1 + 0.25 * q2):
 *   3, 5  -> x1 = 3<<20 = 3145728 * 0.5 = 1572864;
 *            x2 = 5<<20 = 5242880 * 0.5 = 2621440, /2 = 1310720;
 *            sum = 2883584 * 0.5 = 1441792, / 2^19 = 2.75 -> 3
 *   -3,-5 -> all exact until -1441792 / 2^19 = -2.75 -> -3
 *   1, 0  -> 2^19 * 0.5 = 2^18, / 2^19 = 0.5 -> 1
 *   -1, 0 -> -0.5 -> -1 (RDBP ties away from zero)
 *   0, 2  -> 0.5 -> 1;  0, -2 -> -0.5 -> -1
 *   127, 127 -> 63.5 + 31.75 = 95.25 -> 95
 *   -128, -128 -> -64 - 32 = -96 */
START_TEST(test_add_kernel)
{
    const int8_t a[] = { 3, -3, 1, -1, 0, 0, 127, -128 };
    const int8_t b[] = { 5, -5, 0, 0, 2, -2, 127, -128 };
    const int8_t want[] = { 3, -3, 1, -1, 1, -1, 95, -96 };
    int8_t out[ARRAY_LEN(a)];
    int8_t az[ARRAY_LEN(a)], bz[ARRAY_LEN(a)];
    systole_ref_add_params_t p;
    size_t i;

    ck_assert_int_eq(systole_ref_add_params_from_scales(0.5f, 0, 0.25f, 0, 1.0f,
                                                        0, -128, 127, &p), 0);
    ck_assert_int_eq(systole_ref_add_i8(&p, ARRAY_LEN(a), a, b, out), 0);
    for (i = 0; i < ARRAY_LEN(a); i++)
        ck_assert_int_eq(out[i], want[i]);

    /* Zero points: in1_zp 1, in2_zp -2, out_zp 10: feed q + zp for the first
     * six cases and expect want + 10. */
    ck_assert_int_eq(systole_ref_add_params_from_scales(0.5f, 1, 0.25f, -2,
                                                        1.0f, 10, -128, 127,
                                                        &p), 0);
    for (i = 0; i < 6; i++) {
        az[i] = (int8_t)(a[i] + 1);
        bz[i] = (int8_t)(b[i] - 2);
    }
    ck_assert_int_eq(systole_ref_add_i8(&p, 6, az, bz, out), 0);
    for (i = 0; i < 6; i++)
        ck_assert_int_eq(out[i], want[i] + 10);

    /* Clamp: out_zp 50 -> 95 + 50 = 145 -> 127; act_max 90 -> 90;
     * act_min -90: -96 + 0 -> -90. */
    ck_assert_int_eq(systole_ref_add_params_from_scales(0.5f, 0, 0.25f, 0, 1.0f,
                                                        50, -128, 127, &p), 0);
    ck_assert_int_eq(systole_ref_add_i8(&p, 1, a + 6, b + 6, out), 0);
    ck_assert_int_eq(out[0], 127);
    ck_assert_int_eq(systole_ref_add_params_from_scales(0.5f, 0, 0.25f, 0, 1.0f,
                                                        0, -90, 90, &p), 0);
    ck_assert_int_eq(systole_ref_add_i8(&p, 2, a + 6, b + 6, out), 0);
    ck_assert_int_eq(out[0], 90);
    ck_assert_int_eq(out[1], -90);

    /* In place (out aliases in1). */
    ck_assert_int_eq(systole_ref_add_params_from_scales(0.5f, 0, 0.25f, 0, 1.0f,
                                                        0, -128, 127, &p), 0);
    memcpy(out, a, sizeof a);
    ck_assert_int_eq(systole_ref_add_i8(&p, ARRAY_LEN(a), out, b, out), 0);
    for (i = 0; i < ARRAY_LEN(a); i++)
        ck_assert_int_eq(out[i], want[i]);

    /* Errors. */
    ck_assert_int_eq(systole_ref_add_i8(&p, 0, a, b, out), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_add_i8(NULL, 1, a, b, out), SYSTOLE_REF_EINVAL);
    ck_assert_int_eq(systole_ref_add_i8(&p, 1, a, NULL, out),
                     SYSTOLE_REF_EINVAL);
    p.left_shift = 24;
    ck_assert_int_eq(systole_ref_add_i8(&p, 1, a, b, out), SYSTOLE_REF_EINVAL);
    p.left_shift = 20;
    p.in2_zp = -129;
    ck_assert_int_eq(systole_ref_add_i8(&p, 1, a, b, out), SYSTOLE_REF_EINVAL);
}
END_TEST

/* Random add against a double model. With power-of-two scales every
 * multiplier is an exact power of two and every intermediate is exact, so
 * the only rounding is the final one (half away from zero, like round()):
 * the integer kernel must match the double model exactly. */
START_TEST(test_add_random_vs_float)
{
    rng_t r = { g_seed ^ 0x4444u };
    int iter;

    for (iter = 0; iter < 2000; iter++) {
        float s1 = ldexpf(1.0f, -rng_range(&r, 1, 8));
        float s2 = ldexpf(1.0f, -rng_range(&r, 1, 8));
        float so = ldexpf(1.0f, -rng_range(&r, 0, 6));
        int32_t z1 = rng_range(&r, -128, 127), z2 = rng_range(&r, -128, 127);
        int32_t zo = rng_range(&r, -128, 127);
        int8_t a = rng_i8(&r), b = rng_i8(&r), o;
        systole_ref_add_params_t p;
        double real, want;

        ck_assert_int_eq(systole_ref_add_params_from_scales(s1, z1, s2, z2, so,
                                                            zo, -128, 127, &p),
                         0);
        ck_assert_int_eq(systole_ref_add_i8(&p, 1, &a, &b, &o), 0);
        /* The zero point is added after the rounding, so a tie rounds
         * away from zero before the shift by zo (round(-0.5) + 3 = 2). */
        real = ((double)s1 * (a - z1) + (double)s2 * (b - z2)) / so;
        want = fmin(127.0, fmax(-128.0, round(real) + zo));
        ck_assert_msg((double)o == want,
                      "add seed=%llu iter=%d got %d want %g",
                      (unsigned long long)g_seed, iter, (int)o, want);
    }
}
END_TEST

/* ======================================================================== */

static Suite *ref_suite(void)
{
    Suite *s = suite_create("systole_ref");
    TCase *tc;

    tc = tcase_create("requant");
    tcase_add_test(tc, test_srdhm_edges);
    tcase_add_test(tc, test_rdbp_edges);
    tcase_add_test(tc, test_primitives_random);
    tcase_add_test(tc, test_mbqm);
    tcase_add_test(tc, test_requant);
    tcase_add_test(tc, test_quantize_multiplier);
    tcase_add_test(tc, test_quantize_dequantize);
    tcase_add_test(tc, test_status_str);
    suite_add_tcase(s, tc);

    tc = tcase_create("matmul");
    tcase_add_test(tc, test_matmul_2x2x2);
    tcase_add_test(tc, test_matmul_i8);
    tcase_add_test(tc, test_matmul_wrap);
    tcase_add_test(tc, test_matmul_errors);
    tcase_add_test(tc, test_matmul_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("conv2d");
    tcase_add_test(tc, test_conv_pad_zp);
    tcase_add_test(tc, test_conv_orientation_bias);
    tcase_add_test(tc, test_conv_stride2);
    tcase_add_test(tc, test_conv_dilation2);
    tcase_add_test(tc, test_conv_depthwise);
    tcase_add_test(tc, test_conv_grouped);
    tcase_add_test(tc, test_conv_errors);
    tcase_add_test(tc, test_same_pads);
    tcase_add_test(tc, test_conv_vs_im2col_random);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("pool");
    tcase_add_test(tc, test_pool_basic);
    tcase_add_test(tc, test_pool_negative_ties);
    tcase_add_test(tc, test_pool_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("add");
    tcase_add_test(tc, test_add_params);
    tcase_add_test(tc, test_add_kernel);
    tcase_add_test(tc, test_add_random_vs_float);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *env = getenv("SYSTOLE_TEST_SEED");
    SRunner *sr;
    int failed;

    g_seed = env ? strtoull(env, NULL, 0) : 0x5157u;
    printf("test_ref: seed=%llu (reproduce: SYSTOLE_TEST_SEED=%llu "
           "./test_ref)\n", (unsigned long long)g_seed,
           (unsigned long long)g_seed);
    fflush(stdout);
    sr = srunner_create(ref_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed)
        printf("test_ref: FAILED with seed=%llu; rerun with "
               "SYSTOLE_TEST_SEED=%llu ./test_ref\n",
               (unsigned long long)g_seed, (unsigned long long)g_seed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
