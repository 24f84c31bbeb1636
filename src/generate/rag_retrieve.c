/* Index-backed retrieval and the union in document order (rag_retrieve.h). */
#include "generate/rag_retrieve.h"

#include "base/array.h"

#include <stdlib.h>
#include <string.h>

static int passes(const le_rag_index_source *src, const char *id) {
    const char *p = src->id_prefix;
    return !p || !*p || !strncmp(id, p, strlen(p));
}

/* The passage of hit h into *out (its best passage, else the document). */
static le_status hit_passage(const le_rag_index_source *src, const le_index_hit *h,
                             const le_hit_passage *where, le_rag_passage *out, le_error *err) {
    le_index_doc_info d;
    le_status s = le_index_get_doc(src->ix, h->doc, &d, err);
    if (s) return s;
    if (!d.text) return le_fail(err, LE_ERR_ARG, "the index does not store its texts");
    out->doc = h->doc;
    out->id = d.id;
    out->score = h->score;
    out->byte_start = where->passage >= 0 ? where->byte_start : 0;
    out->byte_end = where->passage >= 0 ? where->byte_end : d.text_len;
    if (out->byte_end > d.text_len || out->byte_start > out->byte_end)
        return le_fail(err, LE_ERR_FORMAT, "document %s: a passage past its text", d.id);
    out->text = d.text + out->byte_start;
    return LE_OK;
}

/* One search for k' hits; the passing ones (at most k) into out. */
static le_status search_round(le_rag_index_source *src, const char *query, int kk, int k,
                              le_rag_passage *out, int *n, le_error *err) {
    le_index_hit *hits = calloc((size_t)kk, sizeof *hits);
    le_hit_passage *where = calloc((size_t)kk, sizeof *where);
    le_status s = hits && where ? LE_OK : le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_search_options so = src->search;
    so.k = kk;
    so.passages = where;
    int got = 0;
    if (!s) s = le_index_search_text(src->ix, src->model, query, &so, hits, &got, err);
    *n = 0;
    for (int i = 0; !s && i < got && *n < k; i++) {
        le_index_doc_info d;
        s = le_index_get_doc(src->ix, hits[i].doc, &d, err);
        if (!s && passes(src, d.id)) s = hit_passage(src, &hits[i], &where[i], &out[(*n)++], err);
    }
    free(hits);
    free(where);
    return s;
}

/* The retriever's call: k' = k, then 4k' per round until k hits pass the
 * prefix or every document was ranked. */
static le_status index_retrieve(void *ctx, const char *query, int k, le_rag_passage *out, int *n,
                                le_error *err) {
    le_rag_index_source *src = ctx;
    size_t docs = le_index_count(src->ix);
    *n = 0;
    if (k <= 0) return LE_OK;
    for (size_t kk = (size_t)k;; kk *= 4) {
        if (kk > docs) kk = docs;
        le_status s = search_round(src, query, (int)kk, k, out, n, err);
        if (s || *n >= k || kk >= docs || kk > (size_t)1 << 26) return s;
    }
}

le_status le_rag_index_retriever(le_rag_index_source *src, le_rag_retriever *r, le_error *err) {
    le_index_info info;
    le_index_get_info(src->ix, &info);
    if (le_index_count(src->ix) == 0)
        return le_fail(err, LE_ERR_ARG, "the index holds no documents: nothing to answer from");
    if (!info.store_text)
        return le_fail(err, LE_ERR_ARG, "the index does not store its texts (built with "
                       "store_text 0): the pipelines need the passages' text");
    size_t pass = 0;
    for (size_t d = 0; d < le_index_count(src->ix) && !pass; d++) {
        le_index_doc_info di;
        if (le_index_get_doc(src->ix, d, &di, NULL) == LE_OK && passes(src, di.id)) pass++;
    }
    if (!pass)
        return le_fail(err, LE_ERR_ARG, "no document of the index has an id starting with \"%s\"",
                       src->id_prefix);
    r->ctx = src;
    r->retrieve = index_retrieve;
    le_rag_passage probe;
    int n = 0;
    le_status s = index_retrieve(src, "probe", 1, &probe, &n, err);
    return s ? le_error_wrap(err, s, "retrieval") : LE_OK;
}

static int by_doc_order(const void *a, const void *b) {
    const le_rag_passage *x = a, *y = b;
    if (x->doc != y->doc) return x->doc < y->doc ? -1 : 1;
    if (x->byte_start != y->byte_start) return x->byte_start < y->byte_start ? -1 : 1;
    return (x->byte_end > y->byte_end) - (x->byte_end < y->byte_end);
}

size_t le_rag_doc_order(le_rag_passage *p, size_t n) {
    if (n < 2) return n;
    qsort(p, n, sizeof *p, by_doc_order);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (by_doc_order(&p[i], &p[k - 1])) p[k++] = p[i];
    return k;
}

le_status le_rag_retrieve_union(const le_rag_retriever *r, const char *const *queries, size_t nq,
                                int k, le_rag_passage **out, size_t *n_out, le_error *err) {
    *out = NULL;
    *n_out = 0;
    if (k <= 0 || nq == 0) return LE_OK;
    le_rag_passage *all = calloc(nq * (size_t)k, sizeof *all);
    if (!all) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t q = 0; q < nq; q++) {
        int got = 0;
        le_status s = r->retrieve(r->ctx, queries[q], k, all + n, &got, err);
        if (s) {
            free(all);
            return le_error_wrap(err, s, "retrieving for \"%.80s\"", queries[q]);
        }
        n += (size_t)got;
    }
    *n_out = le_rag_doc_order(all, n);
    *out = all;
    return LE_OK;
}
