/* HNSW graphs: recall against exact search on small sets (fp32 and int8),
 * the same graph whatever the thread count, skipped (deleted) nodes never
 * returned, validation of damaged graphs, and the dot-product kernels and
 * int8 quantisation the graph search uses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/pool.h"
#include "check.h"
#include "index/hnsw.h"
#include "index/vecdot.h"
#include "index_testutil.h"

static double exact_recall(const le_hnsw *g, const le_vecs *v, const float *q, int nq, int k,
                           int ef) {
    const le_vdot_kernels *K = le_vdot_for(LE_ISA_SCALAR);
    le_hit *ex = malloc((size_t)k * sizeof *ex), *ap = malloc((size_t)k * sizeof *ap);
    le_hnsw_scratch s = {0};
    float *row = malloc((size_t)v->dim * sizeof *row);
    int hit = 0;
    for (int i = 0; i < nq; i++) {
        const float *qi = q + (size_t)i * v->dim;
        le_topk t;
        le_topk_init(&t, ex, k);
        for (size_t j = 0; j < v->n; j++) {
            float sc;
            if (v->f32) sc = K->f32(qi, v->f32 + j * v->dim, v->dim);
            else sc = K->i8(qi, v->i8 + j * v->dim, v->dim) * v->scale[j];
            le_topk_push(&t, (uint32_t)j, sc);
        }
        int ne = le_topk_finish(&t);
        int na = le_hnsw_search(g, v, qi, k, ef, NULL, &s, ap);
        for (int a = 0; a < na; a++)
            for (int b = 0; b < ne; b++) hit += ap[a].doc == ex[b].doc;
    }
    le_hnsw_scratch_free(&s);
    free(ex);
    free(ap);
    free(row);
    return hit / (double)(nq * k);
}

static int same_graph(const le_hnsw *a, const le_hnsw *b) {
    return a->n == b->n && a->entry == b->entry && a->max_level == b->max_level &&
           a->n_upper == b->n_upper && !memcmp(a->levels, b->levels, a->n) &&
           !memcmp(a->links0, b->links0, (size_t)a->n * (size_t)(a->m0 + 1) * 4) &&
           !memcmp(a->upper_off, b->upper_off, ((size_t)a->n + 1) * 8) &&
           !memcmp(a->upper, b->upper, a->n_upper * 4);
}

static void test_recall_and_determinism(void) {
    size_t n = 4000;
    int dim = 24;
    float *x = tu_vectors(n, dim, 3);
    float *q = tu_vectors(100, dim, 4);
    le_vecs v = {dim, n, x, NULL, NULL};
    le_hnsw_params p;
    le_hnsw_params_init(&p);
    p.m = 12;
    p.ef_construction = 100;
    le_error err;
    le_hnsw g1, g2;
    le_pool *pool = le_pool_create(3);
    CHECK(le_hnsw_build(&g1, &v, &p, NULL, &err) == LE_OK);
    CHECK(le_hnsw_build(&g2, &v, &p, pool, &err) == LE_OK);
    CHECK_MSG(same_graph(&g1, &g2), "the graph depends on the thread count");
    CHECK(le_hnsw_validate(&g1, &err) == LE_OK);
    double r = exact_recall(&g1, &v, q, 100, 10, 64);
    CHECK_MSG(r >= 0.97, "recall@10 %.3f at ef 64", r);
    double r1 = exact_recall(&g1, &v, q, 100, 1, 16);
    CHECK_MSG(r1 >= 0.95, "recall@1 %.3f at ef 16", r1);
    /* skipped nodes: never returned, and the rest still found */
    uint8_t *skip = calloc((n + 7) / 8, 1);
    for (size_t i = 0; i < n; i += 3) skip[i >> 3] |= (uint8_t)(1u << (i & 7));
    le_hnsw_scratch s = {0};
    le_hit out[10];
    for (int i = 0; i < 20; i++) {
        int na = le_hnsw_search(&g1, &v, q + i * dim, 10, 64, skip, &s, out);
        CHECK_EQ_INT(na, 10);
        for (int a = 0; a < na; a++) CHECK(out[a].doc % 3 != 0);
        for (int a = 1; a < na; a++) CHECK(!le_hit_before(&out[a], &out[a - 1]));
    }
    /* k larger than n, tiny graphs */
    le_vecs v2 = {dim, 2, x, NULL, NULL};
    le_hnsw g3;
    CHECK(le_hnsw_build(&g3, &v2, &p, pool, &err) == LE_OK);
    CHECK_EQ_INT(le_hnsw_search(&g3, &v2, q, 10, 5, NULL, &s, out), 2);
    le_hnsw_free(&g3);
    le_vecs v0 = {dim, 0, x, NULL, NULL};
    CHECK(le_hnsw_build(&g3, &v0, &p, pool, &err) == LE_ERR_ARG);
    p.m = 1;
    CHECK(le_hnsw_build(&g3, &v, &p, pool, &err) == LE_ERR_ARG);
    le_hnsw_scratch_free(&s);
    free(skip);
    le_hnsw_free(&g1);
    le_hnsw_free(&g2);
    le_pool_destroy(pool);
    free(x);
    free(q);
}

static void test_int8(void) {
    size_t n = 3000;
    int dim = 40;
    float *x = tu_vectors(n, dim, 8);
    float *q = tu_vectors(50, dim, 9);
    int8_t *c = malloc(n * (size_t)dim);
    float *sc = malloc(n * sizeof *sc);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        sc[i] = le_quantize_i8(x + i * dim, dim, c + i * dim);
        for (int d = 0; d < dim; d++) {
            double e = fabs((double)c[i * dim + d] * sc[i] - x[i * dim + d]);
            if (e > worst) worst = e;
            CHECK(c[i * dim + d] >= -127 && c[i * dim + d] <= 127);
        }
        CHECK(worst <= sc[i] * 0.5 + 1e-6 || worst <= 0.01);
    }
    float zero[4] = {0, 0, 0, 0};
    int8_t zq[4];
    CHECK(le_quantize_i8(zero, 4, zq) == 0 && zq[0] == 0 && zq[3] == 0);
    le_vecs v = {dim, n, NULL, c, sc};
    le_hnsw g;
    le_error err;
    le_hnsw_params p;
    le_hnsw_params_init(&p);
    p.m = 8;
    p.ef_construction = 80;
    CHECK(le_hnsw_build(&g, &v, &p, NULL, &err) == LE_OK);
    CHECK(le_hnsw_validate(&g, &err) == LE_OK);
    double r = exact_recall(&g, &v, q, 50, 10, 80);
    CHECK_MSG(r >= 0.95, "int8 recall@10 %.3f", r);
    le_hnsw_free(&g);
    free(x);
    free(q);
    free(c);
    free(sc);
}

/* damage a copy of a graph in one place at a time: validation must say so */
static void test_validate(void) {
    size_t n = 500;
    int dim = 8;
    float *x = tu_vectors(n, dim, 11);
    le_vecs v = {dim, n, x, NULL, NULL};
    le_hnsw g;
    le_error err;
    le_hnsw_params p;
    le_hnsw_params_init(&p);
    p.m = 4;
    CHECK(le_hnsw_build(&g, &v, &p, NULL, &err) == LE_OK);
    size_t l0 = (size_t)n * (size_t)(g.m0 + 1);
    uint32_t *links0 = malloc(l0 * 4);
    uint8_t *levels = malloc(n);
    uint64_t *uoff = malloc((n + 1) * 8);
    uint32_t *upper = malloc((g.n_upper + 1) * 4);
    le_hnsw h = g;
    h.owned = 0;
    h.links0 = links0;
    h.levels = levels;
    h.upper_off = uoff;
    h.upper = upper;
#define RESET()                                            \
    do {                                                   \
        memcpy(links0, g.links0, l0 * 4);                  \
        memcpy(levels, g.levels, n);                       \
        memcpy(uoff, g.upper_off, (n + 1) * 8);            \
        memcpy(upper, g.upper, g.n_upper * 4);             \
        h.entry = g.entry;                                 \
        h.max_level = g.max_level;                         \
    } while (0)
    RESET();
    CHECK(le_hnsw_validate(&h, &err) == LE_OK);
    links0[5 * (g.m0 + 1)] = (uint32_t)g.m0 + 1; /* too many links */
    CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
    RESET();
    links0[7 * (g.m0 + 1) + 1] = (uint32_t)n; /* a link out of range */
    if (links0[7 * (g.m0 + 1)] > 0) CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
    RESET();
    h.entry = (uint32_t)n;
    CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
    RESET();
    h.max_level = g.max_level + 1; /* the entry is not on the top layer */
    CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
    RESET();
    /* an upper-layer link to a node without that layer */
    for (uint32_t i = 0; i < n; i++) {
        if (levels[i] == 0) continue;
        uint32_t *ln = upper + uoff[i];
        if (ln[0] == 0) continue;
        uint32_t low = 0;
        while (levels[low] != 0) low++;
        ln[1] = low;
        CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
        CHECK_STR_CONTAINS(err.message, "bad node");
        break;
    }
    RESET();
    uoff[3] += 1; /* offsets that disagree with the levels */
    CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
    RESET();
    levels[0] = (uint8_t)(g.max_level + 1);
    CHECK(le_hnsw_validate(&h, &err) == LE_ERR_FORMAT);
#undef RESET
    free(links0);
    free(levels);
    free(uoff);
    free(upper);
    le_hnsw_free(&g);
    free(x);
}

/* the SIMD dot products agree with the scalar twin */
static void test_vecdot(void) {
    uint64_t s = 21;
    const le_vdot_kernels *ks = le_vdot_for(LE_ISA_SCALAR);
    for (int isa = LE_ISA_AVX2; isa <= LE_ISA_AVX512; isa++) {
        const le_vdot_kernels *k = le_vdot_for((le_isa)isa);
        for (int n = 0; n <= 130; n++) {
            float a[130], b[130];
            int8_t c[130];
            double ref = 0, refi = 0, mag = 0;
            for (int i = 0; i < n; i++) {
                a[i] = tu_gauss(&s);
                b[i] = tu_gauss(&s);
                c[i] = (int8_t)(tu_next(&s) % 255 - 127);
                ref += (double)a[i] * b[i];
                refi += (double)a[i] * c[i];
                mag += fabs((double)a[i] * b[i]) + fabs((double)a[i] * c[i]);
            }
            CHECK_NEAR(k->f32(a, b, n), ref, 1e-5 * (mag + 1));
            CHECK_NEAR(ks->f32(a, b, n), ref, 1e-5 * (mag + 1));
            CHECK_NEAR(k->i8(a, c, n), refi, 1e-5 * (mag + 1));
            CHECK_NEAR(ks->i8(a, c, n), refi, 1e-5 * (mag + 1));
        }
    }
}

int main(void) {
    test_vecdot();
    test_recall_and_determinism();
    test_int8();
    test_validate();
    return check_report("index/test_hnsw");
}
