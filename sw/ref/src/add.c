/*
 * add.c - element-wise int8 add with per-tensor scales (TFLite int8 ADD).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ref_internal.h"
#include "systole_ref.h"

/* TFLite QuantizeMultiplierSmallerThanOneExp: 0 < real < 1, shift <= 0. */
static int ref_qm_smaller_than_one(double real, int32_t *mult, int *shift)
{
    int st;

    if (!(real > 0.0 && real < 1.0))
        return SYSTOLE_REF_EINVAL;
    st = systole_ref_quantize_multiplier(real, mult, shift);
    if (st != SYSTOLE_REF_OK)
        return st;
    if (*shift > 0)
        return SYSTOLE_REF_EINVAL; /* rounded up to 1.0 */
    return SYSTOLE_REF_OK;
}

static int ref_scale_ok(float s)
{
    return isfinite(s) && s > 0.0f;
}

int systole_ref_add_params_from_scales(float in1_scale, int32_t in1_zp,
                                       float in2_scale, int32_t in2_zp,
                                       float out_scale, int32_t out_zp,
                                       int32_t act_min, int32_t act_max,
                                       systole_ref_add_params_t *p)
{
    systole_ref_add_params_t r;
    double twice_max, real_in1, real_in2, real_out;
    int st;

    if (p == NULL)
        return SYSTOLE_REF_EINVAL;
    if (!ref_scale_ok(in1_scale) || !ref_scale_ok(in2_scale) ||
        !ref_scale_ok(out_scale))
        return SYSTOLE_REF_EINVAL;
    if (!ref_is_i8(in1_zp) || !ref_is_i8(in2_zp) || !ref_is_i8(out_zp) ||
        !ref_act_ok(act_min, act_max))
        return SYSTOLE_REF_EINVAL;

    memset(&r, 0, sizeof r);
    r.in1_zp = in1_zp;
    r.in2_zp = in2_zp;
    r.out_zp = out_zp;
    r.left_shift = 20;
    r.act_min = act_min;
    r.act_max = act_max;

    /* TFLite: 2 * max(float, float) and (1 << 20) * float are exact
     * power-of-two scalings in float (barring overflow, checked below);
     * the divisions are done in double. */
    twice_max = 2.0 * (double)(in1_scale > in2_scale ? in1_scale : in2_scale);
    real_in1 = (double)in1_scale / twice_max;
    real_in2 = (double)in2_scale / twice_max;
    real_out = twice_max / ((double)(1L << r.left_shift) * (double)out_scale);
    if (!isfinite(real_out))
        return SYSTOLE_REF_EINVAL;

    st = ref_qm_smaller_than_one(real_in1, &r.in1_mult, &r.in1_shift);
    if (st == SYSTOLE_REF_OK)
        st = ref_qm_smaller_than_one(real_in2, &r.in2_mult, &r.in2_shift);
    if (st == SYSTOLE_REF_OK)
        st = ref_qm_smaller_than_one(real_out, &r.out_mult, &r.out_shift);
    if (st != SYSTOLE_REF_OK)
        return st;
    *p = r;
    return SYSTOLE_REF_OK;
}

int systole_ref_add_i8(const systole_ref_add_params_t *p, size_t n,
                       const int8_t *in1, const int8_t *in2, int8_t *out)
{
    size_t i;

    if (p == NULL || in1 == NULL || in2 == NULL || out == NULL || n == 0)
        return SYSTOLE_REF_EINVAL;
    if (!ref_is_i8(p->in1_zp) || !ref_is_i8(p->in2_zp) ||
        !ref_is_i8(p->out_zp) || !ref_act_ok(p->act_min, p->act_max))
        return SYSTOLE_REF_EINVAL;
    /* |x - zp| <= 255 and 255 << 23 < 2^31: the shifted input never wraps. */
    if (p->left_shift < 0 || p->left_shift > 23)
        return SYSTOLE_REF_EINVAL;

    for (i = 0; i < n; i++) {
        int32_t x1 = ((int32_t)in1[i] - p->in1_zp) * ((int32_t)1 << p->left_shift);
        int32_t x2 = ((int32_t)in2[i] - p->in2_zp) * ((int32_t)1 << p->left_shift);
        int32_t s1 = systole_ref_mbqm(x1, p->in1_mult, p->in1_shift);
        int32_t s2 = systole_ref_mbqm(x2, p->in2_mult, p->in2_shift);
        int32_t sum = ref_wrap_i32((uint32_t)s1 + (uint32_t)s2);
        int64_t y = (int64_t)systole_ref_mbqm(sum, p->out_mult, p->out_shift) +
                    p->out_zp;

        if (y < p->act_min)
            y = p->act_min;
        if (y > p->act_max)
            y = p->act_max;
        out[i] = ref_low_i8(y);
    }
    return SYSTOLE_REF_OK;
}
