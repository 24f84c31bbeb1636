/* SmolLM2-135M-Instruct (Q4_1 GGUF) against transformers on the same file
 * (tests/fixtures/llm/smollm2.json, tools/make_llm_fixtures.py), with both
 * activation precisions of le_llm: per prompt the top-64 logits of the last
 * position and their logsumexp within a bound, the argmax at every prompt
 * position, and the greedy 32-token continuation (the fixture's generate
 * used min_new_tokens=32, which masks the end token: so does this test).
 * The first 4 prompts run by default (CI time); LE_LLM_PARITY_ALL=1 runs all
 * 20. Measured on all 20 (results are bitwise the same on every ISA and
 * thread count, so the bounds are deterministic):
 *   exact (fp32 activations): max |Δ logit| top-64 8.5e-5, |Δ logsumexp|
 *     3.2e-5, argmax 267/267, greedy identical 20/20;
 *   q8 (activations rounded per 32-block as ggml does, Q8_1 for Q4_1):
 *     1.02, 0.59, 258/267, greedy identical 6/20 — llama.cpp on the same file
 *     also 6/20 — the others diverging after 0-27 tokens at near ties. */
#include "check.h"
#include "generate/llm_run.h"
#include "generate/smollm2_path.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "base/json.h"

#define LOGIT_BOUND 1.5 /* max |Δ logit| over the top 64 (measured 1.02) */
#define LSE_BOUND 1.0   /* |Δ logsumexp| (measured 0.59) */
#define MIN_AGREE 4     /* greedy tokens equal to transformers' before any divergence */
#define EXACT_BOUND 1e-3 /* precision exact (fp32 activations): |Δ logit|, |Δ logsumexp| */

typedef struct stats {
    double max_top, max_lse;
    int argmax_ok, argmax_n, greedy_same, min_agree;
} stats;

static int g_eos; /* tokenizer.ggml.eos_token_id */

static int argmax(const float *x, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

static double logsumexp(const float *x, int n) {
    double mx = x[argmax(x, n)], s = 0;
    for (int i = 0; i < n; i++) s += exp((double)x[i] - mx);
    return mx + log(s);
}

static int ints(const cJSON *a, int32_t *out, int cap) {
    int n = 0;
    for (const cJSON *e = a ? a->child : NULL; e && n < cap; e = e->next) out[n++] = e->valueint;
    return n;
}

/* One prompt: prefill with all positions' logits, then greedy decode. */
static void run_prompt(le_llm_run *r, const cJSON *p, int new_tokens, stats *st) {
    int32_t ids[256], want[64];
    const int n = ints(cJSON_GetObjectItem(p, "ids"), ids, 256);
    const int ng = ints(cJSON_GetObjectItem(p, "greedy"), want, 64);
    const int vocab = r->m->c.vocab;
    float *lg = malloc(sizeof(float) * (size_t)vocab * (size_t)n);
    le_error err;
    le_llm_run_keep(r, 0);
    CHECK_MSG(le_llm_run_eval(r, ids, n, lg, n, &err) == LE_OK, "%s", err.message);
    int32_t pa[256];
    ints(cJSON_GetObjectItem(p, "pos_argmax"), pa, 256);
    for (int i = 0; i < n; i++, st->argmax_n++) st->argmax_ok += argmax(lg + (size_t)i * vocab, vocab) == pa[i];
    float *last = lg + (size_t)(n - 1) * vocab;
    for (const cJSON *e = cJSON_GetObjectItem(p, "last_top")->child; e; e = e->next) {
        double d = fabs(last[cJSON_GetArrayItem(e, 0)->valueint] - cJSON_GetArrayItem(e, 1)->valuedouble);
        if (d > st->max_top) st->max_top = d;
    }
    double dl = fabs(logsumexp(last, vocab) - cJSON_GetObjectItem(p, "last_logsumexp")->valuedouble);
    if (dl > st->max_lse) st->max_lse = dl;
    /* the fixture's generate(min_new_tokens=32) masks the end token at every step */
    last[g_eos] = -INFINITY;
    int32_t tok = argmax(last, vocab), same = 1;
    for (int i = 0; i < new_tokens && i < ng; i++) {
        same &= tok == want[i];
        if (!same && i < st->min_agree) st->min_agree = i;
        if (!same) {
            const float *cur = i == 0 ? last : lg;
            fprintf(stderr, "  \"%.30s\": first divergence at new token %d (logits here: %d "
                    "%.4f, transformers' %d %.4f)\n", cJSON_GetObjectItem(p, "text")->valuestring,
                    i, (int)tok, cur[tok], (int)want[i], cur[want[i]]);
            break;
        }
        if (i + 1 < new_tokens) {
            CHECK(le_llm_run_eval(r, &tok, 1, lg, 1, &err) == LE_OK);
            lg[g_eos] = -INFINITY;
            tok = argmax(lg, vocab);
        }
    }
    st->greedy_same += same;
    free(lg);
}

/* The model and a run of its trained window (4 threads at most). */
static le_status open_model(le_llama **m, le_llm_run *r, le_pool **pool, le_error *err) {
    char *path = smollm2_gguf_path();
    if (!path)
        return le_fail(err, LE_ERR_IO, "no " SMOLLM2_FILE ": run `longembed fetch-model "
                       "smollm2` (make model) or set LE_SMOLLM2_GGUF");
    le_status s = le_llama_open(path, m, err);
    free(path);
    uint32_t eos = 0;
    if (!s) s = le_gguf_get_u32((*m)->gguf, "tokenizer.ggml.eos_token_id", &eos, err);
    if (s) return s;
    g_eos = (int)eos;
    le_plan_spec spec;
    memset(&spec, 0, sizeof spec);
    le_pos_plan plan;
    if ((s = le_llm_plan(&(*m)->c, &spec, (*m)->c.context, &plan, err))) return s;
    *pool = le_pool_create(2);
    le_kctx kc = {le_cpu_best_isa(), *pool};
    return le_llm_run_init(r, *m, &plan, (*m)->c.context, kc, err);
}

/* All prompts (or the first 4) with activations q8 (exact 0) or fp32 (exact 1). */
static void run_set(le_llm_run *r, le_llama *m, const cJSON *j, int exact) {
    le_llama_set_f32_act(m, exact);
    const int new_tokens = cJSON_GetObjectItem(j, "new_tokens")->valueint;
    stats st = {0};
    st.min_agree = new_tokens;
    int np = 0;
    const char *all = getenv("LE_LLM_PARITY_ALL");
    for (const cJSON *p = cJSON_GetObjectItem(j, "prompts")->child; p; p = p->next, np++) {
        if (!(all && *all == '1') && np >= 4) break;
        run_prompt(r, p, new_tokens, &st);
    }
    printf("%s, prompts %d: max |d logit| top-64 %.2e, |d logsumexp| %.2e, argmax %d/%d, greedy "
           "%d-token continuations identical %d/%d, shortest agreement %d tokens\n",
           exact ? "exact" : "q8", np, st.max_top, st.max_lse, st.argmax_ok, st.argmax_n,
           new_tokens, st.greedy_same, np, st.min_agree);
    if (exact) {
        CHECK_MSG(st.max_top < EXACT_BOUND, "%g", st.max_top);
        CHECK_MSG(st.max_lse < EXACT_BOUND, "%g", st.max_lse);
        CHECK(st.greedy_same * 10 >= np * 9); /* the issue's >= 18 of 20 */
        return;
    }
    CHECK_MSG(st.max_top < LOGIT_BOUND, "%g", st.max_top);
    CHECK_MSG(st.max_lse < LSE_BOUND, "%g", st.max_lse);
    CHECK(st.argmax_ok >= st.argmax_n * 95 / 100);
    if (np == 4) CHECK_MSG(st.min_agree >= MIN_AGREE, "%d", st.min_agree);
}

int main(void) {
    cJSON *j = NULL;
    le_error err;
    CHECK_MSG(le_json_load("tests/fixtures/llm/smollm2.json", 1 << 24, &j, &err) == LE_OK, "%s",
              err.message);
    le_llama *m = NULL;
    le_llm_run r;
    le_pool *pool = NULL;
    memset(&r, 0, sizeof r);
    CHECK_MSG(open_model(&m, &r, &pool, &err) == LE_OK, "%s", err.message);
    if (!j || !r.m) return check_report("generate/test_parity_smollm2");
    run_set(&r, m, j, 0);
    run_set(&r, m, j, 1);
    le_llm_run_free(&r);
    le_llama_close(m);
    le_pool_destroy(pool);
    cJSON_Delete(j);
    return check_report("generate/test_parity_smollm2");
}
