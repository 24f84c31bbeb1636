/* GEMM throughput: GFLOP/s of C = A·Wᵀ for encoder shapes, per ISA and
 * number format, with 1 and 2 threads, against the FMA peak of this machine
 * and OpenBLAS sgemm (when built with it). Also prints the bf16 error
 * against fp32 on realistic data.
 *
 * Times are CPU times (best of several runs): flops / (process CPU seconds /
 * threads), so that other processes sharing the machine do not count. With
 * 2 threads this assumes both are busy: a thread that spins while waiting
 * (OpenBLAS does) makes its figure lower than the truth.
 *
 * usage: bench_gemm [--quick] [--m M] */
#include "base/cpu.h"
#include "base/pool.h"
#include "kernels/gemm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef LE_HAVE_OPENBLAS
#include <cblas.h>
#endif

/* CPU seconds of the whole process: the threads' work, not others' */
static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#if defined(__x86_64__)
#include <immintrin.h>

/* 24 independent FMA chains of 16 lanes: the machine's fp32 FMA peak. */
__attribute__((target("avx512f"))) static void fma_loop_avx512(void *ctx, size_t index,
                                                               int thread) {
    (void)index;
    (void)thread;
    long iters = *(long *)ctx;
    __m512 acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_ps((float)i);
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < iters; it++)
#pragma GCC unroll 24
        for (int i = 0; i < 24; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    float sink = 0;
    for (int i = 0; i < 24; i++) sink += _mm512_reduce_add_ps(acc[i]);
    if (sink == 1234.5f) puts("");
}

__attribute__((target("avx2,fma"))) static void fma_loop_avx2(void *ctx, size_t index, int thread) {
    (void)index;
    (void)thread;
    long iters = *(long *)ctx;
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (long it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    float buf[8], sink = 0;
    for (int i = 0; i < 12; i++) {
        _mm256_storeu_ps(buf, acc[i]);
        sink += buf[0];
    }
    if (sink == 1234.5f) puts("");
}
#endif

/* GFLOP/s of the FMA loop on `threads` threads (0 when the ISA is absent) */
static double fma_peak(le_isa isa, int threads) {
#if defined(__x86_64__)
    le_pool *pool = le_pool_create(threads);
    long iters = 1000000; /* ~50 ms: many short runs find the quiet moments */
    le_pool_task fn = isa == LE_ISA_AVX512 ? fma_loop_avx512 : fma_loop_avx2;
    double lanes = isa == LE_ISA_AVX512 ? 16 * 24 : 8 * 12;
    fn(&iters, 0, 0); /* warm up the clocks */
    double best = 0;
    for (int rep = 0; rep < 40; rep++) {
        double t0 = cpu_seconds();
        le_pool_run(pool, threads, fn, &iters);
        double dt = (cpu_seconds() - t0) / threads;
        double g = 2.0 * lanes * iters * threads / dt * 1e-9;
        if (g > best) best = g;
    }
    le_pool_destroy(pool);
    return best;
#else
    (void)isa;
    (void)threads;
    return 0;
#endif
}

typedef struct shape {
    int n, k;
    const char *what;
} shape;

static const shape shapes[] = {
    {384, 384, "MiniLM attn out"},  {1152, 384, "MiniLM qkv"},    {1536, 384, "MiniLM ffn up"},
    {384, 1536, "MiniLM ffn down"}, {768, 768, "BERT attn out"},  {2304, 768, "BERT qkv"},
    {3072, 768, "BERT ffn up"},     {768, 3072, "BERT ffn down"}, {1536, 1536, "square 1536"},
    {3072, 3072, "square 3072"},
};

static double time_gemm(le_kctx *kc, const float *a, size_t m, const le_gemm_weight *w, float *c,
                        double flops) {
    const int threads = le_pool_threads(kc->pool);
    le_gemm(kc, a, le_gemm_weight_k(w), m, w, NULL, c, le_gemm_weight_n(w));
    double best = 1e30, total = 0;
    for (int rep = 0; rep < 40 && (rep < 5 || total < 1.0); rep++) {
        double t0 = cpu_seconds();
        le_gemm(kc, a, le_gemm_weight_k(w), m, w, NULL, c, le_gemm_weight_n(w));
        double dt = (cpu_seconds() - t0) / threads;
        total += dt;
        if (dt < best) best = dt;
    }
    return flops / best * 1e-9;
}

#ifdef LE_HAVE_OPENBLAS
static double time_openblas(int threads, const float *a, int m, const float *w, int n, int k,
                            float *c, double flops) {
    openblas_set_num_threads(threads);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, w, k, 0.0f, c, n);
    double best = 1e30, total = 0;
    for (int rep = 0; rep < 40 && (rep < 5 || total < 1.0); rep++) {
        double t0 = cpu_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, w, k, 0.0f, c, n);
        double dt = (cpu_seconds() - t0) / threads;
        total += dt;
        if (dt < best) best = dt;
    }
    return flops / best * 1e-9;
}
#endif

/* bf16 error against the fp64 reference on activations like a BERT layer's
 * (LayerNorm output ~N(0,1)) and weights ~N(0, 0.02²). */
static void bf16_error(le_pool *pool) {
    if (!le_gemm_supported(LE_ISA_AVX512, LE_GEMM_BF16)) {
        printf("\nbf16: not supported on this CPU\n");
        return;
    }
    const int m = 256, n = 768, k = 768;
    float *a = malloc(sizeof(float) * m * k), *w = malloc(sizeof(float) * n * k);
    float *c32 = malloc(sizeof(float) * m * n), *c16 = malloc(sizeof(float) * m * n);
    float *ref = malloc(sizeof(float) * m * n);
    srand(7);
    for (int i = 0; i < m * k; i++) { /* Box-Muller */
        double u = (rand() + 1.0) / (RAND_MAX + 2.0), v = (rand() + 1.0) / (RAND_MAX + 2.0);
        a[i] = (float)(sqrt(-2 * log(u)) * cos(6.283185307179586 * v));
    }
    for (int i = 0; i < n * k; i++) {
        double u = (rand() + 1.0) / (RAND_MAX + 2.0), v = (rand() + 1.0) / (RAND_MAX + 2.0);
        w[i] = (float)(0.02 * sqrt(-2 * log(u)) * cos(6.283185307179586 * v));
    }
    le_gemm_reference(a, k, m, w, n, k, NULL, ref, n);
    le_gemm_weight *w32, *w16;
    le_gemm_pack_as(LE_ISA_AVX512, LE_GEMM_F32, w, n, k, &w32, NULL);
    le_gemm_pack_as(LE_ISA_AVX512, LE_GEMM_BF16, w, n, k, &w16, NULL);
    le_kctx kc = {LE_ISA_AVX512, pool};
    le_gemm(&kc, a, k, m, w32, NULL, c32, n);
    le_gemm(&kc, a, k, m, w16, NULL, c16, n);
    double max_abs32 = 0, max_abs16 = 0, max_rel16 = 0, max_norm16 = 0, rms = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double r = ref[i * n + j], e32 = fabs(c32[i * n + j] - r),
                   e16 = fabs(c16[i * n + j] - r);
            double mag = 0;
            for (int kk = 0; kk < k; kk++) mag += fabs((double)a[i * k + kk] * w[j * k + kk]);
            rms += r * r;
            if (e32 > max_abs32) max_abs32 = e32;
            if (e16 > max_abs16) max_abs16 = e16;
            if (fabs(r) > 0.05 && e16 / fabs(r) > max_rel16) max_rel16 = e16 / fabs(r);
            if (e16 / mag > max_norm16) max_norm16 = e16 / mag;
        }
    rms = sqrt(rms / ((double)m * n));
    printf("\nbf16 vs fp32 error (M=%d N=%d K=%d, a~N(0,1), w~N(0,0.02²), |C| rms %.3f):\n", m, n,
           k, rms);
    printf("  fp32 max abs %.3g | bf16 max abs %.3g, max rel (|C|>0.05) %.3g, "
           "max err/Σ|a·w| %.3g (bound 2^-8 = %.3g)\n",
           max_abs32, max_abs16, max_rel16, max_norm16, 0x1p-8);
    le_gemm_weight_free(w32);
    le_gemm_weight_free(w16);
    free(a);
    free(w);
    free(c32);
    free(c16);
    free(ref);
}

int main(int argc, char **argv) {
    int quick = 0, m = 4096;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--m") && i + 1 < argc)
            m = atoi(argv[++i]);
    }
    const le_cpu_features *f = le_cpu_detect();
    printf("CPU: %s; M = %d; %s\n", le_cpu_summary(), m, le_gemm_backend_describe());
    double peak[3] = {0, 0, 0}; /* [threads 1, 2] for the best ISA */
    le_isa best = le_cpu_best_isa();
    if (best >= LE_ISA_AVX2) {
        peak[1] = fma_peak(best, 1);
        peak[2] = fma_peak(best, 2);
        printf("FMA-loop peak (%s fp32): 1 thread %.1f GFLOP/s, 2 threads %.1f GFLOP/s\n",
               le_isa_name(best), peak[1], peak[2]);
    }
#ifdef LE_HAVE_OPENBLAS
    printf("OpenBLAS core: %s\n", openblas_get_corename());
#endif
    size_t max_nk = 3072 * 3072;
    float *a = malloc(sizeof(float) * (size_t)m * 3072);
    float *w = malloc(sizeof(float) * max_nk);
    float *c = malloc(sizeof(float) * (size_t)m * 3072);
    for (size_t i = 0; i < (size_t)m * 3072; i++) a[i] = (float)((i * 7919) % 1000) * 1e-3f - 0.5f;
    for (size_t i = 0; i < max_nk; i++) w[i] = (float)((i * 104729) % 1000) * 1e-3f - 0.5f;
    le_pool *pools[3] = {NULL, le_pool_create(1), le_pool_create(2)};

    printf("\nGFLOP/s per CPU-second × threads, M=%d (%% of the %s FMA peak for that thread "
           "count)\n",
           m, le_isa_name(best));
    printf("%-16s %5s %5s |", "shape", "N", "K");
    const char *cols[] = {"avx512 f32", "avx512 bf16", "avx2 f32", "dnnl bf16", "dnnl int8", "openblas"};
    for (int t = 1; t <= 2; t++)
        for (int ci = 0; ci < 6; ci++) printf(" %9s/%dt", cols[ci], t);
    printf("\n");
    size_t nshapes = sizeof shapes / sizeof *shapes;
    for (size_t s = 0; s < nshapes; s++) {
        if (quick && s % 3) continue;
        const int n = shapes[s].n, k = shapes[s].k;
        const double flops = 2.0 * m * n * k;
        printf("%-16s %5d %5d |", shapes[s].what, n, k);
        for (int t = 1; t <= 2; t++) {
            /* int8 counts 2·M·N·K integer operations, against the same fp32 peak */
            struct {
                le_gemm_backend be;
                le_isa isa;
                le_gemm_dtype dt;
            } runs[5] = {{LE_GEMM_OWN, LE_ISA_AVX512, LE_GEMM_F32},
                         {LE_GEMM_OWN, LE_ISA_AVX512, LE_GEMM_BF16},
                         {LE_GEMM_OWN, LE_ISA_AVX2, LE_GEMM_F32},
                         {LE_GEMM_DNNL, LE_ISA_AVX512, LE_GEMM_BF16},
                         {LE_GEMM_DNNL, LE_ISA_AVX512, LE_GEMM_INT8}};
            for (int ri = 0; ri < 5; ri++) {
                le_gemm_weight *pw;
                if (le_gemm_pack_with(runs[ri].be, runs[ri].isa, runs[ri].dt, w, n, k, &pw, NULL) !=
                    LE_OK) {
                    printf(" %12s", "-");
                    continue;
                }
                le_kctx kc = {runs[ri].isa, pools[t]};
                double g = time_gemm(&kc, a, m, pw, c, flops);
                printf(" %6.0f (%2.0f%%)", g, peak[t] > 0 ? 100 * g / peak[t] : 0);
                le_gemm_weight_free(pw);
            }
#ifdef LE_HAVE_OPENBLAS
            double g = time_openblas(t, a, m, w, n, k, c, flops);
            printf(" %6.0f (%2.0f%%)", g, peak[t] > 0 ? 100 * g / peak[t] : 0);
#else
            printf(" %12s", "n/a");
#endif
        }
        printf("\n");
        fflush(stdout);
    }

    /* scalar only at a small size: it is the reference, not a fast path */
    {
        const int sm = 64, n = 384, k = 384;
        le_gemm_weight *pw;
        le_gemm_pack(LE_ISA_SCALAR, w, n, k, &pw, NULL);
        le_kctx kc = {LE_ISA_SCALAR, pools[1]};
        double g1 = time_gemm(&kc, a, sm, pw, c, 2.0 * sm * n * k);
        kc.pool = pools[2];
        double g2 = time_gemm(&kc, a, sm, pw, c, 2.0 * sm * n * k);
        printf("\nscalar f32, M=%d N=%d K=%d: %.2f GFLOP/s (1 thread), %.2f GFLOP/s (2 threads)\n",
               sm, n, k, g1, g2);
        le_gemm_weight_free(pw);
    }
    (void)f;
    bf16_error(pools[2]);
    for (int i = 1; i < 3; i++) le_pool_destroy(pools[i]);
    free(a);
    free(w);
    free(c);
    return 0;
}
