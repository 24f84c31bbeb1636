#include "server/buf.h"

#include "base/utf8.h"

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

void le_srv_buf_utf8(le_sbuf *b, const char *s, size_t n) {
    for (size_t ok = le_utf8_check(s, n);; ok = le_utf8_check(s, n)) {
        le_sbuf_add(b, s, ok);
        if (ok == n) return;
        le_sbuf_puts(b, "\xef\xbf\xbd"); /* U+FFFD for the one byte at fault */
        s += ok + 1;
        n -= ok + 1;
    }
}

void le_srv_buf_json_text(le_sbuf *b, const char *s, size_t n) {
    if (le_utf8_check(s, n) == n) {
        le_sbuf_json_string(b, s, n);
        return;
    }
    le_sbuf clean = {0};
    le_srv_buf_utf8(&clean, s, n);
    if (clean.failed) b->failed = 1;
    else le_sbuf_json_string(b, clean.p, clean.n);
    le_sbuf_free(&clean);
}
