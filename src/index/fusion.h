/* Fusion of several rankings of one query into one (hybrid retrieval).
 *
 * Min-max weighted sum: each list's scores are mapped to [0, 1] by
 *   (s − min) / (max − min)
 * over that list's hits (a list whose hits all score the same maps them to
 * 1); a document's fused score is Σ_i weight_i · normalised_i, where a list
 * that does not hold the document adds 0.
 *
 * Z-score (the default of hybrid search, docs/retrieval.md): each list's
 * scores are standardised over the union U of all the lists' documents,
 * a document the list lacks counted at the list's floor f:
 *   (s − f) / σ,   σ the standard deviation over U
 * so a document missing from the list adds 0. The floor is what the caller
 * knows a missing document scores at most (BM25: 0, the score of a document
 * without any query term; NaN: the list's lowest hit, for a list cut at its
 * best candidates). Each retriever thus weighs in by how far a document
 * stands out from all the candidates, whatever the scale of its scores and
 * however many hits its list has: BM25's only match among 100 documents
 * stands about 10 σ out. (A list whose σ is 0 gives its hits 1.)
 *
 * Reciprocal rank fusion (RRF): a document's fused score is
 *   Σ_i weight_i / (k_rrf + rank_i)
 * with rank_i its 1-based rank in list i (lists that do not hold it add 0);
 * k_rrf = 60 is the usual constant.
 *
 * The fused ranking is in the index layer's order (higher score first, ties
 * by lower document number) and keeps the best k. Lists must be best first,
 * without repeated documents. */
#ifndef LE_INDEX_FUSION_H
#define LE_INDEX_FUSION_H

#include "base/error.h"
#include "index/topk.h"

#define LE_RRF_K 60.0

typedef enum le_fusion_kind {
    LE_FUSION_MINMAX = 0,
    LE_FUSION_RRF = 1,
    LE_FUSION_ZSCORE = 2
} le_fusion_kind;

#define LE_FUSE_MAX_LISTS 8

/* lists[i] holds counts[i] hits (at most LE_FUSE_MAX_LISTS lists); weights
 * may be NULL (all 1), floors too (all NaN; z-score only). Writes at most k
 * hits to out and their number to *n_out. rrf_k is used by RRF only. */
le_status le_fuse(le_fusion_kind kind, int n_lists, const le_hit *const *lists, const int *counts,
                  const double *weights, const double *floors, double rrf_k, int k, le_hit *out,
                  int *n_out, le_error *err);

/* Z-scores in place, as the fusion's: (v − min) / σ over v[0..n); each
 * gets `alike` when they are all alike (the fusion: 1). */
void le_zscore(double *v, size_t n, double alike);

#endif
