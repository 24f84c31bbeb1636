/* Loading a llama-family GGUF: metadata as llama.cpp's llama-model.cpp reads
 * it for LLM_ARCH_LLAMA and LLM_ARCH_QWEN2 (key names of gguf-py's
 * constants.py), tensors as views (model/llama.h). */
#include "model/llama.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int le_llama_q_dim(const le_llama_config *c) { return c->heads * c->head_dim; }
int le_llama_kv_dim(const le_llama_config *c) { return c->kv_heads * c->head_dim; }

/* "<arch>.<suffix>" into key (cap 128). */
static const char *arch_key(char *key, const le_llama_config *c, const char *suffix) {
    snprintf(key, 128, "%s.%s", c->arch, suffix);
    return key;
}

/* A required positive integer key of the architecture. */
static le_status get_int(const le_gguf *g, const le_llama_config *c, const char *suffix,
                         int *out, le_error *err) {
    char key[128];
    uint32_t v;
    le_status s = le_gguf_get_u32(g, arch_key(key, c, suffix), &v, err);
    if (s) return s;
    if (v == 0 || v > (1u << 24))
        return le_fail(err, LE_ERR_FORMAT, "%s: key \"%s\": %u is out of range",
                       le_gguf_path(g), key, v);
    *out = (int)v;
    return LE_OK;
}

/* An optional integer key (absent: def). */
static le_status get_int_opt(const le_gguf *g, const le_llama_config *c, const char *suffix,
                             int def, int *out, le_error *err) {
    char key[128];
    if (!le_gguf_find_kv(g, arch_key(key, c, suffix))) {
        *out = def;
        return LE_OK;
    }
    return get_int(g, c, suffix, out, err);
}

/* An optional float key (absent: def). */
static le_status get_f32_opt(const le_gguf *g, const le_llama_config *c, const char *suffix,
                             float def, float *out, le_error *err) {
    char key[128];
    *out = def;
    if (!le_gguf_find_kv(g, arch_key(key, c, suffix))) return LE_OK;
    return le_gguf_get_f32(g, key, out, err);
}

/* general.architecture: llama or qwen2, else unsupported. */
static le_status read_arch(const le_gguf *g, le_llama_config *c, le_error *err) {
    const char *arch;
    le_status s = le_gguf_get_str(g, "general.architecture", &arch, err);
    if (s) return s;
    if (strcmp(arch, "llama") && strcmp(arch, "qwen2"))
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: architecture \"%s\" is not supported (llama, qwen2)",
                       le_gguf_path(g), arch);
    snprintf(c->arch, sizeof c->arch, "%s", arch);
    c->rotate_half = !strcmp(arch, "qwen2");
    return LE_OK;
}

/* The shapes: layers, widths, heads, epsilon, context. */
static le_status read_shapes(const le_gguf *g, le_llama_config *c, le_error *err) {
    le_status s;
    if ((s = get_int(g, c, "block_count", &c->layers, err)) ||
        (s = get_int(g, c, "embedding_length", &c->hidden, err)) ||
        (s = get_int(g, c, "feed_forward_length", &c->ffn, err)) ||
        (s = get_int(g, c, "attention.head_count", &c->heads, err)) ||
        (s = get_int_opt(g, c, "attention.head_count_kv", c->heads, &c->kv_heads, err)) ||
        (s = get_int(g, c, "context_length", &c->context, err)))
        return s;
    int def_hd = c->hidden / c->heads;
    if ((s = get_int_opt(g, c, "attention.key_length", def_hd, &c->head_dim, err))) return s;
    if (c->heads % c->kv_heads || c->head_dim % 2 || c->head_dim > LE_LLAMA_MAX_HEAD_DIM)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: %d heads, %d kv heads of %d dims are not supported (heads a "
                       "multiple of kv heads, an even head size <= %d)",
                       le_gguf_path(g), c->heads, c->kv_heads, c->head_dim,
                       LE_LLAMA_MAX_HEAD_DIM);
    int rope_dim;
    if ((s = get_int_opt(g, c, "rope.dimension_count", c->head_dim, &rope_dim, err))) return s;
    if (rope_dim != c->head_dim)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: partial rotary embedding (rope.dimension_count %d of head size %d) "
                       "is not supported", le_gguf_path(g), rope_dim, c->head_dim);
    float eps;
    if ((s = get_f32_opt(g, c, "attention.layer_norm_rms_epsilon", 1e-5f, &eps, err))) return s;
    c->eps = eps;
    return LE_OK;
}

/* rope.freq_base and the file's own scaling (rope.scaling.type). */
static le_status read_rope(const le_gguf *g, le_llama_config *c, le_error *err) {
    float base, factor;
    le_status s = get_f32_opt(g, c, "rope.freq_base", 10000.0f, &base, err);
    if (!s) s = get_f32_opt(g, c, "rope.scaling.factor", 0.0f, &factor, err);
    if (!s) s = get_int_opt(g, c, "rope.scaling.original_context_length", c->context,
                            &c->rope_orig_context, err);
    if (s) return s;
    c->rope_theta = base;
    c->rope_factor = factor;
    char key[128];
    const char *type = "none";
    if (le_gguf_find_kv(g, arch_key(key, c, "rope.scaling.type")) &&
        (s = le_gguf_get_str(g, key, &type, err)))
        return s;
    if (!strcmp(type, "none") || factor == 0.0f || factor == 1.0f)
        c->rope_scaling = LE_ROPE_DEFAULT;
    else if (!strcmp(type, "linear"))
        c->rope_scaling = LE_ROPE_LINEAR;
    else if (!strcmp(type, "yarn"))
        c->rope_scaling = LE_ROPE_YARN;
    else
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: rope.scaling.type \"%s\" is not supported (none, linear, yarn)",
                       le_gguf_path(g), type);
    if (c->rope_scaling != LE_ROPE_DEFAULT && !(factor > 0.0f && factor < 1e4f))
        return le_fail(err, LE_ERR_FORMAT, "%s: rope.scaling.factor %g is out of range",
                       le_gguf_path(g), factor);
    return LE_OK;
}

/* A weight matrix of n rows of k as a view; its type must be one le_qmat runs. */
static le_status load_qmat(const le_gguf *g, const char *name, int n, int k, le_qmat *out,
                           le_error *err) {
    const le_gguf_tensor *t;
    le_status s = le_gguf_require_tensor(g, name, &t, err);
    const int64_t shape[2] = {n, k};
    if (!s) s = le_gguf_check_shape(t, 2, shape, err);
    if (s) return s;
    s = le_qmat_init(out, t->type, t->data, n, k, err);
    if (s)
        return le_error_wrap(err, s, "%s: tensor \"%s\" (%s)", le_gguf_path(g), name,
                             le_ggml_type_name(t->type));
    return LE_OK;
}

/* An F32 vector of n, read in place (absent and optional: NULL). */
static le_status load_vec(const le_gguf *g, const char *name, int n, int optional,
                          const float **out, le_error *err) {
    const le_gguf_tensor *t = le_gguf_find_tensor(g, name);
    *out = NULL;
    if (!t && optional) return LE_OK;
    le_status s = le_gguf_require_tensor(g, name, &t, err);
    const int64_t shape[1] = {n};
    if (!s) s = le_gguf_check_shape(t, 1, shape, err);
    if (s) return s;
    if (t->type != LE_GGML_F32)
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: tensor \"%s\" is %s; norms, biases and "
                       "rope factors must be F32", le_gguf_path(g), name,
                       le_ggml_type_name(t->type));
    *out = (const float *)(const void *)t->data;
    return LE_OK;
}

/* The tensors of block i. */
static le_status load_layer(le_llama *m, int i, le_error *err) {
    const le_llama_config *c = &m->c;
    const le_gguf *g = m->gguf;
    le_llama_layer *L = &m->layer[i];
    const int qd = le_llama_q_dim(c), kvd = le_llama_kv_dim(c), h = c->hidden;
    const int bias = !strcmp(c->arch, "qwen2");
    char n[11][64];
    static const char *const parts[11] = {
        "attn_norm.weight", "ffn_norm.weight", "attn_q.weight", "attn_k.weight",
        "attn_v.weight",    "attn_output.weight", "ffn_gate.weight", "ffn_up.weight",
        "ffn_down.weight",  "attn_q.bias",        "attn_k.bias"};
    for (int j = 0; j < 11; j++) snprintf(n[j], sizeof n[j], "blk.%d.%s", i, parts[j]);
    char vb[64];
    snprintf(vb, sizeof vb, "blk.%d.attn_v.bias", i);
    le_status s;
    if ((s = load_vec(g, n[0], h, 0, &L->attn_norm, err)) ||
        (s = load_vec(g, n[1], h, 0, &L->ffn_norm, err)) ||
        (s = load_qmat(g, n[2], qd, h, &L->wq, err)) ||
        (s = load_qmat(g, n[3], kvd, h, &L->wk, err)) ||
        (s = load_qmat(g, n[4], kvd, h, &L->wv, err)) ||
        (s = load_qmat(g, n[5], h, qd, &L->wo, err)) ||
        (s = load_qmat(g, n[6], c->ffn, h, &L->gate, err)) ||
        (s = load_qmat(g, n[7], c->ffn, h, &L->up, err)) ||
        (s = load_qmat(g, n[8], h, c->ffn, &L->down, err)))
        return s;
    if (!bias) return LE_OK;
    if ((s = load_vec(g, n[9], qd, 0, &L->bq, err)) ||
        (s = load_vec(g, n[10], kvd, 0, &L->bk, err)) ||
        (s = load_vec(g, vb, kvd, 0, &L->bv, err)))
        return s;
    return LE_OK;
}

/* Embeddings, output head (tied when output.weight is absent), final norm, blocks. */
static le_status load_weights(le_llama *m, le_error *err) {
    const le_gguf *g = m->gguf;
    le_llama_config *c = &m->c;
    const le_gguf_tensor *t;
    le_status s = le_gguf_require_tensor(g, "token_embd.weight", &t, err);
    if (s) return s;
    if (t->ndim != 2 || t->ne[0] != c->hidden || t->ne[1] < 1 || t->ne[1] > (1 << 24))
        return le_fail(err, LE_ERR_FORMAT, "%s: tensor \"token_embd.weight\" is not [vocab][%d]",
                       le_gguf_path(g), c->hidden);
    c->vocab = (int)t->ne[1];
    if ((s = load_qmat(g, "token_embd.weight", c->vocab, c->hidden, &m->tok_embd, err)) ||
        (s = load_vec(g, "output_norm.weight", c->hidden, 0, &m->out_norm, err)) ||
        (s = load_vec(g, "rope_freqs.weight", c->head_dim / 2, 1, &c->freq_factors, err)))
        return s;
    if (le_gguf_find_tensor(g, "output.weight"))
        s = load_qmat(g, "output.weight", c->vocab, c->hidden, &m->output, err);
    else
        m->output = m->tok_embd;
    if (s) return s;
    m->layer = calloc((size_t)c->layers, sizeof *m->layer);
    if (!m->layer) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->layers; i++)
        if ((s = load_layer(m, i, err))) return s;
    return LE_OK;
}

le_status le_llama_from_gguf(le_gguf *g, le_llama **out, le_error *err) {
    *out = NULL;
    le_llama *m = calloc(1, sizeof *m);
    if (!m) {
        le_gguf_close(g);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    m->gguf = g;
    le_status s;
    if ((s = read_arch(g, &m->c, err)) || (s = read_shapes(g, &m->c, err)) ||
        (s = read_rope(g, &m->c, err)) || (s = load_weights(m, err))) {
        le_llama_close(m);
        return s;
    }
    *out = m;
    return LE_OK;
}

le_status le_llama_open(const char *path, le_llama **out, le_error *err) {
    le_gguf *g;
    *out = NULL;
    le_status s = le_gguf_open(path, &g, err);
    if (s) return s;
    return le_llama_from_gguf(g, out, err);
}

void le_llama_set_f32_act(le_llama *m, int on) {
    m->output.f32_act = on;
    for (int i = 0; i < m->c.layers; i++) {
        le_llama_layer *L = &m->layer[i];
        le_qmat *w[7] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->gate, &L->up, &L->down};
        for (int j = 0; j < 7; j++) w[j]->f32_act = on;
    }
}

void le_llama_close(le_llama *m) {
    if (!m) return;
    free(m->layer);
    le_gguf_close(m->gguf);
    free(m);
}
