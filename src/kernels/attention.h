/* Scaled dot-product attention for one sequence, tiled with an online
 * softmax (flash-attention style): memory is a few tiles per thread, never
 * an n×n matrix. Heads and query tiles run in parallel on the pool.
 *
 * Layout: token t, head h, dim d of Q is q[t*q_stride + h*head_dim + d]; K
 * and V likewise with the kv head h / (n_heads / n_kv_heads) (grouped-query
 * attention when n_kv_heads < n_heads). Output like Q, for n_heads heads.
 *
 * Score for query i and key j (before the softmax over j):
 *   s = scale · (q_i · k_j)                           plain
 *   s -= alibi_slopes[h] · |i' − j|                    ALiBi (i' = i + q_offset)
 *   key j > i' is masked                               causal
 *   SelfExtend (se_window w > 0), bidirectional:
 *     |i' − j| <  w : scale · (q_i · k_j)              neighbour positions
 *     i' − j  >= w  : scale · (q_lo_i · k_g_j)         grouped, key to the left
 *     j − i'  >= w  : scale · (q_up_i · k_g_j)         grouped, key to the right
 *   q_lo, q_up and k_g are the caller's copies rotated with the grouped
 *   positions; they share the strides of q and k.
 * RoPE inside the kernel (rope != NULL): q and k are given without rotary
 * embedding and every tile is rotated as it is loaded, so SelfExtend needs
 * no second copy of q or k. R(p)x rotates x by the angles of table row p;
 * query i sits at i' = i + q_offset, key j at j:
 *   plain                 : scale · (R(i')q_i · R(j)k_j)
 *   SelfExtend (w, g), sh = w − ⌊w/g⌋:
 *     |i' − j| <  w       : scale · (R(i')q_i · R(j)k_j)
 *     i' − j  >= w        : scale · (R(⌊i'/g⌋ + sh)q_i · R(⌊j/g⌋)k_j)
 *     j − i'  >= w        : scale · (R(⌊i'/g⌋)q_i · R(⌊j/g⌋ + sh)k_j)
 *   (the LongEmbed reference's shifts: on the query for keys to the left,
 *   on the key for keys to the right). q_lo, q_up and k_g are then unused.
 * q_offset places query i at position i + q_offset among the keys (a decoder
 * continuing after a cache); 0 for encoders.
 *
 * n_heads must be a multiple of n_kv_heads. scale carries any length
 * scaling (e.g. the log-length factor). The options compose: SelfExtend with
 * causal masks keys to the right as usual, ALiBi uses the true distance
 * |i' − j|. A query whose keys are all masked gets a zero output row.
 * Columns of out past n_heads·head_dim in each row are not touched.
 *
 * Numerics: fp32 scores and accumulation, the online softmax rescales with
 * exp of the running-max change (kernels/vmath.inc exp, ≤ 1 ulp); against
 * the double-precision reference the error is ~1e-6 on unit-scale inputs
 * (tests/kernels/test_attention.c holds it to 1e-5). With bf16 set (and
 * le_attention_bf16_runs) q, k, v and the softmax weights are rounded to bf16
 * before the two products: ~3e-3 on unit-scale inputs, held to 1e-2. */
#ifndef LE_KERNELS_ATTENTION_H
#define LE_KERNELS_ATTENTION_H

#include <stddef.h>

#include "kernels/kctx.h"

/* Rotary tables for in-kernel RoPE. The rotation of one pair (x1, x2) is
 *   x1' = x1·cos − x2·sin,  x2' = x2·cos + x1·sin
 * each product rounded (as le_rope_apply, so bitwise the same vectors). */
typedef struct le_attn_rope {
    const float *cos, *sin; /* [rows][head_dim / 2]: row p holds the angles of position p */
    int rows;
    int rotate_half; /* 1: pairs (j, j + head_dim/2); 0: pairs (2j, 2j+1) */
    int se_group;    /* SelfExtend group size g >= 1 (used when se_window > 0) */
} le_attn_rope;

typedef struct le_attn_args {
    int n_q, n_kv;
    int n_heads, n_kv_heads, head_dim;
    const float *q;
    size_t q_stride;
    const float *k;
    size_t k_stride;
    const float *v;
    size_t v_stride;
    float *out;
    size_t out_stride;
    float scale;
    int causal;
    int q_offset;
    const float *alibi_slopes; /* [n_heads] or NULL */
    int se_window;             /* 0: SelfExtend off */
    const float *q_lo, *q_up, *k_g;
    const le_attn_rope *rope; /* NULL: q and k come rotated (or need no rotation) */
    int bf16; /* 1: bf16 products (fp32 softmax and accumulation) where
               * le_attention_bf16_runs, else the fp32 kernels */
} le_attn_args;

/* Runs on kc->isa's tile kernels, one task per (head, tile of 128 queries)
 * on kc->pool; a call with one query (a decoder step, without SelfExtend,
 * in-kernel RoPE, ALiBi or bf16) one task per kv head, with the same bits
 * (attention_decode.c). Scratch: a few tiles per thread (~0.4 MiB at head_dim 64),
 * allocated once per call. Returns 0, or -1 when out of memory for it or
 * when a rope table has fewer rows than the positions need (see
 * le_attn_rope_rows). */
int le_attention(const le_kctx *kc, const le_attn_args *a);

/* Whether bf16 attention runs for this ISA and head size on this CPU:
 * AVX512_BF16 with the avx512 kernels and head_dim a multiple of 32, ≤ 256.
 * Error: inputs rounded to bf16 (relative 2^-9 per value), so outputs are
 * within ~1e-2·max|v| of the fp32 kernels' (test_attention holds the bound). */
int le_attention_bf16_runs(le_isa isa, int head_dim);

/* The table rows in-kernel RoPE reads for n_q queries after q_offset and
 * n_kv keys, with SelfExtend window w (0: off) and group g. */
int le_attn_rope_rows(int n_q, int q_offset, int n_kv, int se_window, int se_group);

/* Builds the full score matrix row by row in double precision: the test
 * reference. O(n_kv) memory per row. */
void le_attention_reference(const le_attn_args *a);

#endif
