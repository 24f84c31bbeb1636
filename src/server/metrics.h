/* Counters of the server for GET /metrics (Prometheus text format 0.0.4):
 * requests by route and status, their latency, tokens embedded, forward
 * batches (texts and tokens per batch), the queue depth, the decoder's
 * generations and tokens. One mutex; every
 * update is a few additions. */
#ifndef LE_SERVER_METRICS_H
#define LE_SERVER_METRICS_H

#include "server/buf.h"

#include <stddef.h>

typedef struct le_srv_metrics le_srv_metrics;

/* names: the n_routes route paths (borrowed; "other" is added for the rest). */
le_srv_metrics *le_srv_metrics_new(size_t n_routes, const char *const *names);
void le_srv_metrics_free(le_srv_metrics *m);
/* One finished request: route index (-1: no route), HTTP status, seconds. */
void le_srv_metrics_request(le_srv_metrics *m, int route, int status, double seconds);
/* One forward batch of texts holding tokens. */
void le_srv_metrics_batch(le_srv_metrics *m, size_t texts, size_t tokens);
void le_srv_metrics_queue(le_srv_metrics *m, size_t depth);
/* One generation of the decoder: its prompt tokens (cached: of them, reused
 * from the decoder's cache) and the tokens it generated. */
void le_srv_metrics_generation(le_srv_metrics *m, size_t prompt, size_t cached, size_t generated);
/* The text of /metrics; in_flight: requests being served. */
void le_srv_metrics_render(le_srv_metrics *m, size_t in_flight, le_sbuf *out);

#endif
