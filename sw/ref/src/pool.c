/*
 * pool.c - int8 NHWC max and average pooling reference (TFLite semantics:
 * only in-bounds taps are considered; padding never contributes).
 */
#include <stddef.h>
#include <stdint.h>

#include "ref_internal.h"
#include "systole_ref.h"

static int ref_pool_axis(int in, int k, int stride, int pb, int pa, int *out)
{
    int64_t num;

    if (in <= 0 || k <= 0 || stride <= 0)
        return SYSTOLE_REF_EINVAL;
    /* pads < k guarantee that every window holds at least one tap. */
    if (pb < 0 || pa < 0 || pb >= k || pa >= k)
        return SYSTOLE_REF_EINVAL;
    num = (int64_t)in + pb + pa - k;
    if (num < 0)
        return SYSTOLE_REF_EINVAL; /* window larger than padded input */
    if (num / stride + 1 > INT32_MAX)
        return SYSTOLE_REF_EOVERFLOW;
    *out = (int)(num / stride + 1);
    return SYSTOLE_REF_OK;
}

int systole_ref_pool_out_size(const systole_ref_pool_params_t *p,
                              int *out_h, int *out_w)
{
    int oh = 0, ow = 0, st;

    if (p == NULL || out_h == NULL || out_w == NULL)
        return SYSTOLE_REF_EINVAL;
    if (p->batch <= 0 || p->channels <= 0)
        return SYSTOLE_REF_EINVAL;
    st = ref_pool_axis(p->in_h, p->k_h, p->stride_h, p->pad_top,
                       p->pad_bottom, &oh);
    if (st != SYSTOLE_REF_OK)
        return st;
    st = ref_pool_axis(p->in_w, p->k_w, p->stride_w, p->pad_left,
                       p->pad_right, &ow);
    if (st != SYSTOLE_REF_OK)
        return st;
    *out_h = oh;
    *out_w = ow;
    return SYSTOLE_REF_OK;
}

static int ref_pool_check(const systole_ref_pool_params_t *p,
                          const int8_t *in, const int8_t *out,
                          int *oh, int *ow)
{
    size_t n;
    int st;

    if (in == NULL || out == NULL)
        return SYSTOLE_REF_EINVAL;
    st = systole_ref_pool_out_size(p, oh, ow);
    if (st != SYSTOLE_REF_OK)
        return st;
    if (!ref_act_ok(p->act_min, p->act_max))
        return SYSTOLE_REF_EINVAL;
    {
        const int in_dims[4] = { p->batch, p->in_h, p->in_w, p->channels };
        const int out_dims[4] = { p->batch, *oh, *ow, p->channels };

        if (ref_count(&n, in_dims, 4) != 0 || ref_count(&n, out_dims, 4) != 0)
            return SYSTOLE_REF_EOVERFLOW;
    }
    return SYSTOLE_REF_OK;
}

/* In-bounds window [lo, hi) along one axis for output index o. */
static void ref_window(int o, int stride, int pad, int k, int in,
                       int *lo, int *hi)
{
    int64_t start = (int64_t)o * stride - pad;
    int64_t end = start + k;

    *lo = (int)(start < 0 ? 0 : start);
    *hi = (int)(end > in ? in : end);
}

static int8_t ref_clamp_i8(int64_t v, int32_t lo, int32_t hi)
{
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return ref_low_i8(v);
}

static int ref_pool(const systole_ref_pool_params_t *p, const int8_t *in,
                    int8_t *out, int is_max)
{
    int oh, ow, b, oy, ox, c, y, x;
    int st = ref_pool_check(p, in, out, &oh, &ow);

    if (st != SYSTOLE_REF_OK)
        return st;
    for (b = 0; b < p->batch; b++) {
        for (oy = 0; oy < oh; oy++) {
            int y_lo, y_hi;
            ref_window(oy, p->stride_h, p->pad_top, p->k_h, p->in_h,
                       &y_lo, &y_hi);
            for (ox = 0; ox < ow; ox++) {
                int x_lo, x_hi;
                ref_window(ox, p->stride_w, p->pad_left, p->k_w, p->in_w,
                           &x_lo, &x_hi);
                for (c = 0; c < p->channels; c++) {
                    int64_t sum = 0, count = 0, avg;
                    int32_t mx = INT8_MIN;
                    for (y = y_lo; y < y_hi; y++) {
                        for (x = x_lo; x < x_hi; x++) {
                            int32_t v = in[(((size_t)b * (size_t)p->in_h +
                                             (size_t)y) * (size_t)p->in_w +
                                            (size_t)x) * (size_t)p->channels +
                                           (size_t)c];
                            if (v > mx)
                                mx = v;
                            sum += v;
                            count++;
                        }
                    }
                    if (is_max) {
                        *out++ = ref_clamp_i8(mx, p->act_min, p->act_max);
                    } else {
                        /* count >= 1 by the pad < k check. C division
                         * truncates toward zero, so +-count/2 rounds half
                         * away from zero. */
                        avg = sum > 0 ? (sum + count / 2) / count
                                      : (sum - count / 2) / count;
                        *out++ = ref_clamp_i8(avg, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
    return SYSTOLE_REF_OK;
}

int systole_ref_maxpool_i8(const systole_ref_pool_params_t *p,
                           const int8_t *in, int8_t *out)
{
    return ref_pool(p, in, out, 1);
}

int systole_ref_avgpool_i8(const systole_ref_pool_params_t *p,
                           const int8_t *in, int8_t *out)
{
    return ref_pool(p, in, out, 0);
}
