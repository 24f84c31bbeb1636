/* The table of encoder architectures. A new architecture is one file
 * (its read_config and load_weights, declared in arch_impl.h) and one row
 * here; nothing else in the library names architectures. */
#include "model/arch.h"

#include "model/arch_impl.h"

#include <stdio.h>
#include <string.h>

static const char *const bert_prefixes[] = {"bert.", NULL};
static const char *const e5rope_prefixes[] = {"e5rope.", "bert.", NULL};
static const char *const nomic_prefixes[] = {"bert.", "model.", NULL};
static const char *const xlmr_prefixes[] = {"roberta.", NULL};

static const le_arch g_archs[] = {
    {
        .name = "bert",
        .model_type = "bert",
        .listed_as = "bert",
        .read_config = le_bert_read_config,
        .load_weights = le_bert_load_weights,
        .tensor_prefixes = bert_prefixes,
        .pos = LE_POS_TABLE,
        .methods = LE_METHODS_TABLE,
        .query_prefix = "",
        .passage_prefix = "",
        .recognise = le_bert_recognise,
    },
    {
        /* E5-RoPE's evaluation normalises its mean-pooled vectors */
        .name = "e5rope",
        .model_type = "e5rope",
        .listed_as = "e5rope",
        .read_config = le_e5rope_read_config,
        .load_weights = le_e5rope_load_weights,
        .tensor_prefixes = e5rope_prefixes,
        .pos = LE_POS_ROPE,
        .methods = LE_METHODS_ROPE,
        .normalize_without_st = 1,
        .query_prefix = LE_PREFIX_E5_QUERY,
        .passage_prefix = LE_PREFIX_E5_PASSAGE,
    },
    {
        .name = "nomic_bert",
        .model_type = "nomic_bert",
        .listed_as = "nomic_bert",
        .read_config = le_nomic_bert_read_config,
        .load_weights = le_nomic_bert_load_weights,
        .tensor_prefixes = nomic_prefixes,
        .pos = LE_POS_ROPE,
        .methods = LE_METHODS_ROPE,
        .own_rope_scaling = 1,
        .query_prefix = LE_PREFIX_NOMIC_QUERY,
        .passage_prefix = LE_PREFIX_NOMIC_PASSAGE,
    },
    {
        .name = "jina_bert",
        .model_type = "bert",
        .position_type = "alibi",
        .listed_as = "bert with ALiBi as jina-bert-v2",
        .read_config = le_jina_bert_read_config,
        .load_weights = le_jina_bert_load_weights,
        .tensor_prefixes = bert_prefixes,
        .pos = LE_POS_ALIBI,
        .methods = LE_METHODS_ALIBI,
        .query_prefix = "",
        .passage_prefix = "",
    },
    {
        /* BERT's tensors; positions from padding_idx + 1 (xlm_roberta.c) */
        .name = "xlm_roberta",
        .model_type = "xlm-roberta",
        .listed_as = "xlm-roberta",
        .read_config = le_xlm_roberta_read_config,
        .load_weights = le_bert_load_weights,
        .tensor_prefixes = xlmr_prefixes,
        .pos = LE_POS_TABLE,
        .methods = LE_METHODS_TABLE,
        .query_prefix = "",
        .passage_prefix = "",
    },
};

#define N_ARCHS (sizeof g_archs / sizeof *g_archs)

const le_arch *le_arch_find(const char *model_type, const char *position_type) {
    const le_arch *any = NULL;
    for (size_t i = 0; i < N_ARCHS; i++) {
        const le_arch *a = &g_archs[i];
        if (!model_type || strcmp(a->model_type, model_type)) continue;
        if (!a->position_type) {
            if (!any) any = a;
        } else if (position_type && !strcmp(a->position_type, position_type)) {
            return a; /* a row naming the position type wins */
        }
    }
    return any;
}

const char *le_arch_supported(char *buf, size_t cap) {
    size_t n = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < N_ARCHS && n < cap; i++) {
        int w = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", g_archs[i].listed_as);
        n += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

void le_arch_traits_of(const le_model_config *c, le_arch_traits *t) {
    t->query_prefix = c->arch->query_prefix;
    t->passage_prefix = c->arch->passage_prefix;
    t->position_stride = 1;
    if (c->arch->recognise) c->arch->recognise(c, t);
}
