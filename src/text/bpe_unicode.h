/* Character classes of the byte-level BPE pre-tokenizers (GPT-2, Llama-3,
 * Qwen2 regexes and the Digits step), measured on the tokenizers library by
 * tools/gen_bpe_unicode_tables.py (bpe_unicode_tables.c). */
#ifndef LE_TEXT_BPE_UNICODE_H
#define LE_TEXT_BPE_UNICODE_H

#include "text/unicode.h"

extern const le_uc_range le_uc_letter_table[];
extern const size_t le_uc_letter_table_count;
extern const le_uc_range le_uc_number_table[];
extern const size_t le_uc_number_table_count;
extern const le_uc_range le_uc_space_table[];
extern const size_t le_uc_space_table_count;
extern const le_uc_range le_uc_numeric_extra_table[];
extern const size_t le_uc_numeric_extra_table_count;

/* The classes one regex step tells apart. */
enum { LE_BPE_OTHER = 0, LE_BPE_SPACE = 1, LE_BPE_LETTER = 2, LE_BPE_NUMBER = 3 };

/* \s, \p{L}, \p{N} or none of them, for the code point c. */
static inline int le_bpe_class(uint32_t c) {
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return LE_BPE_LETTER;
        if (c >= '0' && c <= '9') return LE_BPE_NUMBER;
        if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return LE_BPE_SPACE;
        return LE_BPE_OTHER;
    }
    if (le_uc_in_table(le_uc_letter_table, le_uc_letter_table_count, c)) return LE_BPE_LETTER;
    if (le_uc_in_table(le_uc_number_table, le_uc_number_table_count, c)) return LE_BPE_NUMBER;
    if (le_uc_in_table(le_uc_space_table, le_uc_space_table_count, c)) return LE_BPE_SPACE;
    return LE_BPE_OTHER;
}

/* Rust's char::is_numeric (the Digits pre-tokenizer): \p{N} and a few
 * code points of a later Unicode version. */
static inline int le_bpe_is_numeric(uint32_t c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    return le_uc_in_table(le_uc_number_table, le_uc_number_table_count, c) ||
           le_uc_in_table(le_uc_numeric_extra_table, le_uc_numeric_extra_table_count, c);
}

#endif
