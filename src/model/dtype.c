#include "model/dtype.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} g_dtypes[LE_DTYPE_COUNT] = {
    [LE_DTYPE_BOOL] = {"BOOL", 1},       [LE_DTYPE_U8] = {"U8", 1},
    [LE_DTYPE_I8] = {"I8", 1},           [LE_DTYPE_F8_E5M2] = {"F8_E5M2", 1},
    [LE_DTYPE_F8_E4M3] = {"F8_E4M3", 1}, [LE_DTYPE_I16] = {"I16", 2},
    [LE_DTYPE_U16] = {"U16", 2},         [LE_DTYPE_F16] = {"F16", 2},
    [LE_DTYPE_BF16] = {"BF16", 2},       [LE_DTYPE_I32] = {"I32", 4},
    [LE_DTYPE_U32] = {"U32", 4},         [LE_DTYPE_F32] = {"F32", 4},
    [LE_DTYPE_F64] = {"F64", 8},         [LE_DTYPE_I64] = {"I64", 8},
    [LE_DTYPE_U64] = {"U64", 8},
};

const char *le_dtype_name(le_dtype t) {
    return (unsigned)t < LE_DTYPE_COUNT ? g_dtypes[t].name : "?";
}

size_t le_dtype_size(le_dtype t) { return (unsigned)t < LE_DTYPE_COUNT ? g_dtypes[t].size : 0; }

le_status le_dtype_parse(const char *name, le_dtype *out) {
    for (int i = 0; i < LE_DTYPE_COUNT; i++) {
        if (strcmp(name, g_dtypes[i].name) == 0) {
            *out = (le_dtype)i;
            return LE_OK;
        }
    }
    return LE_ERR_UNSUPPORTED;
}

static float bits_to_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t f32_to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float le_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0) {
        /* zero or subnormal: man · 2^-24 is exact in f32 */
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exp == 31) return bits_to_f32(sign | 0x7f800000u | (man << 13));
    return bits_to_f32(sign | ((exp + 112u) << 23) | (man << 13));
}

uint16_t le_f32_to_f16(float f) {
    uint32_t x = f32_to_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* ≥ 65520 rounds to infinity */
    if (ax >= 0x38800000u) {                                  /* normal in f16 */
        uint32_t r = ax + 0xfffu + ((ax >> 13) & 1u);
        return (uint16_t)(sign | ((r >> 13) - (112u << 10)));
    }
    uint32_t e = ax >> 23;
    if (e < 102) return sign; /* below half the smallest subnormal */
    uint32_t mant = (ax & 0x7fffffu) | 0x800000u, shift = 126 - e;
    uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) h++;
    return (uint16_t)(sign | h);
}

void le_f16_to_f32_row(const void *src, float *dst, size_t n) {
    const unsigned char *p = src;
    for (size_t i = 0; i < n; i++) dst[i] = le_f16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
}

void le_bf16_to_f32_row(const void *src, float *dst, size_t n) {
    const unsigned char *p = src;
    for (size_t i = 0; i < n; i++)
        dst[i] = bits_to_f32((uint32_t)p[2 * i] << 16 | (uint32_t)p[2 * i + 1] << 24);
}

int le_host_is_little_endian(void) {
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

void le_f32le_to_f32_row(const void *src, float *dst, size_t n) {
    if (le_host_is_little_endian()) {
        memcpy(dst, src, n * sizeof(float));
        return;
    }
    const unsigned char *p = src;
    for (size_t i = 0; i < n; i++, p += 4)
        dst[i] = bits_to_f32((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
}

int le_dtype_to_f32_row(le_dtype t, const void *src, float *dst, size_t n) {
    switch (t) {
    case LE_DTYPE_F32: le_f32le_to_f32_row(src, dst, n); return 0;
    case LE_DTYPE_F16: le_f16_to_f32_row(src, dst, n); return 0;
    case LE_DTYPE_BF16: le_bf16_to_f32_row(src, dst, n); return 0;
    default: return -1;
    }
}

char *le_shape_format(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t n = 0;
    if (cap == 0) return buf;
    buf[0] = 0;
#define LE_PUT(...)                                                                                \
    do {                                                                                           \
        if (n < cap) {                                                                             \
            int k_ = snprintf(buf + n, cap - n, __VA_ARGS__);                                      \
            n = k_ < 0 ? cap : n + (size_t)k_;                                                     \
        }                                                                                          \
    } while (0)
    LE_PUT("[");
    for (int i = 0; i < ndim; i++) LE_PUT("%s%lld", i ? ", " : "", (long long)shape[i]);
    LE_PUT("]");
#undef LE_PUT
    return buf;
}
