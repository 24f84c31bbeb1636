/* A growable text buffer for the server's replies (JSON, Prometheus text).
 * Appends never fail loudly: an allocation failure marks the buffer
 * failed, later appends do nothing, and the caller answers 503 instead. */
#ifndef LE_SERVER_BUF_H
#define LE_SERVER_BUF_H

#include <stddef.h>

typedef struct le_srv_buf {
    char *p;
    size_t n, cap;
    int failed;
} le_srv_buf;

void le_srv_buf_put(le_srv_buf *b, const char *s, size_t n);
void le_srv_buf_puts(le_srv_buf *b, const char *s);
void le_srv_buf_printf(le_srv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s[0..n) as a quoted, escaped JSON string. */
void le_srv_buf_json_string(le_srv_buf *b, const char *s, size_t n);
/* A float as JSON (%.9g: round-trips a float exactly; NaN and inf as null). */
void le_srv_buf_float(le_srv_buf *b, double v);
/* n bytes as standard base64 (with padding). */
void le_srv_buf_base64(le_srv_buf *b, const unsigned char *bytes, size_t n);
void le_srv_buf_free(le_srv_buf *b);

#endif
