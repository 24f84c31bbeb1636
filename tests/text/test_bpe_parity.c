/* Byte-level BPE parity with Hugging Face tokenizers (fixtures of
 * tools/make_bpe_fixtures.py):
 *  - ids of a small Llama-3-style tokenizer.json (Split + ByteLevel,
 *    ignore_merges, special added tokens) on >= 500 texts;
 *  - the pieces of the GPT-2, Llama-3, Qwen2 and SmolLM pre-tokenizers
 *    (tokenizers' Split / ByteLevel / Digits) on the same texts, as byte
 *    offsets where each piece ends.
 *  - the same tokenizer given as GGUF arrays (le_tokenizer_from_bpe with
 *    pre "llama-bpe", its added tokens as control tokens) gives the same ids.
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

/* The arrays a GGUF would hold for a tokenizer.json: tokens by id, the
 * added tokens as control tokens (type 3), merges as "left right". */
typedef struct gguf_arrays {
    const char **tokens, **merges;
    size_t *token_lens, *merge_lens, n_tokens, n_merges;
    int32_t *types;
    char **owned; /* joined merge strings */
} gguf_arrays;

static void arrays_from_json(const cJSON *root, gguf_arrays *a) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model"), *it;
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
    size_t n = (size_t)cJSON_GetArraySize(vocab); /* added ids may extend it */
    cJSON_ArrayForEach(it, added) {
        size_t id = (size_t)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble;
        if (id >= n) n = id + 1;
    }
    a->n_tokens = n;
    a->tokens = calloc(n, sizeof *a->tokens);
    a->token_lens = calloc(n, sizeof *a->token_lens);
    a->types = calloc(n, sizeof *a->types);
    cJSON_ArrayForEach(it, vocab) {
        size_t id = (size_t)it->valuedouble;
        if (id < n) a->tokens[id] = it->string, a->types[id] = 1;
    }
    cJSON_ArrayForEach(it, added) {
        size_t id = (size_t)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble;
        if (id < n) a->tokens[id] = cJSON_GetObjectItemCaseSensitive(it, "content")->valuestring,
                    a->types[id] = 3;
    }
    for (size_t i = 0; i < n; i++) a->token_lens[i] = a->tokens[i] ? strlen(a->tokens[i]) : 0;
    a->n_merges = (size_t)cJSON_GetArraySize(merges);
    a->merges = calloc(a->n_merges, sizeof *a->merges);
    a->merge_lens = calloc(a->n_merges, sizeof *a->merge_lens);
    a->owned = calloc(a->n_merges, sizeof *a->owned);
    size_t k = 0;
    cJSON_ArrayForEach(it, merges) {
        const char *l = cJSON_GetArrayItem(it, 0)->valuestring, *r = cJSON_GetArrayItem(it, 1)->valuestring;
        size_t len = strlen(l) + 1 + strlen(r);
        a->owned[k] = malloc(len + 1);
        snprintf(a->owned[k], len + 1, "%s %s", l, r);
        a->merges[k] = a->owned[k];
        a->merge_lens[k++] = len;
    }
}

static void arrays_free(gguf_arrays *a) {
    for (size_t i = 0; i < a->n_merges; i++) free(a->owned[i]);
    free(a->owned);
    free(a->tokens);
    free(a->merges);
    free(a->token_lens);
    free(a->merge_lens);
    free(a->types);
}

static void spec_parity(const char *json_path, const char *fixture) {
    FILE *f = fopen(json_path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    cJSON *root = cJSON_Parse(buf);
    gguf_arrays a = {0};
    arrays_from_json(root, &a);
    le_bpe_spec spec = {(const char *const *)a.tokens, a.token_lens, a.n_tokens, a.types,
                        (const char *const *)a.merges, a.merge_lens, a.n_merges, "llama-bpe"};
    le_tokenizer *t = NULL;
    le_error err;
    le_status s = le_tokenizer_from_bpe(&spec, "tiny-llama3 arrays", &t, &err);
    CHECK_MSG(s == LE_OK, "%s", s ? err.message : "");
    if (t) {
        size_t lines, equal = bpe_ids_fixture(t, fixture, &lines);
        CHECK(lines >= 500 && equal == lines);
        le_tokenizer_free(t);
    }
    arrays_free(&a);
    cJSON_Delete(root);
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
    spec_parity("tests/fixtures/bpe/tiny-llama3/tokenizer.json",
                "tests/fixtures/bpe/tiny-llama3/ids.jsonl");
    pretok_parity("tests/fixtures/bpe/pretok.jsonl");
    return check_report("text/bpe_parity");
}
