/* le_embed: texts → token ids → windows with their position plans → packed
 * batches → encoder → pooled, (averaged,) normalised vectors. The call's
 * machinery is embed_call.c; this file lays texts out as whole vectors. */
#include "base/options.h"
#include "embed/embed_call.h"
#include "kernels/ops.h"

#include <stdlib.h>
#include <string.h>

void le_embed_options_init_size(le_embed_options *opt, size_t size) {
    le_embed_options d;
    memset(&d, 0, sizeof d);
    d.normalize = -1;
    d.extend = LE_EXTEND_NONE;
    d.attn_scale = LE_ATTN_SCALE_LOG;
    le_options_init(opt, size, &d, sizeof d);
}

/* Lays text i out as windows: one window, or PCW's windows of the trained
 * length (the last one right-aligned on the final tokens). */
static le_status plan_text(le_embed_call *c, size_t i, le_text_result *r) {
    const int32_t *content = c->scratch.ids;
    size_t n = c->scratch.n, special = c->nb + c->na;
    int is_pcw = c->opt->extend == LE_EXTEND_PCW;
    size_t np = is_pcw ? c->prefix.n : 0;
    size_t full = n + special + np;
    r->tokens_in_text = (int)(full > (size_t)INT32_MAX ? INT32_MAX : full);
    r->truncated = 0;
    if (full > (size_t)c->limit) {
        if (!c->opt->truncate) {
            le_status s =
                le_fail(c->err, LE_ERR_TOO_LONG,
                        "%zu tokens exceed the limit of %d (method %s, window %d); pass --truncate "
                        "to cut it, or --extend with --max-tokens to embed it whole",
                        full, c->limit, le_extend_name(c->opt->extend), le_plan_window(&c->plan));
            return le_embed_call_text_error(c, i, s);
        }
        n = (size_t)c->limit - special - np;
        r->truncated = 1;
    }
    if (!is_pcw) {
        r->tokens = (int)(n + special);
        r->chunks = 1;
        return le_embed_call_add_window(c, i, i, 0, content, n);
    }
    size_t per = (size_t)le_plan_window(&c->plan) - special - np;
    r->tokens = (int)(n + special + np);
    if (n <= per) {
        r->chunks = 1;
        return le_embed_call_add_window(c, i, i, 1, content, n);
    }
    size_t chunks = (n + per - 1) / per;
    r->chunks = (int)chunks;
    for (size_t k = 0; k < chunks; k++) {
        size_t start = k + 1 == chunks ? n - per : k * per;
        le_status s = le_embed_call_add_window(c, i, i, 1, content + start, per);
        if (s) return s;
    }
    return LE_OK;
}

/* Each text's vector: the mean of its PCW windows, normalised as asked. */
static void finish_vectors(const le_embed_call *c, size_t n, const le_text_result *res,
                           float *out) {
    int dim = c->m->cfg.hidden;
    int normalize = c->opt->normalize >= 0 ? c->opt->normalize : c->m->cfg.normalize;
    for (size_t i = 0; i < n; i++) {
        float *v = out + i * (size_t)dim;
        if (res[i].chunks > 1)
            for (int d = 0; d < dim; d++) v[d] /= (float)res[i].chunks;
        if (normalize) le_l2_normalize(v, dim);
    }
}

static le_status embed_run(le_model *m, size_t n, const le_embed_inputs *in,
                           const le_embed_options *opt_in, float *out, le_text_result *results,
                           le_window_fn fn, void *user, le_error *err) {
    le_embed_options opt;
    le_embed_options_init(&opt);
    le_status taken = le_options_take(&opt, sizeof opt, opt_in, "le_embed_options", err);
    if (taken) return taken;
    le_embed_call c;
    le_status s = le_embed_call_setup(&c, m, &opt, opt.extend == LE_EXTEND_PCW, err);
    c.on_window = fn;
    c.on_window_user = user;
    le_text_result *res = results;
    if (!s && !res && n && !(res = calloc(n, sizeof *res)))
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !s; i++)
        if (!(s = le_embed_call_input(&c, in, i))) s = plan_text(&c, i, &res[i]);
    if (!s) s = le_embed_call_run(&c, out, n);
    if (!s) finish_vectors(&c, n, res, out);
    if (res != results) free(res);
    le_embed_call_free(&c);
    return s;
}

le_status le_embed(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                   const le_embed_options *opt, float *out, le_text_result *results,
                   le_error *err) {
    if (!m || (n && (!texts || !out))) return le_fail(err, LE_ERR_ARG, "missing argument");
    le_embed_inputs in = {texts, lengths, NULL, NULL};
    return embed_run(m, n, &in, opt, out, results, NULL, NULL, err);
}

le_status le_embed_inputs_with(le_model *m, size_t n, const le_embed_inputs *in,
                               const le_embed_options *opt, float *out, le_text_result *results,
                               le_window_fn fn, void *user, le_error *err) {
    if (!m || (n && ((!in->texts && !in->ids) || !out)))
        return le_fail(err, LE_ERR_ARG, "missing argument");
    return embed_run(m, n, in, opt, out, results, fn, user, err);
}

le_status le_embed_tokens(le_model *m, size_t n, const int32_t *const *ids, const size_t *n_ids,
                          const le_embed_options *opt, float *out, le_text_result *results,
                          le_error *err) {
    if (!m || (n && (!ids || !n_ids || !out))) return le_fail(err, LE_ERR_ARG, "missing argument");
    if (opt && opt->prefix && *opt->prefix)
        return le_fail(err, LE_ERR_ARG, "a prefix cannot be added to token ids: put its ids first");
    le_embed_inputs in = {NULL, NULL, ids, n_ids};
    return embed_run(m, n, &in, opt, out, results, NULL, NULL, err);
}
