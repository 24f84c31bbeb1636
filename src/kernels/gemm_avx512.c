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
    .pack_a = le_gemm_pack_a_f32,
    .tile = gemm_tile_f32,
    .epilogue = gemm_epilogue,
};
