/* Writing tasks in the LongEmbed JSONL layout (dwzhu/LongEmbed on the Hub):
 * <dir>/<task>/corpus.jsonl  {"doc_id", "text", "context_length"}
 * <dir>/<task>/queries.jsonl {"qid", "text", "context_length"}
 * <dir>/<task>/qrels.jsonl   {"qid", "doc_id", "context_length"} (+ "score"
 *                            when it is not 1)
 * Rows go split by split in the task's order; files are written whole and
 * renamed into place. */
#include "base/mapfile.h"
#include "base/outfile.h"
#include "base/sbuf.h"
#include "eval/task.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static le_status write_out(const char *dir, const char *name, le_sbuf *b, le_error *err) {
    if (b->failed) return le_fail(err, LE_ERR_NOMEM, "export: out of memory");
    char *path = le_path_join(dir, name);
    if (!path) return le_fail(err, LE_ERR_NOMEM, "export: out of memory");
    le_status s = le_write_file_atomic(path, b->p ? b->p : "", b->n, err);
    free(path);
    return s;
}

le_status le_task_export(const le_task *t, const char *dir, le_error *err) {
    if (!t->synthetic)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "export: task %s was read from %s; only generated tasks are exported",
                       t->name, t->source);
    char *tdir = le_path_join(dir, t->name);
    if (!tdir) return le_fail(err, LE_ERR_NOMEM, "export: out of memory");
    if (le_mkdir_p(tdir)) {
        le_status s =
            le_fail(err, LE_ERR_IO, "%s: cannot create the directory: %s", tdir, strerror(errno));
        free(tdir);
        return s;
    }
    le_sbuf corpus = {0}, queries = {0}, qrels = {0};
    for (size_t i = 0; i < t->n_splits; i++) {
        const le_split *sp = &t->splits[i];
        const le_texts *d = sp->docs;
        for (size_t j = 0; j < d->n; j++) {
            le_sbuf_puts(&corpus, "{\"doc_id\": ");
            le_sbuf_json_string(&corpus, d->ids[j], strlen(d->ids[j]));
            le_sbuf_puts(&corpus, ", \"text\": ");
            le_sbuf_json_string(&corpus, d->texts[j], d->lens[j]);
            le_sbuf_printf(&corpus, ", \"context_length\": %d}\n", sp->length);
        }
        const le_texts *q = &sp->queries;
        for (size_t j = 0; j < q->n; j++) {
            le_sbuf_puts(&queries, "{\"qid\": ");
            le_sbuf_json_string(&queries, q->ids[j], strlen(q->ids[j]));
            le_sbuf_puts(&queries, ", \"text\": ");
            le_sbuf_json_string(&queries, q->texts[j], q->lens[j]);
            le_sbuf_printf(&queries, ", \"context_length\": %d}\n", sp->length);
        }
        for (size_t j = 0; j < sp->n_qrels; j++) {
            const le_qrel *r = &sp->qrels[j];
            le_sbuf_puts(&qrels, "{\"qid\": ");
            le_sbuf_json_string(&qrels, q->ids[r->query], strlen(q->ids[r->query]));
            le_sbuf_puts(&qrels, ", \"doc_id\": ");
            le_sbuf_json_string(&qrels, d->ids[r->doc], strlen(d->ids[r->doc]));
            if (r->score != 1) le_sbuf_printf(&qrels, ", \"score\": %d", r->score);
            le_sbuf_printf(&qrels, ", \"context_length\": %d}\n", sp->length);
        }
    }
    le_status s = write_out(tdir, "corpus.jsonl", &corpus, err);
    if (!s) s = write_out(tdir, "queries.jsonl", &queries, err);
    if (!s) s = write_out(tdir, "qrels.jsonl", &qrels, err);
    le_sbuf_free(&corpus);
    le_sbuf_free(&queries);
    le_sbuf_free(&qrels);
    free(tdir);
    return s;
}
