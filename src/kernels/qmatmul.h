/* Matrix products on ggml-quantized weights used as stored (a mapped GGUF):
 * y = x · Wᵀ with W n rows (output channels) of k weights in one ggml type.
 * No dequantization at load: le_qmat is a view of the stored blocks.
 *
 * Weight types (ggml ids, the values of model/quant.h's LE_GGML_*; kernels/
 * may not include model/, tests check the two agree):
 *   F32 (0), F16 (1), BF16 (30): fp32 activations, fp32 products.
 *   Q8_0 (8), Q4_0 (2), Q4_1 (3): 32-weight blocks; each activation row is
 *   quantized per 32-block as ggml does — d = amax/127, q = rint(x/d) (x·(1/d),
 *   nearest even) — with d kept in fp32; for Q4_1 weights also s = d·Σq
 *   (ggml's Q8_1), so the block minimum m contributes m·s. Block products are
 *   exact int32 sums. With f32_act set they take the float types' path
 *   instead, on weights dequantized as le_qmat_row_f32 gives them.
 *
 * The order of operations (one definition for every ISA, see qdot.h): each
 * output is accumulated in 16 fp32 lanes over pairs of blocks (16 weights per
 * step for the float types), lane L of a pair summing 4 weights' exact
 * integer products, acc[L] = fma(p, dw·dx, acc[L]) (+ fma(m, s, ·) for
 * Q4_1), then the lanes are added in a fixed tree. So every y element is
 * computed by the same operations whatever m, its row, the thread count or
 * the ISA: results are bitwise equal across all of them.
 *
 * Error against le_qmatmul_reference (exact sums of the stored weights with
 * unquantized x): the activation rounding, |Δx| ≤ d/2 per element, so at most
 * Σ_blocks (d_b/2)·Σ|w| per output, plus fp32 rounding (~1e-6 of Σ|x·w|);
 * tests/kernels/test_qmatmul.c holds it to that bound. */
#ifndef LE_KERNELS_QMATMUL_H
#define LE_KERNELS_QMATMUL_H

#include "base/error.h"
#include "kernels/kctx.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_qmat { /* a view: W is n rows (output channels) of k weights, ggml type */
    uint32_t type;       /* LE_GGML_F32, F16, BF16, Q8_0, Q4_0, Q4_1 (more later) */
    int n, k;
    const void *data; /* not owned (the mapped GGUF); any alignment */
    size_t row_bytes;
    int f32_act; /* 0 (le_qmat_init): ggml's quantized activations; 1: activations
                  * stay fp32 and block weights are dequantized on the fly (the
                  * float types' path: slower, no activation rounding) */
} le_qmat;

/* Checks the type is supported and k a multiple of its block; fills out.
 * LE_ERR_UNSUPPORTED for another type, LE_ERR_ARG for a bad shape. */
le_status le_qmat_init(le_qmat *out, uint32_t type, const void *data, int n, int k, le_error *err);

/* 1 when le_qmat_init accepts this type. */
int le_qmat_type_supported(uint32_t type);

/* y[i*ldy + j] (=|+=) Σ_k x[i*ldx + k]·W[j][k], i < m, j < n; accumulate 1 adds to y (residual).
 * Activations are quantized per block as ggml does (Q8_0 for Q8_0/Q4_0 weights, Q8_1 for Q4_1).
 * Parallel on kc->pool; results bitwise the same for any thread count and any m.
 * Runs the fastest kernels kc->isa allows on this CPU (all give the same bits).
 * Uses the calling thread's kernel scratch (kscratch.h): x and y must not
 * live in it. y must not overlap x. Out of memory: the outputs are NaN. */
void le_qmatmul(const le_kctx *kc, const le_qmat *w, const float *x, size_t ldx, size_t m, float *y,
                size_t ldy, int accumulate);

/* Several products of the same x (Q, K and V; gate and up): y[i] = x · w[i]ᵀ as
 * le_qmatmul gives it (the same bits), with the activations quantized once
 * for consecutive matrices that read them alike (same k and layout) and one
 * pool run for up to 4 of them, which saves the thread wake-ups of a decode
 * step. n = 0 matrices are skipped. */
void le_qmatmul_many(const le_kctx *kc, const le_qmat *const *w, size_t count, const float *x,
                     size_t ldx, size_t m, float *const *y, const size_t *ldy, int accumulate);

/* Row r of W as floats (token embedding lookup): the stored weights exactly
 * (d·q, d·(q−8), d·q + m rounded once to fp32). */
void le_qmat_row_f32(const le_qmat *w, int r, float *dst);

/* Reference for parity: activations NOT quantized, weights dequantized, sums in double. */
void le_qmatmul_reference(const le_qmat *w, const float *x, size_t ldx, size_t m, float *y,
                          size_t ldy);

/* The kernel family le_qmatmul runs for (isa, type) here: "scalar", "avx2",
 * "avx512vnni" (for benchmarks and tests). */
const char *le_qmat_kernel_name(le_isa isa, uint32_t type);

#endif
