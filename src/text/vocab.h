/* A tokenizer's vocabulary: string -> id in the base hash map, hashed with
 * FNV-1a so that WordPiece can hash "##" + piece incrementally without
 * joining them, plus what the tokenizers need to know about it. */
#ifndef LE_TEXT_VOCAB_H
#define LE_TEXT_VOCAB_H

#include "base/error.h"
#include "base/hash.h"
#include "base/map.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_vocab {
    le_map map;     /* string (copied) -> id; map.count strings */
    size_t max_len; /* longest string, in bytes */
    int32_t max_id; /* -1 when empty */
} le_vocab;

void le_vocab_init(le_vocab *v);
void le_vocab_free(le_vocab *v);

/* Adds s (copied) with id; when s is already present its id is replaced. */
le_status le_vocab_add(le_vocab *v, const char *s, size_t n, int32_t id);

/* The id of prefix+piece given h, the FNV-1a state (le_fnv1a from
 * LE_FNV1A_INIT) after hashing both, or -1. */
static inline int32_t le_vocab_find_hashed(const le_vocab *v, uint64_t h, const char *prefix,
                                           size_t plen, const char *s, size_t n) {
    return (int32_t)le_map_get2(&v->map, h, prefix, plen, s, n);
}

static inline int32_t le_vocab_find(const le_vocab *v, const char *s, size_t n) {
    return le_vocab_find_hashed(v, le_fnv1a(LE_FNV1A_INIT, s, n), "", 0, s, n);
}

#endif
