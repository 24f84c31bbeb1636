#include "base/map.h"

#include "base/array.h"
#include "base/hash.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *key, size_t len) { return le_hash64(key, len, 0); }

const le_map_type le_map_copied = {hash_bytes, LE_MAP_COPY_KEYS};
const le_map_type le_map_borrowed = {hash_bytes, LE_MAP_BORROW_KEYS};

#define MIN_SLOTS 64

void le_map_init(le_map *m, const le_map_type *type) {
    memset(m, 0, sizeof *m);
    m->type = type;
}

void le_map_free(le_map *m) {
    if (!m) return;
    free(m->slots);
    free(m->chars);
    free(m->ptrs);
    le_map_init(m, m->type);
}

/* Keys are mostly short (tokens, terms, ids): an inline loop beats a call
 * to memcmp. */
static inline int bytes_equal(const char *a, const char *b, size_t n) {
    while (n >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
        a += 8;
        b += 8;
        n -= 8;
    }
    while (n--)
        if (*a++ != *b++) return 0;
    return 1;
}

static inline const char *slot_key(const le_map *m, const le_map_slot *sl) {
    return m->type->keys == LE_MAP_COPY_KEYS ? m->chars + sl->key : m->ptrs[sl->key];
}

static inline uint32_t tag_of(uint64_t h) { return (uint32_t)le_mix64(h); }

/* The slot holding a‖b (tag given), or NULL. Inlined into every caller:
 * it is the tokenizer's inner loop. */
static inline __attribute__((always_inline)) le_map_slot *
find_slot(const le_map *m, uint32_t tag, const char *a, size_t alen, const char *b, size_t blen) {
    size_t len = alen + blen;
    if (!m->slots || len > LE_MAP_MAX_KEY) return NULL;
    for (size_t i = tag & m->mask;; i = (i + 1) & m->mask) {
        le_map_slot *sl = &m->slots[i];
        if (sl->len == LE_MAP_FREE) return NULL;
        if (sl->tag != tag || sl->len != len) continue;
        const char *k = slot_key(m, sl);
        if (bytes_equal(k, a, alen) && bytes_equal(k + alen, b, blen)) return sl;
    }
}

int64_t le_map_get2(const le_map *m, uint64_t h, const char *a, size_t alen, const char *b,
                    size_t blen) {
    const le_map_slot *sl = find_slot(m, tag_of(h), a, alen, b, blen);
    return sl ? (int64_t)sl->val : -1;
}

int64_t le_map_get(const le_map *m, const char *key, size_t len) {
    if (!m->slots) return -1;
    return le_map_get2(m, m->type->hash(key, len), key, len, "", 0);
}

/* Rebuilds the table with room for one more key, dropping deleted slots
 * (and, for borrowed keys, their stale pointers). Tags carry the home
 * slot, so no key is hashed again. */
static le_status rehash(le_map *m) {
    size_t n = m->slots ? m->mask + 1 : MIN_SLOTS;
    while ((m->count + 1) * 2 > n) {
        if (n > (size_t)UINT32_MAX / 2) return LE_ERR_NOMEM; /* tags address 2^32 slots */
        n *= 2;
    }
    int borrow = m->type->keys == LE_MAP_BORROW_KEYS;
    le_map_slot *slots = malloc(n * sizeof *slots);
    const char **ptrs = NULL;
    size_t ptrs_cap = 0, live = 0;
    if (!slots || (borrow && le_array_reserve(ptrs, ptrs_cap, m->count + 1))) {
        free(slots);
        return LE_ERR_NOMEM;
    }
    memset(slots, 0xff, n * sizeof *slots); /* len = LE_MAP_FREE */
    for (size_t i = 0; m->slots && i <= m->mask; i++) {
        le_map_slot sl = m->slots[i];
        if (sl.len >= LE_MAP_GONE) continue;
        if (borrow) {
            ptrs[live] = m->ptrs[sl.key];
            sl.key = (uint32_t)live;
        }
        size_t j = sl.tag & (n - 1);
        while (slots[j].len != LE_MAP_FREE) j = (j + 1) & (n - 1);
        slots[j] = sl;
        live++;
    }
    free(m->slots);
    m->slots = slots;
    m->mask = n - 1;
    m->used = m->count;
    if (borrow) {
        free(m->ptrs);
        m->ptrs = ptrs;
        m->ptrs_n = live;
        m->ptrs_cap = ptrs_cap;
    }
    return LE_OK;
}

/* Stores the key's bytes (or pointer) and returns its reference in *ref. */
static le_status keep_key(le_map *m, const char *key, size_t len, uint32_t *ref) {
    if (m->type->keys == LE_MAP_BORROW_KEYS) {
        if (m->ptrs_n >= UINT32_MAX) return LE_ERR_NOMEM;
        *ref = (uint32_t)m->ptrs_n;
        return le_array_push(m->ptrs, m->ptrs_n, m->ptrs_cap, key);
    }
    /* offsets are 32-bit: a map's keys stay far below 4 GB */
    if (len >= UINT32_MAX - m->chars_n) return LE_ERR_NOMEM;
    if (le_array_reserve(m->chars, m->chars_cap, m->chars_n + len + 1)) return LE_ERR_NOMEM;
    if (len) memcpy(m->chars + m->chars_n, key, len);
    m->chars[m->chars_n + len] = 0;
    *ref = (uint32_t)m->chars_n;
    m->chars_n += len + 1;
    return LE_OK;
}

/* The slot of key, added with val when absent (*added says which). */
static le_status put_slot(le_map *m, const char *key, size_t len, uint32_t val, le_map_slot **out,
                          int *added) {
    if (len > LE_MAP_MAX_KEY) return LE_ERR_ARG;
    uint32_t tag = tag_of(m->type->hash(key, len));
    le_map_slot *sl = find_slot(m, tag, key, len, "", 0);
    *added = !sl;
    if (sl) {
        *out = sl;
        return LE_OK;
    }
    /* deleted slots count as used, so a probe always ends at a free one */
    if (!m->slots || (m->used + 1) * 2 > m->mask + 1) {
        if (rehash(m)) return LE_ERR_NOMEM;
    }
    uint32_t ref;
    if (keep_key(m, key, len, &ref)) return LE_ERR_NOMEM;
    size_t i = tag & m->mask;
    while (m->slots[i].len < LE_MAP_GONE) i = (i + 1) & m->mask;
    if (m->slots[i].len == LE_MAP_FREE) m->used++;
    m->slots[i] = (le_map_slot){tag, (uint32_t)len, ref, val};
    m->count++;
    *out = &m->slots[i];
    return LE_OK;
}

le_status le_map_put(le_map *m, const char *key, size_t len, uint32_t val) {
    le_map_slot *sl;
    int added;
    le_status s = put_slot(m, key, len, val, &sl, &added);
    if (!s) sl->val = val;
    return s;
}

le_status le_map_get_or_put(le_map *m, const char *key, size_t len, uint32_t val, uint32_t *out) {
    le_map_slot *sl;
    int added;
    le_status s = put_slot(m, key, len, val, &sl, &added);
    if (!s) *out = sl->val;
    return s;
}

int le_map_del(le_map *m, const char *key, size_t len) {
    if (!m->slots) return 0;
    le_map_slot *sl = find_slot(m, tag_of(m->type->hash(key, len)), key, len, "", 0);
    if (!sl) return 0;
    sl->len = LE_MAP_GONE;
    m->count--;
    return 1;
}

int le_map_next(const le_map *m, size_t *pos, le_map_entry *e) {
    for (size_t i = *pos; m->slots && i <= m->mask; i++) {
        const le_map_slot *sl = &m->slots[i];
        if (sl->len >= LE_MAP_GONE) continue;
        *e = (le_map_entry){slot_key(m, sl), sl->len, sl->val};
        *pos = i + 1;
        return 1;
    }
    return 0;
}
