#include "index/fusion.h"

#include <math.h>
#include <stdlib.h>

typedef struct contrib {
    uint32_t doc;
    int list;
    double value;
} contrib;

/* by document, then by list: the sum per document runs in list order */
static int cmp_contrib(const void *pa, const void *pb) {
    const contrib *a = pa, *b = pb;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    return (a->list > b->list) - (a->list < b->list);
}

void le_zscore(double *v, size_t n, double alike) {
    double lo = INFINITY, sum = 0, sq = 0;
    for (size_t j = 0; j < n; j++) {
        lo = v[j] < lo ? v[j] : lo;
        sum += v[j];
    }
    double mean = n ? sum / (double)n : 0;
    for (size_t j = 0; j < n; j++) sq += (v[j] - mean) * (v[j] - mean);
    double sd = n ? sqrt(sq / (double)n) : 0;
    for (size_t j = 0; j < n; j++) v[j] = sd > 0 ? (v[j] - lo) / sd : alike;
}

/* The normalised value of each hit of one list, by kind (see fusion.h). */
static void normalise(le_fusion_kind kind, const le_hit *h, int n, double rrf_k, double *v) {
    double lo = INFINITY, hi = -INFINITY;
    for (int r = 0; r < n; r++) {
        double s = h[r].score;
        lo = s < lo ? s : lo;
        hi = s > hi ? s : hi;
        v[r] = s;
    }
    if (kind == LE_FUSION_ZSCORE) {
        /* one hit, or all alike: one σ above the documents the list lacks */
        le_zscore(v, (size_t)n, 1.0);
        return;
    }
    for (int r = 0; r < n; r++)
        v[r] = kind == LE_FUSION_RRF ? 1.0 / (rrf_k + (double)(r + 1))
               : hi > lo             ? (v[r] - lo) / (hi - lo)
                                     : 1.0;
}

le_status le_fuse(le_fusion_kind kind, int n_lists, const le_hit *const *lists, const int *counts,
                  const double *weights, double rrf_k, int k, le_hit *out, int *n_out,
                  le_error *err) {
    *n_out = 0;
    if (kind != LE_FUSION_MINMAX && kind != LE_FUSION_RRF && kind != LE_FUSION_ZSCORE)
        return le_fail(err, LE_ERR_ARG, "fusion: unknown kind %d", (int)kind);
    if (n_lists < 0 || k < 0) return le_fail(err, LE_ERR_ARG, "fusion: negative count");
    if (kind == LE_FUSION_RRF && !(rrf_k >= 0))
        return le_fail(err, LE_ERR_ARG, "fusion: the RRF constant must be >= 0 (got %g)", rrf_k);
    size_t total = 0;
    for (int i = 0; i < n_lists; i++) {
        if (counts[i] < 0) return le_fail(err, LE_ERR_ARG, "fusion: negative list length");
        total += (size_t)counts[i];
    }
    contrib *c = malloc((total ? total : 1) * sizeof *c);
    double *v = malloc((total ? total : 1) * sizeof *v);
    if (!c || !v) {
        free(c);
        free(v);
        return le_fail(err, LE_ERR_NOMEM, "fusion: out of memory");
    }
    size_t nc = 0;
    for (int i = 0; i < n_lists; i++) {
        double w = weights ? weights[i] : 1.0;
        normalise(kind, lists[i], counts[i], rrf_k, v);
        for (int r = 0; r < counts[i]; r++) c[nc++] = (contrib){lists[i][r].doc, i, w * v[r]};
    }
    qsort(c, nc, sizeof *c, cmp_contrib);
    le_topk top;
    le_topk_init(&top, out, k);
    for (size_t i = 0; i < nc;) {
        double sum = 0;
        size_t j = i;
        for (; j < nc && c[j].doc == c[i].doc; j++) sum += c[j].value;
        le_topk_push(&top, c[i].doc, (float)sum);
        i = j;
    }
    *n_out = le_topk_finish(&top);
    free(c);
    free(v);
    return LE_OK;
}
