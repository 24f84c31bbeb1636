/* Matrix products behind one interface: C = A · Wᵀ (+ bias) (→ activation)
 * (+= C), where W is a weight in PyTorch Linear layout [N out][K in], packed
 * once at load for the ISA that will run it.
 *
 * Determinism: every element of C is computed by the same sequence of
 * operations whatever M, the row's position in A, the thread count or the
 * blocking: results are bitwise identical across batch compositions and
 * thread counts (for one ISA). */
#ifndef LE_KERNELS_GEMM_H
#define LE_KERNELS_GEMM_H

#include <stddef.h>

#include "base/error.h"
#include "kernels/kctx.h"

typedef enum le_act {
    LE_ACT_NONE = 0,
    LE_ACT_GELU_ERF,  /* 0.5·x·(1 + erf(x/√2)) */
    LE_ACT_GELU_TANH, /* 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) */
    LE_ACT_SILU,
    LE_ACT_RELU
} le_act;

typedef struct le_gemm_weight le_gemm_weight;

/* Packs W ([N][K] row-major f32) for isa. The source may be freed afterwards. */
le_status le_gemm_pack(le_isa isa, const float *w, int n, int k, le_gemm_weight **out,
                       le_error *err);
void le_gemm_weight_free(le_gemm_weight *w);
int le_gemm_weight_n(const le_gemm_weight *w);
int le_gemm_weight_k(const le_gemm_weight *w);
size_t le_gemm_weight_bytes(const le_gemm_weight *w);

typedef struct le_gemm_epilogue {
    const float *bias; /* [N] or NULL */
    le_act act;        /* applied after the bias */
    int accumulate;    /* 1: C += result (a residual add), 0: C = result */
} le_gemm_epilogue;

/* C[m][0..N) (row stride ldc) = epilogue(A[m][0..K) (row stride lda) · Wᵀ),
 * m in [0, M). ep may be NULL (no bias, no activation, overwrite). */
void le_gemm(const le_kctx *kc, const float *a, size_t lda, size_t m, const le_gemm_weight *w,
             const le_gemm_epilogue *ep, float *c, size_t ldc);

/* The plain triple loop, for tests: same contract, W unpacked [N][K]. */
void le_gemm_reference(const float *a, size_t lda, size_t m, const float *w, int n, int k,
                       const le_gemm_epilogue *ep, float *c, size_t ldc);

#endif
