/* Reading a BERT checkpoint: tensors by their Hugging Face names (with or
 * without the "bert." prefix), shapes checked against config.json, linear
 * weights packed once for the ISA that will run them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/bert.h"
#include "model/safetensors.h"

static const char *const g_prefixes[] = {"bert.", NULL};

typedef struct loader {
    le_bert *m;
    le_safetensors *st;
    le_error *err;
    int n_owned;
} loader;

/* A table used in place when the checkpoint is F32, converted otherwise. */
static le_status get_table(loader *ld, const char *name, int64_t rows, int64_t cols,
                           const float **out) {
    int64_t shape[2] = {rows, cols};
    float *owned = NULL;
    le_status s = le_st_get_f32(ld->st, name, g_prefixes, 2, shape, out, &owned, ld->err);
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

/* A small vector copied into the model's arena. */
static le_status get_vector(loader *ld, const char *name, int64_t n, const float **out) {
    float *dst = le_arena_alloc(&ld->m->arena, (size_t)n * sizeof(float));
    if (!dst) return le_fail(ld->err, LE_ERR_NOMEM, "out of memory");
    le_status s = le_st_read_f32(ld->st, name, g_prefixes, 1, &n, dst, ld->err);
    *out = dst;
    return s;
}

/* Packs the row-stacked weights names[0..count) (each [rows][cols]) into one
 * GEMM weight, and their biases into one vector. */
static le_status get_linear(loader *ld, const char *const *names, int count, int64_t rows,
                            int64_t cols, le_gemm_weight **w, const float **bias) {
    size_t per = (size_t)rows * (size_t)cols;
    float *buf = le_alloc_aligned(per * (size_t)count * sizeof(float));
    float *b = le_arena_alloc(&ld->m->arena, (size_t)rows * (size_t)count * sizeof(float));
    if (!buf || !b) {
        le_free_aligned(buf);
        return le_fail(ld->err, LE_ERR_NOMEM, "out of memory");
    }
    le_status s = LE_OK;
    char name[512];
    int64_t wshape[2] = {rows, cols};
    for (int i = 0; i < count && !s; i++) {
        snprintf(name, sizeof name, "%s.weight", names[i]);
        s = le_st_read_f32(ld->st, name, g_prefixes, 2, wshape, buf + per * (size_t)i, ld->err);
        if (s) break;
        snprintf(name, sizeof name, "%s.bias", names[i]);
        s = le_st_read_f32(ld->st, name, g_prefixes, 1, &rows, b + (size_t)rows * (size_t)i,
                           ld->err);
    }
    if (!s) s = le_gemm_pack(ld->m->isa, buf, (int)(rows * count), (int)cols, w, ld->err);
    le_free_aligned(buf);
    if (!s) ld->m->packed_bytes += le_gemm_weight_bytes(*w);
    *bias = b;
    return s;
}

static le_status load_layer(loader *ld, int l) {
    le_bert_layer *L = &ld->m->layers[l];
    const le_model_config *c = &ld->m->cfg;
    int64_t h = c->hidden, inter = c->intermediate;
    char q[128], k[128], v[128], n[128], g[160], b[160];
    snprintf(q, sizeof q, "encoder.layer.%d.attention.self.query", l);
    snprintf(k, sizeof k, "encoder.layer.%d.attention.self.key", l);
    snprintf(v, sizeof v, "encoder.layer.%d.attention.self.value", l);
    const char *qkv[3] = {q, k, v};
    le_status s = get_linear(ld, qkv, 3, h, h, &L->qkv, &L->qkv_bias);
    if (s) return s;
    snprintf(n, sizeof n, "encoder.layer.%d.attention.output.dense", l);
    const char *o[1] = {n};
    if ((s = get_linear(ld, o, 1, h, h, &L->attn_out, &L->attn_out_bias))) return s;
    snprintf(g, sizeof g, "encoder.layer.%d.attention.output.LayerNorm.weight", l);
    snprintf(b, sizeof b, "encoder.layer.%d.attention.output.LayerNorm.bias", l);
    if ((s = get_vector(ld, g, h, &L->ln_attn_gamma)) || (s = get_vector(ld, b, h, &L->ln_attn_beta)))
        return s;
    snprintf(n, sizeof n, "encoder.layer.%d.intermediate.dense", l);
    if ((s = get_linear(ld, o, 1, inter, h, &L->ffn_in, &L->ffn_in_bias))) return s;
    snprintf(n, sizeof n, "encoder.layer.%d.output.dense", l);
    if ((s = get_linear(ld, o, 1, h, inter, &L->ffn_out, &L->ffn_out_bias))) return s;
    snprintf(g, sizeof g, "encoder.layer.%d.output.LayerNorm.weight", l);
    snprintf(b, sizeof b, "encoder.layer.%d.output.LayerNorm.bias", l);
    if ((s = get_vector(ld, g, h, &L->ln_ffn_gamma)) || (s = get_vector(ld, b, h, &L->ln_ffn_beta)))
        return s;
    return LE_OK;
}

le_status le_bert_load(const char *dir, const le_model_config *cfg, le_isa isa, le_bert *m,
                       le_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->isa = isa;
    le_arena_init(&m->arena, 1 << 16);
    le_status s = le_st_open(dir, &m->st, err);
    if (s) return s;
    loader ld = {m, m->st, err, 0};
    int64_t h = cfg->hidden;
    if ((s = get_table(&ld, "embeddings.word_embeddings.weight", cfg->vocab, h, &m->word_emb)) ||
        (s = get_table(&ld, "embeddings.position_embeddings.weight", cfg->max_positions, h,
                       &m->pos_emb)))
        goto fail;
    if (cfg->type_vocab > 0) {
        if ((s = get_table(&ld, "embeddings.token_type_embeddings.weight", cfg->type_vocab, h,
                           &m->type_emb)))
            goto fail;
    } else {
        float *zero = le_arena_calloc(&m->arena, (size_t)h, sizeof(float));
        if (!zero) {
            s = le_fail(err, LE_ERR_NOMEM, "out of memory");
            goto fail;
        }
        m->type_emb = zero;
    }
    if ((s = get_vector(&ld, "embeddings.LayerNorm.weight", h, &m->ln_emb_gamma)) ||
        (s = get_vector(&ld, "embeddings.LayerNorm.bias", h, &m->ln_emb_beta)))
        goto fail;
    m->layers = le_arena_calloc(&m->arena, (size_t)cfg->layers, sizeof *m->layers);
    if (!m->layers) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int l = 0; l < cfg->layers; l++)
        if ((s = load_layer(&ld, l))) goto fail;
    return LE_OK;
fail:
    le_bert_free(m);
    return s;
}

void le_bert_free(le_bert *m) {
    if (m->layers) {
        for (int l = 0; l < m->cfg.layers; l++) {
            le_bert_layer *L = &m->layers[l];
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
