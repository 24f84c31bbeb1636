/* longembed ask --qa FILE: le_ask_eval over a question-answer set (each
 * question about its own document's chunk documents), with a progress bar,
 * one JSON row per question (--rows, written as they finish, so a stopped
 * run keeps what it did) and the Markdown table row of docs/ask.md. */
#include "ask_cli.h"
#include "ask_resume.h"
#include "progress.h"

#include <errno.h>
#include <string.h>

typedef struct eval_out {
    ask_cli *a;
    FILE *rows;
    cli_progress bar;
    int started;
    double rouge_sum;
    ask_resume done; /* --resume: the rows already in the file */
} eval_out;

/* The row as one JSON line: ids, scores, costs, the answer and the error. */
static void write_row(FILE *f, const le_ask_eval_row *r) {
    le_ask_summary s;
    le_ask_get_summary(r->result, &s);
    fputs("{\"qid\": ", f);
    cli_json_string(f, r->qid, strlen(r->qid));
    fputs(", \"doc_id\": ", f);
    cli_json_string(f, r->doc_id, strlen(r->doc_id));
    fprintf(f, ", \"rouge1\": %.4f, \"rouge2\": %.4f, \"rougeL\": %.4f, \"seconds\": %.3f, "
               "\"tokens_read\": %zu, \"tokens_generated\": %zu, \"passages\": %zu, "
               "\"cited\": %zu, \"truncated\": %d, \"steps\": %d, \"fallbacks\": %d, "
               "\"answer\": ",
            r->rouge1, r->rouge2, r->rougel, r->seconds, r->tokens_read, r->tokens_generated,
            s.passages, s.cited, s.truncated, s.steps, s.fallbacks);
    cli_json_string(f, r->answer, strlen(r->answer));
    if (r->error) {
        fputs(", \"error\": ", f);
        cli_json_string(f, r->error, strlen(r->error));
    }
    fputs("}\n", f);
    fflush(f);
}

static void on_row(void *user, const le_ask_eval_row *r) {
    eval_out *o = user;
    if (!o->started) {
        cli_progress_start(&o->bar, "ask", r->total, o->a->common.quiet);
        o->started = 1;
    }
    if (o->rows) write_row(o->rows, r);
    o->rouge_sum += r->rougel;
    char line[256];
    snprintf(line, sizeof line, "%s: ROUGE-L %.1f (mean %.2f), %.1f s, %zu read, %zu generated%s%s",
             r->qid, r->rougel, o->rouge_sum / (double)(r->index + 1), r->seconds,
             r->tokens_read, r->tokens_generated, r->error ? ": " : "", r->error ? r->error : "");
    if (o->a->common.verbose || r->error) cli_progress_line(&o->bar, line);
    size_t tokens = r->tokens_read + r->tokens_generated; /* the rate: tokens the model saw */
    cli_progress_tokens(&o->bar, 0, 0); /* ends the previous question's count */
    cli_progress_tokens(&o->bar, tokens, tokens);
    cli_progress_texts(&o->bar, 1);
}

static int skip_done(void *user, const char *qid) {
    const eval_out *o = user;
    return o->a->resume && ask_resume_skip(&o->done, qid);
}

/* The table over every row (those resumed and this run's) on stdout. */
static void print_table(const ask_cli *a, const eval_out *o, const le_ask_eval_summary *now) {
    le_ask_eval_summary t = ask_resume_total(&o->done, now);
    if (o->done.sum.questions)
        fprintf(stderr, "resumed: %zu questions from %s, %zu asked now\n", o->done.sum.questions,
                a->rows, now->questions);
    char table[512];
    le_ask_eval_table(le_ask_mode_name(a->ao.mode), &t, table, sizeof table);
    fputs(table, stdout);
}

int ask_eval_run(ask_cli *a, le_index *ix, le_model *m) {
    eval_out o = {.a = a};
    if (a->resume ? ask_resume_load(&o.done, a->rows) : (memset(&o.done, 0, sizeof o.done), 0))
        return CLI_FAIL;
    if (a->rows && !(o.rows = fopen(a->rows, a->resume ? "a" : "w"))) {
        cli_error("cannot write %s: %s", a->rows, strerror(errno));
        if (a->resume) ask_resume_free(&o.done);
        return CLI_FAIL;
    }
    a->eo.on_row = on_row, a->eo.skip = skip_done, a->eo.user = &o;
    le_ask_eval_summary sum;
    le_error err;
    le_status s = le_ask_eval(ix, m, a->qa, &a->ao, &a->eo, &sum, &err);
    if (o.started) cli_progress_finish(&o.bar);
    int rc = CLI_OK;
    if (o.rows && fclose(o.rows) && !s) {
        cli_error("writing %s failed", a->rows);
        rc = CLI_FAIL;
    } else if (s) {
        cli_error("%s", err.message);
        rc = CLI_FAIL;
    } else {
        print_table(a, &o, &sum);
    }
    if (a->resume) ask_resume_free(&o.done);
    return rc || cli_output_failed() ? CLI_FAIL : CLI_OK;
}
