/* The tokenizer of a decoder LLM from its GGUF metadata (tokenizer.ggml.*):
 * byte-level BPE ("gpt2" models: Llama-3, SmolLM2, Qwen2, ...) through
 * le_tokenizer_from_bpe (text/tokenizer.h). */
#ifndef LE_GENERATE_LLM_TOKENIZER_H
#define LE_GENERATE_LLM_TOKENIZER_H

#include "base/error.h"
#include "model/gguf.h"
#include "text/tokenizer.h"

/* tokenizer.ggml.model must be "gpt2" (anything else: LE_ERR_UNSUPPORTED
 * naming it); tokens, token_type (optional), merges and pre are read. The
 * tokenizer does not borrow from g: it may be closed afterwards. */
le_status le_llm_tokenizer_from_gguf(const le_gguf *g, le_tokenizer **out, le_error *err);

#endif
