#include "index/idmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

#define TOMB ((const char *)&g_tomb)
static const char g_tomb = 0;

static size_t slot_of(const le_idmap *m, const char *key, size_t len) {
    return (size_t)le_hash64(key, len, 0x69646d6170ULL) & (m->cap - 1);
}

static int grow(le_idmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    le_idmap n = {0};
    n.cap = cap;
    n.keys = calloc(cap, sizeof *n.keys);
    n.lens = malloc(cap * sizeof *n.lens);
    n.vals = malloc(cap * sizeof *n.vals);
    if (!n.keys || !n.lens || !n.vals) {
        le_idmap_free(&n);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i] || m->keys[i] == TOMB) continue;
        size_t h = slot_of(&n, m->keys[i], m->lens[i]);
        while (n.keys[h]) h = (h + 1) & (cap - 1);
        n.keys[h] = m->keys[i];
        n.lens[h] = m->lens[i];
        n.vals[h] = m->vals[i];
        n.n++;
    }
    le_idmap_free(m);
    *m = n;
    return 0;
}

static long find(const le_idmap *m, const char *key, size_t len) {
    if (!m->cap) return -1;
    for (size_t h = slot_of(m, key, len);; h = (h + 1) & (m->cap - 1)) {
        const char *k = m->keys[h];
        if (!k) return -1;
        if (k != TOMB && m->lens[h] == len && !memcmp(k, key, len)) return (long)h;
    }
}

int le_idmap_put(le_idmap *m, const char *key, size_t len, uint32_t val) {
    long at = find(m, key, len);
    if (at >= 0) {
        m->vals[at] = val;
        return 0;
    }
    /* tombstones count as used, so a probe always ends at an empty slot */
    if ((m->n + 1) * 2 > m->cap && grow(m)) return -1;
    size_t h = slot_of(m, key, len);
    while (m->keys[h] && m->keys[h] != TOMB) h = (h + 1) & (m->cap - 1);
    if (!m->keys[h]) m->n++;
    m->keys[h] = key;
    m->lens[h] = (uint32_t)len;
    m->vals[h] = val;
    return 0;
}

long le_idmap_get(const le_idmap *m, const char *key, size_t len) {
    long at = find(m, key, len);
    return at < 0 ? -1 : (long)m->vals[at];
}

int le_idmap_del(le_idmap *m, const char *key, size_t len) {
    long at = find(m, key, len);
    if (at < 0) return 0;
    m->keys[at] = TOMB;
    return 1;
}

void le_idmap_free(le_idmap *m) {
    free(m->keys);
    free(m->lens);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
