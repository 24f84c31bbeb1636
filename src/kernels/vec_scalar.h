/* The one-lane "vector" shim: plain floats with the exact semantics the SIMD
 * shims (vec_avx2.h, vec_avx512.h) have lane by lane. Templates that are
 * instantiated with it (vmath.inc) therefore give bitwise the same results
 * on every ISA. */
#ifndef LE_KERNELS_VEC_SCALAR_H
#define LE_KERNELS_VEC_SCALAR_H

#include <math.h>
#include <stdint.h>

#define LE_VW 1
#define LE_VEC_NAME scalar

typedef float le_vf;
typedef int le_vm;

static inline le_vf vf_zero(void) { return 0.0f; }
static inline le_vf vf_set1(float x) { return x; }
static inline le_vf vf_iota(void) { return 0.0f; }
static inline le_vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, le_vf v) { *p = v; }
static inline le_vf vf_load_n(const float *p, int n) { return n > 0 ? *p : 0.0f; }
static inline void vf_store_n(float *p, le_vf v, int n) {
    if (n > 0) *p = v;
}
/* the first n int32 values at p, converted to float (the rest 0) */
static inline le_vf vf_load_i32_n(const int32_t *p, int n) { return n > 0 ? (float)*p : 0.0f; }
static inline le_vf vf_add(le_vf a, le_vf b) { return a + b; }
static inline le_vf vf_sub(le_vf a, le_vf b) { return a - b; }
static inline le_vf vf_mul(le_vf a, le_vf b) { return a * b; }
static inline le_vf vf_div(le_vf a, le_vf b) { return a / b; }
static inline le_vf vf_sqrt(le_vf a) { return sqrtf(a); }
/* max/min return b when either is NaN, like the x86 instructions. */
static inline le_vf vf_max(le_vf a, le_vf b) { return a > b ? a : b; }
static inline le_vf vf_min(le_vf a, le_vf b) { return a < b ? a : b; }
/* a·b + c and c − a·b, rounded once */
static inline le_vf vf_fmadd(le_vf a, le_vf b, le_vf c) { return fmaf(a, b, c); }
static inline le_vf vf_fnmadd(le_vf a, le_vf b, le_vf c) { return fmaf(-a, b, c); }
static inline le_vf vf_abs(le_vf a) { return fabsf(a); }
static inline le_vf vf_neg(le_vf a) { return -a; }
static inline le_vf vf_copysign(le_vf mag, le_vf sign) { return copysignf(mag, sign); }
/* to the nearest integer, ties to even (the default rounding mode) */
static inline le_vf vf_round(le_vf a) { return nearbyintf(a); }
static inline le_vf vf_floor(le_vf a) { return floorf(a); }
/* x · 2^n for integer-valued n, rounded once. */
static inline le_vf vf_ldexp(le_vf x, le_vf n) {
    if (n != n) return n;
    return ldexpf(x, (int)fmaxf(fminf(n, 1000.0f), -1000.0f));
}
static inline le_vm vf_lt(le_vf a, le_vf b) { return a < b; }
static inline le_vm vf_le(le_vf a, le_vf b) { return a <= b; }
static inline le_vm vf_isnan(le_vf a) { return a != a; }
static inline le_vm vm_or(le_vm a, le_vm b) { return a | b; }
static inline le_vm vm_and(le_vm a, le_vm b) { return a & b; }
static inline le_vf vf_select(le_vm m, le_vf a, le_vf b) { return m ? a : b; }
static inline float vf_hsum(le_vf a) { return a; }
static inline float vf_hmax(le_vf a) { return a; }

#endif
