/* The decoder (le_llm) as the QA pipelines' generator (rag_gen.h): each
 * prompt is one user turn through the model's chat template, generated
 * greedily (the evaluation wants the same answer every run); tokens are
 * counted by the model's tokenizer; the window is the handle's context less
 * the tokens the chat template adds around a prompt.
 * chat sends MemoRAG's conversations as they are, so le_llm reuses the KV
 * cache of a prompt prefix it has seen (le_llm_result.cached_tokens). */
#ifndef LE_GENERATE_RAG_LLM_H
#define LE_GENERATE_RAG_LLM_H

#include "generate/rag_gen.h"

/* Fills g for m (which must outlive g). */
le_status le_rag_llm_gen(le_llm *m, le_rag_gen *g, le_error *err);

#endif
