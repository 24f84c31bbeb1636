/* Deletion bitmaps: bit i of a segment's bitmap set means its document i is
 * deleted. A NULL bitmap holds no deletions. */
#ifndef LE_INDEX_BITMAP_H
#define LE_INDEX_BITMAP_H

#include <stdint.h>

static inline int le_bit_get(const uint8_t *bits, uint32_t i) {
    return bits && (bits[i >> 3] >> (i & 7) & 1);
}
static inline void le_bit_set(uint8_t *bits, uint32_t i) {
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

#endif
