/* Resuming an evaluation (ask --qa --rows FILE --resume): the questions the
 * rows file already answers are skipped and counted into the table. */
#ifndef LE_CLI_ASK_RESUME_H
#define LE_CLI_ASK_RESUME_H

#include "cli.h"

#include "base/map.h"

typedef struct ask_resume {
    le_map done;              /* qids already in the file */
    le_ask_eval_summary sum;  /* their sums (not means), questions and failures */
} ask_resume;

/* Reads path's rows (a missing file: none); 0, or -1 after printing why. */
int ask_resume_load(ask_resume *r, const char *path);
/* 1 for a question the file answers. */
int ask_resume_skip(const ask_resume *r, const char *qid);
/* The table's numbers over the file's rows and this run's (means). */
le_ask_eval_summary ask_resume_total(const ask_resume *r, const le_ask_eval_summary *now);
void ask_resume_free(ask_resume *r);

#endif
