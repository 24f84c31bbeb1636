/* Generation (the public le_llm_generate*, le_llm_logits): the prompt is
 * prefilled after the part the cache already holds, then one token at a
 * time is sampled, streamed and fed back until an end token, a stop
 * string, the length limit or the callback ends it. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/options.h"
#include "generate/llm_impl.h"
#include "generate/llm_stream.h"
#include "generate/sample.h"

void le_llm_gen_options_init_size(le_llm_gen_options *opt, size_t size) {
    le_llm_gen_options d;
    memset(&d, 0, sizeof d);
    d.max_new_tokens = 256;
    d.temperature = 0.8f;
    d.top_k = 40;
    d.top_p = 0.95f;
    d.min_p = 0.05f;
    d.repeat_penalty = 1.0f;
    d.repeat_last_n = 64;
    le_options_init(opt, size, &d, sizeof d);
}

/* One generation's state. */
typedef struct gen {
    le_llm *m;
    le_llm_gen_options o;
    le_sampler smp;
    le_llm_stream st;
    int32_t *hist; /* prompt and generated ids */
    size_t nh;
    float *logits; /* [vocab] */
    le_llm_result res;
} gen;

/* Options taken and checked; sampler, history and logits allocated. */
static le_status gen_init(gen *g, le_llm *m, size_t n_prompt, const le_llm_gen_options *opt,
                          le_error *err) {
    memset(g, 0, sizeof *g);
    g->m = m;
    le_llm_gen_options_init(&g->o);
    le_status s = le_options_take(&g->o, sizeof g->o, opt, "le_llm_gen_options", err);
    if (s) return s;
    if (g->o.max_new_tokens < 0)
        return le_fail(err, LE_ERR_ARG, "max_new_tokens must be >= 0, got %d",
                       g->o.max_new_tokens);
    if ((g->o.n_stop && !g->o.stop) || ((g->o.n_stop || g->o.on_text) && !m->tok))
        return g->o.n_stop && !g->o.stop ? le_fail(err, LE_ERR_ARG, "n_stop without stop strings")
                                         : le_llm_need_tokenizer(m, err);
    for (size_t i = 0; i < g->o.n_stop; i++)
        if (!g->o.stop[i] || !*g->o.stop[i])
            return le_fail(err, LE_ERR_ARG, "stop string %zu is empty", i);
    const le_sample_params sp = {g->o.temperature, g->o.top_k,          g->o.top_p,
                                 g->o.min_p,       g->o.repeat_penalty, g->o.repeat_last_n,
                                 g->o.seed};
    if ((s = le_sampler_init(&g->smp, &sp, m->model->c.vocab, err))) return s;
    g->st.stop = g->o.stop;
    g->st.n_stop = g->o.n_stop;
    g->st.fn = g->o.on_text;
    g->st.user = g->o.user;
    g->hist = malloc(sizeof *g->hist * (n_prompt + (size_t)g->o.max_new_tokens + 1));
    g->logits = malloc(sizeof *g->logits * (size_t)m->model->c.vocab);
    if (!g->hist || !g->logits) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    return LE_OK;
}

static void gen_free(gen *g) {
    le_sampler_free(&g->smp);
    le_llm_stream_free(&g->st);
    free(g->hist);
    free(g->logits);
}

/* The prompt after the cached prefix it shares; logits of its last token. */
static le_status prefill(gen *g, const int32_t *ids, size_t n, le_error *err) {
    le_llm_run *r = &g->m->run;
    if (n < 1) return le_fail(err, LE_ERR_ARG, "empty prompt");
    if (n > (size_t)r->max_tokens)
        return le_fail(err, LE_ERR_TOO_LONG,
                       "the prompt has %zu tokens, more than the context of %d (the model's "
                       "window is %d; a longer one needs an extension method and max_tokens)",
                       n, r->max_tokens, g->m->model->c.context);
    size_t c = le_ids_shared(r->ids, (size_t)r->n, ids, n);
    if (c == n) c--; /* the last token runs again for its logits */
    le_llm_run_keep(r, (int)c);
    const size_t own = c;
    if (g->m->prefix.budget) c = le_prefix_cache_restore(&g->m->prefix, r, ids, n, c);
    const double t0 = le_now_seconds();
    le_status s = le_llm_run_eval(r, ids + c, (int)(n - c), g->logits, 1, err);
    if (!s && g->m->prefix.budget) le_prefix_cache_note(&g->m->prefix, r, n, n - c, c > own);
    g->res.prompt_seconds = le_now_seconds() - t0;
    g->res.prompt_tokens = (int)n;
    g->res.cached_tokens = (int)c;
    memcpy(g->hist, ids, n * sizeof *ids);
    g->nh = n;
    return s;
}

static int is_eog(const le_llm *m, int32_t t) {
    for (int i = 0; i < m->n_eog; i++)
        if (m->eog[i] == t) return 1;
    return 0;
}

/* Streams the bytes of token t. */
static le_status stream_token(gen *g, int32_t t, le_error *err) {
    if (!g->m->tok) return LE_OK;
    char buf[256];
    int k = le_llm_token_bytes(g->m, t, buf, sizeof buf);
    if (k < 0) return LE_OK;
    if ((size_t)k < sizeof buf) return le_llm_stream_push(&g->st, buf, (size_t)k, err);
    char *big = malloc((size_t)k + 1);
    if (!big) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_llm_token_bytes(g->m, t, big, (size_t)k + 1);
    le_status s = le_llm_stream_push(&g->st, big, (size_t)k, err);
    free(big);
    return s;
}

/* Samples, streams and feeds back tokens until something ends it. */
static le_status decode(gen *g, le_error *err) {
    le_llm_run *r = &g->m->run;
    const double t0 = le_now_seconds();
    const size_t start = g->nh;
    g->res.stop = LE_LLM_STOP_LENGTH;
    le_status s = LE_OK;
    for (int i = 0; !s && i < g->o.max_new_tokens; i++) {
        const int32_t t = le_sampler_next(&g->smp, g->logits, g->hist, g->nh);
        if (!g->o.ignore_eos && is_eog(g->m, t)) {
            g->res.stop = LE_LLM_STOP_EOS;
            break;
        }
        g->hist[g->nh++] = t;
        if ((s = stream_token(g, t, err))) break;
        if (g->st.stopped) {
            g->res.stop = g->st.stopped == 1 ? LE_LLM_STOP_STRING : LE_LLM_STOP_CALLBACK;
            break;
        }
        if (i + 1 == g->o.max_new_tokens || r->n >= r->max_tokens) break;
        s = le_llm_run_eval(r, &t, 1, g->logits, 1, err);
    }
    if (!s && g->res.stop != LE_LLM_STOP_STRING && g->res.stop != LE_LLM_STOP_CALLBACK)
        s = le_llm_stream_finish(&g->st, err);
    g->res.new_tokens = (int)(g->nh - start);
    g->res.gen_seconds = le_now_seconds() - t0;
    return s;
}

/* The whole generation on ids; g is left for the caller to read and free. */
static le_status run_gen(gen *g, le_llm *m, const int32_t *ids, size_t n,
                         const le_llm_gen_options *opt, le_error *err) {
    le_status s = gen_init(g, m, n, opt, err);
    if (!s) s = prefill(g, ids, n, err);
    if (!s) s = decode(g, err);
    return s;
}

le_status le_llm_generate_ids(le_llm *m, const int32_t *prompt, size_t n,
                              const le_llm_gen_options *opt, int32_t *out, size_t cap,
                              size_t *n_out, le_llm_result *res, le_error *err) {
    if (!m || (n && !prompt) || (cap && !out))
        return le_fail(err, LE_ERR_ARG, "le_llm_generate_ids: NULL argument");
    gen g;
    le_status s = run_gen(&g, m, prompt, n, opt, err);
    if (!s) {
        const size_t k = (size_t)g.res.new_tokens;
        if (cap) memcpy(out, g.hist + n, (k < cap ? k : cap) * sizeof *out); /* out may be NULL */
        if (n_out) *n_out = k;
        if (res) *res = g.res;
    }
    gen_free(&g);
    return s;
}

le_status le_llm_generate(le_llm *m, const char *prompt, const le_llm_gen_options *opt,
                          char **text_out, le_llm_result *res, le_error *err) {
    return le_llm_generate_text(m, prompt, 1, opt, text_out, res, err);
}

le_status le_llm_generate_text(le_llm *m, const char *prompt, int add_special,
                               const le_llm_gen_options *opt, char **text_out, le_llm_result *res,
                               le_error *err) {
    if (text_out) *text_out = NULL;
    if (!m || !prompt) return le_fail(err, LE_ERR_ARG, "le_llm_generate: NULL argument");
    size_t n = 0, len = strlen(prompt);
    le_status s = le_llm_tokenize(m, prompt, len, add_special, NULL, 0, &n, err);
    int32_t *ids = s ? NULL : malloc(sizeof *ids * (n ? n : 1));
    if (!s && !ids) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (!s) s = le_llm_tokenize(m, prompt, len, add_special, ids, n, &n, err);
    gen g;
    memset(&g, 0, sizeof g);
    if (!s) s = run_gen(&g, m, ids, n, opt, err);
    if (!s && text_out) {
        *text_out = g.st.text ? g.st.text : strdup("");
        g.st.text = NULL;
        if (!*text_out) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    if (!s && res) *res = g.res;
    gen_free(&g);
    free(ids);
    return s;
}

le_status le_llm_logits(le_llm *m, const int32_t *ids, size_t n, size_t n_logits, float *logits,
                        le_error *err) {
    if (!m || !ids || !logits || n_logits < 1 || n_logits > n)
        return le_fail(err, LE_ERR_ARG, "le_llm_logits: bad arguments");
    if (n > (size_t)m->run.max_tokens)
        return le_fail(err, LE_ERR_TOO_LONG, "%zu tokens exceed the context of %d", n,
                       m->run.max_tokens);
    le_llm_run_keep(&m->run, 0);
    return le_llm_run_eval(&m->run, ids, (int)n, logits, (int)n_logits, err);
}
