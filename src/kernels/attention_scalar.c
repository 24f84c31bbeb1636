/* Attention tile kernels in plain floats (the template on the one-lane
 * shim): the fallback without AVX2 and the twin the SIMD kernels are tested
 * against. */
#include "kernels/attention_internal.h"

#include <float.h>
#include <math.h>

/* The template needs the shim, vmath and the tile sizes first. */
/* clang-format off */
#include "kernels/vec_scalar.h"
#include "kernels/vmath.inc"
#define LE_ATTN_QV 4
#define LE_ATTN_MRJ 4
#define LE_ATTN_MRI 4
#define LE_ATTN_DV 4
#include "kernels/attention_simd.inc"
/* clang-format on */

LE_ATTN_TABLE(le_attn_scalar, 128)
