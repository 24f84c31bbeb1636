/* A model's configuration as its Hugging Face files declare it: config.json
 * (architecture and shapes) and the sentence-transformers files
 * (modules.json, 1_Pooling/config.json, sentence_bert_config.json) that say
 * how token states become one vector. */
#ifndef LE_MODEL_CONFIG_H
#define LE_MODEL_CONFIG_H

#include "base/error.h"
#include "kernels/gemm.h"

typedef enum le_arch {
    LE_ARCH_BERT = 0, /* BERT with a learned absolute position table */
} le_arch;

typedef enum le_pooling {
    LE_POOL_DEFAULT = 0, /* as the model declares */
    LE_POOL_CLS,
    LE_POOL_MEAN,
    LE_POOL_MAX
} le_pooling;

typedef struct le_model_config {
    le_arch arch;
    char model_type[32];
    int hidden;
    int layers;
    int heads;
    int intermediate;
    int vocab;
    int max_positions; /* rows of the position table */
    int type_vocab;
    float ln_eps;
    le_act act;
    /* how a text becomes a vector */
    le_pooling pooling;
    int normalize;
    int st_max_seq_length; /* 0 when absent */
    int st_lowercase;      /* sentence_bert_config do_lower_case */
    int has_st_files;      /* 0: pooling and normalisation are defaults */
    char name_or_path[256];/* config.json _name_or_path, for recognising models */
} le_model_config;

/* Reads dir/config.json and the sentence-transformers files if present. */
le_status le_model_config_load(const char *dir, le_model_config *out, le_error *err);

const char *le_pooling_name(le_pooling p);
/* "cls", "mean", "max" → out; returns 0, or -1 when unknown. */
int le_pooling_parse(const char *s, le_pooling *out);

#endif
