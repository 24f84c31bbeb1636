/* The "Precompiled" normalizer of SentencePiece models (tokenizer.json
 * stores it as base64 "precompiled_charsmap"): a double-array trie over
 * UTF-8 byte strings whose leaves point into a pool of NUL-terminated
 * replacement strings. It is applied as Hugging Face tokenizers applies it
 * (normalizers/precompiled.rs): per extended grapheme cluster, a cluster
 * shorter than 6 bytes with any trie match is replaced as a whole by the
 * shortest match's string; otherwise each character is replaced by its own
 * shortest match, or kept.
 *
 * The blob is checked when it is read (sizes, the pool's UTF-8) and every
 * trie step is bounds-checked, so a blob that lies about its sizes is an
 * error at load and never a read out of bounds later. */
#ifndef LE_TEXT_UNIGRAM_CHARSMAP_H
#define LE_TEXT_UNIGRAM_CHARSMAP_H

#include "base/error.h"
#include "text/textbuf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_charsmap {
    uint32_t *units; /* the double-array trie */
    size_t n_units;
    char *pool; /* replacement strings, each NUL-terminated */
    size_t pool_n;
} le_charsmap;

/* Parses the raw blob: u32 little-endian trie size in bytes, the trie,
 * then the string pool. what names the source in messages. */
le_status le_charsmap_parse(const uint8_t *blob, size_t n, le_charsmap *out, const char *what,
                            le_error *err);
/* The same from the base64 text of tokenizer.json. */
le_status le_charsmap_parse_base64(const char *b64, size_t n, le_charsmap *out, const char *what,
                                   le_error *err);
void le_charsmap_free(le_charsmap *m);

/* The replacement of the shortest trie entry that is a prefix of s[0..n):
 * 1 and *rep / *rep_n set, or 0 when none. */
int le_charsmap_lookup(const le_charsmap *m, const char *s, size_t n, const char **rep,
                       size_t *rep_n);

/* Appends the normalized form of s (valid UTF-8) to out. */
le_status le_charsmap_apply(const le_charsmap *m, const char *s, size_t n, le_strbuf *out);

#endif
