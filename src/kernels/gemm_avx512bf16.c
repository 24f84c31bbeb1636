/* bf16 GEMM on AVX512_BF16: 14 × 32 micro-tiles like the fp32 kernel, each
 * k step a pair of bf16 values (vdpbf16ps), the epilogue in fp32. */
#include "kernels/gemm_internal.h"

#include <immintrin.h>

enum { MR = 14, NR = 32 };

/* a: [kc/2][MR] bf16 pairs, b: [kc/2][NR] bf16 pairs (as 32-bit words) */
static inline __attribute__((always_inline)) void
tile_rows(const int rows, int kc, const uint32_t *a, const uint32_t *b, float *tile, int load) {
    __m512 acc[MR][2];
#pragma GCC unroll 16
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 2
        for (int v = 0; v < 2; v++)
            acc[r][v] = load ? _mm512_loadu_ps(tile + r * NR + v * 16) : _mm512_setzero_ps();
    const int pairs = (kc + 1) / 2;
    for (int kp = 0; kp < pairs; kp++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + (size_t)kp * NR);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + (size_t)kp * NR + 16);
#pragma GCC unroll 16
        for (int r = 0; r < rows; r++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[(size_t)kp * MR + r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 2
        for (int v = 0; v < 2; v++) _mm512_storeu_ps(tile + r * NR + v * 16, acc[r][v]);
}

/* a: rows × kc (stride lda) → dst [ceil(kc/2)][mr] bf16 pairs: 32 values per
 * vcvtne2ps2bf16, the same rounding as le_f32_to_bf16 (the scalar twin's) */
static void pack_a_bf16(const float *a, size_t lda, int rows, int mr, int kc, void *dst_) {
    uint32_t *dst = dst_;
    for (int r = 0; r < rows; r++) {
        const float *src = a + (size_t)r * lda;
        int k = 0;
        for (; k + 32 <= kc; k += 32) {
            __m512bh v =
                _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + k + 16), _mm512_loadu_ps(src + k));
            uint32_t pairs[16];
            _mm512_storeu_si512(pairs, (__m512i)v);
            uint32_t *d = dst + (size_t)(k / 2) * mr + r;
            for (int i = 0; i < 16; i++) d[(size_t)i * mr] = pairs[i];
        }
        for (; k < kc; k += 2) {
            uint32_t lo = le_f32_to_bf16(src[k]), hi = k + 1 < kc ? le_f32_to_bf16(src[k + 1]) : 0;
            dst[(size_t)(k / 2) * mr + r] = lo | hi << 16;
        }
    }
}

#define ROWS_CASE(R)                                                                               \
    case R: tile_rows(R, kc, a, b, tile, load); break;

static void tile_bf16(int rows, int kc, const void *a_, const void *b_, float *tile, int load) {
    const uint32_t *a = a_, *b = b_;
    switch (rows) {
        ROWS_CASE(1)
        ROWS_CASE(2)
        ROWS_CASE(3)
        ROWS_CASE(4)
        ROWS_CASE(5)
        ROWS_CASE(6)
        ROWS_CASE(7)
        ROWS_CASE(8)
        ROWS_CASE(9)
        ROWS_CASE(10)
        ROWS_CASE(11)
        ROWS_CASE(12)
        ROWS_CASE(13)
        ROWS_CASE(14)
    default: break;
    }
}

const le_gemm_kernels le_gemm_avx512_bf16 = {
    .isa = LE_ISA_AVX512,
    .dtype = LE_GEMM_BF16,
    .mr = MR,
    .nr = NR,
    .kstep = 2,
    .elem_size = 2,
    .kc_max = 512,
    .mc_mrows = 24,
    .nc_panels = 16,
    .pack_a = pack_a_bf16,
    .tile = tile_bf16,
    .epilogue = le_gemm_epilogue_avx512,
};
