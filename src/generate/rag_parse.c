/* Clue lines and citations (rag_parse.h). */
#include "generate/rag_parse.h"

#include "base/array.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void le_rag_lines_free(le_rag_lines *l) {
    for (size_t i = 0; i < l->n; i++) free(l->line[i]);
    free(l->line);
    memset(l, 0, sizeof *l);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* 1 when a and b are equal ignoring ASCII case and runs of white space. */
static int same_line(const char *a, const char *b) {
    for (;;) {
        while (is_space(*a) && is_space(a[1])) a++;
        while (is_space(*b) && is_space(b[1])) b++;
        if (is_space(*a) && is_space(*b)) {
            a++, b++;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
        if (!*a) return 1;
        a++, b++;
    }
}

le_status le_rag_lines_add(le_rag_lines *l, const char *s, size_t n, int *added, le_error *err) {
    if (added) *added = 0;
    while (n && is_space(*s)) s++, n--;
    while (n && is_space(s[n - 1])) n--;
    char *copy = strndup(s, n);
    if (!copy) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < l->n; i++)
        if (same_line(l->line[i], copy)) {
            free(copy);
            return LE_OK;
        }
    if (le_array_push(l->line, l->n, l->cap, copy)) {
        free(copy);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    if (added) *added = 1;
    return LE_OK;
}

/* The length of a bullet or number at s (0: none). */
static size_t marker_len(const char *s, size_t n) {
    static const char *const bullets[] = {"\xe2\x80\xa2", "\xc2\xb7", "\xe2\x80\x93", "-", "*",
                                          "+", ">"};
    for (size_t i = 0; i < sizeof bullets / sizeof *bullets; i++) {
        size_t b = strlen(bullets[i]);
        if (n >= b && !memcmp(s, bullets[i], b)) return b;
    }
    size_t i = s[0] == '(' ? 1 : 0;
    size_t d = i;
    while (d < n && d < i + 3 && isdigit((unsigned char)s[d])) d++;
    if (d == i || d >= n) return 0;
    if (s[d] == '.' || s[d] == ')' || s[d] == ':') return d + 1;
    return 0;
}

static size_t count_words(const char *s, size_t n) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i]) && (i == 0 || is_space(s[i - 1]))) w++;
    return w;
}

/* One line s[0..n) of a reply: its markers, quotes and ends stripped. */
static void strip_line(const char **s, size_t *n) {
    for (int round = 0; round < 3; round++) { /* "1. - text", "**1.** text" */
        while (*n && (is_space(**s) || (**s == '*' && (*s)[1] == '*'))) (*s)++, (*n)--;
        size_t m = *n ? marker_len(*s, *n) : 0;
        if (!m) break;
        *s += m, *n -= m;
    }
    while (*n && is_space(**s)) (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1])) (*n)--;
    if (*n >= 2 && (**s == '"' || **s == '\'') && (*s)[*n - 1] == **s) (*s)++, *n -= 2;
}

le_status le_rag_clue_lines(const char *reply, int min_words, le_rag_lines *l, le_error *err) {
    for (const char *p = reply; p && *p;) {
        size_t n = strcspn(p, "\n");
        const char *s = p;
        size_t len = n;
        p += n + (p[n] == '\n');
        strip_line(&s, &len);
        if (count_words(s, len) <= (size_t)(min_words > 0 ? min_words : 0)) continue;
        le_status st = le_rag_lines_add(l, s, len, NULL, err);
        if (st) return st;
    }
    return LE_OK;
}

/* Marks number v (1-based) in cited; counts it out of range when it is. */
static void cite(long v, size_t n, unsigned char *cited, size_t *bad) {
    if (v >= 1 && (size_t)v <= n) cited[v - 1] = 1;
    else (*bad)++;
}

/* Reads the bracket at s (after '['): numbers separated by ',' or ';',
 * ranges a-b; 0 when it is not such a bracket. */
static int read_bracket(const char *s, size_t n, unsigned char *cited, size_t *bad) {
    const char *e = strchr(s, ']');
    if (!e || e == s || (size_t)(e - s) > 64) return 0;
    for (const char *c = s; c < e; c++)
        if (!isdigit((unsigned char)*c) && !strchr(" ,;-", *c)) return 0;
    for (const char *c = s; c < e;) {
        if (!isdigit((unsigned char)*c)) {
            c++;
            continue;
        }
        char *end;
        long a = strtol(c, &end, 10), b = a;
        if (*end == '-' && isdigit((unsigned char)end[1])) b = strtol(end + 1, &end, 10);
        if (b < a || b - a > 64) b = a; /* a reversed or huge range counts its start only */
        for (long v = a; v <= b; v++) cite(v, n, cited, bad);
        c = end;
    }
    return 1;
}

size_t le_rag_citations(const char *answer, size_t n, unsigned char *cited, size_t *out_of_range) {
    size_t bad = 0;
    if (n) memset(cited, 0, n);
    for (const char *c = answer; c && (c = strchr(c, '[')); c++)
        read_bracket(c + 1, n, cited, &bad);
    if (out_of_range) *out_of_range = bad;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += cited[i];
    return k;
}
