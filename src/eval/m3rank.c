/* le_bench_m3_rank: BGE-M3's three outputs of every document and query from
 * one forward pass each (le_embed_m3), then exact rankings by le_m3_score,
 * the public scores FlagEmbedding's compute_score gives. Not cached: the
 * embedding cache holds dense vectors only. */
#include "eval/m3rank.h"

#include <stdlib.h>

#define M3_GROUP 8 /* texts per le_embed_m3 call */

const double le_m3_bench_weights[3] = {0.4, 0.2, 0.4};

/* The outputs of x's texts into out[0..x->n), M3_GROUP at a time. */
static le_status embed_all(le_model *m, const le_embed_options *opt, const le_texts *x,
                           le_m3_output *out, le_error *err) {
    le_status s = LE_OK;
    for (size_t i = 0; i < x->n && !s; i += M3_GROUP) {
        size_t n = x->n - i < M3_GROUP ? x->n - i : M3_GROUP;
        s = le_embed_m3(m, n, x->texts + i, x->lens + i, opt, out + i, NULL, err);
    }
    return s;
}

/* Query q's three rankings of the documents d[0..nd). */
static void rank_query(const le_m3_output *q, const le_m3_output *d, size_t nd, size_t depth,
                       le_hit *hits[LE_M3_N], int *counts[LE_M3_N], size_t qi) {
    le_topk top[LE_M3_N];
    for (int r = 0; r < LE_M3_N; r++) top[r] = (le_topk){0};
    for (int r = 0; r < LE_M3_N; r++) le_topk_init(&top[r], hits[r] + qi * depth, (int)depth);
    for (size_t i = 0; i < nd; i++) {
        le_m3_scores sc;
        le_m3_score(q, &d[i], le_m3_bench_weights, &sc);
        le_topk_push(&top[LE_M3_SPARSE], (uint32_t)i, (float)sc.sparse);
        le_topk_push(&top[LE_M3_COLBERT], (uint32_t)i, (float)sc.colbert);
        le_topk_push(&top[LE_M3_COMBINED], (uint32_t)i, (float)sc.colbert_sparse_dense);
    }
    for (int r = 0; r < LE_M3_N; r++) counts[r][qi] = le_topk_finish(&top[r]);
}

le_status le_bench_m3_rank(le_model *m, const le_embed_options *doc_opt,
                           const le_embed_options *query_opt, const le_texts *docs,
                           const le_texts *queries, size_t depth, le_hit *hits[LE_M3_N],
                           int *counts[LE_M3_N], le_error *err) {
    le_m3_output *d = calloc(docs->n ? docs->n : 1, sizeof *d);
    le_m3_output *q = calloc(queries->n ? queries->n : 1, sizeof *q);
    le_status s = d && q ? LE_OK : le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (!s) s = embed_all(m, doc_opt, docs, d, err);
    if (!s) s = embed_all(m, query_opt, queries, q, err);
    for (size_t i = 0; i < queries->n && !s; i++) rank_query(&q[i], d, docs->n, depth, hits, counts, i);
    if (d) le_m3_output_free(d, docs->n);
    if (q) le_m3_output_free(q, queries->n);
    free(d);
    free(q);
    return s;
}
