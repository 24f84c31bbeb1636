/* Activation rows for the row-wise GEMM paths (int8, oneDNN): symmetric
 * int8 quantization per row and bf16 rows (the way back from int32 sums is
 * the epilogue's: gemm_epilogue.inc).
 * Each function has an AVX-512 body and a scalar twin that give bitwise the
 * same output (rint in the default rounding mode, the same multiplies, max
 * is exact), chosen at run time. */
#ifndef LE_KERNELS_GEMM_QUANT_H
#define LE_KERNELS_GEMM_QUANT_H

#include <stddef.h>
#include <stdint.h>

/* q[i] = rint(a[i] · 127/amax) for i < k, amax = max |a[i]|; returns the
 * scale amax/127 (0 for a zero row, then q is all 0). A row holding a NaN or
 * an infinity returns NaN (and q = 0), so the row's outputs become NaN and
 * the caller's non-finite checks see them. */
float le_quant_row_s8(const float *a, int k, int8_t *q);
/* dst[i] = bf16(a[i]) (nearest even, kernels/bf16.h) for i < k. */
void le_quant_row_bf16(const float *a, int k, uint16_t *dst);
/* Per output channel int8 weights: q[j][·] = rint(w[j][·]·127/amax_j), scale[j] = amax_j/127.
 * Returns 0, or -1 when a weight is not finite. */
int le_quant_weight_s8(const float *w, int n, int k, int8_t *q, float *scale);

#endif
