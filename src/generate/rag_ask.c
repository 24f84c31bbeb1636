/* The public entry of the QA pipelines, le_ask (longembed.h "ask"): the
 * options checked, the document and the retriever made from the index,
 * the caller's model adapted to le_rag_gen, the pipeline of the mode run,
 * and its result kept behind an opaque handle. The model is the caller's
 * (callbacks) or the decoder (le_llm) named by the options. */
#include "base/options.h"
#include "generate/memory_cache.h"
#include "generate/rag_ask.h"
#include "generate/rag_llm.h"

#include <stdlib.h>
#include <string.h>

static const char *const g_ask_modes[] = {"rag", "memorag", "lcboost", "full"};
#define N_ASK_MODES (int)(sizeof g_ask_modes / sizeof *g_ask_modes)

const char *le_ask_mode_name(le_ask_mode m) {
    return (unsigned)m < (unsigned)N_ASK_MODES ? g_ask_modes[m] : "?";
}

le_status le_ask_mode_parse(const char *s, le_ask_mode *out, le_error *err) {
    for (int i = 0; i < N_ASK_MODES; i++)
        if (s && !strcmp(s, g_ask_modes[i])) {
            *out = (le_ask_mode)i;
            return LE_OK;
        }
    return le_fail(err, LE_ERR_ARG, "unknown ask mode \"%s\" (rag, memorag, lcboost, full)",
                   s ? s : "(null)");
}

void le_ask_options_init_size(le_ask_options *o, size_t size) {
    le_ask_options d;
    memset(&d, 0, sizeof d);
    d.mode = LE_ASK_RAG;
    le_options_init(o, size, &d, sizeof d);
}

/* The caller's callbacks as a le_rag_gen. */
static le_status cb_generate(void *ctx, const char *prompt, size_t max_new, le_sbuf *out,
                             le_error *err) {
    const le_ask_options *o = ctx;
    char *reply = NULL;
    le_status s = o->generate(o->user, prompt, max_new, &reply, err);
    if (!s && reply) le_sbuf_puts(out, reply);
    free(reply);
    return s;
}

static le_status cb_count(void *ctx, const char *text, size_t len, size_t *n, le_error *err) {
    const le_ask_options *o = ctx;
    return o->count_tokens(o->user, text, len, n, err);
}

/* The decoder given (llm) or named (name, opened into *own) as g. */
static le_status use_llm(le_llm *llm, const char *name, const le_ask_options *o, le_llm **own,
                         le_rag_gen *g, le_error *err) {
    if (llm) return le_rag_llm_gen(llm, g, err);
    le_llm_options lo;
    le_llm_options_init(&lo);
    lo.threads = o->threads;
    if (o->precision) lo.precision = o->precision;
    lo.prefix_cache_bytes = o->prefix_cache_bytes;
    le_status s = le_llm_open(name, &lo, own, err);
    if (!s) s = le_rag_llm_gen(*own, g, err);
    return s ? le_error_wrap(err, s, "le_ask: model \"%s\"", name) : LE_OK;
}

/* The models: the caller's callbacks, the decoders given, or those named
 * by model (and generator). */
static le_status make_generator(le_ask_ctx *c, le_error *err) {
    const le_ask_options *o = &c->o;
    if (o->generate || o->count_tokens) {
        if (!o->generate || !o->count_tokens || !o->window)
            return le_fail(err, LE_ERR_ARG, "le_ask: a caller's model needs generate, "
                           "count_tokens and window");
        c->gen = (le_rag_gen){.ctx = (void *)o, .generate = cb_generate, .count_tokens = cb_count,
                              .window = o->window};
        return LE_OK;
    }
    if (!o->model && !o->llm)
        return le_fail(err, LE_ERR_ARG, "le_ask: no model (model, llm, or generate and "
                       "count_tokens)");
    le_status s = use_llm(o->llm, o->model, o, &c->own[0], &c->gen, err);
    if (!s && o->generator_llm && o->generator_llm != o->llm)
        s = le_rag_llm_gen(o->generator_llm, &c->gen2, err);
    else if (!s && !o->generator_llm && o->generator && (!o->model || strcmp(o->generator, o->model)))
        s = use_llm(NULL, o->generator, o, &c->own[1], &c->gen2, err);
    return s;
}

le_status le_ask_ctx_open(le_ask_ctx *c, const le_ask_options *opt, le_error *err) {
    memset(c, 0, sizeof *c);
    le_ask_options_init(&c->o);
    le_status s = le_options_take(&c->o, sizeof c->o, opt, "le_ask_options", err);
    if (s) return s;
    if ((unsigned)c->o.mode > LE_ASK_FULL)
        return le_fail(err, LE_ERR_ARG, "le_ask: unknown mode %d", (int)c->o.mode);
    const char *fb = c->o.lcb_fallback;
    if (fb && strcmp(fb, "move") && strcmp(fb, "append"))
        return le_fail(err, LE_ERR_ARG, "le_ask: unknown LC-Boost fallback \"%s\" (move, append)",
                       fb);
    if (c->o.prompts) s = le_rag_prompts_load(&c->prompts, c->o.prompts, err);
    if (s) le_ask_ctx_close(c);
    return s;
}

void le_ask_ctx_close(le_ask_ctx *c) {
    le_llm_close(c->own[0]);
    le_llm_close(c->own[1]);
    le_rag_prompts_free(&c->prompts);
    memset(c, 0, sizeof *c);
}

/* The documents of the run: those of ix whose id starts with prefix. */
typedef struct ask_doc {
    const char **text, **id;
    size_t *len, *num;
    size_t n;
} ask_doc;

static void ask_doc_free(ask_doc *d) {
    free(d->text), free(d->id), free(d->len), free(d->num);
    memset(d, 0, sizeof *d);
}

static le_status index_doc(le_index *ix, const char *prefix, ask_doc *d, le_error *err) {
    size_t count = le_index_count(ix), plen = prefix ? strlen(prefix) : 0;
    memset(d, 0, sizeof *d);
    if (!count) return le_fail(err, LE_ERR_ARG, "the index holds no documents: nothing to answer from");
    d->text = calloc(count, sizeof *d->text), d->id = calloc(count, sizeof *d->id);
    d->len = calloc(count, sizeof *d->len), d->num = calloc(count, sizeof *d->num);
    if (!d->text || !d->id || !d->len || !d->num) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        le_index_doc_info di;
        le_status s = le_index_get_doc(ix, i, &di, err);
        if (s) return s;
        if (plen && strncmp(di.id, prefix, plen)) continue;
        if (!di.text)
            return le_fail(err, LE_ERR_ARG, "the index does not store its texts (built with "
                           "store_text 0): the pipelines need the documents' text");
        d->text[d->n] = di.text, d->id[d->n] = di.id, d->len[d->n] = di.text_len;
        d->num[d->n++] = i;
    }
    if (!d->n)
        return le_fail(err, LE_ERR_ARG, "no document of the index has an id starting with \"%s\"",
                       prefix);
    return LE_OK;
}

/* The pipeline of the mode over the context's generator, the document and
 * (but for full) the retriever of src. */
static le_status run_mode(const le_ask_ctx *c, le_rag_index_source *src, const ask_doc *d,
                          const char *question, const le_rag_options *ro, le_rag_result *res,
                          le_error *err) {
    le_rag_doc doc = {d->n, d->text, d->len, d->num, d->id};
    const le_rag_gen *gen = &c->gen, *answerer = c->gen2.window ? &c->gen2 : NULL;
    le_rag_retriever r;
    le_ask_mode mode = c->o.mode;
    le_status s = mode == LE_ASK_FULL ? LE_OK : le_rag_index_retriever(src, &r, err);
    if (s) return s;
    switch (mode) {
    case LE_ASK_RAG: return le_rag_run_rag(gen, &r, question, ro, res, err);
    case LE_ASK_MEMORAG: return le_rag_run_memorag(gen, answerer, &r, &doc, question, ro, res, err);
    case LE_ASK_LCBOOST: return le_rag_run_lcboost(gen, &r, &doc, question, ro, res, err);
    case LE_ASK_FULL: return le_rag_run_full(gen, &doc, question, ro, res, err);
    }
    return le_fail(err, LE_ERR_ARG, "le_ask: unknown mode %d", (int)mode);
}

/* The pipelines' options from the public ones. */
static le_rag_options rag_options(const le_ask_options *o, const le_rag_prompts *prompts) {
    le_rag_options r = {0};
    r.prompts = prompts;
    r.k = o->k;
    r.max_new_tokens = o->max_new_tokens;
    r.draft = o->draft;
    r.truncate = o->truncate;
    r.max_steps = o->max_steps;
    r.fallback_append = o->lcb_fallback && !strcmp(o->lcb_fallback, "append");
    r.trace = o->trace;
    r.trace_user = o->user;
    return r;
}

/* The index source: search mode as asked, else hybrid with vectors and a
 * model, else BM25. */
static void make_source(le_index *ix, le_model *m, const le_ask_options *o, const char *prefix,
                        le_rag_index_source *src) {
    le_index_info info;
    le_index_get_info(ix, &info);
    memset(src, 0, sizeof *src);
    src->ix = ix;
    src->model = m;
    src->id_prefix = prefix;
    le_search_options_init(&src->search);
    src->search.mode = o->search_given ? o->search_mode
                       : info.model.dim && m ? LE_SEARCH_HYBRID : LE_SEARCH_BM25;
}

le_status le_ask_ctx_run(le_ask_ctx *c, le_index *ix, le_model *m, const char *question,
                         const char *id_prefix, le_rag_result *res, le_error *err) {
    if (!ix || !question || !*question) return le_fail(err, LE_ERR_ARG, "le_ask: no index or question");
    ask_doc d;
    le_status s = index_doc(ix, id_prefix, &d, err); /* the cheap checks first */
    if (!s && !c->gen.generate) s = make_generator(c, err);
    le_rag_index_source src;
    make_source(ix, m, &c->o, id_prefix, &src);
    le_rag_options ro = rag_options(&c->o, &c->prompts);
    char *memory_dir = c->o.mode == LE_ASK_MEMORAG ? le_rag_memory_dir(c->o.memory_dir) : NULL;
    ro.memory_dir = memory_dir;
    if (!s) s = run_mode(c, &src, &d, question, &ro, res, err);
    free(memory_dir);
    ask_doc_free(&d);
    return s;
}

struct le_ask_session {
    le_ask_ctx ctx;
};

le_status le_ask_session_open(const le_ask_options *opt, le_ask_session **out, le_error *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_status s = le_ask_ctx_open(&(*out)->ctx, opt, err);
    if (s) free(*out), *out = NULL;
    return s;
}

le_status le_ask_session_ask(le_ask_session *ss, le_index *ix, le_model *m, const char *question,
                             le_ask_result **out, le_error *err) {
    *out = NULL;
    if (!ss) return le_fail(err, LE_ERR_ARG, "le_ask_session_ask: no session");
    le_ask_result *r = calloc(1, sizeof *r);
    if (!r) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_status s = le_ask_ctx_run(&ss->ctx, ix, m, question, ss->ctx.o.id_prefix, &r->res, err);
    if (s) le_rag_result_free(&r->res), free(r), r = NULL;
    *out = r;
    return s;
}

void le_ask_session_close(le_ask_session *ss) {
    if (!ss) return;
    le_ask_ctx_close(&ss->ctx);
    free(ss);
}

le_status le_ask(le_index *ix, le_model *m, const char *question, const le_ask_options *opt,
                 le_ask_result **out, le_error *err) {
    *out = NULL;
    le_ask_session *ss;
    le_status s = le_ask_session_open(opt, &ss, err);
    if (!s) s = le_ask_session_ask(ss, ix, m, question, out, err);
    le_ask_session_close(ss);
    return s;
}

const char *le_ask_answer(const le_ask_result *r) {
    return r && r->res.answer.p ? r->res.answer.p : "";
}

size_t le_ask_passage_count(const le_ask_result *r) { return r ? r->res.n_passages : 0; }

le_status le_ask_get_passage(const le_ask_result *r, size_t i, le_ask_passage *out,
                             le_error *err) {
    if (!r || i >= r->res.n_passages)
        return le_fail(err, LE_ERR_ARG, "le_ask_get_passage: no passage %zu", i);
    const le_rag_passage *p = &r->res.passages[i];
    *out = (le_ask_passage){p->doc,  p->id,    p->byte_start, p->byte_end,
                            p->text, p->score, r->res.cited ? r->res.cited[i] : 0};
    return LE_OK;
}

const char *le_ask_clue(const le_ask_result *r, size_t i) {
    return r && i < r->res.clues.n ? r->res.clues.line[i] : NULL;
}

size_t le_ask_stage_count(const le_ask_result *r) { return r ? (size_t)r->res.stats.n_stages : 0; }

le_status le_ask_get_stage(const le_ask_result *r, size_t i, le_ask_stage *out, le_error *err) {
    if (!r || i >= (size_t)r->res.stats.n_stages)
        return le_fail(err, LE_ERR_ARG, "le_ask_get_stage: no stage %zu", i);
    const le_rag_stage *s = &r->res.stats.stage[i];
    *out = (le_ask_stage){s->name, s->calls, s->seconds, s->tokens_read, s->tokens_generated};
    return LE_OK;
}

void le_ask_get_summary(const le_ask_result *r, le_ask_summary *out) {
    memset(out, 0, sizeof *out);
    if (!r) return;
    const le_rag_result *x = &r->res;
    out->passages = x->n_passages, out->cited = x->n_cited, out->bad_citations = x->bad_citations;
    out->dropped = x->dropped, out->clues = x->clues.n, out->memory_gists = x->memory_gists;
    out->memory_reused = x->stats.prefix_reused, out->truncated = x->truncated;
    out->doc_tokens = x->doc_tokens, out->chunks = x->chunks;
    out->steps = x->steps, out->fallbacks = x->fallbacks, out->step_limit = x->step_limit;
    out->memory_loaded = x->memory_loaded, out->gists_loaded = x->gists_loaded;
    out->memory_tokens = x->memory_tokens, out->memory_prefilled = x->memory_prefilled;
}

void le_ask_result_free(le_ask_result *r) {
    if (!r) return;
    le_rag_result_free(&r->res);
    free(r);
}
