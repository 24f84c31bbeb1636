/* A growable byte string for building documents, reports and the server's
 * replies. After an allocation failure the buffer is marked failed and
 * further appends do nothing, so callers check once at the end. */
#ifndef LE_BASE_SBUF_H
#define LE_BASE_SBUF_H

#include "base/error.h"

#include <stddef.h>

typedef struct le_sbuf {
    char *p; /* NUL-terminated when not failed */
    size_t n, cap;
    int failed;
} le_sbuf;

void le_sbuf_free(le_sbuf *b);
void le_sbuf_add(le_sbuf *b, const char *s, size_t n);
void le_sbuf_puts(le_sbuf *b, const char *s);
void le_sbuf_printf(le_sbuf *b, const char *fmt, ...) LE_PRINTF(2, 3);
/* s[0..n) as a JSON string literal: quoted, with ", \, control characters
 * and DEL escaped; other bytes (UTF-8) as they are. */
void le_sbuf_json_string(le_sbuf *b, const char *s, size_t n);
/* s with &, <, >, " escaped for XML text and attributes. */
void le_sbuf_xml(le_sbuf *b, const char *s);

#endif
