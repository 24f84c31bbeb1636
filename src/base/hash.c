#include "base/hash.h"

#include <stdio.h>
#include <string.h>

/* Reads 8 bytes little-endian whatever the host order, so hashes are the
 * same on every machine. */
static uint64_t load64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

uint64_t le_hash64(const void *data, size_t len, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t h = le_mix64(seed ^ 0x9e3779b97f4a7c15ULL) ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h ^= le_mix64(load64(p + i) + 0x9e3779b97f4a7c15ULL * (i / 8 + 1));
        h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdULL;
    }
    unsigned char tail[8] = {0};
    if (i < len) {
        memcpy(tail, p + i, len - i);
        h ^= le_mix64(load64(tail) ^ 0xc4ceb9fe1a85ec53ULL);
        h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdULL;
    }
    return le_mix64(h);
}

void le_hash128_hex(const void *data, size_t len, char out[33]) {
    uint64_t a = le_hash64(data, len, 0x6c6f6e67656d6264ULL);
    uint64_t b = le_hash64(data, len, 0x7465787468617368ULL);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}
