/* LC-Boost and MemoRAG-lite cut the document into chunks that fit the
 * model's window, but every index document (segment) started a chunk of
 * its own: over a meeting indexed as 79 chunk documents of 200 words,
 * LC-Boost took 79 steps of ~250 tokens in an 8k window and MemoRAG-lite 79
 * gist calls. Consecutive segments now share a chunk while they fit
 * (le_rag_chunk spans seg..seg_end). */
#include "check.h"
#include "generate/rag_pipeline.h"

#include <stdlib.h>

/* A token per word. */
static le_status words(void *ctx, const char *t, size_t n, size_t *out, le_error *err) {
    (void)ctx, (void)err;
    *out = 0;
    for (size_t i = 0; i < n; i++)
        *out += t[i] != ' ' && t[i] != '\n' && (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\n');
    return LE_OK;
}

int main(void) {
    static const char *const text[] = {"one two three", "four five six", "seven eight",
                                       "nine ten eleven twelve thirteen"};
    static const size_t len[] = {13, 13, 11, 31};
    le_rag_doc doc = {4, text, len, NULL, NULL};
    le_rag_gen g = {.count_tokens = words, .window = 100};
    le_rag_chunk *ch = NULL;
    size_t n = 0;
    le_error err;
    CHECK(le_rag_chunks(&g, &doc, 8, &ch, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2); /* 3 + 3 + 2 words, then 5 */
    if (n == 2) {
        CHECK(ch[0].seg == 0 && ch[0].start == 0 && ch[0].seg_end == 2 && ch[0].end == 11);
        CHECK(ch[1].seg == 3 && ch[1].seg_end == 3 && ch[1].end == 31);
        le_sbuf t = {0};
        le_rag_chunk_text(&doc, &ch[0], &t);
        CHECK(t.p && !strcmp(t.p, "one two three\n\nfour five six\n\nseven eight"));
        le_sbuf_free(&t);
    }
    free(ch);
    /* a segment longer than the budget is cut between words */
    CHECK(le_rag_chunks(&g, &doc, 2, &ch, &n, &err) == LE_OK);
    CHECK(n >= 6 && ch[0].seg == 0 && ch[0].seg_end == 0 && ch[0].end < 13);
    free(ch);
    return check_report("test_rag_chunks_one_per_document");
}
