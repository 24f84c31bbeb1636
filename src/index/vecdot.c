#include "index/vecdot.h"

#include <math.h>

float le_vdot_f32_scalar(const float *a, const float *b, int n) {
    float s[4] = {0, 0, 0, 0};
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) s[j] += a[i + j] * b[i + j];
    for (; i < n; i++) s[0] += a[i] * b[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

float le_vdot_i8_scalar(const float *a, const int8_t *b, int n) {
    float s[4] = {0, 0, 0, 0};
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) s[j] += a[i + j] * (float)b[i + j];
    for (; i < n; i++) s[0] += a[i] * (float)b[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

static const le_vdot_kernels g_scalar = {le_vdot_f32_scalar, le_vdot_i8_scalar};
static const le_vdot_kernels g_avx2 = {le_vdot_f32_avx2, le_vdot_i8_avx2};
static const le_vdot_kernels g_avx512 = {le_vdot_f32_avx512, le_vdot_i8_avx512};

const le_vdot_kernels *le_vdot_for(le_isa isa) {
    le_isa best = le_cpu_best_isa();
    if (isa > best) isa = best;
    if (isa == LE_ISA_AVX512) return &g_avx512;
    if (isa == LE_ISA_AVX2) return &g_avx2;
    return &g_scalar;
}

const le_vdot_kernels *le_vdot(void) { return le_vdot_for(le_cpu_best_isa()); }

float le_quantize_i8(const float *x, int n, int8_t *q) {
    float amax = 0;
    for (int i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > amax) amax = a; /* NaN compares false: ignored */
    }
    if (!(amax > 0) || !isfinite(amax)) {
        for (int i = 0; i < n; i++) q[i] = 0;
        return 0;
    }
    float scale = amax / 127.0f, inv = 127.0f / amax;
    for (int i = 0; i < n; i++) {
        float v = x[i] * inv;
        long r = isnan(v) ? 0 : lrintf(v);
        q[i] = (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
    }
    return scale;
}
