/* What the server's replies add to base's growable string (base/sbuf.h):
 * floats as JSON and base64. */
#ifndef LE_SERVER_BUF_H
#define LE_SERVER_BUF_H

#include "base/sbuf.h"

#include <stddef.h>

/* A float as JSON (%.9g: round-trips a float exactly; NaN and inf as null). */
void le_srv_buf_float(le_sbuf *b, double v);
/* n bytes as standard base64 (with padding). */
void le_srv_buf_base64(le_sbuf *b, const unsigned char *bytes, size_t n);

/* s[0..n) with each byte of an invalid UTF-8 sequence as U+FFFD. */
void le_srv_buf_utf8(le_sbuf *b, const char *s, size_t n);
/* s[0..n) as a JSON string, each byte of an invalid UTF-8 sequence as
 * U+FFFD (a decoder's text may hold partial or stray bytes: a small or
 * random model can write any byte token). Bytes cut only between
 * characters give the same result piece by piece as whole. */
void le_srv_buf_json_text(le_sbuf *b, const char *s, size_t n);

#endif
