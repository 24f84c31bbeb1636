/* POST /tokenize (TEI): the tokens of each input, with their pieces. It
 * only reads the model (le_tokenize may run on any thread), so it is
 * answered on the connection's thread, not queued. */
#include "server/server_impl.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

/* The ids of text (with or without special tokens) into *ids (malloc'd). */
static le_status tokenize(le_model *m, const char *t, size_t len, int special, int32_t **ids,
                          size_t *n, le_error *err) {
    *ids = NULL;
    le_status st = le_tokenize(m, t, len, special, NULL, 0, n, err);
    if (st) return st;
    *ids = malloc((*n ? *n : 1) * sizeof **ids);
    if (!*ids) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    return le_tokenize(m, t, len, special, *ids, *n, n, err);
}

/* How many special tokens come before the text's own: where the plain
 * ids sit inside the ids with specials. */
static size_t specials_before(const int32_t *with, size_t n_with, const int32_t *plain,
                              size_t n_plain) {
    for (size_t b = 0; b + n_plain <= n_with; b++)
        if (!memcmp(with + b, plain, n_plain * sizeof *plain)) return b;
    return 0;
}

/* One input's tokens as a JSON array of {id, text, special, start, stop}. */
static le_status tokens_json(le_srv_conn *c, size_t idx, const char *t, size_t len, int special) {
    le_model *m = c->srv->cfg.model;
    int32_t *ids = NULL, *plain = NULL;
    size_t n = 0, n_plain = 0;
    le_error err;
    le_status st = tokenize(m, t, len, special, &ids, &n, &err);
    if (!st && special) st = tokenize(m, t, len, 0, &plain, &n_plain, &err);
    if (st) {
        free(ids);
        err.text_index = (long)idx;
        le_srv_fail f;
        le_srv_fail_from(&f, st, &err, "inputs");
        le_srv_reply_fail(c, &f);
        return st;
    }
    size_t before = special ? specials_before(ids, n, plain, n_plain) : 0;
    le_sbuf *b = &c->reply;
    le_sbuf_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        const char *piece = le_token_piece(m, ids[i]);
        int is_special = special && (i < before || i >= before + n_plain);
        le_sbuf_printf(b, "%s{\"id\":%d,\"text\":", i ? "," : "", (int)ids[i]);
        if (piece) le_sbuf_json_string(b, piece, strlen(piece));
        else le_sbuf_puts(b, "null");
        le_sbuf_printf(b, ",\"special\":%s,\"start\":null,\"stop\":null}",
                          is_special ? "true" : "false");
    }
    le_sbuf_puts(b, "]");
    free(ids);
    free(plain);
    return LE_OK;
}

void le_srv_h_tokenize(le_srv_conn *c) {
    le_srv_embed_req r;
    le_srv_fail f;
    if (le_srv_parse_tei(c->body ? c->body : "", c->len, &r, &f)) {
        le_srv_embed_req_free(&r);
        le_srv_reply_fail(c, &f);
        return;
    }
    le_sbuf_puts(&c->reply, "[");
    for (size_t i = 0; i < r.n; i++) {
        if (i) le_sbuf_puts(&c->reply, ",");
        if (tokens_json(c, i, r.texts[i], r.lens[i], r.add_special)) {
            /* the reply holds the error; name the input */
            le_srv_embed_req_free(&r);
            return;
        }
    }
    le_sbuf_puts(&c->reply, "]");
    le_srv_embed_req_free(&r);
    le_srv_reply(c, 200, "application/json");
}
