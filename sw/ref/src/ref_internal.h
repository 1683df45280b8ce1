/*
 * ref_internal.h - helpers shared by the reference kernels (not installed).
 */
#ifndef SYSTOLE_REF_INTERNAL_H
#define SYSTOLE_REF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "systole_ref.h"

/* Two's complement reinterpretation of a uint32_t as int32_t, without the
 * implementation-defined out-of-range conversion. */
static inline int32_t ref_wrap_i32(uint32_t u)
{
    if (u <= (uint32_t)INT32_MAX)
        return (int32_t)u;
    return (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* Low 8 bits of v as int8_t (two's complement). */
static inline int8_t ref_low_i8(int64_t v)
{
    uint8_t u = (uint8_t)((uint64_t)v & 0xffu);
    return (int8_t)(u < 0x80u ? (int)u : (int)u - 256);
}

static inline int ref_is_i8(int32_t v)
{
    return v >= INT8_MIN && v <= INT8_MAX;
}

/* act_min/act_max valid for an int8 output. */
static inline int ref_act_ok(int32_t act_min, int32_t act_max)
{
    return ref_is_i8(act_min) && ref_is_i8(act_max) && act_min <= act_max;
}

/* An int32_t per-channel shift as an int; mbqm clamps to [-31, 31] anyway,
 * so clamping here first changes nothing and keeps the conversion safe. */
static inline int ref_shift_arg(int32_t s)
{
    return s < -32 ? -32 : (s > 32 ? 32 : (int)s);
}

/* *r = a * b; returns 0 on success, -1 on size_t overflow. */
static inline int ref_mul_size(size_t a, size_t b, size_t *r)
{
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *r = a * b;
    return 0;
}

/* Product of n positive ints as size_t; -1 on overflow. */
static inline int ref_count(size_t *r, const int *dims, int n)
{
    size_t acc = 1;
    int i;
    for (i = 0; i < n; i++) {
        if (dims[i] <= 0 || ref_mul_size(acc, (size_t)dims[i], &acc) != 0)
            return -1;
    }
    *r = acc;
    return 0;
}

#endif /* SYSTOLE_REF_INTERNAL_H */
