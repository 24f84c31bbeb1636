#include "base/sbuf.h"

#include "base/array.h"
#include "base/json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void le_sbuf_free(le_sbuf *b) {
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    b->failed = 0;
}

static int reserve(le_sbuf *b, size_t more) {
    if (b->failed) return -1;
    /* room for more bytes and the terminating NUL */
    if (more > SIZE_MAX - 1 - b->n || le_array_reserve(b->p, b->cap, b->n + more + 1)) {
        b->failed = 1;
        return -1;
    }
    return 0;
}

void le_sbuf_add(le_sbuf *b, const char *s, size_t n) {
    if (reserve(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void le_sbuf_puts(le_sbuf *b, const char *s) { le_sbuf_add(b, s, strlen(s)); }

void le_sbuf_printf(le_sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        le_sbuf_add(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

static void put_sbuf(void *b, const char *bytes, size_t n) { le_sbuf_add(b, bytes, n); }

void le_sbuf_json_string(le_sbuf *b, const char *s, size_t n) {
    le_json_write_string(s, n, LE_JSON_ESCAPE_DEL, put_sbuf, b);
}

void le_sbuf_xml(le_sbuf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': le_sbuf_puts(b, "&amp;"); break;
        case '<': le_sbuf_puts(b, "&lt;"); break;
        case '>': le_sbuf_puts(b, "&gt;"); break;
        case '"': le_sbuf_puts(b, "&quot;"); break;
        default: le_sbuf_add(b, s, 1);
        }
    }
}
