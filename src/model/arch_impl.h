/* What each architecture file provides (bert.c, e5rope.c, nomic_bert.c,
 * jina_bert.c: the functions the table in arch.c names), and the shared
 * helpers they read config.json (config.c) and load their tensors
 * (encoder_load.c) with. Internal to src/model/. */
#ifndef LE_MODEL_ARCH_IMPL_H
#define LE_MODEL_ARCH_IMPL_H

#include "model/arch.h"
#include "model/config.h"
#include "model/encoder.h"
#include "model/safetensors.h"

#include <cjson/cJSON.h>

/* Reading one checkpoint into an encoder. */
typedef struct le_loader {
    le_encoder *m;
    le_safetensors *st;
    const char *const *prefixes; /* tensor name prefixes the architecture may use */
    le_error *err;
    int n_owned;
} le_loader;

/* A table used in place when the checkpoint is F32, converted otherwise. */
le_status le_load_table(le_loader *ld, const char *name, int64_t rows, int64_t cols,
                        const float **out);
/* A vector copied into the model's arena. */
le_status le_load_vector(le_loader *ld, const char *name, int64_t n, const float **out);
/* Packs the row-stacked weights "<names[i]>.weight" (each [rows][cols]) into
 * one GEMM weight; with_bias: their "<names[i]>.bias" into one vector, else
 * *bias = NULL. */
le_status le_load_linear(le_loader *ld, const char *const *names, int count, int64_t rows,
                         int64_t cols, int with_bias, le_gemm_weight **w, const float **bias);
/* The embeddings: word table, token-type row 0 (a zero row when the model
 * has none), and the learned position table when cfg.pos is a table. Names
 * are the architecture's. */
le_status le_load_embeddings(le_loader *ld, const char *word, const char *type,
                             const char *position, const char *ln_gamma, const char *ln_beta);
/* A zeroed layer array for cfg.layers layers. */
le_status le_load_layers_alloc(le_loader *ld);

/* Per architecture (the read_config of its row): config.json fields → cfg
 * (shapes, ffn, biases, RoPE). j is the parsed config.json, path names it
 * in messages. */
le_status le_bert_read_config(const cJSON *j, const char *path, le_model_config *c, le_error *err);
le_status le_e5rope_read_config(const cJSON *j, const char *path, le_model_config *c,
                                le_error *err);
le_status le_nomic_bert_read_config(const cJSON *j, const char *path, le_model_config *c,
                                    le_error *err);
le_status le_jina_bert_read_config(const cJSON *j, const char *path, le_model_config *c,
                                   le_error *err);
le_status le_xlm_roberta_read_config(const cJSON *j, const char *path, le_model_config *c,
                                     le_error *err);

/* Per architecture (the load_weights of its row): every tensor, through
 * the helpers above. */
le_status le_bert_load_weights(le_loader *ld);
le_status le_e5rope_load_weights(le_loader *ld);
le_status le_nomic_bert_load_weights(le_loader *ld);
le_status le_jina_bert_load_weights(le_loader *ld);

/* BERT checkpoints recognised by name: E5 and BGE prefixes, E5-Base-4k's
 * tuned table (the recognise of BERT's row). */
void le_bert_recognise(const le_model_config *c, le_arch_traits *t);

/* The BERT layer layout (encoder.layer.N.attention.self.query …), shared by
 * BERT and E5-RoPE; jina-bert-v2 uses its attention half. */
le_status le_bert_load_attention(le_loader *ld, int l);
le_status le_bert_load_layer(le_loader *ld, int l);

/* Shared config.json readers (bounded so later size arithmetic cannot
 * overflow). */
le_status le_cfg_int(const cJSON *j, const char *path, const char *key, long long lo, long long hi,
                     int *out, le_error *err);
/* An optional integer: *out keeps its value when key is absent or null. */
le_status le_cfg_opt_int(const cJSON *j, const char *path, const char *key, long long lo,
                         long long hi, int *out, le_error *err);
/* An optional number (ints too): *out keeps its value when absent or null. */
le_status le_cfg_opt_num(const cJSON *j, const char *path, const char *key, double lo, double hi,
                         double *out, le_error *err);
/* An optional boolean: *out keeps its value when absent or null. */
le_status le_cfg_opt_bool(const cJSON *j, const char *path, const char *key, int *out,
                          le_error *err);
/* The BERT-style shape fields shared by BERT, E5-RoPE and jina-bert-v2:
 * hidden_size, num_hidden_layers, num_attention_heads, intermediate_size,
 * vocab_size, max_position_embeddings (default_positions when absent and
 * default_positions > 0), type_vocab_size, layer_norm_eps, hidden_act. */
le_status le_cfg_bert_shapes(const cJSON *j, const char *path, le_model_config *c,
                             int default_positions, le_error *err);
le_status le_cfg_parse_act(const char *path, const char *s, le_act *out, le_error *err);

#endif
