/* le_llm behind le_rag_gen (rag_llm.h). */
#include "generate/rag_llm.h"
#include "generate/llm_impl.h"

#include <stdlib.h>
#include <string.h>

/* Greedy generation of at most max_new tokens. */
static le_llm_gen_options greedy(size_t max_new) {
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.max_new_tokens = max_new > 1 << 20 ? 1 << 20 : (int)max_new;
    go.temperature = 0;
    return go;
}

/* The conversation turns as chat messages (user, assistant, ...); NULL when out of memory. */
static le_llm_message *messages(const char *const *turns, size_t n) {
    le_llm_message *msg = calloc(n ? n : 1, sizeof *msg);
    for (size_t i = 0; msg && i < n; i++)
        msg[i] = (le_llm_message){i % 2 ? "assistant" : "user", turns[i]};
    return msg;
}

static le_status llm_chat(void *ctx, const char *const *turns, size_t n, size_t max_new,
                          le_sbuf *out, int *reused, le_error *err) {
    le_llm_message *msg = messages(turns, n);
    if (!msg) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_llm_gen_options go = greedy(max_new);
    le_llm_result res = {0};
    char *reply = NULL;
    le_status s = le_llm_chat(ctx, msg, n, &go, &reply, &res, err);
    if (!s && reply) le_sbuf_puts(out, reply);
    if (reused) *reused = !s && res.cached_tokens > 0;
    free(reply);
    free(msg);
    return s;
}

static le_status llm_memory(void *ctx, const char *const *turns, size_t n, const char *path,
                            le_rag_memory_use *use, le_error *err) {
    le_llm_message *msg = messages(turns, n);
    if (!msg) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    char *text = NULL;
    le_llm_prefix_use u;
    memset(&u, 0, sizeof u);
    le_status s = le_llm_chat_text(ctx, msg, n, 0, &text, err);
    if (!s) s = le_llm_cache_prefix(ctx, text, path, &u, err);
    *use = (le_rag_memory_use){u.tokens, u.prefilled, u.loaded, u.saved};
    free(text);
    free(msg);
    return s;
}

static le_status llm_generate(void *ctx, const char *prompt, size_t max_new, le_sbuf *out,
                              le_error *err) {
    return llm_chat(ctx, &prompt, 1, max_new, out, NULL, err);
}

static le_status llm_count(void *ctx, const char *text, size_t len, size_t *n, le_error *err) {
    return le_llm_tokenize(ctx, text, len, 0, NULL, 0, n, err);
}

le_status le_rag_llm_gen(le_llm *m, le_rag_gen *g, le_error *err) {
    le_llm_info info;
    le_status s = le_llm_get_info(m, &info);
    if (s) return le_fail(err, s, "the decoder's info");
    if (!info.has_tokenizer)
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s has no tokenizer in its GGUF: it cannot "
                       "read prompts", info.name);
    size_t over = 0; /* the template's tokens around a prompt count against the window */
    s = le_llm_chat_overhead(m, &over, err);
    if (s) return s;
    if (over >= (size_t)info.max_tokens)
        return le_fail(err, LE_ERR_TOO_LONG, "%s: the chat template alone takes %zu of the "
                       "context's %d tokens", info.name, over, info.max_tokens);
    *g = (le_rag_gen){m,         llm_generate, llm_count, llm_chat, (size_t)info.max_tokens - over,
                      llm_memory, m->identity};
    return LE_OK;
}
