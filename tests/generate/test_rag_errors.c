/* Bad input to the QA pipelines gives clear errors: an empty index, an
 * index built with another embedding model, a prefix no document has, an
 * index without stored texts, a dense search without a model, a generator
 * that fails; and the QA set reader (qmsum-train's qa.jsonl, a broken
 * line) with the evaluation driver on the scripted fake. */
#include "check.h"
#include "generate/rag_qa.h"
#include "rag_fake.h"

#define MODEL "tests/fixtures/bert-cased-tiny"

static le_status retriever_for(const char *path, le_model *m, le_search_mode mode,
                               const char *prefix, le_rag_index_source *src, le_rag_retriever *r,
                               le_error *err) {
    memset(src, 0, sizeof *src);
    le_status s = le_index_open(path, NULL, &src->ix, err);
    if (s) return s;
    le_search_options_init(&src->search);
    src->search.mode = mode;
    src->model = m;
    src->id_prefix = prefix;
    return le_rag_index_retriever(src, r, err);
}

static void test_index_errors(const char *dir) {
    char path[512];
    le_error err;
    le_rag_index_source src;
    le_rag_retriever r;
    snprintf(path, sizeof path, "%s/empty.lei", dir);
    CHECK(fake_index(path, NULL, NULL, 0, &err) == LE_OK);
    CHECK(retriever_for(path, NULL, LE_SEARCH_BM25, NULL, &src, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "the index holds no documents");
    le_index_close(src.ix);

    static const char *const ids[] = {"a#0", "a#1"}, *const docs[] = {"one two", "three four"};
    snprintf(path, sizeof path, "%s/a.lei", dir);
    CHECK(fake_index(path, ids, docs, 2, &err) == LE_OK);
    CHECK(retriever_for(path, NULL, LE_SEARCH_BM25, "b#", &src, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "no document of the index has an id starting with \"b#\"");
    le_index_close(src.ix);
    CHECK(retriever_for(path, NULL, LE_SEARCH_DENSE, NULL, &src, &r, &err) != LE_OK);
    CHECK_STR_CONTAINS(err.message, "needs the model");
    le_index_close(src.ix);
}

/* An index whose identity names another model (vectors of the right size)
 * refuses queries embedded by this one. */
static void test_other_model(const char *dir) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    le_model *m = NULL;
    le_error err;
    le_status s = le_model_open(MODEL, &mo, &m, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    char path[512];
    snprintf(path, sizeof path, "%s/other.lei", dir);
    CHECK(fake_other_model_index(path, m, MODEL, &err) == LE_OK);
    le_rag_index_source src;
    le_rag_retriever r;
    CHECK(retriever_for(path, m, LE_SEARCH_DENSE, NULL, &src, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "retrieval: ");
    CHECK_STR_CONTAINS(err.message, "was built with");
    CHECK_STR_CONTAINS(err.message, "another-embedding-model");
    le_index_close(src.ix);
    le_model_close(m);
}

static void test_generator_failure(void) {
    fake_gen f = {NULL, 0, "x", {0}, 0, NULL, 0, 0, 1};
    le_rag_gen g = fake_as_gen(&f, 1000, 0);
    static const char *const text[] = {"a short document"};
    static const size_t len[] = {16};
    le_rag_doc doc = {1, text, len, NULL, NULL};
    le_rag_result r;
    le_error err;
    CHECK(le_rag_run_full(&g, &doc, "q?", NULL, &r, &err) == LE_ERR_INTERNAL);
    CHECK_STR_CONTAINS(err.message, "generate: the fake failed on purpose");
    le_rag_result_free(&r);
    g.count_tokens = NULL;
    CHECK(le_rag_run_full(&g, &doc, "q?", NULL, &r, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "no generator");
    le_rag_result_free(&r);
    fake_free(&f);
}

/* Answers with the reference of the question it is given, but for every
 * third question, which fails. */
static le_status echo_run(void *user, const le_qa_item *q, le_rag_result *res, le_error *err) {
    int *calls = user;
    if ((*calls)++ % 3 == 2) return le_fail(err, LE_ERR_TOO_LONG, "too long on purpose");
    le_sbuf_puts(&res->answer, q->answer);
    le_rag_stage *st = le_rag_stage_get(&res->stats, "generate");
    st->tokens_read = 10;
    st->tokens_generated = 5;
    return LE_OK;
}

static void test_qa(const char *dir) {
    le_qa_set qa;
    le_error err;
    le_status s = le_qa_load("../shared/data/qmsum-train/qa.jsonl", 6, &qa, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    CHECK_EQ_INT(qa.n, 6);
    CHECK(!strcmp(qa.items[0].qid, "train_Bdb001_g0") && !strcmp(qa.items[0].doc_id, "train_Bdb001"));
    CHECK(!strcmp(qa.items[0].question, "Summarize the whole meeting") &&
          !strcmp(qa.items[0].kind, "general"));
    CHECK(!strncmp(qa.items[0].answer, "Meeting participants wanted", 27));
    int calls = 0;
    le_rag_eval_row rows[6];
    le_rag_eval_summary sum;
    CHECK(le_rag_eval(&qa, 0, echo_run, &calls, rows, &sum, &err) == LE_OK);
    CHECK(sum.questions == 6 && sum.failed == 2);
    CHECK_NEAR(sum.rouge1, 100.0 * 4 / 6, 1e-9);
    CHECK_NEAR(sum.rougel, 100.0 * 4 / 6, 1e-9);
    CHECK_NEAR(sum.tokens_read, 10.0 * 4 / 6, 1e-9);
    CHECK(rows[2].failed == LE_ERR_TOO_LONG && !strcmp(rows[2].error, "too long on purpose"));
    CHECK(rows[0].rouge.r2.f == 1.0 && rows[2].rouge.r1.f == 0.0);
    le_sbuf t = {0};
    le_rag_eval_table_head(&t);
    le_rag_eval_table_row("rag", &sum, &t);
    CHECK_STR_CONTAINS(t.p, "| rag | 66.67 | 66.67 | 66.67 |");
    CHECK_STR_CONTAINS(t.p, "| 2 / 6 |");
    le_sbuf_free(&t);
    le_qa_free(&qa);
    char path[512];
    snprintf(path, sizeof path, "%s/bad.jsonl", dir);
    FILE *fp = fopen(path, "w");
    if (fp) fputs("{\"question\": \"q\", \"answer\": \"a\"}\n\n{\"question\": \"q2\"}\n", fp), fclose(fp);
    CHECK(le_qa_load(path, 0, &qa, &err) == LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(err.message, "bad.jsonl line 3: expected an object with \"question\" and");
}

int main(void) {
    char *dir = tu_tmpdir();
    CHECK(dir != NULL);
    if (!dir) return check_report("test_rag_errors");
    test_index_errors(dir);
    test_other_model(dir);
    test_generator_failure();
    test_qa(dir);
    tu_rmdir(dir);
    free(dir);
    return check_report("test_rag_errors");
}
