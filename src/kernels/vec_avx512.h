/* The 16-lane float vector shim over AVX-512 that the *_simd.inc kernel
 * templates are written against (see vec_scalar.h for the contract of each
 * function). Include only from files compiled with -mavx512f (…_avx512.c). */
#ifndef LE_KERNELS_VEC_AVX512_H
#define LE_KERNELS_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#define LE_VW 16
#define LE_VEC_NAME avx512

typedef __m512 le_vf;
typedef __mmask16 le_vm;

static inline le_vf vf_zero(void) { return _mm512_setzero_ps(); }
static inline le_vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline le_vf vf_iota(void) {
    return _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
static inline le_vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, le_vf v) { _mm512_storeu_ps(p, v); }
static inline __mmask16 vf_first_n(int n) { return (__mmask16)((1u << n) - 1u); }
static inline le_vf vf_load_n(const float *p, int n) {
    return _mm512_maskz_loadu_ps(vf_first_n(n), p);
}
static inline void vf_store_n(float *p, le_vf v, int n) {
    _mm512_mask_storeu_ps(p, vf_first_n(n), v);
}
static inline le_vf vf_load_i32_n(const int32_t *p, int n) {
    return _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(vf_first_n(n), p));
}
static inline le_vf vf_add(le_vf a, le_vf b) { return _mm512_add_ps(a, b); }
static inline le_vf vf_sub(le_vf a, le_vf b) { return _mm512_sub_ps(a, b); }
static inline le_vf vf_mul(le_vf a, le_vf b) { return _mm512_mul_ps(a, b); }
static inline le_vf vf_div(le_vf a, le_vf b) { return _mm512_div_ps(a, b); }
static inline le_vf vf_sqrt(le_vf a) { return _mm512_sqrt_ps(a); }
static inline le_vf vf_max(le_vf a, le_vf b) { return _mm512_max_ps(a, b); }
static inline le_vf vf_min(le_vf a, le_vf b) { return _mm512_min_ps(a, b); }
static inline le_vf vf_fmadd(le_vf a, le_vf b, le_vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline le_vf vf_fnmadd(le_vf a, le_vf b, le_vf c) { return _mm512_fnmadd_ps(a, b, c); }
static inline le_vf vf_abs(le_vf a) { return _mm512_abs_ps(a); }
static inline le_vf vf_neg(le_vf a) {
    return _mm512_castsi512_ps(
        _mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000u)));
}
static inline le_vf vf_copysign(le_vf mag, le_vf sign) {
    __m512i m = _mm512_set1_epi32(0x7fffffff);
    return _mm512_castsi512_ps(
        _mm512_ternarylogic_epi32(m, _mm512_castps_si512(mag), _mm512_castps_si512(sign), 0xca));
}
static inline le_vf vf_round(le_vf a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline le_vf vf_floor(le_vf a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}
/* x · 2^n for integer-valued n, rounded once (denormals and overflow included). */
static inline le_vf vf_ldexp(le_vf x, le_vf n) { return _mm512_scalef_ps(x, n); }
static inline le_vm vf_lt(le_vf a, le_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline le_vm vf_le(le_vf a, le_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline le_vm vf_isnan(le_vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
static inline le_vm vm_or(le_vm a, le_vm b) { return (le_vm)(a | b); }
static inline le_vm vm_and(le_vm a, le_vm b) { return (le_vm)(a & b); }
/* m ? a : b, lane by lane */
static inline le_vf vf_select(le_vm m, le_vf a, le_vf b) { return _mm512_mask_blend_ps(m, b, a); }
static inline float vf_hsum(le_vf a) { return _mm512_reduce_add_ps(a); }
static inline float vf_hmax(le_vf a) { return _mm512_reduce_max_ps(a); }

#endif
