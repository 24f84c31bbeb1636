/* libFuzzer target: any byte string given to the GGUF reader must either
 * open, with every key readable and every tensor inside the input, or fail
 * with a status and a message. An opened file's tokenizer metadata
 * (tokenizer.ggml.*, tokenizer.chat_template) must build a tokenizer that
 * encodes a fixed text into ids of its vocabulary, or fail cleanly. */
#include "generate/chat_template.h"
#include "generate/llm_tokenizer.h"
#include "model/gguf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void touch_kv(const le_gguf *g, const le_gguf_kv *kv) {
    le_error err;
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    float f;
    int b;
    const char *s;
    const char *const *strs;
    const float *fa;
    const int32_t *ia;
    size_t n;
    if (le_gguf_find_kv(g, kv->key) != kv) abort();
    le_gguf_get_u32(g, kv->key, &u32, &err);
    le_gguf_get_i32(g, kv->key, &i32, &err);
    le_gguf_get_u64(g, kv->key, &u64, &err);
    le_gguf_get_f32(g, kv->key, &f, &err);
    le_gguf_get_bool(g, kv->key, &b, &err);
    if (le_gguf_get_str(g, kv->key, &s, &err) == LE_OK && strlen(s) > kv->str_len) abort();
    if (le_gguf_get_str_array(g, kv->key, &strs, &n, &err) == LE_OK)
        for (size_t i = 0; i < n; i++)
            if (strlen(strs[i]) > kv->str_lens[i]) abort();
    if (le_gguf_get_f32_array(g, kv->key, &fa, &n, &err) == LE_OK && n) f = fa[n - 1];
    if (le_gguf_get_i32_array(g, kv->key, &ia, &n, &err) == LE_OK && n) i32 = ia[n - 1];
    (void)f;
    (void)i32;
}

static void touch_tokenizer(const le_gguf *g) {
    static const char text[] = "Hello <|im_start|>user\n 12345 caf\xc3\xa9 \xf0\x9f\x98\x80's\r\n";
    le_tokenizer *t;
    le_error err;
    if (le_llm_tokenizer_from_gguf(g, &t, &err) == LE_OK) {
        le_ids ids = {0};
        if (le_tokenizer_encode(t, text, sizeof text - 1, &ids, &err) != LE_OK) abort();
        char buf[64];
        for (size_t i = 0; i < ids.n; i++)
            if (le_tokenizer_decode_id(t, ids.ids[i], buf, sizeof buf) < 0) abort();
        le_ids_free(&ids);
        le_tokenizer_free(t);
    } else if (err.code == LE_OK || !err.message[0]) {
        abort();
    }
    le_chat_template ct;
    if (le_chat_template_from_gguf(g, NULL, &ct, &err) == LE_OK) le_chat_template_free(&ct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    le_gguf *g;
    le_error err;
    if (le_gguf_open_memory(data, size, "fuzz.gguf", &g, &err) != LE_OK) {
        if (err.code == LE_OK || !err.message[0]) abort();
        return 0;
    }
    for (size_t i = 0; i < le_gguf_kv_count(g); i++) touch_kv(g, le_gguf_kv_at(g, i));
    touch_tokenizer(g);
    for (size_t i = 0; i < le_gguf_tensor_count(g); i++) {
        const le_gguf_tensor *t = le_gguf_tensor_at(g, i);
        if (le_gguf_find_tensor(g, t->name) != t) abort();
        if (t->nbytes > size || t->data < data || t->data + t->nbytes > data + size) abort();
        int64_t shape[LE_GGUF_MAX_DIMS];
        for (int d = 0; d < t->ndim; d++) shape[d] = t->ne[t->ndim - 1 - d];
        if (le_gguf_check_shape(t, t->ndim, shape, &err) != LE_OK) abort();
        if (t->numel > (1u << 20)) continue;
        float *out = malloc(t->numel * sizeof(float) + 1);
        if (!out) continue;
        le_status s = le_gguf_tensor_to_f32(t, out, &err);
        if (s != LE_OK && s != LE_ERR_UNSUPPORTED) abort();
        free(out);
    }
    le_gguf_close(g);
    return 0;
}
