/* Row-wise operations of the forward pass. Each has a scalar path and SIMD
 * paths chosen by kc->isa; rows run in parallel on kc->pool. In-place use
 * (out == x) is allowed unless said otherwise. */
#ifndef LE_KERNELS_OPS_H
#define LE_KERNELS_OPS_H

#include <stddef.h>

#include "kernels/gemm.h"
#include "kernels/kctx.h"

/* out[r] = LayerNorm(x[r]) · gamma + beta over dim, with eps; r in [0, rows). */
void le_layernorm(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                  const float *gamma, const float *beta, float eps, float *out, size_t ldo);

/* RMSNorm: out = x / sqrt(mean(x²) + eps) · gamma. */
void le_rmsnorm(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                const float *gamma, float eps, float *out, size_t ldo);

/* Applies act to n contiguous floats in place. */
void le_activate(const le_kctx *kc, float *x, size_t n, le_act act);

/* Gated units: out[r][i] = act(gate[r][i]) · up[r][i], i < dim (SwiGLU with
 * SILU, GEGLU with GELU). */
void le_gated_act(const le_kctx *kc, const float *gate, size_t ldg, const float *up, size_t ldu,
                  size_t rows, int dim, le_act act, float *out, size_t ldo);

/* Scales x to unit L2 norm (a zero vector stays zero). */
void le_l2_normalize(float *x, int dim);

/* Rotary position embedding in place on n tokens × n_heads heads of
 * head_dim (even), x[t*ld + h*head_dim + d]. Token t is rotated by the
 * angles pos[t]·inv_freq[j], j < head_dim/2, computed in double precision.
 * rotate_half: pairs (j, j + head_dim/2) (GPT-NeoX / LLaMA / BERT-RoPE);
 * otherwise pairs (2j, 2j+1) (GPT-J style). */
void le_rope(const le_kctx *kc, float *x, size_t ld, size_t n, int n_heads, int head_dim,
             const double *pos, const double *inv_freq, int rotate_half);

#endif
