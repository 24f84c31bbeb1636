/* Character classes as tokenizers applies them; the cases are those where
 * its tables differ from a plain reading of Unicode 15. */
#include "check.h"
#include "text/unicode.h"

static void test_classes(void) {
    /* whitespace: White_Space, not the Python/C notion */
    CHECK(le_uc_is_whitespace(' ') && le_uc_is_whitespace('\t') && le_uc_is_whitespace(0x0B));
    CHECK(le_uc_is_whitespace(0xA0) && le_uc_is_whitespace(0x3000) && le_uc_is_whitespace(0x2009));
    CHECK(!le_uc_is_whitespace(0x1C) && !le_uc_is_whitespace(0x200B) &&
          !le_uc_is_whitespace(0x180E));

    /* clean_text drops Cc/Cf/Co but keeps \t \n \r and (unlike Unicode 15) U+08E2 */
    CHECK(le_uc_is_other(0) && le_uc_is_other(0x7F) && le_uc_is_other(0x200B));
    CHECK(le_uc_is_other(0xAD) && le_uc_is_other(0xE000) && le_uc_is_other(0x10FFFD));
    CHECK(!le_uc_is_other('\t') && !le_uc_is_other('\n') && !le_uc_is_other('a'));
    CHECK(!le_uc_is_other(0x8E2) && !le_uc_is_other(0x13430));
    CHECK(!le_uc_is_other(0x378)); /* unassigned is not "other" there */

    /* punctuation: ASCII symbols count; new P* characters do not; U+166D does */
    CHECK(le_uc_is_punct('$') && le_uc_is_punct('^') && le_uc_is_punct('~'));
    CHECK(le_uc_is_punct(0x3002) && le_uc_is_punct(0xBF) && le_uc_is_punct(0x2014));
    CHECK(le_uc_is_punct(0x166D) && !le_uc_is_punct(0x2E5D) && !le_uc_is_punct(0x61D));
    CHECK(!le_uc_is_punct(0xA2) && !le_uc_is_punct('a'));

    /* Bert's Mn vs StripAccents' combining marks */
    CHECK(le_uc_is_mn(0x301) && le_uc_is_mark(0x301));
    CHECK(!le_uc_is_mn(0x93F) && le_uc_is_mark(0x93F));   /* DEVANAGARI VOWEL SIGN I (Mc) */
    CHECK(!le_uc_is_mn(0x20E3) && le_uc_is_mark(0x20E3)); /* COMBINING ENCLOSING KEYCAP (Me) */
    CHECK(!le_uc_is_mark('a') && !le_uc_is_mn(0xE9));

    CHECK(le_uc_is_word('_') && le_uc_is_word(0xE9) && le_uc_is_word(0x301));
    CHECK(le_uc_is_word(0x2160) && le_uc_is_word(0x200D) && !le_uc_is_word('-'));

    CHECK(le_uc_is_cjk(0x4E00) && le_uc_is_cjk(0x2B920) && !le_uc_is_cjk(0x2B820));
    CHECK(!le_uc_is_cjk(0x3042)); /* hiragana is not in the blocks */
}

static void test_mappings(void) {
    uint32_t l[2];
    CHECK_EQ_INT(le_uc_lower('A', l), 1);
    CHECK_EQ_INT(l[0], 'a');
    CHECK_EQ_INT(le_uc_lower(0x130, l), 2); /* İ -> i + combining dot */
    CHECK(l[0] == 'i' && l[1] == 0x307);
    CHECK_EQ_INT(le_uc_lower(0x3A3, l), 1);
    CHECK_EQ_INT(l[0], 0x3C3);
    CHECK_EQ_INT(le_uc_lower(0xA7DC, l), 1); /* Unicode 16, as Rust's std has it */
    CHECK_EQ_INT(l[0], 0x19B);

    uint32_t d[LE_UC_DECOMPOSE_MAX];
    CHECK_EQ_INT(le_uc_decompose(0xE9, 0, d), 2);
    CHECK(d[0] == 'e' && d[1] == 0x301);
    CHECK_EQ_INT(le_uc_decompose(0xFB01, 0, d), 1); /* ﬁ: compatibility only */
    CHECK_EQ_INT(le_uc_decompose(0xFB01, 1, d), 2);
    CHECK_EQ_INT(le_uc_decompose(0xAC00, 0, d), 2); /* Hangul syllable */
    CHECK_EQ_INT(le_uc_decompose(0xFDFA, 1, d), 18);
    CHECK_EQ_INT(le_uc_decompose(0x1FBF0, 1, d), 1); /* newer than tokenizers' tables */

    CHECK_EQ_INT(le_uc_ccc(0x301), 230);
    CHECK_EQ_INT(le_uc_ccc(0x323), 220);
    CHECK_EQ_INT(le_uc_ccc('a'), 0);
    CHECK_EQ_INT(le_uc_ccc(0x1AC0), 0); /* ccc 220 in Unicode 15, unknown to tokenizers */
}

int main(void) {
    test_classes();
    test_mappings();
    return check_report("text/unicode");
}
