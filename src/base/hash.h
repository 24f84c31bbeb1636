/* A fast non-cryptographic 64-bit hash of byte strings (for hash tables and
 * cache keys). Stable across builds and machines: the value is part of the
 * on-disk embedding cache layout, so never change the algorithm silently. */
#ifndef LE_BASE_HASH_H
#define LE_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The splitmix64 finaliser: a bijective mix of 64 bits. */
static inline uint64_t le_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* FNV-1a over bytes, for hashing a key in parts: the state after a prefix
 * continues over the rest, so prefix+piece needs no concatenation. Its low
 * bits are weak; mix (le_mix64) before using them. */
#define LE_FNV1A_INIT 0xcbf29ce484222325ull
static inline uint64_t le_fnv1a(uint64_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* Hash of len bytes under seed; different seeds give independent hashes. */
uint64_t le_hash64(const void *data, size_t len, uint64_t seed);

/* A 128-bit digest as 32 lowercase hex digits plus NUL (two seeds). */
void le_hash128_hex(const void *data, size_t len, char out[33]);

#endif
