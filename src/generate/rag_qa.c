/* The QA set reader and the evaluation driver (rag_qa.h). */
#include "generate/rag_qa.h"

#include "base/array.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/mapfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void le_qa_free(le_qa_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        le_qa_item *q = &s->items[i];
        free(q->qid), free(q->doc_id), free(q->question), free(q->answer), free(q->kind);
    }
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* A copy of the string field key of o ("" when absent); NULL on no memory. */
static char *field(const cJSON *o, const char *key) {
    const char *v = le_json_str(o, key);
    return strdup(v ? v : "");
}

/* One line's object into a new item of s. */
static le_status take_item(le_qa_set *s, const cJSON *o, const char *where, le_error *err) {
    if (!cJSON_IsObject(o) || !le_json_str(o, "question") || !le_json_str(o, "answer"))
        return le_fail(err, LE_ERR_FORMAT, "%s: expected an object with \"question\" and "
                       "\"answer\" strings", where);
    le_qa_item q = {field(o, "qid"), field(o, "doc_id"), field(o, "question"), field(o, "answer"),
                    field(o, "kind")};
    if (!q.qid || !q.doc_id || !q.question || !q.answer || !q.kind ||
        le_array_push(s->items, s->n, s->cap, q)) {
        free(q.qid), free(q.doc_id), free(q.question), free(q.answer), free(q.kind);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    return LE_OK;
}

le_status le_qa_load(const char *path, size_t max_items, le_qa_set *out, le_error *err) {
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    le_status s = le_read_file(path, 0, &text, &len, err);
    if (s) return s;
    size_t line = 0;
    for (size_t i = 0; !s && i < len && (!max_items || out->n < max_items);) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        line++;
        size_t b = i;
        while (b < end && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r')) b++;
        if (b < end) {
            char where[600];
            snprintf(where, sizeof where, "%s line %zu", path, line);
            cJSON *o = NULL;
            s = le_json_parse_line(text + i, end - i, where, &o, err);
            if (!s) s = take_item(out, o, where, err);
            cJSON_Delete(o);
        }
        i = end + 1;
    }
    free(text);
    if (!s && out->n == 0) s = le_fail(err, LE_ERR_FORMAT, "%s: no questions", path);
    if (s) le_qa_free(out);
    return s;
}

/* Question q through run into row (scored against its answer), then to
 * on_row with the run's result. */
static le_status eval_one(size_t i, const le_qa_item *q, le_rag_eval_fn run,
                          le_rag_eval_row_fn on_row, void *user, le_rag_eval_row *row,
                          le_error *err) {
    le_rag_result res;
    le_error e;
    memset(row, 0, sizeof *row);
    memset(&res, 0, sizeof res);
    double t0 = le_now_seconds();
    le_status s = run(user, q, &res, &e);
    row->seconds = le_now_seconds() - t0;
    for (int k = 0; k < res.stats.n_stages; k++) {
        row->tokens_read += res.stats.stage[k].tokens_read;
        row->tokens_generated += res.stats.stage[k].tokens_generated;
    }
    if (s == LE_ERR_NOMEM) {
        le_rag_result_free(&res);
        return le_fail(err, s, "%s", e.message);
    }
    row->failed = (int)s;
    if (s) snprintf(row->error, sizeof row->error, "%.159s", e.message);
    else s = le_rouge_score(q->answer, res.answer.p ? res.answer.p : "", &row->rouge, err);
    if (s != LE_ERR_NOMEM && on_row) on_row(user, i, q, row, &res);
    le_rag_result_free(&res);
    return s == LE_ERR_NOMEM ? s : LE_OK;
}

le_status le_rag_eval_each(const le_qa_set *qa, size_t n, le_rag_eval_fn run,
                           le_rag_eval_row_fn on_row, void *user, le_rag_eval_summary *sum,
                           le_error *err) {
    memset(sum, 0, sizeof *sum);
    if (n == 0 || n > qa->n) n = qa->n;
    for (size_t i = 0; i < n; i++) {
        le_rag_eval_row row;
        le_status s = eval_one(i, &qa->items[i], run, on_row, user, &row, err);
        if (s) return s;
        sum->questions++;
        sum->failed += row.failed != 0;
        sum->rouge1 += row.rouge.r1.f, sum->rouge2 += row.rouge.r2.f, sum->rougel += row.rouge.rl.f;
        sum->seconds += row.seconds;
        sum->tokens_read += (double)row.tokens_read;
        sum->tokens_generated += (double)row.tokens_generated;
    }
    double q = sum->questions ? (double)sum->questions : 1;
    sum->rouge1 *= 100 / q, sum->rouge2 *= 100 / q, sum->rougel *= 100 / q;
    sum->seconds /= q, sum->tokens_read /= q, sum->tokens_generated /= q;
    return LE_OK;
}

/* le_rag_eval's sink: the rows into the caller's array. */
typedef struct rows_sink {
    le_rag_eval_fn run;
    void *user;
    le_rag_eval_row *rows;
} rows_sink;

static le_status sink_run(void *user, const le_qa_item *q, le_rag_result *res, le_error *err) {
    rows_sink *k = user;
    return k->run(k->user, q, res, err);
}

static void sink_row(void *user, size_t i, const le_qa_item *q, const le_rag_eval_row *row,
                     const le_rag_result *res) {
    (void)q, (void)res;
    rows_sink *k = user;
    if (k->rows) k->rows[i] = *row;
}

le_status le_rag_eval(const le_qa_set *qa, size_t n, le_rag_eval_fn run, void *user,
                      le_rag_eval_row *rows, le_rag_eval_summary *sum, le_error *err) {
    rows_sink k = {run, user, rows};
    return le_rag_eval_each(qa, n, sink_run, sink_row, &k, sum, err);
}

void le_rag_eval_table_head(le_sbuf *out) {
    le_sbuf_puts(out, "| mode | ROUGE-1 | ROUGE-2 | ROUGE-L | s / question | tokens read | "
                      "tokens generated | failed |\n|---|---|---|---|---|---|---|---|\n");
}

void le_rag_eval_table_row(const char *label, const le_rag_eval_summary *sum, le_sbuf *out) {
    le_sbuf_printf(out, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %zu / %zu |\n", label,
                   sum->rouge1, sum->rouge2, sum->rougel, sum->seconds, sum->tokens_read,
                   sum->tokens_generated, sum->failed, sum->questions);
}
