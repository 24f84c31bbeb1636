/* HNSW (hierarchical navigable small world) graphs over the dense vectors of
 * one index segment, for approximate top-k by inner product (cosine on
 * L2-normalised vectors).
 *
 * Layout (flat arrays, written to the index file as they are):
 *  - levels[n]: the top layer of each node (0 = only the base layer);
 *  - links0[n][m0 + 1]: base-layer neighbours, slot 0 holds the count;
 *  - upper_off[n + 1] and upper[]: node i's layers 1..levels[i] take
 *    (m + 1) slots each (count, then neighbours) at
 *    upper[upper_off[i] + (l − 1)(m + 1)].
 *
 * Building is deterministic whatever the thread count: nodes are inserted in
 * batches; within a batch each node searches the graph as it was before the
 * batch (in parallel) plus, exactly, the batch's earlier nodes, picks its
 * neighbours with the usual diversity heuristic, and then the reverse links
 * are applied per target node in node order. The result equals inserting
 * the nodes one by one in order, except that a node does not see links
 * added by earlier nodes of its own batch while it searches. */
#ifndef LE_INDEX_HNSW_H
#define LE_INDEX_HNSW_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/pool.h"
#include "index/topk.h"

#define LE_HNSW_MAX_LEVEL 24
#define LE_HNSW_MAX_M 256

typedef struct le_hnsw_params {
    int m;               /* neighbours per node on upper layers; the base layer has 2m */
    int ef_construction; /* beam width while inserting */
    uint64_t seed;       /* for the node levels */
} le_hnsw_params;

void le_hnsw_params_init(le_hnsw_params *p); /* m 16, ef_construction 200 */

/* The vectors a graph is over: fp32 rows, or int8 rows with a scale each. */
typedef struct le_vecs {
    int dim;
    size_t n;
    const float *f32;    /* [n][dim], or NULL */
    const int8_t *i8;    /* [n][dim] when f32 is NULL */
    const float *scale;  /* [n] */
} le_vecs;

typedef struct le_hnsw {
    uint32_t n;
    int m, m0;
    int max_level;
    uint32_t entry;
    const uint8_t *levels;
    const uint32_t *links0;
    const uint64_t *upper_off;
    const uint32_t *upper;
    uint64_t n_upper; /* slots in upper */
    int owned;        /* 1: the arrays were allocated by le_hnsw_build */
} le_hnsw;

le_status le_hnsw_build(le_hnsw *g, const le_vecs *v, const le_hnsw_params *p, le_pool *pool,
                        le_error *err);
void le_hnsw_free(le_hnsw *g);

/* Checks a graph read from a file: every count, link and offset in range,
 * every upper-layer link pointing at a node that has that layer, the entry
 * on the top layer. After this, searching cannot go out of bounds. */
le_status le_hnsw_validate(const le_hnsw *g, le_error *err);

/* Per-searcher memory (one per thread). */
typedef struct le_hnsw_scratch {
    uint32_t *visited; /* stamps, [cap] */
    uint32_t stamp;
    size_t cap;
    le_hit *cand, *res; /* heaps */
    size_t cand_cap, res_cap;
    float *qbuf; /* dequantised int8 query while building */
} le_hnsw_scratch;

void le_hnsw_scratch_free(le_hnsw_scratch *s);

/* The best k nodes for query q (dim floats) by inner product, best first,
 * written to out; returns their number, or -1 when out of memory. ef is the
 * beam width (raised to k). Nodes whose bit is set in skip (may be NULL) are
 * walked through but not returned. */
int le_hnsw_search(const le_hnsw *g, const le_vecs *v, const float *q, int k, int ef,
                   const uint8_t *skip, le_hnsw_scratch *s, le_hit *out);

/* Calibrates the search beam: the smallest ef on a ladder (16 … 16384)
 * whose recall@10 against exact search reaches target on up to 200 sample
 * queries drawn from the graph's own vectors, each searched for with its own
 * node taken out of the graph (a query from outside the collection), so
 * that default searches get that recall whatever the data: easy
 * (clustered, real embeddings) data gets a small beam, hard (uniformly
 * random) data a large one. *recall_out (may be NULL) gets the sample
 * recall at the chosen ef. Returns the ef, or -1 when out of memory. */
int le_hnsw_calibrate(const le_hnsw *g, const le_vecs *v, double target, le_pool *pool,
                      double *recall_out);

/* Bytes the graph takes. */
size_t le_hnsw_bytes(const le_hnsw *g);

#endif
