/* The server's life (server.h): start the indexes, the batch worker and
 * libmicrohttpd's thread pool; wait for signals (SIGHUP re-opens the
 * indexes); on SIGTERM or SIGINT stop accepting, let the requests in
 * flight finish (bounded), drain the worker and stop. */
#include "server/http.h"

#include "base/error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void le_srv_config_init(le_srv_config *c) {
    memset(c, 0, sizeof *c);
    c->host = "127.0.0.1";
    c->port = 8080;
    le_embed_options_init(&c->eo);
    c->max_request_bytes = (size_t)16 << 20;
    c->max_queue = 256;
    c->max_batch_tokens = 8192;
    c->max_tokens_per_text = 32768;
    c->http_threads = 4;
    c->timeout_seconds = 30;
    c->shutdown_seconds = 30;
    c->llm_max_queue = 16;
    c->llm_max_new_tokens = 256;
}

/* The listening address of host and port into sa; 0, or -1 when host is
 * not a numeric IPv4 or IPv6 address. */
static int make_address(const char *host, int port, struct sockaddr_storage *sa, int *v6) {
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
    *v6 = 0;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return 0;
    }
    return -1;
}

static le_status start_daemon(le_srv *s, le_error *err) {
    struct sockaddr_storage sa;
    int v6;
    if (make_address(s->cfg.host, s->cfg.port, &sa, &v6))
        return le_fail(err, LE_ERR_ARG, "--host: \"%s\" is not a numeric IPv4 or IPv6 address",
                       s->cfg.host);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)s->cfg.port, NULL, NULL, le_srv_on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.http_threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.timeout_seconds,
        MHD_OPTION_NOTIFY_COMPLETED, le_srv_on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)1000, MHD_OPTION_END);
    if (!s->daemon)
        return le_fail(err, LE_ERR_IO, "cannot listen on %s port %d (in use, or not allowed)",
                       s->cfg.host, s->cfg.port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "longembed serve: listening on http://%s%s%s:%u (model %s, %zu index%s%s%s)\n",
            v6 ? "[" : "", s->cfg.host, v6 ? "]" : "", di ? di->port : (unsigned)s->cfg.port,
            s->mi.name, s->n_indexes, s->n_indexes == 1 ? "" : "es",
            s->cfg.llm ? ", decoder " : "", s->cfg.llm ? s->li.name : "");
    return LE_OK;
}

/* The model, counters, indexes and worker of s. */
static le_status start_parts(le_srv *s, le_error *err) {
    le_status st = le_model_get_info(s->cfg.model, &s->mi);
    if (st) return le_fail(err, st, "cannot describe the model");
    s->dim = le_model_dim(s->cfg.model);
    s->has_m3 = le_model_has_m3(s->cfg.model);
    s->route_paths = calloc(le_srv_n_routes, sizeof *s->route_paths);
    if (!s->route_paths) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < le_srv_n_routes; i++) s->route_paths[i] = le_srv_routes[i].path;
    if (!(s->metrics = le_srv_metrics_new(le_srv_n_routes, s->route_paths)))
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    s->indexes = calloc(s->cfg.n_indexes ? s->cfg.n_indexes : 1, sizeof *s->indexes);
    if (!s->indexes) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->cfg.n_indexes; i++, s->n_indexes++) {
        const le_srv_index_spec *sp = &s->cfg.indexes[i];
        st = le_srv_index_init(&s->indexes[i], sp->name, sp->path, s->cfg.model, s->cfg.model_spec,
                               &s->cfg.eo, err);
        if (st) {
            le_srv_index_free(&s->indexes[i]);
            return st;
        }
    }
    st = le_srv_batcher_start(s->cfg.model, s->cfg.max_queue, s->cfg.max_batch_tokens,
                              s->metrics, &s->batcher, err);
    if (!st && s->cfg.llm && !(st = le_llm_get_info(s->cfg.llm, &s->li)))
        st = le_srv_batcher_start(NULL, s->cfg.llm_max_queue, 1, NULL, &s->llm_worker, err);
    return st;
}

static void free_parts(le_srv *s) {
    le_srv_batcher_free(s->llm_worker);
    le_srv_batcher_free(s->batcher);
    if (s->ask_model) le_model_close(s->ask_model);
    for (size_t i = 0; i < s->n_indexes; i++) le_srv_index_free(&s->indexes[i]);
    free(s->indexes);
    le_srv_metrics_free(s->metrics);
    free(s->route_paths);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
}

/* Waits up to seconds for the requests in flight to end; 1 when they did. */
static int wait_idle(le_srv *s, int seconds) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    while (s->in_flight && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&s->idle, &s->mu, &until);
    int idle = s->in_flight == 0;
    pthread_mutex_unlock(&s->mu);
    return idle;
}

/* Serves until SIGTERM or SIGINT; SIGHUP re-opens every index. */
static void serve_signals(le_srv *s, const sigset_t *set) {
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig)) continue;
        if (sig != SIGHUP) break;
        for (size_t i = 0; i < s->n_indexes; i++) le_srv_index_reload(&s->indexes[i]);
        fprintf(stderr, "longembed serve: SIGHUP: indexes re-opened\n");
    }
    /* a second SIGTERM or SIGINT while stopping changes nothing */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    fprintf(stderr, "longembed serve: stopping: no new connections, finishing requests\n");
    /* libmicrohttpd's threads may still hold the listening socket until the
       daemon stops, so it is closed only then; shutting it down now makes
       the kernel refuse new connections instead of queueing them */
    s->listen_fd = MHD_quiesce_daemon(s->daemon);
    if (s->listen_fd >= 0) shutdown(s->listen_fd, SHUT_RDWR);
    if (!wait_idle(s, s->cfg.shutdown_seconds))
        fprintf(stderr, "longembed serve: requests still running after %d s: stopping anyway\n",
                s->cfg.shutdown_seconds);
    /* every queued job runs, so every suspended connection is resumed and
       can be closed; generations end at their next token */
    atomic_store(&s->stopping, 1);
    le_srv_batcher_stop(s->llm_worker);
    le_srv_batcher_stop(s->batcher);
    wait_idle(s, 2);
}

static void server_signals(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

void le_srv_block_signals(void) {
    sigset_t set;
    server_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

le_status le_srv_run(const le_srv_config *cfg, le_error *err) {
    le_srv s;
    memset(&s, 0, sizeof s);
    s.listen_fd = -1;
    s.cfg = *cfg;
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.idle, NULL);
    /* the signals go to sigwait here, never to another thread: blocked
       before the server's threads start (and, by the caller, before the
       model's pool did) */
    sigset_t set;
    server_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    le_status st = start_parts(&s, err);
    if (!st) st = start_daemon(&s, err);
    if (!st) {
        serve_signals(&s, &set);
        MHD_stop_daemon(s.daemon);
        if (s.listen_fd >= 0) close(s.listen_fd);
        fprintf(stderr, "longembed serve: stopped\n");
    }
    free_parts(&s);
    return st;
}
