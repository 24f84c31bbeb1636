/* XLM-RoBERTa (model_type "xlm-roberta": XLM-R, multilingual E5, BGE-M3),
 * after transformers' modeling_xlm_roberta.py: BERT's layer layout and
 * post-LayerNorm encoder, with two differences the config carries
 * (layer_norm_eps 1e-5, type_vocab_size 1) and one it does not say
 * outright: position ids count from padding_idx + 1 (pad_token_id 1, so
 * the first token takes row 2). The rows before that are never used by a
 * real token, so the loader skips them (pos_row_offset) and the rest of
 * the pipeline sees an ordinary table of max_position_embeddings - 2 rows
 * (8192 for BGE-M3, 512 for XLM-R) with 0-based positions: the extension
 * methods that reach past the table start from the right row.
 *
 * One case differs from transformers: a pad id written inside a text (the
 * text "<pad>") takes the position padding_idx there and does not advance
 * the count; here it is an ordinary token. */
#include "model/arch_impl.h"

le_status le_xlm_roberta_read_config(const cJSON *j, const char *path, le_model_config *c,
                                     le_error *err) {
    le_status s = le_bert_read_config(j, path, c, err); /* BERT's fields, layout and biases */
    if (s) return s;
    int pad = 1;
    if ((s = le_cfg_opt_int(j, path, "pad_token_id", 0, 1 << 20, &pad, err))) return s;
    if (c->max_positions <= pad + 1)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: max_position_embeddings %d leaves no position after padding_idx %d",
                       path, c->max_positions, pad);
    c->pos_row_offset = pad + 1;
    c->max_positions -= pad + 1;
    return LE_OK;
}
