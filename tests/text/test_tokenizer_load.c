/* Loading tokenizer.json: clear errors for bad files, and the accessors. */
#include "text_test_util.h"

static void check_load_error(const char *json, le_status want, const char *msg) {
    le_tokenizer *t = (le_tokenizer *)1;
    le_error err;
    le_error_clear(&err);
    CHECK_EQ_INT(le_tokenizer_load_mem(json, strlen(json), "tokenizer.json", &t, &err), want);
    CHECK(t == NULL);
    CHECK_EQ_INT(err.code, want);
    CHECK_STR_CONTAINS(err.message, msg);
}

static void test_bad_files(void) {
    le_tokenizer *t = (le_tokenizer *)1;
    le_error err;
    CHECK_EQ_INT(le_tokenizer_load("/nonexistent/dir/tokenizer.json", &t, &err), LE_ERR_IO);
    CHECK(t == NULL);
    CHECK_STR_CONTAINS(err.message, "/nonexistent/dir/tokenizer.json");
    CHECK_STR_CONTAINS(err.message, "cannot open");

    check_load_error("{\"model\": {\"type\": \"WordPiece\",", LE_ERR_FORMAT,
                     "tokenizer.json: invalid JSON at line 1");
    check_load_error("", LE_ERR_FORMAT, "tokenizer.json: invalid JSON");
    check_load_error("[1, 2]", LE_ERR_FORMAT, "not a tokenizer.json object");
    check_load_error("{\"normalizer\": null}", LE_ERR_FORMAT, "no \"model\" object");
    check_load_error("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]]}}",
                     LE_ERR_UNSUPPORTED,
                     "tokenizer.json: Unigram models without an unk_id are not supported");
    check_load_error("{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": [],"
                     " \"continuing_subword_prefix\": \"##\"}}",
                     LE_ERR_UNSUPPORTED, "BPE with continuing_subword_prefix is not supported");
    check_load_error("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}}}", LE_ERR_UNSUPPORTED,
                     "model type \"WordLevel\"");
    check_load_error("{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\"}}",
                     LE_ERR_FORMAT, "WordPiece model.vocab is missing");
    check_load_error("{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
                     "\"vocab\": {\"a\": 0}}}",
                     LE_ERR_FORMAT, "WordPiece unk_token \"[UNK]\" is not in the vocabulary");
    check_load_error("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": -3}}}",
                     LE_ERR_FORMAT, "vocab entry \"[UNK]\" has no valid id");
    check_load_error("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": \"0\"}}}",
                     LE_ERR_FORMAT, "has no valid id");
    check_load_error("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 2000000000}}}",
                     LE_ERR_FORMAT, "token ids are too sparse");
    check_load_error("{\"model\": {\"vocab\": {\"[UNK]\": 0}}}", LE_ERR_FORMAT,
                     "model has no \"type\"");

    char *json = tiny_json("{\"type\":\"Precompiled\"}", NULL, NULL, NULL);
    check_load_error(json, LE_ERR_FORMAT, "Precompiled needs a string \"precompiled_charsmap\"");
    free(json);
    json = tiny_json("{\"type\":\"Nmt\"}", NULL, NULL, NULL);
    check_load_error(json, LE_ERR_UNSUPPORTED, "normalizer \"Nmt\" is not supported yet");
    free(json);
    json = tiny_json(NULL, "{\"type\":\"Metaspace\"}", NULL, NULL);
    check_load_error(json, LE_ERR_FORMAT, "Metaspace needs a one-character \"replacement\"");
    free(json);
    json = tiny_json(NULL, "{\"type\":\"CharDelimiterSplit\"}", NULL, NULL);
    check_load_error(json, LE_ERR_UNSUPPORTED,
                     "pre_tokenizer \"CharDelimiterSplit\" is not supported yet");
    free(json);
    json = tiny_json(NULL, NULL, "[{\"id\": 3}]", NULL);
    check_load_error(json, LE_ERR_FORMAT, "added_tokens[0] has no \"content\"");
    free(json);
    json = tiny_json(NULL, NULL, "{}", NULL);
    check_load_error(json, LE_ERR_FORMAT, "\"added_tokens\" is not an array");
    free(json);
    json = tiny_json(NULL, NULL, "[{\"id\": 3, \"content\": \"\xff\"}]", NULL);
    check_load_error(json, LE_ERR_FORMAT, "content is not valid UTF-8");
    free(json);

    const char *pp = "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0}}, "
                     "\"post_processor\": ";
    char buf[1024];
    snprintf(buf, sizeof buf,
             "%s{\"type\": \"TemplateProcessing\", \"single\": "
             "[{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, "
             "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}], \"special_tokens\": {}}}",
             pp);
    check_load_error(buf, LE_ERR_FORMAT, "special token \"[CLS]\" is missing from special_tokens");
    snprintf(buf, sizeof buf,
             "%s{\"type\": \"TemplateProcessing\", \"single\": [], "
             "\"special_tokens\": {}}}",
             pp);
    check_load_error(buf, LE_ERR_UNSUPPORTED, "must hold $A exactly once");
    snprintf(buf, sizeof buf, "%s{\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\"]}}", pp);
    check_load_error(buf, LE_ERR_FORMAT, "BertProcessing needs \"cls\": [token, id]");
    snprintf(buf, sizeof buf, "%s{\"type\": \"Fancy\"}}", pp);
    check_load_error(buf, LE_ERR_UNSUPPORTED, "post_processor \"Fancy\" is not supported yet");
}

static void test_template(void) {
    const char *json =
        "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0, \"<s>\": 1, \"</s>\": 2}},"
        " \"post_processor\": {\"type\": \"Sequence\", \"processors\": ["
        "{\"type\": \"ByteLevel\", \"trim_offsets\": false},"
        "{\"type\": \"TemplateProcessing\", \"single\": ["
        "{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}},"
        "{\"SpecialToken\": {\"id\": \"lang\", \"type_id\": 0}},"
        "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
        "{\"SpecialToken\": {\"id\": \"</s>\", \"type_id\": 0}}],"
        "\"pair\": [], \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", \"ids\": [1]},"
        "\"</s>\": {\"id\": \"</s>\", \"ids\": [2]}, \"lang\": {\"id\": \"lang\", \"ids\": [7, "
        "8]}}}]}}";
    le_tokenizer *t;
    le_error err;
    le_status s = le_tokenizer_load_mem(json, strlen(json), NULL, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    const int32_t *b, *a;
    size_t nb, na;
    le_tokenizer_template(t, &b, &nb, &a, &na);
    CHECK(nb == 3 && b[0] == 1 && b[1] == 7 && b[2] == 8);
    CHECK(na == 1 && a[0] == 2);
    /* no normalizer, no pre-tokenizer: the whole text is one word */
    CHECK_IDS(t, "<s>", 1);
    CHECK_IDS(t, "<s> x", 0);
    CHECK_EQ_INT(le_tokenizer_lowercases(t), 0);
    le_tokenizer_free(t);
}

static void test_accessors(void) {
    le_tokenizer *t = load_tiny(NULL, NULL, NULL);
    if (!t) return;
    CHECK(!strcmp(le_tokenizer_kind(t), "wordpiece"));
    CHECK_EQ_INT(le_tokenizer_lowercases(t), 1);
    CHECK_EQ_INT(le_tokenizer_vocab_size(t), (int)TINY_VOCAB_N);
    CHECK(!strcmp(le_tokenizer_piece(t, 6), "##aff"));
    CHECK(le_tokenizer_piece(t, -1) == NULL &&
          le_tokenizer_piece(t, (int32_t)TINY_VOCAB_N) == NULL);
    CHECK_EQ_INT(le_tokenizer_find(t, "##able"), 7);
    CHECK_EQ_INT(le_tokenizer_find(t, "[MASK]"), 4);
    CHECK_EQ_INT(le_tokenizer_find(t, "nope"), -1);
    const int32_t *b, *a;
    size_t nb, na;
    le_tokenizer_template(t, &b, &nb, &a, &na);
    CHECK(nb == 1 && b[0] == 2 && na == 1 && a[0] == 3);

    /* invalid UTF-8: the message names the byte offset; out is untouched */
    le_ids ids = {0};
    le_error err;
    CHECK_EQ_INT(le_tokenizer_encode(t, "hello w\xc3\xb6rld \xe6\x9d", 15, &ids, &err),
                 LE_ERR_UTF8);
    CHECK_STR_CONTAINS(err.message, "not valid UTF-8 at byte 13");
    CHECK_EQ_INT(ids.n, 0);
    CHECK_EQ_INT(le_tokenizer_encode(t, "ab\xed\xa0\x80", 5, &ids, &err), LE_ERR_UTF8);
    CHECK_STR_CONTAINS(err.message, "at byte 2");
    /* empty text: zero ids; encode appends */
    CHECK_EQ_INT(le_tokenizer_encode(t, "", 0, &ids, &err), LE_OK);
    CHECK_EQ_INT(le_tokenizer_encode(t, NULL, 0, &ids, &err), LE_OK);
    CHECK_EQ_INT(ids.n, 0);
    CHECK_EQ_INT(le_tokenizer_encode(t, "hello", 5, &ids, &err), LE_OK);
    CHECK_EQ_INT(le_tokenizer_encode(t, "world", 5, &ids, &err), LE_OK);
    CHECK(ids.n == 2 && ids.ids[0] == 8 && ids.ids[1] == 9);
    /* text with NUL bytes is measured by len, not by strlen */
    CHECK_EQ_INT(le_tokenizer_encode(t, "a\0b", 3, &ids, &err), LE_OK);
    CHECK_EQ_INT(ids.n, 3);
    le_ids_free(&ids);
    le_tokenizer_free(t);
    le_tokenizer_free(NULL);
}

int main(void) {
    test_bad_files();
    test_template();
    test_accessors();
    return check_report("text/tokenizer_load");
}
