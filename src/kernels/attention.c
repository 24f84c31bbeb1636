/* Attention driver: one task per (head, query tile). A task packs its
 * queries transposed ([d][BQ], zero padded), walks the key tiles with an
 * online softmax and writes its rows of the output. Per-thread scratch (the
 * transposed queries, up to three score tiles, the output accumulator) is
 * allocated once per call: memory is O(threads · tile), never O(n²).
 *
 * Causal: key tiles past the tile's last query are never visited.
 * P·V keeps a contiguous copy of the tile's V rows for its later passes.
 * SelfExtend: a key tile computes only the score sets its distances need:
 * near the diagonal q·k, farther q_lo·k_g (left) or q_up·k_g (right).
 * In-kernel RoPE: a task rotates its queries once per position set it
 * needs, and each key tile by the sets that tile needs, into scratch; the
 * score kernels then read the rotated copies. */
#include "kernels/attention.h"

#include "base/arena.h"
#include "kernels/attention_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const le_attn_kernels *attn_for(le_isa isa) {
    const le_cpu_features *f = le_cpu_detect();
    if (isa == LE_ISA_AVX512 && f->avx512) return &le_attn_avx512;
    if (isa >= LE_ISA_AVX2 && f->avx2) return &le_attn_avx2;
    return &le_attn_scalar;
}

typedef struct attn_job {
    const le_attn_args *a;
    const le_attn_kernels *k;
    int q_tiles;
    size_t scratch_floats; /* per thread */
    float *scratch;
} attn_job;

/* q rows [i0, i0 + nq) of head h → qt [d][BQ], lanes past nq zero */
static void pack_qt(const float *q, size_t stride, int i0, int nq, int d, float *qt) {
    memset(qt, 0, sizeof(float) * (size_t)d * LE_ATTN_BQ);
    for (int i = 0; i < nq; i++) {
        const float *row = q + (size_t)(i0 + i) * stride;
        for (int dd = 0; dd < d; dd++) qt[(size_t)dd * LE_ATTN_BQ + i] = row[dd];
    }
}

/* y = x rotated by one table row (see le_attn_rope); y must not alias x */
static void rope_vec(const float *x, float *y, int d, const float *c, const float *s,
                     int rotate_half) {
    const int half = d / 2;
    if (rotate_half) {
        for (int j = 0; j < half; j++) {
            const float x1 = x[j], x2 = x[j + half];
            y[j] = x1 * c[j] - x2 * s[j];
            y[j + half] = x2 * c[j] + x1 * s[j];
        }
    } else {
        for (int j = 0; j < half; j++) {
            const float x1 = x[2 * j], x2 = x[2 * j + 1];
            y[2 * j] = x1 * c[j] - x2 * s[j];
            y[2 * j + 1] = x2 * c[j] + x1 * s[j];
        }
    }
}

/* The position sets of in-kernel RoPE: the true position, and SelfExtend's
 * grouped ones with and without the shift sh. */
enum { POS_NEAR, POS_GROUP, POS_GROUP_SHIFT };

static inline int rope_row(int pos, int set, int g, int sh) {
    return set == POS_NEAR ? pos : set == POS_GROUP ? pos / g : pos / g + sh;
}

/* like pack_qt, each row rotated by the table row of its position in set;
 * tmp: [BQ][d] */
static void pack_qt_rope(const le_attn_kernels *k, const float *q, size_t stride, int i0, int nq,
                         int d, const le_attn_rope *r, int q_offset, int set, int sh, int *rows,
                         float *tmp, float *qt) {
    for (int i = 0; i < nq; i++) rows[i] = rope_row(i0 + i + q_offset, set, r->se_group, sh);
    k->rope(q + (size_t)i0 * stride, stride, tmp, (size_t)d, nq, d, r->cos, r->sin, rows,
            r->rotate_half);
    memset(qt, 0, sizeof(float) * (size_t)d * LE_ATTN_BQ);
    for (int i = 0; i < nq; i++)
        for (int dd = 0; dd < d; dd++) qt[(size_t)dd * LE_ATTN_BQ + i] = tmp[(size_t)i * d + dd];
}

/* keys [j0, j0 + nk) of one head rotated into kr ([nk][d]) */
static void rope_keys(const le_attn_kernels *k, const float *kv, size_t stride, int j0, int nk,
                      int d, const le_attn_rope *r, int set, int sh, int *rows, float *kr) {
    for (int j = 0; j < nk; j++) rows[j] = rope_row(j0 + j, set, r->se_group, sh);
    k->rope(kv + (size_t)j0 * stride, stride, kr, (size_t)d, nk, d, r->cos, r->sin, rows,
            r->rotate_half);
}

int le_attn_rope_rows(int n_q, int q_offset, int n_kv, int se_window, int se_group) {
    long long qmax = (long long)n_q - 1 + q_offset, kmax = (long long)n_kv - 1;
    long long top = qmax > kmax ? qmax : kmax, rows = top + 1;
    if (se_window > 0) {
        const long long g = se_group > 1 ? se_group : 1, sh = se_window - se_window / g;
        if (top / g + sh + 1 > rows) rows = top / g + sh + 1;
    }
    return rows < 0 ? 0 : rows > 0x7fffffff ? 0x7fffffff : (int)rows;
}

static void attn_task(void *ctx, size_t index, int thread) {
    const attn_job *job = ctx;
    const le_attn_args *a = job->a;
    const le_attn_kernels *k = job->k;
    const int d = a->head_dim, bk = k->bk, w = a->se_window;
    /* head by head, so the threads share one head's K and V in cache; the
     * latest query tiles first: under a causal mask they have the most keys */
    const int h = (int)(index / job->q_tiles);
    const int qtile = job->q_tiles - 1 - (int)(index % job->q_tiles);
    const int kvh = h / (a->n_heads / a->n_kv_heads);
    const int i0 = qtile * LE_ATTN_BQ;
    const int nq = a->n_q - i0 < LE_ATTN_BQ ? a->n_q - i0 : LE_ATTN_BQ;

    float *mem = job->scratch + (size_t)thread * job->scratch_floats;
    const size_t qt_size = (size_t)d * LE_ATTN_BQ, st_size = (size_t)bk * LE_ATTN_BQ;
    float *qt = mem, *qt_lo = qt + qt_size, *qt_up = qt_lo + qt_size;
    float *s_near = qt_up + qt_size, *s_lo = s_near + st_size, *s_up = s_lo + st_size;
    float *o = s_up + st_size, *m = o + (size_t)LE_ATTN_BQ * d;
    float *l = m + LE_ATTN_BQ, *alpha = l + LE_ATTN_BQ, *vt = alpha + LE_ATTN_BQ;
    /* in-kernel RoPE: rotated key tiles (near, grouped, grouped + shift), the
     * rotated query rows before packing, and the table rows of a tile */
    float *kr_near = vt + (size_t)bk * d, *kr_g = kr_near + (size_t)bk * d;
    float *kr_up = kr_g + (size_t)bk * d, *row_tmp = kr_up + (size_t)bk * d;
    int *rows = (int *)(row_tmp + (size_t)LE_ATTN_BQ * d);

    const le_attn_rope *rope = a->rope;
    const int g = rope && rope->se_group > 1 ? rope->se_group : 1, sh = w - w / g;
    const size_t qoff = (size_t)h * d, koff = (size_t)kvh * d;
    if (rope) {
        pack_qt_rope(k, a->q + qoff, a->q_stride, i0, nq, d, rope, a->q_offset, POS_NEAR, sh, rows,
                     row_tmp, qt);
        if (w > 0) {
            /* keys to the left: query shifted; to the right: query grouped only */
            pack_qt_rope(k, a->q + qoff, a->q_stride, i0, nq, d, rope, a->q_offset, POS_GROUP_SHIFT,
                         sh, rows, row_tmp, qt_lo);
            pack_qt_rope(k, a->q + qoff, a->q_stride, i0, nq, d, rope, a->q_offset, POS_GROUP, sh,
                         rows, row_tmp, qt_up);
        }
    } else {
        pack_qt(a->q + qoff, a->q_stride, i0, nq, d, qt);
        if (w > 0) {
            pack_qt(a->q_lo + qoff, a->q_stride, i0, nq, d, qt_lo);
            pack_qt(a->q_up + qoff, a->q_stride, i0, nq, d, qt_up);
        }
    }
    memset(o, 0, sizeof(float) * (size_t)LE_ATTN_BQ * d);
    for (int i = 0; i < LE_ATTN_BQ; i++) {
        m[i] = -INFINITY;
        l[i] = 0;
    }

    int j_end = a->n_kv;
    if (a->causal) {
        long long last = (long long)i0 + nq - 1 + a->q_offset + 1; /* keys <= the last query */
        if (last < j_end) j_end = last < 0 ? 0 : (int)last;
    }
    le_attn_tile t = {
        .scale = a->scale, .slope = a->alibi_slopes ? a->alibi_slopes[h] : 0.0f, .window = w};
    for (int j0 = 0; j0 < j_end; j0 += bk) {
        const int nk = j_end - j0 < bk ? j_end - j0 : bk;
        const int dist0 = i0 + a->q_offset - j0;
        const int dmin = dist0 - (nk - 1), dmax = dist0 + (nq - 1);
        int need_near = 1, need_lo = 0, need_up = 0;
        if (w > 0) {
            need_near = dmax > -w && dmin < w;
            need_lo = dmax >= w;
            need_up = dmin <= -w && !a->causal;
        }
        /* long sequences keep K and V in L3 at best: fetch the next tile's
         * rows into L2 while this one computes */
        if (j0 + bk < j_end) {
            const int next = j_end - (j0 + bk) < bk ? j_end - (j0 + bk) : bk;
            const float *kn =
                (w > 0 && !rope ? a->k_g : a->k) + (size_t)(j0 + bk) * a->k_stride + koff;
            const float *vn = a->v + (size_t)(j0 + bk) * a->v_stride + koff;
            for (int j = 0; j < next; j++)
                for (int dd = 0; dd < d; dd += 16) {
                    __builtin_prefetch(kn + (size_t)j * a->k_stride + dd, 0, 2);
                    __builtin_prefetch(vn + (size_t)j * a->v_stride + dd, 0, 2);
                }
        }
        t.s_near = t.s_lo = t.s_up = NULL;
        /* the keys each score set reads: rotated here, or the caller's */
        const float *k_near = a->k + (size_t)j0 * a->k_stride + koff, *k_lo = NULL, *k_up = NULL;
        size_t ks_near = a->k_stride, ks_far = a->k_stride;
        if (rope) {
            if (need_near)
                rope_keys(k, a->k + koff, a->k_stride, j0, nk, d, rope, POS_NEAR, sh, rows,
                          kr_near);
            if (need_lo)
                rope_keys(k, a->k + koff, a->k_stride, j0, nk, d, rope, POS_GROUP, sh, rows, kr_g);
            if (need_up)
                rope_keys(k, a->k + koff, a->k_stride, j0, nk, d, rope, POS_GROUP_SHIFT, sh, rows,
                          kr_up);
            k_near = kr_near, k_lo = kr_g, k_up = kr_up;
            ks_near = ks_far = (size_t)d;
        } else if (w > 0) {
            k_lo = k_up = a->k_g + (size_t)j0 * a->k_stride + koff;
        }
        if (need_near) {
            k->scores(qt, d, k_near, ks_near, nk, s_near);
            t.s_near = s_near;
        }
        if (need_lo) {
            k->scores(qt_lo, d, k_lo, ks_far, nk, s_lo);
            t.s_lo = s_lo;
        }
        if (need_up) {
            k->scores(qt_up, d, k_up, ks_far, nk, s_up);
            t.s_up = s_up;
        }
        t.p = s_near;
        t.nk = nk;
        /* masks only where some distance in the tile can be negative */
        t.causal = a->causal && dmin < 0;
        t.dist0 = dist0;
        k->softmax(&t, m, l, alpha);
        k->pv(s_near, nk, a->v + (size_t)j0 * a->v_stride + koff, a->v_stride, d, o, alpha, nq, vt);
    }
    for (int i = 0; i < nq; i++) {
        float *dst = a->out + (size_t)(i0 + i) * a->out_stride + qoff;
        const float *src = o + (size_t)i * d;
        if (l[i] > 0) {
            const float inv = 1.0f / l[i];
            for (int dd = 0; dd < d; dd++) dst[dd] = src[dd] * inv;
        } else {
            memset(dst, 0, sizeof(float) * d); /* no key left unmasked */
        }
    }
}

int le_attention(const le_kctx *kc, const le_attn_args *a) {
    if (a->n_q <= 0 || a->n_heads <= 0 || a->head_dim <= 0) return 0;
    const le_attn_kernels *k = attn_for(kc ? kc->isa : LE_ISA_SCALAR);
    le_pool *pool = kc ? kc->pool : NULL;
    attn_job job = {.a = a, .k = k};
    job.q_tiles = (a->n_q + LE_ATTN_BQ - 1) / LE_ATTN_BQ;
    const size_t d = (size_t)a->head_dim;
    if (a->rope) {
        const le_attn_rope *r = a->rope;
        if (!r->cos || !r->sin || a->head_dim % 2 || a->q_offset < 0 || r->se_group < 0 ||
            le_attn_rope_rows(a->n_q, a->q_offset, a->n_kv, a->se_window, r->se_group) > r->rows)
            return -1;
    }
    job.scratch_floats = 3 * d * LE_ATTN_BQ + 3 * (size_t)k->bk * LE_ATTN_BQ +
                         (size_t)LE_ATTN_BQ * d + 3 * LE_ATTN_BQ + (size_t)k->bk * d;
    if (a->rope) /* three key tiles, the query rows, the tile's table rows (as floats) */
        job.scratch_floats += 3 * (size_t)k->bk * d + (size_t)LE_ATTN_BQ * d +
                              (size_t)(k->bk > LE_ATTN_BQ ? k->bk : LE_ATTN_BQ);
    job.scratch_floats = (job.scratch_floats + 15) & ~(size_t)15;
    const int threads = le_pool_threads(pool);
    job.scratch = le_alloc_aligned(sizeof(float) * job.scratch_floats * threads);
    if (!job.scratch) return -1;
    /* tiles never read a lane they did not write, but keep stray NaNs out */
    memset(job.scratch, 0, sizeof(float) * job.scratch_floats * threads);
    le_pool_run(pool, (size_t)a->n_heads * job.q_tiles, attn_task, &job);
    le_free_aligned(job.scratch);
    return 0;
}

/* The score of query i (row of this call) and key j in double, or -inf. */
static double ref_score(const le_attn_args *a, int h, int i, int j, float *tmp_q, float *tmp_k) {
    const int d = a->head_dim, kvh = h / (a->n_heads / a->n_kv_heads);
    const long long ip = (long long)i + a->q_offset, dist = ip - j;
    if (a->causal && dist < 0) return -INFINITY;
    const float *q = a->q, *kk = a->k;
    const int far_left = a->se_window > 0 && dist >= a->se_window;
    const int far_right = a->se_window > 0 && -dist >= a->se_window;
    if (!a->rope && far_left)
        q = a->q_lo, kk = a->k_g;
    else if (!a->rope && far_right)
        q = a->q_up, kk = a->k_g;
    const float *qi = q + (size_t)i * a->q_stride + (size_t)h * d;
    const float *kj = kk + (size_t)j * a->k_stride + (size_t)kvh * d;
    if (a->rope) { /* rotate both by the rows of their position sets */
        const le_attn_rope *r = a->rope;
        const int g = r->se_group > 1 ? r->se_group : 1, w = a->se_window, sh = w - w / g;
        const int qset = far_left ? POS_GROUP_SHIFT : far_right ? POS_GROUP : POS_NEAR;
        const int kset = far_left ? POS_GROUP : far_right ? POS_GROUP_SHIFT : POS_NEAR;
        const int qrow = rope_row((int)ip, qset, g, sh), krow = rope_row(j, kset, g, sh);
        rope_vec(qi, tmp_q, d, r->cos + (size_t)qrow * (d / 2), r->sin + (size_t)qrow * (d / 2),
                 r->rotate_half);
        rope_vec(kj, tmp_k, d, r->cos + (size_t)krow * (d / 2), r->sin + (size_t)krow * (d / 2),
                 r->rotate_half);
        qi = tmp_q, kj = tmp_k;
    }
    double s = 0;
    for (int dd = 0; dd < d; dd++) s += (double)qi[dd] * kj[dd];
    s *= a->scale;
    if (a->alibi_slopes) s -= (double)a->alibi_slopes[h] * (double)llabs(dist);
    return s;
}

void le_attention_reference(const le_attn_args *a) {
    const int d = a->head_dim;
    double *s = malloc(sizeof(double) * (a->n_kv > 0 ? a->n_kv : 1));
    double *acc = malloc(sizeof(double) * d);
    float *tmp = malloc(sizeof(float) * 2 * (size_t)d);
    if (a->rope && le_attn_rope_rows(a->n_q, a->q_offset, a->n_kv, a->se_window,
                                     a->rope->se_group) > a->rope->rows) {
        free(tmp); /* a table too short: an answer no test accepts */
        tmp = NULL;
    }
    for (int h = 0; h < a->n_heads; h++) {
        const int kvh = h / (a->n_heads / a->n_kv_heads);
        for (int i = 0; i < a->n_q; i++) {
            float *dst = a->out + (size_t)i * a->out_stride + (size_t)h * d;
            if (!s || !acc || !tmp) { /* out of memory: an answer no test accepts */
                for (int dd = 0; dd < d; dd++) dst[dd] = NAN;
                continue;
            }
            double mx = -INFINITY;
            for (int j = 0; j < a->n_kv; j++) {
                s[j] = ref_score(a, h, i, j, tmp, tmp + d);
                if (s[j] > mx) mx = s[j];
            }
            double sum = 0;
            for (int dd = 0; dd < d; dd++) acc[dd] = 0;
            if (mx > -INFINITY)
                for (int j = 0; j < a->n_kv; j++) {
                    double p = exp(s[j] - mx);
                    sum += p;
                    const float *vj = a->v + (size_t)j * a->v_stride + (size_t)kvh * d;
                    for (int dd = 0; dd < d; dd++) acc[dd] += p * vj[dd];
                }
            for (int dd = 0; dd < d; dd++) dst[dd] = sum > 0 ? (float)(acc[dd] / sum) : 0.0f;
        }
    }
    free(s);
    free(acc);
    free(tmp);
}
