/* le_ask's run in two steps, so that many questions share one setup
 * (le_ask_eval, the server): the context opens the decoders named by the
 * options (or takes the caller's) and loads the prompt file once; each run
 * then answers one question about the index's documents under a prefix. */
#ifndef LE_GENERATE_RAG_ASK_H
#define LE_GENERATE_RAG_ASK_H

#include "generate/rag_pipeline.h"

typedef struct le_ask_ctx {
    le_ask_options o;          /* the caller's options, defaults filled in */
    le_llm *own[2];            /* decoders opened here (closed by le_ask_ctx_close) */
    le_rag_gen gen, gen2;      /* gen2: MemoRAG's answering model (window 0: gen's) */
    le_rag_prompts prompts;
} le_ask_ctx;

/* Checks opt and loads its prompt file; the decoders are opened (or the
 * caller's adopted) by the first run. */
le_status le_ask_ctx_open(le_ask_ctx *c, const le_ask_options *opt, le_error *err);
/* Answers question from the documents of ix whose id starts with id_prefix
 * (NULL: all) into res (empty on entry; le_rag_result_free it either way). */
le_status le_ask_ctx_run(le_ask_ctx *c, le_index *ix, le_model *m, const char *question,
                         const char *id_prefix, le_rag_result *res, le_error *err);
void le_ask_ctx_close(le_ask_ctx *c);

/* The public result over a pipeline result (le_ask_result's only member). */
struct le_ask_result {
    le_rag_result res;
};

#endif
