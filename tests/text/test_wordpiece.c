/* WordPiece on a tiny vocabulary (tiny_vocab: ids are positions). */
#include "text_test_util.h"

#define CASED "{\"type\":\"BertNormalizer\",\"strip_accents\":false,\"lowercase\":false}"

static void test_greedy(void) {
    le_tokenizer *t = load_tiny(NULL, NULL, NULL);
    if (!t) return;
    CHECK_IDS(t, "unaffable", 5, 6, 7);
    CHECK_IDS(t, "Hello World!", 8, 9, 10);
    CHECK_IDS(t, "aaa", 13, 14, 14); /* longest first: "a", then "##a" twice */
    CHECK_IDS(t, "abab", 28, 29);
    CHECK_IDS(t, "aba", 28, 14);
    CHECK_IDS(t, "abc", 1);            /* "##c" is missing: the whole word is [UNK] */
    CHECK_IDS(t, "un-able", 5, 25, 1); /* "able" exists only as "##able" */
    CHECK_IDS(t, "caf\xc3\xa9", 18);   /* accents stripped: "cafe" */
    CHECK_IDS(t, "\xe6\x9d\xb1\xe4\xba\xac", 23, 24);
    CHECK_IDS(t, "xxxxxxxxxx", 26, 27, 27, 27, 27, 27, 27, 27, 27, 27);
    CHECK_IDS(t, "xxxxxxxxxxx", 1); /* 11 characters > max_input_chars_per_word */
    CHECK_IDS(t, "");
    CHECK_IDS(t, " \t\n ");
    le_tokenizer_free(t);
}

static void test_cased(void) {
    le_tokenizer *t = load_tiny(CASED, NULL, NULL);
    if (!t) return;
    CHECK_IDS(t, "caf\xc3\xa9", 19, 22); /* "caf" + "##é" */
    CHECK_IDS(t, "Hello", 1);
    /* the character limit counts characters, not bytes */
    CHECK_IDS(t, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
              21, 22, 22, 22, 22, 22, 22, 22, 22, 22);
    CHECK_IDS(t,
              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
              "\xc3\xa9",
              1);
    le_tokenizer_free(t);
}

static void test_prefix(void) {
    const char *json = "{\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"<unk>\","
                       "\"continuing_subword_prefix\":\"@@\",\"max_input_chars_per_word\":100,"
                       "\"vocab\":{\"<unk>\":0,\"ab\":1,\"@@c\":2,\"##c\":3,\"c\":4}},"
                       "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"}}";
    le_tokenizer *t;
    le_error err;
    le_status s = le_tokenizer_load_mem(json, strlen(json), "prefix.json", &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    CHECK_IDS(t, "abc c abcc", 1, 2, 4, 1, 2, 2);
    CHECK_IDS(t, "ab##c", 0);
    le_tokenizer_free(t);
}

/* Long words stay linear: a 1 MB word is one [UNK] without scanning it
 * quadratically, and a 1 MB run of "xx…" under a large limit is cut fast. */
static void test_long_words(void) {
    size_t n = 1 << 20;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = 0;
    le_tokenizer *t = load_tiny(NULL, NULL, NULL);
    if (t) {
        le_ids ids = {0};
        le_error err;
        CHECK_EQ_INT(le_tokenizer_encode(t, big, n, &ids, &err), LE_OK);
        CHECK(ids.n == 1 && ids.ids[0] == 1);
        le_ids_free(&ids);
        le_tokenizer_free(t);
    }
    char *json = tiny_json(NULL, NULL, NULL, "\"max_input_chars_per_word\":100000000,");
    le_error err;
    if (le_tokenizer_load_mem(json, strlen(json), "big.json", &t, &err) == LE_OK) {
        le_ids ids = {0};
        CHECK_EQ_INT(le_tokenizer_encode(t, big, n, &ids, &err), LE_OK);
        CHECK_EQ_INT(ids.n, n);
        CHECK(ids.n == n && ids.ids[0] == 26 && ids.ids[n - 1] == 27);
        le_ids_free(&ids);
        le_tokenizer_free(t);
    }
    free(json);
    free(big);
}

int main(void) {
    test_greedy();
    test_cased();
    test_prefix();
    test_long_words();
    return check_report("text/wordpiece");
}
