/* The index meets the model (so it lives in the embed layer, which may use
 * src/index): the identity of an embedding configuration,
 * adding texts (embedded as the index says) and searching with a text
 * query. This file calls the embedding layer only through the public API
 * (le_model_get_info, le_embed), as a client would; the rest of src/index
 * knows nothing of models. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/options.h"
#include "index/index.h"

static void copy_field(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
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
    return LE_OK;
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

/* docs as passages: each document's vector is the mean of its passages'. */
static le_status add_passages(le_index_writer *w, le_model *m, const le_embed_options *eo,
                              size_t n, const le_index_doc *docs, const char **texts,
                              const size_t *lens, le_text_result *res, le_index_doc *d,
                              le_error *err) {
    const le_index_model *im = le_index_writer_model(w);
    le_passage_options po;
    passage_options_of(im, &po);
    le_passages *ps = NULL;
    le_index_doc_passages *dp = malloc(n * sizeof *dp);
    if (!dp) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    le_status st = le_embed_passages(m, n, texts, lens, eo, &po, &ps, res, err);
    for (size_t i = 0; i < n && !st; i++) {
        size_t first, count;
        le_passages_of(ps, i, &first, &count);
        d[i] = embedded(&docs[i], le_passages_documents(ps) + i * (size_t)im->dim, &res[i]);
        dp[i].n = count;
        dp[i].spans = le_passages_spans(ps) + first;
        dp[i].vectors = le_passages_vectors(ps) + first * (size_t)im->dim;
    }
    if (!st) st = le_index_writer_add_passages(w, n, d, dp, err);
    le_passages_free(ps);
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
    st = im->passage_tokens > 0 ? add_passages(w, m, &eo, n, docs, texts, lens, res, d, err)
                                : add_whole(w, m, &eo, n, docs, texts, lens, res, d, err);
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

le_status le_index_search_text(le_index *ix, le_model *m, const char *query,
                               const le_search_options *opt, le_index_hit *hits, int *n_out,
                               le_error *err) {
    *n_out = 0;
    if (!query) return le_fail(err, LE_ERR_ARG, "search: no query");
    le_search_options so;
    le_search_options_init(&so);
    if (!opt && !ix->model.dim) so.mode = LE_SEARCH_BM25;
    le_status taken = le_options_take(&so, sizeof so, opt, "le_search_options", err);
    if (taken) return taken;
    le_status bad = le_index_query_check(query, strlen(query), err);
    if (bad) return bad;
    le_index_query q = {0};
    q.text = query;
    float *vec = NULL;
    int need_dense = so.mode == LE_SEARCH_DENSE || (so.mode == LE_SEARCH_HYBRID && ix->model.dim);
    if (need_dense) {
        if (!m)
            return le_fail(err, LE_ERR_ARG, "search: mode %s needs the model (%s)",
                           le_search_mode_name(so.mode), ix->model.name[0] ? ix->model.name : "none");
        le_status st = check_model(&ix->model, m, ix->path ? ix->path : "the index", err);
        if (st) return st;
        le_embed_options eo;
        le_index_model_embed_options(&ix->model, LE_EMBED_QUERIES, &eo);
        vec = malloc((size_t)ix->model.dim * sizeof *vec);
        if (!vec) return le_fail(err, LE_ERR_NOMEM, "search: out of memory");
        le_text_result r;
        eo.truncate = so.truncate;
        if ((st = le_embed(m, 1, &query, NULL, &eo, vec, &r, err))) {
            free(vec);
            return query_error(err, st);
        }
        q.dense = vec;
    }
    le_status st = le_index_search(ix, &q, &so, hits, n_out, err);
    free(vec);
    return st;
}
