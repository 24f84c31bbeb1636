/* The decoder's forward pass over a KV cache (generate/llm_run.h), as
 * transformers' LlamaForCausalLM / Qwen2ForCausalLM compute it: per block
 * x += o(attn(rope(q(rms(x))), rope(k(..)), v(..))), x += down(silu(gate(
 * rms(x))) · up(rms(x))); logits = head(rms(x)). */
#include "generate/llm_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "kernels/attention.h"
#include "kernels/ops.h"
#include "model/rope.h"

#define LLM_BATCH 256

/* The methods a decoder takes: its own scaling leaves none, ntk, selfextend. */
static unsigned decoder_methods(const le_llama_config *c) {
    unsigned m = LE_METHOD_BIT(LE_EXTEND_NONE) | LE_METHOD_BIT(LE_EXTEND_NTK) |
                 LE_METHOD_BIT(LE_EXTEND_SELFEXTEND);
    if (c->rope_scaling == LE_ROPE_DEFAULT)
        m |= LE_METHOD_BIT(LE_EXTEND_PI) | LE_METHOD_BIT(LE_EXTEND_YARN);
    return m;
}

le_status le_llm_plan(const le_llama_config *c, const le_plan_spec *spec, int max_tokens,
                      le_pos_plan *out, le_error *err) {
    le_plan_spec p = *spec;
    p.pos = LE_POS_ROPE;
    p.methods = decoder_methods(c);
    p.table_rows = c->context;
    p.stride = 1;
    p.attn_scale = LE_ATTN_SCALE_NONE;
    p.target = max_tokens;
    le_status s = le_plan_check(&p, err);
    if (s) return s;
    if (max_tokens < 1)
        return le_fail(err, LE_ERR_ARG, "max_tokens must be >= 1, got %d", max_tokens);
    s = le_plan_sequence(&p, max_tokens, NULL, NULL, out, err);
    if (s == LE_ERR_TOO_LONG)
        return le_error_wrap(err, s, "a context of %d tokens is past the model's %d: choose an "
                             "extension method (pi, ntk, yarn, selfextend)", max_tokens,
                             c->context);
    if (s) return s;
    if (c->rope_scaling != LE_ROPE_DEFAULT) {
        out->rope_kind = c->rope_scaling;
        out->rope_factor = c->rope_factor;
        out->yarn_window = c->rope_orig_context;
    }
    return LE_OK;
}

/* The cos/sin tables of every position the run may hold: transformers'
 * float32 inv_freq and angles, the plan's frequencies, llama3's factors. */
static le_status make_tables(le_llm_run *r, le_error *err) {
    const le_llama_config *c = &r->m->c;
    const int half = c->head_dim / 2;
    le_model_config shim;
    memset(&shim, 0, sizeof shim);
    shim.hidden = c->head_dim;
    shim.heads = 1;
    shim.rope_theta = c->rope_theta;
    shim.rope_f32_angles = 1;
    float inv_freq[LE_LLAMA_MAX_HEAD_DIM / 2], cos_scale;
    le_rope_inv_freq(&shim, &r->plan, r->max_tokens, inv_freq, &cos_scale);
    if (c->freq_factors)
        for (int j = 0; j < half; j++) inv_freq[j] = inv_freq[j] / c->freq_factors[j];
    const size_t n = (size_t)r->max_tokens * (size_t)half;
    r->cos = malloc(n * sizeof *r->cos);
    r->sin = malloc(n * sizeof *r->sin);
    if (!r->cos || !r->sin) return le_fail(err, LE_ERR_NOMEM, "out of memory (rotary tables)");
    le_pos_plan flat = r->plan;
    flat.pos_div = 1;
    le_rope_fill(&shim, &flat, inv_freq, cos_scale, r->max_tokens, r->cos, r->sin);
    return LE_OK;
}

/* The scratch of one batch. */
static le_status alloc_scratch(le_llm_run *r, le_error *err) {
    const le_llama_config *c = &r->m->c;
    const size_t b = (size_t)r->batch, qd = (size_t)le_llama_q_dim(c);
    const size_t h = (size_t)c->hidden, f = (size_t)c->ffn;
    r->x = le_alloc_aligned(b * h * sizeof(float));
    r->xn = le_alloc_aligned(b * h * sizeof(float));
    r->q = le_alloc_aligned(b * qd * sizeof(float));
    r->att = le_alloc_aligned(b * qd * sizeof(float));
    r->gate = le_alloc_aligned(b * f * sizeof(float));
    r->up = le_alloc_aligned(b * f * sizeof(float));
    r->k = calloc((size_t)c->layers, sizeof *r->k);
    r->v = calloc((size_t)c->layers, sizeof *r->v);
    if (!r->x || !r->xn || !r->q || !r->att || !r->gate || !r->up || !r->k || !r->v)
        return le_fail(err, LE_ERR_NOMEM, "out of memory (decoder scratch)");
    return LE_OK;
}

le_status le_llm_run_init(le_llm_run *r, const le_llama *m, const le_pos_plan *plan,
                          int max_tokens, le_kctx kc, le_error *err) {
    memset(r, 0, sizeof *r);
    r->m = m;
    r->kc = kc;
    r->plan = *plan;
    r->max_tokens = max_tokens;
    r->batch = max_tokens < LLM_BATCH ? max_tokens : LLM_BATCH;
    le_status s = make_tables(r, err);
    if (!s) s = alloc_scratch(r, err);
    if (s) le_llm_run_free(r);
    return s;
}

void le_llm_run_free(le_llm_run *r) {
    if (!r->m) return;
    for (int i = 0; r->k && i < r->m->c.layers; i++) free(r->k[i]);
    for (int i = 0; r->v && i < r->m->c.layers; i++) free(r->v[i]);
    free(r->k);
    free(r->v);
    free(r->ids);
    free(r->cos);
    free(r->sin);
    le_free_aligned(r->x);
    le_free_aligned(r->xn);
    le_free_aligned(r->q);
    le_free_aligned(r->att);
    le_free_aligned(r->gate);
    le_free_aligned(r->up);
    memset(r, 0, sizeof *r);
}

void le_llm_run_keep(le_llm_run *r, int n) {
    if (n >= 0 && n < r->n) r->n = n;
}

le_status le_llm_run_reserve(le_llm_run *r, int need, le_error *err) {
    if (need <= r->cap) return LE_OK;
    const le_llama_config *c = &r->m->c;
    int cap = r->cap ? r->cap : 64;
    while (cap < need) cap = cap > r->max_tokens / 2 ? r->max_tokens : cap * 2;
    const size_t row = (size_t)le_llama_kv_dim(c) * sizeof(float);
    for (int i = 0; i < c->layers; i++) {
        float *k = realloc(r->k[i], (size_t)cap * row);
        if (k) r->k[i] = k;
        float *v = k ? realloc(r->v[i], (size_t)cap * row) : NULL;
        if (v) r->v[i] = v;
        if (!k || !v) return le_fail(err, LE_ERR_NOMEM, "out of memory (KV cache of %d tokens)", cap);
    }
    int32_t *ids = realloc(r->ids, (size_t)cap * sizeof *ids);
    if (!ids) return le_fail(err, LE_ERR_NOMEM, "out of memory (KV cache of %d tokens)", cap);
    r->ids = ids;
    r->cap = cap;
    return LE_OK;
}

/* y[i][j] += bias[j] over b rows of n. */
static void add_bias(float *y, size_t ld, int b, int n, const float *bias) {
    if (!bias) return;
    for (int i = 0; i < b; i++)
        for (int j = 0; j < n; j++) y[(size_t)i * ld + j] += bias[j];
}

/* Attention half of block li for b tokens at positions p0..: x += o(attn). */
static le_status attn_block(le_llm_run *r, int li, int b, int p0, le_error *err) {
    const le_llama_config *c = &r->m->c;
    const le_llama_layer *L = &r->m->layer[li];
    const le_kctx *kc = &r->kc;
    const int h = c->hidden, qd = le_llama_q_dim(c), kvd = le_llama_kv_dim(c);
    const int half = c->head_dim / 2, se = r->plan.se_window > 0;
    float *kb = r->k[li] + (size_t)p0 * kvd, *vb = r->v[li] + (size_t)p0 * kvd;
    le_rmsnorm(kc, r->x, h, b, h, L->attn_norm, c->eps, r->xn, h);
    const le_qmat *w3[3] = {&L->wq, &L->wk, &L->wv};
    float *const y3[3] = {r->q, kb, vb};
    const size_t ld3[3] = {(size_t)qd, (size_t)kvd, (size_t)kvd};
    le_qmatmul_many(kc, w3, 3, r->xn, h, b, y3, ld3, 0); /* one activation rounding, one pool run */
    add_bias(r->q, qd, b, qd, L->bq);
    add_bias(kb, kvd, b, kvd, L->bk);
    add_bias(vb, kvd, b, kvd, L->bv);
    if (!se) {
        const float *co = r->cos + (size_t)p0 * half, *si = r->sin + (size_t)p0 * half;
        le_rope_apply(kc, r->q, qd, b, c->heads, c->head_dim, co, si, c->rotate_half);
        le_rope_apply(kc, kb, kvd, b, c->kv_heads, c->head_dim, co, si, c->rotate_half);
    }
    const le_attn_rope rope = {r->cos, r->sin, r->max_tokens, c->rotate_half,
                               r->plan.se_group > 0 ? r->plan.se_group : 1};
    le_attn_args a;
    memset(&a, 0, sizeof a);
    a.n_q = b;
    a.n_kv = p0 + b;
    a.n_heads = c->heads;
    a.n_kv_heads = c->kv_heads;
    a.head_dim = c->head_dim;
    a.q = r->q;
    a.q_stride = (size_t)qd;
    a.k = r->k[li];
    a.v = r->v[li];
    a.k_stride = a.v_stride = (size_t)kvd;
    a.out = r->att;
    a.out_stride = (size_t)qd;
    a.scale = r->plan.attn_scale / sqrtf((float)c->head_dim);
    a.causal = 1;
    a.q_offset = p0;
    a.se_window = r->plan.se_window;
    a.rope = se ? &rope : NULL;
    if (le_attention(kc, &a))
        return le_fail(err, LE_ERR_NOMEM, "out of memory (attention scratch, layer %d)", li);
    le_qmatmul(kc, &L->wo, r->att, qd, b, r->x, h, 1);
    return LE_OK;
}

/* Feed-forward half of block li: x += down(silu(gate(rms(x))) · up(rms(x))). */
static void ffn_block(le_llm_run *r, int li, int b) {
    const le_llama_config *c = &r->m->c;
    const le_llama_layer *L = &r->m->layer[li];
    const le_kctx *kc = &r->kc;
    const int h = c->hidden, f = c->ffn;
    le_rmsnorm(kc, r->x, h, b, h, L->ffn_norm, c->eps, r->xn, h);
    const le_qmat *w2[2] = {&L->gate, &L->up};
    float *const y2[2] = {r->gate, r->up};
    const size_t ld2[2] = {(size_t)f, (size_t)f};
    le_qmatmul_many(kc, w2, 2, r->xn, h, b, y2, ld2, 0);
    le_gated_act(kc, r->gate, f, r->up, f, b, f, LE_ACT_SILU, r->gate, f);
    le_qmatmul(kc, &L->down, r->gate, f, b, r->x, h, 1);
}

/* One batch of b tokens at the end of the cache; the logits of its rows
 * from row `from` on go to logits. */
static le_status eval_batch(le_llm_run *r, const int32_t *ids, int b, int from, float *logits,
                            le_error *err) {
    const le_llama *m = r->m;
    const int h = m->c.hidden, p0 = r->n;
    for (int i = 0; i < b; i++) le_qmat_row_f32(&m->tok_embd, ids[i], r->x + (size_t)i * h);
    for (int li = 0; li < m->c.layers; li++) {
        le_status s = attn_block(r, li, b, p0, err);
        if (s) return s;
        ffn_block(r, li, b);
    }
    memcpy(r->ids + p0, ids, (size_t)b * sizeof *ids);
    r->n += b;
    if (from >= b) return LE_OK;
    const float *xr = r->x + (size_t)from * h;
    le_rmsnorm(&r->kc, xr, h, (size_t)(b - from), h, m->out_norm, m->c.eps, r->xn, h);
    le_qmatmul(&r->kc, &m->output, r->xn, h, (size_t)(b - from), logits, (size_t)m->c.vocab, 0);
    return LE_OK;
}

le_status le_llm_run_eval(le_llm_run *r, const int32_t *ids, int n, float *logits, int n_logits,
                          le_error *err) {
    const le_llama_config *c = &r->m->c;
    if (n < 0 || n_logits < 0 || n_logits > n || (n_logits && !logits))
        return le_fail(err, LE_ERR_ARG, "bad token or logit count (%d, %d)", n, n_logits);
    for (int i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= c->vocab)
            return le_fail(err, LE_ERR_ARG, "token id %d at %d is outside the vocabulary (%d)",
                           (int)ids[i], i, c->vocab);
    if (n > r->max_tokens - r->n)
        return le_fail(err, LE_ERR_TOO_LONG,
                       "%d tokens after %d exceed the context of %d tokens (the model's window "
                       "is %d; a longer one needs an extension method and max_tokens)",
                       n, r->n, r->max_tokens, c->context);
    le_status s = le_llm_run_reserve(r, r->n + n, err);
    const int start = r->n, first_logit = n - n_logits;
    for (int done = 0; !s && done < n; done += r->batch) {
        const int b = n - done < r->batch ? n - done : r->batch;
        const int from = first_logit > done ? first_logit - done : 0;
        float *lo = logits && from < b ? logits + (size_t)(done + from - first_logit) * c->vocab
                                       : NULL;
        s = eval_batch(r, ids + done, b, from, lo, err);
    }
    if (s) r->n = start; /* the cache as it was */
    return s;
}
