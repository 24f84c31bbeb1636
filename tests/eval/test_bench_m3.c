/* The benchmark's BGE-M3 retrievers (sparse, colbert, m3) on the tiny
 * BGE-M3-shaped fixture and a small BEIR-layout task: each ranks every
 * document by le_m3_score's score (m3: compute_score with 0.4, 0.2, 0.4),
 * as the ranked lists it writes show, beside dense and bm25; the misuses
 * (a model without the head files, pcw, passages) are refused. */
#include "base/mapfile.h"
#include "check.h"
#include "longembed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define M3 "tests/fixtures/bge-m3-tiny"
#define ND 5
#define NQ 3

static const char *docs[ND] = {
    "BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.",
    "BM25 is a bag-of-words retrieval function that ranks documents by query terms.",
    "Москва — столица России.", "长文本的嵌入需要特别的方法。",
    "Otters hold hands while sleeping."};
static const char *queries[NQ] = {"What is BGE M3?", "столица России", "otters sleeping"};

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* The task directory dir/m3task in the BEIR layout; qrels: query i finds
 * document i. */
static void write_task(const char *task) {
    char path[512], buf[4096];
    size_t at = 0;
    for (int i = 0; i < ND; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "{\"_id\": \"d%d\", \"text\": \"%s\"}\n", i,
                               docs[i]);
    snprintf(path, sizeof path, "%s/corpus.jsonl", task);
    put(path, buf);
    at = 0;
    for (int i = 0; i < NQ; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "{\"_id\": \"q%d\", \"text\": \"%s\"}\n",
                               i, queries[i]);
    snprintf(path, sizeof path, "%s/queries.jsonl", task);
    put(path, buf);
    snprintf(path, sizeof path, "%s/qrels", task);
    le_mkdir_p(path);
    snprintf(path, sizeof path, "%s/qrels/test.tsv", task);
    put(path, "query-id\tcorpus-id\tscore\nq0\td0\t1\nq1\td2\t1\nq2\td4\t1\n");
}

/* The score kind r (0 sparse, 1 colbert, 2 m3) of query q against document d. */
static double want(const le_m3_output *q, const le_m3_output *d, int r) {
    static const double w[3] = {0.4, 0.2, 0.4};
    le_m3_scores sc;
    le_m3_score(q, d, w, &sc);
    return r == 0 ? sc.sparse : r == 1 ? sc.colbert : sc.colbert_sparse_dense;
}

/* The ranked list runs/m3task.<name>.none.trec: every query's top k (k =
 * ND) in le_m3_score's order, with its scores. */
static void check_run(const char *runs, const char *name, int r, const le_m3_output *q,
                      const le_m3_output *d) {
    char path[512];
    snprintf(path, sizeof path, "%s/m3task.%s.none.trec", runs, name);
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "%s", path);
    if (!f) return;
    char qid[16], q0[8], did[16], tag[32];
    int rank, lines = 0;
    double sc, prev = INFINITY;
    while (fscanf(f, "%15s %7s %15s %d %lf %31s", qid, q0, did, &rank, &sc, tag) == 6) {
        int qi = atoi(qid + 1), di = atoi(did + 1);
        double w = want(&q[qi], &d[di], r);
        CHECK_MSG(fabs(sc - w) <= 1e-6 * fmax(1, fabs(w)), "%s %s %s: %.9g, le_m3_score %.9g",
                  name, qid, did, sc, w);
        if (rank == 1) prev = INFINITY;
        CHECK(sc <= prev + 1e-9);
        prev = sc;
        lines++;
    }
    fclose(f);
    CHECK_EQ_INT(lines, NQ * ND); /* sparse: documents sharing no token still rank, score 0 */
}

static void refused(le_model *m, le_model *plain, const char *task) {
    le_bench_options o;
    le_bench_result *r = NULL;
    le_error err;
    le_bench_options_init(&o);
    o.task_dir = task;
    o.cache = 0;
    o.retrievers = "m3";
    CHECK(le_bench_run(plain, &o, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "need a BGE-M3 model");
    o.extend = "pcw";
    CHECK(le_bench_run(m, &o, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "pcw");
    o.extend = NULL;
    o.passage_modes = "whole,chunk";
    CHECK(le_bench_run(m, &o, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "passage mode whole");
    o.passage_modes = NULL;
    o.retrievers = "colbert,splade";
    CHECK(le_bench_run(m, &o, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "sparse, colbert, m3");
    CHECK(r == NULL);
}

int main(void) {
    char tmp[] = "/tmp/le_bench_m3_XXXXXX", task[128], runs[128];
    CHECK(mkdtemp(tmp) != NULL);
    snprintf(task, sizeof task, "%s/m3task", tmp);
    snprintf(runs, sizeof runs, "%s/runs", tmp);
    le_mkdir_p(task);
    write_task(task);
    le_model *m = NULL, *plain = NULL;
    le_error err;
    CHECK_MSG(le_model_open(M3, NULL, &m, &err) == LE_OK, "%s", err.message);
    CHECK(le_model_open("tests/fixtures/bert-cased-tiny", NULL, &plain, &err) == LE_OK);
    if (!m || !plain) return check_report("eval/bench_m3");
    le_bench_options o;
    le_bench_options_init(&o);
    o.task_dir = task;
    o.cache = 0;
    o.k = ND;
    o.runs_dir = runs;
    o.retrievers = "dense,sparse,colbert,m3,bm25";
    le_bench_result *r = NULL;
    CHECK_MSG(le_bench_run(m, &o, &r, &err) == LE_OK, "%s", err.message);
    const char *names[] = {"dense", "sparse", "colbert", "m3"};
    for (int i = 0; r && i < 4; i++) {
        double v = le_bench_result_score(r, "m3task", names[i], "none");
        CHECK_MSG(v >= 0 && v <= 100, "%s: %g", names[i], v);
        fprintf(stderr, "%s: ndcg@%d %.1f\n", names[i], ND, v);
    }
    le_bench_result_free(r);
    le_m3_output d[ND], q[NQ];
    CHECK(le_embed_m3(m, ND, docs, NULL, NULL, d, NULL, &err) == LE_OK);
    CHECK(le_embed_m3(m, NQ, queries, NULL, NULL, q, NULL, &err) == LE_OK);
    check_run(runs, "sparse", 0, q, d);
    check_run(runs, "colbert", 1, q, d);
    check_run(runs, "m3", 2, q, d);
    le_m3_output_free(d, ND);
    le_m3_output_free(q, NQ);
    refused(m, plain, task);
    le_model_close(m);
    le_model_close(plain);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CHECK(system(cmd) == 0);
    return check_report("eval/bench_m3");
}
