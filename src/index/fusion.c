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

le_status le_fuse(le_fusion_kind kind, int n_lists, const le_hit *const *lists, const int *counts,
                  const double *weights, double rrf_k, int k, le_hit *out, int *n_out,
                  le_error *err) {
    *n_out = 0;
    if (kind != LE_FUSION_MINMAX && kind != LE_FUSION_RRF)
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
    if (!c) return le_fail(err, LE_ERR_NOMEM, "fusion: out of memory");
    size_t nc = 0;
    for (int i = 0; i < n_lists; i++) {
        double w = weights ? weights[i] : 1.0;
        const le_hit *h = lists[i];
        int n = counts[i];
        double lo = INFINITY, hi = -INFINITY;
        for (int r = 0; r < n; r++) {
            if (h[r].score < lo) lo = h[r].score;
            if (h[r].score > hi) hi = h[r].score;
        }
        for (int r = 0; r < n; r++) {
            double v;
            if (kind == LE_FUSION_RRF)
                v = 1.0 / (rrf_k + (double)(r + 1));
            else
                v = hi > lo ? ((double)h[r].score - lo) / (hi - lo) : 1.0;
            c[nc++] = (contrib){h[r].doc, i, w * v};
        }
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
    return LE_OK;
}
