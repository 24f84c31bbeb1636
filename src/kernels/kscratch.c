#include "kernels/kscratch.h"

#include "base/arena.h"

#include <pthread.h>

static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static _Thread_local void *t_mem;
static _Thread_local size_t t_cap;

static void scratch_free(void *p) { le_free_aligned(p); }
static void scratch_init(void) { pthread_key_create(&g_key, scratch_free); }

void *le_kscratch(size_t bytes) {
    if (bytes <= t_cap && t_mem) return t_mem;
    pthread_once(&g_once, scratch_init);
    size_t cap = t_cap ? t_cap : 64 * 1024;
    while (cap < bytes) cap *= 2;
    void *mem = le_alloc_aligned(cap);
    if (!mem) return NULL;
    le_free_aligned(t_mem);
    t_mem = mem;
    t_cap = cap;
    pthread_setspecific(g_key, mem); /* the key's destructor frees it at thread exit */
    return mem;
}
