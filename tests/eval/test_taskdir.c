/* Task directories: the LongEmbed and BEIR layouts, and every kind of bad
 * input → an error naming the file and line. Files are written from C into
 * a temporary directory. */
#include "check.h"
#include "eval/task.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_root[64];
static int g_n;

static void put(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = 0;
    mkdir(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* A fresh task directory holding the given files (NULL text: absent). */
static const char *task_dir(const char *corpus, const char *queries, const char *qrels_name,
                            const char *qrels) {
    static char dir[128];
    snprintf(dir, sizeof dir, "%s/task%d", g_root, g_n++);
    mkdir(dir, 0755);
    if (corpus) put(dir, "corpus.jsonl", corpus);
    if (queries) put(dir, "queries.jsonl", queries);
    if (qrels) put(dir, qrels_name, qrels);
    return dir;
}

static const char *C3 = "{\"doc_id\": \"a\", \"text\": \"alpha\"}\n"
                        "{\"doc_id\": \"b\", \"text\": \"beta\", \"title\": \"The B\"}\n"
                        "\n"
                        "{\"_id\": 7, \"text\": \"seven\"}\r\n";
static const char *Q2 = "{\"qid\": \"q1\", \"text\": \"which alpha\"}\n"
                        "{\"_id\": \"q2\", \"text\": \"which seven\"}\n"
                        "{\"qid\": \"q3\", \"text\": \"unjudged\"}\n";

/* Loading must fail with code and a message containing each needle. */
static void expect_fail(const char *dir, le_status code, const char *n1, const char *n2) {
    le_task t;
    le_error err;
    le_status s = le_task_load_dir(dir, &t, &err);
    CHECK_MSG(s == code, "%s: status %d, want %d (%s)", dir, (int)s, (int)code,
              s ? err.message : "ok");
    if (s) {
        CHECK_STR_CONTAINS(err.message, n1);
        if (n2) CHECK_STR_CONTAINS(err.message, n2);
    } else {
        le_task_free(&t);
    }
}

static void good_layouts(void) {
    le_task t;
    le_error err;
    /* LongEmbed real layout: qrels.jsonl → split "test" */
    const char *d = task_dir(C3, Q2, "qrels.jsonl",
                             "{\"qid\": \"q1\", \"doc_id\": \"a\"}\n"
                             "{\"qid\": \"q2\", \"doc_id\": 7, \"score\": 2}\n"
                             "{\"qid\": \"q2\", \"doc_id\": \"b\", \"score\": 0}\n");
    le_status s = le_task_load_dir(d, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    CHECK(!strncmp(t.name, "task", 4) && !t.synthetic);
    CHECK_EQ_INT(t.n_splits, 1);
    le_split *sp = &t.splits[0];
    CHECK(!strcmp(sp->name, "test") && sp->length == 0);
    CHECK_EQ_INT(sp->docs->n, 3);
    CHECK(!strcmp(sp->docs->ids[2], "7"));
    CHECK(!strcmp(sp->docs->texts[1], "The B beta")); /* "title text" */
    CHECK_EQ_INT(sp->docs->lens[1], 10);
    CHECK_EQ_INT(sp->queries.n, 2); /* q3 has no judgement */
    CHECK(!strcmp(sp->queries.ids[1], "q2"));
    CHECK_EQ_INT(sp->n_qrels, 3);
    size_t nj;
    const le_qrel *j = le_split_qrels_of(sp, 1, &nj);
    CHECK_EQ_INT(nj, 2);
    CHECK(j[0].doc == 1 && j[0].score == 0 && j[1].doc == 2 && j[1].score == 2);
    le_task_free(&t);

    /* BEIR: qrels/<split>.tsv with a header, TREC's four columns, two splits */
    d = task_dir(C3, Q2, "qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\ta\t1\nq2\t7\t1\n");
    char dev[256];
    snprintf(dev, sizeof dev, "%s/qrels/dev.tsv", d);
    FILE *f = fopen(dev, "w");
    fputs("q3\t0\tb\t1\n", f);
    fclose(f);
    s = le_task_load_dir(d, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    CHECK_EQ_INT(t.n_splits, 2);
    CHECK(!strcmp(t.splits[0].name, "dev") && !strcmp(t.splits[1].name, "test"));
    CHECK(t.splits[0].docs == t.splits[1].docs); /* one corpus */
    CHECK_EQ_INT(t.splits[0].queries.n, 1);
    CHECK(!strcmp(t.splits[0].queries.ids[0], "q3"));
    CHECK_EQ_INT(t.splits[1].queries.n, 2);
    le_task_free(&t);

    /* the LongEmbed synthetic layout: one split per context_length, in order */
    d = task_dir("{\"doc_id\": \"d\", \"text\": \"x\", \"context_length\": 512}\n"
                 "{\"doc_id\": \"d\", \"text\": \"y\", \"context_length\": 256}\n",
                 "{\"qid\": \"q\", \"text\": \"x?\", \"context_length\": 512}\n"
                 "{\"qid\": \"q\", \"text\": \"y?\", \"context_length\": 256}\n",
                 "qrels.jsonl",
                 "{\"qid\": \"q\", \"doc_id\": \"d\", \"context_length\": 512}\n"
                 "{\"qid\": \"q\", \"doc_id\": \"d\", \"context_length\": 256}\n");
    s = le_task_load_dir(d, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    CHECK_EQ_INT(t.n_splits, 2);
    CHECK(!strcmp(t.splits[0].name, "test_256") && t.splits[0].length == 256);
    CHECK(!strcmp(t.splits[0].docs->texts[0], "y"));
    CHECK(!strcmp(t.splits[1].name, "test_512"));
    le_task_free(&t);
}

int main(void) {
    snprintf(g_root, sizeof g_root, "/tmp/le-taskdir-XXXXXX");
    if (!mkdtemp(g_root)) return 1;
    good_layouts();
    const char *qrels_ok = "{\"qid\": \"q1\", \"doc_id\": \"a\"}\n";
    /* missing directory and files */
    expect_fail("/nonexistent/dir", LE_ERR_IO, "/nonexistent/dir", "no such task directory");
    const char *d = task_dir(NULL, Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_IO, "corpus.jsonl: missing", d);
    d = task_dir(C3, NULL, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_IO, "queries.jsonl: missing", d);
    d = task_dir(C3, Q2, "qrels.jsonl", NULL);
    expect_fail(d, LE_ERR_IO, "qrels.jsonl: missing", "qrels/<split>.tsv");
    /* invalid JSON lines */
    d = task_dir("{\"doc_id\": \"a\", \"text\": \"alpha\"}\n{\"doc_id\": \"b\", \"text\": }\n", Q2,
                 "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:2: invalid JSON", NULL);
    d = task_dir(C3, "{\"qid\": \"q1\", \"text\": \"x\"}\n\n\nnot json\n", "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "queries.jsonl:4: invalid JSON", NULL);
    d = task_dir(C3, Q2, "qrels.jsonl", "{\"qid\": \"q1\", \"doc_id\": \"a\"} trailing\n");
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:1: invalid JSON", "text after the value");
    d = task_dir("[1, 2]\n", Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:1: not a JSON object", NULL);
    /* missing or mistyped fields */
    d = task_dir("{\"text\": \"alpha\"}\n", Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:1: no \"doc_id\" or \"_id\"", NULL);
    d = task_dir("{\"doc_id\": \"a\"}\n", Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:1: no \"text\" string", NULL);
    d = task_dir("{\"doc_id\": [1], \"text\": \"x\"}\n", Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:1: \"doc_id\" must be a string or an integer",
                NULL);
    d = task_dir("{\"doc_id\": \"a\", \"text\": \"x\", \"title\": 5}\n", Q2, "qrels.jsonl",
                 qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:1: \"title\" must be a string", NULL);
    d = task_dir(C3, Q2, "qrels.jsonl", "{\"qid\": \"q1\", \"doc_id\": \"a\", \"score\": 0.5}\n");
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:1: \"score\" must be an integer", NULL);
    d = task_dir(C3, Q2, "qrels.jsonl", "{\"qid\": \"q1\"}\n");
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:1: no \"doc_id\", \"corpus-id\" or \"corpus_id\"",
                NULL);
    /* duplicate ids */
    d = task_dir("{\"doc_id\": \"a\", \"text\": \"1\"}\n{\"doc_id\": \"b\", \"text\": \"2\"}\n"
                 "{\"doc_id\": \"a\", \"text\": \"3\"}\n",
                 Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:3: duplicate doc_id \"a\"", "first on line 1");
    d = task_dir(C3, "{\"qid\": \"q1\", \"text\": \"x\"}\n{\"_id\": \"q1\", \"text\": \"y\"}\n",
                 "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "queries.jsonl:2: duplicate qid \"q1\"", "first on line 1");
    d = task_dir(C3, Q2, "qrels.jsonl",
                 "{\"qid\": \"q1\", \"doc_id\": \"a\"}\n\n"
                 "{\"qid\": \"q1\", \"doc_id\": \"a\", \"score\": 2}\n");
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:3: duplicate judgement of qid \"q1\"",
                "first on line 1");
    /* qrels naming unknown ids */
    d = task_dir(C3, Q2, "qrels.jsonl",
                 "{\"qid\": \"q1\", \"doc_id\": \"a\"}\n"
                 "{\"qid\": \"q9\", \"doc_id\": \"a\"}\n");
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:2: unknown qid \"q9\"", "queries.jsonl");
    d = task_dir(C3, Q2, "qrels.jsonl", "{\"qid\": \"q1\", \"doc_id\": \"zz\"}\n");
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:1: unknown doc_id \"zz\"", "corpus.jsonl");
    d = task_dir(C3, Q2, "qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\ta\t1\nq1\tnope\t1\n");
    expect_fail(d, LE_ERR_FORMAT, "test.tsv:3: unknown doc_id \"nope\"", NULL);
    /* TSV shape */
    d = task_dir(C3, Q2, "qrels/test.tsv", "q1\ta\t1\nq2 7 1\n");
    expect_fail(d, LE_ERR_FORMAT, "test.tsv:2: expected 3 tab-separated fields", NULL);
    d = task_dir(C3, Q2, "qrels/test.tsv", "q1\ta\t1\nq2\t7\thigh\n");
    expect_fail(d, LE_ERR_FORMAT, "test.tsv:2: the score \"high\" is not an integer", NULL);
    d = task_dir(C3, Q2, "qrels/test.tsv", "query-id\tcorpus-id\tscore\n");
    expect_fail(d, LE_ERR_FORMAT, "test.tsv: no judgements", NULL);
    /* context_length on some rows only */
    d = task_dir("{\"doc_id\": \"a\", \"text\": \"x\", \"context_length\": 256}\n"
                 "{\"doc_id\": \"b\", \"text\": \"y\"}\n",
                 Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl:2: lacks \"context_length\"", NULL);
    d = task_dir("{\"doc_id\": \"a\", \"text\": \"x\", \"context_length\": 256}\n",
                 "{\"qid\": \"q1\", \"text\": \"x\", \"context_length\": 512}\n", "qrels.jsonl",
                 qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "queries.jsonl:1: context_length 512 has no documents", NULL);
    d = task_dir("{\"doc_id\": \"a\", \"text\": \"x\", \"context_length\": 256}\n",
                 "{\"qid\": \"q1\", \"text\": \"x\", \"context_length\": 256}\n", "qrels.jsonl",
                 qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "qrels.jsonl:1: no \"context_length\"", NULL);
    /* an empty corpus */
    d = task_dir("\n\n", Q2, "qrels.jsonl", qrels_ok);
    expect_fail(d, LE_ERR_FORMAT, "corpus.jsonl: no documents", NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_root);
    CHECK(system(cmd) == 0);
    return check_report("test_taskdir");
}
