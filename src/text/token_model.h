/* The model stage of a tokenizer (WordPiece, Unigram, BPE):
 * one word in, ids out. Each model lives in its own file and fills this
 * interface from the "model" object of tokenizer.json. */
#ifndef LE_TEXT_TOKEN_MODEL_H
#define LE_TEXT_TOKEN_MODEL_H

#include "base/error.h"
#include "text/tokenizer.h"
#include "text/vocab.h"

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct le_token_model {
    const char *kind; /* "wordpiece", ... */
    void *impl;
    /* Appends the ids of one pre-tokenized word (valid UTF-8, n > 0). */
    le_status (*tokenize)(const void *impl, const char *word, size_t n, le_ids *out);
    void (*destroy)(void *impl);
} le_token_model;

/* WordPiece from the "model" object; fills vocab (owned by the caller,
 * which must outlive the model). */
le_status le_wordpiece_from_json(const cJSON *model, le_vocab *vocab, le_token_model *out,
                                 const char *what, le_error *err);
/* Unigram (unigram.c) from the "model" object: vocab [[piece, score]...],
 * unk_id, byte_fallback; fills vocab the same way. */
le_status le_unigram_from_json(const cJSON *model, le_vocab *vocab, le_token_model *out,
                               const char *what, le_error *err);
/* BPE (bpe.c, bpe_load.c) from the "model" object: vocab {token: id},
 * merges, unk_token, fuse_unk, byte_fallback, ignore_merges; fills vocab
 * the same way. A ByteLevel pre-tokenizer is announced afterwards with
 * le_bpe_set_byte_level (text/bpe.h). */
le_status le_bpe_from_json(const cJSON *model, le_vocab *vocab, le_token_model *out,
                           const char *what, le_error *err);

#endif
