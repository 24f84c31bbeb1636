/* What the AVX2 and AVX-512 quantized families share (included only from
 * files compiled for AVX2 or more). */
#ifndef LE_KERNELS_QDOT_X86_H
#define LE_KERNELS_QDOT_X86_H

#include "kernels/qdot.h"

#include <immintrin.h>

/* The f16 at p (any alignment) as f32 by F16C (exact, as qdot_f16). */
static inline __attribute__((always_inline)) float qdot_f16c(const unsigned char *p) {
    return _cvtsh_ss(qdot_u16(p));
}

/* The nibbles of Q4 pair P (block bytes bb, quants at off; block 2P+1 may be
 * missing: zeros) in the split order: lo = the low nibbles of both blocks
 * (weights 0..15 of 2P, then of 2P+1), hi = the high ones (16..31). */
static inline __attribute__((always_inline)) void qdot_q4_nibbles(const unsigned char *row, int nb,
                                                                  int P, int bb, int off,
                                                                  __m256i *lo, __m256i *hi) {
    const unsigned char *b0 = row + (size_t)(2 * P) * bb;
    __m128i q0 = _mm_loadu_si128((const __m128i *)(b0 + off));
    __m128i q1 =
        2 * P + 1 < nb ? _mm_loadu_si128((const __m128i *)(b0 + bb + off)) : _mm_setzero_si128();
    __m256i t = _mm256_inserti128_si256(_mm256_castsi128_si256(q0), q1, 1);
    const __m256i low = _mm256_set1_epi8(0x0f);
    *lo = _mm256_and_si256(t, low);
    *hi = _mm256_and_si256(_mm256_srli_epi16(t, 4), low);
}

#endif
