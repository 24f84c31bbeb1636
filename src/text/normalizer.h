/* Normalizers of tokenizer.json (BertNormalizer, Lowercase, NFD, NFKD, NFC,
 * NFKC, StripAccents, Strip, Replace with a string pattern or a regex of
 * one repeated character such as " {2,}", Prepend, Precompiled, and
 * Sequence of them), flattened into a list of steps run in order. */
#ifndef LE_TEXT_NORMALIZER_H
#define LE_TEXT_NORMALIZER_H

#include "base/error.h"
#include "text/textbuf.h"
#include "text/unigram_charsmap.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef enum le_norm_kind {
    LE_NORM_BERT,
    LE_NORM_LOWERCASE,
    LE_NORM_NFD,
    LE_NORM_NFKD,
    LE_NORM_NFC,
    LE_NORM_NFKC,
    LE_NORM_STRIP_ACCENTS,
    LE_NORM_STRIP,
    LE_NORM_REPLACE,
    LE_NORM_PREPEND,
    LE_NORM_PRECOMPILED
} le_norm_kind;

typedef struct le_norm_step {
    le_norm_kind kind;
    /* BertNormalizer */
    uint8_t clean_text, handle_chinese_chars, strip_accents, lowercase;
    uint8_t ascii_map[128]; /* what each ASCII byte becomes; 0xFF: dropped */
    /* Strip */
    uint8_t strip_left, strip_right;
    /* Replace (pattern -> content) and Prepend (content) */
    char *pattern, *content;
    size_t pattern_len, content_len;
    /* Replace with a regex: runs of at least run_min run_char (run_min 0: a string pattern) */
    uint32_t run_char;
    size_t run_min;
    /* Precompiled */
    le_charsmap *charsmap;
} le_norm_step;

typedef struct le_normalizer {
    le_norm_step *steps;
    size_t n, cap;
} le_normalizer;

/* Buffers reused across the pieces of one encode call. */
typedef struct le_norm_scratch {
    le_strbuf buf[2];
    le_cpbuf run, cps;
} le_norm_scratch;

/* Reads a "normalizer" value (null: none). what names the file in messages. */
le_status le_normalizer_from_json(const cJSON *j, le_normalizer *out, const char *what,
                                  le_error *err);
void le_normalizer_free(le_normalizer *nz);

/* BertNormalizer step with the given flags (tests and callers building
 * tokenizers by hand). */
le_status le_normalizer_add_bert(le_normalizer *nz, int clean_text, int handle_chinese_chars,
                                 int strip_accents, int lowercase);

/* Normalizes s (valid UTF-8). *out points into sc (or at s when there are no
 * steps) and stays valid until the next call with sc. */
le_status le_normalizer_run(const le_normalizer *nz, const char *s, size_t n, le_norm_scratch *sc,
                            const char **out, size_t *out_n);
void le_norm_scratch_free(le_norm_scratch *sc);

/* 1 when some step lowercases. */
int le_normalizer_lowercases(const le_normalizer *nz);

#endif
