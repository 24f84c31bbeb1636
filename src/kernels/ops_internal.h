/* Per-ISA row kernels behind ops.c (which splits rows over the pool). */
#ifndef LE_KERNELS_OPS_INTERNAL_H
#define LE_KERNELS_OPS_INTERNAL_H

#include "kernels/gemm.h"

#include <stddef.h>

typedef struct le_ops_kernels {
    /* out[0..dim) = (x − mean)·rstd·gamma + beta (beta may be NULL) */
    void (*layernorm_row)(const float *x, int dim, const float *gamma, const float *beta, float eps,
                          float *out);
    /* out[0..dim) = x·rstd·gamma (gamma may be NULL) */
    void (*rmsnorm_row)(const float *x, int dim, const float *gamma, float eps, float *out);
    /* x[0..n) = act(x) */
    void (*activate)(float *x, size_t n, le_act act);
    /* out[0..dim) = act(gate)·up */
    void (*gated_row)(const float *gate, const float *up, int dim, le_act act, float *out);
    /* one token: every head of x (n_heads × head_dim) rotated by cos/sin [head_dim/2] */
    void (*rope_row)(float *x, int n_heads, int head_dim, const float *cos, const float *sin,
                     int rotate_half);
} le_ops_kernels;

extern const le_ops_kernels le_ops_scalar, le_ops_avx2, le_ops_avx512;

#endif
