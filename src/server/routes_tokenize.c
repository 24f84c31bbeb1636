/* POST /tokenize (TEI): the tokens of each input, with their bytes. It
 * only reads the model (le_tokenize may run on any thread), so it is
 * answered on the connection's thread, not queued. */
#include "server/server_impl.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

/* The tokens of text with their byte spans (le_tokenize_offsets) into
 * *ids, *starts, *ends (malloc'd). */
static le_status tokenize(le_model *m, const char *t, size_t len, int special, int32_t **ids,
                          size_t **starts, size_t **ends, size_t *n, le_error *err) {
    *starts = *ends = NULL;
    *ids = NULL;
    le_status st = le_tokenize_offsets(m, t, len, special, NULL, NULL, NULL, 0, n, err);
    if (st) return st;
    *ids = malloc((*n ? *n : 1) * sizeof **ids);
    *starts = malloc((*n ? *n : 1) * sizeof **starts);
    *ends = malloc((*n ? *n : 1) * sizeof **ends);
    if (!*ids || !*starts || !*ends) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    return le_tokenize_offsets(m, t, len, special, *ids, *starts, *ends, *n, n, err);
}

/* One input's tokens as TEI gives them: [{id, text, special, start, stop}],
 * text the input's bytes [start, stop) (start and stop byte offsets), a
 * special token's text its vocabulary piece and its offsets null. */
static le_status tokens_json(le_srv_conn *c, size_t idx, const char *t, size_t len, int special) {
    le_model *m = c->srv->cfg.model;
    int32_t *ids = NULL;
    size_t *starts = NULL, *ends = NULL, n = 0;
    le_error err;
    le_status st = tokenize(m, t, len, special, &ids, &starts, &ends, &n, &err);
    le_sbuf *b = &c->reply;
    if (!st) le_sbuf_puts(b, "[");
    for (size_t i = 0; !st && i < n; i++) {
        le_sbuf_printf(b, "%s{\"id\":%d,\"text\":", i ? "," : "", (int)ids[i]);
        if (starts[i] != LE_NO_OFFSET) {
            le_sbuf_json_string(b, t + starts[i], ends[i] - starts[i]);
            le_sbuf_printf(b, ",\"special\":false,\"start\":%zu,\"stop\":%zu}", starts[i],
                           ends[i]);
            continue;
        }
        const char *piece = le_token_piece(m, ids[i]);
        if (piece) le_sbuf_json_string(b, piece, strlen(piece));
        else le_sbuf_puts(b, "null");
        le_sbuf_puts(b, ",\"special\":true,\"start\":null,\"stop\":null}");
    }
    if (!st) le_sbuf_puts(b, "]");
    free(ids);
    free(starts);
    free(ends);
    if (st) {
        err.text_index = (long)idx;
        le_srv_fail f;
        le_srv_fail_from(&f, st, &err, "inputs");
        le_srv_reply_fail(c, &f);
    }
    return st;
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
