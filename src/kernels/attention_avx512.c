/* Attention tile kernels on AVX-512: 6 keys × 64 query lanes for the
 * scores, 6 queries × 64 head dims for P·V (24 zmm accumulators each). */
#include "kernels/attention_internal.h"

#include <float.h>
#include <math.h>

/* The template needs the shim, vmath and the tile sizes first. */
/* clang-format off */
#include "kernels/vec_avx512.h"
#include "kernels/vmath.inc"
#define LE_ATTN_QV 4
#define LE_ATTN_MRJ 6
#define LE_ATTN_MRI 6
#define LE_ATTN_DV 4
#include "kernels/attention_simd.inc"
/* clang-format on */

LE_ATTN_TABLE(le_attn_avx512, 128)
