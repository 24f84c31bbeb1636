/* AVX2 quantized products: qdot.h's order of operations with the 16 lanes in
 * two ymm (lanes 0..7, 8..15), block products by vpmaddubsw + vpmaddwd
 * (exact: no pair of products reaches the int16 limit), so every output
 * equals the scalar twin bit for bit. Signs for vpmaddubsw's unsigned side:
 *   Q4_1: nibbles × x;  Q4_0: nibbles × x + n8;  Q8_0: |w| × (x with w's sign)
 * Tiles of QR rows × 1 channel (16 ymm registers: 8 accumulators). Activations
 * are quantized by the scalar quantizer (O(m·k) beside the O(m·k·n) products). */
#include "kernels/qdot_x86.h"

#define QR 4
#define QRF QR /* rows of a float tile */
#define INLINE static inline __attribute__((always_inline))

typedef struct v16 {
    __m256 a, b; /* lanes 0..7, 8..15 */
} v16;

typedef struct wpair {
    __m256i qa, qb; /* the pair's weights in the record order */
    __m256 da, db;  /* block scale per lane */
    __m256 ma;      /* Q4_1: the minima in lanes 0 and 4 (lanes 8..15 hold none) */
} wpair;

INLINE void load_q8_0(const unsigned char *row, int nb, int P, wpair *w) {
    const unsigned char *b = row + (size_t)P * 68;
    const int two = 2 * P + 1 < nb;
    w->qa = _mm256_loadu_si256((const __m256i *)(b + 2));
    w->qb = two ? _mm256_loadu_si256((const __m256i *)(b + 36)) : _mm256_setzero_si256();
    w->da = _mm256_set1_ps(qdot_f16c(b));
    w->db = _mm256_set1_ps(two ? qdot_f16c(b + 34) : 0.0f);
}

INLINE void load_q4(int q41, const unsigned char *row, int nb, int P, wpair *w) {
    const int bb = q41 ? 20 : 18, off = q41 ? 4 : 2, two = 2 * P + 1 < nb;
    const unsigned char *b0 = row + (size_t)(2 * P) * bb, *b1 = b0 + bb;
    qdot_q4_nibbles(row, nb, P, bb, off, &w->qa, &w->qb);
    const float d0 = qdot_f16c(b0), d1 = two ? qdot_f16c(b1) : 0.0f;
    w->da = w->db = _mm256_setr_ps(d0, d0, d0, d0, d1, d1, d1, d1);
    if (q41) {
        const float m0 = qdot_f16c(b0 + 2), m1 = two ? qdot_f16c(b1 + 2) : 0.0f;
        w->ma = _mm256_setr_ps(m0, 0, 0, 0, m1, 0, 0, 0);
    }
}

/* Σ of 4 products per int32 lane: u (unsigned bytes) × s (signed bytes) */
INLINE __m256i dot4(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

/* The exact lane sums of one half (8 lanes) of a pair. */
INLINE __m256i half_dot(uint32_t type, __m256i w, __m256i x, const int32_t *n8) {
    if (type == QT_Q8_0) return dot4(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    __m256i p = dot4(w, x);
    if (type == QT_Q4_0) p = _mm256_add_epi32(p, _mm256_load_si256((const __m256i *)n8));
    return p;
}

INLINE v16 pair_step(uint32_t type, const wpair *w, const qdot_pair *a, v16 acc) {
    const __m256i xa = _mm256_load_si256((const __m256i *)a->q);
    const __m256i xb = _mm256_load_si256((const __m256i *)(a->q + 32));
    __m256i pa = half_dot(type, w->qa, xa, a->n8), pb = half_dot(type, w->qb, xb, a->n8 + 8);
    acc.a =
        _mm256_fmadd_ps(_mm256_cvtepi32_ps(pa), _mm256_mul_ps(w->da, _mm256_load_ps(a->d)), acc.a);
    acc.b = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pb), _mm256_mul_ps(w->db, _mm256_load_ps(a->d + 8)),
                            acc.b);
    /* lanes 8..15 would add m·s = ±0, which never changes an accumulator
     * that started at +0 (and NaN s comes with NaN d), so they skip it */
    if (type == QT_Q4_1) acc.a = _mm256_fmadd_ps(w->ma, _mm256_load_ps(a->s), acc.a);
    return acc;
}

/* qdot_tree on two ymm */
INLINE float tree(v16 v) {
    __m256 s8 = _mm256_add_ps(v.a, v.b);
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

INLINE void store(const qdot_job *job, size_t r, int c, v16 acc) {
    float *dst = job->y + r * job->ldy + (size_t)c, v = tree(acc);
    *dst = job->accumulate ? *dst + v : v;
}

/* Rows [r, r+R) of channel c, a block type. */
INLINE void tile_blocks(uint32_t type, const qdot_job *job, size_t r, int R, int c) {
    const le_qmat *w = job->w;
    const int nb = w->k / 32;
    const unsigned char *row = (const unsigned char *)w->data + (size_t)c * w->row_bytes;
    v16 acc[QR];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) acc[i].a = acc[i].b = _mm256_setzero_ps();
    const qdot_pair *act = job->act + r * (size_t)job->npair;
    for (int P = 0; P < job->npair; P++) {
        wpair wp;
        if (type == QT_Q8_0)
            load_q8_0(row, nb, P, &wp);
        else
            load_q4(type == QT_Q4_1, row, nb, P, &wp);
#pragma GCC unroll 4
        for (int i = 0; i < R; i++)
            acc[i] = pair_step(type, &wp, act + (size_t)i * job->npair + P, acc[i]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) store(job, r + (size_t)i, c, acc[i]);
}

#define QDOT_TILES(name, tile, T, TR)                                                              \
    static void name(const qdot_job *job, size_t r0, size_t r1, int c0, int c1) {                  \
        for (int c = c0; c < c1; c++) {                                                            \
            size_t r = r0;                                                                         \
            for (; r + TR <= r1; r += TR) tile(T, job, r, TR, c);                                  \
            for (; r < r1; r++) tile(T, job, r, 1, c);                                             \
        }                                                                                          \
    }

/* 8 block weights from 8 bytes (low half of q) as floats, as le_qdot_weight */
INLINE __m256 block8(uint32_t type, __m128i q, int half, __m256 d, __m256 m) {
    if (type == QT_Q8_0) return _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)));
    __m256i e = _mm256_cvtepu8_epi32(q);
    e = half ? _mm256_srli_epi32(e, 4) : _mm256_and_si256(e, _mm256_set1_epi32(15));
    if (type == QT_Q4_0)
        return _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_sub_epi32(e, _mm256_set1_epi32(8))));
    return _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(e), m);
}

/* Weights j..j+15 of a row as floats (zero past k). */
INLINE v16 load_w16(uint32_t type, const unsigned char *row, int j, int k) {
    v16 v;
    if (k - j < 16) { /* only float types have a tail */
        float t[16];
        for (int l = 0; l < 16; l++) t[l] = j + l < k ? le_qdot_weight(type, row, j + l) : 0.0f;
        v.a = _mm256_loadu_ps(t);
        v.b = _mm256_loadu_ps(t + 8);
        return v;
    }
    if (type == QT_F32 || type == QT_F16 || type == QT_BF16) {
        const unsigned char *p = row + (size_t)j * (type == QT_F32 ? 4 : 2);
        if (type == QT_F32) {
            v.a = _mm256_loadu_ps((const float *)p);
            v.b = _mm256_loadu_ps((const float *)p + 8);
        } else if (type == QT_F16) {
            v.a = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
            v.b = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 16)));
        } else {
            __m256i a = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
            __m256i b = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p + 16)));
            v.a = _mm256_castsi256_ps(_mm256_slli_epi32(a, 16));
            v.b = _mm256_castsi256_ps(_mm256_slli_epi32(b, 16));
        }
        return v;
    }
    const unsigned char *b = row + (size_t)(j / 32) * (size_t)qdot_block_bytes(type);
    const int half = (j / 16) & 1;
    const __m256 d = _mm256_set1_ps(qdot_f16c(b));
    const __m256 m = _mm256_set1_ps(type == QT_Q4_1 ? qdot_f16c(b + 2) : 0.0f);
    const unsigned char *q = type == QT_Q8_0 ? b + 2 + half * 16 : b + (type == QT_Q4_1 ? 4 : 2);
    const __m128i qv = _mm_loadu_si128((const __m128i *)q);
    v.a = block8(type, qv, half, d, m);
    v.b = block8(type, _mm_srli_si128(qv, 8), half, d, m);
    return v;
}

/* Rows [r, r+R) of channel c with fp32 activations. */
INLINE void tile_floats(uint32_t type, const qdot_job *job, size_t r, int R, int c) {
    const int k = job->w->k;
    const unsigned char *row = (const unsigned char *)job->w->data + (size_t)c * job->w->row_bytes;
    v16 acc[QR];
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) acc[i].a = acc[i].b = _mm256_setzero_ps();
    for (int kk = 0; kk < k; kk += 16) {
        const v16 wv = load_w16(type, row, kk, k);
#pragma GCC unroll 4
        for (int i = 0; i < R; i++) {
            const float *x = job->x + (r + (size_t)i) * job->ldx + kk;
            float t[16] = {0};
            if (k - kk < 16) {
                memcpy(t, x, (size_t)(k - kk) * sizeof *t);
                x = t;
            }
            acc[i].a = _mm256_fmadd_ps(_mm256_loadu_ps(x), wv.a, acc[i].a);
            acc[i].b = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), wv.b, acc[i].b);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; i++) store(job, r + (size_t)i, c, acc[i]);
}

#include "kernels/qdot_run.inc"

static void dequant(const le_qmat *w, int r, float *dst) {
    const unsigned char *row = (const unsigned char *)w->data + (size_t)r * w->row_bytes;
    int j = 0;
    for (; j + 16 <= w->k; j += 16) {
        const v16 v = load_w16(w->type, row, j, w->k);
        _mm256_storeu_ps(dst + j, v.a);
        _mm256_storeu_ps(dst + j + 8, v.b);
    }
    for (; j < w->k; j++) dst[j] = le_qdot_weight(w->type, row, j);
}

const qdot_family le_qdot_avx2 = {"avx2", run, le_qdot_quantize_scalar, dequant};
