#include "server/buf.h"

#include <math.h>

void le_srv_buf_float(le_sbuf *b, double v) {
    if (isnan(v) || isinf(v)) le_sbuf_puts(b, "null");
    else le_sbuf_printf(b, "%.9g", v);
}

void le_srv_buf_base64(le_sbuf *b, const unsigned char *in, size_t n) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4096]; /* 3072 input bytes at a time */
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n) v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        out[k++] = abc[v >> 18];
        out[k++] = abc[(v >> 12) & 63];
        out[k++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? abc[v & 63] : '=';
        if (k == sizeof out) {
            le_sbuf_add(b, out, k);
            k = 0;
        }
    }
    le_sbuf_add(b, out, k);
}
