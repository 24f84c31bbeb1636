/* The split regexes of byte-level BPE tokenizers (GPT-2, Llama-3, Qwen2),
 * hand-coded in bpe_pretok.c: which one a tokenizer uses, and one match. */
#ifndef LE_TEXT_BPE_PRETOK_H
#define LE_TEXT_BPE_PRETOK_H

#include <stddef.h>

typedef enum le_bpe_regex {
    LE_BPE_REGEX_NONE = 0,
    LE_BPE_REGEX_GPT2,   /* GPT-2's, also ByteLevel's use_regex */
    LE_BPE_REGEX_LLAMA3, /* Llama-3's: case-blind contractions, \p{N}{1,3} */
    LE_BPE_REGEX_QWEN2   /* Llama-3's with single digits */
} le_bpe_regex;

/* The end of the match that starts at s[i] (i < n; s valid UTF-8): always
 * past i, as the patterns match every character. */
size_t le_bpe_regex_match(le_bpe_regex re, const char *s, size_t n, size_t i);

/* The matcher of a Split pattern as tokenizer.json writes it, or
 * LE_BPE_REGEX_NONE when it is not one of the known ones. */
le_bpe_regex le_bpe_regex_find(const char *pattern);

#endif
