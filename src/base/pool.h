/* Thread pools for parallel loops. The caller's thread takes part. Tasks
 * are handed out dynamically, so each task must compute its own output on
 * its own: results then do not depend on the thread count.
 *
 * Library objects (model, index, writer) take a handle on ONE process-wide
 * pool (le_pool_acquire) instead of starting threads of their own, so that
 * a process holding several never runs more threads than the largest of
 * their thread counts. The shared workers start with the first handle, grow
 * when a handle asks for more, and end with the last. A handle's loops use
 * as many threads as it asked for; loops started from different threads
 * take turns on the workers. le_pool_create makes a private pool (tests and
 * benchmarks that compare thread counts side by side). */
#ifndef LE_BASE_POOL_H
#define LE_BASE_POOL_H

#include <stddef.h>

typedef struct le_pool le_pool;

/* task(ctx, index, thread): index in [0, n), thread in [0, le_pool_threads). */
typedef void (*le_pool_task)(void *ctx, size_t index, int thread);

/* A handle on the shared pool running loops on `threads` threads (<= 0: the
 * number of online CPUs). NULL when out of memory or threads cannot start. */
le_pool *le_pool_acquire(int threads);
void le_pool_release(le_pool *p);

/* A private pool of its own threads (threads <= 0: online CPUs); NULL when
 * out of memory. */
le_pool *le_pool_create(int threads);
void le_pool_destroy(le_pool *p);

int le_pool_threads(const le_pool *p);
/* Runs task for every index in [0, n) and returns when all are done. A
 * NULL pool runs everything on the calling thread, and so does a call made
 * from inside a task of the same pool (nested loops run serially). Calls
 * from different threads on one pool's workers run one after the other. */
void le_pool_run(le_pool *p, size_t n, le_pool_task task, void *ctx);

/* Workers the shared pool runs now (0 when no handle is open), for tests. */
int le_pool_shared_workers(void);

int le_online_cpus(void);

#endif
