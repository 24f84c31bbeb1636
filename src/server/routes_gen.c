/* POST /v1/completions (the raw prompt continued, as `longembed generate`)
 * and POST /v1/chat/completions (the messages through the model's chat
 * template, as `longembed chat`), in OpenAI's shapes, whole or streamed as
 * server-sent events (gen.h has the life of a request). */
#include "server/gen.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"id", "object", "created", "model", "choices":[{"index":0, — the start
 * of every reply and chunk. */
static void head(le_sbuf *b, const le_srv_gen *g, int chunk) {
    const char *name = g->srv->li.name;
    le_sbuf_printf(b, "{\"id\":\"%s-%s\",\"object\":\"%s\",\"created\":%lld,\"model\":",
                   g->chat ? "chatcmpl" : "cmpl", g->id,
                   !g->chat ? "text_completion" : chunk ? "chat.completion.chunk" : "chat.completion",
                   g->created);
    le_sbuf_json_string(b, name, strlen(name));
    le_sbuf_puts(b, ",\"choices\":[{\"index\":0,");
}

static const char *finish_reason(const le_llm_result *r) {
    return r->stop == LE_LLM_STOP_LENGTH ? "length" : "stop";
}

/* ,"logprobs":null,"finish_reason":…}],"usage":{…}} — the end of a reply
 * or of the last chunk. */
static void tail(le_sbuf *b, const le_srv_gen *g) {
    const le_llm_result *r = &g->res;
    le_sbuf_printf(b, "\"logprobs\":null,\"finish_reason\":\"%s\"}],\"usage\":{\"prompt_tokens\":%d,"
                      "\"completion_tokens\":%d,\"total_tokens\":%d}}",
                   finish_reason(r), r->prompt_tokens, r->new_tokens,
                   r->prompt_tokens + r->new_tokens);
}

/* One event of the stream: a piece of text (final 0) or the end (final 1). */
static void event(le_sbuf *b, const le_srv_gen *g, const char *text, size_t n, int final) {
    le_sbuf_puts(b, "data: ");
    head(b, g, 1);
    le_sbuf_puts(b, g->chat ? "\"delta\":{" : "\"text\":");
    if (g->chat && !g->head_sent) le_sbuf_puts(b, "\"role\":\"assistant\",\"content\":");
    else if (g->chat && !final) le_sbuf_puts(b, "\"content\":");
    if (!g->chat || !g->head_sent || !final) le_srv_buf_json_text(b, text, n);
    le_sbuf_puts(b, g->chat ? "}," : ",");
    if (final) tail(b, g);
    else le_sbuf_puts(b, "\"logprobs\":null,\"finish_reason\":null}]}");
    le_sbuf_puts(b, "\n\n");
}

/* Sends b's events; 1 when nobody listens any more. */
static int send_events(le_srv_gen *g, le_sbuf *b) {
    int gone = b->failed ? 1 : le_srv_gen_push(g, b->p, b->n);
    le_sbuf_free(b);
    return gone;
}

/* on_text of the generation: a chunk of a stream (after the chat's role
 * chunk); without a stream only whether the client is still there. */
static int on_text(const char *text, size_t len, void *user) {
    le_srv_gen *g = user;
    g->n_text += len; /* the reply's text may hold a NUL byte token */
    if (!g->req.stream) return le_srv_gen_gone(g);
    le_sbuf b = {0};
    if (g->chat && !g->head_sent) {
        event(&b, g, "", 0, 0);
        g->head_sent = 1;
    }
    event(&b, g, text, len, 0);
    return send_events(g, &b);
}

/* The end of a stream: the final chunk and [DONE]; or, after a failure
 * once the stream had begun, an error event. */
static void end_stream(le_srv_gen *g) {
    le_sbuf b = {0};
    if (g->job.status) {
        le_srv_fail f;
        le_srv_fail_from(&f, g->job.status, &g->job.err, "");
        le_sbuf_puts(&b, "data: {\"error\":{\"message\":");
        le_sbuf_json_string(&b, f.message, strlen(f.message));
        le_sbuf_printf(&b, ",\"type\":\"%s\",\"param\":null,\"code\":null}}\n\n", f.type);
    } else {
        if (g->chat && !g->head_sent) event(&b, g, "", 0, 0);
        g->head_sent = 1;
        event(&b, g, "", 0, 1);
    }
    le_sbuf_puts(&b, "data: [DONE]\n\n");
    send_events(g, &b);
}

/* The sampling of the request over le_llm's defaults. */
static void gen_options(const le_srv_gen *g, le_llm_gen_options *go) {
    const le_srv_gen_req *r = &g->req;
    le_llm_gen_options_init(go);
    go->max_new_tokens = r->max_tokens ? r->max_tokens : g->srv->cfg.llm_max_new_tokens;
    if (r->has_temperature) go->temperature = (float)r->temperature;
    if (r->has_top_p) go->top_p = (float)r->top_p;
    if (r->has_min_p) go->min_p = (float)r->min_p;
    if (r->has_top_k) go->top_k = r->top_k;
    if (r->has_seed) go->seed = r->seed;
    go->stop = r->stop;
    go->n_stop = r->n_stop;
    go->ignore_eos = r->ignore_eos;
    go->on_text = on_text;
    go->user = (void *)g;
}

/* The generation, on the decoder's worker. */
static void gen_task(le_srv_job *j, le_model *m) {
    (void)m;
    le_srv_gen *g = j->user;
    if (le_srv_gen_gone(g)) {
        j->status = le_fail(&j->err, LE_ERR_IO, atomic_load(&g->srv->stopping)
                                                    ? "the server is shutting down"
                                                    : "the client went away");
        return;
    }
    le_llm_gen_options go;
    gen_options(g, &go);
    le_llm *llm = g->srv->cfg.llm;
    j->status = g->chat ? le_llm_chat(llm, g->req.messages, g->req.n_messages, &go, &g->text,
                                      &g->res, &j->err)
                        : le_llm_generate(llm, g->req.prompt, &go, &g->text, &g->res, &j->err);
    if (!j->status)
        le_srv_metrics_generation(g->srv->metrics, (size_t)g->res.prompt_tokens,
                                  (size_t)g->res.cached_tokens, (size_t)g->res.new_tokens);
    pthread_mutex_lock(&g->mu);
    int started = g->started;
    pthread_mutex_unlock(&g->mu);
    if (g->req.stream && (!j->status || started)) end_stream(g);
}

/* A failure of the decoder as a reply: a prompt over the context is the
 * request's fault (400). */
static void gen_fail(le_srv_conn *c, le_srv_gen *g) {
    le_srv_fail f;
    le_srv_fail_from(&f, g->job.status, &g->job.err, g->chat ? "messages" : "prompt");
    if (g->job.status == LE_ERR_TOO_LONG) {
        f.http = 400;
        snprintf(f.param, sizeof f.param, "%s", g->chat ? "messages" : "prompt");
    }
    if (atomic_load(&c->srv->stopping)) f.http = 503;
    le_srv_reply_fail(c, &f);
}

/* The job is done, or its stream began: the reply. */
static void resume_gen(le_srv_conn *c) {
    le_srv_gen *g = c->state;
    pthread_mutex_lock(&g->mu);
    int started = g->started;
    pthread_mutex_unlock(&g->mu);
    if (started) {
        le_srv_gen_stream_reply(c, g);
        return;
    }
    if (g->job.status) {
        gen_fail(c, g);
        return;
    }
    le_sbuf *b = &c->reply;
    const char *text = g->text ? g->text : "";
    head(b, g, 0);
    if (g->chat) le_sbuf_puts(b, "\"message\":{\"role\":\"assistant\",\"content\":");
    else le_sbuf_puts(b, "\"text\":");
    le_srv_buf_json_text(b, text, g->text ? g->n_text : 0);
    le_sbuf_puts(b, g->chat ? "}," : ",");
    tail(b, g);
    le_srv_reply(c, 200, "application/json");
}

static void gen_cleanup(le_srv_conn *c) {
    le_srv_gen *g = c->state;
    pthread_mutex_lock(&g->mu);
    g->closed = 1;
    g->mc = NULL;
    pthread_mutex_unlock(&g->mu);
    le_srv_gen_release(g);
    c->state = NULL;
}

/* Whether the server has a decoder; else replies 404. */
int le_srv_need_llm(le_srv_conn *c) {
    if (c->srv->cfg.llm) return 1;
    le_srv_fail f;
    le_srv_failf(&f, 404, "model", "this server has no decoder model: start it with "
                 "--llm MODEL (a GGUF file or an alias such as smollm2)");
    le_srv_reply_fail(c, &f);
    return 0;
}

static void start_gen(le_srv_conn *c, int chat) {
    le_srv_fail f;
    if (!le_srv_need_llm(c)) return;
    le_srv_gen *g = le_srv_gen_new(c);
    if (!le_srv_adopt(c, g, gen_cleanup)) return;
    g->chat = chat;
    const char *body = c->body ? c->body : "";
    if (chat ? le_srv_parse_chat(body, c->len, &g->req, &f)
             : le_srv_parse_completion(body, c->len, &g->req, &f)) {
        le_srv_reply_fail(c, &f);
        return;
    }
    int ctx = c->srv->li.max_tokens;
    if (g->req.max_tokens > ctx) {
        le_srv_failf(&f, 400, "max_tokens", "'max_tokens' is %d, more than the decoder's context "
                     "of %d tokens (prompt and completion together)", g->req.max_tokens, ctx);
        le_srv_reply_fail(c, &f);
        return;
    }
    le_srv_gen_submit(c, g, gen_task, resume_gen);
}

void le_srv_h_completions(le_srv_conn *c) { start_gen(c, 0); }

void le_srv_h_chat(le_srv_conn *c) { start_gen(c, 1); }
