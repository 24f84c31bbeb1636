#include "base/options.h"

#include "base/error.h"

#include <string.h>

/* A struct_size past this is not a size but garbage: an options struct that
 * was never initialised. Bounded so that checking the bytes past this
 * library's struct never reads far past the caller's. */
enum { OPTIONS_MAX_SIZE = 4096 };

void le_options_init(void *caller, size_t size, const void *defaults, size_t full) {
    if (!caller || size < sizeof(size_t)) return;
    const size_t n = size < full ? size : full;
    memcpy(caller, defaults, n);
    if (size > n) memset((char *)caller + n, 0, size - n);
    memcpy(caller, &size, sizeof size);
}

le_status le_options_take(void *full, size_t full_size, const void *caller, const char *what,
                          le_error *err) {
    if (!caller) return LE_OK;
    size_t size;
    memcpy(&size, caller, sizeof size);
    if (size < sizeof(size_t) || size > OPTIONS_MAX_SIZE)
        return le_fail(err, LE_ERR_ARG,
                       "%s: struct_size is %zu: initialise the struct with %s_init first", what,
                       size, what);
    const unsigned char *c = caller;
    for (size_t i = full_size; i < size; i++)
        if (c[i])
            return le_fail(err, LE_ERR_UNSUPPORTED,
                           "%s: a field at byte %zu is set, which this library (longembed %s, "
                           "%zu-byte struct) does not know; leave it at its default or use a "
                           "newer library",
                           what, i, LE_VERSION, full_size);
    const size_t n = size < full_size ? size : full_size;
    memcpy((char *)full + sizeof(size_t), c + sizeof(size_t), n - sizeof(size_t));
    memcpy(full, &full_size, sizeof full_size);
    return LE_OK;
}
