/* Question-answer sets for evaluating the QA pipelines: the JSONL of
 * ../shared/data/qmsum-train/qa.jsonl ({"qid", "doc_id", "question",
 * "answer", "kind"} per line) and an evaluation driver that runs any
 * pipeline (over any generator) on the first N questions and scores the
 * answers with ROUGE-1/2/L F1 against the references (rouge.h). */
#ifndef LE_GENERATE_RAG_QA_H
#define LE_GENERATE_RAG_QA_H

#include "generate/rag_pipeline.h"
#include "generate/rouge.h"

typedef struct le_qa_item {
    char *qid, *doc_id, *question, *answer, *kind; /* qid, doc_id, kind: "" when absent */
} le_qa_item;

typedef struct le_qa_set {
    le_qa_item *items;
    size_t n, cap;
} le_qa_set;

/* Reads the first max_items questions (0: all) of a JSONL file; each line
 * needs "question" and "answer" strings (blank lines are skipped); an
 * error names the file and line. */
le_status le_qa_load(const char *path, size_t max_items, le_qa_set *out, le_error *err);
void le_qa_free(le_qa_set *s);

/* Runs one pipeline on one question into res (the driver frees it). */
typedef le_status (*le_rag_eval_fn)(void *user, const le_qa_item *q, le_rag_result *res,
                                    le_error *err);

typedef struct le_rag_eval_row {
    le_rouge_scores rouge; /* 0 when the run failed */
    double seconds;
    size_t tokens_read, tokens_generated;
    int failed;            /* the run's status (0: ok) */
    char error[160];       /* its message, cut */
} le_rag_eval_row;

/* The means of a run: the public le_ask_eval_summary (longembed.h), so that
 * le_ask_eval hands the driver's numbers over as they are. */
typedef le_ask_eval_summary le_rag_eval_summary;

/* Called after question i with its row and its run's result (empty when
 * the run failed), before the result is freed. */
typedef void (*le_rag_eval_row_fn)(void *user, size_t i, const le_qa_item *q,
                                   const le_rag_eval_row *row, const le_rag_result *res);

/* The first n questions of qa (n 0 or past the end: all) through run,
 * each row to on_row (may be NULL), into sum; the rest as le_rag_eval. */
le_status le_rag_eval_each(const le_qa_set *qa, size_t n, le_rag_eval_fn run,
                           le_rag_eval_row_fn on_row, void *user, le_rag_eval_summary *sum,
                           le_error *err);
/* The first n questions of qa (n 0 or past the end: all) through run;
 * rows (room for n, may be NULL) get each question's numbers. A failing
 * question is counted and the run goes on; only out of memory stops it. */
le_status le_rag_eval(const le_qa_set *qa, size_t n, le_rag_eval_fn run, void *user,
                      le_rag_eval_row *rows, le_rag_eval_summary *sum, le_error *err);
/* One Markdown table row: | label | R-1 | R-2 | R-L | s/question | tokens read | generated | failed |. */
void le_rag_eval_table_row(const char *label, const le_rag_eval_summary *sum, le_sbuf *out);
/* The header of that table (two lines). */
void le_rag_eval_table_head(le_sbuf *out);

#endif
