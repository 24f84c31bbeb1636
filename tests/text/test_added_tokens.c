/* Added tokens: leftmost-longest matching on the raw text (normalized =
 * false) or on normalized pieces, with lstrip, rstrip and single_word.
 * Expected ids confirmed with tokenizers on the same tokenizer.json. */
#include "text_test_util.h"

#define ADDED_LIST                                                                                           \
    "[" TINY_ADDED(4, "[MASK]", true, false, true, true, false) "," TINY_SPECIAL(2, "[CLS]") "," TINY_ADDED( \
        30, "Hello World", false, true, false, false,                                                        \
        false) "," TINY_ADDED(31, "<x>", false, false, false, false,                                         \
                              true) "," TINY_ADDED(99, "ab", false, false, false, false,                     \
                                                   false) "," TINY_ADDED(32, "abab", false, false,           \
                                                                         false, false, false) "]"

static void test_plain_specials(void) {
    le_tokenizer *t = load_tiny(NULL, NULL, NULL);
    if (!t) return;
    CHECK_IDS(t, "[MASK]", 4);
    CHECK_IDS(t, "a[MASK]b", 13, 4, 15);
    CHECK_IDS(t, "[MASK][MASK]", 4, 4);
    CHECK_IDS(t, "[mask]", 1, 1, 1); /* not normalized: case matters */
    CHECK_IDS(t, "[MASK", 1, 1);
    CHECK_IDS(t, "un[MASK]affable", 5, 4, 1);
    CHECK_IDS(t, "[CLS]ab[CLS]", 2, 28, 2);
    le_tokenizer_free(t);
}

static void test_options(void) {
    le_tokenizer *t = load_tiny(NULL, NULL, ADDED_LIST);
    if (!t) return;
    /* lstrip/rstrip swallow whitespace of any kind around [MASK] */
    CHECK_IDS(t, "a  [MASK]  b", 13, 4, 15);
    CHECK_IDS(t,
              "a\t[MASK]\xe2\x80\x80"
              "b",
              13, 4, 15);
    CHECK_IDS(t, "  [MASK]", 4);
    /* normalized token: matched after lowercasing, not across changed spacing */
    CHECK_IDS(t, "hello world!", 30, 10);
    CHECK_IDS(t, "Hello World", 30);
    CHECK_IDS(t, "HELLO   WORLD", 8, 9);
    /* single_word: only where no word character touches it */
    CHECK_IDS(t, "<x> a<x> <x>b (<x>)", 31, 13, 1, 26, 1, 1, 26, 1, 15, 1, 31, 1);
    CHECK_IDS(t, "x<x>", 26, 1, 26, 1);
    CHECK_IDS(t, "\xc3\xa9<x>", 1, 1, 26, 1);
    /* leftmost, then longest */
    CHECK_IDS(t, "ababab", 32, 28);
    CHECK_IDS(t, "aba", 28, 13);
    CHECK_IDS(t, "un[MASK]affable", 5, 4, 1, 28, 1);
    /* ids: a token already in the vocabulary keeps its id there; new ones
     * follow the vocabulary, whatever the file says */
    CHECK_EQ_INT(le_tokenizer_find(t, "ab"), 28);
    CHECK_EQ_INT(le_tokenizer_find(t, "Hello World"), 30);
    CHECK_EQ_INT(le_tokenizer_find(t, "<x>"), 31);
    CHECK_EQ_INT(le_tokenizer_find(t, "abab"), 32);
    CHECK_EQ_INT(le_tokenizer_vocab_size(t), 33);
    CHECK(le_tokenizer_piece(t, 31) && !strcmp(le_tokenizer_piece(t, 31), "<x>"));
    le_tokenizer_free(t);
}

int main(void) {
    test_plain_specials();
    test_options();
    return check_report("text/added_tokens");
}
