/* Encoding: added tokens are cut out of the raw text; each remaining piece
 * is normalized, cut again at normalized added tokens, pre-tokenized into
 * words, and each word goes through the model. The pieces stream through
 * callbacks, so no per-word list is built. */
#include "base/array.h"
#include "text/bpe.h"
#include "text/tokenizer_internal.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

void le_ids_free(le_ids *v) {
    if (!v) return;
    free(v->ids);
    v->ids = NULL;
    v->n = v->cap = 0;
}

le_status le_ids_push(le_ids *v, int32_t id) { return le_array_push(v->ids, v->n, v->cap, id); }

typedef struct encode_ctx {
    const le_tokenizer *t;
    le_ids *out;
    le_norm_scratch scratch;
    const char *text;        /* the whole input */
    const char *norm_origin; /* where offset 0 of the text is in the normalized piece, or NULL */
} encode_ctx;

static le_status encode_word(void *c, const char *s, size_t n) {
    encode_ctx *ctx = c;
    return ctx->t->model.tokenize(ctx->t->model.impl, s, n, ctx->out);
}

static le_status encode_normalized_piece(void *c, const char *s, size_t n, int32_t id) {
    encode_ctx *ctx = c;
    if (id >= 0) return le_ids_push(ctx->out, id);
    return le_pretokenizer_run(&ctx->t->pretokenizer, s, n, s == ctx->norm_origin, encode_word,
                               ctx);
}

static le_status encode_raw_piece(void *c, const char *s, size_t n, int32_t id) {
    encode_ctx *ctx = c;
    const le_tokenizer *t = ctx->t;
    if (id >= 0) return le_ids_push(ctx->out, id);
    const char *ns;
    size_t nn;
    le_status st = le_normalizer_run(&t->normalizer, s, n, &ctx->scratch, &ns, &nn);
    if (st) return st;
    ctx->norm_origin = s == ctx->text ? ns : NULL;
    return le_added_split(&t->normalized_matcher, t->added, ns, nn, encode_normalized_piece, ctx);
}

le_status le_tokenizer_encode(const le_tokenizer *t, const char *text, size_t len, le_ids *out,
                              le_error *err) {
    if (!t || !out || (!text && len))
        return le_fail(err, LE_ERR_ARG, "tokenizer: encode needs a tokenizer, text and output");
    size_t bad = le_utf8_check(text, len);
    if (bad != len)
        return le_fail(err, LE_ERR_UTF8, "text is not valid UTF-8 at byte %zu (0x%02X)", bad,
                       (unsigned char)text[bad]);
    if (len == 0) return LE_OK;
    size_t mark = out->n;
    encode_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.t = t;
    ctx.out = out;
    ctx.text = text;
    le_status st = le_added_split(&t->raw_matcher, t->added, text, len, encode_raw_piece, &ctx);
    le_norm_scratch_free(&ctx.scratch);
    if (st) {
        out->n = mark;
        return le_fail(err, st, "tokenizer: %s while encoding a text of %zu bytes",
                       st == LE_ERR_NOMEM ? "out of memory" : "internal error", len);
    }
    return LE_OK;
}

void le_tokenizer_template(const le_tokenizer *t, const int32_t **before, size_t *n_before,
                           const int32_t **after, size_t *n_after) {
    if (before) *before = t->before.ids;
    if (n_before) *n_before = t->before.n;
    if (after) *after = t->after.ids;
    if (n_after) *n_after = t->after.n;
}

int le_tokenizer_vocab_size(const le_tokenizer *t) { return (int)t->n_pieces; }

const char *le_tokenizer_piece(const le_tokenizer *t, int32_t id) {
    if (id < 0 || (size_t)id >= t->n_pieces) return NULL;
    return t->pieces[id];
}

int32_t le_tokenizer_find(const le_tokenizer *t, const char *piece) {
    if (!piece) return -1;
    size_t n = strlen(piece);
    int32_t id = le_vocab_find(&t->added_vocab, piece, n);
    return id >= 0 ? id : le_vocab_find(&t->vocab, piece, n);
}

int le_tokenizer_decode_id(const le_tokenizer *t, int32_t id, char *buf, size_t cap) {
    const char *p = le_tokenizer_piece(t, id);
    if (!p) return -1;
    size_t n = strlen(p);
    if (t->pretokenizer.byte_level && le_vocab_find(&t->added_vocab, p, n) != id)
        n = le_bpe_unspell(p, n, buf, cap);
    else if (cap)
        memcpy(buf, p, n < cap ? n : cap);
    return n > INT32_MAX ? -1 : (int)n;
}

const char *le_tokenizer_kind(const le_tokenizer *t) { return t->model.kind; }

int le_tokenizer_lowercases(const le_tokenizer *t) {
    return le_normalizer_lowercases(&t->normalizer);
}

void le_tokenizer_free(le_tokenizer *t) {
    if (!t) return;
    if (t->model.destroy) t->model.destroy(t->model.impl);
    le_vocab_free(&t->vocab);
    le_normalizer_free(&t->normalizer);
    le_pretokenizer_free(&t->pretokenizer);
    for (size_t i = 0; i < t->n_added; i++) free(t->added[i].content);
    free(t->added);
    le_vocab_free(&t->added_vocab);
    le_added_matcher_free(&t->raw_matcher);
    le_added_matcher_free(&t->normalized_matcher);
    le_ids_free(&t->before);
    le_ids_free(&t->after);
    free(t->pieces);
    free(t);
}
