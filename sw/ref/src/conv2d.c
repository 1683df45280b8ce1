/*
 * conv2d.c - 2-D convolution reference (NHWC activations, OHWI weights),
 * dense, grouped and depthwise, with explicit or TF SAME/VALID padding.
 */
#include <stddef.h>
#include <stdint.h>

#include "ref_internal.h"
#include "systole_ref.h"

int systole_ref_conv2d_same_pads(int in, int k, int stride, int dil,
                                 int *pad_before, int *pad_after)
{
    int64_t out, total;

    if (pad_before == NULL || pad_after == NULL)
        return SYSTOLE_REF_EINVAL;
    if (in <= 0 || k <= 0 || stride <= 0 || dil <= 0)
        return SYSTOLE_REF_EINVAL;
    out = ((int64_t)in + stride - 1) / stride;
    total = (out - 1) * stride + (int64_t)(k - 1) * dil + 1 - in;
    if (total < 0)
        total = 0;
    if (total > INT32_MAX)
        return SYSTOLE_REF_EOVERFLOW;
    *pad_before = (int)(total / 2);
    *pad_after = (int)(total - total / 2);
    return SYSTOLE_REF_OK;
}

int systole_ref_compute_pads(systole_ref_padding_t mode, int in, int k,
                             int stride, int dil,
                             int *pad_before, int *pad_after)
{
    switch (mode) {
    case SYSTOLE_REF_PAD_SAME:
        return systole_ref_conv2d_same_pads(in, k, stride, dil, pad_before,
                                            pad_after);
    case SYSTOLE_REF_PAD_VALID:
        if (pad_before == NULL || pad_after == NULL || in <= 0 || k <= 0 ||
            stride <= 0 || dil <= 0)
            return SYSTOLE_REF_EINVAL;
        *pad_before = 0;
        *pad_after = 0;
        return SYSTOLE_REF_OK;
    case SYSTOLE_REF_PAD_EXPLICIT:
    default:
        return SYSTOLE_REF_EINVAL;
    }
}

/* One spatial axis: (in + pb + pa - dil*(k-1) - 1) / stride + 1. */
static int ref_axis_out(int in, int k, int stride, int dil, int pb, int pa,
                        int *out)
{
    int64_t num;

    if (in <= 0 || k <= 0 || stride <= 0 || dil <= 0 || pb < 0 || pa < 0)
        return SYSTOLE_REF_EINVAL;
    num = (int64_t)in + pb + pa - (int64_t)dil * (k - 1) - 1;
    if (num < 0)
        return SYSTOLE_REF_EINVAL; /* empty output */
    if (num / stride + 1 > INT32_MAX)
        return SYSTOLE_REF_EOVERFLOW; /* pads so large the size overflows */
    *out = (int)(num / stride + 1);
    return SYSTOLE_REF_OK;
}

int systole_ref_conv2d_out_size(const systole_ref_conv2d_params_t *p,
                                int *out_h, int *out_w)
{
    int oh = 0, ow = 0, st;

    if (p == NULL || out_h == NULL || out_w == NULL)
        return SYSTOLE_REF_EINVAL;
    if (p->batch <= 0 || p->in_c <= 0 || p->out_c <= 0 || p->groups <= 0 ||
        p->in_c % p->groups != 0 || p->out_c % p->groups != 0)
        return SYSTOLE_REF_EINVAL;
    st = ref_axis_out(p->in_h, p->k_h, p->stride_h, p->dil_h, p->pad_top,
                      p->pad_bottom, &oh);
    if (st != SYSTOLE_REF_OK)
        return st;
    st = ref_axis_out(p->in_w, p->k_w, p->stride_w, p->dil_w, p->pad_left,
                      p->pad_right, &ow);
    if (st != SYSTOLE_REF_OK)
        return st;
    *out_h = oh;
    *out_w = ow;
    return SYSTOLE_REF_OK;
}

/* Validates everything but the output stage; returns output geometry. */
static int ref_conv_check(const systole_ref_conv2d_params_t *p,
                          const int8_t *in, const int8_t *w, const void *out,
                          int *oh, int *ow)
{
    size_t n;
    int st;

    if (in == NULL || w == NULL || out == NULL)
        return SYSTOLE_REF_EINVAL;
    st = systole_ref_conv2d_out_size(p, oh, ow);
    if (st != SYSTOLE_REF_OK)
        return st;
    if (!ref_is_i8(p->in_zp))
        return SYSTOLE_REF_EINVAL;
    {
        /* Every buffer's element count must be addressable. */
        const int in_dims[4] = { p->batch, p->in_h, p->in_w, p->in_c };
        const int w_dims[4] = { p->out_c, p->k_h, p->k_w,
                                p->in_c / p->groups };
        const int out_dims[4] = { p->batch, *oh, *ow, p->out_c };

        if (ref_count(&n, in_dims, 4) != 0 || ref_count(&n, w_dims, 4) != 0 ||
            ref_count(&n, out_dims, 4) != 0)
            return SYSTOLE_REF_EOVERFLOW;
    }
    return SYSTOLE_REF_OK;
}

/* Accumulator for output (b, oy, ox, oc), geometry already checked. */
static int32_t ref_conv_acc(const systole_ref_conv2d_params_t *p,
                            const int8_t *in, const int8_t *w,
                            const int32_t *bias,
                            int b, int oy, int ox, int oc)
{
    const int icg = p->in_c / p->groups;      /* input channels per group */
    const int ocg = p->out_c / p->groups;     /* output channels per group */
    const int g = oc / ocg;
    const int64_t y0 = (int64_t)oy * p->stride_h - p->pad_top;
    const int64_t x0 = (int64_t)ox * p->stride_w - p->pad_left;
    uint32_t acc = bias ? (uint32_t)bias[oc] : 0u;
    int ky, kx, ic;

    for (ky = 0; ky < p->k_h; ky++) {
        const int64_t iy = y0 + (int64_t)ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h)
            continue; /* padded row: (in_zp - in_zp) * w == 0 */
        for (kx = 0; kx < p->k_w; kx++) {
            const int64_t ix = x0 + (int64_t)kx * p->dil_w;
            const int8_t *ip;
            const int8_t *wp;
            if (ix < 0 || ix >= p->in_w)
                continue; /* padded column */
            ip = in + ((((size_t)b * (size_t)p->in_h + (size_t)iy) *
                        (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c +
                       (size_t)g * (size_t)icg);
            wp = w + (((size_t)oc * (size_t)p->k_h + (size_t)ky) *
                      (size_t)p->k_w + (size_t)kx) * (size_t)icg;
            for (ic = 0; ic < icg; ic++)
                acc += (uint32_t)(((int32_t)ip[ic] - p->in_zp) *
                                  (int32_t)wp[ic]);
        }
    }
    return ref_wrap_i32(acc);
}

int systole_ref_conv2d_i32(const systole_ref_conv2d_params_t *p,
                           const int8_t *in, const int8_t *w,
                           const int32_t *bias, int32_t *out)
{
    int oh, ow, b, oy, ox, oc;
    int st = ref_conv_check(p, in, w, out, &oh, &ow);

    if (st != SYSTOLE_REF_OK)
        return st;
    for (b = 0; b < p->batch; b++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++)
                for (oc = 0; oc < p->out_c; oc++)
                    *out++ = ref_conv_acc(p, in, w, bias, b, oy, ox, oc);
    return SYSTOLE_REF_OK;
}

int systole_ref_conv2d_i8(const systole_ref_conv2d_params_t *p,
                          const int8_t *in, const int8_t *w,
                          const int32_t *bias, const int32_t *mult,
                          const int32_t *shift, int8_t *out)
{
    int oh, ow, b, oy, ox, oc;
    int st = ref_conv_check(p, in, w, out, &oh, &ow);

    if (st != SYSTOLE_REF_OK)
        return st;
    if (mult == NULL || shift == NULL || !ref_is_i8(p->out_zp) ||
        !ref_act_ok(p->act_min, p->act_max))
        return SYSTOLE_REF_EINVAL;
    for (b = 0; b < p->batch; b++)
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++)
                for (oc = 0; oc < p->out_c; oc++) {
                    /* bias is folded into the accumulator here and passed
                     * as 0 to requant: identical (both wrap mod 2^32). */
                    int32_t acc = ref_conv_acc(p, in, w, bias, b, oy, ox, oc);
                    *out++ = systole_ref_requant(acc, 0, mult[oc],
                                                 ref_shift_arg(shift[oc]),
                                                 p->out_zp, p->act_min,
                                                 p->act_max);
                }
    return SYSTOLE_REF_OK;
}
