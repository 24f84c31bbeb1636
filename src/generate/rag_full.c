/* Full context (rag_pipeline.h): the whole document in one prompt. A
 * document that does not fit is an error naming the sizes, or, with
 * truncate, is cut at the longest prefix that fits (a binary search over
 * its length, ending at white space) and the result says so. */
#include "generate/rag_pipeline.h"

#include <string.h>

/* The full prompt over doc[0..len) into prompt and its tokens. */
static le_status full_prompt(const le_rag_gen *gen, const le_rag_options *o, const char *doc,
                             size_t len, const char *question, le_sbuf *prompt, size_t *tokens,
                             le_error *err) {
    le_sbuf d = {0};
    le_sbuf_add(&d, doc, len);
    le_rag_var vars[] = {{"document", d.p ? d.p : ""}, {"question", question}};
    prompt->n = 0;
    le_status s = d.failed ? le_fail(err, LE_ERR_NOMEM, "out of memory")
                           : le_rag_prompt_render(o->prompts, LE_RP_FULL, vars, 2, prompt, err);
    le_sbuf_free(&d);
    return s ? s : le_rag_count(gen, prompt->p, tokens, err);
}

/* The longest prefix of text[0..len) (cut after white space) whose prompt
 * fits the window: its length in *keep, the prompt in prompt. */
static le_status fit_prefix(const le_rag_gen *gen, const le_rag_options *o, const char *text,
                            size_t len, const char *question, le_sbuf *prompt, size_t *keep,
                            le_error *err) {
    size_t lo = 0, hi = len, tokens = 0; /* lo fits (the empty document is checked by the caller) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        le_status s = full_prompt(gen, o, text, mid, question, prompt, &tokens, err);
        if (s) return s;
        if (tokens + o->max_new_tokens <= gen->window) lo = mid;
        else hi = mid;
    }
    size_t cut = lo;
    while (cut > 0 && text[cut - 1] != ' ' && text[cut - 1] != '\n') cut--;
    *keep = cut ? cut : lo;
    while (*keep > 0 && ((unsigned char)text[*keep] & 0xC0) == 0x80) (*keep)--; /* UTF-8 */
    return full_prompt(gen, o, text, *keep, question, prompt, &tokens, err);
}

le_status le_rag_run_full(const le_rag_gen *gen, const le_rag_doc *doc, const char *question,
                          const le_rag_options *opt, le_rag_result *res, le_error *err) {
    le_rag_options o;
    le_status s = le_rag_begin(gen, opt, res, &o, err);
    if (s) return s;
    le_sbuf text = {0}, prompt = {0};
    le_rag_doc_text(doc, &text);
    size_t tokens = 0, bare = 0;
    const char *t = text.p ? text.p : "";
    s = text.failed ? le_fail(err, LE_ERR_NOMEM, "out of memory") : LE_OK;
    if (!s) s = le_rag_count(gen, t, &res->doc_tokens, err);
    if (!s) s = full_prompt(gen, &o, t, 0, question, &prompt, &bare, err);
    if (!s && bare + o.max_new_tokens > gen->window)
        s = le_fail(err, LE_ERR_TOO_LONG, "the question and the prompt take %zu tokens; with %zu "
                    "for the answer that is over the generator's window of %zu tokens", bare,
                    o.max_new_tokens, gen->window);
    if (!s) s = full_prompt(gen, &o, t, text.n, question, &prompt, &tokens, err);
    if (!s && tokens + o.max_new_tokens > gen->window) {
        if (!o.truncate)
            s = le_fail(err, LE_ERR_TOO_LONG, "the document is %zu tokens: the full prompt takes "
                        "%zu and the answer %zu, over the generator's window of %zu tokens (ask "
                        "with mode rag, memorag or lcboost, or truncate)", res->doc_tokens, tokens,
                        o.max_new_tokens, gen->window);
        size_t keep = 0;
        if (!s) s = fit_prefix(gen, &o, t, text.n, question, &prompt, &keep, err);
        res->truncated = !s;
    }
    if (!s) s = le_rag_call(gen, &res->stats, "generate", prompt.p, o.max_new_tokens,
                            &res->answer, err);
    le_sbuf_free(&text);
    le_sbuf_free(&prompt);
    return s;
}
