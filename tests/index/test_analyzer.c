/* The BM25 analyzer's rules (index/analyzer.h): word characters, Unicode
 * lowercasing, combining marks, separators, invalid UTF-8, stop words. */
#include "check.h"
#include "index/analyzer.h"

#include <stdlib.h>

/* The terms of text joined by '|'. */
static const char *terms_of(const char *text, int stopwords) {
    static char out[1024];
    le_analyzer_options o = {stopwords};
    le_terms t = {0};
    le_error err;
    out[0] = 0;
    if (le_analyze(&o, text, strlen(text), &t, &err) != LE_OK) return "(error)";
    size_t n = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (i) out[n++] = '|';
        memcpy(out + n, t.buf + t.off[i], t.tlen[i]);
        n += t.tlen[i];
    }
    out[n] = 0;
    le_terms_free(&t);
    return out;
}

#define CHECK_TERMS(text, stop, want)                                                              \
    CHECK_MSG(!strcmp(terms_of(text, stop), want), "%s -> %s, want %s", text,                      \
              terms_of(text, stop), want)

int main(void) {
    /* ASCII: split on everything but letters and digits, lowercase */
    CHECK_TERMS("Hello, World!", 0, "hello|world");
    CHECK_TERMS("Nadia Stanescu's pass key is 41906.", 0, "nadia|stanescu|s|pass|key|is|41906");
    CHECK_TERMS("  a--b__c  ", 0, "a|b|c");
    CHECK_TERMS("e-mail: x@y.z; 3.14", 0, "e|mail|x|y|z|3|14");
    CHECK_TERMS("", 0, "");
    CHECK_TERMS("...!?", 0, "");
    CHECK_TERMS("MiXeD123abc", 0, "mixed123abc");
    /* Unicode letters and digits, lowercased by the simple case mapping */
    CHECK_TERMS("ÀÉÎ Ørsted ÆBLE", 0, "àéî|ørsted|æble");
    CHECK_TERMS("ΑΘΗΝΑ Москва", 0, "αθηνα|москва");
    CHECK_TERMS("東京タワー 2024年", 0, "東京タワー|2024年");
    CHECK_TERMS("٣٤ ₃ Ⅻ ½", 0, "٣٤|₃|ⅻ|½"); /* Nd, No, Nl, No */
    CHECK_TERMS("İstanbul", 0, "istanbul"); /* simple mapping: U+0130 → i, one code point */
    /* combining marks stay inside a word, never start one */
    CHECK_TERMS("cafe\xcc\x81 \xcc\x81x", 0, "cafe\xcc\x81|x");
    /* symbols, emoji, punctuation of other scripts separate */
    CHECK_TERMS("a€b😀c、d", 0, "a|b|c|d");
    /* invalid UTF-8 separates and never fails */
    CHECK_TERMS("ab\xff"
                "cd\xc3",
                0, "ab|cd");
    CHECK_TERMS("\xe2\x82"
                "x",
                0, "x");
    /* stop words after lowercasing */
    CHECK_TERMS("What is THE passkey for Nadia Stanescu?", 1, "passkey|nadia|stanescu");
    CHECK_TERMS("Nadia Stanescu's pass key is 41906.", 1, "nadia|stanescu|pass|key|41906");
    CHECK_TERMS("the", 1, "");
    /* the list is sorted and every entry is found */
    const char *const *sw = le_analyzer_stopwords();
    int sorted = 1, found = 1;
    size_t n = 0;
    for (; sw[n]; n++) {
        if (n && strcmp(sw[n - 1], sw[n]) >= 0) sorted = 0;
        if (!le_analyzer_is_stopword(sw[n], strlen(sw[n]))) found = 0;
    }
    CHECK(sorted);
    CHECK(found);
    CHECK(n > 50);
    CHECK(!le_analyzer_is_stopword("passkey", 7));
    CHECK(!le_analyzer_is_stopword("th", 2));
    CHECK(!le_analyzer_is_stopword("thee", 4));
    CHECK(!le_analyzer_is_stopword("", 0));
    /* a long text: no length limit, terms kept whole */
    char *big = malloc(100001);
    memset(big, 'x', 100000);
    big[100000] = 0;
    le_terms t = {0};
    le_error err;
    CHECK(le_analyze(NULL, big, 100000, &t, &err) == LE_OK);
    CHECK_EQ_INT(t.n, 1);
    CHECK_EQ_INT(t.tlen[0], 100000);
    le_terms_free(&t);
    free(big);
    return check_report("test_analyzer");
}
