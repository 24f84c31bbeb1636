/* Vector math (kernels/vmath.inc): exp and erf against libm in ulps over a
 * dense sample of floats, special values, and the activations of le_activate
 * against double-precision formulas and bitwise across ISAs. */
#include "check.h"
#include "kernels/ops.h"
#include "kernels/vec_scalar.h"
#include "kernels/vmath.inc"
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static double ulps(float got, double want) {
    float w = (float)want;
    double ulp = (double)nextafterf(fabsf(w), INFINITY) - fabsf(w);
    if (fabsf(w) == 0) ulp = 0x1p-149;
    return fabs(got - want) / ulp;
}

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void test_exp_erf(void) {
    double worst_exp = 0, worst_erf = 0;
    float at_exp = 0, at_erf = 0;
    /* every 97th float of either sign: ~88 million points (fewer when sanitized) */
#if defined(__SANITIZE_ADDRESS__)
    const uint64_t step = 997;
#else
    const uint64_t step = 97;
#endif
    for (uint64_t u = 0; u < 0x80000000ull; u += step)
        for (int sign = 0; sign < 2; sign++) {
            float x = from_bits((uint32_t)u | (sign ? 0x80000000u : 0));
            if (isnan(x)) continue;
            double e = ulps(vf_erf(x), erf((double)x));
            if (e > worst_erf) worst_erf = e, at_erf = x;
            if (x > -87.0f && x < 88.7f) {
                e = ulps(vf_exp(x), exp((double)x));
                if (e > worst_exp) worst_exp = e, at_exp = x;
            }
        }
    CHECK_MSG(worst_exp <= 1.0, "exp: %.3f ulp at %.9g", worst_exp, at_exp);
    CHECK_MSG(worst_erf <= 2.0, "erf: %.3f ulp at %.9g", worst_erf, at_erf);
    fprintf(stderr, "exp max %.3f ulp, erf max %.3f ulp\n", worst_exp, worst_erf);
    CHECK(vf_exp(-INFINITY) == 0.0f && vf_exp(-200.0f) == 0.0f);
    CHECK(isinf(vf_exp(INFINITY)) && isinf(vf_exp(100.0f)));
    CHECK(vf_exp(0.0f) == 1.0f);
    CHECK(vf_exp(-100.0f) > 0.0f); /* a denormal, not flushed */
    CHECK(isnan(vf_exp(NAN)) && isnan(vf_erf(NAN)) && isnan(vf_tanh(NAN)));
    CHECK(vf_erf(INFINITY) == 1.0f && vf_erf(-INFINITY) == -1.0f && vf_erf(10.0f) == 1.0f);
    CHECK(vf_erf(0.0f) == 0.0f && signbit(vf_erf(-0.0f)));
    CHECK(vf_tanh(30.0f) == 1.0f && vf_tanh(-30.0f) == -1.0f);
}

static double act_ref(double x, le_act act) {
    switch (act) {
    case LE_ACT_GELU_ERF:
    case LE_ACT_GELU_ERF_FAST: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case LE_ACT_GELU_TANH:
        return 0.5 * x * (1.0 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case LE_ACT_SILU: return x / (1.0 + exp(-x));
    case LE_ACT_RELU: return x > 0 ? x : 0;
    default: return x;
    }
}

/* The activations as PyTorch computes them in float (1 + erf(...) rounds,
 * so for x < 0 the error is relative to |x|, not to the tiny result); the
 * fast GELU within its erf's 1e-6. */
static double act_tolerance(le_act act, double x, double r) {
    if (act == LE_ACT_GELU_ERF_FAST) return 1.5e-7 * fabs(r) + 0.5e-6 * fabs(x) + 1e-37;
    return 1.5e-7 * fabs(r) + (act == LE_ACT_SILU ? 1.5e-7 * fabs(r) : 0.6e-7 * fabs(x)) + 1e-37;
}

static void test_activations(void) {
    const le_act acts[] = {LE_ACT_GELU_ERF, LE_ACT_GELU_TANH, LE_ACT_SILU, LE_ACT_RELU,
                           LE_ACT_GELU_ERF_FAST};
    const size_t n = 200003;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *first = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) x[i] = (float)((double)i / n * 24.0 - 12.0);
    x[0] = -200.0f;
    x[1] = 200.0f;
    x[2] = -0.0f;
    x[3] = 1e-30f;
    le_pool *pool = le_pool_create(2);
    for (int ai = 0; ai < (int)(sizeof acts / sizeof acts[0]); ai++) {
        int have_first = 0;
        for (int isa = LE_ISA_SCALAR; isa <= LE_ISA_AVX512; isa++) {
            if (!test_isa_available((le_isa)isa)) continue;
            memcpy(y, x, n * sizeof *y);
            le_kctx kc = {(le_isa)isa, pool};
            le_activate(&kc, y, n, acts[ai]);
            if (!have_first) {
                memcpy(first, y, n * sizeof *y);
                have_first = 1;
                double worst = 0;
                for (size_t i = 0; i < n; i++) {
                    double r = act_ref(x[i], acts[ai]);
                    double tol = act_tolerance(acts[ai], x[i], r);
                    if (fabs(y[i] - r) / tol > worst) worst = fabs(y[i] - r) / tol;
                }
                CHECK_MSG(worst <= 1.0, "act %d: error %.3g of tolerance", acts[ai], worst);
                printf("act %d: worst error %.3g of its tolerance\n", acts[ai], worst);
            } else {
                CHECK_MSG(test_bitwise_equal(first, y, n), "act %d on %s differs from scalar",
                          acts[ai], le_isa_name((le_isa)isa));
            }
        }
    }
    le_pool_destroy(pool);
    free(x);
    free(y);
    free(first);
}

int main(void) {
    test_exp_erf();
    test_activations();
    return check_report("test_vmath");
}
