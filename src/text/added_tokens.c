#include "text/added_tokens.h"

#include "base/array.h"
#include "text/unicode.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

void le_added_matcher_init(le_added_matcher *m) {
    memset(m, 0, sizeof *m);
    for (int i = 0; i < 256; i++) m->first[i] = -1;
}

void le_added_matcher_free(le_added_matcher *m) {
    if (!m) return;
    free(m->nodes);
    le_added_matcher_init(m);
}

static int32_t matcher_node(le_added_matcher *m, uint8_t byte) {
    if (le_array_push(m->nodes, m->n_nodes, m->cap, (le_added_node){-1, -1, -1, byte})) return -1;
    return (int32_t)(m->n_nodes - 1);
}

le_status le_added_matcher_add(le_added_matcher *m, const char *pattern, size_t n, int32_t tok) {
    if (n == 0 || m->n_nodes + n > INT32_MAX) return LE_ERR_ARG;
    const uint8_t *p = (const uint8_t *)pattern;
    int32_t node = m->first[p[0]];
    if (node < 0) {
        if ((node = matcher_node(m, p[0])) < 0) return LE_ERR_NOMEM;
        m->first[p[0]] = node;
    }
    for (size_t i = 1; i < n; i++) {
        int32_t c = m->nodes[node].child;
        while (c >= 0 && m->nodes[c].byte != p[i]) c = m->nodes[c].sibling;
        if (c < 0) {
            if ((c = matcher_node(m, p[i])) < 0) return LE_ERR_NOMEM;
            m->nodes[c].sibling = m->nodes[node].child;
            m->nodes[node].child = c;
        }
        node = c;
    }
    if (m->nodes[node].token < 0) m->nodes[node].token = tok;
    m->n_patterns++;
    return LE_OK;
}

/* The longest pattern starting at s[at]: its length and token, or 0. */
static size_t matcher_longest(const le_added_matcher *m, const char *s, size_t n, size_t at,
                              int32_t *tok) {
    const uint8_t *p = (const uint8_t *)s;
    int32_t node = m->first[p[at]];
    size_t best = 0;
    for (size_t i = at + 1; node >= 0; i++) {
        if (m->nodes[node].token >= 0) {
            best = i - at;
            *tok = m->nodes[node].token;
        }
        if (i == n) break;
        int32_t c = m->nodes[node].child;
        while (c >= 0 && m->nodes[c].byte != p[i]) c = m->nodes[c].sibling;
        node = c;
    }
    return best;
}

static int ends_with_word(const char *s, size_t end) {
    if (end == 0) return 0;
    size_t i = le_utf8_prev(s, end);
    return le_uc_is_word(le_utf8_next(s, end, &i));
}

static int starts_with_word(const char *s, size_t n, size_t at) {
    return at < n && le_uc_is_word(le_utf8_next(s, n, &at));
}

le_status le_added_split(const le_added_matcher *m, const le_added_token *tokens, const char *s,
                         size_t n, le_added_fn fn, void *ctx) {
    if (n == 0) return LE_OK;
    if (m->n_patterns == 0) return fn(ctx, s, n, -1);
    size_t done = 0; /* end of the last piece handed out */
    size_t at = 0;   /* where the search for the next match resumes */
    le_status st;
    while (at < n) {
        /* leftmost match first, then the longest there */
        int32_t tok = -1;
        size_t len = 0, start = at;
        for (; start < n; start++) {
            if (m->first[(uint8_t)s[start]] < 0) continue;
            if ((len = matcher_longest(m, s, n, start, &tok))) break;
        }
        if (!len) break;
        size_t stop = start + len;
        at = stop;
        const le_added_token *t = &tokens[tok];
        if (t->single_word && (ends_with_word(s, start) || starts_with_word(s, n, stop))) continue;
        if (t->lstrip) {
            while (start > done) {
                size_t j = le_utf8_prev(s, start), k = j;
                if (!le_uc_is_whitespace(le_utf8_next(s, n, &k))) break;
                start = j;
            }
        }
        if (start < done) start = done;
        if (t->rstrip) {
            while (stop < n) {
                size_t k = stop;
                if (!le_uc_is_whitespace(le_utf8_next(s, n, &k))) break;
                stop = k;
            }
        }
        if (done < start && (st = fn(ctx, s + done, start - done, -1))) return st;
        if ((st = fn(ctx, s + start, stop - start, t->id))) return st;
        done = stop;
        if (at < done) at = done;
    }
    return done < n ? fn(ctx, s + done, n - done, -1) : LE_OK;
}
