/* The llama-family GGUF loader: tiny files written here (llama, tied or
 * not; qwen2 with biases; a declared rope scaling) load with the metadata's
 * shapes; an unknown architecture, tensor type or rope scaling, a missing
 * tensor and a truncated file fail with messages that name them. The real
 * SmolLM2-135M file, when present, gives its known shapes. */
#include "check.h"
#include "generate/smollm2_path.h"
#include "generate/tiny_llama.h"
#include "model/llama.h"

#include <unistd.h>

/* Loads cfg's file; returns the status, model in *out (NULL on failure). */
static le_status load(const tiny_cfg *c, size_t cut, unsigned char **img, le_llama **out,
                      le_error *err) {
    size_t n;
    tiny_write(c, img, &n);
    if (cut) n = cut < n ? cut : n;
    le_gguf *g;
    *out = NULL;
    le_status s = le_gguf_open_memory(*img, n, "tiny.gguf", &g, err);
    if (s) return s;
    return le_llama_from_gguf(g, out, err);
}

/* A bad variant fails with status want and a message holding needle. */
static void expect_fail(const tiny_cfg *c, size_t cut, le_status want, const char *needle) {
    unsigned char *img = NULL;
    le_llama *m;
    le_error err;
    le_status s = load(c, cut, &img, &m, &err);
    CHECK_MSG(s == want, "%s: got %d (%s)", needle, (int)s, s ? err.message : "ok");
    CHECK_MSG(s && strstr(err.message, needle), "%s not in \"%s\"", needle, err.message);
    CHECK(m == NULL);
    le_llama_close(m);
    free(img);
}

static void test_good(void) {
    tiny_cfg c = tiny_default();
    unsigned char *img = NULL;
    le_llama *m;
    le_error err;
    CHECK_MSG(load(&c, 0, &img, &m, &err) == LE_OK, "%s", err.message);
    if (m) {
        CHECK(!strcmp(m->c.arch, "llama"));
        CHECK_EQ_INT(m->c.layers, 2);
        CHECK_EQ_INT(m->c.head_dim, 16);
        CHECK_EQ_INT(m->c.kv_heads, 2);
        CHECK_EQ_INT(m->c.vocab, 97);
        CHECK_EQ_INT(m->c.rotate_half, 0);
        CHECK(m->output.data == m->tok_embd.data); /* tied */
        CHECK(m->layer[1].bq == NULL);
        CHECK(m->c.rope_scaling == LE_ROPE_DEFAULT);
    }
    le_llama_close(m);
    free(img);
    c.arch = "qwen2";
    c.tied = 0;
    c.scaling = "yarn";
    c.scaling_factor = 4;
    CHECK_MSG(load(&c, 0, &img, &m, &err) == LE_OK, "%s", err.message);
    if (m) {
        CHECK_EQ_INT(m->c.rotate_half, 1);
        CHECK(m->layer[1].bv != NULL);
        CHECK(m->output.data != m->tok_embd.data);
        CHECK(m->c.rope_scaling == LE_ROPE_YARN && m->c.rope_factor == 4);
    }
    le_llama_close(m);
    free(img);
}

static void test_bad(void) {
    tiny_cfg c = tiny_default();
    c.arch = "gpt9";
    expect_fail(&c, 0, LE_ERR_UNSUPPORTED, "\"gpt9\"");
    c = tiny_default();
    c.omit = "blk.1.ffn_up.weight";
    expect_fail(&c, 0, LE_ERR_FORMAT, "blk.1.ffn_up.weight");
    c = tiny_default();
    c.omit = "output_norm.weight";
    expect_fail(&c, 0, LE_ERR_FORMAT, "output_norm.weight");
    c = tiny_default();
    c.arch = "qwen2";
    c.omit = "blk.0.attn_k.bias";
    expect_fail(&c, 0, LE_ERR_FORMAT, "blk.0.attn_k.bias");
    c = tiny_default();
    c.wq_type = 25; /* I16: a ggml type, not a weight type */
    expect_fail(&c, 0, LE_ERR_UNSUPPORTED, "blk.0.attn_q.weight");
    c = tiny_default();
    c.scaling = "longrope";
    c.scaling_factor = 2;
    expect_fail(&c, 0, LE_ERR_UNSUPPORTED, "longrope");
    c = tiny_default();
    unsigned char *img;
    size_t n;
    tiny_write(&c, &img, &n);
    free(img);
    for (size_t cut = 1; cut < n; cut = cut * 3 / 2 + 7) {
        unsigned char *im = NULL;
        le_llama *m;
        le_error err;
        CHECK(load(&c, cut, &im, &m, &err) != LE_OK);
        free(im);
    }
}

/* SmolLM2-135M-Instruct Q4_1 (when fetched): its known shapes. */
static void test_smollm2(void) {
    char *path = smollm2_gguf_path();
    if (!path) return; /* tests/generate/test_parity_smollm2 fails without it */
    le_llama *m;
    le_error err;
    CHECK_MSG(le_llama_open(path, &m, &err) == LE_OK, "%s", err.message);
    free(path);
    if (!m) return;
    CHECK_EQ_INT(m->c.layers, 30);
    CHECK_EQ_INT(m->c.hidden, 576);
    CHECK_EQ_INT(m->c.ffn, 1536);
    CHECK_EQ_INT(m->c.heads, 9);
    CHECK_EQ_INT(m->c.kv_heads, 3);
    CHECK_EQ_INT(m->c.head_dim, 64);
    CHECK_EQ_INT(m->c.vocab, 49152);
    CHECK_EQ_INT(m->c.context, 8192);
    CHECK(m->c.rope_theta == 100000.0);
    CHECK(m->output.data == m->tok_embd.data);
    CHECK_EQ_INT(m->tok_embd.type, LE_GGML_Q8_0);
    CHECK_EQ_INT(m->layer[0].wq.type, LE_GGML_Q4_1);
    le_llama_close(m);
}

int main(void) {
    test_good();
    test_bad();
    test_smollm2();
    return check_report("model/test_llama");
}
