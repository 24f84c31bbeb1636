/* The index meets the model (so it lives in the embed layer, which may use
 * src/index): the identity of an embedding configuration,
 * adding texts (embedded as the index says) and searching with a text
 * query. This file calls the embedding layer through the public API
 * (le_model_get_info, le_embed), as a client would, except for BGE-M3's
 * outputs with passages (m3.h: le_embed_m3_passages); the rest of src/index
 * knows nothing of models. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/options.h"
#include "embed/m3.h"
#include "index/index.h"

static void copy_field(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

/* A BGE-M3 model (its head files present) also fills the learned-sparse
 * section (term ids = token ids) and the multi-vector one (ColBERT vectors,
 * whose size one short probe tells). */
static le_status describe_m3(le_model *m, const le_model_info *info, le_index_model *out,
                             le_error *err) {
    if (!le_model_has_m3(m)) return LE_OK;
    const char *probe = "a";
    le_m3_output o;
    le_status st = le_embed_m3(m, 1, &probe, NULL, NULL, &o, NULL, err);
    if (st) return le_error_wrap(err, st, "index: the model's BGE-M3 heads");
    out->sparse_vocab = info->vocab_size;
    out->multi_dim = o.colbert_dim;
    le_m3_output_free(&o, 1);
    return LE_OK;
}

le_status le_index_model_describe(le_model *m, const char *spec, const le_embed_options *opt,
                                  le_index_model *out, le_error *err) {
    le_index_model_init(out);
    le_model_info info;
    le_status st = le_model_get_info(m, &info);
    if (st) return le_fail(err, st, "index: cannot describe the model");
    le_embed_options given;
    le_embed_options_init(&given);
    if ((st = le_options_take(&given, sizeof given, opt, "le_embed_options", err))) return st;
    opt = &given;
    const char *s = spec ? spec : info.directory;
    if (strlen(s) >= sizeof out->model)
        return le_fail(err, LE_ERR_ARG, "index: the model path is longer than %zu bytes",
                       sizeof out->model - 1);
    copy_field(out->model, sizeof out->model, s);
    copy_field(out->name, sizeof out->name, info.name);
    copy_field(out->architecture, sizeof out->architecture, info.architecture);
    out->hidden_size = info.hidden_size;
    out->num_layers = info.num_layers;
    out->vocab_size = info.vocab_size;
    out->window = info.window;
    out->dim = le_model_dim(m);
    copy_field(out->pooling, sizeof out->pooling, opt->pooling ? opt->pooling : info.pooling);
    out->normalize = opt->normalize < 0 ? info.normalize : opt->normalize;
    out->extend = opt->extend;
    out->attn_scale = opt->attn_scale;
    out->position_stride = opt->position_stride ? opt->position_stride : info.position_stride;
    if (out->position_stride < 1) out->position_stride = 1;
    out->max_tokens = opt->max_tokens; /* 0: the method's default, decided per text */
    out->ntk_lambda = opt->ntk_lambda;
    out->rope_factor = opt->rope_factor;
    out->se_group = opt->se_group;
    out->se_window = opt->se_window;
    out->rotary_scaling_factor = opt->rotary_scaling_factor;
    const char *prefix = opt->prefix ? opt->prefix : info.passage_prefix;
    if (strlen(prefix) >= sizeof out->passage_prefix ||
        strlen(info.query_prefix) >= sizeof out->query_prefix)
        return le_fail(err, LE_ERR_ARG, "index: prefixes are limited to %zu bytes",
                       sizeof out->passage_prefix - 1);
    copy_field(out->passage_prefix, sizeof out->passage_prefix, prefix);
    copy_field(out->query_prefix, sizeof out->query_prefix, info.query_prefix);
    return describe_m3(m, &info, out, err);
}

void le_index_model_embed_options(const le_index_model *im, le_embed_role role,
                                  le_embed_options *eo) {
    le_embed_options_init(eo);
    eo->prefix = role == LE_EMBED_QUERIES ? im->query_prefix : im->passage_prefix;
    eo->truncate = role == LE_EMBED_QUERIES; /* a query is cut to the document limit */
    eo->max_tokens = im->max_tokens;
    eo->normalize = im->normalize;
    eo->extend = im->extend;
    eo->attn_scale = im->attn_scale;
    eo->position_stride = im->position_stride;
    eo->pooling = im->pooling;
    eo->ntk_lambda = im->ntk_lambda;
    eo->rope_factor = im->rope_factor;
    eo->se_group = im->se_group;
    eo->se_window = im->se_window;
    eo->rotary_scaling_factor = im->rotary_scaling_factor;
}

le_status le_index_model_set_passages(le_index_model *im, le_model *m,
                                      const le_passage_options *po_in, le_error *err) {
    if (!im || !m) return le_fail(err, LE_ERR_ARG, "missing argument");
    le_passage_options po;
    le_passage_options_init(&po);
    le_status st = le_options_take(&po, sizeof po, po_in, "le_passage_options", err);
    le_embed_options eo;
    le_index_model_embed_options(im, LE_EMBED_DOCUMENTS, &eo);
    int tokens = 0, overlap = 0;
    if (!st) st = le_passage_tokens(m, &eo, &po, &tokens, &overlap, err);
    if (st) return le_error_wrap(err, st, "index: passages");
    im->passage_tokens = tokens;
    im->passage_overlap = overlap;
    im->passage_mode = po.mode;
    return LE_OK;
}

/* The passage options of an index with passages. */
static void passage_options_of(const le_index_model *im, le_passage_options *po) {
    le_passage_options_init(po);
    po->tokens = im->passage_tokens;
    po->overlap = im->passage_overlap;
    po->mode = im->passage_mode;
}

/* Refuses a model that does not give the index's vectors. */
static le_status check_model(const le_index_model *im, le_model *m, const char *path,
                             le_error *err) {
    if (!im->dim)
        return le_fail(err, LE_ERR_ARG,
                       "%s was built without a model (BM25 only); it cannot take embeddings",
                       path);
    le_embed_options eo;
    le_index_model_embed_options(im, LE_EMBED_DOCUMENTS, &eo);
    le_index_model got;
    le_status st = le_index_model_describe(m, im->model, &eo, &got, err);
    if (st) return st;
    /* how documents are cut into passages is the index's, whatever the model */
    got.passage_tokens = im->passage_tokens;
    got.passage_overlap = im->passage_overlap;
    got.passage_mode = im->passage_mode;
    char why[512], built[400];
    le_index_model_summary(im, built, sizeof built);
    if (le_index_model_differs(im, &got, why, sizeof why))
        return le_fail(err, LE_ERR_ARG, "%s was built with %s; refusing %s", path, built, why);
    return LE_OK;
}

/* Document doc with its vector and the token counts of its embedding. */
static le_index_doc embedded(const le_index_doc *doc, const float *dense, const le_text_result *r) {
    le_index_doc d = *doc;
    d.dense = dense;
    d.tokens = r->tokens;
    d.tokens_in_text = r->tokens_in_text;
    d.truncated = r->truncated;
    return d;
}

/* docs with one vector each (vecs, n × dim) and their token counts. */
static le_status add_whole(le_index_writer *w, le_model *m, const le_embed_options *eo, size_t n,
                           const le_index_doc *docs, const char **texts, const size_t *lens,
                           le_text_result *res, le_index_doc *d, le_error *err) {
    int dim = le_index_writer_model(w)->dim;
    float *vecs = malloc(n * (size_t)dim * sizeof *vecs);
    if (!vecs) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    le_status st = le_embed(m, n, texts, lens, eo, vecs, res, err);
    for (size_t i = 0; i < n && !st; i++) {
        d[i] = embedded(&docs[i], vecs + i * (size_t)dim, &res[i]);
    }
    if (!st) st = le_index_writer_add(w, n, d, err);
    free(vecs);
    return st;
}

/* d with o's lexical weights as learned-sparse terms and ColBERT vectors
 * as multi-vectors, those the index holds. */
static void with_m3(le_index_doc *d, const le_index_model *im, const le_m3_output *o) {
    if (im->sparse_vocab) {
        d->n_sparse = o->n_lexical;
        d->sparse_ids = (const uint32_t *)o->lexical_ids; /* ids are >= 0 */
        d->sparse_weights = o->lexical_weights;
    }
    if (im->multi_dim) {
        d->n_multi = o->n_colbert;
        d->multi = o->colbert;
    }
}

/* docs with BGE-M3's three outputs: dense, lexical weights as learned-sparse
 * terms, ColBERT vectors as multi-vectors. */
static le_status add_m3(le_index_writer *w, le_model *m, const le_embed_options *eo, size_t n,
                        const le_index_doc *docs, const char **texts, const size_t *lens,
                        le_text_result *res, le_index_doc *d, le_error *err) {
    const le_index_model *im = le_index_writer_model(w);
    le_m3_output *o = calloc(n, sizeof *o);
    if (!o) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    le_status st = le_embed_m3(m, n, texts, lens, eo, o, res, err);
    for (size_t i = 0; i < n && !st; i++) {
        d[i] = embedded(&docs[i], im->dim ? o[i].dense : NULL, &res[i]);
        with_m3(&d[i], im, &o[i]);
    }
    if (!st) st = le_index_writer_add(w, n, d, err);
    le_m3_output_free(o, n);
    free(o);
    return st;
}

/* docs as passages: each document's vector is the mean of its passages';
 * a BGE-M3 index also gets each document's lexical weights and ColBERT
 * vectors over all its passages (le_embed_m3_passages). */
static le_status add_passages(le_index_writer *w, le_model *m, const le_embed_options *eo,
                              size_t n, const le_index_doc *docs, const char **texts,
                              const size_t *lens, le_text_result *res, le_index_doc *d,
                              le_error *err) {
    const le_index_model *im = le_index_writer_model(w);
    le_passage_options po;
    passage_options_of(im, &po);
    le_passages *ps = NULL;
    le_index_doc_passages *dp = malloc(n * sizeof *dp);
    le_m3_output *o = im->sparse_vocab || im->multi_dim ? calloc(n, sizeof *o) : NULL;
    le_status st = LE_OK;
    if (!dp || (!o && (im->sparse_vocab || im->multi_dim)))
        st = le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    else if (o)
        st = le_embed_m3_passages(m, n, texts, lens, eo, &po, &ps, o, res, err);
    else
        st = le_embed_passages(m, n, texts, lens, eo, &po, &ps, res, err);
    for (size_t i = 0; i < n && !st; i++) {
        size_t first, count;
        le_passages_of(ps, i, &first, &count);
        d[i] = embedded(&docs[i], le_passages_documents(ps) + i * (size_t)im->dim, &res[i]);
        dp[i].n = count;
        dp[i].spans = le_passages_spans(ps) + first;
        dp[i].vectors = le_passages_vectors(ps) + first * (size_t)im->dim;
        if (o) with_m3(&d[i], im, &o[i]);
    }
    if (!st) st = le_index_writer_add_passages(w, n, d, dp, err);
    le_passages_free(ps);
    if (o) le_m3_output_free(o, n);
    free(o);
    free(dp);
    return st;
}

le_status le_index_writer_add_texts(le_index_writer *w, le_model *m, const le_embed_options *opt,
                                    size_t n, const le_index_doc *docs, le_text_result *results,
                                    le_error *err) {
    const le_index_model *im = le_index_writer_model(w);
    le_status st = check_model(im, m, "the index", err);
    if (st) return st;
    le_embed_options given;
    le_embed_options_init(&given);
    if ((st = le_options_take(&given, sizeof given, opt, "le_embed_options", err))) return st;
    if (n == 0) return LE_OK;
    le_embed_options eo;
    le_index_model_embed_options(im, LE_EMBED_DOCUMENTS, &eo);
    eo.batch_tokens = given.batch_tokens;
    eo.truncate = given.truncate;
    eo.progress = given.progress;
    eo.progress_user = given.progress_user;
    eo.cancel = given.cancel;
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    le_text_result *res = results ? results : malloc(n * sizeof *res);
    le_index_doc *d = malloc(n * sizeof *d);
    if (!texts || !lens || !res || !d) {
        st = le_fail(err, LE_ERR_NOMEM, "index: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        texts[i] = docs[i].text ? docs[i].text : "";
        lens[i] = docs[i].text ? (docs[i].text_len ? docs[i].text_len : strlen(docs[i].text)) : 0;
    }
    if (im->passage_tokens > 0)
        st = add_passages(w, m, &eo, n, docs, texts, lens, res, d, err);
    else if (im->sparse_vocab || im->multi_dim)
        st = add_m3(w, m, &eo, n, docs, texts, lens, res, d, err);
    else
        st = add_whole(w, m, &eo, n, docs, texts, lens, res, d, err);
done:
    free(texts);
    free(lens);
    if (res != results) free(res);
    free(d);
    return st;
}

/* le_embed's error about the query (text 0) as search's: "search: the
 * query: why", a too long one with search's remedy instead of embed's. */
static le_status query_error(le_error *err, le_status st) {
    if (!err) return st;
    char why[sizeof err->message];
    const char *m = err->message;
    if (!strncmp(m, "text 0: ", 8)) m += 8;
    snprintf(why, sizeof why, "%s", m);
    char *tail = strstr(why, "; pass --truncate");
    if (st == LE_ERR_TOO_LONG && tail) *tail = 0;
    le_fail(err, st, "search: the query: %s%s", why,
            st == LE_ERR_TOO_LONG ? "; search --truncate (le_search_options.truncate) cuts it"
                                  : "");
    return st;
}

/* The query's BGE-M3 outputs into q (dense, lexical weights, ColBERT
 * vectors, as the index holds them); o keeps them. */
static le_status query_m3(le_index *ix, le_model *m, const char *query, int truncate,
                          le_m3_output *o, le_index_query *q, le_error *err) {
    le_embed_options eo;
    le_index_model_embed_options(&ix->model, LE_EMBED_QUERIES, &eo);
    eo.truncate = truncate;
    le_status st = le_embed_m3(m, 1, &query, NULL, &eo, o, NULL, err);
    if (st) return query_error(err, st);
    if (ix->model.dim) q->dense = o->dense;
    if (ix->model.sparse_vocab) {
        q->n_sparse = o->n_lexical;
        q->sparse_ids = (const uint32_t *)o->lexical_ids;
        q->sparse_weights = o->lexical_weights;
    }
    if (ix->model.multi_dim) {
        q->n_multi = o->n_colbert;
        q->multi = o->colbert;
    }
    return LE_OK;
}

/* The query's dense vector into *vec (malloc'd) and q. */
static le_status query_dense(le_index *ix, le_model *m, const char *query, int truncate,
                             float **vec, le_index_query *q, le_error *err) {
    le_embed_options eo;
    le_index_model_embed_options(&ix->model, LE_EMBED_QUERIES, &eo);
    eo.truncate = truncate;
    *vec = malloc((size_t)ix->model.dim * sizeof **vec);
    if (!*vec) return le_fail(err, LE_ERR_NOMEM, "search: out of memory");
    le_text_result r;
    le_status st = le_embed(m, 1, &query, NULL, &eo, *vec, &r, err);
    if (st) return query_error(err, st);
    q->dense = *vec;
    return LE_OK;
}

le_status le_index_search_text(le_index *ix, le_model *m, const char *query,
                               const le_search_options *opt, le_index_hit *hits, int *n_out,
                               le_error *err) {
    *n_out = 0;
    if (!query) return le_fail(err, LE_ERR_ARG, "search: no query");
    le_search_options so;
    le_search_options_init(&so);
    if (!opt && !ix->model.dim) so.mode = LE_SEARCH_BM25;
    le_status st = le_options_take(&so, sizeof so, opt, "le_search_options", err);
    if (st) return st;
    if ((st = le_index_query_check(query, strlen(query), err))) return st;
    le_index_query q = {0};
    q.text = query;
    int has_m3 = ix->model.sparse_vocab || ix->model.multi_dim;
    int need_m3 = has_m3 && (so.mode == LE_SEARCH_SPARSE || so.mode == LE_SEARCH_MULTI ||
                             so.mode == LE_SEARCH_HYBRID || so.mode == LE_SEARCH_M3);
    int need_dense = so.mode == LE_SEARCH_DENSE || (so.mode == LE_SEARCH_HYBRID && ix->model.dim);
    if ((need_dense || need_m3) && !m)
        return le_fail(err, LE_ERR_ARG, "search: mode %s needs the model (%s)",
                       le_search_mode_name(so.mode), ix->model.name[0] ? ix->model.name : "none");
    if (need_dense || need_m3)
        st = check_model(&ix->model, m, ix->path ? ix->path : "the index", err);
    float *vec = NULL;
    le_m3_output o = {0};
    if (!st && need_m3)
        st = query_m3(ix, m, query, so.truncate, &o, &q, err);
    else if (!st && need_dense)
        st = query_dense(ix, m, query, so.truncate, &vec, &q, err);
    if (!st) st = le_index_search(ix, &q, &so, hits, n_out, err);
    free(vec);
    le_m3_output_free(&o, 1);
    return st;
}
