/* One embedding call, the part every output shares: options checked against
 * the model, texts tokenized, token windows laid out with their special
 * tokens, packed into batches by a token budget, run through the encoder,
 * and pooled into output rows.
 *
 * A window's pooled vector goes to one output row (a text's vector, PCW's
 * windows adding up into the same row, or a passage embedded on its own); a
 * window may also carry pool spans, stretches of its tokens each pooled into
 * a row of its own (late chunking: passages pooled from the token states of
 * the whole document). embed.c lays out texts as whole vectors,
 * embed_passages.c as passages. */
#ifndef LE_EMBED_EMBED_CALL_H
#define LE_EMBED_EMBED_CALL_H

#include "embed/model.h"
#include "extend/plan.h"

#include <stddef.h>
#include <stdint.h>

#define LE_EMBED_NO_ROW ((size_t)-1)

/* Tokens [start, end) of a window (its own numbering, specials counted),
 * pooled into output row `row`. */
typedef struct le_pool_span {
    int start, end;
    size_t row;
} le_pool_span;

/* One forward window: ids[off .. off + n) of the call's id buffer, for input
 * `text`; its pooled vector adds to output row `row` (LE_EMBED_NO_ROW: none)
 * and its spans [span0, span0 + n_spans) of the call's spans are pooled too. */
typedef struct le_window {
    size_t text;
    size_t row;
    size_t off;
    int n;
    size_t span0, n_spans;
} le_window;

/* Called after pooling with each window's ids and final token states
 * ([n][hidden]), in window order (BGE-M3's heads read them). */
typedef le_status (*le_window_fn)(void *user, const le_window *w, const int32_t *ids,
                                  const float *hidden);

typedef struct le_embed_call {
    le_model *m;
    const le_embed_options *opt;
    le_plan_spec plan;
    le_pooling pooling;      /* of whole windows */
    le_pooling span_pooling; /* of spans: the model's, but mean for CLS models */
    int limit;               /* most tokens per window, specials included */
    int prefix_alone;        /* the prefix is tokenized alone and put in every window */
    const int32_t *before, *after;
    size_t nb, na;
    le_ids ids;     /* every window's ids, back to back */
    le_ids prefix;  /* the prefix's ids alone (when prefix_alone) */
    le_ids scratch; /* one text's content ids */
    le_window *win;
    size_t n_win, cap_win;
    le_pool_span *spans;
    size_t n_spans, cap_spans;
    size_t total_tokens;
    le_error *err;
    le_window_fn on_window; /* NULL: none */
    void *on_window_user;
} le_embed_call;

/* Where one call's inputs come from: texts to tokenize, or ids given. */
typedef struct le_embed_inputs {
    const char *const *texts;
    const size_t *lengths;
    const int32_t *const *ids;
    const size_t *n_ids;
} le_embed_inputs;

/* Checks opt against m and readies c: pooling, the special tokens, the
 * position plan's spec, the limit per window, and the prefix's own ids when
 * prefix_alone (PCW and passages repeat the prefix in every window). */
le_status le_embed_call_setup(le_embed_call *c, le_model *m, const le_embed_options *opt,
                              int prefix_alone, le_error *err);
void le_embed_call_free(le_embed_call *c);

/* Names input i in the message and in err->text_index; returns the status. */
le_status le_embed_call_text_error(le_embed_call *c, size_t i, le_status code);

/* The content ids of input i into c->scratch: the text tokenized (with the
 * prefix joined in front unless prefix_alone), or the ids given. */
le_status le_embed_call_input(le_embed_call *c, const le_embed_inputs *in, size_t i);

/* Appends a window for input `text` pooled into `row`: the specials before,
 * the prefix's ids (with_prefix), content[0..n), the specials after. */
le_status le_embed_call_add_window(le_embed_call *c, size_t text, size_t row, int with_prefix,
                                   const int32_t *content, size_t n);

/* Tokens [start, end) of the last window, pooled into row. */
le_status le_embed_call_add_span(le_embed_call *c, int start, int end, size_t row);

/* Runs every window, packed into batches by the token budget, and adds the
 * pooled vectors into out (rows × hidden floats, zeroed first). */
le_status le_embed_call_run(le_embed_call *c, float *out, size_t rows);

/* le_embed of texts (or le_embed_tokens of ids), with fn called on every
 * window (embed.c). */
le_status le_embed_inputs_with(le_model *m, size_t n, const le_embed_inputs *in,
                               const le_embed_options *opt, float *out, le_text_result *results,
                               le_window_fn fn, void *user, le_error *err);

#endif
