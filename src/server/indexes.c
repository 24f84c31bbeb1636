/* The server's indexes (indexes.h). */
#include "server/indexes.h"

#include "base/array.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Idle readers kept per index; more are closed when given back. */
#define MAX_IDLE 8

/* Creates an empty index at path with the identity of m and eo, with
 * passages of the model's window as `longembed index add` makes a new index
 * (docs/retrieval.md). */
static le_status create_index(const char *path, le_model *m, const char *spec,
                              const le_embed_options *eo, le_error *err) {
    le_index_model im;
    le_status st = le_index_model_describe(m, spec, eo, &im, err);
    if (!st) st = le_index_model_set_passages(&im, m, NULL, err);
    le_index_writer *w = NULL;
    if (!st) st = le_index_writer_open(path, &im, NULL, &w, err);
    if (!st) st = le_index_writer_commit(w, err);
    le_index_writer_close(w);
    return st ? le_error_wrap(err, st, "creating %s", path) : LE_OK;
}

/* Whether m gives the vectors of the index of identity im (x->model_ok). */
static void check_model(le_srv_index *x, le_model *m, const le_index_model *im) {
    x->model_ok = 0;
    if (!im->dim) {
        snprintf(x->model_msg, sizeof x->model_msg, "%s has no dense vectors (BM25 only)",
                 x->name);
        return;
    }
    le_embed_options eo;
    le_index_model_embed_options(im, LE_EMBED_DOCUMENTS, &eo);
    le_index_model desc;
    le_error err;
    if (le_index_model_describe(m, NULL, &eo, &desc, &err)) {
        snprintf(x->model_msg, sizeof x->model_msg, "%s", err.message);
        return;
    }
    desc.passage_tokens = im->passage_tokens;
    desc.passage_overlap = im->passage_overlap;
    desc.passage_mode = im->passage_mode;
    desc.sparse_vocab = im->sparse_vocab;
    desc.multi_dim = im->multi_dim;
    char why[160];
    if (le_index_model_differs(&desc, im, why, sizeof why))
        snprintf(x->model_msg, sizeof x->model_msg,
                 "index %s was built with another model or options (%s): dense search needs "
                 "the server started with its model",
                 x->name, why);
    else
        x->model_ok = 1;
}

le_status le_srv_index_init(le_srv_index *x, const char *name, const char *path, le_model *m,
                            const char *model_spec, const le_embed_options *eo, le_error *err) {
    memset(x, 0, sizeof *x);
    pthread_mutex_init(&x->mu, NULL);
    pthread_mutex_init(&x->write_mu, NULL);
    x->name = strdup(name);
    x->path = strdup(path);
    if (!x->name || !x->path) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_status st = LE_OK;
    if (access(path, F_OK) != 0) st = create_index(path, m, model_spec, eo, err);
    le_index *ix = NULL;
    if (!st) st = le_index_open(path, NULL, &ix, err); /* every checksum, once */
    if (st) return le_error_wrap(err, st, "index %s", name);
    le_index_get_info(ix, &x->info);
    le_index_close(ix);
    check_model(x, m, &x->info.model);
    return LE_OK;
}

void le_srv_index_free(le_srv_index *x) {
    for (size_t i = 0; i < x->n_idle; i++) le_index_close(x->idle[i]);
    free(x->idle);
    free(x->name);
    free(x->path);
    pthread_mutex_destroy(&x->mu);
    pthread_mutex_destroy(&x->write_mu);
    memset(x, 0, sizeof *x);
}

le_status le_srv_index_acquire(le_srv_index *x, le_index **ix, uint64_t *gen, le_error *err) {
    pthread_mutex_lock(&x->mu);
    *gen = x->gen;
    *ix = x->n_idle ? x->idle[--x->n_idle] : NULL;
    pthread_mutex_unlock(&x->mu);
    if (*ix) return LE_OK;
    le_index_options o;
    le_index_options_init(&o);
    o.verify = 0; /* the structure is still checked; checksums were read at start */
    le_status st = le_index_open(x->path, &o, ix, err);
    if (st) return le_error_wrap(err, st, "index %s", x->name);
    pthread_mutex_lock(&x->mu);
    if (*gen == x->gen) le_index_get_info(*ix, &x->info);
    pthread_mutex_unlock(&x->mu);
    return LE_OK;
}

void le_srv_index_release(le_srv_index *x, le_index *ix, uint64_t gen) {
    if (!ix) return;
    pthread_mutex_lock(&x->mu);
    int keep = gen == x->gen && x->n_idle < MAX_IDLE &&
               le_array_reserve(x->idle, x->cap_idle, x->n_idle + 1) == LE_OK;
    if (keep) x->idle[x->n_idle++] = ix;
    pthread_mutex_unlock(&x->mu);
    if (!keep) le_index_close(ix);
}

void le_srv_index_reload(le_srv_index *x) {
    pthread_mutex_lock(&x->mu);
    x->gen++;
    le_index **old = x->idle;
    size_t n = x->n_idle;
    x->idle = NULL;
    x->n_idle = x->cap_idle = 0;
    pthread_mutex_unlock(&x->mu);
    for (size_t i = 0; i < n; i++) le_index_close(old[i]);
    free(old);
    /* open one now, so /info shows the new version */
    le_index *ix;
    uint64_t gen;
    if (le_srv_index_acquire(x, &ix, &gen, NULL) == LE_OK) le_srv_index_release(x, ix, gen);
}

void le_srv_index_get_info(le_srv_index *x, le_index_info *out, uint64_t *gen) {
    pthread_mutex_lock(&x->mu);
    *out = x->info;
    if (gen) *gen = x->gen;
    pthread_mutex_unlock(&x->mu);
}
