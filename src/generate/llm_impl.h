/* The le_llm handle (the public le_llm_* calls): the model, its tokenizer
 * (NULL when the GGUF has none: only the *_ids calls work), the pool and
 * the one sequence's run state. */
#ifndef LE_GENERATE_LLM_IMPL_H
#define LE_GENERATE_LLM_IMPL_H

#include "base/pool.h"
#include "generate/chat_template.h"
#include "generate/llm_prefix_cache.h"
#include "generate/llm_run.h"
#include "longembed.h"
#include "model/llama.h"
#include "text/tokenizer.h"

#define LE_LLM_MAX_EOG 4

struct le_llm {
    le_llama *model;
    le_tokenizer *tok;
    le_pool *pool;
    le_llm_run run;
    le_extend extend;
    char name[256];
    char *path;
    char *chat_template; /* the option's (a name or a file), or NULL */
    int bos, eos, add_bos;
    int exact; /* fp32 activations (le_llm_options.precision "exact") */
    int32_t eog[LE_LLM_MAX_EOG]; /* end-of-generation ids: eos, eot, eom */
    int n_eog;
    le_chat_template tpl; /* read on the first chat call */
    int has_tpl;
    uint64_t identity; /* what the KV cache depends on (llm_state.c): the key of saved caches */
    le_prefix_cache prefix; /* copies of earlier prompts' KV (budget 0: none) */
};

/* m->identity from the GGUF's metadata, tensor table and sampled weights,
 * the precision and the position plan (after the run is started). */
void le_llm_compute_identity(le_llm *m);

/* Generation from text: tokenized with (add_special 1) or without the
 * model's BOS (chat: the template writes its own specials). */
le_status le_llm_generate_text(le_llm *m, const char *text, int add_special,
                               const le_llm_gen_options *opt, char **text_out, le_llm_result *res,
                               le_error *err);

/* The text of a conversation by the model's chat template (*text
 * malloc'd), with or without the assistant's header after it. */
le_status le_llm_chat_text(le_llm *m, const le_llm_message *messages, size_t n,
                           int add_generation_prompt, char **text, le_error *err);

/* What le_llm_cache_prefix did. */
typedef struct le_llm_prefix_use {
    size_t tokens;    /* the prefix's tokens */
    size_t prefilled; /* of them, computed now (0: kept or loaded) */
    int loaded;       /* 1: the cache came from the file */
    int saved;        /* 1: the cache was written to the file */
} le_llm_prefix_use;

/* Makes text (tokenized without BOS: a chat template's text) the start of
 * m's cache: kept when the cache already begins with it; else loaded from
 * path (NULL: no file) when that file holds it; else prefilled after the
 * longest common prefix and saved to path. A file that cannot be read or
 * written is logged (LE_LOG_WARN) and otherwise ignored: it is a cache. */
le_status le_llm_cache_prefix(le_llm *m, const char *text, const char *path,
                              le_llm_prefix_use *use, le_error *err);

/* The tokens the chat template adds around one empty user turn and the
 * assistant's start (its default system prompt included): what a chat
 * prompt costs beyond its text. */
le_status le_llm_chat_overhead(le_llm *m, size_t *tokens, le_error *err);

/* The tokenizer or LE_ERR_UNSUPPORTED ("<file> has no tokenizer"). */
le_status le_llm_need_tokenizer(const le_llm *m, le_error *err);

#endif
