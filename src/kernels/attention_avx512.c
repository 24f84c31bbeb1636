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
#include "kernels/attention_simd.inc"
/* clang-format on */

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
