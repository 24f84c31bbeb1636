/* Byte-level BPE parity with Hugging Face tokenizers (fixtures of
 * tools/make_bpe_fixtures.py):
 *  - ids of a small Llama-3-style tokenizer.json (Split + ByteLevel,
 *    ignore_merges, special added tokens) on >= 500 texts;
 *  - the pieces of the GPT-2, Llama-3, Qwen2 and SmolLM pre-tokenizers
 *    (tokenizers' Split / ByteLevel / Digits) on the same texts, as byte
 *    offsets where each piece ends.
 * The SmolLM2 GGUF's ids are checked by tests/generate/test_llm_tokenizer. */
#include "bpe_ids_fixture.h"
#include "text/pretokenizer.h"

#include <cjson/cJSON.h>

#define SPLIT(re) "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"" re "\"},\"behavior\":\"Isolated\",\"invert\":false}"
#define BYTELEVEL "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"use_regex\":true}"
#define LLAMA3_RE "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"
#define QWEN2_RE "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"

static const char *const g_names[] = {"gpt2", "llama3", "qwen2", "smollm"};
static const char *const g_json[] = {
    BYTELEVEL, SPLIT(LLAMA3_RE), SPLIT(QWEN2_RE),
    "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},"
    BYTELEVEL "]}"};

typedef struct ends_ctx {
    const char *text;
    size_t *ends, n, cap;
} ends_ctx;

static le_status collect(void *c, const char *s, size_t n) {
    ends_ctx *e = c;
    if (e->n < e->cap) e->ends[e->n] = (size_t)(s - e->text) + n;
    e->n++;
    return LE_OK;
}

/* One pre-tokenizer on one text against the fixture's ends. */
static int same_ends(const le_pretokenizer *p, const char *text, size_t tn, const cJSON *want) {
    size_t cap = (size_t)cJSON_GetArraySize(want) + 1;
    ends_ctx e = {text, malloc(cap * sizeof(size_t)), 0, cap};
    int same = e.ends && le_pretokenizer_run(p, text, tn, 1, collect, &e) == LE_OK &&
               e.n + 1 == cap;
    size_t k = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, want) {
        if (!same) break;
        same = w->valuedouble == (double)e.ends[k++];
    }
    free(e.ends);
    return same;
}

static void load_pretokenizers(le_pretokenizer *p) {
    for (int k = 0; k < 4; k++) {
        cJSON *j = cJSON_Parse(g_json[k]);
        le_error err;
        le_status s = le_pretokenizer_from_json(j, &p[k], "test", &err);
        CHECK_MSG(s == LE_OK, "%s: %s", g_names[k], s ? err.message : "");
        cJSON_Delete(j);
    }
}

static void pretok_parity(const char *fixture) {
    le_pretokenizer p[4];
    load_pretokenizers(p);
    FILE *f = fopen(fixture, "rb");
    CHECK_MSG(f != NULL, "%s is missing: run tools/make_bpe_fixtures.py", fixture);
    char *line = NULL;
    size_t cap = 0, lines = 0, equal[4] = {0};
    ssize_t len;
    while (f && (len = getline(&line, &cap, f)) > 0) {
        lines++;
        char *text = malloc((size_t)len + 1);
        size_t tn = 0;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
        int ok = text && j && line_text(line, (size_t)len, text, &tn);
        CHECK_MSG(ok, "%s:%zu: bad line", fixture, lines);
        for (int k = 0; ok && k < 4; k++) {
            int same = same_ends(&p[k], text, tn, cJSON_GetObjectItemCaseSensitive(j, g_names[k]));
            equal[k] += (size_t)same;
            CHECK_MSG(same, "%s:%zu: %s pieces differ for \"%.60s\"", fixture, lines, g_names[k],
                      text);
        }
        cJSON_Delete(j);
        free(text);
    }
    free(line);
    if (f) fclose(f);
    CHECK(lines >= 500);
    for (int k = 0; k < 4; k++) {
        fprintf(stderr, "%s: %s %zu/%zu texts split equal\n", fixture, g_names[k], equal[k], lines);
        le_pretokenizer_free(&p[k]);
    }
}

int main(void) {
    le_tokenizer *t = NULL;
    le_error err;
    le_status s = le_tokenizer_load("tests/fixtures/bpe/tiny-llama3/tokenizer.json", &t, &err);
    CHECK_MSG(s == LE_OK, "%s", s ? err.message : "");
    if (t) {
        size_t lines, equal = bpe_ids_fixture(t, "tests/fixtures/bpe/tiny-llama3/ids.jsonl", &lines);
        CHECK(lines >= 500 && equal == lines);
        CHECK(!strcmp(le_tokenizer_kind(t), "bpe"));
        le_tokenizer_free(t);
    }
    pretok_parity("tests/fixtures/bpe/pretok.jsonl");
    return check_report("text/bpe_parity");
}
