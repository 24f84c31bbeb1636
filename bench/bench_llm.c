/* The decoder's two speeds as llama.cpp's llama-bench measures them:
 *   pp: prompt processing, one batch of --prompt tokens in a fresh sequence
 *       (tokens / s of the prefill);
 *   tg: text generation, --gen tokens one at a time after a one-token prompt
 *       (tokens / s of the decode steps), or after a prompt of --depth
 *       tokens (llama-bench's -d: decode speed deep in a long context).
 * Tokens are drawn at random from the vocabulary (as llama-bench does), the
 * end-of-generation token is ignored so every run makes exactly --gen tokens.
 * Each figure is the median of --repeat runs after one warm-up run.
 *
 *   build/bench/bench_llm [--model smollm2|FILE.gguf] [--threads N] [--prompt 512]
 *                         [--gen 128] [--depth 0] [--repeat 3] [--precision q8|exact]
 *                         [--json]
 *
 * bench/llm_peers.py runs it beside llama-bench on the same GGUF and threads. */
#include "base/clock.h"
#include "longembed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct args {
    const char *model, *precision;
    int threads, prompt, gen, repeat, json, depth;
} args;

static double peak_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int parse_args(int argc, char **argv, args *a) {
    *a = (args){"smollm2", NULL, 0, 512, 128, 3, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(k, "--json")) {
            a->json = 1;
            continue;
        }
        if (!v) goto usage;
        if (!strcmp(k, "--model")) a->model = v;
        else if (!strcmp(k, "--precision")) a->precision = v;
        else if (!strcmp(k, "--threads")) a->threads = atoi(v);
        else if (!strcmp(k, "--prompt")) a->prompt = atoi(v);
        else if (!strcmp(k, "--gen")) a->gen = atoi(v);
        else if (!strcmp(k, "--repeat")) a->repeat = atoi(v);
        else if (!strcmp(k, "--depth")) a->depth = atoi(v);
        else goto usage;
        i++;
    }
    if (a->prompt > 0 && a->gen > 0 && a->repeat > 0 && a->repeat <= 100 && a->depth >= 0)
        return 0;
usage:
    fprintf(stderr, "usage: bench_llm [--model smollm2|FILE.gguf] [--threads N] [--prompt N] "
                    "[--gen N] [--depth N] [--repeat N] [--precision q8|exact] [--json]\n");
    return 2;
}

/* n random ids (malloc'd; NULL when out of memory). */
static int32_t *random_ids(int vocab, int n) {
    int32_t *ids = malloc((size_t)(n > 0 ? n : 1) * sizeof *ids);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; ids && i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        ids[i] = (int32_t)(x % (uint64_t)vocab);
    }
    return ids;
}

/* Seconds of one prefill of n random ids (a fresh sequence each call). */
static int time_prompt(le_llm *m, int vocab, int n, double *sec, le_error *err) {
    int32_t *ids = random_ids(vocab, n);
    float *logits = malloc((size_t)vocab * sizeof *logits);
    int rc = !ids || !logits;
    double t0 = le_now_seconds();
    if (!rc) rc = le_llm_logits(m, ids, (size_t)n, 1, logits, err) != LE_OK;
    *sec = le_now_seconds() - t0;
    free(ids);
    free(logits);
    return rc;
}

/* Seconds of the decode steps of `gen` greedy tokens after a prompt of
 * depth random tokens (one token when depth is 0). */
static int time_gen(le_llm *m, int vocab, int depth, int gen, double *sec, le_error *err) {
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.max_new_tokens = gen;
    go.temperature = 0;
    go.ignore_eos = 1;
    int32_t *prompt = random_ids(vocab, depth ? depth : 1), *out = malloc((size_t)gen * sizeof *out);
    size_t n_out = 0;
    le_llm_result res;
    int rc = !out || !prompt ||
             le_llm_generate_ids(m, prompt, depth ? (size_t)depth : 1, &go, out, (size_t)gen,
                                 &n_out, &res, err);
    free(out);
    free(prompt);
    if (!rc && (int)n_out != gen) {
        fprintf(stderr, "bench_llm: %zu tokens generated, %d asked\n", n_out, gen);
        rc = 1;
    }
    *sec = res.gen_seconds;
    return rc;
}

static void report(const args *a, const le_llm_info *info, double pp, double tg) {
    if (a->json) {
        printf("{\"model\":\"%s\",\"threads\":%d,\"isa\":\"%s\",\"precision\":\"%s\","
               "\"prompt\":%d,\"gen\":%d,\"depth\":%d,\"pp_tokens_per_s\":%.2f,"
               "\"tg_tokens_per_s\":%.2f,\"peak_rss_mib\":%.1f}\n",
               info->name, info->threads, info->isa, info->precision, a->prompt, a->gen, a->depth,
               pp, tg, peak_mib());
        return;
    }
    printf("%s (%s, %s), %d threads, %s activations\n", info->name, info->architecture,
           info->weights, info->threads, info->precision);
    char depth[32] = "";
    if (a->depth) snprintf(depth, sizeof depth, " @ d%d", a->depth);
    printf("| test | tokens/s |\n|---|---:|\n| pp%d | %.1f |\n| tg%d%s | %.1f |\n", a->prompt, pp,
           a->gen, depth, tg);
    printf("peak RSS %.0f MiB\n", peak_mib());
}

int main(int argc, char **argv) {
    args a;
    if (parse_args(argc, argv, &a)) return 2;
    le_llm_options o;
    le_llm_options_init(&o);
    o.threads = a.threads;
    o.precision = a.precision;
    le_llm *m = NULL;
    le_error err;
    if (le_llm_open(a.model, &o, &m, &err) != LE_OK) {
        fprintf(stderr, "bench_llm: %s\n", err.message);
        return 1;
    }
    le_llm_info info;
    le_llm_get_info(m, &info);
    double pp[100], tg[100], warm;
    int rc = time_prompt(m, info.vocab, a.prompt, &warm, &err) ||
             time_gen(m, info.vocab, 0, 8, &warm, &err);
    for (int r = 0; !rc && r < a.repeat; r++) {
        double s = 0;
        rc = time_prompt(m, info.vocab, a.prompt, &s, &err);
        pp[r] = s > 0 ? a.prompt / s : 0;
        if (!rc) rc = time_gen(m, info.vocab, a.depth, a.gen, &s, &err);
        tg[r] = s > 0 ? a.gen / s : 0;
    }
    if (rc) fprintf(stderr, "bench_llm: %s\n", err.message);
    else report(&a, &info, median(pp, a.repeat), median(tg, a.repeat));
    le_llm_close(m);
    return rc ? 1 : 0;
}
