/* The document as text and as chunks that fit a token budget
 * (rag_pipeline.h). Consecutive segments share a chunk while they fit;
 * chunks are cut between lines (transcripts, paragraphs) and, inside a line
 * longer than the budget, between words. A chunk's
 * tokens are the sum of its pieces' counts: byte-level BPE pre-splits at
 * spaces and line breaks, so the sum matches the chunk's own count up to a
 * token or two at the joins. */
#include "generate/rag_pipeline.h"

#include "base/array.h"

#include <stdlib.h>
#include <string.h>

void le_rag_doc_text(const le_rag_doc *doc, le_sbuf *out) {
    for (size_t i = 0; i < doc->n; i++) {
        if (i) le_sbuf_puts(out, "\n\n");
        le_sbuf_add(out, doc->text[i], doc->len[i]);
    }
}

void le_rag_chunk_text(const le_rag_doc *doc, const le_rag_chunk *c, le_sbuf *out) {
    for (size_t s = c->seg; s <= c->seg_end && s < doc->n; s++) {
        size_t a = s == c->seg ? c->start : 0, b = s == c->seg_end ? c->end : doc->len[s];
        if (s > c->seg) le_sbuf_puts(out, "\n\n");
        le_sbuf_add(out, doc->text[s] + a, b - a);
    }
}

typedef struct chunker {
    const le_rag_gen *gen;
    size_t max, seg;
    le_rag_chunk cur; /* being filled when open */
    int open;
    size_t cur_tokens;
    le_rag_chunk *out;
    size_t n, cap;
} chunker;

static le_status flush(chunker *c, le_error *err) {
    if (c->open && le_array_push(c->out, c->n, c->cap, c->cur))
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    c->open = 0;
    c->cur_tokens = 0;
    return LE_OK;
}

/* Adds the piece [a, b) of segment c->seg with its tokens. */
static le_status add_piece(chunker *c, size_t a, size_t b, size_t tokens, le_error *err) {
    if (c->open && c->cur_tokens + tokens > c->max) {
        le_status s = flush(c, err);
        if (s) return s;
    }
    if (!c->open) c->cur = (le_rag_chunk){c->seg, a, c->seg, b}, c->open = 1;
    c->cur.seg_end = c->seg;
    c->cur.end = b;
    c->cur_tokens += tokens;
    return LE_OK;
}

static le_status count(chunker *c, const char *s, size_t n, size_t *tokens, le_error *err) {
    le_status st = c->gen->count_tokens(c->gen->ctx, s, n, tokens, err);
    return st ? le_error_wrap(err, st, "counting tokens") : LE_OK;
}

/* A line [a, b) of t longer than the budget, word by word. */
static le_status add_words(chunker *c, const char *t, size_t a, size_t b, le_error *err) {
    for (size_t i = a; i < b;) {
        size_t j = i;
        while (j < b && t[j] == ' ') j++;
        while (j < b && t[j] != ' ') j++;
        size_t tokens;
        le_status s = count(c, t + i, j - i, &tokens, err);
        if (!s) s = add_piece(c, i, j, tokens, err);
        if (s) return s;
        i = j;
    }
    return LE_OK;
}

/* Segment t[0..len) line by line, after what the open chunk holds. */
static le_status add_segment(chunker *c, const char *t, size_t len, le_error *err) {
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t j = nl ? (size_t)(nl - t) + 1 : len, tokens;
        le_status s = count(c, t + i, j - i, &tokens, err);
        if (!s && tokens > c->max) s = add_words(c, t, i, j, err);
        else if (!s) s = add_piece(c, i, j, tokens, err);
        if (s) return s;
        i = j;
    }
    return LE_OK;
}

le_status le_rag_chunks(const le_rag_gen *gen, const le_rag_doc *doc, size_t max_tokens,
                        le_rag_chunk **out, size_t *n_out, le_error *err) {
    chunker c = {.gen = gen, .max = max_tokens ? max_tokens : 1};
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < doc->n; i++) {
        c.seg = i;
        le_status s = add_segment(&c, doc->text[i], doc->len[i], err);
        if (!s && i + 1 == doc->n) s = flush(&c, err);
        if (s) {
            free(c.out);
            return s;
        }
    }
    *out = c.out;
    *n_out = c.n;
    return LE_OK;
}
