/* One hash map for the whole library: byte-string keys to 32-bit values
 * (numbers of entries in an array the caller keeps, ids, counts), open
 * addressing with linear probing, at most half full. A slot holds
 * everything a probe needs (hash tag, length, key reference, value), so a
 * miss usually costs one cache line and a hit one more for the key bytes.
 *
 * What differs between users is a le_map_type, as Redis's dictType: the
 * hash of a key and who owns the key bytes. Keys compare as bytes; a
 * number is a key through its bytes (&id, sizeof id).
 *
 *     le_map m;
 *     le_map_init(&m, &le_map_copied);
 *     if (le_map_put(&m, "cat", 3, 7)) return LE_ERR_NOMEM;
 *     int64_t v = le_map_get(&m, "cat", 3);  // 7; -1 when absent
 *     le_map_free(&m);
 */
#ifndef LE_BASE_MAP_H
#define LE_BASE_MAP_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

typedef enum le_map_keys {
    LE_MAP_COPY_KEYS,  /* the map keeps a NUL-terminated copy of every key */
    LE_MAP_BORROW_KEYS /* it keeps the caller's pointer: the bytes must outlive the map */
} le_map_keys;

typedef struct le_map_type {
    /* Any 64-bit hash of the key bytes. The map mixes it (le_mix64) before
     * use, so a fast hash with weak low bits (FNV-1a) is fine. */
    uint64_t (*hash)(const char *key, size_t len);
    le_map_keys keys;
} le_map_type;

/* Keys hashed with le_hash64, copied or borrowed. */
extern const le_map_type le_map_copied, le_map_borrowed;

typedef struct le_map_slot {
    uint32_t tag; /* low 32 bits of the mixed hash; the home slot is tag & mask */
    uint32_t len; /* key length; LE_MAP_FREE and LE_MAP_GONE mark empty slots */
    uint32_t key; /* copied keys: offset into chars; borrowed: index into ptrs */
    uint32_t val;
} le_map_slot;

#define LE_MAP_FREE UINT32_MAX           /* never used: a probe stops here */
#define LE_MAP_GONE (UINT32_MAX - 1u)    /* deleted: probes pass over it */
#define LE_MAP_MAX_KEY (UINT32_MAX - 2u) /* longest key, in bytes */

typedef struct le_map {
    const le_map_type *type;
    le_map_slot *slots;
    size_t mask;  /* number of slots - 1 (a power of two), 0 before the first key */
    size_t count; /* live keys */
    size_t used;  /* live and deleted slots: what the load factor counts */
    char *chars;  /* copied keys, each NUL-terminated, in insertion order */
    size_t chars_n, chars_cap;
    const char **ptrs; /* borrowed keys */
    size_t ptrs_n, ptrs_cap;
} le_map;

void le_map_init(le_map *m, const le_map_type *type);
/* Frees everything; the map is empty again and keeps its type. */
void le_map_free(le_map *m);

/* The value of key, or -1 when absent. */
int64_t le_map_get(const le_map *m, const char *key, size_t len);
/* Sets key to val, adding it or replacing its value (a borrowed key keeps
 * its first pointer). LE_ERR_NOMEM, or LE_ERR_ARG past LE_MAP_MAX_KEY. */
le_status le_map_put(le_map *m, const char *key, size_t len, uint32_t val);
/* The value of key in *out, adding it with val first when absent
 * (interning: one probe for both). */
le_status le_map_get_or_put(le_map *m, const char *key, size_t len, uint32_t val, uint32_t *out);
/* Removes key; returns 1 when it was there. */
int le_map_del(le_map *m, const char *key, size_t len);

/* The lookup for callers that hash incrementally: h is the type's hash of
 * the key a[0..alen) followed by b[0..blen), which are not concatenated
 * (WordPiece looks up "##" + piece this way). */
int64_t le_map_get2(const le_map *m, uint64_t h, const char *a, size_t alen, const char *b,
                    size_t blen);

/* Iteration in slot order, which depends on the hash: callers that need a
 * stable order sort or break ties themselves.
 *     le_map_entry e;
 *     for (size_t pos = 0; le_map_next(m, &pos, &e);) use(e.key, e.len, e.val); */
typedef struct le_map_entry {
    const char *key; /* copied keys are NUL-terminated */
    size_t len;
    uint32_t val;
} le_map_entry;
int le_map_next(const le_map *m, size_t *pos, le_map_entry *e);

#endif
