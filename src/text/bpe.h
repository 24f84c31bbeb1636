/* Byte-level BPE (bpe.c): GPT-2's byte alphabet, and the model built from
 * merge lists given as arrays (a GGUF's tokenizer.ggml.merges) besides
 * tokenizer.json (le_bpe_from_json in token_model.h). */
#ifndef LE_TEXT_BPE_H
#define LE_TEXT_BPE_H

#include "text/token_model.h"

#include <stdint.h>

/* GPT-2's bytes_to_unicode: the printable character that spells byte b. */
uint32_t le_bpe_byte_char(uint8_t b);
/* Its inverse: the byte a character spells, -1 when it spells none. */
int le_bpe_char_byte(uint32_t c);

/* Appends to dst (cap bytes) the bytes a byte-level piece spells: each
 * alphabet character gives its byte, any other character itself. Returns
 * the full count even when cap is smaller (like snprintf). */
size_t le_bpe_unspell(const char *piece, size_t n, char *dst, size_t cap);

/* A BPE model over a vocabulary that is filled already: merges[i] is
 * "left right" (merge_lens[i] bytes), rank i. */
le_status le_bpe_from_merges(const char *const *merges, const size_t *merge_lens, size_t n,
                             const le_vocab *vocab, int ignore_merges, le_token_model *out,
                             const char *what, le_error *err);

/* Tells the model that its words are raw bytes spelled by the alphabet (a
 * ByteLevel pre-tokenizer is there); called once after loading. */
le_status le_bpe_set_byte_level(le_token_model *m, int byte_level, const char *what,
                                le_error *err);

#endif
