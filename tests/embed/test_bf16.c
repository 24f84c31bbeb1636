/* precision bf16: the matrix products take bf16 weights and activations with
 * fp32 accumulation. Against the sentence-transformers fp32 reference the
 * embeddings (unit vectors) must stay within BF16_MAX_DIFF per component and
 * BF16_MIN_COS in cosine; bf16 output is bitwise identical for 1 and 2
 * threads; bad precisions are refused. On a CPU without AVX512_BF16 only the
 * refusal is tested (and said). */
#include <math.h>

#include "base/cpu.h"
#include "check.h"
#include "fixture.h"
#include "kernels/gemm.h"
#include "longembed.h"

/* measured on these fixtures (README, "Precision"): max |diff| 1.4e-3 and min
 * cosine 0.999959 (minilm), 3.0e-3 and 0.999954 (cased tiny BERT); the bounds
 * leave 2x headroom on the difference and 4x on 1 - cosine */
#define BF16_MAX_DIFF 6e-3
#define BF16_MIN_COS 0.9998

static float *embed_rows(le_model *m, fixture_row *rows, int n) {
    int dim = le_model_dim(m);
    float *out = calloc((size_t)n * (size_t)dim, sizeof(float));
    const char **texts = malloc(sizeof *texts * (size_t)n);
    size_t *lens = malloc(sizeof *lens * (size_t)n);
    for (int i = 0; i < n; i++) texts[i] = rows[i].text, lens[i] = rows[i].len;
    le_embed_options eo;
    le_embed_options_init(&eo);
    le_text_result *res = calloc((size_t)n, sizeof *res);
    le_error err;
    le_status s = le_embed(m, (size_t)n, texts, lens, &eo, out, res, &err);
    CHECK_MSG(s == LE_OK, "embed: %s", err.message);
    free(texts);
    free(lens);
    free(res);
    return out;
}

static le_model *open_bf16(const char *dir, int threads) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.precision = "bf16";
    mo.threads = threads;
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(dir, &mo, &m, &err) == LE_OK, "%s: %s", dir, err.message);
    return m;
}

static void run_case(const char *name, const char *dir, const char *fixture) {
    fixture_row *rows;
    int n = fixture_load(fixture, &rows);
    CHECK_MSG(n > 0, "%s: no fixture rows", fixture);
    if (n <= 0) return;
    le_model *m1 = open_bf16(dir, 1), *m2 = open_bf16(dir, 2);
    if (!m1 || !m2) {
        le_model_close(m1);
        le_model_close(m2);
        fixture_free(rows, n);
        return;
    }
    le_model_info info;
    le_model_get_info(m1, &info);
    CHECK(!strcmp(info.precision, "bf16"));
    int dim = le_model_dim(m1);
    float *a = embed_rows(m1, rows, n), *b = embed_rows(m2, rows, n);
    CHECK_MSG(!memcmp(a, b, sizeof(float) * (size_t)n * (size_t)dim),
              "%s: bf16 output differs between 1 and 2 threads", name);
    double max_diff = 0, min_cos = 1;
    int compared = 0;
    for (int i = 0; i < n; i++) {
        if (!rows[i].embedding || rows[i].dim != dim) continue;
        double dot = 0, na = 0, nr = 0;
        for (int d = 0; d < dim; d++) {
            double x = a[(size_t)i * dim + d], r = rows[i].embedding[d];
            double e = fabs(x - r);
            if (e > max_diff) max_diff = e;
            dot += x * r, na += x * x, nr += r * r;
        }
        double cos = dot / sqrt(na * nr);
        if (cos < min_cos) min_cos = cos;
        compared++;
    }
    fprintf(stderr, "%s bf16: %d texts, max |diff| %.3g, min cosine %.6f\n", name, compared,
            max_diff, min_cos);
    CHECK(compared >= 10);
    CHECK_MSG(max_diff <= BF16_MAX_DIFF, "%s: max |diff| %g > %g", name, max_diff, BF16_MAX_DIFF);
    CHECK_MSG(min_cos >= BF16_MIN_COS, "%s: min cosine %f < %f", name, min_cos, BF16_MIN_COS);
    free(a);
    free(b);
    le_model_close(m1);
    le_model_close(m2);
    fixture_free(rows, n);
}

static void expect_refused(const char *precision, const char *isa, le_status want,
                           const char *needle) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.precision = precision;
    mo.isa = isa;
    le_model *m = NULL;
    le_error err;
    le_status s = le_model_open("tests/fixtures/bert-cased-tiny", &mo, &m, &err);
    CHECK_MSG(s == want && strstr(err.message, needle), "precision %s isa %s: status %d, \"%s\"",
              precision, isa ? isa : "auto", (int)s, s ? err.message : "");
    le_model_close(m);
}

int main(void) {
    expect_refused("fp16", NULL, LE_ERR_ARG, "unknown precision \"fp16\"");
    if (le_cpu_detect()->avx2)
        expect_refused("bf16", "avx2", LE_ERR_UNSUPPORTED, "precision bf16 needs AVX512_BF16");
    if (le_cpu_best_isa() != LE_ISA_AVX512 || !le_gemm_supported(LE_ISA_AVX512, LE_GEMM_BF16)) {
        fprintf(stderr, "no bf16 kernels here (the CPU lacks AVX512_BF16, or LONGEMBED_ISA lowers the kernels): only the refusal of bf16 is tested\n");
        if (le_cpu_best_isa() != LE_ISA_SCALAR) /* the scalar reference always runs bf16 */
            expect_refused("bf16", NULL, LE_ERR_UNSUPPORTED, "precision bf16 needs AVX512_BF16");
        return check_report("embed/bf16");
    }
    char buf[4096];
    run_case("minilm", fixture_minilm_dir(buf, sizeof buf), "tests/fixtures/minilm/embeddings.jsonl");
    run_case("bert-cased-tiny", "tests/fixtures/bert-cased-tiny",
             "tests/fixtures/bert-cased-tiny/embeddings.jsonl");
    return check_report("embed/bf16");
}
