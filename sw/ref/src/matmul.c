/*
 * matmul.c - int8 x int8 -> int32 / int8 matrix multiply reference.
 */
#include <stddef.h>
#include <stdint.h>

#include "ref_internal.h"
#include "systole_ref.h"

/* Checks that a rows x cols matrix with leading dimension ld (ld >= cols)
 * is addressable: (rows - 1) * ld + cols must fit in size_t. */
static int ref_extent_ok(size_t rows, size_t cols, size_t ld, int *status)
{
    size_t last;

    if (ld < cols) {
        *status = SYSTOLE_REF_EINVAL;
        return 0;
    }
    if (ref_mul_size(rows - 1, ld, &last) != 0 || last > SIZE_MAX - cols) {
        *status = SYSTOLE_REF_EOVERFLOW;
        return 0;
    }
    return 1;
}

static int ref_matmul_check(size_t M, size_t N, size_t K,
                            const int8_t *A, size_t lda, int transA,
                            const int8_t *B, size_t ldb, int transB,
                            int32_t a_zp, const void *C, size_t ldc)
{
    int status = SYSTOLE_REF_OK;

    if (A == NULL || B == NULL || C == NULL)
        return SYSTOLE_REF_EINVAL;
    if (M == 0 || N == 0 || K == 0 || !ref_is_i8(a_zp))
        return SYSTOLE_REF_EINVAL;
    if (!(transA ? ref_extent_ok(K, M, lda, &status)
                 : ref_extent_ok(M, K, lda, &status)))
        return status;
    if (!(transB ? ref_extent_ok(N, K, ldb, &status)
                 : ref_extent_ok(K, N, ldb, &status)))
        return status;
    if (!ref_extent_ok(M, N, ldc, &status))
        return status;
    return SYSTOLE_REF_OK;
}

/* One output element, arguments already checked. */
static int32_t ref_dot(size_t m, size_t n, size_t K,
                       const int8_t *A, size_t lda, int transA,
                       const int8_t *B, size_t ldb, int transB, int32_t a_zp)
{
    uint32_t acc = 0;
    size_t k;

    for (k = 0; k < K; k++) {
        int32_t a = transA ? A[k * lda + m] : A[m * lda + k];
        int32_t b = transB ? B[n * ldb + k] : B[k * ldb + n];
        /* |a - a_zp| <= 255 and |b| <= 128: the product fits in int32. */
        acc += (uint32_t)((a - a_zp) * b);
    }
    return ref_wrap_i32(acc);
}

int systole_ref_matmul_i32(size_t M, size_t N, size_t K,
                           const int8_t *A, size_t lda, int transA,
                           const int8_t *B, size_t ldb, int transB,
                           int32_t a_zp, int32_t *C, size_t ldc)
{
    size_t m, n;
    int status = ref_matmul_check(M, N, K, A, lda, transA, B, ldb, transB,
                                  a_zp, C, ldc);

    if (status != SYSTOLE_REF_OK)
        return status;
    for (m = 0; m < M; m++)
        for (n = 0; n < N; n++)
            C[m * ldc + n] = ref_dot(m, n, K, A, lda, transA, B, ldb, transB,
                                     a_zp);
    return SYSTOLE_REF_OK;
}

int systole_ref_matmul_i8(size_t M, size_t N, size_t K,
                          const int8_t *A, size_t lda, int transA,
                          const int8_t *B, size_t ldb, int transB,
                          int32_t a_zp, const int32_t *bias,
                          const int32_t *mult, const int32_t *shift,
                          int32_t out_zp, int32_t act_min, int32_t act_max,
                          int8_t *C, size_t ldc)
{
    size_t m, n;
    int status = ref_matmul_check(M, N, K, A, lda, transA, B, ldb, transB,
                                  a_zp, C, ldc);

    if (status != SYSTOLE_REF_OK)
        return status;
    if (mult == NULL || shift == NULL || !ref_is_i8(out_zp) ||
        !ref_act_ok(act_min, act_max))
        return SYSTOLE_REF_EINVAL;
    for (m = 0; m < M; m++) {
        for (n = 0; n < N; n++) {
            int32_t acc = ref_dot(m, n, K, A, lda, transA, B, ldb, transB,
                                  a_zp);
            C[m * ldc + n] = systole_ref_requant(acc, bias ? bias[n] : 0,
                                                 mult[n], ref_shift_arg(shift[n]),
                                                 out_zp, act_min, act_max);
        }
    }
    return SYSTOLE_REF_OK;
}
