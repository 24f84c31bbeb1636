/* le_llm_options.prefix_cache_bytes (generate/llm_prefix_cache.h) on the
 * random-weight Qwen2 GGUF (tests/fixtures/llm/qwen2-tiny):
 *   - a prompt sharing a long beginning with an earlier prompt that is no
 *     longer in the run continues from the copy: that prefix is not
 *     prefilled again, the copy is cut to the shared tokens, and the
 *     greedy reply, logits and KV rows are bit for bit those of a handle
 *     without the cache;
 *   - a prompt that mostly continues the run's own cache makes no copy;
 *   - the budget holds: a copy larger than it is never made, and the
 *     least recently used copy goes first;
 *   - budget 0 (the default): no copies. */
#include "check.h"
#include "generate/llm_impl.h"
#include "generate/tiny_llama.h"
#include "longembed.h"

#include <stdlib.h>
#include <string.h>

#define QWEN "tests/fixtures/llm/qwen2-tiny/model.gguf"
#define NEW 6

static le_llm *open_model(size_t budget) {
    le_llm_options o;
    le_llm_options_init(&o);
    o.threads = 1;
    o.prefix_cache_bytes = budget;
    le_llm *m = NULL;
    le_error err;
    CHECK_MSG(le_llm_open(QWEN, &o, &m, &err) == LE_OK, "%s", err.message);
    return m;
}

static int32_t g_doc[2][200], g_tail[3][30];

/* The prompt doc d then tail t into p; its length. */
static size_t prompt(int d, int t, int32_t *p) {
    memcpy(p, g_doc[d], sizeof g_doc[d]);
    memcpy(p + 200, g_tail[t], sizeof g_tail[t]);
    return 230;
}

/* Greedy reply of NEW tokens to doc d + tail t; the result in *res. */
static void ask(le_llm *m, int d, int t, int32_t *out, le_llm_result *res) {
    int32_t p[230];
    size_t n = prompt(d, t, p), got = 0;
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.temperature = 0;
    go.max_new_tokens = NEW;
    go.ignore_eos = 1;
    le_error err;
    CHECK_MSG(le_llm_generate_ids(m, p, n, &go, out, NEW, &got, res, &err) == LE_OK, "%s",
              err.message);
    CHECK_EQ_INT((int)got, NEW);
}

/* The KV rows [0, n) of a and b are the same bits. */
static int same_kv(const le_llm *a, const le_llm *b, int n) {
    const size_t bytes = sizeof(float) * (size_t)n * (size_t)le_llama_kv_dim(&a->model->c);
    for (int l = 0; l < a->model->c.layers; l++)
        if (memcmp(a->run.k[l], b->run.k[l], bytes) || memcmp(a->run.v[l], b->run.v[l], bytes))
            return 0;
    return 1;
}

static void test_restore(void) {
    le_llm *m = open_model((size_t)1 << 30), *f = open_model(0);
    if (!m || !f) goto done;
    int32_t a[NEW], b[NEW];
    le_llm_result r;
    ask(m, 0, 0, a, &r); /* doc 0 + tail 0: copied */
    CHECK_EQ_INT((int)m->prefix.count, 1);
    CHECK_EQ_INT((int)m->prefix.c[0].n, 230);
    ask(m, 1, 0, a, &r); /* another document: copied too */
    CHECK_EQ_INT((int)m->prefix.count, 2);
    ask(m, 0, 1, a, &r); /* doc 0 again, another tail: from the copy */
    CHECK_EQ_INT(r.cached_tokens, 200);
    CHECK_EQ_INT((int)m->prefix.hits, 1);
    CHECK_EQ_INT((int)m->prefix.count, 2); /* no new copy: it was restored */
    int cut = 0;
    for (size_t i = 0; i < m->prefix.count; i++) cut += m->prefix.c[i].n == 200;
    CHECK_MSG(cut == 1, "the copy used is cut to the 200 shared tokens");
    le_llm_result rf;
    ask(f, 0, 1, b, &rf);
    CHECK_EQ_INT(rf.cached_tokens, 0);
    CHECK_MSG(!memcmp(a, b, sizeof a), "the reply after a restored prefix differs");
    CHECK_MSG(same_kv(m, f, 230 + NEW - 1), "the KV rows after a restored prefix differ");
    CHECK_EQ_INT((int)f->prefix.count, 0); /* budget 0: no copies */
    /* the run's own cache serves a prompt that continues it: no copy */
    ask(m, 0, 1, a, &r);
    CHECK_EQ_INT(r.cached_tokens, 229);
    CHECK_EQ_INT((int)m->prefix.count, 2);
    CHECK_EQ_INT((int)m->prefix.hits, 1);
done:
    le_llm_close(m), le_llm_close(f);
}

static void test_budget(void) {
    le_llm *probe = open_model((size_t)1 << 30);
    if (!probe) return;
    le_llm_result r;
    int32_t out[NEW];
    ask(probe, 0, 0, out, &r);
    const size_t one = probe->prefix.bytes; /* one copy of 230 tokens */
    le_llm_close(probe);
    CHECK(one > 0);
    le_llm *small = open_model(one - 1), *two = open_model(2 * one + one / 2);
    if (!small || !two) goto done;
    ask(small, 0, 0, out, &r);
    CHECK_EQ_INT((int)small->prefix.count, 0);
    CHECK(small->prefix.bytes == 0);
    ask(two, 0, 0, out, &r);
    ask(two, 1, 0, out, &r);
    ask(two, 0, 1, out, &r); /* uses doc 0's copy: doc 1's is now the oldest */
    CHECK_EQ_INT((int)two->prefix.hits, 1);
    ask(two, 1, 2, out, &r); /* from doc 1's copy */
    CHECK_EQ_INT((int)two->prefix.hits, 2);
    int32_t p[230];
    for (int i = 0; i < 230; i++) p[i] = i ? (int32_t)(i % 150) + 40 : 2; /* a third, new prompt */
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.temperature = 0;
    go.max_new_tokens = 1;
    le_error err;
    CHECK(le_llm_generate_ids(two, p, 230, &go, NULL, 0, NULL, &r, &err) == LE_OK);
    CHECK(two->prefix.bytes <= 2 * one + one / 2);
    CHECK_EQ_INT((int)two->prefix.count, 2); /* the oldest (doc 0's, cut) went */
    ask(two, 0, 2, out, &r);
    CHECK_EQ_INT(r.cached_tokens, 0);
    CHECK_EQ_INT((int)two->prefix.hits, 2);
done:
    le_llm_close(small), le_llm_close(two);
}

int main(void) {
    uint64_t s = 11;
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < 200; i++) g_doc[d][i] = (int32_t)(tiny_rand(&s) % 200) + 3;
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < 30; i++) g_tail[t][i] = (int32_t)(tiny_rand(&s) % 200) + 3;
    g_tail[1][0] = g_tail[0][0] == 50 ? 51 : 50; /* the tails differ from their first token */
    g_tail[2][0] = 60;
    test_restore();
    test_budget();
    return check_report("generate/test_llm_prefix_cache");
}
