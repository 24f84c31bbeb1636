/* The GEMM kernel families (ISA × number format) behind gemm.c's driver.
 * A family supplies its packing of A, its micro-kernel and its epilogue;
 * the driver (blocking, threads, packing W) is shared. */
#ifndef LE_KERNELS_GEMM_INTERNAL_H
#define LE_KERNELS_GEMM_INTERNAL_H

#include "kernels/gemm.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_gemm_kernels {
    le_isa isa;
    le_gemm_dtype dtype;
    int mr, nr;    /* micro-tile: rows of A × columns of W */
    int kstep;     /* k values packed together: 1 (f32), 2 (bf16 pairs) */
    int elem_size; /* bytes of one packed value */
    int kc_max;    /* k block: keeps a W micro-panel (kc × nr) in L1 */
    int mc_mrows;  /* micro-rows per task: A block (mc × kc) in L2 */
    int nc_panels; /* W panels per chunk: its partial sums (mc × nc) stay in L2 */
    /* Packs rows [0, rows) (rows <= mr) of A's columns [0, kc) as
     * [kc/kstep][mr][kstep] values (k padded with zeros to kstep). */
    void (*pack_a)(const float *a, size_t lda, int rows, int mr, int kc, void *dst);
    /* tile[r][0..nr) = (load ? tile[r] : +0) + Σ_k a[k][r]·b[k][0..nr), r < rows,
     * over kc values of k (a multiple of kstep unless it is the last block). */
    void (*tile)(int rows, int kc, const void *a, const void *b, float *tile, int load);
    /* c[r][0..cols) = (accumulate ? c : 0) + act(tile[r] + bias), r < rows. */
    void (*epilogue)(const float *tile, int nr, int rows, int cols, const float *bias, le_act act,
                     int accumulate, float *c, size_t ldc);
} le_gemm_kernels;

struct le_gemm_weight {
    const le_gemm_kernels *kern;
    int n, k;
    int k_pad;    /* k rounded up to kstep */
    int panels;   /* ceil(n / nr) */
    size_t bytes; /* of data */
    void *data;   /* panels × [k_pad/kstep][nr][kstep] values, zero padded */
};

extern const le_gemm_kernels le_gemm_scalar_f32, le_gemm_scalar_bf16;
extern const le_gemm_kernels le_gemm_avx2_f32;
extern const le_gemm_kernels le_gemm_avx512_f32, le_gemm_avx512_bf16;

/* The AVX-512 epilogue, shared by the AVX-512 fp32 and bf16 families. */
void le_gemm_epilogue_avx512(const float *tile, int nr, int rows, int cols, const float *bias,
                             le_act act, int accumulate, float *c, size_t ldc);

/* Shared by the families: A as fp32 [kc][mr], and the bf16 rounding. */
void le_gemm_pack_a_f32(const float *a, size_t lda, int rows, int mr, int kc, void *dst);
void le_gemm_pack_a_bf16(const float *a, size_t lda, int rows, int mr, int kc, void *dst);
static inline uint16_t le_f32_to_bf16(float x) {
    union {
        float f;
        uint32_t u;
    } v = {x};
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40); /* quiet NaN */
    if ((v.u & 0x7f800000u) == 0) v.u &= 0x80000000u; /* denormals to zero, as vcvtne2ps2bf16 */
    return (uint16_t)((v.u + 0x7fffu + ((v.u >> 16) & 1u)) >> 16);
}
static inline float le_bf16_to_f32(uint16_t h) {
    union {
        uint32_t u;
        float f;
    } v = {(uint32_t)h << 16};
    return v.f;
}

#endif
