/* le_embed_m3 and le_m3_score: BGE-M3's dense, lexical and ColBERT outputs
 * from one forward pass (the heads are m3.c's), and FlagEmbedding's scores
 * (M3Embedder.compute_lexical_matching_score, colbert_score, and
 * compute_score's weighted sums). */
#include "base/finite.h"
#include "base/options.h"
#include "embed/embed_call.h"
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

/* ReLU of column 0 per token, the maximum per id, specials and zeros dropped. */
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
    o->lexical_ids = malloc((u ? u : 1) * sizeof *o->lexical_ids);
    o->lexical_weights = malloc((u ? u : 1) * sizeof *o->lexical_weights);
    if (!o->lexical_ids || !o->lexical_weights) {
        free(iw);
        return le_fail(c->err, LE_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < u; i++) o->lexical_ids[i] = iw[i].id, o->lexical_weights[i] = iw[i].w;
    o->n_lexical = u;
    free(iw);
    return LE_OK;
}

/* One window (= one text): both heads in one product, then their outputs. */
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
    le_gemm_epilogue ep = {c->heads->bias, LE_ACT_NONE, 0};
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
    if (s) return s;
    size_t nc = w->n > 1 ? (size_t)w->n - 1 : 0;
    o->colbert = malloc((nc ? nc : 1) * (size_t)dim * sizeof *o->colbert);
    if (!o->colbert) return le_fail(c->err, LE_ERR_NOMEM, "out of memory");
    for (size_t t = 0; t < nc; t++) {
        float *v = o->colbert + t * (size_t)dim;
        memcpy(v, c->proj + (t + 1) * (size_t)stride + 1, (size_t)dim * sizeof *v);
        le_l2_normalize(v, dim);
    }
    o->n_colbert = nc;
    o->colbert_dim = dim;
    return LE_OK;
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

le_status le_embed_m3(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                      const le_embed_options *opt_in, le_m3_output *out, le_text_result *results,
                      le_error *err) {
    if (!m || (n && (!texts || !out))) return le_fail(err, LE_ERR_ARG, "missing argument");
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
    s = le_embed_texts_with(m, n, texts, lengths, &opt, dense, results, on_window, &c, err);
    if (!s) s = split_dense(out, n, dense, dim, err);
    free(dense);
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
