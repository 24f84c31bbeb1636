/* Tokenizer throughput on the haystack essays (concatenated in file-name
 * order): MB/s and tokens/s for one call on the whole text, one call per
 * essay, and one call per paragraph, plus the time to load tokenizer.json.
 *
 * usage: bench_tokenizer [tokenizer.json [haystack_dir]]
 * defaults: the minilm model in the cache ($XDG_CACHE_HOME/longembed or
 * ~/.cache/longembed) and /work/shared/data/haystack ($LE_HAYSTACK_DIR). */
#include "base/mapfile.h"
#include "text/tokenizer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The essays: every *.txt except the licence, concatenated; offsets[i] is
 * where essay i starts (offsets[n] = total length). */
static char *read_essays(const char *dir, size_t **offsets, size_t *n_essays) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") || !strncmp(e->d_name, "SOURCE-", 7))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    char *all = NULL;
    size_t total = 0;
    *offsets = malloc((n + 1) * sizeof **offsets);
    for (size_t i = 0; i < n; i++) {
        char *path = le_path_join(dir, names[i]), *buf;
        size_t len;
        (*offsets)[i] = total;
        if (le_read_file(path, 0, &buf, &len, NULL) == LE_OK) {
            all = realloc(all, total + len + 1);
            memcpy(all + total, buf, len);
            total += len;
            free(buf);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    (*offsets)[n] = total;
    *n_essays = n;
    if (all) all[total] = 0;
    return all;
}

typedef struct span {
    size_t off, len;
} span;

/* Encodes every span once; returns the token count. */
static size_t encode_spans(const le_tokenizer *t, const char *text, const span *s, size_t n,
                           le_ids *ids) {
    size_t tokens = 0;
    le_error err;
    for (size_t i = 0; i < n; i++) {
        ids->n = 0;
        if (le_tokenizer_encode(t, text + s[i].off, s[i].len, ids, &err)) {
            fprintf(stderr, "encode failed: %s\n", err.message);
            exit(1);
        }
        tokens += ids->n;
    }
    return tokens;
}

/* Best of several passes, each pass timed over at least 0.3 s of work. */
static void bench_case(const char *name, const le_tokenizer *t, const char *text, const span *s,
                       size_t n) {
    le_ids ids = {0};
    size_t bytes = 0, tokens = encode_spans(t, text, s, n, &ids); /* warm-up */
    for (size_t i = 0; i < n; i++) bytes += s[i].len;
    double best = 1e30;
    for (int pass = 0; pass < 5; pass++) {
        int reps = 0;
        double t0 = now_seconds(), el;
        do {
            encode_spans(t, text, s, n, &ids);
            reps++;
            el = now_seconds() - t0;
        } while (el < 0.3);
        if (el / reps < best) best = el / reps;
    }
    printf("| %-22s | %7zu | %8.2f | %9.1f | %9.2f | %8.2f |\n", name, n, best * 1e3,
           (double)bytes / best / 1e6, (double)tokens / best / 1e6, (double)bytes / tokens);
    le_ids_free(&ids);
}

int main(int argc, char **argv) {
    char path_buf[4096];
    const char *path = argc > 1 ? argv[1] : NULL;
    if (!path) {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(path_buf, sizeof path_buf, "%s/longembed/models/minilm/tokenizer.json", xdg);
        else
            snprintf(path_buf, sizeof path_buf, "%s/.cache/longembed/models/minilm/tokenizer.json",
                     home ? home : ".");
        path = path_buf;
    }
    const char *dir = argc > 2 ? argv[2] : getenv("LE_HAYSTACK_DIR");
    if (!dir) dir = "/work/shared/data/haystack";

    le_tokenizer *t = NULL;
    le_error err;
    double t0 = now_seconds();
    if (le_tokenizer_load(path, &t, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double load_ms = (now_seconds() - t0) * 1e3;

    size_t *offsets, n_essays;
    char *text = read_essays(dir, &offsets, &n_essays);
    if (!text || n_essays == 0) {
        fprintf(stderr, "%s: no essays (*.txt) found\n", dir);
        return 1;
    }
    size_t total = offsets[n_essays];

    span whole = {0, total};
    span *essays = malloc(n_essays * sizeof *essays);
    for (size_t i = 0; i < n_essays; i++)
        essays[i] = (span){offsets[i], offsets[i + 1] - offsets[i]};
    /* paragraphs: cut at blank lines */
    size_t n_par = 0, cap_par = 1024, start = 0;
    span *pars = malloc(cap_par * sizeof *pars);
    for (size_t i = 0; i + 1 <= total; i++) {
        int cut = i + 1 == total || (text[i] == '\n' && text[i + 1] == '\n');
        if (!cut) continue;
        size_t end = i + 1 == total ? total : i;
        if (end > start) {
            if (n_par == cap_par) pars = realloc(pars, (cap_par *= 2) * sizeof *pars);
            pars[n_par++] = (span){start, end - start};
        }
        start = i + 2;
    }

    printf("tokenizer: %s (%s, %d ids), loaded in %.1f ms\n", path, le_tokenizer_kind(t),
           le_tokenizer_vocab_size(t), load_ms);
    printf("text: %zu essays from %s, %.2f MB\n\n", n_essays, dir, (double)total / 1e6);
    printf("| %-22s | %7s | %8s | %9s | %9s | %8s |\n", "case", "calls", "ms/pass", "MB/s",
           "Mtokens/s", "bytes/tok");
    printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------", "---------", "----------",
           "-----------", "-----------", "----------");
    bench_case("whole text, one call", t, text, &whole, 1);
    bench_case("one call per essay", t, text, essays, n_essays);
    bench_case("one call per paragraph", t, text, pars, n_par);

    free(pars);
    free(essays);
    free(offsets);
    free(text);
    le_tokenizer_free(t);
    return 0;
}
