/* Row-wise operations of the forward pass. Each has a scalar path and SIMD
 * paths chosen by kc->isa (all three from one template, ops_simd.inc); rows
 * run in parallel on kc->pool. In-place use (out == x) is allowed unless
 * said otherwise. Activations are the ones of the GEMM epilogue
 * (kernels/vmath.inc: PyTorch's formulas, bitwise equal across ISAs). */
#ifndef LE_KERNELS_OPS_H
#define LE_KERNELS_OPS_H

#include "kernels/gemm.h"
#include "kernels/kctx.h"

#include <stddef.h>

/* out[r] = LayerNorm(x[r]) · gamma + beta over dim, with eps; r in [0, rows).
 * x, out: [rows][dim] with row strides ldx, ldo; gamma, beta: [dim] (either
 * may be NULL: 1 and 0). The variance is the biased one about the mean, as
 * torch.nn.LayerNorm. */
void le_layernorm(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                  const float *gamma, const float *beta, float eps, float *out, size_t ldo);
/* le_layernorm that also rounds each finished row to int8 into q (row r at
 * q->q + r·dim, gemm.h), for int8 products to read with le_gemm_q: the same
 * int8 rows le_gemm would make of out, without reading out again. */
void le_layernorm_q(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                    const float *gamma, const float *beta, float eps, float *out, size_t ldo,
                    const le_gemm_qrows *q);

/* One row of le_layernorm with the kernels of isa (the same bits). */
void le_layernorm_row(le_isa isa, const float *x, int dim, const float *gamma, const float *beta,
                      float eps, float *out);

/* RMSNorm: out = x / sqrt(mean(x²) + eps) · gamma (gamma may be NULL). */
void le_rmsnorm(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                const float *gamma, float eps, float *out, size_t ldo);

/* Applies act to n contiguous floats in place. */
void le_activate(const le_kctx *kc, float *x, size_t n, le_act act);

/* Gated units: out[r][i] = act(gate[r][i]) · up[r][i], i < dim (SwiGLU with
 * SILU, GEGLU with GELU). out may be gate or up. */
void le_gated_act(const le_kctx *kc, const float *gate, size_t ldg, const float *up, size_t ldu,
                  size_t rows, int dim, le_act act, float *out, size_t ldo);

/* Scales x[0..dim) to unit L2 norm (sum in double; a zero vector stays zero). */
void le_l2_normalize(float *x, int dim);

/* Rotary position embedding in place on n tokens × n_heads heads of
 * head_dim (even), x[t*ld + h*head_dim + d]. Token t is rotated by the
 * angles pos[t]·inv_freq[j], j < head_dim/2, computed in double precision;
 * cos and sin are taken in double and rounded to float (the float64 cos/sin
 * cache of transformers' E5-RoPE / LLaMA-style rotary classes), then
 *   x1' = x1·cos − x2·sin,  x2' = x2·cos + x1·sin
 * with each product rounded, which is bitwise PyTorch's
 * q·cos + rotate_half(q)·sin in float32.
 * rotate_half: pairs (j, j + head_dim/2) (GPT-NeoX / LLaMA / BERT-RoPE);
 * otherwise pairs (2j, 2j+1) (GPT-J style). For a model whose inv_freq is a
 * float32 buffer, pass those float values widened to double. */
void le_rope(const le_kctx *kc, float *x, size_t ld, size_t n, int n_heads, int head_dim,
             const double *pos, const double *inv_freq, int rotate_half);

/* The cos/sin tables of le_rope: cos_out[t][j], sin_out[t][j] ([n][half]),
 * j < half = head_dim/2, so that one forward pass computes them once for all
 * layers and for both q and k. */
void le_rope_table(const double *pos, size_t n, const double *inv_freq, int half, float *cos_out,
                   float *sin_out);

/* le_rope with tables from le_rope_table: bitwise the same result. */
void le_rope_apply(const le_kctx *kc, float *x, size_t ld, size_t n, int n_heads, int head_dim,
                   const float *cos_table, const float *sin_table, int rotate_half);

#endif
