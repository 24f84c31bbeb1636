/* Tokenizers read from a Hugging Face tokenizer.json, run exactly as the
 * tokenizers library runs them: added/special tokens, normalizer,
 * pre-tokenizer, model (WordPiece, Unigram, BPE with byte-level
 * pre-tokenizers) and the post-processor template. A byte-level BPE
 * tokenizer also comes from the arrays of a GGUF (le_tokenizer_from_bpe).
 *
 * Encoding is split in two so that callers can cut and window long inputs:
 * le_tokenizer_encode gives the ids of the text alone; the template (the
 * special ids that go before and after a sequence) is asked for separately. */
#ifndef LE_TEXT_TOKENIZER_H
#define LE_TEXT_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct le_tokenizer le_tokenizer;

/* A growable id vector. */
typedef struct le_ids {
    int32_t *ids;
    size_t n, cap;
} le_ids;

void le_ids_free(le_ids *v);
/* Returns LE_ERR_NOMEM on failure. */
le_status le_ids_push(le_ids *v, int32_t id);

le_status le_tokenizer_load(const char *tokenizer_json_path, le_tokenizer **out, le_error *err);
/* The same from memory (for tests and fuzzing); what names the source in messages. */
le_status le_tokenizer_load_mem(const char *json, size_t len, const char *what, le_tokenizer **out,
                                le_error *err);
void le_tokenizer_free(le_tokenizer *t);

/* Appends the ids of text (len bytes, must be valid UTF-8: otherwise
 * LE_ERR_UTF8 naming the byte offset) to out, without special tokens from
 * the post-processor. The ids equal those of Hugging Face tokenizers with
 * truncation and padding off. On failure out keeps its previous ids. A
 * loaded tokenizer is read-only: encode may run on several threads at once. */
le_status le_tokenizer_encode(const le_tokenizer *t, const char *text, size_t len, le_ids *out,
                              le_error *err);

/* The post-processor's template for a single sequence: ids before ($A) and
 * after it, e.g. [CLS] and [SEP]. The arrays belong to the tokenizer. */
void le_tokenizer_template(const le_tokenizer *t, const int32_t **before, size_t *n_before,
                           const int32_t **after, size_t *n_after);

/* 1 + the largest id of the vocabulary and the added tokens (the rows an
 * embedding table needs). */
int le_tokenizer_vocab_size(const le_tokenizer *t);
/* The string for an id (vocabulary or added token), NULL when out of range. */
const char *le_tokenizer_piece(const le_tokenizer *t, int32_t id);
/* The id of an exact vocabulary or added-token string, -1 when absent. */
int32_t le_tokenizer_find(const le_tokenizer *t, const char *piece);
/* What a GGUF holds (tokenizer.ggml.*); the arrays are borrowed during the
 * call only. */
typedef struct le_bpe_spec {
    const char *const *tokens;
    const size_t *token_lens;
    size_t n_tokens;
    const int32_t *token_types; /* 1 normal, 3 control, 4 user-defined, 6 byte; or NULL */
    const char *const *merges;  /* "left right" */
    const size_t *merge_lens;
    size_t n_merges;
    const char *pre; /* tokenizer.ggml.pre: "smollm", "gpt2", "llama-bpe", "qwen2", ... */
} le_bpe_spec;

/* A byte-level BPE tokenizer from GGUF arrays: the pre-tokenizer that pre
 * names (an unknown name is LE_ERR_UNSUPPORTED naming it), control and
 * user-defined tokens matched whole in the text as added tokens (control
 * ones special), as transformers builds it from a GGUF. what names the
 * source in messages. */
le_status le_tokenizer_from_bpe(const le_bpe_spec *spec, const char *what, le_tokenizer **out,
                                le_error *err);

/* The bytes of one id into buf (at most cap; the full count is returned,
 * like snprintf), -1 for an id out of range: byte-level pieces give the
 * bytes they spell, added and special tokens their text, others the piece.
 * For streaming: the caller joins the bytes of consecutive ids (a UTF-8
 * character may be split between two tokens). */
int le_tokenizer_decode_id(const le_tokenizer *t, int32_t id, char *buf, size_t cap);

/* "wordpiece", "unigram", "bpe". */
const char *le_tokenizer_kind(const le_tokenizer *t);
/* 1 when the normalizer lowercases. */
int le_tokenizer_lowercases(const le_tokenizer *t);

#endif
