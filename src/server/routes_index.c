/* POST /search. A search whose mode needs the query's vector queues the query as an
 * embedding job (packed with other requests' texts) and searches when it
 * is back; the learned-sparse and multi-vector modes queue a BGE-M3 job
 * for the query's lexical weights and ColBERT vectors; BM25 searches need
 * no model and run on the connection's thread. */
#include "server/server_impl.h"

#include "base/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct search_state {
    le_srv_search_req req;
    le_srv_index *x;
    le_search_options so;
    le_index_model im; /* the query's embedding options point into it */
    float *vec;
    le_m3_output m3; /* the query's BGE-M3 outputs (modes sparse, multi; hybrid on such an index) */
    size_t qlen;
    le_text_result res;
} search_state;

static void search_cleanup(le_srv_conn *c) {
    search_state *st = c->state;
    le_srv_search_req *r = &st->req;
    cJSON_Delete(r->root);
    free(st->vec);
    le_m3_output_free(&st->m3, 1);
    free(st);
    c->state = NULL;
}

/* The best passage of a hit as JSON (the text when stored). */
static void passage_json(le_sbuf *b, const le_index_doc_info *d, const le_hit_passage *p) {
    le_sbuf_printf(b, ",\"passage\":{\"index\":%ld,\"byte_start\":%zu,\"byte_end\":%zu,"
                         "\"token_start\":%d,\"token_end\":%d,\"score\":",
                      p->passage, p->byte_start, p->byte_end, p->token_start, p->token_end);
    le_srv_buf_float(b, p->score);
    le_sbuf_puts(b, ",\"text\":");
    if (d->text) le_sbuf_json_string(b, d->text + p->byte_start, p->byte_end - p->byte_start);
    else le_sbuf_puts(b, "null");
    le_sbuf_puts(b, "}");
}

/* One hit as JSON. */
static void hit_json(le_sbuf *b, int rank, const le_index_doc_info *d, const le_index_hit *h,
                     const le_hit_passage *p) {
    le_sbuf_printf(b, "%s{\"rank\":%d,\"id\":", rank > 1 ? "," : "", rank);
    le_sbuf_json_string(b, d->id, strlen(d->id));
    le_sbuf_puts(b, ",\"score\":");
    le_srv_buf_float(b, h->score);
    const char *names[4] = {"dense", "bm25", "sparse", "multi"};
    float parts[4] = {h->dense, h->bm25, h->sparse, h->multi};
    for (int i = 0; i < 4; i++) {
        if (isnan(parts[i])) continue;
        le_sbuf_printf(b, ",\"%s\":", names[i]);
        le_srv_buf_float(b, parts[i]);
    }
    le_sbuf_puts(b, ",\"title\":");
    le_sbuf_json_string(b, d->title, strlen(d->title));
    le_sbuf_puts(b, ",\"source\":");
    le_sbuf_json_string(b, d->source, strlen(d->source));
    le_sbuf_printf(b, ",\"tokens\":%d", d->tokens);
    if (p && p->passage >= 0) passage_json(b, d, p);
    le_sbuf_puts(b, "}");
}

/* The hits of ix that pass the id prefix, best first, at most k. */
static void hits_json(le_srv_conn *c, le_index *ix, const le_index_hit *hits, int n) {
    search_state *st = c->state;
    const char *prefix = st->req.id_prefix;
    size_t plen = prefix ? strlen(prefix) : 0;
    le_index_info info;
    le_index_get_info(ix, &info);
    le_sbuf *b = &c->reply;
    le_sbuf_puts(b, "{\"index\":");
    le_sbuf_json_string(b, st->x->name, strlen(st->x->name));
    le_sbuf_printf(b, ",\"mode\":\"%s\",\"generation\":%llu,\"docs\":%zu,\"hits\":[",
                      le_search_mode_name(st->so.mode), (unsigned long long)info.generation,
                      info.docs);
    int rank = 0;
    for (int i = 0; i < n && rank < st->req.k; i++) {
        le_index_doc_info d;
        if (le_index_get_doc(ix, hits[i].doc, &d, NULL) || (plen && strncmp(d.id, prefix, plen)))
            continue;
        hit_json(b, ++rank, &d, &hits[i], st->req.passages ? &st->so.passages[i] : NULL);
    }
    le_sbuf_puts(b, "]}");
    le_srv_reply(c, 200, "application/json");
}

/* The query of the request: its text, and the vectors the worker made. */
static le_index_query make_query(const search_state *st) {
    le_index_query q = {.text = st->req.query, .dense = st->vec};
    if (st->m3.dense) { /* as le_index_search_text fills it */
        q.dense = st->im.dim ? st->m3.dense : NULL;
        if (st->im.sparse_vocab) {
            q.n_sparse = st->m3.n_lexical;
            q.sparse_ids = (const uint32_t *)st->m3.lexical_ids; /* ids are >= 0 */
            q.sparse_weights = st->m3.lexical_weights;
        }
        if (st->im.multi_dim) {
            q.n_multi = st->m3.n_colbert;
            q.multi = st->m3.colbert;
        }
    }
    return q;
}

/* How many of hits pass the id prefix. */
static int passing(le_index *ix, const le_index_hit *hits, int n, const char *prefix) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        le_index_doc_info d;
        k += !le_index_get_doc(ix, hits[i].doc, &d, NULL) && !strncmp(d.id, prefix, strlen(prefix));
    }
    return k;
}

/* The best hits of ix into *hits (and st->so.passages), *n of them: k, or
 * with an id prefix as many as it takes for k to pass it: the ranking is
 * asked for 4 times more each round until k pass or every document is
 * ranked. */
static le_status rank(search_state *st, le_index *ix, le_index_hit **hits, int *n,
                      le_error *err) {
    size_t count = le_index_count(ix), want = (size_t)st->req.k;
    le_index_query q = make_query(st);
    for (*n = 0;; want *= 4) {
        if (want > count) want = count;
        free(*hits);
        free(st->so.passages);
        *hits = malloc((want ? want : 1) * sizeof **hits);
        st->so.passages = malloc((want ? want : 1) * sizeof *st->so.passages);
        if (!*hits || !st->so.passages) return le_fail(err, LE_ERR_NOMEM, "out of memory");
        st->so.k = (int)(want ? want : 1);
        le_status s = want ? le_index_search(ix, &q, &st->so, *hits, n, err) : LE_OK;
        if (s || !st->req.id_prefix || want >= count || (size_t)*n < want ||
            passing(ix, *hits, *n, st->req.id_prefix) >= st->req.k)
            return s;
    }
}

/* Searches the newest version of the index (with the query's vectors when
 * the mode needs them) and replies. */
static void do_search(le_srv_conn *c) {
    search_state *st = c->state;
    le_srv_fail f;
    le_error err;
    le_index *ix;
    uint64_t gen;
    le_status s = le_srv_index_acquire(st->x, &ix, &gen, &err);
    if (s) {
        le_srv_fail_from(&f, s, &err, "index");
        le_srv_reply_fail(c, &f);
        return;
    }
    le_index_hit *hits = NULL;
    int n = 0;
    s = rank(st, ix, &hits, &n, &err);
    if (s) {
        le_srv_fail_from(&f, s, &err, "query");
        le_srv_reply_fail(c, &f);
    } else {
        hits_json(c, ix, hits, n);
    }
    free(hits);
    free(st->so.passages);
    st->so.passages = NULL;
    le_srv_index_release(st->x, ix, gen);
}

static void resume_search(le_srv_conn *c) {
    if (c->job.status) {
        le_srv_fail f;
        le_srv_fail_from(&f, c->job.status, &c->job.err, "query");
        le_srv_reply_fail(c, &f);
        return;
    }
    do_search(c);
}

/* What a search needs of the worker: nothing (bm25), the query's vector,
 * or its BGE-M3 outputs (the learned-sparse and multi-vector modes, and
 * hybrid on an index that holds those sections, as search does). */
enum { NEED_NONE = 0, NEED_DENSE = 1, NEED_M3 = 2 };

/* The mode of the request (default: dense with vectors, else bm25) and
 * what it needs (NEED_*); -1 after replying an error. */
static int search_mode(le_srv_conn *c, search_state *st, const le_index_info *info) {
    le_srv_fail f;
    le_error err;
    const le_index_model *im = &info->model;
    int m3_index = im->sparse_vocab || im->multi_dim;
    le_search_mode mode = im->dim ? LE_SEARCH_DENSE : LE_SEARCH_BM25;
    int ok = 0;
    if (st->req.mode && le_search_mode_parse(st->req.mode, &mode, &err))
        le_srv_failf(&f, 400, "mode", "%s", err.message);
    else if ((mode == LE_SEARCH_SPARSE && !im->sparse_vocab) ||
             (mode == LE_SEARCH_MULTI && !im->multi_dim))
        le_srv_failf(&f, 400, "mode", "index %s has no %s: they come from adding documents "
                     "with a BGE-M3 model that has its head files",
                     st->x->name, mode == LE_SEARCH_SPARSE ? "learned-sparse weights"
                                                            : "multi-vectors");
    else if (mode == LE_SEARCH_DENSE && !im->dim)
        le_srv_failf(&f, 400, "mode", "index %s has no dense vectors: use mode bm25", st->x->name);
    else if (mode != LE_SEARCH_BM25 && (im->dim || m3_index) && !st->x->model_ok)
        le_srv_failf(&f, 400, "mode", "%s", st->x->model_msg);
    else if (m3_index && mode != LE_SEARCH_DENSE && mode != LE_SEARCH_BM25 && !c->srv->has_m3)
        le_srv_failf(&f, 400, "mode", "mode %s needs BGE-M3's head files in the server's "
                     "model directory", le_search_mode_name(mode));
    else
        ok = 1;
    st->so.mode = mode;
    if (!ok) {
        le_srv_reply_fail(c, &f);
        return -1;
    }
    if (mode == LE_SEARCH_BM25 || (mode == LE_SEARCH_HYBRID && !im->dim && !m3_index))
        return NEED_NONE;
    return m3_index && mode != LE_SEARCH_DENSE ? NEED_M3 : NEED_DENSE;
}

void le_srv_h_search(le_srv_conn *c) {
    le_srv_fail f;
    search_state *st = calloc(1, sizeof *st);
    if (!st) {
        le_srv_reply_fail(c, (le_srv_failf(&f, 503, "", "out of memory"), &f));
        return;
    }
    c->state = st;
    c->cleanup = search_cleanup;
    le_search_options_init(&st->so);
    if (le_srv_parse_search(c->body ? c->body : "", c->len, &st->req, &f)) {
        le_srv_reply_fail(c, &f);
        return;
    }
    if (!(st->x = le_srv_find_index(c, st->req.index))) return;
    le_index_info info;
    le_srv_index_get_info(st->x, &info, NULL);
    int need = search_mode(c, st, &info);
    if (need <= NEED_NONE) {
        if (need == NEED_NONE) do_search(c);
        return;
    }
    st->im = info.model;
    if (need == NEED_DENSE) st->vec = malloc((size_t)info.model.dim * sizeof *st->vec);
    if ((need == NEED_DENSE && !st->vec) || (info.model.dim && info.model.dim != c->srv->dim)) {
        le_srv_failf(&f, 500, "", "the index's dimension is not the model's");
        le_srv_reply_fail(c, &f);
        return;
    }
    le_srv_job *j = &c->job;
    le_index_model_embed_options(&st->im, LE_EMBED_QUERIES, &j->eo);
    j->eo.truncate = st->req.truncate; /* never cut without a word (README: nothing is cut silently) */
    j->kind = need == NEED_M3 ? LE_SRV_JOB_M3 : LE_SRV_JOB_TEXTS;
    j->m3 = &st->m3;
    j->n = 1;
    j->texts = &st->req.query;
    st->qlen = strlen(st->req.query);
    j->lens = &st->qlen;
    j->tokens = st->qlen / 3 + 2; /* about */
    j->out = st->vec;
    j->res = &st->res;
    le_srv_submit(c, resume_search);
}
