/* The embedding routes: POST /v1/embeddings (OpenAI), /embed (TEI),
 * /embed_sparse (TEI: BGE-M3's lexical weights; 424 for a model without
 * them). Texts are checked and counted on the connection's thread; the
 * embedding itself is a job of the batch worker. */
#include "server/server_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct embed_state {
    le_srv_embed_req req;
    float *vecs;
    le_text_result *res;
    le_m3_output *m3; /* /embed_sparse */
    size_t *tokens; /* each input's tokens, for the batch budget */
    int tei;
    int dims; /* of the reply */
} embed_state;

static void embed_cleanup(le_srv_conn *c) {
    embed_state *st = c->state;
    if (!st) return;
    le_m3_output_free(st->m3, st->req.n); /* before the request (and its n) is freed */
    free(st->m3);
    le_srv_embed_req_free(&st->req);
    free(st->vecs);
    free(st->res);
    free(st->tokens);
    free(st);
    c->state = NULL;
}

/* The request's options over the server's defaults into eo. */
static int take_options(le_srv *s, const le_srv_embed_req *r, le_embed_options *eo,
                        le_srv_fail *f) {
    *eo = s->cfg.eo;
    le_error err;
    if (r->extend && le_extend_parse(r->extend, &eo->extend, &err))
        return le_srv_failf(f, 400, "extend", "%s", err.message);
    if (r->max_tokens > s->cfg.max_tokens_per_text)
        return le_srv_failf(f, 400, "max_tokens",
                            "'max_tokens' %d is over the server's limit of %d tokens per text",
                            r->max_tokens, s->cfg.max_tokens_per_text);
    if (r->max_tokens) eo->max_tokens = r->max_tokens;
    if (r->truncate >= 0) eo->truncate = r->truncate;
    if (r->normalize >= 0) eo->normalize = r->normalize;
    if (r->prefix) eo->prefix = le_prefix_resolve(s->cfg.model, r->prefix);
    eo->progress = NULL;
    return 0;
}

/* Counts each input's tokens (special tokens included): over the server's
 * limit without truncate is refused with the input's index; each[i] gets
 * the tokens input i will take (cut ones at their limit), *total their sum. */
static int count_tokens(le_srv *s, const le_srv_embed_req *r, const le_embed_options *eo,
                        const char *param, size_t *each, size_t *total, le_srv_fail *f) {
    int limit = s->cfg.max_tokens_per_text;
    int cut_at = eo->max_tokens ? eo->max_tokens : s->mi.window;
    *total = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t n = 0;
        le_error err;
        if (r->ids) {
            n = r->n_ids[i] + 2;
        } else {
            le_status st = le_tokenize(s->cfg.model, r->texts[i], r->lens[i], 1, NULL, 0, &n, &err);
            if (st) {
                err.text_index = (long)i;
                le_srv_fail_from(f, st, &err, param);
                return -1;
            }
        }
        if (n > (size_t)limit && !eo->truncate)
            return le_srv_failf(f, 413, param,
                                "%s[%zu] has %zu tokens, more than the limit of %d per text: "
                                "shorten it or send \"truncate\": true",
                                param, i, n, limit);
        each[i] = eo->truncate && n > (size_t)cut_at ? (size_t)cut_at : n;
        *total += each[i];
    }
    return 0;
}

/* dimensions: as the model's, or fewer with --matryoshka. */
static int check_dimensions(le_srv *s, int asked, int *dims, le_srv_fail *f) {
    *dims = s->dim;
    if (!asked || asked == s->dim) return 0;
    if (asked > s->dim || !s->cfg.matryoshka)
        return le_srv_failf(f, 400, "dimensions",
                            "'dimensions' must be %d: model %s gives %d dimensions%s", s->dim,
                            s->mi.name, s->dim,
                            asked < s->dim ? " and is not served as a Matryoshka model "
                                             "(longembed serve --matryoshka)"
                                           : "");
    *dims = asked;
    return 0;
}

/* The routes' request shapes and what they ask of the worker. */
typedef enum embed_route { ROUTE_OPENAI, ROUTE_TEI, ROUTE_SPARSE } embed_route;

/* Parses, checks and queues an embedding request; the reply comes from resume. */
static void start_embed(le_srv_conn *c, embed_route route, void (*resume)(le_srv_conn *c)) {
    int tei = route != ROUTE_OPENAI;
    le_srv *s = c->srv;
    le_srv_fail f;
    embed_state *st = calloc(1, sizeof *st);
    if (!st) {
        le_srv_reply_fail(c, (le_srv_failf(&f, 503, "", "out of memory"), &f));
        return;
    }
    c->state = st;
    c->cleanup = embed_cleanup;
    st->tei = tei;
    const char *param = tei ? "inputs" : "input";
    int bad = tei ? le_srv_parse_tei(c->body ? c->body : "", c->len, &st->req, &f)
                  : le_srv_parse_openai(c->body ? c->body : "", c->len, &st->req, &f);
    le_srv_job *j = &c->job;
    if (!bad) bad = take_options(s, &st->req, &j->eo, &f);
    if (!bad) bad = check_dimensions(s, st->req.dimensions, &st->dims, &f);
    if (!bad && !(st->tokens = malloc(st->req.n * sizeof *st->tokens)))
        bad = le_srv_failf(&f, 503, "", "out of memory");
    if (!bad) bad = count_tokens(s, &st->req, &j->eo, param, st->tokens, &j->tokens, &f);
    if (!bad) {
        if (route == ROUTE_SPARSE) st->m3 = calloc(st->req.n, sizeof *st->m3);
        else st->vecs = malloc(st->req.n * (size_t)s->dim * sizeof *st->vecs);
        st->res = calloc(st->req.n, sizeof *st->res);
        if ((!st->vecs && !st->m3) || !st->res) bad = le_srv_failf(&f, 503, "", "out of memory");
    }
    if (bad) {
        le_srv_reply_fail(c, &f);
        return;
    }
    j->kind = route == ROUTE_SPARSE ? LE_SRV_JOB_M3
              : st->req.ids         ? LE_SRV_JOB_TOKENS
                                    : LE_SRV_JOB_TEXTS;
    j->n = st->req.n;
    j->texts = st->req.texts;
    j->lens = st->req.lens;
    j->ids = (const int32_t *const *)st->req.ids;
    j->n_ids = st->req.n_ids;
    j->text_tokens = st->tokens;
    j->out = st->vecs;
    j->m3 = st->m3;
    j->res = st->res;
    le_srv_submit(c, resume);
}

/* The job's failure as the reply; 1 when it failed. */
static int job_failed(le_srv_conn *c, const char *param) {
    if (!c->job.status) return 0;
    le_srv_fail f;
    le_srv_fail_from(&f, c->job.status, &c->job.err, param);
    le_srv_reply_fail(c, &f);
    return 1;
}

/* Vector i cut to dims and renormalised when cut. */
static const float *output_vector(embed_state *st, int dim, size_t i) {
    float *v = st->vecs + i * (size_t)dim;
    if (st->dims == dim) return v;
    double ss = 0;
    for (int d = 0; d < st->dims; d++) ss += (double)v[d] * v[d];
    float inv = ss > 0 ? (float)(1 / sqrt(ss)) : 0;
    for (int d = 0; d < st->dims; d++) v[d] *= inv;
    return v;
}

static void vector_json(le_sbuf *b, const float *v, int dims) {
    le_sbuf_puts(b, "[");
    for (int d = 0; d < dims; d++) {
        if (d) le_sbuf_puts(b, ",");
        le_srv_buf_float(b, v[d]);
    }
    le_sbuf_puts(b, "]");
}

static void resume_openai(le_srv_conn *c) {
    embed_state *st = c->state;
    if (job_failed(c, "input")) return;
    le_sbuf *b = &c->reply;
    size_t tokens = 0;
    le_sbuf_puts(b, "{\"object\":\"list\",\"data\":[");
    for (size_t i = 0; i < st->req.n; i++) {
        const float *v = output_vector(st, c->srv->dim, i);
        le_sbuf_printf(b, "%s{\"object\":\"embedding\",\"index\":%zu,\"embedding\":",
                          i ? "," : "", i);
        if (st->req.base64) {
            le_sbuf_puts(b, "\"");
            le_srv_buf_base64(b, (const unsigned char *)v, (size_t)st->dims * sizeof *v);
            le_sbuf_puts(b, "\"");
        } else {
            vector_json(b, v, st->dims);
        }
        le_sbuf_printf(b, ",\"tokens\":%d,\"truncated\":%s}", st->res[i].tokens,
                          st->res[i].truncated ? "true" : "false");
        tokens += (size_t)st->res[i].tokens;
    }
    le_sbuf_puts(b, "],\"model\":");
    le_sbuf_json_string(b, c->srv->mi.name, strlen(c->srv->mi.name));
    le_sbuf_printf(b, ",\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":%zu}}", tokens,
                      tokens);
    le_srv_reply(c, 200, "application/json");
}

/* TEI's reply: a JSON list of one item per input (or the job's failure). */
static void tei_list(le_srv_conn *c, void (*item)(le_srv_conn *c, size_t i)) {
    embed_state *st = c->state;
    if (job_failed(c, "inputs")) return;
    le_sbuf_puts(&c->reply, "[");
    for (size_t i = 0; i < st->req.n; i++) {
        if (i) le_sbuf_puts(&c->reply, ",");
        item(c, i);
    }
    le_sbuf_puts(&c->reply, "]");
    le_srv_reply(c, 200, "application/json");
}

static void tei_vector(le_srv_conn *c, size_t i) {
    embed_state *st = c->state;
    vector_json(&c->reply, output_vector(st, c->srv->dim, i), st->dims);
}

/* TEI's sparse shape: [{"index": token id, "value": weight}, …]. */
static void tei_sparse(le_srv_conn *c, size_t i) {
    const le_m3_output *o = &((embed_state *)c->state)->m3[i];
    le_sbuf *b = &c->reply;
    le_sbuf_puts(b, "[");
    for (size_t t = 0; t < o->n_lexical; t++) {
        le_sbuf_printf(b, "%s{\"index\":%d,\"value\":", t ? "," : "", o->lexical_ids[t]);
        le_srv_buf_float(b, o->lexical_weights[t]);
        le_sbuf_puts(b, "}");
    }
    le_sbuf_puts(b, "]");
}

static void resume_tei(le_srv_conn *c) { tei_list(c, tei_vector); }

static void resume_sparse(le_srv_conn *c) { tei_list(c, tei_sparse); }

void le_srv_h_embeddings(le_srv_conn *c) { start_embed(c, ROUTE_OPENAI, resume_openai); }

void le_srv_h_embed(le_srv_conn *c) { start_embed(c, ROUTE_TEI, resume_tei); }

void le_srv_h_embed_sparse(le_srv_conn *c) {
    if (c->srv->has_m3) {
        start_embed(c, ROUTE_SPARSE, resume_sparse);
        return;
    }
    le_srv_fail f;
    le_srv_failf(&f, 424, "",
                 "model %s has no lexical (sparse) weights: /embed_sparse needs a BGE-M3 model "
                 "directory with its head files sparse_linear.pt and colbert_linear.pt",
                 c->srv->mi.name);
    le_srv_reply_fail(c, &f);
}
