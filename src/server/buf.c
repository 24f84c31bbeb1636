#include "server/buf.h"

#include "base/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for need more bytes and a NUL; 0, or -1 with the buffer marked failed. */
static int reserve(le_srv_buf *b, size_t need) {
    if (b->failed) return -1;
    if (b->n + need + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + need + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void le_srv_buf_put(le_srv_buf *b, const char *s, size_t n) {
    if (reserve(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void le_srv_buf_puts(le_srv_buf *b, const char *s) { le_srv_buf_put(b, s, strlen(s)); }

void le_srv_buf_printf(le_srv_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k < sizeof small) {
        le_srv_buf_put(b, small, (size_t)k);
        return;
    }
    if (reserve(b, (size_t)k)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static void put_cb(void *ctx, const char *bytes, size_t n) { le_srv_buf_put(ctx, bytes, n); }

void le_srv_buf_json_string(le_srv_buf *b, const char *s, size_t n) {
    le_json_write_string(s, n, LE_JSON_ESCAPE_DEL, put_cb, b);
}

void le_srv_buf_float(le_srv_buf *b, double v) {
    if (isnan(v) || isinf(v)) le_srv_buf_puts(b, "null");
    else le_srv_buf_printf(b, "%.9g", v);
}

void le_srv_buf_base64(le_srv_buf *b, const unsigned char *in, size_t n) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (reserve(b, (n + 2) / 3 * 4)) return;
    char *o = b->p + b->n;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = abc[(v >> 6) & 63];
        *o++ = abc[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    b->n = (size_t)(o - b->p);
    b->p[b->n] = 0;
}

void le_srv_buf_free(le_srv_buf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}
