/* POST /ask: a question about the documents of a served index, answered by
 * the decoder by RAG, MemoRAG, LC-Boost or the full document (le_ask, as
 * `longembed ask`). It runs on the decoder's worker, one request at a time
 * with the generations. The query embeddings of its retrieval need the
 * embedding model, whose handle belongs to the batch worker; so the
 * decoder's worker opens its own handle of the same model on the first
 * /ask that needs one (le_model: one call at a time per handle). The
 * decoder is the server's own (le_ask_options.llm), greedy. */
#include "server/server_impl.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct ask_state {
    le_srv_ask_req req;
    le_srv_index *x;
    le_ask_mode mode;
    le_sbuf out; /* the reply, built on the worker while the index reader is held */
    int search_given; /* the retrieval: the request's, or BM25 for an index of another model */
    le_search_mode search_mode;
} ask_state;

static void ask_cleanup(le_srv_conn *c) {
    ask_state *st = c->state;
    le_srv_ask_req_free(&st->req);
    le_sbuf_free(&st->out);
    free(st);
    c->state = NULL;
}

/* The passages and stages of r as JSON into b. */
static void ask_json(le_sbuf *b, const le_ask_result *r, le_ask_mode mode) {
    const char *answer = le_ask_answer(r);
    le_sbuf_printf(b, "{\"mode\":\"%s\",\"answer\":", le_ask_mode_name(mode));
    le_srv_buf_json_text(b, answer, strlen(answer));
    le_sbuf_puts(b, ",\"passages\":[");
    for (size_t i = 0; i < le_ask_passage_count(r); i++) {
        le_ask_passage p;
        if (le_ask_get_passage(r, i, &p, NULL)) continue;
        le_sbuf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        le_sbuf_json_string(b, p.id, strlen(p.id));
        le_sbuf_printf(b, ",\"byte_start\":%zu,\"byte_end\":%zu,\"text\":", p.byte_start,
                       p.byte_end);
        le_srv_buf_json_text(b, p.text, p.byte_end - p.byte_start);
        le_sbuf_printf(b, ",\"cited\":%s}", p.cited ? "true" : "false");
    }
    le_sbuf_puts(b, "],\"stages\":[");
    for (size_t i = 0; i < le_ask_stage_count(r); i++) {
        le_ask_stage s;
        if (le_ask_get_stage(r, i, &s, NULL)) continue;
        le_sbuf_printf(b, "%s{\"name\":", i ? "," : "");
        le_sbuf_json_string(b, s.name, strlen(s.name));
        le_sbuf_printf(b, ",\"calls\":%d,\"seconds\":%.6f,\"tokens_read\":%zu,"
                          "\"tokens_generated\":%zu}",
                       s.calls, s.seconds, s.tokens_read, s.tokens_generated);
    }
    le_sbuf_puts(b, "]}");
}

/* The decoder worker's own handle of the embedding model (opened once). */
static le_status ask_model(le_srv *s, le_model **m, le_error *err) {
    if (!s->ask_model) {
        le_status st = le_model_open(s->cfg.model_spec, s->cfg.model_options, &s->ask_model, err);
        if (st) return st;
    }
    *m = s->ask_model;
    return LE_OK;
}

/* le_ask's options of the request. */
static void ask_options(le_srv_conn *c, ask_state *st, le_ask_options *o) {
    le_ask_options_init(o);
    o->mode = st->mode;
    o->llm = c->srv->cfg.llm; /* kept open: its KV cache is reused across requests */
    o->memory_dir = c->srv->cfg.ask_memory_dir;
    o->id_prefix = st->req.id_prefix;
    o->k = st->req.k;
    o->max_new_tokens = (size_t)st->req.max_new_tokens;
    o->search_given = st->search_given;
    o->search_mode = st->search_mode;
}

/* The run, on the decoder's worker. */
static void ask_task(le_srv_job *j, le_model *unused) {
    le_srv_conn *c = j->user;
    ask_state *st = c->state;
    if (c->job.gone(j)) {
        j->status = le_fail(&j->err, LE_ERR_IO, "the client went away");
        return;
    }
    le_index *ix = NULL;
    uint64_t gen;
    le_model *m = NULL;
    le_index_info info;
    le_srv_index_get_info(st->x, &info, NULL);
    if (info.model.dim && !(st->search_given && st->search_mode == LE_SEARCH_BM25))
        j->status = ask_model(c->srv, &m, &j->err);
    if (!j->status) j->status = le_srv_index_acquire(st->x, &ix, &gen, &j->err);
    if (j->status) return;
    le_ask_options o;
    ask_options(c, st, &o);
    le_ask_result *r = NULL;
    j->status = le_ask(ix, m, st->req.question, &o, &r, &j->err);
    if (!j->status) ask_json(&st->out, r, st->mode);
    le_ask_result_free(r);
    le_srv_index_release(st->x, ix, gen);
}

static void resume_ask(le_srv_conn *c) {
    ask_state *st = c->state;
    le_srv_fail f;
    if (c->job.status) {
        le_srv_fail_from(&f, c->job.status, &c->job.err, "");
        if (c->job.status == LE_ERR_TOO_LONG) f.http = 400;
        le_srv_reply_fail(c, &f);
        return;
    }
    c->reply = st->out;
    memset(&st->out, 0, sizeof st->out);
    le_srv_reply(c, 200, "application/json");
}

/* The retrieval of the request: its 'search', and BM25 on an index whose
 * vectors are not the server's model's; -1 after replying 400. */
static int ask_search(le_srv_conn *c, ask_state *st) {
    le_srv_fail f;
    le_error err;
    if (st->req.search) {
        if (le_search_mode_parse(st->req.search, &st->search_mode, &err)) {
            le_srv_reply_fail(c, (le_srv_failf(&f, 400, "search", "%s", err.message), &f));
            return -1;
        }
        st->search_given = 1;
    }
    if (!st->x->model_ok) {
        if (st->search_given && st->search_mode != LE_SEARCH_BM25) {
            le_srv_reply_fail(c, (le_srv_failf(&f, 400, "search", "%s", st->x->model_msg), &f));
            return -1;
        }
        st->search_given = 1;
        st->search_mode = LE_SEARCH_BM25;
    }
    return 0;
}

void le_srv_h_ask(le_srv_conn *c) {
    le_srv_fail f;
    if (!le_srv_need_llm(c)) return;
    ask_state *st = calloc(1, sizeof *st);
    if (!le_srv_adopt(c, st, ask_cleanup)) return;
    le_error err;
    if (le_srv_parse_ask(c->body ? c->body : "", c->len, &st->req, &f) ||
        (st->req.mode && le_ask_mode_parse(st->req.mode, &st->mode, &err) &&
         le_srv_failf(&f, 400, "mode", "%s", err.message))) {
        le_srv_reply_fail(c, &f);
        return;
    }
    if (!(st->x = le_srv_find_index(c, st->req.index)) || ask_search(c, st)) return;
    c->job.kind = LE_SRV_JOB_TASK;
    c->job.n = 1;
    c->job.task = ask_task;
    le_srv_submit_llm(c, resume_ask);
}
