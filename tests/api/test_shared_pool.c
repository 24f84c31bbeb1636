/* One process-wide thread pool (include/longembed.h, "Threads"): handles
 * share its workers (as many as the largest thread count asked for, not
 * the sum), each handle's loops use its own thread count, loops from
 * several threads take turns, a loop started inside a task runs serially,
 * and the workers end with the last handle. Through the public API: a
 * model, an index writer and an index reader opened with 2 threads each
 * run on one worker (2 threads in all), and results do not change. */
#include "base/pool.h"
#include "check.h"
#include "longembed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL "tests/fixtures/bert-cased-tiny"
#define N_TASKS 1000

typedef struct count_job {
    atomic_int hits[N_TASKS];
    atomic_int bad_thread;
    int threads;
    le_pool *nested; /* if set, each task runs a loop of its own on it */
} count_job;

static void count_task(void *ctx, size_t i, int thread) {
    count_job *j = ctx;
    if (thread < 0 || thread >= j->threads) atomic_fetch_add(&j->bad_thread, 1);
    if (j->nested) {
        count_job *inner = calloc(1, sizeof *inner);
        inner->threads = 1; /* nested loops run on the calling thread: thread 0 */
        le_pool_run(j->nested, 10, count_task, inner);
        for (int k = 0; k < 10; k++)
            if (atomic_load(&inner->hits[k]) != 1) atomic_fetch_add(&j->bad_thread, 1);
        atomic_fetch_add(&j->bad_thread, atomic_load(&inner->bad_thread));
        free(inner);
    }
    atomic_fetch_add(&j->hits[i], 1);
}

/* runs one loop on p; 1 when every task ran once on a valid thread */
static int run_once(le_pool *p, le_pool *nested) {
    count_job *j = calloc(1, sizeof *j);
    j->threads = le_pool_threads(p);
    j->nested = nested;
    le_pool_run(p, N_TASKS, count_task, j);
    int ok = atomic_load(&j->bad_thread) == 0;
    for (int i = 0; i < N_TASKS; i++) ok &= atomic_load(&j->hits[i]) == 1;
    free(j);
    return ok;
}

static void test_handles_share_workers(void) {
    CHECK_EQ_INT(le_pool_shared_workers(), 0);
    le_pool *a = le_pool_acquire(2);
    CHECK_EQ_INT(le_pool_shared_workers(), 1);
    le_pool *b = le_pool_acquire(3);
    le_pool *c = le_pool_acquire(1);
    CHECK_EQ_INT(le_pool_shared_workers(), 2); /* the largest, not 1 + 2 + 0 */
    CHECK_EQ_INT(le_pool_threads(a), 2);
    CHECK_EQ_INT(le_pool_threads(b), 3);
    CHECK_EQ_INT(le_pool_threads(c), 1);
    for (int r = 0; r < 20; r++) CHECK(run_once(a, NULL) && run_once(b, NULL) && run_once(c, NULL));
    /* a loop inside a task of the same workers runs serially, never waits for itself */
    CHECK(run_once(a, b));
    le_pool_release(b);
    CHECK_EQ_INT(le_pool_shared_workers(), 2); /* no shrinking while handles are open */
    le_pool_release(a);
    le_pool_release(c);
    CHECK_EQ_INT(le_pool_shared_workers(), 0);
}

typedef struct runner {
    le_pool *p;
    int ok;
} runner;

static void *run_many(void *arg) {
    runner *r = arg;
    r->ok = 1;
    for (int i = 0; i < 200; i++) r->ok &= run_once(r->p, NULL);
    return NULL;
}

/* loops from two threads on two handles take turns on the same workers */
static void test_threads_take_turns(void) {
    runner r[2] = {{le_pool_acquire(2), 0}, {le_pool_acquire(3), 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, run_many, &r[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK(r[0].ok && r[1].ok);
    le_pool_release(r[0].p);
    le_pool_release(r[1].p);
    CHECK_EQ_INT(le_pool_shared_workers(), 0);
}

static le_status embed_one(le_model *m, const char *text, float *out, le_error *err) {
    le_embed_options eo;
    le_embed_options_init(&eo);
    const char *t[1] = {text};
    return le_embed(m, 1, t, NULL, &eo, out, NULL, err);
}

/* model, writer and reader with 2 threads each: one shared worker */
static void test_library_objects_share(const char *dir) {
    le_error err;
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 2;
    le_model *m = NULL;
    CHECK_MSG(le_model_open(MODEL, &mo, &m, &err) == LE_OK, "%s", err.message);
    if (!m) return;
    const int dim = le_model_dim(m);
    CHECK_EQ_INT(le_pool_shared_workers(), 1);
    le_model_info info;
    le_model_get_info(m, &info);
    CHECK_EQ_INT(info.threads, 2);

    char path[512];
    snprintf(path, sizeof path, "%s/shared.lei", dir);
    le_index_options io;
    le_index_options_init(&io);
    io.threads = 2;
    io.hnsw_min_docs = 2; /* build a graph: a parallel loop of the writer */
    le_index_model im;
    CHECK(le_index_model_describe(m, MODEL, NULL, &im, &err) == LE_OK);
    le_index_writer *w = NULL;
    CHECK_MSG(le_index_writer_open(path, &im, &io, &w, &err) == LE_OK, "%s", err.message);
    const char *texts[4] = {"the river bread", "a lease of the warehouse", "torque and wheel",
                            "salt and yeast"};
    le_index_doc docs[4];
    memset(docs, 0, sizeof docs);
    for (int i = 0; i < 4; i++) {
        docs[i].id = texts[i];
        docs[i].text = texts[i];
    }
    CHECK(w && le_index_writer_add_texts(w, m, NULL, 4, docs, NULL, &err) == LE_OK);
    CHECK(w && le_index_writer_commit(w, &err) == LE_OK);
    CHECK_EQ_INT(le_pool_shared_workers(), 1);

    le_index *ix = NULL;
    CHECK_MSG(le_index_open(path, &io, &ix, &err) == LE_OK, "%s", err.message);
    le_index_hit hits[4];
    int n = 0;
    CHECK(ix && le_index_search_text(ix, m, "bread by the river", NULL, hits, &n, &err) == LE_OK);
    CHECK(n > 0 && hits[0].doc < 4);
    CHECK_EQ_INT(le_pool_shared_workers(), 1);

    /* the same vector on 2 threads (shared pool) and on 1 */
    float *v2 = malloc(sizeof(float) * (size_t)dim), *v1 = malloc(sizeof(float) * (size_t)dim);
    CHECK(embed_one(m, texts[1], v2, &err) == LE_OK);
    mo.threads = 1;
    le_model *m1 = NULL;
    CHECK(le_model_open(MODEL, &mo, &m1, &err) == LE_OK);
    CHECK(m1 && embed_one(m1, texts[1], v1, &err) == LE_OK);
    CHECK(memcmp(v1, v2, sizeof(float) * (size_t)dim) == 0);
    le_model_close(m1);
    free(v1);
    free(v2);

    le_index_close(ix);
    le_index_writer_close(w);
    le_model_close(m);
    CHECK_EQ_INT(le_pool_shared_workers(), 0);
}

int main(void) {
    test_handles_share_workers();
    test_threads_take_turns();
    char dir[] = "/tmp/le-shared-pool-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    test_library_objects_share(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    return check_report("test_shared_pool");
}
