#include "index/fusion.h"

#include <math.h>
#include <stdlib.h>

typedef struct contrib {
    uint32_t doc;
    int list, rank;
    double value; /* the raw score, then its normalised, weighted value */
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

/* How one list's scores map to values: value = (s − shift) · scale, or the
 * rank's reciprocal for RRF (see fusion.h). */
typedef struct list_map {
    double shift, scale;
    int alike; /* every hit gets 1 */
} list_map;

/* The map of list h[0..n) by kind; z-score statistics run over the union
 * of all lists' documents (n_union), the documents the list lacks counted
 * at its floor (NaN: its lowest hit). */
static list_map list_map_of(le_fusion_kind kind, const le_hit *h, int n, size_t n_union,
                            double floor) {
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (int r = 0; r < n; r++) {
        lo = h[r].score < lo ? h[r].score : lo;
        hi = h[r].score > hi ? h[r].score : hi;
        sum += h[r].score;
    }
    if (kind == LE_FUSION_MINMAX)
        return (list_map){lo, hi > lo ? 1.0 / (hi - lo) : 0, !(hi > lo)};
    double f = floor == floor && floor < lo ? floor : lo, missing = (double)n_union - n;
    double mean = n_union ? (sum + missing * f) / (double)n_union : 0;
    double sq = missing * (f - mean) * (f - mean);
    for (int r = 0; r < n; r++) sq += ((double)h[r].score - mean) * ((double)h[r].score - mean);
    double sd = n_union ? sqrt(sq / (double)n_union) : 0;
    /* one hit, or all alike: one σ above the documents the list lacks */
    return (list_map){f, sd > 0 ? 1.0 / sd : 0, !(sd > 0)};
}

/* The raw contributions of every list, sorted by document; *n_union gets
 * the number of distinct documents. */
static contrib *gather(int n_lists, const le_hit *const *lists, const int *counts, size_t total,
                       size_t *n_union) {
    contrib *c = malloc((total ? total : 1) * sizeof *c);
    if (!c) return NULL;
    size_t nc = 0;
    for (int i = 0; i < n_lists; i++)
        for (int r = 0; r < counts[i]; r++)
            c[nc++] = (contrib){lists[i][r].doc, i, r, lists[i][r].score};
    qsort(c, nc, sizeof *c, cmp_contrib);
    *n_union = 0;
    for (size_t j = 0; j < nc; j++) *n_union += j == 0 || c[j].doc != c[j - 1].doc;
    return c;
}

static le_status check_args(le_fusion_kind kind, int n_lists, const int *counts, double rrf_k,
                            int k, size_t *total, le_error *err) {
    if (kind != LE_FUSION_MINMAX && kind != LE_FUSION_RRF && kind != LE_FUSION_ZSCORE)
        return le_fail(err, LE_ERR_ARG, "fusion: unknown kind %d", (int)kind);
    if (n_lists < 0 || n_lists > LE_FUSE_MAX_LISTS || k < 0)
        return le_fail(err, LE_ERR_ARG, "fusion: bad count");
    if (kind == LE_FUSION_RRF && !(rrf_k >= 0))
        return le_fail(err, LE_ERR_ARG, "fusion: the RRF constant must be >= 0 (got %g)", rrf_k);
    *total = 0;
    for (int i = 0; i < n_lists; i++) {
        if (counts[i] < 0) return le_fail(err, LE_ERR_ARG, "fusion: negative list length");
        *total += (size_t)counts[i];
    }
    return LE_OK;
}

le_status le_fuse(le_fusion_kind kind, int n_lists, const le_hit *const *lists, const int *counts,
                  const double *weights, const double *floors, double rrf_k, int k, le_hit *out,
                  int *n_out, le_error *err) {
    *n_out = 0;
    size_t total = 0, n_union = 0;
    le_status st = check_args(kind, n_lists, counts, rrf_k, k, &total, err);
    if (st) return st;
    contrib *c = gather(n_lists, lists, counts, total, &n_union);
    if (!c) return le_fail(err, LE_ERR_NOMEM, "fusion: out of memory");
    list_map map[LE_FUSE_MAX_LISTS];
    for (int i = 0; i < n_lists && kind != LE_FUSION_RRF; i++)
        map[i] = list_map_of(kind, lists[i], counts[i], n_union, floors ? floors[i] : NAN);
    for (size_t j = 0; j < total; j++) {
        const list_map *m = &map[c[j].list];
        double w = weights ? weights[c[j].list] : 1.0;
        double v = kind == LE_FUSION_RRF ? 1.0 / (rrf_k + (double)(c[j].rank + 1))
                   : m->alike           ? 1.0
                                        : (c[j].value - m->shift) * m->scale;
        c[j].value = w * v;
    }
    le_topk top;
    le_topk_init(&top, out, k);
    for (size_t i = 0; i < total;) {
        double sum = 0;
        size_t j = i;
        for (; j < total && c[j].doc == c[i].doc; j++) sum += c[j].value;
        le_topk_push(&top, c[i].doc, (float)sum);
        i = j;
    }
    *n_out = le_topk_finish(&top);
    free(c);
    return LE_OK;
}
