/* The text analyzer of the sparse (BM25) index: text → terms.
 *
 * Rules, applied to the UTF-8 text in order:
 *  1. A term is a maximal run of "word characters": Unicode letters (general
 *     category L*), numbers (N*: decimal digits, letter numbers such as
 *     Roman numerals, other numbers such as superscripts), and combining
 *     marks (M*) that follow a word character (so "é" written as e + U+0301
 *     stays one term). Everything else separates terms: spaces, punctuation
 *     (the apostrophe too: "Anna's" gives "anna" and "s"), symbols, controls.
 *     Bytes that are not valid UTF-8 also separate terms; they never fail.
 *  2. Every code point is lowercased with Unicode's simple case mapping
 *     (utf8proc_tolower: locale-independent, one code point to one).
 *  3. With stop words on, terms on the fixed English list below
 *     (le_analyzer_stopwords) are dropped after lowercasing.
 * There is no stemming and no length limit: a term is kept whole. */
#ifndef LE_INDEX_ANALYZER_H
#define LE_INDEX_ANALYZER_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_analyzer_options {
    int stopwords; /* 1: drop English stop words */
} le_analyzer_options;

/* The terms of one text, back to back in buf (not NUL-separated). */
typedef struct le_terms {
    char *buf;
    size_t len, cap;
    size_t *off; /* term i is buf[off[i] .. off[i] + tlen[i]) */
    uint32_t *tlen;
    size_t n, off_cap, tlen_cap;
} le_terms;

void le_terms_free(le_terms *t);

/* Replaces out's contents with the terms of text[0..len). Fails only when
 * out of memory. */
le_status le_analyze(const le_analyzer_options *opt, const char *text, size_t len, le_terms *out,
                     le_error *err);

/* 1 when the lowercase term s[0..len) is an English stop word. */
int le_analyzer_is_stopword(const char *s, size_t len);
/* The stop word list, sorted, NULL-terminated (for documentation and tests). */
const char *const *le_analyzer_stopwords(void);

#endif
