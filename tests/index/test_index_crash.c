/* Crash safety and I/O faults of commits, at every step of writing a new
 * index version: an I/O error at any step leaves the previous version
 * readable and unchanged (and no temporary file behind); a process killed
 * with SIGKILL at any step leaves either the previous version or the new
 * one, complete, and the next writer works. (tests/index/test_kill_add.sh
 * kills the real `index add` at random moments as well.) */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fault.h"
#include "check.h"
#include "index/index.h"
#include "index_testutil.h"

#define DIM 8

static const char *const g_steps[] = {"tmp-open", "write", "segments-copied", "segment-written",
                                      "manifest-written", "header-written", "fsync", "rename",
                                      "dir-fsync"};
#define N_STEPS (sizeof g_steps / sizeof *g_steps)

typedef struct fault_plan {
    const char *step;
    int nth;   /* fire at the nth time the step is reached (1-based) */
    int seen;
    int kill;  /* 1: SIGKILL the process, 0: report an I/O error */
} fault_plan;

static int on_fault(const char *step, void *user) {
    fault_plan *p = user;
    if (strcmp(step, p->step) || ++p->seen != p->nth) return 0;
    if (p->kill) raise(SIGKILL);
    return 1;
}

static le_index_model model(void) {
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.name, sizeof m.name, "synthetic");
    m.dim = DIM;
    return m;
}

/* adds docs [from, to) with text version v, deletes ids in del */
static le_status change(le_index_writer *w, int from, int to, int v, int n_del, const int *del,
                        le_error *err) {
    uint64_t s = (uint64_t)from * 31 + (uint64_t)v;
    for (int i = from; i < to; i++) {
        char id[32], text[64];
        snprintf(id, sizeof id, "doc-%d", i);
        snprintf(text, sizeof text, "version %d of document %d river bread", v, i);
        /* every tenth document is long, so a commit takes several writes */
        char *big = NULL;
        if (i % 10 == 0) {
            size_t n = 500000;
            big = malloc(n + 1);
            for (size_t j = 0; j < n; j++) big[j] = "abcdefgh ij"[(j * 7 + (size_t)i + (size_t)v) % 11];
            big[n] = 0;
        }
        float *vec = tu_vectors(1, DIM, tu_next(&s));
        le_index_doc d = {0};
        d.id = id;
        d.text = big ? big : text;
        d.dense = vec;
        le_status st = le_index_writer_add(w, 1, &d, err);
        free(vec);
        free(big);
        if (st) return st;
    }
    for (int i = 0; i < n_del; i++) {
        char id[32];
        snprintf(id, sizeof id, "doc-%d", del[i]);
        const char *p = id;
        le_status st = le_index_writer_delete(w, 1, &p, NULL, err);
        if (st) return st;
    }
    return LE_OK;
}

/* a digest of the index's contents: ids and texts in order */
static uint64_t digest(const char *path, size_t *count) {
    le_index *ix = NULL;
    le_error err;
    if (le_index_open(path, NULL, &ix, &err) != LE_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        *count = (size_t)-1;
        return 0;
    }
    uint64_t h = 1469598103934665603ULL;
    *count = le_index_count(ix);
    for (size_t i = 0; i < *count; i++) {
        le_index_doc_info di;
        le_index_get_doc(ix, i, &di, NULL);
        for (const char *p = di.id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        for (size_t j = 0; j < di.text_len; j++) h = (h ^ (unsigned char)di.text[j]) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    le_index_close(ix);
    return h;
}

static const int g_del[] = {3, 17, 29, 40, 41};

/* the base state (two segments), and the change applied on top of it */
static void make_base(const char *path) {
    unlink(path);
    le_index_model m = model();
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, &m, NULL, &w, &err) == LE_OK);
    CHECK(change(w, 0, 30, 0, 0, NULL, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    CHECK(change(w, 30, 50, 0, 0, NULL, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
}

static le_status apply_change(le_index_writer *w, le_error *err) {
    le_status st = change(w, 45, 60, 1, 5, g_del, err); /* 5 replaced, 10 new, 5 deleted */
    return st ? st : le_index_writer_commit(w, err);
}

static int g_writes;

static int count_writes(const char *step, void *user) {
    g_writes += !strcmp(step, "write");
    return 0;
}

/* the nth write to fault: the first, one in the middle, the last */
static int write_nth(int which) {
    int n = which == 0 ? 1 : which == 1 ? (g_writes + 1) / 2 : g_writes;
    return n < 1 ? 1 : n;
}

static void test_faults(const char *dir, uint64_t old_h, size_t old_n, uint64_t new_h,
                        size_t new_n) {
    char path[512], tmp[520];
    snprintf(path, sizeof path, "%s/f.lei", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    for (size_t s = 0; s < N_STEPS; s++)
        for (int which = 0; which < (strcmp(g_steps[s], "write") ? 1 : 3); which++) {
            int nth = strcmp(g_steps[s], "write") ? 1 : write_nth(which);
            make_base(path);
            le_index_writer *w = NULL;
            le_error err;
            CHECK(le_index_writer_open(path, NULL, NULL, &w, &err) == LE_OK);
            if (!w) continue;
            fault_plan p = {g_steps[s], nth, 0, 0};
            le_fault_set_hook(on_fault, &p);
            le_status st = apply_change(w, &err);
            le_fault_set_hook(NULL, NULL);
            size_t n;
            uint64_t h = digest(path, &n);
            if (!strcmp(g_steps[s], "dir-fsync")) {
                /* the rename happened: the new version, durable or not */
                CHECK_MSG(st == LE_OK, "%s", err.message);
                CHECK(h == new_h && n == new_n);
            } else {
                CHECK_MSG(st == LE_ERR_IO, "fault at %s #%d: status %d", g_steps[s], nth, st);
                CHECK_STR_CONTAINS(err.message, "cannot");
                CHECK_MSG(h == old_h && n == old_n, "fault at %s #%d changed the index", g_steps[s], nth);
                CHECK_MSG(access(tmp, F_OK) != 0, "fault at %s left %s", g_steps[s], tmp);
                /* the changes are still buffered: a retry publishes them */
                CHECK(le_index_writer_commit(w, &err) == LE_OK);
                h = digest(path, &n);
                CHECK(h == new_h && n == new_n);
            }
            le_index_writer_close(w);
            CHECK(le_index_verify(path, 1, NULL, &err) == LE_OK);
        }
}

static void test_kills(const char *dir, uint64_t old_h, size_t old_n, uint64_t new_h,
                       size_t new_n) {
    char path[512];
    snprintf(path, sizeof path, "%s/k.lei", dir);
    int n_old = 0, n_new = 0;
    for (size_t s = 0; s < N_STEPS; s++)
        for (int which = 0; which < (strcmp(g_steps[s], "write") ? 1 : 3); which++) {
            int nth = strcmp(g_steps[s], "write") ? 1 : write_nth(which);
            make_base(path);
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) {
                le_index_writer *w = NULL;
                le_error err;
                if (le_index_writer_open(path, NULL, NULL, &w, &err) != LE_OK) _exit(3);
                fault_plan p = {g_steps[s], nth, 0, 1};
                le_fault_set_hook(on_fault, &p);
                apply_change(w, &err);
                _exit(4); /* the step was not reached */
            }
            int status = 0;
            waitpid(pid, &status, 0);
            CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "the writer was not killed at %s #%d (status %d)", g_steps[s], nth, status);
            le_error err;
            CHECK_MSG(le_index_verify(path, 1, NULL, &err) == LE_OK, "after a kill at %s: %s",
                      g_steps[s], err.message);
            size_t n;
            uint64_t h = digest(path, &n);
            int is_old = h == old_h && n == old_n, is_new = h == new_h && n == new_n;
            CHECK_MSG(is_old || is_new, "a kill at %s #%d left a mixed state", g_steps[s], nth);
            /* before the rename: the old version; after it: the new one */
            int renamed = !strcmp(g_steps[s], "dir-fsync");
            CHECK(renamed ? is_new : is_old);
            n_old += is_old;
            n_new += is_new;
            /* the lock died with the process: the next writer works and cleans up */
            le_index_writer *w = NULL;
            CHECK(le_index_writer_open(path, NULL, NULL, &w, &err) == LE_OK);
            if (w) {
                if (is_old) CHECK(apply_change(w, &err) == LE_OK);
                le_index_writer_close(w);
            }
            h = digest(path, &n);
            CHECK(h == new_h && n == new_n);
            char tmp[520];
            snprintf(tmp, sizeof tmp, "%s.tmp", path);
            CHECK(access(tmp, F_OK) != 0);
        }
    CHECK(n_old > 0 && n_new > 0);
}

int main(void) {
    char *dir = tu_tmpdir();
    if (!dir) return 1;
    char path[512];
    snprintf(path, sizeof path, "%s/ref.lei", dir);
    make_base(path);
    size_t old_n, new_n;
    uint64_t old_h = digest(path, &old_n);
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, NULL, NULL, &w, &err) == LE_OK);
    le_fault_set_hook(count_writes, NULL);
    CHECK(apply_change(w, &err) == LE_OK);
    le_fault_set_hook(NULL, NULL);
    CHECK_MSG(g_writes >= 3, "a commit took %d writes", g_writes);
    le_index_writer_close(w);
    uint64_t new_h = digest(path, &new_n);
    CHECK_EQ_INT(old_n, 50);
    CHECK_EQ_INT(new_n, 55);
    CHECK(old_h != new_h);
    test_faults(dir, old_h, old_n, new_h, new_n);
    test_kills(dir, old_h, old_n, new_h, new_n);
    tu_rmdir(dir);
    free(dir);
    return check_report("index/test_index_crash");
}
