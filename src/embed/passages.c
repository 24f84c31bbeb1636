#include "embed/passages.h"

#include "base/array.h"
#include "text/unicode.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

/* A unit that does not align is merged with at most this many following
 * units (or this many bytes) before the rest of the text becomes one
 * inexact unit: bounds the work on a tokenizer that never splits at cuts. */
#define MAX_MERGE_UNITS 64
#define MAX_MERGE_BYTES 65536
/* Units taken back per text when a later unit does not align. */
#define MAX_BACKTRACKS 1024

void le_spans_free(le_spans *s) {
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static le_status push_span(le_spans *s, le_span sp, le_error *err) {
    if (le_array_push(s->v, s->n, s->cap, sp))
        return le_fail(err, LE_ERR_NOMEM, "passages: out of memory");
    return LE_OK;
}

/* A code point that is a unit of its own: punctuation, a CJK ideograph. */
static int stands_alone(uint32_t c) { return le_uc_is_punct(c) || le_uc_is_cjk(c); }

/* A space that separates words for every tokenizer: white space that is not
 * a control character (BERT's clean_text deletes \v, \f and U+0085, so the
 * words on either side of them join). */
static int separates(uint32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return 1;
    return c >= 0x20 && c != 0x85 && le_uc_is_whitespace(c);
}

/* The end of the unit that starts at pos: its leading spaces, then one
 * stand-alone character or a run of other characters. */
static size_t next_cut(const char *s, size_t len, size_t pos) {
    size_t i = pos, at = pos;
    while (i < len) {
        at = i;
        if (!separates(le_utf8_next(s, len, &i))) break;
        at = i;
    }
    if (at >= len) return len;
    i = at;
    if (stands_alone(le_utf8_next(s, len, &i))) return i;
    while (i < len) {
        size_t j = i;
        uint32_t c = le_utf8_next(s, len, &j);
        if (separates(c) || stands_alone(c)) return i;
        i = j;
    }
    return len;
}

/* 1 when the bytes [a, b) of text tokenize alone to exactly ids[p ..) (not
 * past n_ids); *n gets their token count. */
static le_status unit_matches(const le_tokenizer *t, const char *text, size_t a, size_t b,
                              const int32_t *ids, size_t n_ids, size_t p, le_ids *tmp, int *match,
                              size_t *n, le_error *err) {
    tmp->n = 0;
    le_status s = le_tokenizer_encode(t, text + a, b - a, tmp, err);
    if (s) return s;
    *n = tmp->n;
    /* no tokens (white space alone): tmp->ids may still be NULL */
    *match = p + tmp->n <= n_ids && (tmp->n == 0 || !memcmp(ids + p, tmp->ids, tmp->n * sizeof *ids));
    return LE_OK;
}

/* Adds a unit; one without tokens joins the unit before it (or, first,
 * waits in *lead for the next one). */
static le_status add_unit(le_spans *out, size_t first, le_span u, size_t *lead, le_error *err) {
    if (u.tok_start == u.tok_end && out->n > first) {
        out->v[out->n - 1].byte_end = u.byte_end;
        out->v[out->n - 1].exact &= u.exact;
        return LE_OK;
    }
    if (u.tok_start == u.tok_end) {
        if (*lead == (size_t)-1) *lead = u.byte_start;
        return LE_OK;
    }
    if (*lead != (size_t)-1) u.byte_start = *lead, *lead = (size_t)-1;
    return push_span(out, u, err);
}

/* Grows the unit [a, b) to the following cuts until its ids match the
 * whole text's at p; *n gets its token count, *match whether it matched. */
static le_status grow_unit(const le_tokenizer *t, const char *text, size_t len, size_t a, size_t *b,
                           const int32_t *ids, size_t n_ids, size_t p, le_ids *tmp, int *match,
                           size_t *n, le_error *err) {
    for (int merged = 0;; merged++) {
        le_status s = unit_matches(t, text, a, *b, ids, n_ids, p, tmp, match, n, err);
        if (s || *match || *b == len || merged == MAX_MERGE_UNITS || *b - a > MAX_MERGE_BYTES)
            return s;
        *b = next_cut(text, len, *b);
    }
}

le_status le_passages_align(const le_tokenizer *t, const char *text, size_t len, const int32_t *ids,
                            size_t n_ids, le_spans *out, le_error *err) {
    le_ids tmp = {0};
    le_status s = LE_OK;
    size_t first = out->n, lead = (size_t)-1, p = 0, a = 0;
    int backtracks = 0;
    while (a < len && !s) {
        size_t b = next_cut(text, len, a), n = 0;
        int match = 0;
        s = grow_unit(t, text, len, a, &b, ids, n_ids, p, &tmp, &match, &n, err);
        /* a unit matched too early (the tokenizer joined it with the next
         * one): take it back and grow it over the failing stretch */
        while (!s && !match && out->n > first && backtracks < MAX_BACKTRACKS) {
            backtracks++;
            out->n--;
            a = out->v[out->n].byte_start;
            p = (size_t)out->v[out->n].tok_start;
            b = next_cut(text, len, b);
            s = grow_unit(t, text, len, a, &b, ids, n_ids, p, &tmp, &match, &n, err);
        }
        if (s) break;
        le_span u = {a, b, (int32_t)p, (int32_t)(p + n), 1};
        if (!match) u.byte_end = len, u.tok_end = (int32_t)n_ids, u.exact = 0;
        s = add_unit(out, first, u, &lead, err);
        p = (size_t)u.tok_end;
        a = u.byte_end;
    }
    /* tokens no unit gave (never, when every unit matched) join the last unit */
    if (!s && p < n_ids && out->n > first) {
        out->v[out->n - 1].tok_end = (int32_t)n_ids;
        out->v[out->n - 1].exact = 0;
    }
    /* a text without tokens (empty, or only spaces) is one unit of no tokens */
    if (!s && out->n == first)
        s = push_span(out, (le_span){0, len, 0, (int32_t)n_ids, p == n_ids}, err);
    le_ids_free(&tmp);
    return s;
}

/* The balanced passage length for `left` tokens: as many passages as
 * size allows, all of about the same length. */
static int balanced(int left, int size, int overlap) {
    if (left <= size) return left;
    int step = size - overlap;
    int count = (left - overlap + step - 1) / step;
    return (left - overlap + count - 1) / count + overlap;
}

/* Splits one unit longer than size into balanced pieces; the pieces keep the
 * unit's bytes and are not exact. */
static le_status split_unit(const le_span *u, int size, le_spans *out, le_error *err) {
    int w = u->tok_end - u->tok_start, pieces = (w + size - 1) / size;
    for (int k = 0; k < pieces; k++) {
        le_span sp = *u;
        sp.tok_start = u->tok_start + (int32_t)((long)w * k / pieces);
        sp.tok_end = u->tok_start + (int32_t)((long)w * (k + 1) / pieces);
        sp.exact = 0;
        le_status s = push_span(out, sp, err);
        if (s) return s;
    }
    return LE_OK;
}

le_status le_passages_plan(const le_spans *units, int size, int overlap, le_spans *out,
                           le_error *err) {
    if (size < 1 || overlap < 0 || overlap >= size)
        return le_fail(err, LE_ERR_ARG, "passages: need 0 <= overlap < size (size %d, overlap %d)",
                       size, overlap);
    const le_span *v = units->v;
    size_t nu = units->n;
    if (nu == 0) return push_span(out, (le_span){0, 0, 0, 0, 1}, err);
    int total = v[nu - 1].tok_end;
    for (size_t u = 0; u < nu;) {
        int a = v[u].tok_start, want = balanced(total - a, size, overlap);
        size_t e = u;
        while (e < nu && v[e].tok_end - a <= want) e++;
        if (e == u && v[u].tok_end - a <= size) e = u + 1;
        if (e == u) {
            le_status s = split_unit(&v[u], size, out, err);
            if (s) return s;
            u++;
            continue;
        }
        le_span p = {v[u].byte_start, v[e - 1].byte_end, a, v[e - 1].tok_end, 1};
        for (size_t k = u; k < e; k++) p.exact &= v[k].exact;
        le_status s = push_span(out, p, err);
        if (s) return s;
        if (e == nu) break;
        /* the next passage starts overlap tokens (at most) before this one ends */
        size_t next = e;
        while (next - 1 > u && p.tok_end - v[next - 1].tok_start <= overlap) next--;
        u = next;
    }
    return LE_OK;
}
