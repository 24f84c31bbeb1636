/* Internals of le_qmatmul (qmatmul.h): the quantized activation layout, the
 * one order of operations every ISA follows, and the kernel families.
 *
 * Activations of the block types are quantized once per call into records of
 * one pair of blocks (blocks 2P and 2P+1; a missing last block is all zero):
 *   q[64]  int8 values, in the order the weight type loads its pair:
 *          Q8_0 "natural": [block 2P: 32][block 2P+1: 32]
 *          Q4_x "split":   [2P: 0..15][2P+1: 0..15][2P: 16..31][2P+1: 16..31]
 *          (a Q4 block holds weights 0..15 in low nibbles, 16..31 in high ones)
 *   d[16]  the scale of the block lane L belongs to
 *   s[16]  d·Σq of that block (ggml's Q8_1 sum; read for Q4_1)
 *   n8[16] −8·(the sum of lane L's 4 values) (read by the vector Q4_0 kernels:
 *          Σ(nibble − 8)·x = Σ nibble·x + n8, exactly)
 * Lane L (0..15) of a pair covers bytes 4L..4L+3 of q and the same weights.
 *
 * For each output: acc[16] = +0; for each pair P, each lane L:
 *   p = Σ of the 4 exact products (int32; Q4_0 weights are nibble − 8)
 *   acc[L] = fmaf((float)p, dw[L]·d[L], acc[L])        (dw: the weight block's scale)
 *   Q4_1:  acc[L] = fmaf(mw[L], s[L], acc[L])           (mw: the block minimum in the
 *          block's first lane — lane 0 for 2P, lane 4 for 2P+1 — and 0 elsewhere)
 * Float weights: lanes over chunks of 16 of k (zero-padded): acc[L] = fmaf(x, w, acc[L]).
 * Then y = qdot_tree(acc): lanes L and L+8 added, then L and L+4, L and L+2, 0 and 1;
 * accumulate: y_old + y. */
#ifndef LE_KERNELS_QDOT_H
#define LE_KERNELS_QDOT_H

#include "kernels/qmatmul.h"

#include <stdint.h>
#include <string.h>

/* ggml type ids (model/quant.h) */
enum { QT_F32 = 0, QT_F16 = 1, QT_Q4_0 = 2, QT_Q4_1 = 3, QT_Q8_0 = 8, QT_BF16 = 30 };

typedef struct qdot_pair {
    int8_t q[64];
    float d[16];
    float s[16];
    int32_t n8[16];
} qdot_pair; /* 256 bytes, kept 64-byte aligned in the scratch */

/* What a kernel computes: rows [r0, r1) × channels [c0, c1) of y.
 * act: quantized rows (npair records each) for block types, else NULL. */
typedef struct qdot_job {
    const le_qmat *w;
    const float *x;
    size_t ldx;
    const qdot_pair *act;
    int npair;
    float *y;
    size_t ldy;
    int accumulate;
} qdot_job;

typedef void (*qdot_run_fn)(const qdot_job *job, size_t r0, size_t r1, int c0, int c1);

typedef struct qdot_family {
    const char *name;
    qdot_run_fn run; /* any weight type le_qmat_init accepts */
    /* quantizes row x (k values) into npair records for weight type; NULL: the scalar one */
    void (*quantize)(const float *x, int k, uint32_t type, qdot_pair *out);
    /* row r of w as floats, the values le_qdot_weight gives */
    void (*dequant)(const le_qmat *w, int r, float *dst);
} qdot_family;

extern const qdot_family le_qdot_scalar;
extern const qdot_family le_qdot_avx2;
extern const qdot_family le_qdot_avx512vnni;

/* The scalar quantizer (the definition the vector ones equal bit for bit). */
void le_qdot_quantize_scalar(const float *x, int k, uint32_t type, qdot_pair *out);

/* Weight j of a row of any supported type (any alignment), as le_qmat_row_f32. */
float le_qdot_weight(uint32_t type, const unsigned char *row, int j);

/* f16 bits → f32, exact (the kernels may not use model/dtype.h). */
static inline float qdot_f16(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, man = h & 0x3ffu, u;
    if (e == 0) {
        float v = (float)man * 0x1p-24f; /* zero or subnormal: exact */
        return sign ? -v : v;
    }
    u = sign | (e == 31 ? 0x7f800000u | (man << 13) : ((e + 112u) << 23) | (man << 13));
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* little-endian u16 at p (any alignment) */
static inline uint16_t qdot_u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* The fixed reduction of the 16 lanes. */
static inline float qdot_tree(const float acc[16]) {
    float s8[8], s4[4];
    for (int l = 0; l < 8; l++) s8[l] = acc[l] + acc[l + 8];
    for (int l = 0; l < 4; l++) s4[l] = s8[l] + s8[l + 4];
    return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

/* Bytes of one block of a supported type, weights per block. */
static inline int qdot_block_bytes(uint32_t type) {
    switch (type) {
    case QT_Q8_0: return 34;
    case QT_Q4_0: return 18;
    case QT_Q4_1: return 20;
    case QT_F32: return 4;
    default: return 2; /* F16, BF16 */
    }
}
static inline int qdot_block_size(uint32_t type) {
    return type == QT_Q8_0 || type == QT_Q4_0 || type == QT_Q4_1 ? 32 : 1;
}

#endif
