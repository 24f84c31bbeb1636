#include "base/pool.h"
#include "base/clock.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* How long a worker waiting for the next job, and a caller waiting for the
 * workers, spin before they sleep on a condition variable. A decoder step
 * runs hundreds of short loops; waking a sleeping thread costs ~10 us each
 * time, spinning ~0.1 us. After the first few hundred turns the spin yields
 * the core on each turn, so that on a machine with more runnable threads
 * than cores the thread being waited for gets to run. LONGEMBED_POOL_SPIN_US
 * overrides the time (0: never spin). */
#define POOL_SPIN_US_DEFAULT 50
#define POOL_SPIN_PAUSES 256

/* A spin that may last a set time; start it zeroed. */
typedef struct spin {
    unsigned turns;
    double end; /* le_now_seconds() past which it gives up */
} spin;

/* One turn of s, lasting at most `seconds` in all: 0 once the time is up
 * (read every 64 turns), else 1 after a pause (the first turns) or a yield. */
static int spin_turn(spin *s, double seconds) {
    if ((s->turns & 63) == 0) {
        double t = le_now_seconds();
        if (s->turns == 0) s->end = t + seconds;
        if (t >= s->end) return 0;
    }
    if (s->turns++ < POOL_SPIN_PAUSES)
        cpu_relax();
    else
        sched_yield();
    return 1;
}

/* A job word: the job's number in the high bits and its thread count in the
 * low 16, published in one store so a worker never pairs one job's number
 * with another's thread count. */
#define JOB_THREADS_BITS 16
#define JOB_THREADS_MASK ((1ull << JOB_THREADS_BITS) - 1)

/* The workers and the one job they run at a time. */
typedef struct pool_core {
    int n_workers; /* started threads; the caller of a job is thread 0 */
    pthread_t *workers;
    pthread_mutex_t run_mu; /* held for a whole job: jobs from several threads take turns */
    pthread_mutex_t mu;     /* for the sleeping waits below */
    pthread_cond_t start_cv, done_cv;
    int sleepers;             /* workers asleep on start_cv (guarded by mu) */
    double spin_seconds;      /* how long to spin before sleeping */
    atomic_ullong job;        /* number << 16 | threads of the current job */
    atomic_int stopping;
    atomic_int busy;          /* workers still inside the current job */
    /* the current job (written before `job` is published) */
    le_pool_task task;
    void *ctx;
    size_t n;
    atomic_size_t next;
} pool_core;

struct le_pool {
    pool_core *core;
    int nthreads; /* this handle's loops: threads 0 .. nthreads-1 */
    int shared;
};

/* The pool whose task this thread is running, so that a loop started from
 * inside a task runs serially instead of waiting for itself. */
static _Thread_local const pool_core *tl_running;

typedef struct {
    pool_core *c;
    int index;
    unsigned long long job; /* the last job before this worker started */
} worker_arg;

static void run_tasks(pool_core *c, int thread) {
    const pool_core *outer = tl_running;
    tl_running = c;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&c->next, 1, memory_order_relaxed);
        if (i >= c->n) break;
        c->task(c->ctx, i, thread);
    }
    tl_running = outer;
}

/* 1 once a job other than `seen` is published or the pool stops, 0 when
 * the spin time ran out first. */
static int spin_for_job(pool_core *c, unsigned long long seen) {
    spin s = {0, 0};
    for (;;) {
        if (atomic_load_explicit(&c->job, memory_order_acquire) != seen ||
            atomic_load_explicit(&c->stopping, memory_order_acquire))
            return 1;
        if (!spin_turn(&s, c->spin_seconds)) return 0;
    }
}

/* Returns once a job other than `seen` is published or the pool stops. */
static void wait_for_job(pool_core *c, unsigned long long seen) {
    if (spin_for_job(c, seen)) return;
    pthread_mutex_lock(&c->mu);
    c->sleepers++;
    while (!atomic_load(&c->stopping) && atomic_load(&c->job) == seen)
        pthread_cond_wait(&c->start_cv, &c->mu);
    c->sleepers--;
    pthread_mutex_unlock(&c->mu);
}

/* Returns once every worker of the current job is done. */
static void wait_for_workers(pool_core *c) {
    spin s = {0, 0};
    while (atomic_load_explicit(&c->busy, memory_order_acquire) > 0 &&
           spin_turn(&s, c->spin_seconds))
        ;
    pthread_mutex_lock(&c->mu);
    while (atomic_load_explicit(&c->busy, memory_order_acquire) > 0)
        pthread_cond_wait(&c->done_cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
}

static void *worker_main(void *arg) {
    worker_arg wa = *(worker_arg *)arg;
    free(arg);
    pool_core *c = wa.c;
    unsigned long long seen = wa.job;
    for (;;) {
        wait_for_job(c, seen);
        if (atomic_load_explicit(&c->stopping, memory_order_acquire)) break;
        seen = atomic_load_explicit(&c->job, memory_order_acquire);
        if ((unsigned long long)wa.index >= (seen & JOB_THREADS_MASK))
            continue; /* a job of a handle with fewer threads */
        run_tasks(c, wa.index);
        if (atomic_fetch_sub_explicit(&c->busy, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&c->mu); /* the caller may be asleep on done_cv */
            pthread_cond_signal(&c->done_cv);
            pthread_mutex_unlock(&c->mu);
        }
    }
    return NULL;
}

int le_online_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static pool_core *core_create(void) {
    pool_core *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_mutex_init(&c->run_mu, NULL);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->start_cv, NULL);
    pthread_cond_init(&c->done_cv, NULL);
    atomic_init(&c->next, 0);
    atomic_init(&c->job, 0);
    atomic_init(&c->stopping, 0);
    atomic_init(&c->busy, 0);
    const char *env = getenv("LONGEMBED_POOL_SPIN_US");
    long us = env && *env ? atol(env) : POOL_SPIN_US_DEFAULT;
    c->spin_seconds = us > 0 ? (double)us * 1e-6 : 0;
    return c;
}

/* Starts workers until the core runs `threads` threads (the caller one of
 * them). No job may be running. -1 when a thread cannot start (those that
 * did keep running). */
static int core_grow(pool_core *c, int threads) {
    if (threads - 1 <= c->n_workers) return 0;
    pthread_t *w = realloc(c->workers, sizeof(pthread_t) * (size_t)(threads - 1));
    if (!w) return -1;
    c->workers = w;
    while (c->n_workers < threads - 1) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa) return -1;
        wa->c = c;
        wa->index = c->n_workers + 1;
        wa->job = atomic_load(&c->job);
        if (pthread_create(&c->workers[c->n_workers], NULL, worker_main, wa)) {
            free(wa);
            return -1;
        }
        c->n_workers++;
    }
    return 0;
}

static void core_destroy(pool_core *c) {
    if (!c) return;
    pthread_mutex_lock(&c->mu);
    atomic_store(&c->stopping, 1);
    pthread_cond_broadcast(&c->start_cv);
    pthread_mutex_unlock(&c->mu);
    for (int i = 0; i < c->n_workers; i++) pthread_join(c->workers[i], NULL);
    free(c->workers);
    pthread_mutex_destroy(&c->run_mu);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->start_cv);
    pthread_cond_destroy(&c->done_cv);
    free(c);
}

/* The job word holds a thread count in 16 bits. */
static int clamp_threads(int threads) {
    if (threads <= 0) threads = le_online_cpus();
    return threads > 4096 ? 4096 : threads;
}

le_pool *le_pool_create(int threads) {
    threads = clamp_threads(threads);
    le_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->nthreads = threads;
    if (!(p->core = core_create()) || core_grow(p->core, threads)) {
        core_destroy(p->core);
        free(p);
        return NULL;
    }
    return p;
}

void le_pool_destroy(le_pool *p) {
    if (!p) return;
    if (p->shared) {
        le_pool_release(p);
        return;
    }
    core_destroy(p->core);
    free(p);
}

/* The shared core and the handles on it. */
static pthread_mutex_t g_shared_mu = PTHREAD_MUTEX_INITIALIZER;
static pool_core *g_shared;
static int g_handles;

le_pool *le_pool_acquire(int threads) {
    threads = clamp_threads(threads);
    le_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_lock(&g_shared_mu);
    if (!g_shared) g_shared = core_create();
    int ok = g_shared != NULL;
    if (ok && threads - 1 > g_shared->n_workers) {
        if (tl_running == g_shared) {
            /* inside one of its tasks the core cannot grow (its job holds
             * run_mu): this handle makes do with the threads there are */
            threads = g_shared->n_workers + 1;
        } else {
            pthread_mutex_lock(&g_shared->run_mu); /* wait for a running job */
            ok = core_grow(g_shared, threads) == 0;
            pthread_mutex_unlock(&g_shared->run_mu);
        }
    }
    if (ok) {
        p->core = g_shared;
        p->nthreads = threads;
        p->shared = 1;
        g_handles++;
    } else if (g_handles == 0) {
        core_destroy(g_shared);
        g_shared = NULL;
    }
    pthread_mutex_unlock(&g_shared_mu);
    if (!ok) {
        free(p);
        return NULL;
    }
    return p;
}

void le_pool_release(le_pool *p) {
    if (!p) return;
    if (!p->shared) {
        le_pool_destroy(p);
        return;
    }
    pthread_mutex_lock(&g_shared_mu);
    if (--g_handles == 0) {
        core_destroy(g_shared);
        g_shared = NULL;
    }
    pthread_mutex_unlock(&g_shared_mu);
    free(p);
}

int le_pool_shared_workers(void) {
    pthread_mutex_lock(&g_shared_mu);
    int n = g_shared ? g_shared->n_workers : 0;
    pthread_mutex_unlock(&g_shared_mu);
    return n;
}

int le_pool_threads(const le_pool *p) { return p ? p->nthreads : 1; }

void le_pool_run(le_pool *p, size_t n, le_pool_task task, void *ctx) {
    if (n == 0) return;
    if (!p || p->nthreads == 1 || n == 1 || tl_running == p->core) {
        for (size_t i = 0; i < n; i++) task(ctx, i, 0);
        return;
    }
    pool_core *c = p->core;
    pthread_mutex_lock(&c->run_mu);
    c->task = task;
    c->ctx = ctx;
    c->n = n;
    atomic_store_explicit(&c->next, 0, memory_order_relaxed);
    atomic_store_explicit(&c->busy, p->nthreads - 1, memory_order_relaxed);
    unsigned long long number = (atomic_load(&c->job) >> JOB_THREADS_BITS) + 1;
    atomic_store_explicit(&c->job, number << JOB_THREADS_BITS | (unsigned)p->nthreads,
                          memory_order_release);
    pthread_mutex_lock(&c->mu);
    if (c->sleepers) pthread_cond_broadcast(&c->start_cv);
    pthread_mutex_unlock(&c->mu);
    run_tasks(c, 0);
    wait_for_workers(c);
    pthread_mutex_unlock(&c->run_mu);
}
