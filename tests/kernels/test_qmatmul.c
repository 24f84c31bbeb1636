/* Quantized matrix products (kernels/qmatmul.h): every weight type quantized
 * by a test-side quantizer, each kernel family against the double reference
 * within the bound of activation quantization, the families bitwise against
 * the scalar twin, bitwise equal results for m = 1 and m = 7 and for 1 and 2
 * threads, accumulate, non-finite rows, and le_qmat_init's errors. */
#include "check.h"
#include "generate/smollm2_path.h"
#include "kernels/qdot.h"
#include "kernels/qmatmul.h"
#include "model/dtype.h"
#include "model/gguf.h"
#include "model/quant.h"
#include "test_util.h"

#include <math.h>

static const le_isa all_isas[] = {LE_ISA_SCALAR, LE_ISA_AVX2, LE_ISA_AVX512};
static const uint32_t all_types[] = {LE_GGML_F32,  LE_GGML_F16,  LE_GGML_BF16,
                                     LE_GGML_Q8_0, LE_GGML_Q4_0, LE_GGML_Q4_1};
static double g_worst[2][LE_GGML_TYPE_LIMIT]; /* measured error / bound: [f32_act][type] */

static void put16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

/* One block of 32 weights in ggml's layout (a plain round-to-nearest quantizer). */
static void quantize_block(uint32_t type, const float *x, unsigned char *b) {
    float amax = 0, vmax = 0, lo = x[0], hi = x[0];
    for (int j = 0; j < 32; j++) {
        if (fabsf(x[j]) > amax) amax = fabsf(x[j]), vmax = x[j];
        lo = fminf(lo, x[j]), hi = fmaxf(hi, x[j]);
    }
    if (type == LE_GGML_Q8_0) {
        float d = amax / 127, id = d ? 1 / d : 0;
        put16(b, le_f32_to_f16(d));
        for (int j = 0; j < 32; j++) b[2 + j] = (unsigned char)(int8_t)lrintf(x[j] * id);
        return;
    }
    float d = type == LE_GGML_Q4_0 ? vmax / -8 : (hi - lo) / 15, id = d ? 1 / d : 0;
    float off = type == LE_GGML_Q4_0 ? 8.5f : 0.5f, base = type == LE_GGML_Q4_0 ? 0 : lo;
    put16(b, le_f32_to_f16(d));
    if (type == LE_GGML_Q4_1) put16(b + 2, le_f32_to_f16(lo));
    unsigned char *qs = b + (type == LE_GGML_Q4_1 ? 4 : 2);
    for (int j = 0; j < 16; j++) {
        int q0 = (int)((x[j] - base) * id + off), q1 = (int)((x[j + 16] - base) * id + off);
        q0 = q0 < 0 ? 0 : q0 > 15 ? 15 : q0;
        q1 = q1 < 0 ? 0 : q1 > 15 ? 15 : q1;
        qs[j] = (unsigned char)(q0 | q1 << 4);
    }
}

/* n × k random weights stored as type (malloc'd bytes). */
static unsigned char *make_weights(uint32_t type, int n, int k, float scale) {
    const le_ggml_type_info *ti = le_ggml_type_get(type);
    size_t row = (size_t)k / ti->block * ti->bytes;
    unsigned char *w = malloc((size_t)n * row + 1);
    float *f = test_random((size_t)n * k, -scale, scale);
    for (int r = 0; r < n; r++)
        for (int j = 0; j < k; j += (int)ti->block) {
            unsigned char *dst = w + (size_t)r * row + (size_t)j / ti->block * ti->bytes;
            const float *src = f + (size_t)r * k + j;
            if (type == LE_GGML_F32)
                memcpy(dst, src, 4);
            else if (type == LE_GGML_F16)
                put16(dst, le_f32_to_f16(*src));
            else if (type == LE_GGML_BF16)
                put16(dst, le_f32_to_bf16(*src));
            else
                quantize_block(type, src, dst);
        }
    free(f);
    return w;
}

/* The bound of one output: activation rounding (block types: d/2 per value,
 * with d = amax/127 of the block) on the weights, plus fp32 rounding. */
static double bound(const le_qmat *w, const float *wf, const float *x, int k) {
    double mag = 0, quant = 0;
    for (int j = 0; j < k; j++) mag += fabs((double)x[j] * wf[j]);
    if (qdot_block_size(w->type) == 32 && !w->f32_act)
        for (int b = 0; b < k / 32; b++) {
            double amax = 0, wsum = 0;
            for (int j = b * 32; j < b * 32 + 32; j++) {
                amax = fmax(amax, fabs(x[j]));
                wsum += fabs(wf[j]);
            }
            quant += amax / 127 / 2 * 1.001 * wsum;
        }
    return quant + (k / 16 + 12) * 6e-8 * mag + 1e-30;
}

/* y = run on isa with pool; starts from y0 when accumulating */
static float *run(le_isa isa, le_pool *pool, const le_qmat *w, const float *x, size_t ldx, size_t m,
                  const float *y0, size_t ldy, int acc) {
    float *y = malloc(m * ldy * sizeof *y);
    memcpy(y, y0, m * ldy * sizeof *y);
    le_kctx kc = {isa, pool};
    le_qmatmul(&kc, w, x, ldx, m, y, ldy, acc);
    return y;
}

/* Each family within the bound of the reference; scalar bits everywhere. */
static void check_family(le_isa isa, const le_qmat *w, const float *wf, const float *x, size_t ldx,
                         int m, const float *y, const float *y0, const float *ref, size_t ldy,
                         int acc) {
    double worst = 0;
    for (int r = 0; r < m; r++)
        for (int c = 0; c < w->n; c++) {
            size_t at = (size_t)r * ldy + c;
            double want = (double)ref[at] + (acc ? y0[at] : 0);
            double tol = bound(w, wf + (size_t)c * w->k, x + r * ldx, w->k) +
                         (acc ? 6e-8 * (fabs(y0[at]) + fabs(want)) : 0);
            double e = fabs(y[at] - want) / tol;
            if (!(e <= worst)) worst = e;
        }
    if (worst > g_worst[w->f32_act][w->type]) g_worst[w->f32_act][w->type] = worst;
    CHECK_MSG(worst <= 1, "%s %s n=%d k=%d m=%d: error %.3g of the bound", le_isa_name(isa),
              le_ggml_type_name(w->type), w->n, w->k, m, worst);
    int pad = 1;
    for (int r = 0; r < m; r++)
        for (size_t c = w->n; c < ldy; c++)
            pad &= y[(size_t)r * ldy + c] == y0[(size_t)r * ldy + c];
    CHECK_MSG(pad, "%s wrote past n", le_isa_name(isa));
}

/* m rows at once against each row alone (bitwise), and 1 thread against 2 */
static void check_determinism(le_isa isa, le_pool *p1, le_pool *p2, const le_qmat *w,
                              const float *x, size_t ldx, int m, const float *y, const float *y0,
                              size_t ldy, int acc) {
    int same_rows = 1;
    for (int r = 0; r < m; r++) {
        float *one = run(isa, NULL, w, x + (size_t)r * ldx, ldx, 1, y0 + (size_t)r * ldy, ldy, acc);
        same_rows &= test_bitwise_equal(one, y + (size_t)r * ldy, ldy);
        free(one);
    }
    CHECK_MSG(same_rows, "%s %s n=%d k=%d: m=%d differs from m=1", le_isa_name(isa),
              le_ggml_type_name(w->type), w->n, w->k, m);
    float *t1 = run(isa, p1, w, x, ldx, m, y0, ldy, acc);
    float *t2 = run(isa, p2, w, x, ldx, m, y0, ldy, acc);
    CHECK_MSG(test_bitwise_equal(t1, y, m * ldy) && test_bitwise_equal(t2, y, m * ldy),
              "%s %s n=%d k=%d m=%d: thread counts differ", le_isa_name(isa),
              le_ggml_type_name(w->type), w->n, w->k, m);
    free(t1);
    free(t2);
}

/* Checks le_qmatmul on these stored weights against the reference and across
 * families, rows and threads. */
static void check_weights(uint32_t type, const void *bytes, int n, int k, int m, int acc,
                          int f32_act, le_pool *p1, le_pool *p2) {
    le_qmat w;
    le_error err;
    CHECK(le_qmat_init(&w, type, bytes, n, k, &err) == LE_OK);
    w.f32_act = f32_act;
    float *wf = malloc((size_t)n * k * sizeof *wf), *wg = malloc((size_t)n * k * sizeof *wg);
    for (int r = 0; r < n; r++) le_qmat_row_f32(&w, r, wf + (size_t)r * k);
    CHECK(le_ggml_to_f32(type, bytes, wg, (size_t)n * k) == 0);
    CHECK_MSG(test_bitwise_equal(wf, wg, (size_t)n * k), "%s: row_f32 differs from dequant",
              le_ggml_type_name(type));
    const size_t ldx = (size_t)k + 3, ldy = (size_t)n + 2;
    float *x = test_random((size_t)m * ldx, -2, 2), *y0 = test_random((size_t)m * ldy, -1, 1);
    for (int j = 0; j < k; j += 7) x[j] *= 20; /* some blocks with outliers, as hidden states */
    float *ref = malloc((size_t)m * ldy * sizeof *ref);
    memcpy(ref, y0, (size_t)m * ldy * sizeof *ref);
    le_qmatmul_reference(&w, x, ldx, (size_t)m, ref, ldy);
    float *scalar = NULL;
    for (size_t i = 0; i < sizeof all_isas / sizeof *all_isas; i++) {
        le_isa isa = all_isas[i];
        if (!test_isa_available(isa)) continue;
        float *y = run(isa, p2, &w, x, ldx, (size_t)m, y0, ldy, acc);
        check_family(isa, &w, wf, x, ldx, m, y, y0, ref, ldy, acc);
        check_determinism(isa, p1, p2, &w, x, ldx, m, y, y0, ldy, acc);
        if (!scalar) {
            scalar = y;
            continue;
        }
        CHECK_MSG(test_bitwise_equal(y, scalar, (size_t)m * ldy),
                  "%s (%s) %s n=%d k=%d m=%d: "
                  "differs from the scalar twin",
                  le_isa_name(isa), le_qmat_kernel_name(isa, type), le_ggml_type_name(type), n, k,
                  m);
        free(y);
    }
    free(scalar);
    free(ref);
    free(x);
    free(y0);
    free(wf);
    free(wg);
}

static void test_shape(uint32_t type, int n, int k, int m, int acc, int f32_act, le_pool *p1,
                       le_pool *p2) {
    unsigned char *bytes = make_weights(type, n, k, 0.5f);
    check_weights(type, bytes, n, k, m, acc, f32_act, p1, p2);
    free(bytes);
}

static void test_shapes(le_pool *p1, le_pool *p2) {
    static const int nk[][2] = {{1, 32}, {17, 64}, {33, 96}, {70, 160}, {64, 576}, {9, 1536}};
    static const int ms[] = {1, 7, 20};
    int variant = 0;
    for (size_t t = 0; t < sizeof all_types / sizeof *all_types; t++)
        for (size_t s = 0; s < sizeof nk / sizeof *nk; s++)
            for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++, variant++)
                test_shape(all_types[t], nk[s][0], nk[s][1], ms[mi], variant % 3 == 1, 0, p1, p2);
    /* long inputs: tasks split rows too */
    test_shape(LE_GGML_Q4_1, 37, 576, 130, 0, 0, p1, p2);
    test_shape(LE_GGML_Q8_0, 21, 192, 67, 1, 0, p1, p2);
    /* float types take any k */
    test_shape(LE_GGML_F16, 5, 37, 3, 0, 0, p1, p2);
    test_shape(LE_GGML_BF16, 4, 1, 2, 1, 0, p1, p2);
    test_shape(LE_GGML_F32, 3, 15, 2, 0, 0, p1, p2);
    /* block types with fp32 activations: float rounding only */
    for (size_t t = 3; t < sizeof all_types / sizeof *all_types; t++) {
        test_shape(all_types[t], 33, 96, 7, 0, 1, p1, p2);
        test_shape(all_types[t], 64, 576, 3, 1, 1, p1, p2);
        test_shape(all_types[t], 40, 576, 20, 0, 1, p1, p2); /* panels of dequantized rows */
        test_shape(all_types[t], 19, 160, 70, 1, 1, p1, p2);
    }
}

static void test_init_errors(void) {
    le_qmat w;
    le_error err;
    unsigned char buf[64] = {0};
    CHECK(le_qmat_init(&w, LE_GGML_Q4_1, buf, 2, 48, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "multiple of 32");
    CHECK(le_qmat_init(&w, LE_GGML_Q8_0, buf, 0, 32, &err) == LE_ERR_ARG);
    CHECK(le_qmat_init(&w, LE_GGML_F16, buf, 1, 0, &err) == LE_ERR_ARG);
    CHECK(le_qmat_init(&w, LE_GGML_Q4_K, buf, 1, 256, &err) == LE_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.message, "not supported");
    CHECK(le_qmat_init(&w, 1000, buf, 1, 32, &err) == LE_ERR_UNSUPPORTED);
    CHECK(!le_qmat_type_supported(LE_GGML_Q6_K) && le_qmat_type_supported(LE_GGML_Q4_1));
    CHECK(le_qmat_init(&w, LE_GGML_Q4_1, buf, 3, 64, &err) == LE_OK);
    CHECK(w.row_bytes == 40 && w.n == 3 && w.k == 64 && w.data == buf);
}

/* The kernels' private type ids and f16 conversion agree with model/. */
static void test_definitions(void) {
    CHECK((int)QT_F32 == (int)LE_GGML_F32 && (int)QT_F16 == (int)LE_GGML_F16);
    CHECK((int)QT_BF16 == (int)LE_GGML_BF16 && (int)QT_Q8_0 == (int)LE_GGML_Q8_0);
    CHECK((int)QT_Q4_0 == (int)LE_GGML_Q4_0 && (int)QT_Q4_1 == (int)LE_GGML_Q4_1);
    const uint32_t types[] = {QT_F32, QT_F16, QT_BF16, QT_Q8_0, QT_Q4_0, QT_Q4_1};
    for (int i = 0; i < 6; i++) {
        const le_ggml_type_info *ti = le_ggml_type_get(types[i]);
        CHECK(ti && (int)ti->block == qdot_block_size(types[i]) &&
              (int)ti->bytes == qdot_block_bytes(types[i]));
    }
    int same = 1;
    for (uint32_t h = 0; h < 65536; h++) {
        float a = qdot_f16((uint16_t)h), b = le_f16_to_f32((uint16_t)h);
        same &= memcmp(&a, &b, sizeof a) == 0;
    }
    CHECK(same);
}

/* A row holding NaN or infinity gives NaN outputs; other rows are untouched by it;
 * a zero row gives zeros. */
static void test_nonfinite(le_pool *pool) {
    for (size_t t = 0; t < sizeof all_types / sizeof *all_types; t++)
        for (size_t i = 0; i < sizeof all_isas / sizeof *all_isas; i++) {
            if (!test_isa_available(all_isas[i])) continue;
            const int n = 5, k = 64;
            unsigned char *bytes = make_weights(all_types[t], n, k, 1);
            le_qmat w;
            le_error err;
            CHECK(le_qmat_init(&w, all_types[t], bytes, n, k, &err) == LE_OK);
            float x[3 * 64] = {0}, y[15];
            for (int j = 0; j < k; j++) x[64 + j] = x[128 + j] = (float)j / 10 - 3;
            x[64 + 40] = NAN;
            x[128 + 3] = INFINITY;
            le_kctx kc = {all_isas[i], pool};
            le_qmatmul(&kc, &w, x, 64, 3, y, 5, 0);
            int ok = 1;
            for (int c = 0; c < n; c++) ok &= y[c] == 0 && isnan(y[5 + c]) && !isfinite(y[10 + c]);
            CHECK_MSG(ok, "%s %s: non-finite rows", le_isa_name(all_isas[i]),
                      le_ggml_type_name(all_types[t]));
            free(bytes);
        }
}

/* le_qmatmul_many equals one le_qmatmul per matrix, bit for bit, for mixed
 * types (shared and separate activation layouts), m = 1 and m = 9. */
static void test_many(le_pool *pool) {
    const uint32_t types[] = {LE_GGML_Q4_1, LE_GGML_Q4_1, LE_GGML_Q4_0, LE_GGML_Q8_0,
                              LE_GGML_F16,  LE_GGML_Q4_1, LE_GGML_Q4_1};
    const int ns[] = {70, 20, 33, 16, 5, 64, 8}, k = 128, count = 7;
    le_qmat w[7];
    const le_qmat *wp[7];
    unsigned char *bytes[7];
    le_error err;
    for (int i = 0; i < count; i++) {
        bytes[i] = make_weights(types[i], ns[i], k, 1);
        CHECK(le_qmat_init(&w[i], types[i], bytes[i], ns[i], k, &err) == LE_OK);
        w[i].f32_act = i == 6;
        wp[i] = &w[i];
    }
    for (size_t m = 1; m <= 9; m += 8)
        for (size_t ii = 0; ii < sizeof all_isas / sizeof *all_isas; ii++) {
            if (!test_isa_available(all_isas[ii])) continue;
            le_kctx kc = {all_isas[ii], pool};
            float *x = test_random(m * k, -1, 1), *y[7], *one[7];
            size_t ldy[7];
            for (int i = 0; i < count; i++) {
                ldy[i] = (size_t)ns[i] + 1;
                y[i] = test_random(m * ldy[i], -1, 1);
                one[i] = malloc(m * ldy[i] * sizeof *one[i]);
                memcpy(one[i], y[i], m * ldy[i] * sizeof *one[i]);
                le_qmatmul(&kc, &w[i], x, k, m, one[i], ldy[i], 1);
            }
            le_qmatmul_many(&kc, wp, (size_t)count, x, k, m, y, ldy, 1);
            for (int i = 0; i < count; i++) {
                CHECK_MSG(test_bitwise_equal(y[i], one[i], m * ldy[i]),
                          "%s many: matrix %d (m=%zu) differs", le_isa_name(all_isas[ii]), i, m);
                free(y[i]);
                free(one[i]);
            }
            free(x);
        }
    for (int i = 0; i < count; i++) free(bytes[i]);
}

/* SmolLM2-135M's own weights (block 0 and the tied Q8_0 embedding): every
 * family within the bound of the reference and equal to the scalar twin, on
 * activations shaped like a hidden state (a few large features). Skipped
 * (with a line saying so) when the GGUF is not at hand. */
static void test_real_weights(le_pool *p1, le_pool *p2) {
    char *path = smollm2_gguf_path();
    le_gguf *g = NULL;
    le_error err;
    if (!path || le_gguf_open(path, &g, &err) != LE_OK) {
        printf("real weights: skipped (no SmolLM2 GGUF: set LE_SMOLLM2_GGUF)\n");
        free(path);
        return;
    }
    const char *names[] = {"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.ffn_up.weight",
                           "blk.0.ffn_down.weight", "token_embd.weight"};
    for (int i = 0; i < 5; i++) {
        const le_gguf_tensor *t = le_gguf_find_tensor(g, names[i]);
        CHECK_MSG(t != NULL, "%s missing", names[i]);
        if (!t) continue;
        const int k = (int)t->ne[0], n = i == 4 ? 300 : (int)t->ne[1], m = 5;
        for (int f32 = 0; f32 < 2; f32++) check_weights(t->type, t->data, n, k, m, 0, f32, p1, p2);
    }
    le_gguf_close(g);
    free(path);
}

int main(void) {
    le_pool *p1 = le_pool_create(1), *p2 = le_pool_create(2);
    for (size_t i = 0; i < sizeof all_isas / sizeof *all_isas; i++)
        if (test_isa_available(all_isas[i]))
            printf("%s: %s kernels\n", le_isa_name(all_isas[i]),
                   le_qmat_kernel_name(all_isas[i], LE_GGML_Q4_1));
    test_definitions();
    test_init_errors();
    test_shapes(p1, p2);
    test_nonfinite(p2);
    test_many(p2);
    test_real_weights(p1, p2);
    for (size_t t = 0; t < sizeof all_types / sizeof *all_types; t++)
        printf("%s: worst error %.3f of the bound (fp32 activations: %.3f)\n",
               le_ggml_type_name(all_types[t]), g_worst[0][all_types[t]], g_worst[1][all_types[t]]);
    le_pool_destroy(p1);
    le_pool_destroy(p2);
    return check_report("test_qmatmul");
}
