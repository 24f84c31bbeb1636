/* UTF-8 decoding and encoding; validation (le_utf8_check) is base's
 * (base/utf8.h), shared with the index and the benchmark. */
#ifndef LE_TEXT_UTF8_H
#define LE_TEXT_UTF8_H

#include "base/utf8.h"

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s[*i] and advances *i. The input must be valid
 * UTF-8; a truncated or bad sequence yields U+FFFD and advances one byte, so
 * a caller can never read out of bounds. */
static inline uint32_t le_utf8_next(const char *s, size_t len, size_t *i) {
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = len - *i;
    uint32_t c = p[0];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c >= 0xC2 && c < 0xE0 && left >= 2) {
        *i += 2;
        return ((c & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if (c >= 0xE0 && c < 0xF0 && left >= 3) {
        *i += 3;
        return ((c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    if (c >= 0xF0 && c < 0xF5 && left >= 4) {
        *i += 4;
        return ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
               ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
    *i += 1;
    return 0xFFFD;
}

/* The start of the code point that ends just before s[i] (i > 0). */
static inline size_t le_utf8_prev(const char *s, size_t i) {
    do i--;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
    return i;
}

/* Writes c (at most 4 bytes) to dst; returns the byte count. */
static inline size_t le_utf8_put(char *dst, uint32_t c) {
    unsigned char *d = (unsigned char *)dst;
    if (c < 0x80) {
        d[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        d[0] = (unsigned char)(0xC0 | (c >> 6));
        d[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (c >> 12));
        d[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (c >> 18));
    d[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* Number of code points in valid UTF-8 (continuation bytes are not counted). */
size_t le_utf8_count(const char *s, size_t len);

#endif
