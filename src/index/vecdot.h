/* Dot products of one vector with another, for the graph search (HNSW) and
 * the int8 and multi-vector scans of the index. A scalar path and AVX2 /
 * AVX-512 paths picked once at run time (LONGEMBED_ISA lowers the choice).
 * The SIMD paths sum in another order than the scalar one, so results agree
 * to rounding, not bitwise; each path alone is deterministic. */
#ifndef LE_INDEX_VECDOT_H
#define LE_INDEX_VECDOT_H

#include <stdint.h>

#include "base/cpu.h"

typedef float (*le_vdot_f32_fn)(const float *a, const float *b, int n);
/* Σ a[i]·b[i] with b int8: the caller multiplies by b's scale. */
typedef float (*le_vdot_i8_fn)(const float *a, const int8_t *b, int n);

typedef struct le_vdot_kernels {
    le_vdot_f32_fn f32;
    le_vdot_i8_fn i8;
} le_vdot_kernels;

/* The kernels for isa (clamped to what this build and CPU have). */
const le_vdot_kernels *le_vdot_for(le_isa isa);
/* The best kernels for this CPU. */
const le_vdot_kernels *le_vdot(void);

float le_vdot_f32_scalar(const float *a, const float *b, int n);
float le_vdot_i8_scalar(const float *a, const int8_t *b, int n);
float le_vdot_f32_avx2(const float *a, const float *b, int n);
float le_vdot_i8_avx2(const float *a, const int8_t *b, int n);
float le_vdot_f32_avx512(const float *a, const float *b, int n);
float le_vdot_i8_avx512(const float *a, const int8_t *b, int n);

/* int8 with a per-vector scale: q[i] = round(x[i] / scale) in [-127, 127],
 * scale = max|x| / 127 (0 for a zero vector, whose codes are all 0). */
float le_quantize_i8(const float *x, int n, int8_t *q);

#endif
