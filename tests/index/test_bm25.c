/* BM25: the index layout (sorted dictionary, postings, lengths) and scores
 * on a tiny corpus against values computed by hand:
 *   d0 "apple banana apple", d1 "banana cherry", d2 "cherry cherry cherry date"
 *   N = 3, avgdl = 3, k1 = 1.2, b = 0.75
 *   idf(apple) = ln(1 + 2.5/1.5) = 0.980829…, idf(cherry) = ln(1 + 1.5/2.5) = 0.470004…
 *   query "apple cherry":
 *     d0 = 0.980829 · 2·2.2/(2 + 1.2·1)      = 1.348640…
 *     d2 = 0.470004 · 3·2.2/(3 + 1.2·1.25)   = 0.689339…
 *     d1 = 0.470004 · 1·2.2/(1 + 1.2·0.75)   = 0.544215… */
#include "check.h"
#include "index/bm25.h"

static const char *g_docs[] = {"apple banana apple", "banana cherry",
                               "Cherry, cherry; CHERRY date"};

static void search(const le_bm25 *ix, const le_bm25_params *p, const char *q, int k, le_hit *hits,
                   int *n) {
    le_error err;
    le_status s = le_bm25_search(ix, p, q, strlen(q), k, NULL, hits, n, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
}

int main(void) {
    le_bm25 ix;
    le_error err;
    CHECK(le_bm25_build(&ix, 3, g_docs, NULL, NULL, &err) == LE_OK);
    /* layout */
    CHECK_EQ_INT(ix.n_docs, 3);
    CHECK_EQ_INT(ix.n_terms, 4);
    CHECK_EQ_INT(ix.total_len, 9);
    CHECK_EQ_INT(ix.doc_len[0], 3);
    CHECK_EQ_INT(ix.doc_len[1], 2);
    CHECK_EQ_INT(ix.doc_len[2], 4);
    const char *want_terms[] = {"apple", "banana", "cherry", "date"};
    for (int i = 0; i < 4; i++) {
        size_t l = (size_t)(ix.term_off[i + 1] - ix.term_off[i]);
        CHECK(l == strlen(want_terms[i]) &&
              !memcmp(ix.term_bytes + ix.term_off[i], want_terms[i], l));
        CHECK_EQ_INT(le_bm25_find_term(&ix, want_terms[i], strlen(want_terms[i])), i);
    }
    CHECK_EQ_INT(le_bm25_find_term(&ix, "appl", 4), -1);
    CHECK_EQ_INT(le_bm25_find_term(&ix, "zebra", 5), -1);
    CHECK_EQ_INT(le_bm25_find_term(&ix, "", 0), -1);
    /* banana: d0 tf 1, d1 tf 1; cherry: d1 tf 1, d2 tf 3 */
    CHECK_EQ_INT(ix.post_off[1], 1);
    CHECK_EQ_INT(ix.post_off[2], 3);
    CHECK_EQ_INT(ix.post_doc[1], 0);
    CHECK_EQ_INT(ix.post_doc[2], 1);
    CHECK_EQ_INT(ix.post_doc[3], 1);
    CHECK_EQ_INT(ix.post_doc[4], 2);
    CHECK_EQ_INT(ix.post_tf[4], 3);
    CHECK_EQ_INT(ix.post_tf[0], 2); /* apple in d0 */
    /* scores */
    le_bm25_params p;
    le_bm25_params_init(&p);
    CHECK_NEAR(p.k1, 1.2, 0);
    CHECK_NEAR(p.b, 0.75, 0);
    le_hit hits[8];
    int n;
    search(&ix, &p, "apple cherry", 10, hits, &n);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(hits[0].doc, 0);
    CHECK_EQ_INT(hits[1].doc, 2);
    CHECK_EQ_INT(hits[2].doc, 1);
    CHECK_NEAR(hits[0].score, 1.3486402228911236, 1e-6);
    CHECK_NEAR(hits[1].score, 0.689338656227079, 1e-6);
    CHECK_NEAR(hits[2].score, 0.5442147286003255, 1e-6);
    /* a repeated query term counts once; case and punctuation as in documents */
    search(&ix, &p, "APPLE apple, cherry!! apple", 10, hits, &n);
    CHECK_EQ_INT(n, 3);
    CHECK_NEAR(hits[0].score, 1.3486402228911236, 1e-6);
    /* k smaller than the matches keeps the best */
    search(&ix, &p, "apple cherry", 2, hits, &n);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(hits[1].doc, 2);
    /* only documents holding a query term are ranked; unknown terms add nothing */
    search(&ix, &p, "date zebra", 10, hits, &n);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(hits[0].doc, 2);
    search(&ix, &p, "zebra", 10, hits, &n);
    CHECK_EQ_INT(n, 0);
    search(&ix, &p, "", 10, hits, &n);
    CHECK_EQ_INT(n, 0);
    search(&ix, &p, "apple", 0, hits, &n);
    CHECK_EQ_INT(n, 0);
    /* b = 0: no length normalisation */
    le_bm25_params p0 = {1.2, 0};
    search(&ix, &p0, "apple cherry", 10, hits, &n);
    CHECK_NEAR(hits[0].score, 1.3486402228911236, 1e-6);
    CHECK_NEAR(hits[1].score, 0.7385771316718702, 1e-6);
    CHECK_NEAR(hits[2].score, 0.47000362924573563, 1e-6);
    /* k1 = 0: a term's weight is its idf whatever its count */
    le_bm25_params pk = {0, 0.75};
    search(&ix, &pk, "apple cherry", 10, hits, &n);
    CHECK_NEAR(hits[0].score, 0.9808292530117263, 1e-6);
    CHECK_NEAR(hits[1].score, 0.47000362924573563, 1e-6);
    CHECK_EQ_INT(hits[1].doc, 1); /* d1 and d2 tie: the lower number first */
    CHECK_EQ_INT(hits[2].doc, 2);
    /* bad parameters */
    le_bm25_params bad = {1.2, 1.5};
    CHECK(le_bm25_search(&ix, &bad, "apple", 5, 3, NULL, hits, &n, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "b in [0, 1]");
    le_bm25_free(&ix);

    /* ties between identical documents: document order, reused scratch */
    const char *same[] = {"x y", "z", "x y", "x y"};
    CHECK(le_bm25_build(&ix, 4, same, NULL, NULL, &err) == LE_OK);
    le_bm25_scratch sc = {0};
    for (int rep = 0; rep < 2; rep++) {
        CHECK(le_bm25_search(&ix, &p, "y x", 3, 10, &sc, hits, &n, &err) == LE_OK);
        CHECK_EQ_INT(n, 3);
        CHECK_EQ_INT(hits[0].doc, 0);
        CHECK_EQ_INT(hits[1].doc, 2);
        CHECK_EQ_INT(hits[2].doc, 3);
        CHECK(hits[0].score == hits[2].score);
    }
    le_bm25_scratch_free(&sc);
    le_bm25_free(&ix);

    /* stop words: dropped from documents (and their lengths) and queries */
    le_analyzer_options ao = {1};
    const char *sw[] = {"the cat and the hat", "a dog"};
    CHECK(le_bm25_build(&ix, 2, sw, NULL, &ao, &err) == LE_OK);
    CHECK_EQ_INT(ix.doc_len[0], 2);
    CHECK_EQ_INT(ix.doc_len[1], 1);
    CHECK_EQ_INT(le_bm25_find_term(&ix, "the", 3), -1);
    search(&ix, &p, "the dog", 10, hits, &n);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(hits[0].doc, 1);
    le_bm25_free(&ix);

    /* no documents, empty documents */
    const char *empty[] = {"", "..."};
    CHECK(le_bm25_build(&ix, 2, empty, NULL, NULL, &err) == LE_OK);
    CHECK_EQ_INT(ix.n_terms, 0);
    search(&ix, &p, "anything", 10, hits, &n);
    CHECK_EQ_INT(n, 0);
    le_bm25_free(&ix);
    CHECK(le_bm25_build(&ix, 0, NULL, NULL, NULL, &err) == LE_OK);
    search(&ix, &p, "anything", 10, hits, &n);
    CHECK_EQ_INT(n, 0);
    le_bm25_free(&ix);

    /* a larger corpus: every document's rare term finds it first */
    enum { N = 3000 };
    static char texts[N][64];
    const char *ptrs[N];
    for (int i = 0; i < N; i++) {
        snprintf(texts[i], sizeof texts[i], "common words here unique%d %s", i,
                 i % 2 ? "odd" : "even");
        ptrs[i] = texts[i];
    }
    CHECK(le_bm25_build(&ix, N, ptrs, NULL, NULL, &err) == LE_OK);
    int ok = 1;
    for (int i = 0; i < N; i += 97) {
        char q[64];
        snprintf(q, sizeof q, "unique%d common odd", i);
        search(&ix, &p, q, 5, hits, &n);
        ok &= n == 5 && hits[0].doc == (uint32_t)i;
    }
    CHECK(ok);
    le_bm25_free(&ix);
    return check_report("test_bm25");
}
