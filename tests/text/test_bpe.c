/* The BPE model's own cases: GPT-2's byte alphabet, merge order, the
 * options of tokenizer.json (unk, fuse_unk, byte_fallback, ignore_merges),
 * GGUF arrays with control tokens, and the errors (unknown pre-tokenizer
 * name, a merge of unknown tokens, an unknown Split regex). */
#include "text_test_util.h"
#include "text/bpe.h"

static le_tokenizer *load_json(const char *json, le_error *err) {
    le_tokenizer *t = NULL;
    le_tokenizer_load_mem(json, strlen(json), "test", &t, err);
    return t;
}

static void encode_is(const le_tokenizer *t, const char *text, const int32_t *want, size_t n) {
    le_ids ids = {0};
    le_error err;
    le_status s = le_tokenizer_encode(t, text, strlen(text), &ids, &err);
    int same = s == LE_OK && ids.n == n && (!n || !memcmp(ids.ids, want, n * sizeof *want));
    CHECK_MSG(same, "\"%s\": %zu ids (want %zu), first %d", text, ids.n, n, ids.n ? ids.ids[0] : -1);
    le_ids_free(&ids);
}

static void test_alphabet(void) {
    for (int b = 0; b < 256; b++) CHECK_EQ_INT(le_bpe_char_byte(le_bpe_byte_char((uint8_t)b)), b);
    CHECK_EQ_INT(le_bpe_byte_char(' '), 0x120); /* Ġ */
    CHECK_EQ_INT(le_bpe_byte_char('\n'), 0x10A); /* Ċ */
    CHECK_EQ_INT(le_bpe_byte_char(0xAD), 0x143);
    CHECK_EQ_INT(le_bpe_char_byte(0x144), -1);
    char out[8];
    CHECK_EQ_INT(le_bpe_unspell("\xc4\xa0hi", 4, out, sizeof out), 3);
    CHECK(!memcmp(out, " hi", 3));
}

/* Char-level BPE (no ByteLevel): merges by rank, leftmost first on ties;
 * unknown characters as unk (fused) or <0xXX> (byte_fallback). */
static void test_char_level(void) {
    const char *fmt = "{\"model\":{\"type\":\"BPE\",%s\"vocab\":{\"<unk>\":0,\"a\":1,\"b\":2,\"ab\":3,"
                      "\"aa\":4,\"aab\":5,\"<0xC3>\":6,\"<0xA9>\":7},\"merges\":[\"a b\",[\"a\",\"a\"],"
                      "\"a ab\",\"aa b\"]},\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"}}";
    char json[1024];
    le_error err;
    snprintf(json, sizeof json, fmt, "\"unk_token\":\"<unk>\",\"fuse_unk\":true,");
    le_tokenizer *t = load_json(json, &err);
    CHECK_MSG(t != NULL, "%s", err.message);
    if (!t) return;
    encode_is(t, "aab", (int32_t[]){5}, 1); /* a b first (rank 0), then a ab */
    encode_is(t, "aaa", (int32_t[]){4, 1}, 2);
    encode_is(t, "xyab", (int32_t[]){0, 3}, 2);
    le_tokenizer_free(t);
    snprintf(json, sizeof json, fmt, "\"byte_fallback\":true,");
    t = load_json(json, &err);
    CHECK_MSG(t != NULL, "%s", err.message);
    if (t) encode_is(t, "\xc3\xa9" "ab", (int32_t[]){6, 7, 3}, 3);
    le_tokenizer_free(t);
}

static void test_errors(void) {
    le_error err;
    le_tokenizer *t = load_json("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a b\"]}}", &err);
    CHECK(t == NULL);
    CHECK_STR_CONTAINS(err.message, "not in the vocabulary");
    t = load_json("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},\"pre_tokenizer\":"
                  "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\w+\"},\"behavior\":\"Isolated\"}}",
                  &err);
    CHECK(t == NULL);
    CHECK_STR_CONTAINS(err.message, "Split pre_tokenizer");
    const char *tokens[] = {"a", "b"};
    size_t lens[] = {1, 1};
    le_bpe_spec spec = {tokens, lens, 2, NULL, NULL, NULL, 0, "falcon"};
    CHECK(le_tokenizer_from_bpe(&spec, "x.gguf", &t, &err) == LE_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.message, "tokenizer.ggml.pre \"falcon\"");
}

/* GGUF arrays: a control token is matched whole in text; a token written
 * outside the alphabet is re-spelled; Llama-3's ignore_merges takes a whole
 * word that is in the vocabulary. */
static void test_spec(void) {
    const char *tokens[] = {"<|eot|>", "h", "i", "hi", "\xc4\xa0", "\xc4\xa0hi", "x", "y", "z", "xyz", "é"};
    size_t lens[11];
    for (int i = 0; i < 11; i++) lens[i] = strlen(tokens[i]);
    int32_t types[11] = {3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const char *merges[] = {"h i", "\xc4\xa0 hi"};
    size_t mlens[] = {3, 5};
    le_bpe_spec spec = {tokens, lens, 11, types, merges, mlens, 2, "llama-bpe"};
    le_tokenizer *t = NULL;
    le_error err;
    CHECK_MSG(le_tokenizer_from_bpe(&spec, "x.gguf", &t, &err) == LE_OK, "%s", err.message);
    if (!t) return;
    encode_is(t, "hi hi<|eot|>", (int32_t[]){3, 5, 0}, 3);
    encode_is(t, "xyz", (int32_t[]){9}, 1); /* no merge, but a whole word of the vocabulary */
    char buf[16];
    CHECK_EQ_INT(le_tokenizer_decode_id(t, 5, buf, sizeof buf), 3);
    CHECK(!memcmp(buf, " hi", 3));
    CHECK_EQ_INT(le_tokenizer_decode_id(t, 0, buf, sizeof buf), 7);
    CHECK_EQ_INT(le_tokenizer_decode_id(t, 5, buf, 1), 3); /* the full count, 1 byte written */
    le_tokenizer_free(t);
}

/* The fuzz seeds of tokenizer.json (tests/fuzz/seeds): the ids tokenizers gives. */
static void test_seeds(void) {
    const char *files[] = {"tests/fuzz/seeds/fuzz_tokenizer_json/bpe_llama3.json",
                           "tests/fuzz/seeds/fuzz_tokenizer_json/bpe_smollm.json"};
    for (int i = 0; i < 2; i++) {
        le_tokenizer *t = NULL;
        le_error err;
        CHECK_MSG(le_tokenizer_load(files[i], &t, &err) == LE_OK, "%s", err.message);
        if (t) encode_is(t, "ab 'sab<|eot_id|>", (int32_t[]){3, 2, 8, 9, 3, 12}, 6);
        le_tokenizer_free(t);
    }
}

int main(void) {
    test_seeds();
    test_alphabet();
    test_char_level();
    test_errors();
    test_spec();
    return check_report("text/bpe");
}
