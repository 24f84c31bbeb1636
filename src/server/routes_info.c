/* GET /info: the model, the defaults of requests, the limits, the indexes. */
#include "server/server_impl.h"

#include <string.h>

/* "key":"value", with a JSON-escaped value (NULL as null). */
static void field(le_sbuf *b, const char *key, const char *value) {
    le_sbuf_printf(b, "\"%s\":", key);
    if (value) le_sbuf_json_string(b, value, strlen(value));
    else le_sbuf_puts(b, "null");
}

static void info_model(le_srv *s, le_sbuf *b) {
    const le_model_info *mi = &s->mi;
    le_sbuf_puts(b, "\"model\":{");
    field(b, "name", mi->name);
    le_sbuf_puts(b, ",");
    field(b, "architecture", mi->architecture);
    le_sbuf_printf(b, ",\"dim\":%d,\"window\":%d,\"max_seq_length\":%d,", s->dim, mi->window,
                      mi->st_max_seq_length);
    field(b, "pooling", mi->pooling);
    le_sbuf_printf(b, ",\"normalize\":%s,", mi->normalize ? "true" : "false");
    field(b, "methods", mi->methods);
    le_sbuf_puts(b, ",");
    field(b, "positions", mi->positions);
    le_sbuf_puts(b, ",");
    field(b, "precision", mi->precision);
    le_sbuf_puts(b, ",");
    field(b, "isa", mi->isa);
    le_sbuf_printf(b, ",\"threads\":%d,\"matryoshka\":%s,\"sparse\":%s}", mi->threads,
                      s->cfg.matryoshka ? "true" : "false", s->has_m3 ? "true" : "false");
}

/* "llm": the decoder (null when the server has none). */
static void info_llm(le_srv *s, le_sbuf *b) {
    const le_llm_info *li = &s->li;
    le_sbuf_puts(b, ",\"llm\":");
    if (!s->cfg.llm) {
        le_sbuf_puts(b, "null");
        return;
    }
    le_sbuf_puts(b, "{");
    field(b, "name", li->name);
    le_sbuf_puts(b, ",");
    field(b, "architecture", li->architecture);
    le_sbuf_printf(b, ",\"context\":%d,\"max_tokens\":%d,\"layers\":%d,\"vocab\":%d,",
                   li->context, li->max_tokens, li->layers, li->vocab);
    field(b, "weights", li->weights);
    le_sbuf_puts(b, ",");
    field(b, "precision", li->precision);
    le_sbuf_puts(b, ",");
    field(b, "extend", li->extend);
    le_sbuf_printf(b, ",\"max_queue\":%d,\"default_max_tokens\":%d}", s->cfg.llm_max_queue,
                   s->cfg.llm_max_new_tokens);
}

static void info_defaults(le_srv *s, le_sbuf *b) {
    const le_embed_options *eo = &s->cfg.eo;
    le_sbuf_puts(b, ",\"defaults\":{");
    field(b, "extend", le_extend_name(eo->extend));
    le_sbuf_printf(b, ",\"max_tokens\":%d,\"truncate\":%s,", eo->max_tokens,
                      eo->truncate ? "true" : "false");
    field(b, "prefix", eo->prefix ? eo->prefix : "");
    le_sbuf_printf(b, "},\"limits\":{\"max_request_bytes\":%zu,\"max_queue\":%d,"
                         "\"max_batch_tokens\":%d,\"max_tokens_per_text\":%d,\"max_inputs\":2048,"
                         "\"timeout_seconds\":%d}",
                      s->cfg.max_request_bytes, s->cfg.max_queue, s->cfg.max_batch_tokens,
                      s->cfg.max_tokens_per_text, s->cfg.timeout_seconds);
}

static void info_indexes(le_srv *s, le_sbuf *b) {
    le_sbuf_puts(b, ",\"indexes\":[");
    for (size_t i = 0; i < s->n_indexes; i++) {
        le_srv_index *x = &s->indexes[i];
        le_index_info info;
        le_srv_index_get_info(x, &info, NULL);
        le_sbuf_puts(b, i ? ",{" : "{");
        field(b, "name", x->name);
        le_sbuf_puts(b, ",");
        field(b, "path", x->path);
        le_sbuf_printf(b, ",\"docs\":%zu,\"generation\":%llu,\"dim\":%d,\"passages\":%s,"
                             "\"dense_search\":%s,\"sparse\":%s,\"colbert\":%s}",
                          info.docs, (unsigned long long)info.generation, info.model.dim,
                          info.model.passage_tokens ? "true" : "false",
                          x->model_ok ? "true" : "false", info.model.sparse_vocab ? "true" : "false",
                          info.model.multi_dim ? "true" : "false");
    }
    le_sbuf_puts(b, "],\"routes\":[");
    for (size_t i = 0; i < le_srv_n_routes; i++)
        le_sbuf_printf(b, "%s\"%s %s\"", i ? "," : "", le_srv_routes[i].method,
                          le_srv_routes[i].path);
    le_sbuf_puts(b, "]");
}

void le_srv_h_info(le_srv_conn *c) {
    le_sbuf *b = &c->reply;
    le_sbuf_printf(b, "{\"version\":\"%s\",", le_version());
    info_model(c->srv, b);
    info_llm(c->srv, b);
    info_defaults(c->srv, b);
    info_indexes(c->srv, b);
    le_sbuf_puts(b, "}");
    le_srv_reply(c, 200, "application/json");
}
