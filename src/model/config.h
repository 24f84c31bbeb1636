/* A model's configuration as its Hugging Face files declare it: config.json
 * (architecture and shapes, read by the architecture's own file: bert.c,
 * e5rope.c, nomic_bert.c, jina_bert.c) and the sentence-transformers files
 * (modules.json, 1_Pooling/config.json, sentence_bert_config.json) that say
 * how token states become one vector. */
#ifndef LE_MODEL_CONFIG_H
#define LE_MODEL_CONFIG_H

#include "base/error.h"
#include "base/posplan.h"
#include "kernels/gemm.h"

/* The architecture's descriptor (model/arch.h). */
typedef struct le_arch le_arch;

typedef enum le_ffn_kind {
    LE_FFN_PLAIN = 0, /* act(x·W1 + b1)·W2 + b2 */
    LE_FFN_GATED      /* (act(x·Wg) ⊙ x·Wu)·W2 + b2 */
} le_ffn_kind;

typedef enum le_pooling {
    LE_POOLING_DEFAULT = 0, /* as the model declares */
    LE_POOLING_CLS,
    LE_POOLING_MEAN,
    LE_POOLING_MAX
} le_pooling;

typedef struct le_model_config {
    const le_arch *arch;
    char model_type[32];
    int hidden;
    int layers;
    int heads;
    int intermediate;
    int vocab;
    int max_positions; /* rows of the position table; RoPE/ALiBi: the declared context */
    int type_vocab;
    float ln_eps;
    le_act act;         /* of the feed-forward (the gate's, when gated) */
    le_pos_kind pos;    /* how positions enter the model (base/posplan.h) */
    le_ffn_kind ffn;
    /* which linear layers carry a bias */
    int qkv_bias, out_bias, ffn_in_bias, ffn_out_bias;
    /* RoPE */
    double rope_theta;
    int rope_interleaved;       /* pairs (2j, 2j+1) instead of (j, j + d/2) */
    int rope_f32_angles;        /* angles position·inv_freq in float32 (nomic), else double */
    double rope_dynamic_factor; /* nomic rotary_scaling_factor (dynamic NTK), 0: none */
    int rope_trained_positions; /* nomic max_trained_positions: where dynamic NTK starts */
    /* how a text becomes a vector */
    le_pooling pooling;
    int normalize;
    int st_max_seq_length; /* 0 when absent */
    int st_lowercase;      /* sentence_bert_config do_lower_case */
    int has_st_files;      /* 0: pooling and normalisation are defaults */
    char name_or_path[256];/* config.json _name_or_path, for recognising models */
    /* rows of the position table before position 0, never used by a token
     * (XLM-R: padding_idx + 1); max_positions counts the rows after them */
    int pos_row_offset;
} le_model_config;

/* Reads dir/config.json and the sentence-transformers files if present. */
le_status le_model_config_load(const char *dir, le_model_config *out, le_error *err);

const char *le_pooling_name(le_pooling p);
/* "cls", "mean", "max" → out; LE_ERR_ARG when unknown. */
le_status le_pooling_parse(const char *s, le_pooling *out);

#endif
