/* Row kernels (ops_simd.inc) on the scalar shim. */
#include "kernels/ops_internal.h"

#include <math.h>

/* The template needs the shim and vmath first. */
/* clang-format off */
#include "kernels/vec_scalar.h"
#include "kernels/vmath.inc"
#include "kernels/ops_simd.inc"
/* clang-format on */

LE_OPS_TABLE(le_ops_scalar)
