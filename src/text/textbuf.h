/* Growable byte and code-point buffers for one encode call. They grow by
 * doubling, so the hot loops reserve once per piece, never per character. */
#ifndef LE_TEXT_TEXTBUF_H
#define LE_TEXT_TEXTBUF_H

#include "base/array.h"
#include "base/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct le_strbuf {
    char *p;
    size_t n, cap;
} le_strbuf;

typedef struct le_cpbuf {
    uint32_t *p;
    size_t n, cap;
} le_cpbuf;

/* Make room for extra more bytes (code points) past n. */
static inline le_status le_strbuf_reserve(le_strbuf *b, size_t extra) {
    if (extra > SIZE_MAX - b->n) return LE_ERR_NOMEM;
    return le_array_reserve(b->p, b->cap, b->n + extra);
}

static inline le_status le_cpbuf_reserve(le_cpbuf *b, size_t extra) {
    if (extra > SIZE_MAX - b->n) return LE_ERR_NOMEM;
    return le_array_reserve(b->p, b->cap, b->n + extra);
}

/* Appends s[0..n) (LE_ERR_NOMEM leaves b as it was). */
static inline le_status le_strbuf_append(le_strbuf *b, const char *s, size_t n) {
    if (le_strbuf_reserve(b, n)) return LE_ERR_NOMEM;
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    return LE_OK;
}

static inline void le_strbuf_free(le_strbuf *b) {
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

static inline void le_cpbuf_free(le_cpbuf *b) {
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

#endif
