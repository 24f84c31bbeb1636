/* Metrics on hand-computed cases.
 * A: one relevant document d5, ranking d2 d5 d7:
 *    nDCG@10 = 1/log2(3) = 0.630930, Recall@10 = 1, MRR@10 = 1/2, Acc@1 = 0
 * B: graded d1:2 d2:1 d3:0 d4:1, ranking d3 d1 d9 d4:
 *    @3: DCG = 2/log2(3) = 1.261860; IDCG = 2 + 1/log2(3) + 1/log2(4) = 3.130930
 *        nDCG = 0.403030, Recall = 1/3, MRR = 1/2, Acc@1 = 0 (d3 is judged 0)
 *    @4: DCG += 1/log2(5) → nDCG = 0.540586, Recall = 2/3 */
#include "check.h"
#include "eval/metrics.h"

static void query(const uint32_t *ranked, size_t n, const le_qrel *j, size_t nj, int k,
                  double want_ndcg, double want_recall, double want_mrr, double want_acc) {
    double v[LE_N_METRICS];
    CHECK(le_metrics_query(ranked, n, j, nj, k, v) == 1);
    CHECK_NEAR(v[LE_METRIC_NDCG], want_ndcg, 1e-6);
    CHECK_NEAR(v[LE_METRIC_RECALL], want_recall, 1e-9);
    CHECK_NEAR(v[LE_METRIC_MRR], want_mrr, 1e-9);
    CHECK_NEAR(v[LE_METRIC_ACC1], want_acc, 0);
}

int main(void) {
    char name[32];
    le_metric_name(LE_METRIC_NDCG, 10, name, sizeof name);
    CHECK(!strcmp(name, "ndcg@10"));
    le_metric_name(LE_METRIC_RECALL, 5, name, sizeof name);
    CHECK(!strcmp(name, "recall@5"));
    le_metric_name(LE_METRIC_MRR, 100, name, sizeof name);
    CHECK(!strcmp(name, "mrr@100"));
    le_metric_name(LE_METRIC_ACC1, 10, name, sizeof name);
    CHECK(!strcmp(name, "acc@1"));

    /* A */
    le_qrel a[] = {{0, 5, 1}};
    uint32_t ra[] = {2, 5, 7};
    query(ra, 3, a, 1, 10, 0.6309297535714575, 1, 0.5, 0);
    query(ra, 3, a, 1, 1, 0, 0, 0, 0);
    query(ra, 3, a, 1, 2, 0.6309297535714575, 1, 0.5, 0);
    uint32_t top[] = {5, 2};
    query(top, 2, a, 1, 10, 1, 1, 1, 1);
    query(top, 2, a, 1, 1, 1, 1, 1, 1);   /* Acc@1 = nDCG@1 with one relevant document */
    query(NULL, 0, a, 1, 10, 0, 0, 0, 0); /* nothing retrieved */
    /* B (judgements sorted by document) */
    le_qrel b[] = {{0, 1, 2}, {0, 2, 1}, {0, 3, 0}, {0, 4, 1}};
    uint32_t rb[] = {3, 1, 9, 4};
    query(rb, 4, b, 4, 3, 0.4030302838010049, 1.0 / 3, 0.5, 0);
    query(rb, 4, b, 4, 4, 0.5405857679450102, 2.0 / 3, 0.5, 0);
    query(rb, 3, b, 4, 4, 0.4030302838010049, 1.0 / 3, 0.5, 0); /* a ranking shorter than k */
    uint32_t ideal[] = {1, 2, 4};
    query(ideal, 3, b, 4, 10, 1, 1, 1, 1);
    /* no relevant document: not scored */
    le_qrel none[] = {{0, 1, 0}};
    double v[LE_N_METRICS] = {-1, -1, -1, -1};
    CHECK(le_metrics_query(ra, 3, none, 1, 10, v) == 0);
    CHECK(le_metrics_query(ra, 3, NULL, 0, 10, v) == 0);
    CHECK(v[0] == -1);

    /* a split: q0 is A, q1 is B at k=3, q2 has no relevant document */
    le_task t;
    le_task_init(&t, "t", "test", 0);
    le_texts *docs = le_task_new_corpus(&t);
    for (int i = 0; i < 10; i++) {
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        le_texts_push(&t, docs, id, strlen(id), "x", 1);
    }
    le_split *sp = le_task_add_split(&t, "test", 0, docs);
    le_texts_push(&t, &sp->queries, "q0", 2, "a", 1);
    le_texts_push(&t, &sp->queries, "q1", 2, "b", 1);
    le_texts_push(&t, &sp->queries, "q2", 2, "c", 1);
    /* added out of order: le_split_sort_qrels puts them right */
    le_split_add_qrel(sp, 1, 4, 1);
    le_split_add_qrel(sp, 2, 1, 0);
    le_split_add_qrel(sp, 1, 1, 2);
    le_split_add_qrel(sp, 0, 5, 1);
    le_split_add_qrel(sp, 1, 3, 0);
    le_split_add_qrel(sp, 1, 2, 1);
    le_split_sort_qrels(sp);
    size_t nj;
    const le_qrel *j1 = le_split_qrels_of(sp, 1, &nj);
    CHECK_EQ_INT(nj, 4);
    CHECK(j1[0].doc == 1 && j1[3].doc == 4);
    le_split_qrels_of(sp, 7, &nj);
    CHECK_EQ_INT(nj, 0);
    le_hit hits[3 * 4] = {{2, 3}, {5, 2}, {7, 1}, {0, 0},  /* q0 */
                          {3, 4}, {1, 3}, {9, 2}, {4, 1},  /* q1 */
                          {1, 1}, {0, 0}, {0, 0}, {0, 0}}; /* q2 */
    int counts[3] = {3, 4, 1};
    le_metrics m;
    le_metrics_split(sp, hits, 4, counts, 3, &m);
    CHECK_EQ_INT(m.queries, 2);
    CHECK_EQ_INT(m.skipped, 1);
    CHECK_NEAR(m.value[LE_METRIC_NDCG], (0.6309297535714575 + 0.4030302838010049) / 2, 1e-6);
    CHECK_NEAR(m.value[LE_METRIC_RECALL], (1 + 1.0 / 3) / 2, 1e-9);
    CHECK_NEAR(m.value[LE_METRIC_MRR], 0.5, 1e-9);
    CHECK_NEAR(m.value[LE_METRIC_ACC1], 0, 0);
    /* k = 1: only the first hit counts */
    le_metrics_split(sp, hits, 4, counts, 1, &m);
    CHECK_NEAR(m.value[LE_METRIC_NDCG], 0, 0);
    CHECK_NEAR(m.value[LE_METRIC_MRR], 0, 0);
    le_task_free(&t);
    return check_report("test_metrics");
}
