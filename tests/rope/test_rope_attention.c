/* In-kernel RoPE and SelfExtend in the tiled attention (kernels/attention.h):
 *  - plain RoPE rotated per tile equals rotating q and k first
 *    (le_rope_apply) bitwise, on every ISA;
 *  - SelfExtend with per-tile rotation equals the double-precision dense
 *    reference (the full merged score matrix), bidirectional and causal (the
 *    decoder variant, also after a cache with q_offset), with grouped-query
 *    heads, ALiBi, interleaved pairs and windows at the tile edges;
 *  - results do not depend on the thread count;
 *  - a rope table too short for the positions is refused (-1). */
#include "base/cpu.h"
#include "base/pool.h"
#include "check.h"
#include "kernels/attention.h"
#include "kernels/ops.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243f6a8885a308d3ull;

static float uniform(float lo, float hi) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint64_t x = rng * 0x2545f4914f6cdd1dull;
    return lo + (hi - lo) * (float)((x >> 40) * (1.0 / 16777216.0));
}

static float *random_floats(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = uniform(-1, 1);
    return p;
}

static int isa_ok(le_isa isa) {
    const le_cpu_features *f = le_cpu_detect();
    return isa == LE_ISA_SCALAR || (isa == LE_ISA_AVX2 && f->avx2) ||
           (isa == LE_ISA_AVX512 && f->avx512);
}

/* cos/sin tables for positions 0..rows-1 with base theta */
static void make_table(int rows, int d, double theta, float **c, float **s) {
    int half = d / 2;
    double *pos = malloc(sizeof(double) * (size_t)rows), *inv = malloc(sizeof(double) * half);
    for (int p = 0; p < rows; p++) pos[p] = p;
    for (int j = 0; j < half; j++) inv[j] = (float)(1.0 / pow(theta, 2.0 * j / d));
    *c = malloc(sizeof(float) * (size_t)rows * half);
    *s = malloc(sizeof(float) * (size_t)rows * half);
    le_rope_table(pos, (size_t)rows, inv, half, *c, *s);
    free(pos);
    free(inv);
}

typedef struct rcase {
    int n, heads, kv_heads, d;
    int causal, q_offset, alibi, window, group, rotate_half;
} rcase;

static const char *isa_names[] = {"scalar", "avx2", "avx512"};

static void run_rope_case(const rcase *c, le_pool *pool) {
    const int nq = c->n, nkv = c->n + c->q_offset;
    const size_t qs = (size_t)c->heads * c->d, ks = (size_t)c->kv_heads * c->d;
    float *q = random_floats((size_t)nq * qs), *k = random_floats((size_t)nkv * ks);
    float *v = random_floats((size_t)nkv * ks);
    int rows = le_attn_rope_rows(nq, c->q_offset, nkv, c->window, c->group);
    float *ct, *st;
    make_table(rows, c->d, 10000.0, &ct, &st);
    le_attn_rope rope = {ct, st, rows, c->rotate_half, c->group};
    float slopes[16];
    for (int h = 0; h < 16; h++) slopes[h] = powf(2.0f, -8.0f * (h + 1) / c->heads);
    float *out = malloc(sizeof(float) * (size_t)nq * qs);
    float *ref = malloc(sizeof(float) * (size_t)nq * qs);
    float *base = malloc(sizeof(float) * (size_t)nq * qs);
    le_attn_args a = {.n_q = nq,
                      .n_kv = nkv,
                      .n_heads = c->heads,
                      .n_kv_heads = c->kv_heads,
                      .head_dim = c->d,
                      .q = q,
                      .q_stride = qs,
                      .k = k,
                      .k_stride = ks,
                      .v = v,
                      .v_stride = ks,
                      .out = ref,
                      .out_stride = qs,
                      .scale = 1.7f / sqrtf((float)c->d),
                      .causal = c->causal,
                      .q_offset = c->q_offset,
                      .alibi_slopes = c->alibi ? slopes : NULL,
                      .se_window = c->window,
                      .rope = &rope};
    le_attention_reference(&a);
    for (int ii = 0; ii < 3; ii++) {
        le_isa isa = (le_isa)ii;
        if (!isa_ok(isa)) continue;
        if (isa == LE_ISA_SCALAR && (size_t)nq * nkv > 700 * 700) continue; /* slow */
        for (int threads = 0; threads < 2; threads++) {
            le_kctx kc = {isa, threads ? pool : NULL};
            a.out = out;
            CHECK(le_attention(&kc, &a) == 0);
            double worst = 0;
            for (size_t i = 0; i < (size_t)nq * qs; i++) {
                double e = fabs((double)out[i] - ref[i]);
                if (!(e <= worst)) worst = e;
            }
            CHECK_MSG(worst <= 2e-5,
                      "%s n=%d heads=%d/%d d=%d causal=%d off=%d alibi=%d w=%d g=%d half=%d: %g",
                      isa_names[ii], c->n, c->heads, c->kv_heads, c->d, c->causal, c->q_offset,
                      c->alibi, c->window, c->group, c->rotate_half, worst);
            if (!threads)
                memcpy(base, out, sizeof(float) * (size_t)nq * qs);
            else
                CHECK_MSG(!memcmp(base, out, sizeof(float) * (size_t)nq * qs),
                          "%s: the pool changes the result", isa_names[ii]);
        }
    }
    /* bf16 products (keys rotated per tile, then converted per group) */
    if (le_attention_bf16_runs(LE_ISA_AVX512, c->d)) {
        le_kctx kc = {LE_ISA_AVX512, pool};
        a.out = out;
        a.bf16 = 1;
        CHECK(le_attention(&kc, &a) == 0);
        double worst = 0;
        for (size_t i = 0; i < (size_t)nq * qs; i++) {
            double e = fabs((double)out[i] - ref[i]);
            if (!(e <= worst)) worst = e;
        }
        CHECK_MSG(worst <= 1e-2, "bf16 n=%d d=%d causal=%d w=%d g=%d: %g", c->n, c->d, c->causal,
                  c->window, c->group, worst);
    }
    free(q);
    free(k);
    free(v);
    free(ct);
    free(st);
    free(out);
    free(ref);
    free(base);
}

/* per-tile rotation = rotating first, bitwise */
static void check_prerotated(int n, int d, int rotate_half, le_pool *pool) {
    const int heads = 3;
    const size_t stride = (size_t)heads * d;
    float *q = random_floats((size_t)n * stride), *k = random_floats((size_t)n * stride);
    float *v = random_floats((size_t)n * stride);
    float *qr = malloc(sizeof(float) * (size_t)n * stride),
          *kr = malloc(sizeof(float) * (size_t)n * stride);
    memcpy(qr, q, sizeof(float) * (size_t)n * stride);
    memcpy(kr, k, sizeof(float) * (size_t)n * stride);
    float *ct, *st;
    make_table(n, d, 1000.0, &ct, &st);
    le_kctx serial = {LE_ISA_SCALAR, NULL};
    le_rope_apply(&serial, qr, stride, (size_t)n, heads, d, ct, st, rotate_half);
    le_rope_apply(&serial, kr, stride, (size_t)n, heads, d, ct, st, rotate_half);
    le_attn_rope rope = {ct, st, n, rotate_half, 1};
    float *o1 = malloc(sizeof(float) * (size_t)n * stride),
          *o2 = malloc(sizeof(float) * (size_t)n * stride);
    for (int ii = 0; ii < 3; ii++) {
        if (!isa_ok((le_isa)ii)) continue;
        le_kctx kc = {(le_isa)ii, pool};
        le_attn_args a = {.n_q = n,
                          .n_kv = n,
                          .n_heads = heads,
                          .n_kv_heads = heads,
                          .head_dim = d,
                          .q = q,
                          .q_stride = stride,
                          .k = k,
                          .k_stride = stride,
                          .v = v,
                          .v_stride = stride,
                          .out = o1,
                          .out_stride = stride,
                          .scale = 0.125f,
                          .rope = &rope};
        CHECK(le_attention(&kc, &a) == 0);
        a.q = qr, a.k = kr, a.rope = NULL, a.out = o2;
        CHECK(le_attention(&kc, &a) == 0);
        CHECK_MSG(!memcmp(o1, o2, sizeof(float) * (size_t)n * stride),
                  "%s n=%d d=%d: in-kernel RoPE differs from rotating first", isa_names[ii], n, d);
    }
    free(q);
    free(k);
    free(v);
    free(qr);
    free(kr);
    free(ct);
    free(st);
    free(o1);
    free(o2);
}

static void check_refusals(void) {
    float x[64 * 4] = {0}, o[64 * 4];
    float ct[32 * 4] = {0}, st[32 * 4] = {0};
    le_attn_rope rope = {ct, st, 4, 1, 1};
    le_attn_args a = {.n_q = 4,
                      .n_kv = 4,
                      .n_heads = 1,
                      .n_kv_heads = 1,
                      .head_dim = 64,
                      .q = x,
                      .q_stride = 64,
                      .k = x,
                      .k_stride = 64,
                      .v = x,
                      .v_stride = 64,
                      .out = o,
                      .out_stride = 64,
                      .scale = 1,
                      .rope = &rope};
    le_kctx kc = {LE_ISA_SCALAR, NULL};
    CHECK(le_attention(&kc, &a) == 0);
    a.n_q = a.n_kv = 5; /* row 4 is missing */
    CHECK(le_attention(&kc, &a) == -1);
    a.n_q = a.n_kv = 4;
    a.se_window = 2, rope.se_group = 2; /* grouped + shift: rows up to 3/2 + 1 = 2: fits */
    CHECK(le_attention(&kc, &a) == 0);
    rope.rows = 3;
    a.se_window = 3, rope.se_group = 1; /* shift 0, rows up to 3: needs 4 */
    CHECK(le_attention(&kc, &a) == -1);
    CHECK_EQ_INT(le_attn_rope_rows(4096, 0, 4096, 64, 9), 4096);
    CHECK_EQ_INT(le_attn_rope_rows(10, 0, 10, 8, 2), 10);
    CHECK_EQ_INT(le_attn_rope_rows(10, 0, 10, 20, 2), 15); /* 9/2 + 20 - 10 + 1 */
    CHECK_EQ_INT(le_attn_rope_rows(1, 2047, 2048, 512, 9), 2048);
}

int main(void) {
    le_pool *pool = le_pool_create(2);
    check_refusals();
    const int lengths[] = {1, 5, 127, 128, 129, 300, 1000};
    for (int i = 0; i < 7; i++) {
        check_prerotated(lengths[i], 64, 1, pool);
        check_prerotated(lengths[i], 32, 0, pool);
    }
    /* plain RoPE (no SelfExtend) against the reference */
    rcase plain = {513, 4, 4, 64, 0, 0, 0, 0, 1, 1};
    run_rope_case(&plain, pool);
    /* SelfExtend, bidirectional: the paper's three settings (short lengths) and random ones */
    const int gw[3][2] = {{3, 256}, {5, 128}, {9, 64}};
    for (int i = 0; i < 3; i++) {
        rcase se = {800, 2, 2, 64, 0, 0, 0, gw[i][1], gw[i][0], 1};
        run_rope_case(&se, pool);
    }
    for (int r = 0; r < 14; r++) {
        rcase se;
        se.n = 1 + (int)(uniform(0, 1) * 700);
        se.window = 1 + (int)(uniform(0, 1) * 200);
        se.group = 1 + (int)(uniform(0, 1) * 12);
        se.heads = 4;
        se.kv_heads = r % 2 ? 2 : 4;
        se.d = r % 3 ? 64 : 24;
        se.causal = r % 4 == 3;
        se.q_offset = se.causal && r % 8 == 7 ? 29 : 0;
        se.alibi = r % 5 == 0;
        se.rotate_half = r % 6 != 5;
        run_rope_case(&se, pool);
    }
    /* windows at the tile edges */
    const int edge[] = {1, 63, 64, 65, 127, 128, 129, 255, 256, 257};
    for (int i = 0; i < 10; i++) {
        rcase se = {600, 2, 2, 32, 0, 0, 0, edge[i], 4, 1};
        run_rope_case(&se, pool);
    }
    /* the causal (decoder) variant: prefill and continuation after a cache */
    rcase dec = {900, 4, 2, 64, 1, 0, 0, 100, 6, 1};
    run_rope_case(&dec, pool);
    rcase dec_cont = {200, 4, 2, 64, 1, 700, 0, 100, 6, 1};
    run_rope_case(&dec_cont, pool);
    rcase dec_one = {1, 4, 1, 64, 1, 2047, 0, 512, 9, 1}; /* one decoding step */
    run_rope_case(&dec_one, pool);
    le_pool_destroy(pool);
    return check_report("rope/attention");
}
