/* A BGE-M3 model fills the index's learned-sparse and multi-vector sections
 * (tests/fixtures/bge-m3-tiny): the identity declares them, add_texts
 * stores every document's lexical weights and ColBERT vectors, and
 * search_text in sparse and multi mode ranks by FlagEmbedding's lexical
 * matching and ColBERT scores (le_m3_score) with the same values; hybrid
 * runs with the sparse list; an index with passages holds neither. */
#include "../index/index_testutil.h"
#include "check.h"
#include "longembed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIR "tests/fixtures/bge-m3-tiny"
#define N 6

static const char *docs_text[N] = {
    "BGE M3 is an embedding model supporting dense retrieval, lexical matching and "
    "multi-vector interaction.",
    "BM25 is a bag-of-words retrieval function that ranks a set of documents based on the "
    "query terms appearing in each document",
    "长文本的嵌入需要特别的方法。",
    "Москва — столица России.",
    "ภาษาไทยไม่มีการเว้นวรรค",
    "What is BGE M3?"};

/* The score mode gives document p in le_m3_score's terms (weights w). */
static double want_score(le_search_mode mode, const le_m3_output *q, const le_m3_output *p,
                         const double *w) {
    le_m3_scores sc;
    le_m3_score(q, p, w, &sc);
    return mode == LE_SEARCH_SPARSE    ? sc.sparse
           : mode == LE_SEARCH_COLBERT ? sc.colbert
                                       : sc.colbert_sparse_dense;
}

/* m3 mode ranks every document (k = N) in the order of le_m3_score's
 * weighted sum, each hit with le_m3_score's three parts. */
static void check_m3_ranking(const le_index_hit *hits, int n, const le_m3_output *qo,
                             const le_m3_output *d, const double *w) {
    CHECK_EQ_INT(n, N);
    for (int i = 0; i < n; i++) {
        le_m3_scores sc;
        le_m3_score(qo, &d[hits[i].doc], w, &sc);
        CHECK(fabs(hits[i].dense - sc.dense) < 1e-6 && fabs(hits[i].sparse - sc.sparse) < 1e-6 &&
              fabs(hits[i].multi - sc.colbert) < 1e-6);
        for (int j = i + 1; j < n; j++) /* no later document scores higher */
            CHECK(want_score(LE_SEARCH_M3, qo, &d[hits[j].doc], w) <= sc.colbert_sparse_dense + 1e-7);
    }
}

/* Searches q in mode (m3: with weights w, NULL: the default) and checks
 * every hit's score against le_m3_score. */
static void check_mode(le_index *ix, le_model *m, const char *q, le_search_mode mode,
                       const double *w, const le_m3_output *qo, const le_m3_output *d) {
    static const double flag[3] = {0.4, 0.2, 0.4};
    le_search_options so;
    le_search_options_init(&so);
    so.mode = mode;
    so.k = N;
    if (w) memcpy(so.m3_weights, w, sizeof so.m3_weights);
    if (!w) w = flag;
    le_index_hit hits[N];
    int n = 0;
    le_error err;
    le_status s = le_index_search_text(ix, m, q, &so, hits, &n, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    CHECK(n > 0);
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double want = want_score(mode, qo, &d[hits[i].doc], w);
        double diff = fabs(hits[i].score - want) / fmax(1.0, fabs(want));
        if (diff > worst) worst = diff;
        if (i) CHECK(hits[i].score <= hits[i - 1].score);
    }
    CHECK_MSG(worst <= (mode == LE_SEARCH_M3 ? 1e-6 : 1e-5),
              "%s: scores differ from le_m3_score by %.3g", le_search_mode_name(mode), worst);
    if (mode == LE_SEARCH_M3) check_m3_ranking(hits, n, qo, d, w);
    fprintf(stderr, "%s: %d hits, max |score - le_m3_score| %.2g\n", le_search_mode_name(mode), n,
            worst);
}

/* Negative or not finite m3 weights are refused. */
static void bad_weights(le_index *ix, le_model *m, const char *q) {
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_M3;
    so.m3_weights[1] = -1;
    le_index_hit hits[N];
    int n = 0;
    le_error err;
    CHECK(le_index_search_text(ix, m, q, &so, hits, &n, &err) == LE_ERR_ARG);
    CHECK(strstr(err.message, "m3 weights") != NULL);
    so.m3_weights[1] = NAN;
    CHECK(le_index_search_text(ix, m, q, &so, hits, &n, &err) == LE_ERR_ARG);
}

/* The mode names: colbert (multi is its older name) and m3. */
static void mode_names(void) {
    le_search_mode md = LE_SEARCH_DENSE;
    CHECK(le_search_mode_parse("colbert", &md, NULL) == LE_OK && md == LE_SEARCH_COLBERT);
    md = LE_SEARCH_DENSE;
    CHECK(le_search_mode_parse("multi", &md, NULL) == LE_OK && md == LE_SEARCH_COLBERT);
    CHECK(le_search_mode_parse("m3", &md, NULL) == LE_OK && md == LE_SEARCH_M3);
    CHECK(!strcmp(le_search_mode_name(LE_SEARCH_M3), "m3"));
    CHECK(!strcmp(le_search_mode_name(LE_SEARCH_MULTI), "colbert"));
    CHECK(le_search_mode_parse("m4", &md, NULL) == LE_ERR_ARG);
}

static void run(le_model *m, const char *dir) {
    le_index_model im;
    le_error err;
    CHECK(le_index_model_describe(m, DIR, NULL, &im, &err) == LE_OK);
    CHECK_EQ_INT(im.multi_dim, 32);
    CHECK(im.sparse_vocab >= 3002);
    char path[512];
    snprintf(path, sizeof path, "%s/m3.idx", dir);
    le_index_writer *w = NULL;
    CHECK_MSG(le_index_writer_open(path, &im, NULL, &w, &err) == LE_OK, "%s", err.message);
    if (!w) return;
    le_index_doc docs[N] = {0};
    char ids[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "d%d", i);
        docs[i].id = ids[i];
        docs[i].text = docs_text[i];
    }
    CHECK_MSG(le_index_writer_add_texts(w, m, NULL, N, docs, NULL, &err) == LE_OK, "%s",
              err.message);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    le_index *ix = NULL;
    CHECK_MSG(le_index_open(path, NULL, &ix, &err) == LE_OK, "%s", err.message);
    if (!ix) return;
    le_m3_output d[N], qo;
    const char *q = "What is BGE M3?";
    CHECK(le_embed_m3(m, N, docs_text, NULL, NULL, d, NULL, &err) == LE_OK);
    CHECK(le_embed_m3(m, 1, &q, NULL, NULL, &qo, NULL, &err) == LE_OK);
    static const double other[3] = {1, 0.5, 2};
    check_mode(ix, m, q, LE_SEARCH_SPARSE, NULL, &qo, d);
    check_mode(ix, m, q, LE_SEARCH_COLBERT, NULL, &qo, d);
    check_mode(ix, m, q, LE_SEARCH_M3, NULL, &qo, d);
    check_mode(ix, m, q, LE_SEARCH_M3, other, &qo, d);
    bad_weights(ix, m, q);
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_HYBRID;
    so.k = 3;
    le_index_hit hits[3];
    int n = 0;
    CHECK(le_index_search_text(ix, m, q, &so, hits, &n, &err) == LE_OK && n == 3);
    CHECK(!isnan(hits[0].sparse));
    le_m3_output_free(d, N);
    le_m3_output_free(&qo, 1);
    le_index_close(ix);
}

static void passages_hold_none(le_model *m) {
    le_index_model im;
    le_error err;
    le_passage_options po;
    le_passage_options_init(&po);
    CHECK(le_index_model_describe(m, DIR, NULL, &im, &err) == LE_OK);
    CHECK(le_index_model_set_passages(&im, m, &po, &err) == LE_OK);
    CHECK(im.sparse_vocab == 0 && im.multi_dim == 0 && im.passage_tokens > 0);
}

int main(void) {
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(DIR, NULL, &m, &err) == LE_OK, "%s", err.message);
    char *dir = tu_tmpdir();
    CHECK(dir != NULL);
    if (m && dir) {
        mode_names();
        run(m, dir);
        passages_hold_none(m);
    }
    if (dir) tu_rmdir(dir);
    free(dir);
    le_model_close(m);
    return check_report("model/xlmr_index");
}
