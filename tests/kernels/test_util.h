/* Shared helpers of the kernel tests: a seeded RNG, ISA iteration and
 * bitwise comparison. */
#ifndef LE_TESTS_KERNELS_TEST_UTIL_H
#define LE_TESTS_KERNELS_TEST_UTIL_H

#include "base/cpu.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t test_rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t test_rand_u64(void) {
    uint64_t x = test_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    test_rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* uniform in [lo, hi) */
static inline float test_uniform(float lo, float hi) {
    return lo + (hi - lo) * (float)((test_rand_u64() >> 40) * (1.0 / 16777216.0));
}

static inline float *test_random(size_t n, float lo, float hi) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = test_uniform(lo, hi);
    return p;
}

/* 1 when the CPU runs isa (scalar always) */
static inline int test_isa_available(le_isa isa) {
    const le_cpu_features *f = le_cpu_detect();
    return isa == LE_ISA_SCALAR || (isa == LE_ISA_AVX2 && f->avx2) ||
           (isa == LE_ISA_AVX512 && f->avx512);
}

static inline int test_bitwise_equal(const float *a, const float *b, size_t n) {
    return memcmp(a, b, n * sizeof *a) == 0;
}

#ifdef LE_KERNELS_GEMM_H
/* Packs W for (backend, isa, dt), runs le_gemm with C starting as c0 (for
 * accumulate) and returns the new C (malloc'd), or NULL when packing failed. */
static inline float *test_gemm_run(le_gemm_backend be, le_isa isa, le_gemm_dtype dt, le_pool *pool,
                                   const float *a, size_t lda, size_t m, const float *w, int n,
                                   int k, const le_gemm_epilogue *ep, const float *c0, size_t ldc) {
    le_gemm_weight *pw;
    le_error err;
    if (le_gemm_pack_with(be, isa, dt, w, n, k, &pw, &err) != LE_OK) {
        fprintf(stderr, "pack failed: %s\n", err.message);
        return NULL;
    }
    float *c = malloc((m * ldc + 1) * sizeof *c);
    memcpy(c, c0, m * ldc * sizeof *c);
    le_kctx kc = {isa, pool};
    le_gemm(&kc, a, lda, m, pw, ep, c, ldc);
    le_gemm_weight_free(pw);
    return c;
}
#endif

#endif
