/* Embedding throughput and peak memory for one configuration, through the
 * public API, as one JSON line (the format of bench/torch_bench.py):
 *   bench_embed -m MODEL --texts 32 --tokens 128 [--threads N] [--runs R] [--warmup W]
 *              [--extend M] [--isa ISA] [--precision fp32|bf16|int8] [--source FILE]
 * Each text is cut to exactly --tokens tokens (special tokens included) from
 * a different place of the source text (default: samples/ documents). W untimed
 * passes (default 1) come before the R timed ones. Run it
 * in a fresh process per configuration: peak RSS is the process's. */
#include "longembed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)sz + 1);
    if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[sz] = 0;
    *n = (size_t)sz;
    return b;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *model = "minilm", *extend = "none", *isa = NULL, *precision = NULL;
    const char *source = "samples/history-of-bread.txt";
    int texts = 32, tokens = 128, threads = 0, runs = 5, warmup = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-m"))
            model = argv[i + 1];
        else if (!strcmp(argv[i], "--texts"))
            texts = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--tokens"))
            tokens = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup"))
            warmup = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--extend"))
            extend = argv[i + 1];
        else if (!strcmp(argv[i], "--isa"))
            isa = argv[i + 1];
        else if (!strcmp(argv[i], "--precision"))
            precision = argv[i + 1];
        else if (!strcmp(argv[i], "--source"))
            source = argv[i + 1];
        else {
            fprintf(stderr, "bench_embed: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (texts < 1 || tokens < 3 || runs < 1 || warmup < 0) {
        fprintf(stderr, "bench_embed: bad --texts/--tokens/--runs/--warmup\n");
        return 2;
    }
    size_t srclen;
    char *src = slurp(source, &srclen);
    if (!src) {
        fprintf(stderr, "bench_embed: cannot read %s\n", source);
        return 1;
    }
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = threads;
    mo.isa = isa;
    mo.precision = precision;
    le_model *m;
    le_error err;
    if (le_model_open(model, &mo, &m, &err)) {
        fprintf(stderr, "bench_embed: %s\n", err.message);
        return 1;
    }
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.truncate = 1;
    eo.max_tokens = tokens;
    if (le_extend_parse(extend, &eo.extend, &err)) {
        fprintf(stderr, "bench_embed: %s\n", err.message);
        return 2;
    }
    /* each text starts at a different word and repeats the source until it
     * is surely longer than the token budget (about 4 characters a token) */
    size_t want = (size_t)tokens * 8 + 64;
    char **tx = calloc((size_t)texts, sizeof *tx);
    for (int i = 0; i < texts; i++) {
        tx[i] = malloc(want + 1);
        size_t start = (size_t)i * 997 % srclen, n = 0;
        while (start < srclen && src[start] != ' ') start++;
        while (n < want) {
            tx[i][n++] = src[start];
            start = (start + 1) % srclen;
        }
        tx[i][want] = 0;
    }
    le_model_info info;
    le_model_get_info(m, &info);
    float *out = malloc(sizeof(float) * (size_t)texts * (size_t)le_model_dim(m));
    le_text_result *res = calloc((size_t)texts, sizeof *res);
    double *times = calloc((size_t)runs, sizeof *times);
    for (int r = 0; r < warmup + runs; r++) {
        double t0 = now();
        if (le_embed(m, (size_t)texts, (const char *const *)tx, NULL, &eo, out, res, &err)) {
            fprintf(stderr, "bench_embed: %s\n", err.message);
            return 1;
        }
        if (r >= warmup) times[r - warmup] = now() - t0;
    }
    long used = 0;
    for (int i = 0; i < texts; i++) used += res[i].tokens;
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    double med = times[runs / 2];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"engine\":\"longembed\",\"model\":\"%s\",\"isa\":\"%s\",\"precision\":\"%s\","
           "\"threads\":%d,"
           "\"texts\":%d,\"tokens_per_text\":%ld,\"extend\":\"%s\",\"seconds\":%.6f,"
           "\"tokens_per_s\":%.1f,\"best_tokens_per_s\":%.1f,\"peak_rss_mb\":%.1f}\n",
           info.name, info.isa, info.precision, info.threads, texts, used / texts, extend, med,
           used / med, used / times[0], ru.ru_maxrss / 1024.0);
    for (int i = 0; i < texts; i++) free(tx[i]);
    free(tx);
    free(out);
    free(res);
    free(times);
    free(src);
    le_model_close(m);
    return 0;
}
