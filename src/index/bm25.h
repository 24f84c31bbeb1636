/* An in-memory BM25 (Okapi) inverted index.
 *
 * Layout (flat arrays, ready to be written to an index file as they are):
 *  - the term dictionary: n_terms terms sorted bytewise, their bytes back to
 *    back in term_bytes, term i at term_bytes[term_off[i] .. term_off[i+1]);
 *  - postings: term i's postings are post_doc/post_tf[post_off[i] ..
 *    post_off[i+1]), in increasing document order, with the term's count in
 *    that document (its document frequency is the length of that range);
 *  - doc_len[d]: the number of terms of document d after analysis.
 *
 * Scoring, for a query's distinct terms t (terms the index does not hold
 * add nothing; a term repeated in the query counts once):
 *   score(d) = Σ_t idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl))
 *   idf(t)   = ln(1 + (N − df + 0.5) / (df + 0.5))
 * with tf the term's count in d, dl = doc_len[d], avgdl the mean document
 * length and N the number of documents. Only documents that hold at least
 * one query term are ranked. Sums run in double, in the query's term order. */
#ifndef LE_INDEX_BM25_H
#define LE_INDEX_BM25_H

#include "index/analyzer.h"
#include "index/topk.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct le_bm25_params {
    double k1; /* term-frequency saturation, >= 0 (default 1.2) */
    double b;  /* length normalisation, 0..1 (default 0.75) */
} le_bm25_params;

void le_bm25_params_init(le_bm25_params *p);

typedef struct le_bm25 {
    le_analyzer_options analyzer;
    uint32_t n_docs;
    uint32_t n_terms;
    uint64_t total_len; /* Σ doc_len */
    char *term_bytes;
    uint64_t *term_off; /* [n_terms + 1] */
    uint64_t *post_off; /* [n_terms + 1] */
    uint32_t *post_doc;
    uint32_t *post_tf;
    uint32_t *doc_len; /* [n_docs] */
} le_bm25;

/* Indexes n texts (lens may be NULL: NUL-terminated); document d is texts[d]. */
le_status le_bm25_build(le_bm25 *ix, size_t n, const char *const *texts, const size_t *lens,
                        const le_analyzer_options *ao, le_error *err);
void le_bm25_free(le_bm25 *ix);

/* The BM25 postings of the live documents of several indexes as one
 * index, numbered in order (what le_bm25_build over their texts gives);
 * deleted[i] is src i's deletion bitmap (index/bitmap.h) or NULL, and
 * deleted itself may be NULL. */
le_status le_bm25_merge(le_bm25 *out, const le_analyzer_options *ao, int n_src,
                        const le_bm25 *const *src, const uint8_t *const *deleted, le_error *err);

/* The byte order of the dictionary: < 0, 0 or > 0 as a[0..la) sorts
 * before, with or after b[0..lb) (a prefix sorts first). */
static inline int le_bm25_term_cmp(const char *a, size_t la, const char *b, size_t lb) {
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : la > lb;
}

/* The scoring formula (above) in two steps: the idf of a term held by df of
 * n documents, and the score of a term of that idf occurring tf times in a
 * text of length dl against the mean length avgdl (the length norm is 1
 * when avgdl is 0). */
static inline double le_bm25_idf(double n, double df) {
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}
static inline double le_bm25_term_score(const le_bm25_params *p, double idf, double tf, double dl,
                                        double avgdl) {
    double norm = avgdl > 0 ? 1.0 - p->b + p->b * dl / avgdl : 1.0;
    return idf * tf * (p->k1 + 1.0) / (tf + p->k1 * norm);
}

/* The number of the term s[0..len) (already analyzed), or -1. */
long le_bm25_find_term(const le_bm25 *ix, const char *s, size_t len);

/* Reusable per-searcher memory (one per thread). */
typedef struct le_bm25_scratch {
    double *acc;       /* [n_docs], zero between searches */
    uint32_t *touched; /* documents with a non-zero accumulator */
    size_t cap;
    le_terms terms;
} le_bm25_scratch;

void le_bm25_scratch_free(le_bm25_scratch *s);

/* Ranks the documents for query text q[0..qlen) (analyzed like the
 * documents) and writes the best k to hits, best first; *n_out gets their
 * number (fewer than k when fewer documents match). */
le_status le_bm25_search(const le_bm25 *ix, const le_bm25_params *p, const char *q, size_t qlen,
                         int k, le_bm25_scratch *s, le_hit *hits, int *n_out, le_error *err);

#endif
