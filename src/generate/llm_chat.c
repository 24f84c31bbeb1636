/* le_llm_chat: the conversation through the model's chat template
 * (generate/chat_template.h), then generation of the assistant's turn. The
 * text is tokenized without an added BOS: the template writes the specials,
 * as transformers' apply_chat_template does. */
#include <stdlib.h>
#include <string.h>

#include "generate/llm_impl.h"

/* The template, read once: the option's name or file, else the GGUF's. */
static le_status get_template(le_llm *m, le_error *err) {
    if (m->has_tpl) return LE_OK;
    le_status s = le_chat_template_from_gguf(m->model->gguf, m->chat_template, &m->tpl, err);
    if (s) return s;
    m->has_tpl = 1;
    /* the template's end of turn also ends a reply (Qwen2: <|im_end|> beside EOS) */
    const char *eot = le_chat_template_end_of_turn(&m->tpl);
    const int32_t id = eot ? le_tokenizer_find(m->tok, eot) : -1;
    int known = id < 0;
    for (int i = 0; i < m->n_eog; i++) known |= m->eog[i] == id;
    if (!known && m->n_eog < LE_LLM_MAX_EOG) m->eog[m->n_eog++] = id;
    return LE_OK;
}

le_status le_llm_chat_text(le_llm *m, const le_llm_message *messages, size_t n,
                           int add_generation_prompt, char **text, le_error *err) {
    *text = NULL;
    if (!m || (n && !messages)) return le_fail(err, LE_ERR_ARG, "le_llm_chat: NULL argument");
    le_status s = le_llm_need_tokenizer(m, err);
    if (!s) s = get_template(m, err);
    if (s) return s;
    le_chat_message *msgs = malloc(sizeof *msgs * (n ? n : 1));
    if (!msgs) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!messages[i].role || !messages[i].content) {
            free(msgs);
            return le_fail(err, LE_ERR_ARG, "message %zu has no role or content", i);
        }
        msgs[i].role = messages[i].role;
        msgs[i].content = messages[i].content;
    }
    s = le_chat_format(&m->tpl, msgs, n, add_generation_prompt, text, NULL, err);
    free(msgs);
    return s;
}

le_status le_llm_chat(le_llm *m, const le_llm_message *messages, size_t n,
                      const le_llm_gen_options *opt, char **reply_out, le_llm_result *res,
                      le_error *err) {
    if (reply_out) *reply_out = NULL;
    char *text = NULL;
    le_status s = le_llm_chat_text(m, messages, n, 1, &text, err);
    if (!s) s = le_llm_generate_text(m, text, 0, opt, reply_out, res, err);
    free(text);
    return s;
}

le_status le_llm_chat_overhead(le_llm *m, size_t *tokens, le_error *err) {
    const le_llm_message empty = {"user", ""};
    char *text = NULL;
    *tokens = 0;
    le_status s = le_llm_chat_text(m, &empty, 1, 1, &text, err);
    if (!s) s = le_llm_tokenize(m, text, strlen(text), 0, NULL, 0, tokens, err);
    free(text);
    return s;
}
