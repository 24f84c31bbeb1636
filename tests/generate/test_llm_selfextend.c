/* Decoder SelfExtend at 4k tokens on a model trained on 256: the engine
 * (keys cached unrotated, the attention kernel's in-kernel RoPE with
 * neighbour and grouped positions, causal, batches of 256 with q_offset)
 * against tests/generate/llm_ref.h, which builds the full merged score
 * matrix of LongLM's SelfExtend in double precision. Checked: the logits of
 * a 4096-token prefill, and of one token decoded after 4095. A 4096-token
 * run without a method is refused. */
#include "check.h"
#include "generate/llm_ref.h"
#include "generate/llm_run.h"
#include "generate/tiny_llama.h"

enum { N = 4096, G = 16, W = 64 };

static double max_diff(const float *a, const double *b, int n) {
    double md = 0;
    for (int i = 0; i < n; i++) md = fmax(md, fabs(a[i] - b[i]));
    return md;
}

int main(void) {
    tiny_cfg c = tiny_default();
    c.layers = 1, c.hidden = 32, c.heads = 2, c.kv_heads = 1, c.ffn = 48, c.vocab = 50;
    c.context = 256;
    unsigned char *img;
    size_t size;
    tiny_write(&c, &img, &size);
    le_gguf *g;
    le_llama *m = NULL;
    le_error err;
    CHECK(le_gguf_open_memory(img, size, "tiny.gguf", &g, &err) == LE_OK &&
          le_llama_from_gguf(g, &m, &err) == LE_OK);
    if (!m) return check_report("generate/test_llm_selfextend");
    le_plan_spec spec;
    memset(&spec, 0, sizeof spec);
    le_pos_plan plan;
    CHECK(le_llm_plan(&m->c, &spec, N, &plan, &err) == LE_ERR_TOO_LONG);
    spec.method = LE_EXTEND_SELFEXTEND;
    spec.se_group = G;
    spec.se_window = W;
    CHECK_MSG(le_llm_plan(&m->c, &spec, N, &plan, &err) == LE_OK, "%s", err.message);
    CHECK_EQ_INT(plan.se_window, W);
    le_pool *pool = le_pool_create(2);
    le_kctx kc = {le_cpu_best_isa(), pool};
    le_llm_run r;
    CHECK(le_llm_run_init(&r, m, &plan, N, kc, &err) == LE_OK);
    int32_t *ids = malloc(sizeof *ids * N);
    for (int i = 0; i < N; i++) ids[i] = (int32_t)((i * 7 + i / 13) % c.vocab);
    float *lg = malloc(sizeof(float) * (size_t)c.vocab);
    double *ref = malloc(sizeof(double) * (size_t)c.vocab);
    llm_ref_forward(m, ids, N, G, W, ref);
    CHECK(le_llm_run_eval(&r, ids, N, lg, 1, &err) == LE_OK);
    const double d1 = max_diff(lg, ref, c.vocab);
    le_llm_run_keep(&r, 0);
    CHECK(le_llm_run_eval(&r, ids, N - 1, NULL, 0, &err) == LE_OK);
    CHECK(le_llm_run_eval(&r, ids + N - 1, 1, lg, 1, &err) == LE_OK);
    const double d2 = max_diff(lg, ref, c.vocab);
    printf("SelfExtend g=%d w=%d at %d tokens (window %d): max |logit - merged-matrix "
           "reference| prefill %.2e, decode %.2e\n", G, W, N, c.context, d1, d2);
    CHECK_MSG(d1 < 1e-4, "%g", d1);
    CHECK_MSG(d2 < 1e-4, "%g", d2);
    /* the same run without SelfExtend's grouping differs: the test can fail */
    llm_ref_forward(m, ids, N, 0, 0, ref);
    CHECK(max_diff(lg, ref, c.vocab) > 1e-3);
    le_llm_run_free(&r);
    le_pool_destroy(pool);
    le_llama_close(m);
    free(img), free(ids), free(lg), free(ref);
    return check_report("generate/test_llm_selfextend");
}
