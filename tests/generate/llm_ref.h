/* A direct implementation of the llama-family forward pass for the tests:
 * weights read row by row (le_qmat_row_f32: the stored values), every sum
 * in double, the full causal score matrix of each head built row by row.
 * RoPE angles follow transformers (float32 inv_freq, float32 angle
 * position·inv_freq) so that long positions round as the engine's do.
 * With se_window > 0 the scores are SelfExtend's merged matrix (LongLM,
 * causal): key j of query i uses the true positions when i − j < w, else
 * the grouped ones ⌊i/g⌋ + w − ⌊w/g⌋ for the query and ⌊j/g⌋ for the key. */
#ifndef LE_TESTS_LLM_REF_H
#define LE_TESTS_LLM_REF_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/llama.h"

/* y[n_out] = W x (+ bias) in double. */
static inline void ref_linear(const le_qmat *w, const double *x, const float *bias, double *y) {
    float *row = malloc(sizeof(float) * (size_t)w->k);
    for (int j = 0; j < w->n; j++) {
        le_qmat_row_f32(w, j, row);
        double s = bias ? bias[j] : 0;
        for (int k = 0; k < w->k; k++) s += (double)row[k] * x[k];
        y[j] = s;
    }
    free(row);
}

static inline void ref_rms(const double *x, const float *g, int n, double eps, double *y) {
    double ss = 0;
    for (int i = 0; i < n; i++) ss += x[i] * x[i];
    const double r = 1.0 / sqrt(ss / n + eps);
    for (int i = 0; i < n; i++) y[i] = x[i] * r * g[i];
}

/* Rotates one head vector v[d] to position p (model's pairing). */
static inline void ref_rope(const le_llama_config *c, int p, const double *v, double *out) {
    const int d = c->head_dim, half = d / 2;
    for (int j = 0; j < half; j++) {
        const float e = (float)(2 * j) / (float)d;
        const float invf = 1.0f / (float)pow((double)(float)c->rope_theta, (double)e);
        const double ang = (double)((float)p * invf), co = cos(ang), si = sin(ang);
        const int a = c->rotate_half ? j : 2 * j, b = c->rotate_half ? j + half : 2 * j + 1;
        out[a] = v[a] * co - v[b] * si;
        out[b] = v[b] * co + v[a] * si;
    }
}

/* One head's output for query i over keys 0..i: kt and kg are the head's
 * keys rotated to their true and grouped positions, v its values (stride kst). */
static inline void ref_head(const le_llama_config *c, int i, const double *q, const double *kt,
                            const double *kg, size_t kst, const double *v, int g, int w,
                            double *out) {
    const int d = c->head_dim;
    double *sc = malloc(sizeof(double) * (size_t)(i + 1)), qr[LE_LLAMA_MAX_HEAD_DIM],
           qg[LE_LLAMA_MAX_HEAD_DIM];
    ref_rope(c, i, q, qr);
    if (w > 0) ref_rope(c, i / g + w - w / g, q, qg);
    double mx = -INFINITY;
    for (int j = 0; j <= i; j++) {
        const int grouped = w > 0 && i - j >= w;
        const double *kr = (grouped ? kg : kt) + (size_t)j * kst;
        double s = 0;
        for (int t = 0; t < d; t++) s += (grouped ? qg[t] : qr[t]) * kr[t];
        sc[j] = s / sqrt((double)d);
        mx = fmax(mx, sc[j]);
    }
    double z = 0;
    for (int j = 0; j <= i; j++) z += sc[j] = exp(sc[j] - mx);
    for (int t = 0; t < d; t++) out[t] = 0;
    for (int j = 0; j <= i; j++)
        for (int t = 0; t < d; t++) out[t] += sc[j] / z * v[(size_t)j * kst + t];
    free(sc);
}

/* Keys of n tokens rotated per head to true (kt) and grouped (kg) positions. */
static inline void ref_rotate_keys(const le_llama_config *c, const double *k, int n, int g,
                                   double *kt, double *kg) {
    const int kvd = le_llama_kv_dim(c), d = c->head_dim;
    for (int t = 0; t < n; t++)
        for (int hh = 0; hh < c->kv_heads; hh++) {
            const size_t o = (size_t)t * kvd + (size_t)hh * d;
            ref_rope(c, t, k + o, kt + o);
            ref_rope(c, g > 0 ? t / g : t, k + o, kg + o);
        }
}

/* Attention of block L for tokens 0..n-1 of xn, added to x. */
static inline void ref_attention(const le_llama *m, const le_llama_layer *L, int n, double *x,
                                 const double *xn, int g, int w) {
    const le_llama_config *c = &m->c;
    const int h = c->hidden, qd = le_llama_q_dim(c), kvd = le_llama_kv_dim(c);
    const size_t nk = (size_t)n * kvd;
    double *q = malloc(sizeof(double) * (size_t)n * qd), *k = malloc(sizeof(double) * nk);
    double *kt = malloc(sizeof(double) * nk), *kg = malloc(sizeof(double) * nk);
    double *v = malloc(sizeof(double) * nk), *o = malloc(sizeof(double) * qd);
    double *y = malloc(sizeof(double) * h);
    for (int t = 0; t < n; t++) {
        ref_linear(&L->wq, xn + (size_t)t * h, L->bq, q + (size_t)t * qd);
        ref_linear(&L->wk, xn + (size_t)t * h, L->bk, k + (size_t)t * kvd);
        ref_linear(&L->wv, xn + (size_t)t * h, L->bv, v + (size_t)t * kvd);
    }
    ref_rotate_keys(c, k, n, g, kt, kg);
    const int grp = c->heads / c->kv_heads;
    for (int t = 0; t < n; t++) {
        for (int hh = 0; hh < c->heads; hh++) {
            const size_t ko = (size_t)(hh / grp) * c->head_dim;
            ref_head(c, t, q + (size_t)t * qd + (size_t)hh * c->head_dim, kt + ko, kg + ko, kvd,
                     v + ko, g, w, o + (size_t)hh * c->head_dim);
        }
        ref_linear(&L->wo, o, NULL, y);
        for (int i = 0; i < h; i++) x[(size_t)t * h + i] += y[i];
    }
    free(q), free(k), free(kt), free(kg), free(v), free(o), free(y);
}

/* Feed-forward of block L for one token, added to x. */
static inline void ref_ffn(const le_llama *m, const le_llama_layer *L, double *x) {
    const int h = m->c.hidden, f = m->c.ffn;
    double *xn = malloc(sizeof(double) * h), *a = malloc(sizeof(double) * f);
    double *b = malloc(sizeof(double) * f), *y = malloc(sizeof(double) * h);
    ref_rms(x, L->ffn_norm, h, m->c.eps, xn);
    ref_linear(&L->gate, xn, NULL, a);
    ref_linear(&L->up, xn, NULL, b);
    for (int i = 0; i < f; i++) a[i] = a[i] / (1 + exp(-a[i])) * b[i];
    ref_linear(&L->down, a, NULL, y);
    for (int i = 0; i < h; i++) x[i] += y[i];
    free(xn), free(a), free(b), free(y);
}

/* The logits of the last of n tokens (SelfExtend with group g, window w > 0). */
static inline void llm_ref_forward(const le_llama *m, const int32_t *ids, int n, int g, int w,
                                   double *logits) {
    const le_llama_config *c = &m->c;
    const int h = c->hidden;
    double *x = malloc(sizeof(double) * (size_t)n * h), *xn = malloc(sizeof(double) * n * h);
    float *row = malloc(sizeof(float) * h);
    for (int t = 0; t < n; t++) {
        le_qmat_row_f32(&m->tok_embd, ids[t], row);
        for (int i = 0; i < h; i++) x[(size_t)t * h + i] = row[i];
    }
    for (int l = 0; l < c->layers; l++) {
        const le_llama_layer *L = &m->layer[l];
        for (int t = 0; t < n; t++) ref_rms(x + (size_t)t * h, L->attn_norm, h, c->eps, xn + (size_t)t * h);
        ref_attention(m, L, n, x, xn, g, w);
        for (int t = 0; t < n; t++) ref_ffn(m, L, x + (size_t)t * h);
    }
    ref_rms(x + (size_t)(n - 1) * h, m->out_norm, h, c->eps, xn);
    ref_linear(&m->output, xn, NULL, logits);
    free(x), free(xn), free(row);
}

#endif
