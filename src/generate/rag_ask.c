/* The public entry of the QA pipelines, le_ask (longembed.h "ask"): the
 * options checked, the document and the retriever made from the index,
 * the caller's model adapted to le_rag_gen, the pipeline of the mode run,
 * and its result kept behind an opaque handle. The model is the caller's
 * (callbacks) or the decoder (le_llm) named by the options. */
#include "base/options.h"
#include "generate/rag_llm.h"
#include "generate/rag_pipeline.h"

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

struct le_ask_result {
    le_rag_result res;
};

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

/* The decoders of the run (opened by le_ask, closed when it ends). */
typedef struct ask_models {
    le_llm *memory, *generator;
    le_rag_gen gen, gen2; /* gen2: MemoRAG's answering model (window 0: gen's) */
} ask_models;

/* One decoder by name, as the generator g. */
static le_status open_llm(const char *name, const le_ask_options *o, le_llm **m, le_rag_gen *g,
                          le_error *err) {
    le_llm_options lo;
    le_llm_options_init(&lo);
    lo.threads = o->threads;
    if (o->precision) lo.precision = o->precision;
    le_status s = le_llm_open(name, &lo, m, err);
    if (!s) s = le_rag_llm_gen(*m, g, err);
    return s ? le_error_wrap(err, s, "le_ask: model \"%s\"", name) : LE_OK;
}

/* The models of the run: the caller's callbacks, or the decoders named by
 * model (and generator). */
static le_status make_generator(const le_ask_options *o, ask_models *am, le_error *err) {
    memset(am, 0, sizeof *am);
    if (o->generate || o->count_tokens) {
        if (!o->generate || !o->count_tokens || !o->window)
            return le_fail(err, LE_ERR_ARG, "le_ask: a caller's model needs generate, "
                           "count_tokens and window");
        am->gen = (le_rag_gen){(void *)o, cb_generate, cb_count, NULL, o->window};
        return LE_OK;
    }
    if (!o->model)
        return le_fail(err, LE_ERR_ARG, "le_ask: no model (model, or generate and count_tokens)");
    le_status s = open_llm(o->model, o, &am->memory, &am->gen, err);
    if (!s && o->generator && strcmp(o->generator, o->model))
        s = open_llm(o->generator, o, &am->generator, &am->gen2, err);
    return s;
}

static void close_models(ask_models *am) {
    le_llm_close(am->memory);
    le_llm_close(am->generator);
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

/* The pipeline of o->mode over gen, the document and (but for full) the
 * retriever of src. */
static le_status run_mode(const le_ask_options *o, const ask_models *am, le_rag_index_source *src,
                          const ask_doc *d, const char *question, const le_rag_options *ro,
                          le_rag_result *res, le_error *err) {
    le_rag_doc doc = {d->n, d->text, d->len, d->num, d->id};
    const le_rag_gen *gen = &am->gen, *answerer = am->gen2.window ? &am->gen2 : NULL;
    le_rag_retriever r;
    le_status s = o->mode == LE_ASK_FULL ? LE_OK : le_rag_index_retriever(src, &r, err);
    if (s) return s;
    switch (o->mode) {
    case LE_ASK_RAG: return le_rag_run_rag(gen, &r, question, ro, res, err);
    case LE_ASK_MEMORAG: return le_rag_run_memorag(gen, answerer, &r, &doc, question, ro, res, err);
    case LE_ASK_LCBOOST: return le_rag_run_lcboost(gen, &r, &doc, question, ro, res, err);
    case LE_ASK_FULL: return le_rag_run_full(gen, &doc, question, ro, res, err);
    }
    return le_fail(err, LE_ERR_ARG, "le_ask: unknown mode %d", (int)o->mode);
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
    r.trace = o->trace;
    r.trace_user = o->user;
    return r;
}

/* The index source: search mode as asked, else hybrid with vectors and a
 * model, else BM25. */
static void make_source(le_index *ix, le_model *m, const le_ask_options *o,
                        le_rag_index_source *src) {
    le_index_info info;
    le_index_get_info(ix, &info);
    memset(src, 0, sizeof *src);
    src->ix = ix;
    src->model = m;
    src->id_prefix = o->id_prefix;
    le_search_options_init(&src->search);
    src->search.mode = o->search_given ? o->search_mode
                       : info.model.dim && m ? LE_SEARCH_HYBRID : LE_SEARCH_BM25;
}

le_status le_ask(le_index *ix, le_model *m, const char *question, const le_ask_options *opt,
                 le_ask_result **out, le_error *err) {
    *out = NULL;
    le_ask_options o;
    le_ask_options_init(&o);
    le_status s = le_options_take(&o, sizeof o, opt, "le_ask_options", err);
    if (s) return s;
    if (!ix || !question || !*question) return le_fail(err, LE_ERR_ARG, "le_ask: no index or question");
    if ((unsigned)o.mode > LE_ASK_FULL) return le_fail(err, LE_ERR_ARG, "le_ask: unknown mode %d", (int)o.mode);
    ask_models am;
    le_rag_prompts prompts = {0};
    ask_doc d = {0};
    le_rag_index_source src;
    memset(&am, 0, sizeof am);
    if (o.prompts) s = le_rag_prompts_load(&prompts, o.prompts, err); /* the cheap checks first */
    if (!s) s = index_doc(ix, o.id_prefix, &d, err);
    if (!s) s = make_generator(&o, &am, err);
    le_ask_result *r = s ? NULL : calloc(1, sizeof *r);
    if (!s && !r) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    make_source(ix, m, &o, &src);
    le_rag_options ro = rag_options(&o, &prompts);
    if (!s) s = run_mode(&o, &am, &src, &d, question, &ro, &r->res, err);
    close_models(&am);
    ask_doc_free(&d);
    le_rag_prompts_free(&prompts);
    if (s && r) le_rag_result_free(&r->res), free(r), r = NULL;
    *out = r;
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
}

void le_ask_result_free(le_ask_result *r) {
    if (!r) return;
    le_rag_result_free(&r->res);
    free(r);
}
