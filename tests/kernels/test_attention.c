/* Tiled attention on every ISA against the double-precision reference:
 * lengths 1 … 4097, causal with q_offset, grouped-query heads, ALiBi,
 * SelfExtend (random windows), odd head dims and strides. */
#include "check.h"
#include "kernels/attention.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const le_isa all_isas[] = {LE_ISA_SCALAR, LE_ISA_AVX2, LE_ISA_AVX512};

typedef struct attn_case {
    int n_q, n_kv, heads, kv_heads, d;
    int causal, q_offset, alibi, window;
    int pad; /* extra floats per row: strides wider than the heads */
} attn_case;

/* The rows the reference is computed for: all of them when short, three
 * slices of 16 rows when long (a slice is a call with fewer queries and a
 * larger q_offset: each row's answer is its own). */
typedef struct ref_rows {
    int starts[3], nslices, rows;
    float *out; /* [nslices][rows][out_stride] */
} ref_rows;

static ref_rows reference(const le_attn_args *a) {
    ref_rows rr = {{0, a->n_q / 2, a->n_q - 16}, 3, 16, NULL};
    if (a->n_q <= 600) rr.nslices = 1, rr.rows = a->n_q;
    rr.out = malloc(sizeof(float) * (size_t)rr.nslices * rr.rows * a->out_stride);
    for (int s = 0; s < rr.nslices; s++) {
        le_attn_args r = *a;
        const int r0 = rr.starts[s];
        r.n_q = rr.rows;
        r.q_offset += r0;
        r.q += (size_t)r0 * a->q_stride;
        if (r.q_lo) r.q_lo += (size_t)r0 * a->q_stride;
        if (r.q_up) r.q_up += (size_t)r0 * a->q_stride;
        r.out = rr.out + (size_t)s * rr.rows * a->out_stride;
        le_attention_reference(&r);
    }
    return rr;
}

/* max |out − reference| over the reference's rows; NaN wins */
static double max_error(const le_attn_args *a, const ref_rows *rr, const float *out) {
    double worst = 0;
    for (int s = 0; s < rr->nslices; s++)
        for (int i = 0; i < rr->rows; i++)
            for (int c = 0; c < a->n_heads * a->head_dim; c++) {
                double e = fabs((double)out[(size_t)(rr->starts[s] + i) * a->out_stride + c] -
                                rr->out[((size_t)s * rr->rows + i) * a->out_stride + c]);
                if (!(e <= worst)) worst = e;
            }
    return worst;
}

/* The largest error of the bf16 kernels over all cases (printed at the end). */
static double bf16_worst;
static int bf16_cases;

/* bf16 products, where this CPU runs them: the same reference, the bound of
 * inputs rounded to bf16 (unit-scale q, k, v; measured worst ~4e-3) */
static void check_bf16(le_attn_args *a, const ref_rows *rr, const attn_case *c) {
    if (!le_attention_bf16_runs(LE_ISA_AVX512, a->head_dim)) return;
    float *out = a->out;
    const size_t total = (size_t)a->n_q * a->out_stride;
    for (size_t i = 0; i < total; i++) out[i] = NAN;
    le_pool *pool = le_pool_create(2);
    le_kctx kc = {LE_ISA_AVX512, pool};
    a->bf16 = 1;
    CHECK(le_attention(&kc, a) == 0);
    a->bf16 = 0;
    le_pool_destroy(pool);
    double e = max_error(a, rr, out);
    if (e > bf16_worst) bf16_worst = e;
    bf16_cases++;
    CHECK_MSG(e <= 1e-2, "bf16 n_q=%d n_kv=%d heads=%d/%d d=%d causal=%d w=%d: max error %g",
              c->n_q, c->n_kv, c->heads, c->kv_heads, c->d, c->causal, c->window, e);
    int pad_ok = 1;
    for (int t = 0; t < c->n_q; t++)
        for (int p = 0; p < c->pad; p++)
            pad_ok &= isnan(out[(size_t)t * a->out_stride + a->out_stride - 1 - p]);
    CHECK(pad_ok);
}

static void run_case(const attn_case *c, le_pool *pool) {
    const size_t qs = (size_t)c->heads * c->d + c->pad, ks = (size_t)c->kv_heads * c->d + c->pad;
    float *q = test_random((size_t)c->n_q * qs, -1, 1);
    float *k = test_random((size_t)c->n_kv * ks, -1, 1);
    float *v = test_random((size_t)c->n_kv * ks, -1, 1);
    float *q_lo = NULL, *q_up = NULL, *k_g = NULL;
    if (c->window) {
        q_lo = test_random((size_t)c->n_q * qs, -1, 1);
        q_up = test_random((size_t)c->n_q * qs, -1, 1);
        k_g = test_random((size_t)c->n_kv * ks, -1, 1);
    }
    float slopes[16];
    for (int h = 0; h < 16; h++) slopes[h] = powf(2.0f, -8.0f * (h + 1) / c->heads);
    float *out = malloc(sizeof(float) * (size_t)c->n_q * qs);
    le_attn_args a = {.n_q = c->n_q,
                      .n_kv = c->n_kv,
                      .n_heads = c->heads,
                      .n_kv_heads = c->kv_heads,
                      .head_dim = c->d,
                      .q = q,
                      .q_stride = qs,
                      .k = k,
                      .k_stride = ks,
                      .v = v,
                      .v_stride = ks,
                      .out = out,
                      .out_stride = qs,
                      .scale = 2.0f / sqrtf((float)c->d),
                      .causal = c->causal,
                      .q_offset = c->q_offset,
                      .alibi_slopes = c->alibi ? slopes : NULL,
                      .se_window = c->window,
                      .q_lo = q_lo,
                      .q_up = q_up,
                      .k_g = k_g};
    ref_rows rr = reference(&a);
    for (size_t ii = 0; ii < 3; ii++) {
        le_isa isa = all_isas[ii];
        if (!test_isa_available(isa)) continue;
        if (isa == LE_ISA_SCALAR && (size_t)c->n_q * c->n_kv > 600 * 600) continue; /* slow */
#if defined(__SANITIZE_ADDRESS__)
        /* unoptimised sanitizer builds: long cases on one ISA, scalar on short ones */
        if ((size_t)c->n_q * c->n_kv > 2000 * 2000 && isa != le_cpu_best_isa()) continue;
        if (isa == LE_ISA_SCALAR && (size_t)c->n_q * c->n_kv > 128 * 128) continue;
#endif
        for (size_t i = 0; i < (size_t)c->n_q * qs; i++) out[i] = NAN;
        le_kctx kc = {isa, pool};
        CHECK(le_attention(&kc, &a) == 0);
        double e = max_error(&a, &rr, out);
        CHECK_MSG(e <= 1e-5,
                  "%s n_q=%d n_kv=%d heads=%d/%d d=%d causal=%d off=%d alibi=%d w=%d: max error %g",
                  le_isa_name(isa), c->n_q, c->n_kv, c->heads, c->kv_heads, c->d, c->causal,
                  c->q_offset, c->alibi, c->window, e);
        /* padding columns of the output are left alone */
        int pad_ok = 1;
        for (int t = 0; t < c->n_q; t++)
            for (int p = 0; p < c->pad; p++) pad_ok &= isnan(out[(size_t)t * qs + qs - 1 - p]);
        CHECK(pad_ok);
    }
    check_bf16(&a, &rr, c);
    free(rr.out);
    free(q);
    free(k);
    free(v);
    free(q_lo);
    free(q_up);
    free(k_g);
    free(out);
}

/* A decoder step (one query: attention_decode.c) gives the bits the tiles
 * give the same query as the last row of a two-query call, on every ISA,
 * with GQA, causal masks (the cache longer than the query's position too),
 * odd head dims, key counts across tile edges, 1 and 2 threads. */
static void decode_case(int n_kv, int heads, int kv_heads, int d, int causal, int q_offset,
                        le_pool *pool) {
    const size_t qs = (size_t)heads * d, ks = (size_t)kv_heads * d + 3;
    float *q = test_random(2 * qs, -1, 1), *k = test_random((size_t)n_kv * ks, -1, 1);
    float *v = test_random((size_t)n_kv * ks, -1, 1);
    float *two = malloc(sizeof(float) * 2 * qs), *one = malloc(sizeof(float) * qs);
    le_attn_args a = {.n_q = 2, .n_kv = n_kv, .n_heads = heads, .n_kv_heads = kv_heads,
                      .head_dim = d, .q = q, .q_stride = qs, .k = k, .k_stride = ks, .v = v,
                      .v_stride = ks, .out = two, .out_stride = qs, .scale = 0.3f,
                      .causal = causal, .q_offset = q_offset - 1};
    for (size_t ii = 0; ii < 3; ii++) {
        if (!test_isa_available(all_isas[ii])) continue;
        le_kctx kc = {all_isas[ii], pool};
        a.n_q = 2, a.q = q, a.out = two, a.q_offset = q_offset - 1;
        CHECK(le_attention(&kc, &a) == 0);
        a.n_q = 1, a.q = q + qs, a.out = one, a.q_offset = q_offset;
        CHECK(le_attention(&kc, &a) == 0);
        CHECK_MSG(!memcmp(one, two + qs, sizeof(float) * qs),
                  "%s decode step n_kv=%d heads=%d/%d d=%d causal=%d off=%d: not the tiles' bits",
                  le_isa_name(all_isas[ii]), n_kv, heads, kv_heads, d, causal, q_offset);
    }
    free(q), free(k), free(v), free(two), free(one);
}

static void test_decode(le_pool *pool) {
    const int lens[] = {1, 2, 127, 128, 129, 700, 3000};
    for (int i = 0; i < 7; i++) {
        const int n = lens[i];
        decode_case(n, 9, 3, 64, 1, n - 1, i % 2 ? pool : NULL);
        decode_case(n, 4, 4, 40, 1, n - 1, pool);
        decode_case(n, 2, 1, 64, 0, 0, pool);
        if (n > 60) decode_case(n, 6, 2, 32, 1, n - 50, pool); /* keys past the query */
    }
}

int main(void) {
    le_pool *pool = le_pool_create(2);
    test_decode(pool);
    const int lengths[] = {1, 7, 63, 511, 513, 4097};
    for (int i = 0; i < 6; i++) {
        int n = lengths[i];
        attn_case plain = {n, n, n > 1000 ? 2 : 3, n > 1000 ? 2 : 3, 64, 0, 0, 0, 0, 0};
        run_case(&plain, i % 2 ? pool : NULL);
        if (n > 1000) continue;
        attn_case causal = {n, n, 2, 2, 64, 1, 0, 0, 0, 3};
        run_case(&causal, pool);
        attn_case cont = {n, n + 37, 2, 2, 64, 1, 37, 0, 0, 0}; /* after a 37-token cache */
        run_case(&cont, pool);
        attn_case gqa = {n, n, 4, 2, 64, 0, 0, 0, 0, 0};
        run_case(&gqa, pool);
        attn_case alibi = {n, n, 4, 4, 64, 0, 0, 1, 0, 0};
        run_case(&alibi, pool);
        attn_case odd_d = {n, n, 2, 1, 40, 0, 0, 0, 0, 5};
        run_case(&odd_d, pool);
    }
    /* SelfExtend: random windows, bidirectional and causal, with GQA */
    for (int r = 0; r < 12; r++) {
        int n = 1 + (int)(test_rand_u64() % 700);
        int w = 1 + (int)(test_rand_u64() % 200);
        attn_case se = {n, n, 4, r % 2 ? 2 : 4, r % 3 ? 64 : 24, r % 4 == 3, 0, r % 5 == 0, w, 0};
        run_case(&se, pool);
    }
    /* windows at the tile edges (128 queries × 128 keys; 64 before) */
    const int edge_windows[] = {1, 63, 64, 65, 127, 128, 129, 255, 256, 257};
    for (int r = 0; r < 10; r++) {
        attn_case se = {600, 600, 2, 2, 32, 0, 0, 0, edge_windows[r], 0};
        run_case(&se, pool);
    }
    attn_case se_long = {4097, 4097, 2, 2, 64, 0, 0, 0, 64, 0};
    run_case(&se_long, pool);
    /* q_offset past some keys only (causal cross-attention to a shorter cache) */
    attn_case short_kv = {40, 10, 2, 2, 64, 1, -20, 0, 0, 0}; /* the first 20 rows see nothing */
    run_case(&short_kv, pool);
    le_pool_destroy(pool);
    if (bf16_cases)
        printf("bf16 products: %d cases, max error %.3g\n", bf16_cases, bf16_worst);
    else
        printf("bf16 products: not run (this CPU has no AVX512_BF16)\n");
    return check_report("test_attention");
}
