/* The split regexes of byte-level BPE tokenizers, as hand-written matchers
 * over the classes of bpe_unicode.h (no regex engine). Each pattern's
 * alternatives together match every character, so the matches tile the
 * text: a matcher returns where the match starting at i ends, and a split
 * is the run of consecutive matches.
 *
 *   GPT-2   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *   Llama-3 (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
 *           | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *   Qwen2   Llama-3 with \p{N} for \p{N}{1,3}
 *
 * Alternatives are tried in order, the first that matches wins (not the
 * longest), with the regex's backtracking worked out by hand: \s+(?!\S)
 * gives back the last whitespace character when a non-space follows, and
 * \s*[\r\n]+ ends after the last CR or LF of the whitespace run. */
#include "text/bpe_pretok.h"

#include "text/bpe_unicode.h"
#include "text/utf8.h"

#include <string.h>

/* The class of the character at s[i] (i < n); *end is where it ends. */
static int class_at(const char *s, size_t n, size_t i, size_t *end) {
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *end = i + 1;
        return le_bpe_class(b);
    }
    *end = i;
    return le_bpe_class(le_utf8_next(s, n, end));
}

/* The end of the run of characters of class cls from i, at most max of them. */
static size_t run_of(const char *s, size_t n, size_t i, int cls, size_t max) {
    size_t count = 0, end;
    while (i < n && count < max && class_at(s, n, i, &end) == cls) {
        i = end;
        count++;
    }
    return i;
}

static int lower_ascii(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 's 't 're 've 'm 'll 'd at s[i] == '\'': the match end, or 0. Case-blind
 * for Llama-3 and Qwen2, where Unicode case folding also lets U+017F (long s)
 * stand for s. */
static size_t contraction(const char *s, size_t n, size_t i, int fold) {
    if (i + 1 >= n) return 0;
    const unsigned char *u = (const unsigned char *)s + i + 1;
    int a = fold ? lower_ascii(u[0]) : u[0];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
    if (fold && u[0] == 0xC5 && i + 2 < n && u[1] == 0xBF) return i + 3;
    if (i + 2 >= n) return 0;
    int b = fold ? lower_ascii(u[1]) : u[1];
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
    return 0;
}

/* \s+(?!\S)|\s+ at a whitespace character s[i] (ending at e0): the whole
 * run at the end of the text, else the run less its last character, else
 * the one character. */
static size_t space_run(const char *s, size_t n, size_t i, size_t e0) {
    size_t j = run_of(s, n, i, LE_BPE_SPACE, SIZE_MAX);
    if (j == n) return n;
    size_t last = le_utf8_prev(s, j);
    return last > i ? last : e0;
}

static size_t match_gpt2(const char *s, size_t n, size_t i) {
    size_t e0, e1;
    if (s[i] == '\'') {
        size_t c = contraction(s, n, i, 0);
        if (c) return c;
    }
    int c0 = class_at(s, n, i, &e0);
    if (s[i] == ' ' && e0 < n) {
        int c1 = class_at(s, n, e0, &e1);
        if (c1 != LE_BPE_SPACE) return run_of(s, n, e1, c1, SIZE_MAX);
    }
    if (c0 != LE_BPE_SPACE) return run_of(s, n, e0, c0, SIZE_MAX);
    return space_run(s, n, i, e0);
}

static int is_crlf(char c) { return c == '\r' || c == '\n'; }

static size_t skip_crlf(const char *s, size_t n, size_t i) {
    while (i < n && is_crlf(s[i])) i++;
    return i;
}

/* Llama-3 (digits = 3) and Qwen2 (digits = 1). */
static size_t match_llama3(const char *s, size_t n, size_t i, size_t digits) {
    size_t e0, e1;
    if (s[i] == '\'') {
        size_t c = contraction(s, n, i, 1);
        if (c) return c;
    }
    int c0 = class_at(s, n, i, &e0);
    if (c0 == LE_BPE_LETTER) return run_of(s, n, e0, LE_BPE_LETTER, SIZE_MAX);
    if (c0 == LE_BPE_NUMBER) return run_of(s, n, e0, LE_BPE_NUMBER, digits - 1);
    /* [^\r\n\p{L}\p{N}]?\p{L}+ with the optional character present */
    if (!is_crlf(s[i]) && e0 < n && class_at(s, n, e0, &e1) == LE_BPE_LETTER)
        return run_of(s, n, e1, LE_BPE_LETTER, SIZE_MAX);
    /* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
    size_t from = c0 == LE_BPE_OTHER ? i : (s[i] == ' ' && e0 < n) ? e0 : n;
    if (from < n && class_at(s, n, from, &e1) == LE_BPE_OTHER)
        return skip_crlf(s, n, run_of(s, n, from, LE_BPE_OTHER, SIZE_MAX));
    /* a whitespace character: \s*[\r\n]+ ends after the run's last CR/LF */
    size_t j = run_of(s, n, i, LE_BPE_SPACE, SIZE_MAX);
    for (size_t k = j; k > i; k--)
        if (is_crlf(s[k - 1])) return k;
    return space_run(s, n, i, e0);
}

size_t le_bpe_regex_match(le_bpe_regex re, const char *s, size_t n, size_t i) {
    switch (re) {
    case LE_BPE_REGEX_GPT2: return match_gpt2(s, n, i);
    case LE_BPE_REGEX_LLAMA3: return match_llama3(s, n, i, 3);
    case LE_BPE_REGEX_QWEN2: return match_llama3(s, n, i, 1);
    case LE_BPE_REGEX_NONE: break;
    }
    return n;
}

/* The patterns as tokenizer.json spells them (Split's "Regex"). */
static const char *const g_patterns[] = {
    NULL,
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};

le_bpe_regex le_bpe_regex_find(const char *pattern) {
    for (int k = 1; k < (int)(sizeof g_patterns / sizeof *g_patterns); k++)
        if (!strcmp(pattern, g_patterns[k])) return (le_bpe_regex)k;
    return LE_BPE_REGEX_NONE;
}
