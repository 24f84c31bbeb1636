/* bf16 <-> fp32, the one definition: weights are packed and activations
 * rounded with it, and the model loaders convert with it, so every path
 * agrees bit for bit with the AVX-512 conversion (vcvtne2ps2bf16). */
#ifndef LE_KERNELS_BF16_H
#define LE_KERNELS_BF16_H

#include <stdint.h>
#include <string.h>

/* Round to nearest even; NaN stays a (quiet) NaN; denormal inputs become
 * zero of the same sign, as vcvtne2ps2bf16 does, so the scalar twin of a
 * bf16 kernel sees the same inputs as the vector one. */
static inline uint16_t le_f32_to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u; /* denormals to zero */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static inline float le_bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#endif
