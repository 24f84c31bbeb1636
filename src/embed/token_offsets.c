/* le_tokenize_offsets (longembed.h): the bytes each token of a text comes
 * from. The tokenizer gives ids, not offsets, so they are found by
 * alignment. le_passages_align cuts the text into units (about words)
 * whose bytes, tokenized alone, give exactly their ids. Inside a unit of
 * several tokens, token j ends where the shortest prefix of the unit (cut
 * at a character boundary) tokenizes to exactly the unit's first j ids:
 * "playing" → "play" | "##ing". Tokens that no prefix tells apart (a
 * SentencePiece "▁" before "ca" of " cat": " c" gives "▁", "c") share
 * their span; a unit longer than MAX_ALIGN bytes (every prefix is
 * tokenized) and a piece of a unit split at token boundaries give their
 * tokens the unit's whole span. Whitespace at either end of a span is left
 * out. */
#include "base/error.h"
#include "embed/model.h"
#include "embed/passages.h"

#include <stdlib.h>
#include <string.h>

/* Units longer than this (bytes) are not aligned token by token. */
#define MAX_ALIGN 64

/* The byte after the UTF-8 character that starts at p. */
static size_t next_char(const char *text, size_t p, size_t end) {
    p++;
    while (p < end && ((unsigned char)text[p] & 0xC0) == 0x80) p++;
    return p;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The length of the longest run ids[0..L) that the tokens of prefix equal
 * exactly (all of them); 0 when they are not a run of ids. */
static int prefix_tokens(const le_ids *prefix, const int32_t *ids, int k) {
    if (!prefix->n || prefix->n > (size_t)k) return 0;
    return memcmp(prefix->ids, ids, prefix->n * sizeof *ids) ? 0 : (int)prefix->n;
}

/* The spans of unit u's tokens into starts/ends (indexed by token): each
 * prefix of the unit, at every character boundary, is tokenized; one whose
 * tokens are exactly the unit's first L ids ends token L (tokens that come
 * into view together share their span), and the last ones share the rest. */
static le_status unit_spans(const le_tokenizer *t, const char *text, const le_span *u,
                            const int32_t *ids, size_t *starts, size_t *ends, le_ids *scratch,
                            le_error *err) {
    const int32_t *own = ids + u->tok_start;
    int k = u->tok_end - u->tok_start, done = 0;
    size_t at = u->byte_start;
    if (u->exact && u->byte_end - u->byte_start <= MAX_ALIGN)
        for (size_t b = next_char(text, at, u->byte_end); b < u->byte_end && done < k - 1;
             b = next_char(text, b, u->byte_end)) {
            scratch->n = 0;
            le_status s =
                le_tokenizer_encode(t, text + u->byte_start, b - u->byte_start, scratch, err);
            if (s) return s;
            int l = prefix_tokens(scratch, own, k);
            if (l <= done || l == k) continue;
            for (int j = done; j < l; j++) starts[u->tok_start + j] = at, ends[u->tok_start + j] = b;
            at = b;
            done = l;
        }
    for (int j = done; j < k; j++) starts[u->tok_start + j] = at, ends[u->tok_start + j] = u->byte_end;
    for (int j = 0; j < k; j++) { /* whitespace is no token's */
        size_t *s = &starts[u->tok_start + j], *e = &ends[u->tok_start + j];
        while (*s < *e && is_space(text[*s])) (*s)++;
        while (*e > *s && is_space(text[*e - 1])) (*e)--;
    }
    return LE_OK;
}

/* The text's own tokens (no special ones) with their spans. */
static le_status content_spans(const le_tokenizer *t, const char *text, size_t len, le_ids *v,
                               size_t **starts, size_t **ends, le_error *err) {
    le_spans units = {0};
    le_ids scratch = {0};
    le_status s = le_tokenizer_encode(t, text, len, v, err);
    if (!s) s = le_passages_align(t, text, len, v->ids, v->n, &units, err);
    if (!s) {
        *starts = malloc((v->n ? v->n : 1) * sizeof **starts);
        *ends = malloc((v->n ? v->n : 1) * sizeof **ends);
        if (!*starts || !*ends) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    for (size_t u = 0; !s && u < units.n; u++)
        s = unit_spans(t, text, &units.v[u], v->ids, *starts, *ends, &scratch, err);
    le_spans_free(&units);
    le_ids_free(&scratch);
    return s;
}

le_status le_tokenize_offsets(le_model *m, const char *text, size_t len, int add_special,
                              int32_t *ids, size_t *starts, size_t *ends, size_t cap,
                              size_t *n_out, le_error *err) {
    if (!m || !n_out || (!text && len) || (cap && (!ids || !starts || !ends)))
        return le_fail(err, LE_ERR_ARG, "missing argument");
    le_ids v = {0};
    size_t *s0 = NULL, *s1 = NULL;
    le_status s = content_spans(m->tok, text ? text : "", len, &v, &s0, &s1, err);
    if (!s) {
        const int32_t *before = NULL, *after = NULL;
        size_t nb = 0, na = 0;
        if (add_special) le_tokenizer_template(m->tok, &before, &nb, &after, &na);
        size_t n = nb + v.n + na;
        for (size_t i = 0; i < n && i < cap; i++) {
            int content = i >= nb && i < nb + v.n;
            ids[i] = i < nb ? before[i] : content ? v.ids[i - nb] : after[i - nb - v.n];
            starts[i] = content ? s0[i - nb] : LE_NO_OFFSET;
            ends[i] = content ? s1[i - nb] : LE_NO_OFFSET;
        }
        *n_out = n;
    }
    free(s0);
    free(s1);
    le_ids_free(&v);
    return s;
}
