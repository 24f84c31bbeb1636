/* The scalar GEMM families: plain loops with fmaf in k order (bitwise the
 * same as the SIMD fp32 kernels), and an exact emulation of vdpbf16ps for
 * the bf16 twin. */
#include "kernels/gemm_internal.h"

#include <float.h>
#include <math.h>

/* The templates need the shim and vmath first. */
/* clang-format off */
#include "kernels/vec_scalar.h"
#include "kernels/vmath.inc"
#include "kernels/gemm_epilogue.inc"
/* clang-format on */

enum { MR = 4, NR = 4 };

static void tile_f32(int rows, int kc, const void *a_, const void *b_, float *tile, int load) {
    const float *a = a_, *b = b_;
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < NR; j++) {
            float acc = load ? tile[r * NR + j] : 0.0f;
            for (int k = 0; k < kc; k++)
                acc = fmaf(a[(size_t)k * MR + r], b[(size_t)k * NR + j], acc);
            tile[r * NR + j] = acc;
        }
}

/* vdpbf16ps, lane by lane: the odd pair member first, then the even one;
 * bf16 products are exact in fp32, each sum rounds to nearest even; denormal
 * inputs are zero (le_f32_to_bf16 flushed them) and denormal sums flush. */
static float dot_bf16_pair(float acc, const uint16_t *x, const uint16_t *y) {
    acc = fmaf(le_bf16_to_f32(x[1]), le_bf16_to_f32(y[1]), acc);
    if (fabsf(acc) < FLT_MIN) acc = copysignf(0.0f, acc);
    acc = fmaf(le_bf16_to_f32(x[0]), le_bf16_to_f32(y[0]), acc);
    if (fabsf(acc) < FLT_MIN) acc = copysignf(0.0f, acc);
    return acc;
}

static void tile_bf16(int rows, int kc, const void *a_, const void *b_, float *tile, int load) {
    const uint16_t *a = a_, *b = b_;
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < NR; j++) {
            float acc = load ? tile[r * NR + j] : 0.0f;
            for (int kp = 0; kp < (kc + 1) / 2; kp++)
                acc = dot_bf16_pair(acc, a + ((size_t)kp * MR + r) * 2,
                                    b + ((size_t)kp * NR + j) * 2);
            tile[r * NR + j] = acc;
        }
}

const le_gemm_kernels le_gemm_scalar_f32 = {
    .isa = LE_ISA_SCALAR,
    .dtype = LE_GEMM_F32,
    .mr = MR,
    .nr = NR,
    .kstep = 1,
    .elem_size = 4,
    .kc_max = 256,
    .mc_mrows = 16,
    .nc_panels = 64,
    .pack_a = le_gemm_pack_a_f32,
    .tile = tile_f32,
    .epilogue = gemm_epilogue,
    .epilogue_s32 = gemm_epilogue_s32,
};

const le_gemm_kernels le_gemm_scalar_bf16 = {
    .isa = LE_ISA_SCALAR,
    .dtype = LE_GEMM_BF16,
    .mr = MR,
    .nr = NR,
    .kstep = 2,
    .elem_size = 2,
    .kc_max = 256,
    .mc_mrows = 16,
    .nc_panels = 64,
    .pack_a = le_gemm_pack_a_bf16,
    .tile = tile_bf16,
    .epilogue = gemm_epilogue,
};
