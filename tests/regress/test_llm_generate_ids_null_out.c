/* le_llm_generate_ids with out = NULL and cap = 0 (only a prefill, or only
 * the count wanted; the API allows it) passed NULL to memcpy with size 0,
 * undefined behaviour that UBSan reports (found by test_llm_state's prefill
 * under the sanitizer build). The copy now runs only when cap > 0. */
#include "check.h"
#include "longembed.h"

int main(void) {
    le_llm *m = NULL;
    le_error err;
    le_llm_options o;
    le_llm_options_init(&o);
    o.threads = 1;
    CHECK(le_llm_open("tests/fixtures/llm/qwen2-tiny/model.gguf", &o, &m, &err) == LE_OK);
    if (m) {
        le_llm_gen_options go;
        le_llm_gen_options_init(&go);
        go.temperature = 0;
        go.max_new_tokens = 3;
        go.ignore_eos = 1;
        const int32_t ids[4] = {5, 17, 3, 88};
        size_t n = 99;
        CHECK(le_llm_generate_ids(m, ids, 4, &go, NULL, 0, &n, NULL, &err) == LE_OK);
        CHECK_EQ_INT(n, 3);
        go.max_new_tokens = 0;
        CHECK(le_llm_generate_ids(m, ids, 4, &go, NULL, 0, &n, NULL, &err) == LE_OK);
        CHECK_EQ_INT(n, 0);
    }
    le_llm_close(m);
    return check_report("regress/test_llm_generate_ids_null_out");
}
