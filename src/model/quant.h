/* ggml tensor types as data: block size and bytes per block for every type
 * a GGUF file may hold (so any file can be bounds-checked), and
 * dequantisation to F32 for the ones the engine reads: F32, F16, BF16,
 * Q8_0, Q4_0, Q4_1. Block layouts (32 weights per block, little-endian):
 *   Q8_0: f16 d, int8 q[32]                 w = d·q
 *   Q4_0: f16 d, u8 qs[16]                  w = d·(nibble − 8)
 *   Q4_1: f16 d, f16 m, u8 qs[16]           w = d·nibble + m
 * where weight j < 16 is the low nibble of qs[j] and weight j + 16 its high
 * nibble. */
#ifndef LE_MODEL_QUANT_H
#define LE_MODEL_QUANT_H

#include <stddef.h>
#include <stdint.h>

enum {
    LE_GGML_F32 = 0,
    LE_GGML_F16 = 1,
    LE_GGML_Q4_0 = 2,
    LE_GGML_Q4_1 = 3,
    LE_GGML_Q5_0 = 6,
    LE_GGML_Q5_1 = 7,
    LE_GGML_Q8_0 = 8,
    LE_GGML_Q8_1 = 9,
    LE_GGML_Q2_K = 10,
    LE_GGML_Q3_K = 11,
    LE_GGML_Q4_K = 12,
    LE_GGML_Q5_K = 13,
    LE_GGML_Q6_K = 14,
    LE_GGML_Q8_K = 15,
    LE_GGML_I8 = 24,
    LE_GGML_I16 = 25,
    LE_GGML_I32 = 26,
    LE_GGML_I64 = 27,
    LE_GGML_F64 = 28,
    LE_GGML_BF16 = 30,
    LE_GGML_TYPE_LIMIT = 42 /* ids at or above are unknown */
};

typedef struct le_ggml_type_info {
    const char *name;
    uint32_t block; /* weights per block */
    uint32_t bytes; /* bytes per block */
} le_ggml_type_info;

/* NULL for ids that are unknown or were removed from ggml. */
const le_ggml_type_info *le_ggml_type_get(uint32_t type);
/* "Q4_1", or "unknown" for ids le_ggml_type_get does not know. */
const char *le_ggml_type_name(uint32_t type);
/* 1 when le_ggml_to_f32 converts this type. */
int le_ggml_can_dequantize(uint32_t type);

/* Converts n weights (a multiple of the type's block) from src (any
 * alignment) to dst. Returns 0, or -1 when the type is not converted. */
int le_ggml_to_f32(uint32_t type, const void *src, float *dst, size_t n);

void le_dequant_q8_0(const void *src, float *dst, size_t nblocks);
void le_dequant_q4_0(const void *src, float *dst, size_t nblocks);
void le_dequant_q4_1(const void *src, float *dst, size_t nblocks);

#endif
