/* Allocation faults: along a small run of the index writer and reader
 * (open, add, commit, add and delete, commit, open, search, verify) and of
 * the loaders (config.json, tokenizer.json, safetensors, through
 * le_model_open of a tiny model and an embedding), the N-th allocation
 * fails, for every N the run makes. Each time the run must end cleanly: a
 * status with a message (or success, where the code can do without that
 * memory), no crash, no allocation left behind (counted by the shim; the
 * ASan build's leak checker sees the same), and an index file on disk that
 * still verifies. Out of memory inside cJSON shows as "invalid JSON" (cJSON
 * cannot tell the two apart), so any status with a message counts as clean. */
#include "alloc_shim.h"
#include "check.h"
#include "longembed.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURE "tests/fixtures/bert-cased-tiny"
#define DIM 8

typedef struct fault_plan {
    long seen;    /* allocations so far */
    long fail_at; /* this one fails (1-based); 0: none */
    int fired;
} fault_plan;

static int on_alloc(const char *point, void *user) {
    fault_plan *p = user;
    if (strcmp(point, "alloc")) return 0;
    if (++p->seen != p->fail_at) return 0;
    p->fired = 1;
    return 1;
}

typedef le_status (*run_fn)(const char *dir, le_error *err);
/* After a run that failed: 0 when what it left on disk is sound. */
typedef int (*after_fn)(const char *dir);

/* ------------------------------------------------------------ the runs */

static le_status add_docs(le_index_writer *w, int from, int to, le_error *err) {
    le_index_doc d[8];
    float vec[8][DIM];
    char ids[8][16], texts[8][64];
    int n = 0;
    for (int i = from; i < to && n < 8; i++, n++) {
        memset(&d[n], 0, sizeof d[n]);
        snprintf(ids[n], sizeof ids[n], "doc-%d", i);
        snprintf(texts[n], sizeof texts[n], "river bread %d lease of the warehouse %d", i, i * 7);
        for (int k = 0; k < DIM; k++) vec[n][k] = (float)((i * 31 + k * 17) % 11) - 5.0f;
        d[n].id = ids[n];
        d[n].text = texts[n];
        d[n].dense = vec[n];
    }
    return le_index_writer_add(w, (size_t)n, d, err);
}

static le_status write_index(const char *path, le_error *err) {
    le_index_options io;
    le_index_options_init(&io);
    io.threads = 1;
    io.hnsw_min_docs = 4; /* a graph too */
    le_index_model im;
    le_index_model_init(&im);
    snprintf(im.name, sizeof im.name, "synthetic");
    im.dim = DIM;
    le_index_writer *w = NULL;
    le_status st = le_index_writer_open(path, &im, &io, &w, err);
    if (!st) st = add_docs(w, 0, 6, err);
    if (!st) st = le_index_writer_commit(w, err);
    const char *del[1] = {"doc-2"};
    if (!st) st = add_docs(w, 5, 8, err);
    if (!st) st = le_index_writer_delete(w, 1, del, NULL, err);
    if (!st) st = le_index_writer_commit(w, err);
    le_index_writer_close(w);
    return st;
}

static le_status read_index(const char *path, le_error *err) {
    le_index *ix = NULL;
    le_status st = le_index_open(path, NULL, &ix, err);
    float q[DIM] = {1, 0, -1, 2, 0, 1, 0, -2};
    le_index_query query = {.text = "bread warehouse", .dense = q};
    le_search_mode modes[3] = {LE_SEARCH_DENSE, LE_SEARCH_BM25, LE_SEARCH_HYBRID};
    for (int m = 0; m < 3 && !st; m++) {
        le_search_options so;
        le_search_options_init(&so);
        so.mode = modes[m];
        so.k = 3;
        le_index_hit hits[3];
        int n = 0;
        st = le_index_search(ix, &query, &so, hits, &n, err);
        le_index_doc_info info;
        if (!st && n > 0) st = le_index_get_doc(ix, hits[0].doc, &info, err);
    }
    le_index_close(ix);
    if (!st) st = le_index_verify(path, 1, NULL, err);
    return st;
}

static le_status run_index(const char *dir, le_error *err) {
    char path[512];
    snprintf(path, sizeof path, "%s/f.lei", dir);
    le_status st = write_index(path, err);
    if (!st) st = read_index(path, err);
    return st;
}

/* a commit that failed left the previous version (or none), never a broken file */
static int index_sound(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/f.lei", dir);
    if (access(path, F_OK) != 0) return 0;
    le_error err;
    if (le_index_verify(path, 1, NULL, &err) == LE_OK) return 0;
    fprintf(stderr, "after a failed run: %s\n", err.message);
    return -1;
}

/* le_model_open reads config.json, tokenizer.json and the safetensors
 * file; one text is embedded */
static le_status run_model(const char *dir, le_error *err) {
    char model[512];
    snprintf(model, sizeof model, "%s/model", dir);
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    mo.allow_fetch = 0;
    le_model *m = NULL;
    le_status st = le_model_open(model, &mo, &m, err);
    if (!st) {
        float out[64];
        const char *t[1] = {"the river bread"};
        le_embed_options eo;
        le_embed_options_init(&eo);
        st = le_model_dim(m) <= 64 ? le_embed(m, 1, t, NULL, &eo, out, NULL, err) : LE_ERR_INTERNAL;
    }
    le_model_close(m);
    return st;
}

/* ------------------------------------------------------------- set-up */

static void remove_tree(const char *dir) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "cannot remove %s\n", dir);
}

static int copy_file(const char *from, const char *to) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", from, to);
    return system(cmd);
}

/* The fixture model with its vocabulary cut to the first 120 pieces, so
 * that a load makes hundreds of allocations, not tens of thousands. */
static int make_model(const char *dir) {
    char model[512], path[600];
    snprintf(model, sizeof model, "%s/model", dir);
    if (mkdir(model, 0755)) return -1;
    const char *files[] = {"config.json", "model.safetensors", "modules.json",
                           "sentence_bert_config.json", "1_Pooling"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char from[600];
        snprintf(from, sizeof from, "%s/%s", FIXTURE, files[i]);
        if (copy_file(from, model)) return -1;
    }
    FILE *f = fopen(FIXTURE "/tokenizer.json", "rb");
    if (!f) return -1;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    cJSON *j = cJSON_Parse(buf);
    cJSON *vocab = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "model"), "vocab");
    if (!vocab) return -1;
    while (cJSON_GetArraySize(vocab) > 120) cJSON_DeleteItemFromArray(vocab, 120);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/tokenizer.json", model);
    f = fopen(path, "wb");
    int ok = f && text && fputs(text, f) >= 0;
    if (f) fclose(f);
    free(text);
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------- the sweep */

/* Runs fn once without faults (it must succeed) and returns how many
 * allocations it made. */
static long count_allocations(const char *name, run_fn fn, const char *dir) {
    fault_plan p = {0, 0, 0};
    le_error err;
    le_fault_set_hook(on_alloc, &p);
    le_status st = fn(dir, &err);
    le_fault_set_hook(NULL, NULL);
    CHECK_MSG(st == LE_OK, "%s without faults: %s", name, err.message);
    return st == LE_OK ? p.seen : 0;
}

/* Removes what a previous index run wrote (the index, its lock, a temporary). */
static void reset_dir(const char *dir, int wipe) {
    if (!wipe) return;
    const char *names[] = {"f.lei", "f.lei.lock", "f.lei.tmp"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
}

/* For every N of the run's allocations: the run with the N-th failing. */
static void sweep(const char *name, run_fn fn, after_fn after, const char *dir, int wipe) {
    (void)fn(dir, NULL); /* once, so that lazily made state exists before counting */
    reset_dir(dir, wipe);
    long total = count_allocations(name, fn, dir);
    long failed = 0, survived = 0;
    for (long n = 1; n <= total; n++) {
        reset_dir(dir, wipe);
        le_error err;
        memset(&err, 0, sizeof err);
        long live = alloc_shim_live();
        fault_plan p = {0, n, 0};
        le_fault_set_hook(on_alloc, &p);
        le_status st = fn(dir, &err);
        le_fault_set_hook(NULL, NULL);
        if (!p.fired) continue; /* a shorter path this time */
        if (st == LE_OK) {
            survived++;
        } else {
            failed++;
            CHECK_MSG(err.message[0] != 0, "%s: allocation %ld: status %d without a message", name,
                      n, st);
            CHECK_MSG(!after || after(dir) == 0, "%s: allocation %ld: %s", name, n, err.message);
        }
        long left = alloc_shim_live() - live;
        CHECK_MSG(left == 0, "%s: allocation %ld failed (%s): %ld allocation(s) leaked", name, n,
                  st ? err.message : "then succeeded", left);
    }
    fprintf(stderr, "%s: %ld allocations; failing each: %ld clean errors, %ld runs did without\n",
            name, total, failed, survived);
    CHECK(total > 0 && failed > 0);
}

int main(void) {
    alloc_shim_install();
    char root[] = "/tmp/le-alloc-faults-XXXXXX";
    if (!mkdtemp(root)) return 1;
    char dir[600];
    snprintf(dir, sizeof dir, "%s/index", root);
    mkdir(dir, 0755);
    sweep("index", run_index, index_sound, dir, 1);
    CHECK(make_model(root) == 0);
    sweep("model", run_model, NULL, root, 0);
    remove_tree(root);
    return check_report("test_alloc_faults");
}
