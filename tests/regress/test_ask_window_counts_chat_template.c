/* Bug: the QA pipelines' generator over le_llm said its window was the
 * whole context, but every prompt goes through the chat template, which
 * adds its own tokens (markers, a default system prompt): a prompt that
 * fit by the pipelines' count (prompt + answer <= window) overflowed the
 * context once templated, and generation failed (seen by the server's /ask
 * on the random-weight Qwen2, 256-token context). The window is now the
 * context less the template's tokens around an empty turn. */
#include "check.h"
#include "generate/llm_impl.h"
#include "generate/rag_llm.h"

#include <stdlib.h>

#define MODEL "tests/fixtures/llm/qwen2-tiny/model.gguf"

int main(void) {
    le_llm *m = NULL;
    le_error err;
    le_llm_options lo;
    le_llm_options_init(&lo);
    lo.threads = 1;
    le_status s = le_llm_open(MODEL, &lo, &m, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return check_report("test_ask_window_counts_chat_template");
    le_llm_info info;
    CHECK(le_llm_get_info(m, &info) == LE_OK);
    le_rag_gen g;
    CHECK(le_rag_llm_gen(m, &g, &err) == LE_OK);
    /* the overhead as the generation itself counts it: an empty turn's prompt */
    le_llm_gen_options go;
    le_llm_gen_options_init(&go);
    go.max_new_tokens = 1, go.temperature = 0;
    le_llm_message empty = {"user", ""};
    le_llm_result res = {0};
    char *reply = NULL;
    CHECK(le_llm_chat(m, &empty, 1, &go, &reply, &res, &err) == LE_OK);
    free(reply);
    CHECK(res.prompt_tokens > 0);
    CHECK_EQ_INT(g.window, (size_t)info.max_tokens - (size_t)res.prompt_tokens);
    /* a prompt that exactly fills the window with its answer now generates */
    le_sbuf p = {0}, out = {0};
    size_t n = 0, max_new = 8;
    while (!n || n + max_new < g.window) {
        le_sbuf_puts(&p, " word");
        CHECK(g.count_tokens(g.ctx, p.p, p.n, &n, &err) == LE_OK);
    }
    CHECK_EQ_INT(n + max_new, g.window);
    s = g.generate(g.ctx, p.p, max_new, &out, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    le_sbuf_free(&p);
    le_sbuf_free(&out);
    le_llm_close(m);
    return check_report("test_ask_window_counts_chat_template");
}
