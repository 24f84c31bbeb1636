/* longembed ask's parsed command line, shared by the question loop
 * (cmd_ask.c) and the evaluation over a QA file (cmd_ask_eval.c). */
#ifndef LE_CLI_ASK_CLI_H
#define LE_CLI_ASK_CLI_H

#include "cli.h"

typedef struct ask_cli {
    cli_common common;
    le_ask_options ao;
    const char *index;
    const char *qa;       /* --qa FILE: evaluate instead of answering */
    const char *rows;     /* --rows FILE: each question's row as JSONL */
    int resume;           /* --resume: keep --rows' rows, skip their questions */
    int prefix_mb;        /* --prefix-cache-mb (-1 until parsed: the default) */
    le_ask_eval_options eo;
} ask_cli;

/* Runs the evaluation of --qa over ix: the progress on stderr, the rows to
 * --rows, the table row on stdout. CLI_OK, or CLI_FAIL after the error. */
int ask_eval_run(ask_cli *a, le_index *ix, le_model *m);

#endif
