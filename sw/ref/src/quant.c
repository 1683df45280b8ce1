/*
 * quant.c - requantisation primitives (TFLite int8 reference arithmetic).
 *
 * Written so that no input value triggers C undefined or
 * implementation-defined behaviour: shifts of negative numbers and signed
 * overflow are avoided by working in uint32_t/int64_t.
 */
#include <math.h>
#include <stdint.h>

#include "ref_internal.h"
#include "systole_ref.h"

const char *systole_ref_status_str(int status)
{
    switch (status) {
    case SYSTOLE_REF_OK:
        return "ok";
    case SYSTOLE_REF_EINVAL:
        return "invalid argument";
    case SYSTOLE_REF_EOVERFLOW:
        return "size overflow";
    default:
        return "unknown status";
    }
}

int32_t systole_ref_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;

    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    /* |a*b| <= 2^62 fits; adding the nudge (|nudge| < 2^30) still fits. */
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C99 division truncates toward zero; the quotient fits in int32 since
     * the only case reaching 2^31 was excluded above. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

int32_t systole_ref_rdbp(int32_t x, int exponent)
{
    uint32_t ux = (uint32_t)x;
    uint32_t mask, rem, thr, q;
    int e = exponent < 0 ? 0 : (exponent > 31 ? 31 : exponent);

    mask = (uint32_t)(((uint64_t)1 << e) - 1u);
    rem = ux & mask;
    thr = (mask >> 1) + (x < 0 ? 1u : 0u);
    /* Arithmetic shift right (floor division by 2^e) without shifting a
     * negative value: for x < 0, floor(x / 2^e) == ~(~x >> e). */
    q = x >= 0 ? (ux >> e) : ~((~ux) >> e);
    /* q + 1 cannot overflow: rem > thr implies e >= 1, so q <= 2^30 - 1. */
    return ref_wrap_i32(q + (rem > thr ? 1u : 0u));
}

int32_t systole_ref_mbqm(int32_t x, int32_t mult, int shift)
{
    int left = shift < 0 ? 0 : (shift > 31 ? 31 : shift);
    int right = shift > 0 ? 0 : (shift < -31 ? 31 : -shift);
    int32_t xs = ref_wrap_i32((uint32_t)x << left);

    return systole_ref_rdbp(systole_ref_srdhm(xs, mult), right);
}

int8_t systole_ref_requant(int32_t acc, int32_t bias, int32_t mult, int shift,
                           int32_t out_zp, int32_t act_min, int32_t act_max)
{
    int32_t x = ref_wrap_i32((uint32_t)acc + (uint32_t)bias);
    int64_t y = (int64_t)systole_ref_mbqm(x, mult, shift) + out_zp;

    if (y < act_min)
        y = act_min;
    if (y > act_max)
        y = act_max;
    return ref_low_i8(y);
}

int systole_ref_quantize_multiplier(double real, int32_t *mult, int *shift)
{
    double frac;
    double qd;
    int64_t q;
    int e = 0;

    if (mult == NULL || shift == NULL)
        return SYSTOLE_REF_EINVAL;
    *mult = 0;
    *shift = 0;
    if (real == 0.0)
        return SYSTOLE_REF_OK;
    if (!isfinite(real))
        return SYSTOLE_REF_EINVAL;

    frac = frexp(real, &e); /* real = frac * 2^e, 0.5 <= |frac| < 1 */
    /* round() rounds half away from zero, like TfLiteRound; the product is
     * exact (scaling by a power of two) and |qd| <= 2^31. */
    qd = round(frac * 2147483648.0);
    q = (int64_t)qd;
    if (q == ((int64_t)1 << 31)) {
        q /= 2;
        ++e;
    }
    if (e < -31) {
        /* Would shift every bit out: flush to zero, as TFLite does. */
        return SYSTOLE_REF_OK;
    }
    if (e > 31)
        return SYSTOLE_REF_EINVAL; /* mbqm cannot shift left by more */
    *mult = (int32_t)q;
    *shift = e;
    return SYSTOLE_REF_OK;
}

int8_t systole_ref_quantize(float real, float scale, int32_t zp)
{
    float r = roundf(real / scale); /* float arithmetic, as TFLite */
    double v;

    if (isnan(r))
        r = 0.0f;
    v = (double)r + (double)zp;
    if (v < -128.0)
        return INT8_MIN;
    if (v > 127.0)
        return INT8_MAX;
    return (int8_t)(int)v;
}

float systole_ref_dequantize(int8_t q, float scale, int32_t zp)
{
    return (float)((double)scale * (double)((int64_t)q - zp));
}
