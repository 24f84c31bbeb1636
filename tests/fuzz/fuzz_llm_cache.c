/* libFuzzer target: any bytes given to le_llm_load_cache (as a file) must
 * either load, leaving a cache of tokens inside the vocabulary and the
 * context that the next call extends, or fail with a status and a message
 * and an empty cache. The model is a tiny random llama written once to a
 * temporary file (tests/generate/tiny_llama.h). Inputs that begin with a
 * valid header matter most: the seeds (tests/fuzz/seeds/fuzz_llm_cache) are
 * that model's caches of 1 and 6 tokens, saved by le_llm_save_cache. */
#include "generate/llm_impl.h"
#include "generate/tiny_llama.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static le_llm *g_llm;
static char g_path[64], g_file[64];

static void cleanup(void) {
    unlink(g_file);
    le_llm_close(g_llm);
}

/* The model, once per process. */
static le_llm *model(void) {
    if (g_llm) return g_llm;
    tiny_cfg c = tiny_default();
    unsigned char *img;
    size_t size;
    tiny_write(&c, &img, &size);
    snprintf(g_path, sizeof g_path, "/tmp/le-fuzz-llm-%d.gguf", (int)getpid());
    snprintf(g_file, sizeof g_file, "/tmp/le-fuzz-llm-%d.kv", (int)getpid());
    FILE *f = fopen(g_path, "wb");
    if (!f || fwrite(img, 1, size, f) != size) abort();
    fclose(f);
    free(img);
    le_llm_options o;
    le_llm_options_init(&o);
    o.threads = 1;
    le_error err;
    if (le_llm_open(g_path, &o, &g_llm, &err) != LE_OK) abort();
    unlink(g_path);
    atexit(cleanup);
    return g_llm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    le_llm *m = model();
    FILE *f = fopen(g_file, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size)) abort();
    fclose(f);
    le_error err;
    le_status s = le_llm_load_cache(m, g_file, &err);
    if (s != LE_OK) {
        if (err.code == LE_OK || !err.message[0] || m->run.n != 0) abort();
        return 0;
    }
    if (m->run.n < 0 || m->run.n > m->run.max_tokens) abort();
    for (int i = 0; i < m->run.n; i++)
        if (m->run.ids[i] < 0 || m->run.ids[i] >= m->model->c.vocab) abort();
    if (m->run.n < m->run.max_tokens) { /* the loaded cache extends */
        const int32_t next = 5;
        float logits[128];
        if (m->model->c.vocab > 128 || le_llm_run_eval(&m->run, &next, 1, logits, 1, &err)) abort();
    }
    return 0;
}
