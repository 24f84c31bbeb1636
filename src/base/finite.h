/* The one test for numbers that must never leave the program or enter an
 * index: NaN and infinities (a damaged model's weights produce them, and
 * JSON has no way to write them). */
#ifndef LE_BASE_FINITE_H
#define LE_BASE_FINITE_H

#include <math.h>
#include <stddef.h>

/* The position of the first NaN or infinity of v[0..n), or n when all are finite. */
static inline size_t le_first_non_finite(const float *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return i;
    return n;
}

#endif
