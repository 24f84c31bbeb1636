/* The readers of model text and of prompt files: MemoRAG's clue lines,
 * citations, LC-Boost's action choice (valid forms, synonyms, malformed
 * replies falling back to move), and prompt templates (rendering, {{ }},
 * overrides from JSON, and clear errors for unknown prompts and
 * placeholders, unpaired braces and values that are not strings). */
#include "check.h"
#include "generate/lcboost.h"
#include "generate/rag_parse.h"
#include "generate/rag_prompts.h"

#include <stdlib.h>

static void test_clues(void) {
    le_rag_lines l = {0};
    le_error err;
    const char *reply = "  1. The budget was cut to twelve euros\n"
                        "- the budget was CUT to  twelve euros\n"
                        "(2) \"Who proposed the yellow case?\"\n"
                        "\xe2\x80\xa2 too short here\n"
                        "**3.** The designer wants a scroll wheel\n"
                        "\n\r\n"
                        "> What did marketing say about buttons\n";
    CHECK(le_rag_clue_lines(reply, 3, &l, &err) == LE_OK);
    CHECK_EQ_INT(l.n, 4);
    if (l.n == 4) {
        CHECK(!strcmp(l.line[0], "The budget was cut to twelve euros"));
        CHECK(!strcmp(l.line[1], "Who proposed the yellow case?"));
        CHECK(!strcmp(l.line[2], "The designer wants a scroll wheel"));
        CHECK(!strcmp(l.line[3], "What did marketing say about buttons"));
    }
    int added = 1;
    const char *again = "what did MARKETING say about buttons ";
    CHECK(le_rag_lines_add(&l, again, strlen(again), &added, &err) == 0);
    CHECK(!added && l.n == 4);
    CHECK(le_rag_clue_lines("", 3, &l, &err) == LE_OK && l.n == 4);
    CHECK(le_rag_clue_lines(NULL, 3, &l, &err) == LE_OK && l.n == 4);
    le_rag_lines_free(&l);
}

static void test_citations(void) {
    unsigned char c[5];
    size_t bad = 0;
    CHECK_EQ_INT(le_rag_citations("a [1] b [3][5] c [2-3] [0] [7] [x] [1,4]", 5, c, &bad), 5);
    CHECK(c[0] && c[1] && c[2] && c[3] && c[4]);
    CHECK_EQ_INT(bad, 2);
    CHECK_EQ_INT(le_rag_citations("no citations [a]", 5, c, &bad), 0);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(le_rag_citations("[1]", 0, NULL, &bad), 0);
    CHECK_EQ_INT(bad, 1);
    CHECK_EQ_INT(le_rag_citations("[9-1] [3-99999999]", 5, c, &bad), 1);
    CHECK(c[2]);
}

static void expect(const char *reply, le_lcb_action a, int fallback, const char *arg) {
    le_lcb_choice ch;
    le_lcb_parse(reply, &ch);
    CHECK_MSG(ch.action == a && ch.fallback == fallback, "\"%s\": got %s%s", reply ? reply : "NULL",
              le_lcb_action_name(ch.action), ch.fallback ? " (fallback)" : "");
    CHECK_MSG(strlen(arg) == ch.arg_len && !strncmp(ch.arg, arg, ch.arg_len), "\"%s\": arg \"%.*s\"",
              reply ? reply : "NULL", (int)ch.arg_len, ch.arg);
}

static void test_actions(void) {
    expect("ACTION: append\nThe budget is 12 euros.", LE_LCB_APPEND, 0, "The budget is 12 euros.");
    expect("**Action:** `Retrieve` - budget decision", LE_LCB_RETRIEVE, 0, "budget decision");
    expect("Thinking first.\naction = merge\nshort notes", LE_LCB_MERGE, 0, "short notes");
    expect("Task understanding: find the budget", LE_LCB_UNDERSTAND, 0, "find the budget");
    expect("skip", LE_LCB_MOVE, 0, "");
    expect("Move on.", LE_LCB_MOVE, 0, "");
    expect("Final answer: twelve euros", LE_LCB_ANSWER, 0, "twelve euros");
    expect("answer", LE_LCB_ANSWER, 0, "");
    expect("Search: who chose yellow", LE_LCB_RETRIEVE, 0, "who chose yellow");
    expect("Consolidated notes: a, b", LE_LCB_MERGE, 0, "a, b");
    expect("Append to notes - c", LE_LCB_APPEND, 0, "c");
    /* malformed: the default (move), never a crash */
    expect("I think the meeting was long.", LE_LCB_MOVE, 1, "");
    expect("ACTION: dance\nappend this", LE_LCB_MOVE, 1, "");
    expect("", LE_LCB_MOVE, 1, "");
    expect(NULL, LE_LCB_MOVE, 1, "");
    expect("Action:", LE_LCB_MOVE, 1, "");
    expect("\xff\xfe\x01 ACTION", LE_LCB_MOVE, 1, "");
    expect("addition of notes", LE_LCB_MOVE, 1, ""); /* "add" only as a whole word */
}

static const char *render(const le_rag_prompts *p, le_rag_prompt_id id, const le_rag_var *v,
                          size_t n, le_sbuf *b) {
    static le_error err;
    b->n = 0;
    if (le_rag_prompt_render(p, id, v, n, b, &err)) return err.message;
    return b->p;
}

static void test_prompts(void) {
    le_sbuf b = {0};
    le_error err;
    le_rag_var v[] = {{"passages", "[1] P"}, {"question", "Q?"}};
    const char *s = render(NULL, LE_RP_ANSWER, v, 2, &b);
    CHECK_STR_CONTAINS(s, "[1] P\n\nQuestion: Q?");
    CHECK(!strcmp(le_rag_prompt_name(LE_RP_LCB_STEP), "lcboost.step"));
    for (int i = 0; i < LE_RP_COUNT; i++) /* the defaults pass their own check */
        CHECK(le_rag_prompt_check((le_rag_prompt_id)i, le_rag_prompt_default((le_rag_prompt_id)i),
                                  "default", &err) == LE_OK);
    le_rag_prompts p = {0};
    const char *json = "{\"answer\": \"{{literal}} {question} / {passages}\", \"memorag.ack\": \"ok\"}";
    CHECK(le_rag_prompts_parse(&p, json, strlen(json), "test.json", &err) == LE_OK);
    CHECK(!strcmp(render(&p, LE_RP_ANSWER, v, 2, &b), "{literal} Q? / [1] P"));
    CHECK(!strcmp(le_rag_prompt_text(&p, LE_RP_MEMORY_ACK), "ok"));
    CHECK(le_rag_prompt_text(&p, LE_RP_FULL) == le_rag_prompt_default(LE_RP_FULL));
    CHECK_STR_CONTAINS(render(&p, LE_RP_ANSWER, v, 1, &b), "no value for {question}");
    le_rag_prompts_free(&p);
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{\"anwser\": \"x\"}", "test.json: unknown prompt \"anwser\" (known: memorag.memory,"},
        {"{\"answer\": \"{question} {context}\"}",
         "test.json: prompt \"answer\": unknown placeholder {context} (answer allows {passages}, "
         "{question})"},
        {"{\"memorag.ack\": \"{question}\"}", "(memorag.ack allows none)"},
        {"{\"full\": \"{document\"}", "a '{' without its '}' at byte 0"},
        {"{\"full\": \"a } b\"}", "a '}' without its '{' at byte 2"},
        {"{\"full\": 3}", "prompt \"full\" is not a string"},
        {"[\"full\"]", "expected a JSON object"},
        {"{\"full\": ", "test.json: invalid JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        le_rag_prompts q = {0};
        CHECK(le_rag_prompts_parse(&q, bad[i].json, strlen(bad[i].json), "test.json", &err) ==
              (i + 1 < sizeof bad / sizeof *bad ? LE_ERR_ARG : LE_ERR_FORMAT));
        CHECK_STR_CONTAINS(err.message, bad[i].msg);
        for (int j = 0; j < LE_RP_COUNT; j++) CHECK(q.text[j] == NULL);
    }
    CHECK(le_rag_prompts_load(&p, "/nonexistent/prompts.json", &err) != LE_OK);
    CHECK_STR_CONTAINS(err.message, "/nonexistent/prompts.json");
    le_sbuf_free(&b);
}

static void test_reply_start(void) {
    char b[16], big[32];
    le_lcb_reply_start("  Grad C:\n\n  so the", big, sizeof big);
    CHECK_MSG(!strcmp(big, "Grad C: so the"), "%s", big);
    le_lcb_reply_start("  Grad C:\n\n  so the", b, sizeof b);
    CHECK_MSG(!strcmp(b, "Grad C: so t..."), "%s", b);
    le_lcb_reply_start("one two three four five", b, sizeof b);
    CHECK_MSG(!strcmp(b, "one two thre..."), "%s", b);
    le_lcb_reply_start("abcdefghij\xC3\xA9\xC3\xA9xyz", b, sizeof b); /* é cut by the limit */
    CHECK_MSG(!strcmp(b, "abcdefghij..."), "%s", b);
    le_lcb_reply_start(NULL, b, sizeof b);
    CHECK(!strcmp(b, ""));
}

int main(void) {
    test_reply_start();
    test_clues();
    test_citations();
    test_actions();
    test_prompts();
    return check_report("test_rag_parse");
}
