/* BGE-M3's three outputs (dense, lexical weights, ColBERT vectors) of one
 * long text through the full BGE-M3 shape (24 layers, hidden 1024, 16 heads,
 * FFN 4096, vocabulary 250002): time and peak memory at 2,048 and 8,192
 * tokens (or --lengths), one le_embed_m3 pass each.
 *
 *   python3 tools/make_bge_m3_full.py            # once: ~/.cache/longembed/bench/bge-m3-full
 *   build/bench/bench_m3_long [-m DIR] [--lengths 2048,8192] [--threads N] [--isa ISA]
 *
 * Every length runs in a fresh child process, so its peak RSS (getrusage) is
 * that length's alone: the mapped checkpoint pages touched, the packed
 * weights, the heads and the activations. "RSS open" is the peak after
 * le_model_open and one 8-token warm-up call (the heads are read on the first
 * call); the growth past it is the long text's. The text is random token ids
 * drawn from the whole vocabulary (specials excluded), so it has exactly the
 * length asked for. Run from the repository root. */
#include "bench_long.h"
#include "embed/m3.h"
#include "longembed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define now bench_now

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_u32(void) { return (uint32_t)(bench_xorshift(&rng) >> 32); }

static double peak_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

/* The outputs of n content ids (+ <s> and </s>) of random tokens into *o. */
static le_status embed_random(le_model *m, int vocab, size_t n, le_m3_output *o,
                              le_text_result *res, le_error *err) {
    int32_t *ids = malloc(n * sizeof *ids);
    if (!ids) return LE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) ids[i] = 4 + (int32_t)(next_u32() % (uint32_t)(vocab - 4));
    const int32_t *one = ids;
    le_status s = le_embed_m3_tokens(m, 1, &one, &n, NULL, o, res, err);
    free(ids);
    return s;
}

static int run_length(const bench_long_args *a, int len) {
    le_error err;
    double t0 = now();
    le_model *m = bench_open_model(a->model, a, "bench_m3_long");
    if (!m) return 1;
    le_model_info info;
    le_model_get_info(m, &info);
    le_m3_output o;
    le_text_result res;
    if (embed_random(m, info.vocab_size, 6, &o, &res, &err)) { /* reads the heads */
        fprintf(stderr, "bench_m3_long: %s\n", err.message);
        return 1;
    }
    le_m3_output_free(&o, 1);
    double t_open = now() - t0, rss_open = peak_mib();
    t0 = now();
    le_status s = embed_random(m, info.vocab_size, (size_t)len - 2, &o, &res, &err);
    double t = now() - t0;
    if (s) {
        fprintf(stderr, "bench_m3_long: %d tokens: %s\n", len, err.message);
        return 1;
    }
    double peak = peak_mib();
    printf("| %6d | %7.2f | %8.0f | %8.0f | %8.0f | %7.0f | %7zu | %7zu | %5.1f | %s, %d threads |\n",
           res.tokens, t, res.tokens / t, rss_open, peak, peak - rss_open, o.n_lexical,
           o.n_colbert, t_open, info.isa, info.threads);
    fflush(stdout);
    le_m3_output_free(&o, 1);
    le_model_close(m);
    return 0;
}

static int run_one(int len, void *user) {
    const bench_long_args *a = user;
    return len >= 3 ? run_length(a, len) : 2;
}

int main(int argc, char **argv) {
    char def[4096];
    const char *home = getenv("HOME");
    snprintf(def, sizeof def, "%s/.cache/longembed/bench/bge-m3-full", home ? home : ".");
    bench_long_args a = {def, NULL, "2048,8192", 0};
    if (bench_long_parse(argc, argv, &a, "usage: bench_m3_long [-m DIR] [--lengths L,...] "
                         "[--threads N] [--isa ISA]\n", NULL, NULL))
        return 2;
    printf("model: %s\n\n", a.model);
    printf("| tokens | seconds | tokens/s | RSS open MiB | peak RSS MiB | growth MiB | lexical | "
           "colbert | open s | kernels |\n|---|---|---|---|---|---|---|---|---|---|\n");
    return bench_long_each(a.lengths, run_one, &a);
}
