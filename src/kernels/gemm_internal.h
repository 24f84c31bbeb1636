/* The GEMM kernel families (ISA × number format) behind gemm.c's driver.
 * A family supplies its packing of A, its micro-kernel and its epilogue;
 * the driver (blocking, threads, packing W) is shared. */
#ifndef LE_KERNELS_GEMM_INTERNAL_H
#define LE_KERNELS_GEMM_INTERNAL_H

#include "kernels/bf16.h"
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
    /* One row of int8 products (fp32 families): c[0..cols) = (accumulate ? c : 0) +
     * act((float)acc[j]·(row_scale·col_scale[j]) + bias[j]); c may alias acc. */
    void (*epilogue_s32)(const int32_t *acc, float row_scale, const float *col_scale, int cols,
                         const float *bias, le_act act, int accumulate, float *c);
} le_gemm_kernels;

struct le_dnnl_weight;

/* A packed weight. Own fp32/bf16: kern + data (panels). Row-wise paths
 * (int8, oneDNN; gemm_rows.c): kern is NULL, dtype says the format, and
 * either dnnl holds oneDNN's copy or data holds int8 [N][K] (own twin). */
struct le_gemm_weight {
    const le_gemm_kernels *kern;
    le_gemm_backend backend;
    le_gemm_dtype dtype;
    le_isa isa;
    float *scales;              /* int8: per output channel */
    struct le_dnnl_weight *dnnl; /* oneDNN's packed weight */
    int n, k;
    int k_pad;    /* k rounded up to kstep */
    int panels;   /* ceil(n / nr) */
    size_t bytes; /* of data */
    void *data;   /* panels × [k_pad/kstep][nr][kstep] values, zero padded */
};

extern const le_gemm_kernels le_gemm_scalar_f32, le_gemm_scalar_bf16;
extern const le_gemm_kernels le_gemm_avx2_f32;
extern const le_gemm_kernels le_gemm_avx512_f32, le_gemm_avx512_bf16;

/* The row-wise driver (gemm_rows.c) for int8 and oneDNN weights. */
le_status le_gemm_rows_pack(le_gemm_backend be, le_isa isa, le_gemm_dtype dtype, const float *w,
                            int n, int k, le_gemm_weight *pw, le_error *err);
void le_gemm_rows(const le_kctx *kc, const float *a, size_t lda, size_t m, const le_gemm_weight *w,
                  const le_gemm_epilogue *ep, float *c, size_t ldc);
void le_gemm_rows_free(le_gemm_weight *w);

/* The AVX-512 epilogue, shared by the AVX-512 fp32 and bf16 families. */
void le_gemm_epilogue_avx512(const float *tile, int nr, int rows, int cols, const float *bias,
                             le_act act, int accumulate, float *c, size_t ldc);

/* Shared by the families: A as fp32 [kc][mr] or bf16 pairs (rounded by kernels/bf16.h). */
void le_gemm_pack_a_f32(const float *a, size_t lda, int rows, int mr, int kc, void *dst);
void le_gemm_pack_a_bf16(const float *a, size_t lda, int rows, int mr, int kc, void *dst);

#endif
