/* le_ask_eval (longembed.h): the questions of a QA set through le_ask with
 * one setup (the decoders opened once, so their KV caches and MemoRAG's
 * memory carry over between questions about the same document), each asked
 * about its document's chunk documents and scored by ROUGE (rag_qa.h). */
#include "base/options.h"
#include "generate/rag_ask.h"
#include "generate/rag_qa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void le_ask_eval_options_init_size(le_ask_eval_options *o, size_t size) {
    le_ask_eval_options d;
    memset(&d, 0, sizeof d);
    le_options_init(o, size, &d, sizeof d);
}

typedef struct eval_run {
    le_ask_ctx ctx;
    le_index *ix;
    le_model *m;
    const le_ask_eval_options *o;
    size_t total;
    le_sbuf prefix;
} eval_run;

/* One question: its doc_id + the suffix as the id prefix. */
static le_status run_one(void *user, const le_qa_item *q, le_rag_result *res, le_error *err) {
    eval_run *e = user;
    if (!*q->doc_id)
        return le_fail(err, LE_ERR_FORMAT, "question %s has no doc_id: cannot tell its document",
                       *q->qid ? q->qid : "(no qid)");
    e->prefix.n = 0;
    le_sbuf_printf(&e->prefix, "%s%s", q->doc_id, e->o->id_suffix ? e->o->id_suffix : "#");
    return le_ask_ctx_run(&e->ctx, e->ix, e->m, q->question, e->prefix.p, res, err);
}

/* The row in the public shape, to the caller. */
static void row_out(void *user, size_t i, const le_qa_item *q, const le_rag_eval_row *row,
                    const le_rag_result *res) {
    eval_run *e = user;
    if (!e->o->on_row) return;
    le_ask_eval_row r = {i, e->total, q->qid, q->doc_id, q->question, q->answer,
                         res->answer.p && !row->failed ? res->answer.p : "",
                         row->failed ? row->error : NULL,
                         100 * row->rouge.r1.f, 100 * row->rouge.r2.f, 100 * row->rouge.rl.f,
                         row->seconds, row->tokens_read, row->tokens_generated,
                         row->failed ? NULL : (const le_ask_result *)(const void *)res};
    e->o->on_row(e->o->user, &r);
}

/* The questions of qa that skip does not drop, as a view into qa (free
 * only view->items). */
static le_status kept_questions(const le_qa_set *qa, const le_ask_eval_options *o,
                                le_qa_set *view, le_error *err) {
    memset(view, 0, sizeof *view);
    view->items = malloc(sizeof *view->items * (qa->n ? qa->n : 1));
    if (!view->items) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < qa->n; i++)
        if (!o->skip || !o->skip(o->user, qa->items[i].qid)) view->items[view->n++] = qa->items[i];
    view->cap = view->n;
    return LE_OK;
}

le_status le_ask_eval(le_index *ix, le_model *m, const char *qa_path, const le_ask_options *ask,
                      const le_ask_eval_options *opt, le_ask_eval_summary *out, le_error *err) {
    memset(out, 0, sizeof *out);
    le_ask_eval_options o;
    le_ask_eval_options_init(&o);
    le_status s = le_options_take(&o, sizeof o, opt, "le_ask_eval_options", err);
    if (s) return s;
    if (!ix || !qa_path) return le_fail(err, LE_ERR_ARG, "le_ask_eval: no index or QA file");
    le_qa_set qa = {0};
    s = le_qa_load(qa_path, o.first, &qa, err);
    if (s) return s;
    le_qa_set todo = {0};
    s = kept_questions(&qa, &o, &todo, err);
    eval_run e = {.ix = ix, .m = m, .o = &o, .total = todo.n};
    if (!s) s = le_ask_ctx_open(&e.ctx, ask, err);
    if (!s && todo.n) s = le_rag_eval_each(&todo, todo.n, run_one, row_out, &e, out, err);
    le_ask_ctx_close(&e.ctx);
    le_sbuf_free(&e.prefix);
    free(todo.items); /* a view: the strings are qa's */
    le_qa_free(&qa);
    return s;
}

size_t le_ask_eval_table(const char *label, const le_ask_eval_summary *s, char *buf, size_t cap) {
    le_sbuf t = {0};
    le_rag_eval_table_head(&t);
    le_rag_eval_table_row(label, s, &t);
    size_t n = t.failed ? 0 : t.n;
    if (cap) snprintf(buf, cap, "%s", t.failed ? "" : t.p);
    le_sbuf_free(&t);
    return n;
}
