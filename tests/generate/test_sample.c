/* Token choice: greedy, the repetition penalty, top-k, top-p and min-p
 * filters, the sampled frequencies against the softmax, reproducibility by
 * seed, and refused parameters. */
#include "check.h"
#include "generate/sample.h"

#include <math.h>

static le_sample_params defaults(void) {
    le_sample_params p = {1.0f, 0, 1.0f, 0.0f, 1.0f, -1, 7};
    return p;
}

/* Frequencies of n draws over 3 tokens with probabilities .5 .3 .2. */
static void draw(const le_sample_params *p, int n, double *freq) {
    le_sampler s;
    le_error err;
    CHECK(le_sampler_init(&s, p, 3, &err) == LE_OK);
    freq[0] = freq[1] = freq[2] = 0;
    for (int i = 0; i < n; i++) {
        float lg[3] = {logf(0.5f), logf(0.3f), logf(0.2f)};
        int32_t t = le_sampler_next(&s, lg, NULL, 0);
        CHECK(t >= 0 && t < 3);
        if (t >= 0 && t < 3) freq[t] += 1.0 / n;
    }
    le_sampler_free(&s);
}

static void test_filters(void) {
    le_sample_params p = defaults();
    double f[3];
    draw(&p, 20000, f);
    CHECK_MSG(fabs(f[0] - 0.5) < 0.02 && fabs(f[1] - 0.3) < 0.02 && fabs(f[2] - 0.2) < 0.02,
              "%g %g %g", f[0], f[1], f[2]);
    p.top_p = 0.6f; /* .5 + .3 reach it: token 2 never */
    draw(&p, 5000, f);
    CHECK_MSG(f[2] == 0 && fabs(f[0] - 0.625) < 0.03, "%g %g %g", f[0], f[1], f[2]);
    p = defaults();
    p.min_p = 0.5f; /* .2 < .5·.5 */
    draw(&p, 5000, f);
    CHECK(f[2] == 0 && f[1] > 0.3);
    p = defaults();
    p.top_k = 1;
    draw(&p, 200, f);
    CHECK(f[0] > 0.9999 && f[1] == 0 && f[2] == 0);
    p = defaults();
    p.temperature = 0.25f; /* sharper: .5^4 : .3^4 : .2^4 */
    draw(&p, 5000, f);
    CHECK_MSG(fabs(f[0] - 0.0625 / (0.0625 + 0.0081 + 0.0016)) < 0.02, "%g", f[0]);
}

static void test_greedy_penalty_seed(void) {
    le_sample_params p = defaults();
    p.temperature = 0;
    p.repeat_penalty = 2;
    le_sampler s;
    le_error err;
    CHECK(le_sampler_init(&s, &p, 3, &err) == LE_OK);
    float lg[3] = {2.0f, -2.0f, 1.5f};
    const int32_t hist[3] = {0, 1, 0};
    CHECK_EQ_INT(le_sampler_next(&s, lg, hist, 3), 2); /* 2 → 1 (once), 1.5 stays */
    CHECK(lg[0] == 1.0f && lg[1] == -4.0f && lg[2] == 1.5f);
    le_sampler_free(&s);
    p = defaults();
    int32_t a[64], b[64], c[64];
    for (int run = 0; run < 3; run++) {
        p.seed = run == 2 ? 8 : 7;
        CHECK(le_sampler_init(&s, &p, 3, &err) == LE_OK);
        for (int i = 0; i < 64; i++) {
            float l[3] = {0.1f, 0.2f, 0.3f};
            (run == 0 ? a : run == 1 ? b : c)[i] = le_sampler_next(&s, l, NULL, 0);
        }
        le_sampler_free(&s);
    }
    CHECK(!memcmp(a, b, sizeof a));
    CHECK(memcmp(a, c, sizeof a) != 0);
}

static void test_bad(void) {
    le_sampler s;
    le_error err;
    le_sample_params p = defaults();
    p.top_p = 0;
    CHECK(le_sampler_init(&s, &p, 3, &err) == LE_ERR_ARG && strstr(err.message, "top_p"));
    p = defaults();
    p.min_p = 1;
    CHECK(le_sampler_init(&s, &p, 3, &err) == LE_ERR_ARG && strstr(err.message, "min_p"));
    p = defaults();
    p.top_k = -1;
    CHECK(le_sampler_init(&s, &p, 3, &err) == LE_ERR_ARG);
    p = defaults();
    p.repeat_penalty = 0;
    CHECK(le_sampler_init(&s, &p, 3, &err) == LE_ERR_ARG);
    p = defaults();
    p.temperature = NAN;
    CHECK(le_sampler_init(&s, &p, 3, &err) == LE_ERR_ARG);
}

int main(void) {
    test_filters();
    test_greedy_penalty_seed();
    test_bad();
    return check_report("generate/test_sample");
}
