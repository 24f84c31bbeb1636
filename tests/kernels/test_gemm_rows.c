/* The row-wise GEMM paths (int8 on both backends, bf16 on oneDNN):
 * - int8 on oneDNN is bitwise equal to the own scalar int8 twin (int32 sums
 *   are exact, one quantization, one epilogue), for every shape, epilogue and
 *   thread count;
 * - int8 stays within the bound its rounding implies, element by element,
 *   of the double-precision reference;
 * - bf16 on oneDNN within 2^-8·Σ|a·w| (+ the epilogue's rounding) of it;
 * - row quantization equals its formula bit for bit; NaN rows give NaN;
 * - rows handed on as int8 (an epilogue's qout, le_layernorm_q, le_gemm_q)
 *   give bitwise what the fp32 hand-off gives. */
#include "check.h"
#include "kernels/gemm.h"
#include "kernels/gemm_quant.h"
#include "kernels/ops.h"
#include "test_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One backend on one problem; the weight must be packed for exactly that backend. */
static float *run(le_gemm_backend be, le_isa isa, le_gemm_dtype dt, le_pool *pool, const float *a,
                  size_t lda, size_t m, const float *w, int n, int k, const le_gemm_epilogue *ep,
                  const float *c0, size_t ldc) {
    return test_gemm_run(be, isa, dt, pool, a, lda, m, w, n, k, ep, c0, ldc);
}

/* The int8 error bound of one element before the epilogue: with a = sa·qa + ea,
 * w = sw·qw + ew, |ea| <= sa/2, |ew| <= sw/2: Σ |a|·sw/2 + |w|·sa/2 + sa·sw/4. */
static double int8_bound(const float *a, const float *w, int k) {
    double amax = 0, wmax = 0;
    for (int i = 0; i < k; i++) {
        amax = fmax(amax, fabs(a[i]));
        wmax = fmax(wmax, fabs(w[i]));
    }
    const double sa = amax / 127, sw = wmax / 127;
    double s = 0;
    for (int i = 0; i < k; i++) s += fabs(a[i]) * sw / 2 + fabs(w[i]) * sa / 2 + sa * sw / 4;
    return s;
}

/* |d/dx act| <= 1.13 for the GELUs and SiLU, 1 for ReLU: errors pass through scaled by at most that. */
static void check_int8_bound(const float *got, const float *ref, const float *a, size_t lda,
                             const float *w, int m, int n, int k, size_t ldc) {
    int bad = 0;
    for (int i = 0; i < m && bad < 3; i++)
        for (int j = 0; j < n && bad < 3; j++) {
            double b = 1.13 * int8_bound(a + i * lda, w + (size_t)j * k, k) * (1 + 1e-5) + 1e-5 +
                       1e-6 * fabs(ref[i * ldc + j]);
            double e = fabs((double)got[i * ldc + j] - ref[i * ldc + j]);
            if (!(e <= b)) {
                bad++;
                CHECK_MSG(e <= b, "int8 m=%d n=%d k=%d [%d][%d] error %g > bound %g", m, n, k, i, j,
                          e, b);
            }
        }
}

static void test_int8(le_pool **pools, int dnnl) {
    const int ms[] = {1, 7, 64, 65, 200};
    const int nks[][2] = {{1, 1}, {5, 3}, {33, 17}, {100, 300}, {384, 384}};
    const le_act acts[] = {LE_ACT_NONE, LE_ACT_GELU_ERF, LE_ACT_GELU_TANH, LE_ACT_SILU,
                           LE_ACT_RELU};
    int variant = 0;
    for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++)
        for (size_t ni = 0; ni < sizeof nks / sizeof *nks; ni++) {
            const int m = ms[mi], n = nks[ni][0], k = nks[ni][1];
            const size_t lda = k + 3, ldc = n + 5;
            float *a = test_random(m * lda, -1, 1), *w = test_random((size_t)n * k, -0.1f, 0.1f);
            float *bias = test_random(n, -1, 1), *c0 = test_random(m * ldc, -2, 2);
            le_gemm_epilogue ep = {.bias = variant % 2 ? bias : NULL,
                                   .act = acts[variant % 5],
                                   .accumulate = variant % 3 == 2};
            variant++;
            float *ref = malloc(m * ldc * sizeof *ref);
            memcpy(ref, c0, m * ldc * sizeof *ref);
            le_gemm_reference(a, lda, m, w, n, k, &ep, ref, ldc);
            float *own = run(LE_GEMM_OWN, LE_ISA_SCALAR, LE_GEMM_INT8, pools[0], a, lda, m, w, n, k,
                             &ep, c0, ldc);
            CHECK(own != NULL);
            if (own) check_int8_bound(own, ref, a, lda, w, m, n, k, ldc);
            for (int t = 0; dnnl && own && t < 2; t++) {
                float *d = run(LE_GEMM_DNNL, LE_ISA_AVX512, LE_GEMM_INT8, pools[t], a, lda, m, w, n,
                               k, &ep, c0, ldc);
                CHECK(d != NULL);
                if (d)
                    CHECK_MSG(!memcmp(d, own, m * ldc * sizeof *d),
                              "oneDNN int8 differs from the own twin (m=%d n=%d k=%d, %d threads)",
                              m, n, k, t + 1);
                free(d);
            }
            free(own);
            free(ref);
            free(a), free(w), free(bias), free(c0);
        }
}

static void test_bf16_dnnl(le_pool *pool) {
    const int m = 130, n = 200, k = 333;
    float *a = test_random((size_t)m * k, -1, 1), *w = test_random((size_t)n * k, -1, 1);
    float *bias = test_random(n, -1, 1), *c0 = test_random((size_t)m * n, -1, 1);
    le_gemm_epilogue ep = {.bias = bias, .act = LE_ACT_NONE, .accumulate = 1};
    float *ref = malloc((size_t)m * n * sizeof *ref);
    memcpy(ref, c0, (size_t)m * n * sizeof *ref);
    le_gemm_reference(a, k, m, w, n, k, &ep, ref, n);
    float *d = run(LE_GEMM_DNNL, LE_ISA_AVX512, LE_GEMM_BF16, pool, a, k, m, w, n, k, &ep, c0, n);
    CHECK(d != NULL);
    for (int i = 0; d && i < m; i++)
        for (int j = 0; j < n; j++) {
            double mag = fabs(c0[(size_t)i * n + j]) + fabs(bias[j]);
            for (int kk = 0; kk < k; kk++) mag += fabs((double)a[(size_t)i * k + kk] * w[(size_t)j * k + kk]);
            double e = fabs((double)d[(size_t)i * n + j] - ref[(size_t)i * n + j]);
            if (!(e <= 0x1p-8 * mag + 1e-6)) {
                CHECK_MSG(0, "oneDNN bf16 [%d][%d] error %g > %g", i, j, e, 0x1p-8 * mag);
                i = m;
                break;
            }
        }
    free(d), free(ref), free(a), free(w), free(bias), free(c0);
}

static void test_quant_rows(void) {
    const int ks[] = {1, 15, 16, 17, 384, 1000};
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        const int k = ks[ki];
        float *a = test_random(k, -3, 3);
        int8_t *q = malloc(k);
        float s = le_quant_row_s8(a, k, q);
        float amax = 0;
        for (int i = 0; i < k; i++) amax = fabsf(a[i]) > amax ? fabsf(a[i]) : amax;
        CHECK(s == amax / 127.0f);
        int same = 1;
        for (int i = 0; i < k; i++) same &= q[i] == (int8_t)rintf(a[i] * (127.0f / amax));
        CHECK_MSG(same, "row quantization differs from rint(a·127/amax), k=%d", k);
        a[k / 2] = NAN;
        CHECK(isnan(le_quant_row_s8(a, k, q)));
        a[k / 2] = INFINITY;
        CHECK(isnan(le_quant_row_s8(a, k, q)));
        for (int i = 0; i < k; i++) a[i] = 0;
        CHECK(le_quant_row_s8(a, k, q) == 0.0f && q[0] == 0 && q[k - 1] == 0);
        free(a), free(q);
    }
}

/* A NaN in A turns that row's outputs (and only that row's) into NaN. */
static void test_nan_row(le_pool *pool, le_gemm_backend be, le_isa isa) {
    const int m = 3, n = 20, k = 40;
    float *a = test_random((size_t)m * k, -1, 1), *w = test_random((size_t)n * k, -1, 1);
    float *c0 = calloc((size_t)m * n, sizeof *c0);
    a[k + 5] = NAN;
    float *c = run(be, isa, LE_GEMM_INT8, pool, a, k, m, w, n, k, NULL, c0, n);
    CHECK(c != NULL);
    if (c) CHECK(!isnan(c[0]) && isnan(c[n]) && isnan(c[2 * n - 1]) && !isnan(c[2 * n]));
    free(c), free(a), free(w), free(c0);
}

static le_gemm_weight *pack(le_gemm_backend be, le_isa isa, le_gemm_dtype dt, const float *w, int n,
                            int k) {
    le_gemm_weight *pw = NULL;
    le_error err;
    CHECK(le_gemm_pack_with(be, isa, dt, w, n, k, &pw, &err) == LE_OK);
    return pw;
}

/* q holds exactly le_quant_row_s8 of each of the m rows of c. */
static int qrows_match(const le_gemm_qrows *q, const float *c, size_t ldc, size_t m, int n) {
    int8_t *row = malloc((size_t)n);
    int same = 1;
    for (size_t r = 0; r < m; r++) {
        float s = le_quant_row_s8(c + r * ldc, n, row);
        same &= s == q->scale[r] && !memcmp(row, q->q + r * (size_t)n, (size_t)n);
    }
    free(row);
    return same;
}

/* Two int8 products in a row (act(A·W1ᵀ + b1)·W2ᵀ + b2 added to C), the
 * first handing its rows on as int8 (qout; C1 kept or not) and the second
 * reading them (le_gemm_q) with a LayerNorm in its epilogue: bitwise the fp32
 * hand-off and a separate le_layernorm, with the fast GELU the int8 hand-off
 * uses. */
static void test_qrows_chain(le_pool *pool, le_gemm_backend be, le_isa isa) {
    const int m = 70, k = 50, n1 = 100, n2 = 30; /* 70 rows: two row chunks */
    float *a = test_random((size_t)m * k, -1, 1), *w1 = test_random((size_t)n1 * k, -0.2f, 0.2f);
    float *w2 = test_random((size_t)n2 * n1, -0.2f, 0.2f), *b1 = test_random(n1, -1, 1);
    float *b2 = test_random(n2, -1, 1), *c0 = test_random((size_t)m * n2, -1, 1);
    le_gemm_weight *p1 = pack(be, isa, LE_GEMM_INT8, w1, n1, k);
    le_gemm_weight *p2 = pack(be, isa, LE_GEMM_INT8, w2, n2, n1);
    le_kctx kc = {isa, pool};
    float *h = malloc(sizeof(float) * m * n1), *h2 = malloc(sizeof(float) * m * n1);
    float *want = malloc(sizeof(float) * m * n2), *got = malloc(sizeof(float) * m * n2);
    le_gemm_qrows q = {malloc((size_t)m * n1), malloc(sizeof(float) * m)};
    if (p1 && p2) {
        le_gemm_epilogue e1 = {.bias = b1, .act = LE_ACT_GELU_ERF_FAST};
        le_gemm_epilogue e2 = {.bias = b2, .accumulate = 1};
        le_gemm(&kc, a, k, m, p1, &e1, h, n1);
        memcpy(want, c0, sizeof(float) * m * n2);
        le_gemm(&kc, h, n1, m, p2, &e2, want, n2);
        float *gamma = test_random(n2, 0.5f, 1.5f), *beta = test_random(n2, -1, 1);
        le_layernorm(&kc, want, n2, m, n2, gamma, beta, 1e-5f, want, n2);
        le_gemm_norm ln = {gamma, beta, 1e-5f};
        e2.norm = &ln; /* the second product with its layer norm fused */
        le_gemm_epilogue e1q = {.bias = b1, .act = LE_ACT_GELU_ERF, .qout = &q};
        le_gemm(&kc, a, k, m, p1, &e1q, h2, n1); /* C1 kept too */
        CHECK_MSG(!memcmp(h, h2, sizeof(float) * m * n1), "qout changed C (backend %s)",
                  le_gemm_backend_name(be));
        CHECK_MSG(qrows_match(&q, h, n1, m, n1), "qout differs from rounding C's rows");
        memset(q.q, 0, (size_t)m * n1);
        le_gemm(&kc, a, k, m, p1, &e1q, NULL, n1); /* C1 not kept */
        CHECK(qrows_match(&q, h, n1, m, n1));
        memcpy(got, c0, sizeof(float) * m * n2);
        le_gemm_q(&kc, &q, m, p2, &e2, got, n2);
        CHECK_MSG(!memcmp(got, want, sizeof(float) * m * n2),
                  "le_gemm_q + norm differs from le_gemm + le_layernorm (backend %s)",
                  le_gemm_backend_name(be));
        free(gamma), free(beta);
    }
    le_gemm_weight_free(p1), le_gemm_weight_free(p2);
    free(q.q), free(q.scale), free(h), free(h2), free(want), free(got);
    free(a), free(w1), free(w2), free(b1), free(b2), free(c0);
}

/* le_gemm_q refuses weights that are not int8 (NaN rows); an fp32 product's
 * qout is rounded from C; le_layernorm_q rounds exactly le_layernorm's rows. */
static void test_qrows_edges(le_pool *pool) {
    const int m = 5, k = 24, n = 40;
    float *a = test_random((size_t)m * k, -2, 2), *w = test_random((size_t)n * k, -1, 1);
    float *c = malloc(sizeof(float) * m * n), *ln = malloc(sizeof(float) * m * k);
    float *ln_q = malloc(sizeof(float) * m * k);
    le_gemm_qrows q = {malloc((size_t)m * (n > k ? n : k)), malloc(sizeof(float) * m)};
    le_kctx kc = {LE_ISA_SCALAR, pool};
    le_gemm_weight *pf = pack(LE_GEMM_OWN, LE_ISA_SCALAR, LE_GEMM_F32, w, n, k);
    if (pf) {
        le_gemm_epilogue e = {.qout = &q};
        le_gemm(&kc, a, k, m, pf, &e, c, n);
        CHECK_MSG(qrows_match(&q, c, n, m, n), "fp32 product: qout differs from C's rows");
        le_gemm_q(&kc, &q, m, pf, NULL, c, n);
        CHECK_MSG(isnan(c[0]) && isnan(c[(size_t)m * n - 1]), "le_gemm_q took fp32 weights");
    }
    le_layernorm(&kc, a, k, m, k, NULL, NULL, 1e-5f, ln, k);
    le_layernorm_q(&kc, a, k, m, k, NULL, NULL, 1e-5f, ln_q, k, &q);
    CHECK(!memcmp(ln, ln_q, sizeof(float) * m * k) && qrows_match(&q, ln, k, m, k));
    le_gemm_weight_free(pf);
    free(q.q), free(q.scale), free(a), free(w), free(c), free(ln), free(ln_q);
}

int main(void) {
    le_pool *pools[2] = {le_pool_create(1), le_pool_create(2)};
    const int dnnl = le_gemm_supported(LE_ISA_AVX512, LE_GEMM_INT8) &&
                     le_gemm_auto_backend(LE_ISA_AVX512, LE_GEMM_INT8) == LE_GEMM_DNNL;
    printf("int8 on oneDNN: %s\n", dnnl ? "tested" : "not available here (own twin only)");
    test_quant_rows();
    test_int8(pools, dnnl);
    test_nan_row(pools[1], LE_GEMM_OWN, LE_ISA_SCALAR);
    test_qrows_chain(pools[1], LE_GEMM_OWN, LE_ISA_SCALAR);
    test_qrows_edges(pools[1]);
    if (dnnl) {
        test_nan_row(pools[1], LE_GEMM_DNNL, LE_ISA_AVX512);
        test_bf16_dnnl(pools[1]);
        test_qrows_chain(pools[0], LE_GEMM_DNNL, LE_ISA_AVX512);
        test_qrows_chain(pools[1], LE_GEMM_DNNL, LE_ISA_AVX512);
    }
    /* without oneDNN, int8 on a SIMD ISA is refused with a message naming it */
    le_gemm_weight *pw = NULL;
    le_error err;
    float w1 = 1;
    if (!dnnl) {
        CHECK(le_gemm_pack_as(LE_ISA_AVX512, LE_GEMM_INT8, &w1, 1, 1, &pw, &err) ==
              LE_ERR_UNSUPPORTED);
        CHECK(strstr(err.message, "oneDNN") != NULL);
    }
    /* a non-finite weight is refused at packing */
    float wn[2] = {1, NAN};
    CHECK(le_gemm_pack_with(LE_GEMM_OWN, LE_ISA_SCALAR, LE_GEMM_INT8, wn, 1, 2, &pw, &err) ==
          LE_ERR_FORMAT);
    le_pool_destroy(pools[0]);
    le_pool_destroy(pools[1]);
    return check_report("test_gemm_rows");
}
