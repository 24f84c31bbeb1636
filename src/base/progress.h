/* Progress for long work: a bar with rate and ETA on a terminal, and a
 * plain line now and then otherwise (or nothing when quiet). */
#ifndef LE_BASE_PROGRESS_H
#define LE_BASE_PROGRESS_H

#include <stdio.h>

typedef struct le_progress {
    FILE *out;
    char label[64];
    char unit[16];
    double total;
    double done;
    double t0;
    double last_draw;
    int tty;
    int quiet;
} le_progress;

double le_now_seconds(void);

/* out NULL means stderr; quiet suppresses everything. */
void le_progress_start(le_progress *p, FILE *out, const char *label, double total,
                       const char *unit, int quiet);
void le_progress_add(le_progress *p, double amount);
void le_progress_finish(le_progress *p);

#endif
