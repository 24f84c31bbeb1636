/* One generation request (/v1/completions, /v1/chat/completions) between
 * the connection and the decoder's worker. The decoder (one le_llm, one
 * call at a time) has its own worker thread and queue, apart from the
 * embedding batcher, so embeddings never wait for a generation.
 *
 * The connection is suspended while the job waits and prefills. A reply
 * that is not streamed is built when the job is done. A streamed one
 * starts (200, text/event-stream, chunked) at the first piece of text:
 * errors found before it (a prompt over the context) are still plain 4xx
 * replies. The worker appends each event to the object's buffer; the
 * connection's content reader sends it, and suspends the connection while
 * the buffer is empty (libmicrohttpd's way not to busy-wait); the worker
 * wakes it for more. The object is reference-counted (the connection, the
 * job, the streamed response), since a client may leave mid-stream: then
 * the next piece of text stops the generation. */
#ifndef LE_SERVER_GEN_H
#define LE_SERVER_GEN_H

#include "server/server_impl.h"

#include <microhttpd.h>

typedef struct le_srv_gen {
    pthread_mutex_t mu;
    int refs;
    le_srv *srv;
    struct MHD_Connection *mc; /* NULL once the connection is closed */
    int fd;                    /* its socket (to see a client leave while suspended) */
    le_srv_job job;            /* on the decoder's worker; user = this */
    int chat;
    le_srv_gen_req req;
    char id[48];
    long long created;
    /* the outcome (the worker's) */
    char *text;
    size_t n_text; /* its length */
    le_llm_result res;
    /* the stream: events not yet sent from sent on */
    le_sbuf out;
    size_t sent;
    int started; /* the streamed reply began (the connection was woken for it) */
    int woken;   /* the connection was woken from its first suspension */
    int waiting; /* the content reader suspended the connection for more */
    int done, closed;
    int head_sent; /* the worker's: the chat stream's first chunk (the role) went out */
} le_srv_gen;

/* A new object (refs 1: the connection's), NULL when out of memory. */
le_srv_gen *le_srv_gen_new(le_srv_conn *c);
void le_srv_gen_release(le_srv_gen *g);
/* Worker side: appends n bytes of events and wakes the connection (the
 * first time: starts the streamed reply). Lock not held. Returns 1 when
 * nobody listens any more (the generation should stop). */
int le_srv_gen_push(le_srv_gen *g, const char *ev, size_t n);
/* Worker side: whether the client left (a closed connection, or a
 * suspended one whose socket reads end-of-file) or the server stops. */
int le_srv_gen_gone(le_srv_gen *g);
/* Queues g's job (task runs on the decoder's worker) and suspends the
 * connection; resume(c) builds the reply when the job is done or the
 * stream starts. A full queue or a stopping server replies at once. */
void le_srv_gen_submit(le_srv_conn *c, le_srv_gen *g, void (*task)(le_srv_job *j, le_model *m),
                       void (*resume)(le_srv_conn *c));
/* Makes c's reply the event stream of g (status 200). */
void le_srv_gen_stream_reply(le_srv_conn *c, le_srv_gen *g);

#endif
