/* What the server's files share: the server state, one connection's
 * request, the route handlers, and the calls a handler replies with.
 * Internal to src/server. */
#ifndef LE_SERVER_IMPL_H
#define LE_SERVER_IMPL_H

#include "server/batcher.h"
#include "server/buf.h"
#include "server/indexes.h"
#include "server/metrics.h"
#include "server/request.h"
#include "server/server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

typedef struct le_srv le_srv;
typedef struct le_srv_conn le_srv_conn;

/* Error bodies: OpenAI's {"error":{"message","type","param","code"}} or
 * TEI's {"error","error_type"}. */
typedef enum le_srv_shape { LE_SRV_OPENAI = 0, LE_SRV_TEI = 1 } le_srv_shape;

typedef struct le_srv_route {
    const char *path; /* a path ending in "{id}" takes any non-empty rest */
    const char *method;
    void (*handle)(le_srv_conn *c);
    le_srv_shape shape;
    int open; /* 1: no API key needed (/health) */
} le_srv_route;

struct le_srv {
    le_srv_config cfg;
    le_model_info mi;
    int dim;
    int has_m3; /* the model has BGE-M3's heads: /embed_sparse, search modes sparse and multi */
    le_srv_batcher *batcher;
    le_srv_metrics *metrics;
    const char **route_paths; /* the routes' paths, for the metrics */
    le_srv_index *indexes;
    size_t n_indexes;
    struct MHD_Daemon *daemon;
    int listen_fd; /* after SIGTERM: the quiesced listening socket, closed at the end */
    le_llm_info li;          /* of cfg.llm, when there is one */
    le_srv_batcher *llm_worker; /* the decoder's queue and thread (NULL: no decoder) */
    le_model *ask_model;     /* the decoder worker's own handle of the model (/ask), or NULL */
    atomic_int stopping;     /* 1 once the requests in flight had their time: stop generating */
    pthread_mutex_t mu; /* guards in_flight */
    pthread_cond_t idle;
    size_t in_flight;
};

/* One request, from its headers to the end of its reply. */
struct le_srv_conn {
    le_srv *srv;
    const le_srv_route *route; /* NULL: none (404, 405) */
    int route_index;
    const char *allow; /* the method the path takes (405's Allow), NULL: no such path */
    char *url_arg;     /* the {id} of a route path ending in it (/v1/models/{id}) */
    struct MHD_Connection *mc;
    int fd; /* the client's socket, while a job waits (-1: unknown) */
    char *body;
    size_t len, cap;
    size_t seen; /* body bytes received, kept or not */
    int too_large;
    double t0;
    int status, ready, suspended;
    le_sbuf reply;
    const char *content_type;
    le_srv_job job;
    void (*resume)(le_srv_conn *c); /* builds the reply once the job is done */
    /* a streamed reply (status 200, chunked): libmicrohttpd's content reader
       and its argument, freed by reader_free once the response is done */
    ssize_t (*reader)(void *cls, uint64_t pos, char *buf, size_t max);
    void (*reader_free)(void *cls);
    void *reader_cls;
    void (*cleanup)(le_srv_conn *c); /* frees state */
    void *state;
};

/* The routes (routes.c) and their number. */
extern const le_srv_route le_srv_routes[];
extern const size_t le_srv_n_routes;

/* Marks the body in c->reply as the reply, with its status and type. */
void le_srv_reply(le_srv_conn *c, int status, const char *content_type);
/* Replies f in the route's error shape. */
void le_srv_reply_fail(le_srv_conn *c, const le_srv_fail *f);
/* f from a library failure: the status it maps to (LE_ERR_TOO_LONG 413,
 * LE_ERR_ARG and LE_ERR_UTF8 400, LE_ERR_NOMEM 503, else 500), the message
 * prefixed with the input (param[text_index]) when the error names one. */
void le_srv_fail_from(le_srv_fail *f, le_status st, const le_error *err, const char *param);
/* Queues c->job (its done and user are set here) and suspends the
 * connection; resume builds the reply when it is done. A full queue
 * replies 429 at once. */
void le_srv_submit(le_srv_conn *c, void (*resume)(le_srv_conn *c));
/* The same for a job j of the caller's (its done, gone and user set) on
 * queue b, which holds at most max_queue jobs (for the 429 message). */
void le_srv_submit_to(le_srv_conn *c, le_srv_batcher *b, le_srv_job *j, int max_queue,
                      void (*resume)(le_srv_conn *c));
/* le_srv_submit on the decoder's worker (c->job a task). */
void le_srv_submit_llm(le_srv_conn *c, void (*resume)(le_srv_conn *c));
/* The client's socket (-1: unknown). */
int le_srv_conn_socket(le_srv_conn *c);
/* Whether the client of socket fd has closed its side (reads end-of-file);
 * asked only while its connection is suspended. */
int le_srv_socket_gone(int fd);
/* Makes state (with its cleanup) c's, or replies 503 when it is NULL (out
 * of memory); 1 when adopted. */
int le_srv_adopt(le_srv_conn *c, void *state, void (*cleanup)(le_srv_conn *c));
/* The index a request names (NULL: the only one); NULL after replying 404/400. */
le_srv_index *le_srv_find_index(le_srv_conn *c, const char *name);

/* Whether the server has a decoder (--llm); else replies 404. */
int le_srv_need_llm(le_srv_conn *c);

/* Handlers (routes_*.c). */
void le_srv_h_health(le_srv_conn *c);
void le_srv_h_models(le_srv_conn *c);
void le_srv_h_model(le_srv_conn *c);
void le_srv_h_info(le_srv_conn *c);
void le_srv_h_metrics(le_srv_conn *c);
void le_srv_h_embeddings(le_srv_conn *c);
void le_srv_h_embed(le_srv_conn *c);
void le_srv_h_embed_sparse(le_srv_conn *c);
void le_srv_h_tokenize(le_srv_conn *c);
void le_srv_h_search(le_srv_conn *c);
void le_srv_h_index_add(le_srv_conn *c);
void le_srv_h_index_delete(le_srv_conn *c);
void le_srv_h_index_reload(le_srv_conn *c);
void le_srv_h_completions(le_srv_conn *c);
void le_srv_h_chat(le_srv_conn *c);
void le_srv_h_ask(le_srv_conn *c);

#endif
