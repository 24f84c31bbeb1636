#include "base/progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

double le_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fmt_eta(char *buf, size_t n, double s) {
    if (s < 0 || s > 1e7) {
        snprintf(buf, n, "--:--");
        return;
    }
    int t = (int)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%02d:%02d", t / 60, t % 60);
}

static void draw(le_progress *p, int final) {
    double now = le_now_seconds(), el = now - p->t0;
    double rate = el > 0 ? p->done / el : 0;
    double frac = p->total > 0 ? p->done / p->total : 0;
    if (frac > 1) frac = 1;
    char eta[32];
    fmt_eta(eta, sizeof eta, final ? el : (rate > 0 ? (p->total - p->done) / rate : -1));
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = 0;
        fprintf(p->out, "\r%s [%s] %3.0f%% %.0f/%.0f %s, %.1f %s/s, %s %s\033[K", p->label, bar,
                frac * 100, p->done, p->total, p->unit, rate, p->unit, final ? "took" : "eta", eta);
        if (final) fputc('\n', p->out);
    } else {
        fprintf(p->out, "%s: %.0f/%.0f %s, %.1f %s/s, %s %s\n", p->label, p->done, p->total,
                p->unit, rate, p->unit, final ? "took" : "eta", eta);
    }
    fflush(p->out);
    p->last_draw = now;
}

void le_progress_start(le_progress *p, FILE *out, const char *label, double total,
                       const char *unit, int quiet) {
    memset(p, 0, sizeof *p);
    p->out = out ? out : stderr;
    snprintf(p->label, sizeof p->label, "%s", label);
    snprintf(p->unit, sizeof p->unit, "%s", unit);
    p->total = total;
    p->t0 = le_now_seconds();
    p->last_draw = p->t0;
    p->tty = isatty(fileno(p->out));
    p->quiet = quiet;
}

void le_progress_add(le_progress *p, double amount) {
    p->done += amount;
    if (p->quiet) return;
    double now = le_now_seconds();
    /* a terminal redraws 10x a second; a log gets a line every 10 s */
    if (now - p->last_draw >= (p->tty ? 0.1 : 10.0)) draw(p, 0);
}

void le_progress_finish(le_progress *p) {
    if (!p->quiet) draw(p, 1);
}
