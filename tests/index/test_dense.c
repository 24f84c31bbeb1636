/* Top-k selection and exact dense search: the ranking order (score, then
 * document number), NaN handling, and le_dense_search against a brute-force
 * computation in the GEMM's own summation order, across document blocks. */
#include "check.h"
#include "index/dense.h"
#include "index/topk.h"

#include <math.h>
#include <stdlib.h>

static uint64_t g_state = 12345;
static float frand(void) {
    g_state = g_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((g_state >> 40) & 0xffffff) / 16777216.0f * 2 - 1;
}

static void test_topk(void) {
    le_hit buf[4];
    le_topk t;
    le_topk_init(&t, buf, 3);
    float scores[] = {0.5f, 0.9f, 0.1f, 0.9f, NAN, 0.7f, 0.9f};
    for (uint32_t i = 0; i < 7; i++) le_topk_push(&t, i, scores[i]);
    int n = le_topk_finish(&t);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(buf[0].doc, 1); /* the three 0.9s, in document order */
    CHECK_EQ_INT(buf[1].doc, 3);
    CHECK_EQ_INT(buf[2].doc, 6);
    /* fewer candidates than k; a NaN (a damaged vector's score) is no hit */
    le_topk_init(&t, buf, 4);
    le_topk_push(&t, 0, NAN);
    le_topk_push(&t, 1, -1e30f);
    le_topk_push(&t, 2, 2);
    n = le_topk_finish(&t);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(buf[0].doc, 2);
    CHECK_EQ_INT(buf[1].doc, 1);
    /* k = 0 keeps nothing */
    le_topk_init(&t, buf, 0);
    le_topk_push(&t, 0, 1);
    CHECK_EQ_INT(le_topk_finish(&t), 0);
    /* the same candidates in any order give the same result */
    le_hit a[5], b[5];
    le_topk ta, tb;
    le_topk_init(&ta, a, 5);
    le_topk_init(&tb, b, 5);
    float v[40];
    for (int i = 0; i < 40; i++) v[i] = (float)((i * 7) % 6);
    for (int i = 0; i < 40; i++) le_topk_push(&ta, (uint32_t)i, v[i]);
    for (int i = 39; i >= 0; i--) le_topk_push(&tb, (uint32_t)i, v[i]);
    CHECK_EQ_INT(le_topk_finish(&ta), 5);
    CHECK_EQ_INT(le_topk_finish(&tb), 5);
    CHECK(!memcmp(a, b, sizeof a));
    le_hit s[4] = {{3, 1}, {1, 2}, {0, 1}, {2, NAN}};
    le_hits_sort(s, 4);
    CHECK(s[0].doc == 1 && s[1].doc == 0 && s[2].doc == 3 && s[3].doc == 2);
}

static void test_search(le_isa isa, size_t n, int dim, size_t nq, int k) {
    float *docs = malloc(n * (size_t)dim * sizeof *docs);
    float *qs = malloc(nq * (size_t)dim * sizeof *qs);
    for (size_t i = 0; i < n * (size_t)dim; i++) docs[i] = frand();
    for (size_t i = 0; i < nq * (size_t)dim; i++) qs[i] = frand();
    /* unit vectors, so a query equal to a document finds it first */
    for (size_t j = 0; j < n; j++) {
        float *v = docs + j * (size_t)dim, s2 = 0;
        for (int x = 0; x < dim; x++) s2 += v[x] * v[x];
        for (int x = 0; x < dim; x++) v[x] /= sqrtf(s2);
    }
    /* duplicates make ties */
    if (n > 5) {
        memcpy(docs + 5 * (size_t)dim, docs + 2 * (size_t)dim, (size_t)dim * sizeof *docs);
        memcpy(qs, docs + 2 * (size_t)dim, (size_t)dim * sizeof *qs);
    }
    le_dense d;
    le_error err;
    CHECK(le_dense_build(&d, docs, n, dim, isa, &err) == LE_OK);
    le_hit *hits = malloc(nq * (size_t)k * sizeof *hits);
    int *counts = malloc(nq * sizeof *counts);
    le_kctx kc = {isa, NULL};
    CHECK(le_dense_search(&d, &kc, qs, nq, k, hits, counts, &err) == LE_OK);
    le_hit *want = malloc((size_t)k * sizeof *want);
    int ok = 1;
    for (size_t q = 0; q < nq; q++) {
        le_topk t;
        le_topk_init(&t, want, k);
        for (size_t j = 0; j < n; j++) {
            float acc = 0; /* the GEMM's fp32 chain: fma in k order */
            for (int x = 0; x < dim; x++)
                acc = fmaf(qs[q * (size_t)dim + x], docs[j * (size_t)dim + x], acc);
            le_topk_push(&t, (uint32_t)j, acc);
        }
        int nw = le_topk_finish(&t);
        ok &= counts[q] == nw;
        for (int i = 0; i < nw && ok; i++) {
            const le_hit *h = &hits[q * (size_t)k + (size_t)i];
            ok &= h->doc == want[i].doc && h->score == want[i].score;
        }
    }
    CHECK_MSG(ok, "isa %s, %zu docs, dim %d", le_isa_name(isa), n, dim);
    if (nq && (size_t)k >= 2 && n > 5) { /* query 0 equals documents 2 and 5 */
        CHECK_EQ_INT(hits[0].doc, 2);
        CHECK_EQ_INT(hits[1].doc, 5);
    }
    free(want);
    free(hits);
    free(counts);
    le_dense_free(&d);
    free(docs);
    free(qs);
}

int main(void) {
    test_topk();
    test_search(LE_ISA_SCALAR, 100, 16, 7, 10);
    test_search(le_cpu_best_isa(), 100, 384, 50, 100);
    test_search(le_cpu_best_isa(), LE_DENSE_BLOCK + 37, 8, LE_DENSE_QBLOCK + 3, 5);
    test_search(LE_ISA_SCALAR, 3, 5, 2, 10); /* k > n */
    /* empty collection, no queries */
    le_dense d;
    le_error err;
    CHECK(le_dense_build(&d, NULL, 0, 4, LE_ISA_SCALAR, &err) == LE_OK);
    le_hit h[2];
    int c[1] = {-1};
    float q[4] = {1, 0, 0, 0};
    le_kctx kc = {LE_ISA_SCALAR, NULL};
    CHECK(le_dense_search(&d, &kc, q, 1, 2, h, c, &err) == LE_OK);
    CHECK_EQ_INT(c[0], 0);
    le_dense_free(&d);
    CHECK(le_dense_build(&d, q, 1, 0, LE_ISA_SCALAR, &err) == LE_ERR_ARG);
    return check_report("test_dense");
}
