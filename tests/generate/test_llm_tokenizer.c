/* The SmolLM2 GGUF's tokenizer (le_llm_tokenizer_from_gguf): ids equal to
 * Hugging Face tokenizers (the GGUF's vocabulary and merges with SmolLM2's
 * tokenizer.json pre-tokenizer; tools/make_bpe_fixtures.py) on >= 500
 * texts incl. special tokens written in text; decoding ids back gives the
 * text; the special ids. Skipped (77) when the GGUF is not there. */
#include "../text/bpe_ids_fixture.h"
#include "generate/llm_tokenizer.h"
#include "smollm2_path.h"

/* Joining the bytes of every id gives the text back (byte-level BPE loses
 * nothing when no special token is written in it). */
static void check_roundtrip(const le_tokenizer *t, const char *text) {
    le_ids ids = {0};
    le_error err;
    CHECK(le_tokenizer_encode(t, text, strlen(text), &ids, &err) == LE_OK);
    char out[4096];
    size_t n = 0;
    for (size_t i = 0; i < ids.n; i++) {
        int k = le_tokenizer_decode_id(t, ids.ids[i], out + n, sizeof out - n);
        CHECK(k >= 0 && n + (size_t)k < sizeof out);
        if (k > 0) n += (size_t)k;
    }
    CHECK_MSG(n == strlen(text) && !memcmp(out, text, n), "roundtrip of \"%s\"", text);
    le_ids_free(&ids);
}

static void check_specials(const le_tokenizer *t) {
    CHECK_EQ_INT(le_tokenizer_find(t, "<|im_start|>"), 1);
    CHECK_EQ_INT(le_tokenizer_find(t, "<|im_end|>"), 2);
    CHECK_EQ_INT(le_tokenizer_vocab_size(t), 49152);
    char buf[32];
    int n = le_tokenizer_decode_id(t, 1, buf, sizeof buf);
    CHECK(n == 12 && !memcmp(buf, "<|im_start|>", 12));
    CHECK_EQ_INT(le_tokenizer_decode_id(t, 49152, buf, sizeof buf), -1);
    CHECK_EQ_INT(le_tokenizer_decode_id(t, -1, buf, sizeof buf), -1);
    /* a split character: the two ids of one emoji give its bytes in two parts */
    check_roundtrip(t, "Hello, world! I'm 2024 years old.\n\tCafé 東京 👨‍👩‍👧 \r\n  ");
    check_roundtrip(t, "\xe2\x80\x8b\xef\xbb\xbf \x01\x7f");
}

int main(void) {
    char *path = smollm2_gguf_path();
    if (!path) {
        fprintf(stderr, "SKIP: the SmolLM2 GGUF (" SMOLLM2_FILE ") is neither at $LE_SMOLLM2_GGUF "
                        "nor in the model cache (longembed fetch smollm2)\n");
        return 77;
    }
    le_gguf *g = NULL;
    le_tokenizer *t = NULL;
    le_error err;
    le_status s = le_gguf_open(path, &g, &err);
    CHECK_MSG(s == LE_OK, "%s", s ? err.message : "");
    if (!s) s = le_llm_tokenizer_from_gguf(g, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", s ? err.message : "");
    le_gguf_close(g);
    if (t) {
        size_t lines, equal = bpe_ids_fixture(t, "tests/fixtures/bpe/smollm2_ids.jsonl", &lines);
        CHECK(lines >= 500 && equal == lines);
        check_specials(t);
        le_tokenizer_free(t);
    }
    free(path);
    return check_report("generate/llm_tokenizer");
}
