/* Searching an index with passages (passage_store.h): document scores from
 * passage vectors, and the best passage of each hit (le_hit_passage).
 *
 * Dense scores are exact: every passage of every live document is scored
 * (f32: the blocked GEMM of dense.h over a segment's passage vectors,
 * packed on first use; int8: a scan with the per-vector scales), and a
 * document scores the best of its passages (MaxP) or the mean of its best
 * topk. HNSW graphs hold document vectors and are not used here. */
#ifndef LE_INDEX_PASSAGE_SEARCH_H
#define LE_INDEX_PASSAGE_SEARCH_H

#include "index/bm25.h"
#include "index/index.h"

/* The best k live documents for the query vector q (dim floats) by their
 * passages: topk <= 1 the best passage, else the mean of the best topk
 * (fewer when a document has fewer). Remembers each document's best passage
 * for le_passage_hits. ix->pool must be running. */
le_status le_passage_dense(le_index *ix, const float *q, int k, int topk, le_hit *out, int *n_out,
                           le_error *err);

/* What a search was, for finding the best passage of its hits. */
typedef struct le_passage_query {
    le_search_mode mode;
    const float *dense;             /* the query vector (dense, hybrid) */
    const char *text;               /* the query text (bm25, hybrid) */
    size_t text_len;
    double dense_weight, bm25_weight; /* hybrid */
    le_bm25_params bm25;
    const le_bm25 *bm25_index;      /* the BM25 postings searched (for idf); NULL: none */
    int dense_scanned;              /* 1: le_passage_dense ran in this search */
} le_passage_query;

/* The best passage of each of hits[0..n) into out[0..n), as
 * le_hit_passage says (passage -1 where there is none). */
le_status le_passage_hits(le_index *ix, const le_passage_query *pq, const le_index_hit *hits, int n,
                          le_hit_passage *out, le_error *err);

/* Frees ix's passage search state (le_index_close). */
void le_passage_search_free(le_index *ix);

#endif
