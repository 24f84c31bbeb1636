/* The 8-lane float vector shim over AVX2 + FMA that the *_simd.inc kernel
 * templates are written against (see vec_scalar.h for the contract of each
 * function). Include only from files compiled with -mavx2 -mfma (…_avx2.c). */
#ifndef LE_KERNELS_VEC_AVX2_H
#define LE_KERNELS_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#define LE_VW 8
#define LE_VEC_NAME avx2

typedef __m256 le_vf;
typedef __m256 le_vm; /* all-ones lanes are true */

static inline le_vf vf_zero(void) { return _mm256_setzero_ps(); }
static inline le_vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline le_vf vf_iota(void) { return _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7); }
static inline le_vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, le_vf v) { _mm256_storeu_ps(p, v); }
static inline __m256i vf_first_n(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline le_vf vf_load_n(const float *p, int n) {
    return _mm256_maskload_ps(p, vf_first_n(n));
}
static inline void vf_store_n(float *p, le_vf v, int n) {
    _mm256_maskstore_ps(p, vf_first_n(n), v);
}
static inline le_vf vf_load_i32_n(const int32_t *p, int n) {
    return _mm256_cvtepi32_ps(_mm256_maskload_epi32((const int *)p, vf_first_n(n)));
}
static inline le_vf vf_add(le_vf a, le_vf b) { return _mm256_add_ps(a, b); }
static inline le_vf vf_sub(le_vf a, le_vf b) { return _mm256_sub_ps(a, b); }
static inline le_vf vf_mul(le_vf a, le_vf b) { return _mm256_mul_ps(a, b); }
static inline le_vf vf_div(le_vf a, le_vf b) { return _mm256_div_ps(a, b); }
static inline le_vf vf_sqrt(le_vf a) { return _mm256_sqrt_ps(a); }
static inline le_vf vf_max(le_vf a, le_vf b) { return _mm256_max_ps(a, b); }
static inline le_vf vf_min(le_vf a, le_vf b) { return _mm256_min_ps(a, b); }
static inline le_vf vf_fmadd(le_vf a, le_vf b, le_vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline le_vf vf_fnmadd(le_vf a, le_vf b, le_vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline le_vf vf_abs(le_vf a) {
    return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}
static inline le_vf vf_neg(le_vf a) {
    return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u)));
}
static inline le_vf vf_copysign(le_vf mag, le_vf sign) {
    __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    return _mm256_or_ps(_mm256_and_ps(m, mag), _mm256_andnot_ps(m, sign));
}
static inline le_vf vf_round(le_vf a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline le_vf vf_floor(le_vf a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}
static inline le_vf vf_pow2i(le_vf n) { /* 2^n, n integer-valued in [-126, 127] */
    __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}
/* x · 2^n for integer-valued n in [-150, 128] and |x| in [0.5, 2]: the first
 * product is exact, the second rounds once (denormals and overflow included). */
static inline le_vf vf_ldexp(le_vf x, le_vf n) {
    le_vf n1 = vf_floor(_mm256_mul_ps(n, _mm256_set1_ps(0.5f)));
    le_vf n2 = _mm256_sub_ps(n, n1);
    return _mm256_mul_ps(_mm256_mul_ps(x, vf_pow2i(n1)), vf_pow2i(n2));
}
static inline le_vm vf_lt(le_vf a, le_vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline le_vm vf_le(le_vf a, le_vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
static inline le_vm vf_isnan(le_vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
static inline le_vm vm_or(le_vm a, le_vm b) { return _mm256_or_ps(a, b); }
static inline le_vm vm_and(le_vm a, le_vm b) { return _mm256_and_ps(a, b); }
static inline le_vf vf_select(le_vm m, le_vf a, le_vf b) { return _mm256_blendv_ps(b, a, m); }
static inline float vf_hsum(le_vf a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline float vf_hmax(le_vf a) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif
