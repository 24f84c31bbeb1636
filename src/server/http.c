/* One request through libmicrohttpd (http.h). */
#include "server/http.h"
#include "base/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Whether url is path, or has the prefix of a path ending in "{id}" and
 * something after it (*arg: where that starts). */
static int path_matches(const char *path, const char *url, const char **arg) {
    size_t n = strlen(path);
    *arg = NULL;
    if (n >= 4 && !strcmp(path + n - 4, "{id}")) {
        if (strncmp(path, url, n - 4) || !url[n - 4]) return 0;
        *arg = url + n - 4;
        return 1;
    }
    return !strcmp(path, url);
}

/* The route of url and method; *allow gets the method of a route with url
 * (for 405's Allow), NULL when no route has it; *arg the route's {id}. */
static int find_route(const char *url, const char *method, const char **allow,
                      const char **arg) {
    *allow = *arg = NULL;
    for (size_t i = 0; i < le_srv_n_routes; i++) {
        const char *a;
        if (!path_matches(le_srv_routes[i].path, url, &a)) continue;
        *allow = le_srv_routes[i].method;
        if (strcmp(le_srv_routes[i].method, method)) continue;
        *arg = a;
        return (int)i;
    }
    return -1;
}

/* Compares without an early exit, so the time says nothing about the key. */
static int same_secret(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < na; i++) d |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
    return d == 0;
}

static int authorised(le_srv_conn *c) {
    const char *key = c->srv->cfg.api_key;
    if (!key || (c->route && c->route->open)) return 1;
    const char *h = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Authorization");
    return h && !strncmp(h, "Bearer ", 7) && same_secret(h + 7, key);
}

/* The checks made on the headers alone; 1 when they replied. */
static int check_headers(le_srv_conn *c, const char *url) {
    le_srv_fail f;
    const char *cl = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Content-Length");
    if (!c->route && !c->allow)
        le_srv_failf(&f, 404, "", "no route %s (see GET /info for the routes)", url);
    else if (!c->route)
        le_srv_failf(&f, 405, "", "%s takes %s only", url, c->allow);
    else if (!authorised(c))
        le_srv_failf(&f, 401, "", "a valid API key is needed: Authorization: Bearer KEY");
    else if (cl && strtoull(cl, NULL, 10) > c->srv->cfg.max_request_bytes)
        le_srv_failf(&f, 413, "", "the request body (%s bytes) is over the limit of %zu bytes", cl,
                     c->srv->cfg.max_request_bytes);
    else
        return 0;
    le_srv_reply_fail(c, &f);
    return 1;
}

/* Appends a piece of the body, or drops it once the body is over the limit;
 * -1 once the body (a chunked one: with a Content-Length the headers were
 * refused) is over twice the limit: the connection is then closed without
 * a reply rather than read on forever. */
static int take_body(le_srv_conn *c, const char *data, size_t n) {
    size_t max = c->srv->cfg.max_request_bytes;
    c->seen = c->seen + n < c->seen ? SIZE_MAX : c->seen + n;
    if (c->too_large) return c->seen / 2 > max ? -1 : 0;
    if (n > max || c->len > max - n) {
        c->too_large = 1;
        free(c->body);
        c->body = NULL;
        c->len = c->cap = 0;
        return 0;
    }
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n + 1) cap *= 2;
        char *p = realloc(c->body, cap);
        if (!p) {
            c->too_large = 1; /* answered as too large: there is no room for it */
            return 0;
        }
        c->body = p;
        c->cap = cap;
    }
    memcpy(c->body + c->len, data, n);
    c->len += n;
    c->body[c->len] = 0;
    return 0;
}

/* The response of c: its body, or its content reader (a stream). */
static struct MHD_Response *make_response(le_srv_conn *c) {
    static const char oom[] = "{\"error\":{\"message\":\"out of memory\",\"type\":\"server_error\","
                              "\"param\":null,\"code\":null}}";
    if (c->reader) {
        struct MHD_Response *r = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 4096, c->reader, c->reader_cls, c->reader_free);
        if (!r) c->reader_free(c->reader_cls);
        c->reader = NULL; /* the response owns reader_cls now */
        if (r) MHD_add_response_header(r, "Cache-Control", "no-cache");
        return r;
    }
    if (c->reply.failed) c->status = 503;
    const char *body = c->reply.failed ? oom : c->reply.p ? c->reply.p : "";
    size_t n = c->reply.failed ? sizeof oom - 1 : c->reply.n;
    return MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result send_reply(le_srv_conn *c) {
    struct MHD_Response *r = make_response(c);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", c->content_type);
    if (c->status == 429 || c->status == 503) MHD_add_response_header(r, "Retry-After", "1");
    if (c->status == 401) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    if (c->status == 405 && c->allow) MHD_add_response_header(r, "Allow", c->allow);
    enum MHD_Result ret = MHD_queue_response(c->mc, (unsigned)c->status, r);
    MHD_destroy_response(r);
    if (c->srv->cfg.verbose)
        fprintf(stderr, "longembed serve: %s %d %.1f ms\n",
                c->route ? c->route->path : "-", c->status, (le_now_seconds() - c->t0) * 1e3);
    return ret;
}

/* A new request: its route and the header checks. */
static le_srv_conn *conn_new(le_srv *s, struct MHD_Connection *mc, const char *url,
                             const char *method) {
    le_srv_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->srv = s;
    c->mc = mc;
    c->t0 = le_now_seconds();
    c->content_type = "application/json";
    const char *arg = NULL;
    c->route_index = find_route(url, method, &c->allow, &arg);
    if (arg && !(c->url_arg = strdup(arg))) {
        free(c);
        return NULL;
    }
    c->route = c->route_index >= 0 ? &le_srv_routes[c->route_index] : NULL;
    pthread_mutex_lock(&s->mu);
    s->in_flight++;
    pthread_mutex_unlock(&s->mu);
    check_headers(c, url);
    return c;
}

enum MHD_Result le_srv_on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls) {
    le_srv_conn *c = *con_cls;
    if (!c) {
        if (!(c = conn_new(cls, mc, url, method))) return MHD_NO;
        *con_cls = c;
        return c->ready ? send_reply(c) : MHD_YES;
    }
    if (*upload_size) {
        if (take_body(c, upload_data, *upload_size)) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (c->suspended) { /* back from the worker */
        c->suspended = 0;
        /* the client left: close without a reply (counted as 499) */
        if (c->job.cancelled) return MHD_NO;
        if (!c->ready && c->resume) c->resume(c);
    } else if (!c->ready && c->too_large) {
        le_srv_fail f;
        le_srv_failf(&f, 413, "", "the request body is over the limit of %zu bytes",
                     c->srv->cfg.max_request_bytes);
        le_srv_reply_fail(c, &f);
    } else if (!c->ready) {
        c->route->handle(c);
        if (c->suspended) return MHD_YES;
    }
    if (!c->ready) {
        le_srv_fail f;
        le_srv_failf(&f, 500, "", "the handler gave no reply (a bug: please report)");
        le_srv_reply_fail(c, &f);
    }
    return send_reply(c);
}

void le_srv_on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode why) {
    le_srv *s = cls;
    le_srv_conn *c = *con_cls;
    if (!c) return;
    /* a client that went away before its reply counts as status 499; one
       cut off for a body far over the limit as 413 */
    int status = c->ready && why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? c->status
                 : c->too_large                                          ? 413
                                                                         : 499;
    le_srv_metrics_request(s->metrics, c->route_index, status, le_now_seconds() - c->t0);
    if (c->reader) c->reader_free(c->reader_cls);
    if (c->cleanup) c->cleanup(c);
    le_sbuf_free(&c->reply);
    free(c->body);
    free(c->url_arg);
    free(c);
    *con_cls = NULL;
    pthread_mutex_lock(&s->mu);
    s->in_flight--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

int le_srv_socket_gone(int fd) {
    char x;
    if (fd < 0) return 0;
    ssize_t r = recv(fd, &x, 1, MSG_PEEK | MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Whether c's client has closed its connection (or its sending side):
 * the socket reads end-of-file. Asked by the worker between the pieces of
 * a job while the connection is suspended, so libmicrohttpd does not
 * touch the socket meanwhile. */
static int job_gone(le_srv_job *j) {
    le_srv_conn *c = j->user;
    return le_srv_socket_gone(c->fd);
}

/* The worker finished c's job: wake the connection up. */
static void job_done(le_srv_job *j) {
    le_srv_conn *c = j->user;
    MHD_resume_connection(c->mc);
}

int le_srv_conn_socket(le_srv_conn *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->mc, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? ci->connect_fd : -1;
}

void le_srv_submit_to(le_srv_conn *c, le_srv_batcher *b, le_srv_job *j, int max_queue,
                      void (*resume)(le_srv_conn *c)) {
    c->resume = resume;
    c->fd = le_srv_conn_socket(c);
    c->suspended = 1;
    MHD_suspend_connection(c->mc);
    int rc = le_srv_batcher_submit(b, j);
    if (rc == 0) return;
    le_srv_fail f;
    if (rc == -2) le_srv_failf(&f, 503, "", "the server is shutting down");
    else
        le_srv_failf(&f, 429, "", "the server is busy: %d requests are waiting; retry later",
                     max_queue);
    le_srv_reply_fail(c, &f);
    MHD_resume_connection(c->mc);
}

/* Queues c->job on b, done and gone being the connection's. */
static void submit_own(le_srv_conn *c, le_srv_batcher *b, int max_queue,
                       void (*resume)(le_srv_conn *c)) {
    c->job.done = job_done;
    c->job.gone = job_gone;
    c->job.user = c;
    le_srv_submit_to(c, b, &c->job, max_queue, resume);
}

void le_srv_submit(le_srv_conn *c, void (*resume)(le_srv_conn *c)) {
    submit_own(c, c->srv->batcher, c->srv->cfg.max_queue, resume);
}

void le_srv_submit_llm(le_srv_conn *c, void (*resume)(le_srv_conn *c)) {
    submit_own(c, c->srv->llm_worker, c->srv->cfg.llm_max_queue, resume);
}
