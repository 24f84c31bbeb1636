/* Pre-tokenizers of tokenizer.json (BertPreTokenizer, Whitespace,
 * WhitespaceSplit, Punctuation, Metaspace, Split with a known byte-level
 * regex, Digits, ByteLevel, and Sequence of them): they cut a normalized
 * piece into words, each handed to a callback (the model). ByteLevel does
 * not spell bytes as its alphabet here: the pre-tokenizer only says it is
 * there (byte_level) and the BPE model reads the raw bytes of each word. */
#ifndef LE_TEXT_PRETOKENIZER_H
#define LE_TEXT_PRETOKENIZER_H

#include "base/error.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef enum le_pre_kind {
    LE_PRE_BERT,             /* split on whitespace, isolate punctuation */
    LE_PRE_WHITESPACE,       /* runs of \w and runs of [^\w\s] */
    LE_PRE_WHITESPACE_SPLIT, /* split on whitespace */
    LE_PRE_PUNCTUATION,      /* split on punctuation with a behavior */
    LE_PRE_METASPACE,        /* ' ' -> replacement, maybe prepended, split before each */
    LE_PRE_SPLIT_REGEX,      /* Split with a byte-level regex (bpe_pretok.h), isolated */
    LE_PRE_DIGITS,           /* numeric characters apart (each alone, or in runs) */
    LE_PRE_BYTELEVEL         /* maybe a prefix space, maybe GPT-2's regex */
} le_pre_kind;

/* Metaspace's prepend_scheme. */
typedef enum le_prepend { LE_PREPEND_ALWAYS, LE_PREPEND_FIRST, LE_PREPEND_NEVER } le_prepend;

/* What happens to the delimiter of a split (tokenizers' SplitDelimiterBehavior). */
typedef enum le_split_behavior {
    LE_SPLIT_REMOVED,
    LE_SPLIT_ISOLATED,
    LE_SPLIT_MERGED_WITH_PREVIOUS,
    LE_SPLIT_MERGED_WITH_NEXT,
    LE_SPLIT_CONTIGUOUS
} le_split_behavior;

typedef struct le_pre_step {
    le_pre_kind kind;
    le_split_behavior behavior;
    /* Metaspace */
    char replacement[5]; /* one character, UTF-8, NUL-terminated */
    uint8_t replacement_len, prepend, split;
    /* Split / ByteLevel: the le_bpe_regex (0: none); Digits: individual;
     * ByteLevel: add_prefix_space */
    uint8_t regex, individual, prefix_space;
} le_pre_step;

typedef struct le_pretokenizer {
    le_pre_step *steps;
    size_t n, cap;
    int byte_level; /* a ByteLevel step is there: the model sees raw bytes */
} le_pretokenizer;

/* Receives one word (never empty). */
typedef le_status (*le_word_fn)(void *ctx, const char *s, size_t n);

/* Reads a "pre_tokenizer" value (null: none, the whole piece is one word). */
le_status le_pretokenizer_from_json(const cJSON *j, le_pretokenizer *out, const char *what,
                                    le_error *err);
le_status le_pretokenizer_add(le_pretokenizer *p, le_pre_kind kind, le_split_behavior behavior);
void le_pretokenizer_free(le_pretokenizer *p);

/* Cuts s (valid UTF-8, n > 0) into words and calls fn on each, in order;
 * stops at the first status fn returns that is not LE_OK. at_start says s
 * begins at offset 0 of the original text (Metaspace's "first" scheme
 * prepends only there). */
le_status le_pretokenizer_run(const le_pretokenizer *p, const char *s, size_t n, int at_start,
                              le_word_fn fn, void *ctx);

#endif
