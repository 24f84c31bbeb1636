/* Embeddings equal the sentence-transformers reference (fixtures made by
 * tools/make_fixtures.py) for every kernel ISA this CPU has and for 1 and 2
 * threads, to max |diff| <= 1e-5; and they are bitwise identical across
 * thread counts and batch compositions. */
#include <math.h>

#include "base/cpu.h"
#include "check.h"
#include "fixture.h"
#include "longembed.h"

#define TOL 1e-5

typedef struct model_case {
    const char *name;
    const char *dir;
    const char *fixture;
    int max_tokens; /* 0: default; 256 with truncation for the ST-default fixture */
} model_case;

static float *embed_all(le_model *m, fixture_row *rows, int n, int max_tokens, int batch_tokens,
                        int one_by_one) {
    int dim = le_model_dim(m);
    float *out = calloc((size_t)n * (size_t)dim, sizeof(float));
    const char **texts = malloc(sizeof *texts * (size_t)n);
    size_t *lens = malloc(sizeof *lens * (size_t)n);
    for (int i = 0; i < n; i++) {
        texts[i] = rows[i].text;
        lens[i] = rows[i].len;
    }
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.max_tokens = max_tokens;
    eo.truncate = max_tokens > 0;
    eo.batch_tokens = batch_tokens;
    le_text_result *res = calloc((size_t)n, sizeof *res);
    le_error err;
    int ok = 1;
    if (one_by_one) {
        for (int i = 0; i < n && ok; i++)
            ok = le_embed(m, 1, &texts[i], &lens[i], &eo, out + (size_t)i * dim, &res[i], &err) == LE_OK;
    } else {
        ok = le_embed(m, (size_t)n, texts, lens, &eo, out, res, &err) == LE_OK;
    }
    CHECK_MSG(ok, "%s", err.message);
    for (int i = 0; i < n && ok; i++)
        if (rows[i].tokens > 0) CHECK_EQ_INT(res[i].tokens, rows[i].tokens);
    free(texts);
    free(lens);
    free(res);
    return out;
}

static double max_diff(const float *a, fixture_row *rows, int n, int dim) {
    double worst = 0;
    for (int i = 0; i < n; i++)
        for (int d = 0; d < dim; d++) {
            double x = fabs((double)a[(size_t)i * dim + d] - rows[i].embedding[d]);
            if (x > worst) worst = x;
        }
    return worst;
}

/* The scalar kernels are the slow reference: they get the first texts only. */
#define SCALAR_TEXTS 12

static void run_case(const model_case *mc) {
    fixture_row *rows;
    int n_all = fixture_load(mc->fixture, &rows);
    CHECK_MSG(n_all >= 10, "%s: %d rows", mc->fixture, n_all);
    if (n_all < 10) return;
    float *base = NULL;
    int dim = 0;
    const char *isas[] = {"scalar", "avx2", "avx512"};
    for (int k = 0; k < 3; k++) {
        le_isa isa;
        if (le_isa_parse(isas[k], &isa) != LE_OK) continue; /* the CPU lacks it */
        int n = isa == LE_ISA_SCALAR && n_all > SCALAR_TEXTS ? SCALAR_TEXTS : n_all;
        for (int threads = 1; threads <= 2; threads++) {
            le_model_options mo;
            le_model_options_init(&mo);
            mo.isa = isas[k];
            mo.threads = threads;
            mo.allow_fetch = 0;
            le_model *m = NULL;
            le_error err;
            CHECK_MSG(le_model_open(mc->dir, &mo, &m, &err) == LE_OK, "%s", err.message);
            if (!m) continue;
            dim = le_model_dim(m);
            CHECK_EQ_INT(dim, rows[0].dim);
            float *out = embed_all(m, rows, n, mc->max_tokens, 0, 0);
            double worst = max_diff(out, rows, n, dim);
            fprintf(stderr, "%s: %s, %d thread(s): %d texts, max |diff| = %.3g\n", mc->name,
                    isas[k], threads, n, worst);
            CHECK_MSG(worst <= TOL, "%s %s threads=%d: max diff %g", mc->name, isas[k], threads,
                      worst);
            if (threads == 1) {
                free(base);
                base = out;
                /* the same texts one at a time and with small batches: bitwise equal */
                float *single = embed_all(m, rows, n, mc->max_tokens, 0, 1);
                float *small = embed_all(m, rows, n, mc->max_tokens, 600, 0);
                size_t bytes = sizeof(float) * (size_t)n * (size_t)dim;
                CHECK_MSG(!memcmp(base, single, bytes), "%s %s: one-by-one differs from batched",
                          mc->name, isas[k]);
                CHECK_MSG(!memcmp(base, small, bytes), "%s %s: batch budget changes results",
                          mc->name, isas[k]);
                free(single);
                free(small);
            } else {
                CHECK_MSG(!memcmp(base, out, sizeof(float) * (size_t)n * (size_t)dim),
                          "%s %s: 2 threads differ from 1 thread", mc->name, isas[k]);
                free(out);
            }
            le_model_close(m);
        }
        /* 3 threads, once per ISA, must also match bitwise */
        le_model_options mo;
        le_model_options_init(&mo);
        mo.isa = isas[k];
        mo.threads = 3;
        le_model *m = NULL;
        le_error err;
        if (le_model_open(mc->dir, &mo, &m, &err) == LE_OK) {
            float *out = embed_all(m, rows, n, mc->max_tokens, 0, 0);
            CHECK_MSG(!memcmp(base, out, sizeof(float) * (size_t)n * (size_t)dim),
                      "%s %s: 3 threads differ from 1 thread", mc->name, isas[k]);
            free(out);
            le_model_close(m);
        }
    }
    free(base);
    fixture_free(rows, n_all);
}

int main(void) {
    char buf[4096];
    const char *minilm = fixture_minilm_dir(buf, sizeof buf);
    model_case cases[] = {
        {"minilm", minilm, "tests/fixtures/minilm/embeddings.jsonl", 0},
        {"minilm-st256", minilm, "tests/fixtures/minilm/embeddings_truncated256.jsonl", 256},
        {"bert-cased-tiny", "tests/fixtures/bert-cased-tiny",
         "tests/fixtures/bert-cased-tiny/embeddings.jsonl", 0},
        {"bert-cased-tiny-prefixed", "tests/fixtures/bert-cased-tiny-prefixed",
         "tests/fixtures/bert-cased-tiny/embeddings.jsonl", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
    return check_report("embed/parity");
}
