/* Dynamic batching: one worker thread owns the model (a le_model handle is
 * used by one thread at a time) and runs the jobs of every request. Each
 * forward batch ("pack") is filled by a token budget with pieces of jobs in
 * queue order: whole small jobs, and budget-sized runs of consecutive texts
 * of a large one; a single text over the budget runs alone. A job with
 * texts left after its piece goes back to the END of the queue, behind the
 * jobs that arrived meanwhile (round-robin), so a short request waits for
 * at most one pack of a large one, never for all of it. Jobs packed
 * together need the same options. The forward passes use the library's one
 * shared thread pool. The queue is bounded: a full queue refuses the job
 * (the server answers 429). */
#ifndef LE_SERVER_BATCHER_H
#define LE_SERVER_BATCHER_H

#include "longembed.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_srv_metrics le_srv_metrics;
typedef struct le_srv_batcher le_srv_batcher;
typedef struct le_srv_job le_srv_job;

typedef enum le_srv_job_kind {
    LE_SRV_JOB_TEXTS,  /* le_embed of texts: packed with neighbours of the same options */
    LE_SRV_JOB_TOKENS, /* le_embed_tokens of token arrays: alone */
    LE_SRV_JOB_TASK,   /* task(job, model) on the worker: alone (index writes) */
    LE_SRV_JOB_M3      /* le_embed_m3 of texts into m3 (BGE-M3's outputs): alone, in pieces */
} le_srv_job_kind;

struct le_srv_job {
    le_srv_job_kind kind;
    size_t n;
    const char *const *texts;
    const size_t *lens;
    const int32_t *const *ids;
    const size_t *n_ids;
    le_embed_options eo;
    size_t tokens; /* estimated tokens of the job, for the budget */
    /* estimated tokens of each text (NULL: the job is one piece of `tokens`) */
    const size_t *text_tokens;
    void (*task)(le_srv_job *j, le_model *m);
    float *out;           /* n × dim, given by the submitter */
    le_text_result *res;  /* n, given by the submitter */
    le_m3_output *m3;     /* LE_SRV_JOB_M3: n, given by the submitter (freed by it) */
    le_status status;     /* the outcome; err.text_index is the job's own input index */
    le_error err;
    void (*done)(le_srv_job *j); /* called on the worker thread when the job is finished */
    /* optional: 1 when nobody waits for the job any more (the client went
       away); asked before each piece, its remaining texts are then skipped */
    int (*gone)(le_srv_job *j);
    void *user;
    /* the batcher's own */
    le_srv_job *next;
    size_t taken;  /* texts handed to packs so far */
    int cancelled; /* gone said so: the remaining texts were skipped */
};

/* Starts the worker. budget: tokens of one packed forward batch. m NULL:
 * a queue of tasks only (the decoder's worker); metrics may be NULL. */
le_status le_srv_batcher_start(le_model *m, int max_queue, int budget, le_srv_metrics *metrics,
                               le_srv_batcher **out, le_error *err);
/* Queues j: 0; -1 when the queue is full; -2 when the batcher has stopped.
 * j->status is LE_OK until a piece fails; then it names the input of j at
 * fault (err.text_index) and j's other texts are not run. */
int le_srv_batcher_submit(le_srv_batcher *b, le_srv_job *j);
/* Jobs waiting. */
size_t le_srv_batcher_depth(le_srv_batcher *b);
/* Refuses new jobs, runs every queued one and joins the worker; b stays
 * valid (submits get -2) until le_srv_batcher_free. */
void le_srv_batcher_stop(le_srv_batcher *b);
void le_srv_batcher_free(le_srv_batcher *b);

#endif
