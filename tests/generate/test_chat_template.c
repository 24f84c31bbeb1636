/* Chat templates: the text of each conversation equals what transformers'
 * apply_chat_template(add_generation_prompt=True) renders (fixture of
 * tools/make_bpe_fixtures.py: SmolLM2's GGUF template, plain ChatML, Qwen2's
 * ChatML with its default system prompt, Llama-3), names and files, the
 * unknown-template error, and the SmolLM2 GGUF's own template when there. */
#include "check.h"
#include "generate/chat_template.h"
#include "smollm2_path.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

/* One fixture line: the template recognised, the conversation formatted. */
static int check_line(const cJSON *j, size_t line) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(j, "template");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(j, "text");
    if (!cJSON_IsString(name) || !cJSON_IsString(tpl) || !cJSON_IsArray(msgs) || !cJSON_IsString(want))
        return 0;
    le_chat_template t;
    le_error err;
    if (le_chat_template_parse(tpl->valuestring, "fixture", &t, &err)) {
        CHECK_MSG(0, "line %zu: %s", line, err.message);
        return 0;
    }
    int is_llama = !strcmp(name->valuestring, "llama3");
    CHECK(!strcmp(le_chat_template_name(&t), is_llama ? "llama3" : "chatml"));
    CHECK((t.default_system != NULL) == (!strcmp(name->valuestring, "smollm2") ||
                                          !strcmp(name->valuestring, "qwen2")));
    le_chat_message m[8];
    size_t n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, msgs) {
        if (n == 8) break;
        m[n].role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "role"));
        m[n++].content = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "content"));
    }
    char *text = NULL;
    size_t len = 0;
    le_status s = le_chat_format(&t, m, n, 1, &text, &len, &err);
    int same = s == LE_OK && len == strlen(want->valuestring) && !strcmp(text, want->valuestring);
    CHECK_MSG(same, "line %zu (%s): got \"%s\" want \"%s\"", line, name->valuestring,
              text ? text : err.message, want->valuestring);
    free(text);
    le_chat_template_free(&t);
    return same;
}

static void fixture(const char *path) {
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, "%s is missing: run tools/make_bpe_fixtures.py", path);
    if (!f) return;
    char *line = NULL;
    size_t cap = 0, lines = 0, equal = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        lines++;
        CHECK_MSG(j != NULL, "%s:%zu: not JSON", path, lines);
        equal += (size_t)(j && check_line(j, lines));
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    CHECK(lines >= 36 && equal == lines);
    fprintf(stderr, "%s: %zu/%zu conversations equal\n", path, equal, lines);
}

static void names_and_errors(void) {
    le_chat_template t;
    le_error err;
    CHECK(le_chat_template_named("llama3", &t, &err) == LE_OK && t.family == LE_CHAT_LLAMA3);
    CHECK(!strcmp(le_chat_template_end_of_turn(&t), "<|eot_id|>"));
    CHECK(le_chat_template_named("chatml", &t, &err) == LE_OK && !t.default_system);
    CHECK(!strcmp(le_chat_template_end_of_turn(&t), "<|im_end|>"));
    CHECK(le_chat_template_parse("{{ messages }}[INST]", "x.gguf", &t, &err) == LE_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.message, "--chat-template NAME|FILE");
    CHECK(le_chat_template_named("no-such-template", &t, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "neither a known name");
    /* Llama-3.1's dated system message is not the Llama-3 template */
    CHECK(le_chat_template_parse("<|start_header_id|><|end_header_id|><|eot_id|>Cutting Knowledge Date",
                                 "x", &t, &err) == LE_ERR_UNSUPPORTED);
    char file[] = "/tmp/le-chat-template-XXXXXX";
    int fd = mkstemp(file);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    CHECK(f != NULL);
    if (f) {
        fputs("{{ '<|im_start|>' + m + '<|im_end|>' }}", f);
        fclose(f);
        CHECK(le_chat_template_named(file, &t, &err) == LE_OK && t.family == LE_CHAT_CHATML);
        remove(file);
    }
    le_chat_message none = {"user", NULL};
    char *text;
    CHECK(le_chat_format(&t, &none, 1, 1, &text, NULL, &err) == LE_ERR_ARG);
    CHECK(le_chat_format(&t, &none, 0, 1, &text, NULL, &err) == LE_ERR_ARG);
}

static void gguf_template(void) {
    char *path = smollm2_gguf_path();
    if (!path) {
        fprintf(stderr, "the SmolLM2 GGUF is not there: its own template not checked\n");
        return;
    }
    le_gguf *g;
    le_error err;
    le_chat_template t = {0};
    CHECK(le_gguf_open(path, &g, &err) == LE_OK);
    CHECK(le_chat_template_from_gguf(g, NULL, &t, &err) == LE_OK);
    CHECK(t.family == LE_CHAT_CHATML && t.default_system &&
          !strcmp(t.default_system, "You are a helpful AI assistant named SmolLM, trained by Hugging Face"));
    le_chat_template_free(&t);
    CHECK(le_chat_template_from_gguf(g, "llama3", &t, &err) == LE_OK && t.family == LE_CHAT_LLAMA3);
    le_gguf_close(g);
    free(path);
}

int main(void) {
    fixture("tests/fixtures/bpe/chat.jsonl");
    names_and_errors();
    gguf_template();
    return check_report("generate/chat_template");
}
