/* The scalar twin of the quantized products: the order of operations of
 * qdot.h written out lane by lane. The vector families equal it bit for bit. */
#include "kernels/qdot.h"

#include <math.h>

/* Position in a pair record of weight j (0..31) of block half h (0: 2P, 1: 2P+1). */
static int pair_pos(int split, int h, int j) {
    if (!split) return h * 32 + j;
    return (j < 16 ? 0 : 32) + h * 16 + (j & 15);
}

/* The block lane L of a pair belongs to: 0 (2P) or 1 (2P+1). */
static int lane_half(int split, int lane) { return split ? (lane >> 2) & 1 : lane >> 3; }

/* One block of x (32 values) quantized into half h of rec. */
static void quantize_block(const float *x, int split, int h, qdot_pair *rec) {
    float amax = 0;
    int finite = 1, sum = 0;
    for (int j = 0; j < 32; j++) {
        finite &= isfinite(x[j]) != 0;
        float a = fabsf(x[j]);
        if (a > amax) amax = a;
    }
    float d = finite ? amax / 127.0f : NAN;
    float id = finite && d != 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; j++) {
        int q = finite ? (int)rintf(x[j] * id) : 0; /* non-finite: d = NaN, q = 0 */
        rec->q[pair_pos(split, h, j)] = (int8_t)q;
        sum += q;
    }
    for (int l = 0; l < 16; l++)
        if (lane_half(split, l) == h) {
            rec->d[l] = d;
            rec->s[l] = d * (float)sum;
            const int8_t *q4 = rec->q + 4 * l;
            rec->n8[l] = -8 * (q4[0] + q4[1] + q4[2] + q4[3]);
        }
}

void le_qdot_quantize_scalar(const float *x, int k, uint32_t type, qdot_pair *out) {
    const int nb = k / 32, split = type != QT_Q8_0;
    for (int p = 0; p < (nb + 1) / 2; p++) {
        memset(&out[p], 0, sizeof out[p]); /* a missing block 2P+1 stays zero */
        for (int h = 0; h < 2 && 2 * p + h < nb; h++)
            quantize_block(x + (size_t)(2 * p + h) * 32, split, h, &out[p]);
    }
}

/* Pair P of a weight row decoded: signed values wq in the record order, and
 * per lane the block scale dw and (Q4_1) the minimum in the block's first lane. */
static void weight_pair(uint32_t type, const unsigned char *row, int nb, int P, int wq[64],
                        float dw[16], float mw[16]) {
    const int split = type != QT_Q8_0, bb = qdot_block_bytes(type);
    memset(wq, 0, 64 * sizeof *wq);
    for (int l = 0; l < 16; l++) dw[l] = mw[l] = 0;
    for (int h = 0; h < 2 && 2 * P + h < nb; h++) {
        const unsigned char *b = row + (size_t)(2 * P + h) * bb;
        float d = qdot_f16(qdot_u16(b));
        for (int j = 0; j < 32; j++) {
            int v;
            if (type == QT_Q8_0)
                v = (int8_t)b[2 + j];
            else {
                const unsigned char *qs = b + (type == QT_Q4_1 ? 4 : 2);
                v = j < 16 ? qs[j] & 15 : qs[j - 16] >> 4;
                if (type == QT_Q4_0) v -= 8;
            }
            wq[pair_pos(split, h, j)] = v;
        }
        for (int l = 0; l < 16; l++)
            if (lane_half(split, l) == h) dw[l] = d;
        if (type == QT_Q4_1) mw[h * 4] = qdot_f16(qdot_u16(b + 2));
    }
}

/* One output of a block type: row · the quantized activation row a. */
static float dot_blocks(uint32_t type, const unsigned char *row, int nb, const qdot_pair *a) {
    float acc[16] = {0};
    int wq[64];
    float dw[16], mw[16];
    for (int P = 0; P < (nb + 1) / 2; P++) {
        weight_pair(type, row, nb, P, wq, dw, mw);
        for (int l = 0; l < 16; l++) {
            int p = 0;
            for (int t = 0; t < 4; t++) p += wq[4 * l + t] * a[P].q[4 * l + t];
            acc[l] = fmaf((float)p, dw[l] * a[P].d[l], acc[l]);
            if (type == QT_Q4_1) acc[l] = fmaf(mw[l], a[P].s[l], acc[l]);
        }
    }
    return qdot_tree(acc);
}

float le_qdot_weight(uint32_t type, const unsigned char *row, int j) {
    if (type == QT_F32) {
        float f;
        memcpy(&f, row + (size_t)j * 4, sizeof f);
        return f;
    }
    if (type == QT_F16) return qdot_f16(qdot_u16(row + (size_t)j * 2));
    if (type == QT_BF16) {
        uint32_t u = (uint32_t)qdot_u16(row + (size_t)j * 2) << 16;
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    const unsigned char *b = row + (size_t)(j / 32) * (size_t)qdot_block_bytes(type);
    const int i = j % 32;
    const float d = qdot_f16(qdot_u16(b));
    if (type == QT_Q8_0) return d * (float)(int8_t)b[2 + i];
    const unsigned char *qs = b + (type == QT_Q4_1 ? 4 : 2);
    const int q = i < 16 ? qs[i] & 15 : qs[i - 16] >> 4;
    return type == QT_Q4_1 ? d * (float)q + qdot_f16(qdot_u16(b + 2)) : d * (float)(q - 8);
}

/* One output with fp32 activations (float types, or block types dequantized
 * on the fly when w->f32_act): chunks of 16 lanes, zero-padded past k. */
static float dot_floats(uint32_t type, const unsigned char *row, int k, const float *x) {
    float acc[16] = {0};
    for (int c = 0; c < k; c += 16)
        for (int l = 0; l < 16; l++) {
            int j = c + l;
            acc[l] = fmaf(j < k ? x[j] : 0.0f, j < k ? le_qdot_weight(type, row, j) : 0.0f, acc[l]);
        }
    return qdot_tree(acc);
}

static void scalar_run(const qdot_job *job, size_t r0, size_t r1, int c0, int c1) {
    const le_qmat *w = job->w;
    const int blocks = qdot_block_size(w->type) == 32 && !w->f32_act;
    for (size_t r = r0; r < r1; r++)
        for (int c = c0; c < c1; c++) {
            const unsigned char *row = (const unsigned char *)w->data + (size_t)c * w->row_bytes;
            float v = blocks ? dot_blocks(w->type, row, w->k / 32, job->act + r * job->npair)
                             : dot_floats(w->type, row, w->k, job->x + r * job->ldx);
            float *dst = job->y + r * job->ldy + c;
            *dst = job->accumulate ? *dst + v : v;
        }
}

static void dequant(const le_qmat *w, int r, float *dst) {
    const unsigned char *row = (const unsigned char *)w->data + (size_t)r * w->row_bytes;
    for (int j = 0; j < w->k; j++) dst[j] = le_qdot_weight(w->type, row, j);
}

const qdot_family le_qdot_scalar = {"scalar", scalar_run, le_qdot_quantize_scalar, dequant};
