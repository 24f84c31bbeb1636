/* Attention tile kernels on AVX2: 6 keys × 16 query lanes for the scores,
 * 6 queries × 16 head dims for P·V (12 ymm accumulators each). */
#include "kernels/attention_internal.h"

#include <float.h>
#include <math.h>

/* The template needs the shim, vmath and the tile sizes first. */
/* clang-format off */
#include "kernels/vec_avx2.h"
#include "kernels/vmath.inc"
#define LE_ATTN_QV 2
#define LE_ATTN_MRJ 6
#define LE_ATTN_MRI 6
#define LE_ATTN_DV 2
#include "kernels/attention_simd.inc"
/* clang-format on */

LE_ATTN_TABLE(le_attn_avx2, 128)
