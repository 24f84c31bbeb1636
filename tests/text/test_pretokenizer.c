/* Pre-tokenizers on hand-checked strings (words confirmed with tokenizers). */
#include "check.h"
#include "text/pretokenizer.h"

#include <cjson/cJSON.h>

typedef struct words {
    char buf[512];
    size_t n;
} words;

/* Joins the words with '|'. */
static le_status collect(void *ctx, const char *s, size_t n) {
    words *w = ctx;
    if (w->n + n + 2 > sizeof w->buf) return LE_ERR_INTERNAL;
    if (w->n) w->buf[w->n++] = '|';
    memcpy(w->buf + w->n, s, n);
    w->n += n;
    w->buf[w->n] = 0;
    return LE_OK;
}

static void check_pre_at(int line, const char *json, const char *in, const char *want) {
    cJSON *j = cJSON_Parse(json);
    le_pretokenizer p;
    le_error err;
    le_status s = le_pretokenizer_from_json(j, &p, "test", &err);
    CHECK_MSG(s == LE_OK, "line %d: %s", line, err.message);
    if (s == LE_OK) {
        words w = {{0}, 0};
        s = le_pretokenizer_run(&p, in, strlen(in), 1, collect, &w);
        CHECK_MSG(s == LE_OK && !strcmp(w.buf, want), "line %d: got \"%s\", want \"%s\"", line,
                  w.buf, want);
        le_pretokenizer_free(&p);
    }
    cJSON_Delete(j);
}
#define CHECK_PRE(json, in, want) check_pre_at(__LINE__, json, in, want)
#define PUNCT(b) "{\"type\":\"Punctuation\",\"behavior\":\"" b "\"}"

static void test_pretokenizers(void) {
    CHECK_PRE("{\"type\":\"BertPreTokenizer\"}", "Hello, world!  (x)y\xe3\x80\x80z\xc2\xbf",
              "Hello|,|world|!|(|x|)|y|z|\xc2\xbf");
    CHECK_PRE("{\"type\":\"BertPreTokenizer\"}", "  \t ", "");
    CHECK_PRE("{\"type\":\"Whitespace\"}", "Hello, world!! it's a_b 3.5\xc3\xa9\xcc\x81x",
              "Hello|,|world|!!|it|'|s|a_b|3|.|5\xc3\xa9\xcc\x81x");
    /* U+200B is not whitespace */
    CHECK_PRE("{\"type\":\"WhitespaceSplit\"}",
              " a\tb\xc2\xa0"
              "c\xe2\x80\x8b"
              "d ",
              "a|b|c\xe2\x80\x8b"
              "d");
    CHECK_PRE(PUNCT("Isolated"), "a..b,c", "a|.|.|b|,|c");
    CHECK_PRE(PUNCT("Removed"), "a..b,c", "a|b|c");
    CHECK_PRE(PUNCT("MergedWithPrevious"), "a..b,c.", "a.|.|b,|c.");
    CHECK_PRE(PUNCT("MergedWithPrevious"), "..a", ".|.|a");
    CHECK_PRE(PUNCT("MergedWithNext"), ".a..b,c", ".a|.|.b|,c");
    CHECK_PRE(PUNCT("Contiguous"), "a..b,c!?", "a|..|b|,|c|!?");
    CHECK_PRE("{\"type\":\"Punctuation\"}", "x!", "x|!"); /* default: Isolated */
    CHECK_PRE("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},"
              "{\"type\":\"Punctuation\"}]}",
              "hi, there!", "hi|,|there|!");
    CHECK_PRE("null", "as is, whole", "as is, whole");
}

static void check_error(const char *json, le_status want, const char *msg) {
    cJSON *j = cJSON_Parse(json);
    le_pretokenizer p;
    le_error err;
    CHECK_EQ_INT(le_pretokenizer_from_json(j, &p, "tok.json", &err), want);
    CHECK_STR_CONTAINS(err.message, msg);
    cJSON_Delete(j);
}

static void test_errors(void) {
    check_error("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"prepend_scheme\":\"x\"}",
                LE_ERR_FORMAT, "tok.json: Metaspace prepend_scheme \"x\" is unknown");
    check_error("{\"type\":\"Split\",\"pattern\":{\"String\":\" \"}}", LE_ERR_UNSUPPORTED,
                "tok.json: Split pre_tokenizer \"not a Regex\"");
    check_error("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"UnicodeScripts\"}]}",
                LE_ERR_UNSUPPORTED, "\"UnicodeScripts\"");
    check_error(PUNCT("Sideways"), LE_ERR_FORMAT, "Punctuation behavior \"Sideways\" is unknown");
    check_error("{}", LE_ERR_FORMAT, "without a \"type\"");
}

int main(void) {
    test_pretokenizers();
    test_errors();
    return check_report("text/pretokenizer");
}
