/* The encoder forward pass over a packed batch: one matrix product per
 * linear layer over every token of the batch, attention per sequence with
 * that sequence's position plan (learned rows, RoPE tables, ALiBi). */
#include "kernels/attention.h"
#include "kernels/ops.h"
#include "model/encoder.h"
#include "model/rope.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Feed-forward runs over this many tokens at a time, so its [tokens][I]
 * buffer stays small however long the input. */
#define FFN_CHUNK_TOKENS 1024

static size_t ffn_width(const le_model_config *c) {
    return (size_t)c->intermediate * (c->ffn == LE_FFN_GATED ? 2 : 1);
}

static le_status scratch_reserve(le_encoder_scratch *s, const le_model_config *c, size_t tokens,
                                 int int8, le_error *err) {
    if (tokens <= s->cap_tokens && (!int8 || s->xq.q)) return LE_OK;
    float *tab = s->rope_tab; /* kept: sized separately */
    size_t cap_rope = s->cap_rope;
    s->rope_tab = NULL;
    le_encoder_scratch_free(s);
    s->rope_tab = tab;
    s->cap_rope = cap_rope;
    size_t h = (size_t)c->hidden, chunk = tokens < FFN_CHUNK_TOKENS ? tokens : FFN_CHUNK_TOKENS;
    s->x = le_alloc_aligned(tokens * h * sizeof(float));
    s->qkv = le_alloc_aligned(tokens * 3 * h * sizeof(float));
    s->ctx = le_alloc_aligned(tokens * h * sizeof(float));
    s->ffn = le_alloc_aligned(chunk * ffn_width(c) * sizeof(float));
    const size_t xq_bytes = (tokens * h + 63) & ~(size_t)63;
    if (int8 && (s->xq.q = le_alloc_aligned(xq_bytes + tokens * sizeof(float))))
        s->xq.scale = (float *)((char *)s->xq.q + xq_bytes);
    if (!s->x || !s->qkv || !s->ctx || !s->ffn || (int8 && !s->xq.q)) {
        le_encoder_scratch_free(s);
        return le_fail(err, LE_ERR_NOMEM, "out of memory for %zu tokens of activations", tokens);
    }
    s->cap_tokens = tokens;
    return LE_OK;
}

void le_encoder_scratch_free(le_encoder_scratch *s) {
    le_free_aligned(s->x);
    le_free_aligned(s->qkv);
    le_free_aligned(s->ctx);
    le_free_aligned(s->ffn);
    le_free_aligned(s->xq.q);
    le_free_aligned(s->rope_tab);
    memset(s, 0, sizeof *s);
}

/* x[t] = word[id] + position(t) + type[0], for the tokens of one sequence.
 * position(t) = pos[row] (+ frac·(pos[row+1] − pos[row]) when interpolating);
 * none without a learned table. */
static void embed_sequence(const le_encoder *m, const le_seq *q, float *x) {
    int h = m->cfg.hidden;
    const float *type0 = m->type_emb;
    for (int t = 0; t < q->n; t++) {
        const float *w = m->word_emb + (size_t)q->ids[t] * h;
        float *o = x + (size_t)t * h;
        if (!m->pos_emb) {
            for (int i = 0; i < h; i++) o[i] = w[i] + type0[i];
            continue;
        }
        const float *p0 = m->pos_emb + (size_t)q->plan.rows[t] * h;
        float f = q->plan.frac ? q->plan.frac[t] : 0.0f;
        if (f != 0.0f) {
            const float *p1 = p0 + h;
            for (int i = 0; i < h; i++) o[i] = (w[i] + ((1.0f - f) * p0[i] + f * p1[i])) + type0[i];
        } else {
            for (int i = 0; i < h; i++) o[i] = (w[i] + p0[i]) + type0[i];
        }
    }
}

static le_status check_inputs(const le_encoder *m, const le_seq *seqs, int n_seqs, le_error *err) {
    for (int s = 0; s < n_seqs; s++) {
        const le_seq *q = &seqs[s];
        if (m->cfg.pos == LE_POS_TABLE && q->n > 0 && !q->plan.rows)
            return le_fail(err, LE_ERR_ARG, "sequence %d: no position rows", s);
        if (m->cfg.pos == LE_POS_ROPE && q->plan.se_window > 0 && q->plan.pos_div > 1)
            return le_fail(err, LE_ERR_ARG,
                           "sequence %d: SelfExtend does not combine with grouped positions", s);
        for (int t = 0; t < q->n; t++) {
            if (q->ids[t] < 0 || q->ids[t] >= m->cfg.vocab)
                return le_fail(err, LE_ERR_ARG,
                               "sequence %d: token id %d at %d is outside the vocabulary of %d", s,
                               q->ids[t], t, m->cfg.vocab);
            if (m->cfg.pos != LE_POS_TABLE) continue;
            int last = q->plan.rows[t] + (q->plan.frac && q->plan.frac[t] != 0.0f ? 1 : 0);
            if (q->plan.rows[t] < 0 || last >= m->cfg.max_positions)
                return le_fail(err, LE_ERR_ARG,
                               "sequence %d: position %d of token %d is outside the table of %d "
                               "rows",
                               s, last, t, m->cfg.max_positions);
        }
    }
    return LE_OK;
}

/* The rows of one sequence's RoPE table (positions its attention reads). */
static int rope_rows(const le_seq *q) {
    return le_attn_rope_rows(q->n, 0, q->n, q->plan.se_window, q->plan.se_group);
}

/* Builds every sequence's cos/sin tables once for all layers; rope_off[i]
 * is sequence i's offset (in rows) into s->rope_tab. */
static le_status build_rope_tables(const le_encoder *m, const le_seq *seqs, int n_seqs,
                                   size_t *rope_off, le_encoder_scratch *s, le_error *err) {
    const int half = m->cfg.hidden / m->cfg.heads / 2;
    size_t rows = 0;
    for (int i = 0; i < n_seqs; i++) {
        rope_off[i] = rows;
        rows += (size_t)rope_rows(&seqs[i]);
    }
    size_t need = rows * (size_t)half * 2;
    if (need > s->cap_rope) {
        le_free_aligned(s->rope_tab);
        s->rope_tab = le_alloc_aligned(need * sizeof(float));
        s->cap_rope = s->rope_tab ? need : 0;
        if (!s->rope_tab) return le_fail(err, LE_ERR_NOMEM, "out of memory for RoPE tables");
    }
    float inv[LE_ROPE_MAX_HALF], cos_scale;
    for (int i = 0; i < n_seqs; i++) {
        const le_seq *q = &seqs[i];
        int r = rope_rows(q);
        float *c = s->rope_tab + rope_off[i] * (size_t)half * 2, *sn = c + (size_t)r * half;
        le_rope_inv_freq(&m->cfg, &q->plan, q->n, inv, &cos_scale);
        le_rope_fill(&m->cfg, &q->plan, inv, cos_scale, r, c, sn);
    }
    return LE_OK;
}

/* x's rows [t0, t0 + n) as int8 rows (int8 models), or NULL. */
static const le_gemm_qrows *xq_rows(const le_encoder_scratch *s, size_t t0, size_t h,
                                    le_gemm_qrows *at) {
    if (!s->xq.q) return NULL;
    *at = (le_gemm_qrows){s->xq.q + t0 * h, s->xq.scale + t0};
    return at;
}

/* out = epilogue(x · Wᵀ) over nt rows of x: from their int8 rows where the
 * layer norm left them (xq), else from the fp32 rows. */
static void x_product(const le_kctx *kc, const float *x, size_t h, const le_gemm_qrows *xq,
                      size_t nt, const le_gemm_weight *w, const le_gemm_epilogue *ep, float *out,
                      size_t ldo) {
    if (xq)
        le_gemm_q(kc, xq, nt, w, ep, out, ldo);
    else
        le_gemm(kc, x, h, nt, w, ep, out, ldo);
}

/* qkv = x·W_qkvᵀ + b over tokens [t0, t0 + n). */
static void qkv_product(const le_encoder *m, const le_kctx *kc, const le_encoder_layer *L,
                        le_encoder_scratch *s, size_t t0, size_t n) {
    const size_t h = (size_t)m->cfg.hidden;
    le_gemm_qrows at;
    le_gemm_epilogue ep = {.bias = L->qkv_bias};
    x_product(kc, s->x + t0 * h, h, xq_rows(s, t0, h, &at), n, L->qkv, &ep, s->qkv + t0 * 3 * h,
              3 * h);
}

/* x = LayerNorm(x + ctx·W_oᵀ + b) over tokens [t0, t0 + n), rounding x for
 * the feed-forward's first product on the way (int8 models). */
static void out_product(const le_encoder *m, const le_kctx *kc, const le_encoder_layer *L,
                        le_encoder_scratch *s, size_t t0, size_t n) {
    const size_t h = (size_t)m->cfg.hidden;
    le_gemm_qrows at;
    le_gemm_norm ln = {L->ln_attn_gamma, L->ln_attn_beta, m->cfg.ln_eps};
    le_gemm_epilogue ep = {
        .bias = L->attn_out_bias, .accumulate = 1, .norm = &ln, .qout = xq_rows(s, t0, h, &at)};
    le_gemm(kc, s->ctx + t0 * h, h, n, L->attn_out, &ep, s->x + t0 * h, h);
}

typedef struct attn_job {
    const le_encoder *m;
    const le_encoder_layer *L;
    const le_seq *seqs;
    const size_t *offsets, *rope_off;
    le_encoder_scratch *s;
    int failed;
} attn_job;

static int attention_for(const le_encoder *m, const le_kctx *kc, const le_seq *q, size_t off,
                         size_t rope_off, le_encoder_scratch *s) {
    const le_model_config *c = &m->cfg;
    int h = c->hidden, dh = h / c->heads;
    const float *base = s->qkv + off * 3 * (size_t)h;
    le_attn_args a = {0};
    a.n_q = a.n_kv = q->n;
    a.n_heads = a.n_kv_heads = c->heads;
    a.head_dim = dh;
    a.q = base;
    a.k = base + h;
    a.v = base + 2 * h;
    a.q_stride = a.k_stride = a.v_stride = 3 * (size_t)h;
    a.out = s->ctx + off * (size_t)h;
    a.out_stride = (size_t)h;
    a.scale = q->plan.attn_scale / sqrtf((float)dh);
    /* bf16 and int8 models: bf16 products in the attention too, where the CPU has them */
    a.bf16 = m->dtype != LE_GEMM_F32;
    le_attn_rope rope;
    if (c->pos == LE_POS_ROPE) {
        const int half = dh / 2, rows = rope_rows(q);
        rope.cos = s->rope_tab + rope_off * (size_t)half * 2;
        rope.sin = rope.cos + (size_t)rows * half;
        rope.rows = rows;
        rope.rotate_half = !c->rope_interleaved;
        rope.se_group = q->plan.se_group > 1 ? q->plan.se_group : 1;
        if (q->plan.se_window > 0) {
            /* SelfExtend: the attention rotates each tile with the position sets it needs */
            a.rope = &rope;
            a.se_window = q->plan.se_window;
        } else {
            /* one position per token: rotate q and k in place once (bitwise what the
             * attention's own rotation gives, tests/rope/test_rope_attention.c) */
            float *qk = s->qkv + off * 3 * (size_t)h;
            le_rope_apply(kc, qk, 3 * (size_t)h, (size_t)q->n, c->heads, dh, rope.cos, rope.sin,
                          rope.rotate_half);
            le_rope_apply(kc, qk + h, 3 * (size_t)h, (size_t)q->n, c->heads, dh, rope.cos, rope.sin,
                          rope.rotate_half);
        }
    } else if (c->pos == LE_POS_ALIBI) {
        a.alibi_slopes = m->alibi_slopes;
    }
    return le_attention(kc, &a);
}

/* Many short sequences: one task per sequence runs the layer's attention
 * block on it serially (QKV product, attention, output product), so its q, k,
 * v and context rows are read back while still in cache. */
static void attention_task(void *ctx, size_t i, int thread) {
    (void)thread;
    attn_job *j = ctx;
    le_kctx serial = {j->m->isa, NULL};
    const size_t t0 = j->offsets[i], n = (size_t)j->seqs[i].n;
    qkv_product(j->m, &serial, j->L, j->s, t0, n);
    if (attention_for(j->m, &serial, &j->seqs[i], t0, j->rope_off[i], j->s))
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    else
        out_product(j->m, &serial, j->L, j->s, t0, n);
}

/* x = LayerNorm(x) over rows [t0, t0 + nt), rounding them into xq too. */
static void x_norm(const le_kctx *kc, const le_model_config *c, le_encoder_scratch *s, size_t t0,
                   size_t nt, const float *gamma, const float *beta) {
    const size_t h = (size_t)c->hidden;
    le_gemm_qrows at;
    float *x = s->x + t0 * h;
    le_layernorm_q(kc, x, h, nt, c->hidden, gamma, beta, c->ln_eps, x, h, xq_rows(s, t0, h, &at));
}

/* x = norm(x + act(x·W_inᵀ + b_in)·W_outᵀ + b_out) over nt tokens (the second
 * product's epilogue ep_o), through fp32 rows in ffn ([nt][wide]). Gated:
 * [gate | up] in one product, then act(gate) ⊙ up over the gate half. */
static void ffn_fp32(const le_model_config *c, const le_kctx *kc, const le_encoder_layer *L,
                     const le_gemm_qrows *xq, float *ffn, float *x, size_t nt,
                     const le_gemm_epilogue *ep_o) {
    const size_t h = (size_t)c->hidden, inter = (size_t)c->intermediate, wide = ffn_width(c);
    const int gated = c->ffn == LE_FFN_GATED;
    le_gemm_epilogue ep_in = {.bias = L->ffn_in_bias, .act = gated ? LE_ACT_NONE : c->act};
    x_product(kc, x, h, xq, nt, L->ffn_in, &ep_in, ffn, wide);
    if (gated) le_gated_act(kc, ffn, wide, ffn + inter, wide, nt, (int)inter, c->act, ffn, wide);
    le_gemm(kc, ffn, wide, nt, L->ffn_out, ep_o, x, h);
}

/* The same for int8 weights (not gated): the [nt][I] rows go from one product
 * to the next as int8 rows (their fp32 never leaves the first product's
 * scratch), in the memory of the fp32 buffer: the same numbers, less traffic. */
static void ffn_int8(const le_model_config *c, const le_kctx *kc, const le_encoder_layer *L,
                     const le_gemm_qrows *xq, float *ffn, float *x, size_t nt,
                     const le_gemm_epilogue *ep_o) {
    const size_t h = (size_t)c->hidden, inter = (size_t)c->intermediate;
    const size_t q_bytes = (nt * inter + 63) & ~(size_t)63;
    le_gemm_qrows q = {(int8_t *)ffn, (float *)((char *)ffn + q_bytes)};
    le_gemm_epilogue ep_in = {.bias = L->ffn_in_bias, .act = c->act, .qout = &q};
    x_product(kc, x, h, xq, nt, L->ffn_in, &ep_in, NULL, inter);
    le_gemm_q(kc, &q, nt, L->ffn_out, ep_o, x, h);
}

static void feed_forward(const le_encoder *m, const le_kctx *kc, const le_encoder_layer *L,
                         le_encoder_scratch *s, size_t total) {
    const le_model_config *c = &m->cfg;
    const size_t h = (size_t)c->hidden;
    const int int8 = m->dtype == LE_GEMM_INT8 && c->ffn != LE_FFN_GATED;
    for (size_t t0 = 0; t0 < total; t0 += FFN_CHUNK_TOKENS) {
        size_t nt = total - t0 < FFN_CHUNK_TOKENS ? total - t0 : FFN_CHUNK_TOKENS;
        le_gemm_qrows at;
        const le_gemm_qrows *xq = xq_rows(s, t0, h, &at);
        /* the layer norm in the second product's epilogue, which rounds x for the next layer */
        le_gemm_norm ln = {L->ln_ffn_gamma, L->ln_ffn_beta, c->ln_eps};
        le_gemm_epilogue ep_o = {.bias = L->ffn_out_bias, .accumulate = 1, .norm = &ln, .qout = xq};
        (int8 ? ffn_int8 : ffn_fp32)(c, kc, L, xq, s->ffn, s->x + t0 * h, nt, &ep_o);
    }
}

le_status le_encoder_forward(const le_encoder *m, const le_kctx *kc, const le_seq *seqs, int n_seqs,
                             le_encoder_scratch *s, const float **hidden, le_error *err) {
    const le_model_config *c = &m->cfg;
    le_status st = check_inputs(m, seqs, n_seqs, err);
    if (st) return st;
    size_t total = 0, longest = 0;
    size_t small[128], *offsets = small, *rope_off = small + 64;
    if (n_seqs > 64) {
        offsets = malloc(sizeof *offsets * 2 * (size_t)n_seqs);
        if (!offsets) return le_fail(err, LE_ERR_NOMEM, "out of memory");
        rope_off = offsets + n_seqs;
    }
    for (int i = 0; i < n_seqs; i++) {
        offsets[i] = total;
        rope_off[i] = 0;
        total += (size_t)seqs[i].n;
        if ((size_t)seqs[i].n > longest) longest = (size_t)seqs[i].n;
    }
    *hidden = NULL;
    if (total == 0) goto done;
    if ((st = scratch_reserve(s, c, total, m->dtype == LE_GEMM_INT8, err))) goto done;
    if (c->pos == LE_POS_ROPE && (st = build_rope_tables(m, seqs, n_seqs, rope_off, s, err)))
        goto done;
    size_t h = (size_t)c->hidden;
    for (int i = 0; i < n_seqs; i++) embed_sequence(m, &seqs[i], s->x + offsets[i] * h);
    x_norm(kc, c, s, 0, total, m->ln_emb_gamma, m->ln_emb_beta);
    int threads = le_pool_threads(kc->pool);
    /* short sequences parallelise better across sequences than across heads */
    int per_sequence = n_seqs >= 2 * threads && longest <= 1024;
    for (int l = 0; l < c->layers; l++) {
        const le_encoder_layer *L = &m->layers[l];
        int failed = 0;
        if (per_sequence) {
            attn_job job = {m, L, seqs, offsets, rope_off, s, 0};
            le_pool_run(kc->pool, (size_t)n_seqs, attention_task, &job);
            failed = job.failed;
        } else {
            qkv_product(m, kc, L, s, 0, total);
            for (int i = 0; i < n_seqs; i++)
                failed |= attention_for(m, kc, &seqs[i], offsets[i], rope_off[i], s);
            if (!failed) out_product(m, kc, L, s, 0, total);
        }
        if (failed) {
            st = le_fail(err, LE_ERR_NOMEM, "out of memory for attention scratch");
            goto done;
        }
        feed_forward(m, kc, L, s, total);
    }
    *hidden = s->x;
done:
    if (offsets != small) free(offsets);
    return st;
}
