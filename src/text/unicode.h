/* Character classes and mappings exactly as the Hugging Face tokenizers
 * library applies them. Its Rust crates carry Unicode tables of different
 * versions, so the classes come from tables measured on that library
 * (unicode_tables.c, written by tools/gen_unicode_tables.py), and
 * utf8proc supplies decompositions, composition and combining classes
 * where they agree. */
#ifndef LE_TEXT_UNICODE_H
#define LE_TEXT_UNICODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct le_uc_range {
    uint32_t lo, hi;
} le_uc_range;

typedef struct le_uc_lower_exception {
    uint32_t cp;
    uint32_t lower[2]; /* 0 = unused */
} le_uc_lower_exception;

extern const le_uc_range le_uc_other_table[];
extern const size_t le_uc_other_table_count;
extern const le_uc_range le_uc_punct_table[];
extern const size_t le_uc_punct_table_count;
extern const le_uc_range le_uc_mark_table[];
extern const size_t le_uc_mark_table_count;
extern const le_uc_range le_uc_mn_table[];
extern const size_t le_uc_mn_table_count;
extern const le_uc_range le_uc_word_table[];
extern const size_t le_uc_word_table_count;
extern const le_uc_range le_uc_nfd_keep_table[];
extern const size_t le_uc_nfd_keep_table_count;
extern const le_uc_range le_uc_nfkd_keep_table[];
extern const size_t le_uc_nfkd_keep_table_count;
extern const le_uc_range le_uc_ccc_zero_table[];
extern const size_t le_uc_ccc_zero_table_count;
extern const le_uc_lower_exception le_uc_lower_table[];
extern const size_t le_uc_lower_table_count;

/* The longest decomposition (compatibility, U+FDFA) has 18 code points. */
#define LE_UC_DECOMPOSE_MAX 32

int le_uc_in_table(const le_uc_range *t, size_t n, uint32_t c);

/* Rust's char::is_whitespace (the White_Space property). */
static inline int le_uc_is_whitespace(uint32_t c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Control/format/private-use characters that BertNormalizer's clean_text
 * drops (tab, newline and carriage return are not among them). */
int le_uc_is_other(uint32_t c);
/* ASCII punctuation or a Unicode P* character (BertPreTokenizer, Punctuation). */
int le_uc_is_punct(uint32_t c);
/* Combining marks (M*), which the StripAccents normalizer removes. */
int le_uc_is_mark(uint32_t c);
/* The non-spacing marks that BertNormalizer's strip_accents removes after NFD. */
int le_uc_is_mn(uint32_t c);
/* Regex \w: letters, marks, digits, connector punctuation. */
int le_uc_is_word(uint32_t c);

/* The CJK ideograph blocks of BertNormalizer (Rust crate's ranges). */
static inline int le_uc_is_cjk(uint32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Full lowercase mapping (Rust's char::to_lowercase): writes 1 or 2 code
 * points to out and returns the count. */
int le_uc_lower(uint32_t c, uint32_t out[2]);

/* Canonical (compat = 0) or compatibility decomposition of c into out
 * (LE_UC_DECOMPOSE_MAX entries), not yet canonically ordered; returns the
 * count. */
int le_uc_decompose(uint32_t c, int compat, uint32_t *out);

/* Canonical combining class. */
int le_uc_ccc(uint32_t c);

#endif
