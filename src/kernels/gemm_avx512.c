/* fp32 GEMM on AVX-512: 14 × 32 micro-tiles (28 zmm accumulators). */
#include "kernels/gemm_internal.h"

/* The templates need the shim, vmath and the tile sizes first. */
/* clang-format off */
#include "kernels/vec_avx512.h"
#include "kernels/vmath.inc"
#define LE_GEMM_MR 14
#define LE_GEMM_NR 32
#include "kernels/gemm_simd.inc"
#include "kernels/gemm_epilogue.inc"
/* clang-format on */

/* Exposed for the bf16 family, which shares this epilogue. */
void le_gemm_epilogue_avx512(const float *tile, int nr, int rows, int cols, const float *bias,
                             le_act act, int accumulate, float *c, size_t ldc) {
    gemm_epilogue(tile, nr, rows, cols, bias, act, accumulate, c, ldc);
}

/* le_gemm_pack_a_f32 with one gather per k (the rows' values at k) and a
 * masked store of its mr lanes: a copy, the same bits. Offsets are int32, so
 * very wide rows take the scalar copy. */
static void pack_a_gather(const float *a, size_t lda, int rows, int mr, int kc, void *dst) {
    if (rows <= 0 || lda > (size_t)INT32_MAX / 16 || mr > 16) {
        le_gemm_pack_a_f32(a, lda, rows, mr, kc, dst);
        return;
    }
    float *d = dst;
    const __m512i offs = _mm512_mullo_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
        _mm512_set1_epi32((int)lda));
    const __mmask16 live = (__mmask16)((1u << rows) - 1);
    for (int k = 0; k < kc; k++)
        _mm512_mask_storeu_ps(d + (size_t)k * mr, live,
                              _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, offs, a + k, 4));
}

const le_gemm_kernels le_gemm_avx512_f32 = {
    .isa = LE_ISA_AVX512,
    .dtype = LE_GEMM_F32,
    .mr = LE_GEMM_MR,
    .nr = LE_GEMM_NR,
    .kstep = 1,
    .elem_size = 4,
    .kc_max = 256,
    .mc_mrows = 24,
    .nc_panels = 16,
    .pack_a = pack_a_gather,
    .tile = gemm_tile_f32,
    .epilogue = gemm_epilogue,
    .epilogue_s32 = gemm_epilogue_s32,
};
