#include "base/array.h"

#include <stdint.h>
#include <stdlib.h>

le_status le_array_grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return LE_OK;
    size_t n = *cap < 8 ? 8 : *cap;
    do {
        if (n > SIZE_MAX / 2) return LE_ERR_NOMEM;
        n *= 2;
    } while (n < need);
    /* keep the byte size within ptrdiff_t, as every pointer subtraction needs */
    if (n > (size_t)PTRDIFF_MAX / elem) return LE_ERR_NOMEM;
    void *q = realloc(*p, n * elem);
    if (!q) return LE_ERR_NOMEM;
    *p = q;
    *cap = n;
    return LE_OK;
}
