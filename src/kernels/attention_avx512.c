/* Attention tile kernels on AVX-512: 6 keys × 64 query lanes for the
 * scores, 6 queries × 64 head dims for P·V (24 zmm accumulators each). */
#include "kernels/attention_internal.h"

#include <float.h>
#include <math.h>

/* The template needs the shim, vmath and the tile sizes first. */
/* clang-format off */
#include "kernels/vec_avx512.h"
#include "kernels/vmath.inc"
#define LE_ATTN_QV 4
#define LE_ATTN_MRJ 6
#define LE_ATTN_MRI 6
#define LE_ATTN_DV 4
#define LE_ATTN_PACK_Q pack_q_f32
#define LE_ATTN_TRANSPOSE_K transpose_k
static void transpose_k(const float *k, size_t ks, int nk, int nkv, int d, float *kt);
#include "kernels/attention_simd.inc"
/* clang-format on */

/* The 16 × 16 block r (rows) transposed in place: r[c] becomes column c. */
static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
        const __m512d c = _mm512_castps_pd(t[i + 2]), e = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, e));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, e));
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; i++) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0x88);
            t[h + 4 + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0xdd);
        }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
    }
}

/* kt[dd][j] = k[j·ks + dd] for j < nk, 0 for nk ≤ j < nkv (a multiple of 16):
 * the decoder step's key tile, in 16 × 16 blocks transposed in registers. */
static void transpose_k(const float *k, size_t ks, int nk, int nkv, int d, float *kt) {
    for (int j0 = 0; j0 < nkv; j0 += 16)
        for (int d0 = 0; d0 < d; d0 += 16) {
            const int nd = d - d0 < 16 ? d - d0 : 16;
            const __mmask16 dm = (__mmask16)((1u << nd) - 1);
            __m512 r[16];
            for (int i = 0; i < 16; i++)
                r[i] = j0 + i < nk ? _mm512_maskz_loadu_ps(dm, k + (size_t)(j0 + i) * ks + d0)
                                   : _mm512_setzero_ps();
            transpose16(r);
            for (int c = 0; c < nd; c++) _mm512_storeu_ps(kt + (size_t)(d0 + c) * LE_ATTN_BQ + j0, r[c]);
        }
}

/* nq query rows (stride qs) → qt [d][BQ] (fp32), lanes past nq zero: each
 * head dim of 16 rows is one gather */
static void pack_q_f32(const float *q, size_t qs, int nq, int d, float *qt) {
    const __m512i rows = _mm512_mullo_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
        _mm512_set1_epi32((int)qs));
    for (int i0 = 0; i0 < le_attn_live_lanes(nq); i0 += 16) {
        const int n = nq - i0 < 0 ? 0 : nq - i0 < 16 ? nq - i0 : 16;
        const __mmask16 live = (__mmask16)((1u << n) - 1);
        const float *base = q + (size_t)(n ? i0 : 0) * qs;
        for (int dd = 0; dd < d; dd++)
            _mm512_storeu_ps(qt + (size_t)dd * LE_ATTN_BQ + i0,
                             _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, rows, base + dd, 4));
    }
}

LE_ATTN_TABLE(le_attn_avx512, 128)
