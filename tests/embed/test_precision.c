/* Reduced precisions of the matrix products, on every backend this machine
 * has: bf16 (bf16 weights and activations, fp32 accumulation; own AVX512_BF16
 * kernels and oneDNN) and int8 (per-channel weights, per-row activations,
 * int32 sums; oneDNN and the own scalar twin). Against the
 * sentence-transformers fp32 reference the embeddings (unit vectors) must stay
 * within the stated bounds per component and in cosine; the output is bitwise
 * identical for 1 and 2 threads; bad precisions are refused. What this CPU
 * cannot run is said and skipped. */
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
/* int8, measured (per-row activations, per-channel weights, bf16 attention products):
 * max |diff| 0.031 and min cosine 0.9807 (minilm), 0.013 and 0.99941 (cased tiny
 * BERT, head size 16: fp32 attention); 2x headroom on the difference */
#define INT8_MAX_DIFF 0.06
#define INT8_MIN_COS 0.97

typedef struct prec_case {
    const char *precision, *isa, *backend; /* backend: LONGEMBED_GEMM_BACKEND */
    double max_diff, min_cos;
} prec_case;

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

static le_model *open_prec(const prec_case *pc, const char *dir, int threads) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.precision = pc->precision;
    mo.isa = pc->isa;
    mo.threads = threads;
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(dir, &mo, &m, &err) == LE_OK, "%s: %s", dir, err.message);
    return m;
}

static void run_case(const prec_case *pc, const char *name, const char *dir, const char *fixture) {
    fixture_row *rows;
    int n = fixture_load(fixture, &rows);
    CHECK_MSG(n > 0, "%s: no fixture rows", fixture);
    if (n <= 0) return;
    le_model *m1 = open_prec(pc, dir, 1), *m2 = open_prec(pc, dir, 2);
    if (!m1 || !m2) {
        le_model_close(m1);
        le_model_close(m2);
        fixture_free(rows, n);
        return;
    }
    le_model_info info;
    le_model_get_info(m1, &info);
    CHECK(!strcmp(info.precision, pc->precision));
    int dim = le_model_dim(m1);
    float *a = embed_rows(m1, rows, n), *b = embed_rows(m2, rows, n);
    CHECK_MSG(!memcmp(a, b, sizeof(float) * (size_t)n * (size_t)dim),
              "%s: %s output differs between 1 and 2 threads", name, pc->precision);
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
    fprintf(stderr, "%s %s (%s, %s): %d texts, max |diff| %.3g, min cosine %.6f\n", name,
            pc->precision, pc->isa, le_model_backend(m1), compared, max_diff, min_cos);
    CHECK(compared >= 10);
    CHECK_MSG(max_diff <= pc->max_diff, "%s: max |diff| %g > %g", name, max_diff, pc->max_diff);
    CHECK_MSG(min_cos >= pc->min_cos, "%s: min cosine %f < %f", name, min_cos, pc->min_cos);
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

/* Runs pc on both fixtures when this CPU and build can, else says why not. */
static void run_both(const prec_case *pc) {
    setenv("LONGEMBED_GEMM_BACKEND", pc->backend, 1);
    le_isa isa;
    le_gemm_dtype dt = !strcmp(pc->precision, "int8") ? LE_GEMM_INT8 : LE_GEMM_BF16;
    if (le_isa_parse(pc->isa, &isa) != LE_OK || le_gemm_auto_backend(isa, dt) == LE_GEMM_AUTO ||
        strcmp(le_gemm_backend_name(le_gemm_auto_backend(isa, dt)),
               !strcmp(pc->backend, "dnnl") ? "onednn" : "own")) {
        fprintf(stderr, "%s on %s with the %s backend: not available here, skipped\n",
                pc->precision, pc->isa, pc->backend);
    } else {
        char buf[4096];
        /* the scalar twin is slow: the tiny model only */
        if (isa != LE_ISA_SCALAR)
            run_case(pc, "minilm", fixture_minilm_dir(buf, sizeof buf),
                     "tests/fixtures/minilm/embeddings.jsonl");
        run_case(pc, "bert-cased-tiny", "tests/fixtures/bert-cased-tiny",
                 "tests/fixtures/bert-cased-tiny/embeddings.jsonl");
    }
    unsetenv("LONGEMBED_GEMM_BACKEND");
}

/* auto: bf16 where the CPU multiplies bf16 natively, else fp32 (README: Precision). */
static void test_auto(void) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.precision = "auto";
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open("tests/fixtures/bert-cased-tiny", &mo, &m, &err) == LE_OK, "auto: %s",
              err.message);
    if (!m) return;
    le_model_info info;
    le_model_get_info(m, &info);
    const le_cpu_features *f = le_cpu_detect();
    const int native = (f->avx512_bf16 || f->amx_bf16) && le_cpu_best_isa() == LE_ISA_AVX512;
    CHECK_MSG(!strcmp(info.precision, native ? "bf16" : "fp32"), "auto chose %s", info.precision);
    le_model_close(m);
}

int main(void) {
    expect_refused("fp16", NULL, LE_ERR_ARG, "unknown precision \"fp16\"");
    test_auto();
    if (le_cpu_detect()->avx2)
        expect_refused("bf16", "avx2", LE_ERR_UNSUPPORTED, "precision bf16 needs AVX512_BF16");
    if (le_cpu_best_isa() != LE_ISA_AVX512 || !le_gemm_supported(LE_ISA_AVX512, LE_GEMM_BF16)) {
        fprintf(stderr, "no bf16 kernels here (the CPU lacks AVX512_BF16, or LONGEMBED_ISA lowers the kernels): only the refusal of bf16 is tested\n");
        if (le_cpu_best_isa() != LE_ISA_SCALAR) /* the scalar reference always runs bf16 */
            expect_refused("bf16", NULL, LE_ERR_UNSUPPORTED, "precision bf16 needs AVX512_BF16");
        return check_report("embed/precision");
    }
    static const prec_case cases[] = {
        {"bf16", "avx512", "own", BF16_MAX_DIFF, BF16_MIN_COS},
        {"bf16", "avx512", "dnnl", BF16_MAX_DIFF, BF16_MIN_COS},
        {"int8", "avx512", "dnnl", INT8_MAX_DIFF, INT8_MIN_COS},
        {"int8", "scalar", "own", INT8_MAX_DIFF, INT8_MIN_COS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_both(&cases[i]);
    return check_report("embed/precision");
}
