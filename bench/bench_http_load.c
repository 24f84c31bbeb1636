#define _GNU_SOURCE /* strcasestr */
/* A small HTTP load client for bench/server_load.py: C threads, each with
 * one kept-alive connection, send POST requests one after the other for a
 * given time and record each reply's status and latency. Written in C so
 * that the clients cost the 2-core test machine little next to the server
 * (8 Python client threads took a good part of a core).
 *
 *   bench_http_load PORT PATH BODIES CLIENTS SECONDS
 *
 * BODIES: a file of request bodies, one per line; client c starts at line c
 * and takes the next line for each request. Prints one JSON object:
 * {"seconds", "requests", "statuses": {"200": n, ...}, "errors" (failed
 * connections), "p50_ms", "p99_ms", "mean_ms", "max_ms"} (latencies of the
 * 200s). Loopback only (127.0.0.1). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct client {
    int id, port;
    const char *path;
    char **bodies;
    size_t n_bodies;
    double until;
    double *lat; /* seconds of each 200 */
    size_t n_lat, cap_lat;
    size_t statuses[600];
    size_t errors;
} client;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one reply (headers, then Content-Length bytes); its status, or -1. */
static int read_reply(int fd, char **buf, size_t *cap) {
    size_t have = 0, head = 0, need = 0;
    for (;;) {
        if (have + 4096 > *cap) {
            *cap = (*cap ? *cap * 2 : 65536) + have;
            char *p = realloc(*buf, *cap);
            if (!p) return -1;
            *buf = p;
        }
        ssize_t r = recv(fd, *buf + have, *cap - have - 1, 0);
        if (r <= 0) return -1;
        have += (size_t)r;
        (*buf)[have] = 0;
        if (!head) {
            char *end = strstr(*buf, "\r\n\r\n");
            if (!end) continue;
            head = (size_t)(end - *buf) + 4;
            char *cl = strcasestr(*buf, "\r\nContent-Length:");
            need = cl && cl < end ? strtoull(cl + 17, NULL, 10) : 0;
        }
        if (have >= head + need) return have == head + need ? atoi(*buf + 9) : -1;
    }
}

static void record(client *c, int status, double dt) {
    c->statuses[status > 0 && status < 600 ? status : 0]++;
    if (status != 200) return;
    if (c->n_lat == c->cap_lat) {
        c->cap_lat = c->cap_lat ? c->cap_lat * 2 : 1024;
        double *p = realloc(c->lat, c->cap_lat * sizeof *p);
        if (!p) return;
        c->lat = p;
    }
    c->lat[c->n_lat++] = dt;
}

static void *client_main(void *arg) {
    client *c = arg;
    char *buf = NULL, head[256];
    size_t cap = 0, k = (size_t)c->id;
    int fd = -1;
    while (now() < c->until) {
        if (fd < 0 && (fd = connect_to(c->port)) < 0) {
            c->errors++;
            usleep(100000);
            continue;
        }
        const char *body = c->bodies[k++ % c->n_bodies];
        size_t n = strlen(body);
        int hn = snprintf(head, sizeof head,
                          "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          "application/json\r\nContent-Length: %zu\r\n\r\n",
                          c->path, n);
        double t0 = now();
        int status = send_all(fd, head, (size_t)hn) || send_all(fd, body, n)
                         ? -1 : read_reply(fd, &buf, &cap);
        if (status < 0) {
            c->errors++;
            close(fd);
            fd = -1;
            continue;
        }
        record(c, status, now() - t0);
        if (status == 429) usleep(10000); /* the server asks to retry later */
    }
    if (fd >= 0) close(fd);
    free(buf);
    return NULL;
}

/* The lines of path (each a body); NULL when it cannot be read. */
static char **read_bodies(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    char **out = NULL, *line = NULL;
    size_t cap = 0;
    ssize_t len;
    *n = 0;
    if (!f) return NULL;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (!len) continue;
        char **p = realloc(out, (*n + 1) * sizeof *p);
        if (!p) break;
        out = p;
        out[(*n)++] = strdup(line);
    }
    free(line);
    fclose(f);
    return *n ? out : NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Joins the clients' counts and prints the JSON summary. */
static void report(client *cs, int n, double seconds) {
    size_t total = 0, errors = 0, n_lat = 0;
    for (int i = 0; i < n; i++) n_lat += cs[i].n_lat, errors += cs[i].errors;
    double *lat = malloc((n_lat ? n_lat : 1) * sizeof *lat), sum = 0;
    for (int i = 0, at = 0; i < n && lat; at += (int)cs[i++].n_lat)
        memcpy(lat + at, cs[i].lat, cs[i].n_lat * sizeof *lat);
    printf("{\"seconds\": %.3f, \"statuses\": {", seconds);
    for (int s = 0, k = 0; s < 600; s++) {
        size_t c = 0;
        for (int i = 0; i < n; i++) c += cs[i].statuses[s];
        if (c) printf("%s\"%d\": %zu", k++ ? ", " : "", s, c);
        total += c;
    }
    if (lat) qsort(lat, n_lat, sizeof *lat, cmp_double);
    for (size_t i = 0; lat && i < n_lat; i++) sum += lat[i];
    double p50 = lat && n_lat ? lat[n_lat / 2] : 0, p99 = lat && n_lat ? lat[n_lat * 99 / 100] : 0;
    printf("}, \"requests\": %zu, \"errors\": %zu, \"p50_ms\": %.2f, \"p99_ms\": %.2f, "
           "\"mean_ms\": %.2f, \"max_ms\": %.2f}\n",
           total, errors, p50 * 1e3, p99 * 1e3, n_lat ? sum / (double)n_lat * 1e3 : 0,
           lat && n_lat ? lat[n_lat - 1] * 1e3 : 0);
    free(lat);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: bench_http_load PORT PATH BODIES CLIENTS SECONDS\n");
        return 2;
    }
    size_t n_bodies;
    char **bodies = read_bodies(argv[3], &n_bodies);
    int n = atoi(argv[4]);
    if (!bodies || n < 1 || n > 1024) {
        fprintf(stderr, "bench_http_load: no bodies in %s, or a bad client count\n", argv[3]);
        return 2;
    }
    client *cs = calloc((size_t)n, sizeof *cs);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    double t0 = now();
    for (int i = 0; cs && th && i < n; i++) {
        cs[i] = (client){.id = i, .port = atoi(argv[1]), .path = argv[2], .bodies = bodies,
                         .n_bodies = n_bodies, .until = t0 + atof(argv[5])};
        pthread_create(&th[i], NULL, client_main, &cs[i]);
    }
    for (int i = 0; cs && th && i < n; i++) pthread_join(th[i], NULL);
    report(cs, n, now() - t0);
    for (int i = 0; cs && i < n; i++) free(cs[i].lat);
    for (size_t i = 0; i < n_bodies; i++) free(bodies[i]);
    free(bodies);
    free(cs);
    free(th);
    return 0;
}
