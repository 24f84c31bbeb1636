/* What the long-document QA pipelines (rag, memorag, lcboost, full; issue
 * 18, docs/ask.md) see of a language model and of a retriever, so that they
 * run on any generator: the decoder (le_llm, wired in when it lands), or the
 * scripted fake of the tests, which returns canned replies.
 *
 * A stage of a pipeline (memorize, recall, retrieve, generate, an LC-Boost
 * step) goes through le_rag_call / le_rag_call_chat, which time it and count
 * the tokens read (the prompt, by the generator's tokenizer) and generated
 * (the reply, re-tokenized) into the run's le_rag_stats. */
#ifndef LE_GENERATE_RAG_GEN_H
#define LE_GENERATE_RAG_GEN_H

#include "base/error.h"
#include "base/sbuf.h"

#include <stddef.h>
#include <stdint.h>

/* What a generator's memory hook (le_rag_gen.memory) did. */
typedef struct le_rag_memory_use {
    size_t tokens;    /* the memory prefix's tokens */
    size_t prefilled; /* of them, computed by this call (0: kept or loaded) */
    int loaded;       /* 1: loaded from the memory cache's file */
    int saved;        /* 1: written to it */
} le_rag_memory_use;

typedef struct le_rag_gen {
    void *ctx;
    /* Appends to out the model's reply to prompt, one user turn (the
     * generator applies its chat template), at most max_new_tokens tokens. */
    le_status (*generate)(void *ctx, const char *prompt, size_t max_new_tokens, le_sbuf *out,
                          le_error *err);
    /* *n = the tokens of text[0..len) by the generator's tokenizer. */
    le_status (*count_tokens)(void *ctx, const char *text, size_t len, size_t *n, le_error *err);
    /* Optional: the reply to a conversation turns[0..n) (user, assistant,
     * user, ...; n odd). This is MemoRAG's memory hook: the generator may
     * keep the KV cache of turns[0..n-1) (the memorised document) between
     * calls and across runs (on disk, keyed by model and text), and sets
     * *prefix_reused to 1 when it did not prefill them again. NULL: the turns
     * are joined into one prompt (le_rag_join_turns) and given to generate. */
    le_status (*chat)(void *ctx, const char *const *turns, size_t n, size_t max_new_tokens,
                      le_sbuf *out, int *prefix_reused, le_error *err);
    size_t window; /* tokens the model can attend to: prompt + reply */
    /* Optional, MemoRAG's memory as a KV cache (memory_cache.h): makes the
     * conversation prefix turns[0..n) (user, assistant, ...; no reply) the
     * start of the model's cache: kept when it is, else loaded from the
     * file path (NULL: none) when that holds it, else prefilled and saved
     * there. NULL: the first recall call prefills the memory. */
    le_status (*memory)(void *ctx, const char *const *turns, size_t n, const char *path,
                        le_rag_memory_use *use, le_error *err);
    uint64_t identity; /* what the model's outputs depend on; 0: no memory on disk */
} le_rag_gen;

/* One passage a retriever found: bytes [byte_start, byte_end) of document
 * doc's text. text points at the passage's bytes, id at the document's id;
 * both live as long as the retriever's source (the open index). */
typedef struct le_rag_passage {
    size_t doc;
    size_t byte_start, byte_end;
    float score;
    const char *text;
    const char *id;
} le_rag_passage;

typedef struct le_rag_retriever {
    void *ctx;
    /* The best passages for query, best first: at most k into out, their
     * number in *n. */
    le_status (*retrieve)(void *ctx, const char *query, int k, le_rag_passage *out, int *n,
                          le_error *err);
} le_rag_retriever;

/* One stage's totals: calls, seconds, tokens read and generated. */
typedef struct le_rag_stage {
    const char *name; /* static: "memorize", "recall", "retrieve", "generate", "step", ... */
    int calls;
    double seconds;
    size_t tokens_read, tokens_generated;
} le_rag_stage;

#define LE_RAG_MAX_STAGES 8

typedef struct le_rag_stats {
    le_rag_stage stage[LE_RAG_MAX_STAGES]; /* in the order the stages first ran */
    int n_stages;
    int prefix_reused; /* calls whose conversation prefix the generator did not prefill again */
} le_rag_stats;

/* The stage called name in st (added when new; NULL when st is full). */
le_rag_stage *le_rag_stage_get(le_rag_stats *st, const char *name);
/* Adds the seconds since t0 to the stage called name (a stage without a
 * model call: "retrieve"). */
void le_rag_stage_time(le_rag_stats *st, const char *name, double t0);

/* gen->generate(prompt) into out (emptied first), counted under stage. */
le_status le_rag_call(const le_rag_gen *gen, le_rag_stats *st, const char *stage,
                      const char *prompt, size_t max_new_tokens, le_sbuf *out, le_error *err);
/* The conversation turns[0..n) (n odd) through gen->chat, or joined through
 * gen->generate; counted under stage. */
le_status le_rag_call_chat(const le_rag_gen *gen, le_rag_stats *st, const char *stage,
                           const char *const *turns, size_t n, size_t max_new_tokens,
                           le_sbuf *out, le_error *err);
/* turns[0..n) as one prompt: each turn after the first starts a paragraph
 * with "User:" or "Assistant:" (the first user turn is the text itself). */
void le_rag_join_turns(const char *const *turns, size_t n, le_sbuf *out);
/* *n = tokens of text (0 for NULL) by gen; errors wrapped. */
le_status le_rag_count(const le_rag_gen *gen, const char *text, size_t *n, le_error *err);

/* Checks that gen has generate, count_tokens and a window. */
le_status le_rag_gen_check(const le_rag_gen *gen, le_error *err);

#endif
