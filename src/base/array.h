/* Growable arrays, one way for the whole library. An array is a typed
 * pointer with its length and capacity (in elements) kept beside it, in
 * whatever struct owns it:
 *
 *     item *items; size_t n, cap;
 *     if (le_array_push(items, n, cap, next)) return LE_ERR_NOMEM;
 *     if (le_array_reserve(items, cap, n + extra)) return LE_ERR_NOMEM;
 *
 * Growth doubles, so n appends cost O(n) copies; the byte size is checked
 * for overflow; on failure the array and its capacity stay as they were
 * (the caller still owns and frees the old block). The macros evaluate
 * their arguments more than once: pass plain lvalues. */
#ifndef LE_BASE_ARRAY_H
#define LE_BASE_ARRAY_H

#include "base/error.h"

#include <stddef.h>

/* Grows the block *p of *cap elements of elem bytes to hold at least need
 * elements, doubling (from at least 16). LE_OK, or LE_ERR_NOMEM when the
 * size overflows or realloc fails, with *p and *cap unchanged. */
le_status le_array_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Makes arr (capacity cap, a size_t lvalue) hold at least need elements. */
#define le_array_reserve(arr, cap, need)                                                           \
    (le_array_fits_((need), (cap)) ? LE_OK : le_array_grow_typed_(arr, cap, need))

/* Appends the value (an expression or compound literal) at arr[n++]. */
#define le_array_push(arr, n, cap, ...)                                                            \
    (le_array_reserve(arr, cap, (size_t)(n) + 1) ? LE_ERR_NOMEM                                    \
                                                 : ((arr)[(n)++] = (__VA_ARGS__), LE_OK))

/* A function, so a constant need draws no "always true" warning. */
static inline int le_array_fits_(size_t need, size_t cap) { return need <= cap; }

/* The typed wrapper: the block travels through a real void * (no type
 * punning of arr itself) and comes back converted to arr's type. */
#define le_array_grow_typed_(arr, cap, need)                                                       \
    __extension__({                                                                                \
        void *le_array_p_ = (arr);                                                                 \
        le_status le_array_s_ = le_array_grow(&le_array_p_, &(cap), (need), sizeof *(arr));        \
        (arr) = le_array_p_;                                                                       \
        le_array_s_;                                                                               \
    })

#endif
