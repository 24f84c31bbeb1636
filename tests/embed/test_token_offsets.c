/* le_tokenize_offsets: the ids are le_tokenize's; special tokens have no
 * bytes; every other token's span is inside the text, in order, without
 * whitespace at its ends; and where the alignment found the pieces, a
 * token's bytes are its vocabulary piece (WordPiece's "##" and
 * SentencePiece's "▁" marks aside). Models: the tiny cased BERT (WordPiece)
 * and the tiny BGE-M3 (SentencePiece unigram). */
#include "check.h"
#include "longembed.h"

#include <stdlib.h>
#include <string.h>

typedef struct toks {
    size_t n;
    int32_t ids[256];
    size_t starts[256], ends[256];
} toks;

static void tokenize(le_model *m, const char *text, int special, toks *t) {
    le_error err;
    le_status s = le_tokenize_offsets(m, text, strlen(text), special, t->ids, t->starts, t->ends,
                                      256, &t->n, &err);
    CHECK_MSG(s == LE_OK && t->n <= 256, "%s", s ? err.message : "too many tokens");
    int32_t want[256];
    size_t n = 0;
    CHECK(le_tokenize(m, text, strlen(text), special, want, 256, &n, &err) == LE_OK);
    CHECK(n == t->n && !memcmp(want, t->ids, n * sizeof *want));
}

/* The piece of id without its word-continuation or word-start mark. */
static const char *bare_piece(le_model *m, int32_t id) {
    const char *p = le_token_piece(m, id);
    if (!p) return "";
    if (!strncmp(p, "##", 2)) return p + 2;
    if (!strncmp(p, "\xe2\x96\x81", 3)) return p + 3; /* ▁ */
    return p;
}

/* The spans of every token of text obey the rules; *pieces counts the
 * tokens whose bytes are their piece. */
static void check_text(le_model *m, const char *text, size_t *pieces, size_t *tokens) {
    toks t;
    tokenize(m, text, 1, &t);
    size_t len = strlen(text), last = 0;
    CHECK(t.n >= 2 && t.starts[0] == LE_NO_OFFSET && t.ends[t.n - 1] == LE_NO_OFFSET);
    for (size_t i = 1; i + 1 < t.n; i++) {
        size_t s = t.starts[i], e = t.ends[i];
        CHECK_MSG(s <= e && e <= len && s >= last, "\"%s\" token %zu: [%zu, %zu)", text, i, s, e);
        if (e > s) CHECK(text[s] != ' ' && text[e - 1] != ' ');
        const char *p = bare_piece(m, t.ids[i]);
        *pieces += strlen(p) == e - s && !memcmp(text + s, p, e - s);
        ++*tokens;
        last = s;
    }
}

static le_model *open_model(const char *dir) {
    le_model *m = NULL;
    le_error err;
    le_status s = le_model_open(dir, NULL, &m, &err);
    CHECK_MSG(s == LE_OK, "%s: %s", dir, err.message);
    return m;
}

static void wordpiece(void) {
    le_model *m = open_model("tests/fixtures/bert-cased-tiny");
    if (!m) return;
    toks t;
    const char *text = "  Hello world, playing!";
    tokenize(m, text, 0, &t);
    CHECK(t.n >= 5);
    for (size_t i = 0; i < t.n; i++) {
        const char *p = bare_piece(m, t.ids[i]);
        CHECK_MSG(t.ends[i] - t.starts[i] == strlen(p) && !memcmp(text + t.starts[i], p, strlen(p)),
                  "token %zu (%s): [%zu, %zu)", i, le_token_piece(m, t.ids[i]), t.starts[i],
                  t.ends[i]);
    }
    CHECK(t.starts[0] == 2 && t.ends[1] == 7); /* "He" "##llo" after two spaces */
    const char *texts[] = {"The cat sat on the mat.", "Dogs bark at night", "héllo wörld ✓",
                           "unaffable supercalifragilistic", "a", "東京 tower", ""};
    size_t pieces = 0, tokens = 0;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) check_text(m, texts[i], &pieces, &tokens);
    CHECK_MSG(pieces * 10 >= tokens * 9, "%zu of %zu tokens are their piece", pieces, tokens);
    le_model_close(m);
}

static void unigram(void) {
    le_model *m = open_model("tests/fixtures/bge-m3-tiny");
    if (!m) return;
    const char *texts[] = {"hello world", "The cat sat on the mat.", "a  b", "héllo"};
    size_t pieces = 0, tokens = 0;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) check_text(m, texts[i], &pieces, &tokens);
    CHECK_MSG(pieces * 10 >= tokens * 8, "%zu of %zu tokens are their piece", pieces, tokens);
    size_t n = 0;
    le_error err;
    CHECK(le_tokenize_offsets(m, "hello", 5, 1, NULL, NULL, NULL, 0, &n, &err) == LE_OK && n > 2);
    CHECK(le_tokenize_offsets(m, "\xff", 1, 1, NULL, NULL, NULL, 0, &n, &err) == LE_ERR_UTF8);
    CHECK(le_tokenize_offsets(NULL, "a", 1, 1, NULL, NULL, NULL, 0, &n, &err) == LE_ERR_ARG);
    le_model_close(m);
}

int main(void) {
    wordpiece();
    unigram();
    return check_report("embed/token_offsets");
}
