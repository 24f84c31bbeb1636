/* The index file end to end through the public API: documents written in
 * several commits (segments), replaced and deleted, read back in order;
 * exact dense search against brute force, BM25 against le_bm25 over the
 * live texts, learned sparse and MaxSim against brute force, hybrid against
 * le_fuse, compaction keeping every answer, int8 vectors, BM25-only
 * indexes, model identity refusals and the single-writer lock; corrupt
 * passage sections (every field) refused with a message that names it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/checksum.h"
#include "check.h"
#include "index/bm25.h"
#include "index/fusion.h"
#include "index/index.h"
#include "index_testutil.h"

#define DIM 32
#define MDIM 8
#define VOCAB 100

typedef struct doc {
    char id[32];
    char *text;
    float vec[DIM];
    uint32_t sp_ids[6];
    float sp_w[6];
    int n_sparse;
    float multi[4 * MDIM];
    int n_multi;
    int live;
} doc;

static doc *g_docs;
static size_t g_n, g_cap;
static uint64_t g_seed = 7;

static doc *new_doc(const char *id) {
    if (!g_docs) { /* fixed: pointers to documents are kept */
        g_cap = 2048;
        g_docs = malloc(g_cap * sizeof *g_docs);
    }
    if (g_n == g_cap) abort();
    doc *d = &g_docs[g_n++];
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    d->text = tu_text(5 + (int)(tu_uniform(&g_seed) * 40), &g_seed);
    float *v = tu_vectors(1, DIM, tu_next(&g_seed));
    memcpy(d->vec, v, sizeof d->vec);
    free(v);
    d->n_sparse = 1 + (int)(tu_uniform(&g_seed) * 6);
    for (int i = 0; i < d->n_sparse; i++) {
        d->sp_ids[i] = (uint32_t)(tu_uniform(&g_seed) * 20); /* repeats happen: max is kept */
        d->sp_w[i] = (float)tu_uniform(&g_seed);
    }
    if (d->n_sparse > 2) d->sp_w[2] = -1; /* dropped */
    d->n_multi = (int)(tu_uniform(&g_seed) * 5); /* 0..4 */
    float *mv = tu_vectors(4, MDIM, tu_next(&g_seed));
    memcpy(d->multi, mv, sizeof d->multi);
    free(mv);
    d->live = 1;
    return d;
}

static le_index_doc as_index_doc(const doc *d) {
    le_index_doc x;
    memset(&x, 0, sizeof x);
    x.id = d->id;
    x.source = "synthetic";
    x.title = d->id;
    x.text = d->text;
    x.tokens = 7;
    x.dense = d->vec;
    x.n_sparse = (size_t)d->n_sparse;
    x.sparse_ids = d->sp_ids;
    x.sparse_weights = d->sp_w;
    x.n_multi = (size_t)d->n_multi;
    x.multi = d->multi;
    return x;
}

/* the live documents in index order: every commit appends a segment, so
 * the order is the order of the g_docs entries */
static size_t live_docs(const doc **out) {
    size_t n = 0;
    for (size_t i = 0; i < g_n; i++)
        if (g_docs[i].live) out[n++] = &g_docs[i];
    return n;
}

static void kill_id(const char *id) {
    for (size_t i = 0; i < g_n; i++)
        if (g_docs[i].live && !strcmp(g_docs[i].id, id)) g_docs[i].live = 0;
}

static le_index_model synthetic_model(void) {
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.model, sizeof m.model, "synthetic");
    snprintf(m.name, sizeof m.name, "synthetic");
    snprintf(m.architecture, sizeof m.architecture, "none");
    snprintf(m.pooling, sizeof m.pooling, "mean");
    m.dim = DIM;
    m.normalize = 1;
    m.max_tokens = 512;
    m.window = 512;
    m.sparse_vocab = VOCAB;
    m.multi_dim = MDIM;
    return m;
}

static void add_batch(le_index_writer *w, doc **docs, size_t n) {
    le_index_doc *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = as_index_doc(docs[i]);
    le_error err;
    le_status st = le_index_writer_add(w, n, x, &err);
    CHECK_MSG(st == LE_OK, "%s", err.message);
    free(x);
}

/* ------------------------------------------------------------ brute force */

static double dot(const float *a, const float *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double sparse_score(const doc *d, const uint32_t *qi, const float *qw, int nq) {
    /* max per id on both sides, weights <= 0 dropped */
    double s = 0;
    for (uint32_t t = 0; t < VOCAB; t++) {
        float a = 0, b = 0;
        for (int i = 0; i < nq; i++)
            if (qi[i] == t && qw[i] > a) a = qw[i];
        for (int i = 0; i < d->n_sparse; i++)
            if (d->sp_ids[i] == t && d->sp_w[i] > b) b = d->sp_w[i];
        s += (double)a * b;
    }
    return s;
}

static double maxsim_score(const doc *d, const float *q, int nq) {
    if (!d->n_multi) return 0;
    double sum = 0;
    for (int i = 0; i < nq; i++) {
        double best = -1e30;
        for (int j = 0; j < d->n_multi; j++) {
            double v = dot(q + i * MDIM, d->multi + j * MDIM, MDIM);
            if (v > best) best = v;
        }
        sum += best;
    }
    return sum / nq;
}

/* the best k of scores[0..n), best first, ties by lower number */
static int brute_topk(const double *scores, size_t n, int k, const int *skip, le_hit *out) {
    le_topk t;
    le_topk_init(&t, out, k);
    for (size_t i = 0; i < n; i++)
        if (!skip || !skip[i]) le_topk_push(&t, (uint32_t)i, (float)scores[i]);
    return le_topk_finish(&t);
}

/* Same documents in the same order, except that documents whose scores are
 * within tol may swap places. */
static int same_ranking(const le_index_hit *a, int na, const le_hit *b, int nb, double tol) {
    if (na != nb) return 0;
    for (int i = 0; i < na; i++) {
        if (fabs((double)a[i].score - b[i].score) > tol) return 0;
        if (a[i].doc != b[i].doc) {
            /* allowed only between near-equal scores */
            int found = 0;
            for (int j = 0; j < nb; j++)
                if (b[j].doc == a[i].doc && fabs((double)b[j].score - a[i].score) <= tol) found = 1;
            if (!found) return 0;
        }
    }
    return 1;
}

static le_index *reopen(const char *path) {
    le_index *ix = NULL;
    le_error err;
    le_status st = le_index_open(path, NULL, &ix, &err);
    CHECK_MSG(st == LE_OK, "%s", err.message);
    return ix;
}

static void check_contents(le_index *ix) {
    const doc **live = malloc(g_n * sizeof *live);
    size_t n = live_docs(live);
    CHECK_EQ_INT(le_index_count(ix), n);
    for (size_t i = 0; i < n && i < le_index_count(ix); i++) {
        le_index_doc_info di;
        CHECK(le_index_get_doc(ix, i, &di, NULL) == LE_OK);
        CHECK_MSG(!strcmp(di.id, live[i]->id), "doc %zu: %s vs %s", i, di.id, live[i]->id);
        CHECK(di.text && di.text_len == strlen(live[i]->text) && !strcmp(di.text, live[i]->text));
        CHECK(!strcmp(di.source, "synthetic") && !strcmp(di.title, live[i]->id));
        CHECK_EQ_INT(le_index_find(ix, live[i]->id), (long)i);
    }
    le_error err;
    le_index_doc_info di;
    CHECK(le_index_get_doc(ix, n, &di, &err) == LE_ERR_ARG);
    CHECK_EQ_INT(le_index_find(ix, "no such id"), -1);
    free(live);
}

static void check_searches(le_index *ix, int n_queries) {
    const doc **live = malloc(g_n * sizeof *live);
    size_t n = live_docs(live);
    double *scores = malloc(n * sizeof *scores);
    le_hit *want = malloc(200 * sizeof *want);
    le_index_hit *got = malloc(200 * sizeof *got);
    le_error err;
    /* BM25 over the live texts, as the benchmark would build it */
    const char **texts = malloc(n * sizeof *texts);
    for (size_t i = 0; i < n; i++) texts[i] = live[i]->text;
    le_bm25 ref;
    le_analyzer_options ao = {1};
    CHECK(le_bm25_build(&ref, n, texts, NULL, &ao, &err) == LE_OK);
    le_bm25_scratch scr = {0};
    uint64_t qs = 99;
    for (int qn = 0; qn < n_queries; qn++) {
        float *qv = tu_vectors(1, DIM, tu_next(&qs));
        char *qt = tu_text(3, &qs);
        uint32_t qi[5];
        float qw[5];
        for (int i = 0; i < 5; i++) {
            qi[i] = (uint32_t)(tu_uniform(&qs) * 20);
            qw[i] = (float)tu_uniform(&qs);
        }
        float *qm = tu_vectors(3, MDIM, tu_next(&qs));
        le_index_query q = {qt, 0, qv, 5, qi, qw, 3, qm};
        le_search_options so;
        le_search_options_init(&so);
        so.k = 10;
        so.exact = 1;
        int ng = 0;
        /* dense */
        for (size_t i = 0; i < n; i++) scores[i] = dot(qv, live[i]->vec, DIM);
        int nw = brute_topk(scores, n, 10, NULL, want);
        CHECK(le_index_search(ix, &q, &so, got, &ng, &err) == LE_OK);
        CHECK_MSG(same_ranking(got, ng, want, nw, 1e-5), "dense query %d", qn);
        for (int i = 0; i < ng; i++) CHECK(got[i].dense == got[i].score && isnan(got[i].bm25));
        /* bm25: the very numbers of le_bm25_search over the live texts */
        so.mode = LE_SEARCH_BM25;
        le_hit bw[10];
        int nb = 0;
        CHECK(le_bm25_search(&ref, NULL, qt, strlen(qt), 10, &scr, bw, &nb, &err) == LE_OK);
        CHECK(le_index_search(ix, &q, &so, got, &ng, &err) == LE_OK);
        CHECK_EQ_INT(ng, nb);
        for (int i = 0; i < ng && i < nb; i++)
            CHECK_MSG(got[i].doc == bw[i].doc && got[i].score == bw[i].score,
                      "bm25 query %d rank %d: %zu %g vs %u %g", qn, i, got[i].doc,
                      (double)got[i].score, bw[i].doc, (double)bw[i].score);
        /* learned sparse */
        so.mode = LE_SEARCH_SPARSE;
        int skip_zero[4096] = {0};
        for (size_t i = 0; i < n; i++) {
            scores[i] = sparse_score(live[i], qi, qw, 5);
            skip_zero[i] = scores[i] == 0;
        }
        nw = brute_topk(scores, n, 10, skip_zero, want);
        CHECK(le_index_search(ix, &q, &so, got, &ng, &err) == LE_OK);
        CHECK_MSG(same_ranking(got, ng, want, nw, 1e-5), "sparse query %d (%d vs %d hits)", qn, ng, nw);
        /* MaxSim over every document */
        so.mode = LE_SEARCH_MULTI;
        for (size_t i = 0; i < n; i++) scores[i] = maxsim_score(live[i], qm, 3);
        nw = brute_topk(scores, n, 10, NULL, want);
        CHECK(le_index_search(ix, &q, &so, got, &ng, &err) == LE_OK);
        CHECK_MSG(same_ranking(got, ng, want, nw, 1e-5), "multi query %d", qn);
        /* hybrid: le_fuse over the dense and BM25 candidate lists */
        for (int fuse = 0; fuse < 2; fuse++) {
            so.mode = LE_SEARCH_HYBRID;
            so.fuse = fuse ? LE_FUSE_RRF : LE_FUSE_WEIGHTED;
            so.candidates = 30;
            so.dense_weight = 0.7;
            so.bm25_weight = 0.3;
            q.n_sparse = 0; /* dense + bm25 only */
            le_hit ld[30], lb[30], fz[30];
            for (size_t i = 0; i < n; i++) scores[i] = dot(qv, live[i]->vec, DIM);
            int nd = brute_topk(scores, n, 30, NULL, ld);
            CHECK(le_bm25_search(&ref, NULL, qt, strlen(qt), 30, &scr, lb, &nb, &err) == LE_OK);
            /* the index's dense scores come from the GEMM: use its own list */
            le_search_options dso;
            le_search_options_init(&dso);
            dso.k = 30;
            dso.exact = 1;
            le_index_hit dh[30];
            int ndh = 0;
            CHECK(le_index_search(ix, &q, &dso, dh, &ndh, &err) == LE_OK);
            CHECK(same_ranking(dh, ndh, ld, nd, 1e-5));
            for (int i = 0; i < ndh; i++) ld[i] = (le_hit){(uint32_t)dh[i].doc, dh[i].score};
            const le_hit *lists[2] = {ld, lb};
            int counts[2] = {ndh, nb};
            double wts[2] = {0.7, 0.3};
            int nf = 0;
            CHECK(le_fuse(fuse ? LE_FUSION_RRF : LE_FUSION_MINMAX, 2, lists, counts, wts, NULL, 60, 10, fz,
                          &nf, &err) == LE_OK);
            CHECK(le_index_search(ix, &q, &so, got, &ng, &err) == LE_OK);
            CHECK_EQ_INT(ng, nf);
            for (int i = 0; i < ng && i < nf; i++)
                CHECK_MSG(got[i].doc == fz[i].doc && got[i].score == fz[i].score,
                          "hybrid %d query %d rank %d", fuse, qn, i);
            q.n_sparse = 5;
            so.candidates = 0;
        }
        /* re-ranking dense candidates by MaxSim */
        so.mode = LE_SEARCH_DENSE;
        so.rerank = 1;
        so.candidates = 25;
        le_hit cands[25];
        for (size_t i = 0; i < n; i++) scores[i] = dot(qv, live[i]->vec, DIM);
        int nc = brute_topk(scores, n, 25, NULL, cands);
        int in_cands[4096] = {0};
        for (size_t i = 0; i < n; i++) in_cands[i] = 1;
        for (int i = 0; i < nc; i++) in_cands[cands[i].doc] = 0;
        for (size_t i = 0; i < n; i++) scores[i] = maxsim_score(live[i], qm, 3);
        nw = brute_topk(scores, n, 10, in_cands, want);
        CHECK(le_index_search(ix, &q, &so, got, &ng, &err) == LE_OK);
        CHECK_MSG(same_ranking(got, ng, want, nw, 1e-5), "rerank query %d", qn);
        for (int i = 0; i < ng; i++) CHECK(got[i].multi == got[i].score && !isnan(got[i].dense));
        free(qv);
        free(qt);
        free(qm);
    }
    le_bm25_scratch_free(&scr);
    le_bm25_free(&ref);
    free(texts);
    free(scores);
    free(want);
    free(got);
    free(live);
}

static void test_segments(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/a.lei", dir);
    le_index_model m = synthetic_model();
    le_index_options o;
    le_index_options_init(&o);
    o.hnsw_min_docs = 1 << 30; /* exact everywhere: compared with brute force */
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, &m, &o, &w, &err) == LE_OK);
    if (!w) return;
    /* three commits, three segments */
    char id[32];
    for (int c = 0; c < 3; c++) {
        doc *batch[100];
        for (int i = 0; i < 100; i++) {
            snprintf(id, sizeof id, "doc-%d", c * 100 + i);
            batch[i] = new_doc(id);
        }
        add_batch(w, batch, 100);
        CHECK_EQ_INT(le_index_writer_pending(w), 100);
        CHECK(le_index_writer_commit(w, &err) == LE_OK);
        CHECK_EQ_INT(le_index_writer_pending(w), 0);
    }
    /* replace 20 (the same id twice in one batch: the later one wins), delete 15 */
    doc *rep[21];
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "doc-%d", i * 7);
        kill_id(id);
        rep[i] = new_doc(id);
    }
    rep[20] = new_doc("doc-0");
    rep[0]->live = 0;
    add_batch(w, rep, 21);
    const char *dels[16];
    char delbuf[16][32];
    for (int i = 0; i < 15; i++) {
        snprintf(delbuf[i], sizeof delbuf[i], "doc-%d", 150 + i * 3);
        dels[i] = delbuf[i];
        kill_id(delbuf[i]);
    }
    dels[15] = "no-such-document";
    size_t found = 0;
    CHECK(le_index_writer_delete(w, 16, dels, &found, &err) == LE_OK);
    CHECK_EQ_INT(found, 15);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    /* an uncommitted change is invisible, and dropped on close */
    doc *ghost = new_doc("ghost");
    add_batch(w, &ghost, 1);
    ghost->live = 0;
    le_index *ix = reopen(path);
    if (!ix) return;
    le_index_info info;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.segments, 4);
    CHECK_EQ_INT(info.deleted, 35);
    CHECK_EQ_INT(info.docs, 285);
    CHECK_EQ_INT(info.model.dim, DIM);
    check_contents(ix);
    check_searches(ix, 12);
    le_index_close(ix);
    le_index_writer_close(w); /* drops the ghost */
    /* compaction: one segment, the same documents in the same order, the same answers */
    CHECK(le_index_writer_open(path, NULL, &o, &w, &err) == LE_OK);
    CHECK(le_index_writer_compact(w, &err) == LE_OK);
    le_index_writer_close(w);
    ix = reopen(path);
    if (!ix) return;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.segments, 1);
    CHECK_EQ_INT(info.deleted, 0);
    CHECK_EQ_INT(info.docs, 285);
    check_contents(ix);
    check_searches(ix, 6);
    le_index_close(ix);
    CHECK(le_index_verify(path, 1, &info, &err) == LE_OK);
    /* many small commits stay at most max_segments segments */
    o.max_segments = 3;
    CHECK(le_index_writer_open(path, NULL, &o, &w, &err) == LE_OK);
    for (int c = 0; c < 5; c++) {
        snprintf(id, sizeof id, "small-%d", c);
        doc *d = new_doc(id);
        add_batch(w, &d, 1);
        CHECK(le_index_writer_commit(w, &err) == LE_OK);
    }
    le_index_writer_close(w);
    ix = reopen(path);
    if (!ix) return;
    le_index_get_info(ix, &info);
    CHECK_MSG(info.segments <= 3, "%d segments", info.segments);
    check_contents(ix);
    check_searches(ix, 3);
    le_index_close(ix);
}

/* HNSW segments, int8 vectors */
static void test_graph_and_int8(const char *dir) {
    for (int enc = 0; enc < 2; enc++) {
        char path[512];
        snprintf(path, sizeof path, "%s/g%d.lei", dir, enc);
        le_index_model m;
        le_index_model_init(&m);
        snprintf(m.name, sizeof m.name, "synthetic");
        m.dim = DIM;
        le_index_options o;
        le_index_options_init(&o);
        o.hnsw_min_docs = 500;
        o.encoding = enc ? LE_VEC_I8 : LE_VEC_F32;
        le_index_writer *w = NULL;
        le_error err;
        CHECK(le_index_writer_open(path, &m, &o, &w, &err) == LE_OK);
        if (!w) return;
        size_t n = 3000;
        float *v = tu_vectors(n, DIM, 5 + (uint64_t)enc);
        le_index_doc *d = calloc(n, sizeof *d);
        char (*ids)[16] = malloc(n * sizeof *ids);
        for (size_t i = 0; i < n; i++) {
            snprintf(ids[i], sizeof ids[i], "v%zu", i);
            d[i].id = ids[i];
            d[i].dense = v + i * DIM;
        }
        CHECK(le_index_writer_add(w, n, d, &err) == LE_OK);
        CHECK(le_index_writer_commit(w, &err) == LE_OK);
        /* delete a few: the graph walks through them but never returns them */
        const char *del[3] = {"v1", "v2", "v3"};
        CHECK(le_index_writer_delete(w, 3, del, NULL, &err) == LE_OK);
        CHECK(le_index_writer_commit(w, &err) == LE_OK);
        le_index_writer_close(w);
        le_index *ix = reopen(path);
        if (!ix) return;
        le_index_info info;
        le_index_get_info(ix, &info);
        CHECK_EQ_INT(info.segments_with_graph, 1);
        CHECK_EQ_INT(info.encoding, enc ? LE_VEC_I8 : LE_VEC_F32);
        float *qv = tu_vectors(50, DIM, 77);
        int hits = 0, top1 = 0;
        for (int qi = 0; qi < 50; qi++) {
            le_index_query q = {0};
            q.dense = qv + qi * DIM;
            le_search_options so;
            le_search_options_init(&so);
            so.k = 10;
            so.exact = 1;
            le_index_hit ex[10], ap[10];
            int ne = 0, na = 0;
            CHECK(le_index_search(ix, &q, &so, ex, &ne, &err) == LE_OK);
            so.exact = 0;
            so.ef = 64;
            CHECK(le_index_search(ix, &q, &so, ap, &na, &err) == LE_OK);
            CHECK_EQ_INT(na, 10);
            for (int a = 0; a < na; a++) {
                le_index_doc_info di;
                le_index_get_doc(ix, ap[a].doc, &di, NULL);
                CHECK(strcmp(di.id, "v1") && strcmp(di.id, "v2") && strcmp(di.id, "v3"));
                for (int b = 0; b < ne; b++) hits += ap[a].doc == ex[b].doc;
            }
            /* int8 scores are within the quantisation error of fp32 */
            le_index_doc_info di;
            le_index_get_doc(ix, ex[0].doc, &di, NULL);
            size_t orig = (size_t)atol(di.id + 1);
            double s = dot(q.dense, v + orig * DIM, DIM);
            CHECK_NEAR(ex[0].score, s, enc ? 0.02 : 1e-5);
            /* the best by fp32 brute force ranks first */
            double best = -2;
            size_t bi = 0;
            for (size_t i = 4; i < n; i++) {
                double x = dot(q.dense, v + i * DIM, DIM);
                if (x > best) best = x, bi = i;
            }
            top1 += orig == bi;
        }
        double recall = hits / 500.0;
        CHECK_MSG(recall >= 0.95, "encoding %d: HNSW recall@10 %.3f with ef 64 over 3000 vectors", enc, recall);
        CHECK_MSG(top1 >= (enc ? 45 : 50), "encoding %d: top-1 %d of 50", enc, top1);
        le_index_close(ix);
        free(qv);
        free(v);
        free(d);
        free(ids);
    }
}

static void test_bm25_only(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/b.lei", dir);
    le_index_options o;
    le_index_options_init(&o);
    o.stopwords = 0;
    o.store_text = 0;
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, NULL, &o, &w, &err) == LE_OK);
    if (!w) return;
    le_index_doc d[3];
    memset(d, 0, sizeof d);
    const char *texts[3] = {"the river and the mill", "a loaf of bread", "the lease of the mill"};
    const char *ids[3] = {"r", "b", "l"};
    for (int i = 0; i < 3; i++) {
        d[i].id = ids[i];
        d[i].text = texts[i];
        d[i].source = "src.txt";
        d[i].source_offset = (uint64_t)i * 100;
    }
    CHECK(le_index_writer_add(w, 3, d, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    le_index *ix = reopen(path);
    if (!ix) return;
    le_index_info info;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.model.dim, 0);
    CHECK_EQ_INT(info.stopwords, 0);
    CHECK_EQ_INT(info.store_text, 0);
    le_index_doc_info di;
    CHECK(le_index_get_doc(ix, 2, &di, NULL) == LE_OK);
    CHECK(di.text == NULL && di.source_offset == 200 && di.text_len == strlen(texts[2]));
    le_index_hit h[3];
    int n = 0;
    /* NULL options: BM25 for an index without vectors; "the" is kept */
    le_index_query q = {"the mill", 0, NULL, 0, NULL, NULL, 0, NULL};
    CHECK(le_index_search(ix, &q, NULL, h, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2);
    le_search_options so;
    le_search_options_init(&so);
    CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "no dense vectors");
    so.mode = LE_SEARCH_HYBRID; /* without vectors: BM25 alone */
    CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2);
    so.mode = LE_SEARCH_SPARSE;
    CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_ERR_ARG);
    so.mode = LE_SEARCH_MULTI;
    CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_ERR_ARG);
    le_index_close(ix);
    /* a model is refused by a BM25-only index that holds documents */
    le_index_model m = synthetic_model();
    CHECK(le_index_writer_open(path, &m, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "BM25 only");
    CHECK(le_index_verify(path, 0, NULL, &err) == LE_OK);
    CHECK(le_index_verify(path, 1, NULL, &err) == LE_OK); /* texts not stored: lengths only */
}

static void test_identity_and_lock(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/id.lei", dir);
    le_index_model m = synthetic_model();
    le_index_writer *w = NULL, *w2 = NULL;
    le_error err;
    /* an index that never held a document takes a new identity */
    CHECK(le_index_writer_open(path, &m, NULL, &w, &err) == LE_OK);
    le_index_writer_close(w);
    le_index_model m2 = m;
    m2.extend = LE_EXTEND_PI;
    m2.max_tokens = 8192;
    CHECK(le_index_writer_open(path, &m2, NULL, &w, &err) == LE_OK);
    CHECK(w && le_index_writer_model(w)->extend == LE_EXTEND_PI);
    doc *d = new_doc("x");
    d->live = 0;
    add_batch(w, &d, 1);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    /* one writer at a time */
    CHECK(le_index_writer_open(path, NULL, NULL, &w2, &err) == LE_ERR_IO);
    CHECK_STR_CONTAINS(err.message, "locked by another writer");
    le_index_writer_close(w);
    /* now it holds a document: another method, model or size is refused */
    CHECK(le_index_writer_open(path, &m, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "extension method none instead of pi");
    m2.dim = 16;
    CHECK(le_index_writer_open(path, &m2, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "dimensions 16 instead of 32");
    m2 = m;
    m2.extend = LE_EXTEND_PI;
    m2.max_tokens = 8192;
    snprintf(m2.name, sizeof m2.name, "other");
    CHECK(le_index_writer_open(path, &m2, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "model \"other\" instead of \"synthetic\"");
    /* the same identity reached by another spec (alias vs directory) is fine */
    snprintf(m2.name, sizeof m2.name, "synthetic");
    snprintf(m2.model, sizeof m2.model, "/somewhere/synthetic");
    CHECK(le_index_writer_open(path, &m2, NULL, &w, &err) == LE_OK);
    le_index_writer_close(w);
    char msg[256];
    CHECK(le_index_model_differs(&m, &m, msg, sizeof msg) == 0);
}

static void test_empty(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/e.lei", dir);
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, NULL, NULL, &w, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    CHECK(le_index_writer_compact(w, &err) == LE_OK);
    le_index_writer_close(w);
    le_index *ix = reopen(path);
    if (!ix) return;
    CHECK_EQ_INT(le_index_count(ix), 0);
    le_index_hit h[1];
    int n = 5;
    le_index_query q = {"anything", 0, NULL, 0, NULL, NULL, 0, NULL};
    CHECK(le_index_search(ix, &q, NULL, h, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 0);
    le_index_close(ix);
    CHECK(le_index_open("/nonexistent/x.lei", NULL, &ix, &err) == LE_ERR_IO);
    le_search_mode sm;
    CHECK(le_search_mode_parse("hybrid", &sm, &err) == LE_OK && sm == LE_SEARCH_HYBRID);
    CHECK(le_search_mode_parse("fuzzy", &sm, &err) == LE_ERR_ARG);
    CHECK(!strcmp(le_search_mode_name(LE_SEARCH_BM25), "bm25"));
}


/* ------------------------------------------------- corrupt passage sections */

typedef struct image {
    unsigned char *b;
    size_t n;
} image;

static uint64_t ld64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static uint32_t ld32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static void st32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void st64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static unsigned char *manifest_of(const image *m) { return m->b + ld64(m->b + LE_HDR_MANIFEST_OFF); }

/* The table row and the start of segment i. */
static unsigned char *seg_row(const image *m, int i) {
    return manifest_of(m) + LE_MF_SEG_TABLE + (size_t)i * LE_MF_SEG_ENTRY;
}
static unsigned char *seg_base(const image *m, int i) { return m->b + ld64(seg_row(m, i)); }

/* The directory entry of the section of this kind in segment i (NULL: none). */
static unsigned char *sec_entry(const image *m, int i, uint32_t kind) {
    unsigned char *g = seg_base(m, i);
    for (uint32_t k = 0; k < ld32(g + LE_SEG_N_SECTIONS); k++) {
        unsigned char *e = g + LE_SEG_DIR_SIZE + k * LE_SEG_ENTRY_SIZE;
        if (ld32(e) == kind) return e;
    }
    return NULL;
}
static unsigned char *sec_data(const image *m, int i, uint32_t kind) {
    unsigned char *e = sec_entry(m, i, kind);
    return e ? seg_base(m, i) + ld64(e + 8) : NULL;
}

/* Recomputes every checksum of the chain (sections, directories, manifest,
 * header), so an edit reaches the structural checks of a checking reader. */
static void fix_checksums(image *m) {
    unsigned char *mf = manifest_of(m);
    for (uint32_t i = 0; i < ld32(mf + 8); i++) {
        unsigned char *row = seg_row(m, (int)i), *g = seg_base(m, (int)i);
        uint64_t glen = ld64(row + 8);
        uint32_t ns = ld32(g + LE_SEG_N_SECTIONS);
        for (uint32_t k = 0; k < ns; k++) {
            unsigned char *e = g + LE_SEG_DIR_SIZE + k * LE_SEG_ENTRY_SIZE;
            uint64_t off = ld64(e + 8), len = ld64(e + 16);
            if (off <= glen && len <= glen - off) st32(e + 4, le_crc32c(g + off, (size_t)len));
        }
        st32(row + 24, le_crc32c(g, LE_SEG_DIR_SIZE + (size_t)ns * LE_SEG_ENTRY_SIZE));
    }
    st32(m->b + LE_HDR_MANIFEST_CRC, le_crc32c(mf, (size_t)ld64(m->b + LE_HDR_MANIFEST_LEN)));
    st32(m->b + LE_HDR_CRC, le_crc32c(m->b, LE_HDR_CRC));
}

/* Writes m (checksums fixed unless raw) to path and opens it: LE_ERR_FORMAT
 * with msg in the message, or (msg NULL) success. */
static void expect_open(const image *m, const char *path, int raw, const char *msg, const char *what) {
    image c = {malloc(m->n), m->n};
    memcpy(c.b, m->b, m->n);
    if (!raw) fix_checksums(&c);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(c.b, 1, c.n, f);
        fclose(f);
    }
    free(c.b);
    le_index *ix = NULL;
    le_error err;
    le_status st = le_index_open(path, NULL, &ix, &err);
    if (msg) {
        CHECK_MSG(st == LE_ERR_FORMAT, "%s: opened (status %d)", what, (int)st);
        if (st) CHECK_MSG(strstr(err.message, msg), "%s: \"%s\" lacks \"%s\"", what, err.message, msg);
    } else {
        CHECK_MSG(st == LE_OK, "%s: %s", what, err.message);
    }
    le_index_close(ix);
}

static void expect_deep(const image *m, const char *path, const char *msg, const char *what) {
    expect_open(m, path, 0, NULL, what);
    le_error err;
    CHECK_MSG(le_index_verify(path, 0, NULL, &err) == LE_OK, "%s: %s", what, err.message);
    CHECK_MSG(le_index_verify(path, 1, NULL, &err) == LE_ERR_FORMAT, "%s: deep verify passed", what);
    CHECK_MSG(strstr(err.message, msg), "%s: \"%s\" lacks \"%s\"", what, err.message, msg);
}

/* A small index with passages (encoding enc) as an image in memory. */
static image passage_image(const char *path, int enc, int passages) {
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.name, sizeof m.name, "synthetic");
    m.dim = 4;
    m.passage_tokens = passages ? 8 : 0;
    le_index_options o;
    le_index_options_init(&o);
    o.encoding = enc ? LE_VEC_I8 : LE_VEC_F32;
    le_index_writer *w = NULL;
    le_error err;
    image im = {0};
    CHECK(le_index_writer_open(path, &m, &o, &w, &err) == LE_OK);
    if (!w) return im;
    const char *texts[3] = {"caf\xc3\xa9 au lait, the river mill", "bread and salt", "the lease"};
    le_passage sp[3][2] = {{{0, 0, 8, 0, 3, 1}, {0, 6, 29, 2, 7, 1}},
                           {{0, 0, 14, 0, 3, 1}, {0, 0, 14, 0, 3, 0}},
                           {{0, 0, 9, 0, 2, 1}, {0, 4, 9, 1, 2, 1}}};
    float v[2 * 4] = {1, 0, 0, 0, 0, 0.6f, 0.8f, 0};
    le_index_doc d[3];
    le_index_doc_passages p[3];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 3; i++) {
        d[i].id = (const char *[]){"a", "b", "c"}[i];
        d[i].text = texts[i];
        d[i].dense = v;
        p[i] = (le_index_doc_passages){2, sp[i], v};
    }
    CHECK(le_index_writer_add_passages(w, 3, d, passages ? p : NULL, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    FILE *f = fopen(path, "rb");
    if (!f) return im;
    fseek(f, 0, SEEK_END);
    im.n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    im.b = malloc(im.n);
    if (fread(im.b, 1, im.n, f) != im.n) im.n = 0;
    fclose(f);
    return im;
}

/* Every field of the passage offsets and spans, and the sections' shape. */
static void corrupt_passage_fields(image *m, const char *path) {
    image c = {malloc(m->n), m->n};
    memcpy(c.b, m->b, m->n); /* the pointers below are into c's copy */
#define EDIT(what, msg, ...)                  \
    do {                                      \
        memcpy(c.b, m->b, m->n);              \
        __VA_ARGS__;                          \
        expect_open(&c, path, 0, msg, what);  \
    } while (0)
    uint64_t *off = (uint64_t *)(void *)(sec_data(&c, 0, LE_SEC_PASS_OFF));
    le_pass_rec *r = (le_pass_rec *)(void *)sec_data(&c, 0, LE_SEC_PASS_SPANS);
    EDIT("first offset", "do not run from 0", off[0] = 1);
    EDIT("last offset", "do not run from 0", off[3] = 7);
    EDIT("a document without passages", "do not rise", off[1] = 0);
    EDIT("offsets past the end", "do not rise", off[1] = 9);
    EDIT("byte end past the text", "spans bytes", r[1].byte_end = 30);
    EDIT("byte start after end", "spans bytes", r[2].byte_start = 15);
    EDIT("token start after end", "spans tokens", r[3].token_start = 4);
    EDIT("token end past int", "spans tokens", r[5].token_end = 0x80000000u);
    EDIT("unknown flags", "unknown flags", r[0].flags = 2);
    EDIT("reserved field", "reserved", r[4].zero = 1);
    unsigned char *g = seg_base(&c, 0);
    EDIT("passage count", "passage spans section has", st64(g + LE_SEG_PASSAGES, 7));
    EDIT("no passage count", "section has", st64(g + LE_SEG_PASSAGES, 0));
    unsigned char *e = sec_entry(&c, 0, LE_SEC_PASS_SPANS);
    EDIT("unknown kind", "unknown section kind", st32(e, LE_SEC_KINDS));
    EDIT("missing kind", "two passage offsets", st32(e, LE_SEC_PASS_OFF));
    EDIT("spans length", "passage spans section has", st64(e + 16, 5 * 32));
    memcpy(c.b, m->b, m->n);
    r[0].byte_end = 7; /* a byte changed, the checksums not fixed */
    expect_open(&c, path, 1, "passage spans section checksum", "checksum");
    unsigned char *ints = manifest_of(&c) + LE_MF_INTS;
    EDIT("overlap >= tokens", "bad passage settings", st32(ints + 4 * 22, 8));
    EDIT("unknown mode", "bad passage settings", st32(ints + 4 * 23, 2));
    EDIT("negative tokens", "bad passage settings", st32(ints + 4 * 21, 0xFFFFFFFFu));
    EDIT("no passages", "passages the index does not declare", st32(ints + 4 * 21, 0));
    EDIT("version 1 with passages", "version-1 file has passage settings",
         st32(c.b + LE_HDR_VERSION, 1));
#undef EDIT
    free(c.b);
}

/* What only le_index_verify --deep sees: order, characters, finite vectors. */
static void corrupt_passage_deep(image *m, const char *path, int enc) {
    image c = {malloc(m->n), m->n};
    memcpy(c.b, m->b, m->n);
    le_pass_rec *r = (le_pass_rec *)(void *)sec_data(&c, 0, LE_SEC_PASS_SPANS);
    le_pass_rec t = r[0];
    r[0] = r[1];
    r[1] = t;
    expect_deep(&c, path, "before the one before", "swapped spans");
    memcpy(c.b, m->b, m->n);
    r[0].byte_end = 4; /* inside "é" */
    expect_deep(&c, path, "on characters", "span inside a character");
    memcpy(c.b, m->b, m->n);
    float nan = NAN;
    if (enc) memcpy(sec_data(&c, 0, LE_SEC_PASS_SCALE) + 4, &nan, 4);
    else memcpy(sec_data(&c, 0, LE_SEC_PASS_F32) + 20, &nan, 4);
    expect_deep(&c, path, "non-finite", "NaN vector");
    free(c.b);
}

static void test_corrupt_passages(const char *dir) {
    char path[512], bad[512];
    snprintf(bad, sizeof bad, "%s/corrupt.lei", dir);
    for (int enc = 0; enc < 2; enc++) {
        snprintf(path, sizeof path, "%s/pass%d.lei", dir, enc);
        image m = passage_image(path, enc, 1);
        if (!m.b) continue;
        expect_open(&m, bad, 0, NULL, "the clean image");
        corrupt_passage_fields(&m, bad);
        corrupt_passage_deep(&m, bad, enc);
        if (enc) {
            image c = {malloc(m.n), m.n};
            memcpy(c.b, m.b, m.n);
            st64(sec_entry(&c, 0, LE_SEC_PASS_SCALE) + 16, 4);
            expect_open(&c, bad, 0, "passage scales section has", "scales length");
            free(c.b);
        }
        free(m.b);
    }
    /* a passage count in an index without passages */
    snprintf(path, sizeof path, "%s/nopass.lei", dir);
    image m = passage_image(path, 0, 0);
    if (!m.b) return;
    st64(seg_base(&m, 0) + LE_SEG_PASSAGES, 6);
    expect_open(&m, bad, 0, "passages the index does not declare", "count without passages");
    free(m.b);
}

int main(void) {
    char *dir = tu_tmpdir();
    if (!dir) return 1;
    test_segments(dir);
    test_graph_and_int8(dir);
    test_bm25_only(dir);
    test_identity_and_lock(dir);
    test_empty(dir);
    test_corrupt_passages(dir);
    for (size_t i = 0; i < g_n; i++) free(g_docs[i].text);
    free(g_docs);
    tu_rmdir(dir);
    free(dir);
    return check_report("index/test_index_format");
}
