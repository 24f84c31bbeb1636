/* The QA pipelines (rag, memorag, lcboost, full) on the scripted fake
 * generator (rag_fake.h) over a BM25 index of one meeting's chunks and a
 * distractor meeting: the stages run in order, the prompts hold what they
 * should, citations point at real passage spans of the index, MemoRAG's
 * clues are filtered and its memory prefix reused, LC-Boost's actions,
 * fallback and step limit, full context's size error and truncation. */
#include "check.h"
#include "rag_fake.h"

static const char *const IDS[] = {"m1#0", "m1#1", "m1#2", "m1#3", "m1#4", "m2#0"};
static const char *const DOCS[] = {
    "Project Manager: Welcome everyone to the kickoff meeting for the new remote control.",
    "Industrial Designer: The remote should have a scroll wheel instead of many buttons.",
    "Marketing: Users find most buttons useless, and fewer buttons sell better.",
    "Project Manager: We decided on five buttons and a scroll wheel for the remote.",
    "User Interface: The case will be yellow and shaped like a banana.",
    "Finance: another meeting about budgets and the price of buttons on a remote.",
};
#define NDOCS 6
#define QUESTION "What did the group decide about the remote control's buttons?"

static le_index *g_ix;
static le_rag_index_source g_src;
static le_rag_retriever g_ret;
static le_rag_doc g_doc; /* meeting m1 */
static size_t g_lens[5], g_docnum[5];

static void setup(const char *dir) {
    char path[512];
    le_error err;
    snprintf(path, sizeof path, "%s/m.lei", dir);
    CHECK(fake_index(path, IDS, DOCS, NDOCS, &err) == LE_OK);
    CHECK(le_index_open(path, NULL, &g_ix, &err) == LE_OK);
    le_search_options_init(&g_src.search);
    g_src.search.mode = LE_SEARCH_BM25;
    g_src.ix = g_ix;
    g_src.id_prefix = "m1#";
    le_status s = le_rag_index_retriever(&g_src, &g_ret, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    for (size_t i = 0; i < 5; i++) {
        g_lens[i] = strlen(DOCS[i]);
        g_docnum[i] = (size_t)le_index_find(g_ix, IDS[i]);
    }
    g_doc = (le_rag_doc){5, DOCS, g_lens, g_docnum, IDS};
}

static int stage_order(const le_rag_stats *st, const char *const *names, int n) {
    if (st->n_stages != n) return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(st->stage[i].name, names[i])) return 0;
    return 1;
}

/* Every passage is a real span of its index document, from meeting m1, in
 * document order. */
static void check_passages(const le_rag_result *r) {
    for (size_t i = 0; i < r->n_passages; i++) {
        const le_rag_passage *p = &r->passages[i];
        le_index_doc_info d;
        CHECK(le_index_get_doc(g_ix, p->doc, &d, NULL) == LE_OK);
        CHECK(!strncmp(d.id, "m1#", 3) && !strcmp(d.id, p->id));
        CHECK(p->byte_end <= d.text_len && p->text == d.text + p->byte_start);
        if (i) CHECK(r->passages[i - 1].doc <= p->doc);
    }
}

static void test_rag(void) {
    fake_line script[] = {{"numbered passages", "They chose five buttons [2], see also [1, 3] and [9].", 0, 0}};
    fake_gen f = {script, 1, NULL, {0}, 0, NULL, 0, 0, 0};
    le_rag_gen g = fake_as_gen(&f, 4096, 0);
    le_rag_result r;
    le_error err;
    le_rag_options o = {0};
    o.k = 3;
    le_status s = le_rag_run_rag(&g, &g_ret, QUESTION, &o, &r, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    static const char *const order[] = {"retrieve", "generate"};
    CHECK(stage_order(&r.stats, order, 2));
    CHECK_EQ_INT(r.n_passages, 3);
    check_passages(&r);
    CHECK(!strcmp(r.answer.p, script[0].reply));
    CHECK_EQ_INT(r.n_cited, 3);
    CHECK_EQ_INT(r.bad_citations, 1);
    CHECK(r.cited[0] && r.cited[1] && r.cited[2]);
    /* the prompt numbers the passages the result holds, with their text */
    CHECK_EQ_INT(f.n_prompts, 1);
    char want[256];
    snprintf(want, sizeof want, "[2] %.*s", (int)(r.passages[1].byte_end - r.passages[1].byte_start),
             r.passages[1].text);
    CHECK_STR_CONTAINS(f.prompts[0], want);
    CHECK_STR_CONTAINS(f.prompts[0], QUESTION);
    CHECK(r.stats.stage[1].tokens_read == fake_words(f.prompts[0], strlen(f.prompts[0])));
    CHECK(r.stats.stage[1].tokens_generated == 11);
    le_rag_result_free(&r);
    /* a window too small for all passages drops the weakest; too small for the question fails */
    fake_reset(&f);
    g.window = 256 + 60;
    s = le_rag_run_rag(&g, &g_ret, QUESTION, &o, &r, &err);
    CHECK(s == LE_OK && r.dropped > 0 && r.n_passages + r.dropped == 3);
    le_rag_result_free(&r);
    g.window = 256 + 10;
    s = le_rag_run_rag(&g, &g_ret, QUESTION, &o, &r, &err);
    CHECK(s == LE_ERR_TOO_LONG);
    CHECK_STR_CONTAINS(err.message, "over the generator's window of 266 tokens");
    le_rag_result_free(&r);
    fake_free(&f);
}

static fake_line g_memo_script[] = {
    {"text spans", "Clues:\n- We decided on five buttons and a scroll wheel\n"
                   "1. buttons\n2) we decided on FIVE buttons  and a scroll wheel\n", 0, 0},
    {"precise questions", "What did the group decide about the buttons?\n\n"
                          "\"Which case colour was chosen for the remote?\"\n", 0, 0},
    {"directly and briefly", "Five buttons.", 0, 0},
    {"Compress the text", "gist of a chunk about the remote", 0, 0},
    {"numbered passages", "Five buttons and a scroll wheel [1].", 0, 0},
};

static void test_memorag(int with_chat, int draft, size_t window) {
    for (size_t i = 0; i < 5; i++) g_memo_script[i].used = 0;
    fake_gen f = {g_memo_script, 5, NULL, {0}, 0, NULL, 0, 0, 0};
    le_rag_gen g = fake_as_gen(&f, window, with_chat);
    le_rag_result r;
    le_error err;
    le_rag_options o = {0};
    o.draft = draft;
    o.max_new_tokens = 64;
    o.gist_tokens = 16;
    o.chunk_tokens = 30;
    le_status s = le_rag_run_memorag(&g, NULL, &g_ret, &g_doc, QUESTION, &o, &r, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    static const char *const order[] = {"memorize", "recall", "retrieve", "generate"};
    CHECK(stage_order(&r.stats, order, 4));
    /* clues: the span (once: the second spelling is a duplicate), the two
     * questions, the draft when asked, then the question itself; "Clues:"
     * and "buttons" have 3 words or fewer */
    CHECK_EQ_INT(r.clues.n, draft ? 5 : 4);
    if (r.clues.n >= 4) {
        CHECK(!strcmp(r.clues.line[0], "We decided on five buttons and a scroll wheel"));
        CHECK(!strcmp(r.clues.line[1], "What did the group decide about the buttons?"));
        CHECK(!strcmp(r.clues.line[2], "Which case colour was chosen for the remote?"));
        CHECK(!strcmp(r.clues.line[r.clues.n - 1], QUESTION));
    }
    check_passages(&r);
    CHECK(r.n_passages >= 3 && r.cited[0] && r.n_cited == 1);
    /* recall calls: spans, surrogate (+ draft), all after the same memory prefix */
    int recalls = draft ? 3 : 2;
    CHECK_EQ_INT(le_rag_stage_get(&r.stats, "recall")->calls, recalls);
    CHECK_EQ_INT(r.stats.prefix_reused, with_chat ? recalls - 1 : 0);
    CHECK_EQ_INT(f.chat_calls, with_chat ? recalls : 0);
    CHECK_EQ_INT(r.memory_gists, window < 400);
    const char *last = f.prompts[f.n_prompts - 1];
    CHECK_STR_CONTAINS(last, "numbered passages");
    if (draft) CHECK_STR_CONTAINS(last, "The answer might be: Five buttons.");
    if (!with_chat && f.n_prompts > 1) {
        size_t first_recall = r.memory_gists ? r.chunks : 0;
        CHECK_STR_CONTAINS(f.prompts[first_recall], "Read all of it closely");
        CHECK_STR_CONTAINS(f.prompts[first_recall], r.memory_gists ? "gist of a chunk" : DOCS[4]);
        CHECK_STR_CONTAINS(f.prompts[first_recall], "\n\nAssistant: I have read");
    }
    if (r.memory_gists) CHECK(le_rag_stage_get(&r.stats, "memorize")->calls == (int)r.chunks);
    le_rag_result_free(&r);
    fake_free(&f);
}

static void trace(void *user, const char *line) {
    le_sbuf *b = user;
    le_sbuf_printf(b, "%s\n", line);
}

/* LC-Boost's options for the five one-document chunks of g_doc. */
static le_rag_options lcb_options(void) {
    le_rag_options o = {0};
    o.max_new_tokens = 20;
    o.chunk_tokens = 14; /* one chunk document each */
    return o;
}

/* The walk: understand, retrieve (a jump from part 1 to part 4), append
 * (markdown), an unreadable reply (the fallback: move on, wrapping to the
 * first part not read), move, answer. */
static void test_lcboost(void) {
    fake_line script[] = {
        {"Part 1 of", "ACTION: understand\nlook for the decision on buttons", 1, 0},
        {"Part 1 of", "Action: retrieve\nfive buttons and a scroll wheel", 1, 0},
        {"Part 4 of", "**Action**: Append - the team decided on five buttons", 1, 0},
        {"Part 5 of", "I am not sure what to do here.", 1, 0},
        {"Part 2 of", "move", 1, 0},
        {"Part 3 of", "ACTION: answer\nFive buttons and a scroll wheel.", 1, 0},
    };
    fake_gen f = {script, 6, "no reply", {0}, 0, NULL, 0, 0, 0};
    le_rag_gen g = fake_as_gen(&f, 400, 0);
    le_rag_result r;
    le_error err;
    le_sbuf tr = {0};
    le_rag_options o = lcb_options();
    o.trace = trace;
    o.trace_user = &tr;
    le_status s = le_rag_run_lcboost(&g, &g_ret, &g_doc, QUESTION, &o, &r, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    CHECK_EQ_INT(r.chunks, 5);
    CHECK_EQ_INT(r.steps, 6);
    CHECK_EQ_INT(r.fallbacks, 1);
    CHECK(!r.step_limit);
    CHECK(r.answer.p && !strcmp(r.answer.p, "Five buttons and a scroll wheel."));
    CHECK_STR_CONTAINS(tr.p, "step 1: part 1/5: understand\nstep 2: part 1/5: retrieve\n"
                             "step 3: part 4/5: append\n"
                             "step 4: part 5/5: move (no action read: the fallback; the reply began "
                             "\"I am not sure what to do here.\")\n"
                             "step 5: part 2/5: move\nstep 6: part 3/5: answer\n");
    /* the task and the notes reach the later prompts */
    CHECK(f.n_prompts == 6);
    CHECK_STR_CONTAINS(f.prompts[1], "(What to look for: look for the decision on buttons)");
    CHECK_STR_CONTAINS(f.prompts[3], "the team decided on five buttons");
    CHECK_STR_CONTAINS(f.prompts[3], DOCS[4]);
    static const char *const order[] = {"step", "retrieve"};
    CHECK(stage_order(&r.stats, order, 2));
    le_rag_result_free(&r);
    le_sbuf_free(&tr);
    fake_free(&f);
}

/* With fallback_append, a reply without an action is added to the notes
 * as it is (and the walk moves on): a model that answers instead of
 * choosing still leaves what it read for the final answer. */
static void test_lcboost_fallback_append(void) {
    fake_line script[] = {{"Part", "The remote has five buttons.", 0, 0},
                          {"from the notes", "Five buttons.", 0, 0}};
    fake_gen f = {script, 2, NULL, {0}, 0, NULL, 0, 0, 0};
    le_rag_gen g = fake_as_gen(&f, 400, 0);
    le_rag_result r;
    le_error err;
    le_sbuf tr = {0};
    le_rag_options o = lcb_options();
    o.fallback_append = 1;
    o.trace = trace;
    o.trace_user = &tr;
    le_status s = le_rag_run_lcboost(&g, NULL, &g_doc, QUESTION, &o, &r, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    CHECK(r.steps == 5 && r.fallbacks == 5 && !r.step_limit);
    CHECK(r.answer.p && !strcmp(r.answer.p, "Five buttons."));
    CHECK_STR_CONTAINS(tr.p, "step 1: part 1/5: append (no action read: the fallback;");
    CHECK(f.n_prompts == 6);
    CHECK_STR_CONTAINS(f.prompts[1], "The remote has five buttons.");
    CHECK_STR_CONTAINS(f.prompts[5], "Notes:\nThe remote has five buttons.");
    le_rag_result_free(&r);
    le_sbuf_free(&tr);
    fake_free(&f);
}

/* A model that merges forever meets the step limit and answers from its
 * notes; one that only moves reads to the end and answers from them too. */
static void test_lcboost_limits(void) {
    fake_line script[] = {{"Part", "merge\nthe notes so far", 0, 0},
                          {"from the notes", "An answer from notes.", 0, 0}};
    fake_gen f = {script, 2, NULL, {0}, 0, NULL, 0, 0, 0};
    le_rag_gen g = fake_as_gen(&f, 400, 0);
    le_rag_result r;
    le_error err;
    le_rag_options o = lcb_options();
    o.max_steps = 3;
    le_status s = le_rag_run_lcboost(&g, NULL, &g_doc, QUESTION, &o, &r, &err);
    CHECK(s == LE_OK && r.steps == 3 && r.step_limit);
    CHECK(r.answer.p && !strcmp(r.answer.p, "An answer from notes."));
    CHECK_STR_CONTAINS(f.prompts[3], "Notes:\nthe notes so far");
    le_rag_result_free(&r);
    fake_reset(&f);
    script[0].reply = "skip";
    o.max_steps = 0; /* 2 x 5 + 4 */
    s = le_rag_run_lcboost(&g, NULL, &g_doc, QUESTION, &o, &r, &err);
    CHECK(s == LE_OK && r.steps == 5 && !r.step_limit && r.fallbacks == 0);
    CHECK_STR_CONTAINS(f.prompts[5], "Notes:\n(none)");
    le_rag_result_free(&r);
    g.window = 200; /* no room for a chunk */
    s = le_rag_run_lcboost(&g, NULL, &g_doc, QUESTION, &o, &r, &err);
    CHECK(s == LE_ERR_TOO_LONG);
    CHECK_STR_CONTAINS(err.message, "leaves no room for a chunk");
    le_rag_result_free(&r);
    fake_free(&f);
}

static void test_full(void) {
    fake_gen f = {NULL, 0, "an answer", {0}, 0, NULL, 0, 0, 0};
    le_rag_gen g = fake_as_gen(&f, 4096, 0);
    le_rag_result r;
    le_error err;
    le_rag_options o = {0};
    o.max_new_tokens = 32;
    le_status s = le_rag_run_full(&g, &g_doc, QUESTION, &o, &r, &err);
    CHECK(s == LE_OK && !r.truncated && f.n_prompts == 1);
    for (int i = 0; i < 5; i++) CHECK_STR_CONTAINS(f.prompts[0], DOCS[i]);
    CHECK_EQ_INT(r.doc_tokens, 63);
    le_rag_result_free(&r);
    g.window = 100;
    s = le_rag_run_full(&g, &g_doc, QUESTION, &o, &r, &err);
    CHECK(s == LE_ERR_TOO_LONG);
    CHECK_STR_CONTAINS(err.message, "the document is 63 tokens");
    le_rag_result_free(&r);
    fake_reset(&f);
    o.truncate = 1;
    s = le_rag_run_full(&g, &g_doc, QUESTION, &o, &r, &err);
    CHECK(s == LE_OK && r.truncated && f.n_prompts == 1);
    CHECK(fake_words(f.prompts[0], strlen(f.prompts[0])) + 32 <= 100);
    CHECK_STR_CONTAINS(f.prompts[0], DOCS[0]);
    CHECK(!strstr(f.prompts[0], DOCS[4]));
    le_rag_result_free(&r);
    fake_free(&f);
}

int main(void) {
    char *dir = tu_tmpdir();
    CHECK(dir != NULL);
    if (!dir) return check_report("test_rag_pipelines");
    setup(dir);
    test_rag();
    test_memorag(0, 0, 4096);
    test_memorag(1, 1, 4096);
    test_memorag(0, 0, 280);
    test_memorag(1, 0, 280);
    test_lcboost();
    test_lcboost_fallback_append();
    test_lcboost_limits();
    test_full();
    le_index_close(g_ix);
    tu_rmdir(dir);
    free(dir);
    return check_report("test_rag_pipelines");
}
