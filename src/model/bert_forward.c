/* The BERT forward pass over a packed batch: one matrix product per linear
 * layer over every token of the batch, attention per sequence. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/attention.h"
#include "kernels/ops.h"
#include "model/bert.h"

/* Feed-forward runs over this many tokens at a time, so its [tokens][I]
 * buffer stays small however long the input. */
#define FFN_CHUNK_TOKENS 1024

static le_status scratch_reserve(le_bert_scratch *s, const le_model_config *c, size_t tokens,
                                 le_error *err) {
    if (tokens <= s->cap_tokens) return LE_OK;
    le_bert_scratch_free(s);
    size_t h = (size_t)c->hidden, chunk = tokens < FFN_CHUNK_TOKENS ? tokens : FFN_CHUNK_TOKENS;
    s->x = le_alloc_aligned(tokens * h * sizeof(float));
    s->qkv = le_alloc_aligned(tokens * 3 * h * sizeof(float));
    s->ctx = le_alloc_aligned(tokens * h * sizeof(float));
    s->ffn = le_alloc_aligned(chunk * (size_t)c->intermediate * sizeof(float));
    if (!s->x || !s->qkv || !s->ctx || !s->ffn) {
        le_bert_scratch_free(s);
        return le_fail(err, LE_ERR_NOMEM, "out of memory for %zu tokens of activations", tokens);
    }
    s->cap_tokens = tokens;
    return LE_OK;
}

void le_bert_scratch_free(le_bert_scratch *s) {
    le_free_aligned(s->x);
    le_free_aligned(s->qkv);
    le_free_aligned(s->ctx);
    le_free_aligned(s->ffn);
    memset(s, 0, sizeof *s);
}

/* x[t] = word[id] + position(t) + type[0], for the tokens of one sequence.
 * position(t) = pos[row] (+ frac·(pos[row+1] − pos[row]) when interpolating). */
static void embed_sequence(const le_bert *m, const le_seq *q, float *x) {
    int h = m->cfg.hidden;
    const float *type0 = m->type_emb;
    for (int t = 0; t < q->n; t++) {
        const float *w = m->word_emb + (size_t)q->ids[t] * h;
        const float *p0 = m->pos_emb + (size_t)q->pos_row[t] * h;
        float *o = x + (size_t)t * h;
        float f = q->pos_frac ? q->pos_frac[t] : 0.0f;
        if (f != 0.0f) {
            const float *p1 = p0 + h;
            for (int i = 0; i < h; i++) o[i] = (w[i] + ((1.0f - f) * p0[i] + f * p1[i])) + type0[i];
        } else {
            for (int i = 0; i < h; i++) o[i] = (w[i] + p0[i]) + type0[i];
        }
    }
}

static le_status check_inputs(const le_bert *m, const le_seq *seqs, int n_seqs, le_error *err) {
    for (int s = 0; s < n_seqs; s++) {
        const le_seq *q = &seqs[s];
        for (int t = 0; t < q->n; t++) {
            if (q->ids[t] < 0 || q->ids[t] >= m->cfg.vocab)
                return le_fail(err, LE_ERR_ARG,
                               "sequence %d: token id %d at %d is outside the vocabulary of %d", s,
                               q->ids[t], t, m->cfg.vocab);
            int last = q->pos_row[t] + (q->pos_frac && q->pos_frac[t] != 0.0f ? 1 : 0);
            if (q->pos_row[t] < 0 || last >= m->cfg.max_positions)
                return le_fail(err, LE_ERR_ARG,
                               "sequence %d: position %d of token %d is outside the table of %d "
                               "rows",
                               s, last, t, m->cfg.max_positions);
        }
    }
    return LE_OK;
}

typedef struct attn_job {
    const le_bert *m;
    const le_seq *seqs;
    const size_t *offsets;
    const le_bert_scratch *s;
} attn_job;

static void attention_for(const le_bert *m, const le_kctx *kc, const le_seq *q, size_t off,
                          const le_bert_scratch *s) {
    int h = m->cfg.hidden, dh = h / m->cfg.heads;
    const float *base = s->qkv + off * 3 * (size_t)h;
    le_attn_args a = {0};
    a.n_q = a.n_kv = q->n;
    a.n_heads = a.n_kv_heads = m->cfg.heads;
    a.head_dim = dh;
    a.q = base;
    a.k = base + h;
    a.v = base + 2 * h;
    a.q_stride = a.k_stride = a.v_stride = 3 * (size_t)h;
    a.out = s->ctx + off * (size_t)h;
    a.out_stride = (size_t)h;
    a.scale = q->attn_scale / sqrtf((float)dh);
    le_attention(kc, &a);
}

/* Many short sequences: one task per sequence, each attention serial. */
static void attention_task(void *ctx, size_t i, int thread) {
    attn_job *j = ctx;
    le_kctx serial = {j->m->isa, NULL};
    attention_for(j->m, &serial, &j->seqs[i], j->offsets[i], j->s);
}

le_status le_bert_forward(const le_bert *m, const le_kctx *kc, const le_seq *seqs, int n_seqs,
                          le_bert_scratch *s, const float **hidden, le_error *err) {
    const le_model_config *c = &m->cfg;
    le_status st = check_inputs(m, seqs, n_seqs, err);
    if (st) return st;
    size_t total = 0, longest = 0;
    size_t offsets_small[64], *offsets = offsets_small;
    if (n_seqs > 64 && !(offsets = malloc(sizeof *offsets * (size_t)n_seqs)))
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n_seqs; i++) {
        offsets[i] = total;
        total += (size_t)seqs[i].n;
        if ((size_t)seqs[i].n > longest) longest = (size_t)seqs[i].n;
    }
    *hidden = NULL;
    if (total == 0) goto done;
    if ((st = scratch_reserve(s, c, total, err))) goto done;
    size_t h = (size_t)c->hidden;
    for (int i = 0; i < n_seqs; i++) embed_sequence(m, &seqs[i], s->x + offsets[i] * h);
    le_layernorm(kc, s->x, h, total, c->hidden, m->ln_emb_gamma, m->ln_emb_beta, c->ln_eps, s->x,
                 h);
    int threads = le_pool_threads(kc->pool);
    /* short sequences parallelise better across sequences than across heads */
    int per_sequence = n_seqs >= 2 * threads && longest <= 1024;
    for (int l = 0; l < c->layers; l++) {
        const le_bert_layer *L = &m->layers[l];
        le_gemm_epilogue ep_qkv = {L->qkv_bias, LE_ACT_NONE, 0};
        le_gemm(kc, s->x, h, total, L->qkv, &ep_qkv, s->qkv, 3 * h);
        if (per_sequence) {
            attn_job job = {m, seqs, offsets, s};
            le_pool_run(kc->pool, (size_t)n_seqs, attention_task, &job);
        } else {
            for (int i = 0; i < n_seqs; i++) attention_for(m, kc, &seqs[i], offsets[i], s);
        }
        le_gemm_epilogue ep_out = {L->attn_out_bias, LE_ACT_NONE, 1};
        le_gemm(kc, s->ctx, h, total, L->attn_out, &ep_out, s->x, h);
        le_layernorm(kc, s->x, h, total, c->hidden, L->ln_attn_gamma, L->ln_attn_beta, c->ln_eps,
                     s->x, h);
        size_t inter = (size_t)c->intermediate;
        for (size_t t0 = 0; t0 < total; t0 += FFN_CHUNK_TOKENS) {
            size_t nt = total - t0 < FFN_CHUNK_TOKENS ? total - t0 : FFN_CHUNK_TOKENS;
            float *xc = s->x + t0 * h;
            le_gemm_epilogue ep_in = {L->ffn_in_bias, c->act, 0};
            le_gemm(kc, xc, h, nt, L->ffn_in, &ep_in, s->ffn, inter);
            le_gemm_epilogue ep_o = {L->ffn_out_bias, LE_ACT_NONE, 1};
            le_gemm(kc, s->ffn, inter, nt, L->ffn_out, &ep_o, xc, h);
            le_layernorm(kc, xc, h, nt, c->hidden, L->ln_ffn_gamma, L->ln_ffn_beta, c->ln_eps, xc,
                         h);
        }
    }
    *hidden = s->x;
done:
    if (offsets != offsets_small) free(offsets);
    return st;
}
