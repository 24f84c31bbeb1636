/* A persistent thread pool for parallel loops. The caller's thread takes
 * part. Tasks are handed out dynamically, so each task must compute its own
 * output on its own: results then do not depend on the thread count. */
#ifndef LE_BASE_POOL_H
#define LE_BASE_POOL_H

#include <stddef.h>

typedef struct le_pool le_pool;

/* task(ctx, index, thread): index in [0, n), thread in [0, le_pool_threads). */
typedef void (*le_pool_task)(void *ctx, size_t index, int thread);

/* threads <= 0: the number of online CPUs. Returns NULL when out of memory. */
le_pool *le_pool_create(int threads);
void le_pool_destroy(le_pool *p);
int le_pool_threads(const le_pool *p);
/* Runs task for every index in [0, n) and returns when all are done.
 * A NULL pool runs everything on the calling thread. Not reentrant. */
void le_pool_run(le_pool *p, size_t n, le_pool_task task, void *ctx);

int le_online_cpus(void);

#endif
