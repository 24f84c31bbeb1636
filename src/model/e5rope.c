/* E5-RoPE (model_type "e5rope", dwzhu/e5rope-base; LongEmbed's
 * modeling_e5rope.py): BERT-base with the absolute position table removed
 * (the embeddings are word + token type, LayerNorm) and rotary embedding on
 * q and k in every layer, rotate-half pairs (j, j + d/2), base rope_theta,
 * the cos/sin cache in float64 from a float32 inv_freq. Its attention always
 * multiplies the logits by max(1, ln L / ln 512): the engine's log-length
 * scaling. */
#include "base/json.h"
#include "model/arch_impl.h"

le_status le_e5rope_read_config(const cJSON *j, const char *path, le_model_config *c,
                                le_error *err) {
    /* max_position_embeddings: E5RopeConfig's default when absent */
    le_status s = le_cfg_bert_shapes(j, path, c, 1536, err);
    if (s) return s;
    int emb = c->hidden, rotary_value = 0, use_pose = 0;
    if ((s = le_cfg_opt_int(j, path, "embedding_size", 1, 65536, &emb, err)) ||
        (s = le_cfg_opt_bool(j, path, "rotary_value", &rotary_value, err)) ||
        (s = le_cfg_opt_bool(j, path, "use_pose", &use_pose, err)))
        return s;
    if (emb != c->hidden)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: embedding_size %d differs from hidden_size %d (an embeddings "
                       "projection is not supported)",
                       path, emb, c->hidden);
    if (rotary_value)
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: rotary_value (RoPE on v) is not supported",
                       path);
    c->rope_theta = 10000;
    if ((s = le_cfg_opt_num(j, path, "rope_theta", 1, 1e12, &c->rope_theta, err))) return s;
    c->ffn = LE_FFN_PLAIN;
    c->qkv_bias = c->out_bias = c->ffn_in_bias = c->ffn_out_bias = 1;
    c->rope_interleaved = 0;
    c->rope_f32_angles = 0;
    return LE_OK;
}

le_status le_e5rope_load_weights(le_loader *ld) {
    le_status s = le_load_embeddings(ld, "embeddings.word_embeddings.weight",
                                     "embeddings.token_type_embeddings.weight", NULL,
                                     "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias");
    if (s || (s = le_load_layers_alloc(ld))) return s;
    for (int l = 0; l < ld->m->cfg.layers; l++)
        if ((s = le_bert_load_layer(ld, l))) return s;
    return LE_OK;
}
