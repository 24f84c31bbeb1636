/* Element types of tensors in model files (named as in safetensors) and
 * their conversion to F32. Sources are read byte by byte in little-endian
 * order, so tensors inside a mapped file need no alignment. */
#ifndef LE_MODEL_DTYPE_H
#define LE_MODEL_DTYPE_H

#include "kernels/bf16.h"

#include <stddef.h>
#include <stdint.h>

#include "longembed.h" /* le_status */

typedef enum le_dtype {
    LE_DTYPE_BOOL = 0,
    LE_DTYPE_U8,
    LE_DTYPE_I8,
    LE_DTYPE_F8_E5M2,
    LE_DTYPE_F8_E4M3,
    LE_DTYPE_I16,
    LE_DTYPE_U16,
    LE_DTYPE_F16,
    LE_DTYPE_BF16,
    LE_DTYPE_I32,
    LE_DTYPE_U32,
    LE_DTYPE_F32,
    LE_DTYPE_F64,
    LE_DTYPE_I64,
    LE_DTYPE_U64,
    LE_DTYPE_COUNT
} le_dtype;

/* "F32", "BF16", …; "?" for values out of range. */
const char *le_dtype_name(le_dtype t);
/* Parses a safetensors dtype name ("F32", "BF16", …); LE_ERR_UNSUPPORTED when unknown. */
le_status le_dtype_parse(const char *name, le_dtype *out);
/* Bytes per element (0 for values out of range). */
size_t le_dtype_size(le_dtype t);

/* Scalar conversions. f32 → f16 rounds to nearest even, keeps NaN a
 * (quiet) NaN and overflows to infinity. The bf16 pair (le_f32_to_bf16,
 * le_bf16_to_f32) is the kernels' one definition, in kernels/bf16.h. */
float le_f16_to_f32(uint16_t h);
uint16_t le_f32_to_f16(float f);

/* n little-endian elements at src (any alignment) to dst. */
void le_f16_to_f32_row(const void *src, float *dst, size_t n);
void le_bf16_to_f32_row(const void *src, float *dst, size_t n);
void le_f32le_to_f32_row(const void *src, float *dst, size_t n);

/* Converts n elements of type t to F32. Returns 0, or -1 when t is not a
 * floating type that converts exactly (F32, F16, BF16). */
int le_dtype_to_f32_row(le_dtype t, const void *src, float *dst, size_t n);

/* Formats a shape as "[384, 384]" into buf (truncated to cap); returns buf. */
char *le_shape_format(char *buf, size_t cap, int ndim, const int64_t *shape);

/* 1 when the host stores floats little-endian, so F32 file data can be used in place. */
int le_host_is_little_endian(void);

#endif
