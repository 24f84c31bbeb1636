/* le_embed_m3 and le_m3_score: BGE-M3's dense, lexical and ColBERT outputs
 * from one forward pass (the heads are m3.c's), and FlagEmbedding's scores
 * (M3Embedder.compute_lexical_matching_score, colbert_score, and
 * compute_score's weighted sums). */
#include "base/finite.h"
#include "base/options.h"
#include "embed/embed_call.h"
#include "embed/embed_passages.h"
#include "embed/m3.h"
#include "kernels/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct m3_call {
    le_model *m;
    const le_m3_heads *heads;
    le_m3_output *out;
    float *proj; /* one window's [n][dim + 1] head outputs */
    size_t proj_cap;
    le_error *err;
} m3_call;

typedef struct id_weight {
    int32_t id;
    float w;
} id_weight;

static int by_id(const void *a, const void *b) {
    const id_weight *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int is_special(const le_m3_heads *h, int32_t id) {
    for (int k = 0; k < 4; k++)
        if (h->special[k] == id) return 1;
    return 0;
}

/* Merges the window's ascending unique weights iw[0..u) into o's: the
 * maximum per id (a text of several windows: passages). */
static le_status merge_lexical(m3_call *c, const id_weight *iw, size_t u, le_m3_output *o) {
    size_t cap = o->n_lexical + u, a = 0, b = 0, k = 0;
    int32_t *ids = malloc((cap ? cap : 1) * sizeof *ids);
    float *ws = malloc((cap ? cap : 1) * sizeof *ws);
    if (!ids || !ws) {
        free(ids);
        free(ws);
        return le_fail(c->err, LE_ERR_NOMEM, "out of memory");
    }
    while (a < o->n_lexical || b < u) {
        int take_old = b == u || (a < o->n_lexical && o->lexical_ids[a] <= iw[b].id);
        int take_new = a == o->n_lexical || (b < u && iw[b].id <= o->lexical_ids[a]);
        float w = take_old ? o->lexical_weights[a] : iw[b].w;
        if (take_new && take_old && iw[b].w > w) w = iw[b].w;
        ids[k] = take_old ? o->lexical_ids[a] : iw[b].id;
        ws[k++] = w;
        a += take_old;
        b += take_new;
    }
    free(o->lexical_ids);
    free(o->lexical_weights);
    o->lexical_ids = ids;
    o->lexical_weights = ws;
    o->n_lexical = k;
    return LE_OK;
}

/* ReLU of column 0 per token, the maximum per id, specials and zeros
 * dropped, merged into o's. */
static le_status lexical(m3_call *c, const int32_t *ids, int n, int stride, le_m3_output *o) {
    id_weight *iw = malloc((size_t)(n ? n : 1) * sizeof *iw);
    if (!iw) return le_fail(c->err, LE_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (int t = 0; t < n; t++) {
        float w = c->proj[(size_t)t * (size_t)stride];
        if (w > 0 && !is_special(c->heads, ids[t])) iw[k++] = (id_weight){ids[t], w};
    }
    qsort(iw, k, sizeof *iw, by_id);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u && iw[u - 1].id == iw[i].id) {
            if (iw[i].w > iw[u - 1].w) iw[u - 1].w = iw[i].w;
        } else {
            iw[u++] = iw[i];
        }
    }
    le_status s = merge_lexical(c, iw, u, o);
    free(iw);
    return s;
}

/* The window's ColBERT vectors (W·h + B after its first token, each
 * normalised) appended to o's. */
static le_status colbert(m3_call *c, int n, int stride, le_m3_output *o) {
    const int dim = c->heads->dim;
    size_t nc = n > 1 ? (size_t)n - 1 : 0, have = o->n_colbert;
    float *v = realloc(o->colbert, ((have + nc) ? have + nc : 1) * (size_t)dim * sizeof *v);
    if (!v) return le_fail(c->err, LE_ERR_NOMEM, "out of memory");
    o->colbert = v;
    for (size_t t = 0; t < nc; t++) {
        float *r = v + (have + t) * (size_t)dim;
        memcpy(r, c->proj + (t + 1) * (size_t)stride + 1, (size_t)dim * sizeof *r);
        le_l2_normalize(r, dim);
    }
    o->n_colbert = have + nc;
    o->colbert_dim = dim;
    return LE_OK;
}

/* One window (a text, or one or more of its passages): both heads in one
 * product, then their outputs added to the text's. */
static le_status on_window(void *user, const le_window *w, const int32_t *ids, const float *h) {
    m3_call *c = user;
    const int dim = c->heads->dim, stride = dim + 1, hid = c->m->cfg.hidden;
    size_t need = (size_t)w->n * (size_t)stride;
    if (need > c->proj_cap) {
        free(c->proj);
        c->proj_cap = 0;
        if (!(c->proj = malloc(need * sizeof *c->proj)))
            return le_fail(c->err, LE_ERR_NOMEM, "out of memory");
        c->proj_cap = need;
    }
    le_gemm_epilogue ep = {.bias = c->heads->bias, .act = LE_ACT_NONE, .accumulate = 0};
    le_gemm(&c->m->kc, h, (size_t)hid, (size_t)w->n, c->heads->w, &ep, c->proj, (size_t)stride);
    if (le_first_non_finite(c->proj, need) < need) { /* the hidden states were finite */
        le_fail(c->err, LE_ERR_FORMAT,
                "text %zu: BGE-M3's sparse or ColBERT head computed a NaN or infinity (are "
                "sparse_linear.pt and colbert_linear.pt damaged?)",
                w->text);
        if (c->err) c->err->text_index = (long)w->text;
        return LE_ERR_FORMAT;
    }
    le_m3_output *o = &c->out[w->text];
    le_status s = lexical(c, ids, w->n, stride, o);
    return s ? s : colbert(c, w->n, stride, o);
}

/* The dense rows of the call into each output. */
static le_status split_dense(le_m3_output *out, size_t n, const float *dense, int dim,
                             le_error *err) {
    for (size_t i = 0; i < n; i++) {
        if (!(out[i].dense = malloc((size_t)dim * sizeof *out[i].dense)))
            return le_fail(err, LE_ERR_NOMEM, "out of memory");
        memcpy(out[i].dense, dense + i * (size_t)dim, (size_t)dim * sizeof *out[i].dense);
        out[i].dim = dim;
    }
    return LE_OK;
}

/* le_embed_m3 of texts or token ids (in). */
static le_status m3_run(le_model *m, size_t n, const le_embed_inputs *in,
                        const le_embed_options *opt_in, le_m3_output *out, le_text_result *results,
                        le_error *err) {
    if (!m || (n && !out)) return le_fail(err, LE_ERR_ARG, "missing argument");
    memset(out, 0, n * sizeof *out);
    le_embed_options opt;
    le_embed_options_init(&opt);
    le_status s = le_options_take(&opt, sizeof opt, opt_in, "le_embed_options", err);
    if (s) return s;
    if (opt.extend == LE_EXTEND_PCW)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "BGE-M3 outputs need each text in one window: pcw is not supported "
                       "(gp, rp and pi are)");
    if (opt.normalize < 0) opt.normalize = 1; /* FlagEmbedding's default */
    m3_call c = {m, NULL, out, NULL, 0, err};
    if ((s = le_m3_heads_get(m, &c.heads, err))) return s;
    int dim = m->cfg.hidden;
    float *dense = malloc((n ? n : 1) * (size_t)dim * sizeof *dense);
    if (!dense) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    s = le_embed_inputs_with(m, n, in, &opt, dense, results, on_window, &c, err);
    if (!s) s = split_dense(out, n, dense, dim, err);
    free(dense);
    free(c.proj);
    if (s) le_m3_output_free(out, n);
    return s;
}

le_status le_embed_m3(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                      const le_embed_options *opt, le_m3_output *out, le_text_result *results,
                      le_error *err) {
    if (n && !texts) return le_fail(err, LE_ERR_ARG, "missing argument");
    le_embed_inputs in = {texts, lengths, NULL, NULL};
    return m3_run(m, n, &in, opt, out, results, err);
}

le_status le_embed_m3_tokens(le_model *m, size_t n, const int32_t *const *ids, const size_t *n_ids,
                             const le_embed_options *opt, le_m3_output *out,
                             le_text_result *results, le_error *err) {
    if (n && (!ids || !n_ids)) return le_fail(err, LE_ERR_ARG, "missing argument");
    le_embed_inputs in = {NULL, NULL, ids, n_ids};
    return m3_run(m, n, &in, opt, out, results, err);
}

le_status le_embed_m3_passages(le_model *m, size_t n, const char *const *texts,
                               const size_t *lengths, const le_embed_options *opt,
                               const le_passage_options *popt, le_passages **ps,
                               le_m3_output *out, le_text_result *results, le_error *err) {
    *ps = NULL;
    if (!m || (n && (!texts || !out))) return le_fail(err, LE_ERR_ARG, "missing argument");
    memset(out, 0, n * sizeof *out);
    m3_call c = {m, NULL, out, NULL, 0, err};
    le_status s = le_m3_heads_get(m, &c.heads, err);
    if (!s)
        s = le_embed_passages_with(m, n, texts, lengths, opt, popt, ps, results, on_window, &c,
                                   err);
    free(c.proj);
    if (s) le_m3_output_free(out, n);
    return s;
}

void le_m3_output_free(le_m3_output *out, size_t n) {
    for (size_t i = 0; out && i < n; i++) {
        free(out[i].dense);
        free(out[i].lexical_ids);
        free(out[i].lexical_weights);
        free(out[i].colbert);
        memset(&out[i], 0, sizeof out[i]);
    }
}

/* --------------------------------------------------------------- scores */

static double dot(const float *a, const float *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double sparse_score(const le_m3_output *q, const le_m3_output *p) {
    double s = 0;
    for (size_t i = 0, j = 0; i < q->n_lexical && j < p->n_lexical;) {
        if (q->lexical_ids[i] < p->lexical_ids[j]) i++;
        else if (q->lexical_ids[i] > p->lexical_ids[j]) j++;
        else s += (double)q->lexical_weights[i++] * p->lexical_weights[j++];
    }
    return s;
}

static double colbert_score(const le_m3_output *q, const le_m3_output *p) {
    if (!q->n_colbert || !p->n_colbert || q->colbert_dim != p->colbert_dim) return 0;
    double sum = 0;
    int d = q->colbert_dim;
    for (size_t i = 0; i < q->n_colbert; i++) {
        double best = -INFINITY;
        for (size_t j = 0; j < p->n_colbert; j++) {
            double v = dot(q->colbert + i * (size_t)d, p->colbert + j * (size_t)d, d);
            if (v > best) best = v;
        }
        sum += best;
    }
    return sum / (double)q->n_colbert;
}

void le_m3_score(const le_m3_output *q, const le_m3_output *p, const double *weights,
                 le_m3_scores *out) {
    static const double ones[3] = {1, 1, 1};
    const double *w = weights ? weights : ones;
    out->dense = q->dim == p->dim && q->dense && p->dense ? dot(q->dense, p->dense, q->dim) : 0;
    out->sparse = sparse_score(q, p);
    out->colbert = colbert_score(q, p);
    out->sparse_dense = (w[1] * out->sparse + w[0] * out->dense) / (w[1] + w[0]);
    out->colbert_sparse_dense =
        (w[2] * out->colbert + w[1] * out->sparse + w[0] * out->dense) / (w[0] + w[1] + w[2]);
}
