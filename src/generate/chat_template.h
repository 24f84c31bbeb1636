/* Chat templates: a conversation of {role, content} messages into the text a
 * chat model was trained on, exactly as transformers' apply_chat_template(
 * messages, add_generation_prompt=True, tokenize=False) renders the model's
 * Jinja template. No Jinja engine: the known template families are
 * recognised by their markers and formatted by hand.
 *
 * Recognition of a template string (a GGUF's tokenizer.chat_template, or a
 * file given with --chat-template FILE):
 *   ChatML   it holds "<|im_start|>" and "<|im_end|>". When it also tests
 *            messages[0]['role'] != 'system' and holds a literal
 *            '<|im_start|>system\n' TEXT '<|im_end|>' (TEXT without Jinja
 *            syntax), TEXT is the default system prompt put first when the
 *            first message is not a system one (SmolLM2: "You are a helpful
 *            AI assistant named SmolLM, trained by Hugging Face"; Qwen2:
 *            "You are a helpful assistant.").
 *   Llama-3  it holds "<|start_header_id|>", "<|end_header_id|>" and
 *            "<|eot_id|>", and not "Cutting Knowledge Date" (Llama-3.1+
 *            templates add a dated system message and tools: not known).
 *   Anything else is LE_ERR_UNSUPPORTED suggesting --chat-template NAME|FILE.
 * Names: "chatml" (no default system prompt), "llama3".
 *
 *   ChatML:  [<|im_start|>system\nDEFAULT<|im_end|>\n]
 *            per message <|im_start|>ROLE\nCONTENT<|im_end|>\n
 *            then <|im_start|>assistant\n
 *   Llama-3: <|begin_of_text|>, per message
 *            <|start_header_id|>ROLE<|end_header_id|>\n\nCONTENT|trim<|eot_id|>
 *            then <|start_header_id|>assistant<|end_header_id|>\n\n
 * (trim is Jinja's: Python's str.strip, Unicode whitespace.) */
#ifndef LE_GENERATE_CHAT_TEMPLATE_H
#define LE_GENERATE_CHAT_TEMPLATE_H

#include "base/error.h"
#include "model/gguf.h"

#include <stddef.h>

typedef enum le_chat_family { LE_CHAT_CHATML = 1, LE_CHAT_LLAMA3 } le_chat_family;

typedef struct le_chat_template {
    le_chat_family family;
    char *default_system; /* ChatML: see above; NULL for none */
} le_chat_template;

typedef struct le_chat_message {
    const char *role;    /* "system", "user", "assistant", ... */
    const char *content; /* UTF-8 */
} le_chat_message;

/* Recognises a template string; what names it in messages. */
le_status le_chat_template_parse(const char *jinja, const char *what, le_chat_template *out,
                                 le_error *err);
/* A name ("chatml", "llama3") or a file holding a template string. */
le_status le_chat_template_named(const char *name_or_file, le_chat_template *out, le_error *err);
/* The template of a GGUF's tokenizer.chat_template, or override (a name
 * or file) when not NULL. */
le_status le_chat_template_from_gguf(const le_gguf *g, const char *override, le_chat_template *out,
                                     le_error *err);
void le_chat_template_free(le_chat_template *t);
/* The family's name: "chatml", "llama3". */
const char *le_chat_template_name(const le_chat_template *t);
/* The special token that ends a turn ("<|im_end|>", "<|eot_id|>"): a chat
 * stops generating when the model writes it (besides the EOS id). */
const char *le_chat_template_end_of_turn(const le_chat_template *t);

/* The text of n > 0 messages (none: LE_ERR_ARG, as transformers) and, when add_generation_prompt, the assistant's
 * header: *out is malloc'd, NUL-terminated, *out_len its length (may be NULL). */
le_status le_chat_format(const le_chat_template *t, const le_chat_message *msgs, size_t n,
                         int add_generation_prompt, char **out, size_t *out_len, le_error *err);

#endif
