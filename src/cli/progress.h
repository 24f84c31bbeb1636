/* Progress of long work on stderr: a bar with rates and ETA on a terminal,
 * a plain line every 10 s otherwise, nothing when quiet. The library reports
 * progress through callbacks; drawing it is the client's business. */
#ifndef LE_CLI_PROGRESS_H
#define LE_CLI_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct cli_progress {
    FILE *out;
    char label[32];
    size_t total_items; /* 0: unknown */
    size_t items;
    double item_frac; /* progress inside the current call, 0..1 */
    size_t tokens_base, call_done, call_total;
    double t0, last_draw;
    int tty, quiet, drawn;
} cli_progress;

double cli_now(void);
void cli_progress_start(cli_progress *p, const char *label, size_t total_items, int quiet);
/* n more items (texts, documents, queries) finished. */
void cli_progress_texts(cli_progress *p, size_t n);
/* The library's token callback: done of total tokens in the current call. */
void cli_progress_tokens(cli_progress *p, size_t done, size_t total);
void cli_progress_finish(cli_progress *p);

#endif
