/* BERT (model_type "bert"): a learned absolute position table, biases
 * everywhere, post-LayerNorm, a plain GELU feed-forward. The tensor layout
 * (encoder.layer.N.attention.self.query, …, with or without "bert.") is
 * shared with E5-RoPE and, for attention, jina-bert-v2. Some checkpoints
 * are known by name (le_bert_recognise). */
#include "base/json.h"
#include "model/arch_impl.h"

#include <stdio.h>
#include <string.h>

le_status le_bert_read_config(const cJSON *j, const char *path, le_model_config *c, le_error *err) {
    const char *pet = le_json_str(j, "position_embedding_type");
    if (pet && strcmp(pet, "absolute"))
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: position_embedding_type \"%s\" is not supported (supported: absolute, "
                       "and alibi for jina-bert-v2)",
                       path, pet);
    le_status s = le_cfg_bert_shapes(j, path, c, 0, err);
    if (s) return s;
    c->ffn = LE_FFN_PLAIN;
    c->qkv_bias = c->out_bias = c->ffn_in_bias = c->ffn_out_bias = 1;
    return LE_OK;
}

/* By _name_or_path: E5 ("query: " / "passage: "), BGE English (its
 * retrieval instruction for queries), and E5-Base-4k, an e5-base-v2 whose
 * table was tuned to 4096 rows with the original rows at every 8th: short
 * inputs then take position ids × 8. */
void le_bert_recognise(const le_model_config *c, le_arch_traits *t) {
    const char *nop = c->name_or_path;
    if (strstr(nop, "e5")) {
        t->query_prefix = LE_PREFIX_E5_QUERY;
        t->passage_prefix = LE_PREFIX_E5_PASSAGE;
    } else if (strstr(nop, "bge") && strstr(nop, "en")) {
        t->query_prefix = LE_PREFIX_BGE_QUERY;
    }
    if (strstr(nop, "e5-base-v2") && c->max_positions == 4096) t->position_stride = 8;
}

le_status le_bert_load_attention(le_loader *ld, int l) {
    le_encoder_layer *L = &ld->m->layers[l];
    int64_t h = ld->m->cfg.hidden;
    char q[128], k[128], v[128], n[128], g[160], b[160];
    snprintf(q, sizeof q, "encoder.layer.%d.attention.self.query", l);
    snprintf(k, sizeof k, "encoder.layer.%d.attention.self.key", l);
    snprintf(v, sizeof v, "encoder.layer.%d.attention.self.value", l);
    const char *qkv[3] = {q, k, v};
    le_status s = le_load_linear(ld, qkv, 3, h, h, 1, &L->qkv, &L->qkv_bias);
    if (s) return s;
    snprintf(n, sizeof n, "encoder.layer.%d.attention.output.dense", l);
    const char *o[1] = {n};
    if ((s = le_load_linear(ld, o, 1, h, h, 1, &L->attn_out, &L->attn_out_bias))) return s;
    snprintf(g, sizeof g, "encoder.layer.%d.attention.output.LayerNorm.weight", l);
    snprintf(b, sizeof b, "encoder.layer.%d.attention.output.LayerNorm.bias", l);
    if ((s = le_load_vector(ld, g, h, &L->ln_attn_gamma)) ||
        (s = le_load_vector(ld, b, h, &L->ln_attn_beta)))
        return s;
    return LE_OK;
}

le_status le_bert_load_layer(le_loader *ld, int l) {
    le_status s = le_bert_load_attention(ld, l);
    if (s) return s;
    le_encoder_layer *L = &ld->m->layers[l];
    int64_t h = ld->m->cfg.hidden, inter = ld->m->cfg.intermediate;
    char n[128], g[160], b[160];
    const char *o[1] = {n};
    snprintf(n, sizeof n, "encoder.layer.%d.intermediate.dense", l);
    if ((s = le_load_linear(ld, o, 1, inter, h, 1, &L->ffn_in, &L->ffn_in_bias))) return s;
    snprintf(n, sizeof n, "encoder.layer.%d.output.dense", l);
    if ((s = le_load_linear(ld, o, 1, h, inter, 1, &L->ffn_out, &L->ffn_out_bias))) return s;
    snprintf(g, sizeof g, "encoder.layer.%d.output.LayerNorm.weight", l);
    snprintf(b, sizeof b, "encoder.layer.%d.output.LayerNorm.bias", l);
    if ((s = le_load_vector(ld, g, h, &L->ln_ffn_gamma)) ||
        (s = le_load_vector(ld, b, h, &L->ln_ffn_beta)))
        return s;
    return LE_OK;
}

le_status le_bert_load_weights(le_loader *ld) {
    le_status s = le_load_embeddings(ld, "embeddings.word_embeddings.weight",
                                     "embeddings.token_type_embeddings.weight",
                                     "embeddings.position_embeddings.weight",
                                     "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias");
    if (s || (s = le_load_layers_alloc(ld))) return s;
    for (int l = 0; l < ld->m->cfg.layers; l++)
        if ((s = le_bert_load_layer(ld, l))) return s;
    return LE_OK;
}
