/* A string -> id hash map (open addressing, linear probing): the vocabulary
 * of a tokenizer model. Lookups can hash a prefix and a piece as one string
 * without copying them together (WordPiece's "##"). */
#ifndef LE_TEXT_VOCAB_H
#define LE_TEXT_VOCAB_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

/* Everything a lookup needs sits in the slot, so a miss costs one cache
 * line and a hit one more (the string bytes). */
typedef struct le_vocab_slot {
    uint32_t tag; /* high hash bits: skips almost every wrong string */
    uint32_t len;
    uint32_t off; /* into chars */
    int32_t id;   /* -1: empty slot */
} le_vocab_slot;

typedef struct le_vocab {
    char *chars; /* every string, NUL-terminated, back to back */
    size_t chars_n, chars_cap;
    le_vocab_slot *slots;
    size_t mask;    /* number of slots - 1 (a power of two minus one) */
    size_t count;   /* strings */
    size_t max_len; /* longest string, in bytes */
    int32_t max_id; /* -1 when empty */
} le_vocab;

void le_vocab_init(le_vocab *v);
void le_vocab_free(le_vocab *v);

/* Adds s (copied) with id; when s is already present its id is replaced. */
le_status le_vocab_add(le_vocab *v, const char *s, size_t n, int32_t id);

/* FNV-1a over bytes: the state after a prefix continues over the piece, so
 * the hash of prefix+piece needs no concatenation. */
#define LE_VOCAB_HASH_SEED 0xcbf29ce484222325ull
#define LE_VOCAB_HASH_PRIME 0x100000001b3ull
static inline uint64_t le_vocab_hash_more(uint64_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * LE_VOCAB_HASH_PRIME;
    return h;
}

/* The id of prefix+piece given the FNV state h after hashing both, or -1. */
int32_t le_vocab_find_hashed(const le_vocab *v, uint64_t h, const char *prefix, size_t plen,
                             const char *s, size_t n);

static inline int32_t le_vocab_find(const le_vocab *v, const char *s, size_t n) {
    return le_vocab_find_hashed(v, le_vocab_hash_more(LE_VOCAB_HASH_SEED, s, n), "", 0, s, n);
}

/* Iteration: slots 0..mask; a slot with id >= 0 holds a string. */
static inline const char *le_vocab_slot_str(const le_vocab *v, size_t slot) {
    return v->chars + v->slots[slot].off;
}

#endif
