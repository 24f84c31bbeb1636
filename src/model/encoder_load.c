/* Reading an encoder checkpoint: the shared helpers the architecture files
 * load their tensors with (shapes checked against config.json, linear
 * weights packed once for the ISA that will run them), and the loading of
 * a checkpoint through its architecture's row (arch.c). */
#include "model/arch_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

le_status le_load_table(le_loader *ld, const char *name, int64_t rows, int64_t cols,
                        const float **out) {
    int64_t shape[2] = {rows, cols};
    float *owned = NULL;
    le_status s = le_st_get_f32(ld->st, name, ld->prefixes, 2, shape, out, &owned, ld->err);
    if (s) return s;
    if (owned) {
        if (ld->n_owned >= (int)(sizeof ld->m->owned / sizeof *ld->m->owned)) {
            le_free_aligned(owned);
            return le_fail(ld->err, LE_ERR_INTERNAL, "too many converted tables");
        }
        ld->m->owned[ld->n_owned++] = owned;
    }
    return LE_OK;
}

le_status le_load_vector(le_loader *ld, const char *name, int64_t n, const float **out) {
    float *dst = le_arena_alloc(&ld->m->arena, (size_t)n * sizeof(float));
    if (!dst) return le_fail(ld->err, LE_ERR_NOMEM, "out of memory");
    le_status s = le_st_read_f32(ld->st, name, ld->prefixes, 1, &n, dst, ld->err);
    *out = dst;
    return s;
}

le_status le_load_linear(le_loader *ld, const char *const *names, int count, int64_t rows,
                         int64_t cols, int with_bias, le_gemm_weight **w, const float **bias) {
    size_t per = (size_t)rows * (size_t)cols;
    float *buf = le_alloc_aligned(per * (size_t)count * sizeof(float));
    float *b = with_bias
                   ? le_arena_alloc(&ld->m->arena, (size_t)rows * (size_t)count * sizeof(float))
                   : NULL;
    *bias = NULL;
    if (!buf || (with_bias && !b)) {
        le_free_aligned(buf);
        return le_fail(ld->err, LE_ERR_NOMEM, "out of memory");
    }
    le_status s = LE_OK;
    char name[512];
    int64_t wshape[2] = {rows, cols};
    for (int i = 0; i < count && !s; i++) {
        snprintf(name, sizeof name, "%s.weight", names[i]);
        s = le_st_read_f32(ld->st, name, ld->prefixes, 2, wshape, buf + per * (size_t)i, ld->err);
        /* the packed copy is what the forward reads: the mapped pages can go */
        if (!s) le_st_release(ld->st, le_st_find_prefixed(ld->st, name, ld->prefixes));
        if (s || !with_bias) continue;
        snprintf(name, sizeof name, "%s.bias", names[i]);
        s = le_st_read_f32(ld->st, name, ld->prefixes, 1, &rows, b + (size_t)rows * (size_t)i,
                           ld->err);
    }
    if (!s)
        s = le_gemm_pack_as(ld->m->isa, ld->m->dtype, buf, (int)(rows * count), (int)cols, w,
                            ld->err);
    le_free_aligned(buf);
    if (!s) ld->m->packed_bytes += le_gemm_weight_bytes(*w);
    *bias = b;
    return s;
}

le_status le_load_embeddings(le_loader *ld, const char *word, const char *type,
                             const char *position, const char *ln_gamma, const char *ln_beta) {
    le_encoder *m = ld->m;
    const le_model_config *cfg = &m->cfg;
    int64_t h = cfg->hidden;
    le_status s;
    if ((s = le_load_table(ld, word, cfg->vocab, h, &m->word_emb))) return s;
    if (cfg->pos == LE_POS_TABLE) {
        const float *table;
        int64_t skip = cfg->pos_row_offset;
        if ((s = le_load_table(ld, position, cfg->max_positions + skip, h, &table))) return s;
        m->pos_emb = table + skip * h;
    }
    if (cfg->type_vocab > 0) {
        if ((s = le_load_table(ld, type, cfg->type_vocab, h, &m->type_emb))) return s;
    } else {
        float *zero = le_arena_calloc(&m->arena, (size_t)h, sizeof(float));
        if (!zero) return le_fail(ld->err, LE_ERR_NOMEM, "out of memory");
        m->type_emb = zero;
    }
    if ((s = le_load_vector(ld, ln_gamma, h, &m->ln_emb_gamma)) ||
        (s = le_load_vector(ld, ln_beta, h, &m->ln_emb_beta)))
        return s;
    return LE_OK;
}

le_status le_load_layers_alloc(le_loader *ld) {
    le_encoder *m = ld->m;
    m->layers = le_arena_calloc(&m->arena, (size_t)m->cfg.layers, sizeof *m->layers);
    if (!m->layers) return le_fail(ld->err, LE_ERR_NOMEM, "out of memory");
    return LE_OK;
}

/* ALiBi slopes as jina-bert-v2 (after the ALiBi paper's code) computes them,
 * in double, rounded to float: for n a power of two, start·start^i with
 * start = 2^(-2^-(log2 n - 3)); otherwise the slopes of the largest power of
 * two p <= heads, then every other slope of 2p heads. */
static void slopes_pow2(int n, int count, int step, float *out) {
    const double start = pow(2.0, -pow(2.0, -(log2((double)n) - 3)));
    for (int i = 0; i < count; i++) out[i] = (float)(start * pow(start, (double)(i * step)));
}

static void alibi_slopes(int heads, float *out) {
    int p = 1;
    while (p * 2 <= heads) p *= 2;
    slopes_pow2(p, p, 1, out);
    if (heads > p) slopes_pow2(2 * p, heads - p, 2, out + p);
}

le_status le_encoder_load(const char *dir, const le_model_config *cfg, le_isa isa,
                          le_gemm_dtype dtype, le_encoder *m, le_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->isa = isa;
    m->dtype = dtype;
    le_arena_init(&m->arena, 1 << 16);
    le_status s = le_st_open(dir, &m->st, err);
    if (s) return s;
    le_loader ld = {m, m->st, cfg->arch->tensor_prefixes, err, 0};
    s = cfg->arch->load_weights(&ld);
    if (!s && cfg->pos == LE_POS_ALIBI) {
        float *sl = le_arena_alloc(&m->arena, sizeof(float) * (size_t)cfg->heads);
        if (!sl)
            s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        else
            alibi_slopes(cfg->heads, sl);
        m->alibi_slopes = sl;
    }
    if (s)
        le_encoder_free(m);
    else
        le_st_release_all(m->st); /* the tables fault back in as the forward reads them */
    return s;
}

void le_encoder_free(le_encoder *m) {
    if (m->layers) {
        for (int l = 0; l < m->cfg.layers; l++) {
            le_encoder_layer *L = &m->layers[l];
            le_gemm_weight_free(L->qkv);
            le_gemm_weight_free(L->attn_out);
            le_gemm_weight_free(L->ffn_in);
            le_gemm_weight_free(L->ffn_out);
        }
    }
    for (size_t i = 0; i < sizeof m->owned / sizeof *m->owned; i++) le_free_aligned(m->owned[i]);
    if (m->st) le_st_close(m->st);
    le_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}
