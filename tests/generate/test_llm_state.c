/* le_llm_save_cache / le_llm_load_cache on the random-weight Qwen2 GGUF
 * (tests/fixtures/llm/qwen2-tiny):
 *   - a loaded cache holds the same ids, keys and values, bit for bit, and
 *     a prompt that extends it gets the same logits as after the prefill
 *     (and as a fresh prefill of the whole prompt), reusing every token;
 *   - a missing, truncated, corrupt, foreign (another model, another
 *     precision, not a cache) or too long file: a clear error, the cache
 *     left empty and the handle still working;
 *   - a save never leaves a temporary file, and refuses a directory. */
#include "check.h"
#include "generate/llm_impl.h"
#include "generate/tiny_llama.h"
#include "longembed.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define QWEN "tests/fixtures/llm/qwen2-tiny/model.gguf"

static char g_dir[64];

static le_llm *open_model(const char *path, const char *precision, int max_tokens) {
    le_llm_options o;
    le_llm_options_init(&o);
    o.threads = 1;
    o.precision = precision;
    o.max_tokens = max_tokens;
    le_llm *m = NULL;
    le_error err;
    CHECK_MSG(le_llm_open(path, &o, &m, &err) == LE_OK, "%s", err.message);
    return m;
}

static char *in_dir(const char *name) {
    static char buf[4][128];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, 128, "%s/%s", g_dir, name);
    return p;
}

/* Prefills ids[0..n) (no generation). */
static void prefill(le_llm *m, const int32_t *ids, size_t n) {
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.max_new_tokens = 0;
    le_error err;
    CHECK_MSG(le_llm_generate_ids(m, ids, n, &go, NULL, 0, NULL, NULL, &err) == LE_OK, "%s",
              err.message);
}

/* The logits after extending m's cache by ids[0..n). */
static void extend_logits(le_llm *m, const int32_t *ids, int n, float *out) {
    le_error err;
    CHECK_MSG(le_llm_run_eval(&m->run, ids, n, out, 1, &err) == LE_OK, "%s", err.message);
}

static int32_t g_ids[300];

static void test_roundtrip(void) {
    le_llm *a = open_model(QWEN, NULL, 0), *b = open_model(QWEN, NULL, 0),
           *c = open_model(QWEN, NULL, 0);
    if (!a || !b || !c) goto done;
    const int V = a->model->c.vocab, P = 150, Q = 7; /* the fresh prefill: one batch of 157 */
    le_error err;
    prefill(a, g_ids, P);
    CHECK_MSG(le_llm_save_cache(a, in_dir("a.kv"), &err) == LE_OK, "%s", err.message);
    CHECK_MSG(le_llm_load_cache(b, in_dir("a.kv"), &err) == LE_OK, "%s", err.message);
    CHECK_EQ_INT(b->run.n, P);
    CHECK(!memcmp(a->run.ids, b->run.ids, sizeof(int32_t) * P));
    for (int l = 0; l < a->model->c.layers; l++) {
        const size_t bytes = sizeof(float) * P * (size_t)le_llama_kv_dim(&a->model->c);
        CHECK(!memcmp(a->run.k[l], b->run.k[l], bytes) && !memcmp(a->run.v[l], b->run.v[l], bytes));
    }
    float *la = malloc(sizeof(float) * V), *lb = malloc(sizeof(float) * V),
          *lc = malloc(sizeof(float) * V);
    extend_logits(a, g_ids + P, Q, la);
    extend_logits(b, g_ids + P, Q, lb);
    CHECK(le_llm_logits(c, g_ids, P + Q, 1, lc, &err) == LE_OK); /* one fresh prefill */
    CHECK_MSG(!memcmp(la, lb, sizeof(float) * V), "logits after load != after prefill");
    CHECK_MSG(!memcmp(la, lc, sizeof(float) * V), "logits after load != a fresh prefill");
    /* the public path: a prompt extending the loaded cache reuses all of it */
    CHECK(le_llm_load_cache(b, in_dir("a.kv"), &err) == LE_OK);
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.temperature = 0;
    go.max_new_tokens = 3;
    int32_t out1[3], out2[3];
    le_llm_result r1, r2;
    CHECK(le_llm_generate_ids(b, g_ids, P + Q, &go, out1, 3, NULL, &r1, &err) == LE_OK);
    CHECK(le_llm_generate_ids(c, g_ids, P + Q, &go, out2, 3, NULL, &r2, &err) == LE_OK);
    CHECK_EQ_INT(r1.cached_tokens, P);
    CHECK(!memcmp(out1, out2, sizeof out1));
    /* an empty cache saves and loads too */
    le_llm_run_keep(&c->run, 0);
    CHECK(le_llm_save_cache(c, in_dir("empty.kv"), &err) == LE_OK);
    CHECK(le_llm_load_cache(b, in_dir("empty.kv"), &err) == LE_OK && b->run.n == 0);
    free(la), free(lb), free(lc);
done:
    le_llm_close(a), le_llm_close(b), le_llm_close(c);
}

/* Writes bytes[0..n) as name in the directory. */
static void put_file(const char *name, const void *bytes, size_t n) {
    FILE *f = fopen(in_dir(name), "wb");
    CHECK(f && fwrite(bytes, 1, n, f) == n);
    if (f) fclose(f);
}

/* A load of name fails with code, the message holding want, the cache empty. */
static void expect_fail(le_llm *m, const char *name, le_status code, const char *want) {
    le_error err;
    err.message[0] = 0;
    prefill(m, g_ids, 20);
    le_status s = le_llm_load_cache(m, in_dir(name), &err);
    CHECK_MSG(s == code, "%s: status %d, want %d (%s)", name, (int)s, (int)code, err.message);
    CHECK_STR_CONTAINS(err.message, want);
    CHECK_EQ_INT(m->run.n, 0);
}

static unsigned char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *p = malloc(*n);
    CHECK(p && fread(p, 1, *n, f) == *n);
    fclose(f);
    return p;
}

static void test_bad_files(void) {
    le_llm *m = open_model(QWEN, NULL, 0);
    if (!m) return;
    le_error err;
    prefill(m, g_ids, 40);
    CHECK(le_llm_save_cache(m, in_dir("good.kv"), &err) == LE_OK);
    size_t n = 0;
    unsigned char *good = read_all(in_dir("good.kv"), &n);
    if (!good) return;
    expect_fail(m, "missing.kv", LE_ERR_IO, "cannot open");
    put_file("empty-file.kv", good, 0);
    expect_fail(m, "empty-file.kv", LE_ERR_FORMAT, "truncated");
    put_file("short-header.kv", good, 100);
    expect_fail(m, "short-header.kv", LE_ERR_FORMAT, "truncated");
    put_file("header-only.kv", good, 128);
    expect_fail(m, "header-only.kv", LE_ERR_FORMAT, "truncated");
    put_file("cut.kv", good, n - 5);
    expect_fail(m, "cut.kv", LE_ERR_FORMAT, "truncated");
    good[n / 2] ^= 0x40;
    put_file("flipped.kv", good, n);
    expect_fail(m, "flipped.kv", LE_ERR_FORMAT, "checksum");
    good[n / 2] ^= 0x40;
    good[0] = 'X';
    put_file("magic.kv", good, n);
    expect_fail(m, "magic.kv", LE_ERR_FORMAT, "not a longembed KV cache");
    good[0] = 'L';
    good[8] = 9; /* version */
    put_file("version.kv", good, n);
    expect_fail(m, "version.kv", LE_ERR_FORMAT, "version 9");
    good[8] = 1;
    put_file("good2.kv", good, n);
    CHECK(le_llm_load_cache(m, in_dir("good2.kv"), &err) == LE_OK && m->run.n == 40);
    prefill(m, g_ids, 41); /* the handle works after the failures */
    free(good);
    le_llm_close(m);
    /* a handle whose context is shorter than the file's tokens */
    le_llm *s = open_model(QWEN, NULL, 32);
    if (s) expect_fail(s, "good.kv", LE_ERR_FORMAT, "more than this handle's context of 32");
    le_llm_close(s);
    /* the same GGUF in q8: other keys and values */
    le_llm *q = open_model(QWEN, "q8", 0);
    if (q) expect_fail(q, "good.kv", LE_ERR_FORMAT, "another model or precision");
    le_llm_close(q);
}

/* Another model (a tiny llama, no tokenizer) refuses the Qwen2 file. */
static void test_other_model(void) {
    tiny_cfg c = tiny_default();
    unsigned char *img;
    size_t size;
    tiny_write(&c, &img, &size);
    put_file("llama.gguf", img, size);
    free(img);
    le_llm *m = open_model(in_dir("llama.gguf"), NULL, 0);
    if (!m) return;
    le_error err;
    CHECK(le_llm_load_cache(m, in_dir("good.kv"), &err) == LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(err.message, "another model");
    CHECK_STR_CONTAINS(err.message, "model.gguf");
    /* a cache of this model loads in a second handle of it */
    int32_t ids[5] = {5, 17, 3, 88, 41};
    prefill(m, ids, 5);
    CHECK(le_llm_save_cache(m, in_dir("llama.kv"), &err) == LE_OK);
    le_llm *m2 = open_model(in_dir("llama.gguf"), NULL, 0);
    CHECK(m2 && le_llm_load_cache(m2, in_dir("llama.kv"), &err) == LE_OK && m2->run.n == 5);
    le_llm_close(m2);
    le_llm_close(m);
}

static void test_save_errors(void) {
    le_llm *m = open_model(QWEN, NULL, 0);
    if (!m) return;
    le_error err;
    CHECK(le_llm_save_cache(m, g_dir, &err) == LE_ERR_IO); /* a directory */
    CHECK_STR_CONTAINS(err.message, "not a regular file");
    CHECK(le_llm_save_cache(m, "/nonexistent-dir/x.kv", &err) == LE_ERR_IO);
    CHECK(le_llm_save_cache(m, NULL, &err) == LE_ERR_ARG);
    CHECK(le_llm_load_cache(m, g_dir, &err) != LE_OK);
    le_llm_close(m);
    DIR *d = opendir(g_dir); /* no temporary file left behind */
    for (struct dirent *e; d && (e = readdir(d));)
        CHECK_MSG(!strstr(e->d_name, ".tmp-"), "left behind: %s", e->d_name);
    if (d) closedir(d);
}

int main(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/le-llm-state-%d", (int)getpid());
    CHECK(mkdir(g_dir, 0700) == 0);
    uint64_t s = 7;
    for (int i = 0; i < 300; i++) g_ids[i] = (int32_t)(tiny_rand(&s) % 200) + 3;
    test_roundtrip();
    test_bad_files();
    test_other_model();
    test_save_errors();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    CHECK(system(cmd) == 0);
    return check_report("generate/test_llm_state");
}
