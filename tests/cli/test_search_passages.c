/* `longembed search` on an index with passages: for each hit, the best
 * passage with its character span (code points, not bytes), token span and
 * a one-line snippet (white space collapsed, cut at a word boundary with
 * "…"); --json carries the passage whole; --passage-topk and --fuse zscore
 * are accepted; index info shows the passages and verify --deep passes. The index is written through the API (no model needed:
 * BM25 search), the CLI run from $LE_BUILD_DIR. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "index/index_testutil.h"

#define DIM 4

/* passage 0: "Le café près du moulin." (multibyte); passage 1: a long
 * sentence with runs of white space; passage 2: a short one */
static const char g_text[] =
    "Le caf\xc3\xa9 pr\xc3\xa8s du moulin. "
    "Bread is baked in the old oven every morning,\n\n  and the baker sings while the dough "
    "rises slowly in the warm kitchen beside the great stone hearth of the mill house, long "
    "before the town wakes. "
    "The market opens late.";

static char *run(const char *cmd) {
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - 1 - n, p)) > 0) n += got;
    out[n] = 0;
    int st = pclose(p);
    CHECK_MSG(st == 0, "%s: exit status %d", cmd, st);
    return out;
}

static void make_index(const char *path, size_t *cut1, size_t *cut2) {
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.name, sizeof m.name, "synthetic");
    m.dim = DIM;
    m.passage_tokens = 64;
    le_index_options o;
    le_index_options_init(&o);
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, &m, &o, &w, &err) == LE_OK);
    if (!w) return;
    *cut1 = (size_t)(strstr(g_text, "Bread") - g_text);
    *cut2 = (size_t)(strstr(g_text, "The market") - g_text);
    le_passage sp[3] = {{0, 0, *cut1 - 1, 0, 6, 1},
                        {0, *cut1, *cut2 - 1, 6, 45, 1},
                        {0, *cut2, strlen(g_text), 45, 50, 1}};
    le_passage other[1] = {{0, 0, 9, 0, 2, 1}};
    float v[3 * DIM] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    le_index_doc d[2];
    memset(d, 0, sizeof d);
    d[0].id = "mill";
    d[0].text = g_text;
    d[0].dense = v;
    d[1].id = "other";
    d[1].text = "the oven.";
    d[1].dense = v;
    le_index_doc_passages p[2] = {{3, sp, v}, {1, other, v}};
    CHECK(le_index_writer_add_passages(w, 2, d, p, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
}

static void check_json(const char *out, size_t cut1, size_t cut2) {
    cJSON *o = cJSON_Parse(out);
    CHECK_MSG(o != NULL, "not JSON: %s", out);
    if (!o) return;
    cJSON *hits = cJSON_GetObjectItem(o, "hits");
    CHECK(cJSON_GetArraySize(hits) == 2);
    cJSON *h = cJSON_GetArrayItem(hits, 0);
    CHECK(!strcmp(cJSON_GetObjectItem(h, "id")->valuestring, "mill"));
    cJSON *p = cJSON_GetObjectItem(h, "passage");
    CHECK(p != NULL);
    if (p) {
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "index")->valueint, 1);
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "byte_start")->valueint, cut1);
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "byte_end")->valueint, cut2 - 1);
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "start")->valueint, cut1 - 2); /* é and è: 2 bytes each */
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "end")->valueint, cut2 - 3);
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "token_start")->valueint, 6);
        CHECK_EQ_INT(cJSON_GetObjectItem(p, "token_end")->valueint, 45);
        CHECK(cJSON_GetObjectItem(p, "score")->valuedouble > 0);
        const char *t = cJSON_GetObjectItem(p, "text")->valuestring;
        CHECK(strlen(t) == cut2 - 1 - cut1 && !strncmp(t, g_text + cut1, cut2 - 1 - cut1));
    }
    cJSON *p2 = cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 1), "passage");
    CHECK(p2 && cJSON_GetObjectItem(p2, "index")->valueint == 0);
    cJSON_Delete(o);
}

int main(void) {
    const char *bd = getenv("LE_BUILD_DIR");
    char *dir = tu_tmpdir();
    if (!bd || !dir) {
        fprintf(stderr, "LE_BUILD_DIR is not set (run through ctest)\n");
        return 1;
    }
    char path[512], cmd[2048];
    snprintf(path, sizeof path, "%s/p.lei", dir);
    size_t cut1 = 0, cut2 = 0;
    make_index(path, &cut1, &cut2);
    snprintf(cmd, sizeof cmd, "'%s/longembed' search --index '%s' --mode bm25 --json -k 3 'oven bread'",
             bd, path);
    char *out = run(cmd);
    if (out) check_json(out, cut1, cut2);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s/longembed' search --index '%s' --mode bm25 -k 3 'oven bread'", bd,
             path);
    out = run(cmd);
    if (out) {
        char want[128];
        snprintf(want, sizeof want, "      passage 1: characters %zu-%zu, tokens 6-45: Bread is baked",
                 cut1 - 2, cut2 - 3);
        CHECK_STR_CONTAINS(out, want);
        /* collapsed white space, cut at a word boundary within 160 characters */
        CHECK_STR_CONTAINS(out, "every morning, and the baker");
        CHECK_STR_CONTAINS(out, "of the mill\xe2\x80\xa6\n");
        CHECK_STR_CONTAINS(out, "      passage 0: characters 0-9, tokens 0-2: the oven.\n");
    }
    free(out);
    snprintf(cmd, sizeof cmd,
             "'%s/longembed' search --index '%s' --mode bm25 --fuse zscore --passage-topk 2 -k 1 "
             "'market' | grep -c passage",
             bd, path);
    out = run(cmd);
    CHECK(out && atoi(out) == 1);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s/longembed' index info --index '%s'", bd, path);
    out = run(cmd);
    CHECK_STR_CONTAINS(out, "\npassages       4 (64 tokens, overlap 0, chunk), ");
    CHECK_STR_CONTAINS(out, "format 2,");
    free(out);
    snprintf(cmd, sizeof cmd, "'%s/longembed' index verify --deep --index '%s'", bd, path);
    out = run(cmd);
    CHECK_STR_CONTAINS(out, "ok: ");
    free(out);
    tu_rmdir(dir);
    free(dir);
    return check_report("cli/test_search_passages");
}
