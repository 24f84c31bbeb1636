#include "index/dense.h"

#include <stdlib.h>
#include <string.h>

void le_dense_free(le_dense *d) {
    for (size_t b = 0; b < d->n_blocks; b++) le_gemm_weight_free(d->blocks[b]);
    free(d->blocks);
    memset(d, 0, sizeof *d);
}

le_status le_dense_build(le_dense *d, const float *vecs, size_t n, int dim, le_isa isa,
                         le_error *err) {
    memset(d, 0, sizeof *d);
    if (dim <= 0 || (n && !vecs))
        return le_fail(err, LE_ERR_ARG, "dense index: invalid shape (%zu vectors of %d)", n, dim);
    d->dim = dim;
    d->n = n;
    d->n_blocks = (n + LE_DENSE_BLOCK - 1) / LE_DENSE_BLOCK;
    d->blocks = calloc(d->n_blocks ? d->n_blocks : 1, sizeof *d->blocks);
    if (!d->blocks) return le_fail(err, LE_ERR_NOMEM, "dense index: out of memory");
    for (size_t b = 0; b < d->n_blocks; b++) {
        size_t first = b * LE_DENSE_BLOCK;
        size_t rows = n - first < LE_DENSE_BLOCK ? n - first : LE_DENSE_BLOCK;
        le_status s =
            le_gemm_pack(isa, vecs + first * (size_t)dim, (int)rows, dim, &d->blocks[b], err);
        if (s) {
            le_dense_free(d);
            return le_error_wrap(err, s, "dense index");
        }
    }
    return LE_OK;
}

le_status le_dense_search(const le_dense *d, const le_kctx *kc, const float *queries, size_t nq,
                          int k, le_hit *hits, int *counts, le_error *err) {
    if (k < 0) return le_fail(err, LE_ERR_ARG, "dense search: k must be >= 0");
    if (nq == 0) return LE_OK;
    size_t kept = (size_t)k < d->n ? (size_t)k : d->n;
    size_t qb = nq < LE_DENSE_QBLOCK ? nq : LE_DENSE_QBLOCK;
    size_t cols = d->n < LE_DENSE_BLOCK ? d->n : LE_DENSE_BLOCK;
    float *scores = malloc((qb * (cols ? cols : 1)) * sizeof *scores);
    le_topk *tops = malloc(qb * sizeof *tops);
    if (!scores || !tops) {
        free(scores);
        free(tops);
        return le_fail(err, LE_ERR_NOMEM, "dense search: out of memory");
    }
    for (size_t q0 = 0; q0 < nq; q0 += qb) {
        size_t m = nq - q0 < qb ? nq - q0 : qb;
        for (size_t i = 0; i < m; i++)
            le_topk_init(&tops[i], hits + (q0 + i) * (size_t)k, (int)kept);
        for (size_t b = 0; b < d->n_blocks; b++) {
            size_t first = b * LE_DENSE_BLOCK;
            size_t rows = (size_t)le_gemm_weight_n(d->blocks[b]);
            le_gemm(kc, queries + q0 * (size_t)d->dim, (size_t)d->dim, m, d->blocks[b], NULL,
                    scores, cols);
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < rows; j++)
                    le_topk_push(&tops[i], (uint32_t)(first + j), scores[i * cols + j]);
        }
        for (size_t i = 0; i < m; i++) counts[q0 + i] = le_topk_finish(&tops[i]);
    }
    free(scores);
    free(tops);
    return LE_OK;
}

void le_dense_scores(const le_dense *d, const le_kctx *kc, const float *query, float *scores) {
    for (size_t b = 0; b < d->n_blocks; b++) {
        size_t rows = (size_t)le_gemm_weight_n(d->blocks[b]);
        le_gemm(kc, query, (size_t)d->dim, 1, d->blocks[b], NULL, scores + b * LE_DENSE_BLOCK, rows);
    }
}

float le_dense_group_score(const float *sc, size_t n, size_t topk, float *top, uint32_t *best) {
    uint32_t b = 0;
    for (size_t j = 1; j < n; j++)
        if (sc[j] > sc[b]) b = (uint32_t)j;
    *best = b;
    if (topk <= 1 || n == 1) return sc[b];
    size_t t = n < topk ? n : topk, kept = 0;
    for (size_t j = 0; j < n; j++) {
        float v = sc[j];
        if (kept == t && !(v > top[t - 1])) continue;
        size_t i = kept < t ? kept++ : t - 1;
        for (; i > 0 && v > top[i - 1]; i--) top[i] = top[i - 1];
        top[i] = v;
    }
    double sum = 0;
    for (size_t i = 0; i < t; i++) sum += top[i];
    return (float)(sum / (double)t);
}

le_status le_dense_search_groups(const float *vecs, const size_t *first, size_t n_groups, int dim,
                                 const le_kctx *kc, const float *queries, size_t nq, int k,
                                 le_hit *hits, int *counts, le_error *err) {
    size_t n = first[n_groups];
    le_dense d;
    le_status s = le_dense_build(&d, vecs, n, dim, kc->isa, err);
    if (s) return s;
    float *sc = malloc((n ? n : 1) * sizeof *sc);
    if (!sc) {
        le_dense_free(&d);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    for (size_t q = 0; q < nq; q++) {
        le_dense_scores(&d, kc, queries + q * (size_t)dim, sc);
        le_topk tk;
        le_topk_init(&tk, hits + q * (size_t)k, k);
        for (size_t g = 0; g < n_groups; g++) {
            uint32_t best;
            if (first[g + 1] > first[g])
                le_topk_push(&tk, (uint32_t)g,
                             le_dense_group_score(sc + first[g], first[g + 1] - first[g], 1, NULL,
                                                  &best));
        }
        counts[q] = le_topk_finish(&tk);
    }
    free(sc);
    le_dense_free(&d);
    return LE_OK;
}
