/* The shared part of an embedding call (embed_call.h): options, windows,
 * batches, the forward pass and pooling into rows. */
#include "embed/embed_call.h"

#include "base/array.h"
#include "base/finite.h"
#include "embed/pooling.h"
#include "model/arch.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH_TOKENS 8192

typedef le_embed_call embed_call;

static le_status oom(le_error *err) { return le_fail(err, LE_ERR_NOMEM, "out of memory"); }

le_status le_embed_call_text_error(embed_call *c, size_t i, le_status code) {
    le_status s = le_error_wrap(c->err, code, "text %zu", i);
    if (c->err) c->err->text_index = (long)i;
    return s;
}

static le_status push_ids(embed_call *c, const int32_t *ids, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (le_ids_push(&c->ids, ids[i])) return oom(c->err);
    return LE_OK;
}

le_status le_embed_call_add_window(embed_call *c, size_t text, size_t row, int with_prefix,
                                   const int32_t *content, size_t n) {
    if (le_array_reserve(c->win, c->cap_win, c->n_win + 1)) return oom(c->err);
    le_window *w = &c->win[c->n_win];
    *w = (le_window){.text = text, .row = row, .off = c->ids.n, .span0 = c->n_spans};
    const int32_t *prefix = with_prefix ? c->prefix.ids : NULL;
    size_t np = with_prefix ? c->prefix.n : 0;
    le_status s;
    if ((s = push_ids(c, c->before, c->nb)) || (s = push_ids(c, prefix, np)) ||
        (s = push_ids(c, content, n)) || (s = push_ids(c, c->after, c->na)))
        return s;
    w->n = (int)(c->ids.n - w->off);
    c->total_tokens += (size_t)w->n;
    c->n_win++;
    return LE_OK;
}

le_status le_embed_call_add_span(embed_call *c, int start, int end, size_t row) {
    if (!c->n_win) return le_fail(c->err, LE_ERR_INTERNAL, "a pool span without a window");
    le_window *w = &c->win[c->n_win - 1];
    if (start < 0 || end > w->n || start > end)
        return le_fail(c->err, LE_ERR_INTERNAL, "pool span [%d, %d) outside a %d-token window",
                       start, end, w->n);
    if (le_array_push(c->spans, c->n_spans, c->cap_spans, (le_pool_span){start, end, row}))
        return oom(c->err);
    w->n_spans++;
    return LE_OK;
}

/* Tokenizes text i (with the prefix in front of it, unless the prefix goes
 * alone in every window) into c->scratch. */
static le_status tokenize_text(embed_call *c, size_t i, const char *text, size_t len) {
    c->scratch.n = 0;
    const char *prefix = c->opt->prefix;
    size_t pl = prefix ? strlen(prefix) : 0;
    le_status s;
    if (pl == 0 || c->prefix_alone) {
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
    if (s) return le_embed_call_text_error(c, i, s);
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
    /* a span has no CLS token of its own: CLS models pool passages by mean */
    c->span_pooling = c->pooling == LE_POOLING_CLS ? LE_POOLING_MEAN : c->pooling;
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

/* PCW and passages repeat the prefix in every window: its ids into
 * c->prefix, and room for text beside it. */
static le_status tokenize_prefix_alone(embed_call *c, int special) {
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

/* A prefix tokenized with each text must leave room for some of it: else
 * every text is too long, or with truncate cut to the prefix alone, which
 * would embed the prefix and drop the whole text without a word. */
static le_status check_prefix_room(embed_call *c, int special) {
    const char *p = c->opt->prefix;
    if (!p || !*p) return LE_OK;
    le_ids ids = {0};
    le_status s = le_tokenizer_encode(c->m->tok, p, strlen(p), &ids, c->err);
    size_t n = ids.n;
    le_ids_free(&ids);
    if (s) return le_error_wrap(c->err, s, "prefix");
    if ((size_t)c->limit < n + (size_t)special + 1)
        return le_fail(c->err, LE_ERR_ARG,
                       "the prefix takes %zu tokens: with %d special tokens it leaves no room "
                       "for text within the limit of %d tokens",
                       n, special, c->limit);
    return LE_OK;
}

le_status le_embed_call_setup(embed_call *c, le_model *m, const le_embed_options *opt,
                              int prefix_alone, le_error *err) {
    memset(c, 0, sizeof *c);
    c->m = m;
    c->opt = opt;
    c->err = err;
    c->prefix_alone = prefix_alone;
    le_status s = check_values(c);
    if (s) return s;
    le_tokenizer_template(c->m->tok, &c->before, &c->nb, &c->after, &c->na);
    int special = (int)(c->nb + c->na);
    if ((s = plan_positions(c, special)) || (s = plan_method(c)) || (s = set_limit(c, special)))
        return s;
    if (prefix_alone) return tokenize_prefix_alone(c, special);
    return check_prefix_room(c, special);
}

void le_embed_call_free(embed_call *c) {
    free(c->win);
    free(c->spans);
    le_ids_free(&c->ids);
    le_ids_free(&c->prefix);
    le_ids_free(&c->scratch);
    memset(c, 0, sizeof *c);
}

/* One window's ids and position plan. */
static le_status plan_window(embed_call *c, const le_window *win, le_seq *q, int32_t *rows,
                             float *frac) {
    q->ids = c->ids.ids + win->off;
    q->n = win->n;
    return le_plan_sequence(&c->plan, win->n, rows, frac, &q->plan, c->err);
}

/* Pools window w (its token states at h) into its row and its spans' rows. */
static le_status pool_window(embed_call *c, const le_window *w, const float *h, float *out) {
    size_t dim = (size_t)c->m->cfg.hidden;
    if (w->row != LE_EMBED_NO_ROW &&
        le_pooling_add(h, w->n, (int)dim, c->pooling, out + w->row * dim))
        return oom(c->err);
    for (size_t k = w->span0; k < w->span0 + w->n_spans; k++) {
        const le_pool_span *sp = &c->spans[k];
        if (le_pooling_add(h + (size_t)sp->start * dim, sp->end - sp->start, (int)dim,
                           c->span_pooling, out + sp->row * dim))
            return oom(c->err);
    }
    return LE_OK;
}

/* Runs windows [w0, w1) as one batch and adds their pooled vectors to out. */
static le_status run_batch(embed_call *c, size_t w0, size_t w1, float *out, int32_t *rows,
                           float *frac, le_seq *seqs) {
    le_model *m = c->m;
    size_t off = 0;
    le_status s;
    for (size_t w = w0; w < w1; w++) {
        const le_window *win = &c->win[w];
        if ((s = plan_window(c, win, &seqs[w - w0], rows + off, frac + off)))
            return le_embed_call_text_error(c, win->text, s);
        off += (size_t)win->n;
    }
    const float *hidden;
    s = le_encoder_forward(&m->enc, &m->kc, seqs, (int)(w1 - w0), &m->scratch, &hidden, c->err);
    if (s) return s;
    int dim = m->cfg.hidden;
    off = 0;
    for (size_t w = w0; w < w1; w++) {
        const float *h = hidden + off * (size_t)dim;
        size_t n = (size_t)c->win[w].n * (size_t)dim;
        if (le_first_non_finite(h, n) < n) { /* damaged weights: no vector, whatever the pooling */
            le_fail(c->err, LE_ERR_FORMAT,
                    "the model computed a NaN or infinity (are its weights damaged? `longembed "
                    "info --check` looks)");
            return le_embed_call_text_error(c, c->win[w].text, LE_ERR_FORMAT);
        }
        if ((s = pool_window(c, &c->win[w], h, out))) return s;
        if (c->on_window &&
            (s = c->on_window(c->on_window_user, &c->win[w], c->ids.ids + c->win[w].off, h)))
            return s;
        off += (size_t)c->win[w].n;
    }
    return LE_OK;
}

le_status le_embed_call_run(embed_call *c, float *out, size_t n_rows) {
    size_t budget = c->opt->batch_tokens ? (size_t)c->opt->batch_tokens : DEFAULT_BATCH_TOKENS;
    size_t most = budget;
    for (size_t w = 0; w < c->n_win; w++)
        if ((size_t)c->win[w].n > most) most = (size_t)c->win[w].n;
    if (n_rows) memset(out, 0, n_rows * (size_t)c->m->cfg.hidden * sizeof(float));
    if (!c->n_win) return LE_OK;
    int32_t *rows = malloc(most * sizeof *rows);
    float *frac = malloc(most * sizeof *frac);
    le_seq *seqs = malloc(most * sizeof *seqs);
    le_status s = rows && frac && seqs ? LE_OK : oom(c->err);
    /* windows in order, packed by the token budget; a window longer than the
     * budget runs alone */
    size_t done = 0;
    for (size_t w0 = 0; w0 < c->n_win && !s;) {
        if (c->opt->cancel && c->opt->cancel(c->opt->progress_user)) {
            s = le_fail(c->err, LE_ERR_CANCELLED, "cancelled by the caller");
            break;
        }
        size_t w1 = w0, tokens = 0;
        while (w1 < c->n_win && (w1 == w0 || tokens + (size_t)c->win[w1].n <= budget))
            tokens += (size_t)c->win[w1++].n;
        s = run_batch(c, w0, w1, out, rows, frac, seqs);
        done += tokens;
        if (!s && c->opt->progress) c->opt->progress(done, c->total_tokens, c->opt->progress_user);
        w0 = w1;
    }
    free(rows);
    free(frac);
    free(seqs);
    return s;
}

le_status le_embed_call_input(embed_call *c, const le_embed_inputs *in, size_t i) {
    if (in->texts) {
        if (!in->texts[i])
            return le_embed_call_text_error(c, i, le_fail(c->err, LE_ERR_ARG, "NULL"));
        size_t len = in->lengths ? in->lengths[i] : strlen(in->texts[i]);
        return tokenize_text(c, i, in->texts[i], len);
    }
    c->scratch.n = 0;
    if (in->n_ids[i] && !in->ids[i])
        return le_embed_call_text_error(c, i, le_fail(c->err, LE_ERR_ARG, "NULL"));
    for (size_t k = 0; k < in->n_ids[i]; k++)
        if (le_ids_push(&c->scratch, in->ids[i][k])) return oom(c->err);
    return LE_OK;
}
