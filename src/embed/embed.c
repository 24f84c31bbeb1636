/* le_embed: texts → token ids → windows with their position plans → packed
 * batches → encoder → pooled, (averaged,) normalised vectors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/options.h"
#include "embed/model.h"
#include "embed/pooling.h"
#include "extend/plan.h"
#include "kernels/ops.h"
#include "model/arch.h"

#define DEFAULT_BATCH_TOKENS 8192

void le_embed_options_init_size(le_embed_options *opt, size_t size) {
    le_embed_options d;
    memset(&d, 0, sizeof d);
    d.normalize = -1;
    d.extend = LE_EXTEND_NONE;
    d.attn_scale = LE_ATTN_SCALE_LOG;
    le_options_init(opt, size, &d, sizeof d);
}

/* One forward window: a slice of the id buffer with its special tokens,
 * belonging to text `text`. */
typedef struct window {
    size_t text;
    size_t off; /* into the id buffer */
    int n;
} window;

typedef struct embed_call {
    le_model *m;
    const le_embed_options *opt;
    le_plan_spec plan;
    le_pooling pooling;
    int limit; /* most tokens per text, specials included */
    const int32_t *before, *after;
    size_t nb, na;
    le_ids ids;     /* every window's ids, back to back */
    le_ids prefix;  /* the prefix's ids alone (PCW repeats them per window) */
    le_ids scratch; /* one text's content ids */
    window *win;
    size_t n_win, cap_win;
    size_t total_tokens;
    le_error *err;
} embed_call;

static le_status oom(le_error *err) { return le_fail(err, LE_ERR_NOMEM, "out of memory"); }

/* Names text i in the message and in err->text_index. */
static le_status text_error(embed_call *c, size_t i, le_status code) {
    le_status s = le_error_wrap(c->err, code, "text %zu", i);
    if (c->err) c->err->text_index = (long)i;
    return s;
}

static le_status push_ids(embed_call *c, const int32_t *ids, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (le_ids_push(&c->ids, ids[i])) return oom(c->err);
    return LE_OK;
}

/* Appends one window: specials before, [prefix], content[0..n), specials after. */
static le_status add_window(embed_call *c, size_t text, const int32_t *prefix, size_t np,
                            const int32_t *content, size_t n) {
    if (le_array_reserve(c->win, c->cap_win, c->n_win + 1)) return oom(c->err);
    window *w = &c->win[c->n_win];
    w->text = text;
    w->off = c->ids.n;
    le_status s;
    if ((s = push_ids(c, c->before, c->nb)) || (s = push_ids(c, prefix, np)) ||
        (s = push_ids(c, content, n)) || (s = push_ids(c, c->after, c->na)))
        return s;
    w->n = (int)(c->ids.n - w->off);
    c->total_tokens += (size_t)w->n;
    c->n_win++;
    return LE_OK;
}

/* Tokenizes text i (with the prefix in front of it) into c->scratch. */
static le_status tokenize_text(embed_call *c, size_t i, const char *text, size_t len) {
    c->scratch.n = 0;
    const char *prefix = c->opt->prefix;
    size_t pl = prefix ? strlen(prefix) : 0;
    le_status s;
    if (pl == 0 || c->opt->extend == LE_EXTEND_PCW) {
        /* PCW repeats the prefix per window, so the text is tokenized alone */
        s = le_tokenizer_encode(c->m->tok, text, len, &c->scratch, c->err);
    } else {
        char *joined = malloc(pl + len + 1);
        if (!joined) return oom(c->err);
        memcpy(joined, prefix, pl);
        memcpy(joined + pl, text, len);
        joined[pl + len] = 0;
        s = le_tokenizer_encode(c->m->tok, joined, pl + len, &c->scratch, c->err);
        free(joined);
        /* name the offset within the caller's text, not the joined one */
        if (s == LE_ERR_UTF8) {
            c->scratch.n = 0;
            s = le_tokenizer_encode(c->m->tok, text, len, &c->scratch, c->err);
            if (!s) s = le_fail(c->err, LE_ERR_UTF8, "the prefix is not valid UTF-8");
        }
    }
    if (s) return text_error(c, i, s);
    return LE_OK;
}

/* Lays text i out as windows: one window, or PCW's windows of the trained
 * length (the last one right-aligned on the final tokens). */
static le_status plan_text(embed_call *c, size_t i, le_text_result *r) {
    const int32_t *content = c->scratch.ids;
    size_t n = c->scratch.n, special = c->nb + c->na;
    int is_pcw = c->opt->extend == LE_EXTEND_PCW;
    size_t np = is_pcw ? c->prefix.n : 0;
    size_t full = n + special + np;
    r->tokens_in_text = (int)(full > (size_t)INT32_MAX ? INT32_MAX : full);
    r->truncated = 0;
    if (full > (size_t)c->limit) {
        if (!c->opt->truncate) {
            le_status s = le_fail(
                c->err, LE_ERR_TOO_LONG,
                "%zu tokens exceed the limit of %d (method %s, window %d); pass --truncate "
                "to cut it, or --extend with --max-tokens to embed it whole",
                full, c->limit, le_extend_name(c->opt->extend), le_plan_window(&c->plan));
            return text_error(c, i, s);
        }
        n = (size_t)c->limit - special - np;
        r->truncated = 1;
    }
    if (!is_pcw) {
        r->tokens = (int)(n + special);
        r->chunks = 1;
        return add_window(c, i, NULL, 0, content, n);
    }
    size_t per = (size_t)le_plan_window(&c->plan) - special - np;
    r->tokens = (int)(n + special + np);
    if (n <= per) {
        r->chunks = 1;
        return add_window(c, i, c->prefix.ids, np, content, n);
    }
    size_t chunks = (n + per - 1) / per;
    r->chunks = (int)chunks;
    for (size_t k = 0; k < chunks; k++) {
        size_t start = k + 1 == chunks ? n - per : k * per;
        le_status s = add_window(c, i, c->prefix.ids, np, content + start, per);
        if (s) return s;
    }
    return LE_OK;
}

/* The option values on their own: ranges and known names; sets c->pooling. */
static le_status check_values(embed_call *c) {
    const le_embed_options *o = c->opt;
    le_error *err = c->err;
    if (o->max_tokens < 0) return le_fail(err, LE_ERR_ARG, "max_tokens must be >= 0");
    if (o->batch_tokens < 0) return le_fail(err, LE_ERR_ARG, "batch_tokens must be >= 0");
    if (o->normalize < -1 || o->normalize > 1)
        return le_fail(err, LE_ERR_ARG, "normalize must be -1, 0 or 1");
    if (o->extend < LE_EXTEND_NONE || o->extend > LE_EXTEND_SELFEXTEND)
        return le_fail(err, LE_ERR_ARG, "unknown extension method %d", (int)o->extend);
    if (o->attn_scale != LE_ATTN_SCALE_LOG && o->attn_scale != LE_ATTN_SCALE_NONE)
        return le_fail(err, LE_ERR_ARG, "unknown attention scaling %d", (int)o->attn_scale);
    c->pooling = c->m->cfg.pooling;
    if (o->pooling && le_pooling_parse(o->pooling, &c->pooling))
        return le_fail(err, LE_ERR_ARG, "unknown pooling \"%s\" (cls, mean, max)", o->pooling);
    return LE_OK;
}

/* The model's positions into c->plan: a table's rows and the position
 * stride, or the RoPE / ALiBi window; each must leave room for the
 * `special` template tokens and one more. */
static le_status plan_positions(embed_call *c, int special) {
    const le_embed_options *o = c->opt;
    const le_model *m = c->m;
    le_error *err = c->err;
    const int rows = m->cfg.max_positions;
    c->plan.pos = m->cfg.pos;
    c->plan.table_rows = rows; /* RoPE and ALiBi: the window */
    c->plan.stride = 1;
    if (m->cfg.pos != LE_POS_TABLE) {
        if (o->position_stride > 1)
            return le_fail(err, LE_ERR_ARG,
                           "a position stride needs a learned position table; this model has %s",
                           m->cfg.pos == LE_POS_ROPE ? "RoPE" : "ALiBi");
        if (rows < special + 1)
            return le_fail(err, LE_ERR_ARG, "a window of %d tokens leaves no room for text", rows);
        return LE_OK;
    }
    int stride = o->position_stride ? o->position_stride : m->position_stride;
    if (o->position_stride < 0) return le_fail(err, LE_ERR_ARG, "position stride must be >= 1");
    if (rows % stride)
        return le_fail(err, LE_ERR_ARG,
                       "position stride %d does not divide the %d-row position table", stride,
                       rows);
    if (rows / stride < special + 1)
        return le_fail(err, LE_ERR_ARG,
                       "position stride %d overflows the %d-row position table (a window of "
                       "%d tokens)",
                       stride, rows, rows / stride);
    c->plan.stride = stride;
    return LE_OK;
}

/* The method and its parameters into c->plan, with the model's own RoPE
 * scaling as asked; the planner checks that they fit the model. */
static le_status plan_method(embed_call *c) {
    const le_embed_options *o = c->opt;
    const le_model *m = c->m;
    le_error *err = c->err;
    if (!(o->rotary_scaling_factor == o->rotary_scaling_factor) || o->rotary_scaling_factor > 1e6)
        return le_fail(err, LE_ERR_ARG, "rotary_scaling_factor must be a number up to 1e6");
    if (o->rotary_scaling_factor != 0 && !m->cfg.arch->own_rope_scaling)
        return le_fail(err, LE_ERR_ARG,
                       "rotary_scaling_factor is nomic-bert's own rotary scaling; this model is "
                       "%s",
                       m->cfg.arch->name);
    c->plan.method = o->extend;
    c->plan.attn_scale = o->attn_scale;
    c->plan.methods = m->cfg.arch->methods;
    c->plan.dynamic_factor = o->rotary_scaling_factor > 0   ? o->rotary_scaling_factor
                             : o->rotary_scaling_factor < 0 ? 0
                                                            : m->cfg.rope_dynamic_factor;
    c->plan.target = o->max_tokens;
    c->plan.ntk_lambda = o->ntk_lambda;
    c->plan.rope_factor = o->rope_factor;
    c->plan.se_group = o->se_group;
    c->plan.se_window = o->se_window;
    return le_plan_check(&c->plan, err);
}

/* c->limit, the most tokens of one text (special tokens included): the
 * caller's max_tokens, or what the method allows. */
static le_status set_limit(embed_call *c, int special) {
    const le_embed_options *o = c->opt;
    /* ALiBi has no table: method none runs past the window when asked to */
    int alibi_none = c->plan.pos == LE_POS_ALIBI && o->extend == LE_EXTEND_NONE;
    int cap = alibi_none ? LE_PLAN_MAX_TOKENS : le_plan_max_tokens(&c->plan);
    if (o->max_tokens > cap)
        return le_fail(c->err, LE_ERR_ARG,
                       "max_tokens %d exceeds the %d tokens that method %s allows for this model",
                       o->max_tokens, cap, le_extend_name(o->extend));
    c->limit = o->max_tokens ? o->max_tokens : alibi_none ? c->plan.table_rows : cap;
    if (c->limit < special + 1)
        return le_fail(c->err, LE_ERR_ARG,
                       "max_tokens %d leaves no room for text (%d special tokens)", c->limit,
                       special);
    return LE_OK;
}

/* PCW repeats the prefix in every window: its ids into c->prefix, and room
 * for text beside it. */
static le_status tokenize_pcw_prefix(embed_call *c, int special) {
    le_error *err = c->err;
    const char *p = c->opt->prefix ? c->opt->prefix : "";
    le_status s = le_tokenizer_encode(c->m->tok, p, strlen(p), &c->prefix, err);
    if (s) return le_error_wrap(err, s, "prefix");
    if ((int)c->prefix.n + special >= le_plan_window(&c->plan))
        return le_fail(err, LE_ERR_ARG, "the prefix leaves no room in a %d-token window",
                       le_plan_window(&c->plan));
    if (c->limit < (int)c->prefix.n + special + 1)
        return le_fail(err, LE_ERR_ARG, "max_tokens %d leaves no room for text", c->limit);
    return LE_OK;
}

/* Checks the options against the model and sets up the call: pooling,
 * the special tokens, the position plan's spec, the limit per text. */
static le_status check_options(embed_call *c) {
    le_status s = check_values(c);
    if (s) return s;
    le_tokenizer_template(c->m->tok, &c->before, &c->nb, &c->after, &c->na);
    int special = (int)(c->nb + c->na);
    if ((s = plan_positions(c, special)) || (s = plan_method(c)) || (s = set_limit(c, special)))
        return s;
    if (c->opt->extend == LE_EXTEND_PCW) return tokenize_pcw_prefix(c, special);
    return LE_OK;
}

/* One window's ids and position plan. */
static le_status plan_window(embed_call *c, const window *win, le_seq *q, int32_t *rows,
                             float *frac) {
    q->ids = c->ids.ids + win->off;
    q->n = win->n;
    return le_plan_sequence(&c->plan, win->n, rows, frac, &q->plan, c->err);
}

/* Runs windows [w0, w1) as one batch and adds their pooled vectors to out. */
static le_status run_batch(embed_call *c, size_t w0, size_t w1, float *out, int32_t *rows,
                           float *frac, le_seq *seqs) {
    le_model *m = c->m;
    size_t off = 0;
    le_status s;
    for (size_t w = w0; w < w1; w++) {
        const window *win = &c->win[w];
        if ((s = plan_window(c, win, &seqs[w - w0], rows + off, frac + off)))
            return text_error(c, win->text, s);
        off += (size_t)win->n;
    }
    const float *hidden;
    s = le_encoder_forward(&m->enc, &m->kc, seqs, (int)(w1 - w0), &m->scratch, &hidden, c->err);
    if (s) return s;
    int dim = m->cfg.hidden;
    off = 0;
    for (size_t w = w0; w < w1; w++) {
        const window *win = &c->win[w];
        if (le_pooling_add(hidden + off * (size_t)dim, win->n, dim, c->pooling,
                           out + win->text * (size_t)dim))
            return oom(c->err);
        off += (size_t)win->n;
    }
    return LE_OK;
}

/* Where one call's inputs come from: texts to tokenize, or ids given. */
typedef struct embed_inputs {
    const char *const *texts;
    const size_t *lengths;
    const int32_t *const *ids;
    const size_t *n_ids;
} embed_inputs;

/* Fills c->scratch with the content ids of input i. */
static le_status input_ids(embed_call *c, const embed_inputs *in, size_t i) {
    if (in->texts) {
        if (!in->texts[i]) return text_error(c, i, le_fail(c->err, LE_ERR_ARG, "NULL"));
        size_t len = in->lengths ? in->lengths[i] : strlen(in->texts[i]);
        return tokenize_text(c, i, in->texts[i], len);
    }
    c->scratch.n = 0;
    if (in->n_ids[i] && !in->ids[i]) return text_error(c, i, le_fail(c->err, LE_ERR_ARG, "NULL"));
    for (size_t k = 0; k < in->n_ids[i]; k++)
        if (le_ids_push(&c->scratch, in->ids[i][k])) return oom(c->err);
    return LE_OK;
}

static le_status embed_run(le_model *m, size_t n, const embed_inputs *in,
                           const le_embed_options *opt_in, float *out, le_text_result *results,
                           le_error *err) {
    le_embed_options opt;
    le_embed_options_init(&opt);
    le_status taken = le_options_take(&opt, sizeof opt, opt_in, "le_embed_options", err);
    if (taken) return taken;
    embed_call c = {0};
    c.m = m;
    c.opt = &opt;
    c.err = err;
    le_status s = check_options(&c);
    int32_t *rows = NULL;
    float *frac = NULL;
    le_seq *seqs = NULL;
    le_text_result *res = results;
    if (!s && !res && n && !(res = calloc(n, sizeof *res))) s = oom(err);
    for (size_t i = 0; i < n && !s; i++) {
        if ((s = input_ids(&c, in, i))) break;
        s = plan_text(&c, i, &res[i]);
    }
    int dim = m->cfg.hidden;
    if (!s && n) memset(out, 0, n * (size_t)dim * sizeof(float));
    size_t budget = opt.batch_tokens ? (size_t)opt.batch_tokens : DEFAULT_BATCH_TOKENS;
    size_t most = budget;
    for (size_t w = 0; w < c.n_win; w++)
        if ((size_t)c.win[w].n > most) most = (size_t)c.win[w].n;
    if (!s && c.n_win) {
        rows = malloc(most * sizeof *rows);
        frac = malloc(most * sizeof *frac);
        seqs = malloc(most * sizeof *seqs);
        if (!rows || !frac || !seqs) s = oom(err);
    }
    /* windows in input order, packed by the token budget; a window longer
     * than the budget runs alone */
    size_t done = 0;
    for (size_t w0 = 0; w0 < c.n_win && !s;) {
        size_t w1 = w0, tokens = 0;
        while (w1 < c.n_win && (w1 == w0 || tokens + (size_t)c.win[w1].n <= budget))
            tokens += (size_t)c.win[w1++].n;
        s = run_batch(&c, w0, w1, out, rows, frac, seqs);
        done += tokens;
        if (!s && opt.progress) opt.progress(done, c.total_tokens, opt.progress_user);
        w0 = w1;
    }
    int normalize = opt.normalize >= 0 ? opt.normalize : m->cfg.normalize;
    for (size_t i = 0; i < n && !s; i++) {
        float *v = out + i * (size_t)dim;
        if (res[i].chunks > 1)
            for (int d = 0; d < dim; d++) v[d] /= (float)res[i].chunks;
        if (normalize) le_l2_normalize(v, dim);
    }
    if (res != results) free(res);
    free(rows);
    free(frac);
    free(seqs);
    free(c.win);
    le_ids_free(&c.ids);
    le_ids_free(&c.prefix);
    le_ids_free(&c.scratch);
    return s;
}

le_status le_embed(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                   const le_embed_options *opt, float *out, le_text_result *results,
                   le_error *err) {
    if (!m || (n && (!texts || !out))) return le_fail(err, LE_ERR_ARG, "missing argument");
    embed_inputs in = {texts, lengths, NULL, NULL};
    return embed_run(m, n, &in, opt, out, results, err);
}

le_status le_embed_tokens(le_model *m, size_t n, const int32_t *const *ids, const size_t *n_ids,
                          const le_embed_options *opt, float *out, le_text_result *results,
                          le_error *err) {
    if (!m || (n && (!ids || !n_ids || !out))) return le_fail(err, LE_ERR_ARG, "missing argument");
    if (opt && opt->prefix && *opt->prefix)
        return le_fail(err, LE_ERR_ARG, "a prefix cannot be added to token ids: put its ids first");
    embed_inputs in = {NULL, NULL, ids, n_ids};
    return embed_run(m, n, &in, opt, out, results, err);
}
