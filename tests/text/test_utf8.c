#include "check.h"
#include "text/utf8.h"

static void check_bad(const char *s, size_t n, size_t want) {
    CHECK_EQ_INT(le_utf8_check(s, n), want);
}

static void test_check(void) {
    check_bad("", 0, 0);
    check_bad("plain ascii text that is longer than eight bytes", 48, 48);
    check_bad("caf\xc3\xa9", 5, 5);
    check_bad("\xe6\x9d\xb1\xe4\xba\xac", 6, 6); /* 東京 */
    check_bad("\xf0\x9f\x98\x80", 4, 4);         /* U+1F600 */
    check_bad("\xf4\x8f\xbf\xbf", 4, 4);         /* U+10FFFF */
    check_bad("abc\x80", 4, 3);                  /* stray continuation */
    check_bad("abcdefghij\xff", 11, 10);         /* 0xFF never appears */
    check_bad("ab\xc0\xaf", 4, 2);               /* overlong '/' */
    check_bad("ab\xc1\xbf", 4, 2);               /* overlong */
    check_bad("\xe0\x80\xaf", 3, 0);             /* overlong 3-byte */
    check_bad("\xf0\x80\x80\xaf", 4, 0);         /* overlong 4-byte */
    check_bad("x\xed\xa0\x80", 4, 1);            /* surrogate U+D800 */
    check_bad("x\xed\x9f\xbf", 4, 4);            /* U+D7FF is fine */
    check_bad("\xf4\x90\x80\x80", 4, 0);         /* past U+10FFFF */
    check_bad("\xf5\x80\x80\x80", 4, 0);
    check_bad("caf\xc3", 4, 3); /* truncated at the end */
    check_bad("\xe6\x9d", 2, 0);
    check_bad("\xe6\x9dx", 3, 0); /* bad continuation */
    check_bad("ok\0nul", 6, 6);   /* U+0000 is valid UTF-8 */
}

static void test_decode(void) {
    const char *s = "a\xc3\xa9\xe6\x9d\xb1\xf0\x9f\x98\x80";
    size_t i = 0, n = 10;
    CHECK_EQ_INT(le_utf8_next(s, n, &i), 'a');
    CHECK_EQ_INT(le_utf8_next(s, n, &i), 0xE9);
    CHECK_EQ_INT(le_utf8_next(s, n, &i), 0x6771);
    CHECK_EQ_INT(le_utf8_next(s, n, &i), 0x1F600);
    CHECK_EQ_INT(i, n);
    CHECK_EQ_INT(le_utf8_prev(s, n), 6);
    CHECK_EQ_INT(le_utf8_prev(s, 6), 3);
    CHECK_EQ_INT(le_utf8_count(s, n), 4);
    /* a truncated sequence never reads past the end */
    i = 0;
    CHECK_EQ_INT(le_utf8_next("\xe6\x9d", 2, &i), 0xFFFD);
    CHECK_EQ_INT(i, 1);

    char buf[4];
    const uint32_t cps[] = {0x24, 0xA2, 0x20AC, 0x10348, 0x10FFFF};
    for (size_t k = 0; k < 5; k++) {
        size_t w = le_utf8_put(buf, cps[k]);
        CHECK_EQ_INT(w, k < 3 ? k + 1 : 4);
        size_t j = 0;
        CHECK_EQ_INT(le_utf8_next(buf, w, &j), cps[k]);
        CHECK_EQ_INT(le_utf8_check(buf, w), w);
    }
}

int main(void) {
    test_check();
    test_decode();
    return check_report("text/utf8");
}
