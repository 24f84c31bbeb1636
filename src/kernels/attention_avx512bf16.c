/* Attention tile kernels with bf16 products on AVX512_BF16 (vdpbf16ps):
 * QKᵀ over pairs of head dims, P·V over pairs of keys, each pair one 32-bit
 * word, fp32 accumulation; the online softmax stays fp32: the shared one,
 * or, for tiles without masks, ALiBi or SelfExtend, softmax_bf16 below
 * (the maximum left by the score kernel, an exp2 accurate to bf16's needs).
 * Inputs are rounded to bf16 as le_f32_to_bf16 does (nearest even).
 *   scores: 6 keys × 64 query lanes (24 zmm accumulators), queries packed as
 *           [d/2][BQ] pairs by the driver; keys converted once per call by
 *           pack_k (or, for keys the driver rotates per tile, per group here);
 *   pv:     6 queries × 64 head dims; the shared softmax leaves p as
 *           [nk/2][BQ] pairs (LE_ATTN_STORE_PAIRS), V converted once per call
 *           by pack_v into [n/2][d] pairs.
 * Needs head_dim % 32 == 0 (attention.c falls back to fp32 otherwise). */
#include "kernels/attention_internal.h"

#include <float.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

/* 16 pairs (lo[i], hi[i]) of bf16 in one vector of 32-bit words: one
 * conversion of both (nearest even), then 16-bit lane 2i ← lo[i], 2i + 1 ← hi[i] */
static inline __m512i pair16(__m512 lo, __m512 hi) {
    const __m512i interleave =
        _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6,
                         21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
}

/* clang-format off */
#include "kernels/vec_avx512.h"
#include "kernels/vmath.inc"
#define LE_ATTN_QV 4
#define LE_ATTN_MRJ 6
#define LE_ATTN_MRI 6
#define LE_ATTN_DV 4
#define LE_ATTN_BF16_PRODUCTS 1
#define LE_ATTN_STORE_PAIRS(dst, lo, hi) _mm512_storeu_si512((dst), pair16((lo), (hi)))
#include "kernels/attention_simd.inc"
/* clang-format on */

enum { MAX_PAIRS = 128 }; /* head_dim ≤ 256 */

/* nk keys of k (stride ks) → kp [nk][d/2] words (k[2t], k[2t+1]), row
 * stride kps words: 32 dims per vcvtne2ps2bf16, whose words come out in order */
static void pack_k(const float *k, size_t ks, int nk, int d, uint32_t *kp, size_t kps) {
    for (int r = 0; r < nk; r++)
        for (int c = 0; c < d; c += 32) {
            const float *src = k + (size_t)r * ks + c;
            __m512bh w = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + 16), _mm512_loadu_ps(src));
            _mm512_storeu_si512(kp + (size_t)r * kps + c / 2, (__m512i)w);
        }
}

static void pack_k_rows(const float *k, size_t ks, int nk, int d, uint32_t *kp) {
    pack_k(k, ks, nk, d, kp, (size_t)d / 2);
}

/* V rows [nk] (stride vs) → vp [ceil(nk/2)][d] words (v[2t][c], v[2t+1][c]) */
static void pack_v(const float *v, size_t vs, int nk, int d, uint32_t *vp) {
    for (int t = 0; t < (nk + 1) / 2; t++)
        for (int c = 0; c < d; c += 16) {
            __m512 lo = _mm512_loadu_ps(v + (size_t)(2 * t) * vs + c);
            __m512 hi = 2 * t + 1 < nk ? _mm512_loadu_ps(v + (size_t)(2 * t + 1) * vs + c)
                                       : _mm512_setzero_ps();
            _mm512_storeu_si512(vp + (size_t)t * d + c, pair16(lo, hi));
        }
}

/* nq query rows (stride qs) → qt [d/2][BQ] words (q[i][2t], q[i][2t+1]) at
 * lane i, lanes past nq zero: 16 rows at a time are converted into tmp and
 * each word column gathered into its lane vector */
static void pack_q(const float *q, size_t qs, int nq, int d, float *qt_) {
    uint32_t *qt = (uint32_t *)qt_, tmp[16 * MAX_PAIRS] __attribute__((aligned(64)));
    const int half = d / 2;
    const __m512i rows =
        _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                           _mm512_set1_epi32(half));
    for (int i0 = 0; i0 < le_attn_live_lanes(nq); i0 += 16) {
        const int n = nq - i0 < 0 ? 0 : nq - i0 < 16 ? nq - i0 : 16;
        if (n == 0) {
            for (int t = 0; t < half; t++)
                _mm512_storeu_si512(qt + (size_t)t * LE_ATTN_BQ + i0, _mm512_setzero_si512());
            continue;
        }
        pack_k(q + (size_t)i0 * qs, qs, n, d, tmp, (size_t)half);
        const __mmask16 live = (__mmask16)((1u << n) - 1);
        for (int t = 0; t < half; t++)
            _mm512_storeu_si512(
                qt + (size_t)t * LE_ATTN_BQ + i0,
                _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live, rows, tmp + t, 4));
    }
}

/* st rows for `rows` keys of kp (row stride kps words); st_max (or NULL):
 * each lane's running maximum, updated by these keys */
static inline __attribute__((always_inline)) void scores_rows(const int rows, const uint32_t *qt,
                                                              int d, const uint32_t *kp, size_t kps,
                                                              int nq, float *st, float *st_max) {
    for (int i0 = 0; i0 < nq; i0 += 64) {
        __m512 acc[LE_ATTN_MRJ][4];
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++)
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++) acc[r][v] = _mm512_setzero_ps();
        for (int t = 0; t < d / 2; t++) {
            __m512bh qv[4];
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++)
                qv[v] = (__m512bh)_mm512_loadu_si512(qt + (size_t)t * LE_ATTN_BQ + i0 + v * 16);
#pragma GCC unroll 8
            for (int r = 0; r < rows; r++) {
                __m512bh kb = (__m512bh)_mm512_set1_epi32((int)kp[(size_t)r * kps + t]);
#pragma GCC unroll 4
                for (int v = 0; v < 4; v++) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], kb, qv[v]);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++)
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++)
                _mm512_storeu_ps(st + (size_t)r * LE_ATTN_BQ + i0 + v * 16, acc[r][v]);
        if (st_max)
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++) {
                __m512 mx = _mm512_loadu_ps(st_max + i0 + v * 16);
#pragma GCC unroll 8
                for (int r = 0; r < rows; r++) mx = _mm512_max_ps(mx, acc[r][v]);
                _mm512_storeu_ps(st_max + i0 + v * 16, mx);
            }
    }
}

#define SCORES_CASE(R)                                                                             \
    case R: scores_rows(R, qt, d, kp, kps, nq, st, st_max); break;

/* one group of up to 6 keys */
static void scores_group(int rows, const uint32_t *qt, int d, const uint32_t *kp, size_t kps,
                         int nq, float *st, float *st_max) {
    switch (rows) {
        SCORES_CASE(1)
        SCORES_CASE(2)
        SCORES_CASE(3)
        SCORES_CASE(4)
        SCORES_CASE(5)
        SCORES_CASE(6)
    default: break;
    }
}

/* keys given as pack_k_rows left them: [nk][d/2] words; st_max: each lane's
 * maximum over the keys (for the softmax, which then need not look for it) */
static void scores_packed(const float *qt, int d, const uint32_t *kp, int nk, int nq, float *st,
                          float *st_max) {
    for (int i = 0; i < le_attn_live_lanes(nq); i += 16)
        _mm512_storeu_ps(st_max + i, _mm512_set1_ps(-INFINITY));
    for (int j = 0; j < nk; j += LE_ATTN_MRJ)
        scores_group(nk - j < LE_ATTN_MRJ ? nk - j : LE_ATTN_MRJ, (const uint32_t *)qt, d,
                     kp + (size_t)j * (d / 2), (size_t)d / 2, nq, st + (size_t)j * LE_ATTN_BQ,
                     st_max);
}

/* fp32 keys (rotated per tile by the driver): each group converted first */
static void scores_f32(const float *qt, int d, const float *k, size_t ks, int nk, int nq,
                       float *st) {
    uint32_t kp[LE_ATTN_MRJ * MAX_PAIRS] __attribute__((aligned(64)));
    for (int j = 0; j < nk; j += LE_ATTN_MRJ) {
        const int rows = nk - j < LE_ATTN_MRJ ? nk - j : LE_ATTN_MRJ;
        pack_k(k + (size_t)j * ks, ks, rows, d, kp, MAX_PAIRS);
        scores_group(rows, (const uint32_t *)qt, d, kp, MAX_PAIRS, nq, st + (size_t)j * LE_ATTN_BQ,
                     NULL);
    }
}

/* rows queries × nvec vectors of 16 head dims from column d0 */
static inline __attribute__((always_inline)) void pv_rows(const int rows, const int nvec,
                                                          const uint32_t *pp, int pairs,
                                                          const uint32_t *vp, int d, int d0,
                                                          float *o, const float *alpha) {
    __m512 acc[LE_ATTN_MRI][4];
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        __m512 a = _mm512_set1_ps(alpha[r]);
#pragma GCC unroll 4
        for (int u = 0; u < nvec; u++)
            acc[r][u] = _mm512_mul_ps(_mm512_loadu_ps(o + (size_t)r * d + d0 + u * 16), a);
    }
    for (int t = 0; t < pairs; t++) {
        __m512bh vv[4];
#pragma GCC unroll 4
        for (int u = 0; u < nvec; u++)
            vv[u] = (__m512bh)_mm512_loadu_si512(vp + (size_t)t * d + d0 + u * 16);
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++) {
            __m512bh pb = (__m512bh)_mm512_set1_epi32((int)pp[(size_t)t * LE_ATTN_BQ + r]);
#pragma GCC unroll 4
            for (int u = 0; u < nvec; u++) acc[r][u] = _mm512_dpbf16_ps(acc[r][u], pb, vv[u]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 4
        for (int u = 0; u < nvec; u++) _mm512_storeu_ps(o + (size_t)r * d + d0 + u * 16, acc[r][u]);
}

/* one group of rows over every chunk of head dims (4 vectors, then the rest) */
static inline __attribute__((always_inline)) void pv_group(const int rows, const uint32_t *pp,
                                                           int pairs, const uint32_t *vp, int d,
                                                           float *o, const float *alpha) {
    int d0 = 0;
    for (; d0 + 64 <= d; d0 += 64) pv_rows(rows, 4, pp, pairs, vp, d, d0, o, alpha);
    switch ((d - d0) / 16) {
    case 3: pv_rows(rows, 3, pp, pairs, vp, d, d0, o, alpha); break;
    case 2: pv_rows(rows, 2, pp, pairs, vp, d, d0, o, alpha); break;
    case 1: pv_rows(rows, 1, pp, pairs, vp, d, d0, o, alpha); break;
    default: break;
    }
}

#define PV_CASE(R)                                                                                 \
    case R: pv_group(R, pp + i, pairs, vp, d, o + (size_t)i * d, alpha + i); break;

/* 2^x for x ≤ ~0, to well below bf16's rounding of p: 2^r on |r| ≤ ½ by
 * the Taylor series of e^(r·ln2) to the 4th power (relative 4e-5, against
 * bf16's 2e-3), scaled by 2^round(x) */
static inline __m512 exp2_for_bf16(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-150.0f)); /* also keeps −inf out of r */
    const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_sub_ps(x, n);
    __m512 p = _mm512_set1_ps(9.618129107628477e-3f);                 /* ln2^4 / 24 */
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.550410866482158e-2f)); /* ln2^3 / 6 */
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(2.402265069591007e-1f)); /* ln2^2 / 2 */
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(6.931471805599453e-1f)); /* ln2 */
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/* The softmax step of a tile without masks, ALiBi or SelfExtend (every
 * bidirectional encoder layer): the maximum is taken over the raw scores
 * (scale > 0 keeps it the maximum of the scaled ones, bit for bit), the
 * scale folds into the exponent's FMA (with log2 e: p = 2^(s·scale·log2 e − m·log2 e)), and p goes
 * out as bf16 pairs (pair16). Other tiles: the shared softmax. */
static void softmax_bf16(const le_attn_tile *t, float *m, float *l, float *alpha) {
    if (t->window || t->slope != 0.0f || t->causal || !(t->scale > 0)) {
        attn_softmax(t, m, l, alpha);
        return;
    }
    const __m512 scale = _mm512_set1_ps(t->scale);
    const __m512 scale2 = _mm512_set1_ps(t->scale * 1.44269504088896341f); /* and log2 e */
    const int nk = t->nk;
    for (int i0 = 0; i0 < t->nq; i0 += 16) {
        const float *s = t->s_near + i0;
        __m512 mx = _mm512_set1_ps(-INFINITY);
        if (t->s_max)
            mx = _mm512_loadu_ps(t->s_max + i0);
        else
            for (int j = 0; j < nk; j++)
                mx = _mm512_max_ps(mx, _mm512_loadu_ps(s + (size_t)j * LE_ATTN_BQ));
        const __m512 m_old = _mm512_loadu_ps(m + i0);
        const __m512 m_new = _mm512_max_ps(m_old, _mm512_mul_ps(mx, scale));
        /* a lane whose scores are all −inf (an overflow upstream) subtracts 0 */
        const __m512 m_use =
            _mm512_mask_blend_ps(_mm512_cmp_ps_mask(m_new, _mm512_set1_ps(-FLT_MAX), _CMP_LT_OQ),
                                 m_new, _mm512_setzero_ps());
        /* p = 2^(s·scale·log2 e − m·log2 e) = e^(s·scale − m) */
        const __m512 neg_m = _mm512_mul_ps(m_use, _mm512_set1_ps(-1.44269504088896341f));
        __m512 sum = _mm512_setzero_ps();
        /* row u of the pairs is written after rows 2u and 2u + 1 were read */
        for (int j = 0; j < nk; j += 2) {
            const __m512 p0 = exp2_for_bf16(
                _mm512_fmadd_ps(_mm512_loadu_ps(s + (size_t)j * LE_ATTN_BQ), scale2, neg_m));
            const __m512 p1 =
                j + 1 < nk ? exp2_for_bf16(_mm512_fmadd_ps(
                                 _mm512_loadu_ps(s + (size_t)(j + 1) * LE_ATTN_BQ), scale2, neg_m))
                           : _mm512_setzero_ps();
            LE_ATTN_STORE_PAIRS((uint32_t *)t->p + (size_t)(j / 2) * LE_ATTN_BQ + i0, p0, p1);
            sum = _mm512_add_ps(sum, _mm512_add_ps(p0, p1));
        }
        const __m512 a = exp2_for_bf16(
            _mm512_mul_ps(_mm512_sub_ps(m_old, m_use), _mm512_set1_ps(1.44269504088896341f)));
        _mm512_storeu_ps(alpha + i0, a);
        _mm512_storeu_ps(l + i0, _mm512_fmadd_ps(_mm512_loadu_ps(l + i0), a, sum));
        _mm512_storeu_ps(m + i0, m_new);
    }
}

/* p: [ceil(nk/2)][BQ] pairs from the softmax; vp: the tile's rows of pack_v */
static void pv_packed(const float *p, int nk, const uint32_t *vp, int d, float *o,
                      const float *alpha, int nq) {
    const uint32_t *pp = (const uint32_t *)p;
    const int pairs = (nk + 1) / 2;
    for (int i = 0; i < nq; i += LE_ATTN_MRI) {
        switch (nq - i < LE_ATTN_MRI ? nq - i : LE_ATTN_MRI) {
            PV_CASE(1)
            PV_CASE(2)
            PV_CASE(3)
            PV_CASE(4)
            PV_CASE(5)
            PV_CASE(6)
        default: break;
        }
    }
}

const le_attn_kernels le_attn_avx512bf16 = {.bk = 128,
                                            .bf16 = 1,
                                            .scores = scores_f32,
                                            .softmax = softmax_bf16,
                                            .rope = attn_rope,
                                            .pack_q = pack_q,
                                            .pack_k = pack_k_rows,
                                            .pack_v = pack_v,
                                            .scores_packed = scores_packed,
                                            .pv_packed = pv_packed};
