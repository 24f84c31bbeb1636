#include "index/analyzer.h"

#include "base/array.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Common English function words: articles, pronouns, auxiliaries,
 * prepositions, conjunctions and a few adverbs, plus the one-letter
 * remnants of contractions ("s", "t"). Sorted (bytewise). */
static const char *const g_stopwords[] = {
    "a",     "about", "after",  "all",   "also",  "am",   "an",    "and",   "any",   "are",
    "as",    "at",    "be",     "been",  "being", "but",  "by",    "can",   "could", "d",
    "did",   "do",    "does",   "doing", "for",   "from", "had",   "has",   "have",  "having",
    "he",    "her",   "hers",   "him",   "his",   "how",  "i",     "if",    "in",    "into",
    "is",    "it",    "its",    "ll",    "m",     "may",  "me",    "might", "must",  "my",
    "no",    "nor",   "not",    "of",    "on",    "or",   "our",   "ours",  "re",    "s",
    "shall", "she",   "should", "so",    "such",  "t",    "than",  "that",  "the",   "their",
    "them",  "then",  "there",  "these", "they",  "this", "those", "to",    "too",   "us",
    "ve",    "very",  "was",    "we",    "were",  "what", "when",  "where", "which", "who",
    "whom",  "why",   "will",   "with",  "would", "you",  "your",  "yours", NULL};

const char *const *le_analyzer_stopwords(void) { return g_stopwords; }

int le_analyzer_is_stopword(const char *s, size_t len) {
    size_t lo = 0, hi = sizeof g_stopwords / sizeof *g_stopwords - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *w = g_stopwords[mid];
        size_t wl = strlen(w);
        int c = memcmp(w, s, wl < len ? wl : len);
        if (c == 0) c = wl < len ? -1 : wl > len ? 1 : 0;
        if (c == 0) return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void le_terms_free(le_terms *t) {
    free(t->buf);
    free(t->off);
    free(t->tlen);
    memset(t, 0, sizeof *t);
}

static int reserve_bytes(le_terms *t, size_t more) {
    return le_array_reserve(t->buf, t->cap, t->len + more) ? -1 : 0;
}

static int push_term(le_terms *t, size_t start) {
    if (le_array_reserve(t->off, t->off_cap, t->n + 1) ||
        le_array_reserve(t->tlen, t->tlen_cap, t->n + 1))
        return -1;
    t->off[t->n] = start;
    t->tlen[t->n] = (uint32_t)(t->len - start);
    t->n++;
    return 0;
}

enum { CP_SEP = 0, CP_WORD = 1, CP_MARK = 2 };

static int classify(utf8proc_int32_t cp) {
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return CP_WORD;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return CP_MARK;
    default: return CP_SEP;
    }
}

/* Ends the current term (started at start in t->buf): keeps it, or drops it
 * when it is a stop word. */
static int end_term(const le_analyzer_options *opt, le_terms *t, size_t start) {
    if (t->len == start) return 0;
    if (opt && opt->stopwords && le_analyzer_is_stopword(t->buf + start, t->len - start)) {
        t->len = start;
        return 0;
    }
    return push_term(t, start);
}

le_status le_analyze(const le_analyzer_options *opt, const char *text, size_t len, le_terms *out,
                     le_error *err) {
    out->len = 0;
    out->n = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    size_t i = 0, start = 0;
    int in_term = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step;
        if (p[i] < 0x80) { /* ASCII fast path */
            cp = p[i];
            step = 1;
        } else {
            size_t rest = len - i;
            step = utf8proc_iterate(p + i, rest > 4 ? 4 : (utf8proc_ssize_t)rest, &cp);
            if (step < 0) { /* an invalid byte: a separator */
                cp = -1;
                step = 1;
            }
        }
        int cls = cp < 0 ? CP_SEP : classify(cp);
        if (cls == CP_WORD || (cls == CP_MARK && in_term)) {
            if (!in_term) {
                start = out->len;
                in_term = 1;
            }
            utf8proc_int32_t lc = utf8proc_tolower(cp);
            if (reserve_bytes(out, 4)) return le_fail(err, LE_ERR_NOMEM, "analyzer: out of memory");
            out->len += (size_t)utf8proc_encode_char(lc, (utf8proc_uint8_t *)out->buf + out->len);
        } else if (in_term) {
            in_term = 0;
            if (end_term(opt, out, start))
                return le_fail(err, LE_ERR_NOMEM, "analyzer: out of memory");
        }
        i += (size_t)step;
    }
    if (in_term && end_term(opt, out, start))
        return le_fail(err, LE_ERR_NOMEM, "analyzer: out of memory");
    return LE_OK;
}
