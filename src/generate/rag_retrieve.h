/* Retrieval for the QA pipelines over a longembed index (through the
 * public API): a passage per hit (the hit's best passage in an index with
 * passages, else the whole document), optionally only among documents
 * whose id starts with a prefix (e.g. the chunks of one meeting), and the
 * union of several queries' hits in document order (MemoRAG's retrieve). */
#ifndef LE_GENERATE_RAG_RETRIEVE_H
#define LE_GENERATE_RAG_RETRIEVE_H

#include "generate/rag_gen.h"

typedef struct le_rag_index_source {
    le_index *ix;             /* open, with stored texts */
    le_model *model;          /* the index's model; NULL for a BM25-only index */
    le_search_options search; /* mode etc.; k and passages are set per call */
    const char *id_prefix;    /* NULL or "": every document */
} le_rag_index_source;

/* Makes r retrieve from src (which must outlive r): checks that the index
 * stores texts, that some document passes the prefix, and with one probe
 * search that the model is the index's, each with a clear error. */
le_status le_rag_index_retriever(le_rag_index_source *src, le_rag_retriever *r, le_error *err);

/* Sorts p[0..n) into document order (doc, then byte_start) and drops
 * repeats of the same span; returns the new count. */
size_t le_rag_doc_order(le_rag_passage *p, size_t n);

/* MemoRAG's retrieve: the top k of each query in queries[0..nq) through r,
 * their union in document order into *out (malloc'd; *n_out passages). */
le_status le_rag_retrieve_union(const le_rag_retriever *r, const char *const *queries, size_t nq,
                                int k, le_rag_passage **out, size_t *n_out, le_error *err);

#endif
