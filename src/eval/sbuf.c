#include "eval/sbuf.h"

#include "base/array.h"
#include "base/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

le_status le_write_file_atomic(const char *path, const char *data, size_t n, le_error *err) {
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", path);
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        le_status s = le_fail(err, LE_ERR_IO, "%s: cannot create a temporary file: %s", path,
                              strerror(errno));
        free(tmp);
        return s;
    }
    fchmod(fd, 0644); /* mkstemp's 0600 is for secrets; these are reports */
    FILE *f = fdopen(fd, "wb");
    int ok = f != NULL;
    if (ok && n) ok = fwrite(data, 1, n, f) == n;
    if (ok) ok = fflush(f) == 0;
    int e = errno;
    if (f) {
        if (fclose(f) != 0 && ok) {
            ok = 0;
            e = errno;
        }
    } else {
        close(fd);
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        free(tmp);
        return le_fail(err, LE_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    free(tmp);
    return LE_OK;
}
