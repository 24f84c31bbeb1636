/* A hash map from document ids (byte strings, not copied) to numbers. */
#ifndef LE_INDEX_IDMAP_H
#define LE_INDEX_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct le_idmap {
    const char **keys;
    uint32_t *lens;
    uint32_t *vals;
    size_t cap, n; /* cap: a power of two, or 0 */
} le_idmap;

/* Sets key → val (replacing an old value); the key's bytes must outlive the
 * map. Returns -1 when out of memory. */
int le_idmap_put(le_idmap *m, const char *key, size_t len, uint32_t val);
/* The value of key, or -1. */
long le_idmap_get(const le_idmap *m, const char *key, size_t len);
/* Removes key; returns 1 when it was there. */
int le_idmap_del(le_idmap *m, const char *key, size_t len);
void le_idmap_free(le_idmap *m);

#endif
