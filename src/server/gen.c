/* A generation request between its connection and the decoder's worker
 * (gen.h). Lock order: g->mu, then libmicrohttpd's own (suspend and
 * resume); libmicrohttpd calls the content reader without its lock held. */
#include "server/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

le_srv_gen *le_srv_gen_new(le_srv_conn *c) {
    le_srv_gen *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    pthread_mutex_init(&g->mu, NULL);
    g->refs = 1;
    g->srv = c->srv;
    g->mc = c->mc;
    g->fd = -1;
    g->created = (long long)time(NULL);
    static atomic_ulong serial;
    snprintf(g->id, sizeof g->id, "%llx%lx", g->created, (unsigned long)atomic_fetch_add(&serial, 1));
    return g;
}

void le_srv_gen_release(le_srv_gen *g) {
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    int last = --g->refs == 0;
    pthread_mutex_unlock(&g->mu);
    if (!last) return;
    le_srv_gen_req_free(&g->req);
    free(g->text);
    le_sbuf_free(&g->out);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* Wakes the connection when it sleeps (lock held): the first time to
 * build its reply (start: as a stream), later when the content reader
 * waits for more. */
static void wake(le_srv_gen *g, int start) {
    if (!g->woken) {
        g->woken = 1;
        g->started = start;
        MHD_resume_connection(g->mc);
    } else if (g->waiting && g->mc) {
        g->waiting = 0;
        MHD_resume_connection(g->mc);
    }
}

int le_srv_gen_push(le_srv_gen *g, const char *ev, size_t n) {
    pthread_mutex_lock(&g->mu);
    int gone = g->closed;
    if (!gone) {
        le_sbuf_add(&g->out, ev, n);
        wake(g, 1);
    }
    pthread_mutex_unlock(&g->mu);
    return gone || atomic_load(&g->srv->stopping);
}

int le_srv_gen_gone(le_srv_gen *g) {
    pthread_mutex_lock(&g->mu);
    /* before the stream starts the connection is suspended: its socket is
       the worker's to look at */
    int gone = g->closed || (!g->woken && le_srv_socket_gone(g->fd));
    pthread_mutex_unlock(&g->mu);
    return gone || atomic_load(&g->srv->stopping);
}

/* The job ended (worker thread): wake the connection for its reply, or
 * for the end of its stream. */
static void job_done(le_srv_job *j) {
    le_srv_gen *g = j->user;
    pthread_mutex_lock(&g->mu);
    g->done = 1;
    wake(g, 0);
    pthread_mutex_unlock(&g->mu);
    le_srv_gen_release(g);
}

static int job_gone(le_srv_job *j) { return le_srv_gen_gone(j->user); }

void le_srv_gen_submit(le_srv_conn *c, le_srv_gen *g, void (*task)(le_srv_job *j, le_model *m),
                       void (*resume)(le_srv_conn *c)) {
    le_srv_job *j = &g->job;
    j->kind = LE_SRV_JOB_TASK;
    j->n = 1;
    j->task = task;
    j->done = job_done;
    j->gone = job_gone;
    j->user = g;
    g->fd = le_srv_conn_socket(c);
    g->refs++; /* the job's, released by job_done (the worker is not started yet) */
    le_srv_submit_to(c, c->srv->llm_worker, j, c->srv->cfg.llm_max_queue, resume);
    if (c->ready) g->refs--; /* refused: the job never runs */
}

/* libmicrohttpd's content reader of a stream: the events not yet sent; at
 * the end, the end of the stream; else the connection sleeps until the
 * worker has more. */
static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    le_srv_gen *g = cls;
    pthread_mutex_lock(&g->mu);
    ssize_t n = 0;
    if (g->out.failed) {
        n = MHD_CONTENT_READER_END_WITH_ERROR;
    } else if (g->sent < g->out.n) {
        size_t k = g->out.n - g->sent < max ? g->out.n - g->sent : max;
        memcpy(buf, g->out.p + g->sent, k);
        g->sent += k;
        n = (ssize_t)k;
    } else if (g->done) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        g->waiting = 1;
        MHD_suspend_connection(g->mc);
    }
    pthread_mutex_unlock(&g->mu);
    return n;
}

/* The stream's response is done with (sent, or the client left). */
static void events_free(void *cls) {
    le_srv_gen *g = cls;
    pthread_mutex_lock(&g->mu);
    g->closed = 1;
    g->mc = NULL;
    pthread_mutex_unlock(&g->mu);
    le_srv_gen_release(g);
}

void le_srv_gen_stream_reply(le_srv_conn *c, le_srv_gen *g) {
    pthread_mutex_lock(&g->mu);
    g->refs++; /* the response's, released by events_free */
    pthread_mutex_unlock(&g->mu);
    c->reader = read_events;
    c->reader_free = events_free;
    c->reader_cls = g;
    le_srv_reply(c, 200, "text/event-stream");
}
