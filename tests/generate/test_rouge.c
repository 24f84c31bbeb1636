/* ROUGE-1/2/L against the rouge-score package: every pair of
 * tests/fixtures/generate/rouge_pairs.json (tools/make_rouge_fixtures.py)
 * gives the package's precision, recall and F1 to 1e-12, and the tokenizer
 * splits and lowercases as the package's does. */
#include "base/json.h"
#include "check.h"
#include "generate/rouge.h"

#include <stdlib.h>

static void check_prf(const cJSON *pair, const char *key, le_rouge_prf got, int i) {
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(pair, key);
    CHECK(cJSON_GetArraySize(want) == 3);
    double w[3] = {cJSON_GetArrayItem(want, 0)->valuedouble,
                   cJSON_GetArrayItem(want, 1)->valuedouble,
                   cJSON_GetArrayItem(want, 2)->valuedouble};
    double g[3] = {got.precision, got.recall, got.f};
    for (int j = 0; j < 3; j++)
        CHECK_MSG(fabs(w[j] - g[j]) <= 1e-12, "pair %d %s[%d]: want %.17g got %.17g", i, key, j,
                  w[j], g[j]);
}

static void test_fixture(void) {
    cJSON *doc = NULL;
    le_error err;
    le_status s = le_json_load("tests/fixtures/generate/rouge_pairs.json", 0, &doc, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(doc, "pairs");
    CHECK(cJSON_GetArraySize(pairs) >= 50);
    int i = 0;
    for (const cJSON *p = pairs ? pairs->child : NULL; p; p = p->next, i++) {
        const char *ref = le_json_str(p, "reference"), *pred = le_json_str(p, "prediction");
        le_rouge_scores sc;
        CHECK(ref && pred && le_rouge_score(ref, pred, &sc, &err) == LE_OK);
        check_prf(p, "rouge1", sc.r1, i);
        check_prf(p, "rouge2", sc.r2, i);
        check_prf(p, "rougeL", sc.rl, i);
    }
    cJSON_Delete(doc);
}

/* The tokens of text joined by single spaces, into buf. */
static const char *joined(const char *text, char *buf, size_t cap) {
    le_rouge_tokens t = {0};
    le_error err;
    buf[0] = 0;
    if (le_rouge_tokenize(text, strlen(text), &t, &err) == LE_OK) {
        size_t o = 0;
        for (size_t i = 0; i < t.n && o + t.tok[i].len + 2 < cap; i++) {
            if (i) buf[o++] = ' ';
            memcpy(buf + o, t.chars + t.tok[i].start, t.tok[i].len);
            o += t.tok[i].len;
        }
        buf[o] = 0;
    }
    le_rouge_tokens_free(&t);
    return buf;
}

static void test_tokenizer(void) {
    char b[256];
    CHECK(!strcmp(joined("Hello, World! 42x", b, sizeof b), "hello world 42x"));
    CHECK(!strcmp(joined("\xc4\xb0stanbul", b, sizeof b), "i stanbul"));   /* U+0130 */
    CHECK(!strcmp(joined("3\xe2\x84\xaa", b, sizeof b), "3k"));              /* U+212A */
    CHECK(!strcmp(joined("caf\xc3\xa9 \xff\xfe bad", b, sizeof b), "caf bad")); /* é, invalid */
    CHECK(!strcmp(joined("", b, sizeof b), ""));
    CHECK(!strcmp(joined("don't", b, sizeof b), "don t"));
}

int main(void) {
    test_fixture();
    test_tokenizer();
    return check_report("test_rouge");
}
