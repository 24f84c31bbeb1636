/* The parts of a loaded tokenizer, shared by the loader (tokenizer_json.c)
 * and the encoder (tokenizer.c). */
#ifndef LE_TEXT_TOKENIZER_INTERNAL_H
#define LE_TEXT_TOKENIZER_INTERNAL_H

#include "text/added_tokens.h"
#include "text/normalizer.h"
#include "text/pretokenizer.h"
#include "text/token_model.h"
#include "text/tokenizer.h"
#include "text/vocab.h"

struct le_tokenizer {
    le_vocab vocab; /* the model's vocabulary */
    le_token_model model;
    le_normalizer normalizer;
    le_pretokenizer pretokenizer;
    /* added tokens: one entry per matcher pattern, with the id and options
     * tokenizers applies when that pattern matches */
    le_added_token *added;
    size_t n_added;
    le_vocab added_vocab; /* content -> id of every added token */
    le_added_matcher raw_matcher, normalized_matcher;
    le_ids before, after; /* the single-sequence template */
    const char **pieces;  /* id -> string (vocabulary, then added tokens) */
    size_t n_pieces;
};

/* The id -> string table from the vocabulary and the added tokens. */
le_status le_tokenizer_build_pieces(le_tokenizer *t, const char *what, le_error *err);

#endif
