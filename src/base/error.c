#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

le_status le_fail(le_error *err, le_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        err->text_index = -1;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

le_status le_error_wrap(le_error *err, le_status code, const char *fmt, ...) {
    if (!err) return code;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->message];
    memcpy(old, err->message, sizeof old);
    /* prefix, then as much of the old message as fits */
    size_t n = strlen(prefix), cap = sizeof err->message;
    if (n > cap - 3) n = cap - 3;
    memcpy(err->message, prefix, n);
    memcpy(err->message + n, ": ", 2);
    size_t room = cap - n - 3, m = strnlen(old, sizeof old);
    if (m > room) m = room;
    memcpy(err->message + n + 2, old, m);
    err->message[n + 2 + m] = 0;
    return code;
}

void le_error_clear(le_error *err) {
    if (err) {
        err->code = LE_OK;
        err->text_index = -1;
        err->message[0] = 0;
    }
}

const char *le_status_name(le_status s) {
    switch (s) {
    case LE_OK: return "ok";
    case LE_ERR_ARG: return "invalid argument";
    case LE_ERR_IO: return "i/o error";
    case LE_ERR_FORMAT: return "invalid format";
    case LE_ERR_UNSUPPORTED: return "unsupported";
    case LE_ERR_TOO_LONG: return "input too long";
    case LE_ERR_UTF8: return "invalid utf-8";
    case LE_ERR_NOMEM: return "out of memory";
    case LE_ERR_INTERNAL: return "internal error";
    case LE_ERR_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

const char *le_version(void) { return LE_VERSION; }
