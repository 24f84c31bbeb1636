/* Retrieval metrics, per query and averaged over a split's queries.
 *
 * For a query with judgements rel(d) (documents without a judgement count
 * as 0; a judgement counts as relevant when > 0) and a ranking r_1, r_2, …:
 *   nDCG@k    = DCG@k / IDCG@k, DCG@k = Σ_{i≤k} rel(r_i) / log2(i + 1), and
 *               IDCG@k the DCG@k of the judgements sorted best first (linear
 *               gain, as pytrec_eval and BEIR compute it)
 *   Recall@k  = |relevant documents among r_1..r_k| / |relevant documents|
 *   MRR@k     = 1 / (rank of the first relevant document), 0 if none in top k
 *   Acc@1     = 1 when r_1 is relevant, else 0 (= nDCG@1 with one relevant
 *               document, the synthetic tasks' score)
 * A split's value is the mean over its queries that have at least one
 * relevant document (the others are counted in `skipped`). Rankings
 * shorter than k are fine; documents past k are not looked at. */
#ifndef LE_EVAL_METRICS_H
#define LE_EVAL_METRICS_H

#include "eval/task.h"
#include "index/topk.h"

#include <stddef.h>
#include <stdint.h>

enum { LE_METRIC_NDCG = 0, LE_METRIC_RECALL, LE_METRIC_MRR, LE_METRIC_ACC1, LE_N_METRICS };

/* "ndcg@10", "recall@10", "mrr@10", "acc@1" for metric m at cut-off k. */
void le_metric_name(int m, int k, char *buf, size_t cap);

typedef struct le_metrics {
    double value[LE_N_METRICS]; /* means in [0, 1] */
    size_t queries;             /* queries averaged */
    size_t skipped;             /* queries without a relevant document */
} le_metrics;

/* One query: ranked documents (best first), its judgements sorted by
 * document (as le_split_qrels_of gives them). Returns 0 when the query has
 * no relevant document (out untouched). */
int le_metrics_query(const uint32_t *ranked, size_t n_ranked, const le_qrel *judged,
                     size_t n_judged, int k, double out[LE_N_METRICS]);

/* A split: query i's ranking is hits[i·stride ..] with counts[i] hits. */
void le_metrics_split(const le_split *s, const le_hit *hits, size_t stride, const int *counts,
                      int k, le_metrics *out);

#endif
