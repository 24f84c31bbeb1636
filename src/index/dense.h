/* Exact dense search: scores = Q · Dᵀ for every query and document, then
 * the best k per query. With L2-normalised vectors the score is the cosine
 * similarity. The document vectors are packed once as the "weight" of the
 * kernels' GEMM (kernels/gemm.h), in blocks of LE_DENSE_BLOCK documents, and
 * queries run in blocks of LE_DENSE_QBLOCK, so the score buffer stays small
 * whatever the collection size. Ties rank the lower document number first
 * (index/topk.h), so results are deterministic; the GEMM's results do not
 * depend on the thread count either. */
#ifndef LE_INDEX_DENSE_H
#define LE_INDEX_DENSE_H

#include "index/topk.h"
#include "kernels/gemm.h"

#include <stddef.h>

#define LE_DENSE_BLOCK 4096
#define LE_DENSE_QBLOCK 64

typedef struct le_dense {
    int dim;
    size_t n;
    size_t n_blocks;
    le_gemm_weight **blocks; /* block b holds documents [b·LE_DENSE_BLOCK, …) */
} le_dense;

/* Packs n vectors of dim floats (row-major) for isa. */
le_status le_dense_build(le_dense *d, const float *vecs, size_t n, int dim, le_isa isa,
                         le_error *err);
void le_dense_free(le_dense *d);

/* For each of nq queries (row-major, dim floats each): the best k documents,
 * best first, in hits[i·k ..], and their number (min(k, n)) in counts[i]. */
le_status le_dense_search(const le_dense *d, const le_kctx *kc, const float *queries, size_t nq,
                          int k, le_hit *hits, int *counts, le_error *err);

/* The scores of one query (dim floats) against every vector, in order:
 * scores[0..n), block by block (the passage scan of an index). */
void le_dense_scores(const le_dense *d, const le_kctx *kc, const float *query, float *scores);

/* Exact search over groups of vectors (a document's passages): group g is
 * vecs[first[g] .. first[g+1]) (dim floats each); for each of nq queries
 * the best k groups by their best vector (MaxP), best first, into
 * hits[q·k ..] and their number into counts[q]. Empty groups never rank. */
le_status le_dense_search_groups(const float *vecs, const size_t *first, size_t n_groups, int dim,
                                 const le_kctx *kc, const float *queries, size_t nq, int k,
                                 le_hit *hits, int *counts, le_error *err);

/* A document's score from its passages' scores sc[0..n): the best (MaxP),
 * or with topk > 1 the mean of its best topk (top: room for topk floats);
 * *best gets the best passage. */
float le_dense_group_score(const float *sc, size_t n, size_t topk, float *top, uint32_t *best);

#endif
