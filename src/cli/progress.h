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
    /* work mode (cli_progress_work): a fraction of arbitrary units, a rate of
     * texts and a note instead of item counts */
    int work_mode;
    double work_done, work_total, texts_done, tokens_done;
    char note[96];
} cli_progress;

void cli_progress_start(cli_progress *p, const char *label, size_t total_items, int quiet);
/* n more items (texts, documents, queries) finished. */
void cli_progress_texts(cli_progress *p, size_t n);
/* The library's token callback: done of total tokens in the current call. */
void cli_progress_tokens(cli_progress *p, size_t done, size_t total);
void cli_progress_finish(cli_progress *p);
/* Work mode: done of total units (for the bar and the ETA), texts and
 * tokens processed so far (for the rates), and a note shown after the bar.
 * Draws on a terminal only. */
void cli_progress_work(cli_progress *p, double done, double total, size_t texts, double tokens,
                       const char *note);
/* Prints one line (e.g. a finished step) without breaking the bar: the bar
 * is cleared, the line printed and the bar drawn again below it. */
void cli_progress_line(cli_progress *p, const char *line);

#endif
