/* GEMM: every family against the double-precision reference, the SIMD
 * families bitwise against the scalar twin, determinism across batch
 * compositions and thread counts, epilogues, bf16 error bounds. */
#include "check.h"
#include "kernels/gemm.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const le_isa all_isas[] = {LE_ISA_SCALAR, LE_ISA_AVX2, LE_ISA_AVX512};

/* Σ_k |a||w| + |bias| + |c_old|: the scale of rounding errors of one element */
static double magnitude(const float *a, const float *w, int k, const float *bias, int j,
                        float c_old) {
    double s = fabs(c_old) + (bias ? fabs(bias[j]) : 0);
    for (int kk = 0; kk < k; kk++) s += fabs((double)a[kk] * w[(size_t)j * k + kk]);
    return s;
}

/* Runs one family (the AUTO backend) on one problem; C starts as c0. */
static float *run(le_isa isa, le_gemm_dtype dt, le_pool *pool, const float *a, size_t lda, size_t m,
                  const float *w, int n, int k, const le_gemm_epilogue *ep, const float *c0,
                  size_t ldc) {
    return test_gemm_run(LE_GEMM_AUTO, isa, dt, pool, a, lda, m, w, n, k, ep, c0, ldc);
}

static void test_shapes(le_pool *pool) {
    const int ms[] = {1, 7, 63, 64, 65, 513};
    const int nks[][2] = {{1, 1}, {5, 3}, {33, 17}, {64, 64}, {100, 300}, {77, 513}, {31, 1000}};
    const le_act acts[] = {LE_ACT_NONE, LE_ACT_GELU_ERF, LE_ACT_GELU_TANH, LE_ACT_SILU,
                           LE_ACT_RELU};
    int variant = 0;
    for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++)
        for (size_t ni = 0; ni < sizeof nks / sizeof *nks; ni++) {
            const int m = ms[mi], n = nks[ni][0], k = nks[ni][1];
            if (m == 513 && k > 300) continue; /* keeps the scalar runs short */
            const size_t lda = k + 3, ldc = n + 5;
            float *a = test_random(m * lda, -1, 1);
            float *w = test_random((size_t)n * k, -1, 1);
            float *bias = test_random(n, -1, 1);
            float *c0 = test_random(m * ldc, -2, 2);
            le_gemm_epilogue ep = {.bias = variant % 2 ? bias : NULL,
                                   .act = acts[variant % 5],
                                   .accumulate = variant % 3 == 2};
            variant++;
            float *ref = malloc(m * ldc * sizeof *ref);
            memcpy(ref, c0, m * ldc * sizeof *ref);
            le_gemm_reference(a, lda, m, w, n, k, &ep, ref, ldc);
            float *scalar = NULL;
            for (size_t ii = 0; ii < 3; ii++) {
                le_isa isa = all_isas[ii];
                if (!test_isa_available(isa)) continue;
                float *c = run(isa, LE_GEMM_F32, pool, a, lda, m, w, n, k, &ep, c0, ldc);
                CHECK(c != NULL);
                if (!c) continue;
                double worst = 0;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double mag = magnitude(a + i * lda, w, k, ep.bias, j, c0[i * ldc + j]);
                        double err = fabs((double)c[i * ldc + j] - ref[i * ldc + j]);
                        double tol = (k + 4) * 6e-8 * mag + 3e-7 * fabs(ref[i * ldc + j]) + 1e-30;
                        if (err / tol > worst) worst = err / tol;
                    }
                CHECK_MSG(worst <= 1.0, "%s m=%d n=%d k=%d act=%d: error %.3g of tolerance",
                          le_isa_name(isa), m, n, k, ep.act, worst);
                /* padding columns of C are untouched */
                int pad_ok = 1;
                for (int i = 0; i < m; i++)
                    for (size_t j = n; j < ldc; j++) pad_ok &= c[i * ldc + j] == c0[i * ldc + j];
                CHECK_MSG(pad_ok, "%s wrote past N", le_isa_name(isa));
                if (isa == LE_ISA_SCALAR)
                    scalar = c;
                else {
                    CHECK_MSG(test_bitwise_equal(c, scalar, m * ldc),
                              "%s m=%d n=%d k=%d act=%d differs from scalar", le_isa_name(isa), m,
                              n, k, ep.act);
                    free(c);
                }
            }
            free(scalar);
            free(ref);
            free(a);
            free(w);
            free(bias);
            free(c0);
        }
}

/* Row 'probe' of A placed at different positions of batches of different
 * sizes, under pools of 1, 2, 3 threads: bitwise the same C row. */
static void test_determinism(void) {
    const int n = 200, k = 333;
    float *w = test_random((size_t)n * k, -1, 1);
    float *bias = test_random(n, -1, 1);
    float *probe = test_random(k, -1, 1);
    le_gemm_epilogue ep = {.bias = bias, .act = LE_ACT_GELU_ERF, .accumulate = 0};
    le_pool *pools[3] = {le_pool_create(1), le_pool_create(2), le_pool_create(3)};
    for (size_t ii = 0; ii < 3; ii++) {
        le_isa isa = all_isas[ii];
        if (!test_isa_available(isa)) continue;
        le_gemm_dtype dts[2] = {LE_GEMM_F32, LE_GEMM_BF16};
        for (int d = 0; d < 2; d++) {
            if (!le_gemm_supported(isa, dts[d])) continue;
            le_gemm_weight *pw;
            CHECK(le_gemm_pack_as(isa, dts[d], w, n, k, &pw, NULL) == LE_OK);
            float first[200];
            int have_first = 0, all_same = 1;
            const int sizes[] = {1, 7, 64, 65, 513};
            for (size_t si = 0; si < 5; si++)
                for (int pi = 0; pi < 3; pi++) {
                    const int m = sizes[si];
                    const int pos[3] = {0, m / 2, m - 1};
                    float *a = test_random((size_t)m * k, -1, 1);
                    memcpy(a + (size_t)pos[pi] * k, probe, k * sizeof *a);
                    float *c = malloc((size_t)m * n * sizeof *c);
                    le_kctx kc = {isa, pools[(si + pi) % 3]};
                    le_gemm(&kc, a, k, m, pw, &ep, c, n);
                    if (!have_first)
                        memcpy(first, c + (size_t)pos[pi] * n, sizeof first);
                    else
                        all_same &= test_bitwise_equal(first, c + (size_t)pos[pi] * n, n);
                    have_first = 1;
                    free(a);
                    free(c);
                }
            CHECK_MSG(all_same, "%s %s: a row's result depends on its batch or threads",
                      le_isa_name(isa), dts[d] ? "bf16" : "f32");
            le_gemm_weight_free(pw);
        }
    }
    for (int i = 0; i < 3; i++) le_pool_destroy(pools[i]);
    free(w);
    free(bias);
    free(probe);
}

/* bf16: the AVX-512 kernel bitwise equal to the scalar emulation, and the
 * error against fp32 within the bound of rounding both inputs to bf16. */
static void test_bf16(le_pool *pool) {
    const int shapes[][3] = {{1, 33, 17}, {7, 64, 64}, {65, 100, 301}, {130, 96, 768}};
    for (size_t s = 0; s < 4; s++) {
        const int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        float *a = test_random((size_t)m * k, -2, 2);
        float *w = test_random((size_t)n * k, -0.1f, 0.1f);
        float *c0 = calloc((size_t)m * n, sizeof *c0);
        float *ref = calloc((size_t)m * n, sizeof *ref);
        le_gemm_reference(a, k, m, w, n, k, NULL, ref, n);
        float *scalar = run(LE_ISA_SCALAR, LE_GEMM_BF16, pool, a, k, m, w, n, k, NULL, c0, n);
        CHECK(scalar != NULL);
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double mag = magnitude(a + (size_t)i * k, w, k, NULL, j, 0);
                double err = fabs((double)scalar[i * n + j] - ref[i * n + j]);
                if (err / (mag * 0x1p-8) > worst) worst = err / (mag * 0x1p-8);
            }
        CHECK_MSG(worst <= 1.0, "bf16 m=%d n=%d k=%d: error %.3g of 2^-8·Σ|aw|", m, n, k, worst);
        if (le_gemm_supported(LE_ISA_AVX512, LE_GEMM_BF16)) {
            float *c = run(LE_ISA_AVX512, LE_GEMM_BF16, pool, a, k, m, w, n, k, NULL, c0, n);
            CHECK(c && test_bitwise_equal(c, scalar, (size_t)m * n));
            free(c);
        }
        free(scalar);
        free(a);
        free(w);
        free(c0);
        free(ref);
    }
}

static void test_edges(void) {
    le_gemm_weight *pw;
    le_error err;
    CHECK(le_gemm_pack(LE_ISA_SCALAR, NULL, -1, 3, &pw, &err) == LE_ERR_ARG);
    CHECK(pw == NULL);
    if (!le_cpu_detect()->avx512_bf16)
        CHECK(le_gemm_pack_as(LE_ISA_AVX512, LE_GEMM_BF16, NULL, 0, 0, &pw, &err) ==
              LE_ERR_UNSUPPORTED);
    CHECK(le_gemm_pack_as(LE_ISA_AVX2, LE_GEMM_BF16, NULL, 0, 0, &pw, &err) == LE_ERR_UNSUPPORTED);
    /* K = 0: C = act(bias) */
    float bias[3] = {1, -2, 0.5f}, c[6] = {9, 9, 9, 9, 9, 9};
    for (size_t ii = 0; ii < 3; ii++) {
        if (!test_isa_available(all_isas[ii])) continue;
        CHECK(le_gemm_pack(all_isas[ii], NULL, 3, 0, &pw, &err) == LE_OK);
        le_gemm_epilogue ep = {.bias = bias, .act = LE_ACT_RELU, .accumulate = 0};
        le_kctx kc = {all_isas[ii], NULL};
        le_gemm(&kc, NULL, 0, 2, pw, &ep, c, 3);
        CHECK(c[0] == 1 && c[1] == 0 && c[2] == 0.5f && c[3] == 1 && c[4] == 0 && c[5] == 0.5f);
        CHECK(le_gemm_weight_n(pw) == 3 && le_gemm_weight_k(pw) == 0);
        le_gemm_weight_free(pw);
    }
    CHECK(le_bf16_round(1.0f + 0x1p-9f) == 1.0f);
    CHECK(le_bf16_round(1.0f + 0x1p-8f + 0x1p-9f) == 1.0f + 0x1p-7f);
}

int main(void) {
    le_pool *pool = le_pool_create(2);
    test_shapes(pool);
    test_shapes(NULL);
    test_determinism();
    test_bf16(pool);
    test_edges();
    le_pool_destroy(pool);
    return check_report("test_gemm");
}
