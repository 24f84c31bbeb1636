#include "progress.h"
#include "base/clock.h"

#include <string.h>
#include <unistd.h>

static void fmt_time(char *buf, size_t n, double s) {
    if (s < 0 || s > 1e7) {
        snprintf(buf, n, "--:--");
        return;
    }
    int t = (int)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%02d:%02d", t / 60, t % 60);
}

static void draw_work(cli_progress *p, int final) {
    double now = le_now_seconds(), el = now - p->t0;
    double frac = p->work_total > 0 ? p->work_done / p->work_total : 0;
    if (frac > 1) frac = 1;
    char t[32];
    if (final) fmt_time(t, sizeof t, el);
    else fmt_time(t, sizeof t, frac > 0.005 ? el * (1 - frac) / frac : -1);
    char bar[26];
    int fill = (int)(frac * 25);
    for (int i = 0; i < 25; i++) bar[i] = i < fill ? '#' : '.';
    bar[25] = 0;
    fprintf(p->out, "\r%s [%s] %3.0f%% %.1f texts/s, %.0f tok/s, %s %s  %s\033[K", p->label, bar,
            frac * 100, el > 0 ? p->texts_done / el : 0, el > 0 ? p->tokens_done / el : 0,
            final ? "took" : "eta", t, final ? "" : p->note);
    if (final) fputc('\n', p->out);
    fflush(p->out);
    p->last_draw = now;
    p->drawn = 1;
}

static void draw(cli_progress *p, int final) {
    if (p->work_mode) {
        draw_work(p, final);
        return;
    }
    double now = le_now_seconds(), el = now - p->t0;
    double done = (double)p->items + (final ? 0 : p->item_frac);
    double tokens = (double)(p->tokens_base + p->call_done);
    double rate = el > 0 ? done / el : 0, trate = el > 0 ? tokens / el : 0;
    char t[32];
    if (final) fmt_time(t, sizeof t, el);
    else fmt_time(t, sizeof t, p->total_items && rate > 0 ? (p->total_items - done) / rate : -1);
    const char *tail = final ? "took" : "eta";
    if (p->tty) {
        fputc('\r', p->out);
        if (p->total_items) {
            double frac = done / (double)p->total_items;
            if (frac > 1) frac = 1;
            char bar[26];
            int fill = (int)(frac * 25);
            for (int i = 0; i < 25; i++) bar[i] = i < fill ? '#' : '.';
            bar[25] = 0;
            fprintf(p->out, "%s [%s] %3.0f%% ", p->label, bar, frac * 100);
        } else {
            fprintf(p->out, "%s ", p->label);
        }
        fprintf(p->out, "%zu%s%.0zu, %.1f/s, %.0f tok/s, %s %s\033[K", p->items,
                p->total_items ? "/" : "", p->total_items, rate, trate, tail, t);
        if (final) fputc('\n', p->out);
    } else {
        fprintf(p->out, "%s: %zu", p->label, p->items);
        if (p->total_items) fprintf(p->out, "/%zu", p->total_items);
        fprintf(p->out, " done, %.1f/s, %.0f tok/s, %s %s\n", rate, trate, tail, t);
    }
    fflush(p->out);
    p->last_draw = now;
    p->drawn = 1;
}

void cli_progress_start(cli_progress *p, const char *label, size_t total_items, int quiet) {
    memset(p, 0, sizeof *p);
    p->out = stderr;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total_items = total_items;
    p->t0 = p->last_draw = le_now_seconds();
    p->tty = isatty(fileno(stderr));
    p->quiet = quiet;
}

static void maybe_draw(cli_progress *p) {
    if (p->quiet) return;
    double now = le_now_seconds();
    /* nothing for the first second: short runs stay silent */
    if (now - p->t0 < 1.0) return;
    if (now - p->last_draw >= (p->tty ? 0.1 : 10.0)) draw(p, 0);
}

void cli_progress_texts(cli_progress *p, size_t n) {
    p->items += n;
    p->item_frac = 0;
    maybe_draw(p);
}

void cli_progress_tokens(cli_progress *p, size_t done, size_t total) {
    if (done < p->call_done || total != p->call_total) { /* a new call */
        p->tokens_base += p->call_done;
        p->call_done = 0;
    }
    p->call_done = done;
    p->call_total = total;
    p->item_frac = total ? (double)done / (double)total : 0;
    maybe_draw(p);
}

void cli_progress_finish(cli_progress *p) {
    if (!p->quiet && p->drawn) draw(p, 1);
}

void cli_progress_work(cli_progress *p, double done, double total, size_t texts, double tokens,
                       const char *note) {
    p->work_mode = 1;
    p->work_done = done;
    p->work_total = total;
    p->texts_done = (double)texts;
    p->tokens_done = tokens;
    snprintf(p->note, sizeof p->note, "%s", note ? note : "");
    if (p->quiet || !p->tty) return;
    double now = le_now_seconds();
    if (now - p->t0 >= 1.0 && now - p->last_draw >= 0.1) draw(p, 0);
}

void cli_progress_line(cli_progress *p, const char *line) {
    if (p->quiet) return;
    if (p->tty && p->drawn) fputs("\r\033[K", p->out);
    fprintf(p->out, "%s\n", line);
    if (p->tty && p->drawn) draw(p, 0);
    fflush(p->out);
}
