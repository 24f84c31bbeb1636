#include "base/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct le_arena_block {
    le_arena_block *next;
    size_t size;
    size_t used;
    _Alignas(64) unsigned char data[];
};

#define ARENA_ALIGN 64

void le_arena_init(le_arena *a, size_t block_size) {
    a->head = NULL;
    a->block_size = block_size ? block_size : (1u << 20);
    a->total = 0;
}

static size_t align_up(size_t n) { return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1); }

void *le_arena_alloc(le_arena *a, size_t size) {
    size = align_up(size ? size : 1);
    le_arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t bs = size > a->block_size ? size : a->block_size;
        if (bs > SIZE_MAX - sizeof(le_arena_block)) return NULL;
        b = aligned_alloc(ARENA_ALIGN, align_up(sizeof(le_arena_block) + bs));
        if (!b) return NULL;
        b->size = bs;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->total += bs;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *le_arena_calloc(le_arena *a, size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = le_arena_alloc(a, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

char *le_arena_strndup(le_arena *a, const char *s, size_t n) {
    char *p = le_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *le_arena_strdup(le_arena *a, const char *s) { return le_arena_strndup(a, s, strlen(s)); }

void le_arena_reset(le_arena *a) {
    /* keep the largest block, free the rest */
    le_arena_block *keep = NULL;
    for (le_arena_block *b = a->head; b;) {
        le_arena_block *next = b->next;
        if (!keep || b->size > keep->size) {
            if (keep) free(keep);
            keep = b;
        } else {
            free(b);
        }
        b = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
        a->total = keep->size;
    } else {
        a->total = 0;
    }
    a->head = keep;
}

void le_arena_free(le_arena *a) {
    for (le_arena_block *b = a->head; b;) {
        le_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *le_alloc_aligned(size_t size) {
    if (size > SIZE_MAX - 63) return NULL;
    return aligned_alloc(64, (size + 63) & ~(size_t)63);
}

void le_free_aligned(void *p) { free(p); }
