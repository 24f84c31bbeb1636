#include <stdatomic.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/cpu.h"
#include "base/error.h"
#include "base/json.h"
#include "base/mapfile.h"
#include "base/pool.h"
#include "check.h"

static void test_error(void) {
    le_error e;
    CHECK_EQ_INT(le_fail(&e, LE_ERR_IO, "file %s", "x.bin"), LE_ERR_IO);
    CHECK_EQ_INT(e.code, LE_ERR_IO);
    CHECK(strcmp(e.message, "file x.bin") == 0);
    CHECK_EQ_INT(le_error_wrap(&e, LE_ERR_IO, "loading %d", 3), LE_ERR_IO);
    CHECK(strcmp(e.message, "loading 3: file x.bin") == 0);
    CHECK_EQ_INT(le_fail(NULL, LE_ERR_ARG, "ignored"), LE_ERR_ARG);
}

static void test_arena(void) {
    le_arena a;
    le_arena_init(&a, 256);
    char *p = le_arena_alloc(&a, 10);
    CHECK(p && ((uintptr_t)p % 64) == 0);
    char *big = le_arena_alloc(&a, 10000); /* larger than a block */
    CHECK(big && ((uintptr_t)big % 64) == 0);
    memset(big, 1, 10000);
    CHECK(strcmp(le_arena_strdup(&a, "hello"), "hello") == 0);
    le_arena_reset(&a);
    CHECK(le_arena_alloc(&a, 5000) != NULL);
    le_arena_free(&a);
}

typedef struct {
    atomic_int hits[1000];
} pool_ctx;

static void pool_task(void *ctx, size_t i, int thread) {
    pool_ctx *c = ctx;
    (void)thread;
    atomic_fetch_add(&c->hits[i], 1);
}

static void test_pool(void) {
    for (int threads = 1; threads <= 3; threads++) {
        le_pool *p = le_pool_create(threads);
        CHECK(p != NULL);
        CHECK_EQ_INT(le_pool_threads(p), threads);
        for (int round = 0; round < 20; round++) {
            pool_ctx *c = calloc(1, sizeof *c);
            le_pool_run(p, 1000, pool_task, c);
            int ok = 1;
            for (int i = 0; i < 1000; i++) ok &= atomic_load(&c->hits[i]) == 1;
            CHECK(ok);
            free(c);
        }
        le_pool_destroy(p);
    }
}

static void test_json(void) {
    cJSON *j = NULL;
    le_error e;
    const char *good = "{\"a\": 3, \"b\": \"x\", \"c\": true}";
    CHECK_EQ_INT(le_json_parse(good, strlen(good), "t", &j, &e), LE_OK);
    long long v = 0;
    CHECK(le_json_int(j, "a", &v) && v == 3);
    CHECK(strcmp(le_json_str(j, "b"), "x") == 0);
    int bv = 0;
    CHECK(le_json_bool(j, "c", &bv) && bv == 1);
    CHECK(!le_json_int(j, "b", &v));
    cJSON_Delete(j);
    const char *bad = "{\n\"a\": 3,\n\"b\" 4}";
    CHECK_EQ_INT(le_json_parse(bad, strlen(bad), "cfg.json", &j, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "cfg.json: invalid JSON at line 3");
}

typedef struct text_out {
    char buf[128];
    size_t n, calls;
} text_out;

static void put_text(void *ctx, const char *bytes, size_t n) {
    text_out *o = ctx;
    memcpy(o->buf + o->n, bytes, n);
    o->n += n;
    o->buf[o->n] = 0;
    o->calls++;
}

static void test_json_write_string(void) {
    text_out o = {{0}, 0, 0};
    const char in[] = "a\"b\\c\n\r\t\x01\x7f\xc3\xa9 plain";
    le_json_write_string(in, sizeof in - 1, LE_JSON_ESCAPE_DEL, put_text, &o);
    CHECK(strcmp(o.buf, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f\xc3\xa9 plain\"") == 0);
    /* what it writes parses back to the same bytes */
    cJSON *j = cJSON_ParseWithLength(o.buf, o.n);
    CHECK(cJSON_IsString(j) && strcmp(j->valuestring, in) == 0);
    cJSON_Delete(j);
    /* without LE_JSON_ESCAPE_DEL, DEL goes out as it is (the CLI's output) */
    o.n = o.calls = 0;
    le_json_write_string(in, sizeof in - 1, 0, put_text, &o);
    CHECK(strcmp(o.buf, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\x7f\xc3\xa9 plain\"") == 0);
    o.n = o.calls = 0;
    le_json_write_string("", 0, 0, put_text, &o);
    CHECK(strcmp(o.buf, "\"\"") == 0);
    /* a run of plain bytes is one call, not one per byte */
    o.n = o.calls = 0;
    le_json_write_string("hello world", 11, 0, put_text, &o);
    CHECK_EQ_INT(o.calls, 3);
}

static void test_files(void) {
    le_error e;
    le_mapfile mf;
    CHECK_EQ_INT(le_mapfile_open(&mf, "/nonexistent/file.bin", &e), LE_ERR_IO);
    CHECK_STR_CONTAINS(e.message, "/nonexistent/file.bin");
    CHECK_EQ_INT(le_mapfile_open(&mf, "CMakeLists.txt", &e), LE_OK);
    CHECK(mf.size > 100 && memcmp(mf.data, "cmake_minimum_required", 22) == 0);
    le_mapfile_close(&mf);
    char *buf;
    size_t n;
    CHECK_EQ_INT(le_read_file("CMakeLists.txt", 10, &buf, &n, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "limit");
    char *p = le_path_join("a/b", "c.json");
    CHECK(strcmp(p, "a/b/c.json") == 0);
    free(p);
}

static void test_cpu(void) {
    le_isa isa;
    CHECK_EQ_INT(le_isa_parse("scalar", &isa), LE_OK);
    CHECK_EQ_INT(isa, LE_ISA_SCALAR);
    CHECK_EQ_INT(le_isa_parse("sse9", &isa), LE_ERR_ARG);
    CHECK(le_cpu_summary() != NULL);
    const le_cpu_features *f = le_cpu_detect();
    CHECK(!f->avx512 || f->avx2); /* avx512 implies avx2 in our detection */
}

int main(void) {
    test_error();
    test_arena();
    test_pool();
    test_json();
    test_json_write_string();
    test_files();
    test_cpu();
    return check_report("base");
}
