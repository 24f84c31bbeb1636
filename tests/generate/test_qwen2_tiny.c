/* A random-weight Qwen2-shaped GGUF written by tools/make_qwen2_tiny.py
 * (q/k/v biases, NEOX RoPE, GQA, untied head, F16 matrices, a byte-level
 * BPE with pre "qwen2", a ChatML template) against transformers loading
 * the same file (tests/fixtures/llm/qwen2-tiny/ref.json):
 *   - the tokenizer's ids equal transformers' GGUF tokenizer on 5 prompts
 *     (specials in text included);
 *   - the last position's logits agree within 1e-4 (measured: 3.3e-6) and 16 greedy tokens
 *     are the same;
 *   - the GGUF's chat template formats like apply_chat_template. */
#include "base/json.h"
#include "base/mapfile.h"
#include "base/pool.h"
#include "check.h"
#include "generate/chat_template.h"
#include "generate/llm_run.h"
#include "generate/llm_tokenizer.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#define DIR "tests/fixtures/llm/qwen2-tiny/"

static int argmax(const float *x, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

/* One prompt: ids, last logits, greedy continuation. */
static void check_prompt(const le_tokenizer *t, const le_llama *m, const cJSON *p, le_pool *pool) {
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "text"));
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(p, "ids");
    const cJSON *logits = cJSON_GetObjectItemCaseSensitive(p, "last_logits");
    const cJSON *greedy = cJSON_GetObjectItemCaseSensitive(p, "greedy");
    le_ids ids = {0};
    le_error err;
    CHECK(le_tokenizer_encode(t, text, strlen(text), &ids, &err) == LE_OK);
    int same = (size_t)cJSON_GetArraySize(want) == ids.n;
    for (size_t i = 0; same && i < ids.n; i++)
        same = cJSON_GetArrayItem(want, (int)i)->valuedouble == ids.ids[i];
    CHECK_MSG(same, "ids of \"%s\"", text);
    le_plan_spec spec;
    memset(&spec, 0, sizeof spec);
    le_pos_plan plan;
    le_llm_run r;
    const int V = m->c.vocab, G = cJSON_GetArraySize(greedy);
    CHECK(le_llm_plan(&m->c, &spec, (int)ids.n + G, &plan, &err) == LE_OK);
    CHECK(le_llm_run_init(&r, m, &plan, (int)ids.n + G, (le_kctx){le_cpu_best_isa(), pool}, &err) ==
          LE_OK);
    float *y = malloc(sizeof(float) * (size_t)V);
    CHECK(le_llm_run_eval(&r, ids.ids, (int)ids.n, y, 1, &err) == LE_OK);
    double worst = 0;
    for (int i = 0; i < V && i < cJSON_GetArraySize(logits); i++)
        worst = fmax(worst, fabs(y[i] - cJSON_GetArrayItem(logits, i)->valuedouble));
    CHECK_MSG(worst <= 1e-4, "\"%s\": max |d logit| %.3g", text, worst);
    int k = 0;
    for (; k < G; k++) {
        int32_t next = argmax(y, V);
        if (next != (int32_t)cJSON_GetArrayItem(greedy, k)->valuedouble) break;
        if (le_llm_run_eval(&r, &next, 1, y, 1, &err)) break;
    }
    CHECK_MSG(k == G, "\"%s\": greedy differs at token %d", text, k);
    fprintf(stderr, "qwen2-tiny \"%.30s\": %zu ids, max |d logit| %.2e, greedy %d/%d\n", text,
            ids.n, worst, k, G);
    free(y);
    le_llm_run_free(&r);
    le_ids_free(&ids);
}

static void check_chat(const le_gguf *g, const cJSON *ref) {
    le_chat_template ct;
    le_error err;
    CHECK(le_chat_template_from_gguf(g, NULL, &ct, &err) == LE_OK);
    le_chat_message msg = {"user", "Hi!"};
    char *text = NULL;
    CHECK(le_chat_format(&ct, &msg, 1, 1, &text, NULL, &err) == LE_OK);
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "chat_hi"));
    CHECK_MSG(text && want && !strcmp(text, want), "chat: \"%s\"", text ? text : err.message);
    free(text);
    le_chat_template_free(&ct);
}

int main(void) {
    char *json;
    size_t n;
    le_error err;
    le_gguf *g = NULL;
    le_tokenizer *t = NULL;
    le_llama *m = NULL;
    cJSON *ref = NULL;
    CHECK(le_read_file(DIR "ref.json", 0, &json, &n, &err) == LE_OK);
    CHECK(le_json_parse(json, n, "ref.json", &ref, &err) == LE_OK);
    free(json);
    CHECK(le_gguf_open(DIR "model.gguf", &g, &err) == LE_OK);
    CHECK_MSG(g && le_llm_tokenizer_from_gguf(g, &t, &err) == LE_OK, "%s", err.message);
    CHECK_MSG(le_llama_open(DIR "model.gguf", &m, &err) == LE_OK, "%s", err.message);
    le_pool *pool = le_pool_create(2);
    const cJSON *p;
    if (t && m && ref) {
        CHECK(!strcmp(m->c.arch, "qwen2") && m->c.rotate_half == 1);
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ref, "prompts")) check_prompt(t, m, p, pool);
        check_chat(g, ref);
    }
    le_pool_destroy(pool);
    le_llama_close(m);
    le_tokenizer_free(t);
    le_gguf_close(g);
    cJSON_Delete(ref);
    return check_report("generate/qwen2_tiny");
}
