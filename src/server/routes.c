/* The route table, replies and errors, and the routes that describe the
 * server: /health, /v1/models, /info, /metrics. */
#include "server/server_impl.h"

#include <string.h>

const le_srv_route le_srv_routes[] = {
    {"/health", "GET", le_srv_h_health, LE_SRV_OPENAI, 1},
    {"/v1/models", "GET", le_srv_h_models, LE_SRV_OPENAI, 0},
    {"/v1/models/{id}", "GET", le_srv_h_model, LE_SRV_OPENAI, 0},
    {"/info", "GET", le_srv_h_info, LE_SRV_OPENAI, 0},
    {"/metrics", "GET", le_srv_h_metrics, LE_SRV_OPENAI, 0},
    {"/v1/embeddings", "POST", le_srv_h_embeddings, LE_SRV_OPENAI, 0},
    {"/embed", "POST", le_srv_h_embed, LE_SRV_TEI, 0},
    {"/embed_sparse", "POST", le_srv_h_embed_sparse, LE_SRV_TEI, 0},
    {"/tokenize", "POST", le_srv_h_tokenize, LE_SRV_TEI, 0},
    {"/search", "POST", le_srv_h_search, LE_SRV_OPENAI, 0},
    {"/index/add", "POST", le_srv_h_index_add, LE_SRV_OPENAI, 0},
    {"/index/delete", "POST", le_srv_h_index_delete, LE_SRV_OPENAI, 0},
    {"/index/reload", "POST", le_srv_h_index_reload, LE_SRV_OPENAI, 0},
    {"/v1/completions", "POST", le_srv_h_completions, LE_SRV_OPENAI, 0},
    {"/v1/chat/completions", "POST", le_srv_h_chat, LE_SRV_OPENAI, 0},
    {"/ask", "POST", le_srv_h_ask, LE_SRV_OPENAI, 0},
};
const size_t le_srv_n_routes = sizeof le_srv_routes / sizeof *le_srv_routes;


void le_srv_reply(le_srv_conn *c, int status, const char *content_type) {
    c->status = status;
    c->content_type = content_type;
    c->ready = 1;
}

/* TEI's error_type for a status. */
static const char *tei_type(int http) {
    switch (http) {
    case 413: return "Validation";
    case 422: return "Validation";
    case 424: return "Backend";
    case 429: return "Overloaded";
    case 400: return "Validation";
    default: return http >= 500 ? "Backend" : "Validation";
    }
}

void le_srv_reply_fail(le_srv_conn *c, const le_srv_fail *f) {
    le_sbuf_free(&c->reply);
    le_sbuf *b = &c->reply;
    if (c->route && c->route->shape == LE_SRV_TEI) {
        le_sbuf_puts(b, "{\"error\":");
        le_sbuf_json_string(b, f->message, strlen(f->message));
        le_sbuf_printf(b, ",\"error_type\":\"%s\"}", tei_type(f->http));
    } else {
        le_sbuf_puts(b, "{\"error\":{\"message\":");
        le_sbuf_json_string(b, f->message, strlen(f->message));
        le_sbuf_printf(b, ",\"type\":\"%s\",\"param\":", f->type);
        if (f->param[0]) le_sbuf_json_string(b, f->param, strlen(f->param));
        else le_sbuf_puts(b, "null");
        le_sbuf_puts(b, ",\"code\":null}}");
    }
    le_srv_reply(c, f->http, "application/json");
}

void le_srv_fail_from(le_srv_fail *f, le_status st, const le_error *err, const char *param) {
    int http = st == LE_ERR_TOO_LONG                      ? 413
               : st == LE_ERR_ARG || st == LE_ERR_UTF8    ? 400
               : st == LE_ERR_NOMEM                       ? 503
               : st == LE_ERR_UNSUPPORTED                 ? 400
                                                          : 500;
    const char *msg = err->message;
    if (err->text_index >= 0) {
        /* "text 0: why" is about the job's own input text_index */
        const char *colon = strncmp(msg, "text ", 5) ? NULL : strstr(msg, ": ");
        if (colon) msg = colon + 2;
        le_srv_failf(f, http, param, "%s[%ld]: %s", param, err->text_index, msg);
    } else {
        le_srv_failf(f, http, st == LE_ERR_ARG ? param : "", "%s", msg);
    }
}

int le_srv_adopt(le_srv_conn *c, void *state, void (*cleanup)(le_srv_conn *c)) {
    if (!state) {
        le_srv_fail f;
        le_srv_failf(&f, 503, "", "out of memory");
        le_srv_reply_fail(c, &f);
        return 0;
    }
    c->state = state;
    c->cleanup = cleanup;
    return 1;
}

le_srv_index *le_srv_find_index(le_srv_conn *c, const char *name) {
    le_srv *s = c->srv;
    le_srv_fail f;
    if (!s->n_indexes) {
        le_srv_failf(&f, 404, "index", "the server has no index (start it with --index FILE)");
    } else if (!name && s->n_indexes > 1) {
        le_srv_failf(&f, 400, "index", "the server has %zu indexes: name one with 'index'",
                     s->n_indexes);
    } else {
        for (size_t i = 0; i < s->n_indexes; i++)
            if (!name || !strcmp(s->indexes[i].name, name)) return &s->indexes[i];
        le_srv_failf(&f, 404, "index", "no index named \"%s\" (GET /info lists them)", name);
    }
    le_srv_reply_fail(c, &f);
    return NULL;
}

void le_srv_h_health(le_srv_conn *c) {
    le_sbuf_puts(&c->reply, "{\"status\":\"ok\"}");
    le_srv_reply(c, 200, "application/json");
}

/* OpenAI's model object of a served model. */
static void model_json(le_sbuf *b, const char *name) {
    le_sbuf_puts(b, "{\"id\":");
    le_sbuf_json_string(b, name, strlen(name));
    le_sbuf_puts(b, ",\"object\":\"model\",\"created\":0,\"owned_by\":\"longembed\"}");
}

/* The embedding model, then the decoder when there is one. */
void le_srv_h_models(le_srv_conn *c) {
    le_sbuf_puts(&c->reply, "{\"object\":\"list\",\"data\":[");
    model_json(&c->reply, c->srv->mi.name);
    if (c->srv->cfg.llm) {
        le_sbuf_puts(&c->reply, ",");
        model_json(&c->reply, c->srv->li.name);
    }
    le_sbuf_puts(&c->reply, "]}");
    le_srv_reply(c, 200, "application/json");
}

void le_srv_h_model(le_srv_conn *c) {
    const char *names[2] = {c->srv->mi.name, c->srv->cfg.llm ? c->srv->li.name : NULL};
    for (int i = 0; i < 2 && c->url_arg; i++)
        if (names[i] && !strcmp(c->url_arg, names[i])) {
            model_json(&c->reply, names[i]);
            le_srv_reply(c, 200, "application/json");
            return;
        }
    le_srv_fail f;
    le_srv_failf(&f, 404, "model", "the model '%.200s' does not exist: this server serves %s%s%s",
                 c->url_arg ? c->url_arg : "", c->srv->mi.name, names[1] ? " and " : "",
                 names[1] ? names[1] : "");
    le_srv_reply_fail(c, &f);
}

void le_srv_h_metrics(le_srv_conn *c) {
    pthread_mutex_lock(&c->srv->mu);
    size_t in_flight = c->srv->in_flight;
    pthread_mutex_unlock(&c->srv->mu);
    le_srv_metrics_render(c->srv->metrics, in_flight, &c->reply);
    if (c->srv->llm_worker)
        le_sbuf_printf(&c->reply, "# HELP longembed_llm_queue_depth Requests waiting for the "
                       "decoder.\n# TYPE longembed_llm_queue_depth gauge\n"
                       "longembed_llm_queue_depth %zu\n",
                       le_srv_batcher_depth(c->srv->llm_worker));
    le_srv_reply(c, 200, "text/plain; version=0.0.4");
}
