/* The pipelines' calls into a generator, timed and counted per stage
 * (rag_gen.h). */
#include "generate/rag_gen.h"
#include "base/clock.h"

#include <string.h>

le_rag_stage *le_rag_stage_get(le_rag_stats *st, const char *name) {
    for (int i = 0; i < st->n_stages; i++)
        if (!strcmp(st->stage[i].name, name)) return &st->stage[i];
    if (st->n_stages == LE_RAG_MAX_STAGES) return NULL;
    le_rag_stage *s = &st->stage[st->n_stages++];
    memset(s, 0, sizeof *s);
    s->name = name;
    return s;
}

void le_rag_stage_time(le_rag_stats *st, const char *name, double t0) {
    le_rag_stage *s = le_rag_stage_get(st, name);
    if (!s) return;
    s->calls++;
    s->seconds += le_now_seconds() - t0;
}

le_status le_rag_gen_check(const le_rag_gen *gen, le_error *err) {
    if (!gen || !gen->generate || !gen->count_tokens)
        return le_fail(err, LE_ERR_ARG, "no generator (generate and count_tokens are required)");
    if (gen->window == 0) return le_fail(err, LE_ERR_ARG, "the generator's window is 0 tokens");
    return LE_OK;
}

le_status le_rag_count(const le_rag_gen *gen, const char *text, size_t *n, le_error *err) {
    *n = 0;
    if (!text || !*text) return LE_OK;
    le_status s = gen->count_tokens(gen->ctx, text, strlen(text), n, err);
    return s ? le_error_wrap(err, s, "counting tokens") : LE_OK;
}

static void sbuf_reset(le_sbuf *b) {
    b->n = 0;
    b->failed = 0;
    if (b->p) b->p[0] = 0;
}

/* Counts the reply in out into stage s with the time since t0; the
 * prompt's tokens are already added. */
static le_status finish_call(const le_rag_gen *gen, le_rag_stage *s, double t0, le_sbuf *out,
                             le_error *err) {
    if (out->failed) return le_fail(err, LE_ERR_NOMEM, "out of memory for the generator's reply");
    if (!out->p) le_sbuf_add(out, "", 0); /* a reply is always a string */
    if (out->failed) return le_fail(err, LE_ERR_NOMEM, "out of memory for the generator's reply");
    size_t got = 0;
    le_status st = le_rag_count(gen, out->p, &got, err);
    if (st) return st;
    if (s) {
        s->calls++;
        s->seconds += le_now_seconds() - t0;
        s->tokens_generated += got;
    }
    return LE_OK;
}

le_status le_rag_call(const le_rag_gen *gen, le_rag_stats *st, const char *stage,
                      const char *prompt, size_t max_new_tokens, le_sbuf *out, le_error *err) {
    le_rag_stage *s = le_rag_stage_get(st, stage);
    size_t read = 0;
    le_status rc = le_rag_count(gen, prompt, &read, err);
    if (rc) return rc;
    if (s) s->tokens_read += read;
    sbuf_reset(out);
    double t0 = le_now_seconds();
    rc = gen->generate(gen->ctx, prompt, max_new_tokens, out, err);
    if (rc) return le_error_wrap(err, rc, "%s", stage);
    return finish_call(gen, s, t0, out, err);
}

void le_rag_join_turns(const char *const *turns, size_t n, le_sbuf *out) {
    for (size_t i = 0; i < n; i++) {
        if (i) le_sbuf_puts(out, i % 2 ? "\n\nAssistant: " : "\n\nUser: ");
        le_sbuf_puts(out, turns[i]);
    }
}

le_status le_rag_call_chat(const le_rag_gen *gen, le_rag_stats *st, const char *stage,
                           const char *const *turns, size_t n, size_t max_new_tokens,
                           le_sbuf *out, le_error *err) {
    if (!gen->chat) {
        le_sbuf joined = {0};
        le_rag_join_turns(turns, n, &joined);
        le_status rc = joined.failed ? le_fail(err, LE_ERR_NOMEM, "out of memory")
                                     : le_rag_call(gen, st, stage, joined.p, max_new_tokens,
                                                   out, err);
        le_sbuf_free(&joined);
        return rc;
    }
    le_rag_stage *s = le_rag_stage_get(st, stage);
    int reused = 0;
    for (size_t i = 0; i < n; i++) {
        size_t read = 0;
        le_status rc = le_rag_count(gen, turns[i], &read, err);
        if (rc) return rc;
        if (s) s->tokens_read += read;
    }
    sbuf_reset(out);
    double t0 = le_now_seconds();
    le_status rc = gen->chat(gen->ctx, turns, n, max_new_tokens, out, &reused, err);
    if (rc) return le_error_wrap(err, rc, "%s", stage);
    st->prefix_reused += reused != 0;
    return finish_call(gen, s, t0, out, err);
}
