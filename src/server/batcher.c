/* The batch worker (batcher.h). */
#include "server/batcher.h"

#include "base/error.h"
#include "server/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The most jobs packed into one call. */
#define MAX_PACK 256

struct le_srv_batcher {
    le_model *m;
    int dim, budget, max_queue;
    le_srv_metrics *metrics;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    le_srv_job *head, *tail;
    size_t depth;
    int stopping, joined;
    pthread_t worker;
};

static int same_str(const char *a, const char *b) {
    return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b));
}

/* 1 when a and b give the same vectors for the same text, so their texts
 * may share one le_embed call. */
static int same_options(const le_embed_options *a, const le_embed_options *b) {
    return same_str(a->prefix, b->prefix) && same_str(a->pooling, b->pooling) &&
           a->max_tokens == b->max_tokens && a->truncate == b->truncate &&
           a->normalize == b->normalize && a->extend == b->extend &&
           a->attn_scale == b->attn_scale && a->position_stride == b->position_stride &&
           a->ntk_lambda == b->ntk_lambda && a->rope_factor == b->rope_factor &&
           a->se_group == b->se_group && a->se_window == b->se_window &&
           a->rotary_scaling_factor == b->rotary_scaling_factor;
}

/* Takes the next pack off the queue (lock held, queue not empty): the head,
 * and after a texts job the following texts jobs of the same options while
 * their tokens fit the budget. Returns how many went into pack. */
static size_t take_pack(le_srv_batcher *b, le_srv_job **pack) {
    size_t k = 0, tokens = 0;
    while (b->head && k < MAX_PACK) {
        le_srv_job *j = b->head;
        if (k && (j->kind != LE_SRV_JOB_TEXTS || pack[0]->kind != LE_SRV_JOB_TEXTS ||
                  !same_options(&j->eo, &pack[0]->eo) || tokens + j->tokens > (size_t)b->budget))
            break;
        tokens += j->tokens;
        pack[k++] = j;
        b->head = j->next;
        b->depth--;
        if (j->kind != LE_SRV_JOB_TEXTS) break;
    }
    if (!b->head) b->tail = NULL;
    return k;
}

/* Runs one job on its own. */
static void run_alone(le_srv_batcher *b, le_srv_job *j) {
    le_embed_options eo = j->eo;
    if (!eo.batch_tokens) eo.batch_tokens = b->budget;
    le_error_clear(&j->err);
    if (j->kind == LE_SRV_JOB_TASK) {
        j->task(j, b->m);
        return;
    }
    if (j->kind == LE_SRV_JOB_TOKENS)
        j->status = le_embed_tokens(b->m, j->n, j->ids, j->n_ids, &eo, j->out, j->res, &j->err);
    else
        j->status = le_embed(b->m, j->n, j->texts, j->lens, &eo, j->out, j->res, &j->err);
    size_t tokens = 0;
    for (size_t i = 0; !j->status && i < j->n; i++) tokens += (size_t)j->res[i].tokens;
    if (!j->status) le_srv_metrics_batch(b->metrics, j->n, tokens);
}

/* The texts of k jobs in one le_embed call; 0, or -1 when it failed (then
 * nothing was written and the caller runs the jobs one by one). */
static int run_packed(le_srv_batcher *b, le_srv_job **pack, size_t k) {
    size_t n = 0;
    for (size_t i = 0; i < k; i++) n += pack[i]->n;
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    float *out = malloc(n * (size_t)b->dim * sizeof *out);
    le_text_result *res = malloc(n * sizeof *res);
    int rc = -1;
    if (texts && lens && out && res) {
        size_t at = 0;
        for (size_t i = 0; i < k; i++) {
            memcpy(texts + at, pack[i]->texts, pack[i]->n * sizeof *texts);
            memcpy(lens + at, pack[i]->lens, pack[i]->n * sizeof *lens);
            at += pack[i]->n;
        }
        le_embed_options eo = pack[0]->eo;
        eo.batch_tokens = b->budget;
        if (le_embed(b->m, n, texts, lens, &eo, out, res, NULL) == LE_OK) rc = 0;
    }
    size_t at = 0, tokens = 0;
    for (size_t i = 0; !rc && i < k; at += pack[i++]->n) {
        le_srv_job *j = pack[i];
        memcpy(j->out, out + at * (size_t)b->dim, j->n * (size_t)b->dim * sizeof *out);
        memcpy(j->res, res + at, j->n * sizeof *res);
        for (size_t t = 0; t < j->n; t++) tokens += (size_t)res[at + t].tokens;
        j->status = LE_OK;
        le_error_clear(&j->err);
    }
    if (!rc) le_srv_metrics_batch(b->metrics, n, tokens);
    free(texts);
    free(lens);
    free(out);
    free(res);
    return rc;
}

static void *worker_main(void *arg) {
    le_srv_batcher *b = arg;
    le_srv_job *pack[MAX_PACK];
    for (;;) {
        pthread_mutex_lock(&b->mu);
        while (!b->head && !b->stopping) pthread_cond_wait(&b->cv, &b->mu);
        if (!b->head) {
            pthread_mutex_unlock(&b->mu);
            return NULL;
        }
        size_t k = take_pack(b, pack);
        le_srv_metrics_queue(b->metrics, b->depth);
        pthread_mutex_unlock(&b->mu);
        /* a pack that fails (one bad text) is run job by job, so only the
           job at fault fails */
        if (k == 1 || run_packed(b, pack, k))
            for (size_t i = 0; i < k; i++) run_alone(b, pack[i]);
        for (size_t i = 0; i < k; i++) pack[i]->done(pack[i]);
    }
}

le_status le_srv_batcher_start(le_model *m, int max_queue, int budget, le_srv_metrics *metrics,
                               le_srv_batcher **out, le_error *err) {
    le_srv_batcher *b = calloc(1, sizeof *b);
    if (!b) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    b->m = m;
    b->dim = le_model_dim(m);
    b->budget = budget;
    b->max_queue = max_queue;
    b->metrics = metrics;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    if (pthread_create(&b->worker, NULL, worker_main, b)) {
        free(b);
        return le_fail(err, LE_ERR_INTERNAL, "cannot start the batch worker thread");
    }
    *out = b;
    return LE_OK;
}

int le_srv_batcher_submit(le_srv_batcher *b, le_srv_job *j) {
    pthread_mutex_lock(&b->mu);
    int full = b->stopping ? -2 : b->depth >= (size_t)b->max_queue ? -1 : 0;
    if (!full) {
        j->next = NULL;
        if (b->tail) b->tail->next = j;
        else b->head = j;
        b->tail = j;
        b->depth++;
        le_srv_metrics_queue(b->metrics, b->depth);
        pthread_cond_signal(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    return full;
}

size_t le_srv_batcher_depth(le_srv_batcher *b) {
    pthread_mutex_lock(&b->mu);
    size_t d = b->depth;
    pthread_mutex_unlock(&b->mu);
    return d;
}

void le_srv_batcher_stop(le_srv_batcher *b) {
    if (!b || b->joined) return;
    pthread_mutex_lock(&b->mu);
    b->stopping = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->worker, NULL);
    b->joined = 1;
}

void le_srv_batcher_free(le_srv_batcher *b) {
    if (!b) return;
    le_srv_batcher_stop(b);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}
