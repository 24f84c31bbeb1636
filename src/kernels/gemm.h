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
#include <stdint.h>

typedef enum le_act {
    LE_ACT_NONE = 0,
    LE_ACT_GELU_ERF,  /* 0.5·x·(1 + erf(x/√2)) */
    LE_ACT_GELU_TANH, /* 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) */
    LE_ACT_SILU,
    LE_ACT_RELU,
    /* GELU_ERF through a rational erf of absolute error < 1e-6 (kernels/vmath.inc):
     * what the int8 path uses for rows it rounds to int8 right after */
    LE_ACT_GELU_ERF_FAST
} le_act;

typedef enum le_gemm_dtype {
    LE_GEMM_F32 = 0,  /* fp32 weights and arithmetic */
    LE_GEMM_BF16 = 1, /* bf16 weights and activations, fp32 accumulation */
    LE_GEMM_INT8 = 2  /* int8 weights (per output channel) and activations (per row), int32 sums */
} le_gemm_dtype;

/* Who runs the products: longembed's own kernels or oneDNN (gemm_dnnl.h).
 * AUTO: LONGEMBED_GEMM_BACKEND=own|dnnl if set, else the rule of
 * le_gemm_pack_with. */
typedef enum le_gemm_backend {
    LE_GEMM_AUTO = 0,
    LE_GEMM_OWN = 1,
    LE_GEMM_DNNL = 2
} le_gemm_backend;

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
/* Packs W for a backend. AUTO picks, per number format (measured, see
 * docs/speed.md): fp32 → own; bf16 → oneDNN where the CPU has AMX-BF16,
 * else own (equal speed on AVX512_BF16), else oneDNN; int8 → oneDNN (VNNI
 * or AMX-INT8 kernels), or the own scalar twin when isa is LE_ISA_SCALAR.
 *
 * int8: W[n] ≈ s_n·q[n] with s_n = max|W[n]|/127; each row of A likewise
 * with its own scale, rounded at run time (gemm_quant.h); the int32 sums are
 * exact, so results are bitwise the same on every backend, blocking and
 * thread count, and the own scalar twin is the oracle for oneDNN's. */
le_status le_gemm_pack_with(le_gemm_backend be, le_isa isa, le_gemm_dtype dtype, const float *w,
                            int n, int k, le_gemm_weight **out, le_error *err);
/* 1 when le_gemm_pack_as(isa, dtype, …) can succeed on this CPU. */
int le_gemm_supported(le_isa isa, le_gemm_dtype dtype);
/* The backend AUTO resolves to for (isa, dtype) here, or LE_GEMM_AUTO when
 * none can run it. */
le_gemm_backend le_gemm_auto_backend(le_isa isa, le_gemm_dtype dtype);
le_gemm_backend le_gemm_weight_backend(const le_gemm_weight *w);
const char *le_gemm_backend_name(le_gemm_backend be);
const char *le_gemm_dtype_name(le_gemm_dtype dt);
/* What oneDNN offers here: "oneDNN 2.6.3 (avx512_core_amx)", or why not. */
const char *le_gemm_backend_describe(void);
void le_gemm_weight_free(le_gemm_weight *w);
int le_gemm_weight_n(const le_gemm_weight *w);
int le_gemm_weight_k(const le_gemm_weight *w);
size_t le_gemm_weight_bytes(const le_gemm_weight *w);
le_gemm_dtype le_gemm_weight_dtype(const le_gemm_weight *w);
le_isa le_gemm_weight_isa(const le_gemm_weight *w);

/* Rows already rounded to int8 the way the int8 path rounds A (gemm_quant.h:
 * one scale per row): row r is q[r·K .. r·K + K) with scale[r]. One product
 * writes them (le_gemm_epilogue.qout) and the next reads them (le_gemm_q),
 * so the rows between two int8 products never exist in fp32 in memory. */
typedef struct le_gemm_qrows {
    int8_t *q;
    float *scale;
} le_gemm_qrows;

/* A LayerNorm over each finished row of C (le_layernorm's, kernels/ops.h). */
typedef struct le_gemm_norm {
    const float *gamma, *beta;
    float eps;
} le_gemm_norm;

typedef struct le_gemm_epilogue {
    const float *bias; /* [N] or NULL */
    le_act act;        /* applied after the bias */
    int accumulate;    /* 1: C += result (a residual add), 0: C = result */
    /* then each row of C normalized in place, bitwise le_layernorm on kc's ISA
     * (int8 weights: while the row is in L1), or NULL */
    const le_gemm_norm *norm;
    /* the finished rows (after norm) also rounded to int8 into qout (row m at
     * qout->q + m·N), bitwise what le_gemm's own rounding of them as A would
     * give; C may then be NULL (the fp32 rows are not kept) for int8 weights. */
    const le_gemm_qrows *qout;
} le_gemm_epilogue;

/* C[m][0..N) (row stride ldc) = epilogue(A[m][0..K) (row stride lda) · Wᵀ),
 * m in [0, M). ep may be NULL (no bias, no activation, overwrite).
 * Runs the kernels W was packed for (kc->isa is not consulted), in parallel
 * over blocks of C on kc->pool. C must not overlap A.
 * Scratch is per thread and kept between calls (kernels/kscratch.h). */
void le_gemm(const le_kctx *kc, const float *a, size_t lda, size_t m, const le_gemm_weight *w,
             const le_gemm_epilogue *ep, float *c, size_t ldc);

/* le_gemm with A given as int8 rows (le_gemm_qrows, row stride K): the
 * same numbers as le_gemm on the fp32 rows they were rounded from. W must
 * hold int8 weights (le_gemm_weight_dtype); rows become NaN otherwise. */
void le_gemm_q(const le_kctx *kc, const le_gemm_qrows *a, size_t m, const le_gemm_weight *w,
               const le_gemm_epilogue *ep, float *c, size_t ldc);

/* The plain triple loop, for tests: same contract, W unpacked [N][K]; sums
 * and the epilogue in double precision (the exact answer, rounded once). */
void le_gemm_reference(const float *a, size_t lda, size_t m, const float *w, int n, int k,
                       const le_gemm_epilogue *ep, float *c, size_t ldc);

/* Rounds to bf16 (nearest even; NaN stays NaN) and back, as the bf16 path
 * rounds its inputs: for error estimates. */
float le_bf16_round(float x);

#endif
