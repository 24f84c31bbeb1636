#include "text/vocab.h"

#include <stdlib.h>
#include <string.h>

/* FNV's low bits are weak: mix before taking the slot index and tag. */
static inline uint64_t vocab_mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Vocabulary strings are short: an inline loop beats a call to memcmp. */
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

void le_vocab_init(le_vocab *v) {
    memset(v, 0, sizeof *v);
    v->max_id = -1;
}

void le_vocab_free(le_vocab *v) {
    if (!v) return;
    free(v->chars);
    free(v->slots);
    le_vocab_init(v);
}

int32_t le_vocab_find_hashed(const le_vocab *v, uint64_t h, const char *prefix, size_t plen,
                             const char *s, size_t n) {
    if (!v->slots) return -1;
    uint64_t m = vocab_mix(h);
    uint32_t tag = (uint32_t)(m >> 32);
    size_t len = plen + n;
    for (size_t i = (size_t)m & v->mask;; i = (i + 1) & v->mask) {
        const le_vocab_slot *sl = &v->slots[i];
        if (sl->id < 0) return -1;
        if (sl->tag != tag || sl->len != len) continue;
        const char *es = v->chars + sl->off;
        if (bytes_equal(es, prefix, plen) && bytes_equal(es + plen, s, n)) return sl->id;
    }
}

static le_vocab_slot *vocab_probe(le_vocab_slot *slots, size_t mask, uint64_t m) {
    size_t i = (size_t)m & mask;
    while (slots[i].id >= 0) i = (i + 1) & mask;
    return &slots[i];
}

static le_status vocab_grow(le_vocab *v) {
    size_t nslots = v->slots ? (v->mask + 1) * 2 : 64;
    le_vocab_slot *slots = malloc(nslots * sizeof *slots);
    if (!slots) return LE_ERR_NOMEM;
    for (size_t i = 0; i < nslots; i++) slots[i].id = -1;
    for (size_t i = 0; v->slots && i <= v->mask; i++) {
        const le_vocab_slot *old = &v->slots[i];
        if (old->id < 0) continue;
        uint64_t h = le_vocab_hash_more(LE_VOCAB_HASH_SEED, v->chars + old->off, old->len);
        *vocab_probe(slots, nslots - 1, vocab_mix(h)) = *old;
    }
    free(v->slots);
    v->slots = slots;
    v->mask = nslots - 1;
    return LE_OK;
}

le_status le_vocab_add(le_vocab *v, const char *s, size_t n, int32_t id) {
    if (id < 0) return LE_ERR_ARG;
    uint64_t m = vocab_mix(le_vocab_hash_more(LE_VOCAB_HASH_SEED, s, n));
    if (v->slots) {
        for (size_t i = (size_t)m & v->mask; v->slots[i].id >= 0; i = (i + 1) & v->mask) {
            le_vocab_slot *sl = &v->slots[i];
            if (sl->tag == (uint32_t)(m >> 32) && sl->len == n &&
                bytes_equal(v->chars + sl->off, s, n)) {
                sl->id = id;
                if (id > v->max_id) v->max_id = id;
                return LE_OK;
            }
        }
    }
    /* offsets are 32-bit: a vocabulary's strings stay far below 4 GB */
    if (n >= UINT32_MAX - v->chars_n) return LE_ERR_NOMEM;
    /* keep the load factor at most 1/2 so probe runs stay short */
    if (!v->slots || (v->count + 1) * 2 > v->mask + 1) {
        if (vocab_grow(v)) return LE_ERR_NOMEM;
    }
    if (v->chars_cap - v->chars_n < n + 1) {
        size_t cap = v->chars_cap ? v->chars_cap : 4096;
        while (cap - v->chars_n < n + 1) cap *= 2;
        char *p = realloc(v->chars, cap);
        if (!p) return LE_ERR_NOMEM;
        v->chars = p;
        v->chars_cap = cap;
    }
    if (n) memcpy(v->chars + v->chars_n, s, n);
    v->chars[v->chars_n + n] = 0;
    le_vocab_slot *sl = vocab_probe(v->slots, v->mask, m);
    *sl = (le_vocab_slot){(uint32_t)(m >> 32), (uint32_t)n, (uint32_t)v->chars_n, id};
    v->chars_n += n + 1;
    v->count++;
    if (n > v->max_len) v->max_len = n;
    if (id > v->max_id) v->max_id = id;
    return LE_OK;
}
