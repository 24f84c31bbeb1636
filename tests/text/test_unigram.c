/* The Unigram model, the Precompiled normalizer, Replace with a run regex
 * and Metaspace, on hand-made tokenizer.json documents: the Viterbi choice,
 * fused unknowns, byte_fallback, the prepend schemes, and clear errors for
 * charsmaps that lie about their sizes and for unsupported settings. */
#include "text_test_util.h"
#include "text/unigram_charsmap.h"

#include <cjson/cJSON.h>

/* A Unigram tokenizer.json with the fairseq specials and a few pieces. */
static char *uni_json(const char *normalizer, const char *pre, const char *model_extra) {
    static const char *pieces =
        "[\"<s>\",0],[\"<pad>\",0],[\"</s>\",0],[\"<unk>\",0],[\"\\u2581\",-2],[\"a\",-1],"
        "[\"b\",-3],[\"ab\",-2.5],[\"\\u2581a\",-1.5],[\"<0x78>\",-9],[\"<0x79>\",-9],"
        "[\"\\u2581ab\",-4.5],[\"c\",-4]";
    size_t cap = 4096;
    char *s = malloc(cap);
    snprintf(s, cap,
             "{\"added_tokens\":[{\"id\":0,\"content\":\"<s>\",\"special\":true},"
             "{\"id\":2,\"content\":\"</s>\",\"special\":true}],\"normalizer\":%s,"
             "\"pre_tokenizer\":%s,\"post_processor\":{\"type\":\"TemplateProcessing\","
             "\"single\":[{\"SpecialToken\":{\"id\":\"<s>\"}},{\"Sequence\":{\"id\":\"A\"}},"
             "{\"SpecialToken\":{\"id\":\"</s>\"}}],\"special_tokens\":{\"<s>\":{\"ids\":[0]},"
             "\"</s>\":{\"ids\":[2]}}},\"model\":{\"type\":\"Unigram\",%s\"vocab\":[%s]}}",
             normalizer, pre, model_extra, pieces);
    return s;
}

static le_tokenizer *load(char *json, le_status want, const char *needle) {
    le_tokenizer *t = NULL;
    le_error err = {0};
    le_status s = le_tokenizer_load_mem(json, strlen(json), "uni.json", &t, &err);
    CHECK_MSG(s == want, "status %d, want %d: %s", (int)s, (int)want, err.message);
    if (needle) CHECK_MSG(strstr(err.message, needle) != NULL, "message: %s", err.message);
    free(json);
    return t;
}

static void expect(le_tokenizer *t, const char *text, const int32_t *want, size_t n) {
    le_ids ids = {0};
    le_error err;
    CHECK(le_tokenizer_encode(t, text, strlen(text), &ids, &err) == LE_OK);
    int same = ids.n == n && (n == 0 || !memcmp(ids.ids, want, n * sizeof *want));
    CHECK_MSG(same, "\"%s\": got %zu ids (first %d)", text, ids.n, ids.n ? ids.ids[0] : -1);
    le_ids_free(&ids);
}

#define META "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"always\"}"

static void test_viterbi(void) {
    le_tokenizer *t = load(uni_json("null", META, "\"unk_id\":3,"), LE_OK, NULL);
    if (!t) return;
    CHECK(!strcmp(le_tokenizer_kind(t), "unigram"));
    /* "▁ab": ▁ab, ▁a+b and ▁+ab all score -4.5; a later candidate wins only when
     * strictly better, so ▁ab, found first (from byte 0), stays */
    expect(t, "ab", (int32_t[]){11}, 1);
    expect(t, "a a", (int32_t[]){8, 8}, 2);
    /* x, y and z are not pieces: one fused <unk> for "xyz", then ▁a */
    expect(t, "axyz a", (int32_t[]){8, 3, 8}, 3);
    /* <s> in the text is an added token */
    expect(t, "a<s>a", (int32_t[]){8, 0, 8}, 3);
    le_tokenizer_free(t);
}

static void test_byte_fallback(void) {
    le_tokenizer *t =
        load(uni_json("null", META, "\"unk_id\":3,\"byte_fallback\":true,"), LE_OK, NULL);
    if (!t) return;
    /* "xy" fused, spelled as <0x78><0x79>; "xz" has no <0x7A>: <unk> */
    expect(t, "axy", (int32_t[]){8, 9, 10}, 3);
    expect(t, "axz", (int32_t[]){8, 3}, 2);
    le_tokenizer_free(t);
}

static void test_metaspace(void) {
    /* the older form: add_prefix_space false means never */
    le_tokenizer *t = load(uni_json("null",
                                    "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\","
                                    "\"add_prefix_space\":false,\"str_rep\":\"\\u2581\"}",
                                    "\"unk_id\":3,"),
                           LE_OK, NULL);
    if (t) expect(t, "a a", (int32_t[]){5, 8}, 2);
    le_tokenizer_free(t);
    /* first: only at offset 0 of the text, not after an added token */
    t = load(uni_json("null",
                      "{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\","
                      "\"prepend_scheme\":\"first\",\"split\":true}",
                      "\"unk_id\":3,"),
             LE_OK, NULL);
    if (t) {
        expect(t, "a", (int32_t[]){8}, 1);
        expect(t, "<s>a", (int32_t[]){0, 5}, 2);
    }
    le_tokenizer_free(t);
    load(uni_json("null",
                  "{\"type\":\"Metaspace\",\"replacement\":\"ab\",\"prepend_scheme\":\"always\"}",
                  "\"unk_id\":3,"),
         LE_ERR_FORMAT, "one-character");
}

static void test_replace_regex(void) {
    /* BGE-M3's form: runs of two or more spaces become one */
    le_tokenizer *t = load(uni_json("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {2,}\"},"
                                    "\"content\":\" \"}",
                                    META, "\"unk_id\":3,"),
                           LE_OK, NULL);
    if (t) expect(t, "a     a a", (int32_t[]){8, 8, 8}, 3);
    le_tokenizer_free(t);
    load(uni_json("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"content\":\" \"}",
                  META, "\"unk_id\":3,"),
         LE_ERR_UNSUPPORTED, "regex");
}

static void test_model_errors(void) {
    load(uni_json("null", META, "\"unk_id\":99,"), LE_ERR_FORMAT, "unk_id");
    load(uni_json("null", META, ""), LE_ERR_UNSUPPORTED, "unk_id");
    char *j = uni_json("null", META, "\"unk_id\":3,");
    char *v = strstr(j, "[\"c\",-4]");
    memcpy(v, "[\"c\",\"\"]", 8);
    load(j, LE_ERR_FORMAT, "vocab[12]");
}

/* The fixture's real nmt_nfkc charsmap, decoded. */
static uint8_t *fixture_blob(size_t *n) {
    FILE *f = fopen("tests/fixtures/xlmr-unigram/tokenizer.json", "rb");
    CHECK(f != NULL);
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    size_t len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    const char *key = "\"precompiled_charsmap\":\"", *p = strstr(buf, key);
    CHECK(p != NULL);
    if (!p) return NULL;
    p += strlen(key);
    size_t b64 = (size_t)(strchr(p, '"') - p);
    (void)len;
    /* decode through the parser's own base64 path, then re-encode the blob size */
    le_charsmap m;
    le_error err;
    CHECK(le_charsmap_parse_base64(p, b64, &m, "fixture", &err) == LE_OK);
    *n = 4 + m.n_units * 4 + m.pool_n;
    uint8_t *blob = malloc(*n);
    uint32_t tb = (uint32_t)(m.n_units * 4);
    memcpy(blob, &tb, 4);
    memcpy(blob + 4, m.units, tb);
    memcpy(blob + 4 + tb, m.pool, m.pool_n);
    le_charsmap_free(&m);
    free(buf);
    return blob;
}

static void charsmap_refused(const uint8_t *blob, size_t n, const char *needle) {
    le_charsmap m;
    le_error err = {0};
    le_status s = le_charsmap_parse(blob, n, &m, "cm", &err);
    CHECK_MSG(s == LE_ERR_FORMAT && strstr(err.message, needle), "status %d: %s", (int)s,
              err.message);
}

static void test_charsmap(void) {
    size_t n = 0;
    uint8_t *blob = fixture_blob(&n);
    if (!blob) return;
    le_charsmap m;
    le_error err;
    CHECK(le_charsmap_parse(blob, n, &m, "cm", &err) == LE_OK);
    const char *rep;
    size_t rn;
    CHECK(le_charsmap_lookup(&m, "\xef\xbc\xa1", 3, &rep, &rn) && rn == 1 && rep[0] == 'A');
    CHECK(!le_charsmap_lookup(&m, "a", 1, &rep, &rn));
    le_strbuf out = {0};
    CHECK(le_charsmap_apply(&m, "\xef\xbd\x86\xef\xac\x81", 6, &out) == LE_OK); /* ｆﬁ */
    CHECK(out.n == 3 && !memcmp(out.p, "ffi", 3));
    le_strbuf_free(&out);
    le_charsmap_free(&m);
    uint32_t trie;
    memcpy(&trie, blob, 4);
    /* a trie longer than the blob, a size that is not a multiple of 4, too short */
    uint32_t lie = (uint32_t)n;
    memcpy(blob, &lie, 4);
    charsmap_refused(blob, n, "bytes follow");
    lie = trie + 2;
    memcpy(blob, &lie, 4);
    charsmap_refused(blob, n, "multiple of 4");
    memcpy(blob, &trie, 4);
    charsmap_refused(blob, 3, "too short");
    /* the pool cut short: leaves point outside it */
    charsmap_refused(blob, 4 + trie + 10, "string pool");
    /* a pool that is not UTF-8 */
    blob[4 + trie] = (uint8_t)0xFF;
    charsmap_refused(blob, n, "not valid UTF-8");
    free(blob);
    le_charsmap m2;
    CHECK(le_charsmap_parse_base64("AAA*", 4, &m2, "cm", &err) == LE_ERR_FORMAT);
    CHECK(le_charsmap_parse_base64("AAA", 3, &m2, "cm", &err) == LE_ERR_FORMAT);
}

int main(void) {
    test_viterbi();
    test_byte_fallback();
    test_metaspace();
    test_replace_regex();
    test_model_errors();
    test_charsmap();
    return check_report("text/unigram");
}
