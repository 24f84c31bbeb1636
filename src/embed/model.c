/* Opening and describing models (the public le_model_* calls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mapfile.h"
#include "base/options.h"
#include "embed/m3.h"
#include "embed/model.h"
#include "extend/plan.h"
#include "model/arch.h"
#include "model/registry.h"
#include "model/safetensors.h"

void le_model_options_init_size(le_model_options *opt, size_t size) {
    le_model_options d;
    memset(&d, 0, sizeof d);
    d.allow_fetch = 1;
    le_options_init(opt, size, &d, sizeof d);
}

/* What the model's architecture implies (model/arch.c): its prefixes, a
 * tuned table's stride, the extension methods that fit. */
static void recognise(le_model *m) {
    le_arch_traits t;
    le_arch_traits_of(&m->cfg, &t);
    m->query_prefix = t.query_prefix;
    m->passage_prefix = t.passage_prefix;
    m->position_stride = t.position_stride;
    unsigned fit =
        le_plan_fitting(m->cfg.arch->methods, m->cfg.pos, m->cfg.rope_dynamic_factor > 0);
    le_plan_methods(fit, m->methods, sizeof m->methods);
}

static void base_name(const char *model, const char *dir, char *out, size_t cap) {
    const char *src = model;
    if (le_dir_exists(model)) {
        const char *slash = strrchr(dir, '/');
        src = slash && slash[1] ? slash + 1 : dir;
    }
    snprintf(out, cap, "%s", src);
}

/* "fp32" (or NULL), "bf16", "int8", "auto" → the number format of the
 * matrix products, if some backend runs it with these kernels on this CPU.
 * auto: the fastest format whose measured error on the parity sets stays
 * within cosine 0.999 of fp32 (docs/speed.md): bf16 where the CPU multiplies
 * bf16 natively (AVX512_BF16 or AMX-BF16), else fp32. int8 (min cosine
 * 0.986 on MiniLM) is never chosen by auto. */
static le_status parse_precision(const char *name, le_isa isa, le_gemm_dtype *out, le_error *err) {
    *out = LE_GEMM_F32;
    if (!name || !strcmp(name, "fp32")) return LE_OK;
    if (!strcmp(name, "auto")) {
        const le_cpu_features *f = le_cpu_detect();
        if (isa != LE_ISA_SCALAR && (f->avx512_bf16 || f->amx_bf16) &&
            le_gemm_supported(isa, LE_GEMM_BF16))
            *out = LE_GEMM_BF16;
        return LE_OK;
    }
    if (!strcmp(name, "bf16"))
        *out = LE_GEMM_BF16;
    else if (!strcmp(name, "int8"))
        *out = LE_GEMM_INT8;
    else
        return le_fail(err, LE_ERR_ARG, "unknown precision \"%s\" (fp32, bf16, int8, auto)", name);
    if (!le_gemm_supported(isa, *out))
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "precision %s needs %s (kernels: %s; this CPU has: %s; %s)", name,
                       *out == LE_GEMM_BF16
                           ? "AVX512_BF16 with the avx512 kernels, oneDNN on an AVX-512 CPU, or the scalar reference"
                           : "oneDNN (libdnnl-dev) on an AVX-512 CPU, or the scalar reference",
                       le_isa_name(isa), le_cpu_summary(), le_gemm_backend_describe());
    return LE_OK;
}

le_status le_model_open(const char *model, const le_model_options *opt_in, le_model **out,
                        le_error *err) {
    *out = NULL;
    le_model_options opt;
    le_model_options_init(&opt);
    le_status taken = le_options_take(&opt, sizeof opt, opt_in, "le_model_options", err);
    if (taken) return taken;
    le_isa isa;
    le_status rc = le_isa_parse(opt.isa, &isa);
    if (rc == LE_ERR_ARG) return le_fail(err, LE_ERR_ARG, "unknown ISA \"%s\" (auto, scalar, avx2, avx512)", opt.isa);
    if (rc == LE_ERR_UNSUPPORTED) return le_fail(err, LE_ERR_UNSUPPORTED, "this CPU does not support %s (it has: %s)", opt.isa, le_cpu_summary());
    le_gemm_dtype dtype;
    if ((rc = parse_precision(opt.precision, isa, &dtype, err))) return rc;
    if (opt.threads < 0 || opt.threads > 1024)
        return le_fail(err, LE_ERR_ARG, "threads must be between 0 and 1024, got %d", opt.threads);
    le_model *m = calloc(1, sizeof *m);
    if (!m) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_status s = le_model_resolve(model, opt.cache_dir, opt.allow_fetch, &m->dir, err);
    if (s) goto fail;
    base_name(model, m->dir, m->name, sizeof m->name);
    if ((s = le_model_config_load(m->dir, &m->cfg, err))) goto fail;
    char *tj = le_path_join(m->dir, "tokenizer.json");
    if (!tj) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        goto fail;
    }
    s = le_tokenizer_load(tj, &m->tok, err);
    free(tj);
    if (s) goto fail;
    if (le_tokenizer_vocab_size(m->tok) > m->cfg.vocab) {
        s = le_fail(err, LE_ERR_FORMAT,
                    "%s: the tokenizer has %d tokens but the model's vocabulary only %d", m->dir,
                    le_tokenizer_vocab_size(m->tok), m->cfg.vocab);
        goto fail;
    }
    if ((s = le_encoder_load(m->dir, &m->cfg, isa, dtype, &m->enc, err))) goto fail;
    m->pool = le_pool_acquire(opt.threads); /* the shared pool (base/pool.h) */
    if (!m->pool) {
        s = le_fail(err, LE_ERR_NOMEM, "cannot start %d threads", opt.threads);
        goto fail;
    }
    m->kc.isa = isa;
    m->kc.pool = m->pool;
    recognise(m);
    le_log(LE_LOG_DEBUG, "model %s: %s, %d layers, hidden %d, %s kernels, %d threads", m->name,
           m->cfg.model_type, m->cfg.layers, m->cfg.hidden, le_isa_name(isa),
           le_pool_threads(m->pool));
    *out = m;
    return LE_OK;
fail:
    le_model_close(m);
    return s;
}

void le_model_close(le_model *m) {
    if (!m) return;
    le_encoder_scratch_free(&m->scratch);
    le_m3_heads_free(m->m3);
    le_encoder_free(&m->enc);
    le_tokenizer_free(m->tok);
    le_pool_release(m->pool);
    free(m->dir);
    free(m);
}

int le_model_dim(const le_model *m) { return m->cfg.hidden; }

le_status le_model_get_info(const le_model *m, le_model_info *o) {
    memset(o, 0, sizeof *o);
    o->name = m->name;
    o->directory = m->dir;
    o->architecture = m->cfg.model_type;
    o->hidden_size = m->cfg.hidden;
    o->num_layers = m->cfg.layers;
    o->num_heads = m->cfg.heads;
    o->intermediate_size = m->cfg.intermediate;
    o->vocab_size = m->cfg.vocab;
    o->window = m->cfg.max_positions / m->position_stride;
    o->st_max_seq_length = m->cfg.st_max_seq_length;
    o->position_stride = m->position_stride;
    o->pooling = le_pooling_name(m->cfg.pooling);
    o->normalize = m->cfg.normalize;
    o->tokenizer = le_tokenizer_kind(m->tok);
    o->lowercase = le_tokenizer_lowercases(m->tok);
    o->query_prefix = m->query_prefix;
    o->passage_prefix = m->passage_prefix;
    o->isa = le_isa_name(m->kc.isa);
    o->threads = le_pool_threads(m->pool);
    le_pos_kind pos = m->cfg.pos;
    o->methods = m->methods;
    o->precision = le_gemm_dtype_name(m->enc.dtype);
    o->positions = pos == LE_POS_ROPE ? "rope" : pos == LE_POS_ALIBI ? "alibi" : "table";
    return LE_OK;
}

const char *le_model_backend(const le_model *m) {
    const le_gemm_weight *w = m->enc.layers ? m->enc.layers[0].qkv : NULL;
    if (!w || le_gemm_weight_backend(w) != LE_GEMM_DNNL)
        return le_isa_name(m->kc.isa); /* the own kernels of that ISA */
    return le_gemm_backend_describe();
}

le_status le_tokenize(le_model *m, const char *text, size_t len, int add_special, int32_t *ids,
                      size_t cap, size_t *n_out, le_error *err) {
    le_ids v = {0};
    le_status s = LE_OK;
    const int32_t *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    if (add_special) le_tokenizer_template(m->tok, &before, &nb, &after, &na);
    for (size_t i = 0; i < nb && !s; i++) s = le_ids_push(&v, before[i]);
    if (!s) s = le_tokenizer_encode(m->tok, text, len, &v, err);
    for (size_t i = 0; i < na && !s; i++) s = le_ids_push(&v, after[i]);
    if (s == LE_ERR_NOMEM) le_fail(err, s, "out of memory");
    if (!s) {
        size_t k = v.n < cap ? v.n : cap;
        if (k) memcpy(ids, v.ids, k * sizeof *ids);
        *n_out = v.n;
    }
    le_ids_free(&v);
    return s;
}

const char *le_token_piece(const le_model *m, int32_t id) {
    return le_tokenizer_piece(m->tok, id);
}

le_status le_model_check(le_model *m, le_error *err) {
    if (!m) return le_fail(err, LE_ERR_ARG, "missing argument");
    le_error_clear(err);
    return le_st_check_finite(m->enc.st, err);
}
