/* Normalizers on hand-checked strings (outputs confirmed with tokenizers). */
#include "check.h"
#include "text/normalizer.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static void check_norm_at(int line, const char *json, const char *in, size_t in_n,
                          const char *want) {
    cJSON *j = cJSON_Parse(json);
    le_normalizer nz;
    le_error err;
    le_status s = le_normalizer_from_json(j, &nz, "test", &err);
    CHECK_MSG(s == LE_OK, "line %d: %s", line, err.message);
    if (s == LE_OK) {
        le_norm_scratch sc = {0};
        const char *out;
        size_t n;
        s = le_normalizer_run(&nz, in, in_n, &sc, &out, &n);
        CHECK_MSG(s == LE_OK && n == strlen(want) && !memcmp(out, want, n),
                  "line %d: got \"%.*s\", want \"%s\"", line, (int)n, out, want);
        le_norm_scratch_free(&sc);
        le_normalizer_free(&nz);
    }
    cJSON_Delete(j);
}
#define CHECK_NORM(json, in, want) check_norm_at(__LINE__, json, in, sizeof(in) - 1, want)

#define BERT(clean, chinese, strip, lower)                                                         \
    "{\"type\":\"BertNormalizer\",\"clean_text\":" clean ",\"handle_chinese_chars\":" chinese      \
    ",\"strip_accents\":" strip ",\"lowercase\":" lower "}"

static void test_bert(void) {
    const char *uncased = BERT("true", "true", "null", "true");
    /* whitespace to space, controls/zero-width/U+FFFD/NUL dropped, CJK padded */
    CHECK_NORM(
        uncased,
        "H\xc3\xa9llo\tW\xc3\x96RLD\xc2\xa0\xe6\x9d\xb1\xe4\xba\xac\xe2\x80\x8b!\0\xef\xbf\xbd",
        "hello world  \xe6\x9d\xb1  \xe4\xba\xac !");
    /* cased: nothing but cleaning */
    CHECK_NORM(BERT("true", "true", "false", "false"), "H\xc3\xa9llo\tW\xc3\x96RLD \xc4\xb0",
               "H\xc3\xa9llo W\xc3\x96RLD \xc4\xb0");
    /* accents stripped before lowercasing: İ -> I; ǅ has no canonical decomposition */
    CHECK_NORM(BERT("true", "true", "true", "false"), "H\xc3\xa9llo \xc4\xb0 \xc7\x85",
               "Hello I \xc7\x85");
    /* lowercase without stripping: İ -> i + U+0307 (full mapping) */
    CHECK_NORM(BERT("true", "true", "false", "true"), "\xc4\xb0 \xce\xa3", "i\xcc\x87 \xcf\x83");
    CHECK_NORM(BERT("false", "false", "null", "false"),
               "a\x01"
               "b\xc2\xa0\xe6\x9d\xb1",
               "a\x01"
               "b\xc2\xa0\xe6\x9d\xb1");
    /* marks of any order are removed after canonical ordering */
    CHECK_NORM(uncased, "q\xcc\x87\xcc\xa3", "q");
    /* Devanagari vowel sign I is Mc: Bert keeps it */
    CHECK_NORM(uncased, "\xe0\xa4\xb9\xe0\xa4\xbf", "\xe0\xa4\xb9\xe0\xa4\xbf");
    CHECK_NORM(uncased, "", "");
}

static void test_unicode_forms(void) {
    /* NFD orders marks by combining class: dot below (220) before dot above (230) */
    CHECK_NORM("{\"type\":\"NFD\"}", "\xc3\xa9\xe1\xb8\x8b\xcc\xa3",
               "e\xcc\x81"
               "d\xcc\xa3\xcc\x87");
    CHECK_NORM("{\"type\":\"NFC\"}", "e\xcc\x81 \xe1\xb8\x8b\xcc\xa3 d\xcc\x87\xcc\xa3",
               "\xc3\xa9 \xe1\xb8\x8d\xcc\x87 \xe1\xb8\x8d\xcc\x87");
    CHECK_NORM("{\"type\":\"NFKC\"}", "\xef\xac\x81 \xe2\x91\xa0 \xef\xbc\xa6 \xe3\x8e\x8f",
               "fi 1 F kg");
    CHECK_NORM("{\"type\":\"NFKD\"}", "\xef\xac\x81\xc3\xa9", "fie\xcc\x81");
    CHECK_NORM("{\"type\":\"Lowercase\"}",
               "\xc3\x80"
               "B \xc4\xb0",
               "\xc3\xa0"
               "b i\xcc\x87");
    /* StripAccents removes every combining mark, without decomposing first */
    CHECK_NORM("{\"type\":\"StripAccents\"}", "e\xcc\x81 \xc3\xa9 \xe0\xa4\xb9\xe0\xa4\xbf",
               "e \xc3\xa9 \xe0\xa4\xb9");
    /* a long run of marks in reverse class order (counting sort path) */
    char in[1 + 2 * 80 + 1], want[1 + 2 * 80 + 1];
    in[0] = want[0] = 'a';
    for (int i = 0; i < 40; i++) {
        memcpy(in + 1 + 4 * i, "\xcc\x81\xcc\xa3", 4); /* 230, 220 */
        memcpy(want + 1 + 2 * i, "\xcc\xa3", 2);       /* all 220 first */
        memcpy(want + 1 + 80 + 2 * i, "\xcc\x81", 2);
    }
    in[161] = want[161] = 0;
    check_norm_at(__LINE__, "{\"type\":\"NFD\"}", in, 161, want);
}

static void test_simple(void) {
    CHECK_NORM("{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}",
               " \t a b \xe3\x80\x80", "a b");
    CHECK_NORM("{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":false}", "  a  ", "a  ");
    CHECK_NORM("{\"type\":\"Replace\",\"pattern\":{\"String\":\"ab\"},\"content\":\"x\"}",
               "abcabab", "xcxx");
    CHECK_NORM("{\"type\":\"Prepend\",\"prepend\":\"\xe2\x96\x81\"}", "hey", "\xe2\x96\x81hey");
    CHECK_NORM("{\"type\":\"Prepend\",\"prepend\":\"\xe2\x96\x81\"}", "", "");
    CHECK_NORM("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFD\"},{\"type\":"
               "\"StripAccents\"},{\"type\":\"Lowercase\"}]}",
               "\xc3\x87"
               "a \xc3\x89t\xc3\xa9",
               "ca ete");
    CHECK_NORM("null", "As Is", "As Is");
}

static void check_error(const char *json, le_status want, const char *msg) {
    cJSON *j = cJSON_Parse(json);
    le_normalizer nz;
    le_error err;
    CHECK_EQ_INT(le_normalizer_from_json(j, &nz, "tok.json", &err), want);
    CHECK_STR_CONTAINS(err.message, msg);
    cJSON_Delete(j);
}

static void test_errors(void) {
    check_error("{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"\"}", LE_ERR_FORMAT,
                "tok.json: precompiled_charsmap is 0 bytes, too short");
    check_error("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"content\":\" \"}",
                LE_ERR_UNSUPPORTED, "the regex \"\\s+\" is not supported");
    check_error("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},{\"type\":\"Nmt\"}]}",
                LE_ERR_UNSUPPORTED, "\"Nmt\"");
    check_error("{\"lowercase\":true}", LE_ERR_FORMAT, "without a \"type\"");
    check_error("{\"type\":\"Sequence\"}", LE_ERR_FORMAT, "\"normalizers\" array");
    check_error("{\"type\":\"Prepend\"}", LE_ERR_FORMAT, "needs a string \"prepend\"");
    check_error("[1]", LE_ERR_FORMAT, "must be an object");
}

int main(void) {
    test_bert();
    test_unicode_forms();
    test_simple();
    test_errors();
    return check_report("text/normalizer");
}
