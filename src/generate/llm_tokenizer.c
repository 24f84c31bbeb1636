#include "generate/llm_tokenizer.h"

#include <string.h>

/* A string array and its lengths (strings may hold NUL bytes). */
static le_status str_array(const le_gguf *g, const char *key, const char *const **s,
                           const size_t **lens, size_t *n, le_error *err) {
    le_status st = le_gguf_get_str_array(g, key, s, n, err);
    if (st) return st;
    *lens = le_gguf_find_kv(g, key)->str_lens;
    return LE_OK;
}

le_status le_llm_tokenizer_from_gguf(const le_gguf *g, le_tokenizer **out, le_error *err) {
    if (!g || !out) return le_fail(err, LE_ERR_ARG, "llm tokenizer: no GGUF given");
    *out = NULL;
    const char *path = le_gguf_path(g), *model = NULL;
    le_status st = le_gguf_get_str(g, "tokenizer.ggml.model", &model, err);
    if (st) return st;
    if (strcmp(model, "gpt2"))
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: tokenizer.ggml.model \"%s\" is not supported (only \"gpt2\", "
                       "byte-level BPE)", path, model);
    le_bpe_spec spec = {0};
    st = str_array(g, "tokenizer.ggml.tokens", &spec.tokens, &spec.token_lens, &spec.n_tokens, err);
    if (!st)
        st = str_array(g, "tokenizer.ggml.merges", &spec.merges, &spec.merge_lens, &spec.n_merges,
                       err);
    if (!st) st = le_gguf_get_str(g, "tokenizer.ggml.pre", &spec.pre, err);
    if (st) return st;
    if (le_gguf_find_kv(g, "tokenizer.ggml.token_type")) {
        size_t n = 0;
        st = le_gguf_get_i32_array(g, "tokenizer.ggml.token_type", &spec.token_types, &n, err);
        if (st) return st;
        if (n != spec.n_tokens)
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: tokenizer.ggml.token_type has %zu entries for %zu tokens", path, n,
                           spec.n_tokens);
    }
    return le_tokenizer_from_bpe(&spec, path, out, err);
}
