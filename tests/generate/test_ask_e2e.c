/* le_ask end to end on a real decoder: the random-weight Qwen2 GGUF of
 * tests/fixtures/llm/qwen2-tiny (its context_length raised from 256 to
 * 4096 in a copy, so MemoRAG's prompts fit; the weights are the same),
 * greedy, over a BM25 index built here:
 *   - each mode's stages run in order (memorag: memorize, recall,
 *     retrieve, generate; rag: retrieve, generate; lcboost: steps that end
 *     by the answer, the end of the input or the step limit, then the
 *     answer; full: generate);
 *   - MemoRAG's memory is kept on disk and a second call loads it: no
 *     second prefill (memorize makes no call, memory_prefilled is 0), the
 *     same clues and answer as the first; the same with the gists of a
 *     document too long for the window; off with memory_dir "";
 *   - passages are real spans: byte ranges inside their documents, their
 *     text the document's bytes there;
 *   - an empty index, an index of another embedding model, a question over
 *     the window: clear errors; a model that never chooses a valid LC-Boost
 *     action: the fallback (move) and the step limit, no hang;
 *   - LC-Boost's second question about a document continues every step
 *     from the prefix cache's copy of its part, with the same answers. */
#define _GNU_SOURCE
#include "base/mapfile.h"
#include "check.h"
#include "generate/llm_impl.h" /* the prefix cache's hits */
#include "index/index_testutil.h" /* tu_tmpdir, tu_rmdir */
#include "longembed.h"
#include "rag_fake.h"             /* fake_index */

#include <dirent.h>
#include <unistd.h>
#include <stdlib.h>

#define QWEN "tests/fixtures/llm/qwen2-tiny/model.gguf"
#define BERT "tests/fixtures/bert-cased-tiny"

static char g_model[512], g_mem[512];

static const char *const IDS[] = {"m1#0", "m1#1", "m1#2", "m1#3", "other#0"};
static const char *const DOCS[] = {
    "Project Manager: we open the meeting about the new remote control and its design.",
    "Industrial Designer: the remote gets five buttons and a scroll wheel on the side.",
    "Marketing: the case will be yellow like a banana, since young people like bright colours.",
    "Finance: the budget for the remote is twelve euros and fifty cents per unit.",
    "Another meeting entirely, about the canteen's menu.",
};

/* A copy of the fixture with qwen2.context_length = ctx. */
static void write_model(const char *path, uint32_t ctx) {
    size_t n = 0;
    char *img = NULL;
    le_error err;
    CHECK(le_read_file(QWEN, 0, &img, &n, &err) == LE_OK);
    if (!img) return;
    const char key[] = "qwen2.context_length";
    char *k = memmem(img, n, key, sizeof key - 1);
    CHECK(k != NULL);
    if (k) {
        unsigned char *v = (unsigned char *)k + sizeof key - 1; /* u32 type 4, then the value */
        CHECK(v[0] == 4 && v[1] == 0 && v[4] == 0 && v[5] == 1); /* 256 */
        memcpy(v + 4, &ctx, 4);
    }
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(img, 1, n, f) == n);
    if (f) fclose(f);
    free(img);
}

static le_ask_options options(le_ask_mode mode, const char *prefix) {
    le_ask_options o;
    le_ask_options_init(&o);
    o.mode = mode;
    o.model = g_model;
    o.threads = 1;
    o.id_prefix = prefix;
    o.max_new_tokens = 24;
    o.memory_dir = g_mem;
    return o;
}

/* The stage names of r joined by spaces into buf. */
static const char *stages(const le_ask_result *r, char *buf, size_t cap) {
    buf[0] = 0;
    for (size_t i = 0; i < le_ask_stage_count(r); i++) {
        le_ask_stage st;
        le_error err;
        if (le_ask_get_stage(r, i, &st, &err) == LE_OK)
            snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? " " : "", st.name);
    }
    return buf;
}

static int stage_calls(const le_ask_result *r, const char *name) {
    for (size_t i = 0; i < le_ask_stage_count(r); i++) {
        le_ask_stage st;
        le_error err;
        if (le_ask_get_stage(r, i, &st, &err) == LE_OK && !strcmp(st.name, name)) return st.calls;
    }
    return -1;
}

/* Every passage is bytes [start, end) of its document, under prefix. */
static void check_passages(le_index *ix, const le_ask_result *r, const char *prefix) {
    for (size_t i = 0; i < le_ask_passage_count(r); i++) {
        le_ask_passage p;
        le_index_doc_info d;
        le_error err;
        CHECK(le_ask_get_passage(r, i, &p, &err) == LE_OK);
        CHECK(le_index_get_doc(ix, p.doc, &d, &err) == LE_OK);
        CHECK(!strcmp(d.id, p.id) && !strncmp(p.id, prefix, strlen(prefix)));
        CHECK(p.byte_start < p.byte_end && p.byte_end <= d.text_len);
        CHECK(p.text == d.text + p.byte_start);
        CHECK(!memcmp(p.text, d.text + p.byte_start, p.byte_end - p.byte_start));
    }
}

static le_ask_result *ask(le_index *ix, const le_ask_options *o, const char *q) {
    le_ask_result *r = NULL;
    le_error err;
    le_status s = le_ask(ix, NULL, q, o, &r, &err);
    CHECK_MSG(s == LE_OK, "%s: %s", le_ask_mode_name(o->mode), err.message);
    return r;
}

/* Files in the memory directory ending in ext. */
static int count_files(const char *ext) {
    int n = 0;
    DIR *d = opendir(g_mem);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name), x = strlen(ext);
        n += l > x && !strcmp(e->d_name + l - x, ext);
        CHECK_MSG(!strstr(e->d_name, ".tmp-"), "left behind: %s", e->d_name);
    }
    if (d) closedir(d);
    return n;
}

/* Two MemoRAG calls over prefix: the second loads the memory. */
static void test_memorag(le_index *ix, const char *prefix, const char *q, int gists) {
    char buf[256];
    le_ask_options o = options(LE_ASK_MEMORAG, prefix);
    le_ask_result *r1 = ask(ix, &o, q), *r2 = ask(ix, &o, q);
    if (!r1 || !r2) goto done;
    CHECK_MSG(!strcmp(stages(r1, buf, sizeof buf), "memorize recall retrieve generate"), "%s", buf);
    CHECK_MSG(!strcmp(stages(r2, buf, sizeof buf), "memorize recall retrieve generate"), "%s", buf);
    le_ask_summary s1, s2;
    le_ask_get_summary(r1, &s1);
    le_ask_get_summary(r2, &s2);
    CHECK(s1.memory_gists == gists && s2.memory_gists == gists);
    CHECK(!s1.memory_loaded && !s1.gists_loaded && s1.memory_tokens > 0);
    /* all of it prefilled (after the gists, but for the chat template's
     * start, which the gist calls left in the cache) */
    CHECK(s1.memory_prefilled <= s1.memory_tokens && s1.memory_prefilled + 32 * gists >= s1.memory_tokens);
    CHECK_EQ_INT(stage_calls(r1, "memorize"), gists ? (int)s1.chunks + 1 : 1);
    /* the second call: loaded, nothing prefilled, no memorize call */
    CHECK(s2.memory_loaded && s2.memory_prefilled == 0 && s2.memory_tokens == s1.memory_tokens);
    CHECK(s2.gists_loaded == gists);
    CHECK_EQ_INT(stage_calls(r2, "memorize"), 0);
    CHECK(s1.memory_reused == 2 && s2.memory_reused == 2); /* both recall calls after it */
    CHECK(!strcmp(le_ask_answer(r1), le_ask_answer(r2)));
    CHECK(s1.clues == s2.clues && s1.clues >= 1);
    for (size_t i = 0; i < s1.clues; i++) CHECK(!strcmp(le_ask_clue(r1, i), le_ask_clue(r2, i)));
    check_passages(ix, r1, prefix);
    CHECK(s1.passages >= 1 && s1.passages == le_ask_passage_count(r1));
    /* off: prefilled again, the same answer */
    le_ask_result_free(r2);
    o.memory_dir = "";
    r2 = ask(ix, &o, q);
    if (r2) le_ask_get_summary(r2, &s2);
    CHECK(r2 && !s2.memory_loaded && s2.memory_prefilled == s1.memory_prefilled);
    CHECK(r2 && !strcmp(le_ask_answer(r1), le_ask_answer(r2)));
done:
    le_ask_result_free(r1);
    le_ask_result_free(r2);
}

/* Cut every memory file short: the next call recomputes and rewrites it. */
static void test_broken_memory(le_index *ix) {
    DIR *d = opendir(g_mem);
    char path[1024];
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", g_mem, e->d_name);
        CHECK(truncate(path, 60) == 0);
    }
    if (d) closedir(d);
    le_ask_options o = options(LE_ASK_MEMORAG, "long#");
    for (int round = 0; round < 2; round++) {
        le_ask_result *r = ask(ix, &o, "What did the group decide about the budget?");
        le_ask_summary s;
        le_ask_get_summary(r, &s);
        CHECK(r && s.memory_loaded == round && s.gists_loaded == round);
        CHECK(r && (s.memory_prefilled == 0) == round);
        le_ask_result_free(r);
    }
}

/* One session (one decoder kept open), two questions about a new memory
 * directory: the first prefills the memory, the second does not. */
static void test_session(le_index *ix) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s-session", g_mem);
    le_ask_options o = options(LE_ASK_MEMORAG, "m1#");
    o.memory_dir = dir;
    le_ask_session *ss = NULL;
    le_error err;
    CHECK(le_ask_session_open(&o, &ss, &err) == LE_OK);
    static const char *const q[2] = {"How many buttons?", "What colour is the case?"};
    for (int i = 0; ss && i < 2; i++) {
        le_ask_result *r = NULL;
        CHECK_MSG(le_ask_session_ask(ss, ix, NULL, q[i], &r, &err) == LE_OK, "%s", err.message);
        le_ask_summary s;
        le_ask_get_summary(r, &s);
        CHECK(r && s.memory_tokens > 0 && (s.memory_prefilled == 0) == (i == 1));
        CHECK(r && stage_calls(r, "memorize") == (i == 0));
        le_ask_result_free(r);
    }
    le_ask_session_close(ss);
}

static void test_other_modes(le_index *ix) {
    char buf[256];
    le_ask_options o = options(LE_ASK_RAG, "m1#");
    le_ask_result *r = ask(ix, &o, "How many buttons will the remote have?");
    CHECK(r && !strcmp(stages(r, buf, sizeof buf), "retrieve generate"));
    if (r) check_passages(ix, r, "m1#");
    CHECK(r && le_ask_passage_count(r) >= 1);
    le_ask_result_free(r);
    o.mode = LE_ASK_FULL;
    r = ask(ix, &o, "How many buttons will the remote have?");
    CHECK(r && !strcmp(stages(r, buf, sizeof buf), "generate") && le_ask_passage_count(r) == 0);
    le_ask_result_free(r);
    /* LC-Boost: the random model writes no action → move (the fallback);
     * the walk ends at the end of the input or the step limit */
    o.mode = LE_ASK_LCBOOST;
    for (int limit = 1; limit <= 8; limit += 7) {
        o.max_steps = limit;
        r = ask(ix, &o, "How many buttons will the remote have?");
        le_ask_summary s;
        le_ask_get_summary(r, &s);
        CHECK_MSG(r && !strncmp(stages(r, buf, sizeof buf), "step", 4), "%s", buf);
        CHECK(r && s.steps >= 1 && s.steps <= limit && s.fallbacks >= 1);
        CHECK(r && (!s.step_limit || s.steps == limit));
        CHECK(r && stage_calls(r, "generate") == 1);
        le_ask_result_free(r);
    }
}

static void expect_error(le_index *ix, le_model *m, const le_ask_options *o, const char *q,
                         le_status want, const char *msg) {
    le_ask_result *r = (le_ask_result *)1;
    le_error err;
    err.message[0] = 0;
    le_status s = le_ask(ix, m, q, o, &r, &err);
    CHECK_MSG(s == want, "status %d, want %d: %s", (int)s, (int)want, err.message);
    CHECK(r == NULL);
    CHECK_STR_CONTAINS(err.message, msg);
}

/* LC-Boost over the long document with a step limit below its chunks. */
static void test_lcboost_limit(le_index *ix) {
    le_ask_options o = options(LE_ASK_LCBOOST, "long#");
    o.max_steps = 2;
    le_ask_result *r = ask(ix, &o, "What did the group decide?");
    le_ask_summary s;
    le_ask_get_summary(r, &s);
    CHECK_MSG(r && s.chunks > 2 && s.steps == 2 && s.step_limit == 1, "chunks %zu steps %d limit %d",
              s.chunks, s.steps, s.step_limit);
    CHECK(r && s.fallbacks >= 1 && stage_calls(r, "generate") == 1);
    le_ask_result_free(r);
}

/* The answers of two LC-Boost questions about the long document in one
 * session on the decoder llm; *hits: its prefix cache's hits per question. */
static void lcboost_pair(le_index *ix, le_llm *llm, char answers[2][512], int hits[2]) {
    le_ask_options o = options(LE_ASK_LCBOOST, "long#");
    o.llm = llm;
    o.max_steps = 3;
    o.max_new_tokens = 8;
    static const char *const q[2] = {"What did the group decide?", "Who spoke about costs?"};
    le_ask_session *ss = NULL;
    le_error err;
    CHECK(le_ask_session_open(&o, &ss, &err) == LE_OK);
    for (int i = 0; ss && i < 2; i++) {
        le_ask_result *r = NULL;
        size_t before = llm->prefix.hits;
        CHECK_MSG(le_ask_session_ask(ss, ix, NULL, q[i], &r, &err) == LE_OK, "%s", err.message);
        le_ask_summary s;
        le_ask_get_summary(r, &s);
        CHECK(r && s.steps == 3);
        snprintf(answers[i], 512, "%s", r ? le_ask_answer(r) : "");
        hits[i] = (int)(llm->prefix.hits - before);
        le_ask_result_free(r);
    }
    le_ask_session_close(ss);
}

/* LC-Boost reads the same parts for every question: with a prefix cache
 * the second question continues each step from its part's copy, and the
 * answers are those of a decoder without the cache. */
static void test_lcboost_prefix_cache(le_index *ix) {
    le_llm_options lo;
    le_llm_options_init(&lo);
    lo.threads = 1;
    le_llm *plain = NULL, *cached = NULL;
    le_error err;
    CHECK(le_llm_open(g_model, &lo, &plain, &err) == LE_OK);
    lo.prefix_cache_bytes = (size_t)1 << 30;
    CHECK(le_llm_open(g_model, &lo, &cached, &err) == LE_OK);
    if (plain && cached) {
        char a[2][512], b[2][512];
        int hits_a[2], hits_b[2];
        lcboost_pair(ix, cached, a, hits_a);
        lcboost_pair(ix, plain, b, hits_b);
        CHECK_MSG(hits_a[0] == 0 && hits_a[1] == 3, "hits %d then %d", hits_a[0], hits_a[1]);
        CHECK(hits_b[0] == 0 && hits_b[1] == 0);
        CHECK_MSG(!strcmp(a[0], b[0]) && !strcmp(a[1], b[1]), "answers differ with the cache");
    }
    le_llm_close(plain);
    le_llm_close(cached);
}

static void test_errors(le_index *ix, le_index *empty, const char *dir) {
    le_ask_options o = options(LE_ASK_RAG, NULL);
    expect_error(empty, NULL, &o, "q", LE_ERR_ARG, "the index holds no documents");
    /* a question longer than the window (4096 tokens) */
    le_sbuf q = {0};
    for (int i = 0; i < 3000; i++) le_sbuf_puts(&q, "buttons remote ");
    expect_error(ix, NULL, &o, q.p, LE_ERR_TOO_LONG, "");
    le_sbuf_free(&q);
    /* an index of vectors by another embedding model */
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(BERT, &mo, &m, &err) == LE_OK, "%s", err.message);
    if (!m) return;
    char path[600];
    snprintf(path, sizeof path, "%s/other.lei", dir);
    CHECK(fake_other_model_index(path, m, BERT, &err) == LE_OK);
    le_index *other = NULL;
    CHECK(le_index_open(path, NULL, &other, &err) == LE_OK);
    o.search_given = 1, o.search_mode = LE_SEARCH_DENSE;
    if (other) expect_error(other, m, &o, "buttons?", LE_ERR_ARG, "another-embedding-model");
    le_index_close(other);
    le_model_close(m);
}

/* A document of n segments of plain sentences, far longer than the window. */
static void long_doc(char ***ids, char ***docs, size_t n) {
    static const char *const words[] = {"the", "remote", "buttons", "designer", "budget",
                                        "yellow", "case", "meeting", "decided", "scroll",
                                        "wheel", "users", "price", "marketing", "team"};
    uint64_t seed = 11;
    *ids = calloc(n, sizeof **ids), *docs = calloc(n, sizeof **docs);
    for (size_t i = 0; i < n; i++) {
        le_sbuf b = {0};
        for (int w = 0; w < 160; w++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            le_sbuf_printf(&b, "%s%s", w ? (w % 12 ? " " : ". ") : "", words[(seed >> 33) % 15]);
        }
        le_sbuf_puts(&b, ".");
        (*docs)[i] = b.p;
        (*ids)[i] = malloc(16);
        snprintf((*ids)[i], 16, "long#%03zu", i);
    }
}

int main(void) {
    char *dir = tu_tmpdir();
    char a[600], e[600];
    snprintf(g_model, sizeof g_model, "%s/qwen2-4k.gguf", dir);
    snprintf(g_mem, sizeof g_mem, "%s/memory", dir);
    snprintf(a, sizeof a, "%s/a.lei", dir);
    snprintf(e, sizeof e, "%s/empty.lei", dir);
    write_model(g_model, 4096);
    enum { NL = 40 };
    char **lid, **ldoc;
    long_doc(&lid, &ldoc, NL);
    const char *ids[5 + NL], *docs[5 + NL];
    for (int i = 0; i < 5; i++) ids[i] = IDS[i], docs[i] = DOCS[i];
    for (int i = 0; i < NL; i++) ids[5 + i] = lid[i], docs[5 + i] = ldoc[i];
    le_error err;
    CHECK(fake_index(a, ids, docs, 5 + NL, &err) == LE_OK && fake_index(e, NULL, NULL, 0, &err) == 0);
    le_index *ix = NULL, *empty = NULL;
    CHECK(le_index_open(a, NULL, &ix, &err) == LE_OK && le_index_open(e, NULL, &empty, &err) == 0);
    if (ix && empty) {
        test_memorag(ix, "m1#", "How many buttons will the remote have?", 0);
        CHECK_EQ_INT(count_files(".kv"), 1);
        test_memorag(ix, "long#", "What did the group decide about the budget?", 1);
        CHECK_EQ_INT(count_files(".kv"), 2);
        CHECK_EQ_INT(count_files(".gists"), 1);
        test_broken_memory(ix);
        test_session(ix);
        test_other_modes(ix);
        test_lcboost_limit(ix);
        test_lcboost_prefix_cache(ix);
        test_errors(ix, empty, dir);
    }
    le_index_close(ix);
    le_index_close(empty);
    for (int i = 0; i < NL; i++) free(lid[i]), free(ldoc[i]);
    free(lid), free(ldoc);
    tu_rmdir(dir);
    free(dir);
    return check_report("generate/test_ask_e2e");
}
