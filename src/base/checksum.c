#include "base/checksum.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u

/* slicing-by-8 tables: g_table[k][b] is the CRC of byte b followed by k zero bytes */
static uint32_t g_table[8][256];
static int g_have_sse42;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_tables(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
        g_table[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++)
            g_table[k][b] = (g_table[k - 1][b] >> 8) ^ g_table[0][g_table[k - 1][b] & 0xff];
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    g_have_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t update_portable(uint32_t c, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        c = (c >> 8) ^ g_table[0][(c ^ *p++) & 0xff];
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8); /* little-endian hosts only (checked by the index code) */
        w ^= c;
        c = g_table[7][w & 0xff] ^ g_table[6][(w >> 8) & 0xff] ^ g_table[5][(w >> 16) & 0xff] ^
            g_table[4][(w >> 24) & 0xff] ^ g_table[3][(w >> 32) & 0xff] ^
            g_table[2][(w >> 40) & 0xff] ^ g_table[1][(w >> 48) & 0xff] ^ g_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ g_table[0][(c ^ *p++) & 0xff];
    return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static uint32_t update_sse42(uint32_t c, const unsigned char *p,
                                                               size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        c = __builtin_ia32_crc32qi(c, *p++);
        n--;
    }
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t le_crc32c_update_portable(uint32_t crc, const void *data, size_t len) {
    pthread_once(&g_once, init_tables);
    return ~update_portable(~crc, data, len);
}

uint32_t le_crc32c_update(uint32_t crc, const void *data, size_t len) {
    pthread_once(&g_once, init_tables);
#if defined(__x86_64__) && defined(__GNUC__)
    if (g_have_sse42) return ~update_sse42(~crc, data, len);
#endif
    return ~update_portable(~crc, data, len);
}

uint32_t le_crc32c(const void *data, size_t len) { return le_crc32c_update(0, data, len); }
