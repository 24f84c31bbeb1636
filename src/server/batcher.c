/* The batch worker (batcher.h). */
#include "server/batcher.h"

#include "base/error.h"
#include "server/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The most pieces packed into one call. */
#define MAX_PACK 256

/* A run of consecutive texts of one job in a pack. */
typedef struct le_srv_piece {
    le_srv_job *j;
    size_t start, n;
} le_srv_piece;

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

/* Whether j may share a pack that begins with first's piece. */
static int packs_with(const le_srv_job *first, const le_srv_job *j) {
    return j->kind == first->kind && j->kind != LE_SRV_JOB_TASK && j->kind != LE_SRV_JOB_M3 &&
           same_options(&j->eo, &first->eo);
}

/* Takes from j, from j->taken on, the texts that fit *room tokens (the
 * first one regardless when must: a text over the budget runs alone);
 * returns how many. */
static size_t take_texts(le_srv_job *j, size_t *room, int must) {
    size_t k = 0;
    while (j->taken + k < j->n) {
        /* a job without per-text counts is one piece of j->tokens */
        size_t t = j->text_tokens ? j->text_tokens[j->taken + k] : j->tokens;
        if (t > *room && (k || !must)) break;
        *room = t > *room ? 0 : *room - t;
        k++;
        if (!j->text_tokens) k = j->n - j->taken;
    }
    j->taken += k;
    return k;
}

/* Gives up j's remaining texts: nobody waits for them. */
static void cancel(le_srv_job *j) {
    j->status = le_fail(&j->err, LE_ERR_IO, "the client went away");
    j->taken = j->n;
    j->cancelled = 1;
}

/* Takes the next pack off the queue (lock held, queue not empty): pieces
 * of the jobs from the head on, in queue order, while they fit the budget
 * and have the head's kind and options; a task alone. Every job touched is
 * unlinked (finish_pack puts back those with texts left). Returns how many
 * pieces went into pack; a cancelled job is a piece of 0 texts. */
static size_t take_pack(le_srv_batcher *b, le_srv_piece *pack) {
    size_t k = 0, room = (size_t)b->budget;
    while (b->head && k < MAX_PACK) {
        le_srv_job *j = b->head;
        if (k && (!packs_with(pack[0].j, j) || !room)) break;
        size_t start = j->taken, n = 0;
        if (j->kind == LE_SRV_JOB_TASK) j->taken = n = j->n; /* writes run even if the client left */
        else if (j->gone && j->gone(j)) cancel(j);
        else n = take_texts(j, &room, k == 0);
        if (!n && j->taken < j->n) break; /* its next text does not fit: the pack is full */
        b->head = j->next;
        b->depth--;
        pack[k++] = (le_srv_piece){j, start, n};
        if (j->kind == LE_SRV_JOB_TASK || j->taken < j->n) break;
    }
    if (!b->head) b->tail = NULL;
    return k;
}

/* Runs piece p in its own call, writing straight into its job's arrays;
 * a failure becomes the job's, naming the job's own input. */
static void run_piece(le_srv_batcher *b, const le_srv_piece *p) {
    le_srv_job *j = p->j;
    if (!p->n || j->status) return;
    le_embed_options eo = j->eo;
    eo.batch_tokens = b->budget;
    float *out = j->out ? j->out + p->start * (size_t)b->dim : NULL;
    le_text_result *res = j->res + p->start;
    le_status st;
    if (j->kind == LE_SRV_JOB_TOKENS)
        st = le_embed_tokens(b->m, p->n, j->ids + p->start, j->n_ids + p->start, &eo, out, res,
                             &j->err);
    else if (j->kind == LE_SRV_JOB_M3)
        st = le_embed_m3(b->m, p->n, j->texts + p->start, j->lens + p->start, &eo,
                         j->m3 + p->start, res, &j->err);
    else
        st = le_embed(b->m, p->n, j->texts + p->start, j->lens + p->start, &eo, out, res, &j->err);
    if (st) {
        j->status = st;
        if (j->err.text_index >= 0) j->err.text_index += (long)p->start;
        return;
    }
    size_t tokens = 0;
    for (size_t i = 0; i < p->n; i++) tokens += (size_t)res[i].tokens;
    le_srv_metrics_batch(b->metrics, p->n, tokens);
}

/* The pieces of pack in one le_embed / le_embed_tokens call; 0, or -1
 * when it failed (then nothing was written and the caller runs the pieces
 * one by one, so that only the job at fault fails). */
static int run_packed(le_srv_batcher *b, const le_srv_piece *pack, size_t k) {
    size_t n = 0;
    for (size_t i = 0; i < k; i++) n += pack[i].n;
    int tok = pack[0].j->kind == LE_SRV_JOB_TOKENS;
    const void **items = malloc(n * sizeof *items); /* texts or token arrays */
    size_t *lens = malloc(n * sizeof *lens);
    float *out = malloc(n * (size_t)b->dim * sizeof *out);
    le_text_result *res = malloc(n * sizeof *res);
    int rc = -1;
    if (items && lens && out && res) {
        for (size_t i = 0, at = 0; i < k; at += pack[i++].n) {
            const le_srv_piece *p = &pack[i];
            for (size_t t = 0; t < p->n; t++)
                items[at + t] = tok ? (const void *)p->j->ids[p->start + t]
                                    : (const void *)p->j->texts[p->start + t];
            memcpy(lens + at, (tok ? p->j->n_ids : p->j->lens) + p->start, p->n * sizeof *lens);
        }
        le_embed_options eo = pack[0].j->eo;
        eo.batch_tokens = b->budget;
        le_status st = tok ? le_embed_tokens(b->m, n, (const int32_t *const *)items, lens, &eo,
                                             out, res, NULL)
                           : le_embed(b->m, n, (const char *const *)items, lens, &eo, out, res,
                                      NULL);
        rc = st == LE_OK ? 0 : -1;
    }
    size_t tokens = 0;
    for (size_t i = 0, at = 0; !rc && i < k; at += pack[i++].n) {
        const le_srv_piece *p = &pack[i];
        memcpy(p->j->out + p->start * (size_t)b->dim, out + at * (size_t)b->dim,
               p->n * (size_t)b->dim * sizeof *out);
        memcpy(p->j->res + p->start, res + at, p->n * sizeof *res);
        for (size_t t = 0; t < p->n; t++) tokens += (size_t)res[at + t].tokens;
    }
    if (!rc) le_srv_metrics_batch(b->metrics, n, tokens);
    free(items);
    free(lens);
    free(out);
    free(res);
    return rc;
}

/* Runs a pack: a task, one piece, or several pieces in one call (one by
 * one when that call fails). Cancelled pieces (0 texts) run nothing. */
static void run_pack(le_srv_batcher *b, const le_srv_piece *pack, size_t k) {
    if (pack[0].j->kind == LE_SRV_JOB_TASK) {
        le_error_clear(&pack[0].j->err);
        pack[0].j->task(pack[0].j, b->m);
        return;
    }
    size_t live = 0, one = 0;
    for (size_t i = 0; i < k; i++)
        if (pack[i].n) live++, one = i;
    if (live == 1) run_piece(b, &pack[one]);
    else if (live > 1 && run_packed(b, pack, k))
        for (size_t i = 0; i < k; i++) run_piece(b, &pack[i]);
}

/* Puts j at the end of the queue (lock held). */
static void append(le_srv_batcher *b, le_srv_job *j) {
    j->next = NULL;
    if (b->tail) b->tail->next = j;
    else b->head = j;
    b->tail = j;
    b->depth++;
}

/* After a pack: the jobs with texts left go back to the end of the queue
 * (behind the jobs that came meanwhile: round-robin); the others are
 * finished. */
static void finish_pack(le_srv_batcher *b, const le_srv_piece *pack, size_t k) {
    le_srv_job *fin[MAX_PACK];
    size_t n_fin = 0;
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < k; i++) {
        le_srv_job *j = pack[i].j;
        if (j->status || j->taken >= j->n) {
            fin[n_fin++] = j;
            continue;
        }
        append(b, j);
    }
    le_srv_metrics_queue(b->metrics, b->depth);
    pthread_mutex_unlock(&b->mu);
    /* done may free the job (the connection's reply is sent and closed) */
    for (size_t i = 0; i < n_fin; i++) fin[i]->done(fin[i]);
}

static void *worker_main(void *arg) {
    le_srv_batcher *b = arg;
    le_srv_piece pack[MAX_PACK];
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
        run_pack(b, pack, k);
        finish_pack(b, pack, k);
    }
}

le_status le_srv_batcher_start(le_model *m, int max_queue, int budget, le_srv_metrics *metrics,
                               le_srv_batcher **out, le_error *err) {
    le_srv_batcher *b = calloc(1, sizeof *b);
    if (!b) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    b->m = m;
    b->dim = m ? le_model_dim(m) : 0; /* NULL: a queue of tasks alone (the decoder's) */
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
        j->taken = 0;
        j->cancelled = 0;
        j->status = LE_OK;
        le_error_clear(&j->err);
        append(b, j);
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
