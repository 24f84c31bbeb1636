/* The benchmark's pseudo-random numbers: xoshiro256** (Blackman and Vigna),
 * seeded through splitmix64. Written here rather than taken from libc so
 * that the generated tasks are the same on every platform and libc. */
#ifndef LE_EVAL_RNG_H
#define LE_EVAL_RNG_H

#include <stdint.h>

typedef struct le_rng {
    uint64_t s[4];
} le_rng;

static inline uint64_t le_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void le_rng_seed(le_rng *r, uint64_t seed) {
    uint64_t st = seed;
    for (int i = 0; i < 4; i++) r->s[i] = le_splitmix64(&st);
}

static inline uint64_t le_rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t le_rng_next(le_rng *r) {
    uint64_t *s = r->s;
    uint64_t out = le_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = le_rng_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) without modulo bias (n > 0). */
static inline uint64_t le_rng_below(le_rng *r, uint64_t n) {
    uint64_t limit = -n % n; /* values below this would favour small results */
    for (;;) {
        uint64_t x = le_rng_next(r);
        if (x >= limit) return x % n;
    }
}

/* Uniform in [lo, hi]. */
static inline int64_t le_rng_range(le_rng *r, int64_t lo, int64_t hi) {
    return lo + (int64_t)le_rng_below(r, (uint64_t)(hi - lo) + 1);
}

#endif
