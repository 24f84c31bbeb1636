/* The index object behind the public le_index / le_index_writer API
 * (longembed.h): a snapshot of one committed index file, its segments and
 * deletions, and the lazily built search structures. */
#ifndef LE_INDEX_INDEX_H
#define LE_INDEX_INDEX_H

#include "base/map.h"
#include "base/mapfile.h"
#include "base/pool.h"
#include "index/dense.h"
#include "index/hnsw.h"
#include "index/segment.h"

struct le_index {
    char *path;
    le_mapfile map;            /* the whole file (or memory given to le_index_open_memory) */
    const unsigned char *base; /* == map.data */
    uint64_t size;
    uint64_t generation;
    uint32_t version;          /* the file's format version */
    le_index_model model;
    le_index_options settings; /* the index's settings (creation fields) */
    le_seg_params params;
    int n_seg;
    le_segment *seg;
    uint64_t *seg_off, *seg_len; /* where each segment lies in the file */
    uint32_t *seg_dir_crc;
    const uint8_t **del;         /* deletion bitmaps (NULL: none) */
    uint32_t *n_del;
    uint32_t *first;             /* [n_seg + 1]: live number of each segment's first live doc */
    uint32_t **local_of;         /* per segment with deletions: live offset → local doc */
    uint32_t **ord_of;           /* per segment with deletions: local doc → live number or -1 */
    size_t n_live;
    /* built on first use */
    le_pool *pool;
    int threads;
    le_kctx kc;
    le_dense *dense;       /* per segment, exact fp32 search */
    int *dense_ready;
    le_bm25 bm25_merged;   /* BM25 over all live documents when one segment view is not enough */
    int bm25_state;        /* 0 not ready, 1 view, 2 merged */
    const le_bm25 *bm25;
    le_bm25_scratch bm25_scratch;
    le_hnsw_scratch hnsw_scratch;
    le_map ids; /* id (borrowed from the segments) -> live document number */
    int ids_ready;
    double *acc;           /* [n_live], sparse scoring */
    uint32_t *touched;
    /* passage search (passage_search.c) */
    le_dense *pdense;      /* per segment, its passage vectors packed (f32) */
    int *pdense_ready;
    float *pscores;        /* scores of one segment's passages */
    size_t pscores_cap;
    uint32_t *pbest;       /* [n_live]: the best passage of each document in the last dense scan */
    float *pbest_score;    /* [n_live]: its score */
};

/* Opens an index held in memory (data 8-byte aligned, kept by the caller
 * while the index is open): the reader of the fuzz target. opt->verify < 0
 * (also accepted by le_index_open, for fuzzing only) skips every checksum,
 * so that mutated files reach the structural checks. */
le_status le_index_open_memory(const void *data, size_t size, const le_index_options *opt,
                               le_index **out, le_error *err);

/* The segment parameters of an index of model m and settings st: what
 * every segment of it shares (a new index's first commit and opening a file
 * both derive them). */
void le_index_seg_params(le_seg_params *p, const le_index_model *m, const le_index_options *st);

/* 1 when the passage identity of m is consistent: passage_tokens >= 0 (0:
 * none, and then overlap and mode 0), 0 <= overlap < tokens, a known mode,
 * and dense vectors to go with passages. */
int le_index_passages_valid(const le_index_model *m);
/* "model \"NAME\" (D dims, P pooling, extend E, max tokens N)", or "no
 * model (BM25 only)": an index's identity in messages. */
void le_index_model_summary(const le_index_model *m, char *buf, size_t cap);
/* LE_OK when a query's text is valid UTF-8; else LE_ERR_UTF8 with "search:
 * the query is not valid UTF-8 at byte B" (the one rule for texts, which
 * BM25 alone would have taken, bad bytes as separators). */
le_status le_index_query_check(const char *text, size_t len, le_error *err);
/* max_tokens as messages say it: the number, or "the method's default" for 0. */
const char *le_max_tokens_text(int max_tokens, char buf[32]);

/* The (segment, local document) of live document number doc. */
void le_index_locate(const le_index *ix, size_t doc, int *seg, uint32_t *local);

/* The live number of document local of segment seg (not deleted). */
static inline uint32_t le_index_live_number(const le_index *ix, int seg, uint32_t local) {
    return ix->ord_of[seg] ? ix->ord_of[seg][local] : ix->first[seg] + local;
}

/* Fault injection at each step of a commit: base/fault.h (le_fault_set_hook). */

#endif
