/* Passages in the index (format version 2): documents written with their
 * passages over several commits, replaced, deleted and compacted, read back
 * span by span and vector by vector (f32 and int8); dense search by
 * passages against brute force (MaxP, the mean of the best k, int8) with
 * the best passage of each hit, before and after compaction; the BM25 and
 * hybrid best passage of hand-made documents; the writer's refusals of bad
 * passages and bad passage identities; a passage identity mismatch;
 * version-1 files (tests/fixtures/index/v1.lei) still open, search and take
 * new documents; unknown versions are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/checksum.h"
#include "check.h"
#include "index/index.h"
#include "index_testutil.h"

#define DIM 16
#define MAXP 64

typedef struct pdoc {
    char id[32];
    char *text;
    size_t n_pass;
    le_passage spans[MAXP];
    float pvec[MAXP * DIM];
    float vec[DIM];
    int live;
} pdoc;

static uint64_t g_seed = 11;

/* A document of `words` words whose passages hold `per` words each and
 * share `overlap` (token i = word i); one empty passage for an empty text.
 * The document vector is the normalised mean of the passage vectors. */
static void make_doc(pdoc *d, const char *id, int words, int per, int overlap) {
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", id);
    d->text = words ? tu_text(words, &g_seed) : strdup("");
    size_t start[4096], end[4096];
    int nw = 0;
    for (size_t i = 0; d->text[i];) { /* word boundaries */
        start[nw] = i;
        while (d->text[i] && d->text[i] != ' ') i++;
        end[nw++] = i;
        while (d->text[i] == ' ') i++;
    }
    for (int s = 0; d->n_pass == 0 || s < nw; s += per - overlap) {
        int e = s + per < nw ? s + per : nw;
        le_passage *p = &d->spans[d->n_pass++];
        p->byte_start = nw ? start[s] : 0;
        p->byte_end = nw ? end[e - 1] : 0;
        p->token_start = s;
        p->token_end = e;
        p->exact = 1;
        if (e == nw) break;
    }
    float *v = tu_vectors(d->n_pass, DIM, tu_next(&g_seed));
    memcpy(d->pvec, v, d->n_pass * DIM * sizeof *v);
    free(v);
    double norm = 0;
    for (int k = 0; k < DIM; k++) {
        double m = 0;
        for (size_t j = 0; j < d->n_pass; j++) m += d->pvec[j * DIM + k];
        d->vec[k] = (float)m;
        norm += m * m;
    }
    for (int k = 0; k < DIM; k++) d->vec[k] = norm > 0 ? (float)(d->vec[k] / sqrt(norm)) : 0;
    d->live = 1;
}

static le_index_model passage_model(int tokens, int overlap, le_passage_mode mode) {
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.name, sizeof m.name, "synthetic");
    snprintf(m.pooling, sizeof m.pooling, "mean");
    m.dim = DIM;
    m.normalize = 1;
    m.passage_tokens = tokens;
    m.passage_overlap = overlap;
    m.passage_mode = mode;
    return m;
}

/* A writer of a new index dir/name of identity m (settings o, may be
 * NULL); path (512 bytes) gets its path. NULL (a failed check) on failure. */
static le_index_writer *new_writer(const char *dir, const char *name, const le_index_model *m,
                                   const le_index_options *o, char *path) {
    snprintf(path, 512, "%s/%s", dir, name);
    le_index_writer *w = NULL;
    le_error err;
    CHECK_MSG(le_index_writer_open(path, m, o, &w, &err) == LE_OK, "%s", err.message);
    return w;
}

static le_status add_docs(le_index_writer *w, pdoc *const *docs, size_t n, le_error *err) {
    le_index_doc *x = calloc(n, sizeof *x);
    le_index_doc_passages *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        x[i].id = docs[i]->id;
        x[i].title = docs[i]->id;
        x[i].text = docs[i]->text;
        x[i].dense = docs[i]->vec;
        p[i] = (le_index_doc_passages){docs[i]->n_pass, docs[i]->spans, docs[i]->pvec};
    }
    le_status st = le_index_writer_add_passages(w, n, x, p, err);
    free(x);
    free(p);
    return st;
}

/* ------------------------------------------------------------ read back */

static pdoc *g_docs;
static size_t g_n;

static pdoc *new_doc(const char *id, int words) {
    pdoc *d = &g_docs[g_n++];
    make_doc(d, id, words, 6, 2);
    return d;
}

static void kill_id(const char *id) {
    for (size_t i = 0; i < g_n; i++)
        if (g_docs[i].live && !strcmp(g_docs[i].id, id)) g_docs[i].live = 0;
}

/* The stored vector of passage j of live document doc, as floats. */
static void stored_vector(const le_index *ix, size_t doc, size_t j, float *out) {
    int s;
    uint32_t local;
    le_index_locate(ix, doc, &s, &local);
    const le_segment *g = &ix->seg[s];
    uint64_t x = g->pass_off[local] + j;
    for (int k = 0; k < DIM; k++)
        out[k] = g->pass_f32 ? g->pass_f32[x * DIM + k] : g->pass_i8[x * DIM + k] * g->pass_scale[x];
}

/* Every live document (in g_docs order) has exactly its passages. */
static void check_passages(le_index *ix, int int8) {
    size_t n = 0;
    le_error err;
    for (size_t i = 0; i < g_n; i++) {
        const pdoc *d = &g_docs[i];
        if (!d->live) continue;
        le_index_doc_info di;
        CHECK(le_index_get_doc(ix, n, &di, NULL) == LE_OK);
        CHECK_MSG(!strcmp(di.id, d->id), "doc %zu: %s vs %s", n, di.id, d->id);
        CHECK_EQ_INT(le_index_doc_passages_count(ix, n), d->n_pass);
        for (size_t j = 0; j < d->n_pass; j++) {
            le_passage p;
            CHECK(le_index_get_passage(ix, n, j, &p, &err) == LE_OK);
            const le_passage *w = &d->spans[j];
            CHECK_MSG(p.text == n && p.byte_start == w->byte_start && p.byte_end == w->byte_end &&
                          p.token_start == w->token_start && p.token_end == w->token_end &&
                          p.exact == 1,
                      "doc %s passage %zu", d->id, j);
            float v[DIM];
            stored_vector(ix, n, j, v);
            for (int k = 0; k < DIM; k++)
                CHECK_NEAR(v[k], d->pvec[j * DIM + k], int8 ? 0.01 : 0);
        }
        le_passage p;
        CHECK(le_index_get_passage(ix, n, d->n_pass, &p, &err) == LE_ERR_ARG);
        n++;
    }
    CHECK_EQ_INT(le_index_count(ix), n);
    CHECK_EQ_INT(le_index_doc_passages_count(ix, n), 0);
}

/* Adds `commits` batches of n new documents (ids prefix0, prefix1, …), one
 * commit each; document i of batch c has min + (i * step + c) % span words. */
static void add_batches(le_index_writer *w, const char *prefix, int commits, int n, int step,
                        int span, int min) {
    pdoc **batch = malloc((size_t)n * sizeof *batch);
    le_error err;
    char id[32];
    for (int c = 0; c < commits; c++) {
        for (int i = 0; i < n; i++) {
            snprintf(id, sizeof id, "%s%d", prefix, c * n + i);
            batch[i] = new_doc(id, min + (i * step + c) % span);
        }
        CHECK(add_docs(w, batch, (size_t)n, &err) == LE_OK);
        CHECK(le_index_writer_commit(w, &err) == LE_OK);
    }
    free(batch);
}

static void test_write_read(const char *dir, int int8) {
    char path[512], id[32];
    le_index_model m = passage_model(6, 2, LE_PASSAGE_LATE);
    le_index_options o;
    le_index_options_init(&o);
    o.encoding = int8 ? LE_VEC_I8 : LE_VEC_F32;
    char name[32];
    snprintf(name, sizeof name, "p%d.lei", int8);
    le_error err;
    le_index_writer *w = new_writer(dir, name, &m, &o, path);
    if (!w) return;
    g_n = 0;
    add_batches(w, "d", 3, 40, 7, 50, 0); /* one empty text per commit */
    pdoc *rep[5];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "d%d", i * 11);
        kill_id(id);
        rep[i] = new_doc(id, 30 + i);
    }
    CHECK(add_docs(w, rep, 5, &err) == LE_OK);
    const char *del[3] = {"d41", "d42", "d100"};
    for (int i = 0; i < 3; i++) kill_id(del[i]);
    CHECK(le_index_writer_delete(w, 3, del, NULL, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index *ix = NULL;
    CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
    if (!ix) return;
    le_index_info info;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.format_version, 2);
    CHECK_EQ_INT(info.segments, 4);
    CHECK_EQ_INT(info.model.passage_tokens, 6);
    CHECK_EQ_INT(info.model.passage_overlap, 2);
    CHECK_EQ_INT(info.model.passage_mode, LE_PASSAGE_LATE);
    size_t want = 0;
    for (size_t i = 0; i < g_n; i++) want += g_docs[i].live ? g_docs[i].n_pass : 0;
    CHECK_EQ_INT(info.passages, want);
    CHECK(info.bytes_passages > want * (32 + (int8 ? DIM : 4 * DIM)));
    check_passages(ix, int8);
    le_index_close(ix);
    CHECK(le_index_verify(path, 1, NULL, &err) == LE_OK);
    /* compaction: one segment, the same passages */
    CHECK(le_index_writer_compact(w, &err) == LE_OK);
    le_index_writer_close(w);
    CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
    if (!ix) return;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.segments, 1);
    CHECK_EQ_INT(info.passages, want);
    check_passages(ix, int8);
    le_index_close(ix);
    CHECK_MSG(le_index_verify(path, 1, NULL, &err) == LE_OK, "%s", err.message);
    for (size_t i = 0; i < g_n; i++) free(g_docs[i].text);
}


/* ------------------------------------------------------------ dense search */

static double dotd(const float *a, const float *b) {
    double s = 0;
    for (int k = 0; k < DIM; k++) s += (double)a[k] * b[k];
    return s;
}

/* Brute force over the stored passage vectors of every live document:
 * scores[doc] (MaxP, or the mean of the best topk) and best[doc]. */
static void brute_passages(le_index *ix, const float *q, int topk, double *scores, long *best) {
    for (size_t d = 0; d < le_index_count(ix); d++) {
        size_t n = le_index_doc_passages_count(ix, d);
        double sc[MAXP];
        best[d] = 0;
        for (size_t j = 0; j < n; j++) {
            float v[DIM];
            stored_vector(ix, d, j, v);
            sc[j] = dotd(q, v);
            if (sc[j] > sc[best[d]]) best[d] = (long)j;
        }
        size_t t = topk > 1 ? ((size_t)topk < n ? (size_t)topk : n) : 1;
        double sum = 0;
        for (size_t i = 0; i < t; i++) { /* the i-th best by selection */
            size_t b = i;
            for (size_t j = i + 1; j < n; j++)
                if (sc[j] > sc[b]) b = j;
            double x = sc[i];
            sc[i] = sc[b];
            sc[b] = x;
            sum += sc[i];
        }
        scores[d] = sum / (double)t;
    }
}

/* Dense searches of ix for 20 queries against brute force, with the best
 * passage of every hit, for MaxP and the mean of the best 3. */
static void check_dense(le_index *ix) {
    size_t n = le_index_count(ix);
    double *scores = malloc(n * sizeof *scores);
    long *best = malloc(n * sizeof *best);
    le_error err;
    for (int qn = 0; qn < 20; qn++) {
        float *q = tu_vectors(1, DIM, 1000 + (uint64_t)qn);
        int topk = qn % 2 ? 3 : 0;
        brute_passages(ix, q, topk, scores, best);
        le_hit want[10];
        le_topk t;
        le_topk_init(&t, want, 10);
        for (size_t d = 0; d < n; d++) le_topk_push(&t, (uint32_t)d, (float)scores[d]);
        int nw = le_topk_finish(&t);
        le_index_query qq = {0};
        qq.dense = q;
        le_search_options so;
        le_search_options_init(&so);
        so.passage_topk = topk;
        le_hit_passage hp[10];
        so.passages = hp;
        le_index_hit h[10];
        int nh = 0;
        CHECK(le_index_search(ix, &qq, &so, h, &nh, &err) == LE_OK);
        CHECK_EQ_INT(nh, nw);
        for (int i = 0; i < nh && i < nw; i++) {
            CHECK_NEAR(h[i].score, want[i].score, 1e-5);
            CHECK_MSG(h[i].doc == want[i].doc || fabs(scores[h[i].doc] - want[i].score) < 1e-5,
                      "query %d rank %d: doc %zu vs %u", qn, i, h[i].doc, want[i].doc);
            size_t d = h[i].doc;
            CHECK_EQ_INT(hp[i].passage, best[d]);
            le_passage p;
            CHECK(le_index_get_passage(ix, d, (size_t)best[d], &p, NULL) == LE_OK);
            CHECK(hp[i].byte_start == p.byte_start && hp[i].byte_end == p.byte_end &&
                  hp[i].token_start == p.token_start && hp[i].token_end == p.token_end);
            float v[DIM];
            stored_vector(ix, d, (size_t)best[d], v);
            CHECK_NEAR(hp[i].score, dotd(q, v), 1e-5);
            if (!topk) CHECK(hp[i].score == h[i].score);
        }
        free(q);
    }
    free(scores);
    free(best);
}

static void test_dense_search(const char *dir, int int8) {
    char path[512];
    le_index_model m = passage_model(6, 2, LE_PASSAGE_CHUNK);
    le_index_options o;
    le_index_options_init(&o);
    o.encoding = int8 ? LE_VEC_I8 : LE_VEC_F32;
    o.hnsw_min_docs = 50; /* a graph (of document vectors) that passage search does not use */
    char name[32];
    snprintf(name, sizeof name, "s%d.lei", int8);
    le_error err;
    le_index_writer *w = new_writer(dir, name, &m, &o, path);
    if (!w) return;
    g_n = 0;
    add_batches(w, "s", 2, 120, 13, 60, 1);
    const char *del[4] = {"s3", "s50", "s121", "s200"};
    CHECK(le_index_writer_delete(w, 4, del, NULL, &err) == LE_OK);
    for (int i = 0; i < 4; i++) kill_id(del[i]);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index *ix = NULL;
    CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
    if (!ix) return;
    le_index_info info;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.segments_with_graph, 2);
    check_dense(ix);
    le_index_close(ix);
    CHECK(le_index_writer_compact(w, &err) == LE_OK);
    le_index_writer_close(w);
    CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
    if (!ix) return;
    check_passages(ix, int8);
    check_dense(ix);
    le_index_close(ix);
    for (size_t i = 0; i < g_n; i++) free(g_docs[i].text);
}

/* ------------------------------------------------- BM25 and hybrid passages */

/* Three hand-made documents; the first has four passages of known terms. */
#define HAND_MILL                                                                 \
    "The mill stands by the river. Bread is baked in the old oven every morning. " \
    "The oven bread of the river mill is sold at the market. Nothing else here."
static const char *const g_hand[3] = {HAND_MILL, "A lease for the warehouse.", "Bread and salt."};

static void test_text_passages(const char *dir, int store) {
    char path[512];
    le_index_model m = passage_model(8, 0, LE_PASSAGE_CHUNK);
    m.sparse_vocab = 10;
    m.multi_dim = 2;
    le_index_options o;
    le_index_options_init(&o);
    o.store_text = store;
    o.stopwords = 0;
    char name[32];
    snprintf(name, sizeof name, "hand%d.lei", store);
    le_error err;
    le_index_writer *w = new_writer(dir, name, &m, &o, path);
    if (!w) return;
    const char *t = g_hand[0];
    size_t c1 = (size_t)(strstr(t, "Bread") - t), c2 = (size_t)(strstr(t, "The oven") - t),
           c3 = (size_t)(strstr(t, "Nothing") - t);
    /* passages: [mill, stands, by, the, river] [bread ... morning] [the oven ... market] [nothing else here] */
    le_passage sp[4] = {{0, 0, c1 - 1, 0, 6, 1}, {0, c1, c2 - 1, 6, 16, 1}, {0, c2, c3 - 1, 16, 28, 1},
                        {0, c3, strlen(t), 28, 32, 1}};
    le_passage one[2][1] = {{{0, 0, strlen(g_hand[1]), 0, 5, 1}}, {{0, 0, strlen(g_hand[2]), 0, 4, 1}}};
    float pv[4 * DIM] = {0}, dv[DIM] = {0};
    pv[0 * DIM + 0] = 1;                 /* passage 0 points along the query vector */
    pv[1 * DIM + 0] = 0.6f, pv[1 * DIM + 1] = 0.8f;
    pv[2 * DIM + 0] = 0.5f, pv[2 * DIM + 2] = 0.866f;
    pv[3 * DIM + 3] = 1;
    dv[0] = 1;
    le_index_doc d[3];
    le_index_doc_passages p[3] = {{4, sp, pv}, {1, one[0], pv}, {1, one[1], pv}};
    memset(d, 0, sizeof d);
    uint32_t sid[1] = {3};
    float sw[1] = {1}, mv[2] = {1, 0};
    for (int i = 0; i < 3; i++) {
        d[i].id = (const char *[]){"mill", "lease", "salt"}[i];
        d[i].text = g_hand[i];
        d[i].dense = dv;
        d[i].n_sparse = 1;
        d[i].sparse_ids = sid;
        d[i].sparse_weights = sw;
        d[i].n_multi = 1;
        d[i].multi = mv;
    }
    CHECK(le_index_writer_add_passages(w, 3, d, p, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    le_index *ix = NULL;
    CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
    if (!ix) return;
    float qv[DIM] = {1};
    le_index_query q = {"oven bread", 0, qv, 1, sid, sw, 1, mv};
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_BM25;
    so.k = 3;
    le_hit_passage hp[3];
    so.passages = hp;
    le_index_hit h[3];
    int n = 0;
    CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 2); /* "mill" and "salt" hold bread */
    /* BM25 of the passages of "mill" for "oven bread", by hand: N = 3 documents,
     * df(oven) = 1, df(bread) = 2; passage lengths 6, 9, 12, 3 terms (mean
     * 7.5); passage 1 has bread 1, oven 1; passage 2 oven 1, bread 1 */
    double idf_oven = log(1 + (3 - 1 + 0.5) / (1 + 0.5)), idf_bread = log(1 + (3 - 2 + 0.5) / (2 + 0.5));
    double avg = (6 + 9 + 12 + 3) / 4.0;
#define TERM(idf, tf, len) ((idf) * (tf) * 2.2 / ((tf) + 1.2 * (1 - 0.75 + 0.75 * (len) / avg)))
    double p1 = TERM(idf_oven, 1, 9) + TERM(idf_bread, 1, 9);
    double p2 = TERM(idf_oven, 1, 12) + TERM(idf_bread, 1, 12);
    for (int i = 0; i < n; i++) {
        le_index_doc_info di;
        le_index_get_doc(ix, h[i].doc, &di, NULL);
        if (!store) {
            CHECK_EQ_INT(hp[i].passage, -1); /* no text: no BM25 passage */
        } else if (!strcmp(di.id, "mill")) {
            CHECK_EQ_INT(hp[i].passage, 1);
            CHECK_NEAR(hp[i].score, p1, 1e-5);
            CHECK(p1 > p2); /* the shorter of the two passages with both terms */
            CHECK(hp[i].byte_start == c1 && hp[i].byte_end == c2 - 1);
            CHECK(hp[i].token_start == 6 && hp[i].token_end == 16);
        } else {
            CHECK_EQ_INT(hp[i].passage, 0);
        }
    }
    /* hybrid: dense z-scores over the passages (1, 0.6, 0.5, 0) and BM25 ones (0, p1, p2, 0) */
    so.mode = LE_SEARCH_HYBRID;
    so.dense_weight = 0.5;
    so.bm25_weight = 0.5;
    CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 3);
    double dz[4] = {1, 0.6, 0.5, 0}, bz[4] = {0, p1, p2, 0}, fused[4];
    double dm = 0.525, bm = (p1 + p2) / 4, ds = 0, bs = 0;
    for (int j = 0; j < 4; j++) ds += (dz[j] - dm) * (dz[j] - dm), bs += (bz[j] - bm) * (bz[j] - bm);
    ds = sqrt(ds / 4), bs = sqrt(bs / 4);
    for (int j = 0; j < 4; j++) fused[j] = 0.5 * dz[j] / ds + (store ? 0.5 * bz[j] / bs : 0);
    int want = 0;
    for (int j = 1; j < 4; j++)
        if (fused[j] > fused[want]) want = j;
    CHECK_EQ_INT(want, store ? 1 : 0);
    for (int i = 0; i < n; i++) {
        le_index_doc_info di;
        le_index_get_doc(ix, h[i].doc, &di, NULL);
        if (strcmp(di.id, "mill")) continue;
        CHECK_EQ_INT(hp[i].passage, want);
        CHECK_NEAR(hp[i].score, fused[want], 1e-4);
    }
    /* learned sparse and MaxSim say nowhere */
    for (int mode = LE_SEARCH_SPARSE; mode <= LE_SEARCH_MULTI; mode++) {
        so.mode = (le_search_mode)mode;
        CHECK(le_index_search(ix, &q, &so, h, &n, &err) == LE_OK);
        CHECK_EQ_INT(n, 3);
        for (int i = 0; i < n; i++) CHECK_EQ_INT(hp[i].passage, -1);
    }
    le_index_close(ix);
}

/* ------------------------------------------------------------ refusals */

static void expect_add_fails(le_index_writer *w, pdoc *d, const char *msg) {
    le_error err;
    CHECK(add_docs(w, &d, 1, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, msg);
}

static void test_bad_passages(const char *dir) {
    char path[512];
    le_index_model m = passage_model(6, 0, LE_PASSAGE_CHUNK);
    le_error err;
    le_index_writer *w = new_writer(dir, "bad.lei", &m, NULL, path);
    if (!w) return;
    pdoc *d = malloc(sizeof *d);
    make_doc(d, "x", 20, 6, 0);
    le_index_doc x = {0};
    x.id = "x";
    x.text = d->text;
    x.dense = d->vec;
    CHECK(le_index_writer_add(w, 1, &x, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "le_index_writer_add_passages");
    pdoc saved = *d;
    d->n_pass = 0;
    expect_add_fails(w, d, "no passages");
    *d = saved;
    d->spans[1].byte_end = strlen(d->text) + 1;
    expect_add_fails(w, d, "spans bytes");
    *d = saved;
    d->spans[0].byte_start = d->spans[0].byte_end + 1;
    expect_add_fails(w, d, "spans bytes");
    *d = saved;
    d->spans[2].token_start = -1;
    expect_add_fails(w, d, "spans tokens");
    *d = saved;
    d->spans[2].token_end = d->spans[2].token_start - 1;
    expect_add_fails(w, d, "spans tokens");
    *d = saved;
    le_passage t = d->spans[0];
    d->spans[0] = d->spans[1];
    d->spans[1] = t;
    expect_add_fails(w, d, "before the one before");
    *d = saved;
    CHECK_EQ_INT(le_index_writer_pending(w), 0);
    /* a span inside a character */
    free(d->text);
    d->text = strdup("caf\xc3\xa9 au lait");
    d->n_pass = 1;
    d->spans[0] = (le_passage){0, 0, 4, 0, 1, 1};
    expect_add_fails(w, d, "UTF-8");
    d->spans[0].byte_end = 5;
    CHECK(add_docs(w, &d, 1, &err) == LE_OK);
    le_index_writer_close(w);
    /* passages for an index without them */
    le_index_model plain = passage_model(0, 0, LE_PASSAGE_CHUNK);
    snprintf(path, sizeof path, "%s/plain.lei", dir);
    CHECK(le_index_writer_open(path, &plain, NULL, &w, &err) == LE_OK);
    if (w) expect_add_fails(w, d, "the index holds none");
    le_index_writer_close(w);
    /* bad passage identities */
    const int bad[4][4] = {{-1, 0, 0, DIM}, {6, 6, 0, DIM}, {6, 0, 2, DIM}, {6, 0, 0, 0}};
    for (int i = 0; i < 4; i++) {
        le_index_model b = passage_model(bad[i][0], bad[i][1], (le_passage_mode)bad[i][2]);
        b.dim = bad[i][3];
        snprintf(path, sizeof path, "%s/badid%d.lei", dir, i);
        CHECK(le_index_writer_open(path, &b, NULL, &w, &err) == LE_ERR_ARG);
        CHECK_STR_CONTAINS(err.message, "bad passage settings");
    }
    le_index_model z = passage_model(0, 1, LE_PASSAGE_CHUNK); /* overlap without passages */
    CHECK(le_index_writer_open(path, &z, NULL, &w, &err) == LE_ERR_ARG);
    free(d->text);
    free(d);
}

static void test_identity(const char *dir) {
    char path[512];
    le_index_model m = passage_model(256, 32, LE_PASSAGE_CHUNK);
    le_error err;
    le_index_writer *w = new_writer(dir, "id.lei", &m, NULL, path);
    if (!w) return;
    pdoc *d = malloc(sizeof *d);
    make_doc(d, "a", 10, 6, 0);
    CHECK(add_docs(w, &d, 1, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    le_index_model x = m;
    x.passage_tokens = 128;
    CHECK(le_index_writer_open(path, &x, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "passage tokens 128 instead of 256");
    x = m;
    x.passage_overlap = 0;
    CHECK(le_index_writer_open(path, &x, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "passage overlap 0 instead of 32");
    x = m;
    x.passage_mode = LE_PASSAGE_LATE;
    CHECK(le_index_writer_open(path, &x, NULL, &w, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "passage mode late instead of chunk");
    x = passage_model(0, 0, LE_PASSAGE_CHUNK);
    char msg[256];
    CHECK(le_index_model_differs(&m, &x, msg, sizeof msg) == 1);
    CHECK_STR_CONTAINS(msg, "passage tokens 0 instead of 256");
    CHECK(le_index_writer_open(path, &m, NULL, &w, &err) == LE_OK);
    le_index_writer_close(w);
    free(d->text);
    free(d);
}

/* ------------------------------------------------------------ versions */

static unsigned char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    if (fread(b, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return b;
}

static void write_all(const char *path, const unsigned char *b, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(b, 1, n, f);
        fclose(f);
    }
}

/* The version-1 fixture's vector of document i (make_v1.c). */
static void v1_vector(int i, float *v) {
    double s = 0;
    for (int d = 0; d < 8; d++) {
        v[d] = (float)sin(i * 7.0 + d * 3.0);
        s += (double)v[d] * v[d];
    }
    for (int d = 0; d < 8; d++) v[d] /= (float)sqrt(s);
}

/* Dense and BM25 searches of the version-1 fixture (at path, with
 * `extra` documents added after doc11) give the brute-force answers. */
static void check_v1_searches(le_index *ix, int extra) {
    float q[8] = {0.3f, -0.1f, 0.5f, 0.2f, -0.4f, 0.1f, 0.6f, -0.2f};
    le_index_query qq = {"river bread", 0, q, 0, NULL, NULL, 0, NULL};
    le_search_options so;
    le_search_options_init(&so);
    so.k = 3;
    le_hit_passage hp[3];
    so.passages = hp;
    le_index_hit h[3];
    int n = 0;
    le_error err;
    CHECK(le_index_search(ix, &qq, &so, h, &n, &err) == LE_OK);
    double best = -9;
    int bi = -1;
    for (int i = 0; i < 12; i++) {
        if (i == 4) continue;
        float v[8];
        v1_vector(i, v);
        double s = 0;
        for (int d = 0; d < 8; d++) s += (double)q[d] * v[d];
        if (s > best) best = s, bi = i;
    }
    CHECK_EQ_INT(n, 3);
    le_index_doc_info di;
    CHECK(n > 0 && le_index_get_doc(ix, h[0].doc, &di, NULL) == LE_OK);
    char want[16];
    snprintf(want, sizeof want, "doc%d", bi);
    CHECK_MSG(n > 0 && !strcmp(di.id, want), "top %s, brute force %s", di.id, want);
    CHECK_NEAR(h[0].score, best, 1e-5);
    for (int i = 0; i < n; i++) CHECK_EQ_INT(hp[i].passage, -1);
    so.mode = LE_SEARCH_BM25;
    CHECK(le_index_search(ix, &qq, &so, h, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, 3);
    (void)extra;
}

static void test_version1(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/v1.lei", dir);
    size_t n = 0;
    unsigned char *b = read_all("tests/fixtures/index/v1.lei", &n);
    CHECK(b && n > 128);
    if (!b) return;
    write_all(path, b, n);
    le_index *ix = NULL;
    le_error err;
    CHECK_MSG(le_index_open(path, NULL, &ix, &err) == LE_OK, "%s", err.message);
    if (!ix) return;
    le_index_info info;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.format_version, 1);
    CHECK_EQ_INT(info.docs, 11);
    CHECK_EQ_INT(info.passages, 0);
    CHECK_EQ_INT(info.model.passage_tokens, 0);
    CHECK_EQ_INT(le_index_doc_passages_count(ix, 0), 0);
    check_v1_searches(ix, 0);
    le_index_close(ix);
    CHECK(le_index_verify(path, 1, NULL, &err) == LE_OK);
    /* a writer adds to it; the next version of the file is format 2 */
    le_index_writer *w = NULL;
    CHECK(le_index_writer_open(path, NULL, NULL, &w, &err) == LE_OK);
    if (!w) return;
    float v[8] = {0};
    le_index_doc d = {0};
    d.id = "new";
    d.text = "a new river";
    d.dense = v;
    CHECK(le_index_writer_add(w, 1, &d, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
    if (!ix) return;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.format_version, 2);
    CHECK_EQ_INT(info.docs, 12);
    CHECK_EQ_INT(info.segments, 3);
    check_v1_searches(ix, 1);
    le_index_close(ix);
    CHECK(le_index_verify(path, 1, NULL, &err) == LE_OK);
    /* versions this build does not know are refused, and say so */
    for (uint32_t ver = 0; ver < 4; ver += 3) {
        unsigned char *c = malloc(n);
        memcpy(c, b, n);
        memcpy(c + 8, &ver, 4);
        uint32_t crc = le_crc32c(c, 124);
        memcpy(c + 124, &crc, 4);
        write_all(path, c, n);
        CHECK(le_index_open(path, NULL, &ix, &err) == LE_ERR_UNSUPPORTED);
        CHECK_STR_CONTAINS(err.message, "this build reads versions 1 to 2");
        free(c);
    }
    free(b);
}

int main(void) {
    char *dir = tu_tmpdir();
    if (!dir) return 1;
    g_docs = malloc(400 * sizeof *g_docs);
    test_write_read(dir, 0);
    test_write_read(dir, 1);
    test_dense_search(dir, 0);
    test_dense_search(dir, 1);
    test_text_passages(dir, 1);
    test_text_passages(dir, 0);
    test_bad_passages(dir);
    test_identity(dir);
    test_version1(dir);
    free(g_docs);
    tu_rmdir(dir);
    free(dir);
    return check_report("index/test_index_passages");
}
