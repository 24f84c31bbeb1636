/* Row kernels (ops_simd.inc) on the avx512 shim. */
#include "kernels/ops_internal.h"

#include <math.h>

/* The template needs the shim and vmath first. */
/* clang-format off */
#include "kernels/vec_avx512.h"
#include "kernels/vmath.inc"
#include "kernels/ops_simd.inc"
/* clang-format on */

LE_OPS_TABLE(le_ops_avx512)
