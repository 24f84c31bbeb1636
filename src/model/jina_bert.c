/* jina-bert-v2 (jinaai/jina-embeddings-v2-*, remote code "jina-bert-
 * implementation"): model_type "bert" with position_embedding_type "alibi".
 * No position table: each head adds −slope·|i − j| to its logits (slopes of
 * the ALiBi paper, see encoder_load.c). Attention as BERT. With a GLU
 * feed_forward_type the MLP is one bias-free gated_layers [2I][H] whose
 * first I rows are activated (GELU for geglu, ReLU for reglu) and multiply
 * the other I rows, then wo (+ bias), then layernorm(out + x); otherwise
 * BERT's. The qk-post-norm variant (layer_norm_q/k, up_gated_layer) is
 * another model and is refused. */
#include "base/json.h"
#include "model/arch_impl.h"

#include <stdio.h>
#include <string.h>

le_status le_jina_bert_read_config(const cJSON *j, const char *path, le_model_config *c,
                                   le_error *err) {
    /* JinaBertConfig's default table size */
    le_status s = le_cfg_bert_shapes(j, path, c, 512, err);
    if (s) return s;
    c->qkv_bias = c->out_bias = c->ffn_out_bias = 1;
    const char *ff = le_json_str(j, "feed_forward_type");
    if (!ff) ff = "original";
    size_t len = strlen(ff);
    if (len >= 3 && !strcmp(ff + len - 3, "glu")) {
        c->ffn = LE_FFN_GATED;
        c->ffn_in_bias = 0;
        if (!strcmp(ff, "geglu"))
            c->act = LE_ACT_GELU_ERF;
        else if (!strcmp(ff, "reglu"))
            c->act = LE_ACT_RELU;
        else
            return le_fail(err, LE_ERR_UNSUPPORTED,
                           "%s: feed_forward_type \"%s\" is not supported (geglu, reglu, original)",
                           path, ff);
    } else {
        c->ffn = LE_FFN_PLAIN;
        c->ffn_in_bias = 1;
    }
    return LE_OK;
}

le_status le_jina_bert_load_weights(le_loader *ld) {
    if (le_st_find_prefixed(ld->st, "encoder.layer.0.attention.self.layer_norm_q.weight",
                            ld->prefixes) ||
        le_st_find_prefixed(ld->st, "encoder.layer.0.mlp.up_gated_layer.weight", ld->prefixes))
        return le_fail(ld->err, LE_ERR_UNSUPPORTED,
                       "%s: the jina-bert-v2 qk-post-norm variant (layer_norm_q/k, "
                       "up_gated_layer) is not supported",
                       le_st_path(ld->st));
    le_status s = le_load_embeddings(ld, "embeddings.word_embeddings.weight",
                                     "embeddings.token_type_embeddings.weight", NULL,
                                     "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias");
    if (s || (s = le_load_layers_alloc(ld))) return s;
    const le_model_config *c = &ld->m->cfg;
    int64_t h = c->hidden, inter = c->intermediate;
    for (int l = 0; l < c->layers; l++) {
        if (c->ffn == LE_FFN_PLAIN) {
            if ((s = le_bert_load_layer(ld, l))) return s;
            continue;
        }
        if ((s = le_bert_load_attention(ld, l))) return s;
        le_encoder_layer *L = &ld->m->layers[l];
        char n[128], g[160], b[160];
        const char *o[1] = {n};
        snprintf(n, sizeof n, "encoder.layer.%d.mlp.gated_layers", l);
        if ((s = le_load_linear(ld, o, 1, 2 * inter, h, 0, &L->ffn_in, &L->ffn_in_bias))) return s;
        snprintf(n, sizeof n, "encoder.layer.%d.mlp.wo", l);
        if ((s = le_load_linear(ld, o, 1, h, inter, 1, &L->ffn_out, &L->ffn_out_bias))) return s;
        snprintf(g, sizeof g, "encoder.layer.%d.mlp.layernorm.weight", l);
        snprintf(b, sizeof b, "encoder.layer.%d.mlp.layernorm.bias", l);
        if ((s = le_load_vector(ld, g, h, &L->ln_ffn_gamma)) ||
            (s = le_load_vector(ld, b, h, &L->ln_ffn_beta)))
            return s;
    }
    return LE_OK;
}
