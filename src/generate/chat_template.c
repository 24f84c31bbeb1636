#include "generate/chat_template.h"

#include "base/mapfile.h"
#include "base/sbuf.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Template files are a few KB; bound the read. */
#define TEMPLATE_FILE_MAX ((size_t)1 << 20)

#define UNKNOWN_HINT "pass --chat-template NAME|FILE (NAME: chatml, llama3; FILE: a template string)"

/* The default system prompt of a ChatML template, or NULL: the literal text
 * between "<|im_start|>system" + a newline (real or \n escape) and the next
 * "<|im_end|>", when the template tests the first message's role and the
 * text has no Jinja syntax in it. */
static char *chatml_default_system(const char *j) {
    if (!strstr(j, "!= 'system'") && !strstr(j, "!= \"system\"")) return NULL;
    static const char *const heads[] = {"<|im_start|>system\n", "<|im_start|>system\\n"};
    for (int k = 0; k < 2; k++) {
        const char *p = strstr(j, heads[k]);
        if (!p) continue;
        p += strlen(heads[k]);
        const char *e = strstr(p, "<|im_end|>");
        size_t n = e ? (size_t)(e - p) : 0;
        if (!n || memchr(p, '\'', n) || memchr(p, '"', n) || memchr(p, '{', n) ||
            memchr(p, '}', n) || memchr(p, '\\', n))
            continue;
        char *s = malloc(n + 1);
        if (!s) return NULL;
        memcpy(s, p, n);
        s[n] = 0;
        return s;
    }
    return NULL;
}

le_status le_chat_template_parse(const char *j, const char *what, le_chat_template *out,
                                 le_error *err) {
    memset(out, 0, sizeof *out);
    if (!what) what = "chat template";
    if (!j) return le_fail(err, LE_ERR_ARG, "%s: no template given", what);
    if (strstr(j, "<|im_start|>") && strstr(j, "<|im_end|>")) {
        out->family = LE_CHAT_CHATML;
        out->default_system = chatml_default_system(j);
        return LE_OK;
    }
    if (strstr(j, "<|start_header_id|>") && strstr(j, "<|end_header_id|>") &&
        strstr(j, "<|eot_id|>") && !strstr(j, "Cutting Knowledge Date")) {
        out->family = LE_CHAT_LLAMA3;
        return LE_OK;
    }
    return le_fail(err, LE_ERR_UNSUPPORTED,
                   "%s: the chat template is not one this build knows (ChatML, Llama-3): "
                   UNKNOWN_HINT, what);
}

le_status le_chat_template_named(const char *name, le_chat_template *out, le_error *err) {
    memset(out, 0, sizeof *out);
    if (!name || !*name) return le_fail(err, LE_ERR_ARG, "chat template: no name given; " UNKNOWN_HINT);
    if (!strcmp(name, "chatml")) {
        out->family = LE_CHAT_CHATML;
        return LE_OK;
    }
    if (!strcmp(name, "llama3")) {
        out->family = LE_CHAT_LLAMA3;
        return LE_OK;
    }
    if (!le_file_exists(name))
        return le_fail(err, LE_ERR_ARG,
                       "chat template \"%s\" is neither a known name (chatml, llama3) nor a file",
                       name);
    char *text;
    size_t n;
    le_status st = le_read_file(name, TEMPLATE_FILE_MAX, &text, &n, err);
    if (st) return st;
    st = le_chat_template_parse(text, name, out, err);
    free(text);
    return st;
}

le_status le_chat_template_from_gguf(const le_gguf *g, const char *override, le_chat_template *out,
                                     le_error *err) {
    memset(out, 0, sizeof *out);
    if (override) return le_chat_template_named(override, out, err);
    if (!g) return le_fail(err, LE_ERR_ARG, "chat template: no GGUF given");
    if (!le_gguf_find_kv(g, "tokenizer.chat_template"))
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s has no tokenizer.chat_template: " UNKNOWN_HINT,
                       le_gguf_path(g));
    const char *j;
    le_status st = le_gguf_get_str(g, "tokenizer.chat_template", &j, err);
    return st ? st : le_chat_template_parse(j, le_gguf_path(g), out, err);
}

void le_chat_template_free(le_chat_template *t) {
    if (!t) return;
    free(t->default_system);
    memset(t, 0, sizeof *t);
}

const char *le_chat_template_name(const le_chat_template *t) {
    return t->family == LE_CHAT_LLAMA3 ? "llama3" : t->family == LE_CHAT_CHATML ? "chatml" : "?";
}

const char *le_chat_template_end_of_turn(const le_chat_template *t) {
    return t->family == LE_CHAT_LLAMA3 ? "<|eot_id|>" : "<|im_end|>";
}

/* Python's str.isspace, which Jinja's trim (str.strip) removes. */
static int py_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* content with leading and trailing Python whitespace removed. */
static void add_trimmed(le_sbuf *b, const char *s) {
    size_t n = strlen(s), a = 0, e = n;
    while (a < n) {
        size_t i = a;
        if (!py_space(le_utf8_next(s, n, &i))) break;
        a = i;
    }
    while (e > a) {
        size_t i = le_utf8_prev(s, e), k = i;
        if (!py_space(le_utf8_next(s, n, &k))) break;
        e = i;
    }
    le_sbuf_add(b, s + a, e - a);
}

static void format_chatml(const le_chat_template *t, const le_chat_message *m, size_t n, int gen,
                          le_sbuf *b) {
    if (t->default_system && n && strcmp(m[0].role, "system"))
        le_sbuf_printf(b, "<|im_start|>system\n%s<|im_end|>\n", t->default_system);
    for (size_t i = 0; i < n; i++)
        le_sbuf_printf(b, "<|im_start|>%s\n%s<|im_end|>\n", m[i].role, m[i].content);
    if (gen) le_sbuf_puts(b, "<|im_start|>assistant\n");
}

static void format_llama3(const le_chat_message *m, size_t n, int gen, le_sbuf *b) {
    for (size_t i = 0; i < n; i++) {
        if (i == 0) le_sbuf_puts(b, "<|begin_of_text|>");
        le_sbuf_printf(b, "<|start_header_id|>%s<|end_header_id|>\n\n", m[i].role);
        add_trimmed(b, m[i].content);
        le_sbuf_puts(b, "<|eot_id|>");
    }
    if (gen) le_sbuf_puts(b, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

le_status le_chat_format(const le_chat_template *t, const le_chat_message *msgs, size_t n,
                         int add_generation_prompt, char **out, size_t *out_len, le_error *err) {
    if (!t || !out) return le_fail(err, LE_ERR_ARG, "chat: bad arguments");
    *out = NULL;
    if (!n || !msgs) /* as transformers refuses an empty conversation */
        return le_fail(err, LE_ERR_ARG, "chat: no messages to format");
    for (size_t i = 0; i < n; i++)
        if (!msgs[i].role || !msgs[i].content)
            return le_fail(err, LE_ERR_ARG, "chat: message %zu has no role or content", i);
    le_sbuf b = {0};
    if (t->family == LE_CHAT_LLAMA3)
        format_llama3(msgs, n, add_generation_prompt, &b);
    else
        format_chatml(t, msgs, n, add_generation_prompt, &b);
    if (b.failed) {
        le_sbuf_free(&b);
        return le_fail(err, LE_ERR_NOMEM, "chat: out of memory formatting %zu messages", n);
    }
    *out = b.p;
    if (out_len) *out_len = b.n;
    return LE_OK;
}
