/* Server counters (metrics.h). */
#include "server/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_STATUS 600 /* statuses 0..599 counted by value */
static const double LATENCY_BOUNDS[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,   1,    2.5,   5,    10,  30};
#define N_LAT (sizeof LATENCY_BOUNDS / sizeof *LATENCY_BOUNDS)
static const double TEXT_BOUNDS[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
#define N_TEXT (sizeof TEXT_BOUNDS / sizeof *TEXT_BOUNDS)
static const double TOKEN_BOUNDS[] = {64, 256, 1024, 4096, 8192, 16384, 32768, 131072};
#define N_TOK (sizeof TOKEN_BOUNDS / sizeof *TOKEN_BOUNDS)

typedef struct route_stats {
    unsigned long long status[N_STATUS];
    unsigned long long lat[N_LAT + 1];
    double lat_sum;
    unsigned long long lat_n;
} route_stats;

struct le_srv_metrics {
    pthread_mutex_t mu;
    size_t n_routes; /* + 1: "other" */
    const char *const *names;
    route_stats *routes;
    unsigned long long tokens, texts, batches;
    unsigned long long batch_texts[N_TEXT + 1], batch_tokens[N_TOK + 1];
    double batch_texts_sum, batch_tokens_sum;
    size_t depth;
    unsigned long long generations, prompt_tokens, cached_tokens, generated_tokens;
};

le_srv_metrics *le_srv_metrics_new(size_t n_routes, const char *const *names) {
    le_srv_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->routes = calloc(n_routes + 1, sizeof *m->routes);
    if (!m->routes) {
        free(m);
        return NULL;
    }
    m->n_routes = n_routes;
    m->names = names;
    pthread_mutex_init(&m->mu, NULL);
    return m;
}

void le_srv_metrics_free(le_srv_metrics *m) {
    if (!m) return;
    pthread_mutex_destroy(&m->mu);
    free(m->routes);
    free(m);
}

/* The bucket of v among n upper bounds (n: past the last). */
static size_t bucket(const double *bounds, size_t n, double v) {
    size_t i = 0;
    while (i < n && v > bounds[i]) i++;
    return i;
}

void le_srv_metrics_request(le_srv_metrics *m, int route, int status, double seconds) {
    if (!m) return;
    size_t r = route < 0 || (size_t)route >= m->n_routes ? m->n_routes : (size_t)route;
    pthread_mutex_lock(&m->mu);
    route_stats *s = &m->routes[r];
    if (status >= 0 && status < N_STATUS) s->status[status]++;
    s->lat[bucket(LATENCY_BOUNDS, N_LAT, seconds)]++;
    s->lat_sum += seconds;
    s->lat_n++;
    pthread_mutex_unlock(&m->mu);
}

void le_srv_metrics_batch(le_srv_metrics *m, size_t texts, size_t tokens) {
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->tokens += tokens;
    m->texts += texts;
    m->batches++;
    m->batch_texts[bucket(TEXT_BOUNDS, N_TEXT, (double)texts)]++;
    m->batch_tokens[bucket(TOKEN_BOUNDS, N_TOK, (double)tokens)]++;
    m->batch_texts_sum += (double)texts;
    m->batch_tokens_sum += (double)tokens;
    pthread_mutex_unlock(&m->mu);
}

void le_srv_metrics_queue(le_srv_metrics *m, size_t depth) {
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->depth = depth;
    pthread_mutex_unlock(&m->mu);
}
void le_srv_metrics_generation(le_srv_metrics *m, size_t prompt, size_t cached, size_t generated) {
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->generations++;
    m->prompt_tokens += prompt;
    m->cached_tokens += cached;
    m->generated_tokens += generated;
    pthread_mutex_unlock(&m->mu);
}

/* One histogram in Prometheus text: cumulative buckets, sum and count;
 * label: "" or `route="…",` (a trailing comma). */
static void render_histo(le_sbuf *o, const char *name, const char *label,
                         const double *bounds, size_t n, const unsigned long long *counts,
                         double sum) {
    unsigned long long cum = 0;
    for (size_t i = 0; i <= n; i++) {
        cum += counts[i];
        if (i < n) le_sbuf_printf(o, "%s_bucket{%sle=\"%g\"} %llu\n", name, label, bounds[i], cum);
        else le_sbuf_printf(o, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, label, cum);
    }
    size_t ll = strlen(label);
    le_sbuf_printf(o, "%s_sum%s%.*s%s %.6f\n", name, ll ? "{" : "", ll ? (int)ll - 1 : 0,
                      label, ll ? "}" : "", sum);
    le_sbuf_printf(o, "%s_count%s%.*s%s %llu\n", name, ll ? "{" : "", ll ? (int)ll - 1 : 0,
                      label, ll ? "}" : "", cum);
}

/* Requests by route and status, and the latency histogram of each route. */
static void render_requests(le_srv_metrics *m, le_sbuf *o) {
    le_sbuf_puts(o, "# HELP longembed_requests_total HTTP requests by route and status.\n"
                       "# TYPE longembed_requests_total counter\n");
    for (size_t r = 0; r <= m->n_routes; r++)
        for (int s = 0; s < N_STATUS; s++)
            if (m->routes[r].status[s])
                le_sbuf_printf(o, "longembed_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                                  r < m->n_routes ? m->names[r] : "other", s,
                                  m->routes[r].status[s]);
    le_sbuf_puts(o, "# HELP longembed_request_duration_seconds Time from the first byte of a "
                       "request to its reply.\n"
                       "# TYPE longembed_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        if (!m->routes[r].lat_n) continue;
        char label[160];
        snprintf(label, sizeof label, "route=\"%s\",", r < m->n_routes ? m->names[r] : "other");
        render_histo(o, "longembed_request_duration_seconds", label, LATENCY_BOUNDS, N_LAT,
                     m->routes[r].lat, m->routes[r].lat_sum);
    }
}

void le_srv_metrics_render(le_srv_metrics *m, size_t in_flight, le_sbuf *o) {
    pthread_mutex_lock(&m->mu);
    render_requests(m, o);
    le_sbuf_printf(o,
                      "# HELP longembed_tokens_embedded_total Tokens embedded (special tokens "
                      "included).\n# TYPE longembed_tokens_embedded_total counter\n"
                      "longembed_tokens_embedded_total %llu\n"
                      "# TYPE longembed_texts_embedded_total counter\n"
                      "longembed_texts_embedded_total %llu\n"
                      "# HELP longembed_queue_depth Embedding jobs waiting for the worker.\n"
                      "# TYPE longembed_queue_depth gauge\nlongembed_queue_depth %zu\n"
                      "# TYPE longembed_requests_in_flight gauge\n"
                      "longembed_requests_in_flight %zu\n",
                      m->tokens, m->texts, m->depth, in_flight);
    le_sbuf_puts(o, "# HELP longembed_batch_texts Texts per forward batch.\n"
                       "# TYPE longembed_batch_texts histogram\n");
    render_histo(o, "longembed_batch_texts", "", TEXT_BOUNDS, N_TEXT, m->batch_texts,
                 m->batch_texts_sum);
    le_sbuf_puts(o, "# HELP longembed_batch_tokens Tokens per forward batch.\n"
                       "# TYPE longembed_batch_tokens histogram\n");
    render_histo(o, "longembed_batch_tokens", "", TOKEN_BOUNDS, N_TOK, m->batch_tokens,
                 m->batch_tokens_sum);
    le_sbuf_printf(o, "# HELP longembed_llm_generations_total Completions and chat completions "
                      "the decoder finished.\n# TYPE longembed_llm_generations_total counter\n"
                      "longembed_llm_generations_total %llu\n"
                      "# TYPE longembed_llm_prompt_tokens_total counter\n"
                      "longembed_llm_prompt_tokens_total %llu\n"
                      "# HELP longembed_llm_cached_tokens_total Prompt tokens reused from the "
                      "decoder's cache.\n# TYPE longembed_llm_cached_tokens_total counter\n"
                      "longembed_llm_cached_tokens_total %llu\n"
                      "# TYPE longembed_llm_generated_tokens_total counter\n"
                      "longembed_llm_generated_tokens_total %llu\n",
                   m->generations, m->prompt_tokens, m->cached_tokens, m->generated_tokens);
    pthread_mutex_unlock(&m->mu);
}
