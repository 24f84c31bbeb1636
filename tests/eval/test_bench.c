/* The benchmark end to end through the public API, on the tiny fixture
 * model (tests/fixtures/bert-cased-tiny): every retriever and two extension
 * methods on small synthetic tasks and on an exported-then-loaded task
 * directory; the embedding cache (a second run embeds nothing and gives the
 * same numbers; --no-cache embeds again; a damaged entry is a miss); the
 * reports (JSON fields and the flat results list, Markdown, SVG); the
 * ranked lists; and the option errors. */
#include "base/json.h"
#include "base/mapfile.h"
#include "check.h"
#include "eval/cache.h"
#include "haystack.h"
#include "longembed.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#define MODEL "tests/fixtures/bert-cased-tiny"

#define ND 8 /* documents and queries per length: small, so ASan builds stay quick */
#define NQ 4

static char g_tmp[64];

static void init_options(le_bench_options *o, const char *cache) {
    le_bench_options_init(o);
    o->haystack_dir = test_haystack_dir();
    o->allow_fetch = 0;
    o->lengths = "256,512";
    o->n_docs = ND;
    o->n_queries = NQ;
    o->extend = "none,pcw";
    o->retrievers = "dense,bm25,hybrid,rrf";
    o->max_tokens = 1024;
    o->cache_dir = cache;
}

static void put(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = 0;
    le_mkdir_p(path);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static char *report(const le_bench_result *r, le_report_format f) {
    char *text = NULL;
    le_error err;
    CHECK(le_bench_report(r, f, &text, NULL, &err) == LE_OK);
    return text ? text : strdup("");
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void check_json(const char *text, int with_model) {
    cJSON *j;
    le_error err;
    CHECK(le_json_parse(text, strlen(text), "report", &j, &err) == LE_OK);
    if (!j) return;
    cJSON *le = cJSON_GetObjectItem(j, "longembed");
    CHECK(le && le_json_str(le, "version") && le_json_str(le, "revision"));
    CHECK(le_json_str(j, "started") != NULL);
    double wall;
    CHECK(le_json_num(j, "wall_seconds", &wall) && wall >= 0);
    cJSON *model = cJSON_GetObjectItem(j, "model");
    CHECK(with_model ? cJSON_IsObject(model) : cJSON_IsNull(model));
    if (with_model) {
        long long dim;
        CHECK(le_json_int(model, "dim", &dim) && dim == 64);
        CHECK(le_json_str(model, "name") && le_json_str(model, "directory"));
    }
    cJSON *cfg = cJSON_GetObjectItem(j, "config");
    long long seed, k;
    CHECK(cfg && le_json_int(cfg, "seed", &seed) && seed == 42);
    CHECK(le_json_int(cfg, "k", &k) && k == 10);
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(cfg, "bm25")));
    cJSON *results = cJSON_GetObjectItem(j, "results");
    CHECK(cJSON_IsArray(results) && cJSON_GetArraySize(results) > 0);
    int ok = 1, have_null_length = 0, have_bm25_null_extend = 0;
    cJSON *row;
    cJSON_ArrayForEach(row, results) {
        const char *keys[] = {"task", "split", "length", "retriever", "extend", "metric", "value"};
        for (int i = 0; i < 7; i++) ok &= cJSON_GetObjectItem(row, keys[i]) != NULL;
        cJSON *len = cJSON_GetObjectItem(row, "length");
        have_null_length |= cJSON_IsNull(len);
        const char *retr = le_json_str(row, "retriever");
        if (retr && !strcmp(retr, "bm25"))
            have_bm25_null_extend |= cJSON_IsNull(cJSON_GetObjectItem(row, "extend"));
        double v;
        ok &= le_json_num(row, "value", &v) && v >= 0 && v <= 100;
        const char *m = le_json_str(row, "metric");
        ok &= m && (!strcmp(m, "ndcg@10") || !strcmp(m, "recall@10") || !strcmp(m, "mrr@10") ||
                    !strcmp(m, "acc@1"));
    }
    CHECK(ok);
    CHECK(have_null_length); /* the real task */
    CHECK(have_bm25_null_extend);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(j, "averages")));
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(j, "timings")));
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(j, "configurations")));
    cJSON_Delete(j);
}

/* Every number of two results agrees (times aside). */
static int same_numbers(const le_bench_result *a, const le_bench_result *b) {
    if (le_bench_result_count(a) != le_bench_result_count(b)) return 0;
    for (size_t i = 0; i < le_bench_result_count(a); i++) {
        le_bench_row x, y;
        le_bench_result_row(a, i, &x);
        le_bench_result_row(b, i, &y);
        if (strcmp(x.task, y.task) || strcmp(x.split, y.split) || strcmp(x.metric, y.metric) ||
            x.value != y.value)
            return 0;
    }
    return 1;
}

static size_t cache_files(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "find %s/embeddings -name '*.vec' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p) {
        if (fscanf(p, "%zu", &n) != 1) n = 0;
        pclose(p);
    }
    return n;
}

int main(void) {
    snprintf(g_tmp, sizeof g_tmp, "/tmp/le-bench-XXXXXX");
    if (!mkdtemp(g_tmp)) return 1;
    char cache[128], exp[128], runs[128];
    snprintf(cache, sizeof cache, "%s/cache", g_tmp);
    snprintf(exp, sizeof exp, "%s/export", g_tmp);
    snprintf(runs, sizeof runs, "%s/runs", g_tmp);
    le_error err;

    /* a task directory: the passkey task exported and read back */
    le_bench_options o;
    init_options(&o, cache);
    o.tasks = "passkey";
    o.lengths = "512";
    o.seed = 5;
    CHECK_MSG(le_bench_export(&o, exp, &err) == LE_OK, "%s", err.message);
    o.task_dir = "somewhere";
    CHECK(le_bench_export(&o, exp, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "generated tasks");
    o.task_dir = NULL;

    /* and a BEIR task: named split, no lengths */
    char beir[256];
    snprintf(beir, sizeof beir, "%s/beir", g_tmp);
    put(beir, "corpus.jsonl",
        "{\"_id\": \"d1\", \"title\": \"Otters\", \"text\": \"Otters hold hands while "
        "sleeping.\"}\n"
        "{\"_id\": \"d2\", \"text\": \"The moon orbits the earth.\"}\n"
        "{\"_id\": \"d3\", \"text\": \"Bread rises because of yeast.\"}\n"
        "{\"_id\": \"d4\", \"text\": \"Copper conducts electricity well.\"}\n");
    put(beir, "queries.jsonl",
        "{\"_id\": \"q1\", \"text\": \"why do otters hold hands\"}\n"
        "{\"_id\": \"q2\", \"text\": \"what makes bread rise\"}\n");
    put(beir, "qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n");
    char cmd[1024];

    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    mo.allow_fetch = 0;
    le_model *m = NULL;
    le_status s = le_model_open(MODEL, &mo, &m, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return check_report("test_bench");

    char dir[256], from[256];
    snprintf(from, sizeof from, "%s/passkey", exp);
    snprintf(dir, sizeof dir, "%s/keys", exp); /* task names must differ */
    CHECK(rename(from, dir) == 0);
    char dirs[600];
    snprintf(dirs, sizeof dirs, "%s,%s", dir, beir);
    init_options(&o, cache);
    o.task_dir = dirs;
    o.tasks = "passkey,needle";
    o.runs_dir = runs;
    le_bench_result *r1 = NULL, *r2 = NULL, *r3 = NULL;
    s = le_bench_run(m, &o, &r1, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return check_report("test_bench");
    /* 4 tasks; synthetic: 2 lengths; directories: 1 split each; 7 configurations; 4 metrics */
    CHECK_EQ_INT(le_bench_result_count(r1), (2 + 2 + 1 + 1) * 7 * 4);
    size_t written = cache_files(cache);
    /* documents and queries of 5 splits, per method (documents of the exported
     * passkey split repeat nothing: other seed and length) */
    CHECK_EQ_INT(written, 2 * (2 * (ND + NQ) + 2 * (ND + NQ) + (ND + NQ) + (4 + 2)));
    /* the BEIR task is easy for BM25 */
    CHECK_NEAR(le_bench_result_score(r1, "beir", "bm25", NULL), 100, 1e-9);
    double bm = le_bench_result_score(r1, "passkey", "bm25", NULL);
    CHECK(bm >= 0 && bm <= 100);
    CHECK(le_bench_result_score(r1, "passkey", "dense", "pcw") >= 0);
    CHECK(le_bench_result_score(r1, "all", "hybrid", "none") >= 0);
    CHECK(le_bench_result_score(r1, "passkey", "dense", "gp") < 0); /* not run */
    CHECK(le_bench_result_score(r1, "nosuch", "dense", "none") < 0);
    /* the exported task's split is "test_512" (context_length rows) with length 512 */
    int real_rows = 0;
    for (size_t i = 0; i < le_bench_result_count(r1); i++) {
        le_bench_row w;
        le_bench_result_row(r1, i, &w);
        if (!strcmp(w.task, "keys") && w.length == 512) real_rows++;
        if (!strcmp(w.retriever, "bm25")) CHECK(w.extend == NULL);
    }
    CHECK_EQ_INT(real_rows, 7 * 4);

    /* reports */
    char *json = report(r1, LE_REPORT_JSON);
    check_json(json, 1);
    char *md = report(r1, LE_REPORT_MARKDOWN);
    CHECK_STR_CONTAINS(md, "### needle — Acc@1 (%) by length");
    CHECK_STR_CONTAINS(md, "| retriever | extend | 256 | 512 | avg | time |");
    CHECK_STR_CONTAINS(md, "| dense | pcw |");
    CHECK_STR_CONTAINS(md, "| bm25 | – |");
    CHECK_STR_CONTAINS(md, "### Summary");
    CHECK_STR_CONTAINS(md, "### beir (%)");
    CHECK_STR_CONTAINS(md, "| split | ndcg@10 | recall@10 | mrr@10 | acc@1 | time |");
    char *svg = report(r1, LE_REPORT_SVG);
    CHECK(!strncmp(svg, "<svg ", 5));
    CHECK_STR_CONTAINS(svg, "</svg>\n");
    CHECK_STR_CONTAINS(svg, "Acc@1 (%)");
    CHECK_STR_CONTAINS(svg, "document length (tokens, log scale)");
    CHECK_EQ_INT(count(svg, "<polyline"), 3 * 7); /* 3 panels (keys has lengths; beir not) × 7 */
    CHECK_STR_CONTAINS(svg, ">hybrid pcw</text>");
    char path[256];
    snprintf(path, sizeof path, "%s/r.json", g_tmp);
    CHECK(le_bench_write_report(r1, LE_REPORT_JSON, path, &err) == LE_OK);
    char *back;
    size_t n;
    CHECK(le_read_file(path, 0, &back, &n, &err) == LE_OK && !strcmp(back, json));
    free(back);
    CHECK(le_bench_write_report(r1, LE_REPORT_SVG, "/nonexistent/dir/x.svg", &err) == LE_ERR_IO);
    CHECK_STR_CONTAINS(err.message, "/nonexistent/dir/x.svg");
    /* ranked lists: one file per task and configuration, TREC lines */
    snprintf(path, sizeof path, "%s/needle.dense.pcw.trec", runs);
    CHECK(le_read_file(path, 0, &back, &n, &err) == LE_OK);
    if (back) {
        CHECK_STR_CONTAINS(back, "ctx256_query0 Q0 ctx256_doc");
        CHECK_STR_CONTAINS(back, " test_512\n");
        CHECK_EQ_INT(count(back, "\n"), 2 * NQ * ND); /* k = 10 > ND: every document */
        free(back);
    }
    snprintf(path, sizeof path, "%s/keys.bm25.trec", runs);
    CHECK(le_file_exists(path));

    /* a second run embeds nothing and gives the same numbers */
    o.runs_dir = NULL;
    s = le_bench_run(m, &o, &r2, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (r2) {
        CHECK(same_numbers(r1, r2));
        char *j2 = report(r2, LE_REPORT_JSON);
        cJSON *j;
        le_json_parse(j2, strlen(j2), "r2", &j, &err);
        cJSON *cache_obj = cJSON_GetObjectItem(j, "cache");
        long long hits = -1, misses = -1;
        CHECK(le_json_int(cache_obj, "hits", &hits) && hits == (long long)written);
        CHECK(le_json_int(cache_obj, "misses", &misses) && misses == 0);
        cJSON_Delete(j);
        free(j2);
    }
    CHECK_EQ_INT(cache_files(cache), written);
    /* without the cache: embedded again, the same numbers, nothing written */
    o.cache = 0;
    s = le_bench_run(m, &o, &r3, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (r3) CHECK(same_numbers(r1, r3));
    le_bench_result_free(r2);
    le_bench_result_free(r3);

    /* the cache alone: round trip, damage, another configuration */
    le_embcache c;
    CHECK(le_embcache_open(&c, cache, "test configuration", 3, &err) == LE_OK);
    float v[3] = {1, 2, 3}, got[3] = {0};
    le_text_result res = {5, 9, 1, 2}, rb = {0};
    CHECK(!le_embcache_get(&c, "p: ", "text", 4, got, &rb));
    CHECK(le_embcache_put(&c, "p: ", "text", 4, v, &res, &err) == LE_OK);
    CHECK(le_embcache_get(&c, "p: ", "text", 4, got, &rb));
    CHECK(!memcmp(got, v, sizeof v) && rb.tokens == 5 && rb.tokens_in_text == 9 &&
          rb.truncated == 1 && rb.chunks == 2);
    CHECK(!le_embcache_get(&c, "p:", " text", 5, got, &rb)); /* prefix and text stay apart */
    CHECK(!le_embcache_get(&c, NULL, "text", 4, got, &rb));
    snprintf(cmd, sizeof cmd,
             "for f in $(grep -l 'test configuration' %s/embeddings/*/config.txt); do "
             "d=$(dirname $f); for v in $d/*/*.vec; do printf 'X' | dd of=$v bs=1 seek=20 "
             "conv=notrunc 2>/dev/null; done; done",
             cache);
    CHECK(system(cmd) == 0);
    CHECK(!le_embcache_get(&c, "p: ", "text", 4, got, &rb)); /* damaged: a miss */
    CHECK(le_embcache_put(&c, "p: ", "text", 4, v, &res, &err) == LE_OK);
    CHECK(le_embcache_get(&c, "p: ", "text", 4, got, &rb));
    le_embcache_close(&c);
    CHECK(le_embcache_open(&c, cache, "test configuration 2", 3, &err) == LE_OK);
    CHECK(!le_embcache_get(&c, "p: ", "text", 4, got, &rb));
    le_embcache_close(&c);
    CHECK(le_embcache_open(&c, NULL, "off", 3, &err) == LE_OK);
    CHECK(!le_embcache_get(&c, "p: ", "text", 4, got, &rb));
    CHECK(le_embcache_put(&c, "p: ", "text", 4, v, &res, &err) == LE_OK);
    le_embcache_close(&c);

    /* option errors */
    le_bench_result *bad = NULL;
    struct {
        const char *field, *value, *needle;
    } cases[] = {
        {"tasks", "passkey,bogus", "unknown task \"bogus\""},
        {"tasks", "passkey,passkey", "listed twice"},
        {"tasks", "none", "no tasks"},
        {"lengths", "256,300", "length \"300\""},
        {"lengths", "256,,512", "an empty item"},
        {"extend", "none,ntk", "ntk"},
        {"retrievers", "dense,splade", "unknown retriever \"splade\""},
        {"task_dir", "/nonexistent/task", "/nonexistent/task"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        init_options(&o, NULL);
        if (!strcmp(cases[i].field, "tasks")) o.tasks = cases[i].value;
        if (!strcmp(cases[i].field, "lengths")) o.lengths = cases[i].value;
        if (!strcmp(cases[i].field, "extend")) o.extend = cases[i].value;
        if (!strcmp(cases[i].field, "retrievers")) o.retrievers = cases[i].value;
        if (!strcmp(cases[i].field, "task_dir")) o.task_dir = cases[i].value;
        s = le_bench_run(m, &o, &bad, &err);
        CHECK_MSG(s != LE_OK && bad == NULL, "case %zu", i);
        if (s) CHECK_STR_CONTAINS(err.message, cases[i].needle);
    }
    /* --lengths picks among a directory's lengths: none left is an error */
    init_options(&o, NULL);
    o.task_dir = dir;
    o.tasks = "none";
    o.lengths = "256";
    o.retrievers = "bm25";
    CHECK(le_bench_run(NULL, &o, &bad, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "none of the lengths 256 is in the task");
    init_options(&o, NULL);
    o.retrievers = "bm25,hybrid";
    CHECK(le_bench_run(NULL, &o, &bad, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "need a model");
    init_options(&o, NULL);
    o.k = 0;
    CHECK(le_bench_run(m, &o, &bad, &err) == LE_ERR_ARG);
    init_options(&o, NULL);
    o.dense_weight = 1.5;
    CHECK(le_bench_run(m, &o, &bad, &err) == LE_ERR_ARG);
    init_options(&o, NULL);
    o.haystack_dir = "/nonexistent/haystack";
    o.tasks = "needle";
    CHECK(le_bench_run(m, &o, &bad, &err) == LE_ERR_IO);
    CHECK_STR_CONTAINS(err.message, "/nonexistent/haystack");

    free(json);
    free(md);
    free(svg);
    le_bench_result_free(r1);
    le_model_close(m);
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmp);
    CHECK(system(cmd) == 0);
    return check_report("test_bench");
}
