/* Row ops on every ISA: LayerNorm and RMSNorm against double precision
 * (odd dims, rows far from zero, in place), gated activations, L2
 * normalisation, RoPE bitwise against PyTorch's float32 formula with float64
 * angles (both pairings, tables and direct). */
#include "check.h"
#include "kernels/ops.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void test_norms(le_pool *pool) {
    const int dims[] = {1, 7, 16, 33, 384, 771};
    const int rows_list[] = {1, 7, 65};
    for (int di = 0; di < 6; di++)
        for (int ri = 0; ri < 3; ri++) {
            const int dim = dims[di], rows = rows_list[ri];
            const size_t ld = dim + 3;
            float *x = test_random(rows * ld, -1, 1);
            for (int r = 0; r < rows; r++) /* rows far from zero: a test for cancellation */
                for (int j = 0; j < dim; j++) x[r * ld + j] += 10.0f * (r % 3);
            float *gamma = test_random(dim, 0.5f, 1.5f), *beta = test_random(dim, -1, 1);
            float *out = malloc(rows * ld * sizeof *out),
                  *inplace = malloc(rows * ld * sizeof *out);
            for (int isa = LE_ISA_SCALAR; isa <= LE_ISA_AVX512; isa++) {
                if (!test_isa_available((le_isa)isa)) continue;
                le_kctx kc = {(le_isa)isa, pool};
                for (int rms = 0; rms < 2; rms++) {
                    if (rms)
                        le_rmsnorm(&kc, x, ld, rows, dim, gamma, 1e-6f, out, ld);
                    else
                        le_layernorm(&kc, x, ld, rows, dim, gamma, beta, 1e-12f, out, ld);
                    memcpy(inplace, x, rows * ld * sizeof *x);
                    if (rms)
                        le_rmsnorm(&kc, inplace, ld, rows, dim, gamma, 1e-6f, inplace, ld);
                    else
                        le_layernorm(&kc, inplace, ld, rows, dim, gamma, beta, 1e-12f, inplace, ld);
                    double worst = 0;
                    int same = 1;
                    for (int r = 0; r < rows; r++) {
                        const float *xr = x + r * ld;
                        double mean = 0, var = 0, ms = 0;
                        for (int j = 0; j < dim; j++) mean += xr[j], ms += (double)xr[j] * xr[j];
                        mean /= dim;
                        ms /= dim;
                        for (int j = 0; j < dim; j++) var += (xr[j] - mean) * (xr[j] - mean);
                        var /= dim;
                        for (int j = 0; j < dim; j++) {
                            double ref =
                                rms ? xr[j] / sqrt(ms + 1e-6) * gamma[j]
                                    : (xr[j] - mean) / sqrt(var + 1e-12) * gamma[j] + beta[j];
                            double e = fabs(out[r * ld + j] - ref);
                            if (e > worst) worst = e;
                            same &= out[r * ld + j] == inplace[r * ld + j];
                        }
                    }
                    CHECK_MSG(worst < 2e-5, "%s %s dim=%d rows=%d: max error %g",
                              le_isa_name((le_isa)isa), rms ? "rmsnorm" : "layernorm", dim, rows,
                              worst);
                    CHECK(same);
                }
            }
            free(x);
            free(gamma);
            free(beta);
            free(out);
            free(inplace);
        }
}

static void test_gated(le_pool *pool) {
    const int rows = 9, dim = 37;
    float *g = test_random(rows * 40, -4, 4), *u = test_random(rows * 41, -2, 2);
    float *out = malloc(rows * 43 * sizeof *out), *act = malloc(rows * 40 * sizeof *act);
    const le_act acts[] = {LE_ACT_SILU, LE_ACT_GELU_ERF, LE_ACT_GELU_TANH};
    for (int isa = LE_ISA_SCALAR; isa <= LE_ISA_AVX512; isa++) {
        if (!test_isa_available((le_isa)isa)) continue;
        le_kctx kc = {(le_isa)isa, pool};
        for (int ai = 0; ai < 3; ai++) {
            le_gated_act(&kc, g, 40, u, 41, rows, dim, acts[ai], out, 43);
            memcpy(act, g, rows * 40 * sizeof *act);
            le_activate(&kc, act, rows * 40, acts[ai]);
            int ok = 1;
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < dim; j++)
                    ok &= out[r * 43 + j] == act[r * 40 + j] * u[r * 41 + j];
            CHECK_MSG(ok, "gated %d on %s", acts[ai], le_isa_name((le_isa)isa));
        }
    }
    free(g);
    free(u);
    free(out);
    free(act);
}

static void test_l2(void) {
    float x[5] = {3, 4, 0, 0, 0}, z[3] = {0, 0, 0};
    le_l2_normalize(x, 5);
    CHECK(fabsf(x[0] - 0.6f) < 1e-7f && fabsf(x[1] - 0.8f) < 1e-7f);
    le_l2_normalize(z, 3);
    CHECK(z[0] == 0 && z[1] == 0 && z[2] == 0);
}

/* transformers' rotary in float32 with a float64 cos/sin cache:
 * q·cos + rotate_half(q)·sin, each product rounded */
static void rope_expected(float *x, int n_heads, int hd, double pos, const double *inv_freq,
                          int rotate_half) {
    const int half = hd / 2;
    for (int h = 0; h < n_heads; h++)
        for (int j = 0; j < half; j++) {
            float c = (float)cos(pos * inv_freq[j]), s = (float)sin(pos * inv_freq[j]);
            float *v = x + h * hd;
            int a = rotate_half ? j : 2 * j, b = rotate_half ? j + half : 2 * j + 1;
            float x1 = v[a], x2 = v[b];
            float t1 = x1 * c, t2 = -x2 * s, t3 = x2 * c, t4 = x1 * s;
            v[a] = t1 + t2;
            v[b] = t3 + t4;
        }
}

static void test_rope(le_pool *pool) {
    const int hds[] = {2, 6, 34, 64, 128};
    for (int hi = 0; hi < 5; hi++)
        for (int rh = 0; rh < 2; rh++) {
            const int hd = hds[hi], heads = 3, n = 70;
            const size_t ld = heads * hd + 5;
            double inv_freq[64], pos[70];
            for (int j = 0; j < hd / 2; j++) inv_freq[j] = pow(10000.0, -2.0 * j / hd);
            for (int t = 0; t < n; t++) pos[t] = t * 37.0 / 9.0; /* grouped / scaled positions */
            float *x = test_random(n * ld, -2, 2), *want = malloc(n * ld * sizeof *want);
            memcpy(want, x, n * ld * sizeof *x);
            for (int t = 0; t < n; t++)
                rope_expected(want + t * ld, heads, hd, pos[t], inv_freq, rh);
            float *cs = malloc(n * (hd / 2) * sizeof *cs), *sn = malloc(n * (hd / 2) * sizeof *sn);
            le_rope_table(pos, n, inv_freq, hd / 2, cs, sn);
            float *y = malloc(n * ld * sizeof *y);
            for (int isa = LE_ISA_SCALAR; isa <= LE_ISA_AVX512; isa++) {
                if (!test_isa_available((le_isa)isa)) continue;
                le_kctx kc = {(le_isa)isa, pool};
                memcpy(y, x, n * ld * sizeof *x);
                le_rope(&kc, y, ld, n, heads, hd, pos, inv_freq, rh);
                CHECK_MSG(test_bitwise_equal(y, want, n * ld), "rope %s hd=%d rotate_half=%d",
                          le_isa_name((le_isa)isa), hd, rh);
                memcpy(y, x, n * ld * sizeof *x);
                le_rope_apply(&kc, y, ld, n, heads, hd, cs, sn, rh);
                CHECK_MSG(test_bitwise_equal(y, want, n * ld), "rope table %s hd=%d rotate_half=%d",
                          le_isa_name((le_isa)isa), hd, rh);
            }
            free(x);
            free(want);
            free(cs);
            free(sn);
            free(y);
        }
}

int main(void) {
    le_pool *pool = le_pool_create(3);
    test_norms(pool);
    test_norms(NULL);
    test_gated(pool);
    test_l2();
    test_rope(pool);
    le_pool_destroy(pool);
    return check_report("test_ops");
}
