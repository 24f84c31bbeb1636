/* Attention throughput: ms and GFLOP/s (4·n²·d per head: q·k and p·v) for
 * one sequence of 12 heads × 64 at lengths 512 … 32k, plain and SelfExtend,
 * per ISA (and bf16 products where the CPU has them) with 1 and 2 threads. 32k runs only on the
 * best ISA with 2 threads unless --full.
 *
 * ms is wall time; GFLOP/s is flops / (process CPU seconds / threads), so
 * that other processes sharing the machine do not count (best of runs).
 *
 * usage: bench_attention [--full] [--max N] [--min N] [--only-best]
 *   --min N: lengths from N; --only-best: the best ISA, its fastest precision,
 *   2 threads (the quick check of a kernel change) */
#include "base/cpu.h"
#include "base/pool.h"
#include "kernels/attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *filled(size_t n, unsigned seed) {
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)(seed >> 8) * (1.0f / 16777216.0f) * 2.0f - 1.0f;
    }
    return p;
}

typedef struct bench_inputs {
    int n, heads, d;
    const float *q, *k, *v, *q_lo, *q_up, *k_g;
    float *out;
} bench_inputs;

/* One configuration: best of up to 10 runs (at least 1 s in all); prints
 * its row. Returns 1 when out of memory. */
static int run_one(const bench_inputs *in, le_isa isa, int bf16, int se, int threads,
                   le_pool *pool) {
    const size_t stride = (size_t)in->heads * in->d;
    le_attn_args a = {.n_q = in->n,
                      .n_kv = in->n,
                      .n_heads = in->heads,
                      .n_kv_heads = in->heads,
                      .head_dim = in->d,
                      .q = in->q,
                      .q_stride = stride,
                      .k = in->k,
                      .k_stride = stride,
                      .v = in->v,
                      .v_stride = stride,
                      .out = in->out,
                      .out_stride = stride,
                      .scale = 0.125f,
                      .se_window = se ? 128 : 0,
                      .q_lo = in->q_lo,
                      .q_up = in->q_up,
                      .k_g = in->k_g,
                      .bf16 = bf16};
    le_kctx kc = {isa, pool};
    double best_wall = 1e30, best_cpu = 1e30, total = 0;
    for (int rep = 0; rep < 10 && (rep < 1 || total < 1.0); rep++) {
        double w0 = now_seconds(CLOCK_MONOTONIC);
        double c0 = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
        if (le_attention(&kc, &a) != 0) {
            printf("out of memory\n");
            return 1;
        }
        double cpu = (now_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / threads;
        double wall = now_seconds(CLOCK_MONOTONIC) - w0;
        total += wall;
        if (wall < best_wall) best_wall = wall;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    double flops = 4.0 * in->n * (double)in->n * in->d * in->heads;
    printf("%-8d %-7s %-5s %-10s %3d %10.2f %9.1f\n", in->n, le_isa_name(isa),
           bf16 ? "bf16" : "fp32", se ? "selfextend" : "plain", threads, best_wall * 1e3,
           flops / best_cpu * 1e-9);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    int full = 0, only_best = 0, min_len = 0, max_len = 32768;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full"))
            full = 1;
        else if (!strcmp(argv[i], "--only-best"))
            only_best = 1;
        else if (!strcmp(argv[i], "--max") && i + 1 < argc)
            max_len = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--min") && i + 1 < argc)
            min_len = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_attention [--full] [--max N] [--min N] [--only-best]\n");
            return 2;
        }
    }
    const int heads = 12, d = 64, lens[] = {512, 2048, 8192, 32768};
    const size_t stride = (size_t)heads * d;
    printf("CPU: %s; %d heads × %d, bidirectional; SelfExtend window 128\n", le_cpu_summary(),
           heads, d);
    printf("%-8s %-7s %-5s %-10s %3s %10s %9s\n", "length", "isa", "prec", "mode", "thr", "ms",
           "GFLOP/s");
    le_pool *pools[3] = {NULL, le_pool_create(1), le_pool_create(2)};
    const le_isa best = le_cpu_best_isa();
    for (int li = 0; li < 4; li++) {
        const int n = lens[li];
        if (n > max_len) break;
        if (n < min_len) continue;
        bench_inputs in = {n,
                           heads,
                           d,
                           filled(n * stride, 1),
                           filled(n * stride, 2),
                           filled(n * stride, 3),
                           filled(n * stride, 4),
                           filled(n * stride, 5),
                           filled(n * stride, 6),
                           malloc(sizeof(float) * n * stride)};
        for (int isa = LE_ISA_SCALAR; isa <= LE_ISA_AVX512; isa++) {
            if ((le_isa)isa > best || (isa == LE_ISA_SCALAR && n > 512)) continue;
            const int precisions = le_attention_bf16_runs((le_isa)isa, d) ? 2 : 1;
            if (only_best && (le_isa)isa != best) continue;
            for (int bf = only_best ? precisions - 1 : 0; bf < precisions; bf++)
                for (int se = 0; se < 2; se++)
                    for (int t = only_best ? 2 : 1; t <= 2; t++) {
                        if (n > 8192 && !full && ((le_isa)isa != best || t != 2)) continue;
                        if (run_one(&in, (le_isa)isa, bf, se, t, pools[t])) return 1;
                    }
        }
        free((void *)in.q), free((void *)in.k), free((void *)in.v);
        free((void *)in.q_lo), free((void *)in.q_up), free((void *)in.k_g), free(in.out);
    }
    for (int i = 1; i < 3; i++) le_pool_destroy(pools[i]);
    return 0;
}
