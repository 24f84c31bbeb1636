/* Fusion against hand-computed values.
 *   dense: d3 0.9, d1 0.5, d2 0.1   → min-max: d3 1, d1 0.5, d2 0
 *   bm25:  d1 10,  d4 6,   d3 2     → min-max: d1 1, d4 0.5, d3 0
 * weights 0.5/0.5: d1 0.75, d3 0.5, d4 0.25, d2 0
 * weights 0.8/0.2: d3 0.8, d1 0.6, d4 0.1, d2 0
 * RRF, k = 60: d1 1/62 + 1/61, d3 1/61 + 1/63, d4 1/62, d2 1/63
 * z-score, (s − f) / σ with σ over the union {d1..d4} (population), a
 * document a list lacks counted at its floor f (default: its lowest hit):
 *   dense f 0.1, values 0.9 0.5 0.1 (0.1 for d4): σ = √0.11 = 0.331662
 *   bm25  f 2,   values 10 6 2 (2 for d2):        σ = √11   = 3.316625
 *   weights 0.3/0.7: d1 0.3·0.4/0.331662 + 0.7·8/3.316625 = 2.050277,
 *   d4 0.7·4/3.316625 = 0.844232, d3 0.3·0.8/0.331662 = 0.723627, d2 0
 *   BM25's floor 0 (d2 at 0): σ = 3.840573; d1 2.184458, d4 1.093587,
 *   d3 1.088156 */
#include "check.h"
#include "index/fusion.h"

int main(void) {
    le_hit dense[] = {{3, 0.9f}, {1, 0.5f}, {2, 0.1f}};
    le_hit bm25[] = {{1, 10}, {4, 6}, {3, 2}};
    const le_hit *lists[] = {dense, bm25};
    int counts[] = {3, 3};
    le_hit out[8];
    int n;
    le_error err;
    double w55[] = {0.5, 0.5};
    CHECK(le_fuse(LE_FUSION_MINMAX, 2, lists, counts, w55, NULL, 0, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 4);
    CHECK(out[0].doc == 1 && out[1].doc == 3 && out[2].doc == 4 && out[3].doc == 2);
    CHECK_NEAR(out[0].score, 0.75, 1e-6);
    CHECK_NEAR(out[1].score, 0.5, 1e-6);
    CHECK_NEAR(out[2].score, 0.25, 1e-6);
    CHECK_NEAR(out[3].score, 0, 1e-6);
    double w82[] = {0.8, 0.2};
    CHECK(le_fuse(LE_FUSION_MINMAX, 2, lists, counts, w82, NULL, 0, 8, out, &n, &err) == LE_OK);
    CHECK(out[0].doc == 3 && out[1].doc == 1 && out[2].doc == 4 && out[3].doc == 2);
    CHECK_NEAR(out[0].score, 0.8, 1e-6);
    CHECK_NEAR(out[1].score, 0.6, 1e-6);
    CHECK_NEAR(out[2].score, 0.1, 1e-6);
    /* k cuts */
    CHECK(le_fuse(LE_FUSION_MINMAX, 2, lists, counts, w82, NULL, 0, 2, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2);
    CHECK(out[0].doc == 3 && out[1].doc == 1);
    /* RRF */
    CHECK(le_fuse(LE_FUSION_RRF, 2, lists, counts, NULL, NULL, LE_RRF_K, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 4);
    CHECK(out[0].doc == 1 && out[1].doc == 3 && out[2].doc == 4 && out[3].doc == 2);
    CHECK_NEAR(out[0].score, 1.0 / 62 + 1.0 / 61, 1e-7);
    CHECK_NEAR(out[1].score, 1.0 / 61 + 1.0 / 63, 1e-7);
    CHECK_NEAR(out[2].score, 1.0 / 62, 1e-7);
    CHECK_NEAR(out[3].score, 1.0 / 63, 1e-7);
    /* weighted RRF, another constant */
    double w13[] = {1, 3};
    CHECK(le_fuse(LE_FUSION_RRF, 2, lists, counts, w13, NULL, 0, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(out[0].doc, 1); /* 1/2 + 3/1 */
    CHECK_NEAR(out[0].score, 3.5, 1e-6);
    CHECK_EQ_INT(out[1].doc, 3); /* 1/1 + 3/3 */
    CHECK_NEAR(out[1].score, 2, 1e-6);
    CHECK_EQ_INT(out[2].doc, 4); /* 3/2 */
    CHECK_NEAR(out[2].score, 1.5, 1e-6);
    double w37_early[] = {0.3, 0.7};
    /* equal scores in a list map to 1; fused ties go by document number */
    le_hit flat[] = {{7, 3}, {2, 3}};
    const le_hit *one[] = {flat};
    int c1[] = {2};
    CHECK(le_fuse(LE_FUSION_MINMAX, 1, one, c1, NULL, NULL, 0, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2);
    CHECK(out[0].doc == 2 && out[1].doc == 7);
    CHECK_NEAR(out[0].score, 1, 0);
    /* z-score */
    double w37[] = {0.3, 0.7};
    CHECK(le_fuse(LE_FUSION_ZSCORE, 2, lists, counts, w37, NULL, 0, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 4);
    CHECK(out[0].doc == 1 && out[1].doc == 4 && out[2].doc == 3 && out[3].doc == 2);
    CHECK_NEAR(out[0].score, 2.050277, 1e-5);
    CHECK_NEAR(out[1].score, 0.844232, 1e-5);
    CHECK_NEAR(out[2].score, 0.723627, 1e-5);
    CHECK_NEAR(out[3].score, 0, 1e-6);
    double floors[] = {NAN, 0};
    CHECK(le_fuse(LE_FUSION_ZSCORE, 2, lists, counts, w37, floors, 0, 8, out, &n, &err) == LE_OK);
    CHECK(out[0].doc == 1 && out[1].doc == 4 && out[2].doc == 3 && out[3].doc == 2);
    CHECK_NEAR(out[0].score, 2.184458, 1e-5);
    CHECK_NEAR(out[1].score, 1.093587, 1e-5);
    CHECK_NEAR(out[2].score, 1.088156, 1e-5);
    /* a list of equal scores maps them to one σ; ties by document number */
    CHECK(le_fuse(LE_FUSION_ZSCORE, 1, one, c1, NULL, NULL, 0, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2);
    CHECK(out[0].doc == 2 && out[1].doc == 7);
    CHECK_NEAR(out[0].score, 1, 0);
    /* BM25 with one hit (one document holds the query's rare terms) still
     * counts against a dense list that prefers another document: weights
     * 0.3 / 0.7, dense z of doc 5 and doc 9 as in a passkey query at 16k */
    le_hit dense_pk[] = {{9, 0.60f}, {5, 0.58f}, {1, 0.40f}, {2, 0.39f}, {3, 0.39f}, {4, 0.38f}};
    le_hit bm25_one[] = {{5, 11.6f}};
    const le_hit *pair[] = {dense_pk, bm25_one};
    int cp[] = {6, 1};
    double pk_floors[] = {NAN, 0};
    CHECK(le_fuse(LE_FUSION_ZSCORE, 2, pair, cp, w37_early, pk_floors, 0, 8, out, &n, &err) ==
          LE_OK);
    CHECK_EQ_INT(out[0].doc, 5);
    CHECK_EQ_INT(out[1].doc, 9);
    /* empty lists */
    int c0[] = {0, 0};
    CHECK(le_fuse(LE_FUSION_RRF, 2, lists, c0, NULL, NULL, 60, 8, out, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 0);
    CHECK(le_fuse(LE_FUSION_RRF, 2, lists, counts, NULL, NULL, -1, 8, out, &n, &err) == LE_ERR_ARG);
    CHECK((int)le_fuse((le_fusion_kind)7, 2, lists, counts, NULL, NULL, 60, 8, out, &n, &err) ==
          LE_ERR_ARG);
    return check_report("test_fusion");
}
