/* MemoRAG (rag_pipeline.h; MemoRAG's memorag.py and memorag_lite.py as the
 * FlagEmbedding spec §3.2 describes them). The memory is a conversation
 * prefix: the memory prompt holding the document (or, when that does not
 * fit the memory model's window, the gists of its chunks, as MemoRAG-lite
 * does) and the model's acknowledgement. Every recall call sends that
 * prefix through le_rag_gen.chat, so a generator that keeps its KV cache
 * (the decoder) prefills it once and reuses it; without chat the prefix is
 * joined into each prompt. */
#include "generate/rag_pipeline.h"
#include "base/clock.h"
#include "generate/memory_cache.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

/* The largest recall prompt (spans, surrogate, draft) for question. */
static le_status recall_tokens(const le_rag_gen *m, const le_rag_options *o,
                               const char *question, size_t *most, le_error *err) {
    static const le_rag_prompt_id ids[] = {LE_RP_SPANS, LE_RP_SURROGATE, LE_RP_DRAFT,
                                           LE_RP_MEMORY_ACK};
    le_rag_var v = {"question", question};
    *most = 0;
    size_t ack = 0;
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        le_sbuf p = {0};
        size_t n = 0;
        le_status s = le_rag_prompt_render(o->prompts, ids[i], &v, 1, &p, err);
        if (!s) s = le_rag_count(m, p.p, &n, err);
        le_sbuf_free(&p);
        if (s) return s;
        if (ids[i] == LE_RP_MEMORY_ACK) ack = n;
        else if (n > *most) *most = n;
    }
    *most += ack + o->clue_tokens + 16; /* 16: the chat template's turn markers, about */
    return LE_OK;
}

/* The memory prompt over text into mem and its tokens. */
static le_status memory_prompt(const le_rag_gen *m, const le_rag_options *o, const char *text,
                               le_sbuf *mem, size_t *tokens, le_error *err) {
    le_rag_var v = {"document", text};
    mem->n = 0;
    le_status s = le_rag_prompt_render(o->prompts, LE_RP_MEMORY, &v, 1, mem, err);
    return s ? s : le_rag_count(m, mem->p, tokens, err);
}

/* MemoRAG-lite: the gists of the document's chunks, joined, into gists. */
static le_status gist_chunks(const le_rag_gen *m, const le_rag_doc *doc, const le_rag_options *o,
                             le_rag_result *res, le_sbuf *gists, le_error *err) {
    size_t overhead = 0, chunk = o->chunk_tokens;
    le_sbuf p = {0}, reply = {0};
    le_rag_var v = {"text", ""};
    le_status s = le_rag_prompt_render(o->prompts, LE_RP_GIST, &v, 1, &p, err);
    if (!s) s = le_rag_count(m, p.p, &overhead, err);
    if (!s && !chunk) {
        size_t room = m->window > overhead + o->gist_tokens + 32
                          ? m->window - overhead - o->gist_tokens - 32 : 0;
        chunk = room < 4096 ? room : 4096; /* MemoRAG-lite's chunk */
    }
    if (!s && chunk < 8)
        s = le_fail(err, LE_ERR_TOO_LONG, "the memory model's window of %zu tokens leaves no room "
                    "for a chunk to gist", m->window);
    le_rag_chunk *ch = NULL;
    if (!s) s = le_rag_chunks(m, doc, chunk, &ch, &res->chunks, err);
    for (size_t i = 0; !s && i < res->chunks; i++) {
        le_sbuf piece = {0};
        le_rag_chunk_text(doc, &ch[i], &piece);
        v.value = piece.p ? piece.p : "";
        p.n = 0;
        s = le_rag_prompt_render(o->prompts, LE_RP_GIST, &v, 1, &p, err);
        le_sbuf_free(&piece);
        if (!s) s = le_rag_call(m, &res->stats, "memorize", p.p, o->gist_tokens, &reply, err);
        if (!s) le_sbuf_printf(gists, "%s%s", i ? "\n\n" : "", reply.p);
    }
    free(ch);
    le_sbuf_free(&p);
    le_sbuf_free(&reply);
    return s;
}

/* The gists of the document's chunks into text (which holds the
 * document): from the memory cache when it has them, else computed and
 * kept there. */
static le_status memory_gists(const le_rag_gen *m, const le_rag_doc *doc, const le_rag_options *o,
                              le_rag_result *res, le_sbuf *text, le_error *err) {
    char settings[96];
    snprintf(settings, sizeof settings, "gist %zu chunk %zu window %zu", o->gist_tokens,
             o->chunk_tokens, m->window);
    const char *parts[3] = {text->p ? text->p : "", le_rag_prompt_text(o->prompts, LE_RP_GIST),
                            settings};
    char *path = le_rag_memory_file(o->memory_dir, m->identity, "gists", parts, 3);
    le_sbuf g = {0};
    le_status s = LE_OK;
    if (path && le_rag_gists_read(path, &g, &res->chunks)) res->gists_loaded = 1;
    else if (!(s = gist_chunks(m, doc, o, res, &g, err)) && path)
        le_rag_gists_write(path, g.p ? g.p : "", res->chunks);
    free(path);
    le_sbuf_free(text);
    *text = g;
    return s;
}

/* memorize: the memory prompt over the whole document when it fits the
 * memory model's window with room for recall, else over its gists. */
static le_status memorize(const le_rag_gen *m, const le_rag_doc *doc, const le_rag_options *o,
                          const char *question, le_rag_result *res, le_sbuf *mem, le_error *err) {
    double t0 = le_now_seconds();
    le_rag_stage *st = le_rag_stage_get(&res->stats, "memorize"); /* the first stage */
    le_sbuf text = {0};
    size_t need = 0, tokens = 0;
    le_rag_doc_text(doc, &text);
    le_status s = text.failed ? le_fail(err, LE_ERR_NOMEM, "out of memory") : LE_OK;
    if (!s) s = recall_tokens(m, o, question, &need, err);
    if (!s) s = le_rag_count(m, text.p, &res->doc_tokens, err);
    if (!s) s = memory_prompt(m, o, text.p ? text.p : "", mem, &tokens, err);
    if (!s && tokens + need > m->window) {
        res->memory_gists = 1;
        s = memory_gists(m, doc, o, res, &text, err);
        if (!s) s = memory_prompt(m, o, text.p ? text.p : "", mem, &tokens, err);
        if (!s && tokens + need > m->window)
            s = le_fail(err, LE_ERR_TOO_LONG, "the document is %zu tokens and the gists of its "
                        "%zu chunks still take %zu; with recall that is over the memory model's "
                        "window of %zu tokens", res->doc_tokens, res->chunks, tokens, m->window);
    }
    if (!s) s = le_rag_memory_prime(m, o, mem->p, res, err);
    if (st) st->seconds = le_now_seconds() - t0; /* the whole step, gist calls included */
    le_sbuf_free(&text);
    return s;
}

/* One recall call (prompt id) after the memory: its reply into reply. */
static le_status recall(const le_rag_gen *m, const le_rag_options *o, const char *mem,
                        le_rag_prompt_id id, const char *question, le_rag_result *res,
                        le_sbuf *reply, le_error *err) {
    le_sbuf ask = {0};
    le_rag_var v = {"question", question};
    le_status s = le_rag_prompt_render(o->prompts, id, &v, 1, &ask, err);
    const char *turns[3] = {mem, le_rag_prompt_text(o->prompts, LE_RP_MEMORY_ACK), ask.p};
    if (!s) s = le_rag_call_chat(m, &res->stats, "recall", turns, 3, o->clue_tokens, reply, err);
    le_sbuf_free(&ask);
    return s;
}

/* recall: clue spans and surrogate questions (lines of more than
 * min_clue_words words), the draft answer when asked (its text into hint),
 * then the question itself. */
static le_status recall_clues(const le_rag_gen *m, const le_rag_options *o, const char *mem,
                              const char *question, le_rag_result *res, le_sbuf *hint,
                              le_error *err) {
    le_sbuf reply = {0};
    le_status s = recall(m, o, mem, LE_RP_SPANS, question, res, &reply, err);
    if (!s) s = le_rag_clue_lines(reply.p, o->min_clue_words, &res->clues, err);
    if (!s) s = recall(m, o, mem, LE_RP_SURROGATE, question, res, &reply, err);
    if (!s) s = le_rag_clue_lines(reply.p, o->min_clue_words, &res->clues, err);
    if (!s && o->draft) {
        s = recall(m, o, mem, LE_RP_DRAFT, question, res, &reply, err);
        size_t n = reply.p ? strlen(reply.p) : 0;
        if (!s && n) s = le_rag_lines_add(&res->clues, reply.p, n, NULL, err);
        if (!s && n) le_sbuf_printf(hint, "The answer might be: %s", reply.p);
    }
    if (!s) s = le_rag_lines_add(&res->clues, question, strlen(question), NULL, err);
    le_sbuf_free(&reply);
    return s;
}

le_status le_rag_run_memorag(const le_rag_gen *memory, const le_rag_gen *gen,
                             const le_rag_retriever *r, const le_rag_doc *doc,
                             const char *question, const le_rag_options *opt, le_rag_result *res,
                             le_error *err) {
    le_rag_options o;
    le_status s = le_rag_begin(memory, opt, res, &o, err);
    if (!s && gen) s = le_rag_gen_check(gen, err);
    if (s) return s;
    if (!gen) gen = memory;
    le_sbuf mem = {0}, hint = {0};
    s = memorize(memory, doc, &o, question, res, &mem, err);
    if (!s) s = recall_clues(memory, &o, mem.p, question, res, &hint, err);
    double t0 = le_now_seconds();
    if (!s)
        s = le_rag_retrieve_union(r, (const char *const *)res->clues.line, res->clues.n, o.k,
                                  &res->passages, &res->n_passages, err);
    if (!s) le_rag_stage_time(&res->stats, "retrieve", t0);
    if (!s) s = le_rag_answer(gen, question, hint.p, &o, res, err);
    le_sbuf_free(&mem);
    le_sbuf_free(&hint);
    return s;
}
