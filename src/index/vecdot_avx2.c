/* Compiled with -mavx2 -mfma; called only after run-time detection. */
#include <immintrin.h>

#include "index/vecdot.h"

static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

float le_vdot_f32_avx2(const float *a, const float *b, int n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

float le_vdot_i8_avx2(const float *a, const int8_t *b, int n) {
    __m256 s0 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i q = _mm_loadl_epi64((const __m128i *)(b + i));
        __m256 bf = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q));
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), bf, s0);
    }
    float s = hsum256(s0);
    for (; i < n; i++) s += a[i] * (float)b[i];
    return s;
}
