/* What the long-input benchmarks (bench_long_rope, bench_m3_long) share:
 * their common options and one fresh child process per length, so that the
 * peak RSS each child reports (getrusage) is that length's alone. */
#ifndef LE_BENCH_LONG_H
#define LE_BENCH_LONG_H

#include "longembed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct bench_long_args {
    const char *model, *isa, *lengths;
    int threads;
} bench_long_args;

/* Monotonic seconds. */
static double bench_now(void) {
    struct timespec ts;
    return clock_gettime(CLOCK_MONOTONIC, &ts) ? 0 : (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The model at dir with a's threads and ISA (no fetching); NULL after
 * printing why, prog first. */
static le_model *bench_open_model(const char *dir, const bench_long_args *a, const char *prog) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = a->threads;
    mo.isa = a->isa;
    mo.allow_fetch = 0;
    le_model *m = NULL;
    le_error err;
    if (le_model_open(dir, &mo, &m, &err) != LE_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.message);
        return NULL;
    }
    return m;
}

/* One step of xorshift64* on *state: 64 random bits. */
static uint64_t bench_xorshift(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}


/* Parses -m, --lengths, --threads and --isa into a (which holds the
 * defaults); any other option goes to extra (1: taken, 0: unknown; may be
 * NULL). 0, or 2 after printing usage. */
static int bench_long_parse(int argc, char **argv, bench_long_args *a, const char *usage,
                            int (*extra)(const char *opt, const char *value, void *user),
                            void *user) {
    if (argc % 2 == 0) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-m"))
            a->model = v;
        else if (!strcmp(o, "--lengths"))
            a->lengths = v;
        else if (!strcmp(o, "--threads"))
            a->threads = atoi(v);
        else if (!strcmp(o, "--isa"))
            a->isa = v;
        else if (!extra || !extra(o, v, user)) {
            fprintf(stderr, "%s", usage);
            return 2;
        }
    }
    return 0;
}

/* run(len, user) in a child process for every length of the comma list,
 * in order; 0 when every child exited 0, else 1. */
static int bench_long_each(const char *lengths, int (*run)(int len, void *user), void *user) {
    int rc = 0;
    fflush(stdout);
    for (const char *p = lengths; *p;) {
        int len = atoi(p);
        pid_t pid = fork();
        if (pid == 0) _exit(run(len, user));
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) rc = 1;
        p = strchr(p, ',');
        if (!p) break;
        p++;
    }
    return rc;
}

#endif
