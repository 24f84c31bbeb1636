/* le_ask through the public API alone, with a caller's model (callbacks)
 * over a BM25 index: each mode answers, passages are spans of the index's
 * documents with their citations, stages are named, a prompt file
 * overrides a prompt; a model file that is not there, a missing model,
 * a bad prompt file, an unknown mode, an empty index, an unknown id prefix
 * are clear errors. le_ask_eval runs a QA file question by question, each
 * over its own document's chunk documents, with ROUGE per row. */
#define _GNU_SOURCE
#include "check.h"
#include "index/index_testutil.h" /* tu_tmpdir, tu_rmdir */
#include "longembed.h"

#include <stdlib.h>

static const char *const IDS[] = {"m1#0", "m1#1", "m1#2", "other#0"};
static const char *const DOCS[] = {
    "Project Manager: we open the meeting about the remote control.",
    "Designer: the remote gets five buttons and a scroll wheel.",
    "Marketing: the case will be yellow like a banana.",
    "Finance: the budget for the remote is twelve euros.",
};

static int g_calls;

static le_status gen(void *user, const char *prompt, size_t max_new, char **reply, le_error *err) {
    (void)user, (void)max_new, (void)err;
    g_calls++;
    const char *r = "Five buttons [1].";
    if (strstr(prompt, "Part ")) r = "ACTION: answer\nFive buttons.";
    else if (strstr(prompt, "text spans")) r = "the remote gets five buttons\n";
    else if (strstr(prompt, "precise questions")) r = "How many buttons will the remote have?";
    else if (strstr(prompt, "OVERRIDDEN")) r = "overridden answer";
    *reply = strdup(r);
    return LE_OK;
}

static le_status count(void *user, const char *text, size_t len, size_t *n, le_error *err) {
    (void)user, (void)err;
    *n = 0;
    for (size_t i = 0; i < len; i++) *n += text[i] == ' ';
    *n += len > 0;
    return LE_OK;
}

static void make_index(const char *path, size_t n) {
    le_index_model im;
    le_index_model_init(&im);
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, &im, NULL, &w, &err) == LE_OK);
    for (size_t i = 0; i < n; i++) {
        le_index_doc d = {.id = IDS[i], .text = DOCS[i]};
        CHECK(le_index_writer_add(w, 1, &d, &err) == LE_OK);
    }
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
}

static le_ask_options options(le_ask_mode mode) {
    le_ask_options o;
    le_ask_options_init(&o);
    o.mode = mode;
    o.generate = gen;
    o.count_tokens = count;
    o.window = 2048;
    o.id_prefix = "m1#";
    o.max_new_tokens = 64;
    return o;
}

static void test_modes(le_index *ix) {
    static const char *const answers[] = {"Five buttons [1].", "Five buttons [1].", "Five buttons.",
                                          "Five buttons [1]."};
    static const char *const first_stage[] = {"retrieve", "memorize", "step", "generate"};
    for (int mode = 0; mode < 4; mode++) {
        le_ask_options o = options((le_ask_mode)mode);
        le_ask_result *r = NULL;
        le_error err;
        le_status s = le_ask(ix, NULL, "How many buttons?", &o, &r, &err);
        CHECK_MSG(s == LE_OK, "%s: %s", le_ask_mode_name((le_ask_mode)mode), err.message);
        if (s) continue;
        CHECK(!strcmp(le_ask_answer(r), answers[mode]));
        le_ask_stage st;
        CHECK(le_ask_stage_count(r) >= 1 && le_ask_get_stage(r, 0, &st, &err) == LE_OK);
        CHECK(!strcmp(st.name, first_stage[mode]));
        CHECK(le_ask_get_stage(r, 99, &st, &err) == LE_ERR_ARG);
        le_ask_summary sum;
        le_ask_get_summary(r, &sum);
        CHECK(sum.passages == le_ask_passage_count(r));
        for (size_t i = 0; i < le_ask_passage_count(r); i++) {
            le_ask_passage p;
            le_index_doc_info d;
            CHECK(le_ask_get_passage(r, i, &p, &err) == LE_OK);
            CHECK(le_index_get_doc(ix, p.doc, &d, &err) == LE_OK && !strcmp(d.id, p.id));
            CHECK(!strncmp(p.id, "m1#", 3) && p.text == d.text + p.byte_start);
            CHECK(p.cited == (i == 0));
        }
        if (mode == LE_ASK_RAG || mode == LE_ASK_MEMORAG) CHECK(sum.passages >= 1 && sum.cited == 1);
        if (mode == LE_ASK_MEMORAG) {
            CHECK(sum.clues == 3 && !strcmp(le_ask_clue(r, 2), "How many buttons?"));
            CHECK(le_ask_clue(r, 3) == NULL);
        }
        if (mode == LE_ASK_LCBOOST) CHECK(sum.steps == 1 && sum.chunks == 1); /* 3 docs, 1 chunk */
        le_ask_result_free(r);
    }
}

static void expect_error(le_index *ix, const le_ask_options *o, le_status want, const char *msg) {
    le_ask_result *r = (le_ask_result *)1;
    le_error err;
    CHECK(le_ask(ix, NULL, "How many buttons?", o, &r, &err) == want);
    CHECK(r == NULL);
    CHECK_STR_CONTAINS(err.message, msg);
}

static void test_errors(le_index *ix, le_index *empty, const char *dir) {
    le_ask_options o = options(LE_ASK_RAG);
    o.generate = NULL, o.count_tokens = NULL, o.model = "/nonexistent/model.gguf";
    expect_error(ix, &o, LE_ERR_IO, "le_ask: model \"/nonexistent/model.gguf\"");
    o.model = NULL;
    expect_error(ix, &o, LE_ERR_ARG, "no model");
    o = options(LE_ASK_RAG);
    o.window = 0;
    expect_error(ix, &o, LE_ERR_ARG, "needs generate, count_tokens and window");
    o = options(LE_ASK_FULL);
    expect_error(empty, &o, LE_ERR_ARG, "the index holds no documents");
    o.id_prefix = "m9#";
    expect_error(ix, &o, LE_ERR_ARG, "no document of the index has an id starting with \"m9#\"");
    char path[512];
    snprintf(path, sizeof path, "%s/prompts.json", dir);
    FILE *f = fopen(path, "w");
    if (f) fputs("{\"answer\": \"OVERRIDDEN {passages} {question} {nope}\"}", f), fclose(f);
    o = options(LE_ASK_RAG);
    o.prompts = path;
    expect_error(ix, &o, LE_ERR_ARG, "unknown placeholder {nope}");
    f = fopen(path, "w");
    if (f) fputs("{\"answer\": \"OVERRIDDEN {passages} {question}\"}", f), fclose(f);
    le_ask_result *r = NULL;
    le_error err;
    CHECK(le_ask(ix, NULL, "How many buttons?", &o, &r, &err) == LE_OK);
    CHECK(!strcmp(le_ask_answer(r), "overridden answer"));
    le_ask_result_free(r);
    o.lcb_fallback = "skip";
    expect_error(ix, &o, LE_ERR_ARG, "unknown LC-Boost fallback \"skip\" (move, append)");
    o.lcb_fallback = NULL;
    o.mode = (le_ask_mode)7;
    expect_error(ix, &o, LE_ERR_ARG, "unknown mode 7");
    le_ask_mode m;
    CHECK(le_ask_mode_parse("lcboost", &m, &err) == LE_OK && m == LE_ASK_LCBOOST);
    CHECK(le_ask_mode_parse("memo", &m, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "unknown ask mode \"memo\" (rag, memorag, lcboost, full)");
}

typedef struct eval_seen {
    int rows, failed;
    char answers[3][64], prefixes[3][16];
    double rouge1[3];
} eval_seen;

static void on_row(void *user, const le_ask_eval_row *row) {
    eval_seen *e = user;
    CHECK(row->index == (size_t)e->rows && row->total >= 2);
    if (row->index >= 3) return;
    snprintf(e->answers[row->index], 64, "%s", row->answer);
    e->rouge1[row->index] = row->rouge1;
    e->failed += row->error != NULL;
    le_ask_passage p;
    if (row->result && le_ask_get_passage(row->result, 0, &p, NULL) == LE_OK)
        snprintf(e->prefixes[row->index], 16, "%.*s", (int)(strchr(p.id, '#') - p.id), p.id);
    if (row->error) CHECK_STR_CONTAINS(row->error, "starting with \"nope#\"");
    e->rows++;
}

static int skip_a(void *user, const char *qid) {
    (void)user;
    return !strcmp(qid, "a");
}

static void test_eval(le_index *ix, const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/qa.jsonl", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("{\"qid\": \"a\", \"doc_id\": \"m1\", \"question\": \"How many buttons?\", "
              "\"answer\": \"Five buttons [1].\"}\n", f);
        fputs("{\"qid\": \"b\", \"doc_id\": \"other\", \"question\": \"The budget?\", "
              "\"answer\": \"twelve euros\"}\n", f);
        fputs("{\"qid\": \"c\", \"doc_id\": \"nope\", \"question\": \"Anything?\", "
              "\"answer\": \"x\"}\n", f);
        fclose(f);
    }
    le_ask_options o = options(LE_ASK_RAG);
    o.id_prefix = "ignored#";
    le_ask_eval_options eo;
    le_ask_eval_options_init(&eo);
    eval_seen seen = {0};
    eo.on_row = on_row, eo.user = &seen;
    le_ask_eval_summary sum;
    le_error err;
    le_status s = le_ask_eval(ix, NULL, path, &o, &eo, &sum, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    CHECK(seen.rows == 3 && seen.failed == 1 && sum.questions == 3 && sum.failed == 1);
    CHECK(!strcmp(seen.answers[0], "Five buttons [1].") && seen.rouge1[0] == 100);
    CHECK(!strcmp(seen.prefixes[0], "m1") && !strcmp(seen.prefixes[1], "other"));
    CHECK(!strcmp(seen.answers[2], "") && seen.rouge1[1] == 0);
    CHECK(sum.rouge1 > 33.3 && sum.rouge1 < 33.4);
    /* a resumed run: question a is done, so b and c are asked, as 0 and 1 of 2 */
    eo.skip = skip_a;
    memset(&seen, 0, sizeof seen);
    s = le_ask_eval(ix, NULL, path, &o, &eo, &sum, &err);
    CHECK(s == LE_OK && sum.questions == 2 && sum.failed == 1 && seen.rows == 2);
    CHECK(!strcmp(seen.prefixes[0], "other"));
    eo.skip = NULL;
    eo.first = 1;
    memset(&seen, 0, sizeof seen);
    eo.on_row = NULL;
    CHECK(le_ask_eval(ix, NULL, path, &o, &eo, &sum, &err) == LE_OK && sum.questions == 1);
    snprintf(path, sizeof path, "%s/missing.jsonl", dir);
    CHECK(le_ask_eval(ix, NULL, path, &o, &eo, &sum, &err) != LE_OK);
    CHECK_STR_CONTAINS(err.message, "missing.jsonl");
}

int main(void) {
    char *dir = tu_tmpdir();
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.lei", dir);
    snprintf(b, sizeof b, "%s/empty.lei", dir);
    make_index(a, 4);
    make_index(b, 0);
    le_index *ix = NULL, *empty = NULL;
    le_error err;
    CHECK(le_index_open(a, NULL, &ix, &err) == LE_OK && le_index_open(b, NULL, &empty, &err) == 0);
    if (ix && empty) {
        test_modes(ix);
        test_errors(ix, empty, dir);
        test_eval(ix, dir);
    }
    le_index_close(ix);
    le_index_close(empty);
    tu_rmdir(dir);
    free(dir);
    return check_report("test_rag_ask");
}
