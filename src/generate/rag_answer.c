/* The answer over retrieved passages (shared by rag and memorag), plain
 * RAG and full context (rag_pipeline.h). */
#include "generate/rag_pipeline.h"
#include "base/clock.h"

#include <stdlib.h>
#include <string.h>

le_rag_options le_rag_options_resolve(const le_rag_options *o) {
    le_rag_options r = {0};
    if (o) r = *o;
    if (r.k <= 0) r.k = 3;
    if (!r.max_new_tokens) r.max_new_tokens = 256;
    if (!r.clue_tokens) r.clue_tokens = 128;
    if (r.min_clue_words <= 0) r.min_clue_words = 3;
    if (!r.gist_tokens) r.gist_tokens = 256;
    return r;
}

le_status le_rag_begin(const le_rag_gen *gen, const le_rag_options *opt, le_rag_result *res,
                       le_rag_options *o, le_error *err) {
    memset(res, 0, sizeof *res);
    *o = le_rag_options_resolve(opt);
    return le_rag_gen_check(gen, err);
}

void le_rag_result_free(le_rag_result *r) {
    le_sbuf_free(&r->answer);
    free(r->passages);
    free(r->cited);
    le_rag_lines_free(&r->clues);
    memset(r, 0, sizeof *r);
}

/* The numbered passages (and the hint) as the {passages} text. */
static void passages_text(const le_rag_result *res, const char *hint, le_sbuf *out) {
    for (size_t i = 0; i < res->n_passages; i++) {
        const le_rag_passage *p = &res->passages[i];
        le_sbuf_printf(out, "%s[%zu] ", i ? "\n\n" : "", i + 1);
        le_sbuf_add(out, p->text, p->byte_end - p->byte_start);
    }
    if (hint && *hint) le_sbuf_printf(out, "%s%s", res->n_passages ? "\n\n" : "", hint);
}

/* Drops the passage with the lowest score (the last one on ties). */
static void drop_weakest(le_rag_result *res) {
    size_t w = 0;
    for (size_t i = 1; i < res->n_passages; i++)
        if (res->passages[i].score <= res->passages[w].score) w = i;
    memmove(res->passages + w, res->passages + w + 1,
            (res->n_passages - w - 1) * sizeof *res->passages);
    res->n_passages--;
    res->dropped++;
}

/* Renders the answer prompt into prompt; *fits says whether it leaves room
 * for the answer in gen's window (*tokens: its size). */
static le_status answer_prompt(const le_rag_gen *gen, const char *question, const char *hint,
                               const le_rag_options *o, const le_rag_result *res, le_sbuf *prompt,
                               size_t *tokens, int *fits, le_error *err) {
    le_sbuf ps = {0};
    passages_text(res, hint, &ps);
    le_rag_var vars[] = {{"passages", ps.p ? ps.p : ""}, {"question", question}};
    prompt->n = 0;
    le_status s = ps.failed ? le_fail(err, LE_ERR_NOMEM, "out of memory")
                            : le_rag_prompt_render(o->prompts, LE_RP_ANSWER, vars, 2, prompt, err);
    le_sbuf_free(&ps);
    if (!s) s = le_rag_count(gen, prompt->p, tokens, err);
    *fits = !s && *tokens + o->max_new_tokens <= gen->window;
    return s;
}

le_status le_rag_answer(const le_rag_gen *gen, const char *question, const char *hint,
                        const le_rag_options *o, le_rag_result *res, le_error *err) {
    le_sbuf prompt = {0};
    size_t tokens = 0;
    int fits = 0;
    le_status s;
    for (;;) {
        s = answer_prompt(gen, question, hint, o, res, &prompt, &tokens, &fits, err);
        if (s || fits || res->n_passages == 0) break;
        drop_weakest(res);
    }
    if (!s && !fits)
        s = le_fail(err, LE_ERR_TOO_LONG, "the question and the answer prompt take %zu tokens; "
                    "with %zu for the answer that is over the generator's window of %zu tokens",
                    tokens, o->max_new_tokens, gen->window);
    if (!s) s = le_rag_call(gen, &res->stats, "generate", prompt.p, o->max_new_tokens,
                            &res->answer, err);
    le_sbuf_free(&prompt);
    if (s) return s;
    res->cited = calloc(res->n_passages + 1, 1);
    if (!res->cited) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    res->n_cited = le_rag_citations(res->answer.p, res->n_passages, res->cited,
                                    &res->bad_citations);
    return LE_OK;
}

le_status le_rag_run_rag(const le_rag_gen *gen, const le_rag_retriever *r, const char *question,
                         const le_rag_options *opt, le_rag_result *res, le_error *err) {
    le_rag_options o;
    le_status s = le_rag_begin(gen, opt, res, &o, err);
    if (s) return s;
    double t0 = le_now_seconds();
    s = le_rag_retrieve_union(r, &question, 1, o.k, &res->passages, &res->n_passages, err);
    le_rag_stage_time(&res->stats, "retrieve", t0);
    if (!s) s = le_rag_answer(gen, question, NULL, &o, res, err);
    return s;
}
