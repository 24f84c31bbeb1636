/* AVX-512 + VNNI quantized products: qdot.h's order of operations with the
 * 16 lanes in one zmm, block products by vpdpbusd (u8 × s8 → int32, exact),
 * so every output equals the scalar twin bit for bit.
 *
 * Prefill tiles: QR rows × QC channels (QRF × QC with fp32 activations); a
 * pair of weight blocks is decoded once per channel and meets the QR rows.
 * Decode (fewer rows than a tile): 1 row × 2 channels, each weight read once,
 * with software prefetch: four interleaved row streams starved the hardware
 * prefetcher (Q8_0 rows from DRAM ran at a quarter of the speed).
 * Signs for vpdpbusd's unsigned operand:
 *   Q4_1: nibbles (0..15) × x
 *   Q4_0: nibbles × x, started from n8 = −8·Σx (the −8 of every nibble)
 *   Q8_0: (x + 128) × w, started from −128·Σw */
#include "kernels/qdot_x86.h"

#include <math.h>

#define QR 4  /* rows of a block tile */
#define QRF 6 /* rows of a float tile: 24 accumulators, 4 weight vectors, x */
#define QC 4
#define INLINE static inline __attribute__((always_inline))

typedef struct wpair {
    __m512i q;    /* the pair's 64 weights in the record order */
    __m512 d, m;  /* per lane: block scale; Q4_1 minimum in the block's first lane */
    __m512i init; /* Q8_0: −128·Σw per lane */
} wpair;

/* Q8_0 pair P of row (block 2P+1 may be missing: zeros). */
INLINE void load_q8_0(const unsigned char *row, int nb, int P, wpair *w) {
    const unsigned char *b = row + (size_t)P * 68;
    const int two = 2 * P + 1 < nb;
    __m256i lo = _mm256_loadu_si256((const __m256i *)(b + 2));
    __m256i hi = two ? _mm256_loadu_si256((const __m256i *)(b + 36)) : _mm256_setzero_si256();
    w->q = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    float d0 = qdot_f16c(b), d1 = two ? qdot_f16c(b + 34) : 0.0f;
    w->d = _mm512_insertf32x8(_mm512_set1_ps(d0), _mm256_set1_ps(d1), 1);
    __m512i sw = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8((char)0x80), w->q);
    w->init = _mm512_sub_epi32(_mm512_setzero_si512(), sw);
}

/* Q4_0 / Q4_1 pair P: nibbles in the split order, scales [d0×4 d1×4 d0×4 d1×4]. */
INLINE void load_q4(int q41, const unsigned char *row, int nb, int P, wpair *w) {
    const int bb = q41 ? 20 : 18, off = q41 ? 4 : 2, two = 2 * P + 1 < nb;
    const unsigned char *b0 = row + (size_t)(2 * P) * bb, *b1 = b0 + bb;
    __m256i lo, hi;
    qdot_q4_nibbles(row, nb, P, bb, off, &lo, &hi);
    w->q = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    __m128i h = _mm_setr_epi16((short)qdot_u16(b0), two ? (short)qdot_u16(b1) : 0,
                               q41 ? (short)qdot_u16(b0 + 2) : 0,
                               q41 && two ? (short)qdot_u16(b1 + 2) : 0, 0, 0, 0, 0);
    __m512 f = _mm512_castps128_ps512(_mm_cvtph_ps(h)); /* d0 d1 m0 m1 */
    const __m512i id = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1);
    const __m512i im = _mm512_setr_epi32(2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    w->d = _mm512_permutexvar_ps(id, f);
    w->m = _mm512_maskz_permutexvar_ps(0x0011, im, f);
}

INLINE void load_pair(uint32_t type, const unsigned char *row, int nb, int P, wpair *w) {
    if (type == QT_Q8_0)
        load_q8_0(row, nb, P, w);
    else
        load_q4(type == QT_Q4_1, row, nb, P, w);
}

/* acc += one pair of one weight channel against one activation record */
INLINE __m512 pair_step(uint32_t type, const wpair *w, const qdot_pair *a, __m512 acc) {
    const __m512i xq = _mm512_load_si512((const void *)a->q);
    __m512i p;
    if (type == QT_Q8_0)
        p = _mm512_dpbusd_epi32(w->init, _mm512_xor_si512(xq, _mm512_set1_epi8((char)0x80)), w->q);
    else if (type == QT_Q4_0)
        p = _mm512_dpbusd_epi32(_mm512_load_si512((const void *)a->n8), w->q, xq);
    else
        p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w->q, xq);
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(w->d, _mm512_load_ps(a->d)), acc);
    if (type == QT_Q4_1) acc = _mm512_fmadd_ps(w->m, _mm512_load_ps(a->s), acc);
    return acc;
}

/* qdot_tree on one zmm */
INLINE float tree(__m512 a) {
    __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

INLINE void store(const qdot_job *job, size_t r, int c, __m512 acc) {
    float *dst = job->y + r * job->ldy + (size_t)c, v = tree(acc);
    *dst = job->accumulate ? *dst + v : v;
}

/* A tile's weight rows and zeroed accumulators. */
INLINE void tile_begin(const le_qmat *w, int c, int C, const unsigned char **rows, int R,
                       int rows_max, __m512 acc[][QC]) {
#pragma GCC unroll 4
    for (int j = 0; j < C; j++)
        rows[j] = (const unsigned char *)w->data + (size_t)(c + j) * w->row_bytes;
    (void)R; /* all rows, so that no compiler sees an unset lane */
#pragma GCC unroll 6
    for (int i = 0; i < rows_max; i++)
#pragma GCC unroll 4
        for (int j = 0; j < QC; j++) acc[i][j] = _mm512_setzero_ps();
}

/* The tile's outputs into y. */
INLINE void tile_end(const qdot_job *job, size_t r, int R, int c, int C, __m512 acc[][QC]) {
#pragma GCC unroll 6
    for (int i = 0; i < R; i++)
#pragma GCC unroll 4
        for (int j = 0; j < C; j++) store(job, r + (size_t)i, c + j, acc[i][j]);
}

/* Rows [r, r+R) × channels [c, c+C) of a block type. */
INLINE void tile_blocks(uint32_t type, const qdot_job *job, size_t r, int R, int c, int C) {
    const le_qmat *w = job->w;
    const int nb = w->k / 32;
    const unsigned char *rows[QC] = {0};
    __m512 acc[QR][QC];
    tile_begin(w, c, C, rows, R, QR, acc);
    const qdot_pair *act = job->act + r * (size_t)job->npair;
    for (int P = 0; P < job->npair; P++)
#pragma GCC unroll 4
        for (int j = 0; j < C; j++) {
            wpair wp;
            _mm_prefetch((const char *)rows[j] + (size_t)(P + 6) * 2 * qdot_block_bytes(type),
                         _MM_HINT_T0);
            load_pair(type, rows[j], nb, P, &wp);
#pragma GCC unroll 4
            for (int i = 0; i < R; i++)
                acc[i][j] = pair_step(type, &wp, act + (size_t)i * job->npair + P, acc[i][j]);
        }
    tile_end(job, r, R, c, C, acc);
}

/* One type's tiles over the job's block of outputs: full tiles by constants
 * (so the accumulators stay in registers), edges by the general case. */
#define QDOT_TILES(name, tile, T, TR)                                                              \
    static void name(const qdot_job *job, size_t r0, size_t r1, int c0, int c1) {                  \
        if (r1 - r0 < TR) { /* decode: 2 channels at a time (see the top) */                       \
            int c = c0;                                                                            \
            for (; c + 2 <= c1; c += 2)                                                            \
                for (size_t r = r0; r < r1; r++) tile(T, job, r, 1, c, 2);                         \
            for (; c < c1; c++)                                                                    \
                for (size_t r = r0; r < r1; r++) tile(T, job, r, 1, c, 1);                         \
            return;                                                                                \
        }                                                                                          \
        for (int c = c0; c < c1; c += QC) {                                                        \
            const int C = c1 - c < QC ? c1 - c : QC;                                               \
            size_t r = r0;                                                                         \
            for (; C == QC && r + TR <= r1; r += TR) tile(T, job, r, TR, c, QC);                   \
            for (; C == QC && r < r1; r++) tile(T, job, r, 1, c, QC);                              \
            for (; r < r1; r++) tile(T, job, r, 1, c, C);                                          \
        }                                                                                          \
    }

/* Weights j..j+15 of an F32/F16/BF16 row as floats (zero past k). */
INLINE __m512 load_w16(uint32_t type, const unsigned char *row, int j, int k) {
    const __mmask16 mk = k - j >= 16 ? 0xffff : (__mmask16)((1u << (k - j)) - 1);
    if (type == QT_F32) return _mm512_maskz_loadu_ps(mk, row + (size_t)j * 4);
    if (type == QT_F16) return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mk, row + (size_t)j * 2));
    __m512i h = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mk, row + (size_t)j * 2));
    return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16)); /* BF16 */
}

/* The 32 weights of block b as floats (w0: 0..15, w1: 16..31), as
 * le_qdot_weight gives them; the block's scales are read once. */
INLINE void load_w32(uint32_t type, const unsigned char *b, __m512 *w0, __m512 *w1) {
    uint32_t dm; /* d, and for Q4_1 m: both converted by one vcvtph2ps */
    memcpy(&dm, b, sizeof dm);
    const __m128 f = _mm_cvtph_ps(_mm_cvtsi32_si128((int)dm));
    const __m512 d = _mm512_broadcastss_ps(f);
    if (type == QT_Q8_0) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(b + 2));
        *w0 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(q))));
        *w1 = _mm512_mul_ps(
            d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(q, 1))));
        return;
    }
    const __m512i e =
        _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(b + (type == QT_Q4_1 ? 4 : 2))));
    __m512i lo = _mm512_and_si512(e, _mm512_set1_epi32(15)), hi = _mm512_srli_epi32(e, 4);
    if (type == QT_Q4_0) {
        *w0 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_sub_epi32(lo, _mm512_set1_epi32(8))));
        *w1 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_sub_epi32(hi, _mm512_set1_epi32(8))));
        return;
    }
    const __m512 m = _mm512_broadcastss_ps(_mm_movehdup_ps(f));
    *w0 = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(lo), m);
    *w1 = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(hi), m);
}

/* tile_floats for block weights: a block (two 16-lane steps) at a time. */
INLINE void tile_fblocks(uint32_t type, const qdot_job *job, size_t r, int R, int C,
                         const unsigned char **rows, __m512 acc[][QC]) {
    const int bb = qdot_block_bytes(type);
    for (int blk = 0; blk < job->w->k / 32; blk++) {
        __m512 w0[QC], w1[QC];
#pragma GCC unroll 4
        for (int j = 0; j < QC; j++) w0[j] = w1[j] = _mm512_setzero_ps(); /* (for the compiler) */
#pragma GCC unroll 4
        for (int j = 0; j < C; j++) {
            _mm_prefetch((const char *)rows[j] + (size_t)(blk + 12) * bb, _MM_HINT_T0);
            load_w32(type, rows[j] + (size_t)blk * bb, &w0[j], &w1[j]);
        }
#pragma GCC unroll 6
        for (int i = 0; i < R; i++) {
            const float *x = job->x + (r + (size_t)i) * job->ldx + (size_t)blk * 32;
            const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
#pragma GCC unroll 4
            for (int j = 0; j < C; j++)
                acc[i][j] = _mm512_fmadd_ps(x1, w1[j], _mm512_fmadd_ps(x0, w0[j], acc[i][j]));
        }
    }
}

/* Rows [r, r+R) × channels [c, c+C) with fp32 activations: each step loads
 * the C weight vectors once and each row's x once. */
INLINE void tile_floats(uint32_t type, const qdot_job *job, size_t r, int R, int c, int C) {
    const le_qmat *w = job->w;
    const int k = w->k;
    const unsigned char *rows[QC] = {0};
    __m512 acc[QRF][QC];
    tile_begin(w, c, C, rows, R, QRF, acc);
    if (qdot_block_size(type) == 32) {
        tile_fblocks(type, job, r, R, C, rows, acc);
        tile_end(job, r, R, c, C, acc);
        return;
    }
    for (int kk = 0; kk < k; kk += 16) {
        const __mmask16 mk = k - kk >= 16 ? 0xffff : (__mmask16)((1u << (k - kk)) - 1);
        __m512 wv[QC];
#pragma GCC unroll 4
        for (int j = 0; j < C; j++) wv[j] = load_w16(type, rows[j], kk, k);
#pragma GCC unroll 6
        for (int i = 0; i < R; i++) {
            const __m512 xv = _mm512_maskz_loadu_ps(mk, job->x + (r + (size_t)i) * job->ldx + kk);
#pragma GCC unroll 4
            for (int j = 0; j < C; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    tile_end(job, r, R, c, C, acc);
}

#include "kernels/qdot_run.inc"

/* One block of 32 values into half h of rec, as the scalar quantizer does it. */
static void quantize_block(const float *x, int split, int h, qdot_pair *rec) {
    const __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16), z = _mm512_setzero_ps();
    const int finite = (_mm512_cmp_ps_mask(_mm512_sub_ps(v0, v0), z, _CMP_EQ_OQ) &
                        _mm512_cmp_ps_mask(_mm512_sub_ps(v1, v1), z, _CMP_EQ_OQ)) == 0xffff;
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    const float d = finite ? amax / 127.0f : NAN, id = finite && d != 0 ? 1.0f / d : 0.0f;
    __m512i q0 = _mm512_setzero_si512(), q1 = q0;
    if (finite) {
        q0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, _mm512_set1_ps(id)));
        q1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, _mm512_set1_ps(id)));
    }
    const int sum = _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
    _mm_storeu_si128((__m128i *)(rec->q + (split ? h * 16 : h * 32)), _mm512_cvtepi32_epi8(q0));
    _mm_storeu_si128((__m128i *)(rec->q + (split ? 32 + h * 16 : h * 32 + 16)),
                     _mm512_cvtepi32_epi8(q1));
    const __mmask16 lanes = split ? (h ? 0xf0f0 : 0x0f0f) : (h ? 0xff00 : 0x00ff);
    _mm512_mask_storeu_ps(rec->d, lanes, _mm512_set1_ps(d));
    _mm512_mask_storeu_ps(rec->s, lanes, _mm512_set1_ps(d * (float)sum));
}

static void quantize(const float *x, int k, uint32_t type, qdot_pair *out) {
    const int nb = k / 32, split = type != QT_Q8_0;
    for (int p = 0; p < (nb + 1) / 2; p++) {
        qdot_pair *rec = &out[p];
        memset(rec, 0, sizeof *rec);
        for (int h = 0; h < 2 && 2 * p + h < nb; h++)
            quantize_block(x + (size_t)(2 * p + h) * 32, split, h, rec);
        const __m512i q = _mm512_load_si512((const void *)rec->q);
        const __m512i s8 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(8), q);
        _mm512_store_si512((void *)rec->n8, _mm512_sub_epi32(_mm512_setzero_si512(), s8));
    }
}

static void dequant(const le_qmat *w, int r, float *dst) {
    const unsigned char *row = (const unsigned char *)w->data + (size_t)r * w->row_bytes;
    if (qdot_block_size(w->type) == 32) {
        for (int b = 0; b < w->k / 32; b++) {
            __m512 w0, w1;
            load_w32(w->type, row + (size_t)b * (size_t)qdot_block_bytes(w->type), &w0, &w1);
            _mm512_storeu_ps(dst + (size_t)b * 32, w0);
            _mm512_storeu_ps(dst + (size_t)b * 32 + 16, w1);
        }
        return;
    }
    for (int j = 0; j < w->k; j += 16) {
        const __mmask16 mk = w->k - j >= 16 ? 0xffff : (__mmask16)((1u << (w->k - j)) - 1);
        _mm512_mask_storeu_ps(dst + j, mk, load_w16(w->type, row, j, w->k));
    }
}

const qdot_family le_qdot_avx512vnni = {"avx512vnni", run, quantize, dequant};
