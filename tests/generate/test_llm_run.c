/* The decoder's run state on tiny random-weight models (tests/generate/
 * tiny_llama.h), checked against itself and against a plain reference:
 *   - a prefill of n tokens in one call gives the logits of its last
 *     positions equal to token-by-token decoding with the cache (bitwise),
 *     and to prefills split in other batches;
 *   - 1 and 2 threads give the same bits;
 *   - the whole forward (llama and qwen2 with biases) equals a direct double-
 *     precision implementation written here within 1e-4;
 *   - a context past the trained window without a method is refused, and a
 *     call past the run's limit leaves the cache as it was. */
#include "check.h"
#include "generate/llm_ref.h"
#include "generate/llm_run.h"
#include "generate/tiny_llama.h"

static le_llama *tiny_open(const tiny_cfg *c, unsigned char **img) {
    size_t n;
    tiny_write(c, img, &n);
    le_gguf *g;
    le_llama *m = NULL;
    le_error err;
    if (le_gguf_open_memory(*img, n, "tiny.gguf", &g, &err) ||
        le_llama_from_gguf(g, &m, &err))
        fprintf(stderr, "tiny: %s\n", err.message);
    return m;
}

static le_status run_open(le_llm_run *r, const le_llama *m, le_extend method, int max_tokens,
                          le_pool *pool, le_error *err) {
    le_plan_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.method = method;
    le_pos_plan plan;
    le_status s = le_llm_plan(&m->c, &spec, max_tokens, &plan, err);
    if (s) return s;
    le_kctx kc = {le_cpu_best_isa(), pool};
    return le_llm_run_init(r, m, &plan, max_tokens, kc, err);
}

static void make_ids(int32_t *ids, int n, int vocab) {
    for (int i = 0; i < n; i++) ids[i] = (int32_t)((i * 37 + 11) % vocab);
}

/* One prefill vs token-by-token vs batches of 7, and 1 vs 2 threads. */
static void test_consistency(const le_llama *m, le_pool *p1, le_pool *p2) {
    enum { N = 40, NL = 5 };
    const int V = m->c.vocab;
    int32_t ids[N];
    make_ids(ids, N, V);
    float *a = malloc(sizeof(float) * NL * V), *b = malloc(sizeof(float) * NL * V);
    float *c = malloc(sizeof(float) * NL * V);
    le_llm_run r;
    le_error err;
    CHECK(run_open(&r, m, LE_EXTEND_NONE, 64, p1, &err) == LE_OK);
    CHECK(le_llm_run_eval(&r, ids, N, a, NL, &err) == LE_OK);
    le_llm_run_keep(&r, 0);
    for (int i = 0; i < N; i++) {
        float *dst = i >= N - NL ? b + (size_t)(i - (N - NL)) * V : NULL;
        CHECK(le_llm_run_eval(&r, ids + i, 1, dst, dst ? 1 : 0, &err) == LE_OK);
    }
    CHECK_MSG(!memcmp(a, b, sizeof(float) * NL * V), "prefill != decode");
    le_llm_run_keep(&r, 0);
    for (int i = 0; i < N; i += 7) {
        int k = N - i < 7 ? N - i : 7;
        CHECK(le_llm_run_eval(&r, ids + i, k, i + k == N ? c + (size_t)(NL - k) * V : NULL,
                              i + k == N ? k : 0, &err) == LE_OK);
    }
    CHECK_MSG(!memcmp(a + (size_t)(NL - 5) * V, c + (size_t)(NL - 5) * V, sizeof(float) * 5 * V),
              "prefill != batches of 7");
    le_llm_run_free(&r);
    CHECK(run_open(&r, m, LE_EXTEND_NONE, 64, p2, &err) == LE_OK);
    CHECK(le_llm_run_eval(&r, ids, N, c, NL, &err) == LE_OK);
    CHECK_MSG(!memcmp(a, c, sizeof(float) * NL * V), "1 thread != 2 threads");
    le_llm_run_free(&r);
    free(a);
    free(b);
    free(c);
}

/* The forward against llm_ref.h (no extension). */
static void test_reference(const le_llama *m, le_pool *pool) {
    enum { N = 48 };
    const int V = m->c.vocab;
    int32_t ids[N];
    make_ids(ids, N, V);
    float *a = malloc(sizeof(float) * V);
    double *ref = malloc(sizeof(double) * V);
    le_llm_run r;
    le_error err;
    CHECK(run_open(&r, m, LE_EXTEND_NONE, N, pool, &err) == LE_OK);
    CHECK(le_llm_run_eval(&r, ids, N, a, 1, &err) == LE_OK);
    llm_ref_forward(m, ids, N, 0, 0, ref);
    double md = 0;
    for (int i = 0; i < V; i++) md = fmax(md, fabs(a[i] - ref[i]));
    printf("%s: max |logit - reference| %.2e\n", m->c.arch, md);
    CHECK_MSG(md < 1e-4, "%g", md);
    le_llm_run_free(&r);
    free(a);
    free(ref);
}

/* Past the window without a method; past the run's limit. */
static void test_limits(const le_llama *m, le_pool *pool) {
    le_llm_run r;
    le_error err;
    CHECK(run_open(&r, m, LE_EXTEND_NONE, m->c.context + 1, pool, &err) == LE_ERR_TOO_LONG);
    CHECK_MSG(strstr(err.message, "extension method"), "%s", err.message);
    CHECK(run_open(&r, m, LE_EXTEND_NONE, 16, pool, &err) == LE_OK);
    int32_t ids[20];
    make_ids(ids, 20, m->c.vocab);
    CHECK(le_llm_run_eval(&r, ids, 10, NULL, 0, &err) == LE_OK);
    CHECK(le_llm_run_eval(&r, ids, 7, NULL, 0, &err) == LE_ERR_TOO_LONG);
    CHECK_EQ_INT(r.n, 10);
    ids[0] = m->c.vocab;
    CHECK(le_llm_run_eval(&r, ids, 1, NULL, 0, &err) == LE_ERR_ARG);
    le_llm_run_free(&r);
}

int main(void) {
    le_pool *p1 = le_pool_create(1), *p2 = le_pool_create(2);
    tiny_cfg c = tiny_default();
    unsigned char *img = NULL;
    le_llama *m = tiny_open(&c, &img);
    CHECK(m != NULL);
    if (m) {
        test_consistency(m, p1, p2);
        test_reference(m, p2);
        test_limits(m, p1);
    }
    le_llama_close(m);
    free(img);
    c.arch = "qwen2";
    c.tied = 0;
    m = tiny_open(&c, &img);
    CHECK(m != NULL);
    if (m) {
        test_consistency(m, p1, p2);
        test_reference(m, p2);
    }
    le_llama_close(m);
    free(img);
    le_pool_destroy(p1);
    le_pool_destroy(p2);
    return check_report("generate/test_llm_run");
}
