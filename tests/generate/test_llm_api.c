/* The public le_llm_* calls on a tiny random llama GGUF written to a
 * temporary file (no tokenizer: the *_ids calls): info, greedy generation
 * equal to argmax over le_llm_logits step by step, the cache reused by a
 * prompt that extends the previous one, seeded sampling reproducible, the
 * context limit with and without an extension method, and refused input. */
#include "check.h"
#include "generate/tiny_llama.h"
#include "longembed.h"

#include <unistd.h>

static char g_path[64];

static le_llm *open_tiny(le_extend e, int max_tokens, le_status *st, le_error *err) {
    le_llm_options o;
    le_llm_options_init(&o);
    o.threads = 2;
    o.extend = e;
    o.max_tokens = max_tokens;
    le_llm *m = NULL;
    *st = le_llm_open(g_path, &o, &m, err);
    return m;
}

static int argmax(const float *x, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

static void test_greedy(le_llm *m) {
    le_llm_info info;
    CHECK(le_llm_get_info(m, &info) == LE_OK);
    CHECK(!strcmp(info.architecture, "llama") && info.vocab == 97 && info.max_tokens == 64);
    CHECK(!info.has_tokenizer && !strcmp(info.weights, "F32") && !strcmp(info.precision, "exact"));
    int32_t seq[40] = {5, 17, 3, 88, 41};
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.temperature = 0;
    go.max_new_tokens = 12;
    int32_t out[16];
    size_t n = 0;
    le_llm_result res;
    le_error err;
    CHECK_MSG(le_llm_generate_ids(m, seq, 5, &go, out, 16, &n, &res, &err) == LE_OK, "%s",
              err.message);
    CHECK_EQ_INT(n, 12);
    CHECK(res.stop == LE_LLM_STOP_LENGTH && res.prompt_tokens == 5 && res.new_tokens == 12);
    float lg[97];
    for (int i = 0; i < 12; i++) { /* greedy = argmax of the logits, step by step */
        CHECK(le_llm_logits(m, seq, (size_t)(5 + i), 1, lg, &err) == LE_OK);
        seq[5 + i] = argmax(lg, 97);
        CHECK_EQ_INT(seq[5 + i], out[i]);
    }
    /* a prompt that extends the last one reuses its cache */
    int32_t out2[16];
    CHECK(le_llm_generate_ids(m, seq, 10, &go, out2, 16, &n, &res, &err) == LE_OK);
    CHECK(le_llm_generate_ids(m, seq, 14, &go, out2, 16, &n, &res, &err) == LE_OK);
    CHECK_EQ_INT(res.cached_tokens, 13);
    CHECK(!memcmp(out2, out + 9, 3 * sizeof *out));
}

static void test_sampling(le_llm *m) {
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.max_new_tokens = 20;
    go.temperature = 4.0f;
    go.top_k = 0;
    go.top_p = 1;
    go.min_p = 0;
    go.seed = 42;
    const int32_t p[3] = {1, 2, 3};
    int32_t a[20], b[20], c[20];
    size_t n;
    le_error err;
    CHECK(le_llm_generate_ids(m, p, 3, &go, a, 20, &n, NULL, &err) == LE_OK);
    CHECK(le_llm_generate_ids(m, p, 3, &go, b, 20, &n, NULL, &err) == LE_OK);
    go.seed = 43;
    CHECK(le_llm_generate_ids(m, p, 3, &go, c, 20, &n, NULL, &err) == LE_OK);
    CHECK(!memcmp(a, b, sizeof a));
    CHECK(memcmp(a, c, sizeof a) != 0);
    go.top_p = 0; /* refused */
    CHECK(le_llm_generate_ids(m, p, 3, &go, c, 20, &n, NULL, &err) == LE_ERR_ARG);
    le_llm_gen_options_init(&go);
    const char *stop[1] = {"x"};
    go.stop = stop;
    go.n_stop = 1;
    CHECK(le_llm_generate_ids(m, p, 3, &go, c, 20, &n, NULL, &err) == LE_ERR_UNSUPPORTED);
    char *text = NULL;
    CHECK(le_llm_generate(m, "hello", NULL, &text, NULL, &err) == LE_ERR_UNSUPPORTED);
    CHECK(text == NULL);
}

static void test_limits(void) {
    le_status st;
    le_error err;
    le_llm *m = open_tiny(LE_EXTEND_NONE, 65, &st, &err);
    CHECK(st == LE_ERR_TOO_LONG && m == NULL);
    m = open_tiny(LE_EXTEND_GP, 0, &st, &err);
    CHECK(st == LE_ERR_ARG && strstr(err.message, "selfextend"));
    m = open_tiny(LE_EXTEND_NONE, 0, &st, &err);
    int32_t ids[300];
    for (int i = 0; i < 300; i++) ids[i] = i % 97;
    int32_t out[8];
    size_t n;
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    CHECK(le_llm_generate_ids(m, ids, 65, &go, out, 8, &n, NULL, &err) == LE_ERR_TOO_LONG);
    go.max_new_tokens = 8; /* 60 + 8 > 64: ends when the context is full, 4 + 1 tokens */
    le_llm_result res;
    CHECK(le_llm_generate_ids(m, ids, 60, &go, out, 8, &n, &res, &err) == LE_OK);
    CHECK(res.stop == LE_LLM_STOP_LENGTH && n == 5);
    le_llm_close(m);
    m = open_tiny(LE_EXTEND_SELFEXTEND, 256, &st, &err);
    CHECK_MSG(st == LE_OK, "%s", err.message);
    CHECK_MSG(le_llm_generate_ids(m, ids, 250, &go, out, 8, &n, &res, &err) == LE_OK, "%s",
              err.message);
    CHECK_EQ_INT(n, 7); /* the last token sampled needs no room in the cache */
    le_llm_close(m);
    CHECK(le_llm_open("minilm", NULL, &m, &err) == LE_ERR_ARG && strstr(err.message, "embedding"));
    le_llm_options o;
    le_llm_options_init(&o);
    o.precision = "bf16";
    CHECK(le_llm_open(g_path, &o, &m, &err) == LE_ERR_ARG && strstr(err.message, "exact"));
    CHECK(le_llm_open("no-such-model", NULL, &m, &err) == LE_ERR_ARG);
}

int main(void) {
    tiny_cfg c = tiny_default();
    unsigned char *img;
    size_t size;
    tiny_write(&c, &img, &size);
    snprintf(g_path, sizeof g_path, "/tmp/le-tiny-llm-%d.gguf", (int)getpid());
    FILE *f = fopen(g_path, "wb");
    CHECK(f && fwrite(img, 1, size, f) == size);
    if (f) fclose(f);
    free(img);
    le_status st;
    le_error err;
    le_llm *m = open_tiny(LE_EXTEND_NONE, 0, &st, &err);
    CHECK_MSG(st == LE_OK, "%s", err.message);
    if (m) {
        test_greedy(m);
        test_sampling(m);
    }
    le_llm_close(m);
    test_limits();
    unlink(g_path);
    return check_report("generate/test_llm_api");
}
