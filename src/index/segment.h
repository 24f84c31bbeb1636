/* A segment: an immutable batch of documents with everything searched over
 * them: the document table, dense vectors, BM25 postings, an optional HNSW
 * graph, learned-sparse postings and multi-vectors (index_format.h).
 *
 * One struct serves two cases: a view of a segment inside a mapped index
 * file (le_segment_parse: every array points into the mapping), and a fresh
 * segment built in memory (le_segment_build, le_segment_merge: the arrays are
 * owned) that le_segment_write serialises. Documents are numbered 0..n_docs-1
 * inside the segment. */
#ifndef LE_INDEX_SEGMENT_H
#define LE_INDEX_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/pool.h"
#include "index/bitmap.h"
#include "index/bm25.h"
#include "index/hnsw.h"
#include "index/index_format.h"

/* What every segment of one index shares. */
typedef struct le_seg_params {
    int dim;       /* 0: no dense vectors */
    int encoding;  /* LE_VEC_F32 or LE_VEC_I8 */
    int multi_dim; /* 0: no multi-vectors */
    int sparse;    /* 1: learned-sparse postings (sparse_vocab > 0) */
    int passages;  /* 1: passage sections (passage_tokens > 0) */
    uint32_t sparse_vocab;
    int store_text;
    le_analyzer_options analyzer;
    le_hnsw_params hnsw;
    uint32_t hnsw_min_docs; /* fewer documents: no graph */
    double hnsw_target;     /* recall@10 the calibrated beam must reach (0.99) */
} le_seg_params;

typedef struct le_segment {
    uint32_t n_docs;
    const le_doc_rec *docs;
    const char *strings;
    uint64_t strings_len;
    /* dense */
    int dim, encoding;
    const float *f32;
    const int8_t *i8;
    const float *scale;
    /* BM25 (a view: never le_bm25_free it unless owned) */
    le_bm25 bm25;
    /* HNSW */
    int has_hnsw;
    le_hnsw hnsw;
    int hnsw_efc;
    int hnsw_ef;           /* calibrated default beam (le_hnsw_calibrate) */
    double hnsw_recall;    /* its sample recall@10 (fresh segments only) */
    /* learned sparse: term ids ascending, postings by document */
    int has_sparse;
    uint32_t sp_n_terms;
    uint64_t sp_n_post;
    const uint32_t *sp_terms;
    const uint64_t *sp_off;
    const uint32_t *sp_doc;
    const float *sp_w;
    /* multi-vectors: document d's are mv[mv_off[d] .. mv_off[d+1]) rows */
    int multi_dim;
    uint64_t mv_total;
    const uint64_t *mv_off;
    const float *mv;
    /* passages: document d's are pass[pass_off[d] .. pass_off[d+1]), with
       vectors in the index's encoding (pass_f32, or pass_i8 and pass_scale) */
    uint64_t n_pass;
    const uint64_t *pass_off;
    const le_pass_rec *pass;
    const float *pass_f32;
    const int8_t *pass_i8;
    const float *pass_scale;
    /* a fresh segment owns its arrays */
    int owned;
    int bm25_owned;
} le_segment;

void le_segment_free(le_segment *s);

/* Checks and maps the segment at base[0..size) (base 8-byte aligned). Every
 * offset, count and link is checked so that searching cannot read out of
 * bounds; check_crc also verifies every section's checksum. dir_crc, when
 * not NULL, is the directory checksum the manifest holds. */
le_status le_segment_parse(le_segment *s, const unsigned char *base, uint64_t size,
                           const le_seg_params *p, const uint32_t *dir_crc, int check_crc,
                           le_error *err);

/* Deep checks (le_index_verify --deep): postings sum to the document
 * lengths, stored texts analyse to the stored postings, passages are in
 * order on character boundaries with finite vectors. */
le_status le_segment_check_deep(const le_segment *s, le_error *err);

/* Input of le_segment_build: one document. */
typedef struct le_seg_doc {
    const char *id, *source, *title;
    const char *text;
    size_t text_len;
    uint64_t source_offset;
    uint32_t tokens, tokens_in_text;
    int truncated;
    const float *dense;
    size_t n_sparse;
    const uint32_t *sparse_ids;
    const float *sparse_weights;
    size_t n_multi;
    const float *multi;
    size_t n_pass; /* passages (an index with passages: >= 1) */
    const le_pass_rec *pass;
    const float *pass_vecs; /* n_pass × dim */
} le_seg_doc;

/* A fresh segment over docs[0..n). with_graph: build the HNSW graph (when
 * the segment has at least hnsw_min_docs documents). */
le_status le_segment_build(le_segment *s, const le_seg_params *p, size_t n, const le_seg_doc *docs,
                           int with_graph, le_pool *pool, le_error *err);

/* A fresh segment holding the live documents of src[0..n_src) in order
 * (deleted[i] is src i's deletion bitmap or NULL), with a new graph. */
le_status le_segment_merge(le_segment *s, const le_seg_params *p, int n_src,
                           const le_segment *const *src, const uint8_t *const *deleted,
                           le_pool *pool, le_error *err);

/* Serialised size and bytes. The writer calls out(user, bytes, len) in
 * order; a non-zero return stops with LE_ERR_IO. *dir_crc receives the
 * directory's checksum (kept in the manifest). */
typedef int (*le_sink_fn)(void *user, const void *data, size_t len);
le_status le_segment_write(const le_segment *s, le_sink_fn out, void *user, uint64_t *size_out,
                           uint32_t *dir_crc, le_error *err);

/* Bytes per part, for le_index_get_info. */
typedef struct le_seg_sizes {
    uint64_t docs, text, dense, bm25, hnsw, sparse, multi, passages;
} le_seg_sizes;
void le_segment_sizes(const le_segment *s, le_seg_sizes *acc);

/* The strings of document d (NUL-terminated). */
static inline const char *le_seg_str(const le_segment *s, uint64_t off) { return s->strings + off; }

#endif
