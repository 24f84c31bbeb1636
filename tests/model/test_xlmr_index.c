/* A BGE-M3 model fills the index's learned-sparse and multi-vector sections
 * (tests/fixtures/bge-m3-tiny): the identity declares them, add_texts
 * stores every document's lexical weights and ColBERT vectors, and
 * search_text in sparse and multi mode ranks by FlagEmbedding's lexical
 * matching and ColBERT scores (le_m3_score) with the same values, and m3
 * by compute_score's weighted sum; hybrid runs with the sparse list; an
 * index with passages holds each document's outputs over its passages. */
#include "../index/index_testutil.h"
#include "check.h"
#include "embed/m3.h"
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

/* An index of docs_text with identity im at path, embedded by m; NULL on
 * failure. */
static le_index *build_index(le_model *m, const char *path, const le_index_model *im) {
    le_error err;
    le_index_writer *w = NULL;
    CHECK_MSG(le_index_writer_open(path, im, NULL, &w, &err) == LE_OK, "%s", err.message);
    if (!w) return NULL;
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
    return ix;
}

static void run(le_model *m, const char *dir) {
    le_index_model im;
    le_error err;
    CHECK(le_index_model_describe(m, DIR, NULL, &im, &err) == LE_OK);
    CHECK_EQ_INT(im.multi_dim, 32);
    CHECK(im.sparse_vocab >= 3002);
    char path[512];
    snprintf(path, sizeof path, "%s/m3.idx", dir);
    le_index *ix = build_index(m, path, &im);
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

/* An index of docs_text with passages of `tokens` (0: the model's window)
 * at path; NULL on failure. */
static le_index *passage_index(le_model *m, const char *path, int tokens) {
    le_index_model im;
    le_error err;
    le_passage_options po;
    le_passage_options_init(&po);
    po.tokens = tokens;
    CHECK(le_index_model_describe(m, DIR, NULL, &im, &err) == LE_OK);
    CHECK(le_index_model_set_passages(&im, m, &po, &err) == LE_OK);
    /* BGE-M3's outputs are kept beside passages */
    CHECK(im.sparse_vocab >= 3002 && im.multi_dim == 32 && im.passage_tokens > 0);
    return build_index(m, path, &im);
}

/* What a document of passages ps[0..np) should hold: the lexical weights'
 * maximum per id over the passages' and their ColBERT vectors together
 * (each passage embedded alone, as chunk mode embeds it), into *out. */
static void union_of(const le_m3_output *ps, size_t np, le_m3_output *out) {
    size_t nl = 0, nc = 0;
    for (size_t p = 0; p < np; p++) nl += ps[p].n_lexical, nc += ps[p].n_colbert;
    memset(out, 0, sizeof *out);
    out->lexical_ids = malloc((nl + 1) * sizeof *out->lexical_ids);
    out->lexical_weights = malloc((nl + 1) * sizeof *out->lexical_weights);
    out->colbert = malloc((nc + 1) * 32 * sizeof *out->colbert);
    out->colbert_dim = 32;
    for (int32_t id = 0; id < 3002; id++) { /* ascending ids, the maximum of each */
        float best = 0;
        for (size_t p = 0; p < np; p++)
            for (size_t j = 0; j < ps[p].n_lexical; j++)
                if (ps[p].lexical_ids[j] == id && ps[p].lexical_weights[j] > best)
                    best = ps[p].lexical_weights[j];
        if (best > 0) {
            out->lexical_ids[out->n_lexical] = id;
            out->lexical_weights[out->n_lexical++] = best;
        }
    }
    for (size_t p = 0; p < np; p++) {
        memcpy(out->colbert + out->n_colbert * 32, ps[p].colbert,
               ps[p].n_colbert * 32 * sizeof *out->colbert);
        out->n_colbert += ps[p].n_colbert;
    }
}

/* Checks one m3 hit of an index with passages against the passages of its
 * document embedded alone from their token ids (as chunk mode embeds them):
 * dense = the best passage's (which the hit names), sparse and colbert =
 * le_m3_score against the union of the passages' outputs. */
static void check_passage_hit(le_index *ix, le_model *m, const le_m3_output *qo,
                              const le_index_hit *h, const le_hit_passage *where) {
    size_t np = le_index_doc_passages_count(ix, h->doc), nt = 0;
    le_m3_output *ps = calloc(np, sizeof *ps);
    const int32_t **ids = calloc(np, sizeof *ids);
    size_t *lens = calloc(np, sizeof *lens);
    int32_t all[1024];
    le_error err;
    le_index_doc_info di;
    le_index_get_doc(ix, h->doc, &di, NULL);
    CHECK(le_tokenize(m, di.text, strlen(di.text), 0, all, 1024, &nt, &err) == LE_OK && nt < 1024);
    for (size_t p = 0; p < np; p++) {
        le_passage pa;
        CHECK(le_index_get_passage(ix, h->doc, p, &pa, &err) == LE_OK);
        ids[p] = all + pa.token_start;
        lens[p] = (size_t)(pa.token_end - pa.token_start);
    }
    CHECK_MSG(le_embed_m3_tokens(m, np, ids, lens, NULL, ps, NULL, &err) == LE_OK, "%s",
              err.message);
    double best = -2;
    long best_p = -1;
    for (size_t p = 0; p < np; p++) {
        le_m3_scores sc;
        le_m3_score(qo, &ps[p], NULL, &sc);
        if (sc.dense > best) best = sc.dense, best_p = (long)p;
    }
    le_m3_output u;
    union_of(ps, np, &u);
    le_m3_scores sc;
    le_m3_score(qo, &u, NULL, &sc);
    CHECK_MSG(fabs(h->dense - best) < 1e-5 && fabs(h->sparse - sc.sparse) < 1e-5 &&
                  fabs(h->multi - sc.colbert) < 1e-5,
              "doc %zu (%zu passages): dense %g/%g sparse %g/%g colbert %g/%g", h->doc, np,
              (double)h->dense, best, (double)h->sparse, sc.sparse, (double)h->multi, sc.colbert);
    CHECK_EQ_INT((int)where->passage, (int)best_p);
    le_m3_output_free(ps, np);
    le_m3_output_free(&u, 1);
    free(ps);
    free(ids);
    free(lens);
}

/* search --mode m3 on an index with passages: with the model's window every
 * document is one passage and its scores are le_m3_score's on the whole
 * text; with passages of 8 tokens a document holds the union of its
 * passages' outputs and scores its best passage's dense score. */
static void passages_m3(le_model *m, const char *dir, int tokens) {
    char path[512];
    snprintf(path, sizeof path, "%s/m3p%d.idx", dir, tokens);
    le_index *ix = passage_index(m, path, tokens);
    if (!ix) return;
    const char *q = "What is BGE M3? lexical matching";
    le_m3_output qo;
    le_error err;
    CHECK(le_embed_m3(m, 1, &q, NULL, NULL, &qo, NULL, &err) == LE_OK);
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_M3;
    so.k = N;
    le_hit_passage where[N];
    so.passages = where;
    le_index_hit hits[N];
    int n = 0;
    CHECK_MSG(le_index_search_text(ix, m, q, &so, hits, &n, &err) == LE_OK, "%s", err.message);
    CHECK_EQ_INT(n, N);
    size_t most = 0;
    for (int i = 0; i < n; i++) {
        size_t np = le_index_doc_passages_count(ix, hits[i].doc);
        if (np > most) most = np;
        check_passage_hit(ix, m, &qo, &hits[i], &where[i]);
        double want = 0.4 * hits[i].dense + 0.2 * hits[i].sparse + 0.4 * hits[i].multi;
        CHECK(fabs(hits[i].score - want) < 1e-6);
        if (i) CHECK(hits[i].score <= hits[i - 1].score);
    }
    CHECK(tokens ? most >= 3 : most == 1);
    le_m3_output_free(&qo, 1);
    le_index_close(ix);
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
        passages_m3(m, dir, 0);
        passages_m3(m, dir, 8);
    }
    if (dir) tu_rmdir(dir);
    free(dir);
    le_model_close(m);
    return check_report("model/xlmr_index");
}
