#include "eval/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void le_metric_name(int m, int k, char *buf, size_t cap) {
    switch (m) {
    case LE_METRIC_NDCG: snprintf(buf, cap, "ndcg@%d", k); break;
    case LE_METRIC_RECALL: snprintf(buf, cap, "recall@%d", k); break;
    case LE_METRIC_MRR: snprintf(buf, cap, "mrr@%d", k); break;
    default: snprintf(buf, cap, "acc@1"); break;
    }
}

static int judgement_of(const le_qrel *j, size_t n, uint32_t doc) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (j[mid].doc == doc) return j[mid].score;
        if (j[mid].doc < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int cmp_desc(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

int le_metrics_query(const uint32_t *ranked, size_t n_ranked, const le_qrel *judged,
                     size_t n_judged, int k, double out[LE_N_METRICS]) {
    size_t n_rel = 0;
    for (size_t i = 0; i < n_judged; i++) n_rel += judged[i].score > 0;
    if (n_rel == 0) return 0;
    /* the ideal ranking: positive grades, best first */
    int small[64];
    int *grades = n_rel <= 64 ? small : malloc(n_rel * sizeof *grades);
    double idcg = 0;
    if (grades) {
        size_t g = 0;
        for (size_t i = 0; i < n_judged; i++)
            if (judged[i].score > 0) grades[g++] = judged[i].score;
        qsort(grades, n_rel, sizeof *grades, cmp_desc);
        for (size_t i = 0; i < n_rel && i < (size_t)k; i++) idcg += grades[i] / log2((double)i + 2);
        if (grades != small) free(grades);
    } else { /* out of memory: every grade is at most the largest */
        for (size_t i = 0; i < n_rel && i < (size_t)k; i++) idcg += 1 / log2((double)i + 2);
    }
    double dcg = 0, mrr = 0;
    size_t found = 0;
    size_t top = n_ranked < (size_t)k ? n_ranked : (size_t)k;
    for (size_t i = 0; i < top; i++) {
        int rel = judgement_of(judged, n_judged, ranked[i]);
        if (rel <= 0) continue;
        dcg += rel / log2((double)i + 2);
        found++;
        if (mrr == 0) mrr = 1.0 / (double)(i + 1);
    }
    out[LE_METRIC_NDCG] = idcg > 0 ? dcg / idcg : 0;
    out[LE_METRIC_RECALL] = (double)found / (double)n_rel;
    out[LE_METRIC_MRR] = mrr;
    out[LE_METRIC_ACC1] = n_ranked > 0 && judgement_of(judged, n_judged, ranked[0]) > 0;
    return 1;
}

void le_metrics_split(const le_split *s, const le_hit *hits, size_t stride, const int *counts,
                      int k, le_metrics *out) {
    memset(out, 0, sizeof *out);
    double sum[LE_N_METRICS] = {0};
    uint32_t small[256];
    for (size_t q = 0; q < s->queries.n; q++) {
        size_t n = counts[q] > 0 ? (size_t)counts[q] : 0;
        if (n > (size_t)k) n = (size_t)k; /* nothing past k counts */
        uint32_t *ranked = n <= 256 ? small : malloc(n * sizeof *ranked);
        if (!ranked) { /* out of memory: judge the top 256 */
            ranked = small;
            n = 256;
        }
        for (size_t i = 0; i < n; i++) ranked[i] = hits[q * stride + i].doc;
        size_t nj;
        const le_qrel *j = le_split_qrels_of(s, (uint32_t)q, &nj);
        double v[LE_N_METRICS];
        if (le_metrics_query(ranked, n, j, nj, k, v)) {
            for (int m = 0; m < LE_N_METRICS; m++) sum[m] += v[m];
            out->queries++;
        } else {
            out->skipped++;
        }
        if (ranked != small) free(ranked);
    }
    for (int m = 0; m < LE_N_METRICS; m++)
        out->value[m] = out->queries ? sum[m] / (double)out->queries : 0;
}
