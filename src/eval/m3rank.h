/* The benchmark's BGE-M3 retrievers: sparse (the lexical matching score),
 * colbert (MaxSim) and m3 (compute_score's weighted mean of dense, sparse
 * and colbert), each an exact ranking of every document by le_m3_score. */
#ifndef LE_EVAL_M3RANK_H
#define LE_EVAL_M3RANK_H

#include "eval/task.h"
#include "index/topk.h"
#include "longembed.h"

enum { LE_M3_SPARSE = 0, LE_M3_COLBERT, LE_M3_COMBINED, LE_M3_N };

/* BGE-M3's recommended weights of dense, sparse and colbert for m3 (its
 * model card; compute_score's own default is 1, 1, 1). */
extern const double le_m3_bench_weights[3];

/* Embeds docs (doc_opt) and queries (query_opt) with le_embed_m3, then for
 * each query q ranks every document by each of the three scores:
 * hits[r][q * depth ..] (best first) and counts[r][q], r = LE_M3_*. The
 * documents' outputs (ColBERT vectors: one per token) are held for the
 * whole split. */
le_status le_bench_m3_rank(le_model *m, const le_embed_options *doc_opt,
                           const le_embed_options *query_opt, const le_texts *docs,
                           const le_texts *queries, size_t depth, le_hit *hits[LE_M3_N],
                           int *counts[LE_M3_N], le_error *err);

#endif
