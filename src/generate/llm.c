/* Opening and describing a decoder LLM (the public le_llm_* handle calls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mapfile.h"
#include "base/options.h"
#include "generate/llm_impl.h"
#include "generate/llm_tokenizer.h"
#include "model/registry.h"

void le_llm_options_init_size(le_llm_options *opt, size_t size) {
    le_llm_options d;
    memset(&d, 0, sizeof d);
    d.allow_fetch = 1;
    le_options_init(opt, size, &d, sizeof d);
}

/* model → a GGUF path (malloc'd): a file as it is, or an alias's file in the cache. */
static le_status resolve(const char *model, const le_llm_options *o, char **path,
                         le_error *err) {
    *path = NULL;
    if (!model || !*model) return le_fail(err, LE_ERR_ARG, "no model given");
    if (le_file_exists(model)) {
        *path = strdup(model);
        return *path ? LE_OK : le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    const le_alias *a = le_alias_find(model);
    if (a && !le_alias_gguf(a))
        return le_fail(err, LE_ERR_ARG, "%s is an embedding model, not a decoder LLM (smollm2)",
                       model);
    if (!a)
        return le_fail(err, strchr(model, '/') ? LE_ERR_IO : LE_ERR_ARG,
                       "%s: no such GGUF file, and not a decoder alias (smollm2)", model);
    char *dir = NULL;
    le_status s = le_model_resolve(model, o->cache_dir, o->allow_fetch, &dir, err);
    if (s) return s;
    *path = le_path_join(dir, le_alias_gguf(a));
    free(dir);
    return *path ? LE_OK : le_fail(err, LE_ERR_NOMEM, "out of memory");
}

/* An optional integer token id key (absent: -1). */
static int token_key(const le_gguf *g, const char *key) {
    uint32_t v;
    if (!le_gguf_find_kv(g, key) || le_gguf_get_u32(g, key, &v, NULL)) return -1;
    return (int)v;
}

/* The tokenizer when the GGUF has one; BOS, EOS and the end-of-generation ids. */
static le_status load_tokens(le_llm *m, le_error *err) {
    const le_gguf *g = m->model->gguf;
    m->bos = token_key(g, "tokenizer.ggml.bos_token_id");
    m->eos = token_key(g, "tokenizer.ggml.eos_token_id");
    int add = 0;
    if (le_gguf_find_kv(g, "tokenizer.ggml.add_bos_token"))
        le_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &add, NULL);
    m->add_bos = add && m->bos >= 0;
    const char *keys[3] = {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id",
                           "tokenizer.ggml.eom_token_id"};
    for (int i = 0; i < 3; i++) {
        int id = token_key(g, keys[i]);
        if (id >= 0 && id < m->model->c.vocab) m->eog[m->n_eog++] = id;
    }
    if (!le_gguf_find_kv(g, "tokenizer.ggml.model")) return LE_OK;
    return le_llm_tokenizer_from_gguf(g, &m->tok, err);
}

/* The run: the options' method over max_tokens, on the pool. */
static le_status start_run(le_llm *m, const le_llm_options *o, le_isa isa, le_error *err) {
    const le_llama_config *c = &m->model->c;
    const int max_tokens = o->max_tokens > 0 ? o->max_tokens : c->context;
    if (o->max_tokens < 0 || max_tokens > LE_PLAN_MAX_TOKENS)
        return le_fail(err, LE_ERR_ARG, "max_tokens must be between 0 and %d, got %d",
                       LE_PLAN_MAX_TOKENS, o->max_tokens);
    le_plan_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.method = o->extend;
    spec.ntk_lambda = o->ntk_lambda;
    spec.rope_factor = o->rope_factor;
    spec.se_group = o->se_group;
    spec.se_window = o->se_window;
    le_pos_plan plan;
    le_status s = le_llm_plan(c, &spec, max_tokens, &plan, err);
    if (s) return s;
    m->extend = o->extend;
    m->pool = le_pool_acquire(o->threads);
    if (!m->pool) return le_fail(err, LE_ERR_NOMEM, "cannot start %d threads", o->threads);
    le_kctx kc = {isa, m->pool};
    return le_llm_run_init(&m->run, m->model, &plan, max_tokens, kc, err);
}

/* Options checked; the ISA. */
static le_status check_options(const le_llm_options *o, le_isa *isa, le_error *err) {
    le_status rc = le_isa_parse(o->isa, isa);
    if (rc == LE_ERR_ARG)
        return le_fail(err, LE_ERR_ARG, "unknown ISA \"%s\" (auto, scalar, avx2, avx512)", o->isa);
    if (rc == LE_ERR_UNSUPPORTED)
        return le_fail(err, LE_ERR_UNSUPPORTED, "this CPU does not support %s (it has: %s)",
                       o->isa, le_cpu_summary());
    if (o->threads < 0 || o->threads > 1024)
        return le_fail(err, LE_ERR_ARG, "threads must be between 0 and 1024, got %d", o->threads);
    if (o->precision && strcmp(o->precision, "q8") && strcmp(o->precision, "exact"))
        return le_fail(err, LE_ERR_ARG, "unknown precision \"%s\" for a decoder (q8, exact)",
                       o->precision);
    return LE_OK;
}

le_status le_llm_open(const char *model, const le_llm_options *opt_in, le_llm **out,
                      le_error *err) {
    *out = NULL;
    le_llm_options o;
    le_llm_options_init(&o);
    le_status s = le_options_take(&o, sizeof o, opt_in, "le_llm_options", err);
    le_isa isa;
    if (s || (s = check_options(&o, &isa, err))) return s;
    le_llm *m = calloc(1, sizeof *m);
    if (!m) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    if ((s = resolve(model, &o, &m->path, err)) || (s = le_llama_open(m->path, &m->model, err)) ||
        (s = load_tokens(m, err)) || (s = start_run(m, &o, isa, err)))
        goto fail;
    /* exact unless q8 is asked for: docs/generate.md has the experiment */
    m->exact = !o.precision || strcmp(o.precision, "q8") != 0;
    le_llama_set_f32_act(m->model, m->exact);
    m->prefix.budget = o.prefix_cache_bytes;
    if (o.chat_template && !(m->chat_template = strdup(o.chat_template))) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        goto fail;
    }
    const le_alias *a = le_alias_find(model);
    const char *slash = strrchr(m->path, '/');
    snprintf(m->name, sizeof m->name, "%s", a ? a->alias : slash ? slash + 1 : m->path);
    le_llm_compute_identity(m);
    le_log(LE_LOG_DEBUG, "llm %s: %s, %d layers, hidden %d, context %d, %d threads", m->name,
           m->model->c.arch, m->model->c.layers, m->model->c.hidden, m->run.max_tokens,
           le_pool_threads(m->pool));
    *out = m;
    return LE_OK;
fail:
    le_llm_close(m);
    return s;
}

void le_llm_close(le_llm *m) {
    if (!m) return;
    le_llm_run_free(&m->run);
    le_prefix_cache_free(&m->prefix);
    if (m->pool) le_pool_release(m->pool);
    le_tokenizer_free(m->tok);
    if (m->has_tpl) le_chat_template_free(&m->tpl);
    le_llama_close(m->model);
    free(m->path);
    free(m->chat_template);
    free(m);
}

le_status le_llm_get_info(const le_llm *m, le_llm_info *out) {
    if (!m || !out) return LE_ERR_ARG;
    const le_llama_config *c = &m->model->c;
    memset(out, 0, sizeof *out);
    out->name = m->name;
    out->path = m->path;
    out->architecture = c->arch;
    out->layers = c->layers, out->hidden = c->hidden, out->ffn = c->ffn;
    out->heads = c->heads, out->kv_heads = c->kv_heads, out->head_dim = c->head_dim;
    out->vocab = c->vocab;
    out->context = c->context;
    out->max_tokens = m->run.max_tokens;
    out->rope_theta = c->rope_theta;
    out->weights = le_ggml_type_name(m->model->layer[0].wq.type);
    out->extend = le_extend_name(m->extend);
    out->bos = m->bos;
    out->eos = m->eos;
    out->isa = le_isa_name(m->run.kc.isa);
    out->threads = le_pool_threads(m->pool);
    out->has_tokenizer = m->tok != NULL;
    out->precision = m->exact ? "exact" : "q8";
    return LE_OK;
}

le_status le_llm_need_tokenizer(const le_llm *m, le_error *err) {
    if (m->tok) return LE_OK;
    return le_fail(err, LE_ERR_UNSUPPORTED, "%s has no tokenizer (tokenizer.ggml.model): use "
                   "token ids", m->path);
}

le_status le_llm_tokenize(const le_llm *m, const char *text, size_t len, int add_special,
                          int32_t *ids, size_t cap, size_t *n_out, le_error *err) {
    if (!m || !text || !n_out || (cap && !ids))
        return le_fail(err, LE_ERR_ARG, "le_llm_tokenize: NULL argument");
    le_status s = le_llm_need_tokenizer(m, err);
    if (s) return s;
    le_ids v = {0};
    if (add_special && m->add_bos) s = le_ids_push(&v, m->bos);
    if (!s) s = le_tokenizer_encode(m->tok, text, len, &v, err);
    if (!s) {
        *n_out = v.n;
        if (ids && cap) memcpy(ids, v.ids, (v.n < cap ? v.n : cap) * sizeof *ids);
    }
    le_ids_free(&v);
    return s;
}

int le_llm_token_bytes(const le_llm *m, int32_t id, char *buf, size_t cap) {
    if (!m || !m->tok || id < 0 || id >= m->model->c.vocab) return -1;
    return le_tokenizer_decode_id(m->tok, id, buf, cap);
}
