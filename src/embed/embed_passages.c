/* le_embed_passages: texts → token ids → aligned units → passages
 * (passages.h) → windows: one per passage (chunk), or whole stretches of the
 * text with each passage a pool span (late chunking) → vectors per passage,
 * and per text the mean of its passages. */
#include "embed/embed_passages.h"

#include "base/array.h"
#include "base/options.h"
#include "kernels/ops.h"

#include <stdlib.h>
#include <string.h>

struct le_passages {
    size_t n_texts, count;
    int dim;
    le_passage *spans;
    size_t cap;
    size_t *first; /* [n_texts + 1]: text i's passages are [first[i], first[i + 1]) */
    float *vectors;
    float *documents;
};

static const char *const g_mode_names[] = {"chunk", "late"};

const char *le_passage_mode_name(le_passage_mode m) {
    return m == LE_PASSAGE_CHUNK || m == LE_PASSAGE_LATE ? g_mode_names[m] : "?";
}

le_status le_passage_mode_parse(const char *s, le_passage_mode *out, le_error *err) {
    for (int m = 0; m < 2; m++)
        if (s && !strcmp(s, g_mode_names[m])) {
            *out = (le_passage_mode)m;
            return LE_OK;
        }
    return le_fail(err, LE_ERR_ARG, "unknown passage mode \"%s\" (chunk, late)", s ? s : "");
}

void le_passage_options_init_size(le_passage_options *opt, size_t size) {
    le_passage_options d;
    memset(&d, 0, sizeof d);
    d.mode = LE_PASSAGE_CHUNK;
    d.overlap = -1; /* an eighth of the passage (docs/retrieval.md) */
    le_options_init(opt, size, &d, sizeof d);
}

static le_status oom(le_error *err) { return le_fail(err, LE_ERR_NOMEM, "out of memory"); }

/* The model's window for one passage: the smaller of its positions and its
 * sentence-transformers max_seq_length. */
static int passage_window(const le_embed_call *c) {
    int w = le_plan_window(&c->plan), st = c->m->cfg.st_max_seq_length;
    return st > 0 && st < w ? st : w;
}

/* The passage size and overlap of this call (the overlap's default, -1:
 * an eighth of the passage, rounded up), checked against the windows they
 * must fit: one model window (chunk) or the call's limit (late). */
static le_status passage_size(const le_embed_call *c, const le_passage_options *po, int *size,
                              int *overlap) {
    int frame = (int)(c->nb + c->na + c->prefix.n);
    if (po->mode != LE_PASSAGE_CHUNK && po->mode != LE_PASSAGE_LATE)
        return le_fail(c->err, LE_ERR_ARG, "unknown passage mode %d", (int)po->mode);
    if (po->tokens < 0) return le_fail(c->err, LE_ERR_ARG, "passage tokens must be >= 0");
    int room = (po->mode == LE_PASSAGE_CHUNK ? le_plan_window(&c->plan) : c->limit) - frame;
    *size = po->tokens ? po->tokens : passage_window(c) - frame;
    if (*size < 1 || *size > room)
        return le_fail(c->err, LE_ERR_ARG,
                       "passages of %d tokens do not fit a %s window of %d tokens with %d special "
                       "and prefix tokens (at most %d)",
                       *size, po->mode == LE_PASSAGE_CHUNK ? "model" : "late-chunking",
                       room + frame, frame, room);
    *overlap = po->overlap == -1 ? (*size + 7) / 8 : po->overlap;
    if (*size == 1 && po->overlap == -1) *overlap = 0;
    if (*overlap < 0 || *overlap >= *size)
        return le_fail(c->err, LE_ERR_ARG, "passage overlap %d must be >= 0 and < %d tokens",
                       po->overlap, *size);
    return LE_OK;
}

/* The caller's embedding and passage options (NULL: defaults) into opt
 * and po, through le_options_take. */
static le_status take_options(const le_embed_options *opt_in, const le_passage_options *popt,
                              le_embed_options *opt, le_passage_options *po, le_error *err) {
    le_embed_options_init(opt);
    le_passage_options_init(po);
    le_status s = le_options_take(opt, sizeof *opt, opt_in, "le_embed_options", err);
    if (!s) s = le_options_take(po, sizeof *po, popt, "le_passage_options", err);
    return s;
}

le_status le_passage_tokens(le_model *m, const le_embed_options *opt_in,
                            const le_passage_options *popt, int *tokens, int *overlap,
                            le_error *err) {
    if (!m || !tokens) return le_fail(err, LE_ERR_ARG, "missing argument");
    le_embed_options opt;
    le_passage_options po;
    le_status s = take_options(opt_in, popt, &opt, &po, err);
    if (s) return s;
    le_embed_call c;
    s = le_embed_call_setup(&c, m, &opt, 1, err);
    int ov = 0;
    if (!s) s = passage_size(&c, &po, tokens, &ov);
    if (!s && overlap) *overlap = ov;
    le_embed_call_free(&c);
    return s;
}

/* Chunk: every passage a window of its own, pooled into its row. */
static le_status layout_chunk(le_embed_call *c, size_t text, const int32_t *ids, const le_span *ps,
                              size_t n, size_t row0, int *windows) {
    for (size_t k = 0; k < n; k++) {
        le_status s = le_embed_call_add_window(c, text, row0 + k, 1, ids + ps[k].tok_start,
                                               (size_t)(ps[k].tok_end - ps[k].tok_start));
        if (s) return s;
    }
    *windows = (int)n;
    return LE_OK;
}

/* Late: windows of consecutive passages (as many as fit the limit), each
 * passage a pool span of its window. */
static le_status layout_late(le_embed_call *c, size_t text, const int32_t *ids, const le_span *ps,
                             size_t n, size_t row0, int *windows) {
    int frame = (int)(c->nb + c->prefix.n);
    int room = c->limit - (int)(c->nb + c->na + c->prefix.n);
    *windows = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ps[j].tok_end - ps[i].tok_start <= room) j++;
        int a0 = ps[i].tok_start, b0 = ps[j - 1].tok_end;
        le_status s =
            le_embed_call_add_window(c, text, LE_EMBED_NO_ROW, 1, ids + a0, (size_t)(b0 - a0));
        for (size_t k = i; k < j && !s; k++) {
            int a = frame + ps[k].tok_start - a0, b = frame + ps[k].tok_end - a0;
            /* a passage without tokens (an empty text) pools its whole window */
            if (a == b) a = 0, b = c->win[c->n_win - 1].n;
            s = le_embed_call_add_span(c, a, b, row0 + k);
        }
        if (s) return s;
        ++*windows;
        i = j;
    }
    return LE_OK;
}

le_status le_embed_call_add_passages(le_embed_call *c, le_passage_mode mode, size_t text,
                                     const int32_t *ids, const le_span *ps, size_t n, size_t row0,
                                     int *windows) {
    int frame = (int)(c->nb + c->na + c->prefix.n);
    int room = (mode == LE_PASSAGE_CHUNK ? le_plan_window(&c->plan) : c->limit) - frame;
    for (size_t k = 0; k < n; k++)
        if (ps[k].tok_end - ps[k].tok_start > room || ps[k].tok_start < 0 ||
            ps[k].tok_end < ps[k].tok_start || (k && ps[k].tok_start < ps[k - 1].tok_start))
            return le_fail(c->err, LE_ERR_ARG,
                           "passage %zu [%d, %d) is out of order or longer than the %d tokens a "
                           "window holds",
                           k, ps[k].tok_start, ps[k].tok_end, room);
    return mode == LE_PASSAGE_LATE ? layout_late(c, text, ids, ps, n, row0, windows)
                                   : layout_chunk(c, text, ids, ps, n, row0, windows);
}

/* Text i: its ids, units, passages (appended to p), and their windows;
 * po's size and overlap are resolved. */
static le_status plan_text(le_embed_call *c, const le_embed_inputs *in, size_t i,
                           const le_passage_options *po, le_passages *p, le_text_result *r) {
    le_status s = le_embed_call_input(c, in, i);
    if (s) return s;
    const char *text = in->texts[i];
    size_t len = in->lengths ? in->lengths[i] : strlen(text);
    le_spans units = {0}, ps = {0};
    if (!(s = le_passages_align(c->m->tok, text, len, c->scratch.ids, c->scratch.n, &units,
                                c->err)))
        s = le_passages_plan(&units, po->tokens, po->overlap, &ps, c->err);
    size_t row0 = p->count;
    for (size_t k = 0; k < ps.n && !s; k++) {
        const le_span *sp = &ps.v[k];
        if (le_array_push(p->spans, p->count, p->cap,
                          (le_passage){i, sp->byte_start, sp->byte_end, sp->tok_start, sp->tok_end,
                                       sp->exact}))
            s = oom(c->err);
    }
    int windows = 0;
    if (!s)
        s = le_embed_call_add_passages(c, po->mode, i, c->scratch.ids, ps.v, ps.n, row0, &windows);
    size_t all = c->scratch.n + c->nb + c->na + c->prefix.n;
    r->tokens = r->tokens_in_text = (int)(all > INT32_MAX ? INT32_MAX : all);
    r->truncated = 0;
    r->chunks = windows;
    le_spans_free(&units);
    le_spans_free(&ps);
    return s ? le_embed_call_text_error(c, i, s) : LE_OK;
}

/* Normalises the passage vectors as the model (or the options) say, and
 * makes each text's document vector: the mean of its passages, normalised. */
static void finish(const le_embed_call *c, le_passages *p) {
    int dim = p->dim, normalize = c->opt->normalize >= 0 ? c->opt->normalize : c->m->cfg.normalize;
    if (normalize)
        for (size_t k = 0; k < p->count; k++) le_l2_normalize(p->vectors + k * (size_t)dim, dim);
    for (size_t i = 0; i < p->n_texts; i++) {
        float *d = p->documents + i * (size_t)dim;
        size_t a = p->first[i], b = p->first[i + 1];
        for (size_t k = a; k < b; k++)
            for (int x = 0; x < dim; x++) d[x] += p->vectors[k * (size_t)dim + x];
        for (int x = 0; x < dim && b > a; x++) d[x] /= (float)(b - a);
        if (normalize) le_l2_normalize(d, dim);
    }
}

/* Every text's passages laid out, then one run over all windows. */
static le_status embed_all(le_embed_call *c, size_t n, const le_embed_inputs *in,
                           const le_passage_options *po, le_passages *p, le_text_result *res) {
    le_passage_options rp = *po; /* with the size and overlap resolved */
    le_status s = passage_size(c, po, &rp.tokens, &rp.overlap);
    for (size_t i = 0; i < n && !s; i++) {
        p->first[i] = p->count;
        s = plan_text(c, in, i, &rp, p, &res[i]);
    }
    if (s) return s;
    p->first[n] = p->count;
    p->vectors = malloc((p->count ? p->count : 1) * (size_t)p->dim * sizeof(float));
    p->documents = calloc(n ? n : 1, (size_t)p->dim * sizeof(float));
    if (!p->vectors || !p->documents) return oom(c->err);
    if ((s = le_embed_call_run(c, p->vectors, p->count))) return s;
    finish(c, p);
    return LE_OK;
}

le_status le_embed_passages(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                            const le_embed_options *opt_in, const le_passage_options *popt,
                            le_passages **out, le_text_result *results, le_error *err) {
    return le_embed_passages_with(m, n, texts, lengths, opt_in, popt, out, results, NULL, NULL,
                                  err);
}

le_status le_embed_passages_with(le_model *m, size_t n, const char *const *texts,
                                 const size_t *lengths, const le_embed_options *opt_in,
                                 const le_passage_options *popt, le_passages **out,
                                 le_text_result *results, le_window_fn fn, void *user,
                                 le_error *err) {
    if (out) *out = NULL;
    if (!m || !out || (n && !texts)) return le_fail(err, LE_ERR_ARG, "missing argument");
    for (size_t i = 0; i < n; i++)
        if (!texts[i]) {
            le_status s = le_error_wrap(err, le_fail(err, LE_ERR_ARG, "NULL"), "text %zu", i);
            if (err) err->text_index = (long)i;
            return s;
        }
    le_embed_options opt;
    le_passage_options po;
    le_status taken = take_options(opt_in, popt, &opt, &po, err);
    if (taken) return taken;
    le_passages *p = calloc(1, sizeof *p);
    le_text_result *res = results ? results : calloc(n ? n : 1, sizeof *res);
    if (p) p->first = calloc(n + 1, sizeof *p->first);
    if (!p || !res || !p->first) {
        if (res != results) free(res);
        le_passages_free(p);
        return oom(err);
    }
    p->n_texts = n;
    p->dim = m->cfg.hidden;
    le_embed_call c;
    le_embed_inputs in = {texts, lengths, NULL, NULL};
    le_status s = le_embed_call_setup(&c, m, &opt, 1, err);
    c.on_window = fn;
    c.on_window_user = user;
    if (!s) s = embed_all(&c, n, &in, &po, p, res);
    le_embed_call_free(&c);
    if (res != results) free(res);
    if (s)
        le_passages_free(p);
    else
        *out = p;
    return s;
}

size_t le_passages_count(const le_passages *p) { return p ? p->count : 0; }
int le_passages_dim(const le_passages *p) { return p ? p->dim : 0; }
const le_passage *le_passages_spans(const le_passages *p) { return p ? p->spans : NULL; }
const float *le_passages_vectors(const le_passages *p) { return p ? p->vectors : NULL; }
const float *le_passages_documents(const le_passages *p) { return p ? p->documents : NULL; }

void le_passages_of(const le_passages *p, size_t text, size_t *first, size_t *count) {
    *first = *count = 0;
    if (!p || text >= p->n_texts) return;
    *first = p->first[text];
    *count = p->first[text + 1] - p->first[text];
}

void le_passages_free(le_passages *p) {
    if (!p) return;
    free(p->spans);
    free(p->first);
    free(p->vectors);
    free(p->documents);
    free(p);
}
