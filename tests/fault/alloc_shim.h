/* The allocation shim of the fault tests. A test program in tests/fault/ is
 * linked with -Wl,--wrap=malloc,... (tests/CMakeLists.txt), so every
 * allocation of its own code and of the static library lands here: each
 * one first asks the library's fault hook at the point "alloc"
 * (base/fault.h), which may make it fail, and the live ones are tracked so
 * a test can check that a failed call left nothing behind. Only these
 * programs pay for it; the library is built as always. Allocations made
 * inside shared libraries (libc internals, utf8proc) are not seen; cJSON's
 * are once alloc_shim_install() gave it these functions as its hooks.
 * Include this header in one file of the program. */
#ifndef LE_TESTS_ALLOC_SHIM_H
#define LE_TESTS_ALLOC_SHIM_H

#include "base/fault.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);

/* The live allocations: an open-addressing set of pointers. */
#define SHIM_SLOTS (1u << 20)
#define SHIM_TOMB ((void *)1)
static void *shim_slot[SHIM_SLOTS];
static long shim_live;
static pthread_mutex_t shim_mu = PTHREAD_MUTEX_INITIALIZER;

static size_t shim_hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (SHIM_SLOTS - 1);
}

static void shim_track(void *p) {
    if (!p) return;
    pthread_mutex_lock(&shim_mu);
    size_t i = shim_hash(p);
    while (shim_slot[i] && shim_slot[i] != SHIM_TOMB) i = (i + 1) & (SHIM_SLOTS - 1);
    shim_slot[i] = p;
    shim_live++;
    pthread_mutex_unlock(&shim_mu);
}

/* forgets p; ignored when p was allocated where the shim does not see */
static void shim_untrack(void *p) {
    if (!p) return;
    pthread_mutex_lock(&shim_mu);
    for (size_t i = shim_hash(p), k = 0; shim_slot[i] && k < SHIM_SLOTS;
         i = (i + 1) & (SHIM_SLOTS - 1), k++)
        if (shim_slot[i] == p) {
            shim_slot[i] = SHIM_TOMB;
            shim_live--;
            break;
        }
    pthread_mutex_unlock(&shim_mu);
}

/* The number of live allocations the shim has seen. */
static inline long alloc_shim_live(void) {
    pthread_mutex_lock(&shim_mu);
    long n = shim_live;
    pthread_mutex_unlock(&shim_mu);
    return n;
}

void *__wrap_malloc(size_t n) {
    if (le_fault("alloc")) return NULL;
    void *p = __real_malloc(n);
    shim_track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size) {
    if (le_fault("alloc")) return NULL;
    void *p = __real_calloc(n, size);
    shim_track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n) {
    if (le_fault("alloc")) return NULL; /* p stays valid, as a real failure leaves it */
    void *q = __real_realloc(p, n);
    if (q || n == 0) shim_untrack(p);
    shim_track(q);
    return q;
}

void __wrap_free(void *p) {
    shim_untrack(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s) {
    if (le_fault("alloc")) return NULL;
    char *p = __real_strdup(s);
    shim_track(p);
    return p;
}

char *__wrap_strndup(const char *s, size_t n) {
    if (le_fault("alloc")) return NULL;
    char *p = __real_strndup(s, n);
    shim_track(p);
    return p;
}

void *__wrap_aligned_alloc(size_t align, size_t n) {
    if (le_fault("alloc")) return NULL;
    void *p = __real_aligned_alloc(align, n);
    shim_track(p);
    return p;
}

/* cJSON allocates inside its shared library: give it the shim as hooks. */
static inline void alloc_shim_install(void) {
    cJSON_Hooks h = {__wrap_malloc, __wrap_free};
    cJSON_InitHooks(&h);
}

#endif
