/* Arena: a bump allocator for scratch whose lifetime is one call or one
 * model. Allocations are 64-byte aligned; le_arena_reset frees them all at
 * once and keeps the memory for reuse. */
#ifndef LE_BASE_ARENA_H
#define LE_BASE_ARENA_H

#include <stddef.h>

typedef struct le_arena_block le_arena_block;

typedef struct le_arena {
    le_arena_block *head;
    size_t block_size;
    size_t total; /* bytes reserved in all blocks */
} le_arena;

void le_arena_init(le_arena *a, size_t block_size);
/* Returns NULL when out of memory. */
void *le_arena_alloc(le_arena *a, size_t size);
void *le_arena_calloc(le_arena *a, size_t n, size_t size);
char *le_arena_strdup(le_arena *a, const char *s);
char *le_arena_strndup(le_arena *a, const char *s, size_t n);
void le_arena_reset(le_arena *a);
void le_arena_free(le_arena *a);

/* 64-byte aligned heap allocation for large buffers; free with le_free_aligned. */
void *le_alloc_aligned(size_t size);
void le_free_aligned(void *p);

#endif
