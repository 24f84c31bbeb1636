/* The acceptance test of the HNSW search: 100,000 random 384-dimensional
 * unit vectors (uniform on the sphere: the hardest case for a graph, with
 * nearest neighbours barely closer than any other point), indexed with
 * default settings through the public API; recall@10 of graph searches with
 * the calibrated beam against exact search over 200 random queries must be at
 * least 0.98. A default search takes the graph only when its beam is cheaper
 * than a scan; otherwise it must return exactly what exact search returns.
 * Under sanitizers (10x slower) the collection has 20,000 vectors;
 * LE_HNSW_RECALL_N overrides the size. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "index_testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define LE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LE_SANITIZED 1
#endif
#endif
#ifndef LE_SANITIZED
#define LE_SANITIZED 0
#endif

#define DIM 384
#define NQ 200
#define K 10

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    size_t n = LE_SANITIZED ? 20000 : 100000;
    const char *env = getenv("LE_HNSW_RECALL_N");
    if (env && atol(env) > 0) n = (size_t)atol(env);
    char *dir = tu_tmpdir();
    if (!dir) return 1;
    char path[512];
    snprintf(path, sizeof path, "%s/r.lei", dir);
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.name, sizeof m.name, "random");
    m.dim = DIM;
    le_index_writer *w = NULL;
    le_error err;
    le_index_options o;
    le_index_options_init(&o); /* default settings; a graph even for a small LE_HNSW_RECALL_N */
    if (n < (size_t)o.hnsw_min_docs) o.hnsw_min_docs = 2;
    CHECK(le_index_writer_open(path, &m, &o, &w, &err) == LE_OK);
    if (!w) return check_report("index/test_hnsw_recall");
    float *v = tu_vectors(n, DIM, 2024);
    size_t batch = 10000;
    le_index_doc *d = calloc(batch, sizeof *d);
    char (*ids)[16] = malloc(batch * sizeof *ids);
    for (size_t b = 0; b < n; b += batch) {
        size_t c = n - b < batch ? n - b : batch;
        for (size_t i = 0; i < c; i++) {
            snprintf(ids[i], sizeof ids[i], "%zu", b + i);
            d[i].id = ids[i];
            d[i].dense = v + (b + i) * DIM;
        }
        CHECK(le_index_writer_add(w, c, d, &err) == LE_OK);
    }
    double t0 = now();
    CHECK_MSG(le_index_writer_commit(w, &err) == LE_OK, "%s", err.message);
    double t_build = now() - t0;
    le_index_writer_close(w);
    le_index *ix = NULL;
    CHECK_MSG(le_index_open(path, NULL, &ix, &err) == LE_OK, "%s", err.message);
    if (!ix) return check_report("index/test_hnsw_recall");
    le_index_info info;
    le_index_get_info(ix, &info);
    CHECK_EQ_INT(info.docs, n);
    CHECK_EQ_INT(info.segments_with_graph, 1);
    float *q = tu_vectors(NQ, DIM, 99);
    le_search_options ex, ap;
    le_search_options_init(&ex);
    le_search_options_init(&ap);
    ex.k = ap.k = K;
    ex.exact = 1;
    ap.exact = -1; /* the graph, with its calibrated beam */
    le_index_hit he[K], ha[K];
    long hits = 0;
    double t_exact = 0, t_hnsw = 0;
    for (int i = 0; i < NQ; i++) {
        le_index_query qq = {0};
        qq.dense = q + (size_t)i * DIM;
        int ne = 0, na = 0;
        double t1 = now();
        CHECK(le_index_search(ix, &qq, &ex, he, &ne, &err) == LE_OK);
        double t2 = now();
        CHECK(le_index_search(ix, &qq, &ap, ha, &na, &err) == LE_OK);
        t_hnsw += now() - t2;
        t_exact += t2 - t1;
        for (int a = 0; a < na; a++)
            for (int b = 0; b < ne; b++) hits += ha[a].doc == he[b].doc;
    }
    double recall = hits / (double)(NQ * K);
    fprintf(stderr,
            "hnsw recall@10 %.4f on %zu random %d-d vectors (M %d, ef_construction %d, calibrated "
            "ef %d); build+calibrate %.1f s; exact %.2f ms/query, hnsw %.2f ms/query\n",
            recall, n, DIM, info.hnsw_m, info.hnsw_ef_construction, info.hnsw_ef_calibrated,
            t_build, t_exact * 1e3 / NQ, t_hnsw * 1e3 / NQ);
    CHECK_MSG(recall >= 0.98, "recall@10 %.4f < 0.98", recall);
    /* default options: the cost rule of search_dense (graph when ef * 3M < n) */
    int graph = (double)info.hnsw_ef_calibrated * 3.0 * info.hnsw_m < (double)n;
    le_search_options df;
    le_search_options_init(&df);
    df.k = K;
    int same = 1;
    for (int i = 0; i < 20; i++) {
        le_index_query qq = {0};
        qq.dense = q + (size_t)i * DIM;
        int ne = 0, nd = 0;
        le_index_hit hd[K];
        CHECK(le_index_search(ix, &qq, &ex, he, &ne, &err) == LE_OK);
        CHECK(le_index_search(ix, &qq, &df, hd, &nd, &err) == LE_OK);
        same &= ne == nd;
        for (int a = 0; a < nd && a < ne; a++) same &= hd[a].doc == he[a].doc && hd[a].score == he[a].score;
    }
    fprintf(stderr, "default search: %s\n", graph ? "the graph" : "exact (the beam costs more than a scan)");
    if (!graph) CHECK_MSG(same, "default search took the graph although a scan is cheaper");
    le_index_close(ix);
    free(q);
    free(v);
    free(d);
    free(ids);
    tu_rmdir(dir);
    free(dir);
    return check_report("index/test_hnsw_recall");
}
