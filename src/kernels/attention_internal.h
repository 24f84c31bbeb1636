/* Per-ISA tile kernels behind attention.c's driver. Score tiles are stored
 * key-major, st[j][i] (key j, query lane i of the tile's LE_ATTN_BQ), so the
 * softmax runs down the keys with the queries in SIMD lanes. */
#ifndef LE_KERNELS_ATTENTION_INTERNAL_H
#define LE_KERNELS_ATTENTION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { LE_ATTN_BQ = 128 }; /* queries per tile, all ISAs */

/* The query lanes a tile of nq queries packs and resets (zeros past nq): no
 * kernel reads a lane at or above nq rounded up to 64, so a decoder step
 * (one query) touches 64 lanes, not BQ. */
static inline int le_attn_live_lanes(int nq) {
    const int r = (nq + 63) / 64 * 64;
    return r < LE_ATTN_BQ ? r : LE_ATTN_BQ;
}

/* What the softmax step needs to turn raw scores into final ones. */
typedef struct le_attn_tile {
    const float *s_near; /* [nk][BQ] q·k (all keys without SelfExtend), or NULL */
    const float *s_lo;   /* [nk][BQ] q_lo·k_g (SelfExtend, keys to the left), or NULL */
    const float *s_up;   /* [nk][BQ] q_up·k_g (SelfExtend, keys to the right), or NULL */
    const float *s_max;  /* [BQ] the maximum of s_near per lane over the tile's keys, or NULL
                          * (left by scores_packed) */
    float *p;            /* [nk][BQ] out: exp(s − m) (may alias an input); the bf16
                          * kernels leave [ceil(nk/2)][BQ] bf16 pairs of keys */
    int nk;              /* keys in the tile */
    float scale;
    float slope; /* ALiBi slope, 0: none */
    int causal;  /* mask keys with dist < 0 */
    int window;  /* SelfExtend neighbour window, 0: off */
    int dist0;   /* i' − j of lane 0 and key 0 of the tile */
    int nq;      /* query lanes in use: lanes from nq rounded up to the kernel's vector on
                  * are neither computed nor read (a decoder step has one query) */
} le_attn_tile;

typedef struct le_attn_kernels {
    int bk;   /* keys per tile */
    int bf16; /* 0: qt is fp32 [d][BQ]; 1: qt is bf16 pairs [d/2][BQ] (le_attn_pack_bf16) and
               * both products round their inputs to bf16 (fp32 accumulation) */
    /* st[j][i] = Σ_d qt[d][i]·k[j·ks + d], j < nk, i < nq rounded up to the kernel's lane
     * group (≤ BQ; each lane's sum the same whatever nq); qt is [d][BQ] (see bf16) */
    void (*scores)(const float *qt, int d, const float *k, size_t ks, int nk, int nq, float *st);
    /* final scores, then the online-softmax step: m, l, alpha are [BQ] */
    void (*softmax)(const le_attn_tile *t, float *m, float *l, float *alpha);
    /* o[i][0..d) = o[i]·alpha[i] + Σ_j p[j][i]·v[j·vs + 0..d), i < nq; o is [BQ][d];
     * vcopy: [bk][d] scratch; p as the softmax left it (bf16 kernels: see bf16) */
    void (*pv)(const float *p, int nk, const float *v, size_t vs, int d, float *o,
               const float *alpha, int nq, float *vcopy);
    /* in-kernel RoPE: y[r·ys + 0..d) = x[r·xs + 0..d) rotated by the angles of
     * table row rows[r] (cos, sin: [rows][d/2]), r < n; the same bits on every ISA */
    void (*rope)(const float *x, size_t xs, float *y, size_t ys, int n, int d, const float *cos,
                 const float *sin, const int *rows, int rotate_half);
    /* qt (the layout scores reads) from nq rows of q (stride qs ≤ INT32_MAX / BQ), lanes
     * past nq zero; NULL: the driver's scalar fp32 packing (always set with bf16, whose
     * stride is not limited) */
    void (*pack_q)(const float *q, size_t qs, int nq, int d, float *qt);
    /* bf16 kernels only (NULL otherwise; their pv is NULL too): the driver
     * converts each kv head's keys and values once per call, then
     * kp [n][d/2] words (k[2t], k[2t+1]) and vp [ceil(n/2)][d] words
     * (v[2t][c], v[2t+1][c]); p is the softmax's pairs layout */
    void (*pack_k)(const float *k, size_t ks, int nk, int d, uint32_t *kp);
    void (*pack_v)(const float *v, size_t vs, int nk, int d, uint32_t *vp);
    void (*scores_packed)(const float *qt, int d, const uint32_t *kp, int nk, int nq, float *st,
                          float *st_max); /* st_max: [BQ] each lane's max over keys */
    void (*pv_packed)(const float *p, int nk, const uint32_t *vp, int d, float *o,
                      const float *alpha, int nq);
    /* fp32 kernels (NULL in the bf16 table): one decoder step's key tile for
     * the query heads of one kv head, the same bits as the tiles
     * (attention_simd.inc, attention_decode.c); kt [d][BQ], s [rows][BQ] */
    void (*decode)(const float *q, size_t qs, int rows, int d, const float *k, size_t ks,
                   const float *v, size_t vs, int nk, float scale, float *kt, float *s, float *m,
                   float *l, float *o);
} le_attn_kernels;

/* An output row: the accumulator o[0..d) over the softmax sum l, or zeros
 * when no key was left unmasked (l = 0). */
static inline void le_attn_write_row(float *dst, const float *o, float l, int d) {
    if (l > 0) {
        const float inv = 1.0f / l;
        for (int i = 0; i < d; i++) dst[i] = o[i] * inv;
    } else {
        memset(dst, 0, sizeof(float) * (size_t)d);
    }
}

typedef struct le_attn_args le_attn_args;
typedef struct le_pool le_pool;

/* attention_decode.c: one query (a decoder step) without SelfExtend,
 * in-kernel RoPE, ALiBi or bf16, on k's decode kernel: 1 done, 0 not such
 * a call (the tiles run it), -1 out of memory. */
int le_attention_decode(const le_attn_args *a, const le_attn_kernels *k, le_pool *pool);

extern const le_attn_kernels le_attn_scalar, le_attn_avx2, le_attn_avx512;
/* bf16 products on AVX512_BF16, for head_dim a multiple of 32 (≤ 256) */
extern const le_attn_kernels le_attn_avx512bf16;

#endif
