/* Versioned option structs (include/longembed.h, "Option structs"): every
 * public options struct starts with size_t struct_size, the sizeof of the
 * struct in the caller's header. These two helpers are the whole rule, so
 * that every entry point applies it the same way. */
#ifndef LE_BASE_OPTIONS_H
#define LE_BASE_OPTIONS_H

#include "longembed.h"

#include <stddef.h>

/* The *_init_size functions: fills the caller's first size bytes from
 * defaults (this library's struct, size full), zeroes what lies past it
 * (fields of a newer header: zero is "not set") and stores size. */
void le_options_init(void *caller, size_t size, const void *defaults, size_t full);

/* Entry points: full holds this library's defaults; the caller's fields its
 * struct_size covers replace them (caller NULL: the defaults stay). Fails
 * with LE_ERR_ARG when struct_size is not plausible (not initialised), and
 * LE_ERR_UNSUPPORTED when bytes past this library's struct are not zero (a
 * newer header's field this library cannot honour). what names the struct. */
le_status le_options_take(void *full, size_t full_size, const void *caller, const char *what,
                          le_error *err);

#endif
