/* Growable byte and code-point buffers for one encode call. They grow by
 * doubling, so the hot loops reserve once per piece, never per character. */
#ifndef LE_TEXT_TEXTBUF_H
#define LE_TEXT_TEXTBUF_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct le_strbuf {
    char *p;
    size_t n, cap;
} le_strbuf;

typedef struct le_cpbuf {
    uint32_t *p;
    size_t n, cap;
} le_cpbuf;

/* Makes room for extra more bytes past n. */
static inline le_status le_strbuf_reserve(le_strbuf *b, size_t extra) {
    if (b->cap - b->n >= extra) return LE_OK;
    if (extra > SIZE_MAX / 2 - b->n) return LE_ERR_NOMEM;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->n < extra) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return LE_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return LE_OK;
}

static inline le_status le_cpbuf_reserve(le_cpbuf *b, size_t extra) {
    if (b->cap - b->n >= extra) return LE_OK;
    if (extra > SIZE_MAX / 8 - b->n) return LE_ERR_NOMEM;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->n < extra) cap *= 2;
    uint32_t *p = realloc(b->p, cap * sizeof *p);
    if (!p) return LE_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
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
