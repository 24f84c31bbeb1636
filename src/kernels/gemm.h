/* Matrix products behind one interface: C = A · Wᵀ (+ bias) (→ activation)
 * (+= C), where W is a weight in PyTorch Linear layout [N out][K in], packed
 * once at load for the ISA (and number format) that will run it.
 *
 * Determinism: every element of C is computed by the same sequence of
 * operations whatever M, the row's position in A, the thread count or the
 * blocking: results are bitwise identical across batch compositions and
 * thread counts (for one ISA).
 *
 * fp32 (the default and the reference): C[m][n] is the chain
 *   acc = +0; for k = 0..K-1: acc = fma(A[m][k], W[n][k], acc)
 * then acc + bias[n], then the activation (kernels/vmath.inc, one algorithm
 * for all ISAs), then C_old + that when accumulating. The scalar path uses
 * fmaf in the same order, so fp32 results are bitwise the same on scalar,
 * AVX2 and AVX-512 too.
 *
 * bf16 (CPUs with AVX512_BF16): W is stored as bf16, A is rounded to bf16
 * (nearest even) while it is packed, products accumulate in fp32 by
 * vdpbf16ps over k pairs (2j, 2j+1); the epilogue is the fp32 one. Error
 * against fp32 is that of rounding both inputs to 8 significant bits:
 * ~2^-8 of Σ|a·w| (see bench_gemm and test_gemm for measured bounds).
 *
 * Backends: a packed weight remembers the kernel family it was packed for
 * (ISA × format); le_gemm runs that family. A later AMX bf16 family plugs in
 * as another le_gemm_kernels table (its own packing into tiles, micro-kernel
 * and blocking sizes) behind the same three calls. */
#ifndef LE_KERNELS_GEMM_H
#define LE_KERNELS_GEMM_H

#include "base/error.h"
#include "kernels/kctx.h"

#include <stddef.h>

typedef enum le_act {
    LE_ACT_NONE = 0,
    LE_ACT_GELU_ERF,  /* 0.5·x·(1 + erf(x/√2)) */
    LE_ACT_GELU_TANH, /* 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) */
    LE_ACT_SILU,
    LE_ACT_RELU
} le_act;

typedef enum le_gemm_dtype {
    LE_GEMM_F32 = 0, /* fp32 weights and arithmetic */
    LE_GEMM_BF16 = 1 /* bf16 weights and activations, fp32 accumulation */
} le_gemm_dtype;

typedef struct le_gemm_weight le_gemm_weight;

/* Packs W ([N][K] row-major f32) for isa. The source may be freed afterwards.
 * LE_ERR_UNSUPPORTED when the CPU lacks isa. */
le_status le_gemm_pack(le_isa isa, const float *w, int n, int k, le_gemm_weight **out,
                       le_error *err);
/* Packs W for isa in the given number format. bf16 runs on LE_ISA_AVX512 when
 * the CPU has AVX512_BF16, and on LE_ISA_SCALAR (a slow twin for tests,
 * bitwise equal to the AVX-512 kernel); LE_ERR_UNSUPPORTED otherwise. */
le_status le_gemm_pack_as(le_isa isa, le_gemm_dtype dtype, const float *w, int n, int k,
                          le_gemm_weight **out, le_error *err);
/* 1 when le_gemm_pack_as(isa, dtype, …) can succeed on this CPU. */
int le_gemm_supported(le_isa isa, le_gemm_dtype dtype);
void le_gemm_weight_free(le_gemm_weight *w);
int le_gemm_weight_n(const le_gemm_weight *w);
int le_gemm_weight_k(const le_gemm_weight *w);
size_t le_gemm_weight_bytes(const le_gemm_weight *w);
le_gemm_dtype le_gemm_weight_dtype(const le_gemm_weight *w);
le_isa le_gemm_weight_isa(const le_gemm_weight *w);

typedef struct le_gemm_epilogue {
    const float *bias; /* [N] or NULL */
    le_act act;        /* applied after the bias */
    int accumulate;    /* 1: C += result (a residual add), 0: C = result */
} le_gemm_epilogue;

/* C[m][0..N) (row stride ldc) = epilogue(A[m][0..K) (row stride lda) · Wᵀ),
 * m in [0, M). ep may be NULL (no bias, no activation, overwrite).
 * Runs the kernels W was packed for (kc->isa is not consulted), in parallel
 * over blocks of C on kc->pool. C must not overlap A.
 * Scratch is per thread and kept between calls (kernels/kscratch.h). */
void le_gemm(const le_kctx *kc, const float *a, size_t lda, size_t m, const le_gemm_weight *w,
             const le_gemm_epilogue *ep, float *c, size_t ldc);

/* The plain triple loop, for tests: same contract, W unpacked [N][K]; sums
 * and the epilogue in double precision (the exact answer, rounded once). */
void le_gemm_reference(const float *a, size_t lda, size_t m, const float *w, int n, int k,
                       const le_gemm_epilogue *ep, float *c, size_t ldc);

/* Rounds to bf16 (nearest even; NaN stays NaN) and back, as the bf16 path
 * rounds its inputs: for error estimates. */
float le_bf16_round(float x);

#endif
