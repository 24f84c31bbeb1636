/* Row quantization for the int8 and oneDNN GEMM paths (gemm_quant.h). */
#include "kernels/gemm_quant.h"

#include "base/cpu.h"
#include "kernels/bf16.h"

#include <immintrin.h>
#include <math.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

/* max |a[i]| with NaN skipped (x > m ? x : m, as vmaxps(x, m) does); *bad
 * set when some a[i] is NaN or infinite */
static float absmax_scalar(const float *a, int k, int *bad) {
    float m = 0.0f;
    for (int i = 0; i < k; i++) {
        float x = fabsf(a[i]);
        if (!(x <= 3.402823466e38f)) *bad = 1;
        m = x > m ? x : m;
    }
    return m;
}

static float quant_scalar(const float *a, int k, int8_t *q) {
    int bad = 0;
    float amax = absmax_scalar(a, k, &bad);
    if (bad || amax == 0.0f) {
        for (int i = 0; i < k; i++) q[i] = 0;
        return bad ? NAN : 0.0f;
    }
    const float inv = 127.0f / amax;
    for (int i = 0; i < k; i++) {
        float r = rintf(a[i] * inv);
        q[i] = (int8_t)(r > 127.0f ? 127.0f : r < -127.0f ? -127.0f : r);
    }
    return amax / 127.0f;
}

AVX512 static float quant_avx512(const float *a, int k, int8_t *q) {
    const __m512 sign = _mm512_set1_ps(-0.0f);
    __m512 vm = _mm512_setzero_ps();
    __mmask16 bad = 0;
    const __m512 big = _mm512_set1_ps(3.402823466e38f);
    for (int i = 0; i < k; i += 16) {
        __mmask16 mk = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
        __m512 x = _mm512_andnot_ps(sign, _mm512_maskz_loadu_ps(mk, a + i));
        bad |= _mm512_mask_cmp_ps_mask(mk, x, big, _CMP_NLE_UQ);
        vm = _mm512_max_ps(x, vm);
    }
    float amax = _mm512_reduce_max_ps(vm);
    if (bad || amax == 0.0f) {
        for (int i = 0; i < k; i++) q[i] = 0;
        return bad ? NAN : 0.0f;
    }
    const __m512 inv = _mm512_set1_ps(127.0f / amax);
    const __m512 hi = _mm512_set1_ps(127.0f), lo = _mm512_set1_ps(-127.0f);
    for (int i = 0; i < k; i += 16) {
        __mmask16 mk = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
        __m512 r = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(mk, a + i), inv),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        r = _mm512_min_ps(_mm512_max_ps(r, lo), hi);
        _mm_mask_storeu_epi8(q + i, mk, _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(r)));
    }
    return amax / 127.0f;
}

float le_quant_row_s8(const float *a, int k, int8_t *q) {
    return le_cpu_detect()->avx512 ? quant_avx512(a, k, q) : quant_scalar(a, k, q);
}

void le_quant_row_bf16(const float *a, int k, uint16_t *dst) {
    for (int i = 0; i < k; i++) dst[i] = le_f32_to_bf16(a[i]);
}

int le_quant_weight_s8(const float *w, int n, int k, int8_t *q, float *scale) {
    for (int j = 0; j < n; j++) {
        scale[j] = quant_scalar(w + (size_t)j * k, k, q + (size_t)j * k);
        if (isnan(scale[j])) return -1;
    }
    return 0;
}
