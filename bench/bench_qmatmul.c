/* Quantized matrix products (kernels/qmatmul.h) on SmolLM2-135M's shapes:
 * GFLOP/s (2·m·n·k per call) and GB/s of weights read (once per call) for
 * decode (m = 1) and prefill (m = 512), per ISA, 1 and 2 threads. Random
 * weights in the model's types (Q4_1 layers, the Q8_0 tied output).
 * Wall-clock time, best of several calls: run it on an idle machine.
 *
 * usage: bench_qmatmul [--quick] [--m M] [--f32-act] [--scalar] */
#include "base/cpu.h"
#include "base/pool.h"
#include "kernels/qmatmul.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct shape {
    const char *what;
    int n, k;
    uint32_t type; /* ggml ids: 3 Q4_1, 8 Q8_0 */
} shape;

static const shape shapes[] = {
    {"attn_q/o 576->576", 576, 576, 3},          {"attn_k/v 576->192", 192, 576, 3},
    {"ffn_gate/up 576->1536", 1536, 576, 3},     {"ffn_down 1536->576", 576, 1536, 3},
    {"output 576->49152 (Q8_0)", 49152, 576, 8},
};

/* Random blocks with sane scales: f16 d (and m) near 2^-7, random quants. */
static unsigned char *random_weights(const shape *s) {
    const size_t bb = s->type == 8 ? 34 : 20, bytes = (size_t)s->n * (size_t)s->k / 32 * bb;
    unsigned char *p = malloc(bytes);
    for (size_t i = 0; i < bytes; i++) p[i] = (unsigned char)rand();
    for (size_t b = 0; b < bytes / bb; b++) {
        p[b * bb + 1] = (unsigned char)(0x18 + (rand() & 1)); /* d: exponent 2^-8..2^-7 */
        if (s->type == 3) p[b * bb + 3] = 0x98;               /* m < 0 */
    }
    return p;
}

/* Best seconds per call over reps calls (after one warm-up). */
static double time_call(const le_kctx *kc, const le_qmat *w, const float *x, size_t m, float *y,
                        int reps) {
    le_qmatmul(kc, w, x, (size_t)w->k, m, y, (size_t)w->n, 0);
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        le_qmatmul(kc, w, x, (size_t)w->k, m, y, (size_t)w->n, 0);
        double t = now() - t0;
        if (t < best) best = t;
    }
    return best;
}

static void bench_shape(const shape *s, size_t m, int f32_act, int quick, int scalar) {
    le_qmat w;
    le_error err;
    unsigned char *bytes = random_weights(s);
    if (le_qmat_init(&w, s->type, bytes, s->n, s->k, &err) != LE_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    w.f32_act = f32_act;
    float *x = malloc(m * (size_t)s->k * sizeof *x), *y = malloc(m * (size_t)s->n * sizeof *y);
    for (size_t i = 0; i < m * (size_t)s->k; i++) x[i] = (float)rand() / 2147483648.0f - 0.5f;
    const le_isa isas[] = {LE_ISA_SCALAR, LE_ISA_AVX2, LE_ISA_AVX512};
    for (int ii = 0; ii < 3; ii++) {
        if (isas[ii] > le_cpu_best_isa() || (isas[ii] == LE_ISA_SCALAR && !scalar)) continue;
        for (int threads = 1; threads <= 2; threads++) {
            le_pool *pool = le_pool_create(threads);
            le_kctx kc = {isas[ii], pool};
            double work = 2.0 * (double)m * s->n * s->k, mb = (double)s->n * w.row_bytes;
            int reps = (int)(2e8 / work * (quick ? 1 : 5)) + 2;
            double t = time_call(&kc, &w, x, m, y, reps > 200 ? 200 : reps);
            printf("| %-26s | %4zu | %-10s | %d | %9.1f | %7.1f | %6.1f |\n", s->what, m,
                   le_qmat_kernel_name(isas[ii], s->type), threads, t * 1e6, work / t * 1e-9,
                   mb / t * 1e-9);
            le_pool_destroy(pool);
        }
    }
    free(x);
    free(y);
    free(bytes);
}

int main(int argc, char **argv) {
    int quick = 0, f32_act = 0, scalar = 0;
    long only_m = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--f32-act"))
            f32_act = 1;
        else if (!strcmp(argv[i], "--scalar"))
            scalar = 1;
        else if (!strcmp(argv[i], "--m") && i + 1 < argc)
            only_m = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_qmatmul [--quick] [--m M] [--f32-act] [--scalar]\n");
            return 2;
        }
    }
    printf("CPU: %s; activations: %s\n\n", le_cpu_summary(),
           f32_act ? "fp32 (f32_act)" : "quantized per block (ggml)");
    printf("| shape | m | kernels | threads | µs/call | GFLOP/s | GB/s weights |\n");
    printf("|---|---|---|---|---|---|---|\n");
    const size_t ms[] = {1, 512};
    for (int mi = 0; mi < 2; mi++) {
        if (only_m && (size_t)only_m != ms[mi]) continue;
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            bench_shape(&shapes[s], ms[mi], f32_act, quick, scalar);
    }
    if (only_m > 0 && only_m != 1 && only_m != 512)
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            bench_shape(&shapes[s], (size_t)only_m, f32_act, quick, scalar);
    return 0;
}
