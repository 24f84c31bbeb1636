/* Encoder architectures as data: one descriptor per architecture, all in
 * one table (arch.c), the way ggml's type_traits describes each type in one
 * place. A descriptor says how config.json names the architecture, which
 * function reads its config and which loads its weights (its own file:
 * bert.c, e5rope.c, nomic_bert.c, jina_bert.c), how it encodes positions,
 * which extension methods fit, its default prefixes and what else the
 * pipeline must know of it. Adding an architecture is one new file and one
 * row (see arch.c). */
#ifndef LE_MODEL_ARCH_H
#define LE_MODEL_ARCH_H

#include "base/error.h"
#include "base/posplan.h"
#include "model/config.h"

struct cJSON;
struct le_loader;

/* Prefixes of model families (the presets e5-query, e5-passage and
 * bge-query name them too). */
#define LE_PREFIX_E5_QUERY "query: "
#define LE_PREFIX_E5_PASSAGE "passage: "
#define LE_PREFIX_BGE_QUERY "Represent this sentence for searching relevant passages: "
#define LE_PREFIX_NOMIC_QUERY "search_query: "
#define LE_PREFIX_NOMIC_PASSAGE "search_document: "

/* What one checkpoint of an architecture implies for the pipeline. */
typedef struct le_arch_traits {
    const char *query_prefix, *passage_prefix;
    int position_stride; /* a tuned table's stride (E5-Base-4k: 8), 1 otherwise */
} le_arch_traits;

struct le_arch {
    const char *name; /* "bert", "e5rope", ... (messages) */
    /* how config.json names it: model_type, and position_embedding_type
     * when it needs one (NULL: any; a row that names one is tried first) */
    const char *model_type, *position_type;
    const char *listed_as; /* in the message that lists what is supported */
    /* config.json fields → c (shapes, ffn, biases, RoPE); path names the
     * file in messages. c->pos is already set from `pos`. */
    le_status (*read_config)(const struct cJSON *j, const char *path, le_model_config *c,
                             le_error *err);
    /* every tensor, through the helpers of arch_impl.h */
    le_status (*load_weights)(struct le_loader *ld);
    const char *const *tensor_prefixes; /* prefixes its tensor names may carry ("bert.") */
    le_pos_kind pos;
    unsigned methods;         /* extension methods that fit (base/posplan.h) */
    int own_rope_scaling;     /* 1: it scales RoPE itself (rotary_scaling_factor) */
    int normalize_without_st; /* 1: normalise when no sentence-transformers files */
    const char *query_prefix, *passage_prefix; /* defaults; "" for none */
    /* checkpoints recognised by name (prefixes of a family, a tuned
     * table's stride); NULL: none */
    void (*recognise)(const le_model_config *c, le_arch_traits *t);
};

/* The architecture config.json names (model_type, position_embedding_type
 * may be NULL), or NULL. */
const le_arch *le_arch_find(const char *model_type, const char *position_type);

/* What is supported, for messages ("bert, e5rope, nomic_bert, bert with
 * ALiBi as jina-bert-v2"), written to buf; returns buf. */
const char *le_arch_supported(char *buf, size_t cap);

/* The defaults of c's architecture, then what its recognise hook finds. */
void le_arch_traits_of(const le_model_config *c, le_arch_traits *t);

#endif
