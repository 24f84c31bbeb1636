/* LC-Boost's walk over a long document (lcboost.h, rag_pipeline.h). The
 * prompt of a step holds the question, the notes so far and one chunk;
 * chunks take half of what the window leaves after the prompt and the
 * reply, the notes at most the other half (the oldest paragraphs are
 * dropped past it). What each action does:
 *   understand  the model's restatement of the task is kept and shown with
 *               the question from then on; the walk stays on the chunk (a
 *               second understand moves on)
 *   retrieve    the query's best hit (through the retriever) in a chunk not
 *               read yet becomes the next chunk; no query, no retriever or
 *               no such hit: move
 *   move        on to the next chunk not read yet
 *   append      the text after the action is added to the notes; move on
 *   merge       the text after the action replaces the notes; stay
 *   answer      the text after the action is the answer (none: answer from
 *               the notes); stop
 * A reply with no readable action counts as a fallback and moves on, or
 * with fallback_append is appended to the notes as it is (a small model
 * that answers instead of choosing still leaves what it read). When
 * the chunks run out or the step limit is reached, the final prompt asks
 * for the answer from the notes. */
#include "generate/rag_pipeline.h"
#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct walk {
    const le_rag_gen *gen;
    const le_rag_retriever *r;
    const le_rag_doc *doc;
    const char *question;
    const le_rag_options *o;
    le_rag_result *res;
    le_rag_chunk *chunks;
    unsigned char *read; /* per chunk: read (or skipped) already */
    size_t n, cur, notes_budget;
    le_sbuf notes, task, reply;
    int understood, done;
} walk;

/* The chunk after w->cur not read yet (wrapping), or w->n when none. */
static size_t next_chunk(const walk *w) {
    for (size_t i = 1; i <= w->n; i++) {
        size_t c = (w->cur + i) % w->n;
        if (!w->read[c]) return c;
    }
    return w->n;
}

static void move_on(walk *w) {
    w->read[w->cur] = 1;
    w->cur = next_chunk(w);
}

/* The tokens of the step prompt with an empty chunk and notes and the
 * given question. */
static le_status step_overhead(walk *w, const char *question, size_t *over, le_error *err) {
    le_rag_var v[] = {{"question", question}, {"notes", ""}, {"chunk", ""},
                      {"position", "9999"},   {"chunks", "9999"}};
    le_sbuf p = {0};
    le_status s = le_rag_prompt_render(w->o->prompts, LE_RP_LCB_STEP, v, 5, &p, err);
    if (!s) s = le_rag_count(w->gen, p.p, over, err);
    le_sbuf_free(&p);
    return s;
}

/* Chunk and notes budgets from what the window leaves. The chunk's size
 * does not depend on the question, so every question about a document
 * reads the same parts (whose KV a prefix cache can keep); the notes get
 * the rest, less the question and room for the task's restatement. */
static le_status budgets(walk *w, size_t *chunk_tokens, le_error *err) {
    size_t over = 0, with_q = 0;
    le_status s = step_overhead(w, "", &over, err);
    if (!s) s = step_overhead(w, w->question, &with_q, err);
    if (s) return s;
    const size_t reply = w->o->max_new_tokens, q = with_q > over ? with_q - over : 0;
    size_t room = w->gen->window > over + reply + 32 ? w->gen->window - over - reply - 32 : 0;
    size_t chunk = w->o->chunk_tokens && w->o->chunk_tokens < room ? w->o->chunk_tokens : room / 2;
    if (room < chunk + q + reply + 64 && room > q + reply + 64) chunk = room - q - reply - 64;
    if (room < q + reply + 64 || !chunk)
        return le_fail(err, LE_ERR_TOO_LONG, "the step prompt takes %zu tokens, the question %zu "
                       "and the reply %zu: the generator's window of %zu tokens leaves no room "
                       "for a chunk", over, q, reply, w->gen->window);
    *chunk_tokens = chunk;
    w->notes_budget = room - chunk - q - reply;
    return LE_OK;
}

/* Drops the oldest paragraphs of the notes while they are over budget. */
static le_status fit_notes(walk *w, le_error *err) {
    for (;;) {
        size_t t = 0;
        le_status s = le_rag_count(w->gen, w->notes.p, &t, err);
        if (s || t <= w->notes_budget) return s;
        char *brk = strstr(w->notes.p, "\n\n");
        size_t cut = brk ? (size_t)(brk - w->notes.p) + 2 : w->notes.n - w->notes.n * w->notes_budget / t;
        if (cut == 0) cut = 1;
        while (cut < w->notes.n && ((unsigned char)w->notes.p[cut] & 0xC0) == 0x80) cut++;
        memmove(w->notes.p, w->notes.p + cut, w->notes.n - cut + 1);
        w->notes.n -= cut;
    }
}

/* The prompt of the step on chunk w->cur into p. */
static le_status step_prompt(walk *w, le_sbuf *p, le_error *err) {
    le_sbuf q = {0}, chunk = {0};
    char pos[32], total[32];
    snprintf(pos, sizeof pos, "%zu", w->cur + 1);
    snprintf(total, sizeof total, "%zu", w->n);
    le_sbuf_puts(&q, w->question);
    if (w->understood) le_sbuf_printf(&q, "\n(What to look for: %s)", w->task.p);
    le_rag_chunk_text(w->doc, &w->chunks[w->cur], &chunk);
    le_rag_var v[] = {{"question", q.p},
                      {"notes", w->notes.n ? w->notes.p : "(none yet)"},
                      {"chunk", chunk.p ? chunk.p : ""},
                      {"position", pos},
                      {"chunks", total}};
    p->n = 0;
    le_status s = q.failed || chunk.failed ? le_fail(err, LE_ERR_NOMEM, "out of memory")
                                           : le_rag_prompt_render(w->o->prompts, LE_RP_LCB_STEP, v,
                                                                  5, p, err);
    le_sbuf_free(&q);
    le_sbuf_free(&chunk);
    return s;
}

/* 1 when chunk ch overlaps passage p. */
static int chunk_holds(const walk *w, const le_rag_chunk *ch, const le_rag_passage *p) {
    for (size_t s = ch->seg; s <= ch->seg_end; s++) {
        size_t doc = w->doc->doc ? w->doc->doc[s] : s;
        size_t a = s == ch->seg ? ch->start : 0, b = s == ch->seg_end ? ch->end : w->doc->len[s];
        if (doc == p->doc && p->byte_start < b && p->byte_end > a) return 1;
    }
    return 0;
}

/* The chunk not read yet that holds the query's best hit, or w->n. */
static le_status retrieve_chunk(walk *w, const char *query, size_t *to, le_error *err) {
    le_rag_passage hits[8];
    int got = 0;
    *to = w->n;
    double t0 = le_now_seconds();
    le_status s = w->r->retrieve(w->r->ctx, query, 8, hits, &got, err);
    le_rag_stage_time(&w->res->stats, "retrieve", t0);
    if (s) return le_error_wrap(err, s, "retrieve \"%.80s\"", query);
    for (int h = 0; h < got && *to == w->n; h++)
        for (size_t c = 0; c < w->n && *to == w->n; c++)
            if (!w->read[c] && chunk_holds(w, &w->chunks[c], &hits[h])) *to = c;
    return LE_OK;
}

/* Applies the choice ch of the step on chunk w->cur. */
static le_status apply(walk *w, const le_lcb_choice *ch, le_error *err) {
    le_status s = LE_OK;
    switch (ch->action) {
    case LE_LCB_UNDERSTAND:
        if (w->understood || !ch->arg_len) move_on(w);
        else le_sbuf_add(&w->task, ch->arg, ch->arg_len), w->understood = 1;
        break;
    case LE_LCB_RETRIEVE: {
        size_t to = w->n;
        le_sbuf q = {0};
        le_sbuf_add(&q, ch->arg, ch->arg_len);
        if (w->r && ch->arg_len && q.p) s = retrieve_chunk(w, q.p, &to, err);
        le_sbuf_free(&q);
        w->read[w->cur] = 1;
        w->cur = to < w->n ? to : next_chunk(w);
        break;
    }
    case LE_LCB_APPEND:
        if (ch->arg_len) le_sbuf_printf(&w->notes, "%s%.*s", w->notes.n ? "\n\n" : "",
                                        (int)ch->arg_len, ch->arg);
        if (ch->arg_len) s = fit_notes(w, err);
        move_on(w);
        break;
    case LE_LCB_MERGE:
        if (ch->arg_len) w->notes.n = 0, le_sbuf_add(&w->notes, ch->arg, ch->arg_len);
        if (ch->arg_len) s = fit_notes(w, err);
        break;
    case LE_LCB_ANSWER:
        if (ch->arg_len) le_sbuf_add(&w->res->answer, ch->arg, ch->arg_len);
        w->done = 1;
        break;
    default: move_on(w); break;
    }
    if (!s && (w->notes.failed || w->task.failed || w->res->answer.failed))
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    return s;
}

/* One step: the prompt, the model's reply, its choice applied; a trace line. */
static le_status step(walk *w, le_error *err) {
    le_sbuf p = {0};
    size_t at = w->cur;
    le_status s = step_prompt(w, &p, err);
    if (!s) s = le_rag_call(w->gen, &w->res->stats, "step", p.p, w->o->max_new_tokens, &w->reply,
                            err);
    le_sbuf_free(&p);
    if (s) return s;
    le_lcb_choice ch;
    le_lcb_parse(w->reply.p, &ch);
    if (ch.fallback && w->o->fallback_append) { /* the whole reply, as notes */
        ch.action = LE_LCB_APPEND;
        ch.arg = w->reply.p ? w->reply.p : "";
        ch.arg_len = strlen(ch.arg);
    }
    w->res->steps++;
    w->res->fallbacks += ch.fallback;
    s = apply(w, &ch, err);
    if (w->o->trace) {
        char line[240], said[96];
        le_lcb_reply_start(w->reply.p, said, sizeof said);
        snprintf(line, sizeof line, "step %d: part %zu/%zu: %s%s%s%s", w->res->steps, at + 1,
                 w->n, le_lcb_action_name(ch.action),
                 ch.fallback ? " (no action read: the fallback; the reply began \"" : "",
                 ch.fallback ? said : "", ch.fallback ? "\")" : "");
        w->o->trace(w->o->trace_user, line);
    }
    return s;
}

/* The answer from the notes (the input ended, the step limit, or an
 * answer action without text). */
static le_status final_answer(walk *w, le_error *err) {
    le_rag_var v[] = {{"question", w->question}, {"notes", w->notes.n ? w->notes.p : "(none)"}};
    le_sbuf p = {0};
    le_status s = le_rag_prompt_render(w->o->prompts, LE_RP_LCB_FINAL, v, 2, &p, err);
    if (!s) s = le_rag_call(w->gen, &w->res->stats, "generate", p.p, w->o->max_new_tokens,
                            &w->res->answer, err);
    le_sbuf_free(&p);
    return s;
}

static void walk_free(walk *w) {
    free(w->chunks);
    free(w->read);
    le_sbuf_free(&w->notes);
    le_sbuf_free(&w->task);
    le_sbuf_free(&w->reply);
}

le_status le_rag_run_lcboost(const le_rag_gen *gen, const le_rag_retriever *r,
                             const le_rag_doc *doc, const char *question, const le_rag_options *opt,
                             le_rag_result *res, le_error *err) {
    le_rag_options o;
    le_status s = le_rag_begin(gen, opt, res, &o, err);
    if (s) return s;
    walk w = {.gen = gen, .r = r, .doc = doc, .question = question, .o = &o, .res = res};
    size_t chunk_tokens = 0;
    s = budgets(&w, &chunk_tokens, err);
    if (!s) s = le_rag_chunks(gen, doc, chunk_tokens, &w.chunks, &w.n, err);
    if (!s && !w.n) s = le_fail(err, LE_ERR_ARG, "the document is empty: nothing to read");
    if (!s && !(w.read = calloc(w.n, 1))) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    res->chunks = w.n;
    int limit = o.max_steps > 0 ? o.max_steps : (int)(2 * w.n + 4);
    while (!s && !w.done && w.cur < w.n && res->steps < limit) s = step(&w, err);
    if (!s && !w.done && w.cur < w.n) res->step_limit = 1;
    if (!s && w.o->trace && res->step_limit) w.o->trace(w.o->trace_user, "step limit reached");
    if (!s && !res->answer.n) s = final_answer(&w, err);
    walk_free(&w);
    return s;
}
