/* Bug: when the first dense search of an index got memory for the table of
 * per-segment dense blocks but not for its "ready" flags, it returned
 * LE_ERR_NOMEM and kept the half: the next search and le_index_close read
 * the missing flags through a NULL pointer and crashed. Found by
 * tests/fault/test_alloc_faults.c; fixed by freeing both (all or nothing).
 * Here every allocation of a first dense search fails in turn, and the
 * search after it and the close must work. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fault/alloc_shim.h"
#include "longembed.h"

#define DIM 4

typedef struct plan {
    long seen, fail_at;
} plan;

static int fail_nth(const char *point, void *user) {
    plan *p = user;
    return !strcmp(point, "alloc") && ++p->seen == p->fail_at;
}

static void make_index(const char *path) {
    le_index_model im;
    le_index_model_init(&im);
    im.dim = DIM;
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, &im, NULL, &w, &err) == LE_OK);
    float v[3][DIM] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    le_index_doc d[3];
    memset(d, 0, sizeof d);
    const char *ids[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) d[i].id = ids[i], d[i].text = ids[i], d[i].dense = v[i];
    CHECK(w && le_index_writer_add(w, 3, d, &err) == LE_OK);
    CHECK(w && le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
}

static le_status search(le_index *ix, le_error *err) {
    float q[DIM] = {0, 1, 0, 0};
    le_index_query query = {.dense = q};
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_DENSE;
    so.exact = 1;
    le_index_hit hits[3];
    int n = 0;
    le_status st = le_index_search(ix, &query, &so, hits, &n, err);
    if (!st) CHECK(n == 3 && hits[0].doc == 1);
    return st;
}

int main(void) {
    char path[] = "/tmp/le-regress-dense-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    unlink(path);
    make_index(path);
    le_error err;
    for (long n = 1;; n++) {
        le_index *ix = NULL;
        CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
        if (!ix) break;
        plan p = {0, n};
        le_fault_set_hook(fail_nth, &p);
        le_status st = search(ix, &err);
        le_fault_set_hook(NULL, NULL);
        CHECK(st == LE_OK || st == LE_ERR_NOMEM);
        CHECK_MSG(search(ix, &err) == LE_OK, "after allocation %ld failed: %s", n, err.message);
        le_index_close(ix);
        if (p.seen < n) break; /* the search made fewer than n allocations: all were tried */
    }
    char lock[64];
    snprintf(lock, sizeof lock, "%s.lock", path);
    unlink(lock);
    unlink(path);
    return check_report("test_index_dense_cache_half_allocated");
}
