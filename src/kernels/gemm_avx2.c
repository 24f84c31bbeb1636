/* fp32 GEMM on AVX2 + FMA: 6 × 16 micro-tiles (12 ymm accumulators). */
#include "kernels/gemm_internal.h"

/* The templates need the shim, vmath and the tile sizes first. */
/* clang-format off */
#include "kernels/vec_avx2.h"
#include "kernels/vmath.inc"
#define LE_GEMM_MR 6
#define LE_GEMM_NR 16
#include "kernels/gemm_simd.inc"
#include "kernels/gemm_epilogue.inc"
/* clang-format on */

const le_gemm_kernels le_gemm_avx2_f32 = {
    .isa = LE_ISA_AVX2,
    .dtype = LE_GEMM_F32,
    .mr = LE_GEMM_MR,
    .nr = LE_GEMM_NR,
    .kstep = 1,
    .elem_size = 4,
    .kc_max = 256,
    .mc_mrows = 24,
    .nc_panels = 32,
    .pack_a = le_gemm_pack_a_f32,
    .tile = gemm_tile_f32,
    .epilogue = gemm_epilogue,
    .epilogue_s32 = gemm_epilogue_s32,
};
