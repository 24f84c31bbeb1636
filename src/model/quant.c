#include "model/quant.h"

#include "model/dtype.h"

/* Sizes follow ggml-common.h (the Python gguf package agrees except for
 * Q8_1, an in-memory type ggml now stores with two f16 scales). */
static const le_ggml_type_info g_types[LE_GGML_TYPE_LIMIT] = {
    [0] = {"F32", 1, 4},         [1] = {"F16", 1, 2},         [2] = {"Q4_0", 32, 18},
    [3] = {"Q4_1", 32, 20},      [6] = {"Q5_0", 32, 22},      [7] = {"Q5_1", 32, 24},
    [8] = {"Q8_0", 32, 34},      [9] = {"Q8_1", 32, 36},      [10] = {"Q2_K", 256, 84},
    [11] = {"Q3_K", 256, 110},   [12] = {"Q4_K", 256, 144},   [13] = {"Q5_K", 256, 176},
    [14] = {"Q6_K", 256, 210},   [15] = {"Q8_K", 256, 292},   [16] = {"IQ2_XXS", 256, 66},
    [17] = {"IQ2_XS", 256, 74},  [18] = {"IQ3_XXS", 256, 98}, [19] = {"IQ1_S", 256, 50},
    [20] = {"IQ4_NL", 32, 18},   [21] = {"IQ3_S", 256, 110},  [22] = {"IQ2_S", 256, 82},
    [23] = {"IQ4_XS", 256, 136}, [24] = {"I8", 1, 1},         [25] = {"I16", 1, 2},
    [26] = {"I32", 1, 4},        [27] = {"I64", 1, 8},        [28] = {"F64", 1, 8},
    [29] = {"IQ1_M", 256, 56},   [30] = {"BF16", 1, 2},       [34] = {"TQ1_0", 256, 54},
    [35] = {"TQ2_0", 256, 66},   [39] = {"MXFP4", 32, 17},    [40] = {"NVFP4", 64, 36},
    [41] = {"Q1_0", 128, 18},
};

const le_ggml_type_info *le_ggml_type_get(uint32_t type) {
    return type < LE_GGML_TYPE_LIMIT && g_types[type].name ? &g_types[type] : NULL;
}

const char *le_ggml_type_name(uint32_t type) {
    const le_ggml_type_info *t = le_ggml_type_get(type);
    return t ? t->name : "unknown";
}

int le_ggml_can_dequantize(uint32_t type) {
    switch (type) {
    case LE_GGML_F32:
    case LE_GGML_F16:
    case LE_GGML_BF16:
    case LE_GGML_Q8_0:
    case LE_GGML_Q4_0:
    case LE_GGML_Q4_1: return 1;
    default: return 0;
    }
}

static float half_at(const unsigned char *p) { return le_f16_to_f32((uint16_t)(p[0] | p[1] << 8)); }

void le_dequant_q8_0(const void *src, float *dst, size_t nblocks) {
    const unsigned char *b = src;
    for (size_t i = 0; i < nblocks; i++, b += 34, dst += 32) {
        float d = half_at(b);
        for (int j = 0; j < 32; j++) dst[j] = d * (float)(int8_t)b[2 + j];
    }
}

void le_dequant_q4_0(const void *src, float *dst, size_t nblocks) {
    const unsigned char *b = src;
    for (size_t i = 0; i < nblocks; i++, b += 18, dst += 32) {
        float d = half_at(b);
        const unsigned char *qs = b + 2;
        for (int j = 0; j < 16; j++) {
            dst[j] = d * (float)((qs[j] & 0x0f) - 8);
            dst[j + 16] = d * (float)((qs[j] >> 4) - 8);
        }
    }
}

void le_dequant_q4_1(const void *src, float *dst, size_t nblocks) {
    const unsigned char *b = src;
    for (size_t i = 0; i < nblocks; i++, b += 20, dst += 32) {
        float d = half_at(b), m = half_at(b + 2);
        const unsigned char *qs = b + 4;
        for (int j = 0; j < 16; j++) {
            dst[j] = d * (float)(qs[j] & 0x0f) + m;
            dst[j + 16] = d * (float)(qs[j] >> 4) + m;
        }
    }
}

int le_ggml_to_f32(uint32_t type, const void *src, float *dst, size_t n) {
    switch (type) {
    case LE_GGML_F32: le_f32le_to_f32_row(src, dst, n); return 0;
    case LE_GGML_F16: le_f16_to_f32_row(src, dst, n); return 0;
    case LE_GGML_BF16: le_bf16_to_f32_row(src, dst, n); return 0;
    case LE_GGML_Q8_0: le_dequant_q8_0(src, dst, n / 32); return 0;
    case LE_GGML_Q4_0: le_dequant_q4_0(src, dst, n / 32); return 0;
    case LE_GGML_Q4_1: le_dequant_q4_1(src, dst, n / 32); return 0;
    default: return -1;
    }
}
